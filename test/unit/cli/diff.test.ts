// `ztaudit diff --last` walks back over partial runs to the last run that evaluated each check
// (src/diff/baseline.ts). It must hold one run at a time, not every run it read: each run it
// passes over is closed (its findings' temp file) before the next one is read, and only the
// runs the baseline takes from stay readable until the diff is printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { RunReport, StoredRunRead } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const base = [ns('shop'), netpol('shop'), deployment('shop', 'api', true), clusterRole('legacy', ['*'])];
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-diff-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-11-20T02:00:00Z');
async function audit(db: string, objects: KubeObject[], coverage: Record<string, 'forbidden'> = {}): Promise<RunReport> {
  const store = await openRunStore(db);
  try {
    return (await runPipeline(defaultConfig(), FAKE_CHECKS, {
      collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
      store,
      diff: diffStep(defaultConfig().regression),
      render: async () => [],
      notifiers: [],
      log: quiet,
      now: () => new Date((clock += 3_600_000)),
    })).report;
  } finally {
    await store.close();
  }
}

/** Whether a run's findings can still read their message (a closed temp file throws). */
function readable(run: RunReport): boolean {
  try {
    return typeof run.findings[0].message === 'string';
  } catch {
    return false;
  }
}

describe('diff --last over a stretch of partial runs', () => {
  it('closes each run it passes over before reading the next, and keeps only the baseline\'s runs open until it is done', async () => {
    const db = join(dir, 'h.db');
    const full = await audit(db, base);
    const partial = [];
    for (let i = 0; i < 4; i++) partial.push(await audit(db, base, { clusterroles: 'forbidden' }));
    const last = await audit(db, base);
    const store = await openRunStore(db, { readOnly: true });
    try {
      const walked: RunReport[] = [];
      const openWhenNextRead: string[][] = [];
      // A store that reads every run (as one that cannot judge a run by its summary does): the walk
      // itself must let go of the runs it passes over.
      const everyRun = {
        describe: () => store.describe(),
        latest: (cluster?: string) => store.latest(cluster),
        async *runsNewestFirst(cluster?: string, read?: StoredRunRead) {
          for await (const run of store.runsNewestFirst(cluster, { ...read, wants: undefined })) {
            openWhenNextRead.push(walked.filter(readable).map((r) => r.run.id));
            walked.push(run);
            yield run;
          }
        },
      };
      const { current, previous, olderRuns, close } = await lastAndBaseline(everyRun);
      expect(current.run.id).toBe(last.run.id);
      expect(previous.run.id).toBe(partial[3].run.id);
      expect(olderRuns).toEqual({ 'rbac.fake-wildcard': full.run.id });
      expect(walked.map((r) => r.run.id)).toEqual([last.run.id, ...partial.map((r) => r.run.id).reverse(), full.run.id]);
      // The store's copy of the latest run is closed at once; of the partial runs only the newest
      // (the baseline's "previous run") stays open while older ones are read.
      expect(openWhenNextRead).toEqual([[], [], [partial[3].run.id], [partial[3].run.id], [partial[3].run.id], [partial[3].run.id]]);
      expect(walked.filter(readable).map((r) => r.run.id)).toEqual([partial[3].run.id, full.run.id]);
      close();
      expect(walked.filter(readable)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

// Retention must not evict what the newest run was diffed against: `diff --last` compares that
// run with the same runs again ("as the run itself was diffed"), so the run that alerted on a
// backdoor still shows it as new after the save that applied retention. README: "Retention
// never evicts the run a check is compared with".
describe('diff --last after retention', () => {
  const backdoor = clusterRole('backdoor', ['*']);
  const clean = base.filter((o) => o.metadata?.name !== 'legacy');
  const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
  const backdoorFp = fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'backdoor' });

  async function retained(db: string, retention: { maxRuns: number; maxAgeDays: number }, objects: KubeObject[], coverage: Record<string, 'error'> = {}, jumpDays = 0): Promise<RunReport> {
    clock += jumpDays * 86_400_000;
    const store = await openRunStore(db, { retention, now: () => new Date(clock) });
    try {
      return (await runPipeline(defaultConfig(), FAKE_CHECKS, {
        collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
        store,
        diff: diffStep(rules),
        render: async () => [],
        notifiers: [],
        log: quiet,
        now: () => new Date((clock += 3_600_000)),
      })).report;
    } finally {
      await store.close();
    }
  }

  async function diffLast(db: string) {
    const store = await openRunStore(db, { readOnly: true });
    try {
      const { current, previous, olderRuns, close } = await lastAndBaseline(store);
      try {
        return { current, olderRuns, diff: diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns }), stored: (await store.list(10)).map((r) => r.id) };
      } finally {
        close();
      }
    } finally {
      await store.close();
    }
  }

  for (const [name, retention, jumpDays] of [['maxRuns', { maxRuns: 2, maxAgeDays: 0 }, 0], ['maxAgeDays', { maxRuns: 0, maxAgeDays: 10 }, 20]] as const) {
    it(`the run that alerted still shows its new findings (${name})`, async () => {
      const db = join(dir, 'h.db');
      const full = await retained(db, retention, clean);
      const partial = [];
      for (let i = 0; i < 3; i++) partial.push(await retained(db, retention, [...clean, backdoor], { clusterroles: 'error' }));
      const alerted = await retained(db, retention, [...clean, backdoor], {}, jumpDays);
      expect(alerted.diff?.new).toEqual([backdoorFp]);
      expect(alerted.diff?.regression).toBe(true);
      expect(alerted.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': full.run.id });

      const last = await diffLast(db);
      expect(last.current.run.id).toBe(alerted.run.id);
      expect(last.olderRuns).toEqual({ 'rbac.fake-wildcard': full.run.id });
      expect(last.diff.new).toEqual([backdoorFp]);
      expect(last.diff.regression).toBe(true);
      expect(last.stored).toContain(full.run.id);

      // Once a later run is stored, the old run goes by the usual rules.
      await retained(db, retention, [...clean, backdoor]);
      expect((await diffLast(db)).stored).not.toContain(full.run.id);
    });
  }
});
