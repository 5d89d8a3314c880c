// A run abandoned (edges.signal: `run` at SIGTERM or SIGINT, serve at shutdown) before it is
// stored is not stored: stored, it would become the baseline of the next diff as if the night
// had finished, its notifications never sent. The signal can come at any step the pipeline
// waits on: during collection (test/e2e/run-stopped.test.ts), the audit, rendering, notifying.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoppedError } from '../../../src/base/errors.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { FAKE_CHECKS, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { diffStep } from './diff-step.ts';

const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false)];
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };
const stopped = () => new StoppedError('stopped by SIGTERM (Job deadline, eviction or node drain) before the audit finished: no run was stored');

let dir: string;
let store: RunStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-stopped-'));
  store = await openRunStore(join(dir, 'h.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storedRuns(): Promise<number> {
  let n = 0;
  for await (const _ of store.runsNewestFirst()) n++;
  return n;
}

function edgesOf(controller: AbortController, seen: { rendered: number; sent: string[] }): PipelineEdges {
  return {
    collect: async () => snapshotOf(objects, { runId: 'x' }),
    store,
    diff: diffStep(defaultConfig().regression),
    render: async () => { seen.rendered++; return []; },
    notifiers: [{
      name: 'slack',
      send: async (_report, _files, ctx) => {
        seen.sent.push(ctx.signal.aborted ? 'aborted' : 'sent');
        return { channel: 'slack', status: ctx.signal.aborted ? 'failed' : 'sent' };
      },
    }],
    log: quiet,
    now: () => new Date('2026-12-04T02:00:00Z'),
    signal: controller.signal,
  };
}

describe('a run stopped before it is stored', () => {
  it('a signal that came during the (synchronous) audit: nothing rendered, sent or stored', async () => {
    const controller = new AbortController();
    const seen = { rendered: 0, sent: [] as string[] };
    const edges = edgesOf(controller, seen);
    // Collected; the signal is handled before the pipeline goes on, as a SIGTERM during the audit would be.
    const run = runPipeline(defaultConfig(), FAKE_CHECKS, { ...edges, collect: async () => { const s = await edges.collect(); controller.abort(stopped()); return s; } });
    await expect(run).rejects.toBeInstanceOf(StoppedError);
    expect(seen).toEqual({ rendered: 0, sent: [] });
    expect(await storedRuns()).toBe(0);
  });

  it('a signal while rendering: the reports written, nothing sent, the run not stored', async () => {
    const controller = new AbortController();
    const seen = { rendered: 0, sent: [] as string[] };
    const edges = edgesOf(controller, seen);
    const run = runPipeline(defaultConfig(), FAKE_CHECKS, { ...edges, render: async (report, extras) => { const files = await edges.render(report, extras); controller.abort(stopped()); return files; } });
    await expect(run).rejects.toThrow('stopped by SIGTERM');
    expect(seen.sent).toEqual([]);
    expect(await storedRuns()).toBe(0);
  });

  it('without a signal the same run is stored (the tests above are not vacuous)', async () => {
    const seen = { rendered: 0, sent: [] as string[] };
    await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(new AbortController(), seen));
    expect(seen.sent).toEqual(['sent']);
    expect(await storedRuns()).toBe(1);
  });
});
