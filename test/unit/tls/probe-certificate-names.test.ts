// The probe judges a served certificate's names as clients that follow RFC 9525 do
// (https://www.rfc-editor.org/rfc/rfc9525#section-6.3: DNS-IDs only, section 1.2 dropping the
// CN-ID; a wildcard only as the whole left-most label) and Go's crypto/x509 VerifyHostname, which
// ignores the Common Name ("x509: certificate relies on legacy Common Name field, use SANs
// instead"). Before, it asked Node's tls.checkServerIdentity, which takes a CN when there is no DNS
// SAN and partial wildcards such as a*.example.test, and the snapshot recorded hostnameMatches true
// for certificates Go clients and browsers refuse. Real TLS servers on loopback, as probe.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeEndpoints, subjectAltNames } from '../../../src/collect/tls-probe.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { CHECKS } from '../../../checks/index.ts';
import { certificateHostnameMismatch } from '../../../checks/tls/certificate-hostname-mismatch.ts';
import type { TlsProbeResult } from '../../../src/snapshot/types.ts';

let dir: string;
const servers: tls.Server[] = [];
const ports: Record<string, number> = {};

/** A self-signed certificate of subject CN `cn` with the subjectAltName entries `san` (openssl config lines, none for no SAN). */
function certificate(name: string, cn: string, san: string[]): { key: Buffer; cert: Buffer } {
  const conf = join(dir, `${name}.cnf`);
  writeFileSync(conf, ['[req]', 'distinguished_name = dn', ...(san.length ? ['x509_extensions = v3'] : []), '[dn]', '[v3]', 'subjectAltName = @alt', '[alt]', ...san, ''].join('\n'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '20', '-subj', `/CN=${cn}`, '-config', conf], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
}

async function serve(name: string, cn: string, san: string[]): Promise<void> {
  const { key, cert } = certificate(name, cn, san);
  const server = tls.createServer({ key, cert, minVersion: 'TLSv1.2' }, (s) => s.end());
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  ports[name] = (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-names-'));
  await serve('cnOnly', 'app.example.test', []);
  await serve('partial', 'x', ['DNS.1 = a*.example.test']);
  await serve('ipSanCn', 'app.example.test', ['IP.1 = 127.0.0.1']);
  await serve('good', 'x', ['DNS.1 = app.example.test', 'DNS.2 = *.apps.example.test']);
  // A name with a comma (Node quotes it: DNS:"x\u002c DNS:app.example.test") and one with markup.
  await serve('hostile', 'other', ['DNS.1 = x, DNS:app.example.test', 'DNS.2 = <img src=x onerror=alert(1)>.example.test', 'DNS.3 = b*.example.test']);
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const ep = (name: string, sni: string) => ({ host: '127.0.0.1', port: ports[name]!, sni, origin: 'config' });
/** Whether Node's tls.checkServerIdentity takes the certificate the server serves for `sni`. */
function nodeAccepts(name: string, sni: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: ports[name]!, servername: sni, rejectUnauthorized: false }, () => {
      const ok = tls.checkServerIdentity(sni, s.getPeerCertificate()) === undefined;
      s.destroy();
      resolve(ok);
    });
    s.once('error', reject);
  });
}
const probe = (eps: Array<TlsProbeResult['endpoint']>) => probeEndpoints(eps, { timeoutMs: 3000, concurrency: 4 });

describe('the probe matches certificate names as RFC 9525 clients do, not as Node\'s checkServerIdentity', () => {
  it('a certificate naming the host only in its CN (no SAN) does not match, and says so', async () => {
    const [r] = await probe([ep('cnOnly', 'app.example.test')]);
    // Node itself takes it (the leniency the probe no longer relies on).
    expect(await nodeAccepts('cnOnly', 'app.example.test')).toBe(true);
    expect(r!.certificate).toMatchObject({ subject: 'app.example.test', altNames: [], hostnameMatches: false, hostnameMismatch: 'cn-only' });
  });

  it('a partial wildcard SAN (a*.example.test) does not cover abc.example.test', async () => {
    const [r] = await probe([ep('partial', 'abc.example.test')]);
    expect(await nodeAccepts('partial', 'abc.example.test')).toBe(true);
    expect(r!.certificate).toMatchObject({ altNames: ['a*.example.test'], hostnameMatches: false, hostnameMismatch: 'partial-wildcard' });
  });

  it('a CN is not taken either when the only SAN is an IP address; the IP SAN names the address', async () => {
    const [byName, byAddress] = await probe([ep('ipSanCn', 'app.example.test'), { host: '127.0.0.1', port: ports.ipSanCn!, origin: 'config' }]);
    expect(byName!.certificate).toMatchObject({ altNames: ['127.0.0.1'], hostnameMatches: false, hostnameMismatch: 'cn-only' });
    expect(byAddress!.certificate?.hostnameMatches).toBe(true);
  });

  it('DNS SANs still match exactly, case-insensitively, with a trailing dot, and a full left-most wildcard one label deep', async () => {
    const rs = await probe([ep('good', 'app.example.test'), ep('good', 'APP.Example.TEST.'), ep('good', 'x.apps.example.test'), ep('good', 'y.x.apps.example.test'), ep('good', 'apps.example.test')]);
    expect(rs.map((r) => [r.endpoint.sni, r.certificate?.hostnameMatches, r.certificate?.hostnameMismatch])).toEqual([
      ['app.example.test', true, undefined], ['APP.Example.TEST.', true, undefined], ['x.apps.example.test', true, undefined],
      ['y.x.apps.example.test', false, undefined], ['apps.example.test', false, undefined],
    ]);
  });

  it('a SAN quoting a comma cannot pass for another entry; the names are recorded as the certificate has them', async () => {
    const [r] = await probe([ep('hostile', 'app.example.test')]);
    expect(r!.certificate).toMatchObject({ hostnameMatches: false, altNames: ['x, DNS:app.example.test', '<img src=x onerror=alert(1)>.example.test', 'b*.example.test'] });
    expect(subjectAltNames('DNS:"x\\u002c DNS:app.example.test", IP Address:10.0.0.1')).toEqual([{ type: 'DNS', value: 'x, DNS:app.example.test' }, { type: 'IP Address', value: '10.0.0.1' }]);
    expect(subjectAltNames('DNS:"unterminated, DNS:app.example.test')).toEqual([]);
  });
});

describe('tls.certificate-hostname-mismatch over those probes', () => {
  const at = new Date();
  it('fails a CN-only and a partial-wildcard certificate, naming why; a matching one passes', async () => {
    const probes = await probe([ep('cnOnly', 'app.example.test'), ep('partial', 'abc.example.test'), ep('good', 'app.example.test')]);
    const snapshot = snapshotFromObjects([]);
    snapshot.probes = probes;
    const [outcome] = runChecks([certificateHostnameMismatch], { snapshot, config: defaultConfig(), now: at });
    expect(outcome!.status).toBe('fail');
    const fails = outcome!.results.filter((r) => r.status === 'fail').map((r) => r.message);
    expect(fails).toEqual([
      `app.example.test@127.0.0.1:${ports.cnOnly}: certificate (CN app.example.test, SANs none) does not cover app.example.test: it names the host only in its subject Common Name, which RFC 9525 clients ignore (Go since 1.17, so ingress-nginx and the Kubernetes tooling, and browsers): issue it with the host as a DNS subjectAltName.`,
      `abc.example.test@127.0.0.1:${ports.partial}: certificate (CN x, SANs a*.example.test) does not cover abc.example.test: only a wildcard inside a label (such as a*.example.com) would cover it, and RFC 9525 clients take a wildcard only as the whole left-most label (*.example.com).`,
    ]);
    expect(outcome!.results.filter((r) => r.status === 'pass')).toHaveLength(1);
  });

  it('the served names stay escaped in the HTML report', async () => {
    const snapshot = snapshotFromObjects([]);
    snapshot.probes = await probe([ep('hostile', 'bcd.example.test')]);
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: 'run-1' });
    const finding = report.findings.find((f) => f.check === 'tls.certificate-hostname-mismatch');
    expect(finding?.message).toContain('<img src=x onerror=alert(1)>.example.test');
    expect(finding?.message).toContain('only a wildcard inside a label');
    const html = renderHtml(report, {});
    expect(html).not.toContain('<img src=x');
    expect(html.replace(/<wbr>/g, '')).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;.example.test');
  });
});
