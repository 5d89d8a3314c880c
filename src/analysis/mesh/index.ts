// Service-mesh analysis: Istio and Linkerd membership and effective mTLS per workload.
export { meshModel, meshWorkloadModes, mtlsPostureOf, podHasMeshProxy, meshPresent, istioPresent, linkerdPresent, type MeshModel, type WorkloadMesh, type WorkloadModeEntry } from './model.ts';
export { resolveIstioMode, indexPeerAuthentications, istioMembership, parsePeerAuthentication, type PeerAuthn, type ResolvedMode } from './istio.ts';
export { linkerdMembership, linkerdClusterDefault, admitsUnauthenticated, isLinkerdPolicy, linkerdSkippedPorts, parsePortList, type SkippedPorts } from './linkerd.ts';
export { meshConfigMapRefs, istioAutoMtls, type IstioAutoMtls } from './configmaps.ts';
export { istioMeshedServices, istioMutualCoverage, type MeshedService, type ServiceTlsCoverage } from './destination-rules.ts';
export { istioAuthorizationEffect, indexAuthorizationPolicies, parseAuthorizationPolicy, policiesFor, type AuthzEffect, type AuthzIndex, type ParsedAuthzPolicy, type AuthzRule } from './authz.ts';
export { istioOutbound, meshOutbound, istioRevisions, istioRevisionConfigMapRefs, istioConfigMapName, type OutboundModel, type WorkloadOutbound, type MeshOutbound, type OutboundMode } from './outbound.ts';
