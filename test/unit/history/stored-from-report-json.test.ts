// A run is stored (SQLite, PostgreSQL) as gzip of the report.json just written for it, cut
// into members compressed at once (gzipFrom), instead of being serialised a second time: the
// stored bytes are that file's, every reader gets the same run back, the next run's diff is
// the same as from a run serialised for the store, and a file that is not this run's (or is
// gone) is not used.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { gzipFrom, parseGzipJson, storedBlob } from '../../../src/history/gzip-json.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { renderReports, writeReportJson } from '../../../src/report/render.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT } from '../report/demo.ts';
import { makeReport } from './big-report.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const work = mkdtempSync(join(tmpdir(), 'stored-from-json-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** gzip's member header as Node's zlib writes it (no name, no time, OS unknown). */
const MEMBER_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
/** gzipFrom over the whole file at `path`, opened once. */
async function gzipFile(path: string, members = 4): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    return await gzipFrom(file, (await file.stat()).size, members);
  } finally {
    await file.close();
  }
}

function members(blob: Buffer): number {
  let n = 0;
  for (let at = blob.indexOf(MEMBER_HEADER); at >= 0; at = blob.indexOf(MEMBER_HEADER, at + 1)) n++;
  return n;
}

describe('gzipFrom', () => {
  it('inflates to the file byte for byte, in as many members as asked for a large file and one for a small one', async () => {
    const path = join(work, 'large.json');
    const items = Array.from({ length: 180_000 }, (_, i) => ({ i, name: `ns-${i % 977}/pod-ä-${i}`, text: 'x'.repeat(i % 500) }));
    writeFileSync(path, JSON.stringify({ items }, null, 2));
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(48 << 20); // three members of at least 16 MiB
    const three = await gzipFile(path, 3);
    expect(members(three)).toBe(3);
    expect(gunzipSync(three).equals(bytes)).toBe(true);
    expect(await parseGzipJson(three)).toEqual({ items });
    const small = join(work, 'small.json');
    writeFileSync(small, '{"a": [1, 2]}\n');
    const one = await gzipFile(small, 4);
    expect(members(one)).toBe(1);
    expect(gunzipSync(one).toString()).toBe('{"a": [1, 2]}\n');
  });

  it('refuses a file shorter than the bytes it was asked for (changed since its size was taken)', async () => {
    const path = join(work, 'short.json');
    writeFileSync(path, '{"a": [1, 2]}\n');
    const file = await open(path, 'r');
    try {
      await expect(gzipFrom(file, 100)).rejects.toThrow(/the file ended at byte 14 of 100/);
    } finally {
      await file.close();
    }
  });
});

describe('storedBlob', () => {
  const report = makeReport('r-1', '2026-11-26T02:00:00Z', { findings: 40 });

  it("compresses the report.json written for this run, as written", async () => {
    const reportJson = await writeReportJson(report, join(work, 'r-1.json'));
    expect(gunzipSync(await storedBlob(report, { reportJson })).toString()).toBe(readFileSync(reportJson.path, 'utf8'));
  });

  it('serialises the run instead when the file is of another run, gone, or not named', async () => {
    const other = await writeReportJson(makeReport('r-2', '2026-11-26T03:00:00Z'), join(work, 'other.json'));
    for (const written of [{ reportJson: other }, { reportJson: { ...other, path: join(work, 'gone.json') } }, undefined]) {
      expect(gunzipSync(await storedBlob(report, written)).toString()).toBe(JSON.stringify(report));
    }
  });
});

describe('a pipeline run stored from its report.json (SQLite)', () => {
  it('stores the bytes of report.json; the run reads back the same and the next run diffs the same as from a run serialised for the store', async () => {
    const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
    const snapshot = (rbac: boolean): Snapshot => {
      const s = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
      if (!rbac) for (const k of ['clusterrolebindings', 'rolebindings'] as const) s.resources[k] = (s.resources[k] ?? []).slice(0, 1);
      return s;
    };
    // Two histories of the same two runs: one rendered to files (stored from report.json), one
    // rendering nothing (the run serialised by the store, as before).
    const runs = async (files: boolean) => {
      const dir = mkdtempSync(join(work, files ? 'files-' : 'none-'));
      const db = join(dir, 'h.db');
      const store = await openRunStore(db, { cwd: dir });
      let clock = Date.parse('2026-11-25T02:00:00Z');
      const edges = (rbac: boolean, out: string): PipelineEdges => ({
        collect: async () => snapshot(rbac),
        store,
        diff: diffStep(config.regression),
        render: async (report, extras) => (files ? renderReports(report, { formats: ['json', 'md'], outDir: join(dir, out), trend: extras.trend, previous: extras.previous, onReportJson: extras.onReportJson }) : []),
        notifiers: [],
        log: { info: () => {}, warn: () => {}, progress: () => {} },
        now: () => new Date((clock += 3_600_000)),
      });
      try {
        const first = await runPipeline(config, CHECKS, edges(true, 'first'));
        const second = await runPipeline(config, CHECKS, edges(false, 'second'));
        const stored = (await store.get(first.report.run.id))!;
        const raw = new DatabaseSync(db, { readOnly: true });
        const blob = (raw.prepare('SELECT report FROM runs WHERE id = ?').get(first.report.run.id) as { report: Uint8Array }).report;
        raw.close();
        return { dir, first: first.report, second: second.report, stored, inflated: gunzipSync(blob).toString() };
      } finally {
        await store.close();
      }
    };
    const fromFile = await runs(true);
    const serialised = await runs(false);
    const reportJson = readFileSync(join(fromFile.dir, 'first', 'report.json'), 'utf8');
    expect(fromFile.inflated).toBe(reportJson);
    expect(serialised.inflated).toBe(JSON.stringify(serialised.first));
    expect(fromFile.stored).toEqual(JSON.parse(reportJson) as RunReport);
    const plain = (r: RunReport) => JSON.parse(JSON.stringify(r)) as RunReport;
    expect(plain(fromFile.stored).findings).toEqual(plain(serialised.stored).findings);
    const diffOf = (r: RunReport) => ({ ...r.diff, previousRunId: undefined, previousStartedAt: undefined });
    expect(fromFile.second.diff!.resolved.length).toBeGreaterThan(5);
    expect(diffOf(fromFile.second)).toEqual(diffOf(serialised.second));
  });
});
