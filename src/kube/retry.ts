// The retry policy of every request ztaudit sends to a Kubernetes API server, in one place:
// what is worth another try, and how long to wait before it. An API server that restarts
// mid-collection refuses connections, resets them or stops answering for a few seconds; a
// throttled one answers 429/503. All of that is retried with backoff, within a bounded budget
// of time per request, so a run neither fails on a blip nor waits on a dead server forever.

export interface RetryPolicy {
  /** Retries after the first attempt, at most. */
  retries: number;
  /** The first backoff; each further retry doubles it, up to MAX_BACKOFF_MS. */
  baseDelayMs: number;
  /** No retry starts later than this after the first attempt began (default 30 s). */
  budgetMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { retries: 8, baseDelayMs: 500, budgetMs: 30_000 };

/** What an attempt gave: an HTTP answer, or no answer at all. */
export type Attempt = { status: number; retryAfterMs?: number } | { error: unknown };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/**
 * No connection was made, so nothing was sent: safe to repeat whatever the method. A
 * restarting API server refuses connections until it listens again (and a proxy in front of
 * it refuses the tunnel with 502-504, proxy.ts).
 */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPROXYUNAVAILABLE']);
/** The connection broke or went silent mid-request: repeated for idempotent requests only. */
const BROKEN = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EBODY', 'ECONNABORTED']);
const MAX_BACKOFF_MS = 5_000;

/**
 * Whether an attempt is worth repeating: 429, 500, 502, 503, 504, connections refused or
 * unreachable, and connections that broke. A request that is not idempotent (create,
 * replace) is repeated only when the server cannot have acted on it: on 429, which it
 * answers before doing anything, and when no connection was made.
 */
export function retryable(last: Attempt, idempotent: boolean): boolean {
  if ('status' in last) return last.status === 429 || (idempotent && RETRYABLE_STATUS.has(last.status));
  const code = (last.error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
  if (!idempotent) return false;
  if (typeof code === 'string') return BROKEN.has(code);
  return last.error instanceof Error && last.error.message === 'socket hang up';
}

/**
 * How long to wait before retry number `retry` (1 for the first), or undefined when the
 * policy is spent: its retries used up, or the wait would start the retry after the budget
 * (`elapsedMs` since the first attempt began). Doubling from the base up to 5 s, never
 * shorter than a Retry-After.
 */
export function retryDelay(policy: RetryPolicy, retry: number, last: Attempt, elapsedMs = 0): number | undefined {
  if (retry > policy.retries) return undefined;
  const backoff = Math.min(MAX_BACKOFF_MS, policy.baseDelayMs * 2 ** (retry - 1));
  const wait = Math.max(backoff, 'status' in last ? last.retryAfterMs ?? 0 : 0);
  if (elapsedMs + wait > (policy.budgetMs ?? DEFAULT_RETRY.budgetMs)) return undefined;
  return wait;
}
