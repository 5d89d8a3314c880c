// networking.k8s.io/v1 NetworkPolicy, parsed and validated as the API server would:
// policyTypes defaulting applied here (manifests usually lack it), errors collected instead
// of thrown, so an invalid policy is reported and left out of the model (it could not exist).

import type { KubeObject } from '../../snapshot/types.ts';
import { isProtocol, type Protocol } from './conns.ts';
import { parseCidr, subtractRanges, type IpRange } from '../../base/ip.ts';
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
  /** What the API server stores but an enforcer may not read (leadingZeroCidr): the policy is then left out as unevaluated. */
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
 * An IPv4 CIDR with leading zeros ("010.0.0.0/8", "10.0.0.0/08") read as the API server reads it:
 * ValidateIPBlock checks ipBlock.cidr and except with IsValidCIDRForLegacyField, whose
 * ParseCIDRSloppy "allows leading '0' characters on numbers" and reads them as decimal (k8s.io/utils
 * net/parse.go), refusing them only under the StrictIPCIDRValidation feature gate (alpha since
 * v1.33, off by default: kubernetes pkg/features/kube_features.go); GetWarningsForCIDR warns that
 * such a value "will be considered invalid in a future Kubernetes release" (k8s.io/apimachinery
 * pkg/api/validation/ip.go). Go's own net.ParseCIDR and netip.ParsePrefix refuse leading zeros
 * since Go 1.17 (go.dev/doc/go1.17#net, CVE-2021-29923), so an enforcer parsing the stored text with
 * them cannot read it. Undefined for any other text.
 */
function leadingZeroCidr(text: string): { block: IpRange; decimal: string } | undefined {
  const m = /^(\d{1,8})\.(\d{1,8})\.(\d{1,8})\.(\d{1,8})\/(\d{1,8})$/.exec(text);
  if (!m) return undefined;
  const decimal = `${[m[1], m[2], m[3], m[4]].map(Number).join('.')}/${Number(m[5])}`;
  const block = decimal === text ? undefined : parseCidr(decimal);
  return block && { block, decimal };
}

/** Why an enforcer may not read a CIDR the API server stores with leading zeros (leadingZeroCidr). */
function leadingZeroText(field: string, text: string, decimal: string): string {
  return `${field}: "${text}" has leading zeros: the API server stores it, reading it as ${decimal} (it refuses them only under the StrictIPCIDRValidation feature gate, alpha and off by default), but Go's net.ParseCIDR and netip.ParsePrefix refuse leading zeros (Go 1.17 and later), so whether the enforcer reads the rule, and what it does if it cannot, is not known`;
}

function parsePeers(raw: unknown, at: string, errors: string[], unreadable: string[]): Peer[] | 'any' {
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
      const sloppy = typeof cidr === 'string' && !parseCidr(cidr) ? leadingZeroCidr(cidr) : undefined;
      if (sloppy) unreadable.push(leadingZeroText(`${where}.ipBlock.cidr`, cidr as string, sloppy.decimal));
      const block = sloppy?.block ?? (typeof cidr === 'string' ? parseCidr(cidr) : undefined);
      if (!block) return void errors.push(`${where}.ipBlock.cidr: "${String(cidr)}" is not a valid CIDR`);
      const exceptRaw = ib.except ?? [];
      if (!Array.isArray(exceptRaw)) return void errors.push(`${where}.ipBlock.except: not a list`);
      const excepts: IpRange[] = [];
      let bad = false;
      exceptRaw.forEach((e: unknown, j: number) => {
        const sloppyE = typeof e === 'string' && !parseCidr(e) ? leadingZeroCidr(e) : undefined;
        if (sloppyE) unreadable.push(leadingZeroText(`${where}.ipBlock.except[${j}]`, e as string, sloppyE.decimal));
        const x = sloppyE?.block ?? (typeof e === 'string' ? parseCidr(e) : undefined);
        if (!x) {
          bad = true;
          return void errors.push(`${where}.ipBlock.except[${j}]: "${String(e)}" is not a valid CIDR`);
        }
        const strictSubset = x.family === block.family && x.lo >= block.lo && x.hi <= block.hi && !(x.lo === block.lo && x.hi === block.hi);
        if (!strictSubset) {
          bad = true;
          errors.push(`${where}.ipBlock.except[${j}]: "${e}" must be a strict subset of ${cidr}`);
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

function parseRules(raw: unknown, dir: 'ingress' | 'egress', errors: string[], unreadable: string[]): PolicyRule[] {
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
    return { index, peers: parsePeers(rr[peerKey], `${at}.${peerKey}`, errors, unreadable), ports: parsePorts(rr.ports, `${at}.ports`, errors) };
  });
}

export function parsePolicy(o: KubeObject): ParsedPolicy {
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
  const ingress = parseRules(s.ingress, 'ingress', errors, unreadable);
  const egress = parseRules(s.egress, 'egress', errors, unreadable);

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
