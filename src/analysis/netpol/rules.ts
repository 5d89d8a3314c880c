// Rule-level judgements the network checks share, for rules of every policy API: which
// rules open a policy to everyone, which reach every external address, which ports they cover.

import type { LayerPolicy, Peer, Rule } from './layers.ts';
import { ipToString, formatRange, parseCidr, subtractRanges, type IpRange } from '../../base/ip.ts';

/**
 * Address space that is not the Internet a pod reaches. IPv4: RFC 1918, CGNAT (RFC 6598),
 * loopback, link-local, this-network, multicast 224.0.0.0/4 (RFC 5771) and reserved 240.0.0.0/4
 * with the limited broadcast address (RFC 1112 §4; IANA IPv4 Special-Purpose Address Registry,
 * RFC 6890). IPv6: all but global unicast 2000::/3, the only space IANA allocates (IANA IPv6
 * Address Space registry: the rest is "Reserved by IETF", ULA fc00::/7, link-local fe80::/10,
 * multicast ff00::/8; RFC 4291 §2.4) except the NAT64 prefixes; and inside 2000::/3 the
 * registry's entries that are not globally reachable: documentation 2001:db8::/32 (RFC 3849) and
 * 3fff::/20 (RFC 9637), benchmarking 2001:2::/48 (RFC 5180).
 * The NAT64 prefixes, the well-known 64:ff9b::/96 (RFC 6052) and the local-use 64:ff9b:1::/48
 * (RFC 8215), stay outside: through a NAT64 gateway a pod reaches the IPv4 Internet at them, so an
 * allowance to them, or a sidecar leaving them uncaptured, reaches public addresses.
 */
export const NAT64_RANGES: readonly IpRange[] = ['64:ff9b::/96', '64:ff9b:1::/48'].map((c) => parseCidr(c)!);
export const INTERNAL_RANGES: readonly IpRange[] = [
  ...['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4'].map((c) => parseCidr(c)!),
  ...subtractRanges(parseCidr('::/3')!, [...NAT64_RANGES]),
  ...['2001:2::/48', '2001:db8::/32', '3fff::/20', '4000::/2', '8000::/1'].map((c) => parseCidr(c)!),
];
/**
 * What "every public address" of a family may leave out: the internal space and the NAT64 prefixes,
 * which carry IPv4 addresses (the IPv4 family's question), so that global unicast 2000::/3 alone is
 * every public IPv6 address.
 */
export const NOT_PUBLIC_UNICAST: readonly IpRange[] = [...INTERNAL_RANGES, ...NAT64_RANGES];

export type OpenReason =
  | 'any peer (from/to missing or empty)'
  | 'every pod in every namespace'
  | WholeReason
  | CoveredReason
  | LeftOutReason
  | 'every endpoint (entity all)'
  | 'every address outside the cluster (entity world)'
  | 'every pod in the cluster (entity cluster)'
  | 'every IPv4 address, pods and external addresses alike (ipVersion 4)'
  | 'every IPv6 address, pods and external addresses alike (ipVersion 6)'
  | 'every IPv4 address outside the cluster (entity world-ipv4)'
  | 'every IPv6 address outside the cluster (entity world-ipv6)'
  | ExceptReason;

/** A rule with no positive peer but an exclusion (Calico `notNets`, `notSelector`): open to all but what it excludes. */
export type ExceptReason = `every address outside ${string} (notNets)` | `every peer except ${string} (notNets/notSelector)`;

/** What a rule's notPeers exclude, as a reason naming them (every peer is admitted otherwise). */
function exceptReason(notPeers: readonly Peer[]): ExceptReason {
  const texts = notPeers.map((p) => {
    switch (p.kind) {
      case 'ipBlock': return p.text;
      case 'pods': return p.where ? `pods ${p.where.key}` : p.namespaces.kind === 'names' ? `pods of namespace ${p.namespaces.names.join(', ')}` : 'pods';
      case 'entity': return p.entity === 'other' ? p.name : `entity ${p.entity}`;
      case 'fqdn': return p.patterns.join(', ');
      case 'nodes': return `nodes ${p.selector.key}`;
    }
  });
  return notPeers.every((p) => p.kind === 'ipBlock') ? `every address outside ${texts.join(', ')} (notNets)` : `every peer except ${texts.join(', ')} (notNets/notSelector)`;
}

/**
 * A rule open to a whole family but for the ranges its ipBlocks' `except` leave out: "every address
 * except 10.0.0.0/8 (ipBlock 0.0.0.0/0 except 1 range)". Still open to the internet (the CIDRs
 * before `except` decide the verdict), but the text names what is left out.
 */
/** "every address" for a claim on both families, else "every IPv4 address" or "every IPv6 address". */
type EveryAddress = 'every address' | 'every IPv4 address' | 'every IPv6 address';
export type LeftOutReason = `${EveryAddress} except ${string} (ipBlock${string})`;
/** A rule naming a whole family's CIDR: "every IPv4 address (ipBlock 0.0.0.0/0)", "every address (ipBlock /0)" for both. */
export type WholeReason = 'every address (ipBlock /0)' | 'every IPv4 address (ipBlock 0.0.0.0/0)' | 'every IPv6 address (ipBlock ::/0)';
/** CIDRs adding up to a whole family: "every IPv6 address (ipBlocks cover ::/0)", both families as before. */
export type CoveredReason = 'every address (ipBlocks cover 0.0.0.0/0 or ::/0)' | 'every IPv4 address (ipBlocks cover 0.0.0.0/0)' | 'every IPv6 address (ipBlocks cover ::/0)';

/** The claim's subject for the families covered: a single family is named. */
function everyAddress(families: ReadonlyArray<4 | 6>): EveryAddress {
  return families.length === 1 ? (families[0] === 4 ? 'every IPv4 address' : 'every IPv6 address') : 'every address';
}

const FAMILY_MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

/**
 * The addresses of the families `families` that the rule's ipBlocks (after `except`) leave out,
 * merged and sorted: one sort, one sweep (a rule may list many blocks).
 */
function leftOut(peers: readonly Peer[], families: ReadonlyArray<4 | 6>): IpRange[] {
  const out: IpRange[] = [];
  for (const f of families) {
    const ranges = peers.flatMap((p) => (p.kind === 'ipBlock' ? p.ranges.filter((r) => r.family === f) : [])).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    let next = 0n;
    for (const r of ranges) {
      if (r.lo > next) out.push({ family: f, lo: next, hi: r.lo - 1n });
      if (r.hi + 1n > next) next = r.hi + 1n;
    }
    if (next <= FAMILY_MAX[f]) out.push({ family: f, lo: next, hi: FAMILY_MAX[f] });
  }
  return out;
}

/** A range as a CIDR when it is one ("10.0.0.0/8"), else "FIRST-LAST". */
export function rangeText(r: IpRange): string {
  const size = r.hi - r.lo + 1n;
  const bits = r.family === 4 ? 32 : 128;
  if ((size & (size - 1n)) === 0n && (r.lo & (size - 1n)) === 0n) return `${ipToString(r.family, r.lo)}/${bits - (size.toString(2).length - 1)}`;
  return formatRange(r);
}

/** "every IPv4 address except A, B (ipBlock WHAT except N ranges)" ("every address" for both families), or `plain` when nothing of the families is left out. */
function withLeftOut<T extends string>(plain: T, peers: readonly Peer[], families: ReadonlyArray<4 | 6>, what: string): T | LeftOutReason {
  const gaps = leftOut(peers, families);
  if (gaps.length === 0) return plain;
  const shown = gaps.slice(0, 3).map(rangeText).join(', ');
  return `${everyAddress(families)} except ${shown}${gaps.length > 3 ? ` (and ${gaps.length - 3} more)` : ''} (ipBlock${what} except ${gaps.length} range${gaps.length > 1 ? 's' : ''})`;
}

const WHOLE = { 4: '0.0.0.0/0', 6: '::/0' } as const;

function blocksOf(p: Peer & { kind: 'ipBlock' }): IpRange[] {
  return p.blocks ?? p.ranges;
}

function isWholeFamily(r: IpRange): boolean {
  return r.lo === 0n && r.hi === FAMILY_MAX[r.family];
}

function everyPod(p: Peer): boolean {
  return p.kind === 'pods' && p.namespaces.kind === 'selector' && p.namespaces.selector.empty && (!p.pods || p.pods.empty)
    && (!p.serviceAccounts || p.serviceAccounts.empty) && !p.serviceAccountNames && !p.where && !p.addresses;
}

/**
 * A rule whose port list is empty matches no TCP, UDP or SCTP connection: a Calico rule for
 * ICMP alone (or for a Service without ports) opens nothing the model answers for. A
 * Kubernetes NetworkPolicy's `ports: []` is every port: its adapter reads it as 'any'.
 */
function matchesNoPort(rule: Rule): boolean {
  return rule.ports !== 'any' && rule.ports.length === 0;
}

/** Why a rule admits every source (or destination), or undefined when it is selective. Only Allow rules open anything. */
export function openReason(rule: Rule): OpenReason | undefined {
  if (rule.action !== 'Allow' || matchesNoPort(rule)) return undefined;
  if (rule.peers === 'any') return rule.notPeers?.length ? exceptReason(rule.notPeers) : 'any peer (from/to missing or empty)';
  // A Calico rule whose only criterion is its ipVersion matches every address of that family
  // (docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule, ipVersion: "Positive
  // IP version match"): its adapter writes it as the family's external addresses plus the cluster.
  const family = rule.peers.find((p): p is Peer & { kind: 'entity' } => p.kind === 'entity' && (p.entity === 'world-ipv4' || p.entity === 'world-ipv6'));
  const cluster = rule.peers.some((p) => p.kind === 'entity' && p.entity === 'cluster');
  if (family && cluster) return family.entity === 'world-ipv4' ? 'every IPv4 address, pods and external addresses alike (ipVersion 4)' : 'every IPv6 address, pods and external addresses alike (ipVersion 6)';
  for (const p of rule.peers) {
    if (p.kind === 'ipBlock' && blocksOf(p).some(isWholeFamily)) {
      // Kubernetes writes one CIDR per ipBlock: 0.0.0.0/0 and ::/0 are two peers of one claim.
      const fams = [...new Set(rule.peers.flatMap((x) => (x.kind === 'ipBlock' ? blocksOf(x) : [])).filter(isWholeFamily).map((b) => b.family))].sort();
      const plain: WholeReason = fams.length > 1 ? 'every address (ipBlock /0)' : fams[0] === 4 ? 'every IPv4 address (ipBlock 0.0.0.0/0)' : 'every IPv6 address (ipBlock ::/0)';
      return withLeftOut(plain, rule.peers, fams, ` ${fams.map((f) => WHOLE[f]).join(', ')}`);
    }
    if (everyPod(p)) return 'every pod in every namespace';
    if (p.kind === 'entity' && p.entity === 'all') return 'every endpoint (entity all)';
    if (p.kind === 'entity' && p.entity === 'world') return 'every address outside the cluster (entity world)';
    if (p.kind === 'entity' && p.entity === 'world-ipv4') return 'every IPv4 address outside the cluster (entity world-ipv4)';
    if (p.kind === 'entity' && p.entity === 'world-ipv6') return 'every IPv6 address outside the cluster (entity world-ipv6)';
    if (p.kind === 'entity' && p.entity === 'cluster') return 'every pod in the cluster (entity cluster)';
  }
  // /0 written in pieces (0.0.0.0/1 + 128.0.0.0/1) is /0; as for one /0, the CIDRs before
  // `except` count: "0.0.0.0/0 except …" is still open to the internet.
  const blocks = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? blocksOf(p) : []));
  return coveredReason(rule.peers, blocks);
}

/** 'every IPv4 address (ipBlocks cover 0.0.0.0/0)' (both families: 'every address (ipBlocks cover 0.0.0.0/0 or ::/0)'), naming what their `except` leave out of the families covered; undefined when none is covered. */
function coveredReason(peers: readonly Peer[], blocks: IpRange[]): CoveredReason | LeftOutReason | undefined {
  const fams = ([4, 6] as const).filter((f) => coversFamily(blocks, f));
  if (fams.length === 0) return undefined;
  const plain: CoveredReason = fams.length > 1 ? 'every address (ipBlocks cover 0.0.0.0/0 or ::/0)' : fams[0] === 4 ? 'every IPv4 address (ipBlocks cover 0.0.0.0/0)' : 'every IPv6 address (ipBlocks cover ::/0)';
  return withLeftOut(plain, peers, fams, `s cover ${fams.map((f) => WHOLE[f]).join(', ')}`);
}

/** Whether CIDR blocks (before `except`) together cover one whole address family. */
function coversFamily(blocks: IpRange[], family: 4 | 6): boolean {
  const sorted = blocks.filter((b) => b.family === family).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let next = 0n;
  for (const b of sorted) {
    if (b.lo > next) return false;
    if (b.hi + 1n > next) next = b.hi + 1n;
    if (next > FAMILY_MAX[family]) return true;
  }
  return false;
}

/**
 * Whether CIDRs (after `except`) cover every public address of a family: with INTERNAL_RANGES
 * (what egress.ts and network.egress-not-controlled take as not the outside) they cover it whole.
 * One sort, one sweep (coversFamily).
 */
function coversPublic(ranges: readonly IpRange[], family: 4 | 6): boolean {
  return coversFamily([...ranges, ...NOT_PUBLIC_UNICAST], family);
}

/** A rule whose ipBlocks leave out only internal space: "every public IPv4 address (ipBlocks cover all of 0.0.0.0/0 outside …)". */
export type PublicReason = `every public ${string} address (ipBlocks cover all of ${string} outside ${string})`;

const PUBLIC_WORDS = {
  4: { name: 'IPv4', whole: '0.0.0.0/0', internal: 'private (RFC 1918), CGNAT, loopback, link-local, this-network, multicast and reserved space' },
  6: { name: 'IPv6', whole: '::/0', internal: 'non-global space (ULA, link-local, loopback, multicast, reserved: all but 2000::/3), NAT64 (IPv4 addresses), documentation and benchmarking space' },
} as const;

/** publicReason for the families whose public space the rule's ipBlocks (after `except`) cover, or undefined. */
function publicReason(peers: readonly Peer[]): PublicReason | undefined {
  const ranges = peers.flatMap((p) => (p.kind === 'ipBlock' ? p.ranges : []));
  if (ranges.length === 0) return undefined;
  const fams = ([4, 6] as const).filter((f) => coversPublic(ranges, f));
  if (fams.length === 0) return undefined;
  const w = fams.map((f) => PUBLIC_WORDS[f]);
  return `every public ${w.map((x) => x.name).join(' and ')} address (ipBlocks cover all of ${w.map((x) => x.whole).join(' and ')} outside ${w.map((x) => x.internal).join('; ')})`;
}

export type ExternalOpenReason = 'any peer (to missing or empty)' | ExceptReason | CoveredReason | LeftOutReason | PublicReason | WorldReason | 'every endpoint (entity all)' | 'every DNS name (toFQDNs *)';
type WorldReason = 'every address outside the cluster (entity world)' | 'every IPv4 address outside the cluster (entity world-ipv4)' | 'every IPv6 address outside the cluster (entity world-ipv6)';

/**
 * Why an egress Allow rule reaches every address outside the cluster, or undefined. Unlike
 * openReason, `namespaceSelector: {}` does not count: it reaches every pod, no external IP.
 * ipBlocks (ANP networks, Calico nets, Cilium CIDRs) count when together they cover a whole
 * family (0.0.0.0/1 + 128.0.0.0/1 is /0), or, after their `except`, every public address of one
 * (publicReason: pieces adding up to 0.0.0.0/0 but private space reach the whole Internet as
 * much). FQDN allowances count only as Cilium's lone `*`, every name.
 */
export function externalOpenReason(rule: Rule): ExternalOpenReason | undefined {
  if (rule.action !== 'Allow' || matchesNoPort(rule)) return undefined;
  if (rule.peers === 'any') return rule.notPeers?.length ? exceptReason(rule.notPeers) : 'any peer (to missing or empty)';
  if (rule.peers.some((p) => p.kind === 'entity' && p.entity === 'all')) return 'every endpoint (entity all)';
  // world-ipv4 or world-ipv6 alone claims its family only (openScope); world, or both, every address.
  const worlds = new Set(rule.peers.flatMap((p) => (p.kind === 'entity' && (p.entity === 'world' || p.entity === 'world-ipv4' || p.entity === 'world-ipv6') ? [p.entity] : [])));
  if (worlds.size === 1 && worlds.has('world-ipv4')) return 'every IPv4 address outside the cluster (entity world-ipv4)';
  if (worlds.size === 1 && worlds.has('world-ipv6')) return 'every IPv6 address outside the cluster (entity world-ipv6)';
  if (worlds.size > 0) return 'every address outside the cluster (entity world)';
  const blocks = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? blocksOf(p) : []));
  const covered = coveredReason(rule.peers, blocks) ?? publicReason(rule.peers);
  if (covered) return covered;
  // Cilium toFQDNs `matchPattern: "*"`: "* alone matches all names" (cilium/cilium v1.20.2
  // Documentation/security/policy/layer3.rst, "DNS based"): every address any lookup returns.
  return rule.peers.some((p) => p.kind === 'fqdn' && p.patterns.some((pat) => /^\*+\.?$/.test(pat.trim()))) ? 'every DNS name (toFQDNs *)' : undefined;
}

/**
 * Whether CIDRs together cover every address of a family (0.0.0.0/0 or ::/0, or pieces adding
 * up to one): network.unrestricted-egress's test, and the egress posture's "any address".
 */
export function coversEveryAddress(ranges: IpRange[]): boolean {
  return coversFamily(ranges, 4) || coversFamily(ranges, 6);
}

/**
 * Whom a rule open to everyone (openReason, externalOpenReason) claims to admit: every pod
 * (`pods`), and every address of the families listed. A rule's peers are ORed, so the claim is
 * the union of what its open peers cover; for an egress rule judged as external
 * (`externalOnly`), pods do not count.
 */
export function openScope(rule: Rule, externalOnly = false): { pods: boolean; families: Array<4 | 6> } {
  const fams = new Set<4 | 6>();
  let pods = false;
  if (rule.peers === 'any') return { pods: !externalOnly, families: [4, 6] };
  for (const p of rule.peers) {
    if (p.kind === 'entity' && p.entity === 'all') { pods = true; fams.add(4); fams.add(6); }
    else if (p.kind === 'entity' && p.entity === 'world') { fams.add(4); fams.add(6); }
    else if (p.kind === 'entity' && p.entity === 'world-ipv4') fams.add(4);
    else if (p.kind === 'entity' && p.entity === 'world-ipv6') fams.add(6);
    else if ((p.kind === 'entity' && p.entity === 'cluster') || everyPod(p)) pods = true;
  }
  const blocks = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? blocksOf(p) : []));
  for (const f of [4, 6] as const) if (coversFamily(blocks, f)) fams.add(f);
  // Judged as external (externalOpenReason), ipBlocks covering every public address of a family claim it.
  if (externalOnly) {
    const ranges = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? p.ranges : []));
    for (const f of [4, 6] as const) if (ranges.length > 0 && coversPublic(ranges, f)) fams.add(f);
  }
  return { pods: pods && !externalOnly, families: [...fams].sort() };
}

/** The protocols on which the rule allows every port (no ports, a port-less entry, or ranges covering 1-65535). */
export function allPortProtocols(rule: Rule): string[] {
  const out: string[] = [];
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
    if (rule.notPorts?.some((p) => p.protocol === proto)) continue;
    if (rule.ports === 'any') { out.push(proto); continue; }
    const specs = rule.ports.filter((p) => p.protocol === proto);
    if (specs.some((p) => p.kind === 'all')) { out.push(proto); continue; }
    const ranges = specs.flatMap((p) => (p.kind === 'range' ? [[p.lo, p.hi] as const] : [])).sort((a, b) => a[0] - b[0]);
    let next = 1;
    for (const [lo, hi] of ranges) {
      if (lo > next) break;
      next = Math.max(next, hi + 1);
    }
    if (next > 65535) out.push(proto);
  }
  return out;
}

/** Port text for evidence: "any", or "TCP 8080, UDP 53, TCP http" (and " except …" for notPorts). */
export function portsText(rule: Rule): string {
  const text = (list: Exclude<Rule['ports'], 'any'>) => list.map((p) => (p.kind === 'all' ? `${p.protocol} (all ports)` : p.kind === 'named' ? (p.protocol ? `${p.protocol} ${p.name}` : p.name) : p.lo === p.hi ? `${p.protocol} ${p.lo}` : `${p.protocol} ${p.lo}-${p.hi}`)).join(', ');
  const base = rule.ports === 'any' ? 'any' : text(rule.ports);
  return rule.notPorts?.length ? `${base} except ${text(rule.notPorts)}` : base;
}

/** Whether the rule's ports include DNS (53 on UDP or TCP, or a whole protocol). */
export function portsIncludeDns(rule: Rule): boolean {
  if (rule.ports === 'any') return true;
  return rule.ports.some((p) => (p.protocol === 'UDP' || p.protocol === 'TCP' || p.protocol === undefined) && (p.kind === 'all' || (p.kind === 'range' && p.lo <= 53 && p.hi >= 53) || (p.kind === 'named' && /dns/.test(p.name))));
}

/** Whether the policy's subject is every pod of its namespace (or, cluster-scoped, of the namespaces it names). */
export function selectsWholeNamespaces(p: LayerPolicy): boolean {
  const s = p.subject;
  return (!s.pods || s.pods.empty) && (!s.serviceAccounts || s.serviceAccounts.empty) && !s.serviceAccountNames && !s.where;
}

/**
 * A policy that selects every pod of its namespace(s) and, in `dir`, only denies: a
 * NetworkPolicy/Cilium policy that isolates with no allow rule, or a first-match policy
 * whose first rule denies everything from everyone.
 */
export function isDefaultDeny(p: LayerPolicy, dir: 'ingress' | 'egress'): boolean {
  const rules = p[dir];
  if (p.errors.length || !rules || !selectsWholeNamespaces(p)) return false;
  if (p.layer === 'networkpolicy' || p.layer === 'cilium') return p.isolates[dir] && rules.every((r) => r.action === 'Deny');
  const first = rules.find((r) => r.action !== 'Log');
  return first !== undefined && first.action === 'Deny' && first.ports === 'any' && !first.notPorts?.length && !first.notPeers?.length
    && (first.peers === 'any' || first.peers.some((x) => everyPod(x) || (x.kind === 'entity' && (x.entity === 'all' || x.entity === 'cluster'))));
}

export function isSystemNamespace(ns: string | undefined, systemNamespaces: readonly string[]): boolean {
  return ns !== undefined && systemNamespaces.includes(ns);
}
