// Thirteen NetworkPolicy cases an implementation must get right, from the API's semantics
// (networking/v1 types.go, defaults.go, validation.go; kubernetes.io network-policies page).
import { describe, expect, it } from 'vitest';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { ctxOf, ns, pod, policy, snap } from './helpers.ts';

const reach = (yaml: string, from: string, to: string, port?: number, proto?: 'TCP' | 'UDP' | 'SCTP') => queryReach(buildReachability(snap(yaml)), from, to, port, proto);

describe('NetworkPolicy semantics cases', () => {
  it('1: default-deny ingress only -> ingress PASS, egress FAIL', () => {
    const ctx = ctxOf(pod('a', 'p', { app: 'x' }) + policy('a', 'deny', '{podSelector: {}, policyTypes: [Ingress]}'));
    const ing = [...namespaceDefaultDenyIngress.evaluate(ctx)].filter((v) => v.resource.name === 'a');
    const eg = [...namespaceDefaultDenyEgress.evaluate(ctx)].filter((v) => v.resource.name === 'a');
    expect(ing.map((v) => v.status)).toEqual(['pass']);
    expect(eg.map((v) => v.status)).toEqual(['fail']);
    expect(eg[0].evidence?.unisolatedWorkloads).toEqual([{ workload: 'Pod a/p', podCount: 1 }]);
  });

  it('2: egress rules without policyTypes -> types [Ingress, Egress]: no ingress, egress only to 10/8', () => {
    const yaml = pod('a', 'p', { app: 'x' }) + pod('b', 'q', { app: 'y' }) + policy('a', 'eg', `
podSelector: {}
egress:
- to: [{ipBlock: {cidr: 10.0.0.0/8}}]`);
    const model = buildReachability(snap(yaml));
    const pol = model.policies[0];
    expect([pol.ingress !== undefined, pol.egress !== undefined, pol.isolates]).toEqual([true, true, { ingress: true, egress: true }]);
    expect(queryReach(model, 'b/q', 'a/p', 80).allowed).toBe(false);
    expect(queryReach(model, 'b/q', 'a/p', 80).ingress).toMatchObject({ isolated: true, allowed: false, policies: ['a/eg'] });
    expect(queryReach(model, 'a/p', '10.20.30.40', 443).allowed).toBe(true);
    expect(queryReach(model, 'a/p', '10.20.30.40', 443).egress.decidedBy).toMatchObject([{ policy: 'a/eg', rule: 0, api: 'NetworkPolicy', action: 'Allow' }]);
    expect(queryReach(model, 'a/p', '8.8.8.8', 443).allowed).toBe(false);
    expect(queryReach(model, 'a/p', 'b/q', 80).allowed).toBe(false); // ipBlock never selects pods
  });

  it('3: default deny + allow-all ingress -> open, FAIL naming the cancelled deny', () => {
    const yaml = pod('a', 'p', { app: 'x' }) + pod('b', 'q', {}) + policy('a', 'deny', '{podSelector: {}}') + policy('a', 'allow', '{podSelector: {}, ingress: [{}]}');
    expect(reach(yaml, 'b/q', 'a/p', 5432).allowed).toBe(true);
    expect(reach(yaml, 'b/q', 'a/p', 5432).ingress.decidedBy).toMatchObject([{ policy: 'a/allow', rule: 0 }]);
    expect(reach(yaml, 'b/q', 'a/p', 5432).ingress.decidedBy).toHaveLength(1);
    const v = [...allowAllIngress.evaluate(ctxOf(yaml))];
    const allow = v.find((x) => x.resource.name === 'allow')!;
    expect(allow.status).toBe('fail');
    expect(allow.severity).toBeUndefined(); // full severity: every port
    expect(allow.evidence?.cancelsDefaultDeny).toEqual(['a/deny']);
    expect(v.find((x) => x.resource.name === 'deny')!.status).toBe('pass');
  });

  describe('4: namespaceSelector + podSelector in one item (AND) vs two items (OR)', () => {
    const base = ns('x1', { team: 'x' }) + ns('other') + ns('a') +
      pod('x1', 'c', { app: 'c' }) + pod('x1', 'd', { app: 'd' }) + pod('a', 'c2', { app: 'c' }) + pod('other', 'c3', { app: 'c' }) + pod('a', 'target', { role: 'db' });
    const and = base + policy('a', 'p', `
podSelector: {matchLabels: {role: db}}
ingress:
- from:
  - namespaceSelector: {matchLabels: {team: x}}
    podSelector: {matchLabels: {app: c}}`);
    const or = base + policy('a', 'p', `
podSelector: {matchLabels: {role: db}}
ingress:
- from:
  - namespaceSelector: {matchLabels: {team: x}}
  - podSelector: {matchLabels: {app: c}}`);
    it('AND: only app=c pods in team=x namespaces', () => {
      expect(reach(and, 'x1/c', 'a/target', 80).allowed).toBe(true);
      expect(reach(and, 'x1/d', 'a/target', 80).allowed).toBe(false);
      expect(reach(and, 'a/c2', 'a/target', 80).allowed).toBe(false);
      expect(reach(and, 'other/c3', 'a/target', 80).allowed).toBe(false);
    });
    it('OR: all pods of team=x namespaces, or app=c pods of the policy namespace', () => {
      expect(reach(or, 'x1/c', 'a/target', 80).allowed).toBe(true);
      expect(reach(or, 'x1/d', 'a/target', 80).allowed).toBe(true);
      expect(reach(or, 'a/c2', 'a/target', 80).allowed).toBe(true);
      expect(reach(or, 'other/c3', 'a/target', 80).allowed).toBe(false);
    });
  });

  it('5: podSelector {} = own namespace only; namespaceSelector {} = all pods, no external IPs', () => {
    const base = pod('a', 'p', { app: 'x' }) + pod('a', 'sib', {}) + pod('b', 'q', {});
    const own = base + policy('a', 'own', '{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{podSelector: {}}]}]}');
    expect(reach(own, 'a/sib', 'a/p', 80).allowed).toBe(true);
    expect(reach(own, 'b/q', 'a/p', 80).allowed).toBe(false);
    expect(reach(own, '203.0.113.9', 'a/p', 80).allowed).toBe(false);
    const all = base + policy('a', 'all', '{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {}}]}]}');
    expect(reach(all, 'b/q', 'a/p', 80).allowed).toBe(true);
    expect(reach(all, '203.0.113.9', 'a/p', 80).allowed).toBe(false);
  });

  it('6: ports-only rule -> any source on TCP 8080 (WARN-level finding); UDP 8080 denied', () => {
    const yaml = pod('a', 'p', {}) + pod('b', 'q', {}) + policy('a', 'ports', '{podSelector: {}, ingress: [{ports: [{port: 8080}]}]}');
    expect(reach(yaml, 'b/q', 'a/p', 8080).allowed).toBe(true);
    expect(reach(yaml, '203.0.113.9', 'a/p', 8080).allowed).toBe(true);
    expect(reach(yaml, 'b/q', 'a/p', 8080, 'UDP').allowed).toBe(false);
    expect(reach(yaml, 'b/q', 'a/p', 8081).allowed).toBe(false);
    const [v] = [...allowAllIngress.evaluate(ctxOf(yaml))];
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('TCP 8080');
  });

  it('7: ipBlock 0.0.0.0/0 except metadata IP -> ingress open-to-all FAIL; egress excludes 169.254.169.254', () => {
    const yaml = pod('a', 'p', {}) + policy('a', 'in', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]}') +
      policy('a', 'out', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]}');
    const v = [...allowAllIngress.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'in')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('every IPv4 address except 169.254.169.254');
    expect(reach(yaml, 'a/p', '169.254.169.254', 80).allowed).toBe(false);
    expect(reach(yaml, 'a/p', '169.254.169.253', 80).allowed).toBe(true);
    expect(reach(yaml, 'a/p', '93.184.216.34', 443).allowed).toBe(true);
  });

  it('8: named port resolves per destination pod', () => {
    const yaml = pod('a', 'src', {}) + pod('a', 'pa', { tier: 'web' }, [{ name: 'http', containerPort: 8080 }]) + pod('a', 'pb', { tier: 'web' }, [{ name: 'http', containerPort: 9090 }]) +
      pod('a', 'pc', { tier: 'web' }, [{ name: 'metrics', containerPort: 8080 }]) +
      policy('a', 'named', '{podSelector: {matchLabels: {tier: web}}, ingress: [{ports: [{port: http}]}]}');
    expect(reach(yaml, 'a/src', 'a/pa', 8080).allowed).toBe(true);
    expect(reach(yaml, 'a/src', 'a/pa', 9090).allowed).toBe(false);
    expect(reach(yaml, 'a/src', 'a/pb', 9090).allowed).toBe(true);
    expect(reach(yaml, 'a/src', 'a/pb', 8080).allowed).toBe(false);
    expect(reach(yaml, 'a/src', 'a/pc', 8080).allowed).toBe(false);
    expect(reach(yaml, 'a/src', 'a/pc').allowed).toBe(false);
  });

  it('9: endPort is inclusive; a named port with endPort is an invalid manifest', () => {
    const yaml = pod('a', 'p', {}) + pod('a', 'q', { x: 'y' }) + policy('a', 'range', '{podSelector: {}, ingress: [{ports: [{port: 32000, endPort: 32768}]}]}');
    expect(reach(yaml, 'a/q', 'a/p', 32768).allowed).toBe(true);
    expect(reach(yaml, 'a/q', 'a/p', 32769).allowed).toBe(false);
    expect(reach(yaml, 'a/q', 'a/p', 31999).allowed).toBe(false);
    const bad = pod('a', 'p', {}) + policy('a', 'bad', '{podSelector: {}, ingress: [{ports: [{port: http, endPort: 90}]}]}');
    const [v] = [...invalidPolicy.evaluate(ctxOf(bad))];
    expect(v.status).toBe('fail');
    expect(String(v.message)).toMatch(/endPort/);
  });

  it('10: port 53 without protocol is TCP only (UDP DNS stays blocked)', () => {
    const yaml = pod('a', 'p', {}) + pod('kube-system', 'dns', { 'k8s-app': 'kube-dns' }) +
      policy('a', 'dns', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}}], ports: [{port: 53}]}]}');
    expect(reach(yaml, 'a/p', 'kube-system/dns', 53, 'TCP').allowed).toBe(true);
    expect(reach(yaml, 'a/p', 'kube-system/dns', 53, 'UDP').allowed).toBe(false);
  });

  it('11: a hostNetwork pod in a default-deny namespace -> low-severity "not covered"', () => {
    const yaml = pod('a', 'normal', {}) + pod('a', 'hn', { app: 'agent' }, [], { hostNetwork: true }) + policy('a', 'deny', '{podSelector: {}, policyTypes: [Ingress]}');
    const v = [...namespaceDefaultDenyIngress.evaluate(ctxOf(yaml))].filter((x) => x.resource.name === 'a');
    expect(v.find((x) => !x.detailKey)?.status).toBe('pass');
    const hn = v.find((x) => x.detailKey === 'hostNetwork')!;
    expect(hn).toMatchObject({ status: 'fail', severity: 'low' });
    expect(hn.evidence?.hostNetworkWorkloads).toEqual([{ workload: 'Pod a/hn', podCount: 1 }]);
  });

  it('12: selector app=web while pods are app=webapp -> pods unisolated FAIL, policy selects nothing', () => {
    const yaml = pod('a', 'w', { app: 'webapp' }) + policy('a', 'web', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}');
    const ctx = ctxOf(yaml);
    expect([...namespaceDefaultDenyIngress.evaluate(ctx)].find((x) => x.resource.name === 'a')?.status).toBe('fail');
    const [v] = [...policySelectsNothing.evaluate(ctx)];
    expect(v.status).toBe('fail');
    expect(v.evidence?.labelValuesInNamespace).toEqual({ app: ['webapp'] });
  });

  it('12b: selector keys named like object properties (constructor, toString) that no pod carries: no values shown, not Object\'s own functions', () => {
    const yaml = pod('a', 'w', { app: 'webapp' }) + policy('a', 'web', '{podSelector: {matchLabels: {constructor: x, toString: y}}, policyTypes: [Ingress]}');
    const [v] = [...policySelectsNothing.evaluate(ctxOf(yaml))];
    expect(v.status).toBe('fail');
    expect(JSON.parse(JSON.stringify(v.evidence?.labelValuesInNamespace))).toEqual({ constructor: [], toString: [] });
  });

  it('13: NotIn also selects pods without the key', () => {
    const yaml = pod('a', 'db', { tier: 'db' }) + pod('a', 'web', { tier: 'web' }) + pod('a', 'none', {}) + pod('b', 'src', {}) +
      policy('a', 'notdb', '{podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}, policyTypes: [Ingress]}');
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'b/src', 'a/db', 80).allowed).toBe(true);
    expect(queryReach(model, 'b/src', 'a/web', 80).allowed).toBe(false);
    expect(queryReach(model, 'b/src', 'a/none', 80).allowed).toBe(false);
  });
});
