// The chunk-fed snapshot parser gives JSON.parse's answer wherever the chunks split the text
// (inside strings, escapes, numbers, keys, between a key and its ':'), and refuses what
// JSON.parse refuses.
import { describe, expect, it, vi } from 'vitest';
import { NotJson, SnapshotDocumentParser } from '../../../src/base/stream-parse.ts';

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

// An API server's list response, as the live collector reads each page: the top-level `items`
// are handed over one at a time, whatever the chunking; the rest (kind, metadata.continue)
// is kept as it stands.
const LIST = JSON.stringify({
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '123', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzfQ==' },
  items: [
    { metadata: { name: 'p1', namespace: 'a', managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }] }, spec: { containers: [{ name: 'c', image: 'x]}' }] } },
    { metadata: { name: 'p\u00e9\u4e2d\ud83d\ude00', namespace: 'b' }, status: { phase: 'Running' } },
  ],
});

function parseList(pieces: Buffer[]): { doc: Record<string, unknown>; seen: unknown[] } {
  const seen: unknown[] = [];
  const p = new SnapshotDocumentParser((_kind, item) => {
    seen.push(item);
    return (item as { metadata: { name: string } }).metadata.name;
  }, 'items');
  for (const piece of pieces) p.push(piece);
  return { doc: p.end(), seen };
}

describe('SnapshotDocumentParser on a list response', () => {
  const bytes = Buffer.from(LIST, 'utf8');
  const whole = JSON.parse(LIST);
  const expected = { ...whole, items: whole.items.map((i: { metadata: { name: string } }) => i.metadata.name) };

  it('hands over each item of `items` and keeps the other members, wherever the text is split', () => {
    expect(parseList([bytes])).toEqual({ doc: expected, seen: whole.items });
    for (let i = 1; i < bytes.length; i++) {
      expect(parseList([bytes.subarray(0, i), bytes.subarray(i)]).doc, `split at ${i}`).toEqual(expected);
    }
    expect(parseList([...bytes].map((b) => Buffer.from([b]))).doc).toEqual(expected);
  });

  it('reads a value much larger than the chunks it arrives in', () => {
    const big = { kind: 'ConfigMapList', items: [{ metadata: { name: 'big' }, data: { x: 'y'.repeat(3_000_000) } }, { metadata: { name: 'next' } }] };
    const text = Buffer.from(JSON.stringify(big));
    const pieces: Buffer[] = [];
    for (let i = 0; i < text.length; i += 16 * 1024) pieces.push(text.subarray(i, i + 16 * 1024));
    const { doc, seen } = parseList(pieces);
    expect(doc.items).toEqual(['big', 'next']);
    expect(seen[0]).toEqual(big.items[0]);
  });

  it('refuses a page cut off mid-way, or with junk, as JSON.parse would', () => {
    for (const bad of [LIST.slice(0, LIST.length - 1), LIST.slice(0, LIST.indexOf('"p1"') + 10), `${LIST}x`, '{"items":[{"metadata":{"name":"a"}},]}', '{"items":[{"metadata":{"name":"a"}}{"metadata":{"name":"b"}}]}']) {
      expect(() => parseList([Buffer.from(bad)]), bad).toThrow(NotJson);
    }
  });
});

// The snapshot reader parses the items some 64 KiB at a time (`batch`): up to the last `},{`,
// which must end an item of the list. Where `},{` is inside a string, a nested array or past
// the end of the list, the result is still JSON.parse's, whatever the chunking.
describe('SnapshotDocumentParser, items parsed in batches', () => {
  const odd = JSON.stringify({
    schemaVersion: 1,
    resources: {
      pods: [
        { a: 1 }, { s: 'x},{y' }, { n: [{ a: 1 }, { b: [{ c: 2 }, { d: '},{' }] }] }, { s: '},{"', t: '\\', u: '"},{"' }, {},
        { metadata: { name: 'p\u00e9\u4e2d\ud83d\ude00', labels: { 'a},{b': '},{' } } },
      ],
      services: [{ spec: { ports: [{ port: 80 }, { port: 443 }] } }, { x: '}' }],
      odd: [1, { x: 1 }, 'str},{', [{ a: 1 }, { b: 2 }], null, { y: [] }],
      empty: [],
    },
    after: [{ a: 1 }, { b: 2 }],
  });

  function parse(pieces: Buffer[], batch: boolean) {
    const seen: Array<[string, unknown]> = [];
    const p = new SnapshotDocumentParser((kind, item) => {
      seen.push([kind, item]);
      return item;
    }, 'resources', batch);
    for (const piece of pieces) p.push(piece);
    return { doc: p.end(), seen };
  }

  it('gives what item-by-item parsing gives, split in two at every byte and a byte at a time', () => {
    const bytes = Buffer.from(odd, 'utf8');
    const expected = parse([bytes], false);
    expect(expected.doc).toEqual(JSON.parse(odd));
    expect(parse([bytes], true)).toEqual(expected);
    for (let i = 1; i < bytes.length; i++) {
      expect(parse([bytes.subarray(0, i), bytes.subarray(i)], true), `split at ${i}`).toEqual(expected);
    }
    expect(parse([...bytes].map((b) => Buffer.from([b])), true)).toEqual(expected);
  });

  it('reads many items across many chunks (batches ending mid-chunk and straddling chunks)', () => {
    // Nested objects that begin as the items do (`},{"apiVersion":"v1","kind":"Pod"` inside an item).
    const like = (i: number) => (i % 11 === 0 ? [{ apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'v1', kind: 'Pod', s: '},{"apiVersion":"v1","kind":"Pod"' }] : []);
    const pods = Array.from({ length: 6000 }, (_, i) => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `p-${i}`, labels: { app: i % 7 === 0 ? '},{' : `a${i % 13}` }, ownerReferences: like(i) },
      spec: { containers: [{ name: 'c', image: `img:${i % 5}` }, { name: 'd' }] },
    }));
    const text = Buffer.from(JSON.stringify({ schemaVersion: 1, resources: { pods, services: pods.slice(0, 500) } }));
    const expected = parse([text], false);
    for (const size of [1000, 64 * 1024 - 7, 64 * 1024, 100_003, 1024 * 1024]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) pieces.push(text.subarray(i, i + size));
      const got = parse(pieces, true);
      expect(got.seen.length, `chunks of ${size}`).toBe(6500);
      expect(got, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('gives the same when the document is indented (white space between items), split in two at every byte', () => {
    for (const indent of [1, 2, '\t']) {
      const bytes = Buffer.from(JSON.stringify(JSON.parse(odd), null, indent), 'utf8');
      const expected = parse([bytes], false);
      expect(expected.doc).toEqual(JSON.parse(odd));
      expect(parse([bytes], true)).toEqual(expected);
      for (let i = 1; i < bytes.length; i++) {
        expect(parse([bytes.subarray(0, i), bytes.subarray(i)], true), `indent ${JSON.stringify(indent)}, split at ${i}`).toEqual(expected);
      }
    }
  });

  it('parses the findings of a stored run kept as report.json writes it (one per line, indented) in batches too', () => {
    const findings = Array.from({ length: 6000 }, (_, i) => ({
      fingerprint: `f${i.toString(16).padStart(19, '0')}`, check: `c-${i % 7}`, resource: { kind: 'Pod', name: `p-${i}` },
      message: i % 9 === 0 ? 'a },\n    {"fingerprint": inside' : `m${i}`, evidence: { list: [{ a: 1 }, { b: [i] }] }, waived: false,
    }));
    const text = Buffer.from(`{\n  "schemaVersion": 1,\n  "findings": [\n${findings.map((f) => `    ${JSON.stringify(f)}`).join(',\n')}\n  ],\n  "after": 1\n}\n`);
    const read = (batch: boolean) => {
      const p = new SnapshotDocumentParser((_kind, item) => item, 'findings', batch);
      for (let i = 0; i < text.length; i += 1 << 20) p.push(text.subarray(i, i + (1 << 20)));
      return p.end();
    };
    const expected = read(false);
    expect(expected).toEqual(JSON.parse(text.toString()));
    const parses = vi.spyOn(JSON, 'parse');
    try {
      expect(read(true)).toEqual(expected);
      // Some 64 KiB at a time: a few dozen parses for ~1 MiB of findings, not one per finding.
      expect(parses.mock.calls.length).toBeLessThan(200);
    } finally {
      parses.mockRestore();
    }
  });

  it('a member named "__proto__" (of the document, of resources) is a member, as JSON.parse makes it, never the prototype the others are read through', () => {
    const text = '{"__proto__":{"schemaVersion":1,"items":[{"x":1}]},"a":1,"resources":{"__proto__":[{"a":1}],"pods":[{"b":2},{"c":3}]}}';
    for (const batch of [false, true]) {
      const { doc } = parse([Buffer.from(text)], batch);
      expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
      expect(Object.keys(doc)).toEqual(['__proto__', 'a', 'resources']);
      expect(doc.schemaVersion).toBeUndefined();
      const resources = doc.resources as Record<string, unknown>;
      expect(Object.getPrototypeOf(resources)).toBe(Object.prototype);
      expect(Object.keys(resources)).toEqual(['__proto__', 'pods']);
      expect(JSON.stringify(doc)).toBe(JSON.stringify(JSON.parse(text)));
    }
    // A list response whose items are only a "__proto__" member's: not a list.
    const page = new SnapshotDocumentParser((_kind, item) => item, 'items');
    page.push(Buffer.from('{"__proto__":{"items":[{"kind":"Pod"}]}}'));
    expect(page.end().items).toBeUndefined();
  });

  it('tries batches on many short lists for no more than the document\'s own size in searched bytes', () => {
    // A long value, then 3,000 one-item lists: each new list tries a batch again. Searching
    // the whole buffer for each made a 58 KB gzip take 25 s of CPU; a 64 KiB window alone
    // still searched up to 192 KiB per list.
    let text = `{"schemaVersion":1,"notes":["${'x'.repeat(2 << 20)}"],"resources":{`;
    for (let i = 0; i < 3000; i++) text += `${i ? ',' : ''}"k${i}":[{"a":${i}}]`;
    text += '}}';
    const bytes = Buffer.from(text);
    let searched = 0;
    const real = Buffer.prototype.lastIndexOf;
    Buffer.prototype.lastIndexOf = function (this: Buffer, ...args: unknown[]) {
      searched += this.length;
      return (real as (...a: unknown[]) => number).apply(this, args);
    } as typeof real;
    let doc: Record<string, unknown>;
    try {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 1 << 20) pieces.push(bytes.subarray(i, i + (1 << 20)));
      doc = parse(pieces, true).doc;
    } finally {
      Buffer.prototype.lastIndexOf = real;
    }
    expect(doc).toEqual(JSON.parse(text));
    expect(searched).toBeLessThan(2 * bytes.length);
  });

  it('refuses what JSON.parse refuses, where a `},{` batch would end', () => {
    for (const bad of [
      '{"resources":{"pods":[{"a":1},{"b":tru},{"c":1}]}}',
      '{"resources":{"pods":[{"a":1},{"b":2}],{"c":1}]}}',
      '{"resources":{"pods":[{"a":1},{"b":2},]}}',
      '{"resources":{"pods":[{"a":1},{"b":2}},{"c":1}]}}',
      '{"resources":{"pods":[{"a":1},{"b":"\u0001"},{"c":1}]}}',
      '{"resources":{"pods":[{"a":1},{"b":2},{"c":1}]}',
    ]) {
      for (const batch of [false, true]) expect(() => parse([Buffer.from(bad)], batch), bad).toThrow(NotJson);
    }
  });
});
