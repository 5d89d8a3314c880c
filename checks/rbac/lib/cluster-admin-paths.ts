// The grants that are cluster-admin in one step, as rbac.privilege-escalation's message names
// them, and the service accounts holding one (cluster-admin-equivalent), so that acting as one of
// those (a token minted for it, an impersonation of it) is named as cluster-admin too.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize } from '../../../src/analysis/memo.ts';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABELS, CONTROLLERS } from '../../../src/analysis/rbac/bootstrap.ts';
import { findPermissions, permissionLabel, type PermissionHit } from '../../../src/analysis/rbac/audit.ts';
import { buildRbacModel, directGrants, roleKey, type RbacModel } from '../../../src/analysis/rbac/model.ts';
import { resourceNameMatches, ruleGrantsSome } from '../../../src/analysis/rbac/rules.ts';
import type { BindingInfo, Grant, RoleInfo, Subject } from '../../../src/analysis/rbac/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { accountMissing } from '../common.ts';
import { clusterAdminPermissions, each, p, privilegeEscalationPermissions } from './permissions.ts';

const RBAC = 'rbac.authorization.k8s.io';
const BIND_CLUSTERROLES = permissionLabel(p('bind', RBAC, 'clusterroles'));
const ESCALATE_CLUSTERROLES = permissionLabel(p('escalate', RBAC, 'clusterroles'));
const IMPERSONATE_GROUPS = permissionLabel(p('impersonate', '', 'groups'));
const IMPERSONATE_SERVICEACCOUNTS = permissionLabel(p('impersonate', '', 'serviceaccounts'));
const CREATE_TOKEN = permissionLabel(p('create', '', 'serviceaccounts', 'token'));
/** Left among rbac.privilege-escalation's hits only where a read of Secrets meets it: the legacy token route. */
const CREATE_SECRETS = permissionLabel(p('create', '', 'secrets'));
/** The permissions that act as a service account, tokens first: a token is a credential that outlives the session that minted it. */
const ACTING_AS = [CREATE_TOKEN, CREATE_SECRETS, IMPERSONATE_SERVICEACCOUNTS];

/** A user to impersonate with the group: Impersonate-Group requires Impersonate-User, which may name a user or a service account. */
const IMPERSONATE_A_USER = new Set([permissionLabel(p('impersonate', '', 'users')), IMPERSONATE_SERVICEACCOUNTS]);
const CREATE_CLUSTERROLEBINDINGS = [p('create', RBAC, 'clusterrolebindings')];
const UPDATE_CLUSTERROLEBINDINGS = each(['update', 'patch'], RBAC, ['clusterrolebindings']);
const CREATE_SERVICEACCOUNTS = [p('create', '', 'serviceaccounts')];
const CLUSTER_ADMIN_PERMISSIONS = clusterAdminPermissions();
const ESCALATION = privilegeEscalationPermissions();
/** What a grant needs to matter to whyAdmin: one list, so a role's matching rules are found once. */
const RELEVANT = [...CLUSTER_ADMIN_PERMISSIONS, ...ESCALATION, ...CREATE_CLUSTERROLEBINDINGS, ...UPDATE_CLUSTERROLEBINDINGS];
const MASTERS = 'system:masters';
const CLUSTER_ADMIN = 'cluster-admin';
const SA_GROUP = 'system:serviceaccounts';

/**
 * The ClusterRoles that grant every verb on every resource (cluster-admin, or a copy of it), and
 * the ClusterRoleBindings that bind one: by binding name, and by role (binding names sorted).
 */
interface AdminRoles {
  names: ReadonlySet<string>;
  roleOfBinding: ReadonlyMap<string, string>;
  bindingsOf: ReadonlyMap<string, readonly string[]>;
}

const adminRoles = memoize((snapshot: Snapshot): AdminRoles => {
  const model = buildRbacModel(snapshot);
  const names = new Set<string>();
  for (const role of model.roles.values()) {
    if (role.kind === 'ClusterRole' && role.rules.some((r) => r.nonResourceURLs.length === 0 && ruleGrantsSome(r, '*', '*', '*'))) names.add(role.name);
  }
  const roleOfBinding = new Map<string, string>();
  const bindingsOf = new Map<string, string[]>();
  for (const name of names) {
    const list = (model.byRole.get(roleKey('ClusterRole', name)) ?? []).filter((b) => b.kind === 'ClusterRoleBinding').map((b) => b.name).sort();
    for (const b of list) roleOfBinding.set(b, name);
    bindingsOf.set(name, list);
  }
  return { names, roleOfBinding, bindingsOf };
}, 'rbac');

/**
 * The cluster-admin-equivalent ClusterRoles the subject may bind in a ClusterRoleBinding: bind on
 * clusterroles held cluster-wide (a ClusterRoleBinding's bind is asked with no namespace), all of
 * them or those its resourceNames name; cluster-admin first, then by name.
 */
function bindableAdminRoles(hits: readonly PermissionHit[], ctx: AuditContext): string[] {
  const { names } = adminRoles(ctx.snapshot);
  const out = new Set<string>();
  for (const h of hits) {
    if (h.permission !== BIND_CLUSTERROLES || h.namespace) continue;
    if (h.ruleObj.resourceNames.length === 0) for (const n of names) out.add(n);
    else for (const n of h.ruleObj.resourceNames) if (names.has(n)) out.add(n);
  }
  return [...out].sort((a, b) => (a === CLUSTER_ADMIN ? -1 : b === CLUSTER_ADMIN ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/**
 * An existing ClusterRoleBinding of a role in `bindable` the subject may update or patch (held
 * cluster-wide, unrestricted or limited by resourceNames to that binding), with its role. Its
 * roleRef cannot change, but its subjects can: adding itself passes the escalation check with bind
 * on the role (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update:
 * a binding is created or updated by one holding the role's permissions or bind on it).
 */
function updatableAdminBinding(bindable: readonly string[], grants: readonly Grant[], ctx: AuditContext): { binding: string; role: string } | undefined {
  const updates = findPermissions(grants, UPDATE_CLUSTERROLEBINDINGS, { clusterScoped: true });
  if (updates.length === 0) return undefined;
  const { roleOfBinding, bindingsOf } = adminRoles(ctx.snapshot);
  if (updates.some((h) => h.ruleObj.resourceNames.length === 0)) {
    for (const role of bindable) {
      const first = bindingsOf.get(role)?.[0];
      if (first !== undefined) return { binding: first, role };
    }
  }
  const named = [...new Set(updates.flatMap((h) => h.ruleObj.resourceNames))].sort();
  for (const binding of named) {
    const role = roleOfBinding.get(binding);
    if (role !== undefined && bindable.includes(role)) return { binding, role };
  }
  return undefined;
}

/**
 * The ways `hits` (rbac.privilege-escalation's, of `grants`) are cluster-admin in one step, each
 * as the message names it. Impersonating the group system:masters, whose members every request is
 * authorized for, with any user (Impersonate-Group "requires Impersonate-User", which a user or a
 * service account satisfies: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation;
 * the groups named replace the user's own); impersonate on groups is authorized cluster-wide only,
 * so its hit is a ClusterRoleBinding's. Binding a ClusterRole that grants every verb on every
 * resource (cluster-admin, or a copy) to itself: a ClusterRoleBinding is written with create on
 * clusterrolebindings and bind on the ClusterRole it names, asked with no namespace, so held
 * through a ClusterRoleBinding; or, with update or patch on an existing ClusterRoleBinding of such
 * a role and bind on it, adding itself to that binding
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
 * A rule limited by resourceNames counts when it names system:masters, the role or the binding.
 */
function directPaths(hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext): string[] {
  const paths: string[] = [];
  if (!hits.some((h) => h.permission === IMPERSONATE_GROUPS || h.permission === BIND_CLUSTERROLES || h.permission === ESCALATE_CLUSTERROLES)) return paths;
  const asMasters = hits.some((h) => h.permission === IMPERSONATE_GROUPS && resourceNameMatches(h.ruleObj, MASTERS));
  if (asMasters && hits.some((h) => IMPERSONATE_A_USER.has(h.permission))) paths.push(`act as the group ${MASTERS}, which every request is allowed for (kubectl --as=ANY-USER --as-group=${MASTERS})`);
  const bindable = bindableAdminRoles(hits, ctx);
  if (bindable.length > 0) {
    if (findPermissions(grants, CREATE_CLUSTERROLEBINDINGS, { clusterScoped: true }).length > 0) paths.push(`bind ClusterRole ${bindable[0]} to itself (create a ClusterRoleBinding to ${bindable[0]} naming itself)`);
    else {
      const existing = updatableAdminBinding(bindable, grants, ctx);
      if (existing) paths.push(`add itself to ClusterRoleBinding ${existing.binding}, which binds ClusterRole ${existing.role} (update or patch on that binding, and bind on ${existing.role})`);
    }
  }
  if (!asMasters && hits.some((h) => IMPERSONATE_A_USER.has(h.permission))) {
    const group = adminGroups(ctx.snapshot).find((g) => hits.some((h) => h.permission === IMPERSONATE_GROUPS && h.ruleObj.resourceNames.includes(g)));
    if (group !== undefined) paths.push(`act as the group ${group}, which a ClusterRoleBinding binds to ${CLUSTER_ADMIN} (kubectl --as=ANY-USER --as-group=${group})`);
  }
  const own = ownClusterRoleRewritten(hits, grants);
  if (own !== undefined) paths.push(`write any rule into ClusterRole ${own}, which a ClusterRoleBinding binds to itself (escalate and update or patch on it)`);
  return paths;
}

/**
 * The groups a ClusterRoleBinding binds to ClusterRole cluster-admin as it grants every verb on
 * every resource (kubeadm's kubeadm:cluster-admins among them: kubeadm binds that group to
 * cluster-admin by the ClusterRoleBinding kubeadm:cluster-admins, kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/),
 * system:masters left out (its own path). Read from the model, default bindings included.
 */
const adminGroups = memoize((snapshot: Snapshot): string[] => {
  const model = buildRbacModel(snapshot);
  const role = model.roles.get(roleKey('ClusterRole', CLUSTER_ADMIN));
  if (!role?.rules.some((r) => r.nonResourceURLs.length === 0 && ruleGrantsSome(r, '*', '*', '*'))) return [];
  const out = new Set<string>();
  for (const b of model.byRole.get(roleKey('ClusterRole', CLUSTER_ADMIN)) ?? []) {
    if (b.kind !== 'ClusterRoleBinding') continue;
    for (const x of b.subjects) if (x.kind === 'Group' && x.name !== MASTERS) out.add(x.name);
  }
  return [...out].sort();
}, 'rbac');

/** Whether some cluster-wide rule of `grants` allows `verb` on ClusterRole `name`. */
function allowsOnClusterRole(grants: readonly Grant[], verb: string, name: string): boolean {
  return grants.some((g) => !g.namespace && g.role.rules.some((r) => r.nonResourceURLs.length === 0 && ruleGrantsSome(r, verb, RBAC, 'clusterroles') && resourceNameMatches(r, name)));
}

/**
 * A ClusterRole the subject holds through a ClusterRoleBinding and may write any rule into:
 * escalate on it lifts the check that a role written holds only what its writer holds, and update
 * or patch writes it (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update;
 * "escalate verb": https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb),
 * so it writes `*` on `*` into a role bound to itself cluster-wide. An aggregated ClusterRole is
 * left out: the aggregation controller overwrites its rules.
 */
function ownClusterRoleRewritten(hits: readonly PermissionHit[], grants: readonly Grant[]): string | undefined {
  const escalates = hits.filter((h) => h.permission === ESCALATE_CLUSTERROLES && !h.namespace);
  if (escalates.length === 0) return undefined;
  for (const g of grants) {
    if (g.namespace || g.role.kind !== 'ClusterRole' || g.role.aggregatedFrom) continue;
    const name = g.role.name;
    if (!escalates.some((h) => resourceNameMatches(h.ruleObj, name))) continue;
    if (allowsOnClusterRole(grants, 'update', name) || allowsOnClusterRole(grants, 'patch', name)) return name;
  }
  return undefined;
}

/** Why `grants` are cluster-admin: `*` on `*` held cluster-wide (which binding, through which group), or a path of directPaths; undefined when neither. */
function whyAdmin(grants: readonly Grant[], ctx: AuditContext): string | undefined {
  const admin = findPermissions(grants, CLUSTER_ADMIN_PERMISSIONS, { clusterScoped: true });
  if (admin.length > 0) {
    const { binding, role, grant } = admin[0];
    const who = grant.via.kind === 'Group' ? `the group ${grant.via.name}` : 'it';
    return `${binding.kind} ${binding.name} binds ${who} to ClusterRole ${role.name}, every verb on every resource`;
  }
  const paths = directPaths(findPermissions(grants, ESCALATION), grants, ctx);
  return paths.length > 0 ? `it can ${paths[0]}` : undefined;
}

/**
 * The service accounts that are cluster-admin-equivalent, by every grant they hold (Kubernetes'
 * own included: the bootstrap policy's clusterrole-aggregation-controller may escalate and update
 * every ClusterRole, its own among them), through their own bindings and their groups
 * (system:serviceaccounts:NS, system:serviceaccounts, system:authenticated:
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects).
 */
interface AdminAccounts {
  /** "NS/NAME" -> why it is cluster-admin-equivalent. */
  why: ReadonlyMap<string, string>;
  /** Namespace -> the names of its such accounts, in the order of `all`. */
  byNamespace: ReadonlyMap<string, readonly string[]>;
  /** Name -> the namespaces holding such an account of that name, in the order of `all`. */
  byName: ReadonlyMap<string, readonly string[]>;
  /** Every "NS/NAME" of `why`, sorted, those only a bootstrap binding filled in (controllerGrants) last. */
  all: readonly string[];
  /** Namespace -> why, where the group system:serviceaccounts:NS is cluster-admin-equivalent: every account there is. */
  groups: ReadonlyMap<string, string>;
  /** Why, when the group system:serviceaccounts is: every account of every namespace is. */
  everywhere?: string;
}

/**
 * Built once per audit. Every path starts from a grant of a ClusterRoleBinding (`*` on `*`,
 * impersonate on groups, bind or escalate on clusterroles held cluster-wide: STARTS), so only the
 * service accounts, and groups of them, such a binding names are judged, each once, on its grants
 * that could matter (RELEVANT) joined with those of its groups. Where a group of service accounts
 * holds a start without being cluster-admin-equivalent itself (rare), the accounts of its
 * namespaces (every one, for system:serviceaccounts or system:authenticated) with grants of their
 * own are judged too, since the two may complete each other. Linear in bindings and subjects.
 */
const adminAccounts = memoize((ctx: AuditContext): AdminAccounts => {
  const model = buildRbacModel(ctx.snapshot);
  const relevantCache = new Map<string, Grant[]>();
  const relevant = (grants: readonly Grant[]) => grants.filter((g) => findPermissions([g], RELEVANT).length > 0);
  const groupGrants = (name: string) => {
    let out = relevantCache.get(name);
    if (!out) relevantCache.set(name, (out = relevant(directGrants(model, { kind: 'Group', name }))));
    return out;
  };
  const accounts = new Map<string, Subject>();
  const saGroups = new Set<string>();
  const bootstrap = ctx.snapshot.origin === 'manifests' ? controllerGrants(model) : new Map<string, Grant>();
  for (const [key, g] of bootstrap) accounts.set(key, g.via);
  for (const b of model.bindings) {
    if (b.kind !== 'ClusterRoleBinding' || !b.role || !startsFrom(b.role)) continue;
    for (const x of b.subjects) {
      if (x.kind === 'ServiceAccount' && x.namespace) accounts.set(`${x.namespace}/${x.name}`, x);
      else if (x.kind === 'Group' && (x.name === SA_GROUP || x.name === 'system:authenticated' || x.name.startsWith(`${SA_GROUP}:`))) saGroups.add(x.name);
    }
  }
  const shared = [...groupGrants(SA_GROUP), ...groupGrants('system:authenticated')];
  const everywhere = shared.length > 0 ? whyAdmin(shared, ctx) : undefined;
  const groups = new Map<string, string>();
  // Namespaces whose accounts' own grants may complete their group's ('' for every namespace).
  const completing = new Set<string>();
  for (const name of saGroups) {
    if (name === SA_GROUP || name === 'system:authenticated') {
      if (everywhere === undefined) completing.add('');
      continue;
    }
    const ns = name.slice(SA_GROUP.length + 1);
    if (ns === '') continue;
    const w = whyAdmin([...groupGrants(name), ...shared], ctx);
    if (w !== undefined) groups.set(ns, w);
    else completing.add(ns);
  }
  if (completing.size > 0) {
    for (const x of model.subjects) {
      if (x.kind === 'ServiceAccount' && x.namespace && (completing.has('') || completing.has(x.namespace))) accounts.set(`${x.namespace}/${x.name}`, x);
    }
  }
  const why = new Map<string, string>();
  for (const [key, x] of accounts) {
    const extra = bootstrap.get(key);
    const own = relevant(extra ? [...directGrants(model, x), extra] : directGrants(model, x));
    const w = own.length > 0 ? whyAdmin([...own, ...groupGrants(`${SA_GROUP}:${x.namespace}`), ...shared], ctx) : undefined;
    if (w !== undefined) why.set(key, w);
  }
  const byNamespace = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  // The input's own accounts first: a message names one the reader can find in it before a bootstrap one.
  const sorted = [...why.keys()].sort();
  const all = [...sorted.filter((k) => !bootstrap.has(k)), ...sorted.filter((k) => bootstrap.has(k))];
  for (const key of all) {
    const i = key.indexOf('/');
    const [ns, name] = [key.slice(0, i), key.slice(i + 1)];
    (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(name);
    (byName.get(name) ?? byName.set(name, []).get(name)!).push(ns);
  }
  return { why, byNamespace, byName, all, groups, ...(everywhere !== undefined ? { everywhere } : {}) };
}, 'rbac');

/**
 * From manifests, the grants of the controller ClusterRoleBindings the apiserver creates in every
 * cluster and the input does not hold (by name), those a path could start from: each binds
 * system:controller:X to ServiceAccount kube-system/X (kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go, addControllerRole), as
 * the model fills in their roles. Kept here, not in the model: only who is cluster-admin-equivalent
 * changes, not any other check's subjects. A live listing is taken as it is. By "NS/NAME".
 */
function controllerGrants(model: RbacModel): Map<string, Grant> {
  const held = new Set<string>();
  for (const b of model.bindings) if (b.kind === 'ClusterRoleBinding') held.add(b.name);
  const out = new Map<string, Grant>();
  for (const c of CONTROLLERS) {
    const name = `system:controller:${c}`;
    const role = model.roles.get(roleKey('ClusterRole', name));
    if (held.has(name) || !role || !startsFrom(role)) continue;
    const via: Subject = { kind: 'ServiceAccount', namespace: 'kube-system', name: c };
    const binding: BindingInfo = {
      kind: 'ClusterRoleBinding', name, roleRef: { kind: 'ClusterRole', name }, subjects: [via], invalidSubjects: [], origin: 'default',
      labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' }, role,
    };
    out.set(`kube-system/${c}`, { binding, role, via });
  }
  return out;
}

const STARTS = [...CLUSTER_ADMIN_PERMISSIONS, p('impersonate', '', 'groups'), p('bind', RBAC, 'clusterroles'), p('escalate', RBAC, 'clusterroles')];
const startsCache = new WeakMap<RoleInfo, boolean>();

/** Whether a role grants a permission some path starts from (STARTS), once per role. */
function startsFrom(role: RoleInfo): boolean {
  let yes = startsCache.get(role);
  if (yes === undefined) startsCache.set(role, (yes = role.rules.some((r) => r.nonResourceURLs.length === 0 && STARTS.some((x) => ruleGrantsSome(r, x.verb, x.group, x.resource)))));
  return yes;
}

/** Whether `s` is itself cluster-admin-equivalent (as an account, or as all of a namespace's): acting as another such account gains it nothing. */
function isAdminAccount(s: Subject, admin: AdminAccounts): boolean {
  if (admin.everywhere !== undefined && (s.kind === 'ServiceAccount' || (s.kind === 'Group' && (s.name === SA_GROUP || s.name.startsWith(`${SA_GROUP}:`))))) return true;
  if (s.kind === 'ServiceAccount') return admin.why.has(`${s.namespace}/${s.name}`) || admin.groups.has(s.namespace ?? '');
  return s.kind === 'Group' && s.name.startsWith(`${SA_GROUP}:`) && admin.groups.has(s.name.slice(SA_GROUP.length + 1));
}

/**
 * The first cluster-admin-equivalent account a hit minting tokens for (or impersonating) service
 * accounts reaches: in its namespace (a RoleBinding's) or any (a ClusterRoleBinding's), only the
 * names its resourceNames list if it has them (a TokenRequest and an impersonation name their
 * account). A token is issued only for an existing account
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), so an account
 * a live listing shows missing counts for a token only where the subject can create it.
 */
function adminTarget(h: PermissionHit, self: string | undefined, admin: AdminAccounts, ctx: AuditContext, grants: readonly Grant[]): { ns: string; name: string; why: string } | undefined {
  const token = h.permission !== IMPERSONATE_SERVICEACCOUNTS;
  const canCreate = new Map<string, boolean>();
  const usable = (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    if (key === self) return false;
    if (!token || !accountMissing(ctx.snapshot, key, ns)) return true;
    let ok = canCreate.get(ns);
    if (ok === undefined) canCreate.set(ns, (ok = findPermissions(grants, CREATE_SERVICEACCOUNTS, { namespace: ns }).length > 0));
    return ok;
  };
  // A legacy token Secret names its account in an annotation, whatever Secret names the rule allows.
  const names = h.permission === CREATE_SECRETS ? [] : [...new Set(h.ruleObj.resourceNames)].sort();
  const pick = (ns: string, name: string) => (usable(ns, name) ? { ns, name, why: admin.why.get(`${ns}/${name}`)! } : undefined);
  // A namespace whose group (or every account) is cluster-admin-equivalent: any account there, `default` for one unnamed.
  const viaGroup = (ns: string) => {
    const w = admin.groups.get(ns) ?? admin.everywhere;
    if (w === undefined) return undefined;
    const name = names.find((n) => usable(ns, n)) ?? (names.length === 0 && usable(ns, 'default') ? 'default' : undefined);
    return name === undefined ? undefined : { ns, name, why: w };
  };
  if (h.namespace) {
    const candidates = names.length > 0 ? names.filter((n) => admin.why.has(`${h.namespace}/${n}`)) : admin.byNamespace.get(h.namespace) ?? [];
    for (const n of candidates) {
      const t = pick(h.namespace, n);
      if (t) return t;
    }
    return viaGroup(h.namespace);
  }
  if (names.length > 0) {
    for (const n of names) for (const ns of admin.byName.get(n) ?? []) {
      const t = pick(ns, n);
      if (t) return t;
    }
  } else {
    for (const key of admin.all) {
      const i = key.indexOf('/');
      const t = pick(key.slice(0, i), key.slice(i + 1));
      if (t) return t;
    }
  }
  for (const ns of [...admin.groups.keys()].sort()) {
    const t = viaGroup(ns);
    if (t) return t;
  }
  return admin.everywhere !== undefined ? viaGroup('kube-system') : undefined;
}

/**
 * Acting as a cluster-admin-equivalent service account: minting its token
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), a legacy
 * token Secret created and read back (rbac.privilege-escalation's LEGACY_TOKEN_NOTE), or
 * impersonating it (#impersonate-verb) gains its power. Undefined for a subject that is such an
 * account itself.
 */
function actsAsAdminAccount(hits: readonly PermissionHit[], s: Subject, grants: readonly Grant[], ctx: AuditContext): string | undefined {
  if (!hits.some((h) => ACTING_AS.includes(h.permission))) return undefined;
  const admin = adminAccounts(ctx);
  if (admin.why.size === 0 && admin.groups.size === 0 && admin.everywhere === undefined) return undefined;
  if (isAdminAccount(s, admin)) return undefined;
  const self = s.kind === 'ServiceAccount' ? `${s.namespace}/${s.name}` : undefined;
  for (const permission of ACTING_AS) {
    for (const h of hits) {
      if (h.permission !== permission) continue;
      const t = adminTarget(h, self, admin, ctx, grants);
      if (!t) continue;
      const how = permission === CREATE_TOKEN
        ? `mint a token for ServiceAccount ${t.ns}/${t.name} (kubectl create token ${t.name} -n ${t.ns})`
        : permission === CREATE_SECRETS
          ? `mint a legacy token for ServiceAccount ${t.ns}/${t.name} (a Secret of type kubernetes.io/service-account-token in ${t.ns} annotated kubernetes.io/service-account.name: ${t.name}, read back)`
          : `act as ServiceAccount ${t.ns}/${t.name} (kubectl --as=system:serviceaccount:${t.ns}:${t.name})`;
      return `${how}, which is cluster-admin-equivalent because ${t.why}`;
    }
  }
  return undefined;
}

const pathsCache = new WeakMap<readonly PermissionHit[], string[]>();

/**
 * The ways a subject's `hits` (and `grants`, its audited ones) are cluster-admin, each as the
 * message names it: directPaths, and acting as a cluster-admin-equivalent service account
 * (actsAsAdminAccount). None for a subject that holds cluster-admin already
 * (rbac.cluster-admin-binding's finding, which implies this one). Kept per hits list: the
 * severity and the note ask for the same subject.
 */
export function clusterAdminPaths(hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject): string[] {
  let paths = pathsCache.get(hits);
  if (paths) return paths;
  paths = [];
  // Most subjects hold none of the permissions a path starts from: no need to look further.
  const starts = hits.some((h) => h.permission === IMPERSONATE_GROUPS || h.permission === BIND_CLUSTERROLES || h.permission === ESCALATE_CLUSTERROLES || ACTING_AS.includes(h.permission));
  if (starts && findPermissions(grants, CLUSTER_ADMIN_PERMISSIONS, { clusterScoped: true }).length === 0) {
    paths = directPaths(hits, grants, ctx);
    const viaAccount = actsAsAdminAccount(hits, subject, grants, ctx);
    if (viaAccount !== undefined) paths.push(viaAccount);
  }
  pathsCache.set(hits, paths);
  return paths;
}

export const clusterAdminNote = (paths: readonly string[]) => `It can ${paths.join(', and ')}: that is cluster-admin`;
