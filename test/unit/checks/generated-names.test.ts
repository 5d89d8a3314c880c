// Pod Security and RBAC findings about workloads made anew under a generated name each night are
// the same finding every night (stableVerdicts, src/analysis/workloads.ts), while their message
// names the pod that runs now. Real checks, real diff, live-shaped objects.
//
// Names per upstream: a CronJob's Job is named after it and its scheduled time, the Job's pod
// gets a random suffix (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/);
// the API server appends 5 random characters to a generateName
// (https://kubernetes.io/docs/reference/using-api/api-concepts/#generated-values; apimachinery's
// util/rand alphabet has no vowels and no 0, 1 or 3); Argo's controller labels a Workflow's pods
// with workflows.argoproj.io/workflow only (argo-workflows workflow/controller/workflowpod.go),
// a CronWorkflow names its Workflows "<name>-<Unix seconds>" (workflow/cron/operator.go);
// Tekton labels a TaskRun's pod tekton.dev/taskRun, tekton.dev/pipelineRun, tekton.dev/pipeline
// (https://tekton.dev/docs/pipelines/labels/, "Automatic labeling"). Privileged fails the
// baseline level (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const CHECK_IDS = [
  'pod-security.pod-violates-target', 'pod-security.pod-violates-enforced-level', 'pod-security.writable-root-filesystem',
  'pod-security.resource-limits-missing', 'rbac.serviceaccount-token-automount', 'rbac.default-serviceaccount-used',
];
const checks = CHECKS.filter((c) => CHECK_IDS.includes(c.id));

const privileged = { containers: [{ name: 'main', image: 'busybox:1.36', securityContext: { privileged: true } }] };
const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } };
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ci' } };

/** A CronJob, the Job it made at `stamp` and that Job's running pod. */
const cronJob = (stamp: string, suffix: string): KubeObject[] => {
  const job = `nightly-${stamp}`;
  return [
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'ci', uid: 'cj' }, spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: privileged } } } } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: job, namespace: 'ci', uid: `j-${job}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj', controller: true }] }, spec: { template: { spec: privileged } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${job}-${suffix}`, namespace: 'ci', labels: { 'batch.kubernetes.io/job-name': job }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job, uid: `j-${job}`, controller: true }] }, spec: privileged },
  ];
};
/** The pod of Workflow `wf` (not collected), with only the label Argo's controller sets. */
const workflowPod = (wf: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `${wf}-main-3584011442`, namespace: 'ci', labels: { 'workflows.argoproj.io/workflow': wf, 'workflows.argoproj.io/completed': 'false' }, ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: wf, uid: `u-${wf}`, controller: true }] },
  spec: privileged,
});
/** The pod of TaskRun `<run>-<task>` of PipelineRun `run` of Pipeline `pipeline`. */
const taskRunPod = (pipeline: string, run: string, task: string, spec: Record<string, unknown> = privileged): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `${run}-${task}-pod`, namespace: 'ci',
    labels: { 'tekton.dev/taskRun': `${run}-${task}`, 'tekton.dev/pipelineRun': run, 'tekton.dev/pipeline': pipeline, 'tekton.dev/pipelineTask': task },
    ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: `${run}-${task}`, uid: `u-${run}-${task}`, controller: true }],
  },
  spec,
});
/** A pod some tool made with generateName `debug-`, running as the namespace's default account. */
const debugPod = (suffix: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `debug-${suffix}`, generateName: 'debug-', namespace: 'ci' }, spec: privileged });

const night1 = [ns, sa, ...cronJob('28934521', 'k2x9p'), workflowPod('report-x7k2p'), taskRunPod('release', 'release-run-q8w2z', 'build'), debugPod('b7c9d')];
const night2 = [ns, sa, ...cronJob('28935961', 'fz4wq'), workflowPod('report-m4n9z'), taskRunPod('release', 'release-run-z5c4v', 'build'), debugPod('w2rtg')];

type Waiver = ReturnType<typeof defaultConfig>['waivers'][number];
function audit(runId: string, objects: KubeObject[], waivers: Waiver[] = []): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const config = defaultConfig();
  config.waivers = waivers;
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'demo', collectedAt: at.toISOString() });
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return auditSnapshot({ snapshot, config, checks, now: at, runId, startedAt: at }).report;
}
function nights(before: RunReport, after: KubeObject[], waivers: Waiver[] = []): RunReport {
  const second = audit('run-2', after, waivers);
  second.diff = diffRuns(before, second, { rules: defaultConfig().regression, expiredWaivers: [] });
  return second;
}
const named = (findings: readonly Finding[], fingerprints: readonly string[]): string[] =>
  findings.filter((f) => fingerprints.includes(f.fingerprint)).map((f) => `${f.check} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`).sort();
const about = (r: RunReport, check: string, kind: string, name: string): Finding | undefined =>
  r.findings.find((f) => f.check === check && f.resource.kind === kind && f.resource.name === name);

describe('Pod Security and RBAC findings about workloads of a new generated name each night', () => {
  it('the same privileged containers in tomorrow\'s CronJob, Workflow, TaskRun and generateName pods: no new, no resolved, no regression', () => {
    const first = audit('run-1', night1);
    // Every check fails on every such workload the first night: the second night has something to lose.
    expect(new Set(first.findings.map((f) => f.check))).toEqual(new Set(CHECK_IDS));
    const second = nights(first, night2);
    expect(named(first.findings, second.diff!.resolved)).toEqual([]);
    expect(named(second.findings, second.diff!.new)).toEqual([]);
    expect(second.diff!.regression).toBe(false);
    expect(second.findings.filter((f) => f.check === 'pod-security.pod-violates-target').map((f) => `${f.resource.kind} ${f.resource.name}`).sort()).toEqual([
      'CronJob nightly', 'Pipeline release', 'Pod debug-*', 'Workflow report-*',
    ]);
  });

  it('each finding\'s message names the pod that runs now, which a waiver for yesterday\'s workload no longer covers', () => {
    const second = nights(audit('run-1', night1), night2);
    expect(about(second, 'pod-security.pod-violates-enforced-level', 'CronJob', 'nightly')?.message).toMatch(/^CronJob ci\/nightly \(now pod ci\/nightly-28935961-fz4wq\): 1 of 1 pod violates/);
    expect(about(second, 'pod-security.pod-violates-target', 'Workflow', 'report-*')?.message).toMatch(/^Workflow ci\/report-\* \(now Workflow ci\/report-m4n9z, pod ci\/report-m4n9z-main-3584011442\): 1 of 1 pod violates .*privileged/);
    expect(about(second, 'pod-security.writable-root-filesystem', 'Pipeline', 'release')?.message).toBe('Pipeline ci/release (now TaskRun ci/release-run-z5c4v-build, pod ci/release-run-z5c4v-build-pod): main: readOnlyRootFilesystem is not true');
    const token = about(second, 'rbac.serviceaccount-token-automount', 'Pod', 'debug-*');
    expect(token?.message).toMatch(/^Pod ci\/debug-\* \(now Pod ci\/debug-w2rtg\) mounts an API token of ServiceAccount ci\/default/);
    expect(token?.related).toEqual([{ kind: 'Pod', namespace: 'ci', name: 'debug-w2rtg' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'default' }]);
  });

  it('a truly new privileged workload still shows as new: a regression naming it', () => {
    const second = nights(audit('run-1', night1), [...night2, taskRunPod('deploy', 'deploy-run-h8k2s', 'apply'), workflowPod('etl-daily')]);
    expect(named(second.findings, second.diff!.new).filter((f) => f.startsWith('pod-security.pod-violates-enforced-level'))).toEqual([
      'pod-security.pod-violates-enforced-level Pipeline ci/deploy',
      'pod-security.pod-violates-enforced-level Workflow ci/etl-daily',
    ]);
    expect(second.diff!.regressionReasons).toContain('new high finding: pod-security.pod-violates-enforced-level on Pipeline ci/deploy');
  });

  it('a waiver written for the stable name keeps covering tomorrow\'s pod', () => {
    const waivers: Waiver[] = [
      { check: 'pod-security.pod-violates-enforced-level', resource: { kind: 'Pipeline', namespace: 'ci', name: 'release' }, reason: 'builds need privileged until the buildkit move', owner: 'ci@example.com', expires: '2099-06-30' },
      { check: 'pod-security.pod-violates-enforced-level', resource: { kind: 'Workflow', namespace: 'ci', name: 'report-*' }, reason: 'reporting runs privileged until Q3', owner: 'data@example.com', expires: '2099-06-30' },
    ];
    const second = nights(audit('run-1', night1, waivers), night2, waivers);
    expect(about(second, 'pod-security.pod-violates-enforced-level', 'Pipeline', 'release')?.waived).toBe(true);
    expect(about(second, 'pod-security.pod-violates-enforced-level', 'Workflow', 'report-*')?.waived).toBe(true);
    expect(second.waivers.filter((w) => w.state !== 'active' || w.matched === 0)).toEqual([]);
  });

  it('two TaskRuns of one Pipeline make one finding at the worse severity, worded after the worse one, naming both', () => {
    // Baseline-clean but short of restricted: medium for the target check; privileged: high.
    const unhardened = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
    const r = audit('run-1', [ns, sa, taskRunPod('release', 'release-run-q8w2z', 'test', unhardened), taskRunPod('release', 'release-run-q8w2z', 'build')]);
    const target = r.findings.filter((f) => f.check === 'pod-security.pod-violates-target');
    expect(target).toHaveLength(1);
    expect(target[0]).toMatchObject({ resource: { kind: 'Pipeline', namespace: 'ci', name: 'release' }, severity: 'high' });
    // The high severity comes from the privileged TaskRun: the message says so, not its milder sibling's text.
    expect(target[0].message).toMatch(/^Pipeline ci\/release \(now TaskRun ci\/release-run-q8w2z-build, pod ci\/release-run-q8w2z-build-pod\): .*privileged \(container "main" must not/);
    expect(target[0].message).toMatch(/ 1 more of its workloads fail too \(TaskRun ci\/release-run-q8w2z-test\)\.$/);
    // What each workload fails stays told apart.
    const members = (target[0].evidence as { members?: Array<{ ref: { name: string }; checks: string[] }> }).members;
    expect(members?.map((m) => [m.ref.name, m.checks.includes('privileged')])).toEqual([['release-run-q8w2z-test', false], ['release-run-q8w2z-build', true]]);
    // A message with no closing period is joined to "N more" by one.
    const writable = r.findings.find((f) => f.check === 'pod-security.writable-root-filesystem');
    expect(writable?.message).toMatch(/readOnlyRootFilesystem is not true\. 1 more of its workloads fail too/);
  });

  it('the first run after the upgrade compares a grouped finding with the worst of its stored workloads\' findings, resolving none', () => {
    const unhardened = { containers: [{ name: 'main', image: 'busybox:1.36' }] };
    const now = audit('run-2', [ns, sa, taskRunPod('release', 'release-run-q8w2z', 'test', unhardened), taskRunPod('release', 'release-run-q8w2z', 'build')]);
    const check = 'pod-security.pod-violates-target';
    const grouped = now.findings.find((f) => f.check === check)!;
    expect(grouped.severity).toBe('high');
    // What the earlier ztaudit stored: one finding per TaskRun, the first (test) medium, the second (build) high.
    const stored = structuredClone(now);
    stored.run = { ...stored.run, id: 'run-1' };
    const [test, build] = (grouped.evidence as { workloads: Finding['resource'][] }).workloads;
    expect([test.name, build.name]).toEqual(['release-run-q8w2z-test', 'release-run-q8w2z-build']);
    const own = (ref: Finding['resource'], severity: Finding['severity']): Finding => ({ ...structuredClone(grouped), resource: ref, fingerprint: fingerprintOf(check, ref), severity, extent: undefined });
    stored.findings = [...stored.findings.filter((f) => f.check !== check), own(test, 'medium'), own(build, 'high')];
    const diff = diffRuns(stored, now, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.new).toEqual([]);
    expect(diff.resolved).toEqual([]);
    expect(diff.regressionReasons.filter((r) => /escalated/.test(r))).toEqual([]);
    expect(diff.regression).toBe(false);
  });

  it('the first run after the upgrade pairs a finding stored under the workload\'s own name: no new, no resolved', () => {
    const now = audit('run-2', night1);
    // What the earlier ztaudit stored: the same findings, each keyed by the workload itself.
    const stored = structuredClone(now);
    stored.run = { ...stored.run, id: 'run-1' };
    for (const f of stored.findings) {
      const own = (f.evidence as { workloads?: Finding['resource'][] } | undefined)?.workloads?.[0];
      if (own) Object.assign(f, { resource: own, fingerprint: fingerprintOf(f.check, own) });
    }
    expect(stored.findings.filter((f, i) => f.fingerprint !== now.findings[i].fingerprint).length).toBeGreaterThanOrEqual(12);
    const diff = diffRuns(stored, now, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.new).toEqual([]);
    expect(diff.resolved).toEqual([]);
    expect(diff.regression).toBe(false);
  });

  // Tekton names a PipelineRun's TaskRun `<PipelineRun>-<pipeline task>`
  // (https://tekton.dev/docs/pipelines/pipelineruns/), the PipelineRun from its generateName plus 5
  // random characters (https://kubernetes.io/docs/reference/using-api/api-concepts/#generated-values).
  it('the first run after the upgrade, the nightly Pipeline having run again since: its stored TaskRun findings persist, an unrelated one resolves', () => {
    const check = 'pod-security.pod-violates-enforced-level';
    const now = audit('run-2', [ns, sa, taskRunPod('release', 'release-run-z5c4v', 'dind')]);
    const grouped = about(now, check, 'Pipeline', 'release')!;
    expect((grouped.evidence as { workloads: Finding['resource'][] }).workloads.map((w) => w.name)).toEqual(['release-run-z5c4v-dind']);
    // What the earlier ztaudit stored the night before, under last night's TaskRun names.
    const stored = structuredClone(now);
    stored.run = { ...stored.run, id: 'run-1' };
    const own = (f: Finding, name: string): Finding => {
      const ref = { kind: 'TaskRun', namespace: 'ci', name, apiVersion: 'tekton.dev/v1' };
      return { ...structuredClone(f), resource: ref, fingerprint: fingerprintOf(f.check, ref), evidence: undefined, related: undefined, extent: undefined };
    };
    stored.findings = [
      ...stored.findings.map((f) => (f.resource.kind === 'Pipeline' ? own(f, 'release-run-q8w2z-dind') : f)),
      own(grouped, 'deploy-run-h8k2s-apply'),
      own(grouped, 'release-run-q8w2z-lint'),
    ];
    const diff = diffRuns(stored, now, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(named(now.findings, diff.new)).toEqual([]);
    // Another Pipeline's TaskRun, and a task of the release Pipeline that no longer runs, are resolved.
    expect(named(stored.findings, diff.resolved)).toEqual([`${check} TaskRun ci/deploy-run-h8k2s-apply`, `${check} TaskRun ci/release-run-q8w2z-lint`]);
    expect(diff.regressionReasons).toEqual([]);
    expect(diff.regression).toBe(false);
  });

  it('after the upgrade, a stored TaskRun whose name fits two Pipelines\' runs is not guessed: it resolves, each Pipeline is new', () => {
    const check = 'pod-security.pod-violates-enforced-level';
    // Two Pipelines whose PipelineRuns share the generateName `release-run-` and a task `dind`.
    const now = audit('run-2', [ns, sa, taskRunPod('release', 'release-run-z5c4v', 'dind'), taskRunPod('hotfix', 'release-run-m4n9z', 'dind')]);
    const grouped = about(now, check, 'Pipeline', 'release')!;
    const stored = structuredClone(now);
    stored.run = { ...stored.run, id: 'run-1' };
    const ref = { kind: 'TaskRun', namespace: 'ci', name: 'release-run-q8w2z-dind', apiVersion: 'tekton.dev/v1' };
    stored.findings = [{ ...structuredClone(grouped), resource: ref, fingerprint: fingerprintOf(check, ref), evidence: undefined, related: undefined, extent: undefined }];
    const diff = diffRuns(stored, now, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(named(stored.findings, diff.resolved)).toEqual([`${check} TaskRun ci/release-run-q8w2z-dind`]);
    expect(named(now.findings, diff.new).filter((f) => f.startsWith(check))).toEqual([`${check} Pipeline ci/hotfix`, `${check} Pipeline ci/release`]);
  });
});

// A grouped finding keeps its fingerprint and severity when one more of its workloads fails, so
// its extent (src/run/extent.ts) tells what it covers: the failed controls by task
// (tekton.dev/pipelineTask, https://tekton.dev/docs/pipelines/labels/ "Automatic labeling"),
// never the generated names. hostNetwork, privileged and hostPID fail the baseline level
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Host Namespaces",
// "Privileged Containers").
describe('a grouped finding that covers more than last night', () => {
  const hostNetwork = { hostNetwork: true, containers: [{ name: 'build', image: 'busybox:1.36' }] };
  const dind = { hostPID: true, containers: [{ name: 'dind', image: 'docker:27-dind', securityContext: { privileged: true } }] };
  const release = (run: string, withDind: boolean): KubeObject[] => [ns, sa, taskRunPod('release', run, 'build', hostNetwork), ...(withDind ? [taskRunPod('release', run, 'dind', dind)] : [])];
  const check = 'pod-security.pod-violates-enforced-level';

  it('a Pipeline gaining a privileged hostPID task at the same severity is a regression naming what it added', () => {
    const first = audit('run-1', release('release-run-q8w2z', false));
    expect(about(first, check, 'Pipeline', 'release')?.severity).toBe('high');
    const second = nights(first, release('release-run-z5c4v', true));
    expect(about(second, check, 'Pipeline', 'release')?.fingerprint).toBe(about(first, check, 'Pipeline', 'release')?.fingerprint);
    expect(second.diff!.new).toEqual([]);
    expect(second.diff!.regression).toBe(true);
    const line = second.diff!.regressionReasons.find((r) => r.startsWith(`${check} on Pipeline ci/release widened`));
    expect(line).toMatch(/now also .*privileged \(task dind\)/);
    expect(line).toMatch(/hostNamespaces:hostPID \(task dind\)/);
    expect(line).not.toMatch(/z5c4v|q8w2z/);
  });

  it('under a waiver on the Pipeline, the new privileged task is growth beyond that waiver', () => {
    const waivers: Waiver[] = [{ check, resource: { kind: 'Pipeline', namespace: 'ci', name: 'release' }, reason: 'build needs hostNetwork for the registry mirror', owner: 'ci@example.com', expires: '2099-06-30' }];
    const second = nights(audit('run-1', release('release-run-q8w2z', false), waivers), release('release-run-z5c4v', true), waivers);
    expect(about(second, check, 'Pipeline', 'release')?.waived).toBe(true);
    expect(second.diff!.regression).toBe(true);
    expect(second.diff!.regressionReasons.find((r) => r.includes('grew beyond its waiver') && r.includes(`${check} on Pipeline ci/release`))).toMatch(/widened: now also .*privileged \(task dind\)/);
  });

  // A task failing only the restricted level is refused by a restricted namespace on its own
  // (https://kubernetes.io/docs/concepts/security/pod-security-admission/: each pod is admitted or
  // not by its own spec), so under a Pipeline already failing for a privileged task it is still a
  // new blocker of the target level: the finding widens, and under a waiver it grew beyond it.
  it('a Pipeline gaining a task that fails only the restricted level, beside a privileged one, widens the target finding, under a waiver too', () => {
    const target = 'pod-security.pod-violates-target';
    const unhardened = { containers: [{ name: 'deploy', image: 'busybox:1.36' }] };
    const pipeline = (run: string, withDeploy: boolean): KubeObject[] => [ns, sa, taskRunPod('release', run, 'dind', dind), ...(withDeploy ? [taskRunPod('release', run, 'deploy', unhardened)] : [])];
    const first = audit('run-1', pipeline('release-run-q8w2z', false));
    expect(about(first, target, 'Pipeline', 'release')?.severity).toBe('high');
    const second = nights(first, pipeline('release-run-z5c4v', true));
    expect(second.diff!.new).toEqual([]);
    const widened = second.diff!.widened?.find((w) => w.check === target);
    expect(widened?.added.some((m) => m.endsWith('(task deploy)'))).toBe(true);
    const waivers: Waiver[] = [{ check: target, resource: { kind: 'Pipeline', namespace: 'ci', name: 'release' }, reason: 'dind needs privileged', owner: 'ci@example.com', expires: '2099-06-30' }];
    const waived = nights(audit('run-1', pipeline('release-run-q8w2z', false), waivers), pipeline('release-run-z5c4v', true), waivers);
    expect(waived.diff!.regressionReasons.find((r) => r.includes('grew beyond its waiver') && r.includes(`${target} on Pipeline ci/release`))).toMatch(/\(task deploy\)/);
  });

  it('tomorrow\'s same tasks under new generated names: nothing new, resolved or widened', () => {
    const second = nights(audit('run-1', release('release-run-q8w2z', true)), release('release-run-z5c4v', true));
    expect(second.diff!.new).toEqual([]);
    expect(second.diff!.resolved).toEqual([]);
    expect(second.diff!.widened).toBeUndefined();
    expect(second.diff!.regression).toBe(false);
  });

  it('generateName pods: a sibling failing what the others fail is churn, one failing more widens the finding', () => {
    const plain = { containers: [{ name: 'main', image: 'busybox:1.36', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }] };
    const pod = (suffix: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `debug-${suffix}`, generateName: 'debug-', namespace: 'ci' }, spec });
    const first = audit('run-1', [ns, sa, pod('b7c9d', plain)]);
    const same = nights(first, [ns, sa, pod('w2rtg', plain), pod('k8s4x', plain)]);
    expect(same.diff!.widened).toBeUndefined();
    expect(same.diff!.regression).toBe(false);
    const more = nights(first, [ns, sa, pod('w2rtg', plain), pod('k8s4x', privileged)]);
    expect(more.diff!.regressionReasons.find((r) => r.startsWith(`${check} on Pod ci/debug-* widened`))).toMatch(/now also privileged/);
  });
});

// A workload's finding keeps its fingerprint and, once it fails baseline, its severity (high)
// whatever else it fails: its extent lists what it fails, so newly failing a check, or one more
// host namespace, widens it. Upstream judges hostNetwork, hostPID and hostIPC each on its own
// (pod-security-admission policy/check_hostNamespaces.go; https://kubernetes.io/docs/concepts/security/pod-security-standards/
// "Host Namespaces"), privileged apart from them ("Privileged Containers"); a hostPort fails
// baseline ("HostPorts").
describe('a Pod Security finding that fails more than last run, at the same severity', () => {
  const target = 'pod-security.pod-violates-target';
  const web = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ci' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec } },
  });
  const hostPort = { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080, hostPort: 8080 }] }] };
  const worse = { ...hostPort, hostPID: true, containers: [{ ...hostPort.containers[0], securityContext: { privileged: true } }] };

  it('a Deployment gaining privileged and hostPID is a regression naming both, and growth beyond its waiver', () => {
    const first = audit('run-1', [ns, sa, web(hostPort)]);
    expect(about(first, target, 'Deployment', 'web')?.severity).toBe('high');
    const second = nights(first, [ns, sa, web(worse)]);
    expect(about(second, target, 'Deployment', 'web')?.fingerprint).toBe(about(first, target, 'Deployment', 'web')?.fingerprint);
    expect(about(second, target, 'Deployment', 'web')?.severity).toBe('high');
    expect(second.diff!.new).toEqual([]);
    expect(second.diff!.regression).toBe(true);
    expect(second.diff!.regressionReasons.find((r) => r.startsWith(`${target} on Deployment ci/web widened`))).toMatch(/now also hostNamespaces:hostPID, privileged/);
    const waivers: Waiver[] = [{ check: target, resource: { kind: 'Deployment', namespace: 'ci', name: 'web' }, reason: 'web binds its host port until the LB lands', owner: 'web@example.com', expires: '2099-06-30' }];
    const waived = nights(audit('run-1', [ns, sa, web(hostPort)], waivers), [ns, sa, web(worse)], waivers);
    expect(waived.diff!.regressionReasons.find((r) => r.includes('grew beyond its waiver') && r.includes(`${target} on Deployment ci/web`))).toMatch(/widened: now also hostNamespaces:hostPID, privileged/);
  });

  it('a Deployment the same as last run is not widened', () => {
    const second = nights(audit('run-1', [ns, sa, web(worse)]), [ns, sa, web(worse)]);
    expect(second.diff!.widened).toBeUndefined();
    expect(second.diff!.regression).toBe(false);
  });

  it('a generateName pod on hostNetwork gaining hostPID widens its group\'s finding, though it failed host namespaces before', () => {
    const pod = (suffix: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `job-${suffix}`, generateName: 'job-', namespace: 'ci' }, spec });
    const net = { hostNetwork: true, containers: [{ name: 'main', image: 'busybox:1.36' }] };
    const second = nights(audit('run-1', [ns, sa, pod('x7k2p', net)]), [ns, sa, pod('w2rtg', { ...net, hostPID: true })]);
    expect(second.diff!.new).toEqual([]);
    expect(second.diff!.regressionReasons.find((r) => r.startsWith(`${target} on Pod ci/job-* widened`))).toMatch(/now also hostNamespaces:hostPID \(/);
  });
});
