// The credentials the client sends, against a local server that echoes them: token-files read
// as client-go reads them.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

  it("is not run for a user with a token of its own, as client-go's exec authenticator is not", async () => {
    script('plugin', `touch "${dir}/ran"\n${credential('{"token":"from-plugin"}')}`);
    const file = kubeconfig(url, '{token: inline, exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, interactiveMode: Never}}');
    expect((await get(file)).body).toEqual({ authorization: 'Bearer inline' });
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });
});
