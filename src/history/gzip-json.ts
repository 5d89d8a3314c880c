// A stored run as gzip JSON without the JSON as one string: at 150,000 pods a report is
// ~300 MiB of compact JSON, which `gzipSync(JSON.stringify(report))` held whole (and again as
// the bytes handed to gzip) beside the report itself. Here a top-level array (the findings)
// is serialised one element at a time (a spooled finding's text copied from its spool as it
// is) into a reused buffer, compressed a MiB at a time. The decompressed bytes are exactly
// JSON.stringify(value).
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { NotJson, SnapshotDocumentParser } from '../base/stream-parse.ts';
import { ByteBatch } from '../base/spool.ts';
import { writeFindingJson } from '../run/spooled-finding.ts';
import type { Finding } from '../run/types.ts';

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

/** gzip of JSON.stringify(value), built from writeJsonPieces a ~1 MiB batch at a time. */
export async function gzipJson(value: object): Promise<Buffer> {
  const gz = createGzip();
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
  for (const _ of writeJsonPieces(value, batch)) if (batches.length > 0) await drain();
  batch.flush();
  await drain();
  gz.end();
  await done;
  return Buffer.concat(out);
}

/**
 * The value a stored run's gzip holds (what gzipJson wrote), inflated as a stream and parsed as
 * the inflated bytes arrive, each element of its top-level `findings` array on its own: neither
 * the inflated bytes nor the run's JSON are ever held whole. At 150,000 pods that JSON was a
 * 420 MiB string beside the parsed run; at 500,000 pods (1.3 GB) it is longer than V8's longest
 * string, and JSON.parse of it as text cannot work at all. The same value as JSON.parse of the
 * text; malformed input throws.
 */
export async function parseGzipJson(bytes: Uint8Array): Promise<unknown> {
  const parser = new SnapshotDocumentParser((_kind, item) => item, 'findings');
  try {
    for await (const chunk of Readable.from([bytes], { objectMode: false }).pipe(createGunzip({ chunkSize: 1 << 20 }))) parser.push(chunk as Buffer);
    return parser.end();
  } catch (error: unknown) {
    if (error instanceof NotJson) throw new Error('not a JSON object (truncated or damaged)');
    throw error;
  }
}
