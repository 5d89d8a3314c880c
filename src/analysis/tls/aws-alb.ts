// Ingresses an AWS Application Load Balancer serves, read from their annotations: the
// self-installed AWS Load Balancer Controller's (IngressClass controller ingress.k8s.aws/alb;
// kubernetes-sigs/aws-load-balancer-controller docs/guide/ingress/annotations.md,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/):
// listen-ports defaults to '[{"HTTP": 80}]' or '[{"HTTPS": 443}]' depending on whether
// certificate-arn is specified; ssl-redirect gives every HTTP listener a default action that
// redirects to HTTPS; ssl-policy defaults to ELBSecurityPolicy-2016-08, or the controller's
// --default-ssl-policy (aws-lbc.ts). Ingresses sharing an
// alb.ingress.kubernetes.io/group.name share one ALB and merge listen-ports, and one Ingress's
// ssl-redirect or ssl-policy applies to the whole group: not modelled, each Ingress is read alone.
//
// EKS Auto Mode's built-in load balancing serves the Ingresses of an IngressClass of controller
// eks.amazonaws.com/alb ("Create an IngressClass to configure an Application Load Balancer",
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html). It reads the same
// Ingress annotations but those its tables list as not supported (kubernetes.io/ingress.class,
// group.name, ...; ssl-redirect is the documented replacement for IngressClassParams
// sslRedirectPort), and the IngressClassParams (API group eks.amazonaws.com) the class's
// spec.parameters names: certificateARNs, "ARNs of SSL certificates to use" (the LBC's
// certificateArn, renamed), and sslPolicy, which "Sets the security policy for HTTPS listeners.
// Overrides the alb.ingress.kubernetes.io/ssl-policy annotation." The page names no default
// policy for Auto Mode, and the LBC's --default-ssl-policy is not Auto Mode's: with neither field
// nor annotation the policy is unknown here (policy undefined), as for Auto Mode's NLB (cloud-lb.ts).

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { lbcDefaultPolicy, policyOfDefault, type LbcDefaultPolicy } from './aws-lbc.ts';
import { AWS_DEFAULT_SSL_POLICY, awsPolicyMinTls, type TlsVersion } from './cloud-lb.ts';
import { ingressClassesByController, ingressClassNamed, type IngressClassInfo } from './nginx.ts';

export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';
export const EKS_AUTO_MODE_ALB_CONTROLLER = 'eks.amazonaws.com/alb';
const EKS_API_GROUP = 'eks.amazonaws.com';
const PREFIX = 'alb.ingress.kubernetes.io/';
export const ALB_LISTEN_PORTS = `${PREFIX}listen-ports`;
export const ALB_SSL_POLICY = `${PREFIX}ssl-policy`;
const CERTIFICATE_ARN = `${PREFIX}certificate-arn`;
const SSL_REDIRECT = `${PREFIX}ssl-redirect`;

/** Who provisions the ALB: the AWS Load Balancer Controller (LBC) or EKS Auto Mode. */
export type AlbProvisioner = 'lbc' | 'eks-auto';

export interface AlbIngress {
  by: AlbProvisioner;
  /** EKS Auto Mode: the IngressClassParams the class names, and whether the snapshot holds it. */
  ingressClassParams?: { name: string; found: boolean };
  /** The listen-ports annotation, or the default it falls back to. */
  listeners: Array<{ protocol: 'HTTP' | 'HTTPS'; port: number }>;
  listenPortsFromAnnotation: boolean;
  /** A listen-ports value the controller cannot read: the error, in one line. */
  invalidListenPorts?: string;
  /** A certificate is given: the certificate-arn annotation, or (EKS Auto Mode) the IngressClassParams' certificateARNs. */
  certificateArn: boolean;
  /** The certificate comes from the IngressClassParams' certificateARNs (and not the annotation). */
  certificateFromParams: boolean;
  sslRedirect?: string;
  /** Undefined on EKS Auto Mode when neither the IngressClassParams nor the annotation names one (AWS documents no default). */
  policy?: string;
  policyFromAnnotation: boolean;
  /** EKS Auto Mode: the IngressClassParams' sslPolicy names it, overriding any annotation. */
  policyFromParams: boolean;
  /** Without the annotation, when the snapshot holds the controller's Deployment: its default (minTls is undefined when controllers conflict). */
  lbcDefault?: LbcDefaultPolicy;
  minTls?: TlsVersion;
}

const provisionerOf = (c: IngressClassInfo | undefined): AlbProvisioner | undefined =>
  c?.controller === ALB_INGRESS_CONTROLLER ? 'lbc' : c?.controller === EKS_AUTO_MODE_ALB_CONTROLLER ? 'eks-auto' : undefined;

/**
 * The IngressClass of an ALB implementation serving this Ingress, and which: spec.ingressClassName
 * names an IngressClass of controller ingress.k8s.aws/alb or eks.amazonaws.com/alb; without it the
 * annotation kubernetes.io/ingress.class "alb" is the AWS Load Balancer Controller's (EKS Auto Mode
 * does not support the annotation), or neither is set and the default IngressClass is one of theirs.
 */
function albClassOf(snapshot: Snapshot, ing: KubeObject): { by: AlbProvisioner; cls?: IngressClassInfo } | undefined {
  const className = str(obj(ing.spec)?.ingressClassName);
  if (className !== undefined) {
    const cls = ingressClassNamed(snapshot, className);
    const by = provisionerOf(cls);
    return by ? { by, cls } : undefined;
  }
  const annotation = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (annotation !== undefined) return annotation === 'alb' ? { by: 'lbc' } : undefined;
  const defaults = ingressClassesByController(snapshot).filter((c) => c.isDefault);
  const cls = defaults.find((c) => provisionerOf(c) === 'lbc') ?? defaults.find((c) => provisionerOf(c) === 'eks-auto');
  return cls ? { by: provisionerOf(cls)!, cls } : undefined;
}

/** Whether an AWS ALB (the AWS Load Balancer Controller's or EKS Auto Mode's) serves this Ingress. */
export function servedByAwsAlb(snapshot: Snapshot, ing: KubeObject): boolean {
  return albClassOf(snapshot, ing) !== undefined;
}

/** The name of the eks.amazonaws.com IngressClassParams an EKS Auto Mode IngressClass names in spec.parameters. */
export function eksIngressClassParamsName(cls: IngressClassInfo): string | undefined {
  const p = cls.parameters;
  return cls.controller === EKS_AUTO_MODE_ALB_CONTROLLER && p?.apiGroup === EKS_API_GROUP && p.kind === 'IngressClassParams' && p.name ? p.name : undefined;
}

/** The EKS Auto Mode IngressClasses that name IngressClassParams: "IngressClass alb (IngressClassParams \"alb\")". */
export function eksAlbClassesWithParams(snapshot: Snapshot): string[] {
  return ingressClassesByController(snapshot).flatMap((c) => {
    const name = eksIngressClassParamsName(c);
    return name ? [`IngressClass ${c.name} (IngressClassParams ${JSON.stringify(name)})`] : [];
  });
}

/** IngressClassParams (eks.amazonaws.com, cluster-scoped) by name, once per snapshot. */
const eksIngressClassParams = memoize((snapshot: Snapshot): Map<string, KubeObject> => {
  const m = new Map<string, KubeObject>();
  for (const p of snapshot.resources['eks.ingressclassparams'] ?? []) if (p.metadata?.name) m.set(p.metadata.name, p);
  return m;
}, 'tls');

function parseListenPorts(raw: string): AlbIngress['listeners'] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'not valid JSON';
  }
  if (!Array.isArray(parsed)) return 'not a JSON list';
  const out: AlbIngress['listeners'] = [];
  for (const entry of parsed) {
    const e = obj(entry);
    const keys = e ? Object.keys(e) : [];
    if (keys.length !== 1 || !['HTTP', 'HTTPS'].includes(keys[0]) || !Number.isInteger(e![keys[0]])) return 'an entry is not {"HTTP": port} or {"HTTPS": port}';
    out.push({ protocol: keys[0] as 'HTTP' | 'HTTPS', port: e![keys[0]] as number });
  }
  return out;
}

/** How the ALB listens for this Ingress; undefined when no AWS ALB implementation serves it. */
export function albIngressOf(snapshot: Snapshot, ing: KubeObject): AlbIngress | undefined {
  const served = albClassOf(snapshot, ing);
  if (!served) return undefined;
  const { by } = served;
  const paramsName = by === 'eks-auto' && served.cls ? eksIngressClassParamsName(served.cls) : undefined;
  const params = paramsName !== undefined ? eksIngressClassParams(snapshot).get(paramsName) : undefined;
  const spec = obj(params?.spec);
  const paramsPolicy = str(spec?.sslPolicy)?.trim() || undefined;
  const paramsCertificate = arr(spec?.certificateARNs).some((a) => typeof a === 'string' && a.trim() !== '');
  const annotations = ing.metadata?.annotations ?? {};
  const annotatedCertificate = !!annotations[CERTIFICATE_ARN]?.trim();
  const certificateArn = annotatedCertificate || paramsCertificate;
  const raw = annotations[ALB_LISTEN_PORTS]?.trim();
  const parsed = raw ? parseListenPorts(raw) : undefined;
  const listeners = Array.isArray(parsed) ? parsed : [{ protocol: certificateArn ? 'HTTPS' as const : 'HTTP' as const, port: certificateArn ? 443 : 80 }];
  const annotated = annotations[ALB_SSL_POLICY]?.trim() || undefined;
  const named = paramsPolicy ?? annotated;
  const lbcDefault = named || by !== 'lbc' ? undefined : lbcDefaultPolicy(snapshot, AWS_DEFAULT_SSL_POLICY);
  const policy = named ?? (by === 'lbc' ? policyOfDefault(lbcDefault, AWS_DEFAULT_SSL_POLICY) : undefined);
  const sslRedirect = annotations[SSL_REDIRECT]?.trim();
  return {
    by,
    ...(paramsName !== undefined ? { ingressClassParams: { name: paramsName, found: params !== undefined } } : {}),
    listeners,
    listenPortsFromAnnotation: Array.isArray(parsed),
    ...(typeof parsed === 'string' ? { invalidListenPorts: parsed } : {}),
    certificateArn,
    certificateFromParams: paramsCertificate && !annotatedCertificate,
    ...(sslRedirect ? { sslRedirect } : {}),
    ...(policy !== undefined ? { policy } : {}),
    policyFromAnnotation: paramsPolicy === undefined && annotated !== undefined,
    policyFromParams: paramsPolicy !== undefined,
    ...(lbcDefault ? { lbcDefault } : {}),
    ...(policy === undefined || (lbcDefault && 'conflicting' in lbcDefault) ? {} : { minTls: awsPolicyMinTls(policy) }),
  };
}
