// Every notification is bounded in time: one deadline per channel (notify.deadlineSeconds),
// whatever the server does — a Slack `429 Retry-After: 3600`, a Slack API that never
// answers, an SMTP server that trickles its greeting — and an abandoned run (serve at
// SIGTERM) aborts the notifier at once. Against local servers that really behave so.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyEmail } from '../../../src/notify/email.ts';
import { notifySlack, notifySlackFailure } from '../../../src/notify/slack.ts';
import { sendBounded } from '../../../src/pipeline/pipeline.ts';
import { buildRun } from '../report/fixtures.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';

let slack: FakeSlack;
beforeEach(async () => { slack = await startFakeSlack(); });
afterEach(async () => { await slack.close(); });

const slackOpts = () => ({ token: 'xoxb-test', channel: '#sec', apiUrl: slack.apiUrl, policy: 'always' as const });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

/** An SMTP "server" that sends its greeting one byte every `everyMs`, never finishing it. */
async function tricklingSmtp(everyMs: number): Promise<{ port: number; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const greeting = '220 mail.example.test ESMTP slowly'.repeat(1000);
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let i = 0;
    const timer = setInterval(() => { if (!socket.destroyed) socket.write(greeting[i++ % greeting.length]!); }, everyMs);
    socket.on('close', () => { clearInterval(timer); sockets.delete(socket); });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('notify deadline (one per channel)', () => {
  it('Slack 429 with Retry-After: 3600 fails at once, saying why, instead of waiting an hour', async () => {
    slack.rateLimit('chat.postMessage', 100, 3600);
    const { report } = buildRun();
    const { value, ms } = await timed(() => sendBounded('slack', (ctx) => notifySlack(report, { ...slackOpts(), ...ctx }), 60_000));
    expect(value.status).toBe('failed');
    expect(value.detail).toMatch(/^rate limited by Slack \(Retry-After 3600 s, more than the (59|60) s left before the notify deadline\)$/);
    expect(ms).toBeLessThan(5_000);
    expect(slack.calls.filter((c) => c.path === '/api/chat.postMessage')).toHaveLength(1);
  });

  it('Slack 429 with a Retry-After that fits the deadline is waited out, then sent', async () => {
    slack.rateLimit('chat.postMessage', 1, 1);
    const { report } = buildRun();
    const { value, ms } = await timed(() => sendBounded('slack', (ctx) => notifySlack(report, { ...slackOpts(), ...ctx }), 30_000));
    expect(value.status).toBe('sent');
    expect(ms).toBeGreaterThanOrEqual(950);
  });

  it('a Slack API that never answers is given up at the deadline (the post may have been made: not sent again), and the request is aborted', async () => {
    slack.stall('chat.postMessage');
    const { report } = buildRun();
    const { value, ms } = await timed(() => sendBounded('slack', (ctx) => notifySlack(report, { ...slackOpts(), timeoutMs: 600_000, ...ctx }), 1_000));
    expect(value).toEqual({
      channel: 'slack', status: 'failed', maybeDelivered: true,
      detail: 'no answer to chat.postMessage (A request error occurred: stopped at the notify deadline (notify.deadlineSeconds)): the alert may have been posted, so it is not sent again',
    });
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(3_000);
    // No retry was started after the deadline.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(slack.calls.filter((c) => c.path === '/api/chat.postMessage')).toHaveLength(1);
  });

  it('the "could not run" alert is bounded the same way', async () => {
    slack.stall('chat.postMessage');
    const { value, ms } = await timed(() => sendBounded('slack', (ctx) => notifySlackFailure('boom', { ...slackOpts(), ...ctx }), 1_000));
    expect(value.status).toBe('failed');
    expect(ms).toBeLessThan(3_000);
  });

  it('an SMTP server that trickles its greeting is dropped at the deadline', async () => {
    const smtp = await tricklingSmtp(100);
    try {
      const { report } = buildRun();
      const send = (ctx: { signal: AbortSignal }) => notifyEmail(report, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'z@example.test', to: ['sec@example.test'], policy: 'always', timeoutMs: 600_000, signal: ctx.signal });
      const { value, ms } = await timed(() => sendBounded('email', send, 1_500));
      expect(value).toEqual({ channel: 'email', status: 'failed', detail: 'no answer within the 2 s notify deadline (notify.deadlineSeconds)' });
      expect(ms).toBeLessThan(4_000);
      // The connection was closed by the client, not left trickling.
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.sockets.size).toBe(0);
    } finally {
      await smtp.close();
    }
  });

  it('an abandoned run (SIGTERM in serve) aborts a notifier at once, whatever the deadline', async () => {
    slack.stall('chat.postMessage');
    const { report } = buildRun();
    const shutdown = new AbortController();
    setTimeout(() => shutdown.abort(new Error('ztaudit is shutting down')), 300);
    const { value, ms } = await timed(() => sendBounded('slack', (ctx) => notifySlack(report, { ...slackOpts(), ...ctx }), 600_000, shutdown.signal));
    expect(value).toEqual({ channel: 'slack', status: 'failed', detail: 'ztaudit is shutting down' });
    expect(ms).toBeLessThan(2_000);
  });
});
