// The one Kubernetes client against a local HTTP server: Secrets are refused before anything
// is sent, retries follow retry.ts (429 with Retry-After, 5xx, never a non-idempotent write
// after a 5xx), and bodies go out as JSON with the content type asked for.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKubeClient } from '../../../src/kube/client.ts';
import { retryDelay, retryable } from '../../../src/kube/retry.ts';

interface Seen { method: string; url: string; at: number; contentType?: string; body: string }

describe('kube client', () => {
  const seen: Seen[] = [];
  let answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  let server: http.Server;
  let kubeconfig = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', at: Date.now(), contentType: req.headers['content-type'], body });
        const a = answers.shift() ?? { status: 200 };
        res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
        res.end(JSON.stringify(a.status === 200 ? { kind: 'Status', ok: true } : { kind: 'Status', message: `injected ${a.status}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kube-'));
    kubeconfig = path.join(dir, 'config');
    const port = (server.address() as { port: number }).port;
    fs.writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: local, context: {cluster: local, user: u}}]
current-context: local
`);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (o: { retries?: number; retryBaseDelayMs?: number } = {}) => openKubeClient({ kubeconfigPath: kubeconfig, env: {}, ...o }).client;

  it('refuses any request for Secrets before sending it, and only for the Secrets resource', async () => {
    seen.length = 0;
    const c = client();
    for (const [method, p] of [['GET', '/api/v1/secrets'], ['GET', '/api/v1/namespaces/a/secrets/token'], ['DELETE', '/api/v1/namespaces/a/secrets?x=1']] as const) {
      await expect(c.request(method, p, 'x')).rejects.toThrow(`refusing to read Secrets (${p})`);
    }
    expect(seen).toEqual([]);
    expect((await c.get('/api/v1/namespaces/secrets/configmaps/secrets', 'get')).status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/namespaces/secrets/configmaps/secrets']);
    c.close();
  });

  it('retries 429 (waiting as Retry-After says) and 503, then notes the success', async () => {
    seen.length = 0;
    answers = [{ status: 429, headers: { 'Retry-After': '1' } }, { status: 503 }];
    const c = client({ retryBaseDelayMs: 20 });
    const r = await c.get('/apis/apps/v1/deployments?limit=500', 'list deployments.apps');
    expect(r.status).toBe(200);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'GET', 'GET']);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(950);
    expect(c.notes).toEqual(['list deployments.apps: succeeded after 2 retries']);
    c.close();
  });

  it('gives up after the retries it was given and returns the last answer', async () => {
    seen.length = 0;
    answers = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const c = client({ retries: 2, retryBaseDelayMs: 10 });
    const r = await c.get('/apis/batch/v1/jobs', 'list jobs');
    expect(r).toMatchObject({ status: 500, body: { message: 'injected 500' } });
    expect(seen).toHaveLength(3);
    c.close();
  });

  it('repeats a create only on 429, never after a 5xx that may have been processed', async () => {
    seen.length = 0;
    answers = [{ status: 503 }];
    const c = client({ retryBaseDelayMs: 10 });
    expect((await c.request('POST', '/api/v1/namespaces/a/configmaps', 'create', { body: { a: 1 } })).status).toBe(503);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ contentType: 'application/json', body: '{"a":1}' });
    answers = [{ status: 429 }];
    expect((await c.request('POST', '/api/v1/namespaces/a/configmaps', 'create', { body: { a: 1 } })).status).toBe(200);
    expect(seen).toHaveLength(3);
    answers = [{ status: 503 }];
    expect((await c.request('PATCH', '/apis/x/v1/things/a?fieldManager=ztaudit', 'apply', { body: { a: 1 }, contentType: 'application/apply-patch+yaml' })).status).toBe(200);
    expect(seen.slice(3).map((s) => [s.method, s.contentType])).toEqual([['PATCH', 'application/apply-patch+yaml'], ['PATCH', 'application/apply-patch+yaml']]);
    c.close();
  });
});

describe('retry policy', () => {
  it('retries 429, 500, 502, 503, 504 and transient transport failures; never 4xx, refused or unresolvable', () => {
    for (const status of [429, 500, 502, 503, 504]) expect(retryable({ status }, true), String(status)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 409, 410, 501]) expect(retryable({ status }, true), String(status)).toBe(false);
    for (const code of ['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EBODY', 'ECONNABORTED']) expect(retryable({ error: Object.assign(new Error(code), { code }) }, true), code).toBe(true);
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'CERT_HAS_EXPIRED']) expect(retryable({ error: Object.assign(new Error(code), { code }) }, true), code).toBe(false);
    expect(retryable({ status: 503 }, false)).toBe(false);
    expect(retryable({ status: 429 }, false)).toBe(true);
    expect(retryable({ error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }, false)).toBe(false);
  });

  it('doubles the wait from the base up to 30 s, honours Retry-After up to 60 s, and stops after the last retry', () => {
    const p = { retries: 8, baseDelayMs: 500 };
    expect([1, 2, 3, 4, 7, 8].map((n) => retryDelay(p, n, { status: 503 }))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
    expect(retryDelay(p, 1, { status: 429, retryAfterMs: 5000 })).toBe(5000);
    expect(retryDelay(p, 1, { status: 429, retryAfterMs: 600_000 })).toBe(60_000);
    expect(retryDelay(p, 9, { status: 503 })).toBeUndefined();
  });
});
