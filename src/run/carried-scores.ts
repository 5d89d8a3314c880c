// What a run that cannot score everything shows for what it could not score: serve's /metrics
// carries an unscored area's last score (as it carries the findings of the checks not
// evaluated), and every output says which areas the overall leaves out. Missing data is not a
// fix (DESIGN.md): a kind made unreadable must neither raise the overall nor drop an area.
import { AREAS, type Area } from '../base/vocabulary.ts';
import { checkCoverage, notEvaluated } from './coverage.ts';
import type { RunSummary } from './types.ts';

/** A run's scores (engine/score.ts Scores). */
export interface Scores {
  overall: number | null;
  areas: Record<Area, number | null>;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The areas a run could not score at all: no evaluated result, yet checks of it apply that were
 * not evaluated (a kind it reads was not readable, the check failed). "n/a" there is unknown,
 * not "nothing to judge", and an overall over the other areas leaves them out as if they were fine.
 */
export function unscoredAreas(score: Scores, checks: ReadonlyArray<{ area: Area; status: string }>): Area[] {
  return AREAS.filter((a) => score.areas[a] === null && notEvaluated(checkCoverage(checks, a)) > 0);
}

/**
 * The overall score's caveat when checks that apply were not evaluated, or '': "partial: network
 * not scored; over 30/59 checks, not comparable with a complete run" (without the share when
 * `share` is false: the HTML card states it already). A score over what could be read rises when
 * failing checks go blind; the number alone would read as a fix.
 */
export function partialScoreNote(score: Scores, checks: ReadonlyArray<{ area: Area; status: string }>, share = true): string {
  const cov = checkCoverage(checks);
  if (notEvaluated(cov) === 0) return '';
  const missing = unscoredAreas(score, checks);
  return `partial: ${missing.length > 0 ? `${missing.join(', ')} not scored; ` : ''}${share ? `over ${cov.evaluated}/${cov.applicable} checks, ` : ''}not comparable with a complete run`;
}

/**
 * What earlier runs leave for a run that cannot score everything: each area's score in the
 * newest run that evaluated every check of it that applied, and the overall of the newest run
 * that evaluated every check that applied (a complete run).
 */
export interface ScoreMemory {
  areas: Partial<Record<Area, { score: number; runId: string }>>;
  complete: { overall: number; runId: string } | null;
}

type ScoredRun = { run: { id: string }; score: Scores; checks: ReadonlyArray<{ area: Area; status: string }> };

/** `memory` once `report` is the newest run seen. */
export function rememberScores(memory: ScoreMemory | undefined, report: ScoredRun): ScoreMemory {
  const areas = { ...memory?.areas };
  for (const a of AREAS) {
    const s = report.score.areas[a];
    if (s !== null && notEvaluated(checkCoverage(report.checks, a)) === 0) areas[a] = { score: s, runId: report.run.id };
  }
  const complete = report.score.overall !== null && notEvaluated(checkCoverage(report.checks)) === 0
    ? { overall: report.score.overall, runId: report.run.id }
    : memory?.complete ?? null;
  return { areas, complete };
}

/** A run's scores with what it could not score carried from earlier runs (carryScores). */
export interface CarriedScores extends Scores {
  /** The areas whose score is carried: as the run named in `from` scored them. */
  carried: Partial<Record<Area, string>>;
  /**
   * The areas with checks that apply but were not evaluated and no earlier run that evaluated
   * them all (a first-ever partial run): their score is not known, neither the one over what
   * could be read (nine of ten checks blind, one passing, is no 100) nor n/a. Their `areas`
   * entry is null; /metrics publishes NaN. When any is, and no complete run is remembered,
   * `overall` is null too: a mean over the other areas would leave them out as if fine.
   */
  unknown: Area[];
}

/**
 * The scores to publish for `report` (serve's /metrics). An area with checks it could not
 * evaluate is shown at no more than its score in the last run that evaluated them all (carried,
 * as its findings are): a score over what could be read rises when failing checks go blind, and
 * an area it could not score at all would lose its series; a lower score of its own (a check it
 * did evaluate fails now) stands. When any check was not evaluated, the overall is the mean of
 * the areas so shown, and never above the last complete run's. Missing data is not a fix.
 */
export function carryScores(report: ScoredRun, memory: ScoreMemory | undefined): CarriedScores {
  const areas = { ...report.score.areas };
  const carried: CarriedScores['carried'] = {};
  const unknown: Area[] = [];
  for (const a of AREAS) {
    const last = memory?.areas[a];
    if (notEvaluated(checkCoverage(report.checks, a)) === 0) continue;
    if (!last || last.runId === report.run.id) {
      areas[a] = null;
      unknown.push(a);
      continue;
    }
    const own = areas[a];
    if (own !== null && own <= last.score) continue;
    areas[a] = last.score;
    carried[a] = last.runId;
  }
  if (notEvaluated(checkCoverage(report.checks)) === 0) return { overall: report.score.overall, areas, carried, unknown };
  const scored = AREAS.map((a) => areas[a]).filter((s): s is number => s !== null);
  let overall = scored.length === 0 ? null : round1(scored.reduce((s, n) => s + n, 0) / scored.length);
  const complete = memory?.complete;
  if (complete && complete.runId !== report.run.id) overall = overall === null ? complete.overall : Math.min(overall, complete.overall);
  else if (unknown.length > 0) overall = null;
  return { overall, areas, carried, unknown };
}

/**
 * ScoreMemory from stored runs' summaries, oldest first (serve at start: a daemon restarted while
 * a kind is unreadable still carries what the runs before it scored). A check a summary names
 * blind but not not-applicable was not evaluated; `areaOf` gives a check id's area. A partial
 * run's summary stored before `blind` existed tells no area apart: it leaves the memory as it is.
 */
export function scoreMemoryOf(summaries: Iterable<Pick<RunSummary, 'id' | 'score' | 'partial' | 'blind' | 'notApplicable'>>, areaOf: (check: string) => Area | undefined): ScoreMemory {
  const memory: ScoreMemory = { areas: {}, complete: null };
  for (const s of summaries) {
    const notApplicable = new Set(s.notApplicable ?? []);
    const blindAreas = new Set((s.blind ?? []).filter((id) => !notApplicable.has(id)).map(areaOf));
    // `blind` is absent when none, and in summaries stored before it: a partial run's then tells no area apart.
    const known = s.blind !== undefined || !s.partial;
    for (const a of AREAS) {
      const score = s.score.areas?.[a];
      if (known && typeof score === 'number' && !blindAreas.has(a)) memory.areas[a] = { score, runId: s.id };
    }
    if (!s.partial && blindAreas.size === 0 && typeof s.score.overall === 'number') memory.complete = { overall: s.score.overall, runId: s.id };
  }
  return memory;
}
