// The Pod Security model of one snapshot under one config: each namespace's effective
// enforce/audit/warn policy (labels over admission defaults), and each workload's pods
// evaluated at its namespace's enforce level and at the configured target level. Built once
// and shared by every pod-security check.
//
// Admission semantics kept: exempt namespaces skip every mode, and so do pods whose
// runtimeClassName is exempt. Such pods are still judged, at the level their namespace's label
// enforces and at the target: an exemption is why a violating pod runs, and nothing else in
// the cluster reports it (https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions).
// `latest` (and newer pinned versions) mean the cluster's own version when
// it is known, since that is the newest policy its apiserver can enforce. System namespaces
// are not exempt from the labels they carry (admission does not special-case them); they are
// only left out of the namespace-hygiene and target checks.

import type { Config } from '../../config/types.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoizeBySnapshotAndConfig } from '../memo.ts';
import { judgedPodsOf, templatePodOf, templatesStandIn, workloadsOf, type PodView, type Workload } from '../workloads.ts';
import { checkIdsAt, evaluatePod, type PssFailure } from './evaluate.ts';
import { hasSeccompAnnotation, withSeccompFromAnnotations, type PodInput } from './checks.ts';
import { dropsHostUsers, dropsProcMount, hostUsersGate, procMountDoubt, procMountGate, relaxesUserNamespacePods, userNamespaceGate, type HostUsersGate, type ProcMountGate, type UserNamespaceGate } from './feature-gates.ts';
import { podClassKeys, type PodClassKeys } from './pod-class.ts';
import { parseNamespaceLevels, LABEL_PREFIX, type NamespaceLevels, type PssDefaults } from './labels.ts';
import { LATEST_MINOR, admissionAbsentReason, clusterMinor, effectiveMinor, isPssLevel, parsePolicyVersion, type PssLevel } from './levels.ts';

export interface NamespacePss {
  name: string;
  /** Listed in config.systemNamespaces. */
  system: boolean;
  /** Listed in config.podSecurity.exemptions.namespaces: admission skips every mode. */
  exempt: boolean;
  /**
   * False for a namespace that pods reference but the snapshot does not hold (manifests that
   * leave the Namespace object out, as Helm charts do): its labels, hence its enforced level,
   * are unknown, so nothing is said of them — neither a missing label nor a pass.
   */
  known: boolean;
  /**
   * From manifests, a Namespace with a Pod Security label value admission cannot parse: the API
   * server refuses to create it (PodSecurity admission's ValidateNamespace requires valid labels
   * on create), so it enforces no level at all. Not `known`: no level is claimed for it.
   */
  refused?: true;
  levels: NamespaceLevels;
  /** The namespace's pod-security.kubernetes.io/* labels as found. */
  psaLabels: Record<string, string>;
  hasEnforceLabel: boolean;
}

export interface PodSetEvaluation {
  level: PssLevel;
  /** The version as configured ('latest' or 'v1.N'). */
  version: string;
  /** The version whose rules were applied, e.g. 'v1.36'. */
  effectiveVersion: string;
  allowed: boolean;
  evaluatedPods: number;
  failingPods: number;
  /** Up to five names of failing pods (a template standing in for pods is named "<workload> (template)"; a current template judged beside pods is not listed: currentTemplateFails). */
  failingPodNames: string[];
  /** Failing pods that admission skips (an exempt namespace or runtimeClassName): admitted only because of the exemption. */
  failingExemptPods: number;
  /** Failing checks across the workload's pods, in upstream order, one per check id. */
  failures: PssFailure[];
  /** A failing pod also fails the baseline level (at restricted: it breaks more than hardening). */
  failsBaseline: boolean;
  /**
   * Set when the workload's current template was judged beside its pods (no running pod is of
   * its current revision, and its class differs from every pod's): whether it fails. It is not counted in evaluatedPods or failingPods.
   */
  currentTemplateFails?: boolean;
  /**
   * On a 1.29-1.34 cluster, when a failing pod has `hostUsers: false` and fails a check the gate
   * relaxes (runAsNonRoot, runAsUser; from 1.31 procMount: userNamespaceGatedChecks): how the
   * UserNamespacesPodSecurityStandards gate that would let it pass was read
   * (PssModel.userNamespaceGate; never 'on', which passes those checks).
   */
  userNamespaceGate?: Exclude<UserNamespaceGate['state'], 'on'>;
  /**
   * Set instead when that gate is on but UserNamespacesSupport, which the relaxation also needs,
   * is not on in every kube-apiserver Pod (UserNamespaceGate.support): how it was read.
   */
  userNamespacesSupport?: Exclude<UserNamespaceGate['support'], 'on' | 'unseen'>;
  /**
   * A judged pod sets a container's procMount other than Default that the API server resets to
   * Default when it creates the pod, the ProcMountType gate being off (PssModel.procMountGate):
   * judged with Default, as admission judges it.
   */
  procMountDropped?: true;
  /**
   * A failing pod the API server would create fails procMount, and whether ProcMountType is off
   * (which would reset it to Default) cannot be confirmed: how the gate was read (procMountDoubt).
   */
  procMountType?: 'mixed' | 'unknown' | 'unseen';
  /**
   * A judged pod the API server would create carries a seccomp annotation it copies into the unset
   * seccompProfile field on a 1.19-1.26 cluster (CreatedPods): judged with the field, as admission
   * judges it.
   */
  seccompCopied?: true;
  /**
   * A judged pod the API server would create sets `hostUsers: false`, which it drops on a 1.35+
   * cluster whose kube-apiserver Pods have UserNamespacesSupport off (or on in only some, or
   * unknown: not confirmed on): judged without it, so the 1.35 user-namespace exemption does not
   * apply. How the gate was read (HostUsersGate).
   */
  hostUsersDropped?: 'off' | 'mixed' | 'unknown';
  /** Why a gate above reads unknown: a kube-apiserver Pod's --emulated-version that cannot be read. */
  gateUnknownReason?: string;
}

export interface WorkloadPss {
  workload: Workload;
  namespace: string;
  /** Pods admission skips: all of them in an exempt namespace, else those whose runtimeClassName is exempt. */
  exemptPods: number;
  /** What exempts them: the namespace (config podSecurity.exemptions.namespaces) or these runtime classes. */
  exemptBy?: { namespace: string } | { runtimeClasses: string[] };
  /** At the namespace's effective enforce policy (its label's, which admission skipped for exempt pods). */
  enforce?: PodSetEvaluation;
  /** At config.target; undefined for system namespaces. */
  target?: PodSetEvaluation;
  /**
   * At config.target, for a workload of a system namespace (config systemNamespaces), which the
   * target check leaves out: what its coverage sentence counts, so the exclusion hides nothing.
   */
  excludedTarget?: PodSetEvaluation;
  /**
   * Judged by its template alone: a live workload that runs no pods. At the enforced level only
   * when its controller wants pods (Workload.wantsPods) that admission would judge: then
   * `refusedPods` is set, and the enforce evaluation is of the template its pods are refused for.
   */
  templateOnly?: true;
  /** A template-only workload whose controller wants pods (this many, when known) that none run. */
  refusedPods?: { count?: number };
  /**
   * Pods of a controller that carry ephemeral (debug) containers adding failures at the enforced
   * or target level. The workload is judged on its pods without them (its template makes none;
   * `kubectl debug` attaches one to one pod), so the pod is reported on its own.
   */
  debugPods?: DebugPodPss[];
}

/** What a pod's ephemeral containers add at one policy, beyond what its other containers fail. */
export interface EphemeralEvaluation {
  level: PssLevel;
  version: string;
  effectiveVersion: string;
  /** The failures the pod has with its ephemeral containers and not without, in upstream order. */
  failures: PssFailure[];
  /** Whether the workload (its pods without ephemeral containers, its current template) passes at this policy. */
  workloadPasses: boolean;
}

export interface DebugPodPss {
  pod: PodView;
  /** Its ephemeral containers' names, as found. */
  containers: string[];
  /** Admission skips the pod (an exempt namespace or runtimeClassName). */
  exempt: boolean;
  enforce?: EphemeralEvaluation;
  target?: EphemeralEvaluation;
}

export interface PssModel {
  defaultsKnown: boolean;
  /** Minor version of the cluster, when the snapshot records it. */
  clusterMinor?: number;
  /** Newest policy minor the cluster can enforce (the evaluator's newest when unknown). */
  evaluationCap: number;
  /** On a cluster older than 1.23: why its namespace labels enforce nothing (levels.ts admissionAbsentReason); no workload is then judged at an enforced level. */
  admissionAbsent?: string;
  /** On a 1.29-1.34 cluster: the kube-apiserver's UserNamespacesPodSecurityStandards gate as its Pods show it (./feature-gates.ts). */
  userNamespaceGate?: UserNamespaceGate;
  /** When the cluster's minor is known: its kube-apiserver's ProcMountType gate as its Pods show it (./feature-gates.ts). */
  procMountGate?: ProcMountGate;
  /** On a 1.35+ cluster: its kube-apiserver's UserNamespacesSupport gate as its Pods show it (./feature-gates.ts hostUsersGate). */
  hostUsersGate?: HostUsersGate;
  target: { level: PssLevel; version: string };
  namespaces: Map<string, NamespacePss>;
  workloads: WorkloadPss[];
  namespace(name: string): NamespacePss;
}

function psaLabelsOf(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return out;
  for (const [k, v] of Object.entries(labels)) if (k.startsWith(LABEL_PREFIX)) out[k] = String(v);
  return out;
}

/**
 * One object per distinct failure across the model: the workloads of one chart fail the same
 * checks with the same words (tens of thousands of workloads at 150k pods each held their own
 * copies).
 */
type FailureIntern = Map<string, PssFailure>;
const internFailure = (intern: FailureIntern, f: PssFailure): PssFailure => {
  const key = `${f.id}\u0000${f.forbiddenReason}\u0000${f.forbiddenDetail}\u0000${f.reason}\u0000${f.keepsNetRaw === true}`;
  const seen = intern.get(key);
  if (seen) return seen;
  intern.set(key, f);
  return f;
};

/** Pods the evaluator cannot tell apart (./pod-class.ts): evaluated once per policy. */
interface PodClass {
  /** What the evaluator reads of the class's pods (those of its first pod). */
  input: PodInput;
}

/** A class's verdict at one policy (level and effective minor). */
interface ClassVerdict {
  allowed: boolean;
  /** Interned failures in upstream order; one array shared by every workload of the class. */
  failures: PssFailure[];
  /** At restricted: whether the class also fails baseline at the same minor (asked once, when a failing pod needs it). */
  failsBaseline: boolean | undefined;
}

const NO_FAILURES: PssFailure[] = Object.freeze([]) as unknown as PssFailure[];

const inputOf = (pod: PodView): PodInput => ({ metadata: { annotations: pod.annotations, labels: pod.labels }, spec: pod.spec });

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROC_MOUNT_CHECKS: ReadonlySet<string> = new Set(['procMount', 'procMount_restricted']);

/** `pods` with each pod given by `of`: the same array when `of` changed none (copied only on a change). */
function mapPods(pods: PodView[], of: (p: PodView) => PodView): PodView[] {
  let out: PodView[] | undefined;
  for (let i = 0; i < pods.length; i++) {
    const p = of(pods[i]);
    if (p !== pods[i]) (out ??= [...pods])[i] = p;
  }
  return out ?? pods;
}

/**
 * With ProcMountType off, the API server sets every container's procMount it is given to Default
 * when it creates a pod or a template (dropDisabledProcMountField: ./feature-gates.ts
 * PROC_MOUNT_GATE), so admission judges that. Applied to the pods the API server would create: in
 * manifests, all of them; in a live cluster, templates only (a Pod object read from it was stored
 * after the reset, so a procMount it shows was kept). One copy per spec object, shared by the
 * replicas that share it; the copies are remembered, so a verdict can say why it passed.
 */
export class ProcMountReset {
  private readonly bySpec = new Map<object, Record<string, any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly reset = new WeakSet<object>();
  private readonly allCreated: boolean;
  constructor(allCreated: boolean) {
    this.allCreated = allCreated;
  }

  of(p: PodView): PodView {
    const spec = this.specOf(p.spec, p.origin);
    return spec === p.spec ? p : { ...p, spec };
  }

  /** The spec as the API server stores it: `origin` 'pod' is a Pod object (reset only when the snapshot's pods are all ones it would create). */
  specOf(given: Record<string, any>, origin: PodView['origin']): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!this.allCreated && origin !== 'template') return given;
    let spec = this.bySpec.get(given);
    if (spec === undefined) {
      spec = withDefaultProcMount(given) ?? given;
      this.bySpec.set(given, spec);
      if (spec !== given) this.reset.add(spec);
    }
    return spec;
  }

  list(pods: PodView[]): PodView[] {
    return mapPods(pods, (p) => this.of(p));
  }
}

/**
 * The ProcMountType reset for a snapshot's pods, decided as the Pod Security model decides it
 * (procMountGate at the cluster's minor; dropsProcMount: off in every kube-apiserver Pod seen;
 * applied to what the API server would create, templatesStandIn): undefined when it does not
 * reset, or when whether it does cannot be confirmed (an unknown, mixed or unseen gate keeps the
 * procMount as written). The RBAC node-reaching reading (checks/rbac/lib/named-pods.ts) uses it.
 */
export function procMountResetFor(snapshot: Snapshot): ProcMountReset | undefined {
  return dropsProcMount(procMountGate(snapshot, clusterMinor(snapshot.cluster?.version))) ? new ProcMountReset(templatesStandIn(snapshot)) : undefined;
}

/** The key of the copy of a spec whose pod has no seccomp annotation (CreatedPods): whatever its annotations, it is the same copy. */
const NO_SECCOMP_ANNOTATIONS: object = Object.freeze({});

/** The cluster minors whose API server copies seccomp annotations into unset fields on create (./checks.ts withSeccompFromAnnotations). */
const SECCOMP_COPY_MINORS = { first: 19, last: 26 } as const;

/**
 * What else the API server writes into a pod it creates, before validating admission judges it,
 * besides the procMount reset (ProcMountReset): on a 1.19-1.26 cluster, a seccomp annotation copied
 * into the unset seccompProfile field (withSeccompFromAnnotations: the pod strategy's
 * PrepareForCreate, which the generic store runs before createValidation); on a 1.35+ cluster with
 * UserNamespacesSupport not on (dropsHostUsers), hostUsers dropped. Applied as ProcMountReset
 * applies: to every pod from manifests, to templates only in a live cluster (a stored Pod was
 * created so: it shows the copied field, or kept hostUsers because the gate was on). One copy per
 * spec and (for the seccomp copy) annotations object, shared by the replicas that share them; the
 * copies are remembered, so a verdict can say why it was judged so. A spec ProcMountReset made
 * stays marked as reset in its copy.
 */
export class CreatedPods {
  private readonly bySpec = new Map<object, Map<object, Record<string, any>>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly seccompCopied = new WeakSet<object>();
  readonly hostUsersDropped = new WeakSet<object>();
  private readonly allCreated: boolean;
  private readonly copySeccomp: boolean;
  private readonly dropHostUsers: boolean;
  private readonly procMountReset: ProcMountReset | undefined;
  constructor(allCreated: boolean, copySeccomp: boolean, dropHostUsers: boolean, procMountReset: ProcMountReset | undefined) {
    this.allCreated = allCreated;
    this.copySeccomp = copySeccomp;
    this.dropHostUsers = dropHostUsers;
    this.procMountReset = procMountReset;
  }

  of(p: PodView): PodView {
    if (!this.allCreated && p.origin !== 'template') return p;
    const seccomp = this.copySeccomp && hasSeccompAnnotation(p.annotations);
    const key: object = seccomp ? p.annotations : NO_SECCOMP_ANNOTATIONS;
    let byAnnotations = this.bySpec.get(p.spec);
    if (byAnnotations === undefined) this.bySpec.set(p.spec, (byAnnotations = new Map()));
    let spec = byAnnotations.get(key);
    if (spec === undefined) {
      spec = p.spec;
      const copied = seccomp ? withSeccompFromAnnotations(p.annotations, spec) : undefined;
      if (copied !== undefined) spec = copied;
      const dropped = this.dropHostUsers && spec.hostUsers === false;
      if (dropped) {
        const { hostUsers: _dropped, ...rest } = spec;
        spec = rest;
      }
      if (copied !== undefined) this.seccompCopied.add(spec);
      if (dropped) this.hostUsersDropped.add(spec);
      if (spec !== p.spec && this.procMountReset?.reset.has(p.spec)) this.procMountReset.reset.add(spec);
      byAnnotations.set(key, spec);
    }
    return spec === p.spec ? p : { ...p, spec };
  }

  list(pods: PodView[]): PodView[] {
    return mapPods(pods, (p) => this.of(p));
  }
}

/** The spec with each container's procMount (set, not Default) made Default; undefined when none is. */
function withDefaultProcMount(spec: Record<string, any>): Record<string, any> | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any
  let out: Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const key of CONTAINER_LISTS) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    let copy: unknown[] | undefined;
    list.forEach((c: unknown, i: number) => {
      const sc = c !== null && typeof c === 'object' ? (c as { securityContext?: unknown }).securityContext : undefined;
      if (sc === null || typeof sc !== 'object' || Array.isArray(sc)) return;
      const pm = (sc as { procMount?: unknown }).procMount;
      if (pm === undefined || pm === null || pm === 'Default') return;
      (copy ??= [...list])[i] = { ...(c as object), securityContext: { ...sc, procMount: 'Default' } };
    });
    if (copy) (out ??= { ...spec })[key] = copy;
  }
  return out;
}

/** The classes of one model and their verdicts per policy. */
class PodClasses {
  /** By class key; pods whose key cannot be written get a class of their own. */
  private readonly byKey = new Map<string, PodClass>();
  /**
   * Per spec object, for pods without annotations a check reads (nearly all): its class, so
   * the replicas sharing one spec, and the workloads of a chart, write its key once.
   */
  private readonly classOfSpec = new Map<object, PodClass>();
  /** `${level}:${minor}` -> verdict per class. */
  private readonly verdicts = new Map<string, Map<PodClass, ClassVerdict>>();
  private readonly intern: FailureIntern = new Map();
  private readonly keys: PodClassKeys;

  /** The kube-apiserver's UserNamespacesPodSecurityStandards gate, when the cluster's version has it. */
  readonly gate: UserNamespaceGate | undefined;

  /** The specs whose procMount the API server resets to Default (ProcMountReset), when ProcMountType is off. */
  readonly procMountReset: ProcMountReset | undefined;
  /** When whether ProcMountType is off cannot be confirmed: how it was read. */
  readonly procMountDoubt: 'mixed' | 'unknown' | 'unseen' | undefined;
  /** Why a gate reads unknown (a kube-apiserver Pod's --emulated-version). */
  readonly gateUnknownReason: string | undefined;
  /** Every judged pod is one the API server would create (manifests), not one it stored. */
  readonly allCreated: boolean;

  /** What else the API server changes in the pods it creates (CreatedPods), when it changes something. */
  readonly created: CreatedPods | undefined;
  /** On a 1.35+ cluster, UserNamespacesSupport as read, when hostUsers is judged dropped (dropsHostUsers). */
  readonly hostUsersDrop: HostUsersGate['state'] | undefined;

  constructor(gate: UserNamespaceGate | undefined, keys: PodClassKeys, procMount: ProcMountGate | undefined, allCreated: boolean, clusterMinor?: number, hostUsers?: HostUsersGate) {
    this.gate = gate;
    this.keys = keys;
    this.allCreated = allCreated;
    this.procMountReset = dropsProcMount(procMount) ? new ProcMountReset(allCreated) : undefined;
    this.procMountDoubt = procMountDoubt(procMount);
    this.gateUnknownReason = gate?.unknownReason ?? procMount?.unknownReason ?? hostUsers?.unknownReason;
    const copySeccomp = clusterMinor !== undefined && clusterMinor >= SECCOMP_COPY_MINORS.first && clusterMinor <= SECCOMP_COPY_MINORS.last;
    this.hostUsersDrop = dropsHostUsers(hostUsers) ? hostUsers!.state : undefined;
    this.created = copySeccomp || this.hostUsersDrop !== undefined ? new CreatedPods(allCreated, copySeccomp, this.hostUsersDrop !== undefined, this.procMountReset) : undefined;
  }

  classOf(pod: PodView): PodClass {
    const annotationsKey = this.keys.annotations(pod.annotations);
    if (annotationsKey !== '') return this.lookup(pod, annotationsKey);
    let c = this.classOfSpec.get(pod.spec);
    if (!c) {
      c = this.lookup(pod, annotationsKey);
      this.classOfSpec.set(pod.spec, c);
    }
    return c;
  }

  private lookup(pod: PodView, annotationsKey: string | undefined): PodClass {
    const specKey = this.keys.spec(pod.spec);
    if (specKey === undefined || annotationsKey === undefined) return { input: inputOf(pod) };
    const key = annotationsKey === '' ? specKey : `${specKey}|${annotationsKey}`;
    let c = this.byKey.get(key);
    if (!c) {
      c = { input: inputOf(pod) };
      this.byKey.set(key, c);
    }
    return c;
  }

  /** The verdicts at a level and effective minor, by class. */
  at(level: PssLevel, minor: number): Map<PodClass, ClassVerdict> {
    const policy = `${level}:${minor}`;
    let m = this.verdicts.get(policy);
    if (!m) {
      m = new Map();
      this.verdicts.set(policy, m);
    }
    return m;
  }

  verdict(c: PodClass, level: PssLevel, minor: number, at: Map<PodClass, ClassVerdict>): ClassVerdict {
    let v = at.get(c);
    if (!v) {
      const r = evaluatePod(c.input, level, `v1.${minor}`, relaxesUserNamespacePods(this.gate) ? { relaxUserNamespacePods: this.gate!.checks } : {});
      v = {
        allowed: r.allowed,
        failures: r.allowed ? NO_FAILURES : r.failures.map((f) => internFailure(this.intern, f)),
        failsBaseline: level === 'baseline' ? !r.allowed : undefined,
      };
      at.set(c, v);
    }
    return v;
  }

  failsBaseline(c: PodClass, v: ClassVerdict, minor: number): boolean {
    v.failsBaseline ??= !this.verdict(c, 'baseline', minor, this.at('baseline', minor)).allowed;
    return v.failsBaseline;
  }
}

/** For each pod, its class; replicas in a row share their spec and annotations objects, so share the lookup. */
function classesOf(pods: readonly PodView[], classes: PodClasses): PodClass[] {
  const out: PodClass[] = new Array(pods.length);
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i];
    const prev = i > 0 ? pods[i - 1] : undefined;
    out[i] = prev && prev.spec === p.spec && prev.annotations === p.annotations ? out[i - 1] : classes.classOf(p);
  }
  return out;
}

/**
 * `pods` may end with the workload's current template (`withTemplate`), judged like a pod but
 * counted apart (PodSetEvaluation.currentTemplateFails).
 */
function evaluateSet(pods: PodView[], podClasses: readonly PodClass[], level: PssLevel, version: string, cap: number, classes: PodClasses, isExempt: (p: PodView) => boolean, withTemplate = false): PodSetEvaluation {
  const minor = effectiveMinor(parsePolicyVersion(version) ?? 'latest', cap);
  const templateAt = withTemplate ? pods.length - 1 : -1;
  const result: PodSetEvaluation = {
    level, version, effectiveVersion: `v1.${minor}`, allowed: true, evaluatedPods: pods.length - (withTemplate ? 1 : 0), failingPods: 0, failingPodNames: [], failingExemptPods: 0, failures: NO_FAILURES, failsBaseline: false,
    ...(withTemplate ? { currentTemplateFails: false } : {}),
  };
  if (level === 'privileged') return result;
  const at = classes.at(level, minor);
  // The failing classes' verdicts: mostly one; the others, when there are, in a set (in the
  // order their first pod came) rather than a list scanned per pod.
  let failing: ClassVerdict | undefined;
  let more: Set<ClassVerdict> | undefined;
  for (let i = 0; i < pods.length; i++) {
    const c = podClasses[i];
    const v = classes.verdict(c, level, minor, at);
    if (classes.procMountReset !== undefined && result.procMountDropped === undefined && classes.procMountReset.reset.has(pods[i].spec)) result.procMountDropped = true;
    const created = classes.created;
    if (created !== undefined) {
      if (result.seccompCopied === undefined && created.seccompCopied.has(pods[i].spec)) result.seccompCopied = true;
      if (result.hostUsersDropped === undefined && created.hostUsersDropped.has(pods[i].spec)) {
        result.hostUsersDropped = classes.hostUsersDrop as NonNullable<PodSetEvaluation['hostUsersDropped']>;
        if (result.hostUsersDropped === 'unknown') result.gateUnknownReason = classes.gateUnknownReason;
      }
    }
    if (v.allowed) continue;
    if (i === templateAt) result.currentTemplateFails = true;
    else result.failingPods++;
    if (i !== templateAt && isExempt(pods[i])) result.failingExemptPods++;
    if (!result.failsBaseline) result.failsBaseline = classes.failsBaseline(c, v, minor);
    // The template is not a failing pod: currentTemplateFails reports it.
    if (i !== templateAt && result.failingPodNames.length < 5) result.failingPodNames.push(pods[i].name);
    if (failing === undefined) failing = v;
    else if (v !== failing) (more ??= new Set([failing])).add(v);
    const gate = classes.gate;
    if (gate !== undefined && !relaxesUserNamespacePods(gate) && result.userNamespaceGate === undefined && result.userNamespacesSupport === undefined && (c.input.spec as Record<string, unknown> | undefined)?.hostUsers === false && v.failures.some((f) => gate.checks.has(f.id))) {
      if (gate.state !== 'on') result.userNamespaceGate = gate.state;
      else if (gate.support !== 'on' && gate.support !== 'unseen') result.userNamespacesSupport = gate.support;
      if (result.userNamespaceGate === 'unknown' || result.userNamespacesSupport === 'unknown') result.gateUnknownReason = classes.gateUnknownReason;
    }
    // A pod the API server would create (PodClasses.allCreated, or a template) that fails procMount: a reset to Default that cannot be confirmed.
    if (classes.procMountDoubt !== undefined && result.procMountType === undefined && (classes.allCreated || pods[i].origin === 'template') && v.failures.some((f) => PROC_MOUNT_CHECKS.has(f.id))) {
      result.procMountType = classes.procMountDoubt;
      if (result.procMountType === 'unknown') result.gateUnknownReason = classes.gateUnknownReason;
    }
  }
  result.allowed = result.failingPods === 0 && result.currentTemplateFails !== true;
  if (more === undefined) {
    if (failing) result.failures = failing.failures;
  } else {
    // A rolling update: the union, one per check id (the first pod's words), in upstream's
    // order (baseline ids, then restricted) whatever pod reported a check first.
    const byId = new Map<string, PssFailure>();
    for (const v of more) for (const f of v.failures) if (!byId.has(f.id)) byId.set(f.id, f);
    const rank = new Map(checkIdsAt(level, minor).map((id, i) => [id, i]));
    result.failures = [...byId.values()].sort((a, b) => (rank.get(a.id) ?? 99) - (rank.get(b.id) ?? 99));
  }
  return result;
}

/** Whether a pod spec lists ephemeral containers (a lone value counts, as the checks read it). */
const hasEphemeral = (spec: Record<string, unknown>): boolean => {
  const e = spec.ephemeralContainers;
  return e !== undefined && e !== null && !(Array.isArray(e) && e.length === 0);
};

function ephemeralNames(spec: Record<string, unknown>): string[] {
  const e = spec.ephemeralContainers;
  return (Array.isArray(e) ? e : [e]).map((c) => (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string' ? (c as { name: string }).name : '(unnamed)'));
}

/**
 * A debug pod's ephemeral containers at one policy: the failures of the pod with only them for
 * containers (`full`: its pod-level fields still apply) that the pod-level fields alone
 * (`podLevel`: no containers) do not have, by upstream's reason; undefined when they add none.
 * Upstream's reasons name every container that fails a check, so the pod whole would present
 * its app containers' failures as the debug container's.
 */
function ephemeralAt(full: PodClass, podLevel: PodClass, level: PssLevel, version: string, cap: number, classes: PodClasses, workloadPasses: boolean): EphemeralEvaluation | undefined {
  if (level === 'privileged') return undefined;
  const minor = effectiveMinor(parsePolicyVersion(version) ?? 'latest', cap);
  const at = classes.at(level, minor);
  const v = classes.verdict(full, level, minor, at);
  if (v.allowed) return undefined;
  const without = new Set(classes.verdict(podLevel, level, minor, at).failures.map((f) => f.reason));
  const failures = v.failures.filter((f) => !without.has(f.reason));
  return failures.length === 0 ? undefined : { level, version, effectiveVersion: `v1.${minor}`, failures, workloadPasses };
}

/**
 * Whether one of `pods` (terminated pods of a workload's current revision) is admitted at a
 * policy: it passes it, its ephemeral containers aside (no template makes them), or admission
 * skips it. One class lookup per pod.
 */
function someAdmitted(pods: readonly PodView[] | undefined, level: PssLevel, version: string, cap: number, classes: PodClasses, isExempt: (p: PodView) => boolean): boolean {
  if (pods === undefined) return false;
  const minor = effectiveMinor(parsePolicyVersion(version) ?? 'latest', cap);
  const at = classes.at(level, minor);
  for (const p of pods) {
    if (level === 'privileged' || isExempt(p)) return true;
    const { ephemeralContainers: _debug, ...bare } = p.spec;
    if (classes.verdict(classes.classOf(hasEphemeral(p.spec) ? { ...p, spec: bare } : p), level, minor, at).allowed) return true;
  }
  return false;
}

/**
 * The snapshot's Namespaces as Pod Security admission reads them (labels over the configured
 * admission defaults, exemptions), in a map of the caller's own, and how to make the entry of a
 * namespace the snapshot does not hold (not `known`). Read by the model and by RBAC checks that
 * ask what a namespace admits.
 */
export function readNamespacePolicies(snapshot: Snapshot, config: Config): { namespaces: Map<string, NamespacePss>; unknown(name: string): NamespacePss } {
  const system = new Set(config.systemNamespaces ?? []);
  const exemptNamespaces = new Set(config.podSecurity?.exemptions?.namespaces ?? []);
  const defaults = config.podSecurity?.defaults as PssDefaults | undefined;
  const namespaces = new Map<string, NamespacePss>();
  const manifests = templatesStandIn(snapshot);
  const make = (name: string, labels: unknown, known: boolean): NamespacePss => {
    const psaLabels = psaLabelsOf(labels);
    const levels = parseNamespaceLevels(psaLabels, defaults);
    const refused = known && manifests && levels.problems.some((p) => p.rule !== undefined);
    return {
      name,
      system: system.has(name),
      exempt: exemptNamespaces.has(name),
      known: known && !refused,
      ...(refused ? { refused: true as const } : {}),
      levels,
      psaLabels,
      hasEnforceLabel: Object.hasOwn(psaLabels, `${LABEL_PREFIX}enforce`),
    };
  };
  // From manifests, a namespace that objects name but no file declares is added to the
  // snapshot with the API server's metadata.name label only (src/collect/from-objects.ts), so
  // that selectors find it; the files the objects came from (sources) tell it from a declared one.
  const sources = manifests ? snapshot.sources : undefined;
  for (const ns of snapshot.resources.namespaces ?? []) {
    const name = ns.metadata?.name;
    // A second copy replaces the first, as the manifests reader keeps the last one read.
    if (typeof name !== 'string' || !name) continue;
    namespaces.set(name, make(name, ns.metadata?.labels, sources === undefined || Object.hasOwn(sources, `Namespace//${name}`)));
  }
  return { namespaces, unknown: (name) => make(name, {}, false) };
}

function buildModel(snapshot: Snapshot, config: Config): PssModel {
  const exemptions = config.podSecurity?.exemptions;
  const exemptNamespaces = new Set(exemptions?.namespaces ?? []);
  const exemptRuntimeClasses = new Set(exemptions?.runtimeClasses ?? []);
  const byExemptRuntimeClass = (p: PodView): boolean => typeof p.spec.runtimeClassName === 'string' && exemptRuntimeClasses.has(p.spec.runtimeClassName);
  const defaults = config.podSecurity?.defaults as PssDefaults | undefined;
  const cMinor = clusterMinor(snapshot.cluster?.version);
  const cap = cMinor === undefined ? LATEST_MINOR : Math.min(cMinor, LATEST_MINOR);
  const admissionAbsent = admissionAbsentReason(cMinor);
  const targetLevel: PssLevel = isPssLevel(config.target?.podSecurityLevel) ? config.target.podSecurityLevel : 'restricted';
  const targetVersion = parsePolicyVersion(config.target?.podSecurityVersion) !== undefined ? config.target.podSecurityVersion : 'latest';

  const { namespaces, unknown } = readNamespacePolicies(snapshot, config);
  const namespace = (name: string): NamespacePss => {
    let ns = namespaces.get(name);
    if (!ns) {
      ns = unknown(name);
      namespaces.set(name, ns);
    }
    return ns;
  };

  const workloads: WorkloadPss[] = [];
  const userNsGate = userNamespaceGate(snapshot, cMinor);
  const procGate = procMountGate(snapshot, cMinor);
  const hostUsers = hostUsersGate(snapshot, cMinor);
  const classes = new PodClasses(userNsGate, podClassKeys(snapshot), procGate, templatesStandIn(snapshot), cMinor, hostUsers);
  const reset = classes.procMountReset;
  const created = classes.created;
  /**
   * Per pod spec with ephemeral containers (replicas share spec objects): the spec without them,
   * with them as its only containers, and with no containers at all.
   */
  const withoutEphemeral = new Map<object, { bare: Record<string, any>; only: Record<string, any>; none: Record<string, any> }>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  const targetMinor = effectiveMinor(parsePolicyVersion(targetVersion) ?? 'latest', cap);
  for (const w of workloadsOf(snapshot)) {
    let judged = judgedPodsOf(w);
    if (judged.length === 0) continue;
    if (reset !== undefined) judged = reset.list(judged);
    if (created !== undefined) judged = created.list(judged);
    // A live workload that runs no pods (scaled to zero, a CronJob between runs) is judged by
    // its template at the target level: its next pods come from it. At the enforced level only
    // when its controller wants pods now and none runs (a Deployment whose ReplicaSet reports
    // FailedCreate): admission judges each pod the controller makes from the template, so one
    // the template breaks is refused, every one of them ("a violating Deployment is admitted and
    // its pods rejected": https://kubernetes.io/docs/concepts/security/pod-security-admission/,
    // "Workload resources and Pod templates"). Scaled to zero, nothing is refused yet.
    const templateOnly = w.pods.length === 0;
    const nsName = w.ref.namespace ?? judged[0].namespace;
    const ns = namespace(nsName);
    const isExempt = ns.exempt ? () => true : exemptRuntimeClasses.size === 0 ? () => false : byExemptRuntimeClass;
    const entry: WorkloadPss = { workload: w, namespace: nsName, exemptPods: 0, ...(templateOnly ? { templateOnly } : {}) };
    if (ns.exempt) {
      entry.exemptPods = judged.length;
      entry.exemptBy = { namespace: nsName };
    } else if (exemptRuntimeClasses.size > 0) {
      const names = new Set<string>();
      for (const p of judged) {
        if (!byExemptRuntimeClass(p)) continue;
        entry.exemptPods++;
        names.add(p.spec.runtimeClassName as string);
      }
      if (names.size > 0) entry.exemptBy = { runtimeClasses: [...names].sort() };
    }
    // A controller's pods are judged without their ephemeral (debug) containers, which no
    // template makes: `kubectl debug` attaches one to one pod, through the pods/ephemeralcontainers
    // subresource that admission judges on its own (https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/).
    // Such a pod is reported apart (debugPods). A bare pod is its own workload: judged whole.
    let debugged: Array<{ pod: PodView; only: PodView; none: PodView }> | undefined;
    if (w.ref.kind !== 'Pod' && !templateOnly && judged[0].origin === 'pod') {
      for (let i = 0; i < judged.length; i++) {
        const p = judged[i];
        if (!hasEphemeral(p.spec)) continue;
        let specs = withoutEphemeral.get(p.spec);
        if (specs === undefined) {
          const { ephemeralContainers, containers: _app, initContainers: _init, ...podLevel } = p.spec;
          const { ephemeralContainers: _debug, ...bare } = p.spec;
          withoutEphemeral.set(p.spec, (specs = { bare, only: { ...podLevel, containers: [], ephemeralContainers }, none: { ...podLevel, containers: [] } }));
        }
        if (debugged === undefined) {
          debugged = [];
          judged = [...judged];
        }
        judged[i] = { ...p, spec: specs.bare };
        debugged.push({ pod: p, only: { ...p, spec: specs.only }, none: { ...p, spec: specs.none } });
      }
    }
    const enforce = ns.levels.enforce;
    let podClasses = classesOf(judged, classes);
    // Running pods can come from an earlier template (a rollout under way or stuck, pods of an
    // OnDelete StatefulSet or DaemonSet): admission judges the pods the current template makes
    // next, so a template unlike every pod is judged too (one class lookup: no pairwise
    // compare). An exempt one is left out: admission would skip its pods. Only when no running
    // pod is of the current revision: a pod that is proves admission accepts what the template
    // makes, once mutating admission (which runs before PodSecurity validates) has changed it
    // (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/). When
    // the snapshot cannot tie pods to a revision, no blocked rollout is claimed: so for the pods
    // a custom resource controls directly (an OpenKruise CloneSet's, workloadsOf), whose template
    // is not read, each distinct pod spec is judged as it runs and reported under the owner, and
    // no refusal of pods it wants is claimed either.
    const currentTemplate = w.pods.length > 0 && w.pods[0].origin === 'pod' && !w.finished && w.currentRevisionRunning === false ? templatePodOf(w) : undefined;
    const resetTemplate = currentTemplate !== undefined && reset !== undefined ? reset.of(currentTemplate) : currentTemplate;
    const current = resetTemplate !== undefined && created !== undefined ? created.of(resetTemplate) : resetTemplate;
    const currentClass = current !== undefined && !isExempt(current) ? classes.classOf(current) : undefined;
    const withTemplate = current !== undefined && currentClass !== undefined && !podClasses.includes(currentClass);
    if (withTemplate) {
      judged = [...judged, current];
      podClasses = [...podClasses, currentClass];
    }
    const atEnforce = evaluateSet(judged, podClasses, enforce.level, enforce.version, cap, classes, isExempt, withTemplate);
    // An exempt template's pods are admitted all the same: nothing is refused. Nor are they
    // when a terminated pod of the current revision passes the enforced level: admission judges
    // the pod after mutating admission changed it, so the template's next pods come out alike.
    // One that fails it was admitted before the namespace's label was set, and proves nothing
    // (enforce judges pods at creation: https://kubernetes.io/docs/concepts/security/pod-security-admission/).
    const refused = templateOnly && w.wantsPods !== undefined && !isExempt(judged[0]) && !someAdmitted(w.terminatedPods, enforce.level, enforce.version, cap, classes, isExempt);
    if (refused && admissionAbsent === undefined) entry.refusedPods = w.wantsPods;
    if ((!templateOnly || refused) && ns.known && admissionAbsent === undefined) entry.enforce = atEnforce;
    const sameAsEnforce = enforce.level === targetLevel && atEnforce.effectiveVersion === `v1.${targetMinor}`;
    const atTarget = sameAsEnforce ? { ...atEnforce, version: targetVersion } : evaluateSet(judged, podClasses, targetLevel, targetVersion, cap, classes, isExempt, withTemplate);
    if (ns.system) entry.excludedTarget = atTarget;
    else entry.target = atTarget;
    for (const d of debugged ?? []) {
      const full = classes.classOf(d.only);
      const podLevel = classes.classOf(d.none);
      const atE = entry.enforce ? ephemeralAt(full, podLevel, enforce.level, enforce.version, cap, classes, entry.enforce.allowed) : undefined;
      const atT = entry.target ? ephemeralAt(full, podLevel, targetLevel, targetVersion, cap, classes, entry.target.allowed) : undefined;
      if (!atE && !atT) continue;
      (entry.debugPods ??= []).push({ pod: d.pod, containers: ephemeralNames(d.pod.spec), exempt: isExempt(d.pod), ...(atE ? { enforce: atE } : {}), ...(atT ? { target: atT } : {}) });
    }
    workloads.push(entry);
  }

  return {
    defaultsKnown: defaults !== undefined,
    clusterMinor: cMinor,
    evaluationCap: cap,
    ...(admissionAbsent !== undefined ? { admissionAbsent } : {}),
    ...(userNsGate ? { userNamespaceGate: userNsGate } : {}),
    ...(procGate ? { procMountGate: procGate } : {}),
    ...(hostUsers ? { hostUsersGate: hostUsers } : {}),
    target: { level: targetLevel, version: targetVersion },
    namespaces,
    workloads,
    namespace,
  };
}

const modelFor = memoizeBySnapshotAndConfig(buildModel, 'pod-security');

/** The Pod Security model of a snapshot under a config, built once per (snapshot, config). */
export function podSecurityModel(snapshot: Snapshot, config: Config): PssModel {
  return modelFor(snapshot, config);
}
