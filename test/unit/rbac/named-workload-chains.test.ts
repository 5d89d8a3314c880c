// Known gap (RBAC), closed here: a change (update, patch) of workloads limited by resourceNames
// was a step of rbac.privilege-escalation's chains to every cluster-admin-equivalent account of
// its namespace, whatever it named. A rule with resourceNames allows only requests on the objects
// it names (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources),
// and patching one that does not exist creates nothing: a plain patch answers NotFound, and a
// server-side apply that would create it is authorized as create on that name (kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, createAuthorizerAttributes, as of
// v1.36), which patch does not grant. Repro before the fix (a reviewer's live snapshot): carol,
// allowed only `patch deployments` named web in ops, where no Deployment web exists and the
// Deployments were listed, was critical "can change deployments in ops so that their pods run as
// ServiceAccount ops/admin-sa".
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { RBAC, run, snap } from './helpers.ts';

const OPS = `---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Namespace
metadata: {name: web-team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ops}
---
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

/** User `name` may patch the Deployments named `names`, by a RoleBinding in `where` (a ClusterRoleBinding when omitted). */
const patcher = (name: string, names: string, where?: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}-patch}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [patch], resourceNames: [${names}]}]
---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}-patch}
subjects: [{kind: User, name: ${name}, apiGroup: rbac.authorization.k8s.io}]
`;
const deployment = (ns: string, name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: app, image: nginx}]}}
`;
/** zoe may impersonate carol: a chain whose second step is carol's. */
const ZOE = `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: as-carol}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [carol]}]
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: zoe}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: as-carol}
subjects: [{kind: User, name: zoe, apiGroup: rbac.authorization.k8s.io}]
`;

const live = (yaml: string): Snapshot => ({ ...snap(yaml), origin: 'live', source: 'live' });
const finding = (s: Snapshot, name: string) => {
  const v = run(privilegeEscalation, s).find((x) => x.resource.kind === 'User' && x.resource.name === name);
  return { status: v?.status ?? 'none', severity: v?.severity ?? privilegeEscalation.severity, message: v?.message ?? '' };
};
const ADMIN_SA = 'which is cluster-admin-equivalent because ClusterRoleBinding admin-sa binds it to ClusterRole cluster-admin, every verb on every resource';

describe('rbac.privilege-escalation: changing workloads limited by resourceNames reaches only through the workloads it names', () => {
  it('live, Deployments listed, no Deployment ops/web: carol may patch only web, so no step (before: critical)', () => {
    const s = live(OPS + patcher('carol', 'web', 'ops') + deployment('ops', 'api'));
    expect(finding(s, 'carol').status).not.toBe('fail');
    // Nor is a chain through carol one: zoe, who may act as carol, is not critical by it (before: critical).
    expect(finding(live(OPS + patcher('carol', 'web', 'ops') + ZOE), 'zoe').severity).not.toBe('critical');
  });

  it('live, Deployment ops/web exists: changing its template runs its pods as ops/admin-sa: critical, naming it', () => {
    const f = finding(live(OPS + patcher('carol', 'web', 'ops') + deployment('ops', 'web')), 'carol');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toContain(`It can change deployments in ops so that their pods run as ServiceAccount ops/admin-sa (pod template spec.serviceAccountName: admin-sa; only Deployment ops/web, which its resourceNames name), ${ADMIN_SA}: that is cluster-admin`);
    // The chain through carol holds too, with the same caveat-free step.
    const zoe = finding(live(OPS + patcher('carol', 'web', 'ops') + deployment('ops', 'web') + ZOE), 'zoe');
    expect(zoe.severity).toBe('critical');
    expect(zoe.message).toContain(`which is cluster-admin-equivalent because it can change deployments in ops so that their pods run as ServiceAccount ops/admin-sa (pod template spec.serviceAccountName: admin-sa; patch deployments.apps by RoleBinding ops/carol → ClusterRole carol-patch; only Deployment ops/web, which its resourceNames name), ${ADMIN_SA}`);
  });

  it('from manifests without web, the step stays, saying it holds only if web exists', () => {
    const f = finding(snap(OPS + patcher('carol', 'web', 'ops')), 'carol');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('(pod template spec.serviceAccountName: admin-sa; only Deployment ops/web, which its resourceNames name, not in the input: this holds only if it exists)');
    const zoe = finding(snap(OPS + patcher('carol', 'web', 'ops') + ZOE), 'zoe');
    expect(zoe.severity).toBe('critical');
    expect(zoe.message).toContain('only Deployment ops/web, which its resourceNames name, not in the input: this holds only if it exists');
  });

  it('live, Deployments could not be read: the step stays, saying why it cannot be confirmed', () => {
    const s = live(OPS + patcher('carol', 'web, blue', 'ops'));
    const unread: Snapshot = { ...s, coverage: { ...s.coverage, deployments: { status: 'forbidden', detail: 'list deployments.apps' } }, resources: { ...s.resources, deployments: [] } };
    const f = finding(unread, 'carol');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('only deployments ops/blue, ops/web, which its resourceNames name, deployments could not be read (forbidden): this holds only if one of them exists');
  });

  it('held cluster-wide: only the namespaces holding a workload it names are reached', () => {
    // web exists in web-team only, which holds no cluster-admin-equivalent account: nothing.
    expect(finding(live(OPS + patcher('carol', 'web') + deployment('web-team', 'web')), 'carol').status).not.toBe('fail');
    const f = finding(live(OPS + patcher('carol', 'web') + deployment('web-team', 'web') + deployment('ops', 'web')), 'carol');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('change deployments in ops so that their pods run as ServiceAccount ops/admin-sa (pod template spec.serviceAccountName: admin-sa; only Deployment ops/web, which its resourceNames name)');
  });

  it('unlimited patch is unchanged: any Deployment of ops may be changed to run as ops/admin-sa, existing or not', () => {
    const f = finding(live(OPS + patcher('carol', 'web', 'ops').replace(', resourceNames: [web]', '')), 'carol');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('(pod template spec.serviceAccountName: admin-sa), ');
  });
});
