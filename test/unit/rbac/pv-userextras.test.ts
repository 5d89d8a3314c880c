// Two dangerous permissions of the RBAC good-practices page
// (https://kubernetes.io/docs/concepts/security/rbac-good-practices/): "Persistent volume
// creation" (a hostPath PersistentVolume gives the pod that claims it the node's filesystem) and
// impersonation, which covers user extras: the apiserver checks `impersonate` on
// userextras/<extra key> in authentication.k8s.io for each Impersonate-Extra-<key> header
// (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation).
// Reviewer repro m6.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { failing, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

const role = (name: string, rules: string, labels = '{}') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}, labels: ${labels}}
rules: ${rules}
`;
const crb = (name: string, roleName: string, user: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: ${user}}]
`;
const rb = (ns: string, roleName: string, user: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb-${user}, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: ${user}}]
`;

describe('rbac.privilege-escalation: create persistentvolumes and impersonate userextras', () => {
  it('fails a subject bound cluster-wide to create persistentvolumes, or to impersonate a user extra', () => {
    const s = snap([
      role('pv-maker', '[{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]'),
      role('extras', '[{apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [impersonate]}]'),
      role('any-extra', '[{apiGroups: [authentication.k8s.io], resources: ["*/scopes"], verbs: [impersonate]}]'),
      role('pv-reader', '[{apiGroups: [""], resources: [persistentvolumes], verbs: [get, list, watch]}, {apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [get]}]'),
      crb('gina-pv', 'pv-maker', 'gina'), crb('hal-extras', 'extras', 'hal'), crb('ivy-extras', 'any-extra', 'ivy'), crb('joe-read', 'pv-reader', 'joe'),
    ].join(''));
    const vs = run(check('rbac.privilege-escalation'), s);
    expect(failing(vs)).toEqual(['User:gina', 'User:hal', 'User:ivy']);
    expect(vs.find((v) => v.resource.name === 'gina')!.message).toContain('create persistentvolumes');
    // The grant as the rule writes it, not the pattern the check looks for.
    expect(vs.find((v) => v.resource.name === 'hal')!.message).toContain('(impersonate userextras/scopes.authentication.k8s.io)');
    expect(vs.find((v) => v.resource.name === 'ivy')!.message).toContain('(impersonate userextras/scopes.authentication.k8s.io)');
  });

  it('names the user extras a rule grants, beside uids (reviewer repro s4); a rule on userextras/* is printed as written', () => {
    const s = snap([
      role('imp', '[{apiGroups: [authentication.k8s.io], resources: [uids, userextras/scopes], verbs: [impersonate]}]'),
      role('imp-any', '[{apiGroups: [authentication.k8s.io], resources: ["userextras/*"], verbs: [impersonate]}]'),
      crb('imp', 'imp', 'alice'), crb('imp-any', 'imp-any', 'bob'),
    ].join(''));
    const vs = run(check('rbac.privilege-escalation'), s);
    expect(failing(vs)).toEqual(['User:alice', 'User:bob']);
    const alice = vs.find((v) => v.resource.name === 'alice')!.message;
    expect(alice).toContain('(impersonate uids.authentication.k8s.io, impersonate userextras/scopes.authentication.k8s.io)');
    expect(alice).not.toContain('userextras/*');
    expect(vs.find((v) => v.resource.name === 'bob')!.message).toContain('(impersonate userextras/*.authentication.k8s.io)');
  });

  it('a RoleBinding gives neither: both are authorized at cluster scope', () => {
    const s = snap([
      role('pv-maker', '[{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}, {apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [impersonate]}]'),
      rb('app', 'pv-maker', 'gina'),
    ].join(''));
    expect(failing(run(check('rbac.privilege-escalation'), s))).toEqual([]);
  });
});

describe('rbac.aggregation-into-builtin: the same permissions aggregated into edit', () => {
  it('fails a role that adds create persistentvolumes or impersonate userextras to edit and admin', () => {
    const s = snap([
      role('storage-extras', '[{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]', '{rbac.authorization.k8s.io/aggregate-to-edit: "true"}'),
      role('extra-extras', '[{apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [impersonate]}]', '{rbac.authorization.k8s.io/aggregate-to-edit: "true"}'),
    ].join(''));
    const vs = run(check('rbac.aggregation-into-builtin'), s);
    expect(failing(vs)).toEqual(['ClusterRole:extra-extras', 'ClusterRole:storage-extras']);
    expect(vs.find((v) => v.resource.name === 'storage-extras')!.message).toContain('every holder of edit and admin through a ClusterRoleBinding can create PersistentVolumes');
    expect(vs.find((v) => v.resource.name === 'extra-extras')!.message).toContain('impersonate userextras/scopes.authentication.k8s.io');
    expect(vs.find((v) => v.resource.name === 'extra-extras')!.message).not.toContain('userextras/*');
  });
});
