// Pods and the workloads that own them. Pod-level findings are attributed to the top-level
// owner (Pod -> ReplicaSet -> Deployment, Job -> CronJob) so ten replicas make one finding,
// also when the ReplicaSet or Job itself is not in the input (manifests, or a live run refused
// their list; absentOwnerParent).
// From manifests, workload templates stand in for the pods they would create.

import { AREAS, SEVERITY_WEIGHT, type ResourceRef, type Severity, type Verdict } from '../base/vocabulary.ts';
import { kindOfGroup } from '../snapshot/kinds.ts';
import { coverageOk, type KubeObject, type Snapshot } from '../snapshot/types.ts';
import { labelSelectorMatches } from './mesh/util.ts';
import { memoize } from './memo.ts';

export interface PodView {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The pod spec (raw JSON; may be malformed). */
  spec: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Top-level owner this pod's findings are attributed to (the pod itself when unowned). */
  owner: ResourceRef;
  /** 'pod' for a live/bare pod, 'template' when a workload template stands in. */
  origin: 'pod' | 'template';
}

export interface Workload {
  ref: ResourceRef;
  /** Pods that exist (live) or the template standing in for them (manifests). */
  pods: PodView[];
  /** Live pods counted, or the replicas a template would make. */
  podCount: number;
  /** Template labels/spec when the workload has a template (also when it runs no pods). */
  template?: { labels: Record<string, string>; annotations: Record<string, string>; spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * A standalone Job that has finished (jobFinished): its template makes no pods again. From
   * manifests its template still stands in as a pod (applying the file makes a new Job, which runs).
   */
  finished?: true;
  /**
   * A CronJob with spec.suspend: true: it starts no Job until resumed ("all subsequent executions
   * are suspended", https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-suspension).
   */
  suspended?: true;
  /**
   * Whether a running pod comes from the workload's current revision, when the snapshot can
   * tell: a Deployment's pods by the pod-template-hash of its current ReplicaSet, a
   * StatefulSet's by controller-revision-hash against status.updateRevision, a DaemonSet's by
   * pod-template-generation against its deprecated.daemonset.template.generation annotation.
   * Undefined when it cannot (no such owner data, or no pod carries the label).
   */
  currentRevisionRunning?: boolean;
  /**
   * A Deployment whose current template has no ReplicaSet yet, so none of its pods is of it:
   * 'paused' (spec.paused: its controller makes no new ReplicaSet until the rollout is resumed),
   * 'unobserved' (status.observedGeneration below metadata.generation: its controller has not
   * acted on the edit yet).
   */
  notRolledOut?: 'paused' | 'unobserved';
  /** A StatefulSet's or DaemonSet's spec.updateStrategy, as far as it is well formed. */
  updateStrategy?: { type: 'RollingUpdate' | 'OnDelete'; partition?: number };
  /**
   * Live only: the workload's object asks its controller for pods now, `count` of them when it
   * says (spec.replicas of a Deployment, StatefulSet, ReplicaSet or ReplicationController; a
   * DaemonSet's status.desiredNumberScheduled, when that status is of its present generation; a
   * Job's parallelism, at most its completions still to come; a CronJob's running Jobs'; a custom
   * resource's (Argo Rollout's) ReplicaSet or ReplicationController of the latest revision, or
   * its running Jobs). Unset
   * when it asks for none or the snapshot does not say: scaled to zero, a suspended or finished
   * Job, a Job another controller manages (spec.managedBy), a CronJob between runs, a DaemonSet no
   * node is scheduled for or without an up-to-date status.
   */
  wantsPods?: { count?: number };
  /**
   * Live only, set when it runs no pods while its controller wants some: its terminated pods of
   * the current revision (or of one the snapshot cannot tell). Admission admitted each once, but
   * maybe before its namespace enforced a level: only one whose own spec passes that level shows
   * admission accepts what the template makes (src/analysis/pss/model.ts).
   */
  terminatedPods?: PodView[];
}

const WORKLOAD_KEYS = ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs'] as const;

const NO_STRINGS: Record<string, string> = Object.freeze({});

/**
 * The kinds whose controlling owner a workload is folded into, and the owner kinds that may be:
 * the chains Kubernetes' built-in controllers make (the ReplicaSet, Job, DaemonSet, StatefulSet
 * and ReplicationController controllers create pods; the Deployment controller ReplicaSets; the
 * CronJob controller Jobs). Anyone who may create a pod may also write an owner reference
 * naming any object ("Owners and dependents",
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/), and
 * nothing removes one naming an object that exists: a pod naming a Deployment, or a custom
 * resource, stays a workload of its own rather than hiding in another's finding.
 */
const CONTROLLERS_OF: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Pod', new Set(['ReplicaSet', 'Job', 'DaemonSet', 'StatefulSet', 'ReplicationController'])],
  ['ReplicaSet', new Set(['Deployment'])],
  ['Job', new Set(['CronJob'])],
]);

/**
 * The API groups of those owner kinds (extensions: where ReplicaSets, Deployments and DaemonSets
 * were served before Kubernetes 1.16): a custom resource of the same kind (Volcano's
 * batch.volcano.sh Job) is not one.
 */
const OWNER_GROUPS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['ReplicaSet', new Set(['apps', 'extensions'])],
  ['Deployment', new Set(['apps', 'extensions'])],
  ['DaemonSet', new Set(['apps', 'extensions'])],
  ['StatefulSet', new Set(['apps'])],
  ['ReplicationController', new Set([''])],
  ['Job', new Set(['batch'])],
  ['CronJob', new Set(['batch'])],
]);

/** Whether an owner reference may name a controller of an object of `kind` (a missing apiVersion is not judged). */
function controllerKindOf(kind: string, ref: { apiVersion?: string; kind?: string }): boolean {
  if (!ref.kind) return false;
  const group = apiGroupOf(ref.apiVersion);
  if (REVISIONED.has(kind) && group !== undefined && isCustomGroup(group)) return true;
  if (!CONTROLLERS_OF.get(kind)?.has(ref.kind)) return false;
  return group === undefined || OWNER_GROUPS.get(ref.kind)!.has(group);
}

/** The API group of an apiVersion ('' for the core group), undefined when it is not a string. */
function apiGroupOf(apiVersion: unknown): string | undefined {
  return typeof apiVersion !== 'string' ? undefined : apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/**
 * Whether `o`, a REVISIONED object, folded (topOwner) into `ref`, the custom resource that
 * controls it. That resource is not collected: what it asks of its controller is read from the
 * objects it made.
 */
function foldedIntoCustom(o: KubeObject, ref: ResourceRef): boolean {
  if (!o.kind || !REVISIONED.has(o.kind)) return false;
  const ctl = (o.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  const group = apiGroupOf(ctl?.apiVersion);
  return ctl?.kind === ref.kind && ctl.name === ref.name && group !== undefined && isCustomGroup(group);
}

/**
 * Which of two objects a custom controller made is of its later revision: the higher revision
 * annotation (an Argo Rollout numbers its ReplicaSets' revisions in rollout.argoproj.io/revision
 * as a Deployment does in deployment.kubernetes.io/revision), else the later made.
 */
function laterRevision(a: KubeObject, b: KubeObject): boolean {
  const revision = (o: KubeObject): number => {
    const ann = o.metadata?.annotations;
    const v = Number(ann?.['rollout.argoproj.io/revision'] ?? ann?.['deployment.kubernetes.io/revision'] ?? NaN);
    return Number.isFinite(v) ? v : -1;
  };
  const ra = revision(a);
  const rb = revision(b);
  if (ra !== rb) return ra > rb;
  const ca = a.metadata?.creationTimestamp;
  const cb = b.metadata?.creationTimestamp;
  return typeof ca === 'string' && (typeof cb !== 'string' || ca > cb);
}

/**
 * The built-in kinds custom controllers make one of per revision or run: a ReplicaSet per Argo
 * Rollout revision, a ReplicationController per OpenShift DeploymentConfig revision
 * (`<name>-<version>`), a Job per KEDA ScaledJob trigger. One a custom resource controls folds
 * into it, so its findings keep one name across revisions.
 */
const REVISIONED: ReadonlySet<string> = new Set(['ReplicaSet', 'ReplicationController', 'Job']);

/**
 * A custom resource's API group (argoproj.io, apps.openshift.io, keda.sh): dotted, and none of
 * Kubernetes' own (networking.k8s.io, *.kubernetes.io). A REVISIONED object a custom controller
 * owns is reached from its pods along a checked reference, and creating one is itself workload
 * creation (rbac.workload-create-kube-system). A pod naming a custom resource directly (an
 * OpenKruise CloneSet's) can be checked by nothing but the uid its replicas agree on
 * (directCustomOwners).
 */
function isCustomGroup(group: string): boolean {
  return group.includes('.') && !group.endsWith('.k8s.io') && !group.endsWith('.kubernetes.io') && group !== 'k8s.io';
}

/** What an owner's selector must select for `o` to be its: a pod's labels, or those of the pods a workload's template makes. */
function selectedLabels(o: KubeObject): Record<string, string> {
  return o.kind === 'Pod' || o.kind === undefined ? record(o.metadata?.labels) : record(objRecord(podTemplateOf(o)?.metadata).labels);
}

/**
 * Whether `owner`, present in the input, is the controller an owner reference (its `uid`)
 * names of pods with these labels: the uids agree when both are known (manifests seldom carry
 * them), and the owner's selector selects the labels — what a controller requires of the pods
 * it keeps (one whose labels stop matching is released). A selector left out is not judged: a
 * Job's is generated by the API server (batch.kubernetes.io/controller-uid, which its pods carry),
 * and a CronJob has none; a ReplicationController's is a plain map, defaulting to its template's
 * labels. A malformed selector selects nothing.
 */
function controls(owner: KubeObject, uid: string | undefined, labels: Record<string, string>): boolean {
  const ownerUid = owner.metadata?.uid;
  if (uid && ownerUid && uid !== ownerUid) return false;
  const spec = objRecord(owner.spec);
  if (owner.kind === 'ReplicationController') {
    const sel = spec.selector ?? objRecord(objRecord(spec.template).metadata).labels;
    if (sel === undefined || sel === null) return true;
    if (typeof sel !== 'object' || Array.isArray(sel)) return false;
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
    return true;
  }
  if (spec.selector === undefined || spec.selector === null) return true;
  return labelSelectorMatches(spec.selector, labels);
}

/**
 * The string entries of a labels/annotations map: the map itself when it holds nothing else
 * (as it almost always does; 150k pods' copies were tens of MiB held by every area).
 */
function record(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return NO_STRINGS;
  let clean = true;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== 'string') { clean = false; break; }
  if (clean) return v as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function objRecord(v: unknown): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The pod template of a workload object (CronJob nests it one level deeper). */
export function podTemplateOf(o: KubeObject): { metadata?: Record<string, unknown>; spec?: unknown } | undefined {
  const spec = objRecord(o.spec);
  if (o.kind === 'CronJob') return objRecord(objRecord(objRecord(spec.jobTemplate).spec).template);
  return spec.template ? objRecord(spec.template) : undefined;
}

function templateReplicas(o: KubeObject): number {
  // An Argo Rollout's spec.replicas is its desired pod count, default 1
  // (https://argo-rollouts.readthedocs.io/en/stable/features/specification/).
  const rollout = o.kind === 'Rollout' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/');
  if (rollout || o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet' || o.kind === 'ReplicationController') {
    const r = objRecord(o.spec).replicas;
    return typeof r === 'number' && r >= 0 ? r : 1;
  }
  if (o.kind === 'Job') {
    const p = objRecord(o.spec).parallelism;
    return typeof p === 'number' && p >= 0 ? p : 1;
  }
  return 1; // DaemonSet: one per node, unknown here; CronJob: one per schedule
}

/** What a live workload object asks its controller to run now (Workload.wantsPods); undefined when none. */
function wantedPods(o: KubeObject): { count?: number } | undefined {
  const spec = objRecord(o.spec);
  const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  switch (o.kind) {
    case 'Deployment': case 'StatefulSet': case 'ReplicaSet': case 'ReplicationController': {
      // The API server defaults replicas to 1.
      const n = spec.replicas === undefined || spec.replicas === null ? 1 : count(spec.replicas);
      return n !== undefined && n > 0 ? { count: n } : undefined;
    }
    case 'DaemonSet': {
      // One pod per node it schedules to: the controller's count of them, unknown (not claimed)
      // without it, as in snapshots made before it was kept, or when the status is of an older
      // spec (status.observedGeneration below metadata.generation).
      const status = objRecord(o.status);
      const generation = o.metadata?.generation;
      if (typeof generation === 'number' && (typeof status.observedGeneration !== 'number' || status.observedGeneration < generation)) return undefined;
      const n = count(status.desiredNumberScheduled);
      return n !== undefined && n > 0 ? { count: n } : undefined;
    }
    case 'Job': {
      if (spec.suspend === true || jobFinished(o)) return undefined;
      // A Job another controller manages (spec.managedBy, as MultiKueue's) has its pods made
      // elsewhere: this cluster's Job controller makes none of them
      // (https://kubernetes.io/blog/2025/12/18/kubernetes-v1-35-job-managedby-for-jobs-goes-ga/).
      if (typeof spec.managedBy === 'string' && spec.managedBy !== 'kubernetes.io/job-controller') return undefined;
      // At most parallelism pods run, and no more than the completions still to come
      // (https://kubernetes.io/docs/concepts/workloads/controllers/job/#controlling-parallelism).
      let n = spec.parallelism === undefined || spec.parallelism === null ? 1 : count(spec.parallelism);
      const completions = count(spec.completions);
      if (n !== undefined && completions !== undefined) n = Math.min(n, Math.max(0, completions - (count(objRecord(o.status).succeeded) ?? 0)));
      return n !== undefined && n > 0 ? { count: n } : undefined;
    }
    // A CronJob makes pods only through a Job it made (which folds into it and says so itself):
    // between runs it wants none.
    default:
      return undefined;
  }
}

/**
 * The Job conditions after which the Job controller creates no pods for it again: Complete and
 * Failed (terminal), and SuccessCriteriaMet and FailureTarget, which precede them while the
 * last pods terminate (Kubernetes' Job documentation, "Job termination and cleanup").
 */
const JOB_DONE = new Set(['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget']);

/** Whether a Job's status says it has finished (a condition of JOB_DONE that is True). */
export function jobFinished(o: KubeObject): boolean {
  const conditions = objRecord(o.status).conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c) => {
    const r = objRecord(c);
    return typeof r.type === 'string' && JOB_DONE.has(r.type) && r.status === 'True';
  });
}

/**
 * Whether a pod has terminated for good: phase Succeeded or Failed, after which its containers
 * do not run again ("Pod phase", https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-phase).
 * Such a pod (a CronJob's last run, kept by successfulJobsHistoryLimit) runs nothing, serves
 * nothing and admits nothing: it is not one of its workload's pods.
 */
export function podFinished(p: KubeObject): boolean {
  const phase = objRecord(p.status).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether workload templates stand in for pods (manifests, or a snapshot file made from them). */
export function templatesStandIn(snapshot: Snapshot): boolean {
  return snapshot.source === 'manifests' || snapshot.origin === 'manifests';
}

/**
 * Values by kind, namespace (none as '') and name, in the order their keys were first set (a
 * Map's order): looked up level by level with the strings themselves, not with a string made of
 * the three. The snapshot reader makes equal names one string (src/snapshot/intern.ts), and V8
 * keeps a string's hash: a composed key is a new string to hash at every look-up, hundreds of
 * thousands per build at 150,000 pods.
 */
class RefIndex<V> {
  readonly #byKind = new Map<string, Map<string, Map<string, number>>>();
  readonly #values: V[] = [];

  get(kind: string, namespace: string | undefined, name: string): V | undefined {
    const at = this.#byKind.get(kind)?.get(namespace ?? '')?.get(name);
    return at === undefined ? undefined : this.#values[at];
  }

  /** Sets the value of a key; a key set before keeps its place. */
  set(kind: string, namespace: string | undefined, name: string, value: V): void {
    let byNamespace = this.#byKind.get(kind);
    if (!byNamespace) this.#byKind.set(kind, (byNamespace = new Map()));
    let byName = byNamespace.get(namespace ?? '');
    if (!byName) byNamespace.set(namespace ?? '', (byName = new Map()));
    const at = byName.get(name);
    if (at !== undefined) this.#values[at] = value;
    else {
      byName.set(name, this.#values.length);
      this.#values.push(value);
    }
  }

  values(): readonly V[] {
    return this.#values;
  }
}

/** Per `group/Kind`, whether ztaudit collects that kind (kinds.ts): then it is not a custom owner whose pods fold by uid alone. */
const collectedKinds = new Map<string, boolean>();
function collectedKind(apiVersion: string, kind: string): boolean {
  const key = `${apiGroupOf(apiVersion)}/${kind}`;
  let v = collectedKinds.get(key);
  if (v === undefined) collectedKinds.set(key, (v = kindOfGroup(apiVersion, kind) !== undefined));
  return v;
}

/**
 * The running pods a custom resource controls directly, each with the workload it folds into:
 * an OpenKruise CloneSet, Advanced StatefulSet or Advanced DaemonSet creates its pods with a
 * controller owner reference to itself (https://openkruise.io/docs/user-manuals/cloneset), as
 * KubeVirt's VirtualMachineInstance its virt-launcher pod or Strimzi's StrimziPodSet its
 * brokers. ztaudit does not collect such a resource, so its uid and selector cannot be checked
 * against it as a ReplicaSet's are (topOwner): the pods are grouped by the owner the reference
 * names (namespace, kind, name) and fold only when all of them agree on its API group and uid
 * (the uid, which the API server gives each object, tells a recreated or forged namesake apart:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/). Pods
 * naming one owner by two uids (or groups) fold none: a pod anyone writes with a made-up uid
 * then cannot join the owner's finding (and its waiver) by name, it only splits them. Left as
 * before: a reference that is not the controller, has no uid (manifests), names a kind ztaudit
 * collects, a Kubernetes group (*.k8s.io) or a kind named Pod; a pod being deleted (a deleted
 * owner's pods carry its old uid while they terminate); a finished pod.
 *
 * One workload is one identity and one class of pods: its ServiceAccount is the mesh identity
 * `reach` judges and the account the RBAC checks read, its labels what policies select. Replicas
 * agree on both; the steps of an Argo Workflow or a Tekton PipelineRun (one owner, many pods)
 * need not, each step its own account and labels. Pods naming one owner that differ in either
 * (labels apart from those a controller sets per pod or per revision, PER_POD_LABELS) fold none.
 */
function directCustomOwners(pods: readonly KubeObject[]): Map<KubeObject, ResourceRef> {
  const byOwner = new RefIndex<{ group: string; uid: string; serviceAccount: string; labels: Record<string, string>; ref: ResourceRef | undefined }>();
  const named: Array<[KubeObject, { ref: ResourceRef | undefined }]> = [];
  for (const p of pods) {
    if (!p.metadata?.name || p.metadata.deletionTimestamp || podFinished(p)) continue;
    const ctl = (p.metadata.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ctl || typeof ctl.kind !== 'string' || !ctl.kind || ctl.kind === 'Pod' || typeof ctl.name !== 'string' || !ctl.name) continue;
    if (typeof ctl.uid !== 'string' || !ctl.uid || typeof ctl.apiVersion !== 'string') continue;
    const group = apiGroupOf(ctl.apiVersion)!;
    if (!isCustomGroup(group) || collectedKind(ctl.apiVersion, ctl.kind)) continue;
    const namespace = p.metadata.namespace;
    const serviceAccount = podServiceAccount(objRecord(p.spec));
    const labels = record(p.metadata.labels);
    let owner = byOwner.get(ctl.kind, namespace, ctl.name);
    if (owner === undefined) {
      byOwner.set(ctl.kind, namespace, ctl.name, (owner = { group, uid: ctl.uid, serviceAccount, labels, ref: { kind: ctl.kind, namespace, name: ctl.name, apiVersion: ctl.apiVersion } }));
    } else if (owner.group !== group || owner.uid !== ctl.uid || owner.serviceAccount !== serviceAccount || !sameClassLabels(owner.labels, labels)) owner.ref = undefined;
    named.push([p, owner]);
  }
  const out = new Map<KubeObject, ResourceRef>();
  for (const [p, owner] of named) if (owner.ref !== undefined) out.set(p, owner.ref);
  return out;
}

/**
 * Labels a controller gives each pod of one owner apart from the others, or each revision:
 * Kubernetes' StatefulSet pod name and index and revision hashes (which OpenKruise's Advanced
 * StatefulSet and DaemonSet and Strimzi's StrimziPodSet set as it does), OpenKruise's CloneSet
 * instance id, lifecycle state and specified-delete mark
 * (https://openkruise.io/docs/user-manuals/cloneset: "Each Pod and PVC created by CloneSet has a
 * apps.kruise.io/cloneset-instance-id label", "Lifecycle hook": lifecycle.apps.kruise.io/state),
 * Strimzi's pod name.
 */
const PER_POD_LABELS: ReadonlySet<string> = new Set([
  'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'controller-revision-hash', 'pod-template-hash', 'pod-template-generation',
  'apps.kruise.io/cloneset-instance-id', 'lifecycle.apps.kruise.io/state', 'apps.kruise.io/specified-delete',
  'strimzi.io/pod-name',
]);

/** Whether two pods' labels are equal apart from PER_POD_LABELS. */
function sameClassLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (PER_POD_LABELS.has(k)) continue;
    if (b[k] !== a[k]) return false;
    n++;
  }
  for (const k in b) if (!PER_POD_LABELS.has(k)) n--;
  return n === 0;
}

/** The ServiceAccount a pod spec runs as (serviceAccountName, the deprecated serviceAccount, else "default"). */
export function podServiceAccount(spec: Record<string, unknown>): string {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) return spec.serviceAccountName;
  if (typeof spec.serviceAccount === 'string' && spec.serviceAccount) return spec.serviceAccount;
  return 'default';
}

/**
 * Per workload ref, the most stable name its pods tell (stableRefOf), when it is not the ref
 * itself. Set by workloadsOf, which makes each ref once per snapshot.
 */
const stableRefs = new WeakMap<ResourceRef, ResourceRef | null>();

/**
 * The most stable named ancestor a workload's pods tell, or the workload's own ref: what a
 * finding listing many workloads (a namespace's default-deny finding) names it by, so a
 * workload made anew each night under a new generated name is the same member every night.
 * - Argo Workflows: a Workflow's pods carry workflows.argoproj.io/workflow (the Workflow's name)
 *   and, for one a CronWorkflow made, workflows.argoproj.io/cron-workflow; one submitted from a
 *   template carries workflows.argoproj.io/workflow-template or cluster-workflow-template
 *   (https://argo-workflows.readthedocs.io/en/latest/cron-workflows/: "The resulting Workflow name
 *   will be a generated name based on the CronWorkflow name"). CronWorkflow, then
 *   WorkflowTemplate or ClusterWorkflowTemplate. Argo's controller itself labels a pod with the
 *   Workflow's name only (workflow/controller/workflowpod.go; the cron-workflow and template
 *   labels are the Workflow's, workflow/common/convert.go): a pod without them is named by its
 *   Workflow's generated name's prefix (GENERATED_SUFFIX: `Workflow ci/nightly-report-*` for the
 *   CronWorkflow's `nightly-report-1764900000`, `Workflow ci/hello-*` for `argo submit`'s
 *   generateName `hello-`), else the Workflow.
 * - Tekton: a TaskRun's pod carries tekton.dev/taskRun, tekton.dev/task (tekton.dev/clusterTask
 *   instead for a ClusterTask's, before Tekton 1.0 removed them), and when a PipelineRun made it
 *   tekton.dev/pipelineRun and tekton.dev/pipeline (https://tekton.dev/docs/pipelines/labels/,
 *   "Automatic labeling"). Pipeline, then Task, then ClusterTask, then PipelineRun, then the
 *   TaskRun's generated name's prefix, then the TaskRun.
 * - A bare pod or a Job no CronJob made, named by metadata.generateName: the prefix, written
 *   `<prefix>*` (a name Kubernetes never gives: "Job shop/nightly-report-*").
 * The labels are read only on a pod whose controlling owner reference names that Workflow
 * (TaskRun) and whose workflow (taskRun) label agrees with it, and only when they are names
 * (DNS-1123 subdomains, as those objects' names are): a label value is text anyone creating the
 * pod wrote. Every ancestor keeps the pod's namespace, a ClusterWorkflowTemplate's and a ClusterTask's too: no
 * label merges workloads of two namespaces.
 */
export function stableRefOf(ref: ResourceRef): ResourceRef {
  return stableRefs.get(ref) ?? ref;
}

/** What Kubernetes accepts as an object's name (a DNS-1123 subdomain). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** What Kubernetes accepts as a namespace's name (a DNS-1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether `namespace`/`name` can name an object of a namespace (ConfigMap, Secret, ...): else no such object can exist. */
export const canNameObject = (namespace: string, name: string): boolean => NAMESPACE_NAME.test(namespace) && OBJECT_NAME.test(name);

/** The label ancestors of a pod's custom controlling owner, most stable first. */
const LABELLED_ANCESTORS: ReadonlyMap<string, { kind: string; group: string; own: string; ancestors: ReadonlyArray<readonly [label: string, kind: string]> }> = new Map([
  ['Workflow', { kind: 'Workflow', group: 'argoproj.io', own: 'workflows.argoproj.io/workflow', ancestors: [
    ['workflows.argoproj.io/cron-workflow', 'CronWorkflow'],
    ['workflows.argoproj.io/workflow-template', 'WorkflowTemplate'],
    ['workflows.argoproj.io/cluster-workflow-template', 'ClusterWorkflowTemplate'],
  ] }],
  ['TaskRun', { kind: 'TaskRun', group: 'tekton.dev', own: 'tekton.dev/taskRun', ancestors: [
    ['tekton.dev/pipeline', 'Pipeline'],
    ['tekton.dev/task', 'Task'],
    ['tekton.dev/clusterTask', 'ClusterTask'],
    ['tekton.dev/pipelineRun', 'PipelineRun'],
  ] }],
]);

/**
 * A name the API server made from a generateName (apiserver's names.SimpleNameGenerator: the
 * prefix, then 5 characters of apimachinery's util/rand alphabet, which has no vowels), and one
 * Argo's CronWorkflow gives its Workflows (cron/operator.go getChildWorkflowName: the
 * CronWorkflow's name, "-", the scheduled time in Unix seconds). The prefix ends in "-", as
 * every tool making such names writes it.
 */
const GENERATED_SUFFIX = /^(.+-)(?:[bcdfghjklmnpqrstvwxz2456789]{5}|[0-9]{10})$/;

/** The stable ancestor (stableRefOf) one pod of a workload tells; the workload's ref when none. */
function stableAncestorOf(p: KubeObject, w: Workload, job: KubeObject | undefined): ResourceRef {
  const ref = w.ref;
  const namespace = p.metadata?.namespace;
  if (ref.kind === 'Job' && job !== undefined) return generatedRef(job, ref) ?? ref;
  const ctl = (p.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (ctl === undefined) return ref.kind === 'Pod' ? generatedRef(p, ref) ?? ref : ref;
  const spec = typeof ctl.kind === 'string' ? LABELLED_ANCESTORS.get(ctl.kind) : undefined;
  // Only the owner's own workload (its pods folded into it) or a pod left a workload of its own.
  if (spec === undefined || apiGroupOf(ctl.apiVersion) !== spec.group || !(ref.kind === 'Pod' || (ref.kind === ctl.kind && ref.name === ctl.name))) return ref;
  const labels = record(p.metadata?.labels);
  if (labels[spec.own] !== ctl.name) return ref;
  for (const [label, kind] of spec.ancestors) {
    const name = labels[label];
    if (name !== undefined && OBJECT_NAME.test(name)) return { kind, namespace, name };
  }
  // No ancestor label (Argo puts cron-workflow and workflow-template on the Workflow, not on its
  // pods): the owner's own name, when it is a generated one, by its prefix.
  const prefix = typeof ctl.name === 'string' && OBJECT_NAME.test(ctl.name) ? GENERATED_SUFFIX.exec(ctl.name)?.[1] : undefined;
  return prefix !== undefined ? { kind: spec.kind, namespace, name: `${prefix}*` } : ref;
}

/** `<generateName>*` for an object named by its generateName (the prefix, then what the API server added). */
function generatedRef(o: KubeObject, ref: ResourceRef): ResourceRef | undefined {
  const prefix = o.metadata?.generateName;
  const name = o.metadata?.name;
  if (typeof prefix !== 'string' || !prefix || typeof name !== 'string' || name.length <= prefix.length || !name.startsWith(prefix)) return undefined;
  return { kind: ref.kind, namespace: ref.namespace, name: `${prefix}*` };
}

/** A verdict about one workload (its `ref` the verdict's resource), as stableVerdicts takes it. */
export interface WorkloadVerdict {
  workload: Workload;
  verdict: Verdict;
}

/**
 * Per-workload verdicts under each workload's most stable name (stableRefOf), so a finding about
 * a workload made anew under a generated name each run (a CronWorkflow's Workflow, a Pipeline's
 * TaskRun, a generateName pod or Job) is the same finding every run, and a waiver written for that
 * name keeps matching. The workloads sharing a stable name make one verdict: failing when any
 * fails, worded as its worst failing one words it, at that severity (`severity`: the
 * check's, for a verdict that sets none). Its message names that workload and the pods it runs
 * now (as a CronJob's does), so the engineer on call finds them; `related` and evidence
 * `workloads` list every failing workload, so a waiver for one of them still covers it, and the
 * diff pairs it with a finding stored under a workload's own name (src/diff/former-keys.ts).
 */
export function* stableVerdicts(items: Iterable<WorkloadVerdict>, severity: Severity): Generator<Verdict> {
  const groups = new Map<string, { stable: ResourceRef; items: WorkloadVerdict[] }>();
  for (const item of items) {
    const { ref } = item.workload;
    const stable = stableRefOf(ref);
    if (stable === ref) {
      yield ref.kind === 'CronJob' && item.verdict.status === 'fail' ? { ...item.verdict, message: namingNow(item.verdict.message, item.workload, ref) } : item.verdict;
      continue;
    }
    const key = refString(stable);
    const group = groups.get(key);
    if (group) group.items.push(item);
    else groups.set(key, { stable, items: [item] });
  }
  for (const { stable, items: members } of groups.values()) yield stableVerdict(stable, members, severity);
}

function stableVerdict(stable: ResourceRef, members: readonly WorkloadVerdict[], severity: Severity): Verdict {
  const failing = members.filter((m) => m.verdict.status === 'fail');
  if (failing.length === 0) return { status: 'pass', resource: stable, message: namingNow(members[0].verdict.message, members[0].workload, stable) };
  const severityOf = (v: Verdict): Severity => v.severity ?? severity;
  // Worded as the worst failing workload words it (the first of those), so the message says what
  // earned the finding its severity: a privileged TaskRun, not its sibling missing runAsNonRoot.
  let lead = failing[0];
  for (const m of failing) if (SEVERITY_WEIGHT[severityOf(m.verdict)] > SEVERITY_WEIGHT[severityOf(lead.verdict)]) lead = m;
  const others = failing.filter((m) => m !== lead).map((m) => refString(m.workload.ref));
  const more = others.length === 0 ? '' : ` ${others.length} more of its workloads fail too (${others.slice(0, PODS_NAMED).join(', ')}${others.length > PODS_NAMED ? `, +${others.length - PODS_NAMED} more` : ''}).`;
  const related = new Map<string, ResourceRef>();
  for (const m of failing) for (const r of [m.workload.ref, ...(m.verdict.related ?? [])]) if (!related.has(refString(r))) related.set(refString(r), r);
  const message = namingNow(lead.verdict.message, lead.workload, stable);
  const evidence: Record<string, unknown> = { ...lead.verdict.evidence, workloads: failing.map((m) => m.workload.ref) };
  const failed = failing.map((m) => failedControlsOf(m.verdict));
  if (failed.some((c) => c.length > 0)) evidence.members = failing.map((m, i) => ({ ref: m.workload.ref, checks: failed[i] }));
  const verdict: Verdict = {
    ...lead.verdict,
    resource: stable,
    message: more === '' ? message : `${message}${/[.!?]$/.test(message) ? '' : '.'}${more}`,
    evidence,
    related: [...related.values()],
    extent: { unit: 'violations', members: violationsOf(failing) },
  };
  // A result's controls are a subset of its check's, shared between results alike: that subset
  // when every failing workload bears on it, else the check's own.
  if (!failing.every((m) => m.verdict.controls === lead.verdict.controls)) delete verdict.controls;
  return verdict;
}

/** The ids of the Pod Security controls a workload's verdict fails (its evidence `checks`), none when it lists none. */
function failedControlsOf(v: Verdict): string[] {
  const checks = (v.evidence as { checks?: unknown } | undefined)?.checks;
  if (!Array.isArray(checks)) return [];
  const ids = new Set<string>();
  for (const c of checks as Array<{ id?: unknown }>) if (typeof c?.id === 'string') ids.add(c.id);
  return [...ids];
}

/**
 * A grouped finding's extent (src/run/extent.ts): what every failing workload fails (a Pod
 * Security verdict's own violations, "hostNamespaces:hostPID"), each failed
 * control by the workload's stable role — a Pipeline's task (the pod's tekton.dev/pipelineTask
 * label, https://tekton.dev/docs/pipelines/labels/ "Automatic labeling") — never by the generated
 * names, which change every night. "privileged (task dind)"; a workload of no role adds its
 * controls alone ("privileged": a generateName group's members are the set of what they fail),
 * and one of a check listing no controls (the RBAC checks) its role, or "fails". So tomorrow's
 * same pods under new names are the same members, while one more failing task, or a control its
 * workloads did not fail, is a member more: the diff says the finding widened, and a waiver on
 * the group reports it grew beyond it, instead of the unchanged fingerprint hiding it. A milder
 * workload counts too: a new task failing only the restricted level under a privileged one is a
 * new rollout blocker (Pod Security Admission refuses each pod on its own), so it widens the
 * finding — at the finding's severity, which is louder than the medium finding it would have
 * been on its own, never silent.
 */
function violationsOf(members: readonly WorkloadVerdict[]): string[] {
  const out = new Set<string>();
  for (const m of members) {
    const task = m.workload.pods.map((p) => p.labels['tekton.dev/pipelineTask']).find((t) => t !== undefined);
    const role = task !== undefined && OBJECT_NAME.test(task) ? `task ${task}` : undefined;
    // A Pod Security verdict lists its violations itself (src/analysis/pss/verdicts.ts: a host
    // namespace by its field), as a workload of its own carries them.
    const controls = m.verdict.extent?.unit === 'violations' ? m.verdict.extent.members : failedControlsOf(m.verdict);
    if (controls.length === 0) out.add(role ?? 'fails');
    for (const c of controls) out.add(role === undefined ? c : `${c} (${role})`);
  }
  return [...out];
}

/** How many of a workload's pods a message names. */
const PODS_NAMED = 3;

/**
 * A workload's message under `named` (its stable name, or its own), saying what runs now: "Pipeline
 * ci/release (now TaskRun ci/release-x7k2p-build, pod ci/release-x7k2p-build-pod)". The message
 * opens with the workload's name, as every workload check words it; one that does not is prefixed.
 */
function namingNow(message: string, w: Workload, named: ResourceRef): string {
  const own = refString(w.ref);
  const now: string[] = named === w.ref || w.ref.kind === 'Pod' ? [] : [own];
  const pods = w.ref.kind === 'Pod' ? [] : w.pods.filter((p) => p.origin === 'pod');
  for (const p of pods.slice(0, PODS_NAMED)) now.push(`pod ${p.namespace}/${p.name}`);
  if (pods.length > PODS_NAMED) now.push(`+${pods.length - PODS_NAMED} more pods`);
  if (w.ref.kind === 'Pod' && named !== w.ref) now.push(own);
  const head = now.length === 0 ? refString(named) : `${refString(named)} (now ${now.join(', ')})`;
  return message.startsWith(own) ? `${head}${message.slice(own.length)}` : `${head}: ${message}`;
}

export const workloadsOf = memoize((snapshot: Snapshot): Workload[] => {
  const byKey = new RefIndex<Workload>();
  const objects = new RefIndex<KubeObject>(); // for owner walking

  for (const key of WORKLOAD_KEYS) {
    for (const o of snapshot.resources[key] ?? []) {
      const name = o.metadata?.name;
      if (!name || !o.kind) continue;
      objects.set(o.kind, o.metadata?.namespace, name, o);
    }
  }

  /**
   * Set by topOwner: whether its answer followed present owners only (the same for every
   * object with these owner references and these labels in this namespace).
   */
  let byOwnersAlone = false;
  const topOwner = (o: KubeObject): ResourceRef => {
    let cur: ResourceRef = { kind: o.kind ?? 'Pod', namespace: o.metadata?.namespace, name: o.metadata?.name ?? '' };
    let obj: KubeObject | undefined = o;
    let labels: Record<string, string> | undefined;
    byOwnersAlone = false;
    for (let depth = 0; depth < 4 && obj; depth++) {
      // Only a controlling owner of a kind that controls this kind folds it into a workload
      // (a Node owns static (mirror) pods, which stay workloads of their own).
      const ctl = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
      if (!ctl?.kind || !ctl.name || !controllerKindOf(obj.kind ?? 'Pod', ctl)) break;
      const owner = objects.get(ctl.kind, o.metadata?.namespace, ctl.name);
      if (owner && !controls(owner, ctl.uid, (labels ??= selectedLabels(o)))) break;
      cur = { kind: ctl.kind, namespace: o.metadata?.namespace, name: ctl.name };
      obj = owner;
      if (!obj) {
        byOwnersAlone = false;
        return absentOwnerParent(cur, o) ?? cur;
      }
      byOwnersAlone = true;
    }
    return cur;
  };

  // An owner missing from the input (`kubectl get pods` without the ReplicaSets) is still
  // folded into the workload above it when its name says which: the Deployment controller
  // names a ReplicaSet DEPLOYMENT-HASH and labels its pods pod-template-hash=HASH; the
  // CronJob controller names a Job CRONJOB-MINUTES (folded only when that CronJob is present).
  // Not when the snapshot lists that kind from a live cluster: there the owner is not missing
  // but does not exist, and anyone who may create a pod may write that name and those labels,
  // which would join the pod to the Deployment's (or CronJob's) finding and its waiver. Save for
  // a pod being deleted: a deleted Deployment's ReplicaSets (or a Replace CronJob's Job, or one
  // revisionHistoryLimit prunes) go at once and their pods after, terminating for their grace
  // period (https://kubernetes.io/docs/concepts/architecture/garbage-collection/#background-deletion);
  // only the API server sets deletionTimestamp, so no pod's author can claim it. Pods are listed
  // before ReplicaSets and Jobs (src/snapshot/kinds.ts KINDS), so a pod a rollout makes during
  // the collection is not listed without its ReplicaSet.
  const listedLive = (key: 'replicasets' | 'jobs', pod: KubeObject) => !templatesStandIn(snapshot) && coverageOk(snapshot, key) && !pod.metadata?.deletionTimestamp;
  const absentOwnerParent = (owner: ResourceRef, pod: KubeObject): ResourceRef | undefined => {
    if (owner.kind === 'ReplicaSet') {
      if (listedLive('replicasets', pod)) return undefined;
      const hash = pod.metadata?.labels?.['pod-template-hash'];
      if (!hash || !owner.name.endsWith(`-${hash}`) || owner.name.length <= hash.length + 1) return undefined;
      const name = owner.name.slice(0, -(hash.length + 1));
      // The Deployment's selector selects its pods, whichever ReplicaSet made them.
      const deployment = objects.get('Deployment', owner.namespace, name);
      if (deployment && !controls(deployment, undefined, record(pod.metadata?.labels))) return undefined;
      return { kind: 'Deployment', namespace: owner.namespace, name };
    }
    if (owner.kind === 'Job') {
      if (listedLive('jobs', pod)) return undefined;
      const m = /^(.+)-\d+$/.exec(owner.name);
      if (m && objects.get('CronJob', owner.namespace, m[1]!) !== undefined) return { kind: 'CronJob', namespace: owner.namespace, name: m[1]! };
    }
    return undefined;
  };

  const ensure = (ref: ResourceRef): Workload => {
    let w = byKey.get(ref.kind, ref.namespace, ref.name);
    if (!w) {
      w = { ref, pods: [], podCount: 0 };
      byKey.set(ref.kind, ref.namespace, ref.name, w);
    }
    return w;
  };

  // Per live workload folded from the ReplicaSets (ReplicationControllers, Jobs) of a custom
  // resource (an Argo Rollout): the one of its latest revision, whose template its next pods
  // come from.
  const customCurrent = new Map<Workload, KubeObject>();

  // Workload objects with templates (top-level only: owned ReplicaSets/Jobs fold into their owner).
  for (const o of objects.values()) {
    const ref = topOwner(o);
    if (ref.kind !== o.kind || ref.name !== o.metadata?.name) {
      // An Argo Rollout "manages the creation, scaling, and deletion of ReplicaSets" as a
      // Deployment does (https://argoproj.github.io/argo-rollouts/): its ReplicaSet of the latest
      // revision holds the template admission judges the pods of
      // (https://kubernetes.io/docs/concepts/security/pod-security-admission/, "Workload
      // resources and Pod templates"). The Rollout itself is not collected.
      const custom = !templatesStandIn(snapshot) && foldedIntoCustom(o, ref);
      if (custom) {
        const w = ensure(ref);
        const prev = customCurrent.get(w);
        if (prev === undefined || laterRevision(o, prev)) customCurrent.set(w, o);
      }
      // Owned by another workload. A CronJob's running Job asks for its pods, as does a running
      // Job of a custom resource (a KEDA ScaledJob's).
      if (o.kind === 'Job' && (ref.kind === 'CronJob' || custom) && !templatesStandIn(snapshot)) {
        const wants = wantedPods(o);
        if (wants) {
          const w = ensure(ref);
          const before = w.wantsPods;
          w.wantsPods = before === undefined ? wants : { ...(before.count !== undefined && wants.count !== undefined ? { count: before.count + wants.count } : {}) };
        }
      }
      continue;
    }
    const tpl = podTemplateOf(o);
    const w = ensure(ref);
    if (o.kind === 'Job' && jobFinished(o)) w.finished = true;
    if (o.kind === 'CronJob' && objRecord(o.spec).suspend === true) w.suspended = true;
    if (!templatesStandIn(snapshot)) {
      const wants = wantedPods(o);
      if (wants) w.wantsPods = wants;
    }
    if (tpl) {
      const meta = objRecord(tpl.metadata);
      w.template = { labels: record(meta.labels), annotations: record(meta.annotations), spec: objRecord(tpl.spec) };
    }
  }

  for (const [w, o] of customCurrent) {
    const tpl = podTemplateOf(o);
    if (tpl) {
      const meta = objRecord(tpl.metadata);
      w.template = { labels: record(meta.labels), annotations: record(meta.annotations), spec: objRecord(tpl.spec) };
    }
    // A ReplicaSet's (ReplicationController's) spec.replicas: scaled to zero it wants none. Jobs
    // said theirs above.
    if (o.kind !== 'Job') {
      const wants = wantedPods(o);
      if (wants) w.wantsPods = wants;
    }
  }

  // The label that ties a pod to its workload's current revision, and its value.
  // (value null: no ReplicaSet of a Deployment's current template exists, so no pod is of it).
  const revisionOf = new Map<Workload, { label: string; value: string | null } | { jobs: Map<string, boolean> }>();
  // DaemonSets whose controller says a pod of the current revision runs (daemonSetCountsUpdatedPods).
  const updatedByController = new Set<Workload>();
  for (const w of byKey.values()) {
    const o = objects.get(w.ref.kind, w.ref.namespace, w.ref.name);
    if (!o) continue;
    if (o.kind === 'StatefulSet' || o.kind === 'DaemonSet') {
      const us = objRecord(objRecord(o.spec).updateStrategy);
      const partition = objRecord(us.rollingUpdate).partition;
      w.updateStrategy = us.type === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', ...(o.kind === 'StatefulSet' && typeof partition === 'number' && partition > 0 ? { partition } : {}) };
    }
    if (o.kind === 'StatefulSet') {
      const v = objRecord(o.status).updateRevision;
      if (typeof v === 'string' && v) revisionOf.set(w, { label: 'controller-revision-hash', value: v });
    } else if (o.kind === 'DaemonSet') {
      const v = o.metadata?.annotations?.['deprecated.daemonset.template.generation'];
      if (typeof v === 'string' && v) revisionOf.set(w, { label: 'pod-template-generation', value: v });
      if (daemonSetCountsUpdatedPods(o)) updatedByController.add(w);
    }
  }
  for (const [w, hash] of currentReplicaSetHashes(snapshot, byKey, objects)) revisionOf.set(w, { label: 'pod-template-hash', value: hash });
  // A CronJob's Jobs copy its job template when made: a Job whose pod template equals the
  // CronJob's current one (but for the labels the Job controller adds) is of its current revision.
  const cronKeys = new Map<KubeObject, string>();
  for (const job of snapshot.resources.jobs ?? []) {
    const ctl = (job.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    const name = job.metadata?.name;
    if (ctl?.kind !== 'CronJob' || !ctl.name || !name) continue;
    const cron = objects.get('CronJob', job.metadata?.namespace, ctl.name);
    const w = byKey.get('CronJob', job.metadata?.namespace, ctl.name);
    if (!cron || !w) continue;
    let rev = revisionOf.get(w);
    if (rev === undefined) revisionOf.set(w, (rev = { jobs: new Map() }));
    let cronKey = cronKeys.get(cron);
    if (cronKey === undefined) cronKeys.set(cron, (cronKey = templateKey(podTemplateOf(cron))));
    if ('jobs' in rev) rev.jobs.set(name, templateKey(objRecord(job.spec).template) === cronKey);
  }

  // The replicas of a workload share one owner references array and, but for a StatefulSet's,
  // one labels map (the snapshot reader interns equal values): their top owner and workload, per
  // namespace, are found once (the owners' selectors judge the labels).
  // Whether a pod is of its workload's current revision, undefined when the snapshot cannot tell.
  const ofCurrentRevision = (p: KubeObject, w: Workload): boolean | undefined => {
    const rev = revisionOf.get(w);
    if (rev === undefined) return undefined;
    if ('jobs' in rev) return rev.jobs.get((p.metadata?.ownerReferences ?? []).find((r) => r.controller === true && r.kind === 'Job')?.name ?? '');
    const v = p.metadata?.labels?.[rev.label];
    return typeof v === 'string' ? v === rev.value : rev.value === null ? false : undefined;
  };
  const terminated: KubeObject[] = [];
  const byOwners = new Map<unknown, { namespace: string | undefined; labels: unknown; owner: ResourceRef; w: Workload }>();
  const direct = directCustomOwners(snapshot.resources.pods ?? []);
  // The pods a custom resource controls directly, folded after the others: only into an owner
  // whose kind, namespace and name no other workload has (an Argo Rollout's, reached through its
  // ReplicaSets; an apps/v1 StatefulSet namesake of an OpenKruise Advanced StatefulSet), so no
  // finding or waiver names two workloads.
  const directPods: KubeObject[] = [];
  for (const p of snapshot.resources.pods ?? []) {
    const name = p.metadata?.name;
    if (!name) continue;
    if (podFinished(p)) {
      terminated.push(p);
      continue;
    }
    if (direct.size > 0 && direct.has(p)) {
      directPods.push(p);
      continue;
    }
    const refs = p.metadata?.ownerReferences;
    const hit = refs === undefined ? undefined : byOwners.get(refs);
    let owner: ResourceRef;
    let w: Workload;
    if (hit !== undefined && hit.namespace === p.metadata?.namespace && hit.labels === p.metadata?.labels) {
      owner = { ...hit.owner };
      w = hit.w;
    } else {
      owner = topOwner(p);
      w = ensure(owner);
      if (byOwnersAlone && refs !== undefined) byOwners.set(refs, { namespace: p.metadata?.namespace, labels: p.metadata?.labels, owner: { ...owner }, w });
    }
    addPod(p, name, owner, w);
  }
  const custom = new Map<ResourceRef, Workload>();
  for (const p of directPods) {
    const ref = direct.get(p)!;
    if (byKey.get(ref.kind, ref.namespace, ref.name) !== undefined) {
      const owner = topOwner(p);
      addPod(p, p.metadata!.name!, owner, ensure(owner));
      continue;
    }
    let w = custom.get(ref);
    if (w === undefined) custom.set(ref, (w = { ref, pods: [], podCount: 0 }));
    addPod(p, p.metadata!.name!, { ...ref }, w);
  }

  function addPod(p: KubeObject, name: string, owner: ResourceRef, w: Workload): void {
    w.pods.push({
      namespace: p.metadata?.namespace ?? 'default',
      name,
      labels: record(p.metadata?.labels),
      annotations: record(p.metadata?.annotations),
      spec: objRecord(p.spec),
      // The replicas of one workload share its ref (equal by key; the namespace compared
      // because the key does not tell a missing one from '').
      owner: w.ref.namespace === owner.namespace ? w.ref : owner,
      origin: 'pod',
    });
    w.podCount++;
    // Only workloads a generated name or a custom owner may name (a Deployment's replicas are
    // not looked at): one pair of look-ups per such pod.
    if (w.ref.kind === 'Pod' || w.ref.kind === 'Job' || LABELLED_ANCESTORS.has(w.ref.kind)) {
      const stable = stableAncestorOf(p, w, w.ref.kind === 'Job' ? objects.get('Job', w.ref.namespace, w.ref.name) : undefined);
      const before = stableRefs.get(w.ref);
      // Pods that tell different ancestors leave the workload its own name.
      if (before === undefined && w.pods.length === 1) stableRefs.set(w.ref, stable === w.ref ? null : stable);
      else if (before !== null && (before === undefined || refString(before) !== refString(stable))) stableRefs.set(w.ref, null);
    }
    const current = ofCurrentRevision(p, w);
    if (current !== undefined) w.currentRevisionRunning = w.currentRevisionRunning === true || current;
  }

  for (const w of updatedByController) if (w.pods.length > 0) w.currentRevisionRunning = true;

  // The terminated pods of the current revision (or of one the snapshot cannot tell) of a
  // workload that runs none now: what admission admitted from its template, at some time.
  for (const p of terminated) {
    const owner = topOwner(p);
    const w = byKey.get(owner.kind, owner.namespace, owner.name);
    const name = p.metadata?.name;
    if (w?.wantsPods === undefined || w.pods.length > 0 || !name || ofCurrentRevision(p, w) === false) continue;
    // Of a custom resource's ReplicaSets, only a pod of the current one shows what its template makes.
    const cur = customCurrent.get(w);
    if (cur !== undefined && cur.kind !== 'Job' && (p.metadata?.ownerReferences ?? []).find((r) => r.controller === true)?.name !== cur.metadata?.name) continue;
    (w.terminatedPods ??= []).push({
      namespace: p.metadata?.namespace ?? 'default', name, labels: record(p.metadata?.labels), annotations: record(p.metadata?.annotations),
      spec: objRecord(p.spec), owner: w.ref, origin: 'pod',
    });
  }

  if (templatesStandIn(snapshot)) {
    for (const w of byKey.values()) {
      const pod = templatePodOf(w);
      if (w.pods.length > 0 || !pod) continue;
      const o = objects.get(w.ref.kind, w.ref.namespace, w.ref.name);
      w.pods.push(pod);
      w.podCount = o ? templateReplicas(o) : 1;
      if (o?.kind === 'Job') {
        const stable = generatedRef(o, w.ref);
        if (stable) stableRefs.set(w.ref, stable);
      }
    }
  }
  // A custom owner's workload has no template, no revision and no count of the pods it wants:
  // its pods are judged as they run (src/analysis/pss/model.ts).
  return custom.size === 0 ? [...byKey.values()] : [...byKey.values(), ...custom.values()];
}, AREAS);

/** The labels a controller adds to the pod template it copies: the Deployment's pod-template-hash, the Job's. */
const CONTROLLER_LABELS = ['pod-template-hash', 'controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name'];

/**
 * Whether a DaemonSet's status says a node runs a pod of its current revision: the controller
 * counts a pod updated when its pod-template-generation label is the template generation (the
 * tie read from the labels here) or when its controller-revision-hash is the current
 * ControllerRevision's (not collected). A rollback (`kubectl rollout undo`) makes the earlier
 * template current again under a new generation, so its pods are current by the hash alone
 * (https://kubernetes.io/docs/tasks/manage-daemon/rollback-daemon-set/). Only a status written
 * for the DaemonSet's present generation (observedGeneration) is read.
 */
function daemonSetCountsUpdatedPods(o: KubeObject): boolean {
  const status = objRecord(o.status);
  const generation = o.metadata?.generation;
  return typeof generation === 'number' && status.observedGeneration === generation && typeof status.updatedNumberScheduled === 'number' && status.updatedNumberScheduled > 0;
}

/** A pod template without the labels its controller adds, keys sorted: what the Deployment controller compares. */
function templateKey(t: unknown): string {
  const tpl = objRecord(t);
  return JSON.stringify(canon({ ...tpl, metadata: templateMetadata(tpl) }));
}

/** A template's metadata as templateKey compares it: no creation time, no label a controller adds. */
function templateMetadata(tpl: Record<string, unknown>): Record<string, unknown> {
  const meta = objRecord(tpl.metadata);
  const labels = { ...record(meta.labels) };
  for (const l of CONTROLLER_LABELS) delete labels[l];
  const { creationTimestamp: _created, ...rest } = meta;
  return { ...rest, labels };
}

/** `v` with every object's keys sorted. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = canon((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * Whether templateKey(a) === templateKey(b). The snapshot reader makes equal values one object
 * (src/snapshot/intern.ts): a ReplicaSet copied from its Deployment holds the Deployment's pod
 * spec itself, so when every member but the metadata is the very same value, comparing the
 * metadata answers; otherwise the whole keys are compared (`keyOfB` is b's, made on demand).
 */
function sameTemplate(a: unknown, b: unknown, keyOfB: () => string): boolean {
  const ta = objRecord(a);
  const tb = objRecord(b);
  const ka = Object.keys(ta);
  if (ka.length === Object.keys(tb).length && ('metadata' in ta) === ('metadata' in tb) && ka.every((k) => k === 'metadata' || (k in tb && ta[k] === tb[k]))) {
    const ma = templateMetadata(ta);
    const mb = templateMetadata(tb);
    // Compared as values where they are plain JSON (the texts cost ~0.2 s of CPU for the 50,000 ReplicaSets at L).
    return plainJson(ma) && plainJson(mb) ? sameJson(ma, mb) : JSON.stringify(canon(ma)) === JSON.stringify(canon(mb));
  }
  return templateKey(a) === keyOfB();
}

/**
 * Whether `v` holds only plain objects, arrays, strings, finite numbers, booleans and nulls, and
 * no `__proto__` member (canon drops one): values whose JSON texts, keys sorted, are equal exactly
 * when sameJson says so.
 */
function plainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plainJson(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(v)) if (k === '__proto__' || !plainJson((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** Whether two plainJson values are equal, object keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const list = b as unknown[];
    return a.length === list.length && a.every((x, i) => sameJson(x, list[i]));
  }
  const ka = Object.keys(a);
  const o = b as Record<string, unknown>;
  return ka.length === Object.keys(o).length && ka.every((k) => Object.hasOwn(o, k) && sameJson((a as Record<string, unknown>)[k], o[k]));
}

/**
 * Per Deployment (a workload of `byKey`), the pod-template-hash of its current ReplicaSet:
 * the one whose template equals the Deployment's but for that label (how the Deployment
 * controller finds its new ReplicaSet), else the one with the highest
 * deployment.kubernetes.io/revision annotation. One pass over the ReplicaSets. Only a
 * ReplicaSet the Deployment controls counts, as in topOwner (the reference's uid and kind, the
 * Deployment's selector selecting its template's labels): one naming the Deployment by hand
 * would otherwise choose which running pods are of its current revision.
 *
 * The newest revision stands in only for a Deployment its controller has synced (not paused,
 * status.observedGeneration at least metadata.generation; a snapshot telling neither generation
 * cannot say). A paused one gets no ReplicaSet for an edited template: its controller only syncs
 * it, finding the new ReplicaSet without creating one (kubernetes deployment_controller.go
 * syncDeployment, sync.go getAllReplicaSetsAndSyncRevision with createIfNotExisted false), and
 * FindNewReplicaSet finds none unless a template equals its own
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pausing-and-resuming-a-deployment:
 * changes to a paused Deployment's template trigger no rollout). Then, as for an edit its
 * controller has not seen yet, null: no pod runs the current template, which is judged on its
 * own (`notRolledOut` set on the workload says why).
 */
function currentReplicaSetHashes(snapshot: Snapshot, byKey: RefIndex<Workload>, objects: RefIndex<KubeObject>): Map<Workload, string | null> {
  const best = new Map<Workload, { matches: boolean; revision: number; hash: string }>();
  // Each Deployment's template, and its templateKey once a ReplicaSet needs it.
  const templateOf = new Map<Workload, { template: unknown; key?: string; notRolledOut?: Workload['notRolledOut'] }>();
  for (const d of snapshot.resources.deployments ?? []) {
    const name = d.metadata?.name;
    const w = name ? byKey.get('Deployment', d.metadata?.namespace, name) : undefined;
    if (w && w.ref.kind === 'Deployment') templateOf.set(w, { template: objRecord(d.spec).template, notRolledOut: notRolledOutOf(d) });
  }
  for (const rs of snapshot.resources.replicasets ?? []) {
    const ctl = (rs.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (ctl?.kind !== 'Deployment' || !ctl.name || !controllerKindOf('ReplicaSet', ctl)) continue;
    const w = byKey.get('Deployment', rs.metadata?.namespace, ctl.name);
    const dep = w === undefined ? undefined : templateOf.get(w);
    if (w === undefined || dep === undefined) continue;
    const deployment = objects.get('Deployment', rs.metadata?.namespace, ctl.name);
    if (!deployment || !controls(deployment, ctl.uid, selectedLabels(rs))) continue;
    const tpl = objRecord(objRecord(rs.spec).template);
    const hash = rs.metadata?.labels?.['pod-template-hash'] ?? record(objRecord(tpl.metadata).labels)['pod-template-hash'];
    if (typeof hash !== 'string' || !hash) continue;
    const revision = Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? NaN);
    const cand = { matches: sameTemplate(tpl, dep.template, () => (dep.key ??= templateKey(dep.template))), revision: Number.isFinite(revision) ? revision : -1, hash };
    const prev = best.get(w);
    if (!prev || (cand.matches && !prev.matches) || (cand.matches === prev.matches && cand.revision > prev.revision)) best.set(w, cand);
  }
  const out = new Map<Workload, string | null>();
  for (const [w, b] of best) {
    const notRolledOut = b.matches ? undefined : templateOf.get(w)?.notRolledOut;
    if (notRolledOut !== undefined) {
      w.notRolledOut = notRolledOut;
      out.set(w, null);
    } else if (b.matches || b.revision >= 0) out.set(w, b.hash);
  }
  return out;
}

/** Why a Deployment's controller has not made a ReplicaSet of its template yet, when it tells (currentReplicaSetHashes). */
function notRolledOutOf(d: KubeObject): Workload['notRolledOut'] {
  if (objRecord(d.spec).paused === true) return 'paused';
  const generation = d.metadata?.generation;
  if (typeof generation !== 'number') return undefined;
  const observed = objRecord(d.status).observedGeneration;
  return typeof observed === 'number' && observed >= generation ? undefined : 'unobserved';
}

/** The pod a workload's template would make, standing in for it; undefined without a template. */
export function templatePodOf(w: Workload): PodView | undefined {
  if (!w.template) return undefined;
  return {
    namespace: w.ref.namespace ?? 'default',
    name: `${w.ref.name} (template)`,
    labels: w.template.labels,
    annotations: w.template.annotations,
    spec: w.template.spec,
    owner: w.ref,
    origin: 'template',
  };
}

/**
 * The pods a workload's settings are judged by: its pods, or, when it runs none (a live
 * Deployment scaled to zero, a CronJob between runs — its finished pods are not its pods —, a
 * suspended Job), the template its next
 * pods come from. A finished standalone Job without pods has no next pods: nothing is judged
 * (a CronJob's Jobs fold into the CronJob, whose template is).
 */
export function judgedPodsOf(w: Workload): PodView[] {
  if (w.pods.length > 0) return w.pods;
  if (w.finished) return [];
  const pod = templatePodOf(w);
  return pod ? [pod] : [];
}

/** Every pod (or standing-in template) in the snapshot. */
export const podsOf = memoize((snapshot: Snapshot): PodView[] => workloadsOf(snapshot).flatMap((w) => w.pods), AREAS);

export function refString(r: ResourceRef): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

export interface WorkloadAlias {
  /** The top-level workload the name stands for. */
  ref: ResourceRef;
  /** What the name is: one of its pods, or an owner between the pods and it. */
  via: 'pod' | 'ReplicaSet' | 'Job';
}

/**
 * The workload a pod name, or the name of a ReplicaSet or Job between pods and their
 * workload, stands for in `namespace` — present in the input or only named by the pods'
 * owner references. Undefined when the name is none of these (or a workload's own name).
 */
export function workloadAliasOf(snapshot: Snapshot, namespace: string, name: string): WorkloadAlias | undefined {
  const inNs = workloadsOf(snapshot).filter((w) => w.ref.namespace === namespace);
  const pod = inNs.find((w) => w.pods.some((p) => p.origin === 'pod' && p.name === name));
  if (pod) return { ref: pod.ref, via: 'pod' };
  const byRef = (kind: string, n: string) => inNs.find((w) => w.ref.kind === kind && w.ref.name === n);
  // An owner the pods name (whether or not the object itself was collected).
  for (const p of snapshot.resources.pods ?? []) {
    if (p.metadata?.namespace !== namespace) continue;
    const ctl = (p.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    if (!ctl || ctl.name !== name || (ctl.kind !== 'ReplicaSet' && ctl.kind !== 'Job')) continue;
    const w = inNs.find((x) => x.pods.some((v) => v.origin === 'pod' && v.name === p.metadata?.name));
    // A pod its owner reference did not fold (workloadsOf) says nothing of what the name stands for.
    if (w && w.ref.kind !== 'Pod' && !(w.ref.kind === ctl.kind && w.ref.name === name)) return { ref: w.ref, via: ctl.kind };
  }
  // A ReplicaSet or Job without pods (scaled to zero, finished), owned by a workload.
  for (const [key, kind] of [['replicasets', 'ReplicaSet'], ['jobs', 'Job']] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      if (o.metadata?.namespace !== namespace || o.metadata?.name !== name) continue;
      if (byRef(kind, name)) return undefined; // its owner reference did not fold it: a workload of its own
      const ctl = (o.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
      const w = ctl?.kind && ctl.name ? byRef(ctl.kind, ctl.name) : undefined;
      if (w) return { ref: w.ref, via: kind };
    }
  }
  return undefined;
}
