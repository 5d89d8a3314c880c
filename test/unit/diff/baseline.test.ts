// The per-check baseline (no blind spot after a partial run) through the real pipeline and a
// real SQLite store: run 1 full, run 2 cannot read one kind, something bad appears, run 3 is
// full again and must call it new and a regression — and run 4 must not repeat it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiff } from '../../../src/cli/diff.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { BREADTH_WALK, findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { runCounts } from '../../../src/report/counts.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { emptyMetricsState, lastEvaluated, renderMetrics } from '../../../src/schedule/metrics.ts';
import { parseExposition } from '../schedule/exposition.ts';
import { buildView } from '../../../src/report/view/index.ts';
import type { RunReport, StoredRunRead } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { FAKE_CHECKS, auditObjects, clusterRole, deployment, netpol, ns, snapshotOf } from './fake-checks.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const base = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('reader', ['get'])];
const backdoor = clusterRole('backdoor', ['*']);
const backdoorFp = fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'backdoor' });
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
let store: RunStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-baseline-'));
  store = await openRunStore(join(dir, 'h.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let clock = Date.parse('2026-11-20T02:00:00Z');
async function run(objects: KubeObject[], coverage: Record<string, 'forbidden' | 'error'> = {}, config = defaultConfig()): Promise<RunReport> {
  return (await runPipeline(config, FAKE_CHECKS, edgesOf(objects, coverage))).report;
}
function edgesOf(objects: KubeObject[] = [...base, backdoor], coverage: Record<string, 'forbidden' | 'error'> = {}): PipelineEdges {
  return {
    collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
    store,
    diff: diffStep({ ...defaultConfig().regression, newFindingSeverity: 'medium' }),
    render: async () => [],
    notifiers: [],
    log: quiet,
    now: () => new Date((clock += 3_600_000)),
  };
}
const wildcardOff = () => ({ ...defaultConfig(), checks: { 'rbac.fake-wildcard': { enabled: false } } });

describe('per-check baseline through the pipeline and a SQLite store', () => {
  it('a finding that appeared while its kind could not be read is new (and a regression) in the next full run, once', async () => {
    const r1 = await run(base);
    const r2 = await run([...base, backdoor], { clusterroles: 'forbidden' });
    expect(r2.checks.find((c) => c.id === 'rbac.fake-wildcard')?.status).toBe('not-evaluated');
    expect(r2.diff?.new).toEqual([]);
    expect(r2.diff?.regressionReasons).toEqual(['coverage lost: 1 check(s) the previous run evaluated could not be evaluated: rbac.fake-wildcard (needs clusterroles: forbidden (list clusterroles))']);
    const r3 = await run([...base, backdoor]);
    expect(r3.diff?.previousRunId).toBe(r2.run.id);
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.regression).toBe(true);
    // And, as a diff of r1 and r3 would, the rbac score's drop since r1 (its checks as last evaluated).
    expect(r3.diff?.regressionReasons).toEqual(['new medium finding: rbac.fake-wildcard on ClusterRole backdoor', `rbac score dropped 50 points (100 → 50) since run ${r1.run.id} (run ${r2.run.id} did not evaluate some of its checks: each compared with the last run that did)`]);
    expect(r3.diff?.notComparable).toEqual([]);
    expect(r3.diff?.partial).toBe(false);
    expect(r3.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    // The rbac area's previous score lacked that check: no delta rather than a misleading one.
    expect(r3.diff?.scoreDelta.areas.rbac).toBeNull();
    expect(r3.diff?.scoreDelta.areas.network).toBe(0);
    const r4 = await run([...base, backdoor]);
    expect(r4.diff?.new).toEqual([]);
    expect(r4.diff?.persisting).toBe(1);
    expect(r4.diff?.olderBaselines).toBeUndefined();
  });

  it('walks back over several partial runs, and resolves only what is really gone', async () => {
    await run([...base, backdoor]);
    const r1 = await run([...base, backdoor, clusterRole('legacy', ['*'])]);
    const r2 = await run(base, { clusterroles: 'error' });
    expect(r2.diff?.regression).toBe(true);
    // Still blind: no second alert for the same loss.
    const r3 = await run(base, { clusterroles: 'forbidden' });
    expect(r3.diff?.regression).toBe(false);
    const r4 = await run([...base, backdoor]);
    expect(r4.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    expect(r4.diff?.new).toEqual([]);
    expect(r4.diff?.resolved).toEqual([fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'legacy' })]);
    expect(r4.diff?.persisting).toBe(1);
  });

  it('the report lists a finding resolved against an older run with its check and resource, not "details are in the previous run"', async () => {
    const legacy = clusterRole('legacy', ['*']);
    const r1 = await run([...base, legacy]);
    await run([...base, legacy], { clusterroles: 'forbidden' });
    let previous: RunReport | null = null;
    const edges = { ...edgesOf(base), render: async (_: RunReport, extras: { previous: RunReport | null }) => { previous = extras.previous; return []; } };
    const r3 = (await runPipeline(defaultConfig(), FAKE_CHECKS, edges)).report;
    const legacyFp = fingerprintOf('rbac.fake-wildcard', { kind: 'ClusterRole', name: 'legacy' });
    expect(r3.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    expect(r3.diff?.resolved).toEqual([legacyFp]);
    const rows = buildView(r3, { previous }).changes.resolvedRows;
    expect(rows).toEqual([expect.objectContaining({ fingerprint: legacyFp, check: 'rbac.fake-wildcard', resource: 'ClusterRole legacy', severity: expect.stringMatching(/./) })]);
    expect(rows[0].message).not.toBe('');
  });

  it('a finding that appeared while its check was switched off is new (and a regression) when it is on again', async () => {
    const r1 = await run(base);
    const r2 = await run([...base, backdoor], {}, wildcardOff());
    expect(r2.checks.find((c) => c.id === 'rbac.fake-wildcard')?.status).toBe('not-applicable');
    const r3 = await run([...base, backdoor]);
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.regressionReasons).toEqual(['new medium finding: rbac.fake-wildcard on ClusterRole backdoor', `rbac score dropped 50 points (100 → 50) since run ${r1.run.id} (run ${r2.run.id} did not evaluate some of its checks: each compared with the last run that did)`]);
    expect(r3.diff?.notComparable).toEqual([]);
    expect(r3.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    expect(r3.diff?.scoreDelta.areas.rbac).toBeNull();
  });

  it('a check switched off since the first run has all its findings new when it is switched on', async () => {
    await run([...base, backdoor], {}, wildcardOff());
    await run([...base, backdoor], { clusterroles: 'forbidden' }, wildcardOff());
    const r3 = await run([...base, backdoor]);
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.regression).toBe(true);
    expect(r3.diff?.firstEvaluated).toEqual(['rbac.fake-wildcard']);
    expect(r3.diff?.notComparable).toEqual([]);
    expect(r3.diff?.scoreDelta.areas.rbac).toBeNull();
    const r4 = await run([...base, backdoor]);
    expect(r4.diff?.new).toEqual([]);
    expect(r4.diff?.firstEvaluated).toBeUndefined();
  });

  it('a check not applicable in an older run and blind in the latest is compared with nothing: its findings are new', async () => {
    await run([...base, backdoor], {}, wildcardOff());
    await run([...base, backdoor], { clusterroles: 'forbidden' });
    const r3 = await run([...base, backdoor]);
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.firstEvaluated).toEqual(['rbac.fake-wildcard']);
  });

  it('retention keeps the last run that evaluated a check switched off since', async () => {
    await store.close();
    store = await openRunStore(join(dir, 'h.db'), { retention: { maxRuns: 1, maxAgeDays: 0 } });
    const r1 = await run(base);
    await run([...base, backdoor], {}, wildcardOff());
    await run([...base, backdoor], {}, wildcardOff());
    const r4 = await run([...base, backdoor]);
    expect(r4.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    expect(r4.diff?.new).toEqual([backdoorFp]);
  });

  it('a finding that appeared after more than 1000 partial runs is new (and a regression), the partial runs passed over unread', async () => {
    await store.close();
    store = await openRunStore(join(dir, 'h.db'), { retention: { maxRuns: 5000, maxAgeDays: 0 } });
    const r1 = await run(base);
    const partial = await run(base, { clusterroles: 'forbidden' });
    // A long serve --watch stretch without clusterroles, seeded in one transaction: a thousand
    // copies of the partial run's row under their own ids (the walk passes them over by their
    // summaries, never reading a report), then the newest stored through the store as a run is.
    // Stored one by one they took 10-24 s, each save's retention walking every row before it.
    const db = new DatabaseSync(join(dir, 'h.db'), { timeout: 15_000 });
    try {
      db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
                  INSERT INTO runs (id, started_at, cluster, summary, report)
                  SELECT r.id || '-' || n.i, r.started_at, r.cluster, json_set(r.summary, '$.id', r.id || '-' || n.i), r.report
                  FROM runs r, n WHERE r.id = ? ORDER BY n.i`).run(partial.run.id);
    } finally {
      db.close();
    }
    expect(await store.list(Number.MAX_SAFE_INTEGER)).toHaveLength(1002);
    await store.save({ ...partial, run: { ...partial.run, id: `${partial.run.id}-1000` }, diff: null });
    const read: string[] = [];
    const counting = { ...store, describe: () => store.describe(), acquire: (c?: string) => store.acquire(c), release: () => store.release(),
      save: store.save.bind(store), recordNotifications: store.recordNotifications.bind(store), trend: store.trend.bind(store),
      async *runsNewestFirst(cluster?: string, how?: StoredRunRead) {
        for await (const r of store.runsNewestFirst(cluster, how)) { read.push(r.run.id); yield r; }
      } };
    const r3 = (await runPipeline(defaultConfig(), FAKE_CHECKS, { ...edgesOf(), store: counting })).report;
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.regression).toBe(true);
    expect(r3.diff?.olderBaselines).toEqual({ 'rbac.fake-wildcard': r1.run.id });
    expect(read).toEqual([`${partial.run.id}-1000`, r1.run.id]);
  });

  // README: an expired waiver's findings count again, and missing data is not a fix: a run that
  // cannot evaluate the check still carries the finding, as open once its stored waiver has expired.
  it('a carried finding whose waiver has expired since counts as open in a partial run', async () => {
    const waiver = { check: 'rbac.fake-wildcard', resource: { kind: 'ClusterRole', name: 'backdoor' }, reason: 'break-glass', owner: 'sre@example.com', expires: '2026-11-21' };
    const config = { ...defaultConfig(), waivers: [waiver] };
    clock = Date.parse('2026-11-21T00:00:00Z');
    const r1 = await run([...base, backdoor], {}, config);
    expect(r1.findings.find((f) => f.fingerprint === backdoorFp)?.waived).toBe(true);
    const carriedOf = (r: RunReport) => r.run.lastEvaluatedOpen?.find((e) => e.check === 'rbac.fake-wildcard');
    // Still within the waiver's day (UTC): waived, nothing carried open (named for report.sarif's suppressed result).
    clock = Date.parse('2026-11-21T22:00:00Z');
    expect(carriedOf(await run([...base, backdoor], { clusterroles: 'forbidden' }, config))).toEqual({ check: 'rbac.fake-wildcard', runId: r1.run.id, open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 1, waivedBySeverity: { critical: 0, high: 0, medium: 1, low: 0 } });
    // The day after: the finding of the run that last evaluated the check counts again.
    clock = Date.parse('2026-11-22T00:30:00Z');
    const r3 = await run([...base, backdoor], { clusterroles: 'forbidden' }, config);
    expect(carriedOf(r3)).toMatchObject({ runId: r1.run.id, open: { medium: 1 } });
  });

  // README (Configuration): a waiver is today's config; missing data is not a fix. The findings a
  // partial run carries are waived or open by its own config, as the findings it evaluated are:
  // in its report.json counts, in /metrics (a daemon that saw the full run, and one started
  // after it) and in the fleet report, alike.
  describe("carried findings are waived by the partial run's config, not by the waiver stored with them", () => {
    const waiver = { check: 'rbac.fake-wildcard', resource: { kind: 'ClusterRole', name: 'backdoor' }, reason: 'break-glass', owner: 'sre@example.com', expires: '2027-06-30' };
    const withWaivers = (...waivers: Array<typeof waiver>) => ({ ...defaultConfig(), waivers });
    const carriedOf = (r: RunReport) => r.run.lastEvaluatedOpen?.find((e) => e.check === 'rbac.fake-wildcard');
    /** The carried finding as /metrics counts it in a daemon that saw `r1`, and in one started after it (which knows only what is open). */
    const metricsOf = (r1: RunReport, r2: RunReport) => [lastEvaluated(lastEvaluated(undefined, r1), r2), lastEvaluated(undefined, r2)].map((memory) => {
      const state = { ...emptyMetricsState(), latest: r2, lastEvaluated: memory };
      const f = parseExposition(renderMetrics(state));
      const at = (name: string) => f.get(name)!.samples.find((x) => x.labels.area === 'rbac' && x.labels.severity === 'medium')!.value;
      return `${at('ztaudit_findings')} open, ${at('ztaudit_findings_waived')} waived`;
    });
    /** The findings the fleet report carries into the cluster's latest run, by severity. */
    const fleetOf = async () => (await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: new Date(clock) })).clusters[0].carried?.[0]?.findings.medium ?? 0;

    it('a waiver removed from the config: the carried finding counts as open', async () => {
      clock = Date.parse('2026-11-23T00:00:00Z');
      const r1 = await run([...base, backdoor], {}, withWaivers(waiver));
      expect(r1.findings.find((f) => f.fingerprint === backdoorFp)?.waived).toBe(true);
      const r2 = await run([...base, backdoor], { clusterroles: 'forbidden' }, withWaivers());
      expect(carriedOf(r2)).toMatchObject({ runId: r1.run.id, open: { medium: 1 } });
      expect(runCounts(r2).carried).toEqual({ open: 1, bySeverity: { critical: 0, high: 0, medium: 1, low: 0 }, checks: 1, runIds: [r1.run.id] });
      expect(metricsOf(r1, r2)).toEqual(['1 open, 0 waived', '1 open, 0 waived']);
      expect(await fleetOf()).toBe(1);
    });

    it('a waiver added to the config: the carried finding counts as waived, not open', async () => {
      clock = Date.parse('2026-11-24T00:00:00Z');
      const r1 = await run([...base, backdoor], {}, withWaivers());
      expect(r1.findings.find((f) => f.fingerprint === backdoorFp)?.waived).toBe(false);
      const r2 = await run([...base, backdoor], { clusterroles: 'forbidden' }, withWaivers(waiver));
      // None open; the waived one named for report.sarif's suppressed result.
      expect(carriedOf(r2)).toEqual({ check: 'rbac.fake-wildcard', runId: r1.run.id, open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 1, waivedBySeverity: { critical: 0, high: 0, medium: 1, low: 0 } });
      expect(runCounts(r2).carried).toBeNull();
      expect(r2.waivers).toMatchObject([{ state: 'not-evaluated' }]);
      // A daemon's config is the same for all its runs: one with this config was started after r1,
      // and counts the waived one as r2 states it (ztaudit_findings_waived, "carried the same way").
      expect(metricsOf(r1, r2)[1]).toBe('0 open, 1 waived');
      expect(await fleetOf()).toBe(0);
    });

    it('a waiver the config now ends earlier (passed): the run says it expired and counts the carried finding as open', async () => {
      clock = Date.parse('2026-11-25T00:00:00Z');
      const r1 = await run([...base, backdoor], {}, withWaivers(waiver));
      expect(r1.findings.find((f) => f.fingerprint === backdoorFp)?.waiver?.expires).toBe('2027-06-30');
      const r2 = await run([...base, backdoor], { clusterroles: 'forbidden' }, withWaivers({ ...waiver, expires: '2026-11-24' }));
      expect(r2.waivers).toMatchObject([{ state: 'expired', expires: '2026-11-24' }]);
      expect(carriedOf(r2)).toMatchObject({ runId: r1.run.id, open: { medium: 1 } });
      expect(runCounts(r2).carried?.open).toBe(1);
      expect(metricsOf(r1, r2)).toEqual(['1 open, 0 waived', '1 open, 0 waived']);
      expect(await fleetOf()).toBe(1);
    });
  });

  it('a partial run after a partial run stored without lastEvaluatedOpen (an older version) still carries the findings', async () => {
    const r1 = await run([...base, backdoor]);
    const save = store.save.bind(store);
    store.save = (r, written, options) => save({ ...r, run: { ...r.run, lastEvaluatedOpen: undefined } }, written, options);
    const r2 = await run([...base, backdoor], { clusterroles: 'forbidden' });
    store.save = save;
    const r3 = await run([...base, backdoor], { clusterroles: 'forbidden' });
    expect(r2.run.lastEvaluatedOpen).toEqual(r3.run.lastEvaluatedOpen);
    expect(r3.run.lastEvaluatedOpen).toEqual([{ check: 'rbac.fake-wildcard', runId: r1.run.id, open: expect.objectContaining({ medium: 1 }) }]);
  });

  // README: "leaves no blind spot … Only a check that no stored run had at all (added by a
  // newer version) is listed as not comparable". Every stored run had this one, blind.
  it('a check every stored run was blind to is compared with nothing: what appeared meanwhile is new (and a regression)', async () => {
    await run(base, { clusterroles: 'forbidden' });
    await run([...base, backdoor], { clusterroles: 'forbidden' });
    const r3 = await run([...base, backdoor]);
    expect(r3.diff?.new).toEqual([backdoorFp]);
    expect(r3.diff?.regressionReasons).toEqual(['new medium finding: rbac.fake-wildcard on ClusterRole backdoor']);
    expect(r3.diff?.firstEvaluated).toEqual(['rbac.fake-wildcard']);
    expect(r3.diff?.notComparable).toEqual([]);
    expect(r3.diff?.partial).toBe(false);
    expect(r3.diff?.scoreDelta.areas.rbac).toBeNull();
    const r4 = await run([...base, backdoor]);
    expect(r4.diff?.new).toEqual([]);
    expect(r4.diff?.firstEvaluated).toBeUndefined();
  });
});

describe('findBaseline', () => {
  async function* newestFirst(runs: RunReport[], read: string[]): AsyncIterable<RunReport> {
    for (const r of [...runs].reverse()) {
      read.push(r.run.id);
      yield r;
    }
  }

  it('reads only the newest run when it evaluated every check, and returns it unchanged', async () => {
    const runs = [auditObjects(base, { runId: 'a' }).report, auditObjects(base, { runId: 'b' }).report];
    const read: string[] = [];
    const b = await findBaseline(newestFirst(runs, read), auditObjects(base, { runId: 'c' }).report);
    expect(read).toEqual(['b']);
    expect(b?.report).toBe(runs[1]);
    expect(b?.olderRuns).toEqual({});
  });

  it('stops at a run that did not have the check (older runs cannot know better)', async () => {
    const withoutCheck = auditObjects(base, { runId: 'a', config: { ...defaultConfig(), checks: { 'rbac.fake-wildcard': { enabled: false } } } }).report;
    withoutCheck.checks = withoutCheck.checks.filter((c) => c.id !== 'rbac.fake-wildcard');
    const runs = [auditObjects([...base, backdoor], { runId: 'z' }).report, withoutCheck, auditObjects(base, { runId: 'b', coverage: { clusterroles: 'forbidden' } }).report];
    const read: string[] = [];
    const current = auditObjects([...base, backdoor], { runId: 'c' }).report;
    const b = await findBaseline(newestFirst(runs, read), current);
    expect(read).toEqual(['b', 'a']);
    expect(b?.olderRuns).toEqual({});
    // Blind since a run that did not have it (a catalog addition, then a partial run): not
    // comparable, as it is with `a` as the latest run — not compared with nothing, its findings
    // were there before the upgrade, not news.
    expect(b?.notApplicableRuns).toEqual({});
    const diff = diffRuns(b!.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b!.olderRuns, notApplicableRuns: b!.notApplicableRuns });
    expect(diff.firstEvaluated).toBeUndefined();
    expect(diff.notComparable).toEqual(['rbac.fake-wildcard']);
    expect(diff.new).toEqual([]);
    expect(diff.notApplicableBaselines).toBeUndefined();
  });

  it('a check the latest run did not have at all (a catalog addition) stays not comparable', async () => {
    const withoutCheck = auditObjects(base, { runId: 'b' }).report;
    withoutCheck.checks = withoutCheck.checks.filter((c) => c.id !== 'rbac.fake-wildcard');
    const blind = auditObjects(base, { runId: 'a', coverage: { clusterroles: 'forbidden' } }).report;
    const current = auditObjects([...base, backdoor], { runId: 'c' }).report;
    const b = await findBaseline(newestFirst([blind, withoutCheck], []), current);
    expect(b?.notApplicableRuns).toEqual({});
    const diff = diffRuns(b!.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b!.olderRuns, notApplicableRuns: b!.notApplicableRuns });
    expect(diff.notComparable).toEqual(['rbac.fake-wildcard']);
    expect(diff.new).toEqual([]);
  });

  it('takes the RBAC breadth from the newest run that had it', async () => {
    const breadth = [{ subject: { kind: 'User', name: 'alice' }, breadth: 10 }];
    const runs = [
      auditObjects(base, { runId: 'a', breadth }).report,
      auditObjects(base, { runId: 'b', coverage: { clusterroles: 'forbidden' } }).report,
    ];
    const current = auditObjects(base, { runId: 'c', breadth: [{ subject: { kind: 'User', name: 'alice' }, breadth: 20 }] }).report;
    const b = (await findBaseline(newestFirst(runs, []), current))!;
    const d = diffRuns(b.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b.olderRuns });
    expect(d.previousRunId).toBe('b');
    expect(d.breadthGrowth).toEqual([{ subject: { kind: 'User', name: 'alice' }, before: 10, after: 20, growthPercent: 100 }]);
  });

  // The reviewer's case: served 23, a metrics-server down for one run (partial), served 38. Run
  // three's breadth is compared with run one's, the last counted against the same list: a
  // partial run between must not hide growth made around it. The 23 is run one's, not the
  // previous run's (two had 38): every line showing it says so.
  it('takes the RBAC breadth from the newest run counted against the same resource list, reaching past a partial run', async () => {
    const sa = { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' };
    const withBasis = (runId: string, breadth: number, rbac: object) => {
      const r = auditObjects(base, { runId, breadth: [{ subject: sa, breadth }] }).report;
      r.details.rbac = { ...r.details.rbac!, ...rbac };
      return r;
    };
    const served = { breadthBasis: 'served' };
    const partial = { breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] };
    const runs = [withBasis('one', 23, served), withBasis('two', 38, partial)];
    const current = withBasis('three', 38, served);
    const read: string[] = [];
    const b = (await findBaseline(newestFirst(runs, read), current))!;
    expect(read).toEqual(['two', 'one']);
    expect(b.breadthRunId).toBe('one');
    const d = diffRuns(b.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b.olderRuns, breadthRunId: b.breadthRunId });
    expect(d.previousRunId).toBe('two');
    expect(d.breadthNotCompared).toBeUndefined();
    expect(d.breadthBaselineRunId).toBe('one');
    expect(d.regressionReasons).toEqual(['ServiceAccount ci/deployer can do 65.2% more (RBAC breadth 23 → 38 since run one)']);
    const text = formatDiff(b.report, current, d);
    expect(text.startsWith('two (')).toBe(true);
    expect(text).toContain('\nRBAC breadth of ServiceAccount ci/deployer: 23 → 38 (+65.2% since run one)\n');
    // The previous run's own breadth: nothing to name.
    const direct = (await findBaseline(newestFirst([withBasis('one', 23, served)], []), withBasis('two', 38, served)))!;
    expect(direct.breadthRunId).toBeUndefined();
    const d1 = diffRuns(direct.report, withBasis('two', 38, served), { rules: defaultConfig().regression, expiredWaivers: [], breadthRunId: direct.breadthRunId });
    expect(d1.breadthBaselineRunId).toBeUndefined();
    expect(d1.regressionReasons).toEqual(['ServiceAccount ci/deployer can do 65.2% more (RBAC breadth 23 → 38)']);

    // No stored run of the same basis: the newest one's, and the diff says why it does not compare.
    const alone = (await findBaseline(newestFirst([withBasis('one', 23, served)], []), withBasis('two', 38, partial)))!;
    const d2 = diffRuns(alone.report, withBasis('two', 38, partial), { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(d2.regressionReasons).toEqual([]);
    expect(d2.breadthNotCompared).toBe('RBAC breadth not compared: run one counted it against the resources the API server serves, run two against partial API discovery (metrics.k8s.io: discovery failed, built-in list used for it)');
    // The same when the newest run had no breadth at all (RBAC unreadable): said, not silent.
    const blind = auditObjects(base, { runId: 'blind', coverage: { clusterroles: 'forbidden' } }).report;
    expect(blind.details.rbac).toBeUndefined();
    // It names run one, whose breadth it is, not the blind run.
    const past = (await findBaseline(newestFirst([withBasis('one', 23, served), blind], []), withBasis('two', 38, partial)))!;
    expect(past.breadthRunId).toBe('one');
    expect(diffRuns(past.report, withBasis('two', 38, partial), { rules: defaultConfig().regression, expiredWaivers: [], breadthRunId: past.breadthRunId }).breadthNotCompared).toContain('run one counted it against the resources the API server serves, run two against partial API discovery');
  });

  it('is null without stored runs', async () => {
    expect(await findBaseline(newestFirst([], []), auditObjects(base, { runId: 'c' }).report)).toBeNull();
  });
});

// The first run on a new breadth basis (metrics-server down: partial discovery) finds no stored run
// of that basis: the walk for the breadth alone stops after BREADTH_WALK runs, each a whole report
// read, instead of reading every stored run of the cluster; the diff says it did not compare.
describe('findBaseline: the walk for the RBAC breadth alone', () => {
  it('reads at most BREADTH_WALK runs when no stored run has the current basis, and says breadth was not compared', async () => {
    const sa = { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' };
    const withBasis = (runId: string, rbac: object) => {
      const r = auditObjects(base, { runId, breadth: [{ subject: sa, breadth: 23 }] }).report;
      r.details.rbac = { ...r.details.rbac!, ...rbac };
      return r;
    };
    const stored = Array.from({ length: 40 }, (_, i) => withBasis(`s${String(i).padStart(2, '0')}`, { breadthBasis: 'served' }));
    const read: string[] = [];
    async function* newestFirst(): AsyncIterable<RunReport> {
      for (const r of [...stored].reverse()) {
        read.push(r.run.id);
        yield r;
      }
    }
    const current = withBasis('now', { breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] });
    const b = (await findBaseline(newestFirst(), current))!;
    expect(read).toHaveLength(BREADTH_WALK);
    expect(read[0]).toBe('s39');
    const d = diffRuns(b.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b.olderRuns });
    expect(d.breadthNotCompared).toContain('RBAC breadth not compared: run s39 counted it against the resources the API server serves');
  });
});
