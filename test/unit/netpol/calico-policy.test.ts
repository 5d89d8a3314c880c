// Calico policy parsing: reference cases from Calico's documentation (each names its page) and,
// where the documentation is silent, from libcalico-go at the commit named in
// test/conformance/calico-selector/README.md (the file is named in the case).
import { describe, expect, it } from 'vitest';
import { collectCalicoPolicies, comparePolicyOrder, parseCalicoPolicy, policySortKey, sortTiers, storedPolicyName, type CalicoPolicy } from '../../../src/analysis/netpol/calico/policy.ts';
import { calicoPodLabels } from '../../../src/analysis/netpol/calico/labels.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { snap } from './calico-helpers.ts';

const DOCS = 'https://docs.tigera.io/calico/latest';
const NP_DOC = `${DOCS}/reference/resources/networkpolicy`;
const GNP_DOC = `${DOCS}/reference/resources/globalnetworkpolicy`;
const TIER_DOC = `${DOCS}/reference/resources/tier`;
const TIERED_DOC = `${DOCS}/network-policy/policy-tiers/tiered-policy`;
const LABELS_DOC = `${DOCS}/network-policy/get-started/calico-policy/calico-labels`;

function v3(kind: 'NetworkPolicy' | 'GlobalNetworkPolicy', name: string, spec: Record<string, unknown>, namespace?: string): KubeObject {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

function parsed(o: KubeObject, api: 'projectcalico.org/v3' | 'crd.projectcalico.org/v1' = 'projectcalico.org/v3'): CalicoPolicy {
  return parseCalicoPolicy(o, o.kind as 'NetworkPolicy' | 'GlobalNetworkPolicy', api);
}

describe(`types defaulting (${NP_DOC}, "If types has no value")`, () => {
  it.each([
    ['no rules', {}, [true, false]],
    ['ingress rules only', { ingress: [{ action: 'Allow' }] }, [true, false]],
    ['egress rules only', { egress: [{ action: 'Allow' }] }, [false, true]],
    ['both', { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }, [true, true]],
  ] as const)('%s', (_label, spec, [ing, eg]) => {
    const p = parsed(v3('NetworkPolicy', 'p', spec, 'ns'));
    expect([p.ingressType, p.egressType]).toEqual([ing, eg]);
    expect(p.typesDefaulted).toBe('rules');
  });

  it('explicit types win (the sample allow-tcp-6379 lists Ingress and Egress)', () => {
    const p = parsed(v3('NetworkPolicy', 'allow-tcp-6379', { selector: "role == 'database'", types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "role == 'frontend'" }, destination: { ports: [6379] } }], egress: [{ action: 'Allow' }] }, 'production'));
    expect(p.errors).toEqual([]);
    expect([p.ingressType, p.egressType, p.typesDefaulted]).toEqual([true, true, undefined]);
  });

  it('a stored (crd.projectcalico.org/v1) policy without types applies both ways, as Felix treats it (felix/calc/policy_sorter.go)', () => {
    const p = parsed({ apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.x' }, spec: { ingress: [{ action: 'Allow' }] } }, 'crd.projectcalico.org/v1');
    expect([p.ingressType, p.egressType, p.typesDefaulted]).toEqual([true, true, 'storage']);
  });
});

describe('names of the storage form (libcalico-go/lib/backend/model/keys.go determinePolicyName)', () => {
  it('takes the v3 name from the projectcalico.org/metadata annotation (3.30 and later)', () => {
    expect(storedPolicyName('security.allow-dns', 'security', { 'projectcalico.org/metadata': JSON.stringify({ name: 'allow-dns', creationTimestamp: null }) })).toBe('allow-dns');
  });
  it('drops the "default." prefix of default-tier policies written by older releases', () => {
    expect(storedPolicyName('default.deny-all', 'default', undefined)).toBe('deny-all');
    expect(storedPolicyName('default.deny-all', '', undefined)).toBe('deny-all');
  });
  it(`keeps the tier prefix of other tiers' older names, which was part of the v3 name then (${TIER_DOC})`, () => {
    expect(storedPolicyName('internal-access.allow-tcp-6379', 'internal-access', undefined)).toBe('internal-access.allow-tcp-6379');
  });
  it('a policy present in both forms is counted once, from the v3 view', () => {
    const s = snap(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress]}
---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: default.deny-all}
spec: {selector: all(), types: [Ingress]}
`);
    const set = collectCalicoPolicies(s);
    expect(set.policies.map((p) => `${p.api} ${p.id}`)).toEqual(['projectcalico.org/v3 GlobalNetworkPolicy deny-all']);
  });
  it('skips the knp.default.* mirrors of Kubernetes NetworkPolicies in the v3 view, with a note', () => {
    const s = snap(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: knp.default.allow-web, namespace: shop}
spec: {selector: "projectcalico.org/orchestrator == 'k8s'", types: [Ingress], order: 1000}
`);
    const set = collectCalicoPolicies(s);
    expect(set.policies).toEqual([]);
    expect(set.notes.map((n) => n.message).join('\n')).toMatch(/1 projectcalico.org\/v3 object\(s\) named knp\.default\.\* skipped/);
  });
});

describe(`tiers (${TIER_DOC}; ${TIERED_DOC})`, () => {
  it('sorts by order, no order last, ties by name; defaultAction defaults to Deny', () => {
    const s = snap(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 300}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: internal-access}
spec: {order: 100, defaultAction: Deny}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: devops}
spec: {order: 300, defaultAction: Pass}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: last}
spec: {}
`);
    const set = collectCalicoPolicies(s);
    expect(sortTiers(set.tiers.values()).map((t) => `${t.name}:${t.order ?? '-'}:${t.defaultAction}`)).toEqual([
      'internal-access:100:Deny', 'devops:300:Pass', 'security:300:Deny',
      // "The default tier is created during installation and has the order of 1,000,000."
      'default:1000000:Deny',
      'last:-:Deny',
    ]);
  });

  it('names an invalid defaultAction', () => {
    const set = collectCalicoPolicies(snap(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: t}
spec: {order: 1, defaultAction: Allow}
`));
    expect(set.notes.map((n) => n.message).join('\n')).toMatch(/Tier t is invalid and ignored: spec.defaultAction: "Allow" is not Deny or Pass/);
  });

  const ghost = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: x}
spec: {tier: ghost, selector: all()}
`;
  // Felix sorts a tier with no Tier object after every other (felix/calc/policy_sorter.go TierLess:
  // !Valid last) and ends it with Deny unless its defaultAction is Pass (endpoint_lookup_cache.go).
  it('live, with the Tiers read, a policy in a tier that is not there is evaluated last with a default Deny, as Felix does, and says so', () => {
    const s = snap(ghost);
    s.origin = 'live';
    const set = collectCalicoPolicies(s);
    expect(set.tiers.get('ghost')).toMatchObject({ order: undefined, defaultAction: 'Deny', implicit: true });
    expect(set.tiers.get('ghost')?.unplaced).toBeUndefined();
    expect(set.notes.map((n) => n.message).join('\n')).toMatch(/Tier ghost \(used by GlobalNetworkPolicy x\) was not found: evaluated last, with a default Deny/);
  });

  // Calico's API refuses the policy unless its tier exists (libcalico-go/lib/clientv3/networkpolicy.go
  // Create: "Before creating the policy, check that the tier exists"; api/pkg/apis/projectcalico/v3:
  // "The specified tier must exist in order to create security policies within the tier").
  it('from manifests, a policy in a tier they do not hold is not placed: the cluster holds that Tier, at an order the manifests do not show', () => {
    const set = collectCalicoPolicies(snap(ghost));
    expect(set.tiers.get('ghost')?.unplaced).toBe('spec.tier "ghost" names no built-in tier and no Tier of that name is among the manifests, while Calico refuses a policy whose tier does not exist (libcalico-go clientv3 Create), so the cluster holds one they leave out: its order and defaultAction are not known');
    expect(set.notes.map((n) => n.message).join('\n')).toContain('not placed: no Tier of that name is among the manifests');
  });
});

describe(`policy order (${GNP_DOC}: "order ... applies the policy with the lowest value first"; api/pkg/apis/projectcalico/v3 Order: "If the order is omitted, it may be considered to be infinite ... identical order ... alphanumerical order based on the Policy Name")`, () => {
  it('lower first, none last, ties by name', () => {
    const items = [
      { order: undefined, sortKey: policySortKey('a-no-order', undefined, 'GlobalNetworkPolicy') },
      { order: 20, sortKey: policySortKey('drop-other-ingress', undefined, 'GlobalNetworkPolicy') },
      { order: 10, sortKey: policySortKey('zz', undefined, 'GlobalNetworkPolicy') },
      { order: 10, sortKey: policySortKey('allow-cluster-internal-ingress', undefined, 'GlobalNetworkPolicy') },
    ];
    expect(items.sort(comparePolicyOrder).map((i) => i.sortKey.split('/')[0])).toEqual(['allow-cluster-internal-ingress', 'zz', 'drop-other-ingress', 'a-no-order']);
  });
});

describe(`rules and validation (${NP_DOC}#rule, #entityrule, #ports)`, () => {
  const rule = (r: Record<string, unknown>) => parsed(v3('NetworkPolicy', 'p', { ingress: [r] }, 'ns'));

  it('accepts every action; rejects others, naming the field', () => {
    for (const a of ['Allow', 'Deny', 'Log', 'Pass']) expect(rule({ action: a }).errors).toEqual([]);
    expect(rule({ action: 'allow' }).errors).toEqual(['spec.ingress[0].action: "allow" is not Allow, Deny, Pass or Log']);
    expect(rule({}).errors).toEqual(['spec.ingress[0].action: missing is not Allow, Deny, Pass or Log']);
  });

  it('ports: "ports: [8080, \'1234:5678\', \'named-port\']" is valid; a range is inclusive', () => {
    const p = rule({ action: 'Allow', protocol: 'TCP', destination: { ports: [8080, '1234:5678', 'named-port'] } });
    expect(p.errors).toEqual([]);
    expect(p.ingress[0].destination.ports).toEqual([{ kind: 'range', lo: 8080, hi: 8080 }, { kind: 'range', lo: 1234, hi: 5678 }, { kind: 'named', name: 'named-port' }]);
  });

  it('numeric ports need a protocol with ports (libcalico-go validator/v3 validateRule)', () => {
    expect(rule({ action: 'Allow', destination: { ports: [8080] } }).errors).toEqual(['spec.ingress[0].destination.ports: numeric ports need protocol TCP, UDP or SCTP']);
    expect(rule({ action: 'Allow', protocol: 'ICMP', destination: { ports: [8080] } }).errors).toEqual(['spec.ingress[0].destination.ports: protocol ICMP does not have ports']);
    // A named port alone needs no protocol.
    expect(rule({ action: 'Allow', destination: { ports: ['http'] } }).errors).toEqual([]);
  });

  it('rejects a reversed range and a bad port name', () => {
    expect(rule({ action: 'Allow', protocol: 'TCP', destination: { ports: ['90:80'] } }).errors[0]).toMatch(/minimum port number \(90\) is greater than maximum port number \(80\)/);
    expect(rule({ action: 'Allow', protocol: 'TCP', destination: { ports: ['no spaces'] } }).errors[0]).toMatch(/invalid name for named port/);
  });

  it('protocols: names in Calico\'s case, numbers 1-255; TCP=6, UDP=17, SCTP=132 carry ports', () => {
    expect(rule({ action: 'Allow', protocol: 'UDPLite' }).ingress[0].protocols).toEqual([]);
    expect(rule({ action: 'Allow', protocol: 6 }).ingress[0].protocols).toEqual(['TCP']);
    expect(rule({ action: 'Allow', protocol: '17' }).ingress[0].protocols).toEqual(['UDP']);
    expect(rule({ action: 'Allow', notProtocol: 'TCP' }).ingress[0].protocols).toEqual(['SCTP', 'UDP']);
    expect(rule({ action: 'Allow', protocol: 'tcp' }).errors[0]).toMatch(/protocol: "tcp" is not TCP, UDP/);
    expect(rule({ action: 'Allow', protocol: 0 }).errors[0]).toMatch(/protocol: 0 is not/);
  });

  it('an unparsable selector is an error naming the field and the position', () => {
    const p = rule({ action: 'Allow', source: { selector: "role = 'frontend'" } });
    expect(p.errors).toEqual([`spec.ingress[0].source.selector: selector "role = 'frontend'" does not parse: expected '==' (a single '=' is not an operator) (at column 6)`]);
    expect(p.ingress).toEqual([]);
  });

  // libcalico-go/lib/validator/v3/validator.go validateRule scanNets: cnet.ParseCIDR refuses a
  // bare address ("invalid CIDR") and a negated catch-all; the EntityRule nets' `net` tag
  // (validateIPNetwork) wants a strictly masked network. Reviewer repros t8, t8b.
  it('v3 nets take strictly masked CIDRs only; an address, host bits or a catch-all notNets is refused, naming the field (validateRule)', () => {
    expect(rule({ action: 'Deny', destination: { nets: ['1.2.3.0/24', '10.0.0.1/32'] } }).errors).toEqual([]);
    expect(rule({ action: 'Deny', destination: { nets: ['fd00::/8', '2001:db8::1/128'] } }).errors).toEqual([]);
    expect(rule({ action: 'Deny', destination: { nets: ['1.2.3/24'] } }).errors).toEqual(['spec.ingress[0].destination.nets[0]: "1.2.3/24" is not a valid CIDR']);
    expect(rule({ action: 'Allow', source: { nets: ['203.0.113.7'] } }).errors).toEqual(['spec.ingress[0].source.nets[0]: "203.0.113.7" is an address, not a CIDR: the projectcalico.org/v3 API refuses it (invalid CIDR; write 203.0.113.7/32)']);
    expect(rule({ action: 'Deny', source: { notNets: ['2001:db8::1'] } }).errors).toEqual(['spec.ingress[0].source.notNets[0]: "2001:db8::1" is an address, not a CIDR: the projectcalico.org/v3 API refuses it (invalid CIDR; write 2001:db8::1/128)']);
    expect(rule({ action: 'Deny', source: { nets: ['10.1.2.3/8'] } }).errors).toEqual(['spec.ingress[0].source.nets[0]: "10.1.2.3/8" is not strictly masked: the projectcalico.org/v3 API refuses it (write 10.0.0.0/8)']);
    expect(rule({ action: 'Deny', destination: { notNets: ['0.0.0.0/0'] } }).errors[0]).toMatch(/catch-all CIDR in negation/);
  });

  // An object that exists was never through that validator: the backend reads its nets with
  // cnet.ParseCIDROrIP and masks them (updateprocessors/rules.go normalizeIPNet), and Felix drops
  // a rule with a negated catch-all (felix/rules/policy.go filterNets, isCatchAllCIDR). Repro t9.
  it('the storage form takes addresses and host bits as Calico normalises them, and keeps the policy whose rule has a catch-all notNets, without that rule', () => {
    const stored = (r: Record<string, unknown>) => parsed({ apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.p' }, spec: { ingress: [r, { action: 'Deny' }] } }, 'crd.projectcalico.org/v1');
    const addr = stored({ action: 'Allow', source: { nets: ['203.0.113.7', '10.1.2.3/8'] } });
    expect(addr.errors).toEqual([]);
    expect(addr.ingress[0].source.nets).toEqual([{ family: 4, lo: 0xcb007107n, hi: 0xcb007107n }, { family: 4, lo: 0x0a000000n, hi: 0x0affffffn }]);
    const catchAll = stored({ action: 'Allow', source: { notNets: ['0.0.0.0/0'] } });
    expect(catchAll.errors).toEqual([]);
    expect(catchAll.ingress.map((r) => [r.index, r.ignoredByFelix !== undefined])).toEqual([[0, true], [1, false]]);
    expect(catchAll.outOfScope).toEqual(['spec.ingress[0].source.notNets 0.0.0.0/0: Felix ignores a rule with a catch-all CIDR in a negation (it would match no traffic), so the rule matches nothing']);
  });

  // libcalico-go/lib/validator/v3/validator.go validateRule, scanNets (v3.26.0 to HEAD): over
  // source.nets, source.notNets, destination.nets, destination.notNets in that order, a field that
  // brings the second family is refused, and so is any CIDR of the family ipVersion excludes.
  it('one family per rule: mixed IPv4/IPv6 CIDRs, or a CIDR against ipVersion, are refused (validateRule scanNets)', () => {
    expect(rule({ action: 'Allow', source: { nets: ['203.0.113.0/24', '2001:db8::/32'] } }).errors).toEqual(['spec.ingress[0].source.nets: rule contains both IPv4 and IPv6 CIDRs']);
    // Across fields: the field that brings the second family is named.
    expect(rule({ action: 'Allow', source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['fd00::/8'] } }).errors).toEqual(['spec.ingress[0].destination.notNets: rule contains both IPv4 and IPv6 CIDRs']);
    expect(rule({ action: 'Deny', ipVersion: 6, destination: { nets: ['10.0.0.0/8'] } }).errors).toEqual(["spec.ingress[0].destination.nets: rule IP version doesn't match CIDR version (ipVersion 6)"]);
    expect(rule({ action: 'Deny', ipVersion: 4, source: { notNets: ['10.1.0.0/16'] }, destination: { nets: ['10.0.0.0/8'] } }).errors).toEqual([]);
    const p = rule({ action: 'Allow', source: { nets: ['203.0.113.0/24', '2001:db8::/32'] } });
    expect(p.ingress).toEqual([]);
    // The storage form is written around the API server's validator (Felix renders such a rule per family).
    const stored = parsed({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'default.p', namespace: 'ns' }, spec: { ingress: [{ action: 'Allow', source: { nets: ['203.0.113.0/24', '2001:db8::/32'] } }] } }, 'crd.projectcalico.org/v1');
    expect(stored.errors).toEqual([]);
  });

  // The validator runs when an object is written through the v3 API, not when it is read: a live
  // cluster's mixed-family rule (written through crd.projectcalico.org/v1) exists and Felix renders
  // it per family ("allow from 10.0.0.1,feed::beef", felix/rules/policy.go FilterRuleToIPVersion,
  // v3.31.0). In manifests, a storage-form twin is what gets stored.
  it('mixed families are refused only for a manifest v3 object with no storage-form twin', () => {
    const v3np = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p, namespace: ns}
spec: {ingress: [{action: Allow, source: {nets: [203.0.113.0/24, "2001:db8::/32"]}}]}
`;
    const v1np = `---
apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: default.p, namespace: ns}
spec: {ingress: [{action: Allow, source: {nets: [203.0.113.0/24, "2001:db8::/32"]}}]}
`;
    const errorsOf = (s: ReturnType<typeof snap>) => collectCalicoPolicies(s).policies.map((p) => `${p.api} ${p.errors.join('; ')}`);
    expect(errorsOf(snap(v3np))).toEqual(['projectcalico.org/v3 spec.ingress[0].source.nets: rule contains both IPv4 and IPv6 CIDRs']);
    expect(errorsOf(snap(v3np + v1np))).toEqual(['projectcalico.org/v3 ']);
    expect(errorsOf({ ...snap(v3np), source: 'live', origin: 'live' })).toEqual(['projectcalico.org/v3 ']);
    expect(errorsOf({ ...snap(v3np), source: 'snapshot', origin: 'live' })).toEqual(['projectcalico.org/v3 ']);
    expect(errorsOf({ ...snap(v3np), source: 'snapshot', origin: 'manifests' })[0]).toMatch(/rule contains both IPv4 and IPv6 CIDRs/);
  });

  it('the CRD validation rules (api/pkg/apis/projectcalico/v3/policy_common.go XValidation)', () => {
    expect(rule({ action: 'Allow', source: { selector: 'global()' } }).errors).toEqual(['spec.ingress[0].source.selector: global() can only be used in an EntityRule namespaceSelector']);
    expect(rule({ action: 'Allow', source: { services: { name: 'db' }, selector: "a == 'b'" } }).errors).toEqual(['spec.ingress[0].source: cannot specify Selector/NotSelector and Services on the same rule']);
    expect(rule({ action: 'Allow', source: { services: { namespace: 'x' } } }).errors).toEqual(['spec.ingress[0].source.services: services must specify a service name']);
    expect(rule({ action: 'Allow', protocol: 'TCP', destination: { services: { name: 'db' }, ports: [80] } }).errors).toEqual(['spec.ingress[0].destination: ports and notPorts cannot be specified with services']);
    expect(rule({ action: 'Deny', http: { methods: ['GET'] } }).errors).toEqual(['spec.ingress[0].http: HTTP match is only valid on Allow rules']);
    expect(rule({ action: 'Allow', icmp: { type: 8 } }).errors).toEqual(['spec.ingress[0].icmp: ICMP fields require protocol to be ICMP or ICMPv6']);
    expect(rule({ action: 'Allow', protocol: 'ICMP', ipVersion: 6 }).errors).toEqual(['spec.ingress[0].ipVersion: protocol ICMP requires ipVersion 4']);
    expect(parsed(v3('GlobalNetworkPolicy', 'p', { namespaceSelector: 'global()' })).errors).toEqual(['spec.namespaceSelector: global() can only be used in an EntityRule namespaceSelector']);
  });

  it('global() stands alone in a namespaceSelector (validator/v3 validateEntityRule)', () => {
    expect(rule({ action: 'Allow', source: { namespaceSelector: 'global()' } }).errors).toEqual([]);
    expect(rule({ action: 'Allow', source: { namespaceSelector: "global() || a == 'b'" } }).errors).toEqual(['spec.ingress[0].source.namespaceSelector: global() cannot be combined with other selectors']);
  });
});

describe(`effective selectors (${LABELS_DOC})`, () => {
  const labels = (ns: string, podLabels: Record<string, string>, nsLabels: Record<string, string> = {}, sa = 'default', saLabels: Record<string, string> = {}) =>
    calicoPodLabels({ namespace: ns, podLabels, namespaceLabels: { 'kubernetes.io/metadata.name': ns, ...nsLabels }, serviceAccount: sa, serviceAccountLabels: saLabels });

  it('a NetworkPolicy selects in its own namespace only', () => {
    const p = parsed(v3('NetworkPolicy', 'p', { selector: "color == 'red'" }, 'production'));
    expect(p.selector!.text).toBe('(color == "red" && projectcalico.org/namespace == "production")');
    expect(p.selector!.matches(labels('production', { color: 'red' }))).toBe(true);
    expect(p.selector!.matches(labels('staging', { color: 'red' }))).toBe(false);
  });

  it('"namespaceSelector: projectcalico.org/name in {"foo", "bar"}" with "selector: color == "red"" (GlobalNetworkPolicy foo-and-bar)', () => {
    const p = parsed(v3('GlobalNetworkPolicy', 'foo-and-bar', { namespaceSelector: 'projectcalico.org/name in {"foo", "bar"}', selector: 'color == "red"', types: ['Ingress'] }));
    expect(p.selector!.matches(labels('foo', { color: 'red' }))).toBe(true);
    expect(p.selector!.matches(labels('bar', { color: 'red' }))).toBe(true);
    expect(p.selector!.matches(labels('baz', { color: 'red' }))).toBe(false);
    expect(p.selector!.matches(labels('foo', { color: 'blue' }))).toBe(false);
    // "... is exactly equivalent": the same policy written with projectcalico.org/namespace in the selector.
    const q = parsed(v3('GlobalNetworkPolicy', 'foo-and-bar', { selector: 'projectcalico.org/namespace in {"foo", "bar"} && color == "red"', types: ['Ingress'] }));
    for (const [ns, c] of [['foo', 'red'], ['bar', 'red'], ['baz', 'red'], ['foo', 'blue']]) expect(q.selector!.matches(labels(ns, { color: c }))).toBe(p.selector!.matches(labels(ns, { color: c })));
  });

  it('a rule selector without namespaceSelector: same namespace in a NetworkPolicy, any namespace in a GlobalNetworkPolicy', () => {
    const np = parsed(v3('NetworkPolicy', 'p', { ingress: [{ action: 'Allow', source: { selector: 'foo == "bar"' } }] }, 'team-a'));
    const gnp = parsed(v3('GlobalNetworkPolicy', 'p', { ingress: [{ action: 'Allow', source: { selector: 'foo == "bar"' } }] }));
    expect(np.ingress[0].source.selector!.matches(labels('team-a', { foo: 'bar' }))).toBe(true);
    expect(np.ingress[0].source.selector!.matches(labels('team-b', { foo: 'bar' }))).toBe(false);
    expect(gnp.ingress[0].source.selector!.matches(labels('team-b', { foo: 'bar' }))).toBe(true);
  });

  it('"namespaceSelector: projectcalico.org/name == "some-namespace"" + "selector: foo == "bar"" equals "(foo == "bar") && (projectcalico.org/namespace == "some-namespace")"', () => {
    const a = parsed(v3('NetworkPolicy', 'p', { ingress: [{ action: 'Allow', source: { namespaceSelector: 'projectcalico.org/name == "some-namespace"', selector: 'foo == "bar"' } }] }, 'x'));
    const b = parsed(v3('NetworkPolicy', 'p', { ingress: [{ action: 'Allow', source: { selector: '(foo == "bar") && (projectcalico.org/namespace == "some-namespace")', namespaceSelector: 'all()' } }] }, 'x'));
    for (const ns of ['some-namespace', 'x', 'other']) for (const v of ['bar', 'baz']) {
      expect(a.ingress[0].source.selector!.matches(labels(ns, { foo: v }))).toBe(b.ingress[0].source.selector!.matches(labels(ns, { foo: v })));
    }
  });

  it('namespaceSelector global() selects no pod (non-namespaced resources only)', () => {
    const p = parsed(v3('NetworkPolicy', 'p', { ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()' } }] }, 'x'));
    expect(p.ingress[0].source.selector!.matches(labels('x', {}))).toBe(false);
  });

  it('serviceAccountSelector and serviceAccounts see the ServiceAccount\'s labels and projectcalico.org/name', () => {
    const p = parsed(v3('NetworkPolicy', 'restrict-intern-access', { serviceAccountSelector: 'role == "intern"', ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['api-service', 'user-auth-service'] } } }] }, 'prod-engineering'));
    expect(p.selector!.matches(labels('prod-engineering', {}, {}, 'intern-1', { role: 'intern' }))).toBe(true);
    expect(p.selector!.matches(labels('prod-engineering', {}, {}, 'default', {}))).toBe(false);
    expect(p.ingress[0].source.selector!.matches(labels('prod-engineering', {}, {}, 'api-service'))).toBe(true);
    expect(p.ingress[0].source.selector!.matches(labels('prod-engineering', {}, {}, 'other'))).toBe(false);
    const byName = parsed(v3('GlobalNetworkPolicy', 'p', { serviceAccountSelector: 'projectcalico.org/name == "builder"' }));
    expect(byName.selector!.matches(labels('ci', {}, {}, 'builder'))).toBe(true);
    expect(byName.selector!.matches(labels('ci', {}, {}, 'runner'))).toBe(false);
  });

  it('pods get projectcalico.org/orchestrator == "k8s" (`projectcalico.org/orchestrator == "k8s"` matches only Kubernetes Pods)', () => {
    const p = parsed(v3('GlobalNetworkPolicy', 'p', { selector: 'projectcalico.org/orchestrator == "k8s"' }));
    expect(p.selector!.matches(labels('a', {}))).toBe(true);
  });
});

describe('out of scope, recorded', () => {
  it(`preDNAT / doNotTrack are host-endpoint only; applyOnForward is noted (${GNP_DOC}: "meaningful only when applying policy to a host endpoint")`, () => {
    const p = parsed(v3('GlobalNetworkPolicy', 'p', { preDNAT: true, applyOnForward: true, selector: 'has(host)', ingress: [{ action: 'Deny' }] }));
    expect(p.errors).toEqual([]);
    expect(p.hostEndpointsOnly).toBe(true);
    expect(p.outOfScope.join('\n')).toMatch(/preDNAT: applies to host endpoints only/);
    const q = parsed(v3('GlobalNetworkPolicy', 'p', { doNotTrack: true, ingress: [{ action: 'Deny' }] }));
    expect(q.errors).toEqual(['spec.applyOnForward: must be true when doNotTrack or preDNAT is']);
  });

  it('a NetworkPolicy has no preDNAT', () => {
    expect(parsed(v3('NetworkPolicy', 'p', { preDNAT: true }, 'ns')).errors).toEqual(['spec.preDNAT: only a GlobalNetworkPolicy has it']);
  });

  it('names hostile text as data, not as structure', () => {
    const p = parsed(v3('GlobalNetworkPolicy', '<script>', { selector: '"; DROP' }));
    expect(p.id).toBe('GlobalNetworkPolicy <script>');
    expect(p.errors[0]).toMatch(/^spec.selector: selector "\\"; DROP" does not parse/);
  });
});

describe('bad input never crashes the run', () => {
  it('an order too large for a number (1e400, read as Infinity) is named as such, not as null', () => {
    const snapshot = snap("---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: huge}\nspec: {order: 1e400, selector: all()}\n---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {order: -1e400}\n");
    const set = collectCalicoPolicies(snapshot);
    expect(set.policies[0].errors).toEqual(['spec.order: Infinity is not a finite number']);
    expect(set.notes.map((n) => n.message)).toContain('Tier t is invalid and ignored: spec.order: -Infinity is not a finite number');
  });

  it('random values in every field become errors naming the object, and the model still builds', async () => {
    const { calicoAdapter } = await import('../../../src/analysis/netpol/calico/adapter.ts');
    const { buildReachability } = await import('../../../src/analysis/netpol/model.ts');
    const { snapshotFromObjects } = await import('../../../src/collect/from-objects.ts');
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const junk = (depth: number): unknown => {
      const r = rnd();
      if (depth > 2 || r < 0.2) return [null, true, 0, -1, 1e9, 'x', '', "a == 'b'", '0.0.0.0/0', '80:70', 'TCP', 'Allow', '(', '__proto__'][Math.floor(rnd() * 14)];
      if (r < 0.5) return Array.from({ length: Math.floor(rnd() * 3) }, () => junk(depth + 1));
      const keys = ['action', 'protocol', 'source', 'destination', 'selector', 'notSelector', 'namespaceSelector', 'nets', 'ports', 'notPorts', 'serviceAccounts', 'services', 'names', 'name', 'http', 'icmp', 'ipVersion'];
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [keys[Math.floor(rnd() * keys.length)], junk(depth + 1)]));
    };
    const objs: KubeObject[] = [];
    for (let i = 0; i < 300; i++) {
      objs.push({
        apiVersion: rnd() < 0.5 ? 'projectcalico.org/v3' : 'crd.projectcalico.org/v1',
        kind: rnd() < 0.5 ? 'NetworkPolicy' : rnd() < 0.8 ? 'GlobalNetworkPolicy' : 'Tier',
        metadata: { name: `p${i}`, namespace: 'ns', ...(rnd() < 0.2 ? { annotations: { 'projectcalico.org/metadata': String(junk(2)) } } : {}) },
        spec: rnd() < 0.1 ? (junk(2) as Record<string, unknown>) : { selector: junk(2), order: junk(2), tier: junk(2), types: junk(1), ingress: junk(0), egress: junk(0), preDNAT: junk(2) },
      });
    }
    const s = snapshotFromObjects(objs);
    const out = calicoAdapter.parse({ snapshot: s, namespaceLabels: new Map() });
    expect(out.policies.length).toBeGreaterThan(100);
    expect(out.policies.filter((p) => p.errors.length).length).toBeGreaterThan(50);
    for (const p of out.policies) for (const e of p.errors) expect(e).toMatch(/^(spec|metadata)/);
    expect(() => buildReachability(s)).not.toThrow();
  });
});
