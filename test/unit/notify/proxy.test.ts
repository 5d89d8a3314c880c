// Notifications through the egress proxy docs/deploy.md tells operators to use: with
// HTTPS_PROXY (HTTP_PROXY for an http:// ZTAUDIT_SLACK_API_URL) and NO_PROXY in the
// environment, and nothing else set, `ztaudit run` posts to Slack through a real HTTP CONNECT
// proxy (a few lines of node:http below) in front of the local Slack Web API stand-in. The
// variables are read as curl and Go read them (https://curl.se/docs/manpage.html#ENVIRONMENT,
// https://pkg.go.dev/golang.org/x/net/http/httpproxy#Config): a NO_PROXY entry is a host
// (also covering its subdomains), `.suffix`, an IP or CIDR, with an optional `:port`, or `*`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import { buildRun } from '../report/fixtures.ts';
import { captureIO } from '../../helpers/cli.ts';
import { connectProxy } from '../../helpers/connect-proxy.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';

const RUN = ['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'];
/** The messages of the JSON log lines on stderr. */
const logged = (err: string) => err.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);

function runDir(email = ''): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'zt-notify-proxy-'));
  writeFileSync(join(dir, 'ztaudit.yaml'), `notify:\n  policy: always\n${email ? `  email: ${email}\n` : '  slack: {channel: C0SECURITY}\n'}`);
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
  return dir;
}

/** Every file the run wrote, as text (a credential must be in none of them). */
const written = (dir: string) => readdirSync(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8')).join('\n');

let certDir: string;
let slack: FakeSlack;
const defaultCAs = tls.getCACertificates('default');

beforeAll(async () => {
  // slack.test is Slack's address as only the proxy can resolve it (the pod cannot reach it directly).
  certDir = mkdtempSync(join(os.tmpdir(), 'zt-slack-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
    '-days', '2', '-subj', '/CN=slack.test', '-addext', 'subjectAltName=DNS:slack.test,DNS:mail.test,IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(certDir, 'cert.pem'));
  // Trusted as a public CA would be: the notifier is given no CA of its own.
  tls.setDefaultCACertificates([...defaultCAs, cert.toString()]);
  slack = await startFakeSlack({ key: readFileSync(join(certDir, 'key.pem')), cert });
});
afterAll(async () => {
  tls.setDefaultCACertificates(defaultCAs);
  await slack.close();
});

const slackPort = () => Number(new URL(slack.url).port);
const posts = (s: FakeSlack) => s.calls.filter((c) => c.path === '/api/chat.postMessage');

describe('Slack through the egress proxy in HTTPS_PROXY', () => {
  it('posts the alert, its thread reply and the report through a CONNECT tunnel, TLS to Slack verified end to end, with no other setting', async () => {
    const proxy = await connectProxy(slackPort());
    try {
      const before = posts(slack).length;
      const dir = runDir();
      const t = captureIO(dir, {
        ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: `https://slack.test:${slackPort()}/api/`,
        HTTPS_PROXY: `http://ops:s3cret@127.0.0.1:${proxy.port}`,
      });
      const calls = slack.calls.length;
      expect(await main([...RUN.slice(0, -1), 'json,html'], t.cli)).toBe(0);
      expect(t.err()).toBe('');
      // The message, the thread reply and the report's upload (three calls) went through the
      // proxy, one tunnel each, with the proxy's credentials.
      const connect = `CONNECT slack.test:${slackPort()} Basic ${Buffer.from('ops:s3cret').toString('base64')}`;
      expect(slack.calls.slice(calls).map((c) => c.path)).toEqual(['/api/chat.postMessage', '/api/chat.postMessage', '/api/files.getUploadURLExternal', '/upload/F0REPORT', '/api/files.completeUploadExternal']);
      expect(proxy.seen).toEqual(Array(5).fill(connect));
      expect(posts(slack).slice(before).map((c) => c.fields.channel)).toEqual(['C0SECURITY', 'C0REPORTS']);
      expect(slack.calls.find((c) => c.path === '/upload/F0REPORT')?.raw.toString()).toContain('<html');
      expect(posts(slack).at(-1)?.authorization).toBe('Bearer xoxb-test');
    } finally {
      await proxy.close();
    }
  });

  it('the lower-case https_proxy works as well, and NO_PROXY names hosts that are reached directly (suffix, host:port, *)', async () => {
    const proxy = await connectProxy(slackPort());
    const direct = await startFakeSlack();
    try {
      const dir = runDir();
      const api = `https://slack.test:${slackPort()}/api/`;
      const lower = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: api, https_proxy: proxy.url });
      expect(await main(RUN, lower.cli)).toBe(0);
      expect(lower.err()).toBe('');
      expect(proxy.seen.length).toBeGreaterThan(0);

      // NO_PROXY excludes the ZTAUDIT_SLACK_API_URL host: nothing reaches the proxy. slack.test is
      // not in DNS, so a direct attempt is what fails; a port NO_PROXY does not name still goes through.
      for (const noProxy of ['.test', 'slack.test', `slack.test:${slackPort()}`, '*', `other.example, SLACK.test`]) {
        proxy.seen.length = 0;
        const t = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: api, HTTPS_PROXY: proxy.url, NO_PROXY: noProxy });
        expect(await main(RUN, t.cli)).toBe(0);
        expect(proxy.seen, noProxy).toEqual([]);
        expect(logged(t.err()), noProxy).toEqual([expect.stringMatching(/^slack notification failed: A request error occurred: fetch failed/)]);
      }
      proxy.seen.length = 0;
      const otherPort = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: api, HTTPS_PROXY: proxy.url, no_proxy: 'slack.test:1' });
      expect(await main(RUN, otherPort.cli)).toBe(0);
      expect(otherPort.err()).toBe('');
      expect(proxy.seen.length).toBeGreaterThan(0);

      // A local stand-in on loopback (ZTAUDIT_SLACK_API_URL=http://127.0.0.1:…) is never proxied.
      proxy.seen.length = 0;
      const local = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: direct.apiUrl, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
      expect(await main(RUN, local.cli)).toBe(0);
      expect(local.err()).toBe('');
      expect(proxy.seen).toEqual([]);
      expect(posts(direct).length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await direct.close();
    }
  });

  // This machine's own non-loopback address, where there is one: a host reached directly.
  const own = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  // Skipped loudly on a machine without one, never under CI=true (where every test runs).
  it.skipIf(!own && process.env.CI !== 'true')('NO_PROXY naming the ZTAUDIT_SLACK_API_URL address delivers there directly, past the proxy', async () => {
    if (!own) throw new Error('this machine has no non-loopback IPv4 address, which this test delivers to directly');
    const near = await startFakeSlack(undefined, own);
    const proxy = await connectProxy(slackPort(), '403 Forbidden');
    try {
      const dir = runDir();
      const t = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: near.apiUrl, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: `.svc,${own}` });
      expect(await main(RUN, t.cli)).toBe(0);
      expect(t.err()).toBe('');
      expect(proxy.seen).toEqual([]);
      expect(posts(near).map((c) => c.fields.channel)).toEqual(['C0SECURITY', 'C0REPORTS']);
      // Without it, the same request goes to the proxy (which refuses it here).
      const via = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: near.apiUrl, HTTP_PROXY: proxy.url, NO_PROXY: '.svc' });
      expect(await main(RUN, via.cli)).toBe(0);
      expect(proxy.seen).toEqual([`CONNECT ${new URL(near.url).host}`]);
      expect(posts(near)).toHaveLength(2);
    } finally {
      await proxy.close();
      await near.close();
    }
  });

  it('an http:// ZTAUDIT_SLACK_API_URL goes through HTTP_PROXY (a tunnel too), not HTTPS_PROXY', async () => {
    const plain = await startFakeSlack();
    const proxy = await connectProxy(Number(new URL(plain.url).port));
    try {
      const dir = runDir();
      const api = `http://slack.test:${new URL(plain.url).port}/api/`;
      const t = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: api, HTTP_PROXY: proxy.url });
      expect(await main(RUN, t.cli)).toBe(0);
      expect(t.err()).toBe('');
      expect(proxy.seen[0]).toBe(`CONNECT slack.test:${new URL(plain.url).port}`);
      expect(posts(plain).map((c) => c.fields.channel)).toEqual(['C0SECURITY', 'C0REPORTS']);
    } finally {
      await proxy.close();
      await plain.close();
    }
  });

  it('a proxy that refuses the tunnel, or cannot be reached, is one notification failure naming the proxy, never its credentials', async () => {
    const refusing = await connectProxy(slackPort(), '403 Forbidden');
    const closed = await connectProxy(slackPort());
    await closed.close();
    try {
      const dir = runDir();
      const before = posts(slack).length;
      // The default API URL: https://slack.com/api/ goes to HTTPS_PROXY.
      const t = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', HTTPS_PROXY: `http://ops:s3cret@127.0.0.1:${refusing.port}` });
      expect(await main(RUN, t.cli)).toBe(0);
      expect(refusing.seen).toEqual([`CONNECT slack.com:443 Basic ${Buffer.from('ops:s3cret').toString('base64')}`]);
      expect(logged(t.err())).toEqual([`slack notification failed: A request error occurred: proxy http://127.0.0.1:${refusing.port} refused a tunnel to slack.com:443: HTTP 403 Forbidden`]);

      const down = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', HTTPS_PROXY: `ops:s3cret@127.0.0.1:${closed.port}` });
      expect(await main(RUN, down.cli)).toBe(0);
      expect(logged(down.err())).toEqual([`slack notification failed: A request error occurred: proxy http://127.0.0.1:${closed.port}: connection refused`]);
      for (const text of [t.err(), t.out(), down.err(), down.out(), written(dir)]) expect(text).not.toContain('s3cret');
      expect(posts(slack).length).toBe(before);
    } finally {
      await refusing.close();
    }
  });
});

describe('a Slack post through the proxy that gets no answer', () => {
  it('is posted once, not retried, and failed as maybe delivered, as without a proxy', async () => {
    const plain = await startFakeSlack();
    const proxy = await connectProxy(Number(new URL(plain.url).port));
    try {
      plain.slow('chat.postMessage', 1_500);
      const outcome = await notifySlack(buildRun().report, {
        token: 'xoxb-test', channel: 'C1', apiUrl: `http://slack.test:${new URL(plain.url).port}/api/`, policy: 'always', timeoutMs: 300,
        proxyEnv: { HTTP_PROXY: proxy.url },
      });
      expect(outcome).toMatchObject({ channel: 'slack', status: 'failed', maybeDelivered: true });
      expect(outcome.detail).toMatch(/^no answer to chat\.postMessage \(.*\): the alert may have been posted, so it is not sent again$/);
      await new Promise((r) => setTimeout(r, 1_800));
      expect(proxy.seen).toHaveLength(1);
      expect(posts(plain)).toHaveLength(1);
    } finally {
      await proxy.close();
      await plain.close();
    }
  });
});

describe('a proxy that never answers, or an answer fetch cannot represent', () => {
  it('a proxy that never answers the CONNECT: nothing went out, so the alert fails as not delivered and is carried to the next run', async () => {
    // Accepts the connection and says nothing (a proxy whose own connect to Slack hangs, or a
    // firewall that drops): the request timeout ends the wait before any byte of the post left.
    const held = new Set<net.Socket>();
    const silent = (await import('node:net')).createServer((c) => { held.add(c); c.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const outcome = await notifySlack(buildRun().report, {
        token: 'xoxb-test', channel: 'C1', apiUrl: `https://slack.test:${slackPort()}/api/`, policy: 'always', timeoutMs: 300,
        proxyEnv: { HTTPS_PROXY: `http://ops:s3cret@127.0.0.1:${port}` },
      });
      expect(outcome).toMatchObject({ channel: 'slack', status: 'failed' });
      expect(outcome.maybeDelivered).toBeUndefined();
      expect(outcome.detail).toContain(`no connection through proxy http://127.0.0.1:${port} to slack.test:${slackPort()}`);
      expect(JSON.stringify(outcome)).not.toContain('s3cret');
    } finally {
      for (const c of held) c.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('an answer with a status fetch cannot represent (600) fails the post instead of ending the process', async () => {
    const odd = (await import('node:net')).createServer((c) => {
      c.on('error', () => {});
      c.once('data', () => c.end('HTTP/1.1 600 Odd\r\ncontent-length: 2\r\n\r\n{}'));
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    const port = (odd.address() as net.AddressInfo).port;
    const proxy = await connectProxy(port);
    try {
      const outcome = await notifySlack(buildRun().report, {
        token: 'xoxb-test', channel: 'C1', apiUrl: `http://slack.test:${port}/api/`, policy: 'always', timeoutMs: 2_000,
        proxyEnv: { HTTP_PROXY: proxy.url },
      });
      expect(outcome).toMatchObject({ channel: 'slack', status: 'failed' });
      expect(proxy.seen).toEqual([`CONNECT slack.test:${port}`]);
    } finally {
      await proxy.close();
      await new Promise<void>((r) => odd.close(() => r()));
    }
  });
});

describe('email through the egress proxy, with notify.email.proxy: true', () => {
  let smtp: SMTPServer;
  let smtpPort = 0;
  const mails: string[] = [];
  beforeAll(async () => {
    // smtps: TLS from the start, over the tunnel, verified against mail.test.
    smtp = new SMTPServer({
      secure: true, key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')), authOptional: true, logger: false,
      onData(stream, session, done) { stream.resume(); stream.on('end', () => { mails.push(session.envelope.rcptTo.map((r) => r.address).join(',')); done(); }); },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    smtpPort = (smtp.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => { await new Promise<void>((r) => smtp.close(() => r())); });
  const mailEnv = (extra: Record<string, string>) => ({ ZTAUDIT_SMTP_URL: `smtps://mail.test:${smtpPort}`, ZTAUDIT_EMAIL_TO: 'sec@example.test', ...extra });

  it('sends the report through a CONNECT tunnel to the SMTP server (TLS verified over it); without the key, SMTP never goes to the proxy', async () => {
    const proxy = await connectProxy(smtpPort);
    try {
      const on = runDir('{proxy: true}');
      const t = captureIO(on, mailEnv({ HTTPS_PROXY: `http://ops:s3cret@127.0.0.1:${proxy.port}` }));
      const before = mails.length;
      expect(await main(RUN, t.cli)).toBe(0);
      expect(t.err()).toBe('');
      expect(proxy.seen).toEqual([`CONNECT mail.test:${smtpPort} Basic ${Buffer.from('ops:s3cret').toString('base64')}`]);
      expect(mails.slice(before)).toEqual(['sec@example.test']);

      // NO_PROXY naming the relay: straight there (mail.test is in no DNS, so that attempt fails).
      proxy.seen.length = 0;
      const bypass = captureIO(on, mailEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '.test' }));
      expect(await main(RUN, bypass.cli)).toBe(0);
      expect(proxy.seen).toEqual([]);
      expect(logged(bypass.err())).toEqual([expect.stringMatching(/^email notification failed: .*mail\.test/)]);

      // HTTPS_PROXY alone does not move SMTP (port 465 or 587) onto the proxy.
      const off = captureIO(runDir('{proxy: false}'), mailEnv({ HTTPS_PROXY: proxy.url }));
      expect(await main(RUN, off.cli)).toBe(0);
      expect(proxy.seen).toEqual([]);
      expect(logged(off.err())).toEqual([expect.stringMatching(/^email notification failed: .*mail\.test/)]);
      expect(mails.slice(before)).toEqual(['sec@example.test']);
    } finally {
      await proxy.close();
    }
  });

  it('plain smtp:// through the proxy: the server speaks first, and a greeting arriving with the proxy\'s answer is not lost', async () => {
    const plain = new SMTPServer({
      authOptional: true, logger: false, disabledCommands: ['STARTTLS'],
      onData(stream, session, done) { stream.resume(); stream.on('end', () => { mails.push(`plain:${session.envelope.rcptTo.map((r) => r.address).join(',')}`); done(); }); },
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.server.address() as net.AddressInfo).port;
    // A proxy that sends its 200 and the relay's 220 greeting in one write, as one read delivers
    // them when the relay answers fast.
    const { createServer, connect } = await import('node:net');
    const sockets = new Set<net.Socket>();
    const coalescing = createServer((client) => {
      sockets.add(client);
      client.on('error', () => {});
      client.once('data', () => {
        const upstream = connect(plainPort, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        upstream.once('data', (greeting) => {
          client.write(Buffer.concat([Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'), greeting]));
          upstream.pipe(client).pipe(upstream);
        });
      });
    });
    await new Promise<void>((r) => coalescing.listen(0, '127.0.0.1', r));
    const proxyPort = (coalescing.address() as net.AddressInfo).port;
    try {
      const before = mails.length;
      const t = captureIO(runDir('{proxy: true}'), { ZTAUDIT_SMTP_URL: `smtp://mail.test:${plainPort}`, ZTAUDIT_EMAIL_TO: 'sec@example.test', HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` });
      expect(await main(RUN, t.cli)).toBe(0);
      expect(t.err()).toBe('');
      expect(mails.slice(before)).toEqual(['plain:sec@example.test']);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => coalescing.close(() => r()));
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('the "audit could not run" alert goes through the proxy too, on Slack and by email', async () => {
    const slackProxy = await connectProxy(slackPort());
    const mailProxy = await connectProxy(smtpPort);
    try {
      const dir = runDir('{proxy: true}\n  slack: {channel: C0SECURITY}');
      const before = { posts: posts(slack).length, mails: mails.length };
      // --manifests names no directory: the run cannot start, and says so on each channel.
      const slackOnly = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: `https://slack.test:${slackPort()}/api/`, HTTPS_PROXY: slackProxy.url });
      expect(await main(['run', '--manifests', 'missing', '--out', 'out', '--history', 'none', '-q', '--format', 'json'], slackOnly.cli)).toBe(2);
      expect(slackProxy.seen).toEqual([`CONNECT slack.test:${slackPort()}`]);
      expect(String(posts(slack).slice(before.posts)[0]?.fields.text)).toMatch(/^ztaudit: audit could not run/);
      const mailOnly = captureIO(dir, mailEnv({ HTTPS_PROXY: mailProxy.url }));
      expect(await main(['run', '--manifests', 'missing', '--out', 'out', '--history', 'none', '-q', '--format', 'json'], mailOnly.cli)).toBe(2);
      expect(mailProxy.seen).toEqual([`CONNECT mail.test:${smtpPort}`]);
      expect(mails.slice(before.mails)).toEqual(['sec@example.test']);
    } finally {
      await slackProxy.close();
      await mailProxy.close();
    }
  });

  it('a proxy that refuses the tunnel is one notification failure naming the proxy, never its credentials; with no HTTPS_PROXY the key is refused at start', async () => {
    const refusing = await connectProxy(smtpPort, '403 Forbidden');
    try {
      const dir = runDir('{proxy: true}');
      const t = captureIO(dir, mailEnv({ HTTPS_PROXY: `http://ops:s3cret@127.0.0.1:${refusing.port}` }));
      expect(await main(RUN, t.cli)).toBe(0);
      expect(logged(t.err())).toEqual([`email notification failed: proxy http://127.0.0.1:${refusing.port} refused a tunnel to mail.test:${smtpPort}: HTTP 403 Forbidden`]);
      for (const text of [t.err(), t.out(), written(dir)]) expect(text).not.toContain('s3cret');

      const none = captureIO(dir, mailEnv({}));
      expect(await main(RUN, none.cli)).toBe(2);
      expect(none.errLines()).toEqual(['ztaudit: notify.email.proxy is true but HTTPS_PROXY is not set: set it to the egress proxy, or set notify.email.proxy to false']);
    } finally {
      await refusing.close();
    }
  });
});
