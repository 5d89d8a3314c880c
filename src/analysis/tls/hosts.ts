// Host name matching for TLS coverage. Ingress tls hosts and certificate names: exact, or
// "*.example.com" covering exactly one extra label (src/base/cert-names.ts, RFC 9525). Gateway
// API listener hostnames: "*.example.com" is a suffix match (any number of labels, never the apex).

import { dnsNameCovers } from '../../base/cert-names.ts';

export function normalizeHost(h: string): string {
  return h.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Whether an Ingress `tls[].hosts` entry, or a name a certificate is issued for (a cert-manager
 * Certificate's dnsNames), covers a rule host: a wildcard rule host only by the same wildcard.
 */
export function ingressTlsHostCovers(tlsHost: string, host: string): boolean {
  const t = normalizeHost(tlsHost);
  const h = normalizeHost(host);
  // Kubernetes validates both as DNS names (ASCII): only a wildcard needs the matcher.
  return t === h || (t.startsWith('*.') && dnsNameCovers(t, h));
}

/** Whether a Gateway API listener hostname (undefined = any) covers a hostname (undefined = any). */
export function listenerHostnameCovers(listener: string | undefined, host: string | undefined): boolean {
  if (listener === undefined) return true;
  if (host === undefined) return false;
  const l = normalizeHost(listener);
  const h = normalizeHost(host);
  if (l === h) return true;
  if (!l.startsWith('*.')) return false;
  if (h.startsWith('*.')) return h.endsWith(l.slice(1)) && h.length >= l.length;
  return h.endsWith(l.slice(1)) && h.length > l.length - 1;
}

/**
 * Istio host.Name SubsetOf (istio/istio pkg/config/host/name.go): whether host `n` is covered by
 * `o`, where a leading "*" is a suffix wildcard ("*" covers every host, "*.example.com" covers
 * "a.b.example.com" but not "example.com").
 */
export function istioHostSubsetOf(n: string, o: string): boolean {
  if (n.startsWith('*')) return o.startsWith('*') && n.length >= o.length && n.slice(1).endsWith(o.slice(1));
  if (o.startsWith('*')) return n.endsWith(o.slice(1));
  return n === o;
}

/**
 * One pair of Istio host.Names Intersection (istio/istio pkg/config/host/names.go): the more
 * specific of two overlapping hosts, or undefined when neither covers the other.
 */
export function istioHostIntersection(a: string, b: string): string | undefined {
  return istioHostSubsetOf(a, b) ? a : istioHostSubsetOf(b, a) ? b : undefined;
}

/** Whether a value names TLS 1.0/1.1 or SSL (in any of the spellings controllers use). */
export function isLegacyVersionToken(token: string): boolean {
  const t = token.trim().replace(/^["']|["']$/g, '').toLowerCase();
  return /^(sslv[23]|tlsv1|tlsv1[._]0|tlsv1[._]1|tls1[._]?[01]|tls_?1[._][01]|tlsv1_?[01]|versiontls1[01]|tls_?v1_[01]|1\.[01]|v1\.[01])$/.test(t);
}

/** Tokens of a protocol list such as "TLSv1 TLSv1.1 TLSv1.2" or "TLSv1.2,TLSv1.3". */
export function versionTokens(value: string): string[] {
  return value.split(/[\s,;:]+/).filter(Boolean);
}
