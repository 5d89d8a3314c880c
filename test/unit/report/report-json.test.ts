import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ByteBatch } from '../../../src/base/spool.ts';
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

  it('writes the sections other than findings as JSON.stringify(section, null, 2) indented a level, whatever their values', async () => {
    // The sections are written a member at a time (three levels deep), not as one string: the
    // text must stay JSON.stringify's, with its left-out members, holes, empty containers,
    // toJSON values and escapes.
    class Point { x = 1; y = undefined; }
    const hostile = {
      '': 'empty key', 'quote"key\n': 'v\u2028\ud800\u0000"',
      list: [1, undefined, () => 1, Symbol('s'), null, [], {}, [[]], [{}], new Date(0), 'é😀', -0, NaN],
      deep: { a: { b: { c: { d: [1, { e: 'f' }] } } }, empty: {}, none: [] },
      gone: undefined, fn: () => 1, sym: Symbol('t'), nil: null,
      date: new Date(86_400_000), point: new Point(), map: new Map([[1, 2]]), boxed: Object('str') as string,
      custom: { toJSON: (key: string) => `toJSON of ${key}` }, nested: { custom: { toJSON: () => undefined }, kept: true },
      bare: Object.assign(Object.create(null) as object, { z: [3] }),
      holes: [1, , 3], // a hole: JSON.stringify writes null
    };
    const report = {
      schemaVersion: 1, run: { id: 'r', notes: [] }, findings: [], diff: { items: [] }, waivers: [],
      details: { rbac: { breadth: [{ subject: { kind: 'User', name: 'ü' }, breadth: 3 }] }, hostile, list: [hostile, [hostile]], leaf: 'text', n: 0 },
      notifications: [],
    } as unknown as RunReport;
    const file = join(mkdtempSync(join(tmpdir(), 'report-json-')), 'report.json');
    await writeReportJson(report, file);
    // The text writeReportJson wrote before it wrote sections a member at a time.
    const keys = Object.keys(report) as Array<keyof RunReport>;
    const whole = keys.map((key) => `  ${JSON.stringify(key)}: ${key === 'findings' ? '[]' : JSON.stringify(report[key], null, 2).replace(/\n/g, '\n  ')}`);
    expect(readFileSync(file, 'utf8')).toBe(`{\n${whole.join(',\n')}\n}\n`);
  });

  it('never holds a large section as one string: the details are written an entry at a time', async () => {
    // At 150,000 pods details.mtls.workloads is 50,000 entries (~13 MiB of JSON): as one
    // string, its indented copy and their bytes it raised the run's peak by ~60 MiB.
    const workloads = Array.from({ length: 20_000 }, (_, i) => ({ workload: { kind: 'Deployment', namespace: `ns-${i % 50}`, name: `app-${i}` }, mesh: 'istio', mode: 'STRICT' }));
    const report = { schemaVersion: 1, run: { id: 'r' }, findings: [], diff: null, details: { mtls: { workloads } } } as unknown as RunReport;
    const text = vi.spyOn(ByteBatch.prototype, 'text');
    try {
      await writeReportJson(report, join(mkdtempSync(join(tmpdir(), 'report-json-')), 'report.json'));
      const longest = Math.max(...text.mock.calls.map(([piece]) => piece.length));
      expect(JSON.stringify(workloads).length).toBeGreaterThan(2_000_000);
      expect(longest).toBeLessThan(1000);
    } finally {
      text.mockRestore();
    }
  });
});
