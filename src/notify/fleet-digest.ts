// The fleet digest (`notify.fleetDigest`): one Slack message and/or one email about the
// whole fleet after `ztaudit fleet` — clusters regressed in the window with their reasons,
// clusters not audited lately (stale: their regressions cannot show), the worst overall
// scores, findings common to many clusters, waivers expired or about to expire.
// Cluster names are hostile text: escaped for mrkdwn here and by Handlebars in the email.
import { readFile } from 'node:fs/promises';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { errorMessage } from '../base/errors.ts';
import { MAX_LINE, MAX_NAME, clip, oneLine, withoutControls } from '../base/plain-text.ts';
import { comparable, latestReadable, meanOverallText, noneReadText, regressedLeftOutText, unreadableLeftOutText, waiverDueDate, waiversDueText, type FleetView } from '../fleet/view.ts';
import { formatDate } from '../report/helpers.ts';
import { templateEnvironment } from '../report/html.ts';
import type { NotificationOutcome } from '../run/types.ts';
import { headerText, sentOrRejected, transportOf } from './email.ts';
import { mrkdwnCode, mrkdwnText, truncate, truncateMrkdwn } from './mrkdwn.ts';
import { clientOf, DEFAULT_SLACK_TIMEOUT_MS, postFailed, rateLimited } from './slack.ts';

export type DigestPolicy = 'regression' | 'always' | 'never';

/** Why no digest goes out, or null when it should. */
export function digestSkipReason(view: FleetView, policy: DigestPolicy): string | null {
  if (policy === 'never') return 'fleet digest policy is never';
  if (view.totals.clusters === 0) return 'the store holds no runs';
  // A cluster not audited lately cannot show its regressions: that is news too, never a quiet digest.
  // Nor while some cluster's newest run cannot be read: its state is unknown, never an all-clear.
  if (policy === 'regression' && view.regressions.length === 0 && view.totals.stale === 0 && view.totals.unreadable === 0) return `no cluster regressed in the last ${view.sinceHours} h`;
  return null;
}

const MAX_LINES = 10;

/** The clusters whose newest run cannot be read that the headline names; the rest are counted. */
const HEADLINE_NAMES = 3;
/** A name in the headline is cut to this many characters: one long name must not push the counts out of a 150-character Slack header. */
const HEADLINE_NAME_MAX = 40;

/**
 * "3 with the latest run unreadable (old, p and 1 more)", '' when none: their state is unknown
 * and the headline (a Slack notification's text, an inbox's subject) must not read as if every
 * cluster were counted in its figures. `name` shows a cluster name in the headline's format
 * (mrkdwnCode for Slack's text; oneLine, the default, for plain text and the email); null counts
 * them only (Slack's header block, 150 characters, where the section below it names them).
 */
export function unreadableHeadText(view: Pick<FleetView, 'unreadable'>, name: ((cluster: string) => string) | null = oneLine): string {
  const u = view.unreadable;
  if (u.length === 0) return '';
  const count = `${u.length} with the latest run unreadable`;
  if (!name) return count;
  const names = u.slice(0, HEADLINE_NAMES).map((x) => name(clip(x.cluster, HEADLINE_NAME_MAX)));
  return `${count} (${names.join(', ')}${u.length > HEADLINE_NAMES ? ` and ${u.length - HEADLINE_NAMES} more` : ''})`;
}

/** The digest's one-line header: the Slack header and notification text, the email's subject and first line. */
export function digestHeadline(view: FleetView, name: ((cluster: string) => string) | null = oneLine): string {
  const unreadable = unreadableHeadText(view, name);
  // The mean and the regressed count leave them out ("mean 95.0 without them", "1 regressed in 24 h
  // without them"): an older run's score and regression are not their state now.
  return `Fleet: ${view.totals.clusters} clusters, ${unreadable ? `${unreadable}, ` : ''}mean ${meanOverallText(view.totals, true)}, ${view.totals.regressed} regressed in ${view.sinceHours} h${regressedLeftOutText(view.totals, true)}, ${view.totals.stale} without a run in ${view.staleAfterHours} h`;
}

/**
 * What the digest says when no cluster regressed: never an all-clear while some cluster went
 * unaudited, or its newest run cannot be read (the digest lists which below it).
 */
function noRegressionText(view: FleetView): string {
  const n = view.totals.stale, u = view.totals.unreadable;
  return `No cluster regressed in the last ${view.sinceHours} h${u ? ` that could be read: the latest run of ${u} cluster${u === 1 ? '' : 's'} could not be read, state unknown` : ''}${n ? `; ${n} cluster${n === 1 ? '' : 's'} not audited in the last ${view.staleAfterHours} h, where a regression would not show` : ''}.`;
}

/**
 * The newest regression of each cluster, newest first (view.regressions is): a cluster that
 * regressed many times takes one line, and cannot push another cluster's out of the digest.
 */
function newestOfEach(regressions: FleetView['regressions']): FleetView['regressions'] {
  const seen = new Set<string>();
  return regressions.filter((r) => !seen.has(r.cluster) && Boolean(seen.add(r.cluster)));
}

/** The regressions of the window the digest does not show, counted from every cluster's (totals.regressionRuns), not from the list. */
function unshownRegressions(view: FleetView, shown: number): number {
  return Math.max(0, view.totals.regressionRuns - shown);
}

/** A cluster whose newest run cannot be read, as plain text (the cluster name is the caller's to escape). */
function unreadableRunText(u: FleetView['unreadable'][number]): string {
  return `latest run ${u.runId}${u.startedAt ? ` (${formatDate(u.startedAt)})` : ''} could not be read${u.shownBy ? `; last readable run ${u.shownBy}` : u.searched !== undefined ? `; ${noneReadText(u)}` : ''}`;
}

/** A stale cluster's last run, as plain text (the cluster name is the caller's to escape). */
function lastRunText(s: FleetView['stale'][number]): string {
  return `last run ${formatDate(s.startedAt)} (${s.daysAgo} day${s.daysAgo === 1 ? '' : 's'} ago)`;
}

export function buildSlackDigest(view: FleetView): { text: string; blocks: Array<Record<string, unknown>> } {
  // verbatim: Slack neither links bare URLs nor turns @channel into a mention in this text (slack.ts does the same).
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, 2900), verbatim: true } });
  // The header's text is the store's (counts, a mean): emoji false, so no `:name:` in it turns into an emoji (https://api.slack.com/reference/block-kit/composition-objects#text).
  const blocks: Array<Record<string, unknown>> = [{ type: 'header', text: { type: 'plain_text', text: truncate(`ztaudit ${digestHeadline(view, null)}`, 150), emoji: false } }];
  // As fleet.html and fleet.md say it above the list: the stores leave those clusters out of it.
  const unreadableNote = view.totals.unreadable ? `${mrkdwnText(unreadableLeftOutText(view.totals))}.\n` : '';
  if (view.regressions.length > 0) {
    const shown = newestOfEach(view.regressions).slice(0, MAX_LINES);
    const lines = shown.map((r) => `• ${mrkdwnCode(clip(r.cluster, MAX_NAME))} ${mrkdwnText(clip(r.reasons[0] ?? 'regression', MAX_LINE))}${r.reasons.length > 1 || r.more ? ` (+${r.reasons.length - 1 + r.more} more)` : ''}`);
    const more = unshownRegressions(view, shown.length);
    if (more > 0) lines.push(`… and ${more} more`);
    blocks.push(section(`*Regressions in the last ${view.sinceHours} h*\n${unreadableNote}${lines.join('\n')}`));
  } else {
    blocks.push(section(`${view.totals.stale || view.totals.unreadable ? ':warning:' : ':white_check_mark:'} ${noRegressionText(view)}`));
  }
  if (view.unreadable.length > 0) {
    const lines = view.unreadable.slice(0, MAX_LINES).map((u) => `• ${mrkdwnCode(clip(u.cluster, MAX_NAME))} ${mrkdwnText(unreadableRunText(u))}`);
    if (view.unreadable.length > MAX_LINES) lines.push(`… and ${view.unreadable.length - MAX_LINES} more`);
    blocks.push(section(`*:warning: Latest run could not be read: state unknown*\n${lines.join('\n')}`));
  }
  if (view.stale.length > 0) {
    const lines = view.stale.slice(0, MAX_LINES).map((c) => `• ${mrkdwnCode(clip(c.cluster, MAX_NAME))} ${lastRunText(c)}`);
    if (view.stale.length > MAX_LINES) lines.push(`… and ${view.stale.length - MAX_LINES} more`);
    blocks.push(section(`*:warning: Not audited in the last ${view.staleAfterHours} h*\n${lines.join('\n')}`));
  }
  // Ranked as the fleet report ranks them: a score graded n/a, or a cluster's older run (its latest unreadable), is left out, and counted.
  const worst = view.grid.filter((g) => latestReadable(g) && comparable(g.overall)).sort((a, b) => (a.overall.score as number) - (b.overall.score as number)).slice(0, 5);
  const leftOut = [
    ...(view.totals.meanLeftOut ? [`${view.totals.meanLeftOut} cluster${view.totals.meanLeftOut === 1 ? '' : 's'} graded n/a left out`] : []),
    ...(view.totals.unreadable ? [unreadableLeftOutText(view.totals)] : []),
  ];
  if (worst.length > 0 || leftOut.length > 0) blocks.push(section(`*Lowest overall scores*\n${[...worst.map((g) => `• ${mrkdwnCode(clip(g.cluster, MAX_NAME))} ${g.overall.text} (${g.overall.grade})${g.overall.deltaText ? ` ${g.overall.deltaText}` : ''}${g.partial ? ' (partial)' : ''}${g.stale ? ' (stale)' : ''}`), ...leftOut].join('\n')}`));
  if (view.common.length > 0) blocks.push(section(`*On many clusters*\n${unreadableNote}${view.common.slice(0, 5).map((c) => `• ${c.clusters} clusters${c.carriedText ? ` (${c.carriedText})` : ''}: ${mrkdwnCode(c.check)} on ${mrkdwnCode(clip(c.resource, MAX_NAME))} (${c.severity})`).join('\n')}`));
  if (view.waivers.length > 0) blocks.push(section(`*${waiversDueText(view)}*\n${unreadableNote}${view.waivers.slice(0, 5).map((w) => `• ${waiverDueDate(w)} ${mrkdwnCode(clip(w.cluster, MAX_NAME))} ${mrkdwnCode(w.check)} (owner ${mrkdwnText(w.owner)})`).join('\n')}${view.waivers.length > 5 ? `\n… and ${view.waivers.length - 5} more` : ''}`));
  // The notification text is mrkdwn: a name in it as inline code, escaped (`<!channel>` pings no one).
  return { text: `ztaudit ${digestHeadline(view, mrkdwnCode)}`, blocks };
}

/** How long the digest may take, rate-limit waits included, unless the caller says (notify.deadlineSeconds' default). */
const DIGEST_DEADLINE_MS = 60_000;

/**
 * The digest on Slack. A 429 is waited out as the run alert waits it out (rateLimited:
 * chat.postMessage allows about one message per second per channel and answers a burst
 * with 429 and Retry-After, https://docs.slack.dev/apis/web-api/rate-limits), within the
 * deadline; `signal` (or the deadline) aborts the wait and the request.
 */
export async function sendSlackDigest(view: FleetView, opts: { token: string; channel: string; apiUrl?: string; proxyEnv?: Record<string, string | undefined>; timeoutMs?: number; htmlPath?: string; signal?: AbortSignal; deadlineAt?: number }): Promise<NotificationOutcome> {
  const deadlineAt = opts.deadlineAt ?? Date.now() + DIGEST_DEADLINE_MS;
  const budgetMs = Math.max(0, deadlineAt - Date.now());
  const timeout = AbortSignal.timeout(budgetMs);
  const signal = AbortSignal.any([timeout, ...(opts.signal ? [opts.signal] : [])]);
  try {
    const client = clientOf({ token: opts.token, ...(opts.apiUrl ? { apiUrl: opts.apiUrl } : {}), ...(opts.proxyEnv ? { proxyEnv: opts.proxyEnv } : {}), timeoutMs: opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS, signal });
    const { text, blocks } = buildSlackDigest(view);
    const posted = await rateLimited(() => client.chat.postMessage({ channel: opts.channel, text, blocks: blocks as never, unfurl_links: false, unfurl_media: false }), { signal, deadlineAt });
    return { channel: 'slack', status: 'sent', detail: `fleet digest ${posted.ts ?? '?'} in ${posted.channel ?? opts.channel}` };
  } catch (error: unknown) {
    return timeout.aborted ? { channel: 'slack', status: 'failed', detail: `not sent within the ${Math.round(budgetMs / 1000)} s deadline` } : postFailed(error, 'the digest');
  }
}

/** The digest by email. `signal` (the channel's deadline) closes the connection at once, as for a run's email. */
export async function sendEmailDigest(view: FleetView, opts: { smtpUrl: string; from: string; to: string[]; htmlPath?: string; timeoutMs?: number; signal?: AbortSignal; proxy?: URL }): Promise<NotificationOutcome> {
  if (opts.to.length === 0) return { channel: 'email', status: 'skipped', detail: 'no recipients configured' };
  const subject = headerText(`[ztaudit] ${digestHeadline(view)}`);
  const transport = transportOf({ smtpUrl: opts.smtpUrl, timeoutMs: opts.timeoutMs ?? 15_000, ...(opts.proxy ? { proxy: opts.proxy } : {}) });
  try {
    const attachment = opts.htmlPath ? await readFile(opts.htmlPath) : null;
    // A name from the cluster cut to MAX_NAME characters, a reason naming one to MAX_LINE, as in the Slack digest.
    const regressions = newestOfEach(view.regressions).slice(0, 25).map((r) => ({ ...r, cluster: clip(r.cluster, MAX_NAME), reasons: r.reasons.map((x) => clip(x, MAX_LINE)) }));
    const common = view.common.slice(0, 10).map((c) => ({ ...c, resource: clip(c.resource, MAX_NAME) }));
    // Every control character but line breaks and tabs comes from the data: escaped, as in fleet.html.
    const html = withoutControls(templateEnvironment().template('fleet-digest-email')({
      // The mean with the clusters it leaves out, as the subject says it (those whose latest run could not be read: "without them", after their count).
      subject, view, mean: meanOverallText(view.totals, true), regressedLeftOut: regressedLeftOutText(view.totals, true), unreadableHead: unreadableHeadText(view), regressions, more: unshownRegressions(view, regressions.length), noRegression: noRegressionText(view),
      stale: view.stale.slice(0, 25).map((c) => ({ cluster: clip(c.cluster, MAX_NAME), lastRun: lastRunText(c) })), moreStale: Math.max(0, view.stale.length - 25),
      unreadable: view.unreadable.slice(0, 25).map((u) => ({ cluster: clip(u.cluster, MAX_NAME), text: unreadableRunText(u) })), moreUnreadable: Math.max(0, view.unreadable.length - 25),
      common, leftOutUnreadable: unreadableLeftOutText(view.totals), waiversDue: waiversDueText(view), waivers: view.waivers.slice(0, 10).map((w) => ({ ...w, cluster: clip(w.cluster, MAX_NAME), due: waiverDueDate(w) })), attached: attachment !== null,
    }));
    const note = view.totals.unreadable ? [`${unreadableLeftOutText(view.totals)}.`] : [];
    const text = [
      digestHeadline(view), '',
      ...(view.regressions.length ? [...note, ...regressions.map((r) => `- ${oneLine(r.cluster)}: ${oneLine(r.reasons.join('; '))}`)] : [noRegressionText(view)]),
      ...(unshownRegressions(view, regressions.length) > 0 ? [`and ${unshownRegressions(view, regressions.length)} more`] : []),
      ...(view.stale.length ? ['', `Not audited in the last ${view.staleAfterHours} h:`, ...view.stale.slice(0, 25).map((c) => `- ${oneLine(clip(c.cluster, MAX_NAME))}: ${lastRunText(c)}`)] : []),
      ...(view.stale.length > 25 ? [`and ${view.stale.length - 25} more`] : []),
      ...(view.unreadable.length ? ['', 'Latest run could not be read (state unknown):', ...view.unreadable.slice(0, 25).map((u) => `- ${oneLine(clip(u.cluster, MAX_NAME))}: ${oneLine(unreadableRunText(u))}`)] : []),
      ...(view.unreadable.length > 25 ? [`and ${view.unreadable.length - 25} more`] : []),
      ...(view.common.length ? ['', 'Findings on many clusters:', ...note, ...common.map((c) => `- ${c.clusters} clusters${c.carriedText ? ` (${c.carriedText})` : ''}: ${oneLine(c.check)} on ${oneLine(c.resource)} (${c.severity})`)] : []),
      ...(view.waivers.length ? ['', `${waiversDueText(view)}:`, ...note, ...view.waivers.slice(0, 10).map((w) => `- ${waiverDueDate(w)} ${oneLine(clip(w.cluster, MAX_NAME))} ${oneLine(w.check)} (owner ${oneLine(w.owner)})`)] : []),
    ].join('\n');
    const info = await transport.sendMail({
      from: opts.from, to: opts.to, subject, html, text: `${text}\n`,
      ...(attachment ? { attachments: [{ filename: 'fleet.html', content: attachment, contentType: 'text/html; charset=utf-8' }] } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    } as Mail.Options & { signal?: AbortSignal });
    return sentOrRejected(info, `fleet digest ${info.messageId}`);
  } catch (error: unknown) {
    return { channel: 'email', status: 'failed', detail: errorMessage(error) };
  } finally {
    transport.close();
  }
}
