// Runs a kubeconfig user's exec credential plugin (kubelogin, aws eks get-token, gke-gcloud-auth-
// plugin, …) as client-go runs it (plugin/pkg/client/auth/exec, refreshCredsLocked): the
// environment plus the exec section's env plus KUBERNETES_EXEC_INFO, an ExecCredential whose
// spec says whether the plugin may prompt and, with provideClusterInfo, which cluster it is for.
// ztaudit runs unattended, so the plugin is never interactive: its stdin is /dev/null (a plugin
// that reads it sees the end at once instead of waiting for a user forever), and one that
// requires a terminal (interactiveMode Always) is refused. Unlike client-go, its run is bounded
// and its output read up to a limit: every wait of the auditor is.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { oneLine } from '../base/plain-text.ts';
import { CredentialError, userLabel, type ExecConfig, type UserCredentials } from './kubeconfig.ts';

export const EXEC_PLUGIN_TIMEOUT_MS = 30_000;
/** An ExecCredential is a token or a certificate chain and key: a few KiB. */
const MAX_STDOUT_BYTES = 1024 * 1024;
const MAX_STDERR_BYTES = 64 * 1024;

/** What a plugin returned; `expiresAt` (epoch ms) is absent when it did not say. */
export interface ExecCredentials {
  token?: string;
  cert?: string;
  key?: string;
  expiresAt?: number;
}

export interface ExecRun {
  user: UserCredentials & { exec: ExecConfig };
  /** The environment the plugin inherits. */
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** KUBERNETES_EXEC_INFO: never interactive here; the cluster only with provideClusterInfo. */
export function execInfo(exec: ExecConfig): string {
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: exec.apiVersion, spec: { ...(exec.cluster ? { cluster: exec.cluster } : {}), interactive: false } });
}

/** The first line of what the plugin wrote to stderr, on one line and not too long, or ''. */
function firstLine(stderr: Buffer): string {
  const line = stderr.toString('utf8').split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  return oneLine(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}

/** Runs the plugin once; rejects with a CredentialError of one line naming the plugin and the user. */
export function runExecPlugin(run: ExecRun): Promise<ExecCredentials> {
  const { exec } = run.user;
  const plugin = `exec plugin ${oneLine(exec.command)} for ${userLabel(run.user)}`;
  if (exec.interactiveMode === 'Always') {
    return Promise.reject(new CredentialError(`${plugin} requires a terminal (interactiveMode: Always), and ztaudit runs unattended: use credentials that need no prompt (a plugin set to interactiveMode Never or IfAvailable that can log in without one, a token or a client certificate)`));
  }
  const timeoutMs = run.timeoutMs ?? EXEC_PLUGIN_TIMEOUT_MS;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.env)) if (v !== undefined) env[k] = v;
  for (const e of exec.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = execInfo(exec);
  return new Promise<ExecCredentials>((resolve, reject) => {
    let settled = false;
    let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child?.kill('SIGKILL');
      reject(new CredentialError(`${plugin} ${why}`));
    };
    const timer = setTimeout(() => fail(`timed out after ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    try {
      child = spawn(exec.command, exec.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error: unknown) {
      return fail(`cannot be run: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > MAX_STDOUT_BYTES) return fail(`wrote more than ${MAX_STDOUT_BYTES / 1024 / 1024} MiB, no ExecCredential`);
      stdout.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (errBytes < MAX_STDERR_BYTES) stderr.push(c);
      errBytes += c.length;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') fail(`was not found${exec.installHint ? ` (${firstLine(Buffer.from(exec.installHint))})` : ''}`);
      else if (error.code === 'EACCES') fail('cannot be run (permission denied)');
      else fail(`cannot be run: ${oneLine(error.message)}`);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        const why = firstLine(Buffer.concat(stderr));
        return fail(`${code === null ? `was killed by ${signal}` : `failed with exit code ${code}`}${why ? `: ${why}` : ''}`);
      }
      let credentials: ExecCredentials;
      try {
        credentials = readExecCredential(Buffer.concat(stdout).toString('utf8'), exec);
      } catch (error: unknown) {
        return fail(error instanceof Error ? error.message : String(error));
      }
      settled = true;
      clearTimeout(timer);
      resolve(credentials);
    });
  });
}

/**
 * The credentials of the plugin's ExecCredential, checked as client-go checks them: the
 * apiVersion the kubeconfig asked for, a status with a token or a certificate and key (both or
 * neither). The output is never quoted: a plugin that printed its token raw would see it in a log.
 */
function readExecCredential(out: string, exec: ExecConfig): ExecCredentials {
  let doc: unknown;
  try {
    doc = JSON.parse(out);
  } catch {
    throw new Error('wrote no ExecCredential (its output is not JSON)');
  }
  const o = (doc ?? {}) as { kind?: unknown; apiVersion?: unknown; status?: unknown };
  if (o.kind !== 'ExecCredential') throw new Error('wrote no ExecCredential (its output has another kind)');
  if (o.apiVersion !== exec.apiVersion) throw new Error(`wrote an ExecCredential of apiVersion ${oneLine(String(o.apiVersion))}, not the ${exec.apiVersion} the kubeconfig asks for`);
  if (o.status === null || typeof o.status !== 'object') throw new Error('wrote an ExecCredential without status');
  const s = o.status as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const token = str(s.token);
  const cert = str(s.clientCertificateData);
  const key = str(s.clientKeyData);
  if (!token && !cert && !key) throw new Error('wrote an ExecCredential with neither a token nor a client certificate and key');
  if (Boolean(cert) !== Boolean(key)) throw new Error('wrote an ExecCredential with a client certificate or key, not both');
  let expiresAt: number | undefined;
  if (s.expirationTimestamp !== undefined && s.expirationTimestamp !== null) {
    expiresAt = typeof s.expirationTimestamp === 'string' ? Date.parse(s.expirationTimestamp) : Number.NaN;
    if (Number.isNaN(expiresAt)) throw new Error('wrote an ExecCredential whose expirationTimestamp is not a time');
  }
  return { ...(token ? { token } : {}), ...(cert && key ? { cert, key } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) };
}
