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

const NOW = new Date('2026-12-01T00:00:00Z');
const ENFORCED = 'pod-security.pod-violates-enforced-level';

const deployment = (name: string, extra = '', sc = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: a}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: app
      automountServiceAccountToken: false${extra}
      containers:
      - name: c
        image: nginx:1.27
        resources: {limits: {cpu: 100m, memory: 64Mi}}
        securityContext: {readOnlyRootFilesystem: true${sc}}`;

function audit(labels: string, withEvil: boolean, config: Config = defaultConfig()): RunReport {
  const text = [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: a${labels}}`,
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}\nautomountServiceAccountToken: false',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: a}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}',
    deployment('ok1'),
    deployment('ok2'),
    ...(withEvil ? [deployment('evil', '\n      hostPID: true', ', privileged: true')] : []),
  ].join('\n---\n');
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
