// report.csv: the per-framework view as a table an auditor can load into a spreadsheet and
// map a checklist against — one row per mapped control. Cells that a spreadsheet would run as
// a formula (starting with = + - @ or a control character) are prefixed with a quote; control
// characters (ESC, NUL, DEL, C1; line breaks and tabs aside, which quoting keeps in their cell)
// and invisible ones from the cluster (bidirectional overrides, zero-width spaces) are shown as
// their \uXXXX escapes, as in every other report a person reads: `cat report.csv` runs no ESC sequence.
import { withoutControls } from '../base/plain-text.ts';
import { collectText, type TextWriter } from '../base/spool.ts';
import type { RunReport } from '../run/types.ts';
import { frameworksOf } from './view/frameworks.ts';

const HEADER = ['framework', 'control', 'family', 'status', 'checks', 'open_findings', 'waived_findings', 'findings', 'not_assessed'];

/** One CSV cell (RFC 4180), shared by report.csv and `reach --matrix -o csv`: control and invisible characters escaped, a would-be formula prefixed with a quote, then quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number): string {
  let s = withoutControls(String(value));
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * report.csv into `out`, a row at a time (at 500,000 pods the table is larger than the longest
 * string V8 can make). Every open finding of each control is listed (`; `-separated) — the
 * full export, not a sample. not_assessed names what the control's checks left out
 * (ControlRow.notAssessed, the HTML's "Not assessed: …"): what makes a pass "pass (partial scope)",
 * and listed on a failing row too; empty when they assessed everything.
 */
export function writeCsv(report: RunReport, out: TextWriter): void {
  out.text(`${HEADER.join(',')}\r\n`);
  for (const fw of frameworksOf(report, Number.MAX_SAFE_INTEGER)) {
    for (const g of fw.groups) {
      for (const c of g.controls) {
        out.text(`${[fw.name, c.id, g.name, c.statusLabel, c.checks.map((x) => `${x.id} (${x.status})`).join('; '), c.failing, c.waived, c.findings.join('; '), c.notAssessed.join('; ')].map(csvCell).join(',')}\r\n`);
      }
    }
  }
}

/** report.csv as one string, for small reports (the CLI writes it with writeCsv). */
export function renderCsv(report: RunReport): string {
  return collectText((out) => writeCsv(report, out));
}
