// The PostgreSQL store groups and matches a cluster by its name in NFC, as SQLite and k8s:// do
// (test/unit/history/cluster-spellings.test.ts): runs stored under "cafe\u0301" (NFD, by a version
// that kept --cluster as typed) are the cluster "caf\u00e9" (UAX #15, https://www.unicode.org/reports/tr15/):
// one cluster in `history` and `fleet`, the next run's diff baselines on the NFD-stored run, and
// retention counts both spellings' runs as one cluster's. The rows keep the name they were stored with.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { openRunStore } from '../../src/history/store.ts';
import type { RunReport } from '../../src/run/types.ts';
import { NOW, fleetRun } from '../unit/fleet/seed.ts';
import { adminQuery, createDb, describePg } from './env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEMO = join(ROOT, 'examples/demo-cluster');
const NFD = 'cafe\u0301';
const NFC = 'caf\u00e9';

describePg('a cluster stored under the NFD spelling of its name', (server) => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-spellings-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd: work };
    const code = await main(argv, io);
    return { code, out: out.join(''), err: err.join('') };
  }
  const reportOf = (out: string) => JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as RunReport;

  it('`history` and `fleet` show one cluster "café", and the next `run --cluster café` diffs against the NFD-stored run', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const quiet = ['--format', 'json', '--no-notify', '-q'];
    expect((await cli(['run', '--manifests', DEMO, '--cluster', NFC, '--history', 'none', '--out', 'old', ...quiet], env)).code).toBe(0);
    const old = reportOf('old');
    old.run.cluster.name = NFD;
    const store = await openRunStore(db.url, { env });
    await store.save(old);
    await store.close();

    const next = await cli(['run', '--manifests', DEMO, '--cluster', NFC, '--history', db.url, '--out', 'new', ...quiet], env);
    expect(next.code, next.err).toBe(0);
    const now = reportOf('new');
    expect(now.diff?.previousRunId).toBe(old.run.id);
    expect(now.diff?.new).toEqual([]);
    // Stored as they were: the rows keep their own spelling.
    const rows = await adminQuery(server, 'SELECT cluster FROM ztaudit_runs ORDER BY seq', [], db.name);
    expect(rows.rows.map((r) => r.cluster)).toEqual([NFD, NFC]);

    const listed = await cli(['history', '--history', db.url, '--output', 'json'], env);
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as Array<{ id: string; cluster: string }>).map((r) => [r.id, r.cluster])).toEqual([[now.run.id, NFC], [old.run.id, NFC]]);
    const fleet = await cli(['fleet', '--history', db.url, '--format', 'json', '--out', 'fleet', '--no-notify', '-q'], env);
    expect(fleet.code, fleet.err).toBe(0);
    const data = JSON.parse(readFileSync(join(work, 'fleet', 'fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number }> };
    expect(data.clusters.map((c) => [c.cluster, c.runs])).toEqual([[NFC, 2]]);
  });

  it('latest, runsNewestFirst, trend and storedSince take the NFD-stored run as the NFC-named cluster\'s; retention counts both spellings as one cluster', async () => {
    const db = await createDb(server);
    const older = fleetRun(NFD, '20261101T020000Z-c00001', '2026-11-01T02:00:00.000Z', 70);
    const newer = fleetRun(NFC, '20261102T020000Z-c00002', '2026-11-02T02:00:00.000Z', 72, { previous: older });
    const other = fleetRun('prod', '20261101T030000Z-p00001', '2026-11-01T03:00:00.000Z', 80);
    const store = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password }, retention: { maxRuns: 2, maxAgeDays: 0 }, now: () => NOW });
    try {
      const mark = await store.mark();
      for (const r of [older, other]) await store.save(r);
      expect((await store.latest(NFC))?.run.id).toBe(older.run.id);
      expect((await store.storedSince(mark, NFC))?.id).toBe(older.run.id);
      await store.save(newer);
      const ids: string[] = [];
      for await (const r of store.runsNewestFirst(NFC)) ids.push(r.run.id);
      expect(ids).toEqual([newer.run.id, older.run.id]);
      expect((await store.trend(10, NFC)).map((p) => p.id)).toEqual([older.run.id, newer.run.id]);
      await store.save(fleetRun(NFC, '20261103T020000Z-c00003', '2026-11-03T02:00:00.000Z', 74, { previous: newer }));
      expect((await store.list(10)).map((r) => r.id)).toEqual(['20261103T020000Z-c00003', newer.run.id, other.run.id]);
    } finally {
      await store.close();
    }
  });
});
