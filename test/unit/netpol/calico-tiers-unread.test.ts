// Calico Tiers that could not be read (forbidden, an error). The built-in tiers need no Tier object
// to be placed: Calico fixes their orders and default actions (projectcalico/calico v3.32.1
// api/pkg/apis/projectcalico/v3/tier.go: KubeAdminTierOrder 1,000, DefaultTierOrder 1,000,000,
// KubeBaselineTierOrder 10,000,000, and the CRD rules "The 'default' tier must have default action
// 'Deny'", "... 'kube-admin' ... 'Pass'"; libcalico-go/lib/validator/v3/validator.go validateTier
// refuses another order for default, adminnetworkpolicy and baselineadminnetworkpolicy from v3.29/v3.30;
// docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy, "The default tier": "has the
// order of 1,000,000. This value is fixed, and cannot be changed"). A custom tier's order and
// defaultAction are its Tier object's, and "each tier that contains a policy that applies to the
// endpoint processes the packet" (docs.tigera.io/calico/latest/reference/resources/tier): only the
// pods a custom-tier policy selects can meet that tier.
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { runNotes } from '../../../src/analysis/details.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { calicoBase } from './calico-scenes.ts';
import { snap } from './helpers.ts';

const NOW = new Date('2026-12-07T00:00:00Z');

// A second workload in namespace other, so two pods of one namespace can be asked about.
const api = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: nginx, ports: [{name: http, containerPort: 80}]}]}
`;

/** Kubernetes default deny (both directions) in namespace `ns`: Calico puts it in the default tier. */
const denyAll = (ns: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ${ns}}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;

/** A Calico policy on a custom tier, selecting every pod of namespace shop, that could allow anything. */
const securityTier = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: open-up, namespace: shop}
spec:
  tier: security
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress: [{action: Allow}]
  egress: [{action: Allow}]
`;

/** A Calico policy in the default tier (no spec.tier), ahead of the Kubernetes policies there (order 1000): other/client may reach other/api. */
const clientToApi = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: client-to-api}
spec:
  order: 100
  selector: app in {'api', 'client'}
  types: [Ingress, Egress]
  ingress: [{action: Allow, source: {selector: app == 'client'}}]
  egress: [{action: Allow, destination: {selector: app == 'api'}}]
`;

/** A Calico policy in the built-in kube-admin tier (order 1,000, before the default tier's 1,000,000). */
const adminDeny = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: no-client-to-api}
spec:
  tier: kube-admin
  order: 10
  selector: app == 'api'
  types: [Ingress]
  ingress: [{action: Deny, source: {selector: app == 'client'}}]
`;

/** The security tier's Tier object, as a role that may read Tiers sees it. */
const securityTierObject = `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
`;

const scene = (...extra: string[]) => calicoBase() + api + denyAll('shop') + denyAll('other') + extra.join('');

/** The scene with both views of the Tier kind refused, as a role without them gets. */
function tiersForbidden(yaml: string): Snapshot {
  const s = snap(yaml);
  s.coverage['calico.tiers'] = { status: 'forbidden', detail: 'list tiers.crd.projectcalico.org at the cluster scope' };
  s.coverage['calico-v3.tiers'] = { status: 'forbidden', detail: 'list tiers.projectcalico.org at the cluster scope' };
  delete s.resources['calico-v3.tiers'];
  return s;
}

const FLOW_CHECKS = [namespaceDefaultDenyIngress, namespaceDefaultDenyEgress, allowAllIngress, unrestrictedEgress];

/** Each check's status, and each namespace's verdict ("CHECK NAMESPACE": "status: message"). */
const verdicts = (snapshot: Snapshot) => Object.fromEntries(runChecks(FLOW_CHECKS, { snapshot, config: defaultConfig(), now: NOW }).flatMap((o) => [
  [o.check.id, o.status === 'not-evaluated' ? `not evaluated: ${o.reason}` : o.status],
  ...o.results.filter((r) => r.resource.kind === 'Namespace' && r.resource.name !== 'kube-system').map((r) => [`${o.check.id} ${r.resource.name}`, `${r.status}: ${r.message}`]),
]));

const reachOf = (s: Snapshot, from: string, to: string, port: string) => reachCommandCore(s, { from, to, port });
const first = (r: { output: string }) => r.output.split('\n')[0];

describe('Calico Tiers that could not be read: the built-in tiers are placed without them', () => {
  it('with no custom-tier policy, the checks and reach answer as with the Tiers read', () => {
    const yaml = scene(clientToApi);
    const read = verdicts(snap(yaml));
    expect(read['network.namespace-default-deny-ingress shop']).toBe('pass: ');
    expect(verdicts(tiersForbidden(yaml))).toEqual(read);
    expect(buildReachability(tiersForbidden(yaml)).unread).toEqual([]);
    const allowed = reachOf(tiersForbidden(yaml), 'other/client', 'other/api', '80');
    expect(allowed.exitCode).toBe(0);
    expect(allowed.output).toBe(reachOf(snap(yaml), 'other/client', 'other/api', '80').output);
    expect(first(reachOf(tiersForbidden(yaml), 'other/client', 'shop/web', '8080'))).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
  });

  it('a policy of the kube-admin tier comes before the default tier\'s at its fixed order (1,000; api/pkg/apis/projectcalico/v3/tier.go KubeAdminTierOrder)', () => {
    const denied = reachOf(tiersForbidden(scene(clientToApi, adminDeny)), 'other/client', 'other/api', '80');
    expect(denied.exitCode).toBe(1);
    expect(denied.output).toContain('network DENIED by GlobalNetworkPolicy no-client-to-api (tier kube-admin, order 10) rule 0 (Deny)');
  });
});

describe('Calico Tiers that could not be read: a custom-tier policy is in doubt over the pods it selects', () => {
  const s = () => tiersForbidden(scene(clientToApi, securityTier));

  it('the namespace it selects cannot be confirmed; the other keeps its verdict', () => {
    const v = verdicts(s());
    const read = verdicts(snap(scene(clientToApi)));
    expect(v['network.namespace-default-deny-ingress shop']).toBe('fail: whether 2 workload(s) in namespace shop are isolated for ingress cannot be confirmed: Calico NetworkPolicy shop/open-up selects them and is not evaluated by ztaudit, and may allow what their isolation denies');
    expect(v['network.namespace-default-deny-egress shop']).toBe('fail: whether 2 workload(s) in namespace shop are isolated for egress cannot be confirmed: Calico NetworkPolicy shop/open-up selects them and is not evaluated by ztaudit, and may allow what their isolation denies');
    expect(v['network.namespace-default-deny-ingress other']).toBe(read['network.namespace-default-deny-ingress other']);
    expect(v['network.namespace-default-deny-egress other']).toBe(read['network.namespace-default-deny-egress other']);
  });

  it('reach between pods it does not select answers; a flow it may decide is UNKNOWN, naming it', () => {
    expect(first(reachOf(s(), 'other/client', 'other/api', '80'))).toBe('ALLOWED: other/client[Deployment] -> other/api[Deployment] on 80/TCP');
    expect(reachOf(s(), 'other/api', 'other/client', '80').exitCode).toBe(1);
    const doubt = reachOf(s(), 'shop/web', 'shop/db', '5432');
    expect(doubt.exitCode).toBe(2);
    expect(doubt.output).toContain('Calico NetworkPolicy shop/open-up (tier security, order 10) selects shop/web[Deployment] for egress and shop/db[Deployment] for ingress but is not evaluated: spec.tier "security" names no built-in tier and Tier objects (tiers.crd.projectcalico.org: forbidden; tiers.projectcalico.org: forbidden) could not be read: its order and defaultAction are not known');
    // With its Tier object read, the same policy is evaluated: its Allow opens the flow.
    const read = snap(scene(clientToApi, securityTier, securityTierObject));
    expect(first(reachOf(read, 'shop/web', 'shop/db', '5432'))).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('an intent it may overturn is medium "cannot be confirmed", not a pass', () => {
    const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };
    const [outcome] = runChecks([intentViolation], { snapshot: s(), config, now: NOW });
    expect(outcome.status).toBe('fail');
    expect(outcome.results[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(outcome.results[0].message).toContain('Calico NetworkPolicy shop/open-up (tier security, order 10) selects shop/web[Deployment] for egress and shop/db[Deployment] for ingress but is not evaluated');
  });

  it('the coverage notes name the custom tier not placed and the policies naming it', () => {
    expect(runNotes({ snapshot: s(), config: defaultConfig(), now: NOW })).toContain('Tier security: not placed: Tier objects (tiers.crd.projectcalico.org: forbidden; tiers.projectcalico.org: forbidden) could not be read, so the order and defaultAction of this custom tier are not known; the policy naming it (NetworkPolicy shop/open-up) is not evaluated, and every verdict on the pods it selects is in doubt; the built-in tiers keep their fixed orders');
  });

  it('a check judging flows that does not weigh such a policy is not evaluated rather than pass what its tier may overturn', () => {
    const v = verdicts(s());
    for (const id of ['network.allow-all-ingress', 'network.unrestricted-egress']) {
      expect(v[id]).toBe('not evaluated: needs calico.tiers: forbidden (list tiers.crd.projectcalico.org at the cluster scope) for the custom tier security, which Calico NetworkPolicy shop/open-up names, calico-v3.tiers: forbidden (list tiers.projectcalico.org at the cluster scope) for the custom tier security, which Calico NetworkPolicy shop/open-up names');
    }
  });
});
