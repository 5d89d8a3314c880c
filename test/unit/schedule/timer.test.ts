// The slot timer on a clock the test moves: late wake-ups still run their slot within the
// tolerance, later ones are reported missed, and the DST changes give one run a day.
import { describe, expect, it } from 'vitest';
import { cronSlots } from '../../../src/schedule/slots.ts';
import { startSlotTimer } from '../../../src/schedule/timer.ts';
import { ManualClock } from './manual-clock.ts';

const MIN = 60_000;

function timer(expression: string, timezone: string, start: string, toleranceMs = 15 * MIN) {
  const clock = new ManualClock(start);
  const due: Array<[string, number]> = [];
  const missed: Array<[string, number]> = [];
  const t = startSlotTimer({
    slots: cronSlots(expression, timezone), toleranceMs, clock,
    due: (slot, late) => due.push([slot.toISOString(), late]),
    missed: (slot, late) => missed.push([slot.toISOString(), late]),
  });
  return { clock, due, missed, t };
}

describe('startSlotTimer', () => {
  it('runs a slot whose wake-up comes 2.5 s late (node-cron 4 gave up after 1 s)', () => {
    const { clock, due, missed } = timer('0 2 * * *', 'UTC', '2026-05-01T01:59:00Z');
    clock.advanceTo('2026-05-01T01:59:59.500Z');
    clock.stall(3000); // a CPU-bound stretch across 02:00:00
    clock.advanceTo(clock.now());
    expect(due).toEqual([['2026-05-01T02:00:00.000Z', 2500]]);
    expect(missed).toEqual([]);
  });

  it('a slot whose wake-up comes later than the tolerance is reported missed; the next slot runs as usual', () => {
    const { clock, due, missed, t } = timer('0 2 * * *', 'UTC', '2026-05-01T01:59:00Z');
    clock.advanceTo('2026-05-01T01:59:59Z');
    clock.stall(20 * MIN + 1000);
    clock.advanceTo(clock.now());
    expect(due).toEqual([]);
    expect(missed).toEqual([['2026-05-01T02:00:00.000Z', 20 * MIN]]);
    expect(t.next()?.toISOString()).toBe('2026-05-02T02:00:00.000Z');
    clock.advanceTo('2026-05-02T03:00:00Z');
    expect(due).toEqual([['2026-05-02T02:00:00.000Z', 0]]);
  });

  it('after a pause across several slots, runs the latest one if it is within the tolerance and reports the others', () => {
    const { clock, due, missed } = timer('*/10 * * * *', 'UTC', '2026-05-01T01:59:00Z');
    clock.advanceTo('2026-05-01T01:59:30Z');
    clock.stall(25 * MIN); // 02:00, 02:10 and 02:20 pass while paused; woken at 02:24:30
    clock.advanceTo(clock.now());
    expect(missed.map(([s]) => s)).toEqual(['2026-05-01T02:00:00.000Z', '2026-05-01T02:10:00.000Z']);
    expect(due).toEqual([['2026-05-01T02:20:00.000Z', 4.5 * MIN]]);
  });

  it('Europe/Berlin "0 2 * * *" runs on each day across the spring change (03:00 CEST on 2026-03-29) and the autumn change (once)', () => {
    const spring = timer('0 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z');
    spring.clock.advanceTo('2026-03-31T12:00:00Z');
    expect(spring.due.map(([s]) => s)).toEqual(['2026-03-28T01:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z']);
    expect(spring.missed).toEqual([]);
    const autumn = timer('0 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z');
    autumn.clock.advanceTo('2026-10-27T12:00:00Z');
    // 02:00 CEST (00:00Z) on the 25th; not again at 02:00 CET an hour later.
    expect(autumn.due.map(([s]) => s)).toEqual(['2026-10-24T00:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-26T01:00:00.000Z', '2026-10-27T01:00:00.000Z']);
    expect(autumn.missed).toEqual([]);
  });

  it('stop() cancels the pending wake-up', () => {
    const { clock, due, t } = timer('0 2 * * *', 'UTC', '2026-05-01T01:59:00Z');
    t.stop();
    expect(clock.pending()).toBe(0);
    clock.advanceTo('2026-05-02T03:00:00Z');
    expect(due).toEqual([]);
    expect(t.next()).toBeNull();
  });
});
