// rbac.secrets-cluster-read on a rule limited by resourceNames (reviewer repro r3): the subject
// reads only the named Secrets (a named request must match resourceNames, reference checks.md
// §3.2, kubernetes pkg/apis/rbac/v1/evaluation_helpers.go ResourceNameMatches), but in every
// namespace through a ClusterRoleBinding: medium, with the names in the message.
import { describe, expect, it } from 'vitest';
import { secretsClusterRead } from '../../../checks/rbac/secrets-cluster-read.ts';
import { run, snap } from './helpers.ts';

const bound = (rules: string) => snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: read-one-secret}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-one-secret}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-one-secret}
subjects: [{kind: ServiceAccount, name: puller, namespace: tools}]
`);

const puller = (rules: string) => run(secretsClusterRead, bound(rules)).find((v) => v.resource.name === 'puller')!;

describe('rbac.secrets-cluster-read and resourceNames', () => {
  it('get limited to registry-pull cluster-wide: medium, naming the Secret, not "Secrets in all namespaces"', () => {
    const v = puller('[{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [registry-pull]}]');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('ServiceAccount:tools/puller can read only the Secrets named registry-pull cluster-wide (get secrets) via ClusterRoleBinding read-one-secret → ClusterRole read-one-secret');
  });

  it('a second, unlimited rule reads every Secret: high, as before', () => {
    const v = puller('[{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [registry-pull]}, {apiGroups: [""], resources: [secrets], verbs: [list]}]');
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('can read Secrets in all namespaces cluster-wide');
  });
});
