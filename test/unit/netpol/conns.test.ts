// Connection sets built from long port lists. A NetworkPolicy rule's `ports` is a list of
// NetworkPolicyPort, each a port or a port..endPort range, and "traffic is allowed if it matches
// at least one" of them: the rule opens their union
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource,
// and #targeting-a-range-of-ports). The API caps neither the list nor the number of rules, so a
// generated policy may list tens of thousands; the set printed is netpol-analyzer's form
// ("TCP 80,8000-8090", the conformance data's connections). Correctness only: the time these
// take is bench material (docs/performance.md), not asserted here.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { addInterval, connsOf, connsToJson, emptyConns, formatConns, unionAllConns, unionConns, PROTOCOLS, type ConnSet, type PortInterval, type Protocol } from '../../../src/analysis/netpol/conns.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const N = 30_000;
/** Ports 1, 3, 5, … 59,999: no two adjacent, so the set keeps all 30,000 of them apart. */
const oddPorts = Array.from({ length: N }, (_, i) => 1 + 2 * i);

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(list: T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function cluster(policy: Record<string, unknown>): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'app', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'many', namespace: 'app' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ...policy } },
  ] as KubeObject[];
}

const egressTo = (spec: Record<string, unknown>, to = '203.0.113.9') => queryReach(buildReachability(snapshotFromObjects(cluster(spec))), 'app/web', to);

describe('a NetworkPolicy rule listing 30,000 ports', () => {
  it('egress: opens exactly those 30,000 TCP ports, each apart, nothing on UDP or SCTP', () => {
    const r = egressTo({ policyTypes: ['Egress'], egress: [{ ports: oddPorts.map((port) => ({ protocol: 'TCP', port })) }] });
    expect(r.allowed).toBe(true);
    expect(connsToJson(r.ports)).toEqual({ TCP: oddPorts.map(String) });
    expect(r.ports.TCP).toHaveLength(N);
  });

  it('ingress: the pod admits exactly those 30,000 ports from an outside address', () => {
    const spec = { policyTypes: ['Ingress'], ingress: [{ ports: oddPorts.map((port) => ({ protocol: 'UDP', port })) }] };
    const r = queryReach(buildReachability(snapshotFromObjects(cluster(spec))), '203.0.113.9', 'app/web');
    expect(connsToJson(r.ports)).toEqual({ UDP: oddPorts.map(String) });
  });

  it('the ports in any order, repeated and overlapping ranges merge into the ranges they cover', () => {
    // 1-30000 as single ports in a shuffled order, each listed twice, plus 40000-40009 written
    // as overlapping port..endPort ranges and a single port adjacent to them.
    const singles = shuffled([...Array.from({ length: N }, (_, i) => i + 1), ...Array.from({ length: N }, (_, i) => i + 1)], 7).map((port) => ({ protocol: 'TCP', port }));
    const ranges = [{ protocol: 'TCP', port: 40005, endPort: 40009 }, { protocol: 'TCP', port: 40000, endPort: 40006 }, { protocol: 'TCP', port: 40010 }];
    const r = egressTo({ policyTypes: ['Egress'], egress: [{ ports: shuffled([...singles, ...ranges], 8) }] });
    expect(formatConns(r.ports)).toBe('TCP 1-30000,40000-40010');
  });

  it('the same ports spread over rules of one port each (the first 2,000): the same set', () => {
    const some = oddPorts.slice(0, 2000);
    const r = egressTo({ policyTypes: ['Egress'], egress: shuffled(some, 9).map((port) => ({ ports: [{ protocol: 'TCP', port }] })) });
    expect(connsToJson(r.ports)).toEqual({ TCP: some.map(String) });
  });
});

/** The set as ports were merged in before: one at a time, each a sort of the whole set. */
function oneByOne(intervals: readonly PortInterval[]): ConnSet {
  const out = emptyConns();
  for (const [p, lo, hi] of intervals) addInterval(out, p, lo, hi);
  return out;
}

function randomIntervals(seed: number, n: number, width: number): PortInterval[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const lo = 1 + Math.floor(rnd() * 65535);
    const hi = Math.min(65535, lo + Math.floor(rnd() * width));
    return [PROTOCOLS[Math.floor(rnd() * 3)] as Protocol, lo, hi] as const;
  });
}

describe('a port list merged at once = merged one port at a time (seeded random lists)', () => {
  for (const [seed, n, width] of [[1, 2000, 1], [2, 2000, 40], [3, 500, 400], [4, 60, 5000]] as const) {
    it(`connsOf: ${n} intervals of width < ${width} (seed ${seed})`, () => {
      const list = randomIntervals(seed, n, width);
      expect(connsOf(list)).toEqual(oneByOne(list));
    });

    it(`unionConns and unionAllConns of 20 sets of ${n / 20} intervals (seed ${seed})`, () => {
      const list = randomIntervals(seed + 100, n, width);
      const sets = Array.from({ length: 20 }, (_, k) => oneByOne(list.slice((k * n) / 20, ((k + 1) * n) / 20)));
      const folded = sets.reduce(unionConns, emptyConns());
      expect(folded).toEqual(oneByOne(list));
      expect(unionAllConns(sets)).toEqual(oneByOne(list));
    });
  }

  it('adjacent intervals join, an interval inside another vanishes, ties on the start keep the longer', () => {
    expect(formatConns(connsOf([['TCP', 10, 19], ['TCP', 20, 20], ['TCP', 12, 13], ['TCP', 30, 31], ['TCP', 30, 35], ['UDP', 53, 53]]))).toBe('TCP 10-20,30-35,UDP 53');
    const a = connsOf([['TCP', 1, 5], ['TCP', 9, 9]]);
    const b = connsOf([['TCP', 6, 8], ['TCP', 11, 12]]);
    expect(formatConns(unionConns(a, b))).toBe('TCP 1-9,11-12');
    expect(formatConns(unionConns(b, a))).toBe('TCP 1-9,11-12');
  });
});
