// The effective-permissions model: every Role and ClusterRole (aggregation recomputed from
// labels, the roles the apiserver creates filled in), every binding resolved to its role, and an index from
// subject to bindings so a question about one subject never scans all 60,000 bindings.

import { memoize } from '../memo.ts';
import { resourcesOf, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import { CONTROLLER_ROLES, DEFAULT_CLUSTER_ROLES, DEFAULT_CLUSTER_ROLE_BINDINGS, NAMESPACE_ROLES, DEFAULT_CLUSTER_ROLE_BY_NAME, BOOTSTRAP_LABELS, AUTOUPDATE_ANNOTATION, RECOGNISED_ROLE_BY_KEY, type DefaultClusterRole } from './bootstrap.ts';
import { clusterScopedRequestCarriesNamespace, namespaceRequestCarriesName, normalizeRules, ruleAllowsNonResource, ruleAllowsResource, ruleKey, selectorMatches } from './rules.ts';
import type { BindingInfo, Grant, Identity, NonResourceAttributes, ResourceAttributes, RoleInfo, Rule, RuleGrant, Subject } from './types.ts';

export interface SubjectBindings {
  /** ClusterRoleBindings naming the subject. */
  cluster: BindingInfo[];
  /** RoleBindings naming the subject, by namespace. */
  byNamespace: Map<string, BindingInfo[]>;
}

export interface RbacModel {
  /** Keyed by roleKey(): 'ClusterRole:name' or 'Role:ns/name'. */
  roles: Map<string, RoleInfo>;
  bindings: BindingInfo[];
  /** Keyed by subjectKey(). */
  bySubject: Map<string, SubjectBindings>;
  /** Bindings whose roleRef resolved, by roleKey(). */
  byRole: Map<string, BindingInfo[]>;
  /** Every namespace known to the snapshot (declared, or holding RBAC objects); reads the Namespaces on first use. */
  readonly namespaces: string[];
  /** Subjects named by some binding, deduplicated, in first-seen order. */
  subjects: Subject[];
  /** Problems met while building (duplicates, malformed objects). */
  notes: string[];
}

export function roleKey(kind: string, name: string, namespace?: string): string {
  return kind === 'Role' ? `Role:${namespace ?? ''}/${name}` : `ClusterRole:${name}`;
}

export function subjectKey(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace ?? ''}/${s.name}` : `${s.kind}:${s.name}`;
}

/** "User:alice", "Group:dev", "ServiceAccount:ns/name" (also "ServiceAccount:ns:name"); a service account's username is that account. */
export function parseSubject(text: string): Subject | undefined {
  const m = /^(User|Group|ServiceAccount):(.+)$/.exec(text.trim());
  if (!m) return undefined;
  const [, kind, rest] = m;
  if (kind === 'ServiceAccount') {
    const sep = rest.includes('/') ? '/' : ':';
    const i = rest.indexOf(sep);
    if (i <= 0 || i === rest.length - 1) return undefined;
    return { kind, namespace: rest.slice(0, i), name: rest.slice(i + 1) };
  }
  return kind === 'User' ? userSubject(rest) : { kind: 'Group', name: rest };
}

export function formatSubject(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace}/${s.name}` : `${s.kind}:${s.name}`;
}

const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;
const SA_USER_PREFIX = 'system:serviceaccount:';

/**
 * The subject a User of this name is: the service account when the name is one's username.
 * The authorizer matches a ServiceAccount subject by that username and a User subject by its
 * name (appliesToUser, kubernetes pkg/registry/rbac/validation/rule.go), so the two forms are one
 * identity, kept under the ServiceAccount form.
 */
function userSubject(name: string): Subject {
  if (!name.startsWith(SA_USER_PREFIX)) return { kind: 'User', name };
  const m = SA_USER.exec(name);
  return m ? { kind: 'ServiceAccount', namespace: m[1], name: m[2] } : { kind: 'User', name };
}

/**
 * The user and groups the apiserver would authenticate a subject as: service accounts are in
 * system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated; users in
 * system:authenticated (system:anonymous in system:unauthenticated); a group is just itself.
 */
export function identityOf(subject: Subject): Identity {
  const s = subject.kind === 'User' ? userSubject(subject.name) : subject;
  if (s.kind === 'ServiceAccount') {
    return { user: `system:serviceaccount:${s.namespace}:${s.name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${s.namespace}`, 'system:authenticated'] };
  }
  if (s.kind === 'User') return { user: s.name, groups: s.name === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'] };
  return { groups: [s.name] };
}

/** The binding subjects an identity matches: its user (a service account's username is that account, whichever form a binding names it by) and groups. */
function identitySubjects(id: Identity): Subject[] {
  const out: Subject[] = [];
  if (id.user) out.push(userSubject(id.user));
  for (const g of id.groups) out.push({ kind: 'Group', name: g });
  return out;
}

function isIdentity(x: unknown): x is Identity {
  return !!x && typeof x === 'object' && Array.isArray((x as Identity).groups) && !('kind' in (x as object));
}

/** Accepts a Subject, its text form, or a literal Identity (SubjectAccessReview semantics). */
export function toIdentity(who: Subject | Identity | string): Identity {
  if (typeof who === 'string') {
    const s = parseSubject(who);
    if (!s) throw new Error(`not a subject: "${who}" (use User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME)`);
    return identityOf(s);
  }
  if (isIdentity(who)) return who;
  return identityOf(who);
}

const NO_STRINGS: Record<string, string> = Object.freeze({});
const NO_INVALID: BindingInfo['invalidSubjects'] = Object.freeze([]) as unknown as BindingInfo['invalidSubjects'];

/** The string entries of a labels/annotations map: the map itself when it holds nothing else (60,000 bindings' copies were held through the rbac area). */
function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return NO_STRINGS;
  let clean = true;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== 'string') { clean = false; break; }
  if (clean) return v as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function nameOf(o: KubeObject): string | undefined {
  const n = o?.metadata?.name;
  return typeof n === 'string' && n !== '' ? n : undefined;
}

/**
 * The part of `rule` no rule of `by` grants: the rule itself when `by` grants none of it, else
 * one rule per (group, resource, names) or URL with the verbs left over; [] when `by` grants all
 * of it. Every (verb, group, resource, name | url) the rule grants is asked about.
 */
function uncoveredParts(rule: Rule, by: readonly Rule[]): Rule[] {
  const parts = new Map<string, Rule>();
  let none = true;
  const add = (key: string, verb: string, make: () => Rule) => {
    const e = parts.get(key);
    if (e) e.verbs.push(verb);
    else parts.set(key, { ...make(), verbs: [verb] });
  };
  if (rule.nonResourceURLs.length > 0) {
    for (const path of rule.nonResourceURLs) for (const verb of rule.verbs) {
      if (by.some((d) => ruleAllowsNonResource(d, { verb, path }))) { none = false; continue; }
      add(path, verb, () => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [path] }));
    }
  } else {
    const names = rule.resourceNames.length ? rule.resourceNames : [undefined];
    for (const group of rule.apiGroups) for (const res of rule.resources) {
      const i = res.indexOf('/');
      const resource = i < 0 ? res : res.slice(0, i);
      const subresource = i < 0 ? undefined : res.slice(i + 1);
      for (const verb of rule.verbs) {
        const left = names.filter((name) => !by.some((d) => ruleAllowsResource(d, { verb, group, resource, subresource, name })));
        if (left.length < names.length) none = false;
        if (left.length === 0) continue;
        const resourceNames = rule.resourceNames.length ? (left as string[]) : [];
        add(JSON.stringify([group, res, resourceNames]), verb, () => ({ verbs: [], apiGroups: [group], resources: [res], resourceNames, nonResourceURLs: [] }));
      }
    }
  }
  if (parts.size === 0) return [];
  return none ? [rule] : [...parts.values()];
}

/** Whether a selector is exactly `matchLabels: m` (no expressions), as the bootstrap policy writes them. */
function isSelector(selector: unknown, m: Record<string, string>): boolean {
  if (!selector || typeof selector !== 'object' || Array.isArray(selector)) return false;
  const { matchLabels, matchExpressions, ...rest } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  if (Object.keys(rest).length > 0 || (Array.isArray(matchExpressions) ? matchExpressions.length > 0 : matchExpressions != null)) return false;
  if (!matchLabels || typeof matchLabels !== 'object' || Array.isArray(matchLabels)) return false;
  const got = Object.entries(matchLabels as Record<string, unknown>);
  return got.length === Object.keys(m).length && got.every(([k, v]) => m[k] === String(v));
}

/**
 * How an input role of a default or recognised name differs from that role. A default that
 * aggregates (admin, edit, view) is modified when it selects with a selector the default lacks
 * (what its default selectors pull in is judged by rbac.aggregation-into-builtin); any other role,
 * when its rules, aggregated ones included, grant something the default's do not: `added` is that part.
 */
function modifiedFrom(def: Pick<DefaultClusterRole, 'rules' | 'aggregateFrom'>, selectors: unknown[] | undefined, effective: Rule[]): { modified: boolean; added?: Rule[] } {
  if (selectors && def.aggregateFrom) return { modified: !selectors.every((s) => def.aggregateFrom!.some((m) => isSelector(s, m))) };
  const added = effective.flatMap((rule) => uncoveredParts(rule, def.rules));
  return added.length > 0 ? { modified: true, added } : { modified: false };
}

/** Sets modifiedFromDefault and addedToDefault of an input role from its default or recognised copy. */
function markModified(info: RoleInfo, def: Pick<DefaultClusterRole, 'rules' | 'aggregateFrom'>, selectors?: unknown[]): void {
  const { modified, added } = modifiedFrom(def, selectors, info.rules);
  info.modifiedFromDefault = modified;
  if (added) info.addedToDefault = added;
}

function dedupeRules(rules: Rule[]): Rule[] {
  const seen = new Set<string>();
  const out: Rule[] = [];
  for (const r of rules) {
    const k = ruleKey(r);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}

interface RawClusterRole {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  rules: Rule[];
  selectors?: unknown[];
  origin: 'input' | 'default';
}

/**
 * Aggregation: an aggregated ClusterRole's rules are the union of the rules of every other
 * ClusterRole one of its selectors matches, recomputed from labels (stored rules of an aggregated
 * role are never trusted). The controller re-syncs every aggregated role whenever any ClusterRole
 * changes (enqueue() in kubernetes pkg/controller/clusterroleaggregation/
 * clusterroleaggregation_controller.go), so roles that select each other settle on the same union:
 * each strongly connected component of the "selects" graph (Tarjan's algorithm, iterative, linear
 * in roles and edges) takes the union of what its members select outside it, after the components
 * it selects have settled. Leaves (roles without aggregationRule) keep their own rules.
 */
function aggregate(raw: Map<string, RawClusterRole>): Map<string, { rules: Rule[]; from?: string[] }> {
  const effective = new Map<string, { rules: Rule[]; from?: string[] }>();
  const aggregated: RawClusterRole[] = [];
  for (const cr of raw.values()) {
    if (cr.selectors) aggregated.push(cr);
    else effective.set(cr.name, { rules: cr.rules });
  }
  const selects = new Map<string, RawClusterRole[]>();
  for (const cr of aggregated) {
    const out: RawClusterRole[] = [];
    for (const other of raw.values()) {
      if (other.name !== cr.name && cr.selectors!.some((s) => selectorMatches(s, other.labels))) out.push(other);
    }
    selects.set(cr.name, out);
  }
  // Tarjan: components come out successors first, so what a component selects outside itself has settled.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: RawClusterRole[] = [];
  let next = 0;
  const settle = (members: RawClusterRole[]) => {
    // By name: which member's selections come first does not depend on where the walk entered the cycle.
    members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inside = new Set(members.map((m) => m.name));
    const rules: Rule[] = [];
    for (const m of members) {
      for (const other of selects.get(m.name)!) if (!inside.has(other.name)) for (const r of effective.get(other.name)!.rules) rules.push(r);
    }
    const union = dedupeRules(rules);
    for (const m of members) effective.set(m.name, { rules: union, from: selects.get(m.name)!.map((o) => o.name).sort() });
  };
  for (const root of aggregated) {
    if (index.has(root.name)) continue;
    const work: Array<{ cr: RawClusterRole; i: number }> = [{ cr: root, i: 0 }];
    index.set(root.name, next); low.set(root.name, next); next++;
    stack.push(root); onStack.add(root.name);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = selects.get(top.cr.name)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!w.selectors) continue;
        if (!index.has(w.name)) {
          index.set(w.name, next); low.set(w.name, next); next++;
          stack.push(w); onStack.add(w.name);
          work.push({ cr: w, i: 0 });
        } else if (onStack.has(w.name)) low.set(top.cr.name, Math.min(low.get(top.cr.name)!, index.get(w.name)!));
        continue;
      }
      work.pop();
      const v = top.cr.name;
      if (work.length > 0) { const parent = work[work.length - 1].cr.name; low.set(parent, Math.min(low.get(parent)!, low.get(v)!)); }
      if (low.get(v) !== index.get(v)) continue;
      const members: RawClusterRole[] = [];
      let w: RawClusterRole;
      do { w = stack.pop()!; onStack.delete(w.name); members.push(w); } while (w.name !== v);
      settle(members);
    }
  }
  return effective;
}

function buildRoles(snapshot: Snapshot, notes: string[]): Map<string, RoleInfo> {
  const raw = new Map<string, RawClusterRole>();
  for (const o of resourcesOf(snapshot, 'clusterroles')) {
    const name = nameOf(o);
    if (!name) { notes.push('ClusterRole without a name ignored'); continue; }
    if (raw.has(name)) notes.push(`duplicate ClusterRole ${name}: the last one is used, as the manifests reader keeps it`);
    const agg = (o as Record<string, unknown>).aggregationRule as { clusterRoleSelectors?: unknown } | undefined;
    const selectors = agg && typeof agg === 'object' ? (Array.isArray(agg.clusterRoleSelectors) ? agg.clusterRoleSelectors : []) : undefined;
    raw.set(name, {
      name, labels: stringMap(o.metadata?.labels), annotations: stringMap(o.metadata?.annotations),
      rules: normalizeRules((o as Record<string, unknown>).rules), selectors, origin: 'input',
    });
  }
  // The apiserver creates the controller roles with the default ones (storage_rbac.go's post-start
  // hook): a binding to system:controller:X grants what that role grants, in manifests too.
  for (const d of [...DEFAULT_CLUSTER_ROLES, ...CONTROLLER_ROLES] as Array<Pick<DefaultClusterRole, 'name' | 'labels' | 'aggregateFrom' | 'rules'>>) {
    if (raw.has(d.name)) continue;
    raw.set(d.name, {
      name: d.name, labels: { ...BOOTSTRAP_LABELS, ...(d.labels ?? {}) }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
      rules: d.rules, selectors: d.aggregateFrom?.map((m) => ({ matchLabels: m })), origin: 'default',
    });
  }

  const effective = aggregate(raw);
  const roles = new Map<string, RoleInfo>();
  for (const cr of raw.values()) {
    const eff = effective.get(cr.name)!;
    const info: RoleInfo = {
      kind: 'ClusterRole', name: cr.name, rules: eff.rules, origin: cr.origin, labels: cr.labels, annotations: cr.annotations,
    };
    if (eff.from) info.aggregatedFrom = eff.from;
    const key = roleKey('ClusterRole', cr.name);
    const def = DEFAULT_CLUSTER_ROLE_BY_NAME.get(cr.name) ?? RECOGNISED_ROLE_BY_KEY.get(key);
    if (def && cr.origin === 'input') markModified(info, def, cr.selectors);
    roles.set(key, info);
  }
  for (const o of resourcesOf(snapshot, 'roles')) {
    const name = nameOf(o);
    const ns = o.metadata?.namespace;
    if (!name || typeof ns !== 'string') { notes.push('Role without a name or namespace ignored'); continue; }
    const key = roleKey('Role', name, ns);
    if (roles.has(key)) notes.push(`duplicate Role ${ns}/${name}: the last one is used, as the manifests reader keeps it`);
    const info: RoleInfo = {
      kind: 'Role', name, namespace: ns, rules: normalizeRules((o as Record<string, unknown>).rules), origin: 'input',
      labels: stringMap(o.metadata?.labels), annotations: stringMap(o.metadata?.annotations),
    };
    const def = RECOGNISED_ROLE_BY_KEY.get(key);
    if (def) markModified(info, def);
    roles.set(key, info);
  }
  for (const d of NAMESPACE_ROLES) {
    const key = roleKey('Role', d.name, d.namespace);
    if (roles.has(key)) continue;
    roles.set(key, {
      kind: 'Role', name: d.name, namespace: d.namespace, rules: d.rules, origin: 'default',
      labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    });
  }
  return roles;
}

function parseSubjects(raw: unknown, binding: { kind: string; namespace?: string }): { subjects: Subject[]; invalid: BindingInfo['invalidSubjects'] } {
  // The API requires a list; a single object (seen in hand-written manifests) is read as one subject.
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const subjects: Subject[] = [];
  const invalid: BindingInfo['invalidSubjects'] = [];
  for (const s of list) {
    const kind = (s as Record<string, unknown>)?.kind;
    const name = (s as Record<string, unknown>)?.name;
    if (typeof name !== 'string' || name === '') { invalid.push({ subject: s, reason: 'subject without a name' }); continue; }
    if (kind === 'User') { subjects.push(userSubject(name)); continue; }
    if (kind === 'Group') { subjects.push({ kind, name }); continue; }
    if (kind === 'ServiceAccount') {
      const ns = (s as Record<string, unknown>).namespace;
      if (typeof ns === 'string' && ns !== '') subjects.push({ kind, name, namespace: ns });
      else if (binding.kind === 'RoleBinding' && binding.namespace) subjects.push({ kind, name, namespace: binding.namespace });
      else invalid.push({ subject: s, reason: 'ServiceAccount subject without namespace in a ClusterRoleBinding matches nothing' });
      continue;
    }
    invalid.push({ subject: s, reason: `unknown subject kind ${JSON.stringify(kind)}` });
  }
  return { subjects, invalid: invalid.length > 0 ? invalid : NO_INVALID };
}

function resolveRoleRef(b: BindingInfo, roles: Map<string, RoleInfo>): void {
  const { kind, name } = b.roleRef;
  if (!name) { b.roleProblem = 'roleRef has no name'; return; }
  if (kind === 'ClusterRole') {
    b.role = roles.get(roleKey('ClusterRole', name));
    if (!b.role) b.roleProblem = `ClusterRole ${name} does not exist`;
  } else if (kind === 'Role') {
    if (b.kind === 'ClusterRoleBinding') { b.roleProblem = 'a ClusterRoleBinding can only refer to a ClusterRole'; return; }
    b.role = roles.get(roleKey('Role', name, b.namespace));
    if (!b.role) b.roleProblem = `Role ${b.namespace}/${name} does not exist`;
  } else {
    b.roleProblem = `roleRef kind ${JSON.stringify(kind)} is neither Role nor ClusterRole`;
  }
}

function buildBindings(snapshot: Snapshot, roles: Map<string, RoleInfo>, notes: string[]): BindingInfo[] {
  const out: BindingInfo[] = [];
  const crbNames = new Set<string>();
  const read = (o: KubeObject, kind: 'RoleBinding' | 'ClusterRoleBinding') => {
    const name = nameOf(o);
    const namespace = kind === 'RoleBinding' ? o.metadata?.namespace : undefined;
    if (!name || (kind === 'RoleBinding' && typeof namespace !== 'string')) { notes.push(`${kind} without a name or namespace ignored`); return; }
    if (kind === 'ClusterRoleBinding') crbNames.add(name);
    const ref = (o as Record<string, unknown>).roleRef as Record<string, unknown> | undefined;
    const roleRef = { kind: typeof ref?.kind === 'string' ? ref.kind : '', name: typeof ref?.name === 'string' ? ref.name : '' };
    const { subjects, invalid } = parseSubjects((o as Record<string, unknown>).subjects, { kind, namespace });
    const b: BindingInfo = {
      kind, name, namespace, roleRef, subjects, invalidSubjects: invalid, origin: 'input',
      labels: stringMap(o.metadata?.labels), annotations: stringMap(o.metadata?.annotations),
    };
    resolveRoleRef(b, roles);
    out.push(b);
  };
  for (const o of resourcesOf(snapshot, 'clusterrolebindings')) read(o, 'ClusterRoleBinding');
  for (const o of resourcesOf(snapshot, 'rolebindings')) read(o, 'RoleBinding');
  for (const d of DEFAULT_CLUSTER_ROLE_BINDINGS) {
    if (crbNames.has(d.name)) continue;
    const b: BindingInfo = {
      kind: 'ClusterRoleBinding', name: d.name, roleRef: { kind: 'ClusterRole', name: d.role }, subjects: d.subjects.map((s) => ({ ...s })),
      invalidSubjects: [], origin: 'default', labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
    };
    resolveRoleRef(b, roles);
    out.push(b);
  }
  return out;
}

function buildModel(snapshot: Snapshot): RbacModel {
  const notes: string[] = [];
  const roles = buildRoles(snapshot, notes);
  const bindings = buildBindings(snapshot, roles, notes);
  const bySubject = new Map<string, SubjectBindings>();
  const byRole = new Map<string, BindingInfo[]>();
  const subjects: Subject[] = [];
  const nsSet = new Set<string>();
  for (const b of bindings) {
    if (b.namespace) nsSet.add(b.namespace);
    if (b.role) {
      const rk = roleKey(b.role.kind, b.role.name, b.role.namespace);
      let l = byRole.get(rk);
      if (!l) byRole.set(rk, (l = []));
      l.push(b);
    }
    const seenInBinding = new Set<string>();
    for (const s of b.subjects) {
      const k = subjectKey(s);
      if (seenInBinding.has(k)) continue;
      seenInBinding.add(k);
      let e = bySubject.get(k);
      if (!e) {
        bySubject.set(k, (e = { cluster: [], byNamespace: new Map() }));
        subjects.push(s);
      }
      if (b.kind === 'ClusterRoleBinding') e.cluster.push(b);
      else {
        let l = e.byNamespace.get(b.namespace!);
        if (!l) e.byNamespace.set(b.namespace!, (l = []));
        l.push(b);
      }
    }
  }
  // A filled-in Role says nothing about which namespaces the source holds.
  for (const r of roles.values()) if (r.namespace && r.origin === 'input') nsSet.add(r.namespace);
  // The Namespaces are read only when `namespaces` is: most RBAC checks never ask, so a run that
  // cannot read them judges those as well as one that can (src/engine/run.ts degradedInputs).
  let namespaces: string[] | undefined;
  return {
    roles, bindings, bySubject, byRole, subjects, notes,
    get namespaces() {
      if (namespaces === undefined) {
        for (const n of resourcesOf(snapshot, 'namespaces')) { const name = nameOf(n); if (name) nsSet.add(name); }
        namespaces = [...nsSet].sort();
      }
      return namespaces;
    },
  };
}

/** One model per snapshot object (memoised by identity). */
export const buildRbacModel: (snapshot: Snapshot) => RbacModel = memoize(buildModel, 'rbac');

/** Every grant reaching an identity: through its user, service account and groups; all namespaces. */
export function grantsFor(model: RbacModel, id: Identity): Grant[] {
  const out: Grant[] = [];
  for (const via of identitySubjects(id)) {
    const e = model.bySubject.get(subjectKey(via));
    if (!e) continue;
    for (const b of e.cluster) if (b.role) out.push({ binding: b, role: b.role, via });
    for (const [ns, list] of e.byNamespace) for (const b of list) if (b.role) out.push({ binding: b, role: b.role, namespace: ns, via });
  }
  return out;
}

/** Grants through bindings that name this exact subject (no implicit groups). */
export function directGrants(model: RbacModel, s: Subject): Grant[] {
  const e = model.bySubject.get(subjectKey(s));
  if (!e) return [];
  const out: Grant[] = [];
  for (const b of e.cluster) if (b.role) out.push({ binding: b, role: b.role, via: s });
  for (const [ns, list] of e.byNamespace) for (const b of list) if (b.role) out.push({ binding: b, role: b.role, namespace: ns, via: s });
  return out;
}

/** Bindings (resolved or not) naming the exact subject. */
export function bindingsNaming(model: RbacModel, s: Subject): BindingInfo[] {
  const e = model.bySubject.get(subjectKey(s));
  if (!e) return [];
  return [...e.cluster, ...[...e.byNamespace.values()].flat()];
}

export interface RequestOptions {
  /** API group; '' = core. When omitted, taken from "resource.group" in the resource string, else ''. */
  group?: string;
  /**
   * Namespace of the request. Omitted: cluster scope. A get, update, patch or delete of one core
   * `namespaces` object carries that object's name instead (the apiserver scopes it so), unless this is ''
   * (cluster scope, as a SubjectAccessReview with namespace '' asks); without a name, it is of the
   * namespace asked (a patch of namespace NS is a request on NS, carrying NS as name and namespace).
   */
  namespace?: string;
  subresource?: string;
  /** Ignored for create and deletecollection of a resource (not a subresource): those requests carry no name (nameDropped). */
  name?: string;
  /**
   * Whether a resource type is cluster-scoped (resourceIsClusterScoped in scope.ts, bound to the
   * snapshot): a request on one carries no namespace, so only ClusterRoleBindings answer it.
   * Omitted, or undefined for a type: the namespace asked is kept, as for a namespaced type.
   */
  clusterScoped?: (group: string, resource: string) => boolean | undefined;
}

export interface AccessDecision {
  allowed: boolean;
  /** 'system:masters' when the superuser group decided, bypassing RBAC. */
  reason?: string;
  /** Every rule that allows the request, with its binding and role. Empty when denied. */
  grants: RuleGrant[];
  /** The request as evaluated. */
  request: ResourceAttributes | NonResourceAttributes;
}

/** Splits "pods", "pods/exec", "deployments.apps", "deployments.apps/scale" into parts. */
export function parseResource(resource: string, opts: Pick<RequestOptions, 'group' | 'subresource'> = {}): { group: string; resource: string; subresource?: string } {
  let res = resource;
  let sub = opts.subresource;
  const slash = res.indexOf('/');
  if (slash >= 0) {
    sub ??= res.slice(slash + 1);
    res = res.slice(0, slash);
  }
  let group = opts.group;
  if (group === undefined) {
    const dot = res.indexOf('.');
    if (dot > 0) {
      group = res.slice(dot + 1);
      res = res.slice(0, dot);
    } else group = '';
  }
  return { group, resource: res, subresource: sub || undefined };
}

function bindingsInScope(e: SubjectBindings, namespace: string | undefined): Array<{ b: BindingInfo; ns?: string }> {
  const out: Array<{ b: BindingInfo; ns?: string }> = e.cluster.map((b) => ({ b }));
  if (namespace) for (const b of e.byNamespace.get(namespace) ?? []) out.push({ b, ns: namespace });
  return out;
}

/** Evaluates a resource request (SubjectAccessReview semantics) for an identity. */
export function authorize(model: RbacModel, id: Identity, attrs: ResourceAttributes | NonResourceAttributes): AccessDecision {
  if (id.groups.includes('system:masters')) return { allowed: true, reason: 'system:masters', grants: [], request: attrs };
  const isResource = 'resource' in attrs;
  const namespace = isResource ? attrs.namespace || undefined : undefined;
  const grants: RuleGrant[] = [];
  for (const via of identitySubjects(id)) {
    const e = model.bySubject.get(subjectKey(via));
    if (!e) continue;
    for (const { b, ns } of bindingsInScope(e, namespace)) {
      if (!b.role) continue;
      b.role.rules.forEach((rule, ruleIndex) => {
        const ok = isResource ? rule.nonResourceURLs.length === 0 && ruleAllowsResource(rule, attrs) : ruleAllowsNonResource(rule, attrs);
        if (ok) grants.push({ binding: b, role: b.role!, namespace: ns, via, rule, ruleIndex });
      });
    }
  }
  return { allowed: grants.length > 0, grants, request: attrs };
}

/** Builds the request attributes canI evaluates; a resource starting with '/' is a non-resource URL. */
export function requestAttributes(verb: string, resource: string, opts: RequestOptions = {}): ResourceAttributes | NonResourceAttributes {
  if (resource.startsWith('/')) return { verb, path: resource };
  const p = parseResource(resource, opts);
  let namespace = opts.namespace;
  const name = nameDropped(verb, p.subresource, opts.name) ? undefined : opts.name;
  // get/update/patch/delete of one namespace goes to /api/v1/namespaces/NAME, so the request carries
  // NAME as its namespace, whatever namespace the question names; '' still asks for cluster scope.
  // Asked in namespace NS with no name, it is the request on NS itself (what `kubectl auth can-i
  // patch namespaces -n NS` asks about: kubectl's RunAccessCheck sends NS as the namespace).
  if (p.group === '' && p.resource === 'namespaces' && (name || namespace) && namespaceRequestCarriesName(verb) && namespace !== '') {
    namespace = name ?? namespace;
    return { verb, group: p.group, resource: p.resource, subresource: p.subresource, name: namespace, namespace };
  }
  // RoleBindings are consulted only for requests that carry a namespace (VisitRulesFor, kubernetes
  // pkg/registry/rbac/validation/rule.go); one on a cluster-scoped type carries none, except the
  // request on one namespace above, which carries its name, and bind on ClusterRoles, asked in the
  // namespace of the binding written (clusterScopedRequestCarriesNamespace).
  else if (namespace && opts.clusterScoped?.(p.group, p.resource) && !clusterScopedRequestCarriesNamespace(verb, p.group, p.resource, p.subresource)) namespace = undefined;
  return { verb, group: p.group, resource: p.resource, subresource: p.subresource, name, namespace: namespace || undefined };
}

/**
 * Whether a request with `verb` leaves out the name asked: a create or deletecollection of a
 * resource carries none (the new object's name is in the body), so a rule limited by resourceNames
 * never allows it (kubernetes.io RBAC docs: "You cannot restrict create or deletecollection
 * requests by their resource name"). A subresource request (create pods/exec) names its object.
 */
export function nameDropped(verb: string, subresource: string | undefined, name: string | undefined): boolean {
  return !!name && !subresource && (verb === 'create' || verb === 'deletecollection');
}

/**
 * Can `who` do `verb` on `resource`? `who` is a Subject (implicit groups added: a ServiceAccount is
 * also in system:serviceaccounts[:ns] and system:authenticated), its text form ("User:alice",
 * "ServiceAccount:ns/name", "Group:x"), or a literal Identity {user, groups} exactly as in a
 * SubjectAccessReview. `resource` is "pods", "pods/exec", "deployments.apps", or a non-resource
 * path such as "/metrics".
 */
export function canI(model: RbacModel, who: Subject | Identity | string, verb: string, resource: string, opts: RequestOptions = {}): AccessDecision {
  return authorize(model, toIdentity(who), requestAttributes(verb, resource, opts));
}

export interface WhoCanEntry {
  subject: Subject;
  grants: RuleGrant[];
}

/**
 * Every binding subject allowed `verb` on `resource`: in the namespace the request carries
 * (requestAttributes: `namespace`, or a named namespace's own name; none for a type opts.clusterScoped
 * says is cluster-scoped), by ClusterRoleBindings plus that namespace's RoleBindings. Subjects
 * that are groups stand for all their members.
 */
export function whoCan(model: RbacModel, verb: string, resource: string, namespace?: string, opts: Omit<RequestOptions, 'namespace'> = {}): WhoCanEntry[] {
  const attrs = requestAttributes(verb, resource, { ...opts, namespace });
  const isResource = 'resource' in attrs;
  const bySubject = new Map<string, WhoCanEntry>();
  for (const [rk, bindings] of model.byRole) {
    const role = model.roles.get(rk)!;
    const matching: Array<{ rule: Rule; ruleIndex: number }> = [];
    role.rules.forEach((rule, ruleIndex) => {
      const ok = isResource ? rule.nonResourceURLs.length === 0 && ruleAllowsResource(rule, attrs) : ruleAllowsNonResource(rule, attrs);
      if (ok) matching.push({ rule, ruleIndex });
    });
    if (matching.length === 0) continue;
    for (const b of bindings) {
      if (b.kind === 'RoleBinding' && (!isResource || !attrs.namespace || b.namespace !== attrs.namespace)) continue;
      for (const s of b.subjects) {
        const k = subjectKey(s);
        let e = bySubject.get(k);
        if (!e) bySubject.set(k, (e = { subject: s, grants: [] }));
        // The binding names this identity twice (a service account in both forms): once is enough.
        else if (e.grants[e.grants.length - 1]?.binding === b) continue;
        for (const m of matching) e.grants.push({ binding: b, role, namespace: b.kind === 'RoleBinding' ? b.namespace : undefined, via: s, ...m });
      }
    }
  }
  return [...bySubject.values()].sort((a, b) => formatSubject(a.subject).localeCompare(formatSubject(b.subject)));
}

export interface SubjectRules {
  subject: Subject | Identity;
  /** Rules that apply everywhere (ClusterRoleBindings). */
  cluster: RuleGrant[];
  /** Rules from RoleBindings, per namespace: a Map, as a namespace may be named `constructor` or `__proto__`. */
  namespaces: Map<string, RuleGrant[]>;
}

/** Everything a subject may do (with implicit groups), like `kubectl auth can-i --list` for every namespace. */
export function subjectRules(model: RbacModel, who: Subject | Identity | string): SubjectRules {
  const id = toIdentity(who);
  const cluster: RuleGrant[] = [];
  const namespaces = new Map<string, RuleGrant[]>();
  for (const g of grantsFor(model, id)) {
    let target = cluster;
    if (g.namespace) {
      const list = namespaces.get(g.namespace);
      if (list) target = list;
      else namespaces.set(g.namespace, (target = []));
    }
    g.role.rules.forEach((rule, ruleIndex) => target.push({ ...g, rule, ruleIndex }));
  }
  const subject = typeof who === 'string' ? parseSubject(who)! : who;
  return { subject, cluster, namespaces };
}

// One shared, read-only reference object per binding and role: a large cluster's evidence
// names the same few thousand roles hundreds of thousands of times.
const bindingRefs = new WeakMap<BindingInfo, { kind: BindingInfo['kind']; name: string; namespace?: string }>();
const roleRefs = new WeakMap<RoleInfo, { kind: RoleInfo['kind']; name: string; namespace?: string }>();

export function bindingRef(b: BindingInfo): { kind: BindingInfo['kind']; name: string; namespace?: string } {
  let ref = bindingRefs.get(b);
  if (!ref) bindingRefs.set(b, (ref = Object.freeze(b.namespace ? { kind: b.kind, name: b.name, namespace: b.namespace } : { kind: b.kind, name: b.name })));
  return ref;
}

export function roleRefOf(r: RoleInfo): { kind: RoleInfo['kind']; name: string; namespace?: string } {
  let ref = roleRefs.get(r);
  if (!ref) roleRefs.set(r, (ref = Object.freeze(r.namespace ? { kind: r.kind, name: r.name, namespace: r.namespace } : { kind: r.kind, name: r.name })));
  return ref;
}
