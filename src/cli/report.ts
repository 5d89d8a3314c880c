// `ztaudit report RUN [--history URL] [--format html,json,junit,md,sarif,csv,pdf] [--out DIR]`: renders a
// stored run again, with the score trend up to that run and its previous run for the
// "changes since" section. RUN is an id or a unique prefix of one, or "latest".
import { resolve } from 'node:path';
import { ConfigError, HistoryError } from '../base/errors.ts';
import { REPORT_FORMATS, renderReports, reportFileOf, type ReportFormat } from '../report/render.ts';
import { readEnv } from '../config/env.ts';
import { chromiumFor } from './wiring.ts';
import type { RunReport } from '../run/types.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, findRun, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand, runSpec } from './command.ts';
import { storedCarried, storedNotJudged, storedRunExtras } from './stored-report.ts';
import { oneLine } from '../base/plain-text.ts';
import { addReportLimitOptions, reportLimitsOf, type ReportLimitFlags } from './report-limits.ts';
import { JUNIT_MAX_FINDING_CASES, SARIF_MAX_RESULTS } from '../run/output-limits.ts';

const FORMATS: readonly string[] = REPORT_FORMATS;

interface ReportOptions extends StoreFlags, ReportLimitFlags { format: string; out: string }

/** The formats that list a partial run's carried findings (the others give their counts only). */
const CARRIED_LISTED_IN = ['sarif', 'html', 'pdf'];
/** The formats that list the findings of the namespaces the run could not judge. */
const NOT_JUDGED_LISTED_IN = ['sarif', 'junit', 'html', 'pdf'];

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
      const { trend, previous, previousMissing } = await storedRunExtras(store, report);
      // report.sarif, report.html and report.pdf list the open findings of the checks the run could not evaluate, from the runs that last evaluated them.
      const listing = formats.filter((f) => CARRIED_LISTED_IN.includes(f));
      const { carried, missing } = listing.length > 0 ? await storedCarried(store, report, previous) : { carried: [], missing: [] };
      if (missing.length > 0) io.stderr(`ztaudit report: warning: ${oneLine(`${listing.map((f) => `report.${f}`).join(', ')} leave${listing.length === 1 ? 's' : ''} out the findings run ${report.run.id} carried from run(s) ${missing.join(', ')}: not stored any more or unreadable`)}\n`);
      // And those of the namespaces it could not judge, from the runs that last judged them, as its own report.sarif and report.junit.xml listed them.
      const judging = formats.filter((f) => NOT_JUDGED_LISTED_IN.includes(f));
      const notJudged = judging.length > 0 ? await storedNotJudged(store, report, previous) : { carried: [], missing: [], leftOut: 0 };
      if (notJudged.leftOut > 0) {
        const why = notJudged.missing.length > 0 ? `carried from run(s) ${notJudged.missing.join(', ')}: not stored any more or unreadable` : 'not found in the runs that judged them';
        io.stderr(`ztaudit report: warning: ${oneLine(`${judging.map((f) => reportFileOf(f as ReportFormat)).join(', ')} leave${judging.length === 1 ? 's' : ''} out the ${notJudged.leftOut} finding(s) of namespaces run ${report.run.id} could not judge, ${why}`)}\n`);
      }
      const files = await renderReports(report, { formats, outDir: resolve(io.cwd, values.out), trend, previous, previousMissing, carried: [...carried, ...notJudged.carried], chromium, ...limits });
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
    addReportLimitOptions(addStoreOptions(cmd))
      .option('--format <list>', `formats, comma-separated: ${FORMATS.join(', ')}`, 'html,json')
      .option('--out <dir>', 'directory to write to', 'reports');
  },
  examples: ['ztaudit report latest --format html --out /tmp/r', 'ztaudit report 20261121T0200 --format md'],
  run: (opts, args, io) => renderStoredRun(opts, args, io),
});

export const reportCommand = (argv: string[], io: CliIO): Promise<number> => runSpec(REPORT, argv, io);
