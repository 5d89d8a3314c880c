// The real kube-apiserver as the oracle for which later copy of an object `kubectl apply -f`
// can apply (src/collect/manifests.ts immutableChange): each first copy is created, then patched
// to the later copy as kubectl apply patches it (the fields the later copy changes, set; those it
// drops, removed; what the server or admission added, kept), and the server's answer
// (200, or 422 for a field it refuses to change) must be what ztaudit assumes for the same two
// documents in one file: the later copy audited, the first kept, or, where the outcome depends
// on what manifests do not hold (a suspended Job's status), the kind counted as not read.
import { expect, it } from 'vitest';
import { loadManifests } from '../../src/collect/manifests.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { Admin, collectionPath, describeCluster, uniqueName } from './env.ts';
import { verdictOf, writeTwice, type Verdict } from './twice-written.ts';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The patch that turns `a` into `b`: the keys `b` changes or adds, and null for those it drops (RFC
 * 7386); sent as a strategic merge patch, as kubectl apply sends its own, so a list with a merge
 * key (containers, by name) is merged into what the server holds, which keeps what admission
 * added (the service account token's volume mount).
 */
function mergePatch(a: Json, b: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(b)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = isMap(a[k]) && isMap(b[k]) ? mergePatch(a[k], b[k]) : b[k];
  for (const k of Object.keys(a)) if (!(k in b)) out[k] = null;
  return out;
}

describeCluster('later copies the API server refuses to apply', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('immutable');
  const podSpec = (sc: Json, extra: Json = {}, image = 'busybox:1.36') => ({ ...extra, containers: [{ name: 'c', image, securityContext: sc }] });
  const HARDENED = { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
  const pod = (name: string, spec: Json) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec });
  const job = (name: string, sc: Json, suspend: boolean, app = 'm') => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns }, spec: { ...(suspend ? { suspend: true } : {}), template: { metadata: { labels: { app } }, spec: { restartPolicy: 'Never', ...podSpec(sc) } } } });
  const apps = (kind: string, name: string, app: string, privileged: boolean) => ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: podSpec({ privileged }) } } });
  const svc = (name: string, clusterIP: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP, selector: { app: 'db' }, ports: [{ port: 5432 }] } });

  const claims = (name: string, privileged: boolean, spec: Json, meta: Json = {}) => {
    const base = apps('StatefulSet', name, 'db', privileged);
    return { ...base, spec: { ...(base.spec as Json), serviceName: 'db', volumeClaimTemplates: [{ ...meta, metadata: { name: 'data' }, spec: { ...spec, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } };
  };
  const GATE = { schedulingGates: [{ name: 'example.com/gate' }] };
  const ZONE = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } };
  const cases: Array<[string, Json, Json, Verdict]> = [
    ['a privileged Pod hardened', pod('p1', podSpec({ privileged: true })), pod('p1', podSpec(HARDENED)), 'refused'],
    ['a Pod: image, activeDeadlineSeconds lowered, a toleration added', pod('p2', podSpec(HARDENED, { activeDeadlineSeconds: 600, tolerations: [{ key: 'a', operator: 'Exists' }] })), pod('p2', podSpec(HARDENED, { activeDeadlineSeconds: 300, tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] }, 'busybox:1.37')), 'accepted'],
    ['a Pod: activeDeadlineSeconds raised', pod('p3', podSpec(HARDENED, { activeDeadlineSeconds: 300 })), pod('p3', podSpec(HARDENED, { activeDeadlineSeconds: 600 })), 'refused'],
    ['a Pod: a container added', pod('p4', podSpec(HARDENED)), pod('p4', { containers: [...(podSpec(HARDENED).containers), { name: 'd', image: 'nginx:1.27', securityContext: HARDENED }] }), 'refused'],
    ['a gated Pod: a nodeSelector key added, and its image', pod('p5', podSpec(HARDENED, { ...GATE, nodeSelector: { a: '1' } })), pod('p5', podSpec(HARDENED, { ...GATE, nodeSelector: { a: '1', b: '2' } }, 'busybox:1.37')), 'accepted'],
    ['a gated Pod: a nodeSelector key removed', pod('p6', podSpec(HARDENED, { ...GATE, nodeSelector: { a: '1' } })), pod('p6', podSpec(HARDENED, GATE)), 'refused'],
    // Accepted here (required node affinity added to a gated Pod that had none); ztaudit does not judge those rules.
    ['a gated Pod: its node affinity set', pod('p7', podSpec(HARDENED, GATE)), pod('p7', podSpec(HARDENED, { ...GATE, affinity: { nodeAffinity: ZONE } })), 'cannot be told'],
    ['a Job hardened', job('j1', { privileged: true }, false), job('j1', { privileged: false }, false), 'refused'],
    ['a suspended Job hardened', job('j2', { privileged: true }, true), job('j2', { privileged: false }, true), 'refused'],
    ['a Job: template labels', job('j3', { privileged: true }, false), job('j3', { privileged: true }, false, 'm2'), 'refused'],
    // Accepted here (the Job never started: no controller runs), refused once it has started.
    ['a suspended Job: template labels', job('j4', { privileged: true }, true), job('j4', { privileged: true }, true, 'm2'), 'cannot be told'],
    ['a ReplicaSet: selector and template', apps('ReplicaSet', 'rs', 'web', true), apps('ReplicaSet', 'rs', 'web2', false), 'refused'],
    ['a DaemonSet: selector and template', apps('DaemonSet', 'ds', 'web', true), apps('DaemonSet', 'ds', 'web2', false), 'refused'],
    ['a StatefulSet: selector and template', apps('StatefulSet', 'sts', 'web', true), apps('StatefulSet', 'sts', 'web2', false), 'refused'],
    ['a StatefulSet: serviceName and template', { ...apps('StatefulSet', 'sts2', 'db', true), spec: { ...apps('StatefulSet', 'sts2', 'db', true).spec as Json, serviceName: 'db' } }, { ...apps('StatefulSet', 'sts2', 'db', false), spec: { ...apps('StatefulSet', 'sts2', 'db', false).spec as Json, serviceName: 'db-headless' } }, 'refused'],
    ['a StatefulSet: its default podManagementPolicy written out, and template', apps('StatefulSet', 'sts3', 'db', true), { ...apps('StatefulSet', 'sts3', 'db', false), spec: { ...apps('StatefulSet', 'sts3', 'db', false).spec as Json, podManagementPolicy: 'OrderedReady' } }, 'accepted'],
    ['a headless Service given an address', svc('s1', 'None'), svc('s1', '10.0.0.20'), 'refused'],
    ['a Service: another address', svc('s2', '10.0.0.21'), svc('s2', '10.0.0.22'), 'refused'],
    ['a Service: its address left out', svc('s3', '10.0.0.23'), { ...svc('s3', ''), spec: { selector: { app: 'db2' }, ports: [{ port: 5432 }] } }, 'accepted'],
    // Compared after defaulting (pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Container,
    // SetDefaults_PersistentVolumeClaimSpec): a default written out, or dropped, is no change.
    ['a Pod: a label dropped, dnsPolicy: ClusterFirst written out', { ...pod('p8', podSpec(HARDENED)), metadata: { name: 'p8', namespace: ns, labels: { app: 'a', tier: 'isolated' } } }, { ...pod('p8', podSpec(HARDENED, { dnsPolicy: 'ClusterFirst' })), metadata: { name: 'p8', namespace: ns, labels: { app: 'a' } } }, 'accepted'],
    ['a Pod: PodSpec and container defaults written out', pod('p9', { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80 }] }] }), pod('p9', { restartPolicy: 'Always', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, securityContext: {}, containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {}, ports: [{ containerPort: 80, protocol: 'TCP' }] }] }), 'accepted'],
    ['a Pod: a default written in the first copy, dropped in the later', pod('p10', podSpec(HARDENED, { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always' })), pod('p10', podSpec(HARDENED)), 'accepted'],
    ['a Pod: an untagged image, imagePullPolicy: Always written out', pod('p11', podSpec(HARDENED, {}, 'busybox')), pod('p11', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'Always', securityContext: HARDENED }] }), 'accepted'],
    ['a Pod: dnsPolicy: Default where the first left it out', pod('p12', podSpec(HARDENED)), pod('p12', podSpec(HARDENED, { dnsPolicy: 'Default' })), 'refused'],
    ['a Pod: imagePullPolicy: Always for a tagged image where the first left it out', pod('p13', podSpec(HARDENED)), pod('p13', { containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'Always', securityContext: HARDENED }] }), 'refused'],
    // SetDefaults_Pod: enableServiceLinks true (more defaults: manifest-immutable-defaults.test.ts).
    ['a Pod: enableServiceLinks: true written out', pod('p14', podSpec(HARDENED)), pod('p14', podSpec(HARDENED, { enableServiceLinks: true })), 'accepted'],
    ['a Job: its template\'s defaults written out', job('j5', HARDENED, false), { ...job('j5', HARDENED, false), spec: { template: { metadata: { labels: { app: 'm' } }, spec: { restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', securityContext: HARDENED }] } } } }, 'accepted'],
    ['a StatefulSet: volumeMode: Filesystem written out in its claim template, and template', claims('sts4', true, {}), claims('sts4', false, { volumeMode: 'Filesystem' }), 'accepted'],
    ['a StatefulSet: kind and apiVersion written in its claim template, and template', claims('sts5', true, {}), claims('sts5', false, {}, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' }), 'accepted'],
    ['a StatefulSet: volumeMode: Block in its claim template', claims('sts6', true, {}), claims('sts6', false, { volumeMode: 'Block' }), 'refused'],
    ['a StatefulSet: a storage class in its claim template', claims('sts7', true, {}), claims('sts7', false, { storageClassName: 'fast' }), 'refused'],
  ];

  it('every case: the API server answers as ztaudit assumes', async () => {
    await admin.namespace(ns);
    const got: Array<[string, number, Verdict]> = [];
    for (const [what, first, later, assumed] of cases) {
      await admin.create(first as KubeObject);
      const url = `${collectionPath(first as KubeObject)}/${(first.metadata as Json).name}`;
      const r = await admin.request('PATCH', url, mergePatch(first, later), 'application/strategic-merge-patch+json');
      const { verdict: ours, note } = verdictOf(writeTwice(first, later));
      expect(ours, `${what}: ${note}`).toBe(assumed);
      got.push([what, r.status, ours as Verdict]);
    }
    // 422 where ztaudit keeps the first copy, 200 where it audits the later one; the cases it
    // cannot tell are accepted here (the Job never started; that affinity change is allowed).
    expect(got.map(([what, status]) => `${what}: ${status}`)).toEqual(got.map(([what, , ours]) => `${what}: ${ours === 'refused' ? 422 : 200}`));
  });

  // pkg/registry/core/service/storage/storage.go patchAllocatedValues: a later copy leaving the
  // cluster IP out keeps the one the Service has, so a headless Service stays headless.
  it('a later Service copy that leaves out clusterIP: None is applied and stays headless, as ztaudit audits it', async () => {
    await admin.namespace(ns);
    const first = svc('s4', 'None');
    const later = { ...first, spec: { selector: { app: 'db2' }, ports: [{ port: 5432 }] } };
    await admin.create(first as KubeObject);
    const r = await admin.request('PATCH', `${collectionPath(first as KubeObject)}/s4`, mergePatch(first, later), 'application/strategic-merge-patch+json');
    const dir = writeTwice(first, later);
    const ours = loadManifests([dir], { cwd: dir }).resources.services?.map((o) => (o.spec as Json).clusterIP);
    expect([r.status, r.body.spec.clusterIP, r.body.spec.selector.app]).toEqual([200, 'None', 'db2']);
    expect(ours).toEqual([r.body.spec.clusterIP]);
  });
});
