// `ztaudit history export --history A [--file F]` and `ztaudit history import --history B
// [--file F]`: moves runs between stores (SQLite, k8s://, postgres://) as JSON lines, one
// whole run report per line, oldest first, after a header line; no line is ever one string
// (src/history/export-lines.ts). Import stores each run as it
// was (same id, scores, findings, diff; retention is not applied, so nothing imported is
// evicted), skips runs the target already holds (an import can be repeated), and names each
// line it cannot use, going on with the rest (exit 2 at the end if any). A file whose first
// line is not JSON (a gzip of an export, some other file) is refused as a whole, in one line.
//
// A k8s:// store keeps runs in compact form (no finding messages or evidence): what it
// exports is what it holds, and a run that passes through it keeps only that.
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { readEnv } from '../config/env.ts';
import { ConfigError, HistoryError } from '../base/errors.ts';
import { jsonLines, writeJsonLine } from '../history/export-lines.ts';
import { DEFAULT_HISTORY, openRunStore, type RunStore } from '../history/store.ts';
import { spoolCloserOf } from '../run/stored-run.ts';
import { REPORT_SCHEMA_VERSION, type RunReport } from '../run/types.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand } from './command.ts';

interface TransferOptions extends StoreFlags { file?: string }

export const EXPORT_FORMAT = 'ztaudit-history-export';
export const EXPORT_VERSION = 1;

/** Every run id of a store, oldest first. */
async function* idsOf(store: RunStore): AsyncGenerator<string> {
  if (store.runIds) {
    yield* store.runIds();
    return;
  }
  const all = await store.list(Number.MAX_SAFE_INTEGER);
  for (let i = all.length - 1; i >= 0; i--) yield all[i].id;
}

export async function exportRuns(values: TransferOptions, io: CliIO, streams: { stdout?: Writable } = {}): Promise<number> {
  return withStoreErrors(io, 'history export', async () => {
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
    try {
      const store = await openStoreForReading(values, io);
      try {
        await writeJsonLine(out, { format: EXPORT_FORMAT, version: EXPORT_VERSION, source: store.describe(), exportedAt: new Date().toISOString() });
        for await (const id of idsOf(store)) {
          const run = await store.get(id);
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
      io.stderr(`ztaudit history export: ${count} run(s) from ${store.describe()}\n`);
    } finally {
      if (tmp && file) {
        out.end();
        await once(out, 'close');
        if (complete) renameSync(tmp, file);
        else rmSync(tmp, { force: true });
      }
    }
    return EXIT_OK;
  });
}

/** Why a parsed line is not a run this version can store, or null. */
export function notARun(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Partial<RunReport>;
  if (r.schemaVersion === undefined) return 'no schemaVersion: not a run report';
  if (r.schemaVersion !== REPORT_SCHEMA_VERSION) return `schemaVersion ${JSON.stringify(r.schemaVersion)} is not ${REPORT_SCHEMA_VERSION}`;
  if (!r.run || typeof r.run.id !== 'string' || !r.run.id) return 'no run.id';
  if (typeof r.run.startedAt !== 'string' || Number.isNaN(Date.parse(r.run.startedAt))) return `run ${r.run.id}: run.startedAt is not a date`;
  if (!r.run.cluster || typeof r.run.cluster.name !== 'string') return `run ${r.run.id}: no run.cluster.name`;
  if (!Array.isArray(r.findings) || !Array.isArray(r.checks) || !r.score || typeof r.score !== 'object') return `run ${r.run.id}: findings, checks or score missing`;
  return null;
}

const GZIP_FIRST_BYTE = 0x1f;
const OPEN_OBJECT = 0x7b;

export async function importRuns(values: TransferOptions, io: CliIO, streams: { stdin?: NodeJS.ReadableStream } = {}): Promise<number> {
  return withStoreErrors(io, 'history import', async () => {
    const url = values.history ?? readEnv(io.env).history ?? DEFAULT_HISTORY;
    if (url === 'none') throw new HistoryError('--history none keeps no runs; point --history at the store to import into');
    const name = values.file && values.file !== '-' ? resolve(io.cwd, values.file) : 'standard input';
    if (name !== 'standard input' && existsSync(name) && statSync(name).isDirectory()) throw new ConfigError(`--file ${name}: is a directory, not an export`);
    const input = name === 'standard input' ? streams.stdin ?? process.stdin : createReadStream(name);
    const opened = new Promise<void>((ok, fail) => {
      if (name === 'standard input') return ok();
      (input as ReturnType<typeof createReadStream>).once('open', () => ok()).once('error', (e: NodeJS.ErrnoException) => fail(new ConfigError(`--file ${name}: cannot read it (${e.code ?? e.message})`)));
    });
    await opened;
    // Retention off: an import never evicts what it imports (nor what the target held).
    const store = await openRunStore(url, {
      kubeconfigPath: values.kubeconfig ? resolve(io.cwd, values.kubeconfig) : undefined, context: values.context,
      cwd: io.cwd, env: io.env, retention: { maxRuns: 0, maxAgeDays: 0 },
    });
    let imported = 0;
    let skipped = 0;
    let bad = 0;
    let seenContent = false;
    try {
      for await (const line of jsonLines(input)) {
        const first = !seenContent;
        seenContent = true;
        const value = line.value;
        if (value === null) {
          // Not even the first line is JSON: another kind of file (a gzip of an export, a
          // report), not an export with a damaged line. Said once, instead of once a line.
          if (first) throw new HistoryError(`${name}: not a ztaudit history export (line ${line.no} is not JSON${line.first === GZIP_FIRST_BYTE ? '; it looks gzip-compressed: gunzip it first' : ''})`);
          bad++;
          io.stderr(`ztaudit history import: ${name} line ${line.no}: ${line.first === OPEN_OBJECT ? 'not JSON' : 'not a JSON object'}; skipped\n`);
          continue;
        }
        if (line.no === 1 && value.format === EXPORT_FORMAT) {
          if (value.version !== EXPORT_VERSION) throw new HistoryError(`${name}: export format version ${JSON.stringify(value.version)}; this ztaudit reads version ${EXPORT_VERSION} (upgrade ztaudit)`);
          continue;
        }
        const why = notARun(value);
        if (why) {
          bad++;
          io.stderr(`ztaudit history import: ${name} line ${line.no}: ${why}; skipped\n`);
          continue;
        }
        const run = value as unknown as RunReport;
        if (await store.get(run.run.id)) {
          skipped++;
          continue;
        }
        await store.save(run);
        imported++;
      }
    } catch (error: unknown) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (typeof code === 'string' && (error as NodeJS.ErrnoException).syscall === 'read') throw new ConfigError(`--file ${name}: cannot read it (${code})`);
      throw error;
    } finally {
      await store.close();
    }
    io.stderr(`ztaudit history import: ${imported} run(s) imported into ${store.describe()}, ${skipped} already there${bad ? `, ${bad} line(s) skipped as unusable` : ''}\n`);
    return bad > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
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
    "ztaudit history export --history ./.ztaudit/history.db | ztaudit history import --history postgres://ztaudit@db/ztaudit  # move to PostgreSQL",
  ],
  run: (opts, _args, io) => exportRuns(opts, io),
});

export const HISTORY_IMPORT = defineCommand<TransferOptions>({
  name: 'import',
  summary: 'store the runs of an export (same ids; never evicts; skips runs already there; names each unusable line)',
  define: (cmd) => {
    addStoreOptions(cmd).option('-f, --file <file>', 'read this file instead of standard input (- is standard input)');
  },
  examples: ['ztaudit history import --history postgres://ztaudit@db.internal/ztaudit --file runs.jsonl'],
  exitCodes: ['0  every line imported or already there', '2  the store could not be opened, or some lines were unusable (each named on stderr)'],
  run: (opts, _args, io) => importRuns(opts, io),
});
