// CustomResourceDefinitions the cluster tier installs: minimal structural schemas, enough for
// the apiserver to serve the kinds ztaudit reads (no controllers behind them).

import type { KubeObject } from '../../src/snapshot/types.ts';
import type { Admin } from './env.ts';

export function istioPeerAuthenticationCrd(): KubeObject {
  return crd('security.istio.io', 'PeerAuthentication', 'peerauthentications', ['v1', 'v1beta1'], true, {});
}
export function gatewayApiGatewayCrd(): KubeObject {
  return crd('gateway.networking.k8s.io', 'Gateway', 'gateways', ['v1', 'v1beta1'], true, {
    'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/3328',
  });
}

/** The Gateway API kinds the edge exposure view follows, at the versions upstream serves them (TLSRoute/TCPRoute experimental). */
export function gatewayApiRouteCrds(): KubeObject[] {
  const approved = { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/3328' };
  return [
    crd('gateway.networking.k8s.io', 'GatewayClass', 'gatewayclasses', ['v1', 'v1beta1'], false, approved),
    crd('gateway.networking.k8s.io', 'HTTPRoute', 'httproutes', ['v1', 'v1beta1'], true, approved),
    crd('gateway.networking.k8s.io', 'GRPCRoute', 'grpcroutes', ['v1'], true, approved),
    crd('gateway.networking.k8s.io', 'TLSRoute', 'tlsroutes', ['v1alpha2'], true, approved),
    crd('gateway.networking.k8s.io', 'TCPRoute', 'tcproutes', ['v1alpha2'], true, approved),
    crd('gateway.networking.k8s.io', 'ReferenceGrant', 'referencegrants', ['v1beta1'], true, approved),
    // ListenerSet: v1 in the standard CRDs from v1.5.0; XListenerSet: v1alpha1 in the experimental CRDs of v1.3.0 and v1.4.x
    crd('gateway.networking.k8s.io', 'ListenerSet', 'listenersets', ['v1'], true, approved),
    crd('gateway.networking.x-k8s.io', 'XListenerSet', 'xlistenersets', ['v1alpha1'], true, {}),
  ];
}

/** Installs the Gateway API route, class and grant CRDs (idempotent) and waits until they are served. */
export async function installGatewayApiRouteCrds(admin: Admin): Promise<void> {
  for (const c of gatewayApiRouteCrds()) await admin.create(c, true);
  for (const [version, resource] of [['v1', 'gatewayclasses'], ['v1', 'httproutes'], ['v1', 'grpcroutes'], ['v1alpha2', 'tlsroutes'], ['v1alpha2', 'tcproutes'], ['v1beta1', 'referencegrants']]) {
    await admin.waitForResource('gateway.networking.k8s.io', version, resource);
  }
  await admin.waitForResource('gateway.networking.k8s.io', 'v1', 'listenersets');
  await admin.waitForResource('gateway.networking.x-k8s.io', 'v1alpha1', 'xlistenersets');
}

/** Linkerd's policy CRDs and Consul's ServiceIntentions, at the versions the collector tries first. */
export function linkerdAndConsulCrds(): KubeObject[] {
  return [
    crd('policy.linkerd.io', 'Server', 'servers', ['v1beta3', 'v1beta1'], true, {}),
    crd('policy.linkerd.io', 'AuthorizationPolicy', 'authorizationpolicies', ['v1alpha1'], true, {}),
    crd('policy.linkerd.io', 'MeshTLSAuthentication', 'meshtlsauthentications', ['v1alpha1'], true, {}),
    crd('policy.linkerd.io', 'NetworkAuthentication', 'networkauthentications', ['v1alpha1'], true, {}),
    crd('policy.linkerd.io', 'ServerAuthorization', 'serverauthorizations', ['v1beta1'], true, {}),
    crd('policy.linkerd.io', 'HTTPRoute', 'httproutes', ['v1beta3', 'v1beta2'], true, {}),
    crd('consul.hashicorp.com', 'ServiceIntentions', 'serviceintentions', ['v1alpha1'], true, {}),
  ];
}

export function crd(group: string, kind: string, plural: string, versions: string[], namespaced: boolean, annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, annotations },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: versions.map((name, i) => ({
        name, served: true, storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
      })),
    },
  };
}

/** cert-manager's Certificate, Issuer and ClusterIssuer, keeping `status` (no status subresource, so a test writes it on create). */
export function certManagerCrds(): KubeObject[] {
  const withStatus = (o: KubeObject): KubeObject => {
    for (const v of (o.spec as { versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }> }).versions) {
      v.schema.openAPIV3Schema.properties.status = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    return o;
  };
  return [
    withStatus(crd('cert-manager.io', 'Certificate', 'certificates', ['v1'], true, {})),
    withStatus(crd('cert-manager.io', 'Issuer', 'issuers', ['v1'], true, {})),
    withStatus(crd('cert-manager.io', 'ClusterIssuer', 'clusterissuers', ['v1'], false, {})),
  ];
}

/** Envoy Gateway's ClientTrafficPolicy: the TLS versions and ciphers of a Gateway's listeners. */
export function envoyGatewayClientTrafficPolicyCrd(): KubeObject {
  return crd('gateway.envoyproxy.io', 'ClientTrafficPolicy', 'clienttrafficpolicies', ['v1alpha1'], true, {});
}

/** Traefik's IngressRouteTCP: TCP routers whose spec.tls terminates TLS (with TLS options) or passes it through. */
export function traefikIngressRouteTcpCrd(): KubeObject {
  return crd('traefik.io', 'IngressRouteTCP', 'ingressroutetcps', ['v1alpha1'], true, {});
}

/** Traefik's MiddlewareTCP: the TCP middlewares (inFlightConn, ipAllowList) an IngressRouteTCP's routes name. */
export function traefikMiddlewareTcpCrd(): KubeObject {
  return crd('traefik.io', 'MiddlewareTCP', 'middlewaretcps', ['v1alpha1'], true, {});
}

/** Contour's ContourConfiguration: the Envoy TLS settings `contour serve --contour-config-name` reads. */
export function contourConfigurationCrd(): KubeObject {
  return crd('projectcontour.io', 'ContourConfiguration', 'contourconfigurations', ['v1alpha1'], true, {});
}

/** GKE's FrontendConfig (networking.gke.io/v1beta1) and GCPGatewayPolicy (networking.gke.io/v1): the SSL policy of a GKE Ingress's or Gateway's load balancer. */
export function gkeCrds(): KubeObject[] {
  return [crd('networking.gke.io', 'FrontendConfig', 'frontendconfigs', ['v1beta1'], true, {}), crd('networking.gke.io', 'GCPGatewayPolicy', 'gcpgatewaypolicies', ['v1'], true, {})];
}

/** Calico's IPPool in its storage form (the CRD calico-node and Typha read). */
export function calicoIpPoolCrd(): KubeObject {
  return crd('crd.projectcalico.org', 'IPPool', 'ippools', ['v1'], false, {});
}

/** Calico's FelixConfiguration in its storage form (cluster-scoped; the `default` and `node.<nodename>` ones calico-node reads). */
export function calicoFelixConfigurationCrd(): KubeObject {
  return crd('crd.projectcalico.org', 'FelixConfiguration', 'felixconfigurations', ['v1'], false, {});
}

/** Cilium's CiliumCIDRGroup (cluster-scoped; cilium.io/v2 from Cilium 1.18). */
export function ciliumCidrGroupCrd(): KubeObject {
  return crd('cilium.io', 'CiliumCIDRGroup', 'ciliumcidrgroups', ['v2'], false, {});
}

/**
 * Antrea-native policies as Antrea serves them (antrea-io/antrea build/charts/antrea/crds/
 * clusternetworkpolicy.yaml and networkpolicy.yaml): v1beta1 alone at v2.0.0-v2.2.0, v1alpha1
 * alone at v1.12.0 (`versions` chooses).
 */
export function antreaPolicyCrds(versions: string[]): KubeObject[] {
  return [
    crd('crd.antrea.io', 'ClusterNetworkPolicy', 'clusternetworkpolicies', versions, false, {}),
    crd('crd.antrea.io', 'NetworkPolicy', 'networkpolicies', versions, true, {}),
    crd('crd.antrea.io', 'Tier', 'tiers', versions, false, {}),
  ];
}

/**
 * Antrea's ClusterGroup (cluster-scoped) and Group (namespaced) as Antrea v2.x serves them
 * (build/charts/antrea/crds/clustergroup.yaml and group.yaml: v1beta1 alone at v2.0.0-v2.2.0).
 */
export function antreaGroupCrds(): KubeObject[] {
  return [
    crd('crd.antrea.io', 'ClusterGroup', 'clustergroups', ['v1beta1'], false, {}),
    crd('crd.antrea.io', 'Group', 'groups', ['v1beta1'], true, {}),
  ];
}

/** Installs the CRDs the tier uses (idempotent across test files) and waits until they are served. */
export async function installMeshAndGatewayCrds(admin: Admin): Promise<void> {
  await admin.create(istioPeerAuthenticationCrd(), true);
  await admin.create(gatewayApiGatewayCrd(), true);
  for (const c of linkerdAndConsulCrds()) await admin.create(c, true);
  await admin.create(envoyGatewayClientTrafficPolicyCrd(), true);
  await admin.create(calicoIpPoolCrd(), true);
  await admin.create(traefikIngressRouteTcpCrd(), true);
  await admin.create(traefikMiddlewareTcpCrd(), true);
  await admin.create(contourConfigurationCrd(), true);
  await admin.create(ciliumCidrGroupCrd(), true);
  for (const c of gkeCrds()) await admin.create(c, true);
  await admin.waitForResource('security.istio.io', 'v1', 'peerauthentications');
  await admin.waitForResource('gateway.envoyproxy.io', 'v1alpha1', 'clienttrafficpolicies');
  await admin.waitForResource('crd.projectcalico.org', 'v1', 'ippools');
  await admin.waitForResource('traefik.io', 'v1alpha1', 'ingressroutetcps');
  await admin.waitForResource('traefik.io', 'v1alpha1', 'middlewaretcps');
  await admin.waitForResource('projectcontour.io', 'v1alpha1', 'contourconfigurations');
  await admin.waitForResource('cilium.io', 'v2', 'ciliumcidrgroups');
  await admin.waitForResource('networking.gke.io', 'v1beta1', 'frontendconfigs');
  await admin.waitForResource('networking.gke.io', 'v1', 'gcpgatewaypolicies');
  await admin.waitForResource('gateway.networking.k8s.io', 'v1', 'gateways');
  await installGatewayApiRouteCrds(admin);
  for (const c of linkerdAndConsulCrds()) await admin.waitForResource(String(c.spec?.group), String((c.spec?.versions as Array<{ name: string }>)[0].name), String((c.spec?.names as { plural: string }).plural));
}

