// Exposure over both layers. A path the network admits still leads nowhere when the backend's
// mesh refuses the caller: an edge controller without a sidecar calling a backend whose port is
// STRICT mTLS, a LoadBalancer straight to such a pod, an AuthorizationPolicy (or Linkerd Server,
// Consul intention) that admits other callers only. `network.exposed-workload`, the edge guards
// and the report's Exposure section read this, never the network-only view.

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import type { MeshVerdictKind } from '../mesh/flow.ts';
import { meshVerdictOverConns, VERDICT_RANK, type MeshConnsVerdict } from '../mesh/flow-verdict.ts';
import { memoizeBySnapshotAndConfig } from '../mesh/util.ts';
import { isEmptyConns } from '../netpol/conns.ts';
import { admittedFromText, networkExposure, type ExternalPath, type WorkloadExposure } from '../netpol/exposure.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { intersectRanges, parseCidr, parseIp, type IpRange } from '../../base/ip.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { traefikCrossNamespace, traefikCrossRefusal, traefikSourceRangeEntry, traefikTcpMiddlewareOf } from '../tls/traefik.ts';
import { externalWays, forwardsAcrossNodes, selectorOf } from '../netpol/service-ports.ts';
import { workloadsOf } from '../workloads.ts';
import { describeRoute, edgeRoutes, traefikCrdRef, traefikMiddlewaresByKey, traefikMiddlewareTcpsByKey, traefikRefOf, traefikTcpCrdKey, type EdgeRoute } from './routes.ts';

export interface EffectivePath extends ExternalPath {
  /** The backend's mesh verdict for the path's callers (absent when no mesh judges the backend). */
  mesh?: { verdict: MeshVerdictKind; reason: string };
  /** Traffic from outside gets through: the network admits it (or the controller's pods were not found) and the mesh does not refuse it. */
  open: boolean;
  /** For a route whose edge controller admits only some client addresses (admittedFrom): what does ("Traefik Middleware db/office ipAllowList"). */
  admittedBy?: string;
}

export interface EffectiveExposure extends Omit<WorkloadExposure, 'external'> {
  external: EffectivePath[];
}

function judge(snapshot: Snapshot, config: Config, backend: ResourceRef, p: ExternalPath): EffectivePath {
  const networkOpen = p.allowedByPolicy === true || (p.route !== undefined && p.allowedByPolicy === 'not-evaluated');
  if (!networkOpen || isEmptyConns(p.admitted)) return { ...p, open: networkOpen };
  // A route's callers are its controller's pods; a LoadBalancer/NodePort caller is an address outside the cluster.
  const callers: Array<ResourceRef | 'external'> = p.route !== undefined ? p.callers ?? [] : ['external'];
  // The most open caller decides: the path is open when any of them gets through on any port.
  let best: MeshConnsVerdict | undefined;
  for (const from of callers) {
    const v = meshVerdictOverConns(snapshot, config, from, backend, p.admitted, p.podAddressed ? { podAddressed: p.podAddressed } : {});
    if (v && (!best || VERDICT_RANK[v.verdict.verdict] < VERDICT_RANK[best.verdict.verdict])) best = v;
  }
  if (!best || best.verdict.mesh === 'none') return { ...p, open: true };
  return { ...p, mesh: { verdict: best.verdict.verdict, reason: best.verdict.reason }, open: best.verdict.verdict !== 'denied' };
}

/** One IP allowlist Traefik applies on a route: what it is and the client addresses it admits. */
interface Allowlist { by: string; ranges: IpRange[] }

const rangesOf = (entries: string[]): IpRange[] => entries.flatMap((e) => {
  const r = e.includes('/') ? parseCidr(e) : (() => { const ip = parseIp(e); return ip && { family: ip.family, lo: ip.value, hi: ip.value }; })();
  return r ? [r] : [];
});

/**
 * The IP allowlists Traefik applies on one route (its middlewares, chains followed), each found as
 * the router finds it (routes.ts traefikCrdRef) and counted only where Traefik surely applies it:
 * one object under the key, of another namespace only where allowCrossNamespace is known on, every
 * sourceRange entry an address or CIDR (one that is not fails the middleware: traefikSourceRangeEntry),
 * and for an HTTP ipAllowList no ipStrategy (depth or excludedIPs take the client address from
 * X-Forwarded-For, which the client writes unless a proxy in front rewrites it:
 * https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/ipallowlist/, ipStrategy).
 * Empty when none counts.
 */
function traefikAllowlists(snapshot: Snapshot, r: EdgeRoute): Allowlist[] {
  if (r.controller.family !== 'traefik' || r.middlewares.length === 0) return [];
  const routeNs = r.route.namespace ?? 'default';
  const crossAllowed = () => traefikCrossNamespace(snapshot, r.object).allowed === true;
  // Chain members and an IngressRouteTCP's "<key>@kubernetescrd" are refused by some releases only
  // (traefikCrossRefusal), asked of the Traefiks resolving the route's references: an Ingress's
  // are the CRD providers of the Traefiks serving it.
  const chainBuilt = () => traefikCrossRefusal(snapshot, r.object, 'chain').refused === false;
  const tcpKeyTaken = () => traefikCrossRefusal(snapshot, r.object, 'tcpCrdKey').refused === false;
  const out: Allowlist[] = [];
  if (r.route.kind === 'IngressRouteTCP') {
    for (const ref of r.middlewares) {
      const x = traefikRefOf(ref, routeNs);
      if (x.provider !== undefined || (x.crosses && !(traefikTcpCrdKey(x, true) ? tcpKeyTaken() : crossAllowed()))) continue;
      const found = traefikMiddlewareTcpsByKey(snapshot, x.key);
      const m = found.length === 1 ? traefikTcpMiddlewareOf(found[0]) : undefined;
      if (m?.type === 'ipAllowList' || m?.type === 'ipWhiteList') out.push({ by: `Traefik MiddlewareTCP ${found[0].metadata?.namespace ?? 'default'}/${found[0].metadata?.name ?? ''} ${m.type}`, ranges: rangesOf(m.sourceRange) });
    }
    return out;
  }
  const seen = new Set<KubeObject>();
  const visit = (mw: KubeObject, depth: number) => {
    if (seen.has(mw) || depth > 8) return;
    seen.add(mw);
    const ns = mw.metadata?.namespace ?? 'default';
    const spec = obj(mw.spec) ?? {};
    for (const type of ['ipAllowList', 'ipWhiteList'] as const) {
      const o = obj(spec[type]);
      if (!o) continue;
      const entries = arr(o.sourceRange);
      const strategy = obj(o.ipStrategy);
      const forwarded = strategy && ((typeof strategy.depth === 'number' && strategy.depth > 0) || arr(strategy.excludedIPs).length > 0);
      if (entries.length > 0 && entries.every(traefikSourceRangeEntry) && !forwarded) out.push({ by: `Traefik Middleware ${ns}/${mw.metadata?.name ?? ''} ${type}`, ranges: rangesOf(entries as string[]) });
    }
    for (const c of arr(obj(spec.chain)?.middlewares)) {
      const name = str(obj(c)?.name);
      if (!name) continue;
      const x = traefikCrdRef(ns, str(obj(c)?.namespace), name);
      if (x.provider !== undefined || (x.crosses && !chainBuilt())) continue;
      const found = traefikMiddlewaresByKey(snapshot, x.key);
      if (found.length === 1) visit(found[0], depth + 1);
    }
  };
  for (const ref of r.middlewares) {
    const x = traefikRefOf(ref, routeNs);
    // An Ingress's router.middlewares are not bound by allowCrossNamespace (its own provider).
    if (x.provider !== undefined || (x.crosses && r.route.kind !== 'Ingress' && !crossAllowed())) continue;
    const found = traefikMiddlewaresByKey(snapshot, x.key);
    if (found.length === 1) visit(found[0], 0);
  }
  return out;
}

/**
 * Why an allowlist at the controller may see node addresses, not the client's: a LoadBalancer,
 * NodePort or externalIPs Service selecting the controller's pods with externalTrafficPolicy
 * other than Local, whose node SNATs the client address ("the source IP of the client is replaced
 * by the node's": https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip).
 * Undefined when every such Service is Local (or there is none). Keyed by the controller's label;
 * Services are indexed by namespace, so this is linear in Services and workloads.
 */
const controllerSnat = memoize((snapshot: Snapshot): Map<string, string | undefined> => {
  const byNs = new Map<string, KubeObject[]>();
  for (const svc of snapshot.resources.services ?? []) {
    if (externalWays(svc).length === 0 || !forwardsAcrossNodes(svc) || !selectorOf(svc)) continue;
    const ns = svc.metadata?.namespace ?? 'default';
    byNs.set(ns, [...(byNs.get(ns) ?? []), svc]);
  }
  const templates = new Map(workloadsOf(snapshot).map((w) => [`${w.ref.kind}/${w.ref.namespace}/${w.ref.name}`, w.template?.labels ?? {}]));
  const out = new Map<string, string | undefined>();
  for (const r of edgeRoutes(snapshot).routes) {
    if (out.has(r.controller.label)) continue;
    const hits = new Set<string>();
    for (const w of r.controller.workloads) {
      const labels = templates.get(`${w.kind}/${w.namespace}/${w.name}`) ?? {};
      for (const svc of byNs.get(w.namespace ?? 'default') ?? []) {
        if (Object.entries(selectorOf(svc)!).every(([k, v]) => labels[k] === v)) hits.add(`Service ${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''} externalTrafficPolicy ${str(obj(svc.spec)?.externalTrafficPolicy) ?? 'Cluster'}`);
      }
    }
    out.set(r.controller.label, hits.size > 0 ? `client addresses may be rewritten to node addresses: ${[...hits].sort().join(', ')}` : undefined);
  }
  return out;
}, ['network', 'tls']);

/**
 * Per route path (describeRoute), the client addresses its edge controller admits and by what,
 * when every route of that description narrows them (allowlists in series: their intersection;
 * routes of one description: their union). Undefined once they cover every address of a family
 * (0.0.0.0/0 or ::/0: admittedFromText), as for a NetworkPolicy ipBlock on a direct way in.
 */
const routeAllowlists = memoize((snapshot: Snapshot): Map<string, { from: string[]; by: string; none?: true }> => {
  const byPath = new Map<string, { ranges: IpRange[]; by: string[] } | null>();
  const snat = controllerSnat(snapshot);
  for (const r of edgeRoutes(snapshot).routes) {
    const path = describeRoute(r);
    if (byPath.get(path) === null) continue;
    const lists = traefikAllowlists(snapshot, r);
    if (lists.length === 0) { byPath.set(path, null); continue; }
    const ranges = lists.slice(1).reduce((acc, l) => intersectRanges(acc, l.ranges), lists[0].ranges);
    const cur = byPath.get(path);
    const caveat = snat.get(r.controller.label);
    const by = lists.map((l) => (caveat ? `${l.by} (${caveat})` : l.by));
    byPath.set(path, { ranges: [...(cur?.ranges ?? []), ...ranges], by: [...new Set([...(cur?.by ?? []), ...by])] });
  }
  const out = new Map<string, { from: string[]; by: string; none?: true }>();
  for (const [path, v] of byPath) {
    if (v && v.ranges.length === 0) { out.set(path, { from: [], by: v.by.join(', '), none: true }); continue; }
    const from = v ? admittedFromText(v.ranges) : undefined;
    if (v && from) out.set(path, { from, by: v.by.join(', ') });
  }
  return out;
}, ['network', 'tls']);

export const effectiveExposure = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): EffectiveExposure[] => {
  const allowlists = routeAllowlists(snapshot);
  return networkExposure(snapshot).map((w) => ({
    ...w,
    external: w.external.map((p) => {
      const judged = judge(snapshot, config, w.workload, p);
      const allowed = p.route !== undefined ? allowlists.get(p.route) : undefined;
      // Allowlists in series with no address in common refuse every client, whichever address
      // (the client's or a node's) they see: that route is no way in.
      if (allowed?.none) return { ...judged, open: false, blockedBy: `its IP allowlists (${allowed.by}) have no client address in common` };
      return allowed ? { ...judged, admittedFrom: allowed.from, admittedBy: allowed.by } : judged;
    }),
  }));
}, ['network', 'tls']);
