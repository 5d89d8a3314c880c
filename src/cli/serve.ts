// `ztaudit serve --schedule "0 2 * * *" [--timezone TZ] [--port 8080]` plus every `run` flag
// (source, --config, --history, --out, --format, --notify): one run at start-up, then on the
// schedule, never two at once; an HTTP server for the latest report and Prometheus metrics.
// SIGTERM/SIGINT stop it cleanly (see src/schedule/daemon.ts); exit code 0 after that.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECKS } from '../../checks/index.ts';
import { readEnv } from '../config/env.ts';
import { ConfigError, StoreError, errorMessage } from '../base/errors.ts';
import { runPipeline, type PipelineEdges } from '../pipeline/pipeline.ts';
import { startDaemon, validateSchedule, type Daemon } from '../schedule/daemon.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { EXIT_OK, type CliIO, type CommandFn } from './io.ts';
import { createLogger } from './log.ts';
import { loadValidConfig, parseRunFlags, RUN_OPTIONS } from './run.ts';
import { describeSource, loadSource } from './source.ts';
import { fleetQueryOf } from './fleet.ts';
import { alertCannotRun, buildEdges, historyUrl, openStore } from './wiring.ts';
import { startRunPageRenderer } from './serve-pages.ts';

export const SERVE_OPTIONS = {
  schedule: { type: 'string' },
  timezone: { type: 'string' },
  port: { type: 'string', default: '8080' },
  host: { type: 'string' },
  'shutdown-grace': { type: 'string', default: '20' },
} as const;

export function parseServeFlags(argv: string[]) {
  const { values, tokens } = parseArgs({ args: argv, options: { ...RUN_OPTIONS, ...SERVE_OPTIONS }, allowPositionals: true, strict: true, tokens: true });
  // The run flags go through run's own parser (same validation, same defaults).
  const drop = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !(t.name in SERVE_OPTIONS)) continue;
    drop.add(t.index);
    if (t.value !== undefined && !t.inlineValue) drop.add(t.index + 1);
  }
  const run = parseRunFlags(argv.filter((_, i) => !drop.has(i)));
  if (!values.schedule) throw new ConfigError('serve needs --schedule "CRON", e.g. --schedule "0 2 * * *" for 02:00 daily');
  validateSchedule(values.schedule, values.timezone);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port ${values.port}: must be a port number (0 picks a free one)`);
  const graceSeconds = Number(values['shutdown-grace']);
  if (!(graceSeconds >= 0)) throw new ConfigError(`--shutdown-grace ${values['shutdown-grace']}: must be a number of seconds`);
  // serve always renders HTML: `/` shows it.
  const formats = run.formats.includes('html') ? run.formats : [...run.formats, 'html'];
  return { ...run, formats, schedule: values.schedule, timezone: values.timezone, port, host: values.host, graceMs: graceSeconds * 1000 };
}

/** Rejects as soon as `signal` aborts, so the pipeline unwinds (and releases its store). */
function abortable<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function htmlOf(files: string[]): string | null {
  const file = files.find((f) => basename(f) === 'report.html');
  return file ? readFileSync(file, 'utf8') : null;
}

/** Starts the daemon and returns it (tests drive it directly; the command waits for a signal). */
export async function startServe(argv: string[], io: CliIO): Promise<Daemon> {
  const flags = parseServeFlags(argv);
  const log = createLogger(io, { quiet: flags.quiet });
  const env = readEnv(io.env);
  const config = loadValidConfig(flags.config, io, log);
  if (flags['probe-tls']) config.tls.probe.enabled = true;
  log.info(`serve: auditing ${describeSource(flags)}`);
  const collect = (signal?: AbortSignal): Promise<Snapshot> => loadSource(flags, log, { config, env: io.env, cwd: io.cwd, ...(signal ? { signal } : {}) });
  // One store for the daemon's lifetime; each run holds it from acquire() to release().
  const store = await openStore(flags, config, env, io);
  // Stored runs for /runs/:id are read and rendered by a worker thread (serve-pages.ts).
  const pages = store ? startRunPageRenderer({
    history: historyUrl(flags, env), kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined,
    context: flags.context, cwd: io.cwd, env: { ...io.env },
  }) : null;
  try {
    const edges = await buildEdges({ flags, config, env, log, io, collect }, store);

    const daemon = await startDaemon({
      schedule: flags.schedule,
      ...(flags.timezone ? { timezone: flags.timezone } : {}),
      port: flags.port,
      ...(flags.host ? { host: flags.host } : {}),
      ...(env.serveToken ? { authToken: env.serveToken } : {}),
      graceMs: flags.graceMs,
      log,
      ...(pages ? { lookupRun: (id: string) => pages.render(id), lookupFleet: () => pages.renderFleet(fleetQueryOf(config, {}, new Date())) } : {}),
      runOnce: async (signal, hooks) => {
        // The signal reaches the collector and the notifiers themselves: at SIGTERM their
        // requests stop, not just our wait.
        const runEdges: PipelineEdges = {
          ...edges, signal, collect: () => abortable(() => collect(signal), signal),
          onStored: (report, files) => hooks.stored({ report, html: htmlOf(files) }),
        };
        try {
          const { report, files } = await runPipeline(config, CHECKS, runEdges);
              return { report, html: htmlOf(files) };
        } catch (error: unknown) {
          // A run abandoned at shutdown is not an outage; any other failure is said out loud.
          if (!signal.aborted) {
            const outcomes = await alertCannotRun(errorMessage(error), { flags, config, env, signal, failure: error instanceof StoreError ? 'not-stored' : 'not-run' });
            for (const o of outcomes) if (o.status === 'failed') log.warn(`${o.channel}: could not send the "audit could not run" alert: ${o.detail ?? ''}`);
          }
          throw error;
        }
      },
    });

    const stopDaemon = daemon.stop;
    let stopped: Promise<void> | null = null;
    // After the daemon has stopped (no run holds the store any more): close the store and the renderer.
    const stop = (): Promise<void> => (stopped ??= (async () => {
      await stopDaemon();
      await pages?.close();
      await store?.close().catch((error: unknown) => log.warn(`closing the history store: ${errorMessage(error)}`));
    })());
    return { ...daemon, stop };
  } catch (error: unknown) {
    await pages?.close();
    await store?.close().catch(() => undefined);
    throw error;
  }
}

/** Runs until `signal` aborts; then stops cleanly and returns 0. */
export async function serve(argv: string[], io: CliIO, signal: AbortSignal): Promise<number> {
  const daemon = await startServe(argv, io);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await daemon.stop();
  return EXIT_OK;
}

export const serveCommand: CommandFn = async (argv, io) => {
  const controller = new AbortController();
  // One signal stops cleanly; the listeners are gone after it, so a second one kills at once.
  const onSignal = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    controller.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await serve(argv, io, controller.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
};
