// Slack alerts for on-call: a Block Kit message (cluster, score and change, the most severe
// new findings, how many were resolved), the details in a thread reply, and the HTML report
// uploaded into that thread (files.getUploadURLExternal -> upload -> files.completeUploadExternal,
// through the SDK's filesUploadV2). Every cluster-supplied string is escaped (see mrkdwn.ts).
// Nothing is retried but a rate limit: Slack has no idempotency key, so a post that timed out
// or met a 5xx may have been posted, and a retry would post it twice. A 429 (nothing was posted)
// is waited out here (Retry-After), but only when the wait fits the channel's deadline: a
// `Retry-After: 3600` fails at once instead of holding the run for an hour. A post that got no
// answer is failed with maybeDelivered (warned about, not sent again by the next run). `signal` (the
// deadline, or SIGTERM in serve) aborts requests in flight and every pending wait. A failure
// is returned as {status:'failed'}, never thrown.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { AREAS, SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { checkCoverage, gradeFor, notEvaluated, partialScoreNote } from '../engine/score.ts';
import { errorMessage } from '../base/errors.ts';
import { MAX_LINE, MAX_NAME, clip, oneLine } from '../base/plain-text.ts';
import type { Finding, NotificationOutcome, RunReport } from '../run/types.ts';
import { foldForMessage, newFindingsOf, newlyWaivedRowsOf, notJudgedLines, notJudgedNote, olderBaselinesNote, partialInputNote, resourceText, scoreAgainstVerdict, widenedRowsOf } from '../report/view/index.ts';
import { carriedText, runCounts, severityCountText } from '../report/counts.ts';
import { mrkdwnCode, mrkdwnText, truncate, truncateMrkdwn } from './mrkdwn.ts';
import { FAILURE_TEXT, alertReasons, alerting, heldBackText, skipReason, type FailureKind, type NotifyPolicy } from './policy.ts';
import { isBlind } from '../run/coverage.ts';
import { fetchVia } from './proxy-fetch.ts';

export interface SlackOptions {
  token: string;
  channel: string;
  /** Web API base URL, e.g. a relay or a test server (default https://slack.com/api/). */
  apiUrl?: string;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY (either case) as set: the requests go through that proxy (proxy-fetch.ts). */
  proxyEnv?: Record<string, string | undefined>;
  htmlReportPath?: string;
  policy: NotifyPolicy;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  logger?: Logger;
  /** Aborts everything (the channel's deadline, or shutdown); its reason is the outcome's detail. */
  signal?: AbortSignal;
  /** When `signal` fires at the latest (epoch ms): a rate-limit wait beyond it fails at once. */
  deadlineAt?: number;
}

export type SlackFailureOptions = Omit<SlackOptions, 'htmlReportPath' | 'policy'> & { policy?: NotifyPolicy; clusterName?: string; failure?: FailureKind };


const SEV_ICON: Record<Severity, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':large_blue_circle:' };
const TOP_NEW = 5;
const MAX_PARTIAL = 5;
const THREAD_NEW = 25;
const SECTION_MAX = 2900; // Slack rejects section text above 3000 characters.
const MAX_BLOCKS = 50; // and a message with more than 50 blocks.
const MAX_GAPS = 15;
const MAX_NEWLY_WAIVED = 10;

type Block = { type: string; [field: string]: unknown };
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, SECTION_MAX), verbatim: true } });

/**
 * A list under its heading, in as many sections as it needs up to `maxBlocks`: whole lines
 * while they fit a section (only a line longer than a section on its own is cut, its code spans
 * closed), never a line cut off mid-way by Slack's limit. `more(shown)` is the last line when
 * some were not shown (undefined when all were), counting exactly what was left out; lines make
 * room for it, but the first line stays listed: cut short, if it must, to fit beside the tail,
 * so a list never says "…and N more" of nothing shown.
 */
function listSections(heading: string, lines: readonly string[], maxBlocks: number, more: (shown: number) => string | undefined): Block[] {
  const sections: string[][] = [[heading]];
  const size = (ls: readonly string[]) => ls.join('\n').length;
  let shown = 0;
  for (const raw of lines) {
    const line = truncateMrkdwn(raw, SECTION_MAX);
    const last = sections[sections.length - 1]!;
    if (size(last) + 1 + line.length <= SECTION_MAX) last.push(line);
    else if (sections.length < maxBlocks) sections.push([line]);
    else break;
    shown++;
  }
  for (let tail = more(shown); tail !== undefined; tail = more(shown)) {
    const last = sections[sections.length - 1]!;
    if (size(last) + 1 + tail.length <= SECTION_MAX) { last.push(tail); break; }
    if (sections.length < maxBlocks) { sections.push([tail]); break; }
    if (shown > 1) { last.pop(); shown--; continue; }
    if (shown === 0) { last.push(truncateMrkdwn(tail, SECTION_MAX - 1 - size(last))); break; }
    // The one line listed (after the heading, when it shares its section) is cut to leave the tail room.
    const room = SECTION_MAX - 1 - tail.length - (last.length > 1 ? size(last.slice(0, -1)) + 1 : 0);
    last[last.length - 1] = truncateMrkdwn(last[last.length - 1]!, room);
    last.push(tail);
    break;
  }
  return sections.map((ls) => section(ls.join('\n')));
}

/**
 * What a listed finding implies: the open findings folded under it, then the waived ones, counted
 * and named apart ("8 open: … · 1 waived: …"), as report.html's "Also follows from this" marks them.
 */
function impliesText(implied: readonly Finding[], waived: readonly Finding[]): string {
  if (implied.length === 0 && waived.length === 0) return '';
  const names = (list: readonly Finding[], max: number) => `${list.slice(0, max).map((x) => mrkdwnCode(x.check)).join(', ')}${list.length > max ? ', …' : ''}`;
  if (waived.length === 0) return `\n      ↳ also implies ${implied.length}: ${names(implied, 6)}`;
  // Every one waived: said as the email says it, with no "0 open".
  if (implied.length === 0) return `\n      ↳ also implies ${waived.length} waived (not counted as open): ${names(waived, 3)}`;
  return `\n      ↳ also implies ${implied.length} open: ${names(implied, 6)} · ${waived.length} waived (not counted as open): ${names(waived, 3)}`;
}

/** "…and N more <where>", or nothing when N is 0. */
const moreText = (n: number, where: string) => (n > 0 ? `…and ${n} more ${where}` : undefined);

const scoreText = (n: number | null) => (n === null ? 'n/a' : String(n));
function deltaText(d: number | null | undefined): string {
  if (d === null || d === undefined) return '';
  if (d === 0) return ' (±0 since last run)';
  return d > 0 ? ` (▲ +${d} since last run)` : ` (▼ −${Math.abs(d)} since last run)`;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
  thread: { text: string; blocks: Block[] };
}

/** The run's counts in one line, the same numbers as every other output (report/counts.ts). */
export function countsText(report: RunReport): string {
  const c = runCounts(report);
  const sev = SEVERITIES.map((s) => `${severityCountText(c, s)} ${s}`).join(', ');
  const carried = carriedText(c);
  return `${c.open.toLocaleString('en-US')} open findings${carried ? ` (${mrkdwnText(carried)})` : ''} (${sev}) · ${c.waived.toLocaleString('en-US')} waived · ${c.notEvaluated} checks not evaluated · ${c.notApplicable} not applicable`;
}

/**
 * The cluster name as inline code in at most `room` characters, escaped (mrkdwnCode: a line break
 * shown as \u000a): cut never inside a character (clip, as the email's subject), as long as it fits.
 */
function clusterCode(name: string, room: number): string {
  if (mrkdwnCode(name).length <= room) return mrkdwnCode(name);
  let lo = 1, hi = name.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (mrkdwnCode(clip(name, mid)).length <= room) lo = mid; else hi = mid - 1;
  }
  return mrkdwnCode(clip(name, lo));
}

/** The message and its thread reply, built purely from the report. */
export function buildSlackMessage(report: RunReport): SlackMessage {
  const d = report.diff;
  const fresh = newFindingsOf(report);
  const bySev = SEVERITIES.map((s) => [s, fresh.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const headline = alerting(report) ? 'Compliance regression' : 'Compliance report';
  const all = checkCoverage(report.checks);
  // A partial run's overall is over what could be read: said beside it, as every other output says it.
  const partialNote = partialScoreNote(report.score, report.checks, false);
  const share = notEvaluated(all) > 0 ? `, ${all.evaluated}/${all.applicable} checks evaluated${partialNote ? `; ${partialNote}` : ''}` : '';
  // An area scored over findings judged without an input that could not be read says so too.
  const partialInputAreas = AREAS.filter((a) => partialInputNote(report.checks, a, report.score.areas[a]) !== '');
  const score = `${scoreText(report.score.overall)} (grade ${gradeFor(report.score.overall, all)}${share})${deltaText(d?.scoreDelta.overall)}${partialInputAreas.length > 0 ? ` — ${partialInputAreas.join(', ')} score computed on partial input` : ''}`;
  // A score that rose in a regression (or fell in none) is said with what moved it, under it.
  const against = scoreAgainstVerdict(d);
  const againstLine = against ? `\n:warning: ${mrkdwnText(truncate(against.text, 600))}` : '';
  const partial = report.run.partial ?? [];
  // A long cluster name is what gets cut, as in the email's subject: the score always shows.
  const cluster = clusterCode(report.run.cluster.name, SECTION_MAX - '*Cluster* '.length - `\n*Score* ${score}${againstLine}`.length);

  const blocks: Block[] = [
    // emoji false: a plain_text with emoji true turns `:name:` into an emoji (https://api.slack.com/reference/block-kit/composition-objects#text), so no header ever asks for it.
    { type: 'header', text: { type: 'plain_text', text: `ztaudit: ${headline}`, emoji: false } },
    section(`*Cluster* ${cluster}\n*Score* ${score}${againstLine}`),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*New findings*\n${d && !d.bySummary ? d.new.length : 'n/a'}${bySev.length ? ` (${bySev.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`, verbatim: true },
        { type: 'mrkdwn', text: `*Resolved*\n${d && !d.bySummary ? d.resolved.length : 'n/a'}`, verbatim: true },
      ],
    },
  ];
  // Each list gets whole lines in as many sections as the message's 50 blocks allow, and says
  // exactly how many it did not show.
  const partialBlocks = partial.length === 0 ? [] : listSections(
    ':warning: *Partial run*: what could not be read was not evaluated (no grade for those areas)',
    partial.slice(0, MAX_PARTIAL).map((p) => `• partial: ${mrkdwnText(truncate(p, 300))}`), 2,
    (shown) => moreText(partial.length - shown, 'in report.json'),
  );
  // Namespaces not judged (their Namespace objects not in the input): graded over the others alone.
  const unjudgedAreas = notJudgedLines(report);
  const unjudgedBlocks = unjudgedAreas.length === 0 ? [] : listSections(
    ':warning: *Not judged*: namespaces whose Namespace objects are not in the input (those areas are graded over the other namespaces alone)',
    unjudgedAreas.map((p) => `• not judged: ${mrkdwnText(truncate(p, 300))}`), 1,
    () => undefined,
  );
  const watch = report.run.trigger === 'watch' ? report.run.watch : undefined;
  const causes = d?.regression ? watch?.causes ?? [] : [];
  const changes = causes.length > 0 ? causes : watch?.changes.slice(0, 5) ?? [];
  const watchBlocks = !watch ? [] : listSections(
    `*${causes.length > 0 ? 'Caused by' : 'Changes'}* (watch run, ${watch.reevaluated.length} checks re-evaluated)${watch.heldBack ? `\n:repeat: ${heldBackText(watch.heldBack)}` : ''}`,
    changes.map((c) => `• ${mrkdwnText(c)}`), 2,
    (shown) => { const n = watch.changeCount - shown; return n > 0 ? `…and ${n} more change${n === 1 ? '' : 's'}` : undefined; },
  );
  // One cause, one line: a new finding implied by another new one rides on its line.
  // A waived finding folded under a listed one is named on its line as waived, apart from the open ones it implies.
  const folded = foldForMessage(fresh, report.findings);
  const line = ({ finding: f, implied, waived }: (typeof folded)[number]) =>
    `${SEV_ICON[f.severity]} *${f.severity}* ${mrkdwnCode(f.check)} on ${mrkdwnCode(clip(resourceText(f.resource), MAX_NAME))}: ${mrkdwnText(truncate(f.message, 300))}${impliesText(implied, waived)}`;
  // The new findings not on the first `shown` lines (a line shows its implied findings too).
  const freshAfter = (shown: number) => fresh.length - folded.slice(0, shown).reduce((n, x) => n + 1 + x.implied.length, 0);
  const topBlocks = folded.length === 0 ? [] : listSections('*Top new findings*', folded.slice(0, TOP_NEW).map(line), 2, (shown) => moreText(freshAfter(shown), 'in the thread'));
  // Why no RBAC breadth growth could be an alert this run: its run ids and API groups are the cluster's.
  const breadthBlocks = d?.breadthNotCompared ? [section(`:information_source: ${mrkdwnText(truncate(d.breadthNotCompared, 1500))}.`)] : [];
  const reasons = alertReasons(report);
  const reasonBlocks = reasons.length === 0 ? [] : listSections(
    '*Why this is a regression*', reasons.map((r) => `• ${mrkdwnText(clip(r, MAX_LINE))}`),
    // header, cluster and score, counts, context, and the other lists
    MAX_BLOCKS - 4 - partialBlocks.length - unjudgedBlocks.length - breadthBlocks.length - watchBlocks.length - topBlocks.length,
    (shown) => moreText(reasons.length - shown, 'in report.json'),
  );
  blocks.push(...partialBlocks, ...unjudgedBlocks, ...reasonBlocks, ...breadthBlocks, ...watchBlocks, ...topBlocks);
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`Run ${mrkdwnCode(report.run.id)} · ${report.run.startedAt} · ${countsText(report)} · details and the HTML report in the thread`, SECTION_MAX), verbatim: true }],
  });
  const text = `ztaudit: ${headline.toLowerCase()} on ${cluster}, score ${score}${against ? ` (${against.said})` : ''}${causes.length > 0 ? ` — caused by ${mrkdwnText(truncate(causes.join(', '), 300))}` : ''}${partial.length ? ` — partial: ${mrkdwnText(truncate(partial[0]!, 150))}${partial.length > 1 ? ` (+${partial.length - 1} more)` : ''}` : ''}`;

  const threadBlocks: Block[] = [];
  const gaps = report.checks.filter((c) => isBlind(c.status));
  const gapBlocks = gaps.length === 0 ? [] : listSections(
    `*Not evaluated* (${gaps.length})`, gaps.slice(0, MAX_GAPS).map((c) => `• ${mrkdwnCode(c.id)}: ${mrkdwnText(c.reason ?? c.status)}`), 5,
    (shown) => moreText(gaps.length - shown, 'in report.json'),
  );
  const waived = newlyWaivedRowsOf(report);
  const waivedBlocks = waived.length === 0 ? [] : listSections(
    `*New findings a waiver covers* (${waived.length}, not scored)`,
    waived.slice(0, MAX_NEWLY_WAIVED).map((w) => `• ${mrkdwnCode(w.check)} on ${mrkdwnCode(clip(w.resource, MAX_NAME))}: waiver on ${mrkdwnCode(clip(w.waiver, MAX_NAME))} ${w.throughRelated ? '*covers it only through related objects*' : 'names it'}${w.widened ? `; not new, it widened: ${mrkdwnText(clip(w.widened, MAX_LINE))}` : ''}`), 2,
    (shown) => moreText(waived.length - shown, 'in report.json'),
  );
  const widened = widenedRowsOf(report);
  const widenedBlocks = widened.length === 0 ? [] : listSections(
    `*Persisting findings that now cover more* (${widened.length})`,
    widened.slice(0, MAX_NEWLY_WAIVED).map((w) => `• ${mrkdwnCode(w.check)} on ${mrkdwnCode(clip(w.resource, MAX_NAME))}: ${mrkdwnText(clip(w.text, MAX_LINE))}`), 2,
    (shown) => moreText(widened.length - shown, 'in report.json'),
  );
  if (folded.length > 0) {
    // resolved and persisting, scores by area, the newly waived, and what was not evaluated
    threadBlocks.push(...listSections(`*New findings* (${fresh.length})`, folded.slice(0, THREAD_NEW).map(line), MAX_BLOCKS - 2 - waivedBlocks.length - widenedBlocks.length - gapBlocks.length, (shown) => moreText(freshAfter(shown), 'in report.json')));
  }
  threadBlocks.push(...widenedBlocks, ...waivedBlocks);
  const older = olderBaselinesNote(d);
  const unjudged = notJudgedNote(d);
  if (d) threadBlocks.push(section(`*Resolved since run* ${mrkdwnCode(d.previousRunId)}: ${d.resolved.length}\n*Persisting*: ${d.persisting}${unjudged ? `\n${mrkdwnText(unjudged)}` : ''}${older ? `\n${mrkdwnText(older)}` : ''}`));
  const areas = AREAS.map((a) => {
    const cov = checkCoverage(report.checks, a);
    const missing = notEvaluated(cov) > 0 ? ` (${cov.evaluated}/${cov.applicable} checks evaluated, no grade)` : ` (grade ${gradeFor(report.score.areas[a], cov)})`;
    const partialInput = partialInputNote(report.checks, a, report.score.areas[a]);
    return `• ${a}: ${scoreText(report.score.areas[a])}${missing}${deltaText(d?.scoreDelta.areas[a])}${partialInput ? ` — ${mrkdwnText(partialInput)}` : ''}`;
  });
  threadBlocks.push(section(`*Scores by area*\n${areas.join('\n')}`));
  threadBlocks.push(...gapBlocks);
  return { text, blocks, thread: { text: `Details for run ${mrkdwnCode(report.run.id)}`, blocks: threadBlocks } };
}

const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {},
};

export const DEFAULT_SLACK_TIMEOUT_MS = 15_000;

export function clientOf(opts: Pick<SlackOptions, 'token' | 'apiUrl' | 'timeoutMs' | 'logger' | 'signal' | 'proxyEnv'>): WebClient {
  const apiUrl = opts.apiUrl ? (opts.apiUrl.endsWith('/') ? opts.apiUrl : `${opts.apiUrl}/`) : undefined;
  const { signal } = opts;
  const timeout = opts.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const send = fetchVia(opts.proxyEnv, timeout);
  return new WebClient(opts.token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    // The SDK retries a timeout and a 5xx (p-retry), which posts a message twice when the first
    // try was posted but its answer was slow or lost.
    retryConfig: { retries: 0 },
    timeout,
    // Rate limits are waited out by rateLimited(), within the deadline; the SDK would sleep
    // for whatever Retry-After says, unabortably.
    rejectRateLimitedCalls: true,
    fetch: signal ? (url: string | URL | Request, init?: RequestInit) => send(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }) : send,
    logger: opts.logger ?? silentLogger,
  });
}

const MAX_RATE_LIMIT_WAITS = 3;

/** Calls `fn`, waiting out a 429's Retry-After when it ends before `signal` would fire. */
export async function rateLimited<T>(fn: () => Promise<T>, opts: Pick<SlackOptions, 'signal' | 'deadlineAt'>): Promise<T> {
  const { signal } = opts;
  for (let attempt = 0; ; attempt++) {
    try {
      signal?.throwIfAborted();
      return await fn();
    } catch (error: unknown) {
      const retryAfter = (error as { code?: unknown; retryAfter?: unknown } | null)?.code === 'slack_webapi_rate_limited_error'
        ? Number((error as { retryAfter?: unknown }).retryAfter) : NaN;
      if (!Number.isFinite(retryAfter)) throw error;
      const left = opts.deadlineAt === undefined ? Number.POSITIVE_INFINITY : opts.deadlineAt - Date.now();
      if (attempt >= MAX_RATE_LIMIT_WAITS || retryAfter * 1000 >= left) {
        throw new Error(`rate limited by Slack (Retry-After ${retryAfter} s${Number.isFinite(left) ? `, more than the ${Math.max(0, Math.round(left / 1000))} s left before the notify deadline` : ''})`);
      }
      await abortableSleep(retryAfter * 1000, signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether a failed call may still have done its work: the request went out and no answer came
 * back (the per-request timeout, or the connection dropped mid-request).
 */
export function outcomeUnknown(error: unknown): boolean {
  if ((error as { code?: unknown } | null)?.code !== 'slack_webapi_request_error') return false;
  const original = (error as { original?: unknown }).original;
  if (original instanceof Error && original.name === 'TimeoutError') return true;
  const cause = (original as { cause?: { code?: unknown } } | null)?.cause?.code;
  return cause === 'UND_ERR_SOCKET' || cause === 'ECONNRESET';
}

/** A failed post, maybeDelivered when it may have been posted all the same. */
export function postFailed(error: unknown, what: string): NotificationOutcome {
  if (!outcomeUnknown(error)) return { channel: 'slack', status: 'failed', detail: slackError(error) };
  return {
    channel: 'slack', status: 'failed', maybeDelivered: true,
    detail: `no answer to chat.postMessage (${slackError(error)}): ${what} may have been posted, so it is not sent again`,
  };
}

/** How long before the channel's deadline a notifier stops its own requests. */
const DEADLINE_MARGIN_MS = 250;

/**
 * `opts` with a signal that also fires just before `deadlineAt`: the notifier then ends with
 * its own outcome (sent, with the thread reply cut short; or maybe delivered, a post cut off
 * before its answer) instead of the deadline's bare failure, which would have the next run
 * post the alert again.
 */
function stoppingBeforeDeadline<T extends Pick<SlackOptions, 'signal' | 'deadlineAt'>>(opts: T): T {
  if (opts.deadlineAt === undefined) return opts;
  const early = new AbortController();
  // A TimeoutError, as the SDK's own timeout: a post it cuts off is one that got no answer.
  setTimeout(() => early.abort(new DOMException('stopped at the notify deadline (notify.deadlineSeconds)', 'TimeoutError')), Math.max(0, opts.deadlineAt - Date.now() - DEADLINE_MARGIN_MS)).unref();
  return { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, early.signal]) : early.signal };
}

/**
 * The Slack error code when there is one (e.g. channel_not_found), else the message, with why
 * a request failed below HTTP: the SDK says "fetch failed" for a refused connection, a name not
 * found and a reset alike; the cause (as email says it) tells them apart.
 */
export function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  if (data && typeof data.error === 'string') return data.error;
  const cause = requestCause(error);
  return cause ? `${errorMessage(error)}: ${cause}` : errorMessage(error);
}

/** e.g. "connect ECONNREFUSED 127.0.0.1:9": node's message names the code and the address, never a header. */
function requestCause(error: unknown): string | null {
  if ((error as { code?: unknown } | null)?.code !== 'slack_webapi_request_error') return null;
  const cause = ((error as { original?: unknown }).original as { cause?: unknown } | null)?.cause;
  if (!(cause instanceof Error)) return null;
  // Every address of a name refused (IPv6, then IPv4): one AggregateError, its own message empty.
  const parts = cause instanceof AggregateError && cause.message === '' ? cause.errors.map((e: unknown) => errorMessage(e)) : [errorMessage(cause)];
  const text = [...new Set(parts.filter((p) => p !== ''))].join('; ');
  return text === '' ? null : oneLine(text);
}

export async function notifySlack(report: RunReport, given: SlackOptions): Promise<NotificationOutcome> {
  const skip = skipReason(report, given.policy);
  if (skip) return { channel: 'slack', status: 'skipped', detail: skip };
  const opts = stoppingBeforeDeadline(given);
  try {
    const client = clientOf(opts);
    const msg = buildSlackMessage(report);
    const posted = await rateLimited(() => client.chat.postMessage({ channel: opts.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false }), opts);
    const ts = posted.ts;
    const channelId = posted.channel ?? opts.channel;
    if (!ts) return { channel: 'slack', status: 'failed', detail: 'chat.postMessage returned no message timestamp' };
    const problems: string[] = [];
    try {
      await rateLimited(() => client.chat.postMessage({ channel: channelId, thread_ts: ts, text: msg.thread.text, blocks: msg.thread.blocks, unfurl_links: false, unfurl_media: false }), opts);
    } catch (error: unknown) {
      problems.push(`thread reply failed: ${slackError(error)}`);
    }
    if (opts.htmlReportPath) {
      try {
        const file = await readFile(opts.htmlReportPath);
        await rateLimited(() => client.filesUploadV2({
          channel_id: channelId, thread_ts: ts, file, filename: basename(opts.htmlReportPath!) || 'report.html',
          title: `ztaudit report ${report.run.id}`,
        }), opts);
      } catch (error: unknown) {
        problems.push(`report upload failed: ${slackError(error)}`);
      }
    }
    return { channel: 'slack', status: 'sent', detail: [`message ${ts} in ${channelId}`, ...problems].join('; ') };
  } catch (error: unknown) {
    return postFailed(error, 'the alert');
  }
}

/** "The audit could not run": silence must never look like compliance. */
export async function notifySlackFailure(reason: string, given: SlackFailureOptions): Promise<NotificationOutcome> {
  if (given.policy === 'never') return { channel: 'slack', status: 'skipped', detail: 'notification policy is never' };
  const opts = stoppingBeforeDeadline(given);
  try {
    const client = clientOf(opts);
    const where = opts.clusterName ? ` on ${mrkdwnCode(opts.clusterName)}` : '';
    const text = FAILURE_TEXT[opts.failure ?? 'not-run'];
    const blocks: Block[] = [
      { type: 'header', text: { type: 'plain_text', text: `ztaudit: ${text.title}`, emoji: false } },
      section(`:warning: The scheduled audit${where} ${text.lede}\n*Reason* ${mrkdwnText(truncate(reason, 1500))}`),
    ];
    const posted = await rateLimited(() => client.chat.postMessage({ channel: opts.channel, text: `ztaudit: ${text.title}${where}: ${mrkdwnText(truncate(reason, 500))}`, blocks, unfurl_links: false, unfurl_media: false }), opts);
    return { channel: 'slack', status: 'sent', detail: `message ${posted.ts ?? '?'} in ${posted.channel ?? opts.channel}` };
  } catch (error: unknown) {
    return postFailed(error, 'the alert');
  }
}
