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
    newFindings: d ? d.new.length : null,
    resolved: d ? d.resolved.length : null,
    persisting: d ? d.persisting : null,
  };
}
