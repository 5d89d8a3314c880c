// Files are written whole: to `<name>.<pid>.tmp`, then renamed. A writer killed in between
// (kill -9, the OOM killer, a node drain) leaves its temp file behind; the next writer of the
// same directory removes such leftovers, so they never pile up next to the reports.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The temp name a writer in this process uses for `path`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** A writer that is still running may be writing it; past this age it is abandoned anyway. */
const ALIVE_WRITER_GRACE_MS = 60 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `<name>.<pid>.tmp` in `dir` for the given file names, when the writer is gone: a
 * pid that no longer runs, this very process (it is not writing them now: pids repeat across
 * container restarts), or any writer after an hour. Best effort: nothing here fails a run.
 */
export function removeStaleTemps(dir: string, names: readonly string[], now = Date.now()): string[] {
  const wanted = new Set(names);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const m = /^(.+)\.(\d+)\.tmp$/.exec(entry);
    if (!m || !wanted.has(m[1]!)) continue;
    const pid = Number(m[2]);
    const path = join(dir, entry);
    try {
      const stale = pid === process.pid || !alive(pid) || now - statSync(path).mtimeMs > ALIVE_WRITER_GRACE_MS;
      if (!stale) continue;
      unlinkSync(path);
      removed.push(entry);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
