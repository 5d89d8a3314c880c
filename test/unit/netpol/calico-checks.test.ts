// Calico in the checks and in `ztaudit reach`: what a user of a Calico cluster sees. The
// default-deny fixtures are Calico's own documented policies
// (https://docs.tigera.io/calico/latest/network-policy/get-started/kubernetes-default-deny).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { snap } from './calico-helpers.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');

function results(check: typeof namespaceDefaultDenyIngress, path: string) {
  const snapshot = loadFixture(join(FIXTURES, path), path);
  return [...check.evaluate({ snapshot, config: defaultConfig(), now: NOW })];
}

describe('namespace default deny by a Calico GlobalNetworkPolicy', () => {
  it('passes every namespace, and the evidence names the GlobalNetworkPolicy and its API', () => {
    const rs = results(namespaceDefaultDenyIngress, 'network.namespace-default-deny-ingress/pass.calico-global-default-deny.yaml');
    expect(rs.map((r) => `${r.resource.name}:${r.status}`).sort()).toEqual(['billing:pass', 'shop:pass']);
    for (const r of rs) expect(r.evidence?.isolatedBy).toEqual([{ policy: 'GlobalNetworkPolicy default-deny', api: 'Calico' }]);
  });

  it('the same GlobalNetworkPolicy isolates egress too', () => {
    const rs = results(namespaceDefaultDenyEgress, 'network.namespace-default-deny-ingress/pass.calico-global-default-deny.yaml');
    expect(rs.every((r) => r.status === 'pass')).toBe(true);
  });

  it('deny-app-policy, stored as crd.projectcalico.org/v1 "default.deny-app-policy", is named by its v3 name', () => {
    const rs = results(namespaceDefaultDenyEgress, 'network.namespace-default-deny-egress/pass.calico-deny-app-policy.yaml');
    const shop = rs.find((r) => r.resource.name === 'shop')!;
    expect(shop.status).toBe('pass');
    expect(shop.evidence?.isolatedBy).toEqual([{ policy: 'GlobalNetworkPolicy deny-app-policy', api: 'Calico' }]);
  });

  it('without the Calico policy the same namespaces fail (the verdict comes from it)', () => {
    const snapshot = loadFixture(join(FIXTURES, 'network.namespace-default-deny-ingress/pass.calico-global-default-deny.yaml'), 'x');
    delete snapshot.resources['calico-v3.globalnetworkpolicies'];
    const [outcome] = runChecks([namespaceDefaultDenyIngress], { snapshot, config: defaultConfig(), now: NOW });
    expect(outcome.results.map((r) => r.status)).toEqual(['fail', 'fail']);
  });

  it('a tier whose defaultAction is Pass, with a policy that passes, leaves the pods open', () => {
    const rs = results(namespaceDefaultDenyIngress, 'network.namespace-default-deny-ingress/fail.calico-tier-passes.yaml');
    expect(rs).toEqual([expect.objectContaining({ status: 'fail', resource: { kind: 'Namespace', name: 'shop' } })]);
  });
});

describe('network.invalid-policy on Calico objects', () => {
  it('names the object and the parse error', () => {
    const rs = results(invalidPolicy, 'network.invalid-policy/fail.calico-bad-selector.yaml');
    expect(rs).toEqual([expect.objectContaining({
      status: 'fail',
      resource: { kind: 'GlobalNetworkPolicy', name: 'deny-blue' },
      message: "GlobalNetworkPolicy deny-blue is invalid and takes no effect: spec.selector: selector \"color = 'red'\" does not parse: expected '==' (a single '=' is not an operator) (at column 7)",
    })]);
  });
});

const teams = `
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: team-a}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: team-b}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: client}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-to-db, namespace: team-a}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{}]
`;

const denyTeamB = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-team-b-to-db}
spec:
  order: 10
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Deny
    protocol: TCP
    source:
      namespaceSelector: projectcalico.org/name == 'team-b'
    destination:
      ports: [5432]
`;

describe('ztaudit reach with Calico policies', () => {
  it('a low-order Calico Deny beats the Kubernetes NetworkPolicy that allows the flow (order 10 before 1000 in the default tier)', () => {
    const r = reachCommandCore(snap(teams + denyTeamB), { from: 'team-b/client', to: 'team-a/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED: team-b/client[Deployment] -> team-a/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('DENIED by GlobalNetworkPolicy deny-team-b-to-db (order 10) rule 0 (Deny): TCP 5432');
  });

  it('without the Calico policy the same flow is allowed (the Kubernetes policy admits everyone)', () => {
    const r = reachCommandCore(snap(teams), { from: 'team-b/client', to: 'team-a/db', port: '5432' });
    expect(r.exitCode).toBe(0);
  });

  it('ports the Deny does not name reach the Kubernetes NetworkPolicy, which allows them', () => {
    const r = reachCommandCore(snap(teams + denyTeamB), { from: 'team-b/client', to: 'team-a/db', port: '5433' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED by NetworkPolicy team-a/allow-all-to-db rule 0 (Allow): TCP 5433');
  });

  it('JSON names the Calico rule, its API, tier and order', () => {
    const j = JSON.parse(reachCommandCore(snap(teams + denyTeamB), { from: 'team-b/client', to: 'team-a/db', port: '5432', output: 'json' }).output);
    expect(j.allowed).toBe(false);
    expect(j.ingress.decisions[0]).toMatchObject({ allowed: false, conns: 'TCP 5432', by: 'GlobalNetworkPolicy deny-team-b-to-db (order 10) rule 0 (Deny)', rule: { api: 'Calico', tier: 'default', order: 10, action: 'Deny', rule: 0 } });
  });

  it(`a higher tier's Pass hands the flow to the default tier, where Kubernetes NetworkPolicies decide (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy: "The default tier is where ... you manage all Kubernetes network policies")`, () => {
    const tiered = `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 300}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.guard}
spec:
  tier: security
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    source: {namespaceSelector: projectcalico.org/name == 'quarantine'}
  - action: Pass
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-nobody, namespace: team-a}
spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
`;
    const noAllow = teams.replace(/---\napiVersion: networking.k8s.io\/v1[\s\S]*$/, '');
    const r = reachCommandCore(snap(noAllow + tiered), { from: 'team-b/client', to: 'team-a/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    // Passed by the security tier, then isolated by the Kubernetes policy: the default tier's end-of-tier deny.
    expect(r.output).toContain('DENIED by the end of Calico tier default (team-a/db-from-nobody select it; no rule matched): TCP 5432');
    // A source the security tier denies never gets that far.
    const q = reachCommandCore(snap(noAllow + tiered + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: quarantine}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: quarantine}\nspec: {containers: [{name: c, image: x}]}\n'), { from: 'quarantine/x', to: 'team-a/db', port: '5432' });
    expect(q.output).toContain('DENIED by GlobalNetworkPolicy security.guard (tier security) rule 0 (Deny): TCP 5432');
  });

  it('records host-endpoint-only policies as out of scope, naming them', () => {
    const m = buildReachability(snap(teams + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: protect-nodes}
spec:
  selector: has(kubernetes-host)
  preDNAT: true
  applyOnForward: true
  ingress: [{action: Deny, source: {nets: [0.0.0.0/0]}}]
`));
    expect(m.notes).toContainEqual({ object: { kind: 'GlobalNetworkPolicy', name: 'protect-nodes' }, message: expect.stringMatching(/preDNAT: applies to host endpoints only/) });
    expect(m.policies.some((p) => p.ref.name === 'protect-nodes')).toBe(false);
  });
});

// docs.tigera.io/calico/latest/reference/resources/globalnetworkset: a global policy rule's
// selector (or a namespaced rule's with namespaceSelector global()) "includes the CIDRs from any
// network sets that match the selector"; .../networkset: a NetworkSet is matched by the rules
// of its own namespace's policies.
describe('Calico network sets', () => {
  const web = `---
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
    spec: {containers: [{name: web, image: nginx}]}
`;
  const gns = (name: string, labels: string, nets: string, api = 'projectcalico.org/v3') => `---\napiVersion: ${api}\nkind: GlobalNetworkSet\nmetadata: {name: ${name}, labels: {${labels}}}\nspec: {nets: [${nets}]}\n`;
  const ns = (namespace: string, name: string, labels: string, nets: string) => `---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {${labels}}}\nspec: {nets: [${nets}]}\n`;
  const gnp = (name: string, order: number, egress: string) => `---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  order: ${order}\n  selector: all()\n  types: [Egress]\n  egress:\n${egress}`;
  const allowed = (yaml: string, to: string) => queryReach(buildReachability(snap(yaml)), 'shop/web', to, 443).allowed;

  it('a GlobalNetworkSet of 0.0.0.0/0 and ::/0 matched by an egress selector leaves the namespace open to every destination', () => {
    const yaml = web + gns('internet', 'role: internet', '0.0.0.0/0, "::/0"')
      + gnp('app-egress', 10, `  - {action: Allow, destination: {selector: "role == 'internet'"}}\n  - {action: Allow, destination: {namespaceSelector: all()}}\n`);
    const ctx = { snapshot: snap(yaml), config: defaultConfig(), now: NOW };
    expect([...namespaceDefaultDenyEgress.evaluate(ctx)].map((r) => `${r.resource.name}:${r.status}`)).toEqual(['shop:fail']);
    expect([...unrestrictedEgress.evaluate(ctx)].map((r) => `${r.resource.kind} ${r.resource.name}:${r.status}`)).toEqual(['GlobalNetworkPolicy app-egress:fail']);
    expect(allowed(yaml, '8.8.8.8')).toBe(true);
    expect(allowed(yaml, '2001:db8::1')).toBe(true);
  });

  it('a GNP Deny to a network-set selector before an allow-all denies those CIDRs (the storage form of the set too)', () => {
    const yaml = web + gns('blocked', 'role: blocked', '203.0.113.0/24', 'crd.projectcalico.org/v1')
      + gnp('deny-blocked', 10, `  - {action: Deny, destination: {selector: "role == 'blocked'"}}\n  - {action: Allow}\n`);
    expect(allowed(yaml, '203.0.113.5')).toBe(false);
    expect(allowed(yaml, '8.8.8.8')).toBe(true);
    const out = reachCommandCore(snap(yaml), { from: 'shop/web', to: '203.0.113.5', port: '443' }).output;
    expect(out).toMatch(/^DENIED: /);
    expect(out).toContain('DENIED by GlobalNetworkPolicy deny-blocked');
  });

  it('a namespaced rule matches NetworkSets of its namespace, not GlobalNetworkSets unless its namespaceSelector is global()', () => {
    const sets = gns('g', 'role: partners', '192.0.2.0/24') + ns('shop', 'local', 'role: partners', '198.51.100.0/24') + ns('other', 'far', 'role: partners', '203.0.113.0/24');
    const np = (dest: string) => `---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: out, namespace: shop}\nspec:\n  selector: all()\n  types: [Egress]\n  egress:\n  - {action: Allow, destination: ${dest}}\n`;
    const own = web + sets + np(`{selector: "role == 'partners'"}`);
    expect([allowed(own, '198.51.100.1'), allowed(own, '192.0.2.1'), allowed(own, '203.0.113.1')]).toEqual([true, false, false]);
    const global = web + sets + np(`{selector: "role == 'partners'", namespaceSelector: global()}`);
    expect([allowed(global, '198.51.100.1'), allowed(global, '192.0.2.1'), allowed(global, '203.0.113.1')]).toEqual([false, true, false]);
  });

  it('notSelector excludes a set\'s CIDRs; selector with nets allows only the addresses in both', () => {
    const sets = gns('bad', 'role: bad', '203.0.113.0/24');
    const notSel = web + sets + gnp('not-bad', 10, `  - {action: Allow, destination: {notSelector: "role == 'bad'"}}\n`);
    expect([allowed(notSel, '203.0.113.9'), allowed(notSel, '8.8.8.8')]).toEqual([false, true]);
    const both = web + sets + gnp('both', 10, `  - {action: Allow, destination: {selector: "role == 'bad'", nets: [203.0.113.0/25]}}\n`);
    expect([allowed(both, '203.0.113.9'), allowed(both, '203.0.113.200'), allowed(both, '8.8.8.8')]).toEqual([true, false, false]);
  });
});

// Calico selectors select host endpoints too (docs.tigera.io/calico/latest/reference/host-endpoints/overview),
// and HostEndpoints are not collected. Reviewer repro r5-calico-hostendpoint-policy.
describe('network.policy-selects-nothing on a GlobalNetworkPolicy for host endpoints', () => {
  it('passes, saying it may apply to host endpoints; a namespaced Calico NetworkPolicy selecting nothing still fails', () => {
    const host = results(policySelectsNothing, 'network.policy-selects-nothing/pass.calico-host-endpoint-policy.yaml').filter((r) => r.resource.name === 'allow-ssh-to-hosts');
    expect(host.map((r) => [r.status, r.message])).toEqual([['pass', 'GlobalNetworkPolicy allow-ssh-to-hosts selects no pod (selector has(host-endpoint)); it may apply to Calico host endpoints, which are not collected']]);
    const typo = results(policySelectsNothing, 'network.policy-selects-nothing/fail.calico-selector-typo.yaml').filter((r) => r.status === 'fail');
    expect(typo.map((r) => r.resource.name)).toEqual(['allow-tcp-8080']);
  });

  // libcalico-go ConvertGlobalNetworkPolicyV3ToV1Value ANDs the namespaceSelector as pcns.* terms
  // (all() as has(projectcalico.org/namespace)) and the serviceAccountSelector as pcsa.* terms:
  // labels Calico gives workload endpoints only. Reviewer repro t12.
  it('fails a GlobalNetworkPolicy whose namespaceSelector or serviceAccountSelector limits it to pods, naming what was written', () => {
    const rs = results(policySelectsNothing, 'network.policy-selects-nothing/fail.calico-gnp-namespace-selector-typo.yaml');
    expect(rs.map((r) => [r.status, r.message])).toEqual([['fail', "GlobalNetworkPolicy shop-db-lockdown selects no pod (namespaceSelector team == 'shop', selector app == 'database'): it applies to nothing; its namespace or service-account selector limits it to pods, so it is no host-endpoint policy"]]);
    const withSpec = (spec: Record<string, unknown>) => {
      const snapshot = loadFixture(join(FIXTURES, 'network.policy-selects-nothing/fail.calico-gnp-namespace-selector-typo.yaml'), 'variant');
      snapshot.resources['calico-v3.globalnetworkpolicies']![0].spec = spec;
      return [...policySelectsNothing.evaluate({ snapshot, config: defaultConfig(), now: NOW })];
    };
    expect(withSpec({ serviceAccountSelector: "role == 'db'", ingress: [{ action: 'Allow' }] }).map((r) => [r.status, r.message])).toEqual([['fail', "GlobalNetworkPolicy shop-db-lockdown selects no pod (serviceAccountSelector role == 'db'): it applies to nothing; its namespace or service-account selector limits it to pods, so it is no host-endpoint policy"]]);
    // A namespace term in an `||` with a host label still may select host endpoints.
    expect(withSpec({ selector: "has(host-endpoint) || projectcalico.org/namespace == 'shop' && app == 'x'", ingress: [{ action: 'Allow' }] }).map((r) => r.status)).toEqual(['pass']);
  });
});

// A Calico rule's protocol may be ICMP (docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule);
// the model answers for TCP, UDP and SCTP only, where such a rule matches nothing
// (docs/network-model.md), so the checks must not read it as open to everyone on every port.
describe('a Calico Allow rule for ICMP only opens nothing the checks judge', () => {
  it('network.allow-all-ingress passes it, as reach answers DENIED for a TCP/UDP/SCTP flow from an outside address', () => {
    const rs = results(allowAllIngress, 'network.allow-all-ingress/pass.calico-icmp-only.yaml');
    expect(rs.map((r) => `${r.status} ${r.resource.name}: ${r.message}`)).toEqual(['pass allow-ping: Calico NetworkPolicy shop/allow-ping admits ingress only from listed peers']);
    const snapshot = loadFixture(join(FIXTURES, 'network.allow-all-ingress/pass.calico-icmp-only.yaml'), 'icmp');
    const ping = reachCommandCore(snapshot, { from: '203.0.113.5', to: 'shop/db' });
    expect(ping.exitCode).toBe(1);
  });

  it('network.unrestricted-egress says the policy restricts egress, not "any destination only on " nothing', () => {
    const rs = results(unrestrictedEgress, 'network.unrestricted-egress/pass.calico-icmp-only.yaml');
    expect(rs.map((r) => `${r.status} ${r.resource.name}: ${r.message}`)).toEqual(['pass allow-ping-out: Calico NetworkPolicy shop/allow-ping-out restricts egress destinations']);
  });
});

// The reviewer's Calico cluster (repros under /tmp/rev-calico): Calico as the CNI (calico-node),
// shop/db and shop/frontend in namespace shop (team: shop), other/client in namespace other.
const calicoCluster = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: other}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      containers: [{name: calico-node, image: "docker.io/calico/node:v3.31.2"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16, ports: [{containerPort: 5432, name: pg}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: busybox:1.36}]}
`;

function namespaceStatus(check: typeof namespaceDefaultDenyEgress, yaml: string): string[] {
  return [...check.evaluate({ snapshot: snap(yaml), config: defaultConfig(), now: NOW })].map((r) => `${r.resource.name}:${r.status}`).sort();
}

// docs.tigera.io/calico/latest/reference/resources/globalnetworkset: a rule selector "includes the
// CIDRs from any network sets that match the selector", and Felix matches those CIDRs on the
// packet's address, a pod's as much as any other. Reviewer repro t14.
describe('a network set of 0.0.0.0/0 holds pods too', () => {
  const internetSet = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: internet, labels: {role: internet}}
spec:
  nets: [0.0.0.0/0]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: shop-egress}
spec:
  namespaceSelector: team == 'shop'
  types: [Egress]
  egress:
  - action: Allow
    destination: {selector: role == 'internet'}
`;

  it('reach from shop to a pod is not a certain DENIED, and shop is not counted as isolated for egress, as with nets 0.0.0.0/0', () => {
    const r = reachCommandCore(snap(calicoCluster + internetSet), { from: 'shop/db', to: 'other/client', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: shop\/db\[Deployment\] -> other\/client\[Deployment\] on 80\/TCP/);
    expect(r.output).toContain('GlobalNetworkSet internet (0.0.0.0/0) cover IPv4 only');
    expect(namespaceStatus(namespaceDefaultDenyEgress, calicoCluster + internetSet)).toContain('shop:fail');
  });

  it('the same in a notSelector: the set excludes pods from an Allow as a notNets would', () => {
    const notSet = internetSet.replace("destination: {selector: role == 'internet'}", "destination: {notSelector: role == 'internet'}");
    const r = reachCommandCore(snap(calicoCluster + notSet), { from: 'shop/db', to: 'other/client', port: '80' });
    expect(r.exitCode).not.toBe(0);
    expect(r.output).not.toMatch(/^ALLOWED/);
  });
});

// A stored policy (crd.projectcalico.org/v1) never met the v3 validator: Felix renders it and
// drops only the rule with a catch-all notNets (felix/rules/policy.go filterNets, isCatchAllCIDR:
// "Ignoring rule with negated catch-all CIDR"). Reviewer repro t9.
describe('a stored GlobalNetworkPolicy with a catch-all notNets', () => {
  const stored = `---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: default.shop-isolate}
spec:
  tier: default
  namespaceSelector: team == 'shop'
  types: [Ingress]
  ingress:
  - action: Allow
    source:
      notNets: [0.0.0.0/0]
`;

  it('still isolates shop: reach answers DENIED, saying the rule is ignored, and invalid-policy passes it', () => {
    const r = reachCommandCore(snap(calicoCluster + stored), { from: 'other/client', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by the end of Calico tier default (GlobalNetworkPolicy shop-isolate select it; no rule matched): TCP 5432');
    expect(r.output).toContain('note: GlobalNetworkPolicy shop-isolate ingress rule 0: source.notNets 0.0.0.0/0: Felix ignores a rule with a catch-all CIDR in a negation');
    expect(namespaceStatus(namespaceDefaultDenyIngress, calicoCluster + stored)).toEqual(['other:fail', 'shop:pass']);
    expect([...invalidPolicy.evaluate({ snapshot: snap(calicoCluster + stored), config: defaultConfig(), now: NOW })].map((x) => x.status)).toEqual(['pass']);
  });
});

// libcalico-go/lib/validator/v3/validator.go validateRule scanNets (cnet.ParseCIDR) and the
// `net` tag's validateIPNetwork: the v3 API refuses these rules, so the policies never exist.
// Reviewer repros t8, t8b.
describe('v3 manifests with an address or an unmasked CIDR in nets', () => {
  it.each([
    ['an address', 'db-only-from-bastion', '[203.0.113.7]', '"203.0.113.7" is an address, not a CIDR'],
    ['host bits set', 'db-deny-unmasked', '[10.1.2.3/8]', '"10.1.2.3/8" is not strictly masked'],
  ])('%s: network.invalid-policy fails high, naming the object and the field', (_label, name, nets, why) => {
    const yaml = calicoCluster + `---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  selector: app == 'db'\n  types: [Ingress]\n  ingress:\n  - {action: Deny, source: {nets: ${nets}}}\n  - {action: Allow}\n`;
    const rs = [...invalidPolicy.evaluate({ snapshot: snap(yaml), config: defaultConfig(), now: NOW })];
    expect(rs.map((x) => [x.status, x.resource.name])).toEqual([['fail', name]]);
    expect(rs[0].message).toContain(`GlobalNetworkPolicy ${name} is invalid and takes no effect: spec.ingress[0].source.nets[0]: ${why}`);
    expect(invalidPolicy.severity).toBe('high');
  });
});

// docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule: ipVersion is a "Positive IP
// version match"; a rule with nothing else matches every address of that family, the internet's
// included. Reviewer repro t16.
describe('a Calico Allow with only ipVersion: 4', () => {
  const v4Open = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-v4-open, namespace: shop}
spec:
  selector: app == 'db'
  ingress:
  - action: Allow
    ipVersion: 4
`;

  it('network.allow-all-ingress says it admits every IPv4 address, external ones included, as reach shows for 8.8.8.8', () => {
    const rs = [...allowAllIngress.evaluate({ snapshot: snap(calicoCluster + v4Open), config: defaultConfig(), now: NOW })].filter((r) => r.status === 'fail');
    expect(rs.map((r) => r.message)).toEqual(['Calico NetworkPolicy shop/db-v4-open admits ingress from every IPv4 address, pods and external addresses alike (ipVersion 4) on every port']);
    expect(reachCommandCore(snap(calicoCluster + v4Open), { from: '8.8.8.8', to: 'shop/db', port: '5432' }).exitCode).toBe(0);
  });
});

// Calico turns a NetworkPolicy ipBlock into rule nets/notNets (libcalico-go/lib/backend/k8s/
// conversion/conversion.go k8sPeerToCalicoFields), which Felix matches on the packet's address,
// a pod's included: Calico's default pool 192.168.0.0/16 lies outside this except. Repro t15.
describe('a Kubernetes ipBlock under Calico', () => {
  const internetOnly = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-internet-only, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
`;

  it('may hold a pod: reach to a pod is UNKNOWN (exit 2), naming the ipBlock', () => {
    const r = reachCommandCore(snap(calicoCluster + internetOnly), { from: 'shop/db', to: 'other/client', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: shop\/db\[Deployment\] -> other\/client\[Deployment\] on 80\/TCP/);
    expect(r.output).toContain("NetworkPolicy shop/egress-internet-only rule 0 (Allow): whether the pod's address is in 0.0.0.0/0 except 10.0.0.0/8 is not known");
  });

  it('without Calico (no CNI known) the ipBlock may hold the pod too, with no IPPool to settle it: reach is UNKNOWN', () => {
    // Every CNI but Cilium matches an ipBlock on pod addresses (test/unit/netpol/ipblock-pods.test.ts).
    const noCalico = calicoCluster.replace(/---\napiVersion: apps\/v1\nkind: DaemonSet[\s\S]*?calico\/node:v3\.31\.2"\}\]\n/, '');
    expect(noCalico).not.toContain('calico-node');
    const r = reachCommandCore(snap(noCalico + internetOnly), { from: 'shop/db', to: 'other/client', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toContain('IPPool');
  });
});

// libcalico-go updateprocessors/rules.go parseServiceAccounts: serviceAccounts.selector becomes a
// selector on pcsa.* labels, which Calico copies from the pod's ServiceAccount object (the ksa.
// profile). Whether such a rule matches a pod turns on labels only that object holds. Reviewer
// repros t11 (ServiceAccounts forbidden) and t10 (a ServiceAccount no manifest declares).
describe('Calico selectors on ServiceAccount labels that are not known', () => {
  const callersOnly = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-callers-only}
spec:
  order: 10
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Allow
    source:
      serviceAccounts: {selector: role == 'caller'}
  - action: Deny
`;
  const withSa = calicoCluster.replace('spec: {containers: [{name: c, image: busybox:1.36}]}', 'spec: {serviceAccountName: client-sa, containers: [{name: c, image: busybox:1.36}]}');
  const callerSa = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: client-sa, namespace: other, labels: {role: caller}}
`;
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-db', from: { namespace: 'other', podSelector: { app: 'client' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };
  const forbidden = () => {
    const s = snap(withSa + callerSa + callersOnly);
    s.coverage.serviceaccounts = { status: 'forbidden', detail: 'list serviceaccounts' };
    delete s.resources.serviceaccounts;
    return s;
  };

  it('read: the client\'s ServiceAccount is a caller, the flow is ALLOWED and intent-violation fails', () => {
    const s = snap(withSa + callerSa + callersOnly);
    expect(reachCommandCore(s, { from: 'other/client', to: 'shop/db', port: '5432' }).exitCode).toBe(0);
    const [outcome] = runChecks([intentViolation], { snapshot: s, config, now: NOW });
    expect(outcome.status).toBe('fail');
  });

  it('forbidden: intent-violation and the flow checks are not evaluated, naming the policy, and reach answers UNKNOWN (exit 2)', () => {
    const outcomes = runChecks([intentViolation, namespaceDefaultDenyIngress, allowAllIngress, policySelectsNothing], { snapshot: forbidden(), config, now: NOW });
    for (const o of outcomes) {
      expect(o.status).toBe('not-evaluated');
      expect(o.reason).toBe('needs serviceaccounts: forbidden (list serviceaccounts) for the ServiceAccount labels GlobalNetworkPolicy db-callers-only selects by');
    }
    const r = reachCommandCore(forbidden(), { from: 'other/client', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: other\/client\[Deployment\] -> shop\/db\[Deployment\] on 5432\/TCP/);
    expect(r.output).toContain('whether ServiceAccount other/client-sa is selected by pcsa.role == "caller" is not known: Calico matches its labels as pcsa.*, and ServiceAccounts could not be read; counted as not selected');
  });

  it('forbidden, but no policy selects by ServiceAccount labels: the checks are judged as before', () => {
    const s = forbidden();
    delete s.resources['calico-v3.globalnetworkpolicies'];
    const [outcome] = runChecks([namespaceDefaultDenyIngress], { snapshot: s, config, now: NOW });
    expect(outcome.status).toBe('fail');
  });

  it('from manifests, a ServiceAccount no manifest declares makes the flow UNKNOWN, saying to add it; declared, the answer is certain', () => {
    const r = reachCommandCore(snap(withSa + callersOnly), { from: 'other/client', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('whether ServiceAccount other/client-sa is selected by pcsa.role == "caller" is not known: Calico matches its labels as pcsa.*, and no manifest declares it (add the ServiceAccount manifest with its labels); counted as not selected');
    const declared = callerSa.replace('labels: {role: caller}', 'labels: {role: batch}');
    expect(reachCommandCore(snap(withSa + declared + callersOnly), { from: 'other/client', to: 'shop/db', port: '5432' }).exitCode).toBe(1);
    // Declared without any label, it is certain too: it has none for the selector to match.
    const unlabelled = callerSa.replace(', labels: {role: caller}', '');
    expect(reachCommandCore(snap(withSa + unlabelled + callersOnly), { from: 'other/client', to: 'shop/db', port: '5432' }).exitCode).toBe(1);
    // The default ServiceAccount, which no one declares, is created without labels: certain.
    expect(reachCommandCore(snap(calicoCluster + callersOnly), { from: 'other/client', to: 'shop/db', port: '5432' }).exitCode).toBe(1);
    // A term the pod's own labels already decide leaves no doubt.
    const decided = callersOnly.replace("serviceAccounts: {selector: role == 'caller'}", "serviceAccounts: {selector: role == 'caller'}\n      selector: app == 'nobody'");
    expect(reachCommandCore(snap(withSa + decided), { from: 'other/client', to: 'shop/db', port: '5432' }).exitCode).toBe(1);
  });

  it('a policy whose serviceAccountSelector cannot be judged for a pod says so in the run\'s notes', () => {
    const callersEgress = `---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: callers-egress}\nspec:\n  serviceAccountSelector: role == 'caller'\n  types: [Egress]\n  egress:\n  - {action: Deny}\n`;
    expect(buildReachability(snap(withSa + callersEgress)).notes).toContainEqual({
      object: { kind: 'GlobalNetworkPolicy', name: 'callers-egress' },
      message: 'GlobalNetworkPolicy callers-egress selects pods by ServiceAccount labels that are not known for 1 pod class(es) (whether ServiceAccount other/client-sa is selected by pcsa.role == "caller" is not known: Calico matches its labels as pcsa.*, and no manifest declares it (add the ServiceAccount manifest with its labels); counted as not selected): every verdict on them counts the labels as read',
    });
    expect(buildReachability(snap(withSa + callerSa + callersEgress)).notes.filter((n) => n.object.name === 'callers-egress')).toEqual([]);
  });
});

// A Calico policy whose OWN serviceAccountSelector turns on a ServiceAccount no manifest declares
// (reviewer repro c4/m): README's reach paragraph and docs/network-model.md promise UNKNOWN where
// the answer rests on ServiceAccount labels that are not known; Calico matches a
// serviceAccountSelector on the pod's ServiceAccount labels (docs.tigera.io/calico/latest/
// reference/resources/networkpolicy#spec: "serviceAccountSelector: Selects the service account(s)
// that this policy applies to").
describe('a Calico policy whose own serviceAccountSelector reads an undeclared ServiceAccount', () => {
  const cluster = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {hostNetwork: true, containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {kubernetes.io/metadata.name: db}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pg, namespace: db}
spec:
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec: {serviceAccountName: pg-sa, containers: [{name: c, image: postgres:16, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
`;
  const policies = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-ingress}
spec:
  serviceAccountSelector: role == 'db'
  types: [Ingress]
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [5432]}}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-ingress-ns, namespace: db}
spec:
  serviceAccountSelector: role == 'db'
  types: [Ingress]
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [5432]}}
`;
  const pgSa = (role: string) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: pg-sa, namespace: db, labels: {role: ${role}}}\n`;

  it('reach answers UNKNOWN (exit 2), naming db/pg-sa, where the policy may isolate db/pg', () => {
    const r = reachCommandCore(snap(cluster + policies), { from: 'shop/web', to: 'db/pg', port: '80' });
    expect(r.output).toMatch(/^UNKNOWN: shop\/web\[Deployment\] -> db\/pg\[Deployment\] on 80\/TCP/);
    expect(r.output).toContain('whether GlobalNetworkPolicy db-ingress applies to it is not known (whether ServiceAccount db/pg-sa is selected by pcsa.role == "db" is not known');
    expect(r.exitCode).toBe(2);
  });

  it('declared, the answer is certain: selected, port 80 is DENIED; not selected, it is ALLOWED', () => {
    expect(reachCommandCore(snap(cluster + pgSa('db') + policies), { from: 'shop/web', to: 'db/pg', port: '80' }).exitCode).toBe(1);
    expect(reachCommandCore(snap(cluster + pgSa('batch') + policies), { from: 'shop/web', to: 'db/pg', port: '80' }).exitCode).toBe(0);
  });

  it('policy-selects-nothing does not say a certain "applies to nothing": it passes, saying the ServiceAccount labels are not known', () => {
    const rs = [...policySelectsNothing.evaluate({ snapshot: snap(cluster + policies), config: defaultConfig(), now: NOW })];
    for (const name of ['db-ingress', 'db/db-ingress-ns']) {
      const r = rs.find((x) => `${x.resource.namespace ? `${x.resource.namespace}/` : ''}${x.resource.name}` === name);
      expect(r?.status, name).toBe('pass');
      expect(r?.message).toContain('may select 1 pod(s) whose ServiceAccount labels are not known: whether ServiceAccount db/pg-sa is selected by');
    }
    // Declared without the label, the policy certainly selects nothing.
    const declared = [...policySelectsNothing.evaluate({ snapshot: snap(cluster + pgSa('batch') + policies), config: defaultConfig(), now: NOW })];
    expect(declared.filter((x) => x.status === 'fail')).toHaveLength(2);
    // The run's notes say why the undeclared case is not a finding.
    expect(buildReachability(snap(cluster + policies)).notes.map((n) => n.message)).toContainEqual(expect.stringContaining('GlobalNetworkPolicy db-ingress selects pods by ServiceAccount labels that are not known for 1 pod class(es)'));
  });
});
