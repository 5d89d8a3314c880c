// report.sarif, report.junit.xml and report.csv are written a piece at a time (at 150,000 pods
// they are larger than the longest string V8 can make). The files are the bytes the whole-string
// renderers wrote — test/fixtures/report-formats/hostile.* were made by those renderers (commit
// abc8e16) from hostileReport(), findings plain or spooled; hostile.junit.xml was made again when
// line breaks, carriage returns and tabs became character references, and again when testsuite
// timestamps lost their milliseconds, and again when the characters XML cannot carry (C0
// controls, a lone surrogate) and DEL and C1 became \uXXXX escapes instead of being dropped (each the
// only change: the new file's differences from the former were checked to be those escapes alone), and
// hostile.sarif when a finding of another severity than its check's got a rule of its own (the
// only change: that rule, and the ruleId and ruleIndex of the one such finding) and again when
// every rule got its full control list as properties.controls (the only change), and again when
// its shown text (messages, location names, notifications) escaped control characters and line
// breaks as \uXXXX (the only change: checked against the former file with those escaped), and
// hostile.csv when a cell's control characters (NUL, ESC, a CR inside a cell, DEL, C1) became
// \uXXXX escapes (the only change: checked against the former file with those escaped); hostile.csv
// and hostile.sarif again when a lone surrogate in shown text became its \uXXXX escape (src/base/plain-text.ts;
// the only change: the new files with those escapes read back as the former U+FFFD, in SARIF as the
// former JSON escape, equal the former files; unchanged hostile.junit.xml), and hostile.sarif again
// when each `\`, `[` and `]` of a message became backslash-escaped (SARIF 2.1.0 §3.11.6, src/report/sarif.ts
// messageText; the only change: the message of the name holding `]]`), and again when a run with a
// crashed check became executionSuccessful false (the only change: that value), and again when each `{`
// and `}` of a message became doubled (SARIF 2.1.0 §3.11.5; the only change: the message of the name
// `{{constructor}}`) — and
// they are written while the findings are read, not after all of them were turned into one string.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteBatch, Spool } from '../../../src/base/spool.ts';
import { writeCsv } from '../../../src/report/csv.ts';
import { renderFormat, renderReports, writeStreamed } from '../../../src/report/render.ts';
import { isSpooled, spoolFinding } from '../../../src/run/spooled-finding.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import { JUNIT_MAX_FINDING_CASES } from '../../../src/base/output-limits.ts';
import { ROOT } from './demo.ts';
import { hostileReport, syntheticReport } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamed-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES = { sarif: 'report.sarif', junit: 'report.junit.xml', csv: 'report.csv' } as const;
const golden = (format: keyof typeof FILES) => readFileSync(join(ROOT, 'test/fixtures/report-formats', FILES[format].replace('report', 'hostile')));

function spooled(report: RunReport): RunReport {
  const spool = Spool.open(dir)!;
  const findings = report.findings.map((f) => spoolFinding(f, spool) ?? f);
  spool.seal();
  return { ...report, findings };
}

describe('streamed report formats', () => {
  it('the fixture has what the formats escape and branch on (the comparison is not vacuous)', () => {
    const report = hostileReport();
    expect(report.findings.some((f) => f.waived && f.waiver)).toBe(true);
    expect(report.checks.map((c) => c.status)).toEqual(expect.arrayContaining(['not-evaluated', 'error']));
    expect(report.findings.some((f) => !report.checks.some((c) => c.id === f.check))).toBe(true);
    const names = report.findings.map((f) => f.resource.name).join('');
    for (const ch of ['"', '<', '&', '\n', '\u0001', '\ud800']) expect(names).toContain(ch);
    expect(report.run.cluster.name).toMatch(/["<&\n\u0002]/);
    expect(spooled(report).findings.every(isSpooled)).toBe(true);
  });

  for (const [name, make] of [['plain', hostileReport], ['spooled', () => spooled(hostileReport())]] as const) {
    it(`writes the bytes the whole-string renderers wrote, findings ${name}`, async () => {
      const outDir = join(dir, name);
      await renderReports(make(), { formats: ['sarif', 'junit', 'csv'], outDir });
      for (const format of Object.keys(FILES) as Array<keyof typeof FILES>) {
        expect(readFileSync(join(outDir, FILES[format])).equals(golden(format)), format).toBe(true);
        expect(Buffer.from(renderFormat(make(), format)).equals(golden(format)), `renderFormat ${format}`).toBe(true);
      }
      expect(readdirSync(outDir).sort()).toEqual(['report.csv', 'report.json', 'report.junit.xml', 'report.sarif']);
    });
  }

  it('writes SARIF and JUnit while it reads the findings, each message and evidence read once', async () => {
    const synthetic = syntheticReport(8000);
    for (const format of ['sarif', 'junit'] as const) {
      // report.junit.xml lists at most JUNIT_MAX_FINDING_CASES findings one by one: larger ones make it a few MiB too.
      const report = format === 'sarif' ? synthetic : { ...synthetic, findings: synthetic.findings.map((f) => ({ ...f, evidence: { ...f.evidence, note: 'x'.repeat(1500) } })) };
      const outDir = join(dir, `interleaved-${format}`);
      const temp = () => readdirSync(outDir).find((f) => f.startsWith(`${FILES[format]}.`) && f.endsWith('.tmp'));
      let reads = 0;
      let writtenBeforeLastRead = 0;
      const observed = report.findings.map((f): Finding => {
        const { message, evidence, ...rest } = f;
        const watched = { ...rest } as Finding;
        const read = <T>(value: T) => () => {
          reads++;
          const tmp = temp();
          if (tmp !== undefined) writtenBeforeLastRead = statSync(join(outDir, tmp)).size;
          return value;
        };
        Object.defineProperty(watched, 'message', { get: read(message), enumerable: true });
        Object.defineProperty(watched, 'evidence', { get: read(evidence), enumerable: true });
        return watched;
      });
      const open = report.findings.filter((f) => !f.waived && report.checks.some((c) => c.id === f.check)).length;
      const paths = await renderReports({ ...report, findings: observed }, { formats: [format], outDir });
      // All of the file but its last batch or so was written before the last finding was read.
      const size = statSync(join(outDir, FILES[format])).size;
      expect(size, format).toBeGreaterThan(3 << 20);
      expect(writtenBeforeLastRead, format).toBeGreaterThan(size - (2 << 20));
      // report.json reads each finding's fields too; only the format's own reads count below.
      const jsonReads = 2 * report.findings.length;
      expect(paths).toHaveLength(2);
      // JUnit reads those it lists one by one (a <failure> each), not those its summarising testcases count.
      const listedOpen = format === 'sarif' ? report.findings.length : (readFileSync(join(outDir, FILES.junit), 'utf8').match(/<failure type="[a-z]+" message="(?![\d,]+ more finding)/g) ?? []).length;
      expect(listedOpen, format).toBe(format === 'sarif' ? report.findings.length : Math.min(open, JUNIT_MAX_FINDING_CASES));
      expect(reads - jsonReads, format).toBe(2 * listedOpen);
    }
  });

  it('hands CSV rows to the batch as they are made, in batches of at most a MiB', () => {
    // 400 controls of ~100 findings each: rows of a few KiB, a table of a few MiB.
    const synthetic = syntheticReport(20_000);
    const report = { ...synthetic, findings: synthetic.findings.map((f, i) => ({ ...f, controls: [`NIST-800-53:SC-${i % 200}`, `CIS-1.10:5.${i % 200}.1`] })) };
    const chunks: number[] = [];
    const out = new ByteBatch((chunk) => { chunks.push(chunk.length); });
    writeCsv(report, out);
    out.flush();
    expect(chunks.length).toBeGreaterThan(1);
    for (const n of chunks) expect(n).toBeLessThanOrEqual(1 << 20);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(renderFormat(report, 'csv')));
  });

  it('leaves no partial file when a report cannot be finished (a finding that cannot be read back)', async () => {
    const report = syntheticReport(8000);
    const broken = report.findings.map((f, i): Finding => {
      if (i < 6000) return f;
      const { message, ...rest } = f;
      const cut = { ...rest } as Finding;
      Object.defineProperty(cut, 'message', { get: () => { throw new Error('the spool was closed'); }, enumerable: true });
      return cut;
    });
    const outDir = join(dir, 'cut-short');
    // report.json, the first written, is cut short past its first MiB batches.
    await expect(renderReports({ ...report, findings: broken }, { formats: ['sarif'], outDir })).rejects.toThrow('the spool was closed');
    expect(readdirSync(outDir)).toEqual([]);
    // Any streamed format: the writer fails after 3 MiB are on disk.
    const path = join(outDir, 'report.sarif');
    let onDisk = 0;
    await expect(writeStreamed(path, (out) => {
      for (let i = 0; i < 3 << 10; i++) out.text('x'.repeat(1024));
      onDisk = readdirSync(outDir).map((f) => statSync(join(outDir, f)).size).reduce((a, b) => a + b, 0);
      throw new Error('cut short');
    })).rejects.toThrow('cut short');
    expect(onDisk).toBeGreaterThan(2 << 20);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
