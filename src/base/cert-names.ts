// Whether a certificate names a host, as TLS clients check it today: RFC 9525 section 6.3
// (https://www.rfc-editor.org/rfc/rfc9525#section-6.3) and Go's crypto/x509
// Certificate.VerifyHostname (matchHostnames), the client of ingress-nginx, cert-manager and the
// Kubernetes tooling. Only DNS subjectAltNames name a host (RFC 9525 section 1.2 drops the
// CN-ID; Go ignores the Common Name since Go 1.17); a wildcard is the whole left-most label and
// stands for exactly one label ("*.example.com" covers "a.example.com", never "a.b.example.com",
// "example.com", nor is "a*.example.com" a wildcard); names compare case-insensitively, without a
// trailing dot, an internationalised host as its A-labels (as Node's tls.checkServerIdentity
// converts it, url.domainToASCII). An IP address is matched against the IP address SANs alone.
// Node's own checkServerIdentity is more lenient (a CN without DNS SANs, partial wildcards):
// the looser rules are kept here only to say why a certificate fails (CertificateNameMiss).

import { domainToASCII } from 'node:url';
import { parseIp } from './ip.ts';

/** The names a certificate carries for host matching. */
export interface CertificateNames {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  /** The subject's Common Name(s): never a match, only named when it is all that would match. */
  commonNames?: readonly string[];
}

/**
 * Why a certificate does not name a host although a lenient client would take it: the host is
 * only in its subject CN (`cn-only`), or only a SAN with a wildcard inside a label
 * ("a*.example.com", `partial-wildcard`) would cover it.
 */
export type CertificateNameMiss = 'cn-only' | 'partial-wildcard';

/** A name as compared: lower-case ASCII (A-labels for an internationalised name), without a trailing dot. */
function comparable(name: string): string {
  const ascii = /^\p{ASCII}*$/u.test(name) ? name.toLowerCase() : domainToASCII(name);
  return ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
}

/**
 * Whether a DNS name a certificate presents (a DNS SAN, or a name standing for one) covers the
 * host: equal, or a "*." wildcard standing for the host's whole first label. The host is a name
 * a client connects to, never a wildcard: one with a "*" is covered only by the same name.
 */
export function dnsNameCovers(presented: string, host: string): boolean {
  // A DNS SAN is IA5 text, an internationalised name in it A-labels (RFC 5280 section 7.2): Node
  // matches none that is not ASCII, nor does this.
  if (!/^\p{ASCII}*$/u.test(presented)) return false;
  const p = comparable(presented);
  const h = comparable(host);
  if (p === '' || h === '') return false;
  if (p === h) return true;
  if (!p.startsWith('*.') || p.indexOf('*', 1) >= 0 || h.includes('*')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === p.slice(1);
}

/** The looser match of clients that take a "*" inside the first label ("a*.example.com" for "abc.example.com"). */
function partialWildcardCovers(presented: string, host: string): boolean {
  const p = comparable(presented).split('.');
  const h = comparable(host).split('.');
  const first = p[0] ?? '';
  const star = first.indexOf('*');
  if (star < 0 || first === '*' || first.indexOf('*', star + 1) >= 0 || first.includes('xn--') || p.length !== h.length || p.length < 3) return false;
  if (p.some((l, i) => i > 0 && l !== h[i])) return false;
  const prefix = first.slice(0, star);
  const suffix = first.slice(star + 1);
  const label = h[0] ?? '';
  return label.length >= prefix.length + suffix.length && label.startsWith(prefix) && label.endsWith(suffix);
}

/**
 * Whether the certificate names the host (a name or an IP address, as a client connects to it),
 * and when it does not, why a lenient client would still have taken it (undefined: none would).
 */
export function certificateNamesHost(cert: CertificateNames, host: string): { matches: boolean; miss?: CertificateNameMiss } {
  const ip = parseIp(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  if (ip) return { matches: cert.ipAddresses.some((a) => { const b = parseIp(a); return b !== undefined && b.family === ip.family && b.value === ip.value; }) };
  if (cert.dnsNames.some((d) => dnsNameCovers(d, host))) return { matches: true };
  if (cert.dnsNames.some((d) => partialWildcardCovers(d, host))) return { matches: false, miss: 'partial-wildcard' };
  if ((cert.commonNames ?? []).some((cn) => dnsNameCovers(cn, host) || partialWildcardCovers(cn, host))) return { matches: false, miss: 'cn-only' };
  return { matches: false };
}
