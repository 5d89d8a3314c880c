import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { hasProbes, probeSubject, worstPerProbeSubject } from '../../src/analysis/tls/index.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

export const probeLegacyAccepted: Check = {
  id: 'tls.probe-legacy-accepted',
  area: 'tls',
  title: 'Exposed endpoints refuse TLS 1.0 and 1.1 handshakes',
  protectsAgainst: 'exposed endpoints that actually complete TLS 1.0/1.1 handshakes, whatever the configuration says',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Set the minimum protocol of the controller, gateway or backend that terminates TLS for this endpoint to TLS 1.2.',
  needs: [],
  appliesTo: hasProbes,
  appliesWhen: 'when TLS endpoints were probed (--probe-tls)',
  evaluate(ctx) {
    const out: Array<{ verdict: Verdict; label: string }> = [];
    for (const p of ctx.snapshot.probes ?? []) {
      const { resource, detailKey, label } = probeSubject(p);
      const accepted = (['TLSv1', 'TLSv1.1'] as const).filter((v) => p.versions[v] === 'accepted');
      const evidence = { endpoint: p.endpoint, versions: p.versions };
      if (accepted.length) out.push({ label, verdict: { status: 'fail', resource, detailKey, message: `${label} completed a handshake with ${accepted.join(' and ')}.`, evidence } });
      else if (p.versions.TLSv1 === 'rejected' && p.versions['TLSv1.1'] === 'rejected') out.push({ label, verdict: { status: 'pass', resource, detailKey, message: `${label} refuses TLS 1.0 and 1.1.`, evidence } });
      // Inconclusive or unreachable endpoints are not evaluated: no verdict either way.
    }
    return worstPerProbeSubject(out, probeLegacyAccepted.severity);
  },
};
