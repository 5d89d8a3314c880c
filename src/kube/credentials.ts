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
 * section and cluster (client-go keeps a global cache of authenticators by the same key): the
 * next scheduled run of `serve` does not run the plugin again while its token is good.
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

function authenticatorFor(exec: ExecConfig): ExecAuthenticator {
  const key = JSON.stringify(exec);
  let a = authenticators.get(key);
  if (!a) authenticators.set(key, (a = new ExecAuthenticator()));
  return a;
}

/** What was sent with one request, for `rejected` when the server answers 401. */
export interface SentCredentials {
  exec?: ExecCredentials;
}

export interface CredentialsOptions {
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

  constructor(kc: KubeConfig, user: UserCredentials | undefined, options: CredentialsOptions) {
    this.user = user;
    this.options = options;
    const u = user && kc.getUser(user.name);
    this.inlineToken = Boolean(u?.token);
    // As client-go's exec authenticator: a plugin is not run when the user has a token, a
    // username and password, or a client certificate of its own.
    const own = this.inlineToken || Boolean(user?.tokenFile) || Boolean(u?.username || u?.password) || Boolean(u?.certData || u?.certFile);
    if (user?.exec && !own) this.exec = { config: user.exec, authenticator: authenticatorFor(user.exec) };
  }

  /** Adds the token-file's token or the exec plugin's credentials to `opts`. */
  async apply(opts: https.RequestOptions): Promise<SentCredentials> {
    const user = this.user;
    if (user?.tokenFile) {
      let token: string | undefined;
      try {
        token = readTokenFile({ ...user, tokenFile: user.tokenFile });
      } catch (error: unknown) {
        // An inline token stands in for a file that cannot be read, as in client-go.
        if (!this.inlineToken) throw error;
      }
      if (token) opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
      return {};
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

  /** The server answered 401 to a request sent with `sent`. */
  rejected(sent: SentCredentials): void {
    if (sent.exec) this.exec?.authenticator.rejected(sent.exec);
  }
}
