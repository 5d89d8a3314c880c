// The tls area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';
import { ingressWithoutTls } from './ingress-without-tls.ts';
import { legacyProtocolEnabled } from './legacy-protocol-enabled.ts';
import { sslRedirectDisabled } from './ssl-redirect-disabled.ts';
import { retiredIngressController } from './retired-ingress-controller.ts';
import { probeLegacyAccepted } from './probe-legacy-accepted.ts';
import { certificateExpiring } from './certificate-expiring.ts';
import { certificateHostnameMismatch } from './certificate-hostname-mismatch.ts';
import { certificateUntrusted } from './certificate-untrusted.ts';
import { hstsDisabled } from './hsts-disabled.ts';
import { weakCiphers } from './weak-ciphers.ts';
import { edgeAuthMissing } from './edge-auth-missing.ts';
import { edgeRateLimitMissing } from './edge-rate-limit-missing.ts';
import { edgeWafMissing } from './edge-waf-missing.ts';
import { certificateNotReady } from './certificate-not-ready.ts';
import { certificateUnmanaged } from './certificate-unmanaged.ts';
import { issuerNotReady } from './issuer-not-ready.ts';

export const tlsChecks: Check[] = [
  ingressWithoutTls,
  legacyProtocolEnabled,
  sslRedirectDisabled,
  retiredIngressController,
  probeLegacyAccepted,
  certificateExpiring,
  certificateHostnameMismatch,
  certificateUntrusted,
  hstsDisabled,
  weakCiphers,
  edgeAuthMissing,
  edgeRateLimitMissing,
  edgeWafMissing,
  certificateNotReady,
  certificateUnmanaged,
  issuerNotReady,
];
