// Bounded in time, end to end, as real processes: `ztaudit run` with a Slack API that never
// answers and an SMTP server that trickles its greeting still exits soon after the notify
// deadline; `ztaudit serve` whose run is stuck on a notifier says so on /healthz (the run is
// stored, its notifications pending) and exits within its grace period on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';

const REPO = join(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin/ztaudit.cjs');
let dir: string;
let slack: FakeSlack;
let smtp: { port: number; close(): Promise<void> };

async function tricklingSmtp(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const timer = setInterval(() => { if (!socket.destroyed) socket.write('2'); }, 200);
    socket.on('close', () => { clearInterval(timer); sockets.delete(socket); });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zt-bounded-'));
  cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'cluster'), { recursive: true });
  slack = await startFakeSlack();
  slack.stall('chat.postMessage');
  smtp = await tricklingSmtp();
});
afterEach(async () => {
  await slack.close();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], deadlineSeconds: number): { child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null }> } {
  writeFileSync(join(dir, 'ztaudit.yaml'), `notify: {policy: always, deadlineSeconds: ${deadlineSeconds}}\n`);
  const child = spawn(process.execPath, [BIN, ...args, '--config', 'ztaudit.yaml'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH, HOME: dir,
      ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
      ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ZTAUDIT_EMAIL_TO: 'sec@example.test',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const exited = new Promise<{ code: number | null }>((resolve) => child.on('exit', (code) => resolve({ code })));
  return { child, stderr: () => err, exited };
}

describe('notifications never hold a process', () => {
  it('ztaudit run exits soon after the deadline when Slack never answers and SMTP trickles its greeting', async () => {
    const { exited, stderr } = start(['run', '--manifests', 'cluster', '--out', 'out', '--history', 'none'], 3);
    const { code } = await exited;
    const exitAt = performance.now();
    expect(code, stderr()).toBe(0);
    // From the moment Slack was called to the process' exit: the deadline plus a little.
    const calledAt = slack.calls.find((c) => c.path === '/api/chat.postMessage')!.at;
    expect(exitAt - calledAt).toBeGreaterThan(2_500); // Slack's notifier stops its post 250 ms before
    expect(exitAt - calledAt).toBeLessThan(3_000 + 4_000);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
    expect(report.notifications).toEqual([
      // Slack got the post: it may have been made, so the next run does not send it again.
      {
        channel: 'slack', status: 'failed', maybeDelivered: true,
        detail: 'no answer to chat.postMessage (A request error occurred: stopped at the notify deadline (notify.deadlineSeconds)): the alert may have been posted, so it is not sent again',
      },
      { channel: 'email', status: 'failed', detail: 'no answer within the 3 s notify deadline (notify.deadlineSeconds)' },
    ]);
  });

  it('serve: /healthz tells the run is stored and waiting on its notifiers; SIGTERM exits within the grace period', async () => {
    const { child, exited, stderr } = start(['serve', '--schedule', '0 0 1 1 *', '--port', '0', '--shutdown-grace', '2', '--manifests', 'cluster', '--out', 'out', '--history', 'h.db'], 3600);
    let port = 0;
    const deadline = Date.now() + 60_000;
    let health: { currentRun?: { phase: string } | null; lastRun?: { id: string; notifications: unknown } | null } = {};
    while (Date.now() < deadline) {
      port ||= Number(/"port":(\d+)/.exec(stderr())?.[1] ?? 0);
      if (port) {
        health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as typeof health;
        if (health.currentRun?.phase === 'notifying') break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health.currentRun?.phase, stderr()).toBe('notifying');
    expect(health.lastRun?.notifications).toBe('pending');
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    const stored = db.prepare('SELECT id FROM runs').all().map((r) => String(r.id));
    db.close();
    expect(stored).toEqual([health.lastRun?.id]);
    // The HTML report of the stored run is served already.
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain(health.lastRun!.id);

    const t0 = performance.now();
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code, stderr()).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2_000 + 4_000);
    expect(stderr()).toContain('"event":"run-abandoned"');
  });
});
