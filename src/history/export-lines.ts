// The JSON lines of `ztaudit history export` (a header, then one run report per line), written
// and read without a line ever being one string. At 150,000 pods a run is ~420 MiB of JSON,
// and V8 refuses a string longer than ~512 MiB: held as one, a run of ~180,000 pods could be
// neither exported nor imported ("Invalid string length"). A line is written as the stores write
// a run (writeJsonPieces: its findings one at a time into a reused batch) and read as they read
// one (SnapshotDocumentParser: each finding parsed on its own as its bytes arrive).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ByteBatch } from '../base/spool.ts';
import { NotJson, SnapshotDocumentParser } from '../base/stream-parse.ts';
import { writeJsonPieces } from './gzip-json.ts';

const LINE_FEED = 0x0a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** JSON.stringify(value) and a line break, written to `out` a batch at a time, waiting for it to drain. */
export async function writeJsonLine(out: Writable, value: object): Promise<void> {
  let full = false;
  // A copy of each batch: the batch reuses its buffer, and `out` may keep what it was handed.
  const batch = new ByteBatch((chunk) => {
    if (!out.write(Buffer.from(chunk))) full = true;
  });
  for (const _ of writeJsonPieces(value, batch)) {
    if (!full) continue;
    batch.memo = null; // other code runs while it drains: what a writer kept may change meanwhile
    await once(out, 'drain');
    full = false;
  }
  batch.text('\n');
  batch.flush();
  if (full) await once(out, 'drain');
}

/** A line of an export that is not blank. */
export interface JsonLine {
  /** Its number, from 1, blank lines counted. */
  no: number;
  /** Where its bytes are in the input, [start, end), without the line feed. */
  start: number;
  end: number;
  /** The object on it, or null when the line is not one JSON object. */
  value: Record<string, unknown> | null;
  /** Its first byte that is not white space (`{` for an object; 0x1f begins a gzip). */
  first: number;
}

/**
 * The lines of `chunks` that are not blank, each parsed as its bytes arrive. A top-level
 * `findings` array is parsed an element at a time; nothing else of a line is taken apart.
 * `at` is the offset of the first chunk in the input (a line read again by its offsets).
 */
export async function* jsonLines(chunks: AsyncIterable<Buffer | string>, at = 0): AsyncGenerator<JsonLine> {
  let no = 1;
  let start = at;
  let parser: SnapshotDocumentParser | null = null;
  let first = -1;
  let broken = false;
  const feed = (bytes: Buffer): void => {
    if (broken || bytes.length === 0) return;
    if (parser === null) {
      let i = 0;
      while (i < bytes.length && isSpace(bytes[i]!)) i++;
      if (i === bytes.length) return;
      first = bytes[i]!;
      parser = new SnapshotDocumentParser((_kind, item) => item, 'findings', true);
      bytes = bytes.subarray(i);
    }
    try {
      parser.push(bytes);
    } catch (error: unknown) {
      if (!(error instanceof NotJson)) throw error;
      broken = true; // the rest of the line is not read
    }
  };
  const finish = (end: number): JsonLine | null => {
    if (parser === null) return null;
    let value: Record<string, unknown> | null = null;
    if (!broken) {
      try {
        value = parser.end();
      } catch (error: unknown) {
        if (!(error instanceof NotJson)) throw error;
      }
    }
    const line: JsonLine = { no, start, end, value, first };
    parser = null;
    broken = false;
    return line;
  };
  for await (const piece of chunks) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let pos = 0;
    for (let lf = chunk.indexOf(LINE_FEED); lf >= 0; lf = chunk.indexOf(LINE_FEED, pos)) {
      feed(chunk.subarray(pos, lf));
      const line = finish(at + lf);
      if (line) yield line;
      no++;
      pos = lf + 1;
      start = at + pos;
    }
    feed(chunk.subarray(pos));
    at += chunk.length;
  }
  const last = finish(at);
  if (last) yield last;
}
