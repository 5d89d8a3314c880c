// The UserNamespacesPodSecurityStandards feature gate of a 1.29-1.34 kube-apiserver (alpha, off
// by default: kubernetes pkg/features/kube_features.go `{Version: "1.29", Default: false,
// PreRelease: Alpha}`). The PodSecurity admission plugin hands it to the policy package
// (plugin/pkg/admission/security/podsecurity/admission.go, InspectFeatureGates:
// policy.RelaxPolicyForUserNamespacePods(featureGates.Enabled(features.UserNamespacesPodSecurityStandards))),
// and runAsNonRoot_1_0 and runAsUserV1Dot23 return Allowed for a pod with hostUsers: false when
// it is on (release-1.34 staging/src/k8s.io/pod-security-admission/policy/helpers.go
// relaxPolicyForUserNamespacePod; check_runAsNonRoot_test.go cases "UserNamespacesPodSecurityStandards
// enabled without HostUsers" (allowed) and "... with HostUsers" (denied)). Those run at every
// policy version up to the server's own. The conformance fixtures (pod-security-admission
// test/testdata) mark no case by this gate, so these are reference cases from that code path.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { evaluatePod, podSecurityModel } from '../../../src/analysis/pss/index.ts';
import { emulatedMinor, gateOnInArgs } from '../../../src/analysis/pss/feature-gates.ts';
import { userNamespaceGatedChecks } from '../../../src/analysis/pss/checks.ts';
import { podSecurityChecks } from '../../../checks/pod-security/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';

/** Restricted but for runAsNonRoot (unset) and runAsUser 0: root in the container, in a user namespace when hostUsers is false. */
const rootSpec = (hostUsers: boolean | undefined) => ({
  ...(hostUsers === undefined ? {} : { hostUsers }),
  securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
});

/** A kubeadm control plane's kube-apiserver mirror Pod (component=kube-apiserver, flags in its command); run() tags its image with the cluster version. */
const withRelease = (objects: KubeObject[], clusterVersion: string | undefined): KubeObject[] =>
  objects.map((o) => (o.kind === 'Pod' && (o.spec as { containers: Array<{ image: string }> }).containers[0]!.image === 'registry.k8s.io/kube-apiserver:CLUSTER'
    ? { ...o, spec: { ...(o.spec as object), containers: (o.spec as { containers: object[] }).containers.map((c) => ({ ...c, image: `registry.k8s.io/kube-apiserver:${clusterVersion ?? 'v1.31.4'}` })) } }
    : o));
const apiserver = (name: string, ...flags: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' }, annotations: { 'kubernetes.io/config.mirror': 'x' } },
  spec: { hostNetwork: true, containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:CLUSTER', command: ['kube-apiserver', '--advertise-address=10.0.0.1', ...flags] }] },
});

const workload = (hostUsers: boolean | undefined): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30' } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: rootSpec(hostUsers) },
];

function run(objects: KubeObject[], clusterVersion: string | undefined) {
  const snapshot = snapshotFromObjects(withRelease(objects, clusterVersion), { origin: 'live', clusterVersion });
  snapshot.source = 'live';
  const config = defaultConfig();
  const ctx: AuditContext = { snapshot, config, now: new Date('2026-11-26T00:00:00Z') };
  const enforced = [...podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-enforced-level')!.evaluate(ctx)] as Verdict[];
  return { model: podSecurityModel(snapshot, config), web: enforced.find((v) => v.resource.name === 'web')! };
}

describe('UserNamespacesPodSecurityStandards (1.29-1.34)', () => {
  it('the evaluator, told the gate is on, passes runAsNonRoot and runAsUser for a pod with hostUsers: false at every policy version; not for hostUsers: true or unset', () => {
    for (const version of ['v1.23', 'v1.30', 'v1.34']) {
      expect(evaluatePod({ spec: rootSpec(false) }, 'restricted', version, { relaxUserNamespacePods: userNamespaceGatedChecks(30) }).allowed, version).toBe(true);
      const off = evaluatePod({ spec: rootSpec(false) }, 'restricted', version);
      expect(off.failures.map((f) => f.id), version).toEqual(['runAsNonRoot', 'runAsUser']);
      for (const hostUsers of [true, undefined]) {
        const denied = evaluatePod({ spec: rootSpec(hostUsers) }, 'restricted', version, { relaxUserNamespacePods: userNamespaceGatedChecks(30) });
        expect(denied.failures.map((f) => f.forbiddenDetail), `${version} ${hostUsers}`).toEqual(['pod or container "app" must set securityContext.runAsNonRoot=true', 'pod must not set runAsUser=0']);
      }
    }
  });

  it('the gate relaxes nothing else: a privileged container in a user namespace still fails', () => {
    const spec = { ...rootSpec(false), containers: [{ name: 'app', image: 'x', securityContext: { privileged: true } }] };
    expect(evaluatePod({ spec }, 'restricted', 'v1.30', { relaxUserNamespacePods: userNamespaceGatedChecks(30) }).failures.map((f) => f.id)).toContain('privileged');
  });

  it('reads --feature-gates as the kube-apiserver does: pairs over earlier flags, the gate named outright over AllAlpha, Go booleans', () => {
    expect(gateOnInArgs(['--feature-gates=UserNamespacesSupport=true,UserNamespacesPodSecurityStandards=true'])).toBe(true);
    expect(gateOnInArgs(['--feature-gates', 'UserNamespacesPodSecurityStandards=True'])).toBe(true);
    expect(gateOnInArgs(['--feature-gates=UserNamespacesPodSecurityStandards=true', '--feature-gates=UserNamespacesPodSecurityStandards=false'])).toBe(false);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=true'])).toBe(true);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=true,UserNamespacesPodSecurityStandards=false'])).toBe(false);
    expect(gateOnInArgs(['--feature-gates=UserNamespacesPodSecurityStandards=false', '--feature-gates=AllAlpha=true'])).toBe(false);
    expect(gateOnInArgs(['--feature-gates=userNamespacesPodSecurityStandards=true', '--enable-admission-plugins=UserNamespacesPodSecurityStandards=true'])).toBe(false);
    // Before 1.31 each flag was one featureGate.Set and AllAlpha sets only the alpha gates not yet
    // set (component-base v0.30.0 featuregate/feature_gate.go AddFlag, setUnsetAlphaGates): a second
    // flag's AllAlpha finds them set. From 1.31 the compatibility registry joins every flag's pairs
    // into one Set, whose map keeps the last (v0.34.0 compatibility/registry.go Set,
    // cli/flag/colon_separated_multimap_string_string.go Set, featuregate Set `m[k] = boolValue`).
    expect(gateOnInArgs(['--feature-gates=AllAlpha=true', '--feature-gates=AllAlpha=false'], 30)).toBe(true);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=true', '--feature-gates=AllAlpha=false'], 31)).toBe(false);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=false', '--feature-gates=AllAlpha=true'], 31)).toBe(true);
    // In one flag the last pair wins at every release.
    expect(gateOnInArgs(['--feature-gates=AllAlpha=false,AllAlpha=true'], 30)).toBe(true);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=false,AllAlpha=true'], 31)).toBe(true);
    expect(gateOnInArgs(['--feature-gates=AllAlpha=true,AllAlpha=false'], 31)).toBe(false);
    expect(gateOnInArgs([])).toBe(false);
  });

  it('on a v1.31 cluster whose kube-apiserver Pod turns the gate (and UserNamespacesSupport) on, a root pod in a user namespace passes the enforced restricted level', () => {
    const both = '--feature-gates=UserNamespacesPodSecurityStandards=true,UserNamespacesSupport=true';
    const { model, web } = run([apiserver('kube-apiserver-cp1', both), ...workload(false)], 'v1.31.4');
    expect(model.userNamespaceGate).toMatchObject({ state: 'on', support: 'on', apiservers: ['kube-apiserver-cp1'] });
    expect([...model.userNamespaceGate!.checks]).toEqual(['runAsNonRoot', 'runAsUser', 'procMount']);
    expect(web.status).toBe('pass');
    // hostUsers: true is no user namespace: still refused.
    expect(run([apiserver('kube-apiserver-cp1', both), ...workload(true)], 'v1.31.4').web.status).toBe('fail');
  });

  it('with the gate off, on only some of the kube-apiserver Pods, or not seen, the pod fails, and the finding says how the gate was read', () => {
    const off = run([apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=true'), ...workload(false)], 'v1.31.4').web;
    expect(off.status).toBe('fail');
    expect(off.evidence?.userNamespacesPodSecurityStandards).toBe("off (the kube-apiserver Pods' --feature-gates)");

    const mixed = run([apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesPodSecurityStandards=true'), apiserver('kube-apiserver-cp2'), ...workload(false)], 'v1.31.4');
    expect(mixed.model.userNamespaceGate?.state).toBe('mixed');
    expect(mixed.web.status).toBe('fail');
    expect(mixed.web.message).toContain('that gate was on in only some kube-apiserver Pods, so read as off');

    // A managed control plane: no kube-apiserver Pod to read.
    const unseen = run(workload(false), 'v1.31.4').web;
    expect(unseen.status).toBe('fail');
    expect(unseen.evidence?.userNamespacesPodSecurityStandards).toBe('not seen (no kube-apiserver Pod in kube-system shows its flags), so read as off, its default');
    expect(unseen.message).toContain('A failing pod runs in a user namespace (hostUsers: false), which a 1.29-1.34 kube-apiserver with the UserNamespacesPodSecurityStandards feature gate on exempts from runAsNonRoot and runAsUser');
    // The relaxation also needs user namespaces: the UserNamespacesPodSecurityStandards gate's
    // entry on kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/ says "you
    // must also enable UserNamespacesSupport", whose entry there is beta and on by default from
    // 1.33 (off before); without it the API server drops hostUsers (kubernetes pkg/api/pod/util.go,
    // dropDisabledFields). The finding names that gate and the release it defaults on.
    expect(unseen.message).toContain('It also needs the UserNamespacesSupport feature gate, on by default from 1.33');
    expect(mixed.web.message).toContain('UserNamespacesSupport');
  });

  it('outside 1.29-1.34 the gate is not read: 1.28 has none, 1.35 dropped it (the pinned v1.30 policy then fails the pod), and an unknown version claims nothing', () => {
    const gateOn = apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesPodSecurityStandards=true');
    for (const version of ['v1.28.9', 'v1.35.0', undefined]) {
      const { model, web } = run([gateOn, ...workload(false)], version as string);
      expect(model.userNamespaceGate, version).toBeUndefined();
      expect(web.status, version).toBe('fail');
      expect(web.evidence?.userNamespacesPodSecurityStandards, version).toBeUndefined();
    }
  });

  it('a pod that fails for other checks only gets no word on the gate', () => {
    const objects = [...workload(true)];
    const { web } = run(objects, 'v1.31.4');
    expect(web.status).toBe('fail');
    expect(web.evidence?.userNamespacesPodSecurityStandards).toBeUndefined();
    expect(web.message).not.toContain('UserNamespacesPodSecurityStandards');
  });
});

// The relaxation needs UserNamespacesSupport as well. PodSecurity reads only its own gate
// (pod-security-admission policy/helpers.go at v0.30.0, v0.32.0, v0.33.0 and v0.34.0:
// relaxPolicyForUserNamespacePod is `relaxPolicyForUserNamespacePods.Load() && podSpec.HostUsers
// != nil && !*podSpec.HostUsers`), but with UserNamespacesSupport off the API server drops
// hostUsers before admission sees it (kubernetes v1.36.3 pkg/api/pod/util.go dropDisabledFields:
// "If the feature is disabled and not in use, drop the hostUsers field", run by PrepareForCreate,
// which apiserver v0.36.3 registry/generic/registry/store.go Create calls (rest.BeforeCreate)
// before createValidation). UserNamespacesSupport: kubernetes v1.36.3 pkg/features/kube_features.go
// `{1.25, false, Alpha}, {1.30, false, Beta}, {1.33, true, Beta}`; component-base featuregate
// setUnsetBetaGates: AllBeta sets the beta gates not named.
describe('UserNamespacesPodSecurityStandards needs UserNamespacesSupport', () => {
  const pss = '--feature-gates=UserNamespacesPodSecurityStandards=true';

  it('before 1.33 the gate alone relaxes nothing: the pod fails and the finding names UserNamespacesSupport', () => {
    for (const version of ['v1.29.9', 'v1.30.6', 'v1.32.3']) {
      const { model, web } = run([apiserver('kube-apiserver-cp1', pss), ...workload(false)], version);
      expect(model.userNamespaceGate?.support, version).toBe('off');
      expect(web.status, version).toBe('fail');
      expect(web.evidence?.userNamespacesSupport, version).toBe("off (the kube-apiserver Pods' --feature-gates, or its default before 1.33 at the release they run or emulate)");
      expect(web.message, version).toContain('the exemption does not apply');
    }
    // Named on, or through AllBeta on a beta (1.30-1.32) or AllAlpha on an alpha (1.29) release, it relaxes.
    expect(run([apiserver('kube-apiserver-cp1', `${pss},UserNamespacesSupport=true`), ...workload(false)], 'v1.30.6').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', `${pss},AllBeta=true`), ...workload(false)], 'v1.32.3').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', '--feature-gates=AllAlpha=true'), ...workload(false)], 'v1.29.9').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', '--feature-gates=AllAlpha=true'), ...workload(false)], 'v1.30.6').web.status).toBe('fail');
  });

  it('from 1.33 it is on by default, so the gate alone relaxes; turned off (by name or AllBeta=false) it does not', () => {
    expect(run([apiserver('kube-apiserver-cp1', pss), ...workload(false)], 'v1.33.1').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', pss), ...workload(false)], 'v1.34.0').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', `${pss},UserNamespacesSupport=false`), ...workload(false)], 'v1.33.1').web.status).toBe('fail');
    expect(run([apiserver('kube-apiserver-cp1', `${pss},AllBeta=false`), ...workload(false)], 'v1.34.0').web.status).toBe('fail');
  });

  it('on in only some kube-apiserver Pods, or under an --emulated-version that cannot be read, the pass cannot be confirmed and is not given', () => {
    const mixed = run([apiserver('kube-apiserver-cp1', `${pss},UserNamespacesSupport=true`), apiserver('kube-apiserver-cp2', pss), ...workload(false)], 'v1.31.4');
    expect(mixed.model.userNamespaceGate).toMatchObject({ state: 'on', support: 'mixed' });
    expect(mixed.web.status).toBe('fail');
    expect(mixed.web.message).toContain('That gate was on in only some kube-apiserver Pods, so the exemption cannot be confirmed and is not counted.');
    const unreadable = run([apiserver('kube-apiserver-cp1', pss, '--emulated-version=latest'), ...workload(false)], 'v1.33.1');
    expect(unreadable.model.userNamespaceGate).toMatchObject({ state: 'unknown', support: 'unknown' });
    expect(unreadable.web.status).toBe('fail');
    expect(unreadable.web.evidence?.userNamespacesPodSecurityStandards).toBe('not known (kube-apiserver Pod kube-system/kube-apiserver-cp1: --emulated-version "latest" cannot be read: "latest" is not a version), so read as off');
  });

  it('each kube-apiserver Pod is read at the release its image names: a 1.32 server left in a 1.33 control plane has UserNamespacesSupport off, so the pass is not given', () => {
    const at = (o: KubeObject, image: string): KubeObject => ({ ...o, spec: { ...(o.spec as object), containers: (o.spec as { containers: object[] }).containers.map((c) => ({ ...c, image })) } });
    const upgrading = run([at(apiserver('kube-apiserver-cp1', pss), 'registry.k8s.io/kube-apiserver:v1.32.4'), at(apiserver('kube-apiserver-cp2', pss), 'registry.k8s.io/kube-apiserver:v1.33.1'), ...workload(false)], 'v1.33.1');
    expect(upgrading.model.userNamespaceGate).toMatchObject({ state: 'on', support: 'mixed' });
    expect(upgrading.web.status).toBe('fail');
    expect(run([at(apiserver('kube-apiserver-cp1', pss), 'registry.k8s.io/kube-apiserver:v1.33.1'), at(apiserver('kube-apiserver-cp2', pss), 'registry.k8s.io/kube-apiserver:v1.33.1'), ...workload(false)], 'v1.33.1').web.status).toBe('pass');
  });

  // --emulated-version=X.Y gives each gate its entry at X.Y (component-base v0.34.0
  // featuregate/feature_gate.go featureSpecAtEmulationVersion: the newest versioned spec not after
  // the emulation version; setUnsetAlphaGates and setUnsetBetaGates take the stage from it too).
  it('a 1.33-1.34 kube-apiserver emulating 1.32 has UserNamespacesSupport off by default, as 1.32 had: the gate alone relaxes nothing', () => {
    for (const version of ['v1.33.1', 'v1.34.0']) {
      const emulated = run([apiserver('kube-apiserver-cp1', pss, '--emulated-version=1.32'), ...workload(false)], version);
      expect(emulated.model.userNamespaceGate?.support, version).toBe('off');
      expect(emulated.web.status, version).toBe('fail');
      expect(emulated.web.message, version).toContain('the exemption does not apply');
    }
    // Emulating its own release, or 1.33, it is on by default; AllBeta reaches it at 1.32, where it is beta.
    expect(run([apiserver('kube-apiserver-cp1', pss, '--emulated-version=kube=1.33'), ...workload(false)], 'v1.34.0').web.status).toBe('pass');
    expect(run([apiserver('kube-apiserver-cp1', `${pss},AllBeta=true`, '--emulated-version', '1.32'), ...workload(false)], 'v1.34.0').web.status).toBe('pass');
    // Named, the emulated version does not matter.
    expect(run([apiserver('kube-apiserver-cp1', `${pss},UserNamespacesSupport=true`, '--emulated-version=1.32'), ...workload(false)], 'v1.33.1').web.status).toBe('pass');
  });
});

// How component-base reads --emulated-version (v0.34.0 compatibility/registry.go toVersionMap and
// AddFlags' StringSliceVar; the same at v0.36.3): entries `X.Y` or `kube=X.Y`, comma-separated or
// from repeated flags, parsed by apimachinery util/version Parse (a leading v allowed; anything
// after the numbers ignored), patch only 0, kube once, no component but kube. Then
// effectiveVersion.Validate (compatibility/version.go) wants it between the binary minor less three
// (not before 1.31: apiserver pkg/util/compatibility/version.go kubeEffectiveVersionFloors,
// minimumKubeEmulationVersion) and the binary's own; otherwise the kube-apiserver does not start.
describe('--emulated-version', () => {
  it('reads the release a kube-apiserver emulates, or why it cannot', () => {
    const at34 = (...args: string[]) => emulatedMinor(['kube-apiserver', ...args], 34);
    expect(at34()).toBe(34);
    expect(at34('--emulated-version=1.32')).toBe(32);
    expect(at34('--emulated-version=kube=1.31')).toBe(31);
    expect(at34('--emulated-version=v1.33')).toBe(33);
    expect(at34('--emulated-version=1.32.0')).toBe(32);
    expect(at34('--emulated-version', '1.33')).toBe(33);
    expect(at34('--emulated-version=')).toBe(34);
    expect(at34('--emulated-version=1.32.1')).toEqual({ unknown: '--emulated-version "1.32.1" cannot be read: patch version not allowed' });
    expect(at34('--emulated-version=1.30')).toEqual({ unknown: '--emulated-version "1.30" cannot be read: emulation version 1.30 is not between 1.31 and 1.34' });
    expect(at34('--emulated-version=1.35')).toEqual({ unknown: '--emulated-version "1.35" cannot be read: emulation version 1.35 is not between 1.31 and 1.34' });
    expect(at34('--emulated-version=wardle=1.2')).toEqual({ unknown: '--emulated-version "wardle=1.2" cannot be read: component "wardle" is not registered' });
    expect(at34('--emulated-version=1.32', '--emulated-version=kube=1.33')).toEqual({ unknown: '--emulated-version "1.32,kube=1.33" cannot be read: duplicate version flag' });
    expect(at34('--emulated-version=1')).toEqual({ unknown: '--emulated-version "1" cannot be read: "1" is not a version' });
    expect(emulatedMinor(['--emulated-version=1.30'], 36)).toEqual({ unknown: '--emulated-version "1.30" cannot be read: emulation version 1.30 is not between 1.33 and 1.36' });
    expect(emulatedMinor(['--emulated-version=1.30'], 30)).toEqual({ unknown: '--emulated-version "1.30" cannot be read: a 1.30 kube-apiserver has no such flag (first in 1.31)' });
  });
});

// kubernetes/kubernetes#126163 ("PSA: allow procMount type Unmasked in baseline", 1.31) made the
// baseline procMount check pass a hostUsers: false pod behind the same gate; the 1.35 rewrite of
// check_procMount.go: "the 1.0 version only took user namespaces into account if the now dropped
// UserNamespacesPodSecurityStandards feature gate was on". Not on 1.29-1.30.
describe('UserNamespacesPodSecurityStandards and procMount (1.31-1.34)', () => {
  const unmasked: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'build', labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.31' } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'buildah', namespace: 'build' }, spec: { hostUsers: false, containers: [{ name: 'b', image: 'quay.io/buildah/stable', securityContext: { procMount: 'Unmasked' } }] } },
  ];
  const verdictOf = (objects: KubeObject[], clusterVersion: string) => {
    const snapshot = snapshotFromObjects(withRelease(objects, clusterVersion), { origin: 'live', clusterVersion });
    snapshot.source = 'live';
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
    return ([...podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-enforced-level')!.evaluate(ctx)] as Verdict[]).find((v) => v.resource.name === 'buildah')!;
  };

  it('passes an Unmasked procMount in a user namespace on a 1.31 kube-apiserver with the gate (and UserNamespacesSupport) on', () => {
    expect(verdictOf([...unmasked, apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesPodSecurityStandards=true,UserNamespacesSupport=true')], 'v1.31.4').status).toBe('pass');
  });

  it('still fails it with the gate off, or on a 1.30 kube-apiserver with the gate on', () => {
    const off = verdictOf([...unmasked, apiserver('kube-apiserver-cp1')], 'v1.31.4');
    expect(off.status).toBe('fail');
    expect(off.message).toContain('procMount');
    expect(verdictOf([...unmasked, apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesPodSecurityStandards=true')], 'v1.30.6').status).toBe('fail');
  });
});


// From policy 1.35 PodSecurity exempts a pod with hostUsers: false from runAsNonRoot, runAsUser and
// the baseline procMount on its own (./checks.ts unlessUserNamespace), but the field still needs
// UserNamespacesSupport: with it off the API server drops hostUsers from a pod or template it
// creates, before validating admission (kubernetes v1.36.3 pkg/api/pod/util.go dropDisabledFields,
// "If the feature is disabled and not in use, drop the hostUsers field"). In 1.35 that gate is beta
// and on by default, and can be turned off (kubernetes v1.35 pkg/features/kube_features.go:
// `{1.25, false, Alpha}, {1.30, false, Beta}, {1.33, true, Beta}`); from 1.36 it is GA and locked on.
describe('UserNamespacesSupport on a 1.35 cluster', () => {
  /** A Deployment running root in a user namespace, in a namespace enforcing restricted (latest), from manifests beside a kube-apiserver static Pod. */
  const manifests = (clusterVersion: string, ...apiservers: KubeObject[]) => {
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: rootSpec(false) } } },
      ...apiservers,
    ];
    const snapshot = snapshotFromObjects(withRelease(objects, clusterVersion), { origin: 'manifests', clusterVersion });
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') };
    const enforced = [...podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-enforced-level')!.evaluate(ctx)] as Verdict[];
    return { model: podSecurityModel(snapshot, ctx.config), web: enforced.find((v) => v.resource.name === 'web')! };
  };

  it('turned off, the API server drops hostUsers: false, so runAsNonRoot and runAsUser fail, and the finding says why', () => {
    const { model, web } = manifests('v1.35.2', apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=false'));
    expect(model.hostUsersGate?.state).toBe('off');
    expect(web.status).toBe('fail');
    expect((web.evidence?.checks as Array<{ id: string }>).map((c) => c.id)).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(web.evidence?.userNamespacesSupport).toBe('off in every kube-apiserver Pod (their --feature-gates at the release they run or emulate)');
    expect(web.message).toContain('the API server drops hostUsers when it creates the pod, before admission judges it');
    // AllBeta=false reaches it too (beta in 1.35).
    expect(manifests('v1.35.2', apiserver('kube-apiserver-cp1', '--feature-gates=AllBeta=false')).web.status).toBe('fail');
  });

  it('on (by default, named, or not seen: its default) the exemption applies and the pod passes, with no word on the gate', () => {
    for (const servers of [[apiserver('kube-apiserver-cp1')], [apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=true')], []]) {
      const { web } = manifests('v1.35.2', ...servers);
      expect(web.status).toBe('pass');
      expect(web.evidence?.userNamespacesSupport).toBeUndefined();
    }
  });

  it('off in only some kube-apiserver Pods, or unknown, the exemption cannot be confirmed and is not counted', () => {
    const mixed = manifests('v1.35.2', apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=false'), apiserver('kube-apiserver-cp2'));
    expect(mixed.model.hostUsersGate?.state).toBe('mixed');
    expect(mixed.web.status).toBe('fail');
    expect(mixed.web.message).toContain('That gate was on in only some kube-apiserver Pods, so the exemption cannot be confirmed and is not counted.');
    const unknown = manifests('v1.35.2', apiserver('kube-apiserver-cp1', '--emulated-version=latest'));
    expect(unknown.web.status).toBe('fail');
    expect(unknown.web.evidence?.userNamespacesSupport).toBe('not known (kube-apiserver Pod kube-system/kube-apiserver-cp1: --emulated-version "latest" cannot be read: "latest" is not a version)');
  });

  it('1.36 locks it on: a kube-apiserver told otherwise does not start, so the pod passes; one emulating 1.35 can turn it off', () => {
    expect(manifests('v1.36.3', apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=false')).web.status).toBe('pass');
    expect(manifests('v1.36.3', apiserver('kube-apiserver-cp1', '--emulated-version=1.35', '--feature-gates=UserNamespacesSupport=false')).web.status).toBe('fail');
  });

  it('in a live cluster a stored Pod showing hostUsers: false kept it (the gate was on when it was made), so it passes; a template, whose next pods lose it, fails', () => {
    const off = apiserver('kube-apiserver-cp1', '--feature-gates=UserNamespacesSupport=false');
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    const { web } = run([off, ...workload(false).map((o) => (o.kind === 'Namespace' ? namespace : o))], 'v1.35.2');
    expect(web.status).toBe('pass');
    expect(web.evidence?.userNamespacesSupport).toBeUndefined();
    // A Deployment scaled to zero is judged by its template at the target level.
    const scaledToZero: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: rootSpec(false) } } };
    const snapshot = snapshotFromObjects(withRelease([off, namespace, scaledToZero], 'v1.35.2'), { origin: 'live', clusterVersion: 'v1.35.2' });
    snapshot.source = 'live';
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') };
    const template = ([...podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-target')!.evaluate(ctx)] as Verdict[]).find((v) => v.resource.name === 'web')!;
    expect(template.status).toBe('fail');
    expect(template.evidence?.userNamespacesSupport).toMatch(/^off in every kube-apiserver Pod/);
  });
});
