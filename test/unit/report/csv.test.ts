import { describe, expect, it } from 'vitest';
import { csvCell, renderCsv } from '../../../src/report/csv.ts';
import { buildRun } from './fixtures.ts';

const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

describe('report.csv and `reach --matrix -o csv` cells', () => {
  // A spreadsheet shows a cell's text with the Unicode bidirectional algorithm (UAX #9): a raw
  // RIGHT-TO-LEFT OVERRIDE (U+202E) turns "invoice\u202etxt.exe" into "invoiceexe.txt" on screen.
  it('show a bidirectional override as its \\u202e escape, not reversing the name after it', () => {
    expect(csvCell('invoice\u202etxt.exe')).toBe('invoice\\u202etxt.exe');
    expect(csvCell('ns-a/\u2067web\u2069')).toBe('ns-a/\\u2067web\\u2069');
  });

  it('escape before the formula guard and the quoting: an escape is text, a would-be formula still gets its quote', () => {
    expect(csvCell('\u202e=HYPERLINK("x")')).toBe('"\\u202e=HYPERLINK(""x"")"');
    expect(csvCell('=1+1\u202e')).toBe("'=1+1\\u202e");
    expect(csvCell('a,\u200bb')).toBe('"a,\\u200bb"');
  });

  // ECMA-48 (5th ed., 5.3, 8.3.16): ESC opens a control sequence ("ESC [ 2 J" clears the
  // screen); `cat report.csv` or a log viewer would run it. A NUL truncates the cell in C tools.
  it('report.csv: ESC and NUL in a subject name are listed as \\u001b and \\u0000, never raw', () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.check === 'fake.rbac-wide-serviceaccount')!;
    f.resource = { ...f.resource, name: 'evil\u001b[2J\u0000x' };
    const csv = renderCsv(report);
    expect(csv).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(csv).toContain(`ServiceAccount ${f.resource.namespace}/evil\\u001b[2J\\u0000x (fake.rbac-wide-serviceaccount)`);
    expect(csvCell('\u001b]8;;https://evil.example\u0007')).toBe('\\u001b]8;;https://evil.example\\u0007');
  });

  it('report.csv: a finding on ServiceAccount "evil" + U+202E + "gpj.exe" is listed as evil\\u202egpj.exe, never raw', () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.check === 'fake.rbac-wide-serviceaccount')!;
    f.resource = { ...f.resource, name: 'evil\u202egpj.exe' };
    const csv = renderCsv(report);
    expect(csv).not.toMatch(BIDI);
    expect(csv).toContain(`ServiceAccount ${f.resource.namespace}/evil\\u202egpj.exe (fake.rbac-wide-serviceaccount)`);
  });
});
