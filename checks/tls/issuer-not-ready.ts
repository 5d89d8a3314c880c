import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certManagerObjectsIn, condition, describeCondition, issuerStates } from '../../src/analysis/tls/index.ts';
import { CERTIFICATE_MANAGEMENT } from '../controls.ts';

export const issuerNotReady: Check = {
  id: 'tls.issuer-not-ready',
  area: 'tls',
  title: 'cert-manager Issuers and ClusterIssuers are Ready',
  protectsAgainst: 'issuers that cannot sign (a missing CA Secret, an unregistered ACME account), so every Certificate they serve stops renewing',
  severity: 'medium',
  controls: CERTIFICATE_MANAGEMENT,
  remediation: 'Run `kubectl describe issuer NAME -n NS` (or `clusterissuer NAME`) and fix what its Ready condition names: the CA or credentials Secret, the ACME server and account, the Vault or cloud role.',
  needs: [],
  reads: ['certmanager.issuers', 'certmanager.clusterissuers'],
  appliesTo: (ctx) => certManagerObjectsIn(ctx.snapshot, ['certmanager.issuers', 'certmanager.clusterissuers']),
  appliesWhen: 'when cert-manager Issuers or ClusterIssuers exist',
  evaluate(ctx) {
    const out: Verdict[] = [];
    for (const i of issuerStates(ctx.snapshot)) {
      const resource = i.ref;
      const label = `${i.ref.kind} ${i.ref.namespace ? `${i.ref.namespace}/` : ''}${i.ref.name}`;
      const ready = condition(i, 'Ready');
      if (!i.hasStatus || !ready) {
        const why = !i.hasStatus ? 'has no status' : i.problems.length ? `has unreadable conditions (${i.problems.join('; ')})` : 'has no Ready condition';
        out.push({ status: 'fail', resource, severity: 'low', message: `${label} ${why}: cert-manager has not reported on it (is cert-manager running?), so whether it can sign is unknown.`, evidence: i.problems.length ? { problems: i.problems } : undefined });
      } else if (ready.status !== 'True') {
        out.push({ status: 'fail', resource, message: `${label} is not Ready (${ready.status}): ${describeCondition(ready)}.`, evidence: { ready } });
      } else {
        out.push({ status: 'pass', resource, message: `${label} is Ready.` });
      }
    }
    return out;
  },
};
