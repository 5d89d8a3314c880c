// Two runs against one store never interleave (README "History"; DESIGN: "concurrent runs are
// refused, not interleaved"). The lock is taken once the cluster is known, after collecting:
// a run that collected before another run of its cluster was stored must be refused, or its
// older picture (no backdoor yet) becomes the latest run, diffed against the newer one, and
// calls the backdoor "resolved" for every later diff.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryError, OvertakenError, failureKindOf } from '../../../src/base/errors.ts';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { diffStep } from './diff-step.ts';

const base = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('reader', ['get'])];
const backdoor = clusterRole('backdoor', ['*']);
const backdoorFp = fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'backdoor' });
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };
const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };

let dir: string;
let db: string;
const open: RunStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-overlap-'));
  db = join(dir, 'h.db');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

let clock = Date.parse('2026-11-20T02:00:00Z');
/** A second process's view: its own connection to the same file. */
async function store(): Promise<RunStore> {
  const s = await openRunStore(db);
  open.push(s);
  return s;
}
function edgesOf(s: RunStore, objects: KubeObject[], seen: { rendered: number; notified: number }): PipelineEdges {
  return {
    collect: async () => snapshotOf(objects, { runId: 'x' }),
    store: s,
    diff: diffStep(rules),
    render: async () => { seen.rendered++; return []; },
    notifiers: [{ name: 'slack', send: async () => { seen.notified++; return { channel: 'slack', status: 'sent' }; } }],
    log: quiet,
    now: () => new Date((clock += 60_000)),
  };
}

describe('overlapping runs on one SQLite store', () => {
  it('a run that collected before a newer run of its cluster was stored is refused: the newer run stays the latest, its backdoor open', async () => {
    const first = (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(await store(), base, { rendered: 0, notified: 0 }))).report;

    // Run A reads the cluster (no backdoor yet) and is slow to finish its audit ...
    let collected!: () => void;
    const hasCollected = new Promise<void>((resolve) => { collected = resolve; });
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => { finish = resolve; });
    const seenA = { rendered: 0, notified: 0 };
    const edgesA = edgesOf(await store(), base, seenA);
    const runA = runPipeline(defaultConfig(), FAKE_CHECKS, {
      ...edgesA,
      collect: async () => { const snapshot = await edgesA.collect(); collected(); await mayFinish; return snapshot; },
    }).then(() => null, (error: unknown) => error);
    await hasCollected;

    // ... meanwhile run B (another process) sees the backdoor, alerts and is stored.
    const b = (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(await store(), [...base, backdoor], { rendered: 0, notified: 0 }))).report;
    expect(b.diff?.new).toEqual([backdoorFp]);
    expect(b.diff?.regression).toBe(true);

    finish();
    const refused = await runA;
    expect(refused).toBeInstanceOf(HistoryError);
    expect(refused).toBeInstanceOf(OvertakenError);
    // Its "could not run" alert is the one saying nothing needs re-running.
    expect(failureKindOf(refused)).toBe('overtaken');
    expect((refused as Error).message).toContain(`a newer run (${b.run.id}, started ${b.run.startedAt}) of cluster "demo" was stored in ${db} while run `);
    expect((refused as Error).message).toMatch(/ while run 20261120T\d{6}Z-[0-9a-f]{6} \(started 2026-11-20T[\d:.]+Z\) collected: this older run was not stored, so it cannot mark that run's findings resolved; nothing needs re-running \(runs are refused, never interleaved\)$/);
    // Refused before anything went out, as a run refused the lock is.
    expect(seenA).toEqual({ rendered: 0, notified: 0 });

    const reader = await store();
    expect((await reader.list(10)).map((r) => r.id)).toEqual([b.run.id, first.run.id]);
    const { current, previous, olderRuns, close } = await lastAndBaseline(reader);
    try {
      expect(current.run.id).toBe(b.run.id);
      const diff = diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns });
      expect(diff.new).toEqual([backdoorFp]);
      expect(diff.resolved).toEqual([]);
    } finally {
      close();
    }
    // The lock went with the refusal: the next run goes ahead, and the backdoor persists.
    const next: RunReport = (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(await store(), [...base, backdoor], { rendered: 0, notified: 0 }))).report;
    expect(next.diff?.previousRunId).toBe(b.run.id);
    expect(next.diff?.resolved).toEqual([]);
    expect(next.diff?.persisting).toBeGreaterThan(0);
  });

  it('a run stored while another collects but started before it is older: the later-started run is stored after it, diffed against it', async () => {
    const first = (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(await store(), base, { rendered: 0, notified: 0 }))).report;
    const gated = (objects: KubeObject[], seen: { rendered: number; notified: number }) => {
      let collected!: () => void;
      const hasCollected = new Promise<void>((resolve) => { collected = resolve; });
      let finish!: () => void;
      const mayFinish = new Promise<void>((resolve) => { finish = resolve; });
      return { hasCollected, finish, edges: async () => {
        const e = edgesOf(await store(), objects, seen);
        return { ...e, collect: async () => { const snapshot = await e.collect(); collected(); await mayFinish; return snapshot; } };
      } };
    };
    // E starts first (no backdoor yet); L starts after it and sees the backdoor. E, slower to
    // start but quicker to finish, is stored while L still collects.
    const e = gated(base, { rendered: 0, notified: 0 });
    const runE = runPipeline(defaultConfig(), FAKE_CHECKS, await e.edges());
    await e.hasCollected;
    const seenL = { rendered: 0, notified: 0 };
    const l = gated([...base, backdoor], seenL);
    const runL = runPipeline(defaultConfig(), FAKE_CHECKS, await l.edges());
    await l.hasCollected;
    e.finish();
    const eReport = (await runE).report;
    l.finish();
    const lReport = (await runL).report;

    expect(Date.parse(lReport.run.startedAt)).toBeGreaterThan(Date.parse(eReport.run.startedAt));
    expect(seenL.notified).toBe(1);
    expect(lReport.diff?.previousRunId).toBe(eReport.run.id);
    expect(lReport.diff?.new).toEqual([backdoorFp]);
    const reader = await store();
    expect((await reader.list(10)).map((r) => r.id)).toEqual([lReport.run.id, eReport.run.id, first.run.id]);
  });

  it('runs imported meanwhile (history import of old runs) do not refuse the run collecting', async () => {
    const old = (await runPipeline(defaultConfig(), FAKE_CHECKS, edgesOf(await store(), base, { rendered: 0, notified: 0 }))).report;
    let collected!: () => void;
    const hasCollected = new Promise<void>((resolve) => { collected = resolve; });
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => { finish = resolve; });
    const edges = edgesOf(await store(), [...base, backdoor], { rendered: 0, notified: 0 });
    const live = runPipeline(defaultConfig(), FAKE_CHECKS, { ...edges, collect: async () => { const s = await edges.collect(); collected(); await mayFinish; return s; } });
    await hasCollected;
    // An import of a run from last month, stored while the live run collects.
    const imported: RunReport = { ...old, run: { ...old.run, id: '20261020T020000Z-abcdef', startedAt: '2026-10-20T02:00:00.000Z' } };
    await (await store()).save(imported);
    finish();
    const report = (await live).report;
    expect((await (await store()).list(10)).map((r) => r.id)[0]).toBe(report.run.id);
  });
});
