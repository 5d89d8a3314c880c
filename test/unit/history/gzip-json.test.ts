import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteBatch } from '../../../src/base/spool.ts';
import { gzipJson, parseGzipJson, writeJsonPieces } from '../../../src/history/gzip-json.ts';

function jsonText(value: object): string {
  const chunks: Buffer[] = [];
  const out = new ByteBatch((c) => chunks.push(Buffer.from(c)));
  for (const _ of writeJsonPieces(value, out)) { /* every piece */ }
  out.flush();
  return Buffer.concat(chunks).toString('utf8');
}

describe('gzipJson (stored runs compressed without the JSON as one string)', () => {
  it('decompresses to exactly JSON.stringify of the value, top-level arrays included', async () => {
    const findings = Array.from({ length: 3000 }, (_, i) => ({
      fingerprint: `fp-${i}`, message: `pod ${i} "quoted" \u2028 ${'x'.repeat(i % 700)}`, evidence: i % 3 === 0 ? undefined : { n: i, names: ['a', 'b'] },
      waived: i % 7 === 0, waiver: undefined,
    }));
    const value = {
      schemaVersion: 3, run: { id: 'r1', notes: [] }, skipped: undefined, findings, empty: [], holes: [1, undefined, () => 0, 'lone \ud800'],
      diff: null, nested: { list: [{ a: 1 }] },
    };
    const bytes = await gzipJson(value);
    expect(gunzipSync(bytes).toString('utf8')).toBe(JSON.stringify(value));
    expect(jsonText(value)).toBe(JSON.stringify(value));
  });

  it('is an empty object and an empty list as JSON.stringify writes them', async () => {
    expect(gunzipSync(await gzipJson({})).toString('utf8')).toBe('{}');
    expect(gunzipSync(await gzipJson({ findings: [] })).toString('utf8')).toBe('{"findings":[]}');
  });
});

describe('parseGzipJson (a stored run read back without its JSON as one string)', () => {
  it('reads back what JSON.parse of the text gives, findings of every size across the MiB boundaries', async () => {
    const findings = Array.from({ length: 4000 }, (_, i) => ({
      fingerprint: `fp-${i}`, message: `pod ${i} "quoted" \u2028 \ud83d\ude00 ${'x'.repeat((i * 37) % 1500)}`, evidence: i % 3 === 0 ? undefined : { n: i, names: ['a', 'b'], deep: { list: [[i]] } },
      waived: i % 7 === 0,
    }));
    const value = { schemaVersion: 3, run: { id: 'r1', notes: ['a'] }, findings, checks: [{ id: 'c', findings: [1] }], diff: null, details: { findings: 'not the array' } };
    const bytes = await gzipJson(value);
    expect(gunzipSync(bytes).length).toBeGreaterThan(3 << 20); // several parser chunks
    const back = await parseGzipJson(bytes);
    expect(back).toEqual(JSON.parse(JSON.stringify(value)));
    expect(Object.keys(back as object)).toEqual(Object.keys(JSON.parse(JSON.stringify(value))));
  });

  it('reads findings back exactly where their own first key recurs inside them (nested objects, text)', async () => {
    // Findings are parsed ~64 KiB at a time, cut before a `},{"fingerprint":` (their first
    // member's key). The same bytes inside a finding (a nested list of objects keyed
    // fingerprint) make a cut that JSON.parse refuses; text cannot hold them unescaped. That
    // the batches are taken at all is a matter of speed, shown by the real-run figures
    // (docs/performance.md), not asserted here.
    const findings = Array.from({ length: 6000 }, (_, i) => ({
      fingerprint: `fp-${i}`, check: 'rbac.x',
      message: `m ${i} },{"fingerprint": ${'y'.repeat((i * 53) % 900)}`,
      evidence: i % 4 === 0 ? { list: [{ fingerprint: `in-${i}` }, { fingerprint: `in2-${i}`, more: [{ fingerprint: 1 }, { fingerprint: 2 }] }] } : { n: i },
      related: i % 5 === 0 ? [{ kind: 'Pod', name: `p-${i}` }, { kind: 'Pod', name: `q-${i}` }] : undefined,
      waived: false,
    }));
    const value = { run: { id: 'r1' }, findings, tail: [{ fingerprint: 'not a finding' }, { fingerprint: 'either' }] };
    const bytes = await gzipJson(value);
    expect(gunzipSync(bytes).length).toBeGreaterThan(3 << 20);
    const seen: unknown[] = [];
    const back = await parseGzipJson(bytes, (item) => { seen.push(item); return item; });
    expect(back).toEqual(JSON.parse(JSON.stringify(value)));
    expect(seen).toEqual(JSON.parse(JSON.stringify(findings))); // each finding handed over once, in order
  });

  it('reads a run whose findings come first, last or are empty', async () => {
    for (const text of ['{"findings":[],"run":{"id":"x"}}', '{"run":{"id":"x"},"findings":[{"a":1},{"b":[2]}]}', '{"findings":[{"a":"]"}]}']) {
      expect(await parseGzipJson(gzipSync(text))).toEqual(JSON.parse(text));
    }
  });

  it('refuses a damaged run with one line (truncated JSON, not JSON, not gzip, gzip cut short)', async () => {
    await expect(parseGzipJson(gzipSync('{"run":{"id":"x"},"findings":[{"a":1},'))).rejects.toThrow(/not a JSON object \(truncated or damaged\)/);
    await expect(parseGzipJson(gzipSync('[1,2]'))).rejects.toThrow(/not a JSON object/);
    await expect(parseGzipJson(Buffer.from('plain text'))).rejects.toThrow(/header/);
    const whole = gzipSync(JSON.stringify({ run: { id: 'x' }, findings: Array.from({ length: 2000 }, (_, i) => ({ i, t: 'y'.repeat(i % 300) })) }));
    await expect(parseGzipJson(whole.subarray(0, whole.length >> 1))).rejects.toThrow(/unexpected end|not a JSON object/);
  });
});
