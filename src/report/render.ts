// Writes a run's reports into a directory: report.json always, the other formats as asked.
// Files are written whole (temp file + rename) so a reader never sees half a report.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderSarif } from './sarif.ts';
import type { RunReport } from './types.ts';
import type { TrendPoint } from './view.ts';

export const REPORT_FORMATS = ['json', 'html', 'junit', 'md', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES: Record<ReportFormat, string> = {
  json: 'report.json', html: 'report.html', junit: 'report.junit.xml', md: 'report.md', sarif: 'report.sarif',
};

export interface RenderOptions {
  formats: string[];
  outDir: string;
  trend?: TrendPoint[];
  previous?: RunReport | null;
}

async function writeWhole(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

export function renderFormat(report: RunReport, format: ReportFormat, opts: Omit<RenderOptions, 'formats' | 'outDir'> = {}): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'html': return renderHtml(report, { trend: opts.trend, previous: opts.previous ?? null });
    case 'junit': return renderJunit(report);
    case 'md': return renderMarkdown(report);
    case 'sarif': return `${JSON.stringify(renderSarif(report), null, 2)}\n`;
  }
}

/** Returns the written paths, report.json first. Unknown formats are an error naming them. */
export async function renderReports(report: RunReport, opts: RenderOptions): Promise<string[]> {
  const unknown = opts.formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new ConfigError(`unknown report format(s): ${unknown.join(', ')} (known: ${REPORT_FORMATS.join(', ')})`);
  const formats: ReportFormat[] = ['json', ...REPORT_FORMATS.filter((f) => f !== 'json' && opts.formats.includes(f))];
  await mkdir(opts.outDir, { recursive: true });
  const paths: string[] = [];
  for (const f of formats) {
    const path = join(opts.outDir, REPORT_FILES[f]);
    await writeWhole(path, renderFormat(report, f, opts));
    paths.push(path);
  }
  return paths;
}
