// Istio's outbound traffic policy per meshed workload: ALLOW_ANY (sidecars pass traffic to
// unknown hosts straight through) or REGISTRY_ONLY (only hosts in the service registry:
// Services and ServiceEntries). The mesh-wide value is meshConfig.outboundTrafficPolicy.mode
// in ConfigMap `istio` (or `istio-<rev>` for a revision), ALLOW_ANY when unset or null but
// REGISTRY_ONLY when the policy is written without a mode (`{}`, outboundPolicyMode); the Sidecar
// that applies to a workload may override it: one whose workloadSelector selects the
// workload, else the namespace's selector-less Sidecar, else the root namespace's
// selector-less Sidecar (istio.io/latest/docs/reference/config/networking/sidecar/).

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { meshModel, type WorkloadMesh } from './model.ts';
import { istioGatewayPod } from './istio-gateway.ts';
import { istioMembership, istioOutboundCapture, type OutboundCapture } from './istio.ts';
import { INTERNAL_RANGES } from '../netpol/rules.ts';
import { ALL_V4, ALL_V6, formatRange, subtractRanges, type IpRange } from '../../base/ip.ts';
import { istioConfigMapName, istioMeshConfigMap, istioMeshConfigNamespaces, istioWebhookRevisions, istioWebhooksSayAll, parseIstioMesh, type MeshConfigPlaces } from './configmaps.ts';
import { obj, str, stringMap } from './util.ts';

export type OutboundMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

export interface MeshOutbound {
  /** Istio revision ('default' is ConfigMap `istio`). */
  revision: string;
  configMap: ResourceRef;
  /** undefined when the mesh config cannot be read (problem says why). */
  mode: OutboundMode | undefined;
  source: string;
  problem?: string;
}

export interface WorkloadOutbound {
  mesh: WorkloadMesh;
  mode: OutboundMode | undefined;
  /** "Sidecar shop/default", "ConfigMap istio-system/istio (not set: Istio default ALLOW_ANY)". */
  decidedBy: string;
  sidecar?: ResourceRef;
  /** The chosen Sidecar's egress hosts ("namespace/dnsName"); undefined: no Sidecar, or one without egress, imports every Service. */
  egressHosts?: string[];
  revision: string;
  /**
   * What of the outside the workload's sidecar lets leave around Envoy (outboundCaptureGap), where
   * no outbound traffic policy applies: REGISTRY_ONLY is not enforced for it.
   */
  bypass?: string;
}

export { istioConfigMapName };

/**
 * The kinds istioRevisions (and istioRevisionConfigMapRefs) read: istio.io/rev labels of namespaces
 * and pods, the pods' istio.io/rev annotation, and the tag webhooks that map a tag to its revision.
 */
export const ISTIO_REVISION_KINDS = ['namespaces', 'pods', 'mutatingwebhookconfigurations'] as const satisfies readonly KindKey[];

const REVISION_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Revisions in use besides the default, as the collector reads their mesh config: the pods'
 * istio.io/rev annotations (the revision that injected them) and the istio.io/rev labels of
 * namespaces and pods, a tag among them resolved to its revision through its webhook
 * istio-revision-tag-<tag> (https://istio.io/latest/docs/setup/upgrade/canary/, "Stable revision
 * labels"). With the webhooks read and Istio's among them, a label value that is neither a tag nor
 * a revision with an injector webhook is left out: istiod has no istio-<value> to read (the analysis reads such a
 * workload as the default revision's, istioRevisionResolver).
 */
export function istioRevisions(snapshot: Snapshot): string[] {
  const hooks = istioWebhookRevisions(snapshot.resources.mutatingwebhookconfigurations ?? []);
  const { tags, revisions } = hooks;
  const sayAll = istioWebhooksSayAll(snapshot, hooks);
  const out = new Set<string>();
  const add = (v: string) => { if (v !== '' && v !== 'default' && REVISION_NAME.test(v)) out.add(v); };
  const label = (v: unknown) => {
    if (typeof v !== 'string') return;
    const tagged = tags.get(v);
    if (tagged !== undefined) add(tagged);
    else if (revisions.has(v) || !sayAll) add(v);
  };
  // The default tag's revision injects istio-injection=enabled namespaces and sidecar.istio.io/inject=true
  // pods, which carry no istio.io/rev label to name it.
  const defaultTag = tags.get('default');
  if (defaultTag !== undefined) add(defaultTag);
  for (const key of ['namespaces', 'pods'] as const) for (const o of snapshot.resources[key] ?? []) label(o.metadata?.labels?.['istio.io/rev']);
  for (const p of snapshot.resources.pods ?? []) { const a = p.metadata?.annotations?.['istio.io/rev']; if (typeof a === 'string') add(a); }
  return [...out].sort();
}

/** `istio-<rev>` ConfigMaps the collector should read by name, in the root namespace: revisions, not tags. */
export function istioRevisionConfigMapRefs(snapshot: Snapshot, config: Config): Array<{ namespace: string; name: string }> {
  const ns = config.mesh.istioRootNamespace || 'istio-system';
  return istioRevisions(snapshot).map((r) => ({ namespace: ns, name: istioConfigMapName(r) }));
}

export function meshOutbound(configmaps: KubeObject[], places: MeshConfigPlaces, revision: string): MeshOutbound {
  const name = istioConfigMapName(revision);
  const cm = istioMeshConfigMap(configmaps, places, revision);
  const configMap: ResourceRef = { kind: 'ConfigMap', namespace: cm?.metadata?.namespace ?? (typeof places === 'string' ? places : places[0]!), name };
  const where = `ConfigMap ${configMap.namespace}/${name}`;
  const dflt = (why: string): MeshOutbound => ({ revision, configMap, mode: 'ALLOW_ANY', source: `${why} (Istio default ALLOW_ANY)` });
  if (!cm) return dflt(`no ${where}`);
  const text = str(obj(cm.data)?.mesh);
  if (text === undefined) return dflt(`${where} has no mesh key`);
  const read = parseIstioMesh(text);
  if ('problem' in read) return { revision, configMap, mode: undefined, source: `${where} key mesh`, problem: read.problem };
  const { mesh } = read;
  if (!mesh) return dflt(`${where} key mesh is empty`);
  const otp = mesh.outboundTrafficPolicy;
  // null is skipped by jsonpb: the default stays (outboundPolicyMode).
  if (otp === undefined || otp === null) return dflt(`${where} sets no outboundTrafficPolicy`);
  const policy = outboundPolicyMode(otp, true);
  if ('problem' in policy) return { revision, configMap, mode: undefined, source: `${where} mesh.outboundTrafficPolicy`, problem: `mesh.outboundTrafficPolicy${policy.problem}` };
  if (policy.unnamed !== undefined) return { revision, configMap, mode: 'REGISTRY_ONLY', source: `${where} mesh.outboundTrafficPolicy.mode (${policy.unnamed}, a number Istio names no mode for: istiod keeps it, and any mode but ALLOW_ANY acts as REGISTRY_ONLY)` };
  if (policy.unset) return { revision, configMap, mode: 'REGISTRY_ONLY', source: `${where} mesh.outboundTrafficPolicy (set without a mode: REGISTRY_ONLY, the enum's zero value)` };
  return { revision, configMap, mode: policy.mode, source: `${where} mesh.outboundTrafficPolicy.mode` };
}

/**
 * An outboundTrafficPolicy that is present (not null) as Istio reads it. Istio reads the mesh
 * config and a Sidecar with jsonpb (pkg/config/mesh ApplyMeshConfig → protomarshal.ApplyYAML;
 * istio.io/api networking/v1alpha3 sidecar_json.gen.go SidecarUnmarshaler): a message field
 * present in the input becomes a NEW message holding only what the input sets, and a field set to
 * null is skipped, so `{}` or `{mode: null}` is a policy whose mode is the enum's zero value,
 * REGISTRY_ONLY (`enum Mode { REGISTRY_ONLY = 0; ALLOW_ANY = 1; }`, mesh/v1alpha1/config.proto
 * and networking/v1alpha3/sidecar.proto), not the default ALLOW_ANY. jsonpb takes an enum by name
 * (exact case) or by number: 0 and 1 are the two modes. In the mesh config (`unnamedNumbers`)
 * another whole number in int32's range is kept as it is, a mode Istio has no name for (golang/protobuf
 * v1.5.4 jsonpb/decode.go unmarshalSingularValue: an enum not in quotes is read into
 * protoreflect.EnumNumber, an int32, unchecked), and pilot/pkg/model/sidecar.go copies it into each
 * sidecar scope, where only ALLOW_ANY passes traffic through (pilot/pkg/networking/util/util.go
 * IsAllowAnyOutbound `Mode == networking.OutboundTrafficPolicy_ALLOW_ANY`, used by
 * listener_builder.go and httproute.go; istio/istio tag 1.28.9): it acts as REGISTRY_ONLY. A
 * Sidecar's mode is a string of the two names in its CRD (manifests/charts/base/files/crd-all.gen.yaml
 * `enum: [REGISTRY_ONLY, ALLOW_ANY]`, `type: string`), so the API server never stores a number
 * there, 0 and 1 included: `numbers` false reads a Sidecar's mode by name only. A
 * fraction, a number past int32, a quoted number, another string, or a mode or policy of another
 * type is an error istiod refuses the whole mesh config with (then it keeps its last mesh config,
 * or Istio's defaults when it has none: pkg/config/mesh/meshwatcher/collection.go "invalid mesh
 * config, using last known state"), which the snapshot cannot tell: unknown here.
 */
export function outboundPolicyMode(otp: unknown, unnamedNumbers = false, numbers = true): { mode: OutboundMode; unset?: true; unnamed?: number } | { problem: string } {
  const p = obj(otp);
  if (!p) return { problem: ` is ${JSON.stringify(otp)}, not a mapping` };
  const mode = p.mode;
  if (mode === undefined || mode === null) return { mode: 'REGISTRY_ONLY', unset: true };
  if (mode === 'REGISTRY_ONLY' || (numbers && mode === 0)) return { mode: 'REGISTRY_ONLY' };
  if (mode === 'ALLOW_ANY' || (numbers && mode === 1)) return { mode: 'ALLOW_ANY' };
  if (!numbers) return { problem: `.mode is ${JSON.stringify(mode)}, not ALLOW_ANY or REGISTRY_ONLY` };
  if (unnamedNumbers && typeof mode === 'number' && Number.isInteger(mode) && mode >= -2147483648 && mode <= 2147483647) return { mode: 'REGISTRY_ONLY', unnamed: mode };
  return { problem: `.mode is ${JSON.stringify(mode)}, not ALLOW_ANY or REGISTRY_ONLY (or 1, 0)` };
}

interface SidecarEntry {
  ref: ResourceRef;
  selector?: Record<string, string>;
  mode?: OutboundMode;
  /** outboundTrafficPolicy set without a mode (`{}`): REGISTRY_ONLY. */
  unset?: true;
  egressHosts?: string[];
  problem?: string;
  /** Refused at admission by the Sidecar CRD's schema: it cannot exist in the cluster, and selects nothing here. */
  refused?: true;
}

/** Every egress listener's hosts, one list: a Service any listener imports is in the proxy's registry. undefined: no egress (Istio imports everything). */
function egressHostsOf(spec: Record<string, unknown> | undefined): string[] | undefined {
  if (!Array.isArray(spec?.egress) || spec.egress.length === 0) return undefined;
  return spec.egress.flatMap((l) => (Array.isArray(obj(l)?.hosts) ? (obj(l)!.hosts as unknown[]) : [])).filter((h): h is string => typeof h === 'string');
}

function readSidecar(o: KubeObject): SidecarEntry {
  const ref: ResourceRef = { kind: 'Sidecar', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' };
  const spec = obj(o.spec);
  const rawWs = spec?.workloadSelector;
  const ws = obj(rawWs);
  // A malformed selector selects nothing; it must not become the namespace-wide Sidecar.
  if (rawWs !== undefined && rawWs !== null && (!ws || !obj(ws.labels))) return { ref, selector: {}, problem: 'workloadSelector is not a mapping with labels (the Sidecar selects no workload)' };
  const selector = ws ? stringMap(ws.labels) : undefined;
  const otp = spec?.outboundTrafficPolicy;
  const hosts = egressHostsOf(spec);
  const base = { ref, ...(selector ? { selector } : {}), ...(hosts ? { egressHosts: hosts } : {}) };
  // Absent or null: the mesh config decides (pilot/pkg/model/sidecar.go, GetOutboundTrafficPolicy() == nil); `{}` is REGISTRY_ONLY (outboundPolicyMode).
  if (otp === undefined || otp === null) return base;
  // The Sidecar CRD's schema types outboundTrafficPolicy an object and its mode a string of the two
  // names (istio/api kubernetes/customresourcedefinitions.gen.yaml, 1.8.0 to 1.29.0: `enum:
  // [REGISTRY_ONLY, ALLOW_ANY]`, `type: string`), so the API server refuses any other value, a
  // number 0 or 1 included, though jsonpb would read those: such a Sidecar cannot be stored, and is
  // ignored as if absent (the next Sidecar in line, else the mesh config, decides).
  const policy = outboundPolicyMode(otp, false, false);
  if ('problem' in policy) return { ...base, refused: true, problem: `outboundTrafficPolicy${policy.problem}: the Sidecar CRD's schema takes only the strings REGISTRY_ONLY and ALLOW_ANY there, so the API server refuses this Sidecar (ignored, as if absent)` };
  return { ...base, mode: policy.mode, ...(policy.unset ? { unset: true } : {}) };
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  for (const k of keys) if (labels[k] !== selector[k]) return false;
  return true;
}

export interface OutboundModel {
  meshConfigs: Map<string, MeshOutbound>;
  workloads: WorkloadOutbound[];
  /** Sidecars whose outboundTrafficPolicy could not be read, named. */
  sidecarProblems: Array<{ ref: ResourceRef; problem: string }>;
}

/** Every Istio-meshed workload (gateways excepted) with its effective outbound traffic policy. */
export function istioOutbound(snapshot: Snapshot, config: Config): OutboundModel {
  const m = meshModel(snapshot, config);
  const root = m.istio.policies.rootNamespace;
  const sidecars = (snapshot.resources['istio.sidecars'] ?? []).map(readSidecar);
  const byNamespace = new Map<string, SidecarEntry[]>();
  for (const s of sidecars) {
    if (s.refused) continue;
    const ns = s.ref.namespace ?? 'default';
    let list = byNamespace.get(ns);
    if (!list) byNamespace.set(ns, (list = []));
    list.push(s);
  }
  const nsDefault = (ns: string) => (byNamespace.get(ns) ?? []).filter((s) => !s.selector).sort((a, b) => a.ref.name.localeCompare(b.ref.name))[0];
  const configmaps = snapshot.resources.configmaps ?? [];
  const meshConfigs = new Map<string, MeshOutbound>();
  const meshFor = (rev: string) => {
    let v = meshConfigs.get(rev);
    if (!v) meshConfigs.set(rev, (v = meshOutbound(configmaps, istioMeshConfigNamespaces(snapshot, config)(rev).namespaces, rev)));
    return v;
  };
  meshFor('default');
  const workloads: WorkloadOutbound[] = [];
  for (const w of m.workloads) {
    // A gateway's Envoy has no application behind it and captures no outbound traffic:
    // outboundTrafficPolicy governs what a sidecar does with its application's outbound calls
    // (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy).
    if (w.mesh !== 'istio' || istioGatewayPod(w)) continue;
    const revision = w.istioRevision ?? 'default';
    const meshCfg = meshFor(revision);
    // The root namespace's selector-less Sidecar is the default of the revision's own root (each revision's istiod reads its mesh config's rootNamespace).
    const wRoot = w.istioRoot?.namespace ?? root;
    const chosen = (byNamespace.get(w.namespace) ?? []).filter((s) => s.selector && selects(s.selector, w.labels)).sort((a, b) => a.ref.name.localeCompare(b.ref.name))[0]
      ?? nsDefault(w.namespace) ?? (w.namespace !== wRoot ? nsDefault(wRoot) : undefined);
    const rep = w.workload.pods[0];
    const gap = rep && istioMembership(m.namespaces.get(w.namespace)?.labels ?? {}, rep).dataplane === 'sidecar' ? outboundCaptureGap(istioOutboundCapture(rep, w.istioCaptureDefaults)) : undefined;
    const egress = { ...(chosen?.egressHosts ? { egressHosts: chosen.egressHosts } : {}), ...(gap ? { bypass: gap } : {}) };
    if (chosen?.mode) workloads.push({ mesh: w, mode: chosen.mode, decidedBy: `Sidecar ${chosen.ref.namespace}/${chosen.ref.name}${chosen.unset ? ' (outboundTrafficPolicy set without a mode: REGISTRY_ONLY)' : ''}`, sidecar: chosen.ref, ...egress, revision });
    else workloads.push({ mesh: w, mode: meshCfg.mode, decidedBy: chosen ? `${meshCfg.source}; Sidecar ${chosen.ref.namespace}/${chosen.ref.name} sets no outboundTrafficPolicy` : meshCfg.source, ...(chosen ? { sidecar: chosen.ref } : {}), ...egress, revision });
  }
  return { meshConfigs, workloads, sidecarProblems: sidecars.filter((s) => s.problem).map((s) => ({ ref: s.ref, problem: s.problem! })) };
}

/**
 * Whether a sidecar in namespace `callerNs` has Service `name` of `namespace` in its registry: the
 * Service is exported to the caller's namespace (annotation networking.istio.io/exportTo: "." its
 * own namespace, "*" every one, "~" none, else namespace names; absent: every one) and, when the
 * caller's Sidecar lists egress hosts, one of them imports it ("namespace/dnsName": namespace "*"
 * any, "." the workload's own, "~" none; dnsName "*", "*.suffix" or the FQDN
 * name.namespace.svc.cluster.local) (https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener).
 */
export function sidecarImportsService(egressHosts: string[] | undefined, exportTo: string[] | undefined, callerNs: string, namespace: string, name: string): boolean {
  if (exportTo && !exportTo.some((e) => e === '*' || (e === '.' ? namespace : e) === callerNs)) return false;
  if (!egressHosts) return true;
  const fqdn = `${name}.${namespace}.svc.cluster.local`;
  return egressHosts.some((h) => {
    const slash = h.indexOf('/');
    if (slash < 0) return false;
    const ns = h.slice(0, slash);
    const dns = h.slice(slash + 1);
    if (!(ns === '*' || (ns === '.' ? callerNs : ns) === namespace)) return false;
    return dns === '*' || (dns.startsWith('*.') ? fqdn.endsWith(dns.slice(1)) : dns === fqdn);
  });
}

const size = (rs: IpRange[]) => rs.reduce((n, r) => n + (r.hi - r.lo + 1n), 0n);

/**
 * What of the outside a sidecar's outbound capture (istioOutboundCapture) lets leave around Envoy,
 * or undefined: excluded ports, to any address, and public addresses (INTERNAL_RANGES left out)
 * that an excluded range or an include list leaves uncaptured, in the order istio-iptables builds
 * ISTIO_OUTPUT (outboundBypass): an included port still goes to Envoy outside the include list,
 * not inside an excluded range. Such connections never meet the sidecar's outbound traffic policy
 * ("An empty list will disable all outbound redirection", includeOutboundIPRanges,
 * https://istio.io/latest/docs/reference/config/annotations/).
 */
export function outboundCaptureGap(capture: OutboundCapture | undefined): string | undefined {
  if (!capture) return undefined;
  const parts: string[] = [];
  if (capture.excludePorts.length > 0) parts.push(`port${capture.excludePorts.length > 1 ? 's' : ''} ${capture.excludePorts.join(', ')} to any address`);
  for (const all of [ALL_V4, ALL_V6]) {
    const publicSpace = subtractRanges(all, [...INTERNAL_RANGES]);
    const excluded = capture.excludeRanges.filter((r) => r.family === all.family).flatMap((r) => subtractRanges(r, [...INTERNAL_RANGES]));
    const notIncluded = capture.includeRanges === 'all' ? [] : publicSpace.flatMap((r) => subtractRanges(r, capture.includeRanges as IpRange[]));
    const gap = [...excluded, ...notIncluded].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    if (gap.length === 0) continue;
    const family = `IPv${all.family}`;
    const covered = size(publicSpace.flatMap((p) => subtractRanges(p, gap))) === 0n;
    const what = covered ? `every public ${family} address` : `public ${family} addresses ${gap.slice(0, 3).map(formatRange).join(', ')}${gap.length > 3 ? ` and ${gap.length - 3} more range(s)` : ''}`;
    // Included ports still reach Envoy where only the include list leaves the address out.
    const ports = excluded.length === 0 && capture.includePorts.length > 0 ? ` on ports other than ${capture.includePorts.join(', ')}` : '';
    parts.push(`${what}${ports}`);
  }
  return parts.length > 0 ? `${parts.join(', ')} (${capture.source})` : undefined;
}
