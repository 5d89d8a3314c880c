// SMTP credentials never cross the wire in clear text: with a user and password in an
// smtp:// URL, ztaudit insists on STARTTLS, and a server that does not offer it gets no
// AUTH command at all — unless the URL says `requireTLS=false` explicitly. Against a real
// SMTP server (smtp-server) on loopback, with and without STARTTLS.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyEmail, smtpTransportOptions } from '../../../src/notify/email.ts';
import { buildRun } from '../report/fixtures.ts';

interface AuthSeen { user: string; secure: boolean }
let server: SMTPServer | undefined;
afterEach(async () => { if (server) await new Promise<void>((resolve) => server!.close(() => resolve())); server = undefined; });

async function smtp(options: SMTPServerOptions): Promise<{ port: number; auths: AuthSeen[]; mails: number }> {
  const state = { port: 0, auths: [] as AuthSeen[], mails: 0 };
  server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    onAuth(auth, session, callback) {
      state.auths.push({ user: auth.username ?? '', secure: session.secure });
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => { state.mails++; callback(); });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  return state;
}

const send = (url: string) => notifyEmail(buildRun().report, { smtpUrl: url, from: 'z@example.test', to: ['sec@example.test'], policy: 'always', timeoutMs: 5_000 });

describe('SMTP with credentials', () => {
  it('refuses to authenticate when the server offers no STARTTLS: the password is never sent', async () => {
    const s = await smtp({ disabledCommands: ['STARTTLS'] });
    const outcome = await send(`smtp://alice:s3cret@127.0.0.1:${s.port}`);
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).not.toContain('s3cret');
    expect(s.auths).toEqual([]);
    expect(s.mails).toBe(0);
  });

  it('authenticates over STARTTLS when the server offers it', async () => {
    const s = await smtp({});
    const outcome = await send(`smtp://alice:s3cret@127.0.0.1:${s.port}/?tls.rejectUnauthorized=false`);
    expect(outcome.status).toBe('sent');
    expect(s.auths).toEqual([{ user: 'alice', secure: true }]);
    expect(s.mails).toBe(1);
  });

  it('sends credentials in clear text only when the URL says requireTLS=false explicitly', async () => {
    const s = await smtp({ disabledCommands: ['STARTTLS'] });
    const outcome = await send(`smtp://alice:s3cret@127.0.0.1:${s.port}/?requireTLS=false`);
    expect(outcome.status).toBe('sent');
    expect(s.auths).toEqual([{ user: 'alice', secure: false }]);
  });

  it('without credentials, a plain relay still works (nothing secret to protect)', async () => {
    const s = await smtp({ disabledCommands: ['STARTTLS'], authOptional: true });
    expect((await send(`smtp://127.0.0.1:${s.port}`)).status).toBe('sent');
    expect(s.mails).toBe(1);
  });

  it('requires STARTTLS exactly for smtp:// URLs with a user or password', () => {
    expect(smtpTransportOptions('smtp://u:p@mail.example:587').requireTLS).toBe(true);
    expect(smtpTransportOptions('smtp://u@mail.example:587').requireTLS).toBe(true);
    expect(smtpTransportOptions('smtp://u:p@mail.example:587/?requireTLS=false').requireTLS).toBeUndefined();
    expect(smtpTransportOptions('smtps://u:p@mail.example:465').requireTLS).toBeUndefined();
    expect(smtpTransportOptions('smtp://mail.example:25').requireTLS).toBeUndefined();
  });
});
