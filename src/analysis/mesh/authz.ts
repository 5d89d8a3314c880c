// Istio AuthorizationPolicy effect on one workload, at the granularity an auditor needs:
// does anything restrict who may call it? Order: CUSTOM, DENY, then "no ALLOW policy =>
// allow", ALLOW match => allow, else deny. `spec: {}` (ALLOW, no rules) allows nothing; a DENY
// or CUSTOM policy without rules is rejected by istiod's validation and, stored anyway, built as
// a policy that never matches (parseAuthorizationPolicy): it refuses nobody either way.
// Root-namespace policies apply mesh-wide.

import type { ResourceRef } from '../../base/vocabulary.ts';
import { parseCidr, parseIp, type Family, type IpRange } from '../../base/ip.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { readWorkloadSelector, selectorMatches } from './istio.ts';
import { atLeast, type IstiodReleases } from './istiod-release.ts';
import { arr, obj, type Json } from './util.ts';
import { typeName } from '../../snapshot/shape.ts';
import { goParseBool } from '../flags.ts';

export type AuthzEffect =
  | 'no-policy' // nothing applies: every caller allowed
  | 'deny-all' // ALLOW policies exist but none has a rule: nothing is allowed
  | 'allow-all' // an ALLOW policy has an empty rule
  | 'restricted'; // ALLOW rules (or effective DENY rules) narrow the callers

export function istioAuthorizationEffect(policies: KubeObject[], rootNamespace: string, namespace: string, labels: Record<string, string>): AuthzEffect {
  let allowPolicies = 0;
  let allowRules = 0;
  let allowAll = false;
  let denyRules = 0;
  for (const o of policies) {
    // Read as parseAuthorizationPolicy reads it: a policy the API server or istiod refuses is not in effect.
    const p = parseAuthorizationPolicy(o);
    if (p.problems.length > 0 || p.targeted || !istioPolicySelects(p, rootNamespace, namespace, labels)) continue;
    if (p.action === 'ALLOW') {
      allowPolicies++;
      allowRules += p.rules.length;
      if (p.rules.some((r) => r.anySource && r.anyOperation && !r.conditional)) allowAll = true;
    } else if (p.action === 'DENY') {
      denyRules += p.rules.length;
    }
  }
  if (allowAll) return 'allow-all';
  if (allowPolicies > 0 && allowRules === 0) return 'deny-all';
  if (allowPolicies > 0 || denyRules > 0) return 'restricted';
  return 'no-policy';
}

// ---------------------------------------------------------------------------------------------
// Parsed policies, per workload: what applies (selector, namespace, root namespace; policies
// attached by targetRef(s) act at a gateway or waypoint, not at the workload's sidecar), which
// rules admit any caller, and which identity-based rules a plaintext caller escapes.

export type AuthzAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
const ACTIONS = new Set<string>(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']);
/** `when` keys that read the mTLS peer identity, as from.source principals/namespaces do. */
const IDENTITY_CONDITIONS = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain']);

export interface AuthzRule {
  index: number;
  /** The istiod release read builds no rule of it (a `when` key it validates but cannot build): dropped from the policy's rules. */
  skipped?: boolean;
  /** No `from` at all: any source. */
  anySource: boolean;
  /**
   * Positive identity fields (principals, namespaces, serviceAccounts, trustDomains, or a `when` on
   * source.principal / source.namespace with values): need an mTLS peer identity to match. Those
   * are "mTLS-only fields [that] will never match when the traffic is plain text"
   * (https://istio.io/v1.9/news/security/istio-security-2021-004); serviceAccounts and trustDomains
   * read the same peer certificate (istio/istio pilot/pkg/security/authz/model/generator.go,
   * srcServiceAccountGenerator and srcTrustDomainGenerator build principalAuthenticated matchers).
   */
  identity: boolean;
  /** Negative identity fields only (notPrincipals, notNamespaces, notServiceAccounts, notTrustDomains, or notValues of those two `when` keys): a plaintext caller matches them. */
  negativeIdentityOnly: boolean;
  /** principals, namespaces or trustDomains list "*": any authenticated peer. */
  anyPrincipal: boolean;
  /** Has a `when` condition (treated as possibly narrowing; never as widening). */
  conditional: boolean;
  /** No `to`: every port, method and path. */
  anyOperation: boolean;
  ports: string[];
  /** The rule as written, for per-flow evaluation (istio-authz.ts). */
  from: AuthzSource[];
  to: AuthzOperation[];
  when: AuthzCondition[];
}

/** One `from[].source`: every field present must match (AND); within a field, any value (OR). */
export interface AuthzSource {
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  /** `<namespace>/<serviceaccount>`, or `<serviceaccount>` in the policy's own namespace (Istio 1.25+). */
  serviceAccounts?: string[];
  notServiceAccounts?: string[];
  /** The trust domain of the peer's SPIFFE identity: exact, prefix*, *suffix or "*" (istiod builds it from 1.30.2). */
  trustDomains?: string[];
  notTrustDomains?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

/** One `to[].operation`. */
export interface AuthzOperation {
  ports?: string[];
  notPorts?: string[];
  hosts?: string[];
  notHosts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface AuthzCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

/**
 * The address families (4, 6) whose every address the `ipBlocks`-style values cover together.
 * A value is an address or a CIDR ("Single IP (e.g. 203.0.113.4) and CIDR (e.g. 203.0.113.0/24)
 * are supported", https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source);
 * one that is neither covers nothing. Sorted and merged once: linear in the values after the sort.
 */
export function ipBlocksCoverEvery(values: readonly string[] | undefined): Family[] {
  const byFamily = new Map<Family, IpRange[]>([[4, []], [6, []]]);
  for (const v of values ?? []) {
    const ip = v.includes('/') ? undefined : parseIp(v);
    const r = ip ? { family: ip.family, lo: ip.value, hi: ip.value } : parseCidr(v);
    if (r) byFamily.get(r.family)!.push(r);
  }
  const out: Family[] = [];
  for (const [family, ranges] of byFamily) {
    const top = (1n << (family === 4 ? 32n : 128n)) - 1n;
    let next = 0n;
    for (const r of ranges.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0))) {
      if (r.lo > next) break;
      if (r.hi >= next) next = r.hi + 1n;
    }
    if (next > top) out.push(family);
  }
  return out;
}

export interface AuthzTargetRef {
  group: string;
  kind: string;
  name: string;
  /** As written; empty: the policy's own namespace. */
  namespace?: string;
}

export interface ParsedAuthzPolicy {
  ref: ResourceRef;
  namespace: string;
  action: AuthzAction | undefined;
  /** matchLabels of spec.selector; undefined = the whole namespace. */
  selector?: Record<string, string>;
  /** spec.selector has a shape the CRD schema refuses (readWorkloadSelector): it picks no workload, and never widens to the namespace. */
  selectsNothing?: true;
  /** Attached by targetRef/targetRefs (gateway, waypoint, Service): not enforced by the sidecar. */
  targeted: boolean;
  targetRefs: AuthzTargetRef[];
  /** CUSTOM: the extension provider (external authorizer) named by spec.provider.name. */
  provider?: string;
  /** `spec: {}` or an ALLOW with no rules: allows nothing. */
  allowNothing: boolean;
  /**
   * An ALLOW, DENY or AUDIT policy annotated `istio.io/dry-run` with a value Go's strconv.ParseBool
   * reads as true ("1", "t", "TRUE", ...): istiod puts it in the RBAC filter's shadow rules, which
   * Envoy (a sidecar, a gateway, a waypoint) evaluates and logs but never enforces (istio/istio
   * pilot/pkg/security/authz/builder/builder.go at 1.30.0, isDryRun and build: `currentRule =
   * shadowRules`; https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/).
   * policiesFor leaves it out. Not set for CUSTOM: builder.go's buildHTTP still calls ext_authz for
   * a dry-run CUSTOM policy ("limitation: dry-run CUSTOM policies still call ext_authz").
   */
  dryRun?: true;
  /** A CUSTOM policy annotated dry-run: still sent to its provider, but left out of the DENY rules istiod builds when the provider is not defined. */
  customDryRun?: true;
  rules: AuthzRule[];
  /** Why istiod rejects the policy (unknown action, serviceAccounts with a wildcard, an empty source, ...): named in findings; the policy is not in effect. */
  problems: string[];
  /**
   * Why the API server refuses the object: a field of a type the CRD schema does not take
   * (schemaRefusals) or a selector it refuses (readWorkloadSelector). Such a policy does not exist
   * and protects nothing. Also in `problems`.
   */
  refused: string[];
  /** Values istiod accepts but that can match no workload (a spiffe:// principal, a `*` inside one): the policy is in effect without them. */
  warnings: string[];
  /**
   * The istiods of the snapshot may read the policy otherwise: their release is not known, or they
   * differ, and an older one reads a field or `when` key it uses otherwise (targetRef(s) ignored, a
   * key rejected). `alternative`: the policy as the oldest possible release reads it; `why` says so.
   */
  doubt?: { why: string; alternative: ParsedAuthzPolicy };
}

/**
 * The Istio release a policy is read as: a minor (and patch) release, or the newest, whose reading
 * is today's. A release naming no patch (an image tagged `1.30`) may be any patch of its minor:
 * read as its first patch, or with `newestPatch` as its newest (parseAsReleasesRead reads it both
 * ways when a gate falls inside that minor).
 */
export type IstioReadAt = { minor: [number, number]; patch?: number; newestPatch?: true } | 'latest';

const knows = (at: IstioReadAt, since: readonly [number, number, number?]): boolean => at === 'latest' || (atLeast(at, since) ?? at.newestPatch === true);
const releaseText = (at: IstioReadAt) => (at === 'latest' ? 'the newest Istio' : `Istio ${at.minor.join('.')}${at.patch !== undefined ? `.${at.patch}` : ''}`);

/**
 * The first release whose istiod builds `from.source.trustDomains`/`notTrustDomains` and a `when`
 * on source.trustDomain into the proxy's RBAC rules: 1.30.2 (istio/istio#60528, "Support
 * trustDomains and notTrustDomains in AuthorizationPolicy source", backported to release-1.30:
 * pilot/pkg/security/authz/model/model.go builds attrSrcTrustDomain at tag 1.30.2, not at 1.30.1;
 * releasenotes/notes/add-trust-domains-to-authz-policy.yaml first at 1.30.2, and 1.31.0-rc.0).
 */
const TRUST_DOMAINS_BUILT: readonly [number, number, number] = [1, 30, 2];

/**
 * The first release whose istiod takes each targetRef kind: validation.go allowedTargetRefs (1.20.0:
 * Gateway only; 1.22.0: Service, Gateway; 1.24.0: + ServiceEntry; 1.25.0: + GatewayClass), the
 * kinds pilot/pkg/model/policyattachment.go ShouldAttachPolicy matches at the same tags.
 */
const TARGET_KINDS: ReadonlyArray<{ group: string; kind: string; since: [number, number] }> = [
  { group: 'gateway.networking.k8s.io', kind: 'Gateway', since: [1, 20] },
  { group: 'core', kind: 'Service', since: [1, 22] },
  { group: 'networking.istio.io', kind: 'ServiceEntry', since: [1, 24] },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', since: [1, 25] },
];

/**
 * The `when` keys istiod knows (istio/istio pkg/config/security/security.go ValidateAttribute; the
 * same list at 1.20.0 and 1.24.0): any other key is "unknown attribute", and validation rejects the
 * policy. `prefix`: a key of the form `name[key]` (validateMapKey), or under experimental.envoy.filters.
 */
const WHEN_KEYS = new Set(['source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni']);
const WHEN_MAP_KEYS = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];

/**
 * Why istiod refuses a `when` key at a release, or `skipped` when validation accepts it but the
 * builder skips the rule. security.go ValidateAttribute: source.serviceAccount from 1.25.0;
 * source.trustDomain from 1.30.0, while pilot/pkg/security/authz/model/model.go New builds it only
 * from 1.30.2 (istio/istio#60528) and before answers "unknown attribute", which builder.go turns
 * into "skipped invalid rule"; destination.namespace, destination.labels[...], destination.name and
 * destination.user are refused by name.
 */
function whenKeyProblem(key: string, at: IstioReadAt): { rejected: string } | { skipped: string } | undefined {
  if (key === 'source.serviceAccount') return knows(at, [1, 25]) ? undefined : { rejected: `when key "source.serviceAccount" is unknown to ${releaseText(at)} (istiod knows it from 1.25)` };
  if (key === 'source.trustDomain') {
    if (!knows(at, [1, 30])) return { rejected: `when key "source.trustDomain" is unknown to ${releaseText(at)} (istiod knows it from 1.30)` };
    if (!knows(at, TRUST_DOMAINS_BUILT)) return { skipped: `${releaseText(at)} accepts when key "source.trustDomain" but ${at !== 'latest' && at.patch === undefined ? 'before 1.30.2 ' : ''}builds no rule with it (from 1.30.2 it does), so istiod skips this rule` };
    return undefined;
  }
  if (WHEN_KEYS.has(key)) return undefined;
  if (key === 'destination.namespace') return { rejected: 'when key "destination.namespace" is replaced by the metadata.namespace (istiod refuses it)' };
  if (key.startsWith('destination.labels')) return { rejected: `when key ${JSON.stringify(key)}: destination.labels is replaced by the workload selector (istiod refuses it)` };
  if (key === 'destination.name' || key === 'destination.user') return { rejected: `when key ${JSON.stringify(key)} is deprecated, only supported in v1alpha1 (istiod refuses it)` };
  const map = WHEN_MAP_KEYS.find((k) => key.startsWith(k));
  if (map) {
    const open = key.indexOf('[');
    if (key.endsWith(']') && open > 0 && open < key.length - 2) return undefined;
    return { rejected: `when key ${JSON.stringify(key)} should have the form ${map}[name]` };
  }
  return { rejected: `when key ${JSON.stringify(key)} is not an attribute istiod knows ("unknown attribute")` };
}

/**
 * A principal that can match no workload identity. istiod checks principals only for empty values
 * (istio/istio pkg/config/validation/validation.go ValidateAuthorizationPolicy,
 * security.CheckEmptyValues("Principals")), so the policy is accepted; the proxy's matcher is
 * StringMatcherWithPrefix(value, "spiffe://") (pilot/pkg/security/authz/model/generator.go,
 * srcPrincipalGenerator; pilot/pkg/security/authz/matcher/string.go): only a leading or trailing
 * `*` is a wildcard, so a `*` inside is a literal character no identity has, and a value already
 * starting with spiffe:// becomes "spiffe://spiffe://…", which no peer presents. A `when` on
 * source.principal is built by the same generator (pilot/pkg/security/authz/model/model.go) and
 * ValidateAttribute checks it for empty values only, so the same values are dead there.
 */
function principalWarning(p: unknown, negative: boolean, label = negative ? 'notPrincipals value' : 'principal'): string | undefined {
  if (typeof p !== 'string' || p === '') return undefined;
  const effect = negative ? 'so it excludes no workload' : 'so it matches no workload';
  if (p.startsWith('spiffe://')) return `${label} ${JSON.stringify(p)} carries the spiffe:// scheme, which Istio adds itself, ${effect}`;
  const inner = p.startsWith('*') ? p.slice(1) : p.endsWith('*') ? p.slice(0, -1) : p;
  if (p !== '*' && inner.includes('*')) return `${label} ${JSON.stringify(p)} has a "*" inside it, which Istio matches literally (only a leading or trailing "*" is a wildcard), ${effect}`;
  return undefined;
}

/**
 * Why istiod refuses a source's serviceAccounts/trustDomains (pkg/config/security/security.go
 * CheckServiceAccount, CheckTrustDomainValues; validation.go: "cannot set serviceAccounts with
 * namespaces or principals").
 */
function sourceProblems(s: Record<string, unknown>): string[] {
  const out: string[] = [];
  const sas = [...strings(s.serviceAccounts), ...strings(s.notServiceAccounts)];
  if (sas.length > 0 && [s.principals, s.notPrincipals, s.namespaces, s.notNamespaces].some((v) => arr(v).length > 0)) out.push('serviceAccounts set with namespaces or principals in the same source');
  for (const field of ['serviceAccounts', 'notServiceAccounts']) out.push(...serviceAccountProblems(field, arr(s[field])));
  for (const field of ['trustDomains', 'notTrustDomains']) out.push(...trustDomainProblems(field, arr(s[field]), true));
  for (const field of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) out.push(...ipValueProblems(field, arr(s[field])));
  return out;
}

/**
 * security.go ValidateIPs, which ValidateAuthorizationPolicy runs on from.source's ipBlocks,
 * notIpBlocks, remoteIpBlocks and notRemoteIpBlocks (and ValidateAttribute on a `when` on
 * source.ip, remote.ip, destination.ip): a value holding "/" must pass Go's netip.ParsePrefix
 * (host bits allowed, so 10.0.0.1/8 is fine; no zone; prefix length in decimal without leading
 * zeros, at most 32 or 128), any other value netip.ParseAddr. One bad value and istiod rejects
 * the whole policy.
 */
function ipValueProblems(field: string, values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === 'string' && (v.includes('/') ? isIstioPrefix(v) : parseIp(v) !== undefined)) continue;
    out.push(`${field}: ${JSON.stringify(v)} is neither an IP address nor a CIDR range`);
  }
  return out;
}

function isIstioPrefix(v: string): boolean {
  const slash = v.lastIndexOf('/');
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (addr.includes('%') || !/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  const ip = parseIp(addr);
  return ip !== undefined && Number(bits) <= (ip.family === 4 ? 32 : 128);
}

/** security.go CheckServiceAccount: for from.source.(not)serviceAccounts and a `when` on source.serviceAccount alike. */
function serviceAccountProblems(field: string, values: unknown[]): string[] {
  const out: string[] = [];
  if (values.length > 16) out.push(`${field} has more than 16 values`);
  for (const v of values) {
    if (typeof v !== 'string' || v === '') out.push(`${field}: ${JSON.stringify(v)} is not a non-empty string`);
    else if (v.includes('*')) out.push(`${field}: ${JSON.stringify(v)} has a wildcard, which serviceAccounts do not take`);
    else if (v.split('/').length > 2 || v.startsWith('/') || v.endsWith('/')) out.push(`${field}: ${JSON.stringify(v)} is not <serviceaccount> or <namespace>/<serviceaccount>`);
    else if (v.length > 320) out.push(`${field}: a value is longer than 320 characters`);
  }
  return out;
}

/**
 * security.go CheckWildcardValues (one "*", leading or trailing, or "*" alone); from.source's
 * trustDomains also may not hold "/" (CheckTrustDomainValues), a `when` on source.trustDomain may
 * (ValidateAttribute checks it with CheckWildcardValues only).
 */
function trustDomainProblems(field: string, values: unknown[], noSlash: boolean): string[] {
  const out: string[] = [];
  for (const v of values) {
    const stars = typeof v === 'string' ? v.split('*').length - 1 : 0;
    if (typeof v !== 'string' || v === '') out.push(`${field}: ${JSON.stringify(v)} is not a non-empty string`);
    else if (stars > 1 || (stars === 1 && v !== '*' && !v.startsWith('*') && !v.endsWith('*'))) out.push(`${field}: ${JSON.stringify(v)} has a "*" other than one leading or trailing`);
    else if (noSlash && v.includes('/')) out.push(`${field}: ${JSON.stringify(v)} contains "/"`);
  }
  return out;
}

/**
 * What istiod refuses in a CUSTOM policy's rule: the source fields and `when` keys the external
 * authorizer cannot be handed (validation.go ValidateAuthorizationPolicy, "%s is currently not
 * supported with CUSTOM action").
 */
const CUSTOM_UNSUPPORTED_SOURCE: readonly (readonly [string, string])[] = [
  ['namespaces', 'From.Namespaces'], ['notNamespaces', 'From.NotNamespaces'],
  ['serviceAccounts', 'From.ServiceAccounts'], ['notServiceAccounts', 'From.NotServiceAccounts'],
  ['trustDomains', 'From.TrustDomains'], ['notTrustDomains', 'From.NotTrustDomains'],
  ['principals', 'From.Principals'], ['notPrincipals', 'From.NotPrincipals'],
  ['requestPrincipals', 'From.RequestPrincipals'], ['notRequestPrincipals', 'From.NotRequestPrincipals'],
];
const CUSTOM_UNSUPPORTED_KEYS = new Set(['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal']);

function customProblems(froms: Record<string, unknown>[], keys: string[]): string[] {
  const out: string[] = [];
  for (const s of froms) for (const [field, name] of CUSTOM_UNSUPPORTED_SOURCE) if (arr(s[field]).length > 0) out.push(`${name} is currently not supported with CUSTOM action`);
  for (const key of keys) if (CUSTOM_UNSUPPORTED_KEYS.has(key) || key.startsWith('request.auth.')) out.push(`when key ${JSON.stringify(key)} is currently not supported with CUSTOM action`);
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'requestPrincipals', 'notRequestPrincipals', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const OPERATION_FIELDS = ['ports', 'notPorts', 'hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

/**
 * What the AuthorizationPolicy CRD's schema refuses in the fields this reader takes, by type, naming
 * each field: istio/istio manifests/charts/base/files/crd-all.gen.yaml (authorizationpolicies.security.istio.io,
 * every served version) types `rules`, `rules[].from`, `rules[].to`, `rules[].when` and `targetRefs`
 * arrays of objects, `from[].source`, `to[].operation`, `selector`, `targetRef` and `provider`
 * objects, the source and operation fields and `when[].values`/`notValues` arrays of strings,
 * `when[].key` a required string, `action` and the refs' fields strings (istio/api
 * security/v1beta1/authorization_policy.proto: `repeated Rule rules`, `repeated string principals`,
 * ...). The API server refuses the object whole ("must be of type array"), so a lenient reading
 * (a mapping read as no rules, an unquoted port read as a string) judges a policy that never
 * exists: an ALLOW read as allow-nothing, a DENY read as denying every caller. A null where a field
 * is expected counts as absent (the API server prunes it before validating:
 * apiextensions-apiserver PruneNonNullableNullsWithoutDefaults); a null inside a list is refused.
 */
function schemaRefusals(o: KubeObject): string[] {
  const out: string[] = [];
  const absent = (v: unknown) => v === undefined || v === null;
  const mapping = (v: unknown, path: string): Json | undefined => {
    if (absent(v)) return undefined;
    const m = obj(v);
    if (!m) out.push(`${path} is ${typeName(v)}, not a mapping`);
    return m;
  };
  const string = (v: unknown, path: string) => { if (!absent(v) && typeof v !== 'string') out.push(`${path} is ${typeName(v)}, not a string`); };
  /** A list whose every item is checked by `item`; a null item is refused (only fields are pruned). */
  const list = (v: unknown, path: string, item: (x: unknown, at: string) => void) => {
    if (absent(v)) return;
    if (!Array.isArray(v)) { out.push(`${path} is ${typeName(v)}, not a list`); return; }
    v.forEach((x, i) => item(x, `${path}[${i}]`));
  };
  const item = (x: unknown, at: string): Json | undefined => {
    const m = obj(x);
    if (!m) out.push(`${at} is ${typeName(x)}, not a mapping`);
    return m;
  };
  const strings = (v: unknown, path: string) => list(v, path, (x, at) => { if (typeof x !== 'string') out.push(`${at} is ${typeName(x)}, not a string`); });
  const ref = (r: Json | undefined, path: string) => { for (const k of ['group', 'kind', 'name', 'namespace']) string(r?.[k], `${path}.${k}`); };
  if (!absent(o.spec) && !obj(o.spec)) return [`spec is ${typeName(o.spec)}, not a mapping`];
  const spec = obj(o.spec) ?? {};
  string(spec.action, 'spec.action');
  ref(mapping(spec.targetRef, 'spec.targetRef'), 'spec.targetRef');
  list(spec.targetRefs, 'spec.targetRefs', (x, at) => ref(item(x, at), at));
  string(mapping(spec.provider, 'spec.provider')?.name, 'spec.provider.name');
  list(spec.rules, 'spec.rules', (r, at) => {
    const rule = item(r, at);
    list(rule?.from, `${at}.from`, (f, fat) => {
      const source = mapping(item(f, fat)?.source, `${fat}.source`);
      for (const k of SOURCE_FIELDS) strings(source?.[k], `${fat}.source.${k}`);
    });
    list(rule?.to, `${at}.to`, (t, tat) => {
      const operation = mapping(item(t, tat)?.operation, `${tat}.operation`);
      for (const k of OPERATION_FIELDS) strings(operation?.[k], `${tat}.operation.${k}`);
    });
    list(rule?.when, `${at}.when`, (w, wat) => {
      const c = item(w, wat);
      if (!c) return;
      if (absent(c.key)) out.push(`${wat}.key is missing (the CRD requires it)`);
      else string(c.key, `${wat}.key`);
      strings(c.values, `${wat}.values`);
      strings(c.notValues, `${wat}.notValues`);
    });
  });
  return out;
}

/**
 * The releases from which the AuthorizationPolicy CRD holds the limits below (istio/istio
 * manifests/charts/base/files/crd-all.gen.yaml: the spec rule and targetRefs' maxItems first at
 * 1.24.0, the rest first at 1.25.0, unchanged through 1.27 and 1.28). The CRD is the one the
 * istiod release installs (the base chart): read at `at` as istiod is.
 */
const CRD_TARGET_LIMITS: readonly [number, number] = [1, 24];
const CRD_RULE_LIMITS: readonly [number, number] = [1, 25];

/**
 * What the AuthorizationPolicy CRD refuses by its size limits and CEL rules, at release `at`, of
 * those a policy read leniently would be judged in effect by: the spec rule "only one of targetRefs
 * or selector can be set" (`(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) +
 * (has(self.targetRefs) ? 1 : 0) <= 1`: a field counts when present, `selector: {}` and
 * `targetRefs: []` too), `targetRefs` maxItems 16, `rules` and each rule's `from` maxItems 512, and
 * the source rule "Cannot set serviceAccounts with namespaces or principals" (has() again: an empty
 * list counts). A null is pruned before validation, as absent (schemaRefusals). serviceAccounts'
 * own maxItems 16 and maxLength 320 are istiod's limits too (serviceAccountProblems): the policy is
 * not in effect either way. Only for objects yet to be applied (manifests): a stored one exists
 * (written before its CRD had the limit: the API server does not check stored objects again).
 */
function schemaLimitRefusals(o: KubeObject, at: IstioReadAt): string[] {
  const spec = obj(o.spec);
  if (!spec) return [];
  const out: string[] = [];
  const present = (v: unknown) => v !== undefined && v !== null;
  const over = (v: unknown, max: number, path: string) => { if (Array.isArray(v) && v.length > max) out.push(`${path} has ${v.length} items, more than the CRD's maxItems ${max}`); };
  if (knows(at, CRD_TARGET_LIMITS)) {
    const set = (['selector', 'targetRef', 'targetRefs'] as const).filter((k) => present(spec[k]));
    if (set.length > 1) out.push(`spec sets ${set.join(' and ')} (CRD rule "only one of targetRefs or selector can be set")`);
    over(spec.targetRefs, 16, 'spec.targetRefs');
  }
  if (knows(at, CRD_RULE_LIMITS)) {
    over(spec.rules, 512, 'spec.rules');
    arr(spec.rules).forEach((r, i) => {
      over(obj(r)?.from, 512, `spec.rules[${i}].from`);
      arr(obj(r)?.from).forEach((f, j) => {
        const s = obj(obj(f)?.source);
        if (!s || !(present(s.serviceAccounts) || present(s.notServiceAccounts))) return;
        const with_ = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].filter((k) => present(s[k]));
        if (with_.length > 0) out.push(`spec.rules[${i}].from[${j}].source sets serviceAccounts with ${with_.join(' and ')} (CRD rule "Cannot set serviceAccounts with namespaces or principals")`);
      });
    });
  }
  return out;
}

/** The string-list fields of `o` that are set (an empty list is as good as absent in Istio's API). */
function listFields<K extends string>(o: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string[]>> {
  const out: Partial<Record<K, string[]>> = {};
  for (const k of keys) {
    const v = o[k];
    if (Array.isArray(v) && v.length > 0) out[k] = v.map((x) => (typeof x === 'string' ? x : String(x)));
  }
  return out;
}

/** A bare service account in serviceAccounts names one of the policy's namespace (generator.go serviceAccountRegex). */
function withNamespacedServiceAccounts(s: AuthzSource, namespace: string): AuthzSource {
  const full = (vs: string[] | undefined) => vs?.map((v) => (v.includes('/') ? v : `${namespace}/${v}`));
  return { ...s, ...(s.serviceAccounts ? { serviceAccounts: full(s.serviceAccounts) } : {}), ...(s.notServiceAccounts ? { notServiceAccounts: full(s.notServiceAccounts) } : {}) };
}

function targetRefOf(r: unknown): AuthzTargetRef {
  const o = obj(r) ?? {};
  return { group: typeof o.group === 'string' ? o.group : '', kind: typeof o.kind === 'string' ? o.kind : '', name: typeof o.name === 'string' ? o.name : '', ...(typeof o.namespace === 'string' && o.namespace !== '' ? { namespace: o.namespace } : {}) };
}

/**
 * The targetRefs an istiod of release `at` reads, and what it refuses in them. istio/api
 * security/v1beta1/authorization_policy.proto: `targetRef` from tag 1.20.0, `targetRefs` from 1.22.0;
 * an istiod before a field does not know it ("proxies connected to older control planes (that don't
 * know about the `targetRefs` field)" take "the policy as namespace-wide", 1.22.0's NOTE) and
 * selects by `selector` alone (pilot/pkg/model/authorization.go at 1.19.0). From 1.22.0 `targetRefs`,
 * when set, wins over `targetRef` (policyattachment.go GetTargetRefs) and validation.go
 * validateOneOfSelectorType refuses both at once, as it refuses a selector with either; it refuses
 * a ref with a namespace ("targetRef namespace must not be set") or no name, and a kind not yet
 * allowed (TARGET_KINDS).
 */
function targetRefsAt(spec: Record<string, unknown>, at: IstioReadAt): { refs: AuthzTargetRef[]; ignored?: string; problems: string[] } {
  const hasRefs = arr(spec.targetRefs).length > 0;
  const hasRef = spec.targetRef !== undefined && spec.targetRef !== null;
  if (!hasRefs && !hasRef) return { refs: [], problems: [] };
  const knowsRefs = knows(at, [1, 22]);
  const knowsRef = knows(at, [1, 20]);
  const raw = knowsRefs && hasRefs ? arr(spec.targetRefs) : knowsRef && hasRef ? [spec.targetRef] : [];
  if (raw.length === 0) {
    const field = hasRefs ? (hasRef ? 'targetRef and targetRefs' : 'targetRefs') : 'targetRef';
    return { refs: [], problems: [], ignored: `${releaseText(at)} does not know ${field} (istiod reads targetRef from 1.20, targetRefs from 1.22), so it applies the policy as if ${hasRefs && hasRef ? 'they were' : 'it were'} absent` };
  }
  const problems: string[] = [];
  if (obj(spec.selector)) problems.push('both selector and targetRef(s) are set (at most one may be)');
  if (knowsRefs && hasRefs && hasRef) problems.push('both targetRef and targetRefs are set (istiod: "only one of targetRefs or workloadSelector can be set")');
  const refs = raw.map(targetRefOf);
  for (const r of refs) {
    const where = `targetRef ${r.group ? `${r.group}/` : ''}${r.kind} ${r.name}`;
    if (r.name === '') problems.push(`${where}: name must be set`);
    if (r.namespace !== undefined) problems.push(`${where}: namespace must not be set (istiod: "cross namespace referencing is not supported")`);
    const group = r.group === '' ? 'core' : r.group;
    const kind = TARGET_KINDS.find((k) => k.kind === r.kind && k.group === group);
    if (!kind) problems.push(`${where}: istiod takes only Gateway (gateway.networking.k8s.io), Service, ServiceEntry (networking.istio.io) and GatewayClass (gateway.networking.k8s.io) refs`);
    else if (!knows(at, kind.since)) problems.push(`${where}: ${releaseText(at)} does not take ${r.kind} refs (istiod does from ${kind.since.join('.')})`);
  }
  return { refs, problems };
}

/** `manifests`: the policy is yet to be applied (read from manifests), so the CRD's limits decide whether it will exist (schemaLimitRefusals). */
export function parseAuthorizationPolicy(o: KubeObject, at: IstioReadAt = 'latest', { manifests = false }: { manifests?: boolean } = {}): ParsedAuthzPolicy {
  const namespace = o.metadata?.namespace ?? 'default';
  const ref: ResourceRef = { kind: 'AuthorizationPolicy', namespace, name: o.metadata?.name ?? '' };
  const spec = obj(o.spec) ?? {};
  const warnings: string[] = [];
  const selection = readWorkloadSelector(spec.selector);
  const refused = [...schemaRefusals(o), ...(manifests ? schemaLimitRefusals(o, at) : []), ...selection.refused];
  const problems: string[] = [...refused];
  // A null action is pruned by the API server, as if absent (schemaRefusals).
  const rawAction = spec.action === undefined || spec.action === null ? 'ALLOW' : spec.action;
  const action = typeof rawAction === 'string' && ACTIONS.has(rawAction) ? (rawAction as AuthzAction) : undefined;
  if (!action) problems.push(`unknown action ${JSON.stringify(rawAction)} (Istio accepts ALLOW, DENY, AUDIT, CUSTOM)`);
  const target = targetRefsAt(spec, at);
  const targeted = target.refs.length > 0;
  // https://istio.io/latest/docs/reference/config/security/authorization-policy/: at most one of
  // selector and targetRef(s); provider only, and always, with CUSTOM.
  problems.push(...target.problems);
  if (target.ignored) warnings.push(target.ignored);
  if (action === 'CUSTOM' && !obj(spec.provider)) problems.push('action CUSTOM without a provider');
  if (action && action !== 'CUSTOM' && spec.provider !== undefined) problems.push(`provider is set on a ${action} policy (only CUSTOM takes one)`);
  // validation.go ValidateAuthorizationPolicy rejects a DENY or CUSTOM policy whose `rules` is nil,
  // which `rules: []` decodes to as well (its test case "deny-rules-nil"); were one stored anyway
  // (no validating webhook), pilot's authz builder gives a policy without rules
  // rbacPolicyMatchNever (pilot/pkg/security/authz/builder/builder.go). A "deny-all" written
  // without `rules: [{}]` refuses nobody.
  if ((action === 'DENY' || action === 'CUSTOM') && arr(spec.rules).length === 0) problems.push(`${action} action without \`rules\` (istiod: "${action} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request")`);
  const rules: AuthzRule[] = arr(spec.rules).map((r, index) => {
    const skipped: string[] = [];
    const rule = obj(r) ?? {};
    // Before 1.30.2 istiod builds nothing from a source's trustDomains/notTrustDomains: the source
    // matches callers of every trust domain, and one setting nothing else is "empty" to validation.go
    // (whose emptiness test lists them only from 1.30.2). Before 1.30.0 the CRD has no such field
    // (manifests/charts/base/files/crd-all.gen.yaml) and prunes it: the same reading.
    const tdBuilt = knows(at, TRUST_DOMAINS_BUILT);
    const froms = arr(rule.from).map((f) => {
      const src = obj(obj(f)?.source) ?? {};
      if (tdBuilt || (arr(src.trustDomains).length === 0 && arr(src.notTrustDomains).length === 0)) return src;
      warnings.push(`rules[${index}]: ${releaseText(at)}${at !== 'latest' && at.patch === undefined ? ' before 1.30.2' : ''} builds no rule from from.source trustDomains/notTrustDomains (istiod does from 1.30.2), so that source matches callers of any trust domain`);
      const { trustDomains: _td, notTrustDomains: _ntd, ...rest } = src;
      return rest;
    });
    const tos = arr(rule.to).map((t) => obj(obj(t)?.operation) ?? {});
    const when = arr(rule.when).map((w): AuthzCondition => {
      const c = obj(w) ?? {};
      const key = typeof c.key === 'string' ? c.key : '';
      const keyProblem = key ? whenKeyProblem(key, at) : undefined;
      if (keyProblem && 'rejected' in keyProblem) problems.push(`rules[${index}]: ${keyProblem.rejected}`);
      else if (keyProblem) skipped.push(`rules[${index}]: ${keyProblem.skipped}`);
      if (!key) problems.push(`rules[${index}].when: a condition without a key`);
      // validation.go ValidateAuthorizationPolicy: "at least one of `values` or `notValues` must be set for key %s".
      else if (arr(c.values).length === 0 && arr(c.notValues).length === 0) problems.push(`rules[${index}].when ${JSON.stringify(key)}: neither values nor notValues is set`);
      const cond: AuthzCondition = { key, ...listFields(c, ['values', 'notValues'] as const) };
      // security.go ValidateAttribute, on values and notValues alike.
      for (const field of ['values', 'notValues'] as const) {
        const where = `rules[${index}].when ${key} ${field}`;
        if (key === 'source.serviceAccount') problems.push(...serviceAccountProblems(where, arr(c[field])));
        else if (key === 'source.trustDomain') problems.push(...trustDomainProblems(where, arr(c[field]), false));
        else if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') problems.push(...ipValueProblems(where, arr(c[field])));
        else if (key === 'source.principal') {
          for (const v of arr(c[field])) {
            const why = principalWarning(v, field === 'notValues', `source.principal ${field === 'notValues' ? 'notValues value' : 'value'}`);
            if (why) warnings.push(`rules[${index}].when: ${why}`);
          }
        }
      }
      if (key !== 'source.serviceAccount') return cond;
      const full = withNamespacedServiceAccounts({ serviceAccounts: cond.values, notServiceAccounts: cond.notValues }, namespace);
      return { key, ...(full.serviceAccounts ? { values: full.serviceAccounts } : {}), ...(full.notServiceAccounts ? { notValues: full.notServiceAccounts } : {}) };
    });
    if (action === 'CUSTOM') for (const why of customProblems(froms, when.map((c) => c.key))) problems.push(`rules[${index}]: ${why}`);
    // validation.go ValidateAuthorizationPolicy: "`from.source` must not be nil", "`from.source`
    // must not be empty", and the same for `to.operation`: a source or operation setting no field
    // would match everything, so istiod rejects the policy instead.
    const unset = (where: string, part: unknown, fields: readonly string[]) => {
      const o = obj(part);
      if (!o) problems.push(`rules[${index}].${where} is not set`);
      else if (Object.keys(listFields(o, fields)).length === 0) problems.push(`rules[${index}].${where} sets no field (istiod: "must not be empty")`);
    };
    // The source as this release reads it (froms: trustDomains dropped before 1.30.2).
    for (const [i, f] of arr(rule.from).entries()) unset(`from[${i}].source`, obj(obj(f)?.source) ? froms[i] : obj(f)?.source, SOURCE_FIELDS);
    for (const [i, t] of arr(rule.to).entries()) unset(`to[${i}].operation`, obj(t)?.operation, OPERATION_FIELDS);
    for (const t of tos) for (const field of ['ports', 'notPorts']) for (const p of arr(t[field])) if (!/^\d{1,5}$/.test(String(p)) || Number(p) < 1 || Number(p) > 65535) problems.push(`rules[${index}].to.operation.${field}: ${JSON.stringify(p)} is not a port number`);
    let identity = false;
    let negative = false;
    let anyPrincipal = false;
    for (const s of froms) {
      for (const field of ['principals', 'notPrincipals']) {
        for (const p of arr(s[field])) {
          if (typeof p !== 'string' || p === '') problems.push(`rules[${index}]: ${field} value ${JSON.stringify(p)} is not a non-empty string`);
          const why = principalWarning(p, field === 'notPrincipals');
          if (why) warnings.push(`rules[${index}]: ${why}`);
        }
      }
      for (const why of sourceProblems(s)) problems.push(`rules[${index}]: ${why}`);
      // serviceAccounts (Istio 1.25) are judged whatever istiod's version: the CRD's schema is
      // structural (no x-kubernetes-preserve-unknown-fields under spec), so an API server whose CRD
      // predates a field prunes it on write
      // (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning),
      // and a live snapshot holds it only where the CRD knows it. trustDomains are not: the CRD
      // holds them from 1.30.0 but istiod builds them from 1.30.2 (TRUST_DOMAINS_BUILT, froms above).
      const principals = strings(s.principals);
      const namespaces = strings(s.namespaces);
      const trustDomains = strings(s.trustDomains);
      if (principals.length > 0 || namespaces.length > 0 || strings(s.serviceAccounts).length > 0 || trustDomains.length > 0) identity = true;
      if (['notPrincipals', 'notNamespaces', 'notServiceAccounts', 'notTrustDomains'].some((k) => strings(s[k]).length > 0)) negative = true;
      if (principals.includes('*') || namespaces.includes('*') || trustDomains.includes('*')) anyPrincipal = true;
    }
    for (const c of when) {
      if (!IDENTITY_CONDITIONS.has(c.key)) continue;
      if ((c.values ?? []).length > 0) identity = true;
      if ((c.notValues ?? []).length > 0) negative = true;
    }
    if (skipped.length) warnings.push(...skipped);
    return {
      ...(skipped.length ? { skipped: true } : {}),
      index,
      anySource: froms.length === 0,
      identity,
      negativeIdentityOnly: negative && !identity,
      anyPrincipal,
      conditional: arr(rule.when).length > 0,
      anyOperation: tos.length === 0,
      ports: tos.flatMap((t) => arr(t.ports).filter((p) => typeof p === 'string' || typeof p === 'number').map(String)),
      from: froms.map((f) => withNamespacedServiceAccounts(listFields(f, SOURCE_FIELDS), namespace)),
      to: tos.map((t) => listFields(t, OPERATION_FIELDS)),
      when,
    };
  });
  // builder.go: a rule model.New fails on is "skipped invalid rule"; the policy keeps the others.
  const built = rules.filter((r) => !r.skipped);
  return {
    ref, namespace, action, targeted, rules: built, problems, refused, warnings,
    targetRefs: target.refs,
    ...(action === 'CUSTOM' && typeof obj(spec.provider)?.name === 'string' ? { provider: obj(spec.provider)!.name as string } : {}),
    ...(selection.labels ? { selector: selection.labels } : {}),
    ...(selection.selectsNothing ? { selectsNothing: true as const } : {}),
    allowNothing: action === 'ALLOW' && built.length === 0,
    ...(isIstioDryRun(o) ? (action === 'CUSTOM' ? { customDryRun: true as const } : { dryRun: true as const }) : {}),
  };
}

/** The `istio.io/dry-run` annotation as istiod reads it (builder.go isDryRun: strconv.ParseBool; a value it refuses is false). */
export function isIstioDryRun(o: KubeObject): boolean {
  const v = o.metadata?.annotations?.['istio.io/dry-run'];
  return typeof v === 'string' && goParseBool(v) === true;
}

export interface AuthzIndex {
  root: string;
  byNamespace: Map<string, ParsedAuthzPolicy[]>;
  all: ParsedAuthzPolicy[];
}

/**
 * Whether a policy uses something istiod's release decides: targetRef(s), a `when` key not every
 * supported release knows, a source's trustDomains/notTrustDomains, or (from manifests) a limit the
 * CRD holds only from some release on (schemaLimitRefusals).
 */
function releaseDependent(o: KubeObject, manifests: boolean): boolean {
  const spec = obj(o.spec) ?? {};
  if (manifests && schemaLimitRefusals(o, 'latest').length > 0) return true;
  if (spec.targetRef !== undefined || arr(spec.targetRefs).length > 0) return true;
  return arr(spec.rules).some((r) => arr(obj(r)?.when).some((w) => { const k = obj(w)?.key; return k === 'source.serviceAccount' || k === 'source.trustDomain'; })
    || arr(obj(r)?.from).some((f) => { const src = obj(obj(f)?.source); return arr(src?.trustDomains).length > 0 || arr(src?.notTrustDomains).length > 0; }));
}

/** What a parsed policy does, to compare two readings of it. */
const effectOf = (p: ParsedAuthzPolicy) => JSON.stringify([p.targeted, p.targetRefs, p.selector, p.problems.length > 0, p.rules.map((r) => [r.index, r.from])]);

/**
 * The oldest release whose istiod can read the policy when no istiod names its release: 1.19
 * (before targetRef), or 1.22 for a policy stored as security.istio.io/v1, which the
 * AuthorizationPolicy CRD first serves at 1.22 (https://istio.io/latest/blog/2024/v1-apis/: "our
 * networking, security and telemetry APIs are promoted to v1 in 1.22"): an older cluster has no
 * such object to read. v1beta1 and other versions keep 1.19.
 */
function oldestReaderOf(o: KubeObject): [number, number] {
  return o.apiVersion === 'security.istio.io/v1' ? [1, 22] : [1, 19];
}

/**
 * The policy as the istiods of the snapshot read it (`releases`; undefined: as the newest Istio
 * does). A policy using something a release decides (releaseDependent) is read as the newest and
 * the oldest of them read it; when those differ, or no istiod names its release (none in the
 * snapshot, an image without a version), it is read as the newest, with `doubt` holding the oldest
 * reading (before Istio 1.20 when the release is not known, or 1.22 for a policy stored as
 * security.istio.io/v1: oldestReaderOf) and why.
 */
function parseAsReleasesRead(o: KubeObject, releases: IstiodReleases | undefined, manifests: boolean): ParsedAuthzPolicy {
  if (!releases || !releaseDependent(o, manifests)) return parseAuthorizationPolicy(o, 'latest', { manifests });
  const rank = (r: { minor: [number, number]; patch?: number }) => r.minor[0] * 1e6 + r.minor[1] * 1e3 + (r.patch ?? 0);
  const sorted = [...releases.known].sort((a, b) => rank(a) - rank(b));
  const unknown = releases.known.length === 0 || releases.unversioned.length > 0;
  // A release naming no patch ranks first among its minor for the oldest, last for the newest.
  const newest = unknown ? 'latest' : sorted.reduce((a, b) => (rank(b) + (b.patch === undefined ? 999 : 0) >= rank(a) + (a.patch === undefined ? 999 : 0) ? b : a));
  const oldest: { minor: [number, number]; patch?: number } = unknown ? { minor: oldestReaderOf(o) } : sorted[0];
  // A release naming no patch may be any patch of its minor: the newest reading takes its newest
  // patch, the oldest its first, so a gate inside that minor (TRUST_DOMAINS_BUILT) leaves doubt.
  const p = parseAuthorizationPolicy(o, newest === 'latest' ? 'latest' : { minor: newest.minor, ...(newest.patch !== undefined ? { patch: newest.patch } : { newestPatch: true }) }, { manifests });
  const alternative = parseAuthorizationPolicy(o, { minor: oldest.minor, ...(oldest.patch !== undefined ? { patch: oldest.patch } : {}) }, { manifests });
  if (effectOf(p) === effectOf(alternative)) return p;
  const older = [
    ...[...alternative.warnings, ...alternative.problems].filter((w) => !p.warnings.includes(w) && !p.problems.includes(w)),
    // A CRD limit of a later release (schemaLimitRefusals): the older release's CRD takes the policy.
    ...p.refused.filter((w) => !alternative.refused.includes(w)).map((w) => `the AuthorizationPolicy CRD of an older release takes it (${w})`),
  ];
  const patchless = !unknown && sorted.filter((r) => r.patch === undefined).map((r) => r.from);
  const why = unknown
    ? `istiod's release is not known (${releases.unversioned.length ? `its image names no version: ${releases.unversioned.slice(0, 3).join(', ')}` : 'no istiod in the input'}), and an older istiod reads AuthorizationPolicy ${p.ref.namespace}/${p.ref.name} otherwise: ${older.join('; ')}`
    : patchless && patchless.length > 0 && sorted.every((r) => r.minor[0] === oldest.minor[0] && r.minor[1] === oldest.minor[1] && r.patch === oldest.patch)
      ? `istiod's image names no patch release (${patchless.slice(0, 3).join(', ')}), and an earlier patch of Istio ${oldest.minor.join('.')} reads AuthorizationPolicy ${p.ref.namespace}/${p.ref.name} otherwise: ${older.join('; ')}`
      : `the istiods run different releases (${sorted.map((r) => r.from).slice(0, 4).join(', ')}${patchless && patchless.length > 0 ? '; an image naming no patch may be any patch of its minor' : ''}), and the oldest reads AuthorizationPolicy ${p.ref.namespace}/${p.ref.name} otherwise: ${older.join('; ')}`;
  return { ...p, doubt: { why, alternative } };
}

/** `manifests`: the policies are yet to be applied (parseAuthorizationPolicy). */
export function indexAuthorizationPolicies(objects: readonly KubeObject[], root: string, releases?: IstiodReleases, { manifests = false }: { manifests?: boolean } = {}): AuthzIndex {
  const byNamespace = new Map<string, ParsedAuthzPolicy[]>();
  const all: ParsedAuthzPolicy[] = [];
  for (const o of objects) {
    const p = parseAsReleasesRead(o, releases, manifests);
    all.push(p);
    let list = byNamespace.get(p.namespace);
    if (!list) byNamespace.set(p.namespace, (list = []));
    list.push(p);
  }
  return { root, byNamespace, all };
}

/** The label istiod's gateway controller puts on a Gateway API gateway's pods, naming their Gateway. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * Whether a policy attached by targetRef(s) applies to a workload: one of its refs is a Gateway
 * API Gateway (group gateway.networking.k8s.io, kind Gateway) of the workload's own namespace
 * whose name the workload's gateway.networking.k8s.io/gateway-name label carries — an Istio
 * gateway's pods, or a waypoint's (istio/istio pilot/pkg/model/policyattachment.go,
 * ShouldAttachPolicy: "Gateway attached", the policy in the workload's namespace and the ref's
 * namespace empty or the same).
 */
export function attachesToWorkloadGateway(p: ParsedAuthzPolicy, namespace: string, labels: Record<string, string>): boolean {
  const gateway = labels[GATEWAY_NAME_LABEL];
  if (gateway === undefined || p.namespace !== namespace) return false;
  return p.targetRefs.some((r) => r.group === 'gateway.networking.k8s.io' && r.kind === 'Gateway' && r.name === gateway && (r.namespace === undefined || r.namespace === namespace));
}

/**
 * The policies a workload's proxy enforces: its namespace's and the root namespace's, whose
 * selector (if any) matches its labels; policies attached by targetRef(s) only where they name
 * the Gateway API Gateway the workload is a pod of (attachesToWorkloadGateway; others act at a
 * waypoint or a gateway elsewhere), and malformed ones never (istiod rejects them). `root`: the root
 * namespace of the workload's revision (WorkloadMesh.istioRoot; each revision's istiod reads its
 * own meshConfig.rootNamespace, https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/),
 * the default revision's when not given. Dry-run policies (ParsedAuthzPolicy.dryRun) are left out:
 * Envoy only logs them. `dryRun: 'include'` keeps them (ztunnel may enforce them: istio-authz.ts),
 * `'only'` gives only them.
 */
export function policiesFor(index: AuthzIndex, namespace: string, labels: Record<string, string>, root = index.root, opts: { dryRun?: 'include' | 'only' } = {}): ParsedAuthzPolicy[] {
  const out: ParsedAuthzPolicy[] = [];
  const lists = namespace === root ? [index.byNamespace.get(namespace)] : [index.byNamespace.get(namespace), index.byNamespace.get(root)];
  for (const list of lists) {
    for (const p of list ?? []) {
      if (!p.action || p.problems.length > 0) continue;
      if (opts.dryRun === 'only' ? !p.dryRun : p.dryRun && opts.dryRun !== 'include') continue;
      if (p.targeted ? !attachesToWorkloadGateway(p, namespace, labels) : !istioPolicySelects(p, root, namespace, labels)) continue;
      out.push(p);
    }
  }
  return out;
}

/**
 * Whether a workload-selector policy (AuthorizationPolicy, RequestAuthentication, EnvoyFilter)
 * applies to a workload: a policy acts on workloads of its own namespace only, except in the
 * root namespace, where it acts on every namespace; without a selector it takes every workload
 * of that scope (https://istio.io/latest/docs/reference/config/security/authorization-policy/,
 * "workload selector" and "root namespace").
 */
export function istioPolicySelects(policy: { namespace: string; selector?: Record<string, string>; selectsNothing?: true }, root: string, namespace: string, labels: Record<string, string>): boolean {
  if (policy.selectsNothing || (policy.namespace !== namespace && policy.namespace !== root)) return false;
  return !policy.selector || selectorMatches(policy.selector, labels);
}
