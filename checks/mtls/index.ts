// The mtls area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';
import { meshRequired } from './mesh-required.ts';
import { meshNotStrict } from './mesh-not-strict.ts';
import { permissiveOverride } from './permissive-override.ts';
import { invalidPeerAuthentication } from './invalid-peerauthentication.ts';
import { destinationruleTlsDisabled } from './destinationrule-tls-disabled.ts';
import { workloadOutsideMesh } from './workload-outside-mesh.ts';
import { linkerdUnauthenticatedDefault } from './linkerd-unauthenticated-default.ts';
import { autoMtlsDisabled } from './auto-mtls-disabled.ts';
import { linkerdSkipPorts } from './linkerd-skip-ports.ts';
import { istioExcludedInboundPorts } from './istio-excluded-inbound-ports.ts';
import { authzMissing } from './authz-missing.ts';
import { authzAllowAny } from './authz-allow-any.ts';
import { authzPlaintextBypass } from './authz-plaintext-bypass.ts';
import { consulDefaultAllow } from './consul-default-allow.ts';
import { outboundAllowAny } from './outbound-allow-any.ts';

export const mtlsChecks: Check[] = [
  meshRequired,
  meshNotStrict,
  permissiveOverride,
  invalidPeerAuthentication,
  destinationruleTlsDisabled,
  workloadOutsideMesh,
  linkerdUnauthenticatedDefault,
  autoMtlsDisabled,
  linkerdSkipPorts,
  istioExcludedInboundPorts,
  authzMissing,
  authzAllowAny,
  authzPlaintextBypass,
  consulDefaultAllow,
  outboundAllowAny,
];
