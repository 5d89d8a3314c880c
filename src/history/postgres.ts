// The shared run store (`--history postgres://USER@HOST:PORT/DB?sslmode=verify-full&…`):
// one PostgreSQL database for a whole fleet, each cluster's CronJob writing its own runs.
//
//   ztaudit_schema    applied migrations (version, applied_at)
//   ztaudit_runs      one row per run: summary (jsonb), regression reasons, waivers and the
//                     whole report (gzip JSON), so `ztaudit report RUN` renders it as stored
//   ztaudit_findings  one row per finding (fingerprint, check, severity, resource, shape,
//                     waived) for the fleet queries, deleted with its run in the same
//                     transaction (no foreign key: a per-row check would slow every save
//                     of thousands of findings, and only this store writes the table)
//   ztaudit_locks     who holds each cluster's lock (for the refusal message only)
//
// Migrations run at start-up inside one transaction under a transaction-level advisory
// lock, so any number of starters apply each one exactly once; a database whose schema is
// newer than this binary is refused ("upgrade ztaudit") before anything is written.
//
// Exclusive runs are per cluster: acquire(cluster) takes a session-level advisory lock keyed
// by the cluster name on this store's connection. Two runs of one cluster are refused, never
// interleaved; runs of different clusters never wait on each other (their rows, locks and
// retention deletes are disjoint). PostgreSQL drops the lock with the session, so a killed
// run leaves no stale lock.
//
// A connection lost after start-up is retried with backoff until `retryMs` has passed:
// the store reconnects, takes its cluster lock again and repeats the operation (a save first
// checks whether its commit had landed). When the server still keeps the lost connection's
// session, and with it the lock, that session is ended rather than taken for another run.
// When the session had ended, another run may have held the lock meanwhile: a save refuses
// if a run of its cluster was stored since this run took the lock.
// Only the first connection fails at once: a database that is down at start is one line
// naming the host, never the password.
import { readFileSync, existsSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseGzipJson, parseStoredRun, storedBlob } from './gzip-json.ts';
import pg from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from '../config/types.ts';
import { HistoryError, UnreadableRunError, errorMessage, redacted } from '../base/errors.ts';
import type { NotificationOutcome, RunReport, SaveOptions, StoredRunRead, TrendPoint, WrittenReport } from '../run/types.ts';
import { REGRESSIONS_PER_CLUSTER, type FleetCarried, type FleetCluster, type FleetCommonFinding, type FleetData, type FleetQuery, type FleetRegression, type FleetUnreadable, type FleetWaiver } from '../run/fleet.ts';
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { BaselineRuns, CarriedChecks, diffedAgainst, keptByRetention, jsonWithoutNul, listSummaries, refusedMessage, asStoredReport, retentionCutoff, storedSummary, summarizeRun, summaryProblem, trendPointOf, withRecordedNotifications, withoutNul, NO_RUNS, type ClusterRuns, type LockHolder, type RunStore } from './run-store.ts';
import type { RunSummary } from '../run/types.ts';
import { resourceShape } from './shape.ts';
import { clusterNameOf } from '../base/plain-text.ts';
import { carriedWaivers } from '../run/waivers.ts';

/** MIGRATIONS[i] takes the schema from version i to i + 1. Never edit one that has shipped. */
const MIGRATIONS: string[] = [
  `CREATE TABLE ztaudit_runs (
     seq bigserial PRIMARY KEY,
     id text NOT NULL UNIQUE,
     cluster text NOT NULL,
     started_at timestamptz NOT NULL,
     regression boolean,
     summary jsonb NOT NULL,
     regression_reasons jsonb NOT NULL DEFAULT '[]',
     waivers jsonb NOT NULL DEFAULT '[]',
     report bytea NOT NULL
   );
   CREATE INDEX ztaudit_runs_by_cluster ON ztaudit_runs (cluster, seq DESC);
   CREATE INDEX ztaudit_runs_by_start ON ztaudit_runs (started_at);
   CREATE TABLE ztaudit_findings (
     run_seq bigint NOT NULL,
     fingerprint text NOT NULL,
     check_id text NOT NULL,
     severity text NOT NULL,
     kind text NOT NULL,
     namespace text NOT NULL,
     name text NOT NULL,
     shape text,
     waived boolean NOT NULL
   );
   CREATE INDEX ztaudit_findings_by_run ON ztaudit_findings (run_seq);
   CREATE TABLE ztaudit_locks (
     cluster text PRIMARY KEY,
     pid integer NOT NULL,
     host text NOT NULL,
     since text NOT NULL
   );`,
  // The expiry of the waiver that waived each finding: a finding carried past a run that could
  // not evaluate its check counts as open once its waiver has expired (rows stored before keep
  // NULL, and their stored waived flag).
  `ALTER TABLE ztaudit_findings ADD COLUMN waiver_expires date;`,
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Advisory-lock keys: one for migrations; cluster locks hash 'ztaudit:cluster:NAME'. */
const MIGRATION_LOCK = 0x7a7461756469; // "ztaudi"

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];
const KNOWN_PARAMS = new Set(['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'connect_timeout', 'application_name', 'password']);

export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  connectTimeoutMs: number;
  applicationName: string;
  /** How long one query may take (default PG_QUERY_TIMEOUT_MS); the server's statement timeout is set a little below it (statementTimeoutMs). */
  queryTimeoutMs?: number;
}

export interface PgCredentials {
  /** ZTAUDIT_PG_PASSWORD (or libpq's PGPASSWORD). */
  password?: string;
  /** ZTAUDIT_PG_PASSWORD_FILE: a mounted Secret; its content (trailing newline dropped). */
  passwordFile?: string;
}

/** postgres://[USER[:PASSWORD]@]HOST[:PORT]/DB[?sslmode=…&sslrootcert=…]; libpq's parameter names. */
export function parsePgUrl(url: string, credentials: PgCredentials = {}): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HistoryError(redacted`--history ${url}: not a valid URL (postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full)`);
  }
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new HistoryError(redacted`--history ${url}: the ${what} is not valid percent-encoding (write % as %25)`);
    }
  };
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new HistoryError(redacted`--history ${url}: expected postgres://`);
  const host = decode(u.hostname, 'host').replace(/^\[|\]$/g, '');
  if (!host) throw new HistoryError(redacted`--history ${url}: no host (postgres://USER@HOST:PORT/DATABASE)`);
  const port = u.port ? Number(u.port) : 5432;
  const database = decode(u.pathname.replace(/^\//, ''), 'database name');
  if (!database || database.includes('/')) throw new HistoryError(redacted`--history ${url}: name one database (postgres://USER@HOST:PORT/DATABASE)`);
  // Parameters as libpq decodes them (fe-connect.c conninfo_uri_decode): %XX only, a '+' stays a
  // '+' (URLSearchParams would read it as a space, as in a form: a generated password broke).
  const params = new Map<string, string>();
  for (const part of u.search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq), 'parameter name');
    params.set(key, decode(eq < 0 ? '' : part.slice(eq + 1), `value of ${key}`));
  }
  for (const key of params.keys()) {
    if (!KNOWN_PARAMS.has(key)) throw new HistoryError(redacted`--history ${url}: unknown parameter "${key}" (known: ${[...KNOWN_PARAMS].join(', ')})`);
  }
  const sslmode = (params.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(sslmode)) throw new HistoryError(redacted`--history ${url}: sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  const timeout = params.get('connect_timeout') ?? null;
  const connectTimeoutS = timeout === null ? 10 : Number(timeout);
  if (!(connectTimeoutS > 0)) throw new HistoryError(redacted`--history ${url}: connect_timeout=${timeout} must be a positive number of seconds`);
  let password = u.password ? decode(u.password, 'password') : params.get('password');
  if (password === undefined && credentials.passwordFile) {
    try {
      password = readFileSync(credentials.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error: unknown) {
      throw new HistoryError(`ZTAUDIT_PG_PASSWORD_FILE ${credentials.passwordFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
    }
  }
  password ??= credentials.password;
  const opt = (k: string) => params.get(k);
  return {
    host, port, database,
    user: u.username ? decode(u.username, 'user') : userInfo().username,
    ...(password !== undefined ? { password } : {}),
    sslmode,
    ...(opt('sslrootcert') ? { sslrootcert: opt('sslrootcert') } : {}),
    ...(opt('sslcert') ? { sslcert: opt('sslcert') } : {}),
    ...(opt('sslkey') ? { sslkey: opt('sslkey') } : {}),
    connectTimeoutMs: connectTimeoutS * 1000,
    applicationName: opt('application_name') ?? 'ztaudit',
  };
}

function describeTarget(t: PgTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `postgres://${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error: unknown) {
    throw new HistoryError(`${what} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
}

/** libpq's sslmode semantics in Node's TLS options; false = no TLS. */
export function tlsOptions(t: PgTarget, mode: SslMode = t.sslmode): ConnectionOptions | false {
  if (mode === 'disable' || mode === 'allow') return false;
  const client: ConnectionOptions = {};
  if (t.sslcert) client.cert = readPem(t.sslcert, 'sslcert');
  if (t.sslkey) client.key = readPem(t.sslkey, 'sslkey');
  // libpq: an explicit root certificate makes `require` verify the chain (as verify-ca).
  const verify: 'none' | 'ca' | 'full' = mode === 'verify-full' ? 'full' : mode === 'verify-ca' || (mode === 'require' && t.sslrootcert) ? 'ca' : 'none';
  if (verify === 'none') return { ...client, rejectUnauthorized: false };
  let ca: Buffer | undefined;
  if (t.sslrootcert === 'system') ca = undefined; // Node's trust store
  else if (t.sslrootcert) ca = readPem(t.sslrootcert, 'sslrootcert');
  else {
    const fallback = join(homedir(), '.postgresql', 'root.crt');
    if (!existsSync(fallback)) throw new HistoryError(`sslmode=${mode} needs a root certificate: add sslrootcert=FILE (or sslrootcert=system for Node's built-in root CAs) to --history; ${fallback} does not exist`);
    ca = readPem(fallback, 'sslrootcert');
  }
  return {
    ...client,
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    // verify-full: Node checks the name against the host pg connects to (SNI only for names).
    ...(verify === 'ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

export interface PgStoreOptions {
  retention: Config['history']['retention'];
  now: () => Date;
  readOnly: boolean;
  credentials?: PgCredentials;
  /** How long a lost connection is retried before an operation fails (default 60 s). */
  retryMs?: number;
  /** How long one query may take (default PG_QUERY_TIMEOUT_MS; the server cancels it a little earlier). */
  queryTimeoutMs?: number;
}

type Row = Record<string, unknown>;

const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/** A lost or refused connection (worth a reconnect), as opposed to an error in what was asked. */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection error|not queryable|Client was closed|timeout exceeded when trying to connect|Connection terminated unexpectedly/i.test(errorMessage(error));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One line, password-free: the cause of a failed connection. */
function connectReason(error: unknown, t: PgTarget): string {
  const code = (error as { code?: unknown }).code;
  let text = errorMessage(error).split('\n')[0];
  if (t.password) text = text.split(t.password).join('***');
  if (code === 'ECONNREFUSED') text = 'connection refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') text = `host ${t.host} not found`;
  else if (code === '28P01') text = `password authentication failed for user ${t.user} (set ZTAUDIT_PG_PASSWORD or ZTAUDIT_PG_PASSWORD_FILE)`;
  else if (code === '3D000') text = `database ${t.database} does not exist`;
  return text;
}

/** How long one query may take before node-postgres gives up on it (client side). */
export const PG_QUERY_TIMEOUT_MS = 300_000;

/**
 * The session's statement_timeout for a client-side query timeout of `queryTimeoutMs`: a little
 * below it, so that the server cancels the statement first and its error ("canceling statement
 * due to statement timeout") is the one reported. node-postgres's query_timeout only stops
 * waiting: it does not cancel the query (pg/lib/client.js), which would go on running on the
 * server, holding or waiting for locks, until the session ends.
 */
export function statementTimeoutMs(queryTimeoutMs: number): number {
  return queryTimeoutMs - Math.min(10_000, Math.floor(queryTimeoutMs / 2));
}

async function connectOnce(t: PgTarget, ssl: ConnectionOptions | false): Promise<pg.Client> {
  const queryTimeoutMs = t.queryTimeoutMs ?? PG_QUERY_TIMEOUT_MS;
  const client = new pg.Client({
    host: t.host, port: t.port, database: t.database, user: t.user, password: t.password ?? '',
    ssl: ssl === false ? false : ssl, connectionTimeoutMillis: t.connectTimeoutMs, application_name: t.applicationName,
    keepAlive: true, query_timeout: queryTimeoutMs,
  });
  // A connection that drops while idle emits 'error'; the next query sees the loss and retries.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Set with SET rather than as a startup parameter, which connection poolers (PgBouncer)
    // refuse unless told to ignore it. A lock wait counts toward statement_timeout, so no
    // lock_timeout (the same or larger value "is rather pointless":
    // https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT).
    // https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT
    await client.query(`SET statement_timeout = ${statementTimeoutMs(queryTimeoutMs)}`);
  } catch (error: unknown) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Connects as libpq would for the sslmode (prefer: TLS, else plain; allow: plain, else TLS). */
export async function connectPg(t: PgTarget): Promise<pg.Client> {
  const where = `${t.host}:${t.port}`;
  try {
    if (t.sslmode === 'prefer') {
      try {
        return await connectOnce(t, tlsOptions(t, 'require'));
      } catch (error: unknown) {
        if (!/does not support SSL/i.test(errorMessage(error))) throw error;
        return await connectOnce(t, false);
      }
    }
    if (t.sslmode === 'allow') {
      try {
        return await connectOnce(t, false);
      } catch (error: unknown) {
        if ((error as { code?: unknown }).code !== '28000') throw error;
        return await connectOnce(t, tlsOptions(t, 'require'));
      }
    }
    return await connectOnce(t, tlsOptions(t));
  } catch (error: unknown) {
    if (error instanceof HistoryError) throw error;
    throw new HistoryError(`cannot connect to PostgreSQL at ${where} (database ${t.database}, user ${t.user}, sslmode=${t.sslmode}): ${connectReason(error, t)}`);
  }
}

async function schemaVersion(client: pg.Client): Promise<number | null> {
  const exists = await client.query(`SELECT to_regclass('ztaudit_schema') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return null;
  const r = await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM ztaudit_schema');
  return Number(r.rows[0]?.v ?? 0);
}

function newerSchema(where: string, version: number): HistoryError {
  return new HistoryError(`history database ${where} has schema ${version}, newer than this ztaudit understands (up to ${PG_SCHEMA_VERSION}): upgrade ztaudit`);
}

/** Applies the missing migrations; concurrent starters serialise on the advisory lock. */
export async function migratePg(client: pg.Client, where: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS ztaudit_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const current = (await schemaVersion(client)) ?? 0;
    if (current > PG_SCHEMA_VERSION) throw newerSchema(where, current);
    for (let v = current; v < PG_SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v]);
      await client.query('INSERT INTO ztaudit_schema (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function openPgStore(url: string, options: PgStoreOptions): Promise<RunStore> {
  const target: PgTarget = { ...parsePgUrl(url, options.credentials), ...(options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {}) };
  const where = describeTarget(target);
  const client = await connectPg(target);
  try {
    const version = await schemaVersion(client);
    if (version !== null && version > PG_SCHEMA_VERSION) throw newerSchema(where, version);
    // Read-only commands do not create the tables in an empty database (the role may lack
    // CREATE); an older schema is migrated by anyone, as the SQLite store does.
    if (!(options.readOnly && version === null) && version !== PG_SCHEMA_VERSION) await migratePg(client, where);
    return new PgRunStore(target, where, client, options, version === null && options.readOnly);
  } catch (error: unknown) {
    await client.end().catch(() => undefined);
    if (error instanceof HistoryError) throw error;
    throw new HistoryError(`cannot prepare history database ${where}: ${errorMessage(error)}`);
  }
}

/** Summaries per query when the diff's baseline walk passes over runs by their blind lists (runsNewestFirst with `wants`). */
const SUMMARY_PAGE = 200;
/**
 * The most runs of one cluster the fleet reads looking for one it can read, when its newest
 * (FleetQuery.trendPoints) cannot be (FleetUnreadable.searched says how many it read), and how
 * many a query: a bound on what a store of damaged summaries costs the fleet report.
 */
export const FLEET_LOOKBACK = 1_000;
const LOOKBACK_PAGE = 200;

/** The columns a stored run is read from: its report and the notification outcomes recorded after it was stored. */
const RUN_COLUMNS = `id, report, summary->'notifications' AS notifications`;

/** `spooled`: the findings' bulky fields in a temp file, those `bulkyOf` wants (parseStoredRun), for the run's diff. */
async function decodeReport(row: Row, where: string, spooled?: StoredRunRead): Promise<RunReport> {
  const id = String(row.id);
  const bytes = row.report as Buffer;
  try {
    return withRecordedNotifications(asStoredReport(await (spooled ? parseStoredRun(bytes, spooled) : parseGzipJson(bytes))), row.notifications);
  } catch (error: unknown) {
    throw new UnreadableRunError(id, `stored run ${id} in ${where} is unreadable: ${errorMessage(error)}`);
  }
}

/** A jsonb object (not a list, not null), as node-postgres decodes it. */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * keptBaselineRunIds over a cluster's summaries, read a page at a time: the runs retention keeps
 * by count (`maxRuns`, 0: none) and age (`cutoff`), and those a diff from any of them needs
 * (usually one page is enough).
 */
async function keptBaselineRunsOf(c: pg.Client, names: string[], maxRuns: number, cutoff: string | null): Promise<Set<string>> {
  const walk = new BaselineRuns();
  const window = maxRuns > 0 ? maxRuns : Infinity;
  const page = 50;
  let before: string | null = null;
  let place = 0;
  for (;;) {
    const r: pg.QueryResult = await c.query(
      `SELECT seq, id, ${STARTED_AT_TEXT} AS started_at, summary->'blind' AS blind, summary->'notApplicable' AS na, summary->'unjudgedNamespaces' AS unjudged FROM ztaudit_runs WHERE cluster = ANY($1::text[]) ${before === null ? '' : 'AND seq < $3'} ORDER BY seq DESC LIMIT $2`,
      before === null ? [names, page] : [names, page, before]);
    for (const row of r.rows as Row[]) {
      if (place >= window && !walk.seeking) return walk.ids;
      walk.next({ id: String(row.id), ...(Array.isArray(row.blind) ? { blind: row.blind as string[] } : {}), ...(Array.isArray(row.na) ? { notApplicable: row.na as string[] } : {}), ...(isRecord(row.unjudged) ? { unjudgedNamespaces: row.unjudged as Record<string, string[]> } : {}) }, keptByRetention(maxRuns, cutoff, place, row.started_at));
      place++;
    }
    if (r.rows.length < page) return walk.ids;
    before = String((r.rows[r.rows.length - 1] as Row).seq);
  }
}

/**
 * CarriedChecks over a cluster's summaries from its latest run (`latest`, as the fleet shows it)
 * back, a page at a time (usually one page): run id → its startedAt and the checks carried from it.
 * A summary that cannot be read is passed over, as the other stores' lists pass over it.
 */
async function carriedRunsOf(c: pg.Client, names: string[], latest: RunSummary, summaryOf: (row: Row) => RunSummary | null): Promise<Map<string, { startedAt: string; checks: string[] }>> {
  const walk = new CarriedChecks();
  const startedAt = new Map<string, string>();
  const page = 50;
  if (walk.next(latest)) {
    let before: string = String((await c.query(`SELECT seq FROM ztaudit_runs WHERE id = $1`, [latest.id])).rows[0]?.seq ?? '0');
    walking: for (;;) {
      const r: pg.QueryResult = await c.query(`SELECT seq, id, summary FROM ztaudit_runs WHERE cluster = ANY($1::text[]) AND seq < $3 ORDER BY seq DESC LIMIT $2`, [names, page, before]);
      for (const row of r.rows as Row[]) {
        const summary = summaryOf(row);
        if (!summary) continue;
        startedAt.set(summary.id, summary.startedAt);
        if (!walk.next(summary)) break walking;
      }
      if (r.rows.length < page) break;
      before = String((r.rows[r.rows.length - 1] as Row).seq);
    }
  }
  return new Map([...walk.from].map(([id, checks]) => [id, { startedAt: startedAt.get(id) ?? '', checks }]));
}

/**
 * SQL: whether finding `f`, carried from an older run (column `id` of `s`), counts as open in the
 * latest run: when `s.decided`, unless it is among the findings that run's waivers waive
 * (parameters `ids` and `fingerprints`: carriedWaived); else, its run's report unreadable, by the
 * waiver stored with it at `s.at`, the latest run's start: not waived, or its waiver expired by
 * then (isOpenAt in src/run/waiver-expiry.ts: an expiry holds through its day, UTC).
 */
const CARRIED_OPEN = (f: string, s: string, ids: number, fingerprints: number) =>
  `(CASE WHEN ${s}.decided THEN NOT EXISTS (SELECT 1 FROM unnest($${ids}::text[], $${fingerprints}::text[]) AS w(id, fingerprint) WHERE w.id = ${s}.id AND w.fingerprint = ${f}.fingerprint)
    ELSE (NOT ${f}.waived OR ${f}.waiver_expires < (${s}.at AT TIME ZONE 'UTC')::date) END)`;

/**
 * The findings carried into a cluster's latest run (`latestId`) that its waivers (its config, as
 * stored with it) waive at its start (`at`), by the run they come from: openCarried, as the run's
 * report and the other stores' fleet (carriedOpen in src/fleet/data.ts) decide them. The findings
 * table holds no related objects (a waiver may match through them), so a run is read whole, and
 * only when the latest run has a waiver for one of its carried checks. A run whose report cannot
 * be read is told to `onUnreadable` and left out: its findings count by the waiver stored with each.
 */
async function carriedWaived(c: pg.Client, where: string, latestId: string, at: string, from: ReadonlyMap<string, { checks: string[] }>,
  onUnreadable: (error: UnreadableRunError) => void): Promise<Map<string, string[]>> {
  const waivers = ((await c.query(`SELECT waivers FROM ztaudit_runs WHERE id = $1`, [latestId])).rows[0]?.waivers ?? []) as RunReport['waivers'];
  const out = new Map<string, string[]>();
  for (const [runId, { checks }] of from) {
    const wanted = new Set(checks);
    if (!Array.isArray(waivers) || !waivers.some((w) => wanted.has(w.check))) { out.set(runId, []); continue; }
    const row = (await c.query(`SELECT ${RUN_COLUMNS} FROM ztaudit_runs WHERE id = $1`, [runId])).rows[0] as Row | undefined;
    if (!row) continue;
    let run: RunReport;
    try {
      run = await decodeReport(row, where);
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError)) throw error;
      onUnreadable(error);
      continue;
    }
    out.set(runId, [...carriedWaivers(waivers, run.findings.filter((f) => wanted.has(f.check)), new Date(at)).keys()]);
  }
  return out;
}

/** A waiver expiry a date column can hold (config validation keeps them so; a stored run may predate it). */
function isExpiryDate(expires: string): boolean {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T00:00:00Z`) : NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === expires;
}

/** started_at as the ISO 8601 text (UTC, milliseconds) a run's startedAt is. */
const STARTED_AT_TEXT = `to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The column a run's summary is kept in, as its unreadable-summary errors name it. */
const SUMMARY_COLUMN = 'ztaudit_runs.summary';

/** The longest cluster name the store keeps, in UTF-8 bytes: btree index entries end at 2,704 bytes (ztaudit_locks' key, ztaudit_runs_by_cluster). */
export const PG_MAX_CLUSTER_BYTES = 2000;

/** A cluster name the store's columns and indexes cannot hold, refused in one line before its lock is taken. */
function refuseClusterName(cluster: string): void {
  const bytes = Buffer.byteLength(cluster, 'utf8');
  if (bytes > PG_MAX_CLUSTER_BYTES) {
    throw new HistoryError(`cluster name ${JSON.stringify(`${cluster.slice(0, 40)}…`)} is ${bytes.toLocaleString('en-US')} bytes; the PostgreSQL store keeps names up to ${PG_MAX_CLUSTER_BYTES.toLocaleString('en-US')} bytes — set --cluster`);
  }
  if (cluster.includes('\u0000')) throw new HistoryError(`cluster name ${JSON.stringify(cluster)} holds a NUL character, which PostgreSQL cannot store — set --cluster`);
}

/** SQL deleting the runs `where` selects with their findings' rows (retention, `history forget`): one statement, so neither outlives the other. */
const deleteRuns = (where: string) => `WITH gone AS (DELETE FROM ztaudit_runs WHERE ${where} RETURNING seq)
  DELETE FROM ztaudit_findings WHERE run_seq IN (SELECT seq FROM gone)`;

/**
 * The names the runs of `cluster` are stored under: every spelling whose NFC is its own
 * (clusterNameOf; runs stored before --cluster was kept in NFC), itself always. The store's
 * distinct names are read through the (cluster, seq) index, one probe per name (a loose index
 * scan, https://wiki.postgresql.org/wiki/Loose_indexscan): no row is rewritten, and no server
 * function is needed (PostgreSQL's normalize() works only in a UTF8 database).
 */
async function spellingsOf(c: pg.Client, cluster: string): Promise<string[]> {
  const wanted = clusterNameOf(cluster);
  const names = new Set([cluster, wanted]);
  const r = await c.query(
    `WITH RECURSIVE n AS (
       (SELECT cluster FROM ztaudit_runs ORDER BY cluster LIMIT 1)
       UNION ALL
       SELECT (SELECT cluster FROM ztaudit_runs WHERE cluster > n.cluster ORDER BY cluster LIMIT 1) FROM n WHERE n.cluster IS NOT NULL)
     SELECT cluster FROM n WHERE cluster IS NOT NULL`);
  for (const row of r.rows as Row[]) if (clusterNameOf(String(row.cluster)) === wanted) names.add(String(row.cluster));
  return [...names];
}

/** How many runs of exactly `cluster` are stored, and its first and last by insertion (their startedAt as the run said it). */
async function runsOf(c: pg.Client, cluster: string): Promise<ClusterRuns> {
  const STARTED = `COALESCE(summary->>'startedAt', ${STARTED_AT_TEXT})`;
  const r = await c.query(
    `SELECT count(*)::int AS runs,
            (SELECT array[id, ${STARTED}] FROM ztaudit_runs WHERE cluster = $1 ORDER BY seq LIMIT 1) AS oldest,
            (SELECT array[id, ${STARTED}] FROM ztaudit_runs WHERE cluster = $1 ORDER BY seq DESC LIMIT 1) AS newest
     FROM ztaudit_runs WHERE cluster = $1`, [cluster]);
  const row = r.rows[0] as Row;
  const end = (v: unknown) => (Array.isArray(v) ? { id: String(v[0]), startedAt: String(v[1]) } : null);
  return Number(row.runs) === 0 ? NO_RUNS : { runs: Number(row.runs), oldest: end(row.oldest), newest: end(row.newest) };
}

/** Our own earlier session still holds the cluster lock (see relock): worth retrying. */
class LockSessionLingers extends HistoryError {}

class PgRunStore implements RunStore {
  private client: pg.Client | null;
  private connecting: Promise<pg.Client> | null = null;
  /** `newest`: the seq of the cluster's newest run when the lock was taken, or of the run this run stored since ('0': none). */
  private held: { cluster: string; holder: LockHolder; newest: string } | null = null;
  /** The server session that took the cluster lock last and has not released it. */
  private lockSession: { cluster: string; pid: number; start: string } | null = null;
  private closed = false;
  private readonly retryMs: number;
  private readonly target: PgTarget;
  private readonly where: string;
  private readonly options: PgStoreOptions;
  /** An empty database opened read-only: nothing stored, nothing created. */
  private readonly empty: boolean;

  constructor(target: PgTarget, where: string, client: pg.Client, options: PgStoreOptions, empty: boolean) {
    this.target = target;
    this.where = where;
    this.client = client;
    this.options = options;
    this.empty = empty;
    this.retryMs = options.retryMs ?? 60_000;
  }

  describe(): string { return this.where; }

  /** The connection, re-made (and the cluster lock re-taken) after a loss; one reconnect at a time. */
  private async live(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      try {
        const c = await connectPg(this.target);
        if (this.held) {
          try {
            await this.relock(c, this.held.cluster);
          } catch (error: unknown) {
            await c.end().catch(() => undefined);
            throw error;
          }
        }
        this.client = c;
        return c;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private drop(c: pg.Client): void {
    if (this.client === c) this.client = null;
    void c.end().catch(() => undefined);
  }

  /**
   * Runs `op` on a live connection; a lost one is re-made until retryMs has passed. After a
   * loss, `doneAlready` is asked first (a save whose commit landed must not run twice).
   */
  private async withClient<T>(doing: string, op: (c: pg.Client) => Promise<T>, doneAlready?: (c: pg.Client) => Promise<T | undefined>): Promise<T> {
    if (this.closed) throw new HistoryError(`${this.where} is closed`);
    const deadline = Date.now() + this.retryMs;
    let delay = 250;
    let lost = false;
    for (let attempt = 1; ; attempt++) {
      let c: pg.Client | null = null;
      try {
        c = await this.live();
        if (lost && doneAlready) {
          const done = await doneAlready(c);
          if (done !== undefined) return done;
        }
        return await op(c);
      } catch (error: unknown) {
        const isLoss = isConnectionLoss(error) || (error instanceof HistoryError && error.message.startsWith('cannot connect to PostgreSQL'));
        if (!isLoss && !(error instanceof LockSessionLingers)) {
          if (error instanceof HistoryError) throw error;
          throw new HistoryError(`${doing} in ${this.where}: ${errorMessage(error)}`);
        }
        lost = true;
        if (c && isLoss) this.drop(c);
        if (Date.now() + delay > deadline) {
          throw new HistoryError(`${doing} in ${this.where}: the connection was lost and could not be re-established within ${Math.round(this.retryMs / 1000)} s (${attempt} attempts; last: ${errorMessage(error).split('\n')[0]})`);
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /**
   * Takes the cluster's lock on `client`. A refusal may come from this store's own earlier
   * session: a connection cut on our side only (a NAT or load balancer that forgot it) leaves
   * the server's session alive, holding the lock, until TCP keepalive ends it — hours, by
   * default. That session, known by pid and start time (a pid alone may be reused), is asked
   * to end, and the refusal is retried (LockSessionLingers) while it exists; any other holder
   * is refused as always.
   */
  private async relock(client: pg.Client, cluster: string): Promise<void> {
    const got = await client.query(
      `SELECT pg_try_advisory_lock(hashtextextended('ztaudit:cluster:' || $1, 0)) AS ok, pg_backend_pid() AS pid,
              (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())::text AS start`, [cluster]);
    const row = got.rows[0] as Row | undefined;
    if (row?.ok) {
      this.lockSession = { cluster, pid: Number(row.pid), start: String(row.start) };
      return;
    }
    const old = this.lockSession;
    if (old?.cluster === cluster) {
      const session = 'FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2::timestamptz AND pid <> pg_backend_pid()';
      let alive: pg.QueryResult;
      try {
        alive = await client.query(`SELECT pg_terminate_backend(pid) ${session}`, [old.pid, old.start]);
      } catch {
        alive = await client.query(`SELECT 1 ${session}`, [old.pid, old.start]); // not allowed to end it: it ends when the server notices
      }
      if (alive.rowCount) throw new LockSessionLingers(`this run's earlier session (server pid ${old.pid}), cut off on this side, still holds the lock of ${this.lockName(cluster)}`);
      this.lockSession = null;
    }
    throw new HistoryError(refusedMessage(this.lockName(cluster), await this.holderOf(client, cluster)));
  }

  private lockName(cluster: string): string {
    return `${this.where} (cluster ${JSON.stringify(cluster)})`;
  }

  private async holderOf(client: pg.Client, cluster: string): Promise<LockHolder | null> {
    try {
      const r = await client.query('SELECT pid, host, since FROM ztaudit_locks WHERE cluster = $1', [cluster]);
      const row = r.rows[0] as Row | undefined;
      return row ? { pid: Number(row.pid), host: String(row.host), since: String(row.since) } : null;
    } catch {
      return null;
    }
  }

  async acquire(cluster = ''): Promise<void> {
    if (this.held) throw new HistoryError(`${this.lockName(this.held.cluster)} is already held by this run`);
    if (this.empty) throw new HistoryError(`${this.where} was opened read-only`);
    refuseClusterName(cluster);
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: this.options.now().toISOString() };
    const newest = await this.withClient('taking the cluster lock', async (c): Promise<string> => {
      await this.relock(c, cluster);
      try {
        await c.query(`INSERT INTO ztaudit_locks (cluster, pid, host, since) VALUES ($1, $2, $3, $4)
                       ON CONFLICT (cluster) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, since = EXCLUDED.since`, [cluster, holder.pid, holder.host, holder.since]);
      } catch (error: unknown) {
        await c.query(`SELECT pg_advisory_unlock(hashtextextended('ztaudit:cluster:' || $1, 0))`, [cluster]).catch(() => undefined);
        throw error;
      }
      // Under the lock: what this run reads as its diff baseline is the newest run so far.
      const r = await c.query('SELECT COALESCE(MAX(seq), 0)::text AS seq FROM ztaudit_runs WHERE cluster = $1', [cluster]);
      return String((r.rows[0] as Row).seq);
    });
    this.held = { cluster, holder, newest };
  }

  /**
   * Each cluster's greatest seq (JSON): a seq is taken at INSERT and committed later, and saves
   * of different clusters run concurrently (per-cluster lock), so one global maximum can pass a
   * run of another cluster still committing with a smaller seq. Within one cluster the lock
   * serialises saves: seq order there is commit order. The cluster is not known before collecting.
   */
  async mark(): Promise<string> {
    if (this.empty) return '{}';
    const r = await this.withClient('reading the stored runs', (c) => c.query('SELECT cluster, MAX(seq)::text AS seq FROM ztaudit_runs GROUP BY cluster'));
    const marks: Record<string, string> = {};
    for (const row of r.rows as Row[]) marks[String(row.cluster)] = String(row.seq);
    return JSON.stringify(marks);
  }

  async storedSince(mark: string, cluster?: string): Promise<{ id: string; startedAt: string } | null> {
    if (this.empty) return null;
    // Of the runs stored since, the one that started last: the newest picture of the cluster.
    const since = `seq > COALESCE(($1::jsonb ->> cluster)::bigint, 0)`;
    const r = await this.withClient('reading the stored runs', (c) => (cluster === undefined
      ? c.query(`SELECT id, summary->>'startedAt' AS started_at FROM ztaudit_runs WHERE ${since} ORDER BY started_at DESC, seq DESC LIMIT 1`, [mark])
      : spellingsOf(c, cluster).then((names) => c.query(`SELECT id, summary->>'startedAt' AS started_at FROM ztaudit_runs WHERE ${since} AND cluster = ANY($2::text[]) ORDER BY started_at DESC, seq DESC LIMIT 1`, [mark, names]))));
    const row = r.rows[0] as Row | undefined;
    return row ? { id: String(row.id), startedAt: String(row.started_at) } : null;
  }

  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = null;
    const c = this.client;
    // Without a connection, the session is gone or lingers on the server until it notices;
    // its lock goes with it, or the next acquire ends it (relock).
    if (!c) return;
    try {
      await c.query('DELETE FROM ztaudit_locks WHERE cluster = $1 AND pid = $2 AND host = $3 AND since = $4', [held.cluster, held.holder.pid, held.holder.host, held.holder.since]);
      await c.query(`SELECT pg_advisory_unlock(hashtextextended('ztaudit:cluster:' || $1, 0))`, [held.cluster]);
      this.lockSession = null;
    } catch {
      // A broken session loses its advisory locks once the server ends it (or the next
      // acquire does); drop it so nothing stays held.
      this.client = null;
      await c.end().catch(() => undefined);
    }
  }

  // Runs are ordered by insertion (seq), never by startedAt: a corrected clock can put a
  // stored run's timestamp in the future.
  async latest(cluster?: string): Promise<RunReport | null> {
    return (await this.before(null, await this.names(cluster, 'reading a stored run')))?.report ?? null;
  }

  /** The names the runs of `cluster` are stored under (spellingsOf), read as the first step of `doing`; undefined for every cluster. */
  private async names(cluster: string | undefined, doing: string): Promise<string[] | undefined> {
    if (cluster === undefined || this.empty) return undefined;
    return this.withClient(doing, (c) => spellingsOf(c, cluster));
  }

  /** The newest run inserted before `seq` (null: the newest of all), of the cluster stored under `names` when given. */
  private async before(seq: string | null, names?: string[], spooled?: StoredRunRead): Promise<{ seq: string; report: RunReport } | null> {
    if (this.empty) return null;
    const where = [seq === null ? '' : 'seq < $1', names === undefined ? '' : `cluster = ANY($${seq === null ? 1 : 2}::text[])`].filter(Boolean);
    const params = [...(seq === null ? [] : [seq]), ...(names === undefined ? [] : [names])];
    const r = await this.withClient('reading a stored run', (c) => c.query(
      `SELECT seq, ${RUN_COLUMNS} FROM ztaudit_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT 1`, params));
    const row = r.rows[0] as Row | undefined;
    return row ? { seq: String(row.seq), report: await decodeReport(row, this.where, spooled) } : null;
  }

  async *runsNewestFirst(cluster?: string, read: StoredRunRead = {}): AsyncIterable<RunReport> {
    let seq: string | null = null;
    const names = await this.names(cluster, 'reading a stored run');
    for (;;) {
      if (read.wants || read.onUnreadable) {
        // Judged by summary: a run passed over is neither fetched nor decoded (a run at L is
        // hundreds of MB, and serve --watch may have stored a thousand blind ones meanwhile).
        const wanted = await this.wantedBefore(seq, names, read.wants ?? (() => true));
        if (wanted === null) return;
        seq = wanted;
        let report: RunReport | null;
        try {
          report = await this.at(wanted, read);
        } catch (error: unknown) {
          if (!(error instanceof UnreadableRunError) || !read.onUnreadable) throw error;
          read.onUnreadable(error); // its report cannot be decoded: passed over, named
          continue;
        }
        if (report) yield report; // else deleted since its summary was read: passed over too
        continue;
      }
      const next = await this.before(seq, names, read);
      if (!next) return;
      seq = next.seq;
      yield next.report;
    }
  }

  /**
   * The seq of the newest run inserted before `seq` (null: the newest of all), of the cluster
   * stored under `names` when given, that `wants` wants; null when there is none. Only the summaries' blind lists
   * are read, a page at a time, and `wants` is asked one run at a time in order.
   */
  private async wantedBefore(seq: string | null, names: string[] | undefined, wants: NonNullable<StoredRunRead['wants']>): Promise<string | null> {
    if (this.empty) return null;
    let before = seq;
    for (;;) {
      const where = [before === null ? '' : 'seq < $2', names === undefined ? '' : `cluster = ANY($${before === null ? 2 : 3}::text[])`].filter(Boolean);
      const params = [String(SUMMARY_PAGE), ...(before === null ? [] : [before]), ...(names === undefined ? [] : [names])];
      const r = await this.withClient('reading the stored runs\' summaries', (c) => c.query(
        `SELECT seq, id, summary->'blind' AS blind, summary->'notApplicable' AS na, summary->'unjudgedNamespaces' AS unjudged FROM ztaudit_runs
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $1`, params));
      for (const row of r.rows as Row[]) {
        const summary = { id: String(row.id), ...(Array.isArray(row.blind) ? { blind: row.blind as string[] } : {}), ...(Array.isArray(row.na) ? { notApplicable: row.na as string[] } : {}), ...(isRecord(row.unjudged) ? { unjudgedNamespaces: row.unjudged as Record<string, string[]> } : {}) };
        if (wants(summary)) return String(row.seq);
      }
      if (r.rows.length < SUMMARY_PAGE) return null;
      before = String((r.rows[r.rows.length - 1] as Row).seq);
    }
  }

  /** The run stored as `seq`; null when it is gone. */
  private async at(seq: string, spooled: StoredRunRead): Promise<RunReport | null> {
    // With its summary: a run whose report cannot be read is still compared by it (src/pipeline/pipeline.ts).
    const r = await this.withClient('reading a stored run', (c) => c.query(`SELECT ${RUN_COLUMNS}, summary FROM ztaudit_runs WHERE seq = $1`, [seq]));
    const row = r.rows[0] as Row | undefined;
    if (!row) return null;
    try {
      return await decodeReport(row, this.where, spooled);
    } catch (error: unknown) {
      if (error instanceof UnreadableRunError && summaryProblem(row.summary) === null) error.summary = row.summary as RunSummary;
      throw error;
    }
  }

  async get(id: string): Promise<RunReport | null> {
    if (this.empty) return null;
    const r = await this.withClient(`reading run ${id}`, (c) => c.query(`SELECT ${RUN_COLUMNS} FROM ztaudit_runs WHERE id = $1`, [id]));
    const row = r.rows[0] as Row | undefined;
    return row ? await decodeReport(row, this.where) : null;
  }

  async has(id: string): Promise<boolean> {
    if (this.empty) return false;
    const r = await this.withClient(`looking up run ${id}`, (c) => c.query('SELECT 1 FROM ztaudit_runs WHERE id = $1', [id]));
    return (r.rowCount ?? 0) > 0;
  }

  async list(limit: number, onUnreadable?: (error: UnreadableRunError, place: number) => void, before?: string): Promise<RunSummary[]> {
    if (this.empty) return [];
    const n = Math.max(0, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER));
    // `seq < NULL` holds for no row: a `before` that is not stored lists nothing.
    const r = await this.withClient('listing runs', (c) => (before === undefined
      ? c.query(`SELECT id, cluster, ${STARTED_AT_TEXT} AS started_at, summary FROM ztaudit_runs ORDER BY seq DESC LIMIT $1`, [String(n)])
      : c.query(`SELECT id, cluster, ${STARTED_AT_TEXT} AS started_at, summary FROM ztaudit_runs WHERE seq < (SELECT seq FROM ztaudit_runs WHERE id = $2) ORDER BY seq DESC LIMIT $1`, [String(n), before])));
    // Its own columns still say when it started and of which cluster it is.
    return listSummaries(r.rows as Row[], (row) => storedSummary(row.summary, String(row.id), this.where, SUMMARY_COLUMN, false), (row) => ({ cluster: row.cluster, startedAt: row.started_at }), onUnreadable);
  }

  /** A row's summary (its id and summary columns); null, after telling `onUnreadable` (else throwing), when it cannot be read. */
  private summaryOrNull(row: Row, onUnreadable?: (error: UnreadableRunError) => void): RunSummary | null {
    try {
      return storedSummary(row.summary, String(row.id), this.where, SUMMARY_COLUMN, false);
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError) || !onUnreadable) throw error;
      onUnreadable(error);
      return null;
    }
  }

  async trend(limit: number, cluster?: string, upTo?: string): Promise<TrendPoint[]> {
    if (this.empty) return [];
    const params: Array<string | string[]> = [];
    const where: string[] = [];
    const names = await this.names(cluster, 'reading the trend');
    if (names !== undefined) { params.push(names); where.push(`cluster = ANY($${params.length}::text[])`); }
    if (upTo !== undefined) { params.push(upTo); where.push(`started_at <= $${params.length}::timestamptz`); }
    params.push(String(Math.max(0, Math.floor(limit))));
    const sql = `SELECT id, summary FROM ztaudit_runs ${where.length ? `WHERE ${where.join(' AND ')} ` : ''}ORDER BY seq DESC LIMIT $${params.length}`;
    const r = await this.withClient('reading the trend', (c) => c.query(sql, params));
    // A run whose summary cannot be read has no point to draw (`history` and `fleet` name it).
    return (r.rows as Row[]).flatMap((row) => { const s = this.summaryOrNull(row, () => {}); return s ? [trendPointOf(s)] : []; }).reverse();
  }

  async save(report: RunReport, written?: WrittenReport, options: SaveOptions = {}): Promise<void> {
    const cluster = report.run.cluster?.name ?? '';
    if (!this.held) {
      // A lone save (import, tools) still must not interleave with a run of that cluster.
      await this.acquire(cluster);
      try {
        return await this.save(report, written, options);
      } finally {
        await this.release();
      }
    }
    if (this.held.cluster !== cluster) throw new HistoryError(`run ${report.run.id} is of cluster ${JSON.stringify(cluster)}, but this run holds the lock of ${JSON.stringify(this.held.cluster)}`);
    const summary = summarizeRun(report, options.notifications);
    const blob = await storedBlob(report, written);
    const f = report.findings;
    // Text and jsonb cannot hold U+0000 (withoutNul): a name from the cluster with a NUL in it
    // is kept with U+FFFD here, exactly in the report blob.
    const columns = {
      fingerprint: f.map((x) => withoutNul(x.fingerprint)), check: f.map((x) => withoutNul(x.check)), severity: f.map((x) => withoutNul(x.severity)),
      kind: f.map((x) => withoutNul(x.resource.kind)), namespace: f.map((x) => withoutNul(x.resource.namespace ?? '')), name: f.map((x) => withoutNul(x.resource.name)),
      shape: f.map((x) => { const s = resourceShape(x.resource.name); return s === x.resource.name ? null : withoutNul(s); }),
      waived: f.map((x) => x.waived),
      waiverExpires: f.map((x) => (x.waived && x.waiver && isExpiryDate(x.waiver.expires) ? x.waiver.expires : null)),
    };
    const { maxRuns } = this.options.retention;
    const cutoff = retentionCutoff(this.options.retention, this.options.now());
    const id = report.run.id;
    const newest = this.held.newest;
    const stored = await this.withClient(`storing run ${id}`, async (c): Promise<string> => {
      await c.query('BEGIN');
      try {
        // The advisory lock is session-level: "held until explicitly released or the session
        // ends" (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
        // A session lost since acquire() let another run take the lock, store a run and leave;
        // the lock taken back on reconnect does not undo that. This run was diffed against the
        // runs before it, so storing it now would interleave the two: refuse it instead.
        const meanwhile = await c.query('SELECT id FROM ztaudit_runs WHERE cluster = $1 AND seq > $2 ORDER BY seq DESC LIMIT 1', [cluster, newest]);
        if (meanwhile.rowCount) {
          throw new HistoryError(`run ${id} was not stored in ${this.lockName(cluster)}: while this run's connection was lost, another ztaudit run stored run ${String((meanwhile.rows[0] as Row).id)}; run again (this run was compared with the runs before that one, and concurrent runs are refused, never interleaved)`);
        }
        const inserted = await c.query(
          `INSERT INTO ztaudit_runs (id, cluster, started_at, regression, summary, regression_reasons, waivers, report)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`,
          [id, cluster, report.run.startedAt, summary.regression, jsonWithoutNul(summary), jsonWithoutNul(report.diff?.regressionReasons ?? []), jsonWithoutNul(report.waivers), blob]);
        const seq = String(inserted.rows[0].seq);
        if (f.length > 0) {
          await c.query(
            `INSERT INTO ztaudit_findings (run_seq, fingerprint, check_id, severity, kind, namespace, name, shape, waived, waiver_expires)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::date[])`,
            [seq, columns.fingerprint, columns.check, columns.severity, columns.kind, columns.namespace, columns.name, columns.shape, columns.waived, columns.waiverExpires]);
        }
        // Retention is per cluster (a shared store keeps every cluster's last maxRuns runs) and
        // by insertion order, so the run just stored always stays; so do the runs a diff from
        // any kept run takes a check from, and those this one was diffed against (diff --last).
        if (maxRuns > 0 || cutoff) {
          // Of the cluster under every spelling of its name (spellingsOf), as its diff reads them.
          const names = await spellingsOf(c, cluster);
          const keep = [...await keptBaselineRunsOf(c, names, maxRuns, cutoff), ...diffedAgainst(report)];
          if (maxRuns > 0) {
            await c.query(deleteRuns(`cluster = ANY($1::text[]) AND id <> $3 AND NOT (id = ANY($4::text[])) AND seq IN (
                               SELECT seq FROM ztaudit_runs WHERE cluster = ANY($1::text[]) ORDER BY seq DESC OFFSET $2)`), [names, maxRuns, id, keep]);
          }
          if (cutoff) {
            await c.query(deleteRuns('cluster = ANY($1::text[]) AND started_at < $2 AND id <> $3 AND NOT (id = ANY($4::text[]))'), [names, cutoff, id, keep]);
          }
        }
        await c.query('COMMIT');
        return seq;
      } catch (error: unknown) {
        await c.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: unknown }).code === '23505') throw new HistoryError(`a run with id ${id} is already stored in ${this.where}`);
        throw error;
      }
    }, async (c) => {
      // After a reconnect: the commit that lost its answer may have landed; never store it twice.
      const r = await c.query('SELECT seq::text AS seq FROM ztaudit_runs WHERE id = $1', [id]);
      return r.rowCount ? String((r.rows[0] as Row).seq) : undefined;
    });
    // A later save under the same lock is checked against this run, not the one before it.
    if (this.held?.cluster === cluster) this.held.newest = stored;
  }

  async recordNotifications(id: string, outcomes: NotificationOutcome[]): Promise<void> {
    if (this.empty) throw new HistoryError(`cannot record the notifications of run ${id} in ${this.where}: it is not stored there`);
    // In the summary, read with every run: no migration, so the fleet's older ztaudit versions keep using the database.
    const r = await this.withClient(`recording the notifications of run ${id}`, (c) => c.query(
      `UPDATE ztaudit_runs SET summary = jsonb_set(summary, '{notifications}', $2::jsonb) WHERE id = $1`, [id, jsonWithoutNul(outcomes)]));
    if (!r.rowCount) throw new HistoryError(`cannot record the notifications of run ${id} in ${this.where}: it is not stored there`);
  }

  async forget(cluster: string, remove: boolean): Promise<ClusterRuns> {
    // A name the store could not have kept (too long, a NUL) has no runs here.
    if (this.empty || Buffer.byteLength(cluster, 'utf8') > PG_MAX_CLUSTER_BYTES || cluster.includes('\u0000')) return NO_RUNS;
    const doing = `removing the runs of cluster ${JSON.stringify(cluster)}`;
    if (!remove) return this.withClient(doing, (c) => runsOf(c, cluster));
    if (this.held?.cluster !== cluster) {
      // As save(): never while a run of that cluster holds it; other clusters' runs go on.
      await this.acquire(cluster);
      try {
        return await this.forget(cluster, remove);
      } finally {
        await this.release();
      }
    }
    return this.withClient(doing, async (c) => {
      await c.query('BEGIN');
      try {
        const runs = await runsOf(c, cluster);
        // Each run's row holds its summary, waivers and report; its findings' rows hold the fleet's
        // shapes; a lock row outlives a killed run. The lock row this run holds goes too (release() then finds none).
        await c.query(deleteRuns('cluster = $1'), [cluster]);
        await c.query('DELETE FROM ztaudit_locks WHERE cluster = $1', [cluster]);
        await c.query('COMMIT');
        return runs;
      } catch (error: unknown) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Every cluster in the store with its run count (newest run first). */
  async clusters(): Promise<Array<{ cluster: string; runs: number }>> {
    if (this.empty) return [];
    const r = await this.withClient('listing clusters', (c) => c.query('SELECT cluster, count(*)::int AS runs FROM ztaudit_runs GROUP BY cluster ORDER BY cluster'));
    return r.rows.map((row: Row) => ({ cluster: String(row.cluster), runs: Number(row.runs) }));
  }

  /** Every run, oldest first, for `history export`: ids only, in pages. */
  async *runIds(): AsyncGenerator<string> {
    if (this.empty) return;
    let after = '0';
    for (;;) {
      const r = await this.withClient('listing runs', (c) => c.query('SELECT seq, id FROM ztaudit_runs WHERE seq > $1 ORDER BY seq LIMIT 500', [after]));
      if (r.rows.length === 0) return;
      for (const row of r.rows as Row[]) yield String(row.id);
      after = String((r.rows[r.rows.length - 1] as Row).seq);
    }
  }

  async fleet(q: FleetQuery, onUnreadable?: (error: UnreadableRunError) => void): Promise<FleetData> {
    const base = { store: this.where, generatedAt: q.now.toISOString(), sinceHours: q.sinceHours, minClusters: q.minClusters };
    if (this.empty) return { ...base, clusters: [], regressions: [], regressionRuns: [], common: [], waivers: [], unreadable: [] };
    return this.withClient('reading the fleet', async (c) => {
      // One read-only snapshot; memory for the hash aggregates, no JIT (it costs more than it saves here).
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const data = await this.readFleet(c, q, base, onUnreadable);
        await c.query('COMMIT');
        return data;
      } catch (error: unknown) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async readFleet(c: pg.Client, q: FleetQuery, base: Pick<FleetData, 'store' | 'generatedAt' | 'sinceHours' | 'minClusters'>, onUnreadable?: (error: UnreadableRunError) => void): Promise<FleetData> {
    await c.query(`SET LOCAL work_mem = '64MB'`);
    await c.query('SET LOCAL jit = off');
    {
      // A cluster is its name in NFC (clusterNameOf): runs stored under another spelling of it are
      // its runs. The stored names, each with its count, then grouped here; `spelling`/`named` map
      // each stored name to its cluster for the queries below (MAPPED joins them).
      const stored = await c.query('SELECT cluster, count(*)::int AS runs FROM ztaudit_runs GROUP BY cluster');
      const groups = new Map<string, { names: string[]; runs: number }>();
      const spelling: string[] = [], named: string[] = [];
      for (const row of stored.rows as Row[]) {
        const name = String(row.cluster), cluster = clusterNameOf(name);
        let g = groups.get(cluster);
        if (!g) groups.set(cluster, (g = { names: [], runs: 0 }));
        g.names.push(name);
        g.runs += Number(row.runs);
        spelling.push(name);
        named.push(cluster);
      }
      const MAPPED = (first: number) => `unnest($${first}::text[], $${first + 1}::text[]) AS m(spelling, cluster)`;
      /** A summary under its cluster's NFC name, as the other stores' fleet shows it. */
      const asNamed = (s: RunSummary | null): RunSummary | null => (s && s.cluster !== clusterNameOf(s.cluster) ? { ...s, cluster: clusterNameOf(s.cluster) } : s);
      // Each cluster's runs through the (cluster, seq) index: the newest trendPoints of each, numbered newest first.
      const runs = await c.query(
        `SELECT cl.cluster, t.seq, t.id, t.summary, t.started_at, t.rn FROM
           (SELECT DISTINCT cluster FROM unnest($3::text[]) AS cluster) cl
           CROSS JOIN LATERAL (
             SELECT seq, id, summary, started_at, row_number() OVER () AS rn FROM (
               SELECT seq, id, summary, ${STARTED_AT_TEXT} AS started_at FROM ztaudit_runs r
               WHERE r.cluster IN (SELECT m.spelling FROM ${MAPPED(2)} WHERE m.cluster = cl.cluster) ORDER BY seq DESC LIMIT $1) x) t
         ORDER BY cl.cluster, t.rn`, [Math.max(2, q.trendPoints), spelling, named]);
      const byCluster = new Map<string, { runs: number; read: number; oldestSeq: string; summaries: RunSummary[]; newest: { runId: string; startedAt: string | null } | null }>();
      for (const row of runs.rows as Row[]) {
        const name = String(row.cluster);
        let entry = byCluster.get(name);
        if (!entry) byCluster.set(name, (entry = { runs: groups.get(name)?.runs ?? 0, read: 0, oldestSeq: '', summaries: [], newest: null }));
        entry.read++;
        entry.oldestSeq = String(row.seq);
        // A run whose summary cannot be read is passed over, named; the newest one makes the cluster's state unknown (FleetUnreadable).
        const summary = asNamed(this.summaryOrNull(row, onUnreadable));
        if (summary) entry.summaries.push(summary);
        else if (Number(row.rn) === 1) entry.newest = { runId: String(row.id), startedAt: typeof row.started_at === 'string' ? row.started_at : null };
      }
      // A cluster none of whose newest runs can be read is shown by an older one that can, as the
      // other stores show it (they read every run): looked for page by page, newest first, through
      // the (cluster, seq) index, at most FLEET_LOOKBACK runs in all. Only such clusters pay for it.
      for (const [cluster, e] of byCluster) {
        while (e.summaries.length === 0 && e.read < e.runs && e.read < FLEET_LOOKBACK) {
          const more = await c.query(
            `SELECT seq, id, summary FROM ztaudit_runs WHERE cluster = ANY($1::text[]) AND seq < $2 ORDER BY seq DESC LIMIT $3`,
            [groups.get(cluster)?.names ?? [cluster], e.oldestSeq, Math.min(LOOKBACK_PAGE, FLEET_LOOKBACK - e.read)]);
          if (more.rows.length === 0) break;
          for (const row of more.rows as Row[]) {
            e.read++;
            e.oldestSeq = String(row.seq);
            const summary = asNamed(this.summaryOrNull(row, onUnreadable));
            if (summary) e.summaries.push(summary);
          }
        }
      }
      // `searched`: how many of its runs were looked at, when fewer than it has and none could be read.
      const unreadable: FleetUnreadable[] = [...byCluster].flatMap(([cluster, e]) => e.newest
        ? [{ cluster, ...e.newest, shownBy: e.summaries[0]?.id ?? null, ...(e.summaries.length === 0 && e.read < e.runs ? { searched: e.read } : {}) }] : []);
      const clusters: FleetCluster[] = [...byCluster].filter(([, e]) => e.summaries.length > 0).map(([cluster, e]) => ({
        cluster, runs: e.runs, latest: e.summaries[0], previous: e.summaries[1] ?? null,
        trend: e.summaries.slice(0, q.trendPoints).reverse().map(trendPointOf),
      }));
      const since = new Date(q.now.getTime() - q.sinceHours * 3_600_000).toISOString();
      // Not of a cluster whose newest run cannot be read: an older run's regression is not its state
      // now (FleetUnreadable), left out as its scores are (as fleetDataOf leaves it out of the other stores').
      // The newest REGRESSIONS_PER_CLUSTER of each cluster (a window over the cluster's regressions of
      // the window, https://www.postgresql.org/docs/current/tutorial-window.html), each row with the
      // cluster's count of them all: one cluster's flood crowds no other's regression out.
      const reg = await c.query(
        `SELECT id, cluster, summary, regression_reasons, runs FROM (
           SELECT r.id, m.cluster, r.seq, r.summary, r.regression_reasons, row_number() OVER w AS rn, count(*) OVER (PARTITION BY m.cluster)::int AS runs
           FROM ztaudit_runs r JOIN ${MAPPED(4)} ON m.spelling = r.cluster WHERE r.started_at >= $1 AND r.regression AND m.cluster <> ALL($2::text[])
           WINDOW w AS (PARTITION BY m.cluster ORDER BY r.seq DESC)) x
         WHERE rn <= $3 ORDER BY seq DESC`,
        [since, unreadable.map((u) => u.cluster), REGRESSIONS_PER_CLUSTER, spelling, named]);
      const regressionRuns = new Map<string, number>();
      for (const row of reg.rows as Row[]) regressionRuns.set(String(row.cluster), Number(row.runs));
      const regressions: FleetRegression[] = (reg.rows as Row[]).flatMap((row) => {
        const run = asNamed(this.summaryOrNull(row, onUnreadable));
        return run ? [{ run, reasons: Array.isArray(row.regression_reasons) ? row.regression_reasons as string[] : [] }] : [];
      });
      // The latest runs whose findings and waivers the fleet weighs: not a cluster's whose newest run
      // cannot be read (FleetUnreadable), shown by an older run that is not its state now (as fleetDataOf
      // leaves it out of the other stores' common findings and waivers).
      const currentIds = clusters.filter((cl) => !byCluster.get(cl.cluster)?.newest).map((cl) => cl.latest.id);
      // The checks each latest run could not evaluate, from the run that last did (as fleetDataOf
      // reads them from the other stores): a walk over that cluster's summaries, then one query
      // for all their findings' counts.
      // Which of them the latest run's waivers waive is decided as its report decides it (carriedWaived).
      const pairs: { runs: string[]; checks: string[]; at: string[]; decided: boolean[] } = { runs: [], checks: [], at: [], decided: [] };
      const waived: { runs: string[]; fingerprints: string[] } = { runs: [], fingerprints: [] };
      const carriedOf = new Map<string, FleetCarried[]>();
      for (const cl of clusters) {
        const from = await carriedRunsOf(c, groups.get(cl.cluster)?.names ?? [cl.cluster], cl.latest, (row) => this.summaryOrNull(row, onUnreadable ?? (() => {})));
        if (from.size === 0) continue;
        const decided = await carriedWaived(c, this.where, cl.latest.id, cl.latest.startedAt, from, onUnreadable ?? (() => {}));
        for (const [runId, fingerprints] of decided) for (const fp of fingerprints) { waived.runs.push(runId); waived.fingerprints.push(fp); }
        carriedOf.set(cl.cluster, [...from].map(([runId, { startedAt, checks }]) => {
          for (const id of checks) { pairs.runs.push(runId); pairs.checks.push(id); pairs.at.push(cl.latest.startedAt); pairs.decided.push(decided.has(runId)); }
          return { runId, startedAt, checks, findings: Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number> };
        }));
      }
      if (pairs.runs.length > 0) {
        const counts = await c.query(
          `SELECT s.id, f.severity, count(*)::int AS n
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::boolean[]) AS s(id, check_id, at, decided)
           JOIN ztaudit_runs r ON r.id = s.id JOIN ztaudit_findings f ON f.run_seq = r.seq AND f.check_id = s.check_id
           WHERE ${CARRIED_OPEN('f', 's', 5, 6)} GROUP BY s.id, f.severity`, [pairs.runs, pairs.checks, pairs.at, pairs.decided, waived.runs, waived.fingerprints]);
        const byRun = new Map([...carriedOf.values()].flat().map((k) => [k.runId, k]));
        for (const row of counts.rows as Row[]) {
          const k = byRun.get(String(row.id));
          if (k && (SEVERITIES as readonly string[]).includes(String(row.severity))) k.findings[row.severity as Severity] += Number(row.n);
        }
        for (const cl of clusters) {
          const carried = carriedOf.get(cl.cluster);
          if (carried) cl.carried = carried;
        }
      }
      // Findings common to many clusters' latest runs: hash-aggregate (shape, cluster) first,
      // keep the top groups, and only then collect their cluster names (a sort-based
      // GROUP BY with DISTINCT aggregates over the ~400,000 findings of 200 clusters took
      // four times longer). The shape is the one stored with each finding (resourceShape at save).
      // A run stored by a version before the rule kept to Kubernetes' generated-name alphabet holds
      // the older, coarser shapes (mysql8 and redis7 both `*`; one stored before the digitless five-character
      // suffix rule keeps build-xkzpq unshaped) until its cluster's next run: computing
      // the shape here with a regular expression instead cost 4-5 s over the 400,000 findings of
      // 200 clusters (bench/fleet.ts), against 0.8 s for the whole aggregate.
      const common = await c.query(
        `WITH latest AS (SELECT r.seq, m.cluster FROM ztaudit_runs r JOIN ${MAPPED(11)} ON m.spelling = r.cluster WHERE r.id = ANY($1::text[])),
         carried AS (
           SELECT r.seq, m.cluster, s.id, s.check_id, s.at, s.decided FROM unnest($5::text[], $6::text[], $7::timestamptz[], $8::boolean[]) AS s(id, check_id, at, decided) JOIN ztaudit_runs r ON r.id = s.id
           JOIN ${MAPPED(11)} ON m.spelling = r.cluster
           WHERE m.cluster IN (SELECT cluster FROM latest)),
         found AS (
           SELECT f.check_id, f.kind, f.namespace, COALESCE(f.shape, f.name) AS shape, f.severity, NOT f.waived AS open, l.cluster FROM latest l JOIN ztaudit_findings f ON f.run_seq = l.seq
           UNION ALL
           SELECT f.check_id, f.kind, f.namespace, COALESCE(f.shape, f.name) AS shape, f.severity, ${CARRIED_OPEN('f', 'k', 9, 10)} AS open, k.cluster FROM carried k JOIN ztaudit_findings f ON f.run_seq = k.seq AND f.check_id = k.check_id),
         per AS (
           SELECT f.check_id, f.kind, f.namespace, f.shape, f.cluster,
                  min(array_position($2::text[], f.severity)) AS sev, count(*) AS n
           FROM found f
           WHERE f.open
           GROUP BY 1, 2, 3, 4, 5),
         grp AS (
           SELECT check_id, kind, namespace, shape, min(sev) AS sev, count(*) AS clusters, sum(n) AS findings
           FROM per GROUP BY 1, 2, 3, 4 HAVING count(*) >= $3
           ORDER BY clusters DESC, sev, findings DESC, check_id COLLATE "C", kind COLLATE "C", namespace COLLATE "C", shape COLLATE "C"
           LIMIT $4)
         SELECT g.check_id, g.kind, g.namespace, g.shape, g.sev, g.clusters::int AS clusters, g.findings::int AS findings,
                (array_agg(p.cluster ORDER BY p.cluster COLLATE "C"))[1:20] AS names
         FROM grp g JOIN per p ON p.check_id = g.check_id AND p.kind = g.kind AND p.namespace = g.namespace AND p.shape = g.shape
         GROUP BY g.check_id, g.kind, g.namespace, g.shape, g.sev, g.clusters, g.findings`,
        [currentIds, SEVERITIES as unknown as string[], q.minClusters, q.maxCommon, pairs.runs, pairs.checks, pairs.at, pairs.decided, waived.runs, waived.fingerprints, spelling, named]);
      const commonRows: FleetCommonFinding[] = common.rows.map((row: Row) => ({
        check: String(row.check_id), severity: SEVERITIES[Number(row.sev) - 1] as Severity, kind: String(row.kind), namespace: String(row.namespace),
        shape: String(row.shape), clusters: Number(row.clusters), clusterNames: row.names as string[], findings: Number(row.findings),
      }));
      // The waivers whose expiry moves with time (TIMED_STATES): fleetDataOf (src/fleet/data.ts)
      // restates them at q.now with the run's own rule and keeps those expiring soon or expired.
      const w = await c.query(
        `SELECT cluster, id, w FROM ztaudit_runs, jsonb_array_elements(waivers) AS w
         WHERE id = ANY($1::text[]) AND w->>'state' IN ('active', 'expiring-soon', 'expired', 'not-evaluated') AND (w->>'notApplicable') IS DISTINCT FROM 'true'
         ORDER BY w->>'expires', cluster`, [currentIds]);
      const waivers: FleetWaiver[] = w.rows.map((row: Row) => ({ cluster: clusterNameOf(String(row.cluster)), runId: String(row.id), waiver: row.w as FleetWaiver['waiver'] }));
      return { ...base, clusters, regressions, regressionRuns: [...regressionRuns].map(([cluster, runs]) => ({ cluster, runs })), common: commonRows, waivers, unreadable };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.release();
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
