// A score that dropped only because data went missing is no regression (README "Regressions"):
// uninstalling a well-kept app deletes its passing objects, and with them passes that held its
// areas' scores up; its findings are resolved. Nothing got worse, and no one could open a
// backdoor that way: deleting what protected other objects (a NetworkPolicy isolating pods)
// makes new findings, or widens one (one more workload open), and the drop still regresses. The reviewer's reproductions:
// the demo cluster without its payments namespace (mtls 69.1 → 58.9, "mtls score dropped 10.2
// points" with no new finding), and the demo without the payments NetworkPolicies.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
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

  // No new finding here: namespace ops already failed default-deny (Deployment a open), and
  // now covers Deployment b too. The deleted policy's own passes are all the score shows, so
  // only the widening tells that from an object merely deleted.
  it('the NetworkPolicy isolating Deployment ops/b deleted in a namespace already failing: the finding widens, and the drop regresses', () => {
    const dep = (name: string): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ops' },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/ops:1.0' }] } } },
    });
    const isolateB: KubeObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'b-from-a', namespace: 'ops' },
      spec: { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 8080 }] }], egress: [{ to: [{ podSelector: { matchLabels: { app: 'a' } } }] }] },
    };
    const audit = (runId: string, objects: KubeObject[]) => {
      const at = new Date('2026-12-01T02:00:00Z');
      return auditSnapshot({ snapshot: snapshotFromObjects(objects, { clusterName: 'c', collectedAt: at.toISOString() }), config: defaultConfig(), checks: CHECKS, now: at, runId, startedAt: at }).report;
    };
    const base = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } }, dep('a'), dep('b')];
    const before = audit('A', [...base, isolateB]);
    const after = audit('B', base);
    // Alerting only on critical findings: the widened high finding alone does not regress.
    const d = diffRuns(before, after, { rules: { ...rules(), newFindingSeverity: 'critical' }, expiredWaivers: [] });
    expect(d.new).toEqual([]);
    expect(d.widened?.map((w) => [w.check, w.resource.name, w.added])).toEqual([
      ['network.namespace-default-deny-ingress', 'ops', ['Deployment ops/b']],
      ['network.namespace-default-deny-egress', 'ops', ['Deployment ops/b']],
    ]);
    expect(new Set(d.scoreChanges!.network!.causes.map((c) => c.kind))).toEqual(new Set(['passes-removed']));
    expect(d.regressionReasons).toEqual([`network score dropped ${-d.scoreDelta.areas.network!} points (${before.score.areas.network} → ${after.score.areas.network})`]);
  });
});
