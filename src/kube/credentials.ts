// The credentials of the kubeconfig's user that ztaudit handles itself, beside what client-node's
// KubeConfig applies (inline tokens, client certificates, basic auth, auth-provider plugins):
// the token-file (a service account's projected token, a file the user keeps current).

import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { readTokenFile, type UserCredentials } from './kubeconfig.ts';

export class Credentials {
  private readonly user?: UserCredentials;
  private readonly inlineToken: boolean;

  constructor(kc: KubeConfig, user: UserCredentials | undefined) {
    this.user = user;
    this.inlineToken = Boolean(user && kc.getUser(user.name)?.token);
  }

  /** Adds the token-file's token to `opts` (over an inline token, which stands in when the file cannot be read, as in client-go). */
  apply(opts: https.RequestOptions): void {
    const user = this.user;
    if (!user?.tokenFile) return;
    let token: string;
    try {
      token = readTokenFile({ ...user, tokenFile: user.tokenFile });
    } catch (error: unknown) {
      if (this.inlineToken) return;
      throw error;
    }
    opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
  }
}
