import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { hasProbes, probeSubject } from '../../src/analysis/tls/index.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

const DAY = 86_400_000;

export const certificateExpiring: Check = {
  id: 'tls.certificate-expiring',
  area: 'tls',
  title: 'Edge certificates are not expired or close to expiry',
  protectsAgainst: 'outages and insecure workarounds from expired or soon-to-expire edge certificates',
  severity: 'medium',
  controls: EDGE_ENCRYPTION,
  remediation: 'Renew the certificate (or fix the cert-manager Certificate that should renew it) and roll it out to the Secret the endpoint serves.',
  needs: [],
  appliesTo: hasProbes,
  appliesWhen: 'when TLS endpoints were probed (--probe-tls)',
  evaluate(ctx) {
    const days = ctx.config.tls.certificateExpiryDays;
    const out: Verdict[] = [];
    for (const p of ctx.snapshot.probes ?? []) {
      if (!p.certificate) continue;
      const { resource, detailKey, label } = probeSubject(p);
      const notAfter = Date.parse(p.certificate.notAfter);
      if (Number.isNaN(notAfter)) {
        out.push({ status: 'fail', resource, detailKey, severity: 'low', message: `${label}: certificate expiry ${JSON.stringify(p.certificate.notAfter)} is unreadable.`, evidence: { certificate: p.certificate } });
        continue;
      }
      const left = Math.floor((notAfter - ctx.now.getTime()) / DAY);
      const evidence = { notAfter: p.certificate.notAfter, daysLeft: left, thresholdDays: days, subject: p.certificate.subject };
      if (notAfter <= ctx.now.getTime()) out.push({ status: 'fail', resource, detailKey, severity: 'critical', message: `${label}: certificate expired on ${p.certificate.notAfter}.`, evidence });
      else if (left < days) out.push({ status: 'fail', resource, detailKey, message: `${label}: certificate expires in ${left} day(s) (${p.certificate.notAfter}), within the ${days}-day threshold.`, evidence });
      else out.push({ status: 'pass', resource, detailKey, message: `${label}: certificate valid for ${left} more days.`, evidence });
    }
    return out;
  },
};
