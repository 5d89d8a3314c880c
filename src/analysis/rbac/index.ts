// The RBAC analysis: effective permissions, breadth, and the audit view the checks share.
export * from './types.ts';
export { buildRbacModel, canI, whoCan, subjectRules, authorize, requestAttributes, nameDropped, parseSubject, formatSubject, identityOf, subjectKey, grantsFor, directGrants } from './model.ts';
export type { RbacModel, AccessDecision, RequestOptions, WhoCanEntry, SubjectRules } from './model.ts';
export { breadthBasisOf, rbacBreadth, subjectBreadth, topBreadth, resourceCatalog, servedResourceTypes, STANDARD_RESOURCES, type BreadthBasis } from './breadth.ts';
export type { BreadthEntry, ResourceType, TopBreadthOptions } from './breadth.ts';
export { rbacAudit, isSystemSubject, isBuiltinGrant } from './audit.ts';
export { describeRule, namespaceRequestReaches, ruleBindsClusterRoles } from './rules.ts';
export { resourceIsClusterScoped, ruleNotGivenInScope } from './scope.ts';
