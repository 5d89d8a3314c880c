// Fires a schedule's slots. A wake-up that comes late (a blocked event loop: a major GC
// after a run, a long render; a paused VM) still runs the slot it was for as long as it is
// at most `toleranceMs` late and the next slot has not come; beyond that the slot is
// reported missed, never dropped in silence. node-cron 4 allows a second of lateness, so a
// nightly audit 1.1 s late vanished with one warning line. Each wait is at most a minute,
// so a wall-clock jump (a VM resumed, NTP stepping the clock) is seen within one.
import type { Slots } from './slots.ts';

/** The time source and timers, handed in so tests can drive the clock. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface SlotTimerOptions {
  slots: Slots;
  /** How late a slot may still run. */
  toleranceMs: number;
  clock?: Clock;
  /** A slot is due; `lateMs` is how far behind it the wake-up came. */
  due(slot: Date, lateMs: number): void;
  /** A slot passed without a run: the wake-up came too late, or a later slot had come already. */
  missed(slot: Date, lateMs: number): void;
}

export interface SlotTimer {
  /** The slot waited for; null when the schedule names no further time (or after stop()). */
  next(): Date | null;
  stop(): void;
}

const MAX_WAIT_MS = 60_000;
/**
 * Slots reported one by one in a wake-up; beyond that (a per-second schedule after a long
 * pause) the timer skips ahead to the first slot from now on without reporting the rest.
 */
const MAX_REPORTED = 100;

export function startSlotTimer(options: SlotTimerOptions): SlotTimer {
  const clock = options.clock ?? systemClock;
  let expected = options.slots.next(new Date(clock.now()));
  let cancel: (() => void) | null = null;
  let stopped = false;

  const arm = () => {
    if (stopped || expected === null) return;
    cancel = clock.after(Math.min(MAX_WAIT_MS, Math.max(0, expected.getTime() - clock.now())), beat);
  };

  const beat = () => {
    cancel = null;
    if (stopped) return;
    const now = clock.now();
    for (let reported = 0; expected !== null && expected.getTime() <= now; reported++) {
      const slot = expected;
      const lateMs = now - slot.getTime();
      const following = options.slots.next(slot);
      expected = following;
      if ((following === null || following.getTime() > now) && lateMs <= options.toleranceMs) {
        options.due(slot, lateMs);
        break;
      }
      options.missed(slot, lateMs);
      if (reported + 1 >= MAX_REPORTED && expected !== null && expected.getTime() <= now) {
        expected = options.slots.next(new Date(now - 1));
      }
    }
    arm();
  };

  arm();
  return {
    next: () => (stopped ? null : expected),
    stop: () => {
      stopped = true;
      cancel?.();
      cancel = null;
    },
  };
}
