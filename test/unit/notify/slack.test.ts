import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSlackMessage, notifySlack, notifySlackFailure } from '../../../src/notify/slack.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { buildRun, HOSTILE_CLUSTER, INVISIBLE_USERS_SHOWN, invisibleRun, RAW_INVISIBLE, syntheticReport } from '../report/fixtures.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView } from '../../../src/fleet/view.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { sendSlackDigest } from '../../../src/notify/fleet-digest.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { NOW, fleetRun } from '../fleet/seed.ts';

let slack: FakeSlack;
let dir: string;

beforeEach(async () => {
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-slack-'));
});
afterEach(async () => { await slack.close(); });

function htmlFile(content = '<!DOCTYPE html><title>report</title><p>ok</p>') {
  const p = join(dir, 'report.html');
  writeFileSync(p, content);
  return p;
}

/** Each block's text: a section's, a context's. */
const textsOf = (blocks: ReturnType<typeof buildSlackMessage>['blocks']) =>
  blocks.map((b) => (b as { text?: { text?: string } }).text?.text ?? (b as { elements?: Array<{ text: string }> }).elements?.[0]?.text ?? '');

/** 78 new findings with long messages, 40 long regression reasons and 28 checks not evaluated. */
function longLists(): RunReport {
  const base = syntheticReport(78);
  const findings = base.findings.map((f) => ({ ...f, message: `${`${f.message} ${'because of a long explanation '.repeat(9)}`.slice(0, 270)} end-of-${f.fingerprint}` }));
  const gaps = Array.from({ length: 28 }, (_, i) => ({ ...base.checks[0]!, id: `gap.check-${i}`, status: 'not-evaluated' as const, reason: `${'could not list the objects it reads, '.repeat(5)}gap-end-${i}` }));
  const reasons = Array.from({ length: 40 }, (_, i) => `new high finding ${'x'.repeat(120)} reason-end-${i}`);
  return { ...base, findings, checks: [...base.checks, ...gaps], diff: { ...base.diff!, regression: true, regressionReasons: reasons } };
}

describe('long lists in the message', () => {
  it('shows whole lines across sections within Slack\'s limits and counts exactly what it left out', () => {
    const report = longLists();
    const msg = buildSlackMessage(report);
    for (const blocks of [msg.blocks, msg.thread.blocks]) {
      expect(blocks.length).toBeLessThanOrEqual(50);
      for (const t of textsOf(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    }
    const main = textsOf(msg.blocks).join('\n');
    for (let i = 0; i < 40; i++) expect(main).toContain(`reason-end-${i}\n`);
    const thread = textsOf(msg.thread.blocks).join('\n');
    const fresh = (thread.match(/\*New findings\* \((\d+)\)/) ?? [])[1];
    const shown = (thread.match(/ end-of-\S+\n/g) ?? []).length;
    expect(shown).toBe(25);
    expect(thread).toContain(`\n…and ${Number(fresh) - 25} more in report.json\n`);
    expect(thread).not.toContain('…\n');
    const gaps = thread.slice(thread.indexOf('*Not evaluated*')).split('\n');
    const gapCount = Number((gaps[0]!.match(/\((\d+)\)/) ?? [])[1]);
    expect(gapCount).toBeGreaterThan(28);
    expect(gaps.slice(1)).toHaveLength(16);
    expect(gaps.filter((l) => l.startsWith('• `gap.check-')).every((l) => /gap-end-\d+$/.test(l))).toBe(true);
    expect(gaps.at(-1)).toBe(`…and ${gapCount - 15} more in report.json`);
  });

  // A reason is cut to 300 characters (it names subjects, whose names may run to thousands), so the
  // reasons after it share its section.
  it('cuts a long reason to 300 characters at a character boundary, and goes on with the next line in the same section', () => {
    const report = longLists();
    const reasons = ['first reason', `${'z'.repeat(250)}${'😀'.repeat(100)}`, 'the reason after it'];
    const msg = buildSlackMessage({ ...report, diff: { ...report.diff!, regressionReasons: reasons } });
    const texts = textsOf(msg.blocks);
    const long = texts.find((t) => t.includes('zzz'))!.split('\n').find((l) => l.includes('zzz'))!;
    expect(long.length).toBeLessThanOrEqual(2 + 300);
    expect(long).toMatch(/^• z{250}(😀)+…$/u);
    expect(texts.find((t) => t.includes('zzz'))).toContain('\n• the reason after it');
    expect(texts.join('\n')).toContain('*Why this is a regression*\n• first reason\n');
    expect(texts.join('\n')).toContain('\n• the reason after it');
  });

  it('ends a list that fills every block it may use with the count of what it could not show', () => {
    const report = longLists();
    // Ten lines fill a section to its last character: the count takes the place of one.
    const reasons = Array.from({ length: 600 }, (_, i) => `${'y'.repeat(282)} r${String(i).padStart(3, '0')}`);
    const msg = buildSlackMessage({ ...report, diff: { ...report.diff!, regressionReasons: reasons } });
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    const main = textsOf(msg.blocks).join('\n');
    const shown = (main.match(/ r\d{3}\n/g) ?? []).length;
    expect(shown).toBeGreaterThan(100);
    expect(main).toContain(` r${String(shown - 1).padStart(3, '0')}\n…and ${600 - shown} more in report.json`);
  });
});

describe('notifySlack', () => {
  it('posts the Block Kit message, a thread reply and uploads the HTML report into the thread', async () => {
    const { report } = buildRun();
    const html = '<!DOCTYPE html><title>r</title><p>full report body 12345</p>';
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: '#sec-alerts', apiUrl: slack.apiUrl, htmlReportPath: htmlFile(html), policy: 'regression' });
    expect(outcome).toEqual({ channel: 'slack', status: 'sent', detail: 'message 1764122400.000101 in C0REPORTS' });

    const expected = buildSlackMessage(report);
    expect(slack.calls.map((c) => c.path)).toEqual([
      '/api/chat.postMessage', '/api/chat.postMessage', '/api/files.getUploadURLExternal', '/upload/F0REPORT', '/api/files.completeUploadExternal',
    ]);
    const [main, thread, getUrl, upload, complete] = slack.calls;
    expect(main.authorization).toBe('Bearer xoxb-test');
    expect(main.fields).toEqual({ channel: '#sec-alerts', text: expected.text, blocks: expected.blocks, unfurl_links: 'false', unfurl_media: 'false' });
    expect(thread.fields).toEqual({
      channel: 'C0REPORTS', thread_ts: '1764122400.000101', text: expected.thread.text, blocks: expected.thread.blocks, unfurl_links: 'false', unfurl_media: 'false',
    });
    expect(getUrl.fields).toEqual({ filename: 'report.html', length: String(Buffer.byteLength(html)) });
    expect(upload.raw.toString('utf8')).toContain('full report body 12345');
    expect(complete.fields).toEqual({
      files: [{ id: 'F0REPORT', title: `ztaudit report ${report.run.id}` }], channel_id: 'C0REPORTS', thread_ts: '1764122400.000101',
    });
  });

  it('says what a reviewer needs in the message: cluster, score and delta, top new findings by severity, resolved count', () => {
    const { report } = buildRun();
    const msg = buildSlackMessage(report);
    const text = JSON.stringify(msg.blocks);
    expect(text).toContain('`prod-eu-1`');
    expect(text).toContain('*Score* 73.5 (grade n/a, 3/5 checks evaluated; partial: pod-security not scored; not comparable with a complete run) (▲ +2.7 since last run)');
    const worse = buildSlackMessage(buildRun({ hostile: true }).report);
    expect(JSON.stringify(worse.blocks)).toContain('*Score* 64.7 (grade n/a, 3/5 checks evaluated; partial: pod-security not scored; not comparable with a complete run) (▼ −6.1 since last run)');
    // The thread names each area's share, and gives no grade to the partial ones.
    const thread = JSON.stringify(msg.thread.blocks);
    expect(thread).toContain('• tls: 100 (1/2 checks evaluated, no grade) (±0 since last run)');
    expect(thread).toContain('• network: 75 (grade C) (▲ +25 since last run)');
    expect(text).toContain(`*Resolved*\\n${report.diff!.resolved.length}`);
    // Most severe new finding first.
    const top = (msg.blocks.find((b) => JSON.stringify(b).includes('Top new findings')) as unknown as { text: { text: string } }).text.text;
    expect(top.split('\n').slice(1)).toEqual([':large_orange_circle: *high* `fake.rbac-wide-serviceaccount` on `ServiceAccount payments/api`: ServiceAccount api can list secrets cluster-wide']);
  });

  // docs/hostile-text.md: a long cluster name is what gets cut, so the score stays (as in the email's subject).
  it('cuts a very long cluster name, not the score: the first section keeps "*Score* …" and a closed code span', () => {
    for (const name of [`prod-${'x'.repeat(5000)}`, `prod-${'&'.repeat(3000)}`, `prod-${'😀'.repeat(2000)}`]) {
      const { report } = buildRun({ clusterName: name });
      const msg = buildSlackMessage(report);
      const first = textsOf(msg.blocks)[1];
      expect(first.length).toBeLessThanOrEqual(2900);
      expect(first).toMatch(/^\*Cluster\* `prod-[^`]+…`\n\*Score\* 73\.5 \(grade n\/a, 3\/5 checks evaluated; partial: pod-security not scored; not comparable with a complete run\) \(▲ \+2\.7 since last run\)\n:warning: Score up despite the regression \(\+2\.7 overall\)[^\n]*$/);
      // Cut whole: no half escape, no half character.
      expect(first).not.toMatch(/&(?!amp;)/);
      expect(first).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
      expect(msg.text).toContain(', score 73.5 (grade n/a');
    }
    // A name that fits is shown whole.
    expect(textsOf(buildSlackMessage(buildRun({ clusterName: 'c'.repeat(2000) }).report).blocks)[1]).toContain(`\`${'c'.repeat(2000)}\`\n*Score* 73.5`);
  });

  it('escapes hostile cluster and resource names: no mention, no link, no formatting', async () => {
    const { report } = buildRun({ hostile: true, clusterName: HOSTILE_CLUSTER });
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome.status).toBe('sent');
    const bodies = slack.calls.map((c) => c.raw.toString('utf8')).map((b) => decodeURIComponent(b.replace(/\+/g, ' '))).join('\n');
    expect(bodies).not.toContain('<!channel>');
    expect(bodies).not.toContain('<script>');
    expect(bodies).not.toContain('<b>');
    expect(bodies).toContain('&lt;!channel&gt;');
    expect(bodies).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Names sit in code spans, where *bold* _italic_ ~strike~ do not apply.
    expect(bodies).toContain('`prod-&lt;b&gt;eu&lt;/b&gt; *bold* _it_ ~strike~ &lt;!channel&gt; {{constructor}}`');
  });

  // A User "alice" and a zero-width space reads "alice" wherever the character is left raw; the
  // Unicode Standard (section 5.21) gives it, and the BOM, no glyph. Slack shows neither.
  it('shows a zero-width space, a BOM, a no-break and an ideographic space in a name as escapes, in the blocks, the thread and the fallback text', () => {
    const msg = buildSlackMessage(invisibleRun().report);
    const texts = { fallback: msg.text, blocks: textsOf(msg.blocks).join('\n'), thread: textsOf(msg.thread.blocks).join('\n') };
    for (const [name, text] of Object.entries(texts)) expect(text, name).not.toMatch(RAW_INVISIBLE);
    expect(texts.fallback).toContain('on `prod\\u200b`');
    expect(texts.blocks).toContain('*Cluster* `prod\\u200b`');
    for (const shown of INVISIBLE_USERS_SHOWN) {
      expect(texts.blocks).toContain(`on \`User ${shown}\`: User:${shown} can do anything`);
      expect(texts.blocks).toContain(`• new critical finding: User:${shown} can do anything`);
      expect(texts.thread).toContain(`on \`User ${shown}\``);
    }
  });

  // ECMA-48 (5th ed., 5.3, 8.3.16): ESC (0x1B) opens a control sequence, "ESC [ 31 m" sets the
  // colour (SGR); a raw NUL ends a C string. A subject named with them reaches Slack's API and
  // every log that records the payload: shown as \u001b and \u0000, as every other output shows them.
  it('shows ESC and NUL in a subject name as \\u001b and \\u0000 in the payload sent, never raw', async () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && report.diff!.new.includes(x.fingerprint))!;
    f.resource = { ...f.resource, name: 'mallory\u001b[31m\u0000x' };
    f.message = `${f.message} for mallory\u001b[2J\u0000`;
    const msg = buildSlackMessage(report);
    const texts = [msg.text, ...textsOf(msg.blocks), ...textsOf(msg.thread.blocks)].join('\n');
    expect(texts).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(texts).toContain(`\`${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}mallory\\u001b[31m\\u0000x\``);
    expect(texts).toContain('for mallory\\u001b[2J\\u0000');
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome.status).toBe('sent');
    const bodies = slack.calls.map((c) => c.raw.toString('utf8')).map((b) => decodeURIComponent(b.replace(/\+/g, ' '))).join('\n');
    expect(bodies).toContain('mallory\\\\u001b[31m\\\\u0000x');
    expect(bodies).not.toMatch(/[\u0000\u001b]/);
  });

  // docs/hostile-text.md: a line break in a name is shown as \u000a, as the terminal, report.md
  // and the text email show it. Written as a space, "web\nadmin" would read as "web admin" to
  // whoever reads the channel; written raw, it would forge a bullet line.
  it('shows a line break and a carriage return in a cluster, subject or message as \\u000a and \\u000d in the payload sent', async () => {
    const { report } = buildRun({ clusterName: 'prod\neu' });
    const f = report.findings.find((x) => !x.waived && report.diff!.new.includes(x.fingerprint))!;
    f.resource = { ...f.resource, name: 'web\nadmin\rx' };
    f.message = `${f.message} for web\nadmin\rx`;
    const msg = buildSlackMessage(report);
    const blocks = textsOf(msg.blocks).join('\n');
    expect(msg.text).toContain('on `prod\\u000aeu`');
    expect(blocks).toContain('*Cluster* `prod\\u000aeu`');
    expect(blocks).toContain(`\`${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}web\\u000aadmin\\u000dx\``);
    expect(blocks).toContain('for web\\u000aadmin\\u000dx');
    expect(blocks).not.toContain('web admin');
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome.status).toBe('sent');
    const bodies = slack.calls.map((c) => c.raw.toString('utf8')).map((b) => decodeURIComponent(b.replace(/\+/g, ' '))).join('\n');
    expect(bodies).toContain('web\\\\u000aadmin\\\\u000dx');
    expect(bodies).toContain('prod\\\\u000aeu');
    expect(bodies).not.toMatch(/web\s+admin|prod\s+eu/);
  });

  it('retries after a 429, honouring Retry-After, then succeeds', async () => {
    const { report } = buildRun();
    slack.rateLimit('chat.postMessage', 1, 1);
    const started = Date.now();
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome.status).toBe('sent');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const posts = slack.calls.filter((c) => c.path === '/api/chat.postMessage');
    expect(posts).toHaveLength(3); // the rate-limited attempt, its retry, the thread reply
    expect(posts[0].fields).toEqual(posts[1].fields);
  });

  it('does not retry a 5xx (Slack may have posted it all the same): one post, failed', async () => {
    const { report } = buildRun();
    slack.failHttp('chat.postMessage', 2, 503);
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome).toMatchObject({ status: 'failed', detail: expect.stringContaining('503') });
    expect(slack.calls.filter((c) => c.path === '/api/chat.postMessage')).toHaveLength(1);
  });

  it('returns failed (never throws) on a platform error, an outage, and an unreachable API', async () => {
    const { report } = buildRun();
    slack.platformError('chat.postMessage', 'channel_not_found');
    expect(await notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' }))
      .toEqual({ channel: 'slack', status: 'failed', detail: 'channel_not_found' });

    const s2 = await startFakeSlack();
    s2.failHttp('chat.postMessage', 10, 500);
    const down = await notifySlack(report, { token: 't', channel: 'C1', apiUrl: s2.apiUrl, policy: 'always' });
    expect(down.status).toBe('failed');
    expect(s2.calls).toHaveLength(1); // never retried
    await s2.close();

    const closed = await notifySlack(report, { token: 't', channel: 'C1', apiUrl: s2.apiUrl, policy: 'always' });
    expect(closed.status).toBe('failed');
  });

  it('follows the policy: regression sends only on report.diff.regression; never never sends', async () => {
    const { report } = buildRun();
    const calm = { ...report, diff: { ...report.diff!, regression: false, regressionReasons: [] } };
    expect(await notifySlack(calm, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'regression' }))
      .toEqual({ channel: 'slack', status: 'skipped', detail: 'no regression since the previous run' });
    expect((await notifySlack({ ...report, diff: null }, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'regression' })).status).toBe('skipped');
    expect((await notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'never' })).status).toBe('skipped');
    expect(slack.calls).toHaveLength(0);
    expect((await notifySlack(calm, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  });

  it('still reports sent when only the upload fails, and says so', async () => {
    const { report } = buildRun();
    slack.platformError('files.getUploadURLExternal', 'not_allowed_token_type');
    const outcome = await notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, htmlReportPath: htmlFile(), policy: 'always' });
    expect(outcome.status).toBe('sent');
    expect(outcome.detail).toContain('report upload failed: not_allowed_token_type');
  });
});

describe('notifySlackFailure', () => {
  it('posts "audit could not run" with the escaped reason', async () => {
    const outcome = await notifySlackFailure('cannot reach https://10.0.0.1:6443 <!here>', { token: 't', channel: 'C1', apiUrl: slack.apiUrl, clusterName: 'prod <!channel>' });
    expect(outcome.status).toBe('sent');
    const [call] = slack.calls;
    expect(call.fields.text).toBe('ztaudit: audit could not run on `prod &lt;!channel&gt;`: cannot reach https://10.0.0.1:6443 &lt;!here&gt;');
    expect(JSON.stringify(call.fields.blocks)).toContain('audit could not run');
    expect(call.raw.toString()).not.toContain(encodeURIComponent('<!'));
  });

  it('returns failed when Slack is unreachable', async () => {
    await slack.close();
    const outcome = await notifySlackFailure('boom', { token: 't', channel: 'C1', apiUrl: slack.apiUrl });
    expect(outcome.status).toBe('failed');
    slack = await startFakeSlack();
  });
});

describe('RBAC breadth not compared', () => {
  // A group whose discovery failed is named by the API server, as hostile as any other name from the cluster.
  const line = 'RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, <!channel> *x*.example: discovery failed, built-in list used for them)';

  it('is said in the alert itself, escaped, as report.json, the console and the HTML report say it', async () => {
    const { report } = buildRun();
    report.diff = { ...report.diff!, breadthNotCompared: line };
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' });
    expect(outcome.status).toBe('sent');
    const main = slack.calls[0]!.fields as { blocks: Parameters<typeof textsOf>[0] };
    expect(textsOf(main.blocks)).toContain(':information_source: RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, &lt;!channel&gt; ∗x∗.example: discovery failed, built-in list used for them).');
    expect(JSON.stringify(slack.calls.map((c) => c.fields))).not.toContain('<!channel>');
  });

  it('is not said when the breadths were compared', () => {
    expect(JSON.stringify(buildSlackMessage(buildRun().report))).not.toContain('breadth not compared');
  });
});

describe('emoji codes in names from the cluster', () => {
  // A plain_text text object with emoji true turns `:name:` into an emoji (Slack: "emoji —
  // Indicates whether emojis in a text field should be escaped into the colon emoji format",
  // https://api.slack.com/reference/block-kit/composition-objects#text). A cluster named
  // ":white_check_mark: all clear" must never be shown as a green tick: every plain_text the
  // alert, the failure alert and the fleet digest post says emoji false, and none carries the name.
  const NAME = ':white_check_mark: all clear :tada:';
  const plainTexts = (value: unknown): Array<{ text: string; emoji?: boolean }> => {
    if (Array.isArray(value)) return value.flatMap(plainTexts);
    if (value === null || typeof value !== 'object') return [];
    const o = value as Record<string, unknown>;
    return [...(o.type === 'plain_text' ? [o as { text: string; emoji?: boolean }] : []), ...Object.values(o).flatMap(plainTexts)];
  };

  it('no plain_text asks Slack to render them, in the alert, the failure alert and the fleet digest', async () => {
    const { report } = buildRun({ clusterName: NAME });
    expect((await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
    expect((await notifySlackFailure('boom', { token: 't', channel: 'C1', apiUrl: slack.apiUrl, clusterName: NAME })).status).toBe('sent');
    const store = await openRunStore(join(dir, 'emoji.db'));
    for (const r of [fleetRun(NAME, '20261110T020000Z-e00001', '2026-11-10T02:00:00.000Z', 60), fleetRun(':rotating_light:', '20261110T030000Z-e00002', '2026-11-10T03:00:00.000Z', 80)]) await store.save(r);
    const view = buildFleetView(await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW }));
    await store.close();
    expect((await sendSlackDigest(view, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl })).status).toBe('sent');
    const posts = slack.calls.filter((c) => c.path.endsWith('/chat.postMessage'));
    expect(posts.length).toBeGreaterThanOrEqual(3);
    const headers = posts.flatMap((c) => plainTexts(c.fields.blocks));
    expect(headers.length).toBeGreaterThanOrEqual(3);
    for (const t of headers) {
      expect(t.emoji, t.text).toBe(false);
      expect(t.text).not.toContain(':white_check_mark:');
      expect(t.text).not.toContain(':rotating_light:');
    }
  });
});
