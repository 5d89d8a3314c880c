// Where runs are kept between audits. Four backends behind one interface: a SQLite file
// (the default), ConfigMaps in the audited cluster (`k8s://NAMESPACE/NAME`), a PostgreSQL
// database shared by a fleet (`postgres://…`), or nothing.
// A run holds the store exclusively from acquire() to release(): a second concurrent run is
// refused with a HistoryError, never interleaved (PostgreSQL: per cluster; the others: the
// whole store). save() stores a run whole or not at all.
import { resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { HistoryError } from '../base/errors.ts';
import type { TrendPoint } from '../run/types.ts';
import type { RunReport } from '../run/types.ts';
import type { FleetData, FleetQuery } from '../run/fleet.ts';
import { readEnv } from '../config/env.ts';

export const DEFAULT_HISTORY = './.ztaudit/history.db';

/** One stored run as `ztaudit history` lists it. */
export interface RunSummary {
  id: string;
  startedAt: string;
  cluster: string;
  source: RunReport['run']['source'];
  score: RunReport['score'];
  /** Unwaived findings by severity. */
  findings: Record<Severity, number>;
  waived: number;
  /** null when the run had nothing to compare with. */
  regression: boolean | null;
  partial: boolean;
}

export interface RunStore {
  /** Human description for logs and messages, e.g. the file path or k8s://ns/name. */
  describe(): string;
  /**
   * Holds the store for a run of `cluster`; refuses (HistoryError) when another run holds it.
   * PostgreSQL locks per cluster; SQLite and k8s:// lock the whole store.
   */
  acquire(cluster?: string): Promise<void>;
  release(): Promise<void>;
  /** The newest stored run (of that cluster, when given), by insertion order. */
  latest(cluster?: string): Promise<RunReport | null>;
  /**
   * The stored runs (of that cluster, when given), newest first by insertion order — never
   * by their startedAt, which a corrected clock can put in the future. Each run is read only
   * when the caller asks for the next one: the diff walks back just far enough to find, for
   * every check, the last run in which it was evaluated (src/diff/baseline.ts), which is
   * usually the first run. A backend implements it as "read the newest run inserted before
   * the one returned last" (SQLite: `seq < ? ORDER BY seq DESC LIMIT 1`).
   */
  runsNewestFirst(cluster?: string): AsyncIterable<RunReport>;
  /**
   * Stores a run whole or not at all, then applies retention. Retention goes by insertion
   * order too, and never deletes the run it has just stored.
   */
  save(report: RunReport): Promise<void>;
  /** Newest first, by insertion order. */
  list(limit: number): Promise<RunSummary[]>;
  get(id: string): Promise<RunReport | null>;
  /** The last `limit` runs' scores, oldest first (for the report's trend chart). */
  trend(limit: number, cluster?: string): Promise<TrendPoint[]>;
  close(): Promise<void>;
  /** Stores that answer the fleet view in one query (PostgreSQL); others are read run by run. */
  fleet?(query: FleetQuery): Promise<FleetData>;
  /** Every stored run id, oldest first (export); others list() them. */
  runIds?(): AsyncGenerator<string>;
}

export interface OpenStoreDeps {
  kubeconfigPath?: string;
  context?: string;
  /** Retention applied on save (config.history.retention); default 90 runs / 180 days. */
  retention?: Config['history']['retention'];
  /** Base for a relative file path (the CLI's cwd). */
  cwd?: string;
  /** Read-only use (history, diff, report): a missing SQLite file is not created. */
  readOnly?: boolean;
  /** Environment for finding a kubeconfig (KUBECONFIG, HOME, in-cluster); default process.env. */
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** PostgreSQL: how long a lost connection is retried (config history.retrySeconds). */
  retryMs?: number;
}

export const DEFAULT_RETENTION: Config['history']['retention'] = { maxRuns: 90, maxAgeDays: 180 };

export type StoreLocation =
  | { kind: 'none' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'k8s'; namespace: string; name: string }
  | { kind: 'postgres'; url: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseStoreUrl(url: string | undefined, cwd: string): StoreLocation {
  const value = (url ?? '').trim() || DEFAULT_HISTORY;
  if (value === 'none') return { kind: 'none' };
  if (value.startsWith('k8s://')) {
    const parts = value.slice('k8s://'.length).split('/');
    const [namespace, name] = parts;
    if (parts.length !== 2 || !namespace || !name) throw new HistoryError(`--history ${value}: expected k8s://NAMESPACE/NAME`);
    if (namespace.length > 63 || !DNS_LABEL.test(namespace)) throw new HistoryError(`--history ${value}: "${namespace}" is not a valid namespace name`);
    // Run objects are named NAME-r<seq>-<chunk>; keep room for that suffix.
    if (name.length > 220 || !DNS_SUBDOMAIN.test(name)) throw new HistoryError(`--history ${value}: "${name}" is not a valid ConfigMap name (lowercase, digits, '-', '.', at most 220 characters)`);
    return { kind: 'k8s', namespace, name };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new HistoryError(`--history ${value.replace(/\/\/[^/@]*@/, '//…@')}: unknown scheme; use a file path, k8s://NAMESPACE/NAME, postgres://USER@HOST/DB or none`);
  return { kind: 'sqlite', path: resolve(cwd, value) };
}

export async function openRunStore(url: string, deps: OpenStoreDeps = {}): Promise<RunStore> {
  const location = parseStoreUrl(url, deps.cwd ?? process.cwd());
  const retention = deps.retention ?? DEFAULT_RETENTION;
  const now = deps.now ?? (() => new Date());
  switch (location.kind) {
    case 'none':
      return new NoneStore();
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite.ts');
      return openSqliteStore(location.path, { retention, now, readOnly: deps.readOnly ?? false });
    }
    case 'k8s': {
      const { openK8sStore } = await import('./k8s.ts');
      return openK8sStore(location.namespace, location.name, { kubeconfigPath: deps.kubeconfigPath, context: deps.context, env: deps.env, retention, now });
    }
    case 'postgres': {
      const { openPgStore } = await import('./postgres.ts');
      const env = readEnv(deps.env ?? {});
      return openPgStore(location.url, {
        retention, now, readOnly: deps.readOnly ?? false, credentials: env.postgres ?? {},
        ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
      });
    }
  }
}

/** `--history none`: keeps nothing, so every run is a first run. */
export class NoneStore implements RunStore {
  describe(): string { return 'none (history disabled)'; }
  async acquire(): Promise<void> {}
  async release(): Promise<void> {}
  async latest(): Promise<RunReport | null> { return null; }
  async *runsNewestFirst(): AsyncIterable<RunReport> {}
  async save(): Promise<void> {}
  async list(): Promise<RunSummary[]> { return []; }
  async get(): Promise<RunReport | null> { return null; }
  async trend(): Promise<TrendPoint[]> { return []; }
  async close(): Promise<void> {}
}

export function summarizeRun(report: RunReport): RunSummary {
  const findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let waived = 0;
  for (const f of report.findings) {
    if (f.waived) waived++;
    else if (f.severity in findings) findings[f.severity]++;
  }
  return {
    id: report.run.id,
    startedAt: report.run.startedAt,
    cluster: report.run.cluster?.name ?? '',
    source: report.run.source,
    score: report.score,
    findings,
    waived,
    regression: report.diff ? report.diff.regression : null,
    partial: report.diff?.partial ?? false,
  };
}

export function trendPointOf(summary: RunSummary): TrendPoint {
  return { id: summary.id, startedAt: summary.startedAt, overall: summary.score.overall, areas: summary.score.areas };
}

/** Age cut-off for retention; runs that started before it are dropped on save. */
export function retentionCutoff(retention: Config['history']['retention'], now: Date): string | null {
  if (!(retention.maxAgeDays > 0)) return null;
  return new Date(now.getTime() - retention.maxAgeDays * 86_400_000).toISOString();
}

/** Who holds a store: written by acquire(), shown to a refused run. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export function refusedMessage(store: string, holder: LockHolder | null): string {
  const who = holder ? ` since ${holder.since} (pid ${holder.pid} on ${holder.host})` : '';
  return `another ztaudit run holds ${store}${who}; wait for it to finish (runs are refused, never interleaved)`;
}
