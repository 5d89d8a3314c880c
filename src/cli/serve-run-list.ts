// serve's /runs and /runs.json: a page of the stored runs, read from the daemon's store with
// RunStore.list (one bounded query: a store of 10,000 runs is never read whole).
import { oneLine } from '../base/plain-text.ts';
import { addCarriedCounts } from './history.ts';
import { withPartial, type RunStore } from '../history/run-store.ts';
import type { RunSummary } from '../run/types.ts';
import { runListHtml, runListJson, type ListedRunSummary, type RunListPage, type UnreadableListedRun } from '../report/run-list.ts';
import { isRunId } from '../run/run-id.ts';
import { scoreMemoryOf, type ScoreMemory } from '../run/carried-scores.ts';
import type { Area } from '../base/vocabulary.ts';

export const RUN_LIST_PAGE_SIZE = 50;

/**
 * The page of runs stored before run `before` (the newest runs without it); null when no run
 * `before` is stored (retention or `history forget` removed it since the page linking to it).
 * A run whose summary cannot be read is listed in its place as unreadable, as `ztaudit history` lists it.
 */
export async function readRunListPage(store: RunStore, before: string | undefined, pageSize = RUN_LIST_PAGE_SIZE): Promise<RunListPage | null> {
  const unreadable: Array<{ row: UnreadableListedRun; place: number }> = [];
  // One more than a page: whether an older page exists, without counting the store.
  const summaries = await store.list(pageSize + 1, (error, place) => {
    unreadable.push({ row: { unreadable: error.runId, reason: oneLine(error.message), ...(error.startedAt !== undefined ? { startedAt: error.startedAt } : {}), ...(error.cluster !== undefined ? { cluster: error.cluster } : {}) }, place });
  }, before);
  const listed: ListedRunSummary[] = summaries.map(withPartial);
  // A partial run's counts state beside its own the open findings it carries, as `ztaudit history`
  // lists them (one whose report cannot be read is listed with its own counts).
  await addCarriedCounts(store, listed);
  const rows: Array<ListedRunSummary | UnreadableListedRun> = listed;
  for (const { row, place } of unreadable) rows.splice(place, 0, row);
  if (rows.length === 0 && before !== undefined && !(await store.has(before))) return null;
  const runs = rows.slice(0, pageSize);
  // The next page starts after the last run shown that a later list() can find by its id.
  const ids = runs.map((r) => ('unreadable' in r ? r.unreadable : r.id)).filter(isRunId);
  const next = rows.length > pageSize ? ids[ids.length - 1] ?? null : null;
  return { pageSize, before: before ?? null, runs, next };
}

/** What the daemon answers for /runs (html) or /runs.json; null when `before` names no stored run. */
export async function renderRunList(store: RunStore, format: 'html' | 'json', before: string | undefined): Promise<string | null> {
  const page = await readRunListPage(store, before);
  if (page === null) return null;
  return format === 'html' ? runListHtml(page) : `${JSON.stringify(runListJson(page), null, 2)}\n`;
}

/** Stored runs of its cluster serve reads at start for the scores they carry (scoreMemoryOf). */
const STORED_SCORE_RUNS = 50;
/** At most this many stored summaries are listed looking for them (a store shared by a fleet). */
const STORED_SCORE_SCAN = 2000;

/**
 * The area scores and complete overall of `cluster`'s newest stored runs, for /metrics to carry
 * from at start; empty when the cluster's name is not known before its first run (it would mix
 * another cluster's scores in).
 */
export async function readStoredScores(store: RunStore, cluster: string | undefined, areaOf: (check: string) => Area | undefined): Promise<ScoreMemory> {
  if (!cluster) return { areas: {}, complete: null };
  // The store lists every cluster's runs, newest first: page on past the other clusters' runs
  // (summaries only) until this cluster's newest are read, within a bound.
  const mine: RunSummary[] = [];
  let before: string | undefined;
  for (let scanned = 0; mine.length < STORED_SCORE_RUNS && scanned < STORED_SCORE_SCAN;) {
    const page = await store.list(STORED_SCORE_RUNS, () => {}, before);
    scanned += STORED_SCORE_RUNS;
    for (const s of page) if (s.cluster === cluster && mine.length < STORED_SCORE_RUNS) mine.push(s);
    const last = page[page.length - 1];
    if (page.length < STORED_SCORE_RUNS || !last || last.id === before) break;
    before = last.id;
  }
  return scoreMemoryOf(mine.map(withPartial).reverse(), areaOf);
}
