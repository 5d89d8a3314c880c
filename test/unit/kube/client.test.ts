// The one Kubernetes client against a local HTTP server: Secrets are refused before anything
// is sent, retries follow retry.ts (429 with Retry-After, 5xx, never a non-idempotent write
// after a 5xx), and bodies go out as JSON with the content type asked for.
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKubeClient, statusMessage, TransportError } from '../../../src/kube/client.ts';
import { retryDelay, retryable } from '../../../src/kube/retry.ts';
import { kubeconfigAt, kubeconfigFor, writeEndlessLine } from '../../helpers/local-api-server.ts';

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
    kubeconfig = await kubeconfigFor(server);
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
  it('retries 429, 500, 502, 503, 504, refused, unreachable and broken connections; never 4xx, unresolvable or TLS failures', () => {
    const err = (code: string) => ({ error: Object.assign(new Error(code), { code }) });
    for (const status of [429, 500, 502, 503, 504]) expect(retryable({ status }, true), String(status)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 409, 410, 501]) expect(retryable({ status }, true), String(status)).toBe(false);
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EBODY', 'ECONNABORTED']) expect(retryable(err(code), true), code).toBe(true);
    for (const code of ['ENOTFOUND', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']) expect(retryable(err(code), true), code).toBe(false);
    // A write is repeated only when the server cannot have acted on it.
    expect(retryable({ status: 503 }, false)).toBe(false);
    expect(retryable({ status: 429 }, false)).toBe(true);
    expect(retryable(err('ECONNRESET'), false)).toBe(false);
    expect(retryable(err('ETIMEDOUT'), false)).toBe(false);
    expect(retryable(err('ECONNREFUSED'), false)).toBe(true);
  });

  it('doubles the wait from the base up to 5 s, honours Retry-After, stops after the last retry or when the budget is spent', () => {
    const p = { retries: 8, baseDelayMs: 500, budgetMs: 30_000 };
    expect([1, 2, 3, 4, 5, 8].map((n) => retryDelay(p, n, { status: 503 }))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(retryDelay(p, 1, { status: 429, retryAfterMs: 5000 })).toBe(5000);
    expect(retryDelay(p, 1, { status: 429, retryAfterMs: 600_000 })).toBeUndefined(); // beyond the budget: give up now
    expect(retryDelay(p, 9, { status: 503 })).toBeUndefined();
    expect(retryDelay(p, 3, { status: 503 }, 27_500)).toBe(2000);
    expect(retryDelay(p, 3, { status: 503 }, 28_500)).toBeUndefined();
  });
});

describe('kube client against a server that restarts', () => {
  const freePort = async (): Promise<number> => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  };
  const ok = () => http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"items":[]}'); });

  it('retries a refused connection until the server listens again, and notes it', async () => {
    const port = await freePort();
    const { client } = openKubeClient({ kubeconfigPath: kubeconfigAt(port), env: {}, retryBaseDelayMs: 100 });
    const server = ok();
    setTimeout(() => server.listen(port, '127.0.0.1'), 1_200);
    try {
      const r = await client.get('/api/v1/pods?limit=500', 'list pods');
      expect(r.status).toBe(200);
      expect(client.notes).toEqual([expect.stringMatching(/^list pods: succeeded after \d+ retries$/)]);
    } finally {
      client.close();
      server.close();
    }
  });

  it('retries a connection reset by a server going down mid-request', async () => {
    let n = 0;
    const server = http.createServer((req, res) => {
      if (n++ < 2) { req.socket.destroy(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"items":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { client } = openKubeClient({ kubeconfigPath: kubeconfigAt((server.address() as { port: number }).port), env: {}, retryBaseDelayMs: 50 });
    try {
      expect((await client.get('/api/v1/pods', 'list pods')).status).toBe(200);
      expect(n).toBe(3);
    } finally {
      client.close();
      server.close();
    }
  });

  it('says how long it waited for a server that accepts but never answers (never "within 0 ms")', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { client } = openKubeClient({ kubeconfigPath: kubeconfigAt((silent.address() as { port: number }).port), env: {}, timeoutMs: 300, retryBaseDelayMs: 50, retryBudgetMs: 700 });
    try {
      const error = await client.get('/api/v1/pods', 'list pods').then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/^no response within 300 ms \(\d+ attempts over \d\.\d s\)$/);
    } finally {
      client.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('bounds the whole answer of an attempt, not only silence: the request timeout, 0.2 s per object for a list page when longer', async () => {
    // A byte every 25 ms: never silent for the 300 ms idle timeout, 725 ms for the whole answer.
    const body = '{"kind":"PodList","items":[]}';
    const trickle = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        res.write(body[i++]);
        if (i === body.length) { clearInterval(t); res.end(); }
      }, 25);
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    const { client } = openKubeClient({ kubeconfigPath: kubeconfigAt((trickle.address() as { port: number }).port), env: {}, timeoutMs: 300, retryBaseDelayMs: 50, retryBudgetMs: 500 });
    try {
      const started = Date.now();
      const error = await client.get('/api/v1/pods?limit=1', 'list pods').then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(error?.message).toMatch(/^reading the response failed: not complete within 300 ms \(\d+ attempts over \d\.\d s\)$/);
      expect(error?.code).toBe('ETIMEDOUT');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await client.request('GET', '/api/v1/pods?limit=5', 'list pods', { items: (x) => x })).body).toEqual({ kind: 'PodList', items: [] });
    } finally {
      client.close();
      trickle.closeAllConnections();
      trickle.close();
    }
  });

  it('gives up when the budget is spent, saying how often and how long it tried; the rest of the outage fails fast', async () => {
    const port = await freePort();
    const { client } = openKubeClient({ kubeconfigPath: kubeconfigAt(port), env: {}, retryBaseDelayMs: 100, retryBudgetMs: 1_500 });
    try {
      const t0 = Date.now();
      const error = await client.get('/api/v1/pods', 'list pods').then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/^connection refused \((\d+) attempts over [01]\.\d s\)$/);
      expect(Date.now() - t0).toBeLessThan(2_500);
      // One outage, one budget: once the server has been down longer than the budget, a
      // further request tries exactly once instead of waiting out a budget of its own.
      await new Promise((r) => setTimeout(r, 1_600 - (Date.now() - t0)));
      const t2 = Date.now();
      const last = await client.get('/api/v1/nodes', 'list nodes').then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(last?.code).toBe('ECONNREFUSED');
      expect(last?.message).not.toMatch(/attempts/);
      expect(Date.now() - t2).toBeLessThan(500);
    } finally {
      client.close();
    }
  });
});

// A list page read with `items`: the items are parsed and mapped one by one as the (gzipped,
// trickling) body arrives; the list's other members are kept; an error answer is read whole.
describe('kube client reading a list page item by item', () => {
  const page = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'next' }, items: Array.from({ length: 300 }, (_, i) => ({ metadata: { name: `p${i}`, managedFields: [{ manager: 'x'.repeat(200) }] }, spec: { n: i } })) };
  let answer: { status: number; body: string; gzip: boolean } = { status: 200, body: '', gzip: false };
  let server: http.Server;
  let kubeconfig = '';

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      const bytes = answer.gzip ? zlib.gzipSync(answer.body) : Buffer.from(answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...(answer.gzip ? { 'Content-Encoding': 'gzip' } : {}) });
      // In small pieces, so items and their strings are split across chunks.
      let i = 0;
      const next = () => {
        if (i >= bytes.length) return res.end();
        res.write(bytes.subarray(i, i + 997));
        i += 997;
        setImmediate(next);
      };
      next();
    });
    kubeconfig = await kubeconfigFor(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  for (const gzip of [false, true]) {
    it(`maps each item as it arrives and keeps the list's metadata (${gzip ? 'gzip' : 'identity'})`, async () => {
      answer = { status: 200, body: JSON.stringify(page), gzip };
      const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {} }).client;
      const mapped: string[] = [];
      const r = await c.request('GET', '/api/v1/pods?limit=300', 'list pods', {
        items: (item) => {
          const name = (item as { metadata: { name: string } }).metadata.name;
          mapped.push(name);
          return name === 'p1' ? undefined : { name };
        },
      });
      c.close();
      expect(r.status).toBe(200);
      expect(mapped).toEqual(page.items.map((p) => p.metadata.name));
      const body = r.body as { kind: string; metadata: unknown; items: Array<{ name: string }> };
      expect(body.kind).toBe('PodList');
      expect(body.metadata).toEqual(page.metadata);
      // What the mapping dropped (undefined) is left out.
      expect(body.items.map((i) => i.name)).toEqual(page.items.map((p) => p.metadata.name).filter((n) => n !== 'p1'));
    });
  }

  it('reads an error answer whole, and refuses a 200 that is not JSON with one line', async () => {
    answer = { status: 403, body: JSON.stringify({ kind: 'Status', message: 'pods is forbidden' }), gzip: false };
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {}, retries: 0 }).client;
    const denied = await c.request('GET', '/api/v1/pods', 'list pods', { items: (i) => i });
    expect(denied).toMatchObject({ status: 403, body: { message: 'pods is forbidden' } });
    answer = { status: 200, body: `${JSON.stringify(page).slice(0, 5000)}}}]}`, gzip: true };
    await expect(c.request('GET', '/api/v1/pods', 'list pods', { items: (i) => i })).rejects.toThrow('reading the response failed: the body is not valid JSON (truncated?)');
    c.close();
  });
});

/** Writes `bytes` in pieces of `size` (each its own HTTP chunk, so its own 'data' on the client), then ends. */
function writeInPieces(res: http.ServerResponse, bytes: Buffer, size: number): void {
  let i = 0;
  const next = () => {
    while (i < bytes.length) {
      const ok = res.write(bytes.subarray(i, i + size));
      i += size;
      if (!ok) return void res.once('drain', next);
    }
    res.end();
  };
  next();
}

// A watch is one long answer of JSON lines, one event each, however many chunks carry a line.
// What no API server sends is not read on: an event or a list's object past 64 MiB, an error
// answer (a Status of a few hundred bytes) past 64 KiB.
describe('kube client reading a watch, and bodies past their limits', () => {
  let answer: (res: http.ServerResponse) => void = (res) => res.end();
  let server: http.Server;
  let kubeconfig = '';

  beforeAll(async () => {
    server = http.createServer((_req, res) => answer(res));
    kubeconfig = await kubeconfigFor(server);
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  const watch = async (events: unknown[]) => {
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {} }).client;
    try {
      return await c.watch('/api/v1/configmaps?watch=1', (e) => events.push(e), 10_000);
    } finally {
      c.close();
    }
  };
  const bookmark = { type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '7' } } };

  it('delivers a 3 MiB event sent in 1 KiB pieces whole, between the events around it', async () => {
    // Multi-byte characters, so pieces end inside a character too.
    const big = { type: 'MODIFIED', object: { metadata: { name: 'big', namespace: 'shop', resourceVersion: '8' }, data: { blob: 'ü✓ab'.repeat(3 * 1024 * 1024 / 7) } } };
    const deleted = { type: 'DELETED', object: { metadata: { name: 'old', namespace: 'shop', resourceVersion: '9' } } };
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      writeInPieces(res, Buffer.from([bookmark, big, deleted].map((e) => `${JSON.stringify(e)}\n`).join('')), 1024);
    };
    const events: unknown[] = [];
    expect((await watch(events)).status).toBe(200);
    expect(events).toEqual([bookmark, big, deleted]);
  });

  it('ends the watch with the error an event handler throws, and hands it no further events', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify(bookmark)}\n${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
    };
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {} }).client;
    const events: unknown[] = [];
    try {
      const error = await c.watch('/api/v1/configmaps?watch=1', (e) => {
        events.push(e);
        throw new Error('the handler failed');
      }, 10_000).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ message: 'the handler failed' });
    } finally {
      c.close();
    }
    expect(events).toEqual([bookmark]);
  });

  it('ends the watch when an event is not JSON, also in the last piece of the answer', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify(bookmark)}\n{"type":"ADDED","object":{"metadata":\n`);
    };
    const events: unknown[] = [];
    const error = await watch(events).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'EBODY', message: 'a watch event is not valid JSON' });
    expect(events).toEqual([bookmark]);
  });

  it('ends the watch when an event runs past 64 MiB, saying so in one line', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify(bookmark)}\n`);
      void writeEndlessLine(res, '{"type":"ADDED","object":{"metadata":{"name":"huge"},"data":{"blob":"');
    };
    const events: unknown[] = [];
    const error = await watch(events).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'ETOOLARGE', message: 'a watch event is longer than 64 MiB, more than any object an API server stores (a broken stream?)' });
    expect(events).toEqual([bookmark]);
  });

  it('reads a refused watch\'s Status, and answers an error whose body runs past 64 KiB by its status alone, without waiting for the rest', async () => {
    answer = (res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'configmaps is forbidden' }));
    };
    expect(await watch([])).toEqual({ status: 403, body: { kind: 'Status', code: 403, message: 'configmaps is forbidden' } });
    // A proxy's error page that never ends.
    let page: Promise<string> = Promise.resolve('');
    answer = (res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      page = writeEndlessLine(res, '<html><body>Bad Gateway');
    };
    expect(await watch([])).toEqual({ status: 502, body: undefined });
    expect(await page).toBe('hung up');
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {}, retries: 0 }).client;
    try {
      expect(await c.get('/api/v1/configmaps?limit=500', 'list configmaps')).toMatchObject({ status: 502, body: undefined });
    } finally {
      c.close();
    }
    expect(await page).toBe('hung up');
  });

  it('refuses a list page whose object runs past 64 MiB, saying so in one line', async () => {
    let page: Promise<string> = Promise.resolve('');
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      page = writeEndlessLine(res, '{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"huge"},"spec":{"blob":"');
    };
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {}, retries: 0 }).client;
    const names: unknown[] = [];
    try {
      const error = await c.request('GET', '/api/v1/pods?limit=500', 'list pods', { items: (i) => names.push((i as { metadata: { name: string } }).metadata.name) }).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'ETOOLARGE', message: 'reading the response failed: an object in the list is longer than 64 MiB, more than any object an API server stores (a broken stream?)' });
    } finally {
      c.close();
    }
    expect(names).toEqual(['a']);
    expect(await page).toBe('hung up');
  });

  it('refuses a gzip answer past 64 MiB once inflated, naming the path, a list page read whole too (lists are read item by item)', async () => {
    // 65 MiB of JSON, some 65 KiB on the wire.
    const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('{"gitVersion":"v1","pad":"'), Buffer.alloc(65 * 1024 * 1024, 'a'), Buffer.from('"}')]));
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    };
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {}, retries: 0 }).client;
    try {
      await expect(c.get('/version', 'get /version')).rejects.toMatchObject({ code: 'ETOOLARGE', message: 'reading the response failed: the answer to /version is longer than 64 MiB, more than any object an API server stores (a broken stream?)' });
      await expect(c.get('/api/v1/namespaces/ztaudit/configmaps?labelSelector=a&limit=500', 'list configmaps')).rejects.toMatchObject({ code: 'ETOOLARGE', message: 'reading the response failed: the answer to /api/v1/namespaces/ztaudit/configmaps is longer than 64 MiB, more than any object an API server stores (a broken stream?)' });
    } finally {
      c.close();
    }
  });

  it('keeps the server\'s error message on one line, its line breaks and control characters escaped', async () => {
    answer = (res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'denied by webhook\nwarning: all kinds watched again\u001b[2J' }));
    };
    const c = openKubeClient({ kubeconfigPath: kubeconfig, env: {} }).client;
    try {
      expect(statusMessage(await c.get('/api/v1/pods?limit=500', 'list pods'))).toBe('HTTP 403: denied by webhook\\u000awarning: all kinds watched again\\u001b[2J');
    } finally {
      c.close();
    }
  });
});
