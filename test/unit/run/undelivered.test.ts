// Which alert the latest stored run leaves for the next run to send.
import { describe, expect, it } from 'vitest';
import type { NotificationOutcome, RunDiff, RunReport } from '../../../src/run/types.ts';
import { undeliveredAfter } from '../../../src/run/undelivered.ts';

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
