// Slots of a cron schedule in a time zone, across the DST changes, with cron(8)'s rules: a
// fixed-time job in a skipped hour runs right after the change, one in a repeated hour runs
// once; interval jobs follow the clock.
import { describe, expect, it } from 'vitest';
import { cronSlots } from '../../../src/schedule/slots.ts';

function slots(expression: string, timezone: string, from: string, count: number): string[] {
  const s = cronSlots(expression, timezone);
  const out: string[] = [];
  let at: Date | null = new Date(from);
  for (let i = 0; i < count && at; i++) {
    at = s.next(at);
    if (at) out.push(at.toISOString());
  }
  return out;
}

describe('cronSlots', () => {
  it('spring change: a fixed-time slot in the skipped hour runs at the first instant after it, every day still gets its run', () => {
    // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z); there is no 02:00 that day.
    expect(slots('0 2 * * *', 'Europe/Berlin', '2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T01:00:00.000Z', // 02:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, right after the change
      '2026-03-30T00:00:00.000Z', // 02:00 CEST
      '2026-03-31T00:00:00.000Z',
    ]);
    expect(slots('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:30 never came
      '2026-03-09T06:30:00.000Z',
    ]);
    // Two slots in one gap make one run, not two.
    expect(slots('0,30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
  });

  it('autumn change: a fixed time that comes twice runs once, at its first occurrence, whenever it is asked', () => {
    // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z); 02:30 comes at 00:30Z and at 01:30Z.
    expect(slots('30 2 * * *', 'Europe/Berlin', '2026-10-24T12:00:00Z', 3)).toEqual([
      '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z',
    ]);
    // Asked between the two occurrences (after the run at the first): not again that day.
    expect(slots('30 2 * * *', 'Europe/Berlin', '2026-10-25T00:30:00Z', 1)).toEqual(['2026-10-26T01:30:00.000Z']);
    expect(slots('30 2 * * *', 'Europe/Berlin', '2026-10-25T01:10:00Z', 1)).toEqual(['2026-10-26T01:30:00.000Z']);
    expect(slots('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('interval jobs follow the clock: nothing made up in a skipped hour, both runs in a repeated one', () => {
    expect(cronSlots('*/30 * * * *', 'Europe/Berlin').fixedTime).toBe(false);
    expect(cronSlots('0 2 * * *', 'Europe/Berlin').fixedTime).toBe(true);
    expect(cronSlots('@daily', 'Europe/Berlin').fixedTime).toBe(true);
    expect(cronSlots('@hourly', 'Europe/Berlin').fixedTime).toBe(false);
    expect(slots('*/30 * * * *', 'Europe/Berlin', '2026-03-29T00:10:00Z', 3)).toEqual([
      '2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z', // 01:30 CET, 03:00 and 03:30 CEST
    ]);
    expect(slots('30 * * * *', 'Europe/Berlin', '2026-10-24T23:45:00Z', 3)).toEqual([
      '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-25T02:30:00.000Z', // 02:30 CEST, 02:30 CET, 03:30 CET
    ]);
    // Before the first 02:30: the soonest slot is 02:30 CEST, not the second 02:00 that a
    // walk in wall-clock order meets first.
    expect(slots('*/30 * * * *', 'Europe/Berlin', '2026-10-25T00:10:00Z', 4)).toEqual([
      '2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-25T02:00:00.000Z',
    ]);
    // From inside the repeated hour, the second 02:30 is still ahead.
    expect(slots('30 * * * *', 'Europe/Berlin', '2026-10-25T00:45:00Z', 1)).toEqual(['2026-10-25T01:30:00.000Z']);
    // A per-second schedule steps over the gap at once.
    expect(slots('* * * * * *', 'Europe/Berlin', '2026-03-29T00:59:59Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T01:00:01.000Z']);
  });

  it('reads the day fields as node-cron does (last day, nth weekday, zones without DST)', () => {
    expect(slots('0 0 L * *', 'UTC', '2026-01-15T00:00:00Z', 2)).toEqual(['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z']);
    expect(slots('0 9 * * 1#2', 'Asia/Tokyo', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-12T00:00:00.000Z', '2026-02-09T00:00:00.000Z']);
    expect(slots('0 2 * * *', 'Asia/Tokyo', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-28T17:00:00.000Z', '2026-03-29T17:00:00.000Z']);
    expect(slots('*/20 * * * * *', 'UTC', '2026-01-01T00:00:05.500Z', 3)).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z']);
  });
  it('a day that matches either day field runs when both are restricted, as cron(8) and the CronJob read it', () => {
    // crontab(5) (Vixie cron, man7.org/linux/man-pages/man5/crontab.5.html): "If both fields are
    // restricted (ie, aren't *), the command will be run when either field matches the current
    // time. For example, '30 4 1,15 * 5' would cause a command to be run at 4:30 am on the 1st
    // and 15th of each month, plus every Friday." Kubernetes' CronJob (robfig/cron v3,
    // spec.go dayMatches) does the same, and the chart gives serve mode the CronJob's schedule.
    const day = (iso: string) => `${iso.slice(0, 10)} ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(iso).getUTCDay()]}`;
    // Friday 2026-12-04: the next runs are the 11th (a Friday), the 15th (a Tuesday), the 18th, the 25th, 1 January (both).
    expect(slots('30 4 1,15 * 5', 'UTC', '2026-12-04T12:00:00Z', 6).map(day)).toEqual([
      '2026-12-11 Fri', '2026-12-15 Tue', '2026-12-18 Fri', '2026-12-25 Fri', '2027-01-01 Fri', '2027-01-08 Fri',
    ]);
    expect(slots('30 4 1,15 * 5', 'UTC', '2026-12-04T12:00:00Z', 1)).toEqual(['2026-12-11T04:30:00.000Z']);
    // The 1st and every Monday; with seconds first (six fields) and day names the same.
    const firstAndMondays = ['2026-12-07 Mon', '2026-12-14 Mon', '2026-12-21 Mon', '2026-12-28 Mon', '2027-01-01 Fri', '2027-01-04 Mon'];
    expect(slots('0 2 1 * 1', 'UTC', '2026-12-04T12:00:00Z', 6).map(day)).toEqual(firstAndMondays);
    expect(slots('0 0 2 1 * mon', 'UTC', '2026-12-04T12:00:00Z', 6).map(day)).toEqual(firstAndMondays);
    // The month still restricts both: June's 1st and June's Mondays only.
    expect(slots('0 2 1 6 1', 'UTC', '2026-12-04T12:00:00Z', 3).map(day)).toEqual(['2027-06-01 Tue', '2027-06-07 Mon', '2027-06-14 Mon']);
    // One day field a '*' (or '?', as robfig/cron reads it): the other alone decides, as before.
    expect(slots('0 2 * * 1', 'UTC', '2026-12-04T12:00:00Z', 2).map(day)).toEqual(['2026-12-07 Mon', '2026-12-14 Mon']);
    expect(slots('0 2 ? * 1', 'UTC', '2026-12-04T12:00:00Z', 2).map(day)).toEqual(['2026-12-07 Mon', '2026-12-14 Mon']);
    expect(slots('0 2 1 * *', 'UTC', '2026-12-04T12:00:00Z', 2).map(day)).toEqual(['2027-01-01 Fri', '2027-02-01 Mon']);
    // A step over '*' is restricted as the chart's CronJob reads it (robfig/cron spec.go getRange:
    // "if step > 1 { extra = 0 }", the star bit cleared), so serve mode runs on the same days: the
    // 1st, 11th, 21st and 31st, or any Monday. '*\/1' is still '*'.
    expect(slots('0 2 */10 * 1', 'UTC', '2026-12-04T12:00:00Z', 4).map(day)).toEqual(['2026-12-07 Mon', '2026-12-11 Fri', '2026-12-14 Mon', '2026-12-21 Mon']);
    expect(slots('0 2 */1 * 1', 'UTC', '2026-12-04T12:00:00Z', 2).map(day)).toEqual(['2026-12-07 Mon', '2026-12-14 Mon']);
    // Read in the schedule's zone: Friday in Tokyo is still Thursday in UTC.
    expect(slots('30 4 1,15 * 5', 'Asia/Tokyo', '2026-12-04T12:00:00Z', 2)).toEqual(['2026-12-10T19:30:00.000Z', '2026-12-14T19:30:00.000Z']);
  });
});
