// `mkdir -p` for the directories users name (--out, the history file's directory).
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * Makes `dir` and its missing parents, one level at a time from the top. Not Node's
 * `mkdir(dir, { recursive: true })`: where a directory exists but answers ENOENT for any new
 * child (procfs, sysfs: `--out /proc/x`), Node's takes that for a missing parent and retries
 * forever, at full CPU and deaf to SIGTERM (the mkdir never returns to the event loop). Here the
 * ENOENT is an error like any other. A `dir` that exists and is not a directory is EEXIST, as
 * with Node's.
 */
export function makeDirectories(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let at = target; ; at = dirname(at)) {
    try {
      const stat = statSync(at);
      if (at === target && !stat.isDirectory()) throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST', path: dir });
      break;
    } catch (error: unknown) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error: unknown) {
      // Made meanwhile by another process (two runs sharing --out): fine if it is a directory.
      if (codeOf(error) !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}
