import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certificateStates, hasProbes, probeSubject, worstPerProbeSubject } from '../../src/analysis/tls/index.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

const DAY = 86_400_000;

export const certificateExpiring: Check = {
  id: 'tls.certificate-expiring',
  area: 'tls',
  title: 'Edge certificates are not expired or close to expiry',
  protectsAgainst: 'outages and insecure workarounds from expired, not yet valid or soon-to-expire edge certificates',
  severity: 'medium',
  controls: EDGE_ENCRYPTION,
  remediation: 'Renew the certificate (or fix the cert-manager Certificate that should renew it) and roll it out to the Secret the endpoint serves. A certificate not valid yet (its notBefore ahead, e.g. issued with a clock set wrong) is refused as an expired one is: serve one valid now.',
  needs: [],
  reads: ['certmanager.certificates'],
  timeDependent: true,
  appliesTo: (ctx) => hasProbes(ctx) || certificateStates(ctx.snapshot).some((c) => c.notAfter !== undefined),
  appliesWhen: 'when TLS endpoints were probed (--probe-tls) or cert-manager Certificates report status.notAfter',
  evaluate(ctx) {
    const days = ctx.config.tls.certificateExpiryDays;
    const out: Verdict[] = [];
    // cert-manager's own record of the certificate in the Secret (status.notAfter): no probe, no Secret read.
    for (const c of certificateStates(ctx.snapshot)) {
      if (c.notAfter === undefined) continue;
      const resource = c.ref;
      const label = `Certificate ${c.ref.namespace}/${c.ref.name}${c.secretName ? ` (Secret ${c.secretName})` : ''}`;
      const notAfter = Date.parse(c.notAfter);
      if (Number.isNaN(notAfter)) {
        out.push({ status: 'fail', resource, severity: 'low', message: `${label}: status.notAfter ${JSON.stringify(c.notAfter)} is unreadable.`, evidence: { notAfter: c.notAfter } });
        continue;
      }
      const left = Math.floor((notAfter - ctx.now.getTime()) / DAY);
      const evidence = { notAfter: c.notAfter, ...(c.notBefore ? { notBefore: c.notBefore } : {}), daysLeft: left, thresholdDays: days, source: 'Certificate status.notAfter', ...(c.renewalTime ? { renewalTime: c.renewalTime } : {}) };
      const early = notYetValid(c.notBefore, ctx.now);
      if (early === 'unreadable') out.push({ status: 'fail', resource, severity: 'low', message: `${label}: status.notBefore ${JSON.stringify(c.notBefore)} is unreadable.`, evidence });
      else if (early) out.push({ status: 'fail', resource, severity: 'critical', message: `${label}: certificate not valid until ${c.notBefore} (cert-manager status.notBefore): clients refuse it until then.`, evidence });
      else if (notAfter <= ctx.now.getTime()) out.push({ status: 'fail', resource, severity: 'critical', message: `${label}: certificate expired on ${c.notAfter} (cert-manager status).`, evidence });
      else if (left < days) {
        // A short-lived certificate is always within the threshold: what matters is that cert-manager
        // has a renewal scheduled (status.renewalTime) that is still ahead and comes before expiry.
        const renewal = c.renewalTime === undefined ? NaN : Date.parse(c.renewalTime);
        const within = `certificate expires in ${left} day(s) (${c.notAfter}), within the ${days}-day threshold`;
        if (renewal > ctx.now.getTime() && renewal < notAfter) out.push({ status: 'pass', resource, message: `${label}: ${within}; cert-manager renews it at ${c.renewalTime} (status.renewalTime).`, evidence });
        else {
          const why = c.renewalTime === undefined ? 'cert-manager has no renewal scheduled (status.renewalTime unset)'
            : Number.isNaN(renewal) ? `status.renewalTime ${JSON.stringify(c.renewalTime)} is unreadable`
              : renewal <= ctx.now.getTime() ? `its renewal was due at ${c.renewalTime} and has not happened`
                : `its renewal is scheduled at ${c.renewalTime}, after it expires`;
          out.push({ status: 'fail', resource, message: `${label}: ${within}; ${why}.`, evidence });
        }
      } else out.push({ status: 'pass', resource, message: `${label}: certificate valid for ${left} more days.`, evidence });
    }
    const probed: Array<{ verdict: Verdict; label: string }> = [];
    for (const p of ctx.snapshot.probes ?? []) {
      if (!p.certificate) continue;
      const { resource, detailKey, label } = probeSubject(p);
      const notAfter = Date.parse(p.certificate.notAfter);
      if (Number.isNaN(notAfter)) {
        probed.push({ label, verdict: { status: 'fail', resource, detailKey, severity: 'low', message: `${label}: certificate expiry ${JSON.stringify(p.certificate.notAfter)} is unreadable.`, evidence: { endpoint: p.endpoint, certificate: p.certificate } } });
        continue;
      }
      const left = Math.floor((notAfter - ctx.now.getTime()) / DAY);
      const evidence = { endpoint: p.endpoint, notAfter: p.certificate.notAfter, ...(p.certificate.notBefore ? { notBefore: p.certificate.notBefore } : {}), daysLeft: left, thresholdDays: days, subject: p.certificate.subject };
      const early = notYetValid(p.certificate.notBefore, ctx.now);
      if (early === 'unreadable') probed.push({ label, verdict: { status: 'fail', resource, detailKey, severity: 'low', message: `${label}: certificate start of validity ${JSON.stringify(p.certificate.notBefore)} is unreadable.`, evidence } });
      else if (early) probed.push({ label, verdict: { status: 'fail', resource, detailKey, severity: 'critical', message: `${label}: certificate not valid until ${p.certificate.notBefore} (its notBefore): clients refuse it until then.`, evidence } });
      else if (notAfter <= ctx.now.getTime()) probed.push({ label, verdict: { status: 'fail', resource, detailKey, severity: 'critical', message: `${label}: certificate expired on ${p.certificate.notAfter}.`, evidence } });
      else if (left < days) probed.push({ label, verdict: { status: 'fail', resource, detailKey, message: `${label}: certificate expires in ${left} day(s) (${p.certificate.notAfter}), within the ${days}-day threshold.`, evidence } });
      else probed.push({ label, verdict: { status: 'pass', resource, detailKey, message: `${label}: certificate valid for ${left} more days.`, evidence } });
    }
    return [...out, ...worstPerProbeSubject(probed, certificateExpiring.severity)];
  },
};

/**
 * Whether a certificate is not valid yet at `now`: its validity period runs "from notBefore through
 * notAfter, inclusive" (RFC 5280 section 4.1.2.5, https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5),
 * and clients refuse it before (OpenSSL's CERT_NOT_YET_VALID). cert-manager records it as
 * status.notBefore, "the time after which the certificate stored in the secret ... is valid"
 * (https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateStatus); probes
 * written before it was recorded, and Certificates without it, have none: nothing to judge.
 */
function notYetValid(notBefore: string | undefined, now: Date): boolean | 'unreadable' {
  if (notBefore === undefined) return false;
  const t = Date.parse(notBefore);
  return Number.isNaN(t) ? 'unreadable' : t > now.getTime();
}
