// The contract between checks and the engine. A check is a small declarative object:
// what it looks at (`needs`), what good means (`evaluate`), and how bad a failure is.

import type { KindKey } from '../snapshot/kinds.ts';
import type { AuditContext } from '../analysis/context.ts';
import type { Config } from '../config/types.ts';
import type { Area, CheckStatus, Severity, Verdict } from '../base/vocabulary.ts';
import type { Finding } from '../run/types.ts';

export interface Result extends Verdict {
  check: string;
  area: Area;
  severity: Severity;
  /** Stable identity of a failure across runs; empty for passes, which are only counted (and keep no message). */
  fingerprint: string;
}

export interface Check {
  id: string;
  area: Area;
  title: string;
  /** What a failure leaves the cluster open to, as a phrase read after "Protects against". */
  protectsAgainst: string;
  severity: Severity;
  /** Framework control ids (sets in checks/controls.ts), e.g. 'CIS-1.10:5.3.2', 'NIST-800-207:T6'. */
  controls: string[];
  remediation: string;
  /**
   * Checks whose failure on the same resource this check's failure implies (cluster-admin
   * implies reading Secrets, exec, escalate, ...): reports fold those findings under it.
   */
  implies?: readonly string[];
  /**
   * Whether one of this check's findings is broad enough to imply those of `implies` (undefined:
   * every one is): cluster-admin held only in a namespace does not imply a cluster-wide Secrets read.
   * Asked once per finding as the audit makes it, before waivers are applied.
   */
  impliesWhen?(finding: Finding): boolean;
  /** Kinds whose coverage must be 'ok' for the check to be evaluated. `pods` also reads the owner kinds of the pod view (POD_VIEW_KINDS). */
  needs: KindKey[];
  /**
   * Kinds read when present: 'absent' (CRD not installed, no such objects in the manifests)
   * means none, but 'forbidden' or 'error' makes the check not-evaluated, like a missing
   * need. Not for by-name inputs: the `configmaps` kind's coverage is forbidden when any one
   * by-name read was refused while the others are kept, so a check reading some of them
   * declares a ConditionalRead (`readsWhen`) that holds only when its own are missing.
   */
  reads?: KindKey[];
  /**
   * Kinds read only in some clusters (Cilium's agent settings, where Cilium runs): judged as
   * `reads` when the condition holds, so a cluster without it never depends on them.
   */
  readsWhen?: readonly ConditionalRead[];
  /**
   * Kinds read when they can be, but not needed to judge: they refine a verdict (a policy
   * engine's Deployment lowers enforce-missing to medium, and the check says when it could
   * not look) or feed a shared model the verdict barely depends on. (The ServiceAccounts'
   * labels Calico selects by are no such input: where a policy selects by them, the network
   * checks read them through `readsWhen`.) Unreadable, they never make the check not-evaluated; changed,
   * they re-evaluate it in a watch run like any other input (serve --watch).
   */
  readsBestEffort?: KindKey[];
  /**
   * The verdict reads ctx.now (a certificate 40 days from expiry today is 25 days from it in
   * two weeks): serve --watch evaluates it in every watch run, since no change of objects
   * marks its outcome stale.
   */
  timeDependent?: true;
  /**
   * Optional gate: the check applies only when this returns true (e.g. mtls checks only when a
   * mesh is installed). When false the check is 'not-applicable', which is neither pass nor fail.
   */
  appliesTo?(ctx: AuditContext): boolean;
  /**
   * The declared inputs `appliesTo` reads (`pods`: with the owner kinds of the pod view).
   * Default: every declared input. When one of these exists but could not be read (forbidden,
   * failed), the check cannot be told it does not apply and is 'not-evaluated'; an unreadable
   * input outside this list leaves a check that does not apply 'not-applicable' (it could not
   * have changed the answer). Declare it only when `appliesTo` provably reads nothing else.
   */
  appliesReads?: readonly KindKey[];
  /**
   * Optional gate on the configuration alone (a feature the operator turns on, e.g.
   * target.requireMtls): false makes the check 'not-applicable' before its inputs are looked
   * at, so a kind it would read being forbidden does not leave it "not evaluated" (a partial
   * run, an RBAC gap to fix) for a feature nobody configured. Reads nothing of the cluster.
   */
  appliesByConfig?(config: Config): boolean;
  /** When the check applies, for the report's coverage section ("when Istio is installed"). */
  appliesWhen?: string;
  /**
   * One verdict per evaluated subject, pass or fail: an array, or a generator (`*evaluate`).
   * The audit takes each verdict as it is made, so a generator's evidence is garbage once its
   * finding is spooled; checks with a result per workload or subject are written so.
   */
  evaluate(ctx: AuditContext): Iterable<Verdict>;
  /**
   * What the check deliberately left out, for the report's coverage section (e.g. "3 workloads
   * in system namespaces were excluded; 2 would fail"); undefined when nothing was.
   */
  excluded?(ctx: AuditContext): string | undefined;
  /**
   * The namespaces whose objects the check could not judge this run for want of data, not by
   * choice (a Namespace its workloads name that the input does not hold: its labels are
   * unknown), sorted; empty when none. Said in words by `excluded`; the diff carries earlier
   * findings there (on the Namespace or on an object in it) instead of calling them resolved.
   */
  unjudgedNamespaces?(ctx: AuditContext): string[];
  /**
   * The check yields a verdict (pass or fail) for each workload it judges: when it yields none
   * while `unjudgedNamespaces` lists some, all it could judge was there, and it is not evaluated
   * rather than an empty pass (runStreamed). Also set by a check that judges objects (a policy)
   * and withholds its verdicts on those in unseen namespaces, listing only the namespaces where
   * it withheld one (mtls.permissive-override, authz-allow-any, authz-plaintext-bypass:
   * checks/mtls/lib/unseen-namespaces.ts withheldInUnseen). Unset for a check that yields verdicts
   * only for what it finds (a pinned version): its silence is a pass.
   */
  judgesEachWorkload?: true;
  /**
   * What makes the check's passes hollow, one line each, naming what the operator wrote (an
   * intent rule whose selectors match no pod holds over nothing): the run's notes and its log.
   */
  warnings?(ctx: AuditContext): string[];
}

/** Inputs a check reads only when the cluster makes them matter. */
export interface ConditionalRead {
  kinds: KindKey[];
  /** For people (explain): "when Cilium runs or Cilium policies exist: its agent settings (ConfigMap cilium-config)". */
  when: string;
  /** What the kinds hold for the check in this cluster, named ("Cilium's agent settings, ConfigMap kube-system/cilium-config"); undefined when the condition does not hold. */
  holds(ctx: AuditContext): string | undefined;
}

export interface CheckOutcome {
  check: Check;
  status: CheckStatus;
  severity: Severity;
  results: Result[];
  /** Why it was not evaluated, or the error it threw. */
  reason?: string;
  /** Not evaluated: the inputs it lacks that exist but could not be read (forbidden, error, not collected); absent ones are not listed. */
  unreadable?: KindKey[];
  /**
   * Evaluated: its best-effort inputs (readsBestEffort) that exist but could not be read, so it
   * was judged without them (runStreamed's degradedInputs); absent when it read them all.
   */
  degraded?: KindKey[];
  /** What the check deliberately left out (its `excluded`), when it was evaluated. */
  excluded?: string;
  /**
   * The namespaces it could not judge (its `unjudgedNamespaces`), when there were some: beside
   * an evaluated outcome, or a not-evaluated one whose every candidate was there (runStreamed).
   */
  unjudgedNamespaces?: string[];
  /** The check's `warnings`, when it was evaluated. */
  warnings?: string[];
}
