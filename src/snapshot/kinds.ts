// The one list of resource kinds ztaudit reads. The live collector, the manifest loader,
// coverage keys, check `needs`, and the Helm chart's least-privilege ClusterRole are all
// derived from it, so adding a kind here is the only way to widen what the auditor reads.

export interface KindSpec {
  /** Stable key used in Snapshot.resources, coverage and check `needs`. */
  key: string;
  kind: string;
  group: string; // '' = core
  /**
   * Versions to try, preferred first (discovery picks the first served one). A manifest of the
   * kind is read at these versions and at `olderApiVersions`; at any other, `kubectl apply` would
   * fail (no matches for kind), so the manifest loader skips it and counts the kind as not read.
   */
  versions: string[];
  /**
   * Other apiVersions (`group/version`, the group may differ: extensions/v1beta1) that API
   * servers of earlier releases served the kind at, read from manifests as this kind (converted
   * to the present shape where their fields differ: src/collect/manifests.ts), each with the
   * release that stopped serving it: given a cluster version, a manifest at one that release no
   * longer serves is skipped as kubectl apply would refuse it. Never listed live.
   */
  olderApiVersions?: readonly OlderApiVersion[];
  resource: string; // plural, as in the URL and in RBAC rules
  namespaced: boolean;
  /** Built into every apiserver; otherwise found through discovery (CRDs). */
  builtin: boolean;
  /** Read only by name (`get`), never listed cluster-wide. */
  byNameOnly?: boolean;
  /**
   * A label selector every list and watch of the kind sends (`labelSelector=`): the objects
   * outside it are never fetched, so the snapshot holds only those the analyses read.
   */
  labelSelector?: string;
  /**
   * What of this kind's objects is kept in memory (src/snapshot/slim.ts); absent = the whole
   * object. A kind gains one only after every reader of its objects has been checked against
   * it: the checks, the analyses, report details and the other commands read nothing else.
   */
  slim?: SlimSpec;
  /**
   * Read only to refine verdicts about objects of these kinds: unread, the kind makes the run
   * partial only when one of them holds objects or could not be read itself (forbidden, error,
   * no coverage entry); otherwise nothing depends on it and the run says so in a note
   * (src/engine/audit.ts partialOf). A role that predates the kind then costs no complete run.
   */
  onlyWith?: readonly string[]; // KindKeys (a KindKey here would make KINDS its own type; test/unit/engine/partial-only-with.test.ts checks them)
}

/** An apiVersion API servers of earlier releases served a kind at. */
export interface OlderApiVersion {
  apiVersion: string;
  /** The first Kubernetes release (its minor: 16 for v1.16) whose API server no longer serves the kind at it. */
  removedIn: number;
}

/**
 * The fields the checks read, per kind. `metadata.managedFields` is never kept by a slimmed
 * kind; `spec` and every other top-level field (a ServiceAccount's
 * automountServiceAccountToken, a Role's rules, a binding's roleRef and subjects) always are.
 */
export interface SlimSpec {
  /**
   * Annotations kept: exact keys, or prefixes when they end in '/'. 'all' keeps every one but
   * kubectl's copy of the last applied manifest, which nothing reads.
   */
  annotations: 'all' | readonly string[];
  /** Fields of `status` kept; [] drops the whole status. */
  status: readonly string[];
  /**
   * Of `status.conditions` (when `status` keeps it), only the entries of these types, each as
   * `{ type, status }` alone: a pod's Ready condition without its timestamps, reason and message.
   */
  conditions?: readonly string[];
  /** metadata.finalizers kept (dropped otherwise): a controller's finalizer shows it still owns what it built. */
  finalizers?: true;
  /** Top-level lists whose entries keep only the members named (an EndpointSlice's `endpoints`: addresses and conditions). */
  entries?: Readonly<Record<string, readonly string[]>>;
}

/** Annotations a meshed pod (or its namespace) is judged by: injection, dataplane mode, skip ports, policy. */
const MESH_ANNOTATIONS = [
  'sidecar.istio.io/', 'ambient.istio.io/', 'istio.io/', 'proxy.istio.io/', 'traffic.sidecar.istio.io/',
  'linkerd.io/', 'config.linkerd.io/', 'config.alpha.linkerd.io/', 'consul.hashicorp.com/',
] as const;
/** Pod Security Admission reads these legacy annotations (AppArmor and seccomp profiles). */
const PSS_ANNOTATIONS = ['container.apparmor.security.beta.kubernetes.io/', 'container.seccomp.security.alpha.kubernetes.io/', 'seccomp.security.alpha.kubernetes.io/pod'] as const;

/** Calico IPAM gives a pod an address from the pools these name (src/analysis/netpol/calico/ip-pools.ts podPoolsOf); a Namespace keeps every annotation. */
const CALICO_POOL_ANNOTATIONS = ['cni.projectcalico.org/ipv4pools', 'cni.projectcalico.org/ipv6pools', 'cni.projectcalico.org/ipAddrs', 'cni.projectcalico.org/ipAddrsNoIpam'] as const;

/**
 * A pod's status keeps its addresses, its phase, and of its conditions only whether it is Ready
 * (`{ type: 'Ready', status }`): a mesh control plane whose pods all run but none is ready (a
 * crash loop) serves nothing (src/analysis/mesh/components.ts controlPlaneReadiness). One small
 * object per pod: the timestamps and the other four conditions stay out.
 */
const POD: SlimSpec = { annotations: [...MESH_ANNOTATIONS, ...PSS_ANNOTATIONS, ...CALICO_POOL_ANNOTATIONS], status: ['phase', 'podIP', 'podIPs', 'hostIP', 'conditions'], conditions: ['Ready'] };
/**
 * Workloads: judged by their pod template (in spec) and owner references; of the status only a
 * StatefulSet's updateRevision and a DaemonSet's updatedNumberScheduled (with observedGeneration,
 * which says the status is of the present spec), which with the revision annotations tie running
 * pods to the current template (src/analysis/workloads.ts currentRevisionRunning), and a
 * DaemonSet's desiredNumberScheduled: one scheduled to no node wants no pods (workloads.ts wantsPods).
 */
const WORKLOAD: SlimSpec = { annotations: [...MESH_ANNOTATIONS, 'deployment.kubernetes.io/revision', 'rollout.argoproj.io/revision', 'deprecated.daemonset.template.generation'], status: ['observedGeneration', 'updatedNumberScheduled', 'updateRevision', 'desiredNumberScheduled'] };
/** A Job's conditions too: a finished Job makes no pods again (src/analysis/workloads.ts jobFinished); and its succeeded count: the completions still to come bound the pods it wants (wantsPods). */
const JOB: SlimSpec = { annotations: [...MESH_ANNOTATIONS], status: ['conditions', 'succeeded'] };
const RBAC: SlimSpec = { annotations: ['rbac.authorization.kubernetes.io/autoupdate'], status: [] };
/** Edge objects: controllers read many annotations (nginx, traefik, cert-manager); their address is in status. */
const EDGE: SlimSpec = { annotations: 'all', status: ['loadBalancer'] };
/**
 * An Ingress's finalizers too: the AWS Load Balancer Controller's (ingress.k8s.aws/resources,
 * group.ingress.k8s.aws/<group>) say its ALB still exists when its IngressClass now refuses it
 * (src/analysis/tls/aws-alb.ts).
 */
const INGRESS: SlimSpec = { ...EDGE, finalizers: true };

const core = (key: string, kind: string, resource: string, namespaced = true, slim?: SlimSpec): KindSpec => ({
  key, kind, group: '', versions: ['v1'], resource, namespaced, builtin: true, ...(slim ? { slim } : {}),
});
const builtin = (key: string, kind: string, group: string, version: string, resource: string, namespaced = true, slim?: SlimSpec, olderApiVersions?: readonly OlderApiVersion[]): KindSpec => ({
  key, kind, group, versions: [version], resource, namespaced, builtin: true, ...(slim ? { slim } : {}), ...(olderApiVersions ? { olderApiVersions } : {}),
});

// The earlier apiVersions of the built-in kinds and the release that stopped serving each, as
// the Kubernetes deprecated API migration guide lists them
// (kubernetes.io/docs/reference/using-api/deprecation-guide/): v1.16 (extensions/v1beta1,
// apps/v1beta1 and apps/v1beta2 workloads, extensions/v1beta1 NetworkPolicy), v1.22
// (networking.k8s.io/v1beta1 and extensions/v1beta1 Ingress, networking.k8s.io/v1beta1
// IngressClass, rbac.authorization.k8s.io/v1beta1, admissionregistration.k8s.io/v1beta1) and v1.25
// (batch/v1beta1 CronJob, discovery.k8s.io/v1beta1 EndpointSlice). The guide leaves out the alpha
// versions, which were off unless --runtime-config turned them on: rbac.authorization.k8s.io/v1alpha1
// was removed in v1.23 (CHANGELOG-1.23: "The rbac.authorization.k8s.io/v1alpha1 API version is
// removed", kubernetes#104248), batch/v2alpha1 in v1.21 (k8s.io/api has batch/v2alpha1 at v0.20.0,
// not at v0.21.0, the API types of Kubernetes v1.21.0). Up to those releases they
// are read: a cluster of one may have turned them on. The fields ztaudit reads of them are those of
// v1, but for an Ingress's backends, v1alpha1 RBAC subjects and the beta workloads' defaulted
// selector (converted on reading: src/collect/manifests.ts).
const older = (removedIn: number, ...apiVersions: string[]): OlderApiVersion[] => apiVersions.map((apiVersion) => ({ apiVersion, removedIn }));
const RBAC_OLDER = [...older(22, 'rbac.authorization.k8s.io/v1beta1'), ...older(23, 'rbac.authorization.k8s.io/v1alpha1')];
const crd = (key: string, kind: string, group: string, versions: string[], resource: string, namespaced = true, slim?: SlimSpec): KindSpec => ({
  key, kind, group, versions, resource, namespaced, builtin: false, ...(slim ? { slim } : {}),
});

/** The IngressRouteTCPs' kinds: the only objects a MiddlewareTCP is read for. */
const TRAEFIK_TCP_ROUTES = ['traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps'] as const;
/** The Calico policy kinds, for whose sake the Tiers are read. */
const CALICO_POLICY_KINDS = ['calico.networkpolicies', 'calico.globalnetworkpolicies', 'calico-v3.networkpolicies', 'calico-v3.globalnetworkpolicies'] as const;

export const KINDS = [
  core('namespaces', 'Namespace', 'namespaces', false, { annotations: 'all', status: ['phase'] }),
  core('pods', 'Pod', 'pods', true, POD),
  // A Node's spec.podCIDRs bound the addresses its pods are given where the IPAM keeps to them
  // (src/analysis/netpol/node-cidrs.ts). They only settle for good a policy CIDR's hold on pods:
  // unread, nothing else depends on them. kube-router takes its kube-router.io/pod-cidr(s)
  // annotations over spec.podCIDRs (pod_cidr.go). Of its status only status.addresses: an
  // ipBlock admitting a Node's InternalIP or ExternalIP may admit every client of a path the
  // node forwards (src/analysis/netpol/exposure.ts nodeRewriteDoubt), and an AdminNetworkPolicy
  // `nodes` peer selects, by the Node's labels, the IPs in them (addresses.ts nodeAddressIndex);
  // images and conditions stay out.
  { ...core('nodes', 'Node', 'nodes', false, { annotations: ['kube-router.io/pod-cidr', 'kube-router.io/pod-cidrs'], status: ['addresses'] }), onlyWith: ['networkpolicies', 'anp.adminnetworkpolicies', 'anp.baselineadminnetworkpolicies', 'anp.clusternetworkpolicies'] },
  core('services', 'Service', 'services', true, EDGE),
  core('serviceaccounts', 'ServiceAccount', 'serviceaccounts', true, { annotations: 'all', status: [] }),
  { ...core('configmaps', 'ConfigMap', 'configmaps'), byNameOnly: true },
  // Only spec.limits is read: a Container default (or max) limit admission injects into containers without one
  core('limitranges', 'LimitRange', 'limitranges', true, { annotations: [], status: [] }),
  core('replicationcontrollers', 'ReplicationController', 'replicationcontrollers', true, WORKLOAD),
  builtin('replicasets', 'ReplicaSet', 'apps', 'v1', 'replicasets', true, WORKLOAD, older(16, 'apps/v1beta2', 'extensions/v1beta1')),
  builtin('deployments', 'Deployment', 'apps', 'v1', 'deployments', true, WORKLOAD, older(16, 'apps/v1beta2', 'apps/v1beta1', 'extensions/v1beta1')),
  builtin('statefulsets', 'StatefulSet', 'apps', 'v1', 'statefulsets', true, WORKLOAD, older(16, 'apps/v1beta2', 'apps/v1beta1')),
  builtin('daemonsets', 'DaemonSet', 'apps', 'v1', 'daemonsets', true, WORKLOAD, older(16, 'apps/v1beta2', 'extensions/v1beta1')),
  builtin('jobs', 'Job', 'batch', 'v1', 'jobs', true, JOB),
  builtin('cronjobs', 'CronJob', 'batch', 'v1', 'cronjobs', true, WORKLOAD, [...older(25, 'batch/v1beta1'), ...older(21, 'batch/v2alpha1')]),
  builtin('networkpolicies', 'NetworkPolicy', 'networking.k8s.io', 'v1', 'networkpolicies', true, { annotations: [], status: [] }, older(16, 'extensions/v1beta1')),
  builtin('ingresses', 'Ingress', 'networking.k8s.io', 'v1', 'ingresses', true, INGRESS, older(22, 'networking.k8s.io/v1beta1', 'extensions/v1beta1')),
  builtin('ingressclasses', 'IngressClass', 'networking.k8s.io', 'v1', 'ingressclasses', false, { annotations: 'all', status: [] }, older(22, 'networking.k8s.io/v1beta1')),
  builtin('roles', 'Role', 'rbac.authorization.k8s.io', 'v1', 'roles', true, RBAC, RBAC_OLDER),
  builtin('clusterroles', 'ClusterRole', 'rbac.authorization.k8s.io', 'v1', 'clusterroles', false, RBAC, RBAC_OLDER),
  builtin('rolebindings', 'RoleBinding', 'rbac.authorization.k8s.io', 'v1', 'rolebindings', true, RBAC, RBAC_OLDER),
  builtin('clusterrolebindings', 'ClusterRoleBinding', 'rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false, RBAC, RBAC_OLDER),
  // Used from manifests only (a live Service already carries the class): the AWS Load Balancer
  // Controller's Service webhook (mservice.elbv2.k8s.aws) gives a class-less LoadBalancer Service
  // its loadBalancerClass on create (src/analysis/tls/aws-lbc.ts)
  builtin('mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', false, { annotations: [], status: [] }, older(22, 'admissionregistration.k8s.io/v1beta1')),
  // Istio: served versions as istio/istio manifests/charts/base crds list them: at 1.20.0
  // PeerAuthentication v1beta1, the other security kinds v1 and v1beta1, networking v1beta1 and
  // v1alpha3; at 1.26.0 security v1 and v1beta1, networking v1, v1beta1, v1alpha3 (EnvoyFilter
  // v1alpha3 only). Every one is listed.
  crd('istio.peerauthentications', 'PeerAuthentication', 'security.istio.io', ['v1', 'v1beta1'], 'peerauthentications'),
  crd('istio.authorizationpolicies', 'AuthorizationPolicy', 'security.istio.io', ['v1', 'v1beta1'], 'authorizationpolicies'),
  crd('istio.requestauthentications', 'RequestAuthentication', 'security.istio.io', ['v1', 'v1beta1'], 'requestauthentications'),
  crd('istio.destinationrules', 'DestinationRule', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'destinationrules'),
  crd('istio.gateways', 'Gateway', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'gateways'),
  // Istio edge: routes bound to gateways, end-user authentication, Envoy patches (local rate limit, WAF filters)
  crd('istio.virtualservices', 'VirtualService', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'virtualservices'),
  crd('istio.envoyfilters', 'EnvoyFilter', 'networking.istio.io', ['v1alpha3'], 'envoyfilters'),
  crd('istio.sidecars', 'Sidecar', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'sidecars'),
  crd('istio.serviceentries', 'ServiceEntry', 'networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], 'serviceentries'),
  // Linkerd. Server and ServerAuthorization v1alpha1 are still served (deprecated) at stable-2.14.10
  // and edge-26.8.3 (linkerd/linkerd2 charts/linkerd-crds/templates/policy/server.yaml,
  // server-authorization.yaml), their schema that of v1beta1 but for a oneOf on podSelector: read
  // as they are, last (discovery picks the first version served).
  crd('linkerd.servers', 'Server', 'policy.linkerd.io', ['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'], 'servers'),
  crd('linkerd.authorizationpolicies', 'AuthorizationPolicy', 'policy.linkerd.io', ['v1alpha1'], 'authorizationpolicies'),
  crd('linkerd.meshtlsauthentications', 'MeshTLSAuthentication', 'policy.linkerd.io', ['v1alpha1'], 'meshtlsauthentications'),
  crd('linkerd.serverauthorizations', 'ServerAuthorization', 'policy.linkerd.io', ['v1beta1', 'v1alpha1'], 'serverauthorizations'),
  crd('linkerd.networkauthentications', 'NetworkAuthentication', 'policy.linkerd.io', ['v1alpha1'], 'networkauthentications'),
  crd('linkerd.httproutes', 'HTTPRoute', 'policy.linkerd.io', ['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'], 'httproutes'),
  // Consul (consul-k8s config entries; v1alpha1 the only version served: hashicorp/consul-k8s
  // charts/consul/templates/crd-serviceintentions.yaml, commit 26d0d561)
  crd('consul.serviceintentions', 'ServiceIntentions', 'consul.hashicorp.com', ['v1alpha1'], 'serviceintentions'),
  // mutualTLSMode (permissive: plaintext reaches the service, intentions not applied), and the Mesh
  // entry's allowEnablingPermissiveMutualTLS that Consul requires before accepting it
  crd('consul.servicedefaults', 'ServiceDefaults', 'consul.hashicorp.com', ['v1alpha1'], 'servicedefaults'),
  crd('consul.proxydefaults', 'ProxyDefaults', 'consul.hashicorp.com', ['v1alpha1'], 'proxydefaults'),
  crd('consul.meshes', 'Mesh', 'consul.hashicorp.com', ['v1alpha1'], 'meshes'),
  // Gateway API, served versions as kubernetes-sigs/gateway-api config/crd/{standard,experimental}
  // list them: Gateway, GatewayClass, HTTPRoute v1alpha2 served (deprecated) at v0.6.0 and v0.7.0
  // (their v1alpha2 types are v1beta1's at v0.6.0: apis/v1alpha2/{gateway,gatewayclass,httproute}_types.go,
  // `type Gateway v1beta1.Gateway`), unserved from v0.8.0; v1 and v1beta1 at v1.0.0 through v1.4.0. GRPCRoute
  // v1alpha2 served through v1.1.0 experimental, gone at v1.2.0. ReferenceGrant v1alpha2 (the
  // schema of v1beta1: v1.0.0 apis/v1alpha2/referencegrant_types.go `ReferenceGrantSpec = v1beta1.ReferenceGrantSpec`) served through v1.0.0 standard and v1.1.0 experimental, gone at v1.2.0; v1
  // served after v1.4.0 (main). TCPRoute v1alpha2 only; TLSRoute v1alpha2, v1alpha3 at v1.4.0, v1
  // after. The oldest versions come last: discovery picks the first one a cluster serves.
  crd('gatewayapi.gateways', 'Gateway', 'gateway.networking.k8s.io', ['v1', 'v1beta1', 'v1alpha2'], 'gateways'),
  crd('gatewayapi.gatewayclasses', 'GatewayClass', 'gateway.networking.k8s.io', ['v1', 'v1beta1', 'v1alpha2'], 'gatewayclasses', false),
  crd('gatewayapi.httproutes', 'HTTPRoute', 'gateway.networking.k8s.io', ['v1', 'v1beta1', 'v1alpha2'], 'httproutes'),
  crd('gatewayapi.grpcroutes', 'GRPCRoute', 'gateway.networking.k8s.io', ['v1', 'v1alpha2'], 'grpcroutes'),
  crd('gatewayapi.tlsroutes', 'TLSRoute', 'gateway.networking.k8s.io', ['v1', 'v1alpha3', 'v1alpha2'], 'tlsroutes'),
  crd('gatewayapi.tcproutes', 'TCPRoute', 'gateway.networking.k8s.io', ['v1alpha2'], 'tcproutes'),
  crd('gatewayapi.referencegrants', 'ReferenceGrant', 'gateway.networking.k8s.io', ['v1', 'v1beta1', 'v1alpha2'], 'referencegrants'),
  // ListenerSets: listeners added to a Gateway whose spec.allowedListeners admits them
  // (https://gateway-api.sigs.k8s.io/api-types/listenerset/, src/analysis/edge/listener-sets.ts):
  // v1 ListenerSet in the standard CRDs from v1.5.0 (config/crd/standard/gateway.networking.k8s.io_listenersets.yaml,
  // v1 the only version), v1alpha1 XListenerSet of gateway.networking.x-k8s.io in the experimental
  // CRDs of v1.3.0 and v1.4.x, gone at v1.5.0. Only the spec is read, and only for the Gateways' sake.
  { ...crd('gatewayapi.listenersets', 'ListenerSet', 'gateway.networking.k8s.io', ['v1'], 'listenersets', true, { annotations: [], status: [] }), onlyWith: ['gatewayapi.gateways'] },
  { ...crd('gatewayapi-x.xlistenersets', 'XListenerSet', 'gateway.networking.x-k8s.io', ['v1alpha1'], 'xlistenersets', true, { annotations: [], status: [] }), onlyWith: ['gatewayapi.gateways'] },
  // Envoy Gateway policies attached to Gateways and routes (authentication, rate limits); v1alpha1 is
  // the only version served (envoyproxy/gateway charts/gateway-crds-helm/templates/generated at v1.9.0-rc.0)
  crd('envoygateway.securitypolicies', 'SecurityPolicy', 'gateway.envoyproxy.io', ['v1alpha1'], 'securitypolicies'),
  crd('envoygateway.backendtrafficpolicies', 'BackendTrafficPolicy', 'gateway.envoyproxy.io', ['v1alpha1'], 'backendtrafficpolicies'),
  // The TLS versions and ciphers a Gateway's listeners accept (spec.tls) and what it targets: all that is read
  crd('envoygateway.clienttrafficpolicies', 'ClientTrafficPolicy', 'gateway.envoyproxy.io', ['v1alpha1'], 'clienttrafficpolicies', true, { annotations: [], status: [] }),
  // Traefik (current and legacy group)
  crd('traefik.tlsoptions', 'TLSOption', 'traefik.io', ['v1alpha1'], 'tlsoptions'),
  crd('traefik-legacy.tlsoptions', 'TLSOption', 'traefik.containo.us', ['v1alpha1'], 'tlsoptions'),
  crd('traefik.ingressroutes', 'IngressRoute', 'traefik.io', ['v1alpha1'], 'ingressroutes'),
  crd('traefik-legacy.ingressroutes', 'IngressRoute', 'traefik.containo.us', ['v1alpha1'], 'ingressroutes'),
  crd('traefik.middlewares', 'Middleware', 'traefik.io', ['v1alpha1'], 'middlewares'),
  crd('traefik-legacy.middlewares', 'Middleware', 'traefik.containo.us', ['v1alpha1'], 'middlewares'),
  // Traefik TCP routers (doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroutetcp):
  // only the spec (tls, routes, ingressClassName) and the kubernetes.io/ingress.class annotation
  // (which Traefik's CRD provider filters by) are read
  crd('traefik.ingressroutetcps', 'IngressRouteTCP', 'traefik.io', ['v1alpha1'], 'ingressroutetcps', true, { annotations: ['kubernetes.io/ingress.class'], status: [] }),
  crd('traefik-legacy.ingressroutetcps', 'IngressRouteTCP', 'traefik.containo.us', ['v1alpha1'], 'ingressroutetcps', true, { annotations: ['kubernetes.io/ingress.class'], status: [] }),
  // Traefik TCP middlewares (doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/middlewaretcp/):
  // an IngressRouteTCP's routes[].middlewares name them; only the spec (inFlightConn, ipAllowList,
  // ipWhiteList) is read, and only for an IngressRouteTCP's sake
  { ...crd('traefik.middlewaretcps', 'MiddlewareTCP', 'traefik.io', ['v1alpha1'], 'middlewaretcps', true, { annotations: [], status: [] }), onlyWith: TRAEFIK_TCP_ROUTES },
  { ...crd('traefik-legacy.middlewaretcps', 'MiddlewareTCP', 'traefik.containo.us', ['v1alpha1'], 'middlewaretcps', true, { annotations: [], status: [] }), onlyWith: TRAEFIK_TCP_ROUTES },
  // Contour (HTTPProxy v1, ContourConfiguration v1alpha1, the only versions served:
  // projectcontour/contour examples/contour/01-crds.yaml on main)
  crd('contour.httpproxies', 'HTTPProxy', 'projectcontour.io', ['v1'], 'httpproxies'),
  // The ContourConfiguration `contour serve --contour-config-name` reads instead of a configuration
  // file (https://projectcontour.io/docs/main/configuration/): only its spec (envoy.listener.tls) is read
  crd('contour.contourconfigurations', 'ContourConfiguration', 'projectcontour.io', ['v1alpha1'], 'contourconfigurations', true, { annotations: [], status: [] }),
  // EKS Auto Mode's ALB settings an IngressClass of controller eks.amazonaws.com/alb references
  // (docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html): its spec (sslPolicy,
  // certificateARNs) is all that is read
  crd('eks.ingressclassparams', 'IngressClassParams', 'eks.amazonaws.com', ['v1'], 'ingressclassparams', false, { annotations: [], status: [] }),
  // The AWS Load Balancer Controller's own IngressClassParams, which an IngressClass of controller
  // ingress.k8s.aws/alb references (kubernetes-sigs/aws-load-balancer-controller
  // docs/guide/ingress/ingress_class.md): its spec (sslPolicy, certificateArn, sslRedirectPort, namespaceSelector)
  // overrides the Ingresses' annotations, and is all that is read
  crd('lbc.ingressclassparams', 'IngressClassParams', 'elbv2.k8s.aws', ['v1beta1'], 'ingressclassparams', false, { annotations: [], status: [] }),
  // GKE: the SSL policy a GKE Ingress's Google Cloud load balancer takes is the sslPolicy of the
  // FrontendConfig it names (cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policies),
  // a GKE Gateway's the spec.default.sslPolicy of the GCPGatewayPolicy targeting it
  // (.../how-to/configure-gateway-resources#configure_ssl_policies): only the spec is read
  crd('gke.frontendconfigs', 'FrontendConfig', 'networking.gke.io', ['v1beta1'], 'frontendconfigs', true, { annotations: [], status: [] }),
  crd('gke.gcpgatewaypolicies', 'GCPGatewayPolicy', 'networking.gke.io', ['v1'], 'gcpgatewaypolicies', true, { annotations: [], status: [] }),
  // cert-manager: v1 only. cert-manager v1.6 stopped serving v1alpha2, v1alpha3 and v1beta1
  // (cert-manager.io/docs/releases/release-notes/release-notes-1.6/), and every supported release
  // is later: manifests at those versions are rightly refused, as the API server would refuse them.
  crd('certmanager.certificates', 'Certificate', 'cert-manager.io', ['v1'], 'certificates'),
  crd('certmanager.issuers', 'Issuer', 'cert-manager.io', ['v1'], 'issuers'),
  crd('certmanager.clusterissuers', 'ClusterIssuer', 'cert-manager.io', ['v1'], 'clusterissuers', false),
  // AdminNetworkPolicy API (kubernetes-sigs/network-policy-api), cluster-scoped: v1alpha1 the only
  // version served at v0.1.5 and v0.1.7 (config/crd); v0.2.0 replaces both kinds with v1alpha2 ClusterNetworkPolicy
  crd('anp.adminnetworkpolicies', 'AdminNetworkPolicy', 'policy.networking.k8s.io', ['v1alpha1'], 'adminnetworkpolicies', false),
  crd('anp.baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy', 'policy.networking.k8s.io', ['v1alpha1'], 'baselineadminnetworkpolicies', false),
  // v1alpha2 (network-policy-api v0.2.0): one kind for both, its spec.tier Admin or Baseline
  crd('anp.clusternetworkpolicies', 'ClusterNetworkPolicy', 'policy.networking.k8s.io', ['v1alpha2'], 'clusternetworkpolicies', false),
  // Calico: the crd.projectcalico.org/v1 storage form (always there), and the projectcalico.org/v3
  // API view (served by the Calico API server when installed; it lists k8s NPs as knp.default.*)
  crd('calico.networkpolicies', 'NetworkPolicy', 'crd.projectcalico.org', ['v1'], 'networkpolicies'),
  crd('calico.globalnetworkpolicies', 'GlobalNetworkPolicy', 'crd.projectcalico.org', ['v1'], 'globalnetworkpolicies', false),
  // Read for the custom tiers the Calico policies name (the built-in tiers' orders are fixed):
  // unread, only those policies are in doubt (netpol/calico/policy.ts collectCalicoPolicies).
  { ...crd('calico.tiers', 'Tier', 'crd.projectcalico.org', ['v1'], 'tiers', false), onlyWith: CALICO_POLICY_KINDS },
  crd('calico-v3.networkpolicies', 'NetworkPolicy', 'projectcalico.org', ['v3'], 'networkpolicies'),
  crd('calico-v3.globalnetworkpolicies', 'GlobalNetworkPolicy', 'projectcalico.org', ['v3'], 'globalnetworkpolicies', false),
  { ...crd('calico-v3.tiers', 'Tier', 'projectcalico.org', ['v3'], 'tiers', false), onlyWith: CALICO_POLICY_KINDS },
  // Calico network sets: the CIDRs a rule selector matches besides pods
  // (docs.tigera.io/calico/latest/reference/resources/globalnetworkset, .../networkset)
  crd('calico.globalnetworksets', 'GlobalNetworkSet', 'crd.projectcalico.org', ['v1'], 'globalnetworksets', false),
  crd('calico.networksets', 'NetworkSet', 'crd.projectcalico.org', ['v1'], 'networksets'),
  crd('calico-v3.globalnetworksets', 'GlobalNetworkSet', 'projectcalico.org', ['v3'], 'globalnetworksets', false),
  crd('calico-v3.networksets', 'NetworkSet', 'projectcalico.org', ['v3'], 'networksets'),
  // Calico IPPools: where Calico IPAM gives pods their addresses (src/analysis/netpol/calico/ip-pools.ts;
  // docs.tigera.io/calico/latest/reference/resources/ippool): the crd.projectcalico.org/v1 form
  // calico-node and Typha read, and the projectcalico.org/v3 view, as for the policies above.
  // Only the spec (cidr, disabled, allowedUses) is read.
  crd('calico.ippools', 'IPPool', 'crd.projectcalico.org', ['v1'], 'ippools', false, { annotations: [], status: [] }),
  crd('calico-v3.ippools', 'IPPool', 'projectcalico.org', ['v3'], 'ippools', false, { annotations: [], status: [] }),
  // Calico FelixConfigurations: the `default` one and the per-node `node.<nodename>` ones (and
  // selector-scoped ones) of the crd.projectcalico.org/v1 storage form calico-node reads
  // (docs.tigera.io/calico/latest/reference/resources/felixconfig). Only spec.dropActionOverride
  // (Calico Enterprise and Calico Cloud) and spec.nodeSelector are read (src/analysis/netpol/calico/felix.ts).
  crd('calico.felixconfigurations', 'FelixConfiguration', 'crd.projectcalico.org', ['v1'], 'felixconfigurations', false, { annotations: [], status: [] }),
  // Antrea-native policies (crd.antrea.io): the CRDs of antrea-io/antrea
  // build/charts/antrea/crds/{clusternetworkpolicy,networkpolicy}.yaml serve v1alpha1 and v1beta1
  // at v1.13.0 (v1alpha1 only at v1.12.0, build/yamls/base/crds.yml v1alpha1 at v1.0.0) and
  // v1beta1 alone at v2.0.0 and v2.2.0. Evaluated in src/analysis/netpol/antrea.ts.
  crd('antrea.clusternetworkpolicies', 'ClusterNetworkPolicy', 'crd.antrea.io', ['v1beta1', 'v1alpha1'], 'clusternetworkpolicies', false),
  crd('antrea.networkpolicies', 'NetworkPolicy', 'crd.antrea.io', ['v1beta1', 'v1alpha1'], 'networkpolicies'),
  // Antrea Tiers: the priority of a custom tier a policy names (build/charts/antrea/crds/tier.yaml:
  // v1alpha1 and v1beta1 at v1.13.0, v1beta1 alone at v2.2.0). Only spec.priority is read.
  { ...crd('antrea.tiers', 'Tier', 'crd.antrea.io', ['v1beta1', 'v1alpha1'], 'tiers', false, { annotations: [], status: [] }), onlyWith: ['antrea.clusternetworkpolicies', 'antrea.networkpolicies'] },
  // Antrea ClusterGroups and Groups: the members of a `group` an Antrea-native policy names in appliedTo
  // or a peer (build/charts/antrea/crds/{clustergroup,group}.yaml: v1beta1 alone at v2.0.0 and v2.2.0;
  // ClusterGroup v1alpha2, v1alpha3 and v1beta1, Group v1alpha3 and v1beta1 at v1.13.0, converted by
  // Antrea's webhook). Only the spec is read (src/analysis/netpol/antrea.ts resolveGroup).
  { ...crd('antrea.clustergroups', 'ClusterGroup', 'crd.antrea.io', ['v1beta1', 'v1alpha3', 'v1alpha2'], 'clustergroups', false, { annotations: [], status: [] }), onlyWith: ['antrea.clusternetworkpolicies'] },
  { ...crd('antrea.groups', 'Group', 'crd.antrea.io', ['v1beta1', 'v1alpha3'], 'groups', true, { annotations: [], status: [] }), onlyWith: ['antrea.networkpolicies'] },
  // Cilium policy kinds: cilium.io v2 only (pkg/k8s/apis/cilium.io/client/crds/v2; no v2alpha1 CRD of them)
  crd('cilium.networkpolicies', 'CiliumNetworkPolicy', 'cilium.io', ['v2'], 'ciliumnetworkpolicies'),
  crd('cilium.clusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', 'cilium.io', ['v2'], 'ciliumclusterwidenetworkpolicies', false),
  // CiliumCIDRGroups: the CIDRs a policy's toCIDRSet/fromCIDRSet cidrGroupRef or cidrGroupSelector
  // selects (docs.cilium.io/en/latest/network/kubernetes/ciliumcidrgroup/; cilium.io/v2 from Cilium
  // 1.18, v2alpha1 before). Only the labels (for cidrGroupSelector) and spec.externalCIDRs are read.
  // Read only where a Cilium policy's cidrGroupRef names one: a role that cannot list them makes the run partial only then.
  { ...crd('cilium.cidrgroups', 'CiliumCIDRGroup', 'cilium.io', ['v2', 'v2alpha1'], 'ciliumcidrgroups', false, { annotations: [], status: [] }), onlyWith: ['cilium.networkpolicies', 'cilium.clusterwidenetworkpolicies'] },
  // CiliumNodeConfigs: per-node overrides of cilium-config that the agent's build-config init
  // container merges into its config directory (pkg/option/resolver/resolver.go@v1.20.2;
  // Documentation/configuration/per-node-config.rst). cilium.io/v2 from Cilium 1.16 (cilium#31721),
  // v2alpha1 before and still served, deprecated, at 1.20.2 (crds/v2/ciliumnodeconfigs.yaml).
  // Only spec.nodeSelector and spec.defaults are read (src/analysis/netpol/cilium/config.ts).
  crd('cilium.nodeconfigs', 'CiliumNodeConfig', 'cilium.io', ['v2', 'v2alpha1'], 'ciliumnodeconfigs', true, { annotations: [], status: [] }),
  // EndpointSlices set by hand (or mirrored from a hand-written Endpoints): the backends of a
  // Service without a selector, which a Cilium toServices rule allows as CIDRs
  // (src/analysis/netpol/cilium/service-backends.ts). Those of the built-in controller (one per
  // Service with a selector, pods' addresses) are never fetched, so a cluster's snapshot does not
  // grow by every pod's slice: the label is the controller's own
  // (kubernetes.io/docs/concepts/services-networking/endpoint-slices/#management). Only the
  // service-name label, addressType, ports and each endpoint's addresses and conditions are read.
  {
    ...builtin('endpointslices', 'EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true, { annotations: [], status: [], entries: { endpoints: ['addresses', 'conditions'] } }, older(25, 'discovery.k8s.io/v1beta1')),
    labelSelector: 'endpointslice.kubernetes.io/managed-by!=endpointslice-controller.k8s.io',
    onlyWith: ['cilium.networkpolicies', 'cilium.clusterwidenetworkpolicies'],
  },
] as const satisfies readonly KindSpec[];

export type KindKey = (typeof KINDS)[number]['key'];

/**
 * The kinds the pod view is built from: live pods and the workloads that own them (a finding
 * names the owning workload, so its fingerprint depends on them), or, from manifests, the
 * templates that stand in for pods. Needing `pods` means reading all of them.
 */
export const POD_VIEW_KINDS = ['pods', 'replicationcontrollers', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const satisfies readonly KindKey[];

/** The API group of an apiVersion ('' for the core group's `v1`). */
export const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

const byApiVersion = new Map<string, KindSpec>();
const byGroup = new Map<string, KindSpec>();
for (const k of KINDS as readonly KindSpec[]) {
  byGroup.set(`${k.group}|${k.kind}`, k);
  for (const v of k.versions) byApiVersion.set(`${k.group ? `${k.group}/` : ''}${v}|${k.kind}`, k);
  for (const { apiVersion } of k.olderApiVersions ?? []) byApiVersion.set(`${apiVersion}|${k.kind}`, k);
}
// An older group (extensions) names the kind too: `extensions/v1beta2 Ingress` is an Ingress at a
// version no API server served, not a kind ztaudit does not audit.
for (const k of KINDS as readonly KindSpec[]) for (const { apiVersion: v } of k.olderApiVersions ?? []) if (!byGroup.has(`${groupOf(v)}|${k.kind}`)) byGroup.set(`${groupOf(v)}|${k.kind}`, k);

/**
 * The kind a manifest's apiVersion + kind is read as: its group and one of the versions ztaudit
 * reads (`versions`, `olderApiVersions`). Undefined for any other version, which no API server
 * serves the kind at (kindOfGroup tells those apart from kinds ztaudit does not audit).
 */
export function kindForManifest(apiVersion: string, kind: string): KindSpec | undefined {
  return byApiVersion.get(`${apiVersion}|${kind}`);
}

/** The audited kind of that group and name, at whatever version (an owner reference's, a broken document's). */
export function kindOfGroup(apiVersion: string, kind: string): KindSpec | undefined {
  return byGroup.get(`${groupOf(apiVersion)}|${kind}`);
}

/** Every apiVersion ztaudit reads a kind at, as a manifest names it. */
export const apiVersionsOf = (k: KindSpec): string[] => [...k.versions.map((v) => (k.group ? `${k.group}/${v}` : v)), ...(k.olderApiVersions ?? []).map((o) => o.apiVersion)];

/** The older apiVersion of a kind an object names, if it names one (undefined for a present version). */
export const olderApiVersionOf = (k: KindSpec, apiVersion: string): OlderApiVersion | undefined => k.olderApiVersions?.find((o) => o.apiVersion === apiVersion);

/**
 * The oldest Kubernetes release (its minor) whose served API versions ztaudit knows: the first
 * release k8s.io/api tags (kubernetes-1.8.0). For an older --cluster-version, which versions of a
 * built-in kind were already served is not checked (a run note says so).
 */
export const SERVED_KNOWN_FROM = 8;

/**
 * The first release (its minor) whose API server serves each built-in kind at each apiVersion
 * ztaudit reads it at, the one table of introductions (removals: OlderApiVersion.removedIn).
 * SERVED_KNOWN_FROM for a version already served by v1.8.0. "guide": the deprecated API migration
 * guide (kubernetes.io/docs/reference/using-api/deprecation-guide/), "available since";
 * "k8s.io/api": the first kubernetes-1.N.0 tag of k8s.io/api (github.com/kubernetes/api) whose
 * GROUP/VERSION types.go defines the kind and register.go registers it (kubernetes-1.8.0 is its
 * first tag). Only built-in kinds: a custom resource's versions are its CRD's, whatever the release.
 */
export const SERVED_FROM: Readonly<Record<string, number>> = {
  // core/v1: every kind ztaudit reads is in k8s.io/api core/v1 at kubernetes-1.8.0
  'v1 Namespace': SERVED_KNOWN_FROM, 'v1 Pod': SERVED_KNOWN_FROM, 'v1 Node': SERVED_KNOWN_FROM, 'v1 Service': SERVED_KNOWN_FROM,
  'v1 ServiceAccount': SERVED_KNOWN_FROM, 'v1 ConfigMap': SERVED_KNOWN_FROM, 'v1 LimitRange': SERVED_KNOWN_FROM, 'v1 ReplicationController': SERVED_KNOWN_FROM,
  // apps/v1: guide ("apps/v1 API version, available since v1.9"; DaemonSet, Deployment, StatefulSet, ReplicaSet); k8s.io/api apps/v1 at kubernetes-1.9.0
  'apps/v1 Deployment': 9, 'apps/v1 StatefulSet': 9, 'apps/v1 DaemonSet': 9, 'apps/v1 ReplicaSet': 9,
  // apps/v1beta2, apps/v1beta1 and extensions/v1beta1 workloads: k8s.io/api at kubernetes-1.8.0
  'apps/v1beta2 Deployment': SERVED_KNOWN_FROM, 'apps/v1beta2 StatefulSet': SERVED_KNOWN_FROM, 'apps/v1beta2 DaemonSet': SERVED_KNOWN_FROM, 'apps/v1beta2 ReplicaSet': SERVED_KNOWN_FROM,
  'apps/v1beta1 Deployment': SERVED_KNOWN_FROM, 'apps/v1beta1 StatefulSet': SERVED_KNOWN_FROM,
  'extensions/v1beta1 Deployment': SERVED_KNOWN_FROM, 'extensions/v1beta1 DaemonSet': SERVED_KNOWN_FROM, 'extensions/v1beta1 ReplicaSet': SERVED_KNOWN_FROM,
  // batch/v1 Job: k8s.io/api batch/v1 at kubernetes-1.8.0
  'batch/v1 Job': SERVED_KNOWN_FROM,
  // batch/v1 CronJob: guide ("batch/v1 API version, available since v1.21"); k8s.io/api batch/v1 CronJob first at kubernetes-1.21.0
  'batch/v1 CronJob': 21,
  // batch/v1beta1 and batch/v2alpha1 CronJob: k8s.io/api at kubernetes-1.8.0
  'batch/v1beta1 CronJob': SERVED_KNOWN_FROM, 'batch/v2alpha1 CronJob': SERVED_KNOWN_FROM,
  // networking.k8s.io/v1 NetworkPolicy: promoted in v1.7 (kubernetes CHANGELOG-1.7.md, "NetworkPolicy has been promoted from
  // extensions/v1beta1 to the new networking.k8s.io/v1 API group"; the guide says "available since v1.8"); k8s.io/api at kubernetes-1.8.0
  'networking.k8s.io/v1 NetworkPolicy': SERVED_KNOWN_FROM, 'extensions/v1beta1 NetworkPolicy': SERVED_KNOWN_FROM,
  // networking.k8s.io/v1 Ingress and IngressClass: guide ("networking.k8s.io/v1 API version, available since v1.19"); k8s.io/api networking/v1 at kubernetes-1.19.0
  'networking.k8s.io/v1 Ingress': 19, 'networking.k8s.io/v1 IngressClass': 19,
  // networking.k8s.io/v1beta1 Ingress: k8s.io/api networking/v1beta1 Ingress first at kubernetes-1.14.0
  'networking.k8s.io/v1beta1 Ingress': 14,
  // networking.k8s.io/v1beta1 IngressClass: k8s.io/api networking/v1beta1 IngressClass first at kubernetes-1.18.0
  'networking.k8s.io/v1beta1 IngressClass': 18,
  // extensions/v1beta1 Ingress: k8s.io/api at kubernetes-1.8.0
  'extensions/v1beta1 Ingress': SERVED_KNOWN_FROM,
  // rbac.authorization.k8s.io/v1: guide ("rbac.authorization.k8s.io/v1 API version, available since v1.8"); v1beta1 and v1alpha1: k8s.io/api at kubernetes-1.8.0
  'rbac.authorization.k8s.io/v1 Role': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1 ClusterRole': SERVED_KNOWN_FROM,
  'rbac.authorization.k8s.io/v1 RoleBinding': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1 ClusterRoleBinding': SERVED_KNOWN_FROM,
  'rbac.authorization.k8s.io/v1beta1 Role': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1beta1 ClusterRole': SERVED_KNOWN_FROM,
  'rbac.authorization.k8s.io/v1beta1 RoleBinding': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding': SERVED_KNOWN_FROM,
  'rbac.authorization.k8s.io/v1alpha1 Role': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1alpha1 ClusterRole': SERVED_KNOWN_FROM,
  'rbac.authorization.k8s.io/v1alpha1 RoleBinding': SERVED_KNOWN_FROM, 'rbac.authorization.k8s.io/v1alpha1 ClusterRoleBinding': SERVED_KNOWN_FROM,
  // admissionregistration.k8s.io/v1: guide ("admissionregistration.k8s.io/v1 API version, available since v1.16"); k8s.io/api at kubernetes-1.16.0
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration': 16,
  // admissionregistration.k8s.io/v1beta1: k8s.io/api admissionregistration/v1beta1 MutatingWebhookConfiguration first at kubernetes-1.9.0
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration': 9,
  // discovery.k8s.io/v1: guide ("discovery.k8s.io/v1 API version, available since v1.21"); k8s.io/api discovery/v1 at kubernetes-1.21.0
  'discovery.k8s.io/v1 EndpointSlice': 21,
  // discovery.k8s.io/v1beta1: k8s.io/api discovery/v1beta1 EndpointSlice first at kubernetes-1.17.0
  'discovery.k8s.io/v1beta1 EndpointSlice': 17,
};

/** The release (minor) that first served a built-in kind at an apiVersion ztaudit reads it at; undefined for a custom resource. */
export const servedFrom = (k: KindSpec, apiVersion: string): number | undefined => (k.builtin ? SERVED_FROM[`${apiVersion} ${k.kind}`] : undefined);

/**
 * A built-in alpha API version (`v1alpha1`, `v2alpha1`): kube-apiserver serves none of them
 * unless its --runtime-config turns them on ("Built-in alpha API versions are disabled by default
 * and must be explicitly enabled in the kube-apiserver configuration to be used",
 * kubernetes.io/docs/reference/using-api/#api-versioning).
 */
export const isAlphaApiVersion = (k: KindSpec, apiVersion: string): boolean => k.builtin && /\/v\d+alpha\d+$/.test(apiVersion);

/**
 * Whether the API server of release 1.`minor` serves a built-in kind at an apiVersion ztaudit
 * reads it at, alpha versions counted as served (turned on); true for a custom resource and for a
 * release older than SERVED_KNOWN_FROM when the version was served by v1.8.0 (not known).
 */
export function servedAt(k: KindSpec, apiVersion: string, minor: number): boolean {
  const from = servedFrom(k, apiVersion);
  // Served by v1.8.0 (SERVED_KNOWN_FROM) and asked of an older release: not known, not refused.
  if (from !== undefined && from > minor && from > SERVED_KNOWN_FROM) return false;
  const removed = olderApiVersionOf(k, apiVersion)?.removedIn;
  return removed === undefined || removed > minor;
}
