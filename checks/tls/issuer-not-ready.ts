import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certificatesNamingMissingIssuers, certManagerObjectsIn, condition, describeCondition, issuerStates } from '../../src/analysis/tls/index.ts';
import { CERTIFICATE_MANAGEMENT } from '../controls.ts';

export const issuerNotReady: Check = {
  id: 'tls.issuer-not-ready',
  area: 'tls',
  title: 'cert-manager Issuers and ClusterIssuers are Ready',
  protectsAgainst: 'issuers that cannot sign (a missing CA Secret, an unregistered ACME account) or that a Certificate names but do not exist, so every Certificate they serve stops renewing',
  severity: 'medium',
  controls: CERTIFICATE_MANAGEMENT,
  remediation: 'Run `kubectl describe issuer NAME -n NS` (or `clusterissuer NAME`) and fix what its Ready condition names: the CA or credentials Secret, the ACME server and account, the Vault or cloud role. For a Certificate whose issuerRef names an Issuer (in its own namespace) or ClusterIssuer that does not exist, create that issuer or point spec.issuerRef at one that exists (kind defaults to Issuer, group to cert-manager.io).',
  needs: [],
  reads: ['certmanager.issuers', 'certmanager.clusterissuers'],
  // The Certificates only add the issuers they name that do not exist: unread, the issuers are still judged.
  readsBestEffort: ['certmanager.certificates'],
  appliesTo: (ctx) => certManagerObjectsIn(ctx.snapshot, ['certmanager.issuers', 'certmanager.clusterissuers']) || certificatesNamingMissingIssuers(ctx.snapshot).length > 0,
  appliesWhen: 'when cert-manager Issuers or ClusterIssuers exist, or a Certificate names one that does not',
  evaluate(ctx) {
    const out: Verdict[] = [];
    // Only for a live cluster whose Issuers (or ClusterIssuers) were listed whole (certificatesNamingMissingIssuers).
    for (const { certificate: c, kind, name } of certificatesNamingMissingIssuers(ctx.snapshot)) {
      const ns = c.ref.namespace ?? 'default';
      const where = kind === 'Issuer' ? `Issuer ${ns}/${name}` : `ClusterIssuer ${name}`;
      const ready = condition(c, 'Ready');
      const now = ready?.status === 'True' ? `it is Ready now, but ${c.notAfter ? `the certificate it serves expires at ${c.notAfter}` : 'the certificate it serves will expire'} unrenewed` : 'it cannot be issued';
      out.push({ status: 'fail', resource: c.ref, detailKey: `issuerRef/${kind}/${name}`, message: `Certificate ${ns}/${c.ref.name} names ${where} in spec.issuerRef, which does not exist: cert-manager cannot issue or renew it (its CertificateRequests wait as IssuerNotFound), so ${now}.`, evidence: { issuerRef: { kind, name, group: 'cert-manager.io' }, ...(ready ? { ready } : {}), ...(c.notAfter ? { notAfter: c.notAfter } : {}) } });
    }
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
