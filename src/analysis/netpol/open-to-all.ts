// What a rule "open to everyone" still opens once the effective verdict has its say: a Deny
// that takes precedence (Cilium egressDeny/ingressDeny, docs.cilium.io/en/stable/security/
// policy/language/#deny-policies) or a rule evaluated first (Calico order, an ANP priority) may
// shadow it. Per pod class and direction: what a pod no policy names gets, and what the public
// addresses of each family get, as `reach` answers each of them. Feeds network.allow-all-ingress
// and network.unrestricted-egress.

import type { Family, IpRange } from '../../base/ip.ts';
import { allConns, emptyConns, intersectConns, sameConns, unionConns, type ConnSet } from './conns.ts';
import { describeCause, type Direction, type StagePlan } from './engine.ts';
import { publicPieces, type Piece } from './egress.ts';
import { NOT_PUBLIC_UNICAST } from './rules.ts';
import { egressVerdict, ingressVerdict, type DirectionVerdict, type Endpoint, type PodClass, type ReachModel } from './model.ts';

export interface FamilyOpen {
  /** Connections open with some public address of the family. */
  some: ConnSet;
  /** Connections open with every public address of the family. */
  every: ConnSet;
  /** Public ranges ("a-b") closed on part of `some`: what rules other than the open one refuse. */
  refused: string[];
  /** Deny rules that refused part of it, described as `reach` does. */
  deniedBy: string[];
  /** Other causes that closed part of it: an isolating stage, the end of a Calico tier. */
  closedBy: string[];
}

/** What the effective verdict opens with a pod no selector singles out, and what closed the rest (as FamilyOpen). */
export interface PodsOpen {
  conns: ConnSet;
  deniedBy: string[];
  closedBy: string[];
}

export interface AddressesOpen {
  4: FamilyOpen;
  6: FamilyOpen;
}

const podsCache = new WeakMap<PodClass | readonly StagePlan[], Partial<Record<Direction, PodsOpen>>>();
const addressCache = new WeakMap<PodClass | readonly StagePlan[], Partial<Record<Direction, AddressesOpen>>>();

/**
 * The cache key: the class's plan when every class of that plan gets the same answer (no rule
 * has a condition on its own pod, no ingress rule names a port by name, which resolves on the
 * pod; not host-network), else the class. Most classes of a namespace share one plan.
 */
function keyOf(cls: PodClass, dir: Direction): PodClass | readonly StagePlan[] {
  const plan = dir === 'ingress' ? cls.ingressPlan : cls.egressPlan;
  if (plan.length === 0 || cls.hostNetwork) return cls;
  for (const s of plan) {
    for (const p of s.policies) {
      for (const r of p[dir] ?? []) {
        if (r.subject) return cls;
        if (dir === 'ingress' && ((r.ports !== 'any' && r.ports.some((x) => x.kind === 'named')) || r.notPorts?.some((x) => x.kind === 'named'))) return cls;
      }
    }
  }
  return plan;
}
const piecesByModel = new WeakMap<ReachModel, Map<string, Piece[]>>();

/** The address ranges the class's rules in `dir` name: the public space is cut at them, so each piece is judged as one. */
function namedRanges(cls: PodClass, dir: Direction): IpRange[] {
  const out: IpRange[] = [];
  for (const p of dir === 'ingress' ? cls.ingressPolicies : cls.egressPolicies) {
    for (const r of p[dir] ?? []) for (const list of [r.peers === 'any' ? [] : r.peers, r.notPeers ?? []]) for (const peer of list) if (peer.kind === 'ipBlock') out.push(...peer.ranges);
  }
  return out;
}

function verdictWith(model: ReachModel, cls: PodClass, dir: Direction, peer: Endpoint): DirectionVerdict {
  const self: Endpoint = { kind: 'class', cls };
  return dir === 'ingress' ? ingressVerdict(model, peer, self) : egressVerdict(model, self, peer);
}

function denials(v: DirectionVerdict, denied: Set<string>, closed: Set<string>): void {
  for (const d of v.decisions) {
    if (d.allowed) continue;
    if (d.cause.kind === 'rule') denied.add(describeCause(d.cause));
    else if (d.cause.kind === 'end-of-stage' || d.cause.kind === 'isolated') closed.add(describeCause(d.cause));
  }
}

/** What the effective policies open between the class and a pod no selector singles out (the anonymous pod), once per class (or plan, keyOf) and direction. */
export function openToPods(model: ReachModel, cls: PodClass, dir: Direction): PodsOpen {
  const key = keyOf(cls, dir);
  let entry = podsCache.get(key);
  if (!entry) podsCache.set(key, (entry = {}));
  const hit = entry[dir];
  if (hit) return hit;
  const v = verdictWith(model, cls, dir, { kind: 'anonymous' });
  const deniedBy = new Set<string>();
  const closedBy = new Set<string>();
  denials(v, deniedBy, closedBy);
  return (entry[dir] = { conns: v.conns, deniedBy: [...deniedBy], closedBy: [...closedBy] });
}

/**
 * What the effective policies open between the class and the public addresses in `dir`, once
 * per class (or plan, keyOf) and direction: one verdict per public piece of the address space cut at the ranges
 * the class's own rules name (egress.ts publicPieces, as `externalEgress` cuts it).
 */
export function openToAddresses(model: ReachModel, cls: PodClass, dir: Direction): AddressesOpen {
  const key = keyOf(cls, dir);
  let entry = addressCache.get(key);
  if (!entry) addressCache.set(key, (entry = {}));
  const hit = entry[dir];
  if (hit) return hit;
  let pieces = piecesByModel.get(model);
  if (!pieces) piecesByModel.set(model, (pieces = new Map()));
  const fam = (): FamilyOpen => ({ some: emptyConns(), every: allConns(), refused: [], deniedBy: [], closedBy: [] });
  const out: AddressesOpen = { 4: fam(), 6: fam() };
  const deniedBy = { 4: new Set<string>(), 6: new Set<string>() };
  const closedBy = { 4: new Set<string>(), 6: new Set<string>() };
  const judged: Array<{ family: Family; text: string; conns: ConnSet }> = [];
  for (const { piece, text, endpoint } of publicPieces(namedRanges(cls, dir), NOT_PUBLIC_UNICAST, pieces)) {
    const v = verdictWith(model, cls, dir, endpoint);
    const f = out[piece.family];
    f.some = unionConns(f.some, v.conns);
    f.every = intersectConns(f.every, v.conns);
    judged.push({ family: piece.family, text, conns: v.conns });
    denials(v, deniedBy[piece.family], closedBy[piece.family]);
  }
  // A piece open on less than some other piece: a rule refuses it what the open one would admit.
  for (const c of judged) {
    const f = out[c.family];
    if (!sameConns(intersectConns(c.conns, f.some), f.some)) f.refused.push(c.text);
  }
  for (const family of [4, 6] as const) {
    out[family].deniedBy = [...deniedBy[family]];
    out[family].closedBy = [...closedBy[family]];
  }
  return (entry[dir] = out);
}

