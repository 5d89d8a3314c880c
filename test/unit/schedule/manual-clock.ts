// A clock the test moves: timers fire in order as time reaches them, and a stall moves time
// without firing anything (the event loop was blocked, the VM paused), so the next timer
// fires late.
import type { Clock } from '../../../src/schedule/timer.ts';

export class ManualClock implements Clock {
  private t: number;
  private timers: Array<{ at: number; fn: () => void }> = [];

  constructor(start: string | number) {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((x) => x !== timer); };
  }

  /** Time passes normally up to `to`: each timer fires at its time. */
  advanceTo(to: string | number): void {
    const end = typeof to === 'number' ? to : Date.parse(to);
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = Math.max(this.t, end);
  }

  /** The process could not run for `ms`: time moves, nothing fires until the next advance. */
  stall(ms: number): void {
    this.t += ms;
  }

  pending(): number {
    return this.timers.length;
  }
}
