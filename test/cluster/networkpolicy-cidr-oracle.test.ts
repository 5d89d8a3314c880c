// The real kube-apiserver (v1.36.3, test/cluster/versions.env) as the oracle for which NetworkPolicy
// ipBlock CIDRs it refuses on create (src/analysis/netpol/policy.ts readCidr): from v1.36 the
// StrictIPCIDRValidation feature gate is on by default, and IsValidCIDRForLegacyField then refuses
// leading zeros in an address or a prefix length ("must not have leading 0s in IP or prefix
// length", k8s.io/apimachinery pkg/util/validation/ip.go). Each policy is created, and the server's
// answer (201, or 422) must be what ztaudit says of the same policy in manifests for that release.
import { expect, it } from 'vitest';
import { leadingZerosRefusedBy, parsePolicy } from '../../src/analysis/netpol/policy.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { Admin, describeCluster, uniqueName } from './env.ts';

const CIDRS = ['10.0.0.0/8', '10.0.0.0/08', '10.0.0.0/008', '010.0.0.0/8', '10.0.0.0/000', 'fd00::/8', 'fd00::/08'];

describeCluster('NetworkPolicy ipBlock CIDRs with leading zeros', (cluster) => {
  const admin = new Admin(cluster);

  it('the API server refuses exactly the CIDRs ztaudit reads as refused in manifests for its release', async () => {
    const ns = uniqueName('np-cidr');
    await admin.namespace(ns);
    const refusedBy = leadingZerosRefusedBy(snapshotFromObjects([], { clusterVersion: 'v1.36.3' }));
    const answers: Array<[string, boolean, boolean]> = [];
    for (const cidr of CIDRS) {
      const o = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: uniqueName('p'), namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] } };
      const r = await admin.request('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, o);
      expect([201, 422], `${cidr}: HTTP ${r.status} ${JSON.stringify(r.body?.message)}`).toContain(r.status);
      if (r.status === 422) expect(String(r.body?.message)).toContain('must not have leading 0s in IP or prefix length');
      answers.push([cidr, r.status === 422, parsePolicy(o, refusedBy).errors.length > 0]);
    }
    expect(answers.map(([cidr, server]) => [cidr, server])).toEqual(answers.map(([cidr, , ztaudit]) => [cidr, ztaudit]));
    // Not vacuous: the leading zeros are refused, the plain spellings are not.
    expect(answers.filter(([, server]) => server).map(([cidr]) => cidr)).toEqual(['10.0.0.0/08', '10.0.0.0/008', '010.0.0.0/8', '10.0.0.0/000', 'fd00::/08']);
  });
});
