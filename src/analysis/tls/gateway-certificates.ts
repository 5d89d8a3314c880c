// The certificates a Gateway API listener terminates TLS with. A certificateRef to another
// namespace is invalid unless a ReferenceGrant there allows it; the listener's ResolvedRefs
// condition is then False with reason RefNotPermitted (GatewayTLSConfig.certificateRefs,
// https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig).

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { referenceGrantAllows } from '../edge/reference-grants.ts';

export interface ListenerCertificateRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  /** False for a reference to another namespace no ReferenceGrant allows. */
  permitted: boolean;
}

/** A listener's tls.certificateRefs (kind Secret and core group by default, the Gateway's namespace unless set). */
export function listenerCertificateRefs(snapshot: Snapshot, gw: KubeObject, tls: Record<string, unknown> | undefined): ListenerCertificateRef[] {
  const gwNs = gw.metadata?.namespace ?? 'default';
  return arr(tls?.certificateRefs).map(obj).filter((r) => !!r).map((r) => {
    const ref = { group: str(r!.group) ?? '', kind: str(r!.kind) ?? 'Secret', namespace: str(r!.namespace) ?? gwNs, name: str(r!.name) ?? '' };
    return { ...ref, permitted: referenceGrantAllows(snapshot, { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: gwNs }, ref) };
  });
}
