// `ztaudit fleet [--history URL] [--format html,json,md] [--out DIR] [--since HOURS]`: one
// report over every cluster in a store — scores with grades and deltas, regressions of the
// window, worst clusters per area, findings common to many clusters, expiring waivers,
// trends. With notify.fleetDigest configured (or --notify), a digest goes to Slack/email.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHECK_BY_ID } from '../../checks/index.ts';
import { readEnv } from '../config/env.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { ConfigError, HistoryError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import { fleetDataOf, unreadableInFleet } from '../fleet/data.ts';
import { FLEET_FORMATS, renderFleet } from '../fleet/render.ts';
import { buildFleetView, commonShapesText, meanOverallText, regressedLeftOutText, waiversDueText, type FleetView } from '../fleet/view.ts';
import { digestSkipReason, sendEmailDigest, sendSlackDigest } from '../notify/fleet-digest.ts';
import { sendBounded } from '../pipeline/pipeline.ts';
import { DEFAULT_FLEET_QUERY, type FleetQuery } from '../run/fleet.ts';
import type { NotificationOutcome } from '../run/types.ts';
import { rejectedWarning } from '../run/undelivered.ts';
import { DEFAULT_HISTORY, historyTarget, parseStoreUrl, type RunStore } from '../history/store.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import { defineCommand } from './command.ts';
import { channelsWithoutCredentials, notifyAddresses, smtpProxyOf } from './wiring.ts';

interface FleetOptions extends StoreFlags {
  format: string;
  out: string;
  since?: string;
  minClusters?: string;
  config?: string;
  notify?: boolean;
  quiet?: boolean;
}

function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`--${flag} ${value}: must be a whole number from 1 to ${max}`);
  return n;
}

export function fleetQueryOf(config: Config, flags: { since?: string; minClusters?: string }, now: Date): FleetQuery {
  return {
    ...DEFAULT_FLEET_QUERY,
    now,
    sinceHours: flags.since ? positiveInt('since', flags.since, 8760) : config.notify.fleetDigest?.windowHours ?? DEFAULT_FLEET_QUERY.sinceHours,
    minClusters: flags.minClusters ? positiveInt('min-clusters', flags.minClusters, 100_000) : DEFAULT_FLEET_QUERY.minClusters,
  };
}

/**
 * Why a fleet with no cluster is refused: a store no audit wrote to (a typo in --history, the
 * default ./.ztaudit/history.db read from the wrong directory, an empty database) would otherwise
 * be a clean report and a silent digest — the whole fleet dropped without a word.
 */
function noFleet(store: RunStore, target: string, cwd: string, unreadable: number): HistoryError {
  const location = parseStoreUrl(target, cwd);
  if (location.kind === 'sqlite' && !existsSync(location.path)) {
    return new HistoryError(`history database ${oneLine(location.path)} does not exist: no fleet report written (check --history or ZTAUDIT_HISTORY; a relative path, as the default ${DEFAULT_HISTORY}, is read from the working directory ${oneLine(cwd)})`);
  }
  const what = unreadable > 0 ? `no run that could be read (${unreadable} unreadable, named above)` : 'no runs';
  return new HistoryError(`${oneLine(store.describe())} holds ${what}: no fleet report written (point --history at the store the audits write to; ztaudit history lists what a store holds)`);
}

/**
 * The fleet digest on every configured channel, as notify.fleetDigest says: the channels at
 * once, each within notify.deadlineSeconds (sendBounded, as a run's alert), so a server that
 * trickles its answer cannot hold `fleet`.
 */
export async function sendFleetDigest(view: FleetView, config: Config, env: ReturnType<typeof readEnv>, opts: { force: boolean; htmlPath?: string }): Promise<NotificationOutcome[]> {
  const digest = config.notify.fleetDigest;
  const policy = opts.force ? 'always' : digest ? digest.policy ?? 'always' : 'never';
  const skip = digestSkipReason(view, policy);
  const deadlineMs = config.notify.deadlineSeconds * 1000;
  const out: Array<Promise<NotificationOutcome>> = [];
  const done = (o: NotificationOutcome) => Promise.resolve(o);
  // The digest's own addresses first; then, as for a run's alert, the environment over the file.
  const addresses = notifyAddresses(config, env);
  if (env.slack) {
    const channel = digest?.slack?.channel ?? addresses.slackChannel;
    const unusable = env.slack.problem ?? (channel ? null : 'ZTAUDIT_SLACK_TOKEN is set but no channel (ZTAUDIT_SLACK_CHANNEL, notify.slack.channel or notify.fleetDigest.slack.channel)');
    const slack = env.slack;
    out.push(skip ? done({ channel: 'slack', status: 'skipped', detail: skip }) : unusable || !channel ? done({ channel: 'slack', status: 'failed', detail: unusable ?? '' }) : sendBounded('slack', (ctx) => sendSlackDigest(view, {
      token: slack.token, channel, ...ctx,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
      ...(env.proxy ? { proxyEnv: env.proxy } : {}),
    }), deadlineMs));
  }
  if (env.smtp) {
    const to = digest?.email?.to ?? addresses.emailTo;
    const smtp = env.smtp;
    const { proxy, problem } = smtpProxyOf(config, env);
    const unusable = smtp.problem ?? problem;
    out.push(skip ? done({ channel: 'email', status: 'skipped', detail: skip }) : unusable ? done({ channel: 'email', status: 'failed', detail: unusable }) : sendBounded('email', (ctx) => sendEmailDigest(view, {
      smtpUrl: smtp.url, from: addresses.emailFrom, to, signal: ctx.signal, ...(proxy ? { proxy } : {}),
      ...(opts.htmlPath ? { htmlPath: opts.htmlPath } : {}),
    }), deadlineMs));
  }
  return Promise.all(out);
}

function fleetReport(values: FleetOptions, io: CliIO): Promise<number> {
  return withStoreErrors(io, 'fleet', async () => {
    const { config, errors, warnings } = loadConfig(values.config, io.cwd, new Set(CHECK_BY_ID.keys()));
    if (errors.length > 0) throw new ConfigError(errors.join('\n'));
    for (const w of warnings) io.stderr(`ztaudit fleet: warning: ${w}\n`);
    const formats = values.format.split(',').map((f) => f.trim()).filter(Boolean);
    const query = fleetQueryOf(config, values, new Date());
    const env = readEnv(io.env);
    const store: RunStore = await openStoreForReading(values, io, 'fleet');
    try {
      // A run whose stored report or summary cannot be read leaves out only what it would add: named, exit 2.
      let unreadable = 0;
      const data = await fleetDataOf(store, query, (error) => {
        unreadable++;
        io.stderr(`ztaudit fleet: warning: ${unreadableInFleet(error)}\n`);
      });
      if (data.clusters.length === 0) throw noFleet(store, historyTarget(values.history, env.history), io.cwd, unreadable);
      const files = await renderFleet(data, { formats, outDir: resolve(io.cwd, values.out) });
      if (!values.quiet) for (const f of files) io.stdout(`wrote ${f}\n`);
      const view = buildFleetView(data);
      if (!values.quiet) io.stdout(`${view.totals.clusters} clusters, mean overall ${meanOverallText(view.totals)}, ${view.totals.regressed} regressed in the last ${query.sinceHours} h${regressedLeftOutText(view.totals)}, ${view.totals.stale} without a run in the last ${view.staleAfterHours} h (stale)${view.totals.unreadable ? `, ${view.totals.unreadable} whose latest run could not be read (state unknown)` : ''}, ${commonShapesText(view)}, ${waiversDueText(view)}\n`);
      const done = unreadable > 0 ? EXIT_CANNOT_RUN : EXIT_OK;
      if (values.notify === false) return done;
      for (const line of [...channelsWithoutCredentials(config, env), ...notifyAddresses(config, env).conflicts]) io.stderr(`ztaudit fleet: warning: ${line}\n`);
      if (values.notify && !env.slack && !env.smtp) throw new ConfigError('--notify: no channel configured (set ZTAUDIT_SLACK_TOKEN + ZTAUDIT_SLACK_CHANNEL, or ZTAUDIT_SMTP_URL + ZTAUDIT_EMAIL_TO)');
      const outcomes = await sendFleetDigest(view, config, env, { force: values.notify === true, htmlPath: files.find((f) => f.endsWith('.html')) });
      let failed = false;
      for (const o of outcomes) {
        if (o.status === 'failed') failed = true;
        if (o.status !== 'skipped' || values.notify) io.stderr(`ztaudit fleet: ${o.channel} digest ${o.status}${o.detail ? `: ${o.detail}` : ''}\n`);
        const rejected = rejectedWarning(o, 'the digest');
        if (rejected) io.stderr(`ztaudit fleet: warning: ${rejected}\n`);
      }
      return failed ? EXIT_CANNOT_RUN : done;
    } finally {
      await store.close();
    }
  });
}

export const FLEET = defineCommand<FleetOptions>({
  name: 'fleet',
  summary: 'one report over every cluster in a store: scores with grades and deltas, regressions, worst clusters, common findings, expired and expiring waivers; a digest to Slack/email',
  define: (cmd) => {
    addStoreOptions(cmd)
      .option('--format <list>', `formats, comma-separated: ${FLEET_FORMATS.join(', ')}`, 'html,json')
      .option('--out <dir>', 'directory the fleet report is written to', 'reports')
      .option('--since <hours>', 'the window for regressions, in hours, 1 to 8760 (default: notify.fleetDigest.windowHours, else 24)')
      .option('--min-clusters <n>', 'list a finding as common when it is on at least this many clusters (default: 2)')
      .option('--config <file>', 'configuration file, for notify.fleetDigest and the channels (default: ./ztaudit.yaml when it exists)')
      .option('--notify', 'send the digest even when notify.fleetDigest says not to; fail when no channel is configured')
      .option('--no-notify', 'send no digest')
      .option('-q, --quiet', 'print nothing but warnings and errors');
  },
  examples: [
    'ztaudit fleet --history postgres://ztaudit@db.internal/ztaudit --format html,md --out fleet',
    'ztaudit fleet --history postgres://ztaudit@db.internal/ztaudit --since 168 --notify  # a weekly digest, sent now',
  ],
  exitCodes: ['0  the report was written (and the digest sent or skipped)', '2  the store or the configuration could not be read, or the store holds no run (a file that does not exist, an empty database: nothing is written, no digest sent), or a digest could not be sent, or some stored runs were unreadable (each named on stderr; the report is written without what they hold)'],
  run: (opts, _args, io) => fleetReport(opts, io),
});
