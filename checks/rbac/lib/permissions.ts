// The permissions the RBAC permission checks look for, one list per check, shared with
// rbac.aggregation-into-builtin (what it reports aggregated into admin/edit/view) and with the
// severity rule that asks which service accounts hold a dangerous grant cluster-wide, so the
// three cannot drift. Imports nothing from the checks (they import it).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Permission } from '../../../src/analysis/rbac/audit.ts';
import { ANY_SUBRESOURCE } from '../../../src/analysis/rbac/rules.ts';
import type { PodAccess } from './named-pods.ts';

const RBAC = 'rbac.authorization.k8s.io';
const CERTS = 'certificates.k8s.io';

export const p = (verb: string, group: string, resource: string, subresource?: string): Permission => ({ verb, group, resource, subresource });

export function each(verbs: string[], group: string, resources: string[], subresource?: string): Permission[] {
  return verbs.flatMap((v) => resources.map((r) => p(v, group, r, subresource)));
}

/** Before 1.35 a WebSocket GET was enough for exec/attach/portforward; an unknown version may be older. */
export function getSufficesForExec(ctx: AuditContext): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(ctx.snapshot.cluster.version ?? '');
  if (!m) return true;
  return Number(m[1]) === 1 && Number(m[2]) < 35;
}

/**
 * The verbs that return a Secret's contents. Besides get, list and watch: a PATCH answers with the
 * object it patched (kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go: the
 * patch is merged into the stored object, and patchResource returns the result), so an empty merge
 * patch (`{}`, with dryRun=All changing nothing) returns a named Secret whole, as get does
 * (resourceNames limit it the same way); a DELETE of the collection
 * answers with the list of the objects it deleted (kubernetes
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, Store.DeleteCollection: "In
 * case of success, the list of deleted objects will be returned"), and with dryRun=All deletes
 * none: a list (both seen on kube-apiserver v1.36.3). Not reads: update (a PUT carries the
 * whole object and answers with what it stored, the sender's own data) and delete of one Secret
 * (Store.finalizeDelete answers with a Status unless ReturnDeletedObject, unset for Secrets).
 */
export const SECRETS_READ_VERBS = ['get', 'list', 'watch', 'patch', 'deletecollection'] as const;

export const secretsReadPermissions = (): Permission[] => each([...SECRETS_READ_VERBS], '', ['secrets']);

const READ_HOW: ReadonlyArray<[string, string]> = [
  ['patch', 'a patch returns the Secret it patches (an empty patch, or a dry run, reads it unchanged)'],
  ['deletecollection', 'a deletecollection returns every Secret it deletes (a dry run deletes none)'],
];

/**
 * How permissions of secretsReadPermissions (their labels, "patch secrets") that are not get,
 * list or watch read Secrets, a sentence for a message; undefined when none is.
 */
export function secretsReadHow(permissions: Iterable<string>): string | undefined {
  const verbs = new Set<string>();
  for (const x of permissions) verbs.add(x.slice(0, x.indexOf(' ')));
  const how = READ_HOW.filter(([verb]) => verbs.has(verb)).map(([, text]) => text);
  if (how.length === 0) return undefined;
  const text = how.join('; ');
  return `${text[0].toUpperCase()}${text.slice(1)}`;
}

export const podExecPermissions = (ctx: AuditContext): Permission[] => [
  ...['exec', 'attach', 'portforward'].map((sub) => p('create', '', 'pods', sub)),
  ...(getSufficesForExec(ctx) ? ['exec', 'attach', 'portforward'].map((sub) => p('get', '', 'pods', sub)) : []),
  ...each(['update', 'patch'], '', ['pods'], 'ephemeralcontainers'),
];

/** A permission of podExecPermissions (its label) that only port-forwards: it reaches a pod's ports, not its processes, token or node. */
export const isPortForwardOnly = (permission: string): boolean => permission.endsWith(' pods/portforward');

/** How a permission of podExecPermissions (its label, "create pods/exec") enters pods; undefined for port-forwarding, which enters none. */
export function podAccessOf(permission: string): PodAccess | undefined {
  if (permission.endsWith(' pods/exec')) return 'exec';
  if (permission.endsWith(' pods/attach')) return 'attach';
  if (permission.endsWith(' pods/ephemeralcontainers')) return 'ephemeral';
  return undefined;
}

const POD_ACTIONS: ReadonlyArray<[PodAccess | 'portforward', string]> = [['exec', 'exec into'], ['attach', 'attach to'], ['ephemeral', 'add ephemeral containers to'], ['portforward', 'port-forward to']];

/**
 * What permissions of podExecPermissions (their labels) let a holder do to pods, for a message:
 * "exec into or attach to pods", "port-forward to pods" (port-forwarding reaches a pod's ports,
 * never a shell in it, so it is not called exec).
 */
export function podAccessText(permissions: Iterable<string>): string {
  const kinds = new Set<PodAccess | 'portforward'>();
  for (const x of permissions) kinds.add(podAccessOf(x) ?? 'portforward');
  const done = POD_ACTIONS.filter(([k]) => kinds.has(k)).map(([, text]) => text);
  return `${done.length > 1 ? `${done.slice(0, -1).join(', ')} or ${done[done.length - 1]}` : done[0]} pods`;
}

/**
 * Every storage provisioner that creates volumes for PersistentVolumeClaims (a CSI
 * external-provisioner, kind's local-path-provisioner) needs it, so rbac.privilege-escalation
 * treats it alone as something to verify rather than a certain escalation.
 */
export const PV_CREATE: Permission = { ...p('create', '', 'persistentvolumes'), clusterScoped: true };

/**
 * Impersonating users, groups, uids and user extras, escalating ClusterRoles and creating
 * PersistentVolumes are authorized at cluster scope, so only ClusterRoleBindings give them; bind
 * (checked in the RoleBinding's namespace), impersonating service accounts and minting their
 * tokens also work through RoleBindings.
 */
export const privilegeEscalationPermissions = (): Permission[] => [
  ...each(['escalate', 'bind'], RBAC, ['roles']),
  p('bind', RBAC, 'clusterroles'),
  { ...p('escalate', RBAC, 'clusterroles'), clusterScoped: true },
  ...each(['impersonate'], '', ['users', 'groups']).map((x) => ({ ...x, clusterScoped: true })),
  { ...p('impersonate', 'authentication.k8s.io', 'uids'), clusterScoped: true },
  { ...p('impersonate', 'authentication.k8s.io', 'userextras', ANY_SUBRESOURCE), clusterScoped: true },
  PV_CREATE,
  p('impersonate', '', 'serviceaccounts'),
  p('create', '', 'serviceaccounts', 'token'),
];

export const nodesProxyPermissions = (): Permission[] => [...each(['get', 'create', 'update', 'patch', 'delete'], '', ['nodes'], 'proxy'), p('proxy', '', 'nodes')];

export const csrApprovalPermissions = (): Permission[] => [...each(['update', 'patch'], CERTS, ['certificatesigningrequests'], 'approval'), p('approve', CERTS, 'signers')];

/**
 * The admission webhooks and the in-process admission policies that do the same work: a
 * MutatingAdmissionPolicy with its binding mutates every object it matches, as a mutating
 * webhook does, and deleting or changing a ValidatingAdmissionPolicy or its binding switches that
 * policy off (https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/,
 * admissionregistration.k8s.io/v1 since 1.30; https://kubernetes.io/docs/reference/access-authn-authz/mutating-admission-policy/,
 * KEP-3962: v1alpha1 in 1.32, v1beta1 in 1.34, v1 in 1.36). A grant on a version the API server
 * does not serve yet takes effect when it does: RBAC names no version.
 * deletecollection: they are served by the generic registry store, which deletes collections too
 * (kubernetes pkg/registry/admissionregistration/validatingwebhookconfiguration/storage/storage.go).
 */
export const ADMISSION_WEBHOOK_RESOURCES = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'] as const;
export const ADMISSION_POLICY_RESOURCES = ['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'] as const;
export const webhookWritePermissions = (): Permission[] => each(['create', 'update', 'patch', 'delete', 'deletecollection'], 'admissionregistration.k8s.io', [...ADMISSION_WEBHOOK_RESOURCES, ...ADMISSION_POLICY_RESOURCES]);

const WORKLOAD_VERBS = ['create', 'update', 'patch'];

export const workloadWritePermissions = (): Permission[] => [
  ...each(WORKLOAD_VERBS, '', ['pods', 'replicationcontrollers']),
  ...each(WORKLOAD_VERBS, 'apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets']),
  ...each(WORKLOAD_VERBS, 'batch', ['jobs', 'cronjobs']),
];

export const namespaceModificationPermissions = (): Permission[] => each(['patch', 'update'], '', ['namespaces']);

/** Every verb on every resource: cluster-admin. */
export const clusterAdminPermissions = (): Permission[] => [p('*', '*', '*')];
