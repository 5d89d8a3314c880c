// cilium.io/v2 CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy, parsed and validated
// as Cilium itself does (v1.20: pkg/k8s/apis/cilium.io/v2 Parse, pkg/policy/api Sanitize,
// pkg/k8s/apis/cilium.io/utils ParseToCiliumRule, plus the CRD's schema checks). Cilium
// refuses a whole object when one rule is invalid, so an error here means none of the
// object is enforced. Errors are collected, never thrown.

import type { KubeObject } from '../../../snapshot/types.ts';
import type { Protocol } from '../conns.ts';
import { parseCidr, parseIp, subtractRanges, type IpRange } from '../../../base/ip.ts';
import { matchesInit, parseCiliumSelector, scopePeerSelector, scopeSubjectSelector, type CiliumSelector } from './selector.ts';
import { isIdentityLabel, POD_NAMESPACE_LABEL } from './labels.ts';
import type { CiliumRelease } from './release.ts';
import { ENTITIES, type CiliumPolicy, type CiliumPolicyKind, type CiliumRule, type Entity, type PeerRule, type PeerSelector, type PortRule, type PortSelector, type ServiceRef } from './types.ts';
import { fqdnRegex, fqdnPatternError } from './fqdn.ts';
import { parseSelector } from '../selector.ts';

/** Agent options that change how policies parse (cilium-config keys). */
export interface CiliumParseOptions {
  /** cluster-name; selectors are confined to it (policy-default-local-cluster, default on). */
  clusterName: string;
  /** policy-default-local-cluster (default true): peers without a cluster label stay in the local cluster. */
  defaultLocalCluster: boolean;
  /** enable-l7-proxy (default true): without it, any L7 rule makes the object invalid. */
  l7Proxy: boolean;
  /** enable-node-selector-labels (default false): fromNodes/toNodes need it. */
  nodeSelectorLabels: boolean;
  /**
   * The object comes from a manifest, not the API server: it must also pass the CRD's schema
   * (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml, v1.20.2), which the API
   * server checks on apply and the agent does not — `protocol` is a case-sensitive enum (TCP, UDP,
   * …, ANY) and fromCIDR/toCIDR items are `format: cidr`, which kube-openapi's strfmt checks with
   * ParseCIDRSloppy (an address/prefix; a bare address is refused). Stored objects passed it already.
   */
  schemaChecked?: boolean;
  /**
   * The CiliumCIDRGroups a cidrGroupRef/cidrGroupSelector resolves against; `unread` says why
   * they are not known (the kind could not be read). Undefined: not collected (a bare parse).
   */
  /** `fromManifests`: the groups of an input that may leave some out (a reference to none of them is unresolved, not empty). */
  cidrGroups?: { groups: readonly CidrGroup[]; fromManifests?: boolean } | { unread: string };
  /**
   * The agent's release (./release.ts), where it changes what a policy may say: endPort before
   * 1.16, entities and protocols an older agent's validation refuses. Undefined or not known:
   * read as the newest release does.
   */
  release?: CiliumRelease;
}

/** One CiliumCIDRGroup: its name, labels (cidrGroupSelector) and spec.externalCIDRs. */
export interface CidrGroup {
  name: string;
  labels: Record<string, string>;
  cidrs: Array<{ text: string; block: IpRange }>;
}

export const DEFAULT_PARSE_OPTIONS: CiliumParseOptions = { clusterName: 'default', defaultLocalCluster: true, l7Proxy: true, nodeSelectorLabels: false };

const ALL_PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];
const EXTENDED_PROTOCOLS = new Set(['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH']);
const SVC_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;
const MAX_PORTS = 40;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A list field: undefined when absent/null, [] kept as written (Cilium tells "empty" from "absent"). */
function listOf(v: unknown, at: string, errors: string[]): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    errors.push(`${at}: not a list`);
    return undefined;
  }
  return v;
}

/**
 * strconv.ParseUint(port, 0, 16), which both rule validation (pkg/policy/api/rule_validation.go
 * PortProtocol.sanitize) and enforcement (pkg/policy/l4.go) use, cilium v1.20.2: decimal, 0x hex,
 * 0o or leading-0 octal, 0b binary, and with base 0 Go's digit-separating underscores ("8_080" is
 * 8080; underscoreOK: each underscore between digits or after the base prefix). A port with a
 * letter never gets here: it is an IANA service name first (iana.IsSvcName), so "0x1F90" is a
 * named port, as in Cilium.
 */
function parsePortNumber(text: string): number | undefined {
  if (text === '') return undefined;
  let base = 10;
  let digits = text;
  if (text[0] === '0') {
    const b = text.length >= 3 ? text[1]!.toLowerCase() : '';
    if (b === 'b' || b === 'o' || b === 'x') {
      base = b === 'b' ? 2 : b === 'o' ? 8 : 16;
      digits = text.slice(2);
    } else {
      base = 8;
      digits = text.slice(1);
    }
  }
  let v = 0;
  let underscores = false;
  for (const c of digits) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 16);
    if (Number.isNaN(d) || d >= base) return undefined;
    v = v * base + d;
    if (v > 65535) return undefined;
  }
  if (underscores && !goUnderscoreOk(text)) return undefined;
  return v;
}

/** Go strconv's underscoreOK: underscores only between digits, or between the base prefix and a digit. */
function goUnderscoreOk(s: string): boolean {
  let saw = '^';
  let i = 0;
  const hex = s.length >= 2 && s[0] === '0' && s[1]!.toLowerCase() === 'x';
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

interface ParseCtx {
  policyNamespace?: string;
  options: CiliumParseOptions;
  errors: string[];
  notes: string[];
}

function parseProtocol(raw: unknown, at: string, ctx: ParseCtx): { protocols: Protocol[]; text: string } | undefined {
  const errors = ctx.errors;
  const schemaChecked = ctx.options.schemaChecked === true;
  if (raw === undefined || raw === null || raw === '') return { protocols: ALL_PROTOCOLS, text: 'ANY' };
  if (typeof raw !== 'string') {
    errors.push(`${at}: not a string`);
    return undefined;
  }
  const p = raw.toUpperCase();
  if (schemaChecked && p !== raw && (p === 'ANY' || p === 'TCP' || p === 'UDP' || p === 'SCTP' || EXTENDED_PROTOCOLS.has(p))) {
    errors.push(`${at}: "${raw}" is refused by the cilium.io/v2 CRD schema, whose protocol enum is upper-case ("${p}")`);
    return undefined;
  }
  if (p === 'ANY') return { protocols: ALL_PROTOCOLS, text: 'ANY' };
  if (p === 'TCP' || p === 'UDP' || p === 'SCTP') return { protocols: [p], text: p };
  if (EXTENDED_PROTOCOLS.has(p)) {
    const release = ctx.options.release;
    if (release?.known && release.refusedProtocols.includes(p)) {
      errors.push(`${at}: "${raw}" is not a protocol Cilium ${release.text} knows (its agent refuses the policy; ${p === 'VRRP' || p === 'IGMP' ? 'VRRP and IGMP are known from 1.19, 1.18 not confirmed' : 'GRE, IPIP, IPV6, ESP and AH came in 1.20'})`);
      return undefined;
    }
    if (release?.known && release.unconfirmedProtocols.includes(p)) ctx.notes.push(`${at}: "${raw}": whether Cilium ${release.text} knows this protocol is not confirmed (VRRP and IGMP are known from 1.19); read as known, so verdicts on this policy are uncertain`);
    return { protocols: [], text: p };
  }
  errors.push(`${at}: "${raw}" is not a protocol Cilium knows (TCP, UDP, SCTP, ANY, VRRP, IGMP, GRE, IPIP, IPV6, ESP, AH)`);
  return undefined;
}

/** toPorts[i].ports[j] (PortProtocol.sanitize). */
function parsePortProtocol(raw: unknown, at: string, hasDNS: boolean, ctx: ParseCtx): { sel: PortSelector; zero: boolean; protocol: string } | undefined {
  const errors = ctx.errors;
  if (!isObj(raw)) {
    errors.push(`${at}: not an object`);
    return undefined;
  }
  const proto = parseProtocol(raw.protocol, `${at}.protocol`, ctx);
  const port = raw.port;
  let endPort = raw.endPort;
  const release = ctx.options.release;
  if (release?.known && !release.portRanges && endPort !== undefined && endPort !== null) {
    // Before 1.16 the field does not exist: the CRD schema prunes it and the rule covers `port` alone.
    ctx.notes.push(`${at}.endPort: Cilium ${release.text} has no port ranges (endPort came in 1.16): the field is dropped and the rule covers port ${typeof port === 'string' ? port : '(none)'} only`);
    endPort = undefined;
  }
  if (typeof port === 'number') {
    errors.push(`${at}.port: ${port} must be a string ("${port}"); the CRD schema rejects a number`);
    return undefined;
  }
  if (port === undefined || port === null || port === '') {
    errors.push(`${at}.port: must be specified`);
    return undefined;
  }
  if (typeof port !== 'string') {
    errors.push(`${at}.port: not a string`);
    return undefined;
  }
  if (endPort !== undefined && endPort !== null && (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < 0 || endPort > 65535)) {
    errors.push(`${at}.endPort: not a port number`);
    return undefined;
  }
  if (!proto) return undefined;
  if (port.length <= 15 && SVC_NAME.test(port)) {
    // A named port; endPort is ignored (Cilium's documentation, Layer 4 Policies).
    return { sel: { protocols: proto.protocols, kind: 'named', name: port.toLowerCase() }, zero: false, protocol: proto.text };
  }
  if (port !== '0' && EXTENDED_PROTOCOLS.has(proto.text)) {
    errors.push(`${at}.port: must be empty or 0 for protocol ${proto.text}`);
    return undefined;
  }
  const p = parsePortNumber(port);
  if (p === undefined) {
    errors.push(`${at}.port: "${port}" is neither a port number nor a port name`);
    return undefined;
  }
  const end = typeof endPort === 'number' ? endPort : 0;
  if (hasDNS && end > p) {
    errors.push(`${at}: DNS rules do not support port ranges`);
    return undefined;
  }
  if (p === 0) return { sel: { protocols: proto.protocols, kind: 'all' }, zero: true, protocol: proto.text };
  return { sel: { protocols: proto.protocols, kind: 'range', lo: p, hi: end > p ? end : p }, zero: false, protocol: proto.text };
}

const L7_KINDS = ['http', 'dns', 'kafka', 'l7proto', 'l7'] as const;

/** toPorts (PortRule.sanitize); deny rules take ports only. */
function parsePortRules(raw: unknown, at: string, dir: 'ingress' | 'egress', deny: boolean, host: boolean, ctx: ParseCtx): PortRule[] {
  const list = listOf(raw, at, ctx.errors);
  if (!list) return [];
  const out: PortRule[] = [];
  list.forEach((pr: unknown, i: number) => {
    const where = `${at}[${i}]`;
    if (!isObj(pr)) return void ctx.errors.push(`${where}: not an object`);
    const rules = isObj(pr.rules) ? pr.rules : undefined;
    // A kind the agent's L7Rules does not have is pruned by the CRD schema: the port is open to every request.
    const known = ctx.options.release?.known ? ctx.options.release.l7Kinds : undefined;
    const gone = known && rules ? L7_KINDS.filter((k) => rules[k] !== undefined && !known.includes(k)) : [];
    if (gone.length) ctx.notes.push(`${where}.rules: Cilium ${ctx.options.release!.text} has no ${gone.map((k) => `rules.${k}`).join(', ')} (its L7 rules are ${known!.join(' and ')} only; Kafka rules were removed in 1.20): the field is dropped, so the port is open to every request`);
    const l7 = deny ? [] : L7_KINDS.filter((k) => !gone.includes(k) && rules && Array.isArray(rules[k]) && (rules[k] as unknown[]).length > 0);
    const hasDNS = l7.includes('dns');
    if (!deny) {
      if (dir === 'ingress' && hasDNS) ctx.errors.push(`${where}.rules: DNS rules are not allowed on ingress`);
      if (l7.length > 0 && !ctx.options.l7Proxy) ctx.errors.push(`${where}.rules: L7 policy is not supported since the L7 proxy is not enabled (enable-l7-proxy)`);
      if (host && l7.includes('http')) ctx.errors.push(`${where}.rules: L7 policy is not supported on host policies`);
      if (l7.filter((k) => k === 'http' || k === 'dns').length > 1) ctx.errors.push(`${where}.rules: multiple L7 protocol rule types specified in single rule`);
      if (hasDNS && (!Array.isArray(pr.ports) || pr.ports.length === 0)) ctx.errors.push(`${where}: port 53 must be specified for DNS rules`);
      if (pr.listener !== undefined && pr.listener !== null && dir === 'ingress') ctx.errors.push(`${where}.listener: not allowed on ingress`);
    }
    const ports = listOf(pr.ports, `${where}.ports`, ctx.errors) ?? [];
    if (ports.length > MAX_PORTS) ctx.errors.push(`${where}.ports: too many ports, the max is ${MAX_PORTS}`);
    const sels: PortSelector[] = [];
    let zero = false;
    ports.forEach((p: unknown, j: number) => {
      const r = parsePortProtocol(p, `${where}.ports[${j}]`, hasDNS, ctx);
      if (!r) return;
      if (r.zero) zero = true;
      if (l7.length > 0 && !hasDNS && r.protocol !== 'TCP') ctx.errors.push(`${where}.ports[${j}]: L7 rules can only apply to TCP (not ${r.protocol}) except for DNS rules`);
      sels.push(r.sel);
    });
    if (l7.length > 0 && zero) ctx.errors.push(`${where}: L7 rules can not be used when a port is 0`);
    out.push({ ports: sels, l7: [...l7] });
  });
  return out;
}

function parseCidrPeer(raw: unknown, at: string, errors: string[], schemaChecked: boolean): PeerSelector | undefined {
  if (typeof raw !== 'string' || raw === '') {
    errors.push(`${at}: IP must be specified`);
    return undefined;
  }
  // api.CIDR accepts a bare address as a host prefix; the CRD schema (format: cidr) does not.
  let block: IpRange | undefined = parseCidr(raw);
  if (!block && schemaChecked && parseIp(raw)) {
    errors.push(`${at}: "${raw}" is refused by the cilium.io/v2 CRD schema (format: cidr needs an address/prefix, such as "${raw}/${raw.includes(':') ? 128 : 32}")`);
    return undefined;
  }
  if (!block) {
    const ip = parseIp(raw);
    if (ip) block = { family: ip.family, lo: ip.value, hi: ip.value };
  }
  if (!block) {
    errors.push(`${at}: unable to parse CIDR "${raw}"`);
    return undefined;
  }
  return { kind: 'cidr', text: raw, except: [], block, ranges: [block] };
}

function parseCidrRule(raw: unknown, at: string, ctx: ParseCtx): PeerSelector | PeerSelector[] | undefined {
  if (!isObj(raw)) {
    ctx.errors.push(`${at}: not an object`);
    return undefined;
  }
  const sources = ['cidr', 'cidrGroupRef', 'cidrGroupSelector'].filter((k) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '');
  if (sources.length === 0) {
    ctx.errors.push(`${at}: one of cidr, cidrGroupRef, or cidrGroupSelector is required`);
    return undefined;
  }
  if (sources.length > 1) {
    ctx.errors.push(`${at}: more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set`);
    return undefined;
  }
  if (sources[0] !== 'cidr') return cidrGroupPeers(raw, sources[0] === 'cidrGroupRef', at, ctx);
  const cidrText = raw.cidr;
  const block = typeof cidrText === 'string' ? parseCidr(cidrText) : undefined;
  if (!block) {
    ctx.errors.push(`${at}.cidr: unable to parse CIDRRule "${String(cidrText)}" (an address/prefix is required)`);
    return undefined;
  }
  const exceptRaw = listOf(raw.except, `${at}.except`, ctx.errors) ?? [];
  const excepts: IpRange[] = [];
  const exceptText: string[] = [];
  for (const [j, e] of exceptRaw.entries()) {
    const x = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!x) {
      ctx.errors.push(`${at}.except[${j}]: unable to parse "${String(e)}"`);
      return undefined;
    }
    if (x.family !== block.family || x.lo < block.lo || x.hi > block.hi) {
      ctx.errors.push(`${at}.except[${j}]: allow CIDR prefix ${String(cidrText)} does not contain exclude CIDR prefix ${String(e)}`);
      return undefined;
    }
    excepts.push(x);
    exceptText.push(e as string);
  }
  return { kind: 'cidr', text: cidrText as string, except: exceptText, block, ranges: subtractRanges(block, excepts) };
}

/**
 * A cidrGroupRef (by name) or cidrGroupSelector (by the groups' labels) as the CIDRs of the
 * CiliumCIDRGroups it selects (docs.cilium.io/en/latest/network/kubernetes/ciliumcidrgroup/).
 * Groups that could not be read leave the peer unresolved: it matches nothing, and verdicts on
 * outside addresses it may hold are in doubt (engine.ts ruleMatchDoubt).
 */
function cidrGroupPeers(raw: Obj, byName: boolean, at: string, ctx: ParseCtx): PeerSelector[] | undefined {
  let text = `cidrGroupRef ${JSON.stringify(String(raw.cidrGroupRef))}`;
  let matches = (g: CidrGroup) => g.name === String(raw.cidrGroupRef);
  if (!byName) {
    const r = parseSelector(raw.cidrGroupSelector, `${at}.cidrGroupSelector`);
    if (!r.selector) {
      ctx.errors.push(...r.errors);
      return undefined;
    }
    const sel = r.selector;
    text = `cidrGroupSelector ${sel.key}`;
    matches = (g: CidrGroup) => sel.matches(g.labels);
  }
  const known = ctx.options.cidrGroups;
  if (!known || 'unread' in known) {
    const why = known ? known.unread : 'not collected';
    ctx.notes.push(`${at}: ${text}: the CiliumCIDRGroups are ${known ? 'not known' : 'not collected'} (${why}); this peer is treated as matching no address, and verdicts on outside addresses it may hold are uncertain`);
    return [{ kind: 'unsupported', text: `${at} ${text}`, may: 'addresses', what: `${at}: ${text} (CiliumCIDRGroups ${known ? `could not be read: ${why}` : 'not collected'})` }];
  }
  const cidrs = known.groups.filter(matches).flatMap((g) => g.cidrs);
  if (!cidrs.length && known.fromManifests && !known.groups.some(matches)) {
    // Manifests may leave the group out while the cluster has it: not read, not empty.
    ctx.notes.push(`${at}: ${text} selects no CiliumCIDRGroup in the input (the cluster may hold one); this peer is treated as matching no address, and verdicts on outside addresses it may hold are uncertain`);
    return [{ kind: 'unsupported', text: `${at} ${text}`, may: 'addresses', what: `${at}: ${text} (no CiliumCIDRGroup in the input; the cluster may hold one)` }];
  }
  if (!cidrs.length) {
    ctx.notes.push(`${at}: ${text} selects no CiliumCIDRGroup with externalCIDRs in the snapshot, so it matches no address`);
    return [{ kind: 'unsupported', text: `${at} ${text} (no CiliumCIDRGroup)` }];
  }
  // `except` applies to the group's addresses as well: newCIDRRuleSelector (pkg/policy/types/selector.go,
  // cilium v1.20.2) passes ExceptCIDRs into the group selector ("cidr group with exception" in
  // selector_test.go). Rule validation does not check them for a group (rule_validation.go
  // CIDRRule.sanitize returns early), so one that is no prefix excludes nothing.
  const excepts: Array<{ text: string; block: IpRange }> = [];
  for (const [j, e] of (listOf(raw.except, `${at}.except`, ctx.errors) ?? []).entries()) {
    const x = typeof e === 'string' ? parseCidr(e) : undefined;
    if (x) excepts.push({ text: e as string, block: x });
    else ctx.notes.push(`${at}.except[${j}]: "${String(e)}" is not an address/prefix, so it excludes nothing`);
  }
  return cidrs.map((c) => {
    const inside = excepts.filter((x) => x.block.family === c.block.family && x.block.hi >= c.block.lo && x.block.lo <= c.block.hi);
    return { kind: 'cidr', text: `${c.text} (${text})`, except: inside.map((x) => x.text), block: c.block, ranges: subtractRanges(c.block, inside.map((x) => x.block)) };
  });
}

/** Selector keys Cilium's default identity filter drops: no identity ever carries them. */
function noteFilteredKeys(sel: CiliumSelector, at: string, ctx: ParseCtx): void {
  for (const r of sel.requirements) {
    if ((r.source === 'k8s' || r.source === 'any') && !isIdentityLabel(r.key)) {
      ctx.notes.push(`${at}: label ${r.key} is not part of Cilium's security identity (default identity-relevant labels), so no endpoint carries it (${r.op === 'In' || r.op === 'Exists' ? 'this selector matches nothing' : 'this requirement always holds'})`);
    }
  }
}

function parseEndpointPeers(raw: unknown[], at: string, ctx: ParseCtx, subjectInit: boolean): PeerSelector[] {
  const out: PeerSelector[] = [];
  raw.forEach((s: unknown, i: number) => {
    const r = parseCiliumSelector(s, `${at}[${i}]`);
    ctx.errors.push(...r.errors);
    if (!r.selector) return;
    noteFilteredKeys(r.selector, `${at}[${i}]`, ctx);
    const cluster = ctx.options.defaultLocalCluster ? ctx.options.clusterName : undefined;
    out.push({ kind: 'endpoints', written: r.selector.text, selector: scopePeerSelector(r.selector, ctx.policyNamespace, subjectInit, cluster) });
  });
  return out;
}

function parseServices(raw: unknown[], at: string, ctx: ParseCtx): ServiceRef[] {
  const out: ServiceRef[] = [];
  raw.forEach((s: unknown, i: number) => {
    const where = `${at}[${i}]`;
    if (!isObj(s)) return void ctx.errors.push(`${where}: not an object`);
    if (isObj(s.k8sServiceSelector)) {
      const sel = s.k8sServiceSelector;
      const r = parseCiliumSelector(sel.selector, `${where}.k8sServiceSelector.selector`);
      ctx.errors.push(...r.errors);
      if (!r.selector) return;
      const ns = typeof sel.namespace === 'string' && sel.namespace ? sel.namespace : undefined;
      out.push({ text: `Services matching ${r.selector.text}${ns ? ` in ${ns}` : ' in any namespace'}`, namespace: ns, selector: r.selector });
    } else if (isObj(s.k8sService)) {
      const ref = s.k8sService;
      const name = typeof ref.serviceName === 'string' ? ref.serviceName : undefined;
      const ns = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : undefined;
      out.push({ text: `Service ${ns ? `${ns}/` : '*/'}${name ?? ''}`, name, namespace: ns });
    } else {
      ctx.notes.push(`${where}: names no k8sService or k8sServiceSelector; it selects nothing`);
    }
  });
  return out;
}

const INGRESS_L3 = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'] as const;
const EGRESS_L3 = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes'] as const;
/** Fields whose written-empty list makes Cilium select no peer (mergeEndpointSelectors). */
const EMPTY_MEANS_NOTHING = new Set(['fromEndpoints', 'fromNodes', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'toEndpoints', 'toNodes', 'toEntities', 'toCIDR', 'toCIDRSet']);

function parsePeerRule(raw: unknown, index: number, at: string, dir: 'ingress' | 'egress', deny: boolean, rule: { host: boolean; subjectInit: boolean }, ctx: ParseCtx): PeerRule {
  const empty: PeerRule = { index, peers: 'nothing', services: [], l4Count: 0, portRules: [] };
  if (!isObj(raw)) {
    ctx.errors.push(`${at}: not an object`);
    return empty;
  }
  const l3Fields = dir === 'ingress' ? INGRESS_L3 : EGRESS_L3;
  const present = l3Fields.filter((f) => Array.isArray(raw[f]) && (raw[f] as unknown[]).length > 0);
  if (dir === 'egress' && !deny && Array.isArray(raw.toFQDNs) && raw.toFQDNs.length > 0) present.push('toFQDNs' as never);
  if (present.length > 1) ctx.errors.push(`${at}: combining ${present[0]} and ${present[1]} is not supported`);
  if (deny && dir === 'egress' && raw.toFQDNs !== undefined) ctx.errors.push(`${at}.toFQDNs: deny rules do not support toFQDNs`);
  if (deny && raw.toPorts !== undefined) {
    for (const [i, pr] of (Array.isArray(raw.toPorts) ? raw.toPorts : []).entries()) if (isObj(pr) && pr.rules !== undefined) ctx.errors.push(`${at}.toPorts[${i}].rules: deny rules do not support L7 rules`);
  }
  // fromRequires/toRequires: kept for the adapter, which knows the agent's release (Cilium 1.19 removed them).
  const requiresField = dir === 'ingress' ? 'fromRequires' : 'toRequires';
  const requiresList = listOf(raw[requiresField], `${at}.${requiresField}`, ctx.errors);
  const requires = requiresList?.length ? parseEndpointPeers(requiresList, `${at}.${requiresField}`, ctx, rule.subjectInit).flatMap((p) => (p.kind === 'endpoints' ? [p] : [])) : [];

  let nothing = false;
  const peers: PeerSelector[] = [];
  let services: ServiceRef[] = [];
  let unresolved: string | undefined;
  for (const f of [...l3Fields, ...(dir === 'egress' && !deny ? ['toFQDNs'] : [])]) {
    const list = listOf(raw[f], `${at}.${f}`, ctx.errors);
    if (!list) continue;
    if (list.length === 0 && EMPTY_MEANS_NOTHING.has(f)) nothing = true;
    const where = `${at}.${f}`;
    switch (f) {
      case 'fromEndpoints':
      case 'toEndpoints':
        peers.push(...parseEndpointPeers(list, where, ctx, rule.subjectInit));
        break;
      case 'fromEntities':
      case 'toEntities':
        list.forEach((e: unknown, i: number) => {
          const release = ctx.options.release;
          if (typeof e === 'string' && release?.known && release.refusedEntities.includes(e)) ctx.errors.push(`${where}[${i}]: unsupported entity: ${e} (Cilium ${release.text} predates it; it came in 1.20)`);
          else if (typeof e === 'string' && (ENTITIES as readonly string[]).includes(e)) peers.push({ kind: 'entity', entity: e as Entity });
          else ctx.errors.push(`${where}[${i}]: unsupported entity: ${String(e)}`);
        });
        break;
      case 'fromCIDR':
      case 'toCIDR':
        list.forEach((c: unknown, i: number) => {
          const p = parseCidrPeer(c, `${where}[${i}]`, ctx.errors, ctx.options.schemaChecked === true);
          if (p) peers.push(p);
        });
        break;
      case 'fromCIDRSet':
      case 'toCIDRSet':
        list.forEach((c: unknown, i: number) => {
          const p = parseCidrRule(c, `${where}[${i}]`, ctx);
          if (Array.isArray(p)) peers.push(...p);
          else if (p) peers.push(p);
        });
        break;
      case 'fromNodes':
      case 'toNodes':
        if (list.length > 0 && !ctx.options.nodeSelectorLabels) ctx.errors.push(`${where}: ${f} needs the enable-node-selector-labels option`);
        else if (list.length > 0) {
          ctx.notes.push(`${where}: node selectors are not evaluated; treated as matching no node, and verdicts on nodes and host-network pods are uncertain`);
          peers.push({ kind: 'unsupported', text: where, may: 'nodes', what: `${where}: a node selector (Node labels are not read)` });
        }
        break;
      case 'fromGroups':
      case 'toGroups':
        if (list.length > 0) {
          ctx.notes.push(`${where}: cloud provider groups are not evaluated; treated as matching no address, and verdicts on outside addresses are uncertain`);
          peers.push({ kind: 'unsupported', text: where, may: 'addresses', what: `${where}: cloud provider groups (the Cilium operator resolves them from the provider's API)` });
        }
        break;
      case 'toServices': {
        const refs = parseServices(list, where, ctx);
        // Cilium resolves toServices in egress allow rules only (pkg/policy/k8s service.go
        // processRule): in an egressDeny rule it stays unresolved, so the rule names no peer.
        if (!deny) services = refs;
        else if (refs.length) unresolved = where;
        break;
      }
      case 'toFQDNs':
        list.forEach((s: unknown, i: number) => {
          const w = `${where}[${i}]`;
          if (!isObj(s)) return void ctx.errors.push(`${w}: not an object`);
          const matchName = typeof s.matchName === 'string' && s.matchName ? s.matchName : undefined;
          const matchPattern = typeof s.matchPattern === 'string' && s.matchPattern ? s.matchPattern : undefined;
          if (matchName && matchPattern) return void ctx.errors.push(`${w}: only one of matchName or matchPattern is allowed`);
          const err = fqdnPatternError(matchName, matchPattern);
          if (err) return void ctx.errors.push(`${w}: ${err}`);
          const text = matchName ? `matchName ${matchName}` : `matchPattern ${matchPattern ?? ''}`;
          peers.push({ kind: 'fqdn', text, ...(matchName ? { matchName } : {}), ...(matchPattern ? { matchPattern } : {}), regex: fqdnRegex(matchName, matchPattern) });
        });
        break;
    }
  }

  const portRules = parsePortRules(raw.toPorts, `${at}.toPorts`, dir, deny, rule.host, ctx);
  const icmps = listOf(raw.icmps, `${at}.icmps`, ctx.errors) ?? [];
  if (icmps.length > 0 && portRules.length > 0) ctx.errors.push(`${at}: the icmps block may only be present without toPorts`);
  const l4Count = portRules.length + icmps.length;
  // No peer selector is Cilium's wildcard for a rule with ports, and nothing without (rule.go mergeL4Filter).
  if (unresolved) ctx.notes.push(`${unresolved}: Cilium resolves toServices only in egress (allow) rules, so this deny rule names no peer and ${l4Count ? 'denies its ports to every destination' : 'denies nothing'}`);
  return { index, peers: nothing ? 'nothing' : peers, services, l4Count, portRules, ...(requires.length ? { requires } : {}) };
}

function parseRuleList(raw: unknown, at: string, dir: 'ingress' | 'egress', deny: boolean, rule: { host: boolean; subjectInit: boolean }, ctx: ParseCtx): PeerRule[] {
  const list = listOf(raw, at, ctx.errors);
  if (!list) return [];
  return list.map((r, i) => parsePeerRule(r, i, `${at}[${i}]`, dir, deny, rule, ctx));
}

/** Whether a requirement on the namespace label rules out `ns` (the subject can then match nothing). */
function excludesNamespace(s: CiliumSelector, ns: string): boolean {
  return s.requirements.some((r) => {
    if (r.key !== POD_NAMESPACE_LABEL || (r.source !== 'k8s' && r.source !== 'any')) return false;
    if (r.op === 'In') return !r.values.includes(ns);
    if (r.op === 'NotIn') return r.values.includes(ns);
    return r.op === 'DoesNotExist';
  });
}

function parseRule(raw: unknown, path: string, kind: CiliumPolicyKind, ctx: ParseCtx): CiliumRule | undefined {
  if (!isObj(raw)) {
    ctx.errors.push(`${path}: not an object`);
    return undefined;
  }
  const lists = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
  if (lists.every((k) => !Array.isArray(raw[k]) || raw[k].length === 0)) {
    ctx.errors.push(`${path}: must have at least one of ingress, ingressDeny, egress, egressDeny`);
  }
  const hasES = raw.endpointSelector !== undefined && raw.endpointSelector !== null;
  const hasNS = raw.nodeSelector !== undefined && raw.nodeSelector !== null;
  if (!hasES && !hasNS) {
    ctx.errors.push(`${path}: must have one of endpointSelector or nodeSelector`);
    return undefined;
  }
  if (hasES && hasNS) {
    ctx.errors.push(`${path}: cannot have both endpointSelector and nodeSelector`);
    return undefined;
  }
  if (hasNS && kind === 'CiliumNetworkPolicy') {
    ctx.errors.push(`${path}.nodeSelector: a CiliumNetworkPolicy cannot have a nodeSelector (host policies are clusterwide)`);
    return undefined;
  }
  let subject: CiliumSelector | undefined;
  if (hasES) {
    const r = parseCiliumSelector(raw.endpointSelector, `${path}.endpointSelector`);
    ctx.errors.push(...r.errors);
    if (!r.selector) return undefined;
    noteFilteredKeys(r.selector, `${path}.endpointSelector`, ctx);
    const scoped = scopeSubjectSelector(r.selector, ctx.policyNamespace);
    if (scoped.overridden) ctx.notes.push(`${path}.endpointSelector: names namespace ${scoped.overridden.join(', ')}; Cilium always applies a CiliumNetworkPolicy in its own namespace (${ctx.policyNamespace})`);
    else if (ctx.policyNamespace !== undefined && excludesNamespace(scoped.selector, ctx.policyNamespace)) {
      ctx.notes.push(`${path}.endpointSelector: its namespace requirement excludes the policy's own namespace (${ctx.policyNamespace}), so it selects no pod`);
    }
    subject = scoped.selector;
  } else {
    const r = parseCiliumSelector(raw.nodeSelector, `${path}.nodeSelector`);
    ctx.errors.push(...r.errors);
    ctx.notes.push(`${path}: nodeSelector makes this a host policy (nodes, not pods); not evaluated`);
  }
  const edd = raw.enableDefaultDeny;
  const enableDefaultDeny: CiliumRule['enableDefaultDeny'] = {};
  if (edd !== undefined && edd !== null) {
    if (!isObj(edd)) ctx.errors.push(`${path}.enableDefaultDeny: not an object`);
    else {
      for (const d of ['ingress', 'egress'] as const) {
        const v = edd[d];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'boolean') ctx.errors.push(`${path}.enableDefaultDeny.${d}: not a boolean`);
        else enableDefaultDeny[d] = v;
      }
    }
  }
  const shape = { host: hasNS, subjectInit: subject ? matchesInit(subject) : false };
  return {
    path,
    ...(subject ? { subject } : {}),
    hostPolicy: hasNS,
    enableDefaultDeny,
    ingress: parseRuleList(raw.ingress, `${path}.ingress`, 'ingress', false, shape, ctx),
    ingressDeny: parseRuleList(raw.ingressDeny, `${path}.ingressDeny`, 'ingress', true, shape, ctx),
    egress: parseRuleList(raw.egress, `${path}.egress`, 'egress', false, shape, ctx),
    egressDeny: parseRuleList(raw.egressDeny, `${path}.egressDeny`, 'egress', true, shape, ctx),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
  };
}

export function isCiliumPolicyKind(kind: unknown): kind is CiliumPolicyKind {
  return kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy';
}

/** Parses one CNP or CCNP object. */
export function parseCiliumPolicy(o: KubeObject, options: CiliumParseOptions = DEFAULT_PARSE_OPTIONS): CiliumPolicy {
  const kind: CiliumPolicyKind = o.kind === 'CiliumClusterwideNetworkPolicy' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
  const namespace = kind === 'CiliumNetworkPolicy' ? o.metadata?.namespace || 'default' : undefined;
  const id = `${kind} ${namespace !== undefined ? `${namespace}/` : ''}${name || '(unnamed)'}`;
  const ctx: ParseCtx = { policyNamespace: namespace, options, errors: [], notes: [] };
  if (!name) ctx.errors.push('metadata.name: missing');
  const rules: CiliumRule[] = [];
  const spec = o.spec;
  const specs = (o as { specs?: unknown }).specs;
  const hasSpec = spec !== undefined && spec !== null;
  const hasSpecs = specs !== undefined && specs !== null;
  if (!hasSpec && !hasSpecs) ctx.errors.push('spec or specs must be provided (empty policy)');
  if (hasSpec) {
    const r = parseRule(spec, 'spec', kind, ctx);
    if (r) rules.push(r);
  }
  if (hasSpecs) {
    if (!Array.isArray(specs)) ctx.errors.push('specs: not a list');
    else {
      if (specs.length === 0) {
        ctx.notes.push(hasSpec ? 'has both spec and an empty specs list: Cilium enforces spec alone' : 'specs is an empty list: the policy has no rules and no effect');
      } else if (hasSpec) {
        ctx.notes.push(`has both spec and specs: Cilium enforces all ${specs.length + 1} rules`);
      }
      specs.forEach((s: unknown, i: number) => {
        const r = parseRule(s, `specs[${i}]`, kind, ctx);
        if (r) rules.push(r);
      });
    }
  }
  return { kind, ...(namespace !== undefined ? { namespace } : {}), name, id, rules, errors: ctx.errors, notes: ctx.notes, raw: o };
}
