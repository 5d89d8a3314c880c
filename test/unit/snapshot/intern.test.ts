// Shared subtrees (src/snapshot/intern.ts): the replicas of one ReplicaSet share their equal
// parts as one frozen object; anything that differs, even only in key order or type, stays
// apart; each object keeps its own root, metadata and status; the JSON text of every object is
// what it was; and a write into a shared part throws instead of reaching the siblings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { Interner } from '../../../src/snapshot/intern.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

function replica(i: number, image = 'registry.example.com/shop/web:1.2.0'): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `web-5d-${i}`, namespace: 'shop', uid: `uid-${i}`, resourceVersion: String(100 + i),
      labels: { app: 'web', 'pod-template-hash': '5d' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d', uid: 'rs-uid', controller: true }],
    },
    spec: {
      serviceAccountName: 'web',
      containers: [
        { name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }], securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } } },
        { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.26.0' },
      ],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: { phase: 'Running', podIP: `10.0.0.${i}` },
  };
}

/** Interns copies of `objects` with one interner, as one load does. */
function load(objects: KubeObject[]): KubeObject[] {
  const interner = new Interner();
  return objects.map((o) => interner.item(JSON.parse(JSON.stringify(o)) as KubeObject));
}

describe('equal subtrees are shared', () => {
  it('the replicas of one ReplicaSet share spec, labels and owner references, frozen', () => {
    const [a, b, c] = load([replica(1), replica(2), replica(3)]);
    for (const o of [b, c]) {
      expect(o.spec).toBe(a.spec);
      expect(o.metadata!.labels).toBe(a.metadata!.labels);
      expect(o.metadata!.ownerReferences).toBe(a.metadata!.ownerReferences);
    }
    // The first replica's copy is the shared one: frozen once a second one uses it, deeply.
    expect(Object.isFrozen(a.spec)).toBe(true);
    expect(Object.isFrozen(a.spec.containers[0].securityContext.capabilities.drop)).toBe(true);
    expect(Object.isFrozen(a.metadata!.labels)).toBe(true);
  });

  it('each object keeps its own root, metadata and status, never frozen', () => {
    const [a, b] = load([replica(1), replica(1)]);
    expect(a).not.toBe(b);
    expect(a.metadata).not.toBe(b.metadata);
    expect(a.status).not.toBe(b.status);
    for (const o of [a, b]) {
      expect(Object.isFrozen(o)).toBe(false);
      expect(Object.isFrozen(o.metadata)).toBe(false);
      expect(Object.isFrozen(o.status)).toBe(false);
    }
  });

  it('equal parts of different objects are shared too, across kinds', () => {
    const [a, b] = load([replica(1, 'web:1'), replica(2, 'web:2')]);
    expect(a.spec).not.toBe(b.spec);
    expect(a.spec.containers[0]).not.toBe(b.spec.containers[0]);
    expect(a.spec.containers[1]).toBe(b.spec.containers[1]);
    expect(a.spec.containers[0].securityContext).toBe(b.spec.containers[0].securityContext);
    expect(a.spec.tolerations).toBe(b.spec.tolerations);
    expect(a.spec.containers[0].image).toBe('web:1');
    expect(b.spec.containers[0].image).toBe('web:2');
  });

  it('an object seen once is left unfrozen', () => {
    const [a, b] = load([replica(1, 'web:1'), replica(2, 'web:2')]);
    expect(Object.isFrozen(a.spec)).toBe(false);
    expect(Object.isFrozen(b.spec.containers[0])).toBe(false);
  });
});

describe('unequal subtrees are kept apart', () => {
  const pairs: Array<[string, unknown, unknown]> = [
    ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['number and string', { port: 80 }, { port: '80' }],
    ['boolean and string', { on: true }, { on: 'true' }],
    ['null and empty object', { x: null }, { x: {} }],
    ['empty array and empty object', { x: [] }, { x: {} }],
    ['array order', ['a', 'b'], ['b', 'a']],
    ['a missing key', { a: 1 }, { a: 1, b: null }],
    ['array length', [1], [1, 1]],
    ['deep difference', { a: { b: { c: [1, { d: 'x' }] } } }, { a: { b: { c: [1, { d: 'y' }] } } }],
    ['integer and fraction', { n: 1 }, { n: 1.5 }],
    ['large numbers', { n: 2 ** 53 }, { n: 2 ** 53 + 2 }],
  ];
  it.each(pairs)('%s', (_, x, y) => {
    const [a, b] = load([{ spec: { v: x } }, { spec: { v: y } }] as KubeObject[]);
    expect(a.spec).not.toBe(b.spec);
    expect(a.spec.v).not.toBe(b.spec.v);
    expect(JSON.stringify(a.spec.v)).toBe(JSON.stringify(x));
    expect(JSON.stringify(b.spec.v)).toBe(JSON.stringify(y));
  });

  it('many objects: each keeps its own text, equal ones are one object, distinct ones never (hash collisions included)', () => {
    const shape = (j: number) => ({ selector: { app: `a${j % 300}`, n: j % 7 }, list: [j % 3, `x${j % 11}`, j % 2 === 0 ? 'p' : 'q'] });
    const objects = Array.from({ length: 20000 }, (_, i) => ({ spec: shape(i % 2000) }) as KubeObject);
    const loaded = load(objects);
    const first = new Map<string, KubeObject['spec']>();
    for (let i = 0; i < objects.length; i++) {
      const text = JSON.stringify(objects[i].spec);
      expect(JSON.stringify(loaded[i].spec)).toBe(text);
      const seen = first.get(text);
      if (seen) expect(loaded[i].spec).toBe(seen);
      else first.set(text, loaded[i].spec);
    }
    // 2000 shapes, as many distinct texts, as many distinct objects.
    expect(first.size).toBe(2000);
    expect(new Set(loaded.map((o) => o.spec)).size).toBe(2000);
  });
});

describe('sharing at every level', () => {
  it('every object or array below an item equal to one seen before is that one, however deep and wherever in an array', () => {
    const objects = Array.from({ length: 3000 }, (_, i) => ({
      metadata: { name: `o-${i}`, labels: { app: `a${i % 4}` } },
      spec: {
        name: `o-${i}`,
        a: [
          { k: i % 5, inner: [{ x: i % 3, deep: { y: [i % 2, 'z', { w: i % 7 }] } }, { y: [i % 2, 'z'] }, [i % 3, [i % 2]]] },
          { k: 'c', inner: [{ x: i % 4 }] },
          [[], {}, { e: i % 9 }],
        ],
        b: { deep: { deeper: [{ v: i % 6 }, { v: i % 6, u: [{ t: i % 8 }] }] } },
      },
    }) as KubeObject);
    const loaded = load(objects);
    const first = new Map<string, unknown>();
    let checked = 0;
    const walk = (v: unknown) => {
      if (v === null || typeof v !== 'object') return;
      const text = JSON.stringify(v);
      const seen = first.get(text);
      if (seen === undefined) first.set(text, v);
      else {
        expect(v).toBe(seen);
        checked++;
      }
      for (const m of Object.values(v)) walk(m);
    };
    for (let i = 0; i < loaded.length; i++) {
      expect(JSON.stringify(loaded[i])).toBe(JSON.stringify(objects[i]));
      walk(loaded[i].metadata!.labels);
      walk(loaded[i].spec);
    }
    // (Most subtrees repeat: more than one per object.)
    expect(checked).toBeGreaterThan(loaded.length);
  });
});

describe('writes never reach the siblings', () => {
  it('a write into a shared part throws, and the siblings keep their values', () => {
    const pods = load([replica(1), replica(2), replica(3)]);
    const before = JSON.stringify(pods);
    expect(() => { pods[1].spec.containers[0].image = 'evil:latest'; }).toThrow(TypeError);
    expect(() => { pods[1].metadata!.labels!.app = 'other'; }).toThrow(TypeError);
    expect(() => { (pods[1].spec.containers as unknown[]).push({ name: 'x' }); }).toThrow(TypeError);
    expect(() => { (pods[1].spec.containers as unknown[]).reverse(); }).toThrow(TypeError);
    expect(JSON.stringify(pods)).toBe(before);
  });

  it('a watch update (the object replaced whole, or its own metadata and status written) changes that replica alone', () => {
    const pods = load([replica(1), replica(2), replica(3)]);
    const first = JSON.stringify(pods[0]);
    // As src/collect/watch.ts applies a MODIFIED event: the new object, slimmed, replaces the old one.
    const updated = replica(2, 'registry.example.com/shop/web:1.3.0');
    updated.metadata!.labels = { app: 'web', 'pod-template-hash': '6e' };
    pods[1] = slimObject('pods', updated);
    // What is each object's own may still be written (the collector sets apiVersion and kind).
    pods[2].metadata!.resourceVersion = '999';
    pods[2].status.phase = 'Succeeded';
    pods[2].kind = 'Pod';
    expect(pods[1].spec.containers[0].image).toBe('registry.example.com/shop/web:1.3.0');
    expect(pods[0].spec.containers[0].image).toBe('registry.example.com/shop/web:1.2.0');
    expect(pods[0].metadata!.labels).toEqual({ app: 'web', 'pod-template-hash': '5d' });
    expect(pods[0].metadata!.resourceVersion).toBe('101');
    expect(pods[0].status.phase).toBe('Running');
    expect(JSON.stringify(pods[0])).toBe(first);
    expect(pods[2].spec).toBe(pods[0].spec);
  });
});

describe('hostile input', () => {
  it('keys such as __proto__ and constructor stay own data, shared or not; no prototype is touched', () => {
    const text = '{"spec":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},"toString":"s","labels":{"__proto__":"v","a\\"b":"<script>","\\u2028":"\\u0000"}}}';
    const [a, b] = load([JSON.parse(text), JSON.parse(text)]);
    expect(b.spec).toBe(a.spec);
    expect(JSON.stringify(a)).toBe(JSON.stringify(JSON.parse(text)));
    expect(Object.getPrototypeOf(a.spec)).toBe(Object.prototype);
    expect(Object.keys(a.spec)).toEqual(['__proto__', 'constructor', 'toString', 'labels']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(a.spec.labels['a"b']).toBe('<script>');
  });

  it('long strings and very deep objects are kept as they are, unshared', () => {
    const long = 'x'.repeat(5000);
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const [a, b] = load([{ spec: { cert: long, deep } }, { spec: { cert: long, deep } }] as KubeObject[]);
    expect(a.spec).not.toBe(b.spec);
    expect(a.spec.cert).toBe(long);
    expect(JSON.stringify(a.spec.deep)).toBe(JSON.stringify(deep));
    // Parts above the depth limit's cut are not shared either; the shallow equal parts are.
    expect(a.spec.deep).not.toBe(b.spec.deep);
  });
});

describe('the snapshot reader shares, and writes back the same bytes', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-intern-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replicas read from a file share their spec; the file written back is byte-identical to one written from unshared objects', async () => {
    const pods = [replica(1), replica(2), replica(3), replica(4, 'other:1')];
    writeSnapshot(join(dir, 'in.gz'), snapshotFromObjects(pods, { clusterName: 'c', origin: 'live' }));
    const back = await readSnapshot(join(dir, 'in.gz'));
    const read = back.resources.pods!;
    expect(read[1].spec).toBe(read[0].spec);
    expect(read[3].spec).not.toBe(read[0].spec);
    writeSnapshot(join(dir, 'shared.gz'), back);
    // The same snapshot with every object its own (as the reader kept them before sharing).
    const unshared = { ...back, resources: Object.fromEntries(Object.entries(back.resources).map(([k, l]) => [k, l!.map((o) => JSON.parse(JSON.stringify(o)))])) };
    writeSnapshot(join(dir, 'unshared.gz'), unshared);
    expect(readFileSync(join(dir, 'shared.gz')).equals(readFileSync(join(dir, 'unshared.gz')))).toBe(true);
    expect(read.map((p) => JSON.stringify(p))).toEqual(pods.map((p) => JSON.stringify(slimObject('pods', JSON.parse(JSON.stringify(p))))));
  });
});
