// The model evaluates pods once per class (src/analysis/pss/pod-class.ts). A workload's verdict
// must be the one it gets alone, whatever alike workload was evaluated before it: two pods
// that differ in any field a check reads must never share a class, and pods that differ only
// in fields no check reads (image, service account, a configMap's name) still get their own
// workload's words.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { evaluatePod } from '../../../src/analysis/pss/index.ts';
import { podSecurityChecks } from '../../../checks/pod-security/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const container = (name = 'app'): Spec => ({
  name, image: 'registry.example.com/app:1', ports: [{ containerPort: 8080 }],
  securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
});
const base = (): Spec => ({ serviceAccountName: 'app', volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }], containers: [container()] });

type Change = (s: Spec, annotations: Record<string, string>) => void;

/**
 * Each variant changes one field a check reads, so that what the evaluator says changes; the
 * third member, when there is one, is made to both pods first (a Windows pod is exempt from a
 * check only when that check would fail).
 */
const READ: Array<[string, Change, Change?]> = [
  ['container name', (s) => { s.containers[0].name = 'other'; }, (s) => { s.containers[0].securityContext.privileged = true; }],
  ['privileged', (s) => { s.containers[0].securityContext.privileged = true; }],
  ['capabilities.add', (s) => { s.containers[0].securityContext.capabilities.add = ['NET_ADMIN']; }],
  ['capabilities.drop', (s) => { s.containers[0].securityContext.capabilities.drop = []; }],
  ['allowPrivilegeEscalation', (s) => { s.containers[0].securityContext.allowPrivilegeEscalation = true; }],
  ['container runAsNonRoot', (s) => { s.containers[0].securityContext.runAsNonRoot = false; }],
  ['container runAsUser', (s) => { s.containers[0].securityContext.runAsUser = 0; }],
  ['procMount', (s) => { s.containers[0].securityContext.procMount = 'Unmasked'; }],
  ['container seccompProfile', (s) => { s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }],
  ['container seLinuxOptions', (s) => { s.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' }; }],
  ['container appArmorProfile', (s) => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }],
  ['container hostProcess', (s) => { s.containers[0].securityContext.windowsOptions = { hostProcess: true }; }],
  ['hostPort', (s) => { s.containers[0].ports[0].hostPort = 8080; }],
  ['probe host', (s) => { s.containers[0].livenessProbe = { httpGet: { host: '10.0.0.1', port: 8080 } }; }],
  ['lifecycle host', (s) => { s.containers[0].lifecycle = { preStop: { tcpSocket: { host: '10.0.0.1', port: 1 } } }; }],
  ['init container', (s) => { s.initContainers = [{ name: 'init', image: 'x' }]; }],
  ['ephemeral container', (s) => { s.ephemeralContainers = [{ name: 'debug', image: 'x' }]; }],
  ['hostNetwork', (s) => { s.hostNetwork = true; }],
  ['hostPID', (s) => { s.hostPID = true; }],
  ['hostIPC', (s) => { s.hostIPC = true; }],
  ['hostPath volume', (s) => { s.volumes.push({ name: 'root', hostPath: { path: '/' } }); }],
  ['restricted volume type', (s) => { s.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }); }],
  ['volume name', (s) => { s.volumes[1].name = 'other'; }, (s) => { s.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }); }],
  ['volume without a source', (s) => { s.volumes.push('not-a-volume'); }],
  ['pod runAsNonRoot', (s) => { s.securityContext = { runAsNonRoot: false }; }],
  ['pod runAsUser', (s) => { s.securityContext = { runAsUser: 0 }; }],
  ['pod seccompProfile', (s) => { s.securityContext = { seccompProfile: { type: 'Unconfined' } }; }],
  ['pod seLinuxOptions', (s) => { s.securityContext = { seLinuxOptions: { user: 'root' } }; }],
  ['pod appArmorProfile', (s) => { s.securityContext = { appArmorProfile: { type: 'Unconfined' } }; }],
  ['sysctls', (s) => { s.securityContext = { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }; }],
  ['pod hostProcess', (s) => { s.securityContext = { windowsOptions: { hostProcess: true } }; }],
  ['os windows', (s) => { s.os = { name: 'windows' }; }, (s) => { delete s.containers[0].securityContext.allowPrivilegeEscalation; }],
  ['hostUsers', (s) => { s.hostUsers = false; }, (s) => { s.containers[0].securityContext.runAsNonRoot = false; }],
  ['AppArmor annotation', (_, a) => { a['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'; }],
  ['seccomp pod annotation', (s, a) => { s.containers[0].securityContext = { allowPrivilegeEscalation: true }; a['seccomp.security.alpha.kubernetes.io/pod'] = 'unconfined'; }],
  ['seccomp container annotation', (s, a) => { s.containers[0].securityContext = { allowPrivilegeEscalation: true }; a['container.seccomp.security.alpha.kubernetes.io/app'] = 'unconfined'; }],
  ['a NaN where null is allowed', (s) => { s.hostNetwork = Number.NaN; }],
];

/** Fields no check reads: the variant's verdict is the base's (with its own workload's name). */
const UNREAD: Array<[string, Change]> = [
  ['image', (s) => { s.containers[0].image = 'registry.example.com/other:2'; }],
  ['service account', (s) => { s.serviceAccountName = 'other'; }],
  ['configMap name', (s) => { s.volumes[0].configMap.name = 'other-config'; }],
  ['env and resources', (s) => { s.containers[0].env = [{ name: 'A', value: '1' }]; s.containers[0].resources = { limits: { cpu: '1' } }; }],
  ['other annotation', (_, a) => { a['checksum/config'] = 'abc'; }],
];

function deployment(namespace: string, name: string, spec: Spec, annotations: Record<string, string>): KubeObject[] {
  const rs = `${name}-5d9f`;
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas: 2, template: { spec } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace, ownerReferences: [{ kind: 'Deployment', name, controller: true }] }, spec: { template: { spec } } },
    ...[0, 1].map((i): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${rs}-${i}`, namespace, annotations, ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }] },
      spec,
    })),
  ];
}

/** The verdicts of every workload-level pod-security check, by workload name. */
function verdicts(objects: KubeObject[], level: string): Map<string, string[]> {
  const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': level } } };
  const snapshot = snapshotFromObjects([namespace, ...objects], { origin: 'live' });
  const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
  const out = new Map<string, string[]>();
  for (const check of podSecurityChecks.filter((c) => c.id.startsWith('pod-security.pod-'))) {
    for (const v of check.evaluate(ctx)) {
      const said = `${check.id} ${v.status} ${v.severity ?? ''} ${v.message} ${JSON.stringify(v.evidence)}`;
      out.set(v.resource.name, [...(out.get(v.resource.name) ?? []), said.replaceAll(v.resource.name, 'W')]);
    }
  }
  return out;
}

describe('pod-security classes of pods', () => {
  /** The two pods of a variant: [first, second] specs and annotations. */
  const pair = (change: Change, prepare?: Change): Array<[Spec, Record<string, string>]> => {
    const first: [Spec, Record<string, string>] = [base(), {}];
    prepare?.(...first);
    const second: [Spec, Record<string, string>] = [base(), {}];
    prepare?.(...second);
    change(...second);
    return [first, second];
  };

  for (const level of ['baseline', 'restricted']) {
    for (const [field, change, prepare] of READ) {
      it(`at ${level}: a workload differing in ${field} gets the verdict it gets alone`, () => {
        const [[s1, a1], [s2, a2]] = pair(change, prepare);
        const first = () => deployment('shop', 'first', s1, a1);
        const second = () => deployment('shop', 'second', s2, a2);
        expect(verdicts([...first(), ...second()], level).get('second')).toEqual(verdicts(second(), level).get('second'));
        expect(verdicts([...second(), ...first()], level).get('first')).toEqual(verdicts(first(), level).get('first'));
      });
    }
  }

  it('every variant that must not share a class changes what the evaluator says of the pod', () => {
    const said = ([spec, annotations]: [Spec, Record<string, string>]) =>
      ['baseline', 'restricted'].map((l) => JSON.stringify(evaluatePod({ metadata: { annotations }, spec }, l, 'latest').failures)).join();
    for (const [field, change, prepare] of READ) {
      const [first, second] = pair(change, prepare);
      expect(said(second), field).not.toBe(said(first));
    }
  });

  it('workloads differing only in fields no check reads get the same verdict, in their own words', () => {
    for (const [field, change] of UNREAD) {
      const spec = base();
      spec.containers[0].securityContext.privileged = true;
      const annotations: Record<string, string> = {};
      change(spec, annotations);
      const failing = base();
      failing.containers[0].securityContext.privileged = true;
      const got = verdicts([...deployment('shop', 'first', failing, {}), ...deployment('shop', 'second', spec, annotations)], 'restricted');
      expect(got.get('second'), field).toEqual(got.get('first'));
      expect(got.get('second')![0], field).toContain('Deployment shop/W');
    }
  });
});
