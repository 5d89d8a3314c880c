// `ztaudit fleet [--history URL] [--format html,json,md] [--out DIR] [--since HOURS]`: one
// report over every cluster in a store — scores with grades and deltas, regressions of the
// window, worst clusters per area, findings common to many clusters, expiring waivers,
// trends. With notify.fleetDigest configured (or --notify), a digest goes to Slack/email.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECK_BY_ID } from '../../checks/index.ts';
import { readEnv } from '../config/env.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../base/errors.ts';
import { fleetDataOf } from '../fleet/data.ts';
import { renderFleet } from '../fleet/render.ts';
import { buildFleetView, type FleetView } from '../fleet/view.ts';
import { digestSkipReason, sendEmailDigest, sendSlackDigest } from '../notify/fleet-digest.ts';
import { DEFAULT_FLEET_QUERY, type FleetQuery } from '../run/fleet.ts';
import type { NotificationOutcome } from '../run/types.ts';
import type { RunStore } from '../history/store.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';
import { STORE_OPTIONS, openStoreForReading, withStoreErrors } from './history.ts';

export const FLEET_USAGE = 'usage: ztaudit fleet [--history URL] [--format html,json,md] [--out DIR] [--since HOURS] [--min-clusters N] [--config FILE] [--notify|--no-notify]';

function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`--${flag} ${value}: must be a whole number from 1 to ${max}`);
  return n;
}

export function fleetQueryOf(config: Config, flags: { since?: string; 'min-clusters'?: string }, now: Date): FleetQuery {
  return {
    ...DEFAULT_FLEET_QUERY,
    now,
    sinceHours: flags.since ? positiveInt('since', flags.since, 8760) : config.notify.fleetDigest?.windowHours ?? DEFAULT_FLEET_QUERY.sinceHours,
    minClusters: flags['min-clusters'] ? positiveInt('min-clusters', flags['min-clusters'], 100_000) : DEFAULT_FLEET_QUERY.minClusters,
  };
}

/** The fleet digest on every configured channel, as notify.fleetDigest says. */
export async function sendFleetDigest(view: FleetView, config: Config, env: ReturnType<typeof readEnv>, opts: { force: boolean; htmlPath?: string }): Promise<NotificationOutcome[]> {
  const digest = config.notify.fleetDigest;
  const policy = opts.force ? 'always' : digest ? digest.policy ?? 'always' : 'never';
  const skip = digestSkipReason(view, policy);
  const out: NotificationOutcome[] = [];
  if (env.slack) {
    out.push(skip ? { channel: 'slack', status: 'skipped', detail: skip } : await sendSlackDigest(view, {
      token: env.slack.token, channel: digest?.slack?.channel ?? config.notify.slack?.channel ?? env.slack.channel,
      ...(env.slack.apiUrl ? { apiUrl: env.slack.apiUrl } : {}),
    }));
  }
  if (env.smtp) {
    const to = digest?.email?.to ?? config.notify.email?.to ?? env.smtp.to;
    out.push(skip ? { channel: 'email', status: 'skipped', detail: skip } : await sendEmailDigest(view, {
      smtpUrl: env.smtp.url, from: config.notify.email?.from ?? env.smtp.from ?? 'ztaudit@localhost', to,
      ...(opts.htmlPath ? { htmlPath: opts.htmlPath } : {}),
    }));
  }
  return out;
}

export async function fleetCommand(argv: string[], io: CliIO): Promise<number> {
  return withStoreErrors(io, 'fleet', async () => {
    const { values, positionals } = parseArgs({
      args: argv, strict: true, allowPositionals: true,
      options: {
        ...STORE_OPTIONS,
        format: { type: 'string', default: 'html,json' }, out: { type: 'string', default: 'reports' },
        since: { type: 'string' }, 'min-clusters': { type: 'string' }, config: { type: 'string' },
        notify: { type: 'boolean' }, 'no-notify': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' },
      },
    });
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"; ${FLEET_USAGE}`);
    if (values.notify && values['no-notify']) throw new ConfigError('--notify and --no-notify contradict each other');
    const { config, errors, warnings } = loadConfig(values.config, io.cwd, new Set(CHECK_BY_ID.keys()));
    if (errors.length > 0) throw new ConfigError(errors.join('\n'));
    for (const w of warnings) io.stderr(`ztaudit fleet: warning: ${w}\n`);
    const formats = values.format.split(',').map((f) => f.trim()).filter(Boolean);
    const query = fleetQueryOf(config, values, new Date());
    const env = readEnv(io.env);
    const store: RunStore = await openStoreForReading(values, io);
    try {
      const data = await fleetDataOf(store, query);
      const files = await renderFleet(data, { formats, outDir: resolve(io.cwd, values.out) });
      if (!values.quiet) for (const f of files) io.stdout(`wrote ${f}\n`);
      const view = buildFleetView(data);
      if (!values.quiet) io.stdout(`${view.totals.clusters} clusters, mean overall ${view.totals.meanOverall}, ${view.totals.regressed} regressed in the last ${query.sinceHours} h, ${view.common.length} finding shapes on ${query.minClusters}+ clusters, ${view.waivers.length} waivers expiring\n`);
      if (values['no-notify']) return EXIT_OK;
      if (values.notify && !env.slack && !env.smtp) throw new ConfigError('--notify: no channel configured (set ZTAUDIT_SLACK_TOKEN + ZTAUDIT_SLACK_CHANNEL, or ZTAUDIT_SMTP_URL + ZTAUDIT_EMAIL_TO)');
      const outcomes = await sendFleetDigest(view, config, env, { force: values.notify === true, htmlPath: files.find((f) => f.endsWith('.html')) });
      let failed = false;
      for (const o of outcomes) {
        if (o.status === 'failed') failed = true;
        if (o.status !== 'skipped' || values.notify) io.stderr(`ztaudit fleet: ${o.channel} digest ${o.status}${o.detail ? `: ${o.detail}` : ''}\n`);
      }
      return failed ? EXIT_CANNOT_RUN : EXIT_OK;
    } finally {
      await store.close();
    }
  });
}
