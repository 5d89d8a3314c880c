// Which pod or Service holds a cluster address, so that `reach` asked about an IP from a flow
// log answers for the pod it belongs to: NetworkPolicy applies to pods by their IPs
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/), and a Service's
// ClusterIP is translated to a pod's before policy is applied (Calico, "Pre-DNAT policy":
// ordinary policy applies after DNAT, to the pod's IP and port).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { workloadsOf } from '../workloads.ts';
import { parseIp, type Family } from '../../base/ip.ts';
import type { Labels } from './layers.ts';

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

/** One IP of a Node's status.addresses, with the Node's name and labels. */
export interface NodeAddress {
  node: string;
  labels: Labels;
  /** The entry's type as written: InternalIP, ExternalIP (any other whose address is an IP is kept too). */
  type: string;
  family: Family;
  value: bigint;
}

/**
 * The Nodes' addresses: every status.addresses entry whose address is an IP
 * (kubernetes.io/docs/reference/node/node-status/#addresses), by addressKey. `complete`: these are
 * every Node's (a live snapshot whose Nodes were listed), so an address none holds is no Node's;
 * from manifests they are only those the files hold. `why` when the Nodes could not be read
 * (forbidden, failed to list).
 * Built once per snapshot, on the first question: O(Nodes).
 */
export type NodeAddressIndex = { all: readonly NodeAddress[]; byKey: ReadonlyMap<string, readonly NodeAddress[]>; complete: boolean } | { why: string };

export const nodeAddressIndex = memoize((snapshot: Snapshot): NodeAddressIndex => {
  const status = snapshot.coverage.nodes?.status;
  if (status === 'forbidden' || status === 'error') return { why: `the Nodes could not be read (${status})` };
  const all: NodeAddress[] = [];
  const byKey = new Map<string, NodeAddress[]>();
  for (const n of snapshot.resources.nodes ?? []) {
    const list = record(n.status)?.addresses;
    for (const raw of Array.isArray(list) ? list : []) {
      const a = record(raw);
      if (typeof a?.address !== 'string') continue;
      const ip = parseIp(a.address);
      if (!ip) continue;
      const entry: NodeAddress = { node: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {}, type: typeof a.type === 'string' ? a.type : '', ...ip };
      all.push(entry);
      const k = addressKey(ip);
      const at = byKey.get(k);
      if (at) at.push(entry);
      else byKey.set(k, [entry]);
    }
  }
  return { all, byKey, complete: snapshot.origin === 'live' && status === 'ok' };
}, ['network']);
