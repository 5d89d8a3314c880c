// Starts a real etcd + kube-apiserver on loopback for the cluster test tier, and stops them.
// Credentials (service-account signing key, admin token) are generated per run; the
// apiserver self-signs its serving certificate into --cert-dir and we trust exactly that.
// Also runnable by hand: `node test/cluster/control-plane.ts` starts one and prints the
// kubeconfig path until Ctrl-C.

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ControlPlane {
  server: string;
  kubeconfigPath: string;
  adminToken: string;
  /** PEM of the apiserver's serving certificate chain (what the kubeconfig trusts). */
  caPem: string;
  /** The serving certificate and key, so a test proxy can present the same identity. */
  servingCertFile: string;
  servingKeyFile: string;
  binDir: string;
  dir: string;
  /** etcd's client URL (plain HTTP on loopback; its gRPC gateway serves /v3/kv/...). */
  etcdUrl: string;
  /** gitVersion from /version, e.g. v1.36.3. */
  version: string;
  /** Process-group ids of etcd and kube-apiserver. */
  pids: number[];
  startupMs: number;
  rssKiB: { etcd: number; apiserver: number };
  /**
   * Kills kube-apiserver (SIGKILL: a crash, an OOM kill, a node reboot) and starts it again
   * with the same flags, certificates and etcd — after `offMs` with nothing listening, when
   * given; resolves when /readyz answers 200 again, with how long it was gone.
   */
  restartApiserver(options?: { offMs?: number }): Promise<{ downMs: number }>;
  /** Freezes kube-apiserver (SIGSTOP) for `ms`, then lets it go on (SIGCONT): a hung server. */
  pauseApiserver(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function rssKiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function httpGet(url: string, opts: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { ...opts, method: 'GET', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

class ProcessDied extends Error {}

function spawnLogged(bin: string, args: string[], logFile: string): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  // detached: own process group, so stop() can signal the whole group.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  return child;
}

function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitFor(what: string, deadline: number, child: ChildProcess, logFile: string, probe: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ProcessDied(`${what}: process exited (${child.exitCode ?? child.signalCode}); last log lines:\n${tail(logFile)}`);
    }
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready in time; last log lines:\n${tail(logFile)}`);
    await sleep(200);
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(2000)]);
  }
}

export function writeKubeconfig(file: string, server: string, caPem: string, token: string, name = 'ztaudit-test'): void {
  const b64 = Buffer.from(caPem).toString('base64');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64}`,
    'users:',
    `- name: ${name}-user`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}-user`,
    `current-context: ${name}`,
    '',
  ].join('\n');
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/**
 * `apiserverArgs`: flags added after the tier's own (a later flag wins), e.g. `--watch-cache=false`
 * for a test that needs lists answered by etcd rather than the watch cache.
 */
export async function startControlPlane(binDir: string, options: { timeoutMs?: number; apiserverArgs?: string[] } = {}): Promise<ControlPlane> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 90_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ztaudit-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of [...children].reverse()) await killGroup(c);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certDir = path.join(dir, 'certs');
    fs.mkdirSync(certDir);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey);
    fs.writeFileSync(path.join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    const adminToken = randomBytes(24).toString('hex');
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},ztaudit-admin,uid-ztaudit-admin,"system:masters"\n`, { mode: 0o600 });

    const etcdPort = await freePort();
    const etcdLog = path.join(dir, 'etcd.log');
    const etcd = spawnLogged(path.join(binDir, 'etcd'), [
      `--data-dir=${path.join(dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls=http://localhost:0',
      '--log-level=warn',
      '--unsafe-no-fsync',
      '--auto-compaction-retention=1',
    ], etcdLog);
    children.push(etcd);
    await waitFor('etcd', deadline, etcd, etcdLog, async () => {
      const r = await httpGet(`http://127.0.0.1:${etcdPort}/health`);
      return r.status === 200 && r.body.includes('"true"');
    });

    const apiPort = await freePort();
    const apiLog = path.join(dir, 'kube-apiserver.log');
    const apiserver = spawnLogged(path.join(binDir, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
      ...(options.apiserverArgs ?? []),
    ], apiLog);
    children.push(apiserver);
    const apiArgs = apiserver.spawnargs.slice(1);
    let current = apiserver;
    const server = `https://127.0.0.1:${apiPort}`;
    const certFile = path.join(certDir, 'apiserver.crt');
    const keyFile = path.join(certDir, 'apiserver.key');
    const auth = { headers: { Authorization: `Bearer ${adminToken}` } };
    await waitFor('kube-apiserver /readyz', deadline, apiserver, apiLog, async () => {
      if (!fs.existsSync(certFile)) return false;
      const r = await httpGet(`${server}/readyz`, { ...auth, ca: fs.readFileSync(certFile) });
      return r.status === 200;
    });
    const caPem = fs.readFileSync(certFile, 'utf8');
    await waitFor('namespaces default and kube-system', deadline, apiserver, apiLog, async () => {
      for (const ns of ['default', 'kube-system']) {
        const r = await httpGet(`${server}/api/v1/namespaces/${ns}`, { ...auth, ca: caPem });
        if (r.status !== 200) return false;
      }
      return true;
    });
    const versionInfo = await httpGet(`${server}/version`, { ...auth, ca: caPem });
    const version = String((JSON.parse(versionInfo.body) as { gitVersion?: unknown }).gitVersion ?? 'unknown');
    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, server, caPem, adminToken);
    return {
      server,
      kubeconfigPath,
      adminToken,
      caPem,
      servingCertFile: certFile,
      servingKeyFile: keyFile,
      binDir,
      dir,
      etcdUrl: `http://127.0.0.1:${etcdPort}`,
      version,
      get pids() { return children.flatMap((c) => (c.pid ? [c.pid] : [])); },
      startupMs: Date.now() - started,
      rssKiB: { etcd: rssKiB(etcd.pid), apiserver: rssKiB(apiserver.pid) },
      async restartApiserver(options: { offMs?: number } = {}) {
        const t0 = Date.now();
        const old = current;
        const exited = new Promise<void>((r) => old.once('exit', () => r()));
        try { process.kill(-old.pid!, 'SIGKILL'); } catch { /* already gone */ }
        await exited;
        if (options.offMs) await sleep(options.offMs);
        current = spawnLogged(path.join(binDir, 'kube-apiserver'), apiArgs, apiLog);
        children[children.indexOf(old)] = current;
        await waitFor('kube-apiserver /readyz after restart', Date.now() + 90_000, current, apiLog, async () => {
          const r = await httpGet(`${server}/readyz`, { ...auth, ca: caPem });
          return r.status === 200;
        });
        return { downMs: Date.now() - t0 };
      },
      async pauseApiserver(ms: number) {
        const pid = current.pid!;
        process.kill(-pid, 'SIGSTOP');
        await sleep(ms);
        process.kill(-pid, 'SIGCONT');
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const binDir = process.argv[2] ?? process.env.ZTAUDIT_TESTBIN_DIR;
  if (!binDir) {
    console.error('usage: node test/cluster/control-plane.ts <bin dir from build-binaries.sh>');
    process.exit(2);
  }
  const cp = await startControlPlane(binDir);
  console.log(`up in ${cp.startupMs} ms; RSS etcd ${cp.rssKiB.etcd} KiB, kube-apiserver ${cp.rssKiB.apiserver} KiB`);
  console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
  const shutdown = () => void cp.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
