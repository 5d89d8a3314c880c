// An HTTPS reverse proxy in front of the test apiserver that records every request it
// forwards and can inject faults (429, 5xx, a 200 body cut off or corrupted). It presents the apiserver's own serving
// certificate, so a kubeconfig trusting the apiserver trusts the proxy: what the collector
// sends is observed on the wire, not through a hook inside the code under test.

import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tokenKubeconfig, type LiveCluster } from './env.ts';

export interface Fault {
  /** Matches the request path (with query). */
  match: RegExp;
  /** How many matching requests get the fault (Infinity = all). */
  times: number;
  status: number;
  headers?: Record<string, string>;
  /**
   * Instead of an error status, the apiserver's own 200 answer, damaged: 'truncate' sends its
   * first half and then closes the connection; 'corrupt' sends it whole with the ',' between
   * two items in the middle turned into a stray '}' (a complete response that is not JSON).
   */
  body?: 'truncate' | 'corrupt';
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

export interface RecordingProxy {
  server: string;
  requests: RecordedRequest[];
  /** Adds a fault while the proxy runs (e.g. 429s for one kind, for the next N requests). */
  inject(fault: Fault): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /**
   * Awaited before a request without a fault is forwarded: the request waits at the proxy, the
   * collector between two requests, while the test changes the cluster (compacts etcd, say).
   */
  beforeForward?: (method: string, path: string) => Promise<void> | void;
}

export async function startRecordingProxy(cluster: Pick<LiveCluster, 'server' | 'caPem' | 'servingCertFile' | 'servingKeyFile'>, faults: Fault[] = [], options: ProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(cluster.server);
  const agent = new https.Agent({ keepAlive: true, ca: cluster.caPem });
  const requests: RecordedRequest[] = [];
  const remaining = faults.map((f) => ({ ...f }));
  const srv = https.createServer({ cert: fs.readFileSync(cluster.servingCertFile), key: fs.readFileSync(cluster.servingKeyFile) }, (req, res) => {
    const p = req.url ?? '/';
    const fault = remaining.find((f) => f.times > 0 && f.match.test(p));
    if (fault?.body) {
      fault.times--;
      const damage = fault.body;
      const up = https.request({
        protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, path: p, method: req.method,
        headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' }, agent,
      }, (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          requests.push({ method: req.method ?? '', path: p, status: upRes.statusCode ?? 0, at: Date.now() });
          const half = body.indexOf('"items":[') + Math.floor((body.length - body.indexOf('"items":[')) / 2);
          // Between two items (outside any string), so the text is certainly not JSON.
          const between = body.indexOf('},{"metadata":', half) + 1;
          if (damage === 'truncate') {
            res.writeHead(upRes.statusCode ?? 502, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
            res.write(body.subarray(0, half));
            setTimeout(() => res.destroy(), 50);
          } else {
            body[between > 0 ? between : half] = 0x7d;
            res.writeHead(upRes.statusCode ?? 502, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
            res.end(body);
          }
        });
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(up);
      return;
    }
    if (fault) {
      fault.times--;
      requests.push({ method: req.method ?? '', path: p, status: fault.status, at: Date.now() });
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `injected ${fault.status}`, code: fault.status }));
      return;
    }
    const forward = () => {
      const up = https.request({
        protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, path: p, method: req.method,
        headers: { ...req.headers, host: upstream.host }, agent,
      }, (upRes) => {
        requests.push({ method: req.method ?? '', path: p, status: upRes.statusCode ?? 0, at: Date.now() });
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(up);
    };
    if (!options.beforeForward) return forward();
    Promise.resolve(options.beforeForward(req.method ?? '', p)).then(forward, (e: unknown) => {
      res.writeHead(502);
      res.end(`test proxy: ${String(e)}`);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    server: `https://127.0.0.1:${port}`,
    requests,
    inject: (fault) => { remaining.push({ ...fault }); },
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

/**
 * Runs `body` against a recording proxy (with `faults`) in front of the apiserver, given an
 * admin kubeconfig that points at the proxy; the proxy is closed afterwards, whatever happens.
 */
export async function withRecordingProxy<T>(cluster: LiveCluster, faults: Fault[], body: (proxy: RecordingProxy, kubeconfigPath: string) => Promise<T>): Promise<T> {
  const proxy = await startRecordingProxy(cluster, faults);
  try {
    return await body(proxy, tokenKubeconfig(proxy.server, cluster.caPem, cluster.adminToken));
  } finally {
    await proxy.close();
  }
}
