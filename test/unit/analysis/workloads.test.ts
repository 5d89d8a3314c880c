// Which workload a pod's findings belong to. A pod folds into its owner only along the chains
// Kubernetes' built-in controllers make (Pod → ReplicaSet → Deployment, Pod → Job → CronJob,
// Pod → DaemonSet | StatefulSet | ReplicationController), and only into an owner that would
// keep it: the reference's uid is the owner's and the owner's selector selects the pod. Owner
// references can be written by hand by anyone who may create the pod ("Owners and dependents",
// https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/), and
// the garbage collector keeps one that names an existing object, so a bare pod naming a
// Deployment as its controller stays in the cluster, and must stay its own workload here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workloadAliasOf, workloadsOf } from '../../../src/analysis/workloads.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

const NS = 'monitoring';
const spec = { containers: [{ name: 'agent', image: 'registry.example.com/ebpf-agent:1.0' }] };
type Ref = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number];
const ref = (apiVersion: string, kind: string, name: string, uid?: string): Ref => ({ apiVersion, kind, name, ...(uid ? { uid } : {}), controller: true });

/** A Deployment, its ReplicaSet and one pod, as the Deployment and ReplicaSet controllers make them (uids as the API server gives them). */
function deploymentChain(name: string, uids = true): KubeObject[] {
  const hash = '5d8f9c7b6';
  const rsName = `${name}-${hash}`;
  const uid = (n: number) => (uids ? `${n}b0c7e7e-0000-4000-8000-00000000000${n}` : undefined);
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS, ...(uids ? { uid: uid(1) } : {}) }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } } },
    {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: NS, ...(uids ? { uid: uid(2) } : {}), labels: { app: name, 'pod-template-hash': hash }, ownerReferences: [ref('apps/v1', 'Deployment', name, uid(1))] },
      spec: { selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: { metadata: { labels: { app: name, 'pod-template-hash': hash } }, spec } },
    },
    pod(`${rsName}-x7k2p`, { app: name, 'pod-template-hash': hash }, [ref('apps/v1', 'ReplicaSet', rsName, uid(2))]),
  ];
}

function pod(name: string, labels: Record<string, string>, ownerReferences?: Ref[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels, ...(ownerReferences ? { ownerReferences } : {}) }, spec, status: { phase: 'Running' } };
}

const live = (objects: KubeObject[]): Snapshot => Object.assign(snapshotFromObjects(structuredClone(objects)), { source: 'live', origin: 'live' } as const);
const manifests = (objects: KubeObject[]): Snapshot => snapshotFromObjects(structuredClone(objects));

/** "Kind namespace/name" of the workload the named pod's findings go to. */
function ownerOf(snapshot: Snapshot, podName: string): string {
  const p = workloadsOf(snapshot).flatMap((w) => w.pods).find((v) => v.origin === 'pod' && v.name === podName);
  if (!p) throw new Error(`no pod ${podName}`);
  return `${p.owner.kind} ${p.owner.namespace}/${p.owner.name}`;
}

describe('a pod folds into its workload', () => {
  it('along a real ReplicaSet → Deployment chain, with uids or (manifests) without', () => {
    expect(ownerOf(live(deploymentChain('ebpf-agent')), 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Deployment monitoring/ebpf-agent');
    expect(ownerOf(live(deploymentChain('ebpf-agent', false)), 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Deployment monitoring/ebpf-agent');
  });

  it('along Job → CronJob, the Job\'s generated selector (batch.kubernetes.io/controller-uid) matched by the labels the Job controller gives its pods', () => {
    // https://kubernetes.io/docs/concepts/workloads/controllers/job/#specifying-your-own-pod-selector
    const jobUid = 'a8f3d00d-c6d2-11e5-9f87-42010af00002';
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: NS, uid: 'c1' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec } } } } };
    const job: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup-29000000', namespace: NS, uid: jobUid, ownerReferences: [ref('batch/v1', 'CronJob', 'backup', 'c1')] },
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': jobUid } }, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': jobUid, 'batch.kubernetes.io/job-name': 'backup-29000000' } }, spec } },
    };
    const s = live([cron, job,
      pod('backup-29000000-abcde', { 'batch.kubernetes.io/controller-uid': jobUid, 'controller-uid': jobUid, 'batch.kubernetes.io/job-name': 'backup-29000000', 'job-name': 'backup-29000000' }, [ref('batch/v1', 'Job', 'backup-29000000', jobUid)]),
      pod('not-of-the-job', { 'job-name': 'backup-29000000' }, [ref('batch/v1', 'Job', 'backup-29000000', jobUid)]),
    ]);
    expect(ownerOf(s, 'backup-29000000-abcde')).toBe('CronJob monitoring/backup');
    expect(ownerOf(s, 'not-of-the-job')).toBe('Pod monitoring/not-of-the-job');
  });

  it('into a ReplicationController by its map selector', () => {
    const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy', namespace: NS, uid: 'r1' }, spec: { selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec } } };
    const s = live([rc, pod('legacy-abcde', { app: 'legacy' }, [ref('v1', 'ReplicationController', 'legacy', 'r1')]), pod('other', { app: 'other' }, [ref('v1', 'ReplicationController', 'legacy', 'r1')])]);
    expect(ownerOf(s, 'legacy-abcde')).toBe('ReplicationController monitoring/legacy');
    expect(ownerOf(s, 'other')).toBe('Pod monitoring/other');
  });
});

describe('a pod is a workload of its own', () => {
  it('when it names a Deployment as its controller (no controller makes pods for one), even with its uid and labels', () => {
    const s = live([...deploymentChain('ebpf-agent'),
      pod('debug-shell', { app: 'ebpf-agent' }, [ref('apps/v1', 'Deployment', 'ebpf-agent', '1b0c7e7e-0000-4000-8000-000000000001')])]);
    expect(ownerOf(s, 'debug-shell')).toBe('Pod monitoring/debug-shell');
    expect(ownerOf(s, 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Deployment monitoring/ebpf-agent');
    expect(workloadsOf(s).find((w) => w.ref.kind === 'Deployment')?.podCount).toBe(1);
  });

  it('when its owner reference\'s uid is not the owner\'s', () => {
    const s = live([pod('debug-shell', { app: 'ebpf-agent', 'pod-template-hash': '5d8f9c7b6' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-5d8f9c7b6', '00000000-dead-4000-8000-000000000000')]),
      ...deploymentChain('ebpf-agent')]);
    expect(ownerOf(s, 'debug-shell')).toBe('Pod monitoring/debug-shell');
    // What `reach` takes the ReplicaSet's name for is still the Deployment, not the impostor.
    expect(workloadAliasOf(s, NS, 'ebpf-agent-5d8f9c7b6')?.ref).toEqual({ kind: 'Deployment', namespace: NS, name: 'ebpf-agent' });
  });

  it('when its labels do not match its owner\'s selector (the controller would release it)', () => {
    const withUid = live([...deploymentChain('ebpf-agent'), pod('debug-shell', { app: 'debug' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-5d8f9c7b6', '2b0c7e7e-0000-4000-8000-000000000002')])]);
    expect(ownerOf(withUid, 'debug-shell')).toBe('Pod monitoring/debug-shell');
    const noUids = live([...deploymentChain('ebpf-agent', false), pod('debug-shell', { app: 'debug' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-5d8f9c7b6')])]);
    expect(ownerOf(noUids, 'debug-shell')).toBe('Pod monitoring/debug-shell');
  });

  it('when it shares its owner references array with a replica (as the snapshot reader interns them) but not the labels the selector selects', () => {
    const s = live(deploymentChain('ebpf-agent'));
    const real = s.resources.pods![0]!;
    const shared = real.metadata!.ownerReferences;
    s.resources.pods!.push({ ...real, metadata: { ...real.metadata, name: 'debug-shell', labels: { app: 'debug' }, ownerReferences: shared } });
    expect(ownerOf(s, 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Deployment monitoring/ebpf-agent');
    expect(ownerOf(s, 'debug-shell')).toBe('Pod monitoring/debug-shell');
  });

  it('when it names an absent ReplicaSet of a present Deployment whose selector does not select it', () => {
    const [deployment] = deploymentChain('ebpf-agent');
    const s = manifests([deployment!,
      pod('ebpf-agent-7c4d9-aaaaa', { app: 'ebpf-agent', 'pod-template-hash': '7c4d9' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-7c4d9', 'gone')]),
      pod('ebpf-agent-7c4d9-bbbbb', { app: 'debug', 'pod-template-hash': '7c4d9' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-7c4d9', 'gone')])]);
    expect(ownerOf(s, 'ebpf-agent-7c4d9-aaaaa')).toBe('Deployment monitoring/ebpf-agent'); // `kubectl get pods` without the ReplicaSets
    expect(ownerOf(s, 'ebpf-agent-7c4d9-bbbbb')).toBe('ReplicaSet monitoring/ebpf-agent-7c4d9');
  });

  // A live snapshot lists every ReplicaSet (and Job) of the namespace: a pod naming one that is
  // not there names an object that does not exist, which anyone who may create a pod can write
  // ("Owners and dependents", https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/).
  // Only an export without that kind (manifests, or a live run refused the list) needs the
  // name-and-label guess.
  it('when, live, it names a ReplicaSet (or a CronJob\'s Job) the listing does not hold, whatever its name and labels say', () => {
    const objects = [...deploymentChain('ebpf-agent'),
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: NS, uid: 'c1' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec } } } } } as KubeObject,
      pod('ebpf-agent-7c4d9-aaaaa', { app: 'ebpf-agent', 'pod-template-hash': '7c4d9' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-7c4d9', 'made-up')]),
      pod('backup-29000000-zzzzz', { 'job-name': 'backup-29000000' }, [ref('batch/v1', 'Job', 'backup-29000000', 'made-up')])];
    const s = live(objects);
    expect(ownerOf(s, 'ebpf-agent-7c4d9-aaaaa')).toBe('ReplicaSet monitoring/ebpf-agent-7c4d9');
    expect(ownerOf(s, 'backup-29000000-zzzzz')).toBe('Job monitoring/backup-29000000');
    expect(workloadsOf(s).find((w) => w.ref.kind === 'Deployment')?.podCount).toBe(1); // the real replica only
    // A snapshot file written from that live run reads the same.
    expect(ownerOf(Object.assign(live(objects), { source: 'snapshot' } as const), 'ebpf-agent-7c4d9-aaaaa')).toBe('ReplicaSet monitoring/ebpf-agent-7c4d9');
    // Manifests, or a live run whose ReplicaSet and Job lists were refused, keep the guess.
    const m = manifests(objects);
    expect(ownerOf(m, 'ebpf-agent-7c4d9-aaaaa')).toBe('Deployment monitoring/ebpf-agent');
    expect(ownerOf(m, 'backup-29000000-zzzzz')).toBe('CronJob monitoring/backup');
    const refused = live(objects.filter((o) => o.kind !== 'ReplicaSet'));
    refused.coverage.replicasets = { status: 'forbidden', detail: 'list replicasets.apps' };
    refused.coverage.jobs = { status: 'forbidden', detail: 'list jobs.batch' };
    expect(ownerOf(refused, 'ebpf-agent-7c4d9-aaaaa')).toBe('Deployment monitoring/ebpf-agent');
    expect(ownerOf(refused, 'backup-29000000-zzzzz')).toBe('CronJob monitoring/backup');
  });

  // `kubectl delete deployment` (background deletion, kubectl's default) removes the Deployment's
  // ReplicaSets at once and their pods after, terminating for their grace period
  // (https://kubernetes.io/docs/concepts/architecture/garbage-collection/#background-deletion); a
  // Replace CronJob's Job and a ReplicaSet revisionHistoryLimit prunes go the same way. Only the
  // API server sets deletionTimestamp: such a pod still folds, with no finding renamed for a run.
  it('but a terminating pod whose ReplicaSet or Job the garbage collector removed first still folds', () => {
    const terminating = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, deletionTimestamp: '2026-12-05T05:00:00Z' } });
    const s = live([...deploymentChain('ebpf-agent'),
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: NS, uid: 'c1' }, spec: { schedule: '@daily', concurrencyPolicy: 'Replace', jobTemplate: { spec: { template: { spec } } } } } as KubeObject,
      terminating(pod('ebpf-agent-7c4d9-aaaaa', { app: 'ebpf-agent', 'pod-template-hash': '7c4d9' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-7c4d9', 'pruned')])),
      terminating(pod('backup-29000000-zzzzz', { 'job-name': 'backup-29000000' }, [ref('batch/v1', 'Job', 'backup-29000000', 'replaced')]))]);
    expect(ownerOf(s, 'ebpf-agent-7c4d9-aaaaa')).toBe('Deployment monitoring/ebpf-agent');
    expect(ownerOf(s, 'backup-29000000-zzzzz')).toBe('CronJob monitoring/backup');
  });

  it('when its reference to a custom resource or a built-in kind\'s namesake from another API group has no uid (a hand-written manifest\'s)', () => {
    const s = live([
      pod('strimzi-kafka-0', { app: 'kafka' }, [ref('core.strimzi.io/v1beta2', 'StrimziPodSet', 'kafka')]),
      pod('volcano-job-0', { app: 'v' }, [ref('batch.volcano.sh/v1alpha1', 'Job', 'train')]),
    ]);
    expect(ownerOf(s, 'strimzi-kafka-0')).toBe('Pod monitoring/strimzi-kafka-0');
    expect(ownerOf(s, 'volcano-job-0')).toBe('Pod monitoring/volcano-job-0');
  });
});

// OpenKruise's CloneSet (and Advanced StatefulSet, Advanced DaemonSet) creates its pods itself,
// each with a controller owner reference to the CloneSet ("CloneSet",
// https://openkruise.io/docs/user-manuals/cloneset); KubeVirt's VirtualMachineInstance owns its
// virt-launcher pod alike. An owner reference names its owner by apiVersion, kind, name and the
// uid the API server gave it, and `controller: true` marks the managing controller ("Owners and
// dependents", https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/).
// ztaudit does not collect those resources: the uid their pods agree on is all there is to check.
describe('a pod a custom resource controls directly', () => {
  const CLONESET_UID = '9a1c4d2e-0000-4000-8000-0000000000c5';
  const kruise = (uid = CLONESET_UID) => ref('apps.kruise.io/v1alpha1', 'CloneSet', 'web', uid);
  const cloneSetPods = ['web-7xq2m', 'web-b9c4d', 'web-kq8zt'].map((n) => pod(n, { app: 'web' }, [kruise()]));

  it('folds into one workload per owner, named Kind/name of the owner, with its API version (OpenKruise CloneSet, KubeVirt VirtualMachineInstance)', () => {
    const vmi = pod('virt-launcher-testvmi-9xqbh', { 'kubevirt.io': 'virt-launcher' }, [ref('kubevirt.io/v1', 'VirtualMachineInstance', 'testvmi', '5b5b3e2a-0000-4000-8000-0000000000a1')]);
    const s = live([...cloneSetPods, vmi]);
    for (const p of cloneSetPods) expect(ownerOf(s, p.metadata!.name!)).toBe('CloneSet monitoring/web');
    expect(ownerOf(s, 'virt-launcher-testvmi-9xqbh')).toBe('VirtualMachineInstance monitoring/testvmi');
    const cloneSet = workloadsOf(s).filter((w) => w.ref.kind === 'CloneSet');
    expect(cloneSet).toHaveLength(1);
    expect(cloneSet[0]!.ref).toEqual({ kind: 'CloneSet', namespace: NS, name: 'web', apiVersion: 'apps.kruise.io/v1alpha1' });
    expect(cloneSet[0]!.podCount).toBe(3);
    expect(cloneSet[0]!.pods.map((p) => p.name)).toEqual(['web-7xq2m', 'web-b9c4d', 'web-kq8zt']);
    // No template, revision or wanted count is known of a resource ztaudit does not read.
    expect(cloneSet[0]).not.toHaveProperty('template');
    expect(cloneSet[0]).not.toHaveProperty('wantsPods');
    expect(cloneSet[0]).not.toHaveProperty('currentRevisionRunning');
    expect(workloadsOf(s).some((w) => w.ref.kind === 'Pod')).toBe(false);
    // A pod's name stands for its CloneSet, as a Deployment's pod's does.
    expect(workloadAliasOf(s, NS, 'web-b9c4d')).toEqual({ ref: cloneSet[0]!.ref, via: 'pod' });
  });

  it('an OpenKruise Advanced StatefulSet is told from an apps/v1 StatefulSet by its API group, and stays its pods\' when one of that name exists', () => {
    const asts = ['db-0', 'db-1'].map((n) => pod(n, { app: 'db' }, [ref('apps.kruise.io/v1beta1', 'StatefulSet', 'db', '7e0c1f3a-0000-4000-8000-0000000000d8')]));
    expect(ownerOf(live(asts), 'db-0')).toBe('StatefulSet monitoring/db');
    expect(workloadsOf(live(asts)).map((w) => w.ref)).toEqual([{ kind: 'StatefulSet', namespace: NS, name: 'db', apiVersion: 'apps.kruise.io/v1beta1' }]);
    const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS, uid: 's1' }, spec: { selector: { matchLabels: { app: 'real-db' } }, template: { metadata: { labels: { app: 'real-db' } }, spec } } };
    const both = live([sts, ...asts]);
    expect(ownerOf(both, 'db-0')).toBe('Pod monitoring/db-0');
    expect(ownerOf(both, 'db-1')).toBe('Pod monitoring/db-1');
    expect(workloadsOf(both).filter((w) => w.ref.kind === 'StatefulSet').map((w) => w.ref)).toEqual([{ kind: 'StatefulSet', namespace: NS, name: 'db' }]);
    // Nor does a pod naming an Argo Rollout (which makes ReplicaSets, not pods) join the Rollout's workload.
    const [, rs, p] = deploymentChain('ebpf-agent');
    const rollout = structuredClone(rs!);
    rollout.metadata!.ownerReferences = [ref('argoproj.io/v1alpha1', 'Rollout', 'ebpf-agent', 'r0110u7')];
    const direct = pod('debug-shell', { app: 'ebpf-agent' }, [ref('argoproj.io/v1alpha1', 'Rollout', 'ebpf-agent', 'r0110u7')]);
    expect(ownerOf(live([rollout, p!, direct]), 'debug-shell')).toBe('Pod monitoring/debug-shell');
    expect(ownerOf(live([rollout, p!, direct]), 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Rollout monitoring/ebpf-agent');
  });

  it('stays a workload of its own when the pods disagree on the owner\'s uid (a forged reference splits them all), or its reference is not the controller or has no uid', () => {
    const forged = pod('backdoor', { app: 'web' }, [kruise('00000000-dead-4000-8000-000000000000')]);
    const s = live([...cloneSetPods, forged]);
    for (const name of ['web-7xq2m', 'web-b9c4d', 'web-kq8zt', 'backdoor']) expect(ownerOf(s, name)).toBe(`Pod monitoring/${name}`);
    expect(workloadsOf(s).some((w) => w.ref.kind === 'CloneSet')).toBe(false);
    const notController = pod('sidecar-helper', { app: 'web' }, [{ ...kruise(), controller: false }]);
    const noUid = pod('hand-written', { app: 'web' }, [ref('apps.kruise.io/v1alpha1', 'CloneSet', 'web')]);
    const t = live([...cloneSetPods, notController, noUid]);
    expect(ownerOf(t, 'web-7xq2m')).toBe('CloneSet monitoring/web');
    expect(ownerOf(t, 'sidecar-helper')).toBe('Pod monitoring/sidecar-helper');
    expect(ownerOf(t, 'hand-written')).toBe('Pod monitoring/hand-written');
  });

  it('stays a workload of its own while it is deleted (a deleted CloneSet\'s pods carry its old uid while they terminate), or when it names a kind ztaudit collects, a Kubernetes group\'s or a Node (a static pod\'s mirror)', () => {
    const terminating = pod('web-old11', { app: 'web' }, [kruise('d3137ed0-0000-4000-8000-000000000001')]);
    terminating.metadata!.deletionTimestamp = '2026-12-05T05:00:00Z';
    const cnp = pod('cnp-owned', { app: 'x' }, [ref('cilium.io/v2', 'CiliumNetworkPolicy', 'allow-all', 'c0ffee00-0000-4000-8000-000000000001')]);
    const k8s = pod('va-owned', { app: 'x' }, [ref('storage.k8s.io/v1', 'VolumeAttachment', 'csi-1', 'c0ffee00-0000-4000-8000-000000000002')]);
    // The kubelet's mirror pod of a static pod names its Node (core group) as controller.
    const mirror = pod('etcd-node-1', { component: 'etcd' }, [ref('v1', 'Node', 'node-1', 'c0ffee00-0000-4000-8000-000000000003')]);
    const s = live([...cloneSetPods, terminating, cnp, k8s, mirror]);
    expect(ownerOf(s, 'web-kq8zt')).toBe('CloneSet monitoring/web');
    expect(workloadsOf(s).find((w) => w.ref.kind === 'CloneSet')?.podCount).toBe(3);
    expect(ownerOf(s, 'web-old11')).toBe('Pod monitoring/web-old11');
    expect(ownerOf(s, 'cnp-owned')).toBe('Pod monitoring/cnp-owned');
    expect(ownerOf(s, 'va-owned')).toBe('Pod monitoring/va-owned');
    expect(ownerOf(s, 'etcd-node-1')).toBe('Pod monitoring/etcd-node-1');
  });

  // An Argo Workflow controls every step's pod, each step with its template's own
  // serviceAccountName ("ServiceAccountName to apply to workflow pods") and metadata ("sets the
  // pods's metadata, i.e. annotations and labels"): https://argo-workflows.readthedocs.io/en/latest/fields/#template.
  // One workload is one identity and one set of labels (what reach, the mesh and the RBAC checks
  // read): steps that differ stay workloads of their own.
  it('stays a workload of its own when the pods naming one owner run as different ServiceAccounts or carry different labels (Argo Workflow steps)', () => {
    const WF = '1111aaaa-0000-4000-8000-0000000000f1';
    const step = (name: string, labels: Record<string, string>, serviceAccountName?: string): KubeObject => {
      const p = pod(name, { 'workflows.argoproj.io/workflow': 'wf', ...labels }, [ref('argoproj.io/v1alpha1', 'Workflow', 'wf', WF)]);
      if (serviceAccountName) p.spec = { ...spec, serviceAccountName };
      return p;
    };
    const bySa = live([step('wf-build-1', {}, 'builder'), step('wf-deploy-2', {}, 'deployer')]);
    expect(ownerOf(bySa, 'wf-build-1')).toBe('Pod monitoring/wf-build-1');
    expect(ownerOf(bySa, 'wf-deploy-2')).toBe('Pod monitoring/wf-deploy-2');
    // No serviceAccountName is the namespace's default account: still another identity than builder's.
    expect(ownerOf(live([step('wf-build-1', {}, 'builder'), step('wf-deploy-2', {})]), 'wf-build-1')).toBe('Pod monitoring/wf-build-1');
    const byLabels = live([step('wf-build-1', { step: 'build' }, 'ci'), step('wf-test-2', { step: 'test' }, 'ci')]);
    expect(ownerOf(byLabels, 'wf-build-1')).toBe('Pod monitoring/wf-build-1');
    expect(ownerOf(byLabels, 'wf-test-2')).toBe('Pod monitoring/wf-test-2');
    // A label only one of them has differs too.
    expect(ownerOf(live([step('wf-a', {}, 'ci'), step('wf-b', { tier: 'x' }, 'ci')]), 'wf-a')).toBe('Pod monitoring/wf-a');
    // Steps alike in both fold.
    const alike = live([step('wf-build-1', { step: 'build' }, 'ci'), step('wf-build-2', { step: 'build' }, 'ci')]);
    expect(ownerOf(alike, 'wf-build-1')).toBe('Workflow monitoring/wf');
    expect(ownerOf(alike, 'wf-build-2')).toBe('Workflow monitoring/wf');
  });

  // The labels a controller gives each replica or revision do not split it: a CloneSet's pods
  // each carry their own apps.kruise.io/cloneset-instance-id and lifecycle.apps.kruise.io/state
  // ("Each Pod and PVC created by CloneSet has a apps.kruise.io/cloneset-instance-id label";
  // "Lifecycle hook", https://openkruise.io/docs/user-manuals/cloneset), a rollout two
  // controller-revision-hash and pod-template-hash values; an Advanced StatefulSet's pods their
  // statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index, as an apps/v1 StatefulSet's.
  it('folds replicas that differ only in the labels their controller sets per pod or per revision (OpenKruise CloneSet, Advanced StatefulSet)', () => {
    const CS = '9a1c4d2e-0000-4000-8000-0000000000c5';
    const clone = (name: string, id: string, rev: string, state: string) => pod(name, {
      app: 'web', 'apps.kruise.io/cloneset-instance-id': id, 'controller-revision-hash': `web-${rev}`, 'pod-template-hash': rev, 'lifecycle.apps.kruise.io/state': state,
    }, [ref('apps.kruise.io/v1alpha1', 'CloneSet', 'web', CS)]);
    const s = live([clone('web-7xq2m', '7xq2m', '5d8f9c7b6', 'Normal'), clone('web-b9c4d', 'b9c4d', '5d8f9c7b6', 'PreparingUpdate'), clone('web-kq8zt', 'kq8zt', '6f7a8b9c0', 'Updated')]);
    const cloneSet = workloadsOf(s).filter((w) => w.ref.kind === 'CloneSet');
    expect(cloneSet.map((w) => w.podCount)).toEqual([3]);
    const asts = ['db-0', 'db-1'].map((n, i) => pod(n, { app: 'db', 'statefulset.kubernetes.io/pod-name': n, 'apps.kubernetes.io/pod-index': String(i) }, [ref('apps.kruise.io/v1beta1', 'StatefulSet', 'db', '7e0c1f3a-0000-4000-8000-0000000000d8')]));
    expect(ownerOf(live(asts), 'db-1')).toBe('StatefulSet monitoring/db');
  });
});

describe('a ReplicaSet folds into a Deployment', () => {
  it('only when that Deployment is its controller: one naming a Deployment by a wrong uid is its pods\' workload', () => {
    const [deployment, rs, p] = deploymentChain('ebpf-agent');
    const wrongUid = structuredClone(rs!);
    wrongUid.metadata!.ownerReferences = [ref('apps/v1', 'Deployment', 'ebpf-agent', '00000000-dead-4000-8000-000000000000')];
    const impostor = live([deployment!, wrongUid, p!]);
    expect(ownerOf(impostor, 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('ReplicaSet monitoring/ebpf-agent-5d8f9c7b6');
    expect(workloadAliasOf(impostor, NS, 'ebpf-agent-5d8f9c7b6')).toBeUndefined(); // a workload's own name
  });

  it('only a ReplicaSet the Deployment controls (its uid, its selector) says which pod-template-hash is the current revision', () => {
    // The Deployment's template is `spec`; its current ReplicaSet (revision 2) has not made a pod yet,
    // and the running pod is of the old one (hash old1).
    const [deployment, current] = deploymentChain('ebpf-agent');
    current!.metadata!.annotations = { 'deployment.kubernetes.io/revision': '2' };
    const claim = (name: string, labels: Record<string, string>, uid: string, revision = '9', podSpec: object = spec): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name, namespace: NS, labels, annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [ref('apps/v1', 'Deployment', 'ebpf-agent', uid)] },
      spec: { replicas: 1, template: { metadata: { labels }, spec: podSpec } },
    });
    const old = claim('ebpf-agent-old1', { app: 'ebpf-agent', 'pod-template-hash': 'old1' }, '1b0c7e7e-0000-4000-8000-000000000001', '1', { containers: [{ name: 'agent', image: 'registry.example.com/ebpf-agent:0.9' }] });
    const running = pod('ebpf-agent-old1-x7k2p', { app: 'ebpf-agent', 'pod-template-hash': 'old1' }, [ref('apps/v1', 'ReplicaSet', 'ebpf-agent-old1')]);
    const revisionRunning = (extra: KubeObject[]) => workloadsOf(live([deployment!, current!, old, running, ...extra])).find((w) => w.ref.kind === 'Deployment')?.currentRevisionRunning;
    expect(revisionRunning([])).toBe(false);
    // Naming the old pods' hash with the Deployment's own template at a higher revision, by a wrong uid:
    expect(revisionRunning([claim('ebpf-agent-old1x', { app: 'ebpf-agent', 'pod-template-hash': 'old1' }, '00000000-dead-4000-8000-000000000000')])).toBe(false);
    // With the right uid but pods the Deployment's selector does not select (so its template differs):
    // the highest revision would win, but the Deployment controller would not own it.
    const [, , ownPod] = deploymentChain('ebpf-agent');
    const byRevision = (extra: KubeObject[]) => workloadsOf(live([deployment!, { ...current!, spec: { ...current!.spec as object, template: { metadata: { labels: { app: 'ebpf-agent', 'pod-template-hash': '5d8f9c7b6' } }, spec: { containers: [] } } } }, ownPod!, ...extra])).find((w) => w.ref.kind === 'Deployment')?.currentRevisionRunning;
    expect(byRevision([])).toBe(true);
    expect(byRevision([claim('ebpf-agent-zzz', { app: 'debug', 'pod-template-hash': 'zzz' }, '1b0c7e7e-0000-4000-8000-000000000001')])).toBe(true);
  });

  // OpenShift's deployment controller makes a ReplicationController per DeploymentConfig revision
  // (docs.openshift.com, "Understanding deployments"); KEDA a Job per ScaledJob trigger
  // (keda.sh/docs, "Scaling Jobs"): folded into their owner, their findings keep one name.
  it('a ReplicationController of an OpenShift DeploymentConfig and a Job of a KEDA ScaledJob fold into their custom resource', () => {
    const rc: KubeObject = {
      apiVersion: 'v1', kind: 'ReplicationController',
      metadata: { name: 'frontend-2', namespace: NS, uid: 'rc2', ownerReferences: [ref('apps.openshift.io/v1', 'DeploymentConfig', 'frontend', 'dc1')] },
      spec: { selector: { app: 'frontend', deploymentconfig: 'frontend' }, template: { metadata: { labels: { app: 'frontend', deploymentconfig: 'frontend' } }, spec } },
    };
    const rcPod = pod('frontend-2-abcde', { app: 'frontend', deploymentconfig: 'frontend' }, [ref('v1', 'ReplicationController', 'frontend-2', 'rc2')]);
    const job: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'report-fghij', namespace: NS, uid: 'j1', ownerReferences: [ref('keda.sh/v1alpha1', 'ScaledJob', 'report', 's1')] },
      spec: { template: { metadata: { labels: { app: 'report' } }, spec } },
    };
    const jobPod = pod('report-fghij-k2p9x', { app: 'report' }, [ref('batch/v1', 'Job', 'report-fghij', 'j1')]);
    const s = live([rc, rcPod, job, jobPod]);
    expect(ownerOf(s, 'frontend-2-abcde')).toBe('DeploymentConfig monitoring/frontend');
    expect(ownerOf(s, 'report-fghij-k2p9x')).toBe('ScaledJob monitoring/report');
  });

  // An Argo Rollout names a new ReplicaSet per revision (argo-rollouts.readthedocs.io, "Rollout
  // specification"): folded into the Rollout, its pods' findings keep one name across revisions.
  it('a ReplicaSet an Argo Rollout controls (a custom resource) folds into the Rollout; a pod naming a Rollout or a Kubernetes group\'s kind directly does not', () => {
    const [, rs, p] = deploymentChain('ebpf-agent');
    const rollout = structuredClone(rs!);
    rollout.metadata!.ownerReferences = [ref('argoproj.io/v1alpha1', 'Rollout', 'ebpf-agent')];
    expect(ownerOf(live([rollout, p!]), 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('Rollout monitoring/ebpf-agent');
    const direct = pod('debug-shell', { app: 'ebpf-agent' }, [ref('argoproj.io/v1alpha1', 'Rollout', 'ebpf-agent')]);
    expect(ownerOf(live([rollout, p!, direct]), 'debug-shell')).toBe('Pod monitoring/debug-shell');
    const k8sGroup = structuredClone(rs!);
    k8sGroup.metadata!.ownerReferences = [ref('networking.k8s.io/v1', 'Ingress', 'ebpf-agent')];
    expect(ownerOf(live([k8sGroup, p!]), 'ebpf-agent-5d8f9c7b6-x7k2p')).toBe('ReplicaSet monitoring/ebpf-agent-5d8f9c7b6');
  });
});

describe('a Deployment\'s current ReplicaSet', () => {
  // The Deployment controller finds its new ReplicaSet as the one whose pod template equals the
  // Deployment's but for the pod-template-hash label
  // (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label);
  // a rollout that changed only a pod label makes a new ReplicaSet with the same pod spec.
  // Read from a snapshot file, both ReplicaSets hold the Deployment's pod spec as one shared object.
  it('after a rollout that changed only a pod label is the one with the new label, though the old one holds the very same pod spec', async () => {
    const labels = (track: string, hash?: string) => ({ app: 'web', track, ...(hash ? { 'pod-template-hash': hash } : {}) });
    const rs = (hash: string, track: string): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `web-${hash}`, namespace: NS, labels: labels(track, hash), ownerReferences: [ref('apps/v1', 'Deployment', 'web')] },
      spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { metadata: { labels: labels(track, hash) }, spec } },
    });
    const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: labels('canary') }, spec } } };
    // No revision annotations: the template alone says which ReplicaSet is current. The old one comes first.
    const objects = [deployment, rs('old1', 'stable'), rs('new2', 'canary')];
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-workloads-'));
    try {
      const read = async (podHash: string, track: string) => {
        const file = join(dir, `${podHash}.gz`);
        writeSnapshot(file, Object.assign(snapshotFromObjects(structuredClone([...objects, pod(`web-${podHash}-x7k2p`, labels(track, podHash), [ref('apps/v1', 'ReplicaSet', `web-${podHash}`)])])), { source: 'live', origin: 'live' } as const));
        const snapshot = await readSnapshot(file);
        const [oldRs, newRs] = snapshot.resources.replicasets!;
        expect((oldRs!.spec as { template: { spec: unknown } }).template.spec).toBe((newRs!.spec as { template: { spec: unknown } }).template.spec);
        return workloadsOf(snapshot).find((w) => w.ref.name === 'web')!;
      };
      expect((await read('old1', 'stable')).currentRevisionRunning).toBe(false);
      expect((await read('new2', 'canary')).currentRevisionRunning).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a Deployment\'s current ReplicaSet, its pod spec shared: the template metadata compared', () => {
  // The ReplicaSet holds the Deployment's very pod spec (as the snapshot reader shares it), so only
  // the template metadata decides; it is equal but for the order of its keys, its creation time and
  // the pod-template-hash the controller adds (the Deployment controller's EqualIgnoreHash,
  // https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template-hash-label).
  const shared = { containers: [{ name: 'web', image: 'registry.example.com/web:2.1', ports: [{ name: 'http', containerPort: 8080 }] }] };
  const deployment = (): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', track: 'canary' }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } }, spec: shared } },
  });
  const rs = (hash: string, metadata: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: `web-${hash}`, namespace: NS, labels: { app: 'web', 'pod-template-hash': hash }, ownerReferences: [ref('apps/v1', 'Deployment', 'web')] },
    spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { metadata, spec: shared } },
  });
  const running = (hash: string, replicasets: KubeObject[]): boolean | undefined => {
    const objects = [deployment(), ...replicasets, { ...pod(`web-${hash}-x7k2p`, { app: 'web', track: 'canary', 'pod-template-hash': hash }, [ref('apps/v1', 'ReplicaSet', `web-${hash}`)]), spec: shared }];
    const snapshot = Object.assign(snapshotFromObjects(objects), { source: 'live', origin: 'live' } as const);
    return workloadsOf(snapshot).find((w) => w.ref.name === 'web')!.currentRevisionRunning;
  };

  it('is the ReplicaSet whose template metadata equals the Deployment\'s in any key order, not one whose annotation differs', () => {
    // No revision annotations: the template alone says which is current. The old one comes first.
    const old = () => rs('old1', { labels: { app: 'web', track: 'canary', 'pod-template-hash': 'old1' }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9091' } });
    const current = () => rs('new2', { creationTimestamp: null, annotations: { 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' }, labels: { 'pod-template-hash': 'new2', track: 'canary', app: 'web' } });
    expect(running('new2', [old(), current()])).toBe(true);
    expect(running('old1', [old(), current()])).toBe(false);
  });

  it('counts a member canon leaves out of the texts (`__proto__`, read from JSON) as before: not a difference', () => {
    const annotations = { ...JSON.parse('{"__proto__": "x"}'), 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' };
    expect(Object.keys(annotations)).toContain('__proto__');
    const first = () => rs('old1', { labels: { app: 'web', track: 'canary', 'pod-template-hash': 'old1' }, annotations });
    const second = () => rs('new2', { labels: { app: 'web', track: 'canary', 'pod-template-hash': 'new2' }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } });
    // Both equal the Deployment's template: the first found stays current.
    expect(running('old1', [first(), second()])).toBe(true);
    expect(running('new2', [first(), second()])).toBe(false);
  });
});

describe('workloads are told apart by kind, namespace and name', () => {
  // Names are hostile text: a manifest can carry a slash where the API server would refuse one
  // (object names are DNS subdomains, https://kubernetes.io/docs/concepts/overview/working-with-objects/names/).
  it('even when a slash in a namespace or name would make "a/b" + "c" read as "a" + "b/c"', () => {
    const deployment = (namespace: string, name: string): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
    });
    const refs = workloadsOf(live([deployment('a', 'b/c'), deployment('a/b', 'c')])).map((w) => w.ref);
    expect(refs).toEqual([{ kind: 'Deployment', namespace: 'a', name: 'b/c' }, { kind: 'Deployment', namespace: 'a/b', name: 'c' }]);
  });
});
