// Probe results as check subjects: the object that exposed the endpoint (parsed from the
// probe's origin "Kind/namespace/name") with the endpoint as detail key.
import type { AuditContext } from '../context.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { TlsProbeResult } from '../../snapshot/types.ts';

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
