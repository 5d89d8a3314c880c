// The labels Calico evaluates selectors against for a Kubernetes pod: the pod's own labels plus
// the automatic ones (libcalico-go k8s conversion: projectcalico.org/namespace, /orchestrator,
// /serviceaccount), inheriting its namespace's labels as `pcns.<key>` (and
// `pcns.projectcalico.org/name`) and its service account's as `pcsa.<key>` (and
// `pcsa.projectcalico.org/name`) through the kns./ksa. profiles. An endpoint's own labels win
// over inherited ones, as in Felix.

import { LABEL_NAME, LABEL_NAMESPACE, LABEL_ORCHESTRATOR, LABEL_SERVICE_ACCOUNT, NAMESPACE_LABEL_PREFIX, SERVICE_ACCOUNT_LABEL_PREFIX } from './policy.ts';

export interface CalicoPodIdentity {
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
  namespaceLabels: Readonly<Record<string, string>>;
  /** spec.serviceAccountName (the API server defaults it to "default"). */
  serviceAccount: string;
  /** Labels of that ServiceAccount object, when known. */
  serviceAccountLabels?: Readonly<Record<string, string>>;
}

/** Calico writes the service-account label only for names shorter than this. */
const MAX_SERVICE_ACCOUNT_LABEL = 63;

export function calicoPodLabels(id: CalicoPodIdentity): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(id.namespaceLabels)) out.set(NAMESPACE_LABEL_PREFIX + k, v);
  out.set(NAMESPACE_LABEL_PREFIX + LABEL_NAME, id.namespace);
  if (id.serviceAccount) {
    for (const [k, v] of Object.entries(id.serviceAccountLabels ?? {})) out.set(SERVICE_ACCOUNT_LABEL_PREFIX + k, v);
    out.set(SERVICE_ACCOUNT_LABEL_PREFIX + LABEL_NAME, id.serviceAccount);
  }
  for (const [k, v] of Object.entries(id.podLabels)) out.set(k, v);
  out.set(LABEL_NAMESPACE, id.namespace);
  out.set(LABEL_ORCHESTRATOR, 'k8s');
  if (id.serviceAccount && id.serviceAccount.length < MAX_SERVICE_ACCOUNT_LABEL) out.set(LABEL_SERVICE_ACCOUNT, id.serviceAccount);
  return out;
}

// The service account a pod spec runs as: one rule for every reader (src/analysis/workloads.ts).
export { podServiceAccount } from '../../workloads.ts';

/**
 * The labels Calico evaluates selectors against for a network set. A GlobalNetworkSet has its
 * own labels only; a namespaced NetworkSet also gets projectcalico.org/namespace and inherits
 * its namespace's labels through the kns. profile (libcalico-go
 * syncersv1/updateprocessors/networksetprocessor.go), its own labels winning.
 */
export function calicoNetworkSetLabels(labels: Readonly<Record<string, string>>, namespace?: string, namespaceLabels: Readonly<Record<string, string>> = {}): Map<string, string> {
  const out = new Map<string, string>();
  if (namespace !== undefined) {
    for (const [k, v] of Object.entries(namespaceLabels)) out.set(NAMESPACE_LABEL_PREFIX + k, v);
    out.set(NAMESPACE_LABEL_PREFIX + LABEL_NAME, namespace);
  }
  for (const [k, v] of Object.entries(labels)) out.set(k, v);
  if (namespace !== undefined) out.set(LABEL_NAMESPACE, namespace);
  return out;
}
