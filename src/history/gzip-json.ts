// A stored run as gzip JSON without the JSON as one string: at 150,000 pods a report is
// ~300 MiB of compact JSON, which `gzipSync(JSON.stringify(report))` held whole (and again as
// the bytes handed to gzip) beside the report itself. Here a top-level array (the findings)
// is serialised one element at a time (a spooled finding's text copied from its spool as it
// is) into a reused buffer, compressed a MiB at a time. The decompressed bytes are exactly
// JSON.stringify(value). A run whose report.json was just written is stored from that file
// instead (storedBlob), while it is the very file render wrote, unchanged: the same value,
// indented.
import { constants, type BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, type TransformOptions } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { createGunzip, createGzip, type ZlibOptions } from 'node:zlib';
import { NotJson, SnapshotDocumentParser } from '../base/stream-parse.ts';
import { ByteBatch, Spool } from '../base/spool.ts';
import { spoolFinding, unreadBulky, writeFindingJson } from '../run/spooled-finding.ts';
import { rememberSpool } from '../run/stored-run.ts';
import { BulkyCutter } from './unwanted-bulky.ts';
import type { Finding, RunReport, StoredRunRead, WrittenFile, WrittenReport } from '../run/types.ts';

/**
 * JSON.stringify(value) of a plain object into `out`, its top-level arrays element by
 * element; yields after each element, so a caller can hand on what `out` flushed.
 */
export function* writeJsonPieces(value: object, out: ByteBatch): Generator<void> {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    out.text(JSON.stringify(value));
    return;
  }
  let first = true;
  out.text('{');
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify
    out.text(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (Array.isArray(v) && !('toJSON' in v)) {
      out.text('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out.text(',');
        const e: unknown = v[i];
        if (typeof e === 'object' && e !== null) writeFindingJson(e as Finding, out); // JSON.stringify(e) unless it is a spooled finding
        else out.text(JSON.stringify(e) ?? 'null');
        yield;
      }
      out.text(']');
    } else {
      out.text(JSON.stringify(v));
    }
  }
  out.text('}');
}

/** Serialised bytes that may wait to be compressed. */
const QUEUED_BYTES = 8 << 20;

/** gzip of JSON.stringify(value), built from writeJsonPieces a ~1 MiB batch at a time. */
export async function gzipJson(value: object): Promise<Buffer> {
  // Compression runs on libuv's threads while this one serialises the next batches: a few MiB
  // may wait to be compressed (with the default 16 KiB every batch waited until it was), each
  // batch is compressed in one job (1 MiB out), and the event loop turns after each batch so a
  // finished job hands over and the next starts. At L this thread waited 1.7 s; now ~1 s.
  const gz = createGzip({ chunkSize: 1 << 20, writableHighWaterMark: QUEUED_BYTES } as ZlibOptions & TransformOptions);
  const out: Buffer[] = [];
  gz.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const batches: Buffer[] = [];
  const batch = new ByteBatch((chunk) => batches.push(Buffer.from(chunk))); // a copy: the batch reuses its buffer
  const drain = async () => {
    for (let b = batches.shift(); b !== undefined; b = batches.shift()) {
      if (!gz.write(b)) await new Promise<void>((resolve) => gz.once('drain', resolve));
    }
  };
  for (const _ of writeJsonPieces(value, batch)) {
    if (batches.length === 0) continue;
    batch.memo = null; // other code may run while it drains: what a writer kept may change meanwhile
    await drain();
    await setImmediate();
  }
  batch.flush();
  await drain();
  gz.end();
  await done;
  return Buffer.concat(out);
}

/** Files smaller than this are compressed as one gzip member. */
const MEMBER_BYTES = 16 << 20;

/**
 * gzip of the first `size` bytes of an open file (report.json as just written), compressed by
 * up to `members` of libuv's threads at once: the bytes are cut into that many ranges, each
 * compressed as a gzip member of its own, and the members concatenated (gzip readers inflate
 * concatenated members as one stream: parseGzipJson, `gunzip`). This thread only waits. At
 * 150,000 pods gzipJson of the run took ~2 s of a real run, serialising it again on this
 * thread while one zlib thread compressed; the 420 MiB report.json compresses so in ~1 s.
 * Every member reads through `file` (positional reads), so all read the same file. When one
 * fails, the others stop before their next read, and this rejects once they have: nothing
 * goes on reading and compressing beside a caller that falls back.
 * Throws when the file cannot be read whole.
 */
export async function gzipFrom(file: FileHandle, size: number, members = 4): Promise<Buffer> {
  const parts = Math.max(1, Math.min(members, Math.floor(size / MEMBER_BYTES)));
  const cuts = Array.from({ length: parts + 1 }, (_, i) => Math.floor((size * i) / parts));
  const failed = new AbortController();
  const gzips = cuts.slice(0, -1).map((start, i) => gzipRange(file, start, cuts[i + 1]!, failed.signal).catch((error: unknown) => {
    failed.abort();
    throw error;
  }));
  try {
    return Buffer.concat(await Promise.all(gzips));
  } catch (error: unknown) {
    await Promise.allSettled(gzips);
    throw error;
  }
}

/**
 * One gzip member of bytes [start, end) of `file`. No read once `stop` fires; on any failure its
 * gzip stream is destroyed, so its pending writes and zlib's memory go with it.
 */
async function gzipRange(file: FileHandle, start: number, end: number, stop: AbortSignal): Promise<Buffer> {
  const out: Buffer[] = [];
  const gz = createGzip({ chunkSize: 1 << 20 });
  gz.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  ended.catch(() => {}); // awaited below, unless reading failed first
  try {
    // Two read buffers in turn, each reused only once zlib is done with it (its write
    // callback): the reads make no garbage for a main thread that is idle meanwhile.
    const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
    const consumed: Array<Promise<void> | undefined> = [undefined, undefined];
    for (let at = start, k = 0; at < end; k ^= 1) {
      await consumed[k];
      stop.throwIfAborted();
      const buffer = buffers[k]!;
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) throw new Error(`the file ended at byte ${at} of ${end} (changed while it was read)`);
      const written = new Promise<void>((resolve, reject) => gz.write(buffer.subarray(0, bytesRead), (error) => (error ? reject(error) : resolve())));
      written.catch(() => {}); // awaited in turn, unless the stream is destroyed first
      consumed[k] = written;
      at += bytesRead;
    }
    await Promise.all(consumed);
    gz.end();
    await ended;
    return Buffer.concat(out);
  } catch (error: unknown) {
    gz.destroy();
    throw error;
  }
}

/**
 * A run as the SQLite and PostgreSQL stores keep it: gzip of the report.json render wrote for
 * it when the caller names one and it is still that file (storedFrom), else of the run
 * serialised here (gzipJson). Either inflates to the run's JSON. A file that is not the one
 * written, does not begin with this run, or cannot be read whole is not used: the run is
 * serialised instead, and stored either way.
 */
export async function storedBlob(report: RunReport, written?: WrittenReport): Promise<Buffer> {
  if (written !== undefined) {
    const blob = await storedFrom(written.reportJson, report).catch(() => null);
    if (blob !== null) return blob;
  }
  return gzipJson(report);
}

/**
 * gzip of the file render wrote, when `written.path` still names it unchanged (device, inode,
 * size, mtime and ctime as render's fstat said) and it begins with this run; else null. The
 * history trusts nothing else in --out: a file renamed over it, or written into since, could
 * hold another run, or this one with its regressions taken out. The file is opened once, so
 * what is checked is what is read, and checked again once read: a write into it meanwhile
 * moves its mtime and ctime (to the filesystem's timestamp granularity). No pass over the
 * bytes besides compressing them. Throws when it cannot be read whole.
 */
async function storedFrom(written: WrittenFile, report: RunReport): Promise<Buffer | null> {
  // Non-blocking: a FIFO put in its place must not hold the save until someone writes to it.
  const file = await open(written.path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!isAsWritten(await file.stat({ bigint: true }), written) || !(await beginsWithRun(file, report))) return null;
    const blob = await gzipFrom(file, Number(written.size));
    return isAsWritten(await file.stat({ bigint: true }), written) ? blob : null;
  } finally {
    await file.close();
  }
}

function isAsWritten(stats: BigIntStats, written: WrittenFile): boolean {
  return stats.dev === written.dev && stats.ino === written.ino && stats.size === written.size &&
    stats.mtimeNs === written.mtimeNs && stats.ctimeNs === written.ctimeNs;
}

/**
 * Whether `file` begins as writeReportJson begins this run's report.json: the schema version,
 * then the run, its id first (not `"id": "<id>"` anywhere near the start, such as a check's).
 */
async function beginsWithRun(file: FileHandle, report: RunReport): Promise<boolean> {
  const head = Buffer.from(`{\n  "schemaVersion": ${JSON.stringify(report.schemaVersion)},\n  "run": {\n    "id": ${JSON.stringify(report.run.id)}`);
  const buffer = Buffer.alloc(head.length);
  const { bytesRead } = await file.read(buffer, 0, head.length, 0);
  return bytesRead === head.length && buffer.equals(head);
}

/**
 * The value a stored run's gzip holds (what gzipJson wrote), inflated as a stream and parsed as
 * the inflated bytes arrive, each element of its top-level `findings` array on its own: neither
 * the inflated bytes nor the run's JSON are ever held whole. At 150,000 pods that JSON was a
 * 420 MiB string beside the parsed run; at 500,000 pods (1.3 GB) it is longer than V8's longest
 * string, and JSON.parse of it as text cannot work at all. The same value as JSON.parse of the
 * text; malformed input throws.
 * With `onFinding`, each finding is handed to `onFinding` as it is parsed (and replaced by what it
 * returns), so the parsed elements need not all be held as they came. With `cutter`, the
 * inflated bytes pass through it first (src/history/unwanted-bulky.ts).
 */
export async function parseGzipJson(bytes: Uint8Array, onFinding?: (item: unknown) => unknown, cutter?: BulkyCutter): Promise<unknown> {
  const parser = new SnapshotDocumentParser(onFinding ? (_kind, item) => onFinding(item) : (_kind, item) => item, 'findings', true);
  try {
    for await (const chunk of Readable.from([bytes], { objectMode: false }).pipe(createGunzip({ chunkSize: 1 << 20 }))) parser.push(cutter ? cutter.push(chunk as Buffer) : (chunk as Buffer));
    if (cutter) parser.push(cutter.end());
    return parser.end();
  } catch (error: unknown) {
    if (error instanceof NotJson) throw new Error('not a JSON object (truncated or damaged)');
    throw error;
  }
}

/** The keys of a stored finding, in the order report.json writes them (findingOf's order). */
const FINDING_KEYS = ['fingerprint', 'check', 'area', 'severity', 'resource', 'extent', 'message', 'controls', 'evidence', 'related', 'waived', 'waiver', 'impliedBy'] as const;

/**
 * A stored run read back (parseGzipJson) with its findings' message, evidence and related
 * objects in a Spool (an unlinked temp file, src/base/spool.ts), as the current run's findings
 * are (src/run/spooled-finding.ts): at 150,000 pods (382,691 findings) a real later run, which
 * reads the stored run back for its diff, peaked at 1,443-1,509 MiB with them held as parsed
 * objects, and at 1,141-1,152 MiB so (a first run: 1,002-1,098 MiB). Their small fields stay
 * in memory, the strings that recur across findings (check, area, severity, resource kind and
 * namespace) and a check's controls list shared. Every reader sees the same values, keys and
 * JSON as before. A finding whose keys are not a stored finding's (another writer's, an older
 * layout) stays as parsed; without a temp directory, or when it fills, the findings stay in
 * memory. The spool is closed by spoolCloserOf(run)() (src/run/stored-run.ts), or once nothing
 * references the run's findings.
 * With `bulkyOf`, a stored finding it does not name is neither spooled nor kept with those
 * three fields: reading one throws (unreadBulky). The pipeline's diff reads only a finding's
 * identity and state, and the reports list the resolved ones: at L a later run spent ~0.9 s
 * serialising into the spool the message and evidence of the 363,000 findings that persist.
 */
export async function parseStoredRun(bytes: Uint8Array, read: StoredRunRead = {}): Promise<unknown> {
  if (read.bulkyOf === undefined) return parseStoredRunAs(bytes, read);
  const cutter = new BulkyCutter(read.bulkyOf);
  try {
    return await parseStoredRunAs(bytes, read, cutter);
  } catch (error: unknown) {
    // A line cut where it only looked like report.json's layout leaves it unparsable (see
    // unwanted-bulky.ts): read the run again whole, which parses or fails on its own.
    if (cutter.cut === 0) throw error;
    return parseStoredRunAs(bytes, read);
  }
}

/**
 * parseStoredRun with or without a cutter. Without one, a finding `bulkyOf` does not want is
 * parsed whole and its message, evidence and related objects dropped; with one, its line is
 * parsed without them (at L: 159 of the stored run's 440 MB of text).
 */
async function parseStoredRunAs(bytes: Uint8Array, { bulkyOf }: StoredRunRead, cutter?: BulkyCutter): Promise<unknown> {
  let spool: Spool | null | undefined;
  const strings = new Map<string, string>();
  const lists = new Map<unknown, string[]>();
  // The last string shared for each member (check, area, severity, kind, namespace): findings
  // come by check, so the same values follow one another. Comparing one is cheaper than the
  // look-up, which hashes the freshly parsed string (at XL 0.46 s of a 5.3 s read).
  const last: string[] = ['', '', '', '', ''];
  const share = (s: unknown, member: number): unknown => {
    if (typeof s !== 'string') return s;
    if (s === last[member]) return last[member];
    let seen = strings.get(s);
    if (seen === undefined) strings.set(s, (seen = s));
    last[member] = seen;
    return seen;
  };
  const onFinding = (item: unknown): unknown => {
    const f = storedFinding(item, share, lists, bulkyOf !== undefined);
    if (f === null) {
      // Not a stored finding's shape (a resource that is not an object), yet without a
      // message: its line was cut, and read whole it would keep its message. Read the run again
      // whole (parseStoredRun), so that a cut read never differs from an uncut one.
      if (cutter !== undefined && cutter.cut > 0 && typeof item === 'object' && item !== null && !('message' in item)) throw new Error('a cut line is not a stored finding');
      return item;
    }
    // A finding without a message was cut (BulkyCutter asked bulkyOf already): never wanted.
    if (bulkyOf !== undefined && (f.message === undefined || !bulkyOf(f.fingerprint, f.check))) return unreadBulky(f);
    if (spool === undefined) spool = Spool.open(); // null: none could be made, not tried again
    return (spool && spoolFinding(f, spool)) ?? item;
  };
  let value: unknown;
  try {
    value = await parseGzipJson(bytes, onFinding, cutter);
  } catch (error: unknown) {
    spool?.close();
    throw error;
  }
  if (spool) {
    if (spool.size === 0 || typeof value !== 'object' || value === null) spool.close();
    else {
      spool.seal();
      rememberSpool(value, spool);
    }
  }
  return value;
}

/**
 * `item` as a finding with all of findingOf's keys in order (absent ones undefined: the same
 * JSON), its recurring strings shared; null when it is not a stored finding. With `unread`, a
 * finding may lack its message (a line the cutter cut: message, evidence and related gone).
 */
function storedFinding(item: unknown, share: (s: unknown, member: number) => unknown, lists: Map<unknown, string[]>, unread = false): Finding | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const o = item as Record<string, unknown>;
  let k = 0;
  for (const key in o) {
    while (k < FINDING_KEYS.length && FINDING_KEYS[k] !== key) k++;
    if (k === FINDING_KEYS.length) return null; // unknown key, or out of order
    k++;
  }
  const r = o.resource;
  if (typeof o.fingerprint !== 'string' || (typeof o.message !== 'string' && !(unread && o.message === undefined)) || typeof r !== 'object' || r === null || Array.isArray(r) || !Array.isArray(o.controls)) return null;
  const resource = r as Record<string, unknown>;
  if ('kind' in resource) resource.kind = share(resource.kind, 3);
  if ('namespace' in resource) resource.namespace = share(resource.namespace, 4);
  // A check's findings list the same controls: share its first finding's list when equal. A
  // Pod Security finding names only the controls it bears on (Verdict.controls): a few
  // combinations per check, each shared by content.
  let controls = o.controls as string[];
  const check = share(o.check, 0);
  const seen = lists.get(check);
  if (seen === undefined) lists.set(check, controls);
  else if (seen.length === controls.length && seen.every((c, i) => c === controls[i])) controls = seen;
  else {
    const key = `\u0000${controls.join('\u0000')}`; // no check id begins with NUL
    const variant = lists.get(key);
    if (variant === undefined) lists.set(key, controls);
    else controls = variant;
  }
  // An aggregating finding's extent is kept as stored (only such findings have the key).
  return {
    fingerprint: o.fingerprint, check, area: share(o.area, 1), severity: share(o.severity, 2), resource: r,
    ...(o.extent !== undefined ? { extent: o.extent } : {}),
    message: o.message, controls,
    evidence: o.evidence, related: o.related, waived: o.waived, waiver: o.waiver, impliedBy: o.impliedBy,
  } as Finding;
}
