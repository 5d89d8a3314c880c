// create persistentvolumes is on the RBAC good-practices page ("Persistent volume creation",
// https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation):
// a hostPath PersistentVolume gives the pod that claims it the node's filesystem, yet the page
// allows it for the components that create PersistentVolumes for claims, which every storage
// provisioner is. kind ships one (local-path-provisioner); reviewer repro kind.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;
const escalation = check('rbac.privilege-escalation');

/** kind's local-path-storage RBAC, as kind v0.2x installs it; `extra` rules appended to its ClusterRole. */
const kind = (extra = '') => `---
apiVersion: v1
kind: Namespace
metadata: {name: local-path-storage}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: local-path-provisioner-service-account, namespace: local-path-storage}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: local-path-provisioner-role}
rules:
  - {apiGroups: [""], resources: [nodes, persistentvolumeclaims, configmaps, pods, pods/log], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [persistentvolumes], verbs: [get, list, watch, create, patch, update, delete]}
  - {apiGroups: [""], resources: [events], verbs: [create, patch]}
  - {apiGroups: [storage.k8s.io], resources: [storageclasses], verbs: [get, list, watch]}
${extra}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: local-path-provisioner-bind}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: local-path-provisioner-role}
subjects: [{kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage}]
`;

const SA = 'local-path-provisioner-service-account';
const severityOf = (v: Verdict) => v.severity ?? escalation.severity;

describe('rbac.privilege-escalation: a storage provisioner creating PersistentVolumes', () => {
  it('kind\'s local-path-provisioner gives no high rbac finding, and a medium one naming create persistentvolumes and what to verify', () => {
    const s = snap(kind());
    const high = rbacChecks.flatMap((c) => run(c, s).filter((v) => v.status === 'fail' && (v.severity ?? c.severity) === 'high').map((v) => `${c.id} ${v.resource.name}`));
    expect(high).toEqual([]);
    const fails = run(escalation, s).filter((v) => v.status === 'fail');
    expect(fails.map((v) => `${severityOf(v)} ${v.resource.kind}:${v.resource.namespace}/${v.resource.name}`)).toEqual([`medium ServiceAccount:local-path-storage/${SA}`]);
    expect(fails[0].message).toContain('(create persistentvolumes)');
    expect(fails[0].message).toMatch(/verify this subject is one .*hostPath PersistentVolume/);
    expect(escalation.remediation).not.toContain('let a CSI provisioner');
  });

  it('another escalation permission beside create persistentvolumes is judged on it (cluster-wide tokens: critical)', () => {
    const s = snap(kind('  - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}\n'));
    const v = run(escalation, s).find((x) => x.status === 'fail' && x.resource.name === SA)!;
    expect(severityOf(v)).toBe('critical');
    expect(v.message).not.toContain('storage provisioner');
  });
});
