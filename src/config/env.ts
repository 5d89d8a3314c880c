// The only place the environment is read for settings. Secrets (tokens, SMTP credentials)
// come from here, never from ztaudit.yaml. KUBECONFIG is merged by kube/kubeconfig.ts from
// the same environment object, as kubectl does.
export interface EnvSettings {
  slack?: { token: string; channel: string; apiUrl?: string };
  smtp?: { url: string; from?: string; to: string[] };
  history?: string;
  /** Credentials of a postgres:// history (never in the URL in a Secret-less setup). */
  postgres?: { password?: string; passwordFile?: string };
  /** ZTAUDIT_CHROMIUM: the browser that prints --format pdf (else one is looked for on PATH). */
  chromium?: string;
  /** PATH, where a Chromium for --format pdf is looked for. */
  searchPath?: string;
  /** Bearer token `serve` requires for everything but /healthz and /metrics, and for /healthz's details. */
  serveToken?: string;
}

export function readEnv(env: Record<string, string | undefined>): EnvSettings {
  const out: EnvSettings = {};
  if (env.ZTAUDIT_SLACK_TOKEN && env.ZTAUDIT_SLACK_CHANNEL) {
    out.slack = { token: env.ZTAUDIT_SLACK_TOKEN, channel: env.ZTAUDIT_SLACK_CHANNEL, ...(env.ZTAUDIT_SLACK_API_URL ? { apiUrl: env.ZTAUDIT_SLACK_API_URL } : {}) };
  }
  if (env.ZTAUDIT_SMTP_URL) {
    out.smtp = {
      url: env.ZTAUDIT_SMTP_URL,
      ...(env.ZTAUDIT_EMAIL_FROM ? { from: env.ZTAUDIT_EMAIL_FROM } : {}),
      to: (env.ZTAUDIT_EMAIL_TO ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    };
  }
  if (env.ZTAUDIT_HISTORY) out.history = env.ZTAUDIT_HISTORY;
  const pgPassword = env.ZTAUDIT_PG_PASSWORD || env.PGPASSWORD;
  if (pgPassword || env.ZTAUDIT_PG_PASSWORD_FILE) {
    out.postgres = { ...(pgPassword ? { password: pgPassword } : {}), ...(env.ZTAUDIT_PG_PASSWORD_FILE ? { passwordFile: env.ZTAUDIT_PG_PASSWORD_FILE } : {}) };
  }
  if (env.ZTAUDIT_CHROMIUM) out.chromium = env.ZTAUDIT_CHROMIUM;
  if (env.PATH) out.searchPath = env.PATH;
  if (env.ZTAUDIT_SERVE_TOKEN?.trim()) out.serveToken = env.ZTAUDIT_SERVE_TOKEN.trim();
  return out;
}
