// Questions asked of the reachability model: one flow (`queryReach`) and every workload pair
// (`reachMatrix`), answered as typed results; `ztaudit reach` (src/cli/reach.ts) prints them.

import { allConns, formatConns, intersectConns, isAllConns, isEmptyConns, restrictConns, sameConns, subtractConns, unionConns, emptyConns, type ConnSet, type Protocol } from './conns.ts';
import { ALL_V4, ALL_V6, formatRange, ipToString, parseIp, unmapIpv4, type IpRange } from '../../base/ip.ts';
import { NOT_GOVERNED_EGRESS, NOT_GOVERNED_INGRESS, describeCause, endpointFamilies, describeRule, evaluatePlan, podCidrStatus, podSetMatches, policyLabel, readsNamespaceLabels, ruleMatchesPeer, rulePortConns, type DecisionCause, type Direction, type DirectionVerdict, type Doubt, type StagePlan } from './engine.ts';
import { describePolicy, namePoliciesByName, type LayerPolicy, type Peer, type Rule } from './layers.ts';
import { nodesOverlapping } from './node-cidrs.ts';
import { candidatePeers, indexByNamespace, MAX_DOUBT_PAIRS, ruleTouches, type DoubtSearch } from './flows.ts';
import { buildReachability, egressVerdict, forwardedWhy, workloadKey, ingressVerdict, REMOTE_NODE_PEER, type Endpoint, type PodClass, type ReachModel, type RuleRef, type WorkloadNode } from './model.ts';

/** One part of a direction's answer: which connections, allowed or not, and what decided. */
export interface DecisionAnswer {
  allowed: boolean;
  /** Allowed as far as the model knows: something it does not evaluate decides (Cilium host policies). */
  unknown?: boolean;
  /** "All Connections", "TCP 5432", … (restricted to the asked port/protocol). */
  conns: string;
  /** "GlobalNetworkPolicy deny-team-b-to-db (order 10) rule 0 (Deny)", "isolation by shop/deny (NetworkPolicy: no rule allows it)", … */
  by: string;
  /** The deciding rule, when a rule decided. */
  rule?: RuleRef;
  /** Why this part might have been decided otherwise (a rule matched on a pod address the model does not know). */
  uncertain?: string[];
  /** Admitted as traffic another node forwards (Cilium native routing: remote-node identity), and for which Service; `by` ends with it too. */
  forwarded?: string;
  /** The Pass rule that handed these connections on when no later tier decided them (`by` reads "passed by …"). */
  passedBy?: RuleRef;
  /** Between dual-stack ends (ReachAnswer.families): the one IP family's path this part is of; unset when both paths decide it alike. */
  family?: 4 | 6;
}

/**
 * One IP family's path between dual-stack ends (ReachAnswer.families): `verdict` 'unknown' when
 * that path is itself in doubt (`undetermined` says why), `ports` the connections it allows (the
 * model's reading when unknown), `by` what allowed or denied them, as `reach` names it.
 */
export interface FamilyAnswer {
  verdict: 'allowed' | 'denied' | 'unknown';
  ports: ConnSet;
  by: string[];
  undetermined?: string[];
}

export interface DirectionAnswer {
  isolated: boolean;
  allowed: boolean;
  /** Enforced policies (of every API) selecting the pod in this direction, as people name them ("ns/name" for a NetworkPolicy, "AdminNetworkPolicy tenant-a"). */
  policies: string[];
  /**
   * Those of `policies` that isolate the pod in this direction: a Kubernetes NetworkPolicy or a
   * Cilium policy that puts it in default deny (not one with `enableDefaultDeny` false for it), a
   * policy of a Calico tier whose defaultAction is Deny; never an (Baseline)AdminNetworkPolicy.
   */
  isolatingPolicies: string[];
  /** What isolates the pod when no policy does: the CNI's default deny ("Cilium's policy enforcement mode 'always' (cilium-config enable-policy)"). */
  isolatedBy?: string;
  /** Rules that allow the asked connection. */
  decidedBy: RuleRef[];
  /** What decided each part of the asked connections, allowed and denied, in evaluation order. */
  decisions: DecisionAnswer[];
}

export interface ReachAnswer {
  from: string;
  to: string;
  /** The asked port; for a port asked by name, the number it stands for when every destination pod gives it the same one. */
  port?: number;
  /** A port asked by name ("http"), and the numbers the destination's pods give it (none when no pod names it). */
  portName?: string;
  portNumbers?: number[];
  protocol?: Protocol;
  allowed: boolean;
  /** Connections allowed end to end (restricted to the asked port/protocol, if any). */
  ports: ConnSet;
  egress: DirectionAnswer;
  ingress: DirectionAnswer;
  notes: string[];
  /**
   * Why the model cannot vouch for `allowed` (each also a note): an AdminNetworkPolicy priority
   * tie whose order changes the answer, a policy selecting an end that the model does not
   * evaluate, every allowed connection passing a side it cannot judge (a host-network pod under
   * Cilium's host firewall), an answer resting on a decision that might have gone the other way
   * (a CIDR matched on a pod address the model does not know). `allowed` is then the model's best
   * reading, not a verdict.
   */
  undetermined?: string[];
  /**
   * An uncertain match in `undetermined` says the address end may be a node's (DoubtReason
   * 'node'): nothing then calls the address one outside the cluster. Not printed: the doubt's text says it.
   */
  addressMayBeNode?: true;
  /**
   * With `undetermined` when only some asked connections are in doubt (no one port asked, or a
   * port name with several numbers): those the model vouches for, and those that may go either way.
   */
  certainPorts?: ConnSet;
  portsInDoubt?: ConnSet;
  /** With `certainPorts`: the rules with L7 matches (Cilium toPorts rules, Calico http) that decide some of them, which pass only the requests those match. */
  certainRequestsOnly?: string[];
  /**
   * Where the uncertain matches would leave `ports` certain but a doubt of another kind (`doubts`:
   * a policy the model does not evaluate, an AdminNetworkPolicy tie, a policy kind not read) puts
   * every connection in doubt: no `certainPorts` then; this says which ports only that doubt holds, and which the uncertain matches do.
   */
  certainButFor?: { ports: ConnSet; inDoubt: ConnSet; doubts: string[] };
  /**
   * Set when a rule of one IP family only (Calico `ipVersion`, or nets/notNets of one family)
   * decides the flow and both ends are dual-stack: each family's path judged apart (Felix renders
   * such a rule only into that family's chains). `allowed` and `ports` are then what either path
   * lets through (a dual-stack client may use either), and the decisions of the two paths are
   * both listed, those of one path only marked with its `family`. `undetermined` is then set only
   * where an asked connection is in doubt on some path and allowed for certain on none: one path's
   * doubt, where the other settles every asked connection, stays in that path's answer and the notes.
   */
  families?: { ipv4: FamilyAnswer; ipv6: FamilyAnswer };
}

/** How a rule's caveat says it holds L7 matches (cilium/adapter.ts, calico/adapter.ts). */
const L7_CAVEAT = /^L7 rules|^the HTTP match/;

/** `resolvedFrom`: how the address asked was read, when it is a pod's or IPv4-mapped (said in the answer's notes). */
export type ReachTarget = { kind: 'workload'; node: WorkloadNode; label: string; resolvedFrom?: string } | { kind: 'ip'; endpoint: Endpoint & { kind: 'ip' | 'fqdn' }; label: string; resolvedFrom?: string };

export class ReachInputError extends Error {
  readonly code = 'REACH_INPUT';
}

/** "ns/name[Kind]", the workload naming used in matrices and the netpol-analyzer format. */
export function workloadLabel(n: WorkloadNode): string {
  return `${n.ref.namespace ?? ''}/${n.ref.name}[${n.ref.kind}]`;
}

/** Resolves "NS/NAME", "NS/KIND/NAME" or an IP address. Throws ReachInputError with a helpful message. */
export function resolveTarget(model: ReachModel, text: string): ReachTarget {
  const ip = parseIp(text);
  if (ip) return resolveAddress(model, text, ip);
  // "10.0.0.0/8" would read as workload "8" in namespace "10.0.0.0".
  const range = /^([^/]+)\/\d+$/.exec(text);
  if (range && parseIp(range[1])) throw new ReachInputError(`"${text}" is an address range: reach answers for one address; give an IP address such as ${range[1]}, or NAMESPACE/WORKLOAD`);
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) throw new ReachInputError(`"${text}": expected NAMESPACE/WORKLOAD, NAMESPACE/KIND/WORKLOAD or an IP address`);
  const [ns, kindOrName, maybeName] = parts;
  const name = maybeName ?? kindOrName;
  const kind = maybeName ? kindOrName.toLowerCase() : undefined;
  const found = model.workloads.filter((w) => w.ref.namespace === ns && w.ref.name === name && (!kind || w.ref.kind.toLowerCase() === kind));
  if (found.length === 0) {
    const inNs = model.workloads.filter((w) => w.ref.namespace === ns).map((w) => `${w.ref.kind}/${w.ref.name}`).slice(0, 10);
    throw new ReachInputError(`no workload "${name}" in namespace "${ns}"${inNs.length ? ` (known: ${inNs.join(', ')})` : ''}`);
  }
  if (found.length > 1) throw new ReachInputError(`"${text}" is ambiguous: ${found.map((w) => `${ns}/${w.ref.kind}/${name}`).join(', ')}`);
  return { kind: 'workload', node: found[0], label: workloadLabel(found[0]) };
}

function names(list: readonly { namespace?: string; name: string }[]): string {
  const shown = list.slice(0, 5).map((x) => `${x.namespace ?? ''}/${x.name}`).join(', ');
  return list.length > 5 ? `${shown} and ${list.length - 5} more` : shown;
}

/**
 * An address asked: the pod that holds it (policies apply to pods by their IPs), answered for
 * its workload as a pod's name is; a Service's ClusterIP or a node's address (host-network
 * pods share it) is refused, naming what holds it; anything else is outside the cluster.
 * An IPv4-mapped address (::ffff:a.b.c.d, how a dual-stack socket logs an IPv4 peer) is that
 * IPv4 address in all of these, ipBlocks included: on the wire the packet is IPv4.
 */
function resolveAddress(model: ReachModel, asked: string, parsed: { family: 4 | 6; value: bigint }): ReachTarget {
  const v4 = unmapIpv4(parsed);
  const ip = v4 ?? parsed;
  const text = v4 ? `${asked} (IPv4-mapped: read as ${ipToString(4, v4.value)})` : asked;
  const holders = model.addressHolders(ip);
  const pods = holders.flatMap((h) => (h.kind === 'pod' && !h.hostNetwork ? [h] : []));
  if (pods.length > 1) throw new ReachInputError(`${text} is the IP of ${pods.length} pods (${names(pods)}): give NAMESPACE/WORKLOAD`);
  if (pods.length === 1) {
    const pod = pods[0];
    const node = pod.owner && model.workloadByKey.get(workloadKey(pod.owner));
    if (!node) throw new ReachInputError(`${text} is the IP of Pod ${pod.namespace}/${pod.name}, which belongs to no workload the snapshot runs: give NAMESPACE/WORKLOAD`);
    const owner = pod.owner!;
    const whose = owner.kind === 'Pod' && owner.name === pod.name ? `Pod ${pod.namespace}/${pod.name}` : `Pod ${pod.namespace}/${pod.name} of ${owner.kind} ${pod.namespace}/${owner.name}`;
    return { kind: 'workload', node, label: workloadLabel(node), resolvedFrom: `${text} is the IP of ${whose}: answered for ${workloadLabel(node)}` };
  }
  const hosts = holders.filter((h) => h.kind === 'pod');
  if (hosts.length) throw new ReachInputError(`${text} is the node address that host-network pods share (${names(hosts)}): it names no one pod; give NAMESPACE/WORKLOAD`);
  const svc = holders.find((h) => h.kind === 'service');
  if (svc?.kind === 'service') {
    const keys = Object.keys(svc.selector);
    const behind = keys.length === 0 ? [] : model.workloads.filter((w) => w.ref.namespace === svc.namespace && w.classes.some((c) => keys.every((k) => c.labels[k] === svc.selector[k])));
    const give = behind.length ? `give the workload behind it (${names(behind.map((w) => w.ref))})` : 'give the workload behind it (NAMESPACE/WORKLOAD)';
    throw new ReachInputError(`${text} is the ClusterIP of Service ${svc.namespace}/${svc.name}: policy applies to the pods behind it, after the address is translated; ${give} and the target port`);
  }
  // A Node's address is matched by the ANP `nodes` peers that select the Node (engine.ts peerMatches).
  const nodes = model.addressNodes(ip);
  return { kind: 'ip', endpoint: { kind: 'ip', family: ip.family, value: ip.value, text: asked, nodes }, label: asked, ...(v4 ? { resolvedFrom: `${text}: answered as that IPv4 address` } : {}) };
}

/** "Node worker-1's InternalIP" when the Nodes read show the address asked as one of theirs (at most three named), or undefined. */
export function addressNodeText(t: ReachTarget): string | undefined {
  const held = t.kind === 'ip' && t.endpoint.kind === 'ip' && t.endpoint.nodes && 'nodes' in t.endpoint.nodes ? t.endpoint.nodes.nodes : [];
  if (!held.length) return undefined;
  const shown = held.slice(0, 3).map((n) => `Node ${n.name}'s${n.type ? ` ${n.type}` : ' address'}`).join(', ');
  return held.length > 3 ? `${shown} and ${held.length - 3} more Nodes'` : shown;
}

function endpointsOf(t: ReachTarget): Endpoint[] {
  return t.kind === 'ip' ? [t.endpoint] : t.node.classes.map((cls) => ({ kind: 'class', cls }) as Endpoint);
}

function causeKey(c: DecisionCause): string {
  return c.kind === 'rule' ? `rule\u0000${c.rule.policy}\u0000${c.rule.rule}` : describeCause(c);
}

/** `c` cut to the asked protocol and ports (`undefined`: any port; `[]`: none). */
function restrictTo(c: ConnSet, proto: Protocol | undefined, ports: readonly number[] | undefined): ConnSet {
  if (ports === undefined) return restrictConns(c, proto, undefined);
  let out = emptyConns();
  for (const p of ports) out = unionConns(out, restrictConns(c, proto, p));
  return out;
}

/**
 * The port numbers a question asks about at one destination: the number asked, or the numbers
 * that pod gives a port asked by name (as a policy's named port resolves, on the receiving pod,
 * name and protocol alike); undefined for any port.
 */
function askedPorts(d: Endpoint, port: number | string | undefined, proto: Protocol | undefined): number[] | undefined {
  if (typeof port !== 'string') return port === undefined ? undefined : [port];
  if (d.kind !== 'class') return [];
  return [...new Set(d.cls.namedPorts.filter((np) => np.name === port && np.protocol === proto).map((np) => np.port))].sort((a, b) => a - b);
}

/** The asked connections a verdict allows only by an unknown decision, and why. */
function unknownConns(v: DirectionVerdict, proto: Protocol | undefined, ports: readonly number[] | undefined): { conns: ConnSet; why: string[] } {
  let conns = emptyConns();
  const why: string[] = [];
  for (const d of v.decisions) {
    if (d.cause.kind !== 'unknown') continue;
    conns = unionConns(conns, restrictTo(d.conns, proto, ports));
    why.push(d.cause.reason);
  }
  return { conns, why };
}

/** Adds a verdict's decisions (restricted to the asked connections) to `acc`, merging equal causes. */
type Collected = { allowed: boolean; conns: ConnSet; cause: DecisionCause; uncertain?: string[]; forwarded?: string; mayBeNode?: true };

/** Whether a decision's doubts say the address end may be a node's (DoubtReason 'node'), read by kind, never by text (docs/hostile-text.md). */
const nodeDoubt = (uncertain: readonly Doubt[] | undefined): boolean => !!uncertain?.some((u) => u.reasons.includes('node'));

/** Adds a verdict's decisions (restricted to the asked connections) to `acc`, merging equal causes; returns the asked connections an uncertain decision decided. */
function collectDecisions(acc: Map<string, Collected>, v: DirectionVerdict, proto: Protocol | undefined, ports: readonly number[] | undefined): ConnSet {
  let doubtful = emptyConns();
  for (const v0 of v.decisions) {
    const c = restrictTo(v0.conns, proto, ports);
    if (isEmptyConns(c)) continue;
    // A doubt bears only on the connections it could have decided otherwise (uncertainConns): none of the asked ones, no doubt.
    const inDoubt = v0.uncertain ? restrictTo(v0.uncertainConns ?? v0.conns, proto, ports) : emptyConns();
    const d = isEmptyConns(inDoubt) ? { ...v0, uncertain: undefined } : v0;
    if (d.uncertain) doubtful = unionConns(doubtful, inDoubt);
    const k = `${d.allowed ? 1 : 0}\u0000${causeKey(d.cause)}\u0000${d.forwarded ?? ''}`;
    const cur = acc.get(k);
    if (cur) {
      cur.conns = unionConns(cur.conns, c);
      if (d.uncertain) cur.uncertain = [...new Set([...cur.uncertain ?? [], ...d.uncertain.map((u) => u.text)])];
      if (nodeDoubt(d.uncertain)) cur.mayBeNode = true;
    } else acc.set(k, { allowed: d.allowed, conns: c, cause: d.cause, ...(d.uncertain ? { uncertain: d.uncertain.map((u) => u.text) } : {}), ...(d.forwarded ? { forwarded: d.forwarded } : {}), ...(nodeDoubt(d.uncertain) ? { mayBeNode: true as const } : {}) });
  }
  return doubtful;
}

function decisionAnswers(acc: Map<string, Collected>): DecisionAnswer[] {
  return [...acc.values()].map((d) => ({
    allowed: d.allowed, ...(d.cause.kind === 'unknown' ? { unknown: true } : {}), conns: formatConns(d.conns),
    by: d.forwarded ? `${describeCause(d.cause)}, as traffic ${d.forwarded}` : describeCause(d.cause),
    ...(d.cause.kind === 'rule' ? { rule: d.cause.rule } : {}), ...(d.cause.kind === 'default-allow' && d.cause.passedBy ? { passedBy: d.cause.passedBy } : {}),
    ...(d.uncertain ? { uncertain: d.uncertain } : {}), ...(d.forwarded ? { forwarded: d.forwarded } : {}),
  }));
}

function dedupeRules(list: RuleRef[]): RuleRef[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.policy}#${r.rule}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Which policies of a first-match stage may be applied in either order: AdminNetworkPolicies (and
 * ClusterNetworkPolicies of one tier) of one priority, and Antrea-native policies of one tier and
 * priority, which "will be enforced indeterministically" (antrea-io/antrea
 * docs/antrea-network-policy.md at v2.2.0, "Antrea ClusterNetworkPolicy", priority; "Notes and
 * constraints": rules of one tier, policy priority and rule position conflict nondeterministically).
 * The model takes such policies whole, by name; reordering whole policies gives every answer
 * Antrea's rule-by-rule interleaving can give (the policy whose first matching rule comes earliest
 * decides), so a tie whose order changes an answer is in doubt. Undefined: the policy ties with none.
 */
function tieKey(p: LayerPolicy): string | undefined {
  if (p.order === undefined) return undefined;
  if (p.layer === 'antrea') return p.tierOrder === undefined ? undefined : `antrea\u0000${p.tierOrder}\u0000${p.order}`;
  return p.layer === 'admin' || p.layer === 'baseline' ? `${p.layer}\u0000${p.order}` : undefined;
}

/** AdminNetworkPolicies of one priority matching the same asked connections, and the direction's answer with each of them first. */
interface PriorityTie {
  /** "AdminNetworkPolicies a, b" (layers.ts namePoliciesByName). */
  names: string;
  count: number;
  layer: LayerPolicy['layer'];
  priority: number;
  outcomes: ConnSet[];
}

/**
 * Upstream lets an implementation apply any of the AdminNetworkPolicies of one priority that
 * match a connection ("If two (or more) policies with the same priority could both match a
 * connection, then the implementation can apply any of the matching policies to the
 * connection", AdminNetworkPolicySpec.priority, https://network-policy-api.sigs.k8s.io/reference/spec/).
 * The model takes them by name; here the direction is evaluated again with each tied policy
 * first among its equals, so the caller can tell whether the order changes the answer.
 */
function priorityTies(model: ReachModel, plan: readonly StagePlan[], dir: Direction, peer: Endpoint, dst: Endpoint, subject: Endpoint, asked: ConnSet): PriorityTie[] {
  const out: PriorityTie[] = [];
  plan.forEach(({ stage, policies }, at) => {
    if (stage.mode !== 'first-match') return;
    const byPriority = new Map<string, typeof policies>();
    // ClusterNetworkPolicy (v1alpha2) gives the Baseline tier priorities, with the same rule for ties.
    for (const p of policies) {
      const k = tieKey(p);
      if (k !== undefined) byPriority.set(k, [...(byPriority.get(k) ?? []), p]);
    }
    for (const group of byPriority.values()) {
      const priority = group[0].order!;
      if (group.length < 2) continue;
      const matched = group.map((p) => {
        let c = emptyConns();
        for (const r of p[dir] ?? []) if (r.action !== 'Log' && ruleMatchesPeer(model.match, r, p.namespace, peer, subject)) c = unionConns(c, intersectConns(rulePortConns(r, dst), asked));
        return c;
      });
      const tied = group.filter((_, i) => matched.some((m, j) => j !== i && !isEmptyConns(intersectConns(m, matched[i]))));
      if (tied.length < 2) continue;
      const outcomes = tied.map((first) => {
        const rest = policies.filter((p) => p !== first);
        const cut = rest.findIndex((p) => group.includes(p));
        const reordered: StagePlan = { stage, policies: [...rest.slice(0, cut), first, ...rest.slice(cut)] };
        const v = evaluatePlan(model.match, plan.map((sp, k) => (k === at ? reordered : sp)), dir, peer, dst, false, subject);
        return intersectConns(v.conns, asked);
      });
      out.push({ names: namePoliciesByName(tied), count: tied.length, layer: tied[0].layer, priority, outcomes });
    }
  });
  return out;
}

/** A pair's AdminNetworkPolicy priority ties (layer, priority, each order's answer in that direction) and what they mean for the pair's answer. */
export interface PairTies {
  egress: PriorityTie[];
  ingress: PriorityTie[];
  /** Each tie as `reach` says it, whether its order changes the pair's answer, and the pair's answer (both directions) under each order. */
  said: Array<{ text: string; decides: boolean; outcomes: ConnSet[] }>;
}

/**
 * The AdminNetworkPolicy priority ties on one pair of ends for the connections `asked`, given
 * what each direction allows there (`eConns`, `iConns`, already cut to `asked`): one reading for
 * `reach` (an UNKNOWN answer) and network.intent-violation (a flow in doubt).
 */
export function pairTies(model: ReachModel, s: Endpoint, d: Endpoint, asked: ConnSet, eConns: ConnSet, iConns: ConnSet): PairTies {
  const ingress = d.kind === 'class' ? priorityTies(model, d.cls.ingressPlan, 'ingress', s, d, d, asked) : [];
  const egress = s.kind === 'class' ? priorityTies(model, s.cls.egressPlan, 'egress', d, d, s, asked) : [];
  const both = intersectConns(eConns, iConns);
  const crossed = [
    ...ingress.map((t) => ({ ...t, outcomes: t.outcomes.map((c) => intersectConns(eConns, c)) })),
    ...egress.map((t) => ({ ...t, outcomes: t.outcomes.map((c) => intersectConns(c, iConns)) })),
  ];
  const said = crossed.map((t) => {
    const who = `${t.names} share priority ${t.priority} and ${t.count === 2 ? 'both' : 'all'} match this flow`;
    const decides = t.outcomes.some((c) => !sameConns(c, both));
    return { text: decides ? `${who}: upstream lets an implementation apply any of them, and which one it applies decides this answer (the model takes them by name)` : `${who}: upstream leaves their order undefined; either order gives this answer`, decides, outcomes: t.outcomes };
  });
  return { egress, ingress, said };
}

/**
 * The highest AdminNetworkPolicy priority by whose Allow or Deny every connection of `asked` in
 * `v` is decided for certain (final: no later priority is consulted), folded into `at` (start at
 * -1); undefined once something else decides some of them, or a tie among `ties` at or below it
 * leaves open which policy applies first (a Pass among them may hand the connection on).
 */
export function finalPriority(at: number | undefined, v: DirectionVerdict, asked: ConnSet, ties: readonly PriorityTie[] = []): number | undefined {
  for (const d of v.decisions) {
    if (isEmptyConns(intersectConns(d.conns, asked))) continue;
    const r = d.cause.kind === 'rule' ? d.cause.rule : undefined;
    at = at !== undefined && r?.layer === 'admin' && (r.action === 'Allow' || r.action === 'Deny') && r.order !== undefined && !d.uncertain ? Math.max(at, r.order) : undefined;
  }
  return at !== undefined && ties.some((t) => t.layer === 'admin' && t.priority <= at!) ? undefined : at;
}

/**
 * Whether AdminNetworkPolicies of a smaller priority number than `p`'s decide every asked
 * connection of a direction (`at`, finalPriority) with Allow or Deny: `p` is never consulted
 * there (a BaselineAdminNetworkPolicy comes after every AdminNetworkPolicy).
 */
export function decidedBefore(p: LayerPolicy, at: number | undefined): boolean {
  return at !== undefined && at >= 0 && (p.layer === 'baseline' || (p.layer === 'admin' && p.order !== undefined && at < p.order));
}

const unevaluatedOf = new WeakMap<ReachModel, { all: LayerPolicy[]; at: Map<PodClass, Partial<Record<Direction, LayerPolicy[]>>> }>();

/**
 * The policies the model leaves out (a field it does not evaluate, LayerPolicy.unevaluated) that
 * select `cls` in `dir` where the CNI enforces their kind: they may decide its flows either way.
 * Indexed once per model from the classes each selects (ReachModel.selectedBy): linear in the
 * selections; a probe class (not among the model's) is matched on its own.
 */
export function unevaluatedSelecting(model: ReachModel, cls: PodClass, dir: Direction): LayerPolicy[] {
  let index = unevaluatedOf.get(model);
  if (!index) {
    const all = model.policies.filter((p) => p.unevaluated && model.composition.stageOf(p) !== undefined);
    const at = new Map<PodClass, Partial<Record<Direction, LayerPolicy[]>>>();
    for (const p of all) {
      for (const c of model.selectedBy.get(p.id) ?? []) {
        let byDir = at.get(c);
        if (!byDir) at.set(c, (byDir = {}));
        for (const d of ['ingress', 'egress'] as const) if (p[d]) (byDir[d] ??= []).push(p);
      }
    }
    unevaluatedOf.set(model, (index = { all, at }));
  }
  if (index.all.length === 0) return index.all;
  if (cls.id >= 0) return index.at.get(cls)?.[dir] ?? NONE;
  return index.all.filter((p) => !!p[dir] && podSetMatches(model.match, p.subject, p.namespace, cls));
}

const NONE = Object.freeze([]) as unknown as LayerPolicy[];

/**
 * Whether an unevaluated policy's place in the precedence is not known either: a custom tier no
 * Tier object places (an Antrea-native policy without a tier priority, antrea.ts resolveTier; a
 * Calico policy, which the adapter leaves unevaluated only then, calico/adapter.ts unplacedLayerPolicy).
 */
function placeUnknown(u: LayerPolicy): boolean {
  return (u.layer === 'antrea' && u.tierOrder === undefined) || u.layer === 'calico';
}

/**
 * Whether the unevaluated policy `u`, selecting a pod `p` selects, may decide some of that pod's
 * connections in `p`'s direction before `p`'s rules do (so its Allow may open what a Deny before
 * `p` refuses, or its Deny or Pass refuse what `p` admits): unless its place is known and after
 * `p`'s — a later stage, or later in `p`'s first-match stage. A NetworkPolicy in a union stage
 * only adds allows, which a Deny there still beats (engine.ts), and never takes one away.
 */
export function unevaluatedMayPrecede(model: ReachModel, u: LayerPolicy, p: LayerPolicy): boolean {
  if (placeUnknown(u)) return true;
  const c = model.composition;
  const su = c.stageOf(u);
  const sp = c.stageOf(p);
  if (su === undefined) return false;
  if (sp === undefined || su !== sp) return sp === undefined || su < sp;
  if (c.stages[su].mode === 'union') return u.layer !== 'networkpolicy';
  const ou = c.orderOf(u) ?? Infinity;
  const op = c.orderOf(p) ?? Infinity;
  return ou < op || (ou === op && c.sortKeyOf(u) <= c.sortKeyOf(p));
}

/** How `reach` says an unevaluated policy selects an end (`ends`: "shop/web[Deployment] for egress", …). */
export function unevaluatedText(p: LayerPolicy, ends: readonly string[]): string {
  return `${describePolicy(p)} selects ${ends.join(' and ')} but is not evaluated: ${p.errors.join('; ')}`;
}

/** The asked connections of `v` that a decision the model cannot settle (DecisionVerdict.uncertain) might have decided otherwise. */
function uncertainConnsOf(v: DirectionVerdict, asked: ConnSet): ConnSet {
  let out = emptyConns();
  for (const d of v.decisions) if (d.uncertain) out = unionConns(out, intersectConns(d.uncertainConns ?? d.conns, asked));
  return out;
}

/**
 * What `reach` answers UNKNOWN on one pod-class pair for the connections `asked` beyond a rule
 * match it cannot settle (that is flows.ts findDoubtedFlows'): the asked connections the model
 * counts as denied that an AdminNetworkPolicy priority tie would allow in another order, or that
 * a policy the model does not evaluate may allow where it selects one end and the other end may
 * let them through; and why, as `reach` says it. Undefined when nothing of that kind is in doubt.
 */
export function pairUndetermined(model: ReachModel, s: PodClass, d: PodClass, asked: ConnSet): { conns: ConnSet; why: string[] } | undefined {
  const src: Endpoint = { kind: 'class', cls: s };
  const dst: Endpoint = { kind: 'class', cls: d };
  const e = egressVerdict(model, src, dst, true);
  const i = ingressVerdict(model, src, dst, true);
  const eConns = intersectConns(e.conns, asked);
  const iConns = intersectConns(i.conns, asked);
  const ties = pairTies(model, src, dst, asked, eConns, iConns);
  const why: string[] = [];
  let conns = emptyConns();
  for (const t of ties.said) if (t.decides) {
    why.push(t.text);
    conns = t.outcomes.reduce(unionConns, conns);
  }
  const eU = unevaluatedSelecting(model, s, 'egress').filter((p) => !decidedBefore(p, finalPriority(-1, e, asked, ties.egress)));
  const iU = unevaluatedSelecting(model, d, 'ingress').filter((p) => !decidedBefore(p, finalPriority(-1, i, asked, ties.ingress)));
  if (eU.length || iU.length) {
    // Each side: every asked connection where an unevaluated policy is consulted, else what it might allow.
    const eSide = eU.length ? asked : [eConns, uncertainConnsOf(e, asked), ...ties.egress.flatMap((t) => t.outcomes)].reduce(unionConns, emptyConns());
    const iSide = iU.length ? asked : [iConns, uncertainConnsOf(i, asked), ...ties.ingress.flatMap((t) => t.outcomes)].reduce(unionConns, emptyConns());
    const open = intersectConns(eSide, iSide);
    if (!isEmptyConns(open)) {
      conns = unionConns(conns, open);
      const label = (c: PodClass) => { const n = model.workloadByKey.get(c.workloads[0]); return `${n ? workloadLabel(n) : c.workloads[0]}${c.workloads.length > 1 ? ' (and its class)' : ''}`; };
      for (const p of new Set([...eU, ...iU])) why.push(unevaluatedText(p, [...(eU.includes(p) ? [`${label(s)} for egress`] : []), ...(iU.includes(p) ? [`${label(d)} for ingress`] : [])]));
    }
  }
  conns = subtractConns(conns, intersectConns(eConns, iConns));
  return isEmptyConns(conns) || why.length === 0 ? undefined : { conns, why };
}

/** One group of AdminNetworkPolicies (or ClusterNetworkPolicies of a tier) sharing a priority, with each one's rules that may decide some of the wanted connections. */
type TiedGroup = Array<{ policy: LayerPolicy; rules: Rule[] }>;

// Per wanted connections and direction; a plan object belongs to one model.
const tiedPlans = new WeakMap<ConnSet, Record<Direction, WeakMap<readonly StagePlan[], TiedGroup[]>>>();

/**
 * The groups of a plan's AdminNetworkPolicies (or ClusterNetworkPolicies of a tier) sharing a
 * priority whose order may change what their rules of `dir` decide on some of `wanted`. Upstream
 * leaves the order undefined only where "two (or more) policies with the same priority could
 * both match a connection" (AdminNetworkPolicySpec.priority,
 * https://network-policy-api.sigs.k8s.io/reference/spec/), and a group whose rules touching
 * `wanted` all say Allow, or all say Deny, answers the same in any order: it is left out. A Pass
 * among them, or both actions, keeps the group.
 */
function orderDependentGroups(plan: readonly StagePlan[], dir: Direction, wanted: ConnSet): TiedGroup[] {
  let byDir = tiedPlans.get(wanted);
  if (!byDir) tiedPlans.set(wanted, (byDir = { ingress: new WeakMap(), egress: new WeakMap() }));
  let v = byDir[dir].get(plan);
  if (v === undefined) {
    v = [];
    for (const { stage, policies } of plan) {
      if (stage.mode !== 'first-match') continue;
      const byPriority = new Map<string, TiedGroup>();
      for (const policy of policies) {
        const k = tieKey(policy);
        if (k === undefined) continue;
        const rules = (policy[dir] ?? []).filter((r) => r.action !== 'Log' && ruleTouches(r, wanted));
        if (!rules.length) continue;
        byPriority.set(k, [...(byPriority.get(k) ?? []), { policy, rules }]);
      }
      for (const group of byPriority.values()) {
        if (group.length < 2) continue;
        const actions = new Set(group.flatMap((g) => g.rules.map((r) => r.action)));
        if (actions.size === 1 && !actions.has('Pass')) continue;
        v.push(group);
      }
    }
    byDir[dir].set(plan, v);
  }
  return v;
}

/** Whether a plan holds a group of orderDependentGroups: a pair it decides may hang on their order. */
function hasPriorityTie(plan: readonly StagePlan[], dir: Direction, wanted: ConnSet): boolean {
  return orderDependentGroups(plan, dir, wanted).length > 0;
}

// Per wanted connections, direction and plan: the peer classes two policies of one tied group both match.
const tiedPeers = new WeakMap<ConnSet, Record<Direction, WeakMap<readonly StagePlan[], WeakMap<PodClass, boolean>>>>();

/**
 * Whether two policies or more of one group of orderDependentGroups have a rule whose peers
 * match `peer` (a rule with its own subject counts as matching): only then can their order
 * decide a flow with that peer. Once per plan and peer class.
 */
function tieMatchesPeer(model: ReachModel, plan: readonly StagePlan[], dir: Direction, wanted: ConnSet, peer: PodClass): boolean {
  const groups = orderDependentGroups(plan, dir, wanted);
  if (!groups.length) return false;
  let byDir = tiedPeers.get(wanted);
  if (!byDir) tiedPeers.set(wanted, (byDir = { ingress: new WeakMap(), egress: new WeakMap() }));
  let byPeer = byDir[dir].get(plan);
  if (!byPeer) byDir[dir].set(plan, (byPeer = new WeakMap()));
  let v = byPeer.get(peer);
  if (v === undefined) {
    const ep: Endpoint = { kind: 'class', cls: peer };
    v = groups.some((g) => g.filter(({ policy, rules }) => rules.some((r) => !!r.subject || ruleMatchesPeer(model.match, r, policy.namespace, ep))).length >= 2);
    byPeer.set(peer, v);
  }
  return v;
}

/**
 * Pairs of `sources` × `destinations` that `reach` would answer UNKNOWN for on some of `wanted`
 * that the model counts as denied, by pairUndetermined (a priority tie, an unevaluated policy).
 * Pairs evaluated: every source toward a destination whose ingress holds such a cause, and the
 * sources whose egress holds one toward every destination, so the work follows the pairs a
 * cause touches (a tie of policies whose rules miss `wanted`'s ports touches none); stopped, as
 * findDoubtedFlows is, after `maxPairs` pairs in doubt or five times as many evaluations (`capped`;
 * a pair counts as evaluated only where an unevaluated policy selects an end or two policies of
 * an order-dependent tie both match the other end, orderDependentGroups and tieMatchesPeer).
 * `refine` narrows a pair's connections by another layer (the mesh).
 */
export function findUndeterminedFlows(model: ReachModel, sources: PodClass[], destinations: PodClass[], wanted: ConnSet, limit = 20, refine?: (from: PodClass, to: PodClass, conns: ConnSet) => ConnSet, maxPairs = MAX_DOUBT_PAIRS): DoubtSearch {
  const result: DoubtSearch = { flows: [], count: 0, truncated: false, examined: 0, capped: false };
  let evaluated = 0;
  const unevaluatedEgress = (s: PodClass) => unevaluatedSelecting(model, s, 'egress').length > 0;
  const undecidedSources = sources.filter((s) => hasPriorityTie(s.egressPlan, 'egress', wanted) || unevaluatedEgress(s));
  for (const d of destinations) {
    const unevaluated = unevaluatedSelecting(model, d, 'ingress').length > 0;
    const tied = hasPriorityTie(d.ingressPlan, 'ingress', wanted);
    for (const s of unevaluated || tied ? sources : undecidedSources) {
      // A pair is evaluated where an unevaluated policy selects an end, or two tied policies both match the other end.
      const cause = unevaluated || unevaluatedEgress(s) || (tied && tieMatchesPeer(model, d.ingressPlan, 'ingress', wanted, s)) || tieMatchesPeer(model, s.egressPlan, 'egress', wanted, d);
      if (!cause) continue;
      // The cap counts the pairs found in doubt; every evaluation is bounded too (five per counted pair).
      if (result.examined >= maxPairs || evaluated >= maxPairs * 5) {
        result.capped = true;
        result.evaluated = evaluated;
        return result;
      }
      evaluated++;
      const u = pairUndetermined(model, s, d, wanted);
      if (!u) continue;
      result.examined++;
      const conns = refine ? refine(s, d, u.conns) : u.conns;
      if (isEmptyConns(conns)) continue;
      result.count++;
      if (result.flows.length < limit) result.flows.push({ from: s, to: d, conns, why: u.why });
      else {
        result.truncated = true;
        return result;
      }
    }
  }
  return result;
}

/**
 * Ingress from an external address at a pod, under Cilium native routing: a LoadBalancer,
 * NodePort or externalIPs Service whose node hands the request to a pod on another node
 * delivers it with the remote-node identity (model.ts REMOTE_NODE_PEER), so what the policies
 * admit from that peer on the Service's target ports is admitted too, each such decision saying
 * how the traffic arrives.
 */
function withForwarded(model: ReachModel, v: DirectionVerdict, dst: Endpoint & { kind: 'class' }): DirectionVerdict {
  const services = model.nodeForwarded(dst.cls);
  if (!services.length) return v;
  const viaNode = ingressVerdict(model, REMOTE_NODE_PEER, dst, true);
  let extra = emptyConns();
  const added: DirectionVerdict['decisions'] = [];
  for (const f of services) {
    const add = subtractConns(intersectConns(f.conns, viaNode.conns), unionConns(v.conns, extra));
    if (isEmptyConns(add)) continue;
    extra = unionConns(extra, add);
    for (const d of viaNode.decisions) {
      const c = d.allowed ? intersectConns(d.conns, add) : emptyConns();
      if (!isEmptyConns(c)) added.push({ ...d, conns: c, forwarded: forwardedWhy(f) });
    }
  }
  if (isEmptyConns(extra)) return v;
  const kept = v.decisions.map((d) => (d.allowed ? d : { ...d, conns: subtractConns(d.conns, extra) })).filter((d) => !isEmptyConns(d.conns));
  const decidedBy = [...v.decidedBy, ...viaNode.decidedBy.map((r) => ({ ...r, conns: intersectConns(r.conns, extra) })).filter((r) => !isEmptyConns(r.conns))];
  return { ...v, conns: unionConns(v.conns, extra), decisions: [...kept, ...added], decidedBy };
}

/**
 * Is traffic from `from` to `to` allowed (on `port`/`protocol`, or on anything when omitted)?
 * Both directions must allow it: egress at the source and ingress at the destination.
 * A workload whose pods fall into several classes counts as reachable when any pod pair is.
 * A port given by name ("http") is the container port of that name and protocol on each
 * destination pod: a pod that does not name it cannot be reached by it.
 */
export function queryReach(model: ReachModel, from: string | ReachTarget, to: string | ReachTarget, port?: number | string, protocol?: Protocol): ReachAnswer {
  const src = typeof from === 'string' ? resolveTarget(model, from) : from;
  const dst = typeof to === 'string' ? resolveTarget(model, to) : to;
  const answer = answerByFamily(model, src, dst, port, protocol);
  const host = [src, dst].filter((t) => t.kind === 'workload' && t.node.classes.some((c) => c.hostNetwork));
  if (!host.length || !model.hostNetworkIgnored) return answer;
  // The CNI may apply NetworkPolicy to a host-network pod or ignore it (ReachModel.hostNetworkIgnored):
  // the flow is answered both ways, and only an answer both readings give is vouched for.
  const other = model.hostNetworkIgnored();
  const there = (t: ReachTarget): ReachTarget => (t.kind === 'workload' ? { ...t, node: other.workloadByKey.get(t.node.key)! } : t);
  const ignored = answerReach(other, there(src), there(dst), port, protocol);
  if (ignored.allowed === answer.allowed && sameConns(ignored.ports, answer.ports)) return answer;
  const word = (a: ReachAnswer) => (a.allowed ? `ALLOWED (${formatConns(a.ports)})` : 'DENIED');
  const text = `${host.map((t) => t.label).join(' and ')} run${host.length === 1 ? 's' : ''} with hostNetwork, and whether the CNI applies NetworkPolicy to host-network pods is implementation-defined (kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods): ${word(answer)} if it applies them as to any pod, ${word(ignored)} if it ignores such pods, as OVN-Kubernetes, Calico and Cilium do`;
  return { ...answer, notes: [text, ...answer.notes], undetermined: [...(answer.undetermined ?? []), text] };
}

/**
 * The rows of the matrix a host-network pod takes part in, where the CNI may or may not apply
 * NetworkPolicy to it (ReachModel.hostNetworkIgnored) and an enforced NetworkPolicy selects it
 * or names it as a pod peer: the matrix reads them with the policies applied, so it says so
 * above them, naming the workloads. Once per matrix: host-network classes times NetworkPolicy peers.
 */
export function hostNetworkMatrixNotes(model: ReachModel): string[] {
  if (!model.hostNetworkIgnored) return [];
  const policies = model.policies.filter((p) => p.api === 'NetworkPolicy' && model.enforced(p));
  const named = (c: PodClass) => policies.some((p) => [p.ingress, p.egress].some((rules) => rules?.some((r) => r.peers !== 'any' && r.peers.some((x) => x.kind === 'pods' && podSetMatches(model.match, x, p.namespace, c)))));
  const touched = model.classes.filter((c) => c.hostNetwork && ([...c.ingressPolicies, ...c.egressPolicies].some((p) => p.api === 'NetworkPolicy') || named(c)));
  const keys = [...new Set(touched.flatMap((c) => c.workloads))].sort();
  if (!keys.length) return [];
  const labels = keys.map((k) => { const n = model.workloadByKey.get(k); return n ? workloadLabel(n) : k; });
  const shown = labels.length > 5 ? `${labels.slice(0, 5).join(', ')} and ${labels.length - 5} more` : labels.join(', ');
  return [`rows to and from ${shown} (hostNetwork) are read with NetworkPolicy applied to them as to any pod, but whether the CNI does is implementation-defined (most ignore host-network pods): they are not decided; reach on one such flow answers UNKNOWN where the two readings differ`];
}

/** What the two ends of a flow both deny or allow, said as `reach` names what decided it. */
export function networkDecidedBy(a: Pick<ReachAnswer, 'allowed' | 'egress' | 'ingress'>): string[] {
  // Each direction allows something, but not the same connections: neither denies the flow alone.
  if (!a.allowed && a.ingress.allowed && a.egress.allowed) {
    const allowedBy = (d: DirectionAnswer) => [...new Set(d.decisions.filter((x) => x.allowed).map((x) => x.conns))].join(', ');
    return [`the two directions together: egress allows only ${allowedBy(a.egress)} and ingress only ${allowedBy(a.ingress)}, no connection both allow`];
  }
  const pick = (d: DirectionAnswer) => d.decisions.filter((x) => x.allowed === a.allowed).map((x) => x.by);
  const all = a.allowed ? [...pick(a.ingress), ...pick(a.egress)] : [...(a.ingress.allowed ? [] : pick(a.ingress)), ...(a.egress.allowed ? [] : pick(a.egress))];
  // An unpoliced direction ("default (no policy decides it)") is named only when nothing else decided.
  const named = all.filter((b) => b !== 'default (no policy decides it)');
  return [...new Set(named.length ? named : all)];
}

const familyModels = new WeakMap<ReachModel, Partial<Record<4 | 6, ReachModel>>>();

/** The model judging one IP family's path only (MatchContext.flowFamily), once per model and family. */
export function familyModel(model: ReachModel, family: 4 | 6): ReachModel {
  let byFamily = familyModels.get(model);
  if (!byFamily) familyModels.set(model, (byFamily = {}));
  return (byFamily[family] ??= { ...model, match: { ...model.match, flowFamily: family } });
}

/** Whether a verdict holds a dual-stack ipVersion doubt (DoubtReason 'dualStack') on some of `asked`. */
export function dualStackDoubt(v: DirectionVerdict, asked?: ConnSet): boolean {
  return v.decisions.some((d) => d.uncertain?.some((u) => u.reasons.includes('dualStack')) && (!asked || !isEmptyConns(intersectConns(d.uncertainConns ?? d.conns, asked))));
}

/**
 * Whether every pod of both ends has an address of each family (known: the IPPools, or a
 * host-network pod's own addresses, its node's), so each family's path exists.
 */
function dualStackEnds(model: ReachModel, src: ReachTarget, dst: ReachTarget): boolean {
  return [src, dst].every((t) => t.kind === 'workload' && t.node.classes.every((cls) => endpointFamilies(model.match, { kind: 'class', cls }).length === 2));
}

/**
 * answerReach, and where a rule of one IP family decides the flow between dual-stack ends (a
 * 'dualStack' doubt), each family's path answered apart and the two combined (ReachAnswer.families):
 * Felix renders such a rule only into its own family's chains (FilterRuleToIPVersion,
 * projectcalico/calico felix/rules/policy.go, v3.32.1), and a packet of one family meets only that
 * family's chains at both ends. A connection goes through if either path lets it. Where the ends'
 * families are not both known, the answer keeps its doubt.
 */
function answerByFamily(model: ReachModel, src: ReachTarget, dst: ReachTarget, port?: number | string, protocol?: Protocol): ReachAnswer {
  const { dualStack, ...base } = answerReach(model, src, dst, port, protocol);
  if (!dualStack || !dualStackEnds(model, src, dst)) return base;
  const a4 = answerReach(familyModel(model, 4), src, dst, port, protocol);
  const a6 = answerReach(familyModel(model, 6), src, dst, port, protocol);
  delete a4.dualStack;
  delete a6.dualStack;
  const fam = (a: ReachAnswer): FamilyAnswer => ({ verdict: a.undetermined?.length ? 'unknown' : a.allowed ? 'allowed' : 'denied', ports: a.ports, by: networkDecidedBy(a), ...(a.undetermined?.length ? { undetermined: a.undetermined } : {}) });
  const families = { ipv4: fam(a4), ipv6: fam(a6) };
  // A doubt both paths carry is said once; one path's own is said with its family.
  const u4 = a4.undetermined ?? [];
  const u6 = a6.undetermined ?? [];
  const doubts = [...new Set([...u4.filter((u) => u6.includes(u)), ...u4.filter((u) => !u6.includes(u)).map((u) => `over IPv4: ${u}`), ...u6.filter((u) => !u4.includes(u)).map((u) => `over IPv6: ${u}`)])];
  // Each asked connection on its own: certain where one path allows it for certain (a client may
  // use that family), or where every path denies it for certain; in doubt otherwise. A path in
  // doubt puts in doubt the connections it names as such, else every asked one.
  const asked = restrictTo(allConns(), a4.protocol, a4.portName !== undefined ? a4.portNumbers ?? [] : a4.port !== undefined ? [a4.port] : undefined);
  const certainOf = (a: ReachAnswer) => (!a.undetermined?.length ? a.ports : a.certainPorts ?? emptyConns());
  const doubtOf = (a: ReachAnswer) => (!a.undetermined?.length ? emptyConns() : a.portsInDoubt ?? asked);
  const certain = unionConns(certainOf(a4), certainOf(a6));
  const inDoubt = subtractConns(unionConns(doubtOf(a4), doubtOf(a6)), certain);
  const undetermined = isEmptyConns(inDoubt) ? [] : doubts;
  const split = undetermined.length && !isEmptyConns(certain);
  if (split) undetermined.push(`certain only for ${formatConns(certain)} (what one IP family's path allows for certain); ${formatConns(inDoubt)} may go either way`);
  const sameWay = families.ipv4.verdict === families.ipv6.verdict && sameConns(a4.ports, a6.ports);
  const said = `both ends are dual-stack and a Calico rule of one IP family decides part of this flow (Felix renders it only into that family's chains): each family's path is judged apart, and a connection goes through where either path allows it${sameWay ? ' (here both paths answer alike)' : ''}`;
  const pick = a4.allowed || !a6.allowed ? a4 : a6;
  const direction = (d4: DirectionAnswer, d6: DirectionAnswer): DirectionAnswer => {
    const key = (x: DecisionAnswer) => JSON.stringify([x.allowed, x.unknown, x.conns, x.by, x.uncertain]);
    const in6 = new Set(d6.decisions.map(key));
    const in4 = new Set(d4.decisions.map(key));
    const decisions = [...d4.decisions.map((x) => (in6.has(key(x)) ? x : { ...x, family: 4 as const })), ...d6.decisions.filter((x) => !in4.has(key(x))).map((x) => ({ ...x, family: 6 as const }))];
    return { ...d4, isolated: d4.isolated || d6.isolated, allowed: d4.allowed || d6.allowed, decidedBy: dedupeRules([...d4.decidedBy, ...d6.decidedBy]), decisions };
  };
  // A path's doubt stays said (with its family) where the other path settles every asked connection.
  const notes = [...new Set([said, ...undetermined, ...doubts, ...[...a4.notes, ...a6.notes].filter((n) => !u4.includes(n) && !u6.includes(n))])];
  const { certainPorts: _c, portsInDoubt: _d, certainButFor: _b, certainRequestsOnly: _r, undetermined: _u, ...rest } = pick;
  return {
    ...rest, allowed: a4.allowed || a6.allowed, ports: unionConns(a4.ports, a6.ports), egress: direction(a4.egress, a6.egress), ingress: direction(a4.ingress, a6.ingress), notes,
    ...(undetermined.length ? { undetermined } : {}), ...(split ? { certainPorts: certain, portsInDoubt: inDoubt } : {}), ...(a4.addressMayBeNode || a6.addressMayBeNode ? { addressMayBeNode: true as const } : {}), families,
  };
}

/** queryReach on resolved targets, host-network pods read as the model reads them; `dualStack` when a dual-stack ipVersion doubt touches the asked connections (answerByFamily). */
function answerReach(model: ReachModel, src: ReachTarget, dst: ReachTarget, port?: number | string, protocol?: Protocol): ReachAnswer & { dualStack?: true } {
  const proto = port !== undefined && !protocol ? 'TCP' : protocol;
  if (typeof port === 'string' && dst.kind === 'ip') throw new ReachInputError(`port "${port}" is a name: it resolves on the destination pod's container ports, and ${dst.label} is an address; give the port's number`);
  const named = new Set<number>();
  let unnamedPods = 0;
  const notes: string[] = [];
  const undetermined: string[] = [];
  let total = emptyConns();
  // What is allowed without an unknown decision on either side (Cilium host policies), and their reasons.
  let sureOfHost = emptyConns();
  const unknownWhy = new Set<string>();
  const eg: DirectionAnswer = { isolated: false, allowed: false, policies: [], isolatingPolicies: [], decidedBy: [], decisions: [] };
  const ing: DirectionAnswer = { isolated: false, allowed: false, policies: [], isolatingPolicies: [], decidedBy: [], decisions: [] };
  const egDecisions = new Map<string, Collected>();
  const ingDecisions = new Map<string, Collected>();
  // What the answer is sure of, and what it might be: uncertain decisions (a CIDR that may hold the pod) may go either way.
  let sure = emptyConns();
  let maybe = emptyConns();
  // The asked connections each direction might allow: its answer, what an uncertain decision or a priority tie could add.
  let eCould = emptyConns();
  let iCould = emptyConns();
  // Per direction, the highest AdminNetworkPolicy priority by whose Allow or Deny every asked
  // connection is decided for certain (final: no later priority is consulted); undefined when
  // something else decides some of them.
  const finalBelow: Record<Direction, number | undefined> = { egress: -1, ingress: -1 };
  let dualStack = false;
  const dsts = endpointsOf(dst).map((d) => ({ d, ports: askedPorts(d, port, proto) }));
  if (typeof port === 'string') {
    for (const { d, ports } of dsts) {
      ports?.forEach((n) => named.add(n));
      if (ports?.length === 0 && d.kind === 'class') unnamedPods += d.cls.podCount;
    }
  }
  for (const s of endpointsOf(src)) {
    for (const { d, ports } of dsts) {
      const e = egressVerdict(model, s, d, true);
      const i = s.kind === 'ip' && d.kind === 'class' ? withForwarded(model, ingressVerdict(model, s, d, true), d) : ingressVerdict(model, s, d, true);
      const eConns = restrictTo(e.conns, proto, ports);
      const iConns = restrictTo(i.conns, proto, ports);
      eg.isolated ||= e.isolated;
      ing.isolated ||= i.isolated;
      eg.policies.push(...e.policies);
      ing.policies.push(...i.policies);
      if (!isEmptyConns(eConns)) eg.allowed = true;
      if (!isEmptyConns(iConns)) ing.allowed = true;
      const both = intersectConns(eConns, iConns);
      total = unionConns(total, both);
      const eUnknown = unknownConns(e, proto, ports);
      const iUnknown = unknownConns(i, proto, ports);
      sureOfHost = unionConns(sureOfHost, intersectConns(subtractConns(eConns, eUnknown.conns), subtractConns(iConns, iUnknown.conns)));
      if (!isEmptyConns(intersectConns(both, unionConns(eUnknown.conns, iUnknown.conns)))) for (const why of [...eUnknown.why, ...iUnknown.why]) unknownWhy.add(why);
      // Only rules that contribute to the asked connection count as deciding it.
      for (const { conns: rc, ...r } of e.decidedBy) if (!isEmptyConns(restrictTo(rc, proto, ports))) eg.decidedBy.push(r);
      for (const { conns: rc, ...r } of i.decidedBy) if (!isEmptyConns(restrictTo(rc, proto, ports))) ing.decidedBy.push(r);
      const askedHere = restrictTo(allConns(), proto, ports);
      dualStack ||= dualStackDoubt(e, askedHere) || dualStackDoubt(i, askedHere);
      const eDoubt = collectDecisions(egDecisions, e, proto, ports);
      const iDoubt = collectDecisions(ingDecisions, i, proto, ports);
      if (isEmptyConns(eDoubt) && isEmptyConns(iDoubt)) {
        sure = unionConns(sure, both);
        maybe = unionConns(maybe, both);
      } else {
        sure = unionConns(sure, intersectConns(subtractConns(eConns, eDoubt), subtractConns(iConns, iDoubt)));
        maybe = unionConns(maybe, intersectConns(unionConns(eConns, eDoubt), unionConns(iConns, iDoubt)));
      }
      // Equal ANP priorities: the flow's answer with each tied policy first, the other direction as evaluated.
      const asked = restrictTo(allConns(), proto, ports);
      const ties = pairTies(model, s, d, asked, eConns, iConns);
      finalBelow.egress = finalPriority(finalBelow.egress, e, asked, ties.egress);
      finalBelow.ingress = finalPriority(finalBelow.ingress, i, asked, ties.ingress);
      eCould = [eConns, eDoubt, ...ties.egress.flatMap((t) => t.outcomes)].reduce(unionConns, eCould);
      iCould = [iConns, iDoubt, ...ties.ingress.flatMap((t) => t.outcomes)].reduce(unionConns, iCould);
      for (const t of ties.said) (t.decides ? undetermined : notes).push(t.text);
      if (s.kind === 'class' && s.cls.hostNetwork) notes.push(`source runs with hostNetwork: ${model.hostNetworkIgnoredBy ?? 'NetworkPolicy enforcement is implementation-defined'}`);
      if (d.kind === 'class' && d.cls.hostNetwork) notes.push(`destination runs with hostNetwork: ${model.hostNetworkIgnoredBy ?? 'NetworkPolicy enforcement is implementation-defined'}`);
    }
  }
  for (const t of [src, dst]) if (t.resolvedFrom) notes.push(t.resolvedFrom);
  // Said once every doubt is known (below), where it may not call the address outside the cluster.
  const outsideAt = notes.length;
  for (const [api, why] of model.composition.decorative) notes.push(`${api} objects are not counted: ${why}`);
  notes.push(...model.passedOver);
  notes.push(...model.assumed);
  // What a deciding rule narrows that the model does not (L7, HTTP matches): the rule was counted for the whole port.
  for (const d of [...egDecisions.values(), ...ingDecisions.values()]) {
    // A Pass rule's connections are decided later, but what it handed on rests on its match as much as an Allow's does.
    const rule = d.cause.kind === 'rule' ? d.cause.rule : d.cause.kind === 'default-allow' ? d.cause.passedBy : undefined;
    if (rule) for (const c of rule.caveats ?? []) notes.push(`${describeRule(rule)}: ${c}`);
  }
  // A policy the model leaves out (a field it does not evaluate) may still decide this flow in the cluster.
  // It matters only where the other direction might allow an asked connection: a flow the other
  // end certainly denies stays denied whatever this end decides (both directions must allow it).
  const selects = (p: LayerPolicy, t: ReachTarget) => t.kind === 'workload' && t.node.classes.some((cls) => podSetMatches(model.match, p.subject, p.namespace, cls));
  const classesOf = (t: ReachTarget) => (t.kind === 'workload' ? t.node.classes : []);
  const eU = new Set(classesOf(src).flatMap((c) => unevaluatedSelecting(model, c, 'egress')));
  const iU = new Set(classesOf(dst).flatMap((c) => unevaluatedSelecting(model, c, 'ingress')));
  const unevaluated = model.policies.filter((p) => eU.has(p) || iU.has(p)).map((p) => ({ p, egress: eU.has(p), ingress: iU.has(p) }));
  // Nor where AdminNetworkPolicies of a lower priority number already decide every asked connection
  // of that direction with Allow or Deny, which are final: the policy would never be consulted.
  const before = (p: LayerPolicy, dir: Direction) => decidedBefore(p, finalBelow[dir]);
  // An unevaluated policy opens its side only where it is consulted at all.
  const egressOpen = !isEmptyConns(eCould) || unevaluated.some((u) => u.egress && !before(u.p, 'egress'));
  const ingressOpen = !isEmptyConns(iCould) || unevaluated.some((u) => u.ingress && !before(u.p, 'ingress'));
  for (const { p, egress, ingress } of unevaluated) {
    const ends = [...(egress ? [`${src.label} for egress`] : []), ...(ingress ? [`${dst.label} for ingress`] : [])];
    if (!ends.length) continue;
    const text = unevaluatedText(p, ends);
    const matters = (dir: Direction, otherOpen: boolean) => otherOpen && !before(p, dir);
    if ((egress && matters('egress', ingressOpen)) || (ingress && matters('ingress', egressOpen))) undetermined.push(text);
    else if ((egress && !ingressOpen) || (ingress && !egressOpen)) notes.push(`${text}; the ${egress && !ingressOpen ? 'ingress' : 'egress'} side denies every asked connection, so this does not change the answer`);
    else notes.push(`${text}; AdminNetworkPolicies of a smaller priority number (applied first) already allow or deny every asked connection, so it is never consulted for this flow`);
  }
  eg.decisions = decisionAnswers(egDecisions);
  ing.decisions = decisionAnswers(ingDecisions);
  // The CNI's default deny (Cilium's enforcement mode 'always') isolates a pod no policy selects;
  // its reason reads "<what denies>: <why>", the part before the colon names what isolates.
  for (const [dir, acc] of [[eg, egDecisions], [ing, ingDecisions]] as const) {
    const deny = [...acc.values()].find((d) => d.cause.kind === 'default-deny');
    if (deny?.cause.kind === 'default-deny') {
      dir.isolated = true;
      dir.isolatedBy = deny.cause.reason.split(': ')[0];
    }
  }
  // Unknown when the answer could go another way for some asked connection: fewer surely allowed
  // than maybe (nothing sure with something maybe, or — without one port asked — some ports sure
  // and others in doubt).
  const otherDoubts = undetermined.length;
  let mayBeNode = false;
  if (!isEmptyConns(subtractConns(maybe, sure))) {
    for (const d of [...eg.decisions, ...ing.decisions]) for (const u of d.uncertain ?? []) undetermined.push(`uncertain: ${u}`);
    mayBeNode = [...egDecisions.values(), ...ingDecisions.values()].some((d) => d.mayBeNode === true && d.uncertain !== undefined);
  }
  if (typeof port === 'string' && unnamedPods > 0) {
    // What denies it is the destination, not a policy: no connection on that name exists to allow.
    const none = named.size === 0;
    const who = none ? `${dst.label} names` : unnamedPods === 1 ? `1 pod of ${dst.label} names` : `${unnamedPods} pods of ${dst.label} name`;
    const why = `${who} no ${proto} container port "${port}"`;
    ing.decisions.push({ allowed: false, conns: `${proto} "${port}"`, by: why });
    if (!none) notes.push(`${why}: those pods cannot be reached by that name`);
  }
  if (src.kind === 'workload' && src.node.classes.length > 1) notes.push(`${src.label} has pods with ${src.node.classes.length} different label/port sets; the answer is their union`);
  if (dst.kind === 'workload' && dst.node.classes.length > 1) notes.push(`${dst.label} has pods with ${dst.node.classes.length} different label/port sets; the answer is their union`);
  // People read these: "team-a/deny" (a NetworkPolicy), "AdminNetworkPolicy tenant-a".
  const label = (id: string) => { const p = model.policyById.get(id); return p ? policyLabel(p) : id; };
  for (const id of new Set([...eg.policies, ...ing.policies])) {
    const p = model.policyById.get(id);
    for (const u of p?.uncertain ?? []) notes.push(`${policyLabel(p!)} ${u}`);
  }
  // CIDRs the Calico IPPools settled for the peer's pods (certain with the pools, in doubt
  // without): said, so whoever reads a certain answer sees what it rests on.
  const pools = model.match.podPools?.();
  if (pools?.kind === 'known') {
    const settled = new Set<string>();
    const podPeer = (t: ReachTarget) => t.kind === 'workload' && t.node.classes.some((c) => !c.hostNetwork);
    for (const [ids, dir, peer] of [[eg.policies, 'egress', dst], [ing.policies, 'ingress', src]] as const) {
      if (!podPeer(peer)) continue;
      for (const id of ids) {
        const p = model.policyById.get(id);
        for (const r of (p?.[dir] ?? [])) {
          for (const list of [r.peers, r.notPeers]) {
            if (!list || list === 'any') continue;
            const withPools = podCidrStatus(list, model.match.podPools);
            if (withPools && !withPools.doubt && podCidrStatus(list)?.doubt) settled.add(`${policyLabel(p!)} ${dir} rule ${r.index}: the Calico IPPools (${pools.text}) lie ${withPools.inside ? 'inside' : 'outside'} ${list.filter((x) => x.kind === 'ipBlock' && x.podAddresses).map((x) => (x as { text: string }).text).join(', ')}, so it ${withPools.inside ? 'holds' : 'holds none of'} the pods for certain`);
          }
        }
      }
    }
    notes.push(...settled);
  }
  // Elsewhere the pods' own live addresses (pod-addresses.ts) settle what the address family alone
  // left in doubt: said the same way, with the addresses, which hold only as of the snapshot.
  if (!model.match.podPools && model.match.classPools) {
    const settled = new Set<string>();
    for (const [ids, dir, peer] of [[eg.policies, 'egress', dst], [ing.policies, 'ingress', src]] as const) {
      if (peer.kind !== 'workload') continue;
      for (const id of ids) {
        const p = model.policyById.get(id);
        if (!p) continue;
        for (const s of liveSettled(model, p, dir, peer.node.classes)) settled.add(`${policyLabel(p)} ${dir} rule ${s.rule.index}: the addresses of ${peer.label}'s pods (${s.pools.text}) lie ${s.inside ? 'inside' : 'outside'} ${s.texts}, so it ${s.inside ? 'holds' : 'holds none of'} them for certain`);
      }
    }
    notes.push(...settled);
  }
  // Rules the CNI drops when it converts a policy: said wherever the policy selects the end whose
  // direction lost them, even when nothing of it is left there to take part in the answer.
  for (const p of model.policies) {
    for (const c of p.conversion ?? []) if (model.enforced(p) && selects(p, c.direction === 'egress' ? src : dst)) notes.push(`${policyLabel(p)} ${c.message}`);
  }
  // A selecting policy isolates when its stage denies what it leaves undecided: a union stage by the policy's own isolates, a first-match one by the tier's defaultAction.
  const isolates = (id: string, dir: Direction) => {
    const p = model.policyById.get(id);
    const at = p ? model.composition.stageOf(p) : undefined;
    const stage = at === undefined ? undefined : model.composition.stages[at];
    return !!p && !!stage && (stage.mode === 'union' ? p.isolates[dir] : stage.noMatch === 'deny');
  };
  eg.isolatingPolicies = [...new Set(eg.policies)].filter((id) => isolates(id, 'egress')).map(label);
  ing.isolatingPolicies = [...new Set(ing.policies)].filter((id) => isolates(id, 'ingress')).map(label);
  eg.policies = [...new Set(eg.policies)].map(label);
  ing.policies = [...new Set(ing.policies)].map(label);
  eg.decidedBy = dedupeRules(eg.decidedBy);
  ing.decidedBy = dedupeRules(ing.decidedBy);
  const numbers = [...named].sort((a, b) => a - b);
  const asked = typeof port === 'string' ? { port: numbers.length === 1 && unnamedPods === 0 ? numbers[0] : undefined, portName: port, portNumbers: numbers } : { port };
  if (!isEmptyConns(subtractConns(total, sureOfHost))) undetermined.push(...unknownWhy);
  // Where only those doubts stand and some connections are sure, the answer names both parts.
  const certain = intersectConns(sure, sureOfHost);
  const inDoubt = subtractConns(unionConns(maybe, total), certain);
  const partial = undetermined.length > otherDoubts && !isEmptyConns(certain) && !isEmptyConns(inDoubt);
  const split = partial && otherDoubts === 0 && model.unread.length === 0;
  // An L7 rule (Cilium toPorts.rules, Calico http) deciding a certain connection passes only the requests it matches.
  const narrowedBy = split ? [...new Set([...egDecisions.values(), ...ingDecisions.values()].filter((d) => d.allowed && d.cause.kind === 'rule' && d.cause.rule.caveats?.some((c) => L7_CAVEAT.test(c)) && !isEmptyConns(intersectConns(d.conns, certain))).map((d) => describeRule((d.cause as { rule: RuleRef }).rule)))] : [];
  const requestsOnly = narrowedBy.length ? ` (only the requests the L7 rules of ${narrowedBy.join(', ')} match)` : '';
  if (split) undetermined.push(`certain only for ${formatConns(certain)}${requestsOnly}; ${formatConns(inDoubt)} may go either way`);
  // A doubt of another kind (a policy the model does not evaluate, an AdminNetworkPolicy tie, a
  // policy kind not read) may decide every connection: what the uncertain matches leave certain is
  // in doubt too, and the answer says both rather than one.
  const besides = partial && !split ? [...undetermined.slice(0, otherDoubts), ...model.unread] : [];
  if (besides.length) undetermined.push(`${formatConns(inDoubt)} may go either way by the uncertain matches above, and ${formatConns(certain)}, which they leave certain, is in doubt as well by ${besides.length === 1 ? 'the other doubt' : `the ${besides.length} other doubts`} above`);
  // A policy kind that was not read may hold a policy deciding this flow either way.
  undetermined.push(...model.unread);
  // An address no pod or Service holds is answered as one outside the cluster, but where a doubt
  // says it may be a node's (the Nodes holding it are not known: engine.ts outsideMatchDoubt), the answer does not call it that; nor
  // from manifests, which carry no pod's address: there it is only not a known pod address.
  // A DNS name is one outside the cluster by what it is asked as.
  // An address the Nodes read show as a Node's is that Node's, not one outside the cluster.
  const address = (t: ReachTarget) => t.kind === 'ip' && t.endpoint.kind === 'ip' && addressNodeText(t) === undefined;
  const unplaced = !mayBeNode && (address(src) || address(dst)) && !model.podAddressesKnown();
  const outside: string[] = [];
  const endText = (end: 'source' | 'destination', t: ReachTarget, dir: Direction) => mayBeNode
    ? `${end} ${t.label} is no pod's or Service's address in the snapshot, and may be a node's (see the uncertain note): ${dir} is not governed by NetworkPolicy`
    : addressNodeText(t) ? `${end} ${t.label} is ${addressNodeText(t)}: ${dir} is not governed by NetworkPolicy`
      : unplaced && address(t) ? `${end} ${t.label} is ${NOT_A_KNOWN_POD_ADDRESS}: ${dir} is answered as not governed by NetworkPolicy`
        : `${end} is outside the cluster: ${dir} is not governed by NetworkPolicy`;
  if (src.kind === 'ip') outside.push(endText('source', src, 'egress'));
  if (dst.kind === 'ip') outside.push(endText('destination', dst, 'ingress'));
  notes.splice(outsideAt, 0, ...outside);
  const reword = (d: DirectionAnswer, from: string, to: string) => { for (const x of d.decisions) if (x.by === from) x.by = to; };
  if (mayBeNode) {
    reword(eg, NOT_GOVERNED_EGRESS, `the source is an address no pod holds (it may be a node's): its egress is not governed by cluster policy`);
    reword(ing, NOT_GOVERNED_INGRESS, `the destination is an address no pod holds (it may be a node's): its ingress is not governed by cluster policy`);
  } else {
    const srcNode = addressNodeText(src);
    const dstNode = addressNodeText(dst);
    if (srcNode) reword(eg, NOT_GOVERNED_EGRESS, `the source is ${srcNode}: its egress is not governed by cluster policy`);
    if (dstNode) reword(ing, NOT_GOVERNED_INGRESS, `the destination is ${dstNode}: its ingress is not governed by cluster policy`);
  }
  if (!mayBeNode && unplaced) {
    if (address(src)) reword(eg, NOT_GOVERNED_EGRESS, `the source is ${NOT_A_KNOWN_POD_ADDRESS}: its egress is answered as not governed by cluster policy`);
    if (address(dst)) reword(ing, NOT_GOVERNED_INGRESS, `the destination is ${NOT_A_KNOWN_POD_ADDRESS}: its ingress is answered as not governed by cluster policy`);
  }
  return { from: src.label, to: dst.label, ...asked, protocol: proto, allowed: !isEmptyConns(total), ports: total, egress: eg, ingress: ing, notes: [...new Set([...undetermined, ...notes])], ...(undetermined.length ? { undetermined: [...new Set(undetermined)] } : {}), ...(mayBeNode ? { addressMayBeNode: true as const } : {}), ...(split ? { certainPorts: certain, portsInDoubt: inDoubt } : {}),
    ...(narrowedBy.length ? { certainRequestsOnly: narrowedBy } : {}), ...(besides.length ? { certainButFor: { ports: certain, inDoubt, doubts: besides } } : {}), ...(dualStack ? { dualStack: true as const } : {}) };
}

/**
 * The ipBlocks whose match on the pods of a flow between `sources` and `destinations` only the
 * pods' current live addresses settle (pod-addresses.ts; outside Calico): each as "POLICY DIR rule
 * N: PEER's pods (ADDRESSES) lie outside|inside BLOCK". Pod IPs are ephemeral — "These should be
 * cluster-external IPs, since Pod IPs are ephemeral and unpredictable"
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource)
 * — so a pod rescheduled may fall on the block's other side: an answer resting on them holds as of
 * the snapshot, which a declared intent cannot be confirmed by — unless the cluster's pod range,
 * which every Node's podCIDRs, today's and later ones, are cut from (node-cidrs.ts), falls on the same side of the block:
 * those are `byNodes`, held for good. Only policies that select an end and carry such a block are
 * looked at.
 */
export function liveAddressSettlements(model: ReachModel, sources: readonly PodClass[], destinations: readonly PodClass[], limit = 3): AddressSettlements {
  const current = new Set<string>();
  const byNodes = new Set<string>();
  let nodesWhy: string | undefined;
  const out = (): AddressSettlements => ({ current: [...current], byNodes: [...byNodes], ...(nodesWhy ? { nodesWhy } : {}) });
  if (model.match.podPools || !model.match.classPools) return out();
  const src = new Set(sources);
  const dst = new Set(destinations);
  for (const p of model.policies) {
    if (!model.enforced(p)) continue;
    const selected = model.selectedBy.get(p.id) ?? [];
    for (const [dir, ends, peers] of [['egress', src, destinations], ['ingress', dst, sources]] as const) {
      if (!p[dir]?.length || !selected.some((c) => ends.has(c))) continue;
      for (const s of liveSettled(model, p, dir, peers)) {
        const where = `${policyLabel(p)} ${dir} rule ${s.rule.index}`;
        // The cluster's pod range holds every address a pod may be given, on any Node now or later
        // (node-cidrs.ts): a block on the same side of it stays there after any reschedule.
        const nodes = model.nodePodCidrs();
        const held = podCidrStatus(s.list, nodes.pools);
        const pools = nodes.pools();
        if (pools.kind === 'known' && held && !held.doubt && held.inside === s.inside) {
          if (byNodes.size < limit) byNodes.add(`${where}: ${s.texts} ${s.inside ? 'covers' : 'lies outside'} the cluster's pod range (${pools.text}), which every Node's podCIDRs and so every pod's address are taken from, so ${s.inside ? 'every pod holds an address in it' : 'no pod can hold an address in it'}`);
          continue;
        }
        current.add(`${where}: ${s.pools.text} lie ${s.inside ? 'inside' : 'outside'} ${s.texts} as of this snapshot`);
        const hit = pools.kind === 'known' && !s.inside ? nodesOverlapping(nodes.nodes, s.blocks) : '';
        nodesWhy ??= pools.kind === 'unknown' ? pools.why
          : hit ? `${hit} overlap ${s.texts}, so a pod may be given an address in it`
            : s.inside ? `the cluster's pod range (${pools.text}) does not all lie in ${s.texts}, so a pod may be given an address outside it`
              : `the cluster's pod range (${pools.text}) overlaps ${s.texts}: no current Node's podCIDRs do, but a Node added later may be given a range in it`;
        if (current.size >= limit) return out();
      }
    }
  }
  return out();
}

/** What liveAddressSettlements found. */
export interface AddressSettlements {
  /** Held only as of the snapshot: "POLICY DIR rule N: ADDRESSES lie outside BLOCK as of this snapshot". */
  current: string[];
  /** Held for good by the Nodes' podCIDRs: "POLICY DIR rule N: BLOCK overlaps no Node's podCIDRs (…), …". */
  byNodes: string[];
  /** Why the Nodes' podCIDRs did not settle the first of `current`. */
  nodesWhy?: string;
}

/**
 * Each certain settlement, by the pods' own live addresses (outside Calico: pod-addresses.ts), of
 * policy `p`'s `dir` rules against the pods of `peers`: a rule's peer list with a CIDR the address
 * family alone leaves in doubt that every pod of one peer class lies inside, or outside, for certain.
 */
function* liveSettled(model: ReachModel, p: LayerPolicy, dir: Direction, peers: readonly PodClass[]): Generator<{ rule: Rule; list: readonly Peer[]; texts: string; blocks: IpRange[]; pools: { text: string }; inside: boolean }> {
  const classPools = model.match.classPools;
  if (model.match.podPools || !classPools) return;
  for (const rule of p[dir] ?? []) {
    for (const list of [rule.peers, rule.notPeers]) {
      if (!list || list === 'any' || !podCidrStatus(list)?.doubt) continue;
      const blocks = list.filter((x): x is Peer & { kind: 'ipBlock' } => x.kind === 'ipBlock' && x.podAddresses === true);
      const texts = blocks.map((x) => x.text).join(', ');
      for (const cls of peers) {
        const own = cls.hostNetwork ? undefined : classPools(cls);
        const pools = own?.();
        const st = own ? podCidrStatus(list, own) : undefined;
        if (pools?.kind === 'known' && pools.addresses && st && !st.doubt) yield { rule, list, texts, blocks: blocks.flatMap((x) => x.ranges), pools, inside: st.inside };
      }
    }
  }
}

/** Whether an answer's doubts say its address end may be a node's: then nothing calls the address one outside the cluster. */
/**
 * How an address no pod or Service holds is named where the snapshot knows no pod's address (read
 * from manifests): a running pod may well have it, so it is not called one outside the cluster.
 */
export const NOT_A_KNOWN_POD_ADDRESS = 'not a known pod address (manifests need not hold every pod or its address; a running pod may have it)';

export function addressMayBeNode(a: Pick<ReachAnswer, 'addressMayBeNode'>): boolean {
  return a.addressMayBeNode === true;
}

export interface MatrixRow {
  from: string;
  to: string;
  /** The model's reading: the connections it counts as allowed. */
  conns: ConnSet;
  /**
   * The connections that may go either way (a rule matched on a pod address, node or namespace
   * label the model does not know, a side the model cannot judge): some of `conns`, and any the
   * model reads as denied that a doubt could allow. Unset when the whole row is certain; the rest
   * of `conns` is certain. As `reach` for one flow (ReachAnswer.portsInDoubt), except that the
   * matrix does not weigh the doubts that put a whole flow in doubt (a policy the model does not
   * evaluate, AdminNetworkPolicy priority ties): those stay said by `reach` on the one flow.
   */
  inDoubt?: ConnSet;
  /**
   * Between dual-stack pods where a rule of one IP family (Calico `ipVersion`, or nets/notNets of
   * one family) decides part of the row: what each family's path allows, judged apart (as `reach`'s
   * ReachAnswer.families). Set only when the two differ; `conns` is then what either allows.
   */
  families?: { ipv4: ConnSet; ipv6: ConnSet };
}

/** The connections a verdict decided by a doubtful match (Decision.uncertain) or by something the model does not evaluate (cause 'unknown'). */
function verdictDoubt(v: DirectionVerdict): ConnSet | undefined {
  let out: ConnSet | undefined;
  for (const d of v.decisions) {
    const c = d.cause.kind === 'unknown' ? d.conns : d.uncertain ? d.uncertainConns ?? d.conns : undefined;
    if (c && !isEmptyConns(c)) out = out ? unionConns(out, c) : c;
  }
  return out;
}

/**
 * A pair's reading with its doubt (both directions must allow): `conns` what the model counts,
 * `sure` what no doubt touches, `maybe` what some doubt could allow. A certain pair is its
 * connections alone (most pairs: no object is made for them).
 */
interface PairReading {
  conns: ConnSet;
  sure: ConnSet;
  maybe: ConnSet;
  /** MatrixRow.families, when the pair's two IP family paths differ. */
  families?: { ipv4: ConnSet; ipv6: ConnSet };
}
type Reading = ConnSet | PairReading;

/** `lookE`/`lookI`: whether that side may carry a doubt (tracked, or a host-network side the model cannot judge); the others are not scanned. */
function pairReading(e: DirectionVerdict, i: DirectionVerdict, lookE = true, lookI = true): Reading | undefined {
  const eD = lookE ? verdictDoubt(e) : undefined;
  const iD = lookI ? verdictDoubt(i) : undefined;
  const conns = isAllConns(e.conns) ? i.conns : isAllConns(i.conns) ? e.conns : intersectConns(e.conns, i.conns);
  if (isEmptyConns(conns)) return undefined;
  if (!eD && !iD) return conns;
  const sure = intersectConns(eD ? subtractConns(e.conns, eD) : e.conns, iD ? subtractConns(i.conns, iD) : i.conns);
  const maybe = intersectConns(eD ? unionConns(e.conns, eD) : e.conns, iD ? unionConns(i.conns, iD) : i.conns);
  return { conns, sure, maybe };
}

/** Cuts one family's address space at every boundary of the given ranges of that family. */
export function cutFamily(ranges: IpRange[], family: 4 | 6): IpRange[] {
  const all = family === 4 ? ALL_V4 : ALL_V6;
  const cuts = new Set<bigint>([all.lo, all.hi + 1n]);
  for (const r of ranges) {
    if (r.family !== family) continue;
    cuts.add(r.lo);
    cuts.add(r.hi + 1n);
  }
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: IpRange[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push({ family, lo: sorted[i], hi: sorted[i + 1] - 1n });
  return out;
}

/** Cuts IPv4 space at every boundary of the given ranges (netpol-analyzer's external peers). */
export function cutIpv4(ranges: IpRange[]): IpRange[] {
  return cutFamily(ranges, 4);
}

/**
 * The external peers of the matrix: IPv4 cut at the ranges (netpol-analyzer's, which lists
 * IPv4 only), and IPv6 cut at its ranges once some enforced policy names an IPv6 range, so
 * what an IPv6 ipBlock allows is listed while a matrix without one keeps netpol-analyzer's rows.
 */
function externalPieces(ranges: IpRange[]): IpRange[] {
  return [...cutFamily(ranges, 4), ...(ranges.some((r) => r.family === 6) ? cutFamily(ranges, 6) : [])];
}

/** The address ranges the enforced policies name in `dir` (NetworkPolicy ipBlocks, ANP networks, Calico nets, Cilium CIDRs). */
function ipBlockRanges(model: ReachModel, dir: 'ingress' | 'egress'): IpRange[] {
  const out: IpRange[] = [];
  for (const p of model.policies) {
    if (p.errors.length || !model.enforced(p)) continue;
    for (const r of p[dir] ?? []) for (const list of [r.peers === 'any' ? [] : r.peers, r.notPeers ?? []]) for (const peer of list) if (peer.kind === 'ipBlock') out.push(...peer.ranges);
  }
  return out;
}

/** The toFQDNs / domainNames patterns a class's egress policies allow, each with the ports its rules name; once per class. */
const fqdnPatternsOf = new WeakMap<PodClass, Array<[string, ConnSet]>>();
function fqdnPatterns(cls: PodClass): Array<[string, ConnSet]> {
  let out = fqdnPatternsOf.get(cls);
  if (!out) {
    const ports = new Map<string, ConnSet>();
    for (const p of cls.egressPolicies) {
      for (const r of p.egress ?? []) {
        if (r.action !== 'Allow' || r.peers === 'any') continue;
        for (const peer of r.peers) {
          if (peer.kind !== 'fqdn') continue;
          for (const f of peer.patterns) ports.set(f, unionConns(ports.get(f) ?? emptyConns(), rulePortConns(r, { kind: 'fqdn', name: f })));
        }
      }
    }
    fqdnPatternsOf.set(cls, (out = [...ports].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))));
  }
  return out;
}

export interface MatrixOptions {
  /** Include external peers, cut at the policies' ipBlock boundaries (IPv6 ones only when a policy names an IPv6 range; default true). */
  external?: boolean;
}

type PeerSort = 'pod' | 'address' | 'name';
const SORTS: readonly PeerSort[] = ['pod', 'address', 'name'];
const mayDoubtPlans: Record<PeerSort, Record<Direction, WeakMap<readonly StagePlan[], boolean>>> = {
  pod: { egress: new WeakMap(), ingress: new WeakMap() }, address: { egress: new WeakMap(), ingress: new WeakMap() }, name: { egress: new WeakMap(), ingress: new WeakMap() },
};

/** mayDoubt per class id, read once per class (the matrix asks it for every pair): 0 not yet, 1 no, 2 yes. */
type DoubtGate = (cls: PodClass, dir: Direction, peer: PeerSort) => boolean;
function doubtGate(model: ReachModel): DoubtGate {
  const n = model.classes.length;
  const seen: Record<Direction, Int8Array> = { egress: new Int8Array(n * SORTS.length), ingress: new Int8Array(n * SORTS.length) };
  return (cls, dir, peer) => {
    const at = cls.id * SORTS.length + SORTS.indexOf(peer);
    const arr = seen[dir];
    if (at < 0 || at >= arr.length) return mayDoubt(model, cls, dir, peer);
    if (arr[at] === 0) arr[at] = mayDoubt(model, cls, dir, peer) ? 2 : 1;
    return arr[at] === 2;
  };
}

/**
 * Whether a class's plan in `dir` holds a rule whose match engine.ts (ruleMatchDoubt) may doubt
 * against a peer of that sort, or the class's own subject is in doubt: only then does the matrix
 * pay for tracking doubts (a verdict without them is the same connections). Against a pod: CIDRs
 * whose hold on pod addresses the pools do not settle, node selectors, namespace labels of an
 * undeclared namespace, predicates that can be in doubt, unresolved peers, CIDRs on the policy's
 * own pod, an IP family (Calico ipVersion). Any peer: a rule on some connections only (source ports). Against an address (engine.ts outsideMatchDoubt): DNS names, nodes, unresolved peers,
 * CIDRs on the policy's own pod; against a DNS name (nameMatchDoubt), any peer other than pods.
 */
function mayDoubt(model: ReachModel, cls: PodClass, dir: Direction, peer: PeerSort): boolean {
  if (model.match.subjectDoubts?.has(cls)) return true;
  const plan = dir === 'egress' ? cls.egressPlan : cls.ingressPlan;
  const memo = mayDoubtPlans[peer][dir];
  let v = memo.get(plan);
  if (v === undefined) {
    const undeclared = !!model.match.undeclaredNamespaces?.size;
    const peerMay = (x: Peer) => x.kind === 'nodes' || (x.kind === 'entity' && x.entity === 'other' && !!x.unresolved) || (peer === 'name' && x.kind !== 'pods') || (peer === 'address' && x.kind === 'fqdn')
      || (peer === 'pod' && x.kind === 'pods' && ((undeclared && (readsNamespaceLabels(x.namespaces) || !!x.where?.namespaceLabels)) || !!x.where?.doubt || !!x.addresses));
    const listMay = (l: readonly Peer[] | 'any' | undefined) => l !== undefined && l !== 'any' && ((peer === 'pod' && !!podCidrStatus(l, model.match.podPools)?.doubt) || l.some(peerMay));
    v = plan.some((st) => st.policies.some((p) => (p[dir] ?? []).some((r) => r.subjectAddress !== undefined || r.partial !== undefined || (peer === 'pod' && (r.ipVersion !== undefined || r.netsFamily !== undefined)) || listMay(r.peers) || listMay(r.notPeers))));
    memo.set(plan, v);
  }
  return v;
}

/** Class-level allowed connections src -> dst (both directions) with their doubt, or undefined when none. */
function pairConns(model: ReachModel, s: PodClass, d: PodClass, gate: DoubtGate): Reading | undefined {
  const src: Endpoint = { kind: 'class', cls: s };
  const dst: Endpoint = { kind: 'class', cls: d };
  const te = gate(s, 'egress', 'pod');
  const e = egressVerdict(model, src, dst, te);
  // Cilium's allow-localhost puts a host-network source's isolation denial in doubt (model.ts withLocalhostDoubt).
  const ti = gate(d, 'ingress', 'pod') || (s.hostNetwork && model.composition.localhostDoubt !== undefined);
  // Only a host-network side under Cilium (model.ts hostNetworkVerdict) decides by something the model does not evaluate.
  const host = model.composition.hostNetwork !== undefined;
  const lookE = te || (host && s.hostNetwork);
  const lookI = ti || (host && d.hostNetwork);
  // A rule of one IP family between dual-stack pods: each family's path apart (answerByFamily).
  if (te && dualStackDoubt(e)) return familyPair(model, src, dst, te, ti, lookE, lookI);
  if (isEmptyConns(e.conns)) return undefined;
  const i = ingressVerdict(model, src, dst, ti);
  if (ti && dualStackDoubt(i)) return familyPair(model, src, dst, te, ti, lookE, lookI);
  return pairReading(e, i, lookE, lookI);
}

/**
 * A dual-stack pair's reading with each IP family's path judged apart (MatchContext.flowFamily):
 * a connection either path allows is allowed (Felix renders a one-family rule only into that
 * family's chains, FilterRuleToIPVersion, felix/rules/policy.go, v3.32.1), certain where either
 * path allows it for certain; `families` when the two paths differ. Only for pairs a dual-stack
 * doubt touches, so the matrix pays twice for those alone.
 */
function familyPair(model: ReachModel, src: Endpoint, dst: Endpoint, te: boolean, ti: boolean, lookE: boolean, lookI: boolean): Reading | undefined {
  const [r4, r6] = ([4, 6] as const).map((f) => {
    const m = familyModel(model, f);
    const e = egressVerdict(m, src, dst, te);
    return isEmptyConns(e.conns) ? undefined : pairReading(e, ingressVerdict(m, src, dst, ti), lookE, lookI);
  });
  if (!r4 && !r6) return undefined;
  const part = (r: Reading | undefined) => (r === undefined ? { conns: emptyConns(), sure: emptyConns(), maybe: emptyConns() } : 'sure' in r ? r : { conns: r, sure: r, maybe: r });
  const p4 = part(r4);
  const p6 = part(r6);
  const conns = unionConns(p4.conns, p6.conns);
  const sure = unionConns(p4.sure, p6.sure);
  const maybe = unionConns(p4.maybe, p6.maybe);
  const differ = !sameConns(p4.conns, p6.conns);
  if (!differ && sameConns(sure, conns) && sameConns(maybe, conns)) return conns;
  return { conns, sure, maybe, ...(differ ? { families: { ipv4: p4.conns, ipv6: p6.conns } } : {}) };
}

/** An outside end's reading: one direction decides, the other is not governed. */
function oneSided(conns: ConnSet, doubt: ConnSet | undefined, within?: ConnSet): Reading | undefined {
  if (isEmptyConns(conns)) return undefined;
  const d = doubt && within ? intersectConns(doubt, within) : doubt;
  return d && !isEmptyConns(d) ? { conns, sure: subtractConns(conns, d), maybe: unionConns(conns, d) } : conns;
}

/** Above this many enumerated candidates a class is treated as open to every peer (never wrong: every pair it yields is checked). */
const CANDIDATE_CAP = 4096;

function byLabel<T>(items: T[], label: (t: T) => string): T[] {
  return items.map((t) => [label(t), t] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([, t]) => t);
}

/**
 * Every workload pair (and external range) with a non-empty set of allowed connections,
 * streamed in netpol-analyzer's order (by source, then destination). Computed over pod
 * classes: a source's candidate destinations come from its egress rules, or, when its egress
 * is open, from the destinations whose ingress is open or whose ingress rules name it (see
 * flows.ts for why that is complete), so cost follows the allowed pairs, not |classes|².
 * Memory holds the candidates and one source's row set, never a pair cache.
 */
export function* streamMatrix(model: ReachModel, options: MatrixOptions = {}): Generator<MatrixRow> {
  const index = indexByNamespace(model.classes);
  const gate = doubtGate(model);
  const openIn: PodClass[] = [];
  const revIn = new Map<PodClass, PodClass[]>();
  for (const d of model.classes) {
    const cands = candidatePeers(model, d, 'ingress', index, CANDIDATE_CAP);
    if (cands === 'all') { openIn.push(d); continue; }
    for (const s of cands) {
      let l = revIn.get(s);
      if (!l) revIn.set(s, (l = []));
      l.push(d);
    }
  }
  const external = options.external !== false;
  const ep = (r: IpRange): Endpoint => ({ kind: 'ip', family: r.family, value: r.lo, text: formatRange(r) });
  const inPieces = external ? externalPieces(ipBlockRanges(model, 'ingress')) : [];
  const outPieces = external ? externalPieces(ipBlockRanges(model, 'egress')) : [];
  const pieceLabel = (r: IpRange) => `${formatRange(r)}[External]`;

  // Cilium native routing: what a Service's node forwards to the class from outside arrives as remote-node (withForwarded), whatever the address.
  const forwardedTo = new Map<PodClass, ConnSet>();
  const viaNode = (d: PodClass): ConnSet => {
    let c = forwardedTo.get(d);
    if (c) return c;
    c = emptyConns();
    const services = model.nodeForwarded(d);
    if (services.length) {
      const admitted = ingressVerdict(model, REMOTE_NODE_PEER, { kind: 'class', cls: d }).conns;
      for (const f of services) c = unionConns(c, intersectConns(f.conns, admitted));
    }
    forwardedTo.set(d, c);
    return c;
  };
  type Source = { kind: 'workload'; node: WorkloadNode; label: string } | { kind: 'ip'; piece: IpRange; label: string };
  const labelOf = new Map(model.workloads.map((w) => [w.key, workloadLabel(w)]));
  const openInSet = new Set(openIn);
  const sources: Source[] = byLabel([
    ...model.workloads.map((node): Source => ({ kind: 'workload', node, label: labelOf.get(node.key)! })),
    ...inPieces.map((piece): Source => ({ kind: 'ip', piece, label: pieceLabel(piece) })),
  ], (x) => x.label);

  for (const src of sources) {
    const rows = new Map<string, ConnSet>();
    // The rows some doubt touches: what no doubt touches, and what a doubt could allow (most rows have none).
    const doubted = new Map<string, { sure: ConnSet; maybe: ConnSet }>();
    // The rows a dual-stack pair's two family paths differ on: what each path allows (most rows have none).
    const byFamily = new Map<string, { ipv4: ConnSet; ipv6: ConnSet }>();
    const add = (label: string, r: Reading) => {
      const cur = rows.get(label);
      const c = 'sure' in r ? r.conns : r;
      const fam = byFamily.size || ('sure' in r && r.families) ? byFamily.get(label) : undefined;
      if ('sure' in r && r.families) {
        if (fam) { fam.ipv4 = unionConns(fam.ipv4, r.families.ipv4); fam.ipv6 = unionConns(fam.ipv6, r.families.ipv6); }
        else byFamily.set(label, cur ? { ipv4: unionConns(cur, r.families.ipv4), ipv6: unionConns(cur, r.families.ipv6) } : { ...r.families });
      } else if (fam) { fam.ipv4 = unionConns(fam.ipv4, c); fam.ipv6 = unionConns(fam.ipv6, c); }
      rows.set(label, cur === undefined ? c : cur === c ? c : unionConns(cur, c));
      const dr = doubted.size ? doubted.get(label) : undefined;
      if ('sure' in r) {
        // Before the first doubtful part, every part was certain: `cur` holds them.
        if (dr) { dr.sure = unionConns(dr.sure, r.sure); dr.maybe = unionConns(dr.maybe, r.maybe); }
        else doubted.set(label, cur ? { sure: unionConns(cur, r.sure), maybe: unionConns(cur, r.maybe) } : { sure: r.sure, maybe: r.maybe });
      } else if (dr) { dr.sure = unionConns(dr.sure, c); dr.maybe = unionConns(dr.maybe, c); }
    };
    if (src.kind === 'ip') {
      const from = ep(src.piece);
      for (const d of model.classes) {
        const direct = ingressVerdict(model, from, { kind: 'class', cls: d }, gate(d, 'ingress', 'address'));
        const c = oneSided(model.ciliumNativeRouting ? unionConns(direct.conns, viaNode(d)) : direct.conns, verdictDoubt(direct));
        if (!c) continue;
        for (const wk of d.workloads) add(labelOf.get(wk)!, c);
      }
    } else {
      const a = src.node;
      for (const s of a.classes) {
        const eg = candidatePeers(model, s, 'egress', index, CANDIDATE_CAP);
        const visit = (d: PodClass) => {
          if (d.workloads.length === 1 && d.workloads[0] === a.key) return;
          const c = pairConns(model, s, d, gate);
          if (!c) return;
          for (const wk of d.workloads) if (wk !== a.key) add(labelOf.get(wk)!, c);
        };
        if (eg === 'all') {
          for (const d of openIn) visit(d);
          for (const d of revIn.get(s) ?? []) if (!openInSet.has(d)) visit(d);
        } else {
          for (const d of eg) visit(d);
        }
        for (const piece of outPieces) {
          const v = egressVerdict(model, { kind: 'class', cls: s }, ep(piece), gate(s, 'egress', 'address'));
          const c = oneSided(v.conns, verdictDoubt(v));
          if (c) add(pieceLabel(piece), c);
        }
        // Egress to DNS names (Cilium toFQDNs, ANP domainNames) never shows in the address rows: one row per name pattern the class's policies allow.
        if (external) {
          // Cut to the ports the name's own rules allow: the model matches a name against no CIDR, so
          // elsewhere its verdict would also count ports a Deny of 0.0.0.0/0 refuses to the name's addresses.
          for (const [pattern, ports] of fqdnPatterns(s)) {
            const v = egressVerdict(model, { kind: 'class', cls: s }, { kind: 'fqdn', name: pattern.replace(/\*/g, 'x') }, gate(s, 'egress', 'name'));
            const c = oneSided(intersectConns(v.conns, ports), verdictDoubt(v), ports);
            if (c) add(`${pattern}[FQDN]`, c);
          }
        }
      }
    }
    for (const to of [...rows.keys()].sort()) {
      const conns = rows.get(to)!;
      const dr = doubted.size ? doubted.get(to) : undefined;
      const inDoubt = dr ? subtractConns(unionConns(dr.maybe, conns), dr.sure) : undefined;
      const fam = byFamily.size ? byFamily.get(to) : undefined;
      const families = fam && !sameConns(fam.ipv4, fam.ipv6) ? { families: fam } : {};
      yield inDoubt && !isEmptyConns(inDoubt) ? { from: src.label, to, conns, inDoubt, ...families } : { from: src.label, to, conns, ...families };
    }
  }
}

/** The whole matrix as a list (streamMatrix collected). */
export function reachMatrix(model: ReachModel, options: MatrixOptions = {}): MatrixRow[] {
  return [...streamMatrix(model, options)];
}
