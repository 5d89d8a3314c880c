// Upstream PodSecurity admission fixtures (kubernetes/pod-security-admission test/testdata),
// copied to ../shared/conformance/pod-security: every pod is evaluated at its level and at
// every policy version its directory stands for, and must be allowed or denied as upstream
// expects, with the named check among the failures.

import { afterAll, describe, expect, it } from 'vitest';
import { evaluatePod } from '../../src/analysis/pss/index.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;
const index = { cases: data?.cases ?? [], checks: data?.checks ?? [], case_count: data?.caseCount ?? 0 };
const checks = new Map(index.checks.map((c) => [c.check_id, c]));
// A restricted check that replaces a baseline one may report the baseline pod's denial.
const replacedBy = new Map<string, string>();
for (const c of index.checks) if (c.overrides_check) replacedBy.set(c.overrides_check, c.check_id);

const tally = { agree: 0, total: 0, evaluations: 0 };

describe.skipIf(!data)('Pod Security Standards conformance (upstream pod-security-admission fixtures)', () => {
  it('has every fixture listed in the index', () => {
    expect(index.cases.length).toBe(index.case_count);
    expect(index.cases.length).toBe(1286);
  });

  for (const c of index.cases) {
    it(`${c.path} is ${c.expected} at ${c.level} ${c.applies_to_versions[0]}..${c.applies_to_versions.at(-1)}`, () => {
      tally.total++;
      const pod = data!.pod(c);
      const problems: string[] = [];
      for (const version of c.applies_to_versions) {
        tally.evaluations++;
        const r = evaluatePod(pod, c.level, version);
        const allowed = r.allowed ? 'allowed' : 'denied';
        if (allowed !== c.expected) {
          problems.push(`${version}: ${allowed}${r.failures.length ? ` (${r.failures.map((f) => f.id).join(', ')})` : ''}`);
          continue;
        }
        if (c.expected === 'denied' && c.check_id) {
          // The named check must be the one that fires (or the restricted check replacing it).
          const ids = [c.check_id, ...(c.level === 'restricted' && replacedBy.has(c.check_id) ? [replacedBy.get(c.check_id)!] : [])];
          const hit = r.failures.find((f) => ids.includes(f.id));
          if (!hit) problems.push(`${version}: denied by ${r.failures.map((f) => f.id).join(', ')}, not ${ids.join('/')}`);
          else if (!hit.reason.includes(checks.get(hit.id)!.denial_message_contains)) {
            problems.push(`${version}: reason "${hit.reason}" lacks "${checks.get(hit.id)!.denial_message_contains}"`);
          }
        }
        // What the verdict implies for the other level (README: "What the verdict implies").
        if (c.level === 'restricted' && c.expected === 'allowed' && !evaluatePod(pod, 'baseline', version).allowed) {
          problems.push(`${version}: allowed at restricted but denied at baseline`);
        }
        if (c.level === 'baseline' && c.expected === 'denied' && evaluatePod(pod, 'restricted', version).allowed) {
          problems.push(`${version}: denied at baseline but allowed at restricted`);
        }
        if (c.level === 'restricted' && c.expected === 'denied' && c.check_id && checks.get(c.check_id)?.level === 'baseline'
          && evaluatePod(pod, 'baseline', version).allowed) {
          problems.push(`${version}: baseline check ${c.check_id} denied at restricted but allowed at baseline`);
        }
        if (!evaluatePod(pod, 'privileged', version).allowed) problems.push(`${version}: denied at privileged`);
      }
      if (problems.length === 0) tally.agree++;
      expect(problems).toEqual([]);
    });
  }

  afterAll(() => {
    const pct = tally.total ? ((100 * tally.agree) / tally.total).toFixed(2) : '0.00';
    console.log(`Pod Security conformance: ${tally.agree} of ${tally.total} fixtures agree with upstream (${pct} %), ${tally.evaluations} level/version evaluations`);
  });
});
