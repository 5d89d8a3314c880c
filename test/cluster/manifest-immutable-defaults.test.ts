// The API server's defaults in objects written twice, with the real kube-apiserver and the real
// kubectl as the oracle: each case's two copies are one file, `kubectl apply -f` of it creates the
// first and patches it to the later (its own three-way patch: a field the later copy drops is
// removed, then defaulted again), and whether the patch is applied or refused (422) must be what
// ztaudit says of the same file (src/collect/manifests.ts fillDefaults). Each default ztaudit
// models (kubernetes v1.36.3 pkg/apis/core/v1/defaults.go, pkg/apis/batch/v1/defaults.go) is
// written out with its default (no change: applied) and with another value (refused, as the
// field may not change); a default it does not model leaves the kind not read ('cannot be told').
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Admin, describeCluster, kubectl, scratchDir, uniqueName } from './env.ts';
import { verdictOf, writeTwice, type Verdict } from './twice-written.ts';

type Json = Record<string, unknown>;

describeCluster('later copies that write out, change or drop what the API server defaults', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('defaults');
  const HARDENED = { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
  const container = (extra: Json = {}, image = 'busybox:1.36') => ({ name: 'c', image, securityContext: HARDENED, ...extra });
  const pod = (name: string, c: Json = {}, spec: Json = {}, image?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { ...spec, containers: [container(c, image)] } });
  const volumePod = (name: string, volume: Json) => pod(name, {}, { volumes: [{ name: 'v', ...volume }] });
  const job = (name: string, c: Json = {}, spec: Json = {}, template: Json = {}) => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns },
    spec: { ...spec, template: { metadata: { labels: { app: 'm' } }, spec: { restartPolicy: 'Never', ...template, containers: [container(c)] } } },
  });
  const manualJob = (name: string, extra: Json = {}) => job(name, {}, { selector: { matchLabels: { app: 'm' } }, manualSelector: true, ...extra });
  const EXEC = { exec: { command: ['true'] } };
  const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

  const cases: Array<[string, Json, Json, Verdict]> = [
    // SetDefaults_Probe
    ['a Pod: a probe\'s defaults written out', pod('pr1', { livenessProbe: EXEC }), pod('pr1', { livenessProbe: { ...EXEC, ...PROBE_DEFAULTS } }), 'accepted'],
    ['a Pod: a probe\'s defaults written in the first copy, dropped in the later', pod('pr2', { readinessProbe: { ...EXEC, ...PROBE_DEFAULTS } }), pod('pr2', { readinessProbe: EXEC }), 'accepted'],
    ['a Pod: a probe\'s timeoutSeconds 5', pod('pr3', { livenessProbe: EXEC }), pod('pr3', { livenessProbe: { ...EXEC, timeoutSeconds: 5 } }), 'refused'],
    ['a Pod: a probe\'s periodSeconds 20', pod('pr4', { livenessProbe: EXEC }), pod('pr4', { livenessProbe: { ...EXEC, periodSeconds: 20 } }), 'refused'],
    ['a Pod: a readiness probe\'s successThreshold 2', pod('pr5', { readinessProbe: EXEC }), pod('pr5', { readinessProbe: { ...EXEC, successThreshold: 2 } }), 'refused'],
    ['a Pod: a probe\'s failureThreshold 5', pod('pr6', { startupProbe: EXEC }), pod('pr6', { startupProbe: { ...EXEC, failureThreshold: 5 } }), 'refused'],
    ['a Pod: a probe\'s timeoutSeconds 5 in the first copy, dropped in the later (1 again)', pod('pr7', { livenessProbe: { ...EXEC, timeoutSeconds: 5 } }), pod('pr7', { livenessProbe: EXEC }), 'refused'],
    // Go's zero value is left out where the field is no pointer: timeoutSeconds 0 is 1.
    ['a Pod: a probe\'s timeoutSeconds 0 where the first wrote 1', pod('pr8', { livenessProbe: { ...EXEC, timeoutSeconds: 1 } }), pod('pr8', { livenessProbe: { ...EXEC, timeoutSeconds: 0 } }), 'accepted'],
    // SetDefaults_HTTPGetAction, GRPCAction.Service +default=""
    ['a Pod: an HTTP probe\'s path / and scheme HTTP written out', pod('pr9', { readinessProbe: { httpGet: { port: 8080 } } }), pod('pr9', { readinessProbe: { httpGet: { port: 8080, path: '/', scheme: 'HTTP' } } }), 'accepted'],
    ['a Pod: an HTTP probe\'s path /healthz', pod('pr10', { readinessProbe: { httpGet: { port: 8080 } } }), pod('pr10', { readinessProbe: { httpGet: { port: 8080, path: '/healthz' } } }), 'refused'],
    ['a Pod: an HTTP probe\'s scheme HTTPS', pod('pr11', { readinessProbe: { httpGet: { port: 8080 } } }), pod('pr11', { readinessProbe: { httpGet: { port: 8080, scheme: 'HTTPS' } } }), 'refused'],
    ['a Pod: a gRPC probe\'s service "" written out', pod('pr12', { livenessProbe: { grpc: { port: 9090 } } }), pod('pr12', { livenessProbe: { grpc: { port: 9090, service: '' } } }), 'accepted'],
    ['a Pod: a gRPC probe\'s service named', pod('pr13', { livenessProbe: { grpc: { port: 9090 } } }), pod('pr13', { livenessProbe: { grpc: { port: 9090, service: 'health' } } }), 'refused'],
    ['a Pod: lifecycle hooks\' HTTP path and scheme written out', pod('lc1', { lifecycle: { postStart: { httpGet: { port: 80 } }, preStop: { httpGet: { port: 80 } } } }), pod('lc1', { lifecycle: { postStart: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } }, preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } } }), 'accepted'],
    ['a Pod: a preStop hook\'s path /quit', pod('lc2', { lifecycle: { preStop: { httpGet: { port: 80 } } } }), pod('lc2', { lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } } } }), 'refused'],
    // SetDefaults_Container and a port's protocol (the defaults written out: manifest-immutable-updates.test.ts)
    ['a Pod: a port\'s protocol UDP', pod('ct1', { ports: [{ containerPort: 53 }] }), pod('ct1', { ports: [{ containerPort: 53, protocol: 'UDP' }] }), 'refused'],
    ['a Pod: terminationMessagePath elsewhere', pod('ct2'), pod('ct2', { terminationMessagePath: '/tmp/message' }), 'refused'],
    ['a Pod: terminationMessagePolicy FallbackToLogsOnError', pod('ct3'), pod('ct3', { terminationMessagePolicy: 'FallbackToLogsOnError' }), 'refused'],
    // imagePullPolicy follows each copy's own image: dropped with a :latest image, it is Always again.
    ['a Pod: imagePullPolicy IfNotPresent dropped as the image becomes :latest', pod('ct4', { imagePullPolicy: 'IfNotPresent' }), pod('ct4', {}, {}, 'busybox:latest'), 'refused'],
    ['a Pod: an untagged image tagged, imagePullPolicy left out of both (the server keeps Always)', pod('ct5', {}, {}, 'busybox'), pod('ct5', {}, {}, 'busybox:1.36'), 'accepted'],
    ['a Pod: an init container\'s defaults written out', pod('ct6', {}, { initContainers: [{ name: 'i', image: 'busybox:1.36', ports: [{ containerPort: 80 }] }] }), pod('ct6', {}, { initContainers: [{ name: 'i', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }), 'accepted'],
    ['a Pod: an init container\'s imagePullPolicy Always', pod('ct7', {}, { initContainers: [{ name: 'i', image: 'busybox:1.36' }] }), pod('ct7', {}, { initContainers: [{ name: 'i', image: 'busybox:1.36', imagePullPolicy: 'Always' }] }), 'refused'],
    ['a Pod: an env fieldRef\'s apiVersion v1 written out', pod('ev1', { env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }), pod('ev1', { env: [{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }] }), 'accepted'],
    // SetDefaults_PodSpec, written with another value
    ['a Pod: restartPolicy Never', pod('ps1'), pod('ps1', {}, { restartPolicy: 'Never' }), 'refused'],
    ['a Pod: schedulerName another', pod('ps2'), pod('ps2', {}, { schedulerName: 'other-scheduler' }), 'refused'],
    ['a Pod: terminationGracePeriodSeconds 60', pod('ps3'), pod('ps3', {}, { terminationGracePeriodSeconds: 60 }), 'refused'],
    // A pointer's zero is a value: terminationGracePeriodSeconds 0 is not 30.
    ['a Pod: terminationGracePeriodSeconds 0', pod('ps4'), pod('ps4', {}, { terminationGracePeriodSeconds: 0 }), 'refused'],
    // SetDefaults_Pod
    ['a Pod: enableServiceLinks false', pod('ps5'), pod('ps5', {}, { enableServiceLinks: false }), 'refused'],
    ['a Pod: enableServiceLinks true in the first copy, dropped in the later', pod('ps6', {}, { enableServiceLinks: true }), pod('ps6'), 'accepted'],
    // Volumes: SetDefaults_ConfigMapVolumeSource, _SecretVolumeSource, _DownwardAPIVolumeSource,
    // _ProjectedVolumeSource (0644 = 420), _ServiceAccountTokenProjection (3600), _HostPathVolumeSource
    // (""), _ObjectFieldSelector (v1), _PersistentVolumeClaimSpec (Filesystem).
    ['a Pod: a configMap volume\'s defaultMode 420 written out', volumePod('vo1', { configMap: { name: 'cm' } }), volumePod('vo1', { configMap: { name: 'cm', defaultMode: 420 } }), 'accepted'],
    ['a Pod: a configMap volume\'s defaultMode 256', volumePod('vo2', { configMap: { name: 'cm' } }), volumePod('vo2', { configMap: { name: 'cm', defaultMode: 256 } }), 'refused'],
    ['a Pod: a secret volume\'s defaultMode 420 written out', volumePod('vo3', { secret: { secretName: 's' } }), volumePod('vo3', { secret: { secretName: 's', defaultMode: 420 } }), 'accepted'],
    ['a Pod: a secret volume\'s defaultMode 256', volumePod('vo4', { secret: { secretName: 's' } }), volumePod('vo4', { secret: { secretName: 's', defaultMode: 256 } }), 'refused'],
    ['a Pod: a downwardAPI volume\'s defaultMode and fieldRef apiVersion written out', volumePod('vo5', { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }), volumePod('vo5', { downwardAPI: { defaultMode: 420, items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } }), 'accepted'],
    ['a Pod: a downwardAPI volume\'s defaultMode 256', volumePod('vo6', { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }), volumePod('vo6', { downwardAPI: { defaultMode: 256, items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }), 'refused'],
    ['a Pod: a projected volume\'s defaultMode, token expiry and fieldRef apiVersion written out', volumePod('vo7', { projected: { sources: [{ serviceAccountToken: { path: 't' } }, { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }] } }), volumePod('vo7', { projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }, { downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } }] } }), 'accepted'],
    ['a Pod: a projected volume\'s defaultMode 256', volumePod('vo8', { projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }), volumePod('vo8', { projected: { defaultMode: 256, sources: [{ serviceAccountToken: { path: 't' } }] } }), 'refused'],
    ['a Pod: a projected token\'s expirationSeconds 7200', volumePod('vo9', { projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }), volumePod('vo9', { projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 7200 } }] } }), 'refused'],
    ['a Pod: a hostPath volume\'s type "" written out', volumePod('vo10', { hostPath: { path: '/data' } }), volumePod('vo10', { hostPath: { path: '/data', type: '' } }), 'accepted'],
    ['a Pod: a hostPath volume\'s type Directory', volumePod('vo11', { hostPath: { path: '/data' } }), volumePod('vo11', { hostPath: { path: '/data', type: 'Directory' } }), 'refused'],
    ['a Pod: an ephemeral volume\'s volumeMode Filesystem written out', volumePod('vo12', { ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }), volumePod('vo12', { ephemeral: { volumeClaimTemplate: { spec: { volumeMode: 'Filesystem', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }), 'accepted'],
    ['a Pod: an ephemeral volume\'s volumeMode Block', volumePod('vo13', { ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }), volumePod('vo13', { ephemeral: { volumeClaimTemplate: { spec: { volumeMode: 'Block', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }), 'refused'],
    // What has no default of its own (nil unless written): added or dropped, surely a change
    // (ValidatePodUpdate: only images, activeDeadlineSeconds, tolerations and schedulingGates may change).
    ['a Pod: a livenessProbe added', pod('sa1'), pod('sa1', { livenessProbe: EXEC }), 'refused'],
    ['a Pod: a readinessProbe added', pod('sa2'), pod('sa2', { readinessProbe: EXEC }), 'refused'],
    ['a Pod: a startupProbe added', pod('sa3'), pod('sa3', { startupProbe: EXEC }), 'refused'],
    ['a Pod: a preStop hook added', pod('sa4'), pod('sa4', { lifecycle: { preStop: EXEC } }), 'refused'],
    ['a Pod: a container port added', pod('sa5'), pod('sa5', { ports: [{ containerPort: 8080 }] }), 'refused'],
    ['a Pod: a volume added', pod('sa6'), volumePod('sa6', { emptyDir: {} }), 'refused'],
    ['a Pod: its livenessProbe dropped', pod('sa7', { livenessProbe: EXEC }), pod('sa7'), 'refused'],
    ['a Pod: its volume dropped', volumePod('sa8', { emptyDir: {} }), pod('sa8'), 'refused'],
    ['a Job: a readinessProbe added to its template', job('sa9'), job('sa9', { readinessProbe: EXEC }), 'refused'],
    // Not modelled (SetDefaults_Pod, defaultHostNetworkPorts: hostPort = containerPort with hostNetwork): accepted here, not told by ztaudit.
    ['a Pod on the host network: a port\'s hostPort written out', pod('un1', { ports: [{ containerPort: 8080 }] }, { hostNetwork: true }), pod('un1', { ports: [{ containerPort: 8080, hostPort: 8080 }] }, { hostNetwork: true }), 'cannot be told'],
    // A Job's template gets SetDefaults_PodSpec and the container, probe and volume defaults, but
    // not SetDefaults_Pod (pkg/apis/batch/v1/zz_generated.defaults.go SetObjectDefaults_Job).
    ['a Job: its template\'s probe and volume defaults written out', job('jd1', { livenessProbe: EXEC }, {}, { volumes: [{ name: 'v', configMap: { name: 'cm' } }] }), job('jd1', { livenessProbe: { ...EXEC, ...PROBE_DEFAULTS } }, {}, { volumes: [{ name: 'v', configMap: { name: 'cm', defaultMode: 420 } }] }), 'accepted'],
    ['a Job: its template\'s probe timeoutSeconds 5', job('jd2', { livenessProbe: EXEC }), job('jd2', { livenessProbe: { ...EXEC, timeoutSeconds: 5 } }), 'refused'],
    ['a Job: enableServiceLinks true written in its template (no default there)', job('jd3'), job('jd3', {}, {}, { enableServiceLinks: true }), 'refused'],
    // A Job's selector (pkg/registry/batch/job/strategy.go generateSelector; SetDefaults_Job
    // manualSelector false): generated where left out, kept by a later copy leaving it out.
    ['a Job: no selector in either copy, a label added', job('js1'), { ...job('js1'), metadata: { name: 'js1', namespace: ns, labels: { team: 'a' } } }, 'accepted'],
    ['a Job: manualSelector: true added, no selector', job('js2'), job('js2', {}, { manualSelector: true }), 'accepted'],
    ['a Job: selector: {} written in the later copy', job('js3'), job('js3', {}, { selector: {} }), 'accepted'],
    ['a Job: a selector written in the later copy', job('js4'), job('js4', {}, { selector: { matchLabels: { app: 'm' } }, manualSelector: true }), 'refused'],
    ['a Job: its manual selector dropped', manualJob('js5'), job('js5', {}, { manualSelector: true }), 'refused'],
    ['a Job: manualSelector dropped, the selector kept', manualJob('js6'), job('js6', {}, { selector: { matchLabels: { app: 'm' } } }), 'refused'],
    ['a Job: manualSelector: false, the selector kept', manualJob('js7'), manualJob('js7', { manualSelector: false }), 'refused'],
    ['a Job: a manual selector written twice', manualJob('js8'), { ...manualJob('js8'), metadata: { name: 'js8', namespace: ns, labels: { team: 'a' } } }, 'accepted'],
    // A Service's defaults (SetDefaults_Service) change nothing ztaudit compares.
    ['a Service: its defaults written out', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sv1', namespace: ns }, spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sv1', namespace: ns }, spec: { type: 'ClusterIP', sessionAffinity: 'None', selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] } }, 'accepted'],
  ];

  it('every case: kubectl apply -f of the file is refused where ztaudit keeps the first copy, applied where it audits the later one (and where it cannot tell)', async () => {
    await admin.namespace(ns);
    const got: Array<{ what: string; ours: string; server: string }> = [];
    for (const [what, first, later] of cases) {
      const dir = writeTwice(first, later);
      const { verdict, note } = verdictOf(dir);
      const r = kubectl(cluster, 'apply', '-f', dir);
      const name = (first.metadata as Json).name as string;
      // The first copy is always created; the later one is the patch whose answer is read.
      expect(r.stdout, `${what}: ${r.stderr}`).toMatch(new RegExp(`/${name} created`));
      const server = r.status === 0 ? 'applied' : /^The \S+ "[^"]*" is invalid: /m.test(r.stderr) ? 'refused (422)' : `failed otherwise: ${r.stderr}`;
      got.push({ what, ours: verdict === '?' ? `? ${note}` : verdict, server });
    }
    expect(got.map(({ what, ours }) => `${what}: ${ours}`)).toEqual(cases.map(([what, , , assumed]) => `${what}: ${assumed}`));
    // Refused where ztaudit keeps the first copy; applied where it audits the later one, and
    // where it cannot tell (the default it does not model).
    expect(got.map(({ what, server }) => `${what}: ${server}`)).toEqual(got.map(({ what, ours }) => `${what}: ${ours === 'refused' ? 'refused (422)' : 'applied'}`));
  });

  // A later copy without a selector leaves the generated one to kubectl apply (its patch does not
  // touch a field neither copy writes) and to server-side apply (the applier does not own what the
  // server generated); kubectl replace sends no selector and is refused. ztaudit reads manifests as
  // kubectl apply -f sends them: the later copy is applied.
  it('a Job written twice without a selector: kubectl apply and server-side apply keep the generated selector, as ztaudit assumes; kubectl replace is refused', async () => {
    await admin.namespace(ns);
    const outcome: string[] = [];
    for (const [how, create, update] of [['kubectl apply', ['apply'], ['apply']], ['server-side apply', ['apply', '--server-side'], ['apply', '--server-side']], ['kubectl replace', ['create'], ['replace']]] as const) {
      const name = `sel-${how.replace(/\W+/g, '-')}`;
      const [first, later] = [job(name), { ...job(name), metadata: { name, namespace: ns, labels: { team: 'a' } } }];
      const dir = scratchDir('selector');
      const [a, b] = [path.join(dir, 'first.json'), path.join(dir, 'later.json')];
      fs.writeFileSync(a, JSON.stringify(first));
      fs.writeFileSync(b, JSON.stringify(later));
      const c = kubectl(cluster, ...create, '-f', a);
      expect(c.status, c.stderr).toBe(0);
      const r = kubectl(cluster, ...update, '-f', b);
      const held = JSON.parse(kubectl(cluster, 'get', 'job', name, '-n', ns, '-o', 'json').stdout);
      const generated = Object.keys(held.spec.selector.matchLabels ?? {}).includes('batch.kubernetes.io/controller-uid');
      outcome.push(`${how}: ${r.status === 0 ? 'applied' : /spec\.selector: Required value/.test(r.stderr) ? 'refused: spec.selector: Required value' : r.stderr}, ${generated ? 'the generated selector kept' : 'no generated selector'}, team label ${held.metadata.labels?.team ?? 'not set'}`);
      expect(verdictOf(writeTwice(first, later)).verdict).toBe('accepted');
    }
    expect(outcome).toEqual([
      'kubectl apply: applied, the generated selector kept, team label a',
      'server-side apply: applied, the generated selector kept, team label a',
      'kubectl replace: refused: spec.selector: Required value, the generated selector kept, team label not set',
    ]);
  });
});
