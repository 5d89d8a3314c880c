// Rule normalisation and matching, mirroring the apiserver's RBAC evaluation helpers
// (pkg/apis/rbac/v1/evaluation_helpers.go): exact strings, '*' wildcards, '*/sub' subresource
// wildcards, resourceNames, and nonResourceURLs with a trailing-'*' prefix (every trailing '*' trimmed).

import type { NonResourceAttributes, ResourceAttributes, Rule } from './types.ts';

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string');
}

/** Normalises one raw PolicyRule; returns undefined for input that is not an object. */
export function normalizeRule(raw: unknown): Rule | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  return {
    verbs: stringList(r.verbs),
    apiGroups: stringList(r.apiGroups),
    resources: stringList(r.resources),
    resourceNames: stringList(r.resourceNames),
    nonResourceURLs: stringList(r.nonResourceURLs),
  };
}

export function normalizeRules(raw: unknown): Rule[] {
  if (!Array.isArray(raw)) return [];
  const out: Rule[] = [];
  for (const r of raw) {
    const n = normalizeRule(r);
    if (n) out.push(n);
  }
  return out;
}

export function verbMatches(rule: Rule, verb: string): boolean {
  return rule.verbs.includes('*') || rule.verbs.includes(verb);
}

export function apiGroupMatches(rule: Rule, group: string): boolean {
  return rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

/** `pods` does not cover `pods/exec`; `pods/*` is not a wildcard; `*` and `*\/exec` are. */
export function resourceMatches(rule: Rule, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources) {
    if (r === '*' || r === combined) return true;
    if (subresource && r.length > 2 && r.startsWith('*/') && r.slice(2) === subresource) return true;
  }
  return false;
}

export function resourceNameMatches(rule: Rule, name: string | undefined): boolean {
  if (rule.resourceNames.length === 0) return true;
  return !!name && rule.resourceNames.includes(name);
}

/** `u` without its trailing '*'s (a loop: a regex would backtrack on a hostile run of stars). */
function trimStars(u: string): string {
  let end = u.length;
  while (end > 0 && u[end - 1] === '*') end--;
  return u.slice(0, end);
}

export function nonResourceURLMatches(rule: Rule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === path) return true;
    // All trailing stars go, as strings.TrimRight(ruleURL, "*") does upstream: "/metrics**" is the prefix /metrics.
    if (u.endsWith('*') && path.startsWith(trimStars(u))) return true;
  }
  return false;
}

/** Whether the rule allows the resource request (all of verb, group, resource, name must match). */
export function ruleAllowsResource(rule: Rule, a: ResourceAttributes): boolean {
  return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.group) && resourceMatches(rule, a.resource, a.subresource) && resourceNameMatches(rule, a.name);
}

export function ruleAllowsNonResource(rule: Rule, a: NonResourceAttributes): boolean {
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
}

/** A subresource for ruleGrantsSome meaning "any subresource" (RBAC itself has no such wildcard: `pods/*` is a literal). */
export const ANY_SUBRESOURCE = '*';

/**
 * For audits: whether the rule grants the verb on the resource for at least one object name.
 * Unlike a real request, a rule restricted by resourceNames counts (it grants those names), except
 * for verbs that never carry a name (create, deletecollection), which such a rule cannot allow, and
 * for `*` asked as "every verb": a named rule with verbs `*` gives get, update, patch, delete (and
 * list/watch of those names), never create or deletecollection, so never every verb (kubernetes.io
 * RBAC docs: "You cannot restrict create or deletecollection requests by their resource name").
 */
export function ruleGrantsSome(rule: Rule, verb: string, group: string, resource: string, subresource?: string): boolean {
  if (!verbMatches(rule, verb) || !apiGroupMatches(rule, group)) return false;
  // ANY_SUBRESOURCE: some subresource, e.g. impersonating userextras/<any extra key>.
  if (subresource === ANY_SUBRESOURCE) return rule.resources.some((r) => r === '*' || r.startsWith(`${resource}/`) || (r.startsWith('*/') && r.length > 2));
  if (!resourceMatches(rule, resource, subresource)) return false;
  if (rule.resourceNames.length > 0 && (verb === 'create' || verb === 'deletecollection' || verb === '*') && !subresource) return false;
  return true;
}

/**
 * Whether a rule limited by resourceNames grants create on the resource for the names it lists.
 * A plain create carries no name, so ruleGrantsSome counts no such rule; but a server-side apply
 * (PATCH, application/apply-patch+yaml) of an object that does not exist creates it and is
 * authorized, beside the request's patch, as create with that object's name (kubernetes
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, PatchResource's
 * createAuthorizerAttributes carry Name; patchResource sets forceAllowCreate for apply patches),
 * which RBAC matches against resourceNames (plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows).
 */
export function ruleGrantsNamedCreate(rule: Rule, group: string, resource: string): boolean {
  return rule.resourceNames.length > 0 && verbMatches(rule, 'create') && apiGroupMatches(rule, group) && resourceMatches(rule, resource);
}

/** Verbs of requests that name one object. */
const NAMED_VERBS = new Set(['*', 'get', 'update', 'patch', 'delete']);

/**
 * Whether a request with `verb` on one named core namespace goes to /api/v1/namespaces/NAME (or its
 * status or finalize subresource) and so carries NAME as its namespace (RequestInfoFactory.NewRequestInfo,
 * kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). A list, watch, create
 * or deletecollection goes to /api/v1/namespaces and carries none, whatever name it selects or creates.
 */
export function namespaceRequestCarriesName(verb: string): boolean {
  return NAMED_VERBS.has(verb);
}

/**
 * Whether `rule`, bound by a RoleBinding in `namespace`, allows `verb` on core `namespaces` there.
 * A request on /api/v1/namespaces/NAME carries NAME as its namespace (RequestInfoFactory.NewRequestInfo,
 * kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), so the binding's
 * rules meet only requests naming its own namespace: a verb that names the object, and resourceNames
 * (if any) listing that namespace (ResourceNameMatches, pkg/apis/rbac/v1/evaluation_helpers.go).
 */
export function namespaceRequestReaches(rule: Rule, verb: string, namespace: string): boolean {
  return namespaceRequestCarriesName(verb) && (rule.resourceNames.length === 0 || rule.resourceNames.includes(namespace));
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * Whether a request with `verb` on `group`/`resource` is authorized in a namespace although the
 * type is cluster-scoped: bind on ClusterRoles is asked in the namespace of the binding being
 * written (BindingAuthorized, kubernetes pkg/registry/rbac/escalation_check.go), so a RoleBinding
 * granting it lets its subjects bind those ClusterRoles in its namespace (the role-grantor example
 * of https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
 */
export function clusterScopedRequestCarriesNamespace(verb: string, group: string, resource: string, subresource?: string): boolean {
  return verb === 'bind' && group === RBAC_GROUP && resource === 'clusterroles' && !subresource;
}

/** Whether `rule`, bound by a RoleBinding, grants bind on ClusterRoles (clusterScopedRequestCarriesNamespace). */
export function ruleBindsClusterRoles(rule: Rule): boolean {
  return verbMatches(rule, 'bind') && apiGroupMatches(rule, RBAC_GROUP) && rule.resources.includes('clusterroles');
}

export function ruleKey(rule: Rule): string {
  const s = (l: string[]) => [...l].sort().join(',');
  return `${s(rule.verbs)}|${s(rule.apiGroups)}|${s(rule.resources)}|${s(rule.resourceNames)}|${s(rule.nonResourceURLs)}`;
}

/** Compact human form, e.g. "get,list secrets" or "get /healthz". */
const ruleText = new WeakMap<Rule, string>();

export function describeRule(rule: Rule): string {
  let text = ruleText.get(rule);
  if (text !== undefined) return text;
  if (rule.nonResourceURLs.length > 0) text = `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`;
  else {
    const groups = rule.apiGroups.map((g) => (g === '' ? 'core' : g)).join(',');
    const names = rule.resourceNames.length ? ` [names: ${rule.resourceNames.join(',')}]` : '';
    text = `${rule.verbs.join(',')} ${rule.resources.join(',')} (${groups})${names}`;
  }
  ruleText.set(rule, text);
  return text;
}

interface LabelSelector {
  matchLabels?: Record<string, unknown>;
  matchExpressions?: Array<{ key?: unknown; operator?: unknown; values?: unknown }>;
}

/**
 * Kubernetes label-selector semantics; an empty selector matches everything. A malformed
 * selector matches nothing (the apiserver would have rejected it).
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== 'object' || Array.isArray(selector)) return false;
  const s = selector as LabelSelector;
  if (s.matchLabels !== undefined) {
    if (!s.matchLabels || typeof s.matchLabels !== 'object') return false;
    for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== String(v)) return false;
  }
  if (s.matchExpressions !== undefined) {
    if (!Array.isArray(s.matchExpressions)) return false;
    for (const e of s.matchExpressions) {
      if (!e || typeof e.key !== 'string') return false;
      const values = stringList(e.values);
      const has = Object.hasOwn(labels, e.key);
      switch (e.operator) {
        case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
        case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
  }
  return true;
}
