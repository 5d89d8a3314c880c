// A real PostgreSQL server for the postgres tier and the fleet benchmark: Debian's
// `postgresql` package, `initdb` into a temporary directory, `pg_ctl start` on a free
// loopback port, torn down (`pg_ctl stop -m immediate`, directory removed) afterwards.
// As root the server runs as the `postgres` system user (initdb refuses root); otherwise as
// the current user. Password authentication (scram-sha-256) and TLS (a CA and a server
// certificate for `localhost` made with openssl) are on, so tests exercise both.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  host: string;
  port: number;
  /** Superuser (`postgres`) password; tests create their own databases with it. */
  adminPassword: string;
  caFile: string;
  dir: string;
  version: string;
  /** postgres://postgres:…@127.0.0.1:PORT/DB */
  adminUrl(database?: string): string;
  stop(): void;
  /** pg_ctl stop -m fast / start again on the same port (for outage tests). */
  pause(): void;
  resume(): void;
}

/** Where Debian puts the server binaries (they are not on PATH). */
export function findPgBin(): { bin?: string; why?: string } {
  const candidates: string[] = [];
  const explicit = process.env.ZTAUDIT_PG_BIN;
  if (explicit) candidates.push(explicit);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) candidates.push(join(root, v, 'bin'));
  }
  for (const c of candidates) if (existsSync(join(c, 'initdb')) && existsSync(join(c, 'pg_ctl'))) return { bin: c };
  return { why: explicit ? `ZTAUDIT_PG_BIN=${explicit} has no initdb/pg_ctl` : 'PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)' };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' }).trim();
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, ids: { uid?: number; gid?: number }): void {
  if (ids.uid === undefined || ids.gid === undefined) return;
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, path]);
}

function makeCerts(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ztaudit test CA', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt']);
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

export interface StartOptions {
  /** Extra `-c name=value` settings (the benchmark raises memory settings). */
  settings?: Record<string, string>;
  /** fsync off for tests (data safety is not what they measure); on for the benchmark. */
  fsync?: boolean;
}

export async function startPg(options: StartOptions = {}): Promise<PgServer> {
  const found = findPgBin();
  if (!found.bin) throw new Error(found.why);
  const bin = found.bin;
  const ids = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-pg-'));
  const data = join(dir, 'data');
  const certs = join(dir, 'certs');
  execFileSync('mkdir', ['-p', certs]);
  const { caFile, certFile, keyFile } = makeCerts(certs);
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pwfile'), `${adminPassword}\n`);
  chownTree(dir, ids);
  const spawnOpts = { ...ids, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], encoding: 'utf8' as const };
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pwfile')}`, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], spawnOpts);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir,
    ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile,
    fsync: options.fsync ? 'on' : 'off', full_page_writes: options.fsync ? 'on' : 'off', synchronous_commit: options.fsync ? 'on' : 'off',
    max_connections: '200', log_min_messages: 'warning',
    ...options.settings,
  };
  const pgOpts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const log = join(dir, 'server.log');
  const start = () => {
    const r = spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', pgOpts, '-w', '-t', '60', 'start'], spawnOpts);
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr || r.stdout}`);
  };
  const stopWith = (mode: string) => spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop'], spawnOpts);
  start();
  const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  let stopped = false;
  return {
    host: '127.0.0.1', port, adminPassword, caFile, dir, version,
    adminUrl: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/${database}?sslmode=disable`,
    stop() {
      if (stopped) return;
      stopped = true;
      stopWith('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
    pause() { stopWith('fast'); },
    resume() { start(); },
  };
}

/** The CA certificate readable by the tests (the server's copy belongs to `postgres`). */
export function chownBack(path: string): void {
  if (userInfo().uid === 0) chownSync(path, 0, 0);
}
