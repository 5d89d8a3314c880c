// networking.k8s.io/v1 NetworkPolicy, parsed and validated as the API server would:
// policyTypes defaulting applied here (manifests usually lack it), errors collected instead
// of thrown, so an invalid policy is reported and left out of the model (it could not exist).

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { clusterMinor } from '../pss/levels.ts';
import { templatesStandIn } from '../workloads.ts';
import { isProtocol, type Protocol } from './conns.ts';
import { parseCidr, sloppyCidr, subtractRanges, type IpRange } from '../../base/ip.ts';
import { matchAllSelector, parseSelector, type Selector } from './selector.ts';
import type { LayerPolicy, Peer as LayerPeer, PortSpec as LayerPortSpec, Rule } from './layers.ts';

export type PortSpec = LayerPortSpec;

export type Peer =
  | { kind: 'pods'; podSelector?: Selector; namespaceSelector?: Selector }
  | { kind: 'ipBlock'; cidr: string; except: string[]; block: IpRange; ranges: IpRange[] };

export interface PolicyRule {
  /** Position in spec.ingress / spec.egress. */
  index: number;
  /** 'any' when from/to is missing or empty. */
  peers: Peer[] | 'any';
  /** 'any' when ports is missing or empty. */
  ports: PortSpec[] | 'any';
}

export interface ParsedPolicy {
  namespace: string;
  name: string;
  /** "namespace/name". */
  id: string;
  podSelector: Selector;
  /** Effective policyTypes after defaulting. */
  ingressType: boolean;
  egressType: boolean;
  /** True when policyTypes was absent and had to be defaulted. */
  typesDefaulted: boolean;
  ingress: PolicyRule[];
  egress: PolicyRule[];
  errors: string[];
  /** What the API server stores but an enforcer may not read (readCidr): the policy is then left out as unevaluated. */
  unreadable: string[];
  raw: KubeObject;
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not a port name a container port may carry (IsValidPortName: an IANA_SVC_NAME, with a letter), or undefined. */
export function portNameError(name: string): string | undefined {
  if (name.length > 15 || !PORT_NAME.test(name) || name.includes('--') || !/[a-z]/.test(name)) return `"${name}" is not a valid port name (IANA_SVC_NAME)`;
  return undefined;
}

function parsePorts(raw: unknown, at: string, errors: string[]): PortSpec[] | 'any' {
  if (raw === undefined || raw === null) return 'any';
  if (!Array.isArray(raw)) {
    errors.push(`${at}: not a list`);
    return [];
  }
  if (raw.length === 0) return 'any';
  const out: PortSpec[] = [];
  raw.forEach((p: unknown, i: number) => {
    const where = `${at}[${i}]`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) return void errors.push(`${where}: not an object`);
    const { protocol, port, endPort } = p as Record<string, unknown>;
    const proto = protocol === undefined || protocol === null ? 'TCP' : protocol;
    if (!isProtocol(proto)) return void errors.push(`${where}.protocol: "${String(protocol)}" is not TCP, UDP or SCTP`);
    if (port === undefined || port === null) {
      if (endPort !== undefined && endPort !== null) return void errors.push(`${where}.endPort: needs a numeric port`);
      return void out.push({ protocol: proto, kind: 'all' });
    }
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) return void errors.push(`${where}.port: ${port} is not in 1-65535`);
      let hi = port;
      if (endPort !== undefined && endPort !== null) {
        if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort > 65535) return void errors.push(`${where}.endPort: not a port number`);
        if (endPort < port) return void errors.push(`${where}.endPort: ${endPort} is below port ${port}`);
        hi = endPort;
      }
      return void out.push({ protocol: proto, kind: 'range', lo: port, hi });
    }
    if (typeof port === 'string') {
      if (endPort !== undefined && endPort !== null) return void errors.push(`${where}.endPort: not allowed with named port "${port}"`);
      const e = portNameError(port);
      if (e) return void errors.push(`${where}.port: ${e}`);
      return void out.push({ protocol: proto, kind: 'named', name: port });
    }
    errors.push(`${where}.port: not a number or a name`);
  });
  return out;
}

/**
 * How the API server reads an ipBlock CIDR with leading zeros ("010.0.0.0/8", "10.0.0.0/08").
 * ValidateIPBlock checks ipBlock.cidr and except with IsValidCIDRForLegacyField, whose
 * ParseCIDRSloppy "allows leading '0' characters on numbers" and reads them as decimal (k8s.io/utils
 * net/parse.go), unless the StrictIPCIDRValidation feature gate is on: then it refuses them ("must
 * not have leading 0s in IP or prefix length", k8s.io/apimachinery pkg/util/validation/ip.go). The
 * gate is alpha and off by default from v1.33, beta and on by default from v1.36 (kubernetes
 * pkg/features/kube_features.go, v1.36.3). Only a create or an update meets it: a policy stored
 * before keeps its text. `refusedBy`: why the API server the manifests go to refuses them (the
 * cluster version), undefined where it stores them — a live cluster holds what it stored.
 */
interface CidrReading {
  errors: string[];
  /** What the API server stores but an enforcer may not read: the policy is then left out as unevaluated. */
  unreadable: string[];
  refusedBy?: string;
}

/**
 * Why the API server the snapshot's manifests are applied to refuses a CIDR with leading zeros,
 * or undefined when it stores one: a live snapshot (what it holds was stored), or manifests for a
 * cluster before v1.36. A cluster version not given is taken as the newest release, as Pod Security is.
 */
export function leadingZerosRefusedBy(snapshot: Snapshot): string | undefined {
  if (!templatesStandIn(snapshot)) return undefined;
  const minor = clusterMinor(snapshot.cluster?.version);
  if (minor !== undefined && minor < 36) return undefined;
  return minor === undefined ? 'the cluster version is not given, so taken as the newest release' : `the cluster version given is v1.${minor}`;
}

/** An ipBlock CIDR (cidr or an except entry) as the API server reads it, or undefined when it refuses it (the error pushed). */
function readCidr(text: unknown, field: string, cx: CidrReading): IpRange | undefined {
  const sloppy = typeof text === 'string' ? sloppyCidr(text) : undefined;
  if (!sloppy) {
    const block = typeof text === 'string' ? parseCidr(text) : undefined;
    if (!block) cx.errors.push(`${field}: "${String(text)}" is not a valid CIDR`);
    return block;
  }
  if (cx.refusedBy) {
    cx.errors.push(`${field}: "${String(text)}" has leading zeros, which the API server refuses from v1.36 ("must not have leading 0s in IP or prefix length": the StrictIPCIDRValidation feature gate, on by default from v1.36; ${cx.refusedBy}), so kubectl apply fails and the policy is never stored`);
    return undefined;
  }
  // Go's net.ParseCIDR refuses leading zeros in an IPv4 address since Go 1.17 (go.dev/doc/go1.17#net,
  // CVE-2021-29923) but reads them in a prefix length; netip.ParsePrefix refuses both ("bad bits after slash").
  const go = sloppy.inAddress ? "Go's net.ParseCIDR and netip.ParsePrefix refuse leading zeros in an address (Go 1.17 and later)" : "Go's netip.ParsePrefix refuses a prefix length with leading zeros (net.ParseCIDR reads it)";
  cx.unreadable.push(`${field}: "${String(text)}" has leading zeros: the API server stores it, reading it as ${sloppy.decimal} (it refuses them on create or update only under the StrictIPCIDRValidation feature gate, on by default from v1.36), but ${go}, so whether the enforcer reads the rule, and what it does if it cannot, is not known`);
  return sloppy.block;
}

function parsePeers(raw: unknown, at: string, cx: CidrReading): Peer[] | 'any' {
  const { errors } = cx;
  if (raw === undefined || raw === null) return 'any';
  if (!Array.isArray(raw)) {
    errors.push(`${at}: not a list`);
    return [];
  }
  if (raw.length === 0) return 'any';
  const out: Peer[] = [];
  raw.forEach((p: unknown, i: number) => {
    const where = `${at}[${i}]`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) return void errors.push(`${where}: not an object`);
    const r = p as Record<string, unknown>;
    const has = (k: string) => r[k] !== undefined && r[k] !== null;
    if (has('ipBlock')) {
      if (has('podSelector') || has('namespaceSelector')) return void errors.push(`${where}: ipBlock cannot be combined with podSelector or namespaceSelector`);
      const ib = r.ipBlock as Record<string, unknown>;
      if (!ib || typeof ib !== 'object') return void errors.push(`${where}.ipBlock: not an object`);
      const cidr = ib.cidr;
      const block = readCidr(cidr, `${where}.ipBlock.cidr`, cx);
      if (!block) return;
      const exceptRaw = ib.except ?? [];
      if (!Array.isArray(exceptRaw)) return void cx.errors.push(`${where}.ipBlock.except: not a list`);
      const excepts: IpRange[] = [];
      let bad = false;
      exceptRaw.forEach((e: unknown, j: number) => {
        const x = readCidr(e, `${where}.ipBlock.except[${j}]`, cx);
        if (!x) {
          bad = true;
          return;
        }
        const strictSubset = x.family === block.family && x.lo >= block.lo && x.hi <= block.hi && !(x.lo === block.lo && x.hi === block.hi);
        if (!strictSubset) {
          bad = true;
          cx.errors.push(`${where}.ipBlock.except[${j}]: "${e}" must be a strict subset of ${cidr}`);
        }
        excepts.push(x);
      });
      if (bad) return;
      return void out.push({ kind: 'ipBlock', cidr: cidr as string, except: exceptRaw as string[], block, ranges: subtractRanges(block, excepts) });
    }
    if (!has('podSelector') && !has('namespaceSelector')) return void errors.push(`${where}: must set podSelector, namespaceSelector or ipBlock`);
    const ps = parseSelector(r.podSelector, `${where}.podSelector`);
    const ns = parseSelector(r.namespaceSelector, `${where}.namespaceSelector`);
    errors.push(...ps.errors, ...ns.errors);
    if (ps.errors.length || ns.errors.length) return;
    out.push({ kind: 'pods', podSelector: ps.selector, namespaceSelector: ns.selector });
  });
  return out;
}

function parseRules(raw: unknown, dir: 'ingress' | 'egress', cx: CidrReading): PolicyRule[] {
  const { errors } = cx;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push(`spec.${dir}: not a list`);
    return [];
  }
  return raw.map((r: unknown, index: number): PolicyRule => {
    const at = `spec.${dir}[${index}]`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) {
      errors.push(`${at}: not an object`);
      return { index, peers: [], ports: [] };
    }
    const rr = r as Record<string, unknown>;
    const peerKey = dir === 'ingress' ? 'from' : 'to';
    return { index, peers: parsePeers(rr[peerKey], `${at}.${peerKey}`, cx), ports: parsePorts(rr.ports, `${at}.ports`, errors) };
  });
}

/** `refusedBy`: why the API server the manifests go to refuses a CIDR with leading zeros (leadingZerosRefusedBy). */
export function parsePolicy(o: KubeObject, refusedBy?: string): ParsedPolicy {
  const errors: string[] = [];
  const namespace = o.metadata?.namespace ?? 'default';
  const name = o.metadata?.name ?? '';
  if (!name) errors.push('metadata.name: missing');
  const spec = o.spec && typeof o.spec === 'object' && !Array.isArray(o.spec) ? (o.spec as Record<string, unknown>) : undefined;
  if (!spec) errors.push('spec: missing or not an object');
  const s = spec ?? {};
  const ps = parseSelector(s.podSelector, 'spec.podSelector');
  errors.push(...ps.errors);
  const unreadable: string[] = [];
  const cx: CidrReading = { errors, unreadable, ...(refusedBy !== undefined ? { refusedBy } : {}) };
  const ingress = parseRules(s.ingress, 'ingress', cx);
  const egress = parseRules(s.egress, 'egress', cx);

  let ingressType = false;
  let egressType = false;
  let typesDefaulted = false;
  const pt = s.policyTypes;
  if (pt === undefined || pt === null || (Array.isArray(pt) && pt.length === 0)) {
    // API-server defaulting: Ingress always; Egress only when egress rules are present.
    typesDefaulted = true;
    ingressType = true;
    egressType = Array.isArray(s.egress) && s.egress.length > 0;
  } else if (!Array.isArray(pt)) {
    errors.push('spec.policyTypes: not a list');
  } else {
    for (const t of pt) {
      if (t === 'Ingress') ingressType = true;
      else if (t === 'Egress') egressType = true;
      else errors.push(`spec.policyTypes: "${String(t)}" is not Ingress or Egress`);
    }
    if (pt.length > 2) errors.push('spec.policyTypes: more than two entries');
  }
  return {
    namespace,
    name,
    id: `${namespace}/${name}`,
    podSelector: ps.selector ?? matchAllSelector,
    ingressType,
    egressType,
    typesDefaulted,
    ingress,
    egress,
    errors,
    unreadable,
    raw: o,
  };
}

function toNeutralRule(r: PolicyRule): Rule {
  return {
    index: r.index,
    action: 'Allow',
    peers: r.peers === 'any' ? 'any' : r.peers.map((p): LayerPeer => (p.kind === 'ipBlock'
      ? { kind: 'ipBlock', text: p.except.length ? `${p.cidr} except ${p.except.join(', ')}` : p.cidr, ranges: p.ranges, blocks: [p.block] }
      : { kind: 'pods', namespaces: p.namespaceSelector ? { kind: 'selector', selector: p.namespaceSelector } : { kind: 'policy' }, ...(p.podSelector ? { pods: p.podSelector } : {}) })),
    ports: r.ports,
  };
}

/** A NetworkPolicy in the API-neutral form: allow rules, isolation by its effective policyTypes. */
export function networkPolicyLayer(p: ParsedPolicy): LayerPolicy {
  return {
    api: 'NetworkPolicy',
    layer: 'networkpolicy',
    ref: { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name },
    id: p.id,
    kindLabel: 'NetworkPolicy',
    namespace: p.namespace,
    sortName: p.id,
    subject: { namespaces: { kind: 'policy' }, pods: p.podSelector },
    ...(p.ingressType ? { ingress: p.ingress.map(toNeutralRule) } : {}),
    ...(p.egressType ? { egress: p.egress.map(toNeutralRule) } : {}),
    isolates: { ingress: p.ingressType, egress: p.egressType },
    // Stored by the API server but perhaps unread by the enforcer: left out, as unevaluated, unless it is invalid anyway.
    errors: [...p.errors, ...p.unreadable],
    ...(p.errors.length === 0 && p.unreadable.length > 0 ? { unevaluated: true } : {}),
    raw: p.raw,
  };
}
