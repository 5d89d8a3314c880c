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

function npPeerOk(c: NaiveCluster, peers: Obj[] | undefined, policyNs: string, other: NaivePeer): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((p) => {
    if (p.ipBlock) return other.kind === 'ip' && inCidr(other.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e: string) => inCidr(other.ip, e));
    if (other.kind !== 'pod') return false;
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
    if (p.networks) return other.kind === 'ip' && p.networks.some((n: string) => inCidr(other.ip, n));
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
