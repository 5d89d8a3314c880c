import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certificateStates, certManagerObjectsIn, condition, describeCondition } from '../../src/analysis/tls/index.ts';
import { CERTIFICATE_MANAGEMENT } from '../controls.ts';

export const certificateNotReady: Check = {
  id: 'tls.certificate-not-ready',
  area: 'tls',
  title: 'cert-manager Certificates are Ready and their last issuance succeeded',
  protectsAgainst: 'certificates that cert-manager failed to issue or renew (a Ready condition False, a failed last issuance), which expire unnoticed or were never served',
  severity: 'medium',
  controls: CERTIFICATE_MANAGEMENT,
  remediation: 'Run `kubectl describe certificate NAME -n NS` and fix what the Ready/Issuing condition names (issuer not ready, ACME challenge failing, DNS, rate limits); then `cmctl renew` or delete the failed CertificateRequest so cert-manager retries.',
  needs: ['certmanager.certificates'],
  appliesTo: (ctx) => certManagerObjectsIn(ctx.snapshot, ['certmanager.certificates']),
  appliesWhen: 'when cert-manager Certificates exist',
  evaluate(ctx) {
    const out: Verdict[] = [];
    for (const c of certificateStates(ctx.snapshot)) {
      const resource = c.ref;
      const label = `Certificate ${c.ref.namespace}/${c.ref.name}`;
      const ready = condition(c, 'Ready');
      const issuing = condition(c, 'Issuing');
      const evidence: Record<string, unknown> = {
        ...(ready ? { ready } : {}), ...(issuing ? { issuing } : {}),
        ...(c.lastFailureTime ? { lastFailureTime: c.lastFailureTime } : {}),
        ...(c.failedIssuanceAttempts !== undefined ? { failedIssuanceAttempts: c.failedIssuanceAttempts } : {}),
        ...(c.issuerRef ? { issuerRef: c.issuerRef } : {}),
        ...(c.problems.length ? { problems: c.problems } : {}),
      };
      if (!c.hasStatus || !ready) {
        const why = !c.hasStatus ? 'has no status' : c.problems.length ? `has unreadable conditions (${c.problems.join('; ')})` : 'has no Ready condition';
        out.push({ status: 'fail', resource, severity: 'low', message: `${label} ${why}: cert-manager has not reported on it (is cert-manager running?), so whether it is issued is unknown.`, evidence });
      } else if (ready.status !== 'True') {
        out.push({ status: 'fail', resource, message: `${label} is not Ready (${ready.status}): ${describeCondition(ready)}.`, evidence });
      } else if (c.lastFailureTime || (issuing && issuing.status === 'False' && issuing.reason === 'Failed')) {
        const why = issuing?.reason === 'Failed' ? describeCondition(issuing) : `last issuance failed at ${c.lastFailureTime}`;
        out.push({ status: 'fail', resource, message: `${label} is Ready but its last issuance (renewal) failed: ${why}; the served certificate will expire unless it succeeds.`, evidence });
      } else {
        out.push({ status: 'pass', resource, message: `${label} is Ready${c.notAfter ? ` (valid until ${c.notAfter})` : ''}.` });
      }
    }
    return out;
  },
};
