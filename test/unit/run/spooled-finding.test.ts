// Findings whose message, evidence and related objects live in a temp-file spool are, to every
// reader, the findings an audit without a spool makes: the demo cluster (waived findings,
// related objects, implied findings, evidence of every shape) audited both ways gives the
// same report.json, the same stored gzip bytes, the same text of every format and the same
// objects under spread, structuredClone and Object.keys; they can be read, in any order, after
// report.json and the store were written; assigning a field makes one a plain finding.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { Spool } from '../../../src/base/spool.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { gzipJson } from '../../../src/history/gzip-json.ts';
import { renderFormat, writeReportJson } from '../../../src/report/render.ts';
import { isSpooled, reachCount, spoolFinding, writeFindingJson } from '../../../src/run/spooled-finding.ts';
import { ByteBatch } from '../../../src/base/spool.ts';
import type { Finding } from '../../../src/run/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { ROOT } from '../report/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'spooled-finding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo cluster audited today and a day earlier (fewer bindings), with or without a spool; today's diffed. */
function demo(spooled: boolean, opened: Spool[] = []): { report: RunReport; previous: RunReport } {
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  const at = (iso: string) => new Date(iso);
  const spool = spooled ? () => { const s = Spool.open(dir); if (s) opened.push(s); return s; } : undefined;
  const snapshot = (rbac: boolean) => {
    const s = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
    if (!rbac) for (const k of ['clusterrolebindings', 'rolebindings'] as const) s.resources[k] = (s.resources[k] ?? []).slice(0, 1);
    return s;
  };
  const previous = auditSnapshot({ snapshot: snapshot(false), config, checks: CHECKS, now: at('2026-11-25T02:00:00Z'), startedAt: at('2026-11-25T02:00:00Z'), runId: 'before', details: runDetails, notes: runNotes, spool }).report;
  const out = auditSnapshot({ snapshot: snapshot(true), config, checks: CHECKS, now: at('2026-11-26T02:00:00Z'), startedAt: at('2026-11-26T02:00:00Z'), runId: 'today', details: runDetails, notes: runNotes, spool });
  out.report.diff = diffRuns(previous, out.report, { rules: config.regression, expiredWaivers: out.expiredWaivers });
  return { report: out.report, previous };
}

describe('spooled findings', () => {
  const plain = demo(false);
  const spooled = demo(true);

  it('cover every shape of finding (the comparison below is not vacuous)', () => {
    const fs = plain.report.findings;
    expect(fs.length).toBeGreaterThan(50);
    expect(fs.some((f) => f.evidence !== undefined)).toBe(true);
    expect(fs.some((f) => f.related !== undefined)).toBe(true);
    expect(fs.some((f) => f.waived && f.waiver)).toBe(true);
    expect(fs.some((f) => f.impliedBy !== undefined)).toBe(true);
    expect(fs.some((f) => /[^\x20-\x7e]/.test(JSON.stringify(f)))).toBe(true);
    expect(spooled.report.findings.every(isSpooled)).toBe(true);
    expect(plain.report.findings.some(isSpooled)).toBe(false);
  });

  it('serialise exactly as plain findings: JSON, report.json, the stored gzip and every text format', async () => {
    expect(JSON.stringify(spooled.report)).toBe(JSON.stringify(plain.report));
    expect(JSON.stringify(spooled.report, null, 2)).toBe(JSON.stringify(plain.report, null, 2));
    await writeReportJson(plain.report, join(dir, 'plain.json'));
    await writeReportJson(spooled.report, join(dir, 'spooled.json'));
    expect(readFileSync(join(dir, 'spooled.json'), 'utf8')).toBe(readFileSync(join(dir, 'plain.json'), 'utf8'));
    expect(gunzipSync(await gzipJson(spooled.report)).toString('utf8')).toBe(JSON.stringify(plain.report));
    for (const format of ['html', 'md', 'sarif', 'csv', 'junit'] as const) {
      const a = renderFormat(plain.report, format, { previous: plain.previous, trend: [] });
      const b = renderFormat(spooled.report, format, { previous: spooled.previous, trend: [] });
      expect(b, format).toBe(a);
    }
  });

  it('hold the text JSON.stringify(finding) gives, whatever the message, evidence and related objects', () => {
    const messages = ['', 'quote " backslash \\ line\nsep \u2028 nul \u0000', 'lone \ud800 surrogate, é, 😀', 'x'.repeat(70_000)];
    const evidences: Array<Record<string, unknown> | undefined> = [
      undefined, {}, { gone: undefined, fn: () => 1, list: [undefined, () => 1, 2], nested: { a: 'ü' } },
      { when: new Date(0), key: { toJSON: (key: string) => `toJSON of "${key}"` } },
      { toJSON: (key: string) => ({ handedKey: key }) }, // JSON.stringify(finding) hands it 'evidence'
    ];
    const relateds = [undefined, [], [{ kind: 'Role', namespace: 'n"s', name: '\ud83d' }]];
    const spool = Spool.open(dir)!;
    const out: Buffer[] = [];
    const batch = new ByteBatch((chunk) => out.push(Buffer.from(chunk)));
    const expected: string[] = [];
    for (const message of messages) {
      for (const evidence of evidences) {
        for (const related of relateds) {
          const f: Finding = { fingerprint: 'fp', check: 'c', area: 'rbac', severity: 'high', resource: { kind: 'Pod', name: 'p' }, message, controls: ['X:1'], evidence, related, waived: false, waiver: undefined, impliedBy: undefined };
          const s = spoolFinding(f, spool)!;
          expect(isSpooled(s)).toBe(true);
          expect(JSON.stringify(s)).toBe(JSON.stringify(f));
          expect(s.message).toBe(message);
          writeFindingJson(s, batch);
          expected.push(JSON.stringify(f));
        }
      }
    }
    batch.flush();
    expect(Buffer.concat(out).toString('utf8')).toBe(expected.join(''));
    spool.close();
  });

  it('are the same objects to spread, structuredClone, Object.keys and deep equality', () => {
    spooled.report.findings.forEach((f, i) => {
      const p = plain.report.findings[i];
      expect(Object.keys(f)).toEqual(Object.keys(p));
      expect({ ...f }).toStrictEqual({ ...p });
      expect(structuredClone(f)).toStrictEqual(structuredClone(p));
      expect(f).toEqual(p);
    });
  });

  it('are read back, in any order, after report.json and the store were written', async () => {
    await writeReportJson(spooled.report, join(dir, 'again.json'));
    await gzipJson(spooled.report);
    const n = spooled.report.findings.length;
    for (let k = 0; k < n; k++) {
      const i = (k * 7919) % n; // every finding, out of order
      const f = spooled.report.findings[i];
      const p = plain.report.findings[i];
      expect([f.message, f.evidence, f.related, f.fingerprint]).toEqual([p.message, p.evidence, p.related, p.fingerprint]);
    }
  });

  it('become plain when a reader assigns a field, and are written as they now are', async () => {
    const { report } = demo(true);
    const f = report.findings[3];
    const evidence = f.evidence;
    f.message = 'rewritten by a reader';
    expect(isSpooled(f)).toBe(false);
    expect(f.evidence).toEqual(evidence);
    report.findings[4].severity = 'low';
    // Fields of findings that stay spooled: one finding's controls replaced amid its check's
    // (which share one list), another check's shared list changed in place, a waiver added.
    const same = report.findings.findIndex((g, i) => i > 6 && g.check === report.findings[i + 1]?.check && g.check === report.findings[i - 1].check);
    report.findings[same].controls = [...report.findings[same].controls, 'EDITED:1'];
    const other = report.findings.find((g) => g.check !== report.findings[same].check)!;
    other.controls.push('EDITED:2');
    const open = report.findings.findLast((g) => !g.waived)!;
    open.waived = true;
    open.waiver = { reason: 'accepted <b>"risk"</b>', owner: 'ops', expires: '2027-01-01' };
    expect([report.findings[same], other, open].every(isSpooled)).toBe(true);
    await writeReportJson(report, join(dir, 'edited.json'));
    const written = JSON.parse(readFileSync(join(dir, 'edited.json'), 'utf8')) as RunReport;
    expect(written.findings[3].message).toBe('rewritten by a reader');
    expect(written.findings[4].severity).toBe('low');
    expect(written.findings[same].controls.at(-1)).toBe('EDITED:1');
    expect(written.findings[same - 1].controls).not.toContain('EDITED:1');
    expect(written.findings.filter((g) => g.controls.includes('EDITED:2')).length).toBe(report.findings.filter((g) => g.controls === other.controls).length);
    expect(JSON.stringify(written.findings)).toBe(JSON.stringify(report.findings));
    expect(gunzipSync(await gzipJson(report)).toString('utf8')).toBe(JSON.stringify(report));
  });

  it('keep the reach the HTML ranks top fixes by: the same number as the evidence, answered without reading the spool', () => {
    const reach = plain.report.findings.map(reachCount);
    expect(reach.some((r) => r > 0) && reach.some((r) => r < 0)).toBe(true); // workloads and pods both occur
    plain.report.findings.forEach((f, i) => {
      const key = ['unisolatedCount', 'affectedWorkloads', 'failingPods', 'unmeshedPods', 'podCount'].find((k) => {
        const v = f.evidence?.[k];
        return typeof v === 'number' && Number.isFinite(v) && v > 0;
      });
      expect(Math.abs(reach[i])).toBe(key === undefined ? 0 : f.evidence?.[key]);
    });
    const opened: Spool[] = [];
    const again = demo(true, opened);
    for (const s of opened) s.close(); // reading a record now throws
    expect(() => again.report.findings[0].evidence).toThrow(/closed/);
    expect(again.report.findings.map(reachCount)).toEqual(reach);
  });
});
