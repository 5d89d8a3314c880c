// network.unrestricted-egress and network.allow-all-ingress judge what the selected pods can
// effectively reach (or be reached from), not each rule alone: "traffic is allowed if it matches
// at least one rule across all of the network policies that select the pod"
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/), so 0.0.0.0/1 in one
// rule and 128.0.0.0/1 in another rule or policy open every address as 0.0.0.0/0 does. Half the
// Internet alone is still not every address; the port-level verdict is a single /0 rule's.
import { describe, expect, it } from 'vitest';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import type { Check } from '../../../src/engine/types.ts';
import { ctxOf, pod, policy } from './helpers.ts';

const WEB = pod('shop', 'web', { app: 'web' });
const egress = (rules: string) => `{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [${rules}]}`;
const ingress = (rules: string) => `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [${rules}]}`;
const to = (cidr: string, more = '') => `{to: [{ipBlock: {cidr: "${cidr}"${more}}}]}`;
const from = (cidr: string, more = '') => `{from: [{ipBlock: {cidr: "${cidr}"${more}}}]}`;
const on = (rule: string, ports: string) => `${rule.slice(0, -1)}, ports: [${ports}]}`;

function results(check: Check, yaml: string, config = {}) {
  return [...check.evaluate(ctxOf(WEB + yaml, config))].map((v) => ({ name: v.resource.name, status: v.status, severity: v.severity ?? 'high', message: v.message }));
}

describe('network.unrestricted-egress: every public address opened over several rules', () => {
  it('0.0.0.0/1 and 128.0.0.0/1 in two rules of one policy fail as 0.0.0.0/0 does, naming both rules', () => {
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(`${to('0.0.0.0/1')}, ${to('128.0.0.0/1')}`)))).toEqual([
      { name: 'out', status: 'fail', severity: 'high', message: 'shop/out allows egress to every public IPv4 address (rules 0, 1 together) on every port' },
    ]);
  });

  it('0.0.0.0/2 four times, one rule each, fail alike', () => {
    const rules = ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2'].map((c) => to(c)).join(', ');
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(rules)))[0].message).toBe('shop/out allows egress to every public IPv4 address (rules 0, 1, 2, 3 together) on every port');
  });

  it('two policies with one half each: each fails, naming the other policy\'s rule', () => {
    const yaml = policy('shop', 'lower', egress(to('0.0.0.0/1'))) + policy('shop', 'upper', egress(to('128.0.0.0/1')));
    const v = [...unrestrictedEgress.evaluate(ctxOf(WEB + yaml))];
    expect(v.map((x) => [x.resource.kind, x.resource.name, x.status, x.message])).toEqual([
      ['NetworkPolicy', 'lower', 'fail', 'shop/lower allows egress to every public IPv4 address (rule 0 together with NetworkPolicy shop/upper rule 0 (Allow)) on every port'],
      ['NetworkPolicy', 'upper', 'fail', 'shop/upper allows egress to every public IPv4 address (rule 0 together with NetworkPolicy shop/lower rule 0 (Allow)) on every port'],
    ]);
    expect(v[0].evidence?.openRules).toEqual([expect.objectContaining({ rules: [0], together: ['NetworkPolicy shop/upper rule 0 (Allow)'], anyPort: true })]);
  });

  it('0.0.0.0/1 alone still passes: half the Internet is not every address', () => {
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(to('0.0.0.0/1'))))).toEqual([{ name: 'out', status: 'pass', severity: 'high', message: 'shop/out restricts egress destinations' }]);
  });

  it('split and restricted to one port, the verdict is a single 0.0.0.0/0 rule\'s on that port', () => {
    const single = (ports: string) => results(unrestrictedEgress, policy('shop', 'out', egress(on(to('0.0.0.0/0'), ports))))[0];
    const split = (ports: string) => results(unrestrictedEgress, policy('shop', 'out', egress(`${on(to('0.0.0.0/1'), ports)}, ${on(to('128.0.0.0/1'), ports)}`)))[0];
    expect(split('{port: 443}')).toEqual({ name: 'out', status: 'pass', severity: 'high', message: 'shop/out allows egress to any destination only on TCP 443' });
    expect(split('{port: 443}')).toEqual(single('{port: 443}'));
    expect(split('{port: 53, protocol: UDP}')).toEqual({ name: 'out', status: 'fail', severity: 'low', message: 'shop/out allows DNS (port 53) to any destination: a DNS exfiltration path; send DNS to kube-dns only' });
    expect(split('{port: 53, protocol: UDP}')).toEqual(single('{port: 53, protocol: UDP}'));
  });

  it('a single /0 rule on one port beside halves on every port: the halves decide (every port)', () => {
    const rules = `${on(to('0.0.0.0/0'), '{port: 443}')}, ${to('0.0.0.0/1')}, ${to('128.0.0.0/1')}`;
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(rules)))[0]).toEqual({ name: 'out', status: 'fail', severity: 'high', message: 'shop/out allows egress to every public IPv4 address (rules 1, 2 together) on every port' });
  });

  it('IPv6: ::/1 + 8000::/1 fails; 2000::/4 and 3000::/4 (global unicast 2000::/3) in two policies fail', () => {
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(`${to('::/1')}, ${to('8000::/1')}`)))[0].status).toBe('fail');
    const yaml = policy('shop', 'a', egress(to('2000::/4'))) + policy('shop', 'b', egress(to('3000::/4')));
    expect(results(unrestrictedEgress, yaml).map((r) => r.message)).toEqual([
      'shop/a allows egress to every public IPv6 address (rule 0 together with NetworkPolicy shop/b rule 0 (Allow)) on every port',
      'shop/b allows egress to every public IPv6 address (rule 0 together with NetworkPolicy shop/a rule 0 (Allow)) on every port',
    ]);
  });

  // protectsAgainst: "ipBlocks that together cover every public address": the CIDRs cover, an
  // `except` carves a gap, as for one rule ("0.0.0.0/0 except …" is still open to the internet,
  // rules.ts openReason). Else splitting a failing rule in two would make it pass.
  it('an except carving a public range out of the union fails as the same except in one 0.0.0.0/0 rule does, naming the gap', () => {
    const yaml = policy('shop', 'out', egress(`${to('0.0.0.0/1', ', except: ["8.8.8.0/24"]')}, ${to('128.0.0.0/1')}`));
    expect(results(unrestrictedEgress, yaml)).toEqual([
      { name: 'out', status: 'fail', severity: 'high', message: 'shop/out allows egress to every public IPv4 address except 8.8.8.0/24 (rules 0, 1 together) on every port' },
    ]);
    const single = policy('shop', 'out', egress(to('0.0.0.0/0', ', except: ["8.8.8.0/24"]')));
    expect(results(unrestrictedEgress, single).map((r) => [r.status, r.severity])).toEqual([['fail', 'high']]);
    // An except inside private space takes nothing public: still every public address.
    const priv = policy('shop', 'out', egress(`${to('0.0.0.0/1', ', except: ["10.0.0.0/8"]')}, ${to('128.0.0.0/1')}`));
    expect(results(unrestrictedEgress, priv).map((r) => r.status)).toEqual(['fail']);
  });

  it('a half beside a policy open to 0.0.0.0/0 adds nothing: only the /0 policy fails (no second finding for the same pods)', () => {
    const yaml = policy('shop', 'half', egress(to('0.0.0.0/1'))) + policy('shop', 'all', egress(to('0.0.0.0/0')));
    expect(results(unrestrictedEgress, yaml).map((r) => [r.name, r.status])).toEqual([['half', 'pass'], ['all', 'fail']]);
  });

  const CILIUM = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {hostNetwork: true, containers: [{name: cilium-agent, image: "quay.io/cilium/cilium:v1.20.2"}]}
`;
  const cnp = (name: string, spec: string) => `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec: {endpointSelector: {matchLabels: {app: web}}, ${spec}}\n`;

  it('Cilium: toCIDR halves in two CiliumNetworkPolicies fail; an egressDeny of a public range (deny takes precedence) leaves not every address', () => {
    const halves = CILIUM + cnp('lower', 'egress: [{toCIDR: [0.0.0.0/1]}]') + cnp('upper', 'egress: [{toCIDR: [128.0.0.0/1]}]');
    expect(results(unrestrictedEgress, halves).map((r) => [r.name, r.status, r.message])).toEqual([
      ['lower', 'fail', 'CiliumNetworkPolicy shop/lower allows egress to every public IPv4 address (rule 0 together with CiliumNetworkPolicy shop/upper rule 0 "egress[0]" (Allow)) on every port'],
      ['upper', 'fail', 'CiliumNetworkPolicy shop/upper allows egress to every public IPv4 address (rule 0 together with CiliumNetworkPolicy shop/lower rule 0 "egress[0]" (Allow)) on every port'],
    ]);
    const denied = halves + cnp('no-dns-resolver', 'egressDeny: [{toCIDR: [8.8.8.8/32]}]');
    expect(results(unrestrictedEgress, denied).filter((r) => r.status === 'fail')).toEqual([]);
  });

  const CALICO = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: "docker.io/calico/node:v3.30.2"}]}
`;
  const calico = (name: string, order: number, nets: string) => `---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec: {order: ${order}, selector: app == 'web', types: [Egress], egress: [{action: Allow, destination: {nets: [${nets}]}}]}\n`;

  it('Calico: nets halves in two NetworkPolicies of the default tier fail, each naming the other', () => {
    const yaml = CALICO + calico('lower', 10, '0.0.0.0/1') + calico('upper', 20, '128.0.0.0/1');
    expect(results(unrestrictedEgress, yaml).map((r) => [r.name, r.status, r.message])).toEqual([
      ['lower', 'fail', 'Calico NetworkPolicy shop/lower allows egress to every public IPv4 address (rule 0 together with Calico NetworkPolicy shop/upper (order 20) rule 0 (Allow)) on every port'],
      ['upper', 'fail', 'Calico NetworkPolicy shop/upper allows egress to every public IPv4 address (rule 0 together with Calico NetworkPolicy shop/lower (order 10) rule 0 (Allow)) on every port'],
    ]);
  });
});

describe('network.allow-all-ingress: every public address admitted over several rules', () => {
  it('0.0.0.0/1 and 128.0.0.0/1 in two rules fail as 0.0.0.0/0 does', () => {
    expect(results(allowAllIngress, policy('shop', 'in', ingress(`${from('0.0.0.0/1')}, ${from('128.0.0.0/1')}`)))).toEqual([
      { name: 'in', status: 'fail', severity: 'high', message: 'shop/in admits ingress from every public IPv4 address (rules 0, 1 together) on every port' },
    ]);
  });

  it('two policies with one half each: each fails, naming the other', () => {
    const yaml = policy('shop', 'lower', ingress(from('0.0.0.0/1'))) + policy('shop', 'upper', ingress(from('128.0.0.0/1')));
    expect(results(allowAllIngress, yaml).map((r) => r.message)).toEqual([
      'shop/lower admits ingress from every public IPv4 address (rule 0 together with NetworkPolicy shop/upper rule 0 (Allow)) on every port',
      'shop/upper admits ingress from every public IPv4 address (rule 0 together with NetworkPolicy shop/lower rule 0 (Allow)) on every port',
    ]);
  });

  it('0.0.0.0/1 alone passes; an except of a public range from the union fails as in one 0.0.0.0/0 rule, naming the gap', () => {
    expect(results(allowAllIngress, policy('shop', 'in', ingress(from('0.0.0.0/1')))).map((r) => r.status)).toEqual(['pass']);
    expect(results(allowAllIngress, policy('shop', 'in', ingress(`${from('0.0.0.0/1', ', except: ["8.8.8.0/24", "9.9.9.0/24"]')}, ${from('128.0.0.0/1')}`)))).toEqual([
      { name: 'in', status: 'fail', severity: 'high', message: 'shop/in admits ingress from every public IPv4 address except 8.8.8.0/24, 9.9.9.0/24 (rules 0, 1 together) on every port' },
    ]);
    expect(results(allowAllIngress, policy('shop', 'in', ingress(from('0.0.0.0/0', ', except: ["8.8.8.0/24", "9.9.9.0/24"]')))).map((r) => [r.status, r.severity])).toEqual([['fail', 'high']]);
  });

  it('split on port 443: the medium finding a single 0.0.0.0/0 rule on 443 gets', () => {
    const split = results(allowAllIngress, policy('shop', 'in', ingress(`${on(from('0.0.0.0/1'), '{port: 443}')}, ${on(from('128.0.0.0/1'), '{port: 443}')}`)))[0];
    const single = results(allowAllIngress, policy('shop', 'in', ingress(on(from('0.0.0.0/0'), '{port: 443}'))))[0];
    expect(split).toEqual({ name: 'in', status: 'fail', severity: 'medium', message: 'shop/in admits ingress from every public IPv4 address (rules 0, 1 together) on TCP 443' });
    expect([split.status, split.severity]).toEqual([single.status, single.severity]);
  });

  it('IPv6 ::/1 + 8000::/1 fails', () => {
    expect(results(allowAllIngress, policy('shop', 'in', ingress(`${from('::/1')}, ${from('8000::/1')}`)))[0]).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('in a namespace declared exposed it passes, as a single open rule does', () => {
    const yaml = policy('shop', 'in', ingress(`${from('0.0.0.0/1')}, ${from('128.0.0.0/1')}`));
    expect(results(allowAllIngress, yaml, { network: { ...ctxOf('').config.network, exposedNamespaces: ['shop'] } }).map((r) => r.status)).toEqual(['pass']);
  });
});

// A rule's own claim counts only in the families it covers: one open alone to ::/0 (or, for
// ingress, to every pod) that also names 0.0.0.0/1 opens half of IPv4 as any other half does,
// so with 128.0.0.0/1 elsewhere every public IPv4 address is open (rules are ORed,
// kubernetes.io/docs/concepts/services-networking/network-policies/), whatever then takes away
// its ::/0 or its pods.
describe('a rule open alone to ::/0 or to every pod takes part in every public IPv4 address with other rules', () => {
  const anp = (name: string, dir: 'ingress' | 'egress', rule: string) => `---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec: {priority: 10, subject: {namespaces: {}}, ${dir}: [${rule}]}\n`;
  const denyV6 = anp('no-ipv6-internet', 'egress', '{name: no-v6, action: Deny, to: [{networks: ["::/0"]}]}');
  // AdminNetworkPolicy `namespaces` peers select pods only (network-policy-api
  // apis/v1alpha1/adminnetworkpolicy_types.go, AdminNetworkPolicyIngressPeer): no address outside.
  const denyPods = anp('no-pod-to-pod', 'ingress', '{name: no-pods, action: Deny, from: [{namespaces: {}}]}');
  const upperOut = policy('shop', 'upper-half', egress(to('128.0.0.0/1')));
  const upperIn = policy('shop', 'upper-half', ingress(from('128.0.0.0/1')));
  // The NetworkPolicies' results (the AdminNetworkPolicy has its own).
  const npResults = (check: Check, yaml: string) => results(check, yaml).filter((r) => r.name !== 'no-ipv6-internet' && r.name !== 'no-pod-to-pod');

  it('egress: [0.0.0.0/1, ::/0] in one rule and 128.0.0.0/1 in another policy, ::/0 denied by an ANP first: both fail as without the ::/0 peer', () => {
    const mixed = policy('shop', 'lower-half-and-v6', egress('{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}'));
    const control = policy('shop', 'lower-half-and-v6', egress(to('0.0.0.0/1')));
    const expected = [
      { name: 'lower-half-and-v6', status: 'fail', severity: 'high', message: 'shop/lower-half-and-v6 allows egress to every public IPv4 address (rule 0 together with NetworkPolicy shop/upper-half rule 0 (Allow)) on every port' },
      { name: 'upper-half', status: 'fail', severity: 'high', message: 'shop/upper-half allows egress to every public IPv4 address (rule 0 together with NetworkPolicy shop/lower-half-and-v6 rule 0 (Allow)) on every port' },
    ];
    expect(npResults(unrestrictedEgress, mixed + upperOut + denyV6)).toEqual(expected);
    expect(npResults(unrestrictedEgress, control + upperOut + denyV6)).toEqual(expected);
  });

  it('egress: without the ANP, the other half fails naming the ::/0 rule, and that rule\'s policy names ::/0 and the IPv4 it opens with the other', () => {
    const mixed = policy('shop', 'lower-half-and-v6', egress('{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}'));
    expect(npResults(unrestrictedEgress, mixed + upperOut).map((r) => r.message)).toEqual([
      'shop/lower-half-and-v6 allows egress to every IPv6 address (ipBlocks cover ::/0) and every public IPv4 address (rule 0 together with NetworkPolicy shop/upper-half rule 0 (Allow)) on every port',
      'shop/upper-half allows egress to every public IPv4 address (rule 0 together with NetworkPolicy shop/lower-half-and-v6 rule 0 (Allow)) on every port',
    ]);
    // Within one policy: the ::/0 rule and the other half are rules 0 and 1 together.
    expect(npResults(unrestrictedEgress, policy('shop', 'out', egress(`{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}, ${to('128.0.0.0/1')}`)))[0].message).toBe(
      'shop/out allows egress to every IPv6 address (ipBlocks cover ::/0) and every public IPv4 address (rules 0, 1 together) on every port',
    );
    // The other half on TCP alone: every public IPv4 address is open on every TCP port only, and the message says so.
    expect(results(unrestrictedEgress, policy('shop', 'out', egress(`{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}, ${on(to('128.0.0.0/1'), '{protocol: TCP}')}`)))[0].message).toBe(
      'shop/out allows egress to every IPv6 address (ipBlocks cover ::/0) on every port, and to every public IPv4 address (rules 0, 1 together) on every TCP port',
    );
  });

  it('egress: the ::/0 rule\'s IPv4 half alone still passes (half the Internet is not every address)', () => {
    const v = npResults(unrestrictedEgress, policy('shop', 'lower-half-and-v6', egress('{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}')) + denyV6);
    expect(v.map((r) => r.status)).toEqual(['pass']);
  });

  it('ingress: [0.0.0.0/1, namespaceSelector {}] and 128.0.0.0/1 in another policy, every namespace denied by an ANP first: both fail as without the namespace peer', () => {
    const mixed = policy('shop', 'lower-half-and-cluster', ingress('{from: [{ipBlock: {cidr: 0.0.0.0/1}}, {namespaceSelector: {}}]}'));
    const control = policy('shop', 'lower-half-and-cluster', ingress(from('0.0.0.0/1')));
    const got = npResults(allowAllIngress, mixed + upperIn + denyPods);
    expect(got.map((r) => [r.name, r.status, r.severity])).toEqual([['lower-half-and-cluster', 'fail', 'high'], ['upper-half', 'fail', 'high']]);
    expect(got[0].message).toMatch(/^shop\/lower-half-and-cluster admits ingress from every public IPv4 address \(rule 0 together with NetworkPolicy shop\/upper-half rule 0 \(Allow\)\) on every port/);
    expect(got).toEqual(npResults(allowAllIngress, control + upperIn + denyPods));
  });

  it('ingress: without the ANP, the other half fails naming the every-namespace rule, and that rule\'s policy names both; ::/0 beside 0.0.0.0/1 alike', () => {
    const mixed = policy('shop', 'lower-half-and-cluster', ingress('{from: [{ipBlock: {cidr: 0.0.0.0/1}}, {namespaceSelector: {}}]}'));
    expect(npResults(allowAllIngress, mixed + upperIn).map((r) => r.message)).toEqual([
      'shop/lower-half-and-cluster admits ingress from every pod in every namespace and every public IPv4 address (rule 0 together with NetworkPolicy shop/upper-half rule 0 (Allow)) on every port',
      'shop/upper-half admits ingress from every public IPv4 address (rule 0 together with NetworkPolicy shop/lower-half-and-cluster rule 0 (Allow)) on every port',
    ]);
    const v6 = policy('shop', 'lower-half-and-v6', ingress('{from: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]}'));
    expect(npResults(allowAllIngress, v6 + upperIn).map((r) => [r.name, r.status])).toEqual([['lower-half-and-v6', 'fail'], ['upper-half', 'fail']]);
  });
});
