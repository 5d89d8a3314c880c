/** No HTTP answer arrived (timeout, a body cut off mid-way, a proxy that refused the tunnel). */
export class TransportError extends Error {
  readonly code: string;
  /** What went wrong, without how often it was tried (the message may add that). */
  readonly reason: string;
  /** When the request was retried: how many attempts, over how long. */
  readonly tries?: { attempts: number; elapsedMs: number };
  constructor(code: string, message: string, retried?: { reason: string; attempts: number; elapsedMs: number }) {
    super(message);
    this.code = code;
    this.reason = retried?.reason ?? message;
    if (retried) this.tries = { attempts: retried.attempts, elapsedMs: retried.elapsedMs };
  }
}
