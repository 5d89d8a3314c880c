// A large file written by a worker thread while the main thread goes on producing it. At L
// report.json is 420 MiB, and the kernel's side of writing it (page-cache pages, block
// allocation) took 1.3 s of the main thread's time (docs/performance.md); the writer's own
// work is encoding, which stays where it is. The two threads share a ring of a few chunk
// slots in one SharedArrayBuffer: the producer copies a chunk into a free slot and goes on,
// and waits only when every slot is still being written. The producer is synchronous code
// (a document writer never yields), so nothing here needs the event loop: progress, the end
// and a failure are all seen through Atomics on the shared counters. Each side waits on a
// doorbell the other rings after every change it makes (a count, not the counters
// themselves): a change made between a side's look and its wait still wakes it.
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Indices into the control words. */
export const CONTROL = {
  /** Chunks handed over by the producer (only it writes this). */
  queued: 0,
  /** Chunks written to the file (only the worker writes this). */
  written: 1,
  /** STATE below: who writes the chunks. */
  state: 2,
  /** Bytes of the failure's text, when the worker failed. */
  errorBytes: 3,
  /** 1 once the producer has handed over its last chunk; 2 when the rest is not wanted. */
  closing: 4,
  /** Rung by the producer after it hands over a chunk or closes (the worker waits on it). */
  toWorker: 5,
  /** Rung by the worker after each chunk written and each change of its state (the producer waits on it). */
  toProducer: 6,
} as const;
/** The worker's state: only `starting` is changed by both threads (by compare-exchange). */
export const STATE = { starting: 0, running: 1, failed: 2, abandoned: 3, stopped: 4 } as const;
export const CLOSING = { no: 0, finish: 1, abort: 2 } as const;
const CONTROL_WORDS = 8;
const ERROR_TEXT_BYTES = 4096;

export interface WriteBehindLayout {
  shared: SharedArrayBuffer;
  fd: number;
  slots: number;
  slotBytes: number;
  /** The file offset of the first byte (written with pwrite), or -1: at the descriptor's own position. */
  position: number;
}

/** Where each region of the shared buffer starts. */
export function regionsOf(layout: WriteBehindLayout) {
  const control = new Int32Array(layout.shared, 0, CONTROL_WORDS);
  const lengths = new Int32Array(layout.shared, CONTROL_WORDS * 4, layout.slots);
  const errorText = new Uint8Array(layout.shared, (CONTROL_WORDS + layout.slots) * 4, ERROR_TEXT_BYTES);
  const dataStart = (CONTROL_WORDS + layout.slots) * 4 + ERROR_TEXT_BYTES;
  const slots = Array.from({ length: layout.slots }, (_, i) => Buffer.from(layout.shared, dataStart + i * layout.slotBytes, layout.slotBytes));
  return { control, lengths, errorText, slots };
}

export interface WriteBehindOptions {
  /**
   * Chunk slots in the ring, and their size. Default 16 of 1 MiB: on two cores shared with
   * other work the worker is often off its core for a while, and with 4 slots the producer
   * (the audit spooling findings, report.json) waited for it up to 0.9 s and 2.7 s of an L
   * run under load; with 16, at most 13 ms and 0.8 s (docs/performance.md).
   */
  slots?: number;
  slotBytes?: number;
  /** How long the producer waits for the worker to start before it writes the chunks itself. */
  startTimeoutMs?: number;
  /** The worker's module (tests give one that cannot load). */
  workerUrl?: URL;
  /** Write at this file offset onward (pwrite) instead of at the descriptor's own position. */
  position?: number;
}

const WORKER_URL = new URL(`./write-behind-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Chunks appended to `fd` from its current position, in order, by a worker thread. `write`
 * copies the chunk (the caller may reuse it at once); `finish` returns once every byte is in
 * the file, and throws the write's error (the disk full) as `write` does once it is known.
 * Nothing is written by this thread unless the worker never starts.
 */
export class WriteBehind {
  private readonly layout: WriteBehindLayout;
  private readonly regions: ReturnType<typeof regionsOf>;
  private readonly worker: Worker;
  /** The chunk slot being filled, and how much of it is. */
  private filling = 0;
  private queued = 0;
  private readonly startTimeoutMs: number;
  /** Where this thread writes next when the worker never started (with a position). */
  private hereAt: number;
  /** Bytes copied into the ring so far. */
  private handed = 0;
  /** Whether this thread wrote any chunk (the worker never started). */
  private wroteHere = false;

  constructor(fd: number, { slots = 16, slotBytes = 1 << 20, startTimeoutMs = 5000, workerUrl = WORKER_URL, position = -1 }: WriteBehindOptions = {}) {
    this.startTimeoutMs = startTimeoutMs;
    this.hereAt = position;
    this.layout = {
      shared: new SharedArrayBuffer((CONTROL_WORDS + slots) * 4 + ERROR_TEXT_BYTES + slots * slotBytes),
      fd, slots, slotBytes, position,
    };
    this.regions = regionsOf(this.layout);
    // Not this process's flags (execArgv): the thread only writes, and a flag a worker cannot
    // take (--input-type, say) would stop it from starting at all.
    this.worker = new Worker(workerUrl, { workerData: this.layout, execArgv: [] });
    // A worker that cannot start says so in an event this thread, busy producing, would see
    // only afterwards: it is instead waited for startTimeoutMs, then written around.
    this.worker.on('error', () => {});
    this.worker.unref();
  }

  write(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length;) {
      const slot = this.regions.slots[this.queued % this.layout.slots];
      const n = Math.min(chunk.length - off, this.layout.slotBytes - this.filling);
      slot.set(chunk.subarray(off, off + n), this.filling);
      this.filling += n;
      this.handed += n;
      off += n;
      if (this.filling === this.layout.slotBytes) this.handOver();
    }
  }

  /** Returns once every byte handed to `write` so far is in the file. Throws the first write error. */
  sync(): void {
    if (this.filling > 0) this.handOver();
    this.waitUntilWritten(this.queued);
  }

  /**
   * The bytes handed over and not in the file, in order, and the file offset of the first
   * (with a position): after a failed write, what the failed chunk and those queued behind it
   * held (the caller keeps them some other way).
   */
  unwritten(): { at: number; bytes: Buffer } {
    const { control, lengths, slots } = this.regions;
    const parts: Buffer[] = [];
    for (let i = Atomics.load(control, CONTROL.written); i < this.queued; i++) {
      const slot = i % this.layout.slots;
      parts.push(Buffer.from(slots[slot].subarray(0, lengths[slot])));
    }
    if (this.filling > 0) parts.push(Buffer.from(slots[this.queued % this.layout.slots].subarray(0, this.filling)));
    const bytes = Buffer.concat(parts);
    return { at: this.layout.position + this.handed - bytes.length, bytes };
  }

  /** Every byte written, and the worker told to stop. Throws the first write error. */
  finish(): void {
    this.sync();
    this.close(CLOSING.finish);
  }

  /** Which thread wrote the chunks: the worker, or this one because the worker never started. */
  get writer(): 'worker' | 'this thread' {
    return this.wroteHere ? 'this thread' : 'worker';
  }

  /**
   * Returns once the worker will write no more (the file is being thrown away, and its
   * descriptor may be closed and its number reused).
   */
  abort(): void {
    const { control } = this.regions;
    this.close(CLOSING.abort);
    Atomics.compareExchange(control, CONTROL.state, STATE.starting, STATE.abandoned);
    for (;;) {
      const bell = Atomics.load(control, CONTROL.toProducer);
      if (Atomics.load(control, CONTROL.state) !== STATE.running) return;
      Atomics.wait(control, CONTROL.toProducer, bell, 100);
    }
  }

  private close(how: number): void {
    Atomics.store(this.regions.control, CONTROL.closing, how);
    ring(this.regions.control, CONTROL.toWorker);
  }

  private handOver(): void {
    const { control, lengths } = this.regions;
    // The slot after this one must be free before the producer fills it.
    lengths[this.queued % this.layout.slots] = this.filling;
    this.queued++;
    this.filling = 0;
    Atomics.store(control, CONTROL.queued, this.queued);
    ring(control, CONTROL.toWorker);
    this.waitUntilWritten(this.queued - this.layout.slots + 1);
  }

  /** Returns once at least `count` chunks are in the file. */
  private waitUntilWritten(count: number): void {
    const { control } = this.regions;
    const startedWaiting = performance.now();
    for (;;) {
      const bell = Atomics.load(control, CONTROL.toProducer);
      const state = Atomics.load(control, CONTROL.state);
      if (state === STATE.failed) throw this.failure();
      if (state === STATE.abandoned) {
        this.writeQueuedHere();
        return;
      }
      const written = Atomics.load(control, CONTROL.written);
      if (written >= count) return;
      if (state === STATE.stopped) throw new Error(`the writer thread stopped early (${written} of ${count} chunks written)`);
      if (state === STATE.starting && performance.now() - startedWaiting > this.startTimeoutMs) {
        // The worker has not started (a thread could not be made): this thread writes, unless
        // the worker starts in this very moment; whichever changes the state first writes.
        Atomics.compareExchange(control, CONTROL.state, STATE.starting, STATE.abandoned);
        continue;
      }
      // A timeout only to notice that the worker is late to start.
      Atomics.wait(control, CONTROL.toProducer, bell, 100);
    }
  }

  /** The worker never started: write what is queued, and from now on every chunk, here. */
  private writeQueuedHere(): void {
    const { control, lengths, slots } = this.regions;
    let written = Atomics.load(control, CONTROL.written);
    if (written < this.queued) this.wroteHere = true;
    while (written < this.queued) {
      const i = written % this.layout.slots;
      writeWhole(this.layout.fd, slots[i].subarray(0, lengths[i]), this.hereAt);
      if (this.hereAt >= 0) this.hereAt += lengths[i];
      written++;
      Atomics.store(control, CONTROL.written, written);
    }
  }

  private failure(): Error {
    const { control, errorText } = this.regions;
    const text = Buffer.from(errorText.subarray(0, Atomics.load(control, CONTROL.errorBytes))).toString('utf8');
    const { code, message } = JSON.parse(text) as { code?: string; message: string };
    return Object.assign(new Error(message), code === undefined ? {} : { code });
  }
}

/** The worker's failure, for the producer to throw (the worker then says it failed). */
export function recordFailure(layout: WriteBehindLayout, error: unknown): void {
  const { control, errorText } = regionsOf(layout);
  const e = error as { code?: unknown; message?: unknown };
  // JSON writes a UTF-16 unit as at most 6 bytes, so 340 units in all fit the region whole.
  const text = JSON.stringify({ code: typeof e.code === 'string' ? e.code.slice(0, 40) : undefined, message: String(e.message ?? error).slice(0, 300) });
  const bytes = Buffer.from(text, 'utf8');
  errorText.set(bytes);
  Atomics.store(control, CONTROL.errorBytes, bytes.length);
}

/**
 * The worker's side: writes each chunk handed over, in order, with `write` (at its file offset,
 * or -1 without a position), until the producer has closed and every chunk is written, or
 * aborted, or a write throws (recorded for the producer to throw). Does nothing when the
 * producer has given up waiting for this thread and writes the chunks itself.
 */
export function serveWrites(layout: WriteBehindLayout, write = (bytes: Uint8Array, at: number) => writeWhole(layout.fd, bytes, at)): void {
  const { control, lengths, slots } = regionsOf(layout);
  if (Atomics.compareExchange(control, CONTROL.state, STATE.starting, STATE.running) !== STATE.starting) return;
  ring(control, CONTROL.toProducer);
  let state: number = STATE.stopped;
  let at = layout.position;
  try {
    for (let written = 0; ;) {
      const bell = Atomics.load(control, CONTROL.toWorker);
      const closing = Atomics.load(control, CONTROL.closing);
      if (closing === CLOSING.abort) break;
      const queued = Atomics.load(control, CONTROL.queued);
      if (written === queued) {
        // The producer stores its last count before it closes.
        if (closing === CLOSING.finish) break;
        Atomics.wait(control, CONTROL.toWorker, bell);
        continue;
      }
      const i = written % layout.slots;
      write(slots[i]!.subarray(0, lengths[i]), at);
      if (at >= 0) at += lengths[i]!;
      written++;
      Atomics.store(control, CONTROL.written, written);
      ring(control, CONTROL.toProducer);
    }
  } catch (error: unknown) {
    recordFailure(layout, error);
    state = STATE.failed;
  }
  Atomics.store(control, CONTROL.state, state);
  ring(control, CONTROL.toProducer);
}

/** A change made: counted on the doorbell `bell`, and whoever waits on it woken. */
function ring(control: Int32Array, bell: number): void {
  Atomics.add(control, bell, 1);
  Atomics.notify(control, bell);
}

/** Writes all of `bytes`: at `position` onward when it is >= 0, else at the descriptor's position. */
export function writeWhole(fd: number, bytes: Uint8Array, position = -1): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off, position >= 0 ? position + off : null);
}

/**
 * Bytes a file's own thread writes before a worker writes the rest behind it (FileAppender, the
 * findings' spool): a worker costs ~20 ms to start, and ~25 MiB while it lives with a 4 MiB ring (12 MiB more with the default 16 slots).
 */
export const WRITE_BEHIND_AFTER_BYTES = 8 << 20;

/**
 * Appends to `fd`: the first few MiB from this thread, the rest through a WriteBehind. `write`
 * may be handed a buffer it reuses at once. `abort` after `finish` does nothing.
 */
export class FileAppender {
  private readonly fd: number;
  private readonly afterBytes: number;
  private written = 0;
  private behind: WriteBehind | null = null;
  private readonly options: WriteBehindOptions;
  /** Who wrote past the first bytes, once finish() returned: 'none' when the file was too small for a worker. */
  behindBy: 'none' | 'worker' | 'this thread' = 'none';
  constructor(fd: number, afterBytes = WRITE_BEHIND_AFTER_BYTES, options: WriteBehindOptions = {}) {
    this.fd = fd;
    this.afterBytes = afterBytes;
    this.options = options;
  }

  write(chunk: Uint8Array): void {
    if (this.behind === null && this.written >= this.afterBytes) this.behind = new WriteBehind(this.fd, this.options);
    if (this.behind !== null) return this.behind.write(chunk);
    writeWhole(this.fd, chunk);
    this.written += chunk.length;
  }

  finish(): void {
    const behind = this.behind;
    this.behind = null;
    if (behind === null) return;
    behind.finish();
    this.behindBy = behind.writer;
  }

  abort(): void {
    const behind = this.behind;
    this.behind = null;
    behind?.abort();
  }
}
