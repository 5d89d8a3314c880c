// Writes a run's reports into a directory: report.json always, the other formats as asked.
// Files are written whole (temp file + rename) so a reader never sees half a report. The
// formats that grow with the findings (json, sarif, junit, csv) are written a piece at a time
// in ~1 MiB batches: at 150,000 pods SARIF and JUnit, at 500,000 CSV, are larger than the
// longest string V8 can make.
import { closeSync, fstatSync, openSync, rmSync, type BigIntStats } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InputError, ZtauditError } from '../base/errors.ts';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { ByteBatch, collectText, type TextWriter } from '../base/spool.ts';
import { FileAppender } from '../base/write-behind.ts';
import { writeFindingJson } from '../run/spooled-finding.ts';
import { renderHtml } from './html.ts';
import { writeJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { writeSarif, type SourceRef } from './sarif.ts';
import { writeCsv } from './csv.ts';
import { NO_CHROMIUM, renderPdf } from './pdf.ts';
import type { RunReport, TrendPoint, WrittenFile } from '../run/types.ts';

export interface RenderOptions {
  formats: string[];
  outDir: string;
  trend?: TrendPoint[];
  previous?: RunReport | null;
  /** The Chromium that prints report.pdf (see locateChromium); required when pdf is asked for. */
  chromium?: string | null;
  /** Where each object was read from (the snapshot's `sources`, --manifests): report.sarif points at the file and line. */
  sources?: Record<string, SourceRef>;
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
  html: { file: 'report.html', render: (report: RunReport, opts: Extras) => renderHtml(report, { trend: opts.trend, previous: opts.previous ?? null }) },
  junit: { file: 'report.junit.xml', write: writeJunit },
  md: { file: 'report.md', render: (report: RunReport) => renderMarkdown(report) },
  sarif: { file: 'report.sarif', write: (report: RunReport, out: TextWriter, opts: Extras) => writeSarif(report, out, { sources: opts.sources }) },
  csv: { file: 'report.csv', write: writeCsv },
  pdf: { file: 'report.pdf', render: (report: RunReport, opts: Extras) => printPdf(report, opts) },
} as const satisfies Record<string, { file: string; render: Render } | { file: string; write: Write }>;

export type ReportFormat = keyof typeof REPORTS;
export const REPORT_FORMATS = Object.keys(REPORTS) as ReportFormat[];
/** The formats rendered as text (all but pdf). */
export type TextFormat = Exclude<ReportFormat, 'pdf'>;

async function printPdf(report: RunReport, opts: Extras): Promise<Buffer> {
  if (!opts.chromium) throw new ConfigError(`--format pdf: ${NO_CHROMIUM}`);
  const html = renderHtml(report, { trend: opts.trend, previous: opts.previous ?? null });
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


/** Writes a file whole or not at all: a temp file beside it, renamed over it. */
export async function writeWhole(path: string, content: string | Buffer): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (error: unknown) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * report.json, streamed: findings are serialised one at a time into ~1 MiB batches, so a
 * 150,000-pod cluster's report never exists as one giant string (the memory that would
 * take is larger than the whole audit's); a spooled finding's message and evidence are
 * copied from its spool as they are. The output is the same JSON document.
 */
export async function writeReportJson(report: RunReport, path: string): Promise<WrittenFile> {
  return writeStreamed(path, (out) => {
    const keys = Object.keys(report) as Array<keyof RunReport>;
    out.text('{\n');
    keys.forEach((key, i) => {
      out.text(`  ${JSON.stringify(key)}: `);
      if (key === 'findings') {
        const findings = report.findings;
        out.text(findings.length === 0 ? '[]' : '[\n');
        for (let j = 0; j < findings.length; j++) {
          out.text('    ');
          writeFindingJson(findings[j], out);
          out.text(j < findings.length - 1 ? ',\n' : '\n');
        }
        if (findings.length > 0) out.text('  ]');
      } else {
        writeIndentedJson(out, report[key], '  ', SECTION_LEVELS);
      }
      out.text(i < keys.length - 1 ? ',\n' : '\n');
    });
    out.text('}\n');
  });
}

/**
 * Levels of a report section written a member at a time: details -> mtls -> workloads -> one
 * workload. At 150,000 pods the details section is ~20 MiB of JSON (50,000 mesh workloads);
 * written whole, it was one string, its indented copy and their UTF-8 buffer, ~60 MiB held
 * at once at the end of report.json, where the run reaches its peak RSS.
 */
const SECTION_LEVELS = 3;

/**
 * Writes JSON.stringify(value, null, 2) with `indent` after each of its line breaks (the
 * text of a member nested that deep), taking arrays and plain objects apart `levels` deep
 * and each value below as JSON.stringify's own text. Members are left out, array holes
 * written as null and toJSON handed the member's key exactly as JSON.stringify does.
 */
function writeIndentedJson(out: TextWriter, value: unknown, indent: string, levels: number): void {
  if (!takenApart(value, levels)) {
    out.text(JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  // A member's text; null when JSON.stringify leaves it out, undefined when it is taken apart.
  const member = (key: string, v: unknown): string | null | undefined => {
    if (takenApart(v, levels - 1)) return undefined;
    const json = hasToJson(v) ? memberJson(key, v) : JSON.stringify(v, null, 2) as string | undefined;
    return json === undefined ? null : json.replace(/\n/g, `\n${inner}`);
  };
  let members = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const json = member(String(i), v);
      out.text(members++ === 0 ? `[\n${inner}` : `,\n${inner}`);
      if (json === undefined) writeIndentedJson(out, v, inner, levels - 1);
      else out.text(json ?? 'null');
    }
    out.text(members === 0 ? '[]' : `\n${indent}]`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    const json = member(key, v);
    if (json === null) continue;
    out.text(`${members++ === 0 ? '{' : ','}\n${inner}${JSON.stringify(key)}: `);
    if (json === undefined) writeIndentedJson(out, v, inner, levels - 1);
    else out.text(json);
  }
  out.text(members === 0 ? '{}' : `\n${indent}}`);
}

/** Whether writeIndentedJson takes `value` apart: an array or plain object without toJSON, `levels` > 0. */
function takenApart(value: unknown, levels: number): value is object {
  if (levels <= 0 || typeof value !== 'object' || value === null || hasToJson(value)) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasToJson = (v: unknown): boolean =>
  ((typeof v === 'object' && v !== null) || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function';

/**
 * JSON.stringify(v, null, 2) of a value with a toJSON method as the member `key` of an
 * object: toJSON is handed that key (a Date ignores it, another toJSON may not). Undefined
 * when JSON.stringify leaves the member out.
 */
function memberJson(key: string, v: unknown): string | undefined {
  const wrapped = JSON.stringify({ [key]: v }, null, 2);
  if (wrapped === '{}') return undefined;
  // '{\n  "key": ' + the value, each of its lines after the first indented two more + '\n}'
  return wrapped.slice(`{\n  ${JSON.stringify(key)}: `.length, -2).replace(/\n {2}/g, '\n');
}

/**
 * Writes a file whole or not at all, as writeWhole does, from what `write` puts in a batch:
 * the file's text never exists as one string. Returns the file as written.
 */
export async function writeStreamed(path: string, write: (out: ByteBatch) => void): Promise<WrittenFile> {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
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
      await rename(tmp, path);
      // Our own descriptor, after the rename (which moves ctime): this very file, whatever the
      // path names by the time anyone reads it.
      return writtenFile(path, fstatSync(fd, { bigint: true }));
    } finally {
      closeSync(fd);
    }
  } catch (error: unknown) {
    // A report cut short (the disk full, a finding that cannot be read) leaves no partial file.
    rmSync(tmp, { force: true });
    throw error;
  }
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
  const paths: string[] = [];
  let path = opts.outDir;
  try {
    await mkdir(opts.outDir, { recursive: true });
    // Whatever a killed run left half-written (report.json.<pid>.tmp) goes now.
    removeStaleTemps(opts.outDir, Object.values(REPORTS).map((r) => r.file));
    for (const f of formats) {
      path = join(opts.outDir, REPORTS[f].file);
      const row = REPORTS[f];
      if (f === 'json') {
        // Not written inside `onReportJson?.(…)`: without a listener that skips its argument.
        const written = await writeReportJson(report, path);
        opts.onReportJson?.(written);
      } else if ('write' in row) {
        await writeStreamed(path, (out) => row.write(report, out, opts));
      } else {
        await writeWhole(path, await row.render(report, opts));
      }
      paths.push(path);
    }
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    // Ours (a PDF Chromium could not print) already says what failed; only a write is --out's.
    if (error instanceof ZtauditError || typeof code !== 'string') throw error;
    throw new InputError(`--out ${opts.outDir}: cannot write ${path} (${code})`);
  }
  return paths;
}
