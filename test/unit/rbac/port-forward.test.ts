// Reviewer repro r4: a Role with only create on pods/portforward was reported as "can exec into
// pods". Port-forwarding opens a pod's ports to the client ("Forward one or more local ports to a
// pod": https://kubernetes.io/docs/reference/kubectl/generated/kubectl_port-forward/; "Use Port
// Forwarding to Access Applications in a Cluster":
// https://kubernetes.io/docs/tasks/access-application-cluster/port-forward-access-application-cluster/);
// exec runs a command in a container, attach joins its running process
// (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_exec/, kubectl_attach/). The
// finding says which the subject holds, and port-forwarding alone, which enters no container (no
// token, no shell, no way to the node), is medium wherever it is held.
import { describe, expect, it } from 'vitest';
import { podExecAttach } from '../../../checks/rbac/pod-exec-attach.ts';
import { RBAC, run, snap } from './helpers.ts';

const role = (resources: string, binding: 'RoleBinding' | 'ClusterRoleBinding', user: string, ns = 'app') => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${user}}
rules:
- {apiGroups: [""], resources: [${resources}], verbs: [create]}
---
apiVersion: ${RBAC}
kind: ${binding}
metadata: {name: ${user}${binding === 'RoleBinding' ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${user}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}\n';

const verdict = (yaml: string, user: string) => {
  const v = run(podExecAttach, snap(`${NS}---${yaml}`)).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? podExecAttach.severity, message: v.message };
};

describe('rbac.pod-exec-attach: the message says what the subject can do to pods', () => {
  it('r4: a Role with only create pods/portforward says port-forward, not exec', () => {
    const v = verdict(role('pods/portforward', 'RoleBinding', 'dev'), 'dev');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('User:dev can port-forward to pods in namespace app (create pods/portforward) via RoleBinding app/dev → ClusterRole dev');
    expect(v.message).not.toContain('exec');
    expect(v.severity).toBe('medium');
  });

  it('r4: port-forwarding cluster-wide is medium, not high (no token, no shell)', () => {
    const v = verdict(role('pods/portforward', 'ClusterRoleBinding', 'dev2'), 'dev2');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('User:dev2 can port-forward to pods cluster-wide');
  });

  it('port-forwarding in kube-system is medium too', () => {
    expect(verdict(role('pods/portforward', 'RoleBinding', 'dev3', 'kube-system'), 'dev3').severity).toBe('medium');
  });

  it('exec and attach say so, and keep their severity (high cluster-wide)', () => {
    const v = verdict(role('pods/exec, pods/attach', 'ClusterRoleBinding', 'ops'), 'ops');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('User:ops can exec into or attach to pods cluster-wide');
  });

  it('exec with port-forward names both, and is rated as exec', () => {
    const v = verdict(role('pods/exec, pods/portforward', 'ClusterRoleBinding', 'sre'), 'sre');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('User:sre can exec into or port-forward to pods cluster-wide');
  });
});
