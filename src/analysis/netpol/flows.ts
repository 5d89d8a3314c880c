// Which (source, destination) class pairs of two sets are allowed, without testing every
// pair: candidates come from the destinations' ingress rules (and the sources' egress rules)
// through a per-namespace index, so cost follows the allowed flows, not |S| x |D|.
//
// Why the candidates are complete: a peer that no Allow or Pass rule of a class's plan names
// can only get what "a pod no policy names" gets (Deny rules only take away), so it needs
// checking only when that anonymous peer gets something (the class is then "open").
// Host-network pods are the exception: peers that name "every pod" (ANP namespaces: {})
// leave them out, so a Deny the anonymous pod meets may not touch them; they are always
// candidates. A Pass rule names no candidates when a later stage refuses whatever its own
// rules do not name (see closedAfter): what it passes is admitted only by a later rule that
// names the peer, and that rule is enumerated in its own right.

import { intersectConns, isEmptyConns, subtractConns, unionConns, type ConnSet } from './conns.ts';
import { podCidrStatus, podSetMatches, readsNamespaceLabels, rulePortConns, type Direction } from './engine.ts';
import type { LayerPolicy, Peer, Rule, StagePlan } from './layers.ts';
import { egressVerdict, ingressVerdict, isolationOf, type DirectionVerdict, type PodClass, type ReachModel } from './model.ts';
import { namespacesMatching } from './namespace-index.ts';

export interface Flow {
  from: PodClass;
  to: PodClass;
  conns: ConnSet;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export interface FlowSearch {
  flows: Flow[];
  /** Allowed pairs found; a lower bound when `truncated`. */
  count: number;
  truncated: boolean;
}

export type ClassIndex = Map<string, PodClass[]>;

export function indexByNamespace(classes: readonly PodClass[]): ClassIndex {
  const m: ClassIndex = new Map();
  for (const c of classes) {
    let l = m.get(c.namespace);
    if (!l) m.set(c.namespace, (l = []));
    l.push(c);
  }
  return m;
}

const nsSelectorCache = new WeakMap<ReachModel, Map<string, string[]>>();

function namespacesOf(model: ReachModel, peer: Peer & { kind: 'pods' }, policy: LayerPolicy, index: ClassIndex): Iterable<string> {
  const scope = peer.namespaces;
  if (scope.kind === 'policy') return policy.namespace === undefined ? index.keys() : [policy.namespace];
  if (scope.kind === 'names') return scope.names;
  if (scope.selector.empty) return index.keys();
  let cache = nsSelectorCache.get(model);
  if (!cache) nsSelectorCache.set(model, (cache = new Map()));
  let list = cache.get(scope.selector.key);
  if (!list) cache.set(scope.selector.key, (list = namespacesMatching(model.namespaceLabels, scope.selector)));
  return list;
}

const hostNetworkCache = new WeakMap<ClassIndex, PodClass[]>();

function hostNetworkClasses(index: ClassIndex): PodClass[] {
  let list = hostNetworkCache.get(index);
  if (!list) {
    list = [];
    for (const classes of index.values()) for (const c of classes) if (c.hostNetwork) list.push(c);
    hostNetworkCache.set(index, list);
  }
  return list;
}

const narrowedCache = new WeakMap<ClassIndex, WeakMap<readonly Peer[], PodClass[]>>();

/**
 * The classes a rule's CIDRs hold for certain by their own narrowed pools (calico/ip-pools.ts
 * podPoolsOf: pool annotations, disabled pools) where the union of every pool leaves the pods in
 * doubt; once per index and peer list.
 */
function narrowedInside(model: ReachModel, index: ClassIndex, peers: readonly Peer[]): PodClass[] {
  const classPools = model.match.classPools;
  if (!classPools) return [];
  let byPeers = narrowedCache.get(index);
  if (!byPeers) narrowedCache.set(index, (byPeers = new WeakMap()));
  let list = byPeers.get(peers);
  if (!list) {
    list = [];
    for (const classes of index.values()) {
      for (const c of classes) {
        const own = c.hostNetwork ? undefined : classPools(c);
        const st = own ? podCidrStatus(peers, own) : undefined;
        if (st?.inside && !st.doubt) list.push(c);
      }
    }
    byPeers.set(peers, list);
  }
  return list;
}

/** A peer whose members cannot be enumerated from the index (or are everyone). */
function unenumerable(peer: Peer): boolean {
  if (peer.kind === 'entity') return peer.entity === 'all' || peer.entity === 'cluster';
  if (peer.kind !== 'pods') return false;
  return peer.namespaces.kind === 'selector' && peer.namespaces.selector.empty && (!peer.pods || peer.pods.empty) && !peer.where && !peer.serviceAccounts && !peer.serviceAccountNames;
}

// Per index: each peer's members (per policy namespace), and each plan's candidate set. A
// plan is shared by every class with the same policies, and a rule's `subject` condition is
// ignored here (it only narrows: candidates stay a superset, and every pair is checked).
interface IndexCache {
  members: Map<Peer, Map<string, PodClass[]>>;
  /** Per direction: one plan object may serve both directions of a class. */
  plans: Record<Direction, Map<readonly unknown[], Set<PodClass> | 'all'>>;
  /**
   * Per ingress plan whose verdicts do not depend on the destination class (plainIngress):
   * the first class (host-network pods aside) it admits, in index order, and the first one in
   * another namespace than that one's (undefined: not looked for yet; null: none).
   */
  admitted: Map<readonly StagePlan[], { first: PodClass | null; other?: PodClass | null }>;
}
const indexCaches = new WeakMap<ClassIndex, IndexCache>();

function cacheOf(index: ClassIndex): IndexCache {
  let c = indexCaches.get(index);
  if (!c) indexCaches.set(index, (c = { members: new Map(), plans: { ingress: new Map(), egress: new Map() }, admitted: new Map() }));
  return c;
}

function membersOf(model: ReachModel, peer: Peer & { kind: 'pods' }, p: LayerPolicy, index: ClassIndex, cache: IndexCache): PodClass[] {
  let byNs = cache.members.get(peer);
  if (!byNs) cache.members.set(peer, (byNs = new Map()));
  const key = peer.namespaces.kind === 'policy' ? p.namespace ?? '' : '';
  let list = byNs.get(key);
  if (!list) {
    list = [];
    for (const ns of namespacesOf(model, peer, p, index)) {
      for (const c of index.get(ns) ?? []) if (podSetMatches(model.match, peer, p.namespace, c)) list.push(c);
    }
    byNs.set(key, list);
  }
  return list;
}

/**
 * The classes of `index` that can get anything through `cls`'s plan in `dir` beyond what a
 * pod no policy names gets, or 'all' when that anonymous pod itself gets something (or a
 * rule's peers cannot be enumerated). Above `cap` candidates, 'all' is returned: the caller
 * checks every pair it enumerates anyway, so 'all' is never wrong, only slower.
 */
export function candidatePeers(model: ReachModel, cls: PodClass, dir: Direction, index: ClassIndex, cap = Infinity): Set<PodClass> | 'all' {
  if (!isEmptyConns(isolationOf(model, cls, dir).openToPods)) return 'all';
  const cache = cacheOf(index);
  const plan = dir === 'ingress' ? cls.ingressPlan : cls.egressPlan;
  const hit = cache.plans[dir].get(plan);
  if (hit) return hit;
  const result = enumerateCandidates(model, dir === 'ingress' ? cls.ingressPolicies : cls.egressPolicies, closedAfter(model, plan, dir), dir, index, cache, cap);
  cache.plans[dir].set(plan, result);
  return result;
}

function enumerateCandidates(model: ReachModel, policies: readonly LayerPolicy[], passLeadsNowhere: ReadonlySet<LayerPolicy>, dir: Direction, index: ClassIndex, cache: IndexCache, cap: number): Set<PodClass> | 'all' {
  const out = new Set<PodClass>(hostNetworkClasses(index));
  for (const p of policies) {
    for (const rule of p[dir] ?? []) {
      if (rule.action !== 'Allow' && (rule.action !== 'Pass' || passLeadsNowhere.has(p))) continue;
      if (rule.peers === 'any' || rule.notPeers?.length) return 'all';
      // CIDRs matched on pod addresses (ANP networks, Calico nets) that take in every pod.
      const held = podCidrStatus(rule.peers, model.match.podPools);
      if (held?.inside) return 'all';
      if (held?.doubt) for (const c of narrowedInside(model, index, rule.peers)) out.add(c);
      for (const peer of rule.peers) {
        if (unenumerable(peer)) return 'all';
        if (peer.kind !== 'pods') continue;
        for (const c of membersOf(model, peer, p, index, cache)) out.add(c);
        if (out.size > cap) return 'all';
      }
    }
  }
  return out;
}

/**
 * The policies of `plan` after which a later stage (or the fallback) refuses every peer that
 * its own rules do not name: a first-match stage that denies what no rule matched, a union
 * stage with an isolating policy, a 'deny' fallback. A Pass rule of such a policy cannot admit
 * anyone on its own: a peer it passes is admitted only by a later rule that names it.
 */
function closedAfter(model: ReachModel, plan: readonly StagePlan[], dir: Direction): Set<LayerPolicy> {
  const out = new Set<LayerPolicy>();
  let closed = model.match.fallback === 'deny';
  for (let i = plan.length - 1; i >= 0; i--) {
    const { stage, policies } = plan[i]!;
    if (closed) for (const p of policies) out.add(p);
    if (stage.mode === 'first-match' ? stage.noMatch === 'deny' : policies.some((p) => p.isolates[dir])) closed = true;
  }
  return out;
}

/**
 * Whether a pod of another namespace than `cls`'s (host-network pods aside) gets any connection
 * into `cls`, as the engine would answer for every such pair. Like candidatePeers, but for one
 * destination: only Allow and Pass rules that can carry something to `cls` (their `subject`
 * holds it and their ports resolve on it — a named port it does not declare carries nothing)
 * name candidates, and each is confirmed with the engine as it is found, so the answer comes at
 * the first admitted peer. When the candidates cannot be enumerated (the class is open to a pod
 * no policy names, or a rule names everyone), every class of the other namespaces is a candidate.
 */
export function admitsOtherNamespaces(model: ReachModel, cls: PodClass, index: ClassIndex): boolean {
  const dst = { kind: 'class', cls } as const;
  const seen = new Set<PodClass>();
  const admits = (c: PodClass): boolean => {
    if (c.namespace === cls.namespace || c.hostNetwork || seen.has(c)) return false;
    seen.add(c);
    return !isEmptyConns(ingressVerdict(model, { kind: 'class', cls: c }, dst).conns);
  };
  const anyOf = (classes: Iterable<PodClass>): boolean => {
    for (const c of classes) if (admits(c)) return true;
    return false;
  };
  const cache = cacheOf(index);
  const everyone = (): boolean => {
    if (plainIngress(cls.ingressPlan)) {
      // The same answer for every source class whatever the destination of this plan: find the
      // admitted classes once per plan, not once per destination.
      const first = (skip: string | undefined): PodClass | null => {
        for (const classes of index.values()) {
          for (const c of classes) {
            if (c.hostNetwork || c.namespace === skip) continue;
            if (!isEmptyConns(ingressVerdict(model, { kind: 'class', cls: c }, dst).conns)) return c;
          }
        }
        return null;
      };
      let hit = cache.admitted.get(cls.ingressPlan);
      if (!hit) cache.admitted.set(cls.ingressPlan, (hit = { first: first(undefined) }));
      if (hit.first === null) return false;
      if (hit.first.namespace !== cls.namespace) return true;
      if (hit.other === undefined) hit.other = first(hit.first.namespace);
      return hit.other !== null;
    }
    for (const classes of index.values()) if (anyOf(classes)) return true;
    return false;
  };
  if (!isEmptyConns(isolationOf(model, cls, 'ingress').openToPods)) return everyone();
  const passLeadsNowhere = closedAfter(model, cls.ingressPlan, 'ingress');
  for (const p of cls.ingressPolicies) {
    for (const rule of p.ingress ?? []) {
      if (rule.action !== 'Allow' && (rule.action !== 'Pass' || passLeadsNowhere.has(p))) continue;
      if (rule.subject && !podSetMatches(model.match, rule.subject, p.namespace, cls)) continue;
      if (isEmptyConns(rulePortConns(rule, dst))) continue;
      if (rule.peers === 'any' || rule.notPeers?.length) return everyone();
      for (const peer of rule.peers) {
        if (unenumerable(peer)) return everyone();
        if (peer.kind === 'pods' && anyOf(membersOf(model, peer, p, index, cache))) return true;
      }
    }
  }
  return false;
}

const plainPlans = new WeakMap<readonly StagePlan[], boolean>();

/**
 * Whether an ingress plan's verdict for a source is the same for every destination class it
 * governs: no rule narrows its subject (Calico rule selectors) and no port is named (named
 * ports resolve on the destination). Whether the destination is isolated does not change
 * the connections a verdict allows.
 */
function plainIngress(plan: readonly StagePlan[]): boolean {
  let v = plainPlans.get(plan);
  if (v === undefined) {
    const named = (ports: Rule['ports'] | undefined) => ports !== undefined && ports !== 'any' && ports.some((p) => p.kind === 'named');
    v = plan.every((s) => s.policies.every((p) => (p.ingress ?? []).every((r) => r.subject === undefined && !named(r.ports) && !named(r.notPorts))));
    plainPlans.set(plan, v);
  }
  return v;
}

/**
 * Allowed flows from `sources` to `destinations`, restricted to `wanted` connections.
 * Lists `limit` flows at most (then `truncated` is true) and stops there, `count` a lower bound,
 * unless `keepOn` says to go on: then every further pair is still refined and counted, but not
 * listed, until `keepOn` turns false. `refine` narrows a pair's network-allowed connections by
 * another layer (the mesh), or judges it (network.intent-violation); empty drops the pair.
 */
export function findFlows(model: ReachModel, sources: PodClass[], destinations: PodClass[], wanted: ConnSet, limit = 20, refine?: (from: PodClass, to: PodClass, conns: ConnSet) => ConnSet, keepOn?: () => boolean): FlowSearch {
  const result: FlowSearch = { flows: [], count: 0, truncated: false };
  if (sources.length === 0 || destinations.length === 0) return result;
  const srcIndex = indexByNamespace(sources);
  const dstIndex = indexByNamespace(destinations);

  // Sources whose egress may reach any pod: candidates for every destination.
  const egressOpen: PodClass[] = [];
  const reverseEgress = new Map<PodClass, Set<PodClass>>();
  for (const s of sources) {
    const reach = candidatePeers(model, s, 'egress', dstIndex);
    if (reach === 'all') {
      egressOpen.push(s);
      continue;
    }
    for (const d of reach) {
      let l = reverseEgress.get(d);
      if (!l) reverseEgress.set(d, (l = new Set()));
      l.add(s);
    }
  }

  const check = (s: PodClass, d: PodClass): boolean => {
    const src = { kind: 'class', cls: s } as const;
    const dst = { kind: 'class', cls: d } as const;
    const egress = egressVerdict(model, src, dst);
    const eConns = intersectConns(egress.conns, wanted);
    if (isEmptyConns(eConns)) return false;
    const ingress = ingressVerdict(model, src, dst);
    const network = intersectConns(eConns, ingress.conns);
    if (isEmptyConns(network)) return false;
    const conns = refine ? refine(s, d, network) : network;
    if (isEmptyConns(conns)) return false;
    result.count++;
    if (result.flows.length < limit) result.flows.push({ from: s, to: d, conns, egress, ingress });
    if (result.flows.length >= limit) result.truncated = true;
    return true;
  };

  for (const d of destinations) {
    const fromRules = candidatePeers(model, d, 'ingress', srcIndex);
    const candidates = new Set<PodClass>();
    if (fromRules === 'all') {
      for (const s of egressOpen) candidates.add(s);
      for (const s of reverseEgress.get(d) ?? []) candidates.add(s);
    } else {
      for (const s of fromRules) candidates.add(s);
    }
    for (const s of candidates) {
      check(s, d);
      if (result.truncated && !keepOn?.()) return result;
    }
  }
  return result;
}

export interface DoubtedFlow {
  from: PodClass;
  to: PodClass;
  /** The wanted connections the model counts as denied that an uncertain decision might allow. */
  conns: ConnSet;
  /** Why, as `reach` says it (the rule and the CIDR or selector the model cannot settle). */
  why: string[];
}

export interface DoubtSearch {
  flows: DoubtedFlow[];
  /** Doubted pairs found; a lower bound when `truncated` or `capped`. */
  count: number;
  truncated: boolean;
  /** Pairs whose doubts touch the question's connections, and whether the search stopped at its cap before the last pair that could hold a doubt. */
  examined: number;
  capped: boolean;
  /** When `capped`: the pairs evaluated before the search stopped. */
  evaluated?: number;
}

/** Doubt-tracked pair evaluations per search (see findDoubtedFlows). */
export const MAX_DOUBT_PAIRS = 2000;
/** Pairs evaluated per counted pair at most: pairs whose doubts miss the question's ports are cheap to pass over, not free. */
const EVALUATIONS_PER_PAIR = 5;

// Per wanted connections and plan; a plan object belongs to one model (and so to one set of IP pools).
const doubtablePlans = new WeakMap<ConnSet, WeakMap<readonly StagePlan[], boolean>>();

/** Whether a rule may decide some of `wanted` (a named port resolves on the destination, so it may). */
export function ruleTouches(rule: Rule, wanted: ConnSet): boolean {
  if (rule.ports === 'any' || rule.ports.some((p) => p.kind === 'named') || rule.notPorts?.some((p) => p.kind === 'named')) return true;
  return !isEmptyConns(intersectConns(rulePortConns(rule, { kind: 'apiserver' }), wanted));
}

/**
 * Whether a plan holds a rule whose match the engine may doubt for some peer (engine.ts
 * ruleMatchDoubt): CIDRs matched on pod addresses whose hold on a pod is not settled, node
 * selectors (a host-network pod's node), namespace selectors reading labels beyond the name
 * (an undeclared namespace), a predicate that can be in doubt, or CIDRs on the policy's own pod.
 */
function doubtablePlan(model: ReachModel, plan: readonly StagePlan[], dir: Direction, wanted: ConnSet): boolean {
  let byPlan = doubtablePlans.get(wanted);
  if (!byPlan) doubtablePlans.set(wanted, (byPlan = new WeakMap()));
  let v = byPlan.get(plan);
  if (v === undefined) {
    // Namespace labels are in doubt only for a namespace no manifest declares (engine.ts undeclaredNamespacePeer).
    const undeclared = !!model.match.undeclaredNamespaces?.size;
    const peerMay = (p: Peer) => p.kind === 'nodes' || (p.kind === 'pods' && ((undeclared && (readsNamespaceLabels(p.namespaces) || !!p.where?.namespaceLabels)) || !!p.where?.doubt || !!p.addresses));
    const listMay = (l: readonly Peer[] | 'any' | undefined) => l !== undefined && l !== 'any' && (!!podCidrStatus(l, model.match.podPools)?.doubt || l.some(peerMay));
    // A doubted rule on other ports than the question's cannot put the question in doubt.
    // A rule on its own pod's address keeps one only where every pool leaves it in doubt (calico/adapter.ts);
    // one on an IP family or on some connections only (Rule.ipVersion, Rule.partial) may be in doubt too (engine.ts conditionMatch).
    v = plan.some((s) => s.policies.some((p) => (p[dir] ?? []).some((r) => (listMay(r.peers) || listMay(r.notPeers) || r.subjectAddress !== undefined || r.ipVersion !== undefined || r.netsFamily !== undefined || r.partial !== undefined) && ruleTouches(r, wanted))));
    byPlan.set(plan, v);
  }
  return v;
}

/**
 * Pairs of `sources` × `destinations` that the model counts as denied on some of `wanted` but
 * holds in doubt, as `reach` would answer UNKNOWN for them: a decision carrying an uncertainty
 * (a CIDR that may hold the pod's address, a namespace no manifest declares, a node selector, a
 * policy whose subject is not settled) touches connections the other direction may let through.
 * Pairs evaluated: every source toward a destination whose ingress may be doubted (or whose
 * subject is), and the sources whose egress may be doubted toward every destination. Each such
 * evaluation tracks doubts (dearer than findFlows' checks), so the search stops after
 * `maxPairs` pairs whose doubts touch `wanted` (rules on other ports do not make a plan
 * doubtable, and pairs without such a doubt are not counted), or after five times as many
 * evaluations: an intent over wide selectors stays linear, and `capped` says the rest was not
 * examined. `refine` narrows a pair's doubted connections by another layer (the mesh).
 */
export function findDoubtedFlows(model: ReachModel, sources: PodClass[], destinations: PodClass[], wanted: ConnSet, limit = 20, refine?: (from: PodClass, to: PodClass, conns: ConnSet) => ConnSet, maxPairs = MAX_DOUBT_PAIRS): DoubtSearch {
  const result: DoubtSearch = { flows: [], count: 0, truncated: false, examined: 0, capped: false };
  let evaluated = 0;
  const subjectDoubt = (c: PodClass) => !!model.match.subjectDoubts?.has(c);
  const localhost = model.composition.localhostDoubt !== undefined;
  const doubtingSources = sources.filter((s) => subjectDoubt(s) || doubtablePlan(model, s.egressPlan, 'egress', wanted) || (localhost && s.hostNetwork));
  const doubted = (v: DirectionVerdict) => v.decisions.filter((d) => d.uncertain && !isEmptyConns(intersectConns(d.uncertainConns ?? d.conns, wanted))).map((d) => ({ conns: d.uncertainConns ?? d.conns, uncertain: d.uncertain }));
  for (const d of destinations) {
    const all = subjectDoubt(d) || doubtablePlan(model, d.ingressPlan, 'ingress', wanted);
    for (const s of all ? sources : doubtingSources) {
      // The cap counts the pairs a doubt on the question's ports touches; every evaluation is bounded too.
      if (result.examined >= maxPairs || evaluated >= maxPairs * EVALUATIONS_PER_PAIR) {
        result.capped = true;
        result.evaluated = evaluated;
        return result;
      }
      evaluated++;
      const src = { kind: 'class', cls: s } as const;
      const dst = { kind: 'class', cls: d } as const;
      const e = egressVerdict(model, src, dst, true);
      const i = ingressVerdict(model, src, dst, true);
      const eD = doubted(e);
      const iD = doubted(i);
      if (!eD.length && !iD.length) continue;
      result.examined++;
      const eConns = intersectConns(e.conns, wanted);
      const iConns = intersectConns(i.conns, wanted);
      const eMay = eD.reduce((acc, x) => unionConns(acc, intersectConns(x.conns, wanted)), eConns);
      const iMay = iD.reduce((acc, x) => unionConns(acc, intersectConns(x.conns, wanted)), iConns);
      // What the model already allows is findFlows' to report; only what it denies is in doubt here.
      let conns = subtractConns(intersectConns(eMay, iMay), intersectConns(eConns, iConns));
      if (!isEmptyConns(conns) && refine) conns = refine(s, d, conns);
      if (isEmptyConns(conns)) continue;
      const why = [...new Set([...eD, ...iD].filter((x) => !isEmptyConns(intersectConns(x.conns, conns))).flatMap((x) => (x.uncertain ?? []).map((u) => u.text)))];
      result.count++;
      if (result.flows.length < limit) result.flows.push({ from: s, to: d, conns, why });
      else {
        result.truncated = true;
        return result;
      }
    }
  }
  return result;
}
