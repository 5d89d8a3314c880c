// How far V8 lets the heap grow past what its last full collection left live before it
// collects again — Node's counterpart of Go's GOGC. V8's own choice (a factor of up to 4 for
// a heap that collects quickly) is made for browsers; for an audit of a 150,000-pod cluster it
// means a live peak of ~430 MiB costs 1.6-1.8 GiB of resident memory, more than the chart's
// default limit. ztaudit sets 40 % instead: ~1 GiB for that run at ~10 % more CPU
// (docs/performance.md). ZTAUDIT_HEAP_GROWTH_PERCENT changes it; 0 gives V8's own choice back.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const HEAP_GROWTH_ENV = 'ZTAUDIT_HEAP_GROWTH_PERCENT';
export const DEFAULT_HEAP_GROWTH_PERCENT = 40;
const MAX_PERCENT = 1000;

/** The growth the environment asks for, or the one line that says why it cannot be used. */
export function heapGrowthPercent(env: Readonly<Record<string, string | undefined>>): { percent: number } | { error: string } {
  const raw = env[HEAP_GROWTH_ENV];
  if (raw === undefined || raw.trim() === '') return { percent: DEFAULT_HEAP_GROWTH_PERCENT };
  const text = raw.trim();
  if (!/^\d{1,4}$/.test(text) || Number(text) > MAX_PERCENT) {
    return { error: `${HEAP_GROWTH_ENV}=${JSON.stringify(raw)}: must be a whole number of percent from 0 (V8's own choice) to ${MAX_PERCENT}` };
  }
  return { percent: Number(text) };
}

/** Applies a growth to this process's V8 (it takes effect at the next collection). */
export function setHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Below this resident size, releaseFreedHeap does nothing: a small run has few pages to give back. */
export const RELEASE_HEAP_BYTES = 256 << 20;

let lastResortGc: ((options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void) | null = null;

/**
 * Returns to the system the heap pages V8 keeps for reuse once the objects on them are freed,
 * when the process is large (at least `minRssBytes` resident: V8's own heap size leaves the pool
 * out). A full collection frees a dead snapshot's
 * pages into V8's page pool ("pooled: … MB" in --trace-gc), which stays resident: at 150,000
 * pods, after the audit, 186-389 MiB of it, under everything a run allocates outside V8's heap
 * afterwards (the previous run read back, the stored run's gzip, SQLite's copy of it). Only a
 * "last-resort" collection (V8's gc() option `flavor`, src/extensions/gc-extension.h; at L it
 * made two memory-reducing full collections in --trace-gc, "pooled: 0 MB" after them) gave that
 * memory back, in 814 ms of CPU at load 11-13; gc() alone kept it pooled (docs/performance.md).
 * Returns whether it collected.
 */
export function releaseFreedHeap(minRssBytes = RELEASE_HEAP_BYTES): boolean {
  if (process.memoryUsage.rss() < minRssBytes) return false;
  if (!lastResortGc) {
    // V8 exposes gc() only to contexts created after --expose-gc is set.
    setFlagsFromString('--expose-gc');
    lastResortGc = runInNewContext('gc') as typeof lastResortGc;
  }
  lastResortGc!({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return true;
}
