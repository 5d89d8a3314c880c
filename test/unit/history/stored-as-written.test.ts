// A run is stored from its report.json only while the path names the very file render wrote,
// unchanged, and that file begins with this run: anything else in --out (another run's
// report.json renamed over it, this run's with a finding changed, a file written into since,
// a directory or a FIFO in its place) is not stored; the run is serialised instead, and the
// save succeeds. The file is read through the one descriptor that was checked, a member of
// the gzip that fails stops the others, and the pipeline names only what its last render wrote.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { DatabaseSync } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { gzipFrom, storedBlob } from '../../../src/history/gzip-json.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { writeReportJson } from '../../../src/report/render.ts';
import type { RunReport, WrittenFile, WrittenReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT } from '../report/demo.ts';
import { makeReport } from './big-report.ts';

const work = mkdtempSync(join(tmpdir(), 'stored-as-written-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const mine = makeReport('r-7', '2026-12-03T02:00:00Z', { findings: 40 });
const serialised = JSON.stringify(mine);

/** A run's report.json as render writes it, in an --out of its own. */
const rendered = (report: RunReport = mine) => writeReportJson(report, join(mkdtempSync(join(work, 'out-')), 'report.json'));
/** What storedBlob stores for this run, inflated. */
const stored = async (reportJson: WrittenFile, report: RunReport = mine) => gunzipSync(await storedBlob(report, { reportJson })).toString();
/** Past a tick of the clock that stamps mtime and ctime (coarse on Linux: a few ms). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** This run with its first finding waived, at the same size ("true" is one byte shorter than "false"). */
function forged(report: RunReport): RunReport {
  const [first, ...rest] = report.findings;
  return { ...report, findings: [{ ...first!, waived: true, message: `${first!.message} ` }, ...rest] };
}

/** Changes "finding 0" to "finding X" in place: same inode, same size. */
function writeInto(path: string): void {
  const at = readFileSync(path).indexOf('finding 0 of');
  expect(at).toBeGreaterThan(0);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, 'finding X', at);
  } finally {
    closeSync(fd);
  }
}

/** FileHandle.prototype, whose read storedBlob's reads go through. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(import.meta.filename, 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

describe('storedBlob stores a run from report.json only as render wrote it', () => {
  it('serialises the run when report.json was renamed over by one of the same size: another run\'s, or this run\'s with a finding waived', async () => {
    for (const other of [makeReport('r-8', mine.run.startedAt, { findings: 40 }), forged(mine)]) {
      const written = await rendered();
      const replaced = await writeReportJson(other, written.path); // as another run with the same --out renames its own over it
      expect(replaced.size).toBe(written.size);
      expect(await stored(written)).toBe(serialised);
    }
  });

  it('serialises the run when report.json was renamed over by a larger or a smaller one of this run', async () => {
    for (const findings of [41, 39]) {
      const written = await rendered();
      const replaced = await writeReportJson(makeReport(mine.run.id, mine.run.startedAt, { findings }), written.path);
      expect(replaced.size).not.toBe(written.size);
      expect(await stored(written)).toBe(serialised);
    }
  });

  it('serialises the run, and the store saves it, when report.json is gone or a directory or a FIFO is in its place', async () => {
    const dir = mkdtempSync(join(work, 'store-'));
    const store = await openRunStore(join(dir, 'history.db'), { cwd: dir });
    const replacements: Array<(path: string) => void> = [
      (path) => rmSync(path),
      (path) => { rmSync(path); mkdirSync(path); },
      (path) => { rmSync(path); execFileSync('mkfifo', [path]); }, // opened blocking, it would hold the save until a writer came
    ];
    try {
      for (const [i, replace] of replacements.entries()) {
        const report = makeReport(`r-c${i}`, mine.run.startedAt, { findings: 40 });
        const written = await rendered(report);
        replace(written.path);
        expect(await stored(written, report)).toBe(JSON.stringify(report));
        await store.save(report, { reportJson: written });
        expect(await store.get(report.run.id)).toEqual(report);
      }
    } finally {
      await store.close();
    }
  });

  it('serialises the run when report.json was written into since at the same size, its mtime set back or not', async () => {
    for (const setBack of [false, true]) {
      const written = await rendered();
      await tick();
      writeInto(written.path);
      if (setBack) {
        const ns = written.mtimeNs % 1_000_000_000n;
        execFileSync('touch', ['-m', '-d', `@${written.mtimeNs / 1_000_000_000n}.${String(ns).padStart(9, '0')}`, written.path]);
        expect(statSync(written.path, { bigint: true }).mtimeNs).toBe(written.mtimeNs); // only its ctime tells
      }
      expect(await stored(written)).toBe(serialised);
    }
  });

  it("does not take this run's id elsewhere near the start of another run's report.json for its own", async () => {
    const other = makeReport('r-9', mine.run.startedAt, { findings: 40 });
    other.checks[0]!.id = mine.run.id; // "id": "r-7" a few hundred bytes in
    const written = await rendered(other);
    const at = readFileSync(written.path, 'utf8').indexOf(`"id": "${mine.run.id}"`);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(64 << 10);
    expect(await stored(written)).toBe(serialised);
  });

  it('reads the file it checked: one renamed over it once checked is not stored', async () => {
    const written = await rendered();
    const text = readFileSync(written.path, 'utf8');
    const other = join(work, 'other-run.json');
    await writeReportJson(makeReport('r-8', mine.run.startedAt, { findings: 40 }), other);
    const proto = await fileHandlePrototype();
    const read = proto.read;
    const spy = vi.spyOn(proto, 'read').mockImplementationOnce(function (this: FileHandle, ...args: unknown[]) {
      renameSync(other, written.path); // right after the open, as the reviewer's repro did
      return (read as (...a: unknown[]) => ReturnType<FileHandle['read']>).apply(this, args);
    });
    const inflated = await stored(written);
    expect(spy).toHaveBeenCalled();
    expect([text, serialised]).toContain(inflated);
  });

  it('serialises the run when report.json is written into while it is read', async () => {
    const written = await rendered();
    const proto = await fileHandlePrototype();
    const read = proto.read;
    let calls = 0;
    vi.spyOn(proto, 'read').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      if (++calls === 2) { // the first read of the gzip, after the start was checked
        await tick();
        writeInto(written.path);
      }
      return (read as (...a: unknown[]) => ReturnType<FileHandle['read']>).apply(this, args);
    });
    expect(await stored(written)).toBe(serialised);
    expect(calls).toBe(2); // its start, then the whole of it
  });
});

describe('gzipFrom, when one member fails', () => {
  it('rejects with its error once the other members have stopped reading, none of them reading on', async () => {
    const size = 64 << 20; // four members of 16 MiB
    const failAt = (16 << 20) + (2 << 20); // the second member's third read
    let failed = false;
    let readsAfter = 0;
    let reading = 0;
    const file = {
      read: async (buffer: Buffer, offset: number, length: number, position: number) => {
        if (failed) readsAfter++;
        reading++;
        try {
          await setImmediate();
          if (position === failAt) {
            failed = true;
            throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
          }
          buffer.fill(0, offset, offset + length);
          return { bytesRead: length, buffer };
        } finally {
          reading--;
        }
      },
    } as unknown as FileHandle;
    await expect(gzipFrom(file, size, 4)).rejects.toThrow('EIO');
    expect(reading).toBe(0); // the caller may close the file and fall back
    await tick();
    expect(readsAfter).toBeLessThanOrEqual(3); // at most one each, begun as it failed (0 here); each has 12 or more to go
  });
});

describe('the pipeline names to the store the report.json its last render wrote', () => {
  it('as render said it wrote it; nothing when the render after the notifications wrote none', async () => {
    for (const again of [true, false]) {
      const out = mkdtempSync(join(work, 'pipeline-'));
      const said: WrittenFile[] = [];
      let saved: WrittenReport | undefined;
      let renders = 0;
      const edges: PipelineEdges = {
        collect: async () => ({}) as Snapshot, // the audit below makes the run
        audit: () => ({ report: makeReport('r-p', mine.run.startedAt, { findings: 40 }), expiredWaivers: [] }),
        store: {
          describe: () => 'a fake', acquire: async () => {}, release: async () => {}, recordNotifications: async () => {}, runsNewestFirst: async function* () {}, trend: async () => [],
          save: async (_report, written) => { saved = written; },
        },
        diff: () => { throw new Error('nothing to diff against'); },
        render: async (report, extras) => {
          if (renders++ > 0 && !again) return [];
          const file = await writeReportJson(report, join(out, 'report.json'));
          said.push(file);
          extras.onReportJson?.(file);
          return [file.path];
        },
        notifiers: [{ name: 'slack', send: async () => ({ channel: 'slack', status: 'sent' }) }],
        notifyBeforeStore: true, // rendered, notified, rendered again (the outcomes in report.json), then stored
        log: { info: () => {}, warn: () => {}, progress: () => {} },
        now: () => new Date(mine.run.startedAt),
      };
      await runPipeline(defaultConfig(), [], edges);
      expect(renders).toBe(2);
      expect(said).toHaveLength(again ? 2 : 1);
      expect(saved).toEqual(again ? { reportJson: said[1] } : undefined); // the first holds the run without its notifications
    }
  });
});

describe('ztaudit run', () => {
  it('stores the run from the report.json it wrote (the CLI hands render\'s word to the store)', async () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    const cli = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: dir };
    const args = ['run', '--manifests', join(ROOT, 'examples/demo-cluster'), '--history', join(dir, 'h.db'), '--out', join(dir, 'out'), '--format', 'json', '--no-notify', '-q'];
    expect(await main(args, cli)).toBe(0);
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    const { report } = db.prepare('SELECT report FROM runs').get() as { report: Uint8Array };
    db.close();
    expect(gunzipSync(report).toString()).toBe(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
  });
});
