// When a notifier sends: the decision is the report's own (report.diff.regression); notifiers
// never re-derive the diff.
import type { RunReport } from '../run/types.ts';

export type NotifyPolicy = 'regression' | 'always' | 'never';

/** null = send; otherwise why it is skipped. */
export function skipReason(report: RunReport, policy: NotifyPolicy): string | null {
  if (policy === 'never') return 'notification policy is never';
  if (policy === 'always') return null;
  if (!report.diff) return 'first run: no previous run to regress from';
  return report.diff.regression ? null : 'no regression since the previous run';
}
