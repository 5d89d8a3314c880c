// `ztaudit run`: one audit, end to end. Exit 0 when nothing met --fail-on, 1 when something
// did, 2 when the audit could not run (then an "audit could not run" alert is attempted).
import { parseArgs } from 'node:util';
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { loadConfig } from '../config/load.ts';
import { readEnv } from '../config/env.ts';
import { defaultConfig, type Config } from '../config/types.ts';
import { ConfigError, StoreError, errorMessage } from '../base/errors.ts';
import { meetsFailOn, runPipeline, type FailOn } from '../pipeline/pipeline.ts';
import { EXIT_FINDINGS, EXIT_OK, type CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { SOURCE_OPTIONS, describeSource, loadSource } from './source.ts';
import { alertCannotRun, buildEdges, chromiumFor, FORMATS, openStore } from './wiring.ts';
import { printScoreTable } from './score-table.ts';

export const RUN_OPTIONS = {
  ...SOURCE_OPTIONS,
  config: { type: 'string' },
  out: { type: 'string', default: 'reports' },
  format: { type: 'string', default: 'html,json' },
  history: { type: 'string' },
  notify: { type: 'boolean' },
  'no-notify': { type: 'boolean' },
  'fail-on': { type: 'string', default: 'never' },
  'probe-tls': { type: 'boolean' },
  'policy-reports': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const FAIL_ON = ['regression', 'critical', 'high', 'never'];

export function parseRunFlags(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"`);
  if (!FAIL_ON.includes(values['fail-on'])) throw new ConfigError(`--fail-on ${values['fail-on']}: must be one of ${FAIL_ON.join(', ')}`);
  const formats = values.format.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) if (!FORMATS.includes(f)) throw new ConfigError(`--format ${f}: must be among ${FORMATS.join(', ')}`);
  if (values.notify && values['no-notify']) throw new ConfigError('--notify and --no-notify contradict each other');
  return { ...values, formats, failOn: values['fail-on'] as FailOn };
}

export function loadValidConfig(path: string | undefined, io: CliIO, log: ReturnType<typeof createLogger>): Config {
  const { config, errors, warnings } = loadConfig(path, io.cwd, new Set(CHECK_BY_ID.keys()));
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  for (const w of warnings) log.warn(w);
  return config;
}

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const flags = parseRunFlags(argv);
  const log = createLogger(io, { quiet: flags.quiet });
  const env = readEnv(io.env);
  // A PDF that cannot be printed is a flag error, said before any work is done.
  chromiumFor(flags.formats, env);
  let config: Config | undefined;
  try {
    config = loadValidConfig(flags.config, io, log);
    if (flags['probe-tls']) config.tls.probe.enabled = true;
    log.info(`auditing ${describeSource(flags)}`);
    const cfg = config;
    const store = await openStore(flags, cfg, env, io);
    try {
      const edges = await buildEdges({ flags, config: cfg, env, log, io, collect: () => loadSource(flags, log, { config: cfg, env: io.env, cwd: io.cwd }) }, store);
      const { report, files } = await runPipeline(cfg, CHECKS, edges);
      for (const f of files) log.info(`wrote ${f}`);
      for (const w of report.waivers) {
        const what = `waiver for ${w.check} on ${[w.resource.kind, w.resource.namespace, w.resource.name].filter(Boolean).join(' ')} (owner ${w.owner})`;
        if (w.state === 'unmatched') log.warn(`${what} matches no finding: fixed, or a typo in the resource?`);
        else if (w.state === 'expiring-soon') log.warn(`${what} expires on ${w.expires}`);
        else if (w.state === 'expired') log.warn(`${what} expired on ${w.expires}: its findings count again`);
      }
      if (!flags.quiet) printScoreTable(report, io);
      return meetsFailOn(report, flags.failOn) ? EXIT_FINDINGS : EXIT_OK;
    } finally {
      await store?.close();
    }
  } catch (error: unknown) {
    // The audit could not run: say so on every configured channel before exiting 2.
    const outcomes = await alertCannotRun(errorMessage(error), { flags, config: config ?? defaultConfig(), env, failure: error instanceof StoreError ? 'not-stored' : 'not-run' });
    for (const o of outcomes) if (o.status === 'failed') log.warn(`${o.channel}: could not send the "audit could not run" alert: ${o.detail ?? ''}`);
    throw error;
  }
}
