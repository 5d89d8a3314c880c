// The probe records whether the served chain leads to a trusted root, as the handshake says it
// (tlsSocket.authorized and authorizationError, https://nodejs.org/api/tls.html#tlssocketauthorized;
// the codes: https://nodejs.org/api/errors.html#x509-certificate-error-codes), against Node's
// default CA store plus tls.probe.caFile, and when the certificate becomes valid (notBefore, RFC
// 5280 section 4.1.2.5). Before, with rejectUnauthorized: false and only names and notAfter kept, a
// self-signed, privately issued or intermediate-less certificate, or one not valid yet, passed every
// check while browsers and Go and curl clients refuse it. Real TLS servers on loopback serving
// certificates of a test CA made with openssl, as probe.test.ts and probe-certificate-names.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/types.ts';
import type { Logger } from '../../../src/base/log.ts';
import { probeSnapshot } from '../../../src/cli/source.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { certificateUntrusted } from '../../../checks/tls/certificate-untrusted.ts';
import { certificateExpiring } from '../../../checks/tls/certificate-expiring.ts';
import type { Snapshot, TlsProbeResult } from '../../../src/snapshot/types.ts';

let dir: string;
const servers: tls.Server[] = [];
const ports: Record<string, number> = {};
const quiet: Logger = { info: () => {}, warn: () => {}, progress: () => {} };
const HOSTILE = '<img src=x onerror=alert(1)>';

const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
/** openssl ca's date form (YYYYMMDDHHMMSSZ), `days` from now. */
const caDate = (days: number) => `${new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** A CA certificate `name` signed by `issuer` (self-signed when none), valid from `from` to `to` days from now. */
function ca(name: string, issuer?: string, from = -1, to = 200): void {
  writeFileSync(join(dir, `${name}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  ssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  sign(name, issuer ?? name, from, to, issuer === undefined);
}

/** A server certificate for app.example.test signed by `issuer`, valid from `from` to `to` days from now. */
function leaf(name: string, issuer: string, from = -1, to = 100): void {
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=DNS:app.example.test\nextendedKeyUsage=serverAuth\n');
  ssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=app.example.test');
  sign(name, issuer, from, to, false);
}

/** `openssl ca`, which, unlike `openssl x509 -req`, takes a start date (a certificate not valid yet). */
function sign(name: string, issuer: string, from: number, to: number, self: boolean): void {
  writeFileSync(join(dir, 'ca.cnf'), ['[ca]', 'default_ca = d', '[d]', 'database = index.txt', 'new_certs_dir = .', 'serial = serial', 'default_md = sha256', 'policy = p', 'unique_subject = no', '[p]', 'commonName = supplied', ''].join('\n'));
  ssl('ca', '-batch', '-config', 'ca.cnf', ...(self ? ['-selfsign'] : ['-cert', `${issuer}.pem`]), '-keyfile', `${issuer}.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
    '-extfile', `${name}.ext`, '-startdate', caDate(from), '-enddate', caDate(to), '-notext');
}

async function serve(name: string, key: string, chain: string[]): Promise<void> {
  const server = tls.createServer({ key: read(`${key}.key`), cert: chain.map(read).join('') }, (s) => s.end());
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  ports[name] = (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-trust-'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  ca('test-root');
  ca('test-intermediate', 'test-root');
  ca('expired-intermediate', 'test-root', -30, -1);
  leaf('app', 'test-intermediate');
  leaf('early', 'test-intermediate', 365, 730);
  // Renewed a moment ago by an issuer whose clock is ahead of this one (or seen from a slower node).
  leaf('renewed', 'test-intermediate', 120 / 86_400, 90);
  leaf('under-expired', 'expired-intermediate', -2, 20);
  // Leaves outside their validity, whose chains the handshake then says nothing of.
  leaf('expired', 'test-intermediate', -30, -2);
  leaf('expired-under-expired', 'expired-intermediate', -20, -5);
  writeFileSync(join(dir, 'expired-self.ext'), 'subjectAltName=DNS:app.example.test\nextendedKeyUsage=serverAuth\n');
  ssl('req', ...EC, '-keyout', 'expired-self.key', '-out', 'expired-self.csr', '-subj', '/CN=app.example.test');
  sign('expired-self', 'expired-self', -30, -2, true);
  // Self-signed as cert-manager's SelfSigned issuer makes a leaf: not a CA, no keyCertSign, so
  // X509_check_issued refuses it as its own issuer while OpenSSL still finds it self-signed.
  for (const [name, from, to] of [['ss-leaf', -1, 20], ['ss-leaf-expired', -30, -2]] as const) {
    writeFileSync(join(dir, `${name}.ext`), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nsubjectAltName=DNS:app.example.test\nextendedKeyUsage=serverAuth\n');
    ssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=app.example.test');
    sign(name, name, from, to, true);
  }
  // A trust bundle holding the leaves themselves, not their root.
  writeFileSync(join(dir, 'leaves.pem'), read('app.pem') + read('expired.pem'));
  // A self-signed certificate: its own CA, as `openssl req -x509` makes one.
  ssl('req', '-x509', ...EC, '-keyout', 'self.key', '-out', 'self.pem', '-days', '20', '-subj', '/CN=app.example.test', '-addext', 'subjectAltName=DNS:app.example.test');
  ssl('req', '-x509', ...EC, '-keyout', 'hostile.key', '-out', 'hostile.pem', '-days', '20', '-subj', `/CN=${HOSTILE}`, '-addext', 'subjectAltName=DNS:app.example.test');
  await serve('selfSigned', 'self', ['self.pem']);
  await serve('chain', 'app', ['app.pem', 'test-intermediate.pem']);
  await serve('leafOnly', 'app', ['app.pem']);
  await serve('early', 'early', ['early.pem', 'test-intermediate.pem']);
  await serve('renewed', 'renewed', ['renewed.pem', 'test-intermediate.pem']);
  await serve('expiredIntermediate', 'under-expired', ['under-expired.pem', 'expired-intermediate.pem']);
  await serve('hostile', 'hostile', ['hostile.pem']);
  await serve('chainWithRoot', 'app', ['app.pem', 'test-intermediate.pem', 'test-root.pem']);
  await serve('expiredChain', 'expired', ['expired.pem', 'test-intermediate.pem']);
  await serve('expiredLeafOnly', 'expired', ['expired.pem']);
  await serve('expiredChainWithRoot', 'expired', ['expired.pem', 'test-intermediate.pem', 'test-root.pem']);
  await serve('expiredSelf', 'expired-self', ['expired-self.pem']);
  await serve('expiredUnderExpired', 'expired-under-expired', ['expired-under-expired.pem', 'expired-intermediate.pem']);
  await serve('earlyLeafOnly', 'early', ['early.pem']);
  await serve('ssLeaf', 'ss-leaf', ['ss-leaf.pem']);
  await serve('ssLeafExpired', 'ss-leaf-expired', ['ss-leaf-expired.pem']);
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ztaudit.yaml in the test directory (tls.probe.caFile relative to it, as an operator writes it), loaded as `run` loads it. */
function configWith(yaml: string): ReturnType<typeof loadConfig> {
  writeFileSync(join(dir, 'ztaudit.yaml'), yaml);
  return loadConfig('ztaudit.yaml', dir, new Set(CHECK_BY_ID.keys()));
}

/** The probes of `names` (servers above; SNI app.example.test, or the one after "@") as a run makes them: probeSnapshot with `config`. */
async function probed(config: Config, ...names: string[]): Promise<Snapshot> {
  const endpoint = (n: string) => ({ host: '127.0.0.1', port: ports[n.split('@')[0]!]!, sni: n.split('@')[1] ?? 'app.example.test' });
  config.tls.probe = { ...config.tls.probe, enabled: true, timeoutMs: 3000, endpoints: names.map(endpoint) };
  const snapshot = snapshotFromObjects([]);
  await probeSnapshot(snapshot, config, quiet);
  return snapshot;
}

const failures = (snapshot: Snapshot, check = certificateUntrusted, now = new Date()) => {
  const [outcome] = runChecks([check], { snapshot, config: configWith('{}').config, now });
  return { outcome: outcome!, fails: outcome!.results.filter((r) => r.status === 'fail').map((r) => `${r.severity}: ${r.message}`) };
};
const at = (name: string) => `app.example.test@127.0.0.1:${ports[name]}`;
/** What OpenSSL reports for a certificate outside its validity period (https://nodejs.org/api/errors.html#x509-certificate-error-codes). */
const VALIDITY = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

describe('tls.certificate-untrusted through the real probe', () => {
  it('a self-signed certificate fails, naming the reason and tls.probe.caFile', async () => {
    const snapshot = await probed(configWith('{}').config, 'selfSigned');
    expect(snapshot.probes![0]!.certificate).toMatchObject({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', hostnameMatches: true });
    expect(failures(snapshot).fails).toEqual([
      `high: ${at('selfSigned')}: certificate (CN app.example.test) does not chain to a trusted root: it is self-signed (its own issuer), and no trusted CA vouches for it (DEPTH_ZERO_SELF_SIGNED_CERT). Browsers, Go and curl clients refuse it; if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
    ]);
  });

  it('a chain from a private CA passes with tls.probe.caFile naming that CA (a path relative to the config file)', async () => {
    const { config, errors } = configWith('tls:\n  probe: {caFile: test-root.pem}\n');
    expect(errors).toEqual([]);
    expect(config.tls.probe.caFile).toBe(join(dir, 'test-root.pem'));
    // At a name the certificate does not cover too: the chain is judged apart from the names, which are tls.certificate-hostname-mismatch's.
    const snapshot = await probed(config, 'chain', 'chain@other.example.test');
    expect(snapshot.probes!.map((p) => [p.certificate?.authorized, p.certificate?.hostnameMatches])).toEqual([[true, true], [true, false]]);
    const { outcome, fails } = failures(snapshot);
    expect(fails).toEqual([]);
    expect(outcome.status).toBe('pass');
    expect(outcome.results.map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  it('the same chain without tls.probe.caFile fails: issuer unknown', async () => {
    const snapshot = await probed(configWith('{}').config, 'chain');
    expect(snapshot.probes![0]!.certificate).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    expect(failures(snapshot).fails).toEqual([
      `high: ${at('chain')}: certificate (CN app.example.test) does not chain to a trusted root: issuer unknown: the chain the server sent leads to no trusted root (UNABLE_TO_GET_ISSUER_CERT_LOCALLY). Browsers, Go and curl clients refuse it; if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
    ]);
  });

  it('a leaf served without its intermediate fails, with the root trusted: chain incomplete', async () => {
    const snapshot = await probed(configWith('tls:\n  probe: {caFile: test-root.pem}\n').config, 'leafOnly');
    expect(snapshot.probes![0]!.certificate).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(failures(snapshot).fails).toEqual([
      `high: ${at('leafOnly')}: certificate (CN app.example.test) does not chain to a trusted root: chain incomplete: the server sent the certificate without the intermediates that link it to a root, and its issuer is not a trusted root (UNABLE_TO_VERIFY_LEAF_SIGNATURE). Browsers, Go and curl clients refuse it; serve the intermediates with it (the full chain in tls.crt), or, if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
    ]);
  });

  it('an expired intermediate under a valid leaf fails; an expired or premature leaf whose chain is sound is left to tls.certificate-expiring, said in the coverage note', async () => {
    const snapshot = await probed(configWith('tls:\n  probe: {caFile: test-root.pem}\n').config, 'expiredIntermediate', 'early');
    expect(snapshot.probes!.map((p) => p.certificate?.authorizationError)).toEqual(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
    const { outcome, fails } = failures(snapshot);
    expect(fails).toEqual([
      `high: ${at('expiredIntermediate')}: certificate (CN app.example.test) does not chain to a trusted root: a CA certificate in its chain has expired (CERT_HAS_EXPIRED). Browsers, Go and curl clients refuse it; if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
    ]);
    expect(outcome.results).toHaveLength(1);
    expect(outcome.excluded).toBe(`Chain not judged for 1 endpoint(s) whose certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reports in place of its verdict on the chain; verified again apart from that validity, the chain links to a trusted root (issuers, signatures, CA flags and the CAs' validity; the handshake's key-usage, path-length and name-constraint checks wait for a valid certificate): ${at('early')}.`);
  });

  it('the served names stay escaped in the HTML report', async () => {
    const snapshot = await probed(configWith('{}').config, 'hostile');
    const now = new Date();
    const { report } = auditSnapshot({ snapshot, config: configWith('{}').config, checks: CHECKS, now, startedAt: now, runId: 'run-1' });
    const finding = report.findings.find((f) => f.check === 'tls.certificate-untrusted');
    expect(finding?.message).toContain(`certificate (CN ${HOSTILE}) does not chain to a trusted root: it is self-signed`);
    const html = renderHtml(report, {});
    expect(html).not.toContain('<img src=x');
    expect(html.replace(/<wbr>/g, '')).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});

// While the leaf is outside its validity the handshake reports only that (OpenSSL keeps its last
// error), so the probe verifies the served chain again, from the same handshake, with the leaf's
// validity set aside. Its oracle is the handshake itself: for each chain, a twin served with a
// valid leaf from the same issuer gets the handshake's own verdict, and the second verification of
// the expired (or premature) one must say the same.
describe('tls.certificate-untrusted: the chain behind an expired or premature certificate', () => {
  const ROOT = 'tls:\n  probe: {caFile: test-root.pem}\n';
  const twins: Array<{ chain: string; valid: string; outside: string; config: string; handshake: string }> = [
    { chain: 'full chain, private root trusted', valid: 'chain', outside: 'expiredChain', config: ROOT, handshake: 'trusted' },
    { chain: 'full chain, root unknown', valid: 'chain', outside: 'expiredChain', config: '{}', handshake: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    { chain: 'without its intermediate', valid: 'leafOnly', outside: 'expiredLeafOnly', config: ROOT, handshake: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { chain: 'without its intermediate, not valid yet', valid: 'leafOnly', outside: 'earlyLeafOnly', config: ROOT, handshake: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { chain: 'root sent, not trusted', valid: 'chainWithRoot', outside: 'expiredChainWithRoot', config: '{}', handshake: 'SELF_SIGNED_CERT_IN_CHAIN' },
    { chain: 'self-signed', valid: 'selfSigned', outside: 'expiredSelf', config: '{}', handshake: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    { chain: 'under an expired intermediate', valid: 'expiredIntermediate', outside: 'expiredUnderExpired', config: ROOT, handshake: 'CERT_HAS_EXPIRED' },
    // cert-manager's SelfSigned leaf: OpenSSL's self-signed test is names and signature, not keyCertSign.
    { chain: 'self-signed, not a CA (no keyCertSign)', valid: 'ssLeaf', outside: 'ssLeafExpired', config: '{}', handshake: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    // Node sets no X509_V_FLAG_PARTIAL_CHAIN: a trusted certificate that is not self-signed anchors nothing.
    { chain: 'full chain, only the intermediate trusted', valid: 'chain', outside: 'expiredChain', config: 'tls:\n  probe: {caFile: test-intermediate.pem}\n', handshake: 'UNABLE_TO_GET_ISSUER_CERT' },
    { chain: 'without its intermediate, only the intermediate trusted', valid: 'leafOnly', outside: 'expiredLeafOnly', config: 'tls:\n  probe: {caFile: test-intermediate.pem}\n', handshake: 'UNABLE_TO_GET_ISSUER_CERT' },
    { chain: 'full chain, only the leaf itself trusted', valid: 'chain', outside: 'expiredChain', config: 'tls:\n  probe: {caFile: leaves.pem}\n', handshake: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
  ];

  it.each(twins)('$chain: the second verification says what the handshake says of the same chain with a valid leaf ($handshake)', async ({ valid, outside, config, handshake }) => {
    const snapshot = await probed(configWith(config).config, valid, outside);
    const [twin, masked] = snapshot.probes!.map((p) => p.certificate!);
    expect(twin!.authorized ? 'trusted' : twin!.authorizationError).toBe(handshake);
    expect(twin!.chainApartFromValidity).toBeUndefined();
    expect(VALIDITY.has(masked!.authorizationError!), masked!.authorizationError).toBe(true);
    expect(masked!.chainApartFromValidity).toEqual(twin!.authorized ? { linked: true } : { linked: false, error: twin!.authorizationError });
  });

  it('an expired certificate served without its intermediate fails for the chain too, saying that renewing it alone does not fix it', async () => {
    const snapshot = await probed(configWith(ROOT).config, 'expiredLeafOnly', 'expiredChain');
    const { outcome, fails } = failures(snapshot);
    expect(fails).toEqual([
      `high: ${at('expiredLeafOnly')}: certificate (CN app.example.test) does not chain to a trusted root: chain incomplete: the server sent the certificate without the intermediates that link it to a root, and its issuer is not a trusted root (UNABLE_TO_VERIFY_LEAF_SIGNATURE). The certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reported in its place (CERT_HAS_EXPIRED); its chain, verified again apart from that validity period, is broken as well: renewing the certificate alone does not fix this. Browsers, Go and curl clients refuse it; serve the intermediates with it (the full chain in tls.crt), or, if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
    ]);
    expect(outcome.results.find((r) => r.status === 'fail')!.evidence).toMatchObject({ authorizationError: 'CERT_HAS_EXPIRED', chainApartFromValidity: { linked: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
    // The sound chain of the same expired certificate is no pass: the handshake did not judge it whole.
    expect(outcome.results).toHaveLength(1);
    expect(outcome.excluded).toContain(`the chain links to a trusted root (issuers, signatures, CA flags and the CAs' validity; the handshake's key-usage, path-length and name-constraint checks wait for a valid certificate): ${at('expiredChain')}.`);
    // Issued by a CA nobody trusts and expired: both findings, each check its own.
    const unknown = await probed(configWith('{}').config, 'expiredChain');
    expect(failures(unknown).fails).toEqual([expect.stringContaining('issuer unknown: the chain the server sent leads to no trusted root (UNABLE_TO_GET_ISSUER_CERT_LOCALLY). The certificate is itself expired or not yet valid')]);
    expect(failures(unknown, certificateExpiring).fails).toEqual([expect.stringMatching(/^critical: .*: certificate expired on /)]);
  });

  it('an expired certificate whose caFile holds only its intermediate fails for the chain, not "links to a trusted root": the clients verify up to a self-signed root', async () => {
    const snapshot = await probed(configWith('tls:\n  probe: {caFile: test-intermediate.pem}\n').config, 'expiredChain');
    const { outcome, fails } = failures(snapshot);
    expect(fails).toEqual([expect.stringContaining('issuer unknown: the chain reaches a trusted certificate that is not a self-signed root, and that one\'s issuer is not trusted (a trust bundle must hold the root: TLS clients verify the chain up to one) (UNABLE_TO_GET_ISSUER_CERT). The certificate is itself expired')]);
    expect(outcome.excluded ?? '').not.toContain('links to a trusted root');
  });

  it('a premature certificate whose notBefore the auditor\'s clock has since passed (a watch run) keeps the probe\'s verdict on its chain, not a CA\'s validity', async () => {
    const snapshot = await probed(configWith(ROOT).config, 'earlyLeafOnly');
    const later = new Date(Date.parse(snapshot.probes![0]!.certificate!.notBefore!) + 60_000);
    expect(failures(snapshot, certificateUntrusted, later).fails).toEqual([expect.stringContaining('(UNABLE_TO_VERIFY_LEAF_SIGNATURE). The certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reported in its place (CERT_NOT_YET_VALID)')]);
  });
});

describe('tls.certificate-expiring: a certificate not valid yet, through the real probe', () => {
  const SKEW_HINT = 'Only seconds or minutes ahead: compare this node\'s clock and the issuer\'s with NTP (cert-manager\'s CA and SelfSigned issuers do not backdate notBefore).';

  it('records notBefore, and a notBefore after now fails at critical, naming the date, how far ahead it is and the auditor\'s clock', async () => {
    const snapshot = await probed(configWith('tls:\n  probe: {caFile: test-root.pem}\n').config, 'early', 'chain');
    const [early, valid] = snapshot.probes!;
    const notBefore = early!.certificate!.notBefore!;
    expect(Date.parse(notBefore) - Date.now()).toBeGreaterThan(300 * 86_400_000);
    expect(Date.parse(valid!.certificate!.notBefore!)).toBeLessThan(Date.now());
    const now = new Date(Date.parse(notBefore) - 365 * 86_400_000);
    expect(failures(snapshot, certificateExpiring, now).fails).toEqual([
      `critical: ${at('early')}: certificate not valid until ${notBefore} (its notBefore), 365 days after the auditor's clock (${now.toISOString()}): clients refuse it until then, none allowing for clock skew. ${SKEW_HINT}`,
    ]);
  });

  // No allowance for clock skew: Go's crypto/x509 (Certificate.isValid, src/crypto/x509/verify.go)
  // and OpenSSL refuse a certificate before its notBefore to the second, so a client whose clock
  // reads as the auditor's refuses it too; the finding says by how much, for the on-call engineer
  // to tell a slow clock (seconds, minutes) from a certificate issued for later.
  it('a certificate renewed moments ago, its notBefore seconds or minutes ahead of the auditor\'s clock, still fails, saying by how much and the clock\'s reading', async () => {
    const snapshot = await probed(configWith('tls:\n  probe: {caFile: test-root.pem}\n').config, 'renewed');
    const notBefore = snapshot.probes![0]!.certificate!.notBefore!;
    for (const [aheadMs, said] of [[42_000, '42 s'], [7 * 60_000, '7 min'], [500, '1 s']] as const) {
      const now = new Date(Date.parse(notBefore) - aheadMs);
      const [outcome] = runChecks([certificateExpiring], { snapshot, config: configWith('{}').config, now });
      const [fail] = outcome!.results.filter((r) => r.status === 'fail');
      expect(`${fail!.severity}: ${fail!.message}`).toBe(
        `critical: ${at('renewed')}: certificate not valid until ${notBefore} (its notBefore), ${said} after the auditor's clock (${now.toISOString()}): clients refuse it until then, none allowing for clock skew. ${SKEW_HINT}`);
      expect(fail!.evidence).toMatchObject({ notBefore, aheadSeconds: Math.ceil(aheadMs / 1000), auditorClock: now.toISOString() });
    }
    // Once the auditor's clock reaches notBefore, it is valid: no allowance the other way either.
    expect(failures(snapshot, certificateExpiring, new Date(Date.parse(notBefore))).fails).toEqual([]);
  });

  it('cert-manager\'s status.notBefore ahead of the auditor\'s clock says the same', () => {
    const snapshot = snapshotFromObjects([{
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: 'shop' },
      spec: { secretName: 'web-tls', issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } },
      status: { notBefore: '2026-12-07T21:00:30Z', notAfter: '2027-03-07T21:00:30Z', renewalTime: '2027-02-05T21:00:30Z', conditions: [{ type: 'Ready', status: 'True' }] },
    }]);
    const now = new Date('2026-12-07T21:00:00Z');
    expect(failures(snapshot, certificateExpiring, now).fails).toEqual([
      `critical: Certificate shop/web (Secret web-tls): certificate not valid until 2026-12-07T21:00:30Z (cert-manager status.notBefore), 30 s after the auditor's clock (2026-12-07T21:00:00.000Z): clients refuse it until then, none allowing for clock skew. ${SKEW_HINT}`,
    ]);
  });
});

describe('a probe that recorded no chain verification (a snapshot written before) gets no verdict', () => {
  const probe = (sni: string, certificate: Partial<NonNullable<TlsProbeResult['certificate']>>): TlsProbeResult => ({
    endpoint: { host: '203.0.113.7', port: 443, sni, origin: 'config' },
    versions: { 'TLSv1': 'rejected', 'TLSv1.1': 'rejected', 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' },
    certificate: { notAfter: '2099-01-01T00:00:00.000Z', hostnameMatches: true, ...certificate },
  });

  it('alone, the check does not apply (neither pass nor fail)', () => {
    const snapshot = snapshotFromObjects([]);
    snapshot.probes = [probe('old.example.com', {})];
    const { outcome } = failures(snapshot);
    expect(outcome.status).toBe('not-applicable');
  });

  it('beside recorded ones, it is named in the coverage note, not counted as a pass', () => {
    const snapshot = snapshotFromObjects([]);
    snapshot.probes = [probe('old.example.com', {}), probe('new.example.com', { notBefore: '2026-01-01T00:00:00.000Z', authorized: true }), probe('bad.example.com', { authorized: 'yes' as unknown as boolean })];
    const { outcome } = failures(snapshot);
    expect(outcome.results.map((r) => [r.resource.name, r.status])).toEqual([['new.example.com@203.0.113.7:443', 'pass']]);
    expect(outcome.excluded).toBe('Chain not judged for 2 endpoint(s) whose probe did not record whether the chain verified (a snapshot written by an earlier version; probe again with --probe-tls): old.example.com@203.0.113.7:443, bad.example.com@203.0.113.7:443.');
  });
});
