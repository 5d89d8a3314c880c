// Cilium (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy): parsed and
// evaluated with Cilium's own semantics; the combined network model asks it per direction.
export { parseCiliumPolicy, isCiliumPolicyKind, DEFAULT_PARSE_OPTIONS, type CiliumParseOptions } from './parse.ts';
export { readCiliumSettings, ciliumConfigMapRefs, CILIUM_CONFIG_MAP_REF_KINDS, ciliumNamespace, DEFAULT_SETTINGS, CILIUM_CONFIG_MAP, type CiliumSettings, type EnforcementMode } from './config.ts';
export { buildCiliumModelFrom, ciliumDirection, rulesSelecting, identityOf, admits, type CiliumModel, type CiliumEndpoint, type CiliumDirectionVerdict, type CiliumRuleRef, type Direction, type NamedPortRef } from './evaluate.ts';
export { podIdentity, isIdentityLabel, type IdentityLabels, type ReservedEntity, RESERVED_ENTITIES } from './labels.ts';
export type { CiliumPolicy, CiliumRule, PeerRule, PeerSelector, PortRule, PortSelector, Entity } from './types.ts';
export { ciliumAdapter, ciliumLayerPolicies, CILIUM_KINDS } from './adapter.ts';
export { readHubbleState, type HubbleState } from './hubble.ts';
