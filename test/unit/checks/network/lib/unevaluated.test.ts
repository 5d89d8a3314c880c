// The flow checks never pass around a policy the network model leaves unevaluated
// (checks/network/lib/unevaluated.ts). Every kind is read in these scenes, so the checks are
// evaluated (no readsWhen gate fires); what keeps them from passing is the per-policy gate.
//
// Antrea (antrea-io/antrea docs/antrea-network-policy.md at v2.2.0): "Antrea-native policy features a
// `fqdn` field in egress rules ... The standard `Allow`, `Drop` and `Reject` actions apply to FQDN
// egress rules" and "the `*` character can match multiple subdomains" ("FQDN based filtering"): an
// Allow to fqdn "*" opens egress to every name; `toServices` is an egress field ("toServices egress
// rules"), and a policy holding one is left out whole, its ingress Allow with it. Its tier decides
// first ("Emergency > SecurityOps > NetworkOps > Platform > Application > K8s NetworkPolicy >
// Baseline", "Static tiers"), so its Allow may open what a later Drop refuses, and its Drop may
// refuse what a NetworkPolicy admits.
//
// Calico (docs.tigera.io/calico/latest/reference/resources/tier, "How policy is evaluated"): "each
// tier that contains a policy that applies to the endpoint processes the packet", in tier order; a
// tier's order is in its Tier object only, so a policy of a tier the manifests do not hold may
// decide before or after any other (src/analysis/netpol/calico/policy.ts collectCalicoPolicies).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../../../checks/network/unrestricted-egress.ts';
import { egressNotControlled } from '../../../../../checks/network/egress-not-controlled.ts';
import { exposedWorkload } from '../../../../../checks/network/exposed-workload.ts';
import { defaultConfig, type Config } from '../../../../../src/config/types.ts';
import { runChecks } from '../../../../../src/engine/run.ts';
import type { Check } from '../../../../../src/engine/types.ts';
import { calicoBase } from '../../../netpol/calico-scenes.ts';
import { snap } from '../../../netpol/helpers.ts';

const NOW = new Date('2026-12-07T00:00:00Z');

const ANTREA = `---
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
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432, name: pg}]}]}
`;

/** An Antrea ClusterNetworkPolicy `name` in `tier` at `priority`, applied to the pods labelled app=`app`, with `rules` (YAML lines under spec). */
const acnp = (name: string, tier: string, priority: number, app: string, rules: string) => `---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  tier: ${tier}
  appliedTo: [{podSelector: {matchLabels: {app: ${app}}}}]
${rules.trim().split('\n').map((l) => `  ${l}`).join('\n')}
`;

/** A NetworkPolicy `name` in shop selecting app=`app`, with `spec` lines. */
const np = (name: string, app: string, spec: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  podSelector: {matchLabels: {app: ${app}}}
${spec.trim().split('\n').map((l) => `  ${l}`).join('\n')}
`;

/** A LoadBalancer Service for shop/web. */
const WEB_LB = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

const EVERYWHERE = '[{ipBlock: {cidr: 0.0.0.0/0}}]';
/** web may send anywhere by a NetworkPolicy, which a securityops Drop to every IPv4 address refuses first. */
const WEB_EGRESS_SHADOWED = np('web-egress-open', 'web', `policyTypes: [Egress]\negress: [{to: ${EVERYWHERE}}]`)
  + acnp('drop-web-egress', 'securityops', 10, 'web', `egress: [{action: Drop, to: ${EVERYWHERE}}]`);
/** The same for ingress. */
const WEB_INGRESS_SHADOWED = np('web-ingress-open', 'web', `policyTypes: [Ingress]\ningress: [{from: ${EVERYWHERE}}]`)
  + acnp('drop-web-ingress', 'securityops', 10, 'web', `ingress: [{action: Drop, from: ${EVERYWHERE}}]`);

/** An emergency-tier Allow to every DNS name, which the model does not evaluate (fqdn). */
const fqdnAllowAll = (app: string) => acnp(`fqdn-${app}`, 'emergency', 1, app, 'egress: [{action: Allow, to: [{fqdn: "*"}]}]');
/** An emergency-tier policy admitting ingress from every IPv4 address beside a toServices egress rule (not evaluated, so neither is its ingress). */
const toServicesWithOpenIngress = (app: string) => acnp(`svc-${app}`, 'emergency', 1, app, `ingress: [{action: Allow, from: ${EVERYWHERE}}]\negress: [{action: Allow, toServices: [{name: db, namespace: shop}]}]`);

const ctxOf = (yaml: string, config: Partial<Config>) => ({ snapshot: snap(yaml), config: { ...defaultConfig(), ...config }, now: NOW });
/** The engine's outcome of each check (its status: a check with no failing result passes). */
const outcomes = (yaml: string, checks: Check[], config: Partial<Config> = {}) => runChecks(checks, ctxOf(yaml, config));
/** Each result as "STATUS[/severity when not the check's] Kind name: message", by check (the engine keeps no pass's message). */
const results = (yaml: string, checks: Check[], config: Partial<Config> = {}) => {
  const ctx = ctxOf(yaml, config);
  return Object.fromEntries(checks.map((c) => [c.id, [...c.evaluate(ctx)].map((r) => `${r.status}${r.severity ? `/${r.severity}` : ''} ${r.resource.kind} ${r.resource.name}: ${r.message}`).sort()]));
};

describe('an Antrea-native policy the model does not evaluate keeps the flow checks from passing over the pods it selects', () => {
  it('an emergency-tier Allow to fqdn "*": unrestricted-egress does not pass the Drop-shadowed egress, and names the policy and the field', () => {
    const before = results(ANTREA + WEB_EGRESS_SHADOWED, [unrestrictedEgress])['network.unrestricted-egress'];
    expect(before.find((r) => r.includes('web-egress-open'))).toBe('pass NetworkPolicy web-egress-open: shop/web-egress-open allows egress to every IPv4 address (ipBlocks cover 0.0.0.0/0), but rules that take precedence deny all of it to every public address (Antrea ClusterNetworkPolicy drop-web-egress (tier securityops, priority 10) rule 0 (Drop))');
    const [o] = outcomes(ANTREA + WEB_EGRESS_SHADOWED + fqdnAllowAll('web'), [unrestrictedEgress]);
    expect(o.status).toBe('fail');
    const r = results(ANTREA + WEB_EGRESS_SHADOWED + fqdnAllowAll('web'), [unrestrictedEgress])['network.unrestricted-egress'];
    expect(r).toContain('fail/medium NetworkPolicy web-egress-open: shop/web-egress-open allows egress to every IPv4 address (ipBlocks cover 0.0.0.0/0), and whether rules that take precedence deny all of it cannot be confirmed: Antrea ClusterNetworkPolicy fqdn-web selects its pods and is not evaluated by ztaudit (spec.egress[0].to[0].fqdn is not evaluated by ztaudit; Antrea enforces this policy before the Kubernetes NetworkPolicies (tier emergency), so every verdict on the pods its appliedTo selects cannot be confirmed), so it may allow it before they deny it');
    expect(r).toContain('fail/medium ClusterNetworkPolicy fqdn-web: Antrea ClusterNetworkPolicy fqdn-web cannot be judged: it is not evaluated by ztaudit (spec.egress[0].to[0].fqdn is not evaluated by ztaudit; Antrea enforces this policy before the Kubernetes NetworkPolicies (tier emergency), so every verdict on the pods its appliedTo selects cannot be confirmed), so whether it allows egress to every address is not known');
    expect(r.filter((x) => x.startsWith('pass'))).toEqual(before.filter((x) => x.startsWith('pass') && !x.includes('web-egress-open')));
  });

  it('an emergency-tier policy with a toServices egress rule hides its ingress Allow from 0.0.0.0/0: allow-all-ingress does not pass it, nor the Drop-shadowed ingress', () => {
    const before = outcomes(ANTREA + WEB_INGRESS_SHADOWED, [allowAllIngress]);
    expect(before[0].status).toBe('pass');
    const [o] = outcomes(ANTREA + WEB_INGRESS_SHADOWED + toServicesWithOpenIngress('web'), [allowAllIngress]);
    expect(o.status).toBe('fail');
    const r = results(ANTREA + WEB_INGRESS_SHADOWED + toServicesWithOpenIngress('web'), [allowAllIngress])['network.allow-all-ingress'];
    expect(r.filter((x) => x.startsWith('pass'))).toEqual(['pass ClusterNetworkPolicy drop-web-ingress: Antrea ClusterNetworkPolicy drop-web-ingress admits ingress only from listed peers']);
    expect(r.find((x) => x.includes('NetworkPolicy web-ingress-open'))).toMatch(/^fail\/medium NetworkPolicy web-ingress-open: shop\/web-ingress-open admits ingress from every IPv4 address \(ipBlock 0\.0\.0\.0\/0\), and whether rules that take precedence deny all of it cannot be confirmed: Antrea ClusterNetworkPolicy svc-web selects its pods and is not evaluated by ztaudit \(spec\.egress\[0\]\.toServices is not evaluated by ztaudit;/);
    expect(r.find((x) => x.includes('ClusterNetworkPolicy svc-web'))).toMatch(/^fail\/medium ClusterNetworkPolicy svc-web: Antrea ClusterNetworkPolicy svc-web cannot be judged: it is not evaluated by ztaudit \(.*\), so whether it admits ingress from everywhere is not known$/);
  });

  it('a NetworkPolicy open to 0.0.0.0/0 on pods whose emergency-tier policy may drop it first is not a proven high fail, but "cannot be confirmed"', () => {
    const open = np('web-ingress-open', 'web', `policyTypes: [Ingress]\ningress: [{from: ${EVERYWHERE}}]`);
    expect(results(ANTREA + open, [allowAllIngress])['network.allow-all-ingress']).toEqual(['fail NetworkPolicy web-ingress-open: shop/web-ingress-open admits ingress from every IPv4 address (ipBlock 0.0.0.0/0) on every port']);
    const r = results(ANTREA + open + toServicesWithOpenIngress('web'), [allowAllIngress])['network.allow-all-ingress'];
    expect(r.find((x) => x.includes('NetworkPolicy web-ingress-open'))).toMatch(/^fail\/medium NetworkPolicy web-ingress-open: shop\/web-ingress-open admits ingress from every IPv4 address \(ipBlock 0\.0\.0\.0\/0\) on any, which cannot be confirmed: Antrea ClusterNetworkPolicy svc-web selects its pods and is not evaluated by ztaudit \(.*\), so it may deny it first$/);
  });

  it('a way in the NetworkPolicies refuse, to pods such a policy selects, is not passed by exposed-workload: "may be reachable", naming it', () => {
    const closed = ANTREA + WEB_LB + np('deny-web', 'web', 'policyTypes: [Ingress]');
    expect(results(closed, [exposedWorkload])['network.exposed-workload']).toEqual(['pass Deployment web: NetworkPolicy blocks the way in from outside: external clients of LoadBalancer web']);
    const r = results(closed + toServicesWithOpenIngress('web'), [exposedWorkload])['network.exposed-workload'];
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(/^fail Deployment web: may be reachable from outside the cluster via LoadBalancer Service web \(TCP 8080\) \(cannot be confirmed: the policies refuse it, but Antrea ClusterNetworkPolicy svc-web \(tier emergency, priority 1\) selects its pods and is not evaluated by ztaudit \(spec\.egress\[0\]\.toServices is not evaluated by ztaudit;.*\), and may allow it first\)$/);
  });

  it('an unevaluated policy on other pods leaves every verdict on these as it was', () => {
    const yaml = ANTREA + WEB_INGRESS_SHADOWED + WEB_EGRESS_SHADOWED + np('web-ingress-any', 'web', `policyTypes: [Ingress]\ningress: [{}]`) + WEB_LB;
    const checks = [allowAllIngress, unrestrictedEgress, exposedWorkload];
    const before = results(yaml, checks);
    const after = results(yaml + fqdnAllowAll('db') + toServicesWithOpenIngress('db'), checks);
    // Only the unevaluated policies' own results are new (they select db, not web).
    const own = (list: string[]) => list.filter((x) => !/ClusterNetworkPolicy (fqdn|svc)-db:/.test(x));
    expect(after['network.unrestricted-egress'].filter((x) => !own([x]).length).map((x) => x.split(':')[0])).toEqual(['fail/medium ClusterNetworkPolicy fqdn-db', 'fail/medium ClusterNetworkPolicy svc-db']);
    for (const id of Object.keys(before)) expect(own(after[id])).toEqual(before[id]);
    expect(after['network.allow-all-ingress']).toContain('fail NetworkPolicy web-ingress-any: shop/web-ingress-any admits ingress from any peer (from/to missing or empty) on every port, except the sources Deny rules of Antrea ClusterNetworkPolicy drop-web-ingress refuse');
    expect(after['network.exposed-workload']).toEqual(['fail Deployment web: reachable from outside the cluster via LoadBalancer Service web (TCP 8080)']);
  });
});

describe('a Calico policy of a tier the manifests do not hold is in doubt, and the flow checks say so (the case of 3e1b53b6)', () => {
  const security = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec: {tier: security, order: 5, selector: app == 'web', types: [Ingress], ingress: [{action: Allow}]}
`;
  it('a security-tier NetworkPolicy with ingress [{action: Allow}] does not pass allow-all-ingress', () => {
    const [o] = outcomes(calicoBase() + security, [allowAllIngress]);
    expect(o.status).toBe('fail');
    const r = results(calicoBase() + security, [allowAllIngress])['network.allow-all-ingress'];
    expect(r).toEqual(['fail/medium NetworkPolicy allow-web: Calico NetworkPolicy shop/allow-web cannot be judged: it is not evaluated by ztaudit (spec.tier "security" names no built-in tier and no Tier of that name is among the manifests, while Calico refuses a policy whose tier does not exist (libcalico-go clientv3 Create), so the cluster holds one they leave out: its order and defaultAction are not known; Calico applies this policy in that tier, before or after the built-in ones, so every verdict on the pods it selects cannot be confirmed), so whether it admits ingress from everywhere is not known']);
  });

  it('its Allow may open a way in the NetworkPolicies refuse: exposed-workload says "may be reachable", naming it', () => {
    const lb = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;
    const pass = results(calicoBase() + lb, [exposedWorkload])['network.exposed-workload'];
    expect(pass).toEqual(['pass Deployment web: NetworkPolicy blocks the way in from outside: external clients of LoadBalancer web']);
    const r = results(calicoBase() + lb + security, [exposedWorkload])['network.exposed-workload'];
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(/^fail Deployment web: may be reachable from outside the cluster via LoadBalancer Service web \(TCP 8080\) \(cannot be confirmed: the policies refuse it, but Calico NetworkPolicy shop\/allow-web \(tier security, order 5\) selects its pods and is not evaluated by ztaudit \(spec\.tier "security" names no built-in tier/);
  });
});

describe('egress-not-controlled does not pass a workload whose egress an unevaluated policy may open', () => {
  const gateway = { egress: { gateways: [{ namespace: 'egress', podSelector: { app: 'gw' } }] } } as unknown as Partial<Config>;
  const denyEgress = np('deny-egress', 'web', 'policyTypes: [Egress]');
  it('web, whose NetworkPolicy refuses all egress, is "cannot be judged" under an fqdn "*" Allow', () => {
    const before = results(ANTREA + denyEgress, [egressNotControlled], gateway)['network.egress-not-controlled'];
    expect(before).toContain('pass Deployment web: Deployment shop/web reaches no external address or name directly.');
    const r = results(ANTREA + denyEgress + fqdnAllowAll('web'), [egressNotControlled], gateway)['network.egress-not-controlled'];
    expect(r.find((x) => x.includes('Deployment web:'))).toMatch(/^fail\/medium Deployment web: Deployment shop\/web cannot be judged: Antrea ClusterNetworkPolicy fqdn-web selects its pods and is not evaluated by ztaudit \(spec\.egress\[0\]\.to\[0\]\.fqdn is not evaluated by ztaudit;.*\), so it may allow egress to external addresses or names directly\.$/);
    // db, which no unevaluated policy selects, keeps its verdict.
    expect(r.find((x) => x.includes('Deployment db:'))).toBe(before.find((x) => x.includes('Deployment db:')));
  });

  // Antrea consults its Baseline tier only for traffic no NetworkPolicy decides ("Static tiers":
  // "... > K8s NetworkPolicy > Baseline"): a NetworkPolicy's Allow is final, so an unevaluated
  // Baseline policy cannot take back egress it admitted; before any NetworkPolicy isolates the
  // pods, the open egress is the default's, which that policy may refuse.
  const baselineDrop = acnp('base-drop', 'baseline', 5, 'web', 'egress: [{action: Drop, toServices: [{name: db, namespace: shop}]}]');
  const allEgress = np('all-egress', 'web', 'policyTypes: [Egress]\negress: [{}]');
  it('an unevaluated Baseline-tier policy cannot refuse what a NetworkPolicy admitted: the high fail stands', () => {
    const r = results(ANTREA + allEgress + baselineDrop, [egressNotControlled], gateway)['network.egress-not-controlled'];
    expect(r.find((x) => x.includes('Deployment web:'))).toMatch(/^fail Deployment web: Deployment shop\/web can reach every public address directly \(allowed by shop\/all-egress\), bypassing the egress exit/);
  });
  it('with no NetworkPolicy isolating the pods, the same Baseline policy may refuse their open egress: "cannot be confirmed"', () => {
    const r = results(ANTREA + baselineDrop, [egressNotControlled], gateway)['network.egress-not-controlled'];
    expect(r.find((x) => x.includes('Deployment web:'))).toMatch(/^fail\/medium Deployment web: .*, which cannot be confirmed: Antrea ClusterNetworkPolicy base-drop selects its pods and is not evaluated by ztaudit/);
  });
  it('an unevaluated policy of a tier before the NetworkPolicies may refuse what they admit: "cannot be confirmed"', () => {
    const r = results(ANTREA + allEgress + acnp('emer-drop', 'emergency', 5, 'web', 'egress: [{action: Drop, toServices: [{name: db, namespace: shop}]}]'), [egressNotControlled], gateway)['network.egress-not-controlled'];
    expect(r.find((x) => x.includes('Deployment web:'))).toMatch(/^fail\/medium Deployment web: .*, which cannot be confirmed: Antrea ClusterNetworkPolicy emer-drop selects its pods/);
  });
});
