// Pod Security Standards: the evaluator (upstream PodSecurity admission's checks per policy
// version), namespace label parsing, and the per-snapshot model the pod-security checks share.
export { evaluatePod, denialDetail, checkIdsAt, checkChangesBetween, checkLevel } from './evaluate.ts';
export type { PssEvaluation, PssFailure, EvaluateOptions, CheckChanges } from './evaluate.ts';
export { parseNamespaceLevels, LABEL_PREFIX, MODES } from './labels.ts';
export type { NamespaceLevels, ModePolicy, LabelProblem, PssDefaults, Mode } from './labels.ts';
export { LATEST_MINOR, LATEST_VERSION, PSS_LEVELS, compareLevels, isPssLevel, parsePolicyVersion, effectiveMinor, clusterMinor, admissionAbsentReason } from './levels.ts';
export type { PssLevel, PolicyVersion } from './levels.ts';
export { CHECK_DEFINITIONS, SAFE_SYSCTLS } from './checks.ts';
export { podSecurityModel, procMountResetFor, readNamespacePolicies } from './model.ts';
export { podClassKeys } from './pod-class.ts';
export type { PssModel, NamespacePss, WorkloadPss, PodSetEvaluation, DebugPodPss, EphemeralEvaluation } from './model.ts';
export { cisControlsFor, POD_CIS_CONTROLS } from './controls.ts';
export { admissionPolicyEngines, ENGINE_KINDS } from './engines.ts';
export type { PolicyEngine, PolicyEngineName } from './engines.ts';
