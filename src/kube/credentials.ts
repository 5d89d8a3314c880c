// The credentials of the kubeconfig's user that ztaudit handles itself, beside what client-node's
// KubeConfig applies (inline tokens, client certificates, basic auth, auth-provider plugins):
// the token-file (a service account's projected token, a file the user keeps current) and exec
// credential plugins (exec-plugin.ts).

import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { runExecPlugin, type ExecCredentials } from './exec-plugin.ts';
import { readTokenFile, type ExecConfig, type UserCredentials } from './kubeconfig.ts';

/**
 * One plugin's credentials, kept until they expire, shared by every client with the same exec
 * section and API server (client-go keeps a global cache of authenticators by exec config and
 * cluster): the next scheduled run of `serve` does not run the plugin again while its token is
 * good.
 */
class ExecAuthenticator {
  private current?: ExecCredentials;
  private running?: Promise<ExecCredentials>;

  /** The credentials to send: the cached ones until `expirationTimestamp` is past, else a new run (one at a time). */
  get(run: () => Promise<ExecCredentials>): Promise<ExecCredentials> {
    const c = this.current;
    if (c && (c.expiresAt === undefined || Date.now() <= c.expiresAt)) return Promise.resolve(c);
    this.running ??= run().then((fresh) => (this.current = fresh)).finally(() => { this.running = undefined; });
    return this.running;
  }

  /** A 401 answered a request sent with `used`: unless they were replaced meanwhile, the next request runs the plugin again (client-go maybeRefreshCreds). */
  rejected(used: ExecCredentials): void {
    if (this.current === used) this.current = undefined;
  }
}

const authenticators = new Map<string, ExecAuthenticator>();

function authenticatorFor(exec: ExecConfig, server: string): ExecAuthenticator {
  const key = JSON.stringify([exec, server]);
  let a = authenticators.get(key);
  if (!a) authenticators.set(key, (a = new ExecAuthenticator()));
  return a;
}

/**
 * A token-file is read again once what was read is this old: client-go's file token source
 * keeps a token a minute, less a leeway of 10 s (transport/token_source.go
 * NewCachedFileTokenSource). A kubelet rotates a projected token at 80 % of its life (8 of
 * 10 minutes by default), well within that.
 */
export const TOKEN_FILE_REREAD_MS = 60_000 - 10_000;

/** What was sent with one request, for `rejected` when the server answers 401. */
export interface SentCredentials {
  exec?: ExecCredentials;
  /** When the token-file's token sent was read. */
  tokenReadAt?: number;
}

export interface CredentialsOptions {
  /** The API server the credentials are for. */
  server: string;
  /** The environment an exec plugin inherits. */
  env: Record<string, string | undefined>;
  /** How long an exec plugin may run (default 30 s). */
  execTimeoutMs?: number;
}

export class Credentials {
  private readonly user?: UserCredentials;
  private readonly inlineToken: boolean;
  private readonly exec?: { config: ExecConfig; authenticator: ExecAuthenticator };
  private readonly options: CredentialsOptions;
  private token?: { value: string; readAt: number };

  constructor(kc: KubeConfig, user: UserCredentials | undefined, options: CredentialsOptions) {
    this.user = user;
    this.options = options;
    const u = user && kc.getUser(user.name);
    this.inlineToken = Boolean(u?.token);
    // As client-go's exec authenticator: a plugin is not run when the user has a token, a
    // username and password, or a client certificate of its own.
    const own = this.inlineToken || Boolean(user?.tokenFile) || Boolean(u?.username || u?.password) || Boolean(u?.certData || u?.certFile);
    if (user?.exec && !own) this.exec = { config: user.exec, authenticator: authenticatorFor(user.exec, options.server) };
  }

  /**
   * The token-file's token, read again once the last read is TOKEN_FILE_REREAD_MS old. As in
   * client-go, a file that cannot be read again leaves the last token in use (and is tried
   * again at the next request), and an inline token stands in when it was never read.
   */
  private tokenFromFile(user: UserCredentials & { tokenFile: string }): { value: string; readAt: number } | undefined {
    const now = Date.now();
    if (this.token && now - this.token.readAt < TOKEN_FILE_REREAD_MS) return this.token;
    try {
      this.token = { value: readTokenFile(user), readAt: now };
    } catch (error: unknown) {
      if (!this.token && !this.inlineToken) throw error;
    }
    return this.token;
  }

  /** Adds the token-file's token or the exec plugin's credentials to `opts`. */
  async apply(opts: https.RequestOptions): Promise<SentCredentials> {
    const user = this.user;
    if (user?.tokenFile) {
      const token = this.tokenFromFile({ ...user, tokenFile: user.tokenFile });
      if (!token) return {};
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token.value}` };
      return { tokenReadAt: token.readAt };
    }
    if (!this.exec || !user) return {};
    const { config, authenticator } = this.exec;
    const run = () => runExecPlugin({ user: { ...user, exec: config }, env: this.options.env, ...(this.options.execTimeoutMs ? { timeoutMs: this.options.execTimeoutMs } : {}) });
    const exec = await authenticator.get(run);
    if (exec.token) opts.headers = { ...opts.headers, Authorization: `Bearer ${exec.token}` };
    if (exec.cert && exec.key) {
      opts.cert = exec.cert;
      opts.key = exec.key;
    }
    return { exec };
  }

  /** The server answered 401 to a request sent with `sent`: the token-file is read again at the next request (client-go ResetTokenOlderThan), the plugin run again. */
  rejected(sent: SentCredentials): void {
    if (sent.exec) this.exec?.authenticator.rejected(sent.exec);
    if (sent.tokenReadAt !== undefined && this.token?.readAt === sent.tokenReadAt) this.token = undefined;
  }
}
