// Where workloads may go outside the cluster under the effective network model: the
// external address ranges and DNS names (Cilium toFQDNs, ANP domainNames) each workload's
// egress admits, and the external destinations the enforced policies name at all (for the
// report). Private, link-local and loopback space is taken as internal (pods, nodes, the
// local network): only public addresses and names count as "the outside".

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { allConns, emptyConns, intersectConns, isEmptyConns, subtractConns, unionConns, type ConnSet } from './conns.ts';
import { policyLabel } from './engine.ts';
import { ALL_V4, ALL_V6, formatRange, type Family, type IpRange } from '../../base/ip.ts';
import { buildReachability, egressVerdict, type Endpoint, type PodClass, type ReachModel, type WorkloadNode } from './model.ts';
import { coversEveryAddress, INTERNAL_RANGES } from './rules.ts';

export interface WorkloadExternalEgress {
  workload: WorkloadNode;
  /** Public address ranges the workload may open connections to ("a-b"), cut at the policies' CIDR boundaries. */
  ranges: string[];
  /** Every public address of both families (no egress policy governs it, or a rule open to the world), on `everyConns`. */
  anyAddress: boolean;
  /** The address families in which every public address is reachable, on `everyConns` at least. */
  anyFamilies: Family[];
  /** toFQDNs / domainNames patterns the workload's egress admits. */
  fqdns: string[];
  /**
   * Per family of `anyFamilies`: the connections (protocols and ports) open to every public
   * address of that family, what all its public pieces share (a rule with ports and no `to` opens
   * only those ports to every address; a wider rule to one range opens more to that range only).
   */
  everyConns: Partial<Record<Family, ConnSet>>;
  /**
   * The public ranges open on more than `everyConns` of their family (every open range of a
   * family not in `anyFamilies`), and the connections open to them, combined.
   */
  wider: { ranges: string[]; conns: ConnSet };
  /** The connections open to the names of `fqdns`, combined. */
  fqdnConns: ConnSet;
  /** Labels of the policies whose rules admit the external traffic. */
  allowedBy: string[];
}

function within(piece: IpRange, outer: readonly IpRange[]): boolean {
  return outer.some((r) => r.family === piece.family && piece.lo >= r.lo && piece.hi <= r.hi);
}

/** Pieces of both families cut at every boundary of `ranges` (and of the internal space), so each piece is judged as one. */
function cut(ranges: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const [family, all] of [[4, ALL_V4], [6, ALL_V6]] as Array<[Family, IpRange]>) {
    const cuts = new Set<bigint>([all.lo, all.hi + 1n]);
    for (const r of [...ranges, ...INTERNAL_RANGES]) {
      if (r.family !== family) continue;
      cuts.add(r.lo);
      cuts.add(r.hi + 1n);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i + 1 < sorted.length; i++) out.push({ family, lo: sorted[i], hi: sorted[i + 1] - 1n });
  }
  return out;
}

function egressPeers(cls: PodClass): { ranges: IpRange[]; fqdns: string[] } {
  const ranges: IpRange[] = [];
  const fqdns: string[] = [];
  for (const p of cls.egressPolicies) {
    for (const r of p.egress ?? []) {
      for (const list of [r.peers === 'any' ? [] : r.peers, r.notPeers ?? []]) {
        for (const peer of list) {
          if (peer.kind === 'ipBlock') ranges.push(...peer.ranges);
          else if (peer.kind === 'fqdn') fqdns.push(...peer.patterns);
        }
      }
    }
  }
  return { ranges, fqdns: [...new Set(fqdns)].sort() };
}

/** A name a toFQDNs pattern matches ("*.example.com" → "x.example.com"), to ask the model about it. */
function sampleName(pattern: string): string {
  return pattern.replace(/\*/g, 'x');
}

/** A public piece of `cut`, as the endpoint the model is asked about and its text. */
export interface Piece { piece: IpRange; text: string; endpoint: Endpoint }

/**
 * The public pieces of the address space cut at `ranges` and `internal`, per distinct list of
 * ranges: most classes' egress rules name none or the same few, so the cut and the pieces'
 * texts are made once per list, not once per class.
 */
export function publicPieces(ranges: readonly IpRange[], internal: readonly IpRange[], cache: Map<string, Piece[]>): Piece[] {
  let key = '';
  for (const r of ranges) key += `${r.family}:${r.lo}:${r.hi},`;
  let pieces = cache.get(key);
  if (!pieces) {
    pieces = [];
    for (const piece of cut([...ranges, ...internal])) {
      if (within(piece, internal)) continue;
      const text = formatRange(piece);
      pieces.push({ piece, text, endpoint: { kind: 'ip', family: piece.family, value: piece.lo, text } });
    }
    cache.set(key, pieces);
  }
  return pieces;
}

/** A public piece the class may open connections to, and which. */
interface OpenPiece { family: Family; text: string; conns: ConnSet }

interface ClassEgress extends Omit<WorkloadExternalEgress, 'workload' | 'wider'> {
  /** The open pieces wider than `everyConns` of their family (all open pieces of another family). */
  wider: OpenPiece[];
}

function classEgress(model: ReachModel, cls: PodClass, internal: readonly IpRange[], piecesCache: Map<string, Piece[]>): ClassEgress {
  const src = { kind: 'class', cls } as const;
  const { ranges, fqdns } = egressPeers(cls);
  const open: OpenPiece[] = [];
  const by = new Set<string>();
  // What every public piece of a family is open on: the intersection over all of them (a closed
  // piece makes it empty), so "every public address on X" holds for each address, as reach says.
  const every = new Map<Family, ConnSet>();
  for (const { piece, text, endpoint } of publicPieces(ranges, internal, piecesCache)) {
    const v = egressVerdict(model, src, endpoint);
    every.set(piece.family, intersectConns(every.get(piece.family) ?? allConns(), v.conns));
    if (isEmptyConns(v.conns)) continue;
    open.push({ family: piece.family, text, conns: v.conns });
    for (const d of v.decidedBy) {
      const p = model.policyById.get(d.policy);
      if (p) by.add(policyLabel(p));
    }
  }
  const allowedNames: string[] = [];
  let fqdnConns = emptyConns();
  for (const f of fqdns) {
    const v = egressVerdict(model, src, { kind: 'fqdn', name: sampleName(f) });
    if (isEmptyConns(v.conns)) continue;
    fqdnConns = unionConns(fqdnConns, v.conns);
    allowedNames.push(f);
    for (const d of v.decidedBy) {
      const p = model.policyById.get(d.policy);
      if (p) by.add(policyLabel(p));
    }
  }
  const anyFamilies = ([4, 6] as Family[]).filter((f) => !isEmptyConns(every.get(f) ?? emptyConns()));
  const everyConns: Partial<Record<Family, ConnSet>> = {};
  for (const f of anyFamilies) everyConns[f] = every.get(f)!;
  return {
    ranges: open.map((o) => o.text),
    anyAddress: anyFamilies.length === 2,
    anyFamilies,
    everyConns,
    wider: open.filter((o) => !coveredBy(o, everyConns)),
    fqdns: allowedNames,
    fqdnConns,
    allowedBy: [...by].sort(),
  };
}

/** Whether an open piece's connections are all open to every public address of its family. */
function coveredBy(o: OpenPiece, everyConns: Partial<Record<Family, ConnSet>>): boolean {
  const every = everyConns[o.family];
  return every !== undefined && isEmptyConns(subtractConns(o.conns, every));
}

/**
 * Every workload with egress to some public address or external name, keyed by workload key.
 * `extraInternal`: further ranges that are not "the outside" (a declared egress proxy's address).
 * A workload whose pods differ (several classes) reaches what any of them reaches.
 */
export function externalEgress(snapshot: Snapshot, extraInternal: readonly IpRange[] = []): Map<string, WorkloadExternalEgress> {
  const model = buildReachability(snapshot);
  const internal = [...INTERNAL_RANGES, ...extraInternal];
  const perClass = new Map<PodClass, ClassEgress>();
  // Classes with the same egress plan get the same answer unless a rule has a condition on
  // its own pod (Calico): external peers resolve no named port, so nothing else of the class counts.
  const perPlan = new Map<object, ClassEgress>();
  const piecesCache = new Map<string, Piece[]>();
  const sharable = (cls: PodClass) => cls.egressPolicies.every((p) => (p.egress ?? []).every((r) => r.subject === undefined));
  const out = new Map<string, WorkloadExternalEgress>();
  for (const node of model.workloads) {
    const ranges = new Set<string>();
    const fqdns = new Set<string>();
    const by = new Set<string>();
    const everyConns: Partial<Record<Family, ConnSet>> = {};
    const wider: OpenPiece[] = [];
    let fqdnConns = emptyConns();
    for (const cls of node.classes) {
      let e = perClass.get(cls);
      if (!e) {
        const shared = sharable(cls);
        e = shared ? perPlan.get(cls.egressPlan) : undefined;
        if (!e) {
          e = classEgress(model, cls, internal, piecesCache);
          if (shared) perPlan.set(cls.egressPlan, e);
        }
        perClass.set(cls, e);
      }
      for (const r of e.ranges) ranges.add(r);
      for (const f of e.fqdns) fqdns.add(f);
      for (const b of e.allowedBy) by.add(b);
      for (const f of e.anyFamilies) everyConns[f] = unionConns(everyConns[f] ?? emptyConns(), e.everyConns[f]!);
      for (const o of e.wider) wider.push(o);
      fqdnConns = unionConns(fqdnConns, e.fqdnConns);
    }
    if (ranges.size === 0 && fqdns.size === 0) continue;
    const anyFamilies = ([4, 6] as Family[]).filter((f) => everyConns[f] !== undefined);
    const widerRanges = new Set<string>();
    let widerConns = emptyConns();
    for (const o of wider) {
      if (coveredBy(o, everyConns)) continue;
      widerRanges.add(o.text);
      widerConns = unionConns(widerConns, o.conns);
    }
    out.set(node.key, {
      workload: node,
      ranges: [...ranges],
      anyAddress: anyFamilies.length === 2,
      anyFamilies,
      everyConns,
      wider: { ranges: [...widerRanges], conns: widerConns },
      fqdns: [...fqdns].sort(),
      fqdnConns,
      allowedBy: [...by].sort(),
    });
  }
  return out;
}

export interface ExternalDestination {
  /** 'ipBlock' (a CIDR rule), 'fqdn' (Cilium toFQDNs, ANP domainNames), 'world' (an entity or rule open to every address), 'ServiceEntry' (an Istio host). */
  kind: 'ipBlock' | 'fqdn' | 'world' | 'ServiceEntry';
  /** The CIDR, name pattern or host. */
  value: string;
  /** The policy or ServiceEntry that names it. */
  source: ResourceRef;
  sourceLabel: string;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The external destinations the cluster's objects allow by name: public CIDRs and names in
 * enforced egress Allow rules, rules open to every address, and Istio ServiceEntry hosts
 * (mesh-external entries; a ServiceEntry with location MESH_INTERNAL is left out).
 */
export const externalDestinations = memoize((snapshot: Snapshot): ExternalDestination[] => {
  const model = buildReachability(snapshot);
  const out: ExternalDestination[] = [];
  const seen = new Set<string>();
  const add = (d: ExternalDestination) => {
    const k = `${d.kind}\u0000${d.value}\u0000${d.sourceLabel}`;
    if (!seen.has(k)) { seen.add(k); out.push(d); }
  };
  for (const p of model.policies) {
    if (p.errors.length || !p.egress || !model.enforced(p)) continue;
    const label = policyLabel(p);
    for (const r of p.egress) {
      if (r.action !== 'Allow') continue;
      if (r.peers === 'any') { add({ kind: 'world', value: 'any address', source: p.ref, sourceLabel: label }); continue; }
      for (const peer of r.peers) {
        if (peer.kind === 'ipBlock') {
          if ((peer.blocks ?? peer.ranges).every((x) => within(x, INTERNAL_RANGES))) continue;
          // 0.0.0.0/0 or ::/0 with nothing excepted is every address, as network.unrestricted-egress
          // says; with an except it is listed as the range it is ("0.0.0.0/0 except 10.0.0.0/8").
          add({ kind: coversEveryAddress(peer.ranges) ? 'world' : 'ipBlock', value: peer.text, source: p.ref, sourceLabel: label });
        } else if (peer.kind === 'fqdn') {
          for (const f of peer.patterns) add({ kind: 'fqdn', value: f, source: p.ref, sourceLabel: label });
        } else if (peer.kind === 'entity' && (peer.entity === 'world' || peer.entity === 'world-ipv4' || peer.entity === 'world-ipv6' || peer.entity === 'all')) {
          add({ kind: 'world', value: `entity ${peer.entity}`, source: p.ref, sourceLabel: label });
        }
      }
    }
  }
  for (const se of snapshot.resources['istio.serviceentries'] ?? []) {
    const spec = record(se.spec);
    if (spec?.location === 'MESH_INTERNAL') continue;
    const ref: ResourceRef = { kind: 'ServiceEntry', namespace: se.metadata?.namespace ?? 'default', name: se.metadata?.name ?? '' };
    const hosts = Array.isArray(spec?.hosts) ? spec.hosts.filter((h): h is string => typeof h === 'string' && h !== '') : [];
    for (const h of hosts) add({ kind: 'ServiceEntry', value: h, source: ref, sourceLabel: `ServiceEntry ${ref.namespace}/${ref.name}` });
  }
  const order = { world: 0, ipBlock: 1, fqdn: 2, ServiceEntry: 3 } as const;
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.value.localeCompare(b.value) || a.sourceLabel.localeCompare(b.sourceLabel));
}, ['network', 'tls']);
