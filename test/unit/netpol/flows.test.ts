// findFlows (indexed search used by intent-violation) must agree with testing every pair.
import { describe, expect, it } from 'vitest';
import { allConns, emptyConns, addInterval, intersectConns, isEmptyConns } from '../../../src/analysis/netpol/conns.ts';
import { buildReachability, egressVerdict, ingressVerdict } from '../../../src/analysis/netpol/model.ts';
import { findFlows } from '../../../src/analysis/netpol/flows.ts';
import { ns, pod, policy, snap } from './helpers.ts';

function rng(seed: number) {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function randomCluster(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const tiers = ['frontend', 'api', 'db'];
  let y = '';
  for (let n = 0; n < 6; n++) {
    y += ns(`n${n}`, { team: pick(['a', 'b']) });
    for (let p = 0; p < 4; p++) y += pod(`n${n}`, `p${p}`, { tier: pick(tiers) }, [{ name: 'svc', containerPort: pick([80, 5432]) }]);
    const peers = [
      '[{podSelector: {}}]',
      '[{namespaceSelector: {matchLabels: {team: a}}}]',
      '[{namespaceSelector: {}, podSelector: {matchLabels: {tier: api}}}]',
      '[{podSelector: {matchLabels: {tier: frontend}}}, {namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}}]',
    ];
    if (r() < 0.7) y += policy(`n${n}`, 'in', `{podSelector: {matchLabels: {tier: ${pick(tiers)}}}, ingress: [{from: ${pick(peers)}, ports: [{port: ${pick(['svc', '5432', '80'])}}]}]}`);
    if (r() < 0.5) y += policy(`n${n}`, 'deny', '{podSelector: {}, policyTypes: [Ingress, Egress]}');
    if (r() < 0.5) y += policy(`n${n}`, 'out', `{podSelector: {}, policyTypes: [Egress], egress: [{to: ${pick(peers)}}]}`);
    if (r() < 0.2) y += policy(`n${n}`, 'open', '{podSelector: {}, ingress: [{}]}');
  }
  return y;
}

describe('findFlows', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees with the brute-force pair scan (seed ${seed})`, () => {
      const model = buildReachability(snap(randomCluster(seed)));
      const S = model.classes.filter((c) => c.labels.tier !== 'db');
      const D = model.classes.filter((c) => c.labels.tier === 'db');
      for (const wanted of [allConns(), (() => { const w = emptyConns(); addInterval(w, 'TCP', 5432, 5432); return w; })()]) {
        let brute = 0;
        for (const s of S) for (const d of D) {
          const e = egressVerdict(model, { kind: 'class', cls: s }, { kind: 'class', cls: d });
          const i = ingressVerdict(model, { kind: 'class', cls: s }, { kind: 'class', cls: d });
          if (!isEmptyConns(intersectConns(intersectConns(e.conns, i.conns), wanted))) brute++;
        }
        const found = findFlows(model, S, D, wanted, 1_000_000);
        expect(found.count).toBe(brute);
        expect(found.truncated).toBe(false);
      }
    });
  }

  it('stops at the limit and says so', () => {
    const model = buildReachability(snap(Array.from({ length: 10 }, (_, i) => pod('a', `p${i}`, { i: `v${i}` })).join('')));
    const found = findFlows(model, model.classes, model.classes, allConns(), 5);
    expect(found).toMatchObject({ truncated: true, count: 5 });
  });
});
