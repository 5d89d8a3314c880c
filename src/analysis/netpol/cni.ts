// Which CNI plugin runs, judged from the DaemonSets/Deployments that install it (names and
// images in every namespace), whether it enforces NetworkPolicy at all, and which policy
// APIs it implements (docs/network-model.md: "Which CNIs implement AdminNetworkPolicy").

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { podTemplateOf } from '../workloads.ts';
import { memoize } from '../memo.ts';
import { boolSwitch as flagSwitch } from '../flags.ts';
import { imageRepository, imageTag, repositoryIs } from '../images.ts';
import { configMapNotFound, configMapRead, configMapUnread } from '../configmaps.ts';
import { parseGoYaml } from '../../base/go-yaml.ts';
import type { CoverageNote, PolicyApi } from './layers.ts';

export interface CniPlugin {
  name: string;
  enforces: boolean;
  /** Policy APIs the plugin enforces. */
  apis: readonly PolicyApi[];
  /** The object it was recognised by, "DaemonSet kube-system/kube-flannel-ds". */
  seenIn: string;
  /** That object's namespace (where the plugin runs). */
  namespace?: string;
  /** The version read from its image, when that decides what it implements ("v3.28.2"). */
  version?: string;
  /** Why an API it does not implement is not implemented, when the version decides it. */
  unimplemented?: Partial<Record<PolicyApi, string>>;
  /** APIs taken as implemented without the version to show it, each with the note saying so. */
  assumed?: Array<{ api: PolicyApi; note: CoverageNote }>;
  /**
   * APIs in `apis` whose enforcement cannot be confirmed (a switch set from the environment, an
   * image that names no release), each with why: their policies are evaluated, and every answer
   * resting on them is in doubt (the model's `unread`), never a certain verdict.
   */
  unconfirmed?: Partial<Record<PolicyApi, string>>;
}

export interface CniDetection {
  plugins: CniPlugin[];
  /** 'enforcing' when any enforcing plugin runs; 'not-enforcing' when only non-enforcing ones do. */
  verdict: 'enforcing' | 'not-enforcing' | 'unknown';
}

const NP: readonly PolicyApi[] = ['NetworkPolicy'];
const NP_ANP: readonly PolicyApi[] = ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];
const NP_ANP_CNP: readonly PolicyApi[] = [...NP_ANP, 'ClusterNetworkPolicy'];
const CILIUM_APIS: readonly PolicyApi[] = ['NetworkPolicy', 'Cilium', 'CiliumClusterwide', 'ClusterNetworkPolicy'];
/** Antrea's objects: the pattern it is recognised by (detectCni) and its ConfigMaps read by (antreaConfigMapRefs). */
const ANTREA_PATTERN = /antrea/;
const CALICO_APIS: readonly PolicyApi[] = ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'Calico'];

/**
 * What one object says of a plugin's NetworkPolicy enforcement: on, off, or not to be told
 * (`unknown`), with why. Objects of the plugin that say nothing (its CNI DaemonSet beside the
 * controller holding the switch) give undefined.
 */
interface Switch {
  state: 'on' | 'off' | 'unknown';
  why: string;
  /** The APIs it turns on or off: NetworkPolicy when not given. */
  apis?: readonly PolicyApi[];
  /** Off, the plugin enforces no API at all (the VPC CNI's agent holds them all). */
  everything?: true;
}

type FlagContainer = { name?: unknown; image?: unknown; command?: unknown; args?: unknown; env?: unknown };

const argvOf = (c: FlagContainer): string[] => [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');

/** flags.ts boolSwitch, for the APIs `apis` (NetworkPolicy when not given); `goFlag` for a program parsing its flags with Go's flag package. */
function boolSwitch(c: FlagContainer, flag: string, byDefault: boolean, who: string, apis?: readonly PolicyApi[], goFlag = false): Switch {
  return { ...(apis ? { apis } : {}), ...flagSwitch(c, flag, byDefault, who, { goFlag }) };
}

/**
 * kube-router's NetworkPolicy firewall: --run-firewall, "Enables Network Policy -- sets up
 * iptables to provide ingress firewall for pods", default true (cloudnativelabs/kube-router
 * pkg/options/options.go, v2.4.1); with it false no policy controller starts.
 */
function kubeRouterSwitch(o: KubeObject): Switch | undefined {
  const c = (containersOf(o) as FlagContainer[]).find((x) => typeof x.image === 'string' && /(?:^|\/)kube-router$/.test(imageRepository(x.image).toLowerCase()));
  return c ? boolSwitch(c, 'run-firewall', true, `kube-router (${o.kind ?? 'DaemonSet'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''})`) : undefined;
}

/**
 * Kube-OVN's policy support, two switches of kube-ovn-controller (kubeovn/kube-ovn
 * pkg/controller/config.go, v1.13.0 to v1.16.2): --enable-np, default true (`pflag.Bool("enable-np",
 * true, "Enable network policy support")`; the NetworkPolicy handlers run only with
 * c.config.EnableNP), and --enable-anp, default false ("Enable support for admin network policy and
 * baseline admin network policy"; pkg/controller/controller.go registers the AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy and (from v1.15.0, kubeOvnCnpRelease) ClusterNetworkPolicy informers and workers only under
 * config.EnableANP; the chart and install.sh pass --enable-anp=false unless ENABLE_ANP is set).
 * Only the controller reads them: the CNI DaemonSet and the others say nothing.
 */
const KUBE_OVN_ADMIN_APIS: readonly PolicyApi[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'];

function kubeOvnSwitch(o: KubeObject): Switch[] | undefined {
  const c = (containersOf(o) as FlagContainer[]).find((x) => x.name === 'kube-ovn-controller' || argvOf(x).some((a) => /(?:^|\/)(?:start-controller\.sh|kube-ovn-controller)$/.test(a)));
  if (!c) return undefined;
  const who = `kube-ovn-controller (${o.kind ?? 'Deployment'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''})`;
  return [boolSwitch(c, 'enable-np', true, who), boolSwitch(c, 'enable-anp', false, who, KUBE_OVN_ADMIN_APIS), kubeOvnCnpRelease(c, who)];
}

/**
 * Kube-OVN enforces ClusterNetworkPolicy from v1.15.0: pkg/controller/cluster_network_policy.go
 * and the v1alpha2 ClusterNetworkPolicy informer of pkg/controller/controller.go enter at that tag
 * (kubeovn/kube-ovn#5921, "Add support for ClusterNetworkPolicies"); v1.14.x has neither. The
 * release is the tag of kube-ovn-controller's own kube-ovn image; another image, or a tag naming no
 * release (latest, a digest alone), cannot tell it.
 */
const KUBE_OVN_CNP_SINCE: readonly [number, number] = [1, 15];

function kubeOvnCnpRelease(c: FlagContainer, who: string): Switch {
  const apis: readonly PolicyApi[] = ['ClusterNetworkPolicy'];
  const since = `v${KUBE_OVN_CNP_SINCE.join('.')}.0`;
  const image = typeof c.image === 'string' ? c.image : undefined;
  const release = image && repositoryIs(imageRepository(image), 'kube-ovn') ? tagRelease(imageTag(image)) : undefined;
  if (!release) return { state: 'unknown', apis, why: `${who} runs ${image ? JSON.stringify(image) : 'no image'}, which names no Kube-OVN release: Kube-OVN enforces ClusterNetworkPolicy from ${since} and not before` };
  const [major, minor, patch] = release;
  const version = `v${major}.${minor}.${patch}`;
  return major > KUBE_OVN_CNP_SINCE[0] || (major === KUBE_OVN_CNP_SINCE[0] && minor >= KUBE_OVN_CNP_SINCE[1])
    ? { state: 'on', apis, why: `${who} runs Kube-OVN ${version}, which implements ClusterNetworkPolicy (from ${since})` }
    : { state: 'off', apis, why: `${who} runs Kube-OVN ${version}, which does not implement ClusterNetworkPolicy (Kube-OVN enforces it from ${since})` };
}

/**
 * kind's kindnetd (image kindest/kindnetd, tagged vYYYYMMDD-<commit>): it enforces NetworkPolicy
 * from the build kind v0.24.0 pins, v20240813-c6f155d6 (kubernetes-sigs/kind
 * pkg/build/nodeimage/const_cni.go; images/kindnetd/cmd/kindnetd/main.go starts the
 * kube-network-policies controller unconditionally from that release, kind#842), and not before
 * (v0.23.0 pins v20240513-cd2ac642, whose kindnetd has no policy controller). It passes no admin
 * policy informer (nil at v0.24.0, the standard evaluator alone up to v0.32.0): NetworkPolicy
 * only. Another kindnet image (aojea/kindnet's own builds) or a tag naming no date: unknown.
 */
const KINDNETD_POLICY_SINCE = 20240813;

function kindnetdSwitch(o: KubeObject): Switch {
  const where = `${o.kind ?? 'DaemonSet'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const images = containersOf(o).map((c) => c.image).filter((i): i is string => typeof i === 'string');
  const image = images.find((i) => repositoryIs(imageRepository(i), 'kindest/kindnetd'));
  if (!image) return { state: 'unknown', why: `${where} runs no kind kindnetd image (kindest/kindnetd)${images.length ? `, but ${images.map((i) => JSON.stringify(i)).join(', ')}` : ''}: whether it enforces NetworkPolicy cannot be told from its image` };
  const tag = imageTag(image);
  const date = /^v(\d{8})(?:-|$)/.exec(tag)?.[1];
  if (!date) return { state: 'unknown', why: `${where} runs ${JSON.stringify(image)}, whose ${tag ? `tag ${JSON.stringify(tag)}` : 'reference (no tag)'} names no build date: kindnetd enforces NetworkPolicy from its v${KINDNETD_POLICY_SINCE} build (kind v0.24.0) and not before` };
  return Number(date) >= KINDNETD_POLICY_SINCE
    ? { state: 'on', why: `${where} runs kindnetd ${tag}, which enforces NetworkPolicy (from its v${KINDNETD_POLICY_SINCE} build, kind v0.24.0)` }
    : { state: 'off', why: `${where} runs kindnetd ${tag}, older than its v${KINDNETD_POLICY_SINCE} build (kind v0.24.0), the first with a NetworkPolicy controller` };
}

/**
 * The Amazon VPC CNI (the aws-node DaemonSet, image amazon-k8s-cni) enforces NetworkPolicy only
 * through its node agent, the aws-eks-nodeagent container (image amazon/aws-network-policy-agent,
 * in aws-node from VPC CNI v1.14), and only with --enable-network-policy=true: the flag defaults to
 * false (aws/aws-network-policy-agent pkg/config/controller_config.go), and the EKS add-on ships it
 * false until enableNetworkPolicy is set ("Configure your cluster for Kubernetes network policies",
 * docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html; with v1.13 or earlier "you need
 * to implement a third party solution"). ANP and BANP: not among the implementations
 * kubernetes-sigs/network-policy-api lists. ClusterNetworkPolicy: not confirmed either way.
 */
const AWS_APIS: readonly PolicyApi[] = ['NetworkPolicy', 'ClusterNetworkPolicy'];
const AWS_CNP_UNCONFIRMED = "whether the Amazon VPC CNI's network policy agent enforces ClusterNetworkPolicy is not confirmed by its documentation";

export function isAwsNode(o: KubeObject): boolean {
  return (o.metadata?.name ?? '').toLowerCase() === 'aws-node' || containersOf(o).some((c) => typeof c.image === 'string' && /(?:^|\/)amazon-k8s-cni$/.test(imageRepository(c.image).toLowerCase()));
}

/** Azure CNI: its CNS daemon or installer (images azure-cns, azure-cni, azure-vnet*; Azure/azure-container-networking cns/azure-cns.yaml, hack/manifests/cni-installer-v1.yaml). */
export function isAzureCni(o: KubeObject): boolean {
  return containersOf(o).some((c) => typeof c.image === 'string' && /(?:^|\/)azure-(?:cni|cns|vnet)[^/]*$/.test(imageRepository(c.image)));
}

/**
 * GKE's netd: the netd DaemonSet of kube-system, or a DaemonSet running its netd image
 * (GoogleCloudPlatform/netd netd.yaml). A workload of an application that happens to be called
 * netd is not it.
 */
export function isGkeNetd(o: KubeObject): boolean {
  if (o.kind !== 'DaemonSet') return false;
  return (o.metadata?.name === 'netd' && o.metadata.namespace === 'kube-system') || containersOf(o).some((c) => typeof c.image === 'string' && /(?:^|\/)netd(?:-amd64|-arm64)?$/.test(imageRepository(c.image)));
}

function awsNodeSwitch(o: KubeObject): Switch {
  const where = `${o.kind ?? 'DaemonSet'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const agent = (containersOf(o) as FlagContainer[]).find((c) => c.name === 'aws-eks-nodeagent' || (typeof c.image === 'string' && /(?:^|\/)aws-network-policy-agent$/.test(imageRepository(c.image).toLowerCase())));
  if (!agent) return { state: 'off', everything: true, why: `${where} runs no network policy agent (the aws-eks-nodeagent container of VPC CNI v1.14 and later): the Amazon VPC CNI enforces no NetworkPolicy without it` };
  const s = boolSwitch(agent, 'enable-network-policy', false, `the network policy agent of ${where}`);
  return s.state === 'off' ? { ...s, everything: true, why: `${s.why}: the Amazon VPC CNI enforces no network policy (turn on enableNetworkPolicy on the vpc-cni add-on)` } : s;
}

/**
 * Weave Net enforces NetworkPolicy through its Network Policy Controller, the weave-npc container
 * of the weave-net DaemonSet (weaveworks/weave site/kubernetes/kube-addon.md, "Network Policy" and
 * "Changing Configuration Options": the cloud.weave.works option disable-npc, and EXPECT_NPC "set
 * to 0 to disable Network Policy Controller"). An object running weave-kube (the router) without
 * weave-npc enforces none; one running weave-npc, on; others say nothing.
 */
function weaveSwitch(o: KubeObject): Switch | undefined {
  const where = `${o.kind ?? 'DaemonSet'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const repo = (c: { image?: unknown }) => (typeof c.image === 'string' ? imageRepository(c.image).toLowerCase() : '');
  const cs = containersOf(o);
  if (cs.some((c) => c.name === 'weave-npc' || /(?:^|\/)weave-npc$/.test(repo(c)))) return { state: 'on', why: `${where} runs weave-npc, Weave Net's Network Policy Controller` };
  if (cs.some((c) => /(?:^|\/)weave-kube$/.test(repo(c)))) return { state: 'off', why: `${where} runs weave-kube without its weave-npc container: Weave Net enforces NetworkPolicy only through that Network Policy Controller` };
  return undefined;
}

/** The APIs a switch governs, as one key: its objects' switches of one key are judged together. */
const switchKey = (s: Switch): string => (s.everything ? '*' : (s.apis ?? NP).join(','));

/** A plugin as its objects' switches leave it, each set of APIs a switch governs judged apart (withSwitchGroup). */
function withSwitches(plugin: CniPlugin, switches: readonly Switch[]): CniPlugin {
  const groups = new Map<string, Switch[]>();
  for (const s of switches) {
    const group = groups.get(switchKey(s));
    if (group) group.push(s);
    else groups.set(switchKey(s), [s]);
  }
  let out = plugin;
  for (const group of groups.values()) out = withSwitchGroup(out, group);
  return out;
}

/**
 * A plugin as its objects' switches of the same APIs leave it: every one on, as is; every one off,
 * those APIs not implemented (a plugin left with no API enforces nothing); unknown, or on for some
 * objects and off for others (not enforced cluster-wide), those APIs unconfirmed.
 */
function withSwitchGroup(plugin: CniPlugin, switches: readonly Switch[]): CniPlugin {
  if (switches.every((s) => s.state === 'on')) return plugin;
  const governs: readonly PolicyApi[] = switches[0].everything ? plugin.apis : (switches[0].apis ?? NP);
  if (switches.every((s) => s.state === 'off')) {
    const apis = plugin.apis.filter((a) => !governs.includes(a));
    const unimplemented: Partial<Record<PolicyApi, string>> = { ...plugin.unimplemented };
    for (const a of governs) unimplemented[a] = switches[0].why;
    const unconfirmed = Object.fromEntries(Object.entries(plugin.unconfirmed ?? {}).filter(([a]) => apis.includes(a as PolicyApi)));
    const { unconfirmed: _u, ...rest } = plugin;
    return { ...rest, apis, enforces: apis.length > 0, unimplemented, ...(Object.keys(unconfirmed).length ? { unconfirmed } : {}) };
  }
  const doubt = switches.find((s) => s.state === 'unknown') ?? switches.find((s) => s.state === 'off')!;
  const why = doubt.state === 'unknown' ? doubt.why : `${doubt.why}, while ${switches.find((s) => s.state === 'on')!.why}: not enforced cluster-wide`;
  const unconfirmed: Partial<Record<PolicyApi, string>> = { ...plugin.unconfirmed };
  for (const a of governs) if (plugin.apis.includes(a)) unconfirmed[a] = why;
  return { ...plugin, unconfirmed };
}

// Order matters: canal bundles flannel with calico's policy engine, so it is recognised first.
// ANP/BANP: the implementations listed by kubernetes-sigs/network-policy-api
// (site-src/implementations.md, v0.1.7): OVN-Kubernetes, Antrea (>= 1.13), Kube-OVN,
// kube-network-policies and Calico (its adminnetworkpolicy tier); Cilium implements neither
// v1alpha1 kind. ClusterNetworkPolicy (v1alpha2), per the same page (updated 21-April-2026):
// kube-network-policies, Kube-OVN (experimental) and Calico from v3.32; and Cilium from 1.20,
// behind cilium-config enable-k8s-cluster-network-policy (off by default; Cilium v1.20.2
// Documentation/network/kubernetes/policy.rst, "Kubernetes ClusterNetworkPolicy"): its release
// is read here (withCiliumVersion), its switch by the composition. A plugin that enforces no policy (flannel; kindnet, kube-router or aws-node switched off: withSwitches) implements no
// API: "Creating a NetworkPolicy resource without a controller that implements it will have
// no effect" (kubernetes.io/docs/concepts/services-networking/network-policies/, Prerequisites),
// so with nothing else running every policy is decorative (composition.ts).
const PLUGINS: Array<{ name: string; enforces: boolean; apis: readonly PolicyApi[]; pattern: RegExp; confirm?: (o: KubeObject) => boolean; switch?: (o: KubeObject) => Switch | readonly Switch[] | undefined; /** Switches that decide when no object of the plugin shows them (kube-ovn-controller absent). */ unseen?: readonly Switch[]; /** A plugin that never enforces policy: why, said of the object it was seen in. */ none?: (where: string) => string }> = [
  { name: 'canal', enforces: true, apis: CALICO_APIS, pattern: /\bcanal\b/ },
  // Calico enforces where its agent runs: calico/node (the operator's calico-node DaemonSet) or
  // Calico Enterprise's tigera/cnx-node. The tigera-operator, kube-controllers, typha and the
  // API server share the name and enforce nothing alone (isCalicoAgent).
  { name: 'calico', enforces: true, apis: CALICO_APIS, pattern: /calico|tigera/, confirm: isCalicoAgent },
  // GKE Dataplane V2 runs Cilium as the `anetd` DaemonSet in kube-system (pods labelled
  // k8s-app=cilium; cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2, "Troubleshooting").
  // The pattern only preselects: the Cilium project ships Tetragon, Hubble, cilium-envoy and the
  // operator under the same name, and none of them enforces policy (isCiliumAgent).
  { name: 'cilium', enforces: true, apis: CILIUM_APIS, pattern: /cilium|\banetd\b/, confirm: isCiliumAgent },
  { name: 'ovn-kubernetes', enforces: true, apis: NP_ANP, pattern: /ovnkube|ovn-kubernetes/ },
  // Kube-OVN: NetworkPolicy with kube-ovn-controller's --enable-np (default true), the admin APIs
  // only with its --enable-anp (default false), ClusterNetworkPolicy only from v1.15.0 (its image
  // tag): with no controller to show them, they are in doubt.
  { name: 'kube-ovn', enforces: true, apis: NP_ANP_CNP, pattern: /kube-ovn/, switch: kubeOvnSwitch, unseen: [{ state: 'unknown', apis: KUBE_OVN_ADMIN_APIS, why: 'no kube-ovn-controller was found to show --enable-anp, which defaults to false' }] },
  // Weave Net: only through its weave-npc container (weaveSwitch).
  { name: 'weave', enforces: true, apis: NP, pattern: /weave-net|weaveworks\/weave/, switch: weaveSwitch },
  // Antrea: Antrea-native policies and the admin APIs by its feature gates (withAntreaGates).
  { name: 'antrea', enforces: true, apis: [...NP_ANP, 'Antrea'], pattern: ANTREA_PATTERN },
  { name: 'kube-router', enforces: true, apis: NP, pattern: /kube-router/, switch: kubeRouterSwitch },
  { name: 'azure-npm', enforces: true, apis: NP, pattern: /azure-npm/ },
  { name: 'kube-network-policies', enforces: true, apis: NP_ANP_CNP, pattern: /kube-network-policies/ },
  { name: 'flannel', enforces: false, apis: [], pattern: /flannel/ },
  // kind's kindnetd enforces NetworkPolicy from kind v0.24.0 (kindnetdSwitch), and no admin API.
  { name: 'kindnet', enforces: true, apis: NP, pattern: /kindnet/, switch: kindnetdSwitch },
  // The Amazon VPC CNI (aws-node): NetworkPolicy only through its node agent, off by default (awsNodeSwitch).
  { name: 'aws-vpc-cni', enforces: true, apis: AWS_APIS, pattern: /a(?:ws-node|mazon-k8s-cni|ws-network-policy-agent)/, confirm: isAwsNode, switch: awsNodeSwitch },
  // The managed clouds' own CNIs address pods and enforce nothing; their policy engine is another
  // plugin, recognised above when it runs. GKE: "By default, all Pods within a cluster can
  // communicate with each other freely", until network policy enforcement (Calico) or Dataplane V2
  // (anetd) is on (cloud.google.com/kubernetes-engine/docs/how-to/network-policy). AKS: "All pods
  // in an AKS cluster can send and receive traffic without limitations, by default", until a
  // network policy engine runs (learn.microsoft.com/azure/aks/use-network-policies).
  { name: 'gke-netd', enforces: false, apis: [], pattern: /\bnetd\b/, confirm: isGkeNetd, none: (where) => `GKE's netd (${where}) configures pod networking and enforces no policy: GKE enforces NetworkPolicy only with network policy enforcement on (Calico, its calico-node DaemonSet) or with Dataplane V2 (anetd)` },
  { name: 'azure-cni', enforces: false, apis: [], pattern: /azure-(?:cni|cns|vnet)/, confirm: isAzureCni, none: (where) => `Azure CNI (${where}) gives pods their addresses and enforces no policy: AKS enforces NetworkPolicy only with a network policy engine (Azure Network Policy Manager's azure-npm, Calico or Cilium)` },
];

/**
 * Any plugin's pattern in one expression: most of a large cluster's Deployments match none,
 * and are passed over with one test per name or image. A flag would be lost in the join (the
 * prefilter would then miss what its pattern matches), so a pattern given one stops the load.
 */
const ANY_PLUGIN = new RegExp(PLUGINS.map((p) => {
  if (p.pattern.flags !== '') throw new Error(`cni.ts: the ${p.name} pattern has flags (${p.pattern.flags}); the patterns are joined into one expression and must have none`);
  return `(?:${p.pattern.source})`;
}).join('|'));

export function containersOf(o: KubeObject): Array<{ name?: unknown; image?: unknown }> {
  const spec = podTemplateOf(o)?.spec as { containers?: unknown; initContainers?: unknown } | undefined;
  const out: Array<{ name?: unknown; image?: unknown }> = [];
  for (const list of [spec?.containers, spec?.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) if (c && typeof c === 'object') out.push(c as { name?: unknown; image?: unknown });
  }
  return out;
}

function textsOf(o: KubeObject): string[] {
  const out = [o.metadata?.name ?? ''];
  for (const c of containersOf(o)) if (typeof c.image === 'string') out.push(c.image);
  return out.map((t) => t.toLowerCase());
}

/**
 * The Cilium agent itself: the chart's `cilium-agent` container running the `cilium/cilium`
 * image (cilium/cilium install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml), from
 * any registry or mirror, or GKE's `anetd`. Tetragon (cilium/tetragon), Hubble
 * (cilium/hubble-*), cilium-envoy and cilium-operator carry the project's name but enforce
 * nothing: running alone, they say nothing about the CNI.
 */
export function isCiliumAgent(o: KubeObject): boolean {
  if ((o.metadata?.name ?? '').toLowerCase() === 'anetd') return true;
  return containersOf(o).some((c) => (typeof c.name === 'string' && c.name.toLowerCase() === 'cilium-agent')
    || (typeof c.image === 'string' && repositoryIs(imageRepository(c.image), 'cilium')));
}

/**
 * The Calico agent itself: a `calico-node` container, or the calico/node image (the manifests'
 * calico/node, the operator's quay.io/calico/node and docker.io/calico/node, calico/node-windows)
 * or Calico Enterprise's tigera/cnx-node or tigera/node (CALICO_ENTERPRISE_NODE_IMAGES), from any
 * registry or mirror. The operator renders the calico-node DaemonSet itself: a cluster running
 * the operator alone runs no Calico dataplane yet.
 */
export function isCalicoAgent(o: KubeObject): boolean {
  return containersOf(o).some(isCalicoAgentContainer);
}

/**
 * Calico Enterprise's agent images: tigera/cnx-node (and -windows) up to 3.21, tigera/node (and
 * -windows) from 3.22 (tigera/operator a4e446dfb "Remove cnx prefix from Calico Enterprise
 * component names", #3894, in operator v1.40.0: pkg/components/enterprise.go ComponentTigeraNode;
 * config/enterprise_versions.yml `node: image: tigera/node`).
 */
export const CALICO_ENTERPRISE_NODE_IMAGES = ['tigera/cnx-node', 'tigera/cnx-node-windows', 'tigera/node', 'tigera/node-windows'] as const;

/** One container of isCalicoAgent: named calico-node, or running a calico/node or Calico Enterprise node image. */
export function isCalicoAgentContainer(c: { name?: unknown; image?: unknown }): boolean {
  return (typeof c.name === 'string' && /^calico-node(?:-windows)?$/i.test(c.name))
    || (typeof c.image === 'string' && ['calico/node', 'calico/node-windows', ...CALICO_ENTERPRISE_NODE_IMAGES].some((r) => repositoryIs(imageRepository(c.image as string), r)));
}

/**
 * The releases of Calico (v3.x minors) that implement each admin API: the converters
 * K8sAdminNetworkPolicyToCalico and K8sBaselineAdminNetworkPolicyToCalico enter
 * libcalico-go/lib/backend/k8s/conversion/conversion.go at projectcalico/calico v3.29.0 and
 * v3.30.0 and are gone at v3.32.0, where K8sClusterNetworkPolicyToCalico (conversion/clusternetworkpolicy.go)
 * replaces them (release-notes/v3.32.0-release-notes.md: "Calico v3.32 and newer won't enforce them").
 */
const CALICO_SINCE: ReadonlyArray<{ api: PolicyApi; minor: number; last?: number }> = [
  { api: 'AdminNetworkPolicy', minor: 29, last: 31 },
  { api: 'BaselineAdminNetworkPolicy', minor: 30, last: 31 },
  { api: 'ClusterNetworkPolicy', minor: 32 },
];

const calicoReleases = (s: { minor: number; last?: number }) => (s.last !== undefined ? `from v3.${s.minor}.0 to v3.${s.last}` : `from v3.${s.minor}.0`);

interface CalicoNode { version?: [number, number, number]; ref: CoverageNote['object'] }

function refOf(o: KubeObject): CoverageNote['object'] {
  return { kind: o.kind ?? 'DaemonSet', ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata?.name ?? '' };
}

/** The release an image tag names ("v1.20.2", "3.28", "v3.30.0-rc1" → [3, 30, 0]); undefined when it names none. */
function tagRelease(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?![\d.])/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** The Cilium agent image's release ("quay.io/cilium/cilium:v1.20.2@sha256:…" → [1, 20, 2]); undefined when its tag names none. */
function ciliumAgentVersionOf(o: KubeObject): [number, number, number] | undefined {
  for (const c of containersOf(o)) {
    if (typeof c.image !== 'string' || !repositoryIs(imageRepository(c.image), 'cilium')) continue;
    const release = tagRelease(imageTag(c.image));
    if (release) return release;
  }
  return undefined;
}

/**
 * Cilium before 1.20 has no ClusterNetworkPolicy support. Several agent releases (mid-upgrade):
 * the oldest decides. No release read (anetd, a digest-pinned image): ClusterNetworkPolicy is
 * left to the composition, which enforces it only when cilium-config turns it on — a key
 * releases before 1.20 do not know.
 */
function withCiliumVersion(plugin: CniPlugin, versions: ReadonlyArray<[number, number, number]>): CniPlugin {
  if (!versions.length) return plugin;
  const [major, minor, patch] = [...versions].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])[0];
  const version = `v${major}.${minor}.${patch}`;
  if (major > 1 || (major === 1 && minor >= 20)) return { ...plugin, version };
  return {
    ...plugin,
    version,
    apis: plugin.apis.filter((a) => a !== 'ClusterNetworkPolicy'),
    unimplemented: { ClusterNetworkPolicy: `cilium ${version} does not implement ClusterNetworkPolicy (Cilium enforces it from 1.20, with cilium-config enable-k8s-cluster-network-policy)` },
  };
}

/**
 * The calico/node image's release ("quay.io/calico/node:v3.28.2@sha256:…" → 3.28.2), from any
 * registry; undefined version when its tag names none (latest, a digest alone, a custom build).
 * Other Calico images (the operator, kube-controllers, Calico Enterprise's cnx-node) are
 * versioned apart and say nothing of what calico-node enforces.
 */
function calicoNodeOf(o: KubeObject): CalicoNode | undefined {
  for (const c of containersOf(o)) {
    if (typeof c.image !== 'string' || !repositoryIs(imageRepository(c.image), 'calico/node')) continue;
    const version = tagRelease(imageTag(c.image));
    const ref = refOf(o);
    return version ? { version, ref } : { ref };
  }
  return undefined;
}

/**
 * What a Calico release implements: the admin APIs by version. Nodes mid-upgrade run two
 * releases, and a policy is enforced cluster-wide only where every node enforces it: an API is
 * counted when each release running implements it (v3.31 and v3.32 nodes enforce neither
 * AdminNetworkPolicy, which v3.32 dropped, nor ClusterNetworkPolicy, which v3.31 lacks). A node
 * whose version cannot be read does not hide what a known one lacks; each API no known release
 * excludes is then taken as implemented, and said: no release implements both generations, so
 * guessing one would make the other's policies confidently decorative.
 */
function withCalicoVersion(plugin: CniPlugin, seenIn: CoverageNote['object'], nodes: readonly CalicoNode[]): CniPlugin {
  const known = nodes.filter((n) => n.version !== undefined);
  const unimplemented: Partial<Record<PolicyApi, string>> = {};
  let version: string | undefined;
  if (known.length) {
    const byText = new Map<string, [number, number, number]>();
    for (const n of known) byText.set(`v${n.version!.join('.')}`, n.version!);
    const versions = [...byText].sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    // The oldest release names the plugin (and its tie rule) when every node's is known; the gaps are every known release's.
    if (known.length === nodes.length) version = versions[0][0];
    for (const [text, [major, minor]] of versions) {
      const missing = major === 3 ? CALICO_SINCE.filter((s) => minor < s.minor || (s.last !== undefined && minor > s.last)) : major < 3 ? CALICO_SINCE : CALICO_SINCE.filter((s) => s.last !== undefined);
      for (const s of missing) {
        if (unimplemented[s.api]) continue;
        const others = versions.map(([t]) => t).filter((t) => t !== text);
        unimplemented[s.api] = `${plugin.name} ${text} does not implement ${s.api} (Calico enforces it ${calicoReleases(s)})${others.length ? `, and nodes run it beside ${others.join(', ')}: not enforced cluster-wide` : ''}`;
      }
    }
  }
  const unknownRef = nodes.length ? nodes.find((n) => n.version === undefined)?.ref : seenIn;
  const why = nodes.length ? 'its calico/node image tag names no release' : 'no calico/node image was found';
  const assumed = unknownRef ? CALICO_SINCE.filter((s) => !unimplemented[s.api]).map((s) => ({ api: s.api, note: { object: unknownRef, message: `Calico's version is unknown (${why}): ${s.api} is taken as enforced, as Calico does ${calicoReleases(s)}` } })) : [];
  return {
    ...plugin,
    ...(version ? { version } : {}),
    ...(Object.keys(unimplemented).length ? { apis: plugin.apis.filter((a) => !unimplemented[a]), unimplemented } : {}),
    ...(assumed.length ? { assumed } : {}),
  };
}

/**
 * What a kube-network-policies install enforces: one policy generation per image build, never
 * both. From v0.9.0 (kubernetes-sigs/kube-network-policies, "move to a pluggable architecture")
 * cmd/kube-network-policies/standard/main.go registers NetworkPolicy alone,
 * npa-v1alpha1/main.go adds AdminNetworkPolicy and BaselineAdminNetworkPolicy, and
 * npa-v1alpha2/main.go ClusterNetworkPolicy (its Admin and Baseline tiers); the Makefile tags
 * them $(TAG), $(TAG)-npa-v1alpha1 and $(TAG)-npa-v1alpha2 (install-cnp.yaml runs
 * :v1.1.0-npa-v1alpha2), and $(TAG)-iptracker is NetworkPolicy alone. Before v0.9.0 one binary
 * (cmd/main.go) enforced AdminNetworkPolicy with --admin-network-policy and
 * BaselineAdminNetworkPolicy with --baseline-admin-network-policy, both off by default.
 */
const KNP_APIS: readonly PolicyApi[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'];
const KNP_BUILDS: Record<string, readonly PolicyApi[]> = {
  'npa-v1alpha1': ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'],
  'npa-v1alpha2': ['ClusterNetworkPolicy'],
};
const KNP_FLAGS: ReadonlyArray<[PolicyApi, string]> = [['AdminNetworkPolicy', 'admin-network-policy'], ['BaselineAdminNetworkPolicy', 'baseline-admin-network-policy']];

/**
 * `enforced` undefined: the build cannot be told (an image pinned by digest alone). `unconfirmed`:
 * APIs in `enforced` whose pre-v0.9.0 flag cannot be read (boolSwitch), each with why.
 */
interface KnpInstall { ref: CoverageNote['object']; version?: string; enforced?: ReadonlySet<PolicyApi>; unconfirmed?: Partial<Record<PolicyApi, string>>; why: string }

function knpInstallOf(o: KubeObject): KnpInstall | undefined {
  const ref = refOf(o);
  for (const c of containersOf(o) as FlagContainer[]) {
    if (typeof c.image !== 'string' || !repositoryIs(imageRepository(c.image), 'kube-network-policies')) continue;
    const tag = imageTag(c.image);
    // Only the tag says which build an image is: pinned by digest alone, it could be any of them.
    if (!tag && c.image.includes('@')) return { ref, why: 'its image is pinned by digest alone, which names no build' };
    const build = /-(npa-v1alpha[12])$/.exec(tag)?.[1];
    // The Makefile's default TAG is `v%Y%m%d-<git describe>` ("v20250601-v1.1.0-3-g5f81cc3"): its release is the describe part.
    const m = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?![\d.])/.exec(tag) ?? /^v?\d{8}-v(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?![\d.])/.exec(tag);
    const version = m ? `v${m[1]}.${m[2]}.${m[3] ?? 0}` : undefined;
    if (build) return { ref, ...(version ? { version } : {}), enforced: new Set(KNP_BUILDS[build]), why: `its ${tag} image is the ${build} build, which enforces NetworkPolicy and ${KNP_BUILDS[build].join(' and ')}` };
    if (m && (Number(m[1]) > 0 || Number(m[2]) >= 9)) return { ref, version, enforced: new Set(), why: `its ${tag} image enforces NetworkPolicy only (the -npa-v1alpha1 and -npa-v1alpha2 builds add the admin APIs)` };
    // Before v0.9.0, or a tag naming no release without a build suffix: no upstream image without
    // the -npa-v1alpha2 suffix enforces ClusterNetworkPolicy, and one without -npa-v1alpha1 enforces
    // the v1alpha1 APIs only as the pre-v0.9.0 binary does, with its flags (v0.9.0 and later
    // binaries do not define them), read as the kubelet expands them: one set from a value the spec
    // does not show leaves its API unconfirmed, never off.
    const who = `kube-network-policies (${o.kind ?? 'DaemonSet'} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''})`;
    // cmd/main.go before v0.9.0 parses them with Go's flag package (flag.BoolVar, flag.Parse), where -name is --name.
    const flagged = KNP_FLAGS.map(([api, flag]) => [api, boolSwitch(c, flag, false, who, undefined, true)] as const);
    const enforced = new Set(flagged.filter(([, s]) => s.state !== 'off').map(([api]) => api));
    const doubts = flagged.filter(([, s]) => s.state === 'unknown');
    const unconfirmed = doubts.length ? { unconfirmed: Object.fromEntries(doubts.map(([api, s]) => [api, s.why])) } : {};
    const flags = `${KNP_FLAGS.map(([api, flag]) => `${api} only with --${flag}`).join(' and ')}, and ClusterNetworkPolicy not at all`;
    if (!m) return { ref, enforced, ...unconfirmed, why: `${tag ? `its image tag ${tag} names no release and no -npa-v1alpha1 or -npa-v1alpha2 build` : 'its image has no tag, so no -npa-v1alpha1 or -npa-v1alpha2 build'}: such an image enforces NetworkPolicy; ${flags}` };
    return { ref, version, enforced, ...unconfirmed, why: `before v0.9.0 it enforces ${flags}` };
  }
  return undefined;
}

/**
 * The APIs every kube-network-policies install in the cluster enforces (two DaemonSets of
 * different builds enforce only what both do; an image whose tag names no release is read by
 * its build suffix and flags, knpInstallOf). With no kube-network-policies image to read, each
 * admin API is taken as enforced, and said, as for Calico.
 */
function withKnpBuild(plugin: CniPlugin, seenIn: CoverageNote['object'], installs: readonly KnpInstall[]): CniPlugin {
  // An install whose build cannot be told does not hide what a known one lacks (as for Calico).
  const unknown = installs.length ? installs.find((i) => i.enforced === undefined) : { ref: seenIn, why: 'no kube-network-policies image was found' };
  const unimplemented: Partial<Record<PolicyApi, string>> = {};
  for (const i of installs) {
    if (!i.enforced) continue;
    for (const api of KNP_APIS) if (!i.enforced.has(api) && !unimplemented[api]) unimplemented[api] = `${plugin.name}${i.version ? ` ${i.version}` : ''} (${i.ref.kind} ${i.ref.namespace ?? ''}/${i.ref.name}) does not implement ${api}: ${i.why}`;
  }
  const assumed = unknown ? KNP_APIS.filter((api) => !unimplemented[api]).map((api) => ({ api, note: { object: unknown.ref, message: `kube-network-policies' build is unknown (${unknown.why}): ${api} is taken as enforced, as its ${api === 'ClusterNetworkPolicy' ? '-npa-v1alpha2' : '-npa-v1alpha1'} build does` } })) : [];
  const version = installs.find((i) => i.version)?.version;
  const unconfirmed: Partial<Record<PolicyApi, string>> = {};
  for (const i of installs) for (const [api, why] of Object.entries(i.unconfirmed ?? {}) as Array<[PolicyApi, string]>) if (!unimplemented[api] && !unconfirmed[api]) unconfirmed[api] = why;
  return {
    ...plugin,
    ...(version ? { version } : {}),
    apis: ['NetworkPolicy', ...KNP_APIS.filter((a) => !unimplemented[a])],
    ...(Object.keys(unimplemented).length ? { unimplemented } : {}),
    ...(assumed.length ? { assumed } : {}),
    ...(Object.keys(unconfirmed).length ? { unconfirmed } : {}),
  };
}

/**
 * Antrea's feature gates, read from the `featureGates` map of antrea-agent.conf and
 * antrea-controller.conf, the keys of the ConfigMap (antrea-config in the chart) the agent
 * DaemonSet and the controller Deployment mount (antrea-io/antrea docs/feature-gates.md):
 *  - `AntreaPolicy` (Agent + Controller; alpha v0.8, beta and on by default from v1.0) "enables
 *    Antrea ClusterNetworkPolicy and Antrea NetworkPolicy CRDs to be handled by Antrea
 *    controller": off in either conf, Antrea-native policies are stored and enforced nowhere;
 *  - `AdminNetworkPolicy` (Controller): "introduced in v1.13 as an alpha feature and is disabled
 *    by default. A feature gate, `AdminNetworkPolicy`, must be enabled in antrea-controller.conf",
 *    and it "also requires the `AntreaPolicy` featureGate" (docs/admin-network-policy.md, v2.2.0):
 *    AdminNetworkPolicy and BaselineAdminNetworkPolicy together.
 * The upstream ClusterNetworkPolicy (v1alpha2) is not counted: Antrea has it only behind its own
 * alpha gate from v2.7 (docs/cluster-network-policy.md), in a tier (220) this model does not place.
 */
export const ANTREA_CONFIG_MAP = 'antrea-config';
const ANTREA_POLICY_SINCE: readonly [number, number] = [1, 0];
const ANTREA_ANP_SINCE: readonly [number, number] = [1, 13];
const ANTREA_ADMIN_APIS: readonly PolicyApi[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];

/** An Antrea image: antrea/antrea-ubuntu (both components before v1.x split them), antrea-agent-*, antrea-controller-*. */
const ANTREA_IMAGE = /(?:^|\/)antrea(?:-(?:agent|controller))?(?:-[a-z0-9]+)?$/;

const atLeast = (v: readonly [number, number, number], since: readonly [number, number]) => v[0] > since[0] || (v[0] === since[0] && v[1] >= since[1]);

type AntreaConfKey = 'antrea-agent.conf' | 'antrea-controller.conf';

/**
 * One conf file's feature gates: `gates` when read (empty when it sets none), `unknown` with why
 * when the input cannot show it, `where` naming what was read or why the defaults hold.
 */
interface AntreaConf { gates?: Record<string, unknown>; unknown?: string; where: string }

/**
 * The ConfigMaps the Antrea objects mount (configMap volumes of their pod templates); none shown
 * (a manifest abbreviating the DaemonSet), the chart's antrea-config in Antrea's namespace.
 */
function antreaConfigMapNames(objects: readonly KubeObject[]): { names: string[]; mounted: boolean } {
  const names = new Set<string>();
  for (const o of objects) {
    const volumes = (podTemplateOf(o)?.spec as { volumes?: unknown } | undefined)?.volumes;
    for (const v of Array.isArray(volumes) ? volumes : []) {
      const name = (v as { configMap?: { name?: unknown } } | undefined)?.configMap?.name;
      if (typeof name === 'string' && name !== '') names.add(name);
    }
  }
  return names.size ? { names: [...names].sort(), mounted: true } : { names: [ANTREA_CONFIG_MAP], mounted: false };
}

function antreaConf(snapshot: Snapshot, namespace: string, names: { names: string[]; mounted: boolean }, key: AntreaConfKey): AntreaConf {
  for (const name of names.names) {
    const cm = configMapRead(snapshot, { namespace, name });
    const text = cm?.data && typeof cm.data === 'object' ? (cm.data as Record<string, unknown>)[key] : undefined;
    if (typeof text !== 'string') continue;
    const where = `${key} of ConfigMap ${namespace}/${name}`;
    let conf: unknown;
    try {
      conf = parseGoYaml(text);
    } catch {
      return { unknown: `${where} is not YAML Antrea can read`, where };
    }
    const gates = conf && typeof conf === 'object' ? (conf as { featureGates?: unknown }).featureGates : undefined;
    if (gates === undefined || gates === null) return { gates: {}, where };
    if (typeof gates !== 'object' || Array.isArray(gates)) return { unknown: `featureGates in ${where} is not a map of gate names to true or false`, where };
    return { gates: gates as Record<string, unknown>, where };
  }
  const missing = names.names.find((name) => !configMapRead(snapshot, { namespace, name }) && (names.mounted ? !configMapNotFound(snapshot, { namespace, name }) : configMapUnread(snapshot, { namespace, name }) !== undefined));
  if (missing !== undefined) {
    const why = names.mounted ? 'is mounted by Antrea but is not in the input' : 'could not be read';
    return { unknown: `ConfigMap ${namespace}/${missing}, which holds ${key}, ${why}`, where: key };
  }
  return { gates: {}, where: `${key} (no ConfigMap ${names.names.map((n) => `${namespace}/${n}`).join(', ')} holds it: Antrea's defaults)` };
}

/** A gate as one conf sets it: true, false, undefined when unset (the default holds), 'unknown' with why. */
function antreaGate(conf: AntreaConf, gate: string): boolean | undefined | { unknown: string } {
  if (conf.unknown) return { unknown: conf.unknown };
  const v = conf.gates?.[gate];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  return { unknown: `${gate} in ${conf.where} is ${JSON.stringify(v)}, not true or false: Antrea does not start with it` };
}

/** The oldest release any Antrea image names (mid-upgrade, what every node enforces); undefined when none names one. */
function antreaRelease(objects: readonly KubeObject[]): { release?: [number, number, number]; image?: string } {
  let oldest: [number, number, number] | undefined;
  let image: string | undefined;
  for (const o of objects) {
    for (const c of containersOf(o)) {
      if (typeof c.image !== 'string' || !ANTREA_IMAGE.test(imageRepository(c.image))) continue;
      image ??= c.image;
      const r = tagRelease(imageTag(c.image));
      if (r && (!oldest || (r[0] - oldest[0] || r[1] - oldest[1] || r[2] - oldest[2]) < 0)) oldest = r;
    }
  }
  return { ...(oldest ? { release: oldest } : {}), ...(image ? { image } : {}) };
}

/** Antrea as its release and feature gates leave it: the APIs it enforces, those it does not (why), those in doubt (why). */
function withAntreaGates(plugin: CniPlugin, snapshot: Snapshot, objects: readonly KubeObject[]): CniPlugin {
  const namespace = plugin.namespace ?? 'kube-system';
  const names = antreaConfigMapNames(objects);
  const agent = antreaConf(snapshot, namespace, names, 'antrea-agent.conf');
  const controller = antreaConf(snapshot, namespace, names, 'antrea-controller.conf');
  const { release, image } = antreaRelease(objects);
  const version = release ? `v${release.join('.')}` : undefined;
  const noRelease = `Antrea's image${image ? ` ${JSON.stringify(image)}` : ''} names no release`;
  const unimplemented: Partial<Record<PolicyApi, string>> = { ...plugin.unimplemented };
  const unconfirmed: Partial<Record<PolicyApi, string>> = { ...plugin.unconfirmed };
  const off = (apis: readonly PolicyApi[], why: string) => { for (const a of apis) unimplemented[a] = why; };
  const doubt = (apis: readonly PolicyApi[], why: string) => { for (const a of apis) unconfirmed[a] = why; };

  // AntreaPolicy: both components; off in either, nothing handles the Antrea-native policies.
  const policyDefault = release ? atLeast(release, ANTREA_POLICY_SINCE) : undefined;
  const policy = [[agent, antreaGate(agent, 'AntreaPolicy')], [controller, antreaGate(controller, 'AntreaPolicy')]] as const;
  const policyOff = policy.find(([, g]) => g === false || (g === undefined && policyDefault === false));
  const policyUnknown = policy.find(([, g]) => typeof g === 'object' || (g === undefined && policyDefault === undefined));
  if (policyOff) off(['Antrea', ...ANTREA_ADMIN_APIS], policyOff[1] === false ? `the AntreaPolicy feature gate is false in ${policyOff[0].where}: Antrea handles no Antrea-native policy (and no AdminNetworkPolicy, which requires it)` : `Antrea ${version} leaves the AntreaPolicy feature gate off by default (on from v1.0) and ${policyOff[0].where} does not turn it on: Antrea-native policies are not enforced`);
  else if (policyUnknown) {
    const g = policyUnknown[1];
    doubt(['Antrea'], typeof g === 'object' ? `${g.unknown}; the AntreaPolicy feature gate decides whether Antrea enforces Antrea-native policies` : `${noRelease}, and ${policyUnknown[0].where} does not set the AntreaPolicy feature gate, on by default from v1.0 only`);
  }

  // AdminNetworkPolicy: the controller's gate, off by default, from v1.13.
  if (!policyOff) {
    if (release && !atLeast(release, ANTREA_ANP_SINCE)) off(ANTREA_ADMIN_APIS, `Antrea ${version} does not implement AdminNetworkPolicy or BaselineAdminNetworkPolicy (from v1.13, behind the AdminNetworkPolicy feature gate)`);
    else {
      const g = antreaGate(controller, 'AdminNetworkPolicy');
      if (g === true && release) {
        if (unconfirmed.Antrea) doubt(ANTREA_ADMIN_APIS, `AdminNetworkPolicy requires the AntreaPolicy feature gate: ${unconfirmed.Antrea}`);
      } else if (g === true) doubt(ANTREA_ADMIN_APIS, `${noRelease}: Antrea implements AdminNetworkPolicy from v1.13 only`);
      else if (typeof g === 'object') doubt(ANTREA_ADMIN_APIS, `${g.unknown}; the AdminNetworkPolicy feature gate (off by default) decides whether Antrea enforces AdminNetworkPolicy and BaselineAdminNetworkPolicy`);
      else off(ANTREA_ADMIN_APIS, `${controller.where} ${g === false ? 'sets the AdminNetworkPolicy feature gate false' : 'does not turn on the AdminNetworkPolicy feature gate, off by default'}: Antrea enforces no AdminNetworkPolicy or BaselineAdminNetworkPolicy`);
    }
  }
  const apis = plugin.apis.filter((a) => !unimplemented[a]);
  for (const a of Object.keys(unconfirmed) as PolicyApi[]) if (!apis.includes(a)) delete unconfirmed[a];
  return {
    ...plugin,
    ...(version ? { version } : {}),
    apis,
    ...(Object.keys(unimplemented).length ? { unimplemented } : {}),
    ...(Object.keys(unconfirmed).length ? { unconfirmed } : {}),
  };
}

/** The kinds a CNI plugin is recognised by: all detectCni (and ciliumCni) read. */
export const CNI_KINDS = ['daemonsets', 'deployments'] as const satisfies readonly KindKey[];

/** The plugins a snapshot runs: once per snapshot (the network model and two network checks ask). */
export const detectCni = memoize((snapshot: Snapshot): CniDetection => {
  const plugins: CniPlugin[] = [];
  const seen = new Set<string>();
  const calicoNodes: CalicoNode[] = [];
  const knpInstalls: KnpInstall[] = [];
  const ciliumVersions: Array<[number, number, number]> = [];
  const antreaObjects: KubeObject[] = [];
  const seenIn = new Map<string, CoverageNote['object']>();
  const switches = new Map<string, Switch[]>();
  for (const key of CNI_KINDS) {
    for (const o of snapshot.resources[key] ?? []) {
      const texts = textsOf(o);
      if (!texts.some((t) => ANY_PLUGIN.test(t))) continue;
      const node = calicoNodeOf(o);
      if (node) calicoNodes.push(node);
      const knp = knpInstallOf(o);
      if (knp) knpInstalls.push(knp);
      const cilium = isCiliumAgent(o) ? ciliumAgentVersionOf(o) : undefined;
      if (cilium) ciliumVersions.push(cilium);
      const hit = PLUGINS.find((p) => texts.some((t) => p.pattern.test(t)) && (!p.confirm || p.confirm(o)));
      if (hit?.name === 'antrea') antreaObjects.push(o);
      // Every object of a plugin may hold its switch (kube-ovn's controller beside its CNI DaemonSet).
      const sw = hit?.switch?.(o);
      if (sw) {
        let list = switches.get(hit!.name);
        if (!list) switches.set(hit!.name, (list = []));
        list.push(...[sw].flat());
      }
      if (!hit || seen.has(hit.name)) continue;
      seen.add(hit.name);
      seenIn.set(hit.name, refOf(o));
      const namespace = o.metadata?.namespace;
      const where = `${o.kind ?? key} ${namespace ?? ''}/${o.metadata?.name ?? ''}`;
      plugins.push({ name: hit.name, enforces: hit.enforces, apis: hit.apis, seenIn: where, ...(namespace ? { namespace } : {}), ...(hit.none ? { unimplemented: { NetworkPolicy: hit.none(where) } } : {}) });
    }
  }
  for (let i = 0; i < plugins.length; i++) {
    if (plugins[i].name === 'calico' || plugins[i].name === 'canal') plugins[i] = withCalicoVersion(plugins[i], seenIn.get(plugins[i].name)!, calicoNodes);
    else if (plugins[i].name === 'kube-network-policies') plugins[i] = withKnpBuild(plugins[i], seenIn.get(plugins[i].name)!, knpInstalls);
    else if (plugins[i].name === 'cilium') plugins[i] = withCiliumVersion(plugins[i], ciliumVersions);
    else if (plugins[i].name === 'antrea') plugins[i] = withAntreaGates(plugins[i], snapshot, antreaObjects);
    if (plugins[i].name === 'aws-vpc-cni') plugins[i] = { ...plugins[i], unconfirmed: { ClusterNetworkPolicy: AWS_CNP_UNCONFIRMED } };
    const shown = switches.get(plugins[i].name) ?? [];
    const unseen = (PLUGINS.find((p) => p.name === plugins[i].name)?.unseen ?? []).filter((u) => !shown.some((s) => switchKey(s) === switchKey(u)));
    plugins[i] = withSwitches(plugins[i], [...shown, ...unseen]);
  }
  const verdict = plugins.some((p) => p.enforces) ? 'enforcing' : plugins.length ? 'not-enforcing' : 'unknown';
  return { plugins, verdict };
}, 'network');

/**
 * The ConfigMaps Antrea's feature gates come from, for the live collector to `get` by name: the
 * ones its agent and controller mount (antrea-config in the chart), in Antrea's namespace, asked
 * for only when Antrea is the CNI.
 */
export function antreaConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  const antrea = detectCni(snapshot).plugins.find((p) => p.name === 'antrea');
  if (!antrea) return [];
  const objects = CNI_KINDS.flatMap((key) => (snapshot.resources[key] ?? []).filter((o) => o.metadata?.namespace === antrea.namespace && textsOf(o).some((t) => ANTREA_PATTERN.test(t))));
  return antreaConfigMapNames(objects).names.map((name) => ({ namespace: antrea.namespace ?? 'kube-system', name }));
}

/**
 * Cilium, when it is the CNI (its agent, GKE Dataplane V2's anetd included): the
 * one answer the network verdicts, the collector's request for cilium-config and the reading of
 * that ConfigMap all go by (src/analysis/netpol/cilium/config.ts).
 */
export function ciliumCni(snapshot: Snapshot): CniPlugin | undefined {
  return detectCni(snapshot).plugins.find((p) => p.name === 'cilium');
}
