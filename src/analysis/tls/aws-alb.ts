// Ingresses the AWS Load Balancer Controller serves with an Application Load Balancer, read from
// its annotations (kubernetes-sigs/aws-load-balancer-controller docs/guide/ingress/annotations.md,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/):
// listen-ports defaults to '[{"HTTP": 80}]' or '[{"HTTPS": 443}]' depending on whether
// certificate-arn is specified; ssl-redirect gives every HTTP listener a default action that
// redirects to HTTPS; ssl-policy defaults to ELBSecurityPolicy-2016-08, or the controller's
// --default-ssl-policy (aws-lbc.ts). Ingresses sharing an
// alb.ingress.kubernetes.io/group.name share one ALB and merge listen-ports, and one Ingress's
// ssl-redirect or ssl-policy applies to the whole group: not modelled, each Ingress is read alone.

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { obj, str } from '../mesh/util.ts';
import { lbcDefaultPolicy, policyOfDefault, type LbcDefaultPolicy } from './aws-lbc.ts';
import { AWS_DEFAULT_SSL_POLICY, awsPolicyMinTls, type TlsVersion } from './cloud-lb.ts';
import { ingressClassesByController, ingressClassNamed } from './nginx.ts';

export const ALB_INGRESS_CONTROLLER = 'ingress.k8s.aws/alb';
const PREFIX = 'alb.ingress.kubernetes.io/';
export const ALB_LISTEN_PORTS = `${PREFIX}listen-ports`;
export const ALB_SSL_POLICY = `${PREFIX}ssl-policy`;
const CERTIFICATE_ARN = `${PREFIX}certificate-arn`;
const SSL_REDIRECT = `${PREFIX}ssl-redirect`;

export interface AlbIngress {
  /** The listen-ports annotation, or the default it falls back to. */
  listeners: Array<{ protocol: 'HTTP' | 'HTTPS'; port: number }>;
  listenPortsFromAnnotation: boolean;
  /** A listen-ports value the controller cannot read: the error, in one line. */
  invalidListenPorts?: string;
  certificateArn: boolean;
  sslRedirect?: string;
  policy: string;
  policyFromAnnotation: boolean;
  /** Without the annotation, when the snapshot holds the controller's Deployment: its default (minTls is undefined when controllers conflict). */
  lbcDefault?: LbcDefaultPolicy;
  minTls?: TlsVersion;
}

/**
 * Whether the AWS Load Balancer Controller serves this Ingress: spec.ingressClassName names an
 * IngressClass of controller ingress.k8s.aws/alb; without it the annotation kubernetes.io/ingress.class
 * is "alb", or neither is set and the default IngressClass is the controller's.
 */
export function servedByAwsAlb(snapshot: Snapshot, ing: KubeObject): boolean {
  const className = str(obj(ing.spec)?.ingressClassName);
  if (className !== undefined) return ingressClassNamed(snapshot, className)?.controller === ALB_INGRESS_CONTROLLER;
  const annotation = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (annotation !== undefined) return annotation === 'alb';
  return ingressClassesByController(snapshot).some((c) => c.isDefault && c.controller === ALB_INGRESS_CONTROLLER);
}

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

/** How the ALB listens for this Ingress; undefined when the AWS Load Balancer Controller does not serve it. */
export function albIngressOf(snapshot: Snapshot, ing: KubeObject): AlbIngress | undefined {
  if (!servedByAwsAlb(snapshot, ing)) return undefined;
  const annotations = ing.metadata?.annotations ?? {};
  const certificateArn = !!annotations[CERTIFICATE_ARN]?.trim();
  const raw = annotations[ALB_LISTEN_PORTS]?.trim();
  const parsed = raw ? parseListenPorts(raw) : undefined;
  const listeners = Array.isArray(parsed) ? parsed : [{ protocol: certificateArn ? 'HTTPS' as const : 'HTTP' as const, port: certificateArn ? 443 : 80 }];
  const named = annotations[ALB_SSL_POLICY]?.trim();
  const lbcDefault = named ? undefined : lbcDefaultPolicy(snapshot, AWS_DEFAULT_SSL_POLICY);
  const policy = named || policyOfDefault(lbcDefault, AWS_DEFAULT_SSL_POLICY);
  const sslRedirect = annotations[SSL_REDIRECT]?.trim();
  return {
    listeners,
    listenPortsFromAnnotation: Array.isArray(parsed),
    ...(typeof parsed === 'string' ? { invalidListenPorts: parsed } : {}),
    certificateArn,
    ...(sslRedirect ? { sslRedirect } : {}),
    policy,
    policyFromAnnotation: !!named,
    ...(lbcDefault ? { lbcDefault } : {}),
    ...(lbcDefault && 'conflicting' in lbcDefault ? {} : { minTls: awsPolicyMinTls(policy) }),
  };
}
