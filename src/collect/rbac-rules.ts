// The auditor's own permissions, derived from KINDS: the one source of truth that the Helm
// chart's ClusterRole renders and the cluster tier proves sufficient. Widening what ztaudit
// reads means adding a kind to KINDS, never editing a role by hand.
//
// Decisions:
// - Verbs are `get`, `list` and `watch` on the listed kinds: runs take snapshots with paginated
//   lists, and `serve --watch` watches the same kinds (nothing else; still read-only).
// - ConfigMaps get `get` without `list`, and only by name: the names the known meshes, CNIs
//   and ingress controllers use (KNOWN_CONFIGMAP_NAMES) plus the operator's own (the chart's
//   rbac.extraConfigMapNames), so no other ConfigMap in the cluster can be read. A ConfigMap
//   the collector is refused shows as 'forbidden' coverage naming that value, never as
//   silently missing data.
// - Secrets are never granted, not even by name (asserted below and by the cluster tier).
// - Discovery (/api, /apis, /version) is granted explicitly, though system:discovery already
//   grants it to every authenticated user, so the role works where that binding was removed.

import { KINDS, type KindSpec } from '../snapshot/kinds.ts';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export const AUDITOR_LIST_VERBS = ['get', 'list', 'watch'] as const;
export const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/version'] as const;

/**
 * ConfigMap names the auditor may `get` (in any namespace) without being told: what the
 * collector always reads and the defaults of the controllers whose settings it reads.
 */
export const KNOWN_CONFIGMAP_NAMES: readonly string[] = [
  'istio', // Istio mesh config (meshConfig.enableAutoMtls), in the root namespace and where istiod runs
  'istio-sidecar-injector', // Istio's sidecar injector config (policy, never/alwaysInjectSelector, values), where istiod runs
  'linkerd-config', // Linkerd install config (proxy.defaultInboundPolicy)
  'consul-server-config', // Consul servers' config from the Helm chart (acl.default_policy: the default intention)
  'consul-server-tmp-extra-config', // Consul servers' Helm server.extraConfig, loaded last (may override the default intention)
  'cilium-config', // Cilium agent config (enable-policy)
  'antrea-config', // Antrea's antrea-agent.conf and antrea-controller.conf (featureGates: AntreaPolicy, AdminNetworkPolicy)
  'calico-config', // calico-node's backend and CNI config in the calico.yaml manifests (whether Calico IPAM addresses the pods)
  'cni-config', // the CNI config the tigera operator gives calico-node's install-cni (calico-system; its IPAM: calico-ipam or host-local)
  'kubernetes-services-endpoint', // calico-node's envFrom in the calico.yaml manifests (KUBERNETES_SERVICE_HOST/PORT; read for any IPAM setting it may hold)
  'contour', // Contour's config file (contour serve --config-path; tls.cipher-suites), as in its example manifests and Helm chart
  'ingress-nginx-controller', // ingress-nginx --configmap, Helm chart and static manifests
  'nginx-configuration', // ingress-nginx --configmap, the older static manifests
];

/** The chart value that adds ConfigMap names to the ClusterRole (named in 'forbidden' messages). */
export const EXTRA_CONFIGMAP_NAMES_VALUE = 'rbac.extraConfigMapNames';
/**
 * The chart value naming Istio revisions in use: it grants `get` on their mesh config
 * ConfigMaps `istio-<rev>` and injector configs `istio-sidecar-injector-<rev>` in the Istio root
 * namespace only (a Role there), which the collector reads for the namespaces and pods labelled
 * istio.io/rev and where each revision's istiod runs.
 */
export const ISTIO_REVISIONS_VALUE = 'rbac.istioRevisions';

export interface AuditorRuleOptions {
  /** ConfigMap names to allow besides KNOWN_CONFIGMAP_NAMES (any namespace). */
  extraConfigMapNames?: string[];
  /** Leave these kind keys out (for tests that prove a missing grant is reported). */
  omitKinds?: string[];
}

const CALICO_API_GROUP = 'projectcalico.org';
const CALICO_TIERED = new Set(['networkpolicies', 'globalnetworkpolicies']);

export function auditorClusterRoleRules(options: AuditorRuleOptions = {}): PolicyRule[] {
  const omit = new Set(options.omitKinds ?? []);
  const listedByGroup = new Map<string, string[]>();
  const byNameByGroup = new Map<string, string[]>();
  for (const k of KINDS as readonly KindSpec[]) {
    if (omit.has(k.key)) continue;
    const target = k.byNameOnly ? byNameByGroup : listedByGroup;
    const list = target.get(k.group) ?? [];
    if (!list.includes(k.resource)) list.push(k.resource);
    target.set(k.group, list);
  }
  // Calico's API server lets a caller list projectcalico.org/v3 policies only with list on the tier
  // pseudo-resources too (tier.networkpolicies, tier.globalnetworkpolicies: docs.tigera.io/calico/
  // latest/network-policy/policy-tiers/rbac-tiered-policies, "User can read all policies across all
  // tiers"); without them a standard install refuses the list and the network area goes blind.
  const calico = listedByGroup.get(CALICO_API_GROUP);
  if (calico) calico.push(...calico.filter((r) => CALICO_TIERED.has(r)).map((r) => `tier.${r}`));
  const rules: PolicyRule[] = [];
  for (const [group, resources] of listedByGroup) {
    rules.push({ apiGroups: [group], resources: [...resources].sort(), verbs: [...AUDITOR_LIST_VERBS] });
  }
  for (const [group, resources] of byNameByGroup) {
    const rule: PolicyRule = { apiGroups: [group], resources: [...resources].sort(), verbs: ['get'] };
    rule.resourceNames = [...new Set([...KNOWN_CONFIGMAP_NAMES, ...(options.extraConfigMapNames ?? [])])].sort();
    rules.push(rule);
  }
  rules.push({ nonResourceURLs: [...DISCOVERY_URLS], verbs: ['get'] });
  for (const r of rules) {
    if (r.resources?.some((res) => res === 'secrets' || res === '*')) throw new Error('auditor rules must never grant Secrets');
  }
  return rules;
}
