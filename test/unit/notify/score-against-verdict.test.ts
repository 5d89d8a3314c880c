// A regression whose overall score still rose (or a run that is none whose score fell) says so
// with the causes that moved it, in every output that shows the score: README "every score change
// explained by its causes", as report.html's "Why the scores moved" itemises them. The runs: two
// hardened Deployments in a namespace with no Pod Security label, then a privileged, hostPID one
// added (a new high finding, a regression) that still passes the limits and read-only-root checks,
// raising the pod-security score; then that Deployment removed (no regression, the score falls).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { notifyEmail } from '../../../src/notify/email.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';
import { privilegedScene } from '../pss/privileged-scene.ts';

function audit(i: number, withEvil: boolean, previous?: RunReport): RunReport {
  const text = privilegedScene(withEvil);
  const at = new Date(Date.UTC(2026, 11, 7, 12, 0, i));
  const parsed = parseManifestText(text, 'a.yaml');
  const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources, clusterName: 'sr3' });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: `run-${i}` }).report;
  if (previous) report.diff = diffRuns(previous, report, { rules: defaultConfig().regression, expiredWaivers: [] });
  return report;
}

const UP = /Score up despite the regression \(\+\d+(\.\d)? overall\): pod-security \+\d+(\.\d)?, pod-security\.resource-limits-missing: 1 more passing result/;
const DOWN = /Score down though no regression \(−\d+(\.\d)? overall\): pod-security −\d+(\.\d)?, pod-security\.resource-limits-missing: 1 passing result no longer present/;

function terminal(report: RunReport): string {
  let out = '';
  const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' };
  printScoreTable(report, io);
  return out;
}

let slack: FakeSlack;
let smtp: SMTPServer;
let port: number;
let mails: ParsedMail[];
beforeEach(async () => {
  slack = await startFakeSlack();
  mails = [];
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) { simpleParser(stream).then((mail) => { mails.push(mail); callback(); }, callback); },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
afterEach(async () => {
  await slack.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function send(report: RunReport) {
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  expect((await notifyEmail(report, { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'zt@example.com', to: ['oncall@example.com'], policy: 'always' })).status).toBe('sent');
  const post = slack.calls.filter((c) => c.path.endsWith('chat.postMessage'))[0]!;
  const blocks = post.fields.blocks as Array<{ text?: { text: string } }>;
  return { post, scoreSection: blocks[1]!.text!.text, mail: mails[0]! };
}

describe('a score that moved against the verdict is explained by its causes', () => {
  const r1 = audit(1, false);
  const r2 = audit(2, true, r1);
  const r3 = audit(3, false, r2);

  it('a regression whose score rose: Slack, email (subject and body), Markdown and the terminal each say "up despite the regression" with its top causes', async () => {
    expect(r2.diff!.regression).toBe(true);
    expect(r2.diff!.scoreDelta.overall!).toBeGreaterThan(0);
    const { post, scoreSection, mail } = await send(r2);
    expect(scoreSection).toMatch(/^\*Cluster\* `sr3`\n\*Score\* .*▲.*\n:warning: /);
    expect(scoreSection).toMatch(UP);
    expect(String(post.fields.text)).toContain('(up despite the regression)');
    expect(mail.subject).toMatch(/^\[ztaudit\] Regression on sr3: score [\d.]+ \(\+[\d.]+, up despite the regression\)$/);
    expect(mail.text).toMatch(UP);
    expect(String(mail.html)).toMatch(/id="score-against-verdict">Score up despite the regression/);
    expect(renderMarkdown(r2).replace(/\\/g, '')).toMatch(UP);
    expect(terminal(r2)).toMatch(new RegExp(`REGRESSION\\n${UP.source}`)); // under the verdict
  });

  it('a run that is no regression whose score fell says "down though no regression" with its causes', async () => {
    expect(r3.diff!.regression).toBe(false);
    expect(r3.diff!.scoreDelta.overall!).toBeLessThan(0);
    const { scoreSection, mail } = await send(r3);
    expect(scoreSection).toMatch(DOWN);
    expect(mail.subject).toContain(', down though no regression)');
    expect(mail.text).toMatch(DOWN);
    expect(renderMarkdown(r3).replace(/\\/g, '')).toMatch(DOWN);
    expect(terminal(r3)).toMatch(DOWN);
  });
});
