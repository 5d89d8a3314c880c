// Calico policy objects (projectcalico.org/v3 and their crd.projectcalico.org/v1 storage form):
// NetworkPolicy, GlobalNetworkPolicy and Tier, parsed and validated into a typed structure.
// The selectors a policy and its rules really apply are built the way Calico's backend builds
// them (libcalico-go updateprocessors: namespace scope, pcns./pcsa. prefixes for namespace and
// service-account selectors), then parsed with the selector language of ./selector.ts, so they
// evaluate against the labels Calico gives an endpoint (./labels.ts). Bad input becomes errors
// naming the field; the object is left out of evaluation, as the API server would refuse it.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import type { Protocol } from '../conns.ts';
import type { CoverageNote } from '../layers.ts';
import { ALL_V4, ALL_V6, ipToString, parseCidr, parseIp, type IpRange } from '../../../base/ip.ts';
import { parseCalicoSelector, prefixSelectorLabels, selectorText, type CalicoSelector } from './selector.ts';
import { templatesStandIn } from '../../workloads.ts';

export type CalicoKind = 'NetworkPolicy' | 'GlobalNetworkPolicy';
export type CalicoApi = 'projectcalico.org/v3' | 'crd.projectcalico.org/v1';
export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

export const LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount';
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const LABEL_NAME = 'projectcalico.org/name';
export const NAMESPACE_LABEL_PREFIX = 'pcns.';
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';

export const DEFAULT_TIER = 'default';
/**
 * The tiers Calico creates itself, used when their Tier objects are not in the snapshot
 * (api/pkg/apis/projectcalico/v3/tier.go; the admin tiers were named adminnetworkpolicy and
 * baselineadminnetworkpolicy before they became kube-admin and kube-baseline).
 */
export const BUILTIN_TIERS: Readonly<Record<string, { order: number; defaultAction: 'Deny' | 'Pass' }>> = {
  'kube-admin': { order: 1_000, defaultAction: 'Pass' },
  adminnetworkpolicy: { order: 1_000, defaultAction: 'Pass' },
  default: { order: 1_000_000, defaultAction: 'Deny' },
  'kube-baseline': { order: 10_000_000, defaultAction: 'Pass' },
  baselineadminnetworkpolicy: { order: 10_000_000, defaultAction: 'Pass' },
};
/** Calico places Kubernetes NetworkPolicies in the default tier at this order. */
export const K8S_NETWORK_POLICY_ORDER = 1000;

export type CalicoPort = { kind: 'range'; lo: number; hi: number } | { kind: 'named'; name: string };

export interface CalicoEntityRule {
  /**
   * The endpoint selector Calico enforces: the rule's selector, service accounts and namespace
   * scope combined as the backend combines them. Undefined: no endpoint condition (any source
   * or destination, inside or outside the cluster, subject to the other fields).
   */
  selector?: CalicoSelector;
  /** notSelector as written: Calico does not scope it to a namespace. */
  notSelector?: CalicoSelector;
  nets?: IpRange[];
  notNets?: IpRange[];
  ports?: CalicoPort[];
  notPorts?: CalicoPort[];
  services?: { name: string; namespace: string };
  /** A catch-all CIDR in notNets of an object the v3 validator did not check: Felix ignores the rule. */
  catchAllNotNets?: '0.0.0.0/0' | '::/0';
  /** True when any endpoint identity field is set (selector, notSelector, namespaceSelector, serviceAccounts, services). */
  identity: boolean;
  /** The fields as written, for evidence. */
  written: Record<string, unknown>;
}

export interface CalicoRule {
  /** Position in spec.ingress / spec.egress. */
  index: number;
  action: CalicoAction;
  /** The modelled protocols (TCP, UDP, SCTP) this rule can match after protocol/notProtocol. */
  protocols: Protocol[];
  /** protocol as written (normalised name or number), for evidence. */
  protocol?: string;
  ipVersion?: 4 | 6;
  source: CalicoEntityRule;
  destination: CalicoEntityRule;
  /** An `http` match (application layer; narrows requests, not ports). */
  http: boolean;
  /** Why Felix leaves the rule out when it renders the policy: the rule matches nothing. */
  ignoredByFelix?: string;
}

export interface CalicoPolicy {
  kind: CalicoKind;
  api: CalicoApi;
  /** The projectcalico.org/v3 name (the storage form's name resolved as Calico resolves it). */
  name: string;
  /** metadata.name as found (differs from `name` in the storage form of older releases). */
  storedName: string;
  /** Undefined for GlobalNetworkPolicy. */
  namespace?: string;
  /** "GlobalNetworkPolicy name" or "NetworkPolicy namespace/name". */
  id: string;
  ref: ResourceRef;
  tier: string;
  /** Undefined: no order, applied after every ordered policy of its tier. */
  order?: number;
  /** The endpoint selector Calico applies the policy with (namespace and service accounts folded in). */
  selector?: CalicoSelector;
  ingressType: boolean;
  egressType: boolean;
  /** How types were obtained when absent: 'rules' (v3 defaulting) or 'storage' (Felix: both). */
  typesDefaulted?: 'rules' | 'storage';
  ingress: CalicoRule[];
  egress: CalicoRule[];
  /** preDNAT or doNotTrack: rules for host endpoints only, never applied to pods. */
  hostEndpointsOnly: boolean;
  /** What this policy expresses that ztaudit does not evaluate. */
  outOfScope: string[];
  errors: string[];
  raw: KubeObject;
}

export interface CalicoTier {
  name: string;
  /** Undefined: last. */
  order?: number;
  defaultAction: 'Deny' | 'Pass';
  /** Not found among the collected Tier objects (built-in defaults or unknown tier). */
  implicit: boolean;
  /**
   * A custom tier whose Tier object could not be read: its order and defaultAction are not
   * known, so its policies are not evaluated (adapter.ts), and this says why.
   */
  unplaced?: string;
  errors: string[];
}

export interface CalicoPolicySet {
  /** Every Calico policy found (invalid ones carry errors), one per v3 identity. */
  policies: CalicoPolicy[];
  tiers: Map<string, CalicoTier>;
  /** Coverage notes: mirrored objects skipped, missing or invalid tiers. */
  notes: CoverageNote[];
}

const POLICY_NAME = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;
const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const PROTOCOL_NAMES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'];
/**
 * Names the Calico API server gives to objects it mirrors from other kinds, and what they
 * mirror: Kubernetes NetworkPolicies (knp.default.), ClusterNetworkPolicies in its kube-admin
 * and kube-baseline tiers from v3.32 (kcnp., libcalico-go/lib/backend/model/policy.go), and
 * before that AdminNetworkPolicies and BaselineAdminNetworkPolicies (kanp., kbanp.): each kind
 * is collected and evaluated itself (src/analysis/netpol/anp.ts), so its mirror is skipped.
 */
const MIRROR_PREFIXES: ReadonlyArray<{ prefix: string; kind: string; of: string }> = [
  { prefix: 'knp.default.', kind: 'NetworkPolicy', of: 'Kubernetes NetworkPolicies' },
  { prefix: 'ossg.default.', kind: 'NetworkPolicy', of: 'Kubernetes policies' },
  { prefix: 'kcnp.', kind: 'GlobalNetworkPolicy', of: 'ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2)' },
  { prefix: 'kanp.', kind: 'GlobalNetworkPolicy', of: 'AdminNetworkPolicies (policy.networking.k8s.io/v1alpha1)' },
  { prefix: 'kbanp.', kind: 'GlobalNetworkPolicy', of: 'BaselineAdminNetworkPolicies (policy.networking.k8s.io/v1alpha1)' },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const absent = (v: unknown): boolean => v === undefined || v === null;

/** Why an order is refused; a number too large for a double (1e400) is read as Infinity, which JSON would print as null. */
function orderText(v: unknown): string {
  return typeof v === 'number' ? `${v} is not a finite number` : `${JSON.stringify(v)} is not a number`;
}

/** Parses a written selector; `undefined` for absent or empty text (no condition). */
function writtenSelector(v: unknown, at: string, errors: string[]): { text: string; ok: boolean } | undefined {
  if (absent(v) || v === '') return undefined;
  if (typeof v !== 'string') {
    errors.push(`${at}: not a string`);
    return { text: '', ok: false };
  }
  const r = parseCalicoSelector(v);
  if (!r.ok) {
    errors.push(`${at}: selector ${JSON.stringify(v)} does not parse: ${r.error}`);
    return { text: v, ok: false };
  }
  return { text: v, ok: true };
}

/** Calico's parseSelectorAttachPrefix: normalised text with every label prefixed. */
function prefixed(text: string, prefix: string): string {
  const r = parseCalicoSelector(text);
  if (!r.ok) return '';
  return selectorText(prefixSelectorLabels(r.selector.root, prefix));
}

/** Calico's prefixAndAppendSelector. */
function prefixAndAppend(current: string, added: string, prefix: string): string {
  if (!added) return current;
  const p = prefixed(added, prefix);
  if (!p) return current;
  return current ? `(${current}) && ${p}` : p;
}

function quoteLiteral(s: string): string {
  return s.includes("'") ? `"${s}"` : `'${s}'`;
}

function compileBuilt(text: string, at: string, errors: string[]): CalicoSelector | undefined {
  if (!text) return undefined;
  const r = parseCalicoSelector(text);
  if (!r.ok) {
    errors.push(`${at}: the effective selector ${JSON.stringify(text)} does not parse: ${r.error}`);
    return undefined;
  }
  return r.selector;
}

function parsePortList(raw: unknown, at: string, errors: string[]): CalicoPort[] | undefined {
  if (absent(raw)) return undefined;
  if (!Array.isArray(raw)) {
    errors.push(`${at}: not a list`);
    return undefined;
  }
  if (raw.length === 0) return undefined;
  const out: CalicoPort[] = [];
  raw.forEach((p: unknown, i: number) => {
    const where = `${at}[${i}]`;
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 65535) return void errors.push(`${where}: ${p} is not a port number (0-65535)`);
      return void out.push({ kind: 'range', lo: p, hi: p });
    }
    if (typeof p !== 'string') return void errors.push(`${where}: not a port number, range or name`);
    if (/^\d+$/.test(p)) {
      const n = Number(p);
      if (n > 65535) return void errors.push(`${where}: invalid port format (${p})`);
      return void out.push({ kind: 'range', lo: n, hi: n });
    }
    const m = /^(\d+):(\d+)$/.exec(p);
    if (m) {
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      if (lo > 65535 || hi > 65535) return void errors.push(`${where}: invalid port number in range (${p})`);
      if (lo > hi) return void errors.push(`${where}: minimum port number (${lo}) is greater than maximum port number (${hi}) in port range`);
      return void out.push({ kind: 'range', lo, hi });
    }
    if (!PORT_NAME.test(p)) return void errors.push(`${where}: invalid name for named port (${p})`);
    out.push({ kind: 'named', name: p });
  });
  return out;
}

/**
 * A nets list. `strict`: as the projectcalico.org/v3 validator reads a rule's nets on a write
 * (validator/v3 validateRule scanNets: cnet.ParseCIDR refuses a bare address; the field's `net`
 * tag, validateIPNetwork, refuses a CIDR with host bits set). Otherwise as the backend reads a
 * stored one (updateprocessors/rules.go normalizeIPNet: cnet.ParseCIDROrIP, an address taken as
 * /32 or /128, host bits masked off).
 */
export function parseNets(raw: unknown, at: string, errors: string[], strict = false): IpRange[] | undefined {
  if (absent(raw)) return undefined;
  if (!Array.isArray(raw)) {
    errors.push(`${at}: not a list`);
    return undefined;
  }
  if (raw.length === 0) return undefined;
  const out: IpRange[] = [];
  raw.forEach((n: unknown, i: number) => {
    let r: IpRange | undefined;
    if (typeof n === 'string') {
      r = parseCidr(n);
      if (!r && !n.includes('/')) {
        const ip = parseIp(n);
        if (ip) r = { family: ip.family, lo: ip.value, hi: ip.value };
      }
    }
    if (!r) return void errors.push(`${at}[${i}]: ${JSON.stringify(n)} is not a valid CIDR`);
    if (strict && typeof n === 'string') {
      if (!n.includes('/')) return void errors.push(`${at}[${i}]: ${JSON.stringify(n)} is an address, not a CIDR: the projectcalico.org/v3 API refuses it (invalid CIDR; write ${n}/${r.family === 4 ? 32 : 128})`);
      const addr = parseIp(n.slice(0, n.indexOf('/')));
      if (addr && addr.value !== r.lo) return void errors.push(`${at}[${i}]: ${JSON.stringify(n)} is not strictly masked: the projectcalico.org/v3 API refuses it (write ${ipToString(r.family, r.lo)}${n.slice(n.indexOf('/'))})`);
    }
    out.push(r);
  });
  return out;
}

/** Model protocols covered by a Calico protocol value (name or number); undefined when invalid. */
function protocolCoverage(v: unknown): { text: string; protocols: Protocol[]; supportsPorts: boolean } | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 255) return undefined;
    const p: Protocol | undefined = v === 6 ? 'TCP' : v === 17 ? 'UDP' : v === 132 ? 'SCTP' : undefined;
    return { text: String(v), protocols: p ? [p] : [], supportsPorts: p !== undefined };
  }
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v) && Number(v) <= 255) return protocolCoverage(Number(v));
  // validator/v3 accepts the names in this exact case only.
  const name = PROTOCOL_NAMES.find((n) => n === v);
  if (!name) return undefined;
  const p = name === 'TCP' || name === 'UDP' || name === 'SCTP' ? (name as Protocol) : undefined;
  return { text: name, protocols: p ? [p] : [], supportsPorts: p !== undefined };
}

/** Calico's getEntityRuleSelector: the selector the backend enforces for a rule's source/destination. */
function parseEntity(raw: unknown, at: string, policyNs: string | undefined, familyChecked: boolean, errors: string[]): CalicoEntityRule {
  const e: CalicoEntityRule = { identity: false, written: {} };
  if (absent(raw)) return e;
  if (!isRecord(raw)) {
    errors.push(`${at}: not an object`);
    return e;
  }
  for (const k of ['selector', 'notSelector', 'namespaceSelector', 'serviceAccounts', 'services', 'nets', 'notNets', 'ports', 'notPorts']) {
    if (!absent(raw[k])) e.written[k] = raw[k];
  }
  const sel = writtenSelector(raw.selector, `${at}.selector`, errors);
  const notSel = writtenSelector(raw.notSelector, `${at}.notSelector`, errors);
  const nsSel = writtenSelector(raw.namespaceSelector, `${at}.namespaceSelector`, errors);
  // The CRD's validation rules (api/pkg/apis/projectcalico/v3/policy_common.go, EntityRule).
  if (typeof raw.selector === 'string' && raw.selector.includes('global(')) errors.push(`${at}.selector: global() can only be used in an EntityRule namespaceSelector`);
  if (!absent(raw.services)) {
    const set = (k: string) => !absent(raw[k]) && !(typeof raw[k] === 'string' && raw[k] === '') && !(Array.isArray(raw[k]) && (raw[k] as unknown[]).length === 0);
    if (set('namespaceSelector')) errors.push(`${at}: cannot specify NamespaceSelector and Services on the same rule`);
    if (set('serviceAccounts')) errors.push(`${at}: cannot specify ServiceAccounts and Services on the same rule`);
    if (set('selector') || set('notSelector')) errors.push(`${at}: cannot specify Selector/NotSelector and Services on the same rule`);
    if (set('nets') || set('notNets')) errors.push(`${at}: cannot specify Nets/NotNets and Services on the same rule`);
  }
  if (nsSel?.ok && nsSel.text.includes('global(') && nsSel.text !== 'global()') {
    // validator/v3: global() in a namespaceSelector must stand alone.
    const r = parseCalicoSelector(nsSel.text);
    if (!r.ok || r.selector.root.op !== 'global') errors.push(`${at}.namespaceSelector: global() cannot be combined with other selectors`);
  }
  let saSelector = '';
  const sa = raw.serviceAccounts;
  if (!absent(sa)) {
    if (!isRecord(sa)) errors.push(`${at}.serviceAccounts: not an object`);
    else {
      const saSel = writtenSelector(sa.selector, `${at}.serviceAccounts.selector`, errors);
      const names = absent(sa.names) ? [] : sa.names;
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) errors.push(`${at}.serviceAccounts.names: not a list of strings`);
      else {
        if (saSel?.ok) saSelector = prefixed(saSel.text, SERVICE_ACCOUNT_LABEL_PREFIX);
        if (names.length) {
          const bad = (names as string[]).find((n) => n.includes("'"));
          if (bad !== undefined) errors.push(`${at}.serviceAccounts.names: ${JSON.stringify(bad)} is not a service account name`);
          else {
            const r = parseCalicoSelector(`${LABEL_SERVICE_ACCOUNT} in { '${(names as string[]).join("', '")}' }`);
            if (r.ok) saSelector = saSelector ? `(${saSelector}) && (${r.selector.text})` : r.selector.text;
          }
        }
      }
    }
  }
  const svc = raw.services;
  if (!absent(svc)) {
    if (!isRecord(svc) || (!absent(svc.name) && typeof svc.name !== 'string') || (!absent(svc.namespace) && typeof svc.namespace !== 'string')) errors.push(`${at}.services: needs a name and a namespace (strings)`);
    else if (typeof svc.name !== 'string' || !svc.name) errors.push(`${at}.services: services must specify a service name`);
    else {
      const ns = typeof svc.namespace === 'string' && svc.namespace ? svc.namespace : policyNs;
      if (!ns) errors.push(`${at}.services: a namespace is required in a GlobalNetworkPolicy`);
      else e.services = { name: svc.name, namespace: ns };
    }
  }
  e.nets = parseNets(raw.nets, `${at}.nets`, errors, familyChecked);
  e.notNets = parseNets(raw.notNets, `${at}.notNets`, errors, familyChecked);
  // A catch-all CIDR in notNets: the v3 validator refuses it on a write (validateRule scanNets);
  // Felix drops the rule of an object that exists anyway (felix/rules/policy.go filterNets,
  // isCatchAllCIDR: "Ignoring rule with negated catch-all CIDR"), which parseRule records.
  const catchAll = e.notNets?.find((r) => (r.family === 4 ? ALL_V4 : ALL_V6).lo === r.lo && (r.family === 4 ? ALL_V4 : ALL_V6).hi === r.hi);
  if (catchAll && familyChecked) errors.push(`${at}.notNets: catch-all CIDR in negation creates logical contradiction (matches no traffic)`);
  else if (catchAll) e.catchAllNotNets = catchAll.family === 4 ? '0.0.0.0/0' : '::/0';
  e.ports = parsePortList(raw.ports, `${at}.ports`, errors);
  e.notPorts = parsePortList(raw.notPorts, `${at}.notPorts`, errors);

  // getEndpointSelector, step by step.
  const namespaceSelector = nsSel?.ok ? nsSel.text : '';
  let nsScope = '';
  if (namespaceSelector) {
    nsScope = prefixed(namespaceSelector, NAMESPACE_LABEL_PREFIX)
      .replaceAll('all()', `has(${LABEL_NAMESPACE})`)
      .replaceAll('global()', `!has(${LABEL_NAMESPACE})`);
  } else if (policyNs !== undefined) {
    nsScope = `${LABEL_NAMESPACE} == ${quoteLiteral(policyNs)}`;
  }
  const parts = [saSelector, sel?.ok ? sel.text : ''].filter((s) => s !== '');
  let selector = parts.length === 1 ? parts[0] : parts.length > 1 ? `(${parts.join(') && (')})` : '';
  const notSelector = notSel?.ok ? notSel.text : '';
  if (nsScope && (selector || notSelector || namespaceSelector)) selector = selector ? `(${nsScope}) && (${selector})` : nsScope;
  e.selector = compileBuilt(selector, at, errors);
  e.notSelector = notSelector ? compileBuilt(notSelector, `${at}.notSelector`, errors) : undefined;
  e.identity = !!(sel || notSel || nsSel || saSelector || e.services);
  return e;
}

function parseRule(raw: unknown, at: string, index: number, policyNs: string | undefined, familyChecked: boolean, errors: string[]): CalicoRule | undefined {
  if (!isRecord(raw)) {
    errors.push(`${at}: not an object`);
    return undefined;
  }
  const before = errors.length;
  const action = raw.action;
  if (action !== 'Allow' && action !== 'Deny' && action !== 'Pass' && action !== 'Log') {
    errors.push(`${at}.action: ${absent(action) ? 'missing' : JSON.stringify(action)} is not Allow, Deny, Pass or Log`);
  }
  let protocols: Protocol[] = ['SCTP', 'TCP', 'UDP'];
  let protocolText: string | undefined;
  let supportsPorts: boolean | undefined;
  if (!absent(raw.protocol)) {
    const p = protocolCoverage(raw.protocol);
    if (!p) errors.push(`${at}.protocol: ${JSON.stringify(raw.protocol)} is not TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255`);
    else {
      protocols = p.protocols;
      protocolText = p.text;
      supportsPorts = p.supportsPorts;
    }
  }
  if (!absent(raw.notProtocol)) {
    const p = protocolCoverage(raw.notProtocol);
    if (!p) errors.push(`${at}.notProtocol: ${JSON.stringify(raw.notProtocol)} is not TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255`);
    else protocols = protocols.filter((x) => !p.protocols.includes(x));
  }
  let ipVersion: 4 | 6 | undefined;
  if (!absent(raw.ipVersion)) {
    if (raw.ipVersion !== 4 && raw.ipVersion !== 6) errors.push(`${at}.ipVersion: ${JSON.stringify(raw.ipVersion)} is not 4 or 6`);
    else ipVersion = raw.ipVersion;
  }
  const source = parseEntity(raw.source, `${at}.source`, policyNs, familyChecked, errors);
  const destination = parseEntity(raw.destination, `${at}.destination`, policyNs, familyChecked, errors);
  // The CRD's validation rules on Rule (policy_common.go).
  if (!absent(raw.http)) {
    if (action !== 'Allow') errors.push(`${at}.http: HTTP match is only valid on Allow rules`);
    if (protocolText !== undefined && protocolText !== 'TCP' && protocolText !== '6') errors.push(`${at}.http: rules with HTTP match must have protocol TCP or unset`);
  }
  if (isRecord(raw.destination) && !absent(raw.destination.services) && (destination.ports || destination.notPorts)) errors.push(`${at}.destination: ports and notPorts cannot be specified with services`);
  const icmpProto = protocolText === 'ICMP' || protocolText === '1' ? 4 : protocolText === 'ICMPv6' || protocolText === '58' ? 6 : undefined;
  if (!absent(raw.icmp) && icmpProto === undefined) errors.push(`${at}.icmp: ICMP fields require protocol to be ICMP or ICMPv6`);
  if (icmpProto !== undefined && ipVersion !== undefined && ipVersion !== icmpProto) errors.push(`${at}.ipVersion: protocol ${protocolText} requires ipVersion ${icmpProto}`);
  // validateRule: numeric ports need a protocol that has ports; named ports need none.
  for (const [side, ent] of [['source', source], ['destination', destination]] as const) {
    for (const [field, list] of [['ports', ent.ports], ['notPorts', ent.notPorts]] as const) {
      if (!list?.length) continue;
      if (supportsPorts === undefined && list.some((p) => p.kind === 'range')) errors.push(`${at}.${side}.${field}: numeric ports need protocol TCP, UDP or SCTP`);
      else if (supportsPorts === false) errors.push(`${at}.${side}.${field}: protocol ${protocolText} does not have ports`);
    }
  }
  // validateRule scanNets: one rule matches one IP family, so its four nets fields together may not
  // mix IPv4 and IPv6, nor hold a CIDR of the family its ipVersion excludes. Only the v3 API server
  // runs this validator, and only on a write: an object that exists (the storage form, or a live
  // cluster's v3 view of it) is enforced, Felix rendering the rule per family (felix/rules/policy.go
  // FilterRuleToIPVersion).
  if (familyChecked) {
    let seen4 = false;
    let seen6 = false;
    for (const [field, list] of [['source.nets', source.nets], ['source.notNets', source.notNets], ['destination.nets', destination.nets], ['destination.notNets', destination.notNets]] as const) {
      const v4 = !!list?.some((r) => r.family === 4);
      const v6 = !!list?.some((r) => r.family === 6);
      if (ipVersion !== undefined && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) errors.push(`${at}.${field}: rule IP version doesn't match CIDR version (ipVersion ${ipVersion})`);
      if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) errors.push(`${at}.${field}: rule contains both IPv4 and IPv6 CIDRs`);
      seen4 ||= v4;
      seen6 ||= v6;
    }
  }
  if (errors.length > before) return undefined;
  const catchAll = source.catchAllNotNets ? `source.notNets ${source.catchAllNotNets}` : destination.catchAllNotNets ? `destination.notNets ${destination.catchAllNotNets}` : undefined;
  return {
    index, action: action as CalicoAction, protocols, protocol: protocolText, ipVersion, source, destination, http: !absent(raw.http),
    ...(catchAll ? { ignoredByFelix: `${catchAll}: Felix ignores a rule with a catch-all CIDR in a negation (it would match no traffic), so the rule matches nothing` } : {}),
  };
}

function parseRules(raw: unknown, at: string, policyNs: string | undefined, familyChecked: boolean, errors: string[]): CalicoRule[] {
  if (absent(raw)) return [];
  if (!Array.isArray(raw)) {
    errors.push(`${at}: not a list`);
    return [];
  }
  const out: CalicoRule[] = [];
  raw.forEach((r: unknown, i: number) => {
    const rule = parseRule(r, `${at}[${i}]`, i, policyNs, familyChecked, errors);
    if (rule) out.push(rule);
  });
  return out;
}

/** The v3 name of a stored (crd.projectcalico.org/v1) policy, as libcalico-go resolves it. */
export function storedPolicyName(storedName: string, tier: string, annotations: Record<string, unknown> | undefined): string {
  const meta = annotations?.['projectcalico.org/metadata'];
  if (typeof meta === 'string' && meta) {
    try {
      const parsed: unknown = JSON.parse(meta);
      if (isRecord(parsed) && typeof parsed.name === 'string' && parsed.name) return parsed.name;
    } catch {
      // An unreadable annotation: fall back to the name rules of releases before 3.30.
    }
  }
  return tier === DEFAULT_TIER || tier === '' ? (storedName.startsWith('default.') ? storedName.slice('default.'.length) : storedName) : storedName;
}

/**
 * Parses one Calico NetworkPolicy or GlobalNetworkPolicy object (either API group).
 * `refusedOnApply`: the object is yet to be written through the projectcalico.org/v3 API, whose
 * validator then decides whether it exists (manifests); false for an object that already exists
 * (a live cluster's, or one a storage-form twin stands for), which is enforced as it is.
 */
export function parseCalicoPolicy(obj: KubeObject, kind: CalicoKind, api: CalicoApi, refusedOnApply = true): CalicoPolicy {
  const errors: string[] = [];
  const outOfScope: string[] = [];
  const storedName = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  const namespace = kind === 'NetworkPolicy' ? (typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace ? obj.metadata.namespace : 'default') : undefined;
  const spec: Record<string, unknown> = isRecord(obj.spec) ? obj.spec : {};
  if (!absent(obj.spec) && !isRecord(obj.spec)) errors.push('spec: not an object');

  let tier = DEFAULT_TIER;
  if (!absent(spec.tier) && spec.tier !== '') {
    if (typeof spec.tier !== 'string' || !POLICY_NAME.test(spec.tier)) errors.push(`spec.tier: ${JSON.stringify(spec.tier)} is not a tier name`);
    else tier = spec.tier;
  }
  const name = api === 'crd.projectcalico.org/v1' ? storedPolicyName(storedName, tier, obj.metadata?.annotations) : storedName;
  if (!name) errors.push('metadata.name: missing');
  const id = `${kind} ${namespace !== undefined ? `${namespace}/` : ''}${name || '(unnamed)'}`;

  let order: number | undefined;
  if (!absent(spec.order)) {
    if (typeof spec.order !== 'number' || !Number.isFinite(spec.order)) errors.push(`spec.order: ${orderText(spec.order)}`);
    else order = spec.order;
  }

  const sel = writtenSelector(spec.selector, 'spec.selector', errors);
  const saSel = writtenSelector(spec.serviceAccountSelector, 'spec.serviceAccountSelector', errors);
  for (const f of ['selector', 'serviceAccountSelector', 'namespaceSelector']) {
    if (typeof spec[f] === 'string' && (spec[f] as string).includes('global(')) errors.push(`spec.${f}: global() can only be used in an EntityRule namespaceSelector`);
  }
  const nsSel = kind === 'GlobalNetworkPolicy' ? writtenSelector(spec.namespaceSelector, 'spec.namespaceSelector', errors) : undefined;
  if (kind === 'NetworkPolicy' && !absent(spec.namespaceSelector)) errors.push('spec.namespaceSelector: only a GlobalNetworkPolicy has one');

  // ConvertNetworkPolicyV3ToV1Value / ConvertGlobalNetworkPolicyV3ToV1Value.
  let selector = sel?.ok ? sel.text : '';
  if (kind === 'NetworkPolicy') {
    const scope = `${LABEL_NAMESPACE} == ${quoteLiteral(namespace!)}`;
    selector = selector ? `(${selector}) && ${scope}` : scope;
    selector = prefixAndAppend(selector, saSel?.ok ? saSel.text : '', SERVICE_ACCOUNT_LABEL_PREFIX);
  } else {
    if (nsSel?.ok) selector = prefixAndAppend(selector, nsSel.text, NAMESPACE_LABEL_PREFIX).replaceAll('all()', `has(${LABEL_NAMESPACE})`);
    if (saSel?.ok) selector = prefixAndAppend(selector, saSel.text, SERVICE_ACCOUNT_LABEL_PREFIX).replaceAll('all()', `has(${LABEL_SERVICE_ACCOUNT})`);
  }
  const effective = parseCalicoSelector(selector);
  let compiled: CalicoSelector | undefined;
  if (effective.ok) compiled = effective.selector;
  else if (!errors.length) errors.push(`spec.selector: the effective selector ${JSON.stringify(selector)} does not parse: ${effective.error}`);

  const familyChecked = api === 'projectcalico.org/v3' && refusedOnApply;
  const ingress = parseRules(spec.ingress, 'spec.ingress', namespace, familyChecked, errors);
  const egress = parseRules(spec.egress, 'spec.egress', namespace, familyChecked, errors);
  const hasIngressRules = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const hasEgressRules = Array.isArray(spec.egress) && spec.egress.length > 0;

  let ingressType = false;
  let egressType = false;
  let typesDefaulted: CalicoPolicy['typesDefaulted'];
  if (absent(spec.types) || (Array.isArray(spec.types) && spec.types.length === 0)) {
    if (api === 'crd.projectcalico.org/v1') {
      // Stored without types (written around the API): Felix applies it in both directions.
      ingressType = egressType = true;
      typesDefaulted = 'storage';
    } else {
      typesDefaulted = 'rules';
      if (!hasEgressRules) ingressType = true;
      else if (!hasIngressRules) egressType = true;
      else ingressType = egressType = true;
    }
  } else if (!Array.isArray(spec.types)) errors.push('spec.types: not a list');
  else {
    for (const [i, t] of spec.types.entries()) {
      if (t === 'Ingress') ingressType = true;
      else if (t === 'Egress') egressType = true;
      else errors.push(`spec.types[${i}]: ${JSON.stringify(t)} is not Ingress or Egress`);
    }
  }
  if (!ingressType && hasIngressRules && !errors.length) outOfScope.push('has ingress rules but types omits Ingress: they are ignored');
  if (!egressType && hasEgressRules && !errors.length) outOfScope.push('has egress rules but types omits Egress: they are ignored');

  let hostEndpointsOnly = false;
  if (kind === 'GlobalNetworkPolicy') {
    for (const f of ['doNotTrack', 'preDNAT', 'applyOnForward'] as const) {
      if (!absent(spec[f]) && typeof spec[f] !== 'boolean') errors.push(`spec.${f}: not a boolean`);
    }
    if (spec.doNotTrack === true && spec.preDNAT === true) errors.push('spec: doNotTrack and preDNAT cannot both be true');
    if ((spec.doNotTrack === true || spec.preDNAT === true) && spec.applyOnForward !== true) errors.push('spec.applyOnForward: must be true when doNotTrack or preDNAT is');
    if (spec.preDNAT === true && hasEgressRules) errors.push('spec.egress: a preDNAT policy cannot have egress rules');
    if (spec.preDNAT === true && Array.isArray(spec.types) && spec.types.includes('Egress')) errors.push("spec.types: a preDNAT policy cannot have 'Egress' type");
    if (spec.doNotTrack === true) outOfScope.push('doNotTrack: applies to host endpoints only, before connection tracking (host endpoints are not modelled)');
    if (spec.preDNAT === true) outOfScope.push('preDNAT: applies to host endpoints only, before DNAT (host endpoints are not modelled)');
    hostEndpointsOnly = spec.doNotTrack === true || spec.preDNAT === true;
    if (spec.applyOnForward === true) {
      outOfScope.push(hostEndpointsOnly
        ? `applyOnForward: forwarded traffic through host endpoints is not modelled, and as a ${spec.preDNAT === true ? 'preDNAT' : 'doNotTrack'} policy it never applies to pods, so it is not evaluated`
        : 'applyOnForward: forwarded traffic through host endpoints is not modelled (the rules are evaluated for pods)');
    }
  } else {
    for (const f of ['doNotTrack', 'preDNAT', 'applyOnForward']) if (!absent(spec[f])) errors.push(`spec.${f}: only a GlobalNetworkPolicy has it`);
  }
  for (const [dir, rules] of [['ingress', ingress], ['egress', egress]] as const) {
    for (const r of rules) {
      if (r.ignoredByFelix) outOfScope.push(`spec.${dir}[${r.index}].${r.ignoredByFelix}`);
      if (r.http) outOfScope.push(`spec.${dir}[${r.index}].http: application-layer match, counted as allowing its ports`);
      for (const side of ['source', 'destination'] as const) {
        const ent = r[side];
        if (ent.services) outOfScope.push(`spec.${dir}[${r.index}].${side}.services: matched as the pods the Service selects`);
        if (side === 'source' && (ent.ports || ent.notPorts)) outOfScope.push(`spec.${dir}[${r.index}].source ports: source ports are not modelled per connection (a list holding every source port, 1-65535, is no condition; any other leaves the flows the rule may match not confirmed, counted as matched by an Allow and not by a Deny or Pass)`);
      }
    }
  }

  return {
    kind, api, name, storedName, namespace, id,
    ref: { kind, ...(namespace !== undefined ? { namespace } : {}), name: name || '(unnamed)', ...(kind === 'NetworkPolicy' ? { apiVersion: api } : {}) },
    tier, order, selector: compiled, ingressType, egressType, typesDefaulted, ingress, egress,
    hostEndpointsOnly, outOfScope, errors, raw: obj,
  };
}

export function parseCalicoTier(obj: KubeObject): CalicoTier {
  const errors: string[] = [];
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  if (!name) errors.push('metadata.name: missing');
  const spec: Record<string, unknown> = isRecord(obj.spec) ? obj.spec : {};
  let order: number | undefined;
  if (!absent(spec.order)) {
    if (typeof spec.order !== 'number' || !Number.isFinite(spec.order)) errors.push(`spec.order: ${orderText(spec.order)}`);
    else order = spec.order;
  }
  let defaultAction: 'Deny' | 'Pass' = 'Deny';
  if (!absent(spec.defaultAction)) {
    if (spec.defaultAction !== 'Deny' && spec.defaultAction !== 'Pass') errors.push(`spec.defaultAction: ${JSON.stringify(spec.defaultAction)} is not Deny or Pass`);
    else defaultAction = spec.defaultAction;
  }
  return { name, order, defaultAction, implicit: false, errors };
}

/** Tiers sorted as Felix sorts them: by order (none = last), ties by name. */
export function sortTiers(tiers: Iterable<CalicoTier>): CalicoTier[] {
  return [...tiers].sort((a, b) => {
    if (a.order === undefined || b.order === undefined) {
      if (a.order !== b.order) return a.order === undefined ? 1 : -1;
    } else if (a.order !== b.order) return a.order - b.order;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Felix's tie-break key within a tier: name, then namespace, then kind. */
export function policySortKey(name: string, namespace: string | undefined, kind: string): string {
  return `${name}/${namespace ?? ''}/${kind}`;
}

/** Orders policies of one tier as Felix does: order (none = last), then name/namespace/kind. */
export function comparePolicyOrder(a: { order?: number; sortKey: string }, b: { order?: number; sortKey: string }): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao - bo;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}

/** The kind, namespace and v3 name a policy object stands for, as a map key. */
function policyIdentity(o: KubeObject, kind: CalicoKind, api: CalicoApi): string {
  const storedName = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
  const namespace = kind === 'NetworkPolicy' ? (typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : 'default') : '';
  const tier = isRecord(o.spec) && typeof o.spec.tier === 'string' && POLICY_NAME.test(o.spec.tier) ? o.spec.tier : DEFAULT_TIER;
  const name = api === 'crd.projectcalico.org/v1' ? storedPolicyName(storedName, tier, o.metadata?.annotations) : storedName;
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/**
 * Every Calico policy and tier of the snapshot. The v3 API view is preferred where the same
 * policy is also present in its storage form; the API view's mirrors of Kubernetes
 * NetworkPolicies (knp.default.*) and admin policies are skipped: they are evaluated from
 * their own kinds. The v3 validator's IP-family rules refuse only a manifest's v3 object with
 * no storage-form twin: a live cluster's objects exist whatever that validator says, and a
 * twin is what gets stored.
 */
export function collectCalicoPolicies(snapshot: Snapshot): CalicoPolicySet {
  const notes: CoverageNote[] = [];
  const r = snapshot.resources;
  const byIdentity = new Map<string, CalicoPolicy>();
  const mirrored = new Map<(typeof MIRROR_PREFIXES)[number], number>();
  const manifests = templatesStandIn(snapshot);
  const stored = new Set<string>();
  if (manifests) {
    for (const o of r['calico.networkpolicies'] ?? []) stored.add(policyIdentity(o, 'NetworkPolicy', 'crd.projectcalico.org/v1'));
    for (const o of r['calico.globalnetworkpolicies'] ?? []) stored.add(policyIdentity(o, 'GlobalNetworkPolicy', 'crd.projectcalico.org/v1'));
  }
  const add = (objs: KubeObject[] | undefined, kind: CalicoKind, api: CalicoApi): void => {
    for (const o of objs ?? []) {
      const storedName = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
      const mirror = api === 'projectcalico.org/v3' ? MIRROR_PREFIXES.find((m) => storedName.startsWith(m.prefix)) : undefined;
      if (mirror) {
        mirrored.set(mirror, (mirrored.get(mirror) ?? 0) + 1);
        continue;
      }
      const p = parseCalicoPolicy(o, kind, api, manifests && !stored.has(policyIdentity(o, kind, api)));
      const key = `${kind}\u0000${p.namespace ?? ''}\u0000${p.name}`;
      const prev = byIdentity.get(key);
      if (prev && prev.api === 'projectcalico.org/v3' && api !== prev.api) continue;
      byIdentity.set(key, p);
    }
  };
  add(r['calico-v3.networkpolicies'], 'NetworkPolicy', 'projectcalico.org/v3');
  add(r['calico-v3.globalnetworkpolicies'], 'GlobalNetworkPolicy', 'projectcalico.org/v3');
  add(r['calico.networkpolicies'], 'NetworkPolicy', 'crd.projectcalico.org/v1');
  add(r['calico.globalnetworkpolicies'], 'GlobalNetworkPolicy', 'crd.projectcalico.org/v1');
  for (const [m, n] of mirrored) notes.push({ object: { kind: m.kind, name: `${m.prefix}*` }, message: `${n} projectcalico.org/v3 object(s) named ${m.prefix}* skipped: the Calico API server mirrors them from ${m.of}, which are evaluated from their own kinds` });

  const tiers = new Map<string, CalicoTier>();
  for (const t of [...(r['calico.tiers'] ?? []), ...(r['calico-v3.tiers'] ?? [])]) {
    const tier = parseCalicoTier(t);
    if (tier.name && !tier.errors.length) tiers.set(tier.name, tier);
    else if (tier.errors.length) notes.push({ object: { kind: 'Tier', name: tier.name || '(unnamed)' }, message: `Tier ${tier.name || '(unnamed)'} is invalid and ignored: ${tier.errors.join('; ')}` });
  }
  const unread = tiersUnread(snapshot);
  // Calico's API refuses a policy whose tier does not exist ("Before creating the policy, check that
  // the tier exists": libcalico-go/lib/clientv3/networkpolicy.go Create, behind calico-apiserver and
  // calicoctl; api/pkg/apis/projectcalico/v3/networkpolicy.go: "The specified tier must exist in
  // order to create security policies within the tier"), so manifests naming a tier they do not
  // hold stand for a cluster that holds it, at an order and defaultAction they do not show, as for
  // Antrea (antrea.ts resolveTier). Live, with the Tiers read, a policy of a missing tier (stored
  // through crd.projectcalico.org, or its Tier deleted) is what Felix sees: a tier with no Tier
  // object sorts after every tier that has one (felix/calc/policy_sorter.go TierLess: !Valid last)
  // and its end drops what no policy decided (endpoint_lookup_cache.go: Deny unless the
  // defaultAction is Pass), so it is evaluated last with a default Deny.
  const unknown = unread ?? (snapshot.origin === 'manifests' ? 'no Tier of that name is among the manifests, while Calico refuses a policy whose tier does not exist (libcalico-go clientv3 Create), so the cluster holds one they leave out' : undefined);
  const policies = [...byIdentity.values()];
  const unplaced = new Map<string, CalicoPolicy[]>();
  for (const p of policies) {
    if (p.errors.length) continue;
    if (unplaced.has(p.tier)) unplaced.get(p.tier)!.push(p);
    if (tiers.has(p.tier)) continue;
    const builtin = BUILTIN_TIERS[p.tier];
    if (builtin) tiers.set(p.tier, { name: p.tier, ...builtin, implicit: true, errors: [] });
    else if (unknown) {
      tiers.set(p.tier, { name: p.tier, order: undefined, defaultAction: 'Deny', implicit: true, unplaced: `spec.tier ${JSON.stringify(p.tier)} names no built-in tier and ${unknown}: its order and defaultAction are not known`, errors: [] });
      unplaced.set(p.tier, [p]);
    } else {
      tiers.set(p.tier, { name: p.tier, order: undefined, defaultAction: 'Deny', implicit: true, errors: [] });
      notes.push({ object: p.ref, message: `Tier ${p.tier} (used by ${p.id}) was not found: evaluated last, with a default Deny` });
    }
  }
  for (const [name, ps] of unplaced) {
    const ids = ps.map((p) => p.id).sort();
    notes.push({
      object: { kind: 'Tier', name },
      message: `not placed: ${unknown}, so the order and defaultAction of this custom tier are not known; the ${ids.length === 1 ? 'policy' : `${ids.length} policies`} naming it (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}) ${ids.length === 1 ? 'is' : 'are'} not evaluated, and every verdict on the pods ${ids.length === 1 ? 'it selects' : 'they select'} is in doubt; the built-in tiers keep their fixed orders`,
    });
  }
  if (!tiers.has(DEFAULT_TIER)) tiers.set(DEFAULT_TIER, { name: DEFAULT_TIER, ...BUILTIN_TIERS.default, implicit: true, errors: [] });
  return { policies, tiers, notes };
}

/**
 * Why the Tier objects are unknown: neither view was read and one could not be (forbidden, an
 * error); undefined when one was read, or neither exists (no Tier kind: no custom tier either).
 * Either view lists every Tier (the v3 API serves what the storage form holds).
 */
function tiersUnread(snapshot: Snapshot): string | undefined {
  const views = [['calico.tiers', 'tiers.crd.projectcalico.org'], ['calico-v3.tiers', 'tiers.projectcalico.org']] as const;
  if (views.some(([k]) => snapshot.coverage[k]?.status === 'ok')) return undefined;
  const failed = views.filter(([k]) => snapshot.coverage[k]?.status === 'forbidden' || snapshot.coverage[k]?.status === 'error');
  if (!failed.length) return undefined;
  return `Tier objects (${failed.map(([k, what]) => `${what}: ${snapshot.coverage[k]!.status}`).join('; ')}) could not be read`;
}

/** "GlobalNetworkPolicy deny-x (tier default, order 10)". */
export function describeCalicoPolicy(p: Pick<CalicoPolicy, 'id' | 'tier' | 'order'>): string {
  return `${p.id} (tier ${p.tier}, ${p.order === undefined ? 'no order' : `order ${p.order}`})`;
}
