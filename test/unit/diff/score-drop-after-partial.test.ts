// A score-drop regression must not hide behind a partial run (DESIGN.md "Second wave": a check
// is diffed against the last run in which it was evaluated, no blind spot after a partial run).
// The reviewer's reproduction: the demo cluster (A), the same with NetworkPolicies forbidden (B,
// network checks not evaluated), then the demo plus a Calico GlobalNetworkPolicy allowing all
// ingress (C). Calico's reference (docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy:
// "GlobalNetworkPolicy applies to workload endpoint resources in all namespaces"; Spec table,
// selector "Selects the endpoints to which this policy applies", all() its default) has it select
// every pod, and its rule, without a source, admit every peer. Compared directly, A → C says "network score dropped";
// through B it said nothing. With regression.newFindingSeverity: critical the drop is the only
// rule that can tell.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT } from '../report/demo.ts';

const extra = mkdtempSync(join(tmpdir(), 'ztaudit-gnp-'));
afterAll(() => rmSync(extra, { recursive: true, force: true }));
writeFileSync(join(extra, '99-calico.yaml'), [
  'apiVersion: projectcalico.org/v3',
  'kind: GlobalNetworkPolicy',
  'metadata: {name: default.allow-all-temp}',
  'spec:',
  '  order: 1',
  '  selector: all()',
  '  types: [Ingress]',
  '  ingress: [{action: Allow}]',
].join('\n'));

const { config: demoConfig } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
const config = { ...demoConfig, regression: { ...demoConfig.regression, newFindingSeverity: 'critical' as const } };

function audit(runId: string, at: string, dirs: string[], change?: (s: Snapshot) => void): RunReport {
  const snapshot = loadManifests(dirs, { clusterName: 'c1', clusterVersion: 'v1.36.3' });
  change?.(snapshot);
  const now = new Date(at);
  return auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId, details: runDetails }).report;
}
const demo = join(ROOT, 'examples/demo-cluster');
const forbidNetworkPolicies = (s: Snapshot) => {
  s.resources.networkpolicies = [];
  s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' };
};

async function diffThroughStore(stored: RunReport[], current: RunReport) {
  async function* newestFirst() { for (const r of [...stored].reverse()) yield r; }
  const baseline = (await findBaseline(newestFirst(), current))!;
  return diffRuns(baseline.report, current, { rules: config.regression, expiredWaivers: [], olderRuns: baseline.olderRuns, notApplicableRuns: baseline.notApplicableRuns, namespaceRuns: baseline.namespaceRuns, fullInputRuns: baseline.fullInputRuns, fullInputReport: baseline.fullInputReport });
}

describe('an area score drop across a partial run', () => {
  const a = audit('A', '2026-12-01T02:00:00Z', [demo]);
  const b = audit('B', '2026-12-02T02:00:00Z', [demo], forbidNetworkPolicies);
  const c = audit('C', '2026-12-03T02:00:00Z', [demo, extra]);

  it('complete → partial → complete: the network score drop is a regression, named since the run its checks were compared with', async () => {
    expect(b.checks.find((x) => x.id === 'network.allow-all-ingress')?.status).toBe('not-evaluated');
    const direct = await diffThroughStore([a], c);
    const drop = direct.regressionReasons.find((r) => r.startsWith('network score dropped'));
    expect(drop).toBe(`network score dropped ${-direct.scoreDelta.areas.network!} points (${a.score.areas.network} → ${c.score.areas.network})`);

    const via = await diffThroughStore([a, b], c);
    expect(via.previousRunId).toBe('B');
    expect(via.olderBaselines?.['network.allow-all-ingress']).toBe('A');
    // Since B the delta is not meaningful (B's network score left those checks out) ...
    expect(via.scoreDelta.areas.network).toBeNull();
    // ... but the drop since the run each check was last evaluated in is judged, as directly.
    expect(via.regression).toBe(true);
    expect(via.regressionReasons).toContain(`network score dropped ${-direct.scoreDelta.areas.network!} points (${a.score.areas.network} → ${c.score.areas.network}) since run A (run B did not evaluate some of its checks or could not read all their inputs: each compared with the last run that evaluated it with all its inputs)`);
    // (B could not read NetworkPolicies, a best-effort input of network.cni-not-enforcing: compared with A too.)
    expect(via.fullInputBaselines).toEqual({ 'network.cni-not-enforcing': 'A' });
  });

  it('complete → partial → complete with nothing changed: no score-drop regression', async () => {
    const again = audit('C2', '2026-12-03T02:00:00Z', [demo]);
    const via = await diffThroughStore([a, b], again);
    expect(via.regressionReasons.filter((r) => r.includes('score dropped'))).toEqual([]);
    expect(via.regression).toBe(false);
  });
});
