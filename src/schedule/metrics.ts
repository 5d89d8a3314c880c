// Prometheus text exposition (format 0.0.4) of the daemon's state: scores and open findings
// of the latest stored run, plus counters over the process lifetime. Pure: the daemon
// keeps the state, this only formats it. Every area x severity series is always present
// (0 when empty) so an alert on `ztaudit_findings > 0` never sees a vanishing series; and a
// check the latest run could not evaluate counts with its findings of the last run that did
// (lastEvaluated), as the diff never calls them resolved: a kind made unreadable must not
// resolve that alert (a vanished series would resolve it just the same, so the series stays).
// Scores likewise: an area whose checks the latest run could not all evaluate shows no more than
// its score in the last run that evaluated them all, and keeps its series (ztaudit_score_carried
// 1), and a partial run's overall never reads above the last complete run's (carryScores).
import { AREAS, SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { openCarried } from '../run/waivers.ts';
import type { Finding, RunReport } from '../run/types.ts';
import { checkCoverage, isBlind, isEvaluated, notEvaluated } from '../run/coverage.ts';
import { carryScores, type ScoreMemory } from '../run/carried-scores.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type RunResult = 'success' | 'error' | 'skipped';
export const RUN_RESULTS: readonly RunResult[] = ['success', 'error', 'skipped'];
export const NOTIFY_CHANNELS = ['slack', 'email'] as const;

/** A check's findings in a run that evaluated it: open and waived, by `${area}\0${severity}`. */
export interface EvaluatedFindings {
  runId: string;
  open: Map<string, number>;
  waived: Map<string, number>;
  /**
   * The waived findings (what a waiver matches them by), with their `area\0severity` key:
   * carried into a run that cannot evaluate the check, each is waived or open there by that
   * run's waivers at its start (openCarried), as the run's report counts it. What an open
   * finding is matched by is not held: every run of a daemon has its one config, so no waiver
   * can have been added for it since; a daemon started with a new config holds nothing yet and
   * counts what the run states (run.lastEvaluatedOpen, decided by that config).
   */
  waivedFindings?: WaivedFinding[];
}

type WaivedFinding = Pick<Finding, 'fingerprint' | 'check' | 'resource' | 'related'> & { key: string };

export interface MetricsState {
  /** The latest stored run (its report), or null before the first one. */
  latest: RunReport | null;
  /**
   * By check id: its findings in the newest stored run of this process that evaluated it, for
   * the checks `latest` evaluated or could not evaluate (not-evaluated, error). Absent: none.
   */
  lastEvaluated?: ReadonlyMap<string, EvaluatedFindings>;
  /**
   * The area scores of the newest runs that scored each area whole, and the last complete run's
   * overall, over the stored runs this process has seen (the latest included) and those it read
   * at start (rememberScores). Absent: none.
   */
  scores?: ScoreMemory;
  lastDurationSeconds: number | null;
  lastSuccessAt: Date | null;
  /**
   * The last run that could not complete (collection failed, the store refused it, bad input):
   * when it ended and its error, on one line. Kept after a success (on-call asks what failed
   * last); null before any failure.
   */
  lastFailure: { at: Date; error: string } | null;
  /** Runs that could not complete since the last one that did (0 after a success): /healthz. */
  consecutiveFailures: number;
  /**
   * When the daemon started: ztaudit_start_time_seconds, the baseline of "no success for two
   * days" while lastSuccessAt is null (process_start_time_seconds' role in the client libraries).
   */
  startedAt: Date;
  runsTotal: Record<RunResult, number>;
  /** Scheduled runs that never started: the daemon woke too long after their time. */
  scheduledRunsMissedTotal: number;
  notificationFailuresTotal: Record<string, number>;
  running: boolean;
  /** serve --watch: the age of the oldest change not yet audited, events handled and watch state per kind. */
  watch?: () => { lagSeconds: number; events: Record<string, number>; watching: Record<string, boolean> };
}

export function emptyMetricsState(startedAt: Date = new Date()): MetricsState {
  return {
    latest: null,
    lastDurationSeconds: null,
    lastSuccessAt: null,
    lastFailure: null,
    consecutiveFailures: 0,
    startedAt,
    runsTotal: { success: 0, error: 0, skipped: 0 },
    scheduledRunsMissedTotal: 0,
    notificationFailuresTotal: Object.fromEntries(NOTIFY_CHANNELS.map((c) => [c, 0])),
    running: false,
  };
}

// The text format (https://prometheus.io/docs/instrumenting/exposition_formats/, "Text
// format details"): a label_value is any UTF-8 but backslash, double quote and line feed,
// written `\\`, `\"` and `\n`; a HELP docstring is any UTF-8 but backslash and line feed,
// written `\\` and `\n`. Backslash first, so the escapes added are not escaped again. Every
// label value below comes from a fixed vocabulary today; escaping anyway keeps a future one
// (a kind, a cluster name) from closing its quote or starting a forged sample line.
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

class Exposition {
  private readonly lines: string[] = [];
  family(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string>, number]>): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${num(v)}`);
  }
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderMetrics(state: MetricsState): string {
  const out = new Exposition();
  const r = state.latest;
  out.family('ztaudit_up', 'gauge', 'The ztaudit daemon is running.', [[{}, 1]]);
  // ztaudit_last_success_timestamp_seconds has no sample until a run succeeds, so an alert on
  // its age alone never fires for a daemon that never succeeded: this is its fallback
  // (`ztaudit_last_success_timestamp_seconds or ztaudit_start_time_seconds`, docs/deploy.md).
  out.family('ztaudit_start_time_seconds', 'gauge', 'Unix time at which the daemon started.', [[{}, Math.floor(state.startedAt.getTime() / 1000)]]);
  out.family('ztaudit_run_in_progress', 'gauge', '1 while an audit run is in progress.', [[{}, state.running ? 1 : 0]]);
  // An area with no check that applies has no sample: absent means nothing to judge, never 0
  // or 100. One whose checks were not all evaluated shows no more than its last whole score.
  const shown = r ? carryScores(r, state.scores) : null;
  out.family('ztaudit_score', 'gauge', 'Score (0-100) per area in the latest completed run; an area whose checks it could not all evaluate is shown at no more than its score in the last run that evaluated them all (ztaudit_score_carried 1 when that one is shown), NaN when no run did (not known: the score over what could be read is not the area\'s); areas with no check that applies are absent.',
    shown ? AREAS.flatMap((a): Array<[Record<string, string>, number]> => {
      const s = shown.areas[a];
      return typeof s === 'number' ? [[{ area: a }, s]] : shown.unknown.includes(a) ? [[{ area: a }, NaN]] : [];
    }) : []);
  out.family('ztaudit_score_carried', 'gauge', '1 when the area\'s ztaudit_score is carried from the last run that evaluated all its checks: the latest run could not (see ztaudit_checks_not_evaluated), and scored it higher over what it could read, or not at all.',
    shown ? AREAS.flatMap((a): Array<[Record<string, string>, number]> => (typeof shown.areas[a] === 'number' || shown.unknown.includes(a) ? [[{ area: a }, a in shown.carried ? 1 : 0]] : [])) : []);
  out.family('ztaudit_score_overall', 'gauge', 'Overall score (0-100) of the latest completed run: the mean of the area scores; when checks were not evaluated (ztaudit_checks_not_evaluated), carried area scores count and it is never above the last complete run\'s overall; NaN when an area is NaN and no complete run is known.',
    shown && typeof shown.overall === 'number' ? [[{}, shown.overall]] : shown && shown.unknown.length > 0 ? [[{}, NaN]] : []);
  // A score over part of an area's checks is not that area's score: say how many are missing.
  out.family('ztaudit_checks_not_evaluated', 'gauge', 'Checks that apply but were not evaluated in the latest completed run (a kind could not be read, a check failed), by area; its score covers only the rest.',
    r ? AREAS.map((area): [Record<string, string>, number] => [{ area }, notEvaluated(checkCoverage(r.checks, area))]) : []);
  out.family('ztaudit_run_partial', 'gauge', '1 when the latest completed run could not read everything (see report.json run.partial).',
    r ? [[{}, (r.run.partial?.length ?? 0) > 0 ? 1 : 0]] : []);
  const { open, waived } = countFindings(r?.findings ?? []);
  // A check this run could not evaluate: its findings as the last run that evaluated it had them.
  for (const c of r?.checks ?? []) {
    const carried = isBlind(c.status) ? state.lastEvaluated?.get(c.id) : undefined;
    if (!carried) continue;
    for (const [from, into] of [[carried.open, open], [carried.waived, waived]] as const) {
      for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
    }
  }
  const grid = (m: Map<string, number>): Array<[Record<string, string>, number]> =>
    r ? AREAS.flatMap((area) => SEVERITIES.map((severity): [Record<string, string>, number] => [{ area, severity }, m.get(`${area}\u0000${severity}`) ?? 0])) : [];
  out.family('ztaudit_findings', 'gauge', 'Open (not waived) findings in the latest stored run, by area and severity; a check it could not evaluate counts with its findings of the last run that did.', grid(open));
  out.family('ztaudit_findings_waived', 'gauge', 'Waived findings in the latest stored run, by area and severity; a check it could not evaluate counts with its findings of the last run that did.', grid(waived));
  out.family('ztaudit_run_duration_seconds', 'gauge', 'Wall-clock duration of the latest completed run.',
    state.lastDurationSeconds !== null ? [[{}, state.lastDurationSeconds]] : []);
  out.family('ztaudit_last_success_timestamp_seconds', 'gauge', 'Unix time at which the latest successful run was stored (a run not stored is no success).',
    state.lastSuccessAt ? [[{}, Math.floor(state.lastSuccessAt.getTime() / 1000)]] : []);
  out.family('ztaudit_notification_failures_total', 'counter', 'Notifications that failed to send since the daemon started, by channel.',
    Object.entries(state.notificationFailuresTotal).map(([channel, n]) => [{ channel }, n]));
  out.family('ztaudit_runs_total', 'counter', 'Audit runs since the daemon started, by result (skipped: a tick arrived while a run was in progress).',
    RUN_RESULTS.map((result) => [{ result }, state.runsTotal[result]]));
  out.family('ztaudit_scheduled_runs_missed_total', 'counter', 'Scheduled runs that never started since the daemon started: it woke more than the tolerance (15 min) after their time (event loop blocked, VM paused).',
    [[{}, state.scheduledRunsMissedTotal]]);
  if (state.watch) {
    const w = state.watch();
    out.family('ztaudit_watch_lag_seconds', 'gauge', 'serve --watch: age of the oldest change not yet covered by an audit run (0 when none is waiting).', [[{}, Math.round(w.lagSeconds * 1000) / 1000]]);
    out.family('ztaudit_watch_events_total', 'counter', 'serve --watch: watch events handled (bookmarks included), by kind.',
      Object.entries(w.events).sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => [{ kind }, n]));
    out.family('ztaudit_watch_up', 'gauge', 'serve --watch: 1 when the kind is being watched with ok coverage, 0 while its watch fails (its checks are not evaluated).',
      Object.entries(w.watching).sort(([a], [b]) => a.localeCompare(b)).map(([kind, up]) => [{ kind }, up ? 1 : 0]));
  }
  return out.text();
}

type Counts = { open: Map<string, number>; waived: Map<string, number> };

function countFinding(into: Counts, f: { area: string; severity: string; waived?: boolean }): void {
  const key = `${f.area}\u0000${f.severity}`;
  const target = f.waived ? into.waived : into.open;
  target.set(key, (target.get(key) ?? 0) + 1);
}

function countFindings(findings: Iterable<{ area: string; severity: string; waived?: boolean }>): Counts {
  const out: Counts = { open: new Map(), waived: new Map() };
  for (const f of findings) countFinding(out, f);
  return out;
}

/**
 * MetricsState.lastEvaluated once `report` is the latest stored run: each check it evaluated
 * with its findings there; each it could not evaluate with the open and waived findings the run
 * states for it (run.lastEvaluatedOpen, as /report.json counts them, decided by the same waivers; zero when
 * the run it names found none), or with what `previous` held for it when that comes from the run
 * stated (and not itself from a statement), or when the run states none and was not diffed against a stored run (no history): a waived finding there
 * counts as open unless `report`'s own waivers still waive it at its start (one removed or
 * expired since counts again). A check not applicable (switched off, its input absent) has
 * nothing to carry. One pass over the findings.
 */
export function lastEvaluated(previous: ReadonlyMap<string, EvaluatedFindings> | undefined, report: RunReport): Map<string, EvaluatedFindings> {
  const out = new Map<string, EvaluatedFindings>();
  for (const c of report.checks) if (isEvaluated(c.status)) out.set(c.id, { runId: report.run.id, open: new Map(), waived: new Map(), waivedFindings: [] });
  for (const f of report.findings) {
    const counts = out.get(f.check);
    if (!counts) continue;
    countFinding(counts, f);
    if (f.waived) counts.waivedFindings!.push({ key: `${f.area}\u0000${f.severity}`, fingerprint: f.fingerprint, check: f.check, resource: f.resource, ...(f.related ? { related: f.related } : {}) });
  }
  const now = new Date(report.run.startedAt);
  const stated = new Map((report.run.lastEvaluatedOpen ?? []).map((e) => [e.check, e]));
  for (const c of report.checks) {
    if (!isBlind(c.status)) continue;
    const carried = previous?.get(c.id);
    const e = stated.get(c.id);
    // What this daemon saw is the run's own statement only when both come from the same run:
    // another process may have stored a newer run that evaluated the check (a backdoor added, or
    // fixed), which the run states and this daemon never saw. What it holds from an earlier run's
    // statement (no waived findings to decide again) gives way to this run's, decided by today's
    // waivers (one expired since counts as open).
    // A run diffed against a stored one that states nothing for the check carries nothing for
    // it (its search ended at a run that found it not applicable, or without it): what this
    // daemon holds stands only for a run not diffed against history (--history none).
    if (carried && (e === undefined ? !report.diff : e.runId === carried.runId && carried.waivedFindings !== undefined)) { out.set(c.id, rewaived(carried, report.waivers ?? [], now)); continue; }
    // Its waived ones by severity as the run states them; an entry of a run stored before
    // waivedBySeverity has only the bare count, with no severity to put it under: 0 there.
    const bySeverity = (counts: Partial<Record<string, number>> | undefined) =>
      new Map(SEVERITIES.filter((s) => (counts?.[s] ?? 0) > 0).map((s) => [`${c.area}\u0000${s}`, counts![s]!]));
    if (e) out.set(c.id, { runId: e.runId, open: bySeverity(e.open), waived: bySeverity(e.waivedBySeverity) });
  }
  return out;
}

/**
 * The open findings a stored run carries for the checks it could not evaluate, by severity, as
 * /metrics counts them for that run read afresh (lastEvaluated with nothing held before it):
 * `ztaudit history` states them beside the run's own counts. All zero for a complete run.
 */
export function carriedOpenBySeverity(report: RunReport): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const last = lastEvaluated(undefined, report);
  for (const c of report.checks) {
    if (!isBlind(c.status)) continue;
    const open = last.get(c.id)?.open;
    for (const sev of SEVERITIES) out[sev] += open?.get(`${c.area}\u0000${sev}`) ?? 0;
  }
  return out;
}

/** `carried` with each waived finding that `waivers` no longer waive at `now` counted as open. */
function rewaived(carried: EvaluatedFindings, waivers: RunReport['waivers'], now: Date): EvaluatedFindings {
  const reopened = openCarried(waivers, carried.waivedFindings ?? [], now);
  if (reopened.length === 0) return carried;
  const open = new Map(carried.open);
  const waived = new Map(carried.waived);
  for (const { key } of reopened) {
    open.set(key, (open.get(key) ?? 0) + 1);
    waived.set(key, (waived.get(key) ?? 0) - 1);
  }
  const gone = new Set(reopened);
  return { runId: carried.runId, open, waived, waivedFindings: carried.waivedFindings!.filter((f) => !gone.has(f)) };
}
