// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1,
// kubernetes-sigs/network-policy-api v0.1.x) and the ClusterNetworkPolicy that replaces both
// (v1alpha2, v0.2.0: its spec.tier Admin or Baseline) translated into the neutral layers,
// validated as the CRD would (priority 0-1000, exactly one subject/peer/port field, actions, the
// BANP name), so an object the API server would reject is a finding, not a crash.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { isProtocol, type Protocol } from './conns.ts';
import { parseIp, parsePrefix, sloppyCidr, unmapIpv4, type IpRange } from '../../base/ip.ts';
import { namePoliciesByName, type Action, type CoverageNote, type LayerPolicy, type Peer, type PodSet, type PolicyApiAdapter, type PortSpec, type Rule } from './layers.ts';
import { parseSelector, type Selector } from './selector.ts';
import { templatesStandIn } from '../workloads.ts';
import type { Snapshot } from '../../snapshot/types.ts';

const MAX_RULES = 100;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DOMAIN = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

type Kind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Exactly one of `keys` set (the CRD's MinProperties=1/MaxProperties=1). */
function oneOf(o: Record<string, unknown>, keys: string[], at: string, errors: string[]): string | undefined {
  const set = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null);
  const known = set.filter((k) => keys.includes(k));
  if (set.length !== 1 || known.length !== 1) {
    errors.push(`${at}: exactly one of ${keys.join(', ')} must be set${set.length ? ` (found ${set.join(', ')})` : ''}`);
    return undefined;
  }
  return known[0];
}

function selector(raw: unknown, at: string, errors: string[]): Selector | undefined {
  const r = parseSelector(raw ?? {}, at);
  errors.push(...r.errors);
  return r.selector;
}

const LABEL_SELECTOR_KEYS = ['matchLabels', 'matchExpressions'];
/**
 * A peer's namespaces in network-policy-api v0.1.0–v0.1.2: a NamespacedPeer with exactly one
 * of namespaceSelector, sameLabels, notSameLabels (apis/v1alpha1/shared_types.go at v0.1.2);
 * v0.1.3 made it a plain label selector. Only a CRD of those releases keeps these fields (a
 * later one prunes them), so seeing them means the old semantics apply.
 */
const OLD_PEER_KEYS = ['namespaceSelector', 'sameLabels', 'notSameLabels'];

/**
 * A namespace selector, never wider than written: a key a label selector does not have is an
 * error, not an empty (match-all) selector. In a peer, the v0.1.0–v0.1.2 shape is read:
 * `namespaceSelector` as the selector; `sameLabels`/`notSameLabels` compare each peer
 * namespace with the subject's, which the model does not evaluate: named in `unsupported`.
 */
function namespaceSelector(raw: unknown, at: string, peer: boolean, errors: string[], unsupported: string[]): Selector | undefined {
  const o = obj(raw);
  const keys = o ? Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null) : [];
  if (o && peer && keys.some((k) => OLD_PEER_KEYS.includes(k))) {
    const key = oneOf(o, OLD_PEER_KEYS, at, errors);
    if (key === 'namespaceSelector') return selector(o.namespaceSelector, `${at}.namespaceSelector`, errors);
    if (key) unsupported.push(`${at}.${key}: the network-policy-api v0.1.0-v0.1.2 peer that compares namespaces with the subject's is not evaluated by the model, so the verdicts the policy could change cannot be confirmed`);
    return undefined;
  }
  const unknown = keys.filter((k) => !LABEL_SELECTOR_KEYS.includes(k));
  if (o && unknown.length) {
    errors.push(`${at}: ${unknown.map((k) => `"${k}"`).join(', ')} is not a label selector field (matchLabels, matchExpressions)`);
    return undefined;
  }
  return selector(raw, at, errors);
}

/** `namespaces: <selector>` or `pods: { namespaceSelector, podSelector }`: host-network pods are never included. */
function podSet(o: Record<string, unknown>, key: 'namespaces' | 'pods', at: string, errors: string[], unsupported: string[] = [], peer = false): PodSet | undefined {
  if (key === 'namespaces') {
    const ns = namespaceSelector(o.namespaces, `${at}.namespaces`, peer, errors, unsupported);
    return ns ? { namespaces: { kind: 'selector', selector: ns }, excludeHostNetwork: true } : undefined;
  }
  const pods = obj(o.pods);
  if (!pods) {
    errors.push(`${at}.pods: not an object`);
    return undefined;
  }
  // v0.1.0-v0.1.2 (NamespacedPodPeer): `namespaces` is a NamespacedPeer, read as above.
  if (peer && pods.namespaces !== undefined && pods.namespaceSelector === undefined) {
    const ns = namespaceSelector(pods.namespaces, `${at}.pods.namespaces`, true, errors, unsupported);
    const ps = selector(pods.podSelector, `${at}.pods.podSelector`, errors);
    return ns && ps ? { namespaces: { kind: 'selector', selector: ns }, pods: ps, excludeHostNetwork: true } : undefined;
  }
  // The CRD marks both selectors required; netpol-analyzer (the conformance oracle) reads a
  // missing one as empty (everything), and so does the model.
  const ns = namespaceSelector(pods.namespaceSelector, `${at}.pods.namespaceSelector`, false, errors, unsupported);
  const ps = selector(pods.podSelector, `${at}.pods.podSelector`, errors);
  return ns && ps ? { namespaces: { kind: 'selector', selector: ns }, pods: ps, excludeHostNetwork: true } : undefined;
}

const isPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** A rule's `ports` (v1alpha1) or `protocols` (v1alpha2): unset means every port; `entry` reads each object in it. */
function parsePortList(raw: unknown, at: string, max: number, errors: string[], entry: (o: Record<string, unknown>, where: string) => PortSpec | undefined): PortSpec[] | 'any' {
  if (raw === undefined || raw === null) return 'any';
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push(`${at}: must be a non-empty list when set`);
    return [];
  }
  if (raw.length > max) errors.push(`${at}: more than ${max} entries`);
  const out: PortSpec[] = [];
  raw.forEach((p: unknown, i: number) => {
    const where = `${at}[${i}]`;
    const o = obj(p);
    if (!o) return void errors.push(`${where}: not an object`);
    const spec = entry(o, where);
    if (spec) out.push(spec);
  });
  return out;
}

/**
 * A named port carries no protocol (v1alpha1 namedPort, apis/v1alpha1/shared_types.go; v1alpha2
 * destinationNamedPort): it names a container port, whose declared protocol applies;
 * netpol-analyzer resolves the v1alpha1 one the same way.
 */
function namedPort(name: unknown, at: string, errors: string[]): PortSpec | undefined {
  if (typeof name !== 'string' || !PORT_NAME.test(name) || name.length > 15) return void errors.push(`${at}: "${String(name)}" is not a valid port name`);
  return { kind: 'named', name };
}

function portRange(protocol: Protocol, start: unknown, end: unknown, at: string, errors: string[]): PortSpec | undefined {
  if (!isPort(start) || !isPort(end)) return void errors.push(`${at}: start and end must be ports 1-65535`);
  if (start >= end) return void errors.push(`${at}: start ${start} must be less than end ${end}`);
  return { protocol, kind: 'range', lo: start, hi: end };
}

function parsePorts(raw: unknown, at: string, errors: string[]): PortSpec[] | 'any' {
  return parsePortList(raw, at, MAX_RULES, errors, (o, where) => {
    const key = oneOf(o, ['portNumber', 'namedPort', 'portRange'], where, errors);
    if (key === 'namedPort') return namedPort(o.namedPort, `${where}.namedPort`, errors);
    if (key === 'portNumber') {
      const pn = obj(o.portNumber) ?? {};
      const proto = pn.protocol ?? 'TCP';
      if (!isProtocol(proto)) return void errors.push(`${where}.portNumber.protocol: "${String(pn.protocol)}" is not TCP, UDP or SCTP`);
      if (!isPort(pn.port)) return void errors.push(`${where}.portNumber.port: ${String(pn.port)} is not in 1-65535`);
      return { protocol: proto, kind: 'range', lo: pn.port, hi: pn.port };
    }
    if (key === 'portRange') {
      const pr = obj(o.portRange) ?? {};
      const proto = pr.protocol ?? 'TCP';
      if (!isProtocol(proto)) return void errors.push(`${where}.portRange.protocol: "${String(pr.protocol)}" is not TCP, UDP or SCTP`);
      return portRange(proto, pr.start, pr.end, `${where}.portRange`, errors);
    }
    return undefined;
  });
}

/**
 * What one API version (and, in v1alpha1, the kind) decides about a rule; parsePeers and
 * parseRules read both versions' rules with it.
 */
interface RuleDialect {
  /** The peer fields a rule of each direction may set, exactly one per peer. */
  peerKeys: Record<'ingress' | 'egress', string[]>;
  /** At most this many rules in a direction, and peers in a rule. */
  max: number;
  /** Each action as written, to the model's action, in the order an error lists them. */
  actions: Record<string, Action>;
  /** The v0.1.0-v0.1.2 peer namespaces (see OLD_PEER_KEYS) are read. */
  oldPeers: boolean;
  /** An older CRD of this version stored `networks` CIDRs its isCIDR now refuses (networkCidr). */
  laxCidrCrd: boolean;
  /** The rule's port field, its parser, and its named-port field. */
  portsKey: 'ports' | 'protocols';
  parsePorts: (raw: unknown, at: string, errors: string[]) => PortSpec[] | 'any';
  namedPort: string;
  /** Where a peer type is not known, in the fail-closed note. */
  knownTo: (dir: 'ingress' | 'egress') => string;
  /** In a stored object, a peer with no field set fails closed with this note (a field the CRD pruned). */
  emptyPeer: string;
  failClosedCaveat: string;
  /** The error on domainNames in a rule that does not allow. */
  domainsOnlyAllowed: (written: string) => string;
}

/** `networks` and `domainNames` list at most this many entries, in both API versions. */
const MAX_ADDRESSES = 25;

/**
 * How the object reached the snapshot. `stored`: as the API server keeps it (a live cluster).
 * Otherwise a manifest not yet written, whose `file` (file:line) names it in refusals.
 */
interface Origin {
  stored: boolean;
  file?: string;
}

/**
 * A peer with a single field this version does not know, or with none. The CRD prunes a field its
 * schema lacks, on every write and every read from etcd (KEP-2332, "Pruning for Custom Resources":
 * "in the serializer [...] for the request body and when reading from etcd", before validation),
 * and every CRD release of both API versions gives each peer MinProperties=1 (network-policy-api
 * v0.1.0-v0.2.0, config/crd/ and its standard and experimental channels):
 * - a manifest's such peer is pruned to none, which the API server refuses: the object is never
 *   stored (kubectl's default strict field validation refuses the unknown field itself);
 * - a stored object shows a peer with no field only where a CRD downgrade pruned it on read, and
 *   upstream says to fail closed on it ("For Allow rules, fail closed means: treat the rule as
 *   matching no traffic. For Deny and Pass rules, [...] treat the rule as a 'Deny all' rule",
 *   AdminNetworkPolicyEgressPeer, ClusterNetworkPolicyEgressPeer): the whole Allow rule, its
 *   other peers with it, matches nothing.
 */
function parsePeers(raw: unknown, dir: 'ingress' | 'egress', d: RuleDialect, written: string, action: Action, at: string, origin: Origin, errors: string[], notes: string[], unsupported: string[]): Peer[] | 'fail-closed' | 'no-match' {
  const keys = d.peerKeys[dir];
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push(`${at}: must be a non-empty list`);
    return [];
  }
  if (raw.length > d.max) errors.push(`${at}: more than ${d.max} peers`);
  const out: Peer[] = [];
  let failClosed = false;
  raw.forEach((p: unknown, i: number) => {
    const where = `${at}[${i}]`;
    const o = obj(p);
    if (!o) return void errors.push(`${where}: not an object`);
    const present = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null);
    const unknownType = present.length === 1 && !keys.includes(present[0]);
    if (unknownType || present.length === 0) {
      if (!origin.stored) {
        const what = unknownType ? `peer type ${JSON.stringify(present[0])} is not known to ${d.knownTo(dir)}: the API server prunes it, and refuses the peer left with no field` : 'no peer field is set: the API server refuses it';
        return void errors.push(`${where}: ${what} (the CRD's minProperties 1), so this object is never stored${origin.file ? ` (${origin.file})` : ''}`);
      }
      const what = unknownType ? `peer type ${JSON.stringify(present[0])} is not known to ${d.knownTo(dir)}` : d.emptyPeer;
      notes.push(`${where}: ${what}; treated as ${action === 'Allow' ? `making the whole ${written} rule match no traffic, its other peers with it` : 'denying everything'} (fail closed)`);
      failClosed = true;
      return;
    }
    const key = oneOf(o, keys, where, errors);
    if (key === 'namespaces' || key === 'pods') {
      const set = podSet(o, key, where, errors, unsupported, d.oldPeers);
      if (set) out.push({ kind: 'pods', ...set });
    } else if (key === 'nodes') {
      const sel = selector(o.nodes, `${where}.nodes`, errors);
      if (sel) out.push({ kind: 'nodes', selector: sel, where: `${where}.nodes` });
    } else if (key === 'networks') {
      const list = o.networks;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ADDRESSES) return void errors.push(`${where}.networks: must list 1 to ${MAX_ADDRESSES} CIDRs`);
      list.forEach((c: unknown, j: number) => {
        if (typeof c !== 'string') return void errors.push(`${where}.networks[${j}]: "${String(c)}" is not a valid CIDR`);
        const r = networkCidr(c, `${where}.networks[${j}]`, d, origin, errors, unsupported);
        if (!r) return;
        // Upstream: "cluster-internal traffic will be checked against the rule as well" (pod addresses too).
        out.push({ kind: 'ipBlock', text: c as string, ranges: [r], blocks: [r], podAddresses: true });
      });
    } else if (key === 'domainNames') {
      if (action !== 'Allow') return void errors.push(`${where}.domainNames: ${d.domainsOnlyAllowed(written)}`);
      const list = o.domainNames;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ADDRESSES) return void errors.push(`${where}.domainNames: must list 1 to ${MAX_ADDRESSES} domain names`);
      const bad = list.filter((d: unknown) => typeof d !== 'string' || !DOMAIN.test(d));
      if (bad.length) return void errors.push(`${where}.domainNames: ${bad.map((d: unknown) => `"${String(d)}"`).join(', ')} is not a domain name`);
      out.push({ kind: 'fqdn', patterns: (list as string[]).map((d) => d.toLowerCase().replace(/\.$/, '')) });
    }
  });
  if (!failClosed) return out;
  return action === 'Allow' ? 'no-match' : 'fail-closed';
}

/**
 * A `networks` CIDR as the CRD admits it: "isCIDR(self)" (network-policy-api v0.1.7 and later, and
 * every v1alpha2 CRD), whose CEL library parses it with Go's netip.ParsePrefix and refuses an
 * IPv4-mapped IPv6 address (k8s.io/apiserver pkg/cel/library/cidr.go): no leading zeros in an
 * address or a prefix length ("10.0.0.0/08": "bad bits after slash"), no zone. The v0.1.3-v0.1.6
 * CRDs checked only "self.contains(':') != self.contains('.')", so a stored v1alpha1 object may hold
 * such a CIDR with leading zeros: whether the enforcer reads it is not known (`unsupported`: the
 * policy is left out, unevaluated). Anything else refused is an error.
 */
function networkCidr(text: string, at: string, d: RuleDialect, origin: Origin, errors: string[], unsupported: string[]): IpRange | undefined {
  const strict = parsePrefix(text);
  const slash = text.indexOf('/');
  const ip = slash > 0 ? parseIp(text.slice(0, slash)) : undefined;
  if (strict && !(ip && unmapIpv4(ip))) return strict;
  const sloppy = sloppyCidr(text);
  if (sloppy && origin.stored && d.laxCidrCrd) {
    unsupported.push(`${at}: "${text}" has leading zeros, which the CRD's isCIDR (network-policy-api v0.1.7 and later: Go's netip.ParsePrefix) refuses; it was stored under an older CRD (v0.1.3-v0.1.6 checked only that a CIDR holds ":" or "." but not both), so whether the enforcer reads it as ${sloppy.decimal}, and what it does if it cannot, is not known`);
    return undefined;
  }
  const why = sloppy ? `: it has leading zeros, which the CRD's isCIDR (Go's netip.ParsePrefix) refuses${origin.stored ? '' : ', so this object is never stored'}` : strict ? ': an IPv4-mapped IPv6 address, which the CRD\'s isCIDR refuses' : '';
  errors.push(`${at}: "${text}" is not a valid CIDR${why}${!origin.stored && origin.file && why ? ` (${origin.file})` : ''}`);
  return undefined;
}

/**
 * A named port on a rule whose peers are networks/nodes/domain names resolves to nothing
 * (the CRD rejects the combination): kept as an error.
 */
function parseRules(raw: unknown, dir: 'ingress' | 'egress', d: RuleDialect, origin: Origin, errors: string[], notes: string[], unsupported: string[] = []): Rule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push(`spec.${dir}: not a list`);
    return [];
  }
  if (raw.length > d.max) errors.push(`spec.${dir}: more than ${d.max} rules`);
  const rules: Rule[] = [];
  raw.forEach((r: unknown, index: number) => {
    const at = `spec.${dir}[${index}]`;
    const o = obj(r);
    if (!o) return void errors.push(`${at}: not an object`);
    const written = o.action;
    const action = typeof written === 'string' && Object.hasOwn(d.actions, written) ? d.actions[written] : undefined;
    if (!action) return void errors.push(`${at}.action: "${String(written)}" is not ${Object.keys(d.actions).join(', ')}`);
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length > 100)) errors.push(`${at}.name: not a string of at most 100 characters`);
    const peerKey = dir === 'ingress' ? 'from' : 'to';
    const peers = parsePeers(o[peerKey], dir, d, written as string, action, `${at}.${peerKey}`, origin, errors, notes, unsupported);
    const ports = d.parsePorts(o[d.portsKey], `${at}.${d.portsKey}`, errors);
    if (Array.isArray(peers) && ports !== 'any' && ports.some((p) => p.kind === 'named') && peers.some((p) => p.kind !== 'pods')) {
      errors.push(`${at}: networks/nodes/domainNames peers cannot be combined with a ${d.namedPort}`);
    }
    const name = typeof o.name === 'string' && o.name ? { name: o.name } : {};
    if (peers === 'fail-closed') rules.push({ index, ...name, action: 'Deny', peers: 'any', ports: 'any', caveats: [d.failClosedCaveat] });
    else rules.push({ index, ...name, action, peers: peers === 'no-match' ? [] : peers, ports });
  });
  return rules;
}

const V1ALPHA1_RULES = {
  max: MAX_RULES,
  oldPeers: true,
  laxCidrCrd: true,
  portsKey: 'ports',
  parsePorts,
  namedPort: 'namedPort',
  emptyPeer: 'no peer field is set (the CRD may have pruned a field it does not know)',
  failClosedCaveat: 'an unknown peer type: denies everything (fail closed)',
  domainsOnlyAllowed: () => 'only Allow rules may name domains',
} as const;
const V1ALPHA1: Record<Kind, RuleDialect> = {
  AdminNetworkPolicy: {
    ...V1ALPHA1_RULES,
    knownTo: (dir) => `AdminNetworkPolicy ${dir} rules (policy.networking.k8s.io/v1alpha1)`,
    peerKeys: { ingress: ['namespaces', 'pods'], egress: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] },
    actions: { Allow: 'Allow', Deny: 'Deny', Pass: 'Pass' },
  },
  BaselineAdminNetworkPolicy: {
    ...V1ALPHA1_RULES,
    knownTo: (dir) => `BaselineAdminNetworkPolicy ${dir} rules (policy.networking.k8s.io/v1alpha1)`,
    peerKeys: { ingress: ['namespaces', 'pods'], egress: ['namespaces', 'pods', 'nodes', 'networks'] },
    actions: { Allow: 'Allow', Deny: 'Deny' },
  },
};

/** spec.priority, 0-1000 in both API versions. */
function parsePriority(pr: unknown, errors: string[]): number | undefined {
  if (typeof pr !== 'number' || !Number.isInteger(pr)) return void errors.push(`spec.priority: ${pr === undefined ? 'missing' : `"${String(pr)}" is not an integer`}`);
  if (pr < 0 || pr > 1000) return void errors.push(`spec.priority: ${pr} is out of range (0-1000)`);
  return pr;
}

/** spec.subject; one that cannot be read selects no pods. */
function parseSubject(raw: unknown, errors: string[]): PodSet {
  const subj = obj(raw);
  if (!subj) errors.push('spec.subject: missing or not an object');
  const key = subj && oneOf(subj, ['namespaces', 'pods'], 'spec.subject', errors);
  const set = subj && (key === 'namespaces' || key === 'pods') ? podSet(subj, key, 'spec.subject', errors) : undefined;
  return set ?? { namespaces: { kind: 'names', names: [] } };
}

/** What every admin policy's parse starts with: its name and spec, each missing one an error. */
function policyHead(o: KubeObject): { errors: string[]; objectNotes: string[]; name: string; s: Record<string, unknown> } {
  const errors: string[] = [];
  const name = o.metadata?.name ?? '';
  if (!name) errors.push('metadata.name: missing');
  const spec = obj(o.spec);
  if (!spec) errors.push('spec: missing or not an object');
  return { errors, objectNotes: [], name, s: spec ?? {} };
}

function parseOne(o: KubeObject, kind: Kind, origin: Origin, notes: CoverageNote[]): LayerPolicy {
  const { errors, objectNotes, name, s } = policyHead(o);
  let order: number | undefined;
  if (kind === 'AdminNetworkPolicy') order = parsePriority(s.priority, errors);
  else if (name && name !== 'default') {
    errors.push(`metadata.name: "${name}": only one BaselineAdminNetworkPolicy, named "default", can exist (the API server rejects any other name)`);
  }
  const subject = parseSubject(s.subject, errors);
  const unsupported: string[] = [];
  const ingress = parseRules(s.ingress, 'ingress', V1ALPHA1[kind], origin, errors, objectNotes, unsupported);
  const egress = parseRules(s.egress, 'egress', V1ALPHA1[kind], origin, errors, objectNotes, unsupported);
  // Valid as written, but not evaluable: left out like an invalid object, and reported as such.
  const unevaluated = unsupported.length > 0 && errors.length === 0;
  errors.push(...unsupported);
  return layerPolicyOf(o, kind, kind === 'AdminNetworkPolicy' ? 'admin' : 'baseline', { name, order, subject, ingress, egress, errors, unevaluated }, objectNotes, notes);
}

/**
 * The layer policy of a parsed ANP, BANP or CNP, its object notes added to `notes`. A policy
 * without ingress (egress) rules does not affect ingress (egress) traffic ("CNPs with no ingress
 * (egress) rules do not affect ingress (egress) traffic"): the direction is left out.
 */
function layerPolicyOf(o: KubeObject, kind: Kind | 'ClusterNetworkPolicy', layer: 'admin' | 'baseline', p: { name: string; tier?: 'Admin' | 'Baseline'; order?: number; subject: PodSet; ingress: Rule[]; egress: Rule[]; errors: string[]; unevaluated?: boolean }, objectNotes: string[], notes: CoverageNote[]): LayerPolicy {
  const ref: ResourceRef = { kind, name: p.name || '(unnamed)' };
  for (const m of objectNotes) notes.push({ object: ref, message: m });
  return {
    api: kind,
    layer,
    ref,
    id: `${kind}:${p.name}`,
    displayName: p.name,
    kindLabel: kind,
    ...(p.tier ? { tier: p.tier } : {}),
    ...(p.order !== undefined ? { order: p.order } : {}),
    sortName: p.name,
    subject: p.subject,
    ...(p.ingress.length ? { ingress: p.ingress } : {}),
    ...(p.egress.length ? { egress: p.egress } : {}),
    isolates: { ingress: false, egress: false },
    errors: p.errors,
    ...(p.unevaluated ? { unevaluated: true } : {}),
    raw: o,
  };
}

// ---------------------------------------------------------------- ClusterNetworkPolicy (v1alpha2)
// apis/v1alpha2/clusternetworkpolicy_types.go (network-policy-api v0.2.0): the v1alpha1 model
// with the kind chosen by spec.tier, Allow renamed Accept, priorities (0-1000) and Pass in both
// tiers, ports as `protocols` (tcp/udp/sctp destinationPort number or range, or
// destinationNamedPort), and at most 25 rules, peers and protocols.

const CNP_MAX = 25;
const CNP_ACTIONS: Record<string, Action> = { Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' };
const CNP_PROTOCOLS = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;

function parseCnpProtocols(raw: unknown, at: string, errors: string[]): PortSpec[] | 'any' {
  return parsePortList(raw, at, CNP_MAX, errors, (o, where) => {
    const key = oneOf(o, ['tcp', 'udp', 'sctp', 'destinationNamedPort'], where, errors);
    if (key === 'destinationNamedPort') return namedPort(o.destinationNamedPort, `${where}.destinationNamedPort`, errors);
    if (key !== 'tcp' && key !== 'udp' && key !== 'sctp') return undefined;
    const protocol = CNP_PROTOCOLS[key];
    // The protocol structs have MinProperties=1: destinationPort is their only field.
    const dpAt = `${where}.${key}.destinationPort`;
    const dp = obj(obj(o[key])?.destinationPort);
    if (!dp) return void errors.push(`${dpAt}: missing or not an object`);
    const which = oneOf(dp, ['number', 'range'], dpAt, errors);
    if (which === 'number') {
      if (!isPort(dp.number)) return void errors.push(`${dpAt}.number: ${String(dp.number)} is not in 1-65535`);
      return { protocol, kind: 'range', lo: dp.number, hi: dp.number };
    }
    if (which === 'range') {
      const r = obj(dp.range) ?? {};
      return portRange(protocol, r.start, r.end, `${dpAt}.range`, errors);
    }
    return undefined;
  });
}

const V1ALPHA2: RuleDialect = {
  peerKeys: { ingress: ['namespaces', 'pods'], egress: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] },
  max: CNP_MAX,
  actions: CNP_ACTIONS,
  oldPeers: false,
  laxCidrCrd: false,
  portsKey: 'protocols',
  parsePorts: parseCnpProtocols,
  namedPort: 'destinationNamedPort',
  knownTo: (dir) => `policy.networking.k8s.io/v1alpha2 ${dir} rules`,
  emptyPeer: 'no peer field is set (the CRD may have pruned a field it does not know)',
  failClosedCaveat: 'a peer this API version does not know: denies everything (fail closed)',
  domainsOnlyAllowed: (written) => `only Accept rules may name domains (this rule is ${written})`,
};

function parseClusterNetworkPolicy(o: KubeObject, origin: Origin, notes: CoverageNote[]): LayerPolicy {
  const { errors, objectNotes, name, s } = policyHead(o);
  const tier = s.tier === 'Admin' || s.tier === 'Baseline' ? s.tier : undefined;
  if (!tier) errors.push(`spec.tier: ${s.tier === undefined ? 'missing' : `"${String(s.tier)}" is not Admin or Baseline`}`);
  const order = parsePriority(s.priority, errors);
  const subject = parseSubject(s.subject, errors);
  const ingress = parseRules(s.ingress, 'ingress', V1ALPHA2, origin, errors, objectNotes);
  const egress = parseRules(s.egress, 'egress', V1ALPHA2, origin, errors, objectNotes);
  return layerPolicyOf(o, 'ClusterNetworkPolicy', tier === 'Baseline' ? 'baseline' : 'admin', { name, tier, order, subject, ingress, egress, errors }, objectNotes, notes);
}

/** Each object's Origin: stored unless the snapshot was read from manifests (its file:line from `sources`). */
function originReader(snapshot: Snapshot): (o: KubeObject, kind: Kind | 'ClusterNetworkPolicy') => Origin {
  if (!templatesStandIn(snapshot)) return () => ({ stored: true });
  const sources = snapshot.sources ?? {};
  return (o, kind) => {
    // The manifests reader's key: kind, namespace (none: these kinds are cluster-scoped), name.
    const key = `${kind}//${o.metadata?.name ?? ''}`;
    const src = Object.hasOwn(sources, key) ? sources[key] : undefined;
    return { stored: false, ...(src ? { file: `${src.file}${src.line !== undefined ? `:${src.line}` : ''}` } : {}) };
  };
}

export const adminNetworkPolicyAdapter: PolicyApiAdapter = {
  api: 'AdminNetworkPolicy',
  kinds: ['anp.adminnetworkpolicies', 'anp.baselineadminnetworkpolicies', 'anp.clusternetworkpolicies'],
  parse({ snapshot }) {
    const notes: CoverageNote[] = [];
    const originOf = originReader(snapshot);
    // Both API versions apply when both are served: neither is dropped for the other.
    const policies = [
      ...(snapshot.resources['anp.adminnetworkpolicies'] ?? []).map((o) => parseOne(o, 'AdminNetworkPolicy', originOf(o, 'AdminNetworkPolicy'), notes)),
      ...(snapshot.resources['anp.baselineadminnetworkpolicies'] ?? []).map((o) => parseOne(o, 'BaselineAdminNetworkPolicy', originOf(o, 'BaselineAdminNetworkPolicy'), notes)),
      ...(snapshot.resources['anp.clusternetworkpolicies'] ?? []).map((o) => parseClusterNetworkPolicy(o, originOf(o, 'ClusterNetworkPolicy'), notes)),
    ];
    // Equal priorities in one tier: upstream leaves the order undefined when both could match a
    // connection (v1alpha1 for AdminNetworkPolicies; v1alpha2 for either tier).
    const byPriority = new Map<string, LayerPolicy[]>();
    for (const p of policies) {
      if (p.order === undefined || p.errors.length || (p.layer !== 'admin' && p.layer !== 'baseline')) continue;
      const key = `${p.layer} ${p.order}`;
      byPriority.set(key, [...(byPriority.get(key) ?? []), p]);
    }
    for (const [key, group] of byPriority) {
      if (group.length < 2) continue;
      const first = [...group].sort((a, b) => (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0))[0];
      const [layer, priority] = key.split(' ');
      const tier = group.some((p) => p.api === 'ClusterNetworkPolicy') ? ` in the ${layer === 'admin' ? 'Admin' : 'Baseline'} tier` : '';
      notes.push({ object: first.ref, message: `${namePoliciesByName(group)} share priority ${priority}${tier}: their relative order is undefined upstream; the model evaluates them by name` });
    }
    return { policies, notes };
  },
};
