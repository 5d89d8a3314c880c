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
      else if (early) out.push({ status: 'fail', resource, severity: 'critical', message: `${label}: certificate not valid until ${c.notBefore} (cert-manager status.notBefore), ${notYetValidFor(c.notBefore!, ctx.now)}`, evidence: { ...evidence, ...earlyEvidence(c.notBefore!, ctx.now) } });
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
      else if (early) probed.push({ label, verdict: { status: 'fail', resource, detailKey, severity: 'critical', message: `${label}: certificate not valid until ${p.certificate.notBefore} (its notBefore), ${notYetValidFor(p.certificate.notBefore!, ctx.now)}`, evidence: { ...evidence, ...earlyEvidence(p.certificate.notBefore!, ctx.now) } } });
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

/**
 * How far ahead of the auditor's clock a notBefore is, and that clock's reading, so that an on-call
 * engineer can tell clocks out of step from a certificate issued for later. No allowance is made:
 * clients make none (Go's crypto/x509 refuses a certificate when `now.Before(c.NotBefore)`, in
 * Certificate.isValid, src/crypto/x509/verify.go; OpenSSL reports X509_V_ERR_CERT_NOT_YET_VALID when
 * X509_cmp_time(notBefore, now) > 0, in ossl_x509_check_cert_time, crypto/x509/x509_vfy.c), so a
 * client whose clock reads as the auditor's refuses it too. Backdating is the issuer's to do: Let's
 * Encrypt backdates notBefore by one hour "to allow for clock skew" (an answer on its community
 * forum, https://community.letsencrypt.org/t/time-zone-considerations-needed-for-certificates/23130),
 * while cert-manager's own CA and SelfSigned issuers set it to their clock's now
 * (CertificateTemplateOverrideDuration, pkg/util/pki/certificatetemplate.go), so one they just
 * renewed is seconds ahead of a node whose clock is slower.
 */
function notYetValidFor(notBefore: string, now: Date): string {
  const ahead = Date.parse(notBefore) - now.getTime();
  return `${aheadBy(ahead)} after the auditor's clock (${now.toISOString()}): clients refuse it until then, none allowing for clock skew. ` +
    'Only seconds or minutes ahead: compare this node\'s clock and the issuer\'s with NTP (cert-manager\'s CA and SelfSigned issuers do not backdate notBefore).';
}

function earlyEvidence(notBefore: string, now: Date): { aheadSeconds: number; auditorClock: string } {
  return { aheadSeconds: Math.ceil((Date.parse(notBefore) - now.getTime()) / 1000), auditorClock: now.toISOString() };
}

/** 42 s, 7 min, 5 h, 12 days: rounded up, so a notBefore 0.3 s ahead is never "0 s". */
function aheadBy(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.ceil(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.ceil(s / 3600)} h`;
  return `${Math.ceil(ms / DAY)} days`;
}
