// Scoring, as README.md ("Scoring") states it: each result weighs by severity (critical 10, high 5,
// medium 2, low 1); an area's score is 100 x weighted passes / weighted evaluated results;
// the overall score is the mean of the areas that were evaluated. Waived failures are not
// scored (they leave the denominator too). Unevaluated checks contribute nothing.
import { AREAS, SEVERITY_WEIGHT, type Area } from '../base/vocabulary.ts';
import { type Result } from './types.ts';
import { notEvaluated, type CheckCoverage } from '../run/coverage.ts';

export { checkCoverage, notEvaluated, type CheckCoverage } from '../run/coverage.ts';
export { carryScores, rememberScores, partialScoreNote, unscoredAreas, type CarriedScores, type ScoreMemory } from '../run/carried-scores.ts';

export type { Scores } from '../run/carried-scores.ts';
import type { Scores } from '../run/carried-scores.ts';

const round1 = (n: number) => Math.round(n * 10) / 10;

export function scoreRun<R extends Result>(results: Iterable<R>, isWaived: (r: R) => boolean = (r) => (r as { waived?: boolean }).waived === true): Scores {
  const passed = new Map<Area, number>();
  const total = new Map<Area, number>();
  for (const r of results) {
    if (r.status === 'fail' && isWaived(r)) continue;
    const w = SEVERITY_WEIGHT[r.severity];
    total.set(r.area, (total.get(r.area) ?? 0) + w);
    if (r.status === 'pass') passed.set(r.area, (passed.get(r.area) ?? 0) + w);
  }
  const areas = {} as Record<Area, number | null>;
  const evaluated: number[] = []; // unrounded, so the overall is not a mean of roundings
  for (const a of AREAS) {
    const t = total.get(a) ?? 0;
    const raw = t === 0 ? null : (100 * (passed.get(a) ?? 0)) / t;
    areas[a] = raw === null ? null : round1(raw);
    if (raw !== null) evaluated.push(raw);
  }
  const overall = evaluated.length === 0 ? null : round1(evaluated.reduce((s, n) => s + n, 0) / evaluated.length);
  return { overall, areas };
}

/** A letter grade for reviewers; thresholds are conventional (A >= 90, B >= 80, ...). */
export function gradeOf(score: number | null): string {
  if (score === null) return 'n/a';
  if (score >= 90) return 'A';
  if (score >= 80) return 'B';
  if (score >= 70) return 'C';
  if (score >= 60) return 'D';
  return 'F';
}

/**
 * The grade to show: none ('n/a') while any applicable check was not evaluated — a score
 * over what could be read must never look like a clean "100.0 A".
 */
export function gradeFor(score: number | null, cov: CheckCoverage): string {
  return notEvaluated(cov) > 0 ? 'n/a' : gradeOf(score);
}

/** The score as text, with the share evaluated when it is partial: "100.0 (7/9 checks evaluated)". */
export function scoreText(score: number | null, cov: CheckCoverage): string {
  const s = score === null ? 'n/a' : String(score);
  return notEvaluated(cov) > 0 ? `${s} (${cov.evaluated}/${cov.applicable} checks evaluated)` : s;
}
