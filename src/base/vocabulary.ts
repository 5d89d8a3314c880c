// The shared vocabulary every part speaks: areas, severities, resource references, check
// statuses and the verdict a check returns. It imports nothing, so anything may import it.

export const AREAS = ['network', 'tls', 'rbac', 'pod-security', 'mtls'] as const;
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 2, low: 1 };

export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
  /**
   * Set only where the kind alone names another object (a Calico NetworkPolicy, not Kubernetes'
   * networking.k8s.io one): outputs that point at the object (PolicyReports) use it, and the
   * finding's fingerprint holds its API group (not its version).
   */
  apiVersion?: string;
}

/** What a check returns for one evaluated subject; the engine adds check id and fingerprint. */
export interface Verdict {
  status: 'pass' | 'fail';
  resource: ResourceRef;
  message: string;
  evidence?: Record<string, unknown>;
  /** Distinguishes several results on one resource (e.g. a port, a host, a subject). */
  detailKey?: string;
  /** Overrides the check's severity for this result (e.g. a WARN-level variant). */
  severity?: Severity;
  /**
   * Other objects this result stems from (the roles and bindings behind a subject's grant, the
   * policy behind a flow). A waiver naming one of them covers the result.
   */
  related?: ResourceRef[];
  /**
   * A failure that stands for several objects: all of them ("Deployment shop/api"), and what
   * they are ("workloads"); or for several violations of one object (a Pod Security finding's
   * failed controls, "violations"). The engine keeps a bounded extent of them on the finding
   * (src/run/extent.ts), so the diff sees the failure widen when one more joins.
   */
  extent?: { unit: string; members: readonly string[] };
  /**
   * The framework controls this failure bears on, when fewer than its check's (a pod that
   * lacks only a seccomp profile fails CIS 5.7.2, not every CIS item the check maps): a subset
   * of the check's `controls`, in their order. Frozen and shared between results alike: the
   * findings spool compares a finding's controls with the previous one's by identity.
   */
  controls?: readonly string[];
}

export type CheckStatus = 'pass' | 'fail' | 'not-evaluated' | 'not-applicable' | 'error';
