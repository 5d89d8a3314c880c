// What to probe, and probe results as check subjects: the object that exposed the endpoint
// (parsed from the probe's origin "Kind/namespace/name") with the endpoint as detail key.
import type { AuditContext } from '../context.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Config } from '../../config/types.ts';
import type { Snapshot, TlsProbeResult } from '../../snapshot/types.ts';
import { ingressTlsHostCovers } from './hosts.ts';

export type ProbeEndpoint = TlsProbeResult['endpoint'];

export function probeSubject(p: TlsProbeResult): { resource: ResourceRef; detailKey: string; label: string } {
  const ep = p.endpoint;
  const label = `${ep.sni && ep.sni !== ep.host ? `${ep.sni}@` : ''}${ep.host}:${ep.port}`;
  const m = /^([^/]+)\/([^/]*)\/([^/]+)$/.exec(ep.origin ?? '');
  if (m) return { resource: { kind: m[1], namespace: m[2] || undefined, name: m[3] }, detailKey: label, label };
  return { resource: { kind: 'TLSEndpoint', name: label }, detailKey: label, label };
}

export function hasProbes(ctx: AuditContext): boolean {
  return (ctx.snapshot.probes?.length ?? 0) > 0;
}

function lbAddresses(o: { status?: unknown }): string[] {
  const st = o.status as { loadBalancer?: { ingress?: Array<{ ip?: unknown; hostname?: unknown }> } } | undefined;
  const list = Array.isArray(st?.loadBalancer?.ingress) ? st!.loadBalancer!.ingress! : [];
  return list.flatMap((i) => [i?.ip, i?.hostname]).filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/**
 * What to probe: TLS hosts of Ingresses (at their load-balancer addresses, SNI = host; the
 * host name itself when no address is published), LoadBalancer Services on 443/8443, and
 * config.tls.probe.endpoints.
 */
export function probeTargets(snapshot: Snapshot, config: Config): ProbeEndpoint[] {
  const out = new Map<string, ProbeEndpoint>();
  const add = (ep: ProbeEndpoint) => {
    const key = `${ep.host}|${ep.port}|${ep.sni ?? ''}`;
    if (!out.has(key)) out.set(key, ep);
  };
  for (const ing of snapshot.resources.ingresses ?? []) {
    const spec = (ing.spec ?? {}) as { rules?: unknown; tls?: unknown };
    const tlsHosts = (Array.isArray(spec.tls) ? spec.tls : []).flatMap((t: { hosts?: unknown }) => (Array.isArray(t?.hosts) ? t.hosts : [])).filter((h: unknown): h is string => typeof h === 'string');
    const hosts = (Array.isArray(spec.rules) ? spec.rules : []).map((r: { host?: unknown }) => r?.host).filter((h: unknown): h is string => typeof h === 'string' && !h.startsWith('*'));
    const origin = `Ingress/${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;
    const addrs = lbAddresses(ing);
    for (const host of new Set(hosts)) {
      if (!tlsHosts.some((t) => ingressTlsHostCovers(t, host))) continue;
      if (addrs.length === 0) add({ host, port: 443, sni: host, origin });
      for (const a of addrs) add({ host: a, port: 443, sni: host, origin });
    }
  }
  for (const svc of snapshot.resources.services ?? []) {
    const spec = (svc.spec ?? {}) as { type?: unknown; ports?: unknown };
    if (spec.type !== 'LoadBalancer') continue;
    const origin = `Service/${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: { port?: unknown }) => p?.port).filter((p: unknown): p is number => p === 443 || p === 8443);
    for (const a of lbAddresses(svc)) for (const port of ports) add({ host: a, port, origin });
  }
  for (const e of config.tls.probe.endpoints) add({ host: e.host, port: e.port, ...(e.sni ? { sni: e.sni } : {}), origin: 'config' });
  return [...out.values()];
}
