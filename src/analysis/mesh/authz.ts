// Istio AuthorizationPolicy effect on one workload, at the granularity an auditor needs:
// does anything restrict who may call it? Order: CUSTOM, DENY, then "no ALLOW policy =>
// allow", ALLOW match => allow, else deny. `spec: {}` (ALLOW, no rules) allows nothing;
// a DENY policy without rules matches nothing. Root-namespace policies apply mesh-wide.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { selectorMatches } from './istio.ts';
import { arr, obj, stringMap } from './util.ts';

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
  for (const p of policies) {
    const ns = p.metadata?.namespace ?? 'default';
    if (ns !== namespace && ns !== rootNamespace) continue;
    const spec = obj(p.spec) ?? {};
    const sel = obj(spec.selector);
    if (sel && !selectorMatches(stringMap(sel.matchLabels), labels)) continue;
    const action = typeof spec.action === 'string' ? spec.action : 'ALLOW';
    const rules = arr(spec.rules);
    if (action === 'ALLOW') {
      allowPolicies++;
      allowRules += rules.length;
      if (rules.some((r) => { const o = obj(r); return !!o && Object.keys(o).length === 0; })) allowAll = true;
    } else if (action === 'DENY') {
      denyRules += rules.length;
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
const IDENTITY_CONDITIONS = new Set(['source.principal', 'source.namespace']);

export interface AuthzRule {
  index: number;
  /** No `from` at all: any source. */
  anySource: boolean;
  /**
   * Positive identity fields (principals, namespaces, or a `when` on source.principal /
   * source.namespace with values): need an mTLS peer identity to match. Those two conditions are
   * "mTLS-only fields [that] will never match when the traffic is plain text"
   * (https://istio.io/v1.9/news/security/istio-security-2021-004).
   */
  identity: boolean;
  /** Negative identity fields only (notPrincipals, notNamespaces, or notValues of those two `when` keys): a plaintext caller matches them. */
  negativeIdentityOnly: boolean;
  /** principals or namespaces list "*": any authenticated peer. */
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

export interface AuthzTargetRef {
  group: string;
  kind: string;
  name: string;
}

export interface ParsedAuthzPolicy {
  ref: ResourceRef;
  namespace: string;
  action: AuthzAction | undefined;
  /** matchLabels of spec.selector; undefined = the whole namespace. */
  selector?: Record<string, string>;
  /** Attached by targetRef/targetRefs (gateway, waypoint, Service): not enforced by the sidecar. */
  targeted: boolean;
  targetRefs: AuthzTargetRef[];
  /** CUSTOM: the extension provider (external authorizer) named by spec.provider.name. */
  provider?: string;
  /** `spec: {}` or an ALLOW with no rules: allows nothing. */
  allowNothing: boolean;
  rules: AuthzRule[];
  /** Why the policy is malformed (unknown action, malformed principal, ...): named in findings. */
  problems: string[];
}

/** A principal as Istio writes it: trust-domain/ns/NS/sa/SA, "*", or a prefix or suffix match with one "*". */
function principalProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return `principal ${JSON.stringify(p)} is not a non-empty string`;
  if (p.startsWith('spiffe://')) return `principal "${p}" carries the spiffe:// scheme, which Istio's principals never contain, so it matches nobody`;
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && p !== '*' && !p.startsWith('*') && !p.endsWith('*'))) return `principal "${p}" has a "*" inside it; Istio supports only exact, prefix* or *suffix matches`;
  return undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'requestPrincipals', 'notRequestPrincipals', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;
const OPERATION_FIELDS = ['ports', 'notPorts', 'hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

/** The string-list fields of `o` that are set (an empty list is as good as absent in Istio's API). */
function listFields<K extends string>(o: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string[]>> {
  const out: Partial<Record<K, string[]>> = {};
  for (const k of keys) {
    const v = o[k];
    if (Array.isArray(v) && v.length > 0) out[k] = v.map((x) => (typeof x === 'string' ? x : String(x)));
  }
  return out;
}

function targetRefsOf(spec: Record<string, unknown>): AuthzTargetRef[] {
  const raw = [...(spec.targetRef !== undefined ? [spec.targetRef] : []), ...arr(spec.targetRefs)];
  return raw.map((r) => { const o = obj(r) ?? {}; return { group: typeof o.group === 'string' ? o.group : '', kind: typeof o.kind === 'string' ? o.kind : '', name: typeof o.name === 'string' ? o.name : '' }; });
}

export function parseAuthorizationPolicy(o: KubeObject): ParsedAuthzPolicy {
  const namespace = o.metadata?.namespace ?? 'default';
  const ref: ResourceRef = { kind: 'AuthorizationPolicy', namespace, name: o.metadata?.name ?? '' };
  const spec = obj(o.spec) ?? {};
  const problems: string[] = [];
  const rawAction = spec.action === undefined ? 'ALLOW' : spec.action;
  const action = typeof rawAction === 'string' && ACTIONS.has(rawAction) ? (rawAction as AuthzAction) : undefined;
  if (!action) problems.push(`unknown action ${JSON.stringify(rawAction)} (Istio accepts ALLOW, DENY, AUDIT, CUSTOM)`);
  const sel = obj(spec.selector);
  const targeted = spec.targetRef !== undefined || arr(spec.targetRefs).length > 0;
  // https://istio.io/latest/docs/reference/config/security/authorization-policy/: at most one of
  // selector and targetRef(s); provider only, and always, with CUSTOM.
  if (sel && targeted) problems.push('both selector and targetRef(s) are set (at most one may be)');
  if (action === 'CUSTOM' && !obj(spec.provider)) problems.push('action CUSTOM without a provider');
  if (action && action !== 'CUSTOM' && spec.provider !== undefined) problems.push(`provider is set on a ${action} policy (only CUSTOM takes one)`);
  const rules: AuthzRule[] = arr(spec.rules).map((r, index) => {
    const rule = obj(r) ?? {};
    const froms = arr(rule.from).map((f) => obj(obj(f)?.source) ?? {});
    const tos = arr(rule.to).map((t) => obj(obj(t)?.operation) ?? {});
    const when = arr(rule.when).map((w): AuthzCondition => {
      const c = obj(w) ?? {};
      const key = typeof c.key === 'string' ? c.key : '';
      if (!key) problems.push(`rules[${index}].when: a condition without a key`);
      return { key, ...listFields(c, ['values', 'notValues'] as const) };
    });
    for (const t of tos) for (const field of ['ports', 'notPorts']) for (const p of arr(t[field])) if (!/^\d{1,5}$/.test(String(p)) || Number(p) < 1 || Number(p) > 65535) problems.push(`rules[${index}].to.operation.${field}: ${JSON.stringify(p)} is not a port number`);
    let identity = false;
    let negative = false;
    let anyPrincipal = false;
    for (const s of froms) {
      for (const field of ['principals', 'notPrincipals']) for (const p of arr(s[field])) { const why = principalProblem(p); if (why) problems.push(`rules[${index}]: ${why}`); }
      const principals = strings(s.principals);
      const namespaces = strings(s.namespaces);
      if (principals.length > 0 || namespaces.length > 0) identity = true;
      if (strings(s.notPrincipals).length > 0 || strings(s.notNamespaces).length > 0) negative = true;
      if (principals.includes('*') || namespaces.includes('*')) anyPrincipal = true;
    }
    for (const c of when) {
      if (!IDENTITY_CONDITIONS.has(c.key)) continue;
      if ((c.values ?? []).length > 0) identity = true;
      if ((c.notValues ?? []).length > 0) negative = true;
    }
    return {
      index,
      anySource: froms.length === 0,
      identity,
      negativeIdentityOnly: negative && !identity,
      anyPrincipal,
      conditional: arr(rule.when).length > 0,
      anyOperation: tos.length === 0,
      ports: tos.flatMap((t) => arr(t.ports).filter((p) => typeof p === 'string' || typeof p === 'number').map(String)),
      from: froms.map((f) => listFields(f, SOURCE_FIELDS)),
      to: tos.map((t) => listFields(t, OPERATION_FIELDS)),
      when,
    };
  });
  return {
    ref, namespace, action, targeted, rules, problems,
    targetRefs: targetRefsOf(spec),
    ...(action === 'CUSTOM' && typeof obj(spec.provider)?.name === 'string' ? { provider: obj(spec.provider)!.name as string } : {}),
    ...(sel ? { selector: stringMap(sel.matchLabels) } : {}),
    allowNothing: action === 'ALLOW' && rules.length === 0,
  };
}

export interface AuthzIndex {
  root: string;
  byNamespace: Map<string, ParsedAuthzPolicy[]>;
  all: ParsedAuthzPolicy[];
}

export function indexAuthorizationPolicies(objects: readonly KubeObject[], root: string): AuthzIndex {
  const byNamespace = new Map<string, ParsedAuthzPolicy[]>();
  const all: ParsedAuthzPolicy[] = [];
  for (const o of objects) {
    const p = parseAuthorizationPolicy(o);
    all.push(p);
    let list = byNamespace.get(p.namespace);
    if (!list) byNamespace.set(p.namespace, (list = []));
    list.push(p);
  }
  return { root, byNamespace, all };
}

/**
 * The policies a workload's sidecar enforces: its namespace's and the root namespace's, whose
 * selector (if any) matches its labels; policies attached by targetRef(s) are left out (they act
 * at a gateway or waypoint), and so are malformed ones (istiod rejects them).
 */
export function policiesFor(index: AuthzIndex, namespace: string, labels: Record<string, string>): ParsedAuthzPolicy[] {
  const out: ParsedAuthzPolicy[] = [];
  const lists = namespace === index.root ? [index.byNamespace.get(namespace)] : [index.byNamespace.get(namespace), index.byNamespace.get(index.root)];
  for (const list of lists) {
    for (const p of list ?? []) {
      if (p.targeted || !p.action || p.problems.length > 0) continue;
      if (!istioPolicySelects(p, index.root, namespace, labels)) continue;
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
export function istioPolicySelects(policy: { namespace: string; selector?: Record<string, string> }, root: string, namespace: string, labels: Record<string, string>): boolean {
  if (policy.namespace !== namespace && policy.namespace !== root) return false;
  return !policy.selector || selectorMatches(policy.selector, labels);
}
