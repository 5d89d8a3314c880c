// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, kubernetes-sigs/network-policy-api
// v0.2.0) in the effective model. Each case cites the upstream text it follows: the Go types'
// doc comments (apis/v1alpha2/clusternetworkpolicy_types.go), rendered at
// https://network-policy-api.sigs.k8s.io/reference/spec/, and the v1alpha2 announcement
// (kubernetes-sigs/network-policy-api site-src/blog/posts/ClusterNetworkPolicy.md).
import { describe, expect, it } from 'vitest';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach, reachMatrix } from '../../../src/analysis/netpol/query.ts';
import { collectCalicoPolicies } from '../../../src/analysis/netpol/calico/policy.ts';
import { formatConns } from '../../../src/analysis/netpol/conns.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, ns, pod, policy, snap } from './helpers.ts';

const indent = (body: string) => body.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n');
const cnp = (name: string, tier: string, priority: number | string, body: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: ${tier}
  priority: ${priority}
${indent(body)}
`;
const anp = (name: string, priority: number, body: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
${indent(body)}
`;
const daemonset = (name: string, image: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: kube-system}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {hostNetwork: true, containers: [{name: agent, image: ${image}}]}
`;
const nsSel = (n: string) => `{matchLabels: {kubernetes.io/metadata.name: ${n}}}`;

// The reviewer's cluster: shop/web-1 calls db/postgres-1 on 5432; db is default-deny by NetworkPolicy.
const shop = ns('shop') + ns('db') + ns('other')
  + pod('shop', 'web-1', { app: 'web' })
  + pod('db', 'postgres-1', { app: 'postgres' }, [{ name: 'pg', containerPort: 5432 }])
  + pod('other', 'job-1', { app: 'job' });
const dbDenyAll = policy('db', 'default-deny', '{podSelector: {}, policyTypes: [Ingress]}');

describe('ClusterNetworkPolicy tiers', () => {
  // "If Admin tier has made a final decision (Accept or Deny) on a connection, then no further
  // evaluation is done." (ClusterNetworkPolicySpec.tier)
  it('an Admin-tier Accept is final: it allows what a NetworkPolicy denies (reach --from shop/web-1 --to db/postgres-1 --port 5432)', () => {
    const yaml = shop + dbDenyAll
      + cnp('shop-to-db', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{name: shop-postgres, action: Accept, from: [{namespaces: ${nsSel('shop')}}], protocols: [{tcp: {destinationPort: {number: 5432}}}]}]`);
    const r = reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'db/postgres-1', port: '5432' });
    expect(r.output).toMatch(/^ALLOWED: shop\/web-1\[Pod\] -> db\/postgres-1\[Pod\] on 5432\/TCP/);
    expect(r.output).toContain('ALLOWED by ClusterNetworkPolicy shop-to-db (tier Admin, priority 10) rule 0 "shop-postgres" (Accept): TCP 5432');
    const model = buildReachability(snap(yaml));
    // Only what the rule names: another port, and another namespace, stay denied by the NetworkPolicy.
    expect(queryReach(model, 'shop/web-1', 'db/postgres-1', 5433).allowed).toBe(false);
    expect(queryReach(model, 'other/job-1', 'db/postgres-1', 5432).allowed).toBe(false);
    // The matrix sees it too.
    expect(reachMatrix(model).filter((f) => f.to === 'db/postgres-1[Pod]').map((f) => `${f.from} ${formatConns(f.conns)}`)).toEqual(['shop/web-1[Pod] TCP 5432']);
  });

  it('an Admin-tier Deny beats a NetworkPolicy that allows', () => {
    const yaml = shop + policy('db', 'from-shop', `{podSelector: {}, ingress: [{from: [{namespaceSelector: ${nsSel('shop')}}]}]}`)
      + cnp('no-shop', 'Admin', 5, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Deny, from: [{namespaces: ${nsSel('shop')}}]}]`);
    const r = queryReach(buildReachability(snap(yaml)), 'shop/web-1', 'db/postgres-1', 5432);
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions[0].by).toBe('ClusterNetworkPolicy no-shop (tier Admin, priority 5) rule 0 (Deny)');
  });

  // "Baseline tier is a cluster-wide policy that can be overridden by the v1.NetworkPolicy."
  it('a Baseline-tier Deny decides a pod no NetworkPolicy selects, and a NetworkPolicy overrides it', () => {
    const baseline = cnp('default', 'Baseline', 10, `subject: {namespaces: {}}\ningress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]`);
    const r = queryReach(buildReachability(snap(shop + baseline)), 'shop/web-1', 'db/postgres-1', 5432);
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions[0].by).toBe('ClusterNetworkPolicy default (tier Baseline, priority 10) rule 0 "deny-all" (Deny)');
    const withNp = shop + baseline + policy('db', 'from-shop', `{podSelector: {}, ingress: [{from: [{namespaceSelector: ${nsSel('shop')}}]}]}`);
    const r2 = queryReach(buildReachability(snap(withNp)), 'shop/web-1', 'db/postgres-1', 5432);
    expect(r2.allowed).toBe(true);
    expect(r2.ingress.decisions[0].by).toBe('NetworkPolicy db/from-shop rule 0 (Allow)');
    // namespace-default-deny counts the Baseline deny as isolating the namespace from pods (an
    // ingress rule cannot name outside addresses: still open to them, a medium finding).
    const v = [...namespaceDefaultDenyIngress.evaluate(ctxOf(shop + baseline))].find((x) => x.resource.name === 'db');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium', evidence: { openTo: 'addresses outside the cluster', isolatedBy: [{ policy: 'ClusterNetworkPolicy default', api: 'ClusterNetworkPolicy' }] } });
  });

  // "Pass: Skips all further ClusterNetworkPolicy rules in the current tier for the selected
  // traffic, and passes evaluation to the next tier."
  it('Pass falls through: Admin Pass hands the flow to NetworkPolicy, Baseline Pass to the default allow', () => {
    const adminPass = cnp('delegate', 'Admin', 1, `subject: {namespaces: {}}\ningress: [{action: Pass, from: [{namespaces: ${nsSel('shop')}}]}, {action: Deny, from: [{namespaces: {}}]}]`);
    // Passed to NetworkPolicy, which denies it…
    const denied = queryReach(buildReachability(snap(shop + dbDenyAll + adminPass)), 'shop/web-1', 'db/postgres-1', 5432);
    expect(denied.allowed).toBe(false);
    expect(denied.ingress.decisions[0].by).toContain('db/default-deny');
    // …while a flow the Pass does not match meets the Admin Deny.
    expect(queryReach(buildReachability(snap(shop + adminPass)), 'other/job-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy delegate (tier Admin, priority 1) rule 1 (Deny)');
    // v1alpha2 gives the Baseline tier Pass too: it skips the later Baseline policies.
    const baseline = cnp('b-pass', 'Baseline', 1, `subject: {namespaces: {}}\ningress: [{action: Pass, from: [{namespaces: ${nsSel('shop')}}]}]`)
      + cnp('b-deny', 'Baseline', 2, `subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);
    const model = buildReachability(snap(shop + baseline));
    expect(queryReach(model, 'shop/web-1', 'db/postgres-1', 5432).allowed).toBe(true);
    expect(queryReach(model, 'other/job-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy b-deny (tier Baseline, priority 2) rule 0 (Deny)');
  });

  // "Policies with lower priority values have higher precedence" (ClusterNetworkPolicySpec.priority), in either tier.
  it('lower priority first in each tier; the Baseline tier is ordered by priority too', () => {
    const yaml = shop
      + cnp('b-allow', 'Baseline', 3, `subject: {namespaces: {}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('shop')}}]}]`)
      + cnp('b-deny', 'Baseline', 7, `subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`)
      + cnp('a-deny', 'Admin', 900, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Deny, from: [{namespaces: ${nsSel('other')}}]}]`)
      + cnp('a-accept', 'Admin', 20, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('other')}}]}]`);
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'shop/web-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy b-allow (tier Baseline, priority 3) rule 0 (Accept)');
    expect(queryReach(model, 'other/job-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy a-accept (tier Admin, priority 20) rule 0 (Accept)');
    expect(queryReach(model, 'db/postgres-1', 'shop/web-1', 80).allowed).toBe(false);
  });

  // "If two (or more) policies in the same tier with the same priority could match a connection,
  // then the implementation can apply any of the matching policies" — now in the Baseline tier too.
  it('equal priorities in the Baseline tier: the answer that depends on the order is UNKNOWN, with a note', () => {
    const yaml = shop
      + cnp('aaa-deny', 'Baseline', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`)
      + cnp('bbb-accept', 'Baseline', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: {}}]}]`);
    expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toContain('ClusterNetworkPolicies aaa-deny, bbb-accept share priority 10 in the Baseline tier: their relative order is undefined upstream; the model evaluates them by name');
    const r = reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'db/postgres-1', port: '5432' });
    expect(r.output).toMatch(/^UNKNOWN: /);
    expect(r.output).toContain('ClusterNetworkPolicies aaa-deny, bbb-accept share priority 10 and both match this flow');
  });
});

describe('ClusterNetworkPolicy rule fields (v1alpha2)', () => {
  it('protocols: tcp/udp/sctp destinationPort number or range, destinationNamedPort on the receiving pod', () => {
    const yaml = shop
      + cnp('ports', 'Admin', 1, `subject: {namespaces: ${nsSel('db')}}\ningress:\n- {action: Accept, from: [{namespaces: {}}], protocols: [{destinationNamedPort: pg}, {udp: {destinationPort: {range: {start: 5000, end: 5002}}}}, {sctp: {destinationPort: {number: 9}}}]}\n- {action: Deny, from: [{namespaces: {}}]}`);
    const r = queryReach(buildReachability(snap(yaml)), 'shop/web-1', 'db/postgres-1');
    expect(formatConns(r.ports)).toBe('SCTP 9,TCP 5432,UDP 5000-5002');
  });

  it('egress networks, nodes and domainNames in either tier; networks match pods too, and since pod addresses are unknown that answer is uncertain, not confident', () => {
    const yaml = shop
      + cnp('egress', 'Baseline', 1, `subject: {namespaces: ${nsSel('shop')}}\negress:\n- {action: Accept, to: [{domainNames: ['*.example.com']}]}\n- {action: Accept, to: [{networks: [10.0.0.0/8]}]}\n- {action: Deny, to: [{networks: [0.0.0.0/0]}]}`);
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'shop/web-1', '10.1.2.3', 443).allowed).toBe(true);
    expect(queryReach(model, 'shop/web-1', '8.8.8.8', 443).allowed).toBe(false);
    const toPod = queryReach(model, 'shop/web-1', 'db/postgres-1', 5432);
    expect(toPod.undetermined?.some((u) => u.startsWith('uncertain: '))).toBe(true);
  });

  // CNPAdminTierEgressNodePeers (network-policy-api conformance/tests/
  // admin-network-policy-experimental-egress-rules.go): "centaur-1 is our server host-networked
  // pod"; an Accept to `nodes` lets the client reach it, a Deny to `nodes` stops it.
  it('an egress nodes peer reaches a host-network pod (it listens on its node\'s address)', () => {
    const yaml = shop + pod('other', 'node-agent', { app: 'agent' }, [{ name: 'metrics', containerPort: 9100 }], { hostNetwork: true })
      + cnp('nodes', 'Admin', 10, `subject: {namespaces: ${nsSel('shop')}}\negress:\n- {name: metrics, action: Accept, to: [{nodes: {}}], protocols: [{tcp: {destinationPort: {number: 9100}}}]}\n- {name: no-nodes, action: Deny, to: [{nodes: {}}]}`);
    const ok = reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'other/node-agent', port: '9100' });
    expect(ok.exitCode).toBe(0);
    expect(ok.output).toContain('ALLOWED by ClusterNetworkPolicy nodes (tier Admin, priority 10) rule 0 "metrics" (Accept): TCP 9100');
    const no = reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'other/node-agent', port: '22' });
    expect(no.exitCode).toBe(1);
    expect(no.output).toContain('DENIED by ClusterNetworkPolicy nodes (tier Admin, priority 10) rule 1 "no-nodes" (Deny): TCP 22');
    // A pod on the pod network is no node.
    expect(reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'other/job-1', port: '22' }).exitCode).toBe(0);
  });

  // "If an implementation sees no fields are set then it can infer that the deployed CRD is of an
  // incompatible version with an unknown field. In that case it should fail closed. For "Accept"
  // rules, "fail closed" means: "treat the rule as matching no traffic". For "Deny" and "Pass"
  // rules, […] "treat the rule as a 'Deny all' rule"." (ClusterNetworkPolicyEgressPeer)
  // A peer field the installed CRD lacks is pruned before validation, on a write and on a read
  // from etcd (KEP-2332, Pruning for Custom Resources: "in the serializer [...] for the request
  // body and when reading from etcd"), and both v0.2.0 CRD channels give each peer
  // minProperties: 1 (config/crd/{standard,experimental}/policy.networking.k8s.io_clusternetworkpolicies.yaml):
  // a manifest's such peer makes the API server refuse the object. A stored object shows it
  // empty only where a CRD downgrade pruned it on read, and then ClusterNetworkPolicyIngressPeer
  // says: "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic". For
  // "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
  it('a peer this version does not know (or an empty one): refused from a manifest; stored, it fails closed, an Accept rule matching no traffic', () => {
    const deny = shop + cnp('future', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Pass, from: [{serviceAccounts: {}}]}]`);
    expect([...invalidPolicy.evaluate(ctxOf(deny))].map((x) => x.message)).toEqual(['ClusterNetworkPolicy future is invalid and takes no effect: spec.ingress[0].from[0]: peer type "serviceAccounts" is not known to policy.networking.k8s.io/v1alpha2 ingress rules: the API server prunes it, and refuses the peer left with no field (the CRD\'s minProperties 1), so this object is never stored']);
    expect(queryReach(buildReachability(snap(deny)), 'shop/web-1', 'db/postgres-1', 5432).allowed).toBe(true);
    const accept = shop + dbDenyAll + cnp('pruned', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('shop')}}, {}]}]`);
    expect([...invalidPolicy.evaluate(ctxOf(accept))].filter((x) => x.status === 'fail').map((x) => x.message)).toEqual(['ClusterNetworkPolicy pruned is invalid and takes no effect: spec.ingress[0].from[1]: no peer field is set: the API server refuses it (the CRD\'s minProperties 1), so this object is never stored']);
    // Stored (a live cluster): the pruned peer fails closed.
    const live = (yaml: string) => ({ ...snap(yaml), source: 'live' as const, origin: 'live' as const });
    const m2 = buildReachability(live(accept));
    // Before: the Accept kept its namespaces peer, and shop reached db past the NetworkPolicy.
    expect(queryReach(m2, 'shop/web-1', 'db/postgres-1', 5432).allowed).toBe(false);
    expect(m2.notes.map((n) => n.message)).toEqual(['spec.ingress[0].from[1]: no peer field is set (the CRD may have pruned a field it does not know); treated as making the whole Accept rule match no traffic, its other peers with it (fail closed)']);
    const pass = buildReachability(live(shop + cnp('pruned-pass', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Pass, from: [{}]}]`)));
    expect(queryReach(pass, 'shop/web-1', 'db/postgres-1', 5432).allowed).toBe(false);
    expect(pass.notes.map((n) => n.message)).toEqual(['spec.ingress[0].from[0]: no peer field is set (the CRD may have pruned a field it does not know); treated as denying everything (fail closed)']);
  });

  it('what the API server rejects is a finding naming the object and the field, and is never evaluated', () => {
    const yaml = shop
      + cnp('no-tier', 'Middle', 1, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]')
      + cnp('allow-word', 'Admin', 2, 'subject: {namespaces: {}}\ningress: [{action: Allow, from: [{namespaces: {}}]}]')
      + cnp('too-big', 'Baseline', 1001, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]')
      + cnp('deny-domain', 'Admin', 3, 'subject: {namespaces: {}}\negress: [{action: Deny, to: [{domainNames: [example.com]}]}]')
      + cnp('bare-tcp', 'Admin', 4, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {}}]}]')
      + cnp('ingress-networks', 'Admin', 5, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{networks: [10.0.0.0/8]}, {namespaces: {}}]}]');
    const fails = Object.fromEntries([...invalidPolicy.evaluate(ctxOf(yaml))].filter((x) => x.status === 'fail').map((x) => [x.resource.name, x.message]));
    expect(fails).toEqual({
      'no-tier': 'ClusterNetworkPolicy no-tier is invalid and takes no effect: spec.tier: "Middle" is not Admin or Baseline',
      'allow-word': 'ClusterNetworkPolicy allow-word is invalid and takes no effect: spec.ingress[0].action: "Allow" is not Accept, Deny, Pass',
      'too-big': 'ClusterNetworkPolicy too-big is invalid and takes no effect: spec.priority: 1001 is out of range (0-1000)',
      'deny-domain': 'ClusterNetworkPolicy deny-domain is invalid and takes no effect: spec.egress[0].to[0].domainNames: only Accept rules may name domains (this rule is Deny)',
      'bare-tcp': 'ClusterNetworkPolicy bare-tcp is invalid and takes no effect: spec.ingress[0].protocols[0].tcp.destinationPort: missing or not an object',
      // networks is an egress peer only: on an ingress rule it is a field the CRD prunes.
      'ingress-networks': 'ClusterNetworkPolicy ingress-networks is invalid and takes no effect: spec.ingress[0].from[0]: peer type "networks" is not known to policy.networking.k8s.io/v1alpha2 ingress rules: the API server prunes it, and refuses the peer left with no field (the CRD\'s minProperties 1), so this object is never stored',
    });
  });
});

describe('ClusterNetworkPolicy in the network checks', () => {
  it('allow-all-ingress and unrestricted-egress judge its Accept rules; policy-selects-nothing its subject', () => {
    const yaml = shop
      + cnp('open', 'Baseline', 10, 'subject: {namespaces: {}}\ningress: [{action: Accept, from: [{namespaces: {}}]}]\negress: [{action: Accept, to: [{networks: [0.0.0.0/0]}]}]')
      + cnp('typo', 'Admin', 11, `subject: {namespaces: ${nsSel('dbb')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);
    expect([...allowAllIngress.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'open')).toMatchObject({ status: 'fail', resource: { kind: 'ClusterNetworkPolicy' }, message: 'ClusterNetworkPolicy open admits ingress from every pod in every namespace on every port' });
    expect([...unrestrictedEgress.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'open')).toMatchObject({ status: 'fail', message: 'ClusterNetworkPolicy open allows egress to every IPv4 address (ipBlocks cover 0.0.0.0/0) on every port' });
    expect([...policySelectsNothing.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'typo')).toMatchObject({ status: 'fail', message: 'ClusterNetworkPolicy typo selects no pod (namespaces kubernetes.io/metadata.name in (dbb)): it applies to nothing' });
  });
});

describe('ClusterNetworkPolicy next to the v1alpha1 kinds and CNIs', () => {
  it('both API versions apply when both exist: an ANP and a CNP in the admin tier, by priority', () => {
    const yaml = shop
      + anp('old-deny', 5, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Deny, from: [{namespaces: ${nsSel('other')}}]}]`)
      + cnp('new-accept', 'Admin', 3, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('shop')}}]}]`)
      + cnp('new-deny', 'Admin', 8, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'shop/web-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy new-accept (tier Admin, priority 3) rule 0 (Accept)');
    expect(queryReach(model, 'other/job-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('AdminNetworkPolicy old-deny (priority 5) rule 0 (Deny)');
    expect(queryReach(model, 'db/postgres-1', 'db/postgres-1', 5432).ingress.decisions[0].by).toBe('ClusterNetworkPolicy new-deny (tier Admin, priority 8) rule 0 (Deny)');
  });

  // https://network-policy-api.sigs.k8s.io/implementations/ (ClusterNetworkPolicy: kube-network-policies,
  // Kube-OVN, Calico v3.32); Calico v3.32.0 release notes: AdminNetworkPolicy support removed.
  it('Calico v3.32 enforces ClusterNetworkPolicy in its admin tier; v3.31, Antrea and Cilium do not, and say so', () => {
    const yaml = shop + dbDenyAll + cnp('shop-to-db', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('shop')}}]}]`);
    const v332 = buildReachability(snap(yaml + daemonset('calico-node', 'quay.io/calico/node:v3.32.0')));
    expect(v332.composition.name).toBe('calico');
    expect(queryReach(v332, 'shop/web-1', 'db/postgres-1', 5432).allowed).toBe(true);
    for (const [image, who] of [['quay.io/calico/node:v3.31.2', 'calico v3.31.2 does not implement ClusterNetworkPolicy (Calico enforces it from v3.32.0)'], ['antrea/antrea-agent-ubuntu:v2.2.0', 'antrea does not implement ClusterNetworkPolicy'], ['quay.io/cilium/cilium:v1.18.0', 'cilium v1.18.0 does not implement ClusterNetworkPolicy (Cilium enforces it from 1.20, with cilium-config enable-k8s-cluster-network-policy)']] as const) {
      const withCni = yaml + daemonset(image.includes('cilium') ? 'cilium' : image.includes('antrea') ? 'antrea-agent' : 'calico-node', image);
      expect(queryReach(buildReachability(snap(withCni)), 'shop/web-1', 'db/postgres-1', 5432).allowed, image).toBe(false);
      const fails = [...cniNotEnforcing.evaluate(ctxOf(withCni))].filter((x) => x.status === 'fail').map((x) => x.message);
      expect(fails, image).toContain(`1 ClusterNetworkPolicy object(s) have no effect: ${who}`);
    }
  });

  // Calico v3.32 enforces a ClusterNetworkPolicy as the GlobalNetworkPolicy
  // libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go makes of it (the same file at
  // projectcalico/calico v3.32.0, v3.32.1, release-v3.32 and master, read for this test):
  // combinePortsWithCNPIngressPeers converts namespaces and pods peers, combinePortsWithCNPEgressPeers
  // those and networks; any other peer fails the whole rule ("none of supported fields in 'To' is
  // set."), and k8sClusterNetPolHandleFailedRules replaces a failed Deny or Pass rule with
  // Rule{Action: Deny} and returns nothing for a failed Accept. Calico's own
  // clusternetworkpolicy_test.go (v3.32.1) asserts it: "should faild parsing an ClusterNetworkPolicy
  // with a rule with neither namespaces or pods set" (the Pass egress rule becomes
  // Rule{Action: Deny}, the Accept ingress rule leaves no rule) and "should replace an unsupported
  // ClusterNetworkPolicy rule with Deny action with a deny-all one". The list path keeps the
  // converted policy ("Silently ignore rule conversion errors", resources/kubeclusternetworkpolicy.go).
  describe('on Calico v3.32, rules as its converter enforces them', () => {
    const calico = daemonset('calico-node', 'quay.io/calico/node:v3.32.0');
    const matrixOf = (yaml: string, from: string, to: string) => {
      const row = reachMatrix(buildReachability(snap(yaml))).find((r) => r.from === `${from}[Pod]` && r.to === `${to}[Pod]`);
      return row ? formatConns(row.conns) : 'No Connections';
    };

    it('a Deny naming nodes denies all egress of its subjects: shop/web-1 cannot reach db/postgres-1', () => {
      const yaml = shop + cnp('no-nodes', 'Admin', 10, `subject: {namespaces: ${nsSel('shop')}}\negress: [{name: nodes, action: Deny, to: [{nodes: {}}]}]`);
      // As the API defines it (an unrecognised CNI): only node addresses are denied.
      expect(reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'db/postgres-1', port: '5432' }).output).toMatch(/^ALLOWED: /);
      const r = reachCommandCore(snap(yaml + calico), { from: 'shop/web-1', to: 'db/postgres-1', port: '5432' });
      expect(r.output).toMatch(/^DENIED: /);
      expect(r.output).toContain('DENIED by ClusterNetworkPolicy no-nodes (tier Admin, priority 10) rule 0 "nodes" (Deny): TCP 5432');
      expect(r.output).toContain('note: ClusterNetworkPolicy no-nodes (tier Admin, priority 10) rule 0 "nodes" (Deny): Calico v3.32+ cannot convert a nodes or domainNames peer: it enforces this Deny rule as a Deny of all egress traffic');
      expect(matrixOf(yaml + calico, 'shop/web-1', 'db/postgres-1')).toBe('No Connections');
      expect(matrixOf(yaml + calico, 'other/job-1', 'db/postgres-1')).toBe('All Connections'); // other is not a subject
      // The run's coverage notes say it; the policy is valid and evaluated, no longer "cannot be evaluated".
      expect(buildReachability(snap(yaml + calico)).notes.map((n) => `${n.object.kind} ${n.object.name}: ${n.message}`)).toEqual(['ClusterNetworkPolicy no-nodes: egress rule 0 "nodes" (Deny): Calico v3.32+ cannot convert a nodes or domainNames peer: it enforces this Deny rule as a Deny of all egress traffic']);
      expect([...invalidPolicy.evaluate(ctxOf(yaml + calico))].map((x) => x.status)).toEqual(['pass']);
      // A Baseline Pass fails the same way (k8sClusterNetPolHandleFailedRules: Deny or Pass).
      const pass = shop + calico + cnp('pass-nodes', 'Baseline', 10, `subject: {namespaces: ${nsSel('shop')}}\negress: [{action: Pass, to: [{nodes: {matchLabels: {node-role.kubernetes.io/control-plane: ''}}}]}]`);
      expect(matrixOf(pass, 'shop/web-1', 'db/postgres-1')).toBe('No Connections');
    });

    it('an Accept naming nodes or domainNames is dropped, its pods peer with it: the Deny after it decides', () => {
      const yaml = shop + calico + cnp('shop-egress', 'Admin', 10, `subject: {namespaces: ${nsSel('shop')}}
egress:
- name: api-server-and-db
  action: Accept
  to:
  - nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}
  - pods: {namespaceSelector: ${nsSel('db')}, podSelector: {}}
  protocols: [{tcp: {destinationPort: {number: 6443}}}, {tcp: {destinationPort: {number: 5432}}}]
- {name: registry, action: Accept, to: [{domainNames: [registry.example.com]}, {namespaces: ${nsSel('other')}}]}
- {name: deny-cluster, action: Deny, to: [{namespaces: {}}]}`);
      const r = reachCommandCore(snap(yaml), { from: 'shop/web-1', to: 'db/postgres-1', port: '5432' });
      expect(r.output).toMatch(/^DENIED: /);
      expect(r.output).toContain('DENIED by ClusterNetworkPolicy shop-egress (tier Admin, priority 10) rule 2 "deny-cluster" (Deny): TCP 5432');
      expect(r.output).toContain('note: ClusterNetworkPolicy shop-egress egress rule 0 "api-server-and-db" (Accept) is not enforced: Calico v3.32+ cannot convert a nodes or domainNames peer and drops the rule, its other peers with it');
      expect(matrixOf(yaml, 'shop/web-1', 'db/postgres-1')).toBe('No Connections');
      expect(matrixOf(yaml, 'shop/web-1', 'other/job-1')).toBe('No Connections');
      expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toEqual([
        'egress rule 0 "api-server-and-db" (Accept) is not enforced: Calico v3.32+ cannot convert a nodes or domainNames peer and drops the rule, its other peers with it',
        'egress rule 1 "registry" (Accept) is not enforced: Calico v3.32+ cannot convert a nodes or domainNames peer and drops the rule, its other peers with it',
      ]);
      // As the API defines it, the pods and namespaces peers allow.
      expect(matrixOf(yaml.replace(calico, ''), 'shop/web-1', 'db/postgres-1')).toBe('TCP 5432,6443');
      expect(matrixOf(yaml.replace(calico, ''), 'shop/web-1', 'other/job-1')).toBe('All Connections');
    });

    // k8sCNPPortToCalicoFields converts destinationNamedPort (numorstring.NamedPort), unlike the
    // v3.29-v3.31 ANP converter ("TODO: Add support for NamedPorts").
    it('a destinationNamedPort is converted: an Accept on "pg" opens 5432 only', () => {
      const yaml = shop + dbDenyAll + calico + cnp('pg-only', 'Admin', 10, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('shop')}}], protocols: [{destinationNamedPort: pg}]}]`);
      expect(matrixOf(yaml, 'shop/web-1', 'db/postgres-1')).toBe('TCP 5432');
      expect(buildReachability(snap(yaml)).notes).toEqual([]);
    });
  });

  it('the Calico API server\'s kcnp.* mirrors are skipped, and the note says they mirror ClusterNetworkPolicies, which are read', () => {
    const yaml = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: kcnp.shop-to-db}
spec: {tier: kube-admin, order: 10, selector: all(), types: [Ingress]}
` + cnp('shop-to-db', 'Admin', 10, 'subject: {namespaces: {}}\ningress: [{action: Accept, from: [{namespaces: {}}]}]');
    const set = collectCalicoPolicies(snap(yaml));
    expect(set.policies).toEqual([]);
    expect(set.notes.map((n) => n.message)).toContain('1 projectcalico.org/v3 object(s) named kcnp.* skipped: the Calico API server mirrors them from ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2), which are evaluated from their own kinds');
    expect(buildReachability(snap(yaml)).policies.map((p) => p.id)).toEqual(['ClusterNetworkPolicy:shop-to-db']);
  });

  // Calico v3.32 puts Admin ClusterNetworkPolicies in its kube-admin tier (order 1,000, Pass) and
  // Baseline ones in kube-baseline, where Calico policies may sit too and are ordered with them by
  // order: release-notes/v3.32.0-release-notes.md (calico#10810, "Two new static tiers named
  // kube-admin(order 1,000) and kube-baseline(order 10,000,000)"; calico#11144, "Static tiers named
  // adminnetworkpolicy and baselineadminnetworkpolicy are removed"), libcalico-go/lib/names/policy.go
  // (KubeAdminTierName), https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy
  // ("kube-admin tier"). Felix breaks an equal order by "name/namespace/kind" (felix/calc/policy_sorter.go
  // PolKVLess), a ClusterNetworkPolicy being kind KubernetesClusterNetworkPolicy.
  it('on Calico v3.32, ClusterNetworkPolicies share the kube-admin tier with the Calico policies placed there, ordered together', () => {
    const gnp = (name: string, tier: string, order: number) => `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec: {tier: ${tier}, order: ${order}, selector: "projectcalico.org/namespace == 'db'", types: [Ingress], ingress: [{action: Deny, source: {namespaceSelector: "kubernetes.io/metadata.name == 'other'"}}]}
`;
    const accept = (name: string) => cnp(name, 'Admin', 20, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Accept, from: [{namespaces: ${nsSel('other')}}]}]`);
    const calico = daemonset('calico-node', 'quay.io/calico/node:v3.32.0');
    const flow = (yaml: string) => queryReach(buildReachability(snap(shop + calico + yaml)), 'other/job-1', 'db/postgres-1', 5432);
    // The Calico deny at order 10 comes before the ClusterNetworkPolicy's priority 20, and after it at 30.
    const first = flow(accept('allow-jobs') + gnp('deny-other', 'kube-admin', 10));
    expect(first.allowed).toBe(false);
    expect(first.ingress.decisions[0].by).toContain('deny-other');
    expect(flow(accept('allow-jobs') + gnp('deny-other', 'kube-admin', 30)).allowed).toBe(true);
    // Equal order: "db//KubernetesClusterNetworkPolicy" sorts after "db-guard//GlobalNetworkPolicy" ('-' < '/').
    expect(flow(accept('db') + gnp('db-guard', 'kube-admin', 20)).allowed).toBe(false);
    expect(flow(accept('zz') + gnp('db-guard', 'kube-admin', 20)).allowed).toBe(false);
    expect(flow(accept('allow') + gnp('db-guard', 'kube-admin', 20)).allowed).toBe(true);
    // The stage that holds them is named as the cluster's Calico names it.
    const model = buildReachability(snap(shop + calico + accept('allow-jobs')));
    const p = model.policyById.get('ClusterNetworkPolicy:allow-jobs')!;
    expect(model.composition.stages[model.composition.stageOf(p)!].label).toBe('Calico tier kube-admin');
    expect(model.composition.stages.map((s) => s.label)).not.toContain('Calico tier adminnetworkpolicy');
    // Up to v3.31 an AdminNetworkPolicy sits in the tier adminnetworkpolicy (names.AdminNetworkPolicyTierName).
    const v331 = buildReachability(snap(shop + daemonset('calico-node', 'quay.io/calico/node:v3.31.7') + anp('allow-jobs', 20, `subject: {namespaces: ${nsSel('db')}}\ningress: [{action: Allow, from: [{namespaces: ${nsSel('other')}}]}]`)));
    const a = v331.policyById.get('AdminNetworkPolicy:allow-jobs')!;
    expect(v331.composition.stages[v331.composition.stageOf(a)!].label).toBe('Calico tier adminnetworkpolicy');
    expect(v331.composition.stages.map((s) => s.label)).not.toContain('Calico tier kube-admin');
  });

  it('a ClusterNetworkPolicy kind that could not be read makes the network checks not evaluated', () => {
    const ctx = ctxOf(shop);
    expect(ctx.snapshot.coverage['anp.clusternetworkpolicies']?.status).toBe('absent');
    ctx.snapshot.coverage['anp.clusternetworkpolicies'] = { status: 'error', detail: 'clusternetworkpolicies.policy.networking.k8s.io is served at v1alpha3; not read (ztaudit reads v1alpha2)' };
    const [o] = runChecks([namespaceDefaultDenyIngress], ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('anp.clusternetworkpolicies: error');
  });
});
