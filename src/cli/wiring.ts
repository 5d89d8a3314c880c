// Builds the pipeline's edges from flags, config and environment: which store, which
// renderer, which notifiers. The only place the CLI decides what is real.
import { resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import type { EnvSettings } from '../config/env.ts';
import { diffRuns } from '../diff/diff.ts';
import { ConfigError } from '../base/errors.ts';
import { clip } from '../base/plain-text.ts';
import { historyTarget, openRunStore, type RunStore } from '../history/store.ts';
import { notifyEmail, notifyEmailFailure } from '../notify/email.ts';
import { notifySlack, notifySlackFailure } from '../notify/slack.ts';
import type { FailureKind } from '../notify/policy.ts';
import { policyReportPublisher } from '../notify/policy-reports.ts';
import { openKubeClient } from '../kube/client.ts';
import { KubeconfigNotFoundError } from '../kube/kubeconfig.ts';
import { proxyForServer } from '../kube/proxy.ts';
import { sendBounded, type Notifier, type PipelineEdges, type SendContext } from '../pipeline/pipeline.ts';
import { REPORT_FORMATS, renderReports } from '../report/render.ts';
import { locateChromium, NO_CHROMIUM } from '../report/pdf.ts';
import type { NotificationOutcome } from '../run/types.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { CliIO } from './io.ts';
import type { Logger } from '../base/log.ts';

export const FORMATS: readonly string[] = REPORT_FORMATS;

/** The Chromium that prints --format pdf; null when pdf was not asked for. No Chromium for pdf is a flag error (exit 2). */
export function chromiumFor(formats: readonly string[], env: EnvSettings): string | null {
  if (!formats.includes('pdf')) return null;
  const found = locateChromium({ explicit: env.chromium, searchPath: env.searchPath });
  if (!found) throw new ConfigError(`--format pdf: ${NO_CHROMIUM}`);
  return found;
}

export interface WiringFlags {
  out: string;
  formats: string[];
  history?: string;
  /** true: --notify (a channel must be configured); false: --no-notify; undefined: as configured. */
  notify?: boolean;
  kubeconfig?: string;
  context?: string;
  policyReports?: boolean;
}

export interface WiringInput {
  flags: WiringFlags;
  config: Config;
  env: EnvSettings;
  log: Logger;
  io: CliIO;
  collect(): Promise<Snapshot>;
}

/** The kubeconfig the flags name, resolved as kubectl does; KUBECONFIG (possibly a list) is read from io.env. */
function kubeconfigOf(flags: Pick<WiringFlags, 'kubeconfig' | 'context'>, io: CliIO) {
  return { kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined, context: flags.context, env: io.env, retries: 3, retryBaseDelayMs: 250 };
}

/** Where runs are kept: --history, else ZTAUDIT_HISTORY, else the default SQLite file. */
export function historyUrl(flags: Pick<WiringFlags, 'history'>, env: EnvSettings): string {
  return historyTarget(flags.history, env.history);
}

/** `warn`: what the store passes over (a damaged k8s:// index entry), once each. */
export async function openStore(flags: Pick<WiringFlags, 'history' | 'kubeconfig' | 'context'> & { manifests?: string[]; snapshot?: string }, config: Config, env: EnvSettings, io: CliIO, warn?: (line: string) => void): Promise<RunStore | null> {
  const url = historyUrl(flags, env);
  if (url === 'none') return null;
  return openRunStore(url, {
    // KUBECONFIG (possibly a list) is merged by the kubeconfig loader from io.env, as kubectl does.
    kubeconfigPath: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined, context: flags.context,
    retention: config.history.retention, cwd: io.cwd, env: io.env, retryMs: config.history.retrySeconds * 1000, ...(warn ? { warn } : {}),
  }).catch((error: unknown) => {
    // Auditing files, --kubeconfig and --context are refused ("choose one source"): the store's
    // cluster is named the other way kubectl reads, KUBECONFIG.
    if (error instanceof KubeconfigNotFoundError && (flags.manifests?.length || flags.snapshot)) {
      throw new ConfigError(`--history ${url}: no kubeconfig found for the store's cluster: tried ${error.tried}; set KUBECONFIG=FILE to name it (--kubeconfig would name a cluster to audit, and ${flags.manifests?.length ? '--manifests' : '--snapshot'} is the source here)`);
    }
    throw error;
  });
}

/**
 * One line per channel that the config or the environment names but whose credentials are
 * missing (a Slack channel without ZTAUDIT_SLACK_TOKEN, recipients without ZTAUDIT_SMTP_URL):
 * that channel sends nothing, and silence must never look like compliance.
 */
export function channelsWithoutCredentials(config: Config, env: EnvSettings): string[] {
  const out: string[] = [];
  const and = (names: string[]) => `${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} set`;
  if (!env.slack) {
    const named = [
      ...(config.notify.slack?.channel !== undefined ? ['notify.slack.channel'] : []),
      ...(config.notify.fleetDigest?.slack?.channel !== undefined ? ['notify.fleetDigest.slack.channel'] : []),
      ...(env.slackChannelWithoutToken ? ['ZTAUDIT_SLACK_CHANNEL'] : []),
    ];
    if (named.length > 0) out.push(`${and(named)} but ZTAUDIT_SLACK_TOKEN is not: Slack disabled, no alert will be sent there`);
  }
  if (!env.smtp) {
    const named = [
      ...(config.notify.email?.to !== undefined ? ['notify.email.to'] : []),
      ...(config.notify.email?.from !== undefined ? ['notify.email.from'] : []),
      ...(config.notify.fleetDigest?.email?.to !== undefined ? ['notify.fleetDigest.email.to'] : []),
      ...(env.emailWithoutSmtp ?? []),
    ];
    if (named.length > 0) out.push(`${and(named)} but ZTAUDIT_SMTP_URL is not: email disabled, no alert will be sent there`);
  }
  return out;
}

/**
 * Where each channel's address comes from: flags > environment > config file, the rule
 * ZTAUDIT_HISTORY follows under --history. The chart sets the Slack channel and recipients
 * through the environment; a config value must not silently drop them, so where both are set
 * and differ, `conflicts` says which won (values JSON-quoted: they may hold anything).
 */
export function notifyAddresses(config: Config, env: EnvSettings): { slackChannel: string | undefined; emailTo: string[]; emailFrom: string; conflicts: string[] } {
  const conflicts: string[] = [];
  const pick = <T>(envName: string, fromEnv: T | undefined, key: string, fromFile: T | undefined, same: (a: T, b: T) => boolean): T | undefined => {
    if (fromEnv !== undefined && fromFile !== undefined && !same(fromEnv, fromFile)) {
      conflicts.push(`${envName}=${JSON.stringify(fromEnv)} overrides ${key}=${JSON.stringify(fromFile)} in the config`);
    }
    return fromEnv ?? fromFile;
  };
  const eq = (a: string, b: string) => a === b;
  const sameList = (a: string[], b: string[]) => a.join(',') === b.join(',');
  const envTo = env.smtp?.to.length ? env.smtp.to : undefined;
  return {
    slackChannel: pick('ZTAUDIT_SLACK_CHANNEL', env.slack?.channel, 'notify.slack.channel', config.notify.slack?.channel, eq),
    emailTo: pick('ZTAUDIT_EMAIL_TO', envTo, 'notify.email.to', config.notify.email?.to, sameList) ?? [],
    emailFrom: pick('ZTAUDIT_EMAIL_FROM', env.smtp?.from, 'notify.email.from', config.notify.email?.from, eq) ?? 'ztaudit@localhost',
    conflicts,
  };
}

/**
 * The proxy email goes through: with notify.email.proxy, the one in HTTPS_PROXY (or
 * https_proxy) unless NO_PROXY names the SMTP server (as for an https:// URL to it); without
 * it, none. `problem`: notify.email.proxy with no HTTPS_PROXY to use.
 */
export function smtpProxyOf(config: Config, env: EnvSettings): { proxy?: URL; problem?: string } {
  if (!config.notify.email?.proxy || !env.smtp || env.smtp.problem) return {};
  const proxyEnv = env.proxy ?? {};
  if (!proxyEnv.HTTPS_PROXY && !proxyEnv.https_proxy) return { problem: 'notify.email.proxy is true but HTTPS_PROXY is not set: set it to the egress proxy, or set notify.email.proxy to false' };
  const smtp = new URL(env.smtp.url);
  const port = smtp.port || (smtp.protocol === 'smtps:' ? '465' : '587');
  const proxy = proxyForServer(new URL(`https://${smtp.hostname}:${port}`), undefined, proxyEnv);
  return proxy ? { proxy } : {};
}

/** The configured channels, or none with --no-notify. --notify without a channel is an error. */
export function notifiersFor(flags: WiringFlags, config: Config, env: EnvSettings, log: Logger): Notifier[] {
  if (flags.notify === false) return [];
  // --notify asks for notifications the config rules out; sending anyway would need a policy
  // neither says (every run? regressions only?), so the conflict is the user's to settle.
  if (flags.notify === true && config.notify.policy === 'never') throw new ConfigError('--notify conflicts with notify.policy: never in the config: drop --notify, or set notify.policy to regression or always');
  for (const line of channelsWithoutCredentials(config, env)) log.warn(line);
  const addresses = notifyAddresses(config, env);
  for (const line of addresses.conflicts) log.warn(line);
  const out: Notifier[] = [];
  const policy = config.notify.policy;
  const htmlOf = (files: string[]) => files.find((f) => f.endsWith('.html'));
  if (env.slack) {
    const slack = env.slack;
    const channel = addresses.slackChannel;
    if (slack.problem) throw new ConfigError(slack.problem);
    if (!channel) log.warn('ZTAUDIT_SLACK_TOKEN is set but no channel (ZTAUDIT_SLACK_CHANNEL or notify.slack.channel): Slack disabled');
    else out.push({ name: 'slack', send: (report, files, ctx) => notifySlack(report, { token: slack.token, channel, apiUrl: slack.apiUrl, proxyEnv: env.proxy, htmlReportPath: htmlOf(files), policy, ...ctx }) });
  }
  if (env.smtp) {
    const smtp = env.smtp;
    if (smtp.problem) throw new ConfigError(smtp.problem);
    const { proxy, problem } = smtpProxyOf(config, env);
    if (problem) throw new ConfigError(problem);
    const { emailTo: to, emailFrom: from } = addresses;
    if (to.length === 0) log.warn('ZTAUDIT_SMTP_URL is set but no recipients (ZTAUDIT_EMAIL_TO or notify.email.to): email disabled');
    else out.push({ name: 'email', send: (report, files, ctx) => notifyEmail(report, { smtpUrl: smtp.url, from, to, htmlReportPath: htmlOf(files), policy, signal: ctx.signal, ...(proxy ? { proxy } : {}) }) });
  }
  if (flags.notify === true && out.length === 0) throw new ConfigError('--notify: no channel configured (set ZTAUDIT_SLACK_TOKEN + ZTAUDIT_SLACK_CHANNEL, or ZTAUDIT_SMTP_URL + ZTAUDIT_EMAIL_TO)');
  return out;
}

/** Rejects as soon as `signal` aborts, so the pipeline unwinds (and releases its store). */
export function abortable<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The longest reason an "audit could not run" alert carries (the job log has the whole error). */
const ALERT_REASON_MAX = 500;

/**
 * The reason an "audit could not run" alert gives for `why`: one bounded line leaves the
 * building (an error text may quote input around its cause), yet naming every problem of an
 * error that lists several, one a line (a config with two wrong keys): each is fixed before the
 * next run, so naming only the first makes the on-call fix one and fail again. What does not
 * fit is counted: "(+N more problems; see the job log)".
 */
export function alertReason(why: string): string {
  const problems = why.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (problems.length === 0) return '';
  const more = (n: number) => (n > 0 ? ` (+${n} more problem${n === 1 ? '' : 's'}; see the job log)` : '');
  let reason = '';
  let taken = 0;
  for (const p of problems) {
    const next = taken === 0 ? p : `${reason}; ${p}`;
    if (next.length + more(problems.length - taken - 1).length > ALERT_REASON_MAX) break;
    reason = next;
    taken++;
  }
  // A first problem longer than the bound alone: cut, never dropped.
  if (taken === 0) {
    const tail = more(problems.length - 1);
    return `${clip(problems[0]!, ALERT_REASON_MAX - tail.length)}${tail}`;
  }
  return `${reason}${more(problems.length - taken)}`;
}

/**
 * "Audit could not run" on every configured channel: silence must never look like compliance.
 * Each channel within notify.deadlineSeconds, like a run's notifications; `signal` aborts them
 * (`run` stopped by SIGTERM: a few seconds later, within the pod's grace period).
 */
export async function alertCannotRun(why: string, input: { flags: WiringFlags; config: Config; env: EnvSettings; clusterName?: string; signal?: AbortSignal; failure?: FailureKind }): Promise<NotificationOutcome[]> {
  if (input.flags.notify === false) return [];
  const reason = alertReason(why);
  const { env, config } = input;
  // The cluster as the operator named it (--cluster, cluster.name); one found only by collecting
  // (a kubeconfig context) is not known yet when the run could not start.
  const clusterName = input.clusterName ?? config.cluster.name;
  const failure = input.failure ?? 'not-run';
  const channels: Array<{ name: string; send: (ctx: SendContext) => Promise<NotificationOutcome> }> = [];
  // A channel that cannot be used (no Slack channel, an SMTP URL that is not one) is left out: the reason it is said is the one on stderr.
  const { slackChannel, emailTo, emailFrom } = notifyAddresses(config, env);
  if (env.slack && slackChannel && !env.slack.problem) {
    const slack = env.slack;
    channels.push({ name: 'slack', send: (ctx) => notifySlackFailure(reason, { token: slack.token, channel: slackChannel, apiUrl: slack.apiUrl, proxyEnv: env.proxy, clusterName, failure, ...ctx }) });
  }
  const { proxy, problem } = smtpProxyOf(config, env);
  if (env.smtp && !env.smtp.problem && !problem) {
    const smtp = env.smtp;
    const to = emailTo;
    if (to.length > 0) channels.push({ name: 'email', send: (ctx) => notifyEmailFailure(reason, { smtpUrl: smtp.url, from: emailFrom, to, clusterName, failure, signal: ctx.signal, ...(proxy ? { proxy } : {}) }) });
  }
  const deadlineMs = config.notify.deadlineSeconds * 1000;
  return Promise.all(channels.map((n) => sendBounded(n.name, n.send, deadlineMs, input.signal)));
}

export async function buildEdges(input: WiringInput, store: RunStore | null): Promise<PipelineEdges> {
  const outDir = resolve(input.io.cwd, input.flags.out);
  const formats = input.flags.formats.includes('json') ? input.flags.formats : ['json', ...input.flags.formats];
  const chromium = chromiumFor(formats, input.env);
  // The snapshot's `sources` (which file and line each object was read from) are not in report.json; report.sarif points at them.
  let sources: Snapshot['sources'];
  return {
    collect: async () => {
      const snapshot = await input.collect();
      sources = snapshot.sources;
      return snapshot;
    },
    store,
    diff: (previous, current, options) => diffRuns(previous, current, { ...options, rules: input.config.regression }),
    render: (report, extras) => renderReports(report, { formats: extras.formats ? formats.filter((f) => extras.formats!.includes(f)) : formats, outDir, trend: extras.trend, previous: extras.previous, carried: extras.carried, chromium, sources, onReportJson: extras.onReportJson, historyOff: extras.historyOff, sarifMaxResults: input.config.reports.sarifMaxResults, junitMaxFindingCases: input.config.reports.junitMaxFindingCases, sarifMaxResultsFrom: input.config.reports.sarifMaxResultsFrom, junitMaxFindingCasesFrom: input.config.reports.junitMaxFindingCasesFrom }),
    notifiers: notifiersFor(input.flags, input.config, input.env, input.log),
    publishers: input.flags.policyReports ? [policyReportPublisher(() => openKubeClient(kubeconfigOf(input.flags, input.io)).client)] : [],
    log: input.log,
    now: () => new Date(),
  };
}
