// Counting regression alerts in what a (fake) Slack received: a top-level message counts for a
// reason when one line of its "Why this is a regression" section is that reason, exactly.
// Not a substring of the blocks: the soak names its regressions reg-0, reg-1, … and the alert
// for reg-10 contains the text of reg-1's ("…on ServiceAccount soak-x/reg-1" is a prefix of
// "…on ServiceAccount soak-x/reg-10"), so a substring match counts reg-1 alerted again for
// every reg-1N alerted.
import { mrkdwnText } from '../../src/notify/mrkdwn.ts';
import type { RecordedCall } from '../unit/notify/slack-server.ts';

const HEADING = '*Why this is a regression*';

/** The regression reasons listed by a top-level chat.postMessage (none for thread replies and other calls). */
export function regressionReasonsOf(call: RecordedCall): string[] {
  if (call.path !== '/api/chat.postMessage' || call.fields.thread_ts !== undefined) return [];
  const blocks = Array.isArray(call.fields.blocks) ? (call.fields.blocks as Array<{ type?: unknown; text?: { text?: unknown } }>) : [];
  for (const b of blocks) {
    const text = b.type === 'section' && typeof b.text?.text === 'string' ? b.text.text : '';
    if (!text.startsWith(`${HEADING}\n`)) continue;
    return text.slice(HEADING.length + 1).split('\n').map((line) => line.replace(/^• /, ''));
  }
  return [];
}

/** How many top-level messages gave `reason` (as diffRuns words it) as a reason for a regression. */
export function regressionAlertCount(calls: readonly RecordedCall[], reason: string): number {
  const line = mrkdwnText(reason);
  return calls.filter((c) => regressionReasonsOf(c).includes(line)).length;
}
