// `ztaudit run`: one audit, end to end. Exit 0 when nothing met --fail-on, 1 when something
// did (checks that could not read their inputs included), 2 when the audit could not run or
// was stopped by SIGTERM/SIGINT before it was stored (then an "audit could not run" alert is
// attempted).
import type { Command } from 'commander';
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { loadConfig } from '../config/load.ts';
import { addReportLimitOptions, configLimits, reportLimitsOf, type ReportLimitFlags } from './report-limits.ts';
import { KINDS } from '../snapshot/kinds.ts';
import { readEnv, type EnvSettings } from '../config/env.ts';
import { defaultConfig, type Config } from '../config/types.ts';
import { ConfigError, StoppedError, errorMessage, failureKindOf } from '../base/errors.ts';
import { FAIL_ON, failOnReason, runPipeline, type FailOn, type PipelineEdges } from '../pipeline/pipeline.ts';
import { EXIT_FINDINGS, EXIT_OK, type CliIO } from './io.ts';
import { releaseFreedHeap } from '../base/heap.ts';
import { createLogger } from './log.ts';
import { addSourceOptions, checkSource, describeSource, loadSource, notEvaluatedFor, type SourceFlags } from './source.ts';
import { abortable, alertCannotRun, buildEdges, chromiumFor, FORMATS, openStore, type WiringFlags } from './wiring.ts';
import { printScoreTable } from './score-table.ts';
import { rejectedWarning } from '../run/undelivered.ts';
import { FAILURE_TEXT, type FailureKind } from '../notify/policy.ts';
import { oneLine } from '../base/plain-text.ts';
import { suggestion } from '../base/did-you-mean.ts';
import { coverageGaps, gapsText } from '../run/coverage.ts';
import type { RunReport, WaiverStatus } from '../run/types.ts';
import { describeResource } from '../diff/diff.ts';
import { choiceOption, defineCommand, parseSpec } from './command.ts';

/** The flags `run` and `serve` share. */
export interface AuditOptions extends SourceFlags, ReportLimitFlags {
  config?: string;
  out: string;
  format: string;
  history?: string;
  notify?: boolean;
  probeTls?: boolean;
  policyReports?: boolean;
  quiet?: boolean;
}

/** What commander hands over for `run`: the shared flags and the exit-code gate. */
export interface RunOptions extends AuditOptions {
  failOn: FailOn;
  acceptForbidden?: string;
}

export type AuditFlags = AuditOptions & { formats: string[] };
export type RunFlags = RunOptions & AuditFlags & { acceptedForbidden?: ReadonlySet<string> };

/** The flags of `run` that `serve` takes too, declared once. */
export function addAuditOptions(cmd: Command): Command {
  addSourceOptions(cmd);
  return addReportLimitOptions(cmd)
    .option('--config <file>', 'configuration file (default: ./ztaudit.yaml when it exists)')
    .option('--out <dir>', 'directory the reports are written to', 'reports')
    .option('--format <list>', `report formats, comma-separated: ${FORMATS.join(', ')} (json is always written)`, 'html,json')
    .option('--history <url>', 'where runs are kept: a SQLite file path (or sqlite:PATH), k8s://NAMESPACE/NAME, postgres://USER@HOST/DB, or none (default: ZTAUDIT_HISTORY, else ./.ztaudit/history.db)')
    .option('--notify', 'send notifications as notify.policy says; fail when no channel is configured, refused with notify.policy never (default: send when a channel is configured)')
    .option('--no-notify', 'send no notification, not even "audit could not run"')
    .option('--probe-tls', 'also connect to exposed TLS endpoints (load-balancer addresses and tls.probe.endpoints; at most tls.probe.maxTargets, within tls.probe.deadlineSeconds) and check the versions and certificates they accept')
    .option('--policy-reports', 'write wgpolicyk8s.io PolicyReports into the cluster (needs write access to them)')
    .option('-q, --quiet', 'print no progress, no info logs and no score table');
}

/** `run`'s exit-code gate: what makes it exit 1. `serve` has no exit 1 (it refuses them). */
export function addGateOptions(cmd: Command): Command {
  return cmd
    .addOption(choiceOption('--fail-on <when>', 'exit 1 when the audit finds a regression, a critical finding, or a high-or-worse finding, or when checks could not be evaluated (an input forbidden or failed); never: exit 0', FAIL_ON, 'never'))
    .option('--accept-forbidden <kinds>', 'with --fail-on (refused without it): kinds the auditor is kept from on purpose, comma-separated (e.g. configmaps); checks blind only because these were forbidden do not exit 1 (the report still shows them not evaluated)');
}

/** Every flag of `run`. */
export function addRunOptions(cmd: Command): Command {
  return addGateOptions(addAuditOptions(cmd));
}

/** Checks what commander cannot (the format list) and splits it. */
export function checkAuditFlags<O extends AuditOptions>(opts: O): O & { formats: string[] } {
  const formats = opts.format.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) if (!FORMATS.includes(f)) throw new ConfigError(`--format ${f}: must be among ${FORMATS.join(', ')}`);
  // Files are no cluster: their findings would replace the reports of whatever cluster the
  // kubeconfig points at, and prune those of every namespace the files do not hold.
  if (opts.policyReports && opts.manifests?.length) {
    throw new ConfigError('--policy-reports writes a cluster\'s findings into that cluster; with --manifests they are the files\' findings, which would replace the reports of the kubeconfig\'s cluster: leave one of the two flags out');
  }
  return { ...opts, formats };
}

/** `run`'s flags checked: the shared ones, and the gate's. */
export function checkRunFlags(opts: RunOptions): RunFlags {
  const flags = checkAuditFlags(opts);
  const accepted = opts.acceptForbidden?.split(',').map((k) => k.trim()).filter(Boolean) ?? [];
  // A flag accepted and then ignored reads as a gate that is not there.
  if (opts.acceptForbidden !== undefined && opts.failOn === 'never') {
    throw new ConfigError('--accept-forbidden only says which 403s --fail-on does not exit 1 for, and --fail-on is never (the default): add --fail-on regression, critical or high, or leave --accept-forbidden out');
  }
  for (const k of accepted) if (!KIND_KEYS.has(k)) throw new ConfigError(oneLine(`--accept-forbidden ${k}: not a kind ztaudit reads${suggestion(k, KIND_KEYS) || ' (see run.coverage in report.json)'}`));
  return { ...flags, ...(accepted.length > 0 ? { acceptedForbidden: new Set(accepted) } : {}) };
}

/** `run`'s flags from an argv (what `ztaudit run` would accept). */
export function parseRunFlags(argv: string[]): RunFlags {
  return checkRunFlags(parseSpec(RUN, argv).opts as unknown as RunOptions);
}

const KIND_KEYS: ReadonlySet<string> = new Set(KINDS.map((k) => k.key));
const NAMESPACED_KINDS: ReadonlySet<string> = new Set(KINDS.filter((k) => k.namespaced).map((k) => k.kind));

/**
 * Said at start: with no history there is never a previous run, so the regression policy
 * sends nothing, ever, while channels are configured as if it would.
 */
export function warnAlertsNeverFire(edges: Pick<PipelineEdges, 'store' | 'notifiers'>, config: Config, log: ReturnType<typeof createLogger>): void {
  if (edges.store === null && edges.notifiers.length > 0 && config.notify.policy === 'regression') {
    log.warn('no history: there is never a previous run, so regression alerts never fire; use notify.policy always or keep a history');
  }
}

/** Said at start, likewise: with no history, --fail-on regression never exits 1 for a regression. */
export function warnFailOnNeverFires(edges: Pick<PipelineEdges, 'store'>, failOn: FailOn, log: ReturnType<typeof createLogger>): void {
  if (edges.store === null && failOn === 'regression') {
    log.warn('no history: there is never a previous run, so --fail-on regression exits 1 only for checks that could not be evaluated; keep a history or use --fail-on critical or high');
  }
}

/**
 * With --fail-on never, the one warning that the audit was blind in places, -q or not: the
 * score table says it on stdout, but a log pipeline reading stderr for warnings (a CronJob's)
 * would see a partial run as a clean one, and no exit code will say it. Any other --fail-on
 * exits 1 saying it (failOnReason). `said`: the kinds a live collection already warned it
 * could not read, naming the reason and the checks that need them (loadSource): not said
 * again, so that each blind kind is told once; what is left (a check that crashed, a kind of a
 * snapshot's or of the manifests') still is.
 */
function warnGaps(report: RunReport, flags: Pick<RunFlags, 'failOn' | 'acceptedForbidden'>, said: ReadonlySet<string>, log: ReturnType<typeof createLogger>): void {
  if (flags.failOn !== 'never') return;
  const gaps = coverageGaps(report, flags.acceptedForbidden, said);
  if (gaps.checks > 0) {
    log.warn(oneLine(`${gapsText(gaps)}: their areas get no grade, and --fail-on critical, high or regression would exit 1`));
    return;
  }
  // A partial line of a kind is unreadKind's (src/engine/audit.ts): "<kind> could not be read (…)".
  const partial = (report.run.partial ?? []).filter((line) => ![...said].some((kind) => line.startsWith(`${kind} could not be read (`)));
  if (partial.length > 0) log.warn(oneLine(`partial run: ${partial[0]}${partial.length > 1 ? ` (and ${partial.length - 1} more)` : ''}`));
}

/**
 * What `run` says of a waiver's state, one line; null when it is active. An unmatched waiver
 * that covered a finding still open in the compared run, or names what an open finding stems
 * from beside an object it does not name (openFinding), is no stale entry: that is said
 * instead of "matches no finding", which would have it deleted.
 */
export function waiverWarning(w: WaiverStatus): string | null {
  const what = `waiver for ${w.check} on ${[w.resource.kind, w.resource.namespace, w.resource.name].filter(Boolean).join(' ')} (owner ${w.owner})`;
  if (w.state === 'unmatched') {
    const o = w.openFinding;
    if (!o) return oneLine(`${what} matches no finding: fixed, or a typo in the resource?`);
    const on = `the open finding on ${describeResource(o.resource)}${o.more > 0 ? ` (and ${o.more} more)` : ''}`;
    const why = o.notNamed
      ? `it ${o.coveredIn ? 'now ' : ''}also stems from ${describeResource(o.notNamed)}, which the waiver does not name`
      : 'the objects it stems from changed, or the waiver did';
    return oneLine(`${what} ${o.coveredIn ? `no longer covers ${on}, which it covered in run ${o.coveredIn}` : `does not cover ${on}`}: ${why}; the finding counts, the waiver is not stale`);
  }
  if (w.state === 'not-evaluated') return oneLine(`${what} could not be checked: ${w.check} was not evaluated (${w.notEvaluated ?? 'no reason given'})`);
  if (w.state === 'expiring-soon') return oneLine(`${what} expires on ${w.expires}`);
  if (w.state === 'expired') return oneLine(`${what} expired on ${w.expires}: its findings count again`);
  return null;
}

/** The config file, validated, its warnings logged; `flags` (--sarif-max-results, …) override its reports caps. */
export function loadValidConfig(path: string | undefined, io: CliIO, log: ReturnType<typeof createLogger>, flags: ReportLimitFlags = {}): Config {
  const { config, errors, warnings } = loadConfig(path, io.cwd, new Set(CHECK_BY_ID.keys()), NAMESPACED_KINDS);
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  for (const w of warnings) log.warn(w);
  config.reports = reportLimitsOf(flags, configLimits(config.reports), (w) => log.warn(w));
  return config;
}

/**
 * How long the "audit could not run" alert of a run stopped by a signal may take: Kubernetes
 * kills the pod terminationGracePeriodSeconds (default 30 s) after SIGTERM.
 */
const STOPPED_ALERT_MS = 10_000;

/**
 * `signal` stops the run (SIGTERM, SIGINT: its reason is a StoppedError): the collection and
 * the notifiers stop at once, nothing is stored, and the "audit could not run" alert gets
 * STOPPED_ALERT_MS from the signal. A run already stored when it comes finishes as usual.
 */
export async function runAudit(opts: RunOptions, io: CliIO, signal?: AbortSignal): Promise<number> {
  const log = createLogger(io, { quiet: opts.quiet });
  const env = readEnv(io.env);
  // Until the flags are checked: enough for the "audit could not run" alert.
  let flags: RunFlags = { ...opts, formats: [] };
  let config: Config | undefined;
  try {
    // The config first: a bad flag is alerted on the channels it names too.
    config = loadValidConfig(opts.config, io, log, opts);
    flags = checkRunFlags(opts);
    // A PDF that cannot be printed is a flag error, said before any work is done.
    chromiumFor(flags.formats, env);
    // So is a source that cannot be read: before the "auditing" line and the history store.
    checkSource(flags, { env: io.env, cwd: io.cwd });
    if (flags.probeTls) config.tls.probe.enabled = true;
    log.info(`auditing ${describeSource(flags)}`);
    const cfg = config;
    const store = await openStore(flags, cfg, env, io, (line) => log.warn(line));
    try {
      const said = new Set<string>();
      const unread = new Map<string, string>();
      const collect = () => loadSource(flags, log, { config: cfg, env: io.env, cwd: io.cwd, said, unread, ...(signal ? { signal } : {}) });
      const edges = await buildEdges({ flags, config: cfg, env, log, io, collect: signal ? () => abortable(collect, signal) : collect }, store);
      if (signal) edges.signal = signal;
      // A one-shot run: the audit's freed pages go back to the system before the diff, the
      // reports and the store allocate theirs (docs/performance.md, "the real CLI's later run").
      // Each kind the collection could not read, once, with the checks the run left not evaluated for it.
      edges.afterAudit = (report) => {
        releaseFreedHeap();
        for (const [kind, line] of unread) log.warn(`${line}: ${notEvaluatedFor(kind, report.checks)}`);
      };
      warnAlertsNeverFire(edges, cfg, log);
      warnFailOnNeverFires(edges, flags.failOn, log);
      const { report, files } = await runPipeline(cfg, CHECKS, edges);
      for (const f of files) log.info(`wrote ${f}`);
      for (const w of report.waivers) {
        const line = waiverWarning(w);
        if (line !== null) log.warn(line);
      }
      if (!flags.quiet) printScoreTable(report, io);
      warnGaps(report, flags, said, log);
      const failed = failOnReason(report, flags.failOn, flags.acceptedForbidden);
      if (failed === null) return EXIT_OK;
      // Said even with --quiet: an exit code without its reason sends people digging.
      io.stderr(`ztaudit: exit 1: ${failed}\n`);
      return EXIT_FINDINGS;
    } finally {
      await store?.close();
    }
  } catch (thrown: unknown) {
    // Stopped: whatever failed on the way out (an aborted request) is the signal's doing.
    const error = signal?.aborted && signal.reason instanceof StoppedError ? signal.reason : thrown;
    // The audit could not run: say so on every configured channel before exiting 2.
    const bound = signal ? alertBound(signal) : null;
    try {
      await sayCannotRun(error, { flags, config, env, log, ...(bound ? { signal: bound.signal } : {}) });
    } finally {
      bound?.clear();
    }
    throw error;
  }
}

/**
 * The "audit could not run" alert on every configured channel (alertCannotRun: none with
 * --no-notify, none on a channel whose own settings are the problem), and a warning for each
 * channel that did not take it. `run` before it exits 2; `serve` when it cannot start and when
 * a run fails, and (`failure` 'stuck') when a run has made scheduled runs be skipped. `config`:
 * undefined when it could not be read (its channels are then unknown; the environment's are
 * still used). `failure`: which alert; else the one `error` calls for (failureKindOf).
 */
export async function sayCannotRun(error: unknown, input: { flags: WiringFlags & { cluster?: string }; config: Config | undefined; env: EnvSettings; log: ReturnType<typeof createLogger>; signal?: AbortSignal; failure?: FailureKind }): Promise<void> {
  const { flags, log } = input;
  const failure = input.failure ?? failureKindOf(error);
  const outcomes = await alertCannotRun(errorMessage(error), {
    flags, config: input.config ?? defaultConfig(), env: input.env, ...(flags.cluster ? { clusterName: flags.cluster } : {}), failure, ...(input.signal ? { signal: input.signal } : {}),
  });
  const alert = `the "${FAILURE_TEXT[failure].title}" alert`;
  for (const o of outcomes) {
    if (o.status === 'failed') log.warn(`${o.channel}: could not send ${alert}: ${o.detail ?? ''}`);
    const rejected = rejectedWarning(o, alert);
    if (rejected) log.warn(rejected);
  }
}

/** Aborts STOPPED_ALERT_MS after `stop` does (at once counting from now when it already has). */
function alertBound(stop: AbortSignal): { signal: AbortSignal; clear(): void } {
  const bound = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    timer = setTimeout(() => bound.abort(new Error(`no answer within the ${STOPPED_ALERT_MS / 1000} s left after the run was stopped`)), STOPPED_ALERT_MS);
  };
  if (stop.aborted) arm();
  else stop.addEventListener('abort', arm, { once: true });
  return { signal: bound.signal, clear: () => { clearTimeout(timer); stop.removeEventListener('abort', arm); } };
}

/** What each signal that stops a run says, on stderr and in the alert. */
const STOP_SIGNALS = {
  SIGTERM: 'stopped by SIGTERM (Job deadline, eviction or node drain)',
  SIGINT: 'stopped by SIGINT (interrupted)',
} as const;

/**
 * `run` as a process: the first SIGTERM or SIGINT stops the run (runAudit's `signal`), exit 2;
 * the listeners are gone after it, so a second one kills at once.
 */
async function runUntilSignalled(opts: RunOptions, io: CliIO): Promise<number> {
  const controller = new AbortController();
  const listeners = Object.entries(STOP_SIGNALS).map(([name, said]) => ({
    name,
    onSignal: () => {
      for (const l of listeners) process.off(l.name, l.onSignal);
      controller.abort(new StoppedError(`${said} before the audit finished: no run was stored`));
    },
  }));
  for (const l of listeners) process.once(l.name, l.onSignal);
  try {
    return await runAudit(opts, io, controller.signal);
  } finally {
    for (const l of listeners) process.off(l.name, l.onSignal);
  }
}

export const RUN = defineCommand<RunOptions>({
  name: 'run',
  summary: 'one audit end to end: collect, check, score, diff against the previous run, store, render, notify',
  define: (cmd) => { addRunOptions(cmd); },
  examples: [
    'ztaudit run --context prod-eu-1 --out reports/prod-eu-1      # a live cluster from ~/.kube/config',
    'ztaudit run --manifests deploy/ --history none --no-notify    # manifests, nothing stored or sent',
    'ztaudit run --snapshot prod.snap.json.gz --fail-on high       # CI gate: exit 1 on a high or critical finding',
  ],
  exitCodes: [
    '0  the audit completed and nothing met --fail-on, a partial audit included: a kind forbidden',
    '   or failed, or a broken document in --manifests (its kind, or every kind when its kind',
    '   cannot be told, counts as not read; the report and a warning name the file and line)',
    '1  the audit completed and something met --fail-on (the reason is printed), checks that could',
    '   not read an input included: a 403 or a failed list (not an API that is not installed, nor',
    '   a 403 on a kind named by --accept-forbidden)',
    '2  the audit could not run (bad config or flags, unreachable cluster, an input with nothing to',
    '   audit: a --snapshot that cannot be read, --manifests without one readable object), or',
    '   SIGTERM or SIGINT stopped it before it was stored (nothing is stored; the alert gets 10 s;',
    '   a second signal exits at once)',
  ],
  run: (opts, _args, io) => runUntilSignalled(opts, io),
});
