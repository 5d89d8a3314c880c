// What exec, attach or an ephemeral container reaches: the service accounts of the pods it may
// enter, and whether one of those pods can reach its node.
// A rule limited by resourceNames allows a subresource request only on the objects it names (a
// create on pods/exec carries the pod's name:
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// pod runs as one account, so such a grant acts as the accounts of the pods it names alone.
// A pod the baseline Pod Security level refuses (privileged, host namespaces, hostPath volumes,
// added capabilities ...: the level that "prevents known privilege escalations",
// https://kubernetes.io/docs/concepts/security/pod-security-standards/) is a way out to its
// node: a shell in it is one on the node, with the node's credentials and beside every pod there.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize } from '../../../src/analysis/memo.ts';
import { clusterMinor, evaluatePod, LATEST_MINOR } from '../../../src/analysis/pss/index.ts';
import { podServiceAccount, podTemplateOf, refString, workloadsOf, type Workload } from '../../../src/analysis/workloads.ts';
import { coverageOk, resourcesOf, type KubeObject, type Snapshot } from '../../../src/snapshot/types.ts';

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
  /**
   * A live cluster's pods were all read: a pod missing from them does not exist now. Otherwise
   * (manifests hold templates, not pods; an unreadable list) a missing pod may exist and run as
   * any account.
   */
  complete: boolean;
  /** The newest Pod Security policy version the cluster enforces (the evaluator's newest when unknown). */
  cap: number;
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
  const minor = clusterMinor(snapshot.cluster?.version);
  return { byPod, statefulSets, complete: snapshot.origin === 'live' && coverageOk(snapshot, 'pods'), cap: minor === undefined ? LATEST_MINOR : Math.min(minor, LATEST_MINOR) };
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

/**
 * Per pod spec object, then annotations object (the only metadata a check reads): the baseline
 * checks failed. Replicas share both objects (the snapshot reader interns equal values), so a
 * workload's pods are evaluated once. By the policy version the cluster enforces first.
 */
const breaksAt = new Map<number, WeakMap<object, WeakMap<object, string[]>>>();
const NO_ANNOTATIONS = {};

/** The baseline checks a pod fails (upstream's reasons, e.g. "privileged", "hostPath volumes"); none when the level admits it. */
function baselineBreaks(pod: ExecTarget['input'], cap: number): string[] {
  const a = pod.metadata.annotations;
  const annotations = a && typeof a === 'object' ? a : NO_ANNOTATIONS;
  let breaksOf = breaksAt.get(cap);
  if (!breaksOf) breaksAt.set(cap, (breaksOf = new WeakMap()));
  let bySpec = breaksOf.get(pod.spec);
  if (!bySpec) breaksOf.set(pod.spec, (bySpec = new WeakMap()));
  let breaks = bySpec.get(annotations);
  if (breaks === undefined) bySpec.set(annotations, (breaks = evaluatePod(pod, 'baseline', 'latest', { maxVersion: cap }).failures.map((f) => f.forbiddenReason)));
  return breaks;
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
  const cache = new Map<string, NodeEscapingPod[]>();
  let byNamespace: Map<string, Workload[]> | undefined;
  const { cap } = podIndex(snapshot);
  return (namespace: string): NodeEscapingPod[] => {
    let found = cache.get(namespace);
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
      const breaks = new Set<string>();
      for (const p of w.pods) for (const b of baselineBreaks({ metadata: { annotations: p.annotations }, spec: p.spec }, cap)) breaks.add(b);
      if (breaks.size === 0) continue;
      const p = w.pods[0];
      found.push({ what: w.ref.kind === 'Pod' && p.origin === 'pod' ? `Pod ${p.namespace}/${p.name}` : `the pods of ${refString(w.ref)}`, breaks: [...breaks] });
    }
    cache.set(namespace, found);
    return found;
  };
}, 'rbac');

/** The pods of `namespace` exec into every pod there reaches that can reach their node. */
export function nodeEscapingPodsIn(ctx: AuditContext, namespace: string): NodeEscapingPod[] {
  return nodeEscapingByNamespace(ctx.snapshot)(namespace);
}

export interface NamedPodsReach {
  /** The accounts the named pods that exist run as. */
  accounts: string[];
  /** Named pods a live cluster's complete listing does not hold: none now, but whoever can create pods there can make one by that name. */
  missing: string[];
  /** A named pod the snapshot cannot tell about (not a complete live listing): it may run as any account. */
  unknown: boolean;
  /** The named pods that exist and that the baseline level refuses: exec into one reaches its node. */
  escaping: NodeEscapingPod[];
}

/** What exec into the pods of `namespace` named `names` reaches. O(names). */
export function namedPodsReach(ctx: AuditContext, namespace: string, names: readonly string[]): NamedPodsReach {
  const index = podIndex(ctx.snapshot);
  const accounts = new Set<string>();
  const missing: string[] = [];
  const escaping: NodeEscapingPod[] = [];
  let unknown = false;
  for (const n of new Set(names)) {
    const pod = podNamed(index, namespace, n);
    if (pod !== undefined) {
      accounts.add(pod.account);
      const breaks = baselineBreaks(pod.input, index.cap);
      if (breaks.length > 0) escaping.push({ what: `Pod ${namespace}/${n}`, breaks });
    } else if (index.complete) missing.push(n);
    else unknown = true;
  }
  return { accounts: [...accounts], missing, unknown, escaping };
}
