import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialError, loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { openKubeClient } from '../../../src/kube/client.ts';
import { ConfigError } from '../../../src/base/errors.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ztaudit-kubeconfig-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, contexts: Array<{ name: string; server: string }>, current?: string): string {
  const file = path.join(dir, name);
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`, '    certificate-authority: ca.crt');
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  user:', `    token: t-${c.name}`);
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, `    user: ${c.name}`);
  if (current) lines.push(`current-context: ${current}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('loadKubeconfig', () => {
  // client-go refuses a pinned CA beside insecure-skip-tls-verify (transport.TLSConfigFor:
  // "specifying a root certificates file with the insecure flag is not allowed"; kubectl prints
  // it): verification would be silently off while the kubeconfig reads as verified.
  it('refuses insecure-skip-tls-verify beside a pinned CA, naming the cluster and file, as kubectl does', () => {
    const withFile = kubeconfig('ca-file', [{ name: 'prod', server: 'https://prod.example' }], 'prod');
    fs.writeFileSync(withFile, fs.readFileSync(withFile, 'utf8').replace('    certificate-authority: ca.crt', '    certificate-authority: ca.crt\n    insecure-skip-tls-verify: true'));
    expect(() => loadKubeconfig({ kubeconfigPath: withFile, env: {} })).toThrow(ConfigError);
    expect(() => loadKubeconfig({ kubeconfigPath: withFile, env: {} })).toThrow(`cluster "prod" in kubeconfig ${withFile} sets both insecure-skip-tls-verify and certificate-authority: verification would be off though a CA is pinned (kubectl refuses this too); remove one`);
    const withData = kubeconfig('ca-data', [{ name: 'prod', server: 'https://prod.example' }], 'prod');
    fs.writeFileSync(withData, fs.readFileSync(withData, 'utf8').replace('    certificate-authority: ca.crt', '    certificate-authority-data: Zm9v\n    insecure-skip-tls-verify: true'));
    expect(() => loadKubeconfig({ kubeconfigPath: withData, env: {} })).toThrow(/sets both insecure-skip-tls-verify and certificate-authority-data/);
    // A cluster named with a line break stays on one line (a forged second line otherwise).
    const forged = path.join(dir, 'forged');
    fs.writeFileSync(forged, ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: "prod\\nFAKE LINE: all good"', '  cluster:', '    server: https://prod.example', '    certificate-authority-data: Zm9v', '    insecure-skip-tls-verify: true',
      'users:', '- name: u', '  user:', '    token: t', 'contexts:', '- name: c', '  context:', '    cluster: "prod\\nFAKE LINE: all good"', '    user: u', 'current-context: c', ''].join('\n'));
    expect(() => loadKubeconfig({ kubeconfigPath: forged, env: {} })).toThrow(`cluster "prod\\nFAKE LINE: all good" in kubeconfig ${forged} sets both`);
    // Either alone is accepted.
    const insecureOnly = kubeconfig('insecure', [{ name: 'prod', server: 'https://prod.example' }], 'prod');
    fs.writeFileSync(insecureOnly, fs.readFileSync(insecureOnly, 'utf8').replace('    certificate-authority: ca.crt', '    insecure-skip-tls-verify: true'));
    expect(loadKubeconfig({ kubeconfigPath: insecureOnly, env: {} })).toMatchObject({ contextName: 'prod' });
  });

  it('reads an explicit file and makes relative paths absolute', () => {
    const file = kubeconfig('a', [{ name: 'prod', server: 'https://prod.example:6443/' }], 'prod');
    const r = loadKubeconfig({ kubeconfigPath: file, env: {} });
    expect(r).toMatchObject({ contextName: 'prod', clusterName: 'prod', server: 'https://prod.example:6443', sources: [file] });
    expect(r.kc.getCurrentCluster()?.caFile).toBe(path.join(dir, 'ca.crt'));
  });

  it('merges KUBECONFIG like kubectl: missing files skipped, first definition and first current-context win', () => {
    const a = kubeconfig('a', [{ name: 'shared', server: 'https://a.example' }], 'shared');
    const b = kubeconfig('b', [{ name: 'shared', server: 'https://b.example' }, { name: 'staging', server: 'https://staging.example' }], 'staging');
    const env = { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter), HOME: dir };
    const r = loadKubeconfig({ env });
    expect(r).toMatchObject({ contextName: 'shared', server: 'https://a.example', sources: [a, b] });
    expect(loadKubeconfig({ env, context: 'staging' })).toMatchObject({ contextName: 'staging', server: 'https://staging.example' });
  });

  it('reads an empty file in KUBECONFIG (or one of blanks and comments) as an empty config, as client-go does', () => {
    fs.writeFileSync(path.join(dir, 'empty'), '');
    fs.writeFileSync(path.join(dir, 'blank'), '  \n# nothing yet\n');
    const full = kubeconfig('full', [{ name: 'prod', server: 'https://prod.example' }], 'prod');
    const r = loadKubeconfig({ env: { KUBECONFIG: [path.join(dir, 'empty'), path.join(dir, 'blank'), full].join(path.delimiter) } });
    expect(r).toMatchObject({ contextName: 'prod', server: 'https://prod.example' });
  });

  it('falls back to ~/.kube/config, then to the in-cluster service account', () => {
    fs.mkdirSync(path.join(dir, '.kube'));
    fs.renameSync(kubeconfig('config', [{ name: 'home', server: 'https://home.example' }], 'home'), path.join(dir, '.kube', 'config'));
    expect(loadKubeconfig({ env: { HOME: dir } }).contextName).toBe('home');

    const sa = path.join(dir, 'sa');
    fs.mkdirSync(sa);
    fs.writeFileSync(path.join(sa, 'token'), 'sa-token');
    const r = loadKubeconfig({ env: { HOME: path.join(dir, 'nohome'), KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, inClusterDir: sa });
    expect(r).toMatchObject({ server: 'https://[fd00::1]:443', sources: ['in-cluster'] });
    expect(r.kc.getCurrentCluster()?.caFile).toBe(path.join(sa, 'ca.crt'));
  });

  it('explains what is missing instead of guessing a server', () => {
    expect(() => loadKubeconfig({ env: { HOME: dir }, inClusterDir: path.join(dir, 'none') })).toThrow(ConfigError);
    expect(() => loadKubeconfig({ env: { HOME: dir }, inClusterDir: path.join(dir, 'none') })).toThrow(/no kubeconfig found/);
    expect(() => loadKubeconfig({ kubeconfigPath: path.join(dir, 'nope'), env: {} })).toThrow(/does not exist/);
    const file = kubeconfig('a', [{ name: 'prod', server: 'https://prod.example' }]);
    expect(() => loadKubeconfig({ kubeconfigPath: file, env: {} })).toThrow(/has no current context/);
    expect(() => loadKubeconfig({ kubeconfigPath: file, context: 'dev', env: {} })).toThrow('context "dev" not found in kubeconfig');
  });
});

describe('file references in a kubeconfig, as client-go resolves them', () => {
  const userFile = (user: string) => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://c.example"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
    return file;
  };

  it("reads a relative token-file from the kubeconfig's directory, not the working directory", () => {
    fs.writeFileSync(path.join(dir, 'token'), 'sekret\n');
    const r = loadKubeconfig({ kubeconfigPath: userFile('{token-file: token}'), env: {} });
    expect(r.user).toEqual({ name: 'u', source: path.join(dir, 'config'), tokenFile: path.join(dir, 'token') });
  });

  it('names the kubeconfig, the user and the path of a token-file it cannot read, in one line', () => {
    const file = userFile('{token-file: missing-token}');
    expect(() => loadKubeconfig({ kubeconfigPath: file, env: {} })).toThrow(new ConfigError(`cannot read token-file ${path.join(dir, 'missing-token')} of user "u" in kubeconfig ${file}: no such file (ENOENT)`));
    fs.writeFileSync(path.join(dir, 'missing-token'), ' \n');
    expect(() => loadKubeconfig({ kubeconfigPath: file, env: {} })).toThrow(`token-file ${path.join(dir, 'missing-token')} of user "u" in kubeconfig ${file} is empty`);
  });

  it("resolves an exec command with a path separator against the kubeconfig's directory, and leaves a bare command to PATH", () => {
    const relative = loadKubeconfig({ kubeconfigPath: userFile('{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/login, interactiveMode: Never}}'), env: {} });
    expect(relative.user?.exec?.command).toBe(path.join(dir, 'bin', 'login'));
    const bare = loadKubeconfig({ kubeconfigPath: userFile('{exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, interactiveMode: Never}}'), env: {} });
    expect(bare.user?.exec?.command).toBe('kubelogin');
  });

  it('checks the exec section as clientcmd validates it, naming the file and the user', () => {
    const exec = (fields: string) => loadKubeconfig({ kubeconfigPath: userFile(`{exec: {${fields}}}`), env: {} }).user?.exec;
    const where = `exec plugin of user "u" in kubeconfig ${path.join(dir, 'config')}`;
    expect(() => exec('apiVersion: client.authentication.k8s.io/v1, command: login')).toThrow(new ConfigError(`${where}: exec.interactiveMode is missing (client.authentication.k8s.io/v1 requires Never, IfAvailable or Always)`));
    expect(() => exec('apiVersion: client.authentication.k8s.io/v1alpha1, command: login')).toThrow(`${where}: exec.apiVersion "client.authentication.k8s.io/v1alpha1" is none of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1`);
    expect(() => exec('apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never')).toThrow(`${where}: exec.command is missing`);
    expect(exec('apiVersion: client.authentication.k8s.io/v1beta1, command: login')).toEqual({ command: 'login', args: [], env: [], apiVersion: 'client.authentication.k8s.io/v1beta1', interactiveMode: 'IfAvailable' });
  });
});

describe('a kubeconfig that does not parse', () => {
  it('is named with line and column, never quoting its content (which may hold a token)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kc-bad-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: SUPERSECRETTOKEN123\n   bad: indent\n');
    let message = '';
    try {
      loadKubeconfig({ kubeconfigPath: file, env: {} });
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^cannot read kubeconfig .*config: .* at line 7, column \d+$/);
    expect(message).not.toContain('SUPERSECRET');
    expect(message).not.toContain('\n');
  });
});

// A kubeconfig whose files or auth-provider fail is a kubeconfig problem, found before any
// request leaves: one line naming the kubeconfig, the cluster or user and the key (as an exec
// plugin's failure is named), never "cannot reach API server" for a server never contacted,
// and never retried as an outage. The keys are clientcmd's (https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/:
// Cluster "certificate-authority", AuthInfo "client-certificate", "client-key", "auth-provider").
describe('kubeconfig files and auth-providers that fail, at the first request', () => {
  const write = (user: string, cluster = '{server: "https://127.0.0.1:1"}') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kc-files-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c1\n  cluster: ${cluster}\ncontexts:\n- name: c\n  context: {cluster: c1, user: u1}\nusers:\n- name: u1\n  user: ${user}\n`);
    return { dir, file };
  };
  const firstRequest = async (file: string) => {
    const requests: string[] = [];
    const { client } = openKubeClient({ kubeconfigPath: file, onRequest: (_m, p) => requests.push(p), retries: 3, retryBaseDelayMs: 1 });
    try {
      const error = await client.get('/api/v1/namespaces', 'namespaces').then(() => null, (e: unknown) => e);
      return { error, requests };
    } finally {
      client.close();
    }
  };

  it('a certificate-authority file that is not there: named with its cluster and kubeconfig', async () => {
    const { dir, file } = write('{token: t}', '{server: "https://127.0.0.1:1", certificate-authority: ca.crt}');
    const { error, requests } = await firstRequest(file);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(`cannot read certificate-authority ${path.join(dir, 'ca.crt')} of cluster "c1" in kubeconfig ${file}: no such file (ENOENT)`);
    expect(requests).toEqual([]);
  });

  it('a client-key file that is not there: named with its user', async () => {
    const { dir, file } = write('{client-certificate: client.crt, client-key: client.key}');
    fs.writeFileSync(path.join(dir, 'client.crt'), 'read before the key');
    const { error } = await firstRequest(file);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(`cannot read client-key ${path.join(dir, 'client.key')} of user "u1" in kubeconfig ${file}: no such file (ENOENT)`);
  });

  it('an auth-provider whose command fails: one line naming it, its user and the kubeconfig', async () => {
    // `false` exits 1 with nothing on stderr: what the gcp provider's cmd-path runs fails.
    const { file } = write('{auth-provider: {name: gcp, config: {cmd-path: false, cmd-args: "config config-helper --format=json"}}}');
    const { error, requests } = await firstRequest(file);
    expect(error).toBeInstanceOf(CredentialError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^auth-provider "gcp" of user "u1" in kubeconfig ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: \\S`));
    expect(message).not.toMatch(/cannot reach API server|\n|\\u000a/);
    expect(requests).toEqual([]);
  });
});
