// The reachability model: pods folded into equivalence classes (namespace + labels + named
// container ports + hostNetwork + service account) so that every question costs per distinct
// class, not per pod pair; every policy API translated (apis.ts) and composed by the CNI's
// precedence (composition.ts); each class knows, per direction, the stages and policies that
// govern it (its plan), which the engine (engine.ts) evaluates.

import { ipamFamilies, NO_POOL_READ, podPools, podPoolsOf } from './calico/ip-pools.ts';
import { hostFamiliesOf, liveAddressesOf } from './pod-addresses.ts';
import { nodePodPools, type NodePodAddresses } from './node-cidrs.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import { implicitNamespaces, type KubeObject, type Snapshot } from '../../snapshot/types.ts';
import { classMatches, externalWays, forwardsAcrossNodes, selectorOf, servicePorts, targetConns } from './service-ports.ts';
import { memoize } from '../memo.ts';
import { workloadsOf, type PodView } from '../workloads.ts';
import { detectCni, type CniDetection } from './cni.ts';
import { composeStages, type Composition } from './composition.ts';
import { allConns, emptyConns, isAllConns, isEmptyConns, isProtocol, MAX_PORT, MIN_PORT, unionAllConns, unionConns, type ConnSet } from './conns.ts';
import { evaluatePlan, podSetMatches, policyLabel, uniqueDoubts, type Doubt, type DoubtReason, type PodPools, type DecisionCause, type Direction, type DirectionVerdict, type Endpoint, type MatchContext, type StagePlan, type AddressNodes } from './engine.ts';
import { describePolicy, type CoverageNote, type LayerPolicy, type NamedPort, type PodClass, type PodSet, type PolicyApi, type Rule, type TierSpec, type PolicySettings } from './layers.ts';
import type { Selector } from './selector.ts';
import { identityPodLabels } from './cilium/labels.ts';
import { POLICY_APIS } from './apis.ts';
import { KINDS, type KindKey } from '../../snapshot/kinds.ts';
import { addressKey, indexAddresses, nodeAddressIndex, type AddressHolder, type NodeAddressIndex } from './addresses.ts';
import { undeclaredNamespaceNotes } from './undeclared-namespaces.ts';
import { namespacesMatching } from './namespace-index.ts';

export type { DirectionVerdict, Endpoint, RuleRef } from './engine.ts';

export type { NamedPort, PodClass } from './layers.ts';

export interface WorkloadNode {
  /** "namespace/Kind/name". */
  key: string;
  ref: ResourceRef;
  classes: PodClass[];
  podCount: number;
  origin: PodView['origin'];
}

export interface ReachModel {
  /** Every policy of every API, valid or not, enforced or not (invalid ones carry errors and are never evaluated). */
  policies: LayerPolicy[];
  classes: PodClass[];
  classesByNamespace: Map<string, PodClass[]>;
  workloads: WorkloadNode[];
  workloadByKey: Map<string, WorkloadNode>;
  namespaceLabels: Map<string, Record<string, string>>;
  /** Every namespaced policy of a namespace, of every API (valid or not). */
  policiesByNamespace: Map<string, LayerPolicy[]>;
  /**
   * Classes selected by each valid policy (by policy id), whether or not the CNI enforces it, and
   * by each enforced policy the model does not evaluate (LayerPolicy.unevaluated): the classes it may apply to.
   */
  selectedBy: Map<string, PodClass[]>;
  /** How the running CNI composes the APIs (stages, fallback, decorative APIs). */
  composition: Composition;
  /** Whether the CNI enforces this (valid) policy. */
  enforced(p: LayerPolicy): boolean;
  policyById: Map<string, LayerPolicy>;
  /**
   * A pod class as a new pod in `namespace` with these labels (default: none) would get: its
   * policies and plans, computed now (not cached, not part of `classes`). `serviceAccount`: its
   * spec's serviceAccountName ("default" when unset), so selectors on ServiceAccount labels
   * (Calico serviceAccountSelector) judge the template's own.
   */
  probe(namespace: string, labels?: Record<string, string>, serviceAccount?: string): PodClass;
  /** What the adapters saw and the model does not evaluate. */
  notes: CoverageNote[];
  /**
   * Policy kinds the adapters read that were forbidden or failed to list (or are served only at a
   * version ztaudit does not read), each said for people: their policies may decide any flow, so
   * no answer is vouched for. A kind that is absent (CRD not installed) holds no policies and is
   * not here. Also each API present whose enforcement by the CNI cannot be confirmed (Composition.unconfirmed).
   */
  unread: string[];
  /** Policy kinds that were not read and decide no flow, for people: the CNI does not enforce them (Composition.notEnforced). */
  passedOver: string[];
  /**
   * The same kinds, each with its API; notEnforced says why the CNI does not enforce it (passedOver),
   * undefined when its policies may decide a flow (unread). Checks judging flows wait only for those.
   */
  unreadKinds: Array<{ key: KindKey; api: PolicyApi; what: string; status: 'forbidden' | 'error'; notEnforced?: string }>;
  /** What the model takes as enforced without the CNI's version or build to show it, for people: reach says it. */
  assumed: string[];
  match: MatchContext;
  /** The pods and Services holding a cluster address (pod IPs, ClusterIPs); indexed on the first call. */
  addressHolders(ip: { family: number; value: bigint }): AddressHolder[];
  /** The Nodes whose status.addresses hold an address, with their labels, for an ANP `nodes` peer (addresses.ts nodeAddressIndex). */
  addressNodes(ip: { family: number; value: bigint }): AddressNodes;
  /**
   * Every address a pod may be given, as the Nodes' podCIDRs where the enforcer's IPAM keeps to
   * them (node-cidrs.ts), or why not; read only when a live address's settlement asks.
   */
  nodePodCidrs(): NodePodAddresses;
  /**
   * Whether the snapshot knows running pods' addresses (a live one, or one whose pods carry
   * status.podIPs); from manifests an address no object holds may still be a pod's. Read when asked.
   */
  podAddressesKnown(): boolean;
  /** Cilium is the CNI and routes natively (cilium-config routing-mode native, or the legacy tunnel: disabled). */
  ciliumNativeRouting: boolean;
  /**
   * Under Cilium native routing, the Services that take traffic from outside to the class and may
   * hand it to another node (LoadBalancer, NodePort or externalIPs, externalTrafficPolicy not
   * Local), each with the class's target ports: such traffic reaches the pod with the
   * remote-node identity (REMOTE_NODE_PEER), not world. Empty otherwise.
   */
  nodeForwarded(cls: PodClass): ForwardedService[];
  /** The CNI is known to leave host-network pods out of NetworkPolicy (OVN-Kubernetes): why, for people. */
  hostNetworkIgnoredBy?: string;
  /**
   * The CNI is not known to apply NetworkPolicy to host-network pods or to ignore them
   * (kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
   * undefined), and some run: this model applies NetworkPolicies to them as to any pod; this
   * builds (once, on the first call) the model of the same snapshot that ignores them.
   */
  hostNetworkIgnored?: () => ReachModel;
}

/** A Service whose external traffic another node may forward to a pod (ReachModel.nodeForwarded). */
export interface ForwardedService {
  via: 'LoadBalancer' | 'NodePort' | 'externalIPs';
  service: ResourceRef;
  /** The class's target ports the Service reaches. */
  conns: ConnSet;
}

/**
 * The sender of traffic from outside that a node forwards to a pod on another node, under Cilium
 * native routing: "the request needs to be forwarded to another node after the service endpoint
 * selection, then it will have the reserved:remote-node [identity]. The latter traffic will match
 * fromEntities: cluster policies" (docs.cilium.io/en/stable/security/policy/caveats/, "Security
 * Identity for N/S Service Traffic"; in tunnelling mode it stays world).
 */
export const REMOTE_NODE_PEER: Endpoint = { kind: 'node', name: 'another node (remote-node)', labels: {}, remote: true };

/** How answers say it: "forwarded by another node …". */
export function forwardedWhy(f: ForwardedService): string {
  const svc = `${f.via === 'externalIPs' ? 'externalIPs of ' : `${f.via} `}Service ${f.service.namespace}/${f.service.name}`;
  return `forwarded by another node for ${svc}: under Cilium native routing it arrives with the remote-node identity, not world`;
}

export interface Isolation {
  /** Nothing from (to) a peer no policy names reaches the default allow. */
  isolated: boolean;
  /** Connections a pod no policy names gets through to the default allow. */
  openToPods: ConnSet;
  /** Connections an external address no CIDR names gets through to the default allow. */
  openToExternal: ConnSet;
  /** Policies that decide the fate of such a peer (their rules or their isolation), in evaluation order. */
  by: string[];
  /**
   * The policies isolate nothing: every TCP and UDP port (SCTP, rarely served, aside) is open
   * - to every pod of every namespace and every address of some family, by a rule or by default
   *   (an allow-all rule: upstream's "allow all ingress", or a rule for TCP and UDP with no port), or
   * - to every pod by Allow rules of stages evaluated before the one that isolates the pod (an
   *   AdminNetworkPolicy or ClusterNetworkPolicy Allow, an earlier Calico tier): such an Allow is
   *   final, so that stage's isolation (the namespace's default deny) never applies to pods.
   * Judged on the effective verdict, so an allow-all behind a deny does not count.
   */
  allowsAll: boolean;
  /** Why `allowsAll`, when policies select the pod. */
  openedBy?: OpenedBy;
}

export interface OpenedBy {
  /** The policies whose Allow rules open every TCP/UDP port to every pod, in evaluation order (none: the default allow does); those of the stages before the isolating one when they override it. */
  policies: string[];
  /** The policies of the isolating stage those Allows override (empty: they override nothing). */
  overrides: string[];
  /** Every address of some family is open too (every source, not only every pod). */
  everyAddress: boolean;
  /**
   * Their Allow rules open every port of every protocol the model knows (TCP, UDP and SCTP: a
   * rule with no port, or a Calico rule with no protocol), not only every TCP and UDP port.
   */
  allPorts: boolean;
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** The API of each kind the AdminNetworkPolicy adapter reads (the others read one API each). */
const KIND_API: Partial<Record<string, PolicyApi>> = {
  'anp.adminnetworkpolicies': 'AdminNetworkPolicy',
  'anp.baselineadminnetworkpolicies': 'BaselineAdminNetworkPolicy',
  'anp.clusternetworkpolicies': 'ClusterNetworkPolicy',
  'cilium.clusterwidenetworkpolicies': 'CiliumClusterwide',
};

/**
 * ReachModel.unread: "ClusterNetworkPolicy (clusternetworkpolicies.policy.networking.k8s.io) could
 * not be read (error: …)"; passedOver, the unread kinds the CNI does not enforce; unreadKinds, both.
 */
function unreadPolicyKinds(snapshot: Snapshot, cni: CniDetection, composition: Composition, settings: PolicySettings): Pick<ReachModel, 'unread' | 'passedOver' | 'unreadKinds'> {
  const unread: string[] = [];
  const passedOver: string[] = [];
  const unreadKinds: ReachModel['unreadKinds'] = [];
  // A kind no detected plugin enforces decides nothing whether read or not (its policies would be
  // decorative), nor does any kind under Cilium with enforcement off; with no CNI recognised, any kind may.
  const enforced = (api: PolicyApi) => !cni.plugins.length
    || cni.plugins.some((p) => p.enforces && p.apis.includes(api) && !(p.name === 'cilium' && composition.name === 'cilium' && composition.notEnforced(api) !== undefined));
  for (const adapter of POLICY_APIS) {
    for (const key of adapter.kinds) {
      const c = snapshot.coverage[key];
      if (c?.status !== 'forbidden' && c?.status !== 'error') continue;
      const spec = KINDS.find((k) => k.key === key);
      const what = spec ? `${spec.kind} (${spec.resource}${spec.group ? `.${spec.group}` : ''})` : key;
      const api = KIND_API[key] ?? adapter.api;
      if (enforced(api)) {
        unread.push(`${what} could not be read (${c.status}${c.detail ? `: ${c.detail}` : ''}): its policies may decide this, and the model cannot vouch for what it did not read`);
        unreadKinds.push({ key, api, what, status: c.status });
      } else {
        const why = composition.notEnforced(api) ?? `the CNI does not enforce ${api}`;
        // No reach verdict waits for it; a check judging every policy, enforced or not (network.invalid-policy), still does.
        passedOver.push(`${what} was not read (${c.status}) and decides no reach verdict: ${why}`);
        unreadKinds.push({ key, api, what, status: c.status, notEnforced: why });
      }
    }
  }
  // An API the CNI is taken to enforce without confirmation: no answer resting on its policies is vouched for.
  if (composition.switchUnconfirmed) unread.push(`whether the CNI enforces any policy cannot be confirmed (${composition.switchUnconfirmed}): the model evaluates the policies ${composition.switchAssumed}, and cannot vouch for that`);
  for (const [api, why] of composition.unconfirmed) unread.push(`whether the CNI enforces ${api} cannot be confirmed (${why}): its policies are evaluated as enforced, and the model cannot vouch for that`);
  return { unread, passedOver, unreadKinds };
}

/** Named container ports of a pod spec (containers and restartable init "sidecar" containers). */
export function namedPortsOf(spec: Record<string, unknown>): NamedPort[] {
  const out: NamedPort[] = [];
  const lists = [spec.containers, Array.isArray(spec.initContainers) ? spec.initContainers.filter((c: { restartPolicy?: unknown }) => c?.restartPolicy === 'Always') : []];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const ports = (c as { ports?: unknown })?.ports;
      if (!Array.isArray(ports)) continue;
      for (const p of ports) {
        if (!p || typeof p !== 'object') continue;
        const { name, containerPort, protocol } = p as Record<string, unknown>;
        const proto = protocol === undefined ? 'TCP' : protocol;
        if (typeof name !== 'string' || !name || typeof containerPort !== 'number' || !isProtocol(proto)) continue;
        out.push({ name, protocol: proto, port: containerPort });
      }
    }
  }
  return out.sort((a, b) => (a.name + a.protocol + a.port).localeCompare(b.name + b.protocol + b.port));
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (--n < 0) return false;
  return n === 0;
}

function samePorts(a: NamedPort[], b: NamedPort[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].protocol !== b[i].protocol || a[i].port !== b[i].port) return false;
  return true;
}

function classKey(namespace: string, labels: Record<string, string>, ports: NamedPort[], hostNetwork: boolean, serviceAccount: string): string {
  const l = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0001');
  const p = ports.map((x) => `${x.name}/${x.protocol}/${x.port}`).join('\u0001');
  return `${namespace}\u0000${l}\u0000${p}\u0000${hostNetwork ? 1 : 0}\u0000${serviceAccount}`;
}

export function workloadKey(ref: ResourceRef): string {
  return `${ref.namespace ?? ''}/${ref.kind}/${ref.name}`;
}

export const buildReachability = memoize((snapshot: Snapshot): ReachModel => buildModel(snapshot, false), ['network', 'tls']);

/**
 * `ignoreHostNetwork`: NetworkPolicies neither select nor name host-network pods, whatever the
 * CNI (the other reading of `ReachModel.hostNetworkIgnored`).
 */
function buildModel(snapshot: Snapshot, ignoreHostNetwork: boolean): ReachModel {
  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const n of snapshot.resources.namespaces ?? []) {
    const name = n.metadata?.name;
    // The control plane sets kubernetes.io/metadata.name to the namespace's name, whatever a manifest says.
    if (typeof name === 'string') namespaceLabels.set(name, { ...stringRecord(n.metadata?.labels), 'kubernetes.io/metadata.name': name });
  }

  const serviceAccountLabels = new Map<string, Record<string, string>>();
  const declaredServiceAccounts = new Set<string>();
  // Keys only for what is read: the accounts with labels, and every account from manifests
  // (serviceAccountLabelsUnknown); a key per account was 60,000 strings at L.
  const declaring = snapshot.origin === 'manifests';
  for (const sa of snapshot.resources.serviceaccounts ?? []) {
    const labels = sa.metadata?.labels ? stringRecord(sa.metadata.labels) : undefined;
    const labelled = labels !== undefined && Object.keys(labels).length > 0;
    if (!declaring && !labelled) continue;
    const key = `${sa.metadata?.namespace ?? 'default'}/${sa.metadata?.name ?? ''}`;
    declaredServiceAccounts.add(key);
    if (labelled) serviceAccountLabels.set(key, labels);
  }
  // Whose ServiceAccount labels are not known (Calico selects by them as pcsa.*): every one when
  // the kind could not be read; from manifests, one no manifest declares (the `default` account
  // is created without labels).
  const saStatus = snapshot.coverage.serviceaccounts?.status;
  const serviceAccountsUnread = saStatus === 'forbidden' || saStatus === 'error';
  const serviceAccountLabelsUnknown = (ns: string, sa: string): 'unread' | 'undeclared' | undefined => serviceAccountsUnread ? 'unread'
    : snapshot.origin === 'manifests' && sa !== 'default' && !declaredServiceAccounts.has(`${ns}/${sa}`) ? 'undeclared' : undefined;

  let someServiceAccountLabelsUnknown = false;
  const classByKey = new Map<string, PodClass>();
  const classes: PodClass[] = [];
  const classesByNamespace = new Map<string, PodClass[]>();
  const workloads: WorkloadNode[] = [];
  const workloadByKey = new Map<string, WorkloadNode>();

  // A class's workload keys, as a set once the list is long (many workloads may share one class).
  const workloadSets = new Map<PodClass, Set<string>>();
  // A class's pods, whose own live addresses (liveAddressesOf) or, under Calico, IPPools
  // (podPoolsOf) place them against CIDRs: read only when a CIDR is matched on a pod.
  const podsOfClass = new Map<PodClass, PodView[]>();
  const podsOf = (cls: PodClass): PodView[] => {
    let list = podsOfClass.get(cls);
    if (!list) podsOfClass.set(cls, (list = []));
    return list;
  };
  for (const w of workloadsOf(snapshot)) {
    if (w.pods.length === 0) continue;
    const key = workloadKey(w.ref);
    const node: WorkloadNode = { key, ref: w.ref, classes: [], podCount: w.podCount, origin: w.pods[0].origin };
    const perPodCount = w.pods.length === w.podCount ? 1 : w.podCount / w.pods.length;
    // The replicas of a workload are alike: a pod equal to the previous one in every part of
    // the class key is in the same class, without building the key.
    // Replicas loaded from one snapshot often share their spec object (identical subtrees are
    // one object): such a pod has the previous pod's ports, hostNetwork and service account.
    let prev: { ns: string; labels: Record<string, string>; spec: PodView['spec']; ports: NamedPort[]; hostNetwork: boolean; sa: string; cls: PodClass; pods: PodView[] } | undefined;
    for (const pod of w.pods) {
      const ns = pod.namespace;
      if (!namespaceLabels.has(ns)) namespaceLabels.set(ns, { 'kubernetes.io/metadata.name': ns });
      const sameSpec = prev !== undefined && prev.spec === pod.spec;
      const ports = sameSpec ? prev!.ports : namedPortsOf(pod.spec);
      const hostNetwork = sameSpec ? prev!.hostNetwork : pod.spec.hostNetwork === true;
      const sa = sameSpec ? prev!.sa : typeof pod.spec.serviceAccountName === 'string' && pod.spec.serviceAccountName ? pod.spec.serviceAccountName : typeof pod.spec.serviceAccount === 'string' && pod.spec.serviceAccount ? pod.spec.serviceAccount : 'default';
      if (prev && prev.ns === ns && prev.hostNetwork === hostNetwork && prev.sa === sa && sameLabels(prev.labels, pod.labels) && samePorts(prev.ports, ports)) {
        prev.cls.podCount += perPodCount;
        prev.pods.push(pod);
        continue;
      }
      const ck = classKey(ns, pod.labels, ports, hostNetwork, sa);
      let cls = classByKey.get(ck);
      if (!cls) {
        // One literal, no object spread into it per class (the rare unknown-labels mark is set
        // after); the account's key is made only when some account has labels.
        cls = { id: classes.length, namespace: ns, labels: pod.labels, namedPorts: ports, hostNetwork, serviceAccount: sa, serviceAccountLabels: (serviceAccountLabels.size ? serviceAccountLabels.get(`${ns}/${sa}`) : undefined) ?? {}, workloads: [], podCount: 0, ingressPolicies: [], egressPolicies: [], ingressPlan: NO_PLAN, egressPlan: NO_PLAN };
        const unknown = serviceAccountLabelsUnknown(ns, sa);
        if (unknown) {
          cls.serviceAccountLabelsUnknown = unknown;
          someServiceAccountLabelsUnknown = true;
        }
        classByKey.set(ck, cls);
        classes.push(cls);
        let list = classesByNamespace.get(ns);
        if (!list) classesByNamespace.set(ns, (list = []));
        list.push(cls);
      }
      cls.podCount += perPodCount;
      const pods = podsOf(cls);
      pods.push(pod);
      if (cls.workloads[cls.workloads.length - 1] !== key) {
        let set = workloadSets.get(cls);
        if (!set && cls.workloads.length >= 16) workloadSets.set(cls, (set = new Set(cls.workloads)));
        if (set ? !set.has(key) : !cls.workloads.includes(key)) {
          cls.workloads.push(key);
          set?.add(key);
        }
      }
      if (!node.classes.includes(cls)) node.classes.push(cls);
      prev = { ns, labels: pod.labels, spec: pod.spec, ports, hostNetwork, sa, cls, pods };
    }
    workloads.push(node);
    workloadByKey.set(key, node);
  }

  // Every API's policies, then the CNI's composition of them.
  const policies: LayerPolicy[] = [];
  const tiers: TierSpec[] = [];
  const notes: CoverageNote[] = [];
  const settings: PolicySettings = {};
  for (const adapter of POLICY_APIS) {
    const out = adapter.parse({ snapshot, namespaceLabels });
    policies.push(...out.policies);
    tiers.push(...(out.tiers ?? []));
    notes.push(...out.notes);
    Object.assign(settings, out.settings ?? {});
  }
  const present = new Set<PolicyApi>(policies.map((p) => p.api));
  const cni = detectCni(snapshot);
  const composition = composeStages(cni, present, tiers, settings);
  const assumed: string[] = [];
  for (const plugin of cni.plugins) {
    for (const a of plugin.assumed ?? []) {
      if (!present.has(a.api)) continue;
      notes.push(a.note);
      assumed.push(a.note.message);
    }
  }
  // Calico enforces the admin policies as the GlobalNetworkPolicies its converter makes of them
  // (ANP/BANP on v3.29-v3.31, ClusterNetworkPolicy from v3.32), whose every outcome the model
  // follows: onCalicoConversion.
  if (composition.name === 'calico') {
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i];
      const converter = p.api === 'ClusterNetworkPolicy' ? CALICO_CNP : p.api === 'AdminNetworkPolicy' || p.api === 'BaselineAdminNetworkPolicy' ? CALICO_ANP : undefined;
      if (!converter || composition.stageOf(p) === undefined) continue;
      const converted = onCalicoConversion(p, converter);
      policies[i] = converted.policy;
      for (const message of converted.notes) notes.push({ object: p.ref, message });
    }
  }
  // Calico and Cilium police workload endpoints only: a host-network pod is the node there,
  // so Kubernetes NetworkPolicies neither select it nor name it as a pod peer (the other
  // APIs' adapters already say so for their own policies). So does OVN-Kubernetes: "Network
  // policies work only within boundaries of OVN-Kubernetes-controlled traffic, so they can apply
  // to every situation except for hostPort/hostNetwork enabled pods" (Red Hat build of MicroShift
  // 4.17, Networking, "How network policy works in MicroShift"; OpenShift's "About network
  // policy": "Network policy does not apply to the host network namespace"). Elsewhere Kubernetes leaves it undefined: the model
  // applies them as to any pod, and `reach` compares with the reading that ignores them.
  const hostNetworkByCni = composition.name === 'kubernetes' && cni.plugins.find((p) => p.enforces)?.name === 'ovn-kubernetes'
    ? 'OVN-Kubernetes applies no NetworkPolicy to host-network pods ("Network policy does not apply to the host network namespace", OpenShift docs, About network policy): no policy selects them or names them as pods'
    : undefined;
  const hostNetworkInDoubt = !ignoreHostNetwork && composition.name === 'kubernetes' && !hostNetworkByCni && classes.some((c) => c.hostNetwork);
  let ignored: ReachModel | undefined;
  if (composition.name !== 'kubernetes' || hostNetworkByCni || ignoreHostNetwork) {
    for (let i = 0; i < policies.length; i++) if (policies[i].api === 'NetworkPolicy') policies[i] = withoutHostNetworkPods(policies[i]);
  }
  // A NetworkPolicy ipBlock matches the packet's address, a pod's included, on every CNI but
  // Cilium: Kubernetes e2e "should allow egress access to server in CIDR block" allows a pod by its
  // podIP/32, and Calico turns an ipBlock into rule nets/notNets (libcalico-go k8s conversion
  // k8sPeerToCalicoFields) that Felix matches on pod addresses. The engine judges a pod against
  // them as against Calico nets (engine.ts podCidrStatus), by its live addresses where every pod
  // of its class has one (pod-addresses.ts, which cites the other CNIs that match them). Cilium's CIDR rules do not select the
  // endpoints it manages (github.com/cilium/cilium/issues/9209): there an ipBlock holds no pod.
  if (composition.name !== 'cilium') {
    for (let i = 0; i < policies.length; i++) if (policies[i].api === 'NetworkPolicy') policies[i] = withPodAddressBlocks(policies[i]);
  }
  // Cilium translates a NetworkPolicy's podSelector into a rule over security identities, whose
  // labels its default filter narrows (statefulset.kubernetes.io/pod-name, pod-template-hash, …):
  // such a selector sees what a CiliumNetworkPolicy's would.
  if (composition.name === 'cilium') {
    for (let i = 0; i < policies.length; i++) if (policies[i].api === 'NetworkPolicy') policies[i] = onCiliumIdentity(policies[i]);
  }
  const ciliumNativeRouting = composition.name === 'cilium' && settings.ciliumRoutingMode === 'native';
  // Calico: what passes every tier meets the endpoint's profile, which allows a Kubernetes pod
  // (docs.tigera.io/calico/latest/reference/resources/tier, "How Policy Is Evaluated").
  // Namespaces no manifest declares: a selector on their other labels cannot be judged (undeclared-namespaces.ts).
  const undeclared = implicitNamespaces(snapshot);
  notes.push(...undeclaredNamespaceNotes(policies, (p) => composition.stageOf(p) !== undefined, undeclared, classesByNamespace));
  const subjectDoubts = new Map<PodClass, Array<{ policy: LayerPolicy; why: string }>>();
  // Calico IPAM gives pods addresses from its IPPools: they settle a pod against ipBlocks and nets,
  // as a live pod's own addresses do on every CNI that matches an ipBlock on them.
  const classPools = new Map<PodClass, (() => PodPools) | undefined>();
  const hostFamilies = new Map<PodClass, ReturnType<typeof hostFamiliesOf>>();
  const pools = composition.name === 'calico' ? {
    podPools: () => podPools(snapshot),
    classPools: (cls: PodClass) => {
      if (!classPools.has(cls)) classPools.set(cls, podPoolsOf(snapshot, podsOfClass.get(cls) ?? []));
      return classPools.get(cls);
    },
    // With no IPPool read, the families IPAM's visible settings give pods (ipVersion rules), once per run.
    ipamFamilies: (why: string) => (why === NO_POOL_READ ? ipamFamilies(snapshot) : undefined),
    // A host-network pod's families are its node's, shown by its own addresses (ipVersion rules).
    hostFamilies: (cls: PodClass) => {
      if (!hostFamilies.has(cls)) hostFamilies.set(cls, hostFamiliesOf(snapshot, podsOfClass.get(cls) ?? []));
      return hostFamilies.get(cls);
    },
  } : composition.name === 'kubernetes' && cni.plugins.some((p) => p.enforces) ? {
    // Elsewhere (Cilium aside: its CIDR rules hold no pod) only the pods' own live addresses say
    // where they are — under a recognised enforcer that matches ipBlocks on them (kube-router,
    // Antrea, OVN-Kubernetes, …: pod-addresses.ts). With no CNI recognised the enforcer may be one
    // that holds no pod in a CIDR rule (an undetected Cilium: cilium/cilium#9209), so the doubt stays.
    classPools: (cls: PodClass) => {
      if (!classPools.has(cls)) classPools.set(cls, liveAddressesOf(snapshot, podsOfClass.get(cls) ?? []));
      return classPools.get(cls);
    },
  } : {};
  // Manifests carry no pod's address: an address none of them holds may be a pod's (podAddressesKnown below).
  const nodesSelected = nodeSelection(snapshot);
  const match: MatchContext = { subjectDoubts, namespaceLabels, ...pools, ...(nodesSelected ? { nodesSelected } : {}), ...(snapshot.origin !== 'live' ? { podAddressesUnknown: true as const } : {}), ...(undeclared.size ? { undeclaredNamespaces: undeclared } : {}), fallback: composition.fallback, ...(composition.fallbackReason ? { fallbackReason: composition.fallbackReason } : {}), ...(composition.name === 'calico' ? { fallbackAllowReason: "the pod's Calico profile" } : {}) };

  const selectedBy = new Map<string, PodClass[]>();
  const policiesByNamespace = new Map<string, LayerPolicy[]>();
  const stageIndex = new Map<LayerPolicy, number>();
  const nsBySelector = new Map<string, string[]>();
  const candidatesOf = (p: LayerPolicy): PodClass[] => {
    const scope = p.subject.namespaces;
    if (scope.kind === 'policy') return p.namespace === undefined ? classes : classesByNamespace.get(p.namespace) ?? [];
    if (scope.kind === 'names') return scope.names.flatMap((n) => classesByNamespace.get(n) ?? []);
    if (scope.selector.empty) return classes;
    let names = nsBySelector.get(scope.selector.key);
    if (!names) nsBySelector.set(scope.selector.key, (names = namespacesMatching(namespaceLabels, scope.selector)));
    return names.flatMap((n) => classesByNamespace.get(n) ?? []);
  };
  const staged: LayerPolicy[] = [];
  const selectedOf = new Map<LayerPolicy, PodClass[]>();
  for (const p of policies) {
    if (p.namespace !== undefined) {
      let list = policiesByNamespace.get(p.namespace);
      if (!list) policiesByNamespace.set(p.namespace, (list = []));
      list.push(p);
    }
    if (p.errors.length) {
      // Left out of every plan, yet the flow checks must know the pods it may decide (query.ts unevaluatedSelecting).
      if (p.unevaluated && composition.stageOf(p) !== undefined) selectedBy.set(p.id, candidatesOf(p).filter((c) => podSetMatches(match, p.subject, p.namespace, c)));
      continue;
    }
    const candidates = candidatesOf(p);
    const selected = candidates.filter((c) => podSetMatches(match, p.subject, p.namespace, c));
    // A subject on labels that are not known (a Calico serviceAccountSelector where the
    // ServiceAccount was not read): counted as the labels read, and said once per policy.
    const doubt = p.subject.where?.doubt;
    if (doubt && someServiceAccountLabelsUnknown) {
      const unsure = candidates.filter((c) => doubt(c, namespaceLabels.get(c.namespace) ?? {}) !== undefined);
      if (unsure.length) notes.push({ object: p.ref, message: `${policyLabel(p)} selects pods by ServiceAccount labels that are not known for ${unsure.length} pod class(es) (${doubt(unsure[0], namespaceLabels.get(unsure[0].namespace) ?? {})}): every verdict on them counts the labels as read` });
      // Enforced, it makes `reach` on those classes UNKNOWN (engine.ts evaluatePlan).
      if (composition.stageOf(p) !== undefined) {
        for (const c of unsure) {
          let list = subjectDoubts.get(c);
          if (!list) subjectDoubts.set(c, (list = []));
          list.push({ policy: p, why: doubt(c, namespaceLabels.get(c.namespace) ?? {})! });
        }
      }
    }
    // A subject on namespace labels (a Calico namespaceSelector, a Cilium selector on
    // io.cilium.k8s.namespace.labels.*) may or may not hold the pods of a namespace no manifest
    // declares: only its name label is known. Counted as the name-only reading; reach on them UNKNOWN.
    const nsOpen = p.subject.where?.namespaceLabels;
    if (nsOpen && undeclared.size && composition.stageOf(p) !== undefined) {
      for (const c of candidates) {
        if (!undeclared.has(c.namespace) || !podSetMatches(match, { ...p.subject, where: nsOpen.without }, p.namespace, c)) continue;
        let list = subjectDoubts.get(c);
        if (!list) subjectDoubts.set(c, (list = []));
        list.push({ policy: p, why: `whether namespace ${c.namespace} is selected by its selector on namespace labels ${nsOpen.keys.join(', ')} is not known: no manifest declares it, so only its kubernetes.io/metadata.name label is known (add the Namespace manifest with its labels); counted as ${podSetMatches(match, p.subject, p.namespace, c) ? 'selected' : 'not selected'}` });
      }
    }
    selectedBy.set(p.id, selected);
    const stage = composition.stageOf(p);
    if (stage === undefined) continue;
    stageIndex.set(p, stage);
    staged.push(p);
    selectedOf.set(p, selected);
  }

  // Plans: policies sorted by (stage, order, name), grouped by stage; shared by classes with equal policy lists.
  const compareKeys = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const sortKey = new Map<LayerPolicy, string>();
  for (const p of staged) sortKey.set(p, composition.sortKeyOf(p));
  const byOrder = (a: LayerPolicy, b: LayerPolicy) => (stageIndex.get(a)! - stageIndex.get(b)!)
    || ((composition.orderOf(a) ?? Infinity) - (composition.orderOf(b) ?? Infinity))
    || compareKeys(sortKey.get(a)!, sortKey.get(b)!);
  // The enforced policies sorted once (a stable sort, as each class's own list would be), then
  // handed to the classes they select in that order: every class's lists come out sorted.
  staged.sort(byOrder);
  if (composition.tieRuleAssumed) {
    // Ties between a Kubernetes NetworkPolicy and a Calico policy are where the releases' rules differ.
    const ties: Array<[LayerPolicy, LayerPolicy]> = [];
    for (let i = 1; i < staged.length; i++) {
      const [a, b] = [staged[i - 1], staged[i]];
      if (a.layer !== b.layer && stageIndex.get(a) === stageIndex.get(b) && composition.orderOf(a) === composition.orderOf(b)) ties.push([a, b]);
    }
    if (ties.length) {
      const [a, b] = ties[0];
      notes.push({ object: a.ref, message: `Calico's version is unknown: ${describePolicy(a)} and ${describePolicy(b)} share an order${ties.length > 1 ? ` (and ${ties.length - 1} more such pairs)` : ''}; ties are broken by ${composition.tieRuleAssumed}` });
    }
  }
  for (const p of staged) {
    for (const c of selectedOf.get(p)!) {
      if (p.ingress) c.ingressPolicies.push(p);
      if (p.egress) c.egressPolicies.push(p);
    }
  }
  const plans = new Map<string, { policies: LayerPolicy[]; plan: StagePlan[] }>();
  const planFor = (list: LayerPolicy[], sortedAlready = false) => {
    if (list.length === 0) return { policies: list, plan: NO_PLAN as StagePlan[] };
    const sorted = list.length > 1 && !sortedAlready ? [...list].sort(byOrder) : list;
    let key = sorted[0].id;
    for (let i = 1; i < sorted.length; i++) key += `\u0000${sorted[i].id}`;
    let hit = plans.get(key);
    if (!hit) {
      const plan: StagePlan[] = [];
      for (const p of sorted) {
        const stage = composition.stages[stageIndex.get(p)!];
        const last = plan[plan.length - 1];
        if (last && last.stage === stage) last.policies.push(p);
        else plan.push({ stage, policies: [p] });
      }
      hit = { policies: sorted, plan };
      plans.set(key, hit);
    }
    return hit;
  };
  const clusterScoped = policies.filter((p) => p.namespace === undefined && stageIndex.has(p));
  const probe = (namespace: string, labels: Record<string, string> = {}, serviceAccount = 'default'): PodClass => {
    const cls: PodClass = {
      id: -1, namespace, labels, namedPorts: [], hostNetwork: false, serviceAccount, serviceAccountLabels: serviceAccountLabels.get(`${namespace}/${serviceAccount}`) ?? {},
      workloads: [], podCount: 0, ingressPolicies: [], egressPolicies: [], ingressPlan: NO_PLAN, egressPlan: NO_PLAN,
    };
    for (const p of [...(policiesByNamespace.get(namespace) ?? []), ...clusterScoped]) {
      if (p.errors.length || !stageIndex.has(p) || !podSetMatches(match, p.subject, p.namespace, cls)) continue;
      if (p.ingress) cls.ingressPolicies.push(p);
      if (p.egress) cls.egressPolicies.push(p);
    }
    const i = planFor(cls.ingressPolicies);
    const e = planFor(cls.egressPolicies);
    return { ...cls, ingressPolicies: i.policies, ingressPlan: i.plan, egressPolicies: e.policies, egressPlan: e.plan };
  };
  for (const c of classes) {
    const i = planFor(c.ingressPolicies, true);
    c.ingressPolicies = i.policies;
    c.ingressPlan = i.plan;
    const e = planFor(c.egressPolicies, true);
    c.egressPolicies = e.policies;
    c.egressPlan = e.plan;
  }
  return {
    policies, classes, classesByNamespace, workloads, workloadByKey, namespaceLabels, policiesByNamespace, selectedBy,
    composition, enforced: (p) => stageIndex.has(p), policyById: new Map(policies.map((p) => [p.id, p])), probe, notes, ...unreadPolicyKinds(snapshot, cni, composition, settings), assumed, match,
    addressHolders: (ip) => indexAddresses(snapshot).get(addressKey(ip)) ?? [],
    addressNodes: (ip) => addressNodesOf(nodeAddressIndex(snapshot), ip),
    nodePodCidrs: () => nodePodPools(snapshot),
    podAddressesKnown: () => snapshot.origin === 'live',
    ciliumNativeRouting,
    nodeForwarded: ciliumNativeRouting ? nodeForwardedIndex(snapshot) : () => [],
    ...(hostNetworkByCni ? { hostNetworkIgnoredBy: hostNetworkByCni } : {}),
    ...(hostNetworkInDoubt ? { hostNetworkIgnored: () => (ignored ??= buildModel(snapshot, true)) } : {}),
  };
}

const NO_PLAN: readonly StagePlan[] = Object.freeze([]);

/**
 * MatchContext.nodesSelected: whether a node selector selects every Node, none or some, each
 * selector judged once; undefined unless every Node is known (a live snapshot whose Nodes were
 * listed, at least one).
 */
function nodeSelection(snapshot: Snapshot): MatchContext['nodesSelected'] {
  // From manifests the Nodes need not all be there: not even looked at (nor declared read for them).
  if (snapshot.origin !== 'live') return undefined;
  const nodes = snapshot.resources.nodes ?? [];
  if (snapshot.coverage.nodes?.status !== 'ok' || !nodes.length) return undefined;
  const bySelector = new Map<string, 'all' | 'none' | 'some'>();
  return (selector) => {
    let hit = bySelector.get(selector.key);
    if (!hit) {
      const n = selector.empty ? nodes.length : nodes.filter((o) => selector.matches(o.metadata?.labels ?? {})).length;
      bySelector.set(selector.key, (hit = n === nodes.length ? 'all' : n === 0 ? 'none' : 'some'));
    }
    return hit;
  };
}

/**
 * ReachModel.addressNodes: the Nodes holding the address, each with the type of its entry naming it
 * ("InternalIP"); an address none holds is no Node's only when the index holds every Node.
 */
function addressNodesOf(index: NodeAddressIndex, ip: { family: number; value: bigint }): AddressNodes {
  if ('why' in index) return { why: `${index.why}, so which Nodes hold it is not known` };
  const held = index.byKey.get(addressKey(ip)) ?? [];
  if (!held.length && !index.complete) return { why: index.all.length ? 'the manifests hold no Node with this address, and need not hold every Node' : 'the manifests hold no Node with an address, and need not hold every Node' };
  const byName = new Map<string, { name: string; labels: Record<string, string>; type: string }>();
  for (const a of held) if (!byName.has(a.node)) byName.set(a.node, { name: a.node, labels: a.labels, type: a.type });
  return { nodes: [...byName.values()] };
}

/**
 * ReachModel.nodeForwarded: the qualifying Services indexed by namespace on the first call (only
 * what asks about forwarded traffic reads Services: reach, the matrix, the exposure view), each
 * class's answer cached.
 */
function nodeForwardedIndex(snapshot: Snapshot): (cls: PodClass) => ForwardedService[] {
  let byNs: Map<string, Array<{ svc: KubeObject; sel: Record<string, string>; ways: ForwardedService['via'][] }>> | null = null;
  const index = () => {
    const out = new Map<string, Array<{ svc: KubeObject; sel: Record<string, string>; ways: ForwardedService['via'][] }>>();
    for (const svc of snapshot.resources.services ?? []) {
      const ways = externalWays(svc);
      const sel = selectorOf(svc);
      if (!ways.length || !sel || !forwardsAcrossNodes(svc)) continue;
      const ns = svc.metadata?.namespace ?? 'default';
      let list = out.get(ns);
      if (!list) out.set(ns, (list = []));
      list.push({ svc, sel, ways });
    }
    return out;
  };
  const cache = new WeakMap<PodClass, ForwardedService[]>();
  return (cls) => {
    let hit = cache.get(cls);
    if (hit) return hit;
    hit = [];
    byNs ??= index();
    for (const { svc, sel, ways } of byNs.get(cls.namespace) ?? []) {
      if (cls.hostNetwork || !classMatches(cls, sel)) continue;
      const conns = targetConns(cls, servicePorts(svc));
      if (isEmptyConns(conns)) continue;
      const service = { kind: 'Service', namespace: cls.namespace, name: svc.metadata?.name ?? '' };
      for (const via of ways) hit.push({ via, service, conns });
    }
    cache.set(cls, hit);
    return hit;
  };
}

/** A Calico release's converter of an admin policy kind: how notes name it, and whether it converts named ports. */
interface CalicoConverter {
  release: string;
  namedPorts: boolean;
}

/**
 * libcalico-go/lib/backend/k8s/conversion/conversion.go at v3.29.0-v3.31.7
 * (K8sAdminNetworkPolicyToCalico, K8sBaselineAdminNetworkPolicyToCalico):
 * k8sAdminPolicyPortToCalicoFields gives a namedPort no protocol and no port ("TODO: Add support
 * for NamedPorts"), which unpackANPPorts reads as "no ports specified".
 */
const CALICO_ANP: CalicoConverter = { release: 'Calico v3.29-v3.31', namedPorts: false };
/**
 * conversion/clusternetworkpolicy.go at v3.32.0-v3.32.1 and master (K8sClusterNetworkPolicyToCalico):
 * k8sCNPPortToCalicoFields converts a destinationNamedPort (numorstring.NamedPort).
 */
const CALICO_CNP: CalicoConverter = { release: 'Calico v3.32+', namedPorts: true };

/**
 * An admin policy as a Calico converter enforces it. Both generations convert namespaces, pods and
 * networks peers only (combinePortsWithANPEgressPeers, combinePortsWithCNPIngressPeers/EgressPeers:
 * "none of supported fields in 'To' is set."); any other peer fails the whole rule, which
 * k8sANPHandleFailedRules, k8sBANPHandleFailedRules and k8sClusterNetPolHandleFailedRules replace
 * with a bare Deny (a Deny or Pass rule) or drop (an Allow/Accept rule, its other peers with it).
 * Where named ports are not converted, such a rule applies to every port and protocol, its other
 * port entries dropped (unpackANPPorts breaks on "no ports").
 */
function onCalicoConversion(p: LayerPolicy, c: CalicoConverter): { policy: LayerPolicy; notes: string[] } {
  if (p.errors.length) return { policy: p, notes: [] };
  const conversion: NonNullable<LayerPolicy['conversion']> = [];
  // Every rule Calico changes, for the run's coverage notes (reach says it per flow).
  const notes: string[] = [];
  const actionOf = (r: Rule) => (p.api === 'ClusterNetworkPolicy' && r.action === 'Allow' ? 'Accept' : r.action);
  const at = (dir: Direction, r: Rule) => `${dir} rule ${r.index}${r.name ? ` "${r.name}"` : ''} (${actionOf(r)})`;
  const convert = (dir: Direction): Rule[] | undefined => {
    const list = p[dir];
    if (!list) return undefined;
    const out: Rule[] = [];
    for (const r of list) {
      if (r.peers !== 'any' && r.peers.some((x) => x.kind === 'nodes' || x.kind === 'fqdn')) {
        const why = `${c.release} cannot convert a nodes or domainNames peer`;
        if (r.action === 'Allow') {
          const message = `${at(dir, r)} is not enforced: ${why} and drops the rule, its other peers with it`;
          conversion.push({ direction: dir, message });
          notes.push(message);
          continue;
        }
        const caveat = `${why}: it enforces this ${actionOf(r)} rule as a Deny of all ${dir} traffic`;
        notes.push(`${at(dir, r)}: ${caveat}`);
        out.push({ index: r.index, ...(r.name ? { name: r.name } : {}), action: 'Deny', peers: 'any', ports: 'any', caveats: [caveat] });
      } else if (!c.namedPorts && r.ports !== 'any' && r.ports.some((x) => x.kind === 'named')) {
        const caveat = `${c.release} does not convert a namedPort: it applies this rule to every port and protocol`;
        notes.push(`${at(dir, r)}: ${caveat}`);
        out.push({ ...r, ports: 'any', caveats: [...(r.caveats ?? []), caveat] });
      } else out.push(r);
    }
    // Calico gives a policy with no rules in a direction no policy type for it
    // (calculateANPPolicyTypes, clusterNetPolicyTypes).
    return out.length ? out : undefined;
  };
  const ingress = convert('ingress');
  const egress = convert('egress');
  const { ingress: _i, egress: _e, ...rest } = p;
  return { policy: { ...rest, ...(ingress ? { ingress } : {}), ...(egress ? { egress } : {}), ...(conversion.length ? { conversion } : {}) }, notes };
}

function withoutHostNetworkPods(p: LayerPolicy): LayerPolicy {
  const rules = (list: Rule[] | undefined) => list?.map((r): Rule => (r.peers === 'any' ? r : { ...r, peers: r.peers.map((x) => (x.kind === 'pods' ? { ...x, excludeHostNetwork: true } : x)) }));
  return { ...p, subject: { ...p.subject, excludeHostNetwork: true }, ...(p.ingress ? { ingress: rules(p.ingress) } : {}), ...(p.egress ? { egress: rules(p.egress) } : {}) };
}

function withPodAddressBlocks(p: LayerPolicy): LayerPolicy {
  const rules = (list: Rule[] | undefined) => list?.map((r): Rule => (r.peers === 'any' || !r.peers.some((x) => x.kind === 'ipBlock') ? r : { ...r, peers: r.peers.map((x) => (x.kind === 'ipBlock' ? { ...x, podAddresses: true as const } : x)) }));
  return { ...p, ...(p.ingress ? { ingress: rules(p.ingress) } : {}), ...(p.egress ? { egress: rules(p.egress) } : {}) };
}

/** A pod selector matched on the labels Cilium's identity keeps (cilium/labels.ts identityPodLabels). */
function identitySelector(sel: Selector): Selector {
  return { empty: sel.empty, key: sel.key, matches: (labels) => sel.matches(identityPodLabels(labels)), ...(sel.required ? { required: sel.required } : {}) };
}

/** A NetworkPolicy as Cilium enforces it: its podSelectors (subject and peers) over identity labels. */
function onCiliumIdentity(p: LayerPolicy): LayerPolicy {
  const set = <T extends PodSet>(s: T): T => (s.pods && !s.pods.empty ? { ...s, pods: identitySelector(s.pods) } : s);
  const rules = (list: Rule[] | undefined) => list?.map((r): Rule => (r.peers === 'any' ? r : { ...r, peers: r.peers.map((x) => (x.kind === 'pods' ? set(x) : x)) }));
  return { ...p, subject: set(p.subject), ...(p.ingress ? { ingress: rules(p.ingress) } : {}), ...(p.egress ? { egress: rules(p.egress) } : {}) };
}

const isolationCache = new WeakMap<PodClass, { ingress?: Isolation; egress?: Isolation }>();

/**
 * A stage that decides every connection reaching it: a union stage with an isolating policy,
 * or a first-match stage ending in deny whose rules never Pass. Whatever earlier stages pass
 * on ends there, so a plan holding one leaves nothing to the default allow.
 */
function absorbs(s: StagePlan, dir: Direction): boolean {
  if (s.stage.mode === 'union') return s.policies.some((p) => p.isolates[dir]);
  return s.stage.noMatch === 'deny' && s.policies.every((p) => (p[dir] ?? []).every((r) => r.action !== 'Pass'));
}

/** What isolation needs to know of a plan, found once per plan (one record: one lookup per class). */
interface PlanFacts {
  /**
   * No rule has a condition on its own pod (Calico): the isolation depends on the class only
   * through the named ports the plan's ingress rules name (they resolve on it), so classes
   * share one answer per set of those ports they declare (`shared`, by portsKeyOf).
   */
  shareable: boolean;
  /** The "name/protocol" pairs the ingress rules' named ports (and notPorts) name; null: none. */
  names: Set<string> | null;
  shared: Map<string, Isolation>;
  /**
   * Per direction (one plan object serves both when a class's ingress and egress policies are
   * equal): the isolation a stage nothing gets past gives every class of the plan, or false.
   */
  absorbed: { ingress?: Isolation | false; egress?: Isolation | false };
}
const planFactsCache = new WeakMap<readonly StagePlan[], PlanFacts>();

function planFacts(plan: readonly StagePlan[]): PlanFacts {
  let f = planFactsCache.get(plan);
  if (!f) {
    const names = new Set<string>();
    const add = (ports: Rule['ports'] | undefined) => {
      if (ports === undefined || ports === 'any') return;
      for (const p of ports) if (p.kind === 'named') names.add(`${p.name}/${p.protocol ?? '*'}`);
    };
    for (const s of plan) for (const p of s.policies) for (const r of p.ingress ?? []) { add(r.ports); add(r.notPorts); }
    f = {
      shareable: plan.every((s) => s.policies.every((p) => (p.ingress ?? []).every((r) => r.subject === undefined) && (p.egress ?? []).every((r) => r.subject === undefined))),
      names: names.size ? names : null,
      shared: new Map(),
      absorbed: {},
    };
    planFactsCache.set(plan, f);
  }
  return f;
}

/** The class's ports the plan's ingress rules can resolve: all a shared isolation may depend on. */
function portsKeyOf(names: Set<string> | null, ports: NamedPort[]): string {
  if (names === null || ports.length === 0) return 'i';
  let k = 'i';
  for (const p of ports) if (names.has(`${p.name}/${p.protocol}`) || names.has(`${p.name}/*`)) k += `${p.name}/${p.protocol}/${p.port},`;
  return k;
}

/**
 * Whether the class is isolated in `dir`: the verdict for a peer no policy names (a pod with
 * unnamed labels in an unnamed namespace, and an external address outside every named CIDR)
 * leaves nothing to the default allow. For NetworkPolicy alone: "some policy selects it".
 */
export function isolationOf(model: ReachModel, cls: PodClass, dir: Direction): Isolation {
  let entry = isolationCache.get(cls);
  if (!entry) isolationCache.set(cls, (entry = {}));
  const hit = entry[dir];
  if (hit) return hit;
  return (entry[dir] = planIsolation(model, cls, dir));
}

const OPEN_ISOLATION: Isolation = Object.freeze({ isolated: false, openToPods: allConns(), openToExternal: allConns(), by: [], allowsAll: true }) as Isolation;

function planIsolation(model: ReachModel, cls: PodClass, dir: Direction): Isolation {
  const plan = dir === 'ingress' ? cls.ingressPlan : cls.egressPlan;
  if (plan.length === 0 && (model.match.fallback === 'allow' || (cls.hostNetwork && model.composition.hostNetwork))) return OPEN_ISOLATION;
  const facts = planFacts(plan);
  let portsKey: string | undefined;
  if (plan.length > 0 && facts.shareable) {
    portsKey = dir === 'ingress' ? portsKeyOf(facts.names, cls.namedPorts) : 'e';
    const hit = facts.shared.get(portsKey);
    if (hit) return hit;
  }
  let a = facts.absorbed[dir];
  if (a === undefined) {
    a = plan.some((s) => absorbs(s, dir)) ? { isolated: true, openToPods: emptyConns(), openToExternal: emptyConns(), by: plan.flatMap((s) => s.policies.map((p) => p.id)), allowsAll: false } : false;
    facts.absorbed[dir] = a;
  }
  const self: Endpoint = { kind: 'class', cls };
  // What an unnamed peer gets: through to the default allow, and allowed at all (rule or default).
  const fate = (peer: Endpoint): { open: ConnSet; allowed: ConnSet; decisions: DirectionVerdict['decisions'] } => {
    const v = evaluatePlan(model.match, plan, dir, peer, dir === 'ingress' ? self : peer, false, self);
    // One merge each (unionAllConns), not one per decision: thousands of one-port rules stay n log n.
    const open: ConnSet[] = [];
    const allowed: ConnSet[] = [];
    for (const d of v.decisions) {
      if (d.cause.kind === 'default-allow') open.push(d.conns);
      if (d.allowed) allowed.push(d.conns);
    }
    return { open: unionAllConns(open), allowed: unionAllConns(allowed), decisions: v.decisions };
  };
  const pods = fate({ kind: 'anonymous' });
  // Every pod and every address of a family: an absorbing stage leaves nothing to the default
  // allow, yet its rules may still allow all of it, or a stage before it all of it to pods. The
  // addresses are asked about only when every pod is allowed.
  const podsAll = coversEveryTcpUdpPort(pods.allowed);
  const everyAddress = () => coversEveryTcpUdpPort(fate({ kind: 'anonymous', family: 4 }).allowed) || coversEveryTcpUdpPort(fate({ kind: 'anonymous', family: 6 }).allowed);
  let result: Isolation;
  if (a) {
    const openedBy = podsAll ? openingOf(plan, dir, pods.decisions, everyAddress()) : undefined;
    result = openedBy && (openedBy.everyAddress || openedBy.overrides.length) ? { ...a, allowsAll: true, openedBy } : { ...a, allowsAll: false };
  } else {
    const v4 = fate({ kind: 'anonymous', family: 4 });
    const v6 = fate({ kind: 'anonymous', family: 6 });
    const allowsAll = podsAll && (coversEveryTcpUdpPort(v4.allowed) || coversEveryTcpUdpPort(v6.allowed));
    const openToPods = pods.open;
    const openToExternal = unionConns(v4.open, v6.open);
    const by = plan.flatMap((s) => s.policies.map((p) => p.id));
    result = { isolated: isEmptyConns(openToPods) && isEmptyConns(openToExternal), openToPods, openToExternal, by, allowsAll, ...(allowsAll && plan.length ? { openedBy: openingOf(plan, dir, pods.decisions, true) } : {}) };
  }
  if (portsKey !== undefined) facts.shared.set(portsKey, result);
  return result;
}

/** Every TCP and UDP port: what a rule with no port, or one for TCP and UDP with none (SCTP aside), opens. */
export function coversEveryTcpUdpPort(c: ConnSet): boolean {
  return (['TCP', 'UDP'] as const).every((p) => c[p].length === 1 && c[p][0][0] === MIN_PORT && c[p][0][1] === MAX_PORT);
}

/**
 * Who opens every TCP/UDP port to the anonymous pod (its `decisions`, which allow all of them):
 * the allowing rules' policies, and the isolating stage's policies when the Allow rules of the
 * stages before it allow all of it alone (they decide first and finally, so it never applies).
 */
function openingOf(plan: readonly StagePlan[], dir: Direction, decisions: DirectionVerdict['decisions'], everyAddress: boolean): OpenedBy {
  const isolating = plan.findIndex((s) => absorbs(s, dir));
  const stageOf = new Map<string, number>();
  plan.forEach((s, i) => { for (const p of s.policies) stageOf.set(p.id, i); });
  const policies = new Set<string>();
  const earlyPolicies = new Set<string>();
  const early: ConnSet[] = [];
  const all: ConnSet[] = [];
  for (const d of decisions) {
    if (!d.allowed || d.cause.kind !== 'rule') continue;
    policies.add(d.cause.rule.policy);
    all.push(d.conns);
    if ((stageOf.get(d.cause.rule.policy) ?? Infinity) < isolating) { early.push(d.conns); earlyPolicies.add(d.cause.rule.policy); }
  }
  const earlyConns = unionAllConns(early);
  if (isolating > 0 && coversEveryTcpUdpPort(earlyConns)) return { policies: [...earlyPolicies], overrides: plan[isolating].policies.map((p) => p.id), everyAddress, allPorts: isAllConns(earlyConns) };
  return { policies: [...policies], overrides: [], everyAddress, allPorts: isAllConns(unionAllConns(all)) };
}

// A class no policy governs gets this verdict: shared, never mutated (callers only read verdicts).
const OPEN_VERDICT: DirectionVerdict = Object.freeze({ isolated: false, conns: allConns(), decisions: [{ allowed: true, conns: allConns(), cause: { kind: 'default-allow' } }], decidedBy: [], policies: [] }) as DirectionVerdict;

/**
 * What the source's egress policies allow toward `dst` (external sources are not governed);
 * `trackDoubts`: with each decision's doubts (see `evaluatePlan`).
 */
export function egressVerdict(model: ReachModel, src: Endpoint, dst: Endpoint, trackDoubts = false): DirectionVerdict {
  if (src.kind !== 'class') return ungoverned('egress');
  if (src.cls.hostNetwork && model.composition.hostNetwork) return hostNetworkVerdict(model.composition, 'egress');
  if (src.cls.egressPlan.length === 0 && model.match.fallback === 'allow' && !(trackDoubts && model.match.subjectDoubts?.has(src.cls))) return OPEN_VERDICT;
  return evaluatePlan(model.match, src.cls.egressPlan, 'egress', dst, dst, isolationOf(model, src.cls, 'egress').isolated, src, trackDoubts);
}

/** What the destination's ingress policies allow from `src` (external destinations are not governed); `trackDoubts` as for `egressVerdict`. */
export function ingressVerdict(model: ReachModel, src: Endpoint, dst: Endpoint, trackDoubts = false): DirectionVerdict {
  if (dst.kind !== 'class') return ungoverned('ingress');
  if (dst.cls.hostNetwork && model.composition.hostNetwork) return hostNetworkVerdict(model.composition, 'ingress');
  if (dst.cls.ingressPlan.length === 0 && model.match.fallback === 'allow' && !(trackDoubts && model.match.subjectDoubts?.has(dst.cls))) return OPEN_VERDICT;
  const v = evaluatePlan(model.match, dst.cls.ingressPlan, 'ingress', src, dst, isolationOf(model, dst.cls, 'ingress').isolated, dst, trackDoubts);
  return trackDoubts ? withLocalhostDoubt(model.composition, src, v) : v;
}

const LOCALHOST: readonly DoubtReason[] = ['localhost'];

/**
 * Cilium's allow-localhost: a host-network source denied by isolation (policies select the pod, no
 * rule allows it) is uncertain (composition.localhostDoubt). Cilium adds its host allow only to an
 * endpoint that ingress rules select (pkg/policy/repository.go, "insert localhost allow"), as an
 * allow a Deny rule still beats: a Deny rule, or enforcement 'always' with no policy, stays certain.
 */
function withLocalhostDoubt(composition: Composition, src: Endpoint, v: DirectionVerdict): DirectionVerdict {
  const why = composition.localhostDoubt;
  // Calico skips the pod's ingress policy for its own host's traffic (composition.localhostBeatsDeny): any denial.
  const doubted = (d: DirectionVerdict['decisions'][number]) => !d.allowed && (d.cause.kind === 'isolated' || (composition.localhostBeatsDeny === true && d.cause.kind !== 'default-deny'));
  if (!why || src.kind !== 'class' || !src.cls.hostNetwork || !v.decisions.some(doubted)) return v;
  const doubt: Doubt = { text: why, side: 'policy', reasons: LOCALHOST };
  return { ...v, decisions: v.decisions.map((d) => (!doubted(d) ? d : { ...d, uncertain: uniqueDoubts([...(d.uncertain ?? []), doubt]), uncertainConns: undefined })) };
}

const hostNetworkVerdicts = new WeakMap<Composition, Partial<Record<Direction, DirectionVerdict>>>();

/**
 * A host-network pod's own side under Cilium (composition.hostNetwork): no pod policy selects it
 * (its plan is empty) and the fallback does not apply; open, or unknown where host policies decide.
 */
function hostNetworkVerdict(composition: Composition, dir: Direction): DirectionVerdict {
  let byDir = hostNetworkVerdicts.get(composition);
  if (!byDir) hostNetworkVerdicts.set(composition, (byDir = {}));
  const hit = byDir[dir];
  if (hit) return hit;
  const side = composition.hostNetwork![dir];
  const cause: DecisionCause = side.unknown ? { kind: 'unknown', reason: side.reason } : { kind: 'not-governed', reason: side.reason };
  return (byDir[dir] = Object.freeze({ isolated: false, conns: allConns(), decisions: [{ allowed: true, conns: allConns(), cause }], decidedBy: [], policies: [] }) as DirectionVerdict);
}

function ungoverned(dir: Direction): DirectionVerdict {
  const reason = dir === 'ingress' ? 'the destination is outside the cluster: its ingress is not governed by cluster policy' : 'the source is outside the cluster: its egress is not governed by cluster policy';
  return { isolated: false, conns: allConns(), decisions: [{ allowed: true, conns: allConns(), cause: { kind: 'not-governed', reason } }], decidedBy: [], policies: [] };
}
