// The fleet digest through `ztaudit fleet` to a local Slack API and a local SMTP server
// (notify.fleetDigest policies, hostile names escaped, the fleet report attached), and
// `serve`'s /fleet over a store holding several clusters (404 while it holds one).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { startFakeSlack, type FakeSlack } from '../notify/slack-server.ts';
import { buildSlackDigest, sendEmailDigest, sendSlackDigest, unreadableHeadText } from '../../../src/notify/fleet-digest.ts';
import { buildFleetView, type FleetView } from '../../../src/fleet/view.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { HOSTILE, fleetRun, runsWithRegressionBeforeUnreadable } from './seed.ts';
import { connectProxy } from '../../helpers/connect-proxy.ts';

const REPO = resolve(import.meta.dirname, '../../..');
// Only the fields the Slack digest reads.
const fleetView = { totals: { clusters: 2, meanOverall: 70, regressed: 1, stale: 0, unreadable: 0 }, sinceHours: 24, staleAfterHours: 48, regressions: [{ cluster: 'prod', reasons: ['new high finding'], more: 0 }], stale: [], unreadable: [], grid: [], common: [], waivers: [] } as unknown as FleetView;
let dir: string;
let slack: FakeSlack;
let smtp: SMTPServer;
let smtpPort: number;
const mails: ParsedMail[] = [];

function io(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd: dir, out: () => out.join(''), err: () => err.join('') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-digest-'));
  slack = await startFakeSlack();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) { simpleParser(stream).then((m) => { mails.push(m); callback(); }, callback); },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  // Runs relative to now, so the 24 h window of the real clock holds one regression.
  const now = Date.now();
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
  const store = await openRunStore(join(dir, 'fleet.db'));
  const a1 = fleetRun('alpha', '20260101T000000Z-a00001', at(50), 80);
  await store.save(a1);
  await store.save(fleetRun('alpha', '20260101T000000Z-a00002', at(2), 60, { previous: a1, regression: [`new critical finding on ${HOSTILE}`] }));
  await store.save(fleetRun('beta', '20260101T000000Z-b00001', at(3), 90));
  await store.close();
}, 60_000);
afterAll(async () => {
  await slack.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet digest', () => {
  const env = () => ({
    ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0RUNS', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
    ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com',
  });

  it('sends nothing without notify.fleetDigest; with it, one Slack message and one email with fleet.html attached', async () => {
    const quiet = io(env());
    expect(await main(['fleet', '--history', 'fleet.db', '--out', 'f0', '-q'], quiet)).toBe(0);
    expect(slack.calls).toHaveLength(0);
    expect(mails).toHaveLength(0);

    writeFileSync(join(dir, 'digest.yaml'), 'notify:\n  fleetDigest:\n    policy: regression\n    windowHours: 24\n    slack:\n      channel: C0FLEET\n    email:\n      to: [fleet@example.com]\n');
    const t = io(env());
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'digest.yaml', '--out', 'f1', '-q'], t), t.err()).toBe(0);
    expect(t.err()).toMatch(/slack digest sent: fleet digest \S+ in \S+\n.*email digest sent/s);
    const post = slack.calls.find((c) => c.path.endsWith('/chat.postMessage'))!;
    expect(post.fields.channel).toBe('C0FLEET');
    expect(String(post.fields.text)).toBe('ztaudit Fleet: 2 clusters, mean 75.0, 1 regressed in 24 h, 0 without a run in 48 h');
    const blocks = JSON.stringify(post.fields.blocks);
    expect(blocks).toContain('`alpha` new critical finding on &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(blocks).not.toContain('<script');
    expect(blocks).not.toMatch(/<!/); // no <!here>/<!channel> pings can be forged
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('[ztaudit] Fleet: 2 clusters, mean 75.0, 1 regressed in 24 h, 0 without a run in 48 h');
    expect((mails[0].to as { text: string }).text).toBe('fleet@example.com');
    expect(mails[0].html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mails[0].html).not.toContain('<script');
    expect(mails[0].html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(mails[0].html).toContain('&lt;/script&gt;@here\\u202e');
    expect(mails[0].attachments.map((a) => a.filename)).toEqual(['fleet.html']);
  });

  it('the Slack digest goes through the egress proxy the environment names (HTTP_PROXY for an http:// API URL), as a run alert does', async () => {
    const port = Number(new URL(slack.url).port);
    const proxy = await connectProxy(port);
    try {
      const before = slack.calls.length;
      const t = io({ ...env(), ZTAUDIT_SLACK_API_URL: `http://slack.test:${port}/api/`, HTTP_PROXY: proxy.url, ZTAUDIT_SMTP_URL: '' });
      expect(await main(['fleet', '--history', 'fleet.db', '--config', 'digest.yaml', '--out', 'fproxy', '-q'], t), t.err()).toBe(0);
      expect(t.err()).toMatch(/slack digest sent/);
      expect(proxy.seen).toEqual([`CONNECT slack.test:${port}`]);
      expect(slack.calls.slice(before).map((c) => c.fields.channel)).toEqual(['C0FLEET']);
    } finally {
      await proxy.close();
    }
  });

  it('the email digest goes through HTTPS_PROXY with notify.email.proxy: true', async () => {
    const proxy = await connectProxy(smtpPort);
    try {
      writeFileSync(join(dir, 'digest-proxy.yaml'), 'notify:\n  email: {proxy: true}\n  fleetDigest:\n    policy: always\n    email:\n      to: [fleet@example.com]\n');
      const before = mails.length;
      const t = io({ ZTAUDIT_SMTP_URL: `smtp://mail.test:${smtpPort}`, HTTPS_PROXY: proxy.url });
      expect(await main(['fleet', '--history', 'fleet.db', '--config', 'digest-proxy.yaml', '--out', 'fproxymail', '-q'], t), t.err()).toBe(0);
      expect(t.err()).toMatch(/email digest sent/);
      expect(proxy.seen).toEqual([`CONNECT mail.test:${smtpPort}`]);
      expect(mails.slice(before).map((m) => (m.to as { text: string }).text)).toEqual(['fleet@example.com']);
    } finally {
      await proxy.close();
    }
  });

  it('Slack answers the digest 429 (Retry-After 1): it waits a second and sends it, as the run alert does', async () => {
    const before = slack.calls.length;
    slack.rateLimit('chat.postMessage', 1, 1);
    const t = io(env());
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'digest.yaml', '--out', 'f429', '-q'], t), t.err()).toBe(0);
    expect(t.err()).toMatch(/slack digest sent: fleet digest \S+ in \S+/);
    const posts = slack.calls.slice(before).filter((c) => c.path.endsWith('/chat.postMessage'));
    expect(posts).toHaveLength(2);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(950);
  });

  it('a Retry-After beyond the digest deadline fails at once, saying so, instead of waiting past it', async () => {
    slack.rateLimit('chat.postMessage', 1, 30);
    const t0 = performance.now();
    const out = await sendSlackDigest(fleetView, { token: 'xoxb-test', channel: 'C0FLEET', apiUrl: slack.apiUrl, deadlineAt: Date.now() + 5_000 });
    expect(out).toEqual({ channel: 'slack', status: 'failed', detail: expect.stringMatching(/^rate limited by Slack \(Retry-After 30 s, more than the \d s left before the notify deadline\)$/) });
    expect(performance.now() - t0).toBeLessThan(3_000);
  });

  it('the digest keeps to notify.deadlineSeconds: a Retry-After past it fails at once, naming it', async () => {
    writeFileSync(join(dir, 'short.yaml'), 'notify:\n  deadlineSeconds: 2\n  fleetDigest: {policy: always, slack: {channel: C0FLEET}}\n');
    slack.rateLimit('chat.postMessage', 1, 10);
    const t = io(env());
    await main(['fleet', '--history', 'fleet.db', '--config', 'short.yaml', '--out', 'fshort', '-q'], t);
    expect(t.err()).toMatch(/rate limited by Slack \(Retry-After 10 s, more than the [0-2] s left before the notify deadline\)/);
  });

  it('an email digest the server refuses for one recipient is sent to the others, and the refused one is named', async () => {
    const delivered: string[][] = [];
    const picky = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _session, callback) { callback(address.address === 'gone@example.com' ? Object.assign(new Error('no such user'), { responseCode: 550 }) : undefined); },
      onData(stream, session, callback) { stream.resume(); stream.on('end', () => { delivered.push(session.envelope.rcptTo.map((r) => r.address)); callback(); }); },
    });
    await new Promise<void>((r) => picky.listen(0, '127.0.0.1', r));
    try {
      const t = io({ ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(picky.server.address() as AddressInfo).port}`, ZTAUDIT_EMAIL_TO: 'runs@example.com,gone@example.com' });
      expect(await main(['fleet', '--history', 'fleet.db', '--out', 'fpicky', '--notify', '-q'], t), t.err()).toBe(0);
      expect(t.err()).toMatch(/email digest sent: fleet digest \S+ to 1 recipient\(s\); refused by the server: gone@example\.com\n/);
      expect(t.err()).toContain('ztaudit fleet: warning: email: the mail server refused the digest for gone@example.com; it was sent to the other recipients\n');
      expect(delivered).toEqual([['runs@example.com']]);
    } finally {
      await new Promise<void>((r) => picky.close(() => r()));
    }
  });

  it('the email digest keeps to notify.deadlineSeconds: a server that trickles its EHLO answer is dropped at the deadline', async () => {
    // Greets, then answers EHLO with a 250- continuation line every 300 ms, never the last one.
    const sockets = new Set<Socket>();
    const trickle = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.write('220 trickle ESMTP\r\n');
      socket.once('data', () => {
        const timer = setInterval(() => { if (!socket.destroyed) socket.write('250-still thinking\r\n'); }, 300);
        socket.on('close', () => { clearInterval(timer); sockets.delete(socket); });
      });
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    try {
      writeFileSync(join(dir, 'deadline2.yaml'), 'notify:\n  deadlineSeconds: 2\n');
      const t = io({ ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(trickle.address() as AddressInfo).port}`, ZTAUDIT_EMAIL_TO: 'runs@example.com' });
      const t0 = performance.now();
      expect(await main(['fleet', '--history', 'fleet.db', '--config', 'deadline2.yaml', '--out', 'ftrickle', '--notify', '-q'], t)).toBe(2);
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(t.err()).toContain('ztaudit fleet: email digest failed: no answer within the 2 s notify deadline (notify.deadlineSeconds)\n');
      await new Promise((r) => setTimeout(r, 300));
      expect(sockets.size).toBe(0); // the connection was closed, not left trickling
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });

  it('policy regression sends nothing when no cluster regressed in the window', async () => {
    const before = slack.calls.length;
    writeFileSync(join(dir, 'narrow.yaml'), 'notify:\n  fleetDigest:\n    policy: regression\n    windowHours: 1\n');
    const t = io(env());
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'narrow.yaml', '--out', 'f2', '-q'], t)).toBe(0);
    expect(slack.calls.length).toBe(before);
  });

  it('without digest addresses, the environment\'s channel and recipients win over notify.slack/notify.email, with a warning naming both', async () => {
    writeFileSync(join(dir, 'general.yaml'), 'notify:\n  slack: {channel: C0FILE}\n  email: {to: [file@example.com]}\n  fleetDigest: {policy: always}\n');
    const before = slack.calls.length;
    const sent = mails.length;
    const t = io(env());
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'general.yaml', '--out', 'f6', '-q'], t), t.err()).toBe(0);
    expect(slack.calls.slice(before).find((c) => c.path.endsWith('/chat.postMessage'))!.fields.channel).toBe('C0RUNS');
    expect((mails[sent].to as { text: string }).text).toBe('runs@example.com');
    expect(t.err()).toContain('ztaudit fleet: warning: ZTAUDIT_SLACK_CHANNEL="C0RUNS" overrides notify.slack.channel="C0FILE" in the config');
  });

  it('a digest channel named in the config without its credentials is a warning line each, not silence', async () => {
    const t = io({ ZTAUDIT_EMAIL_TO: 'runs@example.com' });
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'digest.yaml', '--out', 'f5', '-q'], t)).toBe(0);
    expect(t.err()).toBe([
      'ztaudit fleet: warning: notify.fleetDigest.slack.channel is set but ZTAUDIT_SLACK_TOKEN is not: Slack disabled, no alert will be sent there',
      'ztaudit fleet: warning: notify.fleetDigest.email.to and ZTAUDIT_EMAIL_TO are set but ZTAUDIT_SMTP_URL is not: email disabled, no alert will be sent there',
      '',
    ].join('\n'));
  });

  it('--notify without a channel is one line, exit 2; a bad digest key names it', async () => {
    const t = io();
    expect(await main(['fleet', '--history', 'fleet.db', '--notify', '--out', 'f3', '-q'], t)).toBe(2);
    expect(t.err()).toMatch(/^ztaudit fleet: --notify: no channel configured/);
    writeFileSync(join(dir, 'bad.yaml'), 'notify:\n  fleetDigest:\n    policy: sometimes\n');
    const u = io();
    expect(await main(['fleet', '--history', 'fleet.db', '--config', 'bad.yaml', '--out', 'f4'], u)).toBe(2);
    expect(u.err()).toMatch(/notify\.fleetDigest\.policy/);
  });
});

describe('a cluster not audited for 9 days', () => {
  // prod-b audited an hour ago; the hostile-named cluster's last run is 9 days old. No regression
  // in the window, yet the digest must not read as an all-clear (DESIGN: silence must never look
  // like compliance). The name is escaped as Slack asks for mrkdwn text: &, < and > as entities
  // (https://docs.slack.dev/messaging/formatting-message-text#escaping), and by Handlebars in the email.
  const env = () => ({
    ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0RUNS', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
    ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com',
  });
  let lastRun: string;
  beforeAll(async () => {
    const now = Date.now();
    lastRun = new Date(now - 9 * 24 * 3_600_000 - 600_000).toISOString();
    const store = await openRunStore(join(dir, 'stale.db'));
    await store.save(fleetRun(HOSTILE, '20260101T000000Z-s00001', lastRun, 81));
    await store.save(fleetRun('prod-b', '20260101T000000Z-p00001', new Date(now - 3_600_000).toISOString(), 100));
    await store.close();
    writeFileSync(join(dir, 'stale.yaml'), 'notify:\n  fleetDigest:\n    policy: regression\n');
  });

  it('policy regression still sends the digest: a warning naming the cluster and its last run, no "no cluster regressed" all-clear; the summary line and fleet.json count it', async () => {
    const before = slack.calls.length;
    const sent = mails.length;
    const t = io(env());
    expect(await main(['fleet', '--history', 'stale.db', '--config', 'stale.yaml', '--out', 'fstale', '--format', 'json,md'], t), t.err()).toBe(0);
    expect(t.err()).toMatch(/slack digest sent: fleet digest \S+ in \S+\n.*email digest sent/s);
    expect(t.out()).toContain('2 clusters, mean overall 90.5, 0 regressed in the last 24 h, 1 without a run in the last 48 h (stale), ');
    const when = `${lastRun.slice(0, 16).replace('T', ' ')} UTC`;

    const post = slack.calls.slice(before).find((c) => c.path.endsWith('/chat.postMessage'))!;
    expect(String(post.fields.text)).toBe('ztaudit Fleet: 2 clusters, mean 90.5, 0 regressed in 24 h, 1 without a run in 48 h');
    const texts = (post.fields.blocks as Array<{ text: { text: string } }>).map((b) => b.text.text);
    expect(texts[1]).toBe(':warning: No cluster regressed in the last 24 h; 1 cluster not audited in the last 48 h, where a regression would not show.');
    expect(texts[2]).toBe(`*:warning: Not audited in the last 48 h*\n• \`&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e\` last run ${when} (9 days ago)`);
    expect(texts[3]).toBe('*Lowest overall scores*\n• `&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e` 81.0 (B) (stale)\n• `prod-b` 100.0 (A)');
    expect(JSON.stringify(post.fields.blocks)).not.toContain('white_check_mark');

    const mail = mails[sent];
    expect(mail.subject).toBe('[ztaudit] Fleet: 2 clusters, mean 90.5, 0 regressed in 24 h, 1 without a run in 48 h');
    const html = String(mail.html);
    expect(html).toContain('No cluster regressed in the last 24 h; 1 cluster not audited in the last 48 h, where a regression would not show.');
    expect(html).not.toContain('No cluster regressed.');
    expect(html).toContain('Not audited in the last 48 hours');
    expect(html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e</td><td style="padding:4px 0;border-bottom:1px solid #e2e8f0">last run ${when} (9 days ago)</td>`);
    expect(html).not.toContain('<script');
    expect(mail.text).toContain(`Not audited in the last 48 h:\n- <script>alert(1)</script>@here\\u202e: last run ${when} (9 days ago)\n`);

    const json = JSON.parse(readFileSync(join(dir, 'fstale', 'fleet.json'), 'utf8'));
    expect(json.staleAfterHours).toBe(48);
    expect(json.stale).toEqual([{ cluster: HOSTILE, runId: '20260101T000000Z-s00001', startedAt: lastRun }]);
    expect(json.clusters.map((c: { cluster: string; stale: boolean }) => [c.cluster, c.stale])).toEqual([[HOSTILE, true], ['prod-b', false]]);
    expect(json.leftOutAsNa).toBeDefined();
    const md = readFileSync(join(dir, 'fstale', 'fleet.md'), 'utf8');
    expect(md).toContain('; 1 without a run in the last 48 h (stale).');
    expect(md).toContain(` (stale: last run ${when}) | 81.0 B |`);
    expect(md).toContain('| prod-b | 100.0 A |');
    expect(md).not.toContain('<script');
  });
});

describe('a cluster whose latest run could not be read, in the email digest', () => {
  // Its state is unknown: the digest must not read as an all-clear (DESIGN: silence must never
  // look like compliance). prod-b's newest run has a damaged summary (shown by its older run);
  // the hostile-named cluster's only run too (no run of it readable); prod-c is fine.
  const env = () => ({ ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com' });
  let b1: string, b2: string, h1: string, h1At: string, b2At: string;
  beforeAll(async () => {
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    [b1, b2, h1] = ['20260101T000000Z-u00001', '20260101T010000Z-u00002', '20260101T020000Z-u00003'];
    [b2At, h1At] = [at(2), at(3)];
    const store = await openRunStore(join(dir, 'unreadable-digest.db'));
    const older = fleetRun('prod-b', b1, at(5), 70);
    await store.save(older);
    await store.save(fleetRun('prod-b', b2, b2At, 40, { previous: older, regression: ['new critical finding'] }));
    await store.save(fleetRun(HOSTILE, h1, h1At, 50));
    await store.save(fleetRun('prod-c', '20260101T030000Z-u00004', at(1), 95));
    await store.close();
    const sql = new DatabaseSync(join(dir, 'unreadable-digest.db'));
    for (const id of [b2, h1]) expect(Number(sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(id).changes)).toBe(1);
    sql.close();
    writeFileSync(join(dir, 'unreadable-digest.yaml'), 'notify:\n  fleetDigest:\n    policy: regression\n');
  });

  it('policy regression still sends it: no all-clear, a section naming each cluster, its unreadable run and its last readable one, escaped', async () => {
    const sent = mails.length;
    const t = io(env());
    expect(await main(['fleet', '--history', 'unreadable-digest.db', '--config', 'unreadable-digest.yaml', '--out', 'funread', '--format', 'json'], t)).toBe(2);
    expect(t.err()).toContain('email digest sent');
    expect(mails.length).toBe(sent + 1);
    const mail = mails[sent];
    const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
    const html = String(mail.html);
    // The regression of prod-b's unreadable run is not known: what is said is that its state is unknown.
    expect(html).toContain('No cluster regressed in the last 24 h that could be read: the latest run of 2 clusters could not be read, state unknown.');
    expect(html).not.toContain('#15803d'); // the all-clear's green
    const section = html.slice(html.indexOf('Latest run could not be read: state unknown</h3>'));
    expect(section.length).toBeLessThan(html.length);
    const rows = section.slice(0, section.indexOf('</table>')).split('<tr>').slice(1);
    expect(rows).toHaveLength(2);
    // The hostile name is text: markup escaped, its bidi override shown as \u202e (no raw U+202E).
    expect(rows[0]).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e</td><td style="padding:4px 0;border-bottom:1px solid #e2e8f0">latest run ${h1} (${when(h1At)}) could not be read</td>`);
    expect(rows[1]).toContain(`prod-b</td><td style="padding:4px 0;border-bottom:1px solid #e2e8f0">latest run ${b2} (${when(b2At)}) could not be read; last readable run ${b1}</td>`);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('\u202e');
    const text = String(mail.text);
    expect(text).toContain('No cluster regressed in the last 24 h that could be read: the latest run of 2 clusters could not be read, state unknown.');
    expect(text).toContain(`Latest run could not be read (state unknown):\n- <script>alert(1)</script>@here\\u202e: latest run ${h1} (${when(h1At)}) could not be read\n- prod-b: latest run ${b2} (${when(b2At)}) could not be read; last readable run ${b1}\n`);
  });

  // The header (Slack's header and notification text, the email's subject and first line) counts
  // and names them: its mean leaves them out (prod-c's 95.0 alone, not prod-b's older 70),
  // "without them", and its counts are over the runs that could be read.
  it('the header of every part counts and names each such cluster, escaped for its format', async () => {
    const t = io(env());
    const sent = mails.length;
    expect(await main(['fleet', '--history', 'unreadable-digest.db', '--config', 'unreadable-digest.yaml', '--out', 'funread-head', '--format', 'json', '-q'], t)).toBe(2);
    const mail = mails[sent]!;
    const counted = '3 clusters, 2 with the latest run unreadable (<script>alert(1)</script>@here\\u202e, prod-b), mean ';
    expect(mail.subject).toBe(`[ztaudit] Fleet: ${counted}95.0 without them, 0 regressed in 24 h without them, 0 without a run in 48 h`);
    expect(String(mail.text).split('\n')[0]).toBe(`Fleet: ${counted}95.0 without them, 0 regressed in 24 h without them, 0 without a run in 48 h`);
    expect(String(mail.html)).toContain('<div style="font-size:20px;font-weight:700;margin-top:4px">3 clusters · 2 with the latest run unreadable (&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e, prod-b) · mean 95.0 without them · ');
    const s = await openRunStore(join(dir, 'unreadable-digest.db'));
    const view = buildFleetView(await fleetDataOf(s, { ...DEFAULT_FLEET_QUERY, now: new Date() }, () => {}));
    await s.close();
    const slack = buildSlackDigest(view);
    // The header block (plain text, 150 characters at most: @slack/types HeaderBlock, https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/HeaderBlock)
    // counts them, the section below it names them; the notification text (mrkdwn) names them as inline code, escaped.
    expect((slack.blocks[0] as { text: { text: string } }).text.text).toBe('ztaudit Fleet: 3 clusters, 2 with the latest run unreadable, mean 95.0 without them, 0 regressed in 24 h without them, 0 without a run in 48 h');
    // Three are named, each cut to 40 characters; the rest counted.
    const many = ['x'.repeat(60), 'b', 'c', 'd'].map((cluster) => ({ cluster }));
    expect(unreadableHeadText({ unreadable: many } as unknown as FleetView)).toBe(`4 with the latest run unreadable (${'x'.repeat(39)}…, b, c and 1 more)`);
    expect(slack.text).toBe('ztaudit Fleet: 3 clusters, 2 with the latest run unreadable (`&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e`, `prod-b`), mean 95.0 without them, 0 regressed in 24 h without them, 0 without a run in 48 h');
  });
});

describe('a cluster whose latest run could not be read, in the regressions of the email digest', () => {
  // README "Missing data is not a fix": beta's older run regressed in the window, but beta's
  // newest run cannot be read: that regression is not its state now, so `fleet`'s summary line
  // and the email (subject, heading, both parts) leave it out of "N regressed" and say so.
  it('counts and lists only alpha\'s regression, saying the cluster was left out', async () => {
    const now = Date.now();
    const { runs, unreadable } = runsWithRegressionBeforeUnreadable((h) => new Date(now - h * 3_600_000).toISOString());
    const file = join(dir, 'unreadable-regressions.db');
    const store = await openRunStore(file);
    for (const r of runs) await store.save(r);
    await store.close();
    const sql = new DatabaseSync(file);
    expect(Number(sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(unreadable.run.id).changes)).toBe(1);
    sql.close();
    writeFileSync(join(dir, 'unreadable-regressions.yaml'), 'notify:\n  fleetDigest:\n    policy: regression\n');
    const sent = mails.length;
    const t = io({ ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com' });
    expect(await main(['fleet', '--history', 'unreadable-regressions.db', '--config', 'unreadable-regressions.yaml', '--out', 'funread-reg', '--format', 'json'], t)).toBe(2);
    expect(t.out()).toContain(', 1 regressed in the last 24 h (1 cluster whose latest run could not be read left out), ');
    const mail = mails[sent]!;
    expect(mail.subject).toBe('[ztaudit] Fleet: 2 clusters, 1 with the latest run unreadable (beta), mean 60.0 without it, 1 regressed in 24 h without it, 0 without a run in 48 h');
    const html = String(mail.html);
    expect(html).toContain(' · mean 60.0 without it · 1 regressed in 24 h without it · 0 without a run in 48 h</div>');
    const regressions = html.slice(html.indexOf('Regressions in the last 24 hours</h3>'), html.indexOf('Latest run could not be read: state unknown</h3>'));
    expect(regressions).toContain('<p class="left-out-unreadable" style="color:#b45309">1 cluster whose latest run could not be read left out: state unknown.</p>');
    expect(regressions).toContain('>alpha</td>');
    expect(regressions).not.toContain('beta');
    expect(regressions).not.toContain('new critical finding');
    expect(String(mail.text)).toContain('\n\n1 cluster whose latest run could not be read left out: state unknown.\n- alpha: 2 new high findings\n');
    expect(String(mail.text)).not.toContain('new critical finding');
  });
});

describe('serve /fleet', () => {
  it('serves the fleet report when the store holds several clusters, 404 while it holds one', { timeout: 120_000 }, async () => {
    const single = join(dir, 'single.db');
    const s = await openRunStore(single);
    // A cluster name with an OSC 8 hyperlink, a screen clear and a C1 CSI (U+009B): curl of the page runs none of them.
    const E = '\u001b]8;;https://evil.example/\u0007click-me\u001b]8;;\u0007\u001b[2J\u009b2J';
    await s.save(fleetRun(`alpha${E}`, '20261101T020000Z-a00001', '2026-11-01T02:00:00.000Z', 80));
    await s.close();
    const base = ['--manifests', join(REPO, 'examples/demo-cluster'), '--no-notify', '--port', '0', '--host', '127.0.0.1', '--schedule', '0 2 * * *'];
    const one = await startServe([...base, '--history', single, '--out', join(dir, 'serve-1')], io());
    try {
      await one.idle();
      // The demo run is a second cluster in that file now: the fleet view appears.
      const res = await fetch(`${one.url}/fleet`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('ztaudit · fleet report');
      expect(html).toContain('alpha\\u001b]8;;https://evil.example/\\u0007click-me\\u001b]8;;\\u0007\\u001b[2J\\u009b2J');
      expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    } finally {
      await one.stop();
    }
    const empty = join(dir, 'empty.db');
    const lone = await startServe([...base, '--history', empty, '--out', join(dir, 'serve-2')], io());
    try {
      await lone.idle();
      const res = await fetch(`${lone.url}/fleet`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('at most one cluster');
    } finally {
      await lone.stop();
    }
  });
});

describe('serve /fleet with a stored run it cannot read', () => {
  // `ztaudit fleet` goes on past a run whose report or summary cannot be read and names it
  // (README "History"); serve's /fleet is the same report: it is served, and the log names the runs.
  it('serves the page with every cluster and names the run whose report and the run whose summary it could not read', { timeout: 120_000 }, async () => {
    const db = join(dir, 'unreadable-fleet.db');
    const s = await openRunStore(db);
    await s.save(fleetRun('alpha', '20261101T020000Z-a00001', '2026-11-01T02:00:00.000Z', 80));
    await s.save(fleetRun('beta', '20261101T030000Z-b00001', '2026-11-01T03:00:00.000Z', 90));
    await s.save(fleetRun('beta', '20261102T030000Z-b00002', '2026-11-02T03:00:00.000Z', 91));
    await s.close();
    const sql = new DatabaseSync(db);
    sql.prepare('UPDATE runs SET report = substr(report, 1, 100) WHERE id = ?').run('20261101T020000Z-a00001');
    sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run('20261102T030000Z-b00002');
    sql.close();
    const t = io();
    const served = await startServe(['--manifests', join(REPO, 'examples/demo-cluster'), '--no-notify', '--port', '0', '--host', '127.0.0.1', '--schedule', '0 2 * * *', '--history', db, '--out', join(dir, 'serve-unreadable')], t);
    try {
      await served.idle();
      const res = await fetch(`${served.url}/fleet`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('ztaudit · fleet report');
      expect(html).toContain('20261101T020000Z-a00001'); // alpha, by its summary
      expect(html).toContain('20261101T030000Z-b00001'); // beta, by its readable run
      const warnings = t.err().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn' && l.msg.startsWith('/fleet: ')).map((l) => l.msg);
      expect(warnings).toEqual([
        `/fleet: stored run 20261102T030000Z-b00002 in ${db} has an unreadable summary (runs.summary): not JSON (Unexpected token 'g', "garbage" is not valid JSON); left out of the fleet (its cluster is shown by its other runs)`,
        `/fleet: stored run 20261101T020000Z-a00001 in ${db} is unreadable: unexpected end of file; left out of the regressions' reasons, the common findings and the waivers`,
      ]);
    } finally {
      await served.stop();
    }
  });
});

describe('a cluster graded n/a in the email digest', () => {
  // README: a run graded n/a (checks not evaluated) is left out of the fleet's mean overall
  // score, and every place that shows the mean says how many were left out. The email's header
  // line, in the HTML and the text part, says it as the subject does.
  it('the header line of both parts carries "(1 cluster graded n/a left out)" after the mean', async () => {
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const gamma = fleetRun('gamma', '20260101T000000Z-g00001', at(1), 30);
    gamma.checks = [{ id: 'network.allow-all-ingress', area: 'network', title: 't', severity: 'high', controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status: 'not-evaluated', unreadable: ['pods'] }];
    gamma.run.coverage = { pods: { status: 'forbidden' } };
    gamma.run.partial = ['pods could not be read (forbidden)'];
    const store = await openRunStore(join(dir, 'na.db'));
    for (const r of [fleetRun('alpha', '20260101T000000Z-a00001', at(3), 60), fleetRun('beta', '20260101T000000Z-b00001', at(2), 80), gamma]) await store.save(r);
    await store.close();
    writeFileSync(join(dir, 'na.yaml'), 'notify:\n  fleetDigest:\n    policy: always\n');
    const sent = mails.length;
    const t = io({ ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com' });
    expect(await main(['fleet', '--history', 'na.db', '--config', 'na.yaml', '--out', 'fna', '-q'], t), t.err()).toBe(0);
    expect(mails).toHaveLength(sent + 1);
    const mail = mails[sent];
    const headline = 'Fleet: 3 clusters, mean 70.0 (1 cluster graded n/a left out), 0 regressed in 24 h, 0 without a run in 48 h';
    expect(mail.subject).toBe(`[ztaudit] ${headline}`);
    expect(String(mail.html)).toContain('<div style="font-size:20px;font-weight:700;margin-top:4px">3 clusters · mean 70.0 (1 cluster graded n/a left out) · 0 regressed in 24 h · 0 without a run in 48 h</div>');
    expect(String(mail.text).split('\n')[0]).toBe(headline);
  });
});

describe('expired waivers in the digests', () => {
  // README: an expired waiver's findings count again; a waiver past its day is not "expiring".
  // The digests head the list as the `ztaudit fleet` summary line counts it, and mark which expired.
  it('the Slack and email digests head the waivers "2 waivers expired, 1 expiring" and mark the expired ones, as the summary line does', async () => {
    // The CLI states waivers at the real clock: dates relative to today (a waiver holds through its day, UTC).
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const run = fleetRun('gamma', '20260101T000000Z-g00001', new Date(Date.now() - 3_600_000).toISOString(), 70);
    run.waivers = [day(-2), day(3), day(-3)].map((e, i) => ({ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: `w${i}` }, reason: 'accepted', owner: 'team@example.com', expires: e, state: 'active' as const, matched: 1 }));
    const store = await openRunStore(join(dir, 'waivers.db'));
    await store.save(run);
    await store.close();
    writeFileSync(join(dir, 'waivers.yaml'), 'notify:\n  fleetDigest:\n    policy: always\n');
    const sent = mails.length;
    const posts = slack.calls.length;
    const t = io({ ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0W', ZTAUDIT_SLACK_API_URL: slack.apiUrl, ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'runs@example.com' });
    expect(await main(['fleet', '--history', 'waivers.db', '--config', 'waivers.yaml', '--out', 'fw'], t), t.err()).toBe(0);
    expect(t.out()).toContain(', 2 waivers expired, 1 expiring\n');
    const post = slack.calls.slice(posts).find((c) => c.path.endsWith('/chat.postMessage'))!;
    const texts = (post.fields.blocks as Array<{ text: { text: string } }>).map((b) => b.text.text);
    const listed = texts.find((x) => x.includes('waivers expired'))!;
    expect(listed.split('\n').slice(0, 1)).toEqual(['*2 waivers expired, 1 expiring*']);
    expect(listed.split('\n').slice(1).sort()).toEqual([
      `• ${day(-3)} expired \`gamma\` \`rbac.wildcard-permission\` (owner team@example.com)`,
      `• ${day(-2)} expired \`gamma\` \`rbac.wildcard-permission\` (owner team@example.com)`,
      `• ${day(3)} \`gamma\` \`rbac.wildcard-permission\` (owner team@example.com)`,
    ].sort());
    expect(texts.join('\n')).not.toContain('Waivers expiring');
    expect(mails).toHaveLength(sent + 1);
    const html = String(mails[sent]!.html);
    expect(html).toContain('<h3 style="margin:16px 0 8px;font-size:15px">2 waivers expired, 1 expiring</h3>');
    expect(html).toContain(`<li>${day(-2)} expired · gamma · <code>rbac.wildcard-permission</code>`);
    expect(html).toContain(`<li>${day(3)} · gamma · <code>rbac.wildcard-permission</code>`);
    expect(html).not.toContain('Waivers expiring');
  });
});

// A cluster whose latest run could not be read is left out of the findings on many clusters and
// the expiring waivers (the stores leave it out: commit 160a261a); fleet.html and fleet.md say so
// above both lists, and so must the digest, or "on 2 clusters" and "1 expiring" read as the
// whole fleet's. Names from the cluster (a subject of 3,000 "Ж", a cluster's name) are cut to
// 200 characters, as in a run's alert: one name must not fill the section.
describe('the digest of a fleet with a cluster whose latest run could not be read', () => {
  const long = 'Ж'.repeat(3000);
  const view = {
    ...fleetView,
    totals: { clusters: 3, meanOverall: 70, regressed: 0, stale: 0, unreadable: 1, meanLeftOut: 0, grades: [] },
    regressions: [], grid: [],
    unreadable: [{ cluster: 'prod', runId: 'r-9', startedAt: null, shownBy: 'r-8', stale: false }],
    common: Array.from({ length: 5 }, (_, i) => ({ check: 'rbac.cluster-admin-binding', severity: 'critical', resource: `User ${long}${i}`, clusters: 2, clusterNames: '', carried: 0, carriedText: '', findings: 2, unnamed: 0 })),
    waivers: [{ cluster: `${long}c`, check: 'rbac.wildcard-permission', resource: 'ClusterRole ops', owner: 'ops', expires: '2026-12-20', state: 'expiring-soon' }],
  } as unknown as FleetView;
  const note = '1 cluster whose latest run could not be read left out: state unknown.';

  it('Slack: "On many clusters" and the waivers say it, each of five long names cut, every code span closed', async () => {
    const before = slack.calls.length;
    expect((await sendSlackDigest(view, { token: 'xoxb-t', channel: 'C0FLEET', apiUrl: slack.apiUrl })).status).toBe('sent');
    const blocks = slack.calls.slice(before).find((c) => c.path.endsWith('/chat.postMessage'))!.fields.blocks as Array<{ text?: { text: string } }>;
    const texts = blocks.flatMap((b) => (b.text ? [b.text.text] : []));
    for (const t of texts) expect((t.match(/`/g) ?? []).length % 2).toBe(0);
    const common = texts.find((t) => t.startsWith('*On many clusters*'))!;
    expect(common.split('\n').slice(0, 2)).toEqual(['*On many clusters*', note]);
    expect(common.split('\n').slice(2)).toHaveLength(5);
    for (const l of common.split('\n').slice(2)) expect(l).toMatch(/^• 2 clusters: `rbac\.cluster-admin-binding` on `User Ж{194}…` \(critical\)$/);
    const waivers = texts.find((t) => t.startsWith('*0 waivers expired, 1 expiring*'))!;
    expect(waivers.split('\n')).toEqual(['*0 waivers expired, 1 expiring*', note, `• 2026-12-20 \`${'Ж'.repeat(199)}…\` \`rbac.wildcard-permission\` (owner ops)`]);
  });

  it('email: the text and HTML parts say it above both lists, names cut', async () => {
    const before = mails.length;
    expect((await sendEmailDigest(view, { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'z@example.com', to: ['fleet@example.com'] })).status).toBe('sent');
    const mail = mails[before]!;
    expect(mail.text).toContain(`\nFindings on many clusters:\n${note}\n- 2 clusters: rbac.cluster-admin-binding on User ${'Ж'.repeat(194)}… (critical)\n`);
    expect(mail.text).toContain(`\n0 waivers expired, 1 expiring:\n${note}\n- 2026-12-20 ${'Ж'.repeat(199)}… rbac.wildcard-permission (owner ops)`);
    expect(mail.text).not.toContain('Ж'.repeat(200));
    const html = String(mail.html);
    expect(html).not.toContain('Ж'.repeat(200));
    expect(html.match(/<p class="left-out-unreadable"[^>]*>1 cluster whose latest run could not be read left out: state unknown\.<\/p>/g)).toHaveLength(2);
    expect(html.indexOf('left-out-unreadable')).toBeGreaterThan(html.indexOf('Findings on many clusters'));
  });
});
