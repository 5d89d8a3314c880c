// A score that dropped only because data went missing is no regression (README "Regressions"):
// uninstalling a well-kept app deletes its passing objects, and with them passes that held its
// areas' scores up; its findings are resolved. Nothing got worse, and no one could open a
// backdoor that way: deleting what protected other objects (a NetworkPolicy isolating pods)
// makes new findings, and the drop they bring still regresses. The reviewer's reproductions:
// the demo cluster without its payments namespace (mtls 69.1 → 58.9, "mtls score dropped 10.2
// points" with no new finding), and the demo without the payments NetworkPolicies.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { demoRun } from '../report/demo.ts';
import { auditObjects, clusterRole } from './fake-checks.ts';

const rules = () => defaultConfig().regression;

/** Today's snapshot without `drop` (its objects deleted). */
const without = (drop: (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) => boolean) => (s: Snapshot) => {
  for (const key of Object.keys(s.resources)) s.resources[key] = (s.resources[key] ?? []).filter((o) => !drop(o));
};

describe('an area score that dropped with nothing worse in it', () => {
  it('the payments namespace uninstalled (its workload, policies, mesh config and certificates deleted): no new finding, no score-drop regression', () => {
    const { report, previous } = demoRun({ baselineRbac: true, change: without((o) => o.metadata?.namespace === 'payments' || (o.kind === 'Namespace' && o.metadata?.name === 'payments')) });
    const d = diffRuns(previous, report, { rules: rules(), expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.resolved.length).toBeGreaterThan(0);
    // The drop is there, past the threshold, and explained as passes gone and findings resolved.
    expect(d.scoreDelta.areas.mtls).toBeLessThanOrEqual(-rules().areaScoreDrop);
    expect(new Set(d.scoreChanges!.mtls!.causes.map((c) => c.kind))).toEqual(new Set(['passes-removed', 'resolved-findings']));
    expect(d.regressionReasons).toEqual([]);
    expect(d.regression).toBe(false);
  });

  it('passing ClusterRoles deleted while the one failing stays: the score falls to 0, and that is no regression', () => {
    const roles = (names: string[]) => [...names.map((n) => clusterRole(n, ['get'])), clusterRole('e', ['*'])];
    const d = diffRuns(auditObjects(roles(['a', 'b', 'c', 'd']), { runId: 'A' }).report, auditObjects(roles([]), { runId: 'B' }).report, { rules: rules(), expiredWaivers: [] });
    expect(d.scoreDelta.areas.rbac).toBe(-80);
    expect(d).toMatchObject({ new: [], resolved: [], persisting: 1, regression: false, regressionReasons: [] });
  });
});

// A pod is isolated for ingress when any NetworkPolicy selects it
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation):
// with both payments policies deleted, payments-api is open again.
describe('a score drop that posture makes still regresses', () => {
  it('the NetworkPolicies isolating payments-api deleted: new findings, and "network score dropped" with the new-finding rule off', () => {
    const { report, previous } = demoRun({ baselineRbac: true, change: without((o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === 'payments') });
    const d = diffRuns(previous, report, { rules: { ...rules(), newFindingSeverity: 'none' }, expiredWaivers: [] });
    const fresh = report.findings.filter((f) => d.new.includes(f.fingerprint)).map((f) => `${f.check} on ${f.resource.kind} ${f.resource.name}`).sort();
    expect(fresh).toEqual(['network.namespace-default-deny-egress on Namespace payments', 'network.namespace-default-deny-ingress on Namespace payments']);
    expect(d.regressionReasons).toEqual([`network score dropped ${-d.scoreDelta.areas.network!} points (${previous.score.areas.network} → ${report.score.areas.network})`]);
    expect(d.scoreDelta.areas.network).toBeLessThanOrEqual(-rules().areaScoreDrop);
    // The drop is the new findings': serve --watch holds it back with them.
    expect(d.newFindingReasons).toBe(1);
  });
});
