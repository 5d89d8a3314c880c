// The numbers every output states about one run (terminal, HTML, Markdown, Slack, email):
// computed once here so they cannot disagree.
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import type { RunReport } from '../run/types.ts';

export interface RunCounts {
  findings: number;
  open: number;
  waived: number;
  /** Open findings per severity. */
  bySeverity: Record<Severity, number>;
  /** Open findings that a broader open finding on the same resource implies. */
  folded: number;
  checks: number;
  failingChecks: number;
  /** Checks whose data was missing or that failed to run (status not-evaluated or error). */
  notEvaluated: number;
  /** Checks that do not apply to this cluster (or are disabled). */
  notApplicable: number;
  /**
   * Open findings of the checks this run could not evaluate, as the last run that evaluated
   * each had them, waived or not by this run's config (RunReport.run.lastEvaluatedOpen): not in
   * `open`, stated beside it, per severity too ("0 (+6) critical": severityCountText). null when none.
   */
  carried: { open: number; bySeverity: Record<Severity, number>; checks: number; runIds: string[] } | null;
  /** Since the previous run; null on a first run. */
  newFindings: number | null;
  resolved: number | null;
  persisting: number | null;
}

export function runCounts(report: RunReport): RunCounts {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let waived = 0;
  let folded = 0;
  // An implied finding folds when its cause is open too. Only the causes named are looked
  // up (a few thousand), not every finding's fingerprint (hundreds of thousands at 150k pods).
  const causes = new Map<string, number>(); // cause fingerprint -> open findings it implies
  for (const f of report.findings) {
    if (f.waived) { waived++; continue; }
    bySeverity[f.severity]++;
    if (f.impliedBy) causes.set(f.impliedBy, (causes.get(f.impliedBy) ?? 0) + 1);
  }
  if (causes.size > 0) {
    for (const f of report.findings) {
      const n = f.waived ? undefined : causes.get(f.fingerprint);
      if (n !== undefined) { folded += n; causes.delete(f.fingerprint); }
    }
  }
  const status = (s: string) => report.checks.filter((c) => c.status === s).length;
  const d = report.diff;
  const last = report.run.lastEvaluatedOpen ?? [];
  const openIn = (e: (typeof last)[number]) => SEVERITIES.reduce((m, s) => m + (e.open[s] ?? 0), 0);
  const carriedOpen = last.reduce((n, e) => n + openIn(e), 0);
  const carriedBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, last.reduce((n, e) => n + (e.open[s] ?? 0), 0)])) as Record<Severity, number>;
  // An entry may carry only waived findings (report.sarif lists them): no check with open ones.
  const carriedChecks = last.filter((e) => openIn(e) > 0);
  return {
    findings: report.findings.length,
    open: report.findings.length - waived,
    waived,
    bySeverity,
    folded,
    checks: report.checks.length,
    failingChecks: status('fail'),
    notEvaluated: status('not-evaluated') + status('error'),
    notApplicable: status('not-applicable'),
    carried: carriedOpen > 0 ? { open: carriedOpen, bySeverity: carriedBySeverity, checks: carriedChecks.length, runIds: [...new Set(carriedChecks.map((e) => e.runId))].sort().reverse() } : null,
    newFindings: d ? d.new.length : null,
    resolved: d ? d.resolved.length : null,
    persisting: d ? d.persisting : null,
  };
}

/**
 * The open findings this run could not see, as a parenthesis for its open count: "+17 in 12
 * checks not evaluated, as of run X" (the newest run named, and how many more); '' when none.
 * The run ids are stored names, shown as the caller shows text.
 */
export function carriedText(c: Pick<RunCounts, 'carried'>): string {
  const k = c.carried;
  if (!k) return '';
  const runs = k.runIds.length === 1 ? `run ${k.runIds[0]}` : `runs ${k.runIds[0]} and ${k.runIds.length - 1} older`;
  return `+${k.open.toLocaleString('en-US')} in ${k.checks.toLocaleString('en-US')} ${k.checks === 1 ? 'check' : 'checks'} not evaluated, as of ${runs}`;
}

/**
 * One severity's open count with, beside it, the carried findings of that severity (checks not
 * evaluated, as last evaluated): "0 (+6)", as `ztaudit history` shows it; "13" when none carried.
 * A partial run must not say "0 critical" while critical findings it could not see stand.
 */
export function severityCountText(c: Pick<RunCounts, 'bySeverity' | 'carried'>, s: Severity): string {
  const k = c.carried?.bySeverity[s] ?? 0;
  return `${c.bySeverity[s].toLocaleString('en-US')}${k > 0 ? ` (+${k.toLocaleString('en-US')})` : ''}`;
}
