// Istio's effective peer-authentication mode, replicated from pilot's
// ComposePeerAuthentication: mesh (root namespace, no selector) < namespace (no selector)
// < workload (selector) < port-level; UNSET inherits; the oldest policy wins within a scope;
// a selector policy in the root namespace is ignored. Also sidecar/ambient injection.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import type { PodView } from '../workloads.ts';
import { parseCidr, parseIp, type IpRange } from '../../base/ip.ts';
import { goParseBool } from '../flags.ts';
import { arr, containerNames, createdAt, obj, str, type Json } from './util.ts';
import { istioInjectRequired, type IstioCaptureValues, type IstioInjectorPolicy, type IstioProxyCaptureValue } from './istio-injector.ts';
import { istioProxyConfigInterceptionMode } from './configmaps.ts';

export const PA_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export type PaMode = (typeof PA_MODES)[number];
export type EffectiveMode = Exclude<PaMode, 'UNSET'>;

export type PaScope = 'mesh' | 'namespace' | 'workload' | 'ignored-root-selector';

export interface PeerAuthn {
  object: KubeObject;
  ref: ResourceRef;
  namespace: string;
  name: string;
  created: number;
  scope: PaScope;
  /** Valid mode (invalid values are reported in `problems` and treated as UNSET). */
  mode: PaMode;
  rawMode?: unknown;
  selector?: Record<string, string>;
  /**
   * A selector the CRD schema refuses (not a map, a label value that is no string): from
   * manifests the object is refused; a stored one selects no workload, and never widens to the
   * namespace.
   */
  selectsNothing?: true;
  /** Valid port-level entries only. */
  ports: Map<number, PaMode>;
  problems: string[];
  /**
   * Why the API server refuses the object (CRD schema: the mode enum, portLevelMtls minProperties 1,
   * and since Istio 1.23 the CEL rules "portLevelMtls requires selector" and "port must be between
   * 1-65535"; before 1.23 istiod's validating webhook refused the same,
   * pkg/config/validation/validation.go ValidatePeerAuthentication "mesh/namespace peer
   * authentication cannot have port level mTLS", "port level mTLS, if defined, must have at least
   * one element").
   * Also in `problems`.
   */
  refused: string[];
}

function isMode(v: unknown): v is PaMode {
  return typeof v === 'string' && (PA_MODES as readonly string[]).includes(v);
}

/** How an Istio policy the API server would refuse is named (PeerAuthentication, AuthorizationPolicy alike): `what` and the fields refused. */
export function refusedText(what: string, refused: readonly string[]): string {
  return `${what} would be refused by the API server (${refused.join('; ')}), so it is not in effect`;
}

/**
 * `spec.selector` of an Istio policy (PeerAuthentication, AuthorizationPolicy: the same
 * WorkloadSelector) as the CRD schema takes it (istio/istio manifests/charts/base/files/crd-all.gen.yaml:
 * selector and matchLabels objects, matchLabels `additionalProperties: {type: string}`, CEL rules
 * "wildcard not allowed in label key match", "key must not be empty", "wildcard not allowed in label
 * value match"). `labels`: undefined when it selects by none (absent, or an empty matchLabels,
 * which Istio treats like no selector). `refused`: what the schema refuses, naming the field;
 * `selectsNothing` when the shape itself is refused (not a map, a value that is no string), so that
 * a stored one never widens to the whole namespace. A null label value is no refusal: the API
 * server prunes a non-nullable null before validating (k8s.io/apiextensions-apiserver
 * pkg/apiserver/schema/defaulting/prunenulls.go, PruneNonNullableNullsWithoutDefaults, called by
 * customresource_handler.go's decoder), so it is as if absent.
 */
export function readWorkloadSelector(v: unknown): { labels?: Record<string, string>; refused: string[]; selectsNothing?: true } {
  if (v === undefined || v === null) return { refused: [] };
  const sel = obj(v);
  const ml = sel ? sel.matchLabels : undefined;
  if (!sel || (ml !== undefined && ml !== null && !obj(ml))) return { refused: ['spec.selector is malformed (expected {matchLabels: {key: value}}; the CRD schema refuses it)'], selectsNothing: true };
  const refused: string[] = [];
  const labels: Record<string, string> = {};
  let selectsNothing = false;
  for (const [k, val] of Object.entries(obj(ml) ?? {})) {
    if (val === null) continue;
    // A key is cluster text: written as is only when it looks like a label key.
    const field = /^[\w./-]+$/.test(k) ? `spec.selector.matchLabels.${k}` : `spec.selector.matchLabels[${JSON.stringify(k)}]`;
    if (typeof val !== 'string') {
      refused.push(`${field} is ${JSON.stringify(val)}, not a string (the CRD schema refuses it; quote the value)`);
      selectsNothing = true;
      continue;
    }
    if (k === '') refused.push('spec.selector.matchLabels has an empty key (CRD rule "key must not be empty")');
    else if (k.includes('*')) refused.push(`spec.selector.matchLabels key ${JSON.stringify(k)} has a wildcard (CRD rule "wildcard not allowed in label key match")`);
    if (val.includes('*')) refused.push(`${field} value ${JSON.stringify(val)} has a wildcard (CRD rule "wildcard not allowed in label value match")`);
    labels[k] = val;
  }
  if (selectsNothing) return { refused, selectsNothing: true };
  return { ...(Object.keys(labels).length > 0 ? { labels } : {}), refused };
}

export function parsePeerAuthentication(o: KubeObject, rootNamespace: string): PeerAuthn {
  const namespace = o.metadata?.namespace ?? 'default';
  const name = o.metadata?.name ?? '';
  const problems: string[] = [];
  const refused: string[] = [];
  const refuse = (why: string) => { problems.push(why); refused.push(why); };
  const spec = o.spec === undefined || o.spec === null ? {} : obj(o.spec);
  if (!spec) problems.push('spec is not an object');
  const s: Json = spec ?? {};

  let mode: PaMode = 'UNSET';
  let rawMode: unknown;
  if (s.mtls !== undefined && s.mtls !== null) {
    const m = obj(s.mtls);
    if (!m) problems.push('spec.mtls is not an object');
    else if (m.mode !== undefined && m.mode !== null) {
      rawMode = m.mode;
      if (isMode(m.mode)) mode = m.mode;
      else refuse(`spec.mtls.mode ${JSON.stringify(m.mode)} is not one of ${PA_MODES.join(', ')} (the CRD's enum)`);
    }
  }

  // A malformed selector that got stored must not widen to the whole namespace: it selects nothing.
  const read = readWorkloadSelector(s.selector);
  for (const why of read.refused) refuse(why);
  const selectsNothing = read.selectsNothing === true;
  const selector = read.labels;

  const ports = new Map<number, PaMode>();
  if (s.portLevelMtls !== undefined && s.portLevelMtls !== null) {
    const pm = obj(s.portLevelMtls);
    if (!pm) problems.push('spec.portLevelMtls is not a map of port -> {mode}');
    else {
      for (const [key, val] of Object.entries(pm)) {
        const port = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!(port >= 1 && port <= 65535)) {
          refuse(`spec.portLevelMtls key ${JSON.stringify(key)} is not a port number (1-65535)`);
          continue;
        }
        const v = obj(val);
        const m = v?.mode ?? 'UNSET';
        if (!v) refuse(`spec.portLevelMtls.${key} is not an object`);
        else if (!isMode(m)) refuse(`spec.portLevelMtls.${key}.mode ${JSON.stringify(m)} is not one of ${PA_MODES.join(', ')} (the CRD's enum)`);
        else ports.set(port, m);
      }
      if (Object.keys(pm).length === 0) refuse('spec.portLevelMtls is empty (CRD minProperties: 1)');
    }
    // The CRD rule tests has(self.portLevelMtls), true for an empty map too.
    if (!selector && !selectsNothing) refuse('spec.portLevelMtls without a workload selector (CRD rule "portLevelMtls requires selector")');
  }

  let scope: PaScope;
  if (!selector && !selectsNothing) scope = namespace === rootNamespace ? 'mesh' : 'namespace';
  else scope = namespace === rootNamespace ? 'ignored-root-selector' : 'workload';
  if (!selector) ports.clear(); // port-level settings only take effect on workload policies

  return {
    object: o,
    ref: { kind: 'PeerAuthentication', namespace, name },
    namespace,
    name,
    created: createdAt(o),
    scope,
    mode,
    rawMode,
    selector,
    ...(selectsNothing ? { selectsNothing: true as const } : {}),
    ports,
    problems,
    refused,
  };
}

export function olderFirst(a: PeerAuthn, b: PeerAuthn): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}

export interface IstioPolicyIndex {
  rootNamespace: string;
  all: PeerAuthn[];
  /** Oldest mesh-wide policy (the one Istio uses), and any newer ones it shadows. */
  mesh?: PeerAuthn;
  namespaceWinner: Map<string, PeerAuthn>;
  /** Selector policies per namespace, oldest first. */
  workloadPolicies: Map<string, PeerAuthn[]>;
  /** Policies ignored because an older one in the same scope wins. */
  shadowedBy: Map<PeerAuthn, PeerAuthn>;
  /** Read from manifests: objects the API server would refuse (PeerAuthn.refused), left out of every scope. */
  refused: PeerAuthn[];
}

/**
 * `manifests`: the objects are manifests, not stored objects, so one the API server would refuse
 * never takes effect and is left out. A stored object passed the API server (a CRD older than the
 * rule that refuses it), and istiod applies it as ComposePeerAuthentication reads it: a
 * selector-less policy's mode, without its portLevelMtls (pilot/pkg/security/authn/policy_applier.go).
 */
export function indexPeerAuthentications(objects: KubeObject[], rootNamespace: string, opts: { manifests?: boolean } = {}): IstioPolicyIndex {
  const parsed = objects.map((o) => parsePeerAuthentication(o, rootNamespace)).sort(olderFirst);
  const refused = opts.manifests ? parsed.filter((pa) => pa.refused.length > 0) : [];
  const all = refused.length ? parsed.filter((pa) => pa.refused.length === 0) : parsed;
  const shadowedBy = new Map<PeerAuthn, PeerAuthn>();
  let mesh: PeerAuthn | undefined;
  const namespaceWinner = new Map<string, PeerAuthn>();
  const workloadPolicies = new Map<string, PeerAuthn[]>();
  for (const pa of all) {
    if (pa.scope === 'mesh') {
      if (mesh) shadowedBy.set(pa, mesh);
      else mesh = pa;
    } else if (pa.scope === 'namespace') {
      const w = namespaceWinner.get(pa.namespace);
      if (w) shadowedBy.set(pa, w);
      else namespaceWinner.set(pa.namespace, pa);
    } else if (pa.scope === 'workload') {
      let list = workloadPolicies.get(pa.namespace);
      if (!list) workloadPolicies.set(pa.namespace, (list = []));
      list.push(pa);
    }
  }
  return { rootNamespace, all, mesh, namespaceWinner, workloadPolicies, shadowedBy, refused };
}

export interface ResolvedMode {
  mode: EffectiveMode;
  /** Port-level modes that differ from or refine the workload mode (port -> mode). */
  ports: Record<string, EffectiveMode>;
  /** The policy that decided the workload-level mode at each scope. */
  sources: { mesh?: ResourceRef; namespace?: ResourceRef; workload?: ResourceRef };
  /** Which scope set the final workload-level mode ('default' = nothing set it: PERMISSIVE). */
  decidedBy: 'default' | 'mesh' | 'namespace' | 'workload';
}

/** ComposePeerAuthentication for one workload (its namespace and pod labels). */
export function resolveIstioMode(index: IstioPolicyIndex, namespace: string, labels: Record<string, string>): ResolvedMode {
  let mode: EffectiveMode = 'PERMISSIVE';
  let decidedBy: ResolvedMode['decidedBy'] = 'default';
  const sources: ResolvedMode['sources'] = {};
  if (index.mesh) {
    sources.mesh = index.mesh.ref;
    if (index.mesh.mode !== 'UNSET') {
      mode = index.mesh.mode;
      decidedBy = 'mesh';
    }
  }
  const ns = namespace === index.rootNamespace ? undefined : index.namespaceWinner.get(namespace);
  // Policies in the root namespace without a selector are mesh-wide, not namespace-level.
  if (ns) {
    sources.namespace = ns.ref;
    if (ns.mode !== 'UNSET') {
      mode = ns.mode;
      decidedBy = 'namespace';
    }
  }
  const ports: Record<string, EffectiveMode> = {};
  const wl = (index.workloadPolicies.get(namespace) ?? []).find((pa) => pa.selector && selectorMatches(pa.selector, labels));
  if (wl) {
    sources.workload = wl.ref;
    if (wl.mode !== 'UNSET') {
      mode = wl.mode;
      decidedBy = 'workload';
    }
    for (const [port, m] of wl.ports) ports[String(port)] = m === 'UNSET' ? mode : m;
  }
  return { mode, ports, sources, decidedBy };
}

// ---- injection ----------------------------------------------------------------------

export interface IstioMembership {
  meshed: boolean;
  /** How the pod is (or would be) in the mesh. */
  dataplane?: 'sidecar' | 'ambient';
  /** Whether labels ask for the mesh (namespace or pod), independent of the result. */
  requested: boolean;
  reason: string;
}

const ISTIO_PROXY = 'istio-proxy';
/** What the injector (webhook or istioctl kube-inject) writes on the pods it injected: the containers it added. */
const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';

/**
 * Namespaces the sidecar injector never injects, whatever their labels
 * (istio/istio pkg/kube/inject/initializer.go IgnoredNamespaces, checked by injectRequired).
 */
export const ISTIO_INJECTION_IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];
/**
 * Namespaces istio-cni never redirects for ambient (the istio-cni chart's default
 * cni.ambient excludeNamespaces / excludeNamespaces: [kube-system], manifests/charts/istio-cni/values.yaml).
 */
export const ISTIO_AMBIENT_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system'];

/**
 * Whether Istio puts this pod in the mesh, from the webhook's selectors (namespace label
 * istio-injection beats istio.io/rev; pod label sidecar.istio.io/inject beats the legacy
 * annotation; hostNetwork pods are never injected) or ambient labels. Live pods are
 * judged by what runs: an istio-proxy container or ambient redirection; a template that
 * already carries an istio-proxy sidecar (carriesIstioSidecar) was injected by hand and runs it
 * whatever its labels say. `injector`: the config of the injector of the template's revision
 * (istio-injector.ts), whose policy and selectors decide a template the webhook is called for
 * (istioInjectRequired); undefined when not known, and the labels alone decide.
 */
export function istioMembership(nsLabels: Record<string, string>, pod: PodView, injector?: (pod: PodView) => IstioInjectorPolicy | undefined): IstioMembership {
  const nsInj = nsLabels['istio-injection'];
  const nsRev = nsLabels['istio.io/rev'];
  const podInj = pod.labels['sidecar.istio.io/inject'] ?? pod.annotations['sidecar.istio.io/inject'];
  const podRev = pod.labels['istio.io/rev'];
  const hostNetwork = pod.spec.hostNetwork === true;

  let sidecar = false;
  let why: string;
  if (hostNetwork) why = 'hostNetwork pods are never injected';
  else if (ISTIO_INJECTION_IGNORED_NAMESPACES.includes(pod.namespace)) why = `Istio's injector never injects namespace ${pod.namespace} (one of ${ISTIO_INJECTION_IGNORED_NAMESPACES.join(', ')}), whatever its labels`;
  else if (nsInj === 'enabled') {
    sidecar = podInj !== 'false';
    why = sidecar ? 'namespace label istio-injection=enabled' : 'pod opts out with sidecar.istio.io/inject=false';
  } else if (nsInj === 'disabled') why = 'namespace label istio-injection=disabled (wins over any pod setting)';
  else if (nsInj !== undefined) why = `namespace label istio-injection=${nsInj} turns injection off: Istio's webhooks inject for istio-injection=enabled only, and every other one needs the label absent`;
  else if (nsRev !== undefined) {
    sidecar = podInj !== 'false';
    why = sidecar ? `namespace label istio.io/rev=${nsRev}` : 'pod opts out with sidecar.istio.io/inject=false';
  } else if (pod.labels['sidecar.istio.io/inject'] === 'true' || podRev !== undefined) {
    // The revision webhook's objectSelector also needs sidecar.istio.io/inject NotIn ["false"],
    // and the injector refuses a false annotation too (injectRequired).
    sidecar = podInj !== 'false';
    why = sidecar ? 'pod label requests injection' : 'pod opts out with sidecar.istio.io/inject=false';
  } else why = 'no injection label on namespace or pod';
  if (sidecar && pod.origin !== 'pod' && injector) {
    const config = injector(pod);
    const decided = config ? istioInjectRequired(config, podInj, pod.labels) : undefined;
    if (decided && !decided.inject) {
      sidecar = false;
      why = `${why}, but ${decided.why}`;
    }
  }

  const podMode = pod.labels['istio.io/dataplane-mode'];
  const ambientExcluded = ISTIO_AMBIENT_EXCLUDED_NAMESPACES.includes(pod.namespace);
  const ambient = !sidecar && !hostNetwork && !ambientExcluded && podMode !== 'none' && (podMode === 'ambient' || nsLabels['istio.io/dataplane-mode'] === 'ambient');
  const requested = nsInj === 'enabled' || saysInject(nsInj) || nsRev !== undefined || nsLabels['istio.io/dataplane-mode'] === 'ambient' || podInj === 'true' || podMode === 'ambient';

  const unmeshedWhy = podMode === 'none' ? 'pod opts out of ambient (istio.io/dataplane-mode=none)'
    : ambientExcluded && (podMode === 'ambient' || nsLabels['istio.io/dataplane-mode'] === 'ambient') ? `istio-cni never captures namespace ${pod.namespace} for ambient (its default excludeNamespaces), and ${why}`
      : why;

  if (pod.origin === 'pod') {
    // What runs is the truth; labels added after the pod started do nothing until a restart.
    if (containerNames(pod.spec).includes(ISTIO_PROXY)) return { meshed: true, dataplane: 'sidecar', requested, reason: 'istio-proxy container present' };
    if (pod.annotations['ambient.istio.io/redirection'] === 'enabled') return { meshed: true, dataplane: 'ambient', requested, reason: 'ambient redirection enabled' };
    const expected = sidecar ? ` (labels ask for a sidecar: ${why}; restart the pod)` : ambient ? ' (ambient labels present but traffic is not redirected)' : ` (${unmeshedWhy})`;
    return { meshed: false, requested, reason: `no istio-proxy container${expected}` };
  }
  // A template that already carries the sidecar (istioctl kube-inject, or a copy of an injected
  // pod) runs it whatever the labels say: sidecar.istio.io/inject=false only stops the webhook
  // from injecting again (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection).
  if (carriesIstioSidecar(pod.spec)) {
    const status = pod.annotations[SIDECAR_STATUS_ANNOTATION] !== undefined ? `, ${SIDECAR_STATUS_ANNOTATION} set` : '';
    return { meshed: true, dataplane: 'sidecar', requested, reason: `istio-proxy container in the pod template (manually injected${status})` };
  }
  // A gateway's Deployment as istiod's gateway controller renders it for a Gateway API Gateway
  // (pilot/pkg/config/kube/gatewaycommon/testdata/deployment/simple.yaml: sidecar.istio.io/inject
  // "false", an istio-proxy container running `proxy router` with its image already set) runs
  // Envoy with an Istio identity whatever its labels say: in the mesh, as a gateway.
  if (runsIstioGatewayProxy(pod.spec)) return { meshed: true, dataplane: 'sidecar', requested, reason: 'istio-proxy runs as a gateway (`proxy router`) in the pod template' };
  if (sidecar) return { meshed: true, dataplane: 'sidecar', requested, reason: why };
  if (ambient) return { meshed: true, dataplane: 'ambient', requested, reason: 'istio.io/dataplane-mode=ambient' };
  return { meshed: false, requested, reason: unmeshedWhy };
}

/**
 * Whether a template runs an istio-proxy sidecar next to its application (in containers, or as a
 * native sidecar in initContainers). A standalone Envoy, a gateway's (`proxy router`, or the only
 * container), is no sidecar: such a template is judged by its labels, as gateway injection asks,
 * unless it is already rendered (runsIstioGatewayProxy).
 */
function carriesIstioSidecar(spec: Json): boolean {
  const containers = arr(spec.containers).map(obj);
  const proxy = [...containers, ...arr(spec.initContainers).map(obj)].find((c) => str(c?.name) === ISTIO_PROXY);
  if (!proxy || arr(proxy.args).includes('router')) return false;
  return containers.some((c) => str(c?.name) !== ISTIO_PROXY);
}

/**
 * Whether a template's istio-proxy container already runs as a gateway (`proxy router`) with a
 * real image: rendered, not a placeholder (`image: auto`) that gateway injection fills in, which
 * is judged by its labels.
 */
function runsIstioGatewayProxy(spec: Json): boolean {
  const proxy = arr(spec.containers).map(obj).find((c) => str(c?.name) === ISTIO_PROXY);
  if (!proxy) return false;
  const args = arr(proxy.args);
  const image = str(proxy.image) ?? '';
  return args[0] === 'proxy' && args[1] === 'router' && image !== '' && image !== 'auto';
}

/**
 * An istio-injection value other than `enabled` that still reads as "inject" (true, yes, on,
 * Enabled). The webhooks do not inject for it, but its author meant the namespace meshed.
 */
function saysInject(v: string | undefined): boolean {
  return v !== undefined && v !== 'enabled' && /^(enabled?|true|yes|on|1)$/i.test(v.trim());
}

/**
 * A namespace whose labels say its pods belong in Istio's mesh (whether or not Istio injects
 * them: istio-injection=true asks for the mesh but gets none, which mtls.workload-outside-mesh reports).
 */
export function istioNamespaceMeantMeshed(nsLabels: Record<string, string>): boolean {
  const inj = nsLabels['istio-injection'];
  if (inj === 'enabled' || saysInject(inj)) return true;
  if (inj === 'disabled') return false;
  // Any other istio-injection value switches every injection webhook off, istio.io/rev included.
  if (inj !== undefined) return nsLabels['istio.io/dataplane-mode'] === 'ambient';
  return nsLabels['istio.io/rev'] !== undefined || nsLabels['istio.io/dataplane-mode'] === 'ambient';
}

/**
 * A template Istio's injector has yet to inject: no istio-proxy in it, so the injector renders its
 * capture from the install's settings where its annotations set none (WorkloadMesh.istioCaptureDefaults).
 */
export function awaitsIstioInjection(pod: PodView): boolean {
  return pod.origin !== 'pod' && !containerNames(pod.spec).includes(ISTIO_PROXY);
}

export function hasIstioProxy(pod: PodView): boolean {
  return containerNames(pod.spec).includes(ISTIO_PROXY) || pod.annotations['ambient.istio.io/redirection'] === 'enabled';
}

// ---- inbound ports that bypass the sidecar ---------------------------------------------

export const EXCLUDE_INBOUND_ANNOTATION = 'traffic.sidecar.istio.io/excludeInboundPorts';
export const INCLUDE_INBOUND_ANNOTATION = 'traffic.sidecar.istio.io/includeInboundPorts';

/**
 * Which inbound ports a sidecar pod's iptables send to Envoy, from its annotations
 * (https://istio.io/latest/docs/reference/config/annotations/): includeInboundPorts "*" (the
 * default) redirects every port but excludeInboundPorts; a list redirects only those ports
 * (excludeInboundPorts then has no effect); an empty list redirects none. A port that is not
 * redirected never reaches Envoy: plaintext, and no PeerAuthentication or AuthorizationPolicy
 * applies. Entries that are not port numbers are listed in `invalid` (istio-iptables takes
 * numbers only).
 */
export type InboundCapture =
  | { redirect: 'all-except'; ports: number[]; invalid: string[]; source: string }
  | { redirect: 'only'; ports: number[]; invalid: string[]; source: string }
  | {
    redirect: 'none'; source: string;
    /** Set when only connections through these interfaces skip Envoy (excludeInterfaces), all of them. */
    interfaces?: string[];
    /** An ambient pod's: ztunnel, not a sidecar, is what its inbound connections skip (ambientInboundCapture). */
    via?: 'ztunnel';
  };

/** What a pod's uncaptured inbound connections skip, as reasons name it: its sidecar, or ztunnel. */
export function captureProxy(capture: InboundCapture | undefined): { proxy: string; its: string; the: string } {
  return capture?.redirect === 'none' && capture.via === 'ztunnel' ? { proxy: 'ztunnel', its: 'ztunnel', the: 'ztunnel' } : { proxy: 'Envoy', its: 'its sidecar', the: 'the sidecar' };
}

function portNumbers(value: string): { ports: number[]; invalid: string[] } {
  const ports: number[] = [];
  const invalid: string[] = [];
  for (const raw of value.split(',')) {
    const e = raw.trim();
    if (!e) continue;
    if (/^\d{1,5}$/.test(e) && Number(e) >= 1 && Number(e) <= 65535) ports.push(Number(e));
    else invalid.push(e);
  }
  return { ports: [...new Set(ports)].sort((a, b) => a - b), invalid };
}

export const STATUS_PORT_ANNOTATION = 'status.sidecar.istio.io/port';

/**
 * The inbound ports the sidecar itself listens on, never the application's: pilot-agent's status
 * port (annotation status.sidecar.istio.io/port, default global.proxy.statusPort 15020), Envoy's
 * health port 15021 and its Prometheus port 15090. The injection template keeps them out of
 * the redirect (istio-init `-d "15090,15021,<status port>"`) and, with Istio CNI, writes the status
 * port into traffic.sidecar.istio.io/excludeInboundPorts on every pod it injects
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, excludeInboundPort),
 * so excluding them lets no plaintext reach the application.
 */
export function istioProxyOwnPorts(annotations: Record<string, string>): number[] {
  const status = annotations[STATUS_PORT_ANNOTATION]?.trim();
  const statusPort = status !== undefined && /^\d{1,5}$/.test(status) && Number(status) >= 1 && Number(status) <= 65535 ? Number(status) : 15020;
  return [statusPort, 15021, 15090];
}

export const INTERCEPTION_MODE_ANNOTATION = 'sidecar.istio.io/interceptionMode';
export const EXCLUDE_INTERFACES_ANNOTATION = 'traffic.sidecar.istio.io/excludeInterfaces';

export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/** A pod (or template) as its traffic capture is read: its annotations, and the containers of its spec that set up or run the sidecar. */
export type CapturedPod = Pick<PodView, 'annotations' | 'spec'>;

/**
 * What a template the injector has yet to inject takes from the install where it sets no
 * annotation (WorkloadMesh.istioCaptureDefaults): its injector's global.proxy values
 * (istio-injector.ts IstioCaptureValues), and the interception mode of the proxy config the
 * webhook computes for it (istioProxyConfigMode).
 */
export interface IstioCaptureDefaults {
  values?: IstioCaptureValues;
  /** `source` says where the mode comes from, as a reason names it. */
  interceptionMode?: { mode: string; source: string };
}

/**
 * The interception mode of the proxy config the webhook computes for a template
 * (pkg/kube/inject/webhook.go GetProxyConfigOrDefault → pilot/pkg/model/proxy_config.go
 * EffectiveProxyConfig, istio/istio 1.30.3): its annotation proxy.istio.io/config over `mesh`, the
 * mesh config's defaultConfig.interceptionMode (configmaps.ts istioMeshInterceptionMode), over
 * Istio's default REDIRECT (undefined). A ProxyConfig resource sets no interception mode:
 * networking.istio.io/v1beta1 ProxyConfig has no such field (istio/api
 * networking/v1beta1/proxy_config.proto), and toMeshConfigProxyConfig copies only its concurrency,
 * environmentVariables and image. The annotation's REDIRECT overrides nothing: mergeWithPrecedence
 * re-reads each layer through protomarshal.ToYAML, whose jsonpb Marshaler leaves out an enum's
 * zero value, and REDIRECT is 0 (mesh/v1alpha1/proxy.proto InboundInterceptionMode); TPROXY and
 * NONE do. Read once per workload (model.ts), not once per flow.
 */
export function istioProxyConfigMode(annotations: Record<string, string>, mesh: { mode: string; source: string } | undefined): { mode: string; source: string } | undefined {
  const config = annotations[PROXY_CONFIG_ANNOTATION];
  const annotated = config === undefined ? undefined : istioProxyConfigInterceptionMode(config);
  if (annotated !== undefined && annotated !== 'REDIRECT') return { mode: annotated, source: `pod annotation ${PROXY_CONFIG_ANNOTATION} interceptionMode ${JSON.stringify(annotated)}` };
  if (!mesh) return undefined;
  const zero = annotated === 'REDIRECT' ? `; ${PROXY_CONFIG_ANNOTATION}'s interceptionMode REDIRECT, Istio's zero value, overrides nothing` : '';
  return { mode: mesh.mode, source: `${mesh.source}=${JSON.stringify(mesh.mode)} (no pod annotation ${INTERCEPTION_MODE_ANNOTATION}${zero})` };
}

/**
 * Why a sidecar pod's traffic is not intercepted at all, or undefined: interception mode NONE,
 * which pilot defines as "the workload is not using IPtables for traffic interception"
 * (pilot/pkg/model/context.go InterceptionNone). The injection template then renders no istio-init
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml, `$noInitContainer`),
 * and the mode comes from the pod annotation sidecar.istio.io/interceptionMode, else the proxy
 * config, which the template writes into istio-proxy's env ISTIO_META_INTERCEPTION_MODE (the
 * annotation first): on an injected pod that env says what the injector rendered. Both compared
 * as the template does, exactly. A template with no istio-proxy yet takes the mode of its proxy
 * config (`defaults.interceptionMode`, istioProxyConfigMode). TPROXY captures the same ports as
 * REDIRECT (tools/istio-iptables/pkg/capture/run.go: only how inbound packets reach Envoy differs),
 * so NONE is the one mode that changes a verdict.
 */
export function istioInterceptionNone(pod: CapturedPod, defaults?: IstioCaptureDefaults): string | undefined {
  const mode = pod.annotations[INTERCEPTION_MODE_ANNOTATION];
  if (mode !== undefined) return mode === 'NONE' ? `pod annotation ${INTERCEPTION_MODE_ANNOTATION}="NONE"` : undefined;
  const proxy = [...arr(pod.spec.containers), ...arr(pod.spec.initContainers)].map(obj).find((c) => str(c?.name) === ISTIO_PROXY);
  if (proxy) {
    const env = arr(proxy.env).map(obj).find((e) => str(e?.name) === 'ISTIO_META_INTERCEPTION_MODE');
    return str(env?.value) === 'NONE' ? `${ISTIO_PROXY} env ISTIO_META_INTERCEPTION_MODE="NONE"` : undefined;
  }
  const config = defaults?.interceptionMode;
  return config?.mode === 'NONE' ? config.source : undefined;
}

/**
 * The network interfaces a sidecar pod's iptables leave alone (traffic.sidecar.istio.io/excludeInterfaces,
 * which the injection template hands istio-iptables as `-c`): for each, istio-iptables returns
 * every inbound packet from it in PREROUTING and every outbound one to it in OUTPUT before any
 * capture rule ("Neither inbound nor outbound traffic will be captured", tools/istio-iptables/pkg/cmd/root.go;
 * shortCircuitExcludeInterfaces in pkg/capture/run.go). Empty entries are skipped, as its Split does.
 */
function excludedInterfaces(value: string | undefined): string[] {
  return (value ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** How interface names (cluster text) are written in reasons. */
export const interfacesText = (names: string[]) => `interface${names.length > 1 ? 's' : ''} ${names.map((n) => JSON.stringify(n)).join(', ')}`;

/**
 * The inbound capture of a sidecar pod whose settings narrow it, else undefined (every application
 * port goes to Envoy). Interception mode NONE captures nothing (istioInterceptionNone); an
 * excluded interface lets every inbound connection through it skip Envoy, on any port: the pod's
 * own eth0 takes all its pod-network traffic, and any other is a way in around the sidecar.
 * `defaults`: for a template the injector has yet to inject, the install-wide
 * global.proxy.includeInboundPorts and excludeInboundPorts the injection template writes where the
 * pod sets no annotation (captureSettings), and the interception mode of its proxy config
 * (istioInterceptionNone).
 */
export function istioInboundCapture(pod: CapturedPod, defaults?: IstioCaptureDefaults): InboundCapture | undefined {
  const settings = captureSettings(pod, defaults);
  if (settings.notApplied) return { redirect: 'none', source: settings.notApplied };
  if (!settings.fromInit) {
    const none = istioInterceptionNone(pod, defaults);
    if (none) return { redirect: 'none', source: `${none}: no iptables interception` };
  }
  const ifaces = excludedInterfaces(settings.get(EXCLUDE_INTERFACES_ANNOTATION));
  if (ifaces.length > 0) return { redirect: 'none', interfaces: ifaces, source: settings.describe([EXCLUDE_INTERFACES_ANNOTATION]) };
  const include = settings.get(INCLUDE_INBOUND_ANNOTATION);
  if (include !== undefined && include.trim() !== '*') {
    const source = settings.describe([INCLUDE_INBOUND_ANNOTATION]);
    if (include.trim() === '') return { redirect: 'none', source };
    return { redirect: 'only', ...portNumbers(include), source };
  }
  const exclude = settings.get(EXCLUDE_INBOUND_ANNOTATION);
  if (exclude === undefined) return undefined;
  const parsed = portNumbers(exclude);
  const own = istioProxyOwnPorts(pod.annotations);
  parsed.ports = parsed.ports.filter((p) => !own.includes(p));
  if (parsed.ports.length === 0 && parsed.invalid.length === 0) return undefined;
  return { redirect: 'all-except', ...parsed, source: settings.describe([EXCLUDE_INBOUND_ANNOTATION]) };
}

/** Whether inbound traffic to this port skips Envoy. */
export function bypassesSidecar(capture: InboundCapture | undefined, port: number): boolean {
  if (!capture) return false;
  if (capture.redirect === 'none') return true;
  if (capture.redirect === 'only') return !capture.ports.includes(port);
  return capture.ports.includes(port);
}

export const AMBIENT_BYPASS_INBOUND_ANNOTATION = 'ambient.istio.io/bypass-inbound-capture';

/**
 * The inbound capture of an ambient pod, else undefined (ztunnel captures every port). With
 * ambient.istio.io/bypass-inbound-capture true, ztunnel captures its outbound traffic only (Istio
 * 1.24.0 change notes): istio-cni reads the annotation with strconv.ParseBool
 * (cni/pkg/nodeagent/net.go getPodLevelTrafficOverrides, util.CheckBooleanAnnotation; any other
 * value is ignored) and then leaves out the inbound redirect to ztunnel (cni/pkg/iptables/iptables.go,
 * `if !podOverrides.IngressMode`), so a plaintext connection reaches the application on any port
 * and no PeerAuthentication or AuthorizationPolicy applies to it.
 */
export function ambientInboundCapture(annotations: Record<string, string>): InboundCapture | undefined {
  const v = annotations[AMBIENT_BYPASS_INBOUND_ANNOTATION];
  if (v === undefined || !['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return undefined;
  return { redirect: 'none', via: 'ztunnel', source: `pod annotation ${AMBIENT_BYPASS_INBOUND_ANNOTATION}=${JSON.stringify(v)}` };
}

/** The inbound capture of a pod in Istio's mesh: by its sidecar (istioInboundCapture), or by ztunnel (ambientInboundCapture); `defaults` as istioInboundCapture's. */
export function meshInboundCapture(nsLabels: Record<string, string>, pod: PodView, defaults?: IstioCaptureDefaults): InboundCapture | undefined {
  return dataplaneInboundCapture(istioMembership(nsLabels, pod).dataplane, pod, defaults);
}

/** meshInboundCapture for a pod whose dataplane (istioMembership) is known. */
export function dataplaneInboundCapture(dataplane: IstioMembership['dataplane'], pod: CapturedPod, defaults?: IstioCaptureDefaults): InboundCapture | undefined {
  return dataplane === 'sidecar' ? istioInboundCapture(pod, defaults) : dataplane === 'ambient' ? ambientInboundCapture(pod.annotations) : undefined;
}

/**
 * A sidecar pod's inbound ports that skip Envoy, for the report's weak ports: excluded ports;
 * with includeInboundPorts, its declared container ports left out and `*` for every other port.
 */
export function sidecarBypassedPorts(capture: InboundCapture | undefined, declared: number[], own: number[] = []): Record<string, string> {
  if (!capture) return {};
  const out: Record<string, string> = {};
  const label = `bypasses ${captureProxy(capture).the}`;
  if (capture.redirect === 'all-except') for (const p of capture.ports) out[String(p)] = label;
  else {
    for (const p of declared) if (!own.includes(p) && bypassesSidecar(capture, p)) out[String(p)] = label;
    out['*'] = label;
  }
  return out;
}

// ---- outbound traffic that bypasses the caller's sidecar ---------------------------------

export const EXCLUDE_OUTBOUND_PORTS_ANNOTATION = 'traffic.sidecar.istio.io/excludeOutboundPorts';
export const INCLUDE_OUTBOUND_PORTS_ANNOTATION = 'traffic.sidecar.istio.io/includeOutboundPorts';
export const EXCLUDE_OUTBOUND_RANGES_ANNOTATION = 'traffic.sidecar.istio.io/excludeOutboundIPRanges';
export const INCLUDE_OUTBOUND_RANGES_ANNOTATION = 'traffic.sidecar.istio.io/includeOutboundIPRanges';

/**
 * A sidecar pod's outbound capture as its annotations set it
 * (https://istio.io/latest/docs/reference/config/annotations/). `includeRanges` 'all' is the
 * default "*"; an empty list captures nothing by address. Entries istio-iptables would not parse
 * are dropped, as it drops them ("Ignoring error for bug compatibility").
 */
export interface OutboundCapture {
  excludePorts: number[];
  includePorts: number[];
  excludeRanges: IpRange[];
  includeRanges: 'all' | IpRange[];
  /** What narrows the capture: `pod annotation(s) name="value", …`, or interception mode NONE. */
  source: string;
}

function cidrs(value: string): IpRange[] {
  return value.split(',').map((x) => x.trim()).filter((x) => x).map(parseCidr).filter((r): r is IpRange => r !== undefined);
}

/**
 * The outbound capture of a sidecar pod whose settings narrow it, else undefined (every outbound
 * TCP connection goes to Envoy). Interception mode NONE (istioInterceptionNone) captures nothing,
 * nor does an istio-init that applied no rules (captureSettings `notApplied`). `defaults` as
 * istioInboundCapture's: a template not yet injected takes the install-wide
 * global.proxy.includeIPRanges, excludeIPRanges, includeOutboundPorts and excludeOutboundPorts
 * where it sets no annotation.
 */
export function istioOutboundCapture(pod: CapturedPod, defaults?: IstioCaptureDefaults): OutboundCapture | undefined {
  const settings = captureSettings(pod, defaults);
  if (settings.notApplied) return { excludePorts: [], includePorts: [], excludeRanges: [], includeRanges: [], source: settings.notApplied };
  if (!settings.fromInit) {
    const none = istioInterceptionNone(pod, defaults);
    if (none) return { excludePorts: [], includePorts: [], excludeRanges: [], includeRanges: [], source: `${none}: no iptables interception` };
  }
  const get = settings.get;
  // The pod's eth0 carries every connection to the pod network and beyond; which connections
  // another excluded interface carries is not known here.
  if (excludedInterfaces(get(EXCLUDE_INTERFACES_ANNOTATION)).includes('eth0')) {
    return { excludePorts: [], includePorts: [], excludeRanges: [], includeRanges: [], source: `${settings.describe([EXCLUDE_INTERFACES_ANNOTATION])}: all outbound traffic on interface "eth0" bypasses the sidecar` };
  }
  const excludePorts = portNumbers(get(EXCLUDE_OUTBOUND_PORTS_ANNOTATION) ?? '').ports;
  const includePorts = portNumbers(get(INCLUDE_OUTBOUND_PORTS_ANNOTATION) ?? '').ports;
  const excludeRanges = cidrs(get(EXCLUDE_OUTBOUND_RANGES_ANNOTATION) ?? '');
  const include = get(INCLUDE_OUTBOUND_RANGES_ANNOTATION);
  const includeRanges = include === undefined || include.trim() === '*' ? 'all' as const : cidrs(include);
  if (excludePorts.length === 0 && excludeRanges.length === 0 && includeRanges === 'all') return undefined;
  // The settings that narrow it: an empty exclude or include-ports list, or include ranges "*", narrow nothing.
  const keys = [EXCLUDE_OUTBOUND_PORTS_ANNOTATION, INCLUDE_OUTBOUND_PORTS_ANNOTATION, EXCLUDE_OUTBOUND_RANGES_ANNOTATION, INCLUDE_OUTBOUND_RANGES_ANNOTATION]
    .filter((k) => (k === INCLUDE_OUTBOUND_RANGES_ANNOTATION ? includeRanges !== 'all' : (get(k) ?? '') !== ''));
  return { excludePorts, includePorts, excludeRanges, includeRanges, source: settings.describe(keys) };
}

/**
 * istio-iptables' capture flags (tools/istio-iptables/pkg/cmd/root.go bindCmdlineFlags), by the
 * annotation the injection template hands each one (injection-template.yaml istio-init args).
 */
const IPTABLES_FLAGS: ReadonlyArray<{ annotation: string; short: string; long: string }> = [
  { annotation: INCLUDE_INBOUND_ANNOTATION, short: 'b', long: 'istio-inbound-ports' },
  { annotation: EXCLUDE_INBOUND_ANNOTATION, short: 'd', long: 'istio-local-exclude-ports' },
  { annotation: EXCLUDE_INTERFACES_ANNOTATION, short: 'c', long: 'istio-exclude-interfaces' },
  { annotation: INCLUDE_OUTBOUND_RANGES_ANNOTATION, short: 'i', long: 'istio-service-cidr' },
  { annotation: EXCLUDE_OUTBOUND_RANGES_ANNOTATION, short: 'x', long: 'istio-service-exclude-cidr' },
  { annotation: INCLUDE_OUTBOUND_PORTS_ANNOTATION, short: 'q', long: 'istio-outbound-ports' },
  { annotation: EXCLUDE_OUTBOUND_PORTS_ANNOTATION, short: 'o', long: 'istio-local-outbound-ports-exclude' },
];

/**
 * The injector's global.proxy values that stand in for a template's unset traffic annotations
 * (captureSettings), and whether the injection template writes a value (istio/istio 1.30.3
 * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml): into istio-init's
 * -b/-d (lines 106-113) and, under Istio CNI, the pod's annotations (57-58) always; into -i/-x
 * always (102-105), but as annotations under CNI only when not empty (55-56, `with`), so an empty
 * global.proxy.includeIPRanges leaves Istio CNI's default "*" (cni/pkg/plugin/sidecar_redirect.go
 * defaultRedirectIPCidr); into -q/-o (114-121) and their annotations (59-64) only when not empty.
 */
const INSTALL_VALUES: ReadonlyArray<{ annotation: string; value: IstioProxyCaptureValue; written: (value: string, cni: boolean) => boolean }> = [
  { annotation: INCLUDE_INBOUND_ANNOTATION, value: 'includeInboundPorts', written: () => true },
  { annotation: EXCLUDE_INBOUND_ANNOTATION, value: 'excludeInboundPorts', written: () => true },
  { annotation: INCLUDE_OUTBOUND_RANGES_ANNOTATION, value: 'includeIPRanges', written: (v, cni) => !cni || v !== '' },
  { annotation: EXCLUDE_OUTBOUND_RANGES_ANNOTATION, value: 'excludeIPRanges', written: (v, cni) => !cni || v !== '' },
  { annotation: INCLUDE_OUTBOUND_PORTS_ANNOTATION, value: 'includeOutboundPorts', written: (v) => v !== '' },
  { annotation: EXCLUDE_OUTBOUND_PORTS_ANNOTATION, value: 'excludeOutboundPorts', written: (v) => v !== '' },
];

/**
 * istio-iptables' switches that decide whether it applies any rule (tools/istio-iptables/pkg/cmd/root.go
 * bindCmdlineFlags, istio/istio 1.30.3): --skip-rule-apply skips them all (ProgramIptables, and
 * nft/program.go ProgramNftables alike); --dry-run (-n) runs them against a stub that calls no
 * iptables (dependencies.DependenciesStub), but the --native-nftables path does not read it.
 */
const RULE_SWITCHES: ReadonlyArray<{ long: 'skip-rule-apply' | 'dry-run' | 'native-nftables'; short?: string }> = [
  { long: 'skip-rule-apply' },
  { long: 'dry-run', short: 'n' },
  { long: 'native-nftables' },
];

interface CaptureSettings {
  /** Read from an istio-init container's arguments, not from the pod's annotations. */
  fromInit: boolean;
  /** Set when that istio-init applied no rules at all: why, as a reason says it. */
  notApplied?: string;
  /** Each setting's value, by the annotation's name; undefined: not set (the annotation's default applies). */
  get: (annotation: string) => string | undefined;
  /** The settings named, as a reason says where they come from. */
  describe: (annotations: string[]) => string;
}

/**
 * Where a sidecar pod's iptables rules come from. An istio-init container ran istio-iptables with
 * its arguments: those are what iptables got, whatever the annotations say (the injector renders
 * them from the annotations and the install's global.proxy values, injection-template.yaml; Istio
 * CNI leaves a pod with istio-init alone, cni/pkg/plugin/plugin.go "already injected with
 * istio-init container"). A flag it was not given takes istio-iptables' default: the container's
 * env variable of the flag's name (pkg/flag BindEnv: ISTIO_LOCAL_EXCLUDE_PORTS for
 * --istio-local-exclude-ports), else empty, which for -b and -i captures nothing. The arguments
 * are read as pflag reads them: `-d V`, `-d=V`, `-dV`, `--istio-local-exclude-ports[=]V`, the last
 * one winning; a boolean switch (RULE_SWITCHES) as `--name`, `--name=V` (strconv.ParseBool) or
 * its env variable (SKIP_RULE_APPLY, DRY_RUN, NATIVE_NFTABLES, which BindEnv sets first and a
 * flag overrides). An istio-init that applied no rules (`notApplied`) captures nothing, and Istio
 * CNI still leaves the pod alone. Without istio-init (Istio CNI reads the annotations,
 * cni/pkg/plugin/sidecar_redirect.go; a template not yet injected) the annotations decide; for a
 * template, `defaults.values` (its injector's global.proxy values) stand in for each traffic
 * annotation it does not set, as the injection template writes them (INSTALL_VALUES;
 * `annotation .ObjectMeta "traffic.sidecar.istio.io/includeInboundPorts" .Values.global.proxy.includeInboundPorts`,
 * pkg/kube/inject/template.go getAnnotation: the annotation when present, else the value): a pod
 * annotation, even an empty one, wins.
 */
function captureSettings(pod: CapturedPod, defaults?: IstioCaptureDefaults): CaptureSettings {
  const init = arr(pod.spec.initContainers).map(obj).find((c) => str(c?.name) === 'istio-init');
  const tokens = init ? [...arr(init.command), ...arr(init.args)].filter((t): t is string => typeof t === 'string') : [];
  if (!init || tokens.length === 0) {
    const values = defaults?.values;
    // The install-wide value standing in for an annotation the template does not set, if any.
    const installed = (k: string) => {
      if (pod.annotations[k] !== undefined || !values) return undefined;
      const d = INSTALL_VALUES.find((v) => v.annotation === k);
      const value = d ? values.proxy[d.value] : undefined;
      return d && value !== undefined && d.written(value, values.cni) ? { key: d.value, value } : undefined;
    };
    const get = (k: string) => installed(k)?.value ?? pod.annotations[k];
    return {
      fromInit: false,
      get,
      describe: (keys) => {
        const own = keys.filter((k) => !installed(k));
        return [
          ...(own.length > 0 ? [`pod annotation${own.length > 1 ? 's' : ''} ${own.map((k) => `${k}=${JSON.stringify(pod.annotations[k])}`).join(', ')}`] : []),
          ...keys.filter((k) => installed(k)).map((k) => `${values!.source}, global.proxy.${installed(k)!.key}=${JSON.stringify(get(k))} (no pod annotation ${k})`),
        ].join(', ');
      },
    };
  }
  const given = new Map<string, string>();
  const switches = new Map<string, { on: boolean; text: string }>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '--') break;
    const long = /^--([^=]+)(=([\s\S]*))?$/.exec(t);
    const short = long ? null : /^-([^-])(=?)([\s\S]*)$/.exec(t);
    const toggle = long ? RULE_SWITCHES.find((f) => f.long === long[1]) : short ? RULE_SWITCHES.find((f) => f.short === short[1]) : undefined;
    if (toggle) {
      // A boolean never takes the next argument: bare it is true, `=V` as ParseBool reads V (a
      // value it refuses stops istio-iptables, and the pod never starts).
      const written = long ? long[3] : short![2] === '=' ? short![3] : undefined;
      const on = written === undefined ? true : goParseBool(written);
      if (on !== undefined) switches.set(toggle.long, { on, text: `${long ? `--${toggle.long}` : `-${toggle.short}`}${written === undefined ? '' : `=${JSON.stringify(written)}`}` });
      continue;
    }
    const flag = long ? IPTABLES_FLAGS.find((f) => f.long === long[1]) : short ? IPTABLES_FLAGS.find((f) => f.short === short[1]) : undefined;
    if (!flag) continue;
    let value = long ? long[3] : short![2] !== '' || short![3] !== '' ? short![3] : undefined;
    // A string flag without `=` takes the next argument, whatever it looks like.
    if (value === undefined) value = tokens[++i] ?? '';
    given.set(flag.annotation, value);
  }
  const env = new Map(arr(init.env).map(obj).map((e) => [str(e?.name), e?.value] as const));
  const envOf = (long: string) => long.toUpperCase().replaceAll('-', '_');
  const switchOf = (long: (typeof RULE_SWITCHES)[number]['long']): { on: boolean; text: string } | undefined => {
    const s = switches.get(long);
    if (s) return s;
    const e = env.get(envOf(long));
    const on = typeof e === 'string' ? goParseBool(e) : undefined;
    return on === undefined ? undefined : { on, text: `env ${envOf(long)}=${JSON.stringify(e)}` };
  };
  const skip = switchOf('skip-rule-apply');
  const dry = switchOf('dry-run');
  const nft = switchOf('native-nftables');
  const notApplied = skip?.on ? `istio-init argument ${skip.text}: istio-iptables applied no rules`
    : dry?.on && !nft?.on ? `istio-init argument ${dry.text}: istio-iptables ran without calling iptables and applied no rules` : undefined;
  const read = (k: string): { value: string; text: string } => {
    const f = IPTABLES_FLAGS.find((x) => x.annotation === k)!;
    const v = given.get(k);
    if (v !== undefined) return { value: v, text: `-${f.short} ${JSON.stringify(v)}` };
    const e = env.get(envOf(f.long));
    if (typeof e === 'string') return { value: e, text: `env ${envOf(f.long)}=${JSON.stringify(e)}` };
    return { value: '', text: `no -${f.short} (empty)` };
  };
  return {
    fromInit: true,
    ...(notApplied ? { notApplied } : {}),
    get: (k) => read(k).value,
    describe: (keys) => `istio-init argument${keys.length > 1 ? 's' : ''} ${keys.map((k) => read(k).text).join(', ')}`,
  };
}

const inRanges = (ranges: IpRange[], ip: { family: 4 | 6; value: bigint }) => ranges.some((r) => r.family === ip.family && ip.value >= r.lo && ip.value <= r.hi);

/**
 * Whether a connection the app opens to `port` at address `ip` leaves around the sidecar, in
 * the order istio-iptables builds ISTIO_OUTPUT (tools/istio-iptables/pkg/capture/run.go):
 * excluded ports RETURN first, then excluded ranges, then included ports and included ranges
 * jump to ISTIO_REDIRECT; whatever no rule redirects goes out untouched. `ip` undefined: the
 * address is not known, and 'unknown' is the answer when it would decide.
 */
export function outboundBypass(capture: OutboundCapture, port: number, ip: string | undefined): boolean | 'unknown' {
  if (capture.excludePorts.includes(port)) return true;
  const addr = ip === undefined ? undefined : parseIp(ip);
  if (capture.excludeRanges.length > 0) {
    if (!addr) return 'unknown';
    if (inRanges(capture.excludeRanges, addr)) return true;
  }
  if (capture.includePorts.includes(port) || capture.includeRanges === 'all') return false;
  if (capture.includeRanges.length === 0) return true;
  if (!addr) return 'unknown';
  return !inRanges(capture.includeRanges, addr);
}
