// The precedence engine: given the policies that select a pod class in one direction, in
// stage order, decide which connections to or from one peer are allowed, and which rule or
// default decided each part. Every network answer (reach, the matrix, intent, exposure, the
// default-deny checks) goes through `evaluateDirection`; nothing else interprets rules.
//
// Stages run in order; each sees only the connections earlier stages left undecided:
// - first-match (ANP, BANP, each Calico tier): policies by (order, name), rules in order; the
//   first rule matching a connection decides it: Allow / Deny final, Pass hands it to the next
//   stage, Log decides nothing. Connections no rule matched take the stage's `noMatch`:
//   'deny' (Calico end-of-tier deny) or 'next'.
// - union (Kubernetes NetworkPolicy, Cilium): every matching rule counts; Deny beats Allow;
//   when a selecting policy isolates the pod, whatever no Allow matched is denied, otherwise
//   it goes to the next stage.
// After the last stage the composition's fallback decides: 'allow' (Kubernetes: a pod no
// policy governs is open) or 'deny' (Cilium policy enforcement "always").

import { allConns, connsOf, emptyConns, intersectConns, isEmptyConns, subtractConns, unionAllConns, unionConns, type ConnSet, type PortInterval } from './conns.ts';
import { intersectRanges, parseCidr, rangeContains, ALL_V4, ALL_V6, type Family, type IpRange } from '../../base/ip.ts';
import type { Action, Labels, Layer, LayerPolicy, Peer, PodClass, PodSet, PolicyApi, PortSpec, Rule, StagePlan } from './layers.ts';
import { matchAllSelector as MATCH_ALL, type Selector } from './selector.ts';

export type Direction = 'ingress' | 'egress';

export type { Stage, StagePlan } from './layers.ts';

/** A model endpoint. Pods are classes; everything else is named by what it is. */
export type Endpoint =
  | { kind: 'class'; cls: PodClass }
  /**
   * An address outside the cluster, or a Node's. `nodes`: the Nodes whose status.addresses hold it,
   * all of them (none: it is no Node's), or why that is not known; unset, as for a range's first
   * address standing for the range, it is not known either.
   */
  | { kind: 'ip'; family: Family; value: bigint; text: string; nodes?: AddressNodes }
  /** A named external destination (what toFQDNs / domainNames allow). */
  | { kind: 'fqdn'; name: string }
  /** A node (its host network); `remote`: not the pod's own node (Cilium tells reserved:host from reserved:remote-node). */
  | { kind: 'node'; name: string; labels: Labels; remote?: boolean }
  | { kind: 'apiserver' }
  /**
   * "Someone no rule names": a pod in a namespace and with labels no selector singles out, or
   * (family set) an external address no CIDR singles out. Used to decide isolation and which
   * peers can be left out of a search; it matches only peers that match every such endpoint.
   */
  | { kind: 'anonymous'; family?: Family };

/**
 * Which Nodes hold an address (their status.addresses), for an ANP `nodes` peer: every one that
 * does (an empty list: no Node does), or why that is not known (the Nodes could not be read; read
 * from manifests, which need not hold every Node).
 */
export type AddressNodes = { nodes: ReadonlyArray<{ name: string; labels: Labels; /** The status.addresses entry's type: InternalIP, ExternalIP. */ type?: string }> } | { why: string };

/** The rule that decided (part of) a verdict, with enough context to name it. */
export interface RuleRef {
  /** Policy id (LayerPolicy.id). */
  policy: string;
  rule: number;
  api: PolicyApi;
  kindLabel: string;
  layer: Layer;
  tier?: string;
  order?: number;
  action: Action;
  /** Rule.writtenAction: what the rule says (Reject) where `action` is the model's reading of it (Deny). */
  writtenAction?: string;
  ruleName?: string;
  /** LayerPolicy.displayName, when the id carries a prefix. */
  displayName?: string;
  /** What the rule narrows that the model does not evaluate (Rule.caveats): shown wherever it decides. */
  caveats?: string[];
}

export type DecisionCause =
  | { kind: 'rule'; rule: RuleRef }
  /** A union stage whose selecting policies isolate the pod, and no rule allowed it. */
  | { kind: 'isolated'; stage: string; policies: string[] }
  /** A first-match stage with noMatch 'deny' selected the pod and no rule matched (Calico end of tier). */
  | { kind: 'end-of-stage'; stage: string; policies: string[] }
  /**
   * Nothing governs these connections: no stage selected the pod, or every stage passed them on.
   * `passedBy`: a Pass rule handed them on and no later stage decided them; `reason` says what
   * allows them then (MatchContext.fallbackAllowReason).
   */
  | { kind: 'default-allow'; passedBy?: RuleRef; reason?: string }
  | { kind: 'default-deny'; reason: string }
  /** The endpoint on this side is outside the model's control (an external address, a node). */
  | { kind: 'not-governed'; reason: string }
  /** Something the model does not evaluate decides these connections: counted as allowed, said as unknown. */
  | { kind: 'unknown'; reason: string };

/**
 * What leaves a verdict in doubt, by kind (Doubt.reasons):
 * - 'match': whether the rule's peers (or its own pod's address) hold the endpoint — a CIDR that
 *   may hold the pod, a DNS name, a node, an undeclared namespace's labels, a peer not resolved;
 * - 'ipVersion': the rule matches one IP family (Calico ipVersion) and the pods' families are not known;
 * - 'dualStack': the rule matches one IP family and both ends have both (DUAL_STACK_DOUBT);
 * - 'partial': the rule matches some of the connections it names only (Rule.partial: Calico source ports);
 * - 'subject': whether a policy applies to the pod at all (MatchContext.subjectDoubts);
 * - 'localhost': the host allow for a host-network source (model.ts withLocalhostDoubt);
 * - 'node': beside 'match', the address may be a node's, which a `nodes` peer selects (outsideMatchDoubt):
 *   `reach` then does not call the address one outside the cluster (query.ts addressMayBeNode).
 */
export type DoubtReason = 'match' | 'ipVersion' | 'dualStack' | 'partial' | 'subject' | 'localhost' | 'node';

/**
 * One reason a decision might have gone otherwise. `text` is what reach and the findings print;
 * callers that weigh a doubt read `side` and `reasons`, never the text (it holds names from the
 * cluster: docs/hostile-text.md).
 */
export interface Doubt {
  text: string;
  /**
   * The action of the rule whose match is in doubt ('allow', 'deny', 'pass'), or 'policy' for a
   * doubt on no one rule (whether a policy applies to the pod, a host allow).
   */
  side: 'allow' | 'deny' | 'pass' | 'policy';
  reasons: readonly DoubtReason[];
}

export interface Decision {
  allowed: boolean;
  conns: ConnSet;
  cause: DecisionCause;
  /**
   * Why these connections might have been decided otherwise: a rule earlier in the walk whose
   * match depended on a pod address the model does not know (see `podCidrStatus`).
   */
  uncertain?: Doubt[];
  /** Of `conns`, those the uncertain matches could have decided otherwise (unset: all of them). */
  uncertainConns?: ConnSet;
  /** The connections are admitted as traffic another node forwards, not as sent (model.ts forwardedWhy): how they arrive. */
  forwarded?: string;
}

export interface DirectionVerdict {
  /** Whether the pod is governed in this direction (see `isolationOf`). */
  isolated: boolean;
  /** Connections allowed. */
  conns: ConnSet;
  /** What decided which connections, in evaluation order. Allowed and denied parts never overlap. */
  decisions: Decision[];
  /** Allowing rules with what each allowed (kept for callers that list "allowed by"). */
  decidedBy: Array<RuleRef & { conns: ConnSet }>;
  /** Ids of the enforced policies selecting the pod in this direction. */
  policies: string[];
}

/** What the engine needs from the model to match peers. */
export interface MatchContext {
  namespaceLabels: ReadonlyMap<string, Labels>;
  /** Namespaces no manifest declares: only their kubernetes.io/metadata.name label is known. */
  undeclaredNamespaces?: ReadonlySet<string>;
  /** Fallback after the last stage. */
  fallback: 'allow' | 'deny';
  fallbackReason?: string;
  /** What allows connections every stage passed on, for people ("the pod's Calico profile"); "default" when unset. */
  fallbackAllowReason?: string;
  /**
   * Per class, the enforced policies whose own subject it may or may not be in (a Calico
   * serviceAccountSelector on ServiceAccount labels that are not known), each with why: every
   * verdict on the class in that policy's directions is then uncertain (`evaluatePlan`).
   */
  subjectDoubts?: ReadonlyMap<PodClass, ReadonlyArray<{ policy: LayerPolicy; why: string }>>;
  /** Under Calico: the IPPools pods draw their addresses from (calico/ip-pools.ts), which settle a pod against CIDRs; read when first needed. */
  podPools?: () => PodPools;
  /**
   * The addresses one class's pods may have: under Calico the pools they draw from, narrowed from
   * podPools by their annotations (calico/ip-pools.ts podPoolsOf); elsewhere (Cilium aside) the
   * pods' own live addresses (pod-addresses.ts liveAddressesOf). Undefined when nothing narrows.
   */
  classPools?: (cls: PodClass) => (() => PodPools) | undefined;
  /**
   * Under Calico, for pools unknown for `why`: the IP families IPAM gives pods by its visible
   * settings (calico/ip-pools.ts ipamFamilies), when no IPPool was read; undefined otherwise.
   */
  ipamFamilies?: (why: string) => { families: ReadonlyArray<Family>; text: string } | undefined;
  /**
   * The IP families of a host-network class's pods, which have their node's addresses
   * (pod-addresses.ts hostFamiliesOf), when their own addresses show them; undefined otherwise.
   */
  hostFamilies?: (cls: PodClass) => { families: ReadonlyArray<Family>; text: string } | undefined;
  /**
   * The IP family of the flow being judged, when a caller judges each family's path apart (pods
   * with addresses of both): a rule of the other family (Rule.ipVersion) does not match it, and
   * one of this family is no longer in doubt for dual-stack ends (conditionMatch). Unset: either family.
   */
  flowFamily?: Family;
  /**
   * Whether a node selector selects every Node, none, or some of them, where the Nodes are all
   * known (a live snapshot whose Nodes were listed: model.ts nodeSelection); unset otherwise. A
   * host-network pod has its node's addresses, so a `nodes` peer selecting every Node holds it
   * wherever it runs, and one selecting none never does.
   */
  nodesSelected?: (selector: Selector) => 'all' | 'none' | 'some';
  /**
   * An address no pod in the snapshot holds may still be a pod's (manifests carry no pod's
   * address: query.ts NOT_A_KNOWN_POD_ADDRESS): a named port toward it is then in doubt (namedPortDoubt).
   */
  podAddressesUnknown?: true;
}

/** "shop/deny" for a NetworkPolicy (as ztaudit always named them), "AdminNetworkPolicy tenant-a" for the others. */
export function policyLabel(p: Pick<LayerPolicy, 'api' | 'kindLabel' | 'id' | 'displayName'>): string {
  return p.api === 'NetworkPolicy' ? p.id : `${p.kindLabel} ${p.displayName ?? p.id}`;
}

export function ruleRef(p: LayerPolicy, r: Rule): RuleRef {
  return {
    policy: p.id, rule: r.index, api: p.api, kindLabel: p.kindLabel, layer: p.layer, action: r.action,
    ...(p.tier !== undefined ? { tier: p.tier } : {}),
    ...(p.order !== undefined ? { order: p.order } : {}),
    ...(r.name ? { ruleName: r.name } : {}),
    ...(r.writtenAction !== undefined ? { writtenAction: r.writtenAction } : {}),
    ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
    ...(r.caveats?.length ? { caveats: r.caveats } : {}),
  };
}

/** "GlobalNetworkPolicy deny-team-b-to-db (order 10) rule 0 (Deny)". */
export function describeRule(r: RuleRef): string {
  const where: string[] = [];
  if (r.tier !== undefined && r.tier !== 'default') where.push(`tier ${r.tier}`);
  if (r.order !== undefined) where.push(r.layer === 'admin' || r.layer === 'baseline' || r.layer === 'antrea' ? `priority ${r.order}` : `order ${r.order}`);
  const name = r.ruleName ? ` "${r.ruleName}"` : '';
  // The rule is named as written: ClusterNetworkPolicy renamed Allow to Accept; an Antrea Reject is no Drop.
  const action = r.writtenAction ?? (r.api === 'ClusterNetworkPolicy' && r.action === 'Allow' ? 'Accept' : r.action);
  return `${r.kindLabel} ${r.displayName ?? r.policy}${where.length ? ` (${where.join(', ')})` : ''} rule ${r.rule}${name} (${action})`;
}

export function describeCause(c: DecisionCause): string {
  switch (c.kind) {
    case 'rule': return describeRule(c.rule);
    case 'isolated': return `${c.stage} isolation (${c.policies.join(', ')} select it; no rule allows it)`;
    case 'end-of-stage': return `the end of ${c.stage} (${c.policies.join(', ')} select it; no rule matched)`;
    case 'default-allow': return c.passedBy ? `${c.reason ?? 'default'} (passed by ${describeRule(c.passedBy)}; no later tier decides it)` : 'default (no policy decides it)';
    case 'default-deny': return c.reason;
    case 'not-governed': return c.reason;
    case 'unknown': return c.reason;
  }
}

// ---------------------------------------------------------------- matching

function namespaceMatches(ctx: MatchContext, scope: PodSet['namespaces'], policyNs: string | undefined, ns: string): boolean {
  switch (scope.kind) {
    case 'policy': return policyNs === undefined || ns === policyNs;
    case 'names': return scope.names.includes(ns);
    case 'selector': return scope.selector.empty || scope.selector.matches(ctx.namespaceLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns });
  }
}

/** Whether a pod set (subject or peer) of a policy in `policyNs` contains the class. */
export function podSetMatches(ctx: MatchContext, set: PodSet, policyNs: string | undefined, cls: PodClass): boolean {
  if (set.excludeHostNetwork && cls.hostNetwork) return false;
  if (!namespaceMatches(ctx, set.namespaces, policyNs, cls.namespace)) return false;
  if (set.pods && !set.pods.empty && !set.pods.matches(cls.labels)) return false;
  if (set.serviceAccountNames && !set.serviceAccountNames.includes(cls.serviceAccount)) return false;
  if (set.serviceAccounts && !set.serviceAccounts.empty && !set.serviceAccounts.matches(cls.serviceAccountLabels)) return false;
  if (set.where && !set.where.matches(cls, ctx.namespaceLabels.get(cls.namespace) ?? {})) return false;
  return true;
}

/** A pod set that contains every (non-host-network) pod of every namespace: what the anonymous pod endpoint matches. */
export function podSetIsEverything(set: PodSet): boolean {
  return set.namespaces.kind === 'selector' && set.namespaces.selector.empty && (!set.pods || set.pods.empty)
    && (!set.serviceAccounts || set.serviceAccounts.empty) && !set.serviceAccountNames && !set.where;
}

/** Whether the union of `ranges` holds every address of `family`. */
export function coversFamily(ranges: readonly IpRange[], family: Family): boolean {
  return coveredBy(family === 4 ? ALL_V4 : ALL_V6, ranges);
}

function fqdnMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (!pattern.includes('*')) return false;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[-a-z0-9_.]*')}$`);
  return re.test(name);
}

/** Whether one peer of a policy in `policyNs` matches the endpoint. */
export function peerMatches(ctx: MatchContext, peer: Peer, policyNs: string | undefined, ep: Endpoint): boolean {
  switch (peer.kind) {
    case 'pods':
      if (ep.kind === 'class') return podSetMatches(ctx, peer, policyNs, ep.cls) && (!peer.addresses || !!podCidrStatusOf(ctx, peer.addresses, ep)?.inside);
      return ep.kind === 'anonymous' && ep.family === undefined && podSetIsEverything(peer) && (!peer.addresses || !!podCidrStatus(peer.addresses, ctx.podPools)?.inside);
    case 'ipBlock':
      if (ep.kind === 'ip') return peer.ranges.some((r) => rangeContains(r, ep.family, ep.value));
      // An address no CIDR names lies outside every `except` too: the blocks before exceptions decide.
      return ep.kind === 'anonymous' && ep.family !== undefined && coversFamily(peer.blocks ?? peer.ranges, ep.family);
    case 'fqdn':
      return ep.kind === 'fqdn' && (peer.match ? peer.match(ep.name) : peer.patterns.some((p) => fqdnMatches(p, ep.name.toLowerCase())));
    case 'nodes':
      if (ep.kind === 'node') return peer.selector.empty || peer.selector.matches(ep.labels);
      // "It selects the nodeIPs as the peer type by matching on the IPs present in the
      // node.Status.Addresses field of the node" (network-policy-api apis/v1alpha1
      // AdminNetworkPolicyEgressPeer.Nodes; NPEP-126): an address is selected when a Node the
      // selector selects holds it. Not known which Nodes hold it: not counted (outsideMatchDoubt says so).
      if (ep.kind === 'ip') return !!ep.nodes && 'nodes' in ep.nodes && ep.nodes.nodes.some((n) => peer.selector.empty || peer.selector.matches(n.labels));
      // A host-network pod listens on its node's address: upstream's conformance tests dial one
      // through a `nodes` peer (AdminNetworkPolicyEgressNodePeers). Which node it runs on is not
      // modelled: a selector that selects every Node holds it wherever it runs, one that selects
      // none never does (MatchContext.nodesSelected); any other counts as selecting it, and
      // `nodePlacementDoubt` says so.
      return ep.kind === 'class' && ep.cls.hostNetwork && ctx.nodesSelected?.(peer.selector) !== 'none';
    case 'entity':
      switch (peer.entity) {
        case 'all': return true;
        case 'world': return ep.kind === 'ip' || ep.kind === 'fqdn' || (ep.kind === 'anonymous' && ep.family !== undefined);
        case 'world-ipv4': return (ep.kind === 'ip' || ep.kind === 'anonymous') && ep.family === 4;
        case 'world-ipv6': return (ep.kind === 'ip' || ep.kind === 'anonymous') && ep.family === 6;
        case 'cluster': return ep.kind === 'class' || ep.kind === 'node' || ep.kind === 'apiserver' || (ep.kind === 'anonymous' && ep.family === undefined);
        case 'host': return ep.kind === 'node' && !ep.remote;
        case 'remote-node': return ep.kind === 'node';
        case 'kube-apiserver': return ep.kind === 'apiserver';
        case 'other': return false;
      }
  }
}

/**
 * A `nodes` peer whose match against a host-network pod depends on the node it runs on (ANP `nodes`
 * with a selector that selects some of the Nodes, or Nodes not all known).
 */
function placedNodePeer(ctx: MatchContext, p: Peer, cls: PodClass): boolean {
  if (p.kind !== 'nodes' || !cls.hostNetwork || p.selector.empty) return false;
  const selected = ctx.nodesSelected?.(p.selector);
  return selected === undefined || selected === 'some';
}

/** Why a peer list's `nodes` peers may not hold a host-network pod, or undefined. */
function nodePlacementDoubt(ctx: MatchContext, list: readonly Peer[], cls: PodClass): string | undefined {
  const placed = list.filter((p): p is Peer & { kind: 'nodes' } => placedNodePeer(ctx, p, cls));
  if (!placed.length) return undefined;
  const why = ctx.nodesSelected ? 'they select some of the Nodes, and the model does not place pods on nodes' : 'the model does not place pods on nodes, and the Nodes are not all known (read from manifests, or not listed)';
  return `whether the node a host-network pod runs on is selected by nodes ${placed.map((p) => p.selector.key).join(', ')} is not known (${why}); counted as selected`;
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Whether a namespace selector reads a label other than the name label (the only one an undeclared namespace is known to carry). */
export function readsNamespaceLabels(scope: PodSet['namespaces']): boolean {
  return scope.kind === 'selector' && !scope.selector.empty && (scope.selector.keys === undefined || scope.selector.keys.some((k) => k !== NAME_LABEL));
}

/**
 * A pods peer whose match against a pod turns on labels of the pod's namespace that no
 * manifest declares: its namespace selector reads other labels, and the rest of it holds the pod.
 */
function undeclaredNamespacePeer(ctx: MatchContext, p: Peer, policyNs: string | undefined, cls: PodClass): boolean {
  return p.kind === 'pods' && !!ctx.undeclaredNamespaces?.has(cls.namespace) && ((readsNamespaceLabels(p.namespaces)
    && podSetMatches(ctx, { ...p, namespaces: { kind: 'selector', selector: MATCH_ALL } }, policyNs, cls))
    || (p.where?.namespaceLabels !== undefined && podSetMatches(ctx, { ...p, where: p.where.namespaceLabels.without }, policyNs, cls)));
}

/** The namespace labels a pods peer reads: its namespaceSelector, or a Cilium selector's namespace-label keys. */
function namespaceLabelsRead(p: Peer & { kind: 'pods' }): string {
  return p.where?.namespaceLabels ? `selector ${p.where.namespaceLabels.keys.join(', ')}` : `namespaceSelector ${(p.namespaces as { selector: { key: string } }).selector.key}`;
}

/**
 * Why whether a pods peer holds the class is not known by its `where` predicate
 * (ClassPredicate.doubt) or its `addresses` (the class's pools partly inside them), or undefined.
 */
function predicateDoubtOf(ctx: MatchContext, p: Peer, policyNs: string | undefined, cls: PodClass): string | undefined {
  if (p.kind !== 'pods' || (!p.where?.doubt && !p.addresses)) return undefined;
  const addr = p.addresses ? podCidrStatusOf(ctx, p.addresses, { kind: 'class', cls }) : undefined;
  if (!p.where?.doubt && !addr?.doubt) return undefined;
  if (addr && !addr.inside && !addr.doubt) return undefined;
  if (!podSetMatches(ctx, { ...p, where: undefined }, policyNs, cls)) return undefined;
  const nsLabels = ctx.namespaceLabels.get(cls.namespace) ?? {};
  const whereWhy = p.where?.doubt?.(cls, nsLabels);
  if (p.where && !whereWhy && !p.where.matches(cls, nsLabels)) return undefined;
  const why = [whereWhy, addr?.doubt ? `the rule selects pods only when their address is in its nets: ${addr.doubt}` : undefined].filter((x): x is string => x !== undefined);
  return why.length ? why.join('; ') : undefined;
}

function predicateDoubtPeer(ctx: MatchContext, p: Peer, policyNs: string | undefined, cls: PodClass): boolean {
  return predicateDoubtOf(ctx, p, policyNs, cls) !== undefined;
}

/** Why a peer list's predicates may or may not hold the class, or undefined. */
function predicateDoubt(ctx: MatchContext, list: readonly Peer[], policyNs: string | undefined, cls: PodClass): string | undefined {
  const why = [...new Set(list.map((p) => predicateDoubtOf(ctx, p, policyNs, cls)).filter((d): d is string => d !== undefined))];
  return why.length ? why.join('; ') : undefined;
}

const unplacedRules = new WeakMap<Rule, Rule>();

/** The rule with its placed peers (ClassPredicate.nodePlacement) taken as holding every host-network pod. */
function unplacedRule(rule: Rule & { peers: readonly Peer[] }): Rule {
  let hit = unplacedRules.get(rule);
  if (!hit) {
    const peers = rule.peers.map((p): Peer => (p.kind === 'pods' && p.where?.nodePlacement ? { ...p, where: { key: p.where.key, matches: p.where.matches } } : p));
    unplacedRules.set(rule, (hit = { ...rule, peers }));
  }
  return hit;
}

/**
 * Where a host-network pod may run for the rule to hold it, when that is the only doubt on the
 * rule's match: the placements its placed peers hold it on ('same': the subject's node, 'other':
 * another node). Undefined when the rule holds no placed peer of the class, or holds it with another
 * doubt too. Rules of one action that hold it on both sides hold it wherever it runs, on the
 * connections all of them match (evaluatePlan's union stage).
 */
function placedSides(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject: Endpoint | undefined): ReadonlySet<'same' | 'other'> | undefined {
  if (ep.kind !== 'class' || !ep.cls.hostNetwork || rule.peers === 'any') return undefined;
  const nsLabels = ctx.namespaceLabels.get(ep.cls.namespace) ?? {};
  const sides = new Set<'same' | 'other'>();
  for (const p of rule.peers) {
    if (p.kind === 'pods' && p.where?.nodePlacement && p.where.matches(ep.cls, nsLabels) && podSetMatches(ctx, { ...p, where: undefined }, policyNs, ep.cls)) sides.add(p.where.nodePlacement);
  }
  if (!sides.size) return undefined;
  const plain = unplacedRule(rule as Rule & { peers: readonly Peer[] });
  if (!ruleMatchesPeer(ctx, plain, policyNs, ep, subject) || ruleMatchDoubt(ctx, plain, policyNs, ep, subject) !== undefined) return undefined;
  return sides;
}

/** Why a peer list's namespace selectors may or may not hold a pod of an undeclared namespace, or undefined. */
function undeclaredNamespaceDoubt(ctx: MatchContext, list: readonly Peer[], policyNs: string | undefined, cls: PodClass): string | undefined {
  const read = list.filter((p): p is Peer & { kind: 'pods' } => undeclaredNamespacePeer(ctx, p, policyNs, cls));
  if (!read.length) return undefined;
  const counted = read.some((p) => peerMatches(ctx, p, policyNs, { kind: 'class', cls }));
  return `whether namespace ${cls.namespace} is selected by ${read.map(namespaceLabelsRead).join(', ')} is not known: no manifest declares it, so only its ${NAME_LABEL} label is known (add the Namespace manifest with its labels); counted as ${counted ? 'selected' : 'not selected'}`;
}

/** What the snapshot says of pod addresses under Calico IPAM (calico/ip-pools.ts). */
export type PodPools =
  | { kind: 'known'; ranges: readonly IpRange[]; /** "IPPool default-ipv4-ippool (192.168.0.0/16)". */ text: string; /** The pods' own addresses, not pools they draw from (pod-addresses.ts liveAddressesOf). */ addresses?: true }
  /** No IPPool read: not listed (forbidden, failed), or none at all (manifests without them, CRD not served). */
  | { kind: 'unknown'; why: string };

/** Where a pod stands against CIDRs that apply to pod addresses; `doubt` says why that is not certain. */
export interface PodCidrStatus {
  inside: boolean;
  doubt?: string;
}

const podCidrCache = new WeakMap<readonly Peer[], PodCidrStatus | null>();
const podCidrCacheByPools = new WeakMap<() => PodPools, WeakMap<readonly Peer[], PodCidrStatus | null>>();

/**
 * Special-purpose space no pod is given an address in (RFC 6890: "this network", loopback,
 * link-local — the cloud metadata address 169.254.169.254 —, multicast, reserved; IPv6
 * unspecified, loopback, link-local, multicast): a CIDR within it is certainly not a pod's.
 */
const NEVER_POD: IpRange[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/127', 'fe80::/10', 'ff00::/8'].map((c) => parseCidr(c)!);

function neverPod(r: IpRange): boolean {
  return NEVER_POD.some((n) => n.family === r.family && n.lo <= r.lo && r.hi <= n.hi);
}

/**
 * Whether a pod is inside the CIDRs of a peer list that the API matches against pod addresses
 * (ANP `networks`: "cluster-internal traffic will be checked against the rule as well";
 * Calico `nets`/`notNets`, matched on the packet's address), taken together (ANP lists each
 * CIDR as a peer). `poolsOf` gives the addresses the pods may have where they are known (Calico
 * IPPools, the pods' own live addresses): CIDRs holding all of them hold the pod, CIDRs holding
 * none of them do not. Without them: CIDRs covering all of IPv4 and all of IPv6 (special-purpose
 * space aside) contain every pod, and CIDRs within special-purpose space none; otherwise the pod
 * is taken as IPv4 — inside when all of IPv4 is covered, outside when not — and `doubt` says so.
 * Undefined when the list has no such CIDR.
 */
export function podCidrStatus(list: readonly Peer[], poolsOf?: () => PodPools): PodCidrStatus | undefined {
  let memo = podCidrCache;
  if (poolsOf) {
    let m = podCidrCacheByPools.get(poolsOf);
    if (!m) podCidrCacheByPools.set(poolsOf, (m = new WeakMap()));
    memo = m;
  }
  const hit = memo.get(list);
  if (hit !== undefined) return hit ?? undefined;
  // A list with no CIDR matched on pod addresses is nothing whatever the pools: kept once, not once per pools.
  if (poolsOf && !podCidrStatus(list)) {
    memo.set(list, null);
    return undefined;
  }
  const blocks = list.filter((p): p is Peer & { kind: 'ipBlock' } => p.kind === 'ipBlock' && p.podAddresses === true);
  let out: PodCidrStatus | undefined;
  if (blocks.length) {
    const ranges = blocks.flatMap((p) => p.ranges);
    const texts = blocks.map((p) => p.text).join(', ');
    const v4 = coversFamily([...ranges, ...NEVER_POD], 4);
    // Calico IPAM's Workload pools hold every pod's address (calico/ip-pools.ts): the CIDRs
    // covering them all hold every pod, CIDRs missing them all none; a partial overlap stays in doubt.
    // Read only when a CIDR is matched on pod addresses: a model without one never looks at the pools.
    const pools = poolsOf?.();
    const known = pools?.kind === 'known' ? pools : undefined;
    const unknownWhy = pools?.kind === 'unknown' ? `; ${pools.why}` : '';
    if (known && known.ranges.every((r) => coveredBy(r, ranges))) out = { inside: true };
    else if (known && intersectRanges(known.ranges, ranges).length === 0) out = { inside: false };
    else if (v4 && coversFamily([...ranges, ...NEVER_POD], 6)) out = { inside: true };
    else if (ranges.every(neverPod)) out = { inside: false };
    else if (known) out = { inside: v4, doubt: `whether the pod's address is in ${texts} is not known: the pods' ${known.addresses ? 'addresses' : 'address pools'} (${known.text}) lie partly inside it; counted as ${v4 ? 'inside' : 'outside'}` };
    else if (v4) out = { inside: true, doubt: `${texts} cover IPv4 only: a pod with an IPv6 address (dual-stack or IPv6 cluster) may be outside; pods are taken as IPv4${unknownWhy}` };
    else out = { inside: false, doubt: `whether the pod's address is in ${texts} is not known (the model does not know pod addresses${unknownWhy}); counted as outside` };
  }
  memo.set(list, out ?? null);
  return out;
}

/** Whether `r` lies within the union of `ranges` (of its family). */
function coveredBy(r: IpRange, ranges: readonly IpRange[]): boolean {
  const parts = intersectRanges([r], ranges).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let next = r.lo;
  for (const p of parts) {
    if (p.lo > next) return false;
    if (p.hi + 1n > next) next = p.hi + 1n;
    if (next > r.hi) return true;
  }
  return false;
}

/**
 * A host-network pod has its node's address (or, under IPIP/VXLAN, a Tunnel pool's), never a
 * Workload pool's: the IPPools say nothing of it, and a CIDR's hold on it stays in doubt.
 */
export const HOST_NETWORK_POOLS = (): PodPools => ({ kind: 'unknown', why: "a host-network pod has its node's address, not one from the Workload IPPools" });

/**
 * podCidrStatus of `list` for endpoint `ep` by its pools (poolsFor), which are looked up only
 * when the list holds a CIDR matched on pod addresses: a class's pools cost a pass over its pods,
 * and most rules name none (the answer is undefined then, whatever the pools).
 */
function podCidrStatusOf(ctx: MatchContext, list: readonly Peer[], ep: Endpoint): PodCidrStatus | undefined {
  return podCidrStatus(list) === undefined ? undefined : podCidrStatus(list, poolsFor(ctx, ep));
}

/** The pools that settle an endpoint against CIDRs: none for a host-network pod, the class's own when its pods are narrowed to some. */
function poolsFor(ctx: MatchContext, ep: Endpoint): (() => PodPools) | undefined {
  if (ep.kind !== 'class') return ofFamily(ctx.podPools, ctx.flowFamily);
  // Outside Calico a host-network pod keeps the doubt it had: its address is its node's, not known.
  if (ep.cls.hostNetwork) return ctx.podPools ? HOST_NETWORK_POOLS : undefined;
  return ofFamily(ctx.classPools?.(ep.cls) ?? ctx.podPools, ctx.flowFamily);
}

const familyPools = new WeakMap<() => PodPools, Partial<Record<Family, () => PodPools>>>();

/**
 * The pools a flow of one IP family (MatchContext.flowFamily) draws its pod address from: those of
 * that family. A packet of that family carries the pod's address of that family only, so CIDRs are
 * matched against it alone (Felix matches a family's CIDRs in that family's chains,
 * FilterRuleToIPVersion, felix/rules/policy.go, v3.32.1). Pools with none of that family are left
 * whole (never narrowed to nothing). One function per pools and family, so the caches keyed by it hold.
 */
function ofFamily(pools: (() => PodPools) | undefined, family: Family | undefined): (() => PodPools) | undefined {
  if (!pools || family === undefined || pools === HOST_NETWORK_POOLS) return pools;
  let byFamily = familyPools.get(pools);
  if (!byFamily) familyPools.set(pools, (byFamily = {}));
  let hit = byFamily[family];
  if (!hit) {
    let memo: PodPools | undefined;
    hit = () => {
      if (memo) return memo;
      const v = pools();
      const ranges = v.kind === 'known' ? v.ranges.filter((r) => r.family === family) : [];
      memo = v.kind === 'known' && ranges.length && ranges.length < v.ranges.length ? { ...v, ranges, text: `${v.text}, IPv${family} only for an IPv${family} flow` } : v;
      return memo;
    };
    byFamily[family] = hit;
  }
  return hit;
}

function podEndpoint(ep: Endpoint): boolean {
  return ep.kind === 'class' || (ep.kind === 'anonymous' && ep.family === undefined);
}

/**
 * Where the subject's own address stands against a rule's `subjectAddress` (Calico destination
 * nets on ingress, source nets on egress), by the subject class's own pools: 'yes' when the rule
 * applies to it, 'no' when not, or the doubt with the counted reading. Cached per rule list and
 * pools (podCidrStatus), so once per rule and narrowing.
 */
function subjectAddressMatch(ctx: MatchContext, rule: Rule, subject: Endpoint | undefined): { v: 'yes' | 'no' } | { v: 'doubt'; counted: boolean; why: () => string } {
  const own = rule.subjectAddress;
  if (!own) return { v: 'yes' };
  if (subject?.kind !== 'class') return { v: 'no' };
  const pools = poolsFor(ctx, subject);
  const inNets = own.nets ? podCidrStatus(own.nets, pools) : undefined;
  const inNot = own.notNets ? podCidrStatus(own.notNets, pools) : undefined;
  // Either side certain against the rule settles it.
  if ((inNets && !inNets.inside && !inNets.doubt) || (inNot?.inside && !inNot.doubt)) return { v: 'no' };
  const counted = (inNets?.inside ?? true) && !inNot?.inside;
  if (!inNets?.doubt && !inNot?.doubt) return { v: counted ? 'yes' : 'no' };
  // The text only for reach's doubts: the matrix reads `counted`.
  const why = () => [[inNets, 'nets'] as const, [inNot, 'notNets'] as const]
    .flatMap(([st, key]) => (st?.doubt ? [`${own.side} ${key} on the policy's own pod: ${st.doubt}`] : [])).join('; ');
  return { v: 'doubt', counted, why };
}

/** Whether the rule applies to its subject by the subject's own address, as counted. */
function subjectAddressCounted(ctx: MatchContext, rule: Rule, subject: Endpoint | undefined): boolean {
  const own = subjectAddressMatch(ctx, rule, subject);
  return own.v === 'yes' || (own.v === 'doubt' && own.counted);
}

/** ruleMatchDoubt for a rule on its own pod's address: that doubt, with the peer side's. */
function subjectAddressMatchDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject?: Endpoint): PeerDoubt | undefined {
  const own = subjectAddressMatch(ctx, rule, subject);
  // The rule without the condition: its peer side, judged as any rule's (only reach pays for the copy).
  const peerSide: Rule = { ...rule, subjectAddress: undefined };
  const peerDoubt = () => {
    const d = ruleDoubt(ctx, peerSide, policyNs, ep, subject);
    return d ? { why: d.why, ...(d.reasons.includes('node') ? { node: true as const } : {}) } : undefined;
  };
  if (own.v !== 'doubt') return own.v === 'yes' ? peerDoubt() : undefined;
  if (rule.subject && !(subject?.kind === 'class' && podSetMatches(ctx, rule.subject, policyNs, subject.cls))) return undefined;
  // The own pod's address is in doubt: the rule may match wherever its peer side may.
  const peer = peerDoubt();
  if (peer) return { ...peer, why: `${own.why()}; ${peer.why}` };
  return ruleMatchesPeer(ctx, peerSide, policyNs, ep, subject) ? { why: own.why() } : undefined;
}

/** The IP families an endpoint's addresses may have, or why they are not known; undefined for an endpoint the family check leaves alone (a DNS name, a node, the API server). */
function familiesOf(ctx: MatchContext, ep: Endpoint): { families: readonly Family[]; text: string } | { why: string } | undefined {
  if (ep.kind === 'ip' || (ep.kind === 'anonymous' && ep.family !== undefined)) return { families: [ep.family!], text: ep.kind === 'ip' ? ep.text : `an IPv${ep.family} address` };
  if (!podEndpoint(ep)) return undefined;
  const host = ep.kind === 'class' && ep.cls.hostNetwork ? ctx.hostFamilies?.(ep.cls) : undefined;
  if (host) return host;
  const pools = poolsFor(ctx, ep);
  if (!pools) return { why: "the pods' addresses are not known" };
  let hit = familyCache.get(pools);
  if (!hit) {
    const v = pools();
    // A host-network pod has its node's address, whatever IPAM gives the others.
    const ipam = v.kind === 'unknown' && pools !== HOST_NETWORK_POOLS ? ctx.ipamFamilies?.(v.why) : undefined;
    hit = v.kind === 'known' ? { families: [...new Set(v.ranges.map((r) => r.family))].sort(), text: v.text } : ipam ? { families: ipam.families, text: ipam.text } : { why: v.why };
    familyCache.set(pools, hit);
  }
  return hit;
}

const familyCache = new WeakMap<() => PodPools, { families: readonly Family[]; text: string } | { why: string }>();

/** The IP families an endpoint's addresses are known to have (familiesOf): none when not known. */
export function endpointFamilies(ctx: MatchContext, ep: Endpoint): readonly Family[] {
  const f = familiesOf(ctx, ep);
  return f && 'families' in f ? f.families : [];
}

/**
 * The doubt on an ipVersion rule when both ends are dual-stack (Doubt reason 'dualStack'). The
 * connection goes through if either family's path allows it: network.intent-violation, `reach` and
 * `reach --matrix` judge each path apart (MatchContext.flowFamily; query.ts answerByFamily,
 * familyPair), and a flow one of them allows is allowed, not a doubt.
 */
export const DUAL_STACK_DOUBT = 'both ends have addresses of both families';

type ConditionMatch = { v: 'yes' } | { v: 'no' } | { v: 'doubt'; why: () => string; reasons: readonly DoubtReason[] };
const YES: ConditionMatch = { v: 'yes' };
const NO: ConditionMatch = { v: 'no' };
// Shared: conditionMatch runs per rule and pair in the matrix, which never reads them.
const IP_VERSION: readonly DoubtReason[] = ['ipVersion'];
const DUAL_STACK: readonly DoubtReason[] = ['dualStack'];
const PARTIAL: readonly DoubtReason[] = ['partial'];
const IP_VERSION_PARTIAL: readonly DoubtReason[] = ['ipVersion', 'partial'];
const DUAL_STACK_PARTIAL: readonly DoubtReason[] = ['dualStack', 'partial'];
const MATCH: readonly DoubtReason[] = ['match'];
const MATCH_NODE: readonly DoubtReason[] = ['match', 'node'];
const SUBJECT: readonly DoubtReason[] = ['subject'];

/**
 * Whether a rule's conditions on the connection itself hold: its IP family (Rule.ipVersion)
 * against the families both ends share, and a match on some connections only (Rule.partial).
 * A flow neither end can carry in the rule's family is not matched; one whose ends share only
 * that family is; one whose ends share both (dual-stack) or whose families are not known is in
 * doubt: it may go either way, and Calico allows it if either family's path does.
 */
function conditionMatch(ctx: MatchContext, rule: Rule, ep: Endpoint, subject: Endpoint | undefined): ConditionMatch {
  const counted = () => `counted as ${rule.action === 'Allow' ? 'matching' : 'not matching'}`;
  let family: ConditionMatch = YES;
  // A rule's one family: its ipVersion, or the family its nets/notNets alone leave it (Rule.netsFamily).
  const v = rule.ipVersion ?? rule.netsFamily?.family;
  if (v !== undefined) {
    // Felix renders the rule only into its family's chains (FilterRuleToIPVersion, felix/rules/policy.go).
    if (ctx.flowFamily !== undefined && ctx.flowFamily !== v) return NO;
    const ends = [familiesOf(ctx, ep), subject && subject !== ep ? familiesOf(ctx, subject) : undefined].filter((x) => x !== undefined);
    const known = ends.filter((x) => 'families' in x);
    if (known.some((x) => !x.families.includes(v))) return NO;
    const what = rule.ipVersion !== undefined ? `ipVersion ${v}: the rule matches IPv${v} packets only` : `${rule.netsFamily!.text}: IPv${v} CIDRs only, so Felix renders the rule in the IPv${v} chains only`;
    // An end of that family alone carries the flow in it, if the flow exists at all.
    const unknown = known.some((x) => x.families.length === 1) ? [] : ends.filter((x) => 'why' in x);
    // Families not known: an ipVersion is in doubt; for CIDRs, their own doubt on the pod's address stands (podCidrStatus).
    if (unknown.length && rule.ipVersion !== undefined) family = { v: 'doubt', reasons: IP_VERSION, why: () => `${what}, and whether the pods have an IPv${v} address is not known (${[...new Set(unknown.map((x) => x.why))].join('; ')}); ${counted()}` };
    else if (!unknown.length && ctx.flowFamily === undefined && known.length && !known.some((x) => x.families.length === 1)) family = { v: 'doubt', reasons: DUAL_STACK, why: () => `${what}, and ${DUAL_STACK_DOUBT} (${[...new Set(known.map((x) => x.text))].join('; ')}): the connection goes through if either family's path allows it; ${counted()}` };
  }
  if (rule.partial === undefined) return family;
  const partial = rule.partial;
  const familyWhy = family.v === 'doubt' ? family.why : undefined;
  const reasons = family.v !== 'doubt' ? PARTIAL : family.reasons === DUAL_STACK ? DUAL_STACK_PARTIAL : IP_VERSION_PARTIAL;
  return { v: 'doubt', reasons, why: () => [familyWhy?.(), `${partial}; ${counted()}`].filter((x) => x).join('; ') };
}

const unconditionedRules = new WeakMap<Rule, Rule>();

/** The rule without its conditions on the connection (conditionMatch): its peers and ports alone. */
function unconditioned(rule: Rule): Rule {
  let hit = unconditionedRules.get(rule);
  if (!hit) {
    hit = { ...rule };
    delete hit.ipVersion;
    delete hit.netsFamily;
    delete hit.partial;
    unconditionedRules.set(rule, hit);
  }
  return hit;
}

export function ruleMatchesPeer(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject?: Endpoint): boolean {
  if (rule.ipVersion !== undefined || rule.netsFamily !== undefined || rule.partial !== undefined) {
    const c = conditionMatch(ctx, rule, ep, subject);
    if (c.v === 'no' || (c.v === 'doubt' && rule.action !== 'Allow')) return false;
  }
  if (rule.subjectAddress && !subjectAddressCounted(ctx, rule, subject)) return false;
  if (rule.subject && !(subject?.kind === 'class' && podSetMatches(ctx, rule.subject, policyNs, subject.cls))) return false;
  if (rule.peers !== 'any' && !rule.peers.some((p) => peerMatches(ctx, p, policyNs, ep)) && !(podEndpoint(ep) && podCidrStatusOf(ctx, rule.peers, ep)?.inside) && !(ep.kind === 'fqdn' && nameAddressPeers(rule.peers).every)) return false;
  if (rule.notPeers && (rule.notPeers.some((p) => peerMatches(ctx, p, policyNs, ep)) || (podEndpoint(ep) && podCidrStatusOf(ctx, rule.notPeers, ep)?.inside) || (ep.kind === 'fqdn' && nameAddressPeers(rule.notPeers).every))) return false;
  return true;
}

/** The peers of a list that name addresses a DNS name may resolve to, and whether they hold every address of both families. */
interface NameAddressPeers {
  /** "10.0.0.0/8", "entity world-ipv4", "cidrGroupRef …": what the name's addresses may lie in. */
  texts: string[];
  every: boolean;
}

const nameAddressCache = new WeakMap<readonly Peer[], NameAddressPeers>();

/**
 * A DNS name stands for the addresses its lookups return, which are not known offline: a list
 * whose CIDRs (and per-family world entities) cover every IPv4 and every IPv6 address holds
 * them for certain; one naming fewer addresses, or address sets the model cannot resolve, may
 * hold them or not (`ruleMatchDoubt`). Once per peer list.
 */
function nameAddressPeers(list: readonly Peer[]): NameAddressPeers {
  let hit = nameAddressCache.get(list);
  if (hit) return hit;
  const ranges: IpRange[] = [];
  const texts: string[] = [];
  for (const p of list) {
    if (p.kind === 'ipBlock') {
      ranges.push(...p.ranges);
      texts.push(p.text);
    } else if (p.kind === 'entity' && (p.entity === 'world-ipv4' || p.entity === 'world-ipv6')) {
      ranges.push(p.entity === 'world-ipv4' ? ALL_V4 : ALL_V6);
      texts.push(`entity ${p.entity}`);
    } else if (p.kind === 'entity' && p.entity === 'other' && (p.unresolved?.may === 'addresses' || p.unresolved?.may === 'some-addresses')) texts.push(p.unresolved.what);
  }
  hit = { texts: [...new Set(texts)], every: coversFamily(ranges, 4) && coversFamily(ranges, 6) };
  nameAddressCache.set(list, hit);
  return hit;
}

/**
 * Why a rule's match against a DNS name is uncertain: its peers (or notPeers) name addresses
 * the name may or may not resolve to, and nothing certain decides the match. Undefined otherwise.
 */
function nameMatchDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint & { kind: 'fqdn' }, subject?: Endpoint): string | undefined {
  if (rule.peers === 'any') return undefined;
  const side = (list: readonly Peer[]): { v: 'yes' | 'no' | 'doubt'; texts?: string[] } => {
    const a = nameAddressPeers(list);
    if (a.every || list.some((p) => peerMatches(ctx, p, policyNs, ep))) return { v: 'yes' };
    return a.texts.length ? { v: 'doubt', texts: a.texts } : { v: 'no' };
  };
  const p = side(rule.peers);
  const n = rule.notPeers ? side(rule.notPeers) : { v: 'no' as const };
  if (p.v === 'no' || n.v === 'yes' || (p.v === 'yes' && n.v === 'no')) return undefined;
  if (rule.subject && !(subject?.kind === 'class' && podSetMatches(ctx, rule.subject, policyNs, subject.cls))) return undefined;
  const texts = [...(p.texts ?? []), ...(n.texts ?? [])];
  return `the addresses ${ep.name} resolves to are not known offline, and may lie in ${texts.join(', ')}`;
}

/**
 * Why a rule's match against a pod is uncertain (its peers or notPeers hold CIDRs matched on a
 * pod address the model does not know, and nothing certain decides the match), or undefined.
 */
export function ruleMatchDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject?: Endpoint): string | undefined {
  return ruleDoubt(ctx, rule, policyNs, ep, subject)?.why;
}

/**
 * ruleMatchDoubt with what the doubt is on: the rule's conditions on the connection
 * (conditionMatch: its IP family, some connections only), whether its peers hold the endpoint
 * ('match'), or both (the texts then in that order).
 */
function ruleDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject?: Endpoint): { why: string; reasons: readonly DoubtReason[] } | undefined {
  if (rule.ipVersion !== undefined || rule.netsFamily !== undefined || rule.partial !== undefined) {
    const c = conditionMatch(ctx, rule, ep, subject);
    if (c.v === 'no') return undefined;
    const rest = unconditioned(rule);
    const restDoubt = peerMatchDoubt(ctx, rest, policyNs, ep, subject);
    if (c.v === 'yes') return restDoubt ? { why: restDoubt.why, reasons: restDoubt.node ? MATCH_NODE : MATCH } : undefined;
    if (restDoubt) return { why: `${c.why()}; ${restDoubt.why}`, reasons: [...c.reasons, ...(restDoubt.node ? MATCH_NODE : MATCH)] };
    return ruleMatchesPeer(ctx, rest, policyNs, ep, subject) ? { why: c.why(), reasons: c.reasons } : undefined;
  }
  const d = peerMatchDoubt(ctx, rule, policyNs, ep, subject);
  return d ? { why: d.why, reasons: d.node ? MATCH_NODE : MATCH } : undefined;
}

/** Why a rule's peers may hold an endpoint, and whether that is because the address may be a node's (DoubtReason 'node'). */
interface PeerDoubt {
  why: string;
  node?: true;
}

/** ruleMatchDoubt of a rule without conditions on the connection (conditionMatch): whether its peers hold the endpoint. */
function peerMatchDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint, subject?: Endpoint): PeerDoubt | undefined {
  if (rule.subjectAddress) return subjectAddressMatchDoubt(ctx, rule, policyNs, ep, subject);
  if (ep.kind === 'ip' || ep.kind === 'node') return outsideMatchDoubt(ctx, rule, policyNs, ep, subject);
  if (ep.kind === 'fqdn') {
    const why = nameMatchDoubt(ctx, rule, policyNs, ep, subject);
    return why ? { why } : undefined;
  }
  if (ep.kind !== 'class') return undefined;
  const inPeers = rule.peers === 'any' ? undefined : podCidrStatusOf(ctx, rule.peers, ep);
  const inNot = rule.notPeers ? podCidrStatusOf(ctx, rule.notPeers, ep) : undefined;
  const nodePeers = rule.peers === 'any' ? undefined : nodePlacementDoubt(ctx, rule.peers, ep.cls);
  const nodeNot = rule.notPeers ? nodePlacementDoubt(ctx, rule.notPeers, ep.cls) : undefined;
  const nsPeers = rule.peers === 'any' ? undefined : undeclaredNamespaceDoubt(ctx, rule.peers, policyNs, ep.cls);
  const nsNot = rule.notPeers ? undeclaredNamespaceDoubt(ctx, rule.notPeers, policyNs, ep.cls) : undefined;
  const whPeers = rule.peers === 'any' ? undefined : predicateDoubt(ctx, rule.peers, policyNs, ep.cls);
  const whNot = rule.notPeers ? predicateDoubt(ctx, rule.notPeers, policyNs, ep.cls) : undefined;
  // A host-network pod carries its node's identity: a node selector the model cannot resolve may hold it.
  const unresolvedNodes = rule.peers !== 'any' && ep.cls.hostNetwork ? unresolvedDoubt(rule.peers, 'nodes') : undefined;
  if (!inPeers?.doubt && !inNot?.doubt && !nodePeers && !nodeNot && !nsPeers && !nsNot && !whPeers && !whNot && !unresolvedNodes) return undefined;
  if (rule.subject && !(subject?.kind === 'class' && podSetMatches(ctx, rule.subject, policyNs, subject.cls))) return undefined;
  const side = (list: readonly Peer[] | 'any', st: PodCidrStatus | undefined, node: string | undefined, ns: string | undefined, wh: string | undefined): { v: 'yes' | 'no' | 'doubt'; why?: string } => {
    if (list === 'any' || list.some((p) => !placedNodePeer(ctx, p, ep.cls) && !undeclaredNamespacePeer(ctx, p, policyNs, ep.cls) && !predicateDoubtPeer(ctx, p, policyNs, ep.cls) && peerMatches(ctx, p, policyNs, ep))) return { v: 'yes' };
    if (st?.inside && !st.doubt) return { v: 'yes' };
    const why = [st?.doubt, node, ns, wh].filter((x) => x).join('; ');
    return why ? { v: 'doubt', why } : { v: 'no' };
  };
  const p = side(rule.peers, inPeers, [nodePeers, unresolvedNodes].filter((x) => x).join('; ') || undefined, nsPeers, whPeers);
  const n = rule.notPeers ? side(rule.notPeers, inNot, nodeNot, nsNot, whNot) : { v: 'no' as const };
  if (p.v === 'no' || n.v === 'yes') return undefined;
  const why = [p.v === 'doubt' ? p.why : undefined, n.v === 'doubt' ? n.why : undefined].filter((x) => x).join('; ');
  return why ? { why } : undefined;
}

/** Why a peer list's unresolved peers (Peer `unresolved`) may hold endpoints of that sort, or undefined. */
function unresolvedDoubt(list: readonly Peer[], may: 'addresses' | 'nodes'): string | undefined {
  const what = list.flatMap((p) => (p.kind === 'entity' && p.entity === 'other' && (p.unresolved?.may === may || (may === 'addresses' && p.unresolved?.may === 'some-addresses')) ? [p.unresolved.what] : []));
  return what.length ? `${[...new Set(what)].join('; ')}: not resolved by the model, and may hold this ${may === 'addresses' ? 'address' : 'node (a host-network pod has its node\'s identity)'}` : undefined;
}

/**
 * Why a rule that does not match an address or node for certain may match it all the same:
 * a DNS name the address may be one of (Cilium toFQDNs: the DNS proxy allows the addresses of
 * the lookups it saw, pkg.go.dev/github.com/cilium/cilium/pkg/fqdn; ANP domainNames, NPEP-133:
 * "the IPs ... resolved by the DNS name"), or a peer the model cannot resolve. Undefined when the
 * rule matches it for certain, cannot match it, or does not apply to the subject.
 */
/** The wording of a doubt that the address may be a node's (outsideMatchDoubt), for people: `reach` reads DoubtReason 'node', never this text. */
export const ADDRESS_MAY_BE_NODE = "the address may be a node's";

function outsideMatchDoubt(ctx: MatchContext, rule: Rule, policyNs: string | undefined, ep: Endpoint & { kind: 'ip' | 'node' }, subject?: Endpoint): PeerDoubt | undefined {
  if (rule.peers === 'any') return undefined;
  const names = ep.kind === 'ip' ? [...new Set(rule.peers.flatMap((p) => (p.kind === 'fqdn' ? p.patterns : [])))] : [];
  // An address no pod or Service holds may be a node's (ANP `nodes`, AdminNetworkPolicyEgressPeer.Nodes):
  // where the Nodes holding it are known (AddressNodes), peerMatches settles it; otherwise which Node it is stays unknown.
  const nodesUnknown = ep.kind === 'ip' && !(ep.nodes && 'nodes' in ep.nodes);
  const nodes = nodesUnknown ? rule.peers.flatMap((p) => (p.kind === 'nodes' ? [p.where ?? `nodes ${p.selector.key}`] : [])) : [];
  const nodesWhy = ep.kind === 'ip' && ep.nodes && 'why' in ep.nodes ? ep.nodes.why : 'which Nodes hold it is not known';
  const why = [
    ...(names.length ? [`the address may be one that ${names.join(', ')} resolves to (a DNS name is allowed by the addresses its lookups return, which the model does not know)`] : []),
    ...(nodes.length ? [`${ADDRESS_MAY_BE_NODE}, which ${nodes.join(', ')} ${nodes.length === 1 ? 'selects' : 'select'} (${nodesWhy})`] : []),
    ...[unresolvedDoubt(rule.peers, ep.kind === 'ip' ? 'addresses' : 'nodes')].filter((x): x is string => x !== undefined),
  ];
  if (!why.length) return undefined;
  if (rule.subject && !(subject?.kind === 'class' && podSetMatches(ctx, rule.subject, policyNs, subject.cls))) return undefined;
  if (rule.peers.some((p) => peerMatches(ctx, p, policyNs, ep))) return undefined;
  if (rule.notPeers?.some((p) => peerMatches(ctx, p, policyNs, ep))) return undefined;
  return { why: why.join('; '), ...(nodes.length ? { node: true as const } : {}) };
}

/**
 * A rule's named ports toward an address that may be a pod's (MatchContext.podAddressesUnknown):
 * a named port resolves on the destination pod's container ports ("a numerical or named port on
 * a pod", NetworkPolicyPort.port, kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/;
 * the e2e "should allow egress access on one named port" reaches a server pod by the name alone),
 * so a pod there declaring the name would match on whatever port it gives it. The connections
 * (every port of the name's protocol, or of every protocol when none is named) and the names;
 * undefined when the rule names none or the address is not in that doubt.
 */
function namedPortDoubt(ctx: MatchContext, rule: Rule, dst: Endpoint): { conns: ConnSet; names: string[] } | undefined {
  if (!ctx.podAddressesUnknown || dst.kind !== 'ip' || rule.ports === 'any') return undefined;
  const named = rule.ports.filter((p) => p.kind === 'named');
  if (!named.length) return undefined;
  const conns = connsOf(named.flatMap((p): PortInterval[] => (p.protocol ? [[p.protocol, 1, 65535]] : [['TCP', 1, 65535], ['UDP', 1, 65535], ['SCTP', 1, 65535]])));
  return { conns, names: [...new Set(named.map((p) => (p.protocol ? `${p.protocol} ${p.name}` : p.name)))] };
}

function specConns(specs: PortSpec[], dst: Endpoint): ConnSet {
  const out: PortInterval[] = [];
  for (const p of specs) {
    if (p.kind === 'all') out.push([p.protocol, 1, 65535]);
    else if (p.kind === 'range') out.push([p.protocol, p.lo, p.hi]);
    else if (dst.kind === 'class') {
      for (const np of dst.cls.namedPorts) if (np.name === p.name && (p.protocol === undefined || np.protocol === p.protocol)) out.push([np.protocol, np.port, np.port]);
    }
  }
  return connsOf(out);
}

const fixedPortConns = new WeakMap<Rule, ConnSet>();
const ALL = allConns();

/** Connections a rule's ports cover toward `dst` (named ports resolve on the destination pod). */
export function rulePortConns(rule: Rule, dst: Endpoint): ConnSet {
  const named = (rule.ports !== 'any' && rule.ports.some((p) => p.kind === 'named')) || rule.notPorts?.some((p) => p.kind === 'named');
  if (!named) {
    const hit = fixedPortConns.get(rule);
    if (hit) return hit;
  }
  let c = rule.ports === 'any' ? ALL : specConns(rule.ports, dst);
  if (rule.notPorts?.length) c = subtractConns(c, specConns(rule.notPorts, dst));
  if (!named) fixedPortConns.set(rule, c);
  return c;
}

// ---------------------------------------------------------------- evaluation

export const NOT_GOVERNED_INGRESS = 'the destination is outside the cluster: its ingress is not governed by cluster policy';
export const NOT_GOVERNED_EGRESS = 'the source is outside the cluster: its egress is not governed by cluster policy';

function ungoverned(reason: string): DirectionVerdict {
  return { isolated: false, conns: allConns(), decisions: [{ allowed: true, conns: allConns(), cause: { kind: 'not-governed', reason } }], decidedBy: [], policies: [] };
}

/** A rule whose match against the peer is in doubt, and the connections it could have decided otherwise. */
interface RuleDoubt {
  conns: ConnSet;
  p: LayerPolicy;
  rule: Rule;
  why: string;
  reasons: readonly DoubtReason[];
  /** A Deny rule counted as not matching could only have denied more, so it leaves a denial in no doubt. */
  onlyDenies: boolean;
  /** An Allow rule counted as not matching could only have allowed more, so it leaves an allowance in no doubt. */
  onlyAllows: boolean;
}

const SIDE = { Allow: 'allow', Deny: 'deny', Pass: 'pass' } as const;

/** The doubts with one of each text, in order (two doubts of one text say the same). */
export function uniqueDoubts(list: readonly Doubt[]): Doubt[] {
  const seen = new Set<string>();
  return list.filter((d) => !seen.has(d.text) && !!seen.add(d.text));
}

/**
 * The verdict of one direction: `subject` is the pod whose policies apply (the destination
 * for ingress, the source for egress), `peer` the other side, `dst` the receiving endpoint
 * (named ports resolve on it). `plan` is the subject's stage plan for the direction.
 */
/**
 * `trackDoubts`: also say, per decision, why it might have gone otherwise (`Decision.uncertain`).
 * Only `reach` for one flow reads it; the matrix and the checks need the connections only, and
 * skip the work (it ran for every pair).
 */
export function evaluatePlan(ctx: MatchContext, plan: readonly StagePlan[], dir: Direction, peer: Endpoint, dst: Endpoint, isolated: boolean, subject: Endpoint | undefined = dir === 'ingress' ? dst : undefined, trackDoubts = false): DirectionVerdict {
  const decisions: Decision[] = [];
  const decidedBy: Array<RuleRef & { conns: ConnSet }> = [];
  const policies: string[] = [];
  // Merged once at the end: a union per allowing rule made thousands of rules quadratic.
  const allowed: ConnSet[] = [];
  let remaining: ConnSet = ALL;
  // What each Pass rule handed on: named if nothing later decides it.
  const passes: Array<{ conns: ConnSet; rule: RuleRef }> = [];
  // Connections an uncertain rule match (a pod address against a CIDR) might have decided:
  // every later decision touching them carries the doubt.
  // The texts are built only for a decision that carries them.
  const doubts: RuleDoubt[] = [];
  // A policy that may select the subject or not (its subject's labels are not known) could decide
  // any of its connections either way: every decision carries that doubt.
  const subjectWhy: Doubt[] = trackDoubts && subject?.kind === 'class'
    ? (ctx.subjectDoubts?.get(subject.cls) ?? []).filter((d) => d.policy.isolates[dir] || (d.policy[dir]?.length ?? 0) > 0).map((d) => ({ text: `whether ${policyLabel(d.policy)} applies to it is not known (${d.why})`, side: 'policy', reasons: SUBJECT }))
    : [];
  // `stage`: doubts of the union stage being decided, beside those of earlier stages.
  const doubtOf = (conns: ConnSet, allowed: boolean, stage: readonly RuleDoubt[] = []): { uncertain?: Doubt[]; uncertainConns?: ConnSet } => {
    if (!doubts.length && !stage.length && !subjectWhy.length) return {};
    const hit = [...doubts, ...stage].filter((d) => (allowed ? !d.onlyAllows : !d.onlyDenies) && !isEmptyConns(intersectConns(d.conns, conns)));
    const why = [...subjectWhy, ...hit.map((d): Doubt => ({ text: `${describeRule(ruleRef(d.p, d.rule))}: ${d.why}`, side: SIDE[d.rule.action as 'Allow' | 'Deny' | 'Pass'], reasons: d.reasons }))];
    if (!why.length) return {};
    // A doubted subject puts every connection in doubt; a doubted rule match only those of its ports.
    return { uncertain: uniqueDoubts(why), ...(subjectWhy.length ? {} : { uncertainConns: intersectConns(conns, unionAllConns(hit.map((d) => d.conns))) }) };
  };
  const doubtFor = (p: LayerPolicy, rule: Rule, open: ConnSet): RuleDoubt | undefined => {
    if (!trackDoubts) return undefined;
    const doubt = ruleDoubt(ctx, rule, p.namespace, peer, subject);
    const named = dir === 'egress' ? namedPortDoubt(ctx, rule, dst) : undefined;
    if (!doubt && !named) return undefined;
    const counted = ruleMatchesPeer(ctx, rule, p.namespace, peer, subject);
    // The named ports count as matching nothing at an address (specConns): what they may match
    // there is in doubt wherever the rule's peers hold it, for certain or in doubt.
    const namedConns = named && (counted || doubt) ? subtractConns(intersectConns(open, named.conns), rulePortConns(rule, dst)) : emptyConns();
    const c = unionConns(doubt ? intersectConns(open, rulePortConns(rule, dst)) : emptyConns(), namedConns);
    if (isEmptyConns(c)) return undefined;
    const namedWhy = isEmptyConns(namedConns) ? undefined : `its named port${named!.names.length > 1 ? 's' : ''} ${named!.names.join(', ')} ${named!.names.length > 1 ? 'resolve' : 'resolves'} on the destination pod, and the address may be a pod's that declares ${named!.names.length > 1 ? 'them' : 'it'}`;
    // A named port counted as matching nothing could only have decided more, as a peer counted as not matching.
    const only = !counted || (!doubt && namedWhy !== undefined);
    return { conns: c, p, rule, why: [doubt?.why, namedWhy].filter((x) => x).join('; '), reasons: doubt?.reasons ?? MATCH, onlyDenies: rule.action === 'Deny' && only, onlyAllows: rule.action === 'Allow' && only };
  };
  const doubt = (p: LayerPolicy, rule: Rule, open: ConnSet) => {
    const d = doubtFor(p, rule, open);
    if (d) doubts.push(d);
  };
  const allow = (conns: ConnSet, cause: DecisionCause, stage?: readonly RuleDoubt[]) => {
    decisions.push({ allowed: true, conns, cause, ...doubtOf(conns, true, stage) });
    allowed.push(conns);
    if (cause.kind === 'rule') decidedBy.push({ ...cause.rule, conns });
  };
  const deny = (conns: ConnSet, cause: DecisionCause, stage?: readonly RuleDoubt[]) => decisions.push({ allowed: false, conns, cause, ...doubtOf(conns, false, stage) });

  for (const { stage, policies: ps } of plan) {
    for (const p of ps) policies.push(p.id);
    if (isEmptyConns(remaining)) continue;
    if (stage.mode === 'first-match') {
      let open = remaining;
      let passed = emptyConns();
      for (const p of ps) {
        for (const rule of p[dir] ?? []) {
          if (isEmptyConns(open)) break;
          if (rule.action === 'Log') continue;
          doubt(p, rule, open);
          if (!ruleMatchesPeer(ctx, rule, p.namespace, peer, subject)) continue;
          const c = intersectConns(open, rulePortConns(rule, dst));
          if (isEmptyConns(c)) continue;
          open = subtractConns(open, c);
          const cause: DecisionCause = { kind: 'rule', rule: ruleRef(p, rule) };
          if (rule.action === 'Allow') allow(c, cause);
          else if (rule.action === 'Deny') deny(c, cause);
          else {
            passed = unionConns(passed, c);
            passes.push({ conns: c, rule: cause.rule });
          }
        }
      }
      if (stage.noMatch === 'deny' && !isEmptyConns(open)) {
        deny(open, { kind: 'end-of-stage', stage: stage.label, policies: ps.map(policyLabel) });
        remaining = passed;
      } else {
        remaining = unionConns(passed, open);
      }
    } else {
      // Every matching rule counts and Deny beats Allow ("Deny policies take precedence over allow
      // policies", docs.cilium.io/en/stable/security/policy/deny/): a rule whose match is in doubt
      // cannot undo what a Deny rule certainly denies, nor what an Allow rule certainly allows where
      // no Deny may match. So the stage's own doubts bear only on what nothing certain settles.
      const allowedHere: ConnSet[] = [];
      let deniedHere = emptyConns();
      const allowRules: Array<{ ref: RuleRef; conns: ConnSet }> = [];
      const denyRules: Array<{ ref: RuleRef; conns: ConnSet; certain: boolean }> = [];
      const allowDoubts: RuleDoubt[] = [];
      const denyDoubts: RuleDoubt[] = [];
      // What rules certainly match, per action, and what rules match only on one side of a host-network
      // pod's node (placedSides). Only reach for one flow pays for these (a union per rule made
      // thousands of rules quadratic, and the matrix evaluates every pair).
      const sure = trackDoubts ? { Allow: emptyConns(), Deny: emptyConns() } : undefined;
      const placed = trackDoubts ? { Allow: { same: emptyConns(), other: emptyConns() }, Deny: { same: emptyConns(), other: emptyConns() } } : undefined;
      let isolating: string[] = [];
      for (const p of ps) {
        if (p.isolates[dir]) isolating.push(policyLabel(p));
        for (const rule of p[dir] ?? []) {
          if (rule.action !== 'Allow' && rule.action !== 'Deny') continue;
          const d = doubtFor(p, rule, remaining);
          if (d) (rule.action === 'Deny' ? denyDoubts : allowDoubts).push(d);
          if (!ruleMatchesPeer(ctx, rule, p.namespace, peer, subject)) continue;
          const c = intersectConns(remaining, rulePortConns(rule, dst));
          if (isEmptyConns(c)) continue;
          if (sure && !d) sure[rule.action] = unionConns(sure[rule.action], c);
          else if (placed && d) for (const side of placedSides(ctx, rule, p.namespace, peer, subject) ?? []) placed[rule.action][side] = unionConns(placed[rule.action][side], c);
          if (rule.action === 'Deny') denyRules.push({ ref: ruleRef(p, rule), conns: c, certain: !d });
          else {
            allowedHere.push(c);
            allowRules.push({ ref: ruleRef(p, rule), conns: c });
          }
        }
      }
      const sureDenied = sure && placed ? unionConns(sure.Deny, intersectConns(placed.Deny.same, placed.Deny.other)) : undefined;
      const sureAllowed = sure && placed ? unionConns(sure.Allow, intersectConns(placed.Allow.same, placed.Allow.other)) : undefined;
      // A certain Deny is credited before one in doubt (stable: without doubts the rule order stays).
      for (const r of trackDoubts ? [...denyRules.filter((r) => r.certain), ...denyRules.filter((r) => !r.certain)] : denyRules) {
        const fresh = subtractConns(r.conns, deniedHere);
        deniedHere = unionConns(deniedHere, r.conns);
        if (isEmptyConns(fresh)) continue;
        const cause: DecisionCause = { kind: 'rule', rule: r.ref };
        if (!sureDenied) {
          deny(fresh, cause);
          continue;
        }
        const settled = intersectConns(fresh, sureDenied);
        if (!isEmptyConns(settled)) deny(settled, cause);
        const open = subtractConns(fresh, sureDenied);
        if (!isEmptyConns(open)) deny(open, cause, denyDoubts);
      }
      // Deny beats Allow: an allowing rule is credited only with what no deny took.
      // An Allow rule's doubt bears only on what no certain Allow gives.
      const forAllows = sureAllowed ? [...denyDoubts, ...allowDoubts.flatMap((d) => {
        const c = subtractConns(d.conns, sureAllowed);
        return isEmptyConns(c) ? [] : [{ ...d, conns: c }];
      })] : undefined;
      for (const a of allowRules) {
        const c = isEmptyConns(deniedHere) ? a.conns : subtractConns(a.conns, deniedHere);
        if (!isEmptyConns(c)) allow(c, { kind: 'rule', rule: a.ref }, forAllows);
      }
      const rest = subtractConns(subtractConns(remaining, unionAllConns(allowedHere)), deniedHere);
      if (isolating.length) {
        if (!isEmptyConns(rest)) deny(rest, { kind: 'isolated', stage: stage.label, policies: isolating }, trackDoubts ? [...denyDoubts, ...allowDoubts] : undefined);
        remaining = emptyConns();
      } else {
        remaining = rest;
      }
      // What the stage passes on carries its doubts to the stages after it.
      if (trackDoubts) doubts.push(...denyDoubts, ...allowDoubts);
      isolating = [];
    }
  }
  if (!isEmptyConns(remaining)) {
    if (ctx.fallback === 'allow') {
      for (const p of passes) {
        const c = intersectConns(p.conns, remaining);
        if (isEmptyConns(c)) continue;
        allow(c, { kind: 'default-allow', passedBy: p.rule, ...(ctx.fallbackAllowReason ? { reason: ctx.fallbackAllowReason } : {}) });
        remaining = subtractConns(remaining, c);
      }
      if (!isEmptyConns(remaining)) allow(remaining, { kind: 'default-allow' });
    }
    else deny(remaining, { kind: 'default-deny', reason: ctx.fallbackReason ?? 'default deny' });
  }
  return { isolated, conns: unionAllConns(allowed), decisions, decidedBy, policies };
}

/** Ingress at `dst` from `src`. */
export function ingressOf(ctx: MatchContext, src: Endpoint, dst: Endpoint, planOf: (cls: PodClass) => readonly StagePlan[], isolatedOf: (cls: PodClass) => boolean): DirectionVerdict {
  if (dst.kind !== 'class') return ungoverned(NOT_GOVERNED_INGRESS);
  return evaluatePlan(ctx, planOf(dst.cls), 'ingress', src, dst, isolatedOf(dst.cls));
}

/** Egress at `src` toward `dst`. */
export function egressOf(ctx: MatchContext, src: Endpoint, dst: Endpoint, planOf: (cls: PodClass) => readonly StagePlan[], isolatedOf: (cls: PodClass) => boolean): DirectionVerdict {
  if (src.kind !== 'class') return ungoverned(NOT_GOVERNED_EGRESS);
  return evaluatePlan(ctx, planOf(src.cls), 'egress', dst, dst, isolatedOf(src.cls), src);
}
