import net from 'node:net';
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { hasProbes, probeSubject, worstPerProbeSubject } from '../../src/analysis/tls/index.ts';
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
      if (!p.certificate) continue;
      const name = p.endpoint.sni ?? p.endpoint.host;
      if (!p.endpoint.sni && net.isIP(p.endpoint.host)) continue; // a bare load-balancer address has no name to match
      const { resource, detailKey, label } = probeSubject(p);
      const evidence = { endpoint: p.endpoint, name, subject: p.certificate.subject, altNames: p.certificate.altNames };
      out.push({ label, verdict: p.certificate.hostnameMatches
        ? { status: 'pass', resource, detailKey, message: `${label}: certificate covers ${name}.`, evidence }
        : { status: 'fail', resource, detailKey, message: `${label}: certificate (CN ${p.certificate.subject ?? '?'}, SANs ${(p.certificate.altNames ?? []).join(', ') || 'none'}) does not cover ${name}.`, evidence } });
    }
    return worstPerProbeSubject(out, certificateHostnameMismatch.severity);
  },
};
