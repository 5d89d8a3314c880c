// Cilium's view of an endpoint: a security identity is a set of source-qualified labels
// ("k8s:app=web", "reserved:host", "cidr:10.0.0.0/8"), and every policy selector is matched
// against that set. Built here as the agent builds it (pkg/k8s/utils SanitizePodLabels,
// pkg/labelsfilter defaults, pkg/identity reserved identities) so that selectors written
// with or without a source prefix, `any:`, namespace labels and service accounts behave
// as they do in Cilium.

export interface CiliumLabel {
  /** 'k8s', 'reserved', 'cidr', 'fqdn', … ('any' only in selectors). */
  source: string;
  key: string;
  value: string;
}

/** The labels of one security identity. */
export type IdentityLabels = readonly CiliumLabel[];

export const SOURCE_K8S = 'k8s';
export const SOURCE_RESERVED = 'reserved';
export const SOURCE_ANY = 'any';

/** Pod label carrying the namespace name (pkg/k8s/apis/cilium.io PodNamespaceLabel). */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace's own labels copied onto its pods. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels';
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

/**
 * Reserved identities (pkg/identity reservedIdentityLabels). kube-apiserver carries the
 * remote-node label too: the API server is reached on another node unless it runs on the
 * local host (then the host identity gains the kube-apiserver label instead).
 */
export const RESERVED_ENTITIES = ['host', 'remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged'] as const;
export type ReservedEntity = (typeof RESERVED_ENTITIES)[number];

const RESERVED_LABELS: Record<ReservedEntity, string[]> = {
  host: ['host'],
  'remote-node': ['remote-node'],
  'kube-apiserver': ['kube-apiserver', 'remote-node'],
  health: ['health'],
  init: ['init'],
  ingress: ['ingress'],
  unmanaged: ['unmanaged'],
};

export function reservedIdentity(entity: ReservedEntity): IdentityLabels {
  return RESERVED_LABELS[entity].map((key) => ({ source: SOURCE_RESERVED, key, value: '' }));
}

/**
 * The default identity-label filter (pkg/labelsfilter defaultLabelPrefixCfg): a label is
 * kept unless an ignore prefix matches it at the start, or an include prefix matches a
 * longer part of it. Patterns are regular expressions anchored at the start of the key.
 */
const INCLUDE: RegExp[] = [
  /^io\.kubernetes\.pod\.namespace/,
  /^io\.cilium\.k8s\.namespace\.labels/,
  /^app\.kubernetes\.io/,
  /^io\.cilium\.k8s\.policy\.cluster/,
  /^io\.cilium\.k8s\.policy\.serviceaccount/,
];
const IGNORE: RegExp[] = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^batch\.kubernetes\.io\/controller-uid/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^controller-uid/,
  /^annotation.*/,
  /^etcd_node/,
  /^topology\.kubernetes\.io/,
];

function longestMatch(patterns: RegExp[], key: string, longest: boolean): number {
  let best = 0;
  for (const p of patterns) {
    const m = p.exec(key);
    if (!m) continue;
    const len = m[0].length;
    if (best === 0 || (longest ? len > best : len < best)) best = len;
  }
  return best;
}

/** Whether Cilium keeps a k8s label in the security identity by default. */
export function isIdentityLabel(key: string): boolean {
  const included = longestMatch(INCLUDE, key, true);
  const ignored = longestMatch(IGNORE, key, false);
  return ignored === 0 || included > ignored;
}

/**
 * A pod's own labels as its security identity keeps them (the default filter applied), for
 * selectors Cilium matches against identities without a source prefix of their own: Kubernetes
 * NetworkPolicy podSelectors, which Cilium translates into rules over identities. Computed once
 * per label object (a pod class shares one), so matching stays per class, not per policy.
 */
const identityPodLabelsCache = new WeakMap<Record<string, string>, Record<string, string>>();
export function identityPodLabels(labels: Record<string, string>): Record<string, string> {
  let out = identityPodLabelsCache.get(labels);
  if (!out) {
    out = {};
    for (const [k, v] of Object.entries(labels)) if (!isCiliumOwnLabel(k) && isIdentityLabel(k)) out[k] = v;
    identityPodLabelsCache.set(labels, out);
  }
  return out;
}

/** Labels the agent removes from pod labels before adding its own (RemoveCiliumLabels). */
function isCiliumOwnLabel(key: string): boolean {
  return key.startsWith('io.cilium.k8s');
}

export interface PodIdentityInput {
  namespace: string;
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
  /** spec.serviceAccountName; the admission default is "default". */
  serviceAccount: string;
  clusterName: string;
}

/**
 * The security identity of a pod: its labels plus the namespace's labels, the namespace
 * name, the service account and the cluster name, all with source k8s, minus the labels
 * the default filter drops (pod-template-hash, kubernetes.io/…, …). A label the filter
 * drops can never be selected by a Cilium policy.
 */
export function podIdentity(input: PodIdentityInput): IdentityLabels {
  const merged = new Map<string, string>();
  for (const [k, v] of Object.entries(input.labels)) if (!isCiliumOwnLabel(k)) merged.set(k, v);
  for (const [k, v] of Object.entries(input.namespaceLabels)) merged.set(`${NAMESPACE_LABELS_PREFIX}.${k}`, v);
  merged.set(POD_NAMESPACE_LABEL, input.namespace);
  if (input.serviceAccount) merged.set(SERVICE_ACCOUNT_LABEL, input.serviceAccount);
  else merged.delete(SERVICE_ACCOUNT_LABEL);
  merged.set(CLUSTER_LABEL, input.clusterName);
  const out: CiliumLabel[] = [];
  for (const [key, value] of merged) if (isIdentityLabel(key)) out.push({ source: SOURCE_K8S, key, value });
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A selector key split into source and key; no source means any source (ParseSelectLabel). */
export function parseSelectKey(text: string): { source: string; key: string } {
  if (text.startsWith('$')) return { source: SOURCE_RESERVED, key: text.slice(1) };
  const i = text.indexOf(':');
  if (i < 0) return { source: SOURCE_ANY, key: text };
  const source = text.slice(0, i);
  return { source: source === '' || source === 'unspec' ? SOURCE_ANY : source, key: text.slice(i + 1) };
}

/** The value of the first label with this key (source-aware; `any` matches every source). */
export function lookupLabel(labels: IdentityLabels, source: string, key: string): string | undefined {
  for (const l of labels) {
    if (source !== SOURCE_ANY && l.source !== source) continue;
    if (l.key === key) return l.value;
  }
  return undefined;
}
