import net from 'node:net';
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import type { TlsProbeResult } from '../../src/snapshot/types.ts';
import { hasProbes, probeSubject, reachedAtLoadBalancerAddress, worstPerProbeSubject } from '../../src/analysis/tls/index.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

export const certificateHostnameMismatch: Check = {
  id: 'tls.certificate-hostname-mismatch',
  area: 'tls',
  title: 'Edge certificates match the host name they serve',
  protectsAgainst: 'endpoints presenting certificates for other names (default certificates, wrong Secret), which trains users to click through warnings',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Serve a certificate whose SANs include the host (check the Ingress tls secretName / Gateway certificateRefs and that the tls hosts match the rules).',
  needs: [],
  appliesTo: hasProbes,
  appliesWhen: 'when TLS endpoints were probed (--probe-tls)',
  evaluate(ctx) {
    const out: Array<{ verdict: Verdict; label: string }> = [];
    for (const p of ctx.snapshot.probes ?? []) {
      if (!p.certificate || unjudged(p)) continue;
      const name = p.endpoint.sni ?? p.endpoint.host;
      const { resource, detailKey, label } = probeSubject(p);
      const miss = p.certificate.hostnameMismatch;
      const evidence = { endpoint: p.endpoint, name, subject: p.certificate.subject, altNames: p.certificate.altNames, ...(miss ? { mismatch: miss } : {}) };
      out.push({ label, verdict: p.certificate.hostnameMatches
        ? { status: 'pass', resource, detailKey, message: `${label}: certificate covers ${name}.`, evidence }
        : { status: 'fail', resource, detailKey, message: `${label}: certificate (CN ${p.certificate.subject ?? '?'}, SANs ${(p.certificate.altNames ?? []).join(', ') || 'none'}) does not cover ${name}${miss ? `: ${MISS[miss]}` : ''}.`, evidence } });
    }
    return worstPerProbeSubject(out, certificateHostnameMismatch.severity);
  },
  excluded(ctx) {
    const left = (ctx.snapshot.probes ?? []).filter((p) => p.certificate && unjudged(p));
    if (left.length === 0) return undefined;
    const atLb = left.filter((p) => reachedAtLoadBalancerAddress(p.endpoint));
    const named = (ps: TlsProbeResult[]) => `${ps.slice(0, 3).map((p) => `${p.endpoint.origin === 'config' ? '' : `${p.endpoint.origin} at `}${p.endpoint.host}:${p.endpoint.port}`).join(', ')}${ps.length > 3 ? `, and ${ps.length - 3} more` : ''}`;
    const parts = [
      ...(atLb.length ? [`${atLb.length} endpoint(s) reached at a LoadBalancer Service's status.loadBalancer address without a host name to send as SNI (${named(atLb)}): the address, an IP or the cloud's DNS name, is not a name the service's clients use, so no certificate is expected to name it`] : []),
      ...(left.length > atLb.length ? [`${left.length - atLb.length} configured endpoint(s) given as an IP address without sni (${named(left.filter((p) => !reachedAtLoadBalancerAddress(p.endpoint)))})`] : []),
    ];
    return `Certificate names not judged for ${parts.join('; ')}. List the endpoint in tls.probe.endpoints with the sni its clients send to judge it.`;
  },
};

/**
 * Why a certificate some clients accept does not cover the name (RFC 9525 section 6.3,
 * https://www.rfc-editor.org/rfc/rfc9525#section-6.3; Go's crypto/x509 VerifyHostname).
 */
const MISS: Record<NonNullable<NonNullable<TlsProbeResult['certificate']>['hostnameMismatch']>, string> = {
  'cn-only': 'it names the host only in its subject Common Name, which RFC 9525 clients ignore (Go since 1.17, so ingress-nginx and the Kubernetes tooling, and browsers): issue it with the host as a DNS subjectAltName',
  'partial-wildcard': 'only a wildcard inside a label (such as a*.example.com) would cover it, and RFC 9525 clients take a wildcard only as the whole left-most label (*.example.com)',
};

/** A probe with no name its clients use to match: found at a load-balancer address without SNI, or configured as a bare IP. */
function unjudged(p: TlsProbeResult): boolean {
  return reachedAtLoadBalancerAddress(p.endpoint) || (!p.endpoint.sni && net.isIP(p.endpoint.host) !== 0);
}
