// The network checks and `reach` on Cilium policies, through the combined model: what a user
// sees (the deciding policy and API named in evidence and explanations).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { run } from './helpers.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/checks');
const ctx = (path: string): AuditContext => ({ snapshot: loadFixture(join(FIXTURES, path)), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });

describe('Cilium policies in the network checks', () => {
  it.each([
    ['ingress', namespaceDefaultDenyIngress, 'network.namespace-default-deny-ingress'],
    ['egress', namespaceDefaultDenyEgress, 'network.namespace-default-deny-egress'],
  ] as const)('a CiliumClusterwideNetworkPolicy default deny isolates the namespace for %s, and the evidence names it', (_dir, check, dir) => {
    const results = run(check, ctx(`${dir}/pass.cilium-clusterwide-default-deny.yaml`));
    const shop = results.find((r) => r.resource.name === 'shop');
    expect(shop?.status).toBe('pass');
    expect(shop?.evidence?.isolatedBy).toEqual([{ policy: 'CiliumClusterwideNetworkPolicy default-deny', api: 'CiliumClusterwide' }]);
  });

  it('toEntities world on every port is unrestricted egress, naming the policy and why', () => {
    const fails = run(unrestrictedEgress, ctx('network.unrestricted-egress/fail.cilium-to-world.yaml')).filter((r) => r.status === 'fail');
    expect(fails.map((f) => [f.resource.kind, f.resource.namespace, f.resource.name])).toEqual([['CiliumNetworkPolicy', 'shop', 'web-egress']]);
    expect(fails[0].message).toContain('entity world');
    expect(run(unrestrictedEgress, ctx('network.unrestricted-egress/pass.cilium-fqdn.yaml')).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('toFQDNs matchPattern "*" on every port is unrestricted egress ("* alone matches all names", Documentation/security/policy/layer3.rst v1.20.2), unless a deny takes it', () => {
    const c = ctx('network.unrestricted-egress/fail.cilium-fqdn-star.yaml');
    const fails = run(unrestrictedEgress, c).filter((r) => r.status === 'fail');
    expect(fails.map((f) => `${f.resource.namespace}/${f.resource.name}: ${f.message}`)).toEqual(['shop/egress-any-name: CiliumNetworkPolicy shop/egress-any-name allows egress to every DNS name (toFQDNs *) on every port']);
    const deny = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'no-world', namespace: 'shop' }, spec: { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] } };
    const denied = { ...c, snapshot: { ...c.snapshot, resources: { ...c.snapshot.resources, 'cilium.networkpolicies': [...(c.snapshot.resources['cilium.networkpolicies'] ?? []), deny] } } };
    expect(run(unrestrictedEgress, denied).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('fromEntities world is ingress from everyone outside the cluster', () => {
    const fails = run(allowAllIngress, ctx('network.allow-all-ingress/fail.cilium-from-world.yaml')).filter((r) => r.status === 'fail');
    expect(fails.map((f) => f.resource.name)).toEqual(['db-ingress']);
  });

  it('a policy Cilium refuses is an invalid-policy finding naming the object and the rule', () => {
    const fails = run(invalidPolicy, ctx('network.invalid-policy/fail.cilium-combined-peers.yaml')).filter((r) => r.status === 'fail');
    expect(fails.map((f) => f.message)).toEqual(['CiliumNetworkPolicy shop/db-ingress is invalid and takes no effect: spec.ingress[0]: combining fromEndpoints and fromCIDR is not supported']);
  });

  it('a selector on a label outside the Cilium identity selects nothing', () => {
    const fails = run(policySelectsNothing, ctx('network.policy-selects-nothing/fail.cilium-label-outside-identity.yaml')).filter((r) => r.status === 'fail');
    expect(fails.map((f) => f.resource.name)).toEqual(['db-0-only']);
  });

  it('a NetworkPolicy podSelector on a label outside the Cilium identity selects nothing, and the finding says why', () => {
    // docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/: the default filter drops statefulset.kubernetes.io/pod-name.
    const fails = run(policySelectsNothing, ctx('network.policy-selects-nothing/fail.cilium-networkpolicy-label-outside-identity.yaml')).filter((r) => r.status === 'fail');
    expect(fails.map((f) => f.message)).toEqual(['shop/db-0-only selects no pod (podSelector statefulset.kubernetes.io/pod-name in (db-0)): it isolates nothing; Cilium matches it against security identities, and its identity-label filter drops statefulset.kubernetes.io/pod-name']);
    expect(fails[0].evidence?.notInCiliumIdentity).toEqual(['statefulset.kubernetes.io/pod-name']);
  });

  it('Cilium policies where Calico runs are decorative', () => {
    const fails = run(cniNotEnforcing, ctx('network.cni-not-enforcing/fail.cilium-policies-on-calico.yaml')).filter((r) => r.status === 'fail');
    expect(fails.length).toBe(1);
    expect(fails[0].message).toContain('Cilium');
  });
});

describe('reach on Cilium policies', () => {
  const snapshot = () => loadFixture(join(FIXTURES, 'network.intent-violation/pass.cilium-ingress-deny.yaml'));

  it('an ingressDeny beats the allow, and reach names the deciding policy, rule and API', () => {
    const r = reachCommandCore(snapshot(), { from: 'shop/web', to: 'shop/db', port: '5432' });
    expect(r.output.split('\n')[0]).toBe('DENIED: shop/web[Deployment] -> shop/db[StatefulSet] on 5432/TCP');
    expect(r.output).toContain('DENIED by CiliumClusterwideNetworkPolicy web-never-db rule 0 "ingressDeny[0]" (Deny): TCP 5432');
    const json = JSON.parse(reachCommandCore(snapshot(), { from: 'shop/web', to: 'shop/db', port: '5432', output: 'json' }).output);
    expect(json.allowed).toBe(false);
    expect(json.ingress.decisions[0].rule).toMatchObject({ api: 'CiliumClusterwide', kindLabel: 'CiliumClusterwideNetworkPolicy', action: 'Deny', ruleName: 'ingressDeny[0]' });
  });

  it('the allow still admits the pods the deny does not name', () => {
    const r = reachCommandCore(snapshot(), { from: 'shop/db', to: 'shop/db', port: '5432' });
    expect(r.output).toContain('ALLOWED by CiliumNetworkPolicy shop/db-from-namespace rule 0 "ingress[0]" (Allow)');
  });
});

describe('what the cilium.io/v2 CRD schema refuses in a manifest', () => {
  // cilium/cilium v1.20.2 pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml: protocol
  // is an enum of upper-case names; fromCIDR/toCIDR items are `format: cidr`, checked by kube-openapi's
  // strfmt with ParseCIDRSloppy (a prefix length is required). The agent's own parser accepts both.
  it.each([
    ['network.invalid-policy/fail.cilium-protocol-lower-case.yaml', 'CiliumNetworkPolicy shop/web-80-lowercase-proto is invalid and takes no effect: spec.ingress[0].toPorts[0].ports[0].protocol: "tcp" is refused by the cilium.io/v2 CRD schema, whose protocol enum is upper-case ("TCP")'],
    ['network.invalid-policy/fail.cilium-cidr-without-prefix.yaml', 'CiliumNetworkPolicy shop/web-from-host is invalid and takes no effect: spec.ingress[0].fromCIDR[0]: "192.0.2.10" is refused by the cilium.io/v2 CRD schema (format: cidr needs an address/prefix, such as "192.0.2.10/32")'],
  ])('%s is refused with a one-line finding naming the object and field; stored in a cluster, it is read as Cilium reads it', (path, message) => {
    const c = ctx(path);
    expect(run(invalidPolicy, c).filter((r) => r.status === 'fail').map((f) => f.message)).toEqual([message]);
    const live = { ...c, snapshot: { ...c.snapshot, origin: 'live' as const } };
    expect(run(invalidPolicy, live).filter((r) => r.status === 'fail')).toEqual([]);
  });
});
