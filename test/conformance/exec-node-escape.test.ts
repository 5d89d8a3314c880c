// rbac.pod-exec-attach against upstream PodSecurity admission's own baseline fixtures
// (kubernetes/pod-security-admission test/testdata, in ../shared/conformance/pod-security): exec
// limited to one pod is rated as in kube-system exactly when upstream denies that pod at baseline
// at the cluster's version (the level "prevents known privilege escalations":
// https://kubernetes.io/docs/concepts/security/pod-security-standards/), and at medium when it
// allows it. Each fixture pod is put in namespace shop, where no account holds anything, so only
// the pod itself can raise the rating.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../checks/rbac/index.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { defaultConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;
const cases = (data?.cases ?? []).filter((c) => c.level === 'baseline');
const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

const RBAC: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'exec', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'], resourceNames: ['target'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev-exec', namespace: 'shop' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' }, subjects: [{ kind: 'User', name: 'dev', apiGroup: 'rbac.authorization.k8s.io' }] },
] as KubeObject[];

describe.skipIf(!data)('rbac.pod-exec-attach: exec into an upstream baseline fixture pod', () => {
  it('reads the baseline fixtures, denied and allowed', () => {
    expect(cases.length).toBe(346);
    expect(cases.filter((c) => c.expected === 'denied').length).toBe(247);
  });

  it.each(cases.map((c) => [c.path, c] as const))('%s', (_path, c) => {
    const pod = data!.pod(c) as KubeObject & { metadata: Record<string, unknown> };
    const version = c.applies_to_versions.at(-1)!;
    const target = { ...pod, metadata: { ...pod.metadata, name: 'target', namespace: 'shop' } } as KubeObject;
    const snapshot = { ...snapshotFromObjects([...RBAC, target], { clusterVersion: `${version}.0` }), origin: 'live' as const };
    const v = [...check.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') })].find((x) => x.resource.name === 'dev')!;
    expect(v.status).toBe('fail');
    if (c.expected === 'denied') {
      expect(v.severity, `${version}: ${v.message}`).toBeUndefined();
      expect(v.message).toContain('Pod shop/target (');
      expect(v.message).toContain('breaks the baseline Pod Security level: a shell in such a pod is a way out to its node');
    } else {
      expect(v.severity, `${version}: ${v.message}`).toBe('medium');
    }
  });
});
