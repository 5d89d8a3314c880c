// `ztaudit run` stopped by a signal, as a real process: what Kubernetes does to a scheduled run
// at the Job's activeDeadlineSeconds, an eviction or a node drain. The kubelet sends SIGTERM,
// then SIGKILL after terminationGracePeriodSeconds (default 30 s):
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination and
// https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup.
// A night cut short must not be silent (DESIGN.md, exit codes: "an 'audit could not run' alert:
// silence must never look like compliance"), and nothing half-done may be stored as a run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';

const REPO = join(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin/ztaudit.cjs');
let dir: string;
let slack: FakeSlack;
let smtp: SMTPServer;
let mails: ParsedMail[];
/** An API server that accepts every request and never answers it: the run hangs collecting. */
let api: { server: Server; sockets: Set<Socket>; requests: number };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zt-stopped-'));
  slack = await startFakeSlack();
  mails = [];
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => { mails.push(m); callback(); }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  const hanging = { server: createServer(() => { hanging.requests++; }), sockets, requests: 0 };
  hanging.server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => hanging.server.listen(0, '127.0.0.1', resolve));
  api = hanging;
  const port = (api.server.address() as AddressInfo).port;
  writeFileSync(join(dir, 'kc.yaml'), [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]`,
    'users: [{name: u, user: {token: abc}}]',
    'contexts: [{name: c, context: {cluster: c, user: u}}]',
    'current-context: c', '',
  ].join('\n'));
});

afterEach(async () => {
  for (const s of api.sockets) s.destroy();
  await new Promise<void>((resolve) => api.server.close(() => resolve()));
  await slack.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function start(): { child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, 'run', '--kubeconfig', 'kc.yaml', '--cluster', 'prod', '--history', 'h.db', '--out', 'out'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH, HOME: dir,
      ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
      ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      ZTAUDIT_EMAIL_FROM: 'ztaudit@example.test', ZTAUDIT_EMAIL_TO: 'secops@example.test',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited };
}

/** Until the run is collecting: its requests have reached the API server, which never answers. */
async function collecting(stderr: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  while (api.requests === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(api.requests, stderr()).toBeGreaterThan(0);
  expect(stderr()).toContain('auditing cluster');
}

function storedRuns(): number {
  if (!existsSync(join(dir, 'h.db'))) return 0;
  const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
  try {
    return Number(db.prepare('SELECT count(*) AS n FROM runs').get()!.n);
  } finally {
    db.close();
  }
}

const postMessages = () => slack.calls.filter((c) => c.path === '/api/chat.postMessage');

describe('ztaudit run stopped by a signal', () => {
  it('SIGTERM while collecting: "audit could not run" on Slack and email within seconds, exit 2, no run stored', async () => {
    const { child, stderr, exited } = start();
    await collecting(stderr);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const { code } = await exited;
    // Well within the 30 s the kubelet waits by default before SIGKILL.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(code, stderr()).toBe(2);
    expect(stderr()).toContain('ztaudit: stopped by SIGTERM (Job deadline, eviction or node drain) before the audit finished: no run was stored\n');
    expect(stderr()).not.toContain('could not send');

    expect(postMessages(), stderr()).toHaveLength(1);
    const text = String(postMessages()[0]!.fields.text);
    expect(text).toMatch(/audit could not run/i);
    expect(text).toContain('stopped by SIGTERM (Job deadline, eviction or node drain)');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/audit could not run/i);
    expect(mails[0]!.text).toContain('stopped by SIGTERM (Job deadline, eviction or node drain)');

    // The night is missing, not stored as a run with every kind unread (or, worse, as clean).
    expect(storedRuns()).toBe(0);
    expect(existsSync(join(dir, 'out/report.json'))).toBe(false);
  });

  it('SIGINT (Ctrl-C in a terminal) stops it the same way', async () => {
    const { child, stderr, exited } = start();
    await collecting(stderr);
    child.kill('SIGINT');
    const { code } = await exited;
    expect(code, stderr()).toBe(2);
    expect(stderr()).toContain('ztaudit: stopped by SIGINT (interrupted) before the audit finished: no run was stored\n');
    expect(postMessages(), stderr()).toHaveLength(1);
    expect(String(postMessages()[0]!.fields.text)).toContain('stopped by SIGINT');
    expect(storedRuns()).toBe(0);
  });

  it('a second SIGTERM while the alert is being sent exits at once', async () => {
    slack.stall('chat.postMessage');
    const { child, stderr, exited } = start();
    await collecting(stderr);
    child.kill('SIGTERM');
    const until = Date.now() + 10_000;
    while (postMessages().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(postMessages(), stderr()).toHaveLength(1);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect({ code, signal }, stderr()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(storedRuns()).toBe(0);
  });

  it('a Slack API that never answers the alert does not hold the stopped run past its 10 s', async () => {
    slack.stall('chat.postMessage');
    const { child, stderr, exited } = start();
    await collecting(stderr);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const { code } = await exited;
    const took = performance.now() - t0;
    expect(code, stderr()).toBe(2);
    expect(took).toBeGreaterThan(9_000);
    expect(took).toBeLessThan(14_000);
    expect(stderr()).toContain('slack: could not send the \\"audit could not run\\" alert: no answer within the 10 s left after the run was stopped');
    // Email is a channel of its own: it went out.
    expect(mails).toHaveLength(1);
  }, 30_000);
});
