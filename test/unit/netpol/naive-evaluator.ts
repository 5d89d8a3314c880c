// A deliberately naive second evaluator for the differential test: it reads the raw objects
// (no parser, no classes, no connection sets, no stages shared with the model) and answers one
// question at a time — is this one (protocol, port) allowed from this pod (or address) to that
// one — by walking the API texts literally: ANPs by priority, first matching rule; then the
// NetworkPolicies that select the pod (union); then the BANP named "default". Written from the
// API documentation, not from src/analysis/netpol.

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Labels = Record<string, string>;

export interface NaivePod {
  ns: string;
  name: string;
  labels: Labels;
  ports: Array<{ name: string; port: number; protocol: string }>;
  hostNetwork: boolean;
}

export type NaivePeer = { kind: 'pod'; pod: NaivePod } | { kind: 'ip'; ip: number };

export interface NaiveCluster {
  nsLabels: Map<string, Labels>;
  pods: NaivePod[];
  netpols: Obj[];
  anps: Obj[];
  banp?: Obj;
  calico?: Obj[];
  calicoTiers?: Obj[];
  cilium?: Obj[];
}

function matchSel(sel: Obj | undefined | null, labels: Labels): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
function k(l: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(l, key);
}

function ipv4(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}
function inCidr(ip: number, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (base.includes(':')) return false;
  const size = 2 ** (32 - Number(bits));
  const lo = Math.floor(ipv4(base) / size) * size;
  return ip >= lo && ip < lo + size;
}

// A pod's address, for the CIDRs that match pods too (ANP networks: "cluster-internal traffic
// will be checked against the rule as well. So if you Allow or Deny traffic to "0.0.0.0/0",
// that will allow or deny all IPv4 pod-to-pod traffic as well"; Calico nets match the packet's
// address). Every pod has this IPv4 address (TEST-NET-2): inside 0.0.0.0/0, outside the
// narrower CIDRs the generator writes, as the model counts a pod whose address it does not know.
const POD_IP = ipv4('198.51.100.1');

function addressOf(p: NaivePeer): number {
  return p.kind === 'ip' ? p.ip : POD_IP;
}

function nsLabelsOf(c: NaiveCluster, ns: string): Labels {
  return c.nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
}

/** The number a named port means on `dst` for `protocol`, or undefined. */
function named(dst: NaivePeer, name: string, protocol: string): number | undefined {
  if (dst.kind !== 'pod') return undefined;
  return dst.pod.ports.find((p) => p.name === name && p.protocol === protocol)?.port;
}

// ---- NetworkPolicy (networking.k8s.io/v1)

function npTypes(np: Obj): { ingress: boolean; egress: boolean } {
  const t = np.spec.policyTypes;
  if (!t || t.length === 0) return { ingress: true, egress: Array.isArray(np.spec.egress) && np.spec.egress.length > 0 };
  return { ingress: t.includes('Ingress'), egress: t.includes('Egress') };
}

function npPortOk(ports: Obj[] | undefined, dst: NaivePeer, proto: string, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    const pp = p.protocol ?? 'TCP';
    if (pp !== proto) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return named(dst, p.port, proto) === port;
    return port >= p.port && port <= (p.endPort ?? p.port);
  });
}

/**
 * `calico`: as Calico enforces the policy, its ipBlock turned into nets/notNets matched on the
 * packet's address, a pod's too (libcalico-go k8s conversion k8sPeerToCalicoFields), and its
 * pod peers leaving host-network pods out (they are not workload endpoints).
 */
function npPeerOk(c: NaiveCluster, peers: Obj[] | undefined, policyNs: string, other: NaivePeer, calico = false): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((p) => {
    if (p.ipBlock) {
      // Under Calico a pod's address is matched too, as its `nets` are: the oracle gives every pod
      // one concrete address (POD_IP); the model, which knows none, says where that could decide.
      if (other.kind !== 'ip' && !calico) return false;
      const ip = addressOf(other);
      return inCidr(ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e: string) => inCidr(ip, e));
    }
    if (other.kind !== 'pod' || (calico && other.pod.hostNetwork)) return false;
    if (p.namespaceSelector) { if (!matchSel(p.namespaceSelector, nsLabelsOf(c, other.pod.ns))) return false; } else if (other.pod.ns !== policyNs) return false;
    return matchSel(p.podSelector, other.pod.labels);
  });
}

/** undefined: no NetworkPolicy selects the pod in this direction. */
function npVerdict(c: NaiveCluster, dir: 'ingress' | 'egress', self: NaivePod, other: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean | undefined {
  const selecting = c.netpols.filter((np) => np.metadata.namespace === self.ns && npTypes(np)[dir] && matchSel(np.spec.podSelector, self.labels));
  if (selecting.length === 0) return undefined;
  return selecting.some((np) => (np.spec[dir] ?? []).some((r: Obj) => npPeerOk(c, dir === 'ingress' ? r.from : r.to, np.metadata.namespace, other) && npPortOk(r.ports, dst, proto, port)));
}

// ---- AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1)

function anpPodsOk(c: NaiveCluster, set: Obj, pod: NaivePod): boolean {
  if (pod.hostNetwork) return false; // host-networked pods are neither subjects nor peers
  if (set.namespaces !== undefined) return matchSel(set.namespaces, nsLabelsOf(c, pod.ns));
  return matchSel(set.pods.namespaceSelector, nsLabelsOf(c, pod.ns)) && matchSel(set.pods.podSelector, pod.labels);
}

function anpPortOk(ports: Obj[] | undefined, dst: NaivePeer, proto: string, port: number): boolean {
  if (!ports) return true;
  return ports.some((p) => {
    if (p.portNumber) return (p.portNumber.protocol ?? 'TCP') === proto && p.portNumber.port === port;
    if (p.portRange) return (p.portRange.protocol ?? 'TCP') === proto && port >= p.portRange.start && port <= p.portRange.end;
    if (p.namedPort) return named(dst, p.namedPort, proto) === port;
    return false;
  });
}

function anpPeerOk(c: NaiveCluster, peers: Obj[], other: NaivePeer): boolean {
  return peers.some((p) => {
    if (p.networks) return p.networks.some((n: string) => inCidr(addressOf(other), n));
    if (other.kind !== 'pod') return false;
    if (p.namespaces !== undefined || p.pods !== undefined) return anpPodsOk(c, p, other.pod);
    return false;
  });
}

/** 'Allow' | 'Deny' | 'Pass' | undefined (no rule matched) for one admin policy. */
function adminRule(c: NaiveCluster, pol: Obj, dir: 'ingress' | 'egress', other: NaivePeer, dst: NaivePeer, proto: string, port: number): string | undefined {
  for (const r of pol.spec[dir] ?? []) {
    if (anpPeerOk(c, dir === 'ingress' ? r.from : r.to, other) && anpPortOk(r.ports, dst, proto, port)) return r.action;
  }
  return undefined;
}

function direction(c: NaiveCluster, dir: 'ingress' | 'egress', self: NaivePod, other: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean {
  const anps = c.anps.filter((a) => anpPodsOk(c, a.spec.subject, self) && (a.spec[dir] ?? []).length > 0).sort((x, y) => x.spec.priority - y.spec.priority || (x.metadata.name < y.metadata.name ? -1 : 1));
  for (const a of anps) {
    const act = adminRule(c, a, dir, other, dst, proto, port);
    if (act === 'Allow') return true;
    if (act === 'Deny') return false;
    if (act === 'Pass') break;
  }
  const np = npVerdict(c, dir, self, other, dst, proto, port);
  if (np !== undefined) return np;
  if (c.banp && anpPodsOk(c, c.banp.spec.subject, self)) {
    const act = adminRule(c, c.banp, dir, other, dst, proto, port);
    if (act === 'Deny') return false;
  }
  return true;
}

/** Is (proto, port) from `src` to `dst` allowed? External addresses are not governed on their side. */
export function naiveAllowed(c: NaiveCluster, src: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean {
  const egress = src.kind === 'pod' ? direction(c, 'egress', src.pod, dst, dst, proto, port) : true;
  if (!egress) return false;
  return dst.kind === 'pod' ? direction(c, 'ingress', dst.pod, src, dst, proto, port) : true;
}

// ---- Calico (projectcalico.org/v3), the subset the differential generator writes: selectors
// all(), k == 'v', k != 'v', has(k), !has(k), k in {'a','b'} joined by &&; tiers with a
// defaultAction; rules with protocol, source/destination selector, namespaceSelector, nets and
// numeric or named ports (an admin policy's namedPort, as Calico v3.29-v3.31 convert it: every
// port). Kubernetes NetworkPolicies sit in the default tier at order 1000
// (allow-only), AdminNetworkPolicies in the adminnetworkpolicy tier (order 1000, Pass), the
// BANP in baselineadminnetworkpolicy (10,000,000, Pass); the default tier is 1,000,000.

function calicoSel(expr: string | undefined, labels: Labels): boolean {
  if (expr === undefined) return true;
  return expr.split('&&').map((t) => t.trim()).every((t) => {
    let m: RegExpExecArray | null;
    if (t === 'all()') return true;
    if ((m = /^!has\(([^)]+)\)$/.exec(t))) return !k(labels, m[1]);
    if ((m = /^has\(([^)]+)\)$/.exec(t))) return k(labels, m[1]);
    if ((m = /^(\S+) == '([^']*)'$/.exec(t))) return labels[m[1]] === m[2];
    if ((m = /^(\S+) != '([^']*)'$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^(\S+) in \{(.*)\}$/.exec(t))) return k(labels, m[1]) && m[2].split(',').map((x) => x.trim().replace(/'/g, '')).includes(labels[m[1]]);
    throw new Error(`naive Calico selector: ${t}`);
  });
}

function calicoPodLabels(p: NaivePod): Labels {
  return { ...p.labels, 'projectcalico.org/namespace': p.ns, 'projectcalico.org/orchestrator': 'k8s', 'projectcalico.org/serviceaccount': 'default' };
}

/** Whether a Calico rule's source (ingress) / destination (egress) matches the peer. */
function calicoPeerOk(c: NaiveCluster, pol: Obj, side: Obj | undefined, other: NaivePeer): boolean {
  if (!side || (side.selector === undefined && side.namespaceSelector === undefined && side.nets === undefined)) return true;
  if (side.nets !== undefined) return side.nets.some((n: string) => inCidr(addressOf(other), n));
  if (other.kind !== 'pod' || other.pod.hostNetwork) return false;
  if (side.namespaceSelector !== undefined) {
    if (!calicoSel(side.namespaceSelector, { ...nsLabelsOf(c, other.pod.ns), 'projectcalico.org/name': other.pod.ns })) return false;
  } else if (pol.metadata.namespace !== undefined && other.pod.ns !== pol.metadata.namespace) return false;
  return calicoSel(side.selector, calicoPodLabels(other.pod));
}

function calicoPortOk(rule: Obj, dst: NaivePeer, proto: string, port: number): boolean {
  if (rule.protocol !== undefined && rule.protocol !== proto) return false;
  const ports = rule.destination?.ports;
  if (!ports) return true;
  return ports.some((p: number | string) => {
    if (typeof p === 'number') return p === port;
    if (/^\d+:\d+$/.test(p)) { const [a, b] = p.split(':').map(Number); return port >= a && port <= b; }
    return named(dst, p, proto) === port;
  });
}

interface NaiveTierPolicy { order: number; name: string; rules: (dir: 'ingress' | 'egress') => Array<{ action: string; match: (other: NaivePeer, dst: NaivePeer, proto: string, port: number) => boolean }> | undefined; applies: (pod: NaivePod) => boolean }

function calicoPolicies(c: NaiveCluster): Map<string, NaiveTierPolicy[]> {
  const tiers = new Map<string, NaiveTierPolicy[]>();
  const add = (tier: string, p: NaiveTierPolicy) => tiers.set(tier, [...(tiers.get(tier) ?? []), p]);
  for (const pol of c.calico ?? []) {
    const types: string[] = pol.spec.types;
    add(pol.spec.tier ?? 'default', {
      order: pol.spec.order ?? Infinity,
      name: pol.metadata.name,
      applies: (pod) => !pod.hostNetwork && (pol.metadata.namespace === undefined || pod.ns === pol.metadata.namespace) && calicoSel(pol.spec.selector, calicoPodLabels(pod)),
      rules: (dir) => (types.includes(dir === 'ingress' ? 'Ingress' : 'Egress') ? (pol.spec[dir] ?? []).map((r: Obj) => ({
        action: r.action,
        match: (other: NaivePeer, dst: NaivePeer, proto: string, port: number) => calicoPeerOk(c, pol, dir === 'ingress' ? r.source : r.destination, other) && calicoPortOk(r, dst, proto, port),
      })) : undefined),
    });
  }
  for (const np of c.netpols) {
    add('default', {
      order: 1000,
      name: `knp.default.${np.metadata.name}`,
      applies: (pod) => !pod.hostNetwork && pod.ns === np.metadata.namespace && matchSel(np.spec.podSelector, pod.labels),
      rules: (dir) => (npTypes(np)[dir] ? (np.spec[dir] ?? []).map((r: Obj) => ({
        action: 'Allow',
        match: (other: NaivePeer, dst: NaivePeer, proto: string, port: number) => npPeerOk(c, dir === 'ingress' ? r.from : r.to, np.metadata.namespace, other, true) && npPortOk(r.ports, dst, proto, port),
      })) : undefined),
    });
  }
  const admin = (tier: string, pol: Obj, order: number) => add(tier, {
    order,
    name: pol.metadata.name,
    applies: (pod) => anpPodsOk(c, pol.spec.subject, pod),
    rules: (dir) => (pol.spec[dir]?.length ? pol.spec[dir].map((r: Obj) => ({
      action: r.action,
      // Calico v3.29-v3.31 convert a namedPort to no port at all, which unpackANPPorts reads as
      // every port and protocol (libcalico-go/lib/backend/k8s/conversion/conversion.go).
      match: (other: NaivePeer, dst: NaivePeer, proto: string, port: number) => anpPeerOk(c, dir === 'ingress' ? r.from : r.to, other) && (r.ports?.some((p: Obj) => p.namedPort) || anpPortOk(r.ports, dst, proto, port)),
    })) : undefined),
  });
  for (const a of c.anps) admin('adminnetworkpolicy', a, a.spec.priority);
  if (c.banp) admin('baselineadminnetworkpolicy', c.banp, 0);
  return tiers;
}

function calicoDirection(c: NaiveCluster, dir: 'ingress' | 'egress', self: NaivePod, other: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean {
  const byTier = calicoPolicies(c);
  const tiers = [
    { name: 'adminnetworkpolicy', order: 1000, pass: true },
    { name: 'default', order: 1_000_000, pass: false },
    { name: 'baselineadminnetworkpolicy', order: 10_000_000, pass: true },
    ...(c.calicoTiers ?? []).map((t) => ({ name: t.metadata.name as string, order: t.spec.order as number, pass: t.spec.defaultAction === 'Pass' })),
  ].sort((a, b) => a.order - b.order);
  for (const tier of tiers) {
    const applying = (byTier.get(tier.name) ?? []).filter((p) => p.applies(self) && p.rules(dir) !== undefined)
      .sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));
    if (applying.length === 0) continue;
    let decided: string | undefined;
    outer: for (const p of applying) {
      for (const r of p.rules(dir)!) {
        if (r.action === 'Log' || !r.match(other, dst, proto, port)) continue;
        decided = r.action;
        break outer;
      }
    }
    if (decided === 'Allow') return true;
    if (decided === 'Deny') return false;
    if (decided === 'Pass') continue;
    if (!tier.pass) return false; // end-of-tier deny
  }
  return true;
}

// ---- Cilium (cilium.io/v2), the subset the generator writes: endpointSelector matchLabels
// (a CiliumNetworkPolicy's own namespace; a CCNP's selector may name io.kubernetes.pod.namespace),
// ingress/egress with fromEndpoints/toEndpoints (matchLabels), fromEntities/toEntities
// (world, cluster, all), fromCIDR/toCIDR, toPorts (numeric or named port, TCP/UDP);
// ingressDeny/egressDeny beside allow rules. Selected in a direction = default deny there;
// Deny beats every Allow, Kubernetes NetworkPolicies included. Host-network pods are the node:
// no policy selects them and only entities (cluster, all) name them.

const CNS = 'io.kubernetes.pod.namespace';

function ciliumEpOk(sel: Obj, policyNs: string | undefined, pod: NaivePod): boolean {
  if (pod.hostNetwork) return false;
  const ml: Labels = { ...(sel.matchLabels ?? {}) };
  if (ml[CNS] !== undefined) { if (ml[CNS] !== pod.ns) return false; delete ml[CNS]; } else if (policyNs !== undefined && pod.ns !== policyNs) return false;
  return Object.entries(ml).every(([key, v]) => pod.labels[key] === v);
}

function ciliumPeerOk(r: Obj, dir: 'ingress' | 'egress', policyNs: string | undefined, other: NaivePeer): boolean {
  const eps = r[dir === 'ingress' ? 'fromEndpoints' : 'toEndpoints'];
  const ents = r[dir === 'ingress' ? 'fromEntities' : 'toEntities'];
  const cidrs = r[dir === 'ingress' ? 'fromCIDR' : 'toCIDR'];
  if (!eps && !ents && !cidrs) return true;
  if (eps && other.kind === 'pod' && eps.some((s: Obj) => ciliumEpOk(s, policyNs, other.pod))) return true;
  if (ents && ents.some((e: string) => e === 'all' || (e === 'world' && other.kind === 'ip') || (e === 'cluster' && other.kind === 'pod'))) return true;
  if (cidrs && other.kind === 'ip' && cidrs.some((x: string) => inCidr(other.ip, x))) return true;
  return false;
}

function ciliumPortOk(r: Obj, dst: NaivePeer, proto: string, port: number): boolean {
  if (!r.toPorts) return true;
  return r.toPorts.some((tp: Obj) => (tp.ports ?? []).some((p: Obj) => (p.protocol ?? 'ANY') !== proto && (p.protocol ?? 'ANY') !== 'ANY' ? false : /^\d+$/.test(p.port) ? Number(p.port) === port : named(dst, p.port, proto) === port));
}

function ciliumDirection(c: NaiveCluster, dir: 'ingress' | 'egress', self: NaivePod, other: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean {
  if (self.hostNetwork) return true;
  let selected = false;
  let allowed = false;
  const denyKey = dir === 'ingress' ? 'ingressDeny' : 'egressDeny';
  for (const pol of c.cilium ?? []) {
    const policyNs = pol.kind === 'CiliumNetworkPolicy' ? pol.metadata.namespace : undefined;
    if (!ciliumEpOk(pol.spec.endpointSelector, policyNs, self)) continue;
    if (pol.spec[dir] !== undefined || pol.spec[denyKey] !== undefined) selected = true;
    for (const r of pol.spec[denyKey] ?? []) if (ciliumPeerOk(r, dir, policyNs, other) && ciliumPortOk(r, dst, proto, port)) return false;
    for (const r of pol.spec[dir] ?? []) if (Object.keys(r).length > 0 && ciliumPeerOk(r, dir, policyNs, other) && ciliumPortOk(r, dst, proto, port)) allowed = true;
  }
  for (const np of c.netpols) {
    if (np.metadata.namespace !== self.ns || !npTypes(np)[dir] || !matchSel(np.spec.podSelector, self.labels)) continue;
    selected = true;
    for (const r of np.spec[dir] ?? []) {
      const peers = dir === 'ingress' ? r.from : r.to;
      if (other.kind === 'pod' && other.pod.hostNetwork && peers?.length) continue;
      if (npPeerOk(c, peers, np.metadata.namespace, other) && npPortOk(r.ports, dst, proto, port)) allowed = true;
    }
  }
  return selected ? allowed : true;
}

/** The same question under the CNI's composition: 'kubernetes' (ANP, NP, BANP), 'calico' (tiers) or 'cilium' (one union, deny wins). */
export function naiveAllowedUnder(cni: 'kubernetes' | 'calico' | 'cilium', c: NaiveCluster, src: NaivePeer, dst: NaivePeer, proto: string, port: number): boolean {
  if (cni === 'kubernetes') return naiveAllowed(c, src, dst, proto, port);
  const dirFn = cni === 'calico' ? calicoDirection : ciliumDirection;
  if (src.kind === 'pod' && !dirFn(c, 'egress', src.pod, dst, dst, proto, port)) return false;
  return dst.kind === 'pod' ? dirFn(c, 'ingress', dst.pod, src, dst, proto, port) : true;
}
