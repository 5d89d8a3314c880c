// The per-area score table printed at the end of a run. An area with checks that could not
// be evaluated shows no grade, and says how many of its checks were evaluated; a partial run
// says what could not be read, above the table.
import { oneLine } from '../base/plain-text.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { carriedText, runCounts } from '../report/counts.ts';
import { notDiffedNote, olderBaselinesNote, scoreAgainstVerdict } from '../report/view/index.ts';
import { checkCoverage, gradeFor, notEvaluated, partialScoreNote } from '../engine/score.ts';
import type { RunReport } from '../run/types.ts';
import type { CliIO } from './io.ts';

const MAX_PARTIAL_LINES = 10;
const NAMESPACES_SHOWN = 5;

/**
 * Per area, the namespaces its evaluated checks could not judge (their `unjudgedNamespaces`: a
 * Namespace object not in the input), one line each: a grade over the other namespaces alone
 * reads as a clean bill otherwise. report.json checks[].excluded says what each check left out.
 */
function unjudgedLines(report: RunReport): string[] {
  const out: string[] = [];
  for (const area of AREAS) {
    const checks = report.checks.filter((c) => c.area === area && (c.unjudgedNamespaces?.length ?? 0) > 0);
    if (checks.length === 0) continue;
    const names = [...new Set(checks.flatMap((c) => c.unjudgedNamespaces!))].sort();
    const shown = names.slice(0, NAMESPACES_SHOWN).join(', ') + (names.length > NAMESPACES_SHOWN ? ` and ${names.length - NAMESPACES_SHOWN} more` : '');
    out.push(oneLine(`${area}: ${checks.length} check(s) could not judge namespace(s) ${shown} (their Namespace objects are not in the input; report.json checks[].excluded)`));
  }
  return out;
}

export function printScoreTable(report: RunReport, io: CliIO): void {
  const fmt = (n: number | null) => (n === null ? '  n/a' : n.toFixed(1).padStart(5));
  const delta = (d: number | null | undefined) => (d === null || d === undefined ? '' : ` (${d >= 0 ? '+' : ''}${d.toFixed(1)})`);
  const lines = [`\nztaudit ${oneLine(report.run.cluster.name)} — run ${oneLine(report.run.id)}`];
  const partial = report.run.partial ?? [];
  for (const p of partial.slice(0, MAX_PARTIAL_LINES)) lines.push(`partial: ${oneLine(p)}`);
  if (partial.length > MAX_PARTIAL_LINES) lines.push(`partial: …and ${partial.length - MAX_PARTIAL_LINES} more (report.json run.partial)`);
  lines.push(`${'area'.padEnd(14)} score  grade  failing checks`);
  for (const area of AREAS) {
    const checks = report.checks.filter((c) => c.area === area);
    const failing = checks.filter((c) => c.status === 'fail').length;
    const cov = checkCoverage(report.checks, area);
    const missing = notEvaluated(cov);
    lines.push(`${area.padEnd(14)} ${fmt(report.score.areas[area])}  ${gradeFor(report.score.areas[area], cov).padEnd(5)}  ${failing}/${checks.length}${missing ? `, ${missing} not evaluated (score over ${cov.evaluated}/${cov.applicable} checks)` : ''}${delta(report.diff?.scoreDelta.areas[area])}`);
  }
  const all = checkCoverage(report.checks);
  // A partial run's overall is over what could be read: said beside it, so the number never
  // reads as an improvement on a complete run's.
  const partialNote = partialScoreNote(report.score, report.checks);
  lines.push(`${'overall'.padEnd(14)} ${fmt(report.score.overall)}  ${gradeFor(report.score.overall, all).padEnd(5)}  ${report.findings.filter((f) => !f.waived).length} findings${delta(report.diff?.scoreDelta.overall)}${partialNote ? ` (${partialNote})` : ''}`);
  const c = runCounts(report);
  const carried = carriedText(c);
  lines.push(`open findings ${c.open}${carried ? ` (${carried})` : ''}: ${SEVERITIES.map((s) => `${c.bySeverity[s]} ${s}`).join(', ')}; ${c.waived} waived; checks ${c.failingChecks}/${c.checks} failing, ${c.notEvaluated} not evaluated, ${c.notApplicable} not applicable`);
  for (const line of unjudgedLines(report)) lines.push(line);
  const notDiffed = notDiffedNote(report);
  if (notDiffed) lines.push(notDiffed);
  if (report.diff) lines.push(`since ${report.diff.previousRunId}: ${report.diff.new.length} new, ${report.diff.resolved.length} resolved${report.diff.regression ? ' — REGRESSION' : ''}${report.diff.partial ? ' (partial comparison)' : ''}`);
  const older = olderBaselinesNote(report.diff);
  if (older) lines.push(oneLine(older));
  // A score that rose in a regression (or fell in none), with what moved it.
  const against = scoreAgainstVerdict(report.diff);
  if (against) lines.push(oneLine(against.text));
  if (report.diff?.breadthNotCompared) lines.push(oneLine(report.diff.breadthNotCompared));
  io.stdout(`${lines.join('\n')}\n`);
}
