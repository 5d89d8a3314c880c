// Active TLS probing (opt-in): one handshake per protocol version, pinned with both
// minVersion and maxVersion (lowering only maxVersion leaves Node's 1.2 floor and fails
// with ERR_SSL_NO_PROTOCOLS_AVAILABLE before anything is sent), with OpenSSL security level
// 0 so legacy handshakes signed with MD5+SHA1 are not refused client-side and misreported
// as "rejected". Only a protocol_version alert counts as rejection; everything else is
// inconclusive. Unreachable targets become results with `error`, never exceptions.
//
// The targets found in the cluster are named by its users, so probeExposed() never connects
// to this machine, the node or the cloud's metadata service: a loopback, link-local or
// metadata address, or a name that resolves only to such addresses, is left out with a
// note, and a name is resolved once and connected to at the addresses screened (no second
// lookup for a rebinding DNS server to answer differently). The whole phase has a deadline
// and stops with the run's abort signal.
//
// Each handshake also says whether the served chain leads to a trusted root (tlsSocket.authorized
// and authorizationError, https://nodejs.org/api/tls.html#tlssocketauthorized), judged against
// Node's default CA store (its bundled Mozilla roots, plus NODE_EXTRA_CA_CERTS or the system's
// when Node is told to use them) and the operator's tls.probe.caFile; the names are judged apart
// (certificateNamesHost), so Node's own name check is turned off and cannot mask the chain's.
// A certificate that is itself expired or not valid yet masks its chain (OpenSSL keeps only its
// last error, the leaf's validity): its chain is verified again from the same handshake with that
// validity set aside (verifyChainApartFromLeafValidity), so a chain that is broken as well is
// still reported.

import { X509Certificate } from 'node:crypto';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { certificateNamesHost, type CertificateNames } from '../base/cert-names.ts';
import type { TlsProbeResult } from '../snapshot/types.ts';

export type ProbeEndpoint = TlsProbeResult['endpoint'];
type Version = keyof TlsProbeResult['versions'];
type Outcome = TlsProbeResult['versions'][Version];

export const PROBE_VERSIONS: readonly Version[] = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'];
export const PROBE_CIPHERS = 'DEFAULT@SECLEVEL=0';

export interface ProbeOptions {
  /** Per-handshake timeout; an endpoint takes at most four of these. */
  timeoutMs: number;
  /** Endpoints probed at the same time. */
  concurrency: number;
  /** The audit's clock (kept for callers that stamp results; handshakes use wall time). */
  now?: Date;
  /** For the whole call: endpoints not finished by then are left out of the results. */
  deadlineMs?: number;
  /** Abandons the probes (serve at shutdown): pending handshakes are closed and the call rejects. */
  signal?: AbortSignal;
  /** The addresses to connect to, per host name; a host not in it is looked up by the system. */
  addresses?: ReadonlyMap<string, readonly string[]>;
  /** PEM certificates of private CAs (tls.probe.caFile) trusted beside Node's default store. */
  ca?: readonly string[];
}

const REJECTED = new Set(['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL']);
/** Errors that say the endpoint cannot be reached at all: no point trying other versions. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'TIMEOUT', 'EADDRNOTAVAIL']);

/**
 * Only the server's protocol_version alert (or a server hello for a version we did not
 * offer) is a rejection. Handshake-failure alerts, resets, timeouts and client-side errors
 * such as ERR_SSL_NO_PROTOCOLS_AVAILABLE say nothing about the version: inconclusive.
 */
export function classifyHandshakeError(code: string | undefined): Outcome {
  return code !== undefined && REJECTED.has(code) ? 'rejected' : 'inconclusive';
}

interface Handshake {
  outcome: Outcome;
  code?: string;
  error?: string;
  cert?: tls.PeerCertificate;
  /** With `cert`: whether its chain verified (tlsSocket.authorized), and if not, OpenSSL's reason. */
  authorized?: boolean;
  authorizationError?: string;
  /** With `cert` outside its validity period at the handshake: its chain verified again without it. */
  chainApartFromValidity?: ChainVerdict;
}

type ChainVerdict = NonNullable<NonNullable<TlsProbeResult['certificate']>['chainApartFromValidity']>;

/** The roots the handshakes trust, for verifying a chain again: by fingerprint, and by subject to look an issuer up. */
interface TrustAnchors {
  has(c: X509Certificate): boolean;
  issuersOf(c: X509Certificate): readonly X509Certificate[];
}

/** Trust anchors of PEM certificates (Node's default store, plus tls.probe.caFile's); one that does not parse is left out. */
function trustAnchors(pems: readonly string[]): TrustAnchors {
  const prints = new Set<string>();
  const bySubject = new Map<string, X509Certificate[]>();
  for (const pem of pems) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(pem);
    } catch {
      continue;
    }
    prints.add(x.fingerprint256);
    const same = bySubject.get(x.subject);
    if (same) same.push(x);
    else bySubject.set(x.subject, [x]);
  }
  return { has: (c) => prints.has(c.fingerprint256), issuersOf: (c) => bySubject.get(c.issuer) ?? [] };
}

/** Longer chains than this are not followed (OpenSSL's default verify depth is 100; served chains are a few certificates). */
const MAX_CHAIN = 16;

const validAt = (c: X509Certificate, at: Date): boolean => c.validFromDate.getTime() <= at.getTime() && at.getTime() <= c.validToDate.getTime();

/**
 * The served chain (`served`: the leaf, then the certificates the server sent, each issuing the one
 * before, as tlsSocket.getPeerCertificate(true) links them,
 * https://nodejs.org/api/tls.html#tlssocketgetpeercertificatedetailed) verified against `anchors` with the
 * leaf's own validity period set aside: what the handshake's verification would have said of the
 * chain had the leaf been valid, which OpenSSL does not say once it is not (it keeps only the last
 * error, the leaf's validity). Built from Node's documented X509Certificate checks
 * (https://nodejs.org/api/crypto.html#class-x509certificate): x509.checkIssued (OpenSSL's
 * X509_check_issued: issuer name, authority key identifier, keyCertSign), x509.verify (the
 * signature), x509.ca (basicConstraints). As OpenSSL does by default (X509_V_FLAG_TRUSTED_FIRST), a
 * trusted issuer is taken before one the server sent, preferring one valid at `at`, and the CA
 * certificates of the chain must be valid at `at`. The chain links only once it reaches a trusted
 * certificate that is self-signed: Node does not set X509_V_FLAG_PARTIAL_CHAIN, so a trusted
 * intermediate is no anchor, and OpenSSL goes on looking for its issuer in the trust store, naming
 * the break UNABLE_TO_GET_ISSUER_CERT; the leaf itself in tls.probe.caFile anchors nothing either
 * (the handshake's oracle, probe-certificate-trust.test.ts). Self-signed is
 * OpenSSL's test (x509v3_cache_extensions, EXFLAG_SS): subject and issuer names equal and the
 * signature verifying with the certificate's own key, whatever its keyUsage (a cert-manager
 * SelfSigned leaf has no keyCertSign, which X509_check_issued would refuse); Node exposes no key
 * identifiers to compare. A break is named by the code OpenSSL gives it
 * (openssl-verification-options(1), "Verification errors"). It judges less than OpenSSL (no key
 * purpose, path length or name constraints), so `linked` is not the handshake's verdict.
 */
function verifyChainApartFromLeafValidity(served: readonly X509Certificate[], anchors: TrustAnchors, at: Date): ChainVerdict {
  const broken = (error: string): ChainVerdict => ({ linked: false, error });
  const issues = (c: X509Certificate, issuer: X509Certificate) => c.checkIssued(issuer) && c.verify(issuer.publicKey);
  const selfSigned = (c: X509Certificate) => c.subject === c.issuer && c.verify(c.publicKey);
  const cas: X509Certificate[] = [];
  const linked = (): ChainVerdict => {
    const outside = cas.find((c) => !validAt(c, at));
    if (!outside) return { linked: true };
    return broken(at.getTime() < outside.validFromDate.getTime() ? 'CERT_NOT_YET_VALID' : 'CERT_HAS_EXPIRED');
  };
  // Whether an issuer was taken from the trust store: from there only the store is searched. A
  // served certificate that is itself trusted but not self-signed counts for nothing (the
  // handshake names a leaf trusted so UNABLE_TO_GET_ISSUER_CERT_LOCALLY, as if it were not).
  let trustedReached = false;
  let cur = served[0];
  for (let depth = 0; cur && depth < MAX_CHAIN; depth++) {
    if (selfSigned(cur)) return trustedReached || anchors.has(cur) ? linked() : broken(depth === 0 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN');
    const trusted = anchors.issuersOf(cur).filter((a) => issues(cur!, a));
    if (trusted.length > 0) {
      const issuer = trusted.find((a) => validAt(a, at)) ?? trusted[0]!;
      cas.push(issuer);
      trustedReached = true;
      cur = issuer;
      continue;
    }
    if (trustedReached) return broken('UNABLE_TO_GET_ISSUER_CERT');
    const next = served[depth + 1];
    if (next && cur.checkIssued(next)) {
      if (!cur.verify(next.publicKey)) return broken('CERT_SIGNATURE_FAILURE');
      if (!next.ca) return broken('INVALID_CA');
      cas.push(next);
      cur = next;
      continue;
    }
    return broken(depth === 0 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  }
  return broken('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
}

/** The certificates of a detailed peer certificate, leaf first, each the issuer of the one before (a self-signed one issues itself: once). */
function servedChain(peer: tls.DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: tls.DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c.fingerprint256) && out.length < MAX_CHAIN; c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
  }
  return out;
}

/** Whether a peer certificate is outside its validity period at `at`, as Node gives its dates. */
function outsideValidity(cert: tls.PeerCertificate, at: Date): boolean {
  const from = Date.parse(cert.valid_from);
  const to = Date.parse(cert.valid_to);
  return !Number.isNaN(from) && !Number.isNaN(to) && (at.getTime() < from || at.getTime() > to);
}

/** What Node says of a chain that did not verify: a code string (its typings say Error). */
function authorizationCode(e: unknown): string | undefined {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.message;
  return undefined;
}

/** Trusts every chain as far as names go: the probe judges names itself (certificateNamesHost). */
const NO_NAME_CHECK = (): undefined => undefined;

/**
 * The client contexts for a CA bundle, one per version (a context carries its version range):
 * built once per probe phase, since parsing Node's default store and the bundle for each of
 * up to four handshakes per endpoint would cost more than the handshakes.
 */
function contextsFor(ca: readonly string[] | undefined): ((v: Version) => tls.SecureContext) | undefined {
  if (!ca || ca.length === 0) return undefined;
  const roots = [...tls.getCACertificates('default'), ...ca];
  const made = new Map<Version, tls.SecureContext>();
  return (v) => {
    let c = made.get(v);
    if (!c) made.set(v, (c = tls.createSecureContext({ ca: roots, minVersion: v, maxVersion: v, ciphers: PROBE_CIPHERS })));
    return c;
  };
}

/** The chain the socket's peer served, verified again with the leaf's validity set aside; undefined when that cannot be done. */
function chainApartFromValidity(socket: tls.TLSSocket, anchors: AnchorsFor, at: Date): ChainVerdict | undefined {
  try {
    return verifyChainApartFromLeafValidity(servedChain(socket.getPeerCertificate(true)), anchors(), at);
  } catch {
    // A certificate Node gave that X509Certificate cannot read: no second verdict, the chain stays masked.
    return undefined;
  }
}

/** A `lookup` for net.connect that answers with the given addresses only. */
function pinnedLookup(addresses: readonly string[]): net.LookupFunction {
  return (hostname, options, callback) => {
    const all = addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
    if (options.all) callback(null, wanted);
    else if (wanted[0]) callback(null, wanted[0].address, wanted[0].family);
    else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
  };
}

/** The trust anchors, made on first use (only a certificate outside its validity needs them). */
type AnchorsFor = () => TrustAnchors;

function handshake(ep: ProbeEndpoint, version: Version, timeoutMs: number, addresses: readonly string[] | undefined, signal: AbortSignal, contexts: ((v: Version) => tls.SecureContext) | undefined, anchors: AnchorsFor | undefined): Promise<Handshake> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (h: Handshake, socket?: tls.TLSSocket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      socket?.destroy();
      resolve(h);
    };
    const servername = ep.sni ?? (net.isIP(ep.host) ? undefined : ep.host);
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: ep.host,
        port: ep.port,
        ...(servername ? { servername } : {}),
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
        ...(contexts ? { secureContext: contexts(version) } : { minVersion: version, maxVersion: version, ciphers: PROBE_CIPHERS }),
        rejectUnauthorized: false,
        checkServerIdentity: NO_NAME_CHECK,
      });
    } catch (error: unknown) {
      const e = error as NodeJS.ErrnoException;
      resolve({ outcome: 'inconclusive', code: e.code, error: e.message });
      return;
    }
    const timer = setTimeout(() => finish({ outcome: 'inconclusive', code: 'TIMEOUT', error: `no answer within ${timeoutMs} ms` }, socket), timeoutMs);
    const aborted = () => finish({ outcome: 'inconclusive', code: 'ABORTED', error: 'probe abandoned' }, socket);
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
    socket.once('secureConnect', () => {
      const got = socket.getProtocol();
      const authorizationError = socket.authorized ? undefined : authorizationCode(socket.authorizationError);
      if (got === version) {
        const cert = socket.getPeerCertificate();
        const at = new Date();
        const again = anchors && !socket.authorized && cert.raw && outsideValidity(cert, at) ? chainApartFromValidity(socket, anchors, at) : undefined;
        finish({ outcome: 'accepted', cert, authorized: socket.authorized, ...(authorizationError ? { authorizationError } : {}), ...(again ? { chainApartFromValidity: again } : {}) }, socket);
      }
      else finish({ outcome: 'inconclusive', error: `negotiated ${got ?? 'unknown'} instead of ${version}` }, socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'UNKNOWN';
      const outcome = classifyHandshakeError(code);
      if (outcome === 'rejected') finish({ outcome, code }, socket);
      else if (code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE') finish({ outcome, code, error: `probe could not offer ${version} (${code}); a client-side limitation, not a server rejection` }, socket);
      else finish({ outcome, code, error: `${code}: ${error.message}` }, socket);
    });
  });
}

/**
 * The entries of Node's subjectaltname text ("DNS:a.example, IP Address:10.0.0.1"), each as its
 * type and value. Node writes a value holding a comma, quote, backslash or control character as a
 * JSON string (DNS:"a, DNS:b"), so a certificate cannot smuggle in an entry by naming one inside
 * another; text that does not parse so yields no entries at all.
 */
export function subjectAltNames(san: string | undefined): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (san && i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon < 0) return [];
    let end: number;
    let value: string;
    if (san[colon + 1] === '"') {
      let k = colon + 2;
      while (k < san.length && san[k] !== '"') k += san[k] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(san.slice(colon + 1, k + 1)) as string;
      } catch {
        return [];
      }
      end = k + 1;
    } else {
      const comma = san.indexOf(', ', colon + 1);
      end = comma < 0 ? san.length : comma;
      value = san.slice(colon + 1, end);
    }
    out.push({ type: san.slice(i, colon), value });
    if (end < san.length && !san.startsWith(', ', end)) return [];
    i = end + 2;
  }
  return out;
}

/** The names a peer certificate carries: its DNS and IP address SANs, and its subject CN. */
function certificateNames(cert: tls.PeerCertificate): CertificateNames & { altNames: string[] } {
  const entries = subjectAltNames(cert.subjectaltname);
  const cn: unknown = cert.subject?.CN;
  return {
    dnsNames: entries.filter((e) => e.type === 'DNS').map((e) => e.value),
    ipAddresses: entries.filter((e) => e.type === 'IP Address').map((e) => e.value),
    commonNames: (Array.isArray(cn) ? cn : [cn]).filter((c): c is string => typeof c === 'string'),
    altNames: entries.map((e) => (e.type === 'DNS' || e.type === 'IP Address' ? e.value : `${e.type}:${e.value}`)).filter(Boolean),
  };
}

const inconclusive = (): TlsProbeResult['versions'] => ({ 'TLSv1': 'inconclusive', 'TLSv1.1': 'inconclusive', 'TLSv1.2': 'inconclusive', 'TLSv1.3': 'inconclusive' });

/** One endpoint, every version; null when `signal` aborted it before it finished. */
async function probeEndpoint(ep: ProbeEndpoint, timeoutMs: number, addresses: readonly string[] | undefined, signal: AbortSignal, contexts: ((v: Version) => tls.SecureContext) | undefined, anchors: AnchorsFor): Promise<TlsProbeResult | null> {
  const versions = inconclusive();
  let served: Handshake | undefined;
  const errors: string[] = [];
  for (const v of PROBE_VERSIONS) {
    // The chain is verified again only for the handshake whose certificate is kept.
    const h = await handshake(ep, v, timeoutMs, addresses, signal, contexts, served ? undefined : anchors);
    if (signal.aborted) return null;
    versions[v] = h.outcome;
    if (h.cert && !served && h.cert.valid_to) served = h;
    if (h.error) errors.push(`${v}: ${h.error}`);
    if (h.outcome === 'inconclusive' && h.code && UNREACHABLE.has(h.code)) {
      return { endpoint: ep, versions, error: `unreachable: ${h.error ?? h.code}` };
    }
  }
  const result: TlsProbeResult = { endpoint: ep, versions };
  const cert = served?.cert;
  if (served && cert) {
    // Judged as clients that follow RFC 9525 judge it (src/base/cert-names.ts), not with Node's
    // lenient tls.checkServerIdentity, which takes a CN without DNS SANs and partial wildcards.
    const names = certificateNames(cert);
    const { matches, miss } = certificateNamesHost(names, ep.sni ?? ep.host);
    result.certificate = {
      notAfter: isoDate(cert.valid_to),
      ...(cert.valid_from ? { notBefore: isoDate(cert.valid_from) } : {}),
      subject: typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined,
      altNames: names.altNames,
      hostnameMatches: matches,
      ...(miss ? { hostnameMismatch: miss } : {}),
      ...(served.authorized !== undefined ? { authorized: served.authorized } : {}),
      ...(served.authorizationError ? { authorizationError: served.authorizationError } : {}),
      ...(served.chainApartFromValidity ? { chainApartFromValidity: served.chainApartFromValidity } : {}),
    };
  }
  if (Object.values(versions).every((o) => o === 'inconclusive')) result.error = errors[0] ?? 'no handshake completed';
  return result;
}

/** A certificate's date as Node gives it ("Jan  1 00:00:00 2030 GMT") in ISO form; kept as given when it does not parse. */
function isoDate(text: string): string {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/**
 * Runs `work` over `items` with at most `concurrency` at a time, until `stop` aborts (the
 * deadline or the caller's signal); returns the finished results in input order.
 */
async function eachBounded<T, R>(items: readonly T[], concurrency: number, stop: AbortSignal, work: (item: T) => Promise<R | null>): Promise<R[]> {
  const results: Array<R | null> = new Array(items.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop.aborted) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.floor(concurrency) || 1), items.length) }, worker));
  return results.filter((r): r is R => r !== null);
}

/** The deadline and the caller's signal as one signal, and a function to release its timer. */
function phaseSignal(options: Pick<ProbeOptions, 'deadlineMs' | 'signal'>): { signal: AbortSignal; done(): void } {
  const stop = new AbortController();
  const timer = options.deadlineMs !== undefined ? setTimeout(() => stop.abort(new Error('probe deadline')), options.deadlineMs) : null;
  const onAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: stop.signal,
    done: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Probes every endpoint with at most `concurrency` in flight; results keep input order.
 * Endpoints not finished by the deadline are left out; when `signal` aborts, rejects with
 * its reason once the handshakes in flight are closed.
 */
export async function probeEndpoints(endpoints: ProbeEndpoint[], options: ProbeOptions): Promise<TlsProbeResult[]> {
  const phase = phaseSignal(options);
  const contexts = contextsFor(options.ca);
  let anchors: TrustAnchors | undefined;
  // The roots the handshakes trusted: Node's default store (tls.getCACertificates('default'),
  // https://nodejs.org/api/tls.html#tlsgetcacertificatestype), plus the CA bundle when one is given.
  const anchorsFor: AnchorsFor = () => (anchors ??= trustAnchors([...tls.getCACertificates('default'), ...(options.ca ?? [])]));
  try {
    const results = await eachBounded(endpoints, options.concurrency, phase.signal, async (ep) => {
      try {
        return await probeEndpoint(ep, options.timeoutMs, net.isIP(ep.host) ? undefined : options.addresses?.get(ep.host), phase.signal, contexts, anchorsFor);
      } catch (error: unknown) {
        return { endpoint: ep, versions: inconclusive(), error: error instanceof Error ? error.message : String(error) };
      }
    });
    options.signal?.throwIfAborted();
    return results;
  } finally {
    phase.done();
  }
}

// ---- probing what the cluster exposes ------------------------------------------------

const BLOCKED = new net.BlockList();
BLOCKED.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4'); // "this host": 0.0.0.0 reaches the local machine
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: the metadata services of AWS, GCP, Azure, OpenStack (169.254.169.254)
BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud's metadata service
BLOCKED.addAddress('168.63.129.16', 'ipv4'); // Azure's WireServer
BLOCKED.addAddress('::1', 'ipv6');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addSubnet('fe80::', 10, 'ipv6'); // link-local
BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS's metadata service over IPv6
const BLOCKED_NAMES = new Set(['localhost', 'metadata', 'metadata.google.internal', 'metadata.goog']);

/** An address the probe never connects to when a cluster's user named it (IPv4-mapped IPv6 included). */
export function isBlockedProbeAddress(address: string): boolean {
  const plain = address.replace(/%.*$/, ''); // fe80::1%eth0
  const family = net.isIP(plain);
  if (family === 0) return true;
  try {
    return BLOCKED.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return true;
  }
}

/** A name the probe never resolves when a cluster's user named it: localhost and the metadata services'. */
export function isBlockedProbeName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.+$/, '');
  return BLOCKED_NAMES.has(n) || n.endsWith('.localhost');
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface ExposedProbeOptions {
  timeoutMs: number;
  concurrency: number;
  /** The whole phase, name resolution included. */
  deadlineSeconds: number;
  signal?: AbortSignal;
  /** Name resolution (tests); default the system's (getaddrinfo, as a connection would). */
  resolve?: Resolver;
  /** PEM certificates of private CAs (tls.probe.caFile) trusted beside Node's default store. */
  ca?: readonly string[];
}

export interface ExposedProbes {
  probes: TlsProbeResult[];
  /** Endpoints left out on purpose (run notes). */
  notes: string[];
  /** Endpoints the deadline left unprobed (the run is partial). */
  partial: string[];
}

/** A target to probe (at these addresses, for a name), one left out, or one settled already (its name does not resolve). */
type Screened =
  | { kind: 'probe'; ep: ProbeEndpoint; addresses?: string[] }
  | { kind: 'blocked'; ep: ProbeEndpoint; why: string }
  | { kind: 'settled'; ep: ProbeEndpoint; result: TlsProbeResult };

/**
 * Probes the targets found in the cluster and the configured ones. A found target whose
 * address, name or every resolved address is loopback, link-local or a metadata service is
 * left out with a note; the operator's own tls.probe.endpoints (origin "config") are probed
 * as given. Endpoints the deadline leaves unprobed are named in `partial`.
 */
export async function probeExposed(targets: ProbeEndpoint[], options: ExposedProbeOptions): Promise<ExposedProbes> {
  const deadlineMs = options.deadlineSeconds * 1000;
  const started = Date.now();
  const resolve = options.resolve ?? systemResolver;
  const phase = phaseSignal({ deadlineMs, ...(options.signal ? { signal: options.signal } : {}) });
  let screened: Screened[];
  try {
    screened = await eachBounded(targets, options.concurrency, phase.signal, async (ep): Promise<Screened | null> => {
      if (ep.origin === 'config') return { kind: 'probe', ep };
      if (net.isIP(ep.host)) return isBlockedProbeAddress(ep.host) ? { kind: 'blocked', ep, why: ep.host } : { kind: 'probe', ep };
      if (isBlockedProbeName(ep.host)) return { kind: 'blocked', ep, why: ep.host };
      let addresses: string[];
      try {
        addresses = await abortable(resolve(ep.host), phase.signal);
      } catch (error: unknown) {
        if (phase.signal.aborted) return null;
        const e = error as NodeJS.ErrnoException;
        return { kind: 'settled', ep, result: { endpoint: ep, versions: inconclusive(), error: `unreachable: ${e.code ?? 'ENOTFOUND'}: ${e.message}` } };
      }
      const allowed = addresses.filter((a) => !isBlockedProbeAddress(a));
      if (allowed.length === 0) return { kind: 'blocked', ep, why: `${ep.host} (${addresses.join(', ') || 'no address'})` };
      return { kind: 'probe', ep, addresses: allowed };
    });
    options.signal?.throwIfAborted();
  } finally {
    phase.done();
  }
  const notes: string[] = [];
  const blocked = screened.filter((s) => s.kind === 'blocked');
  if (blocked.length > 0) {
    const examples = blocked.slice(0, 3).map((b) => `${b.ep.origin}: ${b.why}`).join('; ');
    notes.push(`TLS probe: ${blocked.length} endpoint(s) not probed: loopback, link-local or cloud metadata addresses are never probed for what the cluster's users name (${examples}${blocked.length > 3 ? '; …' : ''})`);
  }
  const toProbe = screened.filter((s) => s.kind === 'probe');
  const addresses = new Map<string, string[]>();
  for (const s of toProbe) if (s.addresses) addresses.set(s.ep.host, s.addresses);
  const probed = await probeEndpoints(toProbe.map((s) => s.ep), {
    timeoutMs: options.timeoutMs, concurrency: options.concurrency, addresses,
    deadlineMs: Math.max(0, deadlineMs - (Date.now() - started)),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const byEndpoint = new Map<ProbeEndpoint, TlsProbeResult>();
  for (const r of probed) byEndpoint.set(r.endpoint, r);
  for (const s of screened) if (s.kind === 'settled') byEndpoint.set(s.ep, s.result);
  // In the targets' order, as before the screening.
  const probes = targets.flatMap((ep) => byEndpoint.get(ep) ?? []);
  const unprobed = targets.length - blocked.length - probes.length;
  const partial = unprobed > 0 ? [`TLS probes: ${unprobed} of ${targets.length} endpoint(s) not probed within tls.probe.deadlineSeconds (${options.deadlineSeconds} s)`] : [];
  return { probes, notes, partial };
}

/** `promise`, or a rejection as soon as `signal` aborts (a DNS lookup cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// ---- targets (pure) ------------------------------------------------------------------
