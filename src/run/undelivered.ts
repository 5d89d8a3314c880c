// A regression alert that no channel delivered is not dropped: the next run, which diffs
// against the run that raised it and so no longer sees a regression, sends it (the notify
// policy, src/notify/policy.ts). The run is stored with its notification outcomes, or, stored
// before it was notified (serve), is stored with each channel pending and has the outcomes
// recorded into the stored run afterwards: a process killed in between (SIGKILL, OOM) leaves
// the channels pending, and a pending channel delivered nothing as far as anyone knows.
import { oneLine } from '../base/plain-text.ts';
import type { NotificationOutcome, RunReport, UndeliveredAlert } from './types.ts';

/** Why a pending outcome is stored as failed (pendingOutcome). */
export const PENDING_DETAIL = 'pending: ztaudit stopped (killed?) before it recorded whether this channel delivered the alert';

/**
 * A channel's outcome until the real one is recorded. Stored as failed, not as a status of its
 * own: it must be carried exactly as a failure is, and ztaudit versions that share the store
 * (a fleet on one PostgreSQL database) read it the same way.
 */
export function pendingOutcome(channel: NotificationOutcome['channel']): NotificationOutcome {
  return { channel, status: 'failed', detail: PENDING_DETAIL };
}

/**
 * What `run` (the latest stored run) leaves for the next run to send, unless a channel
 * delivered it or may have (NotificationOutcome.maybeDelivered): what it carried, always (a run that sent nothing — no channel, --no-notify,
 * every channel skipped, a serve --watch run stored without alerting — loses nothing it was
 * handed), then its own regression when a channel tried and failed (a regression no channel
 * tried had nothing to lose). `outcomes`: the run's, when known better than stored (a run
 * stored before it was notified).
 */
export function undeliveredAfter(run: RunReport, outcomes = run.notifications): UndeliveredAlert[] {
  const d = run.diff;
  if (!d) return [];
  // A channel that may have delivered it (no answer to a request that went out) counts as one
  // that did: Slack has no idempotency key, and a second copy of an alert is worse than a
  // warning that the first one may not have arrived.
  if (outcomes.some((n) => n.status === 'sent' || n.maybeDelivered === true)) return [];
  const tried = outcomes.some((n) => n.status === 'failed');
  const own = d.regression && tried ? [{ runId: run.run.id, reasons: d.regressionReasons.length > 0 ? d.regressionReasons : ['a regression (see that run\'s report)'] }] : [];
  return [...(d.undelivered ?? []), ...own];
}

/**
 * serve --watch: the alerts held back as flapping repeats (RunDiff.heldAlerts) that `run` (the
 * latest stored run) leaves for the next run, whatever its channels did (its alert did not say
 * them), but those whose findings were all new in it, when it delivered its alert: that said them.
 */
export function heldAfter(run: RunReport, outcomes = run.notifications): UndeliveredAlert[] {
  const held = run.diff?.heldAlerts ?? [];
  if (held.length === 0) return [];
  const d = run.diff!;
  if (!d.regression || !outcomes.some((n) => n.status === 'sent' || n.maybeDelivered === true)) return [...held];
  const alerted = new Set(d.new);
  return held.filter((h) => !(h.findings ?? []).every((fp) => alerted.has(fp)));
}

/**
 * What `report` does with the held-back alerts it is handed (heldAfter): one whose findings it
 * resolved or waived is dropped (Alertmanager: after a resolution the next firing is a first
 * notification, not a repeat); one due (heldUntil at or before the run's start) is sent, as an
 * undelivered alert, naming the findings still open; the others are carried on.
 */
export function releaseHeld(held: readonly UndeliveredAlert[], report: RunReport): { due: UndeliveredAlert[]; held: UndeliveredAlert[] } {
  if (held.length === 0) return { due: [], held: [] };
  const closed = new Set(report.diff?.resolved ?? []);
  for (const f of report.findings) if (f.waived) closed.add(f.fingerprint);
  const at = Date.parse(report.run.startedAt);
  const due: UndeliveredAlert[] = [];
  const still: UndeliveredAlert[] = [];
  for (const h of held) {
    const open = (h.findings ?? []).filter((fp) => !closed.has(fp));
    if (open.length === 0) continue;
    if (h.heldUntil !== undefined && Date.parse(h.heldUntil) > at) still.push({ ...h, findings: open });
    else due.push({ runId: h.runId, reasons: h.reasons, findings: open });
  }
  return { due, held: still };
}

/**
 * The warning for a message sent to some recipients only (NotificationOutcome.rejected), or
 * null: it is delivered, so it is not carried, and those who did not get it are named.
 */
export function rejectedWarning(outcome: NotificationOutcome, what = 'the alert'): string | null {
  if (!outcome.rejected?.length) return null;
  return oneLine(`${outcome.channel}: the mail server refused ${what} for ${outcome.rejected.join(', ')}; it was sent to the other recipients`);
}
