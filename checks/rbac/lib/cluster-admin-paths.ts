// The grants that are cluster-admin in one step, as rbac.privilege-escalation's message names
// them, and the service accounts holding one (cluster-admin-equivalent), so that acting as one of
// those (a token minted for it, an impersonation of it) is named as cluster-admin too.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize } from '../../../src/analysis/memo.ts';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABELS, CONTROLLERS } from '../../../src/analysis/rbac/bootstrap.ts';
import { findPermissions, holdsPermission, permissionLabel, type Permission, type PermissionHit } from '../../../src/analysis/rbac/audit.ts';
import { buildRbacModel, directGrants, roleKey, type RbacModel } from '../../../src/analysis/rbac/model.ts';
import { resourceNameMatches, ruleGrantsNamedCreate, ruleGrantsSome } from '../../../src/analysis/rbac/rules.ts';
import type { BindingInfo, Grant, RoleInfo, Rule, Subject } from '../../../src/analysis/rbac/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { accountMissing, listedServiceAccounts, namespaceState } from './accounts.ts';
import { applyCreateHits, applyCreatePairs, applyCreateText, changeReaches, memberGroups, namedChangeOf, namedWorkloadsIn } from './named-workloads.ts';
import { clusterAdminPermissions, each, p, privilegeEscalationPermissions, secretsReadPermissions } from './permissions.ts';

const RBAC = 'rbac.authorization.k8s.io';
const BIND_CLUSTERROLES = permissionLabel(p('bind', RBAC, 'clusterroles'));
const ESCALATE_CLUSTERROLES = permissionLabel(p('escalate', RBAC, 'clusterroles'));
const IMPERSONATE_GROUPS = permissionLabel(p('impersonate', '', 'groups'));
const IMPERSONATE_SERVICEACCOUNTS = permissionLabel(p('impersonate', '', 'serviceaccounts'));
const CREATE_TOKEN = permissionLabel(p('create', '', 'serviceaccounts', 'token'));
/** Left among rbac.privilege-escalation's hits only where a read of Secrets meets it: the legacy token route. */
const CREATE_SECRETS = permissionLabel(p('create', '', 'secrets'));
/**
 * Creating a pod, or a workload whose pod template names its account, or changing that template,
 * runs as any ServiceAccount of the namespace: "Users who can create pods ... in a namespace ...
 * can ... mount any service account token in that namespace"
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation); the
 * ServiceAccount admission plugin only sees that the account named exists
 * (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount).
 * A pod's spec.serviceAccountName, and a Job's pod template, cannot be changed (kubernetes
 * pkg/apis/core/validation ValidatePodSpecUpdate, pkg/apis/batch/validation ValidateJobSpecUpdate),
 * so update and patch count on the other controllers only; a create limited by resourceNames
 * counts only with patch on a name it lists, as a server-side apply (applyCreateHits).
 */
const WORKLOAD_STEPS: Permission[] = [
  p('create', '', 'pods'), p('create', 'batch', 'jobs'),
  ...each(['create', 'update', 'patch'], '', ['replicationcontrollers']),
  ...each(['create', 'update', 'patch'], 'apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets']),
  ...each(['create', 'update', 'patch'], 'batch', ['cronjobs']),
];
/** WORKLOAD_STEPS by label. */
const WORKLOAD = new Map(WORKLOAD_STEPS.map((x) => [permissionLabel(x), x]));
/** A change (update, patch) of workloads limited by resourceNames: it changes only those it names (named-workloads.ts). */
const namedChange = (h: PermissionHit) => (WORKLOAD.has(h.permission) ? namedChangeOf(h) : undefined);
/**
 * WORKLOAD_STEPS a subject's `grants` hold (only those held cluster-wide or in a namespace
 * `reaches` accepts, when given), with the creates a server-side apply makes (applyCreateHits,
 * whose halves may come from its groups too), in those namespaces.
 */
const workloadSteps = (grants: readonly Grant[], ctx: AuditContext, s: Subject, reaches?: (ns: string) => boolean) => {
  const found = findPermissions(reaches ? grants.filter((g) => !g.namespace || reaches(g.namespace)) : grants, WORKLOAD_STEPS);
  let applied = applyCreateHits(grants, ctx, s);
  if (reaches && applied.length > 0) applied = applied.filter((h) => !h.namespace || reaches(h.namespace));
  return applied.length > 0 ? [...found, ...applied] : found;
};
/** The permissions that act as a service account, tokens first: a token is a credential that outlives the session that minted it. */
const ACTING_AS = [CREATE_TOKEN, CREATE_SECRETS, IMPERSONATE_SERVICEACCOUNTS, ...WORKLOAD.keys()];

/** A user to impersonate with the group: Impersonate-Group requires Impersonate-User, which may name a user or a service account. */
const IMPERSONATE_A_USER = new Set([permissionLabel(p('impersonate', '', 'users')), IMPERSONATE_SERVICEACCOUNTS]);
const CREATE_CLUSTERROLEBINDINGS = [p('create', RBAC, 'clusterrolebindings')];
const UPDATE_CLUSTERROLEBINDINGS = each(['update', 'patch'], RBAC, ['clusterrolebindings']);
const CREATE_SERVICEACCOUNTS = [p('create', '', 'serviceaccounts')];
const CREATE_NAMESPACES = [{ ...p('create', '', 'namespaces'), clusterScoped: true }];
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

/** The grants IMPERSONATE_A_USER labels, for a chain step that has only its grants. */
const IMPERSONATE_A_USER_PERMISSIONS = ESCALATION.filter((x) => IMPERSONATE_A_USER.has(permissionLabel(x)));

/**
 * The user `hits` let a subject impersonate along with a group, as kubectl's `--as` takes it: any
 * user when `impersonate users` names none; otherwise a service account (`system:serviceaccount:NS:NAME`,
 * in the namespace of the RoleBinding that grants it, named when resourceNames restrict it) or the
 * one user named. The API server authorizes the user impersonated first and refuses the request
 * when that is not allowed (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation):
 * with only `impersonate serviceaccounts` in dev, `--as=alice` is denied.
 */
function impersonatedUserOf(hits: readonly PermissionHit[]): string {
  const users = hits.filter((h) => h.permission === IMPERSONATE_USERS && !h.namespace);
  if (users.some((h) => h.ruleObj.resourceNames.length === 0)) return 'ANY-USER';
  const accounts = hits.filter((h) => h.permission === IMPERSONATE_SERVICEACCOUNTS);
  const anyAccount = accounts.filter((h) => h.ruleObj.resourceNames.length === 0);
  if (anyAccount.some((h) => !h.namespace)) return `${SA_USER}ANY-NAMESPACE:ANY-NAME`;
  const namedUser = users.flatMap((h) => h.ruleObj.resourceNames).sort()[0];
  if (namedUser !== undefined) return namedUser;
  const inNamespace = anyAccount.map((h) => h.namespace!).sort()[0];
  if (inNamespace !== undefined) return `${SA_USER}${inNamespace}:ANY-NAME`;
  const named = accounts.flatMap((h) => h.ruleObj.resourceNames.map((n) => `${SA_USER}${h.namespace ?? 'ANY-NAMESPACE'}:${n}`)).sort()[0];
  return named ?? 'ANY-USER';
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
  if (asMasters && hits.some((h) => IMPERSONATE_A_USER.has(h.permission))) paths.push(`act as the group ${MASTERS}, which every request is allowed for (kubectl --as=${impersonatedUserOf(hits)} --as-group=${MASTERS})`);
  const bindable = bindableAdminRoles(hits, ctx);
  if (bindable.length > 0) {
    if (holdsPermission(grants, CREATE_CLUSTERROLEBINDINGS, { clusterScoped: true })) paths.push(`bind ClusterRole ${bindable[0]} to itself (create a ClusterRoleBinding to ${bindable[0]} naming itself)`);
    else {
      const existing = updatableAdminBinding(bindable, grants, ctx);
      if (existing) paths.push(`add itself to ClusterRoleBinding ${existing.binding}, which binds ClusterRole ${existing.role} (update or patch on that binding, and bind on ${existing.role})`);
    }
  }
  if (!asMasters && hits.some((h) => IMPERSONATE_A_USER.has(h.permission))) {
    const group = adminGroups(ctx.snapshot).find((g) => hits.some((h) => h.permission === IMPERSONATE_GROUPS && h.ruleObj.resourceNames.includes(g)));
    if (group !== undefined) paths.push(`act as the group ${group}, which a ClusterRoleBinding binds to ${CLUSTER_ADMIN} (kubectl --as=${impersonatedUserOf(hits)} --as-group=${group})`);
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
 * A subject that is cluster-admin-equivalent: why (what a message quotes after "because"), and in
 * how many steps of acting as another subject (level 0: it holds cluster-admin or a one-step path,
 * whyAdmin).
 */
interface AdminNode {
  why: string;
  level: number;
}

/**
 * The subjects that are cluster-admin-equivalent, by every grant they hold (Kubernetes' own
 * included: the bootstrap policy's clusterrole-aggregation-controller may escalate and update
 * every ClusterRole, its own among them), through their own bindings and their groups
 * (system:serviceaccounts:NS, system:serviceaccounts, system:authenticated:
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects), in one
 * step or through a chain of acting as others (adminChains).
 */
interface AdminAccounts {
  /** "NS/NAME" -> why it is cluster-admin-equivalent. */
  why: ReadonlyMap<string, string>;
  /** Namespace -> the names of its such accounts, in the order of `all`. */
  byNamespace: ReadonlyMap<string, readonly string[]>;
  /** Name -> the namespaces holding such an account of that name, in the order of `all`. */
  byName: ReadonlyMap<string, readonly string[]>;
  /** Every "NS/NAME" of `why`, shortest chains first, then sorted, those only a bootstrap binding filled in (controllerGrants) last. */
  all: readonly string[];
  /** Namespace -> why, where the group system:serviceaccounts:NS is cluster-admin-equivalent: every account there is. */
  groups: ReadonlyMap<string, string>;
  /** Why, when the group system:serviceaccounts is: every account of every namespace is. */
  everywhere?: string;
  /** nodeKey -> the subject's AdminNode: every such account, user and group. */
  nodes: ReadonlyMap<string, AdminNode>;
  /** The Users and Groups of `nodes` by name, shortest chains first, then by name: whom impersonating acts as. */
  users: readonly string[];
  namedGroups: readonly string[];
}

const nodeKey = (s: { kind: string; name: string; namespace?: string }) => (s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace ?? ''}/${s.name}` : `${s.kind}:${s.name}`);
const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';
/** The user an unrestricted impersonate on users names, as kubectl's --as takes it (impersonatedUserOf's placeholder). */
const ANY_USER = 'ANY-USER';

/**
 * "because it is in the group G, which can …": a member's reason, from its group's (whose "it" is
 * the group), for every group alike, a namespace's (system:serviceaccounts:NS) too.
 */
const memberWhy = (group: string, why: string) => (why.startsWith('it ') ? `it is in the group ${group}, which ${why.slice(3)}` : why);

/**
 * The node a subject is cluster-admin-equivalent by as a member of one of its groups
 * (memberGroups), the shortest chain: one node per group, however many members it has.
 */
function membershipNode(nodes: ReadonlyMap<string, AdminNode>, s: { kind: string; name: string; namespace?: string }): AdminNode | undefined {
  let best: AdminNode | undefined;
  for (const g of memberGroups(s)) {
    const n = nodes.get(`Group:${g}`);
    if (n && (!best || n.level < best.level)) best = { why: memberWhy(g, n.why), level: n.level };
  }
  return best;
}

/**
 * Built once per audit. Every path starts from a grant of a ClusterRoleBinding (`*` on `*`,
 * impersonate on groups, bind or escalate on clusterroles held cluster-wide: STARTS), so only the
 * subjects, and groups of service accounts, such a binding names are judged for one step, each
 * once, on its grants that could matter (RELEVANT) joined with those of its groups. Where a group
 * of service accounts holds a start without being cluster-admin-equivalent itself (rare), the
 * accounts of its namespaces (every one, for system:serviceaccounts or system:authenticated) with
 * grants of their own are judged too, since the two may complete each other. Then adminChains
 * adds those that can act as one. Linear in bindings and subjects.
 */
const adminAccounts = memoize((ctx: AuditContext): AdminAccounts => {
  const model = buildRbacModel(ctx.snapshot);
  const relevantCache = new Map<string, Grant[]>();
  const relevant = (grants: readonly Grant[]) => grants.filter((g) => holdsPermission([g], RELEVANT));
  const groupGrants = (name: string) => {
    let out = relevantCache.get(name);
    if (!out) relevantCache.set(name, (out = relevant(directGrants(model, { kind: 'Group', name }))));
    return out;
  };
  const accounts = new Map<string, Subject>();
  const others = new Map<string, Subject>();
  const saGroups = new Set<string>();
  const bootstrap = ctx.snapshot.origin === 'manifests' ? controllerGrants(model) : new Map<string, Grant>();
  for (const [key, g] of bootstrap) accounts.set(key, g.via);
  for (const b of model.bindings) {
    if (b.kind !== 'ClusterRoleBinding' || !b.role || !startsFrom(b.role)) continue;
    for (const x of b.subjects) {
      if (x.kind === 'ServiceAccount' && x.namespace) accounts.set(`${x.namespace}/${x.name}`, x);
      else if (x.kind === 'Group' && (x.name === SA_GROUP || x.name === AUTHENTICATED || x.name.startsWith(`${SA_GROUP}:`))) saGroups.add(x.name);
      else if (x.kind !== 'ServiceAccount' && x.name !== MASTERS) others.set(nodeKey(x), x);
    }
  }
  const shared = [...groupGrants(SA_GROUP), ...groupGrants(AUTHENTICATED)];
  const everywhere = shared.length > 0 ? whyAdmin(shared, ctx) : undefined;
  const groups = new Map<string, string>();
  // Namespaces whose accounts' own grants may complete their group's ('' for every namespace).
  const completing = new Set<string>();
  for (const name of saGroups) {
    if (name === SA_GROUP || name === AUTHENTICATED) {
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
  const nodes = new Map<string, AdminNode>();
  const baseAccounts: string[] = [];
  for (const [key, x] of accounts) {
    const extra = bootstrap.get(key);
    const own = relevant(extra ? [...directGrants(model, x), extra] : directGrants(model, x));
    const w = own.length > 0 ? whyAdmin([...own, ...groupGrants(`${SA_GROUP}:${x.namespace}`), ...shared], ctx) : undefined;
    if (w !== undefined) baseAccounts.push(key);
    if (w !== undefined) nodes.set(`ServiceAccount:${key}`, { why: w, level: 0 });
  }
  for (const [ns, w] of groups) nodes.set(`Group:${SA_GROUP}:${ns}`, { why: w, level: 0 });
  // The groups of every account and every user, one node each: their members are found through them (membershipNode).
  const authenticated = groupGrants(AUTHENTICATED);
  const everyUser = authenticated.length > 0 ? whyAdmin(authenticated, ctx) : undefined;
  if (everyUser !== undefined) nodes.set(`Group:${AUTHENTICATED}`, { why: everyUser, level: 0 });
  if (everywhere !== undefined) nodes.set(`Group:${SA_GROUP}`, { why: everywhere, level: 0 });
  for (const [key, x] of others) {
    const own = x.kind === 'Group' ? groupGrants(x.name) : [...relevant(directGrants(model, x)), ...memberGroups(x).flatMap(groupGrants)];
    const w = own.length > 0 ? whyAdmin(own, ctx) : undefined;
    if (w !== undefined) nodes.set(key, { why: w, level: 0 });
  }
  // The input's own accounts first: a message names one the reader can find in it before a bootstrap one.
  const order = (keys: readonly string[]) => {
    const sorted = [...keys].sort();
    return [...sorted.filter((k) => !bootstrap.has(k)), ...sorted.filter((k) => bootstrap.has(k))];
  };
  if (nodes.size > 0) adminChains(nodes, order(baseAccounts), model, bootstrap, ctx);
  const why = new Map<string, string>();
  const byLevel = (kind: string) => {
    const out: Array<[string, number]> = [];
    for (const [k, n] of nodes) if (k.startsWith(`${kind}:`)) out.push([k.slice(kind.length + 1), n.level]);
    const levels = new Map(out);
    const keys = kind === 'ServiceAccount' ? order(out.map(([k]) => k)) : out.map(([k]) => k).sort();
    return keys.sort((a, b) => levels.get(a)! - levels.get(b)!);
  };
  const all = byLevel('ServiceAccount');
  const byNamespace = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  for (const key of all) {
    why.set(key, nodes.get(`ServiceAccount:${key}`)!.why);
    const i = key.indexOf('/');
    const [ns, name] = [key.slice(0, i), key.slice(i + 1)];
    (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(name);
    (byName.get(name) ?? byName.set(name, []).get(name)!).push(ns);
  }
  for (const [k, n] of nodes) if (k.startsWith(`Group:${SA_GROUP}:`)) groups.set(k.slice(`Group:${SA_GROUP}:`.length), n.why);
  return { why, byNamespace, byName, all, groups, ...(everywhere !== undefined ? { everywhere } : {}), nodes, users: byLevel('User'), namedGroups: byLevel('Group') };
}, 'rbac');

/**
 * The service accounts ("NS/NAME") and namespaces whose group system:serviceaccounts:NS are
 * cluster-admin-equivalent, in one step or through a chain, and the group every account is in
 * when that one is (system:serviceaccounts, or system:authenticated): a pod running as one of
 * them, or a token minted for one, is cluster-admin.
 */
export function adminServiceAccounts(ctx: AuditContext): { accounts: readonly string[]; namespaces: readonly string[]; everyAccount?: string } {
  const admin = adminAccounts(ctx);
  const every = [SA_GROUP, AUTHENTICATED].find((g) => admin.nodes.has(`Group:${g}`));
  return { accounts: admin.all, namespaces: [...admin.groups.keys()].sort(), ...(every !== undefined ? { everyAccount: every } : {}) };
}

const IMPERSONATE_USERS = permissionLabel(p('impersonate', '', 'users'));
/** What one subject may do to act as another (and the read of Secrets a legacy token needs): the steps of a chain. */
const STEPS = [
  p('create', '', 'serviceaccounts', 'token'), p('impersonate', '', 'serviceaccounts'), p('create', '', 'secrets'), ...secretsReadPermissions(),
  { ...p('impersonate', '', 'users'), clusterScoped: true }, { ...p('impersonate', '', 'groups'), clusterScoped: true }, ...WORKLOAD_STEPS,
];
const READS_SECRETS = new Set(secretsReadPermissions().map(permissionLabel));
/** The STEPS a subject acts as another by (a read of Secrets only completes a create). */
const STEP_STARTS = STEPS.filter((x) => !READS_SECRETS.has(permissionLabel(x)));
const stepsCache = new WeakMap<RoleInfo, boolean>();

/** The workload creates a server-side apply can make with a create limited by resourceNames (applyCreateHits). */
const WORKLOAD_CREATES = WORKLOAD_STEPS.filter((x) => x.verb === 'create');

/** Whether a role grants a step (STEP_STARTS, or a create limited by resourceNames that a server-side apply uses), once per role. */
function takesSteps(role: RoleInfo): boolean {
  let yes = stepsCache.get(role);
  if (yes === undefined) {
    const starts = (r: Rule) => STEP_STARTS.some((x) => ruleGrantsSome(r, x.verb, x.group, x.resource, x.subresource)) || WORKLOAD_CREATES.some((x) => ruleGrantsNamedCreate(r, x.group, x.resource));
    stepsCache.set(role, (yes = role.rules.some((r) => r.nonResourceURLs.length === 0 && starts(r))));
  }
  return yes;
}
/** Impersonating "system:serviceaccount:NS:NAME" is authorized as impersonate on serviceaccounts, never on users (impersonation.go). */
const SA_USER = 'system:serviceaccount:';

/** A step of a chain: a subject (`source`, a nodeKey) may act as a target through `hit`, one of its grants `grants` give. */
interface Step {
  source: string;
  hit: PermissionHit;
  grants: readonly Grant[];
}

/**
 * The targets a subject's step hits reach, as keys a target is found by when it becomes
 * cluster-admin-equivalent: `sa:NS/NAME`, `ns:NS` (any account of NS), `name:NAME` (an account of
 * that name in any namespace), `anysa`, `user:NAME`, `anyuser`, `group:NAME`, `anygroup`. A rule
 * limited by resourceNames reaches those it names (a TokenRequest and an impersonation name their
 * account, user or group); a legacy token Secret, any account of a namespace where the subject
 * both creates and reads Secrets; impersonating a group needs impersonating a user too
 * (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation).
 */
function stepKeys(hits: readonly PermissionHit[], snapshot: Snapshot): Array<[string, PermissionHit]> {
  const out: Array<[string, PermissionHit]> = [];
  const reads = hits.filter((h) => READS_SECRETS.has(h.permission));
  const asUser = hits.some((h) => IMPERSONATE_A_USER.has(h.permission));
  for (const h of hits) {
    const names = [...new Set(h.ruleObj.resourceNames)];
    const ns = h.namespace;
    if (h.permission === CREATE_TOKEN || h.permission === IMPERSONATE_SERVICEACCOUNTS) {
      if (names.length === 0) out.push([ns ? `ns:${ns}` : 'anysa', h]);
      else for (const n of names) out.push([ns ? `sa:${ns}/${n}` : `name:${n}`, h]);
    } else if (WORKLOAD.has(h.permission)) {
      // A workload runs as any account of its namespace: its resourceNames name workloads, not
      // accounts, and a change limited by them reaches only where one it names may exist.
      const where = changeReaches(snapshot, h);
      if (where === 'any') out.push([ns ? `ns:${ns}` : 'anysa', h]);
      else for (const x of where) out.push([`ns:${x}`, h]);
    } else if (h.permission === CREATE_SECRETS) {
      if (reads.some((r) => !r.namespace || r.namespace === ns)) out.push([ns ? `ns:${ns}` : 'anysa', h]);
      else if (!ns) for (const r of new Set(reads.map((x) => x.namespace!))) out.push([`ns:${r}`, h]);
    } else if (h.permission === IMPERSONATE_USERS && !ns) {
      if (names.length === 0) out.push(['anyuser', h]);
      else for (const n of names) if (!n.startsWith(SA_USER)) out.push([`user:${n}`, h]);
    } else if (h.permission === IMPERSONATE_GROUPS && !ns && asUser) {
      if (names.length === 0) out.push(['anygroup', h]);
      else for (const n of names) out.push([`group:${n}`, h]);
    }
  }
  return out;
}

/**
 * What acting as a target through a step's permission is, for a message, and how: "mint a token
 * for ServiceAccount NS/NAME (kubectl create token NAME -n NS)", with `grant` (grantText) in the
 * parentheses when given, and `caveat` (unconfirmedNamespace) after it.
 */
function stepText(permission: string, target: { kind: string; name: string; namespace?: string }, grant?: string, asUser = 'ANY-USER', caveat?: string): string {
  const { name } = target;
  const ns = target.namespace ?? '';
  const how = (what: string, detail: string) => `${what} (${detail}${grant ? `; ${grant}` : ''}${caveat ? `; ${caveat}` : ''})`;
  const workload = WORKLOAD.get(permission);
  if (workload) {
    const sa = `ServiceAccount ${ns}/${name}`;
    if (workload.resource === 'pods') return how(`create pods in ${ns} that run as ${sa}`, `spec.serviceAccountName: ${name}`);
    const what = workload.verb === 'create' ? `create ${workload.resource} in ${ns} whose pods run as ${sa}` : `change ${workload.resource} in ${ns} so that their pods run as ${sa}`;
    return how(what, `pod template spec.serviceAccountName: ${name}`);
  }
  if (permission === CREATE_TOKEN) return how(`mint a token for ServiceAccount ${ns}/${name}`, `kubectl create token ${name} -n ${ns}`);
  if (permission === CREATE_SECRETS) return how(`mint a legacy token for ServiceAccount ${ns}/${name}`, `a Secret of type kubernetes.io/service-account-token in ${ns} annotated kubernetes.io/service-account.name: ${name}, read back`);
  if (permission === IMPERSONATE_SERVICEACCOUNTS) return how(`act as ServiceAccount ${ns}/${name}`, `kubectl --as=system:serviceaccount:${ns}:${name}`);
  if (permission === IMPERSONATE_USERS) return how(`act as User ${name}`, `kubectl --as=${name}`);
  return how(`act as the group ${name}`, `kubectl --as=${asUser} --as-group=${name}`);
}

/**
 * A step that needs objects in the target's namespace (a token, a token Secret, a pod: all but an
 * impersonation, which names a username) toward a namespace the input does not hold and cannot
 * prove absent (namespaceState 'unknown': manifests): the step holds only if it exists. Said in
 * the message rather than guessed either way.
 */
function unconfirmedNamespace(ctx: AuditContext, permission: string, target: { kind: string; namespace?: string }): string | undefined {
  if (target.kind !== 'ServiceAccount' || permission === IMPERSONATE_SERVICEACCOUNTS || target.namespace === undefined) return undefined;
  return namespaceState(ctx.snapshot, target.namespace) === 'unknown' ? `namespace ${target.namespace} is not in the input, so this holds only if it exists` : undefined;
}

/**
 * A create limited by resourceNames (applyCreatePairs): by server-side apply of the names, for a
 * message, and where the listing cannot show them absent, that it holds only if one is
 * (applyCreateText's condition).
 */
function applyText(ctx: AuditContext, h: PermissionHit): string | undefined {
  const w = WORKLOAD.get(h.permission);
  if (!w || w.verb !== 'create' || h.ruleObj.resourceNames.length === 0) return undefined;
  const names = h.ruleObj.resourceNames;
  const how = `by a server-side apply creating ${names.length === 1 ? `${w.resource} ${names[0]}` : `one of ${w.resource} ${names.join(', ')}`}, which its resourceNames name, with patch on ${names.length === 1 ? 'it' : 'them'}`;
  const when = applyCreateText(ctx.snapshot, h);
  const cond = when?.indexOf('; ') ?? -1;
  return cond >= 0 ? `${how}${when!.slice(cond)}` : how;
}

/**
 * What a step holds only on, for its message: the workloads a change limited by resourceNames
 * names (named-workloads.ts), and the namespace unconfirmedNamespace cannot confirm.
 */
function stepCaveat(ctx: AuditContext, h: PermissionHit, target: { kind: string; namespace?: string }): string | undefined {
  const change = namedChange(h);
  const named = change && target.namespace !== undefined ? namedWorkloadsIn(ctx.snapshot, change.resource, h.ruleObj.resourceNames, target.namespace) : undefined;
  const parts = [named === 'none' ? undefined : named, applyText(ctx, h), unconfirmedNamespace(ctx, h.permission, target)].filter((x) => x !== undefined);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Whether a subject with `grants` can bring into being the account "NS/NAME" a token, token
 * Secret or pod needs, when a live listing shows it missing: its namespace too when that is
 * missing (create on namespaces; the namespace's `default` account is then made by Kubernetes'
 * serviceaccounts controller), the account itself when it is not `default` or the namespace exists.
 */
function createsMissing(grants: readonly Grant[], ns: string, name: string, nsMissing: boolean): boolean {
  if (nsMissing && !holdsPermission(grants, CREATE_NAMESPACES, { clusterScoped: true })) return false;
  return (nsMissing && name === 'default') || holdsPermission(grants, CREATE_SERVICEACCOUNTS, { namespace: ns });
}

/** "create serviceaccounts/token by RoleBinding NS/NAME → ClusterRole ROLE": a step's permission and the binding that grants it. */
const grantText = (h: PermissionHit) => `${h.permission} by ${h.binding.kind} ${h.binding.namespace ? `${h.binding.namespace}/` : ''}${h.binding.name} → ${h.role.kind} ${h.role.namespace ? `${h.role.namespace}/` : ''}${h.role.name}`;

/**
 * Adds to `nodes` (the one-step cluster-admin-equivalent subjects, level 0) every subject that can
 * act as one of them, and every one that can act as those, to a fixed point: a token minted for
 * an account (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request) or
 * an impersonation of a user, group or account (#impersonate-verb) gains its power, whatever
 * that power is, so a chain of them ending at cluster-admin is cluster-admin. A breadth-first
 * walk of the reverse graph from the one-step subjects: each subject is reached once, by its
 * shortest chain (cycles end there), and each step is looked at once when its target is
 * reached (a step held back by a missing account, once per such account): linear in subjects
 * and steps, and only the steps of RoleBindings in namespaces holding a target are looked at. A
 * subject's steps are those its grants and its groups' give (a service account's own steps with
 * its groups'; a group's steps are its members', reached through the group);
 * Kubernetes' own grants count, as a target's power does (kube-controller-manager may mint any
 * account's token: a subject that can act as it is reported, it is not). A group of service
 * accounts, system:authenticated and system:unauthenticated are one node each, their members
 * reached through it (memberGroups): reaching system:serviceaccounts:NS reaches every account of
 * NS, system:serviceaccounts every account, system:authenticated every account and user (not
 * system:anonymous), system:unauthenticated system:anonymous, each step that names them looked at
 * once, never a copy per member.
 */
function adminChains(nodes: Map<string, AdminNode>, baseAccounts: readonly string[], model: RbacModel, bootstrap: ReadonlyMap<string, Grant>, ctx: AuditContext): void {
  const index = new Map<string, Step[]>();
  const namedIn = new Map<string, Set<string>>();
  const nameKeys = new Set<string>();
  const stepGrantsCache = new Map<string, readonly Grant[]>();
  const groupSteps = (name: string) => {
    let out = stepGrantsCache.get(name);
    if (!out) stepGrantsCache.set(name, (out = directGrants(model, { kind: 'Group', name }).filter((g) => takesSteps(g.role))));
    return out;
  };
  // A group's part of its members' steps, found once per group rather than once per member: its
  // step hits, and its whole grants (a patch that takes no step itself may complete a member's
  // create limited by resourceNames, applyCreatePairs, whose halves are kept per grants list).
  const groupFound = new Map<string, readonly PermissionHit[]>();
  const stepHitsOf = (name: string) => {
    let out = groupFound.get(name);
    if (!out) groupFound.set(name, (out = findPermissions(groupSteps(name), STEPS)));
    return out;
  };
  const groupAll = new Map<string, readonly Grant[]>();
  const allGrantsOf = (name: string) => {
    let out = groupAll.get(name);
    if (!out) groupAll.set(name, (out = directGrants(model, { kind: 'Group', name })));
    return out;
  };
  const addSource = (source: string, own: readonly Grant[], groupNames: readonly string[]) => {
    const grants = groupNames.length > 0 ? [...own, ...groupNames.flatMap(groupSteps)] : own;
    // Tokens first (a credential outlives the session that minted it): the first step reaching a target is the one named.
    // findPermissions of a list is the concatenation of its parts' (it looks at one grant at a time).
    const found = groupNames.length > 0 ? [...findPermissions(own, STEPS), ...groupNames.flatMap(stepHitsOf)] : findPermissions(own, STEPS);
    const applied = applyCreatePairs([own, ...groupNames.map(allGrantsOf)], ctx.snapshot, true);
    const keys = stepKeys(applied.length > 0 ? [...found, ...applied] : found, ctx.snapshot).sort(([, a], [, b]) => actingRank(a.permission) - actingRank(b.permission));
    for (const [key, hit] of keys) {
      (index.get(key) ?? index.set(key, []).get(key)!).push({ source, hit, grants });
      if (key.startsWith('sa:')) {
        const ns = key.slice(3, key.indexOf('/'));
        (namedIn.get(ns) ?? namedIn.set(ns, new Set()).get(ns)!).add(key);
      } else if (key.startsWith('name:')) nameKeys.add(key);
    }
  };
  const groupsOf = (x: Subject) => (x.kind === 'Group' ? [] : memberGroups(x));
  const added = new Set<string>();
  const addSubject = (x: Subject) => {
    const key = nodeKey(x);
    if (added.has(key)) return;
    added.add(key);
    const extra = x.kind === 'ServiceAccount' ? bootstrap.get(`${x.namespace}/${x.name}`) : undefined;
    addSource(key, extra ? [...directGrants(model, x), extra] : directGrants(model, x), groupsOf(x));
  };
  // The subjects a binding of a role taking a step names: those of ClusterRoleBindings now; those
  // of RoleBindings in a namespace when a target there is reached (a RoleBinding's steps reach its
  // namespace only), so the many tenants of namespaces holding no such target are never looked at.
  const inNamespace = new Map<string, BindingInfo[]>();
  const chainable = (x: Subject) => !(x.kind === 'Group' && x.name === MASTERS);
  for (const b of model.bindings) {
    if (!b.role || !takesSteps(b.role)) continue;
    if (b.kind === 'ClusterRoleBinding') {
      for (const x of b.subjects) if (chainable(x)) addSubject(x);
    } else if (b.namespace) (inNamespace.get(b.namespace) ?? inNamespace.set(b.namespace, []).get(b.namespace)!).push(b);
  }
  for (const g of bootstrap.values()) if (takesSteps(g.role)) addSubject(g.via);
  const reachedNamespaces = new Set<string>();
  const reachNamespace = (ns: string) => {
    if (reachedNamespaces.has(ns)) return;
    reachedNamespaces.add(ns);
    for (const b of inNamespace.get(ns) ?? []) for (const x of b.subjects) if (chainable(x)) addSubject(x);
  };
  if (index.size === 0 && inNamespace.size === 0) return;

  const canCreate = new Map<string, boolean>();
  const createsAccounts = (s: Step, ns: string, name: string, nsMissing: boolean) => {
    const k = `${s.source}\0${ns}\0${nsMissing ? name : ''}`;
    let ok = canCreate.get(k);
    if (ok === undefined) canCreate.set(k, (ok = createsMissing(s.grants, ns, name, nsMissing)));
    return ok;
  };
  // A member of a group already reached is as much through it (membershipNode): a step of its own
  // toward the group's other members (a ci account creating pods in ci, whose group is the node) gains it nothing.
  const inAdminGroup = (source: string) => {
    const colon = source.indexOf(':');
    const kind = source.slice(0, colon);
    if (kind === 'Group') return false;
    const rest = source.slice(colon + 1);
    const slash = rest.indexOf('/');
    return membershipNode(nodes, kind === 'ServiceAccount' ? { kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) } : { kind, name: rest }) !== undefined;
  };
  const queue: string[] = [];
  // Level 0 in the order a message prefers them (the input's own accounts first).
  for (const k of baseAccounts) queue.push(`ServiceAccount:${k}`);
  for (const k of [...nodes.keys()].sort()) if (!k.startsWith('ServiceAccount:')) queue.push(k);
  /** Every step of `key` not yet taken reaches `target`; a token for an account a live listing shows missing only for a subject that can create it. */
  const reach = (key: string, target: { kind: string; name: string; namespace?: string }, via: AdminNode) => {
    const steps = index.get(key);
    if (!steps) return;
    // A namespace a live listing shows missing holds no account yet: an impersonation still names one (impersonation.go adds its groups).
    const nsMissing = target.kind === 'ServiceAccount' && namespaceState(ctx.snapshot, target.namespace!) === 'missing';
    const missing = nsMissing || (target.kind === 'ServiceAccount' && accountMissing(ctx.snapshot, `${target.namespace}/${target.name}`, target.namespace!));
    const kept: Step[] = [];
    for (const s of steps) {
      if (nodes.has(s.source) || inAdminGroup(s.source)) continue;
      if (missing && s.hit.permission !== IMPERSONATE_SERVICEACCOUNTS && !createsAccounts(s, target.namespace!, target.name, nsMissing)) {
        kept.push(s);
        continue;
      }
      const asUser = s.hit.permission === IMPERSONATE_GROUPS ? impersonatedUserOf(findPermissions(s.grants, IMPERSONATE_A_USER_PERMISSIONS)) : undefined;
      nodes.set(s.source, { why: `it can ${stepText(s.hit.permission, target, grantText(s.hit), asUser, stepCaveat(ctx, s.hit, target))}, which is cluster-admin-equivalent because ${via.why}`, level: via.level + 1 });
      queue.push(s.source);
    }
    if (kept.length > 0) index.set(key, kept);
    else {
      index.delete(key);
      nameKeys.delete(key);
      if (key.startsWith('sa:')) namedIn.get(key.slice(3, key.indexOf('/')))?.delete(key);
    }
  };
  // An account named by a cluster-wide step limited by resourceNames, in a namespace that holds one of that name (the first), for a message.
  let namespaceOf: Map<string, string> | undefined;
  const accountNamespace = (name: string) => {
    if (!namespaceOf) {
      namespaceOf = new Map();
      const seen = [...model.subjects.filter((x) => x.kind === 'ServiceAccount' && x.namespace).map((x) => `${x.namespace}/${x.name}`), ...listedServiceAccounts(ctx.snapshot).existing].sort();
      for (const k of seen) {
        const i = k.indexOf('/');
        if (!namespaceOf.has(k.slice(i + 1))) namespaceOf.set(k.slice(i + 1), k.slice(0, i));
      }
    }
    return namespaceOf.get(name) ?? 'default';
  };
  const reachedWide = new Set<string>();
  /**
   * A wide group reached: every step to one of its members is taken, once per group. Every
   * namespace's RoleBindings are looked at first (their accounts are members), then each step key
   * once: linear in bindings and steps.
   */
  const reachMembers = (group: string, via: AdminNode) => {
    if (reachedWide.has(group)) return;
    reachedWide.add(group);
    if (group === UNAUTHENTICATED) {
      reach(`user:${ANONYMOUS}`, { kind: 'User', name: ANONYMOUS }, via);
      return;
    }
    for (const ns of [...inNamespace.keys()].sort()) reachNamespace(ns);
    for (const k of [...index.keys()].sort()) {
      if (k === 'anysa') reach(k, { kind: 'ServiceAccount', namespace: 'default', name: 'default' }, via);
      else if (k.startsWith('ns:')) reach(k, { kind: 'ServiceAccount', namespace: k.slice(3), name: 'default' }, via);
      else if (k.startsWith('sa:')) reach(k, { kind: 'ServiceAccount', namespace: k.slice(3, k.indexOf('/')), name: k.slice(k.indexOf('/') + 1) }, via);
      else if (k.startsWith('name:')) reach(k, { kind: 'ServiceAccount', namespace: accountNamespace(k.slice(5)), name: k.slice(5) }, via);
      else if (group === AUTHENTICATED && k === 'anyuser') reach(k, { kind: 'User', name: ANY_USER }, via);
      else if (group === AUTHENTICATED && k.startsWith('user:') && k !== `user:${ANONYMOUS}`) reach(k, { kind: 'User', name: k.slice(5) }, via);
    }
  };
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i];
    const via = nodes.get(key)!;
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (kind === 'ServiceAccount') {
      const slash = rest.indexOf('/');
      const target = { kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
      reachNamespace(target.namespace);
      for (const k of [`sa:${rest}`, `ns:${target.namespace}`, `name:${target.name}`, 'anysa']) reach(k, target, via);
    } else if (kind === 'User') {
      for (const k of [`user:${rest}`, 'anyuser']) reach(k, { kind, name: rest }, via);
    } else {
      for (const k of [`group:${rest}`, 'anygroup']) reach(k, { kind, name: rest }, via);
      if (rest === SA_GROUP || rest === AUTHENTICATED || rest === UNAUTHENTICATED) {
        reachMembers(rest, { why: memberWhy(rest, via.why), level: via.level });
        continue;
      }
      if (!rest.startsWith(`${SA_GROUP}:`)) continue;
      // Every account of the namespace is a member: `default` for a step naming none.
      const ns = rest.slice(SA_GROUP.length + 1);
      const member = { why: memberWhy(rest, via.why), level: via.level };
      reachNamespace(ns);
      reach(`ns:${ns}`, { kind: 'ServiceAccount', namespace: ns, name: 'default' }, member);
      for (const k of [...(namedIn.get(ns) ?? [])]) reach(k, { kind: 'ServiceAccount', namespace: ns, name: k.slice(k.indexOf('/') + 1) }, member);
      for (const k of [...nameKeys]) reach(k, { kind: 'ServiceAccount', namespace: ns, name: k.slice(5) }, member);
    }
  }
}

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


/**
 * The length of the shortest chain by which a subject is cluster-admin-equivalent, as itself or
 * through a group it is in (memberGroups; 0: in one step), undefined when it is not. Acting as a
 * subject whose chain is as long or longer gains it nothing: that chain may pass through itself.
 */
function ownLevel(s: Subject, admin: AdminAccounts): number | undefined {
  const own = admin.nodes.get(nodeKey(s))?.level;
  const group = membershipNode(admin.nodes, s)?.level;
  return own === undefined ? group : group === undefined ? own : Math.min(own, group);
}

interface Target { text: string; why: string; level: number }

/** A chain names the grant of every step, its first (the subject's own, also in the message's "via") too; one step names none, as before chains. */
const chainGrant = (h: PermissionHit, target: AdminNode) => (target.level > 0 ? grantText(h) : undefined);

/**
 * The cluster-admin-equivalent account a hit minting tokens for (or impersonating) service
 * accounts reaches by the shortest chain, under `cap`: in its namespace (a RoleBinding's) or any
 * (a ClusterRoleBinding's), only the names its resourceNames list if it has them (a TokenRequest
 * and an impersonation name their account). A token is issued only for an existing account
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), so an account
 * a live listing shows missing counts for a token only where the subject can create it.
 */
function adminTarget(h: PermissionHit, self: string | undefined, admin: AdminAccounts, ctx: AuditContext, grants: readonly Grant[], cap: number): Target | undefined {
  const token = h.permission !== IMPERSONATE_SERVICEACCOUNTS;
  const canCreate = new Map<string, boolean>();
  const usable = (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    if (key === self) return false;
    if (!token) return true;
    const nsMissing = namespaceState(ctx.snapshot, ns) === 'missing';
    if (!nsMissing && !accountMissing(ctx.snapshot, key, ns)) return true;
    const k = nsMissing ? key : ns;
    let ok = canCreate.get(k);
    if (ok === undefined) canCreate.set(k, (ok = createsMissing(grants, ns, name, nsMissing)));
    return ok;
  };
  // A legacy token Secret names its account in an annotation, and a workload in its pod template, whatever objects the rule names.
  const names = h.permission === CREATE_SECRETS || WORKLOAD.has(h.permission) ? [] : [...new Set(h.ruleObj.resourceNames)].sort();
  // A change limited by resourceNames reaches no namespace a complete listing shows none of its workloads in.
  const change = namedChange(h);
  const noneThere = new Map<string, boolean>();
  const changesNone = (ns: string) => {
    if (!change) return false;
    let none = noneThere.get(ns);
    if (none === undefined) noneThere.set(ns, (none = namedWorkloadsIn(ctx.snapshot, change.resource, h.ruleObj.resourceNames, ns) === 'none'));
    return none;
  };
  let best: Target | undefined;
  const offer = (ns: string, name: string, node: AdminNode | undefined) => {
    if (!node || node.level >= cap || (best && best.level <= node.level) || changesNone(ns) || !usable(ns, name)) return;
    const target = { kind: 'ServiceAccount', namespace: ns, name };
    best = { text: stepText(h.permission, target, chainGrant(h, node), undefined, stepCaveat(ctx, h, target)), why: node.why, level: node.level };
  };
  const account = (ns: string, name: string) => admin.nodes.get(`ServiceAccount:${ns}/${name}`);
  // A namespace whose group (or every account's) is cluster-admin-equivalent: any account there, `default` for one unnamed.
  const viaGroup = (ns: string) => {
    const node = membershipNode(admin.nodes, { kind: 'ServiceAccount', namespace: ns, name: 'default' });
    if (!node) return;
    const name = names.find((n) => usable(ns, n)) ?? (names.length === 0 ? 'default' : undefined);
    if (name !== undefined) offer(ns, name, node);
  };
  if (h.namespace) {
    const candidates = names.length > 0 ? names.filter((n) => admin.why.has(`${h.namespace}/${n}`)) : admin.byNamespace.get(h.namespace) ?? [];
    for (const n of candidates) offer(h.namespace, n, account(h.namespace, n));
    viaGroup(h.namespace);
    return best;
  }
  if (names.length > 0) {
    for (const n of names) for (const ns of admin.byName.get(n) ?? []) offer(ns, n, account(ns, n));
  } else {
    for (const key of admin.all) {
      const i = key.indexOf('/');
      offer(key.slice(0, i), key.slice(i + 1), admin.nodes.get(`ServiceAccount:${key}`));
    }
  }
  for (const ns of [...admin.groups.keys()].sort()) viaGroup(ns);
  if (admin.nodes.has(`Group:${SA_GROUP}`) || admin.nodes.has(`Group:${AUTHENTICATED}`)) viaGroup('kube-system');
  return best;
}

/**
 * The cluster-admin-equivalent User or Group an impersonation hit (held cluster-wide; a group with
 * a user to impersonate) reaches by the shortest chain under `cap`, the ones directPaths names
 * (system:masters, a group bound to cluster-admin named by the rule) left to it.
 */
function impersonationTarget(h: PermissionHit, hits: readonly PermissionHit[], s: Subject, admin: AdminAccounts, ctx: AuditContext, cap: number): Target | undefined {
  if (h.namespace) return undefined;
  const user = h.permission === IMPERSONATE_USERS;
  if (!user && !hits.some((x) => IMPERSONATE_A_USER.has(x.permission))) return undefined;
  const kind = user ? 'User' : 'Group';
  const skip = user ? new Set<string>() : new Set([MASTERS, ...adminGroups(ctx.snapshot)]);
  // Any user, when every authenticated one is cluster-admin-equivalent: a subject that is not one (system:anonymous) gains it.
  const anyUser = user && admin.nodes.has(`Group:${AUTHENTICATED}`) ? [ANY_USER] : [];
  const names = h.ruleObj.resourceNames.length > 0 ? [...new Set(h.ruleObj.resourceNames)] : user ? [...admin.users, ...anyUser] : admin.namedGroups;
  let best: Target | undefined;
  for (const name of names) {
    if (skip.has(name) || (s.kind === kind && s.name === name) || (user && name.startsWith(SA_USER))) continue;
    const own = admin.nodes.get(`${kind}:${name}`);
    const member = user ? membershipNode(admin.nodes, { kind, name }) : undefined;
    const node = own && (!member || own.level <= member.level) ? own : member;
    if (!node || node.level >= cap || (best && best.level <= node.level)) continue;
    best = { text: stepText(h.permission, { kind, name }, chainGrant(h, node), user ? undefined : impersonatedUserOf(hits)), why: node.why, level: node.level };
  }
  return best;
}

/**
 * How long a chain may be to gain `s` anything (shorter than its own, ownLevel), undefined when
 * none can: a service account, or a group of them, cluster-admin-equivalent in one step.
 */
function chainCap(s: Subject, admin: AdminAccounts): number | undefined {
  const level = ownLevel(s, admin);
  // A User or Group that is cluster-admin-equivalent in one step keeps its one-step targets named too, as before chains.
  if (level === 0 && s.kind === 'ServiceAccount') return undefined;
  if (level === 0 && s.kind === 'Group' && s.name.startsWith(`${SA_GROUP}:`)) return undefined;
  return level === undefined ? Infinity : level === 0 ? 1 : level;
}

/** The namespaces holding a cluster-admin-equivalent account or whose group is one: where creating workloads reaches one. */
const adminNamespaces = new WeakMap<AdminAccounts, ReadonlySet<string>>();

/**
 * rbac.privilege-escalation's workload steps (creating or changing workloads, WORKLOAD_STEPS) of a
 * subject with `grants` and `hits` (its other hits): those that reach a cluster-admin-equivalent
 * service account, or a namespace whose group is one, the subject is not already as much
 * (actsAsAdminAccount then names the step). None for a subject already cluster-admin by its other
 * hits (the message names those, as before). Creating workloads where no such account is is left
 * to the pod checks (rbac.workload-create-kube-system). Only grants held cluster-wide or in a
 * namespace holding such an account are looked at: most subjects create workloads, few where one is.
 */
export function workloadStepHits(hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext, s: Subject): PermissionHit[] {
  const admin = adminAccounts(ctx);
  if (admin.nodes.size === 0) return [];
  let where = adminNamespaces.get(admin);
  if (!where) adminNamespaces.set(admin, (where = new Set([...admin.byNamespace.keys(), ...admin.groups.keys()])));
  const everyNamespace = admin.nodes.has(`Group:${SA_GROUP}`) || admin.nodes.has(`Group:${AUTHENTICATED}`);
  const reaches = (ns: string) => where.has(ns);
  if (!everyNamespace && !grants.some((g) => !g.namespace || reaches(g.namespace))) return [];
  const found = workloadSteps(grants, ctx, s, everyNamespace ? undefined : reaches);
  if (found.length === 0 || holdsPermission(grants, CLUSTER_ADMIN_PERMISSIONS, { clusterScoped: true })) return [];
  if (hits.length > 0 && clusterAdminPaths(hits, grants, ctx, s).length > 0) return [];
  const cap = chainCap(s, admin);
  if (cap === undefined) return [];
  const self = s.kind === 'ServiceAccount' ? `${s.namespace}/${s.name}` : undefined;
  return found.filter((h) => adminTarget(h, self, admin, ctx, grants, cap) !== undefined);
}

/**
 * rbac.privilege-escalation's extent beside its hits: the workload steps (WORKLOAD_STEPS) the
 * subject holds cluster-wide or in a namespace holding a cluster-admin-equivalent account, whether
 * or not the message names them (workloadStepHits leaves them out where other steps already make
 * it critical), so that a subject narrowed to creating pods there is not "widened".
 */
export function workloadStepExtent(_hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext, s: Subject): PermissionHit[] {
  const admin = adminAccounts(ctx);
  if (admin.nodes.size === 0) return [];
  let where = adminNamespaces.get(admin);
  if (!where) adminNamespaces.set(admin, (where = new Set([...admin.byNamespace.keys(), ...admin.groups.keys()])));
  const everyNamespace = admin.nodes.has(`Group:${SA_GROUP}`) || admin.nodes.has(`Group:${AUTHENTICATED}`);
  const reaches = (ns: string) => where.has(ns);
  if (!everyNamespace && !grants.some((g) => !g.namespace || reaches(g.namespace))) return [];
  return workloadSteps(grants, ctx, s, everyNamespace ? undefined : reaches);
}

/** The permissions that act as another subject, in the order a message prefers among chains of one length. */
const ACTING_AS_ANY = [...ACTING_AS, IMPERSONATE_USERS, IMPERSONATE_GROUPS];
/** Each ACTING_AS_ANY permission's place in that order, looked up once per hit rather than searched. */
const ACTING_RANK: ReadonlyMap<string, number> = new Map(ACTING_AS_ANY.map((x, i) => [x, i]));
const actingRank = (permission: string) => ACTING_RANK.get(permission) ?? -1;

/**
 * Acting as a cluster-admin-equivalent subject: minting an account's token
 * (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), a legacy
 * token Secret created and read back (rbac.privilege-escalation's LEGACY_TOKEN_NOTE), or
 * impersonating an account, user or group (#impersonate-verb) gains its power; the shortest such
 * chain, its first step and every one after it named. Undefined for a subject that is such a
 * subject itself (ownLevel 0).
 */
function actsAsAdminAccount(hits: readonly PermissionHit[], s: Subject, grants: readonly Grant[], ctx: AuditContext): string | undefined {
  if (!hits.some((h) => ACTING_RANK.has(h.permission))) return undefined;
  const admin = adminAccounts(ctx);
  if (admin.nodes.size === 0 && admin.everywhere === undefined) return undefined;
  const cap = chainCap(s, admin);
  if (cap === undefined) return undefined;
  const self = s.kind === 'ServiceAccount' ? `${s.namespace}/${s.name}` : undefined;
  // The shortest chain; among chains of one length, the first in ACTING_AS_ANY's order, then in
  // the hits' order: one pass over the hits, each ranked by a lookup.
  let best: { t: Target; rank: number } | undefined;
  for (const h of hits) {
    const rank = ACTING_RANK.get(h.permission);
    if (rank === undefined) continue;
    const t = h.permission === IMPERSONATE_USERS || h.permission === IMPERSONATE_GROUPS ? impersonationTarget(h, hits, s, admin, ctx, cap) : adminTarget(h, self, admin, ctx, grants, cap);
    if (t && (!best || t.level < best.t.level || (t.level === best.t.level && rank < best.rank))) best = { t, rank };
  }
  if (!best) return undefined;
  return `${best.t.text}, which is cluster-admin-equivalent because ${best.t.why}`;
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
  const starts = hits.some((h) => h.permission === IMPERSONATE_GROUPS || h.permission === BIND_CLUSTERROLES || h.permission === ESCALATE_CLUSTERROLES || ACTING_RANK.has(h.permission));
  if (starts && !holdsPermission(grants, CLUSTER_ADMIN_PERMISSIONS, { clusterScoped: true })) {
    paths = directPaths(hits, grants, ctx);
    const viaAccount = actsAsAdminAccount(hits, subject, grants, ctx);
    if (viaAccount !== undefined) paths.push(viaAccount);
  }
  pathsCache.set(hits, paths);
  return paths;
}

export const clusterAdminNote = (paths: readonly string[]) => `It can ${paths.join(', and ')}: that is cluster-admin`;
