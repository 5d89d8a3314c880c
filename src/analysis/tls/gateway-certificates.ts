// The certificates a Gateway API listener terminates TLS with. A certificateRef to another
// namespace is invalid unless a ReferenceGrant there allows it; the listener's ResolvedRefs
// condition is then False with reason RefNotPermitted (GatewayTLSConfig.certificateRefs,
// https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig).

import { groupOf } from '../../snapshot/kinds.ts';
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

/**
 * A listener's tls.certificateRefs (kind Secret and core group by default, the namespace of the
 * Gateway, or of the ListenerSet holding the listener, unless set). A ReferenceGrant allows the
 * object holding the listener, by its own kind: one from Gateways does not extend to the
 * ListenerSets attached to them ("ReferenceGrant Semantics", gateway-api apis/v1/listenerset_types.go).
 */
export function listenerCertificateRefs(snapshot: Snapshot, holder: KubeObject, tls: Record<string, unknown> | undefined): ListenerCertificateRef[] {
  const ns = holder.metadata?.namespace ?? 'default';
  const from = { group: holder.apiVersion ? groupOf(holder.apiVersion) : 'gateway.networking.k8s.io', kind: holder.kind ?? 'Gateway', namespace: ns };
  return arr(tls?.certificateRefs).map(obj).filter((r) => !!r).map((r) => {
    const ref = { group: str(r!.group) ?? '', kind: str(r!.kind) ?? 'Secret', namespace: str(r!.namespace) ?? ns, name: str(r!.name) ?? '' };
    return { ...ref, permitted: referenceGrantAllows(snapshot, from, ref) };
  });
}
