// A workload running no pod now is judged by its template (a CronJob between runs, a Deployment
// scaled to zero: its next pods come from it), and the finding says so. A SUSPENDED CronJob makes
// no next pod: with spec.suspend true "all subsequent executions are suspended"
// (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-suspension), so it
// is no workload of its namespace now: a namespace holding only it runs no workloads (low), and a
// policy selecting only it selects nothing, the finding naming the suspended CronJob.
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } };
const container = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
const cronJob = (suspend: boolean): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'batch', uid: 'cj-1' },
  spec: { ...(suspend ? { suspend: true } : {}), schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { ...container, restartPolicy: 'Never' } } } } },
});
const idleDeployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'batch', uid: 'd-api' }, spec: { replicas: 0, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: container } } };
const runningPod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-1', namespace: 'batch', labels: { app: 'api' } }, spec: container, status: { phase: 'Running' } };
const policy: KubeObject = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'report-ingress', namespace: 'batch' },
  spec: { podSelector: { matchLabels: { app: 'report' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
};

/** A live cluster's audit (no pod runs: the CronJob has no Job now). */
function audit(objects: KubeObject[]): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'demo', collectedAt: at.toISOString() });
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: [namespaceDefaultDenyIngress, namespaceDefaultDenyEgress, policySelectsNothing], now: at, runId: 'r1', startedAt: at }).report;
}
const findingOf = (r: RunReport, check: string) => r.findings.filter((f) => f.check === check);

describe('a suspended CronJob is not an idle workload', () => {
  it('a namespace holding only a suspended CronJob runs no workloads: low, never high', () => {
    const r = audit([ns, cronJob(true)]);
    for (const check of ['network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress']) {
      const fs = findingOf(r, check);
      expect(fs.map((f) => f.severity)).toEqual(['low']);
      expect(fs[0].message).toContain('namespace batch runs no workloads yet');
    }
    expect(r.findings.filter((f) => f.severity === 'high')).toEqual([]);
  });

  it('a policy selecting only the suspended CronJob\'s template (another pod runs there): policy-selects-nothing fails, saying the CronJob is suspended', () => {
    const r = audit([ns, runningPod, cronJob(true), policy]);
    const fs = findingOf(r, 'network.policy-selects-nothing');
    expect(fs.map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(['batch/report-ingress']);
    expect(fs[0].message).toContain('it selects only the pod template of CronJob batch/report, suspended (spec.suspend: true), which starts no Job until resumed');
  });

  it('a policy selecting only the suspended CronJob of a namespace that runs nothing else says so, not "runs no workloads yet"', () => {
    const r = audit([ns, cronJob(true), policy]);
    const check = r.checks.find((c) => c.id === 'network.policy-selects-nothing')!;
    expect(check.status).toBe('pass');
    const open = { ...policy, metadata: { name: 'report-open', namespace: 'batch' }, spec: { podSelector: { matchLabels: { app: 'report' } }, policyTypes: ['Ingress'], ingress: [{}] } };
    const at = new Date('2026-12-01T02:00:00Z');
    const snapshot = snapshotFromObjects(structuredClone([ns, cronJob(true), open]), { clusterName: 'demo', collectedAt: at.toISOString() });
    Object.assign(snapshot, { source: 'live', origin: 'live' });
    const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: [allowAllIngress], now: at, runId: 'r2', startedAt: at }).report;
    const [f] = report.findings.filter((x) => x.check === 'network.allow-all-ingress');
    expect(f).toMatchObject({ severity: 'low' });
    expect(f.message).toContain('namespace batch runs no workloads, so it selects no pod now, only the pod template of CronJob batch/report, suspended (spec.suspend: true), which starts no Job until resumed, but the pods it will select start open');
    expect(f.message).not.toContain('yet');
  });

  it('an unsuspended CronJob between runs keeps the high finding, which says it runs no pod now and is judged by its template', () => {
    const fs = findingOf(audit([ns, cronJob(false)]), 'network.namespace-default-deny-ingress');
    expect(fs.map((f) => f.severity)).toEqual(['high']);
    expect(fs[0].message).toBe('1 workload(s) in namespace batch are not isolated for ingress: every source may connect to them (CronJob batch/report runs no pod now; judged by its template)');
    // Its policy selects its template: its next pods, not nothing.
    expect(findingOf(audit([ns, runningPod, cronJob(false), policy]), 'network.policy-selects-nothing')).toEqual([]);
  });

  it('a Deployment scaled to zero: the same wording', () => {
    const fs = findingOf(audit([ns, idleDeployment]), 'network.namespace-default-deny-ingress');
    expect(fs.map((f) => f.severity)).toEqual(['high']);
    expect(fs[0].message).toBe('1 workload(s) in namespace batch are not isolated for ingress: every source may connect to them (Deployment batch/api runs no pod now; judged by its template)');
  });
});
