import type { AuditContext } from '../../src/analysis/context.ts';
import { findPermissions, holdsPermission, permissionLabel, type Permission, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { buildRbacModel, roleKey } from '../../src/analysis/rbac/model.ts';
import { resourceNameMatches, ruleGrantsSome } from '../../src/analysis/rbac/rules.ts';
import type { Grant, RoleInfo, Rule } from '../../src/analysis/rbac/types.ts';
import { POWERFUL_SA_BEST_EFFORT, listSome, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote } from './common.ts';
import { clusterAdminNote, clusterAdminPaths, workloadStepHits, workloadStepExtent } from './lib/cluster-admin-paths.ts';
import { PV_CREATE, p, podExecPermissions, privilegeEscalationPermissions, secretsReadHow, secretsReadPermissions, workloadWritePermissions } from './lib/permissions.ts';
import { namedPodsReach } from './lib/named-pods.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const PV_CREATE_LABEL = permissionLabel(PV_CREATE);
const onlyPvCreate = (hits: PermissionHit[]) => hits.every((h) => h.permission === PV_CREATE_LABEL);
// Impersonating service accounts and minting their tokens act as them. A rule limited by
// resourceNames acts only as the accounts it names: a TokenRequest is a create on
// serviceaccounts/token named by its account, and impersonating an account (also as the user
// system:serviceaccount:NS:NAME) is authorized as impersonate on serviceaccounts NAME in NS
// (kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
const ACTS_AS_PERMISSIONS = [p('impersonate', '', 'serviceaccounts'), p('create', '', 'serviceaccounts', 'token')];
const ACTS_AS = new Set(ACTS_AS_PERMISSIONS.map(permissionLabel));
/**
 * The legacy route to the same tokens: a Secret of type kubernetes.io/service-account-token
 * annotated kubernetes.io/service-account.name: ACCOUNT is filled in by the token controller with a
 * non-expiring token for ACCOUNT (kubernetes pkg/controller/serviceaccount/tokens_controller.go;
 * https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#manually-create-an-api-token-for-a-serviceaccount).
 * Create cannot be limited by resourceNames, and the subject names the Secret, so a get or patch
 * limited to any name reads it back as well as list, watch or deletecollection (a patch and a
 * deletecollection return the Secrets: secretsReadPermissions): the pair acts as every account of the namespace.
 * Create alone does not count: the token is never returned to its creator. A pod mounting the
 * Secret would use it, but creating pods there already acts as every account (podPermissions,
 * rbac.workload-create-kube-system), so that route is counted through pods.
 */
const CREATE_SECRETS_PERMISSIONS = [p('create', '', 'secrets')];
const READ_SECRETS_PERMISSIONS = secretsReadPermissions();
const LEGACY_TOKEN_PERMISSIONS = [...CREATE_SECRETS_PERMISSIONS, ...READ_SECRETS_PERMISSIONS];
const CREATE_SECRETS = permissionLabel(CREATE_SECRETS_PERMISSIONS[0]);
const READ_SECRETS = new Set(READ_SECRETS_PERMISSIONS.map(permissionLabel));
const isLegacyToken = (h: PermissionHit) => h.permission === CREATE_SECRETS || READ_SECRETS.has(h.permission);
const LEGACY_TOKEN_NOTE = 'Creating Secrets and reading them back in a namespace mints legacy service-account tokens there: a Secret of type kubernetes.io/service-account-token annotated kubernetes.io/service-account.name: ACCOUNT gets a non-expiring token for ACCOUNT, any service account of that namespace';

/** LEGACY_TOKEN_NOTE when `hits` create Secrets, with how a patch or deletecollection among them reads the token back. */
function legacyTokenNote(hits: readonly PermissionHit[]): string | undefined {
  if (!hits.some((h) => h.permission === CREATE_SECRETS)) return undefined;
  const how = secretsReadHow(hits.filter((h) => READ_SECRETS.has(h.permission)).map((h) => h.permission));
  return how ? `${LEGACY_TOKEN_NOTE}. ${how}` : LEGACY_TOKEN_NOTE;
}

/**
 * Of `hits`, creating Secrets only where a read of Secrets among `grants` meets it (the namespace
 * of each, or cluster-wide for both), with those reads; a create or read held cluster-wide is
 * counted in the namespaces where its partner is, so the finding's scope and severity are those
 * of the namespaces reached. The reads are looked up only for a subject that creates Secrets:
 * most subjects read Secrets somewhere, few create them.
 */
function keepLegacyTokenRoute(hits: PermissionHit[], grants: readonly Grant[]): PermissionHit[] {
  if (!hits.some((h) => h.permission === CREATE_SECRETS)) return hits;
  const out: PermissionHit[] = [];
  const creates: PermissionHit[] = [];
  for (const h of hits) (h.permission === CREATE_SECRETS ? creates : out).push(h);
  const reads = findPermissions(grants, READ_SECRETS_PERMISSIONS);
  if (reads.length === 0) return out;
  const where = (list: PermissionHit[]) => ({ everywhere: list.some((h) => !h.namespace), namespaces: new Set(list.flatMap((h) => (h.namespace ? [h.namespace] : []))) });
  const createWhere = where(creates);
  const readWhere = where(reads);
  for (const h of [...creates, ...reads]) {
    const partner = h.permission === CREATE_SECRETS ? readWhere : createWhere;
    if (h.namespace) {
      if (partner.everywhere || partner.namespaces.has(h.namespace)) out.push(h);
    } else if (partner.everywhere) out.push(h);
    else for (const namespace of partner.namespaces) out.push({ ...h, namespace });
  }
  return out;
}
const RBAC = 'rbac.authorization.k8s.io';
const BIND_CLUSTERROLES = permissionLabel(p('bind', RBAC, 'clusterroles'));
const BIND_ROLES = permissionLabel(p('bind', RBAC, 'roles'));
const ESCALATE_ROLES = permissionLabel(p('escalate', RBAC, 'roles'));
const ROLEBINDING_WRITES = ['create', 'update', 'patch'].map((verb) => p(verb, RBAC, 'rolebindings'));

/**
 * What rbac.workload-create-kube-system and rbac.pod-exec-attach already count as acting as a
 * namespace's accounts: a workload created or changed there runs as any of them (a controller's
 * pod template names its account), exec, attach or an ephemeral container runs beside a pod's
 * token (port-forward only reaches its ports). A pod named by resourceNames cannot be given
 * another account (its spec.serviceAccountName is immutable), so writes to or exec into named
 * pods act as the accounts those run as.
 */
function podPermissions(ctx: AuditContext): Permission[] {
  return [...podExecPermissions(ctx).filter((x) => x.subresource !== 'portforward'), ...workloadWritePermissions().filter((x) => x.group === '' && x.resource === 'pods')];
}
const CONTROLLER_WRITE = workloadWritePermissions().filter((x) => !(x.group === '' && x.resource === 'pods'));
const grantsAny = (rule: Rule, perms: readonly Permission[]) => perms.some((x) => ruleGrantsSome(rule, x.verb, x.group, x.resource, x.subresource));

/**
 * The accounts of `namespace` a role's rules act as: every one, those named, or none. Creating
 * Secrets acts as every one beside a read of Secrets there, the role's or one `grants` (the
 * subject's) already give, and so does a read beside a create the subject holds.
 */
function roleActsAs(role: RoleInfo | undefined, namespace: string, ctx: AuditContext, grants: readonly Grant[]): true | string[] {
  const names: string[] = [];
  let creates = false;
  let reads = false;
  for (const rule of role?.rules ?? []) {
    if (rule.nonResourceURLs.length > 0) continue;
    if (grantsAny(rule, CONTROLLER_WRITE)) return true;
    creates ||= grantsAny(rule, CREATE_SECRETS_PERMISSIONS);
    reads ||= grantsAny(rule, READ_SECRETS_PERMISSIONS);
    if (grantsAny(rule, ACTS_AS_PERMISSIONS)) {
      if (rule.resourceNames.length === 0) return true;
      names.push(...rule.resourceNames);
    }
    if (grantsAny(rule, podPermissions(ctx))) {
      if (rule.resourceNames.length === 0) return true;
      const reach = namedPodsReach(ctx, namespace, rule.resourceNames);
      if (reach.unknown) return true;
      names.push(...reach.accounts);
    }
  }
  if (creates || reads) {
    const held = findPermissions(grants, LEGACY_TOKEN_PERMISSIONS, { namespace });
    if ((creates || held.some((h) => h.permission === CREATE_SECRETS)) && (reads || held.some((h) => READ_SECRETS.has(h.permission)))) return true;
  }
  return names;
}

/** Whether some rule of `grants` allows `verb` on Role NS/NAME (a RoleBinding in NS or a ClusterRoleBinding). */
function allowsOnRole(grants: readonly Grant[], verb: string, namespace: string, name: string): boolean {
  return grants.some((g) => (!g.namespace || g.namespace === namespace)
    && g.role.rules.some((r) => r.nonResourceURLs.length === 0 && ruleGrantsSome(r, verb, RBAC, 'roles') && resourceNameMatches(r, name)));
}

/**
 * Bind only lifts the escalation check on a RoleBinding write; the write itself still needs
 * create, update or patch on rolebindings in the namespace
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
 * Update or patch limited to named RoleBindings still counts: it can add the holder to one.
 */
function writesRoleBindings(grants: readonly Grant[], namespace: string): boolean {
  return holdsPermission(grants, ROLEBINDING_WRITES, { namespace });
}

/**
 * Escalate limited to a Role by name lets its holder write any rule into that Role, given update
 * or patch on it (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update);
 * that reaches the holder only if it is bound to the Role, or can bind it (bind and a RoleBinding write).
 */
function rewritesOwnRole(namespace: string, name: string, grants: readonly Grant[]): boolean {
  if (!allowsOnRole(grants, 'update', namespace, name) && !allowsOnRole(grants, 'patch', namespace, name)) return false;
  return grants.some((g) => g.role.kind === 'Role' && g.role.namespace === namespace && g.role.name === name) || (allowsOnRole(grants, 'bind', namespace, name) && writesRoleBindings(grants, namespace));
}

/**
 * Which accounts of its namespace a hit acts as. Binding any role there (given a RoleBinding write,
 * writesRoleBindings), or writing any rule into one (escalate), gives every permission of the namespace, minting its accounts' tokens among them
 * (bind cluster-admin in a RoleBinding, then create serviceaccounts/token). Bind limited by
 * resourceNames acts as what the roles it names act as (admin and edit impersonate service
 * accounts: the role-grantor example of https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update);
 * escalate limited by resourceNames, as every account when the subject can rewrite a Role it
 * holds (rewritesOwnRole), else as none this can tell.
 */
function actsAsServiceAccounts(h: PermissionHit, ctx: AuditContext, grants: readonly Grant[]): boolean | readonly string[] {
  if (ACTS_AS.has(h.permission)) return h.ruleObj.resourceNames.length > 0 ? h.ruleObj.resourceNames : true;
  // Left by keepLegacyTokenRoute only where create and read of Secrets meet.
  if (isLegacyToken(h)) return true;
  const bind = h.permission === BIND_CLUSTERROLES || h.permission === BIND_ROLES;
  if (!bind && h.permission !== ESCALATE_ROLES) return false;
  const ns = h.namespace;
  if (bind && ns && !writesRoleBindings(grants, ns)) return false;
  if (h.ruleObj.resourceNames.length === 0) return true;
  if (!ns) return false;
  if (!bind) return h.ruleObj.resourceNames.some((name) => rewritesOwnRole(ns, name, grants));
  const { roles } = buildRbacModel(ctx.snapshot);
  const names = new Set<string>();
  for (const name of h.ruleObj.resourceNames) {
    const reach = roleActsAs(roles.get(h.permission === BIND_CLUSTERROLES ? roleKey('ClusterRole', name) : roleKey('Role', name, ns)), ns, ctx, grants);
    if (reach === true) return true;
    for (const n of reach) names.add(n);
  }
  return names.size > 0 ? [...names] : false;
}
/**
 * The names an impersonation limited by resourceNames may take, per kind of identity ("users
 * jane, ops"; service accounts per namespace), those of a kind also impersonated unrestricted
 * left out: "Impersonation limited by name: users jane; groups ops". A rule may refer to objects
 * by name (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources);
 * impersonating a user, group or service account asks for its name (kubernetes
 * staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go). Each list is capped like
 * the message's permissions; the evidence's grants keep every name.
 */
function impersonatedNames(hits: readonly PermissionHit[]): string | undefined {
  const byKind = new Map<string, Set<string> | 'any'>();
  for (const h of hits) {
    if (!h.permission.startsWith('impersonate ')) continue;
    const kind = h.permission.slice('impersonate '.length).replace(/[./].*$/, '');
    const key = kind === 'serviceaccounts' ? `service accounts ${h.namespace ? `in ${h.namespace}` : 'of any namespace'}` : kind;
    const seen = byKind.get(key);
    if (seen === 'any') continue;
    if (h.ruleObj.resourceNames.length === 0) byKind.set(key, 'any');
    else if (seen) for (const n of h.ruleObj.resourceNames) seen.add(n);
    else byKind.set(key, new Set(h.ruleObj.resourceNames));
  }
  const parts: string[] = [];
  for (const [key, names] of [...byKind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (names !== 'any') parts.push(`${key} ${listSome([...names].sort())}`);
  }
  return parts.length > 0 ? `Impersonation limited by name: ${parts.join('; ')}` : undefined;
}

const joinNotes = (...notes: Array<string | undefined>) => notes.filter((n) => n !== undefined).join('. ') || undefined;
const namespaceOnly = namespaceOnlySeverity('medium', actsAsServiceAccounts);
const powerfulNote = powerfulNamespaceNote(actsAsServiceAccounts);

export const privilegeEscalation = permissionCheck({
  id: 'rbac.privilege-escalation',
  title: 'Subject can escalate, bind, impersonate, create tokens or create PersistentVolumes',
  protectsAgainst: 'subjects that can raise their own privileges: escalate or bind roles, impersonate (users, groups, service accounts, uids, user extras), mint service-account tokens (a TokenRequest, or a legacy token Secret they create and read back, with get, list, watch, patch or deletecollection), run pods as a cluster-admin-equivalent service account (creating pods or workloads in its namespace), or create PersistentVolumes (a hostPath volume reaches the node filesystem)',
  severity: 'high',
  // Pods (and, from manifests, StatefulSets naming them): a bind limited to a role whose exec or pod writes name pods acts as the accounts those run as.
  readsBestEffort: [...POWERFUL_SA_BEST_EFFORT, 'pods', 'statefulsets'],
  controls: [cis('5.1.8'), cis('5.1.9'), cis('5.1.13'), ...LEAST_PRIVILEGE],
  remediation: 'Remove escalate/bind on roles and clusterroles, impersonate on users/groups/serviceaccounts/uids/userextras and create on serviceaccounts/token from roles of non-platform subjects; do not let one non-platform subject both create Secrets and get, list, watch, patch or deletecollection them in the same namespace (split writing and reading Secrets between subjects; a patch returns the Secret it patches and a deletecollection the Secrets it deletes, so either reads a token Secret back). A subject whose only such permission is create on persistentvolumes is reported at medium: storage provisioners (a CSI external-provisioner, local-path-provisioner) need it to create volumes for PersistentVolumeClaims. Verify the subject is such a provisioner or a trusted cluster operator, since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem, and waive the finding for it; remove the permission from any other subject. A subject that can act as system:masters (impersonate on groups, unrestricted or limited by resourceNames to system:masters, with impersonate on users or serviceaccounts to name the user) or bind cluster-admin to itself (bind on clusterroles, unrestricted or limited to cluster-admin, through a ClusterRoleBinding, with create on clusterrolebindings) is reported at critical: either is cluster-admin. So are impersonating (with a user) a group a ClusterRoleBinding binds to cluster-admin, such as kubeadm\'s kubeadm:cluster-admins, and escalate with update or patch on a ClusterRole a ClusterRoleBinding binds to the subject itself (it can write any rule into it). So is adding itself to an existing ClusterRoleBinding of cluster-admin (or of another ClusterRole granting every verb on every resource), with update or patch on an existing ClusterRoleBinding of that role and bind on it; and a subject that can mint a token for, or impersonate, a service account that is itself cluster-admin-equivalent (bound to such a role, or holding one of these paths: kube-system\'s clusterrole-aggregation-controller, which Kubernetes gives escalate and update on every ClusterRole, is one in every cluster), which is why create on serviceaccounts/token or impersonate on serviceaccounts in kube-system is critical. So is a chain of such steps, however long: minting a token for, or impersonating, an account, user or group that can itself act as a cluster-admin-equivalent one (Kubernetes\' own grants count for the subjects acted as: system:kube-controller-manager may mint any account\'s token, so impersonating that user is critical, though its own grant is not reported; a grant to system:serviceaccounts:NAMESPACE, system:serviceaccounts or system:authenticated is one to every account of that namespace, every account, or every account and user, and one to system:unauthenticated is system:anonymous\'s). Creating pods, or creating or changing a workload whose pods the controller creates (Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, CronJob; a Job is created only, its template cannot change), in a namespace is such a step too: the pod may name any ServiceAccount of that namespace, so a subject that can do so where an account, or the namespace\'s group, is cluster-admin-equivalent is critical here (and in every chain through it); elsewhere creating workloads is judged by rbac.workload-create-kube-system only. A change limited by resourceNames is a step only where a workload it names exists (one being deleted does not count), and a create limited by resourceNames only with patch on one of those names, from any of the subject\'s bindings or its groups\' (a server-side apply creates it where it does not exist; where a complete live listing shows it, the pair only patches it). A token, a token Secret and a pod need their namespace to exist: the group system:serviceaccounts:NAMESPACE of a namespace a live cluster\'s Namespaces list does not hold gives no member to reach that way (impersonating one of its accounts still does, and so does creating the namespace); from manifests, a namespace the input does not hold is kept, the message saying the step holds only if it exists. The message names the binding, or the account and why: for a chain, every step, its permission and the binding granting it, shortest chain first.',
  wanted: () => [...privilegeEscalationPermissions(), ...CREATE_SECRETS_PERMISSIONS],
  keepHits: keepLegacyTokenRoute,
  addHits: workloadStepHits,
  extentHits: workloadStepExtent,
  action: 'escalate privileges',
  severityFor: (hits, grants, ctx, subject) => (clusterAdminPaths(hits, grants, ctx, subject).length > 0 ? 'critical' : onlyPvCreate(hits) ? 'medium' : namespaceOnly(hits, grants, ctx, subject)),
  noteFor: (hits, ctx, subject, grants) => {
    const paths = clusterAdminPaths(hits, grants, ctx, subject);
    const named = impersonatedNames(hits);
    if (paths.length > 0) return joinNotes(clusterAdminNote(paths), legacyTokenNote(hits), named);
    return onlyPvCreate(hits)
      ? 'Creating PersistentVolumes is what a storage provisioner does: verify this subject is one (or a trusted cluster operator), since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem'
      : joinNotes(legacyTokenNote(hits), powerfulNote(hits, ctx, subject, grants), named);
  },
});
