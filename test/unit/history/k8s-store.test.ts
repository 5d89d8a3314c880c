import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { HistoryError, UnreadableRunError } from '../../../src/base/errors.ts';
import { RECONSTRUCTED_NOTE } from '../../../src/history/compact.ts';
import { openK8sStore, type K8sStoreOptions } from '../../../src/history/k8s.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { auditObjects, clusterRole, deployment, netpol, ns } from '../diff/fake-checks.ts';
import { blindTo, extentsOf, makeReport, withExtents } from './big-report.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { KubeApiError } from '../../../src/kube/client.ts';

const NS = 'ztaudit';
const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');
function setup(options: Partial<K8sStoreOptions> = {}) {
  const fake = new FakeConfigMaps();
  const open = () => openK8sStore(NS, 'history', { api: fake.api(NS), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(), ...options });
  const index = () => JSON.parse(fake.objects.get(`${NS}/history`)!.data!['index.json']!);
  return { fake, open, index };
}

describe('Kubernetes store', () => {
  it('of the runs of a cluster stored since a mark, storedSince names the one that started last (the newest picture)', async () => {
    const s = await setup().open();
    const mark = await s.mark();
    await s.save(makeReport('late', '2026-11-01T03:00:00.000Z'));
    await s.save(makeReport('early', '2026-11-01T02:00:00.000Z')); // a slower run that started before 'late'
    await s.save(makeReport('other', '2026-11-01T04:00:00.000Z', { cluster: 'other' }));
    expect(await s.storedSince(mark, 'demo')).toEqual({ id: 'late', startedAt: '2026-11-01T03:00:00.000Z' });
    expect(await s.storedSince(await s.mark(), 'demo')).toBeNull();
  });

  it('stores runs and lists them newest first; an absent index is an empty history', async () => {
    const { fake, open } = setup();
    const s = await open();
    expect(await s.latest()).toBeNull();
    expect(await s.list(5)).toEqual([]);
    expect(fake.objects.size).toBe(0); // opening and reading wrote nothing
    await s.acquire();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z', { overall: 60 }));
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z', { overall: 70, cluster: 'other' }));
    await s.release();
    expect((await s.list(5)).map((r) => [r.id, r.score.overall])).toEqual([['r2', 70], ['r1', 60]]);
    expect((await s.latest())?.run.id).toBe('r2');
    expect((await s.latest('demo'))?.run.id).toBe('r1');
    expect((await s.trend(5)).map((t) => t.id)).toEqual(['r1', 'r2']);
    expect(s.describe()).toBe('k8s://ztaudit/history');
  });

  it('lists a page of runs stored before a run (serve\'s /runs?before=ID), by insertion: a run stored meanwhile does not shift it; an unknown run lists none', async () => {
    const s = await setup().open();
    for (const [id, at] of [['p1', '2026-11-05'], ['p2', '2026-11-01'], ['p3', '2026-11-03'], ['p4', '2026-11-02']] as const) await s.save(makeReport(id, `${at}T02:00:00.000Z`, { cluster: id === 'p3' ? 'other' : 'demo' }));
    expect((await s.list(2)).map((r) => r.id)).toEqual(['p4', 'p3']);
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    await s.save(makeReport('p5', '2026-11-06T02:00:00.000Z'));
    expect((await s.list(2, undefined, 'p3')).map((r) => r.id)).toEqual(['p2', 'p1']);
    expect((await s.list(5, undefined, 'p1')).map((r) => r.id)).toEqual([]);
    expect(await s.list(5, undefined, 'never-stored')).toEqual([]);
  });

  it('after a clock correction: retention never deletes the run just stored; latest and the walk go by insertion', async () => {
    const { open } = setup({ retention: { maxRuns: 3, maxAgeDays: 180 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const s = await open();
    for (let i = 1; i <= 3; i++) await s.save(makeReport(`future${i}`, `2031-01-0${i}T02:00:00.000Z`));
    await s.save(makeReport('now', '2026-11-30T00:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['now', 'future3', 'future2']);
    expect((await s.latest('demo'))?.run.id).toBe('now');
    const walked: string[] = [];
    for await (const r of s.runsNewestFirst('demo')) walked.push(r.run.id);
    expect(walked).toEqual(['now', 'future3', 'future2']);
  });

  it('a run stored before it was notified gets its notification outcomes recorded; every read after a reopen returns them', async () => {
    const failed = [{ channel: 'email' as const, status: 'failed' as const, detail: 'connect ECONNREFUSED' }];
    const { open } = setup();
    const s = await open();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.acquire();
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z')); // as serve stores it: before its notifiers ran
    await s.recordNotifications('r2', failed);
    await s.release();
    await expect(s.recordNotifications('nope', failed)).rejects.toThrow(HistoryError);
    await s.close();
    const again = await open(); // a restarted process
    expect((await again.get('r2'))?.notifications).toEqual(failed);
    expect((await again.latest('demo'))?.notifications).toEqual(failed);
    const walked: Array<[string, unknown]> = [];
    for await (const run of again.runsNewestFirst('demo')) walked.push([run.run.id, run.notifications]);
    expect(walked).toEqual([['r2', failed], ['r1', []]]);
  });

  it('a notifier\'s long error text is clipped in the history index, which all runs share within one ConfigMap\'s 1 MiB', async () => {
    const rejected = [{ channel: 'email' as const, status: 'failed' as const, detail: `rejected recipients: ${'someone@example.com, '.repeat(5000)}` }];
    const { open } = setup();
    const s = await open();
    await s.acquire();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.recordNotifications('r1', rejected);
    await s.release();
    const detail = (await s.get('r1'))?.notifications[0]?.detail ?? '';
    expect(detail.startsWith('rejected recipients: someone@example.com, ')).toBe(true);
    expect(detail.length).toBeLessThanOrEqual(500);
    expect(detail.endsWith('…')).toBe(true);
    await s.close();
  });

  it('a reconstructed run diffs exactly like the original', async () => {
    const { open } = setup();
    const a = auditObjects([ns('shop'), ns('web'), netpol('web'), deployment('shop', 'api', true), clusterRole('ci', ['*'])], { runId: 'A' });
    const config = defaultConfig();
    config.waivers = [{ check: 'rbac.fake-wildcard', resource: { kind: 'ClusterRole', name: 'ci' }, reason: 'CI', owner: 'ops@example.com', expires: '2099-01-01' }];
    const b = auditObjects([ns('shop'), ns('web'), netpol('shop'), deployment('shop', 'api', false), deployment('web', 'x', true), clusterRole('ci', ['*'])], { runId: 'B', config });
    const s = await open();
    await s.save(a.report);
    await s.save(b.report);
    const [ra, rb] = [await s.get('A'), await s.get('B')];
    const opts = { rules: defaultConfig().regression, expiredWaivers: [] };
    expect(diffRuns(ra!, rb!, opts)).toEqual(diffRuns(a.report, b.report, opts));
    const waived = rb!.findings.find((f) => f.check === 'rbac.fake-wildcard')!;
    expect(waived).toMatchObject({ waived: true, waiver: { owner: 'ops@example.com', expires: '2099-01-01' }, resource: { kind: 'ClusterRole', name: 'ci' } });
    expect(rb!.score).toEqual(b.report.score);
    expect(rb!.checks).toEqual(b.report.checks);
    expect(rb!.run.notes).toContain(RECONSTRUCTED_NOTE);
  });

  it('keeps the basis of the RBAC breadth through compaction, so the diff after a reopen still refuses to compare a partial run', async () => {
    const { open } = setup();
    const a = makeReport('A', '2026-12-01T02:00:00Z');
    a.details.rbac = { ...a.details.rbac!, breadthBasis: 'served' };
    const b = makeReport('B', '2026-12-02T02:00:00Z');
    b.details.rbac = { breadth: [{ ...b.details.rbac!.breadth[0]!, breadth: 420 }], breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] };
    const s = await open();
    await s.save(a);
    await s.save(b);
    const [ra, rb] = [await (await open()).get('A'), await (await open()).get('B')];
    expect(ra!.details.rbac).toEqual(a.details.rbac);
    expect(rb!.details.rbac).toEqual(b.details.rbac);
    const opts = { rules: defaultConfig().regression, expiredWaivers: [] };
    const d = diffRuns(ra!, rb!, opts);
    expect(d.breadthGrowth).toEqual([]);
    expect(d.breadthNotCompared).toContain('run B against partial API discovery (metrics.k8s.io');
    expect(d).toEqual(diffRuns(a, b, opts));
  });

  it('keeps an aggregating finding\'s extent and the diff\'s widened findings through compaction, after a reopen', async () => {
    const { open } = setup();
    const r = withExtents(makeReport('RX', '2026-12-01T02:00:00Z', { findings: 6 }));
    await (await open()).save(r);
    const expected = extentsOf(r);
    expect(expected.filter(([, e]) => e !== 'no key')).toHaveLength(3);
    const got = (await (await open()).get('RX'))!;
    expect(extentsOf(got)).toEqual(expected);
    expect(got.diff!.widened).toEqual(r.diff!.widened);
    for await (const run of (await open()).runsNewestFirst('demo', { bulkyOf: () => false })) {
      expect(extentsOf(run)).toEqual(expected);
      break;
    }
  });

  it('a run compacted before the basis was recorded reads back without one', async () => {
    const { open } = setup();
    const old = makeReport('OLD', '2026-12-01T02:00:00Z');
    const s = await open();
    await s.save(old);
    expect((await s.get('OLD'))!.details.rbac).toEqual({ breadth: old.details.rbac!.breadth });
  });

  it('splits a large run over several objects, each under the 1 MiB limit', async () => {
    const { fake, open, index } = setup();
    const s = await open();
    // 60,000 findings with unique fingerprints: the compact form alone is megabytes.
    const report = makeReport('big', '2026-11-01T02:00:00.000Z', { findings: 60_000 });
    await s.save(report);
    const objects: string[] = index().runs[0].objects;
    expect(objects.length).toBeGreaterThan(1);
    for (const o of objects) expect(Buffer.from(fake.objects.get(`${NS}/${o}`)!.binaryData!['run.json.gz.part']!, 'base64').length).toBeLessThan(1024 * 1024);
    const back = await s.get('big');
    expect(back!.findings.map((f) => f.fingerprint)).toEqual(report.findings.map((f) => f.fingerprint));
  });

  it('evicts the oldest runs beyond retention and deletes their objects', async () => {
    const { fake, open, index } = setup({ retention: { maxRuns: 2, maxAgeDays: 0 } });
    const s = await open();
    for (let i = 1; i <= 4; i++) await s.save(makeReport(`r${i}`, `2026-11-0${i}T02:00:00.000Z`));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['r4', 'r3']);
    const runObjects = [...fake.objects.keys()].filter((k) => k !== `${NS}/history`).sort();
    expect(runObjects).toEqual(index().runs.flatMap((r: { objects: string[] }) => r.objects).map((o: string) => `${NS}/${o}`).sort());
    expect(runObjects).toHaveLength(2);
  });

  it('evicts by age too, relative to now', async () => {
    const { open } = setup({ retention: { maxRuns: 0, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const s = await open();
    await s.save(makeReport('ancient', '2026-01-01T00:00:00.000Z'));
    await s.save(makeReport('fresh', '2026-11-29T00:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['fresh']);
  });

  it('retention is per cluster: a busy cluster never evicts another cluster\'s runs, by count or by age', async () => {
    const { fake, open, index } = setup({ retention: { maxRuns: 3, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const s = await open();
    await s.save(makeReport('beta', '2026-10-01T03:00:00.000Z', { cluster: 'beta' })); // beta's only run, past the age limit
    await s.save(makeReport('alpha-old', '2026-10-02T03:00:00.000Z', { cluster: 'alpha' }));
    for (let i = 1; i <= 5; i++) await s.save(makeReport(`alpha${i}`, `2026-11-2${i}T03:00:00.000Z`, { cluster: 'alpha' }));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['alpha5', 'alpha4', 'alpha3', 'beta']);
    await s.save(makeReport('beta2', '2026-11-29T03:00:00.000Z', { cluster: 'beta' }));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['beta2', 'alpha5', 'alpha4', 'alpha3']);
    const runObjects = [...fake.objects.keys()].filter((k) => k !== `${NS}/history`).sort();
    expect(runObjects).toEqual(index().runs.flatMap((r: { objects: string[] }) => r.objects).map((o: string) => `${NS}/${o}`).sort());
  });

  it('retention keeps the last run that evaluated a check, by count and by age, so what appeared meanwhile is new', async () => {
    const RBAC = 'rbac.wildcard-permission';
    const { fake, open, index } = setup({ retention: { maxRuns: 2, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const s = await open();
    await s.save(makeReport('full1', '2026-10-01T02:00:00.000Z'));
    for (let i = 1; i <= 3; i++) await s.save(blindTo(makeReport(`partial${i}`, `2026-11-2${i}T02:00:00.000Z`), [RBAC]));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['partial3', 'partial2', 'full1']);
    const current = makeReport('full2', '2026-11-29T02:00:00.000Z');
    const baseline = (await findBaseline(s.runsNewestFirst('demo'), current))!;
    expect(baseline.olderRuns).toEqual({ [RBAC]: 'full1' });
    const diff = diffRuns(baseline.report, current, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.notComparable).toEqual([]);
    expect(diff.regression).toBe(true);
    await s.save(current);
    // partial3, still kept, carried full1's findings (past the age limit too).
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full2', 'partial3', 'full1']);
    const runObjects = [...fake.objects.keys()].filter((k) => k !== `${NS}/history`).sort();
    expect(runObjects).toEqual(index().runs.flatMap((r: { objects: string[] }) => r.objects).map((o: string) => `${NS}/${o}`).sort());
  });

  it('retention keeps the runs the newest run was diffed against, so diff --last still shows what it alerted on', async () => {
    const RBAC = 'rbac.wildcard-permission';
    const { open } = setup({ retention: { maxRuns: 2, maxAgeDays: 30 }, now: () => new Date('2026-11-30T00:00:00Z') });
    const s = await open();
    const full1 = makeReport('full1', '2026-10-01T02:00:00.000Z', { findings: 8 });
    await s.save(full1);
    for (let i = 1; i <= 3; i++) await s.save(blindTo(makeReport(`partial${i}`, `2026-11-2${i}T02:00:00.000Z`, { findings: 8 }), [RBAC]));
    const backdoor = { ...full1.findings[0], fingerprint: 'backdoor', resource: { kind: 'ClusterRole', name: 'backdoor' }, waived: false };
    const current = { ...makeReport('full2', '2026-11-29T02:00:00.000Z', { findings: 8 }), findings: [...full1.findings, backdoor] };
    const baseline = (await findBaseline(s.runsNewestFirst('demo'), current))!;
    current.diff = diffRuns(baseline.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: baseline.olderRuns });
    expect(current.diff.olderBaselines).toEqual({ [RBAC]: 'full1' });
    await s.save(current);
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full2', 'partial3', 'full1']);
    const { current: last, previous, olderRuns, close } = await lastAndBaseline(s);
    close();
    expect(last.run.id).toBe('full2');
    expect(diffRuns(previous, last, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns }).new).toEqual(current.diff.new);
    expect(current.diff.new).toContain('backdoor');
    // The next run is diffed against full2: full1 goes by the usual rules.
    await s.save(makeReport('full3', '2026-11-29T03:00:00.000Z'));
    expect((await s.list(10)).map((r) => r.id)).toEqual(['full3', 'full2']);
  });

  it('diff --last over a stretch of runs blind to RBAC compares RBAC with the last full run, reading only the runs it takes from', async () => {
    const RBAC = 'rbac.wildcard-permission';
    const { fake, open, index } = setup({ retention: { maxRuns: 500, maxAgeDays: 0 } });
    const s = await open();
    const full1 = makeReport('full1', '2026-11-01T02:00:00.000Z', { findings: 8 });
    const again = (id: string, minutes: number) => ({ ...full1, run: { ...full1.run, id, startedAt: new Date(Date.parse(full1.run.startedAt) + minutes * 60_000).toISOString() } });
    const backdoor = { ...full1.findings[0], fingerprint: 'backdoor', resource: { kind: 'ClusterRole', name: 'backdoor' }, waived: false };
    await s.acquire();
    await s.save(full1);
    for (let i = 1; i <= 300; i++) await s.save(blindTo(again(`partial${i}`, i), [RBAC]));
    await s.save({ ...again('full2', 301), findings: [...full1.findings, backdoor] });
    await s.release();
    fake.calls = [];
    const { current, previous, olderRuns, close } = await lastAndBaseline(s);
    close();
    expect([current.run.id, previous.run.id]).toEqual(['full2', 'partial300']);
    expect(olderRuns).toEqual({ [RBAC]: 'full1' });
    const diff = diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns });
    expect(diff.new).toEqual(['backdoor']);
    expect(diff.notComparable).toEqual([]);
    // Only the runs the baseline takes from (and the latest, which the walk reads again) were
    // read: the 299 runs passed over were judged by their summaries in the index alone.
    const objectsOf = (ids: string[]) => new Set((index().runs as Array<{ id: string; objects: string[] }>).filter((r) => ids.includes(r.id)).flatMap((r) => r.objects));
    const runReads = fake.calls.filter((c) => c.startsWith('read ') && c !== 'read history').map((c) => c.slice('read '.length));
    expect(new Set(runReads)).toEqual(objectsOf(['full2', 'partial300', 'full1']));
  });

  it('an index too large for its object loses runs no diff needs first, whichever cluster they are of', async () => {
    const { fake, open } = setup();
    const s = await open();
    await s.save(makeReport('beta1', '2026-11-01T02:00:00.000Z', { cluster: 'beta' }));
    await s.save(makeReport('alpha1', '2026-11-02T02:00:00.000Z', { cluster: 'alpha' }));
    await s.save(makeReport('alpha2', '2026-11-03T02:00:00.000Z', { cluster: 'alpha' }));
    // Pad the three summaries so that one more run makes the index overflow by one of them.
    const cm = fake.objects.get(`${NS}/history`)!;
    const idx = JSON.parse(cm.data!['index.json']!);
    for (const r of idx.runs) r.summary.pad = 'x'.repeat(320_000);
    cm.data!['index.json'] = JSON.stringify(idx);
    await s.save(makeReport('alpha3', '2026-11-04T02:00:00.000Z', { cluster: 'alpha' }));
    // beta1 is the oldest, but beta's next diff compares with it.
    expect((await s.list(10)).map((r) => r.id)).toEqual(['alpha3', 'alpha2', 'beta1']);
  });

  it('a writer killed after writing its objects but before the index leaves nothing visible, and the debris is collected', async () => {
    const { fake, open } = setup();
    const s = await open();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    // The "killed" writer: its object creation succeeds, the index update never happens.
    const dying = await open();
    fake.before = (call, name) => { if (call === 'replace' && name === 'history' && fake.calls.some((c) => c.startsWith('create history-r2'))) throw new Error('SIGKILL'); };
    await dying.acquire();
    await expect(dying.save(makeReport('r2', '2026-11-02T02:00:00.000Z'))).rejects.toThrow();
    fake.before = null;
    expect(fake.objects.has(`${NS}/history-r2-0`)).toBe(true);
    expect((await s.list(10)).map((r) => r.id)).toEqual(['r1']);
    // Its lock is still in the index; it is stale once its heartbeat is (here: the same host, dead pid).
    const idx = JSON.parse(fake.objects.get(`${NS}/history`)!.data!['index.json']!);
    idx.lock.pid = 2 ** 22 + 12345; // no such process
    fake.objects.get(`${NS}/history`)!.data!['index.json'] = JSON.stringify(idx);
    await s.acquire();
    await s.save(makeReport('r3', '2026-11-03T02:00:00.000Z'));
    await s.release();
    expect((await s.list(10)).map((r) => r.id)).toEqual(['r3', 'r1']);
    expect([...fake.objects.keys()].sort()).toEqual([`${NS}/history`, `${NS}/history-r1-0`, `${NS}/history-r2-0`].sort());
    expect((await s.get('r3'))?.run.id).toBe('r3'); // r3 reused seq 2 over the debris
  });

  // README: "a store never replaces an object that is not one of its own" — nor deletes one. An index
  // entry names whatever the index says: a copy of another store's index (kubectl get cm NAME -o json |
  // rename | kubectl create -f -) names that store's objects, a hand edit any ConfigMap of the namespace.
  it('retention deletes only the store\'s own run objects: a copy of another store\'s index reads its runs while they last and never deletes them, nor an application ConfigMap an entry names', async () => {
    const { fake, open } = setup({ retention: { maxRuns: 2, maxAgeDays: 0 } });
    const original = await open();
    await original.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await original.save(makeReport('r2', '2026-11-02T02:00:00.000Z'));
    const copy = structuredClone(fake.objects.get(`${NS}/history`)!);
    copy.metadata = { name: 'restored', namespace: NS, labels: { ...copy.metadata!.labels, 'ztaudit.io/history': 'restored' } };
    await fake.api(NS).create(copy);
    const app = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payments-config', namespace: NS }, data: { 'db.url': 'postgres://payments' } };
    await fake.api(NS).create(structuredClone(app));
    // Named like the copy's run objects, but not labelled as one: someone else's.
    await fake.api(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'restored-r9-0', namespace: NS }, data: { note: 'not ztaudit\'s' } });
    const restored = await openK8sStore(NS, 'restored', { api: fake.api(NS), retention: { maxRuns: 2, maxAgeDays: 0 }, now: () => new Date() });
    expect((await restored.get('r1'))?.run.id).toBe('r1');

    // The original evicts r1 and deletes its object, which is its own: the copy says r1 is unreadable, and why.
    await original.save(makeReport('r3', '2026-11-03T02:00:00.000Z'));
    expect(fake.objects.has(`${NS}/history-r1-0`)).toBe(false);
    const gone = await restored.get('r1').then(() => null, (e: unknown) => e);
    expect(gone).toBeInstanceOf(UnreadableRunError);
    expect((gone as Error).message).toBe('k8s://ztaudit/restored: run r1 is unreadable: its object history-r1-0 is gone');
    expect((await restored.list(10)).map((r) => r.id)).toEqual(['r2', 'r1']);

    // A hand edit points the copy's r1 at the application's ConfigMap and the look-alike.
    const cm = fake.objects.get(`${NS}/restored`)!;
    const edited = JSON.parse(cm.data!['index.json']!);
    edited.runs[0].objects = ['payments-config', 'restored-r9-0'];
    cm.data!['index.json'] = JSON.stringify(edited);
    const kept = ['history-r2-0', 'history-r3-0', 'payments-config', 'restored-r9-0'].map((n) => [n, digest(fake.objects.get(`${NS}/${n}`))]);
    // Two saves evict both copied runs from the copy (maxRuns 2); the third its own first run.
    for (const [i, id] of ['R4', 'R5', 'R6'].entries()) await restored.save(makeReport(id, `2026-11-0${i + 4}T02:00:00.000Z`));
    expect((await restored.list(10)).map((r) => r.id)).toEqual(['R6', 'R5']);
    for (const [n, d] of kept) expect([n, digest(fake.objects.get(`${NS}/${n}`))]).toEqual([n, d]);
    expect((await original.get('r2'))?.run.id).toBe('r2');
    // Its own evicted run's (R4's) object is deleted as before.
    const own = JSON.parse(fake.objects.get(`${NS}/restored`)!.data!['index.json']!).runs.flatMap((r: { objects: string[] }) => r.objects);
    expect(own).toHaveLength(2);
    expect([...fake.objects.keys()].filter((k) => k.startsWith(`${NS}/restored-r`)).sort()).toEqual([...own, 'restored-r9-0'].map((n) => `${NS}/${n}`).sort());
  });

  // A label value is at most 63 characters (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set),
  // a ConfigMap name up to 253: two long store names can share their ztaudit.io/history label.
  it('two stores whose long names share their 63-character label never delete each other\'s run objects', async () => {
    const fake = new FakeConfigMaps();
    const named = (name: string) => openK8sStore(NS, name, { api: fake.api(NS), retention: { maxRuns: 1, maxAgeDays: 0 }, now: () => new Date() });
    const [a, b] = [await named(`${'h'.repeat(63)}-a`), await named(`${'h'.repeat(63)}-b`)];
    await b.save(makeReport('B-1', '2026-11-01T02:00:00.000Z'));
    await a.save(makeReport('A-1', '2026-11-02T02:00:00.000Z'));
    await a.save(makeReport('A-2', '2026-11-03T02:00:00.000Z'));
    expect((await b.get('B-1'))?.run.id).toBe('B-1');
    expect([...fake.objects.keys()].filter((k) => /-r\d+-\d+$/.test(k)).map((k) => k.slice(NS.length + 64)).sort()).toEqual(['-a-r2-0', '-b-r1-0']);
  });

  it('when the store\'s run objects cannot be listed, a save deletes nothing (not even the evicted run\'s objects); the next save collects them', async () => {
    const { fake, open } = setup({ retention: { maxRuns: 1, maxAgeDays: 0 } });
    const s = await open();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    fake.before = (call) => { if (call === 'list') throw new KubeApiError({ status: 403, body: { message: 'configmaps is forbidden: cannot list resource "configmaps"' } }); };
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z'));
    fake.before = null;
    expect((await s.list(10)).map((r) => r.id)).toEqual(['r2']);
    expect(fake.objects.has(`${NS}/history-r1-0`)).toBe(true);
    await s.save(makeReport('r3', '2026-11-03T02:00:00.000Z'));
    expect([...fake.objects.keys()].filter((k) => k !== `${NS}/history`)).toEqual([`${NS}/history-r3-0`]);
  });

  it('history forget: when a run object cannot be deleted, it says the runs are forgotten and which object is left; the next save deletes it', async () => {
    const { fake, open } = setup();
    const s = await open();
    await s.save(makeReport('e1', '2026-11-01T02:00:00.000Z', { cluster: 'east' }));
    await s.save(makeReport('p1', '2026-11-01T03:00:00.000Z', { cluster: 'prod' }));
    fake.before = (call) => { if (call === 'delete') throw new KubeApiError({ status: 403, body: { message: 'configmaps "history-r1-0" is forbidden: cannot delete resource "configmaps"' } }); };
    await expect(s.forget('east', true)).rejects.toThrow(new HistoryError('k8s://ztaudit/history: cannot delete run object history-r1-0: HTTP 403: configmaps "history-r1-0" is forbidden: cannot delete resource "configmaps" — the auditor needs get, list, create, update and delete on configmaps in namespace ztaudit (a namespaced Role); the 1 run(s) of cluster "east" are out of the index (forgotten), their objects left are deleted by the next save or forget'));
    fake.before = null;
    expect((await s.list(10)).map((r) => r.id)).toEqual(['p1']);
    expect(fake.objects.has(`${NS}/history-r1-0`)).toBe(true);
    await s.save(makeReport('p2', '2026-11-02T03:00:00.000Z', { cluster: 'prod' }));
    expect([...fake.objects.keys()].filter((k) => k !== `${NS}/history`).sort()).toEqual([`${NS}/history-r2-0`, `${NS}/history-r3-0`]);
  });

  it('a damaged entry whose objects are no longer a list (kubectl edit flattened ["history-r2-0"] to "history-r2-0") keeps its run object and its sequence number, even with nextSeq gone too', async () => {
    const { fake, open, index } = setup();
    const s = await open();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z'));
    const cm = fake.objects.get(`${NS}/history`)!;
    const edited = index();
    expect(edited.runs[1].objects).toEqual(['history-r2-0']);
    edited.runs[1].objects = 'history-r2-0';
    delete edited.nextSeq;
    cm.data!['index.json'] = JSON.stringify(edited);
    const r2 = digest(fake.objects.get(`${NS}/history-r2-0`));
    const warnings: string[] = [];
    const again = await openK8sStore(NS, 'history', { api: fake.api(NS), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(), warn: (l) => warnings.push(l) });
    await again.save(makeReport('r3', '2026-11-03T02:00:00.000Z'));
    expect(warnings).toEqual(['k8s://ztaudit/history: entry runs[1] of the history index (ConfigMap ztaudit/history, key index.json) is not a stored run: its objects are not a list of ConfigMap names; it is kept there as it is; passed over']);
    expect(digest(fake.objects.get(`${NS}/history-r2-0`))).toBe(r2);
    expect(fake.objects.get(`${NS}/history-r2-0`)!.metadata!.annotations!['ztaudit.io/run-id']).toBe('r2');
    expect(index().runs.map((r: { id: string; objects: unknown }) => [r.id, r.objects])).toEqual([['r1', ['history-r1-0']], ['r2', 'history-r2-0'], ['r3', ['history-r3-0']]]);
    // Nested anywhere else in the entry, it is found too.
    edited.runs = index().runs;
    edited.runs[1].objects = { parts: [{ name: 'history-r2-0' }] };
    cm.data!['index.json'] = JSON.stringify(edited);
    await again.save(makeReport('r4', '2026-11-04T02:00:00.000Z'));
    expect(digest(fake.objects.get(`${NS}/history-r2-0`))).toBe(r2);
    expect(index().runs.at(-1).objects).toEqual(['history-r4-0']);
  });

  // `history` lists a damaged entry as an UNREADABLE run of the cluster it still names, so forgetting
  // that cluster removes it too; a damaged entry of another cluster, or of none, stays as it is.
  it('history forget removes the cluster\'s damaged entries too (kubectl edit flattened one\'s objects to a string): counted and said, their objects deleted, nothing of the cluster left', async () => {
    const { fake, open, index } = setup();
    const s = await open();
    await s.save(makeReport('old1', '2026-11-01T02:00:00.000Z', { cluster: 'old' }));
    await s.save(makeReport('old2', '2026-11-02T02:00:00.000Z', { cluster: 'old' }));
    await s.save(makeReport('prod1', '2026-11-03T02:00:00.000Z', { cluster: 'prod' }));
    await s.save(makeReport('prod2', '2026-11-04T02:00:00.000Z', { cluster: 'prod' }));
    await s.close();
    const cm = fake.objects.get(`${NS}/history`)!;
    const edited = index();
    edited.runs[0].objects = edited.runs[0].objects[0]; // old1
    edited.runs[2].objects = edited.runs[2].objects[0]; // prod1: another cluster's, kept
    edited.runs.push(null);
    cm.data!['index.json'] = JSON.stringify(edited);

    const st = await openK8sStore(NS, 'history', { api: fake.api(NS), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date(), warn: () => {} });
    const both = { runs: 2, damaged: 1, oldest: { id: 'old1', startedAt: '2026-11-01T02:00:00.000Z' }, newest: { id: 'old2', startedAt: '2026-11-02T02:00:00.000Z' } };
    expect(await st.forget('old', false)).toEqual(both);
    expect(await st.forget('old', true)).toEqual(both);

    const unreadable: string[] = [];
    const listed = await st.list(10, (e) => unreadable.push(`${e.runId} ${e.cluster}`));
    expect(listed.map((r) => r.id)).toEqual(['prod2']);
    expect(unreadable).toEqual(['runs[2] undefined', 'prod1 prod']);
    expect(index().runs.map((r: { id?: string } | null) => r?.id ?? null)).toEqual(['prod1', 'prod2', null]);
    // old1's and old2's objects are deleted; prod1's (its damaged entry still names it) and prod2's stay.
    expect([...fake.objects.keys()].filter((k) => k !== `${NS}/history`).sort()).toEqual([`${NS}/history-r3-0`, `${NS}/history-r4-0`]);
    expect(await st.forget('old', false)).toEqual({ runs: 0, oldest: null, newest: null });
    // What serve asks before it answers /runs/ID from its page cache: a damaged entry with the id is a run held.
    expect([await st.has('old1'), await st.has('old2'), await st.has('prod1'), await st.has('prod2')]).toEqual([false, false, true, true]);
    await st.close();
  });

  // ConfigMap data values are any UTF-8 string (https://kubernetes.io/docs/concepts/configuration/configmap/):
  // the apiserver keeps whatever `kubectl edit` leaves in index.json, so only ztaudit can tell an entry is no run.
  it('a damaged entry of the index\'s runs list (null, a number, an object without an id) is passed over with one warning each, listed as UNREADABLE in its place, and written back as it was', async () => {
    const { fake, open, index } = setup();
    const s = await open();
    for (const [i, id] of ['r0', 'r1', 'r2'].entries()) await s.save(makeReport(id, `2026-11-0${i + 1}T02:00:00.000Z`));
    await s.close();
    // The hand edit: r0's entry loses its id, a null and a number are typed into the list.
    const cm = fake.objects.get(`${NS}/history`)!;
    const edited = index();
    const [r0, r1, r2] = edited.runs;
    delete r0.id;
    edited.runs = [r0, null, r1, 7, r2];
    cm.data!['index.json'] = JSON.stringify(edited);
    const damagedText = JSON.stringify(edited.runs.filter((_: unknown, i: number) => i !== 2 && i !== 4));
    const where = (n: number, why: string) => `k8s://ztaudit/history: entry runs[${n}] of the history index (ConfigMap ztaudit/history, key index.json) is not a stored run: ${why}; it is kept there as it is`;

    // Every other run reads: the latest, the diff's walk, a run by id, the trend.
    const warnings: string[] = [];
    const reader = await openK8sStore(NS, 'history', { api: fake.api(NS), retention: { maxRuns: 2, maxAgeDays: 0 }, now: () => new Date(), warn: (l) => warnings.push(l) });
    expect((await reader.latest('demo'))?.run.id).toBe('r2');
    const walked: string[] = [];
    for await (const r of reader.runsNewestFirst('demo')) walked.push(r.run.id);
    expect(walked).toEqual(['r2', 'r1']);
    expect((await reader.get('r1'))?.run.id).toBe('r1');
    expect((await reader.trend(10, 'demo')).map((t) => t.id)).toEqual(['r1', 'r2']);
    // One line each, however often the index is read.
    expect(warnings).toEqual([where(0, 'its id is not text'), where(1, 'not a JSON object'), where(3, 'not a JSON object')].map((w) => `${w}; passed over`));

    // Listed in their places, newest first, as runs whose summary cannot be read (what `history` shows as UNREADABLE).
    const unreadable: Array<[string, number, string, string | undefined]> = [];
    const listed = await (await open()).list(10, (error, place) => unreadable.push([error.runId, place, error.part, error.cluster]));
    expect(listed.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(unreadable).toEqual([['runs[3]', 1, 'entry', undefined], ['runs[1]', 3, 'entry', undefined], ['runs[0]', 4, 'entry', 'demo']]);

    // The next save evicts r1 (maxRuns 2) and writes every damaged entry back verbatim, in its place.
    const r0Objects: string[] = r0.objects;
    await reader.save(makeReport('r3', '2026-11-04T02:00:00.000Z'));
    expect(index().runs.map((r: { id?: string } | null | number) => (typeof r === 'object' && r !== null ? r.id ?? '(no id)' : r))).toEqual(['(no id)', null, 7, 'r2', 'r3']);
    expect(JSON.stringify(index().runs.slice(0, 3))).toBe(damagedText);
    // Its objects are kept (the entry may be repaired by hand); the evicted r1's are deleted.
    for (const o of r0Objects) expect(fake.objects.has(`${NS}/${o}`)).toBe(true);
    for (const o of r1.objects as string[]) expect(fake.objects.has(`${NS}/${o}`)).toBe(false);
    expect(warnings).toHaveLength(3);
    await reader.close();
  });
});

describe('Kubernetes store: one run at a time', () => {
  it('refuses a second run with a clear message; lets it in after release', async () => {
    const { open } = setup();
    const a = await open();
    const b = await open();
    await a.acquire();
    await expect(b.acquire()).rejects.toThrow(new RegExp(`^another ztaudit run holds k8s://ztaudit/history since \\S+Z \\(pid ${process.pid} on ${hostname()}\\)`));
    await expect(b.save(makeReport('x', '2026-11-01T00:00:00.000Z'))).rejects.toThrow(HistoryError);
    await a.release();
    await b.acquire();
    await b.release();
  });

  it('two runs racing for the lock: the compare-and-swap lets exactly one in', async () => {
    const { fake, open } = setup();
    const a = await open();
    const b = await open();
    await a.save(makeReport('r0', '2026-11-01T00:00:00.000Z')); // index exists
    const results = await Promise.allSettled([a.acquire(), b.acquire()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(rejected.reason.message)).toMatch(/another ztaudit run holds/);
    expect(fake.calls.filter((c) => c === 'replace history').length).toBeGreaterThanOrEqual(2);
  });

  it('a stale lock (heartbeat older than the TTL) is taken over; the old holder cannot save', async () => {
    let now = new Date('2026-11-01T00:00:00Z');
    const { open } = setup({ now: () => now, lockTtlMs: 60_000 });
    const old = await open();
    await old.acquire();
    now = new Date('2026-11-01T00:05:00Z');
    const fresh = await open();
    await fresh.acquire();
    await expect(old.save(makeReport('late', '2026-11-01T00:00:00.000Z'))).rejects.toThrow(/lost its hold/);
    await fresh.save(makeReport('ok', '2026-11-01T00:05:00.000Z'));
    expect((await fresh.list(5)).map((r) => r.id)).toEqual(['ok']);
  });

  // Another ztaudit under our host name (hostNetwork pods on one node, a shared spec.hostname)
  // in its own PID namespace, where it is pid 1 too, or a pid not in use here.
  const otherPidNamespace = 'another-boot-id/pid:[4026532999]';
  async function plantLock(fake: FakeConfigMaps, open: () => Promise<RunStore>, lock: Record<string, unknown>): Promise<void> {
    const s = await open();
    await s.save(makeReport('r0', '2026-11-01T00:00:00.000Z')); // the index exists
    const cm = fake.objects.get(`${NS}/history`)!;
    const idx = JSON.parse(cm.data!['index.json']!);
    const now = new Date().toISOString();
    idx.lock = { token: 't-other', host: hostname(), since: now, heartbeat: now, processId: 'other-process', leaseSeconds: 1.5, ...lock };
    cm.data!['index.json'] = JSON.stringify(idx);
    fake.touch(NS, 'history');
  }

  it('a live holder under our host name in another PID namespace is refused, whatever its pid, never taken over', async () => {
    for (const pid of [process.pid, 2 ** 22 + 12345]) {
      const { fake, open, index } = setup();
      await plantLock(fake, open, { pid, pidNamespace: otherPidNamespace });
      // It renews its heartbeat as a live holder does.
      const renewing = setInterval(() => {
        const cm = fake.objects.get(`${NS}/history`)!;
        const idx = JSON.parse(cm.data!['index.json']!);
        idx.lock.heartbeat = new Date().toISOString();
        cm.data!['index.json'] = JSON.stringify(idx);
        fake.touch(NS, 'history');
      }, 300);
      try {
        const s = await open();
        await expect(s.acquire()).rejects.toThrow(new RegExp(`^another ztaudit run holds k8s://ztaudit/history since \\S+Z \\(pid ${pid} on ${hostname()}\\)`));
        expect(index().lock.token).toBe('t-other');
      } finally {
        clearInterval(renewing);
      }
    }
  });

  it('a dead holder under our host name: taken at once in our PID namespace (a restarted process), after its lease in another (a restarted container)', async () => {
    {
      const { fake, open, index } = setup();
      await plantLock(fake, open, { pid: process.pid, pidNamespace: otherPidNamespace });
      const s = await open();
      const t0 = Date.now();
      await s.acquire();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1200); // its 1.5 s lease, from its last heartbeat
      expect(index().lock.token).not.toBe('t-other');
      await s.save(makeReport('r1', '2026-11-01T01:00:00.000Z'));
      await s.release();
    }
    {
      const { fake, open, index } = setup();
      const probe = await open();
      await probe.acquire();
      const ours = index().lock.pidNamespace as string;
      await probe.release();
      expect(ours).toMatch(/^\S+\/pid:\[\d+\]$/);
      await plantLock(fake, open, { pid: process.pid, pidNamespace: ours, leaseSeconds: 60 });
      const s = await open();
      const t0 = Date.now();
      await s.acquire();
      expect(Date.now() - t0).toBeLessThan(1000);
      await s.release();
    }
  });

  it('saves retry the index compare-and-swap when it changed underneath', async () => {
    const { fake, open } = setup();
    const s = await open();
    await s.acquire();
    let bumped = false;
    fake.before = (call, name) => { if (call === 'replace' && name === 'history' && !bumped) { bumped = true; fake.touch(NS, 'history'); } };
    await s.save(makeReport('r1', '2026-11-01T00:00:00.000Z'));
    expect((await s.list(5)).map((r) => r.id)).toEqual(['r1']);
  });
});

describe('Kubernetes store: an index it cannot use is refused and left untouched', () => {
  it('newer schema', async () => {
    const { fake, open } = setup();
    await (await open()).save(makeReport('r1', '2026-11-01T00:00:00.000Z'));
    const cm = fake.objects.get(`${NS}/history`)!;
    cm.data!['index.json'] = JSON.stringify({ ...JSON.parse(cm.data!['index.json']!), schemaVersion: 7 });
    const before = digest([...fake.objects.entries()]);
    await expect(open()).rejects.toThrow(/newer ztaudit \(index schema 7/);
    expect(digest([...fake.objects.entries()])).toBe(before);
  });

  it('not a ztaudit index', async () => {
    const { fake, open } = setup();
    fake.objects.set(`${NS}/history`, { metadata: { name: 'history', namespace: NS, resourceVersion: '1' }, data: { 'index.json': '{oops' } });
    await expect(open()).rejects.toThrow(/not a readable ztaudit history index/);
  });

  it('two stores named alike: one never overwrites the other\'s index with a run object, and a new store cannot take a run object\'s name', async () => {
    const { fake, open } = setup();
    const named = (name: string) => openK8sStore(NS, name, { api: fake.api(NS), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date() });
    // Store history-r1-0, made before such names were refused, holds a run; its index is
    // named like store history's first run object.
    const other = await named('other');
    await other.save(makeReport('OTHER-1', '2026-11-01T00:00:00.000Z'));
    const index = structuredClone(fake.objects.get(`${NS}/other`)!);
    index.metadata = { name: 'history-r1-0', namespace: NS, resourceVersion: '1', labels: { ...index.metadata!.labels, 'ztaudit.io/history': 'history-r1-0' } };
    fake.objects.set(`${NS}/history-r1-0`, index);
    const before = digest(fake.objects.get(`${NS}/history-r1-0`));
    const s = await open();
    const err = await s.save(makeReport('H-1', '2026-11-02T00:00:00.000Z')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as Error).message).toBe('k8s://ztaudit/history: cannot store run H-1: ConfigMap ztaudit/history-r1-0 already exists and is the index of k8s://ztaudit/history-r1-0; it was left untouched — give one of the stores another NAME (one ending in -r<N>-<N> is named like another store\'s run objects)');
    expect(digest(fake.objects.get(`${NS}/history-r1-0`))).toBe(before);
    expect((await (await named('history-r1-0')).list(5)).map((r) => r.id)).toEqual(['OTHER-1']);
    expect(await s.list(5)).toEqual([]);

    // A new store under such a name is refused before anything is written; one whose name is
    // another store's run object is told so, not to delete it.
    await expect(named('audit-r3-0')).rejects.toThrow(/^k8s:\/\/ztaudit\/audit-r3-0: a store NAME ending in -r<N>-<N> is named like the run objects of k8s:\/\/ztaudit\/audit; choose another NAME$/);
    expect(fake.objects.has(`${NS}/audit-r3-0`)).toBe(false);
    await (await named('audit')).save(makeReport('A-1', '2026-11-03T00:00:00.000Z'));
    await expect(named('audit-r1-0')).rejects.toThrow(/^k8s:\/\/ztaudit\/audit-r1-0: ConfigMap ztaudit\/audit-r1-0 is a run object of k8s:\/\/ztaudit\/audit, not a history index; it was left untouched — use another NAME$/);
  });

  it('RBAC refusal names what to grant', async () => {
    const { fake, open } = setup();
    fake.before = () => { throw new KubeApiError({ status: 403, body: { message: 'configmaps "history" is forbidden: User "system:serviceaccount:ztaudit:auditor" cannot get resource "configmaps"' } }); };
    await expect(open()).rejects.toThrow(/HTTP 403: configmaps "history" is forbidden.*needs get, list, create, update and delete on configmaps in namespace ztaudit/);
  });
});

