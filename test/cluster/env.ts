// What the cluster tier's globalSetup hands to tests, plus the small admin-side toolkit the
// tests use to put objects into the real apiserver (raw HTTPS, admin bearer token).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describe, inject } from 'vitest';
import { KINDS, kindOfGroup } from '../../src/snapshot/kinds.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import type { PolicyRule } from '../../src/collect/rbac-rules.ts';

export interface ClusterContext {
  /** Set when the tier is skipped (outside CI only): the loud reason. */
  skip?: string;
  kubeconfigPath?: string;
  server?: string;
  adminToken?: string;
  caPem?: string;
  servingCertFile?: string;
  servingKeyFile?: string;
  binDir?: string;
  version?: string;
  /** Temp dir removed with the control plane; tests write their files below it. */
  scratchDir?: string;
  /** Loopback endpoint of globalSetup: POST /restart-apiserver[?offMs=N], POST /pause-apiserver?ms=N. */
  controlUrl?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterContext;
  }
}

export interface LiveCluster {
  kubeconfigPath: string;
  server: string;
  adminToken: string;
  caPem: string;
  servingCertFile: string;
  servingKeyFile: string;
  binDir: string;
  version: string;
  scratchDir: string;
  controlUrl: string;
}

/**
 * Restarts kube-apiserver (SIGKILL, `offMs` with nothing listening, then the same flags);
 * resolves when it is ready again.
 */
export async function restartApiserver(cluster: Pick<LiveCluster, 'controlUrl'>, offMs = 0): Promise<{ downMs: number }> {
  const r = await fetch(`${cluster.controlUrl}/restart-apiserver?offMs=${offMs}`, { method: 'POST' });
  if (!r.ok) throw new Error(`restart-apiserver: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as { downMs: number };
}

/** Freezes kube-apiserver for `ms` (SIGSTOP/SIGCONT); resolves when it runs again. */
export async function pauseApiserver(cluster: Pick<LiveCluster, 'controlUrl'>, ms: number): Promise<void> {
  const r = await fetch(`${cluster.controlUrl}/pause-apiserver?ms=${ms}`, { method: 'POST' });
  if (!r.ok) throw new Error(`pause-apiserver: HTTP ${r.status} ${await r.text()}`);
}

export function clusterContext(): ClusterContext {
  return inject('cluster') ?? { skip: 'SKIPPED: globalSetup provided no cluster' };
}

/** describe() that runs only when the control plane is up; otherwise a visible skip with the reason. */
export function describeCluster(name: string, body: (cluster: LiveCluster) => void): void {
  const ctx = clusterContext();
  if (ctx.skip) {
    // The tests are registered (and reported as skipped, with the reason) but never run.
    describe.skip(`${name} [${ctx.skip}]`, () => body(ctx as LiveCluster));
    return;
  }
  describe(name, () => body(ctx as LiveCluster));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export interface ApiResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw API JSON in tests
  headers: Record<string, string | string[] | undefined>;
}

export function apiRequest(cluster: Pick<LiveCluster, 'server' | 'caPem'>, token: string, method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<ApiResult> {
  const url = new URL(cluster.server + urlPath);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      ca: cluster.caPem,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(data ? { 'Content-Type': contentType, 'Content-Length': String(data.length) } : {}),
      },
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

const EXTRA_RESOURCES: Record<string, { resource: string; namespaced: boolean }> = {
  'apiextensions.k8s.io/CustomResourceDefinition': { resource: 'customresourcedefinitions', namespaced: false },
  '/ConfigMap': { resource: 'configmaps', namespaced: true },
  '/Secret': { resource: 'secrets', namespaced: true },
};

/** The collection URL an object is POSTed to. */
export function collectionPath(o: KubeObject): string {
  const apiVersion = String(o.apiVersion);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  // By group: tests post objects at versions ztaudit does not read too (a policy API served only at v1alpha3).
  const spec = kindOfGroup(apiVersion, String(o.kind));
  const extra = EXTRA_RESOURCES[`${group}/${o.kind}`];
  const resource = spec?.resource ?? extra?.resource;
  const namespaced = spec?.namespaced ?? extra?.namespaced;
  if (!resource) throw new Error(`test helper does not know the resource of ${apiVersion} ${o.kind}`);
  const prefix = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespaced ? `${prefix}/namespaces/${o.metadata?.namespace ?? 'default'}/${resource}` : `${prefix}/${resource}`;
}

export class Admin {
  readonly cluster: LiveCluster;
  constructor(cluster: LiveCluster) {
    this.cluster = cluster;
  }

  request(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<ApiResult> {
    return apiRequest(this.cluster, this.cluster.adminToken, method, urlPath, body, contentType);
  }

  /** Creates an object; 409 AlreadyExists is accepted when `allowExisting`. */
  async create<T extends KubeObject>(o: T, allowExisting = false): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await this.request('POST', collectionPath(o), o);
    if (r.status === 409 && allowExisting) return r.body;
    if (r.status !== 201 && r.status !== 200) throw new Error(`create ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}: HTTP ${r.status} ${JSON.stringify(r.body?.message ?? r.body)}`);
    return r.body;
  }

  async createAll(objects: KubeObject[], width = 8): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < objects.length) await this.create(objects[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(width, objects.length) }, worker));
  }

  /**
   * A namespace plus its `default` ServiceAccount (no controller-manager runs, and the
   * ServiceAccount admission plugin rejects pods without it).
   */
  async namespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, true);
    await this.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } }, true);
  }

  /**
   * A namespace holding `count` ServiceAccounts sa-0 … sa-<count-1> besides `default`: the
   * stand-in for a kind large enough to take many list pages. `width` requests at a time.
   */
  async namespaceWithServiceAccounts(name: string, count: number, width: number): Promise<void> {
    await this.namespace(name);
    await this.createAll(Array.from({ length: count }, (_, i) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${i}`, namespace: name } })), width);
  }

  /** Waits until discovery serves `resource` in group/version (CRD established). */
  async waitForResource(group: string, version: string, resource: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.request('GET', `/apis/${group}/${version}`);
      if (r.status === 200 && Array.isArray(r.body?.resources) && r.body.resources.some((x: { name?: string }) => x.name === resource)) return;
      if (Date.now() > deadline) throw new Error(`${resource}.${group}/${version} not served after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /**
   * A ServiceAccount `account` in `namespace` bound cluster-wide to a new ClusterRole `role`
   * holding exactly `rules`; resolves with its bearer token.
   */
  async clusterRoleAccount(namespace: string, account: string, role: string, rules: PolicyRule[]): Promise<string> {
    await this.createAll([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules } as KubeObject,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
      } as KubeObject,
    ], 1);
    return this.serviceAccountToken(namespace, account);
  }

  /**
   * A ServiceAccount `account` bound to a new Role `role` holding exactly `rules`, both in
   * `namespace` (nothing cluster-wide); resolves with its bearer token.
   */
  async roleAccount(namespace: string, account: string, role: string, rules: PolicyRule[]): Promise<string> {
    await this.createAll([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: role, namespace }, rules } as KubeObject,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: role, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
      } as KubeObject,
    ], 1);
    return this.serviceAccountToken(namespace, account);
  }

  /** A bearer token for a ServiceAccount through the TokenRequest API. */
  async serviceAccountToken(namespace: string, name: string): Promise<string> {
    const r = await this.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
    });
    if (r.status !== 201 || typeof r.body?.status?.token !== 'string') throw new Error(`TokenRequest failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.status.token;
  }
}

/** Runs the tier's kubectl (the apiserver's release) as the admin; its exit status and output. */
export function kubectl(cluster: Pick<LiveCluster, 'binDir' | 'kubeconfigPath'>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(path.join(cluster.binDir, 'kubectl'), [...args, '--kubeconfig', cluster.kubeconfigPath], { encoding: 'utf8' });
}

/** A fresh directory below the tier's scratch dir (removed at teardown). */
export function scratchDir(prefix: string): string {
  const base = clusterContext().scratchDir ?? os.tmpdir();
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

/** Writes a kubeconfig for `server` with a bearer token into a fresh scratch dir; returns its path. */
export function tokenKubeconfig(server: string, caPem: string, token: string, contextName = 'ztaudit-sa'): string {
  const dir = scratchDir('kubeconfig');
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- name: ${contextName}`, '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    'users:', `- name: ${contextName}`, '  user:', `    token: ${token}`,
    'contexts:', `- name: ${contextName}`, '  context:', `    cluster: ${contextName}`, `    user: ${contextName}`,
    `current-context: ${contextName}`, '',
  ].join('\n'), { mode: 0o600 });
  return file;
}

/** KINDS keys the live collector lists (all but by-name-only ones). */
export const LISTED_KEYS = KINDS.filter((k) => !('byNameOnly' in k && k.byNameOnly)).map((k) => k.key);
