// A later run reads the stored run (its report.json, gzipped) for its diff, and wants the
// message, evidence and related objects of only the findings it may resolve. BulkyCutter
// drops the others' from their lines before they are parsed: the result must be exactly the
// stored run's JSON with those three members removed from exactly those findings, whatever the
// findings hold (text that looks like the layout inside messages, evidence and resources), and
// however the inflated bytes are split. A line that only looks cuttable is read whole again.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGzipJson, parseStoredRun } from '../../../src/history/gzip-json.ts';
import { BulkyCutter } from '../../../src/history/unwanted-bulky.ts';
import { writeReportJson } from '../../../src/report/render.ts';
import { isUnreadBulky } from '../../../src/run/spooled-finding.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import { demoRun } from '../report/demo.ts';

const work = mkdtempSync(join(tmpdir(), 'unwanted-bulky-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A small deterministic random source. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const TRICKY = [
  '","controls":["x"],"waived":false}',
  ',"message":"m',
  '],"',
  'quote " and \\" and \\\\" and \\\\',
  'line\nbreak\r\n\ttab',
  'unicode é ü 漢字 \u2028 \u0000',
  '{"waived":false}',
  '    {"fingerprint":"',
];

/**
 * The demo run's findings and many more made to look like the layout from the inside; with
 * `lookalikeResource`, some resources hold a message and controls of their own.
 */
function hostileReport(lookalikeResource = false, count = 1500): RunReport {
  const { report } = demoRun();
  const rnd = random(22);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const extra: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const text = `${pick(TRICKY)} ${i} ${pick(TRICKY)}`;
    const shape = i % 9;
    const f: Finding = {
      fingerprint: `fp${i.toString(16).padStart(18, '0')}`,
      check: pick(['network.exposed-workload', 'rbac.wildcard-permission', 'pod-security.writable-root-filesystem']),
      area: 'rbac',
      severity: pick(['low', 'medium', 'high'] as const),
      resource: shape === 0 && lookalikeResource
        // A resource whose members look like a finding's own: a cut there must not be taken.
        ? ({ kind: 'Pod', namespace: 'ns', message: text, controls: ['c'], name: `p${i}` } as unknown as Finding['resource'])
        : { kind: 'Pod', namespace: `ns-${pick(TRICKY)}`, name: `p${i}` },
      // An aggregating finding's extent sits before the message: a cut line keeps it.
      ...(shape === 8 ? { extent: { unit: 'workloads', count: 60, members: [text, `${pick(TRICKY)}`, ',"message":"x"', '],"'], digest: '0123456789abcdef' } } : {}),
      message: text,
      controls: shape === 1 ? [] : shape === 2 ? [`odd ${pick(TRICKY)}`] : ['NIST-800-53:AC-6', 'CIS-1.10:5.1.8'],
      ...(shape === 3 ? {} : { evidence: { waived: true, controls: [text], message: text, nested: { '],"': [text, { waived: false }] } } }),
      ...(shape === 4 || shape === 5 ? { related: [{ kind: 'Role', namespace: text, name: text }] } : {}),
      waived: shape === 6,
      ...(shape === 6 ? { waiver: { reason: text, owner: 'team', expires: '2027-01-01' } } : {}),
      ...(shape === 7 ? { impliedBy: `${text}` } : {}),
    };
    extra.push(f);
  }
  return { ...report, findings: [...report.findings, ...extra] };
}

/** The stored run as a store keeps it: its report.json, gzipped. */
async function stored(report: RunReport): Promise<{ text: string; gz: Buffer }> {
  const path = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  await writeReportJson(report, path);
  const text = readFileSync(path, 'utf8');
  return { text, gz: gzipSync(text) };
}

/** What the cutter must give for one finding as parsed plainly. */
function expectedFinding(f: Record<string, unknown>, wanted: (fp: string, check: string) => boolean): Record<string, unknown> {
  if (wanted(f.fingerprint as string, f.check as string) || f.waived !== false || 'waiver' in f || 'impliedBy' in f) return f;
  // Controls whose text holds a bracket or brace are left whole (the cut needs none there).
  if (/[[\]{}]/.test(JSON.stringify(f.controls).slice(1, -1))) return f;
  const { message: _m, evidence: _e, related: _r, ...rest } = f;
  return rest;
}

describe('BulkyCutter', () => {
  it('drops exactly the unwanted open findings\' message, evidence and related objects, however the bytes are split', async () => {
    const report = hostileReport();
    const { text } = await stored(report);
    const plain = JSON.parse(text) as RunReport & { findings: Array<Record<string, unknown>> };
    const rnd = random(7);
    for (let trial = 0; trial < 12; trial++) {
      const keep = new Set(plain.findings.filter(() => rnd() < 0.2).map((f) => f.fingerprint as string));
      const wanted = (fp: string) => keep.has(fp);
      const cutter = new BulkyCutter(wanted);
      const bytes = Buffer.from(text);
      const parts: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const size = trial === 0 ? 1 : 1 + Math.floor(rnd() * (trial < 6 ? 300 : 70000));
        parts.push(Buffer.from(cutter.push(bytes.subarray(at, at + size))));
        at += size;
      }
      parts.push(cutter.end());
      const cut = JSON.parse(Buffer.concat(parts).toString('utf8')) as typeof plain;
      expect({ ...cut, findings: undefined }).toEqual({ ...plain, findings: undefined });
      expect(cut.findings.length).toBe(plain.findings.length);
      for (let i = 0; i < plain.findings.length; i++) expect(cut.findings[i]).toEqual(expectedFinding(plain.findings[i]!, wanted));
      expect(cutter.cut).toBeGreaterThan(500);
    }
  });
});

describe('what a cut line loses', () => {
  it('is only the message, evidence and related objects: a finding has no member between its controls and waived but evidence and related', () => {
    // The cut keeps a line up to its message, then its controls, then `,"waived":false}`: a
    // member added to findings after the controls would be dropped with the evidence. Adding
    // one means teaching BulkyCutter.cutPoints where the bulky members end. An aggregating
    // finding's extent comes before the message, in the part of the line a cut keeps.
    const findings = demoRun().report.findings;
    expect(findings.some((f) => f.extent !== undefined)).toBe(true);
    for (const f of findings) {
      expect(Object.keys(f)).toEqual(['fingerprint', 'check', 'area', 'severity', 'resource', ...(f.extent !== undefined ? ['extent'] : []), 'message', 'controls', 'evidence', 'related', 'waived', 'waiver', 'impliedBy']);
    }
  });
});

describe('BulkyCutter at the end of its input', () => {
  it('gives the last line when the input ends among the findings without a line break', async () => {
    const { text } = await stored(hostileReport(false, 20));
    const plain = JSON.parse(text) as { findings: Array<Record<string, unknown>> };
    // The findings as the document's last member, closed on a line that ends the input.
    const start = text.indexOf('\n  "findings": [\n') + 1;
    const close = text.indexOf('\n  ]', start) + 1;
    const doc = `{\n${text.slice(start, close)}  ]}`;
    const cutter = new BulkyCutter(() => false);
    const bytes = Buffer.from(doc);
    const parts: Buffer[] = [Buffer.from(cutter.push(bytes.subarray(0, 1000))), Buffer.from(cutter.push(bytes.subarray(1000)))];
    parts.push(cutter.end());
    const cut = JSON.parse(Buffer.concat(parts).toString('utf8')) as { findings: Array<Record<string, unknown>> };
    expect(cut.findings).toEqual(plain.findings.map((f) => expectedFinding(f, () => false)));
    expect(cutter.cut).toBeGreaterThan(10);
  });
});

describe('parseGzipJson with a cutter', () => {
  it('parses a run inflated in many chunks, with values before, among and after the findings split across them', async () => {
    const base = hostileReport(false, 12000);
    // Sections before and after the findings long enough to span chunks of their own.
    const big = Array.from({ length: 30000 }, (_, i) => ({ name: `w${i}`, text: TRICKY[i % TRICKY.length] }));
    const report = { ...base, checks: [...base.checks, ...(big as unknown as RunReport['checks'])], details: { ...base.details, big } } as RunReport;
    const { text, gz } = await stored(report);
    expect(text.length).toBeGreaterThan(8 * 2 ** 20); // eight and more chunks of 1 MiB
    expect(text.indexOf('"findings"')).toBeGreaterThan(2 ** 20);
    const plain = JSON.parse(text) as RunReport & { findings: Array<Record<string, unknown>> };
    const keep = new Set(plain.findings.filter((_, i) => i % 7 === 0).map((f) => f.fingerprint as string));
    const wanted = (fp: string) => keep.has(fp);
    const cutter = new BulkyCutter(wanted);
    const cut = (await parseGzipJson(gz, undefined, cutter)) as typeof plain;
    expect({ ...cut, findings: undefined }).toEqual({ ...plain, findings: undefined });
    for (let i = 0; i < plain.findings.length; i++) expect(cut.findings[i]).toEqual(expectedFinding(plain.findings[i]!, wanted));
    expect(cutter.cut).toBeGreaterThan(6000);
  });
});

describe('parseStoredRun with bulkyOf', () => {
  async function bothWays(report: RunReport, seed: number) {
    const { text, gz } = await stored(report);
    const plain = JSON.parse(text) as RunReport;
    const rnd = random(seed);
    const keep = new Set(plain.findings.filter(() => rnd() < 0.1).map((f) => f.fingerprint));
    const read = (await parseStoredRun(gz, { bulkyOf: (fp) => keep.has(fp) })) as RunReport;
    return { plain, read, keep };
  }

  /** Every finding's identity and state as stored; the wanted ones whole, the others unread. */
  function expectSameRun(plain: RunReport, read: RunReport, keep: ReadonlySet<string>) {
    expect(read.findings.length).toBe(plain.findings.length);
    for (let i = 0; i < plain.findings.length; i++) {
      const p = plain.findings[i]!;
      const f = read.findings[i]!;
      const { fingerprint, check, area, severity, resource, extent, controls, waived, waiver, impliedBy } = f;
      expect({ fingerprint, check, area, severity, resource, extent, controls, waived, waiver, impliedBy }).toEqual({ ...p, message: undefined, evidence: undefined, related: undefined });
      if (keep.has(p.fingerprint)) expect(JSON.parse(JSON.stringify(f))).toEqual(p);
      else expect(isUnreadBulky(f)).toBe(true);
    }
    expect(read.run).toEqual(plain.run);
  }

  it('reads the run a cut read gives: identity and state of every finding, the wanted ones whole', async () => {
    const { plain, read, keep } = await bothWays(hostileReport(), 3);
    expectSameRun(plain, read, keep);
    // Cut lines among them keep their extent (what the diff's widening compares).
    const cutWithExtent = read.findings.filter((f) => isUnreadBulky(f) && f.extent !== undefined);
    expect(cutWithExtent.length).toBeGreaterThan(50);
    for (const f of cutWithExtent) expect(f.extent).toEqual(plain.findings.find((p) => p.fingerprint === f.fingerprint)!.extent);
  });

  it('reads a run again whole when a line only looked cuttable (a resource with a message and controls of its own)', async () => {
    const report = hostileReport(true);
    const { text } = await stored(report);
    // The cut alone makes a document that does not parse.
    const cutter = new BulkyCutter(() => false);
    const cut = Buffer.concat([Buffer.from(cutter.push(Buffer.from(text))), cutter.end()]).toString('utf8');
    expect(() => JSON.parse(cut)).toThrow();
    const { plain, read, keep } = await bothWays(report, 5);
    expectSameRun(plain, read, keep);
  });

  it('reads a run again whole when a cut line is not a stored finding (its resource not an object): the finding keeps its message', async () => {
    const report = hostileReport();
    const odd = { ...report.findings[report.findings.length - 1]!, fingerprint: 'odd-resource', resource: 'Pod ns/p' as unknown as Finding['resource'] };
    const { text, gz } = await stored({ ...report, findings: [...report.findings, odd] });
    expect(text).toContain('{"fingerprint":"odd-resource","check":');
    const plain = JSON.parse(text) as RunReport;
    const read = (await parseStoredRun(gz, { bulkyOf: () => false })) as RunReport;
    const last = read.findings[read.findings.length - 1]!;
    expect(last).toEqual(plain.findings[plain.findings.length - 1]);
    expect(typeof last.message).toBe('string');
    expect(isUnreadBulky(read.findings[0]!)).toBe(true);
  });

  it('leaves a run in the older compact layout (one line) as it is, passing each piece on at once', async () => {
    const report = hostileReport();
    const text = JSON.stringify(report);
    const cutter = new BulkyCutter(() => false);
    // Without a line break there are no findings lines to wait for: nothing is held back (a
    // cutter that held the document until its end copied it again for every chunk).
    const bytes = Buffer.from(text);
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 4096) {
      const piece = bytes.subarray(at, at + 4096);
      const out = cutter.push(piece);
      expect(out.equals(piece)).toBe(true);
      parts.push(Buffer.from(out));
    }
    expect(cutter.end().length).toBe(0);
    expect(Buffer.concat(parts).toString('utf8')).toBe(text);
    expect(cutter.cut).toBe(0);
    const keep = new Set<string>();
    const read = (await parseStoredRun(gzipSync(text), { bulkyOf: () => false })) as RunReport;
    expectSameRun(JSON.parse(text) as RunReport, read, keep);
  });
});
