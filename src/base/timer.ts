// The longest a Node.js timer can wait. setTimeout takes a signed 32-bit count of
// milliseconds; anything past it (or Infinity) fires after 1 ms with a TimeoutOverflowWarning:
// a timeout that was meant to be generous becomes no timeout at all. Every duration an
// operator sets is held to it at the edge (config schema, CLI flags).

export const MAX_TIMER_MS = 2_147_483_647;
/** MAX_TIMER_MS in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
/** What the limit is, for error messages. */
export const MAX_TIMER_SAYS = 'the longest a timer can wait, about 24.8 days';

/** A delay for setTimeout: a sum of limits (a request timeout plus a retry budget) past the maximum waits as long as a timer can. */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}
