// The Nodes' pod ranges (spec.podCIDRs), where the pods' IPAM hands out addresses from them only:
// then a CIDR no Node's podCIDRs overlap holds no pod, now or after any reschedule, and a
// CIDR covering them all holds every pod. That settles for good what a pod's live address settles
// only as of the snapshot (pod-addresses.ts: "Pod IPs are ephemeral and unpredictable").
//
// Which IPAMs keep to them: the kube-controller-manager's node IPAM sets each Node's podCIDRs
// ("RangeAllocator is an allocator that assigns PodCIDRs to nodes", kubernetes
// pkg/controller/nodeipam/ipam/doc.go) and host-local IPAM hands out addresses from the node's
// range. kube-router: "Kube-router relies on kube-controller-manager to allocate pod CIDR for the
// nodes" (cloudnativelabs/kube-router Documentation/generic.md). Antrea: NodeIPAM's per-Node CIDRs
// "are set to the podCIDRs attribute of the Node spec", and "Regular `Subnet per Node` IPAM will
// continue to be used for resources without the IPPool annotation, or when the `AntreaIPAM`
// feature is disabled" (antrea-io/antrea docs/antrea-ipam.md; AntreaIPAM is an alpha gate, off by
// default). The others do not: OVN-Kubernetes gives each node a subnet of its own cluster
// subnets in the k8s.ovn.org/node-subnets annotation (ovn-org/ovn-kubernetes, OvnNodeSubnets),
// Kube-OVN and Weave Net allocate from their own ranges, Calico from its IPPools (tigera/docs#1885:
// "Calico IPAM doesn't use the .spec.podCIDR or .spec.podCIDRs on the Nodes"), and the
// NetworkPolicy-only enforcers (azure-npm, kube-network-policies) leave it to whatever CNI runs
// beside them. So the podCIDRs are trusted only under kube-router or Antrea, and only while every
// pod's live address lies in them (an Antrea IPPool, a kube-router.io/pod-cidr annotation, a
// cloud's own IPAM under Antrea's networkPolicyOnly mode would show there).
//
// Today's Nodes are not every Node: node IPAM gives a Node added later a range of --cluster-cidr,
// and a freed one again ("RangeAllocator … assigns PodCIDRs to nodes" from the cluster CIDR, and
// releases a deleted Node's: kubernetes pkg/controller/nodeipam/ipam/range_allocator.go). So what
// settles for good is the cluster's pod range, read without new permissions from the flags of
// pods and DaemonSets already collected: kube-router's own --cluster-cidr ("CIDR range of pods in
// the cluster", kube-router pkg/options/options.go), or the kube-controller-manager's
// --cluster-cidr where --allocate-node-cidrs is on (its static pod's mirror in kube-system).
// Every current Node's podCIDRs must lie in it; a Node carrying kube-router's
// kube-router.io/pod-cidr(s) annotation, which kube-router takes over spec.podCIDR
// (cloudnativelabs/kube-router pkg/utils/pod_cidr.go GetPodCidrFromNodeSpec), leaves it unknown.

import type { Snapshot } from '../../snapshot/types.ts';
import { ipToString, parseCidr, type IpRange } from '../../base/ip.ts';
import { boolSwitch, containerArgv, flagValue } from '../flags.ts';
import { memoize } from '../memo.ts';
import { containersOf, detectCni } from './cni.ts';
import type { PodPools } from './engine.ts';

/** The enforcers whose pods take their addresses from the Nodes' podCIDRs (above). */
const NODE_IPAM = new Set(['kube-router', 'antrea']);

/** Why an enforcer's pods are not known to take their addresses from the Nodes' podCIDRs. */
function ownIpam(name: string): string {
  if (name === 'ovn-kubernetes') return "ovn-kubernetes gives pods addresses from its own per-node subnets (k8s.ovn.org/node-subnets), not the Nodes' podCIDRs";
  if (name === 'kube-ovn' || name === 'weave') return `${name} gives pods addresses from its own IPAM ranges, not the Nodes' podCIDRs`;
  return `${name} enforces policy over whatever IPAM the CNI beside it uses, which is not known to keep to the Nodes' podCIDRs`;
}

/** The annotations by which kube-router takes a Node's pod range over spec.podCIDR(s) (pod_cidr.go). */
export const KUBE_ROUTER_POD_CIDR_ANNOTATIONS = ['kube-router.io/pod-cidr', 'kube-router.io/pod-cidrs'] as const;

/**
 * Where the cluster's pod range was read, and what it is; `doubt`: why that source may not give the
 * range at all (a kube-controller-manager whose --allocate-node-cidrs cannot be told).
 */
interface ClusterRange { ranges: IpRange[]; texts: string[]; from: string; doubt?: string }

/**
 * The cluster's pod range (every family) from the flags of the collected DaemonSets and pods, read
 * as the kubelet expands them from the container's env (containerArgv): kube-router's --cluster-cidr
 * (under kube-router only), the kube-controller-manager's with --allocate-node-cidrs on (default
 * false: "--allocate-node-cidrs  Should CIDRs for Pods be allocated and set on the cloud provider.",
 * kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/). Sources that
 * disagree, a value that is no CIDR, or one the spec does not show (even beside a readable one,
 * which it may contradict; the reason names both): why it is unknown. A
 * kube-controller-manager whose --allocate-node-cidrs cannot be told (boolSwitch) may or may not
 * give the range: it settles nothing alone, and one whose --cluster-cidr differs from another
 * source's leaves the range unknown.
 */
function clusterPodRange(snapshot: Snapshot, kubeRouter: boolean): ClusterRange | { why: string } {
  const found: ClusterRange[] = [];
  // Sources whose value cannot be read: never passed over for a readable one, which they may contradict.
  const unreadable: string[] = [];
  const objects = [...(snapshot.resources.daemonsets ?? []).map((o) => ({ o, kind: 'DaemonSet', containers: containersOf(o) })),
    ...(snapshot.resources.pods ?? []).map((o) => ({ o, kind: 'Pod', containers: ((o.spec as { containers?: unknown } | undefined)?.containers ?? []) as unknown[] }))];
  for (const { o, kind, containers } of objects) {
    for (const c of containers as Array<{ image?: unknown; command?: unknown; args?: unknown; env?: unknown }>) {
      if (!c || typeof c !== 'object') continue;
      const written = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');
      const image = typeof c.image === 'string' ? c.image : '';
      const router = kubeRouter && /kube-router/.test(image);
      const kcm = kind === 'Pod' && o.metadata?.namespace === 'kube-system' && (/kube-controller-manager/.test(image) || written.some((a) => /(^|\/)kube-controller-manager$/.test(a)));
      if (!router && !kcm) continue;
      const where = `${kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
      const allocates = kcm ? boolSwitch(c, 'allocate-node-cidrs', false, `the kube-controller-manager (${where})`) : undefined;
      if (allocates?.state === 'off') continue;
      const argv = containerArgv(c);
      const value = flagValue(argv.map((a) => a.arg), 'cluster-cidr');
      if (value === undefined || value === '') continue;
      const from = `${router ? "kube-router's" : "the kube-controller-manager's"} --cluster-cidr on ${where}`;
      const opaque = argv.filter((a, i) => a.unresolved.length && (/^--?cluster-cidr(?:=|$)/.test(a.arg) || /^--?cluster-cidr$/.test(argv[i - 1]?.arg ?? '')));
      if (opaque.length) {
        unreadable.push(`${from} is set from an environment variable (${opaque.map((a) => JSON.stringify(a.written)).join(', ')}) whose value is not read`);
        continue;
      }
      const texts = value.split(',').map((t) => t.trim());
      const ranges = texts.map((t) => parseCidr(t));
      if (ranges.some((r) => !r)) {
        unreadable.push(`${from} is not a list of CIDRs (${JSON.stringify(value).slice(0, 60)})`);
        continue;
      }
      found.push({ ranges: ranges as IpRange[], texts, from, ...(allocates?.state === 'unknown' ? { doubt: allocates.why } : {}) });
    }
  }
  if (unreadable.length) {
    const readable = found.map((f) => `${f.from} (${f.texts.join(',')})`).join(', ');
    return { why: `${unreadable.join('; ')}${readable ? `, so whether ${unreadable.length > 1 ? 'they agree' : 'it agrees'} with ${readable} cannot be told and the cluster's pod range is not known` : ''}` };
  }
  if (!found.length) return { why: "the cluster's pod range is not known (no kube-router --cluster-cidr, no kube-controller-manager pod with --allocate-node-cidrs and --cluster-cidr in the snapshot)" };
  const key = (r: ClusterRange) => [...r.texts].sort().join(',');
  const other = found.find((f) => key(f) !== key(found[0]!));
  if (other) {
    const doubted = [found[0]!, other].find((f) => f.doubt !== undefined);
    const tail = doubted ? ` (${doubted.doubt}, so whether it allocates the Nodes' pod ranges from its --cluster-cidr cannot be told)` : '';
    return { why: `${found[0]!.from} (${found[0]!.texts.join(',')}) and ${other.from} (${other.texts.join(',')}) disagree on the cluster's pod range${tail}` };
  }
  const sure = found.find((f) => f.doubt === undefined);
  if (!sure) return { why: `the cluster's pod range is not known: ${found[0]!.doubt}, so whether it allocates the Nodes' pod ranges from its --cluster-cidr (${found[0]!.texts.join(',')}) cannot be told` };
  return sure;
}

/** One Node's podCIDRs (spec.podCIDRs, or the older spec.podCIDR alone), or why they cannot be used. */
function podCidrsOf(spec: unknown): { ranges: IpRange[]; texts: string[] } | { bad: string } {
  const s = spec && typeof spec === 'object' ? (spec as { podCIDRs?: unknown; podCIDR?: unknown }) : {};
  const texts = Array.isArray(s.podCIDRs) && s.podCIDRs.length ? s.podCIDRs : s.podCIDR !== undefined && s.podCIDR !== '' ? [s.podCIDR] : [];
  if (!texts.length) return { bad: 'has no spec.podCIDRs' };
  const ranges: IpRange[] = [];
  for (const t of texts) {
    const r = typeof t === 'string' ? parseCidr(t) : undefined;
    if (!r) return { bad: `has a spec.podCIDRs entry that is not a CIDR (${JSON.stringify(t)?.slice(0, 60)})` };
    ranges.push(r);
  }
  return { ranges, texts: texts as string[] };
}

/** Whether `ip` of `family` lies in one of `sorted` (merged, by start, one family): a binary search. */
function within(sorted: readonly IpRange[], value: bigint): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = sorted[mid]!;
    if (value < r.lo) hi = mid - 1;
    else if (value > r.hi) lo = mid + 1;
    else return true;
  }
  return false;
}

/** One family's ranges, sorted and merged, so that within() can search them. */
function merged(ranges: readonly IpRange[], family: 4 | 6): IpRange[] {
  const list = ranges.filter((r) => r.family === family).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: IpRange[] = [];
  for (const r of list) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1n) last.hi = r.hi > last.hi ? r.hi : last.hi;
    else out.push({ ...r });
  }
  return out;
}

/** A Node's podCIDRs, as ranges and as the Node spells them. */
export interface NodePodCidrs {
  name: string;
  ranges: readonly IpRange[];
  texts: readonly string[];
}

/** The pools a pod's address comes from by the Nodes (a stable function: podCidrStatus caches by it), and the Nodes read. */
export interface NodePodAddresses {
  pools: () => PodPools;
  /** Filled once pools() has read them. */
  nodes: readonly NodePodCidrs[];
}

/**
 * Every address a pod may be given, as the Nodes' podCIDRs ("known", the text naming the Nodes),
 * or why they cannot say it ("unknown": the enforcer's IPAM does not keep to them, the Nodes
 * could not be read or are none, a Node has none, a pod's address lies outside them). Read
 * once per snapshot, only when a settlement asks (O(Nodes log Nodes + Pods log Nodes)).
 */
export const nodePodPools = memoize((snapshot: Snapshot): NodePodAddresses => {
  let value: PodPools | undefined;
  const nodes: NodePodCidrs[] = [];
  const compute = (): PodPools => {
    const others = detectCni(snapshot).plugins.filter((p) => p.enforces && !NODE_IPAM.has(p.name));
    if (others.length) return { kind: 'unknown', why: ownIpam(others[0]!.name) };
    const status = snapshot.coverage.nodes?.status;
    if (status === 'forbidden' || status === 'error') return { kind: 'unknown', why: `the Nodes could not be read (${status}), so their podCIDRs cannot show that no pod may take an address in the block` };
    const list = snapshot.resources.nodes ?? [];
    if (!list.length) return { kind: 'unknown', why: 'the snapshot holds no Node, so no podCIDRs show that no pod may take an address in the block' };
    for (const n of list) {
      const name = n.metadata?.name ?? '';
      const got = podCidrsOf(n.spec);
      if ('bad' in got) return { kind: 'unknown', why: `Node ${name} ${got.bad}: its pods' addresses are not known to come from podCIDRs` };
      nodes.push({ name, ...got });
    }
    const kubeRouter = detectCni(snapshot).plugins.some((p) => p.name === 'kube-router');
    if (kubeRouter) {
      for (const n of list) {
        const a = KUBE_ROUTER_POD_CIDR_ANNOTATIONS.find((k) => n.metadata?.annotations?.[k] !== undefined);
        if (a) return { kind: 'unknown', why: `Node ${n.metadata?.name ?? ''} carries the ${a} annotation, which kube-router takes over its spec.podCIDRs, so its pods' range may lie anywhere` };
      }
    }
    const cluster = clusterPodRange(snapshot, kubeRouter);
    if ('why' in cluster) return { kind: 'unknown', why: `${cluster.why}, so a Node added later may be given this range` };
    const all = nodes.flatMap((n) => n.ranges);
    const clusterByFamily = { 4: merged(cluster.ranges, 4), 6: merged(cluster.ranges, 6) };
    for (const n of nodes) {
      const r = n.ranges.find((x) => !clusterByFamily[x.family].some((c) => c.lo <= x.lo && x.hi <= c.hi));
      if (r) return { kind: 'unknown', why: `Node ${n.name}'s podCIDRs (${n.texts.join(', ')}) do not lie in the cluster's pod range ${cluster.texts.join(', ')} (${cluster.from}), so that range does not bound the pods' addresses` };
    }
    const byFamily = { 4: merged(all, 4), 6: merged(all, 6) };
    for (const p of snapshot.resources.pods ?? []) {
      if ((p.spec as { hostNetwork?: unknown } | undefined)?.hostNetwork === true) continue;
      const st = p.status && typeof p.status === 'object' ? (p.status as { podIP?: unknown; podIPs?: unknown }) : {};
      const texts = [...(Array.isArray(st.podIPs) ? st.podIPs.map((x: unknown) => (x && typeof x === 'object' ? (x as { ip?: unknown }).ip : undefined)) : []), st.podIP];
      for (const t of texts) {
        const r = typeof t === 'string' ? parseCidr(t.includes(':') ? `${t}/128` : `${t}/32`) : undefined;
        if (r && !within(byFamily[r.family], r.lo)) {
          return { kind: 'unknown', why: `pod ${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}'s address ${ipToString(r.family, r.lo)} lies in no Node's podCIDRs, so the pods' IPAM does not keep to them` };
        }
      }
    }
    return { kind: 'known', ranges: cluster.ranges, text: `${cluster.texts.join(', ')}, ${cluster.from}` };
  };
  return { pools: () => (value ??= compute()), nodes };
}, ['network']);

/** The Nodes whose podCIDRs overlap `ranges` (after nodePodPools found them usable), at most three named. */
export function nodesOverlapping(nodes: readonly NodePodCidrs[], ranges: readonly IpRange[]): string {
  const hit = nodes.filter((n) => n.ranges.some((a) => ranges.some((b) => a.family === b.family && a.lo <= b.hi && b.lo <= a.hi)));
  const shown = hit.slice(0, 3).map((n) => `Node ${n.name}'s podCIDRs (${n.texts.join(', ')})`).join(', ');
  return hit.length > 3 ? `${shown} and ${hit.length - 3} more Nodes'` : shown;
}
