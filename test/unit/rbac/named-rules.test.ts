// Rules limited by resourceNames. A request names one object for get, update, patch and delete;
// create and deletecollection never carry a name, so a named rule cannot allow them (kubernetes.io
// docs/reference/access-authn-authz/rbac/#referring-to-resources: "You cannot restrict create or
// deletecollection requests by their resource name").
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { buildRbacModel, canI } from '../../../src/analysis/rbac/index.ts';
import { ruleGrantsSome } from '../../../src/analysis/rbac/rules.ts';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import type { Rule } from '../../../src/analysis/rbac/types.ts';
import { run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

describe('a `*` on `*` rule limited by resourceNames (reviewer repro s3)', () => {
  const NAMED_ALL = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: one-configmap-admin}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"], resourceNames: [app-config]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-one-cm}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: one-configmap-admin}
subjects: [{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}]
`;
  const rule: Rule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['app-config'], nonResourceURLs: [] };

  it('is not cluster-admin: rbac.cluster-admin-binding passes for its subject', () => {
    const v = run(check('rbac.cluster-admin-binding'), snap(NAMED_ALL)).find((x) => x.resource.name === 'bob')!;
    expect(v.status).toBe('pass');
  });

  it('grants get, update, patch and delete of the named objects, never create, deletecollection or every verb', () => {
    for (const verb of ['get', 'update', 'patch', 'delete']) expect(ruleGrantsSome(rule, verb, '', 'configmaps'), verb).toBe(true);
    for (const verb of ['create', 'deletecollection', '*']) expect(ruleGrantsSome(rule, verb, '', 'configmaps'), verb).toBe(false);
    // A subresource request carries its parent's name: create pods/exec on a named pod is allowed.
    expect(ruleGrantsSome(rule, 'create', '', 'pods', 'exec')).toBe(true);
  });

  it('the same rule without resourceNames is cluster-admin', () => {
    const v = run(check('rbac.cluster-admin-binding'), snap(NAMED_ALL.replace(', resourceNames: [app-config]', ''))).find((x) => x.resource.name === 'bob')!;
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/cluster-admin equivalent/);
  });
});

describe('can / who-can create or deletecollection --name (reviewer repro s7)', () => {
  // A create or deletecollection request carries no name (the new object's name is in its body),
  // so a rule limited by resourceNames never allows it: kubernetes.io/docs/reference/access-authn-authz/rbac/
  // "You cannot restrict create or deletecollection requests by their resource name".
  const NAMED_POD = snap(`
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named-pod, namespace: dev}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, delete, deletecollection], resourceNames: [debug]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol-named-pod, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: named-pod}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
`);

  it('can answers no for create --name and says the name was left out', () => {
    const r = canCommandCore(NAMED_POD, { subject: 'User:carol', verb: 'create', resource: 'pods', namespace: 'dev', name: 'debug' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toBe('no: User:carol (groups: system:authenticated) cannot create pods in namespace dev\n');
    expect(r.warnings).toContain('--name debug left out: a create request carries no name, so a rule limited by resourceNames never allows it (kubernetes.io RBAC docs: "You cannot restrict create or deletecollection requests by their resource name"); answered for any create');
  });

  it('who-can lists nobody from the named rule for deletecollection --name', () => {
    const r = whoCanCommandCore(NAMED_POD, { verb: 'deletecollection', resource: 'pods', namespace: 'dev', name: 'debug' });
    expect(r.output).not.toContain('carol');
    expect(r.warnings?.some((w) => w.startsWith('--name debug left out: a deletecollection request carries no name'))).toBe(true);
  });

  it('delete --name still answers yes from the named rule; a subresource create keeps its name', () => {
    expect(canCommandCore(NAMED_POD, { subject: 'User:carol', verb: 'delete', resource: 'pods', namespace: 'dev', name: 'debug' }).exitCode).toBe(0);
    const m = buildRbacModel(snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec-debug, namespace: dev}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create], resourceNames: [debug]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: carol-exec, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec-debug}
subjects: [{kind: User, name: carol}]
`));
    expect(canI(m, 'User:carol', 'create', 'pods/exec', { namespace: 'dev', name: 'debug' }).allowed).toBe(true);
  });
});

describe('can / who-can on core namespaces with -n NS and no --name (reviewer repro s1)', () => {
  // A get, update, patch or delete of namespace NS is a request on /api/v1/namespaces/NS carrying
  // NS as name and namespace (RequestInfoFactory, staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go);
  // `kubectl auth can-i patch namespaces -n NS` sends NS as the namespace
  // (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go, RunAccessCheck).
  const ADMIN_IN_TEAM = snap(`
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ns-labeler, namespace: team-a}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [get, patch, update, delete, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-labeler, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ns-labeler}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`);

  it('can patch namespaces -n team-a: yes, the request on namespace team-a', () => {
    const r = canCommandCore(ADMIN_IN_TEAM, { subject: 'User:alice', verb: 'patch', resource: 'namespaces', namespace: 'team-a' });
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('yes: User:alice (groups: system:authenticated) can patch namespaces team-a in namespace team-a');
    for (const verb of ['get', 'update', 'delete']) expect(canCommandCore(ADMIN_IN_TEAM, { subject: 'User:alice', verb, resource: 'namespaces', namespace: 'team-a' }).exitCode, verb).toBe(0);
  });

  it('who-can update namespaces -n team-a names alice', () => {
    const r = whoCanCommandCore(ADMIN_IN_TEAM, { verb: 'update', resource: 'namespaces', namespace: 'team-a' });
    expect(r.output).toContain('Subjects that can update namespaces team-a in namespace team-a:');
    expect(r.output).toContain('User:alice');
  });

  it('list still carries no namespace, so the RoleBinding cannot answer it', () => {
    const r = canCommandCore(ADMIN_IN_TEAM, { subject: 'User:alice', verb: 'list', resource: 'namespaces', namespace: 'team-a' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('list on namespaces carries no namespace: RoleBindings in team-a cannot grant it');
  });
});
