// Reading a file that tells no size (a device such as /dev/zero, a pipe such as `<(helm template …)`)
// up to a limit and no further: stat says 0 for them, and reading to the end of /dev/zero never ends.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

const MIB = 1024 * 1024;

/** Thrown by readAtMost when the file holds more than `max` bytes (at most max + 1 were read). */
export class AboveLimitError extends Error {
  constructor() {
    super('above the limit');
  }
}

/** Thrown by readAtMost when a pipe gave nothing and no writer was seen within `noWriterMs`. */
export class NoWriterError extends Error {
  readonly waitedMs: number;

  constructor(waitedMs: number) {
    super(`nothing was written to it within ${waitedMs / 1000} s (is a process writing to it?)`);
    this.waitedMs = waitedMs;
  }
}

/** How long a pipe that gives nothing, with no writer seen, is waited for: `mkfifo p; ztaudit --config p` with nobody writing to p. */
export const NO_WRITER_MS = 10_000;
const POLL_MS = 20;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/**
 * The bytes of `file`, up to `max`; AboveLimitError past it. A named pipe is opened without
 * waiting (opening one for reading blocks until a writer opens it, and a blocked open holds the
 * process past SIGTERM): while it gives no data and no writer has been seen, it is polled for at
 * most `noWriterMs`, then NoWriterError. Once a writer has been seen (or data read), the end of
 * its data is the end of the file. An anonymous pipe (`<(cat f)`, /dev/fd/N) has its writer from
 * the start, so its data (or its end) comes at once.
 */
export function readAtMost(file: string, max: number, noWriterMs = NO_WRITER_MS): Buffer {
  let fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const fifo = fstatSync(fd).isFIFO();
    if (!fifo) {
      // Anything else is read as always, blocking (a terminal, a device).
      const blocking = openSync(file, 'r');
      closeSync(fd);
      fd = blocking;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let writerSeen = false;
    let waited = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(MIB, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error: unknown) {
        // EAGAIN: a writer holds the pipe open and has not written yet.
        if (!fifo || codeOf(error) !== 'EAGAIN') throw error;
        writerSeen = true;
        sleep(POLL_MS);
        continue;
      }
      if (n === 0) {
        if (!fifo || writerSeen || total > 0) return Buffer.concat(chunks, total);
        if (waited >= noWriterMs) throw new NoWriterError(noWriterMs);
        sleep(POLL_MS);
        waited += POLL_MS;
        continue;
      }
      writerSeen = true;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > max) throw new AboveLimitError();
    }
  } finally {
    closeSync(fd);
  }
}
