// The mesh layer's answer for a call between two workloads (or from an address outside the
// cluster): picks the callee's mesh and asks that mesh's judge. A callee outside every mesh is
// not restricted by any mesh. `reach`, intent rules and the report use this, never a judge directly.

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import type { ConnSet, Protocol } from '../netpol/conns.ts';
import type { MeshCaller, MeshCallee, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import { istioAuthzModel, istioFlowVerdict } from './istio-authz.ts';
import { bypassesSidecar, istioInboundCapture, istioMembership, type InboundCapture } from './istio.ts';
import { meshModel, type WorkloadMesh } from './model.ts';
import { consulFlowVerdict, linkerdFlowVerdict } from './mesh-flows.ts';
import { containerPorts, memoizeBySnapshotAndConfig, parsePortNumbers, str } from './util.ts';
import { linkerdSkippedPorts, portInList, SKIP_INBOUND_ANNOTATION, SKIP_OUTBOUND_ANNOTATION } from './linkerd.ts';
import { CONSUL_EXCLUDE_INBOUND_ANNOTATION, CONSUL_EXCLUDE_OUTBOUND_ANNOTATION } from './consul.ts';

/** The callee's (or its namespace's) annotations whose ports a Linkerd or Consul proxy does not intercept. */
const PORT_ANNOTATIONS = [SKIP_INBOUND_ANNOTATION, SKIP_OUTBOUND_ANNOTATION, CONSUL_EXCLUDE_INBOUND_ANNOTATION] as const;

/**
 * The kinds a mesh verdict reads: a check that judges flows through the mesh declares them in
 * `reads`, so a forbidden one makes it not evaluated and a change to one re-evaluates it.
 */
export const MESH_FLOW_KINDS = [
  'istio.peerauthentications', 'istio.authorizationpolicies', 'istio.requestauthentications',
  'linkerd.servers', 'linkerd.authorizationpolicies', 'linkerd.meshtlsauthentications', 'linkerd.serverauthorizations',
  'linkerd.networkauthentications', 'linkerd.httproutes', 'consul.serviceintentions',
  // Linkerd also attaches the Gateway API's routes to a Server (linkerd-authz.ts).
  'gatewayapi.httproutes', 'gatewayapi.grpcroutes',
] as const satisfies readonly KindKey[];

const refKey = (r: ResourceRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

const workloadIndex = memoizeBySnapshotAndConfig((snapshot, config) => new Map(meshModel(snapshot, config).workloads.map((w) => [refKey(w.workload.ref), w])), ['network', 'tls', 'mtls']);

/** Which mesh's judge decides calls to this workload ('none': no mesh restricts it). */
export function calleeMesh(snapshot: Snapshot, config: Config, to: ResourceRef): WorkloadMesh['mesh'] {
  return workloadIndex(snapshot, config).get(refKey(to))?.mesh ?? 'none';
}

function serviceAccountOf(w: WorkloadMesh): string {
  const spec = w.workload.pods[0]?.spec ?? {};
  return str(spec.serviceAccountName) ?? str(spec.serviceAccount) ?? 'default';
}

/**
 * The verdict on a port of an Istio sidecar pod that its capture annotations keep away from Envoy
 * (https://istio.io/latest/docs/reference/config/annotations/, excludeInboundPorts: "A comma
 * separated list of inbound ports to be excluded from redirection to Envoy"): every caller,
 * plaintext included, whatever the policies say. undefined: the sidecar captures the port.
 */
export function istioBypassVerdict(capture: InboundCapture | undefined, port: number, calleeText: string): MeshFlowVerdict | undefined {
  if (!capture || !bypassesSidecar(capture, port)) return undefined;
  return {
    mesh: 'istio', verdict: 'allowed', plaintext: true,
    reason: `port ${port} of ${calleeText} is not redirected to its sidecar (${capture.source}): connections never reach Envoy, so plaintext is accepted and no PeerAuthentication or AuthorizationPolicy applies`,
  };
}

/**
 * Ports on which a meshed caller's own proxy lets outbound connections leave untouched, so they
 * carry no mesh identity and no mTLS whatever the callee's mesh: Linkerd's
 * config.linkerd.io/skip-outbound-ports ("bypass the proxy entirely", linkerd.io/2/features/protocol-detection/),
 * read like the other config annotations (linkerdPodSetting), and Consul's
 * consul.hashicorp.com/transparent-proxy-exclude-outbound-ports (consul-k8s annotations and labels).
 * The annotations name the port the caller dials, which for a direct call is the callee's port.
 */
function callerOutboundSkips(model: ReturnType<typeof meshModel>, src: WorkloadMesh): { ports: string[]; source: string } | undefined {
  const pod = src.workload.pods[0];
  if (!pod) return undefined;
  if (src.mesh === 'linkerd') {
    const skipped = linkerdSkippedPorts(model.namespaces.get(src.namespace)?.annotations ?? {}, pod, src.namespace).find((s) => s.direction === 'outbound');
    return skipped && skipped.ports.length > 0 ? { ports: skipped.ports, source: skipped.source } : undefined;
  }
  if (src.mesh === 'consul') {
    const value = pod.annotations[CONSUL_EXCLUDE_OUTBOUND_ANNOTATION];
    const ports = value === undefined ? [] : parsePortNumbers(value).map(String);
    return ports.length > 0 ? { ports, source: `pod annotation ${CONSUL_EXCLUDE_OUTBOUND_ANNOTATION}` } : undefined;
  }
  return undefined;
}

/** `from`: a workload, or 'external' for an address outside the cluster. */
export function meshFlowVerdict(snapshot: Snapshot, config: Config, from: ResourceRef | 'external', to: ResourceRef, port: number, protocol: Protocol): MeshFlowVerdict {
  const index = workloadIndex(snapshot, config);
  const callee = index.get(refKey(to));
  const src = from === 'external' ? undefined : index.get(refKey(from));
  const calleeText = `${to.namespace}/${to.name}`;
  if (!callee || callee.mesh === 'none') {
    return { mesh: 'none', verdict: 'allowed', reason: `${calleeText} is not in a service mesh: no mesh authorization restricts calls to it`, plaintext: true };
  }
  if (protocol !== 'TCP') {
    // Sidecars, ztunnel and linkerd-proxy intercept TCP only.
    return { mesh: callee.mesh, verdict: 'allowed', reason: `${protocol} bypasses the ${callee.mesh} proxy (it handles TCP only): no mesh authorization applies`, plaintext: true };
  }
  const skips = src && src.mesh === callee.mesh ? callerOutboundSkips(meshModel(snapshot, config), src) : undefined;
  const skipped = skips && portInList(skips.ports, port) ? skips : undefined;
  const caller: MeshCaller = from === 'external' || !src
    ? { namespace: '', serviceAccount: '', labels: {}, mtls: false, external: true }
    : { namespace: src.namespace, serviceAccount: serviceAccountOf(src), labels: src.labels, mtls: src.mesh === callee.mesh && !skipped };
  const verdict = judgeFlow(snapshot, config, callee, caller, to, port, protocol, calleeText);
  if (!skipped || from === 'external') return verdict;
  return { ...verdict, reason: `${from.namespace}/${from.name} sends port ${port} around its own ${callee.mesh} proxy (${skipped.source}), so the call arrives in plaintext without a mesh identity: ${verdict.reason}` };
}

function judgeFlow(snapshot: Snapshot, config: Config, callee: WorkloadMesh, caller: MeshCaller, to: ResourceRef, port: number, protocol: Protocol, calleeText: string): MeshFlowVerdict {
  const target: MeshCallee = { namespace: callee.namespace, name: to.name, serviceAccount: serviceAccountOf(callee), labels: callee.labels, port, protocol };
  if (callee.mesh === 'istio') {
    const rep = callee.workload.pods[0];
    const dataplane = rep ? istioMembership(meshModel(snapshot, config).namespaces.get(callee.namespace)?.labels ?? {}, rep).dataplane : undefined;
    const capture = rep && dataplane === 'sidecar' ? istioInboundCapture(rep.annotations) : undefined;
    const bypass = istioBypassVerdict(capture, port, calleeText);
    if (bypass) return bypass;
    return istioFlowVerdict(istioAuthzModel(snapshot, config), caller, { ...target, ...(dataplane ? { dataplane } : {}) });
  }
  const model = meshModel(snapshot, config);
  return callee.mesh === 'linkerd' ? linkerdFlowVerdict(model, caller, target) : consulFlowVerdict(model, caller, target);
}

/** Best first: a flow is open on a port when any of its requests can pass. */
export const VERDICT_RANK: Record<MeshVerdictKind, number> = { allowed: 0, depends: 1, unknown: 2, denied: 3 };

export interface MeshConnsVerdict {
  /** The most open verdict over the asked connections (allowed > depends > unknown > denied), with its port. */
  verdict: MeshFlowVerdict;
  port?: number;
  /** The connections the mesh does not refuse outright (allowed, depends or unknown). */
  open: ConnSet;
  /** Per judged port (TCP), in port order; `others` stands for every TCP port no policy names. */
  ports: Array<{ port: number; others?: true; verdict: MeshVerdictKind; reason: string }>;
}

/** Every port an AuthorizationPolicy rule or a port-level PeerAuthentication names (once per run). */
const istioNamedPorts = memoizeBySnapshotAndConfig((snapshot, config): Set<number> => {
  const m = istioAuthzModel(snapshot, config);
  const named = new Set<number>();
  for (const p of m.authz.all) for (const r of p.rules) for (const o of r.to) for (const x of [...(o.ports ?? []), ...(o.notPorts ?? [])]) named.add(Number(x));
  for (const pa of m.peer.all) for (const port of pa.ports.keys()) named.add(port);
  return named;
}, ['network', 'tls', 'mtls']);

function intervalsHas(list: Array<[number, number]>, p: number): boolean {
  return list.some(([a, b]) => p >= a && p <= b);
}

/**
 * The mesh's answer over a set of connections (reach without --port, the effective matrix,
 * intent rules). Istio decides per port only through ports/notPorts and port-level
 * PeerAuthentication, so judging every port those name, plus one port none names, covers every
 * TCP port exactly; UDP and SCTP pass the proxies unjudged.
 */
export function meshVerdictOverConns(snapshot: Snapshot, config: Config, from: ResourceRef | 'external', to: ResourceRef, conns: ConnSet): MeshConnsVerdict | undefined {
  const mesh = calleeMesh(snapshot, config, to);
  const tcp = conns.TCP;
  // Istio decides per port only through the ports its policies name. Linkerd and Consul also
  // decide by Server ports and skipped/excluded ports: there, every declared container port, every
  // port number a Linkerd Server names and every port a skip/exclude annotation lists is judged.
  const named = new Set<number>(mesh === 'istio' ? istioNamedPorts(snapshot, config) : []);
  if (mesh === 'istio') {
    // Ports the callee's sidecar does not capture (or, with includeInboundPorts, the only ones it does).
    const rep = workloadIndex(snapshot, config).get(refKey(to))?.workload.pods[0];
    const capture = rep ? istioInboundCapture(rep.annotations) : undefined;
    if (capture && capture.redirect !== 'none') for (const p of capture.ports) named.add(p);
  }
  if (mesh === 'linkerd' || mesh === 'consul') {
    const w = workloadIndex(snapshot, config).get(refKey(to));
    for (const p of w?.workload.pods[0] ? containerPorts(w.workload.pods[0].spec) : []) named.add(p.port);
    for (const list of meshModel(snapshot, config).linkerd.servers.values()) for (const sv of list) if (typeof sv.port === 'number') named.add(sv.port);
    // Only the annotations that skip or exclude ports: another annotation's number (a
    // metrics port, a build id) names nothing the mesh decides by, and may not even be kept
    // (the snapshot reader keeps only the mesh's and Pod Security's annotations on pods).
    const annotations = { ...(meshModel(snapshot, config).namespaces.get(to.namespace ?? '')?.annotations ?? {}), ...(w?.annotations ?? {}) };
    for (const key of PORT_ANNOTATIONS) {
      const v = annotations[key];
      if (typeof v === 'string') for (const n of parsePortNumbers(v)) named.add(n);
    }
  }
  // Ports the caller's own proxy lets out untouched (plaintext) are judged apart too.
  const src = from === 'external' ? undefined : workloadIndex(snapshot, config).get(refKey(from));
  const callerSkips = src && src.mesh === mesh ? callerOutboundSkips(meshModel(snapshot, config), src) : undefined;
  for (const n of callerSkips ? parsePortNumbers(callerSkips.ports.join(',')) : []) named.add(n);
  const candidates = [...named].filter((p) => intervalsHas(tcp, p)).sort((a, b) => a - b);
  let other: number | undefined;
  for (const [a, b] of tcp) {
    for (let p = a; p <= b && other === undefined; p++) if (!named.has(p)) other = p;
    if (other !== undefined) break;
  }
  const judged: MeshConnsVerdict['ports'] = [];
  let best: { v: MeshFlowVerdict; port: number } | undefined;
  const judge = (port: number, others?: true) => {
    const v = meshFlowVerdict(snapshot, config, from, to, port, 'TCP');
    judged.push({ port, ...(others ? { others } : {}), verdict: v.verdict, reason: v.reason });
    if (!best || VERDICT_RANK[v.verdict] < VERDICT_RANK[best.v.verdict]) best = { v, port };
  };
  for (const p of candidates) judge(p);
  if (other !== undefined) judge(other, true);
  const open: ConnSet = { TCP: [], UDP: conns.UDP, SCTP: conns.SCTP };
  const otherOpen = judged.find((j) => j.others)?.verdict !== 'denied';
  for (const [a, b] of tcp) {
    // Walk the interval, cutting at the named ports that are denied (or open, when others are denied).
    let start = a;
    for (const p of candidates.filter((x) => x >= a && x <= b)) {
      const openHere = judged.find((j) => j.port === p && !j.others)?.verdict !== 'denied';
      if (otherOpen && p > start) open.TCP.push([start, p - 1]);
      if (openHere) open.TCP.push([p, p]);
      start = p + 1;
    }
    if (otherOpen && start <= b) open.TCP.push([start, b]);
  }
  open.TCP = mergeIntervals(open.TCP);
  if (!best) {
    if (conns.UDP.length === 0 && conns.SCTP.length === 0) return undefined;
    const proto: Protocol = conns.UDP.length ? 'UDP' : 'SCTP';
    const first = (conns.UDP.length ? conns.UDP : conns.SCTP)[0][0];
    return { verdict: meshFlowVerdict(snapshot, config, from, to, first, proto), port: first, open, ports: [] };
  }
  const chosen: { v: MeshFlowVerdict; port: number } = best;
  return { verdict: chosen.v, port: chosen.port, open, ports: judged };
}

function mergeIntervals(list: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
