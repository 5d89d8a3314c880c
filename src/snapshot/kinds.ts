// The one list of resource kinds ztaudit reads. The live collector, the manifest loader,
// coverage keys, check `needs`, and the Helm chart's least-privilege ClusterRole are all
// derived from it, so adding a kind here is the only way to widen what the auditor reads.

export interface KindSpec {
  /** Stable key used in Snapshot.resources, coverage and check `needs`. */
  key: string;
  kind: string;
  group: string; // '' = core
  /** Versions to try, preferred first (discovery picks the first served one). */
  versions: string[];
  resource: string; // plural, as in the URL and in RBAC rules
  namespaced: boolean;
  /** Built into every apiserver; otherwise found through discovery (CRDs). */
  builtin: boolean;
  /** Read only by name (`get`), never listed cluster-wide. */
  byNameOnly?: boolean;
}

const core = (key: string, kind: string, resource: string, namespaced = true): KindSpec => ({
  key, kind, group: '', versions: ['v1'], resource, namespaced, builtin: true,
});
const builtin = (key: string, kind: string, group: string, version: string, resource: string, namespaced = true): KindSpec => ({
  key, kind, group, versions: [version], resource, namespaced, builtin: true,
});
const crd = (key: string, kind: string, group: string, versions: string[], resource: string, namespaced = true): KindSpec => ({
  key, kind, group, versions, resource, namespaced, builtin: false,
});

export const KINDS = [
  core('namespaces', 'Namespace', 'namespaces', false),
  core('pods', 'Pod', 'pods'),
  core('services', 'Service', 'services'),
  core('serviceaccounts', 'ServiceAccount', 'serviceaccounts'),
  { ...core('configmaps', 'ConfigMap', 'configmaps'), byNameOnly: true },
  builtin('replicasets', 'ReplicaSet', 'apps', 'v1', 'replicasets'),
  builtin('deployments', 'Deployment', 'apps', 'v1', 'deployments'),
  builtin('statefulsets', 'StatefulSet', 'apps', 'v1', 'statefulsets'),
  builtin('daemonsets', 'DaemonSet', 'apps', 'v1', 'daemonsets'),
  builtin('jobs', 'Job', 'batch', 'v1', 'jobs'),
  builtin('cronjobs', 'CronJob', 'batch', 'v1', 'cronjobs'),
  builtin('networkpolicies', 'NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies'),
  builtin('ingresses', 'Ingress', 'networking.k8s.io', 'v1', 'ingresses'),
  builtin('ingressclasses', 'IngressClass', 'networking.k8s.io', 'v1', 'ingressclasses', false),
  builtin('roles', 'Role', 'rbac.authorization.k8s.io', 'v1', 'roles'),
  builtin('clusterroles', 'ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false),
  builtin('rolebindings', 'RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  builtin('clusterrolebindings', 'ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false),
  // Istio
  crd('istio.peerauthentications', 'PeerAuthentication', 'security.istio.io', ['v1', 'v1beta1'], 'peerauthentications'),
  crd('istio.authorizationpolicies', 'AuthorizationPolicy', 'security.istio.io', ['v1', 'v1beta1'], 'authorizationpolicies'),
  crd('istio.requestauthentications', 'RequestAuthentication', 'security.istio.io', ['v1', 'v1beta1'], 'requestauthentications'),
  crd('istio.destinationrules', 'DestinationRule', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'destinationrules'),
  crd('istio.gateways', 'Gateway', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'gateways'),
  // Linkerd
  crd('linkerd.servers', 'Server', 'policy.linkerd.io', ['v1beta3', 'v1beta2', 'v1beta1'], 'servers'),
  crd('linkerd.authorizationpolicies', 'AuthorizationPolicy', 'policy.linkerd.io', ['v1alpha1'], 'authorizationpolicies'),
  crd('linkerd.meshtlsauthentications', 'MeshTLSAuthentication', 'policy.linkerd.io', ['v1alpha1'], 'meshtlsauthentications'),
  crd('linkerd.serverauthorizations', 'ServerAuthorization', 'policy.linkerd.io', ['v1beta1'], 'serverauthorizations'),
  crd('linkerd.networkauthentications', 'NetworkAuthentication', 'policy.linkerd.io', ['v1alpha1'], 'networkauthentications'),
  crd('linkerd.httproutes', 'HTTPRoute', 'policy.linkerd.io', ['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'], 'httproutes'),
  // Consul (consul-k8s config entries)
  crd('consul.serviceintentions', 'ServiceIntentions', 'consul.hashicorp.com', ['v1alpha1'], 'serviceintentions'),
  // Gateway API
  crd('gatewayapi.gateways', 'Gateway', 'gateway.networking.k8s.io', ['v1', 'v1beta1'], 'gateways'),
  // Traefik (current and legacy group)
  crd('traefik.tlsoptions', 'TLSOption', 'traefik.io', ['v1alpha1'], 'tlsoptions'),
  crd('traefik-legacy.tlsoptions', 'TLSOption', 'traefik.containo.us', ['v1alpha1'], 'tlsoptions'),
  // Contour
  crd('contour.httpproxies', 'HTTPProxy', 'projectcontour.io', ['v1'], 'httpproxies'),
  // cert-manager
  crd('certmanager.certificates', 'Certificate', 'cert-manager.io', ['v1'], 'certificates'),
  // AdminNetworkPolicy API (kubernetes-sigs/network-policy-api), cluster-scoped
  crd('anp.adminnetworkpolicies', 'AdminNetworkPolicy', 'policy.networking.k8s.io', ['v1alpha1'], 'adminnetworkpolicies', false),
  crd('anp.baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy', 'policy.networking.k8s.io', ['v1alpha1'], 'baselineadminnetworkpolicies', false),
  // Calico: the crd.projectcalico.org/v1 storage form (always there), and the projectcalico.org/v3
  // API view (served by the Calico API server when installed; it lists k8s NPs as knp.default.*)
  crd('calico.networkpolicies', 'NetworkPolicy', 'crd.projectcalico.org', ['v1'], 'networkpolicies'),
  crd('calico.globalnetworkpolicies', 'GlobalNetworkPolicy', 'crd.projectcalico.org', ['v1'], 'globalnetworkpolicies', false),
  crd('calico.tiers', 'Tier', 'crd.projectcalico.org', ['v1'], 'tiers', false),
  crd('calico-v3.networkpolicies', 'NetworkPolicy', 'projectcalico.org', ['v3'], 'networkpolicies'),
  crd('calico-v3.globalnetworkpolicies', 'GlobalNetworkPolicy', 'projectcalico.org', ['v3'], 'globalnetworkpolicies', false),
  crd('calico-v3.tiers', 'Tier', 'projectcalico.org', ['v3'], 'tiers', false),
  // Cilium policy kinds
  crd('cilium.networkpolicies', 'CiliumNetworkPolicy', 'cilium.io', ['v2'], 'ciliumnetworkpolicies'),
  crd('cilium.clusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', 'cilium.io', ['v2'], 'ciliumclusterwidenetworkpolicies', false),
] as const satisfies readonly KindSpec[];

export type KindKey = (typeof KINDS)[number]['key'];

/**
 * The kinds the pod view is built from: live pods and the workloads that own them (a finding
 * names the owning workload, so its fingerprint depends on them), or, from manifests, the
 * templates that stand in for pods. Needing `pods` means reading all of them.
 */
export const POD_VIEW_KINDS = ['pods', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const satisfies readonly KindKey[];

/** Finds the kind for a manifest's apiVersion + kind (group-qualified; version-agnostic). */
export function kindForManifest(apiVersion: string, kind: string): KindSpec | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return KINDS.find((k) => k.kind === kind && k.group === group);
}
