// Long-running mode: a node-cron schedule that never overlaps runs, one run at start-up, and
// a small HTTP server (/healthz, / latest HTML report, /report.json, /runs/:id, /metrics).
// The audit itself is handed in (`runOnce`), so this file knows nothing about clusters,
// stores or renderers. stop() is the SIGTERM path: no new ticks, the server closes, the run
// in progress gets a grace period to finish and is then aborted; stop() resolves only after
// that run has settled, so the history store's release() has run.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../base/log.ts';
import { ConfigError, errorMessage } from '../base/errors.ts';
import type { RunReport } from '../run/types.ts';
import { emptyMetricsState, METRICS_CONTENT_TYPE, renderMetrics, type MetricsState } from './metrics.ts';

export interface RunOutcome {
  report: RunReport;
  /** The run's HTML report, when one was rendered. */
  html: string | null;
}

export interface DaemonOptions {
  /** Cron expression (5 fields, or 6 with seconds first). */
  schedule: string;
  /** IANA time zone the schedule is read in; default: the process' zone. */
  timezone?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address; default all interfaces. */
  host?: string;
  /** One complete audit. Must settle soon after `signal` aborts (SIGTERM). */
  runOnce(signal: AbortSignal): Promise<RunOutcome>;
  /** HTML of a stored run, or null when unknown; absent when there is no history store. */
  lookupRun?: (id: string) => Promise<string | null>;
  /** HTML of the fleet report, or null when the store holds at most one cluster. */
  lookupFleet?: () => Promise<string | null>;
  log: Logger;
  /** How long stop() lets a run in progress finish before aborting it; default 20 s. */
  graceMs?: number;
  /** Run once right after start-up; default true. */
  runAtStart?: boolean;
}

export type TickResult = 'ran' | 'failed' | 'skipped';

export interface Daemon {
  readonly port: number;
  /** http://host:port of the server (loopback spelled out when listening everywhere). */
  readonly url: string;
  /** What a cron tick does; resolves when the run it started ends, or at once when skipped. */
  tick(reason?: string): Promise<TickResult>;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
  state(): Readonly<MetricsState>;
  nextRun(): Date | null;
  stop(): Promise<void>;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Throws ConfigError unless `schedule` and `timezone` are usable. */
export function validateSchedule(schedule: string, timezone?: string): void {
  const v = cron.validateDetailed(schedule);
  if (!v.valid) {
    const why = v.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new ConfigError(`--schedule "${schedule}" is not a cron expression${why ? ` (${why})` : ''}; e.g. "0 2 * * *" for 02:00 daily`);
  }
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new ConfigError(`--timezone ${timezone}: not an IANA time zone (e.g. Europe/Berlin, UTC)`);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  validateSchedule(options.schedule, options.timezone);
  const { log } = options;
  const graceMs = options.graceMs ?? 20_000;
  const metrics = emptyMetricsState();
  let latestHtml: string | null = null;
  let current: { promise: Promise<TickResult>; abort: AbortController; startedAt: Date } | null = null;
  let stopping = false;

  const tick = (reason = 'scheduled'): Promise<TickResult> => {
    if (stopping) return Promise.resolve('skipped');
    if (current) {
      metrics.runsTotal.skipped++;
      log.warn(`${reason} tick skipped: the run started at ${current.startedAt.toISOString()} is still in progress`, { event: 'tick-skipped' });
      return Promise.resolve('skipped');
    }
    const abort = new AbortController();
    const startedAt = new Date();
    const t0 = performance.now();
    metrics.running = true;
    log.info(`${reason} audit run starting`, { event: 'run-start' });
    const promise = (async (): Promise<TickResult> => {
      try {
        const outcome = await options.runOnce(abort.signal);
        const seconds = (performance.now() - t0) / 1000;
        metrics.latest = outcome.report;
        metrics.lastDurationSeconds = Math.round(seconds * 1000) / 1000;
        metrics.lastSuccessAt = new Date();
        metrics.runsTotal.success++;
        for (const n of outcome.report.notifications) {
          if (n.status === 'failed') metrics.notificationFailuresTotal[n.channel] = (metrics.notificationFailuresTotal[n.channel] ?? 0) + 1;
        }
        if (outcome.html !== null) latestHtml = outcome.html;
        log.info(`audit run ${outcome.report.run.id} finished in ${seconds.toFixed(1)} s, score ${outcome.report.score.overall ?? 'n/a'}`, {
          event: 'run-finished', runId: outcome.report.run.id, seconds,
        });
        return 'ran';
      } catch (error: unknown) {
        metrics.lastDurationSeconds = Math.round(performance.now() - t0) / 1000;
        metrics.runsTotal.error++;
        log.warn(`audit run could not complete: ${errorMessage(error)}`, { event: 'run-failed' });
        return 'failed';
      } finally {
        metrics.running = false;
        current = null;
      }
    })();
    current = { promise, abort, startedAt };
    return promise;
  };

  // Created before the server listens (/healthz reads its next run); started after.
  const task: ScheduledTask = cron.createTask(options.schedule, () => { void tick('scheduled'); }, {
    name: 'ztaudit',
    ...(options.timezone ? { timezone: options.timezone } : {}),
    logger: {
      info: (msg) => log.info(`scheduler: ${msg}`),
      warn: (msg) => log.warn(`scheduler: ${msg}`),
      error: (msg) => log.warn(`scheduler: ${errorMessage(msg)}`),
      debug: () => {},
    },
  });
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log.warn(`http ${req.method} ${req.url}: ${errorMessage(error)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      const body = {
        status: 'ok',
        running: metrics.running,
        lastRun: metrics.latest ? { id: metrics.latest.run.id, finishedAt: metrics.latest.run.finishedAt } : null,
        lastSuccess: metrics.lastSuccessAt?.toISOString() ?? null,
        nextRun: task.getNextRun()?.toISOString() ?? null,
      };
      send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
      return;
    }
    if (path === '/metrics') {
      send(res, 200, METRICS_CONTENT_TYPE, renderMetrics(metrics));
      return;
    }
    if (path === '/' || path === '/index.html') {
      if (latestHtml !== null) send(res, 200, 'text/html; charset=utf-8', latestHtml);
      else notYet(res, metrics.latest ? 'the latest run rendered no HTML report' : 'no audit run has completed yet');
      return;
    }
    if (path === '/report.json') {
      if (metrics.latest) send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(metrics.latest, null, 2)}\n`);
      else notYet(res, 'no audit run has completed yet');
      return;
    }
    if (path === '/fleet' || path === '/fleet/') {
      const html = options.lookupFleet ? await options.lookupFleet() : null;
      if (html === null) return notFound(res, 'no fleet view: the history store holds at most one cluster');
      return send(res, 200, 'text/html; charset=utf-8', html);
    }
    const m = /^\/runs\/([^/]+)\/?$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (!RUN_ID.test(id)) return notFound(res, 'no such run');
      if (metrics.latest?.run.id === id && latestHtml !== null) return send(res, 200, 'text/html; charset=utf-8', latestHtml);
      if (!options.lookupRun) return notFound(res, 'no history store: only the latest run is served, at /');
      const html = await options.lookupRun(id);
      if (html === null) return notFound(res, 'no such run in the history store');
      send(res, 200, 'text/html; charset=utf-8', html);
      return;
    }
    notFound(res, 'not found; try /, /runs/ID, /report.json, /metrics, /healthz');
  }

  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listening;
  const address = server.address() as AddressInfo;
  const shownHost = !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;

  await task.start();
  log.info(`serving on ${url} (/, /runs/ID, /report.json, /metrics, /healthz); schedule "${options.schedule}"${options.timezone ? ` in ${options.timezone}` : ''}, next run ${task.getNextRun()?.toISOString() ?? 'never'}`, {
    event: 'serve-start', port: address.port,
  });
  if (options.runAtStart !== false) void tick('start-up');

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      await task.destroy();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const run = current;
      if (run) {
        log.info(`stopping: waiting up to ${Math.round(graceMs / 1000)} s for the run in progress`, { event: 'stopping' });
        const finished = await Promise.race([run.promise.then(() => true), sleep(graceMs).then(() => false)]);
        if (!finished) {
          log.warn('stopping: abandoning the run in progress', { event: 'run-abandoned' });
          run.abort.abort(new Error('ztaudit is shutting down'));
          await run.promise;
        }
      }
      server.closeAllConnections();
      await closed;
      log.info('stopped', { event: 'stopped' });
    })();
    return stopped;
  };

  return {
    port: address.port,
    url,
    tick,
    idle: async () => { while (current) await current.promise; },
    state: () => metrics,
    nextRun: () => task.getNextRun(),
    stop,
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.end(body);
}

function notFound(res: http.ServerResponse, why: string): void {
  send(res, 404, 'text/plain; charset=utf-8', `${why}\n`);
}

function notYet(res: http.ServerResponse, why: string): void {
  res.setHeader('Retry-After', '30');
  send(res, 503, 'text/plain; charset=utf-8', `${why}\n`);
}
