// The Pod Security evaluator against cases read from pod-security-admission policy/check_*.go, and bad input.
import { describe, expect, it } from 'vitest';
import { checkChangesBetween, checkIdsAt, cisControlsFor, denialDetail, evaluatePod } from '../../../src/analysis/pss/index.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A pod that passes restricted at every version; `patch` edits a deep copy. */
function restrictedPod(patch: (p: Obj) => void = () => {}): Obj {
  const sc = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  const pod: Obj = {
    metadata: { name: 'p' },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'init', image: 'x', securityContext: sc() }],
      containers: [{ name: 'api', image: 'x', securityContext: sc() }],
    },
  };
  patch(pod);
  return pod;
}

const ids = (r: { failures: Array<{ id: string }> }) => r.failures.map((f) => f.id);

describe('evaluatePod: reference test cases', () => {
  it('1. a privileged ephemeral container fails baseline', () => {
    const pod = { spec: { containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }] } };
    const r = evaluatePod(pod, 'baseline', 'latest');
    expect(r.allowed).toBe(false);
    expect(ids(r)).toEqual(['privileged']);
    expect(r.failures[0].reason).toBe('privileged (container "debug" must not set securityContext.privileged=true)');
  });

  it('2. capabilities: NET_RAW fails baseline, CHOWN only restricted, drop ALL + NET_BIND_SERVICE passes, drop "all" fails', () => {
    const withCaps = (caps: Obj) => restrictedPod((p) => { p.spec.containers[0].securityContext.capabilities = caps; });
    expect(ids(evaluatePod(withCaps({ drop: ['ALL'], add: ['NET_RAW'] }), 'baseline', 'latest'))).toEqual(['capabilities_baseline']);
    expect(evaluatePod(withCaps({ drop: ['ALL'], add: ['CHOWN'] }), 'baseline', 'latest').allowed).toBe(true);
    const chown = evaluatePod(withCaps({ drop: ['ALL'], add: ['CHOWN'] }), 'restricted', 'latest');
    expect(ids(chown)).toEqual(['capabilities_restricted']);
    expect(chown.failures[0].reason).toContain('must not include "CHOWN" in securityContext.capabilities.add');
    expect(evaluatePod(withCaps({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }), 'restricted', 'latest').allowed).toBe(true);
    const lower = evaluatePod(withCaps({ drop: ['all'] }), 'restricted', 'latest');
    expect(ids(lower)).toEqual(['capabilities_restricted']);
    expect(lower.failures[0].reason).toContain('container "api" must set securityContext.capabilities.drop=["ALL"]');
  });

  it('3. runAsNonRoot: container false overrides pod true; every container true suffices; runAsUser alone does not', () => {
    const explicitFalse = restrictedPod((p) => { p.spec.containers[0].securityContext.runAsNonRoot = false; });
    const r = evaluatePod(explicitFalse, 'restricted', 'latest');
    expect(ids(r)).toEqual(['runAsNonRoot']);
    expect(r.failures[0].reason).toBe('runAsNonRoot != true (container "api" must not set securityContext.runAsNonRoot=false)');

    const perContainer = restrictedPod((p) => {
      delete p.spec.securityContext.runAsNonRoot;
      for (const c of [...p.spec.containers, ...p.spec.initContainers]) c.securityContext.runAsNonRoot = true;
    });
    expect(evaluatePod(perContainer, 'restricted', 'latest').allowed).toBe(true);

    const onlyUser = restrictedPod((p) => { p.spec.securityContext = { runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } }; });
    const u = evaluatePod(onlyUser, 'restricted', 'latest');
    expect(ids(u)).toEqual(['runAsNonRoot']);
    expect(u.failures[0].reason).toContain('pod or containers "init", "api" must set securityContext.runAsNonRoot=true');
  });

  it('4. runAsUser: 0 is not checked at v1.22 and fails from v1.23', () => {
    const root = restrictedPod((p) => { p.spec.securityContext.runAsUser = 0; });
    expect(evaluatePod(root, 'restricted', 'v1.22').allowed).toBe(true);
    expect(checkIdsAt('restricted', 22)).not.toContain('runAsUser');
    const r = evaluatePod(root, 'restricted', 'v1.23');
    expect(ids(r)).toEqual(['runAsUser']);
    expect(r.failures[0].reason).toBe('runAsUser=0 (pod must not set runAsUser=0)');
    expect(ids(evaluatePod(root, 'restricted', 'latest'))).toEqual(['runAsUser']);
  });

  it('5. seccomp: pod Unconfined fails restricted even with every container RuntimeDefault; unset only fails restricted', () => {
    const unconfined = restrictedPod((p) => {
      p.spec.securityContext.seccompProfile = { type: 'Unconfined' };
      for (const c of [...p.spec.containers, ...p.spec.initContainers]) c.securityContext.seccompProfile = { type: 'RuntimeDefault' };
    });
    const r = evaluatePod(unconfined, 'restricted', 'latest');
    expect(ids(r)).toEqual(['seccompProfile_restricted']);
    expect(r.failures[0].reason).toBe('seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")');

    const none = restrictedPod((p) => { delete p.spec.securityContext.seccompProfile; });
    expect(evaluatePod(none, 'baseline', 'latest').allowed).toBe(true);
    expect(ids(evaluatePod(none, 'restricted', 'latest'))).toEqual(['seccompProfile_restricted']);
  });

  it('6. Windows pods skip seccomp, capabilities and allowPrivilegeEscalation from v1.25 only', () => {
    const win = { spec: { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app' }] } };
    expect(evaluatePod(win, 'restricted', 'v1.25').allowed).toBe(true);
    expect(evaluatePod(win, 'restricted', 'latest').allowed).toBe(true);
    expect(ids(evaluatePod(win, 'restricted', 'v1.24'))).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    // Other restricted checks still run for Windows pods.
    expect(ids(evaluatePod({ spec: { ...win.spec, securityContext: {} } }, 'restricted', 'latest'))).toEqual(['runAsNonRoot']);
    // "Windows" (capitalised) is not the windows OS.
    expect(evaluatePod({ spec: { ...win.spec, os: { name: 'Windows' } } }, 'restricted', 'latest').allowed).toBe(false);
  });

  it('7. hostUsers: false relaxes baseline procMount and runAsUser at v1.35, but not procMount_restricted', () => {
    const userns = restrictedPod((p) => {
      p.spec.hostUsers = false;
      p.spec.securityContext.runAsUser = 0;
      p.spec.containers[0].securityContext.procMount = 'Unmasked';
    });
    expect(evaluatePod(userns, 'baseline', 'v1.35').allowed).toBe(true);
    expect(ids(evaluatePod(userns, 'restricted', 'v1.35'))).toEqual(['procMount_restricted']);
    expect(ids(evaluatePod(userns, 'restricted', 'v1.34'))).toEqual(['procMount', 'runAsUser']);
    expect(ids(evaluatePod(userns, 'baseline', 'v1.34'))).toEqual(['procMount']);
    // runAsNonRoot is relaxed too from v1.35.
    const nonRootFalse = restrictedPod((p) => { p.spec.hostUsers = false; p.spec.securityContext.runAsNonRoot = false; });
    expect(evaluatePod(nonRootFalse, 'restricted', 'v1.35').allowed).toBe(true);
    expect(ids(evaluatePod(nonRootFalse, 'restricted', 'v1.34'))).toEqual(['runAsNonRoot']);
  });

  it('8. volumes: image passes restricted, nfs fails it, hostPath fails baseline', () => {
    const vol = (v: Obj) => restrictedPod((p) => { p.spec.volumes = [{ name: 'v', ...v }]; });
    expect(evaluatePod(vol({ image: { reference: 'example/data:1' } }), 'restricted', 'latest').allowed).toBe(true);
    expect(evaluatePod(vol({ image: { reference: 'example/data:1' } }), 'restricted', 'v1.0').allowed).toBe(true);
    const nfs = evaluatePod(vol({ nfs: { server: 'nfs', path: '/' } }), 'restricted', 'latest');
    expect(ids(nfs)).toEqual(['restrictedVolumes']);
    expect(nfs.failures[0].reason).toBe('restricted volume types (volume "v" uses restricted volume type "nfs")');
    expect(evaluatePod(vol({ nfs: { server: 'nfs', path: '/' } }), 'baseline', 'latest').allowed).toBe(true);
    expect(ids(evaluatePod(vol({ hostPath: { path: '/etc' } }), 'baseline', 'latest'))).toEqual(['hostPathVolumes']);
    // Under restricted, hostPath is reported by restrictedVolumes, which overrides hostPathVolumes.
    expect(ids(evaluatePod(vol({ hostPath: { path: '/etc' } }), 'restricted', 'latest'))).toEqual(['restrictedVolumes']);
  });

  it('9. sysctl net.ipv4.tcp_rmem is safe from v1.32', () => {
    const pod = { spec: { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }] }, containers: [{ name: 'a' }] } };
    const r = evaluatePod(pod, 'baseline', 'v1.31');
    expect(ids(r)).toEqual(['sysctls']);
    expect(r.failures[0].reason).toBe('forbidden sysctls (net.ipv4.tcp_rmem)');
    expect(evaluatePod(pod, 'baseline', 'v1.32').allowed).toBe(true);
    const slowStart = { spec: { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_slow_start_after_idle' }] } } };
    expect(evaluatePod(slowStart, 'baseline', 'v1.36').allowed).toBe(false);
    expect(evaluatePod(slowStart, 'baseline', 'v1.37').allowed).toBe(true);
    expect(evaluatePod({ spec: { securityContext: { sysctls: [{ name: 'kernel.msgmax' }] } } }, 'baseline', 'latest').allowed).toBe(false);
  });

  it('10. SELinux type container_engine_t is allowed from v1.31; a user is never allowed', () => {
    const type = { spec: { containers: [{ name: 'a', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] } };
    expect(ids(evaluatePod(type, 'baseline', 'v1.30'))).toEqual(['seLinuxOptions']);
    expect(evaluatePod(type, 'baseline', 'v1.31').allowed).toBe(true);
    const user = { spec: { securityContext: { seLinuxOptions: { user: 'system_u' } }, containers: [{ name: 'a' }] } };
    for (const v of ['v1.0', 'v1.30', 'v1.31', 'latest']) expect(ids(evaluatePod(user, 'baseline', v))).toEqual(['seLinuxOptions']);
    expect(evaluatePod(user, 'baseline', 'latest').failures[0].reason).toBe('seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set)');
  });

  it('11. a probe host fails baseline from v1.34', () => {
    const pod = { spec: { containers: [{ name: 'a', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }] } };
    expect(evaluatePod(pod, 'baseline', 'v1.33').allowed).toBe(true);
    const r = evaluatePod(pod, 'baseline', 'v1.34');
    expect(ids(r)).toEqual(['hostProbesAndHostLifecycle']);
    expect(r.failures[0].reason).toBe('probe or lifecycle host (container "a" uses probe or lifecycle host "10.0.0.1")');
    const lifecycle = { spec: { initContainers: [{ name: 'i', lifecycle: { preStop: { tcpSocket: { host: 'db', port: 5432 } } } }] } };
    expect(ids(evaluatePod(lifecycle, 'baseline', 'latest'))).toEqual(['hostProbesAndHostLifecycle']);
    const emptyHost = { spec: { containers: [{ name: 'a', readinessProbe: { httpGet: { host: '', port: 80 } } }] } };
    expect(evaluatePod(emptyHost, 'baseline', 'latest').allowed).toBe(true);
  });
});

describe('evaluatePod: levels, versions and messages', () => {
  const bad = { spec: { hostNetwork: true, containers: [{ name: 'a', securityContext: { privileged: true } }] } };

  it('privileged allows everything; an unknown level is evaluated as restricted', () => {
    expect(evaluatePod(bad, 'privileged', 'latest')).toMatchObject({ allowed: true, failures: [] });
    const r = evaluatePod(restrictedPod((p) => { delete p.spec.securityContext.seccompProfile; }), 'Restricted', 'latest');
    expect(r.level).toBe('restricted');
    expect(ids(r)).toEqual(['seccompProfile_restricted']);
  });

  it('latest, versions above the newest and invalid versions all mean v1.37', () => {
    for (const v of ['latest', 'v1.37', 'v1.99', '1.30', 'v1.030', 'garbage']) expect(evaluatePod(bad, 'baseline', v).version).toBe('v1.37');
    expect(evaluatePod(bad, 'baseline', 'v1.0').version).toBe('v1.0');
    expect(evaluatePod(bad, 'baseline', 'latest', { maxVersion: 'v1.30.4' }).version).toBe('v1.30');
    expect(evaluatePod(bad, 'baseline', 'v1.36', { maxVersion: 30 }).version).toBe('v1.30');
  });

  it('orders failures as upstream (baseline ids, then restricted) and renders the apiserver denial detail', () => {
    const r = evaluatePod(bad, 'restricted', 'latest');
    expect(ids(r)).toEqual(['hostNamespaces', 'privileged', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted']);
    expect(denialDetail(r)).toMatch(/^host namespaces \(hostNetwork=true\), privileged \(container "a" must not set securityContext\.privileged=true\), allowPrivilegeEscalation != false/);
  });

  it('restricted at v1.0..v1.7 has no allowPrivilegeEscalation check; seccomp is annotation-based before v1.19', () => {
    expect(checkIdsAt('restricted', 7)).not.toContain('allowPrivilegeEscalation');
    expect(checkIdsAt('restricted', 8)).toContain('allowPrivilegeEscalation');
    const annotated = { metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }, spec: { containers: [{ name: 'a' }] } };
    expect(ids(evaluatePod(annotated, 'baseline', 'v1.18'))).toEqual(['seccompProfile_baseline']);
    expect(evaluatePod(annotated, 'baseline', 'v1.19').allowed).toBe(true);
    const apparmor = { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'unconfined' } }, spec: { containers: [{ name: 'a' }] } };
    expect(evaluatePod(apparmor, 'baseline', 'latest').failures[0].reason).toBe(
      // upstream quotes the list without escaping the %q-quoted value inside it
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/a="unconfined"")',
    );
  });

  it('hostPort 0 is allowed, any other hostPort is not; host namespaces are listed', () => {
    const port = (hostPort: unknown) => ({ spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort }] }] } });
    expect(evaluatePod(port(0), 'baseline', 'latest').allowed).toBe(true);
    expect(evaluatePod(port(8080), 'baseline', 'latest').failures[0].reason).toBe('hostPort (container "a" uses hostPort 8080)');
    expect(evaluatePod({ spec: { hostPID: true, hostIPC: true } }, 'baseline', 'latest').failures[0].reason).toBe('host namespaces (hostPID=true, hostIPC=true)');
  });

  it('with hostNetwork, an unset or 0 hostPort is its containerPort, as the API server defaults it (not for ephemeral containers)', () => {
    // kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Pod: `if obj.Spec.HostNetwork
    // { defaultHostNetworkPorts(&obj.Spec.Containers); defaultHostNetworkPorts(&obj.Spec.InitContainers) }`
    // sets HostPort = ContainerPort where HostPort == 0. A real kube-apiserver v1.36.3 denied this
    // pod under baseline with `host namespaces (hostNetwork=true), hostPort (container "c" uses hostPort 9100)`.
    const pod = { spec: { hostNetwork: true, initContainers: [{ name: 'i', ports: [{ containerPort: 53, hostPort: 0 }] }], containers: [{ name: 'c', ports: [{ containerPort: 9100 }] }] } };
    const r = evaluatePod(pod, 'baseline', 'latest');
    expect(denialDetail(r)).toBe('host namespaces (hostNetwork=true), hostPort (containers "i", "c" use hostPorts 53, 9100)');
    expect(cisControlsFor(r.failures)).toEqual(['CIS-1.10:5.2.5', 'CIS-1.10:5.2.13']);
    // Without host networking nothing is defaulted; ephemeral containers are never defaulted.
    expect(denialDetail(evaluatePod({ spec: { containers: pod.spec.containers } }, 'baseline', 'latest'))).toBe('');
    const debug = { spec: { hostNetwork: true, containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'd', ports: [{ containerPort: 8080 }] }] } };
    expect(denialDetail(evaluatePod(debug, 'baseline', 'latest'))).toBe('host namespaces (hostNetwork=true)');
  });

  it('tells checks a newer version tightened from those it only relaxed', () => {
    // Upstream kubernetes/pod-security-admission policy/check_*.go (reference/checks.md §2.2–2.5):
    // new checks hostProbesAndHostLifecycle 1.34, runAsUser 1.23, capabilities_restricted 1.22
    // tighten; the Windows exemptions (1.25), user-namespace exemptions (1.35), container_engine_t
    // (1.31) and each longer safe-sysctl list only relax; procMount_restricted (1.35) keeps the
    // pre-1.35 procMount rule at restricted, so nothing changes there.
    expect(checkChangesBetween('restricted', 22, 36)).toEqual({
      tightened: ['hostProbesAndHostLifecycle', 'runAsUser'],
      relaxed: ['seLinuxOptions', 'sysctls', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'],
    });
    expect(checkChangesBetween('baseline', 34, 37)).toEqual({ tightened: [], relaxed: ['procMount', 'sysctls'] });
    expect(checkChangesBetween('restricted', 34, 37)).toEqual({ tightened: [], relaxed: ['sysctls', 'runAsNonRoot', 'runAsUser'] });
    expect(checkChangesBetween('baseline', 18, 19)).toEqual({ tightened: ['seccompProfile_baseline'], relaxed: [] });
    expect(checkChangesBetween('restricted', 0, 37).tightened).toEqual(['hostProbesAndHostLifecycle', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsUser', 'seccompProfile_restricted']);
    expect(checkChangesBetween('baseline', 35, 36)).toEqual({ tightened: [], relaxed: [] });
    expect(checkChangesBetween('restricted', 36, 22)).toEqual({ tightened: [], relaxed: [] });
  });

  it('answers a level and pair of versions with one frozen result, made once (the namespace checks ask once per namespace and mode)', () => {
    const first = checkChangesBetween('restricted', 22, 36);
    expect(checkChangesBetween('restricted', 22, 36)).toBe(first);
    // Versions past the newest known clamp to it, as the evaluator's do: the same question.
    expect(checkChangesBetween('restricted', 22, 99)).toBe(checkChangesBetween('restricted', 22, 37));
    expect(Object.isFrozen(first) && Object.isFrozen(first.tightened) && Object.isFrozen(first.relaxed)).toBe(true);
    expect(checkChangesBetween('baseline', 22, 36)).not.toBe(first);
  });

  it('a change marked relaxing never rejects a pod the older version admitted (upstream test case 7, 9, 10 pods)', () => {
    // reference/checks.md §2 test cases 7 (hostUsers: false + procMount + runAsUser: 0), 9 (tcp_rmem), 10 (container_engine_t), 6 (Windows).
    const pods = [
      { spec: { hostUsers: false, containers: [{ name: 'a', securityContext: { procMount: 'Unmasked', runAsUser: 0 } }] } },
      { spec: { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096' }] }, containers: [{ name: 'a' }] } },
      { spec: { securityContext: { seLinuxOptions: { type: 'container_engine_t' } }, containers: [{ name: 'a' }] } },
      { spec: { os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }] } },
    ];
    for (const level of ['baseline', 'restricted'] as const) {
      for (let minor = 1; minor <= 37; minor++) {
        const { relaxed } = checkChangesBetween(level, minor - 1, minor);
        for (const pod of pods) {
          const before = new Set(evaluatePod(pod, level, `v1.${minor - 1}`).failures.map((f) => f.id));
          const after = evaluatePod(pod, level, `v1.${minor}`).failures.map((f) => f.id);
          for (const id of relaxed) if (after.includes(id)) expect(before.has(id), `${level} v1.${minor} ${id}`).toBe(true);
        }
      }
    }
  });
});

describe('evaluatePod: bad input never crashes', () => {
  const weird: unknown[] = [
    undefined, null, 42, 'pod', [], {}, { spec: null }, { spec: 'x' }, { metadata: 'x', spec: [] },
    { spec: { containers: 'nginx' } }, { spec: { containers: [null, 3, 'x', []] } }, { spec: { containers: { name: 'a' } } },
    { spec: { containers: [{ name: 7, securityContext: 'privileged' }] } },
    { spec: { securityContext: [], containers: [{ securityContext: { capabilities: 'ALL', seccompProfile: 'RuntimeDefault' } }] } },
    { spec: { securityContext: { sysctls: 'kernel.msgmax', seLinuxOptions: [] }, volumes: [null, 'x', { name: 1 }] } },
    { spec: { containers: [{ name: 'a', ports: 'x', livenessProbe: 'x', lifecycle: { preStop: [] } }] } },
    { metadata: { annotations: ['x'] }, spec: { containers: [{ name: 'a', unknownField: { deep: true } }], futureField: 1 } },
  ];

  it.each(weird.map((w, i) => [i, w] as const))('input #%i is evaluated at every level and version', (_i, pod) => {
    for (const level of ['privileged', 'baseline', 'restricted', 'bogus']) {
      for (const version of ['v1.0', 'v1.19', 'v1.25', 'latest', '']) {
        const r = evaluatePod(pod, level, version);
        expect(typeof r.allowed).toBe('boolean');
        for (const f of r.failures) expect(f.reason.length).toBeGreaterThan(0);
      }
    }
  });

  it('malformed values fail closed where only an exact value is safe', () => {
    const sc = (securityContext: Obj) => ({ spec: { containers: [{ name: 'a', securityContext }] } });
    expect(ids(evaluatePod(sc({ privileged: 'true' }), 'baseline', 'latest'))).toEqual(['privileged']);
    expect(ids(evaluatePod(sc({ procMount: 5 }), 'baseline', 'latest'))).toEqual(['procMount']);
    expect(evaluatePod(sc({ privileged: false, runAsUser: 1000 }), 'baseline', 'latest').allowed).toBe(true);
    const pod = restrictedPod((p) => { p.spec.containers[0].securityContext.allowPrivilegeEscalation = 'false'; });
    expect(ids(evaluatePod(pod, 'restricted', 'latest'))).toEqual(['allowPrivilegeEscalation']);
    const user = restrictedPod((p) => { p.spec.securityContext.runAsUser = '0'; });
    expect(ids(evaluatePod(user, 'restricted', 'latest'))).toEqual(['runAsUser']);
    // Unknown fields are ignored, as the API server drops them.
    expect(evaluatePod(restrictedPod((p) => { p.spec.containers[0].securityContext.madeUp = true; }), 'restricted', 'latest').allowed).toBe(true);
    // Missing containers: nothing container-level to fail.
    expect(evaluatePod({ spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } }, 'restricted', 'latest').allowed).toBe(true);
  });
});
