// "The Privileged policy is purposely-open, and entirely unrestricted"
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/): a pod meeting the
// enforced level "privileged" (labelled, or assumed where no label and no admission defaults are
// known) was checked for nothing, so pod-security.pod-violates-enforced-level scores no pass for
// it. A weighted (high) pass there made adding a privileged, hostPID Deployment raise the
// pod-security score.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { privilegedScene } from './privileged-scene.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const ENFORCED = 'pod-security.pod-violates-enforced-level';

function audit(labels: string, withEvil: boolean, config: Config = defaultConfig()): RunReport {
  const text = privilegedScene(withEvil, labels);
  const parsed = parseManifestText(text, 'a.yaml');
  const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources });
  return auditSnapshot({ snapshot, config, now: NOW, startedAt: NOW, runId: 'r', checks: CHECKS }).report;
}

describe('the enforced level "privileged" restricts nothing (pod-security-standards: "purposely-open")', () => {
  it.each([
    ['unlabelled (privileged assumed)', '', 'assumed: no label, admission defaults unknown'],
    ['labelled enforce=privileged', ', labels: {pod-security.kubernetes.io/enforce: privileged}', 'by its label'],
  ])('%s: a privileged, hostPID Deployment earns no pass of the enforced-level check, and the check says the level is privileged', (_name, labels, how) => {
    for (const withEvil of [false, true]) {
      const report = audit(labels, withEvil);
      const check = report.checks.find((c) => c.id === ENFORCED)!;
      expect({ evaluated: check.evaluated, passed: check.passed }).toEqual({ evaluated: 0, passed: 0 });
      expect(check.excluded).toContain(`${withEvil ? 3 : 2} workloads in namespace a enforcing "privileged" (${how}) were not judged`);
      // The check moves no score: the same as with it switched off.
      const off = defaultConfig();
      off.checks[ENFORCED] = { enabled: false };
      const without = audit(labels, withEvil, off);
      expect(report.score.areas['pod-security']).toBe(without.score.areas['pod-security']);
      expect(report.score.overall).toBe(without.score.overall);
    }
  });
});
