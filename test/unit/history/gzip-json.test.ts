import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteBatch } from '../../../src/base/spool.ts';
import { gzipJson, writeJsonPieces } from '../../../src/history/gzip-json.ts';

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
