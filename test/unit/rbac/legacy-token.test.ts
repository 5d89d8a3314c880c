// Creating Secrets and reading them back mints a legacy service-account token (reviewer repros
// t12, t12c, t12d): a Secret of type kubernetes.io/service-account-token annotated
// kubernetes.io/service-account.name: ACCOUNT is filled in by the token controller with a
// non-expiring token for ACCOUNT
// (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#manually-create-an-api-token-for-a-serviceaccount;
// https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets;
// kubernetes pkg/controller/serviceaccount/tokens_controller.go). "You cannot restrict create or
// deletecollection requests by their resource name"
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and the
// creator names the Secret, so a get limited to any name reads it back. The pair is rated as
// create serviceaccounts/token is in the same place: high in a namespace holding an account with
// dangerous permissions, medium elsewhere; critical where an account of the namespace is
// cluster-admin-equivalent (cluster-admin-tokens.test.ts), so in kube-system and cluster-wide,
// which reach the bootstrap policy's kube-system/clusterrole-aggregation-controller in every cluster.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.privilege-escalation')!;
const verdictOf = (yaml: string, name: string) => run(check, snap(yaml)).find((v) => v.resource.name === name)!;

/** Role NS/NAME with `rules`, bound in NS to User `user`. */
const ROLE_FOR = (ns: string, name: string, user: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${name}, namespace: ${ns}}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${user}-${name}, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;
/** ClusterRole NAME with `rules`, bound cluster-wide to User `user`. */
const CLUSTER_FOR = (name: string, user: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${user}-${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;
// ServiceAccount ops/deployer is cluster-admin (t12c).
const OPS = `
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ops}]
`;
const CREATE = '{apiGroups: [""], resources: [secrets], verbs: [create]}';
const NAMED_GET = '{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [my-token]}';
const TOKEN = '{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}';
const LEGACY_ROUTE = /kubernetes\.io\/service-account-token annotated kubernetes\.io\/service-account\.name/;

describe('rbac.privilege-escalation: create secrets with a read of secrets mints legacy tokens', () => {
  it('t12: a User with create secrets and a named get in kube-system is critical (a legacy token for the aggregation controller), and the message names the legacy-token route', () => {
    const v = verdictOf(ROLE_FOR('kube-system', 'legacy-mint', 'u-legacymint', `[${CREATE}, ${NAMED_GET}]`), 'u-legacymint');
    expect(v.status).toBe('fail');
    expect(v.severity ?? check.severity).toBe('critical');
    expect(v.message).toContain('It can mint a legacy token for ServiceAccount kube-system/clusterrole-aggregation-controller');
    expect(v.message).toContain('in namespace kube-system (create secrets, get secrets)');
    expect(v.message).toMatch(LEGACY_ROUTE);
  });

  it('t12c: in a namespace holding a cluster-admin ServiceAccount it is critical, naming the account, as create serviceaccounts/token there is', () => {
    const rules = `[${CREATE}, {apiGroups: [""], resources: [secrets], verbs: [get, update], resourceNames: [app-state]}]`;
    const v = verdictOf(OPS + ROLE_FOR('ops', 'state-writer', 'u-statewriter', rules), 'u-statewriter');
    const token = verdictOf(OPS + ROLE_FOR('ops', 'tokenreq', 'u-token', `[${TOKEN}]`), 'u-token');
    expect([v.status, v.severity ?? check.severity]).toEqual(['fail', 'critical']);
    expect(token.severity ?? check.severity).toBe('critical');
    expect(v.message).toContain('It can mint a legacy token for ServiceAccount ops/deployer (a Secret of type kubernetes.io/service-account-token in ops annotated kubernetes.io/service-account.name: deployer, read back), which is cluster-admin-equivalent because ClusterRoleBinding deployer-admin binds it to ClusterRole cluster-admin');
    expect(v.message).toMatch(LEGACY_ROUTE);
  });

  it('t12d: a kube-system ServiceAccount with create and get secrets there is critical', () => {
    const yaml = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: my-operator, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: my-operator-secrets, namespace: kube-system}
rules: [{apiGroups: [""], resources: [secrets], verbs: [create, get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: my-operator-secrets, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: my-operator-secrets}
subjects: [{kind: ServiceAccount, name: my-operator, namespace: kube-system}]
`;
    const v = verdictOf(yaml, 'my-operator');
    expect([v.status, v.severity ?? check.severity]).toEqual(['fail', 'critical']);
  });

  it('in a namespace with no powerful account it is medium, as create serviceaccounts/token there is', () => {
    const v = verdictOf(OPS + ROLE_FOR('team', 'mint', 'u-team', `[{apiGroups: [""], resources: [secrets], verbs: [create, list]}]`), 'u-team');
    const token = verdictOf(OPS + ROLE_FOR('team', 'tokenreq', 'u-token', `[${TOKEN}]`), 'u-token');
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(token.severity).toBe('medium');
  });

  it('create secrets without any read of secrets is no finding: the token is never returned to its creator (update answers with the object sent, delete of one Secret with a Status; patch, which returns the Secret, is a read)', () => {
    const v = verdictOf(ROLE_FOR('kube-system', 'writer', 'u-writer', `[{apiGroups: [""], resources: [secrets], verbs: [create, update, delete]}]`), 'u-writer');
    expect(v.status).toBe('pass');
  });

  it('create secrets in kube-system with reads only in another namespace is no finding', () => {
    const yaml = ROLE_FOR('kube-system', 'writer', 'u-split', `[${CREATE}]`) + ROLE_FOR('team', 'reader', 'u-split', '[{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]');
    expect(verdictOf(yaml, 'u-split').status).toBe('pass');
  });

  it('a ClusterRoleBinding of create and get secrets reaches every namespace: cluster-wide and critical, as cluster-wide create serviceaccounts/token is', () => {
    const v = verdictOf(CLUSTER_FOR('mint-all', 'u-all', '[{apiGroups: [""], resources: [secrets], verbs: [create, get]}]'), 'u-all');
    const token = verdictOf(CLUSTER_FOR('token-all', 'u-token-all', `[${TOKEN}]`), 'u-token-all');
    expect([v.status, v.severity ?? check.severity]).toEqual(['fail', 'critical']);
    expect(v.message).toContain('cluster-wide (create secrets, get secrets)');
    expect(token.severity ?? check.severity).toBe('critical');
  });

  it('create secrets cluster-wide with a read only in one plain namespace reaches that namespace alone: medium, scoped to it', () => {
    const yaml = CLUSTER_FOR('creator', 'u-mixed', `[${CREATE}]`) + ROLE_FOR('team', 'reader', 'u-mixed', `[${NAMED_GET}]`);
    const v = verdictOf(yaml, 'u-mixed');
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(v.message).toContain('in namespace team (create secrets, get secrets)');
    expect(v.extent?.members).toContain('create secrets in team');
  });

  it('bind limited to a Role that creates and reads Secrets, in a namespace holding a powerful account, acts as it: high', () => {
    const grantor = '[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind], resourceNames: [minter]}, {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}]';
    const minter = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: minter, namespace: ops}
rules: [{apiGroups: [""], resources: [secrets], verbs: [create, watch]}]
`;
    const creatorOnly = minter.replace('[create, watch]', '[create]');
    expect(verdictOf(OPS + minter + ROLE_FOR('ops', 'grantor', 'u-grantor', grantor), 'u-grantor').severity ?? check.severity).toBe('high');
    expect(verdictOf(OPS + creatorOnly + ROLE_FOR('ops', 'grantor', 'u-grantor', grantor), 'u-grantor').severity).toBe('medium');
  });
});
