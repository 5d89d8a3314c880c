// Slimming a pod (src/snapshot/slim.ts) keeps everything Pod Security Admission judges: every
// upstream pod-security-admission fixture (AppArmor and seccomp annotations, host namespaces,
// volumes, securityContexts) gets the same verdict and the same failures, slimmed or not, at
// every level and policy version its directory stands for.

import { describe, expect, it } from 'vitest';
import { evaluatePod } from '../../src/analysis/pss/index.ts';
import { slimObject } from '../../src/snapshot/slim.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;

describe.skipIf(!data)('a slimmed pod keeps its Pod Security verdict (upstream pod-security-admission fixtures)', () => {
  it('every fixture, at every level and version', () => {
    const cases = data!.cases;
    expect(cases.length).toBe(1286);
    let annotated = 0;
    for (const c of cases) {
      const pod = data!.pod(c) as KubeObject;
      // As the API server serves it: with managedFields, kubectl's copy and an unrelated annotation.
      const served = structuredClone(pod) as KubeObject;
      served.metadata = { ...(served.metadata ?? {}), annotations: { ...(served.metadata?.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'example.com/owner': 'team' } };
      (served.metadata as Record<string, unknown>).managedFields = [{ manager: 'kubectl' }];
      const slim = slimObject('pods', served);
      if (Object.keys(pod.metadata?.annotations ?? {}).length > 0) {
        annotated++;
        expect(slim.metadata?.annotations, c.path).toEqual(pod.metadata?.annotations);
      }
      for (const level of ['baseline', 'restricted'] as const) {
        for (const version of c.applies_to_versions) {
          expect(evaluatePod(slim, level, version), `${c.path} ${level} ${version}`).toEqual(evaluatePod(pod, level, version));
        }
      }
    }
    // The AppArmor and seccomp annotation fixtures are among them.
    expect(annotated).toBeGreaterThan(10);
  });
});
