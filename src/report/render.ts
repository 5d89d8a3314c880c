// Writes a run's reports into a directory: report.json always, the other formats as asked.
// Files are written whole (temp file + rename) so a reader never sees half a report, and a
// run's reports replace the previous run's only once all of them were written. The
// formats that grow with the findings (json, sarif, junit, csv) are written a piece at a time
// in ~1 MiB batches: at 150,000 pods SARIF and JUnit, at 500,000 CSV, are larger than the
// longest string V8 can make.
import { closeSync, fstatSync, lstatSync, openSync, rmSync, type BigIntStats } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectories } from '../base/directories.ts';
import { ConfigError, InputError, ZtauditError } from '../base/errors.ts';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { ByteBatch, collectText, type TextWriter } from '../base/spool.ts';
import { FileAppender } from '../base/write-behind.ts';
import { writeReportJsonTo } from '../run/report-json.ts';
import { renderHtml } from './html.ts';
import { writeJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { writeSarif, type SourceRef } from './sarif.ts';
import { writeCsv } from './csv.ts';
import { NO_CHROMIUM, renderPdf } from './pdf.ts';
import type { CarriedFindings, RunReport, TrendPoint, WrittenFile } from '../run/types.ts';
import type { PreviousMissing } from './view/types.ts';

export interface RenderOptions {
  formats: string[];
  outDir: string;
  trend?: TrendPoint[];
  previous?: RunReport | null;
  /** Why the run `previous` would be is not at hand (a stored run rendered again, StoredRunExtras). */
  previousMissing?: PreviousMissing;
  /** The Chromium that prints report.pdf (see locateChromium); required when pdf is asked for. */
  chromium?: string | null;
  /** Where each object was read from (the snapshot's `sources`, --manifests): report.sarif points at the file and line. */
  sources?: Record<string, SourceRef>;
  /** The open findings of the checks the run could not evaluate, from the runs that last evaluated them: report.sarif lists them. */
  carried?: CarriedFindings[];
  /** At most this many results in report.sarif (reports.sarifMaxResults, --sarif-max-results; default SARIF_MAX_RESULTS). */
  sarifMaxResults?: number;
  /** What set sarifMaxResults (the flag or the key), named when report.sarif is cut; absent for the default. */
  sarifMaxResultsFrom?: string;
  /** At most this many finding testcases in report.junit.xml (reports.junitMaxFindingCases, --junit-max-finding-cases; default JUNIT_MAX_FINDING_CASES). */
  junitMaxFindingCases?: number;
  /** What set junitMaxFindingCases, likewise. */
  junitMaxFindingCasesFrom?: string;
  /** --history none: report.html and report.pdf say history is off, not "first run". */
  historyOff?: boolean;
  /** Told which file report.json is once it is in place (a store may keep the run from it). */
  onReportJson?: (file: WrittenFile) => void;
}

type Extras = Omit<RenderOptions, 'formats' | 'outDir' | 'onReportJson'>;

/** A format made whole, as text (or pdf's bytes). */
type Render = (report: RunReport, opts: Extras) => string | Promise<Buffer>;
/** A format written a piece at a time. */
type Write = (report: RunReport, out: TextWriter, opts: Extras) => void;

/**
 * Every report format: its file and either its renderer or its streamed writer. Adding a
 * format is one row here. (report.json is streamed by writeReportJson, which copies spooled
 * findings' bytes; its renderer serves renderFormat.)
 */
const REPORTS = {
  json: { file: 'report.json', render: (report: RunReport) => `${JSON.stringify(report, null, 2)}\n` },
  html: { file: 'report.html', render: (report: RunReport, opts: Extras) => renderHtml(report, { trend: opts.trend, previous: opts.previous ?? null, previousMissing: opts.previousMissing, carried: opts.carried, historyOff: opts.historyOff }) },
  junit: { file: 'report.junit.xml', write: (report: RunReport, out: TextWriter, opts: Extras) => writeJunit(report, out, { carried: opts.carried, maxFindingCases: opts.junitMaxFindingCases, maxFindingCasesFrom: opts.junitMaxFindingCasesFrom }) },
  md: { file: 'report.md', render: (report: RunReport) => renderMarkdown(report) },
  sarif: { file: 'report.sarif', write: (report: RunReport, out: TextWriter, opts: Extras) => writeSarif(report, out, { sources: opts.sources, carried: opts.carried, maxResults: opts.sarifMaxResults, maxResultsFrom: opts.sarifMaxResultsFrom }) },
  csv: { file: 'report.csv', write: writeCsv },
  pdf: { file: 'report.pdf', render: (report: RunReport, opts: Extras) => printPdf(report, opts) },
} as const satisfies Record<string, { file: string; render: Render } | { file: string; write: Write }>;

export type ReportFormat = keyof typeof REPORTS;
export const REPORT_FORMATS = Object.keys(REPORTS) as ReportFormat[];
/** The file a format is written to (report.junit.xml for junit). */
export const reportFileOf = (format: ReportFormat): string => REPORTS[format].file;
/** The formats rendered as text (all but pdf). */
export type TextFormat = Exclude<ReportFormat, 'pdf'>;

async function printPdf(report: RunReport, opts: Extras): Promise<Buffer> {
  if (!opts.chromium) throw new ConfigError(`--format pdf: ${NO_CHROMIUM}`);
  const html = renderHtml(report, { trend: opts.trend, previous: opts.previous ?? null, previousMissing: opts.previousMissing, carried: opts.carried, historyOff: opts.historyOff });
  try {
    return await renderPdf(html, { executablePath: opts.chromium, clusterName: report.run.cluster.name, runId: report.run.id });
  } catch (error: unknown) {
    if (error instanceof ZtauditError) throw error;
    // Not --out's fault: nothing is written there until the PDF exists. A file-system error
    // here is Chromium's profile, made in the temp directory (TMPDIR).
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const code = (error as { code?: unknown }).code;
    const where = typeof code === 'string' ? ` (Chromium works in the temp directory ${tmpdir()}, TMPDIR: it must exist and be writable)` : '';
    throw new ConfigError(`--format pdf: Chromium could not print report.pdf: ${why}${where}`);
  }
}


/**
 * A file written whole under its temp name, not yet in place: `commit` renames it over its
 * path, `discard` removes it (after a failed commit too). Several staged files are put in
 * place together only once every one of them was written (renderReports).
 */
interface Staged<T> {
  path: string;
  commit(): Promise<T>;
  discard(): void;
}

async function stageWhole(path: string, content: string | Buffer): Promise<Staged<void>> {
  const tmp = tempPathFor(path);
  const discard = () => rmSync(tmp, { force: true });
  try {
    await writeFile(tmp, content);
  } catch (error: unknown) {
    discard();
    throw error;
  }
  return { path, commit: () => rename(tmp, path), discard };
}

/** As stageWhole, from what `write` puts in a batch: the file's text never exists as one string. */
function stageStreamed(path: string, write: (out: ByteBatch) => void): Staged<WrittenFile> {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  let open = true;
  const close = () => { if (open) { open = false; closeSync(fd); } };
  const discard = () => { close(); rmSync(tmp, { force: true }); };
  try {
    const file = new FileAppender(fd);
    try {
      // Each piece is encoded into one reused buffer at once, so it is garbage as soon as it is
      // written (not a part of a growing string that outlives young-generation collections).
      const out = new ByteBatch((chunk) => file.write(chunk));
      write(out);
      out.flush();
      file.finish();
    } finally {
      file.abort();
    }
  } catch (error: unknown) {
    // A report cut short (the disk full, a finding that cannot be read) leaves no partial file.
    discard();
    throw error;
  }
  return {
    path,
    async commit() {
      try {
        await rename(tmp, path);
        // Our own descriptor, after the rename (which moves ctime): this very file, whatever the
        // path names by the time anyone reads it.
        return writtenFile(path, fstatSync(fd, { bigint: true }));
      } finally {
        close();
      }
    },
    discard,
  };
}

/** Puts a staged file in place, or removes it. */
async function commitOrDiscard<T>(staged: Staged<T>): Promise<T> {
  try {
    return await staged.commit();
  } catch (error: unknown) {
    staged.discard();
    throw error;
  }
}

/** Writes a file whole or not at all: a temp file beside it, renamed over it. */
export async function writeWhole(path: string, content: string | Buffer): Promise<void> {
  await commitOrDiscard(await stageWhole(path, content));
}

/** report.json, streamed into a file (src/run/report-json.ts). */
export async function writeReportJson(report: RunReport, path: string): Promise<WrittenFile> {
  return writeStreamed(path, (out) => writeReportJsonTo(report, out));
}

/**
 * Writes a file whole or not at all, as writeWhole does, from what `write` puts in a batch:
 * the file's text never exists as one string. Returns the file as written.
 */
export async function writeStreamed(path: string, write: (out: ByteBatch) => void): Promise<WrittenFile> {
  return commitOrDiscard(stageStreamed(path, write));
}

function writtenFile(path: string, stats: BigIntStats): WrittenFile {
  return { path, dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

/** A text format as one string (a streamed format's pieces joined): for small reports and tests. */
export function renderFormat(report: RunReport, format: TextFormat, opts: Extras = {}): string {
  const row = REPORTS[format];
  return 'write' in row ? collectText((out) => row.write(report, out, opts)) : row.render(report, opts);
}

/** Returns the written paths, report.json first. Unknown formats are an error naming them. */
export async function renderReports(report: RunReport, opts: RenderOptions): Promise<string[]> {
  const unknown = opts.formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new ConfigError(`unknown report format(s): ${unknown.join(', ')} (known: ${REPORT_FORMATS.join(', ')})`);
  const formats: ReportFormat[] = ['json', ...REPORT_FORMATS.filter((f) => f !== 'json' && opts.formats.includes(f))];
  if (formats.includes('pdf') && !opts.chromium) throw new ConfigError(`--format pdf: ${NO_CHROMIUM}`);
  let path = opts.outDir;
  const staged: Array<Staged<WrittenFile | void>> = [];
  let json: Staged<WrittenFile> | undefined;
  try {
    makeDirectories(opts.outDir);
    // Whatever a killed run left half-written (report.json.<pid>.tmp) goes now.
    removeStaleTemps(opts.outDir, Object.values(REPORTS).map((r) => r.file));
    // Every format is written under its temp name first: a run whose reports cannot all be
    // written (Chromium failing the PDF, a full disk) is not stored, and must not replace the
    // previous run's reports in --out with some of its own (CI would upload them).
    for (const f of formats) {
      path = join(opts.outDir, REPORTS[f].file);
      const row = REPORTS[f];
      if (f === 'json') staged.push(json = stageStreamed(path, (out) => writeReportJsonTo(report, out)));
      else if ('write' in row) staged.push(stageStreamed(path, (out) => row.write(report, out, opts)));
      else staged.push(await stageWhole(path, await row.render(report, opts)));
    }
    // A rename over a directory fails: found before any report is replaced, not half-way.
    for (const s of staged) {
      path = s.path;
      if (isDirectory(s.path)) throw Object.assign(new Error(`${s.path} is a directory`), { code: 'EISDIR' });
    }
    // report.json last: once it is this run's, so is every other file.
    for (const s of [...staged.filter((x) => x !== json), json!]) {
      path = s.path;
      const written = await s.commit();
      // Not called inside `onReportJson?.(…)`: without a listener that skips its argument.
      if (s === json && written) opts.onReportJson?.(written);
    }
  } catch (error: unknown) {
    // The previous run's reports stay as they were.
    for (const s of staged) s.discard();
    const code = (error as { code?: unknown }).code;
    // Ours (a PDF Chromium could not print) already says what failed; only a write is --out's.
    if (error instanceof ZtauditError || typeof code !== 'string') throw error;
    throw new InputError(`--out ${opts.outDir}: cannot write ${path} (${code})`);
  }
  return staged.map((s) => s.path);
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
