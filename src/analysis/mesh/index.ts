// Service-mesh analysis: Istio, Linkerd and Consul membership, effective mTLS and authorization per workload.
export { meshModel, meshWorkloadModes, mtlsPostureOf, podHasMeshProxy, meshPresent, istioPresent, linkerdPresent, type MeshModel, type WorkloadMesh, type WorkloadModeEntry } from './model.ts';
export { resolveIstioMode, indexPeerAuthentications, istioMembership, parsePeerAuthentication, type PeerAuthn, type ResolvedMode } from './istio.ts';
export { linkerdMembership, linkerdClusterDefault, admitsUnauthenticated, isLinkerdPolicy, linkerdSkippedPorts, parsePolicyPortSet, parseProxyInitPorts, type SkippedPorts } from './linkerd.ts';
export { meshConfigMapRefs, istioAutoMtls, istioRoot, istioRootOf, istioRevisionOf, istioRootWarning, resolveIstioRoot, type IstioAutoMtls, type IstioRoot } from './configmaps.ts';
export { istioMeshedServices, istioMutualCoverage, type MeshedService, type ServiceTlsCoverage } from './destination-rules.ts';
export { istioAuthorizationEffect, indexAuthorizationPolicies, parseAuthorizationPolicy, policiesFor, type AuthzEffect, type AuthzIndex, type ParsedAuthzPolicy, type AuthzRule } from './authz.ts';
export { consulPresent } from './model.ts';
export { judgeLinkerdFlow, indexLinkerdPolicies, linkerdIdentity, type LinkerdPolicyIndex, type LinkerdAuthorization } from './linkerd-authz.ts';
export { judgeConsulFlow, indexServiceIntentions, intentionPrecedence, consulDefaultIntention, consulMembership, type ConsulIntentionIndex, type ConsulIntention, type ConsulDefaultIntention } from './consul.ts';
export { linkerdFlowVerdict, consulFlowVerdict } from './mesh-flows.ts';
export { istioOutbound, meshOutbound, istioRevisions, istioRevisionConfigMapRefs, ISTIO_REVISION_KINDS, istioConfigMapName, type OutboundModel, type WorkloadOutbound, type MeshOutbound, type OutboundMode } from './outbound.ts';
export { istioControlPlaneWorkload } from './flow-verdict.ts';
