// The findings' spool: records read back exactly, whatever their size and wherever they sit
// (write buffer, file, larger than a read window); the file never has a name once opened, so
// nothing is left in the temp directory by a run that ends, throws or is killed; its
// descriptor stays open exactly as long as a report references it: an audit that throws
// closes it at once, a pipeline run's report keeps it while it is held, and a serve daemon
// running again and again keeps only the latest report's open.
import { closeSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { ByteBatch, Spool } from '../../../src/base/spool.ts';
import { startServe } from '../../../src/cli/serve.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { writeReportJson } from '../../../src/report/render.ts';
import { isSpooled } from '../../../src/run/spooled-finding.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Logger } from '../../../src/base/log.ts';
import { ROOT } from '../report/demo.ts';

const work = mkdtempSync(join(tmpdir(), 'spool-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The spool files of this process opened in `dir` (their descriptors; they have no name). */
function openSpools(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${dir}/ztaudit-spool-`)) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Full collections, with turns of the event loop for the finalisers they queue. */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const log = { info() {}, warn() {}, error() {}, debug() {}, progress() {} } as unknown as Logger;
const demoSnapshot = () => loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });

describe('Spool', () => {
  it('keeps appended bytes as they are (an export on standard input): not UTF-8, across the write buffer, larger than it', () => {
    const spool = Spool.open(mkdtempSync(join(work, 'bytes-')), { writeBuffer: 4096 })!;
    const chunks: Array<[number, Buffer]> = [];
    for (let i = 0; i < 300; i++) {
      const chunk = Buffer.alloc(i % 50 === 0 ? 10_000 + i : 1 + ((i * 37) % 900), i);
      chunk[0] = 0xff; // never a UTF-8 byte
      chunks.push([spool.appendBytes(chunk), chunk]);
    }
    const check = () => {
      for (const [at, chunk] of chunks) expect(Buffer.from(spool.bytes(at, chunk.length)).equals(chunk)).toBe(true);
      expect(spool.size).toBe(chunks.reduce((n, [, c]) => n + c.length, 0));
    };
    check();
    spool.seal();
    check();
    spool.close();
  });

  it('reads back every record as appended: across the write buffer, the file, and larger than its windows', () => {
    const dir = mkdtempSync(join(work, 'records-'));
    const spool = Spool.open(dir)!;
    const records: Array<[number, string]> = [];
    for (let i = 0; i < 4000; i++) {
      const text = i % 997 === 0 ? `big ${i} ${'é'.repeat(700_000)}` : `record ${i} ${'日本😀'.repeat(i % 90)} \ud800`;
      records.push([spool.append(text), text]);
    }
    expect(readdirSync(dir)).toEqual([]); // no name, even while it is written
    const check = () => {
      for (let k = 0; k < records.length; k++) {
        const i = (k * 7919) % records.length;
        const [at, text] = records[i];
        const end = i + 1 < records.length ? records[i + 1][0] : spool.size;
        expect(spool.text(at, end - at)).toBe(text.replace('\ud800', '\ufffd')); // UTF-8 has no lone surrogates
        expect(spool.bytes(at, end - at).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }
    };
    check(); // partly still in the write buffer
    spool.seal();
    check();
    expect(spool.append('more')).toBe(-1); // sealed: nothing more goes in
    spool.close();
    expect(spool.closed).toBe(true);
    expect(() => spool.text(0, 1)).toThrow(/closed/);
    expect(openSpools(dir)).toEqual([]);
  });

  it('appends an object\'s members after a comma, as `,${text without its braces}`: in the buffer, across a flush, larger than the buffer, and none for {}', () => {
    const spool = Spool.open(mkdtempSync(join(work, 'members-')), { writeBuffer: 256 })!;
    const objects = [{ a: 1 }, { message: 'é'.repeat(30), n: [1, 2] }, {}, { big: 'ü'.repeat(500) }, { x: '日本😀', y: null }, { m: 'z'.repeat(70) }];
    const at = objects.map((o) => spool.appendMembers(JSON.stringify(o)));
    const ends = [...at.slice(1), spool.size];
    const texts = objects.map((_, i) => spool.text(at[i], ends[i] - at[i]));
    expect(texts).toEqual(objects.map((o) => (Object.keys(o).length === 0 ? '' : `,${JSON.stringify(o).slice(1, -1)}`)));
    spool.seal();
    expect(objects.map((_, i) => spool.text(at[i], ends[i] - at[i]))).toEqual(texts);
    spool.close();
  });

  it('says so when its file comes up short, instead of handing out bytes it did not read', () => {
    let fd = -1;
    const spool = Spool.open(mkdtempSync(join(work, 'short-')), { writeBehindAfter: Infinity, open: (path) => (fd = openSync(path, 'wx+', 0o600)) })!;
    const big = 'b'.repeat(3 << 20); // larger than the read windows: read into a buffer of its own
    const at = spool.append(big);
    spool.seal();
    ftruncateSync(fd, at + 100);
    expect(() => spool.bytes(at, big.length)).toThrow(/spool read short/);
    expect(() => spool.text(at, big.length)).toThrow(/spool read short/);
    spool.close();
  });

  it('cannot be opened where no file can be made (the findings then stay in memory)', () => {
    expect(Spool.open(join(work, 'no-such-dir'))).toBeNull();
    const out = auditSnapshot({ snapshot: demoSnapshot(), config: defaultConfig(), checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'r', spool: () => Spool.open(join(work, 'no-such-dir')) });
    expect(out.report.findings.length).toBeGreaterThan(0);
    expect(out.report.findings.some(isSpooled)).toBe(false);
  });

  it('ByteBatch hands on text and bytes in order, pieces larger than its buffer included', () => {
    const chunks: Buffer[] = [];
    const out = new ByteBatch((c) => chunks.push(Buffer.from(c)));
    const parts = ['a', 'ü'.repeat(400_000), 'b', 'x'.repeat(2_000_000), 'c'];
    out.text(parts[0]); out.bytes(Buffer.from(parts[1])); out.text(parts[2]); out.bytes(Buffer.from(parts[3])); out.text(parts[4]);
    out.flush();
    expect(Buffer.concat(chunks).toString('utf8')).toBe(parts.join(''));
  });

  it('ByteBatch writes short pieces as UTF-8 too: non-ASCII, lone surrogates, across its buffer boundary', () => {
    const chunks: Buffer[] = [];
    const out = new ByteBatch((c) => chunks.push(Buffer.from(c)));
    const pieces = ['    ', ',\n', 'é', 'abc\u0080', 'x'.repeat(31) + 'ü', '\ud800', 'a\udc00b', '😀', '\u007f\u0000', 'y'.repeat(32), 'z'.repeat(33), ''];
    const written: string[] = [];
    for (let i = 0; i < 200_000; i++) { // ~2.6 MiB: pieces land on both sides of each flush
      const p = pieces[i % pieces.length];
      out.text(p);
      written.push(p);
    }
    out.flush();
    expect(Buffer.concat(chunks).equals(Buffer.from(written.join(''), 'utf8'))).toBe(true);
  });
});

describe('the spool lives as long as a report references it', () => {
  afterEach(async () => { await collect(); });

  it('an audit that throws closes its spool at once and leaves no file', () => {
    const dir = mkdtempSync(join(work, 'throws-'));
    let spool: Spool | null = null;
    expect(() => auditSnapshot({
      snapshot: demoSnapshot(), config: defaultConfig(), checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'r',
      spool: () => (spool = Spool.open(dir)),
      details: () => { throw new Error('details failed'); },
    })).toThrow('details failed');
    expect(spool).not.toBeNull();
    expect(spool!.size).toBeGreaterThan(0); // findings were spooled before it threw
    expect(spool!.closed).toBe(true);
    expect(openSpools(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a pipeline run: open while its report is held (and read after it was written), closed once the report is dropped', async () => {
    const dir = mkdtempSync(join(work, 'pipeline-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir; // the pipeline opens its spool in the OS temp directory
    const seen: string[][] = [];
    try {
      const edges: PipelineEdges = {
        collect: async () => demoSnapshot(), store: null, diff: () => { throw new Error('no store, no diff'); },
        render: async (report) => {
          await writeReportJson(report, join(dir, '..', `${report.run.id}.json`));
          seen.push(openSpools(dir), readdirSync(dir));
          return [];
        },
        notifiers: [], log, now: () => new Date(),
      };
      let report: RunReport | null = (await runPipeline(defaultConfig(), CHECKS, edges)).report;
      expect(seen[0]).toHaveLength(1); // the spool, open while the report is rendered
      expect(seen[1]).toEqual([]); // and nameless
      expect(report.findings.every(isSpooled)).toBe(true);
      expect(report.findings.every((f) => typeof f.message === 'string' && f.message.length > 0)).toBe(true);
      await collect();
      expect(openSpools(dir)).toHaveLength(1); // the report is still referenced
      report = null;
      await collect();
      expect(openSpools(dir)).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = before;
    }
  });

  it('ztaudit serve: run after run, only the latest report (the one it serves) keeps a spool open', async () => {
    const dir = mkdtempSync(join(work, 'serve-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    const io: CliIO = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: work };
    // The daemon lives inside this function: once it has stopped, nothing references its reports.
    const serveRuns = async () => {
      const d = await startServe(['--manifests', join(ROOT, 'examples/demo-cluster'), '--config', join(ROOT, 'examples/ztaudit.demo.yaml'), '--no-notify',
        '--port', '0', '--host', '127.0.0.1', '--schedule', '0 2 * * *', '--history', 'none', '--out', join(work, 'serve-reports'), '--format', 'json'], io);
      try {
        await d.idle();
        const open: number[] = [];
        for (let i = 0; i < 30; i++) {
          expect(await d.tick()).toBe('ran');
          open.push(openSpools(dir).length);
          if (i % 10 === 9) {
            await collect();
            expect(openSpools(dir)).toHaveLength(1);
          }
        }
        expect(Math.min(...open)).toBeGreaterThanOrEqual(1); // every run spooled its findings
        expect(Math.max(...open)).toBeLessThanOrEqual(11); // the older ones closed by the collections
        const served = await (await fetch(`${d.url}/report.json`)).json() as RunReport;
        expect(served.findings.length).toBeGreaterThan(0);
        expect(served.findings.every((f) => typeof f.message === 'string' && f.message.length > 0)).toBe(true);
      } finally {
        await d.stop();
      }
    };
    try {
      await serveRuns();
    } finally {
      if (before === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = before;
    }
    await collect();
    expect(openSpools(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe('a spool whose file cannot be written (the disk is full)', () => {
  /** Makes the spool's file as usual but hands back a descriptor of /dev/full: the kernel fails every write with ENOSPC. */
  const fullDevice = (path: string): number => {
    closeSync(openSync(path, 'wx', 0o600));
    return openSync('/dev/full', 'r+');
  };

  it('keeps every record appended before the failed write readable, and takes no more', () => {
    const dir = mkdtempSync(join(work, 'full-'));
    const spool = Spool.open(dir, { open: fullDevice, writeBuffer: 64 })!;
    const records = ['a'.repeat(30), 'ü'.repeat(10), 'x'.repeat(10)]; // 60 bytes: still in the write buffer
    const at = records.map((r) => spool.append(r));
    expect(at).toEqual([0, 30, 50]);
    expect(spool.failure).toBeNull();
    expect(spool.append('y'.repeat(10))).toBe(-1); // the buffer is written out: no space
    expect(spool.failure).toMatch(/^ENOSPC\b/);
    expect(spool.append('z')).toBe(-1);
    spool.seal();
    expect(records.map((r, i) => spool.text(at[i], Buffer.byteLength(r)))).toEqual(records);
    spool.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a pipeline run completes with the report.json of a run without a spool, and says why in one warning', async () => {
    const dir = mkdtempSync(join(work, 'full-run-'));
    const at = new Date('2026-11-26T02:00:00Z');
    const run = async (spool: (() => Spool | null) | undefined, file: string) => {
      const warnings: string[] = [];
      const edges: PipelineEdges = {
        collect: async () => demoSnapshot(), store: null, diff: () => { throw new Error('no store, no diff'); },
        render: async (report) => {
          await writeReportJson(report, join(dir, file));
          return [join(dir, file)];
        },
        notifiers: [], log: { ...log, warn: (line: string) => { warnings.push(line); } }, now: () => at,
        audit: (input) => auditSnapshot({ ...input, spool }),
      };
      const { report } = await runPipeline(defaultConfig(), CHECKS, edges);
      return { report, warnings, json: readFileSync(join(dir, file), 'utf8').replaceAll(report.run.id, 'RUN-ID') }; // the id ends in random digits
    };
    const inMemory = await run(undefined, 'in-memory.json');
    // A buffer of 4 KiB: the first write fails a few findings into the demo's audit.
    const full = await run(() => Spool.open(dir, { open: fullDevice, writeBuffer: 4096 }), 'disk-full.json');
    expect(full.report.findings.some(isSpooled)).toBe(true); // those appended before the failure
    expect(full.report.findings.some((f) => !isSpooled(f))).toBe(true); // the rest kept in memory
    expect(full.json).toBe(inMemory.json);
    expect(inMemory.warnings).toEqual([]);
    const kept = full.report.findings.filter((f) => !isSpooled(f)).length;
    expect(full.warnings).toEqual([
      `cannot write the findings' temp file in ${dir} (ENOSPC: no space left on device, write): the run goes on with findings kept in memory (${kept} of ${full.report.findings.length} not spooled)`,
    ]);
  });
});

describe('a spool written behind by a worker thread past its first bytes', () => {
  /** Deterministic records of 1 byte to 3 write buffers, some of them not ASCII. */
  const texts = (count: number, seed = 11): string[] => {
    let x = seed;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
    return Array.from({ length: count }, (_, i) => `r${i}:${(next() % 3 === 0 ? 'ü' : 'a').repeat(next() % 1500)}`);
  };
  // A 512-byte write buffer, written by this thread up to 2 KiB, then by the worker through two
  // 700-byte slots: every record crosses buffers, slots and the hand-over many times.
  const small = { writeBuffer: 512, writeBehindAfter: 2048, writeBehind: { slots: 2, slotBytes: 700 } };

  it('reads back every record exactly, while it is written (a read waits for the bytes it needs) and after', () => {
    const spool = Spool.open(mkdtempSync(join(work, 'behind-')), small)!;
    const records: Array<[number, string]> = [];
    for (const text of texts(600)) {
      records.push([spool.append(text), text]);
      // Read back an earlier record now and then, the last one most often (it may still be in a slot).
      if (records.length % 7 === 0) {
        const i = records.length % 3 === 0 ? records.length - 2 : (records.length * 31) % (records.length - 1);
        const [at, t] = records[i];
        expect(spool.text(at, records[i + 1][0] - at)).toBe(t);
      }
    }
    expect(spool.behindBy).toBe('worker');
    spool.seal();
    for (let i = 0; i < records.length; i++) {
      const [at, text] = records[i];
      const end = i + 1 < records.length ? records[i + 1][0] : spool.size;
      expect(spool.bytes(at, end - at).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
    spool.close();
    expect(spool.behindBy).toBe('worker');
  });

  it('after the worker fails (the disk full), keeps every record appended before readable, and takes no more', () => {
    const spool = Spool.open(mkdtempSync(join(work, 'behind-full-')), { ...small, writeBehind: { ...small.writeBehind, workerUrl: new URL('./failing-writer.ts', import.meta.url) } })!;
    const records: Array<[number, string]> = [];
    for (const text of texts(400)) {
      const at = spool.append(text);
      if (at < 0) break;
      records.push([at, text]);
    }
    expect(spool.failure).toMatch(/^ENOSPC\b/);
    // The worker wrote two chunks; far more was appended before the failure was seen.
    expect(spool.size).toBeGreaterThan(2048 + 2 * 700);
    expect(spool.append('more')).toBe(-1);
    spool.seal();
    for (let i = 0; i < records.length; i++) {
      const [at, text] = records[i];
      const end = i + 1 < records.length ? records[i + 1][0] : spool.size;
      expect(spool.text(at, end - at)).toBe(text);
    }
    spool.close();
  });

  it('ends the thread writing behind when sealed (a sealed spool is kept while its report is shown)', async () => {
    const workerThreads = () => readdirSync('/proc/self/task').filter((t) => {
      try { return readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'WorkerThread'; } catch { return false; }
    }).length;
    // The threads of spools closed by earlier tests end a moment after: wait until none has for 200 ms.
    let before = workerThreads();
    for (let still = 0; still < 10;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = workerThreads();
      still = now === before ? still + 1 : 0;
      before = now;
    }
    const spool = Spool.open(mkdtempSync(join(work, 'behind-sealed-')), small)!;
    const records = texts(200).map((text) => [spool.append(text), text] as const);
    expect(spool.behindBy).toBe('worker');
    spool.seal();
    // A thread ends a moment after it returns from its loop.
    for (let i = 0; i < 100 && workerThreads() > before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(workerThreads()).toBe(before);
    expect(spool.behindBy).toBe('worker');
    const [at, text] = records.at(-1)!;
    expect(spool.text(at, spool.size - at)).toBe(text);
    spool.close();
  });

  it('knows at seal that the last writes failed (the audit warns then), and keeps them readable', () => {
    // Eight slots: every chunk is handed over without waiting, so nothing shows the failure before seal.
    const spool = Spool.open(mkdtempSync(join(work, 'behind-late-')), { ...small, writeBehind: { slots: 8, slotBytes: 700, workerUrl: new URL('./failing-writer.ts', import.meta.url) } })!;
    const records: Array<[number, string]> = [];
    for (let i = 0; i < 12; i++) {
      const text = `record-${i}-${'y'.repeat(300)}`;
      records.push([spool.append(text), text]);
    }
    expect(records.every(([at]) => at >= 0)).toBe(true);
    spool.seal();
    expect(spool.failure).toMatch(/^ENOSPC\b/);
    for (let i = 0; i < records.length; i++) {
      const [at, text] = records[i];
      expect(spool.text(at, (i + 1 < records.length ? records[i + 1][0] : spool.size) - at)).toBe(text);
    }
    spool.close();
  });

  it('writes nothing more once closed, even to a file that reuses its descriptor number', async () => {
    const dir = mkdtempSync(join(work, 'behind-close-'));
    // Many 2 MiB slots queued behind a worker that is still writing them when close is called.
    const spool = Spool.open(dir, { writeBuffer: 2 << 20, writeBehindAfter: 0, writeBehind: { slots: 17, slotBytes: 2 << 20 } })!;
    const part = 'a'.repeat(2 << 20);
    for (let i = 0; i < 48; i++) spool.append(part);
    spool.close();
    const next = join(dir, 'next.bin');
    const fd = openSync(next, 'w');
    await new Promise((resolve) => setTimeout(resolve, 300));
    closeSync(fd);
    expect(readFileSync(next).length).toBe(0);
  });
});
