// Calico IPPools: where Calico IPAM gives pods their addresses. "An IP pool resource (IPPool)
// represents a collection of IP addresses from which Calico expects endpoint IPs to be assigned"
// (docs.tigera.io/calico/latest/reference/resources/ippool). A pool serves pods only when its
// spec.allowedUses holds Workload (default [Workload, Tunnel]; Tunnel and LoadBalancer pools give
// pods nothing); a disabled pool gives no new addresses, but pods keep the ones they have, so it
// still counts. The pools a pod may draw from can only be narrowed (spec.nodeSelector, the pod's
// or namespace's cni.projectcalico.org/ipv4pools|ipv6pools annotations, the CNI config's
// ipv4_pools: docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses), so the union
// of every Workload pool holds every Calico pod's address: a CIDR list covering that union holds
// every pod, one disjoint from it none, and only a partial overlap leaves the pod in doubt.
//
// All of this holds only where Calico IPAM addresses the pods: "IP pools are only used when Calico
// is used for pod networking, IP pools are not utilized when using other pod networking solutions"
// (docs.tigera.io/calico-cloud/networking/ipam/initial-ippool). Calico enforcing policy alone (EKS
// and AKS with the cloud's CNI, GKE, Canal's flannel networking) leaves pods on the other plugin's
// addresses while calico-node may still create its default pool, so the pools are trusted only on
// positive evidence (calicoIpamDoubt).

import type { Snapshot, KubeObject } from '../../../snapshot/types.ts';
import { parseCidr, type IpRange } from '../../../base/ip.ts';
import type { PodPools } from '../engine.ts';
import { containersOf, detectCni, isCalicoAgent, isCalicoAgentContainer } from '../cni.ts';
import { podTemplateOf } from '../../workloads.ts';
import { imageRepository, repositoryIs } from '../../images.ts';

export type { PodPools };

const cache = new WeakMap<Snapshot, PodPools>();

function workloadUse(spec: Record<string, unknown>): boolean {
  const uses = spec.allowedUses;
  return !Array.isArray(uses) || uses.length === 0 || uses.includes('Workload');
}

/** The Workload pools of the snapshot (the projectcalico.org/v3 view and its crd.projectcalico.org/v1 storage form, by name), once per snapshot. */
export function podPools(snapshot: Snapshot): PodPools {
  const hit = cache.get(snapshot);
  if (hit) return hit;
  const out = readPools(snapshot);
  cache.set(snapshot, out);
  return out;
}

function readPools(snapshot: Snapshot): PodPools {
  const unread = (['calico-v3.ippools', 'calico.ippools'] as const).map((k) => ({ k, c: snapshot.coverage[k] })).filter(({ c }) => c && (c.status === 'forbidden' || c.status === 'error'));
  const byName = new Map<string, KubeObject>();
  for (const key of ['calico-v3.ippools', 'calico.ippools'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
      if (name && !byName.has(name)) byName.set(name, o);
    }
  }
  // One group refused while the other listed them: the listed one holds the same pools.
  if (byName.size === 0) {
    if (unread.length) return { kind: 'unknown', why: `Calico IPPools could not be read (${unread.map(({ k, c }) => `${k === 'calico.ippools' ? 'ippools.crd.projectcalico.org' : 'ippools.projectcalico.org'} ${c!.status}`).join(', ')})` };
    return { kind: 'unknown', why: 'no Calico IPPool was read' };
  }
  const notIpam = calicoIpamDoubt(snapshot);
  if (notIpam) return { kind: 'unknown', why: `Calico IPPools are not trusted: ${notIpam}` };
  const ranges: IpRange[] = [];
  const texts: string[] = [];
  for (const [name, o] of byName) {
    const spec = o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
    if (!workloadUse(spec)) continue;
    const r = typeof spec.cidr === 'string' ? parseCidr(spec.cidr) : undefined;
    // A pool whose CIDR does not parse (the API server refuses one) leaves its pods' addresses unknown.
    if (!r) return { kind: 'unknown', why: `Calico IPPool ${name} has no valid spec.cidr` };
    ranges.push(r);
    texts.push(`IPPool ${name} (${spec.cidr as string}${spec.disabled === true ? ', disabled' : ''})`);
  }
  if (!ranges.length) return { kind: 'unknown', why: 'no Calico IPPool allows Workload use' };
  return { kind: 'known', ranges, text: texts.join(', ') };
}

/**
 * Plugins that give pods their addresses themselves (cni.ts names them): with one running, pods
 * are not on Calico IPAM's addresses. The policy-only engines (azure-npm, kube-network-policies)
 * address nothing.
 */
const ADDRESSING = new Set(['flannel', 'kindnet', 'cilium', 'weave', 'ovn-kubernetes', 'kube-ovn', 'antrea', 'kube-router']);

/**
 * The cloud CNIs Calico runs beside for policy only: the Amazon VPC CNI (aws-node, image
 * amazon-k8s-cni), Azure CNI (azure-cni, azure-cns, azure-vnet images) and GKE's netd. Each gives
 * pods addresses from the cloud network; a policy-only Calico next to it leaves its pools unused.
 */
function cloudCniOf(o: KubeObject): string | undefined {
  const name = (o.metadata?.name ?? '').toLowerCase();
  const images = containersOf(o).map((c) => (typeof c.image === 'string' ? imageRepository(c.image) : ''));
  if (name === 'aws-node' || images.some((r) => repositoryIs(r, 'amazon-k8s-cni') || r.endsWith('/amazon-k8s-cni'))) return 'the Amazon VPC CNI';
  if (images.some((r) => /(?:^|\/)azure-(?:cni|cns|vnet)[^/]*$/.test(r))) return 'Azure CNI';
  if (name === 'netd' || images.some((r) => /(?:^|\/)netd(?:-amd64|-arm64)?$/.test(r))) return "GKE's netd";
  return undefined;
}

type EnvValue = { value: string } | { unread: string } | undefined;

/** An env variable of a container: its value, or which ConfigMap key holds it when that was not read. */
function envOf(snapshot: Snapshot, namespace: string | undefined, container: Record<string, unknown>, name: string): EnvValue {
  const env = Array.isArray(container.env) ? (container.env as Array<Record<string, unknown>>) : [];
  const e = env.filter((x) => x && typeof x === 'object' && x.name === name).pop();
  if (!e) return undefined;
  if (typeof e.value === 'string') return { value: e.value };
  const ref = (e.valueFrom as { configMapKeyRef?: { name?: unknown; key?: unknown } } | undefined)?.configMapKeyRef;
  if (!ref || typeof ref.name !== 'string' || typeof ref.key !== 'string') return e.valueFrom ? { unread: `${name} is set from a source ztaudit does not read` } : { value: '' };
  const cm = (snapshot.resources.configmaps ?? []).find((c) => c.metadata?.name === ref.name && c.metadata?.namespace === namespace);
  const data = cm?.data && typeof cm.data === 'object' ? (cm.data as Record<string, unknown>) : undefined;
  if (data && typeof data[ref.key] === 'string') return { value: data[ref.key] as string };
  return { unread: `${name} is set from ConfigMap ${namespace ?? ''}/${ref.name} key ${ref.key}, which was not read` };
}

/** The IPAM type a CNI network config names ("calico-ipam", "host-local"); read, not parsed: the manifests' template holds placeholders (__CNI_MTU__) that are no JSON. */
function ipamTypeOf(config: string): string | undefined {
  return /"ipam"\s*:\s*\{[^{}]*?"type"\s*:\s*"([^"]*)"/.exec(config)?.[1];
}

/**
 * Why Calico IPPools hold no pod's address whatever calico-node's own settings say: Canal (flannel's
 * host-local IPAM), another plugin or a cloud CNI addressing the pods, or no calico-node at all;
 * undefined when calico-node's settings decide (calicoIpamDoubt reads them next). Reads only
 * CNI_KINDS, so the live collector can ask it which calico-node ConfigMaps are worth a read.
 */
export function addressedElsewhere(snapshot: Snapshot): string | undefined {
  const cni = detectCni(snapshot);
  const canal = cni.plugins.find((p) => p.name === 'canal');
  if (canal) return `pods are addressed by flannel's host-local IPAM on Canal (${canal.seenIn}), not Calico IPPools`;
  const other = cni.plugins.find((p) => ADDRESSING.has(p.name));
  if (other) return `${other.name} (${other.seenIn}) gives pods their addresses, and IP pools are not used when another plugin does pod networking`;
  let agent = false;
  for (const o of snapshot.resources.daemonsets ?? []) {
    const cloud = cloudCniOf(o);
    if (cloud) return `${cloud} (DaemonSet ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}) gives pods their addresses, and Calico beside it enforces policy only: IP pools are not used when another plugin does pod networking`;
    if (isCalicoAgent(o)) agent = true;
  }
  return agent ? undefined : 'no calico-node DaemonSet was found to show that Calico IPAM gives pods their addresses';
}

/**
 * Why Calico IPAM is not known to give the pods their addresses, or undefined when it does. The
 * operator renders its Installation into calico-node's env (tigera/operator pkg/render/node.go:
 * CALICO_NETWORKING_BACKEND none when spec.cni.type is not Calico, USE_POD_CIDR=true with
 * spec.cni.ipam.type HostLocal), and the manifests do the same (projectcalico/calico
 * manifests/calico-policy-only.yaml and canal.yaml: CALICO_NETWORKING_BACKEND none, USE_POD_CIDR
 * true, CNI ipam host-local; calico.yaml: calico-ipam, backend bird from calico-config), so
 * calico-node itself says which IPAM runs. Its backend defaults to bird
 * (docs.tigera.io/calico/latest/reference/configure-calico-node, CALICO_NETWORKING_BACKEND), and
 * none is policy-only mode, where another plugin addresses the pods.
 */
export function calicoIpamDoubt(snapshot: Snapshot): string | undefined {
  const elsewhere = addressedElsewhere(snapshot);
  if (elsewhere !== undefined) return elsewhere;
  for (const o of snapshot.resources.daemonsets ?? []) {
    if (!isCalicoAgent(o)) continue;
    const ns = o.metadata?.namespace;
    const where = `calico-node (DaemonSet ${ns ?? ''}/${o.metadata?.name ?? ''})`;
    const spec = podTemplateOf(o)?.spec as { containers?: unknown; initContainers?: unknown } | undefined;
    const all = [...(Array.isArray(spec?.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec?.containers) ? spec.containers : [])].filter((c): c is Record<string, unknown> => !!c && typeof c === 'object');
    // The CNI config install-cni writes names the IPAM plugin outright.
    let ipam: string | undefined;
    for (const c of all) {
      const conf = envOf(snapshot, ns, c, 'CNI_NETWORK_CONFIG');
      if (conf && 'value' in conf) ipam = ipamTypeOf(conf.value) ?? ipam;
    }
    if (ipam !== undefined && ipam !== 'calico-ipam') return `${where} installs a CNI config whose IPAM is ${ipam}, not calico-ipam`;
    for (const c of all.filter(isCalicoAgentContainer)) {
      const podCidr = envOf(snapshot, ns, c, 'USE_POD_CIDR');
      if (podCidr && 'value' in podCidr && podCidr.value.toLowerCase() === 'true') return `${where} sets USE_POD_CIDR=true: pods take host-local addresses from their node's podCIDR`;
      if (ipam === 'calico-ipam') continue;
      const backend = envOf(snapshot, ns, c, 'CALICO_NETWORKING_BACKEND');
      if (backend && 'unread' in backend) return `${where}: ${backend.unread}, so whether Calico networks the pods is not known`;
      if (backend?.value.toLowerCase() === 'none') return `${where} runs with CALICO_NETWORKING_BACKEND=none (policy-only mode): another plugin gives pods their addresses`;
    }
  }
  return undefined;
}
