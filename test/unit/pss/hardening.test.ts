// Workload hardening outside the Pod Security Standards: writable root filesystems and missing
// resource limits. System namespaces stay excluded by default, but the report's coverage section
// says how many of their workloads would fail, so a privileged calico-node is a visible exception.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const MANIFESTS = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      containers: [{name: calico-node, image: calico/node:v3.30, securityContext: {privileged: true}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      containers:
      - name: coredns
        image: coredns/coredns:1.12
        securityContext: {readOnlyRootFilesystem: true}
        resources: {limits: {memory: 170Mi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: "<img src=x onerror=alert(1)>", namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1}]
`;

function audit(config = defaultConfig()) {
  const snapshot = snapshotFromObjects(parseManifestText(MANIFESTS, 'hardening').objects, { origin: 'manifests', clusterVersion: 'v1.36.3' });
  const now = new Date('2026-11-26T02:00:00Z');
  return auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'hardening' }).report;
}

describe('workload hardening outside the Pod Security Standards', () => {
  it('fails the application workload, excludes kube-system, and counts what the exclusion hides', () => {
    const report = audit();
    const by = (id: string) => report.findings.filter((f) => f.check === id).map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`);
    expect(by('pod-security.writable-root-filesystem')).toEqual(['low Deployment shop/<img src=x onerror=alert(1)>']);
    expect(by('pod-security.resource-limits-missing')).toEqual(['medium Deployment shop/<img src=x onerror=alert(1)>']);
    const summary = (id: string) => report.checks.find((c) => c.id === id)!;
    // calico-node is writable and unlimited; coredns is read-only but lacks a CPU limit.
    expect(summary('pod-security.writable-root-filesystem').excluded).toBe('2 workloads in system namespaces (config systemNamespaces) excluded by default; 1 would fail (DaemonSet kube-system/calico-node)');
    expect(summary('pod-security.resource-limits-missing').excluded).toBe('2 workloads in system namespaces (config systemNamespaces) excluded by default; 2 would fail (DaemonSet kube-system/calico-node, Deployment kube-system/coredns)');
  });

  it('the HTML coverage section shows the exclusion, and names stay escaped', () => {
    const html = renderHtml(audit());
    const coverage = html.slice(html.indexOf('<section id="coverage">'), html.indexOf('</section>', html.indexOf('<section id="coverage">')));
    // The two hardening checks and pod-violates-target, which also leaves system namespaces out,
    // the four namespace-label checks, which judge no system namespace (kube-system here), and
    // pod-violates-enforced-level, which judges no pod at the privileged level both namespaces
    // are assumed to enforce (no label): that level restricts nothing.
    expect(coverage).toContain('Deliberately excluded (8)');
    expect(coverage).toContain('1 would fail (DaemonSet kube-system/calico-node)');
    expect(html).not.toContain('<img src=x');
  });

  it('the severity is tunable and an empty systemNamespaces list judges kube-system too', () => {
    const config = defaultConfig();
    config.checks['pod-security.writable-root-filesystem'] = { severity: 'high' };
    config.systemNamespaces = [];
    const report = audit(config);
    const writable = report.findings.filter((f) => f.check === 'pod-security.writable-root-filesystem');
    expect(writable.map((f) => `${f.severity} ${f.resource.namespace}/${f.resource.name}`).sort()).toEqual(['high kube-system/calico-node', 'high shop/<img src=x onerror=alert(1)>']);
    expect(report.checks.find((c) => c.id === 'pod-security.writable-root-filesystem')!.excluded).toBeUndefined();
    // coredns has a memory limit: only the CPU limit is missing, the low variant.
    const limits = report.findings.filter((f) => f.check === 'pod-security.resource-limits-missing');
    expect(limits.find((f) => f.resource.name === 'coredns')?.severity).toBe('low');
  });

  // Pod-level resources (https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/,
  // beta and on by default since Kubernetes 1.34): spec.resources.limits caps all of a pod's
  // containers, so a container without a limit of its own is bounded. Judged here as a live
  // cluster gives it: a running pod with managedFields, written to a snapshot and read back
  // (the reader slims each object, src/snapshot/slim.ts), and a Deployment scaled to zero,
  // judged by its template.
  it('a live pod with pod-level limits passes after the snapshot round trip; one with only a memory limit misses CPU', async () => {
    const pod = (name: string, limits: Record<string, string>): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name, namespace: 'app', uid: name,
        managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:resources': {} } } }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      } as KubeObject['metadata'],
      spec: { resources: { limits }, containers: [{ name: 'c', image: 'example/app:1' }] },
      status: { phase: 'Running' },
    });
    const idle: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'idle', namespace: 'app' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'idle' } }, template: { metadata: { labels: { app: 'idle' } }, spec: { resources: { limits: { memory: '1Gi', cpu: '1' } }, containers: [{ name: 'c', image: 'example/idle:1' }] } } },
    };
    const live = snapshotFromObjects([pod('bounded', { memory: '256Mi', cpu: '1' }), pod('memory-only', { memory: '256Mi' }), idle], { origin: 'live', clusterVersion: 'v1.34.2' });
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-limits-'));
    try {
      writeSnapshot(join(dir, 's.json.gz'), live);
      const snapshot = await readSnapshot(join(dir, 's.json.gz'));
      expect(snapshot.resources.pods![0].metadata).not.toHaveProperty('managedFields'); // slimmed
      const now = new Date('2026-11-26T02:00:00Z');
      const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS.filter((c) => c.id === 'pod-security.resource-limits-missing'), now, startedAt: now, runId: 'limits' }).report;
      expect(report.findings.map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}: ${f.message}`)).toEqual([
        'low Pod app/memory-only: Pod app/memory-only: c: no cpu limit',
      ]);
      expect(report.checks.find((c) => c.id === 'pod-security.resource-limits-missing')).toMatchObject({ status: 'fail', evaluated: 3, passed: 2, failed: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resource-limits-missing and LimitRanges', () => {
  // https://kubernetes.io/docs/concepts/policy/limit-range/: admission injects a Container `default`
  // limit into containers without one; API defaulting (kubernetes pkg/apis/core/v1/defaults.go
  // SetDefaults_LimitRangeItem) makes a Container `max` the default when `default` leaves it out.
  const cronJob = (ns: string): KubeObject => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: ns },
    spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'x' }] } } } } },
  });
  const limitRange = (ns: string, item: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: ns }, spec: { limits: [{ type: 'Container', ...item }] } });
  const check = CHECKS.find((c) => c.id === 'pod-security.resource-limits-missing')!;
  const judge = (objects: KubeObject[], status?: 'forbidden') => {
    const snapshot = snapshotFromObjects(objects, { origin: 'live', clusterVersion: 'v1.34.2' });
    snapshot.source = 'live';
    if (status) snapshot.coverage.limitranges = { status, detail: 'list limitranges' };
    const now = new Date('2026-11-26T02:00:00Z');
    return auditSnapshot({ snapshot, config: defaultConfig(), checks: [check], now, startedAt: now, runId: 'lr' }).report.findings;
  };

  it('a live CronJob between runs passes when its namespace\'s LimitRange defaults (or caps) both limits', () => {
    expect(judge([cronJob('batch'), limitRange('batch', { default: { memory: '512Mi', cpu: '500m' } })])).toEqual([]);
    expect(judge([cronJob('batch'), limitRange('batch', { max: { memory: '1Gi', cpu: '1' } })])).toEqual([]);
    // Another namespace's LimitRange does not apply.
    const [f] = judge([cronJob('batch'), limitRange('other', { default: { memory: '512Mi', cpu: '500m' } })]);
    expect(f).toMatchObject({ severity: 'medium', resource: { kind: 'CronJob', namespace: 'batch', name: 'nightly' } });
  });

  it('a live pod without limits made before the LimitRange still fails: admission only defaults new pods', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'adhoc', namespace: 'batch' }, spec: { containers: [{ name: 'shell', image: 'busybox' }] }, status: { phase: 'Running' } };
    const [f] = judge([pod, limitRange('batch', { default: { memory: '512Mi', cpu: '500m' } })]);
    expect(f).toMatchObject({ severity: 'medium', resource: { kind: 'Pod', namespace: 'batch', name: 'adhoc' } });
  });

  it('unreadable LimitRanges drop a template\'s missing limit to low, saying a LimitRange may inject it', () => {
    const [f] = judge([cronJob('batch')], 'forbidden');
    expect(f.severity).toBe('low');
    expect(f.message).toBe('CronJob batch/nightly: report: no memory or cpu limit (a LimitRange may inject limits: LimitRanges could not be read)');
  });
});

describe('resource-limits-missing reads a zero or malformed limit as no limit', () => {
  // kubernetes pkg/kubelet/kuberuntime/kuberuntime_container_linux.go calculateLinuxResources:
  // the memory limit is set only when it is not 0, and a CPU limit of 0 gives no CFS quota, so
  // a container whose limit is "0" runs unbounded. Quantity spellings per k8s.io/apimachinery
  // pkg/api/resource quantity.go ParseQuantity ("0", "0m", "0Mi", "0.0", "0e3" are all zero).
  const check = CHECKS.find((c) => c.id === 'pod-security.resource-limits-missing')!;
  const deployment = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec } },
  });
  const findings = (objects: KubeObject[]) => {
    const snapshot = snapshotFromObjects(objects, { origin: 'manifests' });
    const now = new Date('2026-11-26T02:00:00Z');
    return auditSnapshot({ snapshot, config: defaultConfig(), checks: [check], now, startedAt: now, runId: 'zero' }).report.findings.map((f) => `${f.severity} ${f.message}`);
  };
  const container = (limits: Record<string, unknown>) => ({ containers: [{ name: 'app', image: 'x', resources: { limits } }] });

  it.each(['0', '0m', '0Mi', '0.0', '0e3', '+0', '.0', 0])('a container limit of %j is no limit', (zero) => {
    expect(findings([deployment(container({ memory: zero, cpu: zero }))])).toEqual([
      `medium Deployment shop/web: app: no memory or cpu limit (resources.limits.memory ${JSON.stringify(zero)} is zero, which is no limit; resources.limits.cpu ${JSON.stringify(zero)} is zero, which is no limit)`,
    ]);
  });

  it('tiny non-zero limits still count (ParseQuantity rounds them up to 1n)', () => {
    expect(findings([deployment(container({ memory: '1e-12', cpu: '0.001m' }))])).toEqual([]);
    expect(findings([deployment(container({ memory: 256 * 1024 * 1024, cpu: 0.5 }))])).toEqual([]);
  });

  it('a pod-level limit of zero bounds nothing; a container\'s zero limit under a real pod-level one is bounded', () => {
    expect(findings([deployment({ resources: { limits: { memory: '0Gi', cpu: '1' } }, containers: [{ name: 'app', image: 'x' }] })])).toEqual([
      'medium Deployment shop/web: app: no memory limit (the pod\'s spec.resources.limits.memory "0Gi" is zero, which is no limit)',
    ]);
    expect(findings([deployment({ resources: { limits: { memory: '1Gi', cpu: '1' } }, ...container({ memory: '0', cpu: '0' }) })])).toEqual([]);
  });

  it('a LimitRange whose Container default is zero injects no limit; a zero default falls back to nothing, not to max', () => {
    const lr = (item: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'shop' }, spec: { limits: [{ type: 'Container', ...item }] } });
    const bare = deployment({ containers: [{ name: 'app', image: 'x' }] });
    expect(findings([bare, lr({ default: { memory: '0', cpu: '500m' } })])).toEqual([
      'medium Deployment shop/web: app: no memory limit (LimitRange shop/defaults spec.limits[0].default.memory "0" is zero, which is no limit)',
    ]);
    // SetDefaults_LimitRangeItem copies max into default only for a resource default leaves out.
    expect(findings([bare, lr({ default: { memory: '0Mi', cpu: '1' }, max: { memory: '1Gi' } })])).toEqual([
      'medium Deployment shop/web: app: no memory limit (LimitRange shop/defaults spec.limits[0].default.memory "0Mi" is zero, which is no limit)',
    ]);
    expect(findings([bare, lr({ max: { memory: '0', cpu: '1' } })])).toEqual([
      'medium Deployment shop/web: app: no memory limit (LimitRange shop/defaults spec.limits[0].max.memory "0" is zero, which is no limit)',
    ]);
    // A container naming its own limit (a zero one included) gets no default injected.
    expect(findings([deployment(container({ memory: '0', cpu: '1' })), lr({ default: { memory: '512Mi', cpu: '1' } })])).toEqual([
      'medium Deployment shop/web: app: no memory limit (resources.limits.memory "0" is zero, which is no limit)',
    ]);
  });

  it('a malformed or negative limit is a one-line problem naming the key, and bounds nothing', () => {
    expect(findings([deployment(container({ memory: '12 Mi', cpu: '-1' }))])).toEqual([
      'medium Deployment shop/web: app: no memory or cpu limit (resources.limits.memory "12 Mi" is not a Kubernetes quantity (such as 500m, 256Mi, 1.5, 2e3); resources.limits.cpu "-1" is negative (the API server refuses it))',
    ]);
  });
});
