// Reviewer follow-up of repro r4: rbac.pod-exec-attach says "port-forward to pods" for
// pods/portforward, but rbac.aggregation-into-builtin still said a ClusterRole aggregating only
// create pods/portforward lets every holder "exec into pods". Port-forwarding opens a pod's ports
// to the client ("Forward one or more local ports to a pod":
// https://kubernetes.io/docs/reference/kubectl/generated/kubectl_port-forward/), exec runs a
// command in a container (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_exec/):
// both checks word it with one function, and port-forwarding alone is medium in both.
// Aggregation: a ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-view: "true" adds its
// rules to view, and so to edit and admin (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles,
// "Default roles and role bindings": view is aggregated into edit, edit into admin). The bootstrap
// edit role already grants create on pods/exec, pods/attach and pods/portforward
// (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml, ClusterRole
// edit; "edit ... allows read/write access to most objects in a namespace":
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles), so a role labelled
// aggregate-to-edit adds port-forwarding to nobody.
import { describe, expect, it } from 'vitest';
import { aggregationIntoBuiltin as check } from '../../../checks/rbac/aggregation-into-builtin.ts';
import { podExecAttach } from '../../../checks/rbac/pod-exec-attach.ts';
import { RBAC, run, snap } from './helpers.ts';

const aggregated = (into: 'view' | 'edit', resources: string) => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: pf-tools, labels: {rbac.authorization.k8s.io/aggregate-to-${into}: "true"}}
rules:
- {apiGroups: [""], resources: [${resources}], verbs: [create]}
`;

// Somebody holds view, so the finding is not the latent (medium) one.
const VIEWER = `
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: viewers, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: app-viewers, apiGroup: rbac.authorization.k8s.io}]
`;

const verdict = (yaml: string) => {
  const [v] = run(check, snap(yaml));
  return { status: v.status, severity: v.severity ?? check.severity, message: v.message, evidence: v.evidence };
};

describe('rbac.aggregation-into-builtin: port-forwarding is worded and rated as rbac.pod-exec-attach does', () => {
  it('create pods/portforward aggregated into view: every view holder can port-forward to pods, medium, not exec', () => {
    const v = verdict(`${aggregated('view', 'pods/portforward')}---${VIEWER}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toBe('ClusterRole pf-tools aggregates into view, edit and admin, so every holder of view can port-forward to pods (create pods/portforward); 1 binding grants them (view: 1)');
    expect(v.message).not.toContain('exec');
    expect(v.evidence?.dangerousPermissions).toEqual([
      { permission: 'create pods/portforward', risk: 'port-forward to pods', control: '5.1.8', rules: ['create pods/portforward (core)'], newFor: ['view'] },
    ]);
  });

  it('the same words as rbac.pod-exec-attach gives a holder of the same permission', () => {
    const holder = `${aggregated('view', 'pods/portforward')}---${VIEWER.replace('kind: Group, name: app-viewers', 'kind: User, name: dev')}`;
    const held = run(podExecAttach, snap(holder.replace('name: view}', 'name: pf-tools}'))).find((x) => x.resource.name === 'dev')!;
    expect(held.message).toContain('can port-forward to pods in namespace app');
    expect(verdict(holder).message).toContain('can port-forward to pods');
  });

  it('exec and port-forward together: "exec into or port-forward to pods", high', () => {
    const v = verdict(`${aggregated('view', 'pods/exec, pods/portforward')}---${VIEWER}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('every holder of view can exec into or port-forward to pods (create pods/exec, create pods/portforward)');
    expect((v.evidence?.dangerousPermissions as Array<{ risk: string }>).map((d) => d.risk)).toEqual(['exec into pods', 'port-forward to pods']);
  });

  it('port-forward beside another danger stays high, each named', () => {
    const v = verdict(`${aggregated('view', 'pods/portforward')}- {apiGroups: [""], resources: [secrets], verbs: [list]}\n---${VIEWER}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('every holder of view can port-forward to pods and read Secrets (create pods/portforward, list secrets)');
  });

  it('aggregated into edit it adds nothing: the bootstrap edit role already port-forwards', () => {
    const v = verdict(aggregated('edit', 'pods/portforward'));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('ClusterRole pf-tools aggregates into edit and admin, and adds no dangerous permission to them');
  });
});
