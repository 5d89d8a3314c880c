// report.md keeps within GitHub's limit on a comment (65,536 characters) by leaving rows out from
// the end of a table, counted on its last line. A single row long with text from the cluster (a
// waiver's reason, a message) must not take the rest of its table, or the whole of it, along.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import type { Finding } from '../../../src/run/types.ts';
import { buildRun } from './fixtures.ts';

const rowsOf = (md: string) => md.split('\n').filter((l) => /^\| (critical|high|medium|low) \|/.test(l));

describe('report.md with long text on one row', () => {
  it('waivers with 2,000-character reasons folded under one finding leave every open finding listed; the row clips them and points to report.json', () => {
    const { report } = buildRun();
    const open = report.findings.filter((f) => !f.waived);
    const cause = open[0]!;
    // `$` is escaped to 14 bytes (<span>$</span>): nine such reasons are ~250 KB of Markdown.
    const waived = Array.from({ length: 9 }, (_, i): Finding => ({
      ...cause, fingerprint: `waived${i}`, check: `rbac.folded-${i}`, waived: true, impliedBy: cause.fingerprint,
      waiver: { reason: '$'.repeat(2_000), owner: `owner-${i}@x.example`, expires: '2027-03-31' },
    } as Finding));
    report.findings.push(...waived);
    const md = renderMarkdown(report);
    expect(md).not.toContain('Cut to fit');
    const rows = rowsOf(md);
    for (const f of open.slice(0, 20)) expect(rows.some((r) => r.includes(`\`${f.check}\``)), f.check).toBe(true);
    const row = rows.find((r) => r.includes('Also follows from this, waived (9, not counted as open)'))!;
    expect(row).toContain('`rbac.folded-0` (' + '<span>$</span>'.repeat(80) + '… — owner-0&#64;x.example, until 2027-03-31)');
    expect(row).toContain('; …and 4 more in report.json (full text in report.json) |');
    expect(Buffer.byteLength(row)).toBeLessThan(8_000);
  });

  it('a row too long for what is left is placed cut short, and the rows after it are still listed', () => {
    const { report } = buildRun();
    report.findings = report.findings.filter((f) => f.waived);
    const base: Finding = { ...buildRun().report.findings.find((f) => !f.waived)!, severity: 'critical' };
    // Three messages of 2,000 `$` (28 KB each escaped): the third does not fit whole after two.
    const long = [0, 1, 2].map((i): Finding => ({ ...base, fingerprint: `long${i}`, check: `fake.long-${i}`, message: `#${i}# ${'$'.repeat(2_000)}` }));
    const small = [0, 1, 2, 3].map((i): Finding => ({ ...base, fingerprint: `small${i}`, check: `fake.small-${i}`, severity: 'low', message: `small ${i}` }));
    report.findings.push(...long, ...small);
    const md = renderMarkdown(report);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(65_536);
    const rows = rowsOf(md);
    for (const f of [...long, ...small]) expect(rows.filter((r) => r.includes(`\`${f.check}\``)), f.check).toHaveLength(1);
    const third = rows.find((r) => r.includes('`fake.long-2`'))!;
    expect(third).toContain('(cut short: full text in report.json) |');
    expect(third.split('<span>$</span>').length - 1).toBe(200 - 4);
    expect(md).toContain(`**Cut to fit GitHub's limit on a comment (65,536 characters):** 0 of ${report.findings.filter((f) => !f.waived).length} open findings are not listed here`);
  });
});
