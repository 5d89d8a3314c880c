// The CLI against a real PostgreSQL: run → history → report, `history export | history
// import` between PostgreSQL and SQLite as two real processes in a pipe (the re-rendered
// report is byte-identical from either store), the fleet view from PostgreSQL equal to the
// one read run by run from SQLite, and the faults: down at start, connection lost between
// audit and store (retried, then "audit could not be stored" on Slack and exit 2 with the
// reports written), a newer schema ("upgrade ztaudit").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { fleetDataOf } from '../../src/fleet/data.ts';
import { PG_SCHEMA_VERSION } from '../../src/history/postgres.ts';
import { openRunStore } from '../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY } from '../../src/run/fleet.ts';
import type { Finding } from '../../src/run/types.ts';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';
import { NOW, fleetRun, fleetRuns, runWithTimedWaivers, runsWithBlindLatest, runsWithExpiredCarriedWaiver, runsWithRewaivedCarried } from '../unit/fleet/seed.ts';
import { adminQuery, createDb, describePg } from './env.ts';
import { startProxy } from './proxy.ts';
import { freePort } from './server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEMO = ['--manifests', join(ROOT, 'examples/demo-cluster'), '--config', join(ROOT, 'examples/ztaudit.demo.yaml')];

describePg('ztaudit with a PostgreSQL history', (server) => {
  let work: string;
  let slack: FakeSlack;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-cli-'));
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    rmSync(work, { recursive: true, force: true });
  });

  function io(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
    const out: string[] = [];
    const err: string[] = [];
    return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd: work, out: () => out.join(''), err: () => err.join('') };
  }
  const errorLines = (text: string) => text.split('\n').filter((l) => l.startsWith('ztaudit'));

  it('runs, lists and re-renders from PostgreSQL; export | import into SQLite gives the same report, byte for byte', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const first = io(env);
    expect(await main(['run', ...DEMO, '--history', db.url, '--out', 'r1', '--no-notify', '-q'], first), first.err()).toBe(0);
    const second = io(env);
    expect(await main(['run', ...DEMO, '--out', 'r2', '--no-notify', '-q'], { ...second, env: { ...env, ZTAUDIT_HISTORY: db.url } }), second.err()).toBe(0);
    const run2 = JSON.parse(readFileSync(join(work, 'r2', 'report.json'), 'utf8'));
    const run1 = JSON.parse(readFileSync(join(work, 'r1', 'report.json'), 'utf8'));
    expect(run2.diff.previousRunId).toBe(run1.run.id);
    const list = io(env);
    expect(await main(['history', '--history', db.url, '--output', 'json'], list)).toBe(0);
    expect(JSON.parse(list.out()).map((r: { id: string }) => r.id)).toEqual([run2.run.id, run1.run.id]);

    const fromPg = io(env);
    expect(await main(['report', run2.run.id, '--history', db.url, '--format', 'html,json,md', '--out', 'from-pg'], fromPg), fromPg.err()).toBe(0);

    // Two real processes in a shell pipe, as a user would run them.
    const sqlite = join(work, 'copy.db');
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/ztaudit.cjs'))}`;
    const piped = spawnSync('bash', ['-o', 'pipefail', '-c', `${cli} history export --history '${db.url}' | ${cli} history import --history '${sqlite}'`], {
      encoding: 'utf8', env: { ...process.env, ZTAUDIT_PG_PASSWORD: db.password }, cwd: work,
    });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(/export: 2 run\(s\) from postgres:\/\/u_\w+@127\.0\.0\.1:\d+\/zt_\w+\n/);
    expect(piped.stderr).toMatch(/import: 2 run\(s\) imported into .*copy\.db, 0 already there\n/);
    const fromSqlite = io();
    expect(await main(['report', run2.run.id, '--history', sqlite, '--format', 'html,json,md', '--out', 'from-sqlite'], fromSqlite)).toBe(0);
    for (const f of ['report.json', 'report.html', 'report.md']) {
      expect(readFileSync(join(work, 'from-sqlite', f), 'utf8'), f).toBe(readFileSync(join(work, 'from-pg', f), 'utf8'));
    }
    // And back: SQLite → a fresh PostgreSQL database loses nothing either.
    const back = await createDb(server);
    const again = spawnSync('bash', ['-o', 'pipefail', '-c', `${cli} history export --history '${sqlite}' | ${cli} history import --history '${back.url}'`], {
      encoding: 'utf8', env: { ...process.env, ZTAUDIT_PG_PASSWORD: back.password }, cwd: work,
    });
    expect(again.status, again.stderr).toBe(0);
    const a = await openRunStore(db.url, { env, readOnly: true });
    const b = await openRunStore(back.url, { env: { ZTAUDIT_PG_PASSWORD: back.password }, readOnly: true });
    expect(await b.list(10)).toEqual(await a.list(10));
    for (const id of [run1.run.id, run2.run.id]) expect(await b.get(id)).toEqual(await a.get(id));
    await a.close();
    await b.close();
  });

  it('the fleet view from PostgreSQL\'s queries equals the one read run by run from SQLite', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const pg = await openRunStore(db.url, { env });
    const sqlite = await openRunStore(join(work, 'fleet.db'));
    for (const r of fleetRuns()) {
      await pg.save(r);
      await sqlite.save(r);
    }
    for (const query of [{ ...DEFAULT_FLEET_QUERY, now: NOW }, { ...DEFAULT_FLEET_QUERY, now: NOW, sinceHours: 500, minClusters: 3, trendPoints: 2 }]) {
      const fromPg = await fleetDataOf(pg, query);
      const fromSqlite = await fleetDataOf(sqlite, query);
      expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
      expect(fromPg.clusters).toHaveLength(3);
    }
    expect((await fleetDataOf(pg, { ...DEFAULT_FLEET_QUERY, now: NOW, sinceHours: 500 })).regressions).toHaveLength(2);
    await pg.close();
    await sqlite.close();
    const t = io(env);
    expect(await main(['fleet', '--history', db.url, '--format', 'html,json', '--out', 'fleet-pg', '-q'], t), t.err()).toBe(0);
    expect(readFileSync(join(work, 'fleet-pg', 'fleet.html'), 'utf8')).toContain('&lt;script&gt;');
  });

  it('the fleet from PostgreSQL carries a blind check\'s findings from the run that last evaluated it, and states waivers at its own time, as from SQLite', async () => {
    const db = await createDb(server);
    const pg = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password } });
    const sqlite = await openRunStore(join(work, 'carried.db'));
    const { runs, first } = runsWithBlindLatest();
    const lapsed = runsWithExpiredCarriedWaiver();
    for (const r of [...runs, runWithTimedWaivers(), ...lapsed.runs]) {
      await pg.save(r);
      await sqlite.save(r);
    }
    const query = { ...DEFAULT_FLEET_QUERY, now: NOW };
    const fromPg = await fleetDataOf(pg, query);
    const fromSqlite = await fleetDataOf(sqlite, query);
    const oneCluster = { ...query, minClusters: 1 };
    const [pg1, sqlite1] = [await fleetDataOf(pg, oneCluster), await fleetDataOf(sqlite, oneCluster)];
    await pg.close();
    await sqlite.close();
    expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
    expect({ ...pg1, store: '' }).toEqual({ ...sqlite1, store: '' });
    // A carried finding whose waiver had expired by the latest run counts as open.
    expect(fromPg.clusters.find((c) => c.cluster === 'lapsed')!.carried).toEqual([{ runId: lapsed.first.run.id, startedAt: lapsed.first.run.startedAt, checks: ['rbac.cluster-admin-binding'], findings: { critical: 1, high: 0, medium: 0, low: 0 } }]);
    expect(pg1.common.find((c) => c.check === 'rbac.cluster-admin-binding' && c.clusterNames.includes('lapsed'))).toMatchObject({ severity: 'critical', shape: 'dev' });
    expect(fromPg.clusters.find((c) => c.cluster === 'prod')!.carried).toEqual([{ runId: first.run.id, startedAt: first.run.startedAt, checks: ['rbac.cluster-admin-binding'], findings: { critical: 1, high: 0, medium: 0, low: 0 } }]);
    expect(fromPg.common.find((c) => c.check === 'rbac.cluster-admin-binding')).toMatchObject({ clusters: 3, clusterNames: ['lapsed', 'old', 'prod'], findings: 3 });
    expect(fromPg.waivers.filter((w) => w.cluster === 'gamma').map((w) => [w.waiver.resource.name, w.waiver.state])).toEqual([['lapsed-yesterday', 'expired'], ['last-day-today', 'expiring-soon'], ['blind-in-5-days', 'expiring-soon'], ['in-13-days', 'expiring-soon']]);
  });

  // As each row marks them (carriedText): the summary line counts apart the shapes that take in a finding carried from an older run.
  it('`ztaudit fleet` over PostgreSQL says how many finding shapes on many clusters count carried findings, word for word as over SQLite', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const pg = await openRunStore(db.url, { env });
    const sqlite = await openRunStore(join(work, 'carried-line.db'));
    for (const r of runsWithBlindLatest().runs) {
      await pg.save(r);
      await sqlite.save(r);
    }
    await pg.close();
    await sqlite.close();
    const line = async (history: string) => {
      const t = io(env);
      expect(await main(['fleet', '--history', history, '--format', 'json', '--out', 'carried-line', '--no-notify', '--since', '1'], t), t.err()).toBe(0);
      return t.out().split('\n').find((l) => l.startsWith('2 clusters, '));
    };
    const fromPg = await line(db.url);
    expect(fromPg).toContain(', 3 finding shapes on 2+ clusters (1 counting findings carried from an earlier run), ');
    expect(await line(join(work, 'carried-line.db'))).toBe(fromPg);
  });

  // README (Configuration): the latest run's waivers decide a carried finding, as its report counts it.
  it("the fleet from PostgreSQL waives a carried finding by the latest run's waivers, not by the waiver stored with it, as from SQLite", async () => {
    const db = await createDb(server);
    const pg = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password } });
    const sqlite = await openRunStore(join(work, 'rewaived.db'));
    const { runs, firsts } = runsWithRewaivedCarried();
    for (const r of runs) {
      await pg.save(r);
      await sqlite.save(r);
    }
    const query = { ...DEFAULT_FLEET_QUERY, now: NOW };
    const fromPg = await fleetDataOf(pg, query);
    const fromSqlite = await fleetDataOf(sqlite, query);
    await pg.close();
    await sqlite.close();
    expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
    const critical = (cluster: string) => fromPg.clusters.find((c) => c.cluster === cluster)!.carried!.map((k) => [k.runId, k.findings.critical]);
    expect([critical('dropped'), critical('added'), critical('shortened')]).toEqual([[[firsts.dropped.run.id, 1]], [[firsts.added.run.id, 0]], [[firsts.shortened.run.id, 1]]]);
    expect(fromPg.common.find((c) => c.check === 'rbac.cluster-admin-binding')).toMatchObject({ clusters: 2, clusterNames: ['dropped', 'shortened'], findings: 2 });
  });

  it('the fleet from PostgreSQL shapes names by Kubernetes\' generated-name alphabet, as SQLite does', async () => {
    const db = await createDb(server);
    const pg = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password } });
    const sqlite = await openRunStore(join(work, 'shapes.db'));
    const [a, b] = ['alpha', 'beta'].map((cluster, i) => {
      const run = fleetRun(cluster, `20261110T0${i}0000Z-s0000${i}`, `2026-11-10T0${i}:00:00.000Z`, 70);
      const db0 = run.findings[1];
      run.findings.push({ ...db0, fingerprint: `db${i}`, check: 'pod-security.resource-limits-missing', resource: { kind: 'Deployment', namespace: 'apps', name: i === 0 ? 'mysql8' : 'redis7' } });
      return run;
    });
    for (const r of [a, b]) {
      await pg.save(r);
      await sqlite.save(r);
    }
    const query = { ...DEFAULT_FLEET_QUERY, now: NOW };
    const fromPg = await fleetDataOf(pg, query);
    const fromSqlite = await fleetDataOf(sqlite, query);
    await pg.close();
    await sqlite.close();
    expect({ ...fromPg, store: '' }).toEqual({ ...fromSqlite, store: '' });
    expect(fromPg.common.map((c) => `${c.kind} ${c.namespace}/${c.shape}`)).toEqual(['Pod shop/web-*-*', 'Group /system:authenticated']);
  });

  it('import: a finding without a resource and a run the database refuses (a NUL in its cluster name) are each named, the other lines imported; a NUL in a finding\'s name is stored', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const [a1, a2, b1, a3, , h1] = fleetRuns();
    const noResource = structuredClone(a2);
    delete (noResource.findings[2] as Partial<Finding>).resource;
    const nul = structuredClone(b1);
    nul.findings[1].resource.name = 'web\u0000x';
    const nulCluster = structuredClone(h1);
    nulCluster.run.cluster.name = 'gamma\u0000';
    writeFileSync(join(work, 'import.jsonl'), [a1, noResource, nul, a3, nulCluster].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const t = io(env);
    expect(await main(['history', 'import', '--history', db.url, '--file', 'import.jsonl'], t)).toBe(2);
    const lines = errorLines(t.err());
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`ztaudit history import: ${join(work, 'import.jsonl')} line 2: run ${a2.run.id}: finding 2: no resource; skipped`);
    expect(lines[1]).toBe(`ztaudit history import: ${join(work, 'import.jsonl')} line 5: run ${h1.run.id} could not be stored: cluster name "gamma\\u0000" holds a NUL character, which PostgreSQL cannot store — set --cluster; skipped`);
    expect(lines[2]).toMatch(/: 3 run\(s\) imported into postgres:\/\/\S+, 0 already there, 1 run\(s\) refused by the store, 1 line\(s\) skipped as unusable$/);
    const stored = await adminQuery(server, 'SELECT id FROM ztaudit_runs ORDER BY seq', [], db.name);
    expect(stored.rows.map((r) => r.id)).toEqual([a1.run.id, b1.run.id, a3.run.id]);
    const s = await openRunStore(db.url, { env, readOnly: true });
    expect((await s.get(b1.run.id))!.findings[1].resource.name).toBe('web\u0000x');
    await s.close();
  });

  it('PostgreSQL down at start: exit 2, one line naming the host, never the password', async () => {
    const port = await freePort();
    const t = io();
    const code = await main(['run', ...DEMO, '--history', `postgres://ztaudit:hunter2-secret@127.0.0.1:${port}/fleet?sslmode=disable`, '--out', 'down', '--no-notify'], t);
    expect(code).toBe(2);
    expect(errorLines(t.err())).toEqual([`ztaudit: cannot connect to PostgreSQL at 127.0.0.1:${port} (database fleet, user ztaudit, sslmode=disable): connection refused`]);
    expect(t.err() + t.out()).not.toContain('hunter2');
  });

  it('connection lost between audit and store: retried within the budget, then "audit could not be stored" on Slack, exit 2, reports still written', async () => {
    const db = await createDb(server);
    const proxy = await startProxy(server.port);
    try {
      const url = `postgres://${db.user}@127.0.0.1:${proxy.port}/${db.name}?sslmode=disable`;
      writeFileSync(join(work, 'retry.yaml'), 'history:\n  retrySeconds: 20\n');
      writeFileSync(join(work, 'short.yaml'), 'history:\n  retrySeconds: 2\n');
      const env = { ZTAUDIT_PG_PASSWORD: db.password, ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl };
      const manifests = ['--manifests', join(ROOT, 'examples/demo-cluster')];

      // A short outage: the store reconnects and the run is stored once.
      await proxy.cutOn('INSERT INTO ztaudit_runs', 1500);
      const ok = io(env);
      expect(await main(['run', ...manifests, '--config', join(work, 'retry.yaml'), '--history', url, '--out', 'lost-ok', '-q'], ok), ok.err()).toBe(0);
      await proxy.cut;
      const stored = await adminQuery(server, 'SELECT id FROM ztaudit_runs', [], db.name);
      expect(stored.rows.map((r) => r.id)).toEqual([JSON.parse(readFileSync(join(work, 'lost-ok', 'report.json'), 'utf8')).run.id]);

      // An outage longer than the budget.
      await proxy.cutOn('INSERT INTO ztaudit_runs', Infinity);
      const before = slack.calls.length;
      const t = io(env);
      const started = Date.now();
      const code = await main(['run', ...manifests, '--config', join(work, 'short.yaml'), '--history', url, '--out', 'lost', '-q'], t);
      expect(code).toBe(2);
      expect(Date.now() - started).toBeLessThan(30_000);
      const line = errorLines(t.err());
      expect(line).toHaveLength(1);
      expect(line[0]).toMatch(/^ztaudit: audit could not be stored: storing run \S+ in postgres:\/\/\S+: the connection was lost and could not be re-established within 2 s .*; its reports were written \(.*lost\/report\.json, .*lost\/report\.html\)$/);
      expect(existsSync(join(work, 'lost', 'report.json'))).toBe(true);
      expect(existsSync(join(work, 'lost', 'report.html'))).toBe(true);
      const posts = slack.calls.slice(before).filter((c) => c.path.endsWith('/chat.postMessage'));
      const texts = posts.map((p) => String(p.fields.text));
      expect(texts.some((x) => x.startsWith('ztaudit: audit could not be stored') && x.includes('could not be re-established'))).toBe(true);
      expect(JSON.stringify(posts)).not.toContain(db.password);
      expect((await adminQuery(server, 'SELECT count(*)::int AS n FROM ztaudit_runs', [], db.name)).rows[0].n).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('fleet over a database no run was stored in (no ztaudit tables yet, or tables and no run): exit 2 "holds no runs", nothing written, no table created; history still says "No runs stored"', async () => {
    // `fleet --help`: exit 2 when the store could not be read; an empty database behind a
    // mistyped URL is not a fleet with nothing wrong.
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const tables = async () => (await adminQuery(server, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'ztaudit%'`, [], db.name)).rows[0].n as number;
    const fleet = async (out: string) => {
      const t = io(env);
      expect(await main(['fleet', '--history', db.url, '--format', 'json', '--out', out, '--no-notify'], t)).toBe(2);
      expect(t.out()).toBe('');
      expect(errorLines(t.err())).toEqual([`ztaudit fleet: postgres://127.0.0.1:${server.port}/${db.name} holds no runs: no fleet report written (point --history at the store the audits write to; ztaudit history lists what a store holds)`]);
      expect(existsSync(join(work, out))).toBe(false);
    };
    await fleet('empty-fleet');
    expect(await tables()).toBe(0);
    const history = io(env);
    expect(await main(['history', '--history', db.url], history), history.err()).toBe(0);
    expect(history.out()).toMatch(/^No runs stored in postgres:\/\/\S+\.$/m);
    // Created by a writer (as `run` does at its first start) and still holding no run: the same.
    const s = await openRunStore(db.url, { env });
    await s.close();
    expect(await tables()).toBeGreaterThan(0);
    await fleet('tables-fleet');
  });

  it('a store with a newer schema: exit 2 "upgrade ztaudit", nothing written', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const s = await openRunStore(db.url, { env });
    await s.close();
    await adminQuery(server, 'INSERT INTO ztaudit_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION + 7], db.name);
    for (const argv of [['run', ...DEMO, '--history', db.url, '--out', 'newer', '--no-notify'], ['history', '--history', db.url], ['fleet', '--history', db.url, '--out', 'newer-fleet']]) {
      const t = io(env);
      expect(await main(argv, t)).toBe(2);
      expect(errorLines(t.err())).toEqual([expect.stringMatching(/^ztaudit( \w+)?: history database postgres:\/\/\S+ has schema \d+, newer than this ztaudit understands \(up to \d+\): upgrade ztaudit$/)]);
    }
    expect((await adminQuery(server, 'SELECT count(*)::int AS n FROM ztaudit_runs', [], db.name)).rows[0].n).toBe(0);
  });
});

