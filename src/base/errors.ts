// The few error classes ztaudit raises on purpose. Each has a stable code and a one-line
// message that says what to do; only the CLI entry point turns them into exit codes.

/**
 * What the name of a URL query parameter holding a credential contains: libpq's password and
 * sslpassword (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS),
 * and misspellings its "unknown parameter" error quotes (passwd, pass, pwd); a token
 * (access_token: OAuth 2.0 sends a bearer token as a URI query parameter,
 * https://www.rfc-editor.org/rfc/rfc6750#section-2.3; token, id_token, refresh_token); a
 * secret (client_secret, https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1); a key
 * (api_key, apikey); a signature or credential of a signed URL (X-Amz-Signature,
 * X-Amz-Credential; an Azure SAS's sig). Matched anywhere in the name, case-insensitively: a
 * non-secret value shown as *** costs less than a secret shown.
 */
const CREDENTIAL_PARAM = '(?:pass|pwd|token|secret|key|sig|credential)';
const CREDENTIAL_PARAM_VALUE = new RegExp(`([?&;]([^?&;#=\\s]*${CREDENTIAL_PARAM}[^?&;#=\\s]*)=)[^&#]*`, 'gi');

/**
 * Credentials embedded in URLs (scheme://user:password@host, e.g. a kubeconfig server or an
 * SMTP URL, and query parameters named for one: CREDENTIAL_PARAM) removed from a text: every
 * message, alert and report goes through this.
 * Everything from '://' to the last '@' before the next whitespace goes: a password typed
 * into a URL unencoded may hold '/', '?', '#', ':' or '@', and such a URL is exactly the one
 * that fails to parse and gets quoted in an error. A host or path with an '@' in it is cut
 * too; better that than a password shown. The placeholder USER of hints stays.
 */
export function redactUrlCredentials(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)(\S*)@/gi, (whole: string, scheme: string, userinfo: string) => (userinfo === 'USER' ? whole : scheme))
    // libpq takes a password as a URL parameter too (postgres://HOST/DB?password=…), and a server
    // URL may carry a token (https://10.0.0.1:6443/?token=…): the value of any parameter whose name
    // says credential (CREDENTIAL_PARAM) goes, up to the next parameter (a space is part of it:
    // libpq splits only at '&' and '='), whatever it holds: a value that reads as
    // one redacted already ("***: …") may be a password that begins so. Not libpq's passfile: its
    // value is the path of the password file (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-PASSFILE),
    // no secret, and the one thing that tells which file was meant (ZTAUDIT_PG_PASSWORD_FILE's path is shown too).
    // A text is redacted whole, so a URL quoted in a message with text after it is redacted on its
    // own first (redacted`…`), where its end is known.
    .replace(CREDENTIAL_PARAM_VALUE, (whole: string, key: string, name: string) => (/^passfile$/i.test(name) ? whole : `${key}***`));
}

/** A message whose every interpolated part was redacted on its own (redacted`…`): an error built from it is not redacted again as a whole. */
export class RedactedText {
  readonly text: string;
  constructor(text: string) { this.text = text; }
}

/**
 * A message quoting outside text (a URL, a path) followed by more of ztaudit's own words:
 * each interpolated value is redacted by itself (redactUrlCredentials), where its end is known,
 * and the literal parts are ztaudit's. Redacting the joined text instead could not tell where a
 * quoted URL's last parameter ends ("password=***: reason" may be a password beginning "***: ").
 */
export function redacted(strings: TemplateStringsArray, ...values: unknown[]): RedactedText {
  let text = strings[0] ?? '';
  values.forEach((value, i) => { text += redactUrlCredentials(String(value)) + (strings[i + 1] ?? ''); });
  return new RedactedText(text);
}

export class ZtauditError extends Error {
  readonly code: string;
  constructor(code: string, message: string | RedactedText) {
    super(message instanceof RedactedText ? message.text : redactUrlCredentials(message));
    this.code = code;
    this.name = 'ZtauditError';
  }
}

/** Bad configuration or flags: names the file and key. Exit 2. */
export class ConfigError extends ZtauditError {
  constructor(message: string | RedactedText) { super('E_CONFIG', message); this.name = 'ConfigError'; }
}

/** Input that cannot be read: a snapshot of unknown schema, an unreadable manifests dir. Exit 2. */
export class InputError extends ZtauditError {
  constructor(message: string | RedactedText) { super('E_INPUT', message); this.name = 'InputError'; }
}

/** The cluster cannot be reached or refuses every request. Exit 2. */
export class ClusterError extends ZtauditError {
  constructor(message: string | RedactedText) { super('E_CLUSTER', message); this.name = 'ClusterError'; }
}

/** The run history cannot be used: corrupt, newer schema, locked by another run. Exit 2. */
export class HistoryError extends ZtauditError {
  constructor(message: string | RedactedText) { super('E_HISTORY', message); this.name = 'HistoryError'; }
}

/**
 * One stored run whose report cannot be decoded (truncated, corrupt): the store itself is
 * usable. Readers that walk many runs (the diff's baseline walk, `history export`, `fleet`)
 * pass over it, naming it, instead of failing on it. Exit 2 when it ends a command.
 */
export class UnreadableRunError extends HistoryError {
  readonly runId: string;
  /**
   * What cannot be read: the run's report, its stored summary (the record its list row, fleet
   * entry and trend point come from), or the store's whole record of it (a damaged entry of a
   * k8s:// index: `runId` is its id when it has one, else its place, `runs[N]`).
   */
  readonly part: 'report' | 'summary' | 'entry';
  /**
   * The run's stored summary (a RunSummary), read apart from its report (still readable when the
   * report is not); set by the store when it has it. Typed here as unknown: base/ imports no run types.
   */
  summary?: unknown;
  /** The cluster the store keeps the run under (its own column), when it has it: a summary that cannot be read cannot say. */
  cluster?: string;
  /** When the run started, as the store keeps it apart from the summary (its own column or index field), when it has it. */
  startedAt?: string;
  constructor(runId: string, message: string, part: 'report' | 'summary' | 'entry' = 'report') { super(message); this.name = 'UnreadableRunError'; this.runId = runId; this.part = part; }
}

/** The audit ran and its reports were written, but the run could not be stored. Exit 2. */
export class StoreError extends HistoryError {
  constructor(message: string | RedactedText) { super(message); this.name = 'StoreError'; }
}

/** The run was not stored because a run of its cluster that started later was stored meanwhile. Exit 2. */
export class OvertakenError extends HistoryError {
  constructor(message: string | RedactedText) { super(message); this.name = 'OvertakenError'; }
}

/** A run stopped by a signal (SIGTERM: Job deadline, eviction, node drain; SIGINT) before it was stored. Exit 2. */
export class StoppedError extends ZtauditError {
  constructor(message: string | RedactedText) { super('E_STOPPED', message); this.name = 'StoppedError'; }
}

/** Which "audit could not run" alert an error of a run calls for. */
export function failureKindOf(error: unknown): 'not-run' | 'not-stored' | 'overtaken' {
  if (error instanceof OvertakenError) return 'overtaken';
  return error instanceof StoreError ? 'not-stored' : 'not-run';
}

export function errorMessage(error: unknown): string {
  // A ztaudit error's message was redacted when it was made (from parts redacted on their own, maybe): as it is.
  if (error instanceof ZtauditError) return error.message;
  return redactUrlCredentials(error instanceof Error ? error.message : String(error));
}
