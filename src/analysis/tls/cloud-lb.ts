// TLS that terminates in front of an ingress controller, at a cloud load balancer the
// controller's LoadBalancer Service provisions. Only AWS is read: the Service annotation
// service.beta.kubernetes.io/aws-load-balancer-ssl-cert (the in-tree AWS cloud provider and the
// AWS Load Balancer Controller alike) puts a certificate on the listeners of the ports
// aws-load-balancer-ssl-ports names (port names or numbers), every port when it is absent or "*"
// (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go, ServiceAnnotationLoadBalancerSSLPorts:
// "Defaults to '*' (all)"; kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md).
// Those listeners negotiate TLS by the security policy aws-load-balancer-ssl-negotiation-policy
// names. Without it the in-tree provider sets none ("Defaults to AWS's default", aws.go
// ServiceAnnotationLoadBalancerSSLNegotiationPolicy), and AWS gives a listener created through
// the API ELBSecurityPolicy-2016-08 (Classic: docs.aws.amazon.com/elasticloadbalancing/latest/
// classic/ssl-config-update.html; NLB: .../network/describe-ssl-policies.html, "Other methods");
// the AWS Load Balancer Controller documents the same default (annotations.md), which its
// --default-ssl-policy flag replaces for the load balancers it provisions (aws-lbc.ts). EKS Auto
// Mode provisions an NLB for its class eks.amazonaws.com/nlb and lists ssl-cert and ssl-ports among
// the annotations it supports, but neither aws-load-balancer-ssl-negotiation-policy nor the policy
// it gives a listener without one ("EKS Auto Mode may not support all annotations",
// docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html). A Service of another load
// balancer class gets no AWS load balancer at all (awsLoadBalancerOf).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str, stringMap } from '../mesh/util.ts';
import { podTemplateOf, refString } from '../workloads.ts';
import { awsLoadBalancerControllers, LBC_LOAD_BALANCER_CLASS, lbcDefaultPolicy, lbcServiceWebhook, policyOfDefault, type LbcDefaultPolicy } from './aws-lbc.ts';
import { nginxControllersFor, type NginxController } from './nginx.ts';
import { servicesSelecting } from './services.ts';

const SSL_CERT = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';
const SSL_PORTS = 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports';
const BACKEND_PROTOCOL = 'service.beta.kubernetes.io/aws-load-balancer-backend-protocol';
const LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
export const AWS_SSL_NEGOTIATION_POLICY = 'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy';
export const AWS_DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';
const WORKLOAD_KEYS = { Deployment: 'deployments', DaemonSet: 'daemonsets', StatefulSet: 'statefulsets' } as const;

export interface UpstreamTls {
  /** "Service ingress-nginx/ingress-nginx-controller (aws-load-balancer-ssl-cert, ports https)", one per Service. */
  services: string[];
  /**
   * Those of `services` whose traffic reaches the controller other than at its HTTPS port, so nginx
   * sees scheme http: which port the connection lands on decides the scheme, whatever the load
   * balancer speaks to it. Only when the controller's HTTPS port cannot be read (--https-port from
   * an environment variable) does a re-encrypting backend protocol stand for it: ssl (the in-tree
   * provider's listener and the AWS Load Balancer Controller's target group speak TLS to the pods:
   * aws.go buildListener/instanceProtocol, model_build_listener.go `if cfg.backendProtocol == "ssl"
   * { tgProtocol = TLS }`), or https on a Classic ELB only (cloud-provider-aws service_controller
   * docs: backend-protocol http|https|ssl|tcp for ELB; the AWS Load Balancer Controller's NLB
   * accepts ssl or tcp, so https there is not TLS to the pods).
   */
  plaintextServices: string[];
}

export type TlsVersion = '1.0' | '1.1' | '1.2' | '1.3';

/**
 * The lowest TLS version an AWS predefined security policy accepts, from the protocol tables of
 * docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html (and the
 * application/ page, same names) and .../classic/elb-security-policy-table.html: the TLS13-1-x,
 * TLS-1-x and FS-1-x policies name their minimum; ELBSecurityPolicy-FS-2018-06 and the dated
 * policies (2016-08 and older) all enable Protocol-TLSv1. Undefined for any other name (a policy
 * newer than these tables, a typo): its versions are unknown here, never assumed.
 */
export function awsPolicyMinTls(policy: string): TlsVersion | undefined {
  const named = /^ELBSecurityPolicy-(?:TLS13-1-([0-3])|TLS-1-([0-2])|FS-1-([12]))(?:-[A-Za-z0-9]+)*-20\d\d-\d\d$/.exec(policy);
  if (named) return `1.${named[1] ?? named[2] ?? named[3]}` as TlsVersion;
  if (policy === 'ELBSecurityPolicy-FS-2018-06' || DATED_POLICIES.has(policy)) return '1.0';
  return undefined;
}
const DATED_POLICIES = new Set(['2016-08', '2015-05', '2015-03', '2015-02', '2014-10', '2014-01', '2011-08'].map((d) => `ELBSecurityPolicy-${d}`));

/**
 * The predefined policies a Classic Load Balancer has (docs.aws.amazon.com/elasticloadbalancing/
 * latest/classic/elb-security-policy-table.html): none of the TLS13, FS or TLS-1-2-Ext policies of
 * the NLB/ALB tables. The in-tree provider's ensureSSLNegotiationPolicy fails on any other name and
 * the listener keeps the default it was created with, ELBSecurityPolicy-2016-08.
 */
const CLASSIC_POLICIES = new Set([...DATED_POLICIES, 'ELBSecurityPolicy-TLS-1-1-2017-01', 'ELBSecurityPolicy-TLS-1-2-2017-01', 'ELBSample-ELBDefaultCipherPolicy', 'ELBSample-OpenSSLDefaultCipherPolicy']);

export type AwsLoadBalancerKind = 'Classic' | 'NLB';

/** The loadBalancerClass EKS Auto Mode provisions an AWS Network Load Balancer for (docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html). */
export const EKS_AUTO_MODE_LOAD_BALANCER_CLASS = 'eks.amazonaws.com/nlb';

export interface AwsLoadBalancer {
  kind: AwsLoadBalancerKind;
  /** Who provisions it: the in-tree AWS cloud provider, the AWS Load Balancer Controller (LBC), or EKS Auto Mode. */
  by: 'in-tree' | 'lbc' | 'eks-auto';
  /** From manifests, a class-less Service the LBC's Service webhook gives its class on create: what shows the webhook. */
  webhook?: string;
  /** From manifests, a class-less Service that webhook may or may not claim: why it cannot be told (kind and by are then the in-tree guess). */
  undecided?: string;
}

/**
 * The AWS load balancer a LoadBalancer Service gets, undefined when none does. A
 * spec.loadBalancerClass other than the AWS Load Balancer Controller's (service.k8s.aws/nlb, or
 * its --load-balancer-class) or EKS Auto Mode's belongs to another implementation (MetalLB, Cilium LB IPAM,
 * Tailscale, ...), and "any default load balancer implementation (e.g. cloud providers) should
 * ignore Services that set this field" (ServiceSpec.loadBalancerClass,
 * https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-class).
 * Without a class: a Network Load Balancer when aws-load-balancer-type is nlb (in-tree provider)
 * or external/nlb-ip (AWS Load Balancer Controller); otherwise the in-tree provider's default, a
 * Classic ELB (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go isNLB;
 * aws-load-balancer-controller docs/guide/service/nlb.md). From manifests, the AWS Load Balancer
 * Controller v2.5+ gives every class-less one its class on create (lbcServiceWebhook): an NLB of
 * the controller's, whatever aws-load-balancer-type says; when that cannot be told, `undecided`.
 */
export function awsLoadBalancerOf(snapshot: Snapshot, s: KubeObject): AwsLoadBalancer | undefined {
  const cls = str(obj(s.spec)?.loadBalancerClass);
  if (cls !== undefined) {
    if (cls === EKS_AUTO_MODE_LOAD_BALANCER_CLASS) return { kind: 'NLB', by: 'eks-auto' };
    const lbcClasses = [LBC_LOAD_BALANCER_CLASS, ...awsLoadBalancerControllers(snapshot).map((c) => c.loadBalancerClass)];
    return lbcClasses.includes(cls) ? { kind: 'NLB', by: 'lbc' } : undefined;
  }
  const webhook = lbcServiceWebhook(snapshot);
  if (webhook?.on) return { kind: 'NLB', by: 'lbc', webhook: `${webhook.by} sets loadBalancerClass ${webhook.loadBalancerClass} on create` };
  const type = s.metadata?.annotations?.[LB_TYPE]?.trim().toLowerCase();
  if (type === 'external' || type === 'nlb-ip') return { kind: 'NLB', by: 'lbc' };
  const undecided = webhook ? { undecided: webhook.unknown } : {};
  if (type === 'nlb') return { kind: 'NLB', by: 'in-tree', ...undecided };
  return { kind: 'Classic', by: 'in-tree', ...undecided };
}

export interface AwsTlsService {
  resource: ResourceRef;
  loadBalancer: AwsLoadBalancerKind;
  /** Who provisions it; on EKS Auto Mode's NLB a policy no annotation names is not known (`policy` is undefined). */
  by: AwsLoadBalancer['by'];
  /** "every port" or "ports https, 443": the listeners ssl-cert puts a certificate on. */
  listeners: string;
  policy?: string;
  /** Whether the Service names the policy; otherwise AWS's default applies, or the AWS Load Balancer Controller's. */
  policyFromAnnotation: boolean;
  /** The policy the Service names when a Classic ELB has no such policy: `policy` is then the default it keeps. */
  notOnClassic?: string;
  /** Without the annotation, on a load balancer of the AWS Load Balancer Controller whose Deployment the snapshot holds: its default (minTls is undefined when controllers conflict). */
  lbcDefault?: LbcDefaultPolicy;
  /** The lowest TLS version the policy accepts; undefined when the policy is not one AWS documents. */
  minTls?: TlsVersion;
  /** A class-less Service from manifests the AWS Load Balancer Controller's Service webhook claims: what shows it. */
  webhook?: string;
}

/** A LoadBalancer Service with aws-load-balancer-ssl-cert whose load balancer cannot be told (AwsLoadBalancer.undecided). */
export interface UndecidedTlsService {
  resource: ResourceRef;
  why: string;
}

function sslPortsOf(s: KubeObject): Set<string> | undefined {
  const raw = s.metadata?.annotations?.[SSL_PORTS]?.trim();
  return raw && raw !== '*' ? new Set(raw.split(',').map((p) => p.trim())) : undefined;
}

// Neither controller puts a certificate on a UDP port: in-tree aws.go `if port.Protocol !=
// v1.ProtocolUDP && certificateARN != ""`, the AWS Load Balancer Controller's
// model_build_listener.go likewise for UDP and TCP_UDP.
const isSslPort = (sslPorts: Set<string> | undefined, p: Record<string, unknown> | undefined): boolean =>
  !['UDP', 'TCP_UDP'].includes(str(p?.protocol)?.toUpperCase() ?? 'TCP') &&
  (!sslPorts || sslPorts.has(String(p?.port)) || (str(p?.name) !== undefined && sslPorts.has(str(p?.name)!)));

/** A LoadBalancer Service with aws-load-balancer-ssl-cert whose spec.loadBalancerClass is no AWS load balancer known here. */
export interface OtherClassTlsService {
  resource: ResourceRef;
  loadBalancerClass: string;
}

const scanTlsServices = memoize((snapshot: Snapshot): { aws: AwsTlsService[]; otherClass: OtherClassTlsService[]; undecided: UndecidedTlsService[] } => {
  const aws: AwsTlsService[] = [];
  const otherClass: OtherClassTlsService[] = [];
  const undecided: UndecidedTlsService[] = [];
  for (const s of snapshot.resources.services ?? []) {
    if (str(obj(s.spec)?.type) !== 'LoadBalancer') continue;
    const annotations = s.metadata?.annotations ?? {};
    if (!annotations[SSL_CERT]?.trim()) continue;
    const sslPorts = sslPortsOf(s);
    if (!arr(obj(s.spec)?.ports).some((p) => isSslPort(sslPorts, obj(p)))) continue;
    const resource = { kind: 'Service', namespace: s.metadata?.namespace ?? 'default', name: s.metadata?.name ?? '' };
    const lb = awsLoadBalancerOf(snapshot, s);
    if (!lb) {
      otherClass.push({ resource, loadBalancerClass: str(obj(s.spec)?.loadBalancerClass) ?? '' });
      continue;
    }
    if (lb.undecided) {
      undecided.push({ resource, why: lb.undecided });
      continue;
    }
    const named = annotations[AWS_SSL_NEGOTIATION_POLICY]?.trim();
    const notOnClassic = lb.kind === 'Classic' && named && !CLASSIC_POLICIES.has(named) ? named : undefined;
    const lbcDefault = !named && lb.by === 'lbc' ? lbcDefaultPolicy(snapshot, AWS_DEFAULT_SSL_POLICY) : undefined;
    // EKS Auto Mode is not the AWS Load Balancer Controller: its --default-ssl-policy does not
    // apply, and AWS does not say which policy Auto Mode gives a listener no annotation names.
    const policy = (!notOnClassic && named) || (lb.by === 'eks-auto' ? undefined : policyOfDefault(lbcDefault, AWS_DEFAULT_SSL_POLICY));
    aws.push({
      resource,
      loadBalancer: lb.kind,
      by: lb.by,
      listeners: sslPorts ? `ports ${[...sslPorts].join(', ')}` : 'every port',
      ...(policy !== undefined ? { policy } : {}),
      policyFromAnnotation: !!named && !notOnClassic,
      ...(notOnClassic ? { notOnClassic } : {}),
      ...(lbcDefault ? { lbcDefault } : {}),
      ...(policy === undefined || (lbcDefault && 'conflicting' in lbcDefault) ? {} : { minTls: awsPolicyMinTls(policy) }),
      ...(lb.webhook ? { webhook: lb.webhook } : {}),
    });
  }
  return { aws, otherClass, undecided };
}, 'tls');

/** LoadBalancer Services on which an AWS load balancer terminates TLS (ssl-cert on at least one of their ports), with the security policy of those listeners. */
export const awsTlsServices = (snapshot: Snapshot): AwsTlsService[] => scanTlsServices(snapshot).aws;

/** LoadBalancer Services that carry aws-load-balancer-ssl-cert on a port but are of a spec.loadBalancerClass no AWS load balancer known here answers to: their TLS is not judged. */
export const otherClassTlsServices = (snapshot: Snapshot): OtherClassTlsService[] => scanTlsServices(snapshot).otherClass;

/**
 * From manifests, a LoadBalancer Service with aws-load-balancer-ssl-cert and no
 * spec.loadBalancerClass, "namespace/name": the AWS Load Balancer Controller's Service webhook
 * decides its load balancer (lbcServiceWebhook). Undefined otherwise.
 */
export function firstClasslessAwsTlsService(snapshot: Snapshot): string | undefined {
  if (snapshot.source !== 'manifests') return undefined;
  const s = (snapshot.resources.services ?? []).find((x) => str(obj(x.spec)?.type) === 'LoadBalancer' && str(obj(x.spec)?.loadBalancerClass) === undefined && !!x.metadata?.annotations?.[SSL_CERT]?.trim());
  return s ? `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}` : undefined;
}

/** LoadBalancer Services with aws-load-balancer-ssl-cert whose AWS load balancer (Classic or the AWS Load Balancer Controller's NLB) cannot be told from the manifests: their TLS policy is not judged. */
export const undecidedTlsServices = (snapshot: Snapshot): UndecidedTlsService[] => scanTlsServices(snapshot).undecided;

/**
 * Whether every way in to the ingress-nginx controllers serving this Ingress provably goes
 * through TLS terminated at an AWS load balancer: each controller workload is known, runs
 * without hostNetwork or hostPorts, is selected by no NodePort Service and by at least one
 * LoadBalancer Service, and every port of each such Service is an ssl-cert listener.
 * Undefined when any of that does not hold or cannot be seen.
 */
export function upstreamTlsForIngressNginx(snapshot: Snapshot, ing: KubeObject): UpstreamTls | undefined {
  const controllers = nginxControllersFor(snapshot, ing);
  if (controllers.length === 0) return undefined;
  const services: string[] = [];
  const plaintextServices: string[] = [];
  for (const c of controllers) {
    const fronting = upstreamTlsOfController(snapshot, c);
    if (!fronting) return undefined;
    for (const f of fronting) {
      services.push(f.text);
      if (f.plaintext) plaintextServices.push(f.text);
    }
  }
  return { services, plaintextServices };
}

interface Fronting { text: string; plaintext: boolean }

/** Per controller, computed once per snapshot: an Ingress only picks its controllers' answers. */
const controllerAnswers = memoize((_snapshot: Snapshot) => new Map<NginxController, Fronting[] | null>(), 'tls');

function upstreamTlsOfController(snapshot: Snapshot, c: NginxController): Fronting[] | undefined {
  const answers = controllerAnswers(snapshot);
  if (!answers.has(c)) answers.set(c, fronting(snapshot, c) ?? null);
  return answers.get(c) ?? undefined;
}

/**
 * The controller's HTTPS port: --https-port, 443 by default (ingress-nginx cmd/nginx/flags.go);
 * undefined when the flag is there but not a number (an environment variable).
 */
function httpsPortOf(containers: unknown[]): number | undefined {
  for (const ct of containers) {
    for (const a of arr(obj(ct)?.args)) {
      if (typeof a !== 'string' || !a.startsWith('--https-port=')) continue;
      const m = /^--https-port=(\d+)$/.exec(a);
      return m ? Number(m[1]) : undefined;
    }
  }
  return 443;
}

/** Whether a Service port's targetPort (a number, a container port name, or the port itself when absent) is the controller's HTTPS port (when that port is unknown, only a port named https is). */
function targetsHttpsPort(p: Record<string, unknown> | undefined, containers: unknown[], httpsPort: number | undefined): boolean {
  const target = p?.targetPort ?? p?.port;
  if (typeof target === 'number') return target === httpsPort;
  if (typeof target !== 'string') return false;
  if (/^\d+$/.test(target)) return Number(target) === httpsPort;
  const named = containers.flatMap((ct) => arr(obj(ct)?.ports).map(obj)).find((cp) => str(cp?.name) === target);
  return named && httpsPort !== undefined ? named.containerPort === httpsPort : target === 'https';
}

function fronting(snapshot: Snapshot, c: NginxController): Fronting[] | undefined {
  const key = WORKLOAD_KEYS[c.ref.kind as keyof typeof WORKLOAD_KEYS];
  const workload = key ? (snapshot.resources[key] ?? []).find((o) => o.metadata?.name === c.ref.name && (o.metadata?.namespace ?? 'default') === c.namespace) : undefined;
  const template = workload ? podTemplateOf(workload) : undefined;
  if (!template) return undefined;
  const podSpec = obj(template.spec);
  if (podSpec?.hostNetwork === true) return undefined;
  const containers = arr(podSpec?.containers);
  if (containers.some((ct) => arr(obj(ct)?.ports).some((p) => typeof obj(p)?.hostPort === 'number'))) return undefined;
  const httpsPort = httpsPortOf(containers);
  const labels = stringMap(obj(template.metadata)?.labels);
  const selecting = servicesSelecting(snapshot, c.namespace, labels);
  const exposed = selecting.filter((s) => ['LoadBalancer', 'NodePort'].includes(str(obj(s.spec)?.type) ?? 'ClusterIP'));
  if (exposed.length === 0) return undefined;
  const services: Fronting[] = [];
  for (const s of exposed) {
    if (str(obj(s.spec)?.type) !== 'LoadBalancer') return undefined;
    const annotations = s.metadata?.annotations ?? {};
    if (!annotations[SSL_CERT]?.trim()) return undefined;
    const sslPorts = sslPortsOf(s);
    const ports = arr(obj(s.spec)?.ports).map(obj);
    if (ports.length === 0) return undefined;
    if (!ports.every((p) => isSslPort(sslPorts, p))) return undefined;
    const aws = awsLoadBalancerOf(snapshot, s);
    if (!aws) return undefined;
    const backend = annotations[BACKEND_PROTOCOL]?.trim().toLowerCase();
    // Undecided between Classic and NLB, https is not taken for TLS to the pods.
    const reencrypts = backend === 'ssl' || (backend === 'https' && aws.kind === 'Classic' && !aws.undecided);
    const toHttpsPort = ports.some((p) => targetsHttpsPort(p, containers, httpsPort));
    services.push({
      text: `Service ${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''} (${SSL_CERT}, TLS on ${sslPorts ? `ports ${[...sslPorts].join(', ')}` : 'every port'}${reencrypts ? `, ${BACKEND_PROTOCOL}: ${backend}` : ''}) in front of ${refString(c.ref)}`,
      plaintext: !toHttpsPort && !(reencrypts && httpsPort === undefined),
    });
  }
  return services;
}
