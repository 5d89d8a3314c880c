// Calico's precedence for one endpoint and one direction: tiers in order; in each tier that has
// a policy applying to the endpoint, policies by order (none last, ties by name) and their rules
// in order; the first matching rule decides — Allow and Deny are final, Pass hands over to the
// next tier, Log goes on; what no rule of an applying tier decides meets the tier's
// defaultAction (Deny, "end-of-tier deny", unless Pass). What passes every tier, or meets no
// tier at all, is allowed by the endpoint's profile (Kubernetes pods: allow). Verdicts are sets
// of connections (protocol × port), so one walk answers every port.

import type { Family } from '../../../base/ip.ts';
import { rangeContains } from '../../../base/ip.ts';
import { podCidrStatus } from '../engine.ts';
import { allConns, connsOf, emptyConns, intersectConns, isEmptyConns, MAX_PORT, MIN_PORT, subtractConns, unionConns, type ConnSet, type PortInterval, type Protocol } from '../conns.ts';
import type { LabelSource } from './selector.ts';
import type { CalicoAction, CalicoEntityRule, CalicoPort, CalicoRule, CalicoTier } from './policy.ts';

export interface CalicoNamedPort {
  name: string;
  protocol: Protocol;
  port: number;
}

/** One side of a flow as Calico sees it. */
export type CalicoEndpoint =
  /** `families`: the IP families the pod has addresses of, when known (its IPPools). */
  | { kind: 'pod'; namespace: string; labels: LabelSource; namedPorts: readonly CalicoNamedPort[]; families?: readonly Family[] }
  | { kind: 'ip'; family: Family; value: bigint };

export interface CalicoEvalContext {
  /**
   * For rules naming a Service (`services`): the connections of `pod` that are endpoints of
   * Service namespace/name, or undefined when the Service does not select the pod.
   */
  serviceConns?(namespace: string, name: string, pod: Extract<CalicoEndpoint, { kind: 'pod' }>): ConnSet | undefined;
}

function inNets(nets: CalicoEntityRule['nets'], ep: CalicoEndpoint): boolean {
  if (!nets) return false;
  // Pod addresses are not part of the model: judged as the engine judges them (podCidrStatus,
  // docs/network-model.md: a pod is taken as IPv4).
  if (ep.kind !== 'ip') return podCidrStatus([{ kind: 'ipBlock', text: '', ranges: [...nets], podAddresses: true }])?.inside === true;
  return nets.some((r) => rangeContains(r, ep.family, ep.value));
}

/** Whether the identity and address fields of an entity rule match an endpoint (ports aside). */
export function entityMatches(e: CalicoEntityRule, ep: CalicoEndpoint, ctx: CalicoEvalContext): boolean {
  if (e.selector) {
    // Selectors match known endpoints only (network sets and host endpoints are not modelled).
    if (ep.kind !== 'pod' || !e.selector.matches(ep.labels)) return false;
  }
  if (e.notSelector && ep.kind === 'pod' && e.notSelector.matches(ep.labels)) return false;
  if (e.nets && !inNets(e.nets, ep)) return false;
  if (e.notNets && inNets(e.notNets, ep)) return false;
  if (e.services) {
    if (ep.kind !== 'pod' || !ctx.serviceConns?.(e.services.namespace, e.services.name, ep)) return false;
  }
  return true;
}

/** Connections on `protocols` matched by a port list; named ports resolve on `owner` (the side the ports belong to). */
function portConns(ports: readonly CalicoPort[], protocols: readonly Protocol[], owner: CalicoEndpoint): ConnSet {
  const out: PortInterval[] = [];
  for (const p of ports) {
    if (p.kind === 'range') {
      const lo = Math.max(p.lo, MIN_PORT);
      const hi = Math.min(p.hi, MAX_PORT);
      if (lo > hi) continue;
      for (const proto of protocols) out.push([proto, lo, hi]);
    } else if (owner.kind === 'pod') {
      for (const np of owner.namedPorts) if (np.name === p.name && protocols.includes(np.protocol)) out.push([np.protocol, np.port, np.port]);
    }
  }
  return connsOf(out);
}

function protocolConns(protocols: readonly Protocol[]): ConnSet {
  const out = emptyConns();
  for (const p of protocols) out[p] = [[MIN_PORT, MAX_PORT]];
  return out;
}

/** Whether the rule's source ports narrow it to some connections: anything but every port 1-65535 with no notPorts. */
export function sourcePortsConstrained(rule: CalicoRule): boolean {
  if (!rule.source.ports?.length && !rule.source.notPorts?.length) return false;
  if (rule.source.notPorts?.some((p) => p.kind === 'named' || p.hi >= MIN_PORT)) return true;
  let next = MIN_PORT;
  for (const p of [...(rule.source.ports ?? [])].sort((a, b) => (a.kind === 'range' ? a.lo : Infinity) - (b.kind === 'range' ? b.lo : Infinity))) {
    if (p.kind === 'range' && p.lo <= next && p.hi >= next) next = p.hi + 1;
  }
  return next <= MAX_PORT;
}

/**
 * Whether a rule with `ipVersion` applies to the flow (Felix renders it only in that family's
 * chains): 'no' when an end has no address of that family, 'yes' when an end has that family
 * alone, 'unknown' otherwise (dual-stack ends, or a pod whose families are not known).
 */
function familyApplies(rule: CalicoRule, src: CalicoEndpoint, dst: CalicoEndpoint): 'yes' | 'no' | 'unknown' {
  const rendered = felixFamilies(rule);
  if (!rendered.length) return 'no';
  if (rendered.length === 2) return 'yes';
  const v = rendered[0];
  const known = [src, dst].map((e) => (e.kind === 'ip' ? [e.family] : e.families)).filter((f): f is readonly Family[] => f !== undefined);
  if (known.some((f) => !f.includes(v))) return 'no';
  if (known.some((f) => f.length === 1)) return 'yes';
  // Left one family by its CIDRs alone: where the pods' families are not known, the CIDRs decide against the pod as they always did.
  return rule.ipVersion === undefined && known.length < 2 ? 'yes' : 'unknown';
}

/**
 * The IP families Felix renders a rule in: it renders every rule once per family and drops it
 * from a family's chains when its ipVersion is the other one, or when one of its nets/notNets
 * lists (source or destination) holds no CIDR of that family (projectcalico/calico
 * felix/rules/policy.go, v3.32.1: FilterRuleToIPVersion returns nil when filterNets reports
 * "filteredAll" for SrcNet, NotSrcNet, DstNet or NotDstNet).
 */
export function felixFamilies(rule: Pick<CalicoRule, 'ipVersion' | 'source' | 'destination'>): Family[] {
  const lists = [rule.source.nets, rule.source.notNets, rule.destination.nets, rule.destination.notNets].filter((l) => !!l?.length);
  return ([4, 6] as const).filter((f) => (rule.ipVersion === undefined || rule.ipVersion === f) && lists.every((l) => l!.some((r) => r.family === f)));
}

/**
 * The connections (destination protocol and port) a rule matches for a flow from `src` to
 * `dst`, or empty. Source-port conditions are not modelled: the caller decides how to count
 * such a rule (see `ruleHits`).
 */
export function ruleConns(rule: CalicoRule, src: CalicoEndpoint, dst: CalicoEndpoint, ctx: CalicoEvalContext = {}): ConnSet {
  if (rule.protocols.length === 0) return emptyConns();
  if (rule.ipVersion !== undefined && ((src.kind === 'ip' && src.family !== rule.ipVersion) || (dst.kind === 'ip' && dst.family !== rule.ipVersion))) return emptyConns();
  if (!entityMatches(rule.source, src, ctx) || !entityMatches(rule.destination, dst, ctx)) return emptyConns();
  let conns = rule.destination.ports ? portConns(rule.destination.ports, rule.protocols, dst) : protocolConns(rule.protocols);
  if (rule.destination.notPorts) conns = subtractConns(conns, portConns(rule.destination.notPorts, rule.protocols, dst));
  if (rule.destination.services && dst.kind === 'pod') {
    const svc = ctx.serviceConns?.(rule.destination.services.namespace, rule.destination.services.name, dst);
    conns = svc ? intersectConns(conns, svc) : emptyConns();
  }
  return conns;
}

/** One rule's effect on a flow: what it matched and with which action. */
export interface RuleHit {
  rule: number;
  action: CalicoAction;
  conns: ConnSet;
}

/**
 * The rules of one direction that match the flow, in order. A rule that matches only some of the
 * flow's connections (source ports other than all of them; an ipVersion where the flow's family is
 * not settled) is counted as an Allow (reachability is over-, never under-stated) and left out as
 * a Deny or Pass.
 */
export function ruleHits(rules: readonly CalicoRule[], src: CalicoEndpoint, dst: CalicoEndpoint, ctx: CalicoEvalContext = {}): RuleHit[] {
  const out: RuleHit[] = [];
  for (const r of rules) {
    if (r.ignoredByFelix) continue;
    const family = familyApplies(r, src, dst);
    if (family === 'no') continue;
    if ((sourcePortsConstrained(r) || family === 'unknown') && (r.action === 'Deny' || r.action === 'Pass')) continue;
    const conns = ruleConns(r, src, dst, ctx);
    if (!isEmptyConns(conns)) out.push({ rule: r.index, action: r.action, conns });
  }
  return out;
}

/** A policy in a tier, as the walk sees it (Calico policies, and Kubernetes NetworkPolicies in the default tier). */
export interface TierEntry<P = unknown> {
  policy: P;
  /** Undefined: after every ordered policy of the tier. */
  order?: number;
  /** Tie-break among equal orders (Felix: name/namespace/kind). */
  sortKey: string;
  /** Matching rules for this flow in rule order (the entry already applies to the endpoint in this direction). */
  hits(): RuleHit[];
}

export type Decision<P = unknown> =
  | { kind: 'rule'; tier: string; policy: P; rule: number; action: 'Allow' | 'Deny' | 'Pass'; conns: ConnSet }
  | { kind: 'end-of-tier'; tier: string; action: 'Deny' | 'Pass'; conns: ConnSet }
  | { kind: 'profile'; conns: ConnSet };

export interface TieredVerdict<P = unknown> {
  /** Some tier has a policy applying to the endpoint in this direction. */
  governed: boolean;
  allowed: ConnSet;
  denied: ConnSet;
  /** What decided each part of the connections, in evaluation order (Log rules are not listed). */
  decisions: Decision<P>[];
}

/**
 * Walks the tiers for one endpoint, one direction and one peer. `tiers` are in Felix's order
 * (see sortTiers) with, for each, the entries that apply to the endpoint in this direction,
 * in policy order; tiers without entries are skipped (no end-of-tier action).
 */
export function walkTiers<P>(tiers: ReadonlyArray<{ tier: CalicoTier; entries: ReadonlyArray<TierEntry<P>> }>, scope: ConnSet = allConns()): TieredVerdict<P> {
  let undecided = scope;
  let allowed = emptyConns();
  let denied = emptyConns();
  let governed = false;
  const decisions: Decision<P>[] = [];
  for (const { tier, entries } of tiers) {
    if (entries.length === 0) continue;
    governed = true;
    if (isEmptyConns(undecided)) break;
    let open = undecided;
    let passed = emptyConns();
    for (const e of entries) {
      for (const h of e.hits()) {
        if (h.action === 'Log') continue;
        const c = intersectConns(h.conns, open);
        if (isEmptyConns(c)) continue;
        open = subtractConns(open, c);
        if (h.action === 'Allow') allowed = unionConns(allowed, c);
        else if (h.action === 'Deny') denied = unionConns(denied, c);
        else passed = unionConns(passed, c);
        decisions.push({ kind: 'rule', tier: tier.name, policy: e.policy, rule: h.rule, action: h.action, conns: c });
        if (isEmptyConns(open)) break;
      }
      if (isEmptyConns(open)) break;
    }
    if (!isEmptyConns(open)) {
      decisions.push({ kind: 'end-of-tier', tier: tier.name, action: tier.defaultAction, conns: open });
      if (tier.defaultAction === 'Deny') denied = unionConns(denied, open);
      else passed = unionConns(passed, open);
    }
    undecided = passed;
  }
  if (!isEmptyConns(undecided)) {
    allowed = unionConns(allowed, undecided);
    decisions.push({ kind: 'profile', conns: undecided });
  }
  return { governed, allowed, denied, decisions };
}

