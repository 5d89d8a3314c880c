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
});
