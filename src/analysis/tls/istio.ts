// Istio Gateway servers and the mesh-wide TLS defaults istiod applies to them.
//
// istiod builds a gateway server's DownstreamTlsContext in BuildListenerTLSContext
// (istio/istio pilot/pkg/networking/core/listener.go): for SIMPLE, MUTUAL and OPTIONAL_MUTUAL
// servers only (isSimpleOrMutual) it applies meshConfig.tlsDefaults (applyDownstreamTLSDefaults),
// then the server's own minProtocolVersion and cipherSuites over them (applyServerTLSSettings).
// From Istio 1.18 ISTIO_MUTUAL servers get no TLS parameters (Envoy's defaults apply); before 1.18
// istiod writes every mode's own minProtocolVersion, maxProtocolVersion and cipherSuites
// (istioMutualSettingsApplied). Gateway API listeners of Istio's class become such servers
// (istioGatewayApiServers).
import { nginxImageVersion } from './nginx.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Config } from '../../config/types.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { imageRepository } from '../images.ts';
import { memoize } from '../memo.ts';
import { podTemplateOf } from '../workloads.ts';
import { istioConfigMapName, istioMeshConfigMap, istioMeshConfigNamespaces, parseIstioMesh } from '../mesh/configmaps.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { terminatesTls } from './envoy-gateway.ts';
import { gatewayListenerLabel, gatewayListeners } from '../edge/listener-sets.ts';

export interface IstioGatewayServer {
  resource: ResourceRef;
  /** The Gateway holding the server. */
  gateway: KubeObject;
  /** Index of the server in spec.servers. */
  i: number;
  server: Record<string, unknown> | undefined;
  tls: Record<string, unknown>;
  /** tls.mode upper-cased; PASSTHROUGH when unset (the enum's zero value). */
  mode: string;
  /** For a Gateway API listener istiod turns into a server (istioGatewayApiServers): its name and how istiod converts it. */
  gatewayApi?: { listener: string; conversion: string };
}

/** A server's tls block, or undefined when it has none or holds only httpsRedirect (a plaintext server's redirect, not TLS). */
export function istioServerTls(server: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const tls = obj(server?.tls);
  return !tls || (tls.httpsRedirect === true && Object.keys(tls).length === 1) ? undefined : tls;
}

/**
 * Istio Gateway servers that terminate TLS, and those that pass it through to the backend
 * (ServerTLSSettings.mode PASSTHROUGH, the enum's zero value and so the mode when none is set, or
 * AUTO_PASSTHROUGH): there the backend negotiates, not the gateway. A tls block holding only
 * httpsRedirect is a plaintext server's redirect, not TLS.
 */
export function istioGatewayServers(snapshot: Snapshot): { judged: IstioGatewayServer[]; passthrough: string[] } {
  const judged: IstioGatewayServer[] = [];
  const passthrough: string[] = [];
  for (const gw of snapshot.resources['istio.gateways'] ?? []) {
    const resource = { kind: 'Gateway.networking.istio.io', namespace: gw.metadata?.namespace ?? 'default', name: gw.metadata?.name ?? '' };
    for (const [i, s] of arr(obj(gw.spec)?.servers).entries()) {
      const server = obj(s);
      const tls = istioServerTls(server);
      if (!tls) continue;
      const mode = (str(tls.mode) ?? 'PASSTHROUGH').toUpperCase();
      if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') passthrough.push(`${resource.namespace}/${resource.name} port ${obj(server?.port)?.number ?? '?'}`);
      else judged.push({ resource, gateway: gw, i, server, tls, mode });
    }
  }
  return { judged, passthrough };
}

/** The modes whose servers take meshConfig.tlsDefaults and their own cipherSuites (isSimpleOrMutual). */
export const ISTIO_CIPHER_MODES: ReadonlySet<string> = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);

export interface IstioTlsDefaults {
  /** Where they were read ("ConfigMap istio-system/istio mesh.tlsDefaults"). */
  source: string;
  cipherSuites?: string[];
  minProtocolVersion?: string;
  /** Why the mesh config could not be read (then the defaults are unknown). */
  problem?: string;
}

/**
 * meshConfig.tlsDefaults (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-TLSConfig)
 * of a revision's istiod: ConfigMap `istio` (`istio-<rev>` for a revision other than default,
 * istiod reading "istio-" + its revision, pilot/pkg/bootstrap/mesh.go getMeshConfigMapName; key
 * `mesh`) where istioMeshConfigNamespaces looks for it (the root namespace, where istiod runs,
 * istio-system); undefined when that mesh config sets none.
 * A Gateway's revision is istioGatewayRevision's.
 */
export function istioTlsDefaults(snapshot: Snapshot, config: Config, revision = 'default'): IstioTlsDefaults | undefined {
  const cm = istioMeshConfigMap(snapshot.resources.configmaps ?? [], istioMeshConfigNamespaces(snapshot, config)(revision).namespaces, revision);
  const text = str(obj(cm?.data)?.mesh);
  if (!cm || text === undefined) return undefined;
  const where = `ConfigMap ${cm.metadata?.namespace ?? 'default'}/${istioConfigMapName(revision)}`;
  const source = `${where} mesh.tlsDefaults`;
  const read = parseIstioMesh(text);
  if ('problem' in read) return { source, problem: `${where} ${read.problem}` };
  const d = obj(read.mesh?.tlsDefaults);
  if (!d) return undefined;
  const suites = arr(d.cipherSuites).filter((c): c is string => typeof c === 'string');
  const min = str(d.minProtocolVersion);
  return { source, ...(suites.length ? { cipherSuites: suites } : {}), ...(min && min !== 'TLS_AUTO' ? { minProtocolVersion: min } : {}) };
}

/**
 * Envoy's server-side defaults before Envoy 1.23, which Istio 1.14 and older ship (Istio 1.15 is
 * the first on Envoy 1.23: istio/istio#42648 "Istio 1.15.x uses Envoy 1.23.x, Istio 1.14.x uses
 * Envoy 1.22.x"). istiod passes a server's minProtocolVersion TLS_AUTO (or none) through to Envoy,
 * whose server-side minimum was TLS 1.0 until envoyproxy/envoy#19330 ("set TLS v1.2 as the default
 * minimal version for servers", shipped in Envoy 1.22.0: changelogs/1.22.0.yaml, so before Istio
 * 1.14; `tls10Default`), and whose default cipher list still held the CBC-SHA and RSA key-exchange
 * suites below (envoyproxy.io docs v1.22.5 api-v3 extensions/transport_sockets/tls/v3/common.proto,
 * cipher_suites; quoted in istio/istio#42648; istio/istio#41305 shows TLSV1_0 handshakes working on
 * Istio 1.13 and not on 1.15).
 */
export const ENVOY_PRE_123_DEFAULT_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256', 'AES128-SHA',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA',
  'AES256-GCM-SHA384', 'AES256-SHA',
];

/** The Istio release a gateway's Envoy comes from, as its images tell it. */
export type IstioGatewayRelease =
  /**
   * `legacyEnvoy`: below Istio 1.15, so Envoy 1.22 or older and its default cipher list with CBC
   * suites. `tls10Default`: below Istio 1.14, so Envoy 1.21 or older, whose server-side default
   * minimum is TLS 1.0 (Envoy 1.22.0 made it TLS 1.2: envoyproxy/envoy changelogs/1.22.0.yaml,
   * behavior_changes, tls; istio/istio#42648: Istio 1.14.x uses Envoy 1.22.x).
   */
  | { version: [number, number]; image: string; from: string; legacyEnvoy: boolean; tls10Default: boolean }
  /** Istio images are there but none names a version (latest, a digest): the defaults are not known. */
  | { unversioned: string[] }
  /** No Istio proxy or istiod image in the snapshot: nothing tells the release. */
  | undefined;

const PROXY_IMAGE = /(^|\/)proxyv2$/;
const PILOT_IMAGE = /(^|\/)pilot$/;

interface IstioImage { ref: string; image: string; labels: Record<string, string>; version?: [number, number]; revision?: string }
/** A workload's pod template labels, whatever its images (a gateway injected from the `auto` image has no istio/proxyv2 one), and its istio/proxyv2 containers. */
interface PodLabels { namespace: string; labels: Record<string, string>; proxies: IstioImage[] }
const REV = 'istio.io/rev';

/** What links a Gateway to its gateway workloads (gatewayRevisions), once per selector. */
interface GatewayLink { revisions: Set<string>; picked: IstioImage[]; workloads: boolean }

/** The key of one pod label in IstioIndex.byLabel. */
const labelKey = (k: string, v: string) => `${k}\0${v}`;

/**
 * The istio/proxyv2 and istio/pilot containers of the snapshot's workloads, read once per
 * snapshot; the workloads indexed by each pod label (`byLabel`: label key and value, to the
 * workloads carrying it, in snapshot order), so that linking a Gateway to its workloads reads
 * only those carrying one of its selector's labels, and `links`: each selector's link, made once.
 */
interface IstioIndex { pilots: IstioImage[]; workloads: PodLabels[]; byLabel: Map<string, number[]>; namespaceRevision: Map<string, string>; links: Map<string, GatewayLink> }

const istioImages = memoize((snapshot: Snapshot): IstioIndex => {
  const pilots: IstioImage[] = [];
  const workloads: PodLabels[] = [];
  const byLabel = new Map<string, number[]>();
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const tpl = podTemplateOf(o);
      const labels = Object.fromEntries(Object.entries(obj(obj(tpl?.metadata)?.labels) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const ref = `${o.kind ?? 'Deployment'} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
      const workload: PodLabels = { namespace: o.metadata?.namespace ?? 'default', labels, proxies: [] };
      for (const [k, v] of Object.entries(labels)) {
        const lk = labelKey(k, v);
        const list = byLabel.get(lk);
        if (list) list.push(workloads.length);
        else byLabel.set(lk, [workloads.length]);
      }
      workloads.push(workload);
      for (const c of arr(obj(tpl?.spec)?.containers).map(obj)) {
        const image = str(c?.image) ?? '';
        const repo = imageRepository(image);
        const version = nginxImageVersion(image); // "1.14.6", "1.14.6-distroless" → [1, 14]; none for latest, auto, a digest alone
        const entry = { ref, image, labels, ...(version ? { version } : {}) };
        if (PROXY_IMAGE.test(repo)) workload.proxies.push(entry);
        else if (PILOT_IMAGE.test(repo)) {
          // istiod's revision: its pod label istio.io/rev, else its REVISION environment variable; none is the default revision.
          const env = arr(c?.env).map(obj).find((e) => str(e?.name) === 'REVISION');
          const revision = labels[REV] ?? str(env?.value);
          pilots.push({ ...entry, ...(revision !== undefined && revision !== '' ? { revision } : {}) });
        }
      }
    }
  }
  const namespaceRevision = new Map((snapshot.resources.namespaces ?? []).flatMap((n) => { const rev = n.metadata?.labels?.[REV]; return rev ? [[n.metadata?.name ?? '', rev] as [string, string]] : []; }));
  return { pilots, workloads, byLabel, namespaceRevision, links: new Map() };
}, 'tls');

const older = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/**
 * The revisions that inject and configure the gateway a Gateway's spec.selector picks: its pods'
 * istio.io/rev label, else their namespace's, else the default revision (istiod labelled
 * istio.io/rev: default, or with no revision) (istio.io/latest/docs/setup/additional-setup/gateway/,
 * "Canary upgrade"); `workloads`: whether any workload's pod labels match the selector. A
 * Gateway API Gateway's (istioGatewayApiServers) are its namespace's pods named for it
 * (gatewayApiRevisions).
 */
export function gatewayRevisions(snapshot: Snapshot, gateway: KubeObject): GatewayLink {
  const gatewayApi = GATEWAY_API_GATEWAYS.get(gateway);
  if (gatewayApi) return gatewayApiRevisions(snapshot, gatewayApi.namespace, gatewayApi.name);
  const keys = Object.entries(obj(obj(gateway.spec)?.selector) ?? {});
  const index = istioImages(snapshot);
  const selector = JSON.stringify([...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  let link = index.links.get(selector);
  if (link) return link;
  // The workloads carrying the selector's rarest label, then every other of its labels: a
  // selector value that is no string matches no pod label (all of them strings).
  let candidates: number[] = [];
  if (keys.length > 0 && keys.every(([, v]) => typeof v === 'string')) {
    const lists = keys.map(([k, v]) => index.byLabel.get(labelKey(k, v as string)) ?? []);
    candidates = lists.reduce((a, b) => (b.length < a.length ? b : a));
  }
  const gateways = candidates.map((i) => index.workloads[i]).filter((w) => keys.every(([k, v]) => w.labels[k] === v));
  const picked = gateways.flatMap((w) => w.proxies);
  link = { revisions: new Set(gateways.map((w) => w.labels[REV] ?? index.namespaceRevision.get(w.namespace) ?? 'default')), picked, workloads: gateways.length > 0 };
  index.links.set(selector, link);
  return link;
}

/**
 * The labels Istio's deployment controller puts on the pods of the Deployment it makes for a
 * Gateway API Gateway, in the Gateway's namespace: istio.io/gateway-name up to 1.23 (with
 * gateway.networking.k8s.io/gateway-name beside it from 1.21), gateway.networking.k8s.io/gateway-name
 * alone from 1.24 (istio/istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml
 * at 1.20.0, 1.21.0, 1.23.0 and 1.24.0, `namespace: {{.Namespace}}`).
 */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'] as const;

/** The Gateway objects istioGatewayApiServers makes for Gateway API Gateways, to the Gateway each stands for. */
const GATEWAY_API_GATEWAYS = new WeakMap<KubeObject, { namespace: string; name: string }>();

/** gatewayRevisions for a Gateway API Gateway: its namespace's workloads whose pods carry either GATEWAY_NAME_LABELS with its name. */
function gatewayApiRevisions(snapshot: Snapshot, namespace: string, name: string): GatewayLink {
  const index = istioImages(snapshot);
  const key = `gateway.networking.k8s.io\0${namespace}\0${name}`;
  let link = index.links.get(key);
  if (link) return link;
  const seen = new Set<number>();
  for (const label of GATEWAY_NAME_LABELS) for (const i of index.byLabel.get(labelKey(label, name)) ?? []) if (index.workloads[i].namespace === namespace) seen.add(i);
  const gateways = [...seen].sort((a, b) => a - b).map((i) => index.workloads[i]);
  link = { revisions: new Set(gateways.map((w) => w.labels[REV] ?? index.namespaceRevision.get(w.namespace) ?? 'default')), picked: gateways.flatMap((w) => w.proxies), workloads: gateways.length > 0 };
  index.links.set(key, link);
  return link;
}

/**
 * The revision whose istiod configures a Gateway's servers, and so whose mesh config
 * (istioTlsDefaults) they take: its gateway pods' (gatewayRevisions); default when no workload
 * matches its selector. Pods of several revisions behind one selector (a gateway's canary
 * upgrade) give the first in name order other than default, `others` naming the rest.
 */
export function istioGatewayRevision(snapshot: Snapshot, gateway: KubeObject): { revision: string; others: string[] } {
  const all = [...gatewayRevisions(snapshot, gateway).revisions].sort((a, b) => (a === 'default' ? 1 : b === 'default' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return { revision: all[0] ?? 'default', others: all.slice(1) };
}

/** The oldest versioned image of `list` as an IstioGatewayRelease, or undefined. */
function oldestOf(list: IstioImage[], from: string): IstioGatewayRelease {
  const known = list.filter((i): i is IstioImage & { version: [number, number] } => i.version !== undefined);
  const oldest = known.reduce<(typeof known)[number] | undefined>((a, i) => (!a || older(i.version, a.version) ? i : a), undefined);
  return oldest ? { version: oldest.version, image: oldest.image, from: `${from} ${oldest.ref}`, legacyEnvoy: older(oldest.version, [1, 15]), tls10Default: older(oldest.version, [1, 14]) } : undefined;
}

/** istiod's istio/pilot images of the gateway's revisions (gatewayRevisions), all of them when none is of those revisions. */
function revisionPilots(snapshot: Snapshot, revisions: Set<string>): IstioImage[] {
  const { pilots } = istioImages(snapshot);
  const ofRevision = pilots.filter((p) => revisions.has(p.revision ?? 'default'));
  return ofRevision.length ? ofRevision : pilots;
}

/**
 * The Istio release of the gateway a Gateway's spec.selector picks: the istio/proxyv2 image of the
 * workloads whose pod labels it matches (the oldest when several), else, when those name no
 * version (the injection template's `auto`, latest, a digest) or none matches, istiod's
 * istio/pilot image, whose release injects and configures the gateway: the istiod of the
 * gateway's revision (gatewayRevisions), the oldest istiod only when no istiod of that revision
 * names a version. This is the release of the gateway's Envoy; what istiod itself writes to it
 * (meshConfig.tlsDefaults) is istioGatewayIstiodRelease's.
 */
export function istioGatewayRelease(snapshot: Snapshot, gateway: KubeObject): IstioGatewayRelease {
  const { revisions, picked } = gatewayRevisions(snapshot, gateway);
  const { pilots } = istioImages(snapshot);
  const ofRevision = pilots.filter((p) => revisions.has(p.revision ?? 'default'));
  const found = oldestOf(picked, 'the gateway workload') ?? oldestOf(ofRevision, 'istiod') ?? oldestOf(pilots, 'istiod');
  if (found) return found;
  const unversioned = [...picked, ...pilots].map((i) => `${i.ref} (${i.image})`);
  return unversioned.length ? { unversioned } : undefined;
}

/**
 * The release of the istiod that configures a Gateway's servers: the istio/pilot image of its
 * revision's istiod (gatewayRevisions; the oldest when several), else the oldest istiod naming a
 * version, never the gateway's proxy image: istiod, not Envoy, reads meshConfig.tlsDefaults and
 * maps it to Envoy's fields (pilot/pkg/networking/core/listener.go applyDownstreamTLSDefaults), and
 * a gateway proxy may run another release than its istiod (istio.io/latest/docs/releases/supported-releases/,
 * "Control plane/data plane skew").
 */
export function istioGatewayIstiodRelease(snapshot: Snapshot, gateway: KubeObject): IstioGatewayRelease {
  const { revisions } = gatewayRevisions(snapshot, gateway);
  const { pilots } = istioImages(snapshot);
  const found = oldestOf(pilots.filter((p) => revisions.has(p.revision ?? 'default')), 'istiod') ?? oldestOf(pilots, 'istiod');
  if (found) return found;
  const unversioned = revisionPilots(snapshot, revisions).map((i) => `${i.ref} (${i.image})`);
  return unversioned.length ? { unversioned } : undefined;
}

/**
 * What istiod writes to Envoy as the minimum of a SIMPLE/MUTUAL/OPTIONAL_MUTUAL server that sets
 * no minProtocolVersion of its own (or TLS_AUTO) when meshConfig.tlsDefaults.minProtocolVersion
 * is set (istio/istio pilot/pkg/networking/core/listener.go applyDownstreamTLSDefaults; a server's
 * own version still wins, applyServerTLSSettings). The field exists from Istio 1.18 (istio/api
 * #2693 renamed meshExternalTLS to tlsDefaults; istio/istio #43823 applies it, first in 1.18.0):
 * before, it is not read. Until istio/istio#58912 (fixed in 1.27.6, 1.28.4, 1.29.1 and 1.30.0,
 * release note "incorrect mapping of meshConfig.tlsDefaults.minProtocolVersion to
 * tls_minimum_protocol_version in downstream TLS context") istiod cast the mesh enum (TLS_AUTO 0,
 * TLSV1_2 1, TLSV1_3 2) straight to Envoy's (TLS_AUTO 0, TLSv1_0 1, TLSv1_1 2, TLSv1_2 3,
 * TLSv1_3 4), so TLSV1_2 reached Envoy as TLS 1.0 and TLSV1_3 as TLS 1.1. `release` is istiod's
 * (istioGatewayIstiodRelease); unknown, the fixed mapping applies (today's reading, as for the
 * Envoy defaults), and `why` says the release was not known.
 */
export function istioMeshMinimum(meshMin: string, release: IstioGatewayRelease): { effective?: 'TLSV1_0' | 'TLSV1_1' | 'TLSV1_2' | 'TLSV1_3'; why: string } {
  const said = `meshConfig.tlsDefaults.minProtocolVersion ${meshMin}`;
  if (meshMin !== 'TLSV1_2' && meshMin !== 'TLSV1_3') return { why: `${said} is not a value of MeshConfig.TLSConfig.TLSProtocol (TLS_AUTO, TLSV1_2, TLSV1_3), so it sets nothing here` };
  const known = release && 'version' in release ? release : undefined;
  if (!known) return { effective: meshMin, why: `${said} (istiod's release is not known, ${release && 'unversioned' in release ? `its image naming no version: ${release.unversioned.join(', ')}` : 'no istiod being in the snapshot'}: taken as written; istiod before 1.27.6, 1.28.4 and 1.29.1 writes it to Envoy as ${meshMin === 'TLSV1_2' ? 'TLS 1.0' : 'TLS 1.1'}, istio/istio#58912)` };
  if (older(known.version, [1, 18])) return { why: `${said} is not read by Istio ${known.version.join('.')} (${known.from}): tlsDefaults exists from Istio 1.18` };
  const patch = known ? istioPatchOf(known.image) : undefined;
  const fixedAt = known ? ISTIO_MESH_MIN_FIXED.find(([m]) => m === known.version[1] && known.version[0] === 1)?.[1] : undefined;
  const mapped = known && known.version[0] === 1 && known.version[1] < 30 && (fixedAt === undefined || (patch !== undefined && patch < fixedAt));
  if (mapped) {
    const effective = meshMin === 'TLSV1_2' ? 'TLSV1_0' : 'TLSV1_1';
    return { effective, why: `${said}, which Istio ${known.version.join('.')}${patch !== undefined ? `.${patch}` : ''} (${known.from}, image ${known.image}) writes to Envoy as ${effective === 'TLSV1_0' ? 'TLS 1.0' : 'TLS 1.1'} (istio/istio#58912, fixed in 1.27.6, 1.28.4, 1.29.1 and 1.30)` };
  }
  if (known && fixedAt !== undefined && patch === undefined) return { effective: meshMin, why: `${said} (Istio ${known.version.join('.')} image ${known.image} names no patch release; from ${known.version.join('.')}.${fixedAt} istiod maps it right, before it writes ${meshMin === 'TLSV1_2' ? 'TLS 1.0' : 'TLS 1.1'}: istio/istio#58912)` };
  return { effective: meshMin, why: said };
}

/** The first patch release of each Istio minor that maps tlsDefaults.minProtocolVersion right (istio/istio#58983, #58984, #58985). */
const ISTIO_MESH_MIN_FIXED: ReadonlyArray<[number, number]> = [[27, 6], [28, 4], [29, 1]];

/** The patch number of an image tag "1.28.3", "1.28.3-distroless"; undefined when it names none. */
function istioPatchOf(image: string): number | undefined {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const m = /:v?\d+\.\d+\.(\d+)(?:[-+.]|$)/.exec(ref.slice(ref.lastIndexOf('/')));
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether istiod writes an ISTIO_MUTUAL server's own minProtocolVersion, maxProtocolVersion and
 * cipherSuites to Envoy. Before Istio 1.18 BuildListenerTLSContext sets them for every mode
 * ("Set TLS parameters if they are non-default": istio/istio 1.17.0
 * pilot/pkg/networking/core/v1alpha3/listener.go lines 185-194, the same at 1.14.6; 1.12.0 has it in
 * gateway.go buildGatewayListenerTLSContext); from 1.18.0 only for isSimpleOrMutual modes
 * (listener.go lines 194-198), so an ISTIO_MUTUAL server gets no TLS parameters and Envoy's
 * defaults apply. Undefined when istiod's release is not known.
 */
export function istioMutualSettingsApplied(istiod: IstioGatewayRelease): boolean | undefined {
  return istiod && 'version' in istiod ? older(istiod.version, [1, 18]) : undefined;
}

/** The GatewayClass controller of Istio's Gateway API implementation (pilot/pkg/features PILOT_GATEWAY_API_CONTROLLER_NAME's default). */
export const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';
const TERMINATE_MODE_KEY = 'gateway.istio.io/tls-terminate-mode';
const CIPHER_SUITES_KEY = 'gateway.istio.io/tls-cipher-suites';
/** The first release whose buildTLS reads each tls-terminate-mode value (istio/istio pilot/pkg/config/kube/gateway/conversion.go at 1.18.0, 1.22.0, 1.26.0, 1.27.0). */
const TERMINATE_MODES_SINCE: ReadonlyMap<string, [number, number]> = new Map([['MUTUAL', [1, 18]], ['ISTIO_MUTUAL', [1, 22]], ['ISTIO_SIMPLE', [1, 26]], ['OPTIONAL_MUTUAL', [1, 27]]]);
/** The cipher names istiod keeps from tls-cipher-suites (pkg/config/security/security.go ValidCipherSuites, FilterCipherSuites, 1.29.0+). */
const ISTIO_VALID_CIPHERS: ReadonlySet<string> = new Set(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA']);

/**
 * Gateway API listeners that terminate TLS on a Gateway of Istio's class (controller
 * istio.io/gateway-controller; a class named istio that the snapshot does not hold, istiod
 * creating that one itself), as the Istio Gateway servers istiod turns them into: istio/istio
 * pilot/pkg/config/kube/gateway/conversion.go buildTLS (1.14.6 lines 1455-1466, 1.26.0 lines
 * 1888-1899) makes a Terminate listener a SIMPLE server and never sets minProtocolVersion or
 * maxProtocolVersion ("Not yet implemented: TLS mode, https redirect, max protocol version ...",
 * still so at 1.30.3); tls.options gateway.istio.io/tls-terminate-mode picks MUTUAL (from 1.18),
 * ISTIO_MUTUAL (1.22), ISTIO_SIMPLE (1.26, SIMPLE with the workload certificate) or
 * OPTIONAL_MUTUAL (1.27), and gateway.istio.io/tls-cipher-suites (1.29) sets cipherSuites, both
 * ISTIO_* modes returning before it is read. No other option key is read, so none sets a minimum.
 * The gateway is the Deployment Istio makes for it in the Gateway's namespace, whose pods carry
 * gateway.networking.k8s.io/gateway-name or istio.io/gateway-name (GATEWAY_NAME_LABELS); the
 * release of istiod decides which keys are read (taken as the newest when it is not known).
 */
export const istioGatewayApiServers = memoize((snapshot: Snapshot): IstioGatewayServer[] => {
  const gateways = snapshot.resources['gatewayapi.gateways'] ?? [];
  if (gateways.length === 0) return [];
  const classes = new Map((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((c) => [c.metadata?.name ?? '', str(obj(c.spec)?.controllerName)] as const));
  const out: IstioGatewayServer[] = [];
  for (const gw of gateways) {
    const cls = str(obj(gw.spec)?.gatewayClassName) ?? '';
    if (!(classes.has(cls) ? classes.get(cls) === ISTIO_GATEWAY_CONTROLLER : cls === 'istio')) continue;
    const namespace = gw.metadata?.namespace ?? 'default';
    const name = gw.metadata?.name ?? '';
    const resource = { kind: 'Gateway', namespace, name };
    // Its gateway pods are read as a classic Gateway's selector's (gatewayApiRevisions), so its release and revision are read the same way.
    const gateway: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace, name } };
    GATEWAY_API_GATEWAYS.set(gateway, { namespace, name });
    const istiod = istioGatewayIstiodRelease(snapshot, gateway);
    const version = istiod && 'version' in istiod ? istiod.version : undefined;
    const reads = (since: [number, number]) => version === undefined || !older(version, since);
    const at = version ? `Istio ${version.join('.')}` : 'istiod (release not known, read as the newest)';
    // The listeners of the ListenerSets it takes too: istiod builds each with the same buildListener
    // and buildTLS as the Gateway's own, served by the parent's gateway pods (istio/istio
    // pilot/pkg/config/kube/gateway/gateway_collection.go ListenerSetCollection; XListenerSet from
    // 1.27 behind PILOT_ENABLE_ALPHA_GATEWAY_API, the v1 ListenerSet from 1.30).
    for (const [i, l] of gatewayListeners(snapshot, gw).entries()) {
      const listener = l.listener;
      if (!terminatesTls(listener)) continue;
      const options = obj(obj(listener?.tls)?.options) ?? {};
      const asked = str(options[TERMINATE_MODE_KEY]);
      const since = asked === undefined ? undefined : TERMINATE_MODES_SINCE.get(asked);
      const honoured = since !== undefined && reads(since) ? asked! : undefined;
      const mode = honoured === undefined || honoured === 'ISTIO_SIMPLE' ? 'SIMPLE' : honoured;
      const rawCiphers = str(options[CIPHER_SUITES_KEY]);
      const ciphersRead = rawCiphers !== undefined && rawCiphers !== '' && reads([1, 29]) && honoured !== 'ISTIO_SIMPLE' && honoured !== 'ISTIO_MUTUAL';
      const ciphers = ciphersRead ? [...new Set(rawCiphers!.split(',').map((c) => c.trim()).filter((c) => c === 'ALL' || (c !== '' && (!/^[\p{L}\p{N}]/u.test(c) || ISTIO_VALID_CIPHERS.has(c)))))] : [];
      const listenerName = gatewayListenerLabel(l);
      const conversion = `Gateway API listener ${JSON.stringify(listenerName)}, which ${at} turns into ${/^[AEIOU]/.test(mode) ? 'an' : 'a'} ${mode} server${honoured ? ` (${TERMINATE_MODE_KEY}: ${honoured})` : asked !== undefined ? ` (${TERMINATE_MODE_KEY} ${JSON.stringify(asked)} is not read there)` : ''} with no minProtocolVersion (buildTLS sets none)${ciphers.length ? ` and the cipherSuites of ${CIPHER_SUITES_KEY}` : ''}`;
      const port = listener?.port;
      out.push({
        resource, gateway, i,
        server: { port: { number: port, name: listenerName }, hosts: [str(listener?.hostname) ?? '*'] },
        tls: { mode, ...(ciphers.length ? { cipherSuites: ciphers } : {}) },
        mode,
        gatewayApi: { listener: listenerName, conversion },
      });
    }
  }
  return out;
}, 'tls');
