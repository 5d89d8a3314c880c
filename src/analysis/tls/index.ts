// TLS-at-the-edge analysis: host coverage, controller configuration and probe targets.
export { ingressTlsHostCovers, istioHostIntersection, istioHostSubsetOf, listenerHostnameCovers, isLegacyVersionToken, versionTokens, normalizeHost } from './hosts.ts';
export {
  ingressControllerConfigMapRefs,
  ingressControllerEnvConfigMapRefs,
  NGINX_CONTROLLER_KINDS,
  nginxControllers,
  nginxControllersFor,
  nginxAnnotationGroups,
  nginxConfigSources,
  nginxNoConfigMap,
  nginxWatches,
  nginxServingDoubt,
  nginxAppliedDoubt,
  nginxIngressDoubt,
  nginxIngressFailDoubt,
  NOT_KNOWN,
  servedByIngressNginx,
  configMapData,
  unreadNginxConfigMaps,
  unreadServingNginxConfigMaps,
  unreadNginxConfigMapsOf,
  nginxAnnotationBool,
  nginxBool,
  nginxRedirectSettings,
  nginxRedirectUnknown,
  nginxNotStarting,
  nginxSslProtocols,
  nginxConfigRefused,
  NGINX_CONFIG_REFUSED_EFFECT,
  ingressClassOf,
  ingressClassesByController,
  ingressClassNamed,
  INGRESS_NGINX_CONTROLLER,
  NGINX_ANNOTATION_PREFIX,
  type NginxController,
  type NginxConfigSource,
  type NginxSetting,
} from './nginx.ts';
export { ingressesInNginxOrder, nginxCanary, nginxCipherAnnotations, nginxCipherAnnotationKeys, nginxCipherDoubt, nginxCipherOnServer, nginxPrefixUnknown, nginxServerKeys, type NginxCipherAnnotations, type ServedIngress } from './nginx-ciphers.ts';
export { servedByTraefik, traefikAttachedEntryPoints, traefikEntryPoints, traefikNamedEntryPoints, traefikUnattached, traefikHttpsRedirect, traefikProvidersFor, traefikRouterPlaintext, traefikRouterTls, traefikDefaultMinTls, traefikOptionAcceptsNoVersion, traefikMinVersion, traefikDefaultOptionsRead, traefikDefaultsReadBy, traefikOptionScope, traefikTlsOptions, traefikTcpPassthroughRoutes, traefikCrdProvidersFor, traefikCrdUnserved, TRAEFIK_INGRESS_CONTROLLER, TRAEFIK_TCP_ROUTE_KEYS, type TraefikEntryPoints, type TraefikRouterPlaintext, type TraefikIngressProvider, type TraefikInstance, type TraefikTlsOptions } from './traefik.ts';
export { albIngressOf, servedByAwsAlb, ALB_PARAMS, albClassesWithParams, albUnjudged, albUnjudgedNotes, albKeptNotes, ALB_INGRESS_CONTROLLER, EKS_AUTO_MODE_ALB_CONTROLLER, ALB_LISTEN_PORTS, ALB_SSL_POLICY, type AlbIngress, type AlbProvisioner } from './aws-alb.ts';
export { upstreamTlsForIngressNginx, awsTlsServices, otherClassTlsServices, undecidedTlsServices, firstClasslessAwsTlsService, awsLoadBalancerOf, awsPolicyMinTls, AWS_SSL_NEGOTIATION_POLICY, AWS_DEFAULT_SSL_POLICY, EKS_AUTO_MODE_LOAD_BALANCER_CLASS, type UpstreamTls, type AwsTlsService, type OtherClassTlsService, type UndecidedTlsService, type TlsVersion } from './cloud-lb.ts';
export { awsLoadBalancerControllers, lbcDefaultPolicy, lbcServiceWebhook, LBC_LOAD_BALANCER_CLASS, type AwsLoadBalancerController, type LbcDefaultPolicy } from './aws-lbc.ts';
export { gatewayPassthroughListeners, probeSubject, worstPerProbeSubject, hasProbes, probeTargets, reachedAtLoadBalancerAddress, type GatewayPassthroughListener, type ProbeEndpoint, type ProbePlan } from './probes.ts';
export { opensslCipherWeaknesses, opensslEnabledSuites, goCipherSuiteWeaknesses, GO_CIPHER_SUITES, GO_PRE_122_EXTRA_SUITES, describeWeakCipher, type WeakCipher, type CipherWeakness, type CipherAnalysis } from './ciphers.ts';
export { certificateStates, certificatesNamingMissingIssuers, issuerStates, condition, describeCondition, firstTlsAcmeIngress, firstIssuerKindWithoutGroup, firstShimAnnotated, tlsSecretUses, managedSecrets, certManagerObjectsIn, SHIM_ANNOTATIONS, type CertificateState, type CertManagerObject, type MissingIssuerRef, type TlsSecretUse } from './cert-manager.ts';
export { gkeIngressOf, gkeTlsGateways, gkeIngressSslPolicy, gkeFrontendConfigs, gkeFrontendConfigRedirect, gkeGatewaySslPolicies, type GkeSslPolicy, GKE_DEFAULT_SSL_POLICY, GKE_GATEWAY_CONTROLLER, GKE_ALLOW_HTTP, GKE_FRONTEND_CONFIG, GKE_INGRESS_CONTROLLER, GKE_MANAGED_CERTIFICATES, GKE_PRE_SHARED_CERT, type GkeIngress } from './gke.ts';
export { listenerCertificateRefs, type ListenerCertificateRef } from './gateway-certificates.ts';
export { gatewaysNotEnvoyGateway, clientTrafficPolicies, clientTrafficPolicyCiphers, clientTrafficPolicyLegacy, clientTrafficPolicyLegacyCiphers, gatewayListenerPolicies, terminatesTls, type ListenerClientTrafficPolicy } from './envoy-gateway.ts';
export { ENVOY_PRE_123_DEFAULT_CIPHERS, istioGatewayRelease, istioMeshMinimum, type IstioGatewayRelease, istioGatewayServers, istioGatewayApiServers, istioMutualSettingsApplied, ISTIO_GATEWAY_CONTROLLER, istioServerTls, istioTlsDefaults, ISTIO_CIPHER_MODES, type IstioGatewayServer, type IstioTlsDefaults } from './istio.ts';
export { contourCipherConfigs, contourCipherNames, contourDefaultCiphers, contourHigher, contourTlsVersion, type ContourTlsVersion, contourReadsConfiguration, contourTlsVirtualHosts, CONTOUR_DEFAULT_CIPHERS, type ContourCiphers, contourClassOf, contourTakesClass, contourUnservedNotes } from './contour.ts';
export { AWS_POLICY_CIPHERS, AWS_SSL_POLICIES_DOC } from './aws-ciphers.ts';
