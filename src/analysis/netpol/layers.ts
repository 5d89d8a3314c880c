// The integration contract of the network model: one policy-API-neutral representation that
// every policy API (Kubernetes NetworkPolicy, AdminNetworkPolicy/BaselineAdminNetworkPolicy,
// Calico, Cilium) is translated into, and the adapter interface through which an API plugs
// in. The precedence engine (engine.ts) evaluates only these types; it never reads a raw
// object. docs/network-model.md explains the precedence per CNI and how to add an API.
//
// Translation rules every adapter follows:
// - An adapter never throws on bad input. An object that cannot be understood becomes a
//   LayerPolicy with `errors` (it is reported by network.invalid-policy and left out of
//   evaluation); a feature the model does not evaluate becomes a CoverageNote naming the object.
// - Everything that decides reachability is expressed here. Anything that would need a
//   per-pod fact (a pod IP, a node name) is not: pod classes fold pods on what selectors see
//   (namespace, labels, named ports, hostNetwork, service account), and nothing may depend on
//   more, or the model becomes per-pod.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { Protocol } from './conns.ts';
import type { IpRange } from '../../base/ip.ts';
import type { Selector } from './selector.ts';

export type Labels = Record<string, string>;

/**
 * The API family a policy belongs to. It decides which CNIs enforce the policy (cni.ts:
 * `implementsApi`) and how it is named in evidence and explanations.
 * - 'NetworkPolicy': networking.k8s.io/v1 NetworkPolicy.
 * - 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy': policy.networking.k8s.io/v1alpha1, apart
 *   because a CNI may implement the first and not the second (Calico v3.29).
 * - 'ClusterNetworkPolicy': policy.networking.k8s.io/v1alpha2, which replaces both (its tier Admin
 *   is the 'admin' layer, Baseline the 'baseline' layer); apart because CNIs implement it apart
 *   (Calico v3.32 implements it and no longer the v1alpha1 kinds).
 * - 'Calico': projectcalico.org/v3 (and crd.projectcalico.org/v1) NetworkPolicy, GlobalNetworkPolicy.
 * - 'Cilium': cilium.io/v2 CiliumNetworkPolicy; 'CiliumClusterwide': CiliumClusterwideNetworkPolicy,
 *   apart because the agent watches each behind its own switch (cilium-config
 *   enable-cilium-network-policy, enable-cilium-clusterwide-network-policy).
 * - 'Antrea': crd.antrea.io ClusterNetworkPolicy and NetworkPolicy (Antrea-native policies); a
 *   policy using a field the model does not evaluate is `unevaluated` over the pods it may apply to (antrea.ts).
 */
export type PolicyApi = 'NetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy' | 'Calico' | 'Cilium' | 'CiliumClusterwide' | 'Antrea';

/**
 * Where a policy sits in the precedence chain. The CNI's composition (engine.ts: `composeStages`)
 * turns layers into ordered stages:
 * - 'admin': AdminNetworkPolicy and Admin-tier ClusterNetworkPolicy. First match by `order`
 *   (= priority), Allow/Deny final, Pass and no match go on to the next stage.
 * - 'networkpolicy': Kubernetes NetworkPolicy. Union of allows; a selected pod is isolated.
 * - 'baseline': BaselineAdminNetworkPolicy and Baseline-tier ClusterNetworkPolicy. First match by
 *   `order` (a ClusterNetworkPolicy's priority; the BANP singleton has none and comes last); no
 *   match and Pass go on (to the default allow).
 * - 'calico': a Calico policy in tier `tier` (first match by `order`; end-of-tier deny unless the
 *   tier's defaultAction is Pass).
 * - 'cilium': CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy. One union stage with the
 *   Kubernetes NetworkPolicies, where Deny rules beat every Allow.
 * - 'antrea': an Antrea-native policy (its Antrea tier in `tier`, the tier's priority in `tierOrder`).
 *   First match by (tier priority, priority), Allow/Deny final, Pass skips every later tier but
 *   Baseline; tiers before the NetworkPolicies share one stage with the AdminNetworkPolicies, the
 *   baseline tier one with the BaselineAdminNetworkPolicy (composition.ts antreaStages).
 */
export type Layer = 'admin' | 'networkpolicy' | 'baseline' | 'calico' | 'cilium' | 'antrea';

/**
 * What a rule does with the connections it matches.
 * - Allow / Deny: final in a first-match stage; in a union stage Deny beats every Allow.
 * - Pass: skips the rest of the stage (the remaining ANPs, the rest of the Calico tier); the
 *   next stage decides. Only meaningful in first-match stages.
 * - Log: matches but decides nothing; evaluation continues with the next rule.
 */
export type Action = 'Allow' | 'Deny' | 'Pass' | 'Log';

export const ACTIONS: readonly Action[] = ['Allow', 'Deny', 'Pass', 'Log'];

/**
 * A destination port (or port set) on one protocol. Named ports resolve on the pod that
 * receives the connection (the subject for ingress, the peer for egress); a name the pod does
 * not declare resolves to nothing, and against a non-pod endpoint to nothing. A named port
 * without a protocol (ANP/BANP `namedPort`) resolves on whichever protocol the pod declares
 * the name with.
 */
export type PortSpec =
  | { protocol: Protocol; kind: 'all' }
  | { protocol: Protocol; kind: 'range'; lo: number; hi: number }
  | { protocol: Protocol; kind: 'named'; name: string }
  | { protocol?: undefined; kind: 'named'; name: string };

/**
 * Entities: endpoints named by role rather than by selector (Cilium `toEntities`, Calico
 * `nets`-less global rules, ANP `nodes`). How each maps onto the model's endpoints:
 * - 'all': every endpoint.  'world': every address outside the cluster (ip and fqdn endpoints).
 * - 'world-ipv4' / 'world-ipv6': the external addresses of one family.
 * - 'cluster': every pod, node and the API server.  'host' / 'remote-node': node endpoints
 *   (the model does not place pods on nodes, so "the local node" and "other nodes" are both
 *   every node).  'kube-apiserver': the API server endpoint.
 * - Anything else an API defines (Cilium 'health', 'init', 'ingress', 'unmanaged') is
 *   carried as 'other' with its name and matches no modelled endpoint; the adapter adds a
 *   CoverageNote.
 */
export type Entity = 'all' | 'world' | 'world-ipv4' | 'world-ipv6' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver';

/**
 * Which namespaces a pod peer (or a subject) covers.
 * - 'policy': the namespace of the (namespaced) policy that holds it: a Kubernetes peer
 *   without namespaceSelector, a Calico rule selector without namespaceSelector in a
 *   namespaced policy, a Cilium endpoint selector in a CiliumNetworkPolicy that names no
 *   namespace.
 * - 'selector': every namespace whose labels match. An empty selector (`{}`, Calico `all()`)
 *   is every namespace. Namespace labels always include `kubernetes.io/metadata.name`; an
 *   API whose selectors see other automatic labels (Calico `projectcalico.org/name`) wraps
 *   its Selector to add them.
 * - 'names': the namespaces listed (Cilium `io.kubernetes.pod.namespace` requirements).
 */
export type NamespaceScope =
  | { kind: 'policy' }
  | { kind: 'selector'; selector: Selector }
  | { kind: 'names'; names: string[] };

/**
 * A predicate over pod classes that label selectors cannot express (Calico `notSelector`
 * combined with service-account names, Cilium selectors over namespace-derived labels).
 * `key` is a canonical text: equal keys must mean equal predicates (it keys caches and
 * appears in evidence). Keep it cheap: it runs once per (peer, class).
 */
export interface ClassPredicate {
  readonly key: string;
  matches(cls: ClassFacts, namespaceLabels: Labels): boolean;
  /**
   * Why whether the class matches is not known (the facts it reads are not all known: a Calico
   * selector on labels of a ServiceAccount that was not read), or undefined; `matches` then gives
   * the counted reading. Undefined: always known.
   */
  doubt?(cls: ClassFacts, namespaceLabels: Labels): string | undefined;
  /**
   * The only doubt is where a host-network pod runs: the predicate holds it only when it runs on
   * the node of the pod the policy selects ('same', Cilium's `host`) or only when it runs on
   * another ('other', `remote-node`). Rules of one action whose peers hold it on both sides
   * together hold it wherever it runs (engine.ts placedSides).
   */
  readonly nodePlacement?: 'same' | 'other';
  /**
   * A predicate that reads namespace labels other than the name (a Cilium selector on
   * `io.cilium.k8s.namespace.labels.<key>`): those keys, and the predicate without them, so a pod
   * of a namespace no manifest declares is known to turn on them (engine.ts ruleMatchDoubt).
   */
  readonly namespaceLabels?: { keys: readonly string[]; without: ClassPredicate };
}

/** What a selector may look at on a pod class. Everything else about a pod is invisible to policy. */
export interface ClassFacts {
  namespace: string;
  labels: Labels;
  /** spec.serviceAccountName (default "default"). */
  serviceAccount: string;
  /** Labels of that ServiceAccount (empty when it is not in the snapshot). */
  serviceAccountLabels: Labels;
  /**
   * The ServiceAccount's labels are not known: ServiceAccounts could not be read, or, from
   * manifests, none declares this one (the `default` account, which no one declares, has none).
   */
  serviceAccountLabelsUnknown?: 'unread' | 'undeclared';
  hostNetwork: boolean;
}

/** A set of pods: namespaces AND pod labels AND service account AND the extra predicate. */
export interface PodSet {
  namespaces: NamespaceScope;
  /** On pod labels; undefined = every pod of those namespaces. */
  pods?: Selector;
  /** On the pod's ServiceAccount labels (Calico serviceAccountSelector); undefined = any. */
  serviceAccounts?: Selector;
  /** ServiceAccount names (Calico serviceAccounts.names); undefined = any. */
  serviceAccountNames?: string[];
  /** Extra condition; undefined = none. */
  where?: ClassPredicate;
  /** ANP subjects and peers leave out host-network pods; Kubernetes and Calico do not. */
  excludeHostNetwork?: boolean;
}

/**
 * A rule peer: who is on the other side of the connection. A rule matches an endpoint when
 * any of its peers matches it and none of its `notPeers` does.
 * - 'pods': pods (pod classes).
 * - 'ipBlock': addresses. `ranges` is the CIDR minus its exceptions. A Cilium CIDR selector
 *   never matches a pod (pods are matched by identity). `podAddresses` marks CIDRs the API
 *   matches against pod addresses too (ANP `networks`, Calico `nets`/`notNets`, a Kubernetes
 *   ipBlock on every CNI but Cilium: model.ts): the engine matches a pod against the union of
 *   such peers of a rule by the addresses its class's pods have where the snapshot says them
 *   (Calico IPPools, live pods' own addresses), else by address family (engine.ts
 *   `podCidrStatus`, docs/network-model.md "CIDR peers and pods").
 * - 'fqdn': named external destinations (Cilium toFQDNs, ANP domainNames): matches fqdn
 *   endpoints by name, never an address (a name-based allowance is not 0.0.0.0/0).
 *   Patterns: exact names, `*` wildcards as the API defines them, already lower-cased.
 * - 'nodes': node endpoints whose labels match (ANP `nodes`), and host-network pods (they
 *   listen on their node's address; engine.ts `peerMatches`).
 * - 'entity': see Entity; `other` names an entity that matches nothing modelled.
 */
export type Peer =
  /** `addresses`: the pods count only when their address is also in these CIDRs (Calico selector beside `nets`), judged per class by its own pools (engine.ts). */
  | ({ kind: 'pods'; addresses?: Peer[] } & PodSet)
  | { kind: 'ipBlock'; text: string; ranges: IpRange[]; /** The CIDRs before exceptions (evidence: "0.0.0.0/0 except …" is still open to the internet). */ blocks?: IpRange[]; podAddresses?: true }
  /** `match`, when set, is the API's own name matching (Cilium matchPattern) and decides instead of `patterns`. */
  | { kind: 'fqdn'; patterns: string[]; match?: (name: string) => boolean }
  /** `where`: the field, for people ("spec.egress[0].to[1].nodes"). */
  | { kind: 'nodes'; selector: Selector; where?: string }
  | { kind: 'entity'; entity: Entity }
  /**
   * `unresolved`: a peer the model cannot resolve (a Cilium CIDR group not in the snapshot,
   * cloud provider groups, node selectors). It matches nothing, but a rule holding it leaves in
   * doubt every verdict on the endpoints it may hold (engine.ts `ruleMatchDoubt`); `what` names it.
   * 'some-addresses': a few outside addresses (a Service's backends), never every address.
   */
  | { kind: 'entity'; entity: 'other'; name: string; unresolved?: { may: 'addresses' | 'some-addresses' | 'nodes'; what: string } };

export interface Rule {
  /** Position in the object's rule list as written (`rule 0` in explanations). */
  index: number;
  /** The rule's own name where the API has one (ANP rule name, Calico rule metadata). */
  name?: string;
  action: Action;
  /** The action as the policy writes it, where the model reads it as another (Antrea's Drop and Reject are Deny): shown, never judged. */
  writtenAction?: string;
  /** 'any' = every endpoint (a Kubernetes rule without from/to, a Calico rule without source criteria). */
  peers: Peer[] | 'any';
  /** Endpoints excluded even when a peer matches (Calico notSelector / notNets). */
  notPeers?: Peer[];
  /** 'any' = every port of every protocol. */
  ports: PortSpec[] | 'any';
  /** Ports excluded from `ports` (Calico notPorts). */
  notPorts?: PortSpec[];
  /**
   * A condition on the policy's own pod, not the peer (Calico: an ingress rule's
   * `destination` selector, an egress rule's `source` selector): the rule matches only when
   * the pod the policy is evaluated for is in this set. Undefined = no condition.
   */
  subject?: PodSet;
  /**
   * A condition on the policy's own pod's address (Calico: an ingress rule's destination
   * `nets`/`notNets`, an egress rule's source ones): CIDRs matched on pod addresses, judged per
   * class by the class's own pools (engine.ts). A rule with one also has `subject`, so code that
   * shares a verdict across the classes of a plan sees that it depends on its pod.
   */
  subjectAddress?: { nets?: Peer[]; notNets?: Peer[]; side: string };
  /**
   * What the rule narrows that the model does not evaluate (Cilium L7 rules, ICMP types,
   * HTTP methods): the rule is evaluated as allowing the whole port, and the caveat is shown.
   */
  caveats?: string[];
  /**
   * The one IP family whose packets the rule matches (Calico `ipVersion`: Felix renders it only in
   * that family's chains). A flow of the other family is not matched; a pod flow that may use
   * either family (dual-stack pods) or whose family is not known leaves the match in doubt,
   * counted as matching for an Allow and as not matching for a Deny or Pass (engine.ts).
   */
  ipVersion?: 4 | 6;
  /**
   * The one IP family a rule without `ipVersion` is rendered in by its CIDRs (Calico `nets` and
   * `notNets` of one family only: Felix drops the rule from the other family's chains,
   * FilterRuleToIPVersion/filterNets in felix/rules/policy.go, v3.32.1), and the CIDRs that say so.
   * Judged like `ipVersion` (engine.ts conditionMatch) where the ends' families are known; where
   * they are not, the CIDRs' own doubt on pod addresses stands (podCidrStatus).
   */
  netsFamily?: { family: 4 | 6; text: string };
  /**
   * Why the rule matches only some of the connections it names, which the model does not tell
   * apart (Calico source ports): wherever it would match, its match is in doubt, counted as
   * matching for an Allow and as not matching for a Deny or Pass (engine.ts).
   */
  partial?: string;
}

/** The pods a policy applies to. Namespaced policies use `namespaces: { kind: 'policy' }`. */
export type Subject = PodSet;

/**
 * One policy of any API, translated. Adapters fill every field; the model adds nothing.
 */
export interface LayerPolicy {
  api: PolicyApi;
  layer: Layer;
  /** The object as the cluster names it (kind, namespace, stored name). */
  ref: ResourceRef;
  /**
   * Display id, unique across APIs: "ns/name" for Kubernetes NetworkPolicies (unchanged, so
   * existing evidence stays); other APIs prefix their kind so ids never collide
   * ("AdminNetworkPolicy:name", "BaselineAdminNetworkPolicy:default", "GlobalNetworkPolicy:name").
   */
  id: string;
  /** How explanations name the kind: "NetworkPolicy", "AdminNetworkPolicy", "GlobalNetworkPolicy", "Calico NetworkPolicy", … */
  kindLabel: string;
  /** How explanations name the object when `id` carries a prefix for uniqueness (Calico: "ns/name"); defaults to `id`. */
  displayName?: string;
  /** Namespace of a namespaced policy; undefined for cluster-scoped ones. */
  namespace?: string;
  /**
   * Calico tier name (layer 'calico': "default" when none is set), or a ClusterNetworkPolicy's
   * spec.tier ("Admin", "Baseline"), which only names it: its layer places it.
   */
  tier?: string;
  /** Antrea: the priority of the tier the policy names (a static tier's, or its Tier object's); undefined when the tier is not known. */
  tierOrder?: number;
  /**
   * Precedence within the stage, lower first (ANP priority, Calico order). Undefined sorts
   * last. Ties are broken by `sortName` (Calico: by name; ANP: implementation-defined, the
   * model uses the name and says so).
   */
  order?: number;
  sortName: string;
  subject: Subject;
  /** Rules per direction, in evaluation order; undefined = the policy does not apply to that direction. */
  ingress?: Rule[];
  egress?: Rule[];
  /**
   * Union stages only: whether selecting a pod makes it default-deny in that direction
   * (NetworkPolicy policyTypes; Cilium enableDefaultDeny and the empty-rule semantics).
   * First-match stages ignore it: there, isolation comes from the stage's no-match action.
   */
  isolates: { ingress: boolean; egress: boolean };
  /**
   * What the adapter could not resolve in the policy (a Service whose endpoints were not
   * collected): the policy is evaluated without it, and every `reach` answer it takes part in
   * carries these as notes.
   */
  uncertain?: string[];
  /**
   * Rules the CNI leaves out when it converts the policy (Calico drops an AdminNetworkPolicy
   * Allow or ClusterNetworkPolicy Accept rule naming nodes): the policy is evaluated without them, and
   * every `reach` answer whose source (egress) or destination (ingress) it selects says so.
   */
  conversion?: Array<{ direction: 'ingress' | 'egress'; message: string }>;
  /**
   * Calico GlobalNetworkPolicy: its selector may also select host endpoints (not collected),
   * because it reads no namespace or service-account label, which only workload endpoints carry.
   */
  mayApplyToHostEndpoints?: true;
  /** Why the object is invalid (never evaluated when non-empty). */
  errors: string[];
  /** The object is valid but `errors` name what the model cannot evaluate in it: left out all the same. */
  unevaluated?: boolean;
  raw: KubeObject;
}

/** A Calico Tier (or a tier an API implies: Calico's `adminnetworkpolicy` and `baselineadminnetworkpolicy`). */
export interface TierSpec {
  name: string;
  /** Lower first; undefined = after every ordered tier. */
  order?: number;
  /** What happens to traffic no rule of the tier matched, when a policy of the tier selects the pod. */
  defaultAction: 'Deny' | 'Pass';
  ref?: ResourceRef;
}

/** Something the model saw and does not evaluate, or evaluates with a caveat, naming the object. */
export interface CoverageNote {
  object: ResourceRef;
  message: string;
}

/** Cluster-wide settings an API's configuration carries. */
export interface PolicySettings {
  /**
   * Cilium `enable-policy` from the cilium-config ConfigMap: 'default' (pods are default-allow
   * until a policy selects them), 'always' (every pod is default-deny), 'never' (no policy is
   * enforced). Undefined when not readable.
   */
  ciliumEnforcement?: 'default' | 'always' | 'never';
  /** Cilium `policy-audit-mode` on: verdicts are logged, none enforced. */
  ciliumAuditMode?: boolean;
  /**
   * Where `enable-policy` and `policy-audit-mode` were set when not by cilium-config (an agent
   * flag or variable, a CiliumNodeConfig for every node), for people.
   */
  ciliumSetBy?: { enforcement?: string; auditMode?: string };
  /**
   * Why whether Cilium enforces policy at all cannot be confirmed (`enable-policy` or
   * `policy-audit-mode` from a value the snapshot does not show, or that differs by node): the
   * cilium-config value is evaluated, and no verdict is vouched for.
   */
  ciliumSwitchUnconfirmed?: string;
  /** The policy APIs whose watch switch cannot be confirmed, each with why: evaluated as watched, not vouched for. */
  ciliumApisUnconfirmed?: Partial<Record<PolicyApi, string>>;
  /**
   * The policy APIs the Cilium agent does not watch, each with the cilium-config switch that
   * turns it off ("enable-k8s-networkpolicy is false"); ClusterNetworkPolicy is listed only when
   * its switch is on (`ciliumClusterNetworkPolicy`), as it is off by default.
   */
  ciliumApisOff?: Partial<Record<PolicyApi, string>>;
  /** Cilium `allow-localhost` is `policy` (the host reaches local pods only as policy allows); undefined: auto or always. */
  ciliumLocalhostByPolicy?: boolean;
  /** Cilium `enable-k8s-cluster-network-policy` on (Cilium 1.20 and later enforce ClusterNetworkPolicy then). */
  ciliumClusterNetworkPolicy?: boolean;
  /**
   * Cilium `enable-host-firewall` on: per direction, the host policies (CiliumClusterwideNetworkPolicy
   * with a nodeSelector) with rules for it, as people name them. Undefined when the firewall is off.
   */
  ciliumHostFirewall?: { ingress: string[]; egress: string[] };
  /** Cilium `routing-mode` (or the legacy `tunnel`); undefined when cilium-config was not read (Cilium's default: tunnel). */
  ciliumRoutingMode?: 'tunnel' | 'native';
  /**
   * Calico Enterprise's Felix accepts every packet policy denies (dropActionOverride Accept or
   * LogAndAccept on every node: calico/felix.ts): where that is set, for people. No policy is then enforced.
   */
  calicoDropAccepted?: string;
  /** Why whether some Felix accepts what policy denies cannot be confirmed (some nodes only, a value not shown, FelixConfigurations not read). */
  calicoDropUnconfirmed?: string;
}

export interface AdapterInput {
  snapshot: Snapshot;
  /** Every namespace's labels, `kubernetes.io/metadata.name` included. */
  namespaceLabels: ReadonlyMap<string, Labels>;
}

export interface AdapterOutput {
  policies: LayerPolicy[];
  tiers?: TierSpec[];
  settings?: PolicySettings;
  notes: CoverageNote[];
}

/**
 * A policy API plugged into the model. Registered in apis.ts (an explicit, ordered list).
 * `parse` is pure and never throws; it is called once per snapshot.
 */
export interface PolicyApiAdapter {
  api: PolicyApi;
  /** Snapshot keys it reads (the coverage of these decides whether the API's policies are known). */
  kinds: readonly KindKey[];
  parse(input: AdapterInput): AdapterOutput;
}

/** How an explanation names a policy: "GlobalNetworkPolicy deny-team-b-to-db (order 10)". */
export function describePolicy(p: Pick<LayerPolicy, 'kindLabel' | 'id' | 'tier' | 'order' | 'layer' | 'displayName'>): string {
  const where: string[] = [];
  if (p.tier !== undefined && p.tier !== 'default') where.push(`tier ${p.tier}`);
  if (p.order !== undefined) where.push(p.layer === 'admin' || p.layer === 'baseline' || p.layer === 'antrea' ? `priority ${p.order}` : `order ${p.order}`);
  return `${p.kindLabel} ${p.displayName ?? p.id}${where.length ? ` (${where.join(', ')})` : ''}`;
}

/**
 * Policies of one priority, for a note: "AdminNetworkPolicies x, y" when of one kind,
 * "AdminNetworkPolicy x, ClusterNetworkPolicy y" otherwise; by name, the order the model takes.
 */
export function namePoliciesByName(ps: ReadonlyArray<Pick<LayerPolicy, 'kindLabel' | 'id' | 'displayName'>>): string {
  const named = ps.map((p) => ({ kind: p.kindLabel, name: p.displayName ?? p.id })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kinds = new Set(named.map((n) => n.kind));
  return kinds.size === 1 ? `${named[0].kind.replace(/y$/, 'ie')}s ${named.map((n) => n.name).join(', ')}` : named.map((n) => `${n.kind} ${n.name}`).join(', ');
}

// ---------------------------------------------------------------- pod classes and stage plans

export interface NamedPort {
  name: string;
  protocol: Protocol;
  port: number;
}

/** Pods that every modelled selector sees alike (the model's unit of evaluation). */
export interface PodClass extends ClassFacts {
  id: number;
  namespace: string;
  labels: Record<string, string>;
  namedPorts: NamedPort[];
  hostNetwork: boolean;
  /** spec.serviceAccountName ("default" when unset) and that ServiceAccount's labels. */
  serviceAccount: string;
  serviceAccountLabels: Record<string, string>;
  /** Keys of the workloads with pods in this class. */
  workloads: string[];
  podCount: number;
  /** Valid, enforced policies of every API selecting this class for ingress (resp. egress), in evaluation order. */
  ingressPolicies: LayerPolicy[];
  egressPolicies: LayerPolicy[];
  /** The same policies grouped into the composition's stages (shared between classes with the same policies). */
  ingressPlan: readonly StagePlan[];
  egressPlan: readonly StagePlan[];
}


export interface Stage {
  /** 'admin', 'networkpolicy', 'baseline', 'cilium', or 'tier:<name>' for Calico tiers. */
  key: string;
  /** For people: "AdminNetworkPolicy", "NetworkPolicy", "Calico tier security", … */
  label: string;
  mode: 'first-match' | 'union';
  /** First-match stages: the fate of connections no rule matched when a policy of the stage selects the pod. */
  noMatch: 'deny' | 'next';
}

/** The stages of one class in one direction, each with the selecting policies in evaluation order. */
export interface StagePlan {
  stage: Stage;
  policies: LayerPolicy[];
}

