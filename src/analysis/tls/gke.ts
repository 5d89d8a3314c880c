// Ingresses GKE's own controller (kubernetes/ingress-gce) serves with a Google Cloud load
// balancer. Its frontend on port 80 is independent of spec.tls: AllowHTTP() in
// pkg/annotations/ingress.go is "True by default" and true again when the value does not parse
// (strconv.ParseBool), and only "false" leaves the load balancer with no port-80 forwarding rule
// (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#disabling_http).
// A FrontendConfig (annotation networking.gke.io/v1beta1.FrontendConfig, FrontendConfigKey
// there) may instead redirect port 80 with redirectToHttps, and names the load balancer's SSL
// policy (sslPolicy); FrontendConfigs are collected (gke.frontendconfigs) for the latter.
// HTTPS needs no spec.tls there: the load balancer also takes certificates named by
// ingress.gcp.kubernetes.io/pre-shared-cert (PreSharedCertKey, Google Cloud SSL certificate
// resources) and networking.gke.io/managed-certificates (ManagedCertificate objects; managedCertKey
// in pkg/metrics/features.go; cloud.google.com/kubernetes-engine/docs/how-to/managed-certs).
// It reads only spec.tls[].secretName, never spec.tls[].hosts (pkg/translator/translator.go:
// NewEnv and Secrets), and picks among the certificates by SNI, otherwise "uses the first
// certificate listed in the Ingress"
// (cloud.google.com/kubernetes-engine/docs/how-to/ingress-multi-ssl): a spec.tls entry gives
// every host of the Ingress HTTPS, whatever hosts it names, none included.
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { gatewayListenerLabel, gatewayListeners } from '../edge/listener-sets.ts';
import { terminatesTls } from './envoy-gateway.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { ingressClassNamed } from './nginx.ts';

/** The controller GKE's IngressClasses name (spec.controller). */
export const GKE_INGRESS_CONTROLLER = 'k8s.io/ingress-gce';
export const GKE_ALLOW_HTTP = 'kubernetes.io/ingress.allow-http';
export const GKE_FRONTEND_CONFIG = 'networking.gke.io/v1beta1.FrontendConfig';
export const GKE_MANAGED_CERTIFICATES = 'networking.gke.io/managed-certificates';
export const GKE_PRE_SHARED_CERT = 'ingress.gcp.kubernetes.io/pre-shared-cert';
/**
 * kubernetes.io/ingress.class values ingress-gce serves: IsGCEIngress in pkg/utils/utils.go takes
 * GceIngressClass, GceL7ILBIngressClass and GceL7XLBRegionalIngressClass (pkg/annotations/ingress.go),
 * the regional external Application Load Balancer, whose frontend obeys allow-http as the others do.
 */
const GKE_CLASSES = ['gce', 'gce-internal', 'gce-regional-external'];
/** What Go's strconv.ParseBool reads as false. */
const PARSE_BOOL_FALSE = ['0', 'f', 'F', 'false', 'FALSE', 'False'];

export interface GkeIngress {
  /** How the Ingress names GKE: 'kubernetes.io/ingress.class: "gce"', 'IngressClass "x"'. */
  by: string;
  /** Whether the load balancer keeps a plain-HTTP frontend on port 80. */
  allowHttp: boolean;
  /** The allow-http annotation as written, when set. */
  allowHttpRaw?: string;
  /** The FrontendConfig the Ingress names, when it names one. */
  frontendConfig?: string;
  /**
   * The certificates its load balancer serves, as written: 'spec.tls secretName "cert"',
   * 'networking.gke.io/managed-certificates: "shop-cert"', 'ingress.gcp.kubernetes.io/pre-shared-cert:
   * "a,b"'. Empty when it names none.
   */
  certificates: string[];
}

/**
 * The GKE Ingress settings of an Ingress ingress-gce serves: the kubernetes.io/ingress.class
 * annotation gce, gce-internal or gce-regional-external, or (without the annotation) spec.ingressClassName naming an
 * IngressClass of controller k8s.io/ingress-gce. Undefined for any other Ingress, a class-less
 * one included: nothing in the snapshot says the cluster is GKE.
 */
export function gkeIngressOf(snapshot: Snapshot, ing: KubeObject): GkeIngress | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const annotated = annotations['kubernetes.io/ingress.class'];
  const className = str(obj(ing.spec)?.ingressClassName);
  let by: string | undefined;
  if (annotated !== undefined) by = GKE_CLASSES.includes(annotated) ? `kubernetes.io/ingress.class: ${JSON.stringify(annotated)}` : undefined;
  else if (className !== undefined && ingressClassNamed(snapshot, className)?.controller === GKE_INGRESS_CONTROLLER) by = `IngressClass ${JSON.stringify(className)} (controller ${GKE_INGRESS_CONTROLLER})`;
  if (!by) return undefined;
  const raw = annotations[GKE_ALLOW_HTTP];
  const frontendConfig = annotations[GKE_FRONTEND_CONFIG];
  const secrets = [...new Set(arr(obj(ing.spec)?.tls).map((t) => str(obj(t)?.secretName)).filter((n): n is string => !!n))];
  const certificates = [
    ...secrets.map((n) => `spec.tls secretName ${JSON.stringify(n)}`),
    ...[GKE_MANAGED_CERTIFICATES, GKE_PRE_SHARED_CERT].filter((k) => (annotations[k] ?? '').trim() !== '').map((k) => `${k}: ${JSON.stringify(annotations[k])}`),
  ];
  return { by, allowHttp: raw === undefined || !PARSE_BOOL_FALSE.includes(raw), ...(raw !== undefined ? { allowHttpRaw: raw } : {}), ...(frontendConfig !== undefined ? { frontendConfig } : {}), certificates };
}

/**
 * Google Cloud's default SSL policy, which a load balancer without one of its own takes: minimum
 * TLS 1.0, profile COMPATIBLE (cloud.google.com/load-balancing/docs/ssl-policies-concepts, its
 * default SSL policy; CIS Google Cloud Platform Benchmark 3.9: "the GCP default SSL policy uses a
 * minimum TLS version of 1.0 and a Compatible profile"; gcloud compute ssl-policies create:
 * --min-tls-version default "1.0", --profile default "COMPATIBLE"). A GKE
 * Ingress names its policy through a FrontendConfig's spec.sslPolicy
 * (cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policies), a GKE
 * Gateway through a GCPGatewayPolicy's spec.default.sslPolicy
 * (cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_ssl_policies).
 */
export const GKE_DEFAULT_SSL_POLICY = 'Google Cloud\'s default SSL policy (minimum TLS 1.0, profile COMPATIBLE)';
/** The controllerName of GKE's GatewayClasses (gke-l7-global-external-managed and the others). */
export const GKE_GATEWAY_CONTROLLER = 'networking.gke.io/gateway';

/**
 * The GatewayClasses GKE installs itself in every cluster with the Gateway API enabled
 * (cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities): a --manifests run
 * never holds them, so a Gateway naming one of these, absent from the snapshot, is GKE's.
 */
export const GKE_GATEWAY_CLASSES = [
  'gke-l7-global-external-managed', 'gke-l7-regional-external-managed', 'gke-l7-rilb', 'gke-l7-gxlb',
  'gke-l7-global-external-managed-mc', 'gke-l7-regional-external-managed-mc', 'gke-l7-rilb-mc', 'gke-l7-gxlb-mc',
  'gke-l7-cross-regional-internal-managed-mc',
];

/**
 * Gateways GKE serves, with the names of their listeners that terminate TLS (HTTPS): those of a
 * GatewayClass of controller networking.gke.io/gateway, or naming one of GKE's own classes
 * (GKE_GATEWAY_CLASSES) when no GatewayClass of that name is in the snapshot. A class of that
 * name with another controller is not GKE's.
 */
export function gkeTlsGateways(snapshot: Snapshot): Array<{ namespace: string; name: string; gatewayClass: string; listeners: string[] }> {
  const controllers = new Map((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((c) => [c.metadata?.name ?? '', str(obj(c.spec)?.controllerName)]));
  const isGke = (name: string) => (controllers.has(name) ? controllers.get(name) === GKE_GATEWAY_CONTROLLER : GKE_GATEWAY_CLASSES.includes(name));
  return (snapshot.resources['gatewayapi.gateways'] ?? []).flatMap((gw) => {
    const gatewayClass = str(obj(gw.spec)?.gatewayClassName) ?? '';
    if (!isGke(gatewayClass)) return [];
    // The listeners of the ListenerSets it takes too: they are bound on the Gateway's addresses,
    // its load balancer's (gateway-api apis/v1/listenerset_types.go ListenerSetSpec.Listeners).
    const listeners = gatewayListeners(snapshot, gw).flatMap((l) => (terminatesTls(l.listener) ? [gatewayListenerLabel(l)] : []));
    return listeners.length ? [{ namespace: gw.metadata?.namespace ?? 'default', name: gw.metadata?.name ?? '', gatewayClass, listeners }] : [];
  });
}

/**
 * The SSL policy a GKE load balancer takes, as far as Kubernetes says: Google's default (no
 * policy named: `why` says where none was), or a Compute Engine SSL policy named by `from`,
 * whose TLS versions and suites live in Google Cloud and are not readable here.
 */
export type GkeSslPolicy = { default: true; why: string } | { default: false; policies: string[]; from: string };

/**
 * The SSL policy of a GKE Ingress's load balancer: the sslPolicy of the FrontendConfig it names
 * (same namespace), else Google's default. A FrontendConfig named but absent from the snapshot
 * sets nothing (the checks declare the read, so the snapshot read the kind whole). `frontendConfigs`
 * is gkeFrontendConfigs's index.
 */
export function gkeIngressSslPolicy(frontendConfigs: ReadonlyMap<string, KubeObject>, namespace: string, gke: GkeIngress): GkeSslPolicy {
  if (gke.frontendConfig === undefined) return { default: true, why: `no ${GKE_FRONTEND_CONFIG} annotation naming a FrontendConfig with sslPolicy` };
  const name = JSON.stringify(gke.frontendConfig);
  const fc = frontendConfigs.get(`${namespace}/${gke.frontendConfig}`);
  if (!fc) return { default: true, why: `it names FrontendConfig ${name}, which does not exist in namespace ${namespace}` };
  const policy = str(obj(fc.spec)?.sslPolicy);
  return policy ? { default: false, policies: [policy], from: `sslPolicy of FrontendConfig ${name}` } : { default: true, why: `FrontendConfig ${name} sets no sslPolicy` };
}

/** FrontendConfigs by "namespace/name". */
export function gkeFrontendConfigs(snapshot: Snapshot): Map<string, KubeObject> {
  return new Map((snapshot.resources['gke.frontendconfigs'] ?? []).map((fc) => [`${fc.metadata?.namespace ?? 'default'}/${fc.metadata?.name ?? ''}`, fc]));
}

/**
 * The SSL policy of each GKE Gateway's load balancer, by "namespace/name": the sslPolicy
 * (spec.default) of the GCPGatewayPolicies whose spec.targetRef names it (kind Gateway, group
 * gateway.networking.k8s.io, same namespace), else Google's default. Several naming policies are
 * all named: which one GKE applies is not said. One pass over the policies.
 */
export function gkeGatewaySslPolicies(snapshot: Snapshot, gateways: ReadonlyArray<{ namespace: string; name: string }>): Map<string, GkeSslPolicy> {
  const named = new Map<string, { policies: string[]; from: string[] }>();
  const targeting = new Map<string, string[]>();
  for (const p of snapshot.resources['gke.gcpgatewaypolicies'] ?? []) {
    const ref = obj(obj(p.spec)?.targetRef);
    if (str(ref?.kind) !== 'Gateway' || (str(ref?.group) ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io') continue;
    const key = `${p.metadata?.namespace ?? 'default'}/${str(ref?.name) ?? ''}`;
    const name = JSON.stringify(p.metadata?.name ?? '');
    const policy = str(obj(obj(p.spec)?.default)?.sslPolicy);
    if (policy) {
      const n = named.get(key) ?? { policies: [], from: [] };
      n.policies.push(policy);
      n.from.push(`spec.default.sslPolicy of GCPGatewayPolicy ${name}`);
      named.set(key, n);
    } else targeting.set(key, [...(targeting.get(key) ?? []), name]);
  }
  return new Map(gateways.map((g): [string, GkeSslPolicy] => {
    const key = `${g.namespace}/${g.name}`;
    const n = named.get(key);
    if (n) return [key, { default: false, policies: n.policies, from: n.from.join(', ') }];
    const without = targeting.get(key);
    return [key, { default: true, why: without ? `GCPGatewayPolicy ${without.join(', ')} targets it with no spec.default.sslPolicy` : 'no GCPGatewayPolicy targets it' }];
  }));
}

/**
 * Whether a GKE Ingress's load balancer answers port 80 with a redirect to HTTPS: the FrontendConfig
 * it names sets spec.redirectToHttps.enabled true
 * (cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#https_redirect). `why`
 * says what the input holds either way.
 */
export function gkeFrontendConfigRedirect(frontendConfigs: ReadonlyMap<string, KubeObject>, namespace: string, gke: GkeIngress): { redirects: boolean; why: string } {
  if (gke.frontendConfig === undefined) return { redirects: false, why: 'it names no FrontendConfig' };
  const name = JSON.stringify(gke.frontendConfig);
  const fc = frontendConfigs.get(`${namespace}/${gke.frontendConfig}`);
  if (!fc) return { redirects: false, why: `it names FrontendConfig ${name}, which does not exist in namespace ${namespace}` };
  return obj(obj(fc.spec)?.redirectToHttps)?.enabled === true
    ? { redirects: true, why: `FrontendConfig ${name} sets redirectToHttps.enabled: true` }
    : { redirects: false, why: `FrontendConfig ${name} does not set redirectToHttps.enabled: true` };
}
