// Types of the effective-permissions model. Names follow the RBAC API (rbac.authorization.k8s.io/v1);
// everything here is normalised from untrusted input, so arrays are always arrays and strings strings.

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  kind: SubjectKind;
  name: string;
  /** ServiceAccount only. */
  namespace?: string;
}

/** A PolicyRule with every list present (empty when absent in the input). */
export interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface RoleRef {
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace?: string;
}

export interface RoleInfo extends RoleRef {
  /** Effective rules: for aggregated ClusterRoles, the union recomputed from aggregationRule. */
  rules: Rule[];
  /** 'input' = from the snapshot; 'default' = Kubernetes bootstrap policy supplied by ztaudit. */
  origin: 'input' | 'default';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ClusterRoles only: names of the ClusterRoles whose rules were aggregated in (when aggregationRule is set). */
  aggregatedFrom?: string[];
  /** The role carries rules its bootstrap default does not (only for roles with a default, or a copy in RECOGNISED_ROLES). */
  modifiedFromDefault?: boolean;
  /**
   * With modifiedFromDefault, judged by rules: the part of the rules the default does not grant
   * (whole rules, or a rule's verbs on a resource or URL the default leaves out). Undefined for
   * an aggregated default modified by its selectors.
   */
  addedToDefault?: Rule[];
}

export interface BindingInfo {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  /** Valid subjects (ServiceAccounts with their resolved namespace; a User named system:serviceaccount:NS:NAME as the ServiceAccount it is). */
  subjects: Subject[];
  /** Subjects that can never match (e.g. a ServiceAccount without namespace in a ClusterRoleBinding). */
  invalidSubjects: Array<{ subject: unknown; reason: string }>;
  origin: 'input' | 'default';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The resolved role; undefined when the roleRef is dangling or invalid. */
  role?: RoleInfo;
  /** Why the roleRef does not resolve (dangling or invalid). */
  roleProblem?: string;
}

/** One rule of one role reaching a subject through one binding. */
export interface Grant {
  binding: BindingInfo;
  role: RoleInfo;
  /** Namespace the grant applies in; undefined = cluster-wide (ClusterRoleBinding). */
  namespace?: string;
  /** The binding subject that matched (the subject itself or one of its groups). */
  via: Subject;
}

export interface RuleGrant extends Grant {
  rule: Rule;
  ruleIndex: number;
}

/** A request as the authorizer sees it (the fields of a SubjectAccessReview's spec). */
export interface ResourceAttributes {
  verb: string;
  /** API group; '' = core. */
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** '' or undefined = cluster scope (only ClusterRoleBindings apply). */
  namespace?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** Who is asking: a SubjectAccessReview's user + groups, taken literally (no implicit groups added). */
export interface Identity {
  user?: string;
  groups: string[];
}

export interface BindingRef {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
}
