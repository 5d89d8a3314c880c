// The RBAC "node-reaching pods" reading of procMount follows the Pod Security model's ProcMountType
// reading (src/analysis/pss/model.ts procMountResetFor). With the gate off, the API server sets a
// container's procMount to Default when it creates a pod or template (kubernetes v1.36.3
// pkg/api/pod/util.go dropDisabledProcMountField; off by default before 1.33, on from 1.33:
// pkg/features/kube_features.go `{1.12, false, Alpha}, {1.31, false, Beta}, {1.33, true, Beta}`),
// so the pod runs with a masked /proc: exec into it is no way to the node. A Pod a live cluster
// stores was stored after that reset, so an Unmasked it shows was kept; a gate that cannot be
// read (no kube-apiserver Pod seen, off by default at that release) keeps the procMount counted.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { run } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.pod-exec-attach')!;

/**
 * A kubeadm kube-apiserver static Pod of release `version` with these extra flags: its image names
 * the release, which decides the gate's default for that Pod (each server is read at its own release).
 */
const apiserver = (version: string, ...flags: string[]) => `
---
apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver-cp1, namespace: kube-system, labels: {component: kube-apiserver, tier: control-plane}}
spec:
  hostNetwork: true
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:${version}
    command: [kube-apiserver, --authorization-mode=Node\\,RBAC${flags.map((f) => `, ${f}`).join('')}]
`;

const SCENE = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: build-0, namespace: shop}
spec: {serviceAccountName: builder, hostUsers: false, containers: [{name: buildah, image: quay.io/buildah/stable, securityContext: {procMount: Unmasked}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create], resourceNames: [build-0]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-exec, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
`;

const snapshotOf = (yaml: string, clusterVersion: string, origin: 'manifests' | 'live'): Snapshot => {
  const objects = parseAllDocuments(yaml).map((d) => d.toJS()).filter(Boolean) as KubeObject[];
  return { ...snapshotFromObjects(objects, { clusterVersion, origin }), origin, source: origin };
};
const dev = (s: Snapshot) => run(check, s).find((v) => v.resource.name === 'dev')!;
const REACHES = 'Pod shop/build-0 (procMount), which this access reaches, breaks the baseline Pod Security level';

describe('rbac.pod-exec-attach reads procMount as the API server keeps it (ProcMountType)', () => {
  it('gate off (1.32 default), from manifests: the API server resets it to Default, no way to the node', () => {
    const v = dev(snapshotOf(SCENE + apiserver('v1.32.4'), 'v1.32.4', 'manifests'));
    expect(v.message).not.toContain('procMount');
    expect(v.message).not.toContain('way out to its node');
  });
  it('exec into every pod of the namespace (no resourceNames) reads it the same way', () => {
    const all = SCENE.replace(', resourceNames: [build-0]', '');
    expect(dev(snapshotOf(all + apiserver('v1.32.4'), 'v1.32.4', 'manifests')).message).not.toContain('procMount');
    expect(dev(snapshotOf(all + apiserver('v1.33.1'), 'v1.33.1', 'manifests')).message).toContain('Pod shop/build-0 (procMount)');
  });
  it('gate turned off by name on 1.33: reset too', () => {
    expect(dev(snapshotOf(SCENE + apiserver('v1.33.1', '--feature-gates=ProcMountType=false'), 'v1.33.1', 'manifests')).message).not.toContain('procMount');
  });
  it('gate on (1.33 default, or named on 1.32): the Unmasked /proc reaches the node', () => {
    expect(dev(snapshotOf(SCENE + apiserver('v1.33.1'), 'v1.33.1', 'manifests')).message).toContain(REACHES);
    expect(dev(snapshotOf(SCENE + apiserver('v1.32.4', '--feature-gates=ProcMountType=true'), 'v1.32.4', 'manifests')).message).toContain(REACHES);
  });
  it('gate not known (no kube-apiserver Pod seen on 1.32, where its default is off): still counted', () => {
    expect(dev(snapshotOf(SCENE, 'v1.32.4', 'manifests')).message).toContain(REACHES);
  });
  it('a live cluster\'s stored Pod showing Unmasked kept it: still counted, gate off or not', () => {
    expect(dev(snapshotOf(SCENE + apiserver('v1.32.4'), 'v1.32.4', 'live')).message).toContain(REACHES);
  });
});
