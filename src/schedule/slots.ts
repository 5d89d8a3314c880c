// When a cron schedule's runs are due, read in an IANA time zone, with cron(8)'s rules for
// daylight saving time ("Daylight Saving Time and other time changes"): a job at a fixed
// time that falls into a skipped interval (02:00-03:00 on the spring change in Europe) runs
// right after the change, and one at a fixed time that comes round twice (the autumn
// change) runs once, at its first occurrence. Jobs given as intervals (a '*' in the
// seconds, minutes or hours field: every 15 minutes, every hour) follow the clock as it is:
// nothing to catch up in a skipped hour, both runs in a repeated one. node-cron's own next
// match skips a fixed-time day in spring (no 02:00 on 2026-03-29 in Europe/Berlin), so a
// nightly audit vanished for a day a year; it still parses and validates, and its matcher
// judges the day fields (L, W, 5L, 1#2) here on wall-clock times, combined as cron(8)
// combines them (see dayMatcher).
import cron from 'node-cron';

export interface Slots {
  /** The first slot strictly after `after`, or null when the expression names no time in the next hundred years. */
  next(after: Date): Date | null;
  /** A fixed-time schedule (no '*' in its seconds, minutes or hours): DST gaps run late, repeats once. */
  readonly fixedTime: boolean;
}

const SECOND = 1000;
const DAY = 86_400_000;
/** node-cron's own horizon: an expression that names no time within it has no next run. */
const MAX_DAYS = 366 * 100;

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** cron(8) calls a job "at a particular time" unless its minute or hour field starts with '*'; seconds count too here. */
function isFixedTime(expression: string): boolean {
  const resolved = NICKNAMES[expression.trim().toLowerCase()] ?? expression;
  const fields = resolved.trim().split(/\s+/);
  const [second, minute, hour] = fields.length === 6 ? fields : ['0', ...fields];
  return [second, minute, hour].every((f) => f !== undefined && !f.startsWith('*') && !f.startsWith('?'));
}

/**
 * The wall clock of a zone as "fake UTC" milliseconds (the local date and time written as if
 * they were UTC), whole seconds. Intl reads the zone's rules; undefined is the process' zone.
 */
function wallClock(timezone: string | undefined): (instant: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    ...(timezone ? { timeZone: timezone } : {}),
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
  });
  return (instant) => {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  };
}

/** Judges a wall-clock time given as fake UTC. match() reads only the expression, so the task is taken out of node-cron's registry at once and never started. */
function matcherOf(expression: string): (wall: Date) => boolean {
  const task = cron.createTask(expression, () => {}, { timezone: 'UTC' });
  void task.destroy();
  return (wall) => task.match(wall);
}

/**
 * Whether a day is one the expression names. node-cron requires both day fields to match;
 * cron(8) and Kubernetes' CronJob (robfig/cron) run on a day that matches either when both are
 * restricted (crontab(5): "If both fields are restricted (ie, aren't *), the command will be
 * run when either field matches the current time"; a '?' counts as '*' as in robfig/cron).
 * The chart hands one schedule to the CronJob and to serve mode, so they must agree: where the two
 * differ, a step over '*' ('*\/10'), the CronJob's robfig/cron decides (spec.go getRange clears the
 * star bit for a step over 1, so '*\/10' is restricted; Vixie cron would read it as '*').
 */
function dayMatcher(expression: string): (wall: Date) => boolean {
  const resolved = NICKNAMES[expression.trim().toLowerCase()] ?? expression;
  const fields = resolved.trim().split(/\s+/);
  const withSeconds = fields.length === 6 ? fields : ['0', ...fields];
  const [dom, dow] = [withSeconds[3] ?? '*', withSeconds[5] ?? '*'];
  // As robfig/cron's getRange: '*' or '?' sets the star bit, a step over 1 clears it again.
  const restricted = (f: string) => {
    const star = /^[*?](?:\/(\d+))?$/.exec(f);
    return !star || (star[1] !== undefined && Number(star[1]) > 1);
  };
  if (!restricted(dom) || !restricted(dow)) return matcherOf(expression);
  const domOnly = matcherOf([...withSeconds.slice(0, 5), '*'].join(' '));
  const dowOnly = matcherOf([...withSeconds.slice(0, 3), '*', ...withSeconds.slice(4)].join(' '));
  return (wall) => domOnly(wall) || dowOnly(wall);
}

export function cronSlots(expression: string, timezone?: string): Slots {
  const fields = cron.parse(expression);
  const asc = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const seconds = asc(fields.second), minutes = asc(fields.minute), hours = asc(fields.hour);
  const matchesDay = dayMatcher(expression);
  const fixedTime = isFixedTime(expression);
  const wallOf = wallClock(timezone);
  const offsetAt = (instant: number) => wallOf(instant) - Math.floor(instant / SECOND) * SECOND;

  /** Wall-clock times the expression names, ascending, from `from` on (fake UTC, whole seconds). */
  function* wallTimes(from: number): Generator<number> {
    const firstDay = Math.floor(from / DAY) * DAY;
    const earliest = hours[0]! * 3_600_000 + minutes[0]! * 60_000 + seconds[0]! * SECOND;
    for (let i = 0; i < MAX_DAYS; i++) {
      const day = firstDay + i * DAY;
      // The day fields alone decide: the time of day is one the expression names.
      if (!matchesDay(new Date(day + earliest))) continue;
      for (const h of hours) {
        if (day + (h + 1) * 3_600_000 <= from) continue;
        for (const m of minutes) {
          if (day + h * 3_600_000 + (m + 1) * 60_000 <= from) continue;
          for (const s of seconds) {
            const w = day + h * 3_600_000 + m * 60_000 + s * SECOND;
            if (w >= from) yield w;
          }
        }
      }
    }
  }

  /**
   * The instants a wall-clock time stands for: one, two in a repeated hour (a fixed-time job
   * keeps only the first), none in a skipped one (a fixed-time job gets the first instant
   * after the gap, `gapEnd`). Offsets are read a day either side: zones change at most once
   * in that span. `lowest` bounds the instants of this and every later wall-clock time.
   */
  function instantsOf(w: number): { lowest: number; instants: number[]; gapEnd?: number } {
    const before = offsetAt(w - DAY), after = offsetAt(w + DAY);
    const lowest = w - Math.max(before, after);
    const found = [...new Set([w - before, w - after])].filter((t) => wallOf(t) === w).sort((a, b) => a - b);
    if (found.length > 0) return { lowest, instants: fixedTime ? [found[0]!] : found };
    // In a gap: the change is the first instant whose wall clock reads later than w.
    let lo = lowest, hi = w - Math.min(before, after);
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (wallOf(mid) > w) hi = mid; else lo = mid;
    }
    return { lowest, instants: fixedTime ? [hi] : [], gapEnd: hi };
  }

  return {
    fixedTime,
    next(after) {
      const t = after.getTime();
      // When the clock goes back, a wall-clock time earlier than now's can still be ahead, and
      // a later one can come sooner than an earlier one's second occurrence: look from the
      // earliest such time and keep the soonest instant.
      const back = Math.max(0, offsetAt(t) - offsetAt(t + DAY));
      let from = wallOf(t) - back;
      let best: number | null = null;
      search: for (;;) {
        for (const w of wallTimes(from)) {
          const { lowest, instants, gapEnd } = instantsOf(w);
          if (best !== null && lowest >= best) break search;
          for (const instant of instants) if (instant > t && (best === null || instant < best)) best = instant;
          // An interval job has nothing in the gap: go on from its end, not one slot at a time.
          if (instants.length === 0 && gapEnd !== undefined) {
            from = wallOf(gapEnd);
            continue search;
          }
        }
        break;
      }
      return best === null ? null : new Date(best);
    },
  };
}
