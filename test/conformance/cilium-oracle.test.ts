// Conformance: ztaudit's Cilium policy model against Cilium's own policy repository
// (github.com/cilium/cilium pkg/policy LookupFlow, built from the Go module proxy at the
// version pinned in test/oracles/cilium/go.mod). Seeded scenarios mix every construct the
// model claims; every ingress/egress verdict and every refused policy must agree.
import { afterAll, describe, expect, it } from 'vitest';
import { generateScenarios, type OracleScenario } from './cilium/scenarios.ts';
import { CILIUM_VERSION, findOracle, runOracle, type OracleResult } from './cilium/oracle.ts';
import { CLUSTER_NAME, modelVerdicts, scenarioModel, withNameLabels } from './cilium/compare.ts';

const SEEDS = [15, 1015];
const PER_SEED = 120;

const { bin, reason } = findOracle();
if (!bin) process.stderr.write(`\n*** SKIPPING the Cilium oracle comparison: ${reason}. Build it with: bash test/oracles/cilium/build.sh ***\n\n`);

/** ztaudit's policy ids are "Kind ns/name" (clusterwide: "Kind name"); the oracle says "Kind ns/name" with ns empty. */
function oracleId(id: string): string {
  return id.includes('/') ? id : id.replace(' ', ' /');
}

interface Tally { directions: number; agree: number; denied: number; rejected: number; rejectedAgree: number; mismatches: string[] }

function compare(scenarios: OracleScenario[], results: OracleResult[]): Tally {
  const t: Tally = { directions: 0, agree: 0, denied: 0, rejected: 0, rejectedAgree: 0, mismatches: [] };
  scenarios.forEach((s, i) => {
    const o = results[i];
    expect(o.id).toBe(s.id);
    const model = scenarioModel(s);
    const mine = model.policies.filter((p) => p.errors.length).map((p) => oracleId(p.id)).sort();
    const theirs = Object.keys(o.rejected).sort();
    for (const id of new Set([...mine, ...theirs])) {
      t.rejected++;
      if (mine.includes(id) && theirs.includes(id)) t.rejectedAgree++;
      else t.mismatches.push(`${s.id}: ${id} refused by ${mine.includes(id) ? 'ztaudit only' : `Cilium only (${o.rejected[id]})`}`);
    }
    const verdicts = modelVerdicts(s, model);
    s.flows.forEach((f, j) => {
      expect(o.flows[j].error, `${s.id} flow ${j}`).toBeUndefined();
      for (const d of ['egress', 'ingress'] as const) {
        const m = verdicts[j][d];
        if (!m) continue;
        t.directions++;
        if (o.flows[j][d] === 'denied') t.denied++;
        if (m === o.flows[j][d]) t.agree++;
        else t.mismatches.push(`${s.id}: ${d} ${f.from} -> ${f.to} ${f.protocol}/${f.port}: ztaudit ${m}, Cilium ${o.flows[j][d]}`);
      }
    });
  });
  return t;
}

describe.skipIf(!bin)(`Cilium ${CILIUM_VERSION} policy repository as oracle`, () => {
  const totals: Tally[] = [];
  afterAll(() => {
    const sum = (k: 'directions' | 'agree' | 'rejected' | 'rejectedAgree') => totals.reduce((a, t) => a + t[k], 0);
    process.stderr.write(`cilium oracle (${CILIUM_VERSION}): ${sum('agree')}/${sum('directions')} flow directions agree, ${sum('rejectedAgree')}/${sum('rejected')} refused policies agree\n`);
  });

  for (const seed of SEEDS) {
    it(`agrees on every verdict of ${PER_SEED} generated scenarios (seed ${seed})`, () => {
      const scenarios = generateScenarios(seed, PER_SEED).map(withNameLabels);
      const results = runOracle(bin!, CLUSTER_NAME, scenarios);
      expect(results).toHaveLength(scenarios.length);
      const t = compare(scenarios, results);
      totals.push(t);
      // The generated set exercises both answers and refusals, or the comparison proves little.
      expect(t.denied).toBeGreaterThan(t.directions / 20);
      expect(t.directions - t.denied).toBeGreaterThan(t.directions / 20);
      expect(t.rejected).toBeGreaterThan(5);
      expect(t.mismatches.slice(0, 20)).toEqual([]);
      expect(t.agree).toBe(t.directions);
    }, 300_000);
  }
});
