// A service account is one identity however a binding names it: the authorizer matches a
// ServiceAccount subject by the username system:serviceaccount:NS:NAME and a User subject by
// its name (appliesToUser, kubernetes pkg/registry/rbac/validation/rule.go), so a grant
// through either form is the account's. ztaudit keeps it under the ServiceAccount form.
// Its groups system:serviceaccounts and system:serviceaccounts:NS (what the token authenticator
// adds, k8s.io/apiserver pkg/authentication/serviceaccount MakeGroupNames) are subjects of their
// own for the checks, and part of what the account can do for `can` and breadth.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { buildRbacModel, identityOf, rbacBreadth, topBreadth, whoCan } from '../../../src/analysis/rbac/index.ts';
import { canCommandCore } from '../../../src/cli/access-text.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { failing, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;
/** The subjects of these tests, not those of the bootstrap policy's default bindings. */
const builders = <T extends { name: string }>(subjects: T[]) => subjects.filter((s) => s.name.includes('builder'));

const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, role: string, subject: string, namespace?: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [${subject}]
`;

const ROLES = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-exec}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
`;

const AS_SA = '{kind: ServiceAccount, name: builder, namespace: ci}';
const AS_USER = '{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:serviceaccount:ci:builder"}';

// The account execs into pods in ci through its ServiceAccount form, and reads every Secret
// through a ClusterRoleBinding naming its username.
const BOTH = ROLES + binding('RoleBinding', 'builder-exec', 'pod-exec', AS_SA, 'ci') + binding('ClusterRoleBinding', 'builder-secrets', 'secret-reader', AS_USER);

describe('ServiceAccount and User system:serviceaccount:NS:NAME are one subject', () => {
  it('a grant through the User form is a finding of the ServiceAccount, filed under the ServiceAccount', () => {
    const s = snap(BOTH);
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual(['ServiceAccount:ci/builder']);
    expect(failing(run(check('rbac.pod-exec-attach'), s))).toEqual(['ServiceAccount:ci/builder']);
    const v = run(check('rbac.secrets-cluster-read'), s).find((x) => x.status === 'fail') as Verdict;
    expect(v.message).toContain('via ClusterRoleBinding builder-secrets → ClusterRole secret-reader');
    // One verdict per check for the account: no second subject under the User form.
    expect(run(check('rbac.secrets-cluster-read'), s).map((x) => `${x.resource.kind}:${x.resource.name}`)).not.toContain('User:system:serviceaccount:ci:builder');
  });

  it('the model, who-can and the breadth ranking hold one subject', () => {
    const model = buildRbacModel(snap(BOTH));
    expect(builders(model.subjects)).toEqual([{ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }]);
    expect(builders(whoCan(model, 'get', 'secrets', 'ci').map((e) => e.subject))).toEqual([{ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }]);
    expect(builders(rbacBreadth(model).map((e) => e.subject))).toEqual([{ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }]);
    expect(topBreadth(snap(BOTH), 10).map((e) => e.subject)).toContainEqual({ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' });
    expect(topBreadth(snap(BOTH), 10).map((e) => e.subject.name)).not.toContain('system:serviceaccount:ci:builder');
    expect(identityOf({ kind: 'User', name: 'system:serviceaccount:ci:builder' })).toEqual(identityOf({ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }));
  });

  it('a binding naming the account in both forms gives its grants once', () => {
    const model = buildRbacModel(snap(ROLES + binding('ClusterRoleBinding', 'twice', 'secret-reader', `${AS_SA}, ${AS_USER}`)));
    const [entry] = whoCan(model, 'get', 'secrets').filter((e) => e.subject.name === 'builder');
    expect(entry.subject).toEqual({ kind: 'ServiceAccount', namespace: 'ci', name: 'builder' });
    expect(entry.grants).toHaveLength(1);
  });

  it('`can` for the ServiceAccount lists what the User form was granted; `can` for the User form answers as the account, groups included', () => {
    const s = snap(BOTH + binding('RoleBinding', 'ci-sas', 'secret-reader', '{kind: Group, name: "system:serviceaccounts:ci"}', 'ci'));
    const sa = canCommandCore(s, { subject: 'ServiceAccount:ci/builder' });
    expect(sa.output).toMatch(/get,list,watch secrets \(core\)\s+ServiceAccount:ci\/builder\s+ClusterRoleBinding builder-secrets\s+ClusterRole secret-reader/);
    expect(sa.output).toMatch(/create pods\/exec \(core\)\s+ServiceAccount:ci\/builder\s+RoleBinding ci\/builder-exec/);
    const user = canCommandCore(s, { subject: 'User:system:serviceaccount:ci:builder' });
    expect(user.output).toBe(sa.output);
    expect(user.output).toContain('Permissions of ServiceAccount:ci/builder (groups: system:serviceaccounts, system:serviceaccounts:ci, system:authenticated):');
    expect(user.output).toMatch(/Group:system:serviceaccounts:ci\s+RoleBinding ci\/ci-sas/);
    const q = canCommandCore(s, { subject: 'User:system:serviceaccount:ci:builder', verb: 'create', resource: 'pods/exec', namespace: 'ci' });
    expect(q.exitCode).toBe(0);
    expect(q.output.split('\n')[0]).toBe('yes: ServiceAccount:ci/builder (groups: system:serviceaccounts, system:serviceaccounts:ci, system:authenticated) can create pods/exec in namespace ci');
  });

  it('config.rbac.ignoreSubjects naming the username (a pattern too) leaves the account out', () => {
    const config = defaultConfig();
    config.rbac.ignoreSubjects = [{ kind: 'User', name: 'system:serviceaccount:ci:*' }];
    expect(failing(run(check('rbac.secrets-cluster-read'), snap(BOTH), config))).toEqual([]);
  });

  it('a name that is no service account\'s username stays a User', () => {
    const model = buildRbacModel(snap(ROLES + binding('ClusterRoleBinding', 'odd', 'secret-reader', '{kind: User, name: "system:serviceaccount:ci:builder:extra"}')));
    expect(builders(model.subjects)).toEqual([{ kind: 'User', name: 'system:serviceaccount:ci:builder:extra' }]);
  });

  it('grants to system:serviceaccounts and system:serviceaccounts:NS are findings of those groups, and count in the account\'s breadth', () => {
    const s = snap(ROLES + binding('ClusterRoleBinding', 'all-sas', 'secret-reader', '{kind: Group, name: "system:serviceaccounts"}')
      + binding('RoleBinding', 'ci-sas-exec', 'pod-exec', '{kind: Group, name: "system:serviceaccounts:ci"}', 'ci')
      + binding('RoleBinding', 'builder-view', 'view', AS_SA, 'ci'));
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual(['Group:system:serviceaccounts']);
    expect(failing(run(check('rbac.pod-exec-attach'), s))).toEqual(['Group:system:serviceaccounts:ci']);
    const q = canCommandCore(s, { subject: 'ServiceAccount:ci/builder', verb: 'create', resource: 'pods/exec', namespace: 'ci' });
    expect(q.exitCode).toBe(0);
    expect(q.output).toMatch(/Group:system:serviceaccounts:ci\s+RoleBinding ci\/ci-sas-exec/);
  });
});
