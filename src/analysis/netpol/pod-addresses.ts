// Pods' own addresses, as the snapshot reports them (status.podIP, status.podIPs), set against
// CIDRs matched on pod addresses: a NetworkPolicy ipBlock (every CNI but Cilium, model.ts), an
// AdminNetworkPolicy's `networks`, Calico `nets`. Calico IPAM adds its IPPools for pods whose
// address is not known (calico/ip-pools.ts podPoolsOf); every other CNI has only these.
//
// Kubernetes leaves open which addresses an ipBlock is matched on for traffic inside the cluster:
// "ipBlock: This selects particular IP CIDR ranges to allow as ingress sources or egress
// destinations. These should be cluster-external IPs, since Pod IPs are ephemeral and
// unpredictable", and "Cluster ingress and egress mechanisms often require rewriting the source or
// destination IP of packets. In cases where this happens, it is not defined whether this happens
// before or after NetworkPolicy processing"
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors).
// The implementations that match it on a pod's address: kube-network-policies (the reference
// implementation for flannel/kindnet clusters: pkg/networkpolicy evaluateIPBlocks compares the
// packet's peer address with every ipBlock, pods included), kube-router and Antrea (their e2e
// suites run upstream's "should allow egress access to server in CIDR block", which puts the
// server pod's podIP/32 in an ipBlock), OVN-Kubernetes (address sets built from the CIDRs) and
// Weave Net (ipsets of the CIDRs); Calico (k8sPeerToCalicoFields turns it into nets). Cilium does
// not (github.com/cilium/cilium/issues/9209) and is never asked here.

import type { Snapshot } from '../../snapshot/types.ts';
import { ALL_V4, ALL_V6, ipToString, parseCidr, parseIp, type IpRange } from '../../base/ip.ts';
import { memoize } from '../memo.ts';
import type { PodPools } from './engine.ts';

export type Ip = { family: 4 | 6; value: bigint };

/** The pod fields read here (a PodView has them). */
export interface PodAddressInputs {
  namespace: string;
  name: string;
  origin: 'pod' | 'template';
}

export function pointRange(ip: Ip): IpRange {
  return { family: ip.family, lo: ip.value, hi: ip.value };
}

/** "pod shop/web's address 10.244.3.4", "the addresses of pods … (3 pods)": at most three named. */
export function describeAddresses(list: ReadonlyArray<{ pod: string; ips: readonly Ip[] }>): string {
  const one = (x: { pod: string; ips: readonly Ip[] }) => `pod ${x.pod}'s address${x.ips.length > 1 ? 'es' : ''} ${x.ips.map((ip) => ipToString(ip.family, ip.value)).join(' and ')}`;
  const shown = list.slice(0, 3).map(one).join(', ');
  return list.length > 3 ? `${shown} and ${list.length - 3} more pods' addresses` : shown;
}

/**
 * Every pod's own addresses (status.podIPs, status.podIP: podIP is podIPs[0], one address however
 * each spells it), by "namespace/name", once per snapshot. A pod without any is not in it.
 */
export const livePodIps = memoize((snapshot: Snapshot): Map<string, Ip[]> => {
  const out = new Map<string, Ip[]>();
  for (const p of snapshot.resources.pods ?? []) {
    const status = p.status && typeof p.status === 'object' ? (p.status as { podIP?: unknown; podIPs?: unknown }) : {};
    const texts = [...(Array.isArray(status.podIPs) ? status.podIPs.map((x: unknown) => (x && typeof x === 'object' ? (x as { ip?: unknown }).ip : undefined)) : []), status.podIP];
    const ips: Ip[] = [];
    for (const ip of texts.filter((t): t is string => typeof t === 'string').map((t) => parseIp(t))) if (ip && !ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
    if (ips.length) out.set(`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`, ips);
  }
  return out;
}, ['network']);

/**
 * The kinds whose CIDRs a pod address is matched against (policy rules, Calico network sets,
 * NetworkPolicy ipBlocks, ANP/CNP networks): where their boundaries fall is all that a known pod
 * address is compared with.
 */
const CIDR_KINDS = [
  'networkpolicies', 'anp.adminnetworkpolicies', 'anp.baselineadminnetworkpolicies', 'anp.clusternetworkpolicies',
  'calico.networkpolicies', 'calico.globalnetworkpolicies', 'calico.globalnetworksets', 'calico.networksets',
  'calico-v3.networkpolicies', 'calico-v3.globalnetworkpolicies', 'calico-v3.globalnetworksets', 'calico-v3.networksets',
] as const;
const CIDR_FIELDS = new Set(['nets', 'notNets', 'cidr', 'except', 'networks']);

/**
 * Per family, the sorted starts of the stretches of addresses no CIDR of any policy or network set
 * splits (each CIDR's first address and the one after its last): two addresses in one stretch are
 * inside or outside every such CIDR alike. Once per snapshot, O(CIDRs log CIDRs).
 */
export const cutsOf = memoize((snapshot: Snapshot): Record<4 | 6, bigint[]> => {
  const starts: Record<4 | 6, Set<bigint>> = { 4: new Set([0n]), 6: new Set([0n]) };
  const walk = (v: unknown, field?: string): void => {
    if (typeof v === 'string') {
      if (!field || !CIDR_FIELDS.has(field)) return;
      const r = parseCidr(v) ?? (parseIp(v) ? pointRange(parseIp(v)!) : undefined);
      if (!r) return;
      starts[r.family].add(r.lo);
      starts[r.family].add(r.hi + 1n);
    } else if (Array.isArray(v)) for (const x of v) walk(x, field);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const kind of CIDR_KINDS) for (const o of snapshot.resources[kind] ?? []) walk(o.spec);
  const sorted = (set: Set<bigint>) => [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { 4: sorted(starts[4]), 6: sorted(starts[6]) };
}, ['network']);

/** The stretch holding an address (cutsOf): what the address says against every CIDR read, as a range. */
export function stretchOf(cuts: Record<4 | 6, bigint[]>, ip: Ip): IpRange {
  const list = cuts[ip.family];
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid]! <= ip.value) lo = mid;
    else hi = mid - 1;
  }
  const end = lo + 1 < list.length ? list[lo + 1]! - 1n : (ip.family === 4 ? ALL_V4 : ALL_V6).hi;
  return { family: ip.family, lo: list[lo]!, hi: end };
}

/**
 * Outside Calico IPAM, the addresses a class's pods have: every pod's own (livePodIps), as the
 * stretches no policy CIDR splits (cutsOf), so that a CIDR holds all of them, none, or some —
 * the last left in doubt by the engine (podCidrStatus), naming them. Where some pod has no
 * address (Pending before its sandbox is up; a workload template standing in for pods, read from
 * manifests) the class's addresses are not known, and the doubt names the ones that are.
 * Undefined where no pod of the class has one: the model knows nothing more than without them.
 * A host-network pod has its node's address: its class is never asked (engine.ts poolsFor).
 */
export function liveAddressesOf(snapshot: Snapshot, pods: readonly PodAddressInputs[]): (() => PodPools) | undefined {
  const live = livePodIps(snapshot);
  const addressed: Array<{ pod: string; ips: Ip[] }> = [];
  const without: string[] = [];
  const stretches = new Map<string, IpRange>();
  for (const pod of pods) {
    const name = `${pod.namespace}/${pod.name}`;
    const ips = pod.origin === 'pod' ? live.get(name) : undefined;
    if (!ips) {
      without.push(pod.origin === 'pod' ? `pod ${name}` : `the pods of template ${name}`);
      continue;
    }
    addressed.push({ pod: name, ips });
    for (const ip of ips) {
      const r = stretchOf(cutsOf(snapshot), ip);
      stretches.set(`${r.family}:${r.lo}`, r);
    }
  }
  if (!addressed.length) return undefined;
  const text = `${describeAddresses(addressed)} (status.podIPs)`;
  const value: PodPools = without.length
    ? { kind: 'unknown', why: `${without.slice(0, 3).join(', ')}${without.length > 3 ? ` and ${without.length - 3} more` : ''} ${without.length > 1 ? 'have' : 'has'} no address in the snapshot yet, beside ${text}` }
    : { kind: 'known', ranges: [...stretches.values()], text, addresses: true };
  return () => value;
}

/**
 * The IP families of host-network pods, by their own addresses: a host-network pod's status.podIPs
 * are its node's addresses — "HostNetwork Pods inherit the node IPs as PodIPs", both families on a
 * dual-stack node (kubernetes pkg/kubelet/kubelet_pods.go generateAPIPodStatus, #105320). Known
 * when every pod given has addresses and all have the same families; undefined otherwise (a
 * template, a pod not yet addressed, nodes of different families).
 */
export function hostFamiliesOf(snapshot: Snapshot, pods: readonly PodAddressInputs[]): { families: ReadonlyArray<4 | 6>; text: string } | undefined {
  const live = livePodIps(snapshot);
  let families: Array<4 | 6> | undefined;
  const addressed: Array<{ pod: string; ips: Ip[] }> = [];
  for (const pod of pods) {
    const name = `${pod.namespace}/${pod.name}`;
    const ips = pod.origin === 'pod' ? live.get(name) : undefined;
    if (!ips) return undefined;
    const own = [...new Set(ips.map((ip) => ip.family))].sort();
    if (families && families.join() !== own.join()) return undefined;
    families = own;
    addressed.push({ pod: name, ips });
  }
  if (!families) return undefined;
  return { families, text: `${describeAddresses(addressed)} (status.podIPs: a host-network pod's are its node's)` };
}
