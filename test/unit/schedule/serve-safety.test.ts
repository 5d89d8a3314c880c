// `ztaudit serve` is safe by default: loopback only unless --host says otherwise (and the log
// names the address really bound), an optional bearer token (ZTAUDIT_SERVE_TOKEN) for all but
// /metrics and /healthz's bare status, 400 for malformed percent-encoding, 404 for /runs/..,
// and no temporary directories left behind. In-process against the demo manifests, over real
// sockets.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { REPO } from '../../helm/helm.ts';

const DEMO = join(REPO, 'examples', 'demo-cluster');
const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (t) => { err.push(t); }, env, isTTY: false, cwd: work };
}
const args = (...more: string[]) => ['--manifests', DEMO, '--no-notify', '--port', '0', '--schedule', '0 2 * * *', '--out', join(work, 'out'), ...more];

/** A raw request (GET unless told): fetch() would normalise /runs/.. before sending it. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('serve binds loopback unless --host says otherwise', () => {
  it('listens on 127.0.0.1 by default and logs the address it really bound', async () => {
    const cli = io();
    const d = await startServe([...args('--history', 'none')], cli);
    try {
      const start = cli.err.map((l) => JSON.parse(l)).find((l) => l.event === 'serve-start');
      expect(start.msg).toMatch(new RegExp(`^listening on 127\\.0\\.0\\.1:${d.port} \\(`));
      expect(start.address).toBe('127.0.0.1');
      expect((await fetch(`http://127.0.0.1:${d.port}/healthz`)).status).toBe(200);
      if (external) await expect(fetch(`http://${external}:${d.port}/healthz`)).rejects.toThrow();
    } finally {
      await d.stop();
    }
  });

  it('--host 0.0.0.0 listens on every interface and says so', async () => {
    const cli = io();
    const d = await startServe([...args('--history', 'none', '--host', '0.0.0.0')], cli);
    try {
      const start = cli.err.map((l) => JSON.parse(l)).find((l) => l.event === 'serve-start');
      expect(start.msg).toMatch(new RegExp(`^listening on 0\\.0\\.0\\.0:${d.port} \\(all interfaces\\)`));
      if (external) expect((await fetch(`http://${external}:${d.port}/healthz`)).status).toBe(200);
    } finally {
      await d.stop();
    }
  });
});

describe('serve with ZTAUDIT_SERVE_TOKEN', () => {
  it('asks for the bearer token everywhere but /metrics and /healthz, which without it answers only its status', async () => {
    const d = await startServe([...args('--history', join(work, 'token.db'))], io({ ZTAUDIT_SERVE_TOKEN: 's3cret-token' }));
    try {
      await d.idle();
      const id = d.state().latest!.run.id;
      for (const path of ['/', '/report.json', `/runs/${id}`, '/nope']) {
        const none = await rawGet(d.port, path);
        expect(none.status, path).toBe(401);
        expect(none.body).not.toContain(id);
        expect((await rawGet(d.port, path, { Authorization: 'Bearer s3cret-tokem' })).status, path).toBe(401);
        expect((await rawGet(d.port, path, { Authorization: 's3cret-token' })).status, path).toBe(401);
      }
      const ok = (path: string) => rawGet(d.port, path, { Authorization: 'Bearer s3cret-token' });
      expect((await ok('/')).status).toBe(200);
      expect(JSON.parse((await ok('/report.json')).body).run.id).toBe(id);
      expect((await ok(`/runs/${id}`)).status).toBe(200);
      const health = await rawGet(d.port, '/healthz');
      expect(health.status).toBe(200);
      expect(Object.keys(JSON.parse(health.body)).sort()).toEqual(['consecutiveFailures', 'lastFailure', 'lastSuccess', 'status']); // the details need the token
      expect(health.body).not.toContain(id);
      expect(JSON.parse((await ok('/healthz')).body).lastRun.id).toBe(id);
      expect((await rawGet(d.port, '/metrics')).status).toBe(200);
    } finally {
      await d.stop();
    }
  });
});

describe('serve paths', () => {
  it('answers malformed percent-encoding with 400, /runs/.. and friends with 404, never the latest report', async () => {
    const d = await startServe([...args('--history', join(work, 'paths.db'))], io());
    try {
      await d.idle();
      const id = d.state().latest!.run.id;
      for (const path of ['/runs/%E0%A4%A', '/%zz', '/runs/%', `/runs/${id}%`, '/runs/a%00b']) {
        expect((await rawGet(d.port, path)).status, path).toBe(400);
      }
      for (const path of ['/runs/..', '/runs/../', '/runs/%2e%2e', '/runs/%2E%2E/', '/runs/.', '/x/../', '/runs/..%2F..%2Fetc%2Fpasswd', '/runs/%2e%2e%2f']) {
        const r = await rawGet(d.port, path);
        expect(r.status, path).toBe(404);
        expect(r.body).not.toContain('<html');
      }
      expect((await rawGet(d.port, `/runs/${id}`)).status).toBe(200);
    } finally {
      await d.stop();
    }
  });

  it('answers every request with a typed, nosniff body that never echoes the path or query; pages carry the report CSP', async () => {
    const d = await startServe([...args('--history', 'none')], io({ ZTAUDIT_SERVE_TOKEN: 'tok' }));
    const auth = { Authorization: 'Bearer tok' };
    try {
      await d.idle();
      const id = d.state().latest!.run.id;
      const probe = '<zt-probe/onload=alert(1)>"zt-echo';
      const asked: Array<[string, Record<string, string>, string?]> = [
        [`/${probe}?q=${probe}`, auth], [`/runs/${probe}`, auth], [`/runs/${encodeURIComponent(probe)}`, auth],
        [`/fleet?${probe}`, auth], ['/%E0%A4%A?zt-echo', auth], [`/${probe}`, {}], [`/${probe}`, auth, 'POST'],
        [`/runs/${id}?${probe}`, auth], [`/?${probe}`, auth], [`/report.json?${probe}`, auth], [`/metrics?${probe}`, {}], [`/healthz?${probe}`, {}],
      ];
      for (const [path, headers, method] of asked) {
        const r = await rawGet(d.port, path, headers, method);
        const what = `${method ?? 'GET'} ${path} -> ${r.status}`;
        expect(r.body, what).not.toContain('zt-echo');
        expect(r.body, what).not.toContain('zt-probe');
        expect(r.headers['content-type'], what).toMatch(/^(text\/plain|text\/html|application\/json)(;.*)?; charset=utf-8$/);
        expect(r.headers['x-content-type-options'], what).toBe('nosniff');
        if (r.headers['content-type']!.startsWith('text/html')) {
          expect(r.body, what).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
        }
      }
      expect((await rawGet(d.port, '/', auth)).headers['content-type']).toBe('text/html; charset=utf-8');
    } finally {
      await d.stop();
    }
  });

  it('leaves no ztaudit-serve-* directory behind (stored runs are rendered in memory)', async () => {
    // What mkdtemp('ztaudit-serve-') made (other tests' directories have longer names).
    const viewerDirs = () => readdirSync(tmpdir()).filter((n) => /^ztaudit-serve-[A-Za-z0-9]{6}$/.test(n)).sort();
    const before = viewerDirs();
    const d = await startServe([...args('--history', join(work, 'tmp.db'))], io());
    try {
      await d.idle();
      const first = d.state().latest!.run.id;
      await d.tick('test');
      expect(d.state().latest!.run.id).not.toBe(first);
      const page = await rawGet(d.port, `/runs/${first}`); // an earlier stored run: rendered by the worker
      expect(page.status).toBe(200);
      expect(page.body).toContain(first);
      expect(viewerDirs()).toEqual(before);
    } finally {
      await d.stop();
    }
  });
});
