import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportJson } from '../../../src/report/render.ts';
import type { RunReport } from '../../../src/run/types.ts';

describe('report.json, streamed', () => {
  it('is the report as JSON, one finding per line, whatever the text (non-ASCII, lone surrogates, pieces larger than its buffer)', async () => {
    const findings = Array.from({ length: 5000 }, (_, i) => ({
      fingerprint: `fp${i}`, check: 'rbac.wildcard-permission', area: 'rbac', severity: 'high',
      resource: { kind: 'Role', namespace: `team-é-${i}`, name: i === 7 ? 'lone \ud800 surrogate' : `rôle-${i}-日本-😀` },
      message: i === 4321 ? 'x'.repeat(600_000) : `message ${i} ${'ü'.repeat(i % 300)}`,
      controls: ['CIS-1.10:5.1.3'], waived: false,
    }));
    const report = { schemaVersion: 1, run: { id: 'r', notes: ['ñ'] }, findings, diff: null, details: { big: 'y'.repeat(500_000) } } as unknown as RunReport;
    const file = join(mkdtempSync(join(tmpdir(), 'report-json-')), 'report.json');
    await writeReportJson(report, file);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('    {"fingerprint":'))).toHaveLength(5000);
    expect(lines).toContain(`    ${JSON.stringify(findings[7])},`);
    expect(lines).toContain(`    ${JSON.stringify(findings[4999])}`);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
