// The only place the environment is read for settings. Secrets (tokens, SMTP credentials)
// come from here, never from ztaudit.yaml. KUBECONFIG is merged by kube/kubeconfig.ts from
// the same environment object, as kubectl does.
export interface EnvSettings {
  /** With ZTAUDIT_SLACK_TOKEN; the channel may come from notify.slack.channel instead. */
  slack?: { token: string; channel?: string; apiUrl?: string; problem?: string };
  /** ZTAUDIT_SLACK_CHANNEL without ZTAUDIT_SLACK_TOKEN: Slack cannot be used, which is said. */
  slackChannelWithoutToken?: boolean;
  /** The email variables that are set (ZTAUDIT_EMAIL_TO, ZTAUDIT_EMAIL_FROM) without ZTAUDIT_SMTP_URL: email cannot be used, which is said. */
  emailWithoutSmtp?: string[];
  /** `problem`: why the URL cannot be used, in one line that never quotes it (it holds credentials). */
  smtp?: { url: string; from?: string; to: string[]; problem?: string };
  history?: string;
  /** Credentials of a postgres:// history (never in the URL in a Secret-less setup). */
  postgres?: { password?: string; passwordFile?: string };
  /** ZTAUDIT_CHROMIUM: the browser that prints --format pdf (else one is looked for on PATH). */
  chromium?: string;
  /** PATH, where a Chromium for --format pdf is looked for. */
  searchPath?: string;
  /**
   * The proxy variables that are set (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, upper or lower case),
   * for the notifiers; the API server's client reads them from the same environment itself.
   */
  proxy?: ProxyEnv;
  /** Bearer token `serve` requires for everything but /healthz and /metrics, and for /healthz's details; '' when the variable is set but blank (an empty Secret key), which serve refuses. */
  serveToken?: string;
}

export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;
export type ProxyEnv = Partial<Record<(typeof PROXY_VARIABLES)[number], string>>;

/** Why ZTAUDIT_SMTP_URL cannot be used, or null. Left unchecked, nodemailer sent a URL it could not parse to localhost:587, and Node's warning about one printed it whole, password included. */
function smtpUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'ZTAUDIT_SMTP_URL: not a URL; expected smtp://HOST:PORT or smtps://HOST:PORT (credentials, if any, before the host)';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return `ZTAUDIT_SMTP_URL: the scheme is ${url.protocol.slice(0, -1)}, not smtp or smtps`;
  if (url.hostname === '') return 'ZTAUDIT_SMTP_URL: no host';
  return null;
}

function slackApiUrlProblem(text: string): string | null {
  try {
    if (['http:', 'https:'].includes(new URL(text).protocol)) return null;
  } catch {
    // said below
  }
  return `ZTAUDIT_SLACK_API_URL=${text}: not an http:// or https:// URL`;
}

/** What the environment says; a value that cannot be used is kept with its `problem`, raised by whoever would use it. */
export function readEnv(env: Record<string, string | undefined>): EnvSettings {
  const out: EnvSettings = {};
  const slackToken = env.ZTAUDIT_SLACK_TOKEN?.trim();
  if (slackToken) {
    const apiUrl = env.ZTAUDIT_SLACK_API_URL;
    const problem = apiUrl ? slackApiUrlProblem(apiUrl) : null;
    out.slack = { token: slackToken, ...(env.ZTAUDIT_SLACK_CHANNEL ? { channel: env.ZTAUDIT_SLACK_CHANNEL } : {}), ...(apiUrl ? { apiUrl } : {}), ...(problem ? { problem } : {}) };
  } else if (env.ZTAUDIT_SLACK_CHANNEL) out.slackChannelWithoutToken = true;
  if (env.ZTAUDIT_SMTP_URL) {
    const problem = smtpUrlProblem(env.ZTAUDIT_SMTP_URL);
    out.smtp = {
      url: env.ZTAUDIT_SMTP_URL,
      ...(env.ZTAUDIT_EMAIL_FROM ? { from: env.ZTAUDIT_EMAIL_FROM } : {}),
      to: (env.ZTAUDIT_EMAIL_TO ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      ...(problem ? { problem } : {}),
    };
  }
  else {
    const named = ['ZTAUDIT_EMAIL_TO', 'ZTAUDIT_EMAIL_FROM'].filter((k) => env[k]?.trim());
    if (named.length > 0) out.emailWithoutSmtp = named;
  }
  if (env.ZTAUDIT_HISTORY !== undefined) out.history = env.ZTAUDIT_HISTORY;
  const pgPassword = env.ZTAUDIT_PG_PASSWORD || env.PGPASSWORD;
  if (pgPassword || env.ZTAUDIT_PG_PASSWORD_FILE) {
    out.postgres = { ...(pgPassword ? { password: pgPassword } : {}), ...(env.ZTAUDIT_PG_PASSWORD_FILE ? { passwordFile: env.ZTAUDIT_PG_PASSWORD_FILE } : {}) };
  }
  if (env.ZTAUDIT_CHROMIUM) out.chromium = env.ZTAUDIT_CHROMIUM;
  if (env.PATH) out.searchPath = env.PATH;
  const proxy = Object.fromEntries(PROXY_VARIABLES.filter((k) => env[k]).map((k) => [k, env[k]!])) as ProxyEnv;
  if (Object.keys(proxy).length > 0) out.proxy = proxy;
  if (env.ZTAUDIT_SERVE_TOKEN !== undefined) out.serveToken = env.ZTAUDIT_SERVE_TOKEN.trim();
  return out;
}
