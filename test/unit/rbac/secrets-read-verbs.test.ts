// Reading Secrets without get, list or watch (reviewer repros t3, t4, t5, each run against
// kube-apiserver v1.36.3): the API server answers a PATCH with the object it patched, so a
// merge patch `{}` returns a named Secret whole, and a DELETE of the collection with the list of
// the objects it deleted (kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
// Store.DeleteCollection: "In case of success, the list of deleted objects will be returned"),
// every Secret's data; with dryRun=All both return them and change nothing. Update is no read: a
// PUT carries the whole object and is answered with what it stored; nor is a DELETE of one Secret,
// answered with a Status (Store.finalizeDelete, ReturnDeletedObject unset for Secrets).
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { secretsClusterRead } from '../../../checks/rbac/secrets-cluster-read.ts';
import { secretsNamespaceRead } from '../../../checks/rbac/secrets-namespace-read.ts';
import { run, snap } from './helpers.ts';

const clusterWide = (verbs: string) => snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-verbs}
rules: [{apiGroups: [""], resources: [secrets], verbs: [${verbs}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: eve-secret-verbs}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-verbs}
subjects: [{kind: User, name: eve, apiGroup: rbac.authorization.k8s.io}]
`);

const inNamespace = (ns: string, verbs: string, resourceNames = '') => snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-verbs, namespace: ${ns}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [${verbs}]${resourceNames ? `, resourceNames: [${resourceNames}]` : ''}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: hank-secret-verbs, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-verbs}
subjects: [{kind: User, name: hank, apiGroup: rbac.authorization.k8s.io}]
`);

const of = (verdicts: ReturnType<typeof run>, name: string) => verdicts.find((v) => v.resource.name === name)!;

describe('rbac.secrets-cluster-read: patch and deletecollection read Secrets', () => {
  it('patch and update cluster-wide (t3): high, the message saying a patch returns the Secret', () => {
    const v = of(run(secretsClusterRead, clusterWide('patch, update')), 'eve');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('can read Secrets in all namespaces cluster-wide (patch secrets)');
    expect(v.message).toContain('A patch returns the Secret it patches');
    expect(v.message).not.toContain('update secrets');
  });

  it('delete and deletecollection cluster-wide (t5): high, the message saying a deletecollection returns every Secret', () => {
    const v = of(run(secretsClusterRead, clusterWide('delete, deletecollection')), 'eve');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('(deletecollection secrets)');
    expect(v.message).toContain('A deletecollection returns every Secret it deletes');
  });

  it('update and delete alone read nothing: pass', () => {
    expect(of(run(secretsClusterRead, clusterWide('update, delete, create')), 'eve').status).toBe('pass');
  });
});

describe('rbac.secrets-namespace-read: patch counts as get, deletecollection as list', () => {
  it('deletecollection on the Secrets of shop: medium, as list', () => {
    const v = of(run(secretsNamespaceRead, inNamespace('shop', 'deletecollection')), 'hank');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('medium');
    expect(v.message).toContain('can deletecollection secrets without resourceNames in namespace shop');
    expect(v.message).toContain('A deletecollection returns every Secret it deletes');
  });

  it('patch on every Secret of shop: low, as get; limited by resourceNames: pass, as get', () => {
    const v = of(run(secretsNamespaceRead, inNamespace('shop', 'patch')), 'hank');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('low');
    expect(v.message).toContain('A patch returns the Secret it patches');
    expect(of(run(secretsNamespaceRead, inNamespace('shop', 'patch', 'db-password')), 'hank').status).toBe('pass');
  });
});

describe('rbac.privilege-escalation: create with patch or deletecollection reads a legacy token Secret back', () => {
  it('create and patch in kube-system (t4): critical, as create and get are, saying how the token comes back', () => {
    const patch = of(run(privilegeEscalation, inNamespace('kube-system', 'create, patch')), 'hank');
    const get = of(run(privilegeEscalation, inNamespace('kube-system', 'create, get')), 'hank');
    expect(get.severity).toBe('critical');
    expect(patch.status).toBe('fail');
    expect(patch.severity).toBe('critical');
    expect(patch.message).toContain('mints legacy service-account tokens');
    expect(patch.message).toContain('A patch returns the Secret it patches');
  });

  it('create and deletecollection in kube-system: critical', () => {
    const v = of(run(privilegeEscalation, inNamespace('kube-system', 'create, deletecollection')), 'hank');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('A deletecollection returns every Secret it deletes');
  });

  it('create with update and delete: no read back, pass', () => {
    expect(of(run(privilegeEscalation, inNamespace('kube-system', 'create, update, delete')), 'hank').status).toBe('pass');
  });
});
