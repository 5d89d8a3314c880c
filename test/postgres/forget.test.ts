// `ztaudit history forget` on a shared PostgreSQL store: the dry run changes no row; --yes
// removes exactly that cluster's runs, their findings' rows (the fleet's shapes) and its lock
// rows (one a killed run left), with each run's waivers; another cluster's rows stay, and a
// run of another cluster holding its own lock does not stop it (locks are per cluster), a run
// of that cluster does. A server that is down is one line naming it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openRunStore, type RunStore } from '../../src/history/store.ts';
import { fleetRun } from '../unit/fleet/seed.ts';
import { captureIO } from '../helpers/cli.ts';
import { adminQuery, createDb, describePg } from './env.ts';
import { freePort } from './server.ts';

describePg('history forget on PostgreSQL', (server) => {
  const work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-forget-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('dry run changes no row; --yes removes exactly the cluster\'s runs, findings and lock rows; fleet and history no longer show it', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const q = (sql: string, params: unknown[] = []) => adminQuery(server, sql, params, db.name);
    const store = await openRunStore(db.url, { env });
    const e1 = fleetRun('east', '20261101T020000Z-e00001', '2026-11-01T02:00:00.000Z', 70);
    const p1 = fleetRun('prod', '20261101T030000Z-p00001', '2026-11-01T03:00:00.000Z', 80);
    await store.save(e1);
    await store.save(p1);
    await store.save(fleetRun('east-2', '20261101T040000Z-x00001', '2026-11-01T04:00:00.000Z', 60));
    await store.save(fleetRun('east', '20261102T020000Z-e00002', '2026-11-02T02:00:00.000Z', 72, { previous: e1 }));
    await store.save(fleetRun('prod', '20261102T030000Z-p00002', '2026-11-02T03:00:00.000Z', 75, { previous: p1 }));
    await store.close();
    // A run of east killed before it released its lock left its row.
    await q(`INSERT INTO ztaudit_locks (cluster, pid, host, since) VALUES ('east', 4242, 'dead-pod', '2026-11-03T02:00:00.000Z')`);
    const rows = async () => ({
      runs: (await q('SELECT cluster, count(*)::int AS n FROM ztaudit_runs GROUP BY cluster ORDER BY cluster')).rows.map((r) => `${r.cluster as string} ${r.n as number}`),
      findings: (await q('SELECT r.cluster, count(*)::int AS n FROM ztaudit_findings f LEFT JOIN ztaudit_runs r ON r.seq = f.run_seq GROUP BY r.cluster ORDER BY r.cluster')).rows.map((r) => `${String(r.cluster)} ${r.n as number}`),
      locks: (await q('SELECT cluster FROM ztaudit_locks ORDER BY cluster')).rows.map((r) => r.cluster as string),
    });
    expect(await rows()).toEqual({ runs: ['east 2', 'east-2 1', 'prod 2'], findings: ['east 8', 'east-2 4', 'prod 8'], locks: ['east'] });

    const cli = async (...argv: string[]) => {
      const t = captureIO(work, env);
      const code = await main(argv, t.cli);
      return { code, out: t.out(), err: t.err() };
    };
    const dry = await cli('history', 'forget', '--history', db.url, '--cluster', 'east');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('Would forget cluster "east" in postgres://');
    expect(dry.out).toContain(': 2 run(s), oldest 20261101T020000Z-e00001 (started 2026-11-01T02:00:00.000Z), newest 20261102T020000Z-e00002 (started 2026-11-02T02:00:00.000Z).\nNothing removed:');
    expect((await rows()).runs).toEqual(['east 2', 'east-2 1', 'prod 2']);

    // A run of prod holds prod's lock: east is forgotten all the same. A run of east would refuse it.
    const prodRun: RunStore = await openRunStore(db.url, { env });
    await prodRun.acquire('prod');
    const eastRun: RunStore = await openRunStore(db.url, { env });
    await eastRun.acquire('east');
    const refused = await cli('history', 'forget', '--history', db.url, '--cluster', 'east', '--yes');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^ztaudit history forget: another ztaudit run holds postgres:\/\/\S+ \(cluster "east"\) since .*\n$/);
    await eastRun.close();

    const yes = await cli('history', 'forget', '--history', db.url, '--cluster', 'east', '--yes');
    expect(yes.code, yes.err).toBe(0);
    expect(yes.out).toMatch(/^Forgot cluster "east" in postgres:\/\/\S+: removed 2 run\(s\), oldest 20261101T020000Z-e00001 .*, newest 20261102T020000Z-e00002 .*\.\n$/);
    expect(await rows()).toEqual({ runs: ['east-2 1', 'prod 2'], findings: ['east-2 4', 'prod 8'], locks: ['prod'] });
    // What serve asks before it answers /runs/ID from its page cache (test/unit/schedule/serve-runs-page.test.ts).
    expect([await prodRun.has(e1.run.id), await prodRun.has(p1.run.id)]).toEqual([false, true]);
    await prodRun.close();

    const fleet = await cli('fleet', '--history', db.url, '--format', 'json', '--out', 'fleet', '-q');
    expect(fleet.code, fleet.err).toBe(0);
    const data = JSON.parse(readFileSync(join(work, 'fleet', 'fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string }>; waivers?: Array<{ cluster: string }> };
    expect(data.clusters.map((c) => c.cluster).sort()).toEqual(['east-2', 'prod']);
    expect(JSON.stringify(data)).not.toContain('"east"');
    const history = await cli('history', '--history', db.url, '--output', 'json');
    expect((JSON.parse(history.out) as Array<{ cluster: string }>).map((r) => r.cluster)).toEqual(['prod', 'east-2', 'prod']);

    const again = await cli('history', 'forget', '--history', db.url, '--cluster', 'east', '--yes');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^ztaudit history forget: no cluster "east" in postgres:\/\/\S+ \(the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster\); nothing removed\n$/);
  });

  it('an operator role with exactly the grants docs/deploy.md lists (its forget-grants block) forgets a cluster, and nothing else of the store changes', async () => {
    // docs/deploy.md's block is what an operator pastes; this runs forget with it and nothing more.
    // INSERT … ON CONFLICT DO UPDATE needs INSERT and UPDATE (PostgreSQL docs, sql-insert.html: "ON CONFLICT DO UPDATE
    // also requires UPDATE privilege on at least one column"), and the cluster lock is one.
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const block = /<!-- forget-grants -->\n```sql\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block, 'docs/deploy.md has no forget-grants SQL block').toBeTruthy();
    const db = await createDb(server);
    const store = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password } });
    await store.save(fleetRun('east', '20261101T020000Z-e00001', '2026-11-01T02:00:00.000Z', 70));
    await store.save(fleetRun('prod', '20261101T030000Z-p00001', '2026-11-01T03:00:00.000Z', 80));
    await store.close();
    const operator = `op_${db.name.slice(-8)}`;
    await adminQuery(server, `CREATE ROLE ${operator} LOGIN PASSWORD 'op-pw'`);
    // A fresh role holds no privilege on the owner's tables (the owner's default privileges are not changed here).
    await adminQuery(server, (block as string).replaceAll('ztaudit_operator', operator), [], db.name);
    const t = captureIO(work, { ZTAUDIT_PG_PASSWORD: 'op-pw' });
    const code = await main(['history', 'forget', '--history', `postgres://${operator}@127.0.0.1:${server.port}/${db.name}?sslmode=disable`, '--cluster', 'east', '--yes'], t.cli);
    expect(t.err(), 'forget with the documented grants').toBe('');
    expect(code).toBe(0);
    const left = await adminQuery(server, 'SELECT cluster FROM ztaudit_runs ORDER BY cluster', [], db.name);
    expect(left.rows.map((r) => r.cluster as string)).toEqual(['prod']);
    expect((await adminQuery(server, 'SELECT count(*)::int AS n FROM ztaudit_locks', [], db.name)).rows[0].n).toBe(0);
  });

  it('a server that is not there is one line naming it, exit 2', async () => {
    const port = await freePort();
    const t = captureIO(work, { ZTAUDIT_PG_PASSWORD: 'x' });
    expect(await main(['history', 'forget', '--history', `postgres://nobody@127.0.0.1:${port}/gone?sslmode=disable&connect_timeout=2`, '--cluster', 'east', '--yes'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([`ztaudit history forget: cannot connect to PostgreSQL at 127.0.0.1:${port} (database gone, user nobody, sslmode=disable): connection refused`]);
  });
});
