// Which workloads an update or patch limited by resourceNames can change. Such a rule allows a
// request only on the objects it names
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// change to one that does not exist makes none: a plain patch or an update answers NotFound (the
// workload kinds' registry strategies do not allow create on update), and a server-side apply
// that would create it is authorized as create on that name (kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, createAuthorizerAttributes),
// which update and patch do not grant. So only a complete live listing can prove that none of
// the named workloads exists; from manifests, or a listing that could not be read, one may.
//
// A create limited by resourceNames is the other half of that apply: with patch on the same
// name, a server-side apply creates the named workload where it does not exist (applyCreatePairs).
//
// An object being deleted (metadata.deletionTimestamp set) does not count as one that exists,
// whatever its kind. A controller being deleted creates no pods from its template, however it is
// changed: the Deployment controller only syncs its status (kubernetes
// pkg/controller/deployment/deployment_controller.go syncDeployment), the ReplicaSet and
// ReplicationController controller manage no replicas (pkg/controller/replicaset/replica_set.go
// syncReplicaSet, `rsNeedsSync && rs.DeletionTimestamp == nil`), the StatefulSet controller only
// updates status (pkg/controller/statefulset/stateful_set_control.go), the DaemonSet controller
// returns (pkg/controller/daemon/daemon_controller.go syncDaemonSet) and the CronJob controller
// starts no Job (pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob). A Pod being deleted
// starts no new container, however its spec is changed: the kubelet passes a pod to SyncPod, which
// "starts and restarts all containers", only "until ... the pod is marked as deleted", then only to
// SyncTerminatingPod, and "a pod that is terminated will never be restarted" (kubernetes
// pkg/kubelet/pod_workers.go, PodWorkers.UpdatePod and podSyncer doc comments; read on the
// master branch, its first release tag not confirmed here). A Job's pod template cannot be changed at all
// (pkg/apis/batch/validation ValidateJobSpecUpdate). The deletion cannot be undone by a patch (the
// registry keeps the old deletionTimestamp on update). And once such an object is gone, a
// server-side apply of its name creates it anew (applyCreateHits), so counting it as absent is
// also the cautious reading there.
import { memoize } from '../../../src/analysis/memo.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { findPermissions, permissionLabel, rbacAudit, type Permission, type PermissionHit } from '../../../src/analysis/rbac/audit.ts';
import { identityOf } from '../../../src/analysis/rbac/model.ts';
import type { Grant, Subject } from '../../../src/analysis/rbac/types.ts';
import { KINDS, type KindKey } from '../../../src/snapshot/kinds.ts';
import { coverageOk, resourcesOf, type KubeObject, type Snapshot } from '../../../src/snapshot/types.ts';
import { each, workloadWritePermissions } from './permissions.ts';

/** Whether an object is being deleted: it does not count as existing (see above). */
const beingDeleted = (o: KubeObject) => !!o.metadata?.deletionTimestamp;

interface Index {
  /** Name -> the namespaces holding a workload of the kind by that name. */
  namespaces: ReadonlyMap<string, readonly string[]>;
  /** "NS/NAME" of each. */
  keys: ReadonlySet<string>;
}

/** Per workload kind, built on its first question (only rules limited by resourceNames ask). */
const byName = memoize((snapshot: Snapshot) => {
  const perKind = new Map<string, Index>();
  return (resource: string): Index => {
    let out = perKind.get(resource);
    if (out) return out;
    const namespaces = new Map<string, string[]>();
    const keys = new Set<string>();
    for (const o of resourcesOf(snapshot, resource as KindKey)) {
      const { name, namespace } = o.metadata ?? {};
      if (typeof name !== 'string' || typeof namespace !== 'string') continue;
      if (beingDeleted(o)) continue;
      (namespaces.get(name) ?? namespaces.set(name, []).get(name)!).push(namespace);
      keys.add(`${namespace}/${name}`);
    }
    perKind.set(resource, (out = { namespaces, keys }));
    return out;
  };
}, 'rbac');

/** Whether a live cluster's listing of `resource` was read whole: a workload missing from it does not exist now. */
const listedWhole = (snapshot: Snapshot, resource: string) => snapshot.origin === 'live' && coverageOk(snapshot, resource as KindKey);

/**
 * The namespaces where a workload of `resource` named one of `names` exists (sorted), for a
 * rule held cluster-wide; undefined when the snapshot cannot tell (every namespace may hold one).
 */
export function namespacesOfNamed(snapshot: Snapshot, resource: string, names: readonly string[]): string[] | undefined {
  if (!listedWhole(snapshot, resource)) return undefined;
  const { namespaces } = byName(snapshot)(resource);
  return [...new Set(names.flatMap((n) => namespaces.get(n) ?? []))].sort();
}

/**
 * What the step of changing the workloads `names` of `resource` in `ns` to run as an account
 * holds on: 'none' when a complete live listing shows none of them exists (no step); otherwise
 * the text a message puts in the step's parentheses, naming those that exist, or saying that
 * it holds only if one exists when the snapshot cannot tell.
 */
export function namedWorkloadsIn(snapshot: Snapshot, resource: string, names: readonly string[], ns: string): 'none' | string {
  const { keys } = byName(snapshot)(resource);
  const sorted = [...new Set(names)].sort();
  const existing = sorted.filter((n) => keys.has(`${ns}/${n}`));
  const kind = KINDS.find((k) => k.key === resource)?.kind ?? resource;
  const list = (xs: readonly string[]) => xs.map((n) => `${ns}/${n}`).join(', ');
  const what = (xs: readonly string[]) => (xs.length === 1 ? `${kind} ${list(xs)}` : `${resource} ${list(xs)}`);
  if (existing.length > 0) return `only ${what(existing)}, which its resourceNames name`;
  if (listedWhole(snapshot, resource)) return 'none';
  const why = snapshot.origin === 'live' ? `${resource} could not be read (${snapshot.coverage[resource as KindKey]?.status ?? 'not collected'})` : 'not in the input';
  return `only ${what(sorted)}, which its resourceNames name, ${why}: this holds only if ${sorted.length === 1 ? 'it exists' : 'one of them exists'}`;
}

/** The workload write permissions (pods and controllers; create, update, patch) by label. */
const WRITES: ReadonlyMap<string, Permission> = new Map(workloadWritePermissions().map((x) => [permissionLabel(x), x]));

/**
 * A hit changing (update, patch) workloads limited by resourceNames: the permission, whose
 * resource names the kind; undefined for any other hit (a create, an unlimited change).
 */
export function namedChangeOf(h: PermissionHit): Permission | undefined {
  const w = WRITES.get(h.permission);
  return w && w.verb !== 'create' && h.ruleObj.resourceNames.length > 0 ? w : undefined;
}

/**
 * Where a workload write hit can change a workload: 'any' (its namespace, or every one held
 * cluster-wide) unless it is a change limited by resourceNames, which reaches only the
 * namespaces where one it names may exist (none when a complete live listing shows none).
 */
export function changeReaches(snapshot: Snapshot, h: PermissionHit): 'any' | readonly string[] {
  const change = namedChangeOf(h);
  if (!change) return 'any';
  const names = h.ruleObj.resourceNames;
  if (h.namespace) return namedWorkloadsIn(snapshot, change.resource, names, h.namespace) === 'none' ? [] : [h.namespace];
  return namespacesOfNamed(snapshot, change.resource, names) ?? 'any';
}

/** Create limited by resourceNames on each workload kind (namedOnly), and patch on it, one list each (findPermissions caches per list). */
const NAMED_CREATES: Permission[] = workloadWritePermissions().filter((x) => x.verb === 'create').map((x) => ({ ...x, namedOnly: true }));
const PATCHES: Permission[] = NAMED_CREATES.flatMap((x) => each(['patch'], x.group, [x.resource]));

/** Patch hits on one workload kind, in the order found: all, those held cluster-wide, and those of each namespace. */
interface PatchesOf {
  all: PermissionHit[];
  clusterWide: PermissionHit[];
  byNamespace: Map<string, PermissionHit[]>;
}

/** The patch hits of `patches` by the resource they name, then by namespace (cluster-wide ones apart). */
function indexPatches(patches: readonly PermissionHit[]): Map<string, PatchesOf> {
  const out = new Map<string, PatchesOf>();
  for (const q of patches) {
    const resource = q.permission.slice('patch '.length);
    let of = out.get(resource);
    if (!of) out.set(resource, (of = { all: [], clusterWide: [], byNamespace: new Map() }));
    of.all.push(q);
    if (!q.namespace) of.clusterWide.push(q);
    else (of.byNamespace.get(q.namespace) ?? of.byNamespace.set(q.namespace, []).get(q.namespace)!).push(q);
  }
  return out;
}

/** The patches of `a` and `b` in the order `all` found them (a merge, as the first hit on a name is the one a message names). */
function inFoundOrder(a: readonly PermissionHit[], b: readonly PermissionHit[], all: readonly PermissionHit[]): readonly PermissionHit[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const rank = orderIn(all);
  const out: PermissionHit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && rank.get(a[i]!)! < rank.get(b[j]!)!) ? a[i++]! : b[j++]!);
  return out;
}

const orders = new WeakMap<readonly PermissionHit[], Map<PermissionHit, number>>();
/** Each hit's position in `all`, once per list. */
function orderIn(all: readonly PermissionHit[]): Map<PermissionHit, number> {
  let m = orders.get(all);
  if (!m) orders.set(all, (m = new Map(all.map((h, i) => [h, i]))));
  return m;
}

/** The names of `names` a patch rule allows: all of them when it is not limited by resourceNames. */
function patchable(names: readonly string[], patch: PermissionHit): readonly string[] {
  const limit = patch.ruleObj.resourceNames;
  if (limit.length === 0) return names;
  if (limit.length === 1) return names.includes(limit[0]!) ? [limit[0]!] : [];
  const allowed = new Set(limit);
  return names.filter((n) => allowed.has(n));
}

/** The resource key (`pods`, `deployments`) of each named create's label (`create deployments.apps`). */
const CREATE_RESOURCE: ReadonlyMap<string, string> = new Map(NAMED_CREATES.map((x) => [permissionLabel(x), x.resource]));

/**
 * One grants list's halves of a server-side apply create: its creates limited by resourceNames,
 * and its patches indexed (found only when some list paired with it holds a create). Once per
 * list: a group's grants are paired with each of its members' without being searched again.
 */
interface Halves {
  creates: readonly PermissionHit[];
  patches?: Map<string, PatchesOf>;
}
const halvesCache = new WeakMap<readonly Grant[], Halves>();

function halvesOf(grants: readonly Grant[]): Halves {
  let h = halvesCache.get(grants);
  if (!h) halvesCache.set(grants, (h = { creates: findPermissions(grants, NAMED_CREATES) }));
  return h;
}

function patchesOf(grants: readonly Grant[], h: Halves): Map<string, PatchesOf> {
  return (h.patches ??= indexPatches(findPermissions(grants, PATCHES)));
}

/**
 * The groups every request of a subject is in without a binding naming them, as the apiserver
 * authenticates it (identityOf, which `can` and `who-can` answer by): a service account is in system:serviceaccounts,
 * system:serviceaccounts:NS and system:authenticated
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects,
 * https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/), a user in
 * system:authenticated, system:anonymous in system:unauthenticated only. Every member of a group
 * of service accounts is in the wider groups too.
 */
export function memberGroups(s: { kind: string; name: string; namespace?: string }): readonly string[] {
  if (s.kind === 'ServiceAccount') return [`${SA_GROUP}:${s.namespace ?? ''}`, SA_GROUP, AUTHENTICATED];
  if (s.kind === 'User') return identityOf({ kind: 'User', name: s.name }).groups;
  if (s.name.startsWith(`${SA_GROUP}:`)) return [SA_GROUP, AUTHENTICATED];
  return s.name === SA_GROUP ? [AUTHENTICATED] : [];
}
const SA_GROUP = 'system:serviceaccounts';
const AUTHENTICATED = 'system:authenticated';

/**
 * Creating workloads by server-side apply: a create limited by resourceNames, with patch on one
 * of those names (unlimited, or limited to it) effective in the same namespace. The apply is a
 * PATCH authorized as patch on the name and, as it creates the object, as create on that name
 * (ruleGrantsNamedCreate), so both are needed and nothing else: "create" alone is never limited
 * by resourceNames (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources)
 * and patch alone answers NotFound. RBAC allows a request when any rule of any binding of the
 * user or of one of its groups allows it (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go,
 * Authorize visits every binding's rules, v1.36), so the two halves may come from different
 * roles, bindings, and from the groups the subject is in: `lists` are the subject's own grants
 * first, then its groups'. Unless `anyHalf`, one half must be the subject's own (a pair both of
 * whose halves a group holds is that group's finding).
 *
 * An apply to an object that exists only patches it: patch.go passes forceAllowCreate to the
 * registry's Update, which creates, and calls createValidation (the create authorization), only
 * when no object is stored under the name (kubernetes
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, Store.Update,
 * `existingResourceVersion == 0`, v1.36); otherwise it updates the existing object. So where a
 * complete live listing of the kind shows a named object in the namespace (not being deleted),
 * that name is no create; a hit whose names all exist is none.
 * Held cluster-wide, or where the listing is incomplete, the names are kept (applyCreateText says
 * what holds).
 *
 * One hit per create hit and namespace it holds in (the create's, or the patch's when the create
 * is held cluster-wide), labelled as the create, its rule narrowed to the names both allow. Only
 * lists with a named create are looked further at. The patches are indexed by resource and
 * namespace, so a namespaced create looks only at the patches of its namespace and the
 * cluster-wide ones: the work grows with the hits, not with creates times patches.
 */
export function applyCreatePairs(lists: ReadonlyArray<readonly Grant[]>, snapshot: Snapshot, anyHalf = false): PermissionHit[] {
  const halves = lists.map(halvesOf);
  if (!halves.some((h) => h.creates.length > 0)) return [];
  const out = new Map<string, { create: PermissionHit; namespace: string | undefined; names: Set<string> }>();
  const add = (c: PermissionHit, q: PermissionHit) => {
    const names = patchable(c.ruleObj.resourceNames, q);
    if (names.length === 0) return;
    const namespace = c.namespace ?? q.namespace;
    const key = `${c.rule}|${c.binding.kind}/${c.binding.namespace ?? ''}/${c.binding.name}|${c.permission}|${namespace ?? ''}`;
    let was = out.get(key);
    if (!was) out.set(key, (was = { create: c, namespace, names: new Set() }));
    for (const n of names) was.names.add(n);
  };
  for (let i = 0; i < lists.length; i++) {
    for (const c of halves[i]!.creates) {
      const resource = c.permission.slice('create '.length);
      for (let j = 0; j < lists.length; j++) {
        if (!anyHalf && i > 0 && j > 0) continue;
        const of = patchesOf(lists[j]!, halves[j]!).get(resource);
        if (!of) continue;
        // Held cluster-wide, the create holds wherever a patch does: one hit per namespace (the output's own size).
        if (!c.namespace) for (const q of of.all) add(c, q);
        else for (const q of inFoundOrder(of.clusterWide, of.byNamespace.get(c.namespace) ?? [], of.all)) add(c, q);
      }
    }
  }
  const hits: PermissionHit[] = [];
  for (const { create: c, namespace, names } of out.values()) {
    let kept = [...names].sort();
    const kind = CREATE_RESOURCE.get(c.permission);
    if (namespace !== undefined && kind !== undefined && listedWhole(snapshot, kind)) {
      const { keys } = byName(snapshot)(kind);
      kept = kept.filter((n) => !keys.has(`${namespace}/${n}`));
      if (kept.length === 0) continue;
    }
    hits.push({ ...c, namespace, ruleObj: { ...c.ruleObj, resourceNames: kept } });
  }
  return hits;
}

/** The grants of every audited (or ignored) Group by name: a member's partners for applyCreatePairs. */
const groupGrants = memoize((ctx: AuditContext): ReadonlyMap<string, readonly Grant[]> => {
  const audit = rbacAudit(ctx);
  const out = new Map<string, readonly Grant[]>();
  for (const list of [audit.subjects, audit.ignored]) for (const x of list) if (x.subject.kind === 'Group') out.set(x.subject.name, x.grants);
  return out;
}, 'rbac');

/** applyCreateHits per grants array (a subject's grants are asked about by several checks). */
const applyCache = new WeakMap<readonly Grant[], readonly PermissionHit[]>();

/**
 * The creates an audited subject with `grants` makes by server-side apply (applyCreatePairs),
 * its halves from its own grants and those of the groups it is in (memberGroups), one of them its
 * own. Kept per grants array: rbac.workload-create-kube-system and rbac.privilege-escalation ask
 * for the same subject.
 */
export function applyCreateHits(grants: readonly Grant[], ctx: AuditContext, subject: Subject): readonly PermissionHit[] {
  let cached = applyCache.get(grants);
  if (cached === undefined) {
    const byGroup = groupGrants(ctx);
    const lists: Array<readonly Grant[]> = [grants];
    for (const g of memberGroups(subject)) {
      const more = byGroup.get(g);
      if (more && more.length > 0) lists.push(more);
    }
    applyCache.set(grants, (cached = applyCreatePairs(lists, ctx.snapshot)));
  }
  return cached;
}

/**
 * What a create hit of applyCreatePairs holds on, for a message: undefined for any other hit.
 * "create pods by a server-side apply creates only Pod NS/x, which its resourceNames name and
 * which does not exist" where a complete live listing shows it absent; otherwise that it holds
 * only where (or while) the named object does not exist.
 */
export function applyCreateText(snapshot: Snapshot, h: PermissionHit): string | undefined {
  const kind = CREATE_RESOURCE.get(h.permission);
  const names = h.ruleObj.resourceNames;
  if (kind === undefined || names.length === 0) return undefined;
  const label = KINDS.find((k) => k.key === kind)?.kind ?? kind;
  const what = names.length === 1 ? `${label} ${h.namespace ? `${h.namespace}/` : ''}${names[0]}` : `${kind} ${names.map((n) => (h.namespace ? `${h.namespace}/${n}` : n)).join(', ')}`;
  const by = `${h.permission} by a server-side apply creates only ${what}, which its resourceNames name`;
  const one = names.length === 1 ? 'it does' : 'one of them does';
  if (h.namespace === undefined) return `${by}, in a namespace where ${one} not exist (an apply to an existing one only patches it)`;
  if (listedWhole(snapshot, kind)) return `${by}, and which ${names.length === 1 ? 'does' : 'do'} not exist`;
  const why = snapshot.origin === 'live' ? `${kind} could not be read (${snapshot.coverage[kind as KindKey]?.status ?? 'not collected'})` : 'the input is no live listing';
  return `${by}; ${why}, and an apply to an existing one only patches it, so this holds only if ${one} not exist`;
}
