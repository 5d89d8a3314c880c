// The edge guard checks (tls.edge-auth-missing, -waf-missing, -rate-limit-missing) judge only the
// hosts whose backends the edge controller can reach, so they read the network policy model. A
// policy kind that could not be read keeps them waiting only where the CNI may enforce it
// (checks/network/lib/policy-kinds.ts, as the network flow checks): Cilium implements neither
// AdminNetworkPolicy (it is not among the implementations listed by kubernetes-sigs/network-policy-api,
// site-src/implementations.md) nor Calico's projectcalico.org policies, so an unreadable kind of those
// APIs decides no reach verdict; CiliumNetworkPolicy is Cilium's own API
// (https://docs.cilium.io/en/stable/security/policy/intro/), and unreadable it may open or close a path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import { fixtureConfig } from '../../helpers/fixtures.ts';

/** internal.example.com routes to shop/admin, which a NetworkPolicy keeps ingress-nginx from reaching; www is declared public. */
const FIXTURE = fileURLToPath(new URL('../../fixtures/checks/tls.edge-auth-missing/pass.backend-blocked-by-networkpolicy.yaml', import.meta.url));
const CILIUM = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {hostNetwork: true, containers: [{name: cilium-agent, image: "quay.io/cilium/cilium:v1.16.3"}]}
`;
const EDGE = [edgeAuthMissing, edgeWafMissing, edgeRateLimitMissing];

/** The fixture's cluster (on Cilium, or with no CNI recognised) with one policy kind refused to the auditor. */
function run(cni: 'cilium' | 'unrecognised', refused: KindKey) {
  const text = readFileSync(FIXTURE, 'utf8') + (cni === 'cilium' ? CILIUM : '');
  const snapshot = snapshotFromObjects(parseManifestText(text, 'edge.yaml').objects, { clusterVersion: 'v1.36.3' });
  snapshot.coverage[refused] = { status: 'forbidden', detail: `list ${refused}` };
  return runChecks(EDGE, { snapshot, config: fixtureConfig(FIXTURE, defaultConfig()), now: new Date('2026-12-01T00:00:00Z') });
}

describe('edge guard checks when a network policy kind could not be read', () => {
  it('on Cilium, unreadable AdminNetworkPolicies or Calico policies (APIs Cilium does not enforce) leave the edge checks judged, with the same verdicts', () => {
    for (const refused of ['anp.adminnetworkpolicies', 'calico-v3.globalnetworkpolicies', 'calico.networkpolicies'] as const) {
      const outcomes = run('cilium', refused);
      for (const o of outcomes) expect(`${o.check.id} ${o.status}${o.reason ? ` ${o.reason}` : ''}`, refused).not.toContain('not-evaluated');
      // internal.example.com stays unexposed (the NetworkPolicy Cilium enforces blocks ingress-nginx); www is public.
      const auth = outcomes.find((o) => o.check.id === 'tls.edge-auth-missing')!;
      expect(auth.status, refused).toBe('pass');
    }
  });

  it('on Cilium, unreadable CiliumNetworkPolicies (which Cilium enforces) make the edge checks not evaluated, naming the kind', () => {
    for (const o of run('cilium', 'cilium.networkpolicies')) {
      expect(o.status, o.check.id).toBe('not-evaluated');
      expect(o.reason, o.check.id).toContain('cilium.networkpolicies: forbidden (list cilium.networkpolicies) for Cilium policies, which the CNI may enforce');
    }
  });

  it('with no CNI recognised, any unreadable policy kind may decide what is exposed: the edge checks are not evaluated', () => {
    for (const o of run('unrecognised', 'anp.adminnetworkpolicies')) {
      expect(o.status, o.check.id).toBe('not-evaluated');
      expect(o.reason, o.check.id).toContain('anp.adminnetworkpolicies: forbidden');
    }
  });
});

// A policy the model does not evaluate that selects the backend (an Antrea-native policy with a
// `toServices` egress rule, which decides before the Kubernetes NetworkPolicies: "Emergency >
// SecurityOps > NetworkOps > Platform > Application > K8s NetworkPolicy > Baseline", antrea-io/antrea
// docs/antrea-network-policy.md v2.2.0, "Static tiers") may allow ingress-nginx what the
// NetworkPolicy refuses: the host is judged, not left out as unexposed (checks/network/lib/unevaluated.ts).
describe('edge guard checks when a policy the model does not evaluate selects the backend', () => {
  const ANTREA = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: antrea-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: antrea}}
  template:
    metadata: {labels: {app: antrea}}
    spec: {hostNetwork: true, containers: [{name: antrea-agent, image: antrea/antrea-agent-ubuntu:v2.2.0}]}
`;
  const OPEN_ADMIN = `---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: admin-svc}
spec:
  priority: 1
  tier: emergency
  appliedTo: [{podSelector: {matchLabels: {app: admin}}}]
  ingress: [{action: Allow}]
  egress: [{action: Allow, toServices: [{name: web, namespace: shop}]}]
`;
  const judge = (extra: string) => {
    const text = readFileSync(FIXTURE, 'utf8') + ANTREA + extra;
    const snapshot = snapshotFromObjects(parseManifestText(text, 'edge.yaml').objects, { clusterVersion: 'v1.36.3' });
    return runChecks([edgeAuthMissing], { snapshot, config: fixtureConfig(FIXTURE, defaultConfig()), now: new Date('2026-12-01T00:00:00Z') })[0];
  };

  it('internal.example.com, refused to ingress-nginx by the NetworkPolicy, is judged once an unevaluated Antrea policy selects shop/admin', () => {
    expect(judge('').status).toBe('pass');
    const o = judge(OPEN_ADMIN);
    expect(o.status).toBe('fail');
    expect(o.results.filter((r) => r.status === 'fail').map((r) => r.message).join('\n')).toContain('internal.example.com');
  });
});
