// The retry policy of every request ztaudit sends to a Kubernetes API server, in one place:
// what is worth another try, and how long to wait before it.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** The first backoff; each further retry doubles it. */
  baseDelayMs: number;
}

/** What an attempt gave: an HTTP answer, or no answer at all. */
export type Attempt = { status: number; retryAfterMs?: number } | { error: unknown };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Transport failures worth another try; refused connections, DNS and TLS failures are not transient. */
const RETRYABLE_TRANSPORT = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EBODY', 'ECONNABORTED']);

/**
 * Whether an attempt is worth repeating: 429, 500, 502, 503, 504 and transient transport
 * failures. A request that is not idempotent (create, replace) is repeated on 429 only,
 * which the server answers before doing anything.
 */
export function retryable(last: Attempt, idempotent: boolean): boolean {
  if ('status' in last) return last.status === 429 || (idempotent && RETRYABLE_STATUS.has(last.status));
  if (!idempotent) return false;
  const code = (last.error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return RETRYABLE_TRANSPORT.has(code);
  return last.error instanceof Error && last.error.message === 'socket hang up';
}

/**
 * How long to wait before retry number `retry` (1 for the first), or undefined when the
 * policy's retries are spent: doubling from the base up to 30 s, and never shorter than a
 * Retry-After, which is honoured up to 60 s.
 */
export function retryDelay(policy: RetryPolicy, retry: number, last: Attempt): number | undefined {
  if (retry > policy.retries) return undefined;
  const backoff = Math.min(30_000, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.min(60_000, Math.max(backoff, 'status' in last ? last.retryAfterMs ?? 0 : 0));
}
