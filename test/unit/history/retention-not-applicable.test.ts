// A check switched off in config, then unreadable, then back on: the run that turns it back on
// compares it with the run that had it off (nothing), so everything it finds is new and it
// alerts (README: "A check that no stored run evaluated but one found not applicable ... is
// compared with nothing: all its findings are new"). Retention must keep that run for as long
// as `diff --last` compares the alerting run again (README: "Retention never evicts the run a
// check is compared with, nor one the newest run was diffed against"): evicted, the later diff
// finds no baseline for the check and says "no regression" where the alert said otherwise.
// Real stores: a SQLite file and the k8s:// store (ConfigMaps, over an in-memory API).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import { baselineRunIds, type RunStore } from '../../../src/history/run-store.ts';
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

const switchedOff = (): Config => ({ ...defaultConfig(), checks: { [WILDCARD]: { enabled: false } } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-retention-'));
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

describe.each(stores)('retention after a check was switched off, then unreadable, then on again (%s)', (_name, makeStore) => {
  async function audit(open: () => Promise<RunStore>, config: Config, coverage: Record<string, 'error'> = {}): Promise<RunReport> {
    const store = await open();
    try {
      return (await runPipeline(config, FAKE_CHECKS, {
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
        return { current, diff: diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns, notApplicableRuns }), stored: (await store.list(10)).map((r) => r.id) };
      } finally {
        close();
      }
    } finally {
      await store.close();
    }
  }

  it('diff --last still shows what the run that turned it back on alerted on', async () => {
    const open = makeStore();
    const off = await audit(open, switchedOff());
    expect(off.checks.find((c) => c.id === WILDCARD)?.status).toBe('not-applicable');
    const unreadable = await audit(open, defaultConfig(), { clusterroles: 'error' });
    expect(unreadable.checks.find((c) => c.id === WILDCARD)?.status).toBe('not-evaluated');
    const alerted = await audit(open, defaultConfig());
    expect(alerted.diff?.previousRunId).toBe(unreadable.run.id);
    expect(alerted.diff?.firstEvaluated).toEqual([WILDCARD]);
    expect(alerted.diff?.new).toEqual([backdoorFp]);
    expect(alerted.diff?.regression).toBe(true);
    // The stored diff names the run whose "off" it was compared with, so retention keeps it.
    expect(alerted.diff?.notApplicableBaselines).toEqual({ [WILDCARD]: off.run.id });

    const last = await diffLast(open);
    expect(last.current.run.id).toBe(alerted.run.id);
    expect(last.stored).toEqual([alerted.run.id, unreadable.run.id, off.run.id]);
    expect(last.diff.firstEvaluated).toEqual([WILDCARD]);
    expect(last.diff.notComparable).toEqual([]);
    expect(last.diff.new).toEqual(alerted.diff?.new);
    expect(last.diff.regression).toBe(true);
    expect(last.diff.regressionReasons).toEqual(alerted.diff?.regressionReasons);

    // Once a later run is stored, the old run goes by the usual rules.
    const next = await audit(open, defaultConfig());
    expect(next.diff?.new).toEqual([]);
    expect((await diffLast(open)).stored).toEqual([next.run.id, alerted.run.id]);
  });

  it('the run that turns it back on after more unreadable runs than maxRuns still alerts on what it finds', async () => {
    const open = makeStore();
    const off = await audit(open, switchedOff());
    for (let i = 0; i < 3; i++) await audit(open, defaultConfig(), { clusterroles: 'error' });
    const alerted = await audit(open, defaultConfig());
    expect(alerted.diff?.notComparable).toEqual([]);
    expect(alerted.diff?.firstEvaluated).toEqual([WILDCARD]);
    expect(alerted.diff?.notApplicableBaselines).toEqual({ [WILDCARD]: off.run.id });
    expect(alerted.diff?.new).toEqual([backdoorFp]);
    expect(alerted.diff?.regression).toBe(true);
    expect((await diffLast(open)).diff.new).toEqual([backdoorFp]);
  });
});

// What retention reads of each run is its stored summary (blind, notApplicable), newest first.
describe('baselineRunIds and checks switched off', () => {
  const C = WILDCARD;
  it('keeps the newest older run that had a check off while the newest could not evaluate it, not older ones', () => {
    expect(baselineRunIds([
      { id: 'newest', blind: [C], notApplicable: [] },
      { id: 'unreadable', blind: [C], notApplicable: [] },
      { id: 'off', blind: [C], notApplicable: [C] },
      { id: 'off-before', blind: [C], notApplicable: [C] },
    ])).toEqual(new Set(['newest', 'off']));
  });

  it('keeps none when the newest run had it off too (the next diff compares with the newest)', () => {
    expect(baselineRunIds([
      { id: 'newest', blind: [C], notApplicable: [C] },
      { id: 'off', blind: [C], notApplicable: [C] },
    ])).toEqual(new Set(['newest']));
  });

  it('reads summaries stored before notApplicable existed as naming no check off', () => {
    expect(baselineRunIds([{ id: 'newest', blind: [C] }, { id: 'older', blind: [C] }, { id: 'full' }])).toEqual(new Set(['newest', 'full']));
  });
});
