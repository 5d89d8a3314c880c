// Snapshot files: versioned gzip JSON. Reading a file of another schemaVersion is a clear
// error, never a best-effort guess.
import { closeSync, createReadStream, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { basename, dirname } from 'node:path';
import { InputError } from '../base/errors.ts';
import { clip, MAX_NAME, oneLine } from '../base/plain-text.ts';
import { removeStaleTemps, tempPathFor } from '../base/temp-files.ts';
import { Interner } from './intern.ts';
import { slimObject } from './slim.ts';
import { metadataProblem, specProblem, typeName } from './shape.ts';
import { NotJson, SnapshotDocumentParser } from '../base/stream-parse.ts';
import { SNAPSHOT_SCHEMA_VERSION, type ClusterInfo, type Coverage, type CoverageEntry, type KubeObject, type Snapshot } from './types.ts';

/**
 * Uncompressed text gzipped at a time: each becomes one gzip member of the file. 4 MiB keeps
 * the transient text, its bytes and their gzip small beside the snapshot (32 MiB added ~65 MiB
 * to `ztaudit snapshot`'s peak RSS at M) for a file 0.6 % larger.
 */
const WRITE_CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * Writes the snapshot object by object, gzipped in members of about 4 MiB (a valid gzip
 * file; every reader inflates concatenated members), so no single string holds the whole
 * file: a 500,000-pod snapshot is larger than the longest string V8 can make.
 */
export function writeSnapshot(path: string, snapshot: Snapshot): void {
  removeStaleTemps(dirname(path), [basename(path)]);
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  // A write or rename that fails (a full disk, `path` a directory) leaves no copy of the
  // cluster's state beside the path the user gave: the error says nothing was written.
  let closed = false;
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
    closeSync(fd);
    closed = true;
    renameSync(tmp, path);
  } catch (error: unknown) {
    if (!closed) closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
}

const MIB = 1024 * 1024;
const COVERAGE: ReadonlySet<string> = new Set<Coverage>(['ok', 'absent', 'forbidden', 'error']);
/** Without a limit from the configuration (limits.snapshotMiB), what readSnapshot accepts. */
const DEFAULT_MAX_MIB = 1024;

/** Inflated bytes handed to the parser at a time. */
const CHUNK = 1024 * 1024;

/** The fields of `cluster` and of a coverage entry this version reads; report.json's schema allows no other. */
const CLUSTER_KEYS: ReadonlySet<string> = new Set<keyof ClusterInfo>(['name', 'server', 'version']);
const COVERAGE_KEYS: ReadonlySet<string> = new Set<keyof CoverageEntry>(['status', 'detail', 'count']);
/** How many ignored fields the warning names; the rest are counted. */
const IGNORED_NAMED = 5;

/**
 * Reads a snapshot file. Above `maxMiB` (decompressed; limits.snapshotMiB) it is refused
 * with one line instead of exhausting the heap; the gzip stream is cut off at the limit, so
 * a small file that inflates to gigabytes is refused just the same. Fields of `cluster` and of
 * coverage entries this version does not know (a snapshot written by a newer ztaudit) are
 * dropped, told once to `warn`.
 */
export async function readSnapshot(path: string, maxMiB = DEFAULT_MAX_MIB, warn?: (line: string) => void): Promise<Snapshot> {
  const limit = maxMiB * MIB;
  const tooLarge = () => new InputError(`--snapshot ${oneLine(path)}: larger than ${maxMiB} MiB decompressed (limits.snapshotMiB); it was not loaded`);
  const notSnapshot = () => new InputError(`--snapshot ${oneLine(path)}: not a ztaudit snapshot (expected gzip JSON)`);
  let gzip: boolean;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new InputError(`--snapshot ${oneLine(path)}: is a directory, not a snapshot file`);
    if (stat.isFile() && stat.size === 0) throw new InputError(`--snapshot ${oneLine(path)}: the file is empty`);
    if (stat.size > limit) throw tooLarge();
    const head = Buffer.alloc(2);
    const fd = openSync(path, 'r');
    try {
      gzip = readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      closeSync(fd);
    }
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`--snapshot ${oneLine(path)}: ${code === 'ENOENT' ? 'no such file' : `cannot read the file${code ? ` (${code})` : ''}`}`);
  }
  // The file is inflated and parsed a chunk at a time. Input that is not JSON is still
  // inflated up to the limit (without parsing), so a bomb is named as such either way.
  // Dropped once the document is handed over: the stream pipeline keeps `consume` (and so
  // this variable) reachable after it finished, which would keep the whole parsed snapshot
  // alive as long as the caller runs (past the audit, through diff and rendering).
  // Equal subtrees of all kinds' objects become one frozen object (src/snapshot/intern.ts).
  // Dropped with the parser (its tables are the size of the distinct content).
  let interner: Interner | null = new Interner();
  // An object an analysis cannot read (a name that is not a string, containers that are not a
  // list) is refused here, named, rather than stopping the run with a TypeError later or being
  // judged on a reading the API server would have refused. The file is refused whole, as for
  // any other malformed key: `ztaudit snapshot` never writes one, so it was edited or corrupted.
  const seen = new Map<string, number>();
  const admit = (kind: string, item: unknown): unknown => {
    const index = seen.get(kind) ?? 0;
    seen.set(kind, index + 1);
    const problem = metadataProblem(item) ?? specProblem(kind, item as Record<string, unknown>);
    if (problem) throw new InputError(`--snapshot ${oneLine(path)}: resources.${oneLine(kind)}[${index}]${problem.startsWith('is ') ? ' ' : '.'}${problem}; re-create it with \`ztaudit snapshot\``);
    return interner!.item(slimObject(kind, item as KubeObject));
  };
  let parser: SnapshotDocumentParser | null = new SnapshotDocumentParser(admit, 'resources', true);
  let total = 0;
  let malformed = false;
  const consume = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > limit) throw tooLarge();
      if (malformed) continue;
      try {
        parser!.push(chunk);
      } catch (error: unknown) {
        if (!(error instanceof NotJson)) throw error;
        malformed = true;
      }
    }
  };
  let readFailed = false;
  const file = createReadStream(path, { highWaterMark: CHUNK });
  file.on('error', () => { readFailed = true; });
  try {
    if (gzip) await pipeline(file, createGunzip({ chunkSize: CHUNK }), consume);
    else await pipeline(file, consume);
  } catch (error: unknown) {
    if (error instanceof InputError) throw error;
    if (readFailed) throw new InputError(`--snapshot ${oneLine(path)}: cannot read the file`);
    throw new InputError(`--snapshot ${oneLine(path)}: the gzip data is corrupt or cut short; re-create it with \`ztaudit snapshot\``);
  }
  let parsed: Record<string, unknown>;
  try {
    if (malformed) throw new NotJson();
    parsed = parser!.end();
    parser = null;
    interner = null;
  } catch (error: unknown) {
    if (error instanceof NotJson) throw notSnapshot();
    throw error;
  }
  const version = parsed.schemaVersion;
  if (version === undefined) throw new InputError(`--snapshot ${oneLine(path)}: no schemaVersion: not a snapshot written by \`ztaudit snapshot\``);
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new InputError(`--snapshot ${oneLine(path)}: schemaVersion ${JSON.stringify(version)} is not supported (this ztaudit reads ${SNAPSHOT_SCHEMA_VERSION}); re-create it with \`ztaudit snapshot\``);
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const p = parsed;
  // A key of the file (resources.<kind>) is the file's text: kept on its line.
  const bad = (key: string, what: string) => new InputError(`--snapshot ${oneLine(path)}: ${oneLine(key)} ${what}; re-create it with \`ztaudit snapshot\``);
  if (p.cluster !== undefined && p.cluster !== null && !isObj(p.cluster)) throw bad('cluster', `is ${typeName(p.cluster)}, not a mapping`);
  const clusterIn = (p.cluster ?? {}) as Record<string, unknown>;
  if (typeof clusterIn.name !== 'string') throw bad('cluster.name', clusterIn.name === undefined || clusterIn.name === null ? 'is missing' : `is ${typeName(clusterIn.name)}, not a string`);
  // report.json copies these: only the fields this version knows, each of the type it writes.
  // An extra field is a newer ztaudit's (forward-compatible, as an API server prunes unknown
  // fields): dropped and told once; a known one of the wrong type was edited, and is refused.
  const ignored: string[] = [];
  const cluster: ClusterInfo = { name: clusterIn.name };
  for (const [key, value] of Object.entries(clusterIn)) {
    if (!CLUSTER_KEYS.has(key)) ignored.push(`cluster.${key}`);
    else if (key !== 'name' && value !== undefined) {
      if (typeof value !== 'string') throw bad(`cluster.${key}`, `is ${typeName(value)}, not a string`);
      cluster[key as 'server' | 'version'] = value;
    }
  }
  if (!isObj(p.coverage)) throw bad('coverage', 'is not an object');
  if (!isObj(p.resources)) throw bad('resources', 'is not an object');
  for (const [key, list] of Object.entries(p.resources as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw bad(`resources.${key}`, 'is not a list');
  }
  // Coverage decides which checks are evaluated: an entry that does not say `ok` as the writer
  // does, or an `ok` kind whose objects are not there, would pass or skip checks on nothing.
  // One look per kind, not per object.
  const resources = p.resources as Record<string, unknown[] | undefined>;
  const coverage: Record<string, CoverageEntry> = {};
  for (const [key, entry] of Object.entries(p.coverage as Record<string, unknown>)) {
    if (!isObj(entry) || typeof entry.status !== 'string' || !COVERAGE.has(entry.status)) throw bad(`coverage.${key}`, `is not {"status": ${[...COVERAGE].map((c) => `"${c}"`).join(' | ')}}`);
    if (entry.detail !== undefined && typeof entry.detail !== 'string') throw bad(`coverage.${key}.detail`, `is ${typeName(entry.detail)}, not a string`);
    if (entry.count !== undefined && !(typeof entry.count === 'number' && Number.isInteger(entry.count) && entry.count >= 0)) throw bad(`coverage.${key}.count`, `is ${JSON.stringify(entry.count)}, not a count`);
    for (const field of Object.keys(entry)) if (!COVERAGE_KEYS.has(field)) ignored.push(`coverage.${key}.${field}`);
    coverage[key] = { status: entry.status as Coverage, ...(entry.detail !== undefined ? { detail: entry.detail } : {}), ...(entry.count !== undefined ? { count: entry.count } : {}) };
    if (entry.status !== 'ok') continue;
    const list = Object.hasOwn(resources, key) ? resources[key] : undefined;
    if (list === undefined) throw bad(`coverage.${key}`, `is ok but resources.${key} is missing`);
    if (entry.count !== undefined && entry.count !== list.length) throw bad(`coverage.${key}.count`, `is ${JSON.stringify(entry.count)} but resources.${key} holds ${list.length}`);
  }
  if (ignored.length > 0) {
    const named = ignored.slice(0, IGNORED_NAMED).map((k) => clip(oneLine(k), MAX_NAME)).join(', ');
    const more = ignored.length > IGNORED_NAMED ? ` and ${ignored.length - IGNORED_NAMED} more` : '';
    warn?.(`--snapshot ${oneLine(path)}: ignored ${named}${more}: ${ignored.length === 1 ? 'not a field' : 'not fields'} this ztaudit reads (a snapshot written by a newer version?)`);
  }
  const snap = parsed as unknown as Snapshot;
  return { ...snap, cluster, coverage, origin: snap.origin ?? (snap.source === 'manifests' ? 'manifests' : 'live'), source: 'snapshot', notes: snap.notes ?? [] };
}
