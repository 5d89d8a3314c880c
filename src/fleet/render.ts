// The fleet report's formats: fleet.json (the data, with grades and deltas), fleet.md (for a
// wiki page or a CI summary) and fleet.html (templates/fleet.hbs, self-contained, a CSP that
// forbids scripts; cluster data only ever through {{ }}).
import { join } from 'node:path';
import { makeDirectories } from '../base/directories.ts';
import { AREAS } from '../base/vocabulary.ts';
import { ConfigError, InputError } from '../base/errors.ts';
import { withoutControls } from '../base/plain-text.ts';
import { formatDate } from '../report/helpers.ts';
import { templateEnvironment } from '../report/html.ts';
import { mdEscape } from '../report/markdown.ts';
import { writeWhole } from '../report/render.ts';
import { regressionRunsOf, type FleetData } from '../run/fleet.ts';
import { buildFleetView, cellsOf, meanOverallText, noneReadText, regressedLeftOutText, unreadableLeftOutText, type FleetView } from './view.ts';

export const FLEET_FORMATS = ['html', 'json', 'md'] as const;
export type FleetFormat = (typeof FLEET_FORMATS)[number];
export const FLEET_FILES: Record<FleetFormat, string> = { html: 'fleet.html', json: 'fleet.json', md: 'fleet.md' };
export const FLEET_SCHEMA_VERSION = 1;

export function fleetJson(data: FleetData): unknown {
  const view = buildFleetView(data);
  return {
    fleetSchemaVersion: FLEET_SCHEMA_VERSION,
    store: data.store,
    generatedAt: data.generatedAt,
    sinceHours: data.sinceHours,
    /** `common` lists finding shapes on at least this many clusters. */
    minClusters: data.minClusters,
    clusters: data.clusters.map((c, i) => {
      const cells = cellsOf(c.latest);
      return {
        cluster: c.cluster, runs: c.runs, latest: c.latest, previous: c.previous, stale: view.grid[i].stale,
        // Its newest run could not be read: `latest` is the newest run that could, not the cluster's current state.
        ...(view.grid[i].unreadable ? { latestUnreadable: view.grid[i].unreadable } : {}),
        grade: { overall: cells.overall.grade, areas: Object.fromEntries(AREAS.map((a) => [a, cells.areas[a].grade])) },
        delta: { overall: cells.overall.delta, areas: Object.fromEntries(AREAS.map((a) => [a, cells.areas[a].delta])) },
        trend: c.trend,
        // The checks the latest run could not evaluate, with their findings from the run that last did.
        ...(c.carried ? { carried: c.carried } : {}),
      };
    }),
    worstPerArea: Object.fromEntries(AREAS.map((a, i) => [a, view.worst[i].rows.map((r) => ({ cluster: r.cluster, score: r.cell.score }))])),
    /** Clusters graded n/a, left out of the mean overall score and of worstPerArea. */
    leftOutAsNa: { overall: view.totals.meanLeftOut, areas: Object.fromEntries(AREAS.map((a, i) => [a, view.worst[i].leftOut])) },
    /** Clusters whose latest run could not be read (`unreadable`), left out of worstPerArea, the mean overall score, `regressions`, `common` and `waivers`: an older run's scores, regressions, findings and waivers are not their state now. */
    leftOutUnreadable: view.totals.unreadable,
    /** The newest REGRESSIONS_PER_CLUSTER regressions of each cluster in the window; `regressionRuns` counts every cluster's, listed or not. */
    regressions: data.regressions,
    regressionRuns: regressionRunsOf(data),
    /** Clusters whose latest run started more than staleAfterHours ago (as `clusters`): their regressions cannot show. */
    staleAfterHours: view.staleAfterHours,
    stale: [
      ...data.clusters.flatMap((c, i) => view.grid[i].stale ? [{ cluster: c.cluster, runId: view.grid[i].unreadable?.runId ?? c.latest.id, startedAt: view.grid[i].unreadable?.startedAt ?? c.latest.startedAt }] : []),
      ...(data.unreadable ?? []).filter((u, i) => u.shownBy === null && view.unreadable[i].stale).map((u) => ({ cluster: u.cluster, runId: u.runId, startedAt: u.startedAt })),
    ],
    /** Clusters whose newest run could not be read: their state is unknown (one with `shownBy` null is in no other list). */
    unreadable: (data.unreadable ?? []).map((u, i) => ({ ...u, stale: view.unreadable[i].stale })),
    common: data.common,
    waivers: data.waivers,
  };
}

const worstLeftOutText = (n: number): string => (n ? ` (${n} cluster${n === 1 ? '' : 's'} graded n/a left out)` : '');

export function fleetMarkdown(view: FleetView): string {
  const out: string[] = [];
  out.push(`# ztaudit fleet report: ${view.totals.clusters} clusters`, '');
  out.push(`Store ${mdEscape(view.store)}, generated ${view.generatedAt}. Mean overall score ${meanOverallText(view.totals)}; ${view.totals.regressed} cluster(s) regressed in the last ${view.sinceHours} h${regressedLeftOutText(view.totals)}; ${view.totals.stale} without a run in the last ${view.staleAfterHours} h (stale)${view.totals.unreadable ? `; ${view.totals.unreadable} whose latest run could not be read (state unknown)` : ''}.`, '');
  out.push('## Scores', '', `| Cluster | Overall | ${view.areaTitles.join(' | ')} |`, `|---|---|${view.areaTitles.map(() => '---').join('|')}|`);
  const cell = (c: FleetView['grid'][number]['overall']) => `${c.text} ${c.grade}${c.deltaText ? ` (${c.deltaText})` : ''}`;
  for (const g of view.grid) out.push(`| ${mdEscape(g.cluster)}${g.regression ? ' **regression**' : ''}${g.partial ? ' (partial)' : ''}${g.stale ? ` (stale: last run ${formatDate(g.unreadable?.startedAt ?? g.startedAt)})` : ''}${g.unreadable ? ` (latest run ${mdEscape(g.unreadable.runId)} could not be read: older run ${mdEscape(g.runId)} shown)` : ''} | ${cell(g.overall)} | ${g.areas.map(cell).join(' | ')} |`);
  if (view.unreadable.length > 0) {
    out.push('', '## Latest run could not be read', '', "These clusters' newest stored run cannot be read: their state now is unknown. An older run that shows one is left out of the mean, the grade counts, the regressions, the worst per area, the findings on many clusters and the expiring waivers.", '');
    // As UnreadableRow.text says it, each stored value (run ids, the start time) escaped.
    for (const u of view.unreadable) {
      out.push(`- **${mdEscape(u.cluster)}**${u.stale ? ' (stale)' : ''}: latest run ${mdEscape(u.runId)}${u.startedAt ? `, started ${mdEscape(u.startedAt)},` : ''} could not be read: the cluster's state is unknown; ${u.shownBy ? `shown by the older run ${mdEscape(u.shownBy)}, not current` : noneReadText(u)}`);
    }
  }
  out.push('', `## Regressions in the last ${view.sinceHours} hours`, '');
  if (view.totals.unreadable) out.push(`${unreadableLeftOutText(view.totals)}.`, '');
  if (view.regressions.length === 0) out.push(view.totals.unreadable ? 'None on any cluster whose latest run could be read.' : 'None.');
  for (const r of view.regressions) out.push(`- **${mdEscape(r.cluster)}** ${mdEscape(r.runId)}: ${r.reasons.map(mdEscape).join('; ')}${r.more ? `; and ${r.more} more` : ''}`);
  for (const c of view.regressionsCut) out.push(`- **${mdEscape(c.cluster)}**: ${c.text}`);
  out.push('', '## Worst clusters per area', '');
  if (view.totals.unreadable) out.push(`${unreadableLeftOutText(view.totals)}.`, '');
  for (const w of view.worst) out.push(`- ${w.area}: ${w.rows.length ? w.rows.map((r) => `${mdEscape(r.cluster)} ${r.cell.text}`).join(', ') : w.leftOut ? 'no cluster with a grade' : view.totals.unreadable ? 'not evaluated on any cluster whose latest run could be read' : 'not evaluated'}${worstLeftOutText(w.leftOut)}`);
  out.push('', '## Findings on many clusters', '');
  if (view.totals.unreadable) out.push(`${unreadableLeftOutText(view.totals)}.`, '');
  if (view.common.length === 0) out.push(view.noCommonText);
  // As fleet.html: which clusters, those whose findings are carried from an older run marked.
  else out.push('| Clusters | Severity | Check | Resource | On clusters |', '|---|---|---|---|---|', ...view.common.map((c) => `| ${c.clusters}${c.carriedText ? ` (${c.carriedText})` : ''} | ${c.severity} | ${mdEscape(c.check)} | ${mdEscape(c.resource)} | ${mdEscape(c.clusterNames)} |`));
  out.push('', '## Expiring and expired waivers', '');
  if (view.totals.unreadable) out.push(`${unreadableLeftOutText(view.totals)}.`, '');
  if (view.waivers.length === 0) out.push(view.totals.unreadable ? 'None on any cluster whose latest run could be read.' : 'None.');
  for (const w of view.waivers) out.push(`- ${w.expires} ${w.state}: ${mdEscape(w.cluster)} ${mdEscape(w.check)} on ${mdEscape(w.resource)} (owner ${mdEscape(w.owner)})`);
  return `${out.join('\n')}\n`;
}

export function fleetHtml(view: FleetView): string {
  // As the run report does (src/report/html.ts): every control character but line breaks and
  // tabs comes from the data, and `cat fleet.html` must not run it (ESC, BEL, C1, bidi).
  return withoutControls(templateEnvironment().template('fleet')(view));
}

export function renderFleetFormat(data: FleetData, format: FleetFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(fleetJson(data), null, 2)}\n`;
    case 'md': return fleetMarkdown(buildFleetView(data));
    case 'html': return fleetHtml(buildFleetView(data));
  }
}

/** Writes each format whole (temp file + rename); returns the paths. */
export async function renderFleet(data: FleetData, opts: { formats: string[]; outDir: string }): Promise<string[]> {
  const unknown = opts.formats.filter((f) => !(FLEET_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new ConfigError(`--format ${unknown.join(',')}: the fleet report's formats are ${FLEET_FORMATS.join(', ')}`);
  const paths: string[] = [];
  let path = opts.outDir;
  try {
    makeDirectories(opts.outDir);
    for (const f of FLEET_FORMATS.filter((x) => opts.formats.includes(x))) {
      path = join(opts.outDir, FLEET_FILES[f]);
      await writeWhole(path, renderFleetFormat(data, f));
      paths.push(path);
    }
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    throw new InputError(`--out ${opts.outDir}: cannot write ${path} (${code})`);
  }
  return paths;
}
