// A local stand-in for the parts of the Slack Web API ztaudit calls: chat.postMessage,
// files.getUploadURLExternal, the upload URL it hands out, files.completeUploadExternal.
// It records every request so tests can assert the exact payloads.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  authorization: string | undefined;
  contentType: string;
  /** Form fields (url-encoded bodies) with JSON fields decoded; raw text otherwise. */
  fields: Record<string, unknown>;
  raw: Buffer;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: RecordedCall[];
  /** Respond 429 (Retry-After: seconds) to the next N calls of a method. */
  rateLimit(method: string, times: number, retryAfterSeconds: number): void;
  /** Respond with an HTTP status to the next N calls of a method. */
  failHttp(method: string, times: number, status: number): void;
  /** Respond {ok:false, error} to every call of a method. */
  platformError(method: string, error: string): void;
  /** Never answer calls of a method (the request stays open until close()). */
  stall(method: string): void;
  /** Answer calls of a method (having done what they ask) only after `ms`; only those `when` picks, when given. */
  slow(method: string, ms: number, when?: (fields: Record<string, unknown>) => boolean): void;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'files', 'attachments']);

function decodeForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (JSON_FIELDS.has(k)) {
      try { out[k] = JSON.parse(v); continue; } catch { /* keep raw */ }
    }
    out[k] = v;
  }
  return out;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Over HTTPS when given a key and certificate, else plain HTTP; on `host` (default 127.0.0.1). */
export async function startFakeSlack(tls?: { key: Buffer; cert: Buffer }, host = '127.0.0.1'): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const limited = new Map<string, { times: number; after: number }>();
  const httpFail = new Map<string, { times: number; status: number }>();
  const platform = new Map<string, string>();
  const stalled = new Set<string>();
  const slowed = new Map<string, { ms: number; when?: (fields: Record<string, unknown>) => boolean }>();
  let messages = 0;
  let base = '';
  const handle: RequestListener = async (req, res) => {
    const raw = await bodyOf(req);
    const path = (req.url ?? '').split('?')[0];
    const contentType = String(req.headers['content-type'] ?? '');
    const fields = contentType.startsWith('application/x-www-form-urlencoded') ? decodeForm(raw.toString('utf8')) : {};
    calls.push({ path, authorization: req.headers.authorization, contentType, fields, raw, at: performance.now() });
    const method = path.replace(/^\/api\//, '');
    if (stalled.has(method)) return;
    const rl = limited.get(method);
    if (rl && rl.times > 0) {
      rl.times--;
      res.writeHead(429, { 'retry-after': String(rl.after), 'content-type': 'application/json' }).end('{"ok":false,"error":"ratelimited"}');
      return;
    }
    const hf = httpFail.get(method);
    if (hf && hf.times > 0) {
      hf.times--;
      res.writeHead(hf.status, { 'content-type': 'text/plain' }).end('upstream trouble');
      return;
    }
    const slowing = slowed.get(method);
    const delay = slowing && (!slowing.when || slowing.when(fields)) ? slowing.ms : 0;
    const json = (body: unknown) => {
      const answer = () => { if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)); };
      if (delay > 0) setTimeout(answer, delay); else answer();
    };
    if (platform.has(method)) return json({ ok: false, error: platform.get(method) });
    if (method === 'chat.postMessage') {
      messages++;
      return json({ ok: true, channel: 'C0REPORTS', ts: `1764122400.00010${messages}`, message: {} });
    }
    // On the host the client asked for, as files.slack.com is reached the way slack.com was.
    const host = req.headers.host ? `${base.split('://')[0]}://${req.headers.host}` : base;
    if (method === 'files.getUploadURLExternal') return json({ ok: true, upload_url: `${host}/upload/F0REPORT`, file_id: 'F0REPORT' });
    if (path === '/upload/F0REPORT') return res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - 1');
    if (method === 'files.completeUploadExternal') return json({ ok: true, files: [{ id: 'F0REPORT', title: 'report' }] });
    res.writeHead(404).end();
  };
  const server: Server = tls ? createTlsServer(tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  base = `${tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    apiUrl: `${base}/api/`,
    calls,
    rateLimit: (m, times, after) => { limited.set(m, { times, after }); },
    failHttp: (m, times, status) => { httpFail.set(m, { times, status }); },
    platformError: (m, e) => { platform.set(m, e); },
    stall: (m) => { stalled.add(m); },
    slow: (m, ms, when) => { slowed.set(m, { ms, ...(when ? { when } : {}) }); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
