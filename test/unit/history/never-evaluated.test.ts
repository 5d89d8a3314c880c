// A check every stored run was blind to (a first run without a permission granted later, a
// stretch of runs that could not read a kind since the history began) is compared with
// nothing when it is evaluated at last: what it finds is new and a regression, not folded
// silently into the baseline (README: "leaves no blind spot … Only a check that no stored run
// had at all (added by a newer version) is listed as not comparable"). Every store gives the
// same answer, in the run and in `diff --last`, however many blind runs retention kept or
// evicted before it. Real stores: a SQLite file and the k8s:// store (ConfigMaps, over an
// in-memory API); PostgreSQL in test/postgres/store.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const WILDCARD = 'rbac.fake-wildcard';
const objects: KubeObject[] = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('backdoor', ['*'])];
const backdoorFp = fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'backdoor' });
const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
const retention = { maxRuns: 2, maxAgeDays: 0 };
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-never-evaluated-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-11-20T02:00:00Z');

const stores: Array<[string, () => () => Promise<RunStore>]> = [
  ['SQLite', () => {
    const db = join(dir, 'h.db');
    return () => openRunStore(db, { retention });
  }],
  ['k8s://', () => {
    const fake = new FakeConfigMaps();
    return () => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention, now: () => new Date(clock) });
  }],
];

describe.each(stores)('a check no stored run could evaluate, evaluated at last (%s)', (_name, makeStore) => {
  async function audit(open: () => Promise<RunStore>, coverage: Record<string, 'error' | 'forbidden'> = {}): Promise<RunReport> {
    const store = await open();
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

  async function diffLast(open: () => Promise<RunStore>) {
    const store = await open();
    try {
      const { current, previous, olderRuns, notApplicableRuns, close } = await lastAndBaseline(store);
      try {
        return { current, diff: diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns, notApplicableRuns }) };
      } finally {
        close();
      }
    } finally {
      await store.close();
    }
  }

  it('its findings are new and a regression, in the run and in diff --last, after more blind runs than maxRuns; once', async () => {
    const open = makeStore();
    const first = await audit(open, { clusterroles: 'forbidden' });
    expect(first.checks.find((c) => c.id === WILDCARD)?.status).toBe('not-evaluated');
    let blind = first;
    for (let i = 0; i < 3; i++) blind = await audit(open, { clusterroles: 'error' });
    const alerted = await audit(open);
    expect(alerted.diff?.previousRunId).toBe(blind.run.id);
    expect(alerted.diff?.new).toEqual([backdoorFp]);
    expect(alerted.diff?.firstEvaluated).toEqual([WILDCARD]);
    expect(alerted.diff?.notComparable).toEqual([]);
    expect(alerted.diff?.partial).toBe(false);
    expect(alerted.diff?.regression).toBe(true);
    expect(alerted.diff?.regressionReasons).toEqual(['new medium finding: rbac.fake-wildcard on ClusterRole backdoor']);
    // Compared with the previous run's blindness: no older run to keep for it.
    expect(alerted.diff?.notApplicableBaselines).toBeUndefined();

    const last = await diffLast(open);
    expect(last.current.run.id).toBe(alerted.run.id);
    expect(last.diff.new).toEqual([backdoorFp]);
    expect(last.diff.firstEvaluated).toEqual([WILDCARD]);
    expect(last.diff.regressionReasons).toEqual(alerted.diff?.regressionReasons);

    const next = await audit(open);
    expect(next.diff?.new).toEqual([]);
    expect(next.diff?.persisting).toBe(1);
    expect(next.diff?.firstEvaluated).toBeUndefined();
  });
});
