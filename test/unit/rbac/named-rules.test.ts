// Rules limited by resourceNames. A request names one object for get, update, patch and delete;
// create and deletecollection never carry a name, so a named rule cannot allow them (kubernetes.io
// docs/reference/access-authn-authz/rbac/#referring-to-resources: "You cannot restrict create or
// deletecollection requests by their resource name").
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { ruleGrantsSome } from '../../../src/analysis/rbac/rules.ts';
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
