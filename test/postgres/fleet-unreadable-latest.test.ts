// A cluster's newest stored run whose summary cannot be read (a hand edit, another writer) makes
// that cluster's state unknown: `fleet` (every format) and the fleet digest say so by name,
// never show the older run as the current state, never drop a cluster no run of which can be
// read (it stays listed, stale by the row's own started_at), and never give an all-clear.
// README "Missing data is not a fix"; the reviewer's repro (z4) in short.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fleetDataOf } from '../../src/fleet/data.ts';
import { buildFleetView } from '../../src/fleet/view.ts';
import { openRunStore } from '../../src/history/store.ts';
import { buildSlackDigest, digestHeadline, digestSkipReason } from '../../src/notify/fleet-digest.ts';
import { DEFAULT_FLEET_QUERY } from '../../src/run/fleet.ts';
import { renderFleetFormat } from '../../src/fleet/render.ts';
import { FLEET_LOOKBACK } from '../../src/history/postgres.ts';
import { fleetRun, HOSTILE, NOW, runsWithRegressionBeforeUnreadable, runsWithUnreadableLatest } from '../unit/fleet/seed.ts';
import { captureIO } from '../helpers/cli.ts';
import { adminQuery, createDb, describePg } from './env.ts';

describePg('fleet with a cluster whose newest run cannot be read (PostgreSQL)', (server) => {
  const work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-fleet-unreadable-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the report in every format and the digest name each such cluster; an older run is marked not current; none is dropped; no all-clear', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const p1 = fleetRun('p', 'p1', at(10), 70);
    const p2 = fleetRun('p', 'p2', at(2), 60, { previous: p1, regression: ['2 new high findings'] });
    const old1 = fleetRun('old', 'old1', at(75), 80);
    const h1 = fleetRun(HOSTILE, 'h1', at(1), 90);
    const ok1 = fleetRun('ok', 'ok1', at(1), 95);
    const store = await openRunStore(db.url, { env });
    for (const r of [p1, old1, h1, ok1, p2]) await store.save(r);
    await store.close();
    // The reviewer's hand edits: a summary that is no RunSummary; a newest run whose score is text.
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = '{"id":1}' WHERE id IN ('old1', 'h1')`, [], db.name);
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = jsonb_set(summary, '{score}', '"x"') WHERE id = 'p2'`, [], db.name);

    const t = captureIO(work, env);
    expect(await main(['fleet', '--history', db.url, '--format', 'html,json,md', '--out', 'f', '--no-notify'], t.cli)).toBe(2);
    expect(t.errLines()).toHaveLength(3); // each unreadable run named once
    expect(t.out()).toContain('4 clusters, ');
    expect(t.out()).toContain(', 3 whose latest run could not be read (state unknown), ');

    const json = JSON.parse(readFileSync(join(work, 'f/fleet.json'), 'utf8')) as {
      clusters: Array<{ cluster: string; latest: { id: string }; latestUnreadable?: { runId: string; startedAt: string | null } }>;
      stale: Array<{ cluster: string; runId: string }>;
      unreadable: Array<{ cluster: string; runId: string; startedAt: string | null; shownBy: string | null; stale: boolean }>;
    };
    expect(json.unreadable).toEqual([
      { cluster: HOSTILE, runId: 'h1', startedAt: h1.run.startedAt, shownBy: null, stale: false },
      { cluster: 'old', runId: 'old1', startedAt: old1.run.startedAt, shownBy: null, stale: true },
      { cluster: 'p', runId: 'p2', startedAt: p2.run.startedAt, shownBy: 'p1', stale: false },
    ]);
    // p is still shown by p1, marked: its latest run is p2, which could not be read.
    expect(json.clusters.map((c) => [c.cluster, c.latest.id, c.latestUnreadable?.runId ?? null])).toEqual([['ok', 'ok1', null], ['p', 'p1', 'p2']]);
    // old is stale by its row's started_at (75 h ago > 48 h), though its summary cannot say.
    expect(json.stale).toEqual([{ cluster: 'old', runId: 'old1', startedAt: old1.run.startedAt }]);

    const md = readFileSync(join(work, 'f/fleet.md'), 'utf8');
    expect(md).toContain('# ztaudit fleet report: 4 clusters');
    expect(md).toContain('; 1 without a run in the last 48 h (stale); 3 whose latest run could not be read (state unknown).');
    expect(md).toMatch(/\| p \(latest run p2 could not be read: older run p1 shown\) \|/);
    expect(md).toContain('## Latest run could not be read');
    expect(md).toMatch(/- \*\*old\*\* \(stale\): latest run old1, started [^,]+, could not be read: the cluster's state is unknown; no run of it could be read/);
    expect(md).toMatch(/- \*\*p\*\*: latest run p2, started [^,]+, could not be read: the cluster's state is unknown; shown by the older run p1, not current/);

    const html = readFileSync(join(work, 'f/fleet.html'), 'utf8');
    expect(html).toContain('<section id="unreadable">');
    expect(html).toContain('latest run unreadable</span>');
    expect(html).toContain('p2 (could not be read)');
    expect(html).toContain('latest run old1 (started');
    // The hostile name (markup, a Slack ping, U+202E), listed only here, stays text.
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('\u202e');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@here');

    // The digest `fleet` sends is built from the same view.
    const s = await openRunStore(db.url, { env });
    const data = await fleetDataOf(s, { ...DEFAULT_FLEET_QUERY, now: new Date(now) }, () => {});
    await s.close();
    const view = buildFleetView(data);
    expect(view.regressions).toEqual([]);
    expect(digestSkipReason(view, 'regression')).toBeNull();
    const slack = JSON.stringify(buildSlackDigest(view).blocks);
    expect(slack).not.toContain(':white_check_mark:');
    expect(slack).toContain('No cluster regressed in the last 24 h that could be read: the latest run of 3 clusters could not be read, state unknown');
    expect(slack).toContain('Latest run could not be read: state unknown');
    expect(slack).toContain('`p` latest run p2');
    expect(slack).toContain('; last readable run p1');
    expect(slack).toContain('`old` latest run old1');
    // p's older run (p1, 70.0) is not ranked among the lowest scores: its state now is unknown; the three are counted.
    expect(slack).toContain('*Lowest overall scores*\\n• `ok` 95.0 (A)\\n3 clusters whose latest run could not be read left out: state unknown');
    expect(slack).not.toMatch(/`p` 70\.0/);
    expect(slack).not.toContain('<script>');
    // The header counts and names them (the email's subject and first line; Slack's notification text as inline code, escaped).
    expect(digestHeadline(view)).toMatch(/^Fleet: 4 clusters, 3 with the latest run unreadable \(<script>alert\(1\)<\/script>@here\\u202e, old, p\), mean /);
    expect(buildSlackDigest(view).text).toMatch(/^ztaudit Fleet: 4 clusters, 3 with the latest run unreadable \(`&lt;script&gt;alert\(1\)&lt;\/script&gt;@here\\u202e`, `old`, `p`\), mean /);
  });

  // README "Missing data is not a fix": prod's older run (its own findings, those it carries, its
  // waivers) is not its state now; SQLite's fleet (src/fleet/data.ts) leaves it out the same way
  // (test/unit/fleet/fleet.test.ts, "in the common findings and the expiring waivers").
  it('leaves the older run of such a cluster out of the common findings and the expiring waivers, as the SQLite store does', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const { runs, unreadable } = runsWithUnreadableLatest();
    const store = await openRunStore(db.url, { env });
    const sqlitePath = join(work, 'unreadable-common.db');
    const sqlite = await openRunStore(sqlitePath);
    for (const r of runs) {
      await store.save(r);
      await sqlite.save(r);
    }
    await store.close();
    await sqlite.close();
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = '{"id":1}' WHERE id = $1`, [unreadable.run.id], db.name);
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(sqlitePath);
    raw.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(unreadable.run.id);
    raw.close();

    const query = { ...DEFAULT_FLEET_QUERY, now: NOW };
    const [pgStore, sqliteStore] = [await openRunStore(db.url, { env }), await openRunStore(sqlitePath)];
    const fromPg = await fleetDataOf(pgStore, query, () => {});
    const fromSqlite = await fleetDataOf(sqliteStore, query, () => {});
    const three = await fleetDataOf(pgStore, { ...query, minClusters: 3 }, () => {});
    await pgStore.close();
    await sqliteStore.close();
    expect(fromPg.unreadable?.map((u) => [u.cluster, u.runId, u.shownBy])).toEqual([['prod', unreadable.run.id, '20261110T040000Z-p00003']]);
    expect(fromPg.common.map((c) => [c.check, c.shape, c.clusters, c.clusterNames])).toEqual([
      ['pod-security.pod-violates-target', 'web-*-*', 2, ['ok', 'old']],
      ['rbac.anonymous-access', 'system:authenticated', 2, ['ok', 'old']],
    ]);
    expect(fromPg.waivers.map((w) => [w.cluster, w.waiver.check, w.waiver.state])).toEqual([['ok', 'rbac.wildcard-permission', 'expiring-soon'], ['old', 'rbac.wildcard-permission', 'expiring-soon']]);
    // prod's row still shows its older run with what that run carries.
    expect(fromPg.clusters.find((c) => c.cluster === 'prod')?.carried?.map((k) => [k.runId, k.checks, k.findings.critical])).toEqual([['20261110T020000Z-p00001', ['rbac.cluster-admin-binding'], 1]]);
    expect(three.common).toEqual([]);
    expect(renderFleetFormat(three, 'md')).toContain('No finding occurs on 3 or more clusters whose latest run could be read.');
    expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
  });

  // README "Missing data is not a fix": beta's older run b2 regressed in the window, but beta's
  // newest run cannot be read, so b2's regression is not its state now; SQLite's fleet leaves it
  // out the same way (test/unit/fleet/fleet.test.ts, "in the regressions").
  it('leaves the older run\'s regression of such a cluster out of the regressions and "N regressed", as the SQLite store does', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const { runs, regressed, unreadable } = runsWithRegressionBeforeUnreadable();
    const store = await openRunStore(db.url, { env });
    const sqlitePath = join(work, 'unreadable-regressions.db');
    const sqlite = await openRunStore(sqlitePath);
    for (const r of runs) {
      await store.save(r);
      await sqlite.save(r);
    }
    await store.close();
    await sqlite.close();
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = '{"id":1}' WHERE id = $1`, [unreadable.run.id], db.name);
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(sqlitePath);
    raw.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(unreadable.run.id);
    raw.close();

    const query = { ...DEFAULT_FLEET_QUERY, now: NOW };
    const [pgStore, sqliteStore] = [await openRunStore(db.url, { env }), await openRunStore(sqlitePath)];
    const fromPg = await fleetDataOf(pgStore, query, () => {});
    const fromSqlite = await fleetDataOf(sqliteStore, query, () => {});
    await pgStore.close();
    await sqliteStore.close();
    expect(fromPg.unreadable?.map((u) => [u.cluster, u.runId, u.shownBy])).toEqual([['beta', unreadable.run.id, regressed.run.id]]);
    expect(fromPg.regressions.map((r) => [r.run.cluster, r.run.id, r.reasons])).toEqual([['alpha', '20261110T020000Z-a00002', ['2 new high findings']]]);
    const view = buildFleetView(fromPg);
    expect(view.totals).toMatchObject({ regressed: 1, unreadable: 1 });
    expect(digestHeadline(view)).toContain(', 1 regressed in 24 h without it, ');
    expect(renderFleetFormat(fromPg, 'md')).toContain('## Regressions in the last 24 hours\n\n1 cluster whose latest run could not be read left out: state unknown.\n\n- **alpha** ');
    expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
  });

  it('a cluster whose newest run is readable and an older one is not is shown as before: nothing unknown, the digest may skip', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const q1 = fleetRun('q', 'q1', at(10), 70);
    const q2 = fleetRun('q', 'q2', at(2), 72, { previous: q1 });
    const store = await openRunStore(db.url, { env });
    for (const r of [q1, q2]) await store.save(r);
    await store.close();
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = '{"id":1}' WHERE id = 'q1'`, [], db.name);
    const s = await openRunStore(db.url, { env });
    const data = await fleetDataOf(s, { ...DEFAULT_FLEET_QUERY, now: new Date(now) }, () => {});
    await s.close();
    expect(data.unreadable).toEqual([]);
    const view = buildFleetView(data);
    expect(view.grid.map((g) => [g.cluster, g.runId, g.unreadable])).toEqual([['q', 'q2', null]]);
    expect(digestSkipReason(view, 'regression')).toBe('no cluster regressed in the last 24 h');
  });

  it('a cluster whose newest 30 runs (the trend window) cannot be read is shown by an older run that can; past FLEET_LOOKBACK runs it says how many it read', async () => {
    // SQLite and k8s:// stores read every run (src/fleet/data.ts); PostgreSQL reads each cluster's
    // newest trendPoints (30), then, only for a cluster none of whose 30 can be read, further back.
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const store = await openRunStore(db.url, { env });
    for (const r of [fleetRun('deep', 'd0', at(2000), 70), fleetRun('abyss', 'a0', at(2000), 75), fleetRun('ok', 'ok1', at(1), 95)]) await store.save(r);
    await store.close();
    // Newer runs with a summary that is no RunSummary (as a hand edit leaves it), each started an hour after the last.
    const damaged = async (from: string, n: number) => adminQuery(server,
      `INSERT INTO ztaudit_runs (id, cluster, started_at, regression, summary, report)
       SELECT $1 || '-' || g, cluster, started_at + g * interval '1 hour', false, '{"id":1}', report FROM ztaudit_runs, generate_series(1, $2::int) g WHERE id = $1 ORDER BY g`, [from, n], db.name);
    await damaged('d0', DEFAULT_FLEET_QUERY.trendPoints + 10);
    await damaged('a0', FLEET_LOOKBACK + 5);

    const s = await openRunStore(db.url, { env });
    const named: string[] = [];
    const data = await fleetDataOf(s, { ...DEFAULT_FLEET_QUERY, now: new Date(now) }, (e) => named.push(e.runId));
    await s.close();
    // deep is shown by d0, marked not current; abyss by no run, saying how far it looked.
    expect(data.clusters.map((c) => [c.cluster, c.latest.id, c.runs])).toEqual([['deep', 'd0', 41], ['ok', 'ok1', 1]]);
    expect(data.unreadable).toEqual([
      { cluster: 'abyss', runId: `a0-${FLEET_LOOKBACK + 5}`, startedAt: expect.any(String), shownBy: null, searched: FLEET_LOOKBACK },
      { cluster: 'deep', runId: 'd0-40', startedAt: expect.any(String), shownBy: 'd0' },
    ]);
    // Every run read and passed over is named once: deep's 40, abyss's newest 1,000.
    expect(named).toHaveLength(40 + FLEET_LOOKBACK);
    const md = renderFleetFormat(data, 'md');
    expect(md).toMatch(/- \*\*abyss\*\* \(stale\): latest run a0-1005, started [^,]+, could not be read: the cluster's state is unknown; none of its newest 1,000 runs could be read \(older ones not read\)/);
    expect(md).toMatch(/- \*\*deep\*\* \(stale\): latest run d0-40, started [^,]+, could not be read: the cluster's state is unknown; shown by the older run d0, not current/);
    expect(JSON.stringify(buildSlackDigest(buildFleetView(data)).blocks)).toContain('`abyss` latest run a0-1005');
    expect(JSON.stringify(buildSlackDigest(buildFleetView(data)).blocks)).toContain('; none of its newest 1,000 runs could be read (older ones not read)');
  }, 120_000);
});
