// `ztaudit history [--history URL] [--limit N] [--output table|json]`: the stored runs with
// their scores, newest first. Also the store-opening helper the diff and report commands share.
import { RUN_ID_RULE, isRunId } from '../run/run-id.ts';
import type { Command } from 'commander';
import { readEnv } from '../config/env.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { MAX_COLUMN, clusterNameOf, oneLine } from '../base/plain-text.ts';
import { ConfigError, HistoryError, UnreadableRunError } from '../base/errors.ts';
import { carriedOpenBySeverity } from '../schedule/metrics.ts';
import { historyTarget, openRunStore, type RunStore } from '../history/store.ts';
import { withPartial } from '../history/run-store.ts';
import type { ListedRunSummary } from '../report/run-list.ts';
import type { RunReport } from '../run/types.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';
import { resolve } from 'node:path';
import { choiceOption, defineCommand, runSpec } from './command.ts';

export interface StoreFlags {
  history?: string;
  kubeconfig?: string;
  context?: string;
}

/** How the history commands find the store, declared once. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--history <url>', 'the store: a SQLite file path (or sqlite:PATH), k8s://NAMESPACE/NAME, or postgres://USER@HOST/DB (default: ZTAUDIT_HISTORY, else ./.ztaudit/history.db)')
    .option('--kubeconfig <file>', 'kubeconfig for a k8s:// store (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context for a k8s:// store');
}

/**
 * --history, else ZTAUDIT_HISTORY, else ./.ztaudit/history.db; opened for reading only. What the
 * store passes over (a damaged k8s:// index entry) is a warning of `ztaudit COMMAND` on stderr.
 */
export async function openStoreForReading(flags: StoreFlags, io: CliIO, command: string): Promise<RunStore> {
  const env = readEnv(io.env);
  const url = historyTarget(flags.history, env.history);
  if (url === 'none') throw new HistoryError('--history none keeps no runs; point --history at a store (a file path, k8s://NAMESPACE/NAME or postgres://…)');
  // KUBECONFIG (possibly a list) is merged by the kubeconfig loader from io.env, as kubectl does.
  return openRunStore(url, {
    kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined, context: flags.context, cwd: io.cwd, env: io.env, readOnly: true,
    warn: (line) => io.stderr(`ztaudit ${command}: warning: ${oneLine(line)}\n`),
  });
}

/** A stored run by id, or by a unique prefix of one (ids start with their timestamp). */
export async function findRun(store: RunStore, ref: string): Promise<RunReport> {
  if (!isRunId(ref)) throw new HistoryError(`run "${oneLine(ref)}" is not a run id nor the start of one (${RUN_ID_RULE})`);
  const exact = await store.get(ref);
  if (exact) return exact;
  // A run whose summary cannot be read is still found by its id: its report may read. So is a
  // damaged k8s:// index entry that still has one (not one named by its place, runs[N]): get()
  // then fails with the line `history` printed for it.
  const unreadable: string[] = [];
  const matches = [...(await store.list(Number.MAX_SAFE_INTEGER, (error) => { if (error.part !== 'entry' || isRunId(error.runId)) unreadable.push(error.runId); })), ...unreadable.map((id) => ({ id }))].filter((r) => r.id.startsWith(ref));
  if (matches.length === 1) {
    const run = await store.get(matches[0].id);
    if (run) return run;
  }
  if (matches.length > 1) throw new HistoryError(`run "${oneLine(ref)}" is ambiguous in ${store.describe()}: ${matches.slice(0, 5).map((m) => oneLine(m.id)).join(', ')}${matches.length > 5 ? ', …' : ''}`);
  throw new HistoryError(`no run "${oneLine(ref)}" in ${store.describe()} (see ztaudit history)`);
}

/** HistoryError and friends become one line on stderr and exit 2, as the entry point does. */
export async function withStoreErrors(io: CliIO, name: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error: unknown) {
    if (error instanceof HistoryError || error instanceof ConfigError) {
      io.stderr(`ztaudit ${name}: ${error.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    throw error;
  }
}

const score = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : n.toFixed(1));
const AREA_HEADS: Record<(typeof AREAS)[number], string> = { network: 'NET', tls: 'TLS', rbac: 'RBAC', 'pod-security': 'PSS', mtls: 'MTLS' };

/** A stored run whose summary cannot be read, listed in its place with what the store keeps of it apart from the summary. */
export interface UnreadableListed { unreadable: string; startedAt?: string; cluster?: string }

/**
 * A listed run with, for a partial run, the open findings it carries for the checks it could not
 * evaluate by severity (carriedOpenBySeverity, as /metrics and the run's own outputs count them).
 */
export type ListedRun = ListedRunSummary;

/**
 * Sets each partial run's `carried` (`ztaudit history`, serve's /runs): its summary does not hold
 * them, its report does (read for partial runs only). A report that cannot be read is handed to
 * `onUnreadable` and the run keeps its own counts.
 */
export async function addCarriedCounts(store: RunStore, runs: readonly ListedRun[], onUnreadable: (error: UnreadableRunError) => void = () => {}): Promise<void> {
  for (const r of runs) {
    if (!r.partial) continue;
    try {
      const report = await store.get(r.id);
      if (report) r.carried = carriedOpenBySeverity(report);
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError)) throw error;
      onUnreadable(error);
    }
  }
}

export function formatRunTable(runs: Array<ListedRun | UnreadableListed>): string {
  const head = ['RUN', 'STARTED (UTC)', 'CLUSTER', 'OVERALL', ...AREAS.map((a) => AREA_HEADS[a]), 'CRIT', 'HIGH', 'MED', 'LOW', 'WAIVED', 'CHANGE'];
  // Ids and cluster names are any text a run was stored or imported with: each cell stays on its line.
  const started = (at: string) => at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  const rows = runs.map((r) => ('unreadable' in r ? [r.unreadable, r.startedAt === undefined ? '?' : started(r.startedAt), r.cluster ?? '?', ...Array<string>(head.length - 4).fill(''), 'UNREADABLE'] : [
    r.id,
    started(r.startedAt),
    r.cluster,
    score(r.score.overall),
    ...AREAS.map((a) => score(r.score.areas?.[a])),
    // "0 (+12)": the run's own open findings, then those it carries, as its report states them.
    ...SEVERITIES.map((sev) => `${r.findings[sev]}${r.carried?.[sev] ? ` (+${r.carried[sev]})` : ''}`), String(r.waived),
    `${r.regression === null ? (r.notDiffed ? 'not diffed' : 'first') : r.regression ? 'REGRESSION' : 'ok'}${r.partial ? ' (partial)' : ''}${r.trigger === 'watch' ? ' (watch)' : ''}`,
  ]).map(oneLine));
  const widths = head.map((h, i) => Math.min(MAX_COLUMN, Math.max(h.length, ...rows.map((row) => row[i].length))));
  const numeric = (i: number) => i >= 3 && i < head.length - 1;
  const line = (cells: string[]) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

interface HistoryOptions extends StoreFlags { limit: string; output: string }

function listRuns(values: HistoryOptions, io: CliIO): Promise<number> {
  return withStoreErrors(io, 'history', async () => {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`--limit ${values.limit}: must be a positive whole number`);
    const store = await openStoreForReading(values, io, 'history');
    try {
      // A run whose summary cannot be read is named on stderr and listed in its place as UNREADABLE (the JSON lists summaries only): exit 2.
      // Each cluster as the fleet and the diff know it: a run stored under another spelling of its name (not NFC) is shown under its NFC one.
      const unreadable: Array<{ listed: UnreadableListed; place: number }> = [];
      const runs: ListedRun[] = (await store.list(limit, (error, place) => {
        io.stderr(`ztaudit history: warning: ${oneLine(error.message)}; listed as UNREADABLE\n`);
        unreadable.push({ listed: { unreadable: error.runId, startedAt: error.startedAt, ...(error.cluster !== undefined ? { cluster: clusterNameOf(error.cluster) } : {}) }, place });
      })).map((r) => withPartial(r.cluster === clusterNameOf(r.cluster) ? r : { ...r, cluster: clusterNameOf(r.cluster) }));
      // A partial run's counts state beside its own the open findings it carries (README, History).
      await addCarriedCounts(store, runs, (error) => io.stderr(`ztaudit history: warning: ${oneLine(error.message)}; its carried findings are not counted\n`));
      const listed: Array<ListedRun | UnreadableListed> = [...runs];
      for (const { listed: row, place } of unreadable) listed.splice(place, 0, row);
      if (values.output === 'json') io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      else if (listed.length === 0) io.stdout(`No runs stored in ${store.describe()}.\n`);
      else io.stdout(`${formatRunTable(listed)}\n`);
      return unreadable.length > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
    } finally {
      await store.close();
    }
  });
}

export const HISTORY = defineCommand<HistoryOptions>({
  name: 'history',
  summary: 'the stored runs with their scores, newest first; export | import moves runs between stores; forget removes a retired cluster\'s runs',
  define: (cmd) => {
    addStoreOptions(cmd)
      .option('--limit <n>', 'how many runs to list', '20')
      .addOption(choiceOption('-o, --output <format>', 'table or json', ['table', 'json'], 'table'));
  },
  examples: [
    'ztaudit history --limit 5',
    'ztaudit history --history k8s://ztaudit/ztaudit-history --output json',
    "ztaudit history export --history postgres://ztaudit@db/ztaudit | ztaudit history import --history ./history.db  # copy every run",
    'ztaudit history forget --cluster old-prod --yes  # a retired cluster leaves the store, the fleet report and serve',
  ],
  exitCodes: ['0  the runs were listed', '2  the store could not be read, or some listed runs\' stored summaries were unreadable (each named on stderr and listed as UNREADABLE; --output json leaves them out)'],
  run: (opts, _args, io) => listRuns(opts, io),
});

export const historyCommand = (argv: string[], io: CliIO): Promise<number> => runSpec(HISTORY, argv, io);
