import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyHandshakeError, probeEndpoints } from '../../../src/collect/tls-probe.ts';
import { probeTargets } from '../../../src/analysis/tls/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';

let dir: string;
let key: Buffer;
let cert: Buffer;
const servers: tls.Server[] = [];
const ports: Record<string, number> = {};

function listen(name: string, opts: tls.TlsOptions): Promise<void> {
  const server = tls.createServer({ key, cert, ...opts }, (s) => s.end('ok'));
  server.on('tlsClientError', () => {});
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    ports[name] = (server.address() as net.AddressInfo).port;
    resolve();
  }));
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '20', '-subj', '/CN=probe.test', '-addext', 'subjectAltName=DNS:probe.test,DNS:*.apps.probe.test'], { stdio: 'ignore' });
  key = readFileSync(join(dir, 'key.pem'));
  cert = readFileSync(join(dir, 'cert.pem'));
  await listen('modern', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  await listen('tls13', { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  // TLS 1.0 with an ECDHE suite: its handshake signature is MD5+SHA1, refused above security level 0.
  await listen('tls10ecdhe', { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' });
  await listen('upto11', { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT:@SECLEVEL=0' });
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const ep = (name: string, sni = 'probe.test') => ({ host: '127.0.0.1', port: ports[name], sni, origin: `config` });

describe('probeEndpoints against real TLS servers on loopback', () => {
  it('records accepted/rejected per version and the certificate', async () => {
    const [modern, tls13, legacy, upto11] = await probeEndpoints([ep('modern'), ep('tls13'), ep('tls10ecdhe'), ep('upto11')], { timeoutMs: 3000, concurrency: 2, now: new Date() });
    expect(modern.versions).toEqual({ 'TLSv1': 'rejected', 'TLSv1.1': 'rejected', 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' });
    expect(modern.error).toBeUndefined();
    expect(modern.certificate).toMatchObject({ subject: 'probe.test', hostnameMatches: true });
    expect(modern.certificate!.altNames).toEqual(['probe.test', '*.apps.probe.test']);
    const daysLeft = (Date.parse(modern.certificate!.notAfter) - Date.now()) / 86_400_000;
    expect(daysLeft).toBeGreaterThan(18);
    expect(daysLeft).toBeLessThan(21);
    expect(tls13.versions).toEqual({ 'TLSv1': 'rejected', 'TLSv1.1': 'rejected', 'TLSv1.2': 'rejected', 'TLSv1.3': 'accepted' });
    // Reference test case 8: a TLS 1.0 + ECDHE server must be reported as accepting TLS 1.0.
    expect(legacy.versions.TLSv1).toBe('accepted');
    expect(legacy.versions['TLSv1.2']).toBe('rejected');
    expect(legacy.certificate?.hostnameMatches).toBe(true);
    expect(upto11.versions).toEqual({ 'TLSv1': 'rejected', 'TLSv1.1': 'accepted', 'TLSv1.2': 'accepted', 'TLSv1.3': 'rejected' });
  });

  it('the ECDHE TLS 1.0 server is exactly the case a default-security-level client misreads', async () => {
    const code = await new Promise<string | undefined>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: ports.tls10ecdhe, servername: 'probe.test', minVersion: 'TLSv1', maxVersion: 'TLSv1', rejectUnauthorized: false });
      s.once('secureConnect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    expect(code).not.toBe('connected');
  });

  it('checks the host name against the certificate (wildcards cover one label)', async () => {
    const [ok, wild, deep, wrong] = await probeEndpoints(
      [ep('modern', 'probe.test'), ep('modern', 'a.apps.probe.test'), ep('modern', 'x.a.apps.probe.test'), ep('modern', 'other.example')],
      { timeoutMs: 3000, concurrency: 4 },
    );
    expect([ok, wild, deep, wrong].map((r) => r.certificate?.hostnameMatches)).toEqual([true, true, false, false]);
  });

  it('an unreachable port is a recorded result with an error, never a throw', async () => {
    const port = await closedPort();
    const [r] = await probeEndpoints([{ host: '127.0.0.1', port, origin: 'config' }], { timeoutMs: 2000, concurrency: 1 });
    expect(r.error).toMatch(/ECONNREFUSED/);
    expect(Object.values(r.versions)).toEqual(['inconclusive', 'inconclusive', 'inconclusive', 'inconclusive']);
    expect(r.certificate).toBeUndefined();
  });

  it('a silent server times out per handshake and stays inconclusive', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const t = Date.now();
    const [r] = await probeEndpoints([{ host: '127.0.0.1', port, origin: 'config' }], { timeoutMs: 300, concurrency: 1 });
    silent.close();
    expect(Date.now() - t).toBeLessThan(2000);
    expect(r.error).toMatch(/unreachable: no answer within 300 ms/);
    expect(r.versions.TLSv1).toBe('inconclusive');
  });

  it('bounds concurrency and keeps input order', async () => {
    // A server that never answers: each endpoint costs exactly one timed-out handshake.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const eps = Array.from({ length: 8 }, (_, i) => ({ host: '127.0.0.1', port, sni: `h${i}.probe.test`, origin: 'config' }));
    const t = Date.now();
    const results = await probeEndpoints(eps, { timeoutMs: 250, concurrency: 3 });
    const elapsed = Date.now() - t;
    silent.close();
    expect(results.map((r) => r.endpoint.sni)).toEqual(eps.map((e) => e.sni));
    // 8 endpoints, 3 at a time: three rounds (not one, as unbounded; not eight, as sequential).
    expect(elapsed).toBeGreaterThanOrEqual(3 * 250 - 20);
    expect(elapsed).toBeLessThan(8 * 250);
    expect(results.every((r) => r.error !== undefined)).toBe(true);
  });
});

describe('handshake error classification', () => {
  it('only a protocol_version refusal is "rejected"', () => {
    expect(classifyHandshakeError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')).toBe('rejected');
    expect(classifyHandshakeError('ERR_SSL_UNSUPPORTED_PROTOCOL')).toBe('rejected');
    expect(classifyHandshakeError('ERR_SSL_NO_PROTOCOLS_AVAILABLE')).toBe('inconclusive');
    expect(classifyHandshakeError('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE')).toBe('inconclusive');
    expect(classifyHandshakeError('ECONNRESET')).toBe('inconclusive');
    expect(classifyHandshakeError(undefined)).toBe('inconclusive');
  });
});

describe('probeTargets', () => {
  it('probes TLS hosts of Ingresses at their LB addresses, LoadBalancer Services on 443/8443, and configured endpoints; never an Ingress host without an address', () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' },
        spec: { tls: [{ hosts: ['*.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'plain.other.org' }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.net' }] } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'nolb', namespace: 'shop' },
        spec: { tls: [{ hosts: ['b.example.com'] }], rules: [{ host: 'b.example.com' }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'edge', namespace: 'gw' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }, { port: 8443 }] }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.2' }] } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'internal', namespace: 'gw' }, spec: { type: 'ClusterIP', ports: [{ port: 443 }] } },
    ]);
    const config = defaultConfig();
    config.tls.probe.endpoints = [{ host: 'api.example.com', port: 443 }];
    const plan = probeTargets(snapshot, config);
    expect(plan.targets).toEqual([
      { host: '203.0.113.7', port: 443, sni: 'a.example.com', origin: 'Ingress/shop/web' },
      { host: 'lb.example.net', port: 443, sni: 'a.example.com', origin: 'Ingress/shop/web' },
      { host: '198.51.100.2', port: 443, origin: 'Service/gw/edge' },
      { host: '198.51.100.2', port: 8443, origin: 'Service/gw/edge' },
      { host: 'api.example.com', port: 443, origin: 'config' },
    ]);
    // b.example.com is only what the Ingress's author wrote: connecting to it would go wherever it resolves.
    expect(plan.notes).toEqual([
      "TLS probe: 1 host(s) of 1 Ingress(es) without a load-balancer address in their status not probed (Ingress/shop/nolb): a host name alone is the Ingress author's to choose; list the endpoint in tls.probe.endpoints to probe it",
    ]);
  });

  it('probes at most tls.probe.maxTargets endpoints found in the cluster, taken in turn per namespace, and says how many were left out; configured endpoints always', () => {
    const ingress = (ns: string, name: string, hosts: string[]) => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: ns, name },
      spec: { tls: [{ hosts }], rules: hosts.map((host) => ({ host })) }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    });
    const flood = Array.from({ length: 5000 }, (_, i) => `h${i}.tenant.example`);
    const snapshot = snapshotFromObjects([
      ingress('a-tenant', 'flood', flood),
      ingress('shop', 'web', ['shop.example.com', 'api.shop.example.com']),
      ingress('blog', 'web', ['blog.example.com']),
    ]);
    const config = defaultConfig();
    config.tls.probe.maxTargets = 6;
    config.tls.probe.endpoints = [{ host: 'vpn.example.com', port: 443 }];
    const plan = probeTargets(snapshot, config);
    expect(plan.targets.map((t) => `${t.origin} ${t.sni ?? t.host}`)).toEqual([
      'Ingress/a-tenant/flood h0.tenant.example', 'Ingress/a-tenant/flood h1.tenant.example', 'Ingress/a-tenant/flood h2.tenant.example',
      'Ingress/shop/web shop.example.com', 'Ingress/shop/web api.shop.example.com',
      'Ingress/blog/web blog.example.com',
      'config vpn.example.com',
    ]);
    expect(plan.notes).toEqual(['TLS probe: 4997 of 5003 endpoint(s) found in the cluster not probed: tls.probe.maxTargets is 6 (taken in turn from each namespace)']);
    expect(probeTargets(snapshot, defaultConfig()).targets).toHaveLength(200);
  });
});
