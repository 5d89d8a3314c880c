// Where runs are kept between audits. Four backends behind one interface: a SQLite file
// (the default), ConfigMaps in the audited cluster (`k8s://NAMESPACE/NAME`), a PostgreSQL
// database shared by a fleet (`postgres://…`), or nothing.
// A run holds the store exclusively from acquire() to release(): a second concurrent run is
// refused with a HistoryError, never interleaved (PostgreSQL: per cluster; the others: the
// whole store). save() stores a run whole or not at all.
// The interface and the helpers the backends share are in run-store.ts.
import { resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import { ConfigError, HistoryError, redacted } from '../base/errors.ts';
import { readEnv } from '../config/env.ts';
import { NoneStore, type RunStore } from './run-store.ts';

export { NoneStore, refusedMessage, retentionCutoff, summarizeRun, trendPointOf, type LockHolder, type RunStore } from './run-store.ts';

export const DEFAULT_HISTORY = './.ztaudit/history.db';

/**
 * Where runs are kept: --history, else ZTAUDIT_HISTORY, else the default SQLite file. A variable
 * set but blank (an empty Secret key) is refused as an empty flag is: read as "the default", a pod
 * without a volume would start every run afresh and never alert on a regression.
 */
export function historyTarget(flag: string | undefined, fromEnv: string | undefined): string {
  if (flag !== undefined) return flag;
  if (fromEnv === undefined) return DEFAULT_HISTORY;
  if (!fromEnv.trim()) throw new ConfigError(`ZTAUDIT_HISTORY is set but blank: put the store in it (a file path, k8s://NAMESPACE/NAME or postgres://…), or unset it to use ${DEFAULT_HISTORY}`);
  return fromEnv;
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
  /** PostgreSQL: how long one query may take (default 300 s; the server cancels it a little earlier). */
  queryTimeoutMs?: number;
  /** k8s://: told once of each damaged entry of the index's runs list, which every read passes over. */
  warn?: (line: string) => void;
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
  // `sqlite:PATH` names the file PATH, as PHP's PDO (php.net/manual/en/ref.pdo-sqlite.connection.php:
  // "sqlite:/opt/databases/mydb.sq3"), JDBC (`jdbc:sqlite:`) and dbmate (`sqlite:db/database.sqlite3`)
  // read it. `sqlite://…` is refused: the slashes mean different paths to different tools
  // (SQLAlchemy's `sqlite:///x.db` is relative, Bun's `sqlite:///Users/…` absolute), and
  // `sqlite::memory:` keeps nothing. Either, taken as a path, made a directory named "sqlite:…".
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite:'.length);
    if (path.startsWith('//')) throw new HistoryError(redacted`--history ${value}: sqlite://… is ambiguous (tools read its slashes differently); give the file as sqlite:PATH or a plain path (sqlite:./h.db, /var/lib/ztaudit/h.db)`);
    if (path === '' || path === ':memory:') throw new HistoryError(`--history ${value}: name the SQLite file (sqlite:PATH or a plain path); an in-memory database keeps no runs, use --history none for that`);
    return { kind: 'sqlite', path: resolve(cwd, path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new HistoryError(redacted`--history ${value}: unknown scheme; use a file path, k8s://NAMESPACE/NAME, postgres://USER@HOST/DB or none`);
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
      return openK8sStore(location.namespace, location.name, { kubeconfigPath: deps.kubeconfigPath, context: deps.context, env: deps.env, retention, now, ...(deps.warn ? { warn: deps.warn } : {}) });
    }
    case 'postgres': {
      const { openPgStore } = await import('./postgres.ts');
      const env = readEnv(deps.env ?? {});
      return openPgStore(location.url, {
        retention, now, readOnly: deps.readOnly ?? false, credentials: env.postgres ?? {},
        ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
        ...(deps.queryTimeoutMs !== undefined ? { queryTimeoutMs: deps.queryTimeoutMs } : {}),
      });
    }
  }
}
