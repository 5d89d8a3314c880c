// The external egress of workloads under the effective network model, and the external
// destinations the cluster's objects name (the report's "Where traffic may leave" list).
import { describe, expect, it } from 'vitest';
import { externalDestinations, externalEgress } from '../../../src/analysis/netpol/egress.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { loadFixture } from '../../helpers/fixtures.ts';

const dir = new URL('../../fixtures/checks/network.egress-not-controlled/', import.meta.url).pathname;

function snapshotOf(yaml: string) {
  return snapshotFromObjects(parseManifestText(yaml, 'test').objects, { notes: [], clusterVersion: 'v1.36.3' });
}

describe('external egress', () => {
  it('cuts at the policy CIDRs and leaves private space out', () => {
    const e = externalEgress(loadFixture(`${dir}fail.calico-nets.yaml`));
    const web = [...e.values()].find((w) => w.workload.ref.name === 'web');
    expect(web?.ranges).toEqual(['198.51.100.0-198.51.100.255']);
    expect(web?.anyAddress).toBe(false);
    expect(web?.allowedBy).toEqual(['GlobalNetworkPolicy web-egress']);
    // The proxy has no policy: every public address of both families.
    const proxy = [...e.values()].find((w) => w.workload.ref.name === 'proxy');
    expect(proxy).toMatchObject({ anyAddress: true, anyFamilies: [4, 6], allowedBy: [] });
  });

  it('a declared proxy address is not "outside"', () => {
    const s = loadFixture(`${dir}pass.declared-proxy.yaml`);
    expect([...externalEgress(s).values()].map((w) => w.ranges)).toEqual([['203.0.113.10-203.0.113.10']]);
    expect(externalEgress(s, [{ family: 4, lo: 0xcb00710an, hi: 0xcb00710an }]).size).toBe(0);
  });

  it('lists toFQDNs names, public ipBlocks, world rules and mesh-external ServiceEntry hosts', () => {
    const s = snapshotOf(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/8}}, {ipBlock: {cidr: 203.0.113.0/24}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: pay}
spec:
  endpointSelector: {}
  egress:
    - toFQDNs: [{matchPattern: "*.stripe.com"}]
    - toEntities: [world]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: stripe, namespace: pay}
spec: {hosts: [api.stripe.com], location: MESH_EXTERNAL, ports: [{number: 443, name: https, protocol: TLS}], resolution: DNS}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vm, namespace: pay}
spec: {hosts: [legacy.internal], location: MESH_INTERNAL, ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC}
`);
    expect(externalDestinations(s).map((d) => `${d.kind} ${d.value} ${d.sourceLabel}`)).toEqual([
      'world entity world CiliumNetworkPolicy pay/fqdn',
      'ipBlock 203.0.113.0/24 shop/out',
      'fqdn *.stripe.com CiliumNetworkPolicy pay/fqdn',
      'ServiceEntry api.stripe.com ServiceEntry pay/stripe',
    ]);
  });
});
