// Text kept in a temp file instead of the V8 heap: a 150,000-pod run's findings carry ~250 MiB
// of messages and evidence that only the report writers and a few renderers read, once, in
// order. A Spool appends UTF-8 records and reads them back by offset.
// The file is unlinked as soon as it is opened: the open descriptor keeps its blocks, and
// nothing is left behind by a run that ends, throws, or is killed (even with -9: the kernel
// frees an unlinked file with its last descriptor). The descriptor is closed by close(), or
// once nothing references the Spool any more (a FinalizationRegistry), so a report that is
// still shown (serve) keeps its text readable, and one that is dropped gives it back.
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WRITE_BEHIND_AFTER_BYTES, WriteBehind, writeWhole, type WriteBehindOptions } from './write-behind.ts';

/**
 * The descriptor, the name when the platform would not unlink an open file, and the thread
 * writing behind the spool (stopped before the descriptor is closed: its number is reused).
 */
interface Handle { fd: number; path: string | null; closed: boolean; behind: WriteBehind | null }

function release(h: Handle): void {
  if (h.closed) return;
  h.closed = true;
  const behind = h.behind;
  h.behind = null;
  try { behind?.abort(); } catch { /* it failed already: nothing more is written */ }
  try { closeSync(h.fd); } catch { /* already gone */ }
  if (h.path !== null) {
    named.delete(h);
    try { unlinkSync(h.path); } catch { /* already gone */ }
  }
}

const unreachable = new FinalizationRegistry<Handle>(release);
/** Spools whose file still has a name: removed at exit at the latest. */
const named = new Set<Handle>();
let exitHook = false;

const WRITE_BUFFER = 1 << 20;

/** How a spool's file is made and written (the defaults serve every run; tests change them). */
export interface SpoolOptions {
  /** Opens `path`, a file that does not exist yet, for reading and writing; returns its descriptor (default: created owner-only). */
  open?: (path: string) => number;
  /** Bytes gathered before they are written to the file (default 1 MiB). */
  writeBuffer?: number;
  /** Bytes written by this thread before a worker thread writes the rest (default 8 MiB; Infinity: never). */
  writeBehindAfter?: number;
  /** How that worker is made (tests). */
  writeBehind?: WriteBehindOptions;
}

const openNew = (path: string): number => openSync(path, 'wx+', 0o600);
/** Reads for single records (renderers looking up a finding's message): small, so random access stays cheap. */
const RECORD_WINDOW = 64 << 10;
/** Reads for the writers that stream every record in order. */
const STREAM_WINDOW = 1 << 20;

class Window {
  buf: Buffer | null = null;
  at = 0;
  len = 0;
  readonly size: number;
  constructor(size: number) { this.size = size; }
}

export class Spool {
  private readonly handle: Handle;
  /**
   * Bytes [base, base + used) are in `out`; [0, written) were written or handed to the thread
   * writing behind, of which [0, synced) are known to be in the file; base <= written. After
   * that thread failed, [synced, synced + lost.length) are the bytes it did not write.
   */
  private out: Buffer | null;
  private base = 0;
  private used = 0;
  private written = 0;
  private synced = 0;
  private lost: Buffer | null = null;
  private readonly writeBehindAfter: number;
  private readonly writeBehind: WriteBehindOptions;
  /** Who wrote past the first bytes, for a thread no longer kept (failed, or the spool closed). */
  private behindWas: 'none' | 'worker' | 'this thread' = 'none';
  /** A write failed (no space): nothing more is appended; what was appended stays readable. */
  private broken = false;
  /** Why the first failed write failed (e.g. "ENOSPC: no space left on device, write"), null while none did. */
  failure: string | null = null;
  /** The directory its file was made in. */
  readonly dir: string;
  private readonly record = new Window(RECORD_WINDOW);
  private readonly stream = new Window(STREAM_WINDOW);
  /** One decoded value kept by its reader (the last finding parsed), keyed by offset. */
  memoAt = -1;
  memo: unknown = undefined;

  private constructor(handle: Handle, dir: string, writeBuffer: number, writeBehindAfter: number, writeBehind: WriteBehindOptions) {
    this.handle = handle;
    this.dir = dir;
    this.out = Buffer.allocUnsafe(writeBuffer);
    this.writeBehindAfter = writeBehindAfter;
    this.writeBehind = writeBehind;
    unreachable.register(this, handle, handle);
  }

  /** A new spool in `dir` (default the OS temp directory), or null when no file can be made there. */
  static open(dir: string = tmpdir(), options: SpoolOptions = {}): Spool | null {
    const path = join(dir, `ztaudit-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = (options.open ?? openNew)(path);
    } catch {
      return null;
    }
    const handle: Handle = { fd, path: null, closed: false, behind: null };
    try {
      unlinkSync(path);
    } catch {
      handle.path = path;
      named.add(handle);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => { for (const h of [...named]) release(h); });
      }
    }
    return new Spool(handle, dir, options.writeBuffer ?? WRITE_BUFFER, options.writeBehindAfter ?? WRITE_BEHIND_AFTER_BYTES, options.writeBehind ?? {});
  }

  /** Bytes appended so far. */
  get size(): number {
    return this.base + this.used;
  }

  get closed(): boolean {
    return this.handle.closed;
  }

  /**
   * Appends `text` as UTF-8 and returns its offset, or -1 when it could not be written (the
   * spool is then full for good; every earlier record stays readable).
   */
  append(text: string): number {
    if (this.broken || this.handle.closed || this.out === null) return -1;
    const out = this.out;
    const at = this.size;
    if (this.used + text.length * 3 > out.length) {
      const bytes = Buffer.byteLength(text);
      if (this.used + bytes > out.length) {
        if (!this.flush()) return -1;
        if (bytes > out.length) return this.writeDirect(Buffer.from(text, 'utf8')) ? at : -1;
      }
    }
    this.used += out.write(text, this.used, 'utf8');
    return at;
  }

  /**
   * Appends `bytes` as they are (input kept to be read again: an export on standard input) and
   * returns their offset as append does.
   */
  appendBytes(bytes: Buffer): number {
    if (this.broken || this.handle.closed || this.out === null) return -1;
    const at = this.size;
    if (this.used + bytes.length > this.out.length) {
      if (!this.flush()) return -1;
      if (bytes.length > this.out.length) return this.writeDirect(bytes) ? at : -1;
    }
    bytes.copy(this.out, this.used);
    this.used += bytes.length;
    return at;
  }

  /**
   * Appends the members of `json`, the JSON text of an object, each after a comma: `{"a":1}`
   * as `,"a":1`, `{}` as nothing. Returns its offset as append does. The text is encoded once,
   * where it lies: its braces are one byte each, the first overwritten, the last taken back
   * (a text that may not fit the write buffer is cut as a string instead).
   */
  appendMembers(json: string): number {
    const out = this.out;
    if (out === null || json.length <= 2 || json.length * 3 > out.length) return this.append(json.length <= 2 ? '' : `,${json.slice(1, -1)}`);
    const at = this.append(json);
    if (at >= 0) {
      out[at - this.base] = 0x2c; // ','
      this.used--;
    }
    return at;
  }

  /**
   * Writes what is buffered and frees the write buffer: nothing more will be appended. The
   * thread writing behind finishes and ends here (a sealed spool is read for as long as its
   * report is kept, and that thread would hold ~25 MiB all that time), so a write of the last
   * bytes that failed is known now: `failure` says so.
   */
  seal(): void {
    if (this.out !== null && this.flush()) this.out = null;
    // Every byte in the file (or, when a write failed, kept by fail(), which lets the thread go).
    this.sync();
    this.letGo()?.finish();
  }

  /** The text of bytes [at, at + bytes), as appended. */
  text(at: number, bytes: number): string {
    const [buf, start] = this.view(at, bytes, this.record);
    return buf.toString('utf8', start, start + bytes);
  }

  /**
   * Bytes [at, at + bytes) as a view that stays valid until the next call on this spool:
   * for writers that copy every record in order (read ahead a MiB at a time).
   */
  bytes(at: number, bytes: number): Buffer {
    const [buf, start] = this.view(at, bytes, this.stream);
    return buf.subarray(start, start + bytes);
  }

  /**
   * Who writes the bytes past the first writeBehindAfter: 'none' while this thread writes them
   * all, 'worker' for the thread behind it, 'this thread' when that worker never started.
   */
  get behindBy(): 'none' | 'worker' | 'this thread' {
    return this.handle.behind?.writer ?? this.behindWas;
  }

  /** Closes the file now; reading afterwards is an error. */
  close(): void {
    this.behindWas = this.behindBy;
    this.out = null;
    this.record.buf = null;
    this.stream.buf = null;
    this.memo = undefined;
    this.memoAt = -1;
    this.lost = null;
    unreachable.unregister(this.handle);
    release(this.handle);
  }

  private view(at: number, bytes: number, w: Window): [Buffer, number] {
    if (this.handle.closed) throw new Error('spool read after it was closed');
    if (at < 0 || at + bytes > this.size) throw new RangeError(`spool read out of range: ${at}+${bytes} of ${this.size}`);
    if (this.out !== null && at >= this.base) return [this.out, at - this.base];
    if (w.buf !== null && at >= w.at && at + bytes <= w.at + w.len) return [w.buf, at - w.at];
    if (at + bytes > this.synced) this.sync();
    const lost = this.lost;
    if (lost !== null && at + bytes > this.synced) {
      if (at >= this.synced) return [lost, at - this.synced];
      // Straddling the last byte the file got: the rest from memory.
      const own = Buffer.allocUnsafe(bytes);
      if (this.readInto(own, this.synced - at, at) < this.synced - at) throw new Error(`spool read short at ${at}`);
      lost.copy(own, this.synced - at, 0, at + bytes - this.synced);
      return [own, 0];
    }
    if (bytes > w.size) {
      const own = Buffer.allocUnsafe(bytes);
      const got = this.readInto(own, bytes, at);
      if (got < bytes) throw new Error(`spool read short: ${got} of ${bytes} bytes at ${at}`);
      return [own, 0];
    }
    w.buf ??= Buffer.allocUnsafe(w.size);
    w.at = at;
    w.len = this.readInto(w.buf, Math.min(w.size, this.synced - at), at);
    if (w.len < bytes) throw new Error(`spool read short: ${w.len} of ${bytes} bytes at ${at}`);
    return [w.buf, 0];
  }

  private readInto(buf: Buffer, length: number, at: number): number {
    let got = 0;
    while (got < length) {
      const n = readSync(this.handle.fd, buf, got, length - got, at + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  private flush(): boolean {
    // After a failed write nothing more goes to the file: what is in `out` stays readable there.
    if (this.broken || !this.writeOut(this.out!.subarray(0, this.used))) return false;
    this.base = this.written;
    this.used = 0;
    return true;
  }

  /**
   * Writes `bytes` after the last byte written: from this thread for the first
   * writeBehindAfter bytes, handed to the thread writing behind after that. False when a write
   * failed (fail() then keeps what can still be read).
   */
  private writeOut(bytes: Uint8Array): boolean {
    try {
      if (this.handle.behind !== null || this.written >= this.writeBehindAfter) {
        this.behindOf().write(bytes);
      } else {
        writeWhole(this.handle.fd, bytes, this.written);
        this.synced = this.written + bytes.length;
      }
    } catch (error: unknown) {
      this.fail(error);
      return false;
    }
    this.written += bytes.length;
    return true;
  }

  /** The thread writing behind this spool, started at the first byte not yet in the file. */
  private behindOf(): WriteBehind {
    this.handle.behind ??= new WriteBehind(this.handle.fd, { ...this.writeBehind, position: this.written });
    return this.handle.behind;
  }

  /**
   * Waits until every byte handed to the thread writing behind is in the file. When it failed,
   * the bytes it did not write are kept in memory (readable still) and nothing more is appended.
   */
  private sync(): void {
    const behind = this.handle.behind;
    if (behind === null) return;
    try {
      behind.sync();
      this.synced = this.written;
    } catch (error: unknown) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.broken = true;
    this.failure ??= error instanceof Error ? error.message : String(error);
    const behind = this.letGo();
    if (behind !== null) {
      // The file holds what the thread wrote; what it did not stays readable from memory.
      const { at, bytes } = behind.unwritten();
      this.lost = bytes;
      this.synced = at;
      try { behind.abort(); } catch { /* it failed: it writes no more */ }
    }
  }

  /** The thread writing behind, no longer this spool's (who wrote is remembered), or null. */
  private letGo(): WriteBehind | null {
    const behind = this.handle.behind;
    if (behind === null) return null;
    this.behindWas = behind.writer;
    this.handle.behind = null;
    return behind;
  }

  /** A record larger than the write buffer (the buffer is empty: just flushed). */
  private writeDirect(bytes: Buffer): boolean {
    if (!this.writeOut(bytes)) return false;
    this.base = this.written;
    return true;
  }
}

/** Where a streamed writer puts its text, a piece at a time (a ByteBatch, or collectText's list). */
export interface TextWriter {
  text(text: string): void;
}

/** What `write` writes, as one string: for callers that want a small document whole. */
export function collectText(write: (out: TextWriter) => void): string {
  const parts: string[] = [];
  write({ text: (text) => { parts.push(text); } });
  return parts.join('');
}

/** Pieces of at most this many UTF-16 units are copied by ByteBatch itself when they are ASCII. */
const SHORT_TEXT = 32;

/**
 * Text and bytes gathered into one reused 1 MiB buffer and handed to `flush` a buffer at a
 * time: a writer of a large JSON document (report.json, a stored run) encodes each piece
 * once and copies spooled bytes as they are, without building the document as a string.
 * `flush` must be done with the buffer when it returns (copy it to keep it).
 */
export class ByteBatch implements TextWriter {
  private readonly out = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private readonly sink: (chunk: Buffer) => void;
  /**
   * What a writer may keep between pieces of this document (serialised values it reuses);
   * dropped at every flush, and by an asynchronous writer before it lets other code run.
   */
  memo: object | null = null;
  constructor(sink: (chunk: Buffer) => void) { this.sink = sink; }

  text(text: string): void {
    if (text.length <= SHORT_TEXT && this.used + SHORT_TEXT <= this.out.length && this.ascii(text)) return;
    if (this.used + text.length * 3 > this.out.length) { // at most 3 UTF-8 bytes per UTF-16 unit
      this.flush();
      if (text.length * 3 > this.out.length) {
        this.sink(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.out.write(text, this.used, 'utf8');
  }

  /**
   * Copies `text` when it is ASCII, a byte per unit (false when it is not: nothing counts as
   * written then). A report writes millions of pieces of a few characters (indentation, ',\n',
   * a finding's closing members); Buffer#write costs ~4x this loop for those.
   */
  private ascii(text: string): boolean {
    const out = this.out;
    const at = this.used;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return false;
      out[at + i] = c;
    }
    this.used = at + text.length;
    return true;
  }

  bytes(bytes: Buffer): void {
    if (this.used + bytes.length > this.out.length) {
      this.flush();
      if (bytes.length > this.out.length) {
        this.sink(bytes);
        return;
      }
    }
    bytes.copy(this.out, this.used);
    this.used += bytes.length;
  }

  flush(): void {
    this.memo = null;
    if (this.used === 0) return;
    this.sink(this.out.subarray(0, this.used));
    this.used = 0;
  }
}
