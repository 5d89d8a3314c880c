// The kube-apiserver's ProcMountType feature gate and the Pod Security procMount check.
//
// Upstream: with ProcMountType off, the API server sets every container's procMount it is given
// to Default when it creates a pod or a template (kubernetes v1.36.3 pkg/api/pod/util.go,
// dropDisabledProcMountField, called from dropDisabledFields: "If the feature is disabled, and the
// existing object is not using any non-default values, and the ProcMount field is present in the
// incoming object, force to the default value"). The pod strategy's PrepareForCreate calls
// DropDisabledPodFields (pkg/registry/core/pod/strategy.go), the Deployment's calls
// DropDisabledTemplateFields (pkg/registry/apps/deployment/strategy.go), and the generic store
// runs rest.BeforeCreate before createValidation, where validating admission (PodSecurity) runs
// (k8s.io/apiserver v0.36.3 pkg/registry/generic/registry/store.go Create). So PodSecurity never
// sees the Unmasked value: its procMount check (pod-security-admission policy/check_procMount.go)
// allows Default. The gate's history (kubernetes v1.36.3 pkg/features/kube_features.go, versioned
// entry): `{1.12, false, Alpha}, {1.31, false, Beta}, {1.33, true, Beta}, {1.36, true, GA,
// LockToDefault}` — off by default before 1.33.
//
// The scenes are manifests with a kubeadm kube-apiserver static Pod (its mirror Pod's shape), as a
// `ztaudit audit -f` of a control plane's files would read them.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { podSecurityModel } from '../../../src/analysis/pss/index.ts';
import { podSecurityChecks } from '../../../checks/pod-security/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

/**
 * A kubeadm kube-apiserver static Pod manifest (/etc/kubernetes/manifests/kube-apiserver.yaml), with
 * these extra flags; its image tag is the scene's cluster version unless `image:` is given.
 */
const apiserverYaml = (name: string, ...flags: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: kube-system
  labels: {component: kube-apiserver, tier: control-plane}
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:CLUSTER
    command:
    - kube-apiserver
    - --advertise-address=10.0.0.10
    - --allow-privileged=true
    - --authorization-mode=Node,RBAC
    - --enable-admission-plugins=NodeRestriction
    - --secure-port=6443
${flags.map((f) => `    - ${f}`).join('\n')}
`;

/** A buildah Deployment asking for an unmasked /proc, in a namespace enforcing baseline. */
const BUILD = `apiVersion: v1
kind: Namespace
metadata:
  name: build
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: buildah, namespace: build}
spec:
  replicas: 1
  selector: {matchLabels: {app: buildah}}
  template:
    metadata: {labels: {app: buildah}}
    spec:
      hostUsers: false
      containers:
      - name: buildah
        image: quay.io/buildah/stable:v1.38
        securityContext: {procMount: Unmasked}
`;

const ENFORCED = 'pod-security.pod-violates-enforced-level';

function scene(clusterVersion: string, ...apiservers: string[]) {
  const parsed = parseManifestText([BUILD, ...apiservers].join('---\n').replaceAll('kube-apiserver:CLUSTER', `kube-apiserver:${clusterVersion}`), 'scene.yaml');
  const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources, clusterVersion });
  const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') };
  const verdicts = [...podSecurityChecks.find((c) => c.id === ENFORCED)!.evaluate(ctx)] as Verdict[];
  return { model: podSecurityModel(snapshot, ctx.config), buildah: verdicts.find((v) => v.resource.name === 'buildah')! };
}

describe('ProcMountType off: the API server resets procMount to Default before admission', () => {
  it('on 1.32, where it is off by default, the Deployment passes baseline, and the verdict says procMount was judged as Default', () => {
    const { model, buildah } = scene('v1.32.4', apiserverYaml('kube-apiserver-cp1'));
    expect(model.procMountGate).toMatchObject({ state: 'off', defaultOn: false, apiservers: ['kube-apiserver-cp1'] });
    expect(buildah.status).toBe('pass');
    expect(buildah.message).toContain('which the API server resets to Default when it creates the pod, as the ProcMountType feature gate is off in every kube-apiserver Pod');
    expect(buildah.evidence?.procMountType).toMatch(/^off in every kube-apiserver Pod/);
  });

  it('turned off by name on 1.33-1.35, where it is on by default, it passes too', () => {
    for (const version of ['v1.33.1', 'v1.35.0']) {
      const { buildah } = scene(version, apiserverYaml('kube-apiserver-cp1', '--feature-gates=ProcMountType=false'));
      expect(buildah.status, version).toBe('pass');
      // (From policy 1.35 baseline allows any procMount with hostUsers: false anyway: the note says the field was reset.)
      expect(buildah.evidence?.procMountType, version).toMatch(/^off in every kube-apiserver Pod/);
    }
  });

  it('on (named, through AllBeta on 1.31-1.32, or by default from 1.33) the field is kept and procMount fails, with no word on the gate', () => {
    const cases: Array<[string, string[]]> = [
      ['v1.32.4', ['--feature-gates=ProcMountType=true,UserNamespacesSupport=true']],
      ['v1.31.2', ['--feature-gates=AllBeta=true']],
      ['v1.33.1', []],
      ['v1.34.2', []],
    ];
    for (const [version, flags] of cases) {
      const { buildah } = scene(version, apiserverYaml('kube-apiserver-cp1', ...flags));
      expect(buildah.status, version).toBe('fail');
      expect(buildah.message, version).toContain('procMount');
      expect(buildah.evidence?.procMountType, version).toBeUndefined();
    }
    // 1.36 locks it on (GA, LockToDefault): a kube-apiserver told otherwise does not start.
    expect(scene('v1.36.3', apiserverYaml('kube-apiserver-cp1', '--feature-gates=ProcMountType=false')).model.procMountGate?.state).toBe('on');
    // A pair may name its component (component-base v0.34.0 compatibility/registry.go AddFlags:
    // "--feature-gates 'wardle:featureA=true,wardle:featureB=false' --feature-gates 'kube:featureC=true'").
    expect(scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', '--feature-gates=kube:ProcMountType=true,kube:UserNamespacesSupport=true')).buildah.status).toBe('fail');
    expect(scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', '--feature-gates=wardle:ProcMountType=true')).buildah.status).toBe('pass');
    // AllAlpha does not reach a beta gate.
    expect(scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', '--feature-gates=AllAlpha=true')).buildah.status).toBe('pass');
  });

  it('off in only some kube-apiserver Pods, not seen on a release where it is off by default, or under an unreadable --emulated-version: the failure cannot be confirmed', () => {
    const mixed = scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', '--feature-gates=ProcMountType=true,UserNamespacesSupport=true'), apiserverYaml('kube-apiserver-cp2'));
    expect(mixed.model.procMountGate?.state).toBe('mixed');
    expect(mixed.buildah.status).toBe('fail');
    expect(mixed.buildah.message).toContain('Its procMount failure cannot be confirmed: a kube-apiserver with the ProcMountType feature gate off (its default before 1.33) resets');
    expect(mixed.buildah.evidence?.procMountType).toBe('off in only some kube-apiserver Pods');

    const unseen = scene('v1.32.4');
    expect(unseen.model.procMountGate?.state).toBe('unseen');
    expect(unseen.buildah.status).toBe('fail');
    expect(unseen.buildah.evidence?.procMountType).toBe('not seen (no kube-apiserver Pod in kube-system shows its flags) on a release where it is off by default');
    // From 1.33 it is on by default: an unseen control plane keeps the field, and nothing is in doubt.
    expect(scene('v1.33.1').buildah.evidence?.procMountType).toBeUndefined();

    const unknown = scene('v1.34.2', apiserverYaml('kube-apiserver-cp1', '--emulated-version=1.3x'));
    expect(unknown.model.procMountGate?.state).toBe('unknown');
    expect(unknown.buildah.status).toBe('fail');
    expect(unknown.buildah.evidence?.procMountType).toBe('not known (kube-apiserver Pod kube-system/kube-apiserver-cp1: --emulated-version "1.3x" cannot be read: emulation version 1.3 is not between 1.31 and 1.34)');
  });

  it('--emulated-version gives the gate its default at the emulated release', () => {
    // A 1.34 kube-apiserver emulating 1.32: ProcMountType off by default, as in 1.32.
    const emulated = scene('v1.34.2', apiserverYaml('kube-apiserver-cp1', '--emulated-version=1.32'));
    expect(emulated.model.procMountGate?.state).toBe('off');
    expect(emulated.buildah.status).toBe('pass');
    expect(scene('v1.34.2', apiserverYaml('kube-apiserver-cp1', '--emulated-version=kube=1.33')).buildah.status).toBe('fail');
    // Emulating 1.32, ProcMountType is beta there: AllBeta=true turns it on.
    expect(scene('v1.34.2', apiserverYaml('kube-apiserver-cp1', '--emulated-version=1.32', '--feature-gates=AllBeta=true')).buildah.status).toBe('fail');
  });
});

/** The manifest with another image than the scene's release. */
const withImage = (yaml: string, image: string) => yaml.replace('registry.k8s.io/kube-apiserver:CLUSTER', image);

describe('ProcMountType read per kube-apiserver Pod', () => {
  it('a control plane mid-upgrade (a 1.32 and a 1.33 kube-apiserver, no flags): off on only one server, the failure stands and cannot be confirmed', () => {
    // The 1.33 binary has the gate on by default (kube_features.go {1.33, true, Beta}); the release is its image tag's.
    const { model, buildah } = scene('v1.32.4', withImage(apiserverYaml('kube-apiserver-cp1'), 'registry.k8s.io/kube-apiserver:v1.32.4'), withImage(apiserverYaml('kube-apiserver-cp2'), 'registry.k8s.io/kube-apiserver:v1.33.1'));
    expect(model.procMountGate?.state).toBe('mixed');
    expect(buildah.status).toBe('fail');
    expect(buildah.message).toContain('Its procMount failure cannot be confirmed');
    expect(buildah.message).not.toContain('judged as Default');
    // The per-architecture image names of older releases carry the release too.
    expect(scene('v1.32.4', withImage(apiserverYaml('kube-apiserver-cp1'), 'k8s.gcr.io/kube-apiserver-amd64:v1.33.1')).model.procMountGate?.state).toBe('on');
    // A 1.33 cluster whose only server still runs a 1.32 image resets the field: off.
    expect(scene('v1.33.1', withImage(apiserverYaml('kube-apiserver-cp1'), 'registry.k8s.io/kube-apiserver:v1.32.4')).buildah.status).toBe('pass');
  });

  it('an image pinned by digest names no release: the gate is unknown unless the flags name it', () => {
    const digest = 'registry.k8s.io/kube-apiserver@sha256:' + 'a'.repeat(64);
    const unknown = scene('v1.32.4', withImage(apiserverYaml('kube-apiserver-cp1'), digest));
    expect(unknown.model.procMountGate?.state).toBe('unknown');
    expect(unknown.buildah.status).toBe('fail');
    expect(unknown.buildah.evidence?.procMountType).toContain('is pinned by digest, which names no release');
    expect(scene('v1.32.4', withImage(apiserverYaml('kube-apiserver-cp1', '--feature-gates=ProcMountType=false'), digest)).buildah.status).toBe('pass');
    // AllBeta reaches the gate only at a release where it is beta: not known here.
    expect(scene('v1.32.4', withImage(apiserverYaml('kube-apiserver-cp1', '--feature-gates=AllBeta=false'), digest)).model.procMountGate?.state).toBe('unknown');
  });

  it('a repeated AllBeta: the last one wins on 1.31-1.32 (one flag or several), so Unmasked is kept and fails', () => {
    // component-base featuregate/feature_gate.go Set: `m[k] = boolValue` (a later pair overrides);
    // from 1.31 every --feature-gates flag's pairs are appended (cli/flag
    // colon_separated_multimap_string_string.go Set) and joined into one Set (compatibility/registry.go Set, v0.34.0).
    for (const flags of [['--feature-gates=AllBeta=false,AllBeta=true'], ['--feature-gates=AllBeta=false', '--feature-gates=AllBeta=true']]) {
      const { model, buildah } = scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', ...flags));
      expect(model.procMountGate?.state, flags.join(' ')).toBe('on');
      expect(buildah.status, flags.join(' ')).toBe('fail');
    }
    expect(scene('v1.32.4', apiserverYaml('kube-apiserver-cp1', '--feature-gates=AllBeta=true,AllBeta=false')).buildah.status).toBe('pass');
  });

  it('a kube-apiserver run through a shell (sh -c "kube-apiserver ..."): its flags cannot be read, so the gate is unknown, not its default', () => {
    const shell = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver-cp1, namespace: kube-system, labels: {component: kube-apiserver, tier: control-plane}}
spec:
  hostNetwork: true
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.32.4
    command: [/bin/sh, -c, 'exec /usr/local/bin/kube-apiserver --secure-port=6443 --feature-gates=ProcMountType=true']
`;
    const { model, buildah } = scene('v1.32.4', shell);
    expect(model.procMountGate?.state).toBe('unknown');
    expect(buildah.status).toBe('fail');
    expect(buildah.evidence?.procMountType).toContain('its command runs "/bin/sh", not kube-apiserver, so its flags cannot be read');
  });
});

describe('ProcMountType in a live cluster', () => {
  // A Pod read from the API server was stored after the reset: a procMount it shows was kept
  // (the gate was on when it was made), so it is judged as it is. A template's next pods are
  // created anew, and reset.
  const judge = (objects: KubeObject[], check: string) => {
    const snapshot = snapshotFromObjects(objects, { origin: 'live', clusterVersion: 'v1.32.4' });
    snapshot.source = 'live';
    const config = defaultConfig();
    config.target = { ...config.target, podSecurityLevel: 'baseline' };
    const ctx: AuditContext = { snapshot, config, now: new Date('2026-12-07T00:00:00Z') };
    return [...podSecurityChecks.find((c) => c.id === check)!.evaluate(ctx)] as Verdict[];
  };
  const parsed = parseManifestText([BUILD, apiserverYaml('kube-apiserver-cp1')].join('---\n').replace('kube-apiserver:CLUSTER', 'kube-apiserver:v1.32.4'), 'live.yaml').objects;

  it('a stored Pod that shows Unmasked fails; a Deployment scaled to zero is judged by its template, which the reset reaches', () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'buildah-0', namespace: 'build' },
      spec: { hostUsers: false, containers: [{ name: 'buildah', image: 'quay.io/buildah/stable:v1.38', securityContext: { procMount: 'Unmasked' } }] },
    };
    const stored = judge([...parsed.filter((o) => o.kind !== 'Deployment'), pod], ENFORCED).find((v) => v.resource.name === 'buildah-0')!;
    expect(stored.status).toBe('fail');
    expect(stored.evidence?.procMountType).toBeUndefined();
    const scaledToZero = parsed.map((o) => (o.kind === 'Deployment' ? { ...o, spec: { ...(o.spec as object), replicas: 0 } } : o));
    const template = judge(scaledToZero, 'pod-security.pod-violates-target').find((v) => v.resource.name === 'buildah')!;
    expect(template.status).toBe('pass');
    expect(template.evidence?.procMountType).toMatch(/^off in every kube-apiserver Pod/);
  });
});
