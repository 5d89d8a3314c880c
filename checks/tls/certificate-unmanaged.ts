import type { Check, ConditionalRead } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certificateStates, firstIssuerKindWithoutGroup, firstTlsAcmeIngress, managedSecrets, tlsSecretUses } from '../../src/analysis/tls/index.ts';
import { CERTIFICATE_MANAGEMENT } from '../controls.ts';

const INGRESS_SHIM_READ: ConditionalRead = {
  kinds: ['deployments'],
  when: 'when an Ingress with spec.tls carries kubernetes.io/tls-acme, or an Ingress or Gateway names an external cert-manager.io/issuer-kind without cert-manager.io/issuer-group: the cert-manager controller Deployment (--default-issuer-name, --auto-certificate-annotations, --default-issuer-group)',
  holds(ctx) {
    const ing = firstTlsAcmeIngress(ctx.snapshot);
    if (ing) return `cert-manager's default issuer for the kubernetes.io/tls-acme annotation of Ingress ${ing}`;
    const kind = firstIssuerKindWithoutGroup(ctx.snapshot);
    return kind ? `cert-manager's default issuer group for the cert-manager.io/issuer-kind annotation of ${kind}` : undefined;
  },
};

export const certificateUnmanaged: Check = {
  id: 'tls.certificate-unmanaged',
  area: 'tls',
  title: 'Edge TLS Secrets are issued and renewed by cert-manager',
  protectsAgainst: 'edge certificates rotated by hand (an Ingress or Gateway TLS Secret that no cert-manager Certificate manages), which expire when someone forgets',
  severity: 'low',
  controls: CERTIFICATE_MANAGEMENT,
  remediation: 'Install cert-manager if the cluster lacks it (its controller runs the shims), then create a cert-manager Certificate whose spec.secretName is the Secret the Ingress/Gateway serves, or annotate the Ingress/Gateway with cert-manager.io/cluster-issuer (or cert-manager.io/issuer) so cert-manager creates one: its shims take only Ingress TLS entries that list hosts, and Gateway HTTPS/TLS listeners in Terminate mode with a hostname and certificateRefs in the Gateway namespace (kubernetes.io/tls-acme: "true" on an Ingress does so only when the cert-manager controller sets --default-issuer-name).',
  // Only the Secret names the Ingress/Gateway reference and the Certificates' spec.secretName: Secrets are never read.
  needs: ['ingresses'],
  reads: ['certmanager.certificates', 'gatewayapi.gateways'],
  readsWhen: [INGRESS_SHIM_READ],
  evaluate(ctx) {
    const certs = managedSecrets(certificateStates(ctx.snapshot));
    const { uses } = tlsSecretUses(ctx.snapshot);
    const certificatesRead = ctx.snapshot.coverage['certmanager.certificates']?.status;
    // The shims are part of the cert-manager controller (https://cert-manager.io/docs/usage/ingress/):
    // on a live cluster that serves no Certificate API, an annotation creates nothing. Manifests
    // seldom hold cert-manager itself, so there the annotation is taken at its word. Forbidden or
    // failed, the kind keeps the check not evaluated (the engine, from `reads`).
    const notInstalled = ctx.snapshot.origin === 'live' && certificatesRead === 'absent';
    const out: Verdict[] = [];
    for (const u of uses) {
      const resource = u.owner;
      const detailKey = `${u.namespace}/${u.secretName}`;
      const label = `${u.owner.kind} ${u.owner.namespace}/${u.owner.name} ${u.where}`;
      const managedBy = certs.get(`${u.namespace}/${u.secretName}`);
      if (managedBy) out.push({ status: 'pass', resource, detailKey, message: `${label}: Secret ${detailKey} is managed by Certificate ${managedBy.namespace}/${managedBy.name}.` });
      else if (u.shimAnnotation && notInstalled) {
        out.push({
          status: 'fail', resource, detailKey,
          message: `${label}: its ${u.owner.kind} carries the ${u.shimAnnotation} annotation for TLS Secret ${detailKey}, but cert-manager is not installed (the cluster serves no certificates.cert-manager.io): the annotation creates no Certificate, so it is rotated by hand.`,
          evidence: { secret: detailKey, where: u.where, certificatesRead: 'absent', shimAnnotation: u.shimAnnotation },
        });
      } else if (u.shimAnnotation) out.push({ status: 'pass', resource, detailKey, message: `${label}: Secret ${detailKey} is issued through the ${u.shimAnnotation} annotation${u.shimIssuer ? ` by ${u.shimIssuer}` : ''}.` });
      else {
        out.push({
          status: 'fail', resource, detailKey,
          message: `${label}: TLS Secret ${detailKey} is not managed by any cert-manager Certificate (no Certificate has spec.secretName ${u.secretName} in ${u.namespace}, ${u.shimAnnotationSkipped ? u.shimIgnored : `no cert-manager.io issuer annotation${u.shimIgnored ? `; ${u.shimIgnored}` : ''}`}): it is rotated by hand.`,
          evidence: { secret: detailKey, where: u.where, certificatesRead: certificatesRead ?? 'not collected', ...(u.shimIgnored ? { shimIgnored: u.shimIgnored } : {}) },
        });
      }
    }
    return out;
  },
};
