// stableRefOf: the most stable name a workload's own pods tell (src/analysis/workloads.ts), on
// the edges the diff tests (test/unit/diff/generated-names.test.ts) do not reach. Labels per
// Argo's cron-workflows page and Tekton's "Automatic labeling" (cited there).
import { describe, expect, it } from 'vitest';
import { refString, stableRefOf, workloadsOf } from '../../../src/analysis/workloads.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const spec = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
const pod = (name: string, labels: Record<string, string>, owner?: { apiVersion: string; kind: string; name: string }): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ci', labels, ...(owner ? { ownerReferences: [{ ...owner, uid: `uid-${owner.name}`, controller: true }] } : {}) },
  spec,
});
const stableNames = (objects: KubeObject[]): string[] => {
  const snapshot = snapshotFromObjects(objects);
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return workloadsOf(snapshot).map((w) => `${refString(w.ref)} -> ${refString(stableRefOf(w.ref))}`).sort();
};

describe('stableRefOf', () => {
  it('reads a custom owner\'s labels only under its own API group', () => {
    expect(stableNames([
      // A Workflow kind of another group is not Argo's.
      pod('x-1', { 'workflows.argoproj.io/workflow': 'x', 'workflows.argoproj.io/cron-workflow': 'nightly' }, { apiVersion: 'example.com/v1', kind: 'Workflow', name: 'x' }),
      // A TaskRun pod whose taskRun label names another TaskRun.
      pod('tr-pod', { 'tekton.dev/taskRun': 'other', 'tekton.dev/pipeline': 'release' }, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'tr' }),
      // A PipelineRun's embedded pipeline: no Pipeline or Task name, the PipelineRun is the most stable.
      pod('pr-build-pod', { 'tekton.dev/taskRun': 'pr-build', 'tekton.dev/pipelineRun': 'pr' }, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'pr-build' }),
    ])).toEqual([
      'TaskRun ci/pr-build -> PipelineRun ci/pr',
      'TaskRun ci/tr -> TaskRun ci/tr',
      'Workflow ci/x -> Workflow ci/x',
    ]);
  });

  it('a pod without generateName, or whose name does not start with it, keeps its own name', () => {
    const bare = (name: string, generateName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ci', ...(generateName ? { generateName } : {}) }, spec });
    expect(stableNames([bare('plain'), bare('other-k2x9p', 'debug-'), bare('debug-q8w2z', 'debug-')])).toEqual([
      'Pod ci/debug-q8w2z -> Pod ci/debug-*',
      'Pod ci/other-k2x9p -> Pod ci/other-k2x9p',
      'Pod ci/plain -> Pod ci/plain',
    ]);
  });

  // Argo's controller labels a Workflow's pod with workflows.argoproj.io/workflow only
  // (argo-workflows workflow/controller/workflowpod.go; cron-workflow and workflow-template are
  // set on the Workflow, workflow/common/convert.go). A CronWorkflow names its Workflows
  // "<name>-<scheduled Unix seconds>" (workflow/cron/operator.go getChildWorkflowName); a
  // generateName gets 5 characters of apimachinery's util/rand alphabet
  // ("bcdfghjklmnpqrstvwxz2456789", apiserver names.SimpleNameGenerator).
  it('an Argo Workflow pod with no cron or template label: its Workflow\'s generated name by its prefix, a plain name kept', () => {
    const wfPod = (wf: string) => pod(`${wf}-main-3584011442`, { 'workflows.argoproj.io/workflow': wf, 'workflows.argoproj.io/completed': 'false' }, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: wf });
    expect(stableNames([wfPod('nightly-report-1764900000'), wfPod('hello-x7k2p'), wfPod('etl-daily'), wfPod('release-2')])).toEqual([
      'Workflow ci/etl-daily -> Workflow ci/etl-daily',
      'Workflow ci/hello-x7k2p -> Workflow ci/hello-*',
      'Workflow ci/nightly-report-1764900000 -> Workflow ci/nightly-report-*',
      'Workflow ci/release-2 -> Workflow ci/release-2',
    ]);
  });

  // Before Tekton 1.0 a TaskRun of a ClusterTask was labelled tekton.dev/clusterTask instead of
  // tekton.dev/task, and its pod with it (tektoncd/pipeline pkg/apis/pipeline/register.go
  // ClusterTaskLabelKey until commit 5a3a86ad2, pkg/reconciler/taskrun/taskrun.go; docs/labels.md
  // "Automatic labeling": "tekton.dev/clusterTask ... Propagates To Pods").
  it('a Tekton ClusterTask\'s TaskRun pod: the ClusterTask, in the pod\'s namespace; a standalone TaskRun by its generated prefix', () => {
    expect(stableNames([
      pod('lint-q8w2z-pod', { 'tekton.dev/taskRun': 'lint-q8w2z', 'tekton.dev/clusterTask': 'golang-lint' }, { apiVersion: 'tekton.dev/v1beta1', kind: 'TaskRun', name: 'lint-q8w2z' }),
      pod('echo-run-b7c9d-pod', { 'tekton.dev/taskRun': 'echo-run-b7c9d' }, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'echo-run-b7c9d' }),
    ])).toEqual([
      'TaskRun ci/echo-run-b7c9d -> TaskRun ci/echo-run-*',
      'TaskRun ci/lint-q8w2z -> ClusterTask ci/golang-lint',
    ]);
  });
});
