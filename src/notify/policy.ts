// When a notifier sends: the decision is the report's own (report.diff.regression); notifiers
// never re-derive the diff.
import type { RunReport } from '../run/types.ts';

export type NotifyPolicy = 'regression' | 'always' | 'never';

/** null = send; otherwise why it is skipped. */
export function skipReason(report: RunReport, policy: NotifyPolicy): string | null {
  if (policy === 'never') return 'notification policy is never';
  if (policy === 'always') return null;
  if (!report.diff) return report.run.unreadablePrevious?.length ? 'not diffed: no previous stored run of this cluster could be read' : 'first run: no previous run to regress from';
  return alerting(report) ? null : 'no regression since the previous run';
}

/** Whether the run raises an alert: it regressed, or it carries an earlier run's undelivered alert. */
export function alerting(report: RunReport): boolean {
  return report.diff?.regression === true || (report.diff?.undelivered?.length ?? 0) > 0;
}

/** The alert's reasons, one line each: this run's regression, then what earlier runs could not deliver. */
export function alertReasons(report: RunReport): string[] {
  const d = report.diff;
  if (!d) return [];
  return [
    ...(d.regression ? d.regressionReasons : []),
    ...(d.undelivered ?? []).flatMap((u) => u.reasons.map((r) => `not delivered after run ${u.runId}: ${r}`)),
  ];
}

/** serve --watch: the repeat alerts of a flapping regression held back before this one (watch.realertAfterHours). */
export function heldBackText(h: { repeats: number; since: string }): string {
  return `flapping: ${h.repeats} repeat alert${h.repeats === 1 ? '' : 's'} of these findings held back since ${h.since} (watch.realertAfterHours)`;
}

/**
 * Which alert: the audit did not run, it ran (reports written) but could not be stored, it
 * was not stored because a run of the cluster that started later was stored meanwhile, or
 * (serve) a run still going has made scheduled runs be skipped (src/schedule/daemon.ts).
 */
export type FailureKind = 'not-run' | 'not-stored' | 'overtaken' | 'stuck';
export const FAILURE_TEXT: Record<FailureKind, { title: string; lede: string }> = {
  'not-run': { title: 'audit could not run', lede: 'did not complete, so there is no compliance result for this run.' },
  'not-stored': { title: 'audit could not be stored', lede: 'ran and wrote its reports, but the run could not be stored in the history: the next run will diff against an older baseline.' },
  'overtaken': { title: 'audit run not stored: a newer run was stored', lede: 'was not stored because a newer run of the cluster was stored meanwhile; that run is the latest result, and nothing needs re-running.' },
  'stuck': { title: 'audit stuck: scheduled runs skipped', lede: 'has not ended and the runs scheduled after it were skipped, so there is no new compliance result until it ends.' },
};
