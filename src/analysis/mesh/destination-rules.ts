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
}

function tlsOf(trafficPolicy: unknown, prefix: string, out: TlsSetting[]): void {
  const tp = obj(trafficPolicy);
  if (!tp) return;
  const push = (tlsRaw: unknown, location: string) => {
    const tls = obj(tlsRaw);
    if (!tls) return;
    const defaulted = tls.mode === undefined || tls.mode === null;
    out.push({ location, mode: defaulted ? 'DISABLE' : String(tls.mode), defaulted, insecureSkipVerify: tls.insecureSkipVerify === true });
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
    tlsOf(s?.trafficPolicy, `subsets[${str(s?.name) ?? i}].`, out);
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
 * the snapshot whose selected workloads are all outside the mesh is not in the mesh.
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
 * Services backed by Istio-meshed workloads. Workloads are indexed by namespace and label
 * pair, so each Service only filters the workloads sharing its rarest selector pair.
 */
export function istioMeshedServices(snapshot: Snapshot, model: MeshModel): MeshedService[] {
  const byPair = new Map<string, WorkloadMesh[]>();
  for (const w of model.workloads) {
    if (w.mesh !== 'istio') continue;
    for (const [k, v] of Object.entries(w.labels)) {
      const key = `${w.namespace}\0${k}=${v}`;
      const list = byPair.get(key);
      if (list) list.push(w);
      else byPair.set(key, [w]);
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
    let candidates: WorkloadMesh[] | undefined;
    for (const [k, v] of pairs) {
      const list = byPair.get(`${namespace}\0${k}=${v}`);
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

interface ClientTlsRule {
  ref: ResourceRef;
  /** trafficPolicy.tls.mode (undefined: no tls block, so no TLS when auto-mTLS is off). */
  mode?: string;
  /** portLevelSettings port number -> tls.mode, for entries that carry a tls block. */
  ports: Map<number, string>;
}

function clientTlsRule(dr: KubeObject): ClientTlsRule {
  const tp = obj(obj(dr.spec)?.trafficPolicy);
  const modeOf = (tls: unknown) => {
    const t = obj(tls);
    if (!t) return undefined;
    return typeof t.mode === 'string' ? t.mode : 'DISABLE'; // TLSSettings.mode defaults to DISABLE
  };
  const ports = new Map<number, string>();
  for (const pls of arr(tp?.portLevelSettings)) {
    const p = obj(pls);
    const n = obj(p?.port)?.number;
    const m = modeOf(p?.tls);
    if (typeof n === 'number' && m !== undefined) ports.set(n, m);
  }
  return { ref: { kind: 'DestinationRule', namespace: dr.metadata?.namespace ?? 'default', name: dr.metadata?.name ?? '' }, mode: modeOf(tp?.tls), ports };
}

export interface ServiceTlsCoverage {
  covered: boolean;
  /** The DestinationRules Istio would pick for the host (the most specific host match). */
  rules: ResourceRef[];
  reason: string;
}

/**
 * For each meshed Service, whether the DestinationRules governing its host set
 * ISTIO_MUTUAL on every Service port. Host resolution follows Istio: a short name is
 * qualified with the rule's namespace (name.<ns>.svc.<domain>); `name.ns` is not expanded;
 * an exact host beats a wildcard and a longer wildcard beats a shorter one. When several
 * rules tie (e.g. in different namespaces), every one must set ISTIO_MUTUAL, since a client
 * may be given any of them. Rules narrowed by exportTo or workloadSelector count as if they
 * applied to every client.
 */
export function istioMutualCoverage(destinationRules: KubeObject[], services: MeshedService[]): Map<MeshedService, ServiceTlsCoverage> {
  const exact = new Map<string, ClientTlsRule[]>();
  const nsWildcard = new Map<string, ClientTlsRule[]>();
  const wildcards: Array<{ suffix: string; rule: ClientTlsRule }> = [];
  const add = (map: Map<string, ClientTlsRule[]>, key: string, r: ClientTlsRule) => {
    const list = map.get(key);
    if (list) list.push(r);
    else map.set(key, [r]);
  };
  for (const dr of destinationRules) {
    const host = str(obj(dr.spec)?.host);
    if (!host) continue;
    const drNs = dr.metadata?.namespace ?? 'default';
    const rule = clientTlsRule(dr);
    const labels = host.split('.');
    if (host === '*') wildcards.push({ suffix: '', rule });
    else if (labels[0] === '*') {
      // *.ns.svc.<domain> covers one namespace whatever the cluster domain.
      if (labels.length >= 4 && labels[2] === 'svc' && labels[1] !== '*') add(nsWildcard, labels[1], rule);
      else wildcards.push({ suffix: host.slice(1), rule });
    } else if (labels.length === 1) add(exact, `${drNs}/${host}`, rule);
    else if (labels.length >= 4 && labels[2] === 'svc') add(exact, `${labels[1]}/${labels[0]}`, rule);
  }
  wildcards.sort((a, b) => b.suffix.length - a.suffix.length);

  const out = new Map<MeshedService, ServiceTlsCoverage>();
  for (const svc of services) {
    let governing = exact.get(`${svc.namespace}/${svc.name}`) ?? nsWildcard.get(svc.namespace);
    if (!governing) {
      const fqdn = `${svc.name}.${svc.namespace}.svc.cluster.local`;
      const first = wildcards.find((w) => fqdn.endsWith(w.suffix));
      if (first) governing = wildcards.filter((w) => w.suffix === first.suffix).map((w) => w.rule);
    }
    if (!governing || governing.length === 0) {
      out.set(svc, { covered: false, rules: [], reason: 'no DestinationRule for this host' });
      continue;
    }
    let reason: string | undefined;
    for (const r of governing) {
      const name = `DestinationRule ${r.ref.namespace}/${r.ref.name}`;
      const ports: Array<number | undefined> = svc.ports.length ? svc.ports : [undefined];
      for (const p of ports) {
        const mode = (p !== undefined ? r.ports.get(p) : undefined) ?? r.mode;
        if (mode === 'ISTIO_MUTUAL') continue;
        const where = p !== undefined && r.ports.has(p) ? `port ${p}: ` : '';
        reason = `${name} ${where}${mode === undefined ? 'sets no tls mode' : `sets tls.mode ${mode}`}`;
        break;
      }
      if (reason) break;
    }
    out.set(svc, reason
      ? { covered: false, rules: governing.map((r) => r.ref), reason }
      : { covered: true, rules: governing.map((r) => r.ref), reason: `ISTIO_MUTUAL from ${governing.map((r) => `${r.ref.namespace}/${r.ref.name}`).join(', ')}` });
  }
  return out;
}
