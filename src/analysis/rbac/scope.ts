// What a rule gives through the binding it reaches a subject by. A ClusterRoleBinding's rules
// apply to every request; a RoleBinding's only to requests that carry its namespace: the
// authorizer consults RoleBindings only when the request has a namespace (VisitRulesFor, kubernetes
// pkg/registry/rbac/validation/rule.go), and non-resource URLs and cluster-scoped resources carry
// none. The one cluster-scoped resource a namespaced request names is `namespaces`: a request on
// /api/v1/namespaces/NAME[/sub] carries NAME as its namespace (RequestInfoFactory.NewRequestInfo,
// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), so a RoleBinding in N
// grants verbs that name an object on namespace N itself, and on no other. One cluster-scoped
// request is authorized in a namespace: bind on ClusterRoles, asked in the namespace of the
// binding written (clusterScopedRequestCarriesNamespace), so a RoleBinding gives that too.

import { memoize } from '../memo.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { catalogFor } from './breadth.ts';
import { namespaceRequestReaches, ruleBindsClusterRoles } from './rules.ts';
import type { Grant, Rule } from './types.ts';

interface ScopeIndex {
  /** "group/resource" (no subresource) -> namespaced. */
  byKey: Map<string, boolean>;
  /** Resource name -> whether any group serves it namespaced. */
  byResource: Map<string, boolean>;
  /** Group -> whether it serves any namespaced resource. */
  byGroup: Map<string, boolean>;
}

/** The scope of each resource type the cluster serves (discovery), else of the built-in catalog. */
const scopeIndex = memoize((snapshot: Snapshot): ScopeIndex => {
  const byKey = new Map<string, boolean>();
  const byResource = new Map<string, boolean>();
  const byGroup = new Map<string, boolean>();
  for (const rt of catalogFor(snapshot)) {
    const base = rt.resource.split('/')[0];
    byKey.set(`${rt.group}/${base}`, (byKey.get(`${rt.group}/${base}`) ?? false) || rt.namespaced);
    byResource.set(base, (byResource.get(base) ?? false) || rt.namespaced);
    byGroup.set(rt.group, (byGroup.get(rt.group) ?? false) || rt.namespaced);
  }
  return { byKey, byResource, byGroup };
}, 'rbac');

/**
 * Whether the cluster serves group/resource (a subresource is its resource's) cluster-scoped, as
 * discovery says, else the built-in catalog; undefined for a type neither knows (a CRD the source
 * does not describe), whose scope nobody here can tell.
 */
export function resourceIsClusterScoped(snapshot: Snapshot, group: string, resource: string): boolean | undefined {
  const namespaced = scopeIndex(snapshot).byKey.get(`${group}/${resource.split('/')[0]}`);
  return namespaced === undefined ? undefined : !namespaced;
}

/**
 * Whether `rule`, reaching a subject through grant `g`, gives anything: always through a
 * ClusterRoleBinding; through a RoleBinding, only when it names a resource served in namespaces
 * (or a type the catalog does not know, which may be), `namespaces` as namespaceRequestReaches allows,
 * or bind on `clusterroles`.
 */
export function ruleGivesInScope(rule: Rule, g: Pick<Grant, 'namespace'>, snapshot: Snapshot): boolean {
  if (!g.namespace) return true;
  if (rule.nonResourceURLs.length > 0) return false;
  const idx = scopeIndex(snapshot);
  return rule.resources.some((res) => resourceGivesIn(rule, res, g.namespace!, idx));
}

/**
 * What part of `rule`, reaching a subject through grant `g`, gives nothing (ruleGivesInScope
 * asks whether any part gives): through a RoleBinding, its non-resource URLs, and each resource
 * it names that is served only cluster-scoped (`namespaces` only when no verb of it names
 * namespace g.namespace itself, `clusterroles` only when it grants no bind); nothing through a ClusterRoleBinding.
 */
export function ruleNotGivenInScope(rule: Rule, g: Pick<Grant, 'namespace'>, snapshot: Snapshot): { nonResourceURLs: string[]; resources: string[] } {
  if (!g.namespace) return { nonResourceURLs: [], resources: [] };
  const idx = scopeIndex(snapshot);
  return { nonResourceURLs: rule.nonResourceURLs, resources: rule.resources.filter((res) => !resourceGivesIn(rule, res, g.namespace!, idx)) };
}

/** Whether resource `res` of `rule` is served namespaced in a group the rule names, or is `namespaces` reached in `namespace` itself, or `clusterroles` the rule may bind. */
function resourceGivesIn(rule: Rule, res: string, namespace: string, idx: ScopeIndex): boolean {
  const base = res.split('/')[0];
  const coreGroup = rule.apiGroups.includes('') || rule.apiGroups.includes('*');
  if (base === 'namespaces' && coreGroup && rule.verbs.some((v) => namespaceRequestReaches(rule, v, namespace))) return true;
  if (res === 'clusterroles' && ruleBindsClusterRoles(rule)) return true;
  return rule.apiGroups.some((group) => base === '*'
    ? (group === '*' ? true : idx.byGroup.get(group) ?? true)
    : group === '*' ? idx.byResource.get(base) ?? true : idx.byKey.get(`${group}/${base}`) ?? true);
}
