// rbac.pod-exec-attach against upstream PodSecurity admission's own baseline fixtures
// (kubernetes/pod-security-admission test/testdata, in ../shared/conformance/pod-security): access
// limited to one pod is rated as in kube-system exactly when upstream denies that pod at baseline
// at the cluster's version for a control that guards the node, and at medium otherwise. Baseline
// is the level that "prevents known privilege escalations"
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/); of its controls,
// privileged containers, host namespaces, hostPath volumes, added capabilities, HostProcess, an
// unmasked /proc and custom SELinux options open a way out to the node, while host ports,
// AppArmor, seccomp, sysctls and host probes weaken the pod without one. Each fixture records
// the upstream check it was built to break (check_id). Each pod is put in namespace shop, which
// enforces baseline (so an ephemeral container added there is judged at baseline too) and where
// no account holds anything, so only the pod itself can raise the rating.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../checks/rbac/index.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { defaultConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;
const cases = (data?.cases ?? []).filter((c) => c.level === 'baseline');
const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;
const NODE_REACHING = new Set(['privileged', 'hostNamespaces', 'hostPathVolumes', 'capabilities_baseline', 'windowsHostProcess', 'procMount', 'seLinuxOptions']);

const rbac = (resource: string, verb: string): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'exec', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: [resource], verbs: [verb], resourceNames: ['target'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev-exec', namespace: 'shop' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' }, subjects: [{ kind: 'User', name: 'dev', apiGroup: 'rbac.authorization.k8s.io' }] },
] as KubeObject[];

function rate(pod: Record<string, unknown>, version: string, resource: string, verb: string) {
  const meta = pod.metadata as Record<string, unknown>;
  const target = { ...pod, metadata: { ...meta, name: 'target', namespace: 'shop' } } as KubeObject;
  const snapshot = { ...snapshotFromObjects([...rbac(resource, verb), target], { clusterVersion: `${version}.0` }), origin: 'live' as const };
  return [...check.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') })].find((x) => x.resource.name === 'dev')!;
}

/**
 * The pod with its init containers made native sidecars (restartPolicy: Always), which keep
 * running beside the others, and every volume mounted in its first container (upstream's
 * hostPath fixtures declare volumes no container mounts, and a volume is in a container only
 * where its volumeMounts name it: https://kubernetes.io/docs/concepts/storage/volumes/): what
 * PodSecurity admission judges is unchanged, and exec enters all of it.
 */
function withSidecars(pod: Record<string, unknown>): Record<string, unknown> {
  const spec = pod.spec as Record<string, unknown>;
  const init = spec.initContainers;
  const volumes = Array.isArray(spec.volumes) ? spec.volumes as Array<{ name: string }> : [];
  const [first, ...rest] = Array.isArray(spec.containers) ? spec.containers as Array<Record<string, unknown>> : [];
  const mounted = first && volumes.length > 0
    ? [{ ...first, volumeMounts: [...(Array.isArray(first.volumeMounts) ? first.volumeMounts : []), ...volumes.map((v) => ({ name: v.name, mountPath: `/mnt/${v.name}` }))] }, ...rest]
    : spec.containers;
  return { ...pod, spec: { ...spec, containers: mounted, ...(Array.isArray(init) ? { initContainers: init.map((c: Record<string, unknown>) => ({ ...c, restartPolicy: 'Always' })) } : {}) } };
}

describe.skipIf(!data)('rbac.pod-exec-attach: access into an upstream baseline fixture pod', () => {
  it('reads the baseline fixtures, denied and allowed, and most denials are of a control that guards the node', () => {
    expect(cases.length).toBe(346);
    expect(cases.filter((c) => c.expected === 'denied').length).toBe(247);
    expect(cases.filter((c) => c.expected === 'denied' && NODE_REACHING.has(c.check_id ?? '')).length).toBe(160);
  });

  it.each(cases.map((c) => [c.path, c] as const))('%s', (_path, c) => {
    const pod = data!.pod(c);
    const version = c.applies_to_versions.at(-1)!;
    const escapes = c.expected === 'denied' && NODE_REACHING.has(c.check_id ?? '');
    // An ephemeral container joins the whole pod; exec enters the containers that run, here
    // every one (the init containers made sidecars).
    for (const [what, v] of [['ephemeral', rate(pod, version, 'pods/ephemeralcontainers', 'patch')], ['exec', rate(withSidecars(pod), version, 'pods/exec', 'create')]] as const) {
      expect(v.status).toBe('fail');
      if (escapes) {
        expect(v.severity, `${what} ${version}: ${v.message}`).toBeUndefined();
        expect(v.message).toContain('Pod shop/target (');
        expect(v.message).toContain('breaks the baseline Pod Security level: a shell in such a pod is a way out to its node');
      } else {
        expect(v.severity, `${what} ${version}: ${v.message}`).toBe('medium');
      }
    }
    // Exec into the pod as upstream wrote it never rates above that: its init containers have exited.
    const exec = rate(pod, version, 'pods/exec', 'create');
    if (!escapes) expect(exec.severity, exec.message).toBe('medium');
  });

  it('the fixtures breaking a node control only in initcontainer1 (privileged1.yaml and the like), or by hostPath volumes no container mounts (hostpathvolumes0/1.yaml), are medium for exec as written', () => {
    const initOnly = cases.filter((c) => {
      if (c.expected !== 'denied' || !NODE_REACHING.has(c.check_id ?? '')) return false;
      return rate(data!.pod(c), c.applies_to_versions.at(-1)!, 'pods/exec', 'create').severity === 'medium';
    }).map((c) => c.path);
    // Each of the 8 baseline version directories holds the four whose only breach is in
    // initcontainer1, and the two whose hostPath volumes no container mounts.
    expect(new Set(initOnly.map((p) => p.split('/').pop()))).toEqual(new Set(['capabilities_baseline1.yaml', 'privileged1.yaml', 'procmount1.yaml', 'selinuxoptions2.yaml', 'hostpathvolumes0.yaml', 'hostpathvolumes1.yaml']));
    expect(initOnly.length).toBe(48);
  });
});

