// The reverse of degraded-input.test.ts: a check that reads a best-effort kind to LOWER a
// severity, so that its run without it raises it. pod-security.enforce-missing is medium where
// a policy engine runs (recognised by its image in Deployments, StatefulSets, DaemonSets or
// Pods: src/analysis/pss/engines.ts; Kyverno's chart runs its admission controller from the
// kyverno/kyverno image, kyverno/kyverno charts/kyverno/values.yaml) and high where none is
// seen, also when a workload kind could not be read (a 403 on the list: the authorizer refusing
// it, https://kubernetes.io/docs/reference/access-authn-authz/authorization/). On identical
// input the run that could not read StatefulSets reported "escalated medium → high" (exit 1
// under --fail-on regression), and the next complete run "1 finding de-escalated high → medium"
// in its score causes: both a change of input, not of the cluster. DESIGN.md: "Missing data is
// not a fix", and a verdict not confirmed is said so rather than guessed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/types.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { rebuiltAreaScores } from '../../../src/diff/score-causes.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunDiff, RunReport } from '../../../src/run/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const ID = 'pod-security.enforce-missing';

/** The demo cluster with Kyverno's admission controller running as a StatefulSet in namespace kyverno. */
function demo(): { snapshot: Snapshot; config: Config } {
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  const snapshot = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
  const kyverno = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kyverno-admission-controller', namespace: 'kyverno' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'kyverno', image: 'reg.kyverno.io/kyverno/kyverno:v1.13.0' }] } } } } as unknown as KubeObject;
  (snapshot.resources.statefulsets ??= []).push(kyverno);
  snapshot.coverage.statefulsets = { status: 'ok' };
  return { snapshot, config };
}

function forbid(snapshot: Snapshot, kind: KindKey): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (refused in test)` };
  delete s.resources[kind];
  return s;
}

const audit = (snapshot: Snapshot, config: Config, runId: string, at: Date): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: at, startedAt: at, runId }).report;
async function* newestFirst(runs: RunReport[]) { for (const r of runs) yield r; }

async function diffed(stored: RunReport[], current: RunReport, config: Config): Promise<RunDiff> {
  const b = (await findBaseline(newestFirst(stored), current))!;
  return diffRuns(b.report, current, { rules: config.regression, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns, fullInputRuns: b.fullInputRuns, fullInputReport: b.fullInputReport });
}

const severities = (r: RunReport) => r.findings.filter((f) => f.check === ID).map((f) => `${f.resource.name} ${f.severity}`).sort();
/** Every line of the diff that says a finding's severity went up or down. */
const severityTalk = (d: RunDiff) => [
  ...d.regressionReasons.filter((r) => /escalated/.test(r)),
  ...Object.values(d.scoreChanges ?? {}).flatMap((a) => a!.causes.map((c) => c.text)).filter((t) => /escalated/.test(t)),
];

describe('a check whose unread input RAISES its severity: no escalation, no de-escalation, no score drop on identical input', () => {
  it('StatefulSets forbidden in run 2: run 2 reports no "escalated medium → high", run 3 no "de-escalated high → medium"', async () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    const partial = audit(forbid(snapshot, 'statefulsets'), config, 'run-2', days(1));
    // The check ran without the StatefulSets, records it, and raised the namespace to high.
    expect(partial.checks.find((c) => c.id === ID)?.degraded).toEqual(['statefulsets']);
    expect(severities(full)).toContain('monitoring medium');
    expect(severities(partial)).toContain('monitoring high');
    const d2 = await diffed([full], partial, config);
    expect(severityTalk(d2)).toEqual([]);
    expect(d2.scoreChanges?.['pod-security']?.causes.find((c) => c.check === ID)?.text).toBe('1 finding medium → high, not compared: this run judged it without statefulsets, which it could not read');
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const d3 = await diffed([partial, full], again, config);
    expect(severityTalk(d3)).toEqual([]);
    expect(d3.regressionReasons.filter((r) => /score dropped/.test(r))).toEqual([]);
    expect(d3.fullInputBaselines?.[ID]).toBe('run-1');
  });

  it('the degraded run\'s own pod-security score drop is not judged (its score counted the raised severities)', async () => {
    const { snapshot, config } = demo();
    const sensitive: Config = { ...config, regression: { ...config.regression, areaScoreDrop: 0.1 } };
    const full = audit(structuredClone(snapshot), sensitive, 'run-1', days(0));
    // Run 2 as the StatefulSets forbidden leave enforce-missing alone (every other check as in run 1).
    const raised = full.findings.map((f) => (f.check === ID && f.severity === 'medium' ? { ...f, severity: 'high' as const } : f));
    const checks = full.checks.map((c) => (c.id === ID ? { ...c, degraded: ['statefulsets'] } : c));
    const partial: RunReport = { ...full, run: { ...full.run, id: 'run-2', startedAt: days(1).toISOString() }, checks, findings: raised };
    partial.score = { ...full.score, areas: { ...full.score.areas, ...Object.fromEntries(Object.entries(rebuiltAreaScores(partial)).filter(([a]) => a === 'pod-security')) } };
    expect(partial.score.areas['pod-security']!).toBeLessThan(full.score.areas['pod-security']!);
    const d = await diffed([full], partial, sensitive);
    expect(d.regressionReasons).toEqual([]);
    expect(d.scoreDelta.areas['pod-security']).toBeNull();
  });

  it('a real escalation between two complete runs is still reported (Kyverno removed: medium → high)', async () => {
    const { snapshot, config } = demo();
    const withKyverno = audit(structuredClone(snapshot), config, 'run-1', days(0));
    const gone = structuredClone(snapshot);
    gone.resources.statefulsets = gone.resources.statefulsets!.filter((o) => o.metadata?.name !== 'kyverno-admission-controller');
    const without = audit(gone, config, 'run-2', days(1));
    expect(without.checks.find((c) => c.id === ID)?.degraded).toBeUndefined();
    const d = await diffed([withKyverno], without, config);
    expect(d.regressionReasons).toContain(`escalated medium → high: ${ID} on Namespace monitoring`);
  });

  it('two runs that missed the same kinds compare as ever (the same basis): no change is no change', async () => {
    const { snapshot, config } = demo();
    const a = audit(forbid(snapshot, 'statefulsets'), config, 'run-1', days(0));
    const b = audit(forbid(snapshot, 'statefulsets'), config, 'run-2', days(1));
    const d = await diffed([a], b, config);
    expect(d.regressionReasons).toEqual([]);
    expect(d.scoreDelta.areas['pod-security']).toBe(0);
  });
});
