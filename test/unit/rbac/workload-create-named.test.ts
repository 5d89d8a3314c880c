// Known gaps (RBAC), closed here. Both rbac.workload-create-kube-system and
// rbac.privilege-escalation now judge a write to workloads limited by resourceNames by one shared
// notion (checks/rbac/lib/named-workloads.ts):
//
// 1. An update or patch limited by resourceNames changes only the objects it names
//    (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources); one
//    that does not exist answers NotFound, so where a complete live listing shows none of them the
//    write runs nothing. rbac.workload-create-kube-system counted it anyway (before: carol, allowed
//    only `patch deployments` named web in kube-system where no Deployment web exists, failed).
// 2. A create limited by resourceNames is never a plain create (the docs: "You cannot restrict
//    create or deletecollection requests by their resource name"), but a server-side apply
//    (PATCH with Content-Type application/apply-patch+yaml) of an object that does not exist
//    creates it and is authorized twice: as the request's patch on the name, and, through
//    createValidation's withAuthorization, as "create" with Name set to that name (kubernetes
//    staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, PatchResource's
//    createAuthorizerAttributes; patchResource sets forceAllowCreate for ApplyYAMLPatchType, as of
//    v1.36). RBAC matches that name against the rule's resourceNames (kubernetes
//    plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows → ResourceNameMatches). So create and
//    patch on a same name create it; either alone does not (before: not counted at all).
// 3. A controller being deleted (metadata.deletionTimestamp set) creates no pods, however its
//    template changes: the Deployment controller only syncs status (kubernetes
//    pkg/controller/deployment/deployment_controller.go syncDeployment, `if d.DeletionTimestamp
//    != nil { return dc.syncStatusOnly(...) }`), the ReplicaSet controller manages replicas only
//    `if rsNeedsSync && rs.DeletionTimestamp == nil` (pkg/controller/replicaset/replica_set.go),
//    the StatefulSet, DaemonSet and CronJob controllers return early the same way. So such a
//    Deployment no longer counts as one to change (before: it did). Nor, now, a Pod or Job being
//    deleted (see the tests below for why).
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { workloadCreateKubeSystem } from '../../../checks/rbac/workload-create-kube-system.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { RBAC, run, snap } from './helpers.ts';

const NAMESPACES = ['kube-system', 'ops', 'web-team'].map((n) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ${n}}
`).join('');
/** ops holds a cluster-admin-equivalent account. */
const OPS_ADMIN = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-sa, namespace: ops}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: admin-sa}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-sa, namespace: ops}]
`;

/** User carol holds `rules` by a RoleBinding in `where` (a ClusterRoleBinding when omitted). */
const grant = (role: string, rules: string, where?: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${role}}
rules: ${rules}
---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: carol-${role}${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
`;
const rule = (verbs: string, group: string, resource: string, names?: string) =>
  `[{apiGroups: ["${group}"], resources: [${resource}], verbs: [${verbs}]${names ? `, resourceNames: [${names}]` : ''}}]`;
const deployment = (ns: string, name: string, deleting = false) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}${deleting ? ', deletionTimestamp: "2026-11-25T23:00:00Z", finalizers: [foregroundDeletion]' : ''}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: app, image: nginx}]}}
`;
const pod = (ns: string, name: string, deleting = false) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}${deleting ? ', deletionTimestamp: "2026-11-25T23:00:00Z"' : ''}}
spec: {containers: [{name: app, image: nginx}]}
`;
const job = (ns: string, name: string, deleting = false) => `---
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: ${ns}${deleting ? ', deletionTimestamp: "2026-11-25T23:00:00Z", finalizers: [foregroundDeletion]' : ''}}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: app, image: nginx}]}}}
`;

const live = (yaml: string): Snapshot => ({ ...snap(NAMESPACES + yaml), origin: 'live', source: 'live' });
const carol = (check: Check, s: Snapshot) => {
  const v = run(check, s).find((x) => x.resource.kind === 'User' && x.resource.name === 'carol');
  return { status: v?.status ?? 'none', severity: v?.severity ?? check.severity, message: v?.message ?? '' };
};
const KS = workloadCreateKubeSystem;

describe('rbac.workload-create-kube-system: a change limited by resourceNames counts only where a workload it names may exist', () => {
  const patchWeb = (where?: string) => grant('patch-web', rule('patch', 'apps', 'deployments', 'web'), where);

  it('live, Deployments listed, no kube-system/web: patch limited to web runs nothing there (before: fail)', () => {
    expect(carol(KS, live(patchWeb('kube-system') + deployment('kube-system', 'coredns'))).status).toBe('pass');
  });

  it('live, kube-system/web exists: its template can be changed, so it fails', () => {
    expect(carol(KS, live(patchWeb('kube-system') + deployment('kube-system', 'web'))).status).toBe('fail');
  });

  it('from manifests, or Deployments unreadable, web may exist: it still fails (cannot be ruled out)', () => {
    expect(carol(KS, snap(NAMESPACES + patchWeb('kube-system'))).status).toBe('fail');
    const s = live(patchWeb('kube-system'));
    const unread: Snapshot = { ...s, coverage: { ...s.coverage, deployments: { status: 'forbidden', detail: 'list deployments.apps' } }, resources: { ...s.resources, deployments: [] } };
    expect(carol(KS, unread).status).toBe('fail');
  });

  it('held cluster-wide: counts only when web exists in kube-system (or a namespace holding a powerful account)', () => {
    expect(carol(KS, live(patchWeb() + deployment('web-team', 'web'))).status).toBe('pass');
    expect(carol(KS, live(patchWeb() + deployment('web-team', 'web') + deployment('kube-system', 'web'))).status).toBe('fail');
    expect(carol(KS, live(OPS_ADMIN + patchWeb() + deployment('ops', 'web'))).status).toBe('fail');
  });

  it('unlimited patch, and create, are unchanged: they fail whatever exists', () => {
    expect(carol(KS, live(grant('patch-all', rule('patch', 'apps', 'deployments'), 'kube-system'))).status).toBe('fail');
    expect(carol(KS, live(grant('create-all', rule('create', 'apps', 'deployments'), 'kube-system'))).status).toBe('fail');
  });
});

describe('create limited by resourceNames with patch on the same name: a server-side apply creates the workload', () => {
  it('rbac.workload-create-kube-system: create and patch on web, no web in kube-system: fails (before: pass)', () => {
    const f = carol(KS, live(grant('apply-web', rule('create, patch', 'apps', 'deployments', 'web'), 'kube-system')));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('create deployments.apps');
  });

  it('the two halves from different bindings (create cluster-wide, patch in kube-system) combine in kube-system', () => {
    const s = live(grant('create-web', rule('create', 'apps', 'deployments', 'web')) + grant('patch-web', rule('patch', 'apps', 'deployments', 'web'), 'kube-system'));
    expect(carol(KS, s).status).toBe('fail');
  });

  it('either half alone, or the two on different names, creates nothing: pass', () => {
    expect(carol(KS, live(grant('create-web', rule('create', 'apps', 'deployments', 'web'), 'kube-system'))).status).toBe('pass');
    expect(carol(KS, live(grant('create-web', rule('create', 'apps', 'deployments', 'web'), 'kube-system') + grant('patch-api', rule('patch', 'apps', 'deployments', 'api'), 'kube-system'))).status).toBe('pass');
    // update is no apply: create with update on web does not create it.
    expect(carol(KS, live(grant('create-web', rule('create', 'apps', 'deployments', 'web'), 'kube-system') + grant('update-web', rule('update', 'apps', 'deployments', 'web'), 'kube-system'))).status).toBe('pass');
    // The halves in different namespaces meet nowhere.
    expect(carol(KS, live(grant('create-web', rule('create', 'apps', 'deployments', 'web'), 'kube-system') + grant('patch-web', rule('patch', 'apps', 'deployments', 'web'), 'web-team'))).status).toBe('pass');
  });

  it('rbac.privilege-escalation: create and patch on pod x in ops, where admin-sa is cluster-admin: critical, saying how', () => {
    const f = carol(privilegeEscalation, live(OPS_ADMIN + grant('apply-x', rule('create, patch', '', 'pods', 'x'), 'ops')));
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toContain('create pods in ops that run as ServiceAccount ops/admin-sa (spec.serviceAccountName: admin-sa; by a server-side apply creating pods x, which its resourceNames name, with patch on it)');
  });

  it('rbac.privilege-escalation: create on pod x alone, or patch alone, is no step', () => {
    expect(carol(privilegeEscalation, live(OPS_ADMIN + grant('create-x', rule('create', '', 'pods', 'x'), 'ops'))).status).not.toBe('fail');
    expect(carol(privilegeEscalation, live(OPS_ADMIN + grant('patch-x', rule('patch', '', 'pods', 'x'), 'ops'))).status).not.toBe('fail');
  });
});

describe('a workload being deleted (deletionTimestamp set) is not one a change can run code through', () => {
  const patchWeb = (where?: string) => grant('patch-web', rule('patch', 'apps', 'deployments', 'web'), where);

  it('rbac.workload-create-kube-system: kube-system/web being deleted: pass (before: fail)', () => {
    expect(carol(KS, live(patchWeb('kube-system') + deployment('kube-system', 'web', true))).status).toBe('pass');
  });

  it('rbac.privilege-escalation: ops/web being deleted gives no step to ops/admin-sa (before: critical)', () => {
    expect(carol(privilegeEscalation, live(OPS_ADMIN + patchWeb('ops') + deployment('ops', 'web', true))).severity).not.toBe('critical');
    expect(carol(privilegeEscalation, live(OPS_ADMIN + patchWeb('ops') + deployment('ops', 'web'))).severity).toBe('critical');
  });

  // A Pod being deleted starts no new container however its spec changes: the kubelet's pod
  // workers pass it to SyncPod ("starts and restarts all containers") only "until ... the pod is
  // marked as deleted", then to SyncTerminatingPod, and "a pod that is terminated will never be
  // restarted" (kubernetes pkg/kubelet/pod_workers.go, PodWorkers.UpdatePod and podSyncer doc
  // comments, master branch; release tag not confirmed). A Job's pod template
  // cannot change at all (pkg/apis/batch/validation ValidateJobSpecUpdate, v1.36).
  it('a Pod being deleted no longer counts for a patch limited to it (before: fail); one that is not being deleted does', () => {
    const patchPod = grant('patch-p', rule('patch', '', 'pods', 'p'), 'kube-system');
    expect(carol(KS, live(patchPod + pod('kube-system', 'p', true))).status).toBe('pass');
    expect(carol(KS, live(patchPod + pod('kube-system', 'p'))).status).toBe('fail');
    expect(carol(KS, live(patchPod + pod('kube-system', 'q'))).status).toBe('pass');
  });

  it('a Job being deleted no longer counts for an update limited to it (before: fail); one that is not being deleted does', () => {
    const updateJob = grant('update-j', rule('update', 'batch', 'jobs', 'j'), 'kube-system');
    expect(carol(KS, live(updateJob + job('kube-system', 'j', true))).status).toBe('pass');
    expect(carol(KS, live(updateJob + job('kube-system', 'j'))).status).toBe('fail');
  });
});

describe('rbac.workload-create-kube-system: a cluster-wide change limited by resourceNames names where it counts (reviewer r-mr1 rb-live)', () => {
  // Before: "User:carol can create or change workloads in kube-system cluster-wide (patch
  // deployments.apps)" for a patch that, by the live listing, reaches only ops/web.
  it('reaching only ops/web, where admin-sa is cluster-admin: names namespace ops, ops/admin-sa and Deployment ops/web, not kube-system', () => {
    const f = carol(KS, live(OPS_ADMIN + grant('patch-web', rule('patch', 'apps', 'deployments', 'web')) + deployment('ops', 'web') + deployment('web-team', 'web')));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('can create or change workloads in namespace ops (patch deployments.apps)');
    expect(f.message).toContain('Namespace ops holds ServiceAccount ops/admin-sa');
    expect(f.message).toContain('patch deployments.apps changes only Deployment ops/web, which its resourceNames name');
    expect(f.message).not.toContain('kube-system');
    expect(f.message).not.toContain('web-team');
  });

  it('reaching kube-system/web as well: names both namespaces', () => {
    const f = carol(KS, live(OPS_ADMIN + grant('patch-web', rule('patch', 'apps', 'deployments', 'web')) + deployment('ops', 'web') + deployment('kube-system', 'web')));
    expect(f.message).toContain('in namespaces kube-system, ops (patch deployments.apps)');
  });

  it('from manifests (web may exist anywhere) it stays cluster-wide, in kube-system', () => {
    const f = carol(KS, snap(NAMESPACES + OPS_ADMIN + grant('patch-web', rule('patch', 'apps', 'deployments', 'web')) + deployment('ops', 'web')));
    expect(f.message).toContain('can create or change workloads in kube-system cluster-wide (patch deployments.apps)');
  });
});

describe('rbac.workload-create-kube-system: a hit in kube-system says "in kube-system" once', () => {
  // Before: "can create or change workloads in kube-system in namespace kube-system (…)". RBAC: a
  // RoleBinding grants its role's permissions within its own namespace only
  // (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding).
  it('a RoleBinding in kube-system', () => {
    const f = carol(KS, live(grant('create-all', rule('create', 'apps', 'deployments'), 'kube-system')));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('User:carol can create or change workloads in kube-system (create deployments.apps) via');
    expect(f.message).not.toContain('in namespace kube-system');
  });

  it('a cluster-wide patch limited to web that the live listing shows reaching only kube-system/web', () => {
    const f = carol(KS, live(grant('patch-web', rule('patch', 'apps', 'deployments', 'web')) + deployment('kube-system', 'web') + deployment('web-team', 'web')));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('User:carol can create or change workloads in kube-system (patch deployments.apps) via');
    expect(f.message).not.toContain('in namespace kube-system');
    expect(f.message).not.toContain('cluster-wide (');
  });
});
