import type { Check, ConditionalRead } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { certificateStates, firstIssuerKindWithoutGroup, firstShimAnnotated, firstTlsAcmeIngress, managedSecrets, tlsSecretUses } from '../../src/analysis/tls/index.ts';
import { LISTENER_SET_KINDS } from '../../src/analysis/edge/listener-sets.ts';
import { CERTIFICATE_MANAGEMENT } from '../controls.ts';

const INGRESS_SHIM_READ: ConditionalRead = {
  kinds: ['deployments'],
  when: 'when an Ingress with spec.tls carries kubernetes.io/tls-acme or a cert-manager.io issuer annotation, or a Gateway carries the latter: the cert-manager controller Deployment (--default-issuer-name, --auto-certificate-annotations, --default-issuer-group, --controllers, --enable-gateway-api)',
  holds(ctx) {
    const ing = firstTlsAcmeIngress(ctx.snapshot);
    if (ing) return `cert-manager's default issuer for the kubernetes.io/tls-acme annotation of Ingress ${ing}`;
    const kind = firstIssuerKindWithoutGroup(ctx.snapshot);
    if (kind) return `cert-manager's default issuer group for the cert-manager.io/issuer-kind annotation of ${kind}`;
    const shim = firstShimAnnotated(ctx.snapshot);
    return shim ? `whether cert-manager's controller runs the shim for the issuer annotation of ${shim}` : undefined;
  },
};

export const certificateUnmanaged: Check = {
  id: 'tls.certificate-unmanaged',
  area: 'tls',
  title: 'Edge TLS Secrets are issued and renewed by cert-manager',
  protectsAgainst: 'edge certificates rotated by hand (an Ingress or Gateway TLS Secret that no cert-manager Certificate manages), which expire when someone forgets',
  severity: 'low',
  controls: CERTIFICATE_MANAGEMENT,
  remediation: 'Install cert-manager if the cluster lacks it (its controller runs the shims), then create a cert-manager Certificate whose spec.secretName is the Secret the Ingress/Gateway serves, or annotate the Ingress/Gateway with cert-manager.io/cluster-issuer (or cert-manager.io/issuer) so cert-manager creates one: its shims take only Ingress TLS entries that list hosts, and Gateway HTTPS/TLS listeners in Terminate mode with a hostname and certificateRefs in the Gateway namespace (kubernetes.io/tls-acme: "true" on an Ingress does so only when the cert-manager controller sets --default-issuer-name); the controller must run the shim: keep ingress-shim in --controllers (the default *), and for Gateways enable Gateway API support (--enable-gateway-api, or enableGatewayAPI in its --config file, which is not read, so a Gateway\'s pass then says so); on a live cluster whose Certificates were listed, an annotated Secret no Certificate writes fails: cert-manager has created none for it (look at its controller\'s logs and the object\'s events).',
  // Only the Secret names the Ingress/Gateway reference and the Certificates' spec.secretName: Secrets are never read.
  needs: ['ingresses'],
  reads: ['certmanager.certificates', 'gatewayapi.gateways', 'namespaces'],
  readsWhen: [INGRESS_SHIM_READ],
  // The listeners a Gateway API ListenerSet adds to a Gateway bring their own certificateRefs; unread, the Gateways' are judged alone.
  readsBestEffort: [...LISTENER_SET_KINDS],
  evaluate(ctx) {
    const certs = managedSecrets(certificateStates(ctx.snapshot));
    const { uses } = tlsSecretUses(ctx.snapshot);
    const certificatesRead = ctx.snapshot.coverage['certmanager.certificates']?.status;
    // The shims are part of the cert-manager controller (https://cert-manager.io/docs/usage/ingress/):
    // on a live cluster that serves no Certificate API, an annotation creates nothing. Manifests
    // seldom hold cert-manager itself, so there the annotation is taken at its word. Forbidden or
    // failed, the kind keeps the check not evaluated (the engine, from `reads`).
    const notInstalled = ctx.snapshot.origin === 'live' && certificatesRead === 'absent';
    // From manifests a shim's Certificate does not exist yet; on a live cluster it must.
    const shimMadeNone = ctx.snapshot.origin === 'live' && certificatesRead === 'ok';
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
      } else if (u.shimAnnotation && shimMadeNone) {
        // Live, Certificates listed: the shim names its Certificate after the Secret and sets its
        // spec.secretName to it (https://cert-manager.io/docs/usage/ingress/), so none writing the
        // Secret means the shim has made none (yet, or ever).
        out.push({
          status: 'fail', resource, detailKey,
          message: `${label}: its ${u.owner.kind} carries the ${u.shimAnnotation} annotation for TLS Secret ${detailKey}, but cert-manager has created no Certificate for it (no Certificate of the cluster has spec.secretName ${u.secretName} in ${u.namespace}): nothing issues or renews it.`,
          evidence: { secret: detailKey, where: u.where, certificatesRead: 'ok', shimAnnotation: u.shimAnnotation },
        });
      } else if (u.shimAnnotation) out.push({ status: 'pass', resource, detailKey, message: `${label}: Secret ${detailKey} is issued through the ${u.shimAnnotation} annotation${u.shimIssuer ? ` by ${u.shimIssuer}` : ''}${u.shimUnread ? `, if ${u.shimUnread}` : ''}.` });
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
