// Workloads made anew every night under a generated name are one member of a namespace's
// finding: the run-2 Workflow of the same CronWorkflow (or TaskRun of the same Pipeline, Job or
// pod of the same generateName) is the same exposure, not a widening, while a Deployment that
// was not there before still is. Real default-deny check and diff over live-shaped pods.
//
// Labels per upstream: Argo's CronWorkflow makes Workflows "with a generated name based on the
// CronWorkflow name" (https://argo-workflows.readthedocs.io/en/latest/cron-workflows/) and labels
// them and their pods workflows.argoproj.io/cron-workflow; Tekton's "Automatic labeling"
// (https://tekton.dev/docs/pipelines/labels/) puts tekton.dev/pipeline, tekton.dev/pipelineRun,
// tekton.dev/task and tekton.dev/taskRun on a TaskRun's pod. generateName: the API server appends
// a random suffix to the prefix (https://kubernetes.io/docs/reference/using-api/api-concepts/#generated-values).
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunDiff, RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const container = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
/** A Deployment, its ReplicaSet and its running pod. */
const deploy = (namespace: string, name: string): KubeObject[] => {
  const labels = { app: name, 'pod-template-hash': '5d4f8c9b7' };
  const rs = `${name}-5d4f8c9b7`;
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, uid: `d-${name}` }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: container } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace, uid: `rs-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: container } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${rs}-k2x9p`, namespace, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${name}`, controller: true }] }, spec: container },
  ];
};
/** A running pod of Workflow `wf`, controlled by it, with these extra labels. */
const workflowPod = (namespace: string, wf: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `${wf}-main-1234567`, namespace, labels: { 'workflows.argoproj.io/workflow': wf, 'workflows.argoproj.io/completed': 'false', ...labels },
    ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: wf, uid: `uid-${wf}`, controller: true }],
  },
  spec: container,
});
const taskRunPod = (namespace: string, taskRun: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `${taskRun}-pod`, namespace, labels: { 'tekton.dev/taskRun': taskRun, 'app.kubernetes.io/managed-by': 'tekton-pipelines', ...labels },
    ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: taskRun, uid: `uid-${taskRun}`, controller: true }],
  },
  spec: container,
});
const barePod = (namespace: string, generateName: string, suffix: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: `${generateName}${suffix}`, generateName, namespace, labels: { role: 'debug' } }, spec: container,
});
/** A Job made with generateName by some tool (no CronJob), and its running pod. */
const generatedJob = (namespace: string, generateName: string, suffix: string): KubeObject[] => {
  const name = `${generateName}${suffix}`;
  const uid = `uid-${name}`;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name };
  return [
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, generateName, namespace, uid }, spec: { template: { metadata: { labels }, spec: container } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-abcde`, namespace, labels, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true }] }, spec: container },
  ];
};

function audit(runId: string, objects: KubeObject[]): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'demo', collectedAt: at.toISOString() });
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: [namespaceDefaultDenyIngress], now: at, runId, startedAt: at }).report;
}
function nightly(before: KubeObject[], after: KubeObject[]): { diff: RunDiff; members: string[] | undefined } {
  const first = audit('run-1', before);
  const second = audit('run-2', after);
  const diff = diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] });
  return { diff, members: second.findings.find((f) => f.resource.name === 'ci')?.extent?.members };
}

const API = deploy('ci', 'api');

describe('workloads of a new generated name each night', () => {
  it('a CronWorkflow\'s new Workflow is the same member: no widening, no regression', () => {
    const cron = { 'workflows.argoproj.io/cron-workflow': 'nightly-report' };
    const { diff, members } = nightly(
      [ns('ci'), ...API, workflowPod('ci', 'nightly-report-abc12', cron)],
      [ns('ci'), ...API, workflowPod('ci', 'nightly-report-xyz89', cron)],
    );
    expect(members).toEqual(['CronWorkflow ci/nightly-report', 'Deployment ci/api']);
    expect(diff.widened).toBeUndefined();
    expect(diff).toMatchObject({ new: [], resolved: [], regression: false, regressionReasons: [] });
  });

  it('a genuinely new Deployment beside it still widens the finding and is alerted', () => {
    const cron = { 'workflows.argoproj.io/cron-workflow': 'nightly-report' };
    const { diff } = nightly(
      [ns('ci'), ...API, workflowPod('ci', 'nightly-report-abc12', cron)],
      [ns('ci'), ...API, ...deploy('ci', 'backdoor'), workflowPod('ci', 'nightly-report-xyz89', cron)],
    );
    expect(diff.regression).toBe(true);
    expect(diff.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace ci widened: now also Deployment ci/backdoor (2 → 3 workloads)']);
  });

  it('Workflows from one WorkflowTemplate or ClusterWorkflowTemplate fold to it, a CronWorkflow first', () => {
    const run = (wf: string) => [
      workflowPod('ci', `${wf}-a`, { 'workflows.argoproj.io/workflow-template': 'build' }),
      workflowPod('ci', `${wf}-b`, { 'workflows.argoproj.io/cluster-workflow-template': 'scan' }),
      workflowPod('ci', `${wf}-c`, { 'workflows.argoproj.io/cron-workflow': 'nightly', 'workflows.argoproj.io/workflow-template': 'build' }),
    ];
    const { diff, members } = nightly([ns('ci'), ...API, ...run('one')], [ns('ci'), ...API, ...run('two')]);
    expect(members).toEqual(['ClusterWorkflowTemplate ci/scan', 'CronWorkflow ci/nightly', 'Deployment ci/api', 'WorkflowTemplate ci/build']);
    expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('Tekton TaskRuns fold to their Pipeline, else their Task', () => {
    const run = (n: string) => [
      taskRunPod('ci', `release-${n}-compile`, { 'tekton.dev/pipelineRun': `release-${n}`, 'tekton.dev/pipeline': 'release', 'tekton.dev/task': 'compile' }),
      taskRunPod('ci', `lint-run-${n}`, { 'tekton.dev/task': 'lint' }),
    ];
    const { diff, members } = nightly([ns('ci'), ...API, ...run('k2x9p')], [ns('ci'), ...API, ...run('q8w2z')]);
    expect(members).toEqual(['Deployment ci/api', 'Pipeline ci/release', 'Task ci/lint']);
    expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('a bare pod or a Job made with generateName is its prefix', () => {
    const { diff, members } = nightly(
      [ns('ci'), ...API, barePod('ci', 'debug-', 'k2x9p'), ...generatedJob('ci', 'migrate-', 'bq7xz')],
      [ns('ci'), ...API, barePod('ci', 'debug-', 'q8w2z'), ...generatedJob('ci', 'migrate-', 'dd4kp')],
    );
    expect(members).toEqual(['Deployment ci/api', 'Job ci/migrate-*', 'Pod ci/debug-*']);
    expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('labels are hostile text: one naming no object name, or another Workflow, folds nothing; no label crosses namespaces', () => {
    const pods = [
      workflowPod('ci', 'wf-aaaaa', { 'workflows.argoproj.io/cron-workflow': '<img src=x onerror=alert(1)>' }),
      // The workflow label names another Workflow than the owner reference: not Argo's pod.
      { ...workflowPod('ci', 'wf-bbbbb', { 'workflows.argoproj.io/cron-workflow': 'nightly' }), metadata: { ...workflowPod('ci', 'wf-bbbbb', {}).metadata, labels: { 'workflows.argoproj.io/workflow': 'other', 'workflows.argoproj.io/cron-workflow': 'nightly' } } },
      workflowPod('ci', 'wf-ccccc', { 'workflows.argoproj.io/cluster-workflow-template': 'scan' }),
      workflowPod('pay', 'wf-ddddd', { 'workflows.argoproj.io/cluster-workflow-template': 'scan' }),
    ];
    const first = audit('run-1', [ns('ci'), ns('pay'), ...pods]);
    const members = (name: string) => first.findings.find((f) => f.resource.name === name)?.extent?.members;
    expect(members('ci')).toEqual(['ClusterWorkflowTemplate ci/scan', 'Workflow ci/wf-aaaaa', 'Workflow ci/wf-bbbbb']);
    expect(members('pay')).toEqual(['ClusterWorkflowTemplate pay/scan']);
  });
});
