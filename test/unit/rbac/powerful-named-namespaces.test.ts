// Follow-up of reviewer repro r6: patch on namespaces limited by resourceNames to team-a, granted to
// a service account by a ClusterRoleBinding, made that account "powerful cluster-wide", so whoever
// could create workloads (or exec) in its namespace was rated as if in kube-system. A rule limited
// by resourceNames allows only the objects it names (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources;
// ResourceNameMatches, kubernetes pkg/apis/rbac/v1/evaluation_helpers.go), and the name of a
// namespace request is the namespace (/api/v1/namespaces/NAME), so the account can relabel team-a
// alone: what a RoleBinding in team-a would give, which never made an account powerful. Relabelling
// kube-system is (kubernetes.io/docs/concepts/security/rbac-good-practices/, "Namespace
// modification"), so naming kube-system keeps it powerful, as unrestricted patch on namespaces does.
import { describe, expect, it } from 'vitest';
import { powerfulServiceAccounts } from '../../../checks/rbac/common.ts';
import { podExecAttach } from '../../../checks/rbac/pod-exec-attach.ts';
import { workloadCreateKubeSystem } from '../../../checks/rbac/workload-create-kube-system.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { RBAC, run, snap } from './helpers.ts';

/** ServiceAccount team-b/relabeler with patch on namespaces (limited to `names`) through a ClusterRoleBinding. */
const relabeler = (names?: string) => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: relabel}
rules:
- {apiGroups: [""], resources: ["namespaces"], verbs: ["patch"]${names ? `, resourceNames: [${names}]` : ''}}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: relabel}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: relabel}
subjects: [{kind: ServiceAccount, name: relabeler, namespace: team-b}]
`;

// User dev can create Deployments and exec into pods in team-b, through a RoleBinding there.
const DEV = `
apiVersion: ${RBAC}
kind: Role
metadata: {name: deployer, namespace: team-b}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: deployer, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
`;

const dev = (names?: string) => {
  const s = snap(`${relabeler(names)}---${DEV}`);
  const pick = (vs: ReturnType<typeof run>) => vs.find((v) => v.resource.name === 'dev')!;
  const create = pick(run(workloadCreateKubeSystem, s));
  const exec = pick(run(podExecAttach, s));
  return { s, create, exec, execSeverity: exec.severity ?? podExecAttach.severity };
};

describe('powerfulServiceAccounts: patch on namespaces limited by resourceNames is scoped to the named namespaces', () => {
  it('patch namespaces [team-a] through a ClusterRoleBinding: team-b/relabeler is not powerful, dev creating workloads in team-b passes', () => {
    const { s, create, exec, execSeverity } = dev('team-a');
    expect(powerfulServiceAccounts({ snapshot: s, config: defaultConfig(), now: new Date() }).byNamespace.get('team-b')).toBeUndefined();
    expect(create.status).toBe('pass');
    expect(exec.status).toBe('fail');
    expect(execSeverity).toBe('medium');
    expect(exec.message).toBe('User:dev can exec into pods in namespace team-b (create pods/exec) via RoleBinding team-b/deployer → Role team-b/deployer');
  });

  it('unrestricted patch namespaces: team-b/relabeler is powerful cluster-wide, dev creating workloads in team-b fails', () => {
    const { create, execSeverity } = dev();
    expect(create.status).toBe('fail');
    expect(create.severity ?? workloadCreateKubeSystem.severity).toBe('high');
    expect(create.message).toContain('Namespace team-b holds ServiceAccount team-b/relabeler, which has dangerous permissions cluster-wide: a workload created there can run as it');
    expect(execSeverity).toBe('high');
  });

  it('patch namespaces [kube-system] is powerful in kube-system, and naming it beside team-a too', () => {
    for (const names of ['kube-system', 'team-a, kube-system']) {
      const { create } = dev(names);
      expect(create.status, names).toBe('fail');
      expect(create.message, names).toContain('Namespace team-b holds ServiceAccount team-b/relabeler, which has dangerous permissions in kube-system');
    }
  });
});
