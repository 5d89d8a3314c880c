// The mesh layer's answer for a call between two workloads (or from an address outside the
// cluster): picks the callee's mesh and asks that mesh's judge. A callee outside every mesh is
// not restricted by any mesh. `reach`, intent rules and the report use this, never a judge directly.

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { ConnSet, Protocol } from '../netpol/conns.ts';
import type { MeshCaller, MeshCallee, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import type { ParsedAuthzPolicy } from './authz.ts';
import { declaredPortProtocol, istioAuthzModel, istioDeclaredProtocolPorts, istioFlowVerdict, istioStrictWhateverRoot } from './istio-authz.ts';
import { bypassesSidecar, captureProxy, dataplaneInboundCapture, indexPeerAuthentications, istioInboundCapture, istioMembership, istioOutboundCapture, istioProxyOwnPorts, outboundBypass, type InboundCapture } from './istio.ts';
import { meshModel, type MeshModel, type WorkloadMesh } from './model.ts';
import { runsMeshControlPlane } from './components.ts';
import { consulFlowVerdict, linkerdFlowVerdict } from './mesh-flows.ts';
import { istioAutoMtls, istioMeshConfigNamespaces, istioMeshConfigUnread, istioRevisionOf, type IstioAutoMtls } from './configmaps.ts';
import { indexDestinationRules, ruleTlsMode, subsetTlsMode, type ClientTlsRule, type DestinationRuleIndex } from './destination-rules.ts';
import { indexMeshVirtualServices, routeAlternatives, type RouteProtocol } from './virtual-services.ts';
import { istioOutbound, sidecarImportsService, type WorkloadOutbound } from './outbound.ts';
import { istioGatewayPod } from './istio-gateway.ts';
import { arr, containerNames, containerPorts, memoizeBySnapshotAndConfig, obj, parsePortNumbers, str, stringMap } from './util.ts';
import { memoize } from '../memo.ts';
import { gatewayListenerLabel, gatewayListeners } from '../edge/listener-sets.ts';
import { linkerdOutboundDefault, linkerdSkippedPorts, portInList, SKIP_INBOUND_ANNOTATION, SKIP_OUTBOUND_ANNOTATION } from './linkerd.ts';
import { CONSUL_EXCLUDE_INBOUND_ANNOTATION, CONSUL_EXCLUDE_OUTBOUND_ANNOTATION, consulPortList } from './consul.ts';

export { istioGatewayPod };

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
  'consul.servicedefaults', 'consul.proxydefaults', 'consul.meshes',
  // An Istio sidecar caller's DestinationRule decides whether it sends mTLS (istioCallerTls).
  'istio.destinationrules',
  // Linkerd also attaches the Gateway API's routes to a Server (linkerd-authz.ts).
  'gatewayapi.httproutes', 'gatewayapi.grpcroutes',
  // A caller's Sidecar decides which Services its proxy knows (egress hosts) and whether it drops
  // a call to an address it does not know (outboundTrafficPolicy): istioPassthrough. Unread, a
  // call taken as mTLS may go in plaintext, so a check that judges flows is not evaluated
  // rather than passing on missing data (`reach` states the doubt: unreadSidecarScope).
  'istio.sidecars',
  // Gateways (an Istio waypoint's istio.io/waypoint-for) matter only where a waypoint is named:
  // a check declares them by ISTIO_WAYPOINT_GATEWAYS_READ (checks/mtls/lib/istio-waypoints.ts).
  // The mesh VirtualServices (routedTls) matter only where a subset sets client TLS of its own: a
  // check declares them by ISTIO_MESH_ROUTES_READ (checks/mtls/lib/istio-mesh-config.ts).
] as const satisfies readonly KindKey[];

const refKey = (r: ResourceRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

const workloadIndex = memoizeBySnapshotAndConfig((snapshot, config) => new Map(meshModel(snapshot, config).workloads.map((w) => [refKey(w.workload.ref), w])), ['network', 'tls', 'mtls']);

/** Which mesh's judge decides calls to this workload ('none': no mesh restricts it). */
export function calleeMesh(snapshot: Snapshot, config: Config, to: ResourceRef): WorkloadMesh['mesh'] {
  return workloadIndex(snapshot, config).get(refKey(to))?.mesh ?? 'none';
}

/** Why no pod of a workload can start (the API server refuses them all: WorkloadMesh refusedPods), or undefined. */
function refusedWhy(w: WorkloadMesh | undefined): string | undefined {
  return w && w.refusedPods && w.meshedPods === 0 && w.unmeshedPods === 0 ? w.refusedReason : undefined;
}

/** Why no pod of the workload `ref` can start, as the posture's `refused` says it, or undefined. */
export function workloadRefused(snapshot: Snapshot, config: Config, ref: ResourceRef): string | undefined {
  return refusedWhy(workloadIndex(snapshot, config).get(refKey(ref)));
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
  const { proxy, its } = captureProxy(capture);
  return {
    mesh: 'istio', verdict: 'allowed', plaintext: true,
    reason: `port ${port} of ${calleeText} is not redirected to ${its} (${capture.source}): connections never reach ${proxy}, so plaintext is accepted and no PeerAuthentication or AuthorizationPolicy applies`,
  };
}

/**
 * How a meshed caller's own proxy lets outbound connections leave untouched, so they carry no
 * mesh identity and no mTLS whatever the callee's mesh: Linkerd's
 * config.linkerd.io/skip-outbound-ports ("bypass the proxy entirely", linkerd.io/2/features/protocol-detection/),
 * read like the other config annotations (linkerdPodSetting), or on a running pod its linkerd-init's
 * --outbound-ports-to-ignore (linkerdInitArgs); Consul's
 * consul.hashicorp.com/transparent-proxy-exclude-outbound-ports (consul-k8s annotations and
 * labels); an Istio sidecar's traffic.sidecar.istio.io/{exclude,include}Outbound{Ports,IPRanges}
 * (istio.io/latest/docs/reference/config/annotations/; ambient pods have no sidecar and no such
 * capture). All are matched in the caller's pod on the address and port it dials, before a
 * Service's address is translated to a pod's (kube-proxy does that outside the pod).
 */
interface CallerSkips {
  source: string;
  /** Whether a connection to `port` at `ip` leaves around the proxy ('unknown': the address decides and is not known). */
  bypass: (port: number, ip: string | undefined) => boolean | 'unknown';
  /** The port numbers the answer turns on (judged apart over a set of connections). */
  ports: number[];
  /**
   * Linkerd's proxyInit.ignoreOutboundPorts (linkerdOutboundDefault): judged only on a port the
   * callee declares (where it is seen to listen), and `assumed` when the installed value was not read.
   */
  installDefault?: { assumed: boolean };
}

/** Whether a Linkerd-meshed `callee` declares `port` and its own inbound skips (linkerdSkippedPorts) do not cover it. */
function linkerdReceivesThroughProxy(model: ReturnType<typeof meshModel>, callee: WorkloadMesh, port: number): boolean {
  const pod = callee.workload.pods[0];
  if (!pod || !containerPorts(pod.spec).some((p) => p.port === port)) return false;
  const inbound = linkerdSkippedPorts(model.namespaces.get(callee.namespace)?.annotations ?? {}, pod, callee.namespace, undefined, model.linkerd).find((s) => s.direction === 'inbound');
  return !(inbound && portInList(inbound.ports, port));
}

function callerOutboundSkips(model: ReturnType<typeof meshModel>, src: WorkloadMesh): CallerSkips | undefined {
  const pod = src.workload.pods[0];
  if (!pod) return undefined;
  const byPorts = (ports: string[], source: string): CallerSkips => ({ source, bypass: (port) => portInList(ports, port), ports: parsePortNumbers(ports.join(',')) });
  if (src.mesh === 'linkerd') {
    const nsAnnotations = model.namespaces.get(src.namespace)?.annotations ?? {};
    const skipped = linkerdSkippedPorts(nsAnnotations, pod, src.namespace, undefined, model.linkerd).find((s) => s.direction === 'outbound');
    if (skipped && skipped.ports.length > 0) return byPorts(skipped.ports, skipped.source);
    const def = linkerdOutboundDefault(nsAnnotations, pod, src.namespace, model.linkerd);
    // The callee's declared ports are judged apart already (meshVerdictOverConns): no `ports`.
    return def ? { source: def.source, bypass: (port) => portInList(def.ports, port), ports: [], installDefault: { assumed: def.assumed } } : undefined;
  }
  if (src.mesh === 'consul') {
    // With the transparent proxy off (or not a boolean) nothing is redirected: a call goes through
    // the caller's proxy only when the application dials an explicit upstream on localhost, and
    // around it when it dials the callee's address, which the snapshot cannot tell apart
    // (developer.hashicorp.com/consul/docs/k8s/connect/transparent-proxy).
    const tproxy = src.consulTransparentProxy;
    if (tproxy && tproxy.enabled !== true) {
      return {
        source: `${tproxy.source}${tproxy.enabled === undefined ? ', not a boolean' : ''}: without the transparent proxy, a call leaves through the proxy only when dialled to an explicit upstream on localhost`,
        bypass: () => 'unknown',
        ports: [],
      };
    }
    const value = pod.annotations[CONSUL_EXCLUDE_OUTBOUND_ANNOTATION];
    const ports = consulPortList(value).map(String);
    return ports.length > 0 ? byPorts(ports, `pod annotation ${CONSUL_EXCLUDE_OUTBOUND_ANNOTATION}`) : undefined;
  }
  if (src.mesh === 'istio' && istioMembership(model.namespaces.get(src.namespace)?.labels ?? {}, pod).dataplane === 'sidecar') {
    const capture = istioOutboundCapture(pod, src.istioCaptureDefaults);
    if (!capture) return undefined;
    return {
      source: capture.source,
      bypass: (port, ip) => outboundBypass(capture, port, ip),
      ports: [...capture.excludePorts, ...capture.includePorts],
    };
  }
  return undefined;
}

/** Every pod IP (status.podIPs, else status.podIP) by "namespace/name"; pods without one are absent. */
const podIps = memoize((snapshot: Snapshot): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const p of snapshot.resources.pods ?? []) {
    const status = obj(p.status);
    const listed = arr(status?.podIPs).map((x) => str(obj(x)?.ip)).filter((x): x is string => !!x);
    const ips = listed.length > 0 ? listed : [str(status?.podIP)].filter((x): x is string => !!x);
    if (ips.length > 0) out.set(`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`, ips);
  }
  return out;
}, ['network', 'tls', 'mtls']);

type SkipState = boolean | 'unknown' | 'some';

/**
 * Whether calls dialled straight to `port` of the callee's pods leave around the caller's proxy:
 * decided by the port alone when it can be, else by each pod's address (a workload from
 * manifests, or a pod without status.podIP, has none: 'unknown'). 'some': for some pods only.
 */
function skipState(snapshot: Snapshot, skips: CallerSkips, callee: WorkloadMesh, port: number): SkipState {
  const byPort = skips.bypass(port, undefined);
  if (byPort !== 'unknown') return byPort;
  // Callers with the same annotations share the answer: the effective matrix asks for every pair,
  // and walking the callee's pods once per caller would grow with callers times pods.
  const cache = addressStates(snapshot);
  const key = `${skips.source}\u0000${refKey(callee.workload.ref)}\u0000${port}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const ips = podIps(snapshot);
  let state: SkipState | undefined;
  for (const pod of callee.workload.pods) {
    const list = pod.origin === 'pod' ? ips.get(`${pod.namespace}/${pod.name}`) : undefined;
    if (!list) {
      state = 'unknown';
      break;
    }
    for (const ip of list) {
      const b = skips.bypass(port, ip);
      state = b === 'unknown' ? 'unknown' : state !== undefined && state !== b ? 'some' : b;
      if (state === 'unknown' || state === 'some') break;
    }
    if (state === 'unknown' || state === 'some') break;
  }
  cache.set(key, state ?? 'unknown');
  return state ?? 'unknown';
}

/**
 * Every address of a workload's pods (podIps), once per workload and snapshot; undefined when a pod
 * has none (a template from manifests, a pod not scheduled).
 */
function callerAddresses(snapshot: Snapshot, w: WorkloadMesh): string[] | undefined {
  const cache = workloadAddresses(snapshot);
  const key = refKey(w.workload.ref);
  if (cache.has(key)) return cache.get(key);
  const ips = podIps(snapshot);
  let out: string[] | undefined = [];
  for (const pod of w.workload.pods) {
    const list = pod.origin === 'pod' ? ips.get(`${pod.namespace}/${pod.name}`) : undefined;
    if (!list) { out = undefined; break; }
    out.push(...list);
  }
  cache.set(key, out);
  return out;
}

const workloadAddresses = memoize((_snapshot: Snapshot) => new Map<string, string[] | undefined>(), ['network', 'tls', 'mtls']);

/** skipState's answers that turned on pod addresses, per snapshot. */
const addressStates = memoize((_snapshot: Snapshot) => new Map<string, SkipState>(), ['network', 'tls', 'mtls']);

/** exportTo: the Service's networking.istio.io/exportTo annotation, split (undefined: absent, exported everywhere). */
interface ServicePort { service: string; name: string; port: number; targetPort: number | string; clusterIps: string[]; headless: boolean; routeProtocol: RouteProtocol; exportTo?: string[] }
interface ServiceEntry { name: string; selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string; routeProtocol: RouteProtocol }>; clusterIps: string[]; headless: boolean; exportTo?: string[] }

/**
 * Which VirtualService routes a Service port's protocol uses: http ones for HTTP, tcp ones for
 * opaque TCP; TLS (https, tls, kubernetes.io/wss: tls routes) and sniffed ports are not narrowed.
 */
function routeProtocolOf(p: Record<string, unknown>, port: number): RouteProtocol {
  const name = str(p.name);
  const appProtocol = str(p.appProtocol);
  const { protocol } = declaredPortProtocol({ port, ...(name !== undefined ? { name } : {}), ...(appProtocol !== undefined ? { appProtocol } : {}) });
  const prefix = (appProtocol ?? name ?? '').toLowerCase().split('-')[0];
  if (protocol === 'tcp' && prefix !== 'https' && prefix !== 'tls' && appProtocol !== 'kubernetes.io/wss') return 'tcp';
  return protocol === 'http' ? 'http' : 'other';
}

/**
 * The TCP Services per namespace, indexed by the first pair of their selector, so a workload's
 * Services are found from its labels without walking every Service of its namespace.
 */
const servicesBySelectorPair = memoize((snapshot: Snapshot): Map<string, ServiceEntry[]> => {
  const out = new Map<string, ServiceEntry[]>();
  for (const svc of snapshot.resources.services ?? []) {
    const spec = obj(svc.spec);
    const selector = stringMap(spec?.selector);
    const first = Object.keys(selector).sort()[0];
    if (first === undefined) continue;
    const ports: ServiceEntry['ports'] = [];
    for (const raw of arr(spec?.ports)) {
      const p = obj(raw);
      const port = p?.port;
      if (!p || (p.protocol ?? 'TCP') !== 'TCP' || typeof port !== 'number') continue;
      const tp = p.targetPort ?? port;
      ports.push({ port, targetPort: typeof tp === 'string' && /^\d+$/.test(tp) ? Number(tp) : typeof tp === 'number' || typeof tp === 'string' ? tp : port, routeProtocol: routeProtocolOf(p, port) });
    }
    const clusterIps = [...arr(spec?.clusterIPs), spec?.clusterIP].filter((x): x is string => typeof x === 'string' && x !== '' && x !== 'None');
    const key = `${svc.metadata?.namespace ?? 'default'}\u0000${first}\u0000${selector[first]}`;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    const exportTo = svc.metadata?.annotations?.['networking.istio.io/exportTo'];
    list.push({ name: svc.metadata?.name ?? '', selector, ports, clusterIps: [...new Set(clusterIps)], headless: spec?.clusterIP === 'None', ...(typeof exportTo === 'string' ? { exportTo: exportTo.split(',').map((e) => e.trim()).filter((e) => e) } : {}) });
  }
  return out;
}, ['network', 'tls', 'mtls']);

/** servicePortsTo's answers per callee and port, per snapshot: the effective matrix asks once per caller. */
const servicePortsCache = memoize((_snapshot: Snapshot) => new Map<string, ServicePort[]>(), ['network', 'tls', 'mtls']);

/** The ports of Services selecting the callee that lead to its pod port `port` (headless ones included, marked). */
function servicePortsTo(snapshot: Snapshot, callee: WorkloadMesh, port: number): ServicePort[] {
  const cache = servicePortsCache(snapshot);
  const key = `${refKey(callee.workload.ref)}\u0000${port}`;
  let out = cache.get(key);
  if (!out) cache.set(key, (out = servicePortsOf(snapshot, callee, port)));
  return out;
}

function servicePortsOf(snapshot: Snapshot, callee: WorkloadMesh, port: number): ServicePort[] {
  return serviceTargets(snapshot, callee).filter((t) => t.target === port).map((t) => t.sp);
}

/** Every TCP port of a Service selecting the callee, with the pod port it leads to (undefined: a name no container port has). */
function serviceTargets(snapshot: Snapshot, callee: WorkloadMesh): Array<{ sp: ServicePort; target: number | undefined }> {
  const index = servicesBySelectorPair(snapshot);
  const named = callee.workload.pods[0] ? containerPorts(callee.workload.pods[0].spec) : [];
  const out: Array<{ sp: ServicePort; target: number | undefined }> = [];
  for (const [k, v] of Object.entries(callee.labels)) {
    for (const svc of index.get(`${callee.namespace}\u0000${k}\u0000${v}`) ?? []) {
      if (!Object.entries(svc.selector).every(([sk, sv]) => callee.labels[sk] === sv)) continue;
      for (const p of svc.ports) {
        const target = typeof p.targetPort === 'number' ? p.targetPort : named.find((n) => n.name === p.targetPort)?.port;
        out.push({ sp: { service: `${callee.namespace}/${svc.name}`, name: svc.name, port: p.port, targetPort: p.targetPort, clusterIps: svc.clusterIps, headless: svc.headless, routeProtocol: p.routeProtocol, ...(svc.exportTo ? { exportTo: svc.exportTo } : {}) }, target });
      }
    }
  }
  return out;
}

const STATE_TEXT: Record<string, string> = {
  true: 'leaves around its proxy in plaintext', false: 'goes through its proxy', unknown: 'may leave around its proxy (the address decides and is not known)',
};

/**
 * The reach model follows a call to the pod's port; a caller that dials a Service dials the
 * Service's port and cluster IP instead, which its skip annotations may treat otherwise. Said in a
 * note for each such Service port, since which one the caller dials is not in the snapshot.
 */
function serviceSkipNotes(snapshot: Snapshot, skips: CallerSkips, callerText: string, callee: WorkloadMesh, port: number, direct: SkipState): string[] {
  const notes: string[] = [];
  for (const sp of servicePortsTo(snapshot, callee, port)) {
    // A headless Service translates nothing: its clients dial the pod's address and port.
    if (sp.headless) continue;
    const ips = sp.clusterIps.length > 0 ? sp.clusterIps : [undefined];
    const states = new Set(ips.map((ip) => skips.bypass(sp.port, ip)));
    const via: boolean | 'unknown' = states.size === 1 ? [...states][0] : 'unknown';
    if (via === direct) continue;
    const where = sp.clusterIps.length > 0 ? ` at ${sp.clusterIps.join(', ')}` : '';
    notes.push(`this verdict is for a call dialled to the pod's port ${port}; a call through Service ${sp.service} dials port ${sp.port}${where}, which ${callerText} ${STATE_TEXT[String(via)]} (${skips.source})`);
  }
  return notes;
}

/** podAddressed: the caller dials the callee's pod addresses, never a Service's, and why (an ingress-nginx upstream). */
/** `sourceAddress`: the address an external caller asked as (`reach --from <IP>`), no pod's (MeshCaller.address). */
export interface FlowOptions { podAddressed?: string; sourceAddress?: { family: 4 | 6; value: bigint; text: string } }

/** `from`: a workload, or 'external' for an address outside the cluster. */
export function meshFlowVerdict(snapshot: Snapshot, config: Config, from: ResourceRef | 'external', to: ResourceRef, port: number, protocol: Protocol, opts: FlowOptions = {}): MeshFlowVerdict {
  const index = workloadIndex(snapshot, config);
  const callee = index.get(refKey(to));
  const src = from === 'external' ? undefined : index.get(refKey(from));
  const calleeText = `${to.namespace}/${to.name}`;
  // A namespace not in the input (MeshModel.unseenNamespaces) has unknown labels and annotations:
  // an Istio or Linkerd workload's dataplane, revision, default policy and skipped ports turn on
  // them (Istio's injection webhook namespaceSelector, istio.io/rev, istio.io/dataplane-mode;
  // Linkerd's namespace config annotations), so what its proxy does on either end cannot be told:
  // no answer, rather than one read off none. A workload read as outside every mesh stays so:
  // the mesh then restricts nothing, the network's answer stands (the widest one).
  const labelsDecide = (w: WorkloadMesh | undefined) => w?.namespaceUnknown === true && (w.mesh === 'istio' || w.mesh === 'linkerd');
  const unseen = labelsDecide(callee) ? callee : labelsDecide(src) ? src : undefined;
  if (unseen) {
    return {
      mesh: callee?.mesh ?? 'none', verdict: 'unknown', plaintext: false,
      reason: `namespace ${unseen.namespace} is not in the input (only its workloads are): its mesh labels and annotations are unknown, so whether the mesh lets ${unseen === callee ? `${calleeText} be called` : `${unseen.namespace}/${unseen.workload.ref.name} call`} on port ${port}, and with what identity, cannot be told`,
    };
  }
  // An end whose pods the API server refuses to create runs nowhere: no call is made, in the mesh
  // or out of it, until its pods can start (and then Linkerd injects them), so no answer is given
  // rather than the plaintext one of a pod outside the mesh.
  const refusedEnd = refusedWhy(callee) !== undefined ? callee : refusedWhy(src) !== undefined ? src : undefined;
  if (refusedEnd) {
    return {
      mesh: 'linkerd', verdict: 'unknown', plaintext: false,
      reason: `${refusedEnd.namespace}/${refusedEnd.workload.ref.name} cannot start: ${refusedWhy(refusedEnd)!}; no pod of it runs, in the mesh or outside it, so what the mesh does with the call on port ${port} cannot be told until its pods start`,
    };
  }
  // REGISTRY_ONLY is the caller's sidecar's: it drops a call no Service leads to whatever the
  // callee runs, before anything at the callee is asked.
  if (callee && src && src.mesh === 'istio' && callee.mesh !== 'istio' && protocol === 'TCP') {
    const dropped = from === 'external' ? undefined : callerDrop(snapshot, config, src, callee, port, `${from.namespace}/${from.name}`, calleeText, opts.podAddressed);
    if (dropped) return dropped;
  }
  if (!callee || callee.mesh === 'none') {
    return { mesh: 'none', verdict: 'allowed', reason: `${calleeText} is not in a service mesh: no mesh authorization restricts calls to it`, plaintext: true };
  }
  if (protocol !== 'TCP') {
    // Sidecars, ztunnel and linkerd-proxy intercept TCP only.
    return { mesh: callee.mesh, verdict: 'allowed', reason: `${protocol} bypasses the ${callee.mesh} proxy (it handles TCP only): no mesh authorization applies`, plaintext: true };
  }
  if (from === 'external' || !src) {
    return judgeFlow(snapshot, config, callee, { namespace: '', serviceAccount: '', labels: {}, mtls: false, external: true, ...(from === 'external' && opts.sourceAddress ? { address: opts.sourceAddress } : {}) }, to, port, protocol, calleeText);
  }
  const addresses = callerAddresses(snapshot, src);
  const caller = (mtls: boolean): MeshCaller => ({ namespace: src.namespace, serviceAccount: serviceAccountOf(src), labels: src.labels, mtls, ...(src.istioRevision ? { istioRevision: src.istioRevision } : {}), ...(addresses ? { podAddresses: addresses } : {}) });
  const callerText = `${from.namespace}/${from.name}`;
  const passthrough = src.mesh === 'istio' && callee.mesh === 'istio' ? istioPassthrough(snapshot, config, src, callee, port, opts.podAddressed) : undefined;
  const tls = src.mesh === 'istio' && callee.mesh === 'istio' && !passthrough ? istioCallerTls(snapshot, config, src, callee, port) : undefined;
  // A call through the caller's own proxy: with its mesh identity, unless an Istio sidecar's
  // DestinationRule (or auto mTLS off) has it send plaintext or TLS of its own, or no Service
  // leads to the port and the sidecar sends it through PassthroughCluster (or drops it).
  const throughProxy = (): MeshFlowVerdict => {
    if (passthrough?.dropped) return droppedVerdict(callerText, calleeText, port, passthrough.why, passthrough.lead);
    if (passthrough) {
      const v = judgeFlow(snapshot, config, callee, { ...caller(false), noMtls: 'sends no Istio mTLS to it' }, to, port, protocol, calleeText);
      return { ...v, reason: `${callerText}'s sidecar sends a call to port ${port} of ${calleeText} in plaintext: ${passthrough.lead}; Istio's passthrough cluster sends no mTLS (outbound traffic policy ALLOW_ANY: ${passthrough.why}), so the call arrives without a mesh identity: ${v.reason}` };
    }
    const judged = judgeFlow(snapshot, config, callee, caller(true), to, port, protocol, calleeText);
    const scope = src.mesh === 'istio' && callee.mesh === 'istio' ? unreadSidecarScope(snapshot) : undefined;
    const secured = scope ? { ...judged, reason: `${judged.reason}; ${scope}` } : judged;
    if (!tls) return secured;
    const v = judgeFlow(snapshot, config, callee, { ...caller(false), noMtls: 'sends no Istio mTLS to it' }, to, port, protocol, calleeText);
    const plain: MeshFlowVerdict = { ...v, reason: `${callerText}'s sidecar sends no Istio mutual TLS to port ${port} of ${calleeText} (${tls.source}), so the call arrives without a mesh identity: ${v.reason}` };
    if (tls.noMtls === true) return plain;
    return judgedBothWays(callee.mesh, tls.noMtls, secured, plain, {
      same: `whether ${callerText}'s sidecar sends Istio mutual TLS to port ${port} of ${calleeText} depends on ${tls.noMtls === 'some' ? 'the Service it dials' : 'what the snapshot does not tell'} (${tls.source})`,
      unknown: `whether ${callerText}'s sidecar sends Istio mutual TLS to port ${port} of ${calleeText} cannot be told (${tls.source})`,
      some: `${callerText}'s sidecar sends Istio mutual TLS to port ${port} of ${calleeText} through some Services only (${tls.source})`,
      first: ['with Istio mTLS', 'with Istio mTLS'], second: ['without it', 'without it'],
    });
  };
  const model = src.mesh === callee.mesh ? meshModel(snapshot, config) : undefined;
  const found = model ? callerOutboundSkips(model, src) : undefined;
  // Linkerd's install default counts where the callee is seen to listen through its proxy, as the
  // inbound one does: not on a port the callee skips inbound itself (the call is plaintext
  // whatever the caller does, and the callee's inbound skip judges it, linkerdFlowVerdict).
  const skips = found?.installDefault && !(model && linkerdReceivesThroughProxy(model, callee, port)) ? undefined : found;
  if (!skips) return src.mesh === callee.mesh ? throughProxy() : judgeFlow(snapshot, config, callee, caller(false), to, port, protocol, calleeText);
  const state = skipState(snapshot, skips, callee, port);
  const notes = opts.podAddressed ? [] : serviceSkipNotes(snapshot, skips, callerText, callee, port, state);
  const withNotes = (v: MeshFlowVerdict): MeshFlowVerdict => (notes.length > 0 ? { ...v, notes: [...(v.notes ?? []), ...notes] } : v);
  const around = (): MeshFlowVerdict => {
    const v = judgeFlow(snapshot, config, callee, caller(false), to, port, protocol, calleeText);
    return { ...v, reason: `${callerText} sends port ${port} around its own ${callee.mesh} proxy (${skips.source}), so the call arrives in plaintext without a mesh identity: ${v.reason}` };
  };
  if (state === false) return withNotes(throughProxy());
  if (state === true && skips.installDefault?.assumed) {
    // The install may not skip the port: known only when both ways give the same answer.
    const which = `whether ${callerText}'s proxy lets a call to port ${port} out untouched depends on the installed proxyInit.ignoreOutboundPorts (ConfigMap linkerd/linkerd-config) (${skips.source})`;
    return withNotes(judgedBothWays(callee.mesh, 'unknown', throughProxy(), around(), { same: which, unknown: which, some: which, first: ['through the proxy', 'through it'], second: ['around it', 'around it'] }));
  }
  if (state === true) return withNotes(around());
  return withNotes(judgedBothWays(callee.mesh, state, throughProxy(), around(), {
    same: `whether ${callerText}'s proxy captures the call depends on the address of ${calleeText}'s pods (${skips.source})`,
    unknown: `whether ${callerText}'s proxy captures a call to port ${port} depends on the address of ${calleeText}'s pods, which the snapshot does not give (no status.podIP: manifests, or pods not scheduled) (${skips.source})`,
    // Some pods' addresses are captured, others not.
    some: `only some of ${calleeText}'s pods have addresses ${callerText}'s proxy captures (${skips.source})`,
    first: ['through the proxy', 'through it'], second: ['around it', 'around it'],
  }));
}

/**
 * One call that may go two ways: the same verdict both ways is given with a note; when which way
 * is not known ('unknown'), so is the verdict; when both happen ('some'), the flow is as open as
 * its most open part, the other named. `first`/`second`: how each way is named in an unknown
 * verdict and in a 'some' one.
 */
function judgedBothWays(mesh: MeshFlowVerdict['mesh'], state: 'unknown' | 'some', one: MeshFlowVerdict, other: MeshFlowVerdict, text: { same: string; unknown: string; some: string; first: [string, string]; second: [string, string] }): MeshFlowVerdict {
  if (one.verdict === other.verdict) return { ...one, notes: [...(one.notes ?? []), `${text.same}; either way: ${VERB_TEXT[one.verdict]}`] };
  if (state === 'unknown') {
    return {
      mesh, verdict: 'unknown', plaintext: one.plaintext && other.plaintext,
      reason: `${text.unknown}; ${text.first[0]}: ${VERB_TEXT[one.verdict]} (${one.reason}); ${text.second[0]}: ${VERB_TEXT[other.verdict]} (${other.reason})`,
    };
  }
  const [open, closed, openName, closedName] = VERDICT_RANK[other.verdict] < VERDICT_RANK[one.verdict] ? [other, one, text.second[1], text.first[1]] : [one, other, text.first[1], text.second[1]];
  return { ...open, reason: `${text.some}: ${openName}, ${open.reason}; ${closedName}: ${VERB_TEXT[closed.verdict]} (${closed.reason})` };
}

function droppedVerdict(callerText: string, calleeText: string, port: number, why: string, lead: string): MeshFlowVerdict {
  return {
    mesh: 'istio', verdict: 'denied', plaintext: false, enforcedBy: `${callerText}'s sidecar`,
    reason: `${callerText}'s sidecar drops a call to port ${port} of ${calleeText}: ${lead}, and its outbound traffic policy is REGISTRY_ONLY (${why}), so Istio sends the call to BlackHoleCluster`,
  };
}

/**
 * A sidecar caller's REGISTRY_ONLY drop of a call to a callee outside Istio (no mesh, or another
 * one): undefined when the call is not dropped, or when the caller's skip annotations may send it
 * around its proxy (then the callee's answer stands, the more open one).
 */
function callerDrop(snapshot: Snapshot, config: Config, src: WorkloadMesh, callee: WorkloadMesh, port: number, callerText: string, calleeText: string, podAddressed: string | undefined): MeshFlowVerdict | undefined {
  const passthrough = istioPassthrough(snapshot, config, src, callee, port, podAddressed);
  if (!passthrough?.dropped) return undefined;
  const skips = callerOutboundSkips(meshModel(snapshot, config), src);
  if (skips && skipState(snapshot, skips, callee, port) !== false) return undefined;
  return droppedVerdict(callerText, calleeText, port, passthrough.why, passthrough.lead);
}

/** Each Istio workload's outbound traffic policy by workload, once per run. */
const outboundByWorkload = memoizeBySnapshotAndConfig((snapshot, config) => new Map(istioOutbound(snapshot, config).workloads.map((w) => [refKey(w.mesh.workload.ref), w])), ['network', 'tls', 'mtls']);

/**
 * A sidecar caller's call to a callee port no Service leads to (headless ones included: their pods
 * get listeners of their own) can only be dialled to a pod's address, which no outbound listener
 * of the sidecar matches: with outboundTrafficPolicy ALLOW_ANY (Istio's default) it goes through
 * PassthroughCluster, an ORIGINAL_DST cluster built without TLS (pilot's
 * buildDefaultPassthroughCluster; istio/istio#22220: pod-IP calls go through the passthrough
 * cluster "which does not have the mTLS config"), with REGISTRY_ONLY to BlackHoleCluster
 * (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode).
 * undefined: a Service leads to the port, or the caller is no sidecar (ztunnel sends HBONE to pod
 * addresses) or a gateway (which calls only what its routes name).
 */
function istioPassthrough(snapshot: Snapshot, config: Config, src: WorkloadMesh, callee: WorkloadMesh, port: number, podAddressed?: string): { dropped: boolean; why: string; lead: string } | undefined {
  const pod = src.workload.pods[0];
  if (!pod || istioGatewayPod(src) || istioMembership(meshModel(snapshot, config).namespaces.get(src.namespace)?.labels ?? {}, pod).dataplane !== 'sidecar') return undefined;
  const outbound: WorkloadOutbound | undefined = outboundByWorkload(snapshot, config).get(refKey(src.workload.ref));
  // A caller that dials pod addresses meets a listener of its own only for a headless Service's pods.
  const all = servicePortsTo(snapshot, callee, port).filter((sp) => !podAddressed || sp.headless);
  if (visibleServicePorts(outbound, src, callee, all).length > 0) return undefined;
  const lead = podAddressed ? `${podAddressed}, and no outbound listener of the sidecar matches a pod's address on port ${port}`
    : all.length === 0 ? `no Service leads to port ${port}` : `no Service in its registry leads to port ${port} (${hiddenText(outbound, src, all)})`;
  if (!outbound) return { dropped: false, why: 'Istio default', lead };
  if (outbound.mode === undefined) return { dropped: false, why: `${outbound.decidedBy}: not known, taken as Istio's default`, lead };
  if (outbound.mode === 'ALLOW_ANY') return { dropped: false, why: outbound.decidedBy, lead };
  // A Sidecar that could not be read may set ALLOW_ANY for the caller: the more open answer stands.
  const unread = snapshot.coverage['istio.sidecars'];
  if (!outbound.sidecar && unread && (unread.status === 'forbidden' || unread.status === 'error')) {
    return { dropped: false, why: `${outbound.decidedBy} says REGISTRY_ONLY, but Sidecars could not be read (${unread.status}) and one may set ALLOW_ANY`, lead };
  }
  return { dropped: true, why: outbound.decidedBy, lead };
}

/**
 * The Service ports in the caller's sidecar's registry: a Service not exported to its namespace,
 * or one its Sidecar's egress hosts do not import, gets no outbound listener there, so a call to it
 * is one to an unknown address (https://istio.io/latest/docs/reference/config/networking/sidecar/).
 */
function visibleServicePorts(outbound: WorkloadOutbound | undefined, src: WorkloadMesh, callee: WorkloadMesh, ports: ServicePort[]): ServicePort[] {
  return ports.filter((sp) => sidecarImportsService(outbound?.egressHosts, sp.exportTo, src.namespace, callee.namespace, sp.name));
}

function hiddenText(outbound: WorkloadOutbound | undefined, src: WorkloadMesh, ports: ServicePort[]): string {
  const services = [...new Set(ports.map((sp) => sp.service))];
  const named = `Service${services.length > 1 ? 's' : ''} ${services.slice(0, NAMED_SERVICES).join(', ')}${services.length > NAMED_SERVICES ? ` and ${services.length - NAMED_SERVICES} more` : ''}`;
  const exportTo = [...new Set(ports.filter((sp) => sp.exportTo).map((sp) => `${sp.service}: ${sp.exportTo!.map((e) => JSON.stringify(e)).join(', ')}`))];
  const parts: string[] = [];
  if (outbound?.egressHosts && outbound.sidecar) {
    const hosts = outbound.egressHosts.slice(0, NAMED_SERVICES).map((h) => JSON.stringify(h)).join(', ') + (outbound.egressHosts.length > NAMED_SERVICES ? `, and ${outbound.egressHosts.length - NAMED_SERVICES} more` : '');
    parts.push(`Sidecar ${outbound.sidecar.namespace}/${outbound.sidecar.name} egress hosts ${hosts || 'none'}`);
  }
  if (exportTo.length > 0) parts.push(`networking.istio.io/exportTo of ${exportTo.slice(0, NAMED_SERVICES).join('; ')}`);
  return `${named} not imported into namespace ${src.namespace}: ${parts.join('; ')}`;
}

/** Said of an mTLS answer when the Sidecars could not be read: one may scope the caller's registry away from the Service. */
function unreadSidecarScope(snapshot: Snapshot): string | undefined {
  const unread = snapshot.coverage['istio.sidecars'];
  if (!unread || (unread.status !== 'forbidden' && unread.status !== 'error')) return undefined;
  return `taken as sent through the Service with Istio mTLS, but Sidecars could not be read (${unread.status}): one whose egress hosts do not import the Service sends the call through PassthroughCluster in plaintext`;
}

/** Whether an Istio sidecar caller sends Istio mutual TLS to a callee port: noMtls true when it sends plaintext or TLS of its own. */
interface CallerTls { noMtls: true | 'unknown' | 'some'; source: string }

/** The DestinationRules by namespace and host, once per run. */
const destinationRuleIndex = memoizeBySnapshotAndConfig((snapshot, _config) => {
  const byRoot = new Map<string, DestinationRuleIndex>();
  return (rootNamespace: string): DestinationRuleIndex => {
    let index = byRoot.get(rootNamespace);
    if (!index) byRoot.set(rootNamespace, (index = indexDestinationRules(snapshot.resources['istio.destinationrules'] ?? [], rootNamespace)));
    return index;
  };
}, ['network', 'tls', 'mtls']);
/** meshConfig.enableAutoMtls per Istio revision: a caller's sidecar follows the mesh config of its own revision's istiod. */
const autoMtls = memoizeBySnapshotAndConfig((snapshot, config) => {
  const byRevision = new Map<string, IstioAutoMtls>();
  return (revision: string): IstioAutoMtls => {
    let auto = byRevision.get(revision);
    if (!auto) byRevision.set(revision, (auto = istioAutoMtls(snapshot.resources.configmaps ?? [], istioMeshConfigNamespaces(snapshot, config)(revision).namespaces, revision)));
    return auto;
  };
}, ['network', 'tls', 'mtls']);

const NAMED_SERVICES = 3;

/**
 * An Istio sidecar's client TLS to the callee, for each Service port that leads to `port`: the
 * DestinationRule istiod applies for the caller's namespace and that Service host
 * (indexDestinationRules, as mtls.auto-mtls-disabled finds it) sets it; its TLS settings override
 * auto mTLS, which without them sends Istio mTLS to sidecar endpoints (meshConfig.enableAutoMtls,
 * default true). Only ISTIO_MUTUAL presents the workload's identity: DISABLE "Do not setup a TLS
 * connection to the upstream endpoint", SIMPLE and MUTUAL originate TLS with other certificates
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode).
 * undefined: Istio mTLS every way (or no Service leads there: istioPassthrough).
 * A rule's workloadSelector is weighed against the caller's labels (chooseForCaller); a subset
 * whose tls would change the answer decides where the caller's VirtualService routes send calls
 * to it (routedTls).
 */
function istioCallerTls(snapshot: Snapshot, config: Config, src: WorkloadMesh, callee: WorkloadMesh, port: number): CallerTls | undefined {
  const pod = src.workload.pods[0];
  if (!pod || istioMembership(meshModel(snapshot, config).namespaces.get(src.namespace)?.labels ?? {}, pod).dataplane !== 'sidecar') return undefined;
  const services = visibleServicePorts(outboundByWorkload(snapshot, config).get(refKey(src.workload.ref)), src, callee, servicePortsTo(snapshot, callee, port));
  if (services.length === 0) return undefined;
  // The caller's istiod (its revision) picks the DestinationRule, its root namespace's included, and decides auto mTLS.
  const index = destinationRuleIndex(snapshot, config)(src.istioRoot?.namespace ?? meshModel(snapshot, config).istio.policies.rootNamespace);
  const auto = autoMtls(snapshot, config)(src.istioRevision ?? 'default');
  const judged = services.map((sp): { noMtls: boolean | 'unknown'; text: string } => {
    const found = index.lookup({ namespace: callee.namespace, name: sp.name }, src.namespace, src.labels);
    const at = `Service ${sp.service} port ${sp.port}`;
    const rules = found.rules ?? [];
    const names = rules.map((r) => `${r.ref.namespace}/${r.ref.name}`).join(', ');
    const modes = [...new Set(rules.map((r) => ruleTlsMode(r, sp.port)))];
    if (modes.length > 1) return { noMtls: 'unknown', text: `${at}: DestinationRules ${names} set different tls modes (${modes.map((m) => m ?? 'none').join(', ')}) and istiod merges them` };
    const mode = modes[0];
    const base = ((): { noMtls: boolean | 'unknown'; text: string } => {
      if (mode !== undefined) return { noMtls: mode !== 'ISTIO_MUTUAL', text: `${at}: DestinationRule ${names} sets tls.mode ${mode} (picked from the ${found.why})` };
      const none = rules.length > 0 ? `DestinationRule ${names} sets no tls mode` : found.why;
      const unlabelled = autoMtlsUnlabelled(snapshot, callee);
      if (unlabelled) return { noMtls: unlabelled.noMtls, text: `${at}: ${none}; ${unlabelled.text}` };
      if (auto.enabled === undefined) return { noMtls: 'unknown', text: `${at}: ${none}, and whether auto mTLS is on is unknown (${auto.source}: ${auto.problem ?? 'unreadable'})` };
      return { noMtls: !auto.enabled, text: `${at}: ${none}; auto mTLS is ${auto.enabled ? 'on' : 'off'} (${auto.source})` };
    })();
    // A subset's tls overrides the rule's for the traffic a VirtualService route sends to it
    // ("Policies specified for subsets will not take effect until a route rule explicitly sends
    // traffic to this subset", https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset).
    const flips = rules.flatMap((r) => r.subsets.map((sub) => ({ r, sub, mode: subsetTlsMode(r, sub, sp.port) })))
      .filter((x) => x.mode !== undefined && (x.mode !== 'ISTIO_MUTUAL') !== base.noMtls);
    if (flips.length === 0) return base;
    const subsets = flips.map((x) => `subset ${x.sub.name} of DestinationRule ${x.r.ref.namespace}/${x.r.ref.name} sets tls.mode ${x.mode}`).join(', ');
    return routedTls(snapshot, src, callee, sp, rules, base, subsets);
  });
  const states = new Set(judged.map((j) => j.noMtls));
  if (states.size === 1 && states.has(false)) return undefined;
  const noMtls: CallerTls['noMtls'] = states.has('unknown') ? 'unknown' : states.has(false) ? 'some' : true;
  const named = states.size === 1 ? judged : judged.filter((j) => j.noMtls !== false).concat(judged.filter((j) => j.noMtls === false));
  const more = named.length > NAMED_SERVICES ? `; and ${named.length - NAMED_SERVICES} more Service port(s)` : '';
  return { noMtls, source: `${named.slice(0, NAMED_SERVICES).map((j) => j.text).join('; ')}${more}` };
}

/** The security.istio.io/tlsMode label auto mTLS matches endpoints by (pilot/pkg/model/service.go GetTLSModeFromEndpointLabels). */
const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

const unlabelledCache = memoize((_snapshot: Snapshot) => new Map<string, { noMtls: true | 'unknown'; text: string } | null>(), ['network', 'tls', 'mtls']);

/**
 * Auto mTLS to an Istio gateway callee (istioGatewayPod) with no DestinationRule tls of its own:
 * istiod builds the cluster with two transport socket matches, Istio mTLS for endpoints labelled
 * security.istio.io/tlsMode: istio and plaintext for every other one (istio/istio
 * pilot/pkg/networking/core/cluster_tls.go, "tlsMode-istio" and defaultTransportSocketMatch;
 * an endpoint without the label is "disabled": pilot/pkg/model/service.go
 * GetTLSModeFromEndpointLabels). The sidecar injection template adds the label
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml), the gateway one
 * does not (gateway-injection-template.yaml), so a gateway's pods carry it only when written on
 * them, and a caller reaches the gateway in plaintext unless a DestinationRule sets ISTIO_MUTUAL
 * (as https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/
 * does for the egress gateway). Sidecar callees are left as they are: injection labels their pods,
 * and a template read from manifests is labelled only once injected.
 * undefined: not a gateway, or every pod of it carries the label (then auto mTLS decides as usual).
 */
function autoMtlsUnlabelled(snapshot: Snapshot, callee: WorkloadMesh): { noMtls: true | 'unknown'; text: string } | undefined {
  if (!istioGatewayPod(callee)) return undefined;
  const cache = unlabelledCache(snapshot);
  const key = refKey(callee.workload.ref);
  let out = cache.get(key);
  if (out === undefined) {
    const pods = callee.workload.pods;
    const labelled = istioMtlsLabelledPods(callee);
    const said = `auto mTLS sends Istio mTLS only to endpoints labelled ${TLS_MODE_LABEL}: istio, which the Istio gateway injection template does not add`;
    out = labelled === pods.length ? null
      : labelled === 0 ? { noMtls: true, text: `${said}, and ${callee.namespace}/${callee.workload.ref.name}'s ${pods.length === 1 && pods[0].origin === 'template' ? 'pod template does' : 'pods do'} not carry it, so the caller sends plaintext (a DestinationRule with tls.mode ISTIO_MUTUAL would send Istio mTLS)` }
        : { noMtls: 'unknown', text: `${said}, and only ${labelled} of ${callee.namespace}/${callee.workload.ref.name}'s ${pods.length} pods carry it: calls balanced to the others go in plaintext` };
    cache.set(key, out);
  }
  return out ?? undefined;
}

/** How many of a workload's pods carry the label auto mTLS sends Istio mTLS to (autoMtlsUnlabelled). */
function istioMtlsLabelledPods(w: WorkloadMesh): number {
  return w.workload.pods.filter((p) => p.labels[TLS_MODE_LABEL] === 'istio').length;
}

/**
 * An Istio gateway none of whose pods carries security.istio.io/tlsMode: istio: auto mTLS sends its
 * callers' calls in plaintext whether it is on or off (autoMtlsUnlabelled).
 */
export function istioGatewayOutsideAutoMtls(w: WorkloadMesh): boolean {
  return istioGatewayPod(w) && istioMtlsLabelledPods(w) === 0;
}

/** The mesh-bound VirtualServices by host, once per snapshot. */
const meshRouteIndex = memoize((snapshot: Snapshot) => indexMeshVirtualServices(snapshot.resources['istio.virtualservices'] ?? []), ['network', 'tls', 'mtls']);

type TlsAnswer = { noMtls: boolean | 'unknown'; text: string };

/**
 * Whether a sidecar caller sends Istio mTLS through a Service port some of whose DestinationRule
 * subsets set other client TLS than the rule: decided by where the VirtualServices bound to `mesh`
 * for the host send the caller's calls (routeAlternatives). No such VirtualService: every call goes
 * to the Service's own cluster, under the rule's policy. When the places a call may go disagree (a
 * match on the request, a weighted split), or a route leaves what is read, the answer is unknown and
 * names them. Two VirtualServices for one host: istiod uses one of them, so unknown too.
 */
function routedTls(snapshot: Snapshot, src: WorkloadMesh, callee: WorkloadMesh, sp: ServicePort, rules: ClientTlsRule[], base: TlsAnswer, subsets: string): TlsAnswer {
  const svc = { namespace: callee.namespace, name: sp.name };
  const unread = snapshot.coverage['istio.virtualservices'];
  if (unread && (unread.status === 'forbidden' || unread.status === 'error')) {
    return { noMtls: 'unknown', text: `${base.text}; but ${subsets} for the traffic a VirtualService route sends to it, and VirtualServices could not be read (${unread.status})` };
  }
  // A gateway's Envoy routes by the VirtualServices bound to its Gateway, not to mesh.
  if (istioGatewayPod(src)) return { noMtls: 'unknown', text: `${base.text}; but ${subsets} for the traffic a VirtualService route sends to it, and ${src.namespace}/${src.workload.ref.name} is an Istio gateway, whose Gateway-bound routes are not read here` };
  const found = meshRouteIndex(snapshot).forService(svc, src.namespace);
  if (found.length === 0) return { noMtls: base.noMtls, text: `${base.text}; ${subsets}, but no VirtualService bound to mesh routes ${sp.service} to a subset, so that policy never applies` };
  const names = (list: Array<{ ref: ResourceRef }>) => list.map((v) => `${v.ref.namespace}/${v.ref.name}`).join(', ');
  if (found.length > 1) return { noMtls: 'unknown', text: `${base.text}; but ${subsets} for the traffic a route sends to it, and VirtualServices ${names(found)} all route ${sp.service} for mesh traffic (istiod applies one of them)` };
  const vs = found[0];
  const alternatives = routeAlternatives(vs, svc, sp.port, sp.routeProtocol, { namespace: src.namespace, labels: src.labels });
  // Only redirects or direct responses: the caller's sidecar answers every call itself, no subset is reached.
  if (alternatives.length === 0) return { noMtls: base.noMtls, text: `${base.text}; ${subsets}, but VirtualService ${names([vs])} sends the caller's calls to no destination (redirects or direct responses only), so that policy never applies` };
  const judged = alternatives.map((alt): { noMtls: boolean | 'unknown'; text: string } => {
    if (alt.kind === 'default') return { noMtls: base.noMtls, text: `calls no route sends to a subset go to ${sp.service} itself` };
    if (alt.kind === 'elsewhere') return { noMtls: 'unknown', text: `${alt.where}, which is not followed` };
    const declaring = rules.filter((r) => r.subsetNames.has(alt.subset));
    if (declaring.length === 0) return { noMtls: 'unknown', text: `${alt.where}, which DestinationRule ${names(rules)} does not declare` };
    const modes = [...new Set(declaring.map((r) => {
      const sub = r.subsets.find((x) => x.name === alt.subset);
      return sub ? subsetTlsMode(r, sub, sp.port) : ruleTlsMode(r, sp.port);
    }))];
    if (modes.length > 1) return { noMtls: 'unknown', text: `${alt.where}, whose rules set different tls modes (${modes.map((m) => m ?? 'none').join(', ')})` };
    const mode = modes[0];
    return mode === undefined ? { noMtls: base.noMtls, text: `${alt.where}, which sets no tls mode of its own` } : { noMtls: mode !== 'ISTIO_MUTUAL', text: `${alt.where}, whose tls.mode is ${mode}` };
  });
  const texts = [...new Set(judged.map((j) => j.text))].join('; ');
  const values = new Set(judged.map((j) => j.noMtls));
  if (values.size === 1 && !values.has('unknown')) {
    const noMtls = [...values][0];
    return { noMtls, text: `${at(sp)}: every route VirtualService ${names([vs])} gives the caller ${noMtls ? 'sends no' : 'sends'} Istio mTLS (${texts})` };
  }
  return { noMtls: 'unknown', text: `${base.text}; but ${subsets}, and the calls VirtualService ${names([vs])} routes may go where the answers differ or are not known (${texts})` };
}


const rootsByModel = new WeakMap<MeshModel, ReadonlySet<string>>();

/**
 * Whether a workload belongs to an Istio control plane, which the L7 verdicts (mtls.authz-*, the
 * report's "no L7 behind L4") do not judge as an application: it runs istiod (by image,
 * components.ts), or it lives in a root namespace and is no gateway. The root namespaces are the
 * default revision's and those of every revision a workload's proxy runs under (its istio-<rev>
 * mesh config's rootNamespace): each revision's istiod is installed in its own system namespace
 * ("two control planes installed in two different system namespaces",
 * https://istio.io/latest/docs/setup/install/multiple-controlplanes/). istioctl's default profile
 * also puts istio-ingressgateway in istio-system: a gateway is judged wherever it runs, as reach
 * judges it. O(workloads) once per model, then O(containers) per workload.
 */
export function istioControlPlaneWorkload(m: MeshModel, w: WorkloadMesh): boolean {
  let roots = rootsByModel.get(m);
  if (!roots) {
    const found = new Set([m.istio.policies.rootNamespace]);
    for (const x of m.workloads) if (x.mesh === 'istio' && x.istioRoot) found.add(x.istioRoot.namespace);
    rootsByModel.set(m, (roots = found));
  }
  if (roots.has(w.namespace) && !istioGatewayPod(w)) return true;
  return runsMeshControlPlane(w.workload, 'istio');
}

const at = (sp: ServicePort) => `Service ${sp.service} port ${sp.port}`;

/** One Gateway server (or Gateway API listener) an Istio gateway binds, the pod ports it binds, and what it accepts from a caller without a mesh identity. */
export interface GatewayServer {
  where: string;
  policy: ResourceRef;
  ports: number[];
  accepts: 'plaintext' | 'tls' | 'mesh-mtls' | 'unknown';
  what: string;
  /** Passes TLS through by SNI without terminating it (tls.mode PASSTHROUGH or AUTO_PASSTHROUGH, a Gateway API TLS listener in Passthrough mode): Envoy never sees the caller's certificate. */
  passthrough?: true;
}

const GATEWAY_TLS: Record<string, { accepts: GatewayServer['accepts']; what: string }> = {
  SIMPLE: { accepts: 'tls', what: 'terminates TLS with its own certificate: a caller without a mesh identity connects over TLS' },
  OPTIONAL_MUTUAL: { accepts: 'tls', what: 'terminates TLS, a client certificate optional: a caller without a mesh identity connects over TLS' },
  PASSTHROUGH: { accepts: 'tls', what: 'passes TLS through by SNI: a caller without a mesh identity connects over its own TLS' },
  MUTUAL: { accepts: 'unknown', what: 'requires a client certificate signed by the CA it names, which the snapshot cannot tell the caller has' },
  AUTO_PASSTHROUGH: { accepts: 'unknown', what: 'passes mesh mTLS through by SNI to the service it names; what a caller without a mesh identity meets there the snapshot does not tell' },
  ISTIO_MUTUAL: { accepts: 'mesh-mtls', what: 'accepts only Istio mTLS (workload certificates)' },
};

/** Cluster text, quoted unless it is a plain upper-case word (a protocol or TLS mode as written). */
const word = (v: string) => (/^[A-Z0-9_]{1,32}$/.test(v) ? v : JSON.stringify(v));

const gatewayServersCache = memoize((_snapshot: Snapshot) => new Map<string, GatewayServer[]>(), ['network', 'tls', 'mtls']);

/** istioGatewayServers, once per snapshot and gateway workload. */
export function gatewayServersOf(snapshot: Snapshot, callee: WorkloadMesh): GatewayServer[] {
  const cache = gatewayServersCache(snapshot);
  const key = refKey(callee.workload.ref);
  let out = cache.get(key);
  if (!out) cache.set(key, (out = istioGatewayServers(snapshot, callee)));
  return out;
}

/**
 * The Gateway servers an Istio gateway (istioGatewayPod) binds: Istio Gateways whose selector
 * (none: every gateway) matches its labels, in any namespace, a server's port number bound to the
 * targetPort of the gateway's Service with that port, else to the number itself (istio/istio
 * pilot/pkg/model/push_context.go mergeGateways, gateway.go resolvePorts); and the listeners of the
 * Gateway API Gateway an Istio-managed gateway's pods name (gateway.networking.k8s.io/gateway-name),
 * bound on their own port numbers.
 */
function istioGatewayServers(snapshot: Snapshot, callee: WorkloadMesh): GatewayServer[] {
  const out: GatewayServer[] = [];
  const targets = serviceTargets(snapshot, callee);
  for (const g of snapshot.resources['istio.gateways'] ?? []) {
    const spec = obj(g.spec);
    const selector = spec?.selector === undefined ? undefined : stringMap(spec.selector);
    if (selector && !Object.entries(selector).every(([k, v]) => callee.labels[k] === v)) continue;
    const policy: ResourceRef = { kind: 'Gateway', namespace: g.metadata?.namespace ?? 'default', name: g.metadata?.name ?? '' };
    arr(spec?.servers).forEach((raw, i) => {
      const server = obj(raw);
      const number = obj(server?.port)?.number;
      if (typeof number !== 'number') return;
      const bound = targets.flatMap((t) => (t.sp.port === number && t.target !== undefined ? [t.target] : []));
      const ports = bound.length ? [...new Set(bound)] : [number];
      const protocol = (str(obj(server?.port)?.protocol) ?? '').toUpperCase();
      const where = `Gateway ${policy.namespace}/${policy.name} servers[${i}] (port ${number}, ${word(protocol)})`;
      if (protocol !== 'HTTPS' && protocol !== 'TLS') {
        out.push({ where, policy, ports, accepts: 'plaintext', what: 'is no TLS server: it accepts plaintext' });
        return;
      }
      const mode = str(obj(server?.tls)?.mode) ?? 'PASSTHROUGH';
      const known = Object.hasOwn(GATEWAY_TLS, mode) ? GATEWAY_TLS[mode] : { accepts: 'unknown' as const, what: 'is a TLS mode Istio does not define' };
      out.push({ where: `${where} tls.mode ${word(mode)}`, policy, ports, ...known, ...(mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH' ? { passthrough: true as const } : {}) });
    });
  }
  for (const { gateway: managed, bind } of istioGatewayApiLinks(snapshot, callee).linked) {
    const policy: ResourceRef = { kind: 'Gateway', namespace: managed.metadata?.namespace ?? 'default', name: managed.metadata?.name ?? '' };
    // The listeners of the ListenerSets it takes are served by the same pods, on ports its Service
    // gets too (istio/istio pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go
    // extractServicePorts(gw, listenerSets); gateway/gateway_collection.go ListenerSetCollection).
    gatewayListeners(snapshot, managed).forEach((gl, i) => {
      const l = gl.listener;
      if (typeof l.port !== 'number') return;
      const protocol = (str(l.protocol) ?? '').toUpperCase();
      const where = gl.listenerSet ? `Gateway ${policy.namespace}/${policy.name} listener ${JSON.stringify(gatewayListenerLabel(gl))}` : `Gateway ${policy.namespace}/${policy.name} listeners[${i}]`;
      const server = { where: `${where} (port ${l.port}, ${word(protocol)})`, policy, ports: bind(l.port) };
      if (protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP') out.push({ ...server, accepts: 'plaintext', what: 'is no TLS listener: it accepts plaintext' });
      else if (protocol === 'HTTPS' || protocol === 'TLS') out.push({ ...server, accepts: 'tls', what: 'takes TLS (Terminate or Passthrough): a caller without a mesh identity connects over TLS', ...(protocol === 'TLS' && str(obj(l.tls)?.mode) === 'Passthrough' ? { passthrough: true as const } : {}) });
      else if (protocol === 'HBONE') out.push({ ...server, accepts: 'mesh-mtls', what: 'accepts only Istio mTLS (HBONE)' });
      else out.push({ ...server, accepts: 'unknown', what: 'is a protocol whose TLS the snapshot does not tell' });
    });
  }
  return out;
}

/**
 * An Istio gateway as the callee. Its listeners come from the Gateway servers bound to it, each
 * server's tls.mode deciding whether a caller without a mesh identity gets in; PeerAuthentication
 * is applied by sidecars' inbound listeners only (istio/istio pilot/pkg/networking/core/gateway.go
 * buildGatewayListeners vs listener_inbound.go authnBuilder.ForPort), so it is never consulted here.
 * AuthorizationPolicies selecting the gateway still apply.
 */
function istioGatewayCallee(snapshot: Snapshot, config: Config, authz: ReturnType<typeof istioAuthzModel>, callee: WorkloadMesh, caller: MeshCaller, target: MeshCallee, calleeText: string, opts: GatewayVerdictOptions = {}): MeshFlowVerdict {
  const noPeer = withoutPeerAuthentication(authz);
  const judged = (prefix?: string, plaintext?: boolean): MeshFlowVerdict => {
    const v = istioUnreadMeshConfig(snapshot, config, noPeer, target, istioFlowVerdict(noPeer, caller, target, opts.allowOnly ? { allowOnly: opts.allowOnly } : {}));
    const enforcedBy = v.enforcedBy?.replace(/^sidecar of /, 'gateway ');
    return { ...v, ...(enforcedBy ? { enforcedBy } : {}), ...(plaintext !== undefined ? { plaintext } : {}), ...(prefix ? { reason: `${prefix}; ${v.reason}` } : {}) };
  };
  // A sidecar caller comes with its identity only when it sends Istio mTLS here: auto mTLS to a
  // gateway's pods without the tlsMode label sends plaintext (istioCallerTls, autoMtlsUnlabelled),
  // and such a caller is judged below as one without a mesh identity.
  if (opts.pastListener) return judged();
  const servers = gatewayServersOf(snapshot, callee).filter((s) => s.ports.includes(target.port));
  const withIdentity = caller.mtls && !caller.external;
  // A port no Gateway server binds has no listener, whoever calls (gatewayListenersDoubt).
  const noListener = servers.length === 0 ? noListenerVerdict(snapshot, callee, target.port, calleeText, !withIdentity) : undefined;
  if (noListener?.verdict === 'denied') return noListener;
  if (withIdentity) return judged();
  if (noListener) return noListener;
  const open = servers.find((s) => s.accepts === 'plaintext') ?? servers.find((s) => s.accepts === 'tls');
  const said = (s: GatewayServer) => `${s.where} ${s.what}`;
  const noPa = 'PeerAuthentication does not apply to a gateway\'s listeners';
  if (open) return judged(`${calleeText} is an Istio gateway: ${said(open)} (${noPa})`, open.accepts === 'plaintext');
  const unsure = servers.filter((s) => s.accepts === 'unknown');
  if (unsure.length) return { mesh: 'istio', verdict: 'unknown', plaintext: true, policy: unsure[0].policy, reason: `${calleeText} is an Istio gateway: ${unsure.map(said).join('; ')}` };
  return {
    mesh: 'istio', verdict: 'denied', plaintext: true, enforcedBy: `gateway ${calleeText}`, policy: servers[0].policy,
    reason: `${calleeText} is an Istio gateway: ${servers.map(said).join('; ')}; the caller ${caller.external ? 'is outside the mesh' : caller.noMtls ?? 'has no mesh proxy'}, so its connection is refused`,
  };
}

/** A port of an Istio gateway no Gateway server binds: denied (no listener) unless gatewayListenersDoubt leaves a listener possible, then unknown. */
function noListenerVerdict(snapshot: Snapshot, callee: WorkloadMesh, port: number, calleeText: string, plaintext: boolean): MeshFlowVerdict {
  const unread = (['istio.gateways', 'gatewayapi.gateways'] as const).filter((k) => ['forbidden', 'error'].includes(snapshot.coverage[k]?.status ?? 'ok'));
  const doubt = unread.length ? `${unread.join(', ')} could not be read` : gatewayListenersDoubt(snapshot, callee, port);
  if (doubt) {
    return {
      mesh: 'istio', verdict: 'unknown', plaintext,
      reason: `${calleeText} is an Istio gateway, whose listeners its Gateway servers decide (PeerAuthentication does not apply to a gateway's listeners), and no Gateway server in the snapshot binds port ${port} (${doubt}): what listens there the snapshot does not tell`,
    };
  }
  return {
    mesh: 'istio', verdict: 'denied', plaintext, enforcedBy: `gateway ${calleeText}`,
    reason: `${calleeText} is an Istio gateway: no Gateway server selecting it binds port ${port}, and its proxy listens only on the ports its Gateway servers bind and its own ${gatewayOwnPorts(callee).join(', ')}, so a connection to port ${port} is refused (no listener)`,
  };
}

/**
 * The ports an Istio gateway's proxy listens on of its own, whatever its Gateways say
 * (istioProxyOwnPorts): Envoy's Prometheus (15090) and health (15021) listeners of the bootstrap
 * (istio/istio tag 1.28.9 tools/packaging/common/envoy_bootstrap.json, envoy_prometheus_port and
 * envoy_status_port) and pilot-agent's status port (15020 unless annotated). Envoy's admin (15000)
 * and the DNS proxy (15053) listen on localhost only. Every other listener istiod sends a gateway
 * is built from the ports its Gateway servers bind (pilot/pkg/networking/core/gateway.go
 * buildGatewayListeners, one per mergedGateway.ServerPorts).
 */
const gatewayOwnPorts = (callee: WorkloadMesh): number[] => istioProxyOwnPorts(callee.workload.pods[0]?.annotations ?? {});

/**
 * Why a port no Gateway server binds may still have a listener on an Istio gateway's pod, or
 * undefined when it certainly has none: the port is one of the proxy's own; the pod runs
 * something besides istio-proxy (another container, the node's network); a Gateway selecting it
 * has a server or selector that cannot be read; a Service port a server names leads to a named
 * targetPort no container declares (the port istiod binds is then unknown); or the Gateway API
 * Gateway an Istio-managed gateway's pods name is not in the input.
 */
function gatewayListenersDoubt(snapshot: Snapshot, callee: WorkloadMesh, port: number): string | undefined {
  if (gatewayOwnPorts(callee).includes(port)) return `port ${port} is one of the gateway proxy's own listeners (health, metrics, status), which no Gateway decides`;
  const spec = obj(callee.workload.pods[0]?.spec);
  if (!spec) return 'its pod spec is not in the snapshot';
  if (spec.hostNetwork === true) return 'it runs on the node\'s network, where other processes may listen';
  const others = containerNames(spec).filter((n) => n !== 'istio-proxy');
  if (others.length > 0) return `its pod also runs ${others.slice(0, 3).map((n) => JSON.stringify(n)).join(', ')}, which may listen there`;
  const targets = serviceTargets(snapshot, callee);
  for (const g of snapshot.resources['istio.gateways'] ?? []) {
    const gspec = obj(g.spec);
    const where = `Gateway ${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`;
    if (gspec?.selector !== undefined && gspec.selector !== null && !obj(gspec.selector)) return `${where} has a selector that cannot be read`;
    const selector = gspec?.selector === undefined ? undefined : stringMap(gspec.selector);
    if (selector && !Object.entries(selector).every(([k, v]) => callee.labels[k] === v)) continue;
    if (!Array.isArray(gspec?.servers)) return `${where} selects it and has no servers list that can be read`;
    for (const [i, raw] of gspec.servers.entries()) {
      const number = obj(obj(raw)?.port)?.number;
      if (typeof number !== 'number') return `${where} servers[${i}] has no port number that can be read`;
      const unresolved = targets.find((t) => t.sp.port === number && t.target === undefined);
      if (unresolved) return `Service ${unresolved.sp.service} port ${number}, which ${where} servers[${i}] binds, leads to targetPort ${JSON.stringify(unresolved.sp.targetPort)}, which no container of the gateway declares`;
    }
  }
  return istioGatewayApiLinks(snapshot, callee).doubt;
}

/** Every Service's namespace/name and cluster IPs, once per snapshot. */
const serviceNamesAndIps = memoize((snapshot: Snapshot): Set<string> => {
  const out = new Set<string>();
  for (const s of snapshot.resources.services ?? []) {
    out.add(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`);
    const spec = obj(s.spec);
    for (const ip of [spec?.clusterIP, ...arr(spec?.clusterIPs)]) if (typeof ip === 'string' && ip !== '' && ip !== 'None') out.add(ip);
  }
  return out;
}, ['network', 'tls', 'mtls']);

/** The GatewayClass controller of Istio's Gateway API implementation (as tls/istio.ts ISTIO_GATEWAY_CONTROLLER). */
const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';
/** The labels naming the Gateway API Gateway whose Deployment Istio made for it: gateway.networking.k8s.io/gateway-name, and istio.io/gateway-name of older kube-gateway templates. */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'] as const;

/**
 * The Gateway API Gateways whose listeners an Istio gateway's pods serve, each with how a listener
 * port binds there, and why another may (doubt). A Gateway is linked by the label its
 * Istio-made pods carry (GATEWAY_NAME_LABELS, the Gateway of that name in their namespace; its
 * listener ports are the pods' own), or, for a Gateway of Istio's class, by spec.addresses naming
 * an existing gateway ("Manual Deployment", https://istio.io/v1.18/docs/tasks/traffic-management/ingress/gateway-api):
 * a Hostname <service>.<namespace>.svc[.<domain>] of a Service selecting the pods (a listener port
 * is then that Service's port, bound to its targetPort as for a classic Gateway server), or an
 * IPAddress of such a Service's cluster IP. An address the snapshot cannot resolve to a Service
 * (a pod's or load balancer's IP, a Service not in the input), or of another type, leaves doubt:
 * the Gateway may be served here, so a port no other server binds is unknown, not refused.
 */
function istioGatewayApiLinks(snapshot: Snapshot, callee: WorkloadMesh): { linked: Array<{ gateway: KubeObject; bind: (port: number) => number[] }>; doubt?: string } {
  const gateways = snapshot.resources['gatewayapi.gateways'] ?? [];
  const linked: Array<{ gateway: KubeObject; bind: (port: number) => number[] }> = [];
  let doubt: string | undefined;
  const names = new Set(GATEWAY_NAME_LABELS.map((k) => callee.labels[k]).filter((n): n is string => n !== undefined));
  for (const name of names) {
    const g = gateways.find((x) => x.metadata?.name === name && (x.metadata?.namespace ?? 'default') === callee.namespace);
    if (g) linked.push({ gateway: g, bind: (port) => [port] });
    else doubt ??= `Gateway ${callee.namespace}/${name}, whose listeners its pods serve, is not in the input`;
  }
  if (gateways.length === 0) return { linked, ...(doubt ? { doubt } : {}) };
  const targets = serviceTargets(snapshot, callee);
  const viaService = (service: string) => (port: number): number[] => {
    const bound = targets.flatMap((t) => (t.sp.service === service && t.sp.port === port && t.target !== undefined ? [t.target] : []));
    return bound.length ? [...new Set(bound)] : [port];
  };
  // A listener on a Service port whose named targetPort no container declares binds a port istiod alone knows.
  const link = (g: KubeObject, service: string) => {
    linked.push({ gateway: g, bind: viaService(service) });
    for (const { listener } of gatewayListeners(snapshot, g)) {
      const port = listener.port;
      const t = targets.find((x) => x.sp.service === service && x.sp.port === port && x.target === undefined);
      if (t) doubt ??= `Service ${service} port ${t.sp.port}, which Gateway ${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''} listens on, leads to targetPort ${JSON.stringify(t.sp.targetPort)}, which no container of the gateway declares`;
    }
  };
  const classes = new Map((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((c) => [c.metadata?.name ?? '', str(obj(c.spec)?.controllerName)] as const));
  const services = serviceNamesAndIps(snapshot);
  for (const g of gateways) {
    const spec = obj(g.spec);
    const addresses = arr(spec?.addresses);
    if (addresses.length === 0 || linked.some((l) => l.gateway === g)) continue;
    const cls = str(spec?.gatewayClassName) ?? '';
    if (!(classes.has(cls) ? classes.get(cls) === ISTIO_GATEWAY_CONTROLLER : cls === 'istio')) continue;
    const where = `Gateway ${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`;
    for (const raw of addresses) {
      const a = obj(raw);
      const type = str(a?.type) ?? 'IPAddress';
      const value = str(a?.value) ?? '';
      if (type === 'Hostname') {
        const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\..+)?$/.exec(value.toLowerCase().replace(/\.$/, ''));
        if (!m) { doubt ??= `${where} names address ${JSON.stringify(value)}, which is no Service's DNS name the snapshot resolves, and may be this gateway`; continue; }
        const [svcName, ns] = [m[1], m[3]];
        if (targets.some((t) => t.sp.service === `${ns}/${svcName}`)) { link(g, `${ns}/${svcName}`); break; }
        if (!services.has(`${ns}/${svcName}`)) doubt ??= `${where} names address ${JSON.stringify(value)}, a Service not in the input, which may select this gateway`;
      } else if (type === 'IPAddress') {
        const svc = targets.find((t) => t.sp.clusterIps.includes(value));
        if (svc) { link(g, svc.sp.service); break; }
        if (!services.has(value)) doubt ??= `${where} names address ${JSON.stringify(value)}, which the snapshot does not resolve to a Service, and may be this gateway`;
      } else {
        doubt ??= `${where} names an address of type ${JSON.stringify(type)}, which may be this gateway`;
      }
    }
  }
  return { linked, ...(doubt ? { doubt } : {}) };
}

/**
 * `allowOnly` as istioFlowVerdict takes it. `pastListener`: the verdict of the gateway's
 * AuthorizationPolicies alone, as if a listener on the port let the caller in (where the Gateway
 * servers leave that unknown, whether the policies would refuse it anyway).
 */
export interface GatewayVerdictOptions { allowOnly?: ParsedAuthzPolicy; pastListener?: boolean }

/**
 * Istio's verdict at an Istio gateway (istioGatewayPod) for a caller, as reach gives it
 * (istioGatewayCallee): for the authorization checks' hypothetical callers.
 */
export function istioGatewayFlowVerdict(snapshot: Snapshot, config: Config, callee: WorkloadMesh, caller: MeshCaller, target: MeshCallee, opts: GatewayVerdictOptions = {}): MeshFlowVerdict {
  return istioGatewayCallee(snapshot, config, istioAuthzModel(snapshot, config), callee, caller, target, `${callee.namespace}/${callee.workload.ref.name}`, opts);
}

/** The model with no PeerAuthentication in it, as a gateway's listeners see it (once per model). */
const withoutPeerAuthentication = memoize((authz: ReturnType<typeof istioAuthzModel>) => {
  const peer = indexPeerAuthentications([], authz.root);
  return { ...authz, peer, peerFor: () => peer };
});

const VERB_TEXT: Record<MeshVerdictKind, string> = { allowed: 'allowed', denied: 'denied', depends: 'allowed for some requests', unknown: 'unknown' };

function judgeFlow(snapshot: Snapshot, config: Config, callee: WorkloadMesh, caller: MeshCaller, to: ResourceRef, port: number, protocol: Protocol, calleeText: string): MeshFlowVerdict {
  const target: MeshCallee = { namespace: callee.namespace, name: to.name, serviceAccount: serviceAccountOf(callee), labels: callee.labels, port, protocol, ...(callee.istioRoot ? { root: callee.istioRoot.namespace } : {}), ...(callee.istioRevision ? { revision: callee.istioRevision } : {}) };
  if (callee.mesh === 'istio') {
    const rep = callee.workload.pods[0];
    const dataplane = rep ? istioMembership(meshModel(snapshot, config).namespaces.get(callee.namespace)?.labels ?? {}, rep).dataplane : undefined;
    const capture = rep ? dataplaneInboundCapture(dataplane, rep, callee.istioCaptureDefaults) : undefined;
    const bypass = istioBypassVerdict(capture, port, calleeText);
    if (bypass) return bypass;
    const authz = istioAuthzModel(snapshot, config);
    const istioCallee: MeshCallee = { ...target, ...(dataplane ? { dataplane } : {}), ...(rep ? { containerPorts: containerPorts(rep.spec) } : {}) };
    if (istioGatewayPod(callee)) return istioGatewayCallee(snapshot, config, authz, callee, caller, istioCallee, calleeText);
    return istioUnreadMeshConfig(snapshot, config, authz, istioCallee, istioFlowVerdict(authz, caller, istioCallee));
  }
  const model = meshModel(snapshot, config);
  return callee.mesh === 'linkerd' ? linkerdFlowVerdict(model, caller, target) : consulFlowVerdict(model, caller, target);
}

/**
 * Istio's mesh config (ConfigMap istio) names the root namespace, whose policies apply mesh-wide,
 * and the trust domain principals are written in (rootNamespace, trustDomain:
 * https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/). Unread, a mesh-wide ALLOW
 * or PeerAuthentication elsewhere, or principals in another trust domain, may open what the
 * assumed ones refuse: a refusal (or a per-request answer) is then unknown. An allowed call stays
 * allowed, as open as it can be, and so does a plaintext caller's refusal by the STRICT mode of the
 * callee's own namespace (istioStrictWhateverRoot).
 */
function istioUnreadMeshConfig(snapshot: Snapshot, config: Config, authz: ReturnType<typeof istioAuthzModel>, callee: MeshCallee, v: MeshFlowVerdict): MeshFlowVerdict {
  // The callee's own revision reads its mesh config from istio-<rev>: unread, its root is unknown too.
  const revision = istioRevisionOf(snapshot, config, authz.namespaces.get(callee.namespace)?.labels ?? {}, callee.labels).revision;
  const unread = istioMeshConfigUnread(snapshot, config) ?? (revision === 'default' ? undefined : istioMeshConfigUnread(snapshot, config, revision));
  if (!unread || v.verdict === 'allowed' || v.verdict === 'unknown') return v;
  // A plaintext caller refused by STRICT mTLS its own namespace requires, whatever the root is.
  if (v.verdict === 'denied' && v.plaintext && istioStrictWhateverRoot(authz, callee)) return v;
  const { ref } = unread;
  const td = authz.trustDomainFor(revision);
  const assumed = `root namespace ${callee.root ?? authz.root}, trust domain ${td.trustDomain} (${td.source})`;
  return {
    mesh: v.mesh, verdict: 'unknown', plaintext: v.plaintext, ...(v.enforcedBy ? { enforcedBy: v.enforcedBy } : {}), ...(v.notes ? { notes: v.notes } : {}),
    reason: `Istio's mesh config (ConfigMap ${ref.namespace}/${ref.name}: rootNamespace, trustDomain) could not be read (${unread.status}), and policies of another root namespace or principals of another trust domain may admit the call; with ${assumed}: ${VERB_TEXT[v.verdict]} (${v.reason})`,
  };
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

/** Every port an AuthorizationPolicy rule (to.operation, `when` destination.port) or a port-level PeerAuthentication names (once per run). */
const istioNamedPorts = memoizeBySnapshotAndConfig((snapshot, config): Set<number> => {
  const m = istioAuthzModel(snapshot, config);
  const named = new Set<number>();
  for (const p of m.authz.all) for (const r of p.rules) for (const o of r.to) for (const x of [...(o.ports ?? []), ...(o.notPorts ?? [])]) named.add(Number(x));
  for (const p of m.authz.all) for (const r of p.rules) for (const c of r.when) if (c.key === 'destination.port') for (const x of [...(c.values ?? []), ...(c.notValues ?? [])]) if (/^\d{1,5}$/.test(x)) named.add(Number(x));
  for (const pa of m.peer.all) for (const port of pa.ports.keys()) named.add(port);
  return named;
}, ['network', 'tls', 'mtls']);

function intervalsHas(list: Array<[number, number]>, p: number): boolean {
  return list.some(([a, b]) => p >= a && p <= b);
}

/**
 * The mesh's answer over a set of connections (reach without --port, the effective matrix,
 * intent rules). Istio decides per port only through ports/notPorts, `when` destination.port and
 * port-level PeerAuthentication, so judging every port those name, plus one port none names, covers
 * every TCP port exactly; UDP and SCTP pass the proxies unjudged.
 */
export function meshVerdictOverConns(snapshot: Snapshot, config: Config, from: ResourceRef | 'external', to: ResourceRef, conns: ConnSet, opts: FlowOptions = {}): MeshConnsVerdict | undefined {
  const mesh = calleeMesh(snapshot, config, to);
  const tcp = conns.TCP;
  // Istio decides per port only through the ports its policies name. Linkerd and Consul also
  // decide by Server ports and skipped/excluded ports: there, every declared container port, every
  // port number a Linkerd Server names and every port a skip/exclude annotation lists is judged.
  const named = new Set<number>(mesh === 'istio' ? istioNamedPorts(snapshot, config) : []);
  if (mesh === 'istio') {
    // Ports the callee's sidecar does not capture (or, with includeInboundPorts, the only ones it does).
    const callee = workloadIndex(snapshot, config).get(refKey(to));
    const rep = callee?.workload.pods[0];
    const capture = rep ? istioInboundCapture(rep, callee?.istioCaptureDefaults) : undefined;
    if (capture && capture.redirect !== 'none') for (const p of capture.ports) named.add(p);
    // Ports a Service declares TCP or HTTP, where HTTP-only policy fields read otherwise.
    if (callee && rep) for (const p of istioDeclaredProtocolPorts(istioAuthzModel(snapshot, config), callee.namespace, callee.labels, containerPorts(rep.spec))) named.add(p);
    // A gateway's ports are what its Gateway servers bind (istioGatewayCallee), and its proxy's own.
    if (callee && istioGatewayPod(callee)) {
      for (const s of gatewayServersOf(snapshot, callee)) for (const p of s.ports) named.add(p);
      for (const p of gatewayOwnPorts(callee)) named.add(p);
    }
    // Ports a Service leads to, where an Istio caller's DestinationRule (or auto mTLS off) sets its client TLS (istioCallerTls);
    const caller = from === 'external' ? undefined : workloadIndex(snapshot, config).get(refKey(from));
    // A sidecar caller reaches any other port only through PassthroughCluster (istioPassthrough).
    if (callee && caller?.mesh === 'istio') for (const t of serviceTargets(snapshot, callee)) if (t.target !== undefined) named.add(t.target);
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
    // A running pod's linkerd-init arguments skip what they list, whatever its annotations say now.
    const rep = w?.workload.pods[0];
    const applied = mesh === 'linkerd' && rep ? linkerdSkippedPorts(meshModel(snapshot, config).namespaces.get(to.namespace ?? '')?.annotations ?? {}, rep, to.namespace ?? '', undefined, meshModel(snapshot, config).linkerd).find((s) => s.direction === 'inbound') : undefined;
    for (const n of parsePortNumbers([...(applied?.ports ?? []), ...(applied?.undeclared ?? [])].join(','))) named.add(n);
  }
  // Ports the caller's own proxy lets out untouched (plaintext) are judged apart too.
  const src = from === 'external' ? undefined : workloadIndex(snapshot, config).get(refKey(from));
  const callerSkips = src && src.mesh === mesh ? callerOutboundSkips(meshModel(snapshot, config), src) : undefined;
  for (const n of callerSkips?.ports ?? []) named.add(n);
  const candidates = [...named].filter((p) => intervalsHas(tcp, p)).sort((a, b) => a - b);
  let other: number | undefined;
  for (const [a, b] of tcp) {
    for (let p = a; p <= b && other === undefined; p++) if (!named.has(p)) other = p;
    if (other !== undefined) break;
  }
  const judged: MeshConnsVerdict['ports'] = [];
  let best: { v: MeshFlowVerdict; port: number } | undefined;
  const judge = (port: number, others?: true) => {
    const v = meshFlowVerdict(snapshot, config, from, to, port, 'TCP', opts);
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
    return { verdict: meshFlowVerdict(snapshot, config, from, to, first, proto, opts), port: first, open, ports: [] };
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
