// Calico in the network model: projectcalico.org/v3 (and crd.projectcalico.org/v1) policies and
// tiers translated into the API-neutral layers (../layers.ts). Each policy keeps its tier and
// order; the composition runs the tiers first-match with their defaultAction. Selectors are
// Calico expressions over the labels Calico gives a pod (./labels.ts), so subjects and peers
// carry them as class predicates; the forms every pod or every pod of one namespace satisfy
// are written as plain namespace scopes, so the model's "anonymous pod" (isolation) sees them.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import type { Protocol } from '../conns.ts';
import type { ClassFacts, ClassPredicate, CoverageNote, Labels, LayerPolicy, Peer, PodSet, PolicyApiAdapter, PortSpec, Rule, TierSpec } from '../layers.ts';
import { matchAllSelector, parseSelector, type Selector } from '../selector.ts';
import { intersectRanges, type IpRange } from '../../../base/ip.ts';
import { podCidrStatus, type PodPools } from '../engine.ts';
import { unionPoolsFor } from './ip-pools.ts';
import { calicoPodLabels } from './labels.ts';
import { collectNetworkSets, type NetworkSetIndex } from './network-sets.ts';
import { felixFamilies } from './evaluate.ts';
import { felixDropAction } from './felix.ts';
import { collectCalicoPolicies, LABEL_NAME, LABEL_NAMESPACE, LABEL_SERVICE_ACCOUNT, NAMESPACE_LABEL_PREFIX, SERVICE_ACCOUNT_LABEL_PREFIX, type CalicoEntityRule, type CalicoPolicy, type CalicoPort, type CalicoRule } from './policy.ts';
import { matchesWithUnknown, parseCalicoSelector, selectorLabels, type CalicoSelector, type CalicoSelectorNode } from './selector.ts';

// Not the Tier kinds (calico.tiers, calico-v3.tiers, read by collectCalicoPolicies): unread, they
// leave in doubt only the policies naming a custom tier (unplacedLayerPolicy), not every verdict
// as an unread policy kind does (model.ts unreadPolicyKinds).
export const CALICO_KINDS = [
  'calico.networkpolicies', 'calico.globalnetworkpolicies', 'calico.globalnetworksets', 'calico.networksets',
  'calico-v3.networkpolicies', 'calico-v3.globalnetworkpolicies', 'calico-v3.globalnetworksets', 'calico-v3.networksets',
] as const;

const EVERY_NAMESPACE = { kind: 'selector', selector: matchAllSelector } as const;
const SERVICE_ACCOUNT_NAME_LABEL = SERVICE_ACCOUNT_LABEL_PREFIX + LABEL_NAME;

/** Calico labels of a class, computed once per class (classes are stable objects of one model). */
const labelCache = new WeakMap<object, Map<string, string>>();
function calicoLabelsOf(cls: ClassFacts, namespaceLabels: Labels): Map<string, string> {
  let l = labelCache.get(cls);
  if (!l) {
    l = calicoPodLabels({ namespace: cls.namespace, podLabels: cls.labels, namespaceLabels, serviceAccount: cls.serviceAccount, serviceAccountLabels: cls.serviceAccountLabels });
    labelCache.set(cls, l);
  }
  return l;
}

function selectorPredicate(sel: CalicoSelector): ClassPredicate {
  const matches = (cls: ClassFacts, nsLabels: Labels) => sel.matches(calicoLabelsOf(cls, nsLabels));
  // pcns.* labels other than the name come from the Namespace object: for a namespace no manifest
  // declares only its name is known, so whether the selector holds its pods may turn on them
  // (engine.ts undeclaredNamespacePeer, undeclared-namespaces.ts), as a Kubernetes namespaceSelector does.
  const nsKeys = [...selectorLabels(sel.root)].filter(isNamespaceLabel);
  const namespaceLabels = nsKeys.length ? {
    namespaceLabels: {
      keys: nsKeys.map((k) => k.slice(NAMESPACE_LABEL_PREFIX.length)),
      // "The rest holds the pod": here, whether the answer turns on those labels at all.
      without: { key: `calico-ns-open(${sel.text})`, matches: (cls: ClassFacts, nsLabels: Labels) => matchesWithUnknown(sel.root, calicoLabelsOf(cls, nsLabels), isNamespaceLabel) === undefined },
    },
  } : {};
  if (!readsServiceAccountLabels(sel)) return { key: `calico(${sel.text})`, matches, ...namespaceLabels };
  return {
    key: `calico(${sel.text})`,
    matches,
    ...namespaceLabels,
    // pcsa.* labels come from the pod's ServiceAccount (./labels.ts); when that object was not
    // read, they may hold anything: the verdict is the selector's under every such labelling.
    doubt: (cls, nsLabels) => {
      if (!cls.serviceAccountLabelsUnknown || matchesWithUnknown(sel.root, calicoLabelsOf(cls, nsLabels), isServiceAccountLabel) !== undefined) return undefined;
      const why = cls.serviceAccountLabelsUnknown === 'unread' ? 'ServiceAccounts could not be read' : 'no manifest declares it (add the ServiceAccount manifest with its labels)';
      return `whether ServiceAccount ${cls.namespace}/${cls.serviceAccount} is selected by ${sel.text} is not known: Calico matches its labels as pcsa.*, and ${why}; counted as ${matches(cls, nsLabels) ? 'selected' : 'not selected'}`;
    },
  };
}

/** A pcns.* label Calico copies from the Namespace's own labels: all but its name (pcns.projectcalico.org/name, pcns.kubernetes.io/metadata.name). */
function isNamespaceLabel(label: string): boolean {
  return label.startsWith(NAMESPACE_LABEL_PREFIX) && label !== NAMESPACE_LABEL_PREFIX + LABEL_NAME && label !== `${NAMESPACE_LABEL_PREFIX}kubernetes.io/metadata.name`;
}

/** A pcsa.* label Calico copies from the ServiceAccount's own labels (its name, pcsa.projectcalico.org/name, is known). */
function isServiceAccountLabel(label: string): boolean {
  return label.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX) && label !== SERVICE_ACCOUNT_NAME_LABEL;
}

/** Whether a selector reads labels of a ServiceAccount object (serviceAccountSelector, serviceAccounts.selector). */
export function readsServiceAccountLabels(sel: CalicoSelector): boolean {
  return [...selectorLabels(sel.root)].some(isServiceAccountLabel);
}

function andPredicates(ps: ClassPredicate[]): ClassPredicate | undefined {
  if (ps.length <= 1) return ps[0];
  const key = ps.map((p) => p.key).join(' && ');
  const matches = (cls: ClassFacts, ns: Labels) => ps.every((p) => p.matches(cls, ns));
  // Turns on namespace labels when a part does and every other part holds, or may.
  const nsParts = ps.filter((p) => p.namespaceLabels);
  const namespaceLabels = nsParts.length ? {
    namespaceLabels: {
      keys: [...new Set(nsParts.flatMap((p) => p.namespaceLabels!.keys))],
      without: {
        key: `calico-ns-open(${key})`,
        matches: (cls: ClassFacts, ns: Labels) => nsParts.some((p) => p.namespaceLabels!.without.matches(cls, ns))
          && ps.every((p) => p.matches(cls, ns) || !!p.namespaceLabels?.without.matches(cls, ns)),
      },
    },
  } : {};
  if (!ps.some((p) => p.doubt)) return { key, matches, ...namespaceLabels };
  // In doubt when a part is and no known part is false.
  const doubt = (cls: ClassFacts, ns: Labels): string | undefined => {
    let why: string | undefined;
    for (const p of ps) {
      const d = p.doubt?.(cls, ns);
      if (d) why ??= d;
      else if (!p.matches(cls, ns)) return undefined;
    }
    return why;
  };
  return { key, matches, doubt, ...namespaceLabels };
}

/** `projectcalico.org/namespace == "x"`: the namespace name, when the selector is exactly that. */
function namespaceEquality(n: CalicoSelectorNode): string | undefined {
  return n.op === 'eq' && n.label === LABEL_NAMESPACE ? n.value : undefined;
}

/**
 * A pod set for an effective Calico selector; plain scopes where the selector is one.
 * Host-network pods are not Calico workload endpoints (libcalico-go conversion
 * IsValidCalicoWorkloadEndpoint): no selector matches them (the model's anonymous pod, a
 * regular pod, still falls in a set of every pod).
 */
function podSetFor(sel: CalicoSelector | undefined, extra: ClassPredicate[] = []): PodSet {
  const where = (ps: ClassPredicate[]) => (ps.length ? { where: andPredicates(ps) } : {});
  if (!sel || sel.root.op === 'all' || (sel.root.op === 'has' && sel.root.label === LABEL_NAMESPACE)) {
    return { namespaces: EVERY_NAMESPACE, ...where(extra), excludeHostNetwork: true };
  }
  const only = namespaceEquality(sel.root);
  if (only !== undefined) return { namespaces: { kind: 'names', names: [only] }, ...where(extra), excludeHostNetwork: true };
  // "(projectcalico.org/namespace == 'ns') && (...)" (a namespaced policy's rule): scope + predicate.
  if (sel.root.op === 'and' && sel.root.operands.length === 2) {
    const ns = namespaceEquality(sel.root.operands[0]) ?? namespaceEquality(sel.root.operands[1]);
    if (ns !== undefined) return { namespaces: { kind: 'names', names: [ns] }, ...where([selectorPredicate(sel), ...extra]), excludeHostNetwork: true };
  }
  return { namespaces: EVERY_NAMESPACE, ...where([selectorPredicate(sel), ...extra]), excludeHostNetwork: true };
}

/** A Service a rule may name; `selector` undefined for one without a selector, whose endpoints only its EndpointSlices hold. */
interface ServiceInfo { selector?: Selector; ports: PortSpec[] }

/** Services by "namespace/name" (read only when a rule names one). */
type Services = { get(key: string): ServiceInfo | undefined };

function servicesOf(snapshot: Snapshot): Map<string, ServiceInfo> {
  const out = new Map<string, ServiceInfo>();
  for (const svc of snapshot.resources.services ?? []) {
    const ns = svc.metadata?.namespace;
    const name = svc.metadata?.name;
    const sel = svc.spec?.selector;
    if (typeof ns !== 'string' || typeof name !== 'string') continue;
    const selectorless = !sel || typeof sel !== 'object' || Object.keys(sel).length === 0;
    const parsed = selectorless ? undefined : parseSelector({ matchLabels: sel }, `Service ${ns}/${name}`).selector;
    if (!selectorless && !parsed) continue;
    const ports: PortSpec[] = [];
    for (const p of Array.isArray(svc.spec?.ports) ? svc.spec.ports : []) {
      const protocol = (p?.protocol ?? 'TCP') as Protocol;
      if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') continue;
      const target = p?.targetPort ?? p?.port;
      if (typeof target === 'number') ports.push({ protocol, kind: 'range', lo: target, hi: target });
      else if (typeof target === 'string' && /^\d+$/.test(target)) ports.push({ protocol, kind: 'range', lo: Number(target), hi: Number(target) });
      else if (typeof target === 'string') ports.push({ protocol, kind: 'named', name: target });
    }
    out.set(`${ns}/${name}`, { ...(parsed ? { selector: parsed } : {}), ports });
  }
  return out;
}

function servicePredicate(svcs: Services, ref: { namespace: string; name: string }): ClassPredicate {
  const info = svcs.get(`${ref.namespace}/${ref.name}`);
  return {
    key: `service(${ref.namespace}/${ref.name})`,
    matches: (cls) => !!info?.selector && cls.namespace === ref.namespace && info.selector.matches(cls.labels),
  };
}

/**
 * Calico matches a `services` rule on the Service's endpoints, read from its EndpointSlices
 * (docs.tigera.io/calico/latest/network-policy/policy-rules/service-policy). For a Service with
 * a selector those are its pods; for one without (the API server's `kubernetes`, external
 * backends) only the EndpointSlices know them, and they are not collected: the rule is
 * evaluated as matching no endpoint, and every answer the policy takes part in says so.
 */
function unresolvedService(svcs: Services, ref: { namespace: string; name: string }): string | undefined {
  const info = svcs.get(`${ref.namespace}/${ref.name}`);
  return info && !info.selector ? `Service ${ref.namespace}/${ref.name} has no selector: Calico matches the endpoints in its EndpointSlices, which are not collected, so the rule is counted as matching none of them and verdicts it could decide are uncertain` : undefined;
}

function portSpecs(ports: readonly CalicoPort[], protocols: readonly Protocol[]): PortSpec[] {
  const out: PortSpec[] = [];
  for (const p of ports) {
    for (const protocol of protocols) {
      if (p.kind === 'named') out.push({ protocol, kind: 'named', name: p.name });
      else {
        const lo = Math.max(1, p.lo);
        if (lo <= p.hi) out.push({ protocol, kind: 'range', lo, hi: p.hi });
      }
    }
  }
  return out;
}

function rangesOf(nets: readonly IpRange[] | undefined, ipVersion: 4 | 6 | undefined): IpRange[] {
  return (nets ?? []).filter((r) => ipVersion === undefined || r.family === ipVersion);
}

function netsText(written: unknown): string {
  return Array.isArray(written) ? written.map(String).join(', ') : '';
}

/** `(<selector>) && (!(<notSelector>))`, as Felix combines them; the selector alone if that does not parse (it always should). */
function foldedSelector(sel: CalicoSelector, not: CalicoSelector): CalicoSelector {
  const r = parseCalicoSelector(`(${sel.text}) && (!(${not.text}))`);
  return r.ok ? r.selector : sel;
}

/** A pod class the notSelector does not match (Calico's labels of the pod: ./labels.ts). */
function notSelectorPredicate(not: CalicoSelector): ClassPredicate {
  return { key: `!calico(${not.text})`, matches: (cls, nsl) => !not.matches(calicoLabelsOf(cls, nsl)) };
}

/** A Calico rule in neutral form; undefined when it can never match a pod flow (it still keeps its index in the others). */
function neutralRule(rule: CalicoRule, dir: 'ingress' | 'egress', svcs: Services, sets: NetworkSetIndex | undefined, uncertain: string[], pools?: () => PodPools): Rule | undefined {
  if (rule.ignoredByFelix) return undefined;
  // Felix renders a rule once per IP family, and drops it from a family's chains when its
  // ipVersion is the other one, or when one of its nets/notNets lists holds CIDRs of the other
  // family only (projectcalico/calico felix/rules/policy.go FilterRuleToIPVersion and filterNets,
  // v3.32.1: "filteredAll"). A rule no family renders matches nothing; one whose CIDRs leave it
  // one family is judged as if it had that ipVersion (Rule.netsFamily).
  const netLists = ([['source.nets', rule.source.nets], ['source.notNets', rule.source.notNets], ['destination.nets', rule.destination.nets], ['destination.notNets', rule.destination.notNets]] as const).filter(([, l]) => !!l?.length);
  const rendered = felixFamilies(rule);
  if (!rendered.length) return undefined;
  const netsFamily = rule.ipVersion === undefined && rendered.length === 1 ? { family: rendered[0], text: netLists.map(([k]) => `${k} ${netsText((k.startsWith('source') ? rule.source : rule.destination).written[k.endsWith('notNets') ? 'notNets' : 'nets'])}`).join(', ') } : undefined;
  const peer = dir === 'ingress' ? rule.source : rule.destination;
  const local = dir === 'ingress' ? rule.destination : rule.source;
  const caveats: string[] = [];
  for (const ref of [peer.services, local.services]) {
    const why = ref ? unresolvedService(svcs, ref) : undefined;
    if (why) uncertain.push(`${dir} rule ${rule.index}: ${why}`);
  }

  // The policy's own side: its pod's address against `nets`/`notNets` ("match packets with IP
  // in any of the listed CIDRs"; on ingress the destination is the pod itself). What every pool
  // settles is settled here (nothing when a pod's ipAddrsNoIpam address is in no pool: unionPoolsFor): a rule that cannot match is dropped, one that always does loses the
  // condition. The rest is judged per class by its own pools (engine.ts), a partial overlap a doubt.
  const side = dir === 'ingress' ? 'destination' : 'source';
  const subjectAddress: { nets?: Peer[]; notNets?: Peer[]; side: string } = { side };
  for (const key of ['nets', 'notNets'] as const) {
    const ranges = local[key];
    if (!ranges) continue;
    const list: Peer[] = [{ kind: 'ipBlock', text: netsText(local.written[key]), ranges, podAddresses: true }];
    const own = podCidrStatus(list, pools)!;
    if (!own.doubt && own.inside !== (key === 'nets')) return undefined;
    if (own.doubt) subjectAddress[key] = list;
  }
  const ownAddress = subjectAddress.nets || subjectAddress.notNets ? subjectAddress : undefined;
  const localConds: ClassPredicate[] = [];
  if (local.selector) localConds.push(selectorPredicate(local.selector));
  if (local.notSelector) localConds.push(notSelectorPredicate(local.notSelector));
  if (local.services) localConds.push(servicePredicate(svcs, local.services));

  // Source ports ("ports: Positive match on the specified ports", EntityRule, on the source side
  // the packet's source port) are not modelled per connection: a list holding every source port
  // is no condition; any other matches some connections only, which leaves the rule's match in doubt.
  const partial = rule.source.ports || rule.source.notPorts ? sourcePortsCondition(rule.source) : undefined;
  if (rule.http) caveats.push('the HTTP match (methods, paths) narrows requests, not ports: the ports count as allowed');

  // Peers: identity AND addresses. Calico matches nets on the packet's address, pods' included
  // (`podAddresses`: the engine judges a pod against them by address family).
  const peerConds: ClassPredicate[] = [];
  if (peer.services) peerConds.push(servicePredicate(svcs, peer.services));
  // Beside a positive selector the notSelector narrows it (the fold below): the pods selected are
  // those it does not match, and nothing negative is left.
  if (peer.selector && peer.notSelector) peerConds.push(notSelectorPredicate(peer.notSelector));
  const podPeer: Peer | undefined = peer.selector || peerConds.length ? { kind: 'pods', ...podSetFor(peer.selector, peerConds) } : undefined;
  const ranges = peer.nets ? rangesOf(peer.nets, rule.ipVersion) : undefined;
  // The selector also matches the CIDRs of the network sets it selects (./network-sets.ts);
  // with `nets` beside it an address must be in both. Felix matches those CIDRs on the packet's
  // address like `nets`, a pod's included: a set of 0.0.0.0/0 holds every IPv4 pod.
  // Beside a selector, Felix folds the notSelector into it, `(<selector>) && (!(<notSelector>))`
  // (felix/calc/rule_scanner.go combineMatchesIfPossible, v3.32.1): the sets matched are those the
  // selector matches and the notSelector does not, and no negated match is left: a pod the
  // notSelector matches is still matched by its address in such a set's CIDRs. Alone, the
  // notSelector is a negated IP set of its own (notPeers below), which outside addresses are not in.
  const setSelector = peer.selector && peer.notSelector ? foldedSelector(peer.selector, peer.notSelector) : peer.selector;
  const inSets = setSelector ? sets?.match(setSelector) : undefined;
  const setRanges = inSets ? rangesOf(inSets.ranges, rule.ipVersion) : [];
  let peers: Peer[] | 'any';
  if (podPeer && ranges) {
    const both = intersectRanges(ranges, setRanges);
    const setPeer: Peer[] = both.length && inSets ? [{ kind: 'ipBlock', text: `${netsText(peer.written.nets)} within ${inSets.text}`, ranges: both, podAddresses: true }] : [];
    // Selected pods count when their address is in `nets`: what every pool settles is settled
    // here, the rest judged per class by its own pools (engine.ts), a partial overlap a doubt.
    const addresses: Peer[] = [{ kind: 'ipBlock', text: netsText(peer.written.nets), ranges, podAddresses: true }];
    const pods = podCidrStatus(addresses, pools);
    peers = pods?.doubt ? [{ ...podPeer, addresses }, ...setPeer] : pods?.inside ? [podPeer, ...setPeer] : setPeer;
  } else if (podPeer) peers = setRanges.length && inSets ? [podPeer, { kind: 'ipBlock', text: inSets.text, ranges: setRanges, podAddresses: true }] : [podPeer];
  else if (ranges) peers = ranges.length ? [{ kind: 'ipBlock', text: netsText(peer.written.nets), ranges, podAddresses: true }] : [];
  else if (rule.ipVersion !== undefined) peers = [{ kind: 'entity', entity: rule.ipVersion === 4 ? 'world-ipv4' : 'world-ipv6' }, { kind: 'entity', entity: 'cluster' }];
  else peers = 'any';
  const notPeers: Peer[] = [];
  if (peer.notSelector && !peer.selector) {
    notPeers.push({ kind: 'pods', ...podSetFor(peer.notSelector) });
    const notInSets = sets?.match(peer.notSelector);
    if (notInSets) notPeers.push({ kind: 'ipBlock', text: notInSets.text, ranges: notInSets.ranges, podAddresses: true });
  }
  if (peer.notNets) notPeers.push({ kind: 'ipBlock', text: netsText(peer.written.notNets), ranges: peer.notNets, podAddresses: true });

  // Ports are always the destination's (named ports resolve on the receiving pod).
  const dst = rule.destination;
  let ports: PortSpec[] | 'any';
  if (dst.ports) ports = portSpecs(dst.ports, rule.protocols);
  else if (dst.services) {
    const info = svcs.get(`${dst.services.namespace}/${dst.services.name}`);
    ports = (info?.ports ?? []).filter((p) => p.protocol !== undefined && rule.protocols.includes(p.protocol));
  } else ports = rule.protocols.length === 3 ? 'any' : rule.protocols.map((protocol): PortSpec => ({ protocol, kind: 'all' }));
  const notPorts = dst.notPorts ? portSpecs(dst.notPorts, rule.protocols) : undefined;

  const subjectWhere = andPredicates(localConds);
  // A rule on its pod's address always has a subject: its verdicts are not shared across classes.
  const subject = subjectWhere ? { namespaces: EVERY_NAMESPACE, where: subjectWhere } : ownAddress ? { namespaces: EVERY_NAMESPACE } : undefined;
  return {
    index: rule.index,
    action: rule.action,
    peers,
    ...(notPeers.length ? { notPeers } : {}),
    ports,
    ...(notPorts?.length ? { notPorts } : {}),
    ...(subject ? { subject } : {}),
    ...(ownAddress ? { subjectAddress: ownAddress } : {}),
    ...(caveats.length ? { caveats } : {}),
    // Felix renders a rule with ipVersion only in that family's chains (felix/rules/policy.go FilterRuleToIPVersion).
    ...(rule.ipVersion !== undefined ? { ipVersion: rule.ipVersion } : {}),
    ...(netsFamily ? { netsFamily } : {}),
    ...(partial ? { partial } : {}),
  };
}

/** Whether source ports hold every port a connection can come from (1-65535), or what they narrow it to. */
function sourcePortsCondition(src: CalicoEntityRule): string | undefined {
  const ranges = (list: readonly CalicoPort[] | undefined) => (list ?? []).flatMap((p) => (p.kind === 'range' ? [{ lo: Math.max(1, p.lo), hi: p.hi }] : []));
  // A named port in notPorts takes out the ports of that name on the source pod.
  const named = (src.notPorts ?? []).some((p) => p.kind === 'named');
  const held = src.ports ? ranges(src.ports).sort((a, b) => a.lo - b.lo) : [{ lo: 1, hi: 65535 }];
  let next = 1;
  for (const r of held) if (r.lo <= next && r.hi >= next) next = r.hi + 1;
  // notPorts of port 0 only take out nothing a connection uses.
  const excluded = ranges(src.notPorts).some((r) => r.lo <= r.hi);
  if (next > 65535 && !excluded && !named) return undefined;
  const written = [src.written.ports !== undefined ? `ports ${JSON.stringify(src.written.ports)}` : '', src.written.notPorts !== undefined ? `notPorts ${JSON.stringify(src.written.notPorts)}` : ''].filter((x) => x).join(', ');
  return `source ${written}: the rule matches only connections from those source ports, which the model does not tell apart`;
}

/**
 * Whether a GlobalNetworkPolicy may select host endpoints. ConvertGlobalNetworkPolicyV3ToV1Value
 * ANDs a namespaceSelector as pcns.* terms (all() as has(projectcalico.org/namespace)) and a
 * serviceAccountSelector as pcsa.* terms: labels Calico gives workload endpoints from their
 * namespace and service account (./labels.ts), never a host endpoint. A selector that requires
 * one of them selects pods only.
 */
function mayApplyToHostEndpoints(p: CalicoPolicy): boolean {
  if (p.kind !== 'GlobalNetworkPolicy' || !p.selector) return p.kind === 'GlobalNetworkPolicy';
  return !requiresWorkloadLabel(p.selector.root);
}

/** Whether every endpoint the selector matches carries a namespace or service-account label. */
function requiresWorkloadLabel(n: CalicoSelectorNode): boolean {
  switch (n.op) {
    case 'and': return n.operands.some(requiresWorkloadLabel);
    case 'or': return n.operands.every(requiresWorkloadLabel);
    case 'has': case 'eq': case 'in': case 'contains': case 'startsWith': case 'endsWith': return isWorkloadLabel(n.label);
    default: return false;
  }
}

function isWorkloadLabel(label: string): boolean {
  return label === LABEL_NAMESPACE || label === LABEL_SERVICE_ACCOUNT || label.startsWith(NAMESPACE_LABEL_PREFIX) || label.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX);
}

/** One Calico policy in neutral form. */
export function calicoLayerPolicy(p: CalicoPolicy, svcs: Services = new Map(), sets?: NetworkSetIndex, pools?: () => PodPools): LayerPolicy {
  const display = p.namespace !== undefined ? `${p.namespace}/${p.name}` : p.name;
  const valid = p.errors.length === 0;
  const uncertain: string[] = [];
  const rules = (dir: 'ingress' | 'egress') => p[dir].map((r) => neutralRule(r, dir, svcs, sets, uncertain, pools)).filter((r): r is Rule => r !== undefined);
  const ignored = valid ? (['ingress', 'egress'] as const).flatMap((dir) => (p[`${dir}Type`] ? p[dir] : []).filter((r) => r.ignoredByFelix).map((r) => ({ direction: dir, message: `${dir} rule ${r.index}: ${r.ignoredByFelix}` }))) : [];
  return {
    api: 'Calico',
    layer: 'calico',
    ref: p.ref,
    id: `${p.kind === 'GlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'CalicoNetworkPolicy'}:${display}`,
    displayName: display,
    kindLabel: p.kind === 'GlobalNetworkPolicy' ? 'GlobalNetworkPolicy' : 'Calico NetworkPolicy',
    ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
    tier: p.tier,
    ...(p.order !== undefined ? { order: p.order } : {}),
    // Felix breaks order ties on "name/namespace/kind".
    sortName: `${p.name}/${p.namespace ?? ''}/${p.kind}`,
    subject: valid && p.selector
      ? { ...podSetFor(p.selector), ...(p.namespace !== undefined ? { namespaces: { kind: 'policy' as const } } : {}), excludeHostNetwork: true }
      : { namespaces: EVERY_NAMESPACE },
    ...(valid && p.ingressType ? { ingress: rules('ingress') } : {}),
    ...(valid && p.egressType ? { egress: rules('egress') } : {}),
    isolates: { ingress: p.ingressType, egress: p.egressType },
    ...(valid && mayApplyToHostEndpoints(p) ? { mayApplyToHostEndpoints: true as const } : {}),
    ...(ignored.length ? { conversion: ignored } : {}),
    ...(uncertain.length ? { uncertain } : {}),
    errors: p.errors,
    raw: p.raw,
  };
}

/**
 * A policy of a custom tier whose Tier object could not be read. "Each tier that contains a policy
 * that applies to the endpoint processes the packet", in tier order (docs.tigera.io/calico/latest/reference/resources/tier,
 * "How policy is evaluated"): at an order not known, with a defaultAction not known, its Allow,
 * Deny or Pass may come before or after any built-in tier's. It decides nothing in the model and
 * leaves in doubt every verdict on the pods it selects, in the directions it applies to
 * (query.ts unevaluatedSelecting); a pod no such policy selects meets no custom tier at all.
 */
function unplacedLayerPolicy(p: CalicoPolicy, why: string): LayerPolicy {
  const base = calicoLayerPolicy({ ...p, ingress: [], egress: [] });
  return { ...base, errors: [`${why}; Calico applies this policy in that tier, before or after the built-in ones, so every verdict on the pods it selects cannot be confirmed`], unevaluated: true };
}

function tierRef(name: string, obj: KubeObject | undefined): ResourceRef | undefined {
  return obj ? { kind: 'Tier', name } : undefined;
}

export const calicoAdapter: PolicyApiAdapter = {
  api: 'Calico',
  kinds: CALICO_KINDS,
  parse({ snapshot, namespaceLabels }) {
    const set = collectCalicoPolicies(snapshot);
    const netSets = collectNetworkSets(snapshot, namespaceLabels);
    // Calico policies decide only on a Calico cluster, whose IPPools hold its pods' addresses
    // (but for a pod with ipAddrsNoIpam: then no rule is settled here for every pod at once).
    const pools = unionPoolsFor(snapshot);
    // Parsed on the first rule that names a Service: most clusters' Calico policies name none.
    let byName: Map<string, ServiceInfo> | undefined;
    const svcs: Services = { get: (key) => (byName ??= servicesOf(snapshot)).get(key) };
    const notes: CoverageNote[] = [...set.notes, ...netSets.notes];
    const policies: LayerPolicy[] = [];
    for (const p of set.policies) {
      for (const message of p.outOfScope) notes.push({ object: p.ref, message: `${p.id}: ${message}` });
      // preDNAT / doNotTrack policies never apply to pods: noted above, not evaluated.
      if (p.hostEndpointsOnly && !p.errors.length) continue;
      const unplaced = p.errors.length ? undefined : set.tiers.get(p.tier)?.unplaced;
      const layer = unplaced ? unplacedLayerPolicy(p, unplaced) : calicoLayerPolicy(p, svcs, netSets.index, pools);
      for (const u of layer.uncertain ?? []) notes.push({ object: p.ref, message: `${p.id} ${u}` });
      policies.push(layer);
    }
    const tierObjects = new Map<string, KubeObject>();
    for (const t of [...(snapshot.resources['calico.tiers'] ?? []), ...(snapshot.resources['calico-v3.tiers'] ?? [])]) {
      if (typeof t.metadata?.name === 'string') tierObjects.set(t.metadata.name, t);
    }
    const tiers: TierSpec[] = [...set.tiers.values()].map((t) => {
      const ref = tierRef(t.name, tierObjects.get(t.name));
      return { name: t.name, ...(t.order !== undefined ? { order: t.order } : {}), defaultAction: t.defaultAction, ...(ref ? { ref } : {}) };
    });
    const drop = felixDropAction(snapshot);
    const settings = { ...(drop.accept ? { calicoDropAccepted: drop.accept } : {}), ...(drop.unconfirmed ? { calicoDropUnconfirmed: drop.unconfirmed } : {}) };
    return { policies, tiers, notes, settings };
  },
};
