// `ztaudit serve --schedule "0 2 * * *" [--timezone TZ] [--port 8080]` plus `run`'s flags but
// its exit-code gate (source, --config, --history, --out, --format, --notify): one run at
// start-up, then on the schedule, never two at once; an HTTP server for the latest report and
// Prometheus metrics. SIGTERM/SIGINT stop it cleanly (see src/schedule/daemon.ts); exit code 0
// after that. Exit 2 when it cannot start, with the "audit could not run" alert `run` sends.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CHECKS } from '../../checks/index.ts';
import { readEnv } from '../config/env.ts';
import { ConfigError, errorMessage } from '../base/errors.ts';
import { runPipeline, type PipelineEdges } from '../pipeline/pipeline.ts';
import type { NotificationOutcome } from '../run/types.ts';
import { startDaemon, validateSchedule, type Daemon } from '../schedule/daemon.ts';
import { cronSlots } from '../schedule/slots.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { addAuditOptions, checkAuditFlags, loadValidConfig, sayCannotRun, warnAlertsNeverFire, type AuditOptions } from './run.ts';
import { checkOneSource, checkSource, describeSource, liveConfigMapRefs, loadSource, notEvaluatedFor } from './source.ts';
import { ServeWatch, validateWatchFlags, type ServeWatchInput } from './serve-watch.ts';
import { fleetQueryOf } from './fleet.ts';
import { abortable, buildEdges, historyUrl, openStore, type WiringFlags } from './wiring.ts';
import { startRunPageRenderer } from './serve-pages.ts';
import { readStoredScores, renderRunList } from './serve-run-list.ts';
import { withRunListLink } from '../report/run-list.ts';
import { defineCommand, parseSpec, seconds } from './command.ts';
import type { Config } from '../config/types.ts';

export interface ServeOptions extends AuditOptions {
  /** Refused: `run`'s exit-code gate, which serve has no use for (it never exits 1). */
  failOn?: string;
  acceptForbidden?: string;
  schedule?: string;
  timezone?: string;
  port: string;
  host?: string;
  shutdownGrace: number;
  watch?: boolean;
}

/** serve's own flags; `run`'s are taken too (addAuditOptions) but its exit-code gate. */
export function addServeOptions(cmd: Command): Command {
  // Hidden, so that giving one is refused saying why instead of "unknown option".
  for (const flag of ['--fail-on <when>', '--accept-forbidden <kinds>']) cmd.addOption(new Option(flag).hideHelp());
  return cmd
    .option('--schedule <cron>', 'when to audit, as a cron expression (required), e.g. "0 2 * * *" for 02:00 daily; six fields are read seconds first')
    .option('--timezone <zone>', 'IANA time zone the schedule is read in (default: the system zone)')
    .option('--port <port>', 'HTTP port (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every address)')
    .option('--watch', 'live clusters: list once, then watch every kind and re-audit within seconds of a change (watch.debounceSeconds); alerts on a regression naming the change')
    .option('--shutdown-grace <seconds>', 'after SIGTERM, how long a run in progress may take to finish', seconds('--shutdown-grace', { zero: true }), 20);
}

/** Checks serve's options (and run's) beyond what commander checks. */
export function checkServeFlags(opts: ServeOptions) {
  // Accepted and ignored, they would read as a gate that is not there.
  if (opts.failOn !== undefined) throw new ConfigError('serve has no --fail-on: it exits 0 when stopped and 2 when it cannot start, whatever its audits find; gate on findings with `ztaudit run --fail-on`, alert on them with notify.policy');
  if (opts.acceptForbidden !== undefined) throw new ConfigError('serve has no --accept-forbidden: it qualifies `ztaudit run --fail-on`, and serve never exits on findings; leave it out');
  const run = checkAuditFlags(opts);
  if (!opts.schedule) throw new ConfigError('serve needs --schedule "CRON", e.g. --schedule "0 2 * * *" for 02:00 daily');
  validateSchedule(opts.schedule, opts.timezone);
  const port = Number(opts.port);
  if (opts.port.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port ${opts.port}: must be a port number (0 picks a free one)`);
  // serve always renders HTML: `/` shows it.
  const formats = run.formats.includes('html') ? run.formats : [...run.formats, 'html'];
  return { ...run, formats, schedule: opts.schedule, timezone: opts.timezone, port, host: opts.host, graceMs: opts.shutdownGrace * 1000, watch: opts.watch === true };
}

/**
 * node-cron reads six fields as seconds first (https://nodecron.com/cron-syntax: "second
 * (optional)"), so "0 2 * * * *", a five-field habit plus a field, runs hourly at minute 2, not
 * at 02:00. It is valid, so it is not refused; the warning says what it means instead.
 */
export function sixFieldScheduleWarning(schedule: string, timezone: string | undefined, now: Date): string | null {
  if (schedule.trim().split(/\s+/).length !== 6) return null;
  const slots = cronSlots(schedule, timezone);
  const first = slots.next(now);
  const second = first ? slots.next(first) : null;
  const runs = [first, second].filter((d): d is Date => d !== null).map((d) => d.toISOString());
  return `--schedule "${schedule}" has six fields, which node-cron reads seconds first (second minute hour day-of-month month day-of-week): its next runs are ${runs.length > 0 ? runs.join(' and ') : 'none'}${timezone ? ` (read in ${timezone})` : ''}; for minute-first cron give five fields, e.g. "0 2 * * *" for 02:00 daily`;
}

/** serve's flags from an argv (what `ztaudit serve` would accept). */
export function parseServeFlags(argv: string[]) {
  return checkServeFlags(parseSpec(SERVE, argv).opts as unknown as ServeOptions);
}

function htmlOf(files: string[]): string | null {
  const file = files.find((f) => basename(f) === 'report.html');
  return file ? readFileSync(file, 'utf8') : null;
}

/** What a test hands in instead of the real thing. */
export interface ServeDeps {
  /** --watch: the watch (default: a ClusterWatch on the kubeconfig). */
  watcher?: ServeWatchInput['watcher'];
}

/**
 * Starts the daemon and returns it (tests drive it directly; the command waits for a signal).
 * What stops it from starting (bad config or flags, the history store, the port) is said, as
 * `run` says it, on every configured channel ("audit could not run") before it is thrown: the
 * chart's Deployment replaces a working daemon by one that cannot start on a config change.
 */
export async function startServe(argv: string[] | ServeOptions, io: CliIO, deps: ServeDeps = {}): Promise<Daemon> {
  // commander's own refusals (an unknown flag) come before any config, as for `run`.
  const opts = Array.isArray(argv) ? parseSpec(SERVE, argv).opts as unknown as ServeOptions : argv;
  const log = createLogger(io, { quiet: opts.quiet });
  const env = readEnv(io.env);
  // Until the flags are checked: enough for the "audit could not run" alert.
  let alertFlags: WiringFlags & { cluster?: string } = { ...opts, formats: [] };
  let config: Config | undefined;
  try {
    // The config first: a bad flag is alerted on the channels it names too.
    config = loadValidConfig(opts.config, io, log, opts);
    const flags = checkServeFlags(opts);
    alertFlags = flags;
    return await startChecked(flags, config, env, log, io, deps);
  } catch (error: unknown) {
    await sayCannotRun(error, { flags: alertFlags, config, env, log });
    throw error;
  }
}

async function startChecked(flags: ReturnType<typeof checkServeFlags>, config: Config, env: ReturnType<typeof readEnv>, log: ReturnType<typeof createLogger>, io: CliIO, deps: ServeDeps): Promise<Daemon> {
  const sixFields = sixFieldScheduleWarning(flags.schedule, flags.timezone, new Date());
  if (sixFields) log.warn(sixFields, { event: 'schedule-six-fields' });
  // A token meant to be required but read empty (a Secret key with no value) must not leave the reports open to anyone.
  if (env.serveToken === '') throw new ConfigError('ZTAUDIT_SERVE_TOKEN is set but blank: serve would answer without a token; put the token in it, or unset it to serve without one');
  if (flags.probeTls) config.tls.probe.enabled = true;
  // Flags that no run could use stop serve at start, before it says what it audits and before
  // the history store: a kubeconfig, context or --manifests path that is not there would fail
  // every run the same way behind a /healthz that answers "ok". What can pass (the API server
  // down, an exec plugin failing) is left to the runs, which retry on the schedule.
  checkOneSource(flags);
  if (flags.watch) validateWatchFlags(flags, historyUrl(flags, env));
  checkSource(flags, { env: io.env, cwd: io.cwd });
  log.info(`serve: auditing ${describeSource(flags)}${flags.watch ? ', watching for changes' : ''}`);
  const watch = flags.watch ? new ServeWatch({
    config, checks: CHECKS, log, kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined, context: flags.context, env: io.env,
    // As a run's collection has them (source.ts): per request, and per API server outage.
    ...(flags.requestTimeout ? { requestTimeoutMs: flags.requestTimeout * 1000 } : {}),
    ...(flags.retryBudget !== undefined ? { retryBudgetMs: flags.retryBudget * 1000 } : {}),
    clusterName: flags.cluster ?? config.cluster.name, configMapRefs: liveConfigMapRefs(config), ...(deps.watcher ? { watcher: deps.watcher } : {}),
  }) : null;
  // `unread`: the kinds a live collection could not read, told once the run's checks have run (as `run` tells them).
  const collect = (signal?: AbortSignal, unread?: Map<string, string>): Promise<Snapshot> => (watch ? watch.collectFull(signal) : loadSource(flags, log, { config, env: io.env, cwd: io.cwd, ...(signal ? { signal } : {}), ...(unread ? { unread } : {}) }));
  // One store for the daemon's lifetime; each run holds it from acquire() to release().
  const store = await openStore(flags, config, env, io, (line) => log.warn(line)).catch(async (error: unknown) => { await watch?.stop(); throw error; });
  // Stored runs for /runs/:id are read and rendered by a worker thread (serve-pages.ts).
  const pages = store ? startRunPageRenderer({
    history: historyUrl(flags, env), kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined,
    context: flags.context, cwd: io.cwd, env: { ...io.env },
  }) : null;
  try {
    const edges = await buildEdges({ flags, config, env, log, io, collect }, store);
    warnAlertsNeverFire(edges, config, log);
    // The report as / and /runs/ID serve it: with a link to /runs when there is a store to list.
    const servedHtml = (files: string[]): string | null => { const html = htmlOf(files); return html !== null && store ? withRunListLink(html) : html; };
    /** The latest run this daemon completed and its notification outcomes. */
    let notified: { id: string; outcomes: NotificationOutcome[] } | null = null;

    const checkArea = new Map(CHECKS.map((c) => [c.id, c.area]));
    const daemon = await startDaemon({
      schedule: flags.schedule,
      ...(flags.timezone ? { timezone: flags.timezone } : {}),
      port: flags.port,
      ...(flags.host ? { host: flags.host } : {}),
      ...(env.serveToken ? { authToken: env.serveToken } : {}),
      graceMs: flags.graceMs,
      log,
      ...(store ? { runList: (format: 'html' | 'json', before: string | undefined) => renderRunList(store, format, before) } : {}),
      ...(store ? { storedScores: () => readStoredScores(store, flags.cluster ?? config.cluster.name, (id) => checkArea.get(id)) } : {}),
      ...(pages ? { lookupRun: async (id: string) => { const page = await pages.render(id); return typeof page === 'string' ? withRunListLink(page) : page; }, runStored: (id: string) => pages.stored(id), lookupFleet: () => pages.renderFleet(fleetQueryOf(config, {}, new Date()), (line) => log.warn(`/fleet: ${line}`)) } : {}),
      ...(watch ? { watchMetrics: () => watch.metrics() } : {}),
      // A run that holds every later tick off is an audit that no longer runs: alerted on the channels that say so when one cannot run, under its own title.
      onStuck: (why) => sayCannotRun(new Error(why), { flags, config, env, log, failure: 'stuck' }),
      runOnce: async (signal, hooks, reason) => {
        // The signal reaches the collector and the notifiers themselves: at SIGTERM their
        // requests stop, not just our wait.
        // Stored before notifying: /healthz and / show the run while it waits on a stalled
        // notifier. It is stored with each channel pending and its outcomes are recorded into
        // the stored run afterwards, so an alert no channel delivered is carried by the next
        // run, after a restart or a kill too; should recording fail, the next run of this
        // process learns them from here.
        // Each kind the collection could not read, once, with the checks this run left not
        // evaluated for it: not the catalog's count of those that need it, most of which may
        // not apply to this cluster (as `run` says it).
        const unread = new Map<string, string>();
        const plain: PipelineEdges = {
          ...edges, signal, notifyBeforeStore: false, outcomesOf: (id) => (notified?.id === id ? notified.outcomes : undefined),
          collect: () => abortable(() => collect(signal, unread), signal),
          afterAudit: (report) => {
            edges.afterAudit?.(report);
            for (const [kind, line] of unread) log.warn(`${line}: ${notEvaluatedFor(kind, report.checks)}`);
          },
          onStored: (report, files) => hooks.stored({ report, html: servedHtml(files) }),
        };
        const runEdges = watch ? watch.edges(plain, reason) : plain;
        try {
          const { report, files, stored } = await runPipeline(config, CHECKS, runEdges);
          // A watch run not kept was not notified either: the latest stored run's outcomes stand.
          if (stored) notified = { id: report.run.id, outcomes: report.notifications };
          return { report, html: servedHtml(files), stored };
        } catch (error: unknown) {
          // A run abandoned at shutdown is not an outage; any other failure is said out loud.
          if (!signal.aborted) await sayCannotRun(error, { flags, config, env, log, signal });
          throw error;
        }
      },
    });

    watch?.attach(daemon);
    const stopDaemon = daemon.stop;
    let stopped: Promise<void> | null = null;
    // After the daemon has stopped (no run holds the store any more): close the store and the renderer.
    const stop = (): Promise<void> => (stopped ??= (async () => {
      await stopDaemon();
      await watch?.stop();
      await pages?.close();
      await store?.close().catch((error: unknown) => log.warn(`closing the history store: ${errorMessage(error)}`));
    })());
    return { ...daemon, stop };
  } catch (error: unknown) {
    await watch?.stop();
    await pages?.close();
    await store?.close().catch(() => undefined);
    throw error;
  }
}

/** Runs until `signal` aborts; then stops cleanly and returns 0. */
export async function serve(argv: string[] | ServeOptions, io: CliIO, signal: AbortSignal): Promise<number> {
  const daemon = await startServe(argv, io);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await daemon.stop();
  return EXIT_OK;
}

async function serveUntilSignalled(opts: ServeOptions, io: CliIO): Promise<number> {
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
    return await serve(opts, io, controller.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

export const SERVE = defineCommand<ServeOptions>({
  name: 'serve',
  summary: 'long-running mode: an audit at start-up, then on a schedule; serves the latest report, the stored runs and /metrics over HTTP',
  description: 'Long-running mode: one audit at start-up, then on --schedule (never two at once). Serves /healthz, / (the latest HTML report), /report.json, /runs (the stored runs, newest first, 50 to a page; ?before=ID for older ones; /runs.json as JSON), /runs/ID and /metrics (Prometheus). SIGTERM or SIGINT stops it cleanly. With ZTAUDIT_SERVE_TOKEN set, every path but /healthz and /metrics needs `Authorization: Bearer TOKEN`, and /healthz without it answers only its status, last success and the count and time of the runs that failed since (the last failure\'s error needs the token). Takes every `run` flag as well but its exit-code gate (--fail-on, --accept-forbidden): serve exits 0 or 2, never on findings.',
  define: (cmd) => { addServeOptions(cmd); addAuditOptions(cmd); },
  examples: [
    'ztaudit serve --schedule "0 2 * * *" --timezone Europe/Berlin --history k8s://ztaudit/ztaudit-history',
    'ztaudit serve --schedule "*/30 * * * *" --manifests deploy/ --port 9100 --host 127.0.0.1',
    'ztaudit serve --watch --schedule "0 2 * * *" --history k8s://ztaudit/ztaudit-history',
  ],
  exitCodes: [
    '0  stopped by SIGTERM or SIGINT',
    '2  could not start (bad flags, config or source, port in use, history store unusable), with the one-line',
    '   reason on stderr and, where notifications are configured, an "audit could not run" alert',
  ],
  run: (opts, _args, io) => serveUntilSignalled(opts, io),
});
