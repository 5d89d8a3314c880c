// Cilium in the network model: cilium.io/v2 CiliumNetworkPolicy and
// CiliumClusterwideNetworkPolicy translated into the API-neutral layers (../layers.ts). The
// composition puts them in one union stage with the Kubernetes NetworkPolicies (Cilium
// imports both into one policy repository): allows add up, a Deny rule beats every allow,
// and a rule selecting a pod isolates it in that direction unless `enableDefaultDeny` says
// otherwise. Each rule of `spec`/`specs` has its own endpointSelector, so each becomes one
// LayerPolicy. Selectors are Cilium endpoint selectors over the security identity Cilium
// gives a pod (./labels.ts), carried as class predicates; what every pod satisfies is written
// as a plain namespace scope, so the model's "anonymous pod" (isolation) sees it.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { Snapshot } from '../../../snapshot/types.ts';
import type { Protocol } from '../conns.ts';
import type { ClassFacts, ClassPredicate, CoverageNote, Entity as LayerEntity, Labels, LayerPolicy, Peer, PodSet, PolicyApi, PolicyApiAdapter, PortSpec, Rule } from '../layers.ts';
import { matchAllSelector } from '../selector.ts';
import { readCiliumSettings, type AgentKey, type CiliumSettings } from './config.ts';
import { fqdnMatches } from './fqdn.ts';
import { ciliumRelease, type CiliumRelease } from './release.ts';
import { serviceBackends } from './service-backends.ts';
import { CLUSTER_LABEL, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL, podIdentity, reservedIdentity, SOURCE_ANY, SOURCE_K8S, SOURCE_RESERVED, type IdentityLabels, type ReservedEntity } from './labels.ts';
import { isCiliumPolicyKind, parseCiliumPolicy, type CidrGroup } from './parse.ts';
import { parseCidr } from '../../../base/ip.ts';
import { coversFamily } from '../engine.ts';
import { makeSelector, usesReservedLabels, type CiliumSelector } from './selector.ts';
import type { CiliumPolicy, CiliumRule, PeerRule, PeerSelector, ServiceRef } from './types.ts';

export const CILIUM_KINDS = ['cilium.networkpolicies', 'cilium.clusterwidenetworkpolicies'] as const;

const EVERY_NAMESPACE = { kind: 'selector', selector: matchAllSelector } as const;

/** Cilium identity labels of a class, computed once per class and settings. */
const identityCache = new WeakMap<object, Map<string, IdentityLabels>>();
function identityOfClass(cls: ClassFacts, namespaceLabels: Labels, clusterName: string): IdentityLabels {
  let m = identityCache.get(cls);
  if (!m) identityCache.set(cls, (m = new Map()));
  let id = m.get(clusterName);
  if (!id) {
    id = podIdentity({ namespace: cls.namespace, labels: cls.labels, namespaceLabels: { 'kubernetes.io/metadata.name': cls.namespace, ...namespaceLabels }, serviceAccount: cls.serviceAccount, clusterName });
    m.set(clusterName, id);
  }
  return id;
}

/**
 * A predicate for a Cilium endpoint selector. Host-network pods are not Cilium endpoints (they
 * carry the node's identity), so no endpoint selector matches them.
 */
function selectorPredicate(sel: CiliumSelector, clusterName: string): ClassPredicate {
  const base = { key: `cilium(${sel.text})`, matches: (cls: ClassFacts, ns: Labels) => !cls.hostNetwork && sel.matches(identityOfClass(cls, ns, clusterName)) };
  const nsReqs = sel.requirements.filter(readsNamespaceLabel);
  if (!nsReqs.length) return base;
  const without = selectorPredicate(makeSelector(sel.requirements.filter((r) => !readsNamespaceLabel(r))), clusterName);
  return { ...base, namespaceLabels: { keys: [...new Set(nsReqs.map((r) => `${r.source}:${r.key}`))], without } };
}

/**
 * A requirement on a label of the pod's namespace other than its name
 * (`io.cilium.k8s.namespace.labels.team`; labels.ts): what a namespace no manifest declares
 * cannot answer, as a Kubernetes namespaceSelector on the same label.
 */
function readsNamespaceLabel(r: CiliumSelector['requirements'][number]): boolean {
  return (r.source === SOURCE_K8S || r.source === SOURCE_ANY) && r.key.startsWith(`${NAMESPACE_LABELS_PREFIX}.`) && r.key !== `${NAMESPACE_LABELS_PREFIX}.kubernetes.io/metadata.name`;
}

function isNamespaceReq(r: CiliumSelector['requirements'][number]): boolean {
  return (r.source === SOURCE_K8S || r.source === SOURCE_ANY) && r.key === POD_NAMESPACE_LABEL;
}

/**
 * A pod set for a scoped Cilium selector: plain scopes where the selector is one (every pod;
 * the namespaces it names), the exact selector as a predicate otherwise.
 */
function podSetFor(sel: CiliumSelector, settings: CiliumSettings): PodSet {
  const local = (r: CiliumSelector['requirements'][number]) => r.source === SOURCE_K8S && r.key === CLUSTER_LABEL && r.op === 'In' && r.values.length === 1 && r.values[0] === settings.clusterName;
  const rest = sel.requirements.filter((r) => !local(r));
  // Every pod of the cluster: `{}` in a clusterwide policy (namespace Exists), kept whole.
  if (rest.every((r) => isNamespaceReq(r) && r.op === 'Exists')) return { namespaces: EVERY_NAMESPACE };
  const nsIn = rest.filter((r) => isNamespaceReq(r) && r.op === 'In');
  const names = nsIn.length ? nsIn.map((r) => r.values).reduce((a, b) => a.filter((n) => b.includes(n))) : undefined;
  // Every pod of the namespaces it names (`{}` in a CiliumNetworkPolicy).
  if (names && rest.length === nsIn.length) return { namespaces: { kind: 'names', names }, excludeHostNetwork: true };
  return {
    namespaces: names ? { kind: 'names', names } : EVERY_NAMESPACE,
    where: selectorPredicate(sel, settings.clusterName),
    excludeHostNetwork: true,
  };
}

/** Host-network pods have the node's identity: the entities that select nodes select them too. */
const HOST_NETWORK_PODS: Peer = { kind: 'pods', namespaces: EVERY_NAMESPACE, where: { key: 'hostNetwork', matches: (cls) => cls.hostNetwork } };

/**
 * A host-network pod is `host` to the pods of its own node and `remote-node` to every other
 * pod ("host: The local host ... remote-node: Any node in any of the connected clusters other
 * than the local host", docs.cilium.io/en/stable/security/policy/language/ "Entities Based").
 * The model does not place pods on nodes, so an entity naming only one of them may or may not
 * hold a host-network pod (a DaemonSet's pods are both): counted as selected, and in doubt
 * (engine.ts predicateDoubt), as a placed ANP `nodes` peer is (engine.ts nodePlacementDoubt).
 * Rules naming one each hold it together on the ports both name (`nodePlacement`, engine.ts placedSides).
 */
function placedHostNetworkPods(entity: 'host' | 'remote-node'): Peer {
  const why = entity === 'host'
    ? 'a host-network pod is the entity host only to pods of its own node (to those of other nodes it is remote-node), and the model does not place pods on nodes; counted as selected'
    : 'a host-network pod is the entity remote-node only to pods of other nodes (to those of its own node it is host), and the model does not place pods on nodes; counted as selected';
  return { kind: 'pods', namespaces: EVERY_NAMESPACE, where: { key: `hostNetwork(${entity})`, matches: (cls) => cls.hostNetwork, doubt: (cls) => (cls.hostNetwork ? why : undefined), nodePlacement: entity === 'host' ? 'same' : 'other' } };
}
const HOST_NETWORK_AS_HOST = placedHostNetworkPods('host');
const HOST_NETWORK_AS_REMOTE_NODE = placedHostNetworkPods('remote-node');

const RESERVED_FOR_ENTITY: Array<[ReservedEntity, LayerEntity]> = [['host', 'host'], ['remote-node', 'remote-node'], ['kube-apiserver', 'kube-apiserver']];

function entityPeers(entity: string, settings: CiliumSettings): Peer[] {
  switch (entity) {
    case 'all': return [{ kind: 'entity', entity: 'all' }];
    case 'world': return [{ kind: 'entity', entity: 'world' }];
    // pkg/labels getWorldLabel: an address is labelled world-ipv4/-ipv6 only when the other family is enabled too.
    case 'world-ipv4': return settings.ipv6 ? [{ kind: 'entity', entity: 'world-ipv4' }] : [{ kind: 'entity', entity: 'other', name: 'world-ipv4 (selects nothing unless Cilium runs dual-stack: enable-ipv6 is off)' }];
    case 'world-ipv6': return settings.ipv4 ? [{ kind: 'entity', entity: 'world-ipv6' }] : [{ kind: 'entity', entity: 'other', name: 'world-ipv6 (selects nothing unless Cilium runs dual-stack: enable-ipv4 is off)' }];
    case 'cluster': case 'cluster-mesh': return [{ kind: 'entity', entity: 'cluster' }];
    case 'host': return [{ kind: 'entity', entity: 'host' }, HOST_NETWORK_AS_HOST];
    case 'remote-node': return [{ kind: 'entity', entity: 'remote-node' }, HOST_NETWORK_AS_REMOTE_NODE];
    case 'kube-apiserver': return [{ kind: 'entity', entity: 'kube-apiserver' }];
    default: return [{ kind: 'entity', entity: 'other', name: entity }];
  }
}

/** A selector over reserved labels ("reserved:host") selects the reserved identities it matches. */
function reservedPeers(sel: CiliumSelector, settings: CiliumSettings): Peer[] {
  const out: Peer[] = [];
  for (const [reserved, entity] of RESERVED_FOR_ENTITY) if (sel.matches(reservedIdentity(reserved))) out.push(...entityPeers(entity, settings));
  if (sel.matches([{ source: SOURCE_RESERVED, key: 'world', value: '' }])) out.push({ kind: 'entity', entity: 'world' });
  return out.length ? out : [{ kind: 'entity', entity: 'other', name: `endpoints ${sel.text}` }];
}

/**
 * Services a toServices entry resolves to, as Cilium does (pkg/policy/k8s/service.go
 * processRule). A Service without a selector (default/kubernetes, external backends) becomes its
 * backends' addresses (ToCIDRSet), read from its EndpointSlices (./service-backends.ts): CIDRs,
 * which never select a pod. Where they are not known (not read, none found) the Service still
 * gives the rule a peer, so the rule is no wildcard: it is counted as matching none of them,
 * `uncertain` says so (as Calico's unresolvedService), and a flow to an outside address or DNS
 * name the rule could decide is UNKNOWN (an unresolved peer, engine.ts ruleMatchDoubt).
 * A Service with a selector becomes that selector in its namespace from Cilium 1.17
 * (cilium/cilium#34208, appendSelector); before, only selector-less Services are selectable
 * (v1.16 isSelectableService), so it adds nothing (./release.ts).
 */
function servicePeers(refs: ServiceRef[], snapshot: Snapshot, settings: CiliumSettings, noted: string[], uncertain: string[], ruleName: string): Peer[] {
  const out: Peer[] = [];
  const release = ciliumRelease(snapshot);
  const services = snapshot.coverage.services;
  if (services && services.status !== 'ok' && services.status !== 'absent') {
    // What the entries name is not known: each may be a Service without a selector, whose backends are outside addresses.
    for (const ref of refs) {
      uncertain.push(`${ruleName}: toServices ${ref.text} is not resolved: Services could not be read (${services.status}), so the rule is counted as matching nothing it names and verdicts it could decide are uncertain`);
      out.push({ kind: 'entity', entity: 'other', name: `toServices ${ref.text} (Services not read)`, unresolved: { may: 'some-addresses', what: `toServices ${ref.text} (Services could not be read: ${services.status})` } });
    }
    return out;
  }
  for (const ref of refs) {
    let found = 0;
    for (const svc of snapshot.resources.services ?? []) {
      const ns = svc.metadata?.namespace ?? 'default';
      const name = svc.metadata?.name ?? '';
      if (ref.namespace !== undefined && ref.namespace !== ns) continue;
      if (ref.name !== undefined) {
        if (ref.name !== name) continue;
      } else if (!ref.selector?.matches(Object.entries(svc.metadata?.labels ?? {}).map(([key, value]) => ({ source: SOURCE_K8S, key, value: String(value) })))) continue;
      found++;
      const selector = (svc.spec as { selector?: Record<string, unknown> } | undefined)?.selector ?? {};
      const keys = Object.keys(selector).filter((k) => typeof selector[k] === 'string');
      if (keys.length === 0) {
        out.push(...backendPeers(snapshot, ns, name, noted, uncertain, ruleName));
        continue;
      }
      if (release.known && !release.selectorServices) {
        noted.push(`${ruleName}: Service ${ns}/${name} has a selector, and Cilium ${release.text} resolves toServices only to Services without one (selector Services are resolved from 1.17), so it adds nothing for it`);
        continue;
      }
      if (!release.known) noted.push(`${ruleName}: Service ${ns}/${name} has a selector: read as Cilium 1.17 or later does, as its pods (${release.text}; before 1.17 toServices resolves only Services without a selector)`);
      const sel = makeSelector([...keys.map((k) => ({ source: SOURCE_K8S, key: k, op: 'In' as const, values: [selector[k] as string] })), { source: SOURCE_K8S, key: POD_NAMESPACE_LABEL, op: 'In' as const, values: [ns] }]);
      out.push({ kind: 'pods', namespaces: { kind: 'names', names: [ns] }, where: selectorPredicate(sel, settings.clusterName), excludeHostNetwork: true });
    }
    if (found === 0) noted.push(`toServices ${ref.text} matches no Service in the snapshot`);
  }
  return out;
}

/** At most five addresses, then how many more. */
function someAddresses(list: readonly string[]): string {
  return `${list.slice(0, 5).join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}`;
}

/**
 * The peers a selector-less Service gives a toServices rule: its backends' addresses, each a
 * CIDR of one address; an unresolved peer where they are not known, or for its not-ready
 * endpoints, which Cilium releases count differently; nothing when its slices hold no address.
 */
function backendPeers(snapshot: Snapshot, ns: string, name: string, noted: string[], uncertain: string[], ruleName: string): Peer[] {
  const b = serviceBackends(snapshot, ns, name);
  if (!b.known) {
    uncertain.push(`${ruleName}: Service ${ns}/${name} has no selector: Cilium allows the addresses of its backends, which are not known (${b.why}), so the rule is counted as matching none of them and verdicts it could decide are uncertain`);
    return [{ kind: 'entity', entity: 'other', name: `backends of Service ${ns}/${name} (not known)`, unresolved: { may: 'some-addresses', what: `toServices Service ${ns}/${name}, which has no selector and whose backends are not known (${b.why})` } }];
  }
  const out: Peer[] = [];
  if (b.addresses.length) {
    const ranges = b.addresses.map((a) => a.range);
    out.push({ kind: 'ipBlock', text: `backends of Service ${ns}/${name} (${someAddresses(b.addresses.map((a) => a.text))})`, ranges, blocks: ranges });
  }
  if (b.notReady.length) {
    uncertain.push(`${ruleName}: Service ${ns}/${name}'s EndpointSlices mark ${someAddresses(b.notReady)} not ready: Cilium releases differ on whether such an endpoint is a backend, so verdicts on those addresses are uncertain`);
    out.push({ kind: 'entity', entity: 'other', name: `not-ready backends of Service ${ns}/${name}`, unresolved: { may: 'some-addresses', what: `toServices Service ${ns}/${name}'s not-ready endpoints (${someAddresses(b.notReady)})` } });
  }
  if (!out.length) noted.push(`${ruleName}: Service ${ns}/${name} has no selector and its EndpointSlices (${someAddresses(b.slices)}) hold no IPv4 or IPv6 address, so Cilium adds no peer for it`);
  return out;
}

/**
 * A CIDR peer (CiliumNetworkPolicy CIDR, NetworkPolicy ipBlock) under policy-cidr-match-mode
 * (Documentation/security/policy/layer3.rst@v1.20.2, "Selecting pods or nodes with CIDR /
 * ipBlock"): with `pods` it also matches the pods its CIDRs hold, judged by address as the
 * engine does for ANP networks (podAddresses); with `nodes` it may hold a node's address, which
 * the model does not know, so verdicts on nodes and host-network pods it may decide are in doubt.
 */
export function cidrMatchModePeers(peers: Peer[], settings: Pick<CiliumSettings, 'cidrMatchPods' | 'cidrMatchNodes'>): Peer[] {
  if (!settings.cidrMatchPods && !settings.cidrMatchNodes) return peers;
  return peers.flatMap((p): Peer[] => {
    if (p.kind !== 'ipBlock') return [p];
    return [
      settings.cidrMatchPods ? { ...p, podAddresses: true } : p,
      ...(settings.cidrMatchNodes ? [{ kind: 'entity' as const, entity: 'other' as const, name: `${p.text} (nodes)`, unresolved: { may: 'nodes' as const, what: `${p.text} under policy-cidr-match-mode nodes (node addresses are not known)` } }] : []),
    ];
  });
}

function peersOf(sel: PeerSelector, settings: CiliumSettings): Peer[] {
  switch (sel.kind) {
    case 'endpoints': return usesReservedLabels(sel.selector) ? reservedPeers(sel.selector, settings) : [{ kind: 'pods', ...podSetFor(sel.selector, settings) }];
    case 'entity': return entityPeers(sel.entity, settings);
    case 'cidr': return cidrMatchModePeers([{ kind: 'ipBlock', text: sel.except.length ? `${sel.text} except ${sel.except.join(', ')}` : sel.text, ranges: sel.ranges, blocks: [sel.block] }], settings);
    case 'fqdn': {
      const regex = sel.regex;
      return [{ kind: 'fqdn', patterns: [(sel.matchName ?? sel.matchPattern ?? '').toLowerCase()], match: (name: string) => fqdnMatches(regex, name) }];
    }
    case 'unsupported': return [{ kind: 'entity', entity: 'other', name: sel.text, ...(sel.may ? { unresolved: { may: sel.may, what: sel.what ?? sel.text } } : {}) }];
  }
}

/**
 * A DNS name's addresses are those its lookups return, unknown offline. The precedence engine
 * holds them in a rule whose CIDRs cover every IPv4 and every IPv6 address, and in doubt under
 * narrower ones (engine.ts ruleMatchDoubt). A Cilium running one address family (enable-ipv6
 * off, the default) reaches a name only at addresses of that family: a deny rule whose CIDRs
 * cover all of it drops every address the name can be reached at, so it matches every name
 * ("Deny policies take precedence over allow policies", docs.cilium.io security/policy/deny).
 * An allow is not widened so: Cilium's policy repository judges an address of the other family
 * against it as not selected (the oracle comparison asks such flows), and the engine's doubt says so.
 */
function singleStackWorld(peers: PeerRule['peers'], settings: CiliumSettings): Peer | undefined {
  if (peers === 'nothing' || settings.ipv4 === settings.ipv6) return undefined;
  const family = settings.ipv4 ? 4 : 6;
  const ranges = peers.flatMap((p) => (p.kind === 'cidr' ? p.ranges : []));
  if (!ranges.length || !coversFamily(ranges, family)) return undefined;
  return { kind: 'fqdn', patterns: [], match: () => true };
}

/** Every DNS name, as a peer. */
const EVERY_NAME: Peer = { kind: 'fqdn', patterns: [], match: () => true };

/**
 * Whether a deny rule's addresses are all of the family a single-stack Cilium does not run
 * (enable-ipv4 or enable-ipv6 off; IPv4 only by default) and nothing else in it could hold a DNS
 * name's addresses: an egressDeny of ::/0 ("block IPv6") on an IPv4 cluster. Its pods reach a name
 * only at addresses of the family Cilium runs, so the rule cannot drop a name's traffic: it takes
 * every name as a notPeer, so no name is put in doubt by it; the addresses themselves stay denied
 * as Cilium's policy repository denies them (the oracle comparison asks such flows).
 */
function otherFamilyOnly(peers: readonly Peer[], settings: CiliumSettings): boolean {
  if (settings.ipv4 === settings.ipv6) return false;
  const family = settings.ipv4 ? 4 : 6;
  const other = (p: Peer) => p.kind === 'ipBlock' && p.ranges.length > 0 && p.ranges.every((r) => r.family !== family);
  const mayHoldName = (p: Peer) => (p.kind === 'ipBlock' && !other(p)) || p.kind === 'fqdn' || (p.kind === 'entity' && (p.entity === 'all' || p.entity === 'world' || p.entity === 'world-ipv4' || p.entity === 'world-ipv6' || (p.entity === 'other' && p.unresolved !== undefined)));
  return peers.some(other) && !peers.some(mayHoldName);
}

function portSpecs(rule: PeerRule): PortSpec[] {
  const out: PortSpec[] = [];
  for (const pr of rule.portRules) {
    for (const p of pr.ports) {
      for (const protocol of p.protocols as Protocol[]) {
        if (p.kind === 'all') out.push({ protocol, kind: 'all' });
        else if (p.kind === 'range') out.push({ protocol, kind: 'range', lo: p.lo, hi: p.hi });
        else out.push({ protocol, kind: 'named', name: p.name });
      }
    }
  }
  return out;
}

/**
 * The pods whose DNS lookups Cilium's DNS proxy sees: those an egress rule with DNS rules
 * (toPorts rules.dns) selects. A toFQDNs selector learns a name's addresses only from
 * lookups the proxy intercepted for the same endpoint ("In order to associate domain names
 * with IP addresses, Cilium intercepts DNS responses per-Endpoint using a DNS Proxy. This
 * requires ... an L7 policy allowing DNS requests": cilium/cilium
 * Documentation/security/policy/language.rst, "DNS based"; cilium/cilium#32567), so for any
 * other pod the names match nothing.
 */
export interface DnsProxied {
  predicate: ClassPredicate;
  /** Namespaces with such a rule ('' for a clusterwide one): where a toFQDNs rule may work at all. */
  scopes: Set<string>;
}

export function dnsProxiedPods(parsed: readonly CiliumPolicy[], settings: CiliumSettings): DnsProxied {
  const byScope = new Map<string, ClassPredicate[]>();
  const texts: string[] = [];
  for (const p of parsed) {
    if (p.errors.length) continue;
    for (const rule of p.rules) {
      if (rule.hostPolicy || !rule.subject || !rule.egress.some((r) => r.portRules.some((pr) => pr.l7.includes('dns')))) continue;
      const scope = p.namespace ?? '';
      let list = byScope.get(scope);
      if (!list) byScope.set(scope, (list = []));
      list.push(selectorPredicate(rule.subject, settings.clusterName));
      texts.push(`${scope}:${rule.subject.text}`);
    }
  }
  const seen = new WeakMap<ClassFacts, boolean>();
  const predicate: ClassPredicate = {
    key: `cilium-dns-proxy(${texts.sort().join(' | ')})`,
    matches(cls, nsLabels) {
      let hit = seen.get(cls);
      if (hit === undefined) {
        hit = [...(byScope.get(cls.namespace) ?? []), ...(byScope.get('') ?? [])].some((q) => q.matches(cls, nsLabels));
        seen.set(cls, hit);
      }
      return hit;
    },
  };
  return { predicate, scopes: new Set(byScope.keys()) };
}

/**
 * A rule naming both `host` and `remote-node` holds every host-network pod, wherever it runs.
 * So does an ingress allow naming `remote-node` where allow-localhost lets the node's own host
 * in (`localhostAllows`): its pods' host-network neighbours are admitted whatever the rule says.
 */
function settleHostNetwork(peers: Peer[], localhostAllows: boolean): Peer[] {
  const remote = peers.includes(HOST_NETWORK_AS_REMOTE_NODE);
  if (!(remote && (localhostAllows || peers.includes(HOST_NETWORK_AS_HOST)))) return peers;
  return [...peers.filter((p) => p !== HOST_NETWORK_AS_HOST && p !== HOST_NETWORK_AS_REMOTE_NODE), HOST_NETWORK_PODS];
}

/**
 * One Cilium peer rule in neutral form, or undefined when it can allow or deny nothing on
 * TCP/UDP/SCTP (a peer list written empty, no peer and no port, ports that are all ICMP).
 */
function neutralRule(r: PeerRule, action: 'Allow' | 'Deny', index: number, name: string, settings: CiliumSettings, snapshot: Snapshot, noted: string[], uncertain: string[], dns?: DnsProxied): Rule | undefined {
  if (r.peers === 'nothing') return undefined;
  const resolved = r.services.length ? servicePeers(r.services, snapshot, settings, noted, uncertain, name) : [];
  const selectorPeers = settleHostNetwork(r.peers.flatMap((s) => peersOf(s, settings)), action === 'Allow' && name.startsWith('ingress') && settings.allowLocalhost);
  const noName = action === 'Deny' && otherFamilyOnly([...selectorPeers, ...resolved], settings) ? [EVERY_NAME] : undefined;
  const everyName = action === 'Deny' ? singleStackWorld(r.peers, settings) : undefined;
  if (everyName) selectorPeers.push(everyName);
  // No peer selector at all is Cilium's wildcard, but only for a rule with ports (rule.go mergeL4Filter).
  const wildcard = r.peers.length === 0 && resolved.length === 0;
  if (wildcard && r.l4Count === 0) return undefined;
  if (wildcard && r.services.length) noted.push(`${name}: no Service resolves, so Cilium applies its ports to every destination`);
  let ports: PortSpec[] | 'any' = 'any';
  if (r.l4Count > 0) {
    ports = portSpecs(r);
    if (ports.length === 0) return undefined;
  }
  // toFQDNs rules hold no other peer (Cilium rejects the mix): the whole rule needs the DNS proxy.
  const fqdnOnly = action === 'Allow' && r.peers.length > 0 && r.peers.every((s) => s.kind === 'fqdn');
  const caveats: string[] = [];
  const l7 = [...new Set(r.portRules.flatMap((p) => p.l7))];
  if (l7.length) caveats.push(`L7 rules (${l7.join(', ')}) narrow the requests on these ports; the model counts the ports as ${action === 'Allow' ? 'allowed' : 'denied'}`);
  return {
    index,
    name,
    action,
    peers: wildcard ? 'any' : [...selectorPeers, ...resolved],
    ...(noName ? { notPeers: noName } : {}),
    ports,
    ...(fqdnOnly && dns ? { subject: { namespaces: EVERY_NAMESPACE, where: dns.predicate } } : {}),
    ...(caveats.length ? { caveats } : {}),
  };
}

/**
 * The fromRequires/toRequires of the accepted policies, where the agent's release still honours
 * them (before 1.19; ./release.ts). For an endpoint, Cilium gathers the requirements of the rules
 * selecting it and ANDs them into every fromEndpoints/toEndpoints of those rules: those written
 * in allow rules into the allow rules, those written in deny rules (ingressDeny/egressDeny) into
 * the deny rules (cilium/cilium pkg/policy/rules.go resolveL4IngressPolicy, `requirements` and
 * `requirementsDeny`; rule.go resolveIngressPolicy/resolveEgressPolicy). So a requirement reaches
 * a rule only on the pods its own policy selects (a CiliumNetworkPolicy's endpointSelector, only
 * pods of its namespace): the rule applies to them with its peers in doubt where a peer fails it
 * (`withRequirements`), and to every other pod as written. From 1.19 they are ignored, and a note says so.
 */
export interface Requirement {
  dir: 'ingress' | 'egress';
  /** Written in an ingressDeny/egressDeny rule: ANDed into deny rules only (allow ones: into allow rules only). */
  deny: boolean;
  /** The policy's namespace; undefined for a clusterwide one. */
  namespace?: string;
  /** The pods the requiring rule selects (its endpointSelector, in its namespace for a CiliumNetworkPolicy). */
  selects: ClassPredicate;
  selectors: CiliumSelector[];
  /** "CiliumNetworkPolicy shop/requires-prod spec.ingress[0].fromRequires". */
  text: string;
}

function requirementsOf(parsed: readonly CiliumPolicy[], release: CiliumRelease, notes: CoverageNote[], settings: CiliumSettings): Requirement[] {
  const out: Requirement[] = [];
  for (const p of parsed) {
    if (p.errors.length) continue;
    const ref: ResourceRef = { kind: p.kind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name || '(unnamed)' };
    const display = `${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name || '(unnamed)'}`;
    for (const rule of p.rules) {
      if (rule.hostPolicy || !rule.subject) continue;
      const own = selectorPredicate(rule.subject, settings.clusterName);
      const ns = p.namespace;
      const selects: ClassPredicate = ns === undefined ? own : { key: `ns(${ns})&${own.key}`, matches: (cls, labels) => cls.namespace === ns && own.matches(cls, labels) };
      for (const dir of ['ingress', 'egress'] as const) {
        const field = dir === 'ingress' ? 'fromRequires' : 'toRequires';
        for (const [list, r] of [...rule[dir].map((r) => [dir, r] as const), ...(dir === 'ingress' ? rule.ingressDeny : rule.egressDeny).map((r) => [`${dir}Deny`, r] as const)]) {
          if (!r.requires?.length) continue;
          const at = `${rule.path}.${list}[${r.index}].${field}`;
          const what = r.requires.map((q) => q.written).join(', ');
          if (release.known && !release.requiresFields) {
            notes.push({ object: ref, message: `${p.kind} ${display}: ${at}: ignored by Cilium ${release.text} (removed in 1.19, cilium/cilium#42615)` });
            continue;
          }
          const peersField = dir === 'ingress' ? 'fromEndpoints' : 'toEndpoints';
          notes.push({ object: ref, message: `${p.kind} ${display}: ${at} (${what}): ${release.known ? `Cilium ${release.text}` : `Cilium before 1.19 (the release is not known: ${release.text}; 1.19 and later ignore it)`} ANDs it into every ${peersField} of the ${list.endsWith('Deny') ? 'deny' : 'allow'} rules selecting the pods this policy selects, which the model does not evaluate: a flow those rules ${list.endsWith('Deny') ? 'deny' : 'allow'} with a peer it does not hold is uncertain there` });
          out.push({ dir, deny: list.endsWith('Deny'), selects, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), selectors: r.requires.map((q) => q.selector), text: `${p.kind} ${display} ${at} (${what})` });
        }
      }
    }
  }
  return out;
}

/** Whether one of the requiring policies selects a class, once per class. */
function selectedByAny(reqs: readonly Requirement[]): ClassPredicate {
  const seen = new WeakMap<ClassFacts, boolean>();
  return {
    key: `cilium-requiring(${reqs.map((q) => q.text).join(' | ')})`,
    matches(cls, ns) {
      let hit = seen.get(cls);
      if (hit === undefined) seen.set(cls, (hit = reqs.some((q) => q.selects.matches(cls, ns))));
      return hit;
    },
  };
}

/** A rule's condition on its own pod, narrowed by `where`. */
function narrowSubject(rule: Rule, where: ClassPredicate): PodSet {
  const prior = rule.subject;
  if (!prior) return { namespaces: EVERY_NAMESPACE, where };
  const before = prior.where;
  return { ...prior, where: before ? { key: `${before.key}&${where.key}`, matches: (cls, ns) => before.matches(cls, ns) && where.matches(cls, ns) } : where };
}

/**
 * A rule under the requirements that may apply to it (same direction, written in a rule of its action, a
 * scope that may select the same pods). On the pods a requiring policy selects, a pod peer that
 * fails one is in doubt, counted as selected; on every other pod the rule stands as written. So
 * one rule becomes two with the same index, each conditioned on the pod the policy is evaluated for.
 */
function withRequirements(rule: Rule, reqs: readonly Requirement[], settings: CiliumSettings): Rule[] {
  if (!reqs.length || rule.peers === 'any') return [rule];
  const checks = reqs.map((q) => ({ text: q.text, preds: q.selectors.map((sel) => selectorPredicate(sel, settings.clusterName)) }));
  let touched = false;
  const peers = rule.peers.map((peer): Peer => {
    if (peer.kind !== 'pods' || peer === HOST_NETWORK_AS_HOST || peer === HOST_NETWORK_AS_REMOTE_NODE || peer === HOST_NETWORK_PODS) return peer;
    touched = true;
    const base = peer.where;
    const doubt = (cls: ClassFacts, ns: Labels): string | undefined => {
      const own = base?.doubt?.(cls, ns);
      if (own || (base && !base.matches(cls, ns))) return own;
      const failed = checks.filter((c) => !c.preds.every((q) => q.matches(cls, ns))).map((c) => c.text);
      return failed.length ? `the pod does not satisfy ${failed.join('; ')}, which Cilium ANDs into this selector for the pods that policy selects (not evaluated); counted as selected` : undefined;
    };
    return { ...peer, where: { ...(base ?? { key: 'pods', matches: () => true }), key: `${base?.key ?? 'pods'}+requires(${checks.map((c) => c.text).join(' | ')})`, doubt } };
  });
  if (!touched) return [rule];
  const required = selectedByAny(reqs);
  const notRequired: ClassPredicate = { key: `!${required.key}`, matches: (cls, ns) => !required.matches(cls, ns) };
  return [{ ...rule, peers, subject: narrowSubject(rule, required) }, { ...rule, subject: narrowSubject(rule, notRequired) }];
}

/** The LayerPolicies of one Cilium object: one per rule of spec/specs (an invalid object: one, with its errors). */
export function ciliumLayerPolicies(p: CiliumPolicy, settings: CiliumSettings, snapshot: Snapshot, notes: CoverageNote[], dns: DnsProxied = dnsProxiedPods([p], settings), requirements: readonly Requirement[] = [], release: CiliumRelease = ciliumRelease(snapshot)): LayerPolicy[] {
  const ref: ResourceRef = { kind: p.kind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name || '(unnamed)' };
  const display = `${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name || '(unnamed)'}`;
  const base = { api: p.kind === 'CiliumClusterwideNetworkPolicy' ? 'CiliumClusterwide' as const : 'Cilium' as const, layer: 'cilium' as const, ref, kindLabel: p.kind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), raw: p.raw };
  for (const message of p.notes) notes.push({ object: ref, message: `${p.kind} ${display}: ${message}` });
  if (p.errors.length) {
    return [{ ...base, id: `${p.kind}:${display}`, displayName: display, sortName: display, subject: { namespaces: p.namespace !== undefined ? { kind: 'policy' } : EVERY_NAMESPACE }, isolates: { ingress: false, egress: false }, errors: p.errors }];
  }
  const several = p.rules.length > 1;
  const out: LayerPolicy[] = [];
  // enableDefaultDeny is honoured from Cilium 1.16 (./release.ts); an older agent does not know the field.
  const honoursDefaultDeny = settings.nonDefaultDenyPolicies && (!release.known || release.defaultDenyField);
  if (settings.nonDefaultDenyPolicies && p.rules.some((r) => !r.hostPolicy && r.subject && (r.enableDefaultDeny.ingress === false || r.enableDefaultDeny.egress === false))) {
    const at = several ? 'specs[].enableDefaultDeny' : 'spec.enableDefaultDeny';
    if (release.known && !release.defaultDenyField) notes.push({ object: ref, message: `${p.kind} ${display}: ${at}: Cilium ${release.text} predates the field (added in 1.16, cilium/cilium#30572), so the policy isolates the pods it selects` });
    else if (!release.known) notes.push({ object: ref, message: `${p.kind} ${display}: ${at}: read as Cilium 1.16 or later does (${release.text}); before 1.16 the field does not exist and the policy isolates the pods it selects` });
  }
  for (const rule of p.rules) {
    if (rule.hostPolicy || !rule.subject) continue; // a host policy (nodeSelector): noted by the parser
    const suffix = several ? ` ${rule.path}` : '';
    const noted: string[] = [];
    const uncertain: string[] = [];
    const rules = (dir: 'ingress' | 'egress'): Rule[] | undefined => {
      const allows = rule[dir];
      const denies = dir === 'ingress' ? rule.ingressDeny : rule.egressDeny;
      if (allows.length === 0 && denies.length === 0) return undefined;
      const list: Rule[] = [];
      // A CiliumNetworkPolicy's requirement reaches only the pods of its namespace: not another namespace's policy's.
      const reqs = requirements.filter((q) => q.dir === dir && (q.namespace === undefined || p.namespace === undefined || q.namespace === p.namespace));
      const allowReqs = reqs.filter((q) => !q.deny);
      const denyReqs = reqs.filter((q) => q.deny);
      // Rule indices count the rules written, not their copies per requirement (withRequirements).
      let index = 0;
      allows.forEach((r) => {
        const n = neutralRule(r, 'Allow', index, `${dir}[${r.index}]`, settings, snapshot, noted, uncertain, dir === 'egress' ? dns : undefined);
        if (n?.subject && (p.namespace === undefined ? dns.scopes.size === 0 : !dns.scopes.has(p.namespace) && !dns.scopes.has(''))) noted.push(`${dir}[${r.index}]: toFQDNs, but no egress rule with DNS rules (toPorts rules.dns) selects these pods, so Cilium's DNS proxy never learns the names' addresses: they match nothing`);
        if (n) {
          list.push(...withRequirements(n, allowReqs, settings));
          index++;
        }
      });
      denies.forEach((r) => {
        const n = neutralRule(r, 'Deny', index, `${dir}Deny[${r.index}]`, settings, snapshot, noted, uncertain);
        if (n) {
          list.push(...withRequirements(n, denyReqs, settings));
          index++;
        }
      });
      return list;
    };
    const ingress = rules('ingress');
    const egress = rules('egress');
    const defaultDeny = (dir: 'ingress' | 'egress') => (honoursDefaultDeny ? rule.enableDefaultDeny[dir] !== false : true);
    for (const message of [...noted, ...uncertain]) notes.push({ object: ref, message: `${p.kind} ${display}${suffix}: ${message}` });
    out.push({
      ...base,
      id: `${p.kind}:${display}${several ? `#${rule.path}` : ''}`,
      displayName: `${display}${suffix}`,
      sortName: `${display}${suffix}`,
      subject: { ...podSetFor(rule.subject, settings), ...(p.namespace !== undefined ? { namespaces: { kind: 'policy' as const } } : {}), excludeHostNetwork: true },
      ...(ingress ? { ingress } : {}),
      ...(egress ? { egress } : {}),
      isolates: { ingress: !!ingress && defaultDeny('ingress'), egress: !!egress && defaultDeny('egress') },
      ...(uncertain.length ? { uncertain } : {}),
      errors: [],
    });
  }
  return out;
}

/**
 * The CiliumCIDRGroups of the snapshot (name, labels, spec.externalCIDRs), or why they are not
 * known: the kind could not be read. A CIDR that does not parse is left out, as the CRD's
 * schema (format: cidr) refuses it.
 */
function readCidrGroups(snapshot: Snapshot): { groups: CidrGroup[]; fromManifests: boolean } | { unread: string } {
  const c = snapshot.coverage['cilium.cidrgroups'];
  if (c && (c.status === 'forbidden' || c.status === 'error')) return { unread: `ciliumcidrgroups.cilium.io ${c.status}` };
  const groups: CidrGroup[] = [];
  for (const o of snapshot.resources['cilium.cidrgroups'] ?? []) {
    const list = (o.spec as { externalCIDRs?: unknown } | undefined)?.externalCIDRs;
    const cidrs = (Array.isArray(list) ? list : []).flatMap((t: unknown) => {
      const block = typeof t === 'string' ? parseCidr(t) : undefined;
      return block ? [{ text: t as string, block }] : [];
    });
    const labels = Object.fromEntries(Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => [k, String(v)]));
    groups.push({ name: o.metadata?.name ?? '', labels, cidrs });
  }
  return { groups, fromManifests: snapshot.origin !== 'live' };
}

/** The host policies Cilium accepts (nodeSelector rules), per direction they have rules for. */
function hostPolicies(parsed: readonly CiliumPolicy[]): { ingress: string[]; egress: string[] } {
  const out = { ingress: new Set<string>(), egress: new Set<string>() };
  for (const p of parsed) {
    if (p.errors.length) continue;
    for (const rule of p.rules) {
      if (!rule.hostPolicy) continue;
      const name = `${p.kind} ${p.name || '(unnamed)'}`;
      if (rule.ingress.length || rule.ingressDeny.length) out.ingress.add(name);
      if (rule.egress.length || rule.egressDeny.length) out.egress.add(name);
    }
  }
  return { ingress: [...out.ingress].sort(), egress: [...out.egress].sort() };
}

/**
 * The APIs the agent does not watch, each naming its switch: pkg/policy/k8s/cell.go registers
 * the NetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy watches only when
 * enable-k8s-networkpolicy, enable-cilium-network-policy and enable-cilium-clusterwide-network-policy are on.
 */
function ciliumApisOff(settings: CiliumSettings): Partial<Record<PolicyApi, string>> {
  const off: Partial<Record<PolicyApi, string>> = {};
  const why = (key: AgentKey, kinds: string) => `${settings.setBy[key] ?? `${settings.source} sets ${key} to false`}: the Cilium agent does not watch ${kinds}`;
  if (!settings.k8sNetworkPolicy) off.NetworkPolicy = why('enable-k8s-networkpolicy', 'NetworkPolicies');
  if (!settings.ciliumNetworkPolicy) off.Cilium = why('enable-cilium-network-policy', 'CiliumNetworkPolicies');
  if (!settings.ciliumClusterwideNetworkPolicy) off.CiliumClusterwide = why('enable-cilium-clusterwide-network-policy', 'CiliumClusterwideNetworkPolicies');
  // Off by default: said here only when something other than cilium-config turned it off (composition.ts says the default).
  if (!settings.k8sClusterNetworkPolicy && settings.setBy['enable-k8s-cluster-network-policy']) off.ClusterNetworkPolicy = why('enable-k8s-cluster-network-policy', 'ClusterNetworkPolicies');
  return off;
}

/** The switch each policy API's watch hangs on (ciliumApisOff). */
const API_SWITCHES: ReadonlyArray<[PolicyApi, AgentKey]> = [
  ['NetworkPolicy', 'enable-k8s-networkpolicy'],
  ['Cilium', 'enable-cilium-network-policy'],
  ['CiliumClusterwide', 'enable-cilium-clusterwide-network-policy'],
  ['ClusterNetworkPolicy', 'enable-k8s-cluster-network-policy'],
];

/** The APIs whose switch cannot be confirmed (CiliumSettings.unconfirmed), each with why. */
function ciliumApisUnconfirmed(settings: CiliumSettings): Partial<Record<PolicyApi, string>> {
  return Object.fromEntries(API_SWITCHES.flatMap(([api, key]) => (settings.unconfirmed[key] ? [[api, settings.unconfirmed[key]]] : [])));
}

export const ciliumAdapter: PolicyApiAdapter = {
  api: 'Cilium',
  kinds: CILIUM_KINDS,
  parse({ snapshot }) {
    const settings = readCiliumSettings(snapshot);
    const notes: CoverageNote[] = [];
    const objects = [...(snapshot.resources['cilium.networkpolicies'] ?? []), ...(snapshot.resources['cilium.clusterwidenetworkpolicies'] ?? [])].filter((o) => isCiliumPolicyKind(o.kind));
    const release = ciliumRelease(snapshot);
    const options = { ...settings, schemaChecked: snapshot.origin === 'manifests', cidrGroups: readCidrGroups(snapshot), release };
    const parsed = objects.map((o) => parseCiliumPolicy(o, options));
    const dns = dnsProxiedPods(parsed, settings);
    const requirements = requirementsOf(parsed, release, notes, settings);
    const policies = parsed.flatMap((p) => ciliumLayerPolicies(p, settings, snapshot, notes, dns, requirements, release));
    const cm: ResourceRef = settings.resource ?? { kind: 'ConfigMap', namespace: 'kube-system', name: 'cilium-config' };
    for (const problem of settings.problems) notes.push({ object: cm, message: `${settings.source}: ${problem}` });
    for (const note of settings.notes) notes.push({ object: cm, message: `${settings.source}: ${note}` });
    const apisOff = ciliumApisOff(settings);
    const apisUnconfirmed = ciliumApisUnconfirmed(settings);
    // Either switch alone turns enforcement off: a doubt on one matters only where the other does not already.
    const policyDoubt = settings.unconfirmed['enable-policy'];
    const auditDoubt = settings.unconfirmed['policy-audit-mode'];
    const switchDoubt = [policyDoubt && (!settings.auditMode || auditDoubt) ? policyDoubt : undefined, auditDoubt && (settings.enforcement !== 'never' || policyDoubt) ? auditDoubt : undefined].filter((w) => w !== undefined).join('; ');
    const setBy = { ...(settings.setBy['enable-policy'] ? { enforcement: settings.setBy['enable-policy'] } : {}), ...(settings.setBy['policy-audit-mode'] ? { auditMode: settings.setBy['policy-audit-mode'] } : {}) };
    const overridden = Object.keys(settings.setBy).length > 0 || Object.keys(settings.unconfirmed).length > 0;
    return { policies, notes, ...(settings.resource || overridden ? { settings: {
      ciliumEnforcement: settings.enforcement,
      ciliumRoutingMode: settings.routingMode,
      ...(settings.auditMode ? { ciliumAuditMode: true } : {}),
      ...(Object.keys(setBy).length ? { ciliumSetBy: setBy } : {}),
      ...(switchDoubt ? { ciliumSwitchUnconfirmed: switchDoubt } : {}),
      ...(Object.keys(apisUnconfirmed).length ? { ciliumApisUnconfirmed: apisUnconfirmed } : {}),
      ...(settings.allowLocalhost ? {} : { ciliumLocalhostByPolicy: true }),
      ...(Object.keys(apisOff).length ? { ciliumApisOff: apisOff } : {}),
      ...(settings.k8sClusterNetworkPolicy ? { ciliumClusterNetworkPolicy: true } : {}),
      ...(settings.hostFirewall ? { ciliumHostFirewall: hostPolicies(parsed) } : {}),
    } } : {}) };
  },
};
