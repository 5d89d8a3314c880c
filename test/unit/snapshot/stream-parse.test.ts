// The chunk-fed snapshot parser gives JSON.parse's answer wherever the chunks split the text
// (inside strings, escapes, numbers, keys, between a key and its ':'), and refuses what
// JSON.parse refuses.
import { describe, expect, it } from 'vitest';
import { NotJson, SnapshotDocumentParser } from '../../../src/snapshot/stream-parse.ts';

const DOC = JSON.stringify({
  schemaVersion: 1,
  cluster: { name: 'c "quoted" \\ back\\slash ]}', version: 'v1.36.3' },
  coverage: { pods: { status: 'ok', count: 3 } },
  resources: {
    pods: [
      { metadata: { name: 'p1', labels: { 'a/b': 'x}]' } }, spec: { n: -12.5e3, ok: true, no: null } },
      { metadata: { name: 'p\u00e9\u4e2d\ud83d\ude00' } },
      { metadata: { name: 'p3' }, spec: { esc: '\\"\n\t' } },
    ],
    namespaces: [],
    odd: { notAList: [1, 2] },
  },
  notes: ['n1', 'n2'],
  count: 42,
}, null, 1);

function parseIn(pieces: Buffer[]): { doc: Record<string, unknown>; kinds: string[] } {
  const kinds: string[] = [];
  const p = new SnapshotDocumentParser((kind, item) => {
    kinds.push(kind);
    return item;
  });
  for (const piece of pieces) p.push(piece);
  return { doc: p.end(), kinds };
}

describe('SnapshotDocumentParser', () => {
  const bytes = Buffer.from(DOC, 'utf8');
  const expected = JSON.parse(DOC);

  it('parses the document whole, and split in two at every byte', () => {
    expect(parseIn([bytes])).toEqual({ doc: expected, kinds: ['pods', 'pods', 'pods'] });
    for (let i = 1; i < bytes.length; i++) {
      expect(parseIn([bytes.subarray(0, i), bytes.subarray(i)]).doc, `split at ${i}`).toEqual(expected);
    }
  });

  it('parses the document fed a byte at a time', () => {
    expect(parseIn([...bytes].map((b) => Buffer.from([b]))).doc).toEqual(expected);
  });

  it('refuses what is not a JSON object, or is truncated, or has junk after it', () => {
    for (const bad of ['[1]', '"x"', '{"a":1', '{"a":1}}', '{"a" 1}', '{"a":1,}', '{,"a":1}', '{"resources":{"pods":[{},]}}', '{"resources":{"pods":[{}{}]}}', '{"a":tru}', '{"a":1} x', '']) {
      expect(() => parseIn([Buffer.from(bad)]), bad).toThrow(NotJson);
    }
  });
});
