// Why each area's score moved between two runs, cause by cause, so the delta adds up.
//
// An area's score is S = 100·P/T (P: weight of passing results, T: weight of passing plus open
// failing results). Splitting the change of each check into (ΔP, ΔT) pieces, the piece's share
// of the score change is 100·(ΔP − s₀·ΔT)/T₁ with s₀ = P₀/T₀; the shares of all pieces add up
// exactly to S₁ − S₀. Shares are then rounded (largest remainder) so that the listed causes add
// up to the delta as the two shown scores give it. Where the diff gives the area no delta (its
// scores do not weigh the same checks), the causes are listed without points.
import { AREAS, SEVERITIES, SEVERITY_WEIGHT, type Area, type Severity } from '../base/vocabulary.ts';
import type { AreaScoreChange, CheckSummary, Finding, RunReport, ScoreCause } from '../run/types.ts';

const round1 = (n: number) => Math.round(n * 10) / 10;
const judged = (c: CheckSummary | undefined) => c !== undefined && (c.status === 'pass' || c.status === 'fail');
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

interface Piece { kind: ScoreCause['kind']; check: string; count: number; dp: number; dt: number; text: string }

interface AreaWeights { p: number; t: number }

/** The comparable checks' findings matched by fingerprint (diff.ts pairFindings). */
export interface FindingPairs {
  /** Current findings, one per fingerprint. */
  current: Finding[];
  /**
   * `was[i]`: the previous finding with current[i]'s fingerprint (or one it had under an earlier
   * ztaudit: diff.ts pairFindings), undefined when it is new.
   */
  was: Array<Finding | undefined>;
  /** Previous findings no current finding matches. */
  resolved: Finding[];
  /**
   * Previous findings no current finding matches on a resource the current run could not judge
   * (diff.ts notJudgedOf): not in `resolved`. Absent when none.
   */
  notJudged?: Finding[];
}

type Tally = Record<'new' | 'resolved' | 'notJudged' | 'waived' | 'unwaived', [number, number]> & {
  /** Persisting open findings whose severity changed, counted per "from → to" (the same finding, not a new one). */
  resevered: Map<string, number>;
};

const emptyTally = (): Tally => ({ new: [0, 0], resolved: [0, 0], notJudged: [0, 0], waived: [0, 0], unwaived: [0, 0], resevered: new Map() });

/** Per check: findings that came, went, changed waiver or changed severity (count and weight of each). */
function tallies(pairs: FindingPairs): Map<string, Tally> {
  const out = new Map<string, Tally>();
  const tallyOf = (check: string) => {
    let t = out.get(check);
    if (!t) { t = emptyTally(); out.set(check, t); }
    return t;
  };
  const add = (check: string, k: 'new' | 'resolved' | 'notJudged' | 'waived' | 'unwaived', w: number) => {
    const t = tallyOf(check);
    t[k][0]++;
    t[k][1] += w;
  };
  for (let i = 0; i < pairs.current.length; i++) {
    const f = pairs.current[i];
    const was = pairs.was[i];
    if (f.waived) { if (was && !was.waived) add(f.check, 'waived', SEVERITY_WEIGHT[was.severity]); continue; }
    if (!was) add(f.check, 'new', SEVERITY_WEIGHT[f.severity]);
    else if (was.waived) add(f.check, 'unwaived', SEVERITY_WEIGHT[f.severity]);
    else if (was.severity !== f.severity) {
      const m = tallyOf(f.check).resevered;
      const key = `${was.severity}>${f.severity}`;
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  for (const f of pairs.resolved) if (!f.waived) add(f.check, 'resolved', SEVERITY_WEIGHT[f.severity]);
  for (const f of pairs.notJudged ?? []) if (!f.waived) add(f.check, 'notJudged', SEVERITY_WEIGHT[f.severity]);
  return out;
}

/** P and T of an area rebuilt from the check summaries and findings (passes weigh by their check's severity). */
function weightsOf(report: RunReport): Map<Area, AreaWeights> {
  const out = new Map<Area, AreaWeights>(AREAS.map((a) => [a, { p: 0, t: 0 }]));
  for (const c of report.checks) {
    if (!judged(c)) continue;
    const w = out.get(c.area)!;
    const pass = c.passed * SEVERITY_WEIGHT[c.severity];
    w.p += pass;
    w.t += pass;
  }
  for (const f of report.findings) if (!f.waived) out.get(f.area)!.t += SEVERITY_WEIGHT[f.severity];
  return out;
}

/**
 * Each area's score rebuilt from a report's check summaries and findings (weightsOf), rounded as
 * scores are shown; null where nothing was weighed. For a diff baseline whose checks come from
 * different runs (src/diff/baseline.ts) this is the score of every check at its last evaluated
 * state, which no stored run holds.
 */
export function rebuiltAreaScores(report: RunReport): Record<Area, number | null> {
  const w = weightsOf(report);
  return Object.fromEntries(AREAS.map((a) => { const { p, t } = w.get(a)!; return [a, t > 0 ? round1((100 * p) / t) : null]; })) as Record<Area, number | null>;
}

/** "from>to" keys: escalations first, then by the severity reached, most severe first. */
function bySeverityChange(x: string, y: string): number {
  const rank = (k: string) => k.split('>').map((s) => SEVERITIES.indexOf(s as Severity)) as [number, number];
  const [xf, xt] = rank(x);
  const [yf, yt] = rank(y);
  return Number(xt >= xf) - Number(yt >= yf) || xt - yt || xf - yf;
}

function piecesOf(previous: RunReport, current: RunReport, pairs: FindingPairs, inputChanged: ReadonlyMap<string, string>): Map<Area, Piece[]> {
  const prevChecks = new Map(previous.checks.map((c) => [c.id, c]));
  const curChecks = new Map(current.checks.map((c) => [c.id, c]));
  // A check's open findings, for the few checks judged in one run only.
  const openIn = (report: RunReport, id: string) => report.findings.filter((f) => f.check === id && !f.waived);
  const tally = tallies(pairs);
  const none = emptyTally();
  const out = new Map<Area, Piece[]>(AREAS.map((a) => [a, []]));
  const ids = [...new Set([...prevChecks.keys(), ...curChecks.keys()])].sort();
  for (const id of ids) {
    const a = prevChecks.get(id);
    const b = curChecks.get(id);
    const area = (b ?? a)!.area;
    const pieces = out.get(area)!;
    const passW = (c: CheckSummary | undefined) => (judged(c) ? c!.passed * SEVERITY_WEIGHT[c!.severity] : 0);
    const openW = (fs: Finding[]) => fs.reduce((s, f) => s + SEVERITY_WEIGHT[f.severity], 0);
    if (judged(a) !== judged(b)) {
      // The check left the score (or came back): all its results move together.
      const p = judged(a) ? passW(a) : passW(b);
      const open = judged(a) ? openIn(previous, id) : openIn(current, id);
      const n = (judged(a) ? a!.passed : b!.passed) + open.length;
      const sign = judged(a) ? -1 : 1;
      if (n === 0) continue;
      const status = b?.status ?? 'absent';
      pieces.push(judged(a)
        ? { kind: 'check-not-evaluated', check: id, count: n, dp: sign * p, dt: sign * (p + openW(open)), text: `now ${status}${b?.reason ? ` (${b.reason})` : ''}: its ${plural(n, 'result')} (${a!.passed} passing, ${open.length} open) left the score` }
        : { kind: 'check-evaluated-again', check: id, count: n, dp: p, dt: p + openW(open), text: `evaluated again (was ${a?.status ?? 'absent'}): ${plural(n, 'result')} (${b!.passed} passing, ${open.length} open) entered the score` });
      continue;
    }
    if (!judged(a)) continue;
    if (a!.severity !== b!.severity) {
      // Re-weighted (config or catalog), not new or resolved: every result of the check moves
      // together, under one cause that says so.
      const before = openIn(previous, id);
      const after = openIn(current, id);
      const dp = passW(b) - passW(a);
      pieces.push({
        kind: 'severity-changed', check: id, count: b!.passed + after.length, dp, dt: dp + openW(after) - openW(before),
        text: `severity of ${id} changed ${a!.severity} → ${b!.severity}: its ${plural(b!.passed + after.length, 'result')} (${b!.passed} passing, ${after.length} open) weigh ${SEVERITY_WEIGHT[b!.severity]} instead of ${SEVERITY_WEIGHT[a!.severity]}`,
      });
      continue;
    }
    // Both judged: findings that came, went, or changed waiver; passes that came or went.
    const acc = tally.get(id) ?? none;
    if (acc.new[0]) pieces.push({ kind: 'new-findings', check: id, count: acc.new[0], dp: 0, dt: acc.new[1], text: plural(acc.new[0], 'new finding') });
    if (acc.unwaived[0]) pieces.push({ kind: 'unwaived', check: id, count: acc.unwaived[0], dp: 0, dt: acc.unwaived[1], text: `${plural(acc.unwaived[0], 'finding')} no longer waived` });
    for (const [key, n] of [...acc.resevered].sort(([x], [y]) => bySeverityChange(x, y))) {
      const [from, to] = key.split('>') as [Severity, Severity];
      const worse = SEVERITIES.indexOf(to) < SEVERITIES.indexOf(from);
      const why = inputChanged.get(id);
      pieces.push({ kind: 'severity-changed', check: id, count: n, dp: 0, dt: n * (SEVERITY_WEIGHT[to] - SEVERITY_WEIGHT[from]), text: why !== undefined ? `${plural(n, 'finding')} ${from} → ${to}, ${why}` : `${plural(n, 'finding')} ${worse ? 'escalated' : 'de-escalated'} ${from} → ${to}` });
    }
    if (acc.resolved[0]) pieces.push({ kind: 'resolved-findings', check: id, count: acc.resolved[0], dp: 0, dt: -acc.resolved[1], text: plural(acc.resolved[0], 'resolved finding') });
    // Gone from the score because this run could not judge their resource, not because they were fixed.
    if (acc.notJudged[0]) pieces.push({ kind: 'findings-not-judged', check: id, count: acc.notJudged[0], dp: 0, dt: -acc.notJudged[1], text: `${plural(acc.notJudged[0], 'finding')} not judged (${acc.notJudged[0] === 1 ? 'its namespace is' : 'their namespaces are'} not in the input), not resolved: left the score` });
    if (acc.waived[0]) pieces.push({ kind: 'waived', check: id, count: acc.waived[0], dp: 0, dt: -acc.waived[1], text: `${plural(acc.waived[0], 'finding')} newly waived (left the score)` });
    const dPass = b!.passed - a!.passed;
    const dpw = passW(b) - passW(a);
    if (dPass !== 0 || dpw !== 0) {
      const n = Math.abs(dPass);
      pieces.push(dpw > 0 || (dpw === 0 && dPass > 0)
        ? { kind: 'passes-added', check: id, count: n, dp: dpw, dt: dpw, text: `${plural(n, 'more passing result')} (${a!.evaluated} → ${b!.evaluated} evaluated)` }
        : { kind: 'passes-removed', check: id, count: n, dp: dpw, dt: dpw, text: passesRemovedText(n, a!.evaluated, b!.evaluated, acc.new[0]) });
    }
  }
  return out;
}

/**
 * Why `n` fewer results of a check pass, from its evaluated counts and its new findings: a
 * passing result is gone (its object deleted or out of scope) or now fails. Only fewer
 * evaluated results can be objects gone, so at least n − (before − after) now fail (all n when
 * as many or more were evaluated); only new findings can be results now failing, so at least
 * n − newFindings are gone. What neither bound settles (an object deleted and another now
 * failing read the same in counts) is said to be either, not guessed.
 */
function passesRemovedText(n: number, before: number, after: number, newFindings: number): string {
  const failing = Math.max(0, n - Math.max(0, before - after));
  const gone = Math.min(n - failing, Math.max(0, n - newFindings));
  const either = n - failing - gone;
  const evaluated = `${before} → ${after} evaluated`;
  const num = (k: number) => k.toLocaleString('en-US');
  if (failing === n) return `${plural(n, 'passing result')} now failing (${evaluated})`;
  if (gone === n) return `${plural(n, 'passing result')} no longer present (${evaluated}: objects deleted or no longer in scope)`;
  const parts = [
    ...(failing > 0 ? [`${num(failing)} now failing`] : []),
    ...(gone > 0 ? [`${num(gone)} no longer present (objects deleted or no longer in scope)`] : []),
    ...(either > 0 ? [`${num(either)} now failing or no longer present (object deleted or out of scope: the counts do not tell which)`] : []),
  ];
  return `${plural(n, 'fewer passing result')} (${evaluated}): ${parts.join(', ')}`;
}

/** Rounds shares to 0.1 so that they add up to `target` exactly (largest remainder). */
function apportion(shares: number[], target: number): number[] {
  const units = shares.map((s) => s * 10);
  const floors = units.map((u) => Math.floor(u));
  let left = Math.round(target * 10) - floors.reduce((s, f) => s + f, 0);
  const order = units.map((u, i) => ({ i, r: u - floors[i] })).sort((x, y) => y.r - x.r || x.i - y.i);
  const out = [...floors];
  const n = order.length;
  for (let k = 0; left > 0 && n > 0; k++, left--) out[order[k % n].i]++;
  for (let k = 0; left < 0 && n > 0; k++, left++) out[order[n - 1 - (k % n)].i]--;
  return out.map((u) => u / 10);
}

/**
 * `deltas` are the diff's scoreDelta.areas: an area's delta is the one every other output shows,
 * and null (no points) where the diff finds the two scores not comparable — a check evaluated in
 * one run only, compared with an older run than `previous` (whose stored score was computed
 * without it), or re-weighted. Its causes are still listed, without points: weighing them
 * against a stored score that did not count the same checks invents the difference.
 * `inputChanged`: checks judged without a best-effort input in one of the runs (diff.ts), check
 * id -> why: their findings' severity changes are said with it, never as escalated or de-escalated.
 */
export function explainScoreChanges(previous: RunReport, current: RunReport, pairs: FindingPairs, deltas: Record<Area, number | null>, inputChanged: ReadonlyMap<string, string> = new Map()): Partial<Record<Area, AreaScoreChange>> {
  const w0 = weightsOf(previous);
  const w1 = weightsOf(current);
  const pieces = piecesOf(previous, current, pairs, inputChanged);
  const out: Partial<Record<Area, AreaScoreChange>> = {};
  for (const area of AREAS) {
    const before = previous.score.areas[area] ?? null;
    const after = current.score.areas[area] ?? null;
    const list = pieces.get(area)!;
    const delta = deltas[area];
    if (list.length === 0 && (delta === null || delta === 0)) continue;
    const causes: ScoreCause[] = list.map((p) => ({ kind: p.kind, check: p.check, count: p.count, points: 0, text: p.text }));
    if (delta !== null) {
      const a = w0.get(area)!, b = w1.get(area)!;
      const s0 = a.t > 0 ? a.p / a.t : 0;
      const shares = list.map((p) => (b.t > 0 ? (100 * (p.dp - s0 * p.dt)) / b.t : 0));
      // The rebuilt scores match the stored ones unless passes carried per-result severities
      // that report.json does not itemise; the rest is then listed as such, not hidden.
      const scoreOf = (w: AreaWeights) => (w.t > 0 ? round1((100 * w.p) / w.t) : null);
      if (scoreOf(a) !== before || scoreOf(b) !== after) {
        causes.push({ kind: 'unitemised', check: '', count: 0, points: 0, text: 'passing results whose per-result severity report.json does not itemise' });
        shares.push(delta - shares.reduce((s, x) => s + x, 0));
      }
      const points = apportion(shares, delta);
      causes.forEach((c, i) => { c.points = points[i] ?? 0; });
      if (causes.length === 0 && delta !== 0) causes.push({ kind: 'unitemised', check: '', count: 0, points: delta, text: 'rounding of the two shown scores' });
    }
    out[area] = { before, after, delta, causes };
  }
  return out;
}
