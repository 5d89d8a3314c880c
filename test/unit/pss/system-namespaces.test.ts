// System namespaces (config systemNamespaces) are left out of pod-violates-target by default, as
// of the hardening checks; the run says what that hides, so a privileged Deployment planted in
// kube-system is not a silent pass. (Privileged, hostPID and hostPath break the baseline level:
// https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline.)
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import type { RunReport } from '../../../src/run/types.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const TARGET = 'pod-security.pod-violates-target';

const deployment = (ns: string, name: string, podSpec: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n${podSpec}`;

const PRIVILEGED = '      hostPID: true\n      containers: [{name: a, image: attacker/miner, securityContext: {privileged: true, readOnlyRootFilesystem: true}, resources: {limits: {cpu: 1, memory: 1Gi}}}]\n';
const RESTRICTED = '      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers: [{name: a, image: x, securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}, resources: {limits: {cpu: 1, memory: 1Gi}}}]\n';

function audit(docs: string[]): RunReport {
  const parsed = parseManifestText(docs.join('\n---\n'), 'all.yaml');
  const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
}

describe('pod-violates-target and system namespaces', () => {
  it('a privileged Deployment in kube-system is excluded by default, and the coverage sentence names it', () => {
    const report = audit([
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}',
      deployment('kube-system', 'evil', PRIVILEGED),
      deployment('kube-system', 'fine', RESTRICTED),
    ]);
    const check = report.checks.find((c) => c.id === TARGET)!;
    expect(report.findings.filter((f) => f.check === TARGET)).toEqual([]);
    expect(check.excluded).toBe('2 workloads in system namespaces (config systemNamespaces) excluded by default; 1 would fail the target level restricted (Deployment kube-system/evil)');
  });

  it('no workload in a system namespace: nothing said', () => {
    const report = audit(['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}', deployment('shop', 'fine', RESTRICTED)]);
    expect(report.checks.find((c) => c.id === TARGET)!.excluded).toBeUndefined();
  });
});
