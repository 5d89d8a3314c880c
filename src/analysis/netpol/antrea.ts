// Antrea-native policies (crd.antrea.io ClusterNetworkPolicy and NetworkPolicy) translated into the
// neutral layers (antrea-io/antrea docs/antrea-network-policy.md at v2.2.0 throughout; "the docs"
// below). Antrea enforces them in tiers around the Kubernetes NetworkPolicies: "Emergency >
// SecurityOps > NetworkOps > Platform > Application > K8s NetworkPolicy > Baseline" ("Static
// tiers"), the first rule that matches deciding ("Rule enforcement based on priorities"), and
// "Starting with Antrea v1.0, Antrea-native policies are enabled by default" ("Summary"). Where they
// sit in the precedence (with the AdminNetworkPolicies Antrea puts at tier priority 251 and the
// BaselineAdminNetworkPolicy at 254) is composition.ts's antreaOrder.
//
// The common subset is evaluated: appliedTo (policy-level or per rule) by podSelector,
// namespaceSelector and `group`; peers by podSelector, namespaceSelector, `namespaces: {match:
// Self}`, ipBlock (cidr, except) and `group`; ports (port, endPort, protocol; a string port is a port name); actions
// Allow, Drop, Reject, Pass. A `group` names a ClusterGroup (in a ClusterNetworkPolicy) or a Group of
// the policy's namespace (in an Antrea NetworkPolicy), resolved to the selectors and ipBlocks it
// stands for (resolveGroup; the docs' "ClusterGroup" and "Group" sections). Anything else a policy
// holds (a serviceAccount, a nodeSelector, toServices, fqdn, non-empty l7Protocols or protocols, sameLabels, a
// group selecting ExternalEntities, a Tier that does not exist, ...) leaves the whole policy
// `unevaluated`: its subject is the set of pods it may apply to, and every verdict on them in the
// directions it has rules for stays in doubt (query.ts unevaluatedSelecting), its error naming the field.

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { Action, ClassPredicate, CoverageNote, Labels, LayerPolicy, Peer, PodSet, PolicyApiAdapter, PortSpec, Rule } from './layers.ts';
import { isProtocol, type Protocol } from './conns.ts';
import { parseCidr, subtractRanges, type IpRange } from '../../base/ip.ts';
import { parseSelector, type Selector } from './selector.ts';
import { portNameError } from './policy.ts';
import { obj, stringMap } from '../mesh/util.ts';

/**
 * The static tiers and their priorities ("Static tiers"; pkg/controller/networkpolicy/tier.go
 * priorityMap at v2.2.0). A policy naming one in the capitalised spelling of Antrea 0.9
 * ("Emergency", "SecurityOps", ...) is read as the lowercase Tier (crd_utils.go getTierPriority,
 * staticTierSet); any other spelling must name a Tier object.
 */
export const ANTREA_STATIC_TIERS: Readonly<Record<string, number>> = { emergency: 50, securityops: 100, networkops: 150, platform: 200, application: 250, baseline: 253 };
const LEGACY_STATIC = new Set(['Emergency', 'SecurityOps', 'NetworkOps', 'Platform', 'Application', 'Baseline']);
/** "Policies created in the "baseline" Tier [...] will have lower precedence than developer-created K8s NetworkPolicies." */
export const ANTREA_BASELINE_TIER = 'baseline';

const NAME_LABEL = 'kubernetes.io/metadata.name';
const EVERY_NAMESPACE = parseSelector({}, '').selector!;

/** One appliedTo entry: a pod and/or namespace selector (a group's pods read as one). */
interface Entry { pods?: Selector; namespaces?: Selector }

/** What one policy reads as: what stops its evaluation, what is said about it; and the groups it may name. */
interface Reading {
  unsupported: string[];
  errors: string[];
  notes: string[];
  groups: GroupIndex;
  /** The namespace of an Antrea NetworkPolicy, whose Groups it names. */
  namespace?: string;
}

const isPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
const present = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null);
/** Set, and not an empty list: how Antrea reads the lists it decides by length (`len(x) != 0`). */
const isSet = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
/** A field name from the object, quoted unless plainly a field name (it is the cluster's text). */
const fieldName = (k: string) => (/^[A-Za-z][A-Za-z0-9]*$/.test(k) ? k : JSON.stringify(k));

// ---------------------------------------------------------------- ClusterGroups and Groups

/** Pods a group holds: of namespace `namespace`, of the namespaces `namespaces` selects, or (neither) of every namespace. */
interface GroupPods { pods?: Selector; namespace?: string; namespaces?: Selector }
/** A group resolved: its pods and ipBlocks (notes say what Antrea does with what it lacks), or why it is not. */
type Members = { pods: GroupPods[]; blocks: Peer[]; notes: string[] } | { unsupported: string } | { error: string };

/**
 * The ClusterGroups and Groups of the snapshot, indexed by name when a policy first names one (so a
 * cluster without them reads neither kind), and each group resolved at most once: linear in groups
 * and references.
 */
interface GroupIndex {
  groups(): { cluster: ReadonlyMap<string, KubeObject>; namespaced: ReadonlyMap<string, KubeObject> };
  /** Services by "namespace/name", read when a serviceReference first needs one. */
  services(): ReadonlyMap<string, KubeObject>;
  /** Why each kind is not known (it could not be read, or a snapshot from before it was collected). */
  unread: { cluster?: string; namespaced?: string; services?: string };
  /** Manifests may leave out a group or Service the cluster holds: one not found is not known to be missing. */
  partialInput: boolean;
  resolved: Map<string, Members>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An object name from the cluster, quoted unless a plain DNS name. */
const shown = (n: string) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n) ? n : JSON.stringify(n));

function groupIndex(snapshot: Snapshot): GroupIndex {
  // Absent (no CRD, or none among the manifests) is read: there is no such group.
  const unreadWhy = (key: 'antrea.clustergroups' | 'antrea.groups' | 'services', what: string) => {
    const c = snapshot.coverage[key];
    if (c?.status === 'ok' || c?.status === 'absent') return undefined;
    return `${what} ${c ? `could not be read (${c.status})` : 'were not collected'}`;
  };
  const byName = (list: readonly KubeObject[] | undefined, namespaced: boolean) => {
    const m = new Map<string, KubeObject>();
    for (const o of list ?? []) if (o.metadata?.name) m.set(namespaced ? `${o.metadata.namespace ?? 'default'}/${o.metadata.name}` : o.metadata.name, o);
    return m;
  };
  let groups: ReturnType<GroupIndex['groups']> | undefined;
  let services: Map<string, KubeObject> | undefined;
  return {
    groups: () => (groups ??= { cluster: byName(snapshot.resources['antrea.clustergroups'], false), namespaced: byName(snapshot.resources['antrea.groups'], true) }),
    services: () => (services ??= byName(snapshot.resources.services, true)),
    unread: {
      cluster: unreadWhy('antrea.clustergroups', 'ClusterGroups (clustergroups.crd.antrea.io)'),
      namespaced: unreadWhy('antrea.groups', 'Groups (groups.crd.antrea.io)'),
      services: unreadWhy('services', 'Services'),
    },
    partialInput: snapshot.origin !== 'live',
    resolved: new Map(),
  };
}

/**
 * The members of the ClusterGroup `name` (`namespace` undefined) or of the Group `name` of
 * `namespace`, as Antrea computes them (pkg/controller/networkpolicy/clustergroup.go
 * processClusterGroup, group.go processGroup at v2.2.0). A group that does not exist has no member
 * until it is created: the policy's peer matches no one by it and its appliedTo applies to no pod
 * by it (crd_utils.go processRefGroupOrClusterGroup, createAppliedToGroupForGroup: "Internal Group
 * was not found"; networkpolicy_controller.go getAppliedToWorkloads: "The AppliedToGroup selects
 * nothing at the moment"). `child`: named in another group's childGroups.
 */
function resolveGroup(index: GroupIndex, namespace: string | undefined, name: unknown, child: boolean): Members {
  if (typeof name !== 'string' || !name) return { error: `"${String(name)}" is not a group name` };
  const key = `${child ? 'child' : 'group'}:${namespace ?? ''}/${name}`;
  const known = index.resolved.get(key);
  if (known) return known;
  const label = namespace === undefined ? `ClusterGroup ${shown(name)}` : `Group ${namespace}/${shown(name)}`;
  const unread = namespace === undefined ? index.unread.cluster : index.unread.namespaced;
  let m: Members;
  if (unread) m = { unsupported: `${label} cannot be looked up: ${unread}` };
  else {
    const { cluster, namespaced } = index.groups();
    const o = namespace === undefined ? cluster.get(name) : namespaced.get(`${namespace}/${name}`);
    if (o) m = readGroup(o, label, namespace, child, index);
    else if (index.partialInput) m = { unsupported: `${label} is not in the input, and the cluster may hold it` };
    else m = { pods: [], blocks: [], notes: [`${label} does not exist: Antrea gives it no member until it is created`] };
  }
  index.resolved.set(key, m);
  return m;
}

function readGroup(o: KubeObject, label: string, namespace: string | undefined, child: boolean, index: GroupIndex): Members {
  const spec = obj(o.spec) ?? {};
  const set = (k: string) => isSet(spec[k]);
  // A v1alpha2 ClusterGroup's single ipBlock is its ipBlocks (Antrea's conversion webhook,
  // pkg/controller/networkpolicy/convert.go at v1.13.0); later versions have no such field.
  const legacy = namespace === undefined && o.apiVersion === 'crd.antrea.io/v1alpha2';
  const keys = Object.keys(spec).filter(set);
  const known = ['podSelector', 'namespaceSelector', 'ipBlocks', 'serviceReference', 'externalEntitySelector', 'childGroups', ...(legacy ? ['ipBlock'] : [])];
  const other = keys.filter((k) => !known.includes(k));
  if (other.length) return { unsupported: `${label} sets ${other.map((k) => `spec.${fieldName(k)}`).join(', ')}` };
  if (keys.includes('externalEntitySelector')) return { unsupported: `${label} selects ExternalEntities (spec.externalEntitySelector), which a Kubernetes audit does not see` };
  // "At most one of podSelector, serviceReference, ipBlock, ipBlocks or childGroups can be set",
  // podSelector with or without namespaceSelector (validate.go validateAntreaClusterGroupSpec, validateAntreaGroupSpec).
  if (keys.length > 2 || (keys.length === 2 && !(keys.includes('podSelector') && keys.includes('namespaceSelector')))) {
    return { error: `${label} sets ${keys.map((k) => `spec.${k}`).join(' and ')}, which Antrea's admission webhook refuses ("at most one of podSelector, serviceReference, ipBlock, ipBlocks or childGroups")` };
  }
  const none = (note: string): Members => ({ pods: [], blocks: [], notes: [`${label} ${note}`] });
  if (keys.includes('childGroups')) {
    // "only one level of nesting is supported: If a ClusterGroup has childGroups, it cannot be selected as a childGroup by other ClusterGroups."
    if (child) return { error: `${label} has childGroups of its own, so Antrea's admission webhook refuses it as a child group (one level of nesting)` };
    if (!Array.isArray(spec.childGroups)) return { error: `${label} spec.childGroups: not a list of names` };
    // "The effective members of the "parent" ClusterGroup will be the union of all its childGroups' members";
    // a Group's "will be looked up in the policy's own Namespace".
    const out = { pods: [] as GroupPods[], blocks: [] as Peer[], notes: [] as string[] };
    for (const c of spec.childGroups as unknown[]) {
      const m = resolveGroup(index, namespace, c, true);
      if (!('pods' in m)) return 'error' in m ? { error: `${label} childGroups: ${m.error}` } : { unsupported: `${label} childGroups: ${m.unsupported}` };
      out.pods.push(...m.pods);
      out.blocks.push(...m.blocks);
      out.notes.push(...m.notes);
    }
    return out;
  }
  if (keys.includes('ipBlocks') || keys.includes('ipBlock')) {
    const list = keys.includes('ipBlock') ? [spec.ipBlock] : spec.ipBlocks;
    if (!Array.isArray(list)) return { error: `${label} spec.ipBlocks: not a list` };
    const errors: string[] = [];
    const blocks = list.flatMap((b, i) => readIpBlock(b, `${label} spec.${keys.includes('ipBlock') ? 'ipBlock' : `ipBlocks[${i}]`}`, errors) ?? []);
    return errors.length ? { error: errors.join('; ') } : { pods: [], blocks, notes: [] };
  }
  if (keys.includes('serviceReference')) {
    // "Pods that serve as the backend for the specified Service will be grouped": the pods its
    // selector selects in its namespace (clustergroup.go serviceToGroupSelector), for appliedTo and peers alike.
    const ref = obj(spec.serviceReference);
    const svcName = typeof ref?.name === 'string' ? ref.name : '';
    const svcNs = typeof ref?.namespace === 'string' ? ref.namespace : '';
    if (!svcName || !svcNs) return { unsupported: `${label} spec.serviceReference names no Service by namespace and name` };
    if (!DNS_LABEL.test(svcNs)) return { error: `${label} spec.serviceReference.namespace: "${svcNs}" is not a namespace name` };
    const svcLabel = `Service ${svcNs}/${shown(svcName)}`;
    if (index.unread.services) return { unsupported: `${label} groups the pods of ${svcLabel}, and ${index.unread.services}` };
    const svc = index.services().get(`${svcNs}/${svcName}`);
    if (!svc) return index.partialInput ? { unsupported: `${label} groups the pods of ${svcLabel}, which is not in the input, and the cluster may hold it` } : none(`groups the pods of ${svcLabel}, which does not exist: Antrea gives the group no member`);
    const selector = stringMap(obj(svc.spec)?.selector);
    // "Services without selectors are currently not supported, and will be ignored if referred by serviceReference".
    if (!Object.keys(selector).length) return none(`groups the pods of ${svcLabel}, which has no selector: Antrea gives the group no member ("Services without selectors are currently not supported")`);
    const p = parseSelector({ matchLabels: selector }, `${svcLabel} spec.selector`);
    return p.selector ? { pods: [{ pods: p.selector, namespace: svcNs }], blocks: [], notes: [] } : { error: p.errors.join('; ') };
  }
  const read = (k: 'podSelector' | 'namespaceSelector') => (keys.includes(k) ? parseSelector(spec[k], `${label} spec.${k}`) : undefined);
  const pods = read('podSelector');
  const nss = read('namespaceSelector');
  const errors = [...(pods?.errors ?? []), ...(nss?.errors ?? [])];
  if (errors.length || (pods && !pods.selector) || (nss && !nss.selector)) return { error: errors.join('; ') || `${label}: a selector cannot be read` };
  // Without namespaceSelector a Group selects in its own namespace, a ClusterGroup in every one
  // (types/group.go NewGroupSelector); one with no selector at all selects nothing as a ClusterGroup
  // and every pod of its namespace as a Group (grouping/group_entity_index.go match at v2.2.0: "The
  // group selects nothing when all selectors are missing", a Group's own namespace being set).
  if (!pods && !nss && namespace === undefined) return none('sets no selector: Antrea gives it no member');
  return { pods: [{ ...(pods?.selector ? { pods: pods.selector } : {}), ...(nss?.selector ? { namespaces: nss.selector } : namespace !== undefined ? { namespace } : {}) }], blocks: [], notes: [] };
}

/** The members of the group `raw` names at `at`, recording in `r` why they are not known, or what Antrea does with what it lacks. */
function groupMembers(raw: unknown, at: string, r: Reading): { pods: GroupPods[]; blocks: Peer[] } | undefined {
  const m = resolveGroup(r.groups, r.namespace, raw, false);
  if ('unsupported' in m) return void r.unsupported.push(`${at} (${m.unsupported})`);
  if ('error' in m) return void r.errors.push(`${at}: ${m.error}`);
  r.notes.push(...m.notes.map((n) => `${at}: ${n}`));
  return m;
}

/** A namespace by name, as a namespace selector (every namespace carries its name label). */
const namespaceNamed = (ns: string): Selector => parseSelector({ matchLabels: { [NAME_LABEL]: ns } }, '').selector!;

/**
 * An ipBlock (`cidr`, `except`). It matches pod addresses too (Antrea matches the packet's address,
 * as for a NetworkPolicy ipBlock: pod-addresses.ts).
 */
function readIpBlock(raw: unknown, at: string, errors: string[]): Peer | undefined {
  const ib = obj(raw);
  const block = typeof ib?.cidr === 'string' ? parseCidr(ib.cidr) : undefined;
  if (!ib || !block) return void errors.push(`${at}.cidr: "${String(ib?.cidr)}" is not a valid CIDR`);
  const except = ib.except ?? [];
  if (!Array.isArray(except)) return void errors.push(`${at}.except: not a list`);
  const minus: IpRange[] = [];
  for (const [j, e] of except.entries()) {
    const x = typeof e === 'string' ? parseCidr(e) : undefined;
    // "the CIDRs in the `except` list will be validated to be strictly within the base CIDR range" (Antrea v2.2).
    if (!x || x.family !== block.family || x.lo < block.lo || x.hi > block.hi || (x.lo === block.lo && x.hi === block.hi)) return void errors.push(`${at}.except[${j}]: "${String(e)}" is not a CIDR strictly within ${ib.cidr as string}`);
    minus.push(x);
  }
  const text = `${ib.cidr as string}${except.length ? ` except ${except.join(', ')}` : ''}`;
  return { kind: 'ipBlock', text, ranges: subtractRanges(block, minus), blocks: [block], podAddresses: true };
}

/** The appliedTo entries of `list` at `at` (a group's, its pods'), or undefined when one selects by anything but pod/namespace selectors or a group ztaudit resolves. */
function readEntries(list: unknown, at: string, namespaced: boolean, r: Reading): Entry[] | undefined {
  if (!Array.isArray(list)) return void r.errors.push(`${at}: not a list`);
  const out: Entry[] = [];
  let ok = true;
  list.forEach((raw, i) => {
    const where = `${at}[${i}]`;
    const e = obj(raw);
    if (!e) { ok = false; return void r.errors.push(`${where}: not an object`); }
    const keys = present(e);
    if (keys.includes('group')) {
      // "group cannot be set with other peers in appliedTo" (validate.go validateAppliedTo).
      if (keys.length > 1) { ok = false; return void r.errors.push(`${where}: group cannot be set with ${keys.filter((k) => k !== 'group').map(fieldName).join(', ')}`); }
      const got = groupMembers(e.group, `${where}.group`, r);
      if (!got) { ok = false; return; }
      // "A ClusterGroup with ipBlocks referenced in an ACNP's appliedTo field will be ignored": only its pods count, a child's ipBlocks too.
      if (!got.pods.length && got.blocks.length) r.notes.push(`${where}.group: its members are ipBlocks only, which Antrea ignores in appliedTo: it applies to no pod`);
      for (const g of got.pods) {
        if (!namespaced) out.push({ ...(g.pods ? { pods: g.pods } : {}), ...(g.namespaces ? { namespaces: g.namespaces } : g.namespace !== undefined ? { namespaces: namespaceNamed(g.namespace) } : {}) });
        else if (g.namespace === r.namespace) out.push(g.pods ? { pods: g.pods } : {});
        else {
          // "When set in the appliedTo field, it cannot include namespaceSelector [...] Antrea will report a condition Realizable=False".
          ok = false;
          return void r.unsupported.push(`${where}.group (Group ${r.namespace}/${shown(String(e.group))} selects pods beyond namespace ${r.namespace}, so Antrea reports the policy Realizable=False: NetworkPolicyAppliedToUnsupportedGroup)`);
        }
      }
      return;
    }
    const allowed = namespaced ? ['podSelector'] : ['podSelector', 'namespaceSelector'];
    const other = keys.filter((k) => !allowed.includes(k));
    if (other.length || !keys.length) { ok = false; return void r.unsupported.push(other.length ? other.map((k) => `${where}.${fieldName(k)}`).join(', ') : `${where} (selects nothing ztaudit reads)`); }
    const entry: Entry = {};
    for (const [key, field] of [['podSelector', 'pods'], ['namespaceSelector', 'namespaces']] as const) {
      if (!keys.includes(key)) continue;
      const { selector, errors } = parseSelector(e[key], `${where}.${key}`);
      r.errors.push(...errors);
      if (!selector) ok = false;
      else entry[field] = selector;
    }
    out.push(entry);
  });
  return ok ? out : undefined;
}

/**
 * Entries as one pod set. Antrea never applies a policy to a host-network pod ("HostNetwork Pods
 * will not be applied to by policies", pkg/controller/networkpolicy/networkpolicy_controller.go:1352
 * at v2.2.0). In a ClusterNetworkPolicy a podSelector alone selects "Pods from all Namespaces"
 * ("Key differences from K8s NetworkPolicy"); in an Antrea NetworkPolicy, its own namespace's.
 */
function entriesPodSet(entries: readonly Entry[], namespaced: boolean): PodSet {
  // No entry: every group its appliedTo names has no pod member (a missing group, ipBlocks only).
  if (!entries.length) return { namespaces: { kind: 'names', names: [] } };
  const scope = (e: Entry): PodSet['namespaces'] => (namespaced ? { kind: 'policy' } : { kind: 'selector', selector: e.namespaces ?? EVERY_NAMESPACE });
  if (entries.length === 1) return { namespaces: scope(entries[0]), ...(entries[0].pods ? { pods: entries[0].pods } : {}), excludeHostNetwork: true };
  return { namespaces: namespaced ? { kind: 'policy' } : { kind: 'selector', selector: EVERY_NAMESPACE }, where: anyEntry(entries), excludeHostNetwork: true };
}

/** Any of several entries, judged on the class's labels and its namespace's (the name label at least). */
function anyEntry(entries: readonly Entry[], ignoring?: ReadonlySet<string>): ClassPredicate {
  const nsKeys = [...new Set(entries.flatMap((e) => (e.namespaces?.keys ?? ['*']).filter((k) => k !== NAME_LABEL)))].sort();
  const matches = (cls: { labels: Labels; namespace: string }, nsLabels: Labels) => entries.some((e) => (!e.pods || e.pods.matches(cls.labels))
    && (!e.namespaces || (ignoring !== undefined && (e.namespaces.keys ?? ['*']).some((k) => ignoring.has(k))) || e.namespaces.matches({ [NAME_LABEL]: cls.namespace, ...nsLabels })));
  const key = `antrea-applied-to:${entries.map((e) => `${e.pods?.key ?? '*'}@${e.namespaces?.key ?? '*'}`).join('|')}`;
  if (ignoring) return { key: `${key}~`, matches };
  return { key, matches, ...(nsKeys.length ? { namespaceLabels: { keys: nsKeys, without: anyEntry(entries, new Set([...nsKeys, '*'])) } } : {}) };
}

/** A peer's pods: `self` marks `namespaces: {match: Self}` (resolved per namespace by expandSelf). */
type ReadPeer = Peer | { kind: 'self'; pods?: Selector };

/**
 * A `group` peer: "A `group` refers to a ClusterGroup to which an ingress/egress peer [...] must
 * resolve to" ("Behavior of *to* and *from* selectors"), a Group of the policy's namespace in an
 * Antrea NetworkPolicy; its pods (never host-network ones, as for every group: readPeer) and its
 * ipBlocks, a child group's too (clusternetworkpolicy.go processInternalGroupForRule at v2.2.0).
 */
function readGroupPeer(o: Record<string, unknown>, at: string, r: Reading): Peer[] {
  const others = present(o).filter((k) => k !== 'group');
  // "group cannot be set with other peers in rules" (validate.go validatePeers).
  if (others.length) {
    r.errors.push(`${at}: group cannot be set with ${others.map(fieldName).join(', ')}`);
    return [];
  }
  const got = groupMembers(o.group, `${at}.group`, r);
  if (!got) return [];
  return [...got.pods.map((g): Peer => ({
    kind: 'pods',
    namespaces: g.namespace !== undefined ? { kind: 'names', names: [g.namespace] } : { kind: 'selector', selector: g.namespaces ?? EVERY_NAMESPACE },
    ...(g.pods ? { pods: g.pods } : {}),
    excludeHostNetwork: true,
  })), ...got.blocks];
}

/**
 * One `from`/`to` entry ("Behavior of *to* and *from* selectors"). Host-network pods are never
 * group members ("HostNetwork Pods should be excluded from group members",
 * networkpolicy_controller.go:1205 at v2.2.0). An ipBlock matches pod addresses too (readIpBlock).
 */
function readPeer(raw: unknown, at: string, namespaced: boolean, r: Reading): ReadPeer | undefined {
  const o = obj(raw);
  if (!o) return void r.errors.push(`${at}: not an object`);
  const keys = present(o);
  const allowed = ['podSelector', 'namespaceSelector', 'ipBlock', ...(namespaced ? [] : ['namespaces'])];
  const other = keys.filter((k) => !allowed.includes(k));
  if (other.length) return void r.unsupported.push(other.map((k) => `${at}.${fieldName(k)}`).join(', '));
  if (!keys.length) return void r.errors.push(`${at}: sets no peer field`);
  if (keys.includes('ipBlock')) {
    if (keys.length > 1) return void r.errors.push(`${at}: ipBlock cannot be combined with ${keys.filter((k) => k !== 'ipBlock').join(', ')}`);
    return readIpBlock(o.ipBlock, `${at}.ipBlock`, r.errors);
  }
  let pods: Selector | undefined;
  if (keys.includes('podSelector')) {
    const p = parseSelector(o.podSelector, `${at}.podSelector`);
    r.errors.push(...p.errors);
    if (!p.selector) return undefined;
    pods = p.selector;
  }
  if (keys.includes('namespaces')) {
    // "Currently, the `namespaces` field has only one matching strategy, `Self`"; sameLabels (v2.0) is not evaluated.
    const ns = obj(o.namespaces);
    if (keys.includes('namespaceSelector')) return void r.errors.push(`${at}: namespaces cannot be set with namespaceSelector`);
    if (!ns || present(ns).length !== 1 || ns.match !== 'Self') return void r.unsupported.push(`${at}.namespaces${ns && present(ns).length === 1 && ns.match === undefined ? `.${fieldName(present(ns)[0])}` : ''}`);
    return { kind: 'self', ...(pods ? { pods } : {}) };
  }
  let namespaces: PodSet['namespaces'] = namespaced ? { kind: 'policy' } : { kind: 'selector', selector: EVERY_NAMESPACE };
  if (keys.includes('namespaceSelector')) {
    const n = parseSelector(o.namespaceSelector, `${at}.namespaceSelector`);
    r.errors.push(...n.errors);
    if (!n.selector) return undefined;
    namespaces = { kind: 'selector', selector: n.selector };
  }
  return { kind: 'pods', namespaces, ...(pods ? { pods } : {}), excludeHostNetwork: true };
}

/** A rule's `ports`: unset or empty is every port; a string port is a named port; endPort only after a numeric port. */
function readPorts(raw: unknown, at: string, r: Reading): PortSpec[] | 'any' {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return 'any';
  if (!Array.isArray(raw)) {
    r.errors.push(`${at}: not a list`);
    return [];
  }
  const out: PortSpec[] = [];
  raw.forEach((p, i) => {
    const where = `${at}[${i}]`;
    const o = obj(p);
    if (!o) return void r.errors.push(`${where}: not an object`);
    const other = present(o).filter((k) => !['protocol', 'port', 'endPort'].includes(k));
    if (other.length) return void r.unsupported.push(other.map((k) => `${where}.${fieldName(k)}`).join(', '));
    const protocol: unknown = o.protocol ?? 'TCP';
    if (!isProtocol(protocol)) return void r.errors.push(`${where}.protocol: "${String(o.protocol)}" is not TCP, UDP or SCTP`);
    const proto: Protocol = protocol;
    if (o.port === undefined || o.port === null) {
      if (o.endPort !== undefined) return void r.errors.push(`${where}.endPort: set without a numeric port`);
      return void out.push({ protocol: proto, kind: 'all' });
    }
    // A string port is a port name, digits or not (crd_utils.go toAntreaServicesForCRD at v2.2.0),
    // "if `port` is a string `endPort` cannot be specified" (validate.go validatePort).
    if (typeof o.port === 'string') {
      if (o.endPort !== undefined && o.endPort !== null) return void r.errors.push(`${where}.endPort: set with the string port ${JSON.stringify(o.port)}, which Antrea's admission webhook refuses (a string port is a port name)`);
      // A name no container port may carry (an all-digit "5432" among them: pod validation's
      // IsValidPortName) resolves on no pod, and the agent drops it: "the rule just falls back to
      // allowing no port" when none resolves (pod_reconciler.go filterUnresolvablePort).
      if (portNameError(o.port)) return void r.notes.push(`${where}.port: ${JSON.stringify(o.port)} is a string, which Antrea reads as a port name, and no container port can be named so: it matches no port`);
      return void out.push({ protocol: proto, kind: 'named', name: o.port });
    }
    const lo = o.port;
    const hi = o.endPort ?? lo;
    if (!isPort(lo) || !isPort(hi) || hi < lo) return void r.errors.push(`${where}: port ${String(o.port)}${o.endPort !== undefined ? `-${String(o.endPort)}` : ''} is not a port range within 1-65535`);
    out.push({ protocol: proto, kind: 'range', lo, hi });
  });
  return out;
}

/** "the available actions are ["Allow", "Drop", "Reject", "Pass"]": Reject is a deny that answers the client (the rule keeps its written action for display: Rule.writtenAction). */
const ACTIONS: Readonly<Record<string, Action>> = { Allow: 'Allow', Drop: 'Deny', Reject: 'Deny', Pass: 'Pass' };
const RULE_KEYS = ['action', 'name', 'ports', 'appliedTo', 'enableLogging', 'logLabel'];
/**
 * Rule lists an empty value leaves unset: Antrea loops over `protocols` (crd_utils.go
 * toAntreaServicesForCRD) and decides `l7Protocols` by length (validate.go validateL7Protocols,
 * the agent's `len(rule.L7Protocols) != 0`). Not `toServices`: an empty one is still "not nil"
 * (clusternetworkpolicy.go processClusterNetworkPolicy), a peer of its own.
 */
const EMPTY_IS_UNSET = ['protocols', 'l7Protocols'];

interface ReadRule { rule: Rule; self: Array<{ kind: 'self'; pods?: Selector }>; entries?: Entry[] }

function readRules(spec: Record<string, unknown>, dir: 'ingress' | 'egress', namespaced: boolean, baseline: boolean, r: Reading): ReadRule[] | undefined {
  const raw = spec[dir];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) return void r.errors.push(`spec.${dir}: not a list`);
  const peerKey = dir === 'ingress' ? 'from' : 'to';
  const out: ReadRule[] = [];
  raw.forEach((x, index) => {
    const at = `spec.${dir}[${index}]`;
    const o = obj(x);
    if (!o) return void r.errors.push(`${at}: not an object`);
    const other = present(o).filter((k) => k !== peerKey && !RULE_KEYS.includes(k) && !(EMPTY_IS_UNSET.includes(k) && !isSet(o[k])));
    if (other.length) r.unsupported.push(other.map((k) => `${at}.${fieldName(k)}`).join(', '));
    const written = o.action;
    const action = typeof written === 'string' && Object.hasOwn(ACTIONS, written) ? ACTIONS[written] : undefined;
    if (!action) return void r.errors.push(`${at}.action: "${String(written)}" is not Allow, Drop, Reject or Pass`);
    // "the "Pass" action does not make sense when configured in Baseline Tier ACNP rules, and such configurations will be rejected by the admission controller".
    if (action === 'Pass' && baseline) r.errors.push(`${at}.action: Pass in the baseline tier is refused by Antrea's admission webhook ("Antrea ClusterNetworkPolicy", action)`);
    const peersRaw = o[peerKey];
    let peers: Peer[] | 'any' = 'any';
    const self: ReadRule['self'] = [];
    if (Array.isArray(peersRaw) && peersRaw.length) {
      peers = [];
      for (const [i, p] of peersRaw.entries()) {
        const group = obj(p);
        if (group && group.group !== undefined && group.group !== null) {
          peers.push(...readGroupPeer(group, `${at}.${peerKey}[${i}]`, r));
          continue;
        }
        const peer = readPeer(p, `${at}.${peerKey}[${i}]`, namespaced, r);
        if (peer?.kind === 'self') self.push(peer);
        else if (peer) peers.push(peer);
      }
    } else if (peersRaw !== undefined && peersRaw !== null && !Array.isArray(peersRaw)) r.errors.push(`${at}.${peerKey}: not a list`);
    const ports = readPorts(o.ports, `${at}.ports`, r);
    // An empty appliedTo is unset (validate.go validateAppliedTo counts `len(rule.AppliedTo) != 0`).
    const entries = isSet(o.appliedTo) ? readEntries(o.appliedTo, `${at}.appliedTo`, namespaced, r) : undefined;
    const name = typeof o.name === 'string' && o.name ? { name: o.name } : {};
    out.push({ rule: { index, ...name, action, ...(typeof written === 'string' && written !== action ? { writtenAction: written } : {}), peers, ports }, self, ...(entries ? { entries } : {}) });
  });
  return out;
}

/**
 * `namespaces: {match: Self}`: "for each Pod targeted by the appliedTo of the policy/rule, this
 * field will cause the rule to select endpoints in the same Namespace as that Pod" ("Selecting Pods
 * in the same Namespace with Self"). The model has no peer relative to the subject, so the rule is
 * written once per namespace, each copy holding only that namespace's subjects.
 */
function expandSelf(rr: ReadRule, namespaces: readonly string[], namespaced: boolean): Rule[] {
  const own = rr.entries ? { subject: entriesPodSet(rr.entries, namespaced) } : {};
  if (!rr.self.length) return [{ ...rr.rule, ...own }];
  const others = rr.rule.peers === 'any' ? [] : rr.rule.peers;
  const where = rr.entries ? { where: anyEntry(rr.entries) } : {};
  return namespaces.map((ns) => ({
    ...rr.rule,
    peers: [...others, ...rr.self.map((s): Peer => ({ kind: 'pods', namespaces: { kind: 'names', names: [ns] }, ...(s.pods ? { pods: s.pods } : {}), excludeHostNetwork: true }))],
    subject: { namespaces: { kind: 'names', names: [ns] }, ...where, excludeHostNetwork: true },
  }));
}

/** The tier a policy names and its priority, or why it cannot be placed. */
function resolveTier(spec: Record<string, unknown>, tiers: ReadonlyMap<string, number>, tiersRead: boolean): { tier: string; priority?: number; why?: string } {
  // "Any Antrea-native Policy resource without a `tier` name set in its spec will be associated with the "application" Tier."
  const written = typeof spec.tier === 'string' && spec.tier ? spec.tier : 'application';
  const tier = LEGACY_STATIC.has(written) ? written.toLowerCase() : written;
  const priority = ANTREA_STATIC_TIERS[tier] ?? tiers.get(tier);
  if (priority !== undefined) return { tier, priority };
  return { tier, why: `spec.tier ${JSON.stringify(written)} names no static tier and ${tiersRead ? 'no Tier object in the snapshot' : 'Tier objects (tiers.crd.antrea.io) were not read'}` };
}

function layerOf(o: KubeObject, namespaced: boolean, tiers: ReadonlyMap<string, number>, tiersRead: boolean, namespaces: readonly string[], declared: ReadonlySet<string>, groups: GroupIndex, notes: CoverageNote[]): LayerPolicy {
  const name = o.metadata?.name ?? '(unnamed)';
  const namespace = namespaced ? o.metadata?.namespace ?? 'default' : undefined;
  const spec = obj(o.spec) ?? {};
  const { tier, priority: tierPriority, why: tierWhy } = resolveTier(spec, tiers, tiersRead);
  const baseline = tier === ANTREA_BASELINE_TIER;
  const r: Reading = { unsupported: [], errors: [], notes: [], groups, ...(namespace !== undefined ? { namespace } : {}) };
  const other = present(spec).filter((k) => !['priority', 'tier', 'appliedTo', 'ingress', 'egress'].includes(k));
  if (other.length) r.unsupported.push(other.map((k) => `spec.${fieldName(k)}`).join(', '));
  // "This field is mandatory. [...] Priority values can range from 1.0 to 10000.0."
  const order = typeof spec.priority === 'number' && Number.isFinite(spec.priority) ? spec.priority : undefined;
  if (order === undefined) r.errors.push('spec.priority: missing (a number from 1.0 to 10000.0)');
  const policyEntries = isSet(spec.appliedTo) ? readEntries(spec.appliedTo, 'spec.appliedTo', namespaced, r) : undefined;
  const ingress = readRules(spec, 'ingress', namespaced, baseline, r);
  const egress = readRules(spec, 'egress', namespaced, baseline, r);
  const all = [...(ingress ?? []), ...(egress ?? [])];
  // "appliedTo must be set either at the policy level or at every rule" ("appliedTo per rule"), an
  // empty list being unset (validate.go validateAppliedTo: `appliedToInSpec := len(specAppliedTo) != 0`;
  // clusternetworkpolicy.go, antreanetworkpolicy.go: `appliedToPerRule := len(...Spec.AppliedTo) == 0`).
  const perRule = !isSet(spec.appliedTo);
  if (perRule && (all.length === 0 || all.some((x) => !x.entries)) && !r.unsupported.length) r.errors.push('appliedTo: set neither at the policy level nor at every rule');
  if (!perRule && all.some((x) => x.entries)) r.errors.push('appliedTo: set both at the policy level and in a rule');

  const kindLabel = namespaced ? 'Antrea NetworkPolicy' : 'Antrea ClusterNetworkPolicy';
  const displayName = namespace !== undefined ? `${namespace}/${name}` : name;
  const common = {
    api: 'Antrea' as const,
    layer: 'antrea' as const,
    ref: { kind: namespaced ? 'NetworkPolicy' : 'ClusterNetworkPolicy', ...(namespace !== undefined ? { namespace } : {}), name, apiVersion: o.apiVersion ?? 'crd.antrea.io/v1beta1' },
    id: `${namespaced ? 'AntreaNetworkPolicy' : 'AntreaClusterNetworkPolicy'}:${displayName}`,
    displayName,
    kindLabel,
    ...(namespace !== undefined ? { namespace } : {}),
    tier,
    ...(tierPriority !== undefined ? { tierOrder: tierPriority } : {}),
    ...(order !== undefined ? { order } : {}),
    sortName: displayName,
    // Antrea-native policies do not isolate: "explicit rules need to be created for that purpose".
    isolates: { ingress: false, egress: false },
    raw: o,
  };
  for (const message of r.notes) notes.push({ object: common.ref, message: `${kindLabel} ${displayName}: ${message}` });
  const entries = policyEntries ?? (perRule && all.length && all.every((x) => x.entries) ? all.flatMap((x) => x.entries!) : undefined);
  const why = [...(tierWhy ? [tierWhy] : []), ...(r.unsupported.length ? [`${r.unsupported.join('; ')} ${r.unsupported.length > 1 ? 'are' : 'is'} not evaluated by ztaudit`] : []), ...r.errors];
  if (why.length) {
    // Left out: in doubt over every pod it may apply to, in the directions it has rules for.
    const where = entries ? 'the pods its appliedTo selects' : `every pod ${namespaced ? 'of its namespace' : 'of the cluster'} (its appliedTo is not read by ztaudit)`;
    const when = baseline ? 'after the Kubernetes NetworkPolicies (tier baseline)' : `before the Kubernetes NetworkPolicies (tier ${tier})`;
    const hasRules = (dir: 'ingress' | 'egress') => Array.isArray(spec[dir]) && (spec[dir] as unknown[]).length > 0;
    return {
      ...common,
      subject: entries ? doubtScope(entries, namespaced, declared) : { namespaces: namespaced ? { kind: 'policy' } : { kind: 'selector', selector: EVERY_NAMESPACE } },
      ...(hasRules('ingress') ? { ingress: [] } : {}),
      ...(hasRules('egress') ? { egress: [] } : {}),
      errors: [`${why.join('; ')}; Antrea enforces this policy ${when}, so every verdict on ${where} cannot be confirmed`],
      unevaluated: true,
    };
  }
  const subject = entriesPodSet(entries!, namespaced);
  const rules = (list: ReadRule[] | undefined) => list?.flatMap((x) => expandSelf(x, namespaced ? [namespace!] : namespaces, namespaced));
  return { ...common, subject, ...(ingress?.length ? { ingress: rules(ingress) } : {}), ...(egress?.length ? { egress: rules(egress) } : {}), errors: [] };
}

/**
 * The pods an unevaluated policy may apply to. A namespace no manifest declares has only its name
 * label known, so a namespace selector is taken to select it: the scope of doubt never shrinks by a guess.
 */
function doubtScope(entries: readonly Entry[], namespaced: boolean, declared: ReadonlySet<string>): PodSet {
  const key = `antrea-may-apply-to:${entries.map((e) => `${e.pods?.key ?? '*'}@${e.namespaces?.key ?? '*'}`).join('|')}`;
  return {
    namespaces: namespaced ? { kind: 'policy' } : { kind: 'selector', selector: EVERY_NAMESPACE },
    where: { key, matches: (cls, nsLabels) => entries.some((e) => (!e.pods || e.pods.matches(cls.labels)) && (!e.namespaces || !declared.has(cls.namespace) || e.namespaces.matches(nsLabels))) },
  };
}

export const antreaAdapter: PolicyApiAdapter = {
  api: 'Antrea',
  // Not 'antrea.tiers': unread, it leaves in doubt only the policies naming a custom tier
  // (resolveTier), not every verdict as an unread policy kind does (model.ts unreadPolicyKinds).
  kinds: ['antrea.clusternetworkpolicies', 'antrea.networkpolicies'],
  parse: ({ snapshot, namespaceLabels }) => {
    const tiers = new Map<string, number>();
    for (const t of snapshot.resources['antrea.tiers'] ?? []) {
      const p = obj(t.spec)?.priority;
      if (t.metadata?.name && typeof p === 'number' && Number.isInteger(p)) tiers.set(t.metadata.name, p);
    }
    // Absent (no Tier CRD, or no Tier among the manifests) is read: there is no custom tier.
    const tiersRead = ['ok', 'absent'].includes(snapshot.coverage['antrea.tiers']?.status ?? '');
    const namespaces = [...namespaceLabels.keys()].sort();
    const declared = new Set<string>();
    for (const n of snapshot.resources.namespaces ?? []) if (n.metadata?.name) declared.add(n.metadata.name);
    const groups = groupIndex(snapshot);
    const notes: CoverageNote[] = [];
    const policies = [
      ...(snapshot.resources['antrea.clusternetworkpolicies'] ?? []).map((o) => layerOf(o, false, tiers, tiersRead, namespaces, declared, groups, notes)),
      ...(snapshot.resources['antrea.networkpolicies'] ?? []).map((o) => layerOf(o, true, tiers, tiersRead, namespaces, declared, groups, notes)),
    ];
    return { policies, notes };
  },
};
