// The contract between checks and the engine. A check is a small declarative object:
// what it looks at (`needs`), what good means (`evaluate`), and how bad a failure is.

import type { KindKey } from '../collect/kinds.ts';
import type { Config } from '../config/types.ts';
import type { Snapshot } from '../snapshot/types.ts';

export const AREAS = ['network', 'tls', 'rbac', 'pod-security', 'mtls'] as const;
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 2, low: 1 };

export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
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
}

export interface Result extends Verdict {
  check: string;
  area: Area;
  severity: Severity;
  /** Stable identity of a failure across runs; empty for passes, which are only counted (and keep no message). */
  fingerprint: string;
}

/** Everything a check may read. Analyses memoise their models per context (see analysis/*). */
export interface AuditContext {
  snapshot: Snapshot;
  config: Config;
  /** The instant the audit judges "now" against (certificate expiry, waivers). */
  now: Date;
}

export interface Check {
  id: string;
  area: Area;
  title: string;
  severity: Severity;
  /** Framework control ids, e.g. 'CIS-1.10:5.3.2', 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'. */
  controls: string[];
  remediation: string;
  /** Kinds whose coverage must be 'ok' for the check to be evaluated. */
  needs: KindKey[];
  /**
   * Optional gate: the check applies only when this returns true (e.g. mtls checks only when a
   * mesh is installed). When false the check is 'not-applicable', which is neither pass nor fail.
   */
  appliesTo?(ctx: AuditContext): boolean;
  /** When the check applies, for the report's coverage section ("when Istio is installed"). */
  appliesWhen?: string;
  evaluate(ctx: AuditContext): Verdict[];
}

export type CheckStatus = 'pass' | 'fail' | 'not-evaluated' | 'not-applicable' | 'error';

export interface CheckOutcome {
  check: Check;
  status: CheckStatus;
  severity: Severity;
  results: Result[];
  /** Why it was not evaluated, or the error it threw. */
  reason?: string;
}
