// How much of a run's check catalog was evaluated: checks that apply (not-applicable ones do
// not count) against those that were evaluated (pass or fail). A score over part of an area's
// checks is shown with this share and without a grade (engine/score.ts gradeFor).
import type { Area } from '../base/vocabulary.ts';

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

/** Judged: the check ran over what it needs and passed or failed. */
export function isEvaluated(status: string | undefined): boolean {
  return status === 'pass' || status === 'fail';
}
