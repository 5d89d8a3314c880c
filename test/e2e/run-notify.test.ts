// `ztaudit run` end to end with its real edges: a SQLite history, the HTML/JSON renderers,
// Slack (a local server speaking the Web API, via ZTAUDIT_SLACK_API_URL) and email (a real
// SMTP server on loopback). What an on-call engineer sees: one alert when a run regresses,
// nothing when it does not, an "audit could not run" alert when it cannot run, and a stored
// run even when Slack is down.
import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { CliIO } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';

const REPO = join(import.meta.dirname, '../..');
let slack: FakeSlack;
let smtp: SMTPServer;
let mails: ParsedMail[];
let dir: string;
let env: Record<string, string>;

function io() {
  const err: string[] = [];
  const cli: CliIO = { stdout: () => {}, stderr: (t) => err.push(t), env, isTTY: false, cwd: dir };
  return { cli, err: () => err.join('') };
}

const postMessages = () => slack.calls.filter((c) => c.path.endsWith('/chat.postMessage'));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zt-e2e-'));
  cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'cluster'), { recursive: true });
  cpSync(join(REPO, 'examples/ztaudit.demo.yaml'), join(dir, 'ztaudit.yaml'));
  slack = await startFakeSlack();
  mails = [];
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => { mails.push(m); callback(); }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  env = {
    ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
    ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    ZTAUDIT_EMAIL_FROM: 'ztaudit@example.test', ZTAUDIT_EMAIL_TO: 'secops@example.test',
  };
});

afterEach(async () => {
  await slack.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const runArgs = () => ['run', '--manifests', 'cluster', '--out', 'out', '--history', 'history.db', '--format', 'html,json'];

describe('ztaudit run with history, Slack and email', () => {
  it('alerts once on a regression, with the report attached, and stays quiet when nothing got worse', async () => {
    // First run: the baseline (no previous run, so no regression under the default policy).
    expect(await main(runArgs(), io().cli)).toBe(0);
    expect(postMessages()).toHaveLength(0);
    expect(mails).toHaveLength(0);

    // Someone binds cluster-admin to a new user, with a hostile name.
    appendFileSync(join(dir, 'cluster/40-rbac.yaml'), [
      '---', 'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRoleBinding', 'metadata: {name: break-glass}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
      'subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "<!channel> mallory"}]', '',
    ].join('\n'));
    expect(await main(runArgs(), io().cli)).toBe(0);

    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(report.diff.regression).toBe(true);
    expect(report.notifications).toEqual([
      expect.objectContaining({ channel: 'slack', status: 'sent' }),
      expect.objectContaining({ channel: 'email', status: 'sent' }),
    ]);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas/report.schema.json'), 'utf8')));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);

    const [main1] = postMessages();
    expect(main1.fields.channel).toBe('C0SECURITY');
    const text = JSON.stringify(main1.fields);
    expect(text).toContain('rbac.cluster-admin-binding');
    expect(text).not.toContain('<!channel>'); // escaped: the name pings nobody
    expect(text).toContain('&lt;!channel&gt;');
    expect(slack.calls.some((c) => c.path.endsWith('/files.completeUploadExternal'))).toBe(true);

    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/regress/i);
    expect(mails[0].attachments.map((a) => a.filename)).toContain('report.html');
    expect(mails[0].html || '').not.toContain('<!channel> mallory');

    // A third run over the same cluster: persisting findings only, no new alert.
    const before = postMessages().length;
    expect(await main(runArgs(), io().cli)).toBe(0);
    expect(postMessages()).toHaveLength(before);
    expect(mails).toHaveLength(1);
  });

  it('sends "audit could not run" on both channels when the config is broken, and exits 2', async () => {
    writeFileSync(join(dir, 'ztaudit.yaml'), 'target:\n  podSecurityLevl: restricted\n');
    const t = io();
    expect(await main(runArgs(), t.cli)).toBe(2);
    expect(t.err()).toContain('ztaudit.yaml: target.podSecurityLevl: unknown key');
    const [alert] = postMessages();
    expect(JSON.stringify(alert.fields)).toMatch(/could not run/i);
    expect(JSON.stringify(alert.fields)).toContain('podSecurityLevl');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/could not run/i);
  });

  it('names every problem of a config with two wrong keys in the "could not run" alert, not only the first', async () => {
    writeFileSync(join(dir, 'ztaudit.yaml'), 'bogusKey: 1\ntarget:\n  podSecurityLevel: extreme\n');
    const t = io();
    expect(await main(runArgs(), t.cli)).toBe(2);
    const problems = ['ztaudit.yaml: bogusKey: unknown key', 'ztaudit.yaml: target.podSecurityLevel: must be one of baseline, restricted'];
    for (const p of problems) expect(t.err()).toContain(p);
    expect(postMessages().map((c) => c.fields.text)).toEqual([`ztaudit: audit could not run: ${problems.join('; ')}`]);
    expect(mails).toHaveLength(1);
    for (const p of problems) expect(mails[0].text).toContain(p);
  });

  it('sends "audit could not run" on both channels for a bad flag too (an unknown format, a PDF without Chromium), and exits 2', async () => {
    let t = io();
    expect(await main([...runArgs().slice(0, -1), 'html,jsn'], t.cli)).toBe(2);
    expect(t.err()).toMatch(/^ztaudit: --format jsn: must be among [^\n]*\n$/);
    env.ZTAUDIT_CHROMIUM = join(dir, 'no-such-chromium');
    t = io();
    expect(await main([...runArgs().slice(0, -1), 'html,pdf'], t.cli)).toBe(2);
    expect(t.err()).toMatch(/^ztaudit: ZTAUDIT_CHROMIUM=\S+: not an executable absolute path[^\n]*\n$/);
    const alerts = postMessages().map((c) => String(c.fields.text));
    expect(alerts).toEqual([
      expect.stringMatching(/^ztaudit: audit could not run: --format jsn: must be among/),
      expect.stringMatching(/^ztaudit: audit could not run: ZTAUDIT_CHROMIUM=/),
    ]);
    expect(mails.map((m) => m.subject)).toEqual(['[ztaudit] Audit could not run on unknown cluster', '[ztaudit] Audit could not run on unknown cluster']);
    expect(await main([...runArgs().slice(0, -1), 'html,jsn', '--no-notify'], io().cli)).toBe(2);
    expect(postMessages()).toHaveLength(2);
  });

  it('names the cluster the operator gave (--cluster, cluster.name) in the "could not run" alert', async () => {
    // On-call reads "could not run on unknown cluster" and cannot tell which night is missing.
    expect(await main([...runArgs().slice(0, -1), 'html,jsn', '--cluster', 'prod-eu'], io().cli)).toBe(2);
    appendFileSync(join(dir, 'ztaudit.yaml'), 'cluster:\n  name: staging-us\n');
    expect(await main([...runArgs().slice(0, -1), 'html,jsn'], io().cli)).toBe(2);
    expect(mails.map((m) => m.subject)).toEqual(['[ztaudit] Audit could not run on prod-eu', '[ztaudit] Audit could not run on staging-us']);
    expect(postMessages().map((c) => JSON.stringify(c.fields))).toEqual([expect.stringContaining('prod-eu'), expect.stringContaining('staging-us')]);
  });

  it('keeps the stored run and records the failure when Slack is down', async () => {
    slack.platformError('chat.postMessage', 'service_unavailable');
    writeFileSync(join(dir, 'ztaudit.yaml'), `${readFileSync(join(dir, 'ztaudit.yaml'), 'utf8')}notify:\n  policy: always\n`);
    const t = io();
    expect(await main(runArgs(), t.cli)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(report.notifications.find((n: { channel: string }) => n.channel === 'slack')).toMatchObject({ status: 'failed' });
    expect(report.notifications.find((n: { channel: string }) => n.channel === 'email')).toMatchObject({ status: 'sent' });
    expect(t.err()).toContain('slack notification failed');
    const h = io();
    const out: string[] = [];
    expect(await main(['history', '--history', 'history.db', '--output', 'json'], { ...h.cli, stdout: (s) => out.push(s) })).toBe(0);
    expect(JSON.parse(out.join('')).map((r: { id: string }) => r.id)).toEqual([report.run.id]);
  });

  it('sends a regression no channel delivered with the next run, naming the run it came from', async () => {
    // Slack only: an email that got through would have delivered the alert.
    for (const k of ['ZTAUDIT_SMTP_URL', 'ZTAUDIT_EMAIL_FROM', 'ZTAUDIT_EMAIL_TO']) delete env[k];
    expect(await main(runArgs(), io().cli)).toBe(0); // A: the baseline

    appendFileSync(join(dir, 'cluster/40-rbac.yaml'), [
      '---', 'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRoleBinding', 'metadata: {name: backdoor}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
      'subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}]', '',
    ].join('\n'));
    slack.platformError('chat.postMessage', 'channel_not_found');
    expect(await main(runArgs(), io().cli)).toBe(0); // B: regresses, Slack refuses
    const b = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(b.diff.regression).toBe(true);
    expect(b.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: expect.stringContaining('channel_not_found') }]);

    await slack.close();
    slack = await startFakeSlack();
    env.ZTAUDIT_SLACK_API_URL = slack.apiUrl;
    expect(await main(runArgs(), io().cli)).toBe(0); // C: nothing new, Slack is back
    const c = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(c.diff.regression).toBe(false);
    expect(c.diff.undelivered).toEqual([{ runId: b.run.id, reasons: b.diff.regressionReasons }]);
    expect(c.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
    const text = JSON.stringify(postMessages()[0]!.fields.blocks);
    expect(text).toContain(`not delivered after run ${b.run.id}: `);
    expect(text).toContain(b.diff.regressionReasons[0].replace(/[<>&]/g, ''));

    // Delivered once: the run after C has nothing to carry and stays quiet.
    const before = postMessages().length;
    expect(await main(runArgs(), io().cli)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')).diff.undelivered).toBeUndefined();
    expect(postMessages()).toHaveLength(before);
  });

  it('e-mails a regression once when the server refuses one recipient, and warns naming that recipient', async () => {
    for (const k of ['ZTAUDIT_SLACK_TOKEN', 'ZTAUDIT_SLACK_CHANNEL', 'ZTAUDIT_SLACK_API_URL']) delete env[k];
    const delivered: string[][] = [];
    const picky = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _session, callback) { callback(address.address === 'gone@example.test' ? Object.assign(new Error('no such user'), { responseCode: 550 }) : undefined); },
      onData(stream, session, callback) { stream.resume(); stream.on('end', () => { delivered.push(session.envelope.rcptTo.map((r) => r.address)); callback(); }); },
    });
    await new Promise<void>((resolve) => picky.listen(0, '127.0.0.1', resolve));
    try {
      env.ZTAUDIT_SMTP_URL = `smtp://127.0.0.1:${(picky.server.address() as AddressInfo).port}`;
      env.ZTAUDIT_EMAIL_TO = 'secops@example.test,gone@example.test';
      expect(await main(runArgs(), io().cli)).toBe(0); // the baseline
      appendFileSync(join(dir, 'cluster/40-rbac.yaml'), [
        '---', 'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRoleBinding', 'metadata: {name: backdoor}',
        'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}',
        'subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}]', '',
      ].join('\n'));
      const t = io();
      expect(await main(runArgs(), t.cli)).toBe(0); // regresses
      expect(t.err()).toContain('email: the mail server refused the alert for gone@example.test; it was sent to the other recipients');
      const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
      expect(report.notifications).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', rejected: ['gone@example.test'] })]);
      // Delivered: the next runs have nothing to carry and send nothing.
      expect(await main(runArgs(), io().cli)).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')).diff.undelivered).toBeUndefined();
      expect(await main(runArgs(), io().cli)).toBe(0);
      expect(delivered).toEqual([['secops@example.test']]);
    } finally {
      await new Promise<void>((resolve) => picky.close(() => resolve()));
    }
  });

  it('warns at start that regression alerts never fire without a history, and only then', async () => {
    const none = ['run', '--manifests', 'cluster', '--out', 'out', '--history', 'none', '--format', 'json'];
    const warning = 'no history: there is never a previous run, so regression alerts never fire; use notify.policy always or keep a history';
    let t = io();
    expect(await main(none, t.cli)).toBe(0);
    expect(t.err()).toContain(warning);
    t = io();
    expect(await main(runArgs(), t.cli)).toBe(0);
    expect(t.err()).not.toContain('no history');
    t = io();
    expect(await main([...none, '--no-notify'], t.cli)).toBe(0);
    expect(t.err()).not.toContain('no history');
    writeFileSync(join(dir, 'ztaudit.yaml'), `${readFileSync(join(dir, 'ztaudit.yaml'), 'utf8')}notify:\n  policy: always\n`);
    t = io();
    expect(await main(none, t.cli)).toBe(0);
    expect(t.err()).not.toContain('no history');
  });
});
