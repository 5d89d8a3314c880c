// Antrea-native policies (crd.antrea.io ClusterNetworkPolicy / NetworkPolicy), evaluated in
// Antrea's precedence (antrea-io/antrea docs/antrea-network-policy.md at v2.2.0, "Static tiers",
// "Antrea-native Policy ordering based on priorities"): "Emergency > SecurityOps > NetworkOps >
// Platform > Application > K8s NetworkPolicy > Baseline", first matching rule decides; a policy
// with a field the model does not evaluate stays in doubt over the pods it may apply to. The
// scene is the reviewer's s20: Antrea v2.2.0, a default-deny NetworkPolicy in shop, and an Antrea
// ClusterNetworkPolicy in tier securityops allowing ingress from namespace other.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { ctxOf, pod, policy, run, snap } from './helpers.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const ANTREA = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: antrea-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: antrea}}
  template:
    metadata: {labels: {app: antrea}}
    spec:
      hostNetwork: true
      containers: [{name: antrea-agent, image: antrea/antrea-agent-ubuntu:v2.2.0}]
`;

const APPS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {env: dev}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres, ports: [{containerPort: 5432, name: pg}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: busybox}]
`;

const DENY_SHOP = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

const acnp = (appliedTo: string, opts: { tier?: string; apiVersion?: string } = {}) => `
apiVersion: ${opts.apiVersion ?? 'crd.antrea.io/v1beta1'}
kind: ClusterNetworkPolicy
metadata: {name: acnp-allow-other}
spec:
  priority: 5
  tier: ${opts.tier ?? 'securityops'}
  appliedTo: ${appliedTo}
  ingress:
  - action: Allow
    from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}
`;

/** antrea-config as the chart names it, its two conf files setting `gates` (YAML lines under featureGates). */
const antreaConfig = (agentGates: string, controllerGates = agentGates) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: antrea-config, namespace: kube-system}
data:
  antrea-agent.conf: |
    featureGates:
      ${agentGates}
  antrea-controller.conf: |
    featureGates:
      ${controllerGates}
`;
/** AdminNetworkPolicy on (docs/admin-network-policy.md v2.2.0: "disabled by default"). */
const ANP_ON = antreaConfig('AntreaPolicy: true', 'AdminNetworkPolicy: true');

const S20_ACNP = acnp('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]');
const scene = (...docs: string[]) => [ANTREA, APPS, DENY_SHOP, ...docs].join('\n---\n');
/** The same cluster without shop's NetworkPolicy. */
const bare = (...docs: string[]) => [ANTREA, APPS, ...docs].join('\n---\n');
const reach = (yaml: string, from: string, to: string, port?: string) => reachCommandCore(snap(yaml), { from, to, ...(port ? { port } : {}), output: 'text' });
const intent = { intent: { deny: [{ name: 'other-never-reaches-db', from: { namespace: 'other' }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };


/** A ClusterNetworkPolicy `name` of `tier` and `priority` applied to `appliedTo`, with `rules` (YAML lines under spec). */
const cnp = (name: string, tier: string, priority: number, appliedTo: string, rules: string) => `
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  tier: ${tier}
  appliedTo: ${appliedTo}
${rules.trim().split('\n').map((l) => `  ${l}`).join('\n')}
`;
const SHOP = '[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]';
const FROM_OTHER = '[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}]';
const first = (r: { output: string }) => r.output.split('\n')[0];

describe('Antrea-native policies are evaluated in Antrea\'s tiers (docs/antrea-network-policy.md v2.2.0)', () => {
  it('s20 ("Static tiers": SecurityOps > K8s NetworkPolicy): a securityops Allow from namespace other lets other/client reach shop/db through shop\'s default deny; shop/web stays denied', () => {
    const r = reach(scene(S20_ACNP), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(first(r)).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('ALLOWED by Antrea ClusterNetworkPolicy acnp-allow-other (tier securityops, priority 5) rule 0 (Allow): TCP 5432');
    expect(first(reach(scene(S20_ACNP), 'shop/web', 'shop/db', '5432'))).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('s20: the intent "other never reaches shop/db" is violated for certain, not merely unconfirmed', () => {
    const vs = run(intentViolation, ctxOf(scene(S20_ACNP), intent));
    const f = vs.find((v) => v.status === 'fail');
    expect(f).toBeDefined();
    expect(f!.message).not.toContain('cannot be confirmed');
    expect(f!.message).toContain('other-never-reaches-db');
  });

  it('s20: shop\'s ingress isolation passes: the securityops Allow admits namespace other only, no outside address', () => {
    const vs = run(namespaceDefaultDenyIngress, ctxOf(scene(S20_ACNP))).filter((v) => v.resource.name === 'shop');
    expect(vs).toHaveLength(1);
    expect(vs[0].status).toBe('pass');
  });

  it('a baseline-tier default deny ("ACNP for default zero-trust cluster security posture") and NetworkPolicies allowing web -> db: that flow is allowed, every other denied', () => {
    const zeroTrust = cnp('default-cluster-deny', 'baseline', 1, '[{namespaceSelector: {}}]', 'ingress: [{action: Drop}]\negress: [{action: Drop}]');
    const nps = policy('shop', 'db-from-web', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}')
      + policy('shop', 'web-to-db', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 5432}]}]}');
    const y = bare(zeroTrust, nps);
    const ok = reach(y, 'shop/web', 'shop/db', '5432');
    expect(first(ok)).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    const other = reach(y, 'other/client', 'shop/db', '5432');
    expect(first(other)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(other.output).toContain('DENIED by Antrea ClusterNetworkPolicy default-cluster-deny (tier baseline, priority 1) rule 0 (Drop)');
    expect(first(reach(y, 'shop/db', 'shop/web', '8080'))).toBe('DENIED: shop/db[Deployment] -> shop/web[Deployment] on 8080/TCP');
    // Baseline policies "cannot counteract the isolated Pod behavior": another port to db is refused by the NetworkPolicy.
    expect(reach(y, 'shop/web', 'shop/db', '5433').output).toContain('DENIED by NetworkPolicy isolation');
  });

  it('network.namespace-default-deny-*: a namespace protected only by a baseline-tier ACNP default deny passes, as one isolated by a BaselineAdminNetworkPolicy does', () => {
    const zeroTrust = cnp('default-cluster-deny', 'baseline', 1, '[{namespaceSelector: {}}]', 'ingress: [{action: Drop}]\negress: [{action: Drop}]');
    for (const check of [namespaceDefaultDenyIngress, namespaceDefaultDenyEgress]) {
      const other = run(check, ctxOf(bare(zeroTrust))).find((v) => v.resource.name === 'other');
      expect(other?.status, check.id).toBe('pass');
    }
    // Without it, namespace other is open.
    expect(run(namespaceDefaultDenyIngress, ctxOf(bare())).find((v) => v.resource.name === 'other')?.status).toBe('fail');
  });

  it('network.namespace-default-deny-ingress: an ACNP dropping ingress from every namespace leaves outside addresses in, and the finding names the Antrea API and an Antrea fix, not the admin APIs (reviewer repro G)', () => {
    const podsOnly = cnp('deny-pods-only', 'application', 5, SHOP, 'ingress: [{action: Drop, from: [{namespaceSelector: {}}]}]');
    const shop = run(namespaceDefaultDenyIngress, ctxOf(bare(podsOnly))).find((v) => v.resource.name === 'shop');
    expect(shop).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(shop?.message).toBe('2 workload(s) in namespace shop are isolated for ingress from pods but not from addresses outside the cluster (the rules of Antrea-native policies (crd.antrea.io) that isolate them name pods and namespaces only): add a default-deny NetworkPolicy, or an Antrea-native Drop rule with no `from` (every source) or with an ipBlock');
    // The fix it names holds: a Drop with no from isolates them from every source.
    const everySource = cnp('deny-all', 'application', 5, SHOP, 'ingress: [{action: Drop}]');
    expect(run(namespaceDefaultDenyIngress, ctxOf(bare(everySource))).find((v) => v.resource.name === 'shop')?.status).toBe('pass');
  });

  it('a SecurityOps Drop beats an Application Allow ("Emergency > SecurityOps > NetworkOps > Platform > Application")', () => {
    const allow = cnp('app-allow', 'application', 1, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const drop = cnp('secops-drop', 'securityops', 10, SHOP, `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    const r = reach(bare(allow, drop), 'other/client', 'shop/db', '5432');
    expect(first(r)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('DENIED by Antrea ClusterNetworkPolicy secops-drop (tier securityops, priority 10) rule 0 (Drop)');
    expect(first(reach(bare(allow), 'other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    // Reject denies as Drop does.
    const reject = cnp('secops-reject', 'securityops', 10, SHOP, `ingress: [{action: Reject, from: ${FROM_OTHER}}]`);
    expect(reach(bare(allow, reject), 'other/client', 'shop/db', '5432').exitCode).toBe(1);
  });

  it('a Reject rule is named as written ("the available actions are [\"Allow\", \"Drop\", \"Reject\", \"Pass\"]"), not as the Deny the model reads it as: text "rule 0 (Reject)", JSON rule.action Deny with rule.writtenAction Reject', () => {
    const passAll = cnp('pass-all', 'emergency', 1, '[{podSelector: {}}]', 'ingress: [{action: Pass}]');
    const appAllow = cnp('app-allow', 'application', 1, '[{podSelector: {}}]', 'ingress: [{action: Allow}]');
    const baseReject = cnp('base-reject', 'baseline', 1, '[{podSelector: {}}]', 'ingress: [{action: Reject}]');
    const y = bare(passAll, appAllow, baseReject);
    const text = reach(y, 'other/client', 'shop/db', '5432');
    expect(text.output).toContain('network DENIED by Antrea ClusterNetworkPolicy base-reject (tier baseline, priority 1) rule 0 (Reject);');
    expect(text.output).not.toContain('(Deny)');
    const json = JSON.parse(reachCommandCore(snap(y), { from: 'other/client', to: 'shop/db', port: '5432', output: 'json' }).output) as { network: { decidedBy: Array<{ by: string; rule?: { action: string; writtenAction?: string } }> } };
    expect(json.network.decidedBy).toHaveLength(1);
    expect(json.network.decidedBy[0].by).toBe('Antrea ClusterNetworkPolicy base-reject (tier baseline, priority 1) rule 0 (Reject)');
    expect(json.network.decidedBy[0].rule).toMatchObject({ action: 'Deny', writtenAction: 'Reject' });
    // Allow and Pass read as written carry no writtenAction.
    const allowed = JSON.parse(reachCommandCore(snap(bare(appAllow)), { from: 'other/client', to: 'shop/db', port: '5432', output: 'json' }).output) as { network: { decidedBy: Array<{ rule?: Record<string, unknown> }> } };
    expect(allowed.network.decidedBy[0].rule?.action).toBe('Allow');
    expect(allowed.network.decidedBy[0].rule).not.toHaveProperty('writtenAction');
  });

  it('Pass skips every later tier and hands the flow to the NetworkPolicies ("delegates the decision to K8s namespaced NetworkPolicies")', () => {
    const pass = cnp('secops-pass', 'securityops', 1, SHOP, `ingress: [{action: Pass, from: ${FROM_OTHER}}]`);
    const dropAll = cnp('app-drop-all', 'application', 1, SHOP, 'ingress: [{action: Drop}]');
    const open = reach(bare(pass, dropAll), 'other/client', 'shop/db', '5432');
    expect(first(open)).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(open.output).toContain('passed by Antrea ClusterNetworkPolicy secops-pass (tier securityops, priority 1) rule 0 (Pass)');
    // Not passed: the application-tier Drop decides.
    expect(reach(bare(pass, dropAll), 'shop/web', 'shop/db', '5432').output).toContain('DENIED by Antrea ClusterNetworkPolicy app-drop-all (tier application, priority 1) rule 0 (Drop)');
    // Passed to a NetworkPolicy that isolates shop: denied by it.
    expect(reach(scene(pass, dropAll), 'other/client', 'shop/db', '5432').output).toContain('DENIED by NetworkPolicy isolation');
  });

  it('within a tier the lower priority number decides first ("Ordering based on policy priority"), an Antrea NetworkPolicy and a ClusterNetworkPolicy alike', () => {
    const drop = (p: number) => cnp('drop-other', 'application', p, SHOP, `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    const allow = (p: number) => cnp('allow-other', 'application', p, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    expect(first(reach(bare(drop(5), allow(10)), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(reach(bare(drop(10), allow(5)), 'other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    const annp = `
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: annp-allow, namespace: shop}
spec:
  priority: 2.5
  appliedTo: [{podSelector: {matchLabels: {app: db}}}]
  ingress: [{action: Allow, from: [{namespaceSelector: {}}], ports: [{protocol: TCP, port: 5000, endPort: 6000}]}]
`;
    const r = reach(bare(drop(5), annp), 'other/client', 'shop/db', '5432');
    expect(r.output).toContain('ALLOWED by Antrea NetworkPolicy shop/annp-allow (tier application, priority 2.5) rule 0 (Allow): TCP 5432');
    expect(first(reach(bare(drop(5), annp), 'other/client', 'shop/web', '8080'))).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
  });

  it('AdminNetworkPolicies come after every tier but baseline, the BaselineAdminNetworkPolicy after the baseline tier, and a Pass skips the ANPs too (docs/admin-network-policy.md v2.2.0)', () => {
    const anpDeny = `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp-deny}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress: [{action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]
`;
    const banpDeny = `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
`;
    const appAllow = cnp('app-allow', 'application', 100, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    expect(reach(bare(ANP_ON, anpDeny, appAllow), 'other/client', 'shop/db', '5432').output).toContain('ALLOWED by Antrea ClusterNetworkPolicy app-allow (tier application, priority 100) rule 0 (Allow)');
    expect(reach(bare(ANP_ON, anpDeny), 'other/client', 'shop/db', '5432').exitCode).toBe(1);
    const pass = cnp('secops-pass', 'securityops', 1, SHOP, `ingress: [{action: Pass, from: ${FROM_OTHER}}]`);
    expect(first(reach(bare(ANP_ON, anpDeny, pass), 'other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    const baseAllow = cnp('base-allow', 'baseline', 1, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    expect(reach(bare(ANP_ON, banpDeny, baseAllow), 'other/client', 'shop/db', '5432').output).toContain('ALLOWED by Antrea ClusterNetworkPolicy base-allow (tier baseline, priority 1) rule 0 (Allow)');
    expect(reach(bare(ANP_ON, banpDeny, baseAllow), 'shop/web', 'shop/db', '5432').exitCode).toBe(1);
  });

  it('two policies of one tier and priority that decide a flow differently leave it UNKNOWN ("Policies with the same priorities will be enforced indeterministically")', () => {
    const drop = cnp('drop-other', 'application', 5, SHOP, `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    const allow = cnp('allow-other', 'application', 5, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const r = reach(bare(drop, allow), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('share priority 5');
    // Of one priority but in different tiers: no tie.
    expect(reach(bare(drop, cnp('allow-other', 'platform', 5, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`)), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
  });

  it('a custom Tier (crd.antrea.io Tier, spec.priority) sits between the static tiers by its priority', () => {
    const tier = 'apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata: {name: mytier}\nspec: {priority: 120}\n';
    const mine = cnp('mine-allow', 'mytier', 1, SHOP, `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const netops = cnp('netops-drop', 'networkops', 1, SHOP, `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    const secops = cnp('secops-drop', 'securityops', 1, SHOP, `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    // 100 (securityops) < 120 (mytier) < 150 (networkops).
    expect(first(reach(bare(tier, mine, netops), 'other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(reach(bare(tier, mine, netops, secops), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    // A tier that is neither static nor a Tier object: the policy is not evaluated.
    const missing = reach(bare(mine), 'other/client', 'shop/db', '5432');
    expect(missing.exitCode).toBe(2);
    expect(missing.output).toContain('spec.tier "mytier" names no static tier and no Tier object in the snapshot');
  });

  it('namespaces: {match: Self} selects the subject\'s own namespace ("ACNP for strict Namespace isolation")', () => {
    const strict = cnp('strict-ns-isolation', 'securityops', 5, '[{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]}}]',
      'ingress:\n- {action: Pass, from: [{namespaces: {match: Self}}], name: PassFromSameNS}\n- {action: Drop, from: [{namespaceSelector: {}}], name: DropFromAllOtherNS}');
    const same = reach(bare(strict), 'shop/web', 'shop/db', '5432');
    expect(first(same)).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(same.output).toContain('passed by Antrea ClusterNetworkPolicy strict-ns-isolation (tier securityops, priority 5) rule 0 "PassFromSameNS" (Pass)');
    const cross = reach(bare(strict), 'other/client', 'shop/db', '5432');
    expect(cross.output).toContain('DENIED by Antrea ClusterNetworkPolicy strict-ns-isolation (tier securityops, priority 5) rule 1 "DropFromAllOtherNS" (Drop)');
    expect(first(reach(bare(strict), 'shop/db', 'other/client', '80'))).toBe('DENIED: shop/db[Deployment] -> other/client[Deployment] on 80/TCP');
  });

  it('per-rule appliedTo ("appliedTo per rule") applies each rule to its own pods only', () => {
    const perRule = `
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: per-rule}
spec:
  priority: 1
  ingress:
  - {action: Drop, appliedTo: [{podSelector: {matchLabels: {app: db}}}], from: [{podSelector: {matchLabels: {app: client}}}]}
`;
    expect(first(reach(bare(perRule), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(reach(bare(perRule), 'other/client', 'shop/web', '8080'))).toBe('ALLOWED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
  });

  it('an appliedTo of several entries applies to the pods any entry selects ("ACNP with stand-alone selectors": a podSelector, or a namespaceSelector)', () => {
    const either = cnp('either', 'securityops', 1, '[{podSelector: {matchLabels: {app: client}}}, {namespaceSelector: {matchLabels: {env: prod}}}]', 'ingress: [{action: Drop}]');
    const y = bare(either, pod('other', 'lone', { app: 'lone' }));
    expect(reach(y, 'shop/web', 'other/client', '80').exitCode).toBe(1);
    expect(reach(y, 'other/client', 'shop/web', '8080').exitCode).toBe(1);
    expect(reach(y, 'other/client', 'other/lone', '80').exitCode).toBe(0);
  });

  it('ipBlock with except, and named ports, are evaluated', () => {
    const egress = cnp('egress-cidr', 'securityops', 1, '[{podSelector: {matchLabels: {app: web}}}]',
      'egress:\n- {action: Allow, to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}], ports: [{port: 443}]}\n- {action: Drop, to: [{ipBlock: {cidr: 0.0.0.0/0}}]}');
    expect(reach(bare(egress), 'shop/web', '203.0.113.10', '443').exitCode).toBe(0);
    expect(reach(bare(egress), 'shop/web', '203.0.113.200', '443').exitCode).toBe(1);
    const named = cnp('named', 'securityops', 1, SHOP, `ingress:\n- {action: Allow, from: ${FROM_OTHER}, ports: [{port: pg}]}\n- {action: Drop}`);
    expect(reach(bare(named), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
    expect(reach(bare(named), 'other/client', 'shop/web', '8080').exitCode).toBe(1);
  });
});

describe('Antrea-native policies with a field the model does not evaluate stay in doubt, naming the field', () => {
  it('an appliedTo the model does not read (a serviceAccount) leaves every pod of the cluster in doubt and says so', () => {
    const r = reach(scene(acnp('[{serviceAccount: {name: sa-1, namespace: shop}}]')), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: Antrea ClusterNetworkPolicy acnp-allow-other (tier securityops, priority 5) selects shop/web[Deployment] for ingress but is not evaluated: spec.appliedTo[0].serviceAccount is not evaluated by ztaudit');
    expect(r.output).toContain('every verdict on every pod of the cluster (its appliedTo is not read by ztaudit) cannot be confirmed');
  });

  it('a peer the model does not evaluate (a serviceAccount, an fqdn) keeps the doubt within the appliedTo, naming the field', () => {
    const grouped = cnp('from-sa', 'securityops', 5, '[{podSelector: {matchLabels: {app: db}}}]', 'ingress: [{action: Allow, from: [{serviceAccount: {name: sa-1, namespace: other}}]}]');
    const r = reach(scene(grouped), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.ingress[0].from[0].serviceAccount is not evaluated by ztaudit; Antrea enforces this policy before the Kubernetes NetworkPolicies (tier securityops)');
    expect(first(reach(scene(grouped), 'other/client', 'shop/web', '8080'))).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    const fqdn = cnp('to-fqdn', 'securityops', 5, '[{podSelector: {matchLabels: {app: db}}}]', 'egress: [{action: Allow, to: [{fqdn: "*.example.com"}]}]');
    expect(reach(scene(fqdn), 'shop/db', 'other/client', '80').output).toContain('spec.egress[0].to[0].fqdn is not evaluated by ztaudit');
  });

  it('s20 shop isolation with an unevaluated policy: not passed, cannot be confirmed (medium), naming the policy', () => {
    const grouped = cnp('from-sa', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{serviceAccount: {name: sa-1, namespace: other}}]}]');
    const vs = run(namespaceDefaultDenyIngress, ctxOf(scene(grouped))).filter((v) => v.resource.name === 'shop');
    expect(vs[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(vs[0].message).toContain('Antrea ClusterNetworkPolicy from-sa selects them and is not evaluated by ztaudit');
  });

  it('namespaces.sameLabels is named; a field name from the cluster is quoted, never printed raw; a policy with no appliedTo at all does not stop the run', () => {
    const same = cnp('same-labels', 'securityops', 5, SHOP, 'ingress: [{action: Drop, from: [{namespaces: {sameLabels: [org]}}]}]');
    expect(reach(scene(same), 'other/client', 'shop/db', '5432').output).toContain('spec.ingress[0].from[0].namespaces.sameLabels is not evaluated by ztaudit');
    const evil = cnp('evil', 'securityops', 5, SHOP, 'ingress: [{action: Drop, "x\\nDENIED: forged": 1}]');
    const out = reach(scene(evil), 'other/client', 'shop/db', '5432').output;
    expect(out).toContain('spec.ingress[0]."x\\nDENIED: forged" is not evaluated by ztaudit');
    expect(out.split('\n').some((l) => l.startsWith('DENIED: forged'))).toBe(false);
    const bareSpec = 'apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: empty}\nspec: {priority: 1}\n';
    expect(first(reach(scene(bareSpec), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('Pass in the baseline tier (refused by Antrea\'s admission webhook) is not evaluated', () => {
    const r = reach(bare(cnp('base-pass', 'baseline', 1, SHOP, 'ingress: [{action: Pass}]')), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('Pass in the baseline tier is refused by Antrea\'s admission webhook');
  });

  it('without the Antrea policy the same scene stays a certain DENIED and a pass', () => {
    expect(first(reach(scene(), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(run(namespaceDefaultDenyIngress, ctxOf(scene())).find((v) => v.resource.name === 'shop')?.status).toBe('pass');
  });

  it('a policy with ingress rules only leaves egress verdicts alone', () => {
    const r = reach(scene(cnp('from-sa', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{serviceAccount: {name: sa-1, namespace: other}}]}]')), 'shop/db', 'other/client', '80');
    expect(first(r)).toBe('ALLOWED: shop/db[Deployment] -> other/client[Deployment] on 80/TCP');
  });

  it('a v1alpha1 ClusterNetworkPolicy (Antrea v1.x) is evaluated as v1beta1', () => {
    expect(reach(scene(acnp('[{podSelector: {}}]', { apiVersion: 'crd.antrea.io/v1alpha1' })), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
  });

  it('on a Calico cluster the Antrea policies are decorative and decide nothing', () => {
    const calico = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: quay.io/calico/node:v3.30.2}]}
`;
    const yaml = [calico, APPS, DENY_SHOP, S20_ACNP].join('\n---\n');
    expect(first(reach(yaml, 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('unreadable Antrea-native policy kinds on an Antrea cluster are said unread, as other policy kinds are', () => {
    const s = snap(scene());
    s.coverage['antrea.clusternetworkpolicies'] = { status: 'forbidden', detail: 'clusternetworkpolicies.crd.antrea.io is forbidden' } as (typeof s.coverage)[string];
    const model = buildReachability(s);
    expect(model.unread).toContain('ClusterNetworkPolicy (clusternetworkpolicies.crd.antrea.io) could not be read (forbidden: clusternetworkpolicies.crd.antrea.io is forbidden): its policies may decide this, and the model cannot vouch for what it did not read');
    expect(model.unreadKinds.find((k) => k.key === 'antrea.clusternetworkpolicies')).toMatchObject({ api: 'Antrea', status: 'forbidden' });
  });

  it('an unreadable Tier kind leaves in doubt only the policies naming a custom tier: those on static tiers ("Static tiers") are still evaluated', () => {
    const secops = cnp('secops-allow', 'securityops', 5, '[{podSelector: {matchLabels: {app: db}}}]', `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const mine = cnp('mine-allow', 'mytier', 1, '[{podSelector: {matchLabels: {app: web}}}]', `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const s = snap(scene(secops, mine));
    s.coverage['antrea.tiers'] = { status: 'forbidden', detail: 'tiers.crd.antrea.io is forbidden' } as (typeof s.coverage)[string];
    expect(buildReachability(s).unread).toEqual([]);
    const core = (from: string, to: string, port: string) => reachCommandCore(s, { from, to, port, output: 'text' });
    expect(first(core('other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(core('shop/db', 'other/client', '80'))).toBe('ALLOWED: shop/db[Deployment] -> other/client[Deployment] on 80/TCP');
    // The flows the custom-tier policy may decide stay in doubt, saying why.
    const doubt = core('other/client', 'shop/web', '8080');
    expect(doubt.exitCode).toBe(2);
    expect(doubt.output).toContain('spec.tier "mytier" names no static tier and Tier objects (tiers.crd.antrea.io) were not read');
    // Checks judging flows doubt only the workloads that policy selects (the run is partial for the kind: test/unit/engine/partial-only-with.test.ts).
    const shop = run(namespaceDefaultDenyIngress, { ...ctxOf(''), snapshot: s }).find((v) => v.resource.name === 'shop');
    expect(shop?.message).toBe('whether 1 workload(s) in namespace shop are isolated for ingress cannot be confirmed: Antrea ClusterNetworkPolicy mine-allow selects them and is not evaluated by ztaudit, and may allow what their isolation denies');
    expect(shop?.evidence).toMatchObject({ unconfirmedWorkloads: [{ workload: 'Deployment shop/web', podCount: 1 }] });
  });
});

// What Antrea makes of a string port and of an empty list (antrea-io/antrea v2.2.0): a string port
// is a port name (pkg/controller/networkpolicy/crd_utils.go toAntreaServicesForCRD), resolved on the
// pod's container ports (pkg/agent/controller/networkpolicy/pod_reconciler.go resolveService) and
// dropped when none carries it (filterUnresolvablePort); the lists it decides by length are unset
// when empty (validate.go validateAppliedTo, clusternetworkpolicy.go processClusterNetworkPolicy).
describe('string ports and empty lists, as Antrea v2.2.0 reads them', () => {
  const DB = '[{podSelector: {matchLabels: {app: db}}}]';

  it('a quoted "5432" is a port name no container port can carry (IsValidPortName): a Drop on it drops nothing and an Allow allows nothing ("the rule just falls back to allowing no port", filterUnresolvablePort), with a note saying why', () => {
    const drop = cnp('drop-other-to-db', 'securityops', 5, DB, `ingress:\n- {action: Drop, from: ${FROM_OTHER}, ports: [{protocol: TCP, port: "5432"}]}`);
    const through = reach(bare(drop), 'other/client', 'shop/db', '5432');
    expect(first(through)).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(through.exitCode).toBe(0);
    // The intent "other never reaches shop/db" does not hold: Antrea lets the flow through.
    expect(run(intentViolation, ctxOf(bare(drop), intent)).find((v) => v.status === 'fail')?.message).toContain('other-never-reaches-db');
    expect(buildReachability(snap(bare(drop))).notes.map((n) => n.message)).toContain('Antrea ClusterNetworkPolicy drop-other-to-db: spec.ingress[0].ports[0].port: "5432" is a string, which Antrea reads as a port name, and no container port can be named so: it matches no port');
    const allow = cnp('allow-other-to-db', 'securityops', 5, DB, `ingress:\n- {action: Allow, from: ${FROM_OTHER}, ports: [{protocol: TCP, port: "5432"}]}`);
    const held = reach(scene(allow), 'other/client', 'shop/db', '5432');
    expect(first(held)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(held.output).toContain('DENIED by NetworkPolicy isolation (shop/default-deny select it; no rule allows it)');
    // Beside it, a numeric port still counts; a name a container port carries ("pg") still resolves.
    const both = cnp('drop-both', 'securityops', 5, DB, `ingress:\n- {action: Drop, from: ${FROM_OTHER}, ports: [{port: "5432"}, {port: 5432}]}`);
    expect(reach(bare(both), 'other/client', 'shop/db', '5432').exitCode).toBe(1);
    const named = cnp('drop-pg', 'securityops', 5, DB, `ingress:\n- {action: Drop, from: ${FROM_OTHER}, ports: [{port: pg}]}`);
    expect(reach(bare(named), 'other/client', 'shop/db', '5432').exitCode).toBe(1);
  });

  it('a string port with endPort is refused by Antrea\'s webhook ("if `port` is a string `endPort` cannot be specified", validate.go validatePort): network.invalid-policy fails on one line naming the policy and the field, and reach reads no range', () => {
    const strRange = cnp('strport-endport', 'application', 6, DB, 'ingress:\n- {action: Drop, ports: [{port: "100", endPort: 200}]}');
    const f = run(invalidPolicy, ctxOf(bare(strRange))).find((v) => v.resource.name === 'strport-endport');
    expect(f?.status).toBe('fail');
    expect(f?.message).toContain('Antrea ClusterNetworkPolicy strport-endport cannot be evaluated, so the network verdicts it could change cannot be confirmed: spec.ingress[0].ports[0].endPort: set with the string port "100", which Antrea\'s admission webhook refuses');
    expect(f?.message).not.toContain('\n');
    expect(reach(bare(strRange), 'other/client', 'shop/db', '150').exitCode).toBe(2);
  });

  it('an empty spec.appliedTo is unset ("appliedToPerRule := len(cnp.Spec.AppliedTo) == 0"): the rules\' own appliedTo decide, and the policy is valid', () => {
    const perRule = cnp('per-rule', 'securityops', 5, '[]', `ingress:\n- {action: Drop, appliedTo: ${DB}, from: ${FROM_OTHER}}`);
    const r = reach(bare(perRule), 'other/client', 'shop/db', '5432');
    expect(first(r)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('DENIED by Antrea ClusterNetworkPolicy per-rule (tier securityops, priority 5) rule 0 (Drop)');
    expect(reach(bare(perRule), 'other/client', 'shop/web', '8080').exitCode).toBe(0);
    expect(run(invalidPolicy, ctxOf(bare(perRule))).find((v) => v.resource.name === 'per-rule')?.status).toBe('pass');
    // Set nowhere, it is refused ("appliedTo needs to be set in either spec or rules").
    const nowhere = cnp('nowhere', 'securityops', 5, '[]', `ingress:\n- {action: Drop, appliedTo: [], from: ${FROM_OTHER}}`);
    expect(run(invalidPolicy, ctxOf(bare(nowhere))).find((v) => v.resource.name === 'nowhere')?.message).toContain('appliedTo: set neither at the policy level nor at every rule');
  });

  it('an empty rule appliedTo under a policy-level one is unset (validate.go counts `len(rule.AppliedTo) != 0`): the policy\'s appliedTo applies', () => {
    const policyLevel = cnp('policy-level', 'securityops', 5, DB, `ingress:\n- {action: Drop, appliedTo: [], from: ${FROM_OTHER}}`);
    const r = reach(bare(policyLevel), 'other/client', 'shop/db', '5432');
    expect(first(r)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.exitCode).toBe(1);
    expect(run(invalidPolicy, ctxOf(bare(policyLevel))).find((v) => v.resource.name === 'policy-level')?.status).toBe('pass');
  });

  it('empty protocols and l7Protocols are unset (toAntreaServicesForCRD loops over none; validateL7Protocols skips `len == 0`); an empty toServices is not (`ToServices != nil`) and stays unevaluated', () => {
    const empty = cnp('empty-lists', 'securityops', 5, DB, `ingress:\n- {action: Drop, from: ${FROM_OTHER}, protocols: [], l7Protocols: []}`);
    const r = reach(bare(empty), 'other/client', 'shop/db', '5432');
    expect(first(r)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.exitCode).toBe(1);
    const toServices = cnp('empty-to-services', 'securityops', 5, DB, 'egress:\n- {action: Drop, toServices: []}');
    const doubt = reach(bare(toServices), 'shop/db', 'other/client', '80');
    expect(doubt.exitCode).toBe(2);
    expect(doubt.output).toContain('spec.egress[0].toServices is not evaluated by ztaudit');
  });
});

// ClusterGroups and Groups (docs/antrea-network-policy.md v2.2.0, "ClusterGroup" and "Group";
// pkg/controller/networkpolicy/clustergroup.go, group.go): a `group` in appliedTo or a peer stands
// for the selectors, ipBlocks or Service pods the group holds, and is evaluated as they would be.
const clusterGroup = (name: string, spec: string, apiVersion = 'crd.antrea.io/v1beta1') => `
apiVersion: ${apiVersion}
kind: ClusterGroup
metadata: {name: ${name}}
spec: ${spec}
`;
const group = (namespace: string, name: string, spec: string) => `
apiVersion: crd.antrea.io/v1beta1
kind: Group
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
`;
/** An Antrea NetworkPolicy `name` of namespace shop, tier application, applied to `appliedTo`, with `rules` (YAML lines under spec). */
const annp = (name: string, appliedTo: string, rules: string) => `
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  priority: 5
  appliedTo: ${appliedTo}
${rules.trim().split('\n').map((l) => `  ${l}`).join('\n')}
`;
/** The snapshot a live collection of `yaml` would give: the cluster holds exactly these objects. */
const live = (yaml: string) => snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
const reachLive = (yaml: string, from: string, to: string, port: string) => reachCommandCore(live(yaml), { from, to, port, output: 'text' });
const CLIENTS = clusterGroup('clients', '{podSelector: {matchLabels: {app: client}}}');
const DB_PODS = clusterGroup('db-pods', '{podSelector: {matchLabels: {app: db}}}');
const PARTNER = clusterGroup('partner', '{ipBlocks: [{cidr: 203.0.113.0/24, except: [203.0.113.128/25]}]}');

describe('ClusterGroups and Groups are resolved as Antrea resolves them (docs/antrea-network-policy.md v2.2.0, "ClusterGroup", "Group")', () => {
  it('"ACNP for default zero-trust cluster security posture" applied to a ClusterGroup (namespaceSelector): the namespace it holds passes network.namespace-default-deny-*, the other fails, none is "cannot be confirmed"', () => {
    const prod = clusterGroup('prod', '{namespaceSelector: {matchLabels: {env: prod}}}');
    const zeroTrust = cnp('prod-deny', 'baseline', 1, '[{group: prod}]', 'ingress: [{action: Drop}]\negress: [{action: Drop}]');
    for (const check of [namespaceDefaultDenyIngress, namespaceDefaultDenyEgress]) {
      const vs = run(check, ctxOf(bare(prod, zeroTrust)));
      expect(vs.find((v) => v.resource.name === 'shop')?.status, check.id).toBe('pass');
      expect(vs.find((v) => v.resource.name === 'other')?.status, check.id).toBe('fail');
      expect(vs.filter((v) => v.message.includes('cannot be confirmed')), check.id).toEqual([]);
    }
    const r = reach(bare(prod, zeroTrust), 'other/client', 'shop/db', '5432');
    expect(first(r)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('DENIED by Antrea ClusterNetworkPolicy prod-deny (tier baseline, priority 1) rule 0 (Drop)');
  });

  it('"ACNP with ClusterGroup reference": appliedTo and from name ClusterGroups (podSelector across namespaces); reach answers ALLOWED and DENIED for certain', () => {
    const allow = cnp('allow-clients', 'securityops', 5, '[{group: db-pods}]', 'ingress: [{action: Allow, from: [{group: clients}], ports: [{protocol: TCP, port: 5432}]}]');
    const y = scene(CLIENTS, DB_PODS, allow);
    const ok = reach(y, 'other/client', 'shop/db', '5432');
    expect(ok.exitCode).toBe(0);
    expect(ok.output).toContain('ALLOWED by Antrea ClusterNetworkPolicy allow-clients (tier securityops, priority 5) rule 0 (Allow): TCP 5432');
    // Not a member of clients: shop's default deny decides; not a member of db-pods: the policy does not apply.
    expect(first(reach(y, 'shop/web', 'shop/db', '5432'))).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(reach(y, 'other/client', 'shop/web', '8080'))).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    // A Drop from the group in a higher tier beats an Allow below it.
    const drop = cnp('drop-clients', 'emergency', 1, SHOP, 'ingress: [{action: Drop, from: [{group: clients}]}]');
    const denied = reach(scene(CLIENTS, DB_PODS, allow, drop), 'other/client', 'shop/db', '5432');
    expect(denied.exitCode).toBe(1);
    expect(denied.output).toContain('DENIED by Antrea ClusterNetworkPolicy drop-clients (tier emergency, priority 1) rule 0 (Drop)');
  });

  it('ipBlocks ("ClusterGroup CRD": ipBlocks, except) are peers; a v1alpha2 ClusterGroup\'s ipBlock too; in appliedTo "will be ignored, and the policy will have no effect"', () => {
    const egress = cnp('egress-partner', 'securityops', 1, '[{podSelector: {matchLabels: {app: web}}}]',
      'egress:\n- {action: Allow, to: [{group: partner}], ports: [{port: 443}]}\n- {action: Drop, to: [{group: anywhere}]}');
    const anywhere = clusterGroup('anywhere', '{ipBlocks: [{cidr: 0.0.0.0/0}]}');
    expect(reach(bare(PARTNER, anywhere, egress), 'shop/web', '203.0.113.10', '443').exitCode).toBe(0);
    const out = reach(bare(PARTNER, anywhere, egress), 'shop/web', '203.0.113.200', '443');
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain('DENIED by Antrea ClusterNetworkPolicy egress-partner (tier securityops, priority 1) rule 1 (Drop)');
    const legacy = clusterGroup('partner', '{ipBlock: {cidr: 203.0.113.0/24}}', 'crd.antrea.io/v1alpha2');
    expect(reach(bare(legacy, anywhere, egress), 'shop/web', '203.0.113.200', '443').exitCode).toBe(0);
    // appliedTo an ipBlocks group: the Drop applies to no pod, for certain.
    const dropAll = cnp('drop-partner', 'securityops', 1, '[{group: partner}]', 'ingress: [{action: Drop}]');
    expect(reach(bare(PARTNER, dropAll), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
    expect(buildReachability(snap(bare(PARTNER, dropAll))).notes.map((n) => n.message)).toContain('Antrea ClusterNetworkPolicy drop-partner: spec.appliedTo[0].group: its members are ipBlocks only, which Antrea ignores in appliedTo: it applies to no pod');
  });

  it('childGroups: "the union of all its childGroups\' members" (pods and ipBlocks as a peer, the pods alone in appliedTo); a child with childGroups of its own is refused, and left in doubt', () => {
    const parent = clusterGroup('parent', '{childGroups: [clients, partner]}');
    const drop = cnp('drop-parent', 'securityops', 1, '[{podSelector: {matchLabels: {app: web}}}]', 'egress: [{action: Drop, to: [{group: parent}]}]');
    const y = bare(CLIENTS, PARTNER, parent, drop);
    expect(first(reach(y, 'shop/web', 'other/client', '80'))).toBe('DENIED: shop/web[Deployment] -> other/client[Deployment] on 80/TCP');
    expect(reach(y, 'shop/web', '203.0.113.10', '80').exitCode).toBe(1);
    expect(reach(y, 'shop/web', '198.51.100.1', '80').exitCode).toBe(0);
    // In appliedTo the child ipBlocks count for nothing: the Drop applies to other/client only.
    const applied = cnp('drop-into-parent', 'securityops', 1, '[{group: parent}]', 'ingress: [{action: Drop}]');
    expect(reach(bare(CLIENTS, PARTNER, parent, applied), 'shop/web', 'other/client', '80').exitCode).toBe(1);
    expect(reach(bare(CLIENTS, PARTNER, parent, applied), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
    // "If a ClusterGroup has childGroups, it cannot be selected as a childGroup by other ClusterGroups."
    const grand = clusterGroup('grand', '{childGroups: [parent]}');
    const nested = cnp('drop-grand', 'securityops', 1, '[{podSelector: {matchLabels: {app: web}}}]', 'egress: [{action: Drop, to: [{group: grand}]}]');
    const r = reach(bare(CLIENTS, PARTNER, parent, grand, nested), 'shop/web', 'other/client', '80');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.egress[0].to[0].group: ClusterGroup grand childGroups: ClusterGroup parent has childGroups of its own, so Antrea\'s admission webhook refuses it as a child group (one level of nesting)');
  });

  it('a group that does not exist: live, Antrea gives it no member (the Allow from it admits no one, a Drop applied to it applies to no pod) and a note says so; from manifests, which may leave it out, the verdicts stay in doubt', () => {
    const allow = cnp('allow-ghosts', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{group: ghosts}]}]');
    const liveAnswer = reachLive(scene(allow), 'other/client', 'shop/db', '5432');
    expect(first(liveAnswer)).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(liveAnswer.exitCode).toBe(1);
    expect(buildReachability(live(scene(allow))).notes.map((n) => n.message)).toContain('Antrea ClusterNetworkPolicy allow-ghosts: spec.ingress[0].from[0].group: ClusterGroup ghosts does not exist: Antrea gives it no member until it is created');
    const dropInto = cnp('drop-into-ghosts', 'securityops', 5, '[{group: ghosts}]', 'ingress: [{action: Drop}]');
    expect(reachLive(bare(dropInto), 'other/client', 'shop/db', '5432').exitCode).toBe(0);
    // From manifests: not in the input is not missing from the cluster.
    const doubt = reach(scene(allow), 'other/client', 'shop/db', '5432');
    expect(doubt.exitCode).toBe(2);
    expect(doubt.output).toContain('spec.ingress[0].from[0].group (ClusterGroup ghosts is not in the input, and the cluster may hold it) is not evaluated by ztaudit');
    expect(reach(bare(dropInto), 'other/client', 'shop/db', '5432').exitCode).toBe(2);
  });

  it('Groups in an Antrea NetworkPolicy ("Antrea NetworkPolicy with Group reference"): looked up in the policy\'s namespace; a podSelector selects there, a namespaceSelector beyond; an empty Group is every pod of its namespace', () => {
    const dbPods = group('shop', 'db-pods', '{podSelector: {matchLabels: {app: db}}}');
    const devClients = group('shop', 'dev-clients', '{podSelector: {matchLabels: {app: client}}, namespaceSelector: {matchLabels: {env: dev}}}');
    const localClients = group('shop', 'local-clients', '{podSelector: {matchLabels: {app: client}}}');
    const y = (from: string) => scene(dbPods, devClients, localClients, annp('allow-group', '[{group: db-pods}]', `ingress: [{action: Allow, from: [{group: ${from}}]}]`));
    const ok = reach(y('dev-clients'), 'other/client', 'shop/db', '5432');
    expect(ok.exitCode).toBe(0);
    expect(ok.output).toContain('ALLOWED by Antrea NetworkPolicy shop/allow-group (tier application, priority 5) rule 0 (Allow)');
    // A Group without namespaceSelector selects in its own namespace only: other/client is not in it.
    expect(first(reach(y('local-clients'), 'other/client', 'shop/db', '5432'))).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    // A Group of another namespace is not the policy's: shop's policy finds no Group "db-pods" of its own.
    const elsewhere = scene(group('other', 'db-pods', '{podSelector: {matchLabels: {app: db}}}'), devClients, annp('allow-group', '[{group: db-pods}]', 'ingress: [{action: Allow, from: [{group: dev-clients}]}]'));
    expect(reach(elsewhere, 'other/client', 'shop/db', '5432').output).toContain('spec.appliedTo[0].group (Group shop/db-pods is not in the input, and the cluster may hold it)');
    // An empty Group: every pod of its namespace (its selector's namespace is set, grouping/group_entity_index.go match).
    const all = group('shop', 'all', '{}');
    const dropAll = annp('drop-other', '[{group: all}]', `ingress: [{action: Drop, from: ${FROM_OTHER}}]`);
    expect(reach(bare(all, dropAll), 'other/client', 'shop/web', '8080').exitCode).toBe(1);
    expect(reach(bare(all, dropAll), 'other/client', 'shop/db', '5432').exitCode).toBe(1);
  });

  it('a Group with a namespaceSelector in an Antrea NetworkPolicy\'s appliedTo: "Antrea will report a condition Realizable=False", so the policy is left in doubt, naming why', () => {
    const devClients = group('shop', 'dev-clients', '{podSelector: {matchLabels: {app: client}}, namespaceSelector: {matchLabels: {env: dev}}}');
    const r = reach(bare(devClients, annp('applied-beyond', '[{group: dev-clients}]', 'egress: [{action: Drop}]')), 'shop/web', 'other/client', '80');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.appliedTo[0].group (Group shop/dev-clients selects pods beyond namespace shop, so Antrea reports the policy Realizable=False: NetworkPolicyAppliedToUnsupportedGroup) is not evaluated by ztaudit');
  });

  it('serviceReference: "the same Pod members that are currently selected by the Service\'s selector", in appliedTo and as a peer; a Service without a selector gives none', () => {
    const svc = (selector: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: db-svc, namespace: shop}\nspec: {${selector}ports: [{port: 5432}]}\n`;
    const backends = clusterGroup('db-backends', '{serviceReference: {name: db-svc, namespace: shop}}');
    const allow = cnp('allow-other-to-db', 'securityops', 5, '[{group: db-backends}]', `ingress: [{action: Allow, from: ${FROM_OTHER}}]`);
    const y = scene(svc('selector: {app: db}, '), backends, allow);
    expect(first(reach(y, 'other/client', 'shop/db', '5432'))).toBe('ALLOWED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(first(reach(y, 'other/client', 'shop/web', '8080'))).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    const dropTo = cnp('web-not-to-db', 'securityops', 5, '[{podSelector: {matchLabels: {app: web}}}]', 'egress: [{action: Drop, to: [{group: db-backends}]}]');
    expect(reach(bare(svc('selector: {app: db}, '), backends, dropTo), 'shop/web', 'shop/db', '5432').exitCode).toBe(1);
    expect(reach(bare(svc('selector: {app: db}, '), backends, dropTo), 'shop/web', 'other/client', '80').exitCode).toBe(0);
    // From manifests, a Service not among them may be in the cluster: in doubt, naming it.
    expect(reach(bare(backends, dropTo), 'shop/web', 'shop/db', '5432').output).toContain('spec.egress[0].to[0].group (ClusterGroup db-backends groups the pods of Service shop/db-svc, which is not in the input, and the cluster may hold it) is not evaluated by ztaudit');
    // "Services without selectors are currently not supported, and will be ignored".
    expect(reach(bare(svc(''), backends, dropTo), 'shop/web', 'shop/db', '5432').exitCode).toBe(0);
    expect(buildReachability(snap(bare(svc(''), backends, dropTo))).notes.map((n) => n.message)).toContain('Antrea ClusterNetworkPolicy web-not-to-db: spec.egress[0].to[0].group: ClusterGroup db-backends groups the pods of Service shop/db-svc, which has no selector: Antrea gives the group no member ("Services without selectors are currently not supported")');
  });

  it('what a group holds that a Kubernetes audit does not see (externalEntitySelector), a group kind that could not be read, or a group beside another field stays in doubt, naming it; a hostile group name is quoted', () => {
    const ee = clusterGroup('vms', '{externalEntitySelector: {matchLabels: {role: vm}}}');
    const fromVms = cnp('allow-vms', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{group: vms}]}]');
    const r = reach(scene(ee, fromVms), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.ingress[0].from[0].group (ClusterGroup vms selects ExternalEntities (spec.externalEntitySelector), which a Kubernetes audit does not see) is not evaluated by ztaudit');
    const s = live(scene(CLIENTS, cnp('allow-clients', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{group: clients}]}]')));
    s.coverage['antrea.clustergroups'] = { status: 'forbidden', detail: 'clustergroups.crd.antrea.io is forbidden' } as (typeof s.coverage)[string];
    delete s.resources['antrea.clustergroups'];
    const unread = reachCommandCore(s, { from: 'other/client', to: 'shop/db', port: '5432', output: 'text' });
    expect(unread.exitCode).toBe(2);
    expect(unread.output).toContain('spec.ingress[0].from[0].group (ClusterGroup clients cannot be looked up: ClusterGroups (clustergroups.crd.antrea.io) could not be read (forbidden)) is not evaluated by ztaudit');
    // Flows that policy does not apply to stay certain: the unread kind does not put every verdict in doubt.
    expect(reachCommandCore(s, { from: 'shop/db', to: 'other/client', port: '80', output: 'text' }).exitCode).toBe(0);
    // "group cannot be set with other peers in rules" (Antrea's admission webhook).
    const mixed = cnp('mixed', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{group: clients, podSelector: {}}]}]');
    expect(reach(scene(CLIENTS, mixed), 'other/client', 'shop/db', '5432').output).toContain('spec.ingress[0].from[0]: group cannot be set with podSelector');
    const evil = cnp('evil', 'securityops', 5, SHOP, 'ingress: [{action: Allow, from: [{group: "x\\nDENIED: forged"}]}]');
    const out = reach(scene(evil), 'other/client', 'shop/db', '5432').output;
    expect(out).toContain('ClusterGroup "x\\nDENIED: forged" is not in the input');
    expect(out.split('\n').some((l) => l.startsWith('DENIED: forged'))).toBe(false);
  });
});

describe('end to end: ztaudit run --manifests and ztaudit reach on an Antrea cluster whose zero trust is a baseline-tier ACNP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-antrea-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'm'));
  const zeroTrust = cnp('default-cluster-deny', 'baseline', 1, '[{namespaceSelector: {}}]', 'ingress: [{action: Drop}]\negress: [{action: Drop}]');
  const dbFromWeb = policy('shop', 'db-from-web', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}')
    + policy('shop', 'web-to-db', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 5432}]}]}');
  writeFileSync(join(dir, 'm/cluster.yaml'), bare(zeroTrust, dbFromWeb));
  const cli = async (...args: string[]) => {
    const t = captureIO(dir);
    const code = await main(args, t.cli);
    return { code, out: t.out(), err: t.errLines() };
  };

  it('reach: the flow the NetworkPolicies allow exits 0, any other exits 1 (not 2: nothing is left in doubt)', async () => {
    const ok = await cli('reach', '--manifests', 'm', '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(ok.code).toBe(0);
    const no = await cli('reach', '--manifests', 'm', '--from', 'other/client', '--to', 'shop/db', '--port', '5432', '--output', 'json');
    expect(no.code).toBe(1);
    expect(JSON.parse(no.out)).toMatchObject({ allowed: false });
  });

  it('run: both namespaces pass the default-deny checks; no network finding says "cannot be confirmed"', async () => {
    const r = await cli('run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--no-notify', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { checks: Array<{ id: string; status: string; failed: number }>; findings: Array<{ check: string; message: string }> };
    for (const id of ['network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress']) expect(report.checks.find((c) => c.id === id), id).toMatchObject({ status: 'pass', failed: 0 });
    expect(report.findings.filter((f) => f.check.startsWith('network.') && f.message.includes('cannot be confirmed'))).toEqual([]);
  });
});

describe('end to end: ztaudit reach and run --manifests on an Antrea cluster organised by ClusterGroups ("ACNP with ClusterGroup reference")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-antrea-groups-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'm'));
  const everyone = clusterGroup('everyone', '{namespaceSelector: {}}');
  const zeroTrust = cnp('default-cluster-deny', 'baseline', 1, '[{group: everyone}]', 'ingress: [{action: Drop}]\negress: [{action: Drop}]');
  const clientsToDb = cnp('clients-to-db', 'securityops', 5, '[{group: clients}]', 'egress: [{action: Allow, to: [{group: db-pods}], ports: [{port: 5432}]}]');
  const dbFromClients = cnp('db-from-clients', 'securityops', 5, '[{group: db-pods}]', 'ingress: [{action: Allow, from: [{group: clients}], ports: [{port: 5432}]}]');
  writeFileSync(join(dir, 'm/cluster.yaml'), bare(everyone, CLIENTS, DB_PODS, zeroTrust, clientsToDb, dbFromClients));
  const cli = async (...args: string[]) => {
    const t = captureIO(dir);
    const code = await main(args, t.cli);
    return { code, out: t.out(), err: t.errLines() };
  };

  it('reach: the flow the group peers allow exits 0 (ALLOWED), any other exits 1 (DENIED), none 2', async () => {
    const ok = await cli('reach', '--manifests', 'm', '--from', 'other/client', '--to', 'shop/db', '--port', '5432', '--output', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ allowed: true });
    const no = await cli('reach', '--manifests', 'm', '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(no.code).toBe(1);
    expect(no.out.split('\n')[0]).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect((await cli('reach', '--manifests', 'm', '--from', 'other/client', '--to', 'shop/db', '--port', '5433')).code).toBe(1);
  });

  it('run: both namespaces pass the default-deny checks, and no network finding says "cannot be confirmed"', async () => {
    const r = await cli('run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--no-notify', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { checks: Array<{ id: string; status: string; failed: number }>; findings: Array<{ check: string; message: string }> };
    for (const id of ['network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress', 'network.invalid-policy']) expect(report.checks.find((c) => c.id === id), id).toMatchObject({ status: 'pass', failed: 0 });
    expect(report.findings.filter((f) => f.check.startsWith('network.') && f.message.includes('cannot be confirmed'))).toEqual([]);
  });
});

// Antrea's feature gates, read from antrea-agent.conf and antrea-controller.conf of the ConfigMap
// the agent mounts (antrea-config in the chart): AntreaPolicy "enables Antrea ClusterNetworkPolicy
// and Antrea NetworkPolicy CRDs to be handled by Antrea controller" (docs/feature-gates.md v2.2.0,
// Agent + Controller, on by default from v1.0); AdminNetworkPolicy "was introduced in v1.13 as an
// alpha feature and is disabled by default" (docs/admin-network-policy.md v2.2.0). Reviewer repros
// K (AntreaPolicy false), F (ANP on v2.2.0 with the gate unset) and F2 (ANP on v1.11.0).
describe('Antrea enforces what its feature gates turn on (docs/feature-gates.md, docs/admin-network-policy.md v2.2.0)', () => {
  const appDrop = `
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: app-drop}
spec:
  priority: 5
  tier: application
  appliedTo: [{namespaceSelector: {matchLabels: {env: prod}}}]
  ingress:
  - action: Drop
    from: [{namespaceSelector: {}}]
`;
  const anpDeny = `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-shop}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
`;
  const agentAt = (image: string, volumes = '') => ANTREA.replace('antrea/antrea-agent-ubuntu:v2.2.0', image).replace('      hostNetwork: true\n', `      hostNetwork: true\n${volumes}`);
  const cniFails = (yaml: string) => [...cniNotEnforcing.evaluate(ctxOf(yaml))].filter((v) => v.status === 'fail').map((v) => `${v.severity} ${v.message}`);

  it('AntreaPolicy false (repro K): the Antrea ClusterNetworkPolicy is stored but enforced nowhere, and network.cni-not-enforcing says so', () => {
    const yaml = bare(antreaConfig('AntreaPolicy: false'), appDrop);
    const r = reach(yaml, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(0);
    expect(first(r)).toBe('ALLOWED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    expect(r.output).toContain('the AntreaPolicy feature gate is false in antrea-agent.conf of ConfigMap kube-system/antrea-config');
    expect(cniFails(yaml)).toEqual([expect.stringMatching(/^high 1 Antrea-native policy \(crd\.antrea\.io\) object\(s\) have no effect: the AntreaPolicy feature gate is false/)]);
    // Off in the controller alone: nothing translates the policies either.
    expect(reach(bare(antreaConfig('AntreaPolicy: true', 'AntreaPolicy: false'), appDrop), 'other/client', 'shop/web', '8080').exitCode).toBe(0);
    // Unset: on by default from v1.0.
    expect(reach(bare(antreaConfig('Traceflow: true'), appDrop), 'other/client', 'shop/web', '8080').exitCode).toBe(1);
  });

  it('before v1.0 AntreaPolicy is off by default: the Antrea-native policies are decorative', () => {
    const r = reach([agentAt('antrea/antrea-ubuntu:v0.13.1'), APPS, appDrop].join('\n---\n'), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('Antrea v0.13.1 leaves the AntreaPolicy feature gate off by default (on from v1.0)');
  });

  it('a ConfigMap Antrea mounts that is not in the input, or an image naming no release, leaves the Antrea-native policies in doubt: UNKNOWN, never DENIED', () => {
    const mounts = '      volumes: [{name: antrea-config, configMap: {name: antrea-config-abc}}]\n';
    const missing = reach([agentAt('antrea/antrea-agent-ubuntu:v2.2.0', mounts), APPS, appDrop].join('\n---\n'), 'other/client', 'shop/web', '8080');
    expect(missing.exitCode).toBe(2);
    expect(missing.output).toContain('ConfigMap kube-system/antrea-config-abc, which holds antrea-agent.conf, is mounted by Antrea but is not in the input');
    // The mounted ConfigMap read: its gate decides, the chart's name is not consulted.
    const read = [agentAt('antrea/antrea-agent-ubuntu:v2.2.0', mounts), APPS, antreaConfig('AntreaPolicy: false').replace('name: antrea-config,', 'name: antrea-config-abc,'), appDrop].join('\n---\n');
    expect(reach(read, 'other/client', 'shop/web', '8080').exitCode).toBe(0);
    const noRelease = reach([agentAt('antrea/antrea-agent-ubuntu:latest'), APPS, appDrop].join('\n---\n'), 'other/client', 'shop/web', '8080');
    expect(noRelease.exitCode).toBe(2);
    expect(noRelease.output).toContain('Antrea\'s image "antrea/antrea-agent-ubuntu:latest" names no release');
  });

  it('AdminNetworkPolicy: off unless antrea-controller.conf turns its gate on (repro F), never before v1.13 (repro F2)', () => {
    const unset = bare(antreaConfig('AntreaPolicy: true'), anpDeny);
    const r = reach(unset, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('antrea-controller.conf of ConfigMap kube-system/antrea-config does not turn on the AdminNetworkPolicy feature gate, off by default');
    expect(cniFails(unset)).toEqual([expect.stringMatching(/^high 1 AdminNetworkPolicy object\(s\) have no effect: antrea-controller\.conf/)]);
    // No ConfigMap at all: the default, off.
    expect(reach(bare(anpDeny), 'other/client', 'shop/web', '8080').exitCode).toBe(0);
    // The gate on: enforced.
    expect(reach(bare(ANP_ON, anpDeny), 'other/client', 'shop/web', '8080').exitCode).toBe(1);
    // v1.11.0 has no AdminNetworkPolicy support, gate or not.
    const old = reach([agentAt('antrea/antrea-agent-ubuntu:v1.11.0'), APPS, ANP_ON, anpDeny].join('\n---\n'), 'other/client', 'shop/web', '8080');
    expect(old.exitCode).toBe(0);
    expect(old.output).toContain('Antrea v1.11.0 does not implement AdminNetworkPolicy or BaselineAdminNetworkPolicy (from v1.13');
    // The gate on, the release unknown: in doubt.
    expect(reach([agentAt('antrea/antrea-agent-ubuntu:latest'), APPS, ANP_ON, anpDeny].join('\n---\n'), 'other/client', 'shop/web', '8080').exitCode).toBe(2);
  });

  it('live, the collector asks for the ConfigMap Antrea mounts (antrea-config unless a volume names another), and only on an Antrea cluster', () => {
    const refs = liveConfigMapRefs(defaultConfig());
    expect(refs(snap(bare()))).toContainEqual({ namespace: 'kube-system', name: 'antrea-config' });
    expect(refs(snap([agentAt('antrea/antrea-agent-ubuntu:v2.2.0', '      volumes: [{name: cfg, configMap: {name: antrea-config-abc}}]\n'), APPS].join('\n---\n')))).toContainEqual({ namespace: 'kube-system', name: 'antrea-config-abc' });
    expect(refs(snap(APPS)).filter((r) => r.name.startsWith('antrea'))).toEqual([]);
  });
});

// A check judging flows that weighs a policy the model leaves out only over the pods it selects
// (allow-all-ingress, unrestricted-egress, ...: checks/network/lib/unevaluated.ts) is moreover not
// evaluated while the Tiers are unread, rather than pass what such a policy may overturn: an Antrea-native policy in
// a custom tier whose Tier could not be read sits "before the Kubernetes NetworkPolicies" at a
// priority not known ("Static tiers", "Tier CRDs", docs/antrea-network-policy.md v2.2.0), so its
// Allow from every address may decide first. As the Calico custom tiers (test/unit/netpol/calico-tiers-unread.test.ts).
describe('an Antrea-native policy left out because its Tier could not be read keeps the flow checks from passing', () => {
  const OPEN = '[{ipBlock: {cidr: 0.0.0.0/0}}]';
  const sceneWith = (tiers: 'read' | 'forbidden') => {
    const s = snap(scene(cnp('mine-open', 'mytier', 1, '[{podSelector: {matchLabels: {app: web}}}]', `ingress: [{action: Allow, from: ${OPEN}}]\negress: [{action: Allow, to: ${OPEN}}]`), 'apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata: {name: mytier}\nspec: {priority: 120}\n'));
    if (tiers === 'forbidden') {
      s.coverage['antrea.tiers'] = { status: 'forbidden', detail: 'list tiers.crd.antrea.io at the cluster scope' } as (typeof s.coverage)[string];
      delete s.resources['antrea.tiers'];
    }
    return s;
  };
  const statusOf = (s: ReturnType<typeof snap>) => Object.fromEntries(runChecks([allowAllIngress, unrestrictedEgress], { snapshot: s, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') }).map((o) => [o.check.id, o.status === 'not-evaluated' ? `not evaluated: ${o.reason}` : o.status]));

  it('with the Tier read, its Allow from 0.0.0.0/0 fails both checks', () => {
    expect(statusOf(sceneWith('read'))).toEqual({ 'network.allow-all-ingress': 'fail', 'network.unrestricted-egress': 'fail' });
  });

  it('with the Tiers forbidden, neither check passes: both are not evaluated, naming the tier and the policy', () => {
    const reason = 'not evaluated: needs antrea.tiers: forbidden (list tiers.crd.antrea.io at the cluster scope) for the custom tier mytier, which Antrea ClusterNetworkPolicy mine-open names';
    expect(statusOf(sceneWith('forbidden'))).toEqual({ 'network.allow-all-ingress': reason, 'network.unrestricted-egress': reason });
  });
});
