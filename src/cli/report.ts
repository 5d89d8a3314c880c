// `ztaudit report RUN [--history URL] [--format html,json,junit,md,sarif,csv,pdf] [--out DIR]`: renders a
// stored run again, with the score trend up to that run and its previous run for the
// "changes since" section. RUN is an id or a unique prefix of one, or "latest".
import { resolve } from 'node:path';
import { ConfigError, HistoryError } from '../base/errors.ts';
import { REPORT_FORMATS, renderReports } from '../report/render.ts';
import { readEnv } from '../config/env.ts';
import { chromiumFor } from './wiring.ts';
import type { RunReport } from '../run/types.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, findRun, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand, runSpec } from './command.ts';
import { storedRunRendering } from './stored-report.ts';
import { addReportLimitOptions, reportLimitsOf, type ReportLimitFlags } from './report-limits.ts';
import { JUNIT_MAX_FINDING_CASES, SARIF_MAX_RESULTS } from '../base/output-limits.ts';

const FORMATS: readonly string[] = REPORT_FORMATS;

interface ReportOptions extends StoreFlags, ReportLimitFlags { format: string; out: string }

function renderStoredRun(values: ReportOptions, positionals: string[], io: CliIO): Promise<number> {
  return withStoreErrors(io, 'report', async () => {
    const formats = values.format.split(',').map((f) => f.trim()).filter(Boolean);
    for (const f of formats) if (!FORMATS.includes(f)) throw new ConfigError(`--format ${f}: must be among ${FORMATS.join(', ')}`);
    const chromium = chromiumFor(formats, readEnv(io.env));
    // This command reads no ztaudit.yaml: the caps are the defaults unless the flags say otherwise.
    const limits = reportLimitsOf(values, { sarifMaxResults: SARIF_MAX_RESULTS, junitMaxFindingCases: JUNIT_MAX_FINDING_CASES }, (w) => io.stderr(`ztaudit report: warning: ${w}\n`));
    const store = await openStoreForReading(values, io, 'report');
    try {
      let report: RunReport;
      if (positionals[0] === 'latest') {
        const newest = await store.latest();
        if (!newest) throw new HistoryError(`no runs stored in ${store.describe()}`);
        report = newest;
      } else {
        report = await findRun(store, positionals[0]);
      }
      // The trend, the previous run, and the findings the run carried (of checks it could not evaluate, of namespaces it could not judge), as serve's /runs/:id renders it.
      const { trend, previous, previousMissing, carried } = await storedRunRendering(store, report, formats, (w) => io.stderr(`ztaudit report: warning: ${w}\n`));
      const files = await renderReports(report, { formats, outDir: resolve(io.cwd, values.out), trend, previous, previousMissing, carried, chromium, ...limits });
      for (const f of files) io.stdout(`wrote ${f}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  });
}

export const REPORT = defineCommand<ReportOptions>({
  name: 'report',
  summary: 'render a stored run again, with its trend and the changes since its previous run',
  define: (cmd) => {
    cmd.argument('<run>', 'a run id, a unique prefix of one, or latest');
    addReportLimitOptions(addStoreOptions(cmd), false)
      .option('--format <list>', `formats, comma-separated: ${FORMATS.join(', ')}`, 'html,json')
      .option('--out <dir>', 'directory to write to', 'reports');
  },
  examples: ['ztaudit report latest --format html --out /tmp/r', 'ztaudit report 20261121T0200 --format md'],
  run: (opts, args, io) => renderStoredRun(opts, args, io),
});

export const reportCommand = (argv: string[], io: CliIO): Promise<number> => runSpec(REPORT, argv, io);
