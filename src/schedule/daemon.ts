// Long-running mode: a cron schedule that never overlaps runs, one run at start-up, and
// a small HTTP server (/healthz, / latest HTML report, /report.json, /runs and /runs.json
// listing the stored runs, /runs/:id, /metrics).
// Safe by default: it listens on 127.0.0.1 unless told otherwise, an optional bearer token
// guards everything but /metrics and /healthz's bare status (its details need it too), and
// stored runs are rendered once, cached and at most one at a time (a bounded queue; beyond
// it a 503), so a flood of /runs/ requests cannot starve /healthz past a probe's timeout.
// The audit itself is handed in (`runOnce`), so this file knows nothing about clusters,
// stores or renderers. stop() is the SIGTERM path: no new ticks, the server closes, the run
// in progress gets a grace period to finish and is then aborted; stop() resolves only after
// that run has settled, so the history store's release() has run.
import { streamReportJson } from '../run/report-json.ts';
import { RUN_ID } from '../run/run-id.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import cron from 'node-cron';
import type { Logger } from '../base/log.ts';
import { ConfigError, OvertakenError, errorMessage } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import type { RunReport } from '../run/types.ts';
import { rememberScores, type ScoreMemory } from '../run/carried-scores.ts';
import { emptyMetricsState, lastEvaluated, METRICS_CONTENT_TYPE, renderMetrics, type MetricsState } from './metrics.ts';
import { cronSlots } from './slots.ts';
import { startSlotTimer, type Clock } from './timer.ts';

export interface RunOutcome {
  report: RunReport;
  /** The run's HTML report, when one was rendered. */
  html: string | null;
  /**
   * false: the run completed but was not kept (serve --watch: nothing changed). It is not the
   * latest run (/, /report.json, /healthz, /metrics go on showing the last stored one) nor a
   * success (ztaudit_last_success_timestamp_seconds). Absent: stored.
   */
  stored?: boolean;
}

export interface DaemonOptions {
  /** Cron expression (5 fields, or 6 with seconds first). */
  schedule: string;
  /** IANA time zone the schedule is read in; default: the process' zone. */
  timezone?: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Listen address; default 127.0.0.1 (loopback only). */
  host?: string;
  /**
   * When set, every path but /healthz and /metrics needs `Authorization: Bearer <token>`
   * (compared in constant time), and /healthz without it answers only its status and the
   * last success.
   */
  authToken?: string;
  /** Bounds on rendering stored runs for /runs/:id (defaults: 16 cached, 1 at a time, 8 waiting). */
  runPages?: { cacheEntries?: number; cacheBytes?: number; concurrency?: number; queue?: number };
  /**
   * One complete audit. Must settle soon after `signal` aborts (SIGTERM). Calls
   * `hooks.stored` once the run is stored, before it notifies, so /healthz and / show it
   * while a notifier is still being waited for.
   */
  runOnce(signal: AbortSignal, hooks: RunHooks, reason: string): Promise<RunOutcome>;
  /**
   * HTML of a stored run, null when unknown, or why the stored run cannot be read (one line);
   * absent when there is no history store. The daemon caches the HTML (a stored run never
   * changes) and bounds concurrent calls.
   */
  lookupRun?: (id: string) => Promise<string | null | { unreadable: string }>;
  /**
   * Whether run `id` is still stored, asked before a cached page is served: `history forget`
   * (another process) or retention may have removed it since. Absent: the cache is trusted.
   */
  runStored?: (id: string) => Promise<boolean>;
  /** HTML of the fleet report, or null when the store holds at most one cluster. */
  lookupFleet?: () => Promise<string | null>;
  /**
   * /runs (html) and /runs.json (json): a page of the stored runs, newest first; with `before`
   * (a run id, validated here) the page of the runs stored before it; null when no run `before`
   * is stored. Absent when there is no history store.
   */
  runList?: (format: 'html' | 'json', before: string | undefined) => Promise<string | null>;
  log: Logger;
  /** How long stop() lets a run in progress finish before aborting it; default 20 s. */
  graceMs?: number;
  /** Run once right after start-up; default true. */
  runAtStart?: boolean;
  /**
   * What the stored runs before this daemon scored (scoreMemoryOf): read once at start, so a run
   * that cannot score an area carries its last score after a restart too. Absent: no store.
   */
  storedScores?: () => Promise<ScoreMemory>;
  /** serve --watch: the watch's lag and events for /metrics. */
  watchMetrics?: MetricsState['watch'];
  /**
   * How late a scheduled run may still start (the event loop was blocked, the VM paused);
   * a slot later than that is logged and counted as missed. Default 15 minutes.
   */
  missedRunToleranceMs?: number;
  /**
   * The run in progress has made this many scheduled ticks in a row be skipped: it is stuck
   * (default STUCK_AFTER_SKIPS). Called once per such run, with one line saying which run, where
   * it is and how many ticks were skipped; serve sends it as the "audit stuck" alert, since no
   * audit is completing.
   */
  onStuck?: (why: string) => Promise<void> | void;
  /** Ticks skipped in a row for one run after which it counts as stuck; default STUCK_AFTER_SKIPS. */
  stuckAfterSkips?: number;
  /** The schedule's clock and timers (tests); default the system's. */
  clock?: Clock;
  /**
   * How long a response may make no progress (the client stopped reading) before its
   * connection is closed; default 30 s.
   */
  stalledClientMs?: number;
}

export interface RunHooks {
  stored(outcome: RunOutcome): void;
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

interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void }
function deferredResult(): Deferred<TickResult> {
  let resolve!: (v: TickResult) => void, reject!: (e: unknown) => void;
  const promise = new Promise<TickResult>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const MISSED_RUN_TOLERANCE_MS = 15 * 60_000;

/**
 * One skipped tick can be an honest overlap (a large cluster on a tight schedule, a run that
 * once took longer than the schedule's period); a second in a row means the run has outlasted
 * two periods, which a run whose every wait is bounded (collect.deadlineSeconds,
 * notify.deadlineSeconds) does not do on a schedule it fits: stuck, and said before a third
 * period passes in silence.
 */
export const STUCK_AFTER_SKIPS = 2;

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  validateSchedule(options.schedule, options.timezone);
  const { log } = options;
  const graceMs = options.graceMs ?? 20_000;
  const stalledClientMs = options.stalledClientMs ?? 30_000;
  const metrics = emptyMetricsState();
  if (options.watchMetrics) metrics.watch = options.watchMetrics;
  if (options.storedScores) {
    // Without them the daemon carries what it sees from its first run on; nothing is invented.
    try {
      metrics.scores = await options.storedScores();
    } catch (error: unknown) {
      log.warn(`the stored runs' scores could not be read (${errorMessage(error)}): an area a run cannot score carries a score only once this daemon has seen one`, { event: 'stored-scores' });
    }
  }
  /** The latest stored run's HTML report, and which run it is. */
  let latestPage: { runId: string; html: string } | null = null;
  /** The stored run every endpoint shows from now on. */
  const showStored = (outcome: RunOutcome) => {
    if (metrics.latest?.run.id !== outcome.report.run.id) {
      metrics.lastEvaluated = lastEvaluated(metrics.lastEvaluated, outcome.report);
      metrics.scores = rememberScores(metrics.scores, outcome.report);
    }
    metrics.latest = outcome.report;
    if (outcome.html !== null) latestPage = { runId: outcome.report.run.id, html: outcome.html };
  };
  let current: { promise: Promise<TickResult>; abort: AbortController; startedAt: Date; reason: string; phase: 'auditing' | 'notifying'; phaseSince: Date; skipped: number } | null = null;
  const stuckAfterSkips = Math.max(1, options.stuckAfterSkips ?? STUCK_AFTER_SKIPS);
  /**
   * A full run that arrived during a watch run (serve --watch): it runs as soon as that one
   * ends. A watch run takes seconds, and dropping the nightly baseline of record for it would
   * leave a day without one; a full run that overlaps another full run is still skipped.
   */
  let queued: { reason: string; done: Deferred<TickResult> } | null = null;
  /** Whether the latest stored run's notifications are still being sent. */
  let notificationsPending = false;
  let stopping = false;

  const tick = (reason = 'scheduled'): Promise<TickResult> => {
    if (stopping) return Promise.resolve('skipped');
    if (current && current.reason === 'watch' && reason !== 'watch' && !queued) {
      log.info(`${reason} tick queued: the watch run started at ${current.startedAt.toISOString()} is in progress; it runs next`, { event: 'tick-queued' });
      const done = deferredResult();
      queued = { reason, done };
      return done.promise;
    }
    if (current) {
      metrics.runsTotal.skipped++;
      log.warn(`${reason} tick skipped: the run started at ${current.startedAt.toISOString()} is still in progress`, { event: 'tick-skipped' });
      if (reason !== 'watch' && ++current.skipped === stuckAfterSkips) {
        // The alert's title says "audit stuck"; the log line says it too.
        const why = `the ${current.reason} run started at ${current.startedAt.toISOString()} is still ${current.phase} after ${current.skipped} scheduled runs were skipped for it; no audit completes until it ends (restart ztaudit serve if it does not)`;
        log.warn(`audit stuck: ${why}`, { event: 'run-stuck' });
        if (options.onStuck) {
          void Promise.resolve().then(() => options.onStuck!(why)).catch((error: unknown) => log.warn(`the "audit stuck" alert could not be sent: ${errorMessage(error)}`, { event: 'run-stuck' }));
        }
      }
      return Promise.resolve('skipped');
    }
    const abort = new AbortController();
    const startedAt = new Date();
    const t0 = performance.now();
    metrics.running = true;
    log.info(`${reason} audit run starting`, { event: 'run-start' });
    const hooks: RunHooks = {
      stored: (outcome) => {
        if (abort.signal.aborted) return;
        showStored(outcome);
        metrics.lastSuccessAt = new Date();
        notificationsPending = true;
        if (current) {
          current.phase = 'notifying';
          current.phaseSince = new Date();
        }
        log.info(`audit run ${outcome.report.run.id} stored; notifying`, { event: 'run-stored', runId: outcome.report.run.id });
      },
    };
    const promise = (async (): Promise<TickResult> => {
      try {
        const outcome = await options.runOnce(abort.signal, hooks, reason);
        const seconds = (performance.now() - t0) / 1000;
        const stored = outcome.stored !== false;
        // Only a stored run is the latest, and a success: an alert on the last success must fire
        // while no run is kept (a run the store refused throws, and never gets here).
        if (stored) {
          if (metrics.latest?.run.id !== outcome.report.run.id) metrics.lastSuccessAt = new Date();
          showStored(outcome);
        }
        metrics.lastDurationSeconds = Math.round(seconds * 1000) / 1000;
        metrics.runsTotal.success++;
        metrics.consecutiveFailures = 0;
        for (const n of outcome.report.notifications) {
          if (n.status === 'failed') metrics.notificationFailuresTotal[n.channel] = (metrics.notificationFailuresTotal[n.channel] ?? 0) + 1;
        }
        log.info(`audit run ${outcome.report.run.id} finished in ${seconds.toFixed(1)} s, score ${outcome.report.score.overall ?? 'n/a'}${stored ? '' : '; not stored'}`, {
          event: 'run-finished', runId: outcome.report.run.id, seconds, stored,
        });
        return 'ran';
      } catch (error: unknown) {
        metrics.lastDurationSeconds = Math.round(performance.now() - t0) / 1000;
        // Overtaken: a run of the cluster that started later was stored while this one collected
        // (another process). Not a failure to retry: that run is the newer result.
        if (error instanceof OvertakenError) {
          metrics.runsTotal.skipped++;
          log.info(`audit run not stored: ${errorMessage(error)}`, { event: 'run-overtaken' });
          return 'skipped';
        }
        metrics.runsTotal.error++;
        metrics.consecutiveFailures++;
        metrics.lastFailure = { at: new Date(), error: oneLine(errorMessage(error)) };
        log.warn(`audit run could not complete: ${errorMessage(error)}`, { event: 'run-failed' });
        return 'failed';
      } finally {
        metrics.running = false;
        notificationsPending = false;
        current = null;
        const next = queued;
        queued = null;
        // Started before this promise settles: idle() waits for it too.
        if (next) tick(next.reason).then(next.done.resolve, next.done.reject);
      }
    })();
    current = { promise, abort, startedAt, reason, phase: 'auditing', phaseSince: startedAt, skipped: 0 };
    return promise;
  };

  const slots = cronSlots(options.schedule, options.timezone);
  const toleranceMs = options.missedRunToleranceMs ?? MISSED_RUN_TOLERANCE_MS;
  // Started once the server listens; /healthz reads its next run.
  let timer: ReturnType<typeof startSlotTimer> | null = null;
  const startTimer = () => startSlotTimer({
    slots, toleranceMs, ...(options.clock ? { clock: options.clock } : {}),
    due: (slot, lateMs) => {
      if (lateMs >= 1000) log.warn(`scheduled run for ${slot.toISOString()} starts ${(lateMs / 1000).toFixed(1)} s late (the process was busy or paused)`, { event: 'tick-late', slot: slot.toISOString(), lateSeconds: lateMs / 1000 });
      void tick('scheduled');
    },
    missed: (slot, lateMs) => {
      metrics.scheduledRunsMissedTotal++;
      log.warn(`scheduled run for ${slot.toISOString()} missed: the daemon woke ${Math.round(lateMs / 1000)} s after it (the process was busy or paused), past the ${Math.round(toleranceMs / 60_000)} min a run may start late; the next one is at ${timer?.next()?.toISOString() ?? 'the next slot'}`, {
        event: 'tick-missed', slot: slot.toISOString(), lateSeconds: lateMs / 1000,
      });
    },
  });
  const expectedToken = options.authToken ? digest(options.authToken) : null;
  const pages = options.lookupRun ? new RunPages(options.lookupRun, options.runPages ?? {}, options.runStored) : null;
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log.warn(`http ${req.method} ${req.url}: ${errorMessage(error)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  // /fleet: one rendering at a time, shared by concurrent requests, reused for a minute.
  let fleetCache: { at: number; html: string | null } | null = null;
  let fleetInFlight: Promise<string | null> | null = null;
  const fleetPage = (lookup: () => Promise<string | null>): Promise<string | null> => {
    if (fleetCache && Date.now() - fleetCache.at < 60_000) return Promise.resolve(fleetCache.html);
    fleetInFlight ??= lookup().then((html) => { fleetCache = { at: Date.now(), html }; return html; }).finally(() => { fleetInFlight = null; });
    return fleetInFlight;
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    // The raw path, never normalised: /runs/.. must not become / (the latest report).
    const rawPath = (req.url ?? '/').split('?')[0]!;
    if (!rawPath.startsWith('/')) return notFound(res, 'not found');
    let path: string;
    try {
      path = decodePath(rawPath);
    } catch {
      send(res, 400, 'text/plain; charset=utf-8', 'bad request: malformed percent-encoding in the path\n');
      return;
    }
    const authed = expectedToken === null || authorized(req.headers.authorization, expectedToken);
    if (path !== '/healthz' && path !== '/metrics' && !authed) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="ztaudit"');
      send(res, 401, 'text/plain; charset=utf-8', 'unauthorized: send Authorization: Bearer <ZTAUDIT_SERVE_TOKEN>\n');
      return;
    }
    if (path === '/healthz') {
      if (!authed) {
        // Open so the kubelet's probes reach it, and they read only the status code, which
        // never depends on the token. The body keeps what /metrics already publishes without
        // one (ztaudit_up, ztaudit_last_success_timestamp_seconds), so an uptime check can see
        // the daemon is alive and still auditing; the run id, the partial lines (the API
        // server's error text, naming service accounts and what they may not read), the
        // notification statuses and the schedule need the token.
        // Failures are counted and dated here too (ztaudit_runs_total says as much); their error
        // text (an API server's, naming accounts) needs the token.
        send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify({ status: 'ok', lastSuccess: metrics.lastSuccessAt?.toISOString() ?? null, consecutiveFailures: metrics.consecutiveFailures, lastFailure: metrics.lastFailure ? { at: metrics.lastFailure.at.toISOString() } : null })}\n`);
        return;
      }
      // What is really going on: a run that is stored but still waiting on a notifier says
      // so (phase notifying, lastRun = that run, its notifications pending).
      const latest = metrics.latest;
      const body = {
        status: 'ok',
        running: metrics.running,
        currentRun: current ? { startedAt: current.startedAt.toISOString(), phase: current.phase, since: current.phaseSince.toISOString() } : null,
        lastRun: latest ? {
          id: latest.run.id,
          finishedAt: latest.run.finishedAt,
          partial: latest.run.partial ?? [],
          notifications: notificationsPending ? 'pending' : latest.notifications.map((n) => ({ channel: n.channel, status: n.status })),
        } : null,
        lastSuccess: metrics.lastSuccessAt?.toISOString() ?? null,
        // Runs that could not complete since the last that did, and the last such run's time and
        // error (one line; JSON.stringify escapes whatever a cluster name or an API error holds):
        // lastRun and lastSuccess alone read "ok" through a night of failures.
        consecutiveFailures: metrics.consecutiveFailures,
        lastFailure: metrics.lastFailure ? { at: metrics.lastFailure.at.toISOString(), error: metrics.lastFailure.error } : null,
        nextRun: timer?.next()?.toISOString() ?? null,
      };
      send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
      return;
    }
    if (path === '/metrics') {
      send(res, 200, METRICS_CONTENT_TYPE, renderMetrics(metrics));
      return;
    }
    if (path === '/' || path === '/index.html') {
      if (latestPage !== null) send(res, 200, 'text/html; charset=utf-8', latestPage.html);
      else notYet(res, metrics.latest ? 'the latest run rendered no HTML report' : 'no audit run has completed yet');
      return;
    }
    if (path === '/report.json') {
      if (!metrics.latest) return notYet(res, 'no audit run has completed yet');
      // Streamed as report.json is written: at 150,000 pods it is longer than one string can be.
      head(res, 200, 'application/json; charset=utf-8');
      try {
        await streamReportJson(metrics.latest, res);
      } catch (error: unknown) {
        // The status is sent: a reader sees the answer cut short, never a complete-looking one.
        log.warn(`/report.json could not be sent whole: ${errorMessage(error)}`);
        res.destroy();
        return;
      }
      res.end();
      return;
    }
    if (path === '/fleet' || path === '/fleet/') {
      const html = options.lookupFleet ? await fleetPage(options.lookupFleet) : null;
      if (html === null) return notFound(res, 'no fleet view: the history store holds at most one cluster');
      return send(res, 200, 'text/html; charset=utf-8', html);
    }
    if (path === '/runs' || path === '/runs/' || path === '/runs.json') {
      if (!options.runList) return notFound(res, 'no history store: only the latest run is served, at /');
      const format = path === '/runs.json' ? 'json' : 'html';
      const query = new URLSearchParams((req.url ?? '').slice(rawPath.length + 1));
      const before = query.get('before') ?? undefined;
      if (before !== undefined && !RUN_ID.test(before)) {
        send(res, 400, 'text/plain; charset=utf-8', 'bad request: ?before= takes a run id, as /runs lists them\n');
        return;
      }
      const body = await options.runList(format, before);
      // Not echoed, as no answer echoes the path or query.
      if (body === null) return notFound(res, `no such run in the history store (retention or history forget may have removed it since); the newest runs are at ${format === 'json' ? '/runs.json' : '/runs'}`);
      return send(res, 200, format === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8', body);
    }
    const m = /^\/runs\/([^/]+)\/?$/.exec(rawPath);
    if (m) {
      const id = decodePath(m[1]!);
      if (!RUN_ID.test(id)) return notFound(res, 'no such run');
      if (latestPage?.runId === id) return send(res, 200, 'text/html; charset=utf-8', latestPage.html);
      if (!pages) return notFound(res, 'no history store: only the latest run is served, at /');
      const html = await pages.get(id);
      if (html === BUSY) {
        res.setHeader('Retry-After', '5');
        send(res, 503, 'text/plain; charset=utf-8', 'busy rendering other stored runs; retry in a few seconds\n');
        return;
      }
      if (html === null) return notFound(res, 'no such run in the history store');
      if (typeof html === 'object') return unreadableRun(req, res, id, html.unreadable);
      send(res, 200, 'text/html; charset=utf-8', html);
      return;
    }
    notFound(res, 'not found; try /, /runs, /runs/ID, /report.json, /metrics, /healthz');
  }

  function send(res: http.ServerResponse, status: number, type: string, body: string): void {
    head(res, status, type);
    res.end(body);
  }

  /** The status and headers every answer carries; the body is the caller's. */
  function head(res: http.ServerResponse, status: number, type: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    // Counted from here, not from the request (a stored run may take a while to render): no
    // Node timeout covers a response being written, so a client that stops reading would
    // hold its connection and the report's bytes for as long as it likes.
    res.setTimeout(stalledClientMs, () => res.destroy());
  }

  /**
   * A stored run that cannot be read: a 500 whose body names the run and the store's one-line
   * reason (damaged JSON, a part gone), as JSON for a client that asks for it, else a page.
   */
  function unreadableRun(req: http.IncomingMessage, res: http.ServerResponse, id: string, why: string): void {
    log.warn(`/runs/${id}: ${why}`, { event: 'run-unreadable', runId: id });
    if (/\bapplication\/json\b/i.test(req.headers.accept ?? '')) {
      send(res, 500, 'application/json; charset=utf-8', `${JSON.stringify({ error: 'unreadable', run: id, reason: why })}\n`);
      return;
    }
    const text = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    send(res, 500, 'text/html; charset=utf-8', `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Run ${id}: unreadable</title></head>\n<body><h1>Stored run ${id} cannot be read</h1>\n<p>${text(why)}</p>\n<p>ztaudit history lists it as UNREADABLE; the other runs are served as usual.</p></body></html>\n`);
  }

  function notFound(res: http.ServerResponse, why: string): void {
    send(res, 404, 'text/plain; charset=utf-8', `${why}\n`);
  }

  function notYet(res: http.ServerResponse, why: string): void {
    res.setHeader('Retry-After', '30');
    send(res, 503, 'text/plain; charset=utf-8', `${why}\n`);
  }

  const host = options.host ?? '127.0.0.1';
  const listening = new Promise<void>((resolve, reject) => {
    // A flag's mistake (a port in use, a host that is not this machine) in one line, not an internal error with a stack.
    const refused = (error: NodeJS.ErrnoException) => {
      const why = { EADDRINUSE: 'the port is in use', EADDRNOTAVAIL: 'not an address of this machine', ENOTFOUND: 'no such host', EAI_AGAIN: 'the host name could not be resolved', EACCES: 'permission denied (a port below 1024 needs privileges)' }[error.code ?? ''];
      reject(new ConfigError(`cannot listen on ${host}:${options.port} (--host, --port): ${why ?? error.message}`));
    };
    server.once('error', refused);
    server.listen(options.port, host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  await listening;
  // The address really bound, as the kernel reports it (not the flag's spelling).
  const address = server.address() as AddressInfo;
  const bound = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  const shownHost = everywhere ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;

  timer = startTimer();
  log.info(`listening on ${bound}${everywhere ? ' (all interfaces)' : ''}${expectedToken ? ', bearer token required except for /healthz and /metrics' : ''} (/, /runs, /runs/ID, /report.json, /metrics, /healthz); schedule "${options.schedule}"${options.timezone ? ` in ${options.timezone}` : ''}, next run ${timer.next()?.toISOString() ?? 'never'}`, {
    event: 'serve-start', address: address.address, port: address.port,
  });
  if (options.runAtStart !== false) void tick('start-up');

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      timer?.stop();
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
    nextRun: () => timer?.next() ?? null,
    stop,
  };
}

/**
 * decodeURIComponent that refuses NUL. An encoded slash decodes to a slash: /runs/ID is
 * matched on the raw path and no run ID holds one, so it cannot reach another route.
 */
function decodePath(raw: string): string {
  const decoded = decodeURIComponent(raw); // URIError on malformed input -> 400
  if (decoded.includes('\0')) throw new URIError('NUL in path');
  return decoded;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Bearer token check in constant time (both sides hashed to the same length first). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, expected) && m !== null;
}

const BUSY = Symbol('busy');

/**
 * Stored runs' HTML for /runs/:id: rendered at most `concurrency` at a time with at most
 * `queue` waiting (beyond that: BUSY, a 503), identical requests sharing one render, and the
 * results kept in a small LRU (stored runs never change).
 */
type RunPage = Awaited<ReturnType<NonNullable<DaemonOptions['lookupRun']>>>;

class RunPages {
  private readonly cache = new Map<string, string>();
  private cachedBytes = 0;
  private readonly inFlight = new Map<string, Promise<RunPage>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly lookup: NonNullable<DaemonOptions['lookupRun']>;
  private readonly stored: DaemonOptions['runStored'];
  private readonly limits: { cacheEntries: number; cacheBytes: number; concurrency: number; queue: number };

  constructor(lookup: NonNullable<DaemonOptions['lookupRun']>, limits: NonNullable<DaemonOptions['runPages']>, stored?: DaemonOptions['runStored']) {
    this.lookup = lookup;
    this.stored = stored;
    this.limits = { cacheEntries: limits.cacheEntries ?? 16, cacheBytes: limits.cacheBytes ?? 64 * 1024 * 1024, concurrency: limits.concurrency ?? 1, queue: limits.queue ?? 8 };
  }

  async get(id: string): Promise<RunPage | typeof BUSY> {
    const hit = this.cache.get(id);
    if (hit !== undefined) {
      // A page is the run as stored, but the run may be gone since (history forget, retention):
      // one cheap look-up, never the whole run read again.
      if (this.stored && !(await this.stored(id))) {
        this.forget(id);
        return null;
      }
      if (this.cache.get(id) !== hit) return this.get(id);
      this.cache.delete(id); // most recently used last
      this.cache.set(id, hit);
      return hit;
    }
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.queue) return Promise.resolve(BUSY);
    const p = this.render(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  private async render(id: string): Promise<RunPage> {
    if (this.running >= this.limits.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      const html = await this.lookup(id);
      if (typeof html === 'string') this.remember(id, html);
      return html;
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private forget(id: string): void {
    const html = this.cache.get(id);
    if (html === undefined) return;
    this.cache.delete(id);
    this.cachedBytes -= html.length;
  }

  private remember(id: string, html: string): void {
    if (html.length > this.limits.cacheBytes) return;
    this.cache.set(id, html);
    this.cachedBytes += html.length;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= this.limits.cacheEntries && this.cachedBytes <= this.limits.cacheBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= v.length;
    }
  }
}
