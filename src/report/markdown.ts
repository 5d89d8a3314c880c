// A short Markdown summary (CI job summaries, pull-request comments): scores, what changed,
// the most severe open findings, what was not evaluated. Cluster names are escaped so they
// cannot inject Markdown or the HTML that Markdown renderers pass through.
import { withoutBidi } from '../base/plain-text.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { checkCoverage, gradeFor, notEvaluated, scoreText } from '../engine/score.ts';
import type { RunReport } from '../run/types.ts';
import { AREA_LABEL, firstEvaluatedNote, newFindingsOf, newlyWaivedRowsOf, resourceText } from './view/index.ts';
import { runCounts } from './counts.ts';
import { isBlind } from '../run/coverage.ts';

export function mdEscape(value: unknown): string {
  return withoutBidi(String(value))
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    // No @mentions and no autolinks when the summary is posted as a PR or issue comment.
    .replace(/@/g, '&#64;')
    .replace(/:\/\//g, ':&#47;&#47;')
    .replace(/(www)\./gi, '$1&#46;');
}

const score = (n: number | null) => (n === null ? 'n/a' : String(n));
const delta = (n: number | null | undefined) => (n === null || n === undefined ? '' : n > 0 ? ` (+${n})` : n < 0 ? ` (${n})` : ' (±0)');

export function renderMarkdown(report: RunReport, opts: { maxFindings?: number } = {}): string {
  const max = opts.maxFindings ?? 20;
  const d = report.diff;
  const lines: string[] = [];
  lines.push(`# ztaudit: ${mdEscape(report.run.cluster.name)}`, '');
  lines.push(`Run \`${report.run.id.replace(/`/g, '')}\` · ${report.run.startedAt} · source ${report.run.source} · Kubernetes ${mdEscape(report.run.cluster.version ?? 'unknown')}`, '');
  const watch = report.run.trigger === 'watch' ? report.run.watch : undefined;
  if (watch) {
    lines.push(`> **watch run** (serve --watch): ${watch.reevaluated.length} checks re-evaluated after ${watch.changeCount} change(s); the others are carried over from the previous audit.`);
    for (const c of watch.causes ?? []) lines.push(`> **likely cause:** ${mdEscape(c)}`);
    lines.push('');
  }
  for (const p of report.run.partial ?? []) lines.push(`> **partial:** ${mdEscape(p)}`);
  if (report.run.partial?.length) lines.push('');
  const all = checkCoverage(report.checks);
  lines.push(`**Overall score: ${score(report.score.overall)}** (grade ${gradeFor(report.score.overall, all)}${notEvaluated(all) ? `, ${all.evaluated}/${all.applicable} checks evaluated` : ''})${delta(d?.scoreDelta.overall)}`, '');
  lines.push('| Area | Score | Grade | Change |', '|---|---:|:---:|---:|');
  for (const a of AREAS) {
    const cov = checkCoverage(report.checks, a);
    lines.push(`| ${AREA_LABEL[a]} | ${scoreText(report.score.areas[a], cov)} | ${gradeFor(report.score.areas[a], cov)} | ${delta(d?.scoreDelta.areas[a]).trim().replace(/[()]/g, '') || '–'} |`);
  }
  lines.push('');
  const open = report.findings.filter((f) => !f.waived);
  const c = runCounts(report);
  lines.push(`**${c.open} open findings** (${SEVERITIES.map((s) => `${c.bySeverity[s]} ${s}`).join(', ')}), ${c.waived} waived.`, '');
  lines.push(`Checks: ${c.failingChecks} of ${c.checks} failing, ${c.notEvaluated} not evaluated, ${c.notApplicable} not applicable.`, '');
  if (d) {
    lines.push('## Changes since last run', '');
    lines.push(d.regression ? `**Regression**: ${d.regressionReasons.map(mdEscape).join('; ')}` : 'No regression.', '');
    for (const u of d.undelivered ?? []) lines.push(`**Not delivered after run \`${u.runId.replace(/`/g, '')}\`:** ${u.reasons.map(mdEscape).join('; ')}`, '');
    const first = firstEvaluatedNote(report);
    if (first) lines.push(mdEscape(first), '');
    lines.push(`${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting} persisting (previous run \`${d.previousRunId.replace(/`/g, '')}\`).`, '');
    const fresh = newFindingsOf(report).slice(0, max);
    if (fresh.length > 0) {
      lines.push('| Severity | Check | Resource | Message |', '|---|---|---|---|');
      for (const f of fresh) lines.push(`| ${f.severity} | \`${f.check}\` | ${mdEscape(resourceText(f.resource))} | ${mdEscape(f.message)} |`);
      if (d.new.length > fresh.length) lines.push('', `…and ${d.new.length - fresh.length} more in report.json.`);
      lines.push('');
    }
    const waived = newlyWaivedRowsOf(report);
    if (waived.length > 0) {
      lines.push(`**New findings a waiver covers** (${waived.length}, not scored):`, '');
      for (const w of waived.slice(0, max)) lines.push(`- \`${w.check}\` on ${mdEscape(w.resource)}: waiver on ${mdEscape(w.waiver)} ${w.throughRelated ? '**covers it only through related objects**' : 'names it'}`);
      if (waived.length > max) lines.push('', `…and ${waived.length - max} more in report.json.`);
      lines.push('');
    }
  }
  lines.push('## Top open findings', '');
  if (open.length === 0) lines.push('None.', '');
  else {
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    const top = [...open].sort((a, b) => rank(a.severity) - rank(b.severity)).slice(0, max);
    lines.push('| Severity | Check | Resource | Message |', '|---|---|---|---|');
    for (const f of top) lines.push(`| ${f.severity} | \`${f.check}\` | ${mdEscape(resourceText(f.resource))} | ${mdEscape(f.message)} |`);
    if (open.length > top.length) lines.push('', `…and ${open.length - top.length} more in report.json.`);
    lines.push('');
  }
  const gaps = report.checks.filter((c) => isBlind(c.status));
  if (gaps.length > 0) {
    lines.push('## Not evaluated', '');
    for (const c of gaps) lines.push(`- \`${c.id}\` (${c.status}): ${mdEscape(c.reason ?? '')}`);
    lines.push('');
  }
  // Bidirectional controls from text not passed through mdEscape (a run id) are escaped too.
  return withoutBidi(lines.join('\n'));
}
