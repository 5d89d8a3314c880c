// How much of a run's check catalog was evaluated: checks that apply (not-applicable ones do
// not count) against those that were evaluated (pass or fail). A score over part of an area's
// checks is shown with this share and without a grade (engine/score.ts gradeFor).
import type { Area } from '../base/vocabulary.ts';
import type { RunReport } from './types.ts';

/** How many of the checks that apply were evaluated (not-applicable ones do not count). */
export interface CheckCoverage {
  evaluated: number;
  applicable: number;
}

/** An area's (or, without `area`, the whole run's) share of checks evaluated. */
export function checkCoverage(checks: ReadonlyArray<{ area: Area; status: string }>, area?: Area): CheckCoverage {
  let evaluated = 0;
  let applicable = 0;
  for (const c of checks) {
    if ((area !== undefined && c.area !== area) || c.status === 'not-applicable') continue;
    applicable++;
    if (isEvaluated(c.status)) evaluated++;
  }
  return { evaluated, applicable };
}

/** Checks that apply but could not be evaluated (a kind was not read, a check failed). */
export function notEvaluated(cov: CheckCoverage): number {
  return cov.applicable - cov.evaluated;
}

/**
 * A status that says nothing about the cluster, only about the run's view of it (a kind it
 * could not read, a check that threw). A check judged in the previous run and blind now is a
 * coverage loss, a regression (src/diff/diff.ts).
 */
export function isBlind(status: string | undefined): boolean {
  return status === 'not-evaluated' || status === 'error';
}

/**
 * Neither pass nor fail: blind, or not applicable (switched off in config, its input absent).
 * The diff looks past such a run for the last one in which the check was evaluated
 * (src/diff/baseline.ts), so retention must keep that run (summarizeRun's `blind` list in
 * src/history/run-store.ts holds these statuses).
 */
export function isUnjudged(status: string | undefined): boolean {
  return !isEvaluated(status);
}

/** The reason of a check switched off (`checks.X: {enabled: false}`): not applicable by choice, not for want of its input. */
export const DISABLED_IN_CONFIG = 'disabled in config';

/** Judged: the check ran over what it needs and passed or failed. */
export function isEvaluated(status: string | undefined): boolean {
  return status === 'pass' || status === 'fail';
}

/** Where an earlier run stands on a check a later run could not evaluate (CarriedWalk). */
export type CarriedState = 'evaluated' | 'blind' | 'ended';

/**
 * The checks a run could not evaluate, sought in the runs before it (newest first) for the
 * newest run that evaluated each, whose findings the run carries: one walk for the run's own
 * counts (run.lastEvaluatedOpen, src/diff/baseline.ts) and the fleet's (CarriedChecks in
 * src/history/run-store.ts). A run blind to a check passes its search on; one that ends it
 * (found it not applicable, or did not have it) leaves nothing to carry: older runs cannot
 * know better. Each caller says how its runs stand (a stored summary cannot tell a check a run
 * did not have from one it evaluated).
 */
export class CarriedWalk {
  readonly sought: Set<string>;
  constructor(ids: Iterable<string>) {
    this.sought = new Set(ids);
  }

  /** The sought checks the next older run evaluated, in the order sought; those it evaluated or ended are sought no more. */
  next(stateOf: (id: string) => CarriedState): string[] {
    const found: string[] = [];
    for (const id of this.sought) {
      const state = stateOf(id);
      if (state === 'blind') continue;
      this.sought.delete(id);
      if (state === 'evaluated') found.push(id);
    }
    return found;
  }
}

/** The checks a run could not vouch for, and why (coverageGaps). */
export interface CoverageGaps {
  /** Checks not evaluated because an input could not be read, and checks that failed to run. */
  checks: number;
  /** Why, most common first: "pods forbidden", "networkpolicies error", "rbac.wildcard-permission failed". */
  causes: string[];
}

/**
 * The run's blind spots that are gaps in the audit: a check not evaluated because a kind it
 * needs could not be read (forbidden, error, not collected), or a check that threw. A check
 * not evaluated only because a kind is absent (CRD not installed: nothing of it exists) is
 * not one, nor one blind only for kinds in `acceptForbidden` that were forbidden (an auditor
 * kept from them on purpose; a failed read of them still counts). Runs stored before checks
 * recorded `unreadable` count no kind gaps. `said`: kinds whose gap was already told the user,
 * with its reason (a live run's collection warns of each kind it could not read): left out
 * like accepted ones, so a check blind only for them is not counted again.
 */
export function coverageGaps(report: { run: { coverage: Record<string, { status: string; detail?: string } | undefined> }; checks: ReadonlyArray<{ id: string; status: string; unreadable?: string[] }> }, acceptForbidden: ReadonlySet<string> = new Set(), said: ReadonlySet<string> = new Set()): CoverageGaps {
  const byCause = new Map<string, number>();
  let checks = 0;
  const add = (cause: string) => byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  const statusOf = (kind: string) => (Object.hasOwn(report.run.coverage, kind) ? report.run.coverage[kind]?.status : undefined) ?? 'not collected';
  const every = everyKindFailed(report.run.coverage);
  for (const c of report.checks) {
    if (c.status === 'error') add(`${c.id} failed`);
    else if (c.status === 'not-evaluated' && c.unreadable?.length) {
      const gaps = c.unreadable.map((kind) => [kind, statusOf(kind)] as const).filter(([kind, status]) => !(status === 'forbidden' && acceptForbidden.has(kind)) && !said.has(kind));
      if (gaps.length === 0) continue;
      for (const [kind, status] of gaps) add(every ?? `${kind} ${status}`);
    } else continue;
    checks++;
  }
  const causes = [...byCause].sort((a, b) => b[1] - a[1]).map(([cause]) => cause);
  return { checks, causes };
}

/**
 * One cause for a run in which every kind failed for one reason (a manifests document whose
 * kind could not be told may have been any object: src/collect/manifests.ts), saying that
 * reason (the file and line) instead of the first five kinds' names. Undefined otherwise.
 */
function everyKindFailed(coverage: Record<string, { status: string; detail?: string } | undefined>): string | undefined {
  const entries = Object.values(coverage);
  const detail = entries[0]?.detail;
  if (entries.length < 2 || detail === undefined || !entries.every((e) => e?.status === 'error' && e.detail === detail)) return undefined;
  return `every kind error: ${detail}`;
}

/** "12 checks not evaluated (pods forbidden, networkpolicies error)": the first few causes, the count of the rest. */
export function gapsText(gaps: CoverageGaps, maxCauses = 5): string {
  const shown = gaps.causes.slice(0, maxCauses);
  const more = gaps.causes.length - shown.length;
  return `${gaps.checks} check${gaps.checks === 1 ? '' : 's'} not evaluated (${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''})`;
}

/**
 * Whether a run is partial, as its reports say: something could not be read (run.partial), or
 * a check that applies could not be evaluated for an input that exists or threw (coverageGaps:
 * not one without its input because the API is absent). Its own coverage only: a complete run
 * whose diff compared part of the checks (one added since the previous run) scored everything,
 * and says "partial comparison" on its diff line alone.
 */
export function isPartialRun(report: Pick<RunReport, 'run' | 'checks'>): boolean {
  return (report.run.partial?.length ?? 0) > 0 || coverageGaps(report).checks > 0;
}

/**
 * The namespaces a stored summary's `unjudgedNamespaces` lists for `check` (RunSummary). Empty
 * when it lists none, or does not say (stored before it existed, or not a list there: a hand
 * edit): a reader then takes the run as having judged every namespace, so it keeps and reads it.
 */
export function unjudgedNamespacesOf(summary: { unjudgedNamespaces?: unknown }, check: string): ReadonlySet<string> {
  const all = summary.unjudgedNamespaces;
  if (typeof all !== 'object' || all === null || Array.isArray(all) || !Object.hasOwn(all, check)) return new Set();
  const list = (all as Record<string, unknown>)[check];
  return new Set(Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : []);
}

/** The namespace a finding is in, or is (a Namespace's own finding); undefined for a cluster-scoped object. */
export function findingNamespace(resource: { kind: string; namespace?: string; name: string }): string | undefined {
  return resource.kind === 'Namespace' && resource.namespace === undefined ? resource.name : resource.namespace;
}
