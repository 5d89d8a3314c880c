// The PostgreSQL run store against a real server: what a run stores comes back whole, locks
// are per cluster, retention is per cluster, migrations are safe with concurrent starters,
// a newer schema is refused, TLS modes behave as libpq's, credentials never leak, and a
// connection lost mid-save is retried without storing a run twice.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import { HistoryError, redactUrlCredentials } from '../../src/base/errors.ts';
import { PG_SCHEMA_VERSION, parsePgUrl } from '../../src/history/postgres.ts';
import { openRunStore, type OpenStoreDeps, type RunStore } from '../../src/history/store.ts';
import { defaultConfig, type Config } from '../../src/config/types.ts';
import { lastAndBaseline } from '../../src/cli/diff.ts';
import { main } from '../../src/cli/main.ts';
import { storedCarried } from '../../src/cli/stored-report.ts';
import { captureIO } from '../helpers/cli.ts';
import { findBaseline } from '../../src/diff/baseline.ts';
import { diffRuns } from '../../src/diff/diff.ts';
import { writeReportJson } from '../../src/report/render.ts';
import { spoolCloserOf } from '../../src/run/stored-run.ts';
import type { StoredRunRead } from '../../src/run/types.ts';
import { pendingOutcome } from '../../src/run/undelivered.ts';
import { isSpooled, isUnreadBulky } from '../../src/run/spooled-finding.ts';
import { blindTo, extentsOf, makeReport, isWhole, withExtents } from '../unit/history/big-report.ts';
import { spawnStoreChild } from '../unit/history/child.ts';
import { fingerprintOf } from '../../src/engine/fingerprint.ts';
import { runPipeline } from '../../src/pipeline/pipeline.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../unit/diff/fake-checks.ts';
import { adminQuery, createDb, describePg, type TestDb } from './env.ts';
import { startProxy } from './proxy.ts';
import { freePort } from './server.ts';
import { diffStep } from '../unit/pipeline/diff-step.ts';

describePg('PostgreSQL run store', (server) => {
  let db: TestDb;
  const open: RunStore[] = [];
  const work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-test-'));
  const env = () => ({ ZTAUDIT_PG_PASSWORD: db.password });
  async function store(deps: OpenStoreDeps = {}, url = db.url): Promise<RunStore> {
    const s = await openRunStore(url, { env: env(), ...deps });
    open.push(s);
    return s;
  }
  const q = (sql: string, params: unknown[] = []) => adminQuery(server, sql, params, db.name);
  /** The server ends a killed client's session when it notices the closed socket (after the statement in flight). */
  async function acquireSoon(s: RunStore, cluster: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        return await s.acquire(cluster);
      } catch (error: unknown) {
        if (Date.now() > deadline || !/another ztaudit run holds/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  beforeEach(async () => { db = await createDb(server); });
  afterEach(async () => { for (const s of open.splice(0)) await s.close().catch(() => undefined); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('stores runs whole and answers latest, list, get and trend per cluster', async () => {
    const s = await store();
    const a1 = makeReport('a1', '2026-11-01T02:00:00.000Z', { cluster: 'alpha', overall: 70, findings: 40 });
    const b1 = makeReport('b1', '2026-11-01T03:00:00.000Z', { cluster: 'beta', overall: 60 });
    const a2 = makeReport('a2', '2026-11-02T02:00:00.000Z', { cluster: 'alpha', overall: 75 });
    for (const r of [a1, b1, a2]) await s.save(r);
    expect(await s.get('a1')).toEqual(a1);
    // Read for a run's diff: the findings' message, evidence and related objects in a temp file, the same JSON as get() gives.
    for await (const r of s.runsNewestFirst('alpha')) {
      expect(JSON.stringify(r)).toBe(JSON.stringify(await s.get(r.run.id)));
      expect(r.findings.length > 0 && r.findings.every(isSpooled)).toBe(true);
      spoolCloserOf(r)();
    }
    expect((await s.get('a1'))!.findings.some(isSpooled)).toBe(false);
    // For the pipeline's diff: only the findings `bulkyOf` names keep those three fields.
    const named = a1.findings[0].fingerprint;
    for await (const r of s.runsNewestFirst('alpha', { bulkyOf: (fp) => fp === named })) {
      const full = (await s.get(r.run.id))!;
      expect(r.findings.map((f) => [f.fingerprint, isSpooled(f), isUnreadBulky(f)])).toEqual(full.findings.map((f) => [f.fingerprint, f.fingerprint === named, f.fingerprint !== named]));
      for (const f of r.findings) if (f.fingerprint === named) expect(JSON.stringify(f)).toBe(JSON.stringify(full.findings.find((g) => g.fingerprint === named)));
      spoolCloserOf(r)();
    }
    expect((await s.latest('alpha'))?.run.id).toBe('a2');
    expect((await s.latest('beta'))?.run.id).toBe('b1');
    expect((await s.latest())?.run.id).toBe('a2');
    expect(await s.latest('gamma')).toBeNull();
    expect((await s.list(10)).map((r) => r.id)).toEqual(['a2', 'b1', 'a1']);
    expect((await s.list(10))[2]).toMatchObject({ cluster: 'alpha', score: { overall: 70 }, waived: 4 });
    expect((await s.trend(10, 'alpha')).map((t) => [t.id, t.overall])).toEqual([['a1', 70], ['a2', 75]]);
    // A stored run's page asks for the trend up to that run: the query answers only that cluster's runs started by then.
    expect((await s.trend(10, 'alpha', '2026-11-01T02:00:00.000Z')).map((t) => t.id)).toEqual(['a1']);
    expect((await s.trend(1, 'alpha', '2026-11-02T02:00:00.000Z')).map((t) => t.id)).toEqual(['a2']);
    expect((await s.trend(10, 'beta', '2026-11-01T02:30:00.000Z')).map((t) => t.id)).toEqual([]);
    // The findings table mirrors the run's findings for the fleet queries.
    const rows = await q(`SELECT count(*)::int AS n, count(*) FILTER (WHERE waived)::int AS w FROM ztaudit_findings f JOIN ztaudit_runs r ON r.seq = f.run_seq WHERE r.id = 'a1'`);
    expect(rows.rows[0]).toEqual({ n: 40, w: 4 });
    await expect(s.save(a1)).rejects.toThrow(/a run with id a1 is already stored in postgres:\/\/127\.0\.0\.1:\d+\/zt_\w+$/);
  });

  it('lists a page of runs stored before a run (serve\'s /runs?before=ID), by insertion: a run stored meanwhile does not shift it; an unknown run lists none', async () => {
    const s = await store();
    for (const [id, at] of [['p1', '2026-11-05'], ['p2', '2026-11-01'], ['p3', '2026-11-03'], ['p4', '2026-11-02']] as const) await s.save(makeReport(id, `${at}T02:00:00.000Z`, { cluster: id === 'p3' ? 'other' : 'demo' }));
    expect((await s.list(2)).map((r) => r.id)).toEqual(['p4', 'p3']);
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    await s.save(makeReport('p5', '2026-11-06T02:00:00.000Z'));
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    expect((await s.list(5, undefined, 'p1')).map((r) => r.id)).toEqual([]);
    expect(await s.list(5, undefined, 'never-stored')).toEqual([]);
  });

  it('a run stored before it was notified gets its notification outcomes recorded; every read from a new connection returns them', async () => {
    const failed = [{ channel: 'slack' as const, status: 'failed' as const, detail: 'channel_not_found' }];
    const s = await store();
    const a1 = makeReport('a1', '2026-11-01T02:00:00.000Z', { cluster: 'alpha' });
    const a2 = makeReport('a2', '2026-11-02T02:00:00.000Z', { cluster: 'alpha', findings: 12 });
    await s.save(a1);
    await s.acquire('alpha');
    await s.save(a2, undefined, { notifications: [pendingOutcome('slack')] }); // as serve stores it: before its notifiers ran
    // A process killed now leaves the channel pending, which the next run carries as undelivered.
    const killed = await store({}, db.url);
    expect((await killed.get('a2'))?.notifications).toEqual([pendingOutcome('slack')]);
    await killed.close();
    await s.recordNotifications('a2', failed);
    await s.release();
    await expect(s.recordNotifications('nope', failed)).rejects.toThrow(HistoryError);
    await s.close();
    const again = await store({ readOnly: true }); // a restarted process
    expect(await again.get('a2')).toEqual({ ...a2, notifications: failed });
    expect((await again.latest('alpha'))?.notifications).toEqual(failed);
    const walked: Array<[string, unknown]> = [];
    for await (const r of again.runsNewestFirst('alpha', { bulkyOf: () => false })) {
      walked.push([r.run.id, r.notifications]);
      spoolCloserOf(r)();
    }
    expect(walked).toEqual([['a2', failed], ['a1', []]]);
    expect((await again.list(1))[0]).toMatchObject({ id: 'a2', notifications: failed });
  });

  it('stores a run from the report.json just written for it: its bytes, read back as the same run', async () => {
    const s = await store();
    const a1 = makeReport('a1', '2026-11-01T02:00:00.000Z', { cluster: 'alpha', findings: 40 });
    const reportJson = await writeReportJson(a1, join(work, 'report.json'));
    const text = readFileSync(reportJson.path, 'utf8');
    await s.save(a1, { reportJson });
    const { rows } = await q(`SELECT report FROM ztaudit_runs WHERE id = 'a1'`);
    expect(gunzipSync(rows[0].report as Buffer).toString()).toBe(text);
    expect(await s.get('a1')).toEqual(a1);
    for await (const r of s.runsNewestFirst('alpha')) {
      expect(JSON.stringify(r)).toBe(JSON.stringify(a1));
      spoolCloserOf(r)();
    }
  });

  it('keeps an aggregating finding\'s extent and the diff\'s widened findings, stored from the report or from its report.json, whole and as read for a diff', async () => {
    const s = await store();
    const a1 = withExtents(makeReport('a1', '2026-11-01T02:00:00.000Z', { cluster: 'alpha', findings: 6 }));
    const a2 = withExtents(makeReport('a2', '2026-11-02T02:00:00.000Z', { cluster: 'alpha', findings: 6 }));
    await s.save(a1);
    await s.save(a2, { reportJson: await writeReportJson(a2, join(work, 'report-extent.json')) });
    for (const r of [a1, a2]) {
      expect(extentsOf(r).filter(([, e]) => e !== 'no key')).toHaveLength(3);
      const got = (await s.get(r.run.id))!;
      expect(extentsOf(got)).toEqual(extentsOf(r));
      expect(got.diff!.widened).toEqual(r.diff!.widened);
    }
    const walked: Array<[string, unknown]> = [];
    for await (const r of s.runsNewestFirst('alpha', { bulkyOf: () => false })) {
      walked.push([r.run.id, extentsOf(r)]);
      spoolCloserOf(r)();
    }
    expect(walked).toEqual([['a2', extentsOf(a2)], ['a1', extentsOf(a1)]]);
  });

  it('orders by insertion, not by a clock that jumped: latest, runsNewestFirst and retention', async () => {
    const s = await store({ retention: { maxRuns: 2, maxAgeDays: 0 } });
    await s.save(makeReport('a1', '2026-11-05T00:00:00.000Z', { cluster: 'alpha' }));
    await s.save(makeReport('b1', '2026-11-05T00:00:00.000Z', { cluster: 'beta' }));
    // The clock was ahead for a1 and got corrected: a2 is newer although it says earlier.
    await s.save(makeReport('a2', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' }));
    expect((await s.latest('alpha'))?.run.id).toBe('a2');
    const seen: string[] = [];
    for await (const r of s.runsNewestFirst('alpha')) seen.push(r.run.id);
    expect(seen).toEqual(['a2', 'a1']);
    const all: string[] = [];
    for await (const r of s.runsNewestFirst()) all.push(r.run.id);
    expect(all).toEqual(['a2', 'b1', 'a1']);
    // Retention keeps the run just stored even though older runs carry later timestamps.
    await s.save(makeReport('a3', '2026-10-01T00:00:00.000Z', { cluster: 'alpha' }));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['a3', 'a2', 'b1']);
  });

  it('locks per cluster: two clusters store at once, a second run of one cluster is refused naming the holder', async () => {
    const a = await store();
    const b = await store();
    const c = await store();
    await a.acquire('alpha');
    await b.acquire('beta'); // another cluster never waits
    const refused = await c.acquire('alpha').then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(HistoryError);
    expect((refused as Error).message).toMatch(new RegExp(`^another ztaudit run holds postgres://\\S+ \\(cluster "alpha"\\) since 20\\d\\d-\\S+Z \\(pid ${process.pid} on .+\\)`));
    // A lone save of the locked cluster is refused too, never interleaved.
    await expect(c.save(makeReport('sneaky', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' }))).rejects.toThrow(/another ztaudit run holds/);
    await Promise.all([a.save(makeReport('a1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' })), b.save(makeReport('b1', '2026-11-01T00:00:00.000Z', { cluster: 'beta' }))]);
    await a.release();
    await c.acquire('alpha');
    await c.release();
    await b.release();
    expect((await c.list(10)).map((r) => r.id).sort()).toEqual(['a1', 'b1']);
  });

  it('a killed holder leaves no stale lock; a run killed mid-save is stored whole or not at all', async () => {
    const holder = spawnStoreChild(db.urlWithPassword, 'hold');
    const pid = await holder.ready;
    const s = await store();
    await expect(s.acquire('demo')).rejects.toThrow(new RegExp(`another ztaudit run holds .* \\(pid ${pid} on `));
    await s.acquire('other'); // another cluster is not held
    await s.release();
    await holder.kill();
    await acquireSoon(s, 'demo'); // PostgreSQL dropped the dead session's advisory lock
    await s.release();

    const saver = spawnStoreChild(db.urlWithPassword, 'save', { env: { STORE_CHILD_FINDINGS: '3000', STORE_CHILD_EVIDENCE: '200' } });
    await saver.ready;
    const deadline = Date.now() + 60_000;
    while (saver.lines.filter((l) => l.startsWith('saved ')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    while (!saver.lines[saver.lines.length - 1]?.startsWith('saving ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    await saver.kill();
    const saved = saver.lines.filter((l) => l.startsWith('saved ')).map((l) => l.slice(6));
    expect(saved.length, saver.stderr()).toBeGreaterThanOrEqual(2);
    const stored = (await s.list(100)).map((r) => r.id);
    for (const id of saved) expect(stored).toContain(id);
    expect(stored.length - saved.length).toBeLessThanOrEqual(1); // the one being saved: whole or absent
    for (const id of stored) expect(isWhole((await s.get(id))!)).toBe(true);
    const counts = await q('SELECT r.id, count(f.*)::int AS n FROM ztaudit_runs r LEFT JOIN ztaudit_findings f ON f.run_seq = r.seq GROUP BY r.id');
    for (const row of counts.rows) expect(row.n).toBe(3000);
    await acquireSoon(s, 'demo'); // and no stale lock after the kill
    await s.release();
  });

  it('keeps each cluster\'s last maxRuns runs (retention is per cluster in a shared store)', async () => {
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 0 } });
    for (let i = 0; i < 5; i++) {
      await s.save(makeReport(`a${i}`, `2026-11-0${i + 1}T00:00:00.000Z`, { cluster: 'alpha' }));
      if (i < 2) await s.save(makeReport(`b${i}`, `2026-11-0${i + 1}T01:00:00.000Z`, { cluster: 'beta' }));
    }
    expect((await s.list(100)).map((r) => r.id)).toEqual(['a4', 'a3', 'a2', 'b1', 'b0']);
    const orphans = await q('SELECT count(*)::int AS n FROM ztaudit_findings WHERE run_seq NOT IN (SELECT seq FROM ztaudit_runs)');
    expect(orphans.rows[0].n).toBe(0);
  });

  it('retention keeps the last run that evaluated a check, by count and by age, so what appeared meanwhile is new', async () => {
    const RBAC = 'rbac.wildcard-permission';
    // More runs kept than one page of summaries holds: the walk reads on.
    const s = await store({ retention: { maxRuns: 51, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const partials = Array.from({ length: 52 }, (_, i) => `partial${i + 1}`);
    await s.acquire('demo');
    await s.save(makeReport('full1', '2026-10-01T02:00:00.000Z'));
    for (const [i, id] of partials.entries()) await s.save(blindTo(makeReport(id, `2026-11-20T02:${String(i).padStart(2, '0')}:00.000Z`), [RBAC]));
    expect((await s.list(100)).map((r) => r.id)).toEqual([...partials.slice(1).reverse(), 'full1']);
    const current = makeReport('full2', '2026-11-29T02:00:00.000Z');
    const baseline = (await findBaseline(s.runsNewestFirst('demo'), current))!;
    expect(baseline.olderRuns).toEqual({ [RBAC]: 'full1' });
    const diff = diffRuns(baseline.report, current, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.notComparable).toEqual([]);
    expect(diff.regression).toBe(true);
    for (const r of [baseline.latest, baseline.report]) spoolCloserOf(r)();
    await s.save(current);
    await s.release();
    // The partial runs still kept carried full1's findings: it stays beside them.
    expect((await s.list(100)).map((r) => r.id)).toEqual(['full2', ...partials.slice(2).reverse(), 'full1']);
    const orphans = await q('SELECT count(*)::int AS n FROM ztaudit_findings WHERE run_seq NOT IN (SELECT seq FROM ztaudit_runs)');
    expect(orphans.rows[0].n).toBe(0);
  });

  // README: a check switched off in one run and evaluated again later is compared with that run
  // (nothing: all its findings are new); retention keeps it however many runs could not read the
  // check meanwhile, and while the run that alerted is the newest (diff.notApplicableBaselines).
  it('retention keeps the run that had a check switched off: the run that turns it back on alerts, and diff --last agrees', async () => {
    const WILDCARD = 'rbac.fake-wildcard';
    const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('backdoor', ['*'])];
    const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
    const s = await store({ retention: { maxRuns: 2, maxAgeDays: 0 } });
    let clock = Date.parse('2026-11-20T02:00:00Z');
    const audit = async (config: Config, coverage: Record<string, 'error'> = {}) => (await runPipeline(config, FAKE_CHECKS, {
      collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
      store: s,
      diff: diffStep(rules),
      render: async () => [],
      notifiers: [],
      log: { info: () => {}, warn: () => {}, progress: () => {} },
      now: () => new Date((clock += 3_600_000)),
    })).report;
    const off = await audit({ ...defaultConfig(), checks: { [WILDCARD]: { enabled: false } } });
    for (let i = 0; i < 3; i++) await audit(defaultConfig(), { clusterroles: 'error' });
    const alerted = await audit(defaultConfig());
    expect(alerted.diff?.firstEvaluated).toEqual([WILDCARD]);
    expect(alerted.diff?.notApplicableBaselines).toEqual({ [WILDCARD]: off.run.id });
    expect(alerted.diff?.new).toEqual([fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'backdoor' })]);
    expect(alerted.diff?.regression).toBe(true);
    expect((await s.list(10)).map((r) => r.id)).toContain(off.run.id);
    const { current, previous, olderRuns, notApplicableRuns, close } = await lastAndBaseline(s);
    try {
      expect(current.run.id).toBe(alerted.run.id);
      const again = diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns, notApplicableRuns });
      expect(again.new).toEqual(alerted.diff?.new);
      expect(again.regressionReasons).toEqual(alerted.diff?.regressionReasons);
    } finally {
      close();
    }
    const next = await audit(defaultConfig());
    expect((await s.list(10)).map((r) => r.id)).toEqual([next.run.id, alerted.run.id]);
  });

  it('retention keeps the runs the newest run was diffed against, so diff --last still shows what it alerted on', async () => {
    const RBAC = 'rbac.wildcard-permission';
    const s = await store({ retention: { maxRuns: 2, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const full1 = makeReport('full1', '2026-10-01T02:00:00.000Z', { findings: 8 });
    await s.save(full1);
    for (let i = 1; i <= 3; i++) await s.save(blindTo(makeReport(`partial${i}`, `2026-11-2${i}T02:00:00.000Z`, { findings: 8 }), [RBAC]));
    const backdoor = { ...full1.findings[0], fingerprint: 'backdoor', resource: { kind: 'ClusterRole', name: 'backdoor' }, waived: false };
    const current = { ...makeReport('full2', '2026-11-29T02:00:00.000Z', { findings: 8 }), findings: [...full1.findings, backdoor] };
    const baseline = (await findBaseline(s.runsNewestFirst('demo'), current))!;
    current.diff = diffRuns(baseline.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: baseline.olderRuns });
    for (const r of [baseline.latest, baseline.report]) spoolCloserOf(r)();
    expect(current.diff.olderBaselines).toEqual({ [RBAC]: 'full1' });
    await s.save(current);
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full2', 'partial3', 'full1']);
    const { current: last, previous, olderRuns, close } = await lastAndBaseline(s);
    try {
      expect(last.run.id).toBe('full2');
      expect(diffRuns(previous, last, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns }).new).toEqual(current.diff.new);
    } finally {
      close();
    }
    expect(current.diff.new).toContain('backdoor');
    await s.save(makeReport('full3', '2026-11-29T03:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full3', 'full2']);
  });

  // README: "leaves no blind spot … Only a check that no stored run had at all (added by a newer
  // version) is listed as not comparable". A check every stored run was blind to since the first
  // (a permission granted later) compares with nothing: what it finds is new, as in SQLite and
  // k8s:// (test/unit/history/never-evaluated.test.ts), the blind runs passed over by their summaries.
  it('a check no stored run could evaluate is compared with nothing when evaluated at last: its findings are new, and diff --last agrees', async () => {
    const WILDCARD = 'rbac.fake-wildcard';
    const objects = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('backdoor', ['*'])];
    const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
    const s = await store({ retention: { maxRuns: 2, maxAgeDays: 0 } });
    let clock = Date.parse('2026-11-20T02:00:00Z');
    const audit = async (coverage: Record<string, 'error'> = {}) => (await runPipeline(defaultConfig(), FAKE_CHECKS, {
      collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
      store: s,
      diff: diffStep(rules),
      render: async () => [],
      notifiers: [],
      log: { info: () => {}, warn: () => {}, progress: () => {} },
      now: () => new Date((clock += 3_600_000)),
    })).report;
    for (let i = 0; i < 4; i++) await audit({ clusterroles: 'error' });
    const alerted = await audit();
    expect(alerted.diff?.firstEvaluated).toEqual([WILDCARD]);
    expect(alerted.diff?.notComparable).toEqual([]);
    expect(alerted.diff?.new).toEqual([fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'backdoor' })]);
    expect(alerted.diff?.regression).toBe(true);
    const { current, previous, olderRuns, notApplicableRuns, close } = await lastAndBaseline(s);
    try {
      expect(current.run.id).toBe(alerted.run.id);
      const again = diffRuns(previous, current, { rules, expiredWaivers: [], olderRuns, notApplicableRuns });
      expect(again.new).toEqual(alerted.diff?.new);
      expect(again.regressionReasons).toEqual(alerted.diff?.regressionReasons);
    } finally {
      close();
    }
    expect((await audit()).diff?.new).toEqual([]);
  });

  // A partial run still listed keeps the run it carried findings from and compares blind checks
  // with, after a later full run no longer needs it (test/unit/history/retention-kept-baselines.test.ts
  // for SQLite and k8s://): `report PARTIAL` lists what it carried, `diff PARTIAL LATER` finds the
  // ClusterRole that appeared while the kind could not be read new.
  it('retention keeps the baselines of every kept run, not only the newest\'s: a listed partial run keeps its carried findings and its diff', async () => {
    const WILDCARD = 'rbac.fake-wildcard';
    const before = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('legacy', ['*'])];
    const after = [...before, clusterRole('backdoor', ['*'])];
    const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 0 } });
    let clock = Date.parse('2026-11-20T02:00:00Z');
    const audit = async (objects: typeof before, coverage: Record<string, 'error'> = {}) => (await runPipeline(defaultConfig(), FAKE_CHECKS, {
      collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
      store: s,
      diff: diffStep(rules),
      render: async () => [],
      notifiers: [],
      log: { info: () => {}, warn: () => {}, progress: () => {} },
      now: () => new Date((clock += 3_600_000)),
    })).report;
    const full = await audit(before);
    await audit(after, { clusterroles: 'error' });
    const partial = await audit(after, { clusterroles: 'error' });
    const alerted = await audit(after);
    const backdoorFp = fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'backdoor' });
    expect(alerted.diff?.new).toEqual([backdoorFp]);
    const latest = await audit(after);
    expect((await s.list(10)).map((r) => r.id)).toEqual([latest.run.id, alerted.run.id, partial.run.id, full.run.id]);
    const { carried, missing } = await storedCarried(s, (await s.get(partial.run.id))!, null);
    expect(missing).toEqual([]);
    expect(carried.map((c) => [c.runId, c.findings.map((f) => f.fingerprint)])).toEqual([[full.run.id, [fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'legacy' })]]]);
    const config = join(work, 'kept-baselines.yaml');
    writeFileSync(config, 'regression:\n  newFindingSeverity: medium\n');
    const io = captureIO(work, env());
    expect(await main(['diff', partial.run.id, alerted.run.id, '--history', db.url, '--config', config, '--output', 'json'], io.cli)).toBe(0);
    const diff = JSON.parse(io.out()) as { new: string[]; notComparable: string[]; regression: boolean };
    expect([diff.new, diff.notComparable, diff.regression]).toEqual([[backdoorFp], [], true]);
    const next = await audit(after);
    expect((await s.list(10)).map((r) => r.id)).toEqual([next.run.id, latest.run.id, alerted.run.id]);
  });

  it('a run stored after a mark is found by its cluster only (a run collecting meanwhile is refused by the pipeline)', async () => {
    const s = await store();
    await s.save(makeReport('a0', '2026-11-01T01:00:00.000Z', { cluster: 'alpha' }));
    const mark = await s.mark();
    expect(await s.storedSince(mark, 'alpha')).toBeNull();
    await s.save(makeReport('b1', '2026-11-01T02:00:00.000Z', { cluster: 'beta' }));
    expect(await s.storedSince(mark, 'alpha')).toBeNull();
    await s.save(makeReport('a1', '2026-10-01T02:00:00.000Z', { cluster: 'alpha' })); // the pipeline compares start times; the store names it
    expect(await s.storedSince(mark, 'alpha')).toEqual({ id: 'a1', startedAt: '2026-10-01T02:00:00.000Z' });
    expect(await s.storedSince(mark, 'beta')).toEqual({ id: 'b1', startedAt: '2026-11-01T02:00:00.000Z' });
    expect(await s.storedSince(await s.mark(), 'alpha')).toBeNull();
  });

  it('a run of its cluster committed after a run of another cluster (saves interleaved) is still found since a mark taken in between; the one that started last is named', async () => {
    // Two connections: X, a save of cluster alpha still in its transaction (its seq taken at
    // INSERT, not yet committed), and the store, where cluster beta's save takes the next seq
    // and commits (saves of different clusters run at once: the lock is per cluster). Run R of
    // alpha takes its mark then; X commits after. R must see X's run, or it stores its older
    // picture after it and calls what X found "resolved".
    const s = await store();
    await s.save(makeReport('a0', '2026-11-01T01:00:00.000Z', { cluster: 'alpha' }));
    const x = new pg.Client({ host: server.host, port: server.port, user: 'postgres', password: server.adminPassword, database: db.name, ssl: false });
    await x.connect();
    try {
      await x.query('BEGIN');
      await x.query(`INSERT INTO ztaudit_runs (id, cluster, started_at, regression, summary, report)
                     SELECT 'a1', cluster, '2026-11-01T03:00:00.000Z', regression, summary || '{"id": "a1", "startedAt": "2026-11-01T03:00:00.000Z"}'::jsonb, report FROM ztaudit_runs WHERE id = 'a0'`);
      await s.save(makeReport('b1', '2026-11-01T02:00:00.000Z', { cluster: 'beta' }));
      const mark = await s.mark();
      await x.query('COMMIT');
      expect((await q(`SELECT id FROM ztaudit_runs ORDER BY seq`)).rows.map((r) => r.id)).toEqual(['a0', 'a1', 'b1']);
      expect(await s.storedSince(mark, 'alpha')).toEqual({ id: 'a1', startedAt: '2026-11-01T03:00:00.000Z' });
      expect(await s.storedSince(mark, 'beta')).toBeNull();
      // A slower run of alpha that started before a1, stored after it: a1 is still the newest picture.
      await s.save(makeReport('a-slow', '2026-11-01T02:30:00.000Z', { cluster: 'alpha' }));
      expect(await s.storedSince(mark, 'alpha')).toEqual({ id: 'a1', startedAt: '2026-11-01T03:00:00.000Z' });
    } finally {
      await x.end();
    }
  });

  it('diff --last over more than a page of runs blind to RBAC compares RBAC with the last full run, fetching only the runs it takes from', async () => {
    const RBAC = 'rbac.wildcard-permission';
    const proxy = await startProxy(server.port);
    try {
      const s = await store({ retention: { maxRuns: 500, maxAgeDays: 0 } }, `postgres://${db.user}@127.0.0.1:${proxy.port}/${db.name}?sslmode=disable`);
      // Incompressible evidence: every run stored is some 20–40 KB that a walk reading it would fetch.
      const full1 = makeReport('full1', '2026-11-01T02:00:00.000Z', { findings: 8, evidenceBytes: 4096 });
      const again = (id: string, minutes: number) => ({ ...full1, run: { ...full1.run, id, startedAt: new Date(Date.parse(full1.run.startedAt) + minutes * 60_000).toISOString() } });
      const backdoor = { ...full1.findings[0], fingerprint: 'backdoor', resource: { kind: 'ClusterRole', name: 'backdoor' }, waived: false };
      await s.acquire('demo');
      await s.save(full1);
      for (let i = 1; i <= 250; i++) await s.save(blindTo(again(`partial${i}`, i), [RBAC]));
      await s.save({ ...again('full2', 251), findings: [...full1.findings, backdoor] });
      await s.release();
      const size = new Map((await q('SELECT id, octet_length(report) AS n FROM ztaudit_runs')).rows.map((r) => [String(r.id), Number(r.n)]));
      const handed: string[] = [];
      const counting = {
        describe: () => s.describe(), latest: (cluster?: string) => s.latest(cluster),
        async *runsNewestFirst(cluster?: string, read?: StoredRunRead) {
          for await (const r of s.runsNewestFirst(cluster, read)) { handed.push(r.run.id); yield r; }
        },
      };
      const before = proxy.fromServer();
      const { current, previous, olderRuns, close } = await lastAndBaseline(counting);
      const fetched = proxy.fromServer() - before;
      close();
      expect([current.run.id, previous.run.id]).toEqual(['full2', 'partial250']);
      expect(olderRuns).toEqual({ [RBAC]: 'full1' });
      const diff = diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns });
      expect(diff.new).toEqual(['backdoor']);
      expect(diff.notComparable).toEqual([]);
      // The latest run (read for itself and again by the walk), the run before it and the last
      // full run: the 249 runs in between were passed over by their summaries, never fetched.
      expect(handed).toEqual(['full2', 'partial250', 'full1']);
      // bytea travels as hex (twice its size); the 252 summaries' blind lists and the protocol
      // take some 45 KB, less than one more run fetched (35 KB) would add to them.
      const wanted = 2 * (2 * size.get('full2')! + size.get('partial250')! + size.get('full1')!);
      expect(fetched).toBeGreaterThan(wanted);
      expect(fetched).toBeLessThan(wanted + 64 * 1024);
    } finally {
      await proxy.close();
    }
  });

  it('migrates a fresh database once with 8 concurrent starters', async () => {
    const stores = await Promise.all(Array.from({ length: 8 }, () => store()));
    expect(stores).toHaveLength(8);
    const versions = await q('SELECT version FROM ztaudit_schema ORDER BY version');
    expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses a database with a newer schema ("upgrade ztaudit") and writes nothing', async () => {
    await (await store()).close();
    await q('INSERT INTO ztaudit_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]);
    const err = await openRunStore(db.url, { env: env() }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toMatch(/has schema \d+, newer than this ztaudit understands \(up to \d+\): upgrade ztaudit$/);
    expect((await q('SELECT count(*)::int AS n FROM ztaudit_runs')).rows[0].n).toBe(0);
  });

  it('a read-only command on an empty database creates nothing and finds no runs', async () => {
    const s = await store({ readOnly: true });
    expect(await s.list(10)).toEqual([]);
    expect(await s.latest()).toBeNull();
    expect((await q(`SELECT to_regclass('ztaudit_runs') IS NULL AS absent`)).rows[0].absent).toBe(true);
  });

  it('takes the password from ZTAUDIT_PG_PASSWORD_FILE; a wrong one is one line without it', async () => {
    const file = join(work, `pw-${db.name}`);
    writeFileSync(file, `${db.password}\n`);
    const s = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD_FILE: file } });
    open.push(s);
    expect(await s.list(1)).toEqual([]);
    const wrong = 'not-the-password-4711';
    const err = await openRunStore(db.url.replace('postgres://', `postgres://`).replace(`${db.user}@`, `${db.user}:${wrong}@`), { env: {} }).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${server.port} \\(database ${db.name}, user ${db.user}, sslmode=disable\\): password authentication failed for user ${db.user}`));
    expect((err as Error).message).not.toContain(wrong);
    expect((err as Error).message).not.toContain('\n');
    expect(redactUrlCredentials(`postgres://u:${wrong}@h/db`)).toBe('postgres://h/db');
  });

  it('a server that is down at start is one line naming the host and port', async () => {
    const port = await freePort();
    const err = await openRunStore(`postgres://ztaudit:hunter2@127.0.0.1:${port}/fleet?sslmode=disable&connect_timeout=3`, { env: {} }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port} (database fleet, user ztaudit, sslmode=disable): connection refused`);
  });

  it('TLS as libpq: verify-full checks the name, verify-ca the chain only, require encrypts', async () => {
    const ca = server.caFile;
    const at = (host: string, params: string) => `postgres://${db.user}@${host}:${server.port}/${db.name}?${params}`;
    const ssl = async (url: string) => {
      const s = await store({}, url);
      return (await (s as unknown as { withClient: <T>(d: string, op: (c: import('pg').Client) => Promise<T>) => Promise<T> })
        .withClient('probe', async (c) => (await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl)) as boolean;
    };
    expect(await ssl(at('localhost', `sslmode=verify-full&sslrootcert=${ca}`))).toBe(true);
    expect(await ssl(at('127.0.0.1', `sslmode=verify-ca&sslrootcert=${ca}`))).toBe(true);
    expect(await ssl(at('127.0.0.1', 'sslmode=require'))).toBe(true);
    expect(await ssl(at('127.0.0.1', 'sslmode=prefer'))).toBe(true);
    expect(await ssl(at('127.0.0.1', 'sslmode=disable'))).toBe(false);
    // The certificate names localhost, not 127.0.0.1: verify-full refuses, as libpq does.
    await expect(openRunStore(at('127.0.0.1', `sslmode=verify-full&sslrootcert=${ca}`), { env: env() })).rejects.toThrow(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ .*sslmode=verify-full\): .*(IP|altnames|127\.0\.0\.1)/);
    // A chain it cannot verify: the system CAs do not know the test CA.
    await expect(openRunStore(at('localhost', 'sslmode=verify-full&sslrootcert=system'), { env: env() })).rejects.toThrow(/self-signed certificate|unable to (get|verify)/);
    await expect(openRunStore(at('localhost', 'sslmode=verify-full'), { env: { ...env(), HOME: work } })).rejects.toThrow(/sslmode=verify-full needs a root certificate: add sslrootcert=FILE/);
    expect(() => parsePgUrl(at('localhost', 'sslmode=strict'))).toThrow(/sslmode=strict is not one of disable, allow, prefer, require, verify-ca, verify-full/);
    expect(() => parsePgUrl(at('localhost', 'ssl=true'))).toThrow(/unknown parameter "ssl"/);
  });

  it('a connection lost mid-save is retried: the run is stored exactly once', async () => {
    const proxy = await startProxy(server.port);
    try {
      const url = `postgres://${db.user}@127.0.0.1:${proxy.port}/${db.name}?sslmode=disable`;
      const s = await store({ retryMs: 20_000 }, url);
      await s.acquire('alpha');
      await proxy.cutOn('INSERT INTO ztaudit_runs', 1500);
      await s.save(makeReport('r1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha', findings: 50 }));
      await proxy.cut;
      expect((await s.list(10)).map((r) => r.id)).toEqual(['r1']);
      expect((await q('SELECT count(*)::int AS n FROM ztaudit_findings')).rows[0].n).toBe(50);
      // Reconnected, it holds the cluster's lock again.
      const other = await store();
      await expect(other.acquire('alpha')).rejects.toThrow(/another ztaudit run holds/);
      await s.release();

      // Down for longer than the retry budget: one line that says so.
      const short = await store({ retryMs: 2000 }, url);
      await proxy.cutOn('INSERT INTO ztaudit_runs', Infinity);
      const err = await short.save(makeReport('r2', '2026-11-02T00:00:00.000Z', { cluster: 'beta' })).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HistoryError);
      expect((err as Error).message).toMatch(/^storing run r2 in postgres:\/\/\S+: the connection was lost and could not be re-established within 2 s \(\d+ attempts; last: .+\)$/);
      expect((await q('SELECT id FROM ztaudit_runs ORDER BY id')).rows.map((r) => r.id)).toEqual(['r1']);
    } finally {
      await proxy.close();
    }
  });
  it('a connection cut while the server keeps its session (half-open): the run takes its own cluster lock back', async () => {
    const proxy = await startProxy(server.port);
    try {
      const url = `postgres://${db.user}@127.0.0.1:${proxy.port}/${db.name}?sslmode=disable`;
      // The server would notice the dead peer only after TCP keepalive (hours): the store
      // ends its own old session instead of waiting for it, or refusing itself.
      const s = await store({ retryMs: 20_000 }, url);
      await s.acquire('alpha');
      await proxy.cutOn('INSERT INTO ztaudit_runs', 0, { linger: true });
      await s.save(makeReport('r1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' }));
      await proxy.cut;
      expect((await s.list(10)).map((r) => r.id)).toEqual(['r1']);
      const other = await store();
      await expect(other.acquire('alpha')).rejects.toThrow(/another ztaudit run holds/);

      // Cut while releasing: the next run of this store takes the lock again.
      await proxy.cutOn('DELETE FROM ztaudit_locks', 0, { linger: true });
      await s.release();
      await proxy.cut;
      await s.acquire('alpha');
      await s.save(makeReport('r2', '2026-11-02T00:00:00.000Z', { cluster: 'alpha' }));
      await s.release();
      await other.acquire('alpha');
      await other.release();
      expect((await s.list(10)).map((r) => r.id)).toEqual(['r2', 'r1']);
    } finally {
      await proxy.close();
    }
  });

  it('a run whose session was ended while another run stored one is refused, not stored over the other run (its diff baseline is stale)', async () => {
    const s = await store({ retryMs: 20_000 });
    await s.save(makeReport('R5', '2026-11-01T00:00:00.000Z', { cluster: 'demo' }));
    await s.acquire('demo'); // serve's run starts: it holds demo's lock
    expect((await s.latest('demo'))?.run.id).toBe('R5'); // and reads its baseline
    // Its connection is lost (a server restart, a failover): the session and its advisory lock end.
    await q(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name]);
    const cron = await store();
    await acquireSoon(cron, 'demo');
    await cron.save(makeReport('R6', '2026-11-01T01:00:00.000Z', { cluster: 'demo' }));
    await cron.release();
    const err = await s.save(makeReport('R7', '2026-11-01T02:00:00.000Z', { cluster: 'demo' })).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toMatch(/^run R7 was not stored in postgres:\/\/\S+ \(cluster "demo"\): while this run's connection was lost, another ztaudit run stored run R6; run again/);
    await s.release();
    expect((await cron.list(10)).map((r) => r.id)).toEqual(['R6', 'R5']);
    // The next run of that store takes the lock afresh and stores as usual.
    await s.acquire('demo');
    await s.save(makeReport('R8', '2026-11-01T03:00:00.000Z', { cluster: 'demo' }));
    await s.release();
    expect((await cron.list(10)).map((r) => r.id)).toEqual(['R8', 'R6', 'R5']);
  });

  it('a connection lost while another run took the cluster lock: that run keeps it, this one is refused at once', async () => {
    const proxy = await startProxy(server.port);
    try {
      const url = `postgres://${db.user}@127.0.0.1:${proxy.port}/${db.name}?sslmode=disable`;
      const s = await store({ retryMs: 20_000 }, url);
      await s.acquire('alpha');
      await proxy.cutOn('INSERT INTO ztaudit_runs', 1500);
      const saving = s.save(makeReport('r1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' })).then(() => null, (e: unknown) => e);
      await proxy.cut;
      const other = await store();
      await acquireSoon(other, 'alpha'); // the server ended the cut session, and its lock with it
      const t0 = Date.now();
      const err = await saving;
      expect(err).toBeInstanceOf(HistoryError);
      expect((err as Error).message).toMatch(/^another ztaudit run holds postgres:\/\/\S+ \(cluster "alpha"\)/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await other.save(makeReport('o1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' }));
      await other.release();
      expect((await other.list(10)).map((r) => r.id)).toEqual(['o1']);
    } finally {
      await proxy.close();
    }
  });

  // node-postgres's query_timeout only stops waiting (pg/lib/client.js); the session's
  // statement_timeout has the server cancel the statement itself
  // (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT).
  it('a query blocked by a lock another session holds is cancelled by the server before the client gives up: the error names the step and the statement timeout, and no query is left running', async () => {
    const s = await store({ queryTimeoutMs: 4_000 });
    await s.save(makeReport('r1', '2026-11-01T00:00:00.000Z', { cluster: 'alpha' }));
    const locker = new pg.Client({ host: server.host, port: server.port, user: 'postgres', password: server.adminPassword, database: db.name, ssl: false });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE ztaudit_runs IN ACCESS EXCLUSIVE MODE');
      const err = await s.latest('alpha').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HistoryError);
      expect((err as Error).message).toMatch(/^reading a stored run in postgres:\/\/\S+: canceling statement due to statement timeout$/);
      // Still holding the lock: nothing of ztaudit's is left waiting for it on the server.
      const waiting = await q(`SELECT query FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND state = 'active'`, [db.name, db.user]);
      expect(waiting.rows).toEqual([]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });
});
