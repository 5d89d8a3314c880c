// `ztaudit history export --history A [--file F]` and `ztaudit history import --history B
// [--file F]`: moves runs between stores (SQLite, k8s://, postgres://) as JSON lines, one
// whole run report per line, oldest first, after a header line; no line is ever one string
// (src/history/export-lines.ts). Import stores each run as it was (same id, scores, findings,
// diff; retention is not applied, so nothing imported is evicted) and skips runs the target
// already holds (an import can be repeated).
//
// A store orders runs by when they were stored, never by their startedAt (a corrected clock
// must not reorder them): the run stored last is its cluster's latest, the next run's diff
// baseline, the end of its trend, and what retention keeps. So an import stores a file's runs
// in the file's order, which is the source's insertion order (an export writes runs oldest
// first by insertion): a run whose clock was ahead stays where it was stored, and does not
// become the latest run. It does not store a run that started before its cluster's newest run
// held in the target before the import, which it would displace: that run is named and skipped.
// Each line it cannot use and each run the store refuses are named too, the rest imported
// (exit 2 at the end if any). A file whose first line is not JSON (a gzip of an export, some
// other file) is refused as a whole, in one line. The input is read twice (every line checked
// first, then each run's line again as it is stored): a file by offsets, standard input (or a
// pipe) from a temp file it is copied to as it is read.
//
// A k8s:// store keeps runs in compact form (no finding messages or evidence): what it
// exports is what it holds, and a run that passes through it keeps only that.
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { clip, oneLine } from '../base/plain-text.ts';
import { RUN_ID_RULE, isRunId } from '../run/run-id.ts';
import { Spool } from '../base/spool.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { readEnv } from '../config/env.ts';
import { ConfigError, HistoryError, UnreadableRunError, errorMessage } from '../base/errors.ts';
import { jsonLines, writeJsonLine, type JsonLine } from '../history/export-lines.ts';
import { namesOrAbsent, waiverProblem } from '../history/run-store.ts';
import { DEFAULT_HISTORY, historyTarget, openRunStore, parseStoreUrl, type OpenStoreDeps, type RunStore } from '../history/store.ts';
import { spoolCloserOf } from '../run/stored-run.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../run/types.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand } from './command.ts';

interface TransferOptions extends StoreFlags { file?: string }

export const EXPORT_FORMAT = 'ztaudit-history-export';
export const EXPORT_VERSION = 1;

/** Every run id of a store, oldest first; a damaged k8s:// index entry, which names no run to read, goes to `onDamaged`. */
async function* idsOf(store: RunStore, onDamaged: (error: UnreadableRunError) => void): AsyncGenerator<string> {
  if (store.runIds) {
    yield* store.runIds();
    return;
  }
  // A run whose summary cannot be read is exported all the same when its report reads (import summarises it anew).
  const ids: Array<{ id: string | null; place: number }> = [];
  const all: Array<string | null> = (await store.list(Number.MAX_SAFE_INTEGER, (error, place) => {
    if (error.part === 'entry') onDamaged(error);
    ids.push({ id: error.part === 'entry' ? null : error.runId, place });
  })).map((r) => r.id);
  for (const { id, place } of ids) all.splice(place, 0, id);
  for (let i = all.length - 1; i >= 0; i--) {
    const id = all[i];
    if (id !== null) yield id;
  }
}

/**
 * A SQLite store path that names no file: a typo in a backup CronJob's --history (or the
 * default ./.ztaudit/history.db read from the wrong directory) would otherwise export nothing
 * and exit 0 — a backup of nothing that looks like one. Refused as `fleet` refuses it. Other
 * stores say for themselves whether they can be read.
 */
function missingDatabase(values: TransferOptions, io: CliIO): HistoryError | null {
  const target = historyTarget(values.history, readEnv(io.env).history);
  let location: ReturnType<typeof parseStoreUrl>;
  try {
    location = parseStoreUrl(target, io.cwd);
  } catch {
    return null; // opening the store names what is wrong with the URL
  }
  if (location.kind !== 'sqlite' || existsSync(location.path)) return null;
  return new HistoryError(`history database ${oneLine(location.path)} does not exist: nothing exported, no file written (check --history or ZTAUDIT_HISTORY; a relative path, as the default ${DEFAULT_HISTORY}, is read from the working directory ${oneLine(io.cwd)})`);
}

export async function exportRuns(values: TransferOptions, io: CliIO, streams: { stdout?: Writable } = {}): Promise<number> {
  return withStoreErrors(io, 'history export', async () => {
    // Before anything is written: not even the header line goes to standard output.
    const missing = missingDatabase(values, io);
    if (missing) throw missing;
    const file = values.file && values.file !== '-' ? resolve(io.cwd, values.file) : null;
    if (file && existsSync(file) && statSync(file).isDirectory()) throw new ConfigError(`--file ${file}: cannot write it (EISDIR)`);
    // Written to a temp file renamed over --file once complete: a store that cannot be opened
    // or a failure half-way leaves an earlier export at that path as it was.
    const tmp = file ? tempPathFor(file) : null;
    if (file) removeStaleTemps(dirname(file), [basename(file)]);
    const out: Writable = tmp ? createWriteStream(tmp) : streams.stdout ?? process.stdout;
    // A file that cannot be written (a missing parent, no permission) is said before the store is opened.
    if (tmp) await once(out, 'open').catch((e: NodeJS.ErrnoException) => { throw new ConfigError(`--file ${file}: cannot write it (${e.code ?? e.message})`); });
    let complete = false;
    let count = 0;
    let unreadable = 0;
    try {
      const store = await openStoreForReading(values, io, 'history export');
      try {
        await writeJsonLine(out, { format: EXPORT_FORMAT, version: EXPORT_VERSION, source: store.describe(), exportedAt: new Date().toISOString() });
        const damaged = (error: UnreadableRunError) => {
          io.stderr(`ztaudit history export: ${oneLine(error.message)}; skipped\n`);
          unreadable++;
        };
        for await (const id of idsOf(store, damaged)) {
          let run: RunReport | null;
          try {
            run = await store.get(id);
          } catch (error: unknown) {
            // One corrupt run must not keep the others from being exported: named, skipped, exit 2.
            if (!(error instanceof UnreadableRunError)) throw error;
            io.stderr(`ztaudit history export: ${oneLine(error.message)}; skipped\n`);
            unreadable++;
            continue;
          }
          if (!run) continue; // evicted while exporting
          try {
            await writeJsonLine(out, run);
          } finally {
            spoolCloserOf(run)(); // its findings' temp file, if the store read them into one
          }
          count++;
        }
      } finally {
        await store.close();
      }
      complete = true;
      // A store that exists and holds no run (audits not run yet, or writing elsewhere): an
      // export of nothing is a valid file that imports as nothing, but it is said as a warning.
      if (count === 0 && unreadable === 0) io.stderr(`ztaudit history export: warning: ${oneLine(store.describe())} holds no runs: the export has none (point --history at the store the audits write to; ztaudit history lists what a store holds)\n`);
      else io.stderr(`ztaudit history export: ${count} run(s) from ${store.describe()}${unreadable > 0 ? `; ${unreadable} unreadable run(s) skipped` : ''}\n`);
    } finally {
      if (tmp && file) {
        out.end();
        await once(out, 'close');
        if (complete) renameSync(tmp, file);
        else rmSync(tmp, { force: true });
      }
    }
    return unreadable > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Why `v` is not a string, or null. */
const notText = (v: unknown, name: string): string | null => (typeof v === 'string' ? null : v === undefined ? `no ${name}` : `${name} is not a string`);

/** Why a finding is not one the stores can keep and the reports can read, or null. */
function notAFinding(f: unknown): string | null {
  if (!isObject(f)) return 'not a JSON object';
  const text = notText(f.fingerprint, 'fingerprint') ?? notText(f.check, 'check');
  if (text) return text;
  if (!(SEVERITIES as readonly unknown[]).includes(f.severity)) return `severity is not one of ${SEVERITIES.join(', ')}`;
  const r = f.resource;
  if (!isObject(r)) return r === undefined ? 'no resource' : 'resource is not a JSON object';
  const resource = notText(r.kind, 'resource.kind') ?? notText(r.name, 'resource.name') ?? (r.namespace === undefined ? null : notText(r.namespace, 'resource.namespace'));
  if (resource) return resource;
  if (!(AREAS as readonly unknown[]).includes(f.area)) return `area is not one of ${AREAS.join(', ')}`;
  const message = notText(f.message, 'message');
  if (message) return message;
  if (!Array.isArray(f.controls)) return 'controls is not a list';
  if (typeof f.waived !== 'boolean') return 'waived is not true or false';
  if (f.waiver !== undefined && !isObject(f.waiver)) return 'waiver is not a JSON object';
  return null;
}

/** Why a parsed line is not a run this version can store (the first thing wrong with it), or null. */
export function notARun(value: unknown): string | null {
  if (!isObject(value)) return 'not a JSON object';
  const r = value as Partial<RunReport>;
  if (r.schemaVersion === undefined) return 'no schemaVersion: not a run report';
  if (r.schemaVersion !== REPORT_SCHEMA_VERSION) return `schemaVersion ${JSON.stringify(r.schemaVersion)} is not ${REPORT_SCHEMA_VERSION}`;
  if (!r.run || typeof r.run.id !== 'string' || !r.run.id) return 'no run.id';
  if (!isRunId(r.run.id)) return `run.id "${oneLine(clip(r.run.id, 200))}" is not a run id (${RUN_ID_RULE})`;
  const run = `run ${r.run.id}`;
  if (typeof r.run.startedAt !== 'string' || Number.isNaN(Date.parse(r.run.startedAt))) return `${run}: run.startedAt is not a date`;
  if (!r.run.cluster || typeof r.run.cluster.name !== 'string') return `${run}: no run.cluster.name`;
  if (!Array.isArray(r.run.notes)) return `${run}: run.notes is not a list`;
  if (!Array.isArray(r.findings) || !Array.isArray(r.checks) || !r.score || typeof r.score !== 'object') return `${run}: findings, checks or score missing`;
  if (!(r.score.overall === null || typeof r.score.overall === 'number') || !isObject(r.score.areas)) return `${run}: score has no overall or no areas`;
  const check = (r.checks as unknown[]).findIndex((c) => !isObject(c) || typeof c.id !== 'string' || typeof c.status !== 'string');
  if (check >= 0) return `${run}: check ${check}: no id or no status`;
  if (r.diff !== null && !(isObject(r.diff) && typeof r.diff.regression === 'boolean' && Array.isArray(r.diff.regressionReasons))) return `${run}: diff is neither null nor a diff with regression and regressionReasons`;
  if (r.diff && !isRunId(r.diff.previousRunId)) return `${run}: diff.previousRunId "${oneLine(clip(String(r.diff.previousRunId), 200))}" is not a run id (${RUN_ID_RULE})`;
  if (!Array.isArray(r.waivers) || !Array.isArray(r.notifications)) return `${run}: waivers or notifications missing`;
  // What the diff, the fleet and `report` read of a stored run without looking first: a run
  // stored with less would make every later run of its cluster fail (the store's reportProblem).
  for (let i = 0; i < r.waivers.length; i++) {
    const why = waiverProblem(r.waivers[i]);
    if (why) return `${run}: waiver ${i}: ${why}`;
  }
  if (!namesOrAbsent(r.run.partial)) return `${run}: run.partial is not a list of reasons`;
  const unjudged = (r.checks as unknown as Array<Record<string, unknown>>).findIndex((c) => !namesOrAbsent(c.unjudgedNamespaces));
  if (unjudged >= 0) return `${run}: check ${unjudged}: unjudgedNamespaces is not a list of namespaces`;
  for (let i = 0; i < r.findings.length; i++) {
    const why = notAFinding(r.findings[i]);
    if (why) return `${run}: finding ${i}: ${why}`;
  }
  return null;
}

/** The export being imported: read once in order, then each run's line again by its offsets. */
interface ExportInput {
  /** How messages name it: its path, or "standard input". */
  name: string;
  chunks(): AsyncIterable<Buffer | string>;
  range(start: number, end: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

const READ_BYTES = 1 << 20;

/** Bytes [start, end) of `file` (from where it stands when `start` is null: a pipe has no offsets), a fresh buffer each. */
async function* readFile(file: FileHandle, start: number | null, end = Infinity): AsyncGenerator<Buffer> {
  for (let at = start ?? 0; at < end;) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, end - at));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start === null ? null : at);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
    at += bytesRead;
  }
}

/** Standard input or a pipe, copied into a temp file (an unlinked Spool) as it is read the first time. */
function spooledInput(name: string, source: AsyncIterable<Buffer | string>, closeSource: () => Promise<void>): ExportInput {
  const spool = Spool.open();
  const refused = (why: string) => new ConfigError(`${name}: cannot keep it in a temp file in ${spool?.dir ?? tmpdir()} while it is read (${why}); save the export to a file and pass it with --file`);
  if (spool === null) throw refused('no file can be made there');
  return {
    name,
    async *chunks() {
      for await (const piece of source) {
        const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (spool.appendBytes(chunk) < 0) throw refused(spool.failure ?? 'it was closed');
        yield chunk;
      }
      spool.seal();
    },
    async *range(start, end) {
      // A copy of each view: the spool reuses its read window, and a parser keeps what it was handed.
      for (let at = start; at < end; at += READ_BYTES) yield Buffer.from(spool.bytes(at, Math.min(READ_BYTES, end - at)));
    },
    async close() {
      spool.close();
      await closeSource();
    },
  };
}

async function openInput(file: string | undefined, io: CliIO, stdin: NodeJS.ReadableStream | undefined): Promise<ExportInput> {
  if (!file || file === '-') return spooledInput('standard input', stdin ?? process.stdin, async () => {});
  const name = resolve(io.cwd, file);
  if (existsSync(name) && statSync(name).isDirectory()) throw new ConfigError(`--file ${name}: is a directory, not an export`);
  const handle = await open(name, 'r').catch((e: NodeJS.ErrnoException) => { throw new ConfigError(`--file ${name}: cannot read it (${e.code ?? e.message})`); });
  try {
    if ((await handle.stat()).isFile()) return { name, chunks: () => readFile(handle, 0), range: (start, end) => readFile(handle, start, end), close: () => handle.close() };
    return spooledInput(name, readFile(handle, null), () => handle.close()); // a pipe (<(…)), a device
  } catch (error: unknown) {
    await handle.close();
    throw error;
  }
}

/** A run's line as found by the first read. */
interface RunLine {
  no: number;
  start: number;
  end: number;
  id: string;
  cluster: string;
  startedAt: string;
  time: number;
}

/** The run on a line, read again; null when the line no longer holds it (the file changed). */
async function runOn(input: ExportInput, line: RunLine): Promise<RunReport | null> {
  for await (const again of jsonLines(input.range(line.start, line.end), line.start)) {
    if (again.value === null || notARun(again.value) !== null) return null;
    const run = again.value as unknown as RunReport;
    return run.run.id === line.id && run.run.startedAt === line.startedAt ? run : null;
  }
  return null;
}

const GZIP_FIRST_BYTE = 0x1f;
const OPEN_OBJECT = 0x7b;

/**
 * Imports `input` into the store `openStore` opens, once the input's first line is read: an
 * empty input (an export that failed before its header line, piped on) is refused before any
 * store is made for it.
 */
async function importInto(openStore: () => Promise<RunStore>, input: ExportInput, io: CliIO): Promise<number> {
  const lines = jsonLines(input.chunks())[Symbol.asyncIterator]();
  const head = await lines.next();
  // Every export begins with its header line, even one of a store holding no run.
  if (head.done) throw new HistoryError(`${input.name}: empty: not a ztaudit history export (an export begins with a header line even when it holds no run; did the export fail?)`);
  const store = await openStore();
  try {
    return await importLines(store, input, head.value, lines, io);
  } finally {
    await store.close();
  }
}

async function importLines(store: RunStore, input: ExportInput, head: JsonLine, rest: AsyncIterator<JsonLine>, io: CliIO): Promise<number> {
  const say = (no: number, text: string) => io.stderr(`ztaudit history import: ${input.name} line ${no}: ${text}\n`);
  let bad = 0;
  const unusable = (no: number, why: string) => {
    bad++;
    say(no, `${why}; skipped`);
  };
  const runs: RunLine[] = [];
  let first = true;
  for (let next: IteratorResult<JsonLine> = { done: false, value: head }; !next.done; next = await rest.next(), first = false) {
    const line = next.value;
    const value = line.value;
    if (value === null) {
      // Not even the first line is JSON: another kind of file (a gzip of an export, a
      // report), not an export with a damaged line. Said once, instead of once a line.
      if (first) throw new HistoryError(`${input.name}: not a ztaudit history export (line ${line.no} is not JSON${line.first === GZIP_FIRST_BYTE ? '; it looks gzip-compressed: gunzip it first' : ''})`);
      unusable(line.no, line.first === OPEN_OBJECT ? 'not JSON' : 'not a JSON object');
      continue;
    }
    if (line.no === 1 && value.format === EXPORT_FORMAT) {
      if (value.version !== EXPORT_VERSION) throw new HistoryError(`${input.name}: export format version ${JSON.stringify(value.version)}; this ztaudit reads version ${EXPORT_VERSION} (upgrade ztaudit)`);
      continue;
    }
    const why = notARun(value);
    if (why) {
      unusable(line.no, why);
      continue;
    }
    const { run } = value as unknown as RunReport;
    runs.push({ no: line.no, start: line.start, end: line.end, id: run.id, cluster: run.cluster.name, startedAt: run.startedAt, time: Date.parse(run.startedAt) });
  }

  // Newest first, by insertion. A held run whose summary cannot be read is named and passed over
  // (its id stays taken; what its store keeps of it apart from the summary still guards its cluster):
  // the runs imported are read from the export, not from it.
  const unreadable: Array<{ run: { id: string; cluster?: string; startedAt?: string }; place: number }> = [];
  const held: Array<{ id: string; cluster?: string; startedAt?: string }> = await store.list(Number.MAX_SAFE_INTEGER, (error, place) => {
    io.stderr(`ztaudit history import: warning: ${oneLine(error.message)}; passed over\n`);
    unreadable.push({ run: { id: error.runId, cluster: error.cluster, startedAt: error.startedAt }, place });
  });
  for (const { run, place } of unreadable) held.splice(place, 0, run);
  const there = new Set(held.map((r) => r.id));
  const newest = new Map<string, { id: string; startedAt: string }>();
  for (const r of held) if (r.cluster !== undefined && r.startedAt !== undefined && !newest.has(r.cluster)) newest.set(r.cluster, { id: r.id, startedAt: r.startedAt });
  let imported = 0;
  let already = 0;
  let older = 0;
  let refused = 0;
  for (const line of runs) {
    if (there.has(line.id)) {
      already++;
      continue;
    }
    const last = newest.get(line.cluster);
    if (last && line.time < Date.parse(last.startedAt)) {
      older++;
      say(line.no, `run ${oneLine(line.id)} of cluster "${oneLine(line.cluster)}" started ${oneLine(line.startedAt)}, before the cluster's newest run in ${store.describe()}, ${oneLine(last.id)} (started ${oneLine(last.startedAt)}): stored now, it would become the cluster's latest run; skipped (import into a new store before pointing scheduled runs at it)`);
      continue;
    }
    const run = await runOn(input, line);
    if (run === null) {
      unusable(line.no, `changed since it was first read (run ${oneLine(line.id)} is no longer on it)`);
      continue;
    }
    try {
      await store.save(run);
    } catch (error: unknown) {
      refused++;
      say(line.no, `run ${oneLine(line.id)} could not be stored: ${oneLine(errorMessage(error))}; skipped`);
      // A store that can no longer be read (gone for good) ends the import here, instead of
      // refusing every run that is left after its retries.
      await store.list(1, () => {}).catch((gone: unknown) => { throw new HistoryError(`${errorMessage(gone)} (${imported} run(s) imported before; import again to go on)`); });
      continue;
    }
    imported++;
    there.add(line.id);
  }
  io.stderr(`ztaudit history import: ${imported} run(s) imported into ${store.describe()}, ${already} already there${older ? `, ${older} run(s) older than their cluster's newest stored run skipped` : ''}${refused ? `, ${refused} run(s) refused by the store` : ''}${bad ? `, ${bad} line(s) skipped as unusable` : ''}\n`);
  return bad + older + refused > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
}

/** What an import reads and writes: standard input and the store, as the CLI opens them unless a test hands them in. */
export interface ImportEdges {
  stdin?: NodeJS.ReadableStream;
  openStore?: (url: string, deps: OpenStoreDeps) => Promise<RunStore>;
}

export async function importRuns(values: TransferOptions, io: CliIO, edges: ImportEdges = {}): Promise<number> {
  return withStoreErrors(io, 'history import', async () => {
    const url = historyTarget(values.history, readEnv(io.env).history);
    if (url === 'none') throw new HistoryError('--history none keeps no runs; point --history at the store to import into');
    const input = await openInput(values.file, io, edges.stdin);
    try {
      // Retention off: an import never evicts what it imports (nor what the target held).
      return await importInto(() => (edges.openStore ?? openRunStore)(url, {
        kubeconfigPath: values.kubeconfig ? resolve(io.cwd, values.kubeconfig) : undefined, context: values.context,
        cwd: io.cwd, env: io.env, retention: { maxRuns: 0, maxAgeDays: 0 },
      }), input, io);
    } catch (error: unknown) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (typeof code === 'string' && (error as NodeJS.ErrnoException).syscall === 'read') throw new ConfigError(`--file ${input.name}: cannot read it (${code})`);
      throw error;
    } finally {
      await input.close();
    }
  });
}

export const HISTORY_EXPORT = defineCommand<TransferOptions>({
  name: 'export',
  summary: 'write every run of a store as JSON lines (a header line, then one run report per line, oldest first)',
  define: (cmd) => {
    addStoreOptions(cmd).option('-f, --file <file>', 'write to this file instead of standard output (- is standard output)');
  },
  examples: [
    'ztaudit history export --history postgres://ztaudit@db.internal/ztaudit --file runs.jsonl',
    "ztaudit history export --history ./.ztaudit/history.db | ztaudit history import --history postgres://ztaudit@db/ztaudit  # move to PostgreSQL, before scheduled runs write there",
  ],
  exitCodes: ['0  every run exported', '2  the store could not be read, or some stored runs were unreadable (each named on stderr and skipped; the others are exported)'],
  run: (opts, _args, io) => exportRuns(opts, io),
});

export const HISTORY_IMPORT = defineCommand<TransferOptions>({
  name: 'import',
  summary: 'store the runs of an export in its order, oldest first as they were stored (same ids; never evicts; skips runs already there; names each unusable line (a run id that is not one among them), each run older than its cluster\'s newest stored run and each run the store refuses)',
  define: (cmd) => {
    addStoreOptions(cmd).option('-f, --file <file>', 'read this file instead of standard input (- is standard input)');
  },
  examples: ['ztaudit history import --history postgres://ztaudit@db.internal/ztaudit --file runs.jsonl'],
  exitCodes: ['0  every run imported or already there', '2  the store could not be opened, or some lines were unusable, some runs older than their cluster\'s newest stored run, or some runs refused by the store (each named on stderr)'],
  run: (opts, _args, io) => importRuns(opts, io),
});
