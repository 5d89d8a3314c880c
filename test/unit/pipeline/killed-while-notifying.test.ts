// serve stores a run, then notifies it, then records the outcomes into the stored run. A process
// killed in between (SIGKILL, OOM) never records them: the run must have been stored with its
// channels pending, so the next process carries the regression alert instead of losing it.
// The kill is simulated by taking the store's persisted state at the instant the notifier is
// called (the run stored, nothing recorded) and running the next process on that state.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { NotificationOutcome, RunReport } from '../../../src/run/types.ts';
import { pendingOutcome } from '../../../src/run/undelivered.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { makeReport } from '../history/big-report.ts';
import { FakeConfigMaps } from '../history/fake-core-api.ts';

const REASON = 'new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor';
const dayOf = (day: number) => new Date(`2026-12-0${day}T02:00:00Z`);

interface Backend {
  /** A process's store, its clock at `day`. */
  open(day: number): Promise<RunStore>;
  /** What a process killed at this instant leaves: a function opening that state as a new process would. */
  killedNow(): (day: number) => Promise<RunStore>;
}

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function sqlite(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-killed-'));
  dirs.push(dir);
  const file = join(dir, 'live', 'history.db');
  const openAt = (path: string) => (day: number) => openRunStore(path, { now: () => dayOf(day) });
  return {
    open: openAt(file),
    killedNow() {
      // The database and its write-ahead log as on disk (the lock file is the dead process's, gone with it).
      const copy = join(dir, `killed-${Date.now()}`, 'history.db');
      mkdirSync(join(copy, '..'), { recursive: true });
      for (const suffix of ['', '-wal']) if (existsSync(file + suffix)) copyFileSync(file + suffix, copy + suffix);
      return openAt(copy);
    },
  };
}

function k8s(): Backend {
  const live = new FakeConfigMaps();
  const openOn = (fake: FakeConfigMaps) => (day: number) => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => dayOf(day) });
  return {
    open: openOn(live),
    killedNow() {
      // The objects as the apiserver holds them; the dead holder's lease has run out by the next day.
      const after = new FakeConfigMaps();
      for (const [key, cm] of live.objects) after.objects.set(key, structuredClone(cm));
      return openOn(after);
    },
  };
}

/** One serve-style run (stored, then notified, then its outcomes recorded) on `store`. */
async function serveRun(store: RunStore, id: string, day: number, regression: boolean, send: () => NotificationOutcome): Promise<RunReport> {
  const edges: PipelineEdges = {
    collect: async () => ({}) as Snapshot,
    audit: () => ({ report: makeReport(id, dayOf(day).toISOString(), { findings: 3 }), expiredWaivers: [] }),
    store,
    diff: (previous, current) => ({
      ...diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [] }), regression, regressionReasons: regression ? [REASON] : [],
    }),
    render: async () => [],
    notifiers: [{ name: 'slack', send: async () => send() }],
    notifyBeforeStore: false,
    log: { info: () => {}, warn: () => {}, progress: () => {} },
    now: () => dayOf(day),
  };
  return (await runPipeline(defaultConfig(), [], edges)).report;
}

describe.each([['SQLite', sqlite], ['k8s://', k8s]] as const)('serve killed while notifying a regression (%s store)', (_name, backend) => {
  it('the next process carries the alert: the run was stored with its channel pending', async () => {
    const b = backend();
    const first = await b.open(1);
    let afterKill: ((day: number) => Promise<RunStore>) | null = null;
    try {
      await serveRun(first, 'A', 1, false, () => ({ channel: 'slack', status: 'skipped', detail: 'no regression' }));
      // Killed while Slack was being called for run B: B is stored, its outcome never recorded.
      await serveRun(first, 'B', 2, true, () => {
        afterKill = b.killedNow();
        return { channel: 'slack', status: 'sent' }; // never recorded: the process is gone
      });
    } finally {
      await first.close();
    }
    const second = await afterKill!(3);
    try {
      expect((await second.get('B'))?.notifications).toEqual([pendingOutcome('slack')]);
      const c = await serveRun(second, 'C', 3, false, () => ({ channel: 'slack', status: 'sent' }));
      expect(c.diff?.previousRunId).toBe('B');
      expect(c.diff?.regression).toBe(false);
      expect(c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
      // Recorded once notified, the outcome replaces the pending one: the run after C carries nothing.
      expect((await second.get('C'))?.notifications).toEqual([{ channel: 'slack', status: 'sent' }]);
      const d = await serveRun(second, 'D', 4, false, () => ({ channel: 'slack', status: 'sent' }));
      expect(d.diff?.undelivered).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});
