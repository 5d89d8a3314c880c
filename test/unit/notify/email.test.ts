import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEmail, headerText, notifyEmail, notifyEmailFailure } from '../../../src/notify/email.ts';
import { OvertakenError, failureKindOf } from '../../../src/base/errors.ts';
import { buildRun, HOSTILE_CLUSTER, INVISIBLE_USERS_SHOWN, invisibleRun, RAW_INVISIBLE } from '../report/fixtures.ts';
import { sendEmailDigest } from '../../../src/notify/fleet-digest.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView } from '../../../src/fleet/view.ts';
import { openRunStore, summarizeRun } from '../../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { fleetRun } from '../fleet/seed.ts';

interface Received { from: string; to: string[]; mail: ParsedMail }
let server: SMTPServer;
let port: number;
let received: Received[];
let dir: string;

beforeEach(async () => {
  received = [];
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-mail-'));
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterEach(async () => { await new Promise<void>((resolve) => server.close(() => resolve())); });

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return p;
}

const base = () => ({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'ztaudit@acme.example', to: ['sec@acme.example', 'platform@acme.example'] });

describe('notifyEmail', () => {
  it('sends the HTML summary to every recipient with the full report attached', async () => {
    const { report } = buildRun();
    const reportPath = join(dir, 'report.html');
    writeFileSync(reportPath, '<!DOCTYPE html><html><body><h1>full report marker</h1></body></html>');
    const outcome = await notifyEmail(report, { ...base(), htmlReportPath: reportPath, policy: 'regression' });
    expect(outcome.status).toBe('sent');
    expect(received).toHaveLength(1);
    const { from, to, mail } = received[0];
    expect(from).toBe('ztaudit@acme.example');
    expect(to).toEqual(['sec@acme.example', 'platform@acme.example']);
    // The fixture's regression raised the score: the subject says so (its causes are in the body).
    expect(mail.subject).toBe('[ztaudit] Regression on prod-eu-1: score 73.5 (+2.7, up despite the regression)');
    const html = String(mail.html);
    expect(html).toContain('prod-eu-1');
    expect(html).toContain('73.5');
    expect(html).toContain('1 new finding(s) of severity high or above');
    expect(html).toContain('ServiceAccount payments/api');
    expect(html).toContain('The full report is attached');
    expect(mail.text).toContain('Overall score 73.5 (3 of 5 checks evaluated; partial: pod-security not scored; not comparable with a complete run) (grade n/a) (+2.7)');
    expect(mail.text).toContain('TLS at the edge: 100 (1 of 2 checks evaluated, no grade) (±0)');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('report.html');
    expect(mail.attachments[0].contentType).toBe('text/html');
    expect(mail.attachments[0].content.toString('utf8')).toContain('full report marker');
  });

  it('escapes hostile names in the body and keeps the subject on one line', async () => {
    const { report } = buildRun({ hostile: true, clusterName: `${HOSTILE_CLUSTER}\r\nBcc: victim@evil.example` });
    const outcome = await notifyEmail(report, { ...base(), policy: 'always' });
    expect(outcome.status).toBe('sent');
    const { mail, to } = received[0];
    expect(to).toEqual(['sec@acme.example', 'platform@acme.example']);
    expect(mail.bcc).toBeUndefined();
    expect(mail.subject).not.toMatch(/[\r\n]/);
    const html = String(mail.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>eu</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{constructor}}');
    expect(html).toContain('&lt;!channel&gt;');
    expect(mail.attachments).toHaveLength(0);
  });

  // docs/hostile-text.md: in the HTML part a line break in a name would be drawn as a space (a
  // mail client renders HTML as a browser does), so "web\nadmin" would read "web admin": it is
  // shown as \u000a, as the text part (oneLine) and report.html show it.
  it('shows a line break and a carriage return in a name as \\u000a and \\u000d in the subject and the HTML part, as in the text part', async () => {
    const { report } = buildRun({ clusterName: 'prod\neu' });
    const f = report.findings.find((x) => !x.waived && report.diff!.new.includes(x.fingerprint))!;
    f.resource = { ...f.resource, name: 'web\nadmin\rx' };
    const outcome = await notifyEmail(report, { ...base(), policy: 'always' });
    expect(outcome.status).toBe('sent');
    const html = String(received[0].mail.html);
    expect(html).toContain('prod\\u000aeu');
    expect(html).toContain('web\\u000aadmin\\u000dx');
    expect(html.match(/.{0,80}(web\s+admin|prod\s+eu).{0,40}/g)).toBeNull();
    expect(String(received[0].mail.text)).toContain('web\\u000aadmin\\u000dx');
    // The subject too (one header line): a line break as \u000a, not a space.
    expect(received[0].mail.subject).toMatch(/^\[ztaudit\] Regression on prod\\u000aeu: score /);
  });

  it('returns failed, not a throw, when the SMTP server is down', async () => {
    const { report } = buildRun();
    const p = await closedPort();
    const outcome = await notifyEmail(report, { ...base(), smtpUrl: `smtp://127.0.0.1:${p}`, policy: 'always', timeoutMs: 2000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(/ECONNREFUSED|connect/i);
  });

  it('follows the policy and skips without recipients', async () => {
    const { report } = buildRun();
    const calm = { ...report, diff: { ...report.diff!, regression: false } };
    expect((await notifyEmail(calm, { ...base(), policy: 'regression' })).status).toBe('skipped');
    expect((await notifyEmail(report, { ...base(), policy: 'never' })).status).toBe('skipped');
    expect((await notifyEmail(report, { ...base(), to: [], policy: 'always' })).status).toBe('skipped');
    expect(received).toHaveLength(0);
  });
});

describe('the subject', () => {
  it('is never cut inside a character', () => {
    expect(headerText(`${'a'.repeat(198)}😀😀`)).toBe(`${'a'.repeat(198)}…`);
    expect(headerText(`${'a'.repeat(197)}😀😀`)).toBe(`${'a'.repeat(197)}😀…`);
    // Nor inside the escape a line break is shown as: 'a' × 195 and the first 4 of `\u000a` are 199.
    expect(headerText(`${'a'.repeat(195)}\nb`)).toBe(`${'a'.repeat(195)}…`);
    // …nor after its backslash alone ('a' × 198 and `\`).
    expect(headerText(`${'a'.repeat(198)}\nb`)).toBe(`${'a'.repeat(198)}…`);
  });

  it('has no control character, C1 (U+009B, a CSI to a terminal mail client) included: each shown as its escape, as in the text part', async () => {
    const { report } = buildRun({ clusterName: 'prod\u001b[2J\u009b2J\u0085x' });
    const { subject, text } = buildEmail(report, false);
    expect(subject).toMatch(/^\[ztaudit\] Regression on prod\\u001b\[2J\\u009b2J\\u0085x: score /);
    expect(text).toContain('prod\\u001b[2J\\u009b2J\\u0085x');
    await notifyEmailFailure('x', { ...base(), clusterName: 'prod\u009b2J' });
    expect(received[0]!.mail.subject).toBe('[ztaudit] Audit could not run on prod\\u009b2J');
  });

  it('shows a vertical tab, form feed or NEL as its escape, as a line break: "web" and "admin" stay apart', () => {
    for (const [c, shown] of [['\u000b', '\\u000b'], ['\u000c', '\\u000c'], ['\u0085', '\\u0085'], ['\n', '\\u000a']]) {
      expect(headerText(`web${c}admin`)).toBe(`web${shown}admin`);
    }
  });

  it('cuts a long cluster name, not the score or the partial-run marker', () => {
    const { report } = buildRun({ clusterName: 'c'.repeat(190) });
    const { subject } = buildEmail({ ...report, run: { ...report.run, partial: ['pods: forbidden'] } }, false);
    expect(subject.length).toBeLessThanOrEqual(200);
    expect(subject).toMatch(/^\[ztaudit\] Regression on c+…: score 73\.5 \(\+2\.7, up despite the regression\) \(partial run\)$/);
  });
});

describe('bidirectional controls', () => {
  const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
  it('are shown as escapes in the subject and the HTML part, never left to reorder a name', () => {
    const { report } = buildRun({ hostile: true, clusterName: 'prod\u202eue-dorp' });
    const regression = report.diff!.regressionReasons;
    const email = buildEmail({ ...report, diff: { ...report.diff!, regressionReasons: [...regression, 'new finding on gpj.\u2066exe\u2069'] } }, false);
    expect(email.subject).not.toMatch(BIDI);
    expect(email.subject).toContain('prod\\u202eue-dorp');
    expect(email.html).not.toMatch(BIDI);
    expect(email.html).toContain('prod\\u202eue-dorp');
    expect(email.html).toContain('gpj.\\u2066exe\\u2069');
  });

  it('are shown as escapes in the "audit could not run" email', async () => {
    await notifyEmailFailure('denied by \u202ewebhook', { ...base(), clusterName: 'prod\u2067x' });
    const { mail } = received[0];
    expect(mail.subject).toBe('[ztaudit] Audit could not run on prod\\u2067x');
    expect(String(mail.html)).not.toMatch(BIDI);
    expect(String(mail.html)).toContain('denied by \\u202ewebhook');
  });
});

describe('invisible characters and spaces other than U+0020 (zero-width space, BOM, no-break and ideographic space)', () => {
  // No glyph of their own (The Unicode Standard, section 5.21): raw, User "alice" and a
  // zero-width space reads "alice" and the reader cannot tell why a waiver for "alice" misses it.
  it('are shown as escapes in the subject, the HTML part and the text part', () => {
    const email = buildEmail(invisibleRun().report, false);
    for (const [part, text] of Object.entries(email)) expect(text, part).not.toMatch(RAW_INVISIBLE);
    expect(email.subject).toContain('on prod\\u200b');
    expect(email.html).toContain('prod\\u200b');
    expect(email.text).toContain('ztaudit compliance regression: prod\\u200b');
    for (const shown of INVISIBLE_USERS_SHOWN) {
      expect(email.html).toContain(`User ${shown}`);
      expect(email.text).toContain(`User ${shown}: User:${shown} can do anything`);
      expect(email.text).toContain(`- new critical finding: User:${shown} can do anything`);
    }
  });

  it('are shown as escapes in the "audit could not run" email', async () => {
    await notifyEmailFailure('denied for alice\u200b', { ...base(), clusterName: 'prod\ufeff' });
    const { mail } = received[0];
    expect(mail.subject).toBe('[ztaudit] Audit could not run on prod\\ufeff');
    expect(String(mail.html)).not.toMatch(RAW_INVISIBLE);
    expect(String(mail.html)).toContain('denied for alice\\u200b');
    expect(String(mail.text)).toContain('Reason: denied for alice\\u200b');
  });
});

describe('terminal control characters (ESC, BEL, NUL, C1) in the HTML parts', () => {
  // An OSC 8 hyperlink to a phishing page, a screen clear, a red "ALL CHECKS PASSED", a NUL and a
  // C1 CSI (U+009B): a User name or an annotation can hold them (the API server does not
  // validate either). The HTML part, saved and `cat`, or shown by a terminal mail client, must
  // run none of them: each is written as \\uXXXX, as in report.html (docs/hostile-text.md).
  const E = '\u001b]8;;https://evil.example/\u0007click-me\u001b]8;;\u0007\u001b[2J\u001b[31mALL CHECKS PASSED\u001b[0m\u0000\u009b2J';
  const SHOWN = '\\u001b]8;;https://evil.example/\\u0007click-me\\u001b]8;;\\u0007\\u001b[2J\\u001b[31mALL CHECKS PASSED\\u001b[0m\\u0000\\u009b2J';
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('the run email: a new finding on User alice… and the regression reason naming it', () => {
    const { report } = buildRun({ clusterName: `prod${E}` });
    const alice = { ...report.findings[0]!, severity: 'critical' as const, waived: false, waiver: undefined, related: undefined, fingerprint: 'fp-alice', resource: { kind: 'User', name: `alice${E}` }, message: `User:alice${E} can get secrets in namespace shop` };
    report.findings.push(alice);
    report.diff = { ...report.diff!, new: [...report.diff!.new, alice.fingerprint], regression: true, regressionReasons: [`new ${alice.severity} finding: ${alice.message}`] };
    const { html } = buildEmail(report, false);
    expect(html).toContain(`User alice${SHOWN}`);
    expect(html).toContain(`prod${SHOWN}`);
    expect(html).not.toMatch(RAW_CONTROL);
  });

  it('"audit could not run": the cluster name and the reason', async () => {
    await notifyEmailFailure(`admission webhook denied the request: ${E}`, { ...base(), clusterName: `prod${E}` });
    const html = String(received[0]!.mail.html);
    expect(html).toContain(`denied the request: ${SHOWN}`);
    expect(html).toContain(`prod${SHOWN}`);
    expect(html).not.toMatch(RAW_CONTROL);
  });

  it('the fleet digest: a cluster name and a regression reason', async () => {
    const store = await openRunStore(join(dir, 'fleet.db'));
    const a1 = fleetRun(`alpha${E}`, '20261110T010000Z-a00001', '2026-11-10T01:00:00.000Z', 80);
    await store.save(a1);
    await store.save(fleetRun(`alpha${E}`, '20261110T020000Z-a00002', '2026-11-10T02:00:00.000Z', 60, { previous: a1, regression: [`new critical finding on User alice${E}`] }));
    await store.save(fleetRun('beta', '20261110T030000Z-b00001', '2026-11-10T03:00:00.000Z', 90));
    const view = buildFleetView(await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: new Date('2026-11-10T12:00:00.000Z') }));
    await store.close();
    expect(await sendEmailDigest(view, base())).toMatchObject({ status: 'sent' });
    const html = String(received[0]!.mail.html);
    // The fleet reads every store alike: a NUL becomes U+FFFD, as PostgreSQL must store it (README, History).
    const fleetShown = SHOWN.replace('\\u0000', '\ufffd');
    expect(html).toContain(`alpha${fleetShown}`);
    expect(html).toContain(`User alice${fleetShown}`);
    expect(html).not.toMatch(RAW_CONTROL);
  });

  // The stores list each cluster's newest regressions and count them all (FleetData.regressionRuns):
  // the email lists each cluster once, its newest regression, and says how many regressions it does not show.
  it('the fleet digest: one line per regressed cluster, then "and N more" counted from every cluster\'s regressions, in both parts', async () => {
    const at = (i: number) => new Date(Date.parse('2026-11-10T11:00:00.000Z') - i * 60_000).toISOString();
    const names = Array.from({ length: 27 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    // c00 regressed 12 times, its newest 10 listed; every other cluster once.
    const regressions = [
      ...Array.from({ length: 10 }, (_, n) => ({ run: summarizeRun(fleetRun('c00', `c00-${12 - n}`, at(n), 60, { regression: ['r'] })), reasons: [`c00 regression ${12 - n}`] })),
      ...names.slice(1).map((name, i) => ({ run: summarizeRun(fleetRun(name, `${name}-1`, at(20 + i), 60, { regression: ['r'] })), reasons: [`${name} regression 1`] })),
    ];
    const view = buildFleetView({
      store: 'test', generatedAt: '2026-11-10T12:00:00.000Z', sinceHours: 24, minClusters: 2, clusters: [], common: [], waivers: [],
      regressions, regressionRuns: names.map((cluster) => ({ cluster, runs: cluster === 'c00' ? 12 : 1 })),
    });
    expect(await sendEmailDigest(view, base())).toMatchObject({ status: 'sent' });
    const { mail } = received[0];
    // 38 regressions in all, 25 lines: c00's newest, then c01 … c24.
    expect(mail.subject).toContain(', 27 regressed in 24 h, ');
    const lines = String(mail.text).split('\n');
    expect(lines.filter((l) => /^- c\d\d: /.test(l))).toEqual(names.slice(0, 25).map((n) => `- ${n}: ${n} regression ${n === 'c00' ? 12 : 1}`));
    expect(lines).toContain('and 13 more');
    expect(String(mail.html)).toContain('<p style="color:#475569">and 13 more</p>');
  });
});

describe('notifyEmailFailure', () => {
  it('sends "audit could not run" with the escaped reason', async () => {
    const outcome = await notifyEmailFailure('cannot list pods: <forbidden> & more', { ...base(), clusterName: 'prod <!channel>' });
    expect(outcome.status).toBe('sent');
    const { mail } = received[0];
    expect(mail.subject).toBe('[ztaudit] Audit could not run on prod <!channel>');
    expect(String(mail.html)).toContain('cannot list pods: &lt;forbidden&gt; &amp; more');
    expect(String(mail.html)).toContain('prod &lt;!channel&gt;');
    expect(mail.text).toContain('Reason: cannot list pods: <forbidden> & more');
  });

  it('keeps the cluster name and the reason on their lines in the text part', async () => {
    const outcome = await notifyEmailFailure('forbidden\nAll checks passed.', { ...base(), clusterName: 'prod\nThe audit completed: all checks passed' });
    expect(outcome.status).toBe('sent');
    const lines = String(received[0].mail.text).split(/\r?\n/);
    expect(lines.some((l) => l.startsWith('The audit completed'))).toBe(false);
    expect(lines.some((l) => l.startsWith('All checks passed'))).toBe(false);
    expect(lines).toContain('Reason: forbidden\\u000aAll checks passed.');
  });

  it('returns sent, naming them, when the server refuses some recipients (it took the message for the others)', async () => {
    const picky = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _session, callback) { callback(address.address === 'platform@acme.example' ? Object.assign(new Error('no such user'), { responseCode: 550 }) : undefined); },
      onData(stream, _session, callback) { stream.resume(); stream.on('end', () => callback()); },
    });
    await new Promise<void>((resolve) => picky.listen(0, '127.0.0.1', resolve));
    try {
      const p = (picky.server.address() as AddressInfo).port;
      const outcome = await notifyEmailFailure('x', { ...base(), smtpUrl: `smtp://127.0.0.1:${p}` });
      expect(outcome).toMatchObject({ status: 'sent', rejected: ['platform@acme.example'], detail: expect.stringMatching(/ to 1 recipient\(s\); refused by the server: platform@acme\.example$/) });
    } finally {
      await new Promise<void>((resolve) => picky.close(() => resolve()));
    }
  });

  it('returns failed when the SMTP server is down', async () => {
    const p = await closedPort();
    const outcome = await notifyEmailFailure('x', { ...base(), smtpUrl: `smtp://127.0.0.1:${p}`, timeoutMs: 2000 });
    expect(outcome.status).toBe('failed');
  });
});

describe('buildEmail for an alert an earlier run could not deliver', () => {
  it('is a regression mail listing the carried reasons with the run they came from', () => {
    const { report } = buildRun();
    report.diff = { ...report.diff!, regression: false, regressionReasons: [], undelivered: [{ runId: 'run-20261125-0200', reasons: ['new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor'] }] };
    const mail = buildEmail(report, false);
    expect(mail.subject).toMatch(/^\[ztaudit\] Regression on prod-eu-1/);
    expect(mail.text).toContain('Regression:\n- not delivered after run run-20261125-0200: new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor');
    expect(mail.html).toContain('not delivered after run run-20261125-0200: new critical finding');
  });
});

describe('the "audit could not run" email', () => {
  it('a run refused because a newer run of its cluster was stored meanwhile: the alert says it was not stored and nothing needs re-running', async () => {
    const refused = new OvertakenError('a newer run (r2, started 2026-11-20T02:01:00.000Z) of cluster "prod" was stored in h.db while run r1 collected');
    await notifyEmailFailure('x', { ...base(), clusterName: 'prod', failure: failureKindOf(refused) });
    const { mail } = received[0];
    expect(mail.subject).toBe('[ztaudit] Audit run not stored: a newer run was stored on prod');
    expect(mail.text).toContain('was not stored because a newer run of the cluster was stored meanwhile; that run is the latest result, and nothing needs re-running.');
    expect(mail.text).not.toContain('no compliance result');
  });
});

describe('RBAC breadth not compared', () => {
  // A group whose discovery failed is named by the API server, as hostile as any other name from the cluster.
  const line = 'RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, <script>x</script>\nBcc: a@evil.example: discovery failed, built-in list used for them)';

  it('is said in the email, escaped in the HTML part and on one line in the text part', async () => {
    const { report } = buildRun();
    report.diff = { ...report.diff!, breadthNotCompared: line };
    const outcome = await notifyEmail(report, { ...base(), policy: 'always' });
    expect(outcome.status).toBe('sent');
    const { mail } = received[0]!;
    const html = String(mail.html);
    expect(html).toContain('<p style="font-size:13px;margin:0 0 6px;color:#475569" id="breadth-not-compared">RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, &lt;script&gt;x&lt;/script&gt;\\u000aBcc: a@evil.example: discovery failed, built-in list used for them).</p>');
    expect(html).not.toContain('<script>');
    expect(mail.text).toContain('\nRBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, <script>x</script>\\u000aBcc: a@evil.example: discovery failed, built-in list used for them).\n');
  });

  it('is not said when the breadths were compared', () => {
    const content = buildEmail(buildRun().report, false);
    expect(content.html).not.toContain('breadth-not-compared');
    expect(content.text).not.toContain('breadth not compared');
  });
});

// A run with no diff compared nothing: "0 new · 0 resolved" would read as a quiet day. As Slack
// says n/a, both parts say n/a and why (reviewer repro: first run, --history none, alert policy
// always; and a run whose stored previous runs could not be read).
describe('a run without a diff', () => {
  const counts = (html: string) => /<p[^>]*id="counts">(.*?)<\/p>/s.exec(html)![1]!.replace(/<[^>]+>/g, '');
  it('says "new and resolved: n/a (no previous run)" in the HTML and text parts, not 0 new and 0 resolved', () => {
    const { report } = buildRun();
    const { html, text } = buildEmail({ ...report, diff: null }, false);
    expect(counts(html)).toMatch(/^new and resolved: n\/a \(no previous run\) · \d+ open findings/);
    expect(text).toMatch(/^new and resolved: n\/a \(no previous run\), \d+ open findings/m);
    expect(text).not.toMatch(/\b0 new\b/);
    // With a diff the counts are as they were.
    expect(counts(buildEmail(report, false).html)).toMatch(new RegExp(`^${report.diff!.new.length} new · ${report.diff!.resolved.length} resolved · `));
  });

  it('says why when the stored previous runs could not be read', () => {
    const { report } = buildRun();
    const { html, text } = buildEmail({ ...report, diff: null, run: { ...report.run, unreadablePrevious: ['run-20261125-0200'] } }, false);
    expect(counts(html)).toMatch(/^new and resolved: n\/a \(the previous runs could not be read\) · /);
    expect(text).toContain('new and resolved: n/a (the previous runs could not be read), ');
  });
});

// A partial run's overall score covers only the checks it could evaluate: the HTML part says how
// many under the score, as its text part, Slack, the HTML report and the PDF cover do; without
// it "69.2, grade n/a" reads as an improvement on the last complete run (reviewer repro out3).
describe('a partial run\'s overall score', () => {
  it('shows the share of checks evaluated under the score in the HTML part, as the text part does', () => {
    const { report } = buildRun();
    report.checks[0] = { ...report.checks[0]!, status: 'not-evaluated', evaluated: 0, passed: 0, failed: 0, unreadable: ['pods'] };
    report.run.partial = ['pods could not be read (forbidden)'];
    const { html, text } = buildEmail(report, false);
    const share = /^Overall score [\d.]+ \((\d+ of \d+ checks evaluated[^)]*)\)/m.exec(text)![1]!;
    expect(share).toMatch(/^\d+ of \d+ checks evaluated; partial: .*not comparable with a complete run$/);
    expect(html).toContain(`<div style="font-size:36px;font-weight:700">${report.score.overall}</div><div style="font-size:12px;color:#78350f" id="overall-share">${share}</div>`);
    // A run that evaluated every check has no share to state.
    const complete = buildRun().report;
    complete.checks = complete.checks.map((c) => (c.status === 'not-evaluated' || c.status === 'error' ? { ...c, status: 'pass' as const, evaluated: 1, passed: 1, failed: 0 } : c));
    expect(buildEmail(complete, false).text).toMatch(/^Overall score [\d.]+ \(grade/m);
    expect(buildEmail(complete, false).html).not.toContain('id="overall-share"');
  });
});

// A subject named with 3,000 "Ж" filled screens of the email, in its reason, its new finding and
// its waived row alike; each now shows 200 characters of the name with "…" (a reason: 300 in all),
// as the Slack alert does.
describe('notifyEmail with names thousands of characters long', () => {
  it('cuts the name in the reasons, the new findings and the waived rows, in both parts', async () => {
    const { report } = buildRun();
    const long = 'Ж'.repeat(3000);
    report.diff!.regression = true;
    report.diff!.regressionReasons = [`new critical finding: rbac.cluster-admin-binding on User ${long}`];
    report.diff!.newlyWaived = [{
      fingerprint: 'f'.repeat(16), check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: long },
      waiver: { check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: `${long}*` } }, throughRelated: false,
    }];
    expect((await notifyEmail(report, { ...base(), policy: 'always' })).status).toBe('sent');
    const { mail } = received[0]!;
    for (const part of [String(mail.text), String(mail.html)]) expect(part).not.toContain('Ж'.repeat(300));
    expect(mail.text).toMatch(/\n- new critical finding: rbac\.cluster-admin-binding on User Ж{242}…\n/);
    expect(mail.text).toContain(`- rbac.cluster-admin-binding User ${'Ж'.repeat(194)}…: waiver on User ${'Ж'.repeat(194)}… names it`);
  });
});
