import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryError } from '../../../src/base/errors.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { spoolCloserOf } from '../../../src/run/stored-run.ts';
import { SQLITE_SCHEMA_VERSION } from '../../../src/history/sqlite.ts';
import { openRunStore, parseStoreUrl, type RunStore } from '../../../src/history/store.ts';
import { blindTo, extentsOf, isWhole, makeReport, withExtents } from './big-report.ts';
import { interruptedRun, savedRuns, sleep, spawnStoreChild } from './child.ts';

let dir: string;
let db: string;
const open: RunStore[] = [];
async function store(options: Parameters<typeof openRunStore>[1] = {}): Promise<RunStore> {
  const s = await openRunStore(db, options);
  open.push(s);
  return s;
}
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-history-'));
  db = join(dir, 'sub', 'history.db');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store URLs', () => {
  it('parses a path, k8s://NS/NAME and none', () => {
    expect(parseStoreUrl(undefined, '/w')).toEqual({ kind: 'sqlite', path: '/w/.ztaudit/history.db' });
    expect(parseStoreUrl('runs.db', '/w')).toEqual({ kind: 'sqlite', path: '/w/runs.db' });
    expect(parseStoreUrl('k8s://ztaudit/history', '/w')).toEqual({ kind: 'k8s', namespace: 'ztaudit', name: 'history' });
    expect(parseStoreUrl('none', '/w')).toEqual({ kind: 'none' });
    expect(() => parseStoreUrl('k8s://Bad_NS/x', '/w')).toThrow(HistoryError);
    expect(() => parseStoreUrl('k8s://ns', '/w')).toThrow(/k8s:\/\/NAMESPACE\/NAME/);
    expect(() => parseStoreUrl('s3://bucket/x', '/w')).toThrow(/unknown scheme/);
  });

  it('none keeps nothing', async () => {
    const s = await openRunStore('none');
    await s.acquire();
    await s.save(makeReport('r1', '2026-11-01T00:00:00.000Z'));
    expect(await s.latest()).toBeNull();
    expect(await s.list(10)).toEqual([]);
    await s.release();
  });
});

describe('SQLite store', () => {
  it('of the runs of a cluster stored since a mark, storedSince names the one that started last (the newest picture)', async () => {
    const s = await store();
    const mark = await s.mark();
    await s.save(makeReport('late', '2026-11-01T03:00:00.000Z'));
    await s.save(makeReport('early', '2026-11-01T02:00:00.000Z')); // a slower run that started before 'late'
    await s.save(makeReport('other', '2026-11-01T04:00:00.000Z', { cluster: 'other' }));
    expect(await s.storedSince(mark, 'demo')).toEqual({ id: 'late', startedAt: '2026-11-01T03:00:00.000Z' });
    expect(await s.storedSince(await s.mark(), 'demo')).toBeNull();
  });

  it('stores, lists, gets and returns the latest run', async () => {
    const s = await store();
    await s.acquire();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z', { overall: 70 }));
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z', { overall: 75, cluster: 'other' }));
    await s.save(makeReport('r3', '2026-11-03T02:00:00.000Z', { overall: 90, findings: 12 }));
    await s.release();
    expect((await s.latest())?.run.id).toBe('r3');
    expect((await s.latest('other'))?.run.id).toBe('r2');
    const list = await s.list(2);
    expect(list.map((r) => r.id)).toEqual(['r3', 'r2']);
    expect(list[0]).toMatchObject({ cluster: 'demo', score: { overall: 90 }, findings: { critical: 3, high: 2, medium: 3, low: 3 }, waived: 1, regression: null });
    const r1 = await s.get('r1');
    expect(r1 && isWhole(r1)).toBe(true);
    expect(await s.get('nope')).toBeNull();
    expect((await s.trend(10)).map((t) => [t.id, t.overall])).toEqual([['r1', 70], ['r2', 75], ['r3', 90]]);
  });

  it('lists a page of runs stored before a run (serve\'s /runs?before=ID), by insertion: a run stored meanwhile does not shift it; an unknown run lists none', async () => {
    const s = await store();
    // Started out of order (a corrected clock): a page follows insertion, as the list does.
    for (const [id, at] of [['p1', '2026-11-05'], ['p2', '2026-11-01'], ['p3', '2026-11-03'], ['p4', '2026-11-02']] as const) await s.save(makeReport(id, `${at}T02:00:00.000Z`, { cluster: id === 'p3' ? 'other' : 'demo' }));
    expect((await s.list(2)).map((r) => r.id)).toEqual(['p4', 'p3']);
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    await s.save(makeReport('p5', '2026-11-06T02:00:00.000Z'));
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    expect((await s.list(5, undefined, 'p1')).map((r) => r.id)).toEqual([]);
    expect(await s.list(5, undefined, 'never-stored')).toEqual([]);
  });

  it('keeps the basis of the RBAC breadth (details.rbac.breadthBasis) with the run', async () => {
    const s = await store();
    const r = makeReport('rb', '2026-11-04T02:00:00.000Z');
    r.details.rbac = { ...r.details.rbac!, breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] };
    await s.acquire();
    await s.save(r);
    await s.release();
    expect((await s.get('rb'))!.details.rbac).toEqual(r.details.rbac);
  });

  it('keeps an aggregating finding\'s extent and the diff\'s widened findings, whole and as read for a diff', async () => {
    const s = await store();
    const r = withExtents(makeReport('rx', '2026-11-04T02:00:00.000Z', { findings: 6 }));
    await s.acquire();
    await s.save(r);
    await s.release();
    const expected = extentsOf(r);
    expect(expected.filter(([, e]) => e !== 'no key')).toHaveLength(3);
    const got = (await s.get('rx'))!;
    expect(extentsOf(got)).toEqual(expected);
    expect(got.diff!.widened).toEqual(r.diff!.widened);
    // The pipeline's diff reads the stored run without its findings' message and evidence.
    for await (const run of s.runsNewestFirst('demo', { bulkyOf: () => false })) {
      expect(extentsOf(run)).toEqual(expected);
      break;
    }
  });

  it('refuses a second run id that is already stored', async () => {
    const s = await store();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await expect(s.save(makeReport('r1', '2026-11-02T02:00:00.000Z'))).rejects.toThrow(/already stored/);
    expect((await s.list(10)).length).toBe(1);
  });

  it('survives reopening (data is on disk, schema recorded)', async () => {
    const s = await store();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.close();
    const again = await store();
    expect((await again.list(5)).map((r) => r.id)).toEqual(['r1']);
    const raw = new DatabaseSync(db, { readOnly: true });
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SQLITE_SCHEMA_VERSION });
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    raw.close();
  });

  it('a run stored before it was notified gets its notification outcomes recorded; every read after a reopen returns them', async () => {
    const failed = [{ channel: 'slack' as const, status: 'failed' as const, detail: 'channel_not_found' }];
    const s = await store();
    const r1 = makeReport('r1', '2026-11-01T02:00:00.000Z');
    const r2 = makeReport('r2', '2026-11-02T02:00:00.000Z', { findings: 12 });
    await s.save(r1);
    await s.save(r2); // as serve stores it: before its notifiers ran
    await s.recordNotifications('r2', failed);
    await expect(s.recordNotifications('nope', failed)).rejects.toThrow(HistoryError);
    await s.close();
    const again = await store({ readOnly: true }); // a restarted process
    expect(await again.get('r2')).toEqual({ ...r2, notifications: failed });
    expect((await again.latest('demo'))?.notifications).toEqual(failed);
    const walked: Array<[string, unknown]> = [];
    for await (const run of again.runsNewestFirst('demo', { bulkyOf: () => false })) {
      walked.push([run.run.id, run.notifications]);
      spoolCloserOf(run)();
    }
    expect(walked).toEqual([['r2', failed], ['r1', []]]);
    expect((await again.list(1))[0]).toMatchObject({ id: 'r2', notifications: failed });
  });

  it('read-only commands do not create a history file', async () => {
    const s = await store({ readOnly: true });
    expect(await s.list(10)).toEqual([]);
    expect(await s.latest()).toBeNull();
    expect(existsSync(db)).toBe(false);
  });

  it('applies retention by count on save', async () => {
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 0 } });
    for (let i = 1; i <= 5; i++) await s.save(makeReport(`r${i}`, `2026-11-0${i}T02:00:00.000Z`));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['r5', 'r4', 'r3']);
    expect(await s.get('r1')).toBeNull();
  });

  it('applies retention by age on save, never dropping the run just stored', async () => {
    const now = () => new Date('2026-11-30T00:00:00Z');
    const s = await store({ retention: { maxRuns: 100, maxAgeDays: 10 }, now });
    await s.save(makeReport('old', '2026-10-01T02:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['old']);
    await s.save(makeReport('edge', '2026-11-19T23:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['edge']);
    await s.save(makeReport('recent', '2026-11-25T02:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['recent']);
  });
});

describe('SQLite store: retention is per cluster', () => {
  it('a busy cluster never evicts another cluster\'s runs, by count or by age', async () => {
    const now = () => new Date('2026-11-30T00:00:00Z');
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 30 }, now });
    await s.save(makeReport('beta', '2026-10-01T03:00:00.000Z', { cluster: 'beta' })); // beta's only run, past the age limit
    await s.save(makeReport('alpha-old', '2026-10-02T03:00:00.000Z', { cluster: 'alpha' }));
    for (let i = 1; i <= 5; i++) await s.save(makeReport(`alpha${i}`, `2026-11-2${i}T03:00:00.000Z`, { cluster: 'alpha' }));
    // alpha keeps its last 3 and loses its old run; beta's run waits for beta's own next save.
    expect((await s.list(10)).map((r) => r.id)).toEqual(['alpha5', 'alpha4', 'alpha3', 'beta']);
    await s.save(makeReport('beta2', '2026-11-29T03:00:00.000Z', { cluster: 'beta' }));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['beta2', 'alpha5', 'alpha4', 'alpha3']);
  });
});

describe('SQLite store: retention keeps what the next diff compares with', () => {
  const RBAC = 'rbac.wildcard-permission';
  const NET = 'network.namespace-default-deny-ingress';

  it('the last run that evaluated a check outlives maxRuns partial runs, so what appeared meanwhile is new', async () => {
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 0 } });
    await s.save(makeReport('full1', '2026-11-01T02:00:00.000Z'));
    for (let i = 1; i <= 4; i++) await s.save(blindTo(makeReport(`partial${i}`, `2026-11-01T02:0${i}:00.000Z`), [RBAC]));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['partial4', 'partial3', 'partial2', 'full1']);
    expect((await s.list(1))[0].blind).toEqual([RBAC]);

    const current = makeReport('full2', '2026-11-01T03:00:00.000Z'); // reads RBAC again: its findings appeared meanwhile
    const baseline = (await findBaseline(s.runsNewestFirst('demo'), current))!;
    expect(baseline.olderRuns).toEqual({ [RBAC]: 'full1' });
    const diff = diffRuns(baseline.report, current, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.notComparable).toEqual([]);
    expect(diff.new).toEqual(expect.arrayContaining(current.findings.filter((f) => f.check === RBAC && !f.waived).map((f) => f.fingerprint)));
    expect(diff.regression).toBe(true);
    for (const r of [baseline.latest, baseline.report]) spoolCloserOf(r)();

    // Evaluated again: full1 stays while a kept partial run carries its findings (report
    // partial3, diff partial3 full2), then goes by the usual rules.
    await s.save(current);
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full2', 'partial4', 'partial3', 'full1']);
    expect((await s.list(1))[0].blind).toBeUndefined();
    await s.save(makeReport('full3', '2026-11-01T04:00:00.000Z'));
    await s.save(makeReport('full4', '2026-11-01T05:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full4', 'full3', 'full2']);
  });

  it('walks back check by check, past the age limit too', async () => {
    const s = await store({ retention: { maxRuns: 1, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    await s.save(blindTo(makeReport('a', '2026-10-01T02:00:00.000Z'), [RBAC]));
    await s.save(blindTo(makeReport('b', '2026-10-02T02:00:00.000Z'), [NET]));
    await s.save(blindTo(makeReport('c', '2026-10-03T02:00:00.000Z'), [RBAC]));
    await s.save(blindTo(makeReport('d', '2026-11-28T02:00:00.000Z'), [RBAC, NET]));
    await s.save(blindTo(makeReport('e', '2026-11-29T02:00:00.000Z'), [RBAC, NET]));
    // NET was last evaluated in c, RBAC in b; a evaluated NET, but c did so later.
    expect((await s.list(10)).map((r) => r.id)).toEqual(['e', 'c', 'b']);
  });

  it('a run stored before summaries named blind checks counts as having evaluated every check', async () => {
    const s = await store({ retention: { maxRuns: 1, maxAgeDays: 0 } });
    await s.save(makeReport('full', '2026-11-01T02:00:00.000Z'));
    await s.save(blindTo(makeReport('legacy', '2026-11-02T02:00:00.000Z'), [RBAC]));
    const raw = new DatabaseSync(db);
    raw.prepare(`UPDATE runs SET summary = json_remove(summary, '$.blind') WHERE id = 'legacy'`).run();
    raw.close();
    await s.save(blindTo(makeReport('partial', '2026-11-03T02:00:00.000Z'), [RBAC]));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['partial', 'legacy']);
  });
});

describe('SQLite store after a clock correction (runs stored with future timestamps)', () => {
  it('retention never deletes the run just stored; latest, list and the walk go by insertion', async () => {
    const s = await store({ retention: { maxRuns: 3, maxAgeDays: 180 }, now: () => new Date('2026-11-30T00:00:00Z') });
    for (let i = 1; i <= 3; i++) await s.save(makeReport(`future${i}`, `2031-01-0${i}T02:00:00.000Z`));
    await s.save(makeReport('now', '2026-11-30T00:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['now', 'future3', 'future2']);
    expect((await s.latest())?.run.id).toBe('now');
    expect((await s.latest('demo'))?.run.id).toBe('now');
    const walked: string[] = [];
    for await (const r of s.runsNewestFirst('demo')) walked.push(r.run.id);
    expect(walked).toEqual(['now', 'future3', 'future2']);
    expect((await s.trend(10)).map((t) => t.id)).toEqual(['future2', 'future3', 'now']);
    await s.save(makeReport('next', '2026-11-30T01:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['next', 'now', 'future3']);
  });
});

describe('SQLite store: one run at a time', () => {
  it('refuses a second concurrent run with a clear message, then lets it in after release', async () => {
    const a = await store();
    const b = await store();
    await a.acquire();
    const refused = await b.acquire().then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(HistoryError);
    expect((refused as Error).message).toMatch(new RegExp(`^another ztaudit run holds ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since 20\\d\\d-\\d\\d-\\d\\dT[\\d:.]+Z \\(pid ${process.pid} on .+\\)`));
    // A lone save from the refused side is refused too, never interleaved.
    await expect(b.save(makeReport('sneaky', '2026-11-01T00:00:00.000Z'))).rejects.toThrow(/another ztaudit run holds/);
    await a.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await a.release();
    await b.acquire();
    await b.save(makeReport('r2', '2026-11-02T02:00:00.000Z'));
    await b.release();
    expect((await a.list(10)).map((r) => r.id)).toEqual(['r2', 'r1']);
  });

  it('refuses while another process holds it, and recovers once that process is killed', async () => {
    (await store()).close();
    const child = spawnStoreChild(db, 'hold');
    try {
      const pid = await child.ready;
      const s = await store();
      await expect(s.acquire()).rejects.toThrow(new RegExp(`another ztaudit run holds .* \\(pid ${pid} on `));
      await child.kill();
      await s.acquire(); // the kernel dropped the dead process's lock: no stale lock
      await s.save(makeReport('after', '2026-11-05T00:00:00.000Z'));
      await s.release();
      expect((await s.list(5)).map((r) => r.id)).toEqual(['after']);
    } finally {
      await child.kill();
    }
  });
});

describe('SQLite store: a run is stored whole or not at all', () => {
  it('keeps the history intact when a writer is SIGKILLed mid-save, at random points', async () => {
    const baseline = ['b1', 'b2', 'b3'];
    const s0 = await store();
    for (const [i, id] of baseline.entries()) await s0.save(makeReport(id, `2026-11-0${i + 1}T02:00:00.000Z`, { findings: 50 }));
    await s0.close();

    let interrupted = 0;
    const completed: string[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const child = spawnStoreChild(db, 'save');
      await child.ready;
      await sleep(40 + Math.floor(Math.random() * 500));
      await child.kill();
      const cut = interruptedRun(child.lines);
      if (cut) interrupted++;
      completed.push(...savedRuns(child.lines));

      // The database opens, passes an integrity check, and every stored run is whole.
      const raw = new DatabaseSync(db);
      expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      raw.close();
      const s = await openRunStore(db);
      const ids = (await s.list(10_000)).map((r) => r.id);
      for (const id of [...baseline, ...completed]) expect(ids).toContain(id);
      for (const id of ids) {
        const report = await s.get(id);
        expect(report && isWhole(report), `run ${id} is whole`).toBe(true);
      }
      if (cut && ids.includes(cut)) expect(isWhole((await s.get(cut))!)).toBe(true);
      await s.acquire(); // no stale lock after the kill
      await s.release();
      await s.close();
    }
    // The test means something only if kills landed inside saves.
    expect(interrupted).toBeGreaterThan(0);
  }, 120_000);
});

describe('SQLite store: files it cannot use are refused and left untouched', () => {
  it('a file that is not a database', async () => {
    writeFileSync(join(dir, 'junk.db'), 'this is not a database, it is a shopping list\n'.repeat(200));
    db = join(dir, 'junk.db');
    const before = sha(db);
    await expect(openRunStore(db)).rejects.toThrow(HistoryError);
    await expect(openRunStore(db)).rejects.toThrow(/cannot be used: .*left untouched/);
    expect(sha(db)).toBe(before);
    expect(readdirSync(dir)).toEqual(['junk.db']);
  });

  it('a history database with corrupted pages', async () => {
    const s = await store();
    for (let i = 1; i <= 3; i++) await s.save(makeReport(`r${i}`, `2026-11-0${i}T02:00:00.000Z`, { findings: 300, evidenceBytes: 200 }));
    await s.close();
    open.length = 0;
    const bytes = readFileSync(db);
    bytes.fill(0xa5, 4096, 4096 * 3); // pages 2 and 3: b-tree pages of the runs table
    writeFileSync(db, bytes);
    const before = sha(db);
    await expect(openRunStore(db)).rejects.toThrow(/cannot be used/);
    expect(sha(db)).toBe(before);
  });

  it('a database written by a newer ztaudit', async () => {
    const s = await store();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.close();
    open.length = 0;
    const raw = new DatabaseSync(db);
    raw.exec(`INSERT INTO schema_version (version) VALUES (${SQLITE_SCHEMA_VERSION + 1}); PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE`);
    raw.close();
    const before = sha(db);
    const files = readdirSync(join(dir, 'sub')).sort();
    await expect(openRunStore(db)).rejects.toThrow(new RegExp(`written by a newer ztaudit \\(schema ${SQLITE_SCHEMA_VERSION + 1}`));
    await expect(openRunStore(db, { readOnly: true })).rejects.toThrow(HistoryError);
    expect(sha(db)).toBe(before);
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual(files);
  });

  it('a SQLite database that belongs to something else', async () => {
    const raw = new DatabaseSync(join(dir, 'other.db'));
    raw.exec('CREATE TABLE invoices (id INTEGER)');
    raw.close();
    db = join(dir, 'other.db');
    const before = sha(db);
    await expect(openRunStore(db)).rejects.toThrow(/not a ztaudit history/);
    expect(sha(db)).toBe(before);
  });
});
