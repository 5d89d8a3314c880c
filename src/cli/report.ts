// `ztaudit report RUN [--history URL] [--format html,json,junit,md,sarif,csv,pdf] [--out DIR]`: renders a
// stored run again, with the score trend up to that run and its previous run for the
// "changes since" section. RUN is an id or a unique prefix of one, or "latest".
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, HistoryError } from '../base/errors.ts';
import { trendPointOf } from '../history/store.ts';
import { renderReports } from '../report/render.ts';
import { readEnv } from '../config/env.ts';
import { chromiumFor } from './wiring.ts';
import type { RunReport } from '../run/types.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { STORE_OPTIONS, findRun, openStoreForReading, withStoreErrors } from './history.ts';

const TREND_POINTS = 30;

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  return withStoreErrors(io, 'report', async () => {
    const { values, positionals } = parseArgs({
      args: argv, strict: true, allowPositionals: true,
      options: { ...STORE_OPTIONS, format: { type: 'string', default: 'html,json' }, out: { type: 'string', default: 'reports' } },
    });
    if (positionals.length !== 1) throw new ConfigError('usage: ztaudit report RUN [--format html,json,junit,md,sarif,csv,pdf] [--out DIR]');
    const formats = values.format.split(',').map((f) => f.trim()).filter(Boolean);
    const chromium = chromiumFor(formats, readEnv(io.env));
    const store = await openStoreForReading(values, io);
    try {
      let report: RunReport;
      if (positionals[0] === 'latest') {
        const newest = await store.latest();
        if (!newest) throw new HistoryError(`no runs stored in ${store.describe()}`);
        report = newest;
      } else {
        report = await findRun(store, positionals[0]);
      }
      const summaries = await store.list(Number.MAX_SAFE_INTEGER);
      const trend = summaries
        .filter((s) => s.cluster === report.run.cluster.name && s.startedAt <= report.run.startedAt)
        .slice(0, TREND_POINTS)
        .reverse()
        .map(trendPointOf);
      const previous = report.diff ? await store.get(report.diff.previousRunId) : null;
      const files = await renderReports(report, { formats, outDir: resolve(io.cwd, values.out), trend, previous, chromium });
      for (const f of files) io.stdout(`wrote ${f}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  });
}
