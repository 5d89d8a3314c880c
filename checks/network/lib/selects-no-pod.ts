// A policy open to everyone that selects no pod opens nothing today, as far as a live cluster
// shows: where pods exist and none matches, the selector is network.policy-selects-nothing's
// finding, not a second exposure; where the namespace (cluster) runs no workloads yet, the pods
// created there will be open, the latent risk the default-deny checks report at low for an empty
// namespace (docs/network-model.md). Manifests never hold the pods operators create from custom
// resources (a Strimzi Kafka's brokers, a CloudNativePG cluster's instances), so there "selects no
// pod" is unknown, not "opens nothing": the open rule stays the check's finding at its own
// severity, as it was before selectors were weighed.
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { LayerPolicy } from '../../../src/analysis/netpol/layers.ts';
import type { ReachModel } from '../../../src/analysis/netpol/model.ts';
import { judgedPodsOf, podServiceAccount, refString, stableRefOf, workloadsOf, type PodView } from '../../../src/analysis/workloads.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

export function selectsNoPod(snapshot: Snapshot, model: ReachModel, p: LayerPolicy, label: string, opens: string, openRules: unknown[]): Verdict {
  const origin = snapshot.origin;
  const inScope = p.namespace !== undefined ? (model.classesByNamespace.get(p.namespace) ?? []) : model.classes;
  const evidence = { api: p.api, openRules, selectsPodClasses: 0 };
  // A live workload running no pod now (a CronJob between runs, a Deployment scaled to zero)
  // whose template the policy selects: its next pods start open, as the last ones were. The
  // finding keeps its own severity, so it does not flap low <-> high with the Job's pods.
  const idle = origin === 'live' && p.namespace !== undefined ? idleSelected(snapshot, model, p) : [];
  if (idle.length > 0) {
    return {
      status: 'fail',
      resource: p.ref,
      message: `${label} ${opens}; it selects no running pod now, but it selects the pod template of ${idle.length} workload(s) that run none at the moment (${idle.slice(0, 3).join(', ')}${idle.length > 3 ? ', …' : ''}): their next pods start open`,
      evidence: { ...evidence, idleWorkloads: idle.slice(0, 20) },
    };
  }
  if (inScope.length > 0 && origin === 'live') {
    return { status: 'pass', resource: p.ref, message: `${label} ${opens}, but selects no pod, so it opens nothing today (network.policy-selects-nothing judges its selector)`, evidence };
  }
  if (inScope.length > 0) {
    return {
      status: 'fail',
      resource: p.ref,
      message: `${label} ${opens}; it selects no pod the manifests hold, but pods that operators and controllers create (from custom resources, for instance) are not in manifests, so the pods it selects may exist and be open`,
      evidence: { ...evidence, fromManifests: true },
    };
  }
  const suspended = suspendedSelectedText(snapshot, model, p);
  return {
    status: 'fail',
    resource: p.ref,
    severity: 'low',
    message: `${label} ${opens}; ${p.namespace !== undefined ? `namespace ${p.namespace}` : 'the cluster'} runs no workloads${suspended ? '' : ' yet'}, so it selects no pod now${suspended}, but the pods it will select start open`,
    evidence: { ...evidence, noWorkloads: true },
  };
}

/**
 * ", only the pod template of CronJob ns/x, suspended (spec.suspend: true), which starts no Job
 * until resumed" when the policy selects suspended CronJobs of a live namespace, else '': such a
 * namespace runs no workloads, but not for want of any ("yet" would mislead).
 */
export function suspendedSelectedText(snapshot: Snapshot, model: ReachModel, p: LayerPolicy): string {
  if (snapshot.origin !== 'live' || p.namespace === undefined) return '';
  const suspended = idleSelected(snapshot, model, p, true);
  if (suspended.length === 0) return '';
  return `, only the pod template of ${suspended.slice(0, 3).join(', ')}${suspended.length > 3 ? ', …' : ''}, suspended (spec.suspend: true), which ${suspended.length === 1 ? 'starts' : 'start'} no Job until resumed`;
}

/** A live workload running no pod now, as the network checks judge it: by its template's pod. */
export interface IdleWorkload {
  /** Its stable name (stableRefOf), as findings list members. */
  member: string;
  /** The pod its template makes (judgedPodsOf). */
  pod: PodView;
  serviceAccount: string;
  /** A CronJob with spec.suspend: true, which makes no pod until resumed. */
  suspended: boolean;
}

/** Per snapshot, its workloads running no pod now, by namespace. */
const idleOf = new WeakMap<Snapshot, Map<string, IdleWorkload[]>>();

/**
 * The workloads of each namespace that run no pod now but have a template (a CronJob between
 * runs, a Deployment scaled to zero, a suspended CronJob flagged), once per snapshot: the
 * default-deny checks and idleSelected read the same list.
 */
export function idleWorkloadsByNamespace(snapshot: Snapshot): ReadonlyMap<string, IdleWorkload[]> {
  let idle = idleOf.get(snapshot);
  if (idle) return idle;
  idleOf.set(snapshot, (idle = new Map()));
  for (const w of workloadsOf(snapshot)) {
    const pod = w.pods.length === 0 && w.ref.namespace ? judgedPodsOf(w)[0] : undefined;
    if (!pod) continue;
    let list = idle.get(w.ref.namespace!);
    if (!list) idle.set(w.ref.namespace!, (list = []));
    list.push({ member: refString(stableRefOf(w.ref)), pod, serviceAccount: podServiceAccount(pod.spec), suspended: w.suspended === true });
  }
  return idle;
}
/** Per model, the probe of each namespace and template labels (model.probe walks the namespace's policies). */
const probesOf = new WeakMap<ReachModel, Map<string, ReturnType<ReachModel['probe']>>>();

/**
 * The workloads of the policy's namespace that run no pod now and whose template it selects
 * (stable names, sorted); with `suspended`, instead the suspended CronJobs it selects, which make
 * no pod until resumed and so are no idle workload. The idle workloads are listed once per
 * snapshot and each distinct template probed once per model: a namespace of many such policies
 * stays linear in them.
 */
export function idleSelected(snapshot: Snapshot, model: ReachModel, p: LayerPolicy, suspended = false): string[] {
  const idle = idleWorkloadsByNamespace(snapshot);
  let probes = probesOf.get(model);
  if (!probes) probesOf.set(model, (probes = new Map()));
  const out = new Set<string>();
  for (const { member, pod: { labels }, serviceAccount, suspended: s } of idle.get(p.namespace!) ?? []) {
    if (s !== suspended) continue;
    const key = JSON.stringify([p.namespace, serviceAccount, Object.entries(labels).sort()]);
    let probe = probes.get(key);
    if (!probe) probes.set(key, (probe = model.probe(p.namespace!, labels, serviceAccount)));
    if (probe.ingressPolicies.includes(p) || probe.egressPolicies.includes(p)) out.add(member);
  }
  return [...out].sort();
}
