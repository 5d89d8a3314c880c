// Which alert the latest stored run leaves for the next run to send.
import { describe, expect, it } from 'vitest';
import type { NotificationOutcome, RunDiff, RunReport } from '../../../src/run/types.ts';
import { heldAfter, releaseHeld, undeliveredAfter } from '../../../src/run/undelivered.ts';

function stored(id: string, diff: Partial<RunDiff> | null, notifications: NotificationOutcome[]): RunReport {
  // Only the fields undeliveredAfter reads.
  return { run: { id }, diff: diff && { regression: false, regressionReasons: [], ...diff }, notifications } as unknown as RunReport;
}

const failed: NotificationOutcome = { channel: 'slack', status: 'failed', detail: 'channel_not_found' };
const sent: NotificationOutcome = { channel: 'email', status: 'sent' };

describe('undeliveredAfter', () => {
  it('carries a regression every channel that tried failed to deliver', () => {
    expect(undeliveredAfter(stored('B', { regression: true, regressionReasons: ['2 new critical findings'] }, [failed, { channel: 'email', status: 'skipped' }])))
      .toEqual([{ runId: 'B', reasons: ['2 new critical findings'] }]);
  });

  it('carries nothing once one channel delivered it, or when no channel tried', () => {
    const regressed = { regression: true, regressionReasons: ['2 new critical findings'] };
    expect(undeliveredAfter(stored('B', regressed, [failed, sent]))).toEqual([]);
    expect(undeliveredAfter(stored('B', regressed, []))).toEqual([]);
    expect(undeliveredAfter(stored('B', regressed, [{ channel: 'slack', status: 'skipped' }]))).toEqual([]);
    expect(undeliveredAfter(stored('A', null, [failed]))).toEqual([]);
  });

  it('passes on what a run carried and could not deliver either, oldest first', () => {
    const carried = [{ runId: 'B', reasons: ['2 new critical findings'] }];
    expect(undeliveredAfter(stored('C', { undelivered: carried }, [failed]))).toEqual(carried);
    expect(undeliveredAfter(stored('C', { regression: true, regressionReasons: ['score fell 12 points'], undelivered: carried }, [failed])))
      .toEqual([...carried, { runId: 'C', reasons: ['score fell 12 points'] }]);
    expect(undeliveredAfter(stored('C', { undelivered: carried }, [sent]))).toEqual([]);
  });

  it('a skip never discards what a run carried: no channel tried, so nothing was delivered', () => {
    const carried = [{ runId: 'B', reasons: ['2 new critical findings'] }];
    expect(undeliveredAfter(stored('C', { undelivered: carried }, [{ channel: 'slack', status: 'skipped' }]))).toEqual(carried);
    expect(undeliveredAfter(stored('C', { undelivered: carried }, []))).toEqual(carried);
    // Its own regression, which no channel tried, is still not an alert lost.
    expect(undeliveredAfter(stored('C', { regression: true, regressionReasons: ['score fell 12 points'], undelivered: carried }, [{ channel: 'slack', status: 'skipped' }]))).toEqual(carried);
  });
});

// serve --watch's flapping repeats held back (docs/deploy.md "Flapping"), as Alertmanager holds a
// firing alert until repeat_interval and treats a firing after a resolution as a first one.
describe('heldAfter and releaseHeld', () => {
  const heldAlert = { runId: 'H', reasons: ['new high finding: x on Namespace shop'], findings: ['fp-shop'], heldUntil: '2026-12-05T04:00:00.000Z' };
  const at = (startedAt: string, diff: Partial<RunDiff>, findings: Array<{ fingerprint: string; waived: boolean }> = []) =>
    ({ run: { id: 'N', startedAt }, diff: { regression: false, regressionReasons: [], new: [], resolved: [], ...diff }, findings }) as unknown as RunReport;

  it('a held alert is carried whatever the channels did, unless the run delivered an alert that had all its findings new', () => {
    expect(heldAfter(stored('H', { heldAlerts: [heldAlert] }, [{ channel: 'slack', status: 'skipped' }]))).toEqual([heldAlert]);
    expect(heldAfter(stored('I', { heldAlerts: [heldAlert], regression: true, new: ['other'] }, [sent]))).toEqual([heldAlert]);
    expect(heldAfter(stored('I', { heldAlerts: [heldAlert], regression: true, new: ['fp-shop'] }, [sent]))).toEqual([]);
  });

  it('is held until heldUntil, then due; dropped once its findings are resolved or waived; one neither (absent: its check not evaluated, say) counts as open', () => {
    expect(releaseHeld([heldAlert], at('2026-12-05T03:59:00Z', {}))).toEqual({ due: [], held: [heldAlert] });
    expect(releaseHeld([heldAlert], at('2026-12-05T04:00:00Z', {}))).toEqual({ due: [{ runId: 'H', reasons: heldAlert.reasons, findings: ['fp-shop'] }], held: [] });
    expect(releaseHeld([heldAlert], at('2026-12-05T03:00:00Z', { resolved: ['fp-shop'] }))).toEqual({ due: [], held: [] });
    expect(releaseHeld([heldAlert], at('2026-12-05T05:00:00Z', {}, [{ fingerprint: 'fp-shop', waived: true }]))).toEqual({ due: [], held: [] });
  });
});
