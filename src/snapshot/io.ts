// Snapshot files: versioned gzip JSON. Reading a file of another schemaVersion is a clear
// error, never a best-effort guess.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { basename, dirname } from 'node:path';
import { InputError } from '../base/errors.ts';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './types.ts';

export function writeSnapshot(path: string, snapshot: Snapshot): void {
  removeStaleTemps(dirname(path), [basename(path)]);
  const tmp = tempPathFor(path);
  writeFileSync(tmp, gzipSync(JSON.stringify(snapshot)));
  renameSync(tmp, path);
}

const MIB = 1024 * 1024;
/** V8 cannot make a string longer than this (2^29 - 24 characters). */
const MAX_TEXT_MIB = 512;

/**
 * Reads a snapshot file. Above `maxMiB` (decompressed; limits.snapshotMiB) it is refused
 * with one line instead of exhausting the heap; the gzip stream is cut off at the limit, so
 * a small file that inflates to gigabytes is refused just the same.
 */
export function readSnapshot(path: string, maxMiB = MAX_TEXT_MIB): Snapshot {
  const limit = Math.min(maxMiB, MAX_TEXT_MIB) * MIB;
  const tooLarge = () => new InputError(`--snapshot ${path}: larger than ${Math.min(maxMiB, MAX_TEXT_MIB)} MiB decompressed (limits.snapshotMiB); it was not loaded`);
  let buf: Buffer;
  try {
    if (statSync(path).size > limit) throw tooLarge();
    buf = readFileSync(path);
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    throw new InputError(`--snapshot ${path}: cannot read the file`);
  }
  let text: string;
  try {
    text = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf, { maxOutputLength: limit }).toString('utf8') : buf.toString('utf8');
  } catch (error: unknown) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw tooLarge();
    throw new InputError(`--snapshot ${path}: not a ztaudit snapshot (expected gzip JSON)`);
  }
  buf = Buffer.alloc(0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`--snapshot ${path}: not a ztaudit snapshot (expected gzip JSON)`);
  }
  const version = (parsed as { schemaVersion?: unknown })?.schemaVersion;
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(`--snapshot ${path}: schemaVersion ${JSON.stringify(version)} is not supported (this ztaudit reads ${SNAPSHOT_SCHEMA_VERSION}); re-create it with \`ztaudit snapshot\``);
  }
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const p = parsed as Record<string, unknown>;
  const bad = (key: string, what: string) => new InputError(`--snapshot ${path}: ${key} ${what}; re-create it with \`ztaudit snapshot\``);
  if (!isObj(p.cluster) || typeof (p.cluster as Record<string, unknown>).name !== 'string') throw bad('cluster.name', 'is missing');
  if (!isObj(p.coverage)) throw bad('coverage', 'is not an object');
  if (!isObj(p.resources)) throw bad('resources', 'is not an object');
  for (const [key, list] of Object.entries(p.resources as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw bad(`resources.${key}`, 'is not a list');
  }
  const snap = parsed as Snapshot;
  return { ...snap, origin: snap.origin ?? (snap.source === 'manifests' ? 'manifests' : 'live'), source: 'snapshot', notes: snap.notes ?? [] };
}
