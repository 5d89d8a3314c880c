// --manifests DIR: every YAML/JSON file below DIR, multi-document, List kinds flattened
// (typed lists such as PodList too, whose items carry no kind of their own).
// A broken document is named by file and line and skipped; the others still load. Documents
// that are not Kubernetes objects, and kinds ztaudit does not audit, are skipped with a note.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../base/errors.ts';
import type { KubeObject, Snapshot, SourceRef } from '../snapshot/types.ts';
import { snapshotFromObjects } from './from-objects.ts';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>(); // real paths of directories walked: symlink loops end here
  const walk = (d: string) => {
    const real = realpathSync(d);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      // Symlinks are followed: a ConfigMap volume mount is nothing but symlinks.
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link
        }
      }
      if (isDir) walk(p);
      else if (isFile && MANIFEST_EXT.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ParsedManifests {
  objects: KubeObject[];
  notes: string[];
  sources: Record<string, SourceRef>;
}

/** Parses one file's text; `label` is how the file is named in notes. */
export function parseManifestText(text: string, label: string): ParsedManifests {
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const sources: Record<string, SourceRef> = {};
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  for (const doc of parseAllDocuments(text)) {
    const start = doc.range?.[0] ?? 0;
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      notes.push(`${label}:${e.linePos?.[0]?.line ?? lineOf(start)}: skipped a broken document: ${e.message.split('\n')[0]}`);
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error: unknown) {
      notes.push(`${label}:${lineOf(start)}: skipped a document that cannot be loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const line = lineOf(start) + (text.slice(start).match(/^(\s*(#[^\n]*)?\n)*/)?.[0].split('\n').length ?? 1) - 1;
    const push = (o: unknown, where: number) => {
      if (!isObject(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !isObject(o.metadata)) {
        notes.push(`${label}:${where}: skipped a document that is not a Kubernetes object (needs apiVersion, kind, metadata)`);
        return;
      }
      const obj = o as KubeObject;
      objects.push(obj);
      sources[`${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`] = { file: label, line: where };
    };
    if (isObject(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      // A typed list from the API (PodList, apps/v1 DeploymentList, …) leaves kind and
      // apiVersion off its items: they are the list's, minus "List". A plain `List` names them.
      const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
      const listApiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : undefined;
      for (const item of value.items) {
        push(itemKind && isObject(item) ? { ...item, apiVersion: item.apiVersion ?? listApiVersion, kind: item.kind ?? itemKind } : item, line);
      }
    } else {
      push(value, line);
    }
  }
  return { objects, notes, sources };
}

export function loadManifestObjects(dirs: string[], cwd = process.cwd()): ParsedManifests {
  const all: ParsedManifests = { objects: [], notes: [], sources: {} };
  for (const dir of dirs) {
    let files: string[];
    try {
      files = statSync(dir).isDirectory() ? listFiles(dir) : [dir];
    } catch {
      throw new InputError(`--manifests ${dir}: no such file or directory`);
    }
    for (const file of files) {
      const parsed = parseManifestText(readFileSync(file, 'utf8'), relative(cwd, file) || file);
      all.objects.push(...parsed.objects);
      all.notes.push(...parsed.notes);
      Object.assign(all.sources, parsed.sources);
    }
  }
  return all;
}

export function loadManifests(dirs: string[], options: { clusterName?: string; clusterVersion?: string; cwd?: string } = {}): Snapshot {
  const { objects, notes, sources } = loadManifestObjects(dirs, options.cwd);
  // Nothing to audit is not a clean audit: an empty or wrong directory must not score 100.
  if (objects.length === 0) throw new InputError(`--manifests ${dirs.join(' ')}: no Kubernetes objects found (YAML or JSON documents with apiVersion, kind and metadata)`);
  // Named by absolute, normalised path: the same manifests are the same cluster (and history)
  // whichever directory ztaudit was started from.
  const cwd = options.cwd ?? process.cwd();
  return snapshotFromObjects(objects, { ...options, clusterName: options.clusterName ?? dirs.map((d) => resolve(cwd, d)).join(','), notes, sources });
}
