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
import type { Snapshot } from '../../../src/snapshot/types.ts';

export function selectsNoPod(origin: Snapshot['origin'], model: ReachModel, p: LayerPolicy, label: string, opens: string, openRules: unknown[]): Verdict {
  const inScope = p.namespace !== undefined ? (model.classesByNamespace.get(p.namespace) ?? []) : model.classes;
  const evidence = { api: p.api, openRules, selectsPodClasses: 0 };
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
  return {
    status: 'fail',
    resource: p.ref,
    severity: 'low',
    message: `${label} ${opens}; ${p.namespace !== undefined ? `namespace ${p.namespace}` : 'the cluster'} runs no workloads yet, so it selects no pod now, but the pods it will select start open`,
    evidence: { ...evidence, noWorkloads: true },
  };
}
