// The Pod Security model and checks over whole snapshots: attribution to owners, exemptions,
// admission defaults, version clamping to the cluster, and reference test case 14.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { podSecurityModel } from '../../../src/analysis/pss/index.ts';
import { podSecurityChecks } from '../../../checks/pod-security/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const enforce = (level: string, version?: string) => ({
  'pod-security.kubernetes.io/enforce': level,
  ...(version ? { 'pod-security.kubernetes.io/enforce-version': version } : {}),
});
const privilegedSpec = { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] };
const restrictedSpec = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

function livePods(namespace: string, owner: string, count: number, spec: object): KubeObject[] {
  const rs: KubeObject = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: `${owner}-5d9f`, namespace, ownerReferences: [{ kind: 'Deployment', name: owner, controller: true }] },
    spec: { template: { spec } },
  };
  const dep: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: owner, namespace }, spec: { replicas: count, template: { spec } } };
  const pods = Array.from({ length: count }, (_, i): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${owner}-5d9f-${i}`, namespace, ownerReferences: [{ kind: 'ReplicaSet', name: `${owner}-5d9f`, controller: true }] },
    spec,
  }));
  return [dep, rs, ...pods];
}

function run(objects: KubeObject[], config: Config = defaultConfig(), clusterVersion?: string) {
  const snapshot = snapshotFromObjects(objects, { origin: 'live', clusterVersion });
  snapshot.source = 'live';
  const ctx: AuditContext = { snapshot, config, now: new Date('2026-11-26T00:00:00Z') };
  const results = new Map<string, Verdict[]>(podSecurityChecks.map((c) => [c.id, [...c.evaluate(ctx)]]));
  return { ctx, results, model: podSecurityModel(snapshot, config) };
}

const fails = (vs: Verdict[] | undefined) => (vs ?? []).filter((v) => v.status === 'fail');

describe('pod-security model and checks', () => {
  it('14. no labels and unknown defaults fail enforce-missing with CIS 5.2.1; known enforcing defaults pass', () => {
    const { results } = run([ns('shop')]);
    const [missing] = fails(results.get('pod-security.enforce-missing'));
    expect(missing.resource).toEqual({ kind: 'Namespace', name: 'shop' });
    expect(missing.message).toContain('admission defaults are unknown');
    expect(podSecurityChecks.find((c) => c.id === 'pod-security.enforce-missing')!.controls).toContain('CIS-1.10:5.2.1');

    const config = defaultConfig();
    config.podSecurity.defaults = { enforce: 'baseline' };
    const withDefaults = run([ns('shop')], config);
    expect(fails(withDefaults.results.get('pod-security.enforce-missing'))).toEqual([]);
    expect(fails(withDefaults.results.get('pod-security.enforce-below-target'))[0].severity).toBe('medium');
    config.podSecurity.defaults = { enforce: 'privileged' };
    expect(fails(run([ns('shop')], config).results.get('pod-security.enforce-missing'))).toHaveLength(1);
  });

  it('attributes live pods to the Deployment with podCount, failing checks and CIS controls', () => {
    const { results } = run([ns('shop', enforce('baseline')), ...livePods('shop', 'api', 3, privilegedSpec)]);
    const [f] = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(f.resource).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'api' });
    expect(f.message).toContain('3 of 3 pods violate');
    expect(f.evidence).toMatchObject({
      podCount: 3,
      failingPods: 3,
      checks: [{ id: 'privileged', level: 'baseline', reason: 'privileged (container "c" must not set securityContext.privileged=true)' }],
      controls: ['CIS-1.10:5.2.2'],
    });
    // One result per workload, not per replica.
    expect(results.get('pod-security.pod-violates-enforced-level')).toHaveLength(1);
    const target = fails(results.get('pod-security.pod-violates-target'));
    expect(target).toHaveLength(1);
    expect(target[0].severity).toBe('high'); // it breaks baseline, not only restricted hardening
  });

  // Pod Security Standards apply to every pod, whichever controller made it, a v1
  // ReplicationController included (https://kubernetes.io/docs/concepts/security/pod-security-standards/;
  // https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/).
  it('attributes live pods owned by a ReplicationController to that ReplicationController', () => {
    const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy', namespace: 'shop' }, spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: privilegedSpec } } };
    const pods = ['legacy-x7k2p', 'legacy-q9w3z'].map((name): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: 'legacy' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid: 'rc-uid', controller: true }] },
      spec: privilegedSpec,
    }));
    const { results, model } = run([ns('shop', enforce('baseline')), rc, ...pods]);
    expect(model.workloads.map((w) => w.workload.ref)).toEqual([{ kind: 'ReplicationController', namespace: 'shop', name: 'legacy' }]);
    const enforced = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(enforced.map((v) => v.resource)).toEqual([{ kind: 'ReplicationController', namespace: 'shop', name: 'legacy' }]);
    expect(enforced[0].message).toContain('2 of 2 pods violate');
  });

  // An OpenKruise CloneSet creates its pods itself, each with a controller owner reference to the
  // CloneSet ("CloneSet", https://openkruise.io/docs/user-manuals/cloneset; "Owners and
  // dependents", https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/).
  // ztaudit does not read CloneSets: no template is known, so each pod is judged as it runs, and
  // the findings go to the CloneSet its pods agree on (by uid), as a Deployment's go to it.
  it('attributes live pods an OpenKruise CloneSet controls directly to the CloneSet: one finding, not one per pod', () => {
    const cloneSetPod = (name: string, podSpec: object): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'web', uid: '9a1c4d2e-0000-4000-8000-0000000000c5', controller: true }] },
      spec: podSpec, status: { phase: 'Running' },
    });
    const names = ['web-7xq2m', 'web-b9c4d', 'web-kq8zt'];
    const { results, model } = run([ns('shop', enforce('baseline')), ...names.map((n) => cloneSetPod(n, privilegedSpec))]);
    const cloneSet = { kind: 'CloneSet', namespace: 'shop', name: 'web', apiVersion: 'apps.kruise.io/v1alpha1' };
    expect(model.workloads.map((w) => w.workload.ref)).toEqual([cloneSet]);
    for (const id of ['pod-security.pod-violates-enforced-level', 'pod-security.pod-violates-target']) {
      const all = results.get(id)!;
      expect(all, id).toHaveLength(1);
      expect(all[0].status).toBe('fail');
      expect(all[0].resource).toEqual(cloneSet);
      expect(all[0].message).toMatch(/^CloneSet shop\/web: 3 of 3 pods violate /);
      expect(all[0].evidence).toMatchObject({ podCount: 3, evaluatedPods: 3, failingPods: 3, failingPodNames: names });
    }
    expect(results.get('pod-security.pod-violates-target')![0].severity).toBe('high');
    // A rollout under way (pods of two specs): each spec judged as it runs, no template claimed.
    const mixed = run([ns('shop', enforce('baseline')), cloneSetPod(names[0]!, restrictedSpec), ...names.slice(1).map((n) => cloneSetPod(n, privilegedSpec))]);
    const [f] = fails(mixed.results.get('pod-security.pod-violates-enforced-level'));
    expect(f.resource).toEqual(cloneSet);
    expect(f.message).toContain('2 of 3 pods violate');
    expect(f.evidence).toMatchObject({ failingPodNames: names.slice(1) });
    expect(f.evidence).not.toHaveProperty('currentTemplateFails');
  });

  // A workload running no pods now still makes pods from its template: a Deployment scaled to
  // zero when scaled up, a CronJob at its next schedule. Pod Security Admission judges workload
  // templates too (warn and audit; https://kubernetes.io/docs/concepts/security/pod-security-admission/
  // "workload resources"); enforce applies when the pods are made, rejecting them, so a workload
  // scaled to zero gets no enforced-level verdict, nor a CronJob between runs (it makes pods
  // only through a Job, when one runs).
  it('a live workload with no pods is judged by its template at the target level and by the hardening checks', () => {
    const writable = { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] };
    const scaledDown: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'batch', namespace: 'shop' }, spec: { replicas: 0, template: { spec: privilegedSpec } } };
    const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy', namespace: 'shop' }, spec: { replicas: 0, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: privilegedSpec } } };
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: writable } } } } };
    const { results } = run([ns('shop', enforce('privileged')), scaledDown, rc, cron]);
    const target = fails(results.get('pod-security.pod-violates-target'));
    expect(target.map((v) => `${v.resource.kind}/${v.resource.name}:${v.severity ?? ''}`).sort()).toEqual(['CronJob/nightly:', 'Deployment/batch:high', 'ReplicationController/legacy:high']);
    expect(target.find((v) => v.resource.name === 'batch')!.message).toContain('it runs no pods now, and its pod template violates the target Pod Security level');
    expect(results.get('pod-security.pod-violates-enforced-level')).toEqual([]);
    const writableRoot = fails(results.get('pod-security.writable-root-filesystem'));
    expect(writableRoot.map((v) => `${v.resource.kind}/${v.resource.name}`).sort()).toEqual(['CronJob/nightly', 'Deployment/batch', 'ReplicationController/legacy']);
    expect(fails(results.get('pod-security.resource-limits-missing')).map((v) => v.resource.name).sort()).toEqual(['batch', 'legacy']);
  });

  // The ReplicaSet and ReplicationController controllers mark their pods with no revision
  // (https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/): a template edited since
  // the pods were made cannot be told from one a mutating webhook changed at admission, so the
  // running pods are judged (one finding for the workload) and the template only when none runs.
  it('a live standalone ReplicaSet is one workload: its running pods are judged, its template when it runs none', () => {
    const rs = (replicas: number): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'workers', namespace: 'shop', uid: 'rs1' },
      spec: { replicas, selector: { matchLabels: { app: 'workers' } }, template: { metadata: { labels: { app: 'workers' } }, spec: privilegedSpec } },
    });
    const pods = ['workers-k2x8d', 'workers-p9q4z'].map((name): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app: 'workers' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'workers', uid: 'rs1', controller: true }] },
      spec: restrictedSpec, status: { phase: 'Running' },
    }));
    const running = run([ns('shop', enforce('baseline')), rs(2), ...pods]);
    expect(running.model.workloads.map((w) => w.workload.ref)).toEqual([{ kind: 'ReplicaSet', namespace: 'shop', name: 'workers' }]);
    expect(running.results.get('pod-security.pod-violates-enforced-level')!.map((v) => `${v.status} ${v.resource.kind}/${v.resource.name}`)).toEqual(['pass ReplicaSet/workers']);
    const idle = run([ns('shop', enforce('baseline')), rs(0)]);
    expect(fails(idle.results.get('pod-security.pod-violates-target')).map((v) => `${v.severity} ${v.resource.kind}/${v.resource.name}`)).toEqual(['high ReplicaSet/workers']);
  });

  // Enforce judges the pods a controller makes, not its template: "a violating Deployment is
  // admitted and its pods rejected" (reference/checks.md 2.6; https://kubernetes.io/docs/concepts/security/pod-security-admission/,
  // "Workload resources and Pod templates": enforce "is not applied to workload resources, only
  // to the resulting pod objects"). A live Deployment that wants two pods and runs none, its
  // ReplicaSet reporting FailedCreate, is every pod refused: its template is judged at the
  // enforced level. Scaled to zero, suspended, on no node, or a DaemonSet whose status does not
  // say (none, or of an older generation), nothing is refused (yet).
  it('a live workload that wants pods and runs none is judged at the enforced level by its template; scaled to zero it is not', () => {
    const hardened = { containers: [{ name: 'c', image: 'x', securityContext: { readOnlyRootFilesystem: true } }] };
    const deployment = (name: string, replicas: number): KubeObject[] => [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'pay', uid: `d-${name}`, annotations: { 'deployment.kubernetes.io/revision': '1' } },
        spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: hardened } },
        status: { replicas: 0, unavailableReplicas: replicas, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: `pods "${name}-7c9d8f-abcde" is forbidden: violates PodSecurity "restricted:latest"` }] } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: `${name}-7c9d8f`, namespace: 'pay', uid: `rs-${name}`, labels: { app: name, 'pod-template-hash': '7c9d8f' }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] },
        spec: { replicas, selector: { matchLabels: { app: name, 'pod-template-hash': '7c9d8f' } }, template: { metadata: { labels: { app: name, 'pod-template-hash': '7c9d8f' } }, spec: hardened } },
        status: { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] } },
    ];
    const daemonSet = (name: string, status?: object): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'pay', generation: 2 },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: hardened } }, ...(status ? { status } : {}),
    });
    const cron = (name: string, suspend: boolean): KubeObject => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'pay' }, spec: { suspend, schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: hardened } } } } });
    const objects = [
      ns('pay', enforce('restricted')), ...deployment('api', 2), ...deployment('idle', 0),
      daemonSet('agent', { desiredNumberScheduled: 3, observedGeneration: 2 }), daemonSet('gpu-agent', { desiredNumberScheduled: 0, observedGeneration: 2 }),
      daemonSet('unknown'), daemonSet('stale', { desiredNumberScheduled: 3, observedGeneration: 1 }), cron('nightly', false), cron('paused', true),
    ];
    const config = defaultConfig();
    config.target.podSecurityLevel = 'baseline';
    const { results } = run(objects, config, 'v1.34.1');
    const enforced = results.get('pod-security.pod-violates-enforced-level')!;
    expect(enforced.map((v) => `${v.status} ${v.severity ?? 'high'} ${v.resource.kind}/${v.resource.name}`).sort()).toEqual(['fail high DaemonSet/agent', 'fail high Deployment/api']);
    const api = enforced.find((v) => v.resource.name === 'api')!;
    expect(api.message).toBe('Deployment pay/api: it runs none of its 2 pods: admission refuses every pod its template makes, as the template violates the namespace\'s enforced Pod Security level "restricted:latest (v1.34)": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false); unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]); runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true); seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost").');
    expect(api.evidence).toMatchObject({ wantedPods: 2, podCount: 0 });
    expect(enforced.find((v) => v.resource.name === 'agent')!.message).toContain('DaemonSet pay/agent: it runs none of its 3 pods: admission refuses every pod its template makes');
    // The template passes the baseline target: not a blocker of its rollout.
    expect(fails(results.get('pod-security.pod-violates-target'))).toEqual([]);

    // An exempt namespace's pods are admitted all the same: nothing is refused.
    config.podSecurity.exemptions = { namespaces: ['pay'], runtimeClasses: [], usernames: [] };
    expect(run(objects, config, 'v1.34.1').results.get('pod-security.pod-violates-enforced-level')).toEqual([]);
  });

  // Who asks for pods, and how many, decides whether "admission refuses every pod" is true.
  describe('a live workload that runs no pods is judged refused only when its controller wants pods now', () => {
    const writable = { restartPolicy: 'Never', containers: [{ name: 'report', image: 'x' }] };
    const refusedOf = (objects: KubeObject[]) => fails(run([ns('batch', enforce('restricted')), ...objects], defaultConfig(), 'v1.34.1').results.get('pod-security.pod-violates-enforced-level'))
      .map((v) => `${v.resource.kind}/${v.resource.name}: ${v.message.slice(v.message.indexOf(': ') + 2, v.message.indexOf(', as the template'))}`);
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'batch', uid: 'u-cj' }, spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: writable } } } }, status: {} };
    const cronJob = (status: object): KubeObject => ({
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'nightly-29412000', namespace: 'batch', uid: 'u-j1', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'u-cj', controller: true }] },
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-j1' } }, template: { metadata: { labels: { app: 'report', 'batch.kubernetes.io/controller-uid': 'u-j1' } }, spec: writable } },
      status,
    });

    // The CronJob controller makes Jobs, the Job controller pods
    // (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/): between runs a
    // CronJob wants none. Its last run's pod, which a mutating webhook hardened, succeeded:
    // admission accepted what the template makes once mutated, as PodSecurity judges pods after
    // mutating admission (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/).
    it('a CronJob between runs, its last Job complete, is not refused; a running Job of it with no pod is', () => {
      const mutated = {
        restartPolicy: 'Never', securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'report', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      };
      const lastRun: KubeObject = {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'nightly-29412000-xk2pq', namespace: 'batch', uid: 'u-p1', labels: { app: 'report', 'batch.kubernetes.io/controller-uid': 'u-j1' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-29412000', uid: 'u-j1', controller: true }] },
        spec: mutated, status: { phase: 'Succeeded' },
      };
      expect(refusedOf([cron, cronJob({ conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 }), lastRun])).toEqual([]);
      expect(refusedOf([cron])).toEqual([]);
      expect(refusedOf([cron, cronJob({})])).toEqual(['CronJob/nightly: it runs none of its 1 pod: admission refuses every pod its template makes']);
      // A pod of it that ran and failed shows admission accepted it: nothing is refused.
      expect(refusedOf([cron, cronJob({ failed: 1 }), { ...lastRun, status: { phase: 'Failed' } }])).toEqual([]);
    });

    // Enforce judges a pod when it is created (https://kubernetes.io/docs/concepts/security/pod-security-admission/):
    // yesterday's pod, kept by successfulJobsHistoryLimit (default 3:
    // https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits),
    // ran before the namespace enforced restricted, and its spec, the template's unchanged,
    // breaks it. Tonight's Job makes pods from the same template: admission refuses them all.
    it('a kept pod of the last run that breaks the enforced level (admitted before the label) does not hide that tonight\'s run is refused', () => {
      const yesterday: KubeObject = {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'nightly-29412000-xk2pq', namespace: 'batch', labels: { app: 'report', 'batch.kubernetes.io/controller-uid': 'u-j1' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-29412000', uid: 'u-j1', controller: true }] },
        spec: { ...writable, nodeName: 'n1' }, status: { phase: 'Succeeded' },
      };
      const tonight: KubeObject = {
        ...cronJob({}),
        metadata: { name: 'nightly-29413440', namespace: 'batch', uid: 'u-j2', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'u-cj', controller: true }] },
        spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-j2' } }, template: { metadata: { labels: { app: 'report', 'batch.kubernetes.io/controller-uid': 'u-j2' } }, spec: writable } },
      };
      const objects = [cron, cronJob({ conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 }), yesterday, tonight];
      expect(refusedOf(objects)).toEqual(['CronJob/nightly: it runs none of its 1 pod: admission refuses every pod its template makes']);
    });

    it('a Deployment whose terminated pods of its current revision pass the enforced level is not refused, one whose evicted pod breaks it is; with a mutating webhook the claim says it may change the pods', () => {
      const tpl = { metadata: { labels: { app: 'api', 'pod-template-hash': '7c9d8f' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
      const objects: KubeObject[] = [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'batch', uid: 'd-1', annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: tpl.spec } } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-7c9d8f', namespace: 'batch', uid: 'rs-1', labels: tpl.metadata.labels, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'd-1', controller: true }] }, spec: { replicas: 2, selector: { matchLabels: tpl.metadata.labels }, template: tpl } },
      ];
      // Evicted after a mutating webhook had hardened it at admission: the template's pods come out admitted.
      const evicted: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-7c9d8f-abcde', namespace: 'batch', labels: tpl.metadata.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7c9d8f', uid: 'rs-1', controller: true }] }, spec: restrictedSpec, status: { phase: 'Failed', reason: 'Evicted' } };
      expect(refusedOf([...objects, evicted])).toEqual([]);
      // Evicted with the template's own spec, which breaks restricted: admitted before the
      // namespace enforced it (enforce judges pods at creation:
      // https://kubernetes.io/docs/concepts/security/pod-security-admission/); its replacements are refused.
      expect(refusedOf([...objects, { ...evicted, spec: tpl.spec }])).toEqual(['Deployment/api: it runs none of its 2 pods: admission refuses every pod its template makes']);
      // One of an earlier revision proves nothing about the current template.
      const older = { ...evicted, metadata: { ...evicted.metadata, labels: { app: 'api', 'pod-template-hash': '55aa11' } } };
      expect(refusedOf([...objects, older])).toEqual(['Deployment/api: it runs none of its 2 pods: admission refuses every pod its template makes']);
      const webhook: KubeObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'pod-defaults' }, webhooks: [] } as KubeObject;
      expect(refusedOf([...objects, webhook])).toEqual(['Deployment/api: it runs none of its 2 pods: admission refuses every pod its template makes (unless a mutating webhook changes it)']);
    });

    // spec.managedBy hands a Job to another controller (MultiKueue runs its pods in a worker
    // cluster): "the built-in Job controller skips" it
    // (https://kubernetes.io/blog/2025/12/18/kubernetes-v1-35-job-managedby-for-jobs-goes-ga/).
    // Of the rest, at most parallelism pods run, and no more than the completions still to come
    // (https://kubernetes.io/docs/concepts/workloads/controllers/job/#controlling-parallelism).
    it('a Job another controller manages is not refused; a Job\'s refused pods are at most its remaining completions', () => {
      const job = (name: string, spec: object, status: object = {}): KubeObject => ({
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'batch', uid: `u-${name}` },
        spec: { ...spec, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': `u-${name}` } }, spec: writable } }, status,
      });
      expect(refusedOf([
        job('train', { managedBy: 'kueue.x-k8s.io/multikueue', parallelism: 1, completions: 1 }),
        job('local', { managedBy: 'kubernetes.io/job-controller', parallelism: 2 }),
        job('migrate', { parallelism: 5, completions: 1 }),
        job('backfill', { parallelism: 5, completions: 10 }, { succeeded: 8 }),
        job('sweep', { parallelism: 3 }),
      ]).sort()).toEqual([
        'Job/backfill: it runs none of its 2 pods: admission refuses every pod its template makes',
        'Job/local: it runs none of its 2 pods: admission refuses every pod its template makes',
        'Job/migrate: it runs none of its 1 pod: admission refuses every pod its template makes',
        'Job/sweep: it runs none of its 3 pods: admission refuses every pod its template makes',
      ]);
    });

    // An Argo Rollout "manages the creation, scaling, and deletion of ReplicaSets" as a Deployment
    // does (https://argoproj.github.io/argo-rollouts/), numbering them in rollout.argoproj.io/revision;
    // the Rollout itself is a custom resource nobody collects. Admission judges each pod its
    // current ReplicaSet makes ("Workload resources and Pod templates",
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/): that ReplicaSet wanting
    // 3 pods and running none (ReplicaFailure/FailedCreate) is every pod refused, as a Deployment's.
    it('an Argo Rollout whose current ReplicaSet wants pods and runs none is refused like the Deployment beside it; scaled to zero, or with a passing pod of that ReplicaSet, it is not', () => {
      const tpl = (hash: string) => ({ metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
      const rs = (hash: string, revision: string, replicas: number): KubeObject => ({
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: {
          name: `web-${hash}`, namespace: 'batch', uid: `rs-${hash}`, labels: tpl(hash).metadata.labels, annotations: { 'rollout.argoproj.io/revision': revision },
          ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: 'ro-1', controller: true }],
        },
        spec: { replicas, selector: { matchLabels: tpl(hash).metadata.labels }, template: tpl(hash) },
        status: { replicas: 0, ...(replicas > 0 ? { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] } : {}) },
      });
      const deployment: KubeObject[] = [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'batch', uid: 'd-1', annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: tpl('x').spec } } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-7c9d8f', namespace: 'batch', uid: 'rs-1', labels: { app: 'api', 'pod-template-hash': '7c9d8f' }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'd-1', controller: true }] }, spec: { replicas: 3, selector: { matchLabels: { app: 'api', 'pod-template-hash': '7c9d8f' } }, template: { metadata: { labels: { app: 'api', 'pod-template-hash': '7c9d8f' } }, spec: tpl('x').spec } } },
      ];
      // Revision 2 (listed after revision 1, the stable one, scaled to zero) is current and wants 3.
      expect(refusedOf([...deployment, rs('55aa11', '1', 0), rs('6b7c8d', '2', 3)]).sort()).toEqual([
        'Deployment/api: it runs none of its 3 pods: admission refuses every pod its template makes',
        'Rollout/web: it runs none of its 3 pods: admission refuses every pod its template makes',
      ]);
      // Aborted: the current ReplicaSet scaled to zero asks for nothing to be refused.
      expect(refusedOf([rs('55aa11', '1', 0), rs('6b7c8d', '2', 0)])).toEqual([]);
      // A pod of the current ReplicaSet, hardened by a mutating webhook, that ran and was evicted:
      // admission accepts what its template makes. One of the older ReplicaSet proves nothing.
      const evicted = (hash: string): KubeObject => ({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `web-${hash}-abcde`, namespace: 'batch', labels: tpl(hash).metadata.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: `rs-${hash}`, controller: true }] },
        spec: restrictedSpec, status: { phase: 'Failed', reason: 'Evicted' },
      });
      expect(refusedOf([rs('55aa11', '1', 0), rs('6b7c8d', '2', 3), evicted('6b7c8d')])).toEqual([]);
      expect(refusedOf([rs('55aa11', '1', 0), rs('6b7c8d', '2', 3), evicted('55aa11')])).toEqual(['Rollout/web: it runs none of its 3 pods: admission refuses every pod its template makes']);
    });

    // A KEDA ScaledJob makes a Job per trigger (https://keda.sh/docs/latest/concepts/scaling-jobs/),
    // each making pods as any Job does: its running Jobs' pods, none running, are all refused.
    it('a KEDA ScaledJob whose running Jobs run no pods is refused for all their pods; its finished Job asks for none', () => {
      const job = (name: string, status: object = {}): KubeObject => ({
        apiVersion: 'batch/v1', kind: 'Job',
        metadata: { name, namespace: 'batch', uid: `u-${name}`, ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: 'report', uid: 'sj-1', controller: true }] },
        spec: { parallelism: 2, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': `u-${name}` } }, spec: writable } }, status,
      });
      expect(refusedOf([job('report-aaaaa'), job('report-bbbbb'), job('report-ccccc', { conditions: [{ type: 'Complete', status: 'True' }] })]))
        .toEqual(['ScaledJob/report: it runs none of its 4 pods: admission refuses every pod its template makes']);
      expect(refusedOf([job('report-ccccc', { conditions: [{ type: 'Complete', status: 'True' }] })])).toEqual([]);
    });
  });

  // `kubectl debug` attaches an ephemeral container to one running pod through the
  // pods/ephemeralcontainers subresource; no template makes it
  // (https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/), and Pod Security
  // admission judges that subresource's updates like a pod (reference/checks.md 2.1: "Containers"
  // includes spec.ephemeralContainers; test case 1: a privileged one fails baseline). So the
  // Deployment, whose template passes, is no blocker of the target's rollout: the debug
  // container is reported on its pod, at the check's own severity, with what to do about it.
  describe('a debug (ephemeral) container on one pod of a Deployment', () => {
    const hardened = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true }, resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    };
    const debugger_ = { name: 'debugger-x7k2p', image: 'busybox', stdin: true, tty: true, targetContainerName: 'c', securityContext: { privileged: true } };
    const objects = (spec: object, labels: Record<string, string> = {}): KubeObject[] => {
      const tpl = { metadata: { labels: { app: 'api', 'pod-template-hash': 'abc12' } }, spec };
      const pod = (name: string, debug: boolean): KubeObject => ({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, namespace: 'web', uid: `p-${name}`, labels: { app: 'api', 'pod-template-hash': 'abc12' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-abc12', uid: 'rs-1', controller: true }] },
        spec: debug ? { ...spec, ephemeralContainers: [debugger_] } : spec, status: { phase: 'Running' },
      });
      return [
        ns('web', labels),
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'web', uid: 'd-1', annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec } } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-abc12', namespace: 'web', uid: 'rs-1', labels: tpl.metadata.labels, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'd-1', controller: true }] }, spec: { replicas: 2, selector: { matchLabels: tpl.metadata.labels }, template: tpl } },
        pod('api-abc12-aaaaa', false), pod('api-abc12-bbbbb', true),
      ];
    };
    const verdicts = (vs: Verdict[] | undefined) => (vs ?? []).map((v) => `${v.status} ${v.severity ?? '-'} ${v.resource.kind}/${v.resource.name}`).sort();

    it('passes the Deployment, whose template passes, and reports the pod at the check\'s own severity', () => {
      const { results } = run(objects(hardened), defaultConfig(), 'v1.33.1');
      const target = results.get('pod-security.pod-violates-target');
      expect(verdicts(target)).toEqual(['fail - Pod/api-abc12-bbbbb', 'pass - Deployment/api']);
      const [pod] = fails(target);
      expect(pod.resource).toEqual({ kind: 'Pod', namespace: 'web', name: 'api-abc12-bbbbb' });
      expect(pod.message).toBe('pod web/api-abc12-bbbbb of Deployment web/api has ephemeral (debug) container "debugger-x7k2p" that violates the target Pod Security level "restricted:latest (v1.33)": privileged (container "debugger-x7k2p" must not set securityContext.privileged=true); allowPrivilegeEscalation != false (container "debugger-x7k2p" must set securityContext.allowPrivilegeEscalation=false); unrestricted capabilities (container "debugger-x7k2p" must set securityContext.capabilities.drop=["ALL"]); the pod template passes; admission at the target level refuses attaching such a container (it judges the pods/ephemeralcontainers subresource). Delete or restart the pod to remove it; debug with a non-privileged profile (kubectl debug --profile=restricted).');
      expect(pod.evidence).toMatchObject({ workload: { kind: 'Deployment', namespace: 'web', name: 'api' }, ephemeralContainers: ['debugger-x7k2p'], workloadPasses: true });
      // The writable root is the debug container's, on its pod; the Deployment's containers are read-only.
      expect(verdicts(results.get('pod-security.writable-root-filesystem'))).toEqual(['fail - Pod/api-abc12-bbbbb', 'pass - Deployment/api']);
      expect(fails(results.get('pod-security.writable-root-filesystem'))[0].message).toBe('pod web/api-abc12-bbbbb of Deployment web/api: ephemeral (debug) container debugger-x7k2p: readOnlyRootFilesystem is not true; the pod template passes. Delete or restart the pod to remove it.');
    });

    it('at an enforced level it breaks, reports the pod (attached before the label, or by an exemption), not the Deployment', () => {
      const { results } = run(objects(hardened, enforce('baseline')), defaultConfig(), 'v1.33.1');
      const enforced = results.get('pod-security.pod-violates-enforced-level');
      expect(verdicts(enforced)).toEqual(['fail - Pod/api-abc12-bbbbb', 'pass - Deployment/api']);
      expect(fails(enforced)[0].message).toContain('has ephemeral (debug) container "debugger-x7k2p" that violates the namespace\'s enforced Pod Security level "baseline:latest (v1.33)": privileged (container "debugger-x7k2p" must not set securityContext.privileged=true); the pod template passes; admission at this level refuses attaching such a container');
    });

    it('a template that fails on its own is reported on the Deployment without the debug container\'s reasons, and the pod for what the debug container adds', () => {
      const { results } = run(objects(privilegedSpec), defaultConfig(), 'v1.33.1');
      const target = fails(results.get('pod-security.pod-violates-target'));
      expect(target.map((v) => `${v.severity ?? '-'} ${v.resource.kind}/${v.resource.name}`).sort()).toEqual(['- Pod/api-abc12-bbbbb', 'high Deployment/api']);
      const dep = target.find((v) => v.resource.kind === 'Deployment')!;
      expect(dep.message).toContain('2 of 2 pods violate');
      expect(dep.message).not.toContain('debugger-x7k2p');
      expect(target.find((v) => v.resource.kind === 'Pod')!.message).toContain('; Deployment web/api fails on its own (reported there);');
    });

    // Upstream's reasons name every container that fails a check (kubernetes/pod-security-admission
    // policy/check_capabilities_baseline.go: containers "a", "b" must not include ...), ephemeral
    // ones among them (reference/checks.md 2.1): the pod whole would put the app container's
    // NET_ADMIN in the debug container's finding. The ephemeral container is judged with the
    // pod-level fields alone (pod-level runAsNonRoot still covers it).
    it('names only the debug container\'s own failures, not the app container\'s', () => {
      const netAdmin = { securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }] };
      const ptrace = { name: 'debugger-x7k2p', image: 'busybox', targetContainerName: 'c', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } };
      const objs = objects(netAdmin, enforce('baseline'));
      const pod = objs.find((o) => o.metadata?.name === 'api-abc12-bbbbb')!;
      pod.spec = { ...netAdmin, ephemeralContainers: [ptrace] };
      const { results } = run(objs, defaultConfig(), 'v1.33.1');
      const debugPod = (id: string) => fails(results.get(id)).find((v) => v.resource.kind === 'Pod')!.message;
      expect(debugPod('pod-security.pod-violates-enforced-level')).toContain('violates the namespace\'s enforced Pod Security level "baseline:latest (v1.33)": non-default capabilities (container "debugger-x7k2p" must not include "SYS_PTRACE" in securityContext.capabilities.add); Deployment web/api fails on its own (reported there);');
      const target = debugPod('pod-security.pod-violates-target');
      expect(target).not.toContain('"c"');
      expect(target).not.toContain('NET_ADMIN');
      expect(target).not.toContain('runAsNonRoot');
      expect(target).toContain('allowPrivilegeEscalation != false (container "debugger-x7k2p" must set securityContext.allowPrivilegeEscalation=false)');
    });

    // Admission skips an exempt namespace's pods ("Exemptions",
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions): it
    // refuses no debug container there either.
    it('in an exempt namespace says admission skips the pod, not that it refuses the container', () => {
      const config = defaultConfig();
      config.podSecurity.exemptions = { namespaces: ['web'], runtimeClasses: [], usernames: [] };
      const { results } = run(objects(hardened, enforce('baseline')), config, 'v1.33.1');
      for (const id of ['pod-security.pod-violates-enforced-level', 'pod-security.pod-violates-target']) {
        const msg = fails(results.get(id)).find((v) => v.resource.kind === 'Pod')!.message;
        expect(msg).toContain('; the pod template passes. Admission skips this pod: namespace web is exempt from Pod Security Admission (config podSecurity.exemptions.namespaces).');
        expect(msg).not.toContain('refuses');
      }
    });
  });

  // A Job with a Complete or Failed condition (or SuccessCriteriaMet / FailureTarget, which
  // precede them) makes no pods again (https://kubernetes.io/docs/concepts/workloads/controllers/job/
  // "Job termination and cleanup"): with no pods left, it has no next pods for its template to
  // stand for, so nothing is judged. A suspended or unfinished Job will make pods from its
  // template; a CronJob's Jobs are judged through the CronJob's template; and from manifests,
  // applying a Job makes a new one whatever status the file carries.
  it('a live standalone Job that has finished and runs no pods is not judged; unfinished Jobs, CronJobs and manifests are', () => {
    const writable = { containers: [{ name: 'c', image: 'x' }] };
    const job = (name: string, status?: object, extra: { suspend?: boolean; cronJob?: string } = {}): KubeObject => ({
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name, namespace: 'shop', ...(extra.cronJob ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: extra.cronJob, uid: 'cj', controller: true }] } : {}) },
      spec: { ...(extra.suspend ? { suspend: true } : {}), template: { spec: privilegedSpec } },
      ...(status ? { status } : {}),
    });
    const done = (type: string) => ({ conditions: [{ type, status: 'True' }], succeeded: 1 });
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: writable } } } } };
    const objects = [
      ns('shop', enforce('privileged')), cron,
      job('migrate', done('Complete')), job('import', done('Failed')), job('backfill', done('SuccessCriteriaMet')),
      job('paused', undefined, { suspend: true }), job('starting', { conditions: [{ type: 'Complete', status: 'False' }] }),
      job('nightly-29412000', done('Complete'), { cronJob: 'nightly' }),
    ];
    const judged = (results: Map<string, Verdict[]>) => [...new Set([...results.values()].flat().filter((v) => v.resource.kind !== 'Namespace').map((v) => `${v.resource.kind}/${v.resource.name}`))].sort();
    const live = run(objects);
    expect(judged(live.results)).toEqual(['CronJob/nightly', 'Job/paused', 'Job/starting']);
    expect(live.model.workloads.map((w) => w.workload.ref.name).sort()).toEqual(['nightly', 'paused', 'starting']);
    expect(fails(live.results.get('pod-security.pod-violates-target')).map((v) => v.resource.name).sort()).toEqual(['nightly', 'paused', 'starting']);

    const snapshot = snapshotFromObjects(objects, { origin: 'manifests' });
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
    const fromManifests = new Map<string, Verdict[]>(podSecurityChecks.map((c) => [c.id, [...c.evaluate(ctx)]]));
    expect(judged(fromManifests)).toEqual(['CronJob/nightly', 'Job/backfill', 'Job/import', 'Job/migrate', 'Job/paused', 'Job/starting']);
  });

  // A pod in phase Succeeded or Failed runs nothing again ("Pod phase",
  // https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-phase): a CronJob's
  // kept last run is not a running pod, so its CronJob is judged by the template.
  it('a live CronJob whose only pod has finished is judged by its template, not by that pod', () => {
    const hostPid = { restartPolicy: 'Never', hostPID: true, containers: [{ name: 'c', image: 'x' }] };
    const clean = { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] };
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'team-a' }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: clean } } } } };
    const job: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'nightly-29000000', namespace: 'team-a', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj', controller: true }] },
      spec: { template: { spec: hostPid } }, status: { conditions: [{ type: 'Complete', status: 'True' }] },
    };
    const pod = (name: string, phase: string, owner?: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'team-a', ...(owner ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner, uid: 'j', controller: true }] } : {}) },
      spec: hostPid, status: { phase },
    });
    const { results, model } = run([ns('team-a', enforce('baseline')), cron, job, pod('nightly-29000000-abcde', 'Succeeded', 'nightly-29000000'), pod('debug', 'Failed')], defaultConfig(), 'v1.33.1');
    expect(fails(results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
    expect(model.workloads.map((w) => w.workload.ref.name)).toEqual(['nightly']);
    const [target] = fails(results.get('pod-security.pod-violates-target'));
    expect(target.resource).toEqual({ kind: 'CronJob', namespace: 'team-a', name: 'nightly' });
    expect(target.message).toContain('it runs no pods now');
    expect(target.message).not.toContain('host namespaces');
  });

  // Helm output names its namespace in metadata.namespace but ships no Namespace object: the
  // namespace's labels are not in the input, so neither a missing enforce label nor a pass at
  // the enforced level can be said of it; the coverage (excluded) says it was not judged.
  it('from manifests, a namespace no file declares is not judged by its labels, and says so', () => {
    const deployment = (namespace: string) => [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: api, namespace: ${namespace}}`,
      'spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {hostPID: true, containers: [{name: c, image: x}]}}}',
    ].join('\n');
    const text = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}', deployment('shop'), deployment('payments')].join('\n---\n');
    const parsed = parseManifestText(text, 'chart.yaml');
    const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources });
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
    const byCheck = new Map(podSecurityChecks.map((c) => [c.id, { verdicts: [...c.evaluate(ctx)], excluded: c.excluded?.(ctx) }]));
    const judged = (id: string) => byCheck.get(id)!.verdicts.map((v) => `${v.status} ${v.resource.namespace ?? v.resource.name}`);
    expect(judged('pod-security.enforce-missing')).toEqual(['fail shop']);
    expect(judged('pod-security.enforce-below-target')).toEqual(['fail shop']);
    // shop has no label: privileged is assumed, which restricts nothing, so nothing is judged there.
    expect(judged('pod-security.pod-violates-enforced-level')).toEqual([]);
    expect(judged('pod-security.pod-violates-target')).toEqual(['fail shop', 'fail payments']);
    for (const id of ['pod-security.enforce-missing', 'pod-security.enforce-below-target', 'pod-security.pod-violates-enforced-level']) {
      expect(byCheck.get(id)!.excluded).toMatch(/^namespace payments is not in the input \(only its workloads are\): its Pod Security labels are unknown, so .* not judged/);
    }
    expect(byCheck.get('pod-security.enforce-missing')!.excluded).toContain('include the Namespace objects');
    expect(byCheck.get('pod-security.pod-violates-enforced-level')!.excluded).toContain('; 1 workload in namespace shop enforcing "privileged" (assumed: no label, admission defaults unknown) was not judged');
  });

  // Exempt requests skip every admission mode
  // (https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions), so
  // nothing in the cluster reports a violating pod admitted by an exemption: ztaudit still
  // judges it, at the level the namespace's label enforces and at the target, and says the
  // exemption is why it runs. The namespace checks still leave exempt namespaces out.
  it('pods exempt by namespace or runtimeClass are still judged, and the finding names the exemption', () => {
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: ['ci', 'legacy'], runtimeClasses: ['kata'], usernames: [] };
    const kataSpec = { ...privilegedSpec, runtimeClassName: 'kata' };
    const { results, model } = run([
      ns('ci', enforce('restricted')), ...livePods('ci', 'dind', 1, privilegedSpec),
      ns('legacy'), ...livePods('legacy', 'old', 1, privilegedSpec),
      ns('shop', enforce('restricted')), ...livePods('shop', 'sandboxed', 2, kataSpec), ...livePods('shop', 'web', 1, restrictedSpec),
      ns('kube-system', enforce('baseline')), ...livePods('kube-system', 'proxy', 1, privilegedSpec),
    ], config);
    const enforced = results.get('pod-security.pod-violates-enforced-level')!;
    expect(enforced.map((v) => `${v.resource.namespace}/${v.resource.name}:${v.status}`).sort()).toEqual([
      // legacy has no label: the privileged level assumed there restricts nothing, so legacy/old is not judged.
      'ci/dind:fail', 'kube-system/proxy:fail', 'shop/sandboxed:fail', 'shop/web:pass',
    ]);
    const enforcedFail = (name: string) => fails(enforced).find((v) => v.resource.name === name)!;
    expect(enforcedFail('dind').message).toMatch(/^Deployment ci\/dind: 1 of 1 pod violates the namespace's enforced Pod Security level "restricted:latest \(v1\.37\)": privileged .*\. It is admitted only because namespace ci is exempt from Pod Security Admission \(config podSecurity\.exemptions\.namespaces\)\.$/);
    expect(enforcedFail('dind').evidence).toMatchObject({ exemption: { namespace: 'ci' }, exemptPods: 1, failingExemptPods: 1 });
    expect(enforcedFail('sandboxed').message).toContain('2 of 2 pods violate');
    expect(enforcedFail('sandboxed').message).toMatch(/It is admitted only because runtimeClassName kata is exempt from Pod Security Admission \(config podSecurity\.exemptions\.runtimeClasses\)\.$/);
    expect(enforcedFail('sandboxed').severity).toBeUndefined(); // the check's high
    expect(enforcedFail('proxy').message).not.toContain('exempt');

    const target = fails(results.get('pod-security.pod-violates-target'));
    expect(target.map((v) => `${v.resource.namespace}/${v.resource.name}:${v.severity}`).sort()).toEqual(['ci/dind:high', 'legacy/old:high', 'shop/sandboxed:high']);
    expect(target.find((v) => v.resource.name === 'old')!.message).toMatch(/Admission skips its pods: namespace legacy is exempt from Pod Security Admission \(config podSecurity\.exemptions\.namespaces\), so enforcing the target would not reject them either\.$/);
    expect(model.workloads.find((w) => w.workload.ref.name === 'sandboxed')!.exemptPods).toBe(2);
    for (const id of ['pod-security.enforce-missing', 'pod-security.enforce-below-target']) {
      expect(results.get(id)!.map((v) => v.resource.name)).toEqual(['shop']);
    }
  });

  // Admission ignores an exempt namespace's labels (exempt requests skip every mode:
  // https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions), but
  // ztaudit still reports its pods against the enforce level they set; a misspelt key leaves the
  // level at the admission default (reference checks.md 2.6: "Missing labels -> admission
  // defaults"), so the privileged pod passes. Only invalid-label can say why.
  it('invalid-label judges exempt namespaces too: a misspelt enforce key there silently lowers the level its pods are judged at', () => {
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: ['ci'], runtimeClasses: [], usernames: [] };
    const { results } = run([ns('ci', { 'pod-security.kubernetes.io/enfroce': 'restricted' }), ...livePods('ci', 'dind', 1, privilegedSpec)], config);
    expect(fails(results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
    expect(results.get('pod-security.enforce-missing')).toEqual([]);
    const [invalid] = fails(results.get('pod-security.invalid-label'));
    expect(invalid.resource).toEqual({ kind: 'Namespace', name: 'ci' });
    expect(invalid.message).toBe('Namespace ci has invalid Pod Security label: "pod-security.kubernetes.io/enfroce"="restricted" (not a Pod Security label, so admission ignores it: did you mean pod-security.kubernetes.io/enforce?). Namespace ci is exempt from admission (config podSecurity.exemptions.namespaces); its labels still set the level its pods are reported against, and apply if the exemption is lifted.');
    expect(invalid.evidence).toMatchObject({ exemption: { namespace: 'ci' } });
    // Valid labels in an exempt namespace pass, without the note; a namespace that is not exempt gets no note.
    const valid = run([ns('ci', enforce('restricted'))], config).results.get('pod-security.invalid-label')!;
    expect(valid.map((v) => `${v.resource.name}:${v.status}`)).toEqual(['ci:pass']);
    const [plain] = fails(run([ns('ci', { 'pod-security.kubernetes.io/enforce': 'Restricted' })]).results.get('pod-security.invalid-label'));
    expect(plain.message).not.toContain('exempt');
  });

  // k8s.io/pod-security-admission admission/admission.go ValidateNamespace: "require valid labels
  // on create" and "on update if they have changed", before any exemption. A real kube-apiserver
  // v1.36.3 refused it: `Namespace "payments" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted"`.
  // https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
  it('invalid-label: from manifests an invalid label value gets the Namespace refused (high, no enforced level claimed); live, it is read as admission reads it', () => {
    const text = [
      'apiVersion: v1', 'kind: Namespace', 'metadata: {name: payments, labels: {pod-security.kubernetes.io/enforce: Restricted}}', '---',
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: api, namespace: payments}',
      'spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x}]}}}',
    ].join('\n');
    const parsed = parseManifestText(text, 'payments.yaml');
    const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources });
    const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
    const check = (id: string) => podSecurityChecks.find((c) => c.id === id)!;
    const [invalid] = [...check('pod-security.invalid-label').evaluate(ctx)];
    expect(invalid).toMatchObject({ status: 'fail', severity: 'high', evidence: { refusedByApiServer: true } });
    expect(invalid.message).toBe('Namespace payments has invalid Pod Security label: pod-security.kubernetes.io/enforce="Restricted" (must be one of privileged, baseline, restricted). The API server will refuse to create this Namespace (PodSecurity admission rejects invalid Pod Security label values on create), and with it every object in it: no Pod Security level is enforced for it.');
    // No level is claimed: enforce-missing and enforce-below-target neither pass nor fail it, the Deployment is not judged at "restricted".
    for (const id of ['pod-security.enforce-missing', 'pod-security.enforce-below-target', 'pod-security.pod-violates-enforced-level']) {
      expect([...check(id).evaluate(ctx)], id).toEqual([]);
      expect(check(id).excluded!(ctx), id).toMatch(/^namespace payments has a Pod Security label value the API server refuses to create a Namespace with \(pod-security\.invalid-label\), so no level is enforced there and /);
    }
    expect(fails([...check('pod-security.pod-violates-target').evaluate(ctx)]).map((v) => v.resource.name)).toEqual(['api']);

    // Live, the namespace exists (labelled while PodSecurity admission was not running): enforce fails closed to restricted.
    const live = run([ns('payments', { 'pod-security.kubernetes.io/enforce': 'Restricted' }), ...livePods('payments', 'api', 1, privilegedSpec)]);
    const [liveInvalid] = fails(live.results.get('pod-security.invalid-label'));
    expect(liveInvalid.severity).toBeUndefined();
    expect(liveInvalid.message).toBe('Namespace payments has invalid Pod Security label: pod-security.kubernetes.io/enforce="Restricted" (must be one of privileged, baseline, restricted; evaluated as "restricted"). The API server refuses to create a namespace with such a value or to change its labels to one, so it was set while PodSecurity admission was not running; until it is fixed, admission reads it as shown.');
    expect(live.results.get('pod-security.enforce-missing')!.map((v) => v.status)).toEqual(['pass']);
    expect(fails(live.results.get('pod-security.pod-violates-enforced-level'))[0].evidence).toMatchObject({ policy: 'restricted:latest (v1.37)' });
    // A misspelt key is only ignored by admission, from manifests too: no refusal is claimed.
    const misspelt = snapshotFromObjects(parseManifestText('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforced: restricted}}', 'shop.yaml').objects, { origin: 'manifests' });
    const [ignored] = [...check('pod-security.invalid-label').evaluate({ ...ctx, snapshot: misspelt })];
    expect(ignored.severity).toBeUndefined();
    expect(ignored.message).not.toContain('refuse');
  });

  it('an exempt namespace the input does not hold is named among those whose enforced level was not judged', () => {
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: ['ci'], runtimeClasses: [], usernames: [] };
    const text = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: dind, namespace: ci}', 'spec: {containers: [{name: c, image: docker:dind, securityContext: {privileged: true}}]}'].join('\n');
    const parsed = parseManifestText(text, 'ci.yaml');
    const snapshot = snapshotFromObjects(parsed.objects, { origin: 'manifests', sources: parsed.sources });
    const ctx: AuditContext = { snapshot, config, now: new Date('2026-11-26T00:00:00Z') };
    const check = (id: string) => podSecurityChecks.find((c) => c.id === id)!;
    expect([...check('pod-security.pod-violates-enforced-level').evaluate(ctx)]).toEqual([]);
    expect(check('pod-security.pod-violates-enforced-level').excluded!(ctx)).toMatch(/^namespace ci is not in the input .* workloads there were not judged at the enforced level/);
    // The namespace checks skip it too: exempt, whatever its labels say.
    expect(check('pod-security.enforce-missing').excluded!(ctx)).toBe('namespace ci is exempt (config podSecurity.exemptions.namespaces): admission enforces nothing there');
  });

  it('exempt namespaces are named in the excluded note of every namespace check, capped like the unseen list', () => {
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions: admission skips
    // every mode for an exempt namespace, so its labels (even enforce=restricted) enforce nothing.
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: ['exns'], runtimeClasses: [], usernames: [] };
    const { ctx, results } = run([ns('exns', enforce('restricted', 'v1.20')), ns('shop', enforce('restricted'))], config, 'v1.37.0');
    const ids = ['pod-security.enforce-missing', 'pod-security.enforce-below-target', 'pod-security.enforce-weaker-than-warn-audit', 'pod-security.version-pinned-old'];
    for (const id of ids) {
      expect(results.get(id)!.map((v) => v.resource.name), id).toEqual(['shop']);
      expect(podSecurityChecks.find((c) => c.id === id)!.excluded!(ctx), id).toBe('namespace exns is exempt (config podSecurity.exemptions.namespaces): admission enforces nothing there');
    }
    // Pods there are still judged (an exemption is why a violating pod runs): nothing is left out of that check.
    expect(podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-enforced-level')!.excluded!(ctx)).toBeUndefined();

    const many = defaultConfig();
    const names = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'];
    many.podSecurity.exemptions = { namespaces: [...names, 'kube-system'], runtimeClasses: [], usernames: [] };
    const wide = run([...names, 'kube-system'].map((n) => ns(n)), many, 'v1.37.0');
    // kube-system, exempt and a system namespace, is said once: as no namespace check judges a system namespace.
    expect(podSecurityChecks.find((c) => c.id === 'pod-security.version-pinned-old')!.excluded!(wide.ctx)).toBe('7 namespaces e1, e2, e3, e4, e5 and 2 more are exempt (config podSecurity.exemptions.namespaces): admission enforces nothing there; system namespace kube-system (config systemNamespaces) is left out by default, so the enforce-version was not judged there');
  });

  it('a workload whose pods are only partly exempt says how many failing pods the exemption admits', () => {
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: [], runtimeClasses: ['kata'], usernames: [] };
    // A rolling update moving a privileged Deployment onto an exempt RuntimeClass: one new pod, one old.
    const [dep, rs, oldPod] = livePods('shop', 'api', 1, privilegedSpec);
    const [, rs2, newPod] = livePods('shop', 'api', 1, { ...privilegedSpec, runtimeClassName: 'kata' });
    rs2.metadata!.name = 'api-7c4b';
    newPod.metadata = { ...newPod.metadata, name: 'api-7c4b-0', ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7c4b', controller: true }] };
    const { results } = run([ns('shop', enforce('restricted')), dep, rs, oldPod, rs2, newPod], config);
    const [f] = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(f.message).toContain('2 of 2 pods violate');
    expect(f.message).toMatch(/ 1 of the failing pods is admitted only because runtimeClassName kata is exempt/);
    expect(f.evidence).toMatchObject({ exemption: { runtimeClasses: ['kata'] }, exemptPods: 1, failingExemptPods: 1 });
  });

  it('invalid-label names a misspelt key quoted, with a suggestion; a hostile key cannot forge lines or flood the message', () => {
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
    const { results } = run([
      ns('payments', { 'pod-security.kubernetes.io/enforced': 'restricted' }),
      ns('evil', { [`pod-security.kubernetes.io/x\n[critical] forged ${'y'.repeat(5000)}`]: 'restricted', 'pod-security.kubernetes.io/enforce': 'baseline' }),
    ]);
    const [payments, evil] = ['payments', 'evil'].map((n) => fails(results.get('pod-security.invalid-label')).find((v) => v.resource.name === n)!);
    expect(payments.message).toBe('Namespace payments has invalid Pod Security label: "pod-security.kubernetes.io/enforced"="restricted" (not a Pod Security label, so admission ignores it: did you mean pod-security.kubernetes.io/enforce?).');
    expect(evil.message).not.toContain('\n');
    expect(evil.message).toContain('"pod-security.kubernetes.io/x\\n[critical] forged yyy');
    expect(evil.message.length).toBeLessThan(400);
  });

  it('"latest" means the cluster\'s own version: a probe host is not enforced on a v1.33 cluster', () => {
    const spec = { containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }] };
    const objects = [ns('shop', enforce('baseline')), ...livePods('shop', 'web', 1, spec)];
    expect(fails(run(objects, defaultConfig(), 'v1.33.2').results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
    const newer = fails(run(objects, defaultConfig(), 'v1.36.3').results.get('pod-security.pod-violates-enforced-level'));
    expect(newer[0].evidence).toMatchObject({ policy: 'baseline:latest (v1.36)', checks: [{ id: 'hostProbesAndHostLifecycle' }] });
  });

  // A Deployment mid-rollout: the old ReplicaSet (revision 1) runs the pods, the new one
  // (revision 2, the Deployment's template) has none because admission refuses them.
  function rollout(namespace: string, oldSpec: object, newSpec: object, count: number, podLabels: Record<string, string> = { app: 'web', 'pod-template-hash': 'old1' }) {
    const dep: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace }, spec: { replicas: count, template: { metadata: { labels: { app: 'web' } }, spec: newSpec } } };
    const rs = (hash: string, revision: string, spec: object): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `web-${hash}`, namespace, labels: { app: 'web', 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] },
      spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec } },
    });
    const pods = Array.from({ length: count }, (_, i): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `web-old1-${i}`, namespace, labels: podLabels, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-old1', controller: true }] },
      spec: oldSpec,
    }));
    return { dep, oldRs: rs('old1', '1', oldSpec), newRs: rs('new2', '2', newSpec), pods };
  }

  it('a live Deployment whose current template admission would reject is reported although its running pods (of the old ReplicaSet) pass: rollout stalls', () => {
    // reference/checks.md §2.6: enforce evaluates Pods only, so a violating Deployment is admitted and its
    // pods rejected (https://kubernetes.io/docs/concepts/security/pod-security-admission/#workload-resources-and-pod-templates).
    // The running pods come from the previous ReplicaSet; the new one can never create a pod, and the
    // old one keeps its pods (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment).
    const oldSpec = { containers: [{ name: 'c', image: 'nginx' }] };
    const newSpec = { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] };
    const { dep, oldRs, newRs, pods } = rollout('b', oldSpec, newSpec, 2);
    const objects = [ns('b', enforce('baseline')), dep, oldRs, newRs, ...pods];
    const { results } = run(objects, defaultConfig(), 'v1.30.2');
    const [f] = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(f.resource).toEqual({ kind: 'Deployment', namespace: 'b', name: 'web' });
    expect(f.message).toBe('Deployment b/web: its current pod template violates the namespace\'s enforced Pod Security level "baseline:latest (v1.30)": hostPort (container "c" uses hostPort 80). Its 2 running pods do not (none is of its current revision: made from an earlier template). Admission rejects every new pod the current template makes (after any mutating webhook has changed it), so its rollout stalls; the old ReplicaSet keeps serving until the template is fixed.');
    // The template is not one of the failing pods (currentTemplateFails says it fails).
    expect(f.evidence).toMatchObject({ evaluatedPods: 2, failingPods: 0, currentTemplateFails: true, failingPodNames: [], checks: [{ id: 'hostPorts' }] });
    const [t] = fails(results.get('pod-security.pod-violates-target'));
    expect(t.message).toMatch(/^Deployment b\/web: 2 of 2 pods and its current pod template violate the target Pod Security level "restricted:latest \(v1\.30\)": hostPort \(container "c" uses hostPort 80\); allowPrivilegeEscalation/);
    expect(t.severity).toBe('high');
    expect(t.evidence).toMatchObject({ failingPodNames: ['web-old1-0', 'web-old1-1'] });

    // The same template as the pods' (replicas of the current ReplicaSet) adds nothing: judged by the pods alone.
    const same = run([ns('b', enforce('baseline')), ...livePods('b', 'web', 2, oldSpec)], defaultConfig(), 'v1.30.2');
    const [pass] = same.results.get('pod-security.pod-violates-enforced-level')!;
    expect(pass.status).toBe('pass');
    expect(pass.evidence).not.toHaveProperty('currentTemplateFails');
    // An exempt runtimeClassName on the template: admission skips its pods, so no rollout is blocked.
    const config = defaultConfig();
    config.podSecurity.exemptions = { namespaces: [], usernames: [], runtimeClasses: ['kata'] };
    const kata = { ...newSpec, runtimeClassName: 'kata' };
    const exempt = rollout('b', oldSpec, kata, 2);
    expect(fails(run([ns('b', enforce('baseline')), exempt.dep, exempt.oldRs, exempt.newRs, ...exempt.pods], config, 'v1.30.2').results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
  });

  // A paused Deployment's template edits make no ReplicaSet: its controller only syncs it, with
  // createIfNotExisted false (kubernetes deployment_controller.go syncDeployment, sync.go), and
  // FindNewReplicaSet finds none whose template equals the Deployment's; resuming rolls it out
  // (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pausing-and-resuming-a-deployment).
  // So the old ReplicaSet, the only one, is not its current revision.
  it('a paused Deployment whose edited template breaks the level has no pod of it: the template is judged and said not rolled out yet', () => {
    const oldSpec = { containers: [{ name: 'c', image: 'nginx' }] };
    const newSpec = { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] };
    const { dep, oldRs, pods } = rollout('b', oldSpec, newSpec, 1);
    dep.metadata!.generation = 2;
    (dep.spec as Record<string, unknown>).paused = true;
    dep.status = { observedGeneration: 2 };
    const { results } = run([ns('b', enforce('baseline')), dep, oldRs, ...pods], defaultConfig(), 'v1.34.2');
    const [f] = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(f?.resource).toEqual({ kind: 'Deployment', namespace: 'b', name: 'web' });
    expect(f?.evidence).toMatchObject({ evaluatedPods: 1, failingPods: 0, currentTemplateFails: true, notRolledOut: 'paused', checks: [{ id: 'privileged' }] });
    expect(f?.message).toContain('Its 1 running pod does not (none is of its current revision: made from an earlier template). The template is not rolled out yet: the Deployment is paused (spec.paused), and resuming it (kubectl rollout resume) makes its new pods from this template.');
    expect(f?.message).toContain('so its rollout stalls once resumed;');
    const [t] = fails(results.get('pod-security.pod-violates-target'));
    expect(t?.severity).toBe('high');
    expect(t?.message).toContain('The template is not rolled out yet: the Deployment is paused');

    // An edit its controller has not seen yet (status.observedGeneration below metadata.generation): not rolled out either.
    (dep.spec as Record<string, unknown>).paused = false;
    dep.status = { observedGeneration: 1 };
    const [u] = fails(run([ns('b', enforce('baseline')), dep, oldRs, ...pods], defaultConfig(), 'v1.34.2').results.get('pod-security.pod-violates-enforced-level'));
    expect(u?.evidence).toMatchObject({ currentTemplateFails: true, notRolledOut: 'unobserved' });
    expect(u?.message).toContain('the Deployment controller has not acted on the change');

    // Resumed, and its controller has seen the edit: the newest ReplicaSet the snapshot holds stands for its current revision, as before.
    dep.status = { observedGeneration: 2 };
    expect(fails(run([ns('b', enforce('baseline')), dep, oldRs, ...pods], defaultConfig(), 'v1.34.2').results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
  });

  // Anyone who may create a ReplicaSet may write an owner reference naming the Deployment ("Owners
  // and dependents", https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/);
  // the Deployment controller only counts one whose reference carries its uid and whose pods its
  // selector selects (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector).
  it('a ReplicaSet naming the Deployment by hand (a wrong uid) cannot make the old pods its current revision and hide the stalled rollout', () => {
    const oldSpec = { containers: [{ name: 'c', image: 'nginx' }] };
    const newSpec = { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] };
    const { dep, oldRs, newRs, pods } = rollout('b', oldSpec, newSpec, 2);
    dep.metadata!.uid = 'd0000000-0000-4000-8000-000000000001';
    (dep.spec as Record<string, unknown>).selector = { matchLabels: { app: 'web' } };
    for (const rs of [oldRs, newRs]) rs.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata!.uid, controller: true }];
    // A copy of the Deployment's template under the old pods' pod-template-hash, at a higher revision.
    const impostor: KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'web-old1x', namespace: 'b', labels: { app: 'web', 'pod-template-hash': 'old1' }, annotations: { 'deployment.kubernetes.io/revision': '3' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '00000000-dead-4000-8000-000000000000', controller: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'old1' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'old1' } }, spec: newSpec } },
    };
    const { results } = run([ns('b', enforce('baseline')), dep, oldRs, newRs, impostor, ...pods], defaultConfig(), 'v1.30.2');
    const [f] = fails(results.get('pod-security.pod-violates-enforced-level'));
    expect(f?.resource).toEqual({ kind: 'Deployment', namespace: 'b', name: 'web' });
    expect(f?.evidence).toMatchObject({ evaluatedPods: 2, failingPods: 0, currentTemplateFails: true });
  });

  it('a running pod of the current revision that a mutating webhook fixed at admission proves the failing template is admitted: no blocked rollout', () => {
    // Mutating admission runs before validating admission, and PodSecurity judges the mutated pod
    // (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/): a pod whose
    // pod-template-hash is the current ReplicaSet's was admitted from this very template.
    const template = { containers: [{ name: 'c', image: 'nginx' }] };
    const mutated = restrictedSpec;
    const { dep, newRs } = rollout('shop', mutated, template, 1);
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-new2-x', namespace: 'shop', labels: { app: 'web', 'pod-template-hash': 'new2' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-new2', controller: true }] },
      spec: mutated,
    };
    const { results } = run([ns('shop', enforce('restricted')), dep, newRs, pod], defaultConfig(), 'v1.30.2');
    const [v] = results.get('pod-security.pod-violates-enforced-level')!;
    expect(v).toMatchObject({ status: 'pass', resource: { kind: 'Deployment', name: 'web' } });
    expect(v.evidence).not.toHaveProperty('currentTemplateFails');
    // The current ReplicaSet found by its template (no revision annotations), as the Deployment controller does.
    const bare: KubeObject = { ...newRs, metadata: { ...newRs.metadata, annotations: {} } };
    expect(fails(run([ns('shop', enforce('restricted')), dep, bare, pod], defaultConfig(), 'v1.30.2').results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
    // Pods that no label ties to a revision: no blocked rollout is claimed.
    const untied = rollout('shop', mutated, template, 1, { app: 'web' });
    expect(fails(run([ns('shop', enforce('restricted')), untied.dep, untied.oldRs, untied.newRs, ...untied.pods], defaultConfig(), 'v1.30.2').results.get('pod-security.pod-violates-enforced-level'))).toEqual([]);
  });

  it('what a failing current template stops is worded by controller: StatefulSet, DaemonSet, CronJob', () => {
    // A StatefulSet or DaemonSet recreates a deleted pod from its current template
    // (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies;
    // pods below a rolling update's partition from the earlier one); a CronJob's change reaches only
    // its next Jobs (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#modifying-a-cronjob).
    const oldSpec = { containers: [{ name: 'c', image: 'x:1' }] };
    const newSpec = { hostNetwork: true, containers: [{ name: 'c', image: 'x:2' }] };
    const pod = (name: string, owner: { kind: string; name: string }, labels: Record<string, string>): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'b', labels, ownerReferences: [{ ...owner, controller: true }] }, spec: oldSpec,
    });
    const sts = (name: string, updateStrategy: object): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'b' },
      spec: { updateStrategy, template: { spec: newSpec } }, status: { currentRevision: `${name}-1`, updateRevision: `${name}-2` },
    });
    const objects = [
      ns('b', enforce('baseline')),
      sts('db', { type: 'OnDelete' }), pod('db-0', { kind: 'StatefulSet', name: 'db' }, { 'controller-revision-hash': 'db-1' }),
      sts('kv', { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }), pod('kv-2', { kind: 'StatefulSet', name: 'kv' }, { 'controller-revision-hash': 'kv-1' }),
      // The current revision running: not judged by the template.
      sts('ok', { type: 'OnDelete' }), pod('ok-0', { kind: 'StatefulSet', name: 'ok' }, { 'controller-revision-hash': 'ok-2' }),
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'b', annotations: { 'deprecated.daemonset.template.generation': '3' } }, spec: { template: { spec: newSpec } } },
      pod('agent-x', { kind: 'DaemonSet', name: 'agent' }, { 'pod-template-generation': '2' }),
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'b' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: newSpec } } } } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-29000000', namespace: 'b', ownerReferences: [{ kind: 'CronJob', name: 'report', controller: true }] }, spec: { template: { spec: oldSpec } } },
      pod('report-29000000-a', { kind: 'Job', name: 'report-29000000' }, {}),
      // A Job made from the CronJob's current template (the labels the Job controller adds aside) runs a pod
      // a mutating webhook fixed: its next runs are admitted too.
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'fresh', namespace: 'b' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: newSpec } } } } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fresh-29000000', namespace: 'b', ownerReferences: [{ kind: 'CronJob', name: 'fresh', controller: true }] }, spec: { template: { metadata: { labels: { 'batch.kubernetes.io/job-name': 'fresh-29000000', 'job-name': 'fresh-29000000' } }, spec: newSpec } } },
      pod('fresh-29000000-a', { kind: 'Job', name: 'fresh-29000000' }, {}),
    ];
    const found = fails(run(objects, defaultConfig(), 'v1.30.2').results.get('pod-security.pod-violates-enforced-level'));
    const tail = (name: string) => found.find((v) => v.resource.name === name)?.message.split('(none is of its current revision: made from an earlier template). ')[1];
    const rejected = 'Admission rejects every new pod the current template makes (after any mutating webhook has changed it), so ';
    expect(tail('db')).toBe(`${rejected}a deleted or evicted pod is not replaced until the template is fixed.`);
    expect(tail('kv')).toBe(`${rejected}its rolling update stalls at the first pod it replaces, and a deleted pod at ordinal 2 or above is not replaced, until the template is fixed.`);
    expect(tail('agent')).toBe(`${rejected}its rolling update stalls at the first pod it replaces, and a deleted or evicted pod is not replaced, until the template is fixed.`);
    expect(tail('report')).toBe(`${rejected}the pods of its next runs are refused until the template is fixed.`);
    expect(found.map((v) => v.resource.name).sort()).toEqual(['agent', 'db', 'kv', 'report']);
  });

  // `kubectl rollout undo daemonset` makes an earlier template current again under a new template
  // generation (https://kubernetes.io/docs/tasks/manage-daemon/rollback-daemon-set/): the pods
  // already running it keep their old pod-template-generation label, and the controller counts them
  // updated by their controller-revision-hash, which its status reports (updatedNumberScheduled,
  // "the total number of nodes that are running updated daemon pod":
  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/daemon-set-v1/#DaemonSetStatus).
  it('a DaemonSet rolled back to the template its pods run (its status counts them updated) is not reported as a stalled rollout', () => {
    const template = { containers: [{ name: 'c', image: 'agent:1' }] };
    const ds = (status?: object): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'b', uid: 'ds1', generation: 3, annotations: { 'deprecated.daemonset.template.generation': '3' } },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: template } },
      ...(status ? { status } : {}),
    });
    // Made from the same template at generation 1; a mutating webhook made it restricted at admission.
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'agent-x7k2p', namespace: 'b', labels: { app: 'agent', 'controller-revision-hash': '6d4b9c7f8', 'pod-template-generation': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds1', controller: true }] },
      spec: restrictedSpec, status: { phase: 'Running' },
    };
    const enforced = (status?: object) => fails(run([ns('b', enforce('restricted')), ds(status), pod], defaultConfig(), 'v1.30.2').results.get('pod-security.pod-violates-enforced-level'));
    expect(enforced({ observedGeneration: 3, desiredNumberScheduled: 1, updatedNumberScheduled: 1 })).toEqual([]);
    // No status, one written for an earlier generation, or none of its pods updated: the labels decide.
    for (const status of [undefined, { observedGeneration: 2, updatedNumberScheduled: 1 }, { observedGeneration: 3, updatedNumberScheduled: 0 }]) {
      const [f] = enforced(status);
      expect(f?.resource, JSON.stringify(status)).toEqual({ kind: 'DaemonSet', namespace: 'b', name: 'agent' });
      expect(f?.evidence).toMatchObject({ currentTemplateFails: true, failingPods: 0 });
    }
  });

  it('version-pinned-old compares with the cluster version, or with the newest rules when it is unknown', () => {
    const objects = [ns('a', enforce('restricted', 'v1.36')), ns('b', enforce('baseline', 'v1.30')), ns('c', enforce('privileged', 'v1.10'))];
    const onCluster = run(objects, defaultConfig(), 'v1.36.3').results.get('pod-security.version-pinned-old')!;
    expect(onCluster.map((v) => `${v.resource.name}:${v.status}`)).toEqual(['a:pass', 'b:fail']);
    expect(onCluster[1].evidence).toMatchObject({ checksTightenedSince: ['hostProbesAndHostLifecycle'], checksRelaxedSince: ['procMount', 'seLinuxOptions', 'sysctls'] });
    const unknown = run(objects).results.get('pod-security.version-pinned-old')!;
    expect(unknown.map((v) => `${v.resource.name}:${v.status}`)).toEqual(['a:fail', 'b:fail']);
    expect(unknown[0].message).toContain('cluster version unknown');
  });

  it('version-pinned-old: medium only when newer rules tighten; a pin that newer versions only relax is low and says so', () => {
    // Upstream policy/check_sysctls.go (safe list grows at 1.37), check_procMount_baseline.go,
    // check_runAsNonRoot.go and check_runAsUser.go (hostUsers: false relaxations at 1.35),
    // check_procMount_restricted.go (the old procMount rule kept at restricted); reference/checks.md §2.2–2.5.
    const verdicts = run([ns('pinned-baseline', enforce('baseline', 'v1.34')), ns('pinned-restricted', enforce('restricted', 'v1.34')), ns('legacy', enforce('restricted', 'v1.22'))], defaultConfig(), 'v1.37.0')
      .results.get('pod-security.version-pinned-old')!;
    const byName = (n: string) => verdicts.find((v) => v.resource.name === n)!;
    expect(byName('pinned-baseline')).toMatchObject({ status: 'fail', severity: 'low', evidence: { checksTightenedSince: [], checksRelaxedSince: ['procMount', 'sysctls'] } });
    expect(byName('pinned-baseline').message).toContain('newer versions only relax its rules (procMount, sysctls): the pin misses no check, and moving it to latest would only admit more pods');
    expect(byName('pinned-restricted')).toMatchObject({ severity: 'low', evidence: { checksTightenedSince: [], checksRelaxedSince: ['sysctls', 'runAsNonRoot', 'runAsUser'] } });
    expect(byName('legacy')).toMatchObject({ severity: 'medium', evidence: { checksTightenedSince: ['hostProbesAndHostLifecycle', 'runAsUser'] } });
    expect(byName('legacy').message).toContain('checks added or tightened since, which it does not enforce: hostProbesAndHostLifecycle, runAsUser');
  });

  it('enforce-below-target: the target level at an old enforce-version fails, naming the version and the checks it lacks', () => {
    // Upstream policy/check_allowPrivilegeEscalation.go (1.8), check_capabilities_restricted.go (1.22),
    // check_runAsUser.go (1.23), check_seccompProfile_restricted.go (1.19): admission at v1.0 runs none of them.
    const { results } = run([ns('payments', enforce('restricted', 'v1.0')), ns('current', enforce('restricted', 'v1.37')), ns('strict-old', enforce('restricted', 'v1.33'))], defaultConfig(), 'v1.37.0');
    const verdicts = results.get('pod-security.enforce-below-target')!;
    const byName = (n: string) => verdicts.find((v) => v.resource.name === n)!;
    expect(byName('payments')).toMatchObject({ status: 'fail', severity: 'medium', evidence: { checksMissingByVersion: ['hostProbesAndHostLifecycle', 'allowPrivilegeEscalation', 'capabilities_restricted', 'runAsUser', 'seccompProfile_restricted'] } });
    expect(byName('payments').message).toBe('Namespace payments enforces "restricted:v1.0" by label, the target\'s level but not its rules: the target "restricted:latest (v1.37)" has checks added or tightened since that it does not enforce: hostProbesAndHostLifecycle, allowPrivilegeEscalation, capabilities_restricted, runAsUser, seccompProfile_restricted.');
    expect(byName('current').status).toBe('pass');
    expect(byName('strict-old')).toMatchObject({ status: 'fail', evidence: { checksMissingByVersion: ['hostProbesAndHostLifecycle'] } });
    // A stricter level at an old version still lacks the target's newer baseline checks: restricted:v1.18 runs no seccomp field check.
    const config = defaultConfig();
    config.target.podSecurityLevel = 'baseline';
    const baselineTarget = run([ns('old', enforce('restricted', 'v1.18'))], config, 'v1.37.0').results.get('pod-security.enforce-below-target')!;
    expect(baselineTarget[0]).toMatchObject({ status: 'fail', evidence: { checksMissingByVersion: ['hostProbesAndHostLifecycle', 'seccompProfile_baseline'] } });
    // restricted is above a baseline target, not at it: the message says so.
    expect(baselineTarget[0].message).toBe('Namespace old enforces "restricted:v1.18" by label, above the target\'s level but not its rules: the target "baseline:latest (v1.37)" has checks added or tightened since that it does not enforce: hostProbesAndHostLifecycle, seccompProfile_baseline.');
  });

  it('pod-violates-target: high when a baseline control fails, medium otherwise, and its documentation says so', () => {
    // Baseline controls per https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    // (privileged containers); runAsNonRoot is restricted only (#restricted, "Running as Non-root").
    const missesRestricted = { containers: [{ name: 'c', image: 'x' }] };
    const { results } = run([ns('shop', enforce('privileged')), ...livePods('shop', 'priv', 1, privilegedSpec), ...livePods('shop', 'plain', 1, missesRestricted)]);
    const bySeverity = fails(results.get('pod-security.pod-violates-target')).map((v) => `${v.severity ?? 'check default'} ${v.resource.name}`).sort();
    expect(bySeverity).toEqual(['check default plain', 'high priv']);
    const check = podSecurityChecks.find((c) => c.id === 'pod-security.pod-violates-target')!;
    expect(check.severity).toBe('medium');
    // docs/checks.md, `ztaudit explain` and the report show the remediation: it names the split and the override.
    expect(check.remediation).toContain('A workload that fails a baseline control (privileged, host namespaces, hostPath, added capabilities, ...) is high and one that misses only restricted hardening medium');
    expect(check.remediation).toContain('`checks: {pod-security.pod-violates-target: {severity: medium}}`');
  });

  it('hostUsers: false relaxes runAsNonRoot and runAsUser from policy v1.35 only, never on an older version or cluster', () => {
    // Upstream kubernetes/pod-security-admission @8f84a87 (HEAD, 2026-07-01): policy/check_runAsNonRoot.go:60 and
    // policy/check_runAsUser.go:61 register the relaxed variant at MinimumVersion 1.35; :69/:70 "In the 1.0 [1.23]
    // policy, this relaxation was gated on a perma-alpha feature gate. Instead of relaxing 1.0 policy, drop the
    // relaxation there, and add it unconditionally here." policy/helpers.go:42 relaxes only hostUsers set to false.
    // Commit 7f3f098 ("drop UserNamespacesPodSecurityStandards feature gate", first in kubernetes-1.35.0) removed the
    // gate; before it (1.29-1.34) the relaxation needed that alpha gate, off by default and not visible through the
    // API, so a cluster older than 1.35 is judged without it: at worst a pod admission would admit is reported.
    const rootInUserns = (hostUsers: boolean | undefined) => ({ ...(hostUsers === undefined ? {} : { hostUsers }), securityContext: { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] });
    const objects = [ns('apps', enforce('restricted')), ...livePods('apps', 'userns', 1, rootInUserns(false)), ...livePods('apps', 'hostns', 1, rootInUserns(true)), ...livePods('apps', 'unset', 1, rootInUserns(undefined))];
    const failing = (clusterVersion: string) => fails(run(objects, defaultConfig(), clusterVersion).results.get('pod-security.pod-violates-enforced-level')).map((v) => v.resource.name).sort();
    expect(failing('v1.35.0')).toEqual(['hostns', 'unset']);
    expect(failing('v1.34.3')).toEqual(['hostns', 'unset', 'userns']);
    // A namespace pinned below v1.35 keeps the unrelaxed rules on a newer cluster too.
    const pinned = [ns('apps', enforce('restricted', 'v1.34')), ...livePods('apps', 'userns', 1, rootInUserns(false))];
    expect(fails(run(pinned, defaultConfig(), 'v1.37.0').results.get('pod-security.pod-violates-enforced-level')).map((v) => v.resource.name)).toEqual(['userns']);
  });

  it('enforce-below-target: a version from the admission defaults under a labelled level is not blamed on a label', () => {
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces:
    // level and version are separate labels; one left out comes from the AdmissionConfiguration defaults
    // (https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-admission-controller/).
    const config = defaultConfig();
    config.podSecurity.defaults = { enforce: 'restricted', 'enforce-version': 'v1.20' };
    const { results } = run([ns('rlat', enforce('restricted')), ns('both', enforce('restricted', 'v1.20')), ns('vlab', { 'pod-security.kubernetes.io/enforce-version': 'v1.20' })], config, 'v1.37.0');
    const byName = (n: string) => results.get('pod-security.enforce-below-target')!.find((v) => v.resource.name === n)!;
    const missing = 'the target\'s level but not its rules: the target "restricted:latest (v1.37)" has checks added or tightened since that it does not enforce: hostProbesAndHostLifecycle, capabilities_restricted, runAsUser.';
    expect(byName('rlat').message).toBe(`Namespace rlat enforces "restricted" by label, at version v1.20 by the admission defaults (the namespace has no enforce-version label; config podSecurity.defaults.enforce-version), ${missing}`);
    expect(byName('both').message).toBe(`Namespace both enforces "restricted:v1.20" by label, ${missing}`);
    expect(byName('vlab').message).toBe(`Namespace vlab enforces "restricted" by the admission defaults, at version v1.20 set by its enforce-version label, ${missing}`);
  });

  it('enforce-weaker-than-warn-audit: warn at the same level but a newer version fails, naming both versions', () => {
    // https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces:
    // each mode has its own version; upstream check_runAsUser.go starts at 1.23, so enforce restricted:v1.18 admits runAsUser: 0.
    const labels = { ...enforce('restricted', 'v1.18'), 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'latest' };
    const { results } = run([ns('staged', labels), ns('aligned', { ...enforce('restricted', 'v1.18'), 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'v1.18' })], defaultConfig(), 'v1.37.0');
    const verdicts = results.get('pod-security.enforce-weaker-than-warn-audit')!;
    const staged = verdicts.find((v) => v.resource.name === 'staged')!;
    expect(staged.status).toBe('fail');
    expect(staged.message).toBe('Namespace staged enforces "restricted:v1.18" while warn "restricted:latest (v1.37)" runs hostProbesAndHostLifecycle, capabilities_restricted, runAsUser, seccompProfile_restricted, which the enforced version does not: pods that fail them are admitted and only reported.');
    expect(verdicts.find((v) => v.resource.name === 'aligned')!.status).toBe('pass');
  });

  it('version-pinned-old blames the enforce-version label only when there is one; otherwise the admission defaults', () => {
    const config = defaultConfig();
    config.podSecurity.defaults = { enforce: 'baseline', 'enforce-version': 'v1.22' };
    const verdicts = run([ns('team-b'), ns('team-c', enforce('baseline', 'v1.22')), ns('team-d', enforce('restricted'))], config, 'v1.33.1').results.get('pod-security.version-pinned-old')!;
    const message = (name: string) => fails(verdicts).find((v) => v.resource.name === name)!.message;
    expect(message('team-b')).toMatch(/^Namespace team-b has no enforce-version label, so the cluster's admission defaults \(config podSecurity\.defaults\.enforce-version\) pin its enforced version to v1\.22, older than the cluster version \(v1\.33\)/);
    expect(message('team-b')).not.toContain('pins enforce-version');
    expect(message('team-c')).toMatch(/^Namespace team-c pins enforce-version v1\.22, older than the cluster version \(v1\.33\)/);
    // A label sets the level, the defaults the version: still the defaults' doing.
    expect(message('team-d')).toMatch(/^Namespace team-d has no enforce-version label, so the cluster's admission defaults/);
  });

  it('the target level and version come from config', () => {
    const spec = { containers: [{ name: 'c', image: 'x' }] };
    const config = defaultConfig();
    config.target.podSecurityLevel = 'baseline';
    const baseline = run([ns('shop', enforce('baseline')), ...livePods('shop', 'web', 1, spec)], config);
    expect(fails(baseline.results.get('pod-security.pod-violates-target'))).toEqual([]);
    expect(fails(baseline.results.get('pod-security.enforce-below-target'))).toEqual([]);
    config.target = { ...config.target, podSecurityLevel: 'restricted', podSecurityVersion: 'v1.7' };
    const old = fails(run([ns('shop', enforce('baseline')), ...livePods('shop', 'web', 1, spec)], config).results.get('pod-security.pod-violates-target'));
    // restricted v1.7 predates allowPrivilegeEscalation, seccomp and capabilities checks.
    expect((old[0].evidence as { checks: Array<{ id: string }> }).checks.map((c) => c.id)).toEqual(['runAsNonRoot']);
  });

  it('a rolling update with mixed pods reports the union of failures and how many pods fail', () => {
    const objects = [ns('shop', enforce('restricted')), ...livePods('shop', 'api', 2, restrictedSpec)];
    (objects.at(-1) as KubeObject).spec = privilegedSpec;
    const [f] = fails(run(objects).results.get('pod-security.pod-violates-enforced-level'));
    expect(f.message).toContain('1 of 2 pods violates');
    expect(f.evidence).toMatchObject({ failingPods: 1, evaluatedPods: 2, failingPodNames: ['api-5d9f-1'] });
  });

  it('builds the model once per snapshot and config', () => {
    const { ctx, model } = run([ns('shop')]);
    expect(podSecurityModel(ctx.snapshot, ctx.config)).toBe(model);
    expect(podSecurityModel(ctx.snapshot, defaultConfig())).not.toBe(model);
  });

  it('malformed namespaces and pods never crash the checks', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'odd', labels: 'x' as unknown as Record<string, string> } },
      { apiVersion: 'v1', kind: 'Namespace' },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'odd' }, spec: 'nope' },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'odd' }, spec: { containers: 'x', volumes: [{ name: 'v', hostPath: 'x' }] } },
    ];
    const { results } = run(objects);
    expect(fails(results.get('pod-security.enforce-missing')).map((v) => v.resource.name)).toEqual(['odd']);
    // odd's labels are unreadable: privileged is assumed, which restricts nothing, so neither pod is judged.
    expect(results.get('pod-security.pod-violates-enforced-level')!.map((v) => v.status)).toEqual([]);
    // p's spec is no object: evaluated as an empty pod (nothing to violate); q's hostPath is still seen.
    expect(fails(results.get('pod-security.pod-violates-target')).map((v) => v.resource.name)).toEqual(['q']);
  });

  // Its speed is measured in the benchmark (`npm run bench`), never timed here.
  it('judges 20,000 pods of 2,000 workloads once per workload', () => {
    const objects: KubeObject[] = [ns('big', enforce('baseline'))];
    for (let d = 0; d < 2000; d++) objects.push(...livePods('big', `d${d}`, 10, d % 3 ? restrictedSpec : privilegedSpec));
    const { results } = run(objects);
    const verdicts = results.get('pod-security.pod-violates-enforced-level')!;
    expect(verdicts).toHaveLength(2000);
    expect(verdicts.filter((v) => v.status === 'fail')).toHaveLength(667);
  });
});
