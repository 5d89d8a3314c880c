// What a Service leads to: the pod classes its selector picks and the container ports its
// ports reach on each. Shared by the exposure view and the model's Cilium forwarding paths.

import type { KubeObject } from '../../snapshot/types.ts';
import { connsOf, isProtocol, type ConnSet, type PortInterval } from './conns.ts';
import type { PodClass } from './layers.ts';

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** spec.selector's string entries, or undefined for a Service without one (its endpoints are managed apart). */
export function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const sel = obj(obj(svc.spec).selector);
  const entries = Object.entries(sel).filter(([, v]) => typeof v === 'string') as Array<[string, string]>;
  return entries.length ? Object.fromEntries(entries) : undefined;
}

export function classMatches(cls: PodClass, sel: Record<string, string>): boolean {
  for (const k in sel) if (cls.labels[k] !== sel[k]) return false;
  return true;
}

/** spec.ports, or none. */
export function servicePorts(svc: KubeObject): unknown[] {
  const ports = obj(svc.spec).ports;
  return Array.isArray(ports) ? ports : [];
}

/** Container ports a Service port reaches on one pod class (targetPort number/name, default = port). */
export function targetConns(cls: PodClass, ports: unknown[], onlyPort?: { number?: unknown; name?: unknown }): ConnSet {
  const out: PortInterval[] = [];
  for (const raw of ports) {
    const p = obj(raw);
    if (onlyPort && !((onlyPort.number !== undefined && p.port === onlyPort.number) || (onlyPort.name !== undefined && p.name === onlyPort.name))) continue;
    const proto = p.protocol === undefined ? 'TCP' : p.protocol;
    if (!isProtocol(proto)) continue;
    const tp = p.targetPort ?? p.port;
    if (typeof tp === 'number' && tp >= 1 && tp <= 65535) out.push([proto, tp, tp]);
    else if (typeof tp === 'string') {
      if (/^\d+$/.test(tp)) out.push([proto, Number(tp), Number(tp)]);
      else for (const np of cls.namedPorts) if (np.name === tp && np.protocol === proto) out.push([proto, np.port, np.port]);
    }
  }
  return connsOf(out);
}

/** The ways in from outside a Service opens: LoadBalancer/NodePort by type, externalIPs of any type. */
export function externalWays(svc: KubeObject): Array<'LoadBalancer' | 'NodePort' | 'externalIPs'> {
  const spec = obj(svc.spec);
  const out: Array<'LoadBalancer' | 'NodePort' | 'externalIPs'> = [];
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') out.push(spec.type);
  // https://kubernetes.io/docs/concepts/services-networking/service/#external-ips: traffic
  // reaching a node on one of these addresses is routed to the Service, of any type.
  if (Array.isArray(spec.externalIPs) && spec.externalIPs.some((ip) => typeof ip === 'string' && ip !== '')) out.push('externalIPs');
  return out;
}

/**
 * Whether a node receiving external traffic for the Service may send it to a pod on another
 * node: externalTrafficPolicy Cluster, the default ("Local" keeps it on the receiving node;
 * https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy).
 */
export function forwardsAcrossNodes(svc: KubeObject): boolean {
  return obj(svc.spec).externalTrafficPolicy !== 'Local';
}
