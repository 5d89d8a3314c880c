// DestinationRule client TLS: where a rule overrides auto-mTLS, and whether its host is a
// service inside the mesh (a cluster-local name whose backing pods, when known, are meshed).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { MeshModel, WorkloadMesh } from './model.ts';
import { memoize } from '../memo.ts';
import { selectorMatches } from './istio.ts';
import { arr, obj, str, stringMap, type Json } from './util.ts';

export interface TlsSetting {
  location: string;
  /** tls.mode, DISABLE when the tls block leaves it out (TLSSettings.TLSmode DISABLE = 0). */
  mode: string;
  /** The tls block has no mode, so the DISABLE default applies. */
  defaulted: boolean;
  insecureSkipVerify: boolean;
  /** The subset whose trafficPolicy holds it; undefined at the rule's own. */
  subset?: string;
}

function tlsOf(trafficPolicy: unknown, prefix: string, out: TlsSetting[], subset?: string): void {
  const tp = obj(trafficPolicy);
  if (!tp) return;
  const push = (tlsRaw: unknown, location: string) => {
    const tls = obj(tlsRaw);
    if (!tls) return;
    const defaulted = tls.mode === undefined || tls.mode === null;
    out.push({ location, mode: defaulted ? 'DISABLE' : String(tls.mode), defaulted, insecureSkipVerify: tls.insecureSkipVerify === true, ...(subset !== undefined ? { subset } : {}) });
  };
  push(tp.tls, `${prefix}trafficPolicy`);
  for (const [i, pls] of arr(tp.portLevelSettings).entries()) {
    const p = obj(pls);
    const port = obj(p?.port)?.number;
    push(p?.tls, `${prefix}trafficPolicy.portLevelSettings[${typeof port === 'number' ? `port ${port}` : i}]`);
  }
}

export function destinationRuleTlsSettings(dr: KubeObject): TlsSetting[] {
  const spec = obj(dr.spec) ?? {};
  const out: TlsSetting[] = [];
  tlsOf(spec.trafficPolicy, '', out);
  for (const [i, sub] of arr(spec.subsets).entries()) {
    const s = obj(sub);
    tlsOf(s?.trafficPolicy, `subsets[${str(s?.name) ?? i}].`, out, str(s?.name));
  }
  return out;
}

const servicesByName = memoize((snapshot: Snapshot) => {
  const map = new Map<string, KubeObject>();
  for (const s of snapshot.resources.services ?? []) map.set(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, s);
  return map;
}, 'mtls');

export interface HostVerdict {
  host: string;
  inMesh: boolean;
  reason: string;
  /** A partly qualified Kubernetes name (name.ns, name.ns.svc, *.ns) that Istio leaves as is, so it matches no Service. */
  unqualified?: true;
}

/**
 * Whether a DestinationRule host is served inside the mesh, resolved as istiod does
 * (pilot/pkg/model/config.go resolveShortnameToFQDN): a name without a dot becomes
 * name.<rule namespace>.svc.<domain>; any other name is taken as written, so only
 * name.ns.svc.<domain> and wildcards over those (*, *.local, *.cluster.local,
 * *.svc.cluster.local, *.ns.svc.<domain>) reach Kubernetes Services; name.ns, name.ns.svc
 * and *.ns match none. Other names are external (ServiceEntry) hosts. A Service found in
 * the snapshot whose selected workloads are all outside the mesh is not in the mesh, nor is an
 * ExternalName Service.
 */
export function inMeshHost(dr: KubeObject, snapshot: Snapshot, model: MeshModel): HostVerdict {
  const ns = dr.metadata?.namespace ?? 'default';
  const host = str(obj(dr.spec)?.host) ?? '';
  if (!host) return { host, inMesh: false, reason: 'no spec.host' };
  if (host === '*' || host === '*.local' || host === '*.cluster.local' || host === '*.svc.cluster.local') return { host, inMesh: true, reason: 'wildcard over in-cluster services' };
  const labels = host.split('.');
  let svcName: string | undefined;
  let svcNs = ns;
  if (labels.length === 1) svcName = labels[0];
  else if (labels.length >= 4 && labels[2] === 'svc') [svcName, svcNs] = labels;
  if (!svcName) {
    const partial = (labels.length === 2 && model.namespaces.has(labels[1])) || (labels.length === 3 && labels[2] === 'svc');
    if (partial) {
      const fqdn = `${labels[0]}.${labels[1]}.svc.cluster.local`;
      return { host, inMesh: false, unqualified: true, reason: `Istio qualifies only names without a dot, so ${host} matches no Kubernetes Service (write ${fqdn})` };
    }
    return { host, inMesh: false, reason: 'not a cluster-local service name' };
  }
  if (svcName === '*') return { host, inMesh: true, reason: `wildcard over services in namespace ${svcNs}` };

  const svc = servicesByName(snapshot).get(`${svcNs}/${svcName}`);
  if (!svc) return { host, inMesh: true, reason: `cluster-local service ${svcNs}/${svcName} (not in snapshot; assumed meshed)` };
  // istiod registers an ExternalName Service as MeshExternal, a DNS name outside the mesh
  // (pilot/pkg/serviceregistry/kube/conversion.go convertService: meshExternal = true).
  if ((obj(svc.spec) as Json | undefined)?.type === 'ExternalName') return { host, inMesh: false, reason: `service ${svcNs}/${svcName} is of type ExternalName, outside the mesh` };
  const selector = stringMap((obj(svc.spec) as Json | undefined)?.selector);
  if (Object.keys(selector).length === 0) return { host, inMesh: true, reason: `service ${svcNs}/${svcName} has no selector` };
  const backends = (model.workloadsByNamespace.get(svcNs) ?? []).filter((w) => selectorMatches(selector, w.labels));
  if (backends.length === 0) return { host, inMesh: true, reason: `service ${svcNs}/${svcName} (no backing workloads found)` };
  const meshed = backends.filter((w) => w.mesh !== 'none');
  if (meshed.length === 0) return { host, inMesh: false, reason: `backing workloads of ${svcNs}/${svcName} run without a mesh proxy` };
  return { host, inMesh: true, reason: `${meshed.length} meshed backing workload(s) of ${svcNs}/${svcName}` };
}

// ---- which in-mesh Services a DestinationRule gives Istio mutual TLS (auto-mTLS off) ----

/** A Service whose selector picks at least one workload running with an Istio dataplane. */
export interface MeshedService {
  ref: ResourceRef;
  namespace: string;
  name: string;
  ports: number[];
  meshedBackends: number;
}

/**
 * Services backed by Istio-meshed workloads (those `include` keeps). Workloads are indexed by
 * namespace and label pair, so each Service only filters the workloads sharing its rarest selector pair.
 * The index nests namespace -> key -> value maps rather than joining them into one string key:
 * at L (35k meshed workloads, 140k labels, 50k Services) building and hashing a new string per
 * label and per selector pair made this function take ~210-270 ms of CPU, ~90-130 ms without
 * (docs/performance.md, "A thirty-third session: the mtls and Pod Security areas").
 */
export function istioMeshedServices(snapshot: Snapshot, model: MeshModel, include: (w: WorkloadMesh) => boolean = () => true): MeshedService[] {
  const byPair = new Map<string, Map<string, Map<string, WorkloadMesh[]>>>();
  for (const w of model.workloads) {
    if (w.mesh !== 'istio' || !include(w)) continue;
    let byKey = byPair.get(w.namespace);
    if (!byKey) byPair.set(w.namespace, (byKey = new Map()));
    for (const k in w.labels) {
      const v = w.labels[k];
      let byValue = byKey.get(k);
      if (!byValue) byKey.set(k, (byValue = new Map()));
      const list = byValue.get(v);
      if (list) list.push(w);
      else byValue.set(v, [w]);
    }
  }
  const out: MeshedService[] = [];
  for (const svc of snapshot.resources.services ?? []) {
    const spec = obj(svc.spec) ?? {};
    if (spec.type === 'ExternalName') continue;
    const selector = stringMap(spec.selector);
    const pairs = Object.entries(selector);
    if (pairs.length === 0) continue; // endpoints managed by hand: backends unknown
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const byKey = byPair.get(namespace);
    let candidates: WorkloadMesh[] | undefined;
    for (const [k, v] of pairs) {
      const list = byKey?.get(k)?.get(v);
      if (!list) { candidates = undefined; break; }
      if (!candidates || list.length < candidates.length) candidates = list;
    }
    const meshed = (candidates ?? []).filter((w) => selectorMatches(selector, w.labels)).length;
    if (meshed === 0) continue;
    const ports = arr(spec.ports).map((p) => obj(p)?.port).filter((n): n is number => typeof n === 'number' && Number.isInteger(n));
    out.push({ ref: { kind: 'Service', namespace, name }, namespace, name, ports, meshedBackends: meshed });
  }
  return out;
}

export interface ClientTlsRule {
  ref: ResourceRef;
  /** trafficPolicy.tls.mode (undefined: no tls block, so no TLS when auto-mTLS is off). */
  mode?: string;
  /** portLevelSettings port number -> tls.mode, for entries that carry a tls block. */
  ports: Map<number, string>;
  /** exportTo with "." replaced by the rule's namespace; empty = every namespace. */
  exportTo: Set<string>;
  /** workloadSelector.matchLabels: the rule applies only to the client sidecars these select, in its own namespace. */
  selector?: Record<string, string>;
  /** metadata.creationTimestamp, for istiod's oldest-first order among selector rules. */
  created: string;
  /** The subsets whose trafficPolicy carries a tls block (itself or per port): they override the rule's for traffic routed to them. */
  subsets: SubsetTls[];
  /** Every subset the rule declares, a tls block or not (a route to another name has no cluster to go to). */
  subsetNames: Set<string>;
}

export interface SubsetTls {
  name: string;
  /** subsets[].trafficPolicy.tls.mode (undefined: no tls block, the rule's applies). */
  mode?: string;
  ports: Map<number, string>;
}

const modeOf = (tls: unknown) => {
  const t = obj(tls);
  if (!t) return undefined;
  return typeof t.mode === 'string' ? t.mode : 'DISABLE'; // TLSSettings.mode defaults to DISABLE
};

function portModes(tp: Json | undefined): Map<number, string> {
  const ports = new Map<number, string>();
  for (const pls of arr(tp?.portLevelSettings)) {
    const p = obj(pls);
    const n = obj(p?.port)?.number;
    const m = modeOf(p?.tls);
    if (typeof n === 'number' && m !== undefined) ports.set(n, m);
  }
  return ports;
}

function clientTlsRule(dr: KubeObject): ClientTlsRule {
  const ns = dr.metadata?.namespace ?? 'default';
  const spec = obj(dr.spec);
  const tp = obj(spec?.trafficPolicy);
  const ports = portModes(tp);
  const subsets: SubsetTls[] = [];
  const subsetNames = new Set<string>();
  for (const [i, raw] of arr(spec?.subsets).entries()) {
    const sub = obj(raw);
    if (str(sub?.name)) subsetNames.add(str(sub?.name)!);
    const stp = obj(sub?.trafficPolicy);
    const mode = modeOf(stp?.tls);
    const sp = portModes(stp);
    if (mode !== undefined || sp.size > 0) subsets.push({ name: str(sub?.name) ?? `#${i}`, ...(mode !== undefined ? { mode } : {}), ports: sp });
  }
  const exportTo = new Set(arr(spec?.exportTo).map((e) => (str(e) === '.' ? ns : str(e) ?? '')).filter((e) => e));
  const ws = obj(spec?.workloadSelector);
  const selector = ws ? stringMap(ws.matchLabels) : undefined;
  const created = str(dr.metadata?.creationTimestamp) ?? '';
  return { ref: { kind: 'DestinationRule', namespace: ns, name: dr.metadata?.name ?? '' }, mode: modeOf(tp?.tls), ports, exportTo, ...(selector ? { selector } : {}), created, subsets, subsetNames };
}

/** The DestinationRules with a subset that sets client TLS of its own (where mesh VirtualService routes decide whether it applies). */
export function subsetTlsRuleCount(destinationRules: KubeObject[]): number {
  return destinationRules.filter((dr) => clientTlsRule(dr).subsets.length > 0).length;
}

/**
 * One namespace's rules by host, for istiod's MostSpecificHostMatch: an exact service host
 * (key ns/name), then *.ns.svc.<domain>, then the longest other wildcard.
 */
interface HostIndex {
  exact: Map<string, ClientTlsRule[]>;
  nsWildcard: Map<string, ClientTlsRule[]>;
  /** Longest suffix first. */
  wildcards: Array<{ suffix: string; rules: ClientTlsRule[] }>;
}

export type HostKey = { kind: 'exact'; key: string } | { kind: 'ns'; key: string } | { kind: 'suffix'; suffix: string };

/** A host as istiod resolves it in namespace `ruleNs` (a short name there; name.ns is not expanded): undefined when it names no Kubernetes Service. */
export function hostKeyOf(host: string, ruleNs: string): HostKey | undefined {
  const labels = host.split('.');
  if (host === '*') return { kind: 'suffix', suffix: '' };
  if (labels[0] === '*') {
    // *.ns.svc.<domain> covers one namespace whatever the cluster domain.
    if (labels.length >= 4 && labels[2] === 'svc' && labels[1] !== '*') return { kind: 'ns', key: labels[1] };
    return { kind: 'suffix', suffix: host.slice(1) };
  }
  if (labels.length === 1) return { kind: 'exact', key: `${ruleNs}/${host}` };
  if (labels.length >= 4 && labels[2] === 'svc') return { kind: 'exact', key: `${labels[1]}/${labels[0]}` };
  return undefined; // name.ns, name.ns.svc, external names: no Kubernetes Service
}

function addToIndex(index: HostIndex, key: HostKey, rule: ClientTlsRule): void {
  const push = (map: Map<string, ClientTlsRule[]>, k: string) => {
    const list = map.get(k);
    if (list) list.push(rule);
    else map.set(k, [rule]);
  };
  if (key.kind === 'exact') push(index.exact, key.key);
  else if (key.kind === 'ns') push(index.nsWildcard, key.key);
  else {
    const suffix = key.suffix;
    const w = index.wildcards.find((x) => x.suffix === suffix);
    if (w) w.rules.push(rule);
    else index.wildcards.push({ suffix, rules: [rule] });
  }
}

function mostSpecific(index: HostIndex | undefined, svc: ServiceName): ClientTlsRule[] | undefined {
  if (!index) return undefined;
  const exact = index.exact.get(`${svc.namespace}/${svc.name}`) ?? index.nsWildcard.get(svc.namespace);
  if (exact) return exact;
  const fqdn = `${svc.name}.${svc.namespace}.svc.cluster.local`;
  return index.wildcards.find((w) => fqdn.endsWith(w.suffix))?.rules;
}

const visibleTo = (rules: ClientTlsRule[], client: string) => {
  const to = new Set(rules.flatMap((r) => [...r.exportTo]));
  return to.size === 0 || to.has('*') || to.has(client);
};

export interface ServiceTlsCoverage {
  covered: boolean;
  /** The client namespace whose DestinationRule lookup fails (the first found), when not covered. */
  clientNamespace?: string;
  /** The DestinationRules Istio gives that client (or, when covered, every client) for the host. */
  rules: ResourceRef[];
  reason: string;
}

/** A Service as a DestinationRule host names it. */
export type ServiceName = Pick<MeshedService, 'namespace' | 'name'>;

/** What a client sidecar (or, without its labels, a client namespace) is given for a host. */
export interface DestinationRuleLookup {
  /** The rules applied (tied rules all listed), or none. */
  rules?: ClientTlsRule[];
  why: string;
  /**
   * Asked without the caller's labels: the client namespace's workloadSelector rules for the
   * host, each applied instead of `rules` to the sidecars it selects (oldest first).
   */
  selected?: ClientTlsRule[];
}

/** The DestinationRules a client namespace's sidecars apply to a Service, found as istiod does (istioMutualCoverage). */
export interface DestinationRuleIndex {
  /**
   * The rules for one client namespace (tied rules all listed), or why none applies. With the
   * caller's pod labels, its own namespace's workloadSelector rules that select it are weighed;
   * without them, they are returned apart (`selected`).
   */
  lookup: (svc: ServiceName, client: string, callerLabels?: Record<string, string>) => DestinationRuleLookup;
  /** The namespaces whose lookup for this Service may differ from that of a namespace without rules. */
  special: (svc: ServiceName) => Set<string>;
}

const oldestFirst = (a: ClientTlsRule, b: ClientTlsRule) =>
  (a.created < b.created ? -1 : a.created > b.created ? 1 : 0) || `${a.ref.namespace}/${a.ref.name}`.localeCompare(`${b.ref.namespace}/${b.ref.name}`);

const selectorText = (r: ClientTlsRule) => `${r.ref.namespace}/${r.ref.name} (workloadSelector ${Object.entries(r.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || 'empty'})`;

/**
 * The rule a client sidecar applies among those one namespace gives a host, as istiod's
 * SidecarScope.DestinationRule (pilot/pkg/model/sidecar.go) picks it for outbound traffic: a rule
 * with a workloadSelector applies only when it is in the client's own namespace and its
 * matchLabels are a subset of the client's labels (the first such, configs being ordered oldest
 * first); otherwise the rule without a selector (the catch-all), or none, since istiod does not
 * look further once a namespace has rules for the host
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/, workloadSelector).
 */
function chooseForCaller(rules: ClientTlsRule[], client: string, callerLabels: Record<string, string> | undefined, where: string): DestinationRuleLookup {
  const withSelector = rules.filter((r) => r.selector);
  if (withSelector.length === 0) return { rules, why: where };
  const catchAll = rules.filter((r) => !r.selector);
  const own = withSelector.filter((r) => r.ref.namespace === client).sort(oldestFirst);
  if (callerLabels) {
    const picked = own.find((r) => selectorMatches(r.selector!, callerLabels));
    if (picked) return { rules: [picked], why: `${where}; its workloadSelector selects the caller` };
  }
  const selected = !callerLabels && own.length > 0 ? { selected: own } : {};
  if (catchAll.length > 0) return { rules: catchAll, why: where, ...selected };
  const names = withSelector.map(selectorText).join(', ');
  const reason = !callerLabels ? 'applies to the workloads it selects only' : own.length > 0 ? 'selects other workloads only' : 'applies to sidecars of its own namespace only';
  return { why: `DestinationRule ${names} in the ${where} ${reason}, and no rule there without a workloadSelector names this host`, ...selected };
}

/**
 * Indexes DestinationRules by the namespace that holds them (all, and those exported beyond it)
 * and by host, once; each lookup then costs the rules matching one host.
 */
export function indexDestinationRules(destinationRules: KubeObject[], rootNamespace: string): DestinationRuleIndex {
  const empty = (): HostIndex => ({ exact: new Map(), nsWildcard: new Map(), wildcards: [] });
  const local = new Map<string, HostIndex>();
  const exported = new Map<string, HostIndex>();
  // Which namespaces hold a rule for a Service (ns/name), for every Service of a namespace, or a wildcard.
  const exactHolders = new Map<string, Set<string>>();
  const nsHolders = new Map<string, Set<string>>();
  const wildcardHolders = new Set<string>();
  const hold = (map: Map<string, Set<string>>, key: string, ns: string) => {
    const set = map.get(key);
    if (set) set.add(ns);
    else map.set(key, new Set([ns]));
  };
  for (const dr of destinationRules) {
    const host = str(obj(dr.spec)?.host);
    if (!host) continue;
    const rule = clientTlsRule(dr);
    const ns = rule.ref.namespace!;
    const key = hostKeyOf(host, ns);
    if (!key) continue;
    let li = local.get(ns);
    if (!li) local.set(ns, (li = empty()));
    addToIndex(li, key, rule);
    // A rule exported only to its own namespace is left out of the exported index (istiod's
    // isPrivateOnly), and so is one with a workloadSelector, which istiod never exports
    // (pilot/pkg/model/push_context.go setDestinationRules: "destination rules with
    // workloadSelector should not be exported to other namespaces", whatever its exportTo).
    const privateOnly = rule.selector !== undefined || (rule.exportTo.size === 1 && rule.exportTo.has(ns));
    if (!privateOnly) {
      let ei = exported.get(ns);
      if (!ei) exported.set(ns, (ei = empty()));
      addToIndex(ei, key, rule);
    }
    if (key.kind === 'exact') hold(exactHolders, key.key, ns);
    else if (key.kind === 'ns') hold(nsHolders, key.key, ns);
    else wildcardHolders.add(ns);
  }
  for (const index of [...local.values(), ...exported.values()]) index.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);

  const lookup = (svc: ServiceName, client: string, callerLabels?: Record<string, string>): DestinationRuleLookup => {
    const mine = mostSpecific(local.get(client), svc);
    if (mine) return chooseForCaller(mine, client, callerLabels, `client namespace ${client}`);
    const hidden: string[] = [];
    for (const owner of svc.namespace === rootNamespace ? [rootNamespace] : [svc.namespace, rootNamespace]) {
      const rules = mostSpecific(exported.get(owner), svc);
      if (!rules) continue;
      if (visibleTo(rules, client)) return chooseForCaller(rules, client, callerLabels, owner === svc.namespace ? `service namespace ${owner}` : `root namespace ${owner}`);
      hidden.push(...rules.map((r) => `${r.ref.namespace}/${r.ref.name} (exportTo ${[...r.exportTo].join(', ')})`));
    }
    // Rules exported only to the Service's namespace never reach the exported index at all.
    const hiddenLocal = (mostSpecific(local.get(svc.namespace), svc) ?? [])
      .filter((r) => r.exportTo.size === 1 && r.exportTo.has(svc.namespace))
      .map((r) => `${r.ref.namespace}/${r.ref.name} (exportTo .)`);
    const notExported = [...new Set([...hidden, ...hiddenLocal])];
    return { why: notExported.length ? `DestinationRule ${notExported.join(', ')} is not exported to ${client}` : 'no DestinationRule for this host' };
  };

  // Namespaces whose answer may differ from the rest: rule holders for this host, and the
  // namespaces named by the exportTo of the rules the others fall through to.
  const special = (svc: ServiceName): Set<string> => {
    const out = new Set<string>([
      ...(exactHolders.get(`${svc.namespace}/${svc.name}`) ?? []),
      ...(nsHolders.get(svc.namespace) ?? []),
      ...wildcardHolders,
    ]);
    for (const owner of [svc.namespace, rootNamespace]) for (const r of mostSpecific(exported.get(owner), svc) ?? []) for (const n of r.exportTo) out.add(n);
    return out;
  };
  return { lookup, special };
}

/** The tls.mode a rule sets for a Service port: its portLevelSettings entry, else trafficPolicy.tls (undefined: no tls block). */
export function ruleTlsMode(rule: ClientTlsRule, port: number | undefined): string | undefined {
  return (port !== undefined ? rule.ports.get(port) : undefined) ?? rule.mode;
}

/**
 * The tls.mode traffic routed to a subset gets on a Service port: the subset's portLevelSettings
 * entry, else its trafficPolicy.tls, else the rule's (istiod's MergeTrafficPolicy: "traffic
 * policies defined at the service-level can be overridden at a subset-level",
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset).
 */
export function subsetTlsMode(rule: ClientTlsRule, subset: SubsetTls, port: number | undefined): string | undefined {
  return (port !== undefined ? subset.ports.get(port) : undefined) ?? subset.mode ?? ruleTlsMode(rule, port);
}

/**
 * For each meshed Service, whether every Istio-meshed client namespace gets DestinationRules
 * that set ISTIO_MUTUAL on every Service port. The lookup follows istiod's
 * PushContext.destinationRule: the rules of the client's own namespace first (whatever their
 * exportTo), then the rules the Service's namespace exports to the client, then those the root
 * namespace exports; in each namespace the most specific host wins (exact, then the longest
 * wildcard) and only then is exportTo checked. Hosts resolve like istiod: a short name gets
 * the rule's namespace; name.ns is not expanded. Rules that tie on a host must all set
 * ISTIO_MUTUAL, since istiod merges them. A client namespace's own workloadSelector rules apply
to some of its sidecars instead, so they must set ISTIO_MUTUAL too, and with no catch-all rule
beside them the sidecars they leave out get none (chooseForCaller).
 *
 * Only client namespaces whose answer can differ are judged for a Service: those with a rule
 * matching its host, those named in the exportTo of the rules their lookup falls through to,
 * and one namespace standing for all the others; so the cost is that of the rules, not of
 * namespaces times services.
 */
export function istioMutualCoverage(destinationRules: KubeObject[], services: MeshedService[], clientNamespaces: string[], rootNamespace: string): Map<MeshedService, ServiceTlsCoverage> {
  const { lookup, special: specialFor } = indexDestinationRules(destinationRules, rootNamespace);
  const clients = [...new Set(clientNamespaces)].sort();
  const isClient = new Set(clients);

  const judge = (svc: MeshedService, rules: ClientTlsRule[]): string | undefined => {
    for (const r of rules) {
      const name = `DestinationRule ${r.ref.namespace}/${r.ref.name}`;
      const ports: Array<number | undefined> = svc.ports.length ? svc.ports : [undefined];
      for (const p of ports) {
        const mode = ruleTlsMode(r, p);
        if (mode === 'ISTIO_MUTUAL') continue;
        const where = p !== undefined && r.ports.has(p) ? `port ${p}: ` : '';
        return `${name} ${where}${mode === undefined ? 'sets no tls mode' : `sets tls.mode ${mode}`}`;
      }
    }
    return undefined;
  };

  const out = new Map<MeshedService, ServiceTlsCoverage>();
  for (const svc of services) {
    const special = specialFor(svc);
    const judged = [...special].filter((n) => isClient.has(n)).sort();
    const other = clients.find((n) => !special.has(n));
    if (other !== undefined) judged.push(other);
    let failure: ServiceTlsCoverage | undefined;
    const used = new Map<string, ResourceRef>();
    for (const client of judged) {
      const found = lookup(svc, client);
      if (!found.rules) { failure = { covered: false, clientNamespace: client, rules: [], reason: found.why }; break; }
      // The namespace's workloadSelector rules replace the catch-all for the sidecars they select: all must hold.
      const applied = [...found.rules, ...(found.selected ?? [])];
      const bad = judge(svc, applied);
      if (bad) { failure = { covered: false, clientNamespace: client, rules: applied.map((r) => r.ref), reason: `${bad} (picked from the ${found.why})` }; break; }
      for (const r of applied) used.set(`${r.ref.namespace}/${r.ref.name}`, r.ref);
    }
    out.set(svc, failure ?? { covered: true, rules: [...used.values()], reason: `ISTIO_MUTUAL from ${[...used.keys()].join(', ') || 'no client'}` });
  }
  return out;
}

/**
 * The subset names some VirtualService route sends to (a route's destination, a mirror; any host,
 * any gateway, weight 0 included: more than istiod routes, so a subset missing here certainly takes
 * no traffic); undefined when VirtualServices could not all be read. "Policies specified for
 * subsets will not take effect until a route rule explicitly sends traffic to this subset"
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset).
 */
export const routedSubsetNames = memoize((snapshot: Snapshot): ReadonlySet<string> | undefined => {
  const status = snapshot.coverage['istio.virtualservices']?.status;
  if (status === 'forbidden' || status === 'error') return undefined;
  const names = new Set<string>();
  const destination = (d: unknown) => { const subset = str(obj(d)?.subset); if (subset) names.add(subset); };
  for (const vs of snapshot.resources['istio.virtualservices'] ?? []) {
    const spec = obj(vs.spec);
    for (const section of ['http', 'tcp', 'tls'] as const) {
      for (const raw of arr(spec?.[section])) {
        const e = obj(raw);
        for (const r of arr(e?.route)) destination(obj(r)?.destination);
        destination(e?.mirror);
        for (const m of arr(e?.mirrors)) destination(obj(m)?.destination);
      }
    }
  }
  return names;
}, 'mtls');
