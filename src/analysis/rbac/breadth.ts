// RBAC breadth: how many distinct (verb, group/resource, namespace) grants a subject holds.
// Wildcards are expanded against the cluster's resource types: what the API server serves
// (snapshot.apiResources, from live discovery) when known, otherwise standard Kubernetes
// resources plus the kinds ztaudit collects; a cluster-wide grant on a namespaced resource
// counts once per namespace, so breadth grows with what a subject can reach.

import { KINDS } from '../../snapshot/kinds.ts';
import { memoize } from '../memo.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { isSystemSubject } from './audit.ts';
import { buildRbacModel, formatSubject, grantsFor, identityOf, directGrants, type RbacModel } from './model.ts';
import type { Grant, RoleInfo, Rule, Subject } from './types.ts';

export interface ResourceType {
  group: string;
  /** "pods" or "pods/exec". */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

const STD = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const RW = ['get', 'patch', 'update'];

const t = (group: string, resource: string, namespaced: boolean, verbs: string[] = STD): ResourceType => ({ group, resource, namespaced, verbs });

/** Standard Kubernetes resources and subresources with the verbs that mean something on them. */
export const STANDARD_RESOURCES: readonly ResourceType[] = [
  t('', 'pods', true), t('', 'pods/exec', true, ['create', 'get']), t('', 'pods/attach', true, ['create', 'get']),
  t('', 'pods/portforward', true, ['create', 'get']), t('', 'pods/proxy', true, ['create', 'delete', 'get', 'patch', 'update']),
  t('', 'pods/log', true, ['get']), t('', 'pods/status', true, RW), t('', 'pods/eviction', true, ['create']),
  t('', 'pods/ephemeralcontainers', true, RW), t('', 'pods/binding', true, ['create']), t('', 'bindings', true, ['create']),
  t('', 'services', true), t('', 'services/proxy', true, ['create', 'delete', 'get', 'patch', 'update']), t('', 'services/status', true, RW),
  t('', 'endpoints', true), t('', 'configmaps', true), t('', 'secrets', true),
  t('', 'serviceaccounts', true, [...STD, 'impersonate']), t('', 'serviceaccounts/token', true, ['create']),
  t('', 'persistentvolumeclaims', true), t('', 'persistentvolumeclaims/status', true, RW),
  t('', 'replicationcontrollers', true), t('', 'replicationcontrollers/scale', true, RW), t('', 'replicationcontrollers/status', true, RW),
  t('', 'events', true), t('', 'limitranges', true), t('', 'resourcequotas', true), t('', 'resourcequotas/status', true, RW), t('', 'podtemplates', true),
  t('', 'namespaces', false, ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']), t('', 'namespaces/status', false, RW), t('', 'namespaces/finalize', false, ['update']),
  t('', 'nodes', false, [...STD, 'proxy']), t('', 'nodes/status', false, RW), t('', 'nodes/proxy', false, ['create', 'delete', 'get', 'patch', 'update']),
  t('', 'nodes/log', false, ['get']), t('', 'nodes/metrics', false, ['get']), t('', 'nodes/stats', false, ['get', 'create']),
  t('', 'persistentvolumes', false), t('', 'persistentvolumes/status', false, RW), t('', 'componentstatuses', false, ['get', 'list']),
  t('', 'users', false, ['impersonate']), t('', 'groups', false, ['impersonate']),
  t('apps', 'deployments', true), t('apps', 'deployments/scale', true, RW), t('apps', 'deployments/status', true, RW),
  t('apps', 'replicasets', true), t('apps', 'replicasets/scale', true, RW), t('apps', 'statefulsets', true), t('apps', 'statefulsets/scale', true, RW),
  t('apps', 'daemonsets', true), t('apps', 'controllerrevisions', true),
  t('batch', 'jobs', true), t('batch', 'cronjobs', true),
  t('autoscaling', 'horizontalpodautoscalers', true), t('policy', 'poddisruptionbudgets', true),
  t('networking.k8s.io', 'networkpolicies', true), t('networking.k8s.io', 'ingresses', true), t('networking.k8s.io', 'ingressclasses', false),
  t('discovery.k8s.io', 'endpointslices', true), t('coordination.k8s.io', 'leases', true), t('events.k8s.io', 'events', true),
  t('rbac.authorization.k8s.io', 'roles', true, [...STD, 'bind', 'escalate']), t('rbac.authorization.k8s.io', 'rolebindings', true),
  t('rbac.authorization.k8s.io', 'clusterroles', false, [...STD, 'bind', 'escalate']), t('rbac.authorization.k8s.io', 'clusterrolebindings', false),
  t('storage.k8s.io', 'storageclasses', false), t('storage.k8s.io', 'csidrivers', false), t('storage.k8s.io', 'csinodes', false),
  t('storage.k8s.io', 'volumeattachments', false), t('storage.k8s.io', 'csistoragecapacities', true),
  t('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', false), t('admissionregistration.k8s.io', 'validatingwebhookconfigurations', false),
  t('admissionregistration.k8s.io', 'validatingadmissionpolicies', false), t('admissionregistration.k8s.io', 'validatingadmissionpolicies/status', false, RW),
  t('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', false),
  t('admissionregistration.k8s.io', 'mutatingadmissionpolicies', false), t('admissionregistration.k8s.io', 'mutatingadmissionpolicybindings', false),
  t('apiextensions.k8s.io', 'customresourcedefinitions', false), t('apiregistration.k8s.io', 'apiservices', false),
  t('certificates.k8s.io', 'certificatesigningrequests', false), t('certificates.k8s.io', 'certificatesigningrequests/approval', false, RW),
  t('certificates.k8s.io', 'certificatesigningrequests/status', false, RW), t('certificates.k8s.io', 'signers', false, ['approve', 'sign']),
  t('node.k8s.io', 'runtimeclasses', false), t('scheduling.k8s.io', 'priorityclasses', false),
  t('flowcontrol.apiserver.k8s.io', 'flowschemas', false), t('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', false),
  t('authentication.k8s.io', 'tokenreviews', false, ['create']), t('authentication.k8s.io', 'selfsubjectreviews', false, ['create']),
  t('authentication.k8s.io', 'uids', false, ['impersonate']),
  t('authorization.k8s.io', 'subjectaccessreviews', false, ['create']), t('authorization.k8s.io', 'selfsubjectaccessreviews', false, ['create']),
  t('authorization.k8s.io', 'selfsubjectrulesreviews', false, ['create']), t('authorization.k8s.io', 'localsubjectaccessreviews', true, ['create']),
];

/** The catalog wildcards expand against: standard resources, collected kinds, discovered types. */
export function resourceCatalog(extra: readonly ResourceType[] = []): ResourceType[] {
  const byKey = new Map<string, ResourceType>();
  const add = (r: ResourceType) => { const k = `${r.group}/${r.resource}`; if (!byKey.has(k)) byKey.set(k, r); };
  STANDARD_RESOURCES.forEach(add);
  for (const k of KINDS) add({ group: k.group, resource: k.resource, namespaced: k.namespaced, verbs: STD });
  extra.forEach(add);
  return [...byKey.values()];
}

/**
 * Verbs the authorizer checks that discovery never lists (impersonate, bind, escalate, approve,
 * sign) and the resources they apply to that no API serves (users, groups, signers).
 */
const AUTHZ_ONLY: ReadonlyArray<{ group: string; resource: string; namespaced: boolean; verbs: string[]; when: 'resource-served' | 'group-served' | 'always' }> = [
  { group: '', resource: 'serviceaccounts', namespaced: true, verbs: ['impersonate'], when: 'resource-served' },
  { group: 'rbac.authorization.k8s.io', resource: 'roles', namespaced: true, verbs: ['bind', 'escalate'], when: 'resource-served' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespaced: false, verbs: ['bind', 'escalate'], when: 'resource-served' },
  { group: '', resource: 'users', namespaced: false, verbs: ['impersonate'], when: 'always' },
  { group: '', resource: 'groups', namespaced: false, verbs: ['impersonate'], when: 'always' },
  { group: 'authentication.k8s.io', resource: 'uids', namespaced: false, verbs: ['impersonate'], when: 'always' },
  { group: 'certificates.k8s.io', resource: 'signers', namespaced: false, verbs: ['approve', 'sign'], when: 'group-served' },
];

/**
 * The API groups the snapshot says discovery could not tell (snapshot.apiResourcesMissing;
 * entries that are not strings skipped); empty when it says none or has no discovery data.
 */
function missingGroupsOf(snapshot: Snapshot): string[] {
  const list = snapshot.apiResourcesMissing;
  return Array.isArray(list) ? [...new Set(list.filter((g): g is string => typeof g === 'string'))].sort() : [];
}

/**
 * The catalog of what the API server serves, from snapshot.apiResources (malformed entries
 * skipped), with the authorization-only verbs and resources added; undefined when the snapshot
 * has no discovery data. Served CRD resources count like any other; subresources are their own
 * type. A group whose discovery failed (snapshot.apiResourcesMissing) counts the built-in
 * catalog's types of that group, if it has any.
 */
export const servedResourceTypes = memoize((snapshot: Snapshot): ResourceType[] | undefined => {
  const list = snapshot.apiResources;
  if (!Array.isArray(list)) return undefined;
  const byKey = new Map<string, ResourceType>();
  const servedGroups = new Set<string>();
  for (const r of list) {
    if (!r || typeof r.group !== 'string' || typeof r.resource !== 'string' || !r.resource) continue;
    const key = `${r.group}/${r.resource}`;
    if (byKey.has(key)) continue;
    const verbs = Array.isArray(r.verbs) ? [...new Set(r.verbs.filter((v) => typeof v === 'string' && v !== ''))] : [];
    byKey.set(key, { group: r.group, resource: r.resource, namespaced: r.namespaced === true, verbs });
    servedGroups.add(r.group);
  }
  if (byKey.size === 0) return undefined;
  const missing = new Set(missingGroupsOf(snapshot));
  if (missing.size > 0) {
    for (const rt of resourceCatalog()) {
      if (!missing.has(rt.group) || byKey.has(`${rt.group}/${rt.resource}`)) continue;
      byKey.set(`${rt.group}/${rt.resource}`, rt);
      servedGroups.add(rt.group);
    }
  }
  for (const a of AUTHZ_ONLY) {
    const key = `${a.group}/${a.resource}`;
    const have = byKey.get(key);
    if (have) byKey.set(key, { ...have, verbs: [...new Set([...have.verbs, ...a.verbs])] });
    else if (a.when === 'always' || (a.when === 'group-served' && servedGroups.has(a.group))) byKey.set(key, { group: a.group, resource: a.resource, namespaced: a.namespaced, verbs: a.verbs });
  }
  return [...byKey.values()];
}, 'rbac');

/**
 * What a snapshot's breadth figures count wildcards against: the resources the API server
 * serves ('served'), those of the groups whose discovery answered with the built-in list's for
 * the others ('partial', naming them), or the built-in list alone ('built-in': manifests, or
 * discovery failed). Two runs' breadths compare only on the same basis (partial: the same groups missing).
 */
export type BreadthBasis = { basis: 'served' | 'built-in' } | { basis: 'partial'; missingGroups: string[] };

export function breadthBasisOf(snapshot: Snapshot): BreadthBasis {
  if (!servedResourceTypes(snapshot)) return { basis: 'built-in' };
  const missingGroups = missingGroupsOf(snapshot);
  return missingGroups.length > 0 ? { basis: 'partial', missingGroups } : { basis: 'served' };
}

/** Served types when the snapshot has them (plus `extra`), otherwise the built-in catalog plus `extra`. */
export function catalogFor(snapshot: Snapshot | undefined, extra: readonly ResourceType[] = []): ResourceType[] {
  const served = snapshot ? servedResourceTypes(snapshot) : undefined;
  if (!served) return resourceCatalog(extra);
  if (extra.length === 0) return served;
  const keys = new Set(served.map((r) => `${r.group}/${r.resource}`));
  return [...served, ...extra.filter((r) => !keys.has(`${r.group}/${r.resource}`))];
}

interface Expanded {
  /** "verb group/resource" -> namespaced */
  tuples: Map<string, boolean>;
  nonResource: Set<string>;
}

function splitResource(r: string): [string, string | undefined] {
  const i = r.indexOf('/');
  return i < 0 ? [r, undefined] : [r.slice(0, i), r.slice(i + 1)];
}

function expandRule(rule: Rule, catalog: readonly ResourceType[], out: Expanded): void {
  if (rule.nonResourceURLs.length > 0) {
    for (const v of rule.verbs) for (const u of rule.nonResourceURLs) out.nonResource.add(`${v} ${u}`);
    return;
  }
  const groupOk = (g: string) => rule.apiGroups.includes('*') || rule.apiGroups.includes(g);
  const addVerbs = (rt: ResourceType) => {
    const verbs = rule.verbs.includes('*') ? rt.verbs : rule.verbs.filter((v) => rt.verbs.includes(v));
    for (const v of verbs) out.tuples.set(`${v} ${rt.group}/${rt.resource}`, rt.namespaced);
  };
  for (const res of rule.resources) {
    if (res === '*' || res.startsWith('*/')) {
      const sub = res === '*' ? undefined : res.slice(2);
      for (const rt of catalog) {
        if (!groupOk(rt.group)) continue;
        if (sub !== undefined && splitResource(rt.resource)[1] !== sub) continue;
        addVerbs(rt);
      }
      continue;
    }
    let known = false;
    for (const rt of catalog) if (rt.resource === res && groupOk(rt.group)) { known = true; addVerbs(rt); }
    if (!known) {
      // A type ztaudit does not know (a CRD, a future resource): count the verbs as written.
      for (const g of rule.apiGroups) {
        if (g === '*') continue;
        for (const v of rule.verbs.includes('*') ? STD : rule.verbs) out.tuples.set(`${v} ${g}/${res}`, true);
      }
    }
  }
}

export interface BreadthEntry {
  subject: Subject;
  breadth: number;
  /** Distinct (verb, resource) pairs granted everywhere by ClusterRoleBindings. */
  clusterWide: number;
  /** Distinct (verb, resource, namespace) triples granted by RoleBindings beyond the cluster-wide ones. */
  namespaced: number;
  nonResource: number;
}

/** The cluster-wide part of a breadth: what a list of ClusterRoleBindings' roles grant together. */
interface ClusterPart {
  tuples: Map<string, boolean>;
  nonResource: number;
  breadth: number;
  /** namespacedPart's answers beside this part, by the ids of the roles' contents. */
  beyond: Map<string, number>;
  /** The same for a single role (most namespaces a subject is bound in hold one). */
  beyondOne: Map<number, number>;
}

interface Breadths {
  expand: (role: RoleInfo) => Expanded;
  /** The union of these roles' grants, shared by every subject bound to the same roles in the same order (most service accounts hold only their implicit groups' grants). */
  clusterPart: (roles: readonly RoleInfo[], nsCount: number) => ClusterPart;
  /** How many namespaced (verb, resource) pairs these roles grant in one namespace beyond `cluster`'s. */
  namespacedPart: (cluster: ClusterPart, roles: readonly RoleInfo[]) => number;
}

function makeBreadths(catalog: readonly ResourceType[]): Breadths {
  const cache = new WeakMap<RoleInfo, Expanded>();
  const ids = new WeakMap<RoleInfo, number>();
  const parts = new Map<string, ClusterPart>();
  let nextId = 0;
  const expand = (role: RoleInfo) => {
    let e = cache.get(role);
    if (!e) {
      e = { tuples: new Map(), nonResource: new Set() };
      for (const rule of role.rules) expandRule(rule, catalog, e);
      cache.set(role, e);
    }
    return e;
  };
  const namespaced = new WeakMap<RoleInfo, Set<string>>();
  /** The (verb, resource) pairs of a role on namespaced resources. */
  const namespacedOf = (role: RoleInfo) => {
    let set = namespaced.get(role);
    if (!set) {
      set = new Set();
      for (const [k, nsd] of expand(role).tuples) if (nsd) set.add(k);
      namespaced.set(role, set);
    }
    return set;
  };
  // Roles granting the same namespaced pairs share an id: namespacedPart's answer depends on
  // nothing else (thousands of per-namespace Roles are copies of a few).
  const contentIds = new WeakMap<RoleInfo, number>();
  const byContent = new Map<string, number>();
  const contentOf = (role: RoleInfo) => {
    let id = contentIds.get(role);
    if (id === undefined) {
      const key = JSON.stringify([...namespacedOf(role)].sort());
      id = byContent.get(key);
      if (id === undefined) byContent.set(key, (id = byContent.size));
      contentIds.set(role, id);
    }
    return id;
  };
  const idOf = (role: RoleInfo) => {
    let id = ids.get(role);
    if (id === undefined) ids.set(role, (id = nextId++));
    return id;
  };
  const clusterPart = (roles: readonly RoleInfo[], nsCount: number) => {
    const key = `${nsCount}:${roles.map(idOf).join(',')}`;
    let part = parts.get(key);
    if (!part) {
      const tuples = new Map<string, boolean>();
      const nonResource = new Set<string>();
      for (const role of roles) {
        const e = expand(role);
        for (const [k, nsd] of e.tuples) tuples.set(k, nsd);
        for (const u of e.nonResource) nonResource.add(u);
      }
      let breadth = 0;
      for (const nsd of tuples.values()) breadth += nsd ? nsCount : 1;
      parts.set(key, (part = { tuples, nonResource: nonResource.size, breadth, beyond: new Map(), beyondOne: new Map() }));
    }
    return part;
  };
  const namespacedPart = (cluster: ClusterPart, roles: readonly RoleInfo[]) => {
    const key = roles.length === 1 ? contentOf(roles[0]) : [...new Set(roles.map(contentOf))].sort((a, b) => a - b).join(',');
    let n = typeof key === 'string' ? cluster.beyond.get(key) : cluster.beyondOne.get(key);
    if (n === undefined) {
      // RoleBindings grant neither cluster-scoped resources nor non-resource URLs: the roles'
      // namespaced pairs, less those the cluster-wide grants hold (counted over the smaller side).
      let mine: ReadonlySet<string>;
      if (roles.length === 1) mine = namespacedOf(roles[0]);
      else {
        const union = new Set<string>();
        for (const role of roles) for (const k of namespacedOf(role)) union.add(k);
        mine = union;
      }
      let shared = 0;
      if (cluster.tuples.size < mine.size) {
        for (const k of cluster.tuples.keys()) if (mine.has(k)) shared++;
      } else {
        for (const k of mine) if (cluster.tuples.has(k)) shared++;
      }
      n = mine.size - shared;
      if (typeof key === 'string') cluster.beyond.set(key, n); else cluster.beyondOne.set(key, n);
    }
    return n;
  };
  return { expand, clusterPart, namespacedPart };
}

function breadthOf(model: RbacModel, subject: Subject, b: Breadths): BreadthEntry {
  const nsCount = Math.max(1, model.namespaces.length);
  const grants: Grant[] = subject.kind === 'Group' ? directGrants(model, subject) : grantsFor(model, identityOf(subject));
  const cluster = b.clusterPart(grants.filter((g) => !g.namespace).map((g) => g.role), nsCount);
  const perNs = new Map<string, RoleInfo[]>();
  for (const g of grants) {
    if (!g.namespace) continue;
    const roles = perNs.get(g.namespace);
    if (roles) roles.push(g.role); else perNs.set(g.namespace, [g.role]);
  }
  let namespaced = 0;
  for (const roles of perNs.values()) namespaced += b.namespacedPart(cluster, roles);
  return { subject, breadth: cluster.breadth + namespaced + cluster.nonResource, clusterWide: cluster.tuples.size, namespaced, nonResource: cluster.nonResource };
}

/**
 * Breadth of every subject named by a binding: Users and ServiceAccounts with their implicit
 * groups (what they can really do), Groups with their own grants. Sorted, broadest first.
 * With `snapshot` (the one the model was built from), wildcards expand against what it says
 * the API server serves, when it says so.
 */
export function rbacBreadth(model: RbacModel, discoveredResources?: readonly ResourceType[], snapshot?: Snapshot): BreadthEntry[] {
  const breadths = makeBreadths(catalogFor(snapshot, discoveredResources));
  return model.subjects.map((s) => breadthOf(model, s, breadths)).sort(broadestFirst);
}

const broadestFirst = (a: BreadthEntry, b: BreadthEntry) => b.breadth - a.breadth || formatSubject(a.subject).localeCompare(formatSubject(b.subject));

/** Breadth of one subject (named by a binding or not). */
export function subjectBreadth(model: RbacModel, subject: Subject, discoveredResources?: readonly ResourceType[], snapshot?: Snapshot): BreadthEntry {
  return breadthOf(model, subject, makeBreadths(catalogFor(snapshot, discoveredResources)));
}

export interface TopBreadthOptions {
  /** Include system:masters, control-plane users and kube-system controllers (default false). */
  includeSystem?: boolean;
  discoveredResources?: readonly ResourceType[];
}

/** The n broadest subjects, for report.json's rbac.breadth. */
export function topBreadth(snapshot: Snapshot, n: number, opts: TopBreadthOptions = {}): Array<{ subject: { kind: string; name: string; namespace?: string }; breadth: number }> {
  const model = buildRbacModel(snapshot);
  const breadths = makeBreadths(catalogFor(snapshot, opts.discoveredResources));
  const keep = Math.max(0, n);
  let top = model.subjects.filter((s) => opts.includeSystem || !isSystemSubject(s)).map((s) => breadthOf(model, s, breadths));
  if (top.length > keep) {
    // Only the entries as broad as the n-th broadest can be among the first n: sort those
    // (a stable sort of them keeps the order a sort of all would give them).
    const values = Float64Array.from(top, (e) => e.breadth).sort();
    const threshold = keep === 0 ? Infinity : values[values.length - keep];
    top = top.filter((e) => e.breadth >= threshold);
  }
  return top.sort(broadestFirst)
    .slice(0, keep)
    .map((e) => ({ subject: e.subject.kind === 'ServiceAccount' ? { kind: e.subject.kind, name: e.subject.name, namespace: e.subject.namespace } : { kind: e.subject.kind, name: e.subject.name }, breadth: e.breadth }));
}
