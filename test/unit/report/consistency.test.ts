// One run rendered in every format states the same numbers: open findings per severity,
// waived, new and resolved, checks not evaluated and not applicable — terminal table, HTML,
// report.json, Markdown, Slack blocks and email. Also: a finding implied by a broader one is
// folded under it in HTML, Slack and email, yet still listed in report.json and diffed.
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/base/vocabulary.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderCsv, csvCell } from '../../../src/report/csv.ts';
import { renderFormat } from '../../../src/report/render.ts';
import { buildView } from '../../../src/report/view/index.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { demoRun } from './demo.ts';

/** The numbers as report.json states them, counted here from its raw arrays. */
function expected(report: RunReport) {
  const open = report.findings.filter((f) => !f.waived);
  const status = (s: string[]) => report.checks.filter((c) => s.includes(c.status)).length;
  return {
    open: open.length,
    waived: report.findings.length - open.length,
    sev: Object.fromEntries(SEVERITIES.map((s) => [s, open.filter((f) => f.severity === s).length])),
    notEvaluated: status(['not-evaluated', 'error']),
    notApplicable: status(['not-applicable']),
    newCount: report.diff!.new.length,
    resolved: report.diff!.resolved.length,
  };
}

const num = (text: string, re: RegExp) => { const m = re.exec(text); if (!m) throw new Error(`no match for ${re} in:\n${text.slice(0, 2000)}`); return Number(m[1].replace(/,/g, '')); };
/** "N critical, N high, N medium, N low" after `lead`, as each format writes its counts line. */
function sevAfter(text: string, lead: RegExp): Record<string, number> {
  const m = new RegExp(`${lead.source}\\(?(\\d+) critical, (\\d+) high, (\\d+) medium, (\\d+) low`).exec(text);
  if (!m) throw new Error(`no severity counts after ${lead} in:\n${text.slice(0, 2000)}`);
  return { critical: Number(m[1]), high: Number(m[2]), medium: Number(m[3]), low: Number(m[4]) };
}
const stripTags = (html: string) => html.replace(/<wbr>/g, '').replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ').replace(/\s+/g, ' ');

describe('every format states the same counts', () => {
  const { report, previous } = demoRun();
  const e = expected(report);

  it('has a run worth comparing: findings of every kind, checks not applicable, new findings', () => {
    expect(e.open).toBeGreaterThan(20);
    expect(e.waived).toBeGreaterThan(0);
    expect(e.notApplicable).toBeGreaterThan(0);
    expect(e.newCount).toBeGreaterThan(0);
  });

  it('terminal table', () => {
    let out = '';
    printScoreTable(report, { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' });
    expect(num(out, /open findings (\d+):/)).toBe(e.open);
    expect(sevAfter(out, /open findings \d+: /)).toEqual(e.sev);
    expect(num(out, /(\d+) waived/)).toBe(e.waived);
    expect(num(out, /(\d+) not evaluated/)).toBe(e.notEvaluated);
    expect(num(out, /(\d+) not applicable/)).toBe(e.notApplicable);
    expect(num(out, /(\d+) new/)).toBe(e.newCount);
    expect(num(out, /(\d+) resolved/)).toBe(e.resolved);
  });

  it('HTML: summary, group headers and the coverage section agree', () => {
    const html = renderFormat(report, 'html', { previous });
    const stat = (key: string) => num(html, new RegExp(`data-count="${key}"><b>([\\d,]+)</b>`));
    expect(stat('open')).toBe(e.open);
    for (const s of SEVERITIES) expect(stat(s), s).toBe(e.sev[s]);
    expect(stat('waived')).toBe(e.waived);
    expect(stat('not-evaluated')).toBe(e.notEvaluated);
    expect(stat('not-applicable')).toBe(e.notApplicable);
    expect(num(html, /Checks not evaluated \((\d+)\)/)).toBe(e.notEvaluated);
    expect(num(html, /Checks not applicable \((\d+)\)/)).toBe(e.notApplicable);
    expect(num(html, /<b>([\d,]+)<\/b><span>new findings/)).toBe(e.newCount);
    expect(num(html, /<b>([\d,]+)<\/b><span>resolved findings/)).toBe(e.resolved);
    // The per-severity counts on the group headers (folded groups included) add up to the summary.
    for (const s of SEVERITIES) {
      const onGroups = [...html.matchAll(new RegExp(`<span class="sevcount" data-sev="${s}">([\\d,]+) ${s}</span>`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
      expect(onGroups, s).toBe(e.sev[s]);
    }
    // Each group's headline severity is the highest open severity among its findings.
    const v = buildView(report);
    for (const g of v.areaSections.flatMap((a) => a.groups)) {
      const open = report.findings.filter((f) => f.check === g.id && !f.waived).map((f) => SEVERITIES.indexOf(f.severity));
      if (open.length > 0) expect(g.severity, g.id).toBe(SEVERITIES[Math.min(...open)]);
    }
  });

  it('Markdown', () => {
    const md = renderFormat(report, 'md');
    expect(num(md, /\*\*(\d+) open findings\*\*/)).toBe(e.open);
    expect(sevAfter(md, /open findings\*\* /)).toEqual(e.sev);
    expect(num(md, /(\d+) waived/)).toBe(e.waived);
    expect(num(md, /(\d+) not evaluated/)).toBe(e.notEvaluated);
    expect(num(md, /(\d+) not applicable/)).toBe(e.notApplicable);
    expect(num(md, /(\d+) new, /)).toBe(e.newCount);
    expect(num(md, /(\d+) resolved/)).toBe(e.resolved);
  });

  it('report.json', () => {
    const json = JSON.parse(renderFormat(report, 'json')) as RunReport;
    expect(expected(json)).toEqual(e);
  });

  it('Slack blocks', () => {
    const msg = buildSlackMessage(report);
    const text = JSON.stringify(msg.blocks);
    expect(num(text, /(\d+) open findings/)).toBe(e.open);
    expect(sevAfter(text, /open findings /)).toEqual(e.sev);
    expect(num(text, /(\d+) waived/)).toBe(e.waived);
    expect(num(text, /(\d+) checks not evaluated/)).toBe(e.notEvaluated);
    expect(num(text, /(\d+) not applicable/)).toBe(e.notApplicable);
    expect(num(text, /\*New findings\*\\n(\d+)/)).toBe(e.newCount);
    expect(num(text, /\*Resolved\*\\n(\d+)/)).toBe(e.resolved);
  });

  it('email (HTML and text parts)', () => {
    const mail = buildEmail(report, true);
    for (const part of [stripTags(mail.html), mail.text]) {
      expect(num(part, /(\d+) open findings/)).toBe(e.open);
      expect(sevAfter(part, /open findings \(? ?/)).toEqual(e.sev);
      expect(num(part, /(\d+) waived/)).toBe(e.waived);
      expect(num(part, /(\d+) checks not evaluated/)).toBe(e.notEvaluated);
      expect(num(part, /(\d+) not applicable/)).toBe(e.notApplicable);
      expect(num(part, /(\d+) new/)).toBe(e.newCount);
      expect(num(part, /(\d+) resolved/)).toBe(e.resolved);
    }
  });
});

describe('one cause, one line', () => {
  const { report, previous } = demoRun();
  const admin = report.findings.find((f) => f.check === 'rbac.cluster-admin-binding' && f.resource.name === 'oncall')!;
  const implied = report.findings.filter((f) => f.impliedBy === admin.fingerprint);

  it('marks the consequences of a cluster-admin grant on the same subject, and keeps them in report.json and the diff', () => {
    expect(implied.length).toBeGreaterThanOrEqual(8);
    expect(implied.every((f) => f.resource.kind === 'Group' && f.resource.name === 'oncall' && f.check.startsWith('rbac.'))).toBe(true);
    expect(new Set(implied.map((f) => f.check)).size).toBe(implied.length);
    // Still diffed one by one: the baseline had no oncall binding, so each is new.
    for (const f of implied) expect(report.diff!.new).toContain(f.fingerprint);
    // A finding on another subject is not folded.
    expect(report.findings.filter((f) => f.resource.name !== 'oncall').every((f) => f.impliedBy === undefined)).toBe(true);
  });

  it('folds them under the cause in the HTML, in Slack and in email', () => {
    const html = renderFormat(report, 'html', { previous }).replace(/<wbr>/g, '');
    const adminRow = html.slice(html.indexOf('id="check-rbac.cluster-admin-binding"'));
    expect(adminRow).toContain(`Also follows from this (${implied.length})`);
    // In the consequence's own group, its row gives way to one line naming the cause.
    const group = html.slice(html.indexOf('id="check-rbac.namespace-modification"'));
    expect(group.slice(0, group.indexOf('</details>'))).toContain('Folded: 1 high finding follows from a broader finding on the same subject (Cluster-admin held outside the built-in grants on Group oncall)');
    expect(group.slice(0, group.indexOf('</details>'))).not.toContain('<code>oncall</code>');
    const slack = JSON.stringify(buildSlackMessage(report));
    const oncallLines = slack.split('\\n').filter((l) => l.includes('`Group oncall`') && !l.includes('↳'));
    expect(oncallLines.length).toBe(2); // the cause, in the top list and in the thread
    expect(slack).toContain(`also implies ${implied.length}`);
    const mail = buildEmail(report, false);
    expect(mail.text.split('\n').filter((l) => l.startsWith('- [') && l.includes('Group oncall'))).toHaveLength(1);
    expect(mail.html).toContain(`Also implies ${implied.length}`);
  });
});

describe('report.csv', () => {
  it('has one row per mapped control with its status, and neutralises formula cells', () => {
    const { report } = demoRun();
    const csv = renderCsv(report);
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('framework,control,family,status,checks,open_findings,waived_findings,findings,not_assessed');
    const controls = buildView(report).frameworks.reduce((n, f) => n + f.totalControls, 0);
    expect(rows).toHaveLength(controls + 1);
    expect(rows.some((r) => r.startsWith('CIS Kubernetes Benchmark 1.10,CIS-1.10:5.1.1,Section 5.1,fail,'))).toBe(true);
    expect(new Set(rows.slice(1).map((r) => r.split(',')[0]))).toEqual(new Set(['CIS Kubernetes Benchmark 1.10', 'NSA/CISA Kubernetes Hardening Guide', 'NIST SP 800-53 Rev. 5', 'NIST SP 800-207 Zero Trust Architecture']));
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});
