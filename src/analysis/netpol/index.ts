// The network reachability analysis (every policy API, composed by the CNI's precedence): build once per snapshot, then ask.
export { buildReachability, egressVerdict, ingressVerdict, workloadKey, type ReachModel, type PodClass, type WorkloadNode, type Endpoint, type RuleRef } from './model.ts';
export { addressMayBeNode, addressNodeText, NOT_A_KNOWN_POD_ADDRESS, queryReach, reachMatrix, streamMatrix, resolveTarget, workloadLabel, hostNetworkMatrixNotes, ReachInputError, type ReachAnswer, type DirectionAnswer, type MatrixRow, type DecisionAnswer } from './query.ts';
export { networkExposure, type WorkloadExposure, type ExternalPath } from './exposure.ts';
export { detectCni, type CniDetection } from './cni.ts';
export { parsePolicy, type ParsedPolicy } from './policy.ts';
export { formatConns, connsToJson, intersectConns, isEmptyConns, isProtocol, subtractConns, unionConns, type ConnSet, type Protocol } from './conns.ts';
