// A waived namespace whose only workload is a CronJob: its Job's pod runs at one snapshot and not
// at the next. A CronJob is a workload whether or not a Job of it runs now — "A CronJob creates
// Jobs on a repeating schedule" (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/),
// its pods come from its jobTemplate — as a Deployment scaled to zero is one whose next pods come
// from its template (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#scaling-a-deployment).
// The namespace's default-deny finding must keep its severity and member across the churn, so
// the waiver granted on it is not "escalated" each night; a Deployment appearing in a namespace
// that ran nothing still is. Live snapshots (from manifests, templates always stand in).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type WaiverConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunDiff, RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'reports' } };
const container = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
const cronJob: KubeObject = {
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'reports', uid: 'cj-1' },
  spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'nightly' } }, spec: { ...container, restartPolicy: 'Never' } } } } },
};
/** The CronJob's Job of minute `n` and its running pod. */
const running = (n: number): KubeObject[] => {
  const job = `nightly-${n}`;
  const labels = { app: 'nightly', 'batch.kubernetes.io/controller-uid': `job-${n}`, 'batch.kubernetes.io/job-name': job };
  return [
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: job, namespace: 'reports', uid: `job-${n}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-1', controller: true }] }, spec: { template: { metadata: { labels }, spec: { ...container, restartPolicy: 'Never' } } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${job}-k2x9p`, namespace: 'reports', labels, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job, uid: `job-${n}`, controller: true }] }, spec: container, status: { phase: 'Running' } },
  ];
};
const deployment = (name: string, replicas: number): KubeObject[] => {
  const labels = { app: name, 'pod-template-hash': '5d4f8c9b7' };
  const rs = `${name}-5d4f8c9b7`;
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'reports', uid: `d-${name}` }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: container } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: 'reports', uid: `rs-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] }, spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: container } } },
    ...(replicas > 0 ? [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${rs}-q8w2z`, namespace: 'reports', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${name}`, controller: true }] }, spec: container } as KubeObject] : []),
  ];
};
const waiver: WaiverConfig = {
  check: 'network.namespace-default-deny-ingress', resource: { kind: 'Namespace', name: 'reports' },
  reason: 'batch reports are isolated at the node level', owner: 'data@example.com', expires: '2099-06-30',
};

function audit(runId: string, objects: KubeObject[]): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const config = defaultConfig();
  config.waivers = [waiver];
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'demo', collectedAt: at.toISOString() });
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return auditSnapshot({ snapshot, config, checks: [namespaceDefaultDenyIngress, allowAllIngress, policySelectsNothing], now: at, runId, startedAt: at }).report;
}
/** Audits each run and diffs it against the one before. */
function nights(...runs: KubeObject[][]): Array<{ report: RunReport; diff?: RunDiff }> {
  const out: Array<{ report: RunReport; diff?: RunDiff }> = [];
  runs.forEach((objects, i) => {
    const report = audit(`run-${i + 1}`, objects);
    out.push({ report, ...(i > 0 ? { diff: diffRuns(out[i - 1]!.report, report, { rules: defaultConfig().regression, expiredWaivers: [] }) } : {}) });
  });
  return out;
}
const finding = (r: RunReport) => r.findings.find((f) => f.check === 'network.namespace-default-deny-ingress' && f.resource.name === 'reports');

describe('a waived namespace whose only workloads come and go', () => {
  it('a CronJob between runs keeps the finding high and its member: no escalation alerted night after night', () => {
    const runs = nights([ns, cronJob, ...running(1)], [ns, cronJob], [ns, cronJob, ...running(2)]);
    expect(runs.map(({ report }) => finding(report)?.severity)).toEqual(['high', 'high', 'high']);
    expect(runs.map(({ report }) => finding(report)?.extent?.members)).toEqual([['CronJob reports/nightly'], ['CronJob reports/nightly'], ['CronJob reports/nightly']]);
    for (const { diff } of runs.slice(1)) expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('a Deployment scaled to zero is a workload too', () => {
    const runs = nights([ns, ...deployment('api', 1)], [ns, ...deployment('api', 0)], [ns, ...deployment('api', 2)]);
    expect(runs.map(({ report }) => finding(report)?.severity)).toEqual(['high', 'high', 'high']);
    for (const { diff } of runs.slice(1)) expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('a namespace that ran no workload at all is low, and a new Deployment making its waived finding high is alerted', () => {
    const [first, second] = nights([ns], [ns, ...deployment('api', 1)]);
    expect(finding(first!.report)?.severity).toBe('low');
    expect(second!.diff?.regression).toBe(true);
    expect(second!.diff?.regressionReasons).toEqual([
      'waived finding grew beyond its waiver (network.namespace-default-deny-ingress Namespace reports): network.namespace-default-deny-ingress on Namespace reports escalated low → high',
    ]);
  });

  it('an allow-all policy selecting only the CronJob\'s pods keeps its severity between runs: no "escalated low → high" when the Job runs again', () => {
    // Ingress rule {} admits every source (https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic).
    const open: KubeObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open-nightly', namespace: 'reports' },
      spec: { podSelector: { matchLabels: { app: 'nightly' } }, policyTypes: ['Ingress'], ingress: [{}] },
    };
    const runs = nights([ns, cronJob, open, ...running(1)], [ns, cronJob, open], [ns, cronJob, open, ...running(2)]);
    const allowAll = (r: RunReport) => r.findings.find((f) => f.check === 'network.allow-all-ingress');
    expect(runs.map(({ report }) => allowAll(report)?.severity)).toEqual(['high', 'high', 'high']);
    expect(allowAll(runs[1]!.report)?.message).toContain('selects the pod template of 1 workload(s) that run none at the moment (CronJob reports/nightly)');
    for (const { diff } of runs.slice(1)) expect(diff).toMatchObject({ regression: false, regressionReasons: [] });
  });

  it('a policy selecting only the CronJob\'s pods beside a running Deployment is not "selects nothing" between runs', () => {
    const deny: KubeObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'nightly-deny', namespace: 'reports' },
      spec: { podSelector: { matchLabels: { app: 'nightly' } }, policyTypes: ['Ingress'] },
    };
    const base = [ns, cronJob, deny, ...deployment('api', 1)];
    const runs = nights([...base, ...running(1)], base, [...base, ...running(2)]);
    const nothing = (r: RunReport) => r.findings.filter((f) => f.check === 'network.policy-selects-nothing');
    for (const { report } of runs) expect(nothing(report)).toEqual([]);
    for (const { diff } of runs.slice(1)) expect(diff).toMatchObject({ new: [], resolved: [] });
  });
});
