// The credentials the client sends, against local servers that echo them: token-files and exec
// plugins as client-go reads and runs them, and credentials that rotate under a long-lived client.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openKubeClient } from '../../../src/kube/client.ts';
import { CredentialError } from '../../../src/kube/kubeconfig.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-credentials-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig in `dir` for `server` whose user is `user` (flow-style YAML). */
function kubeconfig(server: string, user: string): string {
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  return file;
}

describe('a token-file', () => {
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("is read next to the kubeconfig and sent trimmed (a file written by `echo $TOKEN > token` ends in a line break)", async () => {
    fs.writeFileSync(path.join(dir, 'token'), 'sekret-token\n');
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig(url, '{token-file: token}'), env: {} });
    try {
      expect((await client.get('/version', 'get /version')).body).toEqual({ authorization: 'Bearer sekret-token' });
    } finally {
      client.close();
    }
  });
});

/** An executable shell script in `dir`. */
function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const credential = (status: string) => `printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":${status}}'`;

describe('an exec credential plugin', () => {
  let server: http.Server;
  let url = '';
  /** Tokens the server refuses with 401. */
  const refused = new Set<string>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? null;
      res.writeHead(auth && refused.has(auth) ? 401 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ authorization: auth }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (kubeconfigPath: string, o: { execTimeoutMs?: number } = {}) => {
    const { client } = openKubeClient({ kubeconfigPath, env: { PATH: process.env.PATH }, retries: 0, ...o });
    try {
      return await client.get('/version', 'get /version');
    } finally {
      client.close();
    }
  };

  it('runs with stdin at its end (one that reads it does not wait forever), KUBERNETES_EXEC_INFO as client-go sets it, its env and args; its token is sent', async () => {
    // A plugin that would prompt: it reads stdin to the end before answering.
    const plugin = script('plugin', `cat >/dev/null\nprintf '%s\\n' "$KUBERNETES_EXEC_INFO" "$GREETING" "$@" > "${dir}/seen"\n${credential('{"token":"from-plugin"}')}`);
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'not really a CA');
    const file = kubeconfig(url, `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, args: [--cluster, prod], env: [{name: GREETING, value: hello}], interactiveMode: IfAvailable, provideClusterInfo: true}}`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`server: "${url}"`, `server: "${url}", certificate-authority: ca.crt, tls-server-name: api.example, extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: prod}}]`));
    expect((await get(file)).body).toEqual({ authorization: 'Bearer from-plugin' });
    const [info, greeting, ...args] = fs.readFileSync(path.join(dir, 'seen'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(info!)).toEqual({
      kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1',
      spec: { interactive: false, cluster: { server: url, 'tls-server-name': 'api.example', 'certificate-authority-data': Buffer.from('not really a CA').toString('base64'), config: { audience: 'prod' } } },
    });
    expect(greeting).toBe('hello');
    expect(args).toEqual(['--cluster', 'prod']);
    expect(plugin).toBe(path.join(dir, 'plugin'));
  });

  it('is refused when it requires a terminal (interactiveMode Always), in one line naming the plugin and the user, without running it', async () => {
    script('plugin', `touch "${dir}/ran"\n${credential('{"token":"t"}')}`);
    const file = kubeconfig(url, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Always}}');
    await expect(get(file)).rejects.toThrow(new CredentialError(`exec plugin ${path.join(dir, 'plugin')} for user "u" in kubeconfig ${file} requires a terminal (interactiveMode: Always), and ztaudit runs unattended: use credentials that need no prompt (a plugin set to interactiveMode Never or IfAvailable that can log in without one, a token or a client certificate)`));
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  it('is stopped when it runs past its time, saying so', async () => {
    script('plugin', `sleep 20\n${credential('{"token":"t"}')}`);
    const file = kubeconfig(url, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}');
    const started = Date.now();
    await expect(get(file, { execTimeoutMs: 1000 })).rejects.toThrow(`exec plugin ${path.join(dir, 'plugin')} for user "u" in kubeconfig ${file} timed out after 1 s`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('that fails is named with its exit code and the first line of its stderr; output that is not an ExecCredential is never quoted', async () => {
    script('fails', "echo '' >&2\necho 'error: the SSO session has expired, run aws sso login' >&2\necho 'second line' >&2\nexit 3");
    const failing = kubeconfig(url, '{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./fails}}');
    await expect(get(failing)).rejects.toThrow(new CredentialError(`exec plugin ${path.join(dir, 'fails')} for user "u" in kubeconfig ${failing} failed with exit code 3: error: the SSO session has expired, run aws sso login`));
    script('raw', "echo 'token: eyJhbGciOiJSUzI1NiJ9.SECRETSIGNATURE'");
    const raw = kubeconfig(url, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./raw, interactiveMode: Never}}');
    const error = await get(raw).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(`exec plugin ${path.join(dir, 'raw')} for user "u" in kubeconfig ${raw} wrote no ExecCredential (its output is not JSON)`);
  });

  it('is run again once its credentials expire, and after a 401; not before', async () => {
    // Each run appends a line to calls and hands out token-<run>, good for 2 s (to the second).
    script('plugin', `echo x >> "${dir}/calls"\nn=$(wc -l < "${dir}/calls" | tr -d ' ')\nexp=$(date -u -d "@$(( $(date +%s) + 2 ))" +%Y-%m-%dT%H:%M:%SZ)\n${credential('{"token":"token-\'"$n"\'","expirationTimestamp":"\'"$exp"\'"}')}`);
    const file = kubeconfig(url, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}');
    const { client } = openKubeClient({ kubeconfigPath: file, env: { PATH: process.env.PATH }, retries: 0 });
    const token = async () => ((await client.get('/version', 'get /version')).body as { authorization: string }).authorization;
    try {
      expect(await Promise.all([token(), token(), token()])).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await token()).toBe('Bearer token-2');
      refused.add('Bearer token-2');
      expect((await client.get('/version', 'get /version')).status).toBe(401);
      expect(await token()).toBe('Bearer token-3');
    } finally {
      client.close();
    }
    expect(fs.readFileSync(path.join(dir, 'calls'), 'utf8')).toBe('x\nx\nx\n');
  });

  it('keeps its credentials per API server, as client-go keys its authenticators by exec section and cluster', async () => {
    script('plugin', `echo x >> "${dir}/calls"\n${credential('{"token":"t"}')}`);
    const exec = '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}';
    expect((await get(kubeconfig(url, exec))).status).toBe(200);
    expect((await get(kubeconfig(url, exec))).status).toBe(200);
    expect((await get(kubeconfig(url.replace('127.0.0.1', 'localhost'), exec))).status).toBe(200);
    expect(fs.readFileSync(path.join(dir, 'calls'), 'utf8')).toBe('x\nx\n');
  });

  it("is not run for a user with a token of its own, as client-go's exec authenticator is not", async () => {
    script('plugin', `touch "${dir}/ran"\n${credential('{"token":"from-plugin"}')}`);
    const file = kubeconfig(url, '{token: inline, exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}');
    expect((await get(file)).body).toEqual({ authorization: 'Bearer inline' });
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });
});

describe('credentials that rotate, in a long-lived client', () => {
  let server: http.Server;
  let url = '';
  const refused = new Set<string>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? null;
      res.writeHead(auth && refused.has(auth) ? 401 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ authorization: auth }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => vi.useRealTimers());

  it("re-reads a token-file as client-go does: after 50 s, at once after a 401, keeping the last token while the file cannot be read", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-01T00:00:00Z') });
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, 'token-A');
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig(url, '{token-file: token}'), env: {}, retries: 0 });
    const sent = async () => ((await client.get('/version', 'get /version')).body as { authorization: string }).authorization;
    try {
      expect(await sent()).toBe('Bearer token-A');
      fs.writeFileSync(tokenFile, 'token-B');
      vi.advanceTimersByTime(49_000);
      expect(await sent()).toBe('Bearer token-A');
      vi.advanceTimersByTime(1_000);
      expect(await sent()).toBe('Bearer token-B');
      // Rotated and refused before the period is over: the 401 makes the next request read the file.
      fs.writeFileSync(tokenFile, 'token-C');
      refused.add('Bearer token-B');
      expect((await client.get('/version', 'get /version')).status).toBe(401);
      expect(await sent()).toBe('Bearer token-C');
      fs.rmSync(tokenFile);
      vi.advanceTimersByTime(60_000);
      expect(await sent()).toBe('Bearer token-C');
    } finally {
      client.close();
    }
  });
});

describe('client certificates that rotate', () => {
  let pki: string;
  let server: https.Server;
  let port = 0;
  /** The sockets the server accepted, and whether each is still open. */
  const sockets: Array<{ cn: string; closed: boolean }> = [];

  beforeAll(async () => {
    pki = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-pki-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca');
    for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['first', 'extendedKeyUsage=clientAuth'], ['second', 'extendedKeyUsage=clientAuth']] as const) {
      ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      fs.writeFileSync(path.join(pki, `${name}.ext`), `${ext}\n`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
    }
    const read = (f: string) => fs.readFileSync(path.join(pki, f));
    server = https.createServer({ key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ cn: (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN }));
    });
    server.on('secureConnection', (s) => {
      const entry = { cn: String(s.getPeerCertificate().subject?.CN), closed: false };
      sockets.push(entry);
      s.on('close', () => { entry.closed = true; });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(pki, { recursive: true, force: true });
  });

  it("from an exec plugin: the new certificate is used once the old expires, and the old one's connections are closed (client-go connrotation)", async () => {
    sockets.length = 0;
    // The first run hands out `first`, good for 2 s (to the second); the next `second`.
    script('plugin', `if [ -e "${dir}/ran" ]; then n=second; else n=first; touch "${dir}/ran"; fi
exp=$(date -u -d "@$(( $(date +%s) + 2 ))" +%Y-%m-%dT%H:%M:%SZ)
node -e 'const fs = require("fs"); const [n, exp, pki] = process.argv.slice(1); process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { clientCertificateData: fs.readFileSync(pki + "/" + n + ".crt", "utf8"), clientKeyData: fs.readFileSync(pki + "/" + n + ".key", "utf8"), expirationTimestamp: exp } }))' "$n" "$exp" "${pki}"`);
    const file = kubeconfig(`https://127.0.0.1:${port}`, '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('server: ', `certificate-authority: ${path.join(pki, 'ca.crt')}, server: `));
    const { client } = openKubeClient({ kubeconfigPath: file, env: { PATH: process.env.PATH }, retries: 0 });
    const cn = async () => ((await client.get('/version', 'get /version')).body as { cn: string }).cn;
    try {
      expect(await cn()).toBe('first');
      expect(await cn()).toBe('first');
      await new Promise((r) => setTimeout(r, 2100));
      expect(await cn()).toBe('second');
      await new Promise((r) => setTimeout(r, 100));
      expect(sockets).toEqual([{ cn: 'first', closed: true }, { cn: 'second', closed: false }]);
    } finally {
      client.close();
    }
  });

  it('from files rotated on disk: the next request presents the new certificate', async () => {
    const read = (f: string) => fs.readFileSync(path.join(pki, f));
    fs.writeFileSync(path.join(dir, 'client.crt'), read('first.crt'));
    fs.writeFileSync(path.join(dir, 'client.key'), read('first.key'));
    const file = kubeconfig(`https://127.0.0.1:${port}`, '{client-certificate: client.crt, client-key: client.key}');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('server: ', `certificate-authority: ${path.join(pki, 'ca.crt')}, server: `));
    const { client } = openKubeClient({ kubeconfigPath: file, env: {}, retries: 0 });
    const cn = async () => ((await client.get('/version', 'get /version')).body as { cn: string }).cn;
    try {
      expect(await cn()).toBe('first');
      fs.writeFileSync(path.join(dir, 'client.crt'), read('second.crt'));
      fs.writeFileSync(path.join(dir, 'client.key'), read('second.key'));
      expect(await cn()).toBe('second');
    } finally {
      client.close();
    }
  });
});
