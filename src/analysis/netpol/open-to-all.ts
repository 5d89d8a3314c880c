// What a rule "open to everyone" still opens once the effective verdict has its say: a Deny
// that takes precedence (Cilium egressDeny/ingressDeny, docs.cilium.io/en/stable/security/
// policy/language/#deny-policies) or a rule evaluated first (Calico order, an ANP priority) may
// shadow it. Per pod class and direction: what a pod no policy names gets, and what the public
// addresses of each family get, as `reach` answers each of them. Feeds network.allow-all-ingress
// and network.unrestricted-egress.

import { subtractRanges, type Family, type IpRange } from '../../base/ip.ts';
import { allConns, emptyConns, intersectConns, isEmptyConns, sameConns, subtractConns, unionConns, type ConnSet } from './conns.ts';
import { describeCause, describeRule, type Direction, type RuleRef, type StagePlan } from './engine.ts';
import type { LayerPolicy, Rule } from './layers.ts';
import { publicPieces, type Piece } from './egress.ts';
import { NOT_PUBLIC_UNICAST, rangeText } from './rules.ts';
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

function piecesOf(model: ReachModel): Map<string, Piece[]> {
  let pieces = piecesByModel.get(model);
  if (!pieces) piecesByModel.set(model, (pieces = new Map()));
  return pieces;
}

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
  const fam = (): FamilyOpen => ({ some: emptyConns(), every: allConns(), refused: [], deniedBy: [], closedBy: [] });
  const out: AddressesOpen = { 4: fam(), 6: fam() };
  const deniedBy = { 4: new Set<string>(), 6: new Set<string>() };
  const closedBy = { 4: new Set<string>(), 6: new Set<string>() };
  const judged: Array<{ family: Family; text: string; conns: ConnSet }> = [];
  for (const { piece, text, endpoint } of publicPieces(namedRanges(cls, dir), NOT_PUBLIC_UNICAST, piecesOf(model))) {
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

/** What Allow rules open with every public address of a family (not a default allow where no policy decides), and which rules. */
interface RuledOpen {
  /** The connections that, on every public piece of the family, some Allow rule opens. */
  ruled: ConnSet;
  /** The Allow rules credited with part of `ruled` on some piece, each with what it is credited with there. */
  ruledBy: Array<{ ref: RuleRef; conns: ConnSet }>;
  /** The public pieces an Allow rule's `except` carves out of its CIDR (exceptedBy), not asked to be open. */
  leftOut: IpRange[];
}

/**
 * The public addresses an Allow rule's `except` carves out of its CIDR, in `dir` of the class's
 * policies. Judged as a single rule's are (rules.ts openReason: the CIDRs before `except` count,
 * "0.0.0.0/0 except …" is still open to the internet): spread over several rules, such a gap does
 * not keep the rest from being every public address, or splitting a rule would turn a fail into a pass.
 */
function exceptedBy(cls: PodClass, dir: Direction): Array<{ blocks: IpRange[]; ranges: IpRange[] }> {
  const out: Array<{ blocks: IpRange[]; ranges: IpRange[] }> = [];
  for (const p of dir === 'ingress' ? cls.ingressPolicies : cls.egressPolicies) {
    for (const r of p[dir] ?? []) {
      if (r.action !== 'Allow' || r.peers === 'any') continue;
      for (const peer of r.peers) if (peer.kind === 'ipBlock' && peer.blocks) out.push({ blocks: peer.blocks, ranges: peer.ranges });
    }
  }
  return out;
}

const inside = (a: IpRange, b: IpRange) => a.family === b.family && a.lo >= b.lo && a.hi <= b.hi;
const overlaps = (a: IpRange, b: IpRange) => a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;

const ruledCache = new WeakMap<PodClass | readonly StagePlan[], Partial<Record<Direction, Record<4 | 6, RuledOpen>>>>();

/**
 * The rules behind what is open with every public address, once per class (or plan, keyOf) and
 * direction, on the pieces openToAddresses judges. Apart from it: only a policy with rules that
 * might open public addresses together asks (assembledOpen), and the rest do not pay for it.
 */
function openByRules(model: ReachModel, cls: PodClass, dir: Direction): Record<4 | 6, RuledOpen> {
  const key = keyOf(cls, dir);
  let entry = ruledCache.get(key);
  if (!entry) ruledCache.set(key, (entry = {}));
  const hit = entry[dir];
  if (hit) return hit;
  const ruled = { 4: allConns(), 6: allConns() };
  const credited = { 4: new Map<string, { ref: RuleRef; conns: ConnSet }>(), 6: new Map<string, { ref: RuleRef; conns: ConnSet }>() };
  const leftOut: Record<4 | 6, IpRange[]> = { 4: [], 6: [] };
  const excepted = exceptedBy(cls, dir);
  for (const { piece, endpoint } of publicPieces(namedRanges(cls, dir), NOT_PUBLIC_UNICAST, piecesOf(model))) {
    // Pieces are cut at every range the rules name, so one lies wholly inside or outside an except.
    if (excepted.some((e) => e.blocks.some((b) => inside(piece, b)) && !e.ranges.some((r) => overlaps(piece, r)))) {
      const l = leftOut[piece.family];
      const last = l[l.length - 1];
      if (last && last.hi + 1n === piece.lo) l[l.length - 1] = { ...last, hi: piece.hi };
      else l.push(piece);
      continue;
    }
    let byRules = emptyConns();
    for (const d of verdictWith(model, cls, dir, endpoint).decisions) {
      if (!d.allowed || d.cause.kind !== 'rule') continue;
      byRules = unionConns(byRules, d.conns);
      const k = `${d.cause.rule.policy}\u0000${d.cause.rule.rule}`;
      const had = credited[piece.family].get(k);
      credited[piece.family].set(k, { ref: d.cause.rule, conns: had ? unionConns(had.conns, d.conns) : d.conns });
    }
    ruled[piece.family] = intersectConns(ruled[piece.family], byRules);
  }
  const of = (family: 4 | 6): RuledOpen => ({
    ruled: ruled[family],
    ruledBy: [...credited[family].values()].flatMap((c) => {
      const conns = intersectConns(c.conns, ruled[family]);
      return isEmptyConns(conns) ? [] : [{ ref: c.ref, conns }];
    }),
    leftOut: leftOut[family],
  });
  return (entry[dir] = { 4: of(4), 6: of(6) });
}

/** What a policy's rules open toward every public address of some family together with other rules (assembledOpen). */
export interface AssembledOpen {
  /** The families of which every public address is open. */
  families: Array<4 | 6>;
  /** The connections open with every public address of those families that the policy's rules take part in. */
  conns: ConnSet;
  /** The policy's rules credited with part of it. */
  rules: number[];
  /** The other policies' rules credited with part of it, described as `reach` does (describeRule). */
  others: string[];
  /** The public ranges an Allow rule's `except` leaves out ("8.8.8.0/24"), judged as a single rule's `except` is. */
  leftOut: string[];
}

/**
 * Every public address opened by several rules together: the rules of every policy that
 * selects a pod are ORed ("traffic is allowed if it matches at least one rule across all of the
 * network policies that select the pod", kubernetes.io/docs/concepts/services-networking/
 * network-policies/), so 0.0.0.0/1 in one rule and 128.0.0.0/1 in another (or another policy)
 * open what 0.0.0.0/0 does. Judged on the effective verdict (openByRules, once per class or
 * plan): the connections Allow rules open with every public piece of a family, of which the
 * policy's own rules open part. Undefined when the policy's rules take no part, or when rules
 * that alone claim every address of the family (`aloneIn`: the families of which the rule's own
 * claim, openScope, covers every address) open all they take part in: those are judged rule by
 * rule, and the policy's other rules add nothing. A claim counts only in its own families: a
 * rule open to ::/0 (or to every pod) and to 0.0.0.0/1 takes part in IPv4 as any half does.
 */
export function assembledOpen(model: ReachModel, p: LayerPolicy, classes: readonly PodClass[], dir: Direction, aloneIn: (r: Rule) => ReadonlyArray<4 | 6>): AssembledOpen | undefined {
  // Only an Allow rule naming some public address (an ipBlock outside NOT_PUBLIC_UNICAST) of a
  // family it does not claim whole alone takes part: no verdict is needed for the others.
  const takesPart = (r: Rule): boolean => {
    if (r.action !== 'Allow' || r.peers === 'any') return false;
    const alone = aloneIn(r);
    return r.peers.some((x) => x.kind === 'ipBlock' && x.ranges.some((range) => !alone.includes(range.family) && subtractRanges(range, NOT_PUBLIC_UNICAST).length > 0));
  };
  if (!p[dir]?.some(takesPart)) return undefined;
  let conns = emptyConns();
  const families = new Set<4 | 6>();
  const rules = new Set<number>();
  const others = new Set<string>();
  const leftOut = new Set<string>();
  const ruleOf = (ref: RuleRef) => model.policyById.get(ref.policy)?.[dir]?.find((r) => r.index === ref.rule);
  // Classes of one plan share one answer (the cache key): each is read once.
  const seen = new Set<Record<4 | 6, RuledOpen>>();
  for (const cls of classes) {
    const a = openByRules(model, cls, dir);
    if (seen.has(a)) continue;
    seen.add(a);
    for (const family of [4, 6] as const) {
      const f = a[family];
      if (f.ruledBy.length === 0) continue;
      let mine = emptyConns();
      let single = emptyConns();
      const aloneHere = (r: Rule | undefined) => r !== undefined && aloneIn(r).includes(family);
      for (const { ref, conns: c } of f.ruledBy) {
        if (aloneHere(ruleOf(ref))) single = unionConns(single, c);
        else if (ref.policy === p.id) mine = unionConns(mine, c);
      }
      if (isEmptyConns(subtractConns(mine, single))) continue;
      conns = unionConns(conns, mine);
      families.add(family);
      for (const r of f.leftOut) leftOut.add(rangeText(r));
      for (const { ref, conns: c } of f.ruledBy) {
        if (isEmptyConns(intersectConns(c, mine))) continue;
        if (ref.policy !== p.id) others.add(describeRule(ref));
        else if (!aloneHere(ruleOf(ref))) rules.add(ref.rule);
      }
    }
  }
  if (isEmptyConns(conns)) return undefined;
  return { families: [...families].sort(), conns, rules: [...rules].sort((x, y) => x - y), others: [...others].sort(), leftOut: [...leftOut] };
}

/** "every public IPv4 address (rules 0, 1 together)", "every public IPv4 address (rule 0 together with NetworkPolicy app/b rule 0 (Allow))". */
export function assembledText(a: AssembledOpen): string {
  const own = a.rules.length === 1 ? `rule ${a.rules[0]}` : `rules ${a.rules.join(', ')}`;
  const shown = a.others.slice(0, 3).join(', ') + (a.others.length > 3 ? ` (and ${a.others.length - 3} more)` : '');
  const together = a.others.length ? ` together with ${shown}` : a.rules.length > 1 ? ' together' : '';
  const except = a.leftOut.length ? ` except ${a.leftOut.slice(0, 3).join(', ')}${a.leftOut.length > 3 ? ` (and ${a.leftOut.length - 3} more)` : ''}` : '';
  return `every public ${a.families.map((f) => `IPv${f}`).join(' and ')} address${except} (${own}${together})`;
}
