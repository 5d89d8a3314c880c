// edges.afterAudit (ztaudit run: releaseFreedHeap) runs once the audit has returned, with the
// snapshot it read already unreachable, and before the stored runs are read, the reports
// rendered and the run stored: what those allocate is then not added on top of the snapshot's
// freed pages (docs/performance.md, "A thirtieth session: the real CLI's later run").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges, type PipelineStore } from '../../../src/pipeline/pipeline.ts';
import { FAKE_CHECKS, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { diffStep } from './diff-step.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false)];
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
let store: RunStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-after-audit-'));
  store = await openRunStore(join(dir, 'h.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The pipeline's steps as they happen, and whether the snapshot was still reachable at afterAudit. */
function edgesOf(steps: string[], snapshotAlive: boolean[]): PipelineEdges {
  let snapshot: WeakRef<object> | undefined;
  const watched: PipelineStore = {
    describe: () => store.describe(),
    acquire: (cluster) => store.acquire(cluster),
    release: () => store.release(),
    runsNewestFirst: (cluster, read) => { steps.push('read stored runs'); return store.runsNewestFirst(cluster, read); },
    save: async (report, written, options) => { steps.push('store'); await store.save(report, written, options); },
    recordNotifications: (id, outcomes) => store.recordNotifications(id, outcomes),
    trend: (limit, cluster) => store.trend(limit, cluster),
  };
  return {
    collect: async () => {
      steps.push('collect');
      const s = snapshotOf(objects, { runId: 'x' });
      snapshot = new WeakRef(s);
      // A WeakRef keeps its target until the microtasks of the turn that made it have run.
      await new Promise((resolve) => setImmediate(resolve));
      return s;
    },
    store: watched,
    diff: (prev, cur, options) => { steps.push('diff'); return diffStep(defaultConfig().regression)(prev, cur, options); },
    render: async () => { steps.push('render'); return []; },
    notifiers: [],
    log: quiet,
    now: () => new Date('2026-12-07T02:00:00Z'),
    afterAudit: () => {
      steps.push('afterAudit');
      gc();
      snapshotAlive.push(snapshot?.deref() !== undefined);
    },
  };
}

describe('afterAudit', () => {
  it('runs once per run, after the audit and before the stored runs are read, the reports rendered and the run stored', async () => {
    const first: string[] = [];
    await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(first, []));
    expect(first).toEqual(['collect', 'afterAudit', 'read stored runs', 'render', 'store']);
    // A later run, diffed against the first.
    const later: string[] = [];
    await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(later, []));
    expect(later).toEqual(['collect', 'afterAudit', 'read stored runs', 'diff', 'render', 'store']);
  });

  it('finds the snapshot unreachable: a collection there frees it', async () => {
    const alive: boolean[] = [];
    await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf([], alive));
    expect(alive).toEqual([false]);
  });
});
