// report.csv's not_assessed column: a "pass (partial scope)" row names what its checks left out,
// as report.html's "Not assessed: …" does, so a spreadsheet of the CSV does not read as a full pass.
// CIS Kubernetes Benchmark 1.10, 5.2.2 "Minimize the admission of privileged containers": a policy
// for every namespace with user workloads. The demo excludes kube-system (config systemNamespaces),
// so the pass is over part of the cluster. Columns per RFC 4180 (one header row, same field count per row).
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../../src/report/csv.ts';
import { demoRun } from './demo.ts';

/** The CSV's records, fields unquoted (RFC 4180 2.5-2.7). */
function records(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i]!;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && csv[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  return rows;
}

describe('report.csv not_assessed', () => {
  it('the demo\'s CIS 5.2.2 row, "pass (partial scope)", names the kube-system workloads left out; a plain pass leaves it empty', () => {
    const [header, ...rows] = records(renderCsv(demoRun().report));
    expect(header).toEqual(['framework', 'control', 'family', 'status', 'checks', 'open_findings', 'waived_findings', 'findings', 'not_assessed']);
    for (const r of rows) expect(r).toHaveLength(header!.length);
    const col = (r: string[], name: string) => r[header!.indexOf(name)]!;
    const row = rows.find((r) => col(r, 'control') === 'CIS-1.10:5.2.2')!;
    expect(col(row, 'status')).toBe('pass (partial scope)');
    expect(col(row, 'not_assessed')).toContain('system namespaces (config systemNamespaces) excluded');
    expect(col(row, 'not_assessed')).toContain('Deployment kube-system/coredns');
    const passes = rows.filter((r) => col(r, 'status') === 'pass');
    expect(passes.length).toBeGreaterThan(0);
    for (const r of passes) expect(col(r, 'not_assessed')).toBe('');
  });

  it('a hostile workload name in not_assessed is escaped: no raw ESC or bidirectional override', () => {
    const { report } = demoRun({
      change: (s) => { for (const d of s.resources.deployments ?? []) if (d.metadata?.name === 'coredns') d.metadata.name = 'core\u001b[2J\u202edns'; },
    });
    const [header, ...rows] = records(renderCsv(report));
    const row = rows.find((r) => r[1] === 'CIS-1.10:5.2.2')!;
    const cell = row[header!.indexOf('not_assessed')]!;
    expect(cell).toContain('kube-system/core\\u001b[2J\\u202edns');
    expect(cell).not.toMatch(/[\u001b\u202e]/);
  });
});
