// Email for reviewers and managers: an HTML summary (templates/email.hbs, plus a plain-text
// part) with the full HTML report attached. Rendering goes through the same isolated
// Handlebars environment as the report, so cluster names are escaped the same way; header
// values are stripped of line breaks. A failure is returned as {status:'failed'}, never thrown.
// Credentials never cross the wire in clear text: with a user or password in an smtp:// URL,
// STARTTLS is required (nodemailer's requireTLS) unless the URL says `requireTLS=false`
// explicitly. `signal` (the channel's deadline, or shutdown) closes the connection at once,
// so a server that trickles its greeting cannot hold a run.
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Socket } from 'node:net';
import { errorMessage } from '../base/errors.ts';
import { openTunnel } from '../kube/proxy.ts';
import { MAX_LINE, MAX_NAME, clip, oneLine, withoutControls } from '../base/plain-text.ts';
import { templateEnvironment } from '../report/html.ts';
import type { NotificationOutcome, RunReport } from '../run/types.ts';
import { buildView, foldForMessage, newFindingsOf, newlyWaivedRowsOf, olderBaselinesNote, resourceText, scoreAgainstVerdict, widenedRowsOf } from '../report/view/index.ts';
import { FAILURE_TEXT, alertReasons, alerting, heldBackText, skipReason, type FailureKind, type NotifyPolicy } from './policy.ts';

export interface EmailOptions {
  /** smtp:// or smtps:// URL, credentials included (from the environment, never the config file). */
  smtpUrl: string;
  from: string;
  to: string[];
  htmlReportPath?: string;
  policy: NotifyPolicy;
  /** Connection, greeting and socket timeout in milliseconds. */
  timeoutMs?: number;
  /** Aborts the send (deadline or shutdown) and closes the connection. */
  signal?: AbortSignal;
  /** The proxy SMTP is tunnelled through (HTTP CONNECT, or SOCKS5); none: straight to the server. */
  proxy?: URL;
}

export type EmailFailureOptions = Omit<EmailOptions, 'htmlReportPath' | 'policy'> & { policy?: NotifyPolicy; clusterName?: string; failure?: FailureKind };

const SEV_COLOR = { critical: '#b91c1c', high: '#c2410c', medium: '#a16207', low: '#1d4ed8' } as const;
const GRADE_COLOR: Record<string, string> = { A: '#15803d', B: '#65a30d', C: '#ca8a04', D: '#ea580c', F: '#b91c1c' };
const MAX_NEW = 15;
const MAX_PARTIAL = 10;

const MAX_SUBJECT = 200;

/**
 * A header value: one line, bounded, never cut inside a character or a `\u000a` escape. Every
 * control character is shown as its escape, as in the text part (oneLine): a line break, carriage
 * return or tab as `\u000a`, `\u000d`, `\u0009`, so "web\nadmin" does not read as "web admin"; a
 * vertical tab, form feed or NEL (which a mail client may show as a break) as `\u000b`, `\u000c`,
 * `\u0085`; ESC and the C1 CSI as `\u001b`, `\u009b`, which a terminal mail client then cannot run.
 */
export function headerText(value: string, max = MAX_SUBJECT): string {
  const shown = oneLine(value);
  const cut = clip(shown, max);
  if (cut === shown) return cut;
  // An escape the cut went through is left out whole.
  return cut.replace(/\\(u[0-9a-f]{0,3})?…$/, '…');
}

export interface EmailContent { subject: string; html: string; text: string }

/** serve --watch: the changes that most likely caused the regression, one line each. */
function watchCauses(report: RunReport): string[] {
  if (!report.diff?.regression) return [];
  const h = report.run.watch?.heldBack;
  return [...(report.run.watch?.causes ?? []).map((c) => `caused by (watch): ${c}`), ...(h ? [heldBackText(h)] : [])];
}

export function buildEmail(report: RunReport, attached: boolean): EmailContent {
  const view = buildView(report);
  const d = report.diff;
  const fresh = newFindingsOf(report);
  // One cause, one line: a new finding implied by another new one is listed under it.
  // A waived finding folded under a listed one is named under it as waived, apart from the open ones.
  const folded = foldForMessage(fresh, report.findings);
  const alert = alerting(report);
  // A name from the cluster is cut to MAX_NAME characters, a reason naming one to MAX_LINE, as in Slack: one name of thousands must not bury the rest.
  const waived = newlyWaivedRowsOf(report).map((w) => ({ ...w, resource: clip(w.resource, MAX_NAME), waiver: clip(w.waiver, MAX_NAME), ...(w.widened ? { widened: clip(w.widened, MAX_LINE) } : {}) }));
  const widened = widenedRowsOf(report).map((w) => ({ ...w, resource: clip(w.resource, MAX_NAME), text: clip(w.text, MAX_LINE) }));
  const reasons = [...alertReasons(report), ...watchCauses(report)].map((r) => clip(r, MAX_LINE));
  const headline = alert ? 'compliance regression' : 'compliance report';
  const overall = report.score.overall === null ? 'n/a' : String(report.score.overall);
  const delta = view.overall.delta ? ` (${view.overall.delta.text})` : '';
  // A score that rose in a regression (or fell in none): said in the subject, its causes in the body.
  const against = view.overall.delta ? scoreAgainstVerdict(d) : undefined;
  // A long cluster name is what gets cut: the score and "(partial run)" always show.
  const before = `[ztaudit] ${alert ? 'Regression' : 'Report'} on `;
  const after = `: score ${overall}${against ? ` (${view.overall.delta!.text}, ${against.said})` : delta}${view.partial.length ? ' (partial run)' : ''}`;
  const subject = headerText(`${before}${headerText(report.run.cluster.name, MAX_SUBJECT - before.length - after.length)}${after}`);
  const ctx = {
    subject,
    headline,
    cluster: report.run.cluster.name,
    runId: report.run.id,
    startedAt: report.run.startedAt,
    overall: view.overall,
    gradeColor: GRADE_COLOR[view.overall.grade] ?? '#475569',
    partial: view.partial.slice(0, MAX_PARTIAL),
    notJudged: view.notJudged,
    scoreAgainstVerdict: against?.text ?? '',
    deltaColor: view.overall.delta?.cls === 'down' ? '#b91c1c' : view.overall.delta?.cls === 'up' ? '#15803d' : '#475569',
    regression: alert,
    reasons,
    areas: view.areas,
    // No diff (a first run, --history none, no stored run readable): nothing was compared, which
    // "0 new · 0 resolved" would not say. Slack says n/a too.
    newCount: d ? d.new.length : null,
    resolvedCount: d ? d.resolved.length : null,
    notCompared: d?.bySummary ? 'the previous runs could not be read; compared by a stored summary' : d ? '' : report.run.unreadablePrevious?.length ? 'the previous runs could not be read' : 'no previous run',
    olderBaselines: olderBaselinesNote(d),
    breadthNotCompared: d?.breadthNotCompared ?? '',
    openCount: view.totals.open,
    newFindings: folded.slice(0, MAX_NEW).map(({ finding: f, implied, waived: impliedWaived }) => ({
      severity: f.severity, color: SEV_COLOR[f.severity], check: f.check, resource: clip(resourceText(f.resource), MAX_NAME), message: f.message,
      implied: implied.map((x) => x.check),
      impliedWaived: impliedWaived.map((x) => x.check),
    })),
    // New findings neither listed nor named under a listed one ("also implies"), as Slack counts them.
    newMore: Math.max(0, fresh.length - folded.slice(0, MAX_NEW).reduce((n, x) => n + 1 + x.implied.length, 0)),
    newlyWaived: waived.slice(0, MAX_NEW),
    newlyWaivedMore: Math.max(0, waived.length - MAX_NEW),
    widened: widened.slice(0, MAX_NEW),
    widenedMore: Math.max(0, widened.length - MAX_NEW),
    counts: { ...view.totals, severities: view.severityCounts },
    attached,
  };
  // As the report does (renderHtml): every control character but line breaks and tabs (ESC, BEL,
  // C1, bidirectional controls) comes from the data; a mail client's "view source", or the
  // part saved and `cat`, must not run it, and an override must not reorder a name.
  const html = withoutControls(templateEnvironment().template('email')(ctx));
  // The plain-text part: each name and message from the cluster stays on its line (oneLine).
  const text = [
    `ztaudit ${headline}: ${oneLine(report.run.cluster.name)}`,
    `Run ${oneLine(report.run.id)} at ${oneLine(report.run.startedAt)}`,
    ...view.partial.slice(0, MAX_PARTIAL).map((p) => `partial: ${oneLine(p)}`),
    ...view.notJudged.map((p) => `not judged: ${oneLine(p)}`),
    `Overall score ${overall}${view.overall.share ? ` (${view.overall.share})` : ''} (grade ${view.overall.grade})${delta}`,
    ...(against ? [oneLine(against.text)] : []),
    ...(alert ? ['', 'Regression:', ...reasons.map((r) => `- ${oneLine(r)}`)] : []),
    '',
    ...view.areas.map((a) => `${a.label}: ${a.score}${a.share ? ` (${a.share}, no grade)` : ` (grade ${a.grade})`}${a.notJudged ? ` (${oneLine(a.notJudged)})` : ''}${a.partialInput ? ` (${oneLine(a.partialInput)})` : ''}${a.delta ? ` (${a.delta.text})` : ''}`),
    '',
    `${ctx.notCompared ? `new and resolved: n/a (${ctx.notCompared})` : `${ctx.newCount} new, ${ctx.resolvedCount} resolved`}, ${ctx.openCount.toLocaleString('en-US')} open findings${view.totals.carried ? ` (${oneLine(view.totals.carried)})` : ''} (${view.severityCounts.map((s) => `${s.text} ${s.severity}`).join(', ')}), ${view.totals.waived.toLocaleString('en-US')} waived`,
    ...(ctx.olderBaselines ? [oneLine(ctx.olderBaselines)] : []),
    ...(ctx.breadthNotCompared ? [`${oneLine(ctx.breadthNotCompared)}.`] : []),
    `${view.totals.notEvaluated} checks not evaluated, ${view.totals.notApplicable} not applicable`,
    ...ctx.newFindings.map((f) => `- [${f.severity}] ${f.check} ${oneLine(f.resource)}: ${oneLine(f.message)}${f.implied.length > 0 ? `\n    also implies ${f.implied.length}${f.impliedWaived.length > 0 ? ' open' : ''}: ${f.implied.join(', ')}` : ''}${f.impliedWaived.length > 0 ? `\n    also implies ${f.impliedWaived.length} waived (not counted as open): ${f.impliedWaived.join(', ')}` : ''}`),
    ...(ctx.newMore ? [`…and ${ctx.newMore} more`] : []),
    ...(widened.length > 0 ? ['', `Persisting findings that now cover more (${widened.length}):`] : []),
    ...ctx.widened.map((w) => `- ${w.check} ${oneLine(w.resource)}: ${oneLine(w.text)}`),
    ...(ctx.widenedMore ? [`…and ${ctx.widenedMore} more`] : []),
    ...(waived.length > 0 ? ['', `New findings a waiver covers (${waived.length}, not scored):`] : []),
    ...ctx.newlyWaived.map((w) => `- ${w.check} ${oneLine(w.resource)}: waiver on ${oneLine(w.waiver)} ${w.throughRelated ? 'covers it only through related objects' : 'names it'}${w.widened ? `; not new, it widened: ${oneLine(w.widened)}` : ''}`),
    ...(ctx.newlyWaivedMore ? [`…and ${ctx.newlyWaivedMore} more`] : []),
    '',
    attached ? 'The full report is attached (report.html).' : '',
  ].join('\n');
  return { subject, html, text };
}

const DEFAULT_SMTP_TIMEOUT_MS = 15_000;

/** Transport options for an SMTP URL: STARTTLS required whenever credentials would be sent over smtp://. */
export function smtpTransportOptions(smtpUrl: string, timeoutMs = DEFAULT_SMTP_TIMEOUT_MS): SMTPTransport.Options & { url: string } {
  let requireTLS = false;
  try {
    const url = new URL(smtpUrl);
    const credentials = url.username !== '' || url.password !== '';
    requireTLS = credentials && url.protocol !== 'smtps:' && url.searchParams.get('requireTLS') !== 'false';
  } catch {
    // nodemailer reports the unusable URL itself (without echoing it).
  }
  return { url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 2, ...(requireTLS ? { requireTLS: true } : {}) };
}

export function transportOf(opts: { smtpUrl: string; timeoutMs?: number; proxy?: URL }) {
  const options = smtpTransportOptions(opts.smtpUrl, opts.timeoutMs);
  const { proxy } = opts;
  if (!proxy) return nodemailer.createTransport(options);
  // The tunnel the API server's client uses (kube/proxy.ts), not nodemailer's `proxy` option:
  // its errors name the proxy without its credentials, and it is bounded by the connection
  // timeout. nodemailer then speaks SMTP (smtps: TLS first) over the socket it is handed.
  const getSocket: NonNullable<SMTPTransport.Options['getSocket']> = (o, callback) => {
    // nodemailer's own defaults when the URL names no port.
    const port = Number(o.port ?? (o.secure ? 465 : 587));
    openTunnel(proxy, o.host ?? '', port, opts.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS).then(
      (connection) => callback(null, { connection: connection as Socket }),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), false),
    );
  };
  return nodemailer.createTransport({ ...options, getSocket });
}

/**
 * The outcome of a message the server took. nodemailer fails only when the server refuses every
 * recipient, and lists the ones it refused in `rejected`: a message that reached some recipients
 * was sent (failing it would have the next run send it again to all of them), with the refused
 * ones named (`rejected`, warned about).
 */
export function sentOrRejected(info: { accepted?: unknown[]; rejected?: unknown[] }, sent: string): NotificationOutcome {
  const rejected = (info.rejected ?? []).map(String);
  const accepted = (info.accepted ?? []).length;
  if (rejected.length === 0) return { channel: 'email', status: 'sent', detail: `${sent} to ${accepted} recipient(s)` };
  return { channel: 'email', status: 'sent', rejected, detail: `${sent} to ${accepted} recipient(s); refused by the server: ${rejected.join(', ')}` };
}

/** nodemailer 10 takes an AbortSignal per message; its typings do not say so yet. */
type Abortable = { signal?: AbortSignal };

export async function notifyEmail(report: RunReport, opts: EmailOptions): Promise<NotificationOutcome> {
  const skip = skipReason(report, opts.policy);
  if (skip) return { channel: 'email', status: 'skipped', detail: skip };
  if (opts.to.length === 0) return { channel: 'email', status: 'skipped', detail: 'no recipients configured' };
  const transport = transportOf(opts);
  try {
    const attachment = opts.htmlReportPath ? await readFile(opts.htmlReportPath) : null;
    const content = buildEmail(report, attachment !== null);
    const info = await transport.sendMail({
      from: opts.from,
      to: opts.to,
      subject: content.subject,
      html: content.html,
      text: content.text,
      ...(attachment ? { attachments: [{ filename: 'report.html', content: attachment, contentType: 'text/html; charset=utf-8' }] } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    } as Mail.Options & Abortable);
    return sentOrRejected(info, `message ${info.messageId}`);
  } catch (error: unknown) {
    return { channel: 'email', status: 'failed', detail: errorMessage(error) };
  } finally {
    transport.close();
  }
}

/** "The audit could not run": silence must never look like compliance. */
export async function notifyEmailFailure(reason: string, opts: EmailFailureOptions): Promise<NotificationOutcome> {
  if (opts.policy === 'never') return { channel: 'email', status: 'skipped', detail: 'notification policy is never' };
  if (opts.to.length === 0) return { channel: 'email', status: 'skipped', detail: 'no recipients configured' };
  const cluster = opts.clusterName ?? 'unknown cluster';
  const text = FAILURE_TEXT[opts.failure ?? 'not-run'];
  const title = text.title[0].toUpperCase() + text.title.slice(1);
  const subject = headerText(`[ztaudit] ${title} on ${cluster}`);
  const transport = transportOf(opts);
  try {
    const html = withoutControls(templateEnvironment().template('email-failure')({ subject, cluster, reason, title: text.title, lede: `The scheduled audit ${text.lede}` }));
    const info = await transport.sendMail({
      from: opts.from, to: opts.to, subject, html,
      // Each name and message from the cluster stays on its line (oneLine), as in the report's text part.
      text: `The scheduled ztaudit audit on ${oneLine(cluster)} ${text.lede}\n\nReason: ${oneLine(reason)}\n`,
      ...(opts.signal ? { signal: opts.signal } : {}),
    } as Mail.Options & Abortable);
    return sentOrRejected(info, `message ${info.messageId}`);
  } catch (error: unknown) {
    return { channel: 'email', status: 'failed', detail: errorMessage(error) };
  } finally {
    transport.close();
  }
}
