// Antrea-native policies (crd.antrea.io ClusterNetworkPolicy / NetworkPolicy) are not evaluated,
// yet Antrea enforces them: "Starting with Antrea v1.0, Antrea-native policies are enabled by
// default", and "Emergency > SecurityOps > NetworkOps > Platform > Application > K8s
// NetworkPolicy > Baseline" (antrea-io/antrea docs/antrea-network-policy.md at v2.2.0, "Tier" and
// "Static tiers"): an Allow in tier securityops is final before any Kubernetes NetworkPolicy is
// looked at. So every verdict on the pods such a policy may apply to must stay in doubt. The
// scene is the reviewer's s20: Antrea v2.2.0, a default-deny NetworkPolicy in shop, and an Antrea
// ClusterNetworkPolicy in tier securityops allowing ingress from namespace other.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { ctxOf, run, snap } from './helpers.ts';

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
---
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

const S20_ACNP = acnp('[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]');
const scene = (...docs: string[]) => [ANTREA, APPS, ...docs].join('\n---\n');
const reach = (yaml: string, from: string, to: string, port?: string) => reachCommandCore(snap(yaml), { from, to, ...(port ? { port } : {}), output: 'text' });
const intent = { intent: { deny: [{ name: 'other-never-reaches-db', from: { namespace: 'other' }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };

describe('Antrea-native policies leave the verdicts on the pods they may apply to in doubt', () => {
  it('s20: reach other/client -> shop/db 5432 is UNKNOWN (not a certain DENIED), naming the Antrea policy', () => {
    const r = reach(scene(S20_ACNP), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('note: Antrea ClusterNetworkPolicy acnp-allow-other (tier securityops, priority 5) selects shop/db[Deployment] for ingress but is not evaluated');
    expect(r.output).toContain('before the Kubernetes NetworkPolicies (tier securityops)');
  });

  it('s20: the intent "other never reaches shop/db" is not passed: it cannot be confirmed (medium)', () => {
    const vs = run(intentViolation, ctxOf(scene(S20_ACNP), intent));
    expect(vs.some((v) => v.status === 'pass')).toBe(false);
    const f = vs.find((v) => v.status === 'fail');
    expect(f?.severity).toBe('medium');
    expect(f?.message).toContain('intent "other-never-reaches-db" cannot be confirmed');
    expect(f?.message).toContain('Antrea ClusterNetworkPolicy acnp-allow-other');
  });

  it('s20: shop\'s ingress isolation is not passed: it cannot be confirmed (medium), naming the policy', () => {
    const vs = run(namespaceDefaultDenyIngress, ctxOf(scene(S20_ACNP))).filter((v) => v.resource.name === 'shop');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(vs[0].message).toBe('whether 2 workload(s) in namespace shop are isolated for ingress cannot be confirmed: Antrea ClusterNetworkPolicy acnp-allow-other selects them and is not evaluated by ztaudit, and may allow what their isolation denies');
  });

  it('without the Antrea policy the same scene stays a certain DENIED and a pass (the doubt comes from the policy alone)', () => {
    expect(reach(scene(), 'other/client', 'shop/db', '5432').output.split('\n')[0]).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(run(namespaceDefaultDenyIngress, ctxOf(scene())).find((v) => v.resource.name === 'shop')?.status).toBe('pass');
  });

  it('the doubt stays within the appliedTo pod and namespace selectors: shop/web is outside {app: db}, shop is outside env=dev', () => {
    const onDb = scene(acnp('[{podSelector: {matchLabels: {app: db}}}]'));
    expect(reach(onDb, 'other/client', 'shop/db', '5432').exitCode).toBe(2);
    expect(reach(onDb, 'other/client', 'shop/web', '8080').output.split('\n')[0]).toBe('DENIED: other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    const onDev = scene(acnp('[{namespaceSelector: {matchLabels: {env: dev}}}]'));
    expect(reach(onDev, 'other/client', 'shop/db', '5432').output.split('\n')[0]).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('an appliedTo the model does not read (a ClusterGroup) puts every pod of the cluster in doubt', () => {
    const r = reach(scene(acnp('[{group: db-group}]')), 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('every verdict on every pod of the cluster (its appliedTo is not read by ztaudit) cannot be confirmed');
  });

  it('a policy with ingress rules only leaves egress verdicts alone', () => {
    // shop/db's egress: no policy selects it for egress; the ACNP has no egress rules.
    const r = reach(scene(S20_ACNP), 'shop/db', 'other/client', '80');
    expect(r.output.split('\n')[0]).toBe('ALLOWED: shop/db[Deployment] -> other/client[Deployment] on 80/TCP');
  });

  it('an Antrea NetworkPolicy (namespaced) and a v1alpha1 ClusterNetworkPolicy (Antrea v1.x) count too; a baseline-tier one is in doubt as well', () => {
    const annp = `
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: annp, namespace: shop}
spec:
  priority: 3
  appliedTo: [{podSelector: {matchLabels: {app: db}}}]
  ingress: [{action: Allow, from: [{namespaceSelector: {}}]}]
`;
    const r = reach(scene(annp), 'other/client', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: Antrea NetworkPolicy shop/annp (tier application, priority 3) selects shop/db[Deployment] for ingress but is not evaluated');
    expect(reach(scene(annp), 'other/client', 'shop/web', '8080').exitCode).toBe(1);
    expect(reach(scene(acnp('[{podSelector: {}}]', { apiVersion: 'crd.antrea.io/v1alpha1' })), 'other/client', 'shop/db', '5432').exitCode).toBe(2);
    const baseline = reach(scene(acnp('[{podSelector: {}}]', { tier: 'baseline' })), 'other/client', 'shop/db', '5432');
    expect(baseline.exitCode).toBe(2);
    expect(baseline.output).toContain('after the Kubernetes NetworkPolicies (tier baseline)');
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
    const yaml = [calico, APPS, S20_ACNP].join('\n---\n');
    expect(reach(yaml, 'other/client', 'shop/db', '5432').output.split('\n')[0]).toBe('DENIED: other/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
  });

  it('unreadable Antrea-native policy kinds on an Antrea cluster are said unread, as other policy kinds are', () => {
    const s = snap(scene());
    s.coverage['antrea.clusternetworkpolicies'] = { status: 'forbidden', detail: 'clusternetworkpolicies.crd.antrea.io is forbidden' } as (typeof s.coverage)[string];
    const model = buildReachability(s);
    expect(model.unread).toContain('ClusterNetworkPolicy (clusternetworkpolicies.crd.antrea.io) could not be read (forbidden: clusternetworkpolicies.crd.antrea.io is forbidden): its policies may decide this, and the model cannot vouch for what it did not read');
    expect(model.unreadKinds.find((k) => k.key === 'antrea.clusternetworkpolicies')).toMatchObject({ api: 'Antrea', status: 'forbidden' });
  });
});
