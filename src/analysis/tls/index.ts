// TLS-at-the-edge analysis: host coverage, controller configuration and probe targets.
export { ingressTlsHostCovers, listenerHostnameCovers, isLegacyVersionToken, versionTokens, normalizeHost } from './hosts.ts';
export {
  ingressControllerConfigMapRefs,
  nginxControllers,
  nginxControllersFor,
  servedByIngressNginx,
  configMapData,
  ingressClassOf,
  ingressClassesByController,
  INGRESS_NGINX_CONTROLLER,
  type NginxController,
} from './nginx.ts';
export { probeSubject, hasProbes } from './probes.ts';
