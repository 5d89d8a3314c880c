// Parses a snapshot document fed in chunks (as gunzip produces them), object by object: each
// item of `resources.<kind>` is parsed on its own and handed to `onItem` (which slims it) as
// soon as its last byte arrives, so neither the whole text nor the inflated file is ever held
// in one piece. Other members are parsed as they stand. The same parser reads an API server's
// list response (`{"kind":"PodList",...,"items":[...]}`, the live collector's pages) with
// `ListDocumentParser`: there the items are the top-level `items` array. The scanner only finds where a value
// ends; JSON.parse judges each value, so malformed JSON is rejected as before.
//
// Every step (a key, a value, an item, a separator) either completes or waits for more bytes;
// the scan of a long value resumes where it stopped, so a value spanning many chunks is
// scanned once.
//
// With `batch` (the snapshot reader, a stored run's reader), the items of a chunk are parsed some
// 64 KiB at a time by one JSON.parse instead of being scanned and parsed one by one: the text
// from the next item to the last `},{` within those bytes (preferably one followed by the same
// first members as that item's; with the white space the last comma between items had, as in
// an indented file), read as an array. That `}` ends an item of this list exactly when the text parses:
// cut inside a string, inside a nested value or past the end of the list, the text is left open
// or breaks the array syntax, and JSON.parse refuses it; then the items are read one by one, as
// without `batch`, until the next chunk or list. JSON.parse of the batch judges every item.

import { setMember } from './json-member.ts';

export class NotJson extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** The end of an object item and the comma after it, as JSON.stringify writes them (no space between items). */
const COMPACT_BETWEEN = Buffer.from('},');
/** Where a first member's value starts, as JSON.stringify writes it: `{"key":`. */
const FIRST_VALUE = Buffer.from('":');
/**
 * Text parsed at once at most (about). At L, 64 KiB took 0.3–0.5 s less CPU to load than
 * parsing item by item; a whole 1 MiB chunk at once saved less (its objects outlive more
 * young-generation collections).
 */
const BATCH_BYTES = 64 * 1024;

type Where = 'start' | 'top' | 'resources' | 'items' | 'end';

/** Resumable scan of one JSON value: where it started, how far it got, and in what state. */
interface ValueScan {
  start: number;
  i: number;
  depth: number;
  inString: boolean;
  /** The first byte of the value, telling its type. */
  first: number;
}

export class SnapshotDocumentParser {
  readonly doc: Record<string, unknown> = {};
  /** The unparsed input: `buf` is a view of `store` (owned, with room to append) or the last chunk pushed. */
  private buf: Buffer = Buffer.alloc(0);
  private store: Buffer | undefined;
  private pos = 0;
  private where: Where = 'start';
  /** Whether the current object or array already has a member (a ',' must come before the next). */
  private hasMember = false;
  /** A ',' was read: a member must follow, not the closing bracket. */
  private afterComma = false;
  /** The member key read, waiting for its value. */
  private key: string | undefined;
  private kind = '';
  private items: unknown[] = [];
  private scan: ValueScan | undefined;

  private readonly onItem: (kind: string, item: unknown) => unknown;
  /**
   * Where the items are: `resources.<kind>` (a snapshot), or the top-level array of that name
   * (`items` of a list response, `findings` of a stored run).
   */
  private readonly itemsAt: string;
  /** Whether the items of a chunk are parsed as one text where they can be (see the top). */
  private readonly batch: boolean;
  /** A batch failed in this chunk and list: the rest of it is read item by item. */
  private batchFailed = false;
  /**
   * Bytes pushed, and bytes searched or parsed by batches that failed. Batches are tried only
   * while the second is at most the first: a document of many short lists (each tries again)
   * costs at most its own size in failed tries, however its lists are shaped.
   */
  private pushed = 0;
  private wasted = 0;
  /**
   * What ends an object item and comes before the next, as the last comma read showed it: `},`
   * and the white space after the comma (none from JSON.stringify; a line break and the
   * indentation in report.json, which a stored run is now kept as). Batches are cut there.
   */
  private between: Buffer = COMPACT_BETWEEN;

  constructor(onItem: (kind: string, item: unknown) => unknown, itemsAt: 'resources' | 'items' | 'findings' = 'resources', batch = false) {
    this.onItem = onItem;
    this.itemsAt = itemsAt;
    this.batch = batch;
  }

  push(chunk: Buffer): void {
    this.batchFailed = false;
    this.pushed += chunk.length;
    const kept = this.buf.length - this.pos;
    if (kept === 0) {
      this.buf = chunk;
      this.store = undefined;
      this.pos = 0;
    } else if (this.store && this.buf.length + chunk.length <= this.store.length) {
      // A value spanning chunks is appended in place (the store doubles when full), so a value
      // of n bytes arriving in k chunks costs O(n) copying, not O(n·k). `buf` starts at 0 in it.
      chunk.copy(this.store, this.buf.length);
      this.buf = this.store.subarray(0, this.buf.length + chunk.length);
      this.run(false);
      return;
    } else {
      // The store is reused when the rest and the chunk fit it (nothing parsed keeps a view of
      // it: values are parsed from strings); a fresh one each chunk cost a stored run's read
      // at L 0.7 s, mostly in faulting in new pages. One grown for a huge value is let go.
      const need = kept + chunk.length;
      const reuse = this.store !== undefined && need <= this.store.length && this.store.length <= 4 * need + 64 * 1024;
      const store = reuse ? this.store! : Buffer.allocUnsafe(Math.max(2 * need, 64 * 1024));
      this.buf.copy(store, 0, this.pos); // copy() moves overlapping bytes correctly
      chunk.copy(store, kept);
      this.store = store;
      this.buf = store.subarray(0, need);
      if (this.scan) {
        this.scan.i -= this.pos;
        this.scan.start -= this.pos;
      }
      this.pos = 0;
    }
    this.run(false);
  }

  /** Bytes of input held for a value not yet complete (the item being read, when one spans chunks). */
  get held(): number {
    return this.buf.length - this.pos;
  }

  /** The document, once the input has ended; malformed or truncated input throws NotJson. */
  end(): Record<string, unknown> {
    this.run(true);
    if (this.where !== 'end') throw new NotJson();
    for (let i = this.pos; i < this.buf.length; i++) if (!isSpace(this.buf[i]!)) throw new NotJson();
    return this.doc;
  }

  private run(final: boolean): void {
    const b = this.buf;
    for (;;) {
      while (this.pos < b.length && isSpace(b[this.pos]!)) this.pos++;
      if (this.pos >= b.length) return;
      const c = b[this.pos]!;
      switch (this.where) {
        case 'start':
          if (c !== OPEN_OBJECT) throw new NotJson();
          this.pos++;
          this.where = 'top';
          this.hasMember = false;
          break;
        case 'end':
          throw new NotJson();
        case 'items': {
          if (!this.scan && (c === CLOSE_ARRAY || c === COMMA)) {
            if (c === CLOSE_ARRAY) {
              if (this.afterComma) throw new NotJson();
              this.pos++;
              this.where = this.itemsAt === 'resources' ? 'resources' : 'top';
              this.hasMember = true;
            } else if (!this.hasMember) throw new NotJson();
            else {
              if (this.batch && this.pos > 0 && b[this.pos - 1] === CLOSE_OBJECT) this.learnBetween(this.pos + 1);
              this.pos++;
              this.hasMember = false;
              this.afterComma = true;
            }
            break;
          }
          if (this.hasMember && !this.scan) throw new NotJson();
          if (this.batch && !this.scan && !this.batchFailed && this.wasted <= this.pushed && this.parseBatch()) break;
          const end = this.valueEnd(final);
          if (end < 0) return;
          this.items.push(this.onItem(this.kind, this.parse(end)));
          this.hasMember = true;
          this.afterComma = false;
          break;
        }
        case 'top':
        case 'resources': {
          if (this.key === undefined && !this.scan) {
            if (c === CLOSE_OBJECT) {
              if (this.afterComma) throw new NotJson();
              this.pos++;
              if (this.where === 'resources') {
                this.where = 'top';
                this.hasMember = true;
              } else this.where = 'end';
              break;
            }
            if (c === COMMA) {
              if (!this.hasMember) throw new NotJson();
              this.pos++;
              this.hasMember = false;
              this.afterComma = true;
              break;
            }
            if (this.hasMember || c !== QUOTE) throw new NotJson();
          }
          if (this.key === undefined) {
            const end = this.valueEnd(final);
            if (end < 0) return;
            this.key = this.parse(end) as string;
            this.expectingColon = true;
            this.afterComma = false;
            break;
          }
          if (this.expectingColon) {
            if (c !== COLON) throw new NotJson();
            this.pos++;
            this.expectingColon = false;
            break;
          }
          this.startMember(c, final);
          if (this.scan) return; // the rest of the value is in the next chunk
          break;
        }
      }
    }
  }

  private expectingColon = false;

  private startMember(c: number, final: boolean): void {
    const key = this.key!;
    if (!this.scan && this.itemsAt !== 'resources' && key === this.itemsAt && this.where === 'top' && c === OPEN_ARRAY) {
      this.pos++;
      this.kind = '';
      this.items = [];
      this.batchFailed = false;
      setMember(this.doc, key, this.items);
      this.where = 'items';
      this.hasMember = false;
      this.key = undefined;
      return;
    }
    if (!this.scan && this.itemsAt === 'resources' && key === 'resources' && this.where === 'top' && c === OPEN_OBJECT) {
      this.pos++;
      this.doc.resources = {};
      this.where = 'resources';
      this.hasMember = false;
      this.key = undefined;
      return;
    }
    if (!this.scan && this.where === 'resources' && c === OPEN_ARRAY) {
      this.pos++;
      this.kind = key;
      this.items = [];
      this.batchFailed = false;
      setMember(this.doc.resources as Record<string, unknown>, key, this.items);
      this.where = 'items';
      this.hasMember = false;
      this.key = undefined;
      return;
    }
    const end = this.valueEnd(final);
    if (end < 0) return;
    const value = this.parse(end);
    setMember(this.where === 'resources' ? this.doc.resources as Record<string, unknown> : this.doc, key, value);
    this.key = undefined;
    this.hasMember = true;
  }

  /** `between` as the white space from `from` (just past a comma after an item) shows it, when it ends in this chunk. */
  private learnBetween(from: number): void {
    const b = this.buf;
    let to = from;
    while (to < b.length && to - from <= 64 && isSpace(b[to]!)) to++;
    if (to >= b.length || to - from > 64) return;
    const length = COMPACT_BETWEEN.length + to - from;
    if (length === this.between.length && b.compare(this.between, COMPACT_BETWEEN.length, length, from, to) === 0) return;
    this.between = to === from ? COMPACT_BETWEEN : Buffer.concat([COMPACT_BETWEEN, b.subarray(from, to)]);
    // Batches cut at the old one may have failed for want of this one: worth trying again.
    this.batchFailed = false;
  }

  /**
   * `between` and the start of the item at `pos`, up to its second ',' or first nested value
   * (as `},{"apiVersion":"v1","kind":"Pod"`): the items of a list begin alike and the objects
   * nested in them seldom do, so a batch cut there is seldom refused. (Any cut is checked by
   * JSON.parse; this only makes a good one likely: a bare `},{` is also between the
   * containers of a pod.)
   */
  private separator(): Buffer {
    const b = this.buf;
    const start = this.pos;
    const limit = Math.min(b.length, start + 128);
    let commas = 0;
    let i = start + 1;
    for (; i < limit; i++) {
      const c = b[i]!;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY || (c === COMMA && ++commas === 2)) break;
    }
    return Buffer.concat([this.between, b.subarray(start, i - start < 3 ? start + 1 : i)]);
  }

  /** Parses the items from `pos` to the last item start like its own (see `separator`) in BATCH_BYTES at once; false if that is not a run of items. */
  private parseBatch(): boolean {
    const b = this.buf;
    const separator = this.separator();
    // A cut begins past `pos` and at most BATCH_BYTES after it: only that window is searched
    // (the buffer may hold a long consumed prefix, and each new list tries a batch again).
    const lastCut = (sep: Buffer): number => {
      const window = b.subarray(this.pos + 1, Math.min(b.length, this.pos + BATCH_BYTES + sep.length));
      const at = window.lastIndexOf(sep);
      this.wasted += at < 0 ? window.length : window.length - at; // counted as wasted until the batch is parsed
      return at < 0 ? -1 : this.pos + 1 + at;
    };
    const wastedBefore = this.wasted;
    let cut = lastCut(separator);
    // Items whose first member's value is their own (a stored run's findings begin with their
    // fingerprint) share the separator up to that value only.
    if (cut <= this.pos) {
      const key = separator.indexOf(FIRST_VALUE);
      if (key > 0) cut = lastCut(separator.subarray(0, key + FIRST_VALUE.length));
    }
    if (cut <= this.pos) cut = lastCut(separator.subarray(0, this.between.length + 1));
    if (cut <= this.pos) {
      this.batchFailed = true;
      return false;
    }
    let items: unknown[];
    try {
      items = JSON.parse(`[${b.toString('utf8', this.pos, cut + 1)}]`) as unknown[];
    } catch {
      this.batchFailed = true;
      this.wasted += cut - this.pos;
      return false;
    }
    this.wasted = wastedBefore;
    for (let i = 0; i < items.length; i++) this.items.push(this.onItem(this.kind, items[i]));
    this.pos = cut + 1;
    this.hasMember = true;
    this.afterComma = false;
    return true;
  }

  private parse(end: number): unknown {
    const start = this.pos;
    this.pos = end;
    this.scan = undefined;
    try {
      return JSON.parse(this.buf.toString('utf8', start, end));
    } catch {
      throw new NotJson();
    }
  }

  /**
   * The end of the value starting at `pos`, or -1 when the buffer ends first (the scan is kept
   * and resumed on the next chunk). A number at the very end of the input ends there.
   */
  private valueEnd(final: boolean): number {
    const b = this.buf;
    const n = b.length;
    const s = (this.scan ??= { start: this.pos, i: this.pos, depth: 0, inString: false, first: b[this.pos]! });
    let i = s.i;
    if (s.first === QUOTE || s.first === OPEN_OBJECT || s.first === OPEN_ARRAY) {
      let depth = s.depth;
      let inString = s.inString;
      if (i === s.start) {
        // The opening byte.
        if (s.first === QUOTE) inString = true;
        else depth = 1;
        i++;
      }
      while (i < n) {
        const d = b[i]!;
        if (inString) {
          if (d === BACKSLASH) {
            if (i + 1 >= n) break; // the escaped byte is in the next chunk
            i += 2;
            continue;
          }
          if (d === QUOTE) {
            inString = false;
            if (depth === 0) return i + 1;
          }
        } else if (d === QUOTE) inString = true;
        else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
        else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
          if (--depth === 0) return i + 1;
        }
        i++;
      }
      s.i = i;
      s.depth = depth;
      s.inString = inString;
      if (final) throw new NotJson();
      return -1;
    }
    while (i < n && b[i] !== COMMA && b[i] !== CLOSE_OBJECT && b[i] !== CLOSE_ARRAY && !isSpace(b[i]!)) i++;
    if (i < n || final) {
      if (i === s.start) throw new NotJson();
      return i;
    }
    s.i = i;
    return -1;
  }
}
