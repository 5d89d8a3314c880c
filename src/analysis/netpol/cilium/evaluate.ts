// Cilium's verdict for one direction of a flow, as its policy repository computes it
// (pkg/policy repository.go computePolicyEnforcementAndRules, rule.go mergeL4Filter,
// utils/parserules.go RulesToPolicyEntries):
//  - the rules selecting the subject in that direction are the clusterwide ones plus those
//    of its namespace; any such rule with default deny (the default) isolates the subject;
//    when only rules with `enableDefaultDeny: false` select it, a wildcard allow is added;
//  - enforcement `always` isolates every endpoint, `never` none;
//  - allows are a union; a deny rule beats every allow;
//  - with allow-localhost (Kubernetes default) an isolated pod still accepts its node's host.

import { allConns, connsOf, emptyConns, isEmptyConns, MAX_PORT, MIN_PORT, subtractConns, unionConns, type ConnSet, type PortInterval, type Protocol } from '../conns.ts';
import { rangeContains, type Family } from '../../../base/ip.ts';
import type { CiliumSettings } from './config.ts';
import { fqdnMatches } from './fqdn.ts';
import { CLUSTER_LABEL, podIdentity, reservedIdentity, SOURCE_K8S, SOURCE_RESERVED, type IdentityLabels, type ReservedEntity } from './labels.ts';
import { makeSelector, type CiliumSelector } from './selector.ts';
import type { CiliumPolicy, CiliumRule, Entity, PeerRule, PeerSelector, ServiceRef } from './types.ts';

export interface NamedPortRef {
  name: string;
  protocol: Protocol;
  port: number;
}

/** One side of a flow as Cilium sees it. */
export type CiliumEndpoint =
  | { kind: 'pod'; namespace: string; labels: Record<string, string>; serviceAccount: string; namedPorts: readonly NamedPortRef[] }
  /** Outside the cluster ("world"): an address, a DNS name a client resolved, or neither (anywhere). */
  | { kind: 'external'; ip?: { family: Family; value: bigint }; dnsName?: string }
  | { kind: 'reserved'; entity: ReservedEntity };

export type Direction = 'ingress' | 'egress';

export interface CiliumRuleRef {
  /** "CiliumNetworkPolicy shop/web". */
  policy: string;
  /** "spec.ingressDeny[0]", "specs[1].egress[2]", or a synthesized rule ("allow-localhost", "enableDefaultDeny: false"). */
  rule: string;
  verdict: 'allow' | 'deny';
  conns: ConnSet;
}

export interface CiliumDirectionVerdict {
  /** Some Cilium rule selects the subject in this direction. */
  selected: boolean;
  /** Only what is allowed passes (default deny on, or enforcement `always`). */
  isolated: boolean;
  /** Policies whose rules put the subject in default deny for this direction. */
  isolatedBy: string[];
  /** Connections the allow rules admit (meaningful when isolated). */
  allowed: ConnSet;
  /** Connections a deny rule drops, whatever allows them. */
  denied: ConnSet;
  allowedBy: CiliumRuleRef[];
  deniedBy: CiliumRuleRef[];
  /** The answer: (isolated ? allowed : everything) minus denied; everything under `never`. */
  conns: ConnSet;
}

interface RuleEntry {
  policy: CiliumPolicy;
  rule: CiliumRule;
}

interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** spec.selector; empty for selector-less Services. */
  selector: Record<string, string>;
}

export interface CiliumModel {
  settings: CiliumSettings;
  /** Every CNP/CCNP of the snapshot, valid or not (refused ones carry errors). */
  policies: CiliumPolicy[];
  namespaceLabels: Map<string, Record<string, string>>;
  services: ServiceInfo[];
  clusterwide: RuleEntry[];
  byNamespace: Map<string, RuleEntry[]>;
}

/**
 * The Cilium-native evaluator's model, from explicit parts. Production answers go through the
 * adapter and the combined model; this evaluator follows Cilium's repository directly and is
 * compared with both Cilium itself and the combined model (test/conformance/cilium-oracle.test.ts).
 */
export function buildCiliumModelFrom(parts: { settings: CiliumSettings; policies: CiliumPolicy[]; namespaceLabels: Map<string, Record<string, string>>; services?: ServiceInfo[] }): CiliumModel {
  const clusterwide: RuleEntry[] = [];
  const byNamespace = new Map<string, RuleEntry[]>();
  for (const policy of parts.policies) {
    if (policy.errors.length) continue;
    for (const rule of policy.rules) {
      if (!rule.subject) continue;
      if (policy.namespace === undefined) clusterwide.push({ policy, rule });
      else {
        let list = byNamespace.get(policy.namespace);
        if (!list) byNamespace.set(policy.namespace, (list = []));
        list.push({ policy, rule });
      }
    }
  }
  return { settings: parts.settings, policies: parts.policies, namespaceLabels: parts.namespaceLabels, services: parts.services ?? [], clusterwide, byNamespace };
}

/** The security identity of an endpoint (cached per pod shape). */
export function identityOf(model: CiliumModel, ep: CiliumEndpoint): IdentityLabels {
  if (ep.kind === 'pod') {
    return podIdentity({ namespace: ep.namespace, labels: ep.labels, namespaceLabels: model.namespaceLabels.get(ep.namespace) ?? { 'kubernetes.io/metadata.name': ep.namespace }, serviceAccount: ep.serviceAccount, clusterName: model.settings.clusterName });
  }
  if (ep.kind === 'reserved') return reservedIdentity(ep.entity);
  return [{ source: SOURCE_RESERVED, key: worldLabel(model.settings, ep.ip?.family), value: '' }];
}

/** pkg/labels getWorldLabel: qualified per family when the other family is enabled too. */
function worldLabel(settings: CiliumSettings, family: Family | undefined): string {
  if (family === 4 && settings.ipv6) return 'world-ipv4';
  if (family === 6 && settings.ipv4) return 'world-ipv6';
  return 'world';
}

const RESERVED_CLUSTER = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];

/** Whether an entity (pkg/policy/api EntitySelectorMapping) selects the identity. */
function entityMatches(model: CiliumModel, entity: Entity, labels: IdentityLabels): boolean {
  const reserved = (name: string) => labels.some((l) => l.source === SOURCE_RESERVED && l.key === name);
  switch (entity) {
    case 'all': return true;
    case 'none': return false;
    case 'world': return reserved('world') || reserved('world-ipv4') || reserved('world-ipv6');
    case 'world-ipv4': return reserved('world-ipv4');
    case 'world-ipv6': return reserved('world-ipv6');
    case 'cluster': return RESERVED_CLUSTER.some(reserved) || labels.some((l) => l.source === SOURCE_K8S && l.key === CLUSTER_LABEL && l.value === model.settings.clusterName);
    case 'cluster-mesh': return RESERVED_CLUSTER.some(reserved) || labels.some((l) => l.key === CLUSTER_LABEL);
    default: return reserved(entity);
  }
}

function peerMatches(model: CiliumModel, sel: PeerSelector, ep: CiliumEndpoint, labels: IdentityLabels): boolean {
  switch (sel.kind) {
    case 'endpoints': return sel.selector.matches(labels);
    case 'entity': return entityMatches(model, sel.entity, labels);
    case 'cidr': {
      if (ep.kind !== 'external') return false;
      const full = sel.block.lo === 0n && sel.block.hi === (sel.block.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n);
      // A /0 is the world label of its family; narrower blocks match addresses by containment.
      if (full) {
        if (worldLabel(model.settings, sel.block.family) !== worldLabel(model.settings, ep.ip?.family)) return false;
        return !ep.ip || sel.ranges.some((r) => rangeContains(r, ep.ip!.family, ep.ip!.value));
      }
      return !!ep.ip && sel.ranges.some((r) => rangeContains(r, ep.ip!.family, ep.ip!.value));
    }
    case 'fqdn': return ep.kind === 'external' && ep.dnsName !== undefined && fqdnMatches(sel.regex, ep.dnsName);
    case 'unsupported': return false;
  }
}

/**
 * toServices resolved against the snapshot's Services (pkg/policy/k8s service.go processRule):
 * the selectors of those with one, and how many without one matched. Cilium gives the latter
 * its backends' addresses (ToCIDRSet) from EndpointSlices that are not collected: the rule is
 * no wildcard, and matches none of them here.
 */
function resolvedServices(model: CiliumModel, refs: ServiceRef[]): { selectors: CiliumSelector[]; selectorless: number } {
  const selectors: CiliumSelector[] = [];
  let selectorless = 0;
  for (const ref of refs) {
    for (const svc of model.services) {
      if (ref.namespace !== undefined && ref.namespace !== svc.namespace) continue;
      if (ref.name !== undefined ? ref.name !== svc.name : !ref.selector?.matches(Object.entries(svc.labels).map(([key, value]) => ({ source: SOURCE_K8S, key, value })))) continue;
      if (ref.name === undefined && !ref.selector) continue;
      const keys = Object.keys(svc.selector);
      if (keys.length === 0) {
        selectorless++;
        continue;
      }
      selectors.push(makeSelector([
        ...keys.map((k) => ({ source: SOURCE_K8S, key: k, op: 'In' as const, values: [svc.selector[k]] })),
        { source: SOURCE_K8S, key: 'io.kubernetes.pod.namespace', op: 'In' as const, values: [svc.namespace] },
      ]));
    }
  }
  return { selectors, selectorless };
}

/** Connections one rule's ports cover toward the destination (named ports resolve on it). */
function portConns(rule: PeerRule, dstPorts: readonly NamedPortRef[]): ConnSet {
  const out: PortInterval[] = [];
  for (const pr of rule.portRules) {
    for (const p of pr.ports) {
      for (const proto of p.protocols) {
        if (p.kind === 'all') out.push([proto, MIN_PORT, MAX_PORT]);
        else if (p.kind === 'range') out.push([proto, p.lo, p.hi]);
        else for (const np of dstPorts) if (np.protocol === proto && np.name.toLowerCase() === p.name) out.push([proto, np.port, np.port]);
      }
    }
  }
  return connsOf(out);
}

/** What one peer rule admits (or drops) for this peer, or undefined when it does not apply. */
function ruleConns(model: CiliumModel, rule: PeerRule, peer: CiliumEndpoint, peerLabels: IdentityLabels, dstPorts: readonly NamedPortRef[]): ConnSet | undefined {
  if (rule.peers === 'nothing') return undefined;
  const selectors = rule.peers;
  const { selectors: services, selectorless } = rule.services.length ? resolvedServices(model, rule.services) : { selectors: [], selectorless: 0 };
  // No peer selector at all: the wildcard, but only for rules with ports (mergeL4Filter).
  const wildcard = selectors.length === 0 && services.length === 0 && selectorless === 0;
  if (wildcard && rule.l4Count === 0) return undefined;
  if (!wildcard && !selectors.some((s) => peerMatches(model, s, peer, peerLabels)) && !services.some((s) => s.matches(peerLabels))) return undefined;
  if (rule.l4Count === 0) return allConns();
  const c = portConns(rule, dstPorts);
  return isEmptyConns(c) ? undefined : c;
}

/** The Cilium rules that select a pod (clusterwide ones first). */
export function rulesSelecting(model: CiliumModel, pod: Extract<CiliumEndpoint, { kind: 'pod' }>, labels?: IdentityLabels): Array<{ policy: CiliumPolicy; rule: CiliumRule }> {
  const id = labels ?? identityOf(model, pod);
  const out: RuleEntry[] = [];
  for (const e of model.clusterwide) if (e.rule.subject!.matches(id)) out.push(e);
  for (const e of model.byNamespace.get(pod.namespace) ?? []) if (e.rule.subject!.matches(id)) out.push(e);
  return out;
}

/**
 * Cilium's verdict for one direction: ingress at the destination pod (`subject`) from
 * `peer`, or egress from the source pod (`subject`) to `peer`.
 */
export function ciliumDirection(model: CiliumModel, subject: Extract<CiliumEndpoint, { kind: 'pod' }>, peer: CiliumEndpoint, dir: Direction): CiliumDirectionVerdict {
  const { settings } = model;
  const none: CiliumDirectionVerdict = { selected: false, isolated: false, isolatedBy: [], allowed: allConns(), denied: emptyConns(), allowedBy: [], deniedBy: [], conns: allConns() };
  if (settings.enforcement === 'never' || settings.auditMode) return none;
  const subjectLabels = identityOf(model, subject);
  const peerLabels = identityOf(model, peer);
  const dstPorts = dir === 'ingress' ? subject.namedPorts : peer.kind === 'pod' ? peer.namedPorts : [];
  let selected = false;
  const isolatedBy: string[] = [];
  let allowed = emptyConns();
  let denied = emptyConns();
  const allowedBy: CiliumRuleRef[] = [];
  const deniedBy: CiliumRuleRef[] = [];
  for (const { policy, rule } of rulesSelecting(model, subject, subjectLabels)) {
    const allows = dir === 'ingress' ? rule.ingress : rule.egress;
    const denies = dir === 'ingress' ? rule.ingressDeny : rule.egressDeny;
    if (allows.length === 0 && denies.length === 0) continue;
    selected = true;
    const written = rule.enableDefaultDeny[dir];
    const defaultDeny = settings.nonDefaultDenyPolicies ? written !== false : true;
    if (defaultDeny && !isolatedBy.includes(policy.id)) isolatedBy.push(policy.id);
    const list = dir === 'ingress' ? 'ingress' : 'egress';
    for (const r of allows) {
      const c = ruleConns(model, r, peer, peerLabels, dstPorts);
      if (!c) continue;
      allowed = unionConns(allowed, c);
      allowedBy.push({ policy: policy.id, rule: `${rule.path}.${list}[${r.index}]`, verdict: 'allow', conns: c });
    }
    for (const r of denies) {
      const c = ruleConns(model, r, peer, peerLabels, dstPorts);
      if (!c) continue;
      denied = unionConns(denied, c);
      deniedBy.push({ policy: policy.id, rule: `${rule.path}.${list}Deny[${r.index}]`, verdict: 'deny', conns: c });
    }
  }
  const defaultDenyRules = isolatedBy.length > 0;
  const isolated = defaultDenyRules || settings.enforcement === 'always';
  if (selected && !isolated) {
    // Only `enableDefaultDeny: false` rules: Cilium adds an allow-all rule.
    allowed = allConns();
    allowedBy.push({ policy: '(Cilium)', rule: 'allow-all added because every selecting rule sets enableDefaultDeny: false', verdict: 'allow', conns: allConns() });
  } else if (selected && dir === 'ingress' && settings.allowLocalhost && peer.kind === 'reserved' && peer.entity === 'host') {
    allowed = allConns();
    allowedBy.push({ policy: '(Cilium)', rule: 'allow-localhost: the local host always reaches its pods', verdict: 'allow', conns: allConns() });
  }
  const base = isolated ? allowed : allConns();
  return { selected, isolated, isolatedBy, allowed: isolated ? allowed : allConns(), denied, allowedBy, deniedBy, conns: subtractConns(base, denied) };
}

/** Whether a flow (one protocol and port) passes a direction verdict. */
export function admits(v: CiliumDirectionVerdict, protocol: Protocol, port: number): boolean {
  return v.conns[protocol].some(([a, b]) => port >= a && port <= b);
}

