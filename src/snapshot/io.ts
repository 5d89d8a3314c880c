// Snapshot files: versioned gzip JSON. Reading a file of another schemaVersion is a clear
// error, never a best-effort guess.
import { closeSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { basename, dirname } from 'node:path';
import { InputError } from '../base/errors.ts';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { slimObject } from './slim.ts';
import { SNAPSHOT_SCHEMA_VERSION, type KubeObject, type Snapshot } from './types.ts';

/** Uncompressed text gzipped at a time: each becomes one gzip member of the file. */
const WRITE_CHUNK_CHARS = 32 * 1024 * 1024;

/**
 * Writes the snapshot object by object, gzipped in members of about 32 MiB (a valid gzip
 * file; every reader inflates concatenated members), so no single string holds the whole
 * file: a 500,000-pod snapshot is larger than the longest string V8 can make.
 */
export function writeSnapshot(path: string, snapshot: Snapshot): void {
  removeStaleTemps(dirname(path), [basename(path)]);
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
    let parts: string[] = [];
    let size = 0;
    const flush = () => {
      if (parts.length === 0) return;
      writeSync(fd, gzipSync(Buffer.from(parts.join(''), 'utf8')));
      parts = [];
      size = 0;
    };
    const put = (text: string) => {
      parts.push(text);
      size += text.length;
      if (size >= WRITE_CHUNK_CHARS) flush();
    };
    const { resources, ...rest } = snapshot;
    put(`${JSON.stringify(rest).slice(0, -1)},"resources":{`);
    let firstKind = true;
    for (const [key, list] of Object.entries(resources)) {
      if (list === undefined) continue;
      put(`${firstKind ? '' : ','}${JSON.stringify(key)}:[`);
      firstKind = false;
      for (let i = 0; i < list.length; i++) put(`${i === 0 ? '' : ','}${JSON.stringify(list[i]) ?? 'null'}`);
      put(']');
    }
    put('}}');
    flush();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

const MIB = 1024 * 1024;
/** Without a limit from the configuration (limits.snapshotMiB), what readSnapshot accepts. */
const DEFAULT_MAX_MIB = 1024;

class NotJson extends Error {}

// Bytes of the JSON grammar the scanner looks at.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function skipSpace(b: Buffer, i: number): number {
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i;
}

/** The index just after the JSON value that starts at `i` (whitespace skipped by the caller). */
function valueEnd(b: Buffer, i: number): number {
  const n = b.length;
  const c = b[i];
  if (c === QUOTE) {
    for (i++; i < n; i++) {
      const d = b[i];
      if (d === BACKSLASH) i++;
      else if (d === QUOTE) return i + 1;
    }
    throw new NotJson();
  }
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (; i < n; i++) {
      const d = b[i];
      if (d === QUOTE) {
        for (i++; i < n; i++) {
          const e = b[i];
          if (e === BACKSLASH) i++;
          else if (e === QUOTE) break;
        }
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        if (--depth === 0) return i + 1;
      }
    }
    throw new NotJson();
  }
  // A number, true, false or null: up to the next delimiter.
  const start = i;
  while (i < n && b[i] !== COMMA && b[i] !== CLOSE_OBJECT && b[i] !== CLOSE_ARRAY && b[i] !== 0x20 && b[i] !== 0x0a && b[i] !== 0x0d && b[i] !== 0x09) i++;
  if (i === start) throw new NotJson();
  return i;
}

/** Parses b[start, end) as JSON (JSON.parse checks it; the scanner only found its end). */
function parseSlice(b: Buffer, start: number, end: number): unknown {
  return JSON.parse(b.toString('utf8', start, end));
}

/**
 * Walks the members of the object at `i`, handing each key and the start of its value to
 * `member`, which returns the index after the value. Returns the index after the object.
 */
function eachMember(b: Buffer, i: number, member: (key: string, at: number) => number): number {
  if (b[i] !== OPEN_OBJECT) throw new NotJson();
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_OBJECT) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) throw new NotJson();
    const keyEnd = valueEnd(b, i);
    const key = parseSlice(b, i, keyEnd) as string;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) throw new NotJson();
    i = skipSpace(b, member(key, skipSpace(b, i + 1)));
    if (b[i] === CLOSE_OBJECT) return i + 1;
    if (b[i] !== COMMA) throw new NotJson();
    i = skipSpace(b, i + 1);
  }
}

/**
 * Parses a snapshot document object by object: each item of `resources.<kind>` is parsed on
 * its own and slimmed (slim.ts) before the next, so neither the whole text as one string nor
 * the fields the checks never read are ever held. Anything else is parsed as it stands.
 */
function parseSnapshotDocument(b: Buffer): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const resourceLists = (key: string, at: number): number => {
    if (b[at] !== OPEN_ARRAY) {
      const end = valueEnd(b, at);
      doc.resources = doc.resources ?? {};
      (doc.resources as Record<string, unknown>)[key] = parseSlice(b, at, end);
      return end;
    }
    const items: KubeObject[] = [];
    (doc.resources as Record<string, unknown>)[key] = items;
    let i = skipSpace(b, at + 1);
    if (b[i] === CLOSE_ARRAY) return i + 1;
    for (;;) {
      const end = valueEnd(b, i);
      items.push(slimObject(key, parseSlice(b, i, end) as KubeObject));
      i = skipSpace(b, end);
      if (b[i] === CLOSE_ARRAY) return i + 1;
      if (b[i] !== COMMA) throw new NotJson();
      i = skipSpace(b, i + 1);
    }
  };
  const end = eachMember(b, skipSpace(b, 0), (key, at) => {
    if (key === 'resources' && b[at] === OPEN_OBJECT) {
      doc.resources = {};
      return eachMember(b, at, resourceLists);
    }
    const valueStop = valueEnd(b, at);
    doc[key] = parseSlice(b, at, valueStop);
    return valueStop;
  });
  if (skipSpace(b, end) !== b.length) throw new NotJson();
  return doc;
}

/**
 * Reads a snapshot file. Above `maxMiB` (decompressed; limits.snapshotMiB) it is refused
 * with one line instead of exhausting the heap; the gzip stream is cut off at the limit, so
 * a small file that inflates to gigabytes is refused just the same.
 */
export function readSnapshot(path: string, maxMiB = DEFAULT_MAX_MIB): Snapshot {
  const limit = maxMiB * MIB;
  const tooLarge = () => new InputError(`--snapshot ${path}: larger than ${maxMiB} MiB decompressed (limits.snapshotMiB); it was not loaded`);
  let buf: Buffer;
  try {
    if (statSync(path).size > limit) throw tooLarge();
    buf = readFileSync(path);
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    throw new InputError(`--snapshot ${path}: cannot read the file`);
  }
  try {
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf, { maxOutputLength: limit });
  } catch (error: unknown) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw tooLarge();
    throw new InputError(`--snapshot ${path}: not a ztaudit snapshot (expected gzip JSON)`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseSnapshotDocument(buf);
  } catch (error: unknown) {
    if (error instanceof NotJson || error instanceof SyntaxError) throw new InputError(`--snapshot ${path}: not a ztaudit snapshot (expected gzip JSON)`);
    throw error;
  }
  const version = parsed.schemaVersion;
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(`--snapshot ${path}: schemaVersion ${JSON.stringify(version)} is not supported (this ztaudit reads ${SNAPSHOT_SCHEMA_VERSION}); re-create it with \`ztaudit snapshot\``);
  }
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const p = parsed;
  const bad = (key: string, what: string) => new InputError(`--snapshot ${path}: ${key} ${what}; re-create it with \`ztaudit snapshot\``);
  if (!isObj(p.cluster) || typeof (p.cluster as Record<string, unknown>).name !== 'string') throw bad('cluster.name', 'is missing');
  if (!isObj(p.coverage)) throw bad('coverage', 'is not an object');
  if (!isObj(p.resources)) throw bad('resources', 'is not an object');
  for (const [key, list] of Object.entries(p.resources as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw bad(`resources.${key}`, 'is not a list');
  }
  const snap = parsed as unknown as Snapshot;
  return { ...snap, origin: snap.origin ?? (snap.source === 'manifests' ? 'manifests' : 'live'), source: 'snapshot', notes: snap.notes ?? [] };
}
