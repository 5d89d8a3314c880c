// The real kube-apiserver as the oracle for which Istio AuthorizationPolicies the CRD's size
// limits and CEL rules refuse (src/analysis/mesh/authz.ts schemaLimitRefusals): a CRD carrying
// exactly the limits and rules of istio/istio manifests/charts/base/files/crd-all.gen.yaml at
// 1.27.0/1.28.0 (authorizationpolicies.security.istio.io, v1) that ztaudit reads, the rules
// quoted from it, is installed under a group of its own (so no other test sees an
// AuthorizationPolicy kind); each spec is created, and the server's answer (201, or 422) must be
// what ztaudit assumes for the same policy from manifests. The point in doubt is has(): it counts
// a field written as an empty list (`targetRefs: []`, `serviceAccounts: []`) as set.
import { expect, it } from 'vitest';
import { parseAuthorizationPolicy } from '../../src/analysis/mesh/authz.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { Admin, describeCluster, uniqueName } from './env.ts';

const GROUP = 'crd-oracle.ztaudit.invalid';
const strings = { type: 'array', items: { type: 'string' } };
const serviceAccounts = { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 320 } };
const ref = { type: 'object', properties: { group: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } }, required: ['kind', 'name'] };
const spec = {
  type: 'object',
  properties: {
    action: { type: 'string' },
    selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
    targetRef: ref,
    targetRefs: { type: 'array', maxItems: 16, items: ref },
    rules: {
      type: 'array', maxItems: 512,
      items: {
        type: 'object',
        properties: {
          from: {
            type: 'array', maxItems: 512,
            items: {
              type: 'object',
              properties: {
                source: {
                  type: 'object',
                  properties: { principals: strings, notPrincipals: strings, namespaces: strings, notNamespaces: strings, requestPrincipals: strings, serviceAccounts, notServiceAccounts: serviceAccounts },
                  'x-kubernetes-validations': [{
                    message: 'Cannot set serviceAccounts with namespaces or principals',
                    rule: '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true',
                  }],
                },
              },
            },
          },
        },
      },
    },
  },
  'x-kubernetes-validations': [{ message: 'only one of targetRefs or selector can be set', rule: '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1' }],
};
const crd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `authorizationpolicies.${GROUP}` },
  spec: {
    group: GROUP,
    names: { kind: 'AuthorizationPolicy', plural: 'authorizationpolicies', singular: 'authorizationpolicy', listKind: 'AuthorizationPolicyList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }],
  },
};

const n = <T>(count: number, item: T): T[] => Array.from({ length: count }, () => item);
const gateway = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' };
const CASES: Array<[string, Record<string, unknown>]> = [
  ['selector and an empty targetRefs', { selector: { matchLabels: { app: 'web' } }, targetRefs: [] }],
  ['an empty selector and a targetRef', { selector: {}, targetRef: { kind: 'Service', name: 'web' } }],
  ['a targetRef and an empty targetRefs', { targetRef: { kind: 'Service', name: 'web' }, targetRefs: [] }],
  ['a null selector and targetRefs (the null pruned)', { selector: null, targetRefs: [gateway] }],
  ['a selector alone', { selector: { matchLabels: { app: 'web' } }, rules: [{}] }],
  ['an empty serviceAccounts beside namespaces', { rules: [{ from: [{ source: { namespaces: ['shop'], serviceAccounts: [] } }] }] }],
  ['serviceAccounts beside an empty principals', { rules: [{ from: [{ source: { serviceAccounts: ['web'], principals: [] } }] }] }],
  ['an empty notServiceAccounts beside notNamespaces', { rules: [{ from: [{ source: { notNamespaces: ['x'], notServiceAccounts: [] } }] }] }],
  ['serviceAccounts alone', { rules: [{ from: [{ source: { serviceAccounts: ['web'] } }] }] }],
  ['serviceAccounts beside a null namespaces (the null pruned)', { rules: [{ from: [{ source: { serviceAccounts: ['web'], namespaces: null } }] }] }],
  ['513 rules', { action: 'DENY', rules: n(513, { from: [{ source: { namespaces: ['other'] } }] }) }],
  ['512 rules', { action: 'DENY', rules: n(512, { from: [{ source: { namespaces: ['other'] } }] }) }],
  ['a rule of 513 sources', { action: 'DENY', rules: [{ from: n(513, { source: { namespaces: ['other'] } }) }] }],
  ['a rule of 512 sources', { action: 'DENY', rules: [{ from: n(512, { source: { namespaces: ['other'] } }) }] }],
  ['17 targetRefs', { targetRefs: n(17, gateway), rules: [{}] }],
  ['16 targetRefs', { targetRefs: n(16, gateway), rules: [{}] }],
];

describeCluster('Istio AuthorizationPolicy CRD limits and CEL rules', (cluster) => {
  const admin = new Admin(cluster);

  it('the API server refuses exactly the policies ztaudit reads as refused from manifests', async () => {
    await admin.create(crd, true);
    await admin.waitForResource(GROUP, 'v1', 'authorizationpolicies');
    const ns = uniqueName('ap-limits');
    await admin.namespace(ns);
    const answers: Array<[string, boolean, boolean, string]> = [];
    for (const [what, s] of CASES) {
      const name = uniqueName('p');
      const r = await admin.request('POST', `/apis/${GROUP}/v1/namespaces/${ns}/authorizationpolicies`, { apiVersion: `${GROUP}/v1`, kind: 'AuthorizationPolicy', metadata: { name }, spec: s });
      expect([201, 422], `${what}: HTTP ${r.status} ${JSON.stringify(r.body?.message)}`).toContain(r.status);
      const read = parseAuthorizationPolicy({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec: s }, 'latest', { manifests: true });
      answers.push([what, r.status === 422, read.refused.length > 0, String(r.body?.message ?? '')]);
    }
    // Each case as the server answered it, and as ztaudit reads it.
    expect(answers.map(([what, server]) => [what, server])).toEqual(answers.map(([what, , ztaudit]) => [what, ztaudit]));
    // The cases meant to be refused are: the comparison above is not vacuous.
    expect(answers.filter(([, server]) => server).map(([what]) => what)).toEqual([
      'selector and an empty targetRefs', 'an empty selector and a targetRef', 'a targetRef and an empty targetRefs',
      'an empty serviceAccounts beside namespaces', 'serviceAccounts beside an empty principals', 'an empty notServiceAccounts beside notNamespaces',
      '513 rules', 'a rule of 513 sources', '17 targetRefs',
    ]);
  });
});
