// Conformance: ztaudit's Cilium policy handling against Cilium's own policy repository
// (github.com/cilium/cilium pkg/policy LookupFlow, built from the Go module proxy at the
// version pinned in test/oracles/cilium/go.mod). Seeded scenarios mix every construct the
// model claims. Two things are compared with Cilium's verdict for each flow direction:
//  - the Cilium evaluator (src/analysis/netpol/cilium/evaluate.ts) on CNP/CCNP scenarios,
//    with every policy Cilium refuses;
//  - the combined network model (adapter + composition + engine, the path every check and
//    `reach` take) on the same scenarios and on scenarios that add Kubernetes NetworkPolicies,
//    which Cilium imports into the same repository.
// Flows to or from nodes and the API server are counted apart: the model does not place pods
// on nodes, so Cilium's host / remote-node distinction and allow-localhost (the local node
// always reaches its pods) are not modelled (docs/network-model.md, Limits).
import { afterAll, describe, expect, it } from 'vitest';
import { generateScenarios, type OracleScenario } from './cilium/scenarios.ts';
import { CILIUM_VERSION, findOracle, runOracle, type OracleResult } from './cilium/oracle.ts';
import { CLUSTER_NAME, modelVerdicts, scenarioModel, withNameLabels } from './cilium/compare.ts';
import { modelAnswers, scenarioReachModel } from './cilium/model-compare.ts';
import { caseScenario, overall, REFERENCE_CASES } from '../unit/netpol/cilium-cases.ts';

const PER_SEED = 100;

const { bin, reason } = findOracle();
if (!bin) process.stderr.write(`\n*** SKIPPING the Cilium oracle comparison: ${reason}. Build it with: bash test/oracles/cilium/build.sh ***\n\n`);

/** ztaudit says "Kind ns/name" (clusterwide: "Kind name"); the oracle "Kind ns/name" with ns empty. */
function oracleId(id: string): string {
  return id.includes('/') ? id : id.replace(' ', ' /');
}

/** `denied`: Cilium said denied (flows) or refused (policies). */
interface Tally { directions: number; agree: number; denied: number; mismatches: string[] }
const tally = (): Tally => ({ directions: 0, agree: 0, denied: 0, mismatches: [] });

function count(t: Tally, mine: string, theirs: string, what: string): void {
  t.directions++;
  if (theirs === 'denied' || theirs === 'refused') t.denied++;
  if (mine === theirs) t.agree++;
  else t.mismatches.push(`${what}: ztaudit ${mine}, Cilium ${theirs}`);
}

function compareEvaluator(scenarios: OracleScenario[], results: OracleResult[]): { flows: Tally; refused: Tally } {
  const flows = tally();
  const refused = tally();
  scenarios.forEach((s, i) => {
    const o = results[i];
    const model = scenarioModel(s);
    const mine = model.policies.filter((p) => p.errors.length).map((p) => oracleId(p.id));
    const theirs = Object.keys(o.rejected);
    for (const id of new Set([...mine, ...theirs])) count(refused, mine.includes(id) ? 'refused' : 'accepted', theirs.includes(id) ? 'refused' : 'accepted', `${s.id} ${id} (${o.rejected[id] ?? 'accepted by Cilium'})`);
    const verdicts = modelVerdicts(s, model);
    s.flows.forEach((f, j) => {
      for (const d of ['egress', 'ingress'] as const) {
        const m = verdicts[j][d];
        if (m) count(flows, m, o.flows[j][d], `${s.id} ${d} ${f.from} -> ${f.to} ${f.protocol}/${f.port}`);
      }
    });
  });
  return { flows, refused };
}

function compareModel(scenarios: OracleScenario[], results: OracleResult[]): { modelled: Tally; nodes: Tally } {
  const modelled = tally();
  const nodes = tally();
  scenarios.forEach((s, i) => {
    const answers = modelAnswers(s, scenarioReachModel(s));
    s.flows.forEach((f, j) => {
      for (const d of ['egress', 'ingress'] as const) {
        const m = answers[j][d];
        if (!m) continue;
        count(answers[j].peer === 'node' ? nodes : modelled, m, results[i].flows[j][d], `${s.id} ${d} ${f.from} -> ${f.to} ${f.protocol}/${f.port}`);
      }
    });
  });
  return { modelled, nodes };
}

describe.skipIf(!bin)(`Cilium ${CILIUM_VERSION} policy repository as oracle`, () => {
  const lines: string[] = [];
  afterAll(() => process.stderr.write(`${lines.map((l) => `cilium oracle (${CILIUM_VERSION}): ${l}`).join('\n')}\n`));

  it('gives the verdict each documented reference case states (test/unit/netpol/cilium-cases.ts)', () => {
    const scenarios = REFERENCE_CASES.map(caseScenario);
    const results = runOracle(bin!, CLUSTER_NAME, scenarios);
    const flows = REFERENCE_CASES.flatMap((c, i) => c.flows.map((f, j) => `${c.name}: ${f[0]} -> ${f[1]} ${f[2]}: ${overall(results[i].flows[j])}`));
    expect(flows).toEqual(REFERENCE_CASES.flatMap((c) => c.flows.map((f) => `${c.name}: ${f[0]} -> ${f[1]} ${f[2]}: ${f[3]}`)));
    expect(results.flatMap((r) => Object.values(r.rejected))).toEqual([]);
    lines.push(`${flows.length} reference-case flows of ${REFERENCE_CASES.length} documented cases as the documentation says`);
  });

  it(`CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: ${PER_SEED} scenarios (seed 15)`, () => {
    const scenarios = generateScenarios(15, PER_SEED).map(withNameLabels);
    const results = runOracle(bin!, CLUSTER_NAME, scenarios);
    expect(results.map((r) => r.id)).toEqual(scenarios.map((s) => s.id));
    for (const r of results) expect(r.flows.filter((f) => f.error)).toEqual([]);

    const { flows, refused } = compareEvaluator(scenarios, results);
    lines.push(`evaluator ${flows.agree}/${flows.directions} flow directions agree; refused policies ${refused.agree}/${refused.directions}`);
    // The scenarios exercise both answers and refusals, or the comparison proves little.
    expect(flows.denied).toBeGreaterThan(flows.directions / 20);
    expect(flows.directions - flows.denied).toBeGreaterThan(flows.directions / 20);
    expect(refused.denied).toBeGreaterThan(5);
    expect(flows.mismatches.slice(0, 20)).toEqual([]);
    expect(refused.mismatches.slice(0, 20)).toEqual([]);

    const { modelled, nodes } = compareModel(scenarios, results);
    lines.push(`combined model ${modelled.agree}/${modelled.directions} (pods, external addresses, DNS names, the world); node and API-server flows ${nodes.agree}/${nodes.directions} (not modelled exactly)`);
    expect(modelled.mismatches.slice(0, 20)).toEqual([]);
    expect(nodes.directions).toBeGreaterThan(0);
  }, 300_000);

  it(`with Kubernetes NetworkPolicies in the same repository: ${PER_SEED} scenarios (seed 1015)`, () => {
    const scenarios = generateScenarios(1015, PER_SEED, { networkPolicies: true }).map(withNameLabels);
    const results = runOracle(bin!, CLUSTER_NAME, scenarios);
    expect(results.map((r) => r.id)).toEqual(scenarios.map((s) => s.id));
    expect(scenarios.filter((s) => s.policies.some((p) => p.kind === 'NetworkPolicy')).length).toBe(scenarios.length);

    const { modelled, nodes } = compareModel(scenarios, results);
    lines.push(`combined model with NetworkPolicies ${modelled.agree}/${modelled.directions}; node and API-server flows ${nodes.agree}/${nodes.directions}`);
    expect(modelled.denied).toBeGreaterThan(modelled.directions / 20);
    expect(modelled.mismatches.slice(0, 20)).toEqual([]);
  }, 300_000);
});
