import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipOrFail } from '../../helpers/ci.ts';
import { classifyHandshakeError, isBlockedProbeAddress, isBlockedProbeName, probeEndpoints, probeExposed, type Resolver } from '../../../src/collect/tls-probe.ts';
import { probeTargets } from '../../../src/analysis/tls/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { Logger } from '../../../src/base/log.ts';
import { loadSource } from '../../../src/cli/source.ts';

let dir: string;
let key: Buffer;
let cert: Buffer;
const servers: tls.Server[] = [];
const ports: Record<string, number> = {};

/** This machine's own address on a real interface (not loopback): a found target may be probed there. */
const ownAddress = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;

function listen(name: string, opts: tls.TlsOptions, host = '127.0.0.1'): Promise<void> {
  const server = tls.createServer({ key, cert, ...opts }, (s) => s.end('ok'));
  server.on('tlsClientError', () => {});
  servers.push(server);
  return new Promise((resolve) => server.listen(0, host, () => {
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
  if (ownAddress) await listen('own', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }, ownAddress);
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

  // Istio routes a PASSTHROUGH server's connections by SNI alone (istio/api networking/v1alpha3
  // gateway.proto, ServerTLSSettings PASSTHROUGH: "the proxy will use the SNI value presented by the
  // client"; its hosts become the filter chain's server_names), so a probe without SNI never reaches
  // the backend: each host is probed as SNI at the gateway Service's load-balancer address.
  it('probes each host of an Istio PASSTHROUGH server as SNI at the address of the LoadBalancer Service selecting the gateway pods; never a wildcard', () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'passthrough', namespace: 'edge' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [
          { port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['legacy.example.com', 'edge/other.example.com', '*.wild.example.com'], tls: { mode: 'PASSTHROUGH' } },
          { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['simple.example.com'], tls: { mode: 'SIMPLE', credentialName: 'c' } },
        ] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
        spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway', app: 'istio-ingressgateway' }, ports: [{ name: 'https', port: 443, targetPort: 8443 }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other-lb', namespace: 'istio-system' },
        spec: { type: 'LoadBalancer', selector: { istio: 'eastwestgateway' }, ports: [{ port: 443 }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.99' }] } } },
    ]);
    const plan = probeTargets(snapshot, defaultConfig());
    expect(plan.targets.filter((t) => t.sni)).toEqual([
      { host: '203.0.113.10', port: 443, sni: 'legacy.example.com', origin: 'Gateway.networking.istio.io/edge/passthrough' },
      { host: '203.0.113.10', port: 443, sni: 'other.example.com', origin: 'Gateway.networking.istio.io/edge/passthrough' },
    ]);
  });

  // A Gateway API listener with tls.mode Passthrough leaves TLS to the backend
  // (https://gateway-api.sigs.k8s.io/reference/spec/#tlsmodetype) and is matched by SNI: its
  // hostname is probed as SNI at each address of the Gateway's status.addresses.
  it('probes a Gateway API Passthrough listener\'s hostname as SNI at the Gateway\'s status addresses; never a wildcard or a terminating listener', () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'shop' },
        spec: { gatewayClassName: 'eg', listeners: [
          { name: 'tls', port: 8443, protocol: 'TLS', hostname: 'shop.example.com', tls: { mode: 'Passthrough' } },
          { name: 'wild', port: 443, protocol: 'TLS', hostname: '*.example.com', tls: { mode: 'Passthrough' } },
          { name: 'term', port: 443, protocol: 'TLS', hostname: 'term.example.com', tls: { certificateRefs: [{ name: 'c' }] } },
        ] },
        status: { addresses: [{ type: 'IPAddress', value: '203.0.113.30' }, { type: 'Hostname', value: 'gw.example.net' }] } },
    ]);
    expect(probeTargets(snapshot, defaultConfig()).targets.filter((t) => t.sni)).toEqual([
      { host: '203.0.113.30', port: 8443, sni: 'shop.example.com', origin: 'Gateway.gateway.networking.k8s.io/shop/web' },
      { host: 'gw.example.net', port: 8443, sni: 'shop.example.com', origin: 'Gateway.gateway.networking.k8s.io/shop/web' },
    ]);
  });

  // A ListenerSet's listeners "are bound on this referenced parent Gateway's addresses" (gateway-api
  // apis/v1/listenerset_types.go ListenerSetSpec.Listeners; https://gateway-api.sigs.k8s.io/api-types/listenerset/):
  // a Passthrough one of a ListenerSet the Gateway allows is probed there, named after the ListenerSet.
  it('probes a Passthrough listener a ListenerSet adds to the Gateway (allowedListeners admitting it) at the Gateway\'s addresses', () => {
    const gateway = (allowedListeners?: unknown) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'shop' },
      spec: { gatewayClassName: 'eg', ...(allowedListeners ? { allowedListeners } : {}), listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'c' }] } }] },
      status: { addresses: [{ type: 'IPAddress', value: '203.0.113.30' }] } });
    const listenerSet = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ListenerSet', metadata: { name: 'db', namespace: 'shop' },
      spec: { parentRef: { name: 'web' }, listeners: [{ name: 'pg', port: 5432, protocol: 'TLS', hostname: 'db.example.com', tls: { mode: 'Passthrough' } }] } };
    expect(probeTargets(snapshotFromObjects([gateway({ namespaces: { from: 'Same' } }), listenerSet]), defaultConfig()).targets.filter((t) => t.sni)).toEqual([
      { host: '203.0.113.30', port: 5432, sni: 'db.example.com', origin: 'ListenerSet.gateway.networking.k8s.io/shop/db' },
    ]);
    expect(probeTargets(snapshotFromObjects([gateway(), listenerSet]), defaultConfig()).targets.filter((t) => t.sni)).toEqual([]);
  });

  // A Gateway server's httpsRedirect "If set to true, the load balancer will send a 301 redirect for
  // all http connections" (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings):
  // on a plain-HTTP port (protocol HTTP/HTTP2) no TLS handshake is answered, so it is no passthrough target.
  it('never probes an Istio plain-HTTP server (tls holding only httpsRedirect, or protocol HTTP/HTTP2) as a TLS passthrough', () => {
    const snapshot = snapshotFromObjects([
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-ingress' },
        spec: { selector: { istio: 'ingressgateway' }, servers: [
          { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } },
          { port: { number: 8080, name: 'http2', protocol: 'HTTP2' }, hosts: ['h2.example.com'], tls: { httpsRedirect: true, mode: 'PASSTHROUGH' } },
          { port: { number: 8081, name: 'redirect', protocol: 'TCP' }, hosts: ['tcp.example.com'], tls: { httpsRedirect: true } },
          { port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['pass.example.com'], tls: { mode: 'PASSTHROUGH' } },
        ] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway', namespace: 'istio-ingress' },
        spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway' }, ports: [{ name: 'http2', port: 80, targetPort: 8080 }, { port: 8080 }, { port: 8081 }, { name: 'https', port: 443, targetPort: 8443 }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }] } } },
    ]);
    expect(probeTargets(snapshot, defaultConfig()).targets.filter((t) => t.sni)).toEqual([
      { host: '203.0.113.20', port: 443, sni: 'pass.example.com', origin: 'Gateway.networking.istio.io/istio-ingress/public' },
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

describe('what a found target may point the probe at', () => {
  it('never loopback, "this host", link-local or a cloud metadata service, in any spelling', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '0.0.0.0', '169.254.169.254', '169.254.1.1', '100.100.100.200', '168.63.129.16',
      '::1', '::', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fd00:ec2::254', 'not-an-address']) {
      expect(isBlockedProbeAddress(a), a).toBe(true);
    }
    for (const a of ['10.0.0.1', '192.168.1.10', '203.0.113.7', '100.64.0.1', '2001:db8::1', 'fd00::2', 'fec0::1']) expect(isBlockedProbeAddress(a), a).toBe(false);
    for (const n of ['localhost', 'LOCALHOST.', 'api.localhost', 'metadata', 'metadata.google.internal', 'Metadata.Google.Internal.', 'metadata.goog']) {
      expect(isBlockedProbeName(n), n).toBe(true);
    }
    for (const n of ['shop.example.com', 'localhost.example.com', 'metadata.example.com', 'lb.elb.amazonaws.com']) expect(isBlockedProbeName(n), n).toBe(false);
  });
});

describe('probeExposed', () => {
  const quick = { timeoutMs: 2000, concurrency: 4, deadlineSeconds: 30 };
  function fakeDns(answers: Record<string, string[]>): Resolver & { asked: string[] } {
    const asked: string[] = [];
    return Object.assign(async (host: string) => {
      asked.push(host);
      const a = answers[host];
      if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return a;
    }, { asked });
  }

  it('leaves out found targets at loopback, link-local or metadata addresses, or names resolving only there, with a note; probes the operator\'s own endpoints as given', async () => {
    const dns = fakeDns({ 'evil.example': ['127.0.0.1', '169.254.169.254'], 'metadata.example': ['fd00:ec2::254'] });
    const targets = [
      { host: '127.0.0.1', port: ports.modern!, sni: 'probe.test', origin: 'Ingress/t/loop' },
      { host: 'localhost', port: ports.modern!, sni: 'probe.test', origin: 'Ingress/t/name' },
      { host: '169.254.169.254', port: 443, sni: 'probe.test', origin: 'Service/t/imds' },
      { host: 'evil.example', port: ports.modern!, sni: 'probe.test', origin: 'Ingress/t/evil' },
      { host: 'metadata.example', port: 443, origin: 'Service/t/v6' },
      { host: 'gone.example', port: 443, sni: 'probe.test', origin: 'Ingress/t/gone' },
      { host: '127.0.0.1', port: ports.modern!, sni: 'probe.test', origin: 'config' },
    ];
    const r = await probeExposed(targets, { ...quick, resolve: dns });
    expect(dns.asked.sort()).toEqual(['evil.example', 'gone.example', 'metadata.example']); // localhost never looked up
    expect(r.probes.map((p) => p.endpoint.origin)).toEqual(['Ingress/t/gone', 'config']);
    expect(r.probes[0]!.error).toBe('unreachable: ENOTFOUND: getaddrinfo ENOTFOUND gone.example');
    expect(r.probes[1]!.versions['TLSv1.3']).toBe('accepted');
    expect(r.notes).toEqual(["TLS probe: 5 endpoint(s) not probed: loopback, link-local or cloud metadata addresses are never probed for what the cluster's users name (Ingress/t/loop: 127.0.0.1; Ingress/t/name: localhost; Service/t/imds: 169.254.169.254; …)"]);
    expect(r.partial).toEqual([]);
  });

  it('resolves a found name once and connects to the addresses screened, never looking it up again', async (ctx) => {
    // Loopback is screened out, so the probe needs an address of this machine's own; in CI none may skip.
    if (!ownAddress) {
      skipOrFail('TLS probe at a screened address', 'this machine has no non-loopback IPv4 address');
      ctx.skip();
    }
    // probe-lb.invalid is in no DNS: the handshake succeeds only at the address the screening kept.
    const dns = fakeDns({ 'probe-lb.invalid': ['169.254.169.254', ownAddress!] });
    const r = await probeExposed([{ host: 'probe-lb.invalid', port: ports.own!, sni: 'probe.test', origin: 'Ingress/t/lb' }], { ...quick, resolve: dns });
    expect(dns.asked).toEqual(['probe-lb.invalid']);
    expect(r.probes).toHaveLength(1);
    expect(r.probes[0]!.versions).toMatchObject({ 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' });
    expect(r.probes[0]!.certificate?.hostnameMatches).toBe(true);
  });

  it('stops at its deadline: what finished is kept, the rest makes the run partial', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const targets = [
      { host: '127.0.0.1', port: ports.modern!, sni: 'probe.test', origin: 'config' },
      ...Array.from({ length: 5 }, (_, i) => ({ host: '127.0.0.1', port, sni: `s${i}.probe.test`, origin: 'config' })),
    ];
    const t = Date.now();
    const r = await probeExposed(targets, { timeoutMs: 10_000, concurrency: 2, deadlineSeconds: 1 });
    silent.close();
    expect(Date.now() - t).toBeLessThan(2500);
    expect(r.probes.map((p) => p.endpoint.sni)).toEqual(['probe.test']);
    expect(r.partial).toEqual(['TLS probes: 5 of 6 endpoint(s) not probed within tls.probe.deadlineSeconds (1 s)']);
  });

  it('the run\'s abort signal closes the handshakes in flight and rejects at once', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('ztaudit is shutting down')), 200);
    const t = Date.now();
    await expect(probeExposed(Array.from({ length: 4 }, () => ({ host: '127.0.0.1', port, origin: 'config' })), { timeoutMs: 10_000, concurrency: 4, deadlineSeconds: 60, signal: abort.signal }))
      .rejects.toThrow('ztaudit is shutting down');
    silent.close();
    expect(Date.now() - t).toBeLessThan(1500);
  });
});

describe('loadSource with tls.probe.enabled', () => {
  const quiet: Logger = { info: () => {}, warn: () => {}, progress: () => {} };
  function manifests(): string {
    const d = mkdtempSync(join(tmpdir(), 'ztaudit-probe-src-'));
    writeFileSync(join(d, 'ing.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: nolb, namespace: shop}\nspec:\n  tls: [{hosts: [vault.vault.svc.cluster.local]}]\n  rules: [{host: vault.vault.svc.cluster.local}]\n');
    return d;
  }

  it('records the probes, the notes on what was left out and the deadline\'s partial line in the snapshot', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const config = defaultConfig();
    config.tls.probe = {
      ...config.tls.probe, enabled: true, timeoutMs: 10_000, deadlineSeconds: 1,
      endpoints: [{ host: '127.0.0.1', port: ports.modern!, sni: 'probe.test' }, { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }],
    };
    const snapshot = await loadSource({ manifests: [manifests()] }, quiet, { config });
    silent.close();
    expect(snapshot.probes?.map((p) => p.endpoint.sni)).toEqual(['probe.test']);
    expect(snapshot.notes).toContainEqual(expect.stringMatching(/^TLS probe: 1 host\(s\) of 1 Ingress\(es\) without a load-balancer address/));
    expect(snapshot.partial).toEqual(['TLS probes: 1 of 2 endpoint(s) not probed within tls.probe.deadlineSeconds (1 s)']);
  });

  it('passes the run\'s abort signal to the probes (serve at shutdown)', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const config = defaultConfig();
    config.tls.probe = { ...config.tls.probe, enabled: true, endpoints: [{ host: '127.0.0.1', port }], timeoutMs: 10_000 };
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('ztaudit is shutting down')), 200);
    const t = Date.now();
    await expect(loadSource({ manifests: [manifests()] }, quiet, { config, signal: abort.signal })).rejects.toThrow('ztaudit is shutting down');
    silent.close();
    expect(Date.now() - t).toBeLessThan(1500);
  });
});
