// The per-area score table printed at the end of a run.
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { runCounts } from '../report/counts.ts';
import { gradeOf } from '../engine/score.ts';
import type { RunReport } from '../run/types.ts';
import type { CliIO } from './io.ts';

export function printScoreTable(report: RunReport, io: CliIO): void {
  const fmt = (n: number | null) => (n === null ? '  n/a' : n.toFixed(1).padStart(5));
  const delta = (d: number | null | undefined) => (d === null || d === undefined ? '' : ` (${d >= 0 ? '+' : ''}${d.toFixed(1)})`);
  const lines = [`\nztaudit ${report.run.cluster.name} — run ${report.run.id}`, `${'area'.padEnd(14)} score  grade  failing checks`];
  for (const area of AREAS) {
    const checks = report.checks.filter((c) => c.area === area);
    const failing = checks.filter((c) => c.status === 'fail').length;
    const unevaluated = checks.filter((c) => c.status === 'not-evaluated' || c.status === 'error').length;
    lines.push(`${area.padEnd(14)} ${fmt(report.score.areas[area])}  ${gradeOf(report.score.areas[area]).padEnd(5)}  ${failing}/${checks.length}${unevaluated ? `, ${unevaluated} not evaluated` : ''}${delta(report.diff?.scoreDelta.areas[area])}`);
  }
  lines.push(`${'overall'.padEnd(14)} ${fmt(report.score.overall)}  ${gradeOf(report.score.overall).padEnd(5)}  ${report.findings.filter((f) => !f.waived).length} findings${delta(report.diff?.scoreDelta.overall)}`);
  const c = runCounts(report);
  lines.push(`open findings ${c.open}: ${SEVERITIES.map((s) => `${c.bySeverity[s]} ${s}`).join(', ')}; ${c.waived} waived; checks ${c.failingChecks}/${c.checks} failing, ${c.notEvaluated} not evaluated, ${c.notApplicable} not applicable`);
  if (report.diff) lines.push(`since ${report.diff.previousRunId}: ${report.diff.new.length} new, ${report.diff.resolved.length} resolved${report.diff.regression ? ' — REGRESSION' : ''}${report.diff.partial ? ' (partial comparison)' : ''}`);
  io.stdout(`${lines.join('\n')}\n`);
}
