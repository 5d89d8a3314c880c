// A cluster stored under another Unicode spelling of its name — "café" as e + U+0301 (NFD), by a
// version that kept --cluster as typed — is the cluster named "café" (NFC) now: canonically equal
// text that shows alike (UAX #15, https://www.unicode.org/reports/tr15/). Every read groups and
// matches it by the NFC form: `history` and `fleet` show one cluster, the next run's diff takes
// the NFD-stored run as its baseline, and retention counts both spellings' runs as one cluster's.
// The stored rows keep the name they were stored with (`history forget` still finds that spelling).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startCoreApiServer } from './core-api-server.ts';
import { NOW, fleetRun } from '../fleet/seed.ts';

const REPO = join(import.meta.dirname, '../../..');
const DEMO = join(REPO, 'examples/demo-cluster');
const NFD = 'cafe\u0301';
const NFC = 'caf\u00e9';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-spellings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const t = captureIO(dir);
  const code = await main(argv, t.cli);
  return { code, out: t.out(), err: t.err() };
}

const reportOf = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;

describe('runs stored under the NFD spelling of a cluster name', () => {
  it('SQLite: `history` and `fleet` show one cluster "café", and the next `run --cluster café` diffs against the NFD-stored run', async () => {
    const db = join(dir, 'h.db');
    const quiet = ['--format', 'json', '--no-notify', '-q'];
    // The run an older version stored: the same audit, under the decomposed name.
    expect((await cli('run', '--manifests', DEMO, '--cluster', NFC, '--history', 'none', '--out', 'old', ...quiet)).code).toBe(0);
    const old = reportOf('old');
    old.run.cluster.name = NFD;
    const store = await openRunStore(db);
    await store.save(old);
    await store.close();

    const next = await cli('run', '--manifests', DEMO, '--cluster', NFC, '--history', db, '--out', 'new', ...quiet);
    expect(next.code, next.err).toBe(0);
    const now = reportOf('new');
    expect(now.run.cluster.name).toBe(NFC);
    expect(now.diff?.previousRunId).toBe(old.run.id);
    expect(now.diff?.new).toEqual([]);

    const listed = await cli('history', '--history', db, '--output', 'json');
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as Array<{ id: string; cluster: string }>).map((r) => [r.id, r.cluster])).toEqual([[now.run.id, NFC], [old.run.id, NFC]]);

    const fleet = await cli('fleet', '--history', db, '--format', 'json', '--out', 'fleet', '--no-notify', '-q');
    expect(fleet.code, fleet.err).toBe(0);
    const data = JSON.parse(readFileSync(join(dir, 'fleet', 'fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number }> };
    expect(data.clusters.map((c) => [c.cluster, c.runs])).toEqual([[NFC, 2]]);

    // `diff --last` compares the two as one cluster's runs too.
    const diff = await cli('diff', '--last', '--history', db);
    expect(diff.code, diff.err).toBe(0);
    expect(diff.out).toContain(`${old.run.id} (`);
  });

  const older = fleetRun(NFD, '20261101T020000Z-c00001', '2026-11-01T02:00:00.000Z', 70);
  const newer = fleetRun(NFC, '20261102T020000Z-c00002', '2026-11-02T02:00:00.000Z', 72, { previous: older });
  const other = fleetRun('prod', '20261101T030000Z-p00001', '2026-11-01T03:00:00.000Z', 80);

  for (const kind of ['sqlite', 'k8s'] as const) {
    it(`${kind}: latest, runsNewestFirst, trend, storedSince and the fleet take the NFD-stored run as the NFC-named cluster's; retention counts them as one`, async () => {
      const api = kind === 'k8s' ? await startCoreApiServer() : null;
      try {
        const url = api ? 'k8s://ztaudit/history' : join(dir, 'h.db');
        const deps = { ...(api ? { env: { KUBECONFIG: api.kubeconfig } } : {}), retention: { maxRuns: 2, maxAgeDays: 0 }, now: () => NOW };
        const store = await openRunStore(url, deps);
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
          const fleet = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
          expect(fleet.clusters.map((c) => [c.cluster, c.runs]).sort()).toEqual([[NFC, 2], ['prod', 1]]);
          // A third run of the cluster: at most 2 runs a cluster, so the NFD-stored one goes (the next diff takes the newest).
          await store.save(fleetRun(NFC, '20261103T020000Z-c00003', '2026-11-03T02:00:00.000Z', 74, { previous: newer }));
          expect((await store.list(10)).map((r) => r.id)).toEqual(['20261103T020000Z-c00003', newer.run.id, other.run.id]);
        } finally {
          await store.close();
        }
      } finally {
        await api?.close();
      }
    });
  }
});
