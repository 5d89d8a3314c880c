// An object written twice is applied twice by `kubectl apply -f DIR`: the second apply is an
// update, and an update that changes a field the API server refuses to change is refused, so the
// cluster keeps the FIRST copy. Sources, cited where ztaudit reads them (immutableChange in
// src/collect/manifests.ts):
// - roleRef: "After you create a binding, you cannot change the Role or ClusterRole that it
//   refers to" (kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example);
// - an immutable ConfigMap: "it is not possible to revert this change nor to mutate the contents
//   of the data or the binaryData field" (kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable);
// - apps/v1 Deployment spec.selector: "a Deployment's label selector is immutable after it gets
//   created" (kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates).
// Apply order: documents of a file in order, files of a directory in lexical (byte) order
// (kubernetes/cli-runtime pkg/resource/visitor.go, v0.36.0: StreamVisitor.Visit decodes a file's
// documents in turn; ExpandPathsToFileVisitors walks with filepath.Walk, "in lexical order").
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { NGINX } from './nginx-scene.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-immutable-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function audit(dirs: string[]) {
  const snapshot = loadManifests(dirs, { cwd: '/' });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
  const status = (id: string) => report.checks.find((c) => c.id === id)!.status;
  const once = snapshot.notes.filter((n) => n.includes('is defined more than once'));
  return { snapshot, report, status, once };
}

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const crb = (role: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: alice}]
`;
const aliceAdmin = (r: ReturnType<typeof audit>) => r.report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding' && JSON.stringify(f).includes('alice'));

describe('a binding defined twice with another roleRef', () => {
  it('in one file: the first copy is what the cluster keeps, so alice keeps cluster-admin (critical), and the warning names both places and why', () => {
    const r = audit([dirWith({ 'c.yaml': `${crb('cluster-admin')}---\n${crb('view')}`, 'ns.yaml': NS })]);
    expect(r.status('rbac.cluster-admin-binding')).toBe('fail');
    expect(aliceAdmin(r).map((f) => f.severity)).toEqual(['critical']);
    expect(r.once).toHaveLength(1);
    expect(r.once[0]).toMatch(/^ClusterRoleBinding b is defined more than once \(.*c\.yaml:1, .*c\.yaml:7\): .*c\.yaml:7 changes roleRef, which the API server refuses to change on update \(kubectl apply -f sends .*c\.yaml:1 first: files in lexical order, each top to bottom\); the cluster keeps .*c\.yaml:1, which is audited$/);
  });

  it('the same roleRef written twice: the last copy is audited as before (its subjects changed)', () => {
    const r = audit([dirWith({ 'c.yaml': `${crb('cluster-admin')}---\n${crb('cluster-admin').replace('alice', 'bob')}`, 'ns.yaml': NS })]);
    expect(aliceAdmin(r)).toEqual([]);
    expect(r.once[0]).toMatch(/: the last one read, .*c\.yaml:7, is audited$/);
  });

  it('in two files of one directory: lexical order decides (a.yaml first), whatever else', () => {
    const r = audit([dirWith({ 'a.yaml': crb('cluster-admin'), 'b.yaml': crb('view'), 'ns.yaml': NS })]);
    expect(aliceAdmin(r).map((f) => f.severity)).toEqual(['critical']);
  });

  it('apply order that cannot be told (byte order B.yaml < a.yaml, or two directories): RBAC counts as not read, no check passes on a guess', () => {
    for (const dirs of [[dirWith({ 'a.yaml': crb('view'), 'B.yaml': crb('cluster-admin'), 'ns.yaml': NS })], [dirWith({ 'x.yaml': crb('view'), 'ns.yaml': NS }), dirWith({ 'y.yaml': crb('cluster-admin') })]]) {
      const r = audit(dirs);
      expect(r.snapshot.coverage.clusterrolebindings?.status).toBe('error');
      expect(r.status('rbac.cluster-admin-binding')).toBe('not-evaluated');
      expect(r.once).toHaveLength(1);
      expect(r.once[0]).toMatch(/differ in roleRef, which the API server refuses to change on update, and in which order kubectl apply sends them cannot be told .*; so clusterrolebindings count as not read$/);
    }
  });
});

const cm = (immutable: boolean, hsts: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
${immutable ? 'immutable: true\n' : ''}data: {hsts: "${hsts}"}
`;

describe('a ConfigMap defined twice', () => {
  it('immutable in the first copy: the later copy\'s data is refused, so hsts "false" stays and tls.hsts-disabled fails', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(true, 'false')}`, 'b.yaml': cm(true, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
    expect(r.once[0]).toMatch(/b\.yaml:1 changes data \(the copy applied first is immutable: true\), which the API server refuses to change on update .*; the cluster keeps .*a\.yaml:\d+, which is audited$/);
  });

  it('immutable turned off in the later copy is refused too', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(true, 'false')}`, 'b.yaml': cm(false, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('fail');
  });

  it('immutable, data: {} in one copy and none in the other: no change (an empty map is none), the later copy is applied', () => {
    const empty = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags, namespace: shop}\nimmutable: true\n${data}`;
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${empty('data: {}\n')}---\n${empty('binaryData: {}\n')}` })]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
  });

  it('not immutable: the later copy is applied, hsts "true" is audited and passes', () => {
    const r = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(false, 'false')}`, 'b.yaml': cm(false, 'true') })]);
    expect(r.status('tls.hsts-disabled')).toBe('pass');
  });

  // Real kubectl v1.36.3 against kube-apiserver v1.36.3: `kubectl apply` of a first copy with
  // data {hsts: "false"}, then of a later one with {hsts: null}, leaves data without hsts (the
  // patch's null deletes the key): test/cluster/manifest-configmap-null.test.ts.
  it('hsts: null in a later copy deletes the key: ingress-nginx keeps its default (HSTS on), tls.hsts-disabled passes', () => {
    const later = audit([dirWith({ 'a.yaml': `${NGINX}---\n${cm(false, 'false')}`, 'b.yaml': cm(false, 'true').replace('{hsts: "true"}', '{hsts: null}') })]);
    expect(later.status('tls.hsts-disabled')).toBe('pass');
    expect(later.snapshot.resources.configmaps?.find((c) => c.metadata?.name === 'ingress-nginx-controller')?.data).toEqual({});
  });

  it('immutable, a later copy writing null for a key the first has not: no change (the key stays absent), the later copy is applied', () => {
    const flags = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags, namespace: shop}\nimmutable: true\ndata: ${data}\n`;
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${flags('{a: "1"}')}---\n${flags('{a: "1", b: null}')}` })]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
  });
});

describe('an apps/v1 Deployment defined twice with another selector', () => {
  const deploy = (app: string, privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers: [{name: c, image: nginx:1.27, securityContext: {privileged: ${privileged}}}]
`;
  it('the later copy is refused: the first (privileged) template is what runs', () => {
    const s = loadManifests([dirWith({ 'a.yaml': `${NS}---\n${deploy('web', true)}---\n${deploy('web2', false)}` })], { cwd: '/' });
    expect(s.resources.deployments?.map((d) => JSON.stringify((d.spec as { template: unknown }).template))).toEqual([expect.stringContaining('"privileged":true')]);
    expect(s.notes.find((n) => n.includes('defined more than once'))).toMatch(/changes spec\.selector, which the API server refuses to change on update/);
  });
});

// A Pod's spec: kubernetes v1.36.3 pkg/apis/core/validation/validation.go ValidatePodUpdate, "pod
// updates may not change fields other than" updatablePodSpecFields (images, activeDeadlineSeconds,
// added tolerations, terminationGracePeriodSeconds from negative to 1; schedulingGates removed).
describe('a Pod defined twice', () => {
  const HARDENED = '{privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}';
  const pod = (sc: string, extra = '', image = 'busybox:1.36') => `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
${extra}  containers: [{name: c, image: ${image}, securityContext: ${sc}}]
`;
  const violation = (r: ReturnType<typeof audit>) => r.report.findings.filter((f) => f.check === 'pod-security.pod-violates-target' && f.resource.name === 'debug').map((f) => f.message);

  it('privileged first, "fixed" in a later copy: the update is refused (ValidatePodUpdate), so the Pod is still privileged and reported so, with the refusal warning', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${pod('{privileged: true}')}---\n${pod(HARDENED)}` })]);
    expect(violation(r)).toEqual([expect.stringContaining('privileged (container "c" must not set securityContext.privileged=true)')]);
    expect(r.once).toHaveLength(1);
    expect(r.once[0]).toMatch(/^Pod shop\/debug is defined more than once \(.*a\.yaml:5, .*a\.yaml:11\): .*a\.yaml:11 changes spec\.containers\[0\]\.securityContext\.capabilities \(an update of a Pod's spec may change only its images, lower activeDeadlineSeconds, add tolerations and remove schedulingGates\), which the API server refuses to change on update \(kubectl apply -f sends .*a\.yaml:5 first: files in lexical order, each top to bottom\); the cluster keeps .*a\.yaml:5, which is audited$/);
  });

  it('in two files of one directory too (a.yaml applied first): the privileged copy stays', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${pod('{privileged: true}')}`, 'b.yaml': pod(HARDENED) })]);
    expect(violation(r)).toEqual([expect.stringContaining('privileged (container')]);
  });

  it('a later copy that changes only what an update may change (image, activeDeadlineSeconds lowered, a toleration added) is applied and audited', () => {
    const first = pod(HARDENED, '  activeDeadlineSeconds: 600\n  tolerations: [{key: a, operator: Exists}]\n');
    const later = pod(HARDENED, '  activeDeadlineSeconds: 300\n  tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]\n', 'busybox:1.37');
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${first}---\n${later}` })]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:13, is audited$/);
    expect(r.snapshot.resources.pods?.map((p) => JSON.stringify(p.spec))).toEqual([expect.stringContaining('busybox:1.37')]);
  });

  it('a gated Pod (schedulingGates): a nodeSelector key added is applied, one removed is refused, its node affinity changed cannot be told (Pods count as not read)', () => {
    const gated = (extra: string, image?: string) => pod(HARDENED, `  schedulingGates: [{name: example.com/gate}]\n${extra}`, image);
    const added = audit([dirWith({ 'a.yaml': `${NS}---\n${gated('  nodeSelector: {a: "1"}\n')}---\n${gated('  nodeSelector: {a: "1", b: "2"}\n', 'busybox:1.37')}` })]);
    expect(added.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
    const removed = audit([dirWith({ 'a.yaml': `${NS}---\n${gated('  nodeSelector: {a: "1"}\n')}---\n${gated('')}` })]);
    expect(removed.once[0]).toContain("changes spec.nodeSelector (a key removed or changed: a gated Pod's may only gain keys), which the API server refuses to change on update");
    const affinity = audit([dirWith({ 'a.yaml': `${NS}---\n${gated('')}---\n${gated('  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a]}]}]}}}\n')}` })]);
    expect(affinity.snapshot.coverage.pods?.status).toBe('error');
    expect(affinity.once[0]).toMatch(/changes spec\.affinity\.nodeAffinity, which the API server refuses to change on update unless it keeps within the rules for a gated Pod's node affinity \(validateNodeAffinityMutation\), which ztaudit does not judge: .*; so pods count as not read$/);
  });

  // ValidatePodUpdate compares the specs after defaulting (kubernetes v1.36.3 pkg/apis/core/v1/defaults.go
  // SetDefaults_PodSpec, SetDefaults_Container), so a default written out, or left out, changes nothing.
  it('a later copy that drops a label and writes out defaults (dnsPolicy: ClusterFirst, imagePullPolicy, terminationMessagePath, ports protocol TCP) is applied: the Pod loses its isolating label', () => {
    const labelled = (labels: string, extra: string, container = '') => `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: ${labels}}
spec:
${extra}  containers: [{name: api, image: nginx:1.27, ports: [{containerPort: 80}]${container}}]
`;
    const first = labelled('{app: api, tier: isolated}', '');
    for (const later of [
      labelled('{app: api}', '  dnsPolicy: ClusterFirst\n'),
      labelled('{app: api}', '  restartPolicy: Always\n  schedulerName: default-scheduler\n  terminationGracePeriodSeconds: 30\n  securityContext: {}\n', ', imagePullPolicy: IfNotPresent, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File, resources: {}'),
      labelled('{app: api}', '', ', ports: [{containerPort: 80, protocol: TCP}]').replace('ports: [{containerPort: 80}], ', ''),
    ]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${first}---\n${later}` })]);
      expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
      expect(r.snapshot.resources.pods?.map((p) => p.metadata?.labels)).toEqual([{ app: 'api' }]);
    }
  });

  it('a default changed rather than written out (dnsPolicy: Default, imagePullPolicy: Always for a tagged image) is refused', () => {
    for (const [extra, field] of [['  dnsPolicy: Default\n', 'spec.dnsPolicy'], ['', 'spec.containers[0].imagePullPolicy']]) {
      const later = pod('{privileged: true}', extra).replace('image: busybox:1.36', extra === '' ? 'image: busybox:1.36, imagePullPolicy: Always' : 'image: busybox:1.36');
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${pod('{privileged: true}')}---\n${later}` })]);
      expect(r.once[0]).toContain(`changes ${field} (an update of a Pod's spec`);
      expect(r.snapshot.resources.pods?.map((p) => JSON.stringify(p.spec))).toEqual([expect.not.stringMatching(/Default|Always/)]);
    }
  });

  // kubernetes v1.36.3 pkg/apis/core/v1/defaults.go SetDefaults_Probe, SetDefaults_HTTPGetAction,
  // SetDefaults_ConfigMapVolumeSource, SetDefaults_Pod (enableServiceLinks); test/cluster/manifest-immutable-defaults.test.ts
  // holds each against the real kube-apiserver.
  it('a later copy that drops a label and writes out probe, volume and enableServiceLinks defaults is applied: the Pod loses its isolating label', () => {
    const labelled = (labels: string, extra: string, probe: string, mode: string) => `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: ${labels}}
spec:
${extra}  volumes: [{name: conf, configMap: {name: api${mode}}}]
  containers: [{name: api, image: nginx:1.27, readinessProbe: ${probe}}]
`;
    const first = labelled('{app: api, tier: isolated}', '', '{httpGet: {port: 80}}', '');
    const later = labelled('{app: api}', '  enableServiceLinks: true\n', '{httpGet: {port: 80, path: /, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3}', ', defaultMode: 420');
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${first}---\n${later}` })]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
    expect(r.snapshot.resources.pods?.map((p) => p.metadata?.labels)).toEqual([{ app: 'api' }]);
  });

  it('a probe default changed (timeoutSeconds 5), or dropped where the first copy changed it, is refused', () => {
    const probed = (probe: string) => pod('{privileged: true}').replace('securityContext:', `livenessProbe: {exec: {command: ["true"]}${probe}}, securityContext:`);
    for (const [first, later] of [[probed(''), probed(', timeoutSeconds: 5')], [probed(', timeoutSeconds: 5'), probed('')]]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${first}---\n${later}` })]);
      expect(r.once[0]).toMatch(/changes spec\.containers\[0\]\.livenessProbe\.timeoutSeconds \(an update of a Pod's spec[^;]*\); the cluster keeps .*a\.yaml:5, which is audited$/);
    }
  });

  it('a field written out in one copy only that ztaudit does not know the default of (a hostPort on the host network) cannot be told: Pods count as not read rather than the first copy audited', () => {
    const host = (port: string) => pod('{privileged: true}', '  hostNetwork: true\n').replace('securityContext:', `ports: [{containerPort: 8080${port}}], securityContext:`);
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${host('')}---\n${host(', hostPort: 8080')}` })]);
    expect(r.snapshot.coverage.pods?.status).toBe('error');
    expect(r.once[0]).toMatch(/changes spec\.containers\[0\]\.ports\[0\]\.hostPort .*unless the only difference there is a default the API server fills in/);
  });

  it('activeDeadlineSeconds raised, or a container added, is refused', () => {
    for (const [first, later, field] of [
      [pod('{privileged: true}', '  activeDeadlineSeconds: 300\n'), pod('{privileged: true}', '  activeDeadlineSeconds: 600\n', 'busybox:1.37'), 'spec.activeDeadlineSeconds (raised'],
      [pod('{privileged: true}'), pod('{privileged: true}').replace('containers: [', 'containers: [{name: d, image: nginx:1.27}, '), 'spec.containers (a container added or removed'],
    ]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${first}---\n${later}` })]);
      expect(r.once[0]).toContain(`changes ${field}`);
      expect(r.snapshot.resources.pods?.map((p) => JSON.stringify(p.spec))).toEqual([expect.not.stringContaining('nginx')]);
    }
  });
});

// A Job: kubernetes v1.36.3 pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate (selector
// immutable) and validatePodTemplateUpdate (the template immutable unless the Job is suspended,
// and then only its labels, annotations, scheduling directives and resources, as the Job's status
// and the release's feature gates allow: pkg/registry/batch/job/strategy.go validationOptionsForJob).
describe('a Job defined twice', () => {
  const job = (sc: string, suspend = '', labels = '{app: m}') => `apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
${suspend}  template:
    metadata: {labels: ${labels}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36, securityContext: ${sc}}]
`;
  const violation = (r: ReturnType<typeof audit>) => r.report.findings.filter((f) => f.check === 'pod-security.pod-violates-target' && f.resource.name === 'migrate').map((f) => f.message);

  it('privileged first, hardened later: the template update is refused, the Job still runs privileged pods', () => {
    for (const suspend of ['', '  suspend: true\n']) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${job('{privileged: true}', suspend)}---\n${job('{privileged: false}', suspend)}` })]);
      expect(violation(r)).toEqual([expect.stringContaining('privileged (container "c" must not set securityContext.privileged=true)')]);
      expect(r.once[0]).toMatch(/changes spec\.template\.spec\.containers\[0\]\.securityContext\.privileged \(a Job's pod template is immutable but for what a suspended Job may change\), which the API server refuses to change on update .*; the cluster keeps .*a\.yaml:5, which is audited$/);
    }
  });

  it('not suspended, only the template labels changed: refused (no Job that is not suspended may change its template)', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${job('{privileged: true}')}---\n${job('{privileged: true}', '', '{app: m2}')}` })]);
    expect(r.once[0]).toContain("changes spec.template.metadata.labels.app (a Job's pod template may change only while the Job is suspended)");
    expect(r.snapshot.resources.jobs?.map((j) => JSON.stringify(j.spec))).toEqual([expect.stringContaining('"app":"m"}')]);
  });

  it('suspended, only the template labels changed: whether the update is refused depends on the Job\'s status, so Jobs count as not read', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${job('{privileged: true}', '  suspend: true\n')}---\n${job('{privileged: true}', '  suspend: true\n', '{app: m2}')}` })]);
    expect(r.snapshot.coverage.jobs?.status).toBe('error');
    expect(r.status('pod-security.pod-violates-target')).toBe('not-evaluated');
    expect(r.once[0]).toMatch(/changes spec\.template\.metadata\.labels\.app, which the API server refuses to change on update unless the Job has not started or has no active pods \(its status, not in the manifests\).*: the cluster keeps .*a\.yaml:5 or .*a\.yaml:16; so jobs count as not read$/);
  });

  // A selector left out is generated (pkg/registry/batch/job/strategy.go generateSelector) unless
  // manualSelector is true (false when left out: pkg/apis/batch/v1/defaults.go SetDefaults_Job);
  // a selector not generated needs it (validation.go validateGeneratedSelector). kubectl apply
  // keeps a generated one a later copy leaves out, or writes as {}.
  it('selector: the later copy dropping manualSelector: true is refused; one adding it, or writing selector: {}, where the first left the selector out, is applied', () => {
    const manual = (extra: string) => job('{privileged: true}', `  selector: {matchLabels: {app: m}}\n${extra}`);
    const dropped = audit([dirWith({ 'a.yaml': `${NS}---\n${manual('  manualSelector: true\n')}---\n${manual('')}` })]);
    expect(dropped.once[0]).toContain('changes spec.manualSelector (a selector not generated by the API server needs manualSelector: true), which the API server refuses to change on update');
    for (const later of [job('{privileged: true}', '  manualSelector: true\n'), job('{privileged: true}', '  selector: {}\n')]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${job('{privileged: true}')}---\n${later}` })]);
      expect(r.once[0], later).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
    }
  });
});

// apps/v1 selectors: kubernetes v1.36.3 pkg/apis/apps/validation/validation.go (ValidateReplicaSetUpdate,
// ValidateDaemonSetSpecUpdate: ValidateImmutableField on spec.selector; ValidateStatefulSetUpdate
// forbids any spec change but replicas, ordinals, template, updateStrategy, … — the selector included).
describe('an apps/v1 ReplicaSet, DaemonSet or StatefulSet defined twice with another selector', () => {
  for (const kind of ['ReplicaSet', 'DaemonSet', 'StatefulSet']) {
    it(`${kind}: the later copy (hardened template, new selector) is refused, the privileged template is what runs`, () => {
      const w = (app: string, privileged: boolean) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers: [{name: c, image: nginx:1.27, securityContext: {privileged: ${privileged}}}]
`;
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${w('web', true)}---\n${w('web2', false)}` })]);
      expect(r.report.findings.filter((f) => f.check === 'pod-security.pod-violates-target' && f.resource.kind === kind).map((f) => f.message)).toEqual([expect.stringContaining('privileged (container "c" must not set securityContext.privileged=true)')]);
      expect(r.once[0]).toMatch(/changes spec\.selector, which the API server refuses to change on update/);
    });
  }
});

describe('an apps/v1 StatefulSet defined twice with another serviceName, podManagementPolicy or volumeClaimTemplates', () => {
  const sts = (extra: string, privileged: boolean) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
${extra}  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: postgres:17, securityContext: {privileged: ${privileged}}}]
`;
  const privileged = (r: ReturnType<typeof audit>) => r.report.findings.filter((f) => f.check === 'pod-security.pod-violates-target' && f.resource.kind === 'StatefulSet').map((f) => f.message.includes('privileged (container'));

  it('refused with the hardened template: the privileged one is what runs, and the warning names the field', () => {
    for (const [first, later, field] of [
      ['  serviceName: db\n', '  serviceName: db-headless\n', 'spec.serviceName'],
      ['', '  podManagementPolicy: Parallel\n', 'spec.podManagementPolicy'],
      ['', '  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n', 'spec.volumeClaimTemplates'],
    ]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${sts(first, true)}---\n${sts(later, false)}` })]);
      expect(privileged(r)).toEqual([true]);
      expect(r.once[0]).toContain(`changes ${field} (an update of a StatefulSet's spec may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds), which the API server refuses to change on update`);
    }
  });

  // The claim templates compare after defaulting (SetDefaults_PersistentVolumeClaimSpec: volumeMode
  // Filesystem), their kind and apiVersion not kept: real kube-apiserver v1.36.3 answers 200
  // (test/cluster/manifest-immutable-updates.test.ts).
  it('a claim template that writes out volumeMode: Filesystem, or kind and apiVersion (Helm style): no change, the later (privileged) template is applied and reported', () => {
    const claim = '  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n';
    for (const later of [claim.replace('accessModes', 'volumeMode: Filesystem, accessModes'), claim.replace('[{metadata', '[{apiVersion: v1, kind: PersistentVolumeClaim, metadata')]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${sts(claim, false)}---\n${sts(later, true)}` })]);
      expect(privileged(r)).toEqual([true]);
      expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
    }
  });

  it('a claim template with another volumeMode (Block) or storage class is refused', () => {
    const claim = (extra: string) => `  volumeClaimTemplates: [{metadata: {name: data}, spec: {${extra}accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n`;
    for (const later of [claim('volumeMode: Block, '), claim('storageClassName: fast, ')]) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${sts(claim(''), true)}---\n${sts(later, false)}` })]);
      expect(privileged(r)).toEqual([true]);
      expect(r.once[0]).toContain('changes spec.volumeClaimTemplates[0].spec.');
    }
  });

  it('podManagementPolicy: OrderedReady written out where the first copy left it to its default is no change: the hardened template is applied', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${sts('', true)}---\n${sts('  podManagementPolicy: OrderedReady\n', false)}` })]);
    expect(privileged(r)).toEqual([false]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
  });
});

// A Service's primary cluster IP "may not change once set" (kubernetes v1.36.3
// pkg/apis/core/validation/validation.go validateUpgradeDowngradeClusterIPs), unless it is or
// becomes an ExternalName; the network model reads it (headless or not, whose address is whose).
describe('a Service defined twice with another clusterIP', () => {
  const svc = (ip: string, type = 'ClusterIP') => `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  type: ${type}
  clusterIP: ${ip}
  selector: {app: db}
  ports: [{port: 5432}]
`;
  const ips = (r: ReturnType<typeof audit>) => r.snapshot.resources.services?.map((s) => (s.spec as { clusterIP?: string }).clusterIP);

  it('headless first, then an address: refused, the Service stays headless', () => {
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${svc('None')}---\n${svc('10.96.0.20')}` })]);
    expect(ips(r)).toEqual(['None']);
    expect(r.once[0]).toMatch(/changes spec\.clusterIP, which the API server refuses to change on update/);
  });

  it('the same address, or one left out (the API server keeps the allocated one, pkg/registry/core/service/storage/storage.go patchAllocatedValues), or a change to ExternalName: the later copy is applied', () => {
    for (const [first, later, want] of [
      ['10.96.0.20', svc('10.96.0.20').replace('  clusterIP: 10.96.0.20\n', ''), '10.96.0.20'],
      ['None', svc('None').replace('  clusterIP: None\n', ''), 'None'],
      ['10.96.0.20', svc('10.96.0.20'), '10.96.0.20'],
    ] as const) {
      const r = audit([dirWith({ 'a.yaml': `${NS}---\n${svc(first)}---\n${later}` })]);
      expect(ips(r)).toEqual([want]);
      expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
    }
    const r = audit([dirWith({ 'a.yaml': `${NS}---\n${svc('10.96.0.20')}---\n${svc('""', 'ExternalName')}` })]);
    expect(r.once[0]).toMatch(/: the last one read, .*a\.yaml:\d+, is audited$/);
  });
});
