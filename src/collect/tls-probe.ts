// Active TLS probing (opt-in): one handshake per protocol version, pinned with both
// minVersion and maxVersion (lowering only maxVersion leaves Node's 1.2 floor and fails
// with ERR_SSL_NO_PROTOCOLS_AVAILABLE before anything is sent), with OpenSSL security level
// 0 so legacy handshakes signed with MD5+SHA1 are not refused client-side and misreported
// as "rejected". Only a protocol_version alert counts as rejection; everything else is
// inconclusive. Unreachable targets become results with `error`, never exceptions.

import net from 'node:net';
import tls from 'node:tls';
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
}

function handshake(ep: ProbeEndpoint, version: Version, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (h: Handshake, socket?: tls.TLSSocket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
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
        minVersion: version,
        maxVersion: version,
        ciphers: PROBE_CIPHERS,
        rejectUnauthorized: false,
      });
    } catch (error: unknown) {
      const e = error as NodeJS.ErrnoException;
      resolve({ outcome: 'inconclusive', code: e.code, error: e.message });
      return;
    }
    const timer = setTimeout(() => finish({ outcome: 'inconclusive', code: 'TIMEOUT', error: `no answer within ${timeoutMs} ms` }, socket), timeoutMs);
    socket.once('secureConnect', () => {
      const got = socket.getProtocol();
      if (got === version) finish({ outcome: 'accepted', cert: socket.getPeerCertificate() }, socket);
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

function parseAltNames(san: string | undefined): string[] {
  if (!san) return [];
  return san.split(/,\s*/).map((s) => s.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
}

export async function probeEndpoint(ep: ProbeEndpoint, timeoutMs: number): Promise<TlsProbeResult> {
  const versions = { 'TLSv1': 'inconclusive', 'TLSv1.1': 'inconclusive', 'TLSv1.2': 'inconclusive', 'TLSv1.3': 'inconclusive' } as TlsProbeResult['versions'];
  let cert: tls.PeerCertificate | undefined;
  const errors: string[] = [];
  for (const v of PROBE_VERSIONS) {
    const h = await handshake(ep, v, timeoutMs);
    versions[v] = h.outcome;
    if (h.cert && !cert && h.cert.valid_to) cert = h.cert;
    if (h.error) errors.push(`${v}: ${h.error}`);
    if (h.outcome === 'inconclusive' && h.code && UNREACHABLE.has(h.code)) {
      return { endpoint: ep, versions, error: `unreachable: ${h.error ?? h.code}` };
    }
  }
  const result: TlsProbeResult = { endpoint: ep, versions };
  if (cert) {
    const name = ep.sni ?? ep.host;
    let hostnameMatches = false;
    try {
      hostnameMatches = tls.checkServerIdentity(name, cert) === undefined;
    } catch {
      hostnameMatches = false;
    }
    const notAfter = new Date(cert.valid_to);
    result.certificate = {
      notAfter: Number.isNaN(notAfter.getTime()) ? cert.valid_to : notAfter.toISOString(),
      subject: typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined,
      altNames: parseAltNames(cert.subjectaltname),
      hostnameMatches,
    };
  }
  if (Object.values(versions).every((o) => o === 'inconclusive')) result.error = errors[0] ?? 'no handshake completed';
  return result;
}

/** Probes every endpoint with at most `concurrency` in flight; results keep input order. */
export async function probeEndpoints(endpoints: ProbeEndpoint[], options: ProbeOptions): Promise<TlsProbeResult[]> {
  const results: TlsProbeResult[] = new Array(endpoints.length);
  const limit = Math.max(1, Math.floor(options.concurrency) || 1);
  let next = 0;
  const worker = async () => {
    while (next < endpoints.length) {
      const i = next++;
      try {
        results[i] = await probeEndpoint(endpoints[i], options.timeoutMs);
      } catch (error: unknown) {
        const versions = { 'TLSv1': 'inconclusive', 'TLSv1.1': 'inconclusive', 'TLSv1.2': 'inconclusive', 'TLSv1.3': 'inconclusive' } as TlsProbeResult['versions'];
        results[i] = { endpoint: endpoints[i], versions, error: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, endpoints.length) }, worker));
  return results;
}

// ---- targets (pure) ------------------------------------------------------------------
