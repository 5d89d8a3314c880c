// Bind and escalate limited by resourceNames reach a namespace's service accounts when what they
// let the subject hold does (reviewer repros b1, b2):
// - bind limited to named roles lets its holder grant those roles
//   (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update),
//   and a role that creates workloads, or execs into pods, in a namespace acts as its service
//   accounts: "users who can create pods in a namespace can run them as any service account of
//   it" (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation);
// - escalate limited to a named Role, with update or patch on it, lets its holder write any rule
//   into that Role (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update),
//   so a Role it is bound to (or can bind) gives it anything in the namespace, minting tokens included.
// In namespace ops, ServiceAccount ops/deployer-bot is cluster-admin: a way to act as it is rated as in kube-system.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.privilege-escalation')!;
const verdictOf = (yaml: string, name: string) => run(check, snap(yaml)).find((v) => v.resource.name === name)!;

const OPS = `
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer-bot, namespace: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: plain, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-bot-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer-bot, namespace: ops}]
`;
const CLUSTER_ROLE = (name: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
`;
/** Role ops/NAME with `rules`, bound in ops to User `user`. */
const ROLE_FOR = (name: string, user: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${name}, namespace: ops}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${user}-${name}, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;
const RB = 'rbac.authorization.k8s.io';
const GRANTOR = (target: string) => `[{apiGroups: [${RB}], resources: [clusterroles], verbs: [bind], resourceNames: [${target}]}, {apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}]`;
const NOTE = '. Namespace ops holds ServiceAccount ops/deployer-bot, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system';

describe('rbac.privilege-escalation: bind limited to named roles that create workloads or exec into pods', () => {
  it('b1: alice may bind only pod-runner (create pods) in ops, beside cluster-admin ops/deployer-bot: high, with the note', () => {
    const yaml = OPS + CLUSTER_ROLE('pod-runner', '[{apiGroups: [""], resources: [pods], verbs: [create, get, list]}]') + ROLE_FOR('grantor', 'alice', GRANTOR('pod-runner'));
    const v = verdictOf(yaml, 'alice');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe(`User:alice can escalate privileges in namespace ops (bind clusterroles.rbac.authorization.k8s.io) via RoleBinding ops/alice-grantor → Role ops/grantor${NOTE}`);
  });

  it('roles that change a named Deployment (its pod template names any account) or exec into every pod: high too', () => {
    for (const rules of [
      '[{apiGroups: [apps], resources: [deployments], verbs: [patch], resourceNames: [web]}]',
      '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]',
      '[{apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [update]}]',
    ]) {
      const yaml = OPS + CLUSTER_ROLE('runner', rules) + ROLE_FOR('grantor', 'alice', GRANTOR('runner'));
      expect(verdictOf(yaml, 'alice').severity, rules).toBeUndefined();
    }
  });

  it('roles that only port-forward, read pods, create a named pod (no create is limited by name) or exec into a pod running as ops/plain: medium, no note', () => {
    const POD = `
---
apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: ops}
spec: {serviceAccountName: plain, containers: [{name: c, image: busybox}]}
`;
    for (const rules of [
      '[{apiGroups: [""], resources: [pods/portforward], verbs: [create]}]',
      '[{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}]',
      '[{apiGroups: [""], resources: [pods], verbs: [create], resourceNames: [tools]}]',
      '[{apiGroups: [""], resources: [pods/exec], verbs: [create], resourceNames: [tools]}]',
    ]) {
      const yaml = OPS + POD + CLUSTER_ROLE('runner', rules) + ROLE_FOR('grantor', 'alice', GRANTOR('runner'));
      const v = verdictOf(yaml, 'alice');
      expect(v.severity, rules).toBe('medium');
      expect(v.message, rules).not.toContain('Namespace ops holds');
    }
  });
});

// Reviewer repro bind/dep.yaml. Bind only lifts the escalation check on a RoleBinding write: the
// write itself still needs create, update or patch on rolebindings in the namespace
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
describe('rbac.privilege-escalation: bind without a RoleBinding write binds nothing', () => {
  const DEPLOYER = CLUSTER_ROLE('deployer', '[{apiGroups: [apps], resources: [deployments], verbs: [get, update, patch]}]');
  const BIND = (target: string) => `{apiGroups: [${RB}], resources: [clusterroles], verbs: [bind]${target ? `, resourceNames: [${target}]` : ''}}`;

  it('ops may bind only deployer, or any role, in ops and write no RoleBinding: medium, no note', () => {
    for (const target of ['deployer', '']) {
      const v = verdictOf(OPS + DEPLOYER + ROLE_FOR('binder', 'ops', `[${BIND(target)}]`), 'ops');
      expect(v.status, target).toBe('fail');
      expect(v.severity, target).toBe('medium');
      expect(v.message, target).toBe('User:ops can escalate privileges in namespace ops (bind clusterroles.rbac.authorization.k8s.io) via RoleBinding ops/ops-binder → Role ops/binder');
    }
  });

  it('with create, update or patch on rolebindings there (any RoleBinding of ops or a ClusterRoleBinding): high, with the note', () => {
    for (const verb of ['create', 'update', 'patch']) {
      const yaml = OPS + DEPLOYER + ROLE_FOR('binder', 'ops', `[${BIND('deployer')}]`) + ROLE_FOR('rbwriter', 'ops', `[{apiGroups: [${RB}], resources: [rolebindings], verbs: [${verb}]}]`);
      expect(verdictOf(yaml, 'ops').severity, verb).toBeUndefined();
    }
    const viaCluster = OPS + DEPLOYER + ROLE_FOR('binder', 'ops', `[${BIND('deployer')}]`) + CLUSTER_ROLE('rbwriter', `[{apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}]`) + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-rbwriter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbwriter}
subjects: [{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}]
`;
    expect(verdictOf(viaCluster, 'ops').message).toContain(NOTE);
  });

  it('a RoleBinding write in another namespace only: medium', () => {
    const yaml = OPS + DEPLOYER + ROLE_FOR('binder', 'ops', `[${BIND('deployer')}]`) + `
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rbwriter, namespace: other}
rules: [{apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops-rbwriter, namespace: other}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbwriter}
subjects: [{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}]
`;
    expect(verdictOf(yaml, 'ops').severity).toBe('medium');
  });
});

describe('rbac.privilege-escalation: escalate limited to a named Role', () => {
  const SELFEDIT = (verbs: string) => `[{apiGroups: [${RB}], resources: [roles], verbs: [${verbs}], resourceNames: [selfedit]}]`;

  it('b2: carol may escalate, update and get her own Role ops/selfedit: high, with the note', () => {
    const v = verdictOf(OPS + ROLE_FOR('selfedit', 'carol', SELFEDIT('escalate, update, get')), 'carol');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe(`User:carol can escalate privileges in namespace ops (escalate roles.rbac.authorization.k8s.io) via RoleBinding ops/carol-selfedit → Role ops/selfedit${NOTE}`);
  });

  it('patch instead of update, or a Role she is not bound to but may bind: high too', () => {
    expect(verdictOf(OPS + ROLE_FOR('selfedit', 'carol', SELFEDIT('escalate, patch')), 'carol').severity).toBeUndefined();
    const other = OPS + ROLE_FOR('editor', 'dave', `[{apiGroups: [${RB}], resources: [roles], verbs: [escalate, update, bind], resourceNames: [target]}, {apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}]`)
      + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: target, namespace: ops}
rules: []
`;
    expect(verdictOf(other, 'dave').severity).toBeUndefined();
  });

  it('escalate without update or patch on the Role, or on a Role she holds no way to (not bound, no bind): medium, no note', () => {
    for (const [rules, why] of [
      [SELFEDIT('escalate, get'), 'no update or patch: escalate alone writes nothing'],
      [`[{apiGroups: [${RB}], resources: [roles], verbs: [escalate, update], resourceNames: [someone-elses]}]`, 'not bound to it and cannot bind it'],
      [`[{apiGroups: [${RB}], resources: [roles], verbs: [escalate, update, bind], resourceNames: [someone-elses]}]`, 'may bind it but write no RoleBinding'],
      [`[{apiGroups: [${RB}], resources: [roles], verbs: [escalate], resourceNames: [selfedit]}, {apiGroups: [${RB}], resources: [roles], verbs: [update], resourceNames: [other]}]`, 'update on another Role only'],
    ]) {
      const v = verdictOf(OPS + ROLE_FOR('selfedit', 'carol', rules), 'carol');
      expect(v.severity, why).toBe('medium');
      expect(v.message, why).not.toContain('Namespace ops holds');
    }
  });
});
