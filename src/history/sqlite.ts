// The default run store: one SQLite file through Node's built-in node:sqlite (no native
// build). WAL journal, one transaction per save (a run is stored whole or not at all, even
// when the process is killed mid-write), schema migrations recorded in schema_version.
//
// A file this version cannot use (not SQLite, corrupt, or written by a newer ztaudit) is
// refused before anything opens it for writing: it is validated through an immutable,
// read-only connection first, so the file stays byte-for-byte as it was.
//
// Exclusive runs: acquire() takes an exclusive SQLite lock on the side file `<db>.lock` and
// keeps it until release(). That is an OS file lock, which the kernel drops when the
// holding process dies: a crashed or killed run never leaves a stale lock behind, and no
// pid guessing is needed (it also works across pods sharing a volume, as far as the
// filesystem honours POSIX locks; NFS may not). Who holds it (pid, host, since) is written
// to the run_lock table so the refused run can say so.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { randomUUID } from 'node:crypto';
import { makeDirectories } from '../base/directories.ts';
import { parseGzipJson, parseStoredRun, storedBlob } from './gzip-json.ts';
import type { Config } from '../config/types.ts';
import { HistoryError, UnreadableRunError, errorMessage } from '../base/errors.ts';
import { clusterNameOf } from '../base/plain-text.ts';
import type { TrendPoint } from '../run/types.ts';
import type { NotificationOutcome, RunReport, SaveOptions, StoredRunRead, WrittenReport } from '../run/types.ts';
import { NO_RUNS, NoneStore, diffedAgainst, keptBaselineRunIds, keptByRetention, listSummaries, refusedMessage, asStoredReport, storedSummary, retentionCutoff, summarizeRun, trendPointOf, withRecordedNotifications, type ClusterRuns, type LockHolder, type RunStore } from './run-store.ts';
import type { RunSummary } from '../run/types.ts';

/**
 * A list in a run's summary as JSON text; NULL when the summary is not JSON or the member is not a
 * list. SQLite's json_extract throws on a JSON argument that is not well-formed
 * (https://sqlite.org/json1.html, "JSON arguments"), failing the whole statement on one damaged
 * summary (a hand edit, a damaged row): guarded by json_valid, such a run reads as a summary
 * without it, and only what reads the summary itself (storedSummary) says it is unreadable.
 */
const summaryList = (member: string) => `CASE WHEN json_valid(summary) THEN CASE WHEN json_type(summary, '$.${member}') = 'array' THEN json_extract(summary, '$.${member}') END END`;

/** The columns a stored run is read from: its report and the notification outcomes recorded after it was stored. */
/** A summary member that is a JSON object (its text), else NULL. */
const summaryRecord = (member: string) => `CASE WHEN json_valid(summary) THEN CASE WHEN json_type(summary, '$.${member}') = 'object' THEN json_extract(summary, '$.${member}') END END`;
const RUN_COLUMNS = `id, report, ${summaryList('notifications')} AS notifications`;

/**
 * SQL function: a stored cluster name in NFC (clusterNameOf). Every read and retention matches a
 * cluster by it, so runs stored under another spelling of the name (before --cluster and
 * cluster.name were kept in NFC) are the same cluster's; the rows keep the name they were stored
 * with, and `history forget` removes a spelling exactly. Registered on the connection, never in
 * the schema: an older ztaudit still opens the file.
 */
const CLUSTER_NFC = 'ztaudit_cluster_nfc';
const SAME_CLUSTER = `${CLUSTER_NFC}(cluster) = ?`;

/** Migrations, in order: MIGRATIONS[i] takes the schema from version i to i + 1. */
const MIGRATIONS: string[] = [
  `CREATE TABLE runs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     started_at TEXT NOT NULL,
     cluster TEXT NOT NULL,
     summary TEXT NOT NULL,
     report BLOB NOT NULL
   );
   CREATE INDEX runs_by_start ON runs (started_at, seq);
   CREATE TABLE run_lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     since TEXT NOT NULL,
     token TEXT NOT NULL
   );`,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export interface SqliteStoreOptions {
  retention: Config['history']['retention'];
  now: () => Date;
  readOnly: boolean;
}

type Row = Record<string, unknown>;

function unusable(path: string, why: string): HistoryError {
  return new HistoryError(`history database ${path} cannot be used: ${why}; it was left untouched (move it aside or pass --history with another path)`);
}

/** Reads the schema version without writing anything; throws on a file ztaudit cannot use. */
function inspect(path: string, immutable: boolean): number {
  const url = pathToFileURL(path);
  if (immutable) url.searchParams.set('immutable', '1');
  const db = new DatabaseSync(url, { readOnly: true });
  try {
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Row[]).map((r) => String(r.name)));
    const check = db.prepare('PRAGMA quick_check(1)').get() as Row | undefined;
    if (!check || check.quick_check !== 'ok') throw new Error(`integrity check failed: ${String(check?.quick_check ?? 'no answer')}`);
    if (!tables.has('schema_version')) {
      const foreign = [...tables].filter((t) => !t.startsWith('sqlite_'));
      if (foreign.length > 0) throw new Error(`not a ztaudit history (it has tables ${foreign.slice(0, 5).join(', ')})`);
      return 0;
    }
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as Row | undefined;
    const version = Number(row?.v ?? 0);
    if (!Number.isInteger(version) || version < 0) throw new Error('its schema_version is not a number');
    return version;
  } finally {
    db.close();
  }
}

function schemaVersionOf(path: string): number {
  let first: unknown;
  try {
    return inspect(path, true);
  } catch (error: unknown) {
    first = error;
  }
  // An immutable read can see a torn page while another process checkpoints; a normal
  // read-only connection takes the proper locks (it may add -wal/-shm side files, never
  // touches the database file itself).
  try {
    return inspect(path, false);
  } catch {
    throw unusable(path, errorMessage(first));
  }
}

export async function openSqliteStore(path: string, options: SqliteStoreOptions): Promise<RunStore> {
  const exists = existsSync(path);
  if (!exists && options.readOnly) return new EmptySqliteStore(path);
  if (exists) {
    const version = schemaVersionOf(path);
    if (version > SQLITE_SCHEMA_VERSION) {
      throw unusable(path, `it was written by a newer ztaudit (schema ${version}; this one understands up to ${SQLITE_SCHEMA_VERSION}) — upgrade ztaudit`);
    }
    // An older schema is migrated even by read-only commands: keeping readers for every old
    // schema would cost more than one forward migration.
  } else {
    try {
      makeDirectories(dirname(path));
    } catch (error: unknown) {
      throw new HistoryError(`cannot create the history directory ${dirname(path)}: ${errorMessage(error)}`);
    }
  }
  return new SqliteRunStore(path, openWritable(path), options);
}

function openWritable(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 15_000 });
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.function(CLUSTER_NFC, { deterministic: true }, (name) => (typeof name === 'string' ? clusterNameOf(name) : name));
  } catch (error: unknown) {
    throw new HistoryError(`cannot open history database ${path}: ${errorMessage(error)}`);
  }
  try {
    migrate(db, path);
  } catch (error: unknown) {
    db.close();
    if (error instanceof HistoryError) throw error;
    throw new HistoryError(`cannot migrate history database ${path}: ${errorMessage(error)}`);
  }
  return db;
}

function migrate(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as Row | undefined;
    const current = Number(row?.v ?? 0);
    if (current > SQLITE_SCHEMA_VERSION) throw unusable(path, `it was written by a newer ztaudit (schema ${current})`);
    for (let v = current; v < SQLITE_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    }
    db.exec('COMMIT');
  } catch (error: unknown) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && (('errcode' in error && ((error as { errcode: number }).errcode & 0xff) === 5) || /database is locked/.test(error.message));
}

class SqliteRunStore implements RunStore {
  private readonly path: string;
  private readonly db: DatabaseSync;
  private readonly options: SqliteStoreOptions;
  private lock: { db: DatabaseSync; token: string } | null = null;
  private closed = false;

  constructor(path: string, db: DatabaseSync, options: SqliteStoreOptions) {
    this.path = path;
    this.db = db;
    this.options = options;
  }

  describe(): string { return this.path; }

  async acquire(): Promise<void> {
    if (this.lock) throw new HistoryError(`${this.path} is already held by this run`);
    const lockDb = new DatabaseSync(`${this.path}.lock`, { timeout: 0 });
    try {
      lockDb.exec('PRAGMA journal_mode = MEMORY');
      lockDb.exec('BEGIN EXCLUSIVE');
    } catch (error: unknown) {
      lockDb.close();
      if (isBusy(error)) throw new HistoryError(refusedMessage(this.path, this.holder()));
      throw new HistoryError(`cannot lock ${this.path}.lock: ${errorMessage(error)}`);
    }
    const token = randomUUID();
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: this.options.now().toISOString() };
    try {
      this.db.prepare('INSERT OR REPLACE INTO run_lock (id, pid, host, since, token) VALUES (1, ?, ?, ?, ?)').run(holder.pid, holder.host, holder.since, token);
    } catch (error: unknown) {
      lockDb.exec('ROLLBACK');
      lockDb.close();
      throw new HistoryError(`cannot record the lock holder in ${this.path}: ${errorMessage(error)}`);
    }
    this.lock = { db: lockDb, token };
  }

  async release(): Promise<void> {
    const lock = this.lock;
    if (!lock) return;
    this.lock = null;
    try {
      this.db.prepare('DELETE FROM run_lock WHERE token = ?').run(lock.token);
    } finally {
      try { lock.db.exec('ROLLBACK'); } catch { /* the lock goes with the connection anyway */ }
      lock.db.close();
    }
  }

  async mark(): Promise<string> {
    // AUTOINCREMENT: a seq is never handed out twice, not even after its run was evicted.
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM runs').get() as Row | undefined;
    return String(row?.seq ?? 0);
  }

  async storedSince(mark: string, cluster?: string): Promise<{ id: string; startedAt: string } | null> {
    const row = (cluster === undefined
      ? this.db.prepare('SELECT id, started_at FROM runs WHERE seq > ? ORDER BY started_at DESC, seq DESC LIMIT 1').get(Number(mark))
      : this.db.prepare(`SELECT id, started_at FROM runs WHERE seq > ? AND ${SAME_CLUSTER} ORDER BY started_at DESC, seq DESC LIMIT 1`).get(Number(mark), clusterNameOf(cluster))) as Row | undefined;
    return row ? { id: String(row.id), startedAt: String(row.started_at) } : null;
  }

  private holder(): LockHolder | null {
    try {
      const row = this.db.prepare('SELECT pid, host, since FROM run_lock WHERE id = 1').get() as Row | undefined;
      return row ? { pid: Number(row.pid), host: String(row.host), since: String(row.since) } : null;
    } catch {
      return null;
    }
  }

  async latest(cluster?: string): Promise<RunReport | null> {
    return (await this.before(Number.MAX_SAFE_INTEGER, cluster))?.report ?? null;
  }

  /** The newest run inserted before `seq` (insertion order: the clock may have jumped). */
  private async before(seq: number, cluster?: string, spooled?: StoredRunRead): Promise<{ seq: number; report: RunReport } | null> {
    const row = this.rowBefore(seq, cluster);
    return row ? { seq: Number(row.seq), report: await this.decode(row, spooled) } : null;
  }

  private rowBefore(seq: number, cluster?: string): Row | undefined {
    return (cluster === undefined
      ? this.db.prepare(`SELECT seq, ${RUN_COLUMNS} FROM runs WHERE seq < ? ORDER BY seq DESC LIMIT 1`).get(seq)
      : this.db.prepare(`SELECT seq, ${RUN_COLUMNS} FROM runs WHERE seq < ? AND ${SAME_CLUSTER} ORDER BY seq DESC LIMIT 1`).get(seq, clusterNameOf(cluster))) as Row | undefined;
  }

  async *runsNewestFirst(cluster?: string, read: StoredRunRead = {}): AsyncIterable<RunReport> {
    let seq = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const wanted = read.wants ? this.wantedBefore(seq, cluster, read.wants) : seq;
      if (wanted === null) return;
      const row = this.rowBefore(wanted, cluster);
      if (!row) return;
      seq = Number(row.seq);
      let report: RunReport;
      try {
        report = await this.decode(row, read);
      } catch (error: unknown) {
        if (!(error instanceof UnreadableRunError) || !read.onUnreadable) throw error;
        error.summary = this.summaryAt(seq);
        read.onUnreadable(error);
        continue;
      }
      yield report;
    }
  }

  /**
   * Just above the seq of the newest run before `seq` that `wants` wants, judged by summary
   * alone (no report is read for the runs passed over); null when there is none.
   */
  private wantedBefore(seq: number, cluster: string | undefined, wants: NonNullable<StoredRunRead['wants']>): number | null {
    // A summary that cannot be read lists no blind checks: the run is wanted and its report read.
    const columns = `seq, id, ${summaryList('blind')} AS blind, ${summaryList('notApplicable')} AS na, ${summaryRecord('unjudgedNamespaces')} AS unjudged`;
    const rows = (cluster === undefined
      ? this.db.prepare(`SELECT ${columns} FROM runs WHERE seq < ? ORDER BY seq DESC`).iterate(seq)
      : this.db.prepare(`SELECT ${columns} FROM runs WHERE seq < ? AND ${SAME_CLUSTER} ORDER BY seq DESC`).iterate(seq, clusterNameOf(cluster))) as Iterable<Row>;
    for (const row of rows) {
      const list = (v: unknown) => (typeof v === 'string' ? { value: JSON.parse(v) as string[] } : null);
      const blind = list(row.blind);
      const na = list(row.na);
      if (wants({ id: String(row.id), ...(blind ? { blind: blind.value } : {}), ...(na ? { notApplicable: na.value } : {}), ...(typeof row.unjudged === 'string' ? { unjudgedNamespaces: JSON.parse(row.unjudged) as Record<string, string[]> } : {}) })) return Number(row.seq) + 1;
    }
    return null;
  }

  /** The stored summary of the run at `seq` (of a run whose report cannot be read); undefined when it cannot be read either. */
  private summaryAt(seq: number): RunSummary | undefined {
    try {
      const row = this.db.prepare('SELECT id, summary FROM runs WHERE seq = ?').get(seq) as Row | undefined;
      return row ? this.summaryOf(row) : undefined;
    } catch {
      return undefined;
    }
  }

  async get(id: string): Promise<RunReport | null> {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as Row | undefined;
    return row ? await this.decode(row) : null;
  }

  async has(id: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  async list(limit: number, onUnreadable?: (error: UnreadableRunError, place: number) => void, before?: string): Promise<RunSummary[]> {
    const n = Math.max(0, Math.floor(limit));
    // `seq < NULL` holds for no row: a `before` that is not stored lists nothing.
    const rows = (before === undefined
      ? this.db.prepare('SELECT id, cluster, started_at, summary FROM runs ORDER BY seq DESC LIMIT ?').all(n)
      : this.db.prepare('SELECT id, cluster, started_at, summary FROM runs WHERE seq < (SELECT seq FROM runs WHERE id = ?) ORDER BY seq DESC LIMIT ?').all(before, n)) as Row[];
    // Its own columns still say when it started and of which cluster it is.
    return listSummaries(rows, (row) => this.summaryOf(row), (row) => ({ cluster: row.cluster, startedAt: row.started_at }), onUnreadable);
  }

  /** A row's stored summary (its id and summary columns); UnreadableRunError when it cannot be read. */
  private summaryOf(row: Row): RunSummary {
    return storedSummary(row.summary, String(row.id), this.path, 'runs.summary', true);
  }

  async trend(limit: number, cluster?: string, upTo?: string): Promise<TrendPoint[]> {
    // One store may hold several clusters' runs: a trend is one cluster's.
    // Only that cluster's newest `limit` summaries are read (not every stored run's: serve --watch
    // asks for the trend on every run it stores).
    const where = [...(cluster === undefined ? [] : [SAME_CLUSTER]), ...(upTo === undefined ? [] : ['started_at <= ?'])];
    const params = [...(cluster === undefined ? [] : [clusterNameOf(cluster)]), ...(upTo === undefined ? [] : [upTo]), Math.max(0, Math.floor(limit))];
    const rows = this.db.prepare(`SELECT id, summary FROM runs ${where.length ? `WHERE ${where.join(' AND ')} ` : ''}ORDER BY seq DESC LIMIT ?`).all(...params) as Row[];
    // A run whose summary cannot be read has no point to draw (`history` and `fleet` name it).
    const runs = rows.flatMap((r) => { try { return [this.summaryOf(r)]; } catch { return []; } }).filter((r) => cluster === undefined || clusterNameOf(r.cluster) === clusterNameOf(cluster));
    return runs.reverse().map(trendPointOf);
  }

  async save(report: RunReport, written?: WrittenReport, options: SaveOptions = {}): Promise<void> {
    if (!this.lock) {
      // A lone save (tests, tools) still must not interleave with a run.
      await this.acquire();
      try {
        return await this.save(report, written, options);
      } finally {
        await this.release();
      }
    }
    const summary = JSON.stringify(summarizeRun(report, options.notifications));
    const blob = await storedBlob(report, written);
    const { maxRuns } = this.options.retention;
    const cutoff = retentionCutoff(this.options.retention, this.options.now());
    const cluster = report.run.cluster?.name ?? '';
    const same = clusterNameOf(cluster);
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.prepare('INSERT INTO runs (id, started_at, cluster, summary, report) VALUES (?, ?, ?, ?, ?)')
        .run(report.run.id, report.run.startedAt, cluster, summary, blob);
      // Per cluster, as in PostgreSQL: a cluster audited every few minutes must not evict
      // another cluster's only baseline. By insertion order, so the run just stored (the
      // highest seq) always stays, even when older runs carry later timestamps (a clock that
      // was ahead and got corrected). Of the cluster in every spelling of its name (SAME_CLUSTER), as its
      // diff reads them. The runs a diff from any kept run takes a check from stay
      // too (keptBaselineRunIds), and those this one was diffed against (diff --last).
      const kept = keptBaselineRunIds(this.summariesNewestFirst(same), (run, place) => keptByRetention(maxRuns, cutoff, place, run.startedAt), maxRuns > 0 ? maxRuns : Infinity);
      const keep = JSON.stringify([...kept, ...diffedAgainst(report)]);
      if (maxRuns > 0) {
        db.prepare(`DELETE FROM runs WHERE ${SAME_CLUSTER} AND seq NOT IN (SELECT seq FROM runs WHERE ${SAME_CLUSTER} ORDER BY seq DESC LIMIT ?)
                    AND id NOT IN (SELECT value FROM json_each(?))`).run(same, same, maxRuns, keep);
      }
      if (cutoff) db.prepare(`DELETE FROM runs WHERE ${SAME_CLUSTER} AND started_at < ? AND id <> ? AND id NOT IN (SELECT value FROM json_each(?))`).run(same, cutoff, report.run.id, keep);
      db.exec('COMMIT');
    } catch (error: unknown) {
      db.exec('ROLLBACK');
      if (error instanceof Error && /UNIQUE constraint failed/.test(error.message)) {
        throw new HistoryError(`a run with id ${report.run.id} is already stored in ${this.path}`);
      }
      throw new HistoryError(`cannot store run ${report.run.id} in ${this.path}: ${errorMessage(error)}`);
    }
  }

  async recordNotifications(id: string, outcomes: NotificationOutcome[]): Promise<void> {
    let changes: number;
    try {
      // In the summary, read with every run: no schema change, so an older ztaudit still opens the file.
      changes = Number(this.db.prepare(`UPDATE runs SET summary = json_set(summary, '$.notifications', json(?)) WHERE id = ?`).run(JSON.stringify(outcomes), id).changes);
    } catch (error: unknown) {
      throw new HistoryError(`cannot record the notifications of run ${id} in ${this.path}: ${errorMessage(error)}`);
    }
    if (changes === 0) throw new HistoryError(`cannot record the notifications of run ${id} in ${this.path}: it is not stored there`);
  }

  async forget(cluster: string, remove: boolean): Promise<ClusterRuns> {
    if (!remove) return this.runsOf(cluster);
    if (!this.lock) {
      // As save(): never while a run holds the store.
      await this.acquire();
      try {
        return await this.forget(cluster, remove);
      } finally {
        await this.release();
      }
    }
    const db = this.db;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error: unknown) {
      throw new HistoryError(`cannot remove the runs of cluster ${JSON.stringify(cluster)} from ${this.path}: ${errorMessage(error)}`);
    }
    try {
      // A run is one row (its baseline role, waivers and notifications are in it): nothing else is kept per cluster.
      const runs = this.runsOf(cluster);
      db.prepare('DELETE FROM runs WHERE cluster = ?').run(cluster);
      db.exec('COMMIT');
      return runs;
    } catch (error: unknown) {
      db.exec('ROLLBACK');
      throw new HistoryError(`cannot remove the runs of cluster ${JSON.stringify(cluster)} from ${this.path}: ${errorMessage(error)}`);
    }
  }

  /** How many runs of exactly `cluster` are stored, and its first and last by insertion. */
  private runsOf(cluster: string): ClusterRuns {
    const count = Number((this.db.prepare('SELECT count(*) AS n FROM runs WHERE cluster = ?').get(cluster) as Row).n);
    if (count === 0) return NO_RUNS;
    const end = (order: 'ASC' | 'DESC') => {
      const row = this.db.prepare(`SELECT id, started_at FROM runs WHERE cluster = ? ORDER BY seq ${order} LIMIT 1`).get(cluster) as Row;
      return { id: String(row.id), startedAt: String(row.started_at) };
    };
    return { runs: count, oldest: end('ASC'), newest: end('DESC') };
  }

  /** What retention needs of a cluster's summaries (`cluster`: its name in NFC, every spelling), read one row at a time. */
  private *summariesNewestFirst(cluster: string): Iterable<Pick<RunSummary, 'id' | 'startedAt' | 'blind' | 'notApplicable' | 'unjudgedNamespaces'>> {
    const rows = this.db.prepare(`SELECT id, started_at, ${summaryList('blind')} AS blind, ${summaryList('notApplicable')} AS na, ${summaryRecord('unjudgedNamespaces')} AS unjudged FROM runs WHERE ${SAME_CLUSTER} ORDER BY seq DESC`).iterate(cluster) as Iterable<Row>;
    for (const row of rows) {
      yield {
        id: String(row.id),
        startedAt: String(row.started_at),
        ...(typeof row.blind === 'string' ? { blind: JSON.parse(row.blind) as string[] } : {}),
        ...(typeof row.na === 'string' ? { notApplicable: JSON.parse(row.na) as string[] } : {}),
        ...(typeof row.unjudged === 'string' ? { unjudgedNamespaces: JSON.parse(row.unjudged) as Record<string, string[]> } : {}),
      };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.release();
    this.closed = true;
    this.db.close();
  }

  /** `spooled`: the findings' bulky fields in a temp file, those `bulkyOf` wants (parseStoredRun), for the run's diff. */
  private async decode(row: Row, spooled?: StoredRunRead): Promise<RunReport> {
    try {
      const bytes = row.report as Uint8Array;
      const report = asStoredReport(await (spooled ? parseStoredRun(bytes, spooled) : parseGzipJson(bytes)));
      return withRecordedNotifications(report, typeof row.notifications === 'string' ? JSON.parse(row.notifications) : undefined);
    } catch (error: unknown) {
      throw new UnreadableRunError(String(row.id), `stored run ${String(row.id)} in ${this.path} is unreadable: ${errorMessage(error)}`);
    }
  }
}

/** A history file that does not exist yet, opened by a read-only command: nothing stored. */
class EmptySqliteStore extends NoneStore {
  private readonly path: string;
  constructor(path: string) {
    super();
    this.path = path;
  }
  override describe(): string { return this.path; }
}
