// evaluatePod's `only`: a caller that reads a few checks (rbac.pod-exec-attach reads the baseline
// controls that reach the node) runs those alone and gets their failures as a full evaluation
// reports them. Proven on upstream PodSecurity admission's own fixtures
// (kubernetes/pod-security-admission test/testdata, in ../shared/conformance/pod-security): each
// denied fixture records the upstream check it was built to break (check_id). Evaluated with every
// check but those it fails (that one, or the restricted check replacing it) it is admitted, and
// evaluated with those alone it is denied exactly as a full evaluation denies it, at every policy
// version its directory stands for.
import { describe, expect, it } from 'vitest';
import { checkIdsAt, effectiveMinor, evaluatePod, parsePolicyVersion } from '../../src/analysis/pss/index.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;
const denied = (data?.cases ?? []).filter((c) => c.expected === 'denied' && c.check_id !== null);

describe.skipIf(!data)('evaluatePod with `only` on the upstream fixtures', () => {
  it('reads the denied fixtures that name their check', () => {
    expect(denied.length).toBeGreaterThan(600);
  });

  it('a fixture evaluated with every check but those it fails is admitted; with those alone, denied as in a full evaluation', () => {
    const problems: string[] = [];
    let evaluations = 0;
    for (const c of denied) {
      const pod = data!.pod(c);
      for (const version of c.applies_to_versions) {
        const full = evaluatePod(pod, c.level, version);
        // The check that fires may be a restricted one replacing the named baseline one (restrictedVolumes for hostPathVolumes).
        const fired = new Set(full.failures.map((f) => f.id));
        const ids = checkIdsAt(c.level, effectiveMinor(parsePolicyVersion(version) ?? 'latest'));
        const others = new Set(ids.filter((id) => !fired.has(id)));
        const without = evaluatePod(pod, c.level, version, { only: others });
        const alone = evaluatePod(pod, c.level, version, { only: fired });
        evaluations++;
        if (!without.allowed || without.failures.length > 0) problems.push(`${c.path} ${version} without ${[...fired].join(', ')}: ${without.failures.map((f) => f.id).join(', ')}`);
        if (alone.allowed || JSON.stringify(alone.failures) !== JSON.stringify(full.failures)) problems.push(`${c.path} ${version} with ${[...fired].join(', ')} alone: ${JSON.stringify(alone.failures)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(evaluations).toBeGreaterThan(denied.length);
  });
});
