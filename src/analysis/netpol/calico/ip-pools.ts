// Calico IPPools: where Calico IPAM gives pods their addresses. "An IP pool resource (IPPool)
// represents a collection of IP addresses from which Calico expects endpoint IPs to be assigned"
// (docs.tigera.io/calico/latest/reference/resources/ippool). A pool serves pods only when its
// spec.allowedUses holds Workload (default [Workload, Tunnel]; Tunnel and LoadBalancer pools give
// pods nothing); a disabled pool gives no new addresses, but pods keep the ones they have, so it
// still counts in the union. The pools a pod may draw from can only be narrowed (spec.nodeSelector,
// spec.namespaceSelector from Calico v3.31, the pod's or namespace's cni.projectcalico.org/ipv4pools|ipv6pools annotations, the CNI config's
// ipv4_pools: docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses), so the union
// of every Workload pool holds every Calico pod's address: a CIDR list covering that union holds
// every pod, one disjoint from it none, and only a partial overlap leaves the pod in doubt. Per
// class, podPoolsOf narrows that union by those settings, which can settle what the union left.
//
// All of this holds only where Calico IPAM addresses the pods: "IP pools are only used when Calico
// is used for pod networking, IP pools are not utilized when using other pod networking solutions"
// (docs.tigera.io/calico-cloud/networking/ipam/initial-ippool). Calico enforcing policy alone (EKS
// and AKS with the cloud's CNI, GKE, Canal's flannel networking) leaves pods on the other plugin's
// addresses while calico-node may still create its default pool, so the pools are trusted only on
// positive evidence (calicoIpamDoubt).

import { IMPLICIT_NAMESPACE_ANNOTATION, type Snapshot, type KubeObject } from '../../../snapshot/types.ts';
import { parseCidr, parseIp, type IpRange } from '../../../base/ip.ts';
import { clip } from '../../../base/plain-text.ts';
import { matchesWithUnknown, parseCalicoSelector, type CalicoSelectorNode } from './selector.ts';
import type { PodPools } from '../engine.ts';
import { detectCni, isAwsNode, isAzureCni, isCalicoAgent, isCalicoAgentContainer, isGkeNetd } from '../cni.ts';
import { podsOf, podTemplateOf } from '../../workloads.ts';
import { configMapNotFound, configMapRead } from '../../configmaps.ts';
import { cutsOf, describeAddresses, livePodIps, pointRange, stretchOf, type Ip } from '../pod-addresses.ts';

export type { PodPools };

/** A Workload pool as IPAM chooses among them (libcalico-go lib/ipam/ipam.go determinePools). */
interface Pool {
  name: string;
  range: IpRange;
  text: string;
  /** spec.disabled: IPAM assigns no new address from it, even when a pod asks for it by name. */
  disabled: boolean;
  /** spec.assignmentMode Manual: used only when asked for (annotation, CNI config), never picked automatically. */
  manual: boolean;
  /** spec.nodeSelector selects no node whatever its labels (!all()): never picked automatically. */
  noNode: boolean;
  /** spec.namespaceSelector (Calico v3.31+): picked automatically only for pods of the namespaces it selects; `error` when it does not parse. */
  namespaceSelector?: { root: CalicoSelectorNode } | { error: string; text: string };
}

type PoolTable = { kind: 'known'; pools: Pool[]; union: PodPools & { kind: 'known' } } | { kind: 'unknown'; why: string };

const cache = new WeakMap<Snapshot, PoolTable>();

function workloadUse(spec: Record<string, unknown>): boolean {
  const uses = spec.allowedUses;
  return !Array.isArray(uses) || uses.length === 0 || uses.includes('Workload');
}

function poolTable(snapshot: Snapshot): PoolTable {
  const hit = cache.get(snapshot);
  if (hit) return hit;
  const out = readPools(snapshot);
  cache.set(snapshot, out);
  return out;
}

/** The Workload pools of the snapshot (the projectcalico.org/v3 view and its crd.projectcalico.org/v1 storage form, by name), once per snapshot: every pod's address lies in their union. */
export function podPools(snapshot: Snapshot): PodPools {
  const t = poolTable(snapshot);
  return t.kind === 'known' ? t.union : t;
}

const unionCache = new WeakMap<Snapshot, () => PodPools>();

/**
 * The pools a rule judged once for every pod (calico/adapter.ts: `nets` on the policy's own pod, a
 * selector beside `nets`) is settled by: the union of podPools, with the addresses of the pods that
 * set cni.projectcalico.org/ipAddrsNoIpam, whose address "bypasses IPAM" and may lie in no pool
 * (docs.tigera.io/calico/latest/networking/ipam/use-specific-ip): a running pod's own, else the
 * annotation's (noIpamAddresses). Unknown when one such address is not known, so the engine judges
 * each class by its own addresses (podPoolsOf) and only that class's pods stay in doubt.
 */
export function unionPoolsFor(snapshot: Snapshot): () => PodPools {
  let fn = unionCache.get(snapshot);
  if (fn) return fn;
  const fixed: Array<{ pod: string; ips: Ip[] }> = [];
  let why: string | undefined;
  for (const pod of podsOf(snapshot)) {
    if (!pod.annotations[IP_ADDRS_NO_IPAM]) continue;
    const live = pod.origin === 'pod' ? choiceState(snapshot).podIps.get(`${pod.namespace}/${pod.name}`) : undefined;
    const r = live ? { ips: live } : noIpamAddresses(snapshot, pod);
    if ('why' in r) {
      why = r.why;
      break;
    }
    fixed.push({ pod: `${pod.namespace}/${pod.name}`, ips: r.ips });
  }
  let value: PodPools | undefined;
  if (why) value = { kind: 'unknown', why };
  else if (fixed.length) {
    const union = podPools(snapshot);
    value = union.kind === 'known' ? { kind: 'known', ranges: [...union.ranges, ...fixed.flatMap((f) => f.ips.map(pointRange))], text: `${union.text}, and ${describeAddresses(fixed.map((f) => ({ pod: f.pod, ips: f.ips })))} set by ${IP_ADDRS_NO_IPAM}` } : union;
  }
  fn = value ? ((v: PodPools) => () => v)(value) : () => podPools(snapshot);
  unionCache.set(snapshot, fn);
  return fn;
}

/**
 * Whether the CNI config calico-node installs enables feature_control.ip_addrs_no_ipam, without
 * which the CNI plugin refuses a pod that sets ipAddrsNoIpam ("requested feature is not enabled:
 * ip_addrs_no_ipam", cni-plugin pkg/k8s/k8s.go CmdAddK8s; docs.tigera.io/calico/latest/reference/configure-cni-plugins,
 * "Requesting a specific IP address"): 'unread' when no such config was read or two disagree.
 */
function noIpamFeature(snapshot: Snapshot): 'on' | 'off' | 'unread' {
  const seen = new Set<'on' | 'off'>();
  const configs = cniNetworkConfigs(snapshot);
  if (configs === 'unread') return 'unread';
  for (const conf of configs) {
    const control = /"feature_control"\s*:\s*\{([^{}]*)\}/.exec(conf)?.[1] ?? '';
    seen.add(/"ip_addrs_no_ipam"\s*:\s*true\b/.test(control) ? 'on' : 'off');
  }
  return seen.size === 1 ? [...seen][0]! : 'unread';
}

/**
 * The addresses a pod that sets ipAddrsNoIpam is given: exactly the annotation's, one IPv4 and/or
 * one IPv6 (cni-plugin validateAndExtractIPs), when the CNI config enables the feature; why not
 * known otherwise. The CNI plugin refuses the pod when the feature is off, when ipAddrs is set too,
 * or when the list does not parse: such a pod does not run with any address.
 */
function noIpamAddresses(snapshot: Snapshot, pod: PodPoolInputs): { ips: Ip[] } | { why: string } {
  const who = `pod ${pod.namespace}/${pod.name} sets ${IP_ADDRS_NO_IPAM}`;
  const feature = noIpamFeature(snapshot);
  if (feature === 'unread') return { why: `${who}: Calico gives it that address, bypassing IPAM and any IPPool, only when the CNI config enables feature_control.ip_addrs_no_ipam, and no CNI config calico-node installs was read, so its address is not known` };
  if (feature === 'off') return { why: `${who}, but the CNI config calico-node installs does not enable feature_control.ip_addrs_no_ipam: Calico's CNI plugin refuses to network the pod ("requested feature is not enabled"), so it runs with no address` };
  if (pod.annotations[IP_ADDRS]) return { why: `${who} and ${IP_ADDRS}: Calico's CNI plugin refuses both at once, so the pod runs with no address` };
  const list = safeJson(pod.annotations[IP_ADDRS_NO_IPAM]!);
  const ips = Array.isArray(list) && list.length && list.every((x) => typeof x === 'string') ? (list as string[]).map((x) => parseIp(x)) : [];
  if (!ips.length || ips.some((ip) => !ip) || ips.filter((ip) => ip!.family === 4).length > 1 || ips.filter((ip) => ip!.family === 6).length > 1) {
    return { why: `${who} to ${JSON.stringify(clip(pod.annotations[IP_ADDRS_NO_IPAM]!, 80))}, which is not a JSON list of one IPv4 and/or one IPv6 address: Calico's CNI plugin refuses the pod, so it runs with no address` };
  }
  return { ips: ips as Ip[] };
}

/** Whether a pool's nodeSelector selects no node whatever its labels: Node labels are not collected, so only such a selector settles anything. */
function selectsNoNode(selector: unknown): boolean {
  if (typeof selector !== 'string') return false;
  const r = parseCalicoSelector(selector);
  return r.ok && matchesWithUnknown(r.selector.root, {}, () => true) === false;
}

/** spec.namespaceSelector: none when absent or empty (every namespace, as SelectsNamespace reads it), else parsed or why not. */
function namespaceSelectorOf(selector: unknown): Pool['namespaceSelector'] {
  if (selector === undefined || selector === null || selector === '') return undefined;
  if (typeof selector !== 'string') return { error: 'not a string', text: clip(JSON.stringify(selector) ?? '', 80) };
  const r = parseCalicoSelector(selector);
  return r.ok ? { root: r.selector.root } : { error: r.error, text: clip(selector, 80) };
}

function readPools(snapshot: Snapshot): PoolTable {
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
    return { kind: 'unknown', why: NO_POOL_READ };
  }
  const notIpam = calicoIpamDoubt(snapshot);
  if (notIpam) return { kind: 'unknown', why: `Calico IPPools are not trusted: ${notIpam}` };
  const pools: Pool[] = [];
  for (const [name, o] of byName) {
    const spec = o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
    if (!workloadUse(spec)) continue;
    const r = typeof spec.cidr === 'string' ? parseCidr(spec.cidr) : undefined;
    // A pool whose CIDR does not parse (the API server refuses one) leaves its pods' addresses unknown.
    if (!r) return { kind: 'unknown', why: `Calico IPPool ${name} has no valid spec.cidr` };
    const disabled = spec.disabled === true;
    const nsSel = namespaceSelectorOf(spec.namespaceSelector);
    pools.push({ name, range: r, text: `IPPool ${name} (${spec.cidr as string}${disabled ? ', disabled' : ''})`, disabled, manual: spec.assignmentMode === 'Manual', noNode: selectsNoNode(spec.nodeSelector), ...(nsSel ? { namespaceSelector: nsSel } : {}) });
  }
  if (!pools.length) return { kind: 'unknown', why: 'no Calico IPPool allows Workload use' };
  return { kind: 'known', pools, union: { kind: 'known', ranges: pools.map((p) => p.range), text: pools.map((p) => p.text).join(', ') } };
}

/** Why the pools are unknown when the input holds no IPPool and none was refused. */
export const NO_POOL_READ = 'no Calico IPPool was read';

export type IpamFamilies = { families: ReadonlyArray<4 | 6>; text: string };
const familiesCache = new WeakMap<Snapshot, IpamFamilies | undefined>();

/**
 * With no IPPool read, the IP families Calico IPAM gives pods, from what the input shows of its
 * settings; undefined when it shows none of them (the doubt stays), when Calico IPAM is not known
 * to address the pods (calicoIpamDoubt), or when two settings disagree. Once per snapshot.
 *
 * The calico-ipam CNI config's ipam.assign_ipv4 defaults to "true" and assign_ipv6 to "false"
 * (docs.tigera.io/calico/latest/reference/configure-cni-plugins, IPAM). Where no CNI config is
 * visible (an operator install renders its own), calico-node's env says the same: the operator
 * sets FELIX_IPV6SUPPORT=false and IP6 none without an IPv6 pool, IP none without an IPv4 one
 * (tigera/operator pkg/render/node.go), and Felix with IPv6 support off programs no IPv6 at all
 * (docs.tigera.io/calico/latest/reference/felix/configuration, IPv6Support).
 */
export function ipamFamilies(snapshot: Snapshot): IpamFamilies | undefined {
  if (familiesCache.has(snapshot)) return familiesCache.get(snapshot);
  const out = readIpamFamilies(snapshot);
  familiesCache.set(snapshot, out);
  return out;
}

function readIpamFamilies(snapshot: Snapshot): IpamFamilies | undefined {
  const t = poolTable(snapshot);
  if (t.kind !== 'unknown' || t.why !== NO_POOL_READ || calicoIpamDoubt(snapshot) !== undefined) return undefined;
  const configs = cniNetworkConfigs(snapshot);
  if (configs === 'unread') return undefined;
  const seen = new Set<string>();
  for (const conf of configs) {
    if (ipamTypeOf(conf) !== 'calico-ipam') continue;
    const ipam = /"ipam"\s*:\s*\{([^{}]*)\}/.exec(conf)?.[1] ?? '';
    const flag = (key: string, dflt: boolean): boolean | undefined => {
      const m = new RegExp(`"${key}"\\s*:\\s*([^,}\\s]+)`).exec(ipam);
      if (!m) return dflt;
      return m[1] === '"true"' ? true : m[1] === '"false"' ? false : undefined;
    };
    const v4 = flag('assign_ipv4', true);
    const v6 = flag('assign_ipv6', false);
    if (v4 === undefined || v6 === undefined) return undefined;
    seen.add(`${v4 ? 4 : ''}${v6 ? 6 : ''}`);
  }
  if (seen.size > 1) return undefined;
  if (seen.size === 1) {
    const key = [...seen][0]!;
    const families = ([4, 6] as const).filter((f) => key.includes(String(f)));
    if (!families.length) return undefined;
    return { families, text: `the calico-ipam CNI config calico-node installs assigns ${families.map((f) => `IPv${f}`).join(' and ')} only (assign_ipv4 defaults to "true", assign_ipv6 to "false")` };
  }
  // No CNI config visible: calico-node's own env, every agent container agreeing.
  const envs = new Set<string>();
  for (const o of snapshot.resources.daemonsets ?? []) {
    if (!isCalicoAgent(o)) continue;
    for (const c of calicoContainers(o).filter(isCalicoAgentContainer)) {
      const read = (name: string): string | undefined | null => {
        const e = envOf(snapshot, o.metadata?.namespace, c, name);
        return e === undefined ? undefined : 'value' in e ? e.value.trim().toLowerCase() : null;
      };
      const ipv6Support = read('FELIX_IPV6SUPPORT');
      const ip6 = read('IP6');
      const ip = read('IP');
      if (ipv6Support === null || ip6 === null || ip === null) return undefined;
      // Felix's IPv6Support defaults to true: only an explicit false says no IPv6.
      if (ipv6Support !== 'false' || (ip6 !== undefined && ip6 !== '' && ip6 !== 'none') || ip === 'none') return undefined;
      envs.add('4');
    }
  }
  return envs.size === 1 ? { families: [4], text: 'calico-node runs with FELIX_IPV6SUPPORT=false and no IP6: Calico gives pods IPv4 addresses only' } : undefined;
}

const V4_POOLS = 'cni.projectcalico.org/ipv4pools';
const V6_POOLS = 'cni.projectcalico.org/ipv6pools';
/**
 * A pod's fixed addresses: Calico assigns exactly these, from whichever pool holds each (Manual or
 * disabled ones too), before any pool annotation is looked at; ipAddrsNoIpam bypasses IPAM, so
 * the address is in no pool at all (https://docs.tigera.io/calico/latest/networking/ipam/use-specific-ip;
 * cni-plugin pkg/k8s/k8s.go CmdAddK8s).
 */
const IP_ADDRS = 'cni.projectcalico.org/ipAddrs';
const IP_ADDRS_NO_IPAM = 'cni.projectcalico.org/ipAddrsNoIpam';

/** One pod's pools for one family: the pools it may hold an address from, or why every pool of the family stays a candidate. */
type FamilyChoice = { pools: Pool[]; by?: string } | { doubt: string };

/**
 * The pools a list of pool names or CIDRs asks for (an annotation's JSON list, the CNI config's
 * ipv4_pools): an entry that parses as a CIDR is the pool with that CIDR, any other a pool's name
 * (cni-plugin utils ResolvePools). IPAM assigns from a requested pool only when it exists and is
 * enabled ("the given pool (…) does not exist, or is not enabled": ipam.go determinePools), and
 * then ignores the pools' selectors; a disabled one gives nothing.
 */
function requestedPools(pools: readonly Pool[], family: 4 | 6, list: unknown, where: string, keepDisabled = false): FamilyChoice {
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return { doubt: `${where} is not a JSON list of pool names or CIDRs, so every pool counts` };
  const out: Pool[] = [];
  for (const entry of list as string[]) {
    const cidr = parseCidr(entry);
    const hit = cidr ? pools.find((p) => p.range.family === cidr.family && p.range.lo === cidr.lo && p.range.hi === cidr.hi) : pools.find((p) => p.name === entry);
    if (!hit) return { doubt: `${where} names ${JSON.stringify(clip(entry, 80))}, which is no Workload IPPool read, so every pool counts` };
    if (hit.range.family === family && (keepDisabled || !hit.disabled)) out.push(hit);
  }
  return { pools: out, by: where };
}

/** JSON.parse, or undefined for text that is not JSON. */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The pools holding a pod's fixed addresses (its ipAddrs annotation: a JSON list of addresses),
 * whichever their mode or state; a doubt when the list does not parse or an address is in no pool
 * read (Calico refuses it, or the pool was not read).
 */
function fixedAddressPools(pools: readonly Pool[], family: 4 | 6, text: string): FamilyChoice {
  const list = safeJson(text);
  const where = `the pod annotation ${IP_ADDRS}`;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return { doubt: `${where} is not a JSON list of addresses, so every pool counts` };
  const out: Pool[] = [];
  for (const entry of list as string[]) {
    const ip = parseIp(entry);
    if (!ip) return { doubt: `${where} holds ${JSON.stringify(clip(entry, 80))}, which is no address, so every pool counts` };
    if (ip.family !== family) continue;
    const hit = pools.find((p) => p.range.family === family && p.range.lo <= ip.value && ip.value <= p.range.hi);
    if (!hit) return { doubt: `${where} asks for ${entry}, which no Workload IPPool read holds, so every pool counts` };
    if (!out.includes(hit)) out.push(hit);
  }
  return { pools: out, by: where };
}

/**
 * The pools IPAM picks for a pod that asks for none: enabled, Automatic, on a node the
 * nodeSelector may select (determinePools); disabled ones too with `keepDisabled` (familyChoice).
 */
function automaticPools(pools: readonly Pool[], family: 4 | 6, keepDisabled: boolean): Pool[] {
  return pools.filter((p) => p.range.family === family && (keepDisabled || !p.disabled) && !p.manual && !p.noNode);
}

/**
 * The automatic pools whose spec.namespaceSelector selects the pod's namespace, by its labels
 * (libcalico-go lib/ipam/pools.go SelectsNamespace; determinePools applies it with the
 * nodeSelector, to automatic choices only: requested pools ignore both). Calico before v3.31 has
 * no such field and picks the pool anywhere; a namespace no manifest declares keeps a pool its
 * selector may select; a selector that does not parse (IPAM then fails for the pod) keeps the doubt.
 */
function byNamespaceSelector(pools: Pool[], st: ChoiceState, namespace: string): FamilyChoice {
  if (st.namespaceSelectorIgnored) return { pools };
  const labels = st.nsLabels.get(namespace);
  const out: Pool[] = [];
  let narrowed = false;
  for (const p of pools) {
    const sel = p.namespaceSelector;
    if (!sel) out.push(p);
    else if ('error' in sel) return { doubt: `${p.text}'s spec.namespaceSelector ${JSON.stringify(sel.text)} does not parse (${sel.error}), so which namespaces it serves is not known and every pool counts` };
    else if (matchesWithUnknown(sel.root, labels ?? { 'kubernetes.io/metadata.name': namespace }, (l) => !labels && l !== 'kubernetes.io/metadata.name') === false) narrowed = true;
    else out.push(p);
  }
  return narrowed ? { pools: out, by: `the IPPools' namespaceSelector for namespace ${namespace}` } : { pools: out };
}

export interface PodPoolInputs {
  namespace: string;
  name: string;
  annotations: Readonly<Record<string, string>>;
  origin: 'pod' | 'template';
}

/** Per snapshot: namespace annotations, live pod addresses, and one function per distinct narrowing (so the engine's caches are shared). */
interface ChoiceState {
  nsAnnotations: Map<string, Record<string, string>>;
  podIps: Map<string, Array<{ family: 4 | 6; value: bigint }>>;
  cniPools: Partial<Record<4 | 6, unknown>> | 'unread';
  /** Read from manifests (or a snapshot of them): no live pod address says which pods run. */
  fromManifests: boolean;
  /** Each declared namespace's labels (kubernetes.io/metadata.name set to its name, as the control plane does); not those only referenced from manifests. */
  nsLabels: Map<string, Record<string, string>>;
  /** Calico's version is known and older than v3.31, which has no IPPool namespaceSelector. */
  namespaceSelectorIgnored: boolean;
  byKey: Map<string, () => PodPools>;
}

const choiceCache = new WeakMap<Snapshot, ChoiceState>();

function choiceState(snapshot: Snapshot): ChoiceState {
  const hit = choiceCache.get(snapshot);
  if (hit) return hit;
  const nsAnnotations = new Map<string, Record<string, string>>();
  const nsLabels = new Map<string, Record<string, string>>();
  for (const ns of snapshot.resources.namespaces ?? []) {
    const name = ns.metadata?.name;
    if (typeof name !== 'string') continue;
    const a = ns.metadata?.annotations;
    if (a && typeof a === 'object') nsAnnotations.set(name, a as Record<string, string>);
    // A namespace only referenced from manifests: its labels beyond the name are not known.
    if ((a as Record<string, unknown> | undefined)?.[IMPLICIT_NAMESPACE_ANNOTATION] === 'true') continue;
    const l = ns.metadata?.labels && typeof ns.metadata.labels === 'object' ? ns.metadata.labels as Record<string, unknown> : {};
    nsLabels.set(name, { ...Object.fromEntries(Object.entries(l).filter((e): e is [string, string] => typeof e[1] === 'string')), 'kubernetes.io/metadata.name': name });
  }
  const podIps = livePodIps(snapshot);
  const out: ChoiceState = { nsAnnotations, podIps, cniPools: cniConfigPools(snapshot), fromManifests: snapshot.origin !== 'live', nsLabels, namespaceSelectorIgnored: calicoBefore(snapshot, 3, 31), byKey: new Map() };
  choiceCache.set(snapshot, out);
  return out;
}

/**
 * The pools one pod may hold an address from, for one family. The CNI plugin asks IPAM for the
 * pools of the pod's cni.projectcalico.org/ipv4pools (ipv6pools) annotation, else its namespace's,
 * else the CNI config's ipv4_pools (cni-plugin pkg/k8s/k8s.go CmdAddK8s: "Gets the POD annotation
 * for IP Pools and overwrites Namespace annotation if it exists"); with none, IPAM picks the
 * automatic ones. A live pod with an address is judged by that address instead (podPoolsOf):
 * it keeps it whichever pool holds it (a disabled one, or one picked before the annotation changed).
 */
function familyChoice(pools: readonly Pool[], st: ChoiceState, pod: PodPoolInputs, family: 4 | 6): FamilyChoice {
  const fixed = pod.annotations[IP_ADDRS];
  if (fixed) return fixedAddressPools(pools, family, fixed);
  const key = family === 4 ? V4_POOLS : V6_POOLS;
  // From manifests a template's pods may be running already with an address of a pool disabled
  // since (disabled only stops new assignments: a pool migration disables the old pool while its
  // pods keep their addresses); only a pod's own address tells. Live, a template stands for pods
  // still to be made (its running pods are judged by their own addresses).
  const heldSince = pod.origin === 'template' && st.fromManifests;
  const enabled = (p: Pool) => !p.disabled || heldSince;
  const own = pod.annotations[key];
  const ns = st.nsAnnotations.get(pod.namespace)?.[key];
  let choice: FamilyChoice;
  // Text that is not JSON is no list either: requestedPools says so.
  const parse = (text: string, where: string): FamilyChoice => requestedPools(pools, family, safeJson(text), where, heldSince);
  if (own) choice = parse(own, `the pod annotation ${key}`);
  else if (ns) choice = parse(ns, `namespace ${pod.namespace}'s annotation ${key}`);
  else if (st.cniPools === 'unread') choice = { pools: pools.filter((p) => p.range.family === family && enabled(p)) };
  else if (st.cniPools[family] !== undefined) choice = requestedPools(pools, family, st.cniPools[family], `the CNI config's ipv${family}_pools`, heldSince);
  else choice = byNamespaceSelector(automaticPools(pools, family, heldSince), st, pod.namespace);
  return choice;
}

/**
 * A pod's addresses when they are known: a running pod's status.podIPs (whatever gave them: IPAM,
 * ipAddrs, ipAddrsNoIpam), else the fixed ones Calico assigns exactly — ipAddrs (each in a pool
 * read, as IPAM requires) or ipAddrsNoIpam (noIpamAddresses); a doubt when the pod sets
 * ipAddrsNoIpam and its address is not known; undefined when the pools decide.
 */
function knownAddresses(snapshot: Snapshot, table: PoolTable, st: ChoiceState, pod: PodPoolInputs): { ips: Ip[]; by: string } | { why: string } | undefined {
  const live = pod.origin === 'pod' ? st.podIps.get(`${pod.namespace}/${pod.name}`) : undefined;
  if (live) return { ips: live, by: 'status.podIPs' };
  if (pod.annotations[IP_ADDRS_NO_IPAM]) {
    // Only Calico's CNI plugin on calico-ipam reads it: where the pools are not trusted (another plugin addresses the pods), they say why.
    if (table.kind !== 'known') return undefined;
    const r = noIpamAddresses(snapshot, pod);
    return 'why' in r ? r : { ips: r.ips, by: IP_ADDRS_NO_IPAM };
  }
  const fixed = pod.annotations[IP_ADDRS];
  if (!fixed || table.kind !== 'known') return undefined;
  // Each address must lie in a pool read (fixedAddressPools says why not, and the pools decide then).
  for (const family of [4, 6] as const) if ('doubt' in fixedAddressPools(table.pools, family, fixed)) return undefined;
  const list = safeJson(fixed) as string[];
  return { ips: list.map((x) => parseIp(x)!).filter((ip) => ip), by: IP_ADDRS };
}

/**
 * The addresses a class's pods may have. A pod whose addresses are known (knownAddresses: a live
 * pod's own, a fixed ipAddrs/ipAddrsNoIpam one) counts by them — as the stretch of addresses no
 * policy CIDR splits (cutsOf), so classes whose pods fall alike share one answer and a class costs
 * its pods once, not once per rule; every other pod by the pools it may hold an address from,
 * narrowed from every Workload pool by its and its namespace's pool annotations, the CNI config,
 * disabled and Manual pools, a nodeSelector that selects no node, a namespaceSelector that does not
 * select its namespace. Undefined when nothing narrows (every pool stays a candidate). A pod with
 * ipAddrsNoIpam whose address is not known leaves its class's addresses unknown.
 */
export function podPoolsOf(snapshot: Snapshot, pods: readonly PodPoolInputs[]): (() => PodPools) | undefined {
  const table = poolTable(snapshot);
  if (!pods.length) return undefined;
  const st = choiceState(snapshot);
  const chosen = new Set<Pool>();
  const by = new Set<string>();
  const doubts = new Set<string>();
  const seen = new Set<string>();
  const stretches = new Map<string, IpRange>();
  const addressed: Array<{ pod: string; ips: Ip[] }> = [];
  const addressBy = new Set<string>();
  for (const pod of pods) {
    const known = knownAddresses(snapshot, table, st, pod);
    if (known && 'why' in known) return () => ({ kind: 'unknown', why: known.why });
    if (known) {
      addressed.push({ pod: `${pod.namespace}/${pod.name}`, ips: known.ips });
      addressBy.add(known.by);
      for (const ip of known.ips) {
        const r = stretchOf(cutsOf(snapshot), ip);
        stretches.set(`${r.family}:${r.lo}`, r);
      }
      continue;
    }
    // Without a known address the pools decide, and they are known or nothing is.
    if (table.kind !== 'known') return undefined;
    // Replicas share annotations and namespace.
    const k = `${pod.namespace}\u0000${pod.origin}\u0000${pod.annotations[V4_POOLS] ?? ''}\u0000${pod.annotations[V6_POOLS] ?? ''}\u0000${pod.annotations[IP_ADDRS] ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const family of [4, 6] as const) {
      const c = familyChoice(table.pools, st, pod, family);
      if ('doubt' in c) {
        doubts.add(c.doubt);
        for (const p of table.pools) if (p.range.family === family) chosen.add(p);
      } else {
        for (const p of c.pools) chosen.add(p);
        if (c.by && c.pools.length) by.add(c.by);
      }
    }
  }
  // No pool left and no address: such pods get no address and do not run; judging them by every pool is the safe side.
  if (!chosen.size && !stretches.size) return undefined;
  const list = table.kind === 'known' ? table.pools.filter((p) => chosen.has(p)) : [];
  if (!stretches.size && table.kind === 'known' && list.length === table.pools.length && !doubts.size) return undefined;
  const ranges = [...list.map((p) => p.range), ...stretches.values()];
  const parts = [
    ...(list.length ? [`${list.map((p) => p.text).join(', ')}${by.size ? ` by ${[...by].join(' and ')}` : ''}`] : []),
    ...(addressed.length ? [`${describeAddresses(addressed)} (${[...addressBy].join(', ')})`] : []),
  ];
  const text = `${parts.join('; ')}${doubts.size ? `; ${[...doubts].join('; ')}` : ''}`;
  // Classes alike in pools (and, for pods without a known address, in everything the text says) share one function and so the engine's per-pools cache.
  const key = `${list.map((p) => p.name).join(',')}\u0000${[...stretches.keys()].sort().join(',')}\u0000${text}`;
  let fn = st.byKey.get(key);
  if (!fn) {
    const value: PodPools = { kind: 'known', ranges, text };
    st.byKey.set(key, (fn = () => value));
  }
  return fn;
}

/** Whether the Calico release running is known and older than major.minor (detectCni reads it from calico/node's image tag, the oldest when nodes differ). */
function calicoBefore(snapshot: Snapshot, major: number, minor: number): boolean {
  const v = detectCni(snapshot).plugins.find((p) => p.name === 'calico')?.version;
  const m = v ? /^v(\d+)\.(\d+)/.exec(v) : null;
  return !!m && (Number(m[1]) < major || (Number(m[1]) === major && Number(m[2]) < minor));
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
  if (isAwsNode(o)) return 'the Amazon VPC CNI';
  if (isAzureCni(o)) return 'Azure CNI';
  if (isGkeNetd(o)) return "GKE's netd";
  return undefined;
}

export type EnvValue = { value: string } | { unread: string } | undefined;

/** The calico-node variables calicoIpamDoubt reads: the CNI config install-cni writes, the backend, USE_POD_CIDR. */
const CALICO_IPAM_ENV = ['CNI_NETWORK_CONFIG', 'CALICO_NETWORKING_BACKEND', 'USE_POD_CIDR'] as const;

/** An envFrom source of a container, in order: a later one wins over an earlier for the same variable. */
interface EnvFromSource { kind: 'ConfigMap' | 'Secret'; name: string; prefix: string; optional: boolean }

/**
 * Where a container's variable comes from: its env entry (the last of that name), else the
 * envFrom sources that may set it, last first. "When a key exists in multiple sources, the value
 * associated with the last source will take precedence. Values defined by an Env with a duplicate
 * key will take precedence" (Kubernetes API, Container envFrom).
 */
function envSource(container: Record<string, unknown>, name: string, ignoreCase = false): { entry: Record<string, unknown> } | { from: EnvFromSource[] } {
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const env = Array.isArray(container.env) ? (container.env as Array<Record<string, unknown>>) : [];
  const entry = env.filter((x) => x && typeof x === 'object' && typeof x.name === 'string' && fold(x.name) === fold(name)).pop();
  if (entry) return { entry };
  const from: EnvFromSource[] = [];
  for (const f of Array.isArray(container.envFrom) ? (container.envFrom as Array<Record<string, unknown>>) : []) {
    if (!f || typeof f !== 'object') continue;
    const prefix = typeof f.prefix === 'string' ? f.prefix : '';
    if (!fold(name).startsWith(fold(prefix))) continue;
    const cm = f.configMapRef as { name?: unknown; optional?: unknown } | undefined;
    const secret = f.secretRef as { name?: unknown; optional?: unknown } | undefined;
    if (typeof cm?.name === 'string' && cm.name) from.push({ kind: 'ConfigMap', name: cm.name, prefix, optional: cm.optional === true });
    else if (typeof secret?.name === 'string' && secret.name) from.push({ kind: 'Secret', name: secret.name, prefix, optional: secret.optional === true });
  }
  return { from: from.reverse() };
}

/**
 * Whether a ConfigMap the snapshot does not hold does not exist: live, only when its own by-name
 * read answered 404 (configMapsNotFound, which records every name asked and not found; another
 * name refused does not make this one unknown). Every by-name read answering (coverage ok) says
 * nothing of a name never asked for (the collector asks only what its readers name: a Felix
 * variable's ConfigMap under a cloud CNI was once not asked), nor does a snapshot written before
 * that record. From manifests, which are the cluster audited, when none declares it. A name whose
 * own read was refused or failed may exist. Only an `optional` envFrom source may be absent: the
 * kubelet starts the container without it and it sets nothing.
 */
function absentWhenNotFound(snapshot: Snapshot, namespace: string | undefined, name: string): boolean {
  return snapshot.origin !== 'live' || configMapNotFound(snapshot, { namespace: namespace ?? '', name });
}

/** The data of a ConfigMap the snapshot holds (one without a namespace is the default namespace's), by the shared index. */
function configMapOf(snapshot: Snapshot, namespace: string | undefined, name: string): Record<string, unknown> | undefined {
  const cm = configMapRead(snapshot, { namespace: namespace ?? 'default', name });
  return cm ? (cm.data && typeof cm.data === 'object' ? (cm.data as Record<string, unknown>) : {}) : undefined;
}

/**
 * An env variable of a container: its value, or which ConfigMap (or Secret, never read) may hold it
 * when that was not read. `ignoreCase`: the program reads the variable under any casing of its
 * name (Felix lower-cases every FELIX_ name, felix/config/env_var_loader.go).
 */
export function envOf(snapshot: Snapshot, namespace: string | undefined, container: Record<string, unknown>, name: string, { ignoreCase = false }: { ignoreCase?: boolean } = {}): EnvValue {
  const src = envSource(container, name, ignoreCase);
  if ('from' in src) {
    for (const f of src.from) {
      if (f.kind === 'Secret') return { unread: `${name} may be set from Secret ${namespace ?? ''}/${f.name} (envFrom), which ztaudit never reads` };
      const data = configMapOf(snapshot, namespace, f.name);
      if (!data && f.optional && absentWhenNotFound(snapshot, namespace, f.name)) continue;
      if (!data) return { unread: `${name} may be set from ConfigMap ${namespace ?? ''}/${f.name} (envFrom), which was not read` };
      const key = ignoreCase ? Object.keys(data).find((k) => (f.prefix + k).toLowerCase() === name.toLowerCase()) : name.slice(f.prefix.length);
      const v = key === undefined ? undefined : data[key];
      if (typeof v === 'string') return { value: v };
    }
    return undefined;
  }
  const e = src.entry;
  if (typeof e.value === 'string') return { value: e.value };
  const ref = (e.valueFrom as { configMapKeyRef?: { name?: unknown; key?: unknown } } | undefined)?.configMapKeyRef;
  if (!ref || typeof ref.name !== 'string' || typeof ref.key !== 'string') return e.valueFrom ? { unread: `${name} is set from a source ztaudit does not read` } : { value: '' };
  const data = configMapOf(snapshot, namespace, ref.name);
  if (data && typeof data[ref.key] === 'string') return { value: data[ref.key] as string };
  return { unread: `${name} is set from ConfigMap ${namespace ?? ''}/${ref.name} key ${ref.key}, which was not read` };
}

/** The ConfigMaps (in the container's namespace) a variable of a container may take its value from: its configMapKeyRef, else the envFrom ConfigMaps that may set it (envSource; `ignoreCase` as envOf). */
export function envConfigMaps(container: Record<string, unknown>, name: string, ignoreCase = false): string[] {
  const src = envSource(container, name, ignoreCase);
  const names = 'entry' in src
    ? [(src.entry.valueFrom as { configMapKeyRef?: { name?: unknown } } | undefined)?.configMapKeyRef?.name]
    : src.from.filter((f) => f.kind === 'ConfigMap').map((f) => f.name);
  return names.filter((n): n is string => typeof n === 'string' && n !== '');
}

/**
 * The ConfigMaps calico-node may take the variables calicoIpamDoubt reads from, in its own
 * namespace: a variable's configMapKeyRef (calico.yaml sets the backend and the CNI config from
 * kube-system/calico-config), else the envFrom ConfigMaps that may set it (calico.yaml's optional
 * kubernetes-services-endpoint). None where the pods' addresses come from elsewhere whatever
 * calico-node says (Canal's canal-config, a cloud CNI): a by-name read the auditor's role refuses
 * turns every ConfigMap verdict unevaluated, so only a ConfigMap that can change a verdict is
 * asked for. The live collector reads these by name (src/cli/source.ts calicoConfigMapRefs).
 */
export function calicoIpamConfigMaps(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  if (addressedElsewhere(snapshot) !== undefined) return [];
  const refs = new Map<string, { namespace: string; name: string }>();
  for (const o of snapshot.resources.daemonsets ?? []) {
    const namespace = o.metadata?.namespace;
    if (typeof namespace !== 'string' || !namespace || !isCalicoAgent(o)) continue;
    for (const c of calicoContainers(o)) {
      for (const v of CALICO_IPAM_ENV) {
        for (const name of envConfigMaps(c, v)) refs.set(`${namespace}/${name}`, { namespace, name });
      }
    }
  }
  return [...refs.values()];
}

/** The IPAM type a CNI network config names ("calico-ipam", "host-local"); read, not parsed: the manifests' template holds placeholders (__CNI_MTU__) that are no JSON. */
function ipamTypeOf(config: string): string | undefined {
  return /"ipam"\s*:\s*\{[^{}]*?"type"\s*:\s*"([^"]*)"/.exec(config)?.[1];
}

/**
 * The ipv4_pools and ipv6_pools of the CNI config calico-node's install-cni writes
 * (CNI_NETWORK_CONFIG; docs.tigera.io/calico/latest/reference/configure-cni-plugins, "Specifying
 * IP pools on a per-namespace or per-pod basis"), the pools a pod without annotations asks for;
 * 'unread' when no such config was read (an operator install renders its own) or two disagree.
 */
function cniConfigPools(snapshot: Snapshot): Partial<Record<4 | 6, unknown>> | 'unread' {
  const seen = new Set<string>();
  let out: Partial<Record<4 | 6, unknown>> = {};
  const configs = cniNetworkConfigs(snapshot);
  if (configs === 'unread') return 'unread';
  for (const conf of configs) {
    const lists: Partial<Record<4 | 6, unknown>> = {};
    for (const family of [4, 6] as const) {
      const m = new RegExp(`"ipv${family}_pools"\\s*:\\s*(\\[[^\\]]*\\])`).exec(conf);
      if (!m) continue;
      try {
        lists[family] = JSON.parse(m[1]!);
      } catch {
        lists[family] = m[1];
      }
    }
    seen.add(JSON.stringify(lists));
    out = lists;
  }
  return seen.size === 1 ? out : 'unread';
}

/** The CNI configs calico-node installs (CNI_NETWORK_CONFIG, empty ones left out); 'unread' when one is set from a source that was not read. */
function cniNetworkConfigs(snapshot: Snapshot): string[] | 'unread' {
  const out: string[] = [];
  for (const o of snapshot.resources.daemonsets ?? []) {
    if (!isCalicoAgent(o)) continue;
    for (const c of calicoContainers(o)) {
      const conf = envOf(snapshot, o.metadata?.namespace, c, 'CNI_NETWORK_CONFIG');
      if (!conf) continue;
      if (!('value' in conf)) return 'unread';
      if (conf.value.trim()) out.push(conf.value);
    }
  }
  return out;
}

/** calico-node's init containers and containers (install-cni is an init container). */
function calicoContainers(o: KubeObject): Array<Record<string, unknown>> {
  const spec = podTemplateOf(o)?.spec as { containers?: unknown; initContainers?: unknown } | undefined;
  return [...(Array.isArray(spec?.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec?.containers) ? spec.containers : [])].filter((c): c is Record<string, unknown> => !!c && typeof c === 'object');
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
  let podCidrUnread: string | undefined;
  for (const o of snapshot.resources.daemonsets ?? []) {
    if (!isCalicoAgent(o)) continue;
    const ns = o.metadata?.namespace;
    const where = `calico-node (DaemonSet ${ns ?? ''}/${o.metadata?.name ?? ''})`;
    const all = calicoContainers(o);
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
      // Read after the settings that say more: a backend of none or another IPAM is the reason to give.
      if (podCidr && 'unread' in podCidr) podCidrUnread ??= `${where}: ${podCidr.unread}, so whether pods take host-local addresses from their node's podCIDR (USE_POD_CIDR=true) instead of the IPPools is not known`;
      if (ipam === 'calico-ipam') continue;
      const backend = envOf(snapshot, ns, c, 'CALICO_NETWORKING_BACKEND');
      if (backend && 'unread' in backend) return `${where}: ${backend.unread}, so whether Calico networks the pods is not known`;
      if (backend?.value.toLowerCase() === 'none') return `${where} runs with CALICO_NETWORKING_BACKEND=none (policy-only mode): another plugin gives pods their addresses`;
    }
  }
  return podCidrUnread;
}
