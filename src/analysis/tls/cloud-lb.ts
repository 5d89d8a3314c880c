// TLS that terminates in front of an ingress controller, at a cloud load balancer the
// controller's LoadBalancer Service provisions. Only AWS is read: the Service annotation
// service.beta.kubernetes.io/aws-load-balancer-ssl-cert (the in-tree AWS cloud provider and the
// AWS Load Balancer Controller alike) puts a certificate on the listeners of the ports
// aws-load-balancer-ssl-ports names (port names or numbers), every port when it is absent or "*"
// (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go, ServiceAnnotationLoadBalancerSSLPorts:
// "Defaults to '*' (all)"; kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md).

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { arr, obj, str, stringMap } from '../mesh/util.ts';
import { podTemplateOf, refString } from '../workloads.ts';
import { nginxControllersFor } from './nginx.ts';

const SSL_CERT = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';
const SSL_PORTS = 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports';
const WORKLOAD_KEYS = { Deployment: 'deployments', DaemonSet: 'daemonsets', StatefulSet: 'statefulsets' } as const;

export interface UpstreamTls {
  /** "Service ingress-nginx/ingress-nginx-controller (aws-load-balancer-ssl-cert, ports https)", one per Service. */
  services: string[];
}

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
  for (const c of controllers) {
    const key = WORKLOAD_KEYS[c.ref.kind as keyof typeof WORKLOAD_KEYS];
    const workload = key ? (snapshot.resources[key] ?? []).find((o) => o.metadata?.name === c.ref.name && (o.metadata?.namespace ?? 'default') === c.namespace) : undefined;
    const template = workload ? podTemplateOf(workload) : undefined;
    if (!template) return undefined;
    const podSpec = obj(template.spec);
    if (podSpec?.hostNetwork === true) return undefined;
    if (arr(podSpec?.containers).some((ct) => arr(obj(ct)?.ports).some((p) => typeof obj(p)?.hostPort === 'number'))) return undefined;
    const labels = stringMap(obj(template.metadata)?.labels);
    const fronting = (snapshot.resources.services ?? []).filter((s) => {
      if ((s.metadata?.namespace ?? 'default') !== c.namespace) return false;
      const selector = stringMap(obj(s.spec)?.selector);
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    const exposed = fronting.filter((s) => ['LoadBalancer', 'NodePort'].includes(str(obj(s.spec)?.type) ?? 'ClusterIP'));
    if (exposed.length === 0) return undefined;
    for (const s of exposed) {
      if (str(obj(s.spec)?.type) !== 'LoadBalancer') return undefined;
      const annotations = s.metadata?.annotations ?? {};
      if (!annotations[SSL_CERT]?.trim()) return undefined;
      const raw = annotations[SSL_PORTS]?.trim();
      const sslPorts = raw && raw !== '*' ? new Set(raw.split(',').map((p) => p.trim())) : undefined;
      const ports = arr(obj(s.spec)?.ports).map(obj);
      if (ports.length === 0) return undefined;
      if (sslPorts && !ports.every((p) => sslPorts.has(String(p?.port)) || (str(p?.name) !== undefined && sslPorts.has(str(p?.name)!)))) return undefined;
      services.push(`Service ${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''} (${SSL_CERT}, TLS on ${sslPorts ? `ports ${[...sslPorts].join(', ')}` : 'every port'}) in front of ${refString(c.ref)}`);
    }
  }
  return { services };
}
