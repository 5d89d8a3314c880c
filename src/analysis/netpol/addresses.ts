// Which pod or Service holds a cluster address, so that `reach` asked about an IP from a flow
// log answers for the pod it belongs to: NetworkPolicy applies to pods by their IPs
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/), and a Service's
// ClusterIP is translated to a pod's before policy is applied (Calico, "Pre-DNAT policy":
// ordinary policy applies after DNAT, to the pod's IP and port).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { workloadsOf } from '../workloads.ts';
import { parseIp } from '../../base/ip.ts';

export type AddressHolder =
  | { kind: 'pod'; namespace: string; name: string; hostNetwork: boolean; owner?: ResourceRef }
  | { kind: 'service'; namespace: string; name: string; selector: Record<string, string> };

/** The key an address is indexed by: one per address, whatever its spelling (IPv6 zeros). */
export function addressKey(ip: { family: number; value: bigint }): string {
  return `${ip.family}:${ip.value}`;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function texts(list: unknown, pick: (x: unknown) => unknown): string[] {
  return Array.isArray(list) ? list.map(pick).filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Every pod IP (status.podIP, status.podIPs) and Service ClusterIP (spec.clusterIP(s)) of the
 * snapshot, by addressKey. Pods that ended (Succeeded, Failed) are left out: their address
 * may already be another pod's. Built once per snapshot, on the first address asked.
 */
export const indexAddresses = memoize((snapshot: Snapshot): Map<string, AddressHolder[]> => {
  const owners = new Map<string, ResourceRef>();
  for (const w of workloadsOf(snapshot)) for (const p of w.pods) if (p.origin === 'pod') owners.set(`${p.namespace}/${p.name}`, w.ref);
  const out = new Map<string, AddressHolder[]>();
  const add = (text: string, h: AddressHolder) => {
    const ip = parseIp(text);
    if (!ip) return;
    const k = addressKey(ip);
    const list = out.get(k);
    if (!list) out.set(k, [h]);
    else if (!list.some((x) => x.kind === h.kind && x.namespace === h.namespace && x.name === h.name)) list.push(h);
  };
  for (const p of snapshot.resources.pods ?? []) {
    const status = record(p.status);
    if (!status || status.phase === 'Succeeded' || status.phase === 'Failed') continue;
    const namespace = p.metadata?.namespace ?? 'default';
    const name = p.metadata?.name ?? '';
    const owner = owners.get(`${namespace}/${name}`);
    const holder: AddressHolder = { kind: 'pod', namespace, name, hostNetwork: record(p.spec)?.hostNetwork === true, ...(owner ? { owner } : {}) };
    for (const ip of [...texts([status.podIP], (x) => x), ...texts(status.podIPs, (x) => record(x)?.ip)]) add(ip, holder);
  }
  for (const s of snapshot.resources.services ?? []) {
    const spec = record(s.spec);
    const selector: Record<string, string> = {};
    for (const [k, v] of Object.entries(record(spec?.selector) ?? {})) if (typeof v === 'string') selector[k] = v;
    const holder: AddressHolder = { kind: 'service', namespace: s.metadata?.namespace ?? 'default', name: s.metadata?.name ?? '', selector };
    for (const ip of [...texts([spec?.clusterIP], (x) => x), ...texts(spec?.clusterIPs, (x) => x)]) if (ip !== 'None') add(ip, holder);
  }
  return out;
}, ['network']);
