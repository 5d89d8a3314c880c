// Which subjects and grants the RBAC checks judge. Every subject is judged by its grants; only
// the bindings Kubernetes and kubeadm create, exactly as they create them (name, role, subject,
// unmodified role), are left out, and system:masters, which bypasses RBAC. A name never exempts
// a subject: a user-made binding of cluster-admin to system:nodes or to a kube-system service
// account is a finding. config.rbac.ignoreSubjects extends the list.

import type { ResourceRef } from '../../base/vocabulary.ts';
import { memoize } from '../memo.ts';
import type { AuditContext } from '../context.ts';
import { isEveryoneSubject, type SubjectMatch } from '../../config/types.ts';
import { CONTROLLERS, RECOGNISED_BINDING_BY_KEY } from './bootstrap.ts';
import { buildRbacModel, bindingsNaming, directGrants, formatSubject, roleRefOf, bindingRef, type RbacModel } from './model.ts';
import { ANY_SUBRESOURCE, describeRule, namespaceRequestReaches, ruleGrantsNamedCreate, ruleGrantsSome } from './rules.ts';
import type { BindingInfo, Grant, RoleInfo, Rule, Subject } from './types.ts';

/** Names the breadth ranking leaves out by default (platform identities); never used for a verdict. */
const SYSTEM_GROUPS = new Set(['system:masters', 'system:nodes', 'system:monitoring', 'system:bootstrappers', 'kubeadm:cluster-admins']);

/**
 * Service accounts of kube-system that the controller manager and kubeadm add-ons run as
 * (breadth ranking only): the bootstrap policy's controllers and a few more.
 */
const KUBE_SYSTEM_SAS = new Set([
  ...CONTROLLERS, 'bootstrap-signer', 'token-cleaner', 'cloud-controller-manager', 'kube-dns', 'kube-proxy', 'coredns',
]);

function matchName(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Whether a configured match names the subject; a User pattern also names the service account whose username it matches. */
export function subjectMatches(m: SubjectMatch, s: Subject): boolean {
  if (m.kind === 'User' && s.kind === 'ServiceAccount') return matchName(m.name, `system:serviceaccount:${s.namespace ?? ''}:${s.name}`);
  if (m.kind !== s.kind || !matchName(m.name, s.name)) return false;
  return m.kind !== 'ServiceAccount' || m.namespace === undefined || matchName(m.namespace, s.namespace ?? '');
}

/**
 * Platform identities by name, for leaving them out of the breadth ranking (topBreadth). Not a
 * verdict: a name says nothing about what a user-made binding gave the subject.
 */
export function isSystemSubject(s: Subject): boolean {
  if (s.kind === 'Group') return SYSTEM_GROUPS.has(s.name) || s.name.startsWith('system:bootstrappers:');
  if (s.kind === 'User') return s.name.startsWith('system:') && s.name !== 'system:anonymous' && !s.name.startsWith('system:serviceaccount:');
  return s.namespace === 'kube-system' && (KUBE_SYSTEM_SAS.has(s.name) || s.name.endsWith('-controller'));
}

/**
 * system:masters is authorized before RBAC is asked, so no binding changes what it may do; and the
 * configured ignores, which never match the subjects standing for everyone (EVERYONE_SUBJECTS):
 * `name: "system:*"` must not hide cluster-admin bound to system:anonymous.
 */
export function isIgnoredSubject(s: Subject, ignore: readonly SubjectMatch[]): boolean {
  if (s.kind === 'Group' && s.name === 'system:masters') return true;
  return !isEveryoneSubject(s.kind, s.name) && ignore.some((m) => subjectMatches(m, s));
}

/** The username a subject authenticates as: a ServiceAccount and User system:serviceaccount:NS:NAME are one identity. */
function identityKey(s: { kind: string; name: string; namespace?: string }): string {
  return s.kind === 'ServiceAccount' ? `User:system:serviceaccount:${s.namespace ?? ''}:${s.name}` : `${s.kind}:${s.name}`;
}

/** Whether the binding is one the bootstrap policy or kubeadm creates (kind, namespace, name, roleRef) and names `s` as it does. */
function isDefaultBindingOf(b: BindingInfo, s: Subject): boolean {
  const d = RECOGNISED_BINDING_BY_KEY.get(`${b.kind}/${b.namespace ?? ''}/${b.name}`);
  if (!d || b.roleRef.kind !== d.roleRef.kind || b.roleRef.name !== d.roleRef.name) return false;
  const key = identityKey(s);
  return d.subjects.some((x) => identityKey(x) === key);
}

/**
 * A grant exactly as Kubernetes' bootstrap policy or kubeadm makes it: a binding of that kind,
 * namespace and name, to that role, naming that subject, and a role not changed from its default.
 */
export function isBuiltinGrant(b: BindingInfo, s: Subject): boolean {
  return isDefaultBindingOf(b, s) && !b.role?.modifiedFromDefault;
}

/** A role seen through only the rules its default does not grant, one per role. */
const addedViews = new WeakMap<RoleInfo, RoleInfo>();

function addedView(role: RoleInfo, added: Rule[]): RoleInfo {
  let view = addedViews.get(role);
  if (!view) addedViews.set(role, (view = { ...role, rules: added }));
  return view;
}

/**
 * What of a grant to `s` the audit judges: nothing of a builtin grant; of a default binding
 * naming its default subject whose role grants more than ztaudit's copy of the default, only
 * the added rules (the apiserver reconciles default roles to its own release's rules, so after an
 * upgrade the role differs by what that release added, and the rest is the default the subject
 * is exempt from); any other grant whole. undefined when nothing is judged.
 */
export function judgedGrant(g: Grant, s: Subject): Grant | undefined {
  if (!isDefaultBindingOf(g.binding, s)) return g;
  if (!g.role.modifiedFromDefault) return undefined;
  return g.role.addedToDefault ? { ...g, role: addedView(g.role, g.role.addedToDefault) } : g;
}

export interface AuditedSubject {
  subject: Subject;
  /** Resolved grants through bindings naming the subject as judgedGrant leaves them: bootstrap grants out, a default binding of a changed default role reduced to what was added. */
  grants: Grant[];
  /** Bindings naming the subject (resolved or dangling), bootstrap ones left out. */
  bindings: BindingInfo[];
  /** formatSubject(subject) and subjectResource(subject), made once: a dozen checks name each of 27,000 subjects. */
  who: string;
  resource: ResourceRef;
}

export interface RbacAudit {
  model: RbacModel;
  subjects: AuditedSubject[];
  /**
   * Subjects config.rbac.ignoreSubjects leaves out (system:masters apart), with their grants: no
   * finding of their own, but what they may do is still what a subject able to act as them gains.
   */
  ignored: AuditedSubject[];
}

function buildAudit(ctx: AuditContext): RbacAudit {
  const model = buildRbacModel(ctx.snapshot);
  const ignore = ctx.config.rbac?.ignoreSubjects ?? [];
  const subjects: AuditedSubject[] = [];
  const ignored: AuditedSubject[] = [];
  for (const s of model.subjects) {
    if (s.kind === 'Group' && s.name === 'system:masters') continue;
    const into = isIgnoredSubject(s, ignore) ? ignored : subjects;
    const bindings = bindingsNaming(model, s).filter((b) => !isBuiltinGrant(b, s));
    if (bindings.length === 0) continue;
    const grants: Grant[] = [];
    for (const g of directGrants(model, s)) {
      const judged = judgedGrant(g, s);
      if (judged) grants.push(judged);
    }
    into.push({ subject: s, grants, bindings, who: formatSubject(s), resource: subjectResource(s) });
  }
  return { model, subjects, ignored };
}

/** The subjects the RBAC checks judge, once per audit context. */
export const rbacAudit: (ctx: AuditContext) => RbacAudit = memoize(buildAudit, 'rbac');

/** The resource reference a subject finding is filed under. */
export function subjectResource(s: Subject): ResourceRef {
  return s.kind === 'ServiceAccount' ? { kind: 'ServiceAccount', namespace: s.namespace, name: s.name } : { kind: s.kind, name: s.name };
}

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** The apiserver checks this permission at cluster scope (e.g. impersonating users), so RoleBindings never give it. */
  clusterScoped?: boolean;
  /**
   * Only rules limited by resourceNames that grant `verb` (create) on the resource: those
   * ruleGrantsSome leaves out, which a server-side apply can still use (ruleGrantsNamedCreate).
   */
  namedOnly?: boolean;
}

export interface PermissionHit {
  permission: string;
  /** undefined = cluster-wide. */
  namespace?: string;
  binding: ReturnType<typeof bindingRef>;
  role: ReturnType<typeof roleRefOf>;
  rule: string;
  grant: Grant;
  ruleObj: Rule;
}

const permissionLabels = new WeakMap<Permission, string>();

export function permissionLabel(p: Permission): string {
  let label = permissionLabels.get(p);
  if (label === undefined) {
    const res = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
    permissionLabels.set(p, (label = `${p.verb} ${p.group ? `${res}.${p.group}` : res}`));
  }
  return label;
}

/**
 * How a rule that grants `p` (ruleGrantsSome) grants it, for a message: its label, except for a
 * permission asked for any subresource (impersonating `userextras/<key>`), which is labelled once
 * per resource of the rule that grants it, as the rule writes it (`userextras/scopes`; a rule on `*`
 * as `userextras/*`, one on `*`-slash-`scopes` as `userextras/scopes`): the pattern asked for is no grant anybody wrote.
 */
export function grantedLabels(p: Permission, rule: Rule): string[] {
  if (p.subresource !== ANY_SUBRESOURCE) return [permissionLabel(p)];
  const subresources = new Set<string>();
  for (const r of rule.resources) {
    if (r === '*') subresources.add(ANY_SUBRESOURCE);
    else if (r.startsWith(`${p.resource}/`)) subresources.add(r.slice(p.resource.length + 1));
    else if (r.startsWith('*/') && r.length > 2) subresources.add(r.slice(2));
  }
  return [...subresources].map((sub) => `${p.verb} ${p.group ? `${p.resource}/${sub}.${p.group}` : `${p.resource}/${sub}`}`);
}

interface RuleMatch {
  permission: Permission;
  label: string;
  rule: Rule;
  text: string;
}

/** Per list of wanted permissions: which of its rules each role grants them by (rules, then permissions, in order). */
const roleMatches = new WeakMap<readonly Permission[], WeakMap<RoleInfo, RuleMatch[]>>();

/** The per-role matches of one `wanted` list, looked up once per findPermissions call rather than per grant. */
function matchesFor(wanted: readonly Permission[]): WeakMap<RoleInfo, RuleMatch[]> {
  let byRole = roleMatches.get(wanted);
  if (!byRole) roleMatches.set(wanted, (byRole = new WeakMap()));
  return byRole;
}

function matchesOf(role: RoleInfo, wanted: readonly Permission[], byRole: WeakMap<RoleInfo, RuleMatch[]>): RuleMatch[] {
  let out = byRole.get(role);
  if (!out) {
    out = [];
    for (const rule of role.rules) {
      if (rule.nonResourceURLs.length > 0) continue;
      for (const p of wanted) {
        if (!(p.namedOnly ? ruleGrantsNamedCreate(rule, p.group, p.resource) : ruleGrantsSome(rule, p.verb, p.group, p.resource, p.subresource))) continue;
        const text = describeRule(rule);
        for (const label of grantedLabels(p, rule)) out.push({ permission: p, label, rule, text });
      }
    }
    byRole.set(role, out);
  }
  return out;
}

/** Where findPermissions looks: only cluster-wide grants, or only those effective in one namespace (cluster-wide or RoleBindings there). */
export interface PermissionScope {
  clusterScoped?: boolean;
  namespace?: string;
  /**
   * Only RoleBindings' grants in the namespaces it accepts (cluster-wide grants always count). Asked
   * only of a grant whose role has a matching rule, so a costly answer (powerfulOthersIn) is sought
   * where it can change the hits, before they are built rather than to drop them afterwards.
   */
  reaches?: (namespace: string) => boolean;
}

function grantInScope(g: Grant, opts: PermissionScope): boolean {
  return !(g.namespace && opts.clusterScoped) && !(opts.namespace && g.namespace && g.namespace !== opts.namespace);
}

/**
 * Whether a role's matching rule gives its permission through grant `g`: a RoleBinding never gives
 * a cluster-scoped permission, and on `namespaces` only its own namespace (namespaceRequestReaches).
 */
function matchApplies(g: Grant, m: RuleMatch): boolean {
  if (!g.namespace) return true;
  if (m.permission.clusterScoped) return false;
  return !(m.permission.group === '' && m.permission.resource === 'namespaces' && !namespaceRequestReaches(m.rule, m.permission.verb, g.namespace));
}

/**
 * Whether the grants give any of the permissions: findPermissions(...).length > 0 without building
 * its hits. The checks ask this per namespace of a subject's hits (can it also write RoleBindings
 * there, create the missing account there): at L some 117,000 questions, whose hit lists
 * (620,000 objects) were built only to be counted.
 */
export function holdsPermission(grants: readonly Grant[], wanted: readonly Permission[], opts: PermissionScope = {}): boolean {
  const byRole = matchesFor(wanted);
  for (const g of grants) {
    if (!grantInScope(g, opts)) continue;
    const matches = matchesOf(g.role, wanted, byRole);
    if (matches.length === 0 || (g.namespace && opts.reaches && !opts.reaches(g.namespace))) continue;
    for (const m of matches) if (matchApplies(g, m)) return true;
  }
  return false;
}

/**
 * Which of the permissions the grants give, for any object name (rules limited by resourceNames
 * count, except for create). Namespace-scoped grants never give cluster-scoped permissions, and
 * on `namespaces` only their own namespace (namespaceRequestReaches).
 * A role's matching rules are found once per `wanted` list (pass the same array for many subjects).
 */
export function findPermissions(grants: readonly Grant[], wanted: readonly Permission[], opts: PermissionScope = {}): PermissionHit[] {
  const hits: PermissionHit[] = [];
  const byRole = matchesFor(wanted);
  for (const g of grants) {
    if (!grantInScope(g, opts)) continue;
    const matches = matchesOf(g.role, wanted, byRole);
    if (matches.length === 0 || (g.namespace && opts.reaches && !opts.reaches(g.namespace))) continue;
    let binding: PermissionHit['binding'] | undefined;
    let role: PermissionHit['role'] | undefined;
    for (const m of matches) {
      if (!matchApplies(g, m)) continue;
      binding ??= bindingRef(g.binding);
      role ??= roleRefOf(g.role);
      hits.push({ permission: m.label, namespace: g.namespace, binding, role, rule: m.text, grant: g, ruleObj: m.rule });
    }
  }
  return hits;
}

const bindingKeys = new WeakMap<PermissionHit['binding'], string>();

/** "kind/namespace/name" of a (shared) binding reference. */
function bindingKey(b: PermissionHit['binding']): string {
  let k = bindingKeys.get(b);
  if (k === undefined) bindingKeys.set(b, (k = `${b.kind}/${b.namespace ?? ''}/${b.name}`));
  return k;
}

/** Up to this many distinct strings are kept in a plain array (looked up by a scan) before a Set takes over. */
const FEW = 8;

/**
 * The distinct keys of `items`, sorted (UTF-16 code units, as Array.prototype.sort compares
 * strings): `[...new Set(items.map(key))].sort()` without its Set and sort for the one to few
 * keys a subject's hits hold. Array.prototype.sort allocates its work state on every call, even
 * for one element (about 0.4 KB); the rbac checks sort a few lists per failing subject, some
 * 90,000 at L, and those sorts were 250 MiB of the area's 1.6 GiB of allocations.
 */
export function sortedDistinct<T>(items: readonly T[], key: (item: T) => string): string[] {
  return sortStrings(distinct(items, key));
}

/** Sorts `list` in place as Array.prototype.sort would, by insertion when it holds only a few. */
function sortStrings(list: string[]): string[] {
  if (list.length > FEW) return list.sort();
  for (let i = 1; i < list.length; i++) {
    const x = list[i];
    let j = i - 1;
    for (; j >= 0 && list[j] > x; j--) list[j + 1] = list[j];
    list[j + 1] = x;
  }
  return list;
}

/** The distinct keys of `items` in first-seen order; a scan of the few seen so far, a Set beyond FEW. */
export function distinct<T>(items: readonly T[], key: (item: T) => string): string[] {
  const out: string[] = [];
  let seen: Set<string> | undefined;
  for (const item of items) {
    const k = key(item);
    if (seen ? seen.has(k) : out.includes(k)) continue;
    out.push(k);
    if (seen) seen.add(k);
    else if (out.length > FEW) seen = new Set(out);
  }
  return out;
}

const labelOf = (h: PermissionHit) => h.permission;
const scopeOf = (h: PermissionHit) => h.namespace ?? 'cluster-wide';

export interface HitEvidence {
  permissions: string[];
  scopes: string[];
  grants: Array<{ binding: PermissionHit['binding']; role: PermissionHit['role']; rule: string; scope: string; permissions: string[] }>;
}

type EntryIndex = Map<string, Map<string, HitEvidence['grants'][number]>>;

function indexEntry(byKey: EntryIndex, e: HitEvidence['grants'][number]): void {
  const bk = bindingKey(e.binding);
  let byRule = byKey.get(bk);
  if (!byRule) byKey.set(bk, (byRule = new Map()));
  byRule.set(e.rule, e);
}

/** Evidence a reviewer can act on: which binding gives which role and what the rule says. */
export function hitEvidence(hits: readonly PermissionHit[]): HitEvidence {
  type Entry = HitEvidence['grants'][number];
  // One entry per binding (by key) and rule text, in the order of first appearance. A scan of
  // the entries finds one among a few (most subjects have one or two); past FEW, an index
  // binding key -> rule text -> entry does.
  const entries: Entry[] = [];
  let byKey: EntryIndex | undefined;
  for (const h of hits) {
    let e = byKey ? byKey.get(bindingKey(h.binding))?.get(h.rule) : undefined;
    if (!byKey) {
      for (const x of entries) {
        if (x.rule === h.rule && (x.binding === h.binding || bindingKey(x.binding) === bindingKey(h.binding))) { e = x; break; }
      }
    }
    if (e) {
      // An entry's labels are some of the wanted permissions (a check wants a dozen at most): a scan dedupes them.
      if (!e.permissions.includes(h.permission)) e.permissions.push(h.permission);
      continue;
    }
    entries.push((e = { binding: h.binding, role: h.role, rule: h.rule, scope: h.namespace ?? 'cluster-wide', permissions: [h.permission] }));
    if (byKey) indexEntry(byKey, e);
    else if (entries.length > FEW) {
      byKey = new Map();
      for (const x of entries) indexEntry(byKey, x);
    }
  }
  for (const e of entries) sortStrings(e.permissions);
  return { permissions: sortedDistinct(hits, labelOf), scopes: sortedDistinct(hits, scopeOf), grants: entries };
}

/** The roles and bindings behind a set of grants, for waivers that name a role or binding. */
export function relatedOf(items: ReadonlyArray<{ binding: { kind: string; name: string; namespace?: string }; role: { kind: string; name: string; namespace?: string } }>): ResourceRef[] {
  // The role and binding references are shared objects of the right shape: reuse them.
  const seen = new Set<ResourceRef>();
  for (const i of items) {
    seen.add(i.role);
    seen.add(i.binding);
  }
  return [...seen];
}

export function scopeText(hits: readonly PermissionHit[]): string {
  if (hits.some((h) => !h.namespace)) return 'cluster-wide';
  const ns = sortedDistinct(hits, (h) => h.namespace!);
  return ns.length === 1 ? `in namespace ${ns[0]}` : `in namespaces ${ns.slice(0, 5).join(', ')}${ns.length > 5 ? ` (+${ns.length - 5})` : ''}`;
}

export { formatSubject };
