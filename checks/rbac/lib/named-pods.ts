// What exec, attach or an ephemeral container reaches: the service accounts of the pods it may
// enter, and whether one of those pods can reach its node.
// A rule limited by resourceNames allows a subresource request only on the objects it names (a
// create on pods/exec carries the pod's name:
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// pod runs as one account, so such a grant acts as the accounts of the pods it names alone.
// A pod the baseline Pod Security level refuses for a control that guards the node (privileged,
// host namespaces, hostPath volumes, added capabilities ...: NODE_REACHING below; the level
// "prevents known privilege escalations",
// https://kubernetes.io/docs/concepts/security/pod-security-standards/) is a way out to its
// node: a shell in it is one on the node, with the node's credentials and beside every pod there.
// What is judged is what the access enters: exec runs in a running container, and init
// containers run to completion before the app containers start
// (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/), so only the native
// sidecars among them (restartPolicy: Always) are still there to enter; attach joins a running
// container's own process, a way in only where that process reads stdin (kubectl attach
// -i/-t: https://kubernetes.io/docs/reference/kubectl/generated/kubectl_attach/); an
// ephemeral container joins the pod itself and may mount any of its volumes, so the whole spec.
// A volume is in a container only where its volumeMounts name it
// (https://kubernetes.io/docs/concepts/storage/volumes/): exec and attach reach only the volumes
// the containers they enter mount, so a hostPath only a finished init container mounted is not.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize, memoizeBySnapshotAndConfig } from '../../../src/analysis/memo.ts';
import { clusterMinor, evaluatePod, LATEST_MINOR, podClassKeys, procMountResetFor, readNamespacePolicies } from '../../../src/analysis/pss/index.ts';
import { podServiceAccount, podTemplateOf, refString, workloadsOf, type PodView, type Workload } from '../../../src/analysis/workloads.ts';
import { POD_VIEW_KINDS, type KindKey } from '../../../src/snapshot/kinds.ts';
import { coverageOk, implicitNamespaces, resourcesOf, type KubeObject, type Snapshot } from '../../../src/snapshot/types.ts';
import type { Config } from '../../../src/config/types.ts';

/** How a grant enters a pod: pods/exec, pods/attach, or pods/ephemeralcontainers. */
export type PodAccess = 'exec' | 'attach' | 'ephemeral';

/**
 * The baseline controls (upstream check ids) whose breach gives a process in the pod a way to
 * its node (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Baseline"):
 * a privileged container has every device and capability of the host; host namespaces share
 * the node's processes, IPC or network (its local ports, the kubelet's among them); a hostPath
 * volume is the node's file system; added capabilities beyond the default set include
 * SYS_ADMIN, SYS_MODULE and SYS_PTRACE; a HostProcess container runs on the Windows host;
 * an Unmasked /proc exposes the host's kernel interfaces; a custom SELinux type or user
 * (spc_t) lifts the confinement that keeps a container off the host's files. A procMount the
 * API server resets to Default when it creates the pod (the ProcMountType gate off: the Pod
 * Security model's own reading, procMountResetFor) is Default, no way out; where that gate
 * cannot be read, the procMount as written still counts. The others
 * (hostPort, AppArmor, seccomp, sysctls, host probes) weaken the pod but open no way out of
 * it: exec into such a pod reaches its data and token, not its node.
 */
const NODE_REACHING: ReadonlySet<string> = new Set(['privileged', 'hostNamespaces', 'hostPathVolumes', 'capabilities_baseline', 'windowsHostProcess', 'procMount', 'seLinuxOptions']);

/** A pod exec may enter: the account it runs as, and what the Pod Security evaluator reads of it. */
interface ExecTarget {
  account: string;
  input: { metadata: { annotations?: unknown; labels?: unknown }; spec: Record<string, unknown> };
}

/** The pods a StatefulSet of the manifests makes: NAME-ORDINAL for start <= ORDINAL < start + replicas, from its template. */
interface StatefulSetPods {
  start: number;
  replicas: number;
  pod: ExecTarget;
}

interface PodIndex {
  /** "NS/NAME" of each pod of the snapshot -> what it runs as. */
  byPod: ReadonlyMap<string, ExecTarget>;
  /**
   * From manifests only: "NS/NAME" of each StatefulSet -> the pods it makes, which are not
   * objects there (a live snapshot lists the real pods, the only source there).
   */
  statefulSets: ReadonlyMap<string, StatefulSetPods>;
}

/** What holds for every pod exec may enter, read without looking at the pods. */
interface PodFacts {
  /**
   * A live cluster's pods were all read: a pod missing from them does not exist now. Otherwise
   * (manifests hold templates, not pods; an unreadable list) a missing pod may exist and run as
   * any account.
   */
  complete: boolean;
  /** The newest Pod Security policy version the cluster enforces (the evaluator's newest when unknown). */
  cap: number;
  /**
   * The kinds holding the pods exec may enter that could not be read, as "KIND: STATUS": a live
   * cluster's pods (its workloads only name their owners); from manifests, the workloads whose
   * templates stand in for pods too. Empty when every one was.
   */
  unreadable: string[];
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

const targetOf = (metadata: unknown, spec: unknown): ExecTarget => {
  const meta = asRecord(metadata);
  const s = asRecord(spec);
  return { account: podServiceAccount(s), input: { metadata: { annotations: meta.annotations, labels: meta.labels }, spec: s } };
};

/** A whole number of at least 0, or `dflt` when unset; undefined when malformed (the API server refuses it: nothing is claimed). */
const count = (v: unknown, dflt: number): number | undefined => (v === undefined || v === null ? dflt : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/**
 * A StatefulSet's pods are named NAME-ORDINAL, ordinals from .spec.ordinals.start (0 unset) for
 * .spec.replicas (1 unset) pods, and run its template
 * (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-identity).
 */
function statefulSetPods(o: KubeObject): StatefulSetPods | undefined {
  const spec = asRecord(o.spec);
  const replicas = count(spec.replicas, 1);
  const start = count(asRecord(spec.ordinals).start, 0);
  const tpl = podTemplateOf(o);
  if (replicas === undefined || start === undefined || !tpl) return undefined;
  return { start, replicas, pod: targetOf(tpl.metadata, tpl.spec) };
}

/** The pod specs as the API server keeps them: a procMount it resets to Default (ProcMountType off) is Default. */
const procMountReset = memoize((snapshot: Snapshot) => procMountResetFor(snapshot) ?? null, 'rbac');
const storedSpec = (snapshot: Snapshot, spec: Record<string, unknown>, origin: PodView['origin']): Record<string, unknown> => procMountReset(snapshot)?.specOf(spec, origin) ?? spec;

/** Only grants limited by resourceNames look pods up by name: the index is built on the first such question. */
const podIndex = memoize((snapshot: Snapshot): PodIndex => {
  const byPod = new Map<string, ExecTarget>();
  for (const o of resourcesOf(snapshot, 'pods')) {
    const { name, namespace } = o.metadata ?? {};
    if (typeof name !== 'string' || typeof namespace !== 'string') continue;
    byPod.set(`${namespace}/${name}`, targetOf(o.metadata, (o as { spec?: unknown }).spec));
  }
  const statefulSets = new Map<string, StatefulSetPods>();
  if (snapshot.origin === 'manifests') {
    for (const o of resourcesOf(snapshot, 'statefulsets')) {
      const { name, namespace } = o.metadata ?? {};
      if (typeof name !== 'string' || typeof namespace !== 'string') continue;
      const pods = statefulSetPods(o);
      if (pods) statefulSets.set(`${namespace}/${name}`, pods);
    }
  }
  return { byPod, statefulSets };
}, 'rbac');

const podFacts = memoize((snapshot: Snapshot): PodFacts => {
  const minor = clusterMinor(snapshot.cluster?.version);
  const kinds: readonly KindKey[] = snapshot.origin === 'live' ? ['pods'] : POD_VIEW_KINDS;
  const unreadable: string[] = [];
  for (const k of kinds) {
    const status = snapshot.coverage[k]?.status;
    if (status === 'forbidden' || status === 'error') unreadable.push(`${k}: ${status}`);
  }
  return { complete: snapshot.origin === 'live' && coverageOk(snapshot, 'pods'), cap: minor === undefined ? LATEST_MINOR : Math.min(minor, LATEST_MINOR), unreadable };
}, 'rbac');

/** The pod of `namespace` named `name`: one the snapshot holds, or one a StatefulSet of the manifests makes. O(1). */
function podNamed(index: PodIndex, namespace: string, name: string): ExecTarget | undefined {
  const pod = index.byPod.get(`${namespace}/${name}`);
  if (pod !== undefined || index.statefulSets.size === 0) return pod;
  // The ordinal is written in decimal without leading zeros (Go's %d).
  const m = /^(.+)-(0|[1-9][0-9]*)$/.exec(name);
  if (!m) return undefined;
  const sts = index.statefulSets.get(`${namespace}/${m[1]}`);
  const ordinal = Number(m[2]);
  return sts && ordinal >= sts.start && ordinal - sts.start < sts.replicas ? sts.pod : undefined;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A native sidecar: an init container that keeps running beside the app containers. */
const isSidecar = (c: unknown): boolean => asRecord(c).restartPolicy === 'Always';
/** A container whose process attach can talk to: its stdin is open (or it has a terminal). */
const readsStdin = (c: unknown): boolean => asRecord(c).stdin === true || asRecord(c).tty === true;

/**
 * Per pod spec object: the spec as exec and as attach enter it (see the head of this file); null
 * for attach when no container it may join reads stdin. Replicas share one spec object, so one view.
 */
const views = new WeakMap<object, { exec?: Record<string, unknown>; attach?: Record<string, unknown> | null }>();

/** `spec.volumes` limited to those `kept` containers mount (volumeMounts, volumeDevices). */
function volumesMountedBy(spec: Record<string, unknown>, kept: unknown[]): unknown[] {
  const names = new Set<unknown>();
  for (const c of kept) for (const m of [...asArray(asRecord(c).volumeMounts), ...asArray(asRecord(c).volumeDevices)]) names.add(asRecord(m).name);
  return asArray(spec.volumes).filter((v) => names.has(asRecord(v).name));
}

function viewOf(spec: Record<string, unknown>, access: PodAccess): Record<string, unknown> | null {
  if (access === 'ephemeral') return spec;
  let v = views.get(spec);
  if (!v) views.set(spec, (v = {}));
  if (access === 'exec') {
    if (v.exec === undefined) {
      const initContainers = asArray(spec.initContainers).filter(isSidecar);
      const volumes = volumesMountedBy(spec, [...asArray(spec.containers), ...initContainers, ...asArray(spec.ephemeralContainers)]);
      v.exec = { ...spec, initContainers, volumes };
    }
    return v.exec;
  }
  if (v.attach === undefined) {
    const containers = asArray(spec.containers).filter(readsStdin);
    const initContainers = asArray(spec.initContainers).filter((c) => isSidecar(c) && readsStdin(c));
    const ephemeralContainers = asArray(spec.ephemeralContainers).filter(readsStdin);
    v.attach = containers.length + initContainers.length + ephemeralContainers.length === 0 ? null : { ...spec, containers, initContainers, ephemeralContainers, volumes: volumesMountedBy(spec, [...containers, ...initContainers, ...ephemeralContainers]) };
  }
  return v.attach;
}

const NO_ANNOTATIONS = {};
const NO_BREAKS: string[] = [];

/** The node-reaching baseline checks a pod spec (or the view of it an access enters) fails with `annotations`, the only metadata a check reads. */
type BreaksOf = (spec: Record<string, unknown>, annotations: object) => string[];

/**
 * Per snapshot, by the policy version the cluster enforces first: the node-reaching baseline
 * checks a pod fails (only those are run), once per Pod Security class of its spec and
 * annotations (src/analysis/pss/pod-class.ts: the text of all a check reads, so pods of one
 * class fail alike). Replicas share their spec, and the workloads of a chart differ only in
 * fields no check reads (images, accounts, names): at 150,000 pods the 45,829 evaluations of one
 * spec (or view) at a time became 40. The class texts are the Pod Security model's own
 * (podClassKeys), so each spec's is written once for both. A spec or annotations whose class
 * cannot be written (not plain JSON) is evaluated on its own, once per pair of objects.
 */
const nodeBreaks = memoize((snapshot: Snapshot): BreaksOf => {
  const { cap } = podFacts(snapshot);
  const keys = podClassKeys(snapshot);
  const byClass = new Map<string, Map<string, string[]>>();
  const unclassed = new WeakMap<object, WeakMap<object, string[]>>();
  const evaluate: BreaksOf = (spec, annotations) => {
    const failures = evaluatePod({ metadata: { annotations }, spec }, 'baseline', 'latest', { maxVersion: cap, only: NODE_REACHING }).failures;
    return failures.length === 0 ? NO_BREAKS : failures.map((f) => f.forbiddenReason);
  };
  return (spec, annotations) => {
    const specKey = keys.spec(spec);
    const annotationsKey = specKey === undefined ? undefined : keys.annotations(annotations);
    if (specKey === undefined || annotationsKey === undefined) {
      let bySpec = unclassed.get(spec);
      if (!bySpec) unclassed.set(spec, (bySpec = new WeakMap()));
      let breaks = bySpec.get(annotations);
      if (breaks === undefined) bySpec.set(annotations, (breaks = evaluate(spec, annotations)));
      return breaks;
    }
    let byAnnotations = byClass.get(specKey);
    if (!byAnnotations) byClass.set(specKey, (byAnnotations = new Map()));
    let breaks = byAnnotations.get(annotationsKey);
    if (breaks === undefined) byAnnotations.set(annotationsKey, (breaks = evaluate(spec, annotations)));
    return breaks;
  };
}, 'rbac');

/**
 * The baseline checks a pod fails that reach its node (upstream's reasons, e.g. "privileged",
 * "hostPath volumes") in what `access` enters of it; none when the level admits that.
 * The whole spec is judged first: it is what an ephemeral container enters, and what exec and
 * attach enter is a part of it (fewer containers, fewer volumes, the same pod-level fields),
 * where each node-reaching check finds at most what it finds in the whole. So a pod whose whole
 * spec breaks none (most pods) is judged once for every access, its views never made.
 */
function baselineBreaks(breaksOf: BreaksOf, spec: Record<string, unknown>, annotations: unknown, access: PodAccess): string[] {
  const a = annotations && typeof annotations === 'object' ? annotations : NO_ANNOTATIONS;
  const whole = breaksOf(spec, a);
  if (access === 'ephemeral' || whole.length === 0) return whole;
  const view = viewOf(spec, access);
  return view === null ? NO_BREAKS : breaksOf(view, a);
}

/** A pod exec reaches that can reach its node: how to name it, and the baseline checks it fails. */
export interface NodeEscapingPod {
  /** "Pod NS/NAME", or, for a workload's pods (or the template standing in for them), "the pods of StatefulSet NS/NAME". */
  what: string;
  breaks: string[];
}

/**
 * The workloads of each namespace, as far as the snapshot tells, that run pods the baseline
 * level refuses (a bare pod is its own): evaluated once per namespace asked about (only those
 * some exec reaches), O(its pods), once per distinct spec.
 */
const nodeEscapingByNamespace = memoize((snapshot: Snapshot) => {
  const caches: Record<PodAccess, Map<string, NodeEscapingPod[]>> = { exec: new Map(), attach: new Map(), ephemeral: new Map() };
  let byNamespace: Map<string, Workload[]> | undefined;
  const breaksOf = nodeBreaks(snapshot);
  /**
   * Per namespace, whatever the access: its workloads whose pods' whole specs break a node-reaching
   * control (what an access enters of a pod is a part of it: see baselineBreaks), each with those
   * of its pods (one per distinct spec and annotations) that do. Most workloads break none and are
   * walked once, not once per access.
   */
  const suspects = new Map<string, Array<{ what: string; pods: PodView[] }>>();
  const suspectsIn = (namespace: string) => {
    let found = suspects.get(namespace);
    if (found) return found;
    if (!byNamespace) {
      byNamespace = new Map();
      for (const w of workloadsOf(snapshot)) {
        const ns = w.pods[0]?.namespace;
        if (ns === undefined) continue;
        const list = byNamespace.get(ns);
        if (list) list.push(w);
        else byNamespace.set(ns, [w]);
      }
    }
    found = [];
    for (const w of byNamespace.get(namespace) ?? []) {
      const pods: PodView[] = [];
      // A workload's replicas share their spec and annotations objects: one look-up for a run of them.
      let spec: object | undefined;
      let annotations: unknown;
      for (const given of w.pods) {
        if (given.spec === spec && given.annotations === annotations) continue;
        ({ spec, annotations } = given);
        const stored = storedSpec(snapshot, given.spec, given.origin);
        const p = stored === given.spec ? given : { ...given, spec: stored };
        if (baselineBreaks(breaksOf, p.spec, p.annotations, 'ephemeral').length > 0) pods.push(p);
      }
      if (pods.length === 0) continue;
      const p = w.pods[0];
      found.push({ what: w.ref.kind === 'Pod' && p.origin === 'pod' ? `Pod ${p.namespace}/${p.name}` : `the pods of ${refString(w.ref)}`, pods });
    }
    suspects.set(namespace, found);
    return found;
  };
  return (namespace: string, access: PodAccess): NodeEscapingPod[] => {
    const cache = caches[access];
    let found = cache.get(namespace);
    if (found) return found;
    found = [];
    for (const { what, pods } of suspectsIn(namespace)) {
      const breaks = new Set<string>();
      for (const p of pods) for (const b of baselineBreaks(breaksOf, p.spec, p.annotations, access)) breaks.add(b);
      if (breaks.size > 0) found.push({ what, breaks: [...breaks] });
    }
    cache.set(namespace, found);
    return found;
  };
}, 'rbac');

/** The pods of `namespace` that `access` into every pod there reaches and that can reach their node. */
export function nodeEscapingPodsIn(ctx: AuditContext, namespace: string, access: PodAccess): NodeEscapingPod[] {
  return nodeEscapingByNamespace(ctx.snapshot)(namespace, access);
}

/** The kinds holding the pods exec may enter that could not be read ("pods: forbidden"); empty when all were. */
export function unreadablePodKinds(ctx: AuditContext): readonly string[] {
  return podFacts(ctx.snapshot).unreadable;
}

export interface NamedPodsReach {
  /** The accounts the named pods that exist run as. */
  accounts: string[];
  /** Named pods a live cluster's complete listing does not hold: none now, but whoever can create pods there can make one by that name. */
  missing: string[];
  /** A named pod the snapshot cannot tell about (not a complete live listing): it may run as any account. */
  unknown: boolean;
  /** The named pods that exist and that, as `access` enters them, can reach their node. */
  escaping: NodeEscapingPod[];
}

/** What `access` (exec unless said) into the pods of `namespace` named `names` reaches. O(names). */
export function namedPodsReach(ctx: AuditContext, namespace: string, names: readonly string[], access: PodAccess = 'exec'): NamedPodsReach {
  const index = podIndex(ctx.snapshot);
  const facts = podFacts(ctx.snapshot);
  const breaksOf = nodeBreaks(ctx.snapshot);
  const accounts = new Set<string>();
  const missing: string[] = [];
  const escaping: NodeEscapingPod[] = [];
  let unknown = false;
  for (const n of new Set(names)) {
    const pod = podNamed(index, namespace, n);
    if (pod !== undefined) {
      accounts.add(pod.account);
      // A Pod object the snapshot holds is as stored; from manifests, the API server creates it (and a StatefulSet's pods from its template).
      const breaks = baselineBreaks(breaksOf, storedSpec(ctx.snapshot, pod.input.spec, 'pod'), pod.input.metadata.annotations, access);
      if (breaks.length > 0) escaping.push({ what: `Pod ${namespace}/${n}`, breaks });
    } else if (facts.complete) missing.push(n);
    else unknown = true;
  }
  return { accounts: [...accounts], missing, unknown, escaping };
}

/**
 * Per (snapshot, config): the Namespaces as Pod Security admission reads them (the pod-security
 * checks' reading), and those the manifests reader made up for objects naming a namespace no
 * file declares (IMPLICIT_NAMESPACE_ANNOTATION): their labels are not known either.
 */
const namespacePolicies = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config) => ({ namespaces: readNamespacePolicies(snapshot, config).namespaces, implicit: implicitNamespaces(snapshot) }), 'rbac');

/**
 * Whether Pod Security admission lets any ephemeral container into the pods of `namespace`:
 * admission judges an update of pods/ephemeralcontainers as it does a pod, at the namespace's
 * enforce level (https://kubernetes.io/docs/concepts/security/pod-security-admission/), so where
 * that is privileged (an enforce label saying so, or none and an admission default of privileged,
 * upstream's own) or the namespace is exempt, `kubectl debug --profile=sysadmin` adds a privileged
 * one (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_debug/). `admits`: why;
 * `unknown`: the Namespaces could not be read ("namespaces: forbidden"); undefined when it enforces
 * more, or the snapshot does not hold the namespace (manifests leaving it out say nothing of its labels).
 */
export function privilegedAdmission(ctx: AuditContext, namespace: string): { admits: string } | { unknown: string } | undefined {
  const { namespaces, implicit } = namespacePolicies(ctx.snapshot, ctx.config);
  const ns = namespaces.get(namespace);
  if (ns === undefined || !ns.known || implicit.has(namespace)) {
    const status = ctx.snapshot.coverage.namespaces?.status;
    return status === 'forbidden' || status === 'error' ? { unknown: `namespaces: ${status}` } : undefined;
  }
  if (ns.exempt) return { admits: `Namespace ${namespace} is exempt from Pod Security admission (podSecurity.exemptions.namespaces)` };
  const { enforce } = ns.levels;
  if (enforce.level !== 'privileged') return undefined;
  if (enforce.levelSource === 'label') return { admits: `Namespace ${namespace} enforces the privileged Pod Security level` };
  return {
    admits: ns.levels.defaultsKnown
      ? `Namespace ${namespace} has no Pod Security enforce label and the cluster's admission default (podSecurity.defaults) is privileged`
      : `Namespace ${namespace} has no Pod Security enforce label, so admission enforces privileged there (upstream's default, unless the cluster's AdmissionConfiguration sets another: podSecurity.defaults)`,
  };
}
