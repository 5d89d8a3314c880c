// serve's list of stored runs: /runs (HTML, templates/run-list.hbs: a CSP that forbids
// scripts, cluster data only ever through {{ }}) and /runs.json, one page at a time, newest
// first. The page is read from the store by the caller; this file only shapes and prints it.
import { withoutControls } from '../base/plain-text.ts';
import { isRunId } from '../run/run-id.ts';
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import type { RunSummary } from '../run/types.ts';
import { templateEnvironment } from './html.ts';

/** A listed run whose stored summary cannot be read, in its place, with what the store keeps of it apart from the summary. */
export interface UnreadableListedRun {
  unreadable: string;
  /** The store's one-line reason. */
  reason: string;
  startedAt?: string;
  cluster?: string;
}

/**
 * A listed run; a partial one with the open findings it carries for the checks it could not
 * evaluate, by severity (carriedOpenBySeverity, as `ztaudit history` and /metrics count them).
 */
export type ListedRunSummary = RunSummary & { carried?: Record<Severity, number> };

export interface RunListPage {
  /** Runs per page; a page holds at most this many. */
  pageSize: number;
  /** The run this page lists the runs stored before (the `before` asked for); null: the newest runs. */
  before: string | null;
  /** Newest first, by insertion. Summaries as withPartial reads them. */
  runs: Array<ListedRunSummary | UnreadableListedRun>;
  /** The id to ask `before` for the next older page; null when this page holds the oldest run. */
  next: string | null;
}

/** Where a run's page is: /runs/ID for an id serve answers, else none (a hand-edited store's id is shown, never linked). */
const runPath = (id: string): string | null => (isRunId(id) ? `/runs/${id}` : null);
const pagePath = (base: string, before: string | null): string | null => (before === null ? null : `${base}?before=${encodeURIComponent(before)}`);
const triggerOf = (run: RunSummary): 'watch' | 'scheduled' => (run.trigger === 'watch' ? 'watch' : 'scheduled');
const findingsOf = (run: RunSummary): number => Object.values(run.findings).reduce((a, b) => a + b, 0);
const carriedOf = (run: ListedRunSummary): number => (run.carried ? SEVERITIES.reduce((n, s) => n + run.carried![s], 0) : 0);

/** /runs.json: the page as data. `next` is the URL of the next older page. */
export function runListJson(page: RunListPage): unknown {
  return {
    pageSize: page.pageSize,
    before: page.before,
    next: pagePath('/runs.json', page.next),
    runs: page.runs.map((r) => ('unreadable' in r
      ? { id: r.unreadable, url: runPath(r.unreadable), unreadable: r.reason, ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}), ...(r.cluster !== undefined ? { cluster: r.cluster } : {}) }
      : {
        id: r.id, url: runPath(r.id), startedAt: r.startedAt, cluster: r.cluster, trigger: triggerOf(r), partial: r.partial === true,
        score: r.score, findings: { ...r.findings, total: findingsOf(r) },
        // A partial run's open findings of the checks it could not evaluate, as its last evaluation had them.
        ...(carriedOf(r) > 0 ? { carried: { ...r.carried!, total: carriedOf(r) } } : {}),
        waived: r.waived, regression: r.regression,
      })),
  };
}

interface RunListRowView {
  id: string;
  href: string | null;
  startedAt: string;
  cluster: string;
  trigger: string;
  coverage: 'complete' | 'partial' | '';
  overall: string;
  findings: string;
  change: string;
  changeClass: string;
  unreadable: string | null;
}

export interface RunListView {
  title: string;
  pageSize: number;
  runs: RunListRowView[];
  /** Links to the newest page (when this is not it) and the next older one. */
  newest: string | null;
  older: string | null;
}

export function buildRunListView(page: RunListPage): RunListView {
  const runs = page.runs.map((r): RunListRowView => {
    if ('unreadable' in r) {
      return { id: r.unreadable, href: runPath(r.unreadable), startedAt: r.startedAt ?? '', cluster: r.cluster ?? '', trigger: '', coverage: '', overall: '', findings: '', change: 'unreadable', changeClass: 'regression', unreadable: r.reason };
    }
    const change = r.regression === null ? (r.notDiffed ? 'not diffed' : 'first run') : r.regression ? 'regression' : 'no regression';
    return {
      id: r.id, href: runPath(r.id), startedAt: r.startedAt, cluster: r.cluster, trigger: triggerOf(r), coverage: r.partial ? 'partial' : 'complete',
      overall: r.score.overall === null ? 'n/a' : r.score.overall.toFixed(1), findings: `${findingsOf(r).toLocaleString('en-US')}${carriedOf(r) > 0 ? ` (+${carriedOf(r).toLocaleString('en-US')})` : ''}`,
      change, changeClass: r.regression === true ? 'regression' : '', unreadable: null,
    };
  });
  return { title: 'ztaudit · stored runs', pageSize: page.pageSize, runs, newest: page.before === null ? null : '/runs', older: pagePath('/runs', page.next) };
}

export function runListHtml(page: RunListPage): string {
  // As the run report does (src/report/html.ts): a control character in a cluster name or id is
  // escaped, so `curl /runs` on a terminal does not run it either.
  return withoutControls(templateEnvironment().template('run-list')(buildRunListView(page)));
}

/** The run report's section links (templates/report.hbs); no cluster text can spell it, escaped as it is. */
const REPORT_NAV = '<nav class="toc" aria-label="Sections">';

/**
 * A run report's page as serve answers it (/, /runs/ID): its section links end with one to
 * /runs. The report.html written to disk has none: no server stands behind a file.
 */
export function withRunListLink(html: string): string {
  const at = html.indexOf(REPORT_NAV);
  const end = at < 0 ? -1 : html.indexOf('</nav>', at);
  return end < 0 ? html : `${html.slice(0, end)}<a href="/runs">All stored runs</a>${html.slice(end)}`;
}
