// Cilium reference cases (test/unit/netpol/cilium-cases.ts, each citing its documentation page
// or source file): the Cilium evaluator and the combined network model give the documented verdict.
import { describe, expect, it } from 'vitest';
import { modelVerdicts, scenarioModel } from '../../conformance/cilium/compare.ts';
import { modelAnswers, scenarioReachModel } from '../../conformance/cilium/model-compare.ts';
import { caseScenario, overall, REFERENCE_CASES } from './cilium-cases.ts';

describe('Cilium reference cases', () => {
  REFERENCE_CASES.forEach((c, i) => {
    it(c.name, () => {
      const s = caseScenario(c, i);
      const expected = c.flows.map((f) => `${f[0]} -> ${f[1]} ${f[2]}: ${f[3]}`);
      // The Cilium evaluator reads CiliumNetworkPolicies only; Kubernetes NetworkPolicies meet Cilium's in the combined model.
      if (!c.policies.some((p) => p.kind === 'NetworkPolicy')) {
        const evaluator = modelVerdicts(s, scenarioModel(s));
        expect(c.flows.map((f, j) => `${f[0]} -> ${f[1]} ${f[2]}: ${overall(evaluator[j])}`), `evaluator (${c.source})`).toEqual(expected);
      }
      const model = modelAnswers(s, scenarioReachModel(s));
      expect(c.flows.map((f, j) => `${f[0]} -> ${f[1]} ${f[2]}: ${overall(model[j])}`), `combined model (${c.source})`).toEqual(expected);
    });
  });
});
