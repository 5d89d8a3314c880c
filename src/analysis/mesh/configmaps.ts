// ConfigMaps the mesh analysis reads when present (configmaps are collected by name only),
// and Istio's mesh config (ConfigMap `istio`, key `mesh`) read from them.
import { yamlMessage } from '../../base/yaml-message.ts';
import { parseGoYaml } from '../../base/go-yaml.ts';
import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { configMapRead, configMapsUnreadable, configMapUnread } from '../configmaps.ts';
import { memoize } from '../memo.ts';
import { podTemplateOf } from '../workloads.ts';
import { containerArgv, flagValues } from '../flags.ts';
import { arr, memoizeBySnapshotAndConfig, obj, str } from './util.ts';
import { CONSUL_SERVER_CONFIGMAP, CONSUL_SERVER_EXTRA_CONFIGMAP } from './consul.ts';
import { meshComponentOfImage } from './components.ts';

/**
 * linkerd-config holds Linkerd's install-time proxy.defaultInboundPolicy; `istio` in the
 * Istio root namespace holds the mesh config (enableAutoMtls); consul-server-config and
 * consul-server-tmp-extra-config the Consul servers' ACL default policy and
 * default_intention_policy (the default intention).
 */
export function meshConfigMapRefs(config: Config): Array<{ namespace: string; name: string }> {
  return [{ ...LINKERD_CONFIG_CONFIGMAP }, { namespace: config.mesh.istioRootNamespace || 'istio-system', name: 'istio' }, { ...CONSUL_SERVER_CONFIGMAP }, { ...CONSUL_SERVER_EXTRA_CONFIGMAP }];
}

/** ConfigMap name holding a revision's mesh config (istiod reads "istio-" + revision, pilot/pkg/bootstrap/mesh.go getMeshConfigMapName). */
export function istioConfigMapName(revision: string): string {
  return revision === 'default' || revision === '' ? 'istio' : `istio-${revision}`;
}

/** A revision's injector config: istio-sidecar-injector, or istio-sidecar-injector-<rev> (pilot/pkg/bootstrap/sidecarinjector.go getInjectorConfigMapName). */
export function istioInjectorConfigMapName(revision: string): string {
  return revision === 'default' || revision === '' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
}

/**
 * The istio.io/rev value a workload's proxy was, or would be, injected by: a live injected pod's
 * annotation istio.io/rev, which the injection template stamps on every pod it injects with the
 * revision itself ({{ .Revision | default "default" }}, manifests/charts/istio-control/istio-discovery/files/injection-template.yaml);
 * else default when the namespace has istio-injection=enabled (it "takes precedence over the
 * istio.io/rev label", https://istio.io/latest/docs/setup/upgrade/canary/, as istioMembership
 * judges injection); else the pod's istio.io/rev label, else its namespace's, which may name a
 * revision or a tag. `annotated`: the value is a revision, never a tag.
 */
export function istioRevisionValue(nsLabels: Record<string, string>, podLabels: Record<string, string>, podAnnotations: Record<string, string> = {}): { value: string; annotated: boolean } {
  const stamped = podAnnotations['istio.io/rev'];
  if (typeof stamped === 'string' && stamped !== '') return { value: stamped, annotated: true };
  if (nsLabels['istio-injection'] === 'enabled') return { value: 'default', annotated: false };
  const rev = podLabels['istio.io/rev'] ?? nsLabels['istio.io/rev'];
  return { value: rev === undefined || rev === '' ? 'default' : rev, annotated: false };
}

/** The webhook `istioctl tag set <tag> --revision <rev>` writes; its label istio.io/rev names the revision (https://istio.io/latest/docs/setup/upgrade/canary/, "Stable revision labels"). */
export const ISTIO_TAG_WEBHOOK_PREFIX = 'istio-revision-tag-';

export interface IstioRevision {
  /** The revision whose istiod configures the proxy ('default': ConfigMap istio). */
  revision: string;
  /** An istio.io/rev value that names no revision or tag found: read as the default revision. */
  unresolved?: string;
}

/**
 * What MutatingWebhookConfigurations say of istio.io/rev values: tag → revision, and the revisions
 * whose injector webhook exists. A tag webhook is one labelled istio.io/tag, whose value is the tag
 * and whose istio.io/rev the revision, as istiod reads it (istio/istio pkg/revisions/tag_watcher.go
 * isTagWebhook, GetMyTags); the chart names it istio-revision-tag-<tag>, with -<namespace> after it
 * outside istio-system (revision-tags-mwc.yaml), so the name stands in only for a webhook without
 * that label.
 */
export function istioWebhookRevisions(webhooks: KubeObject[]): { tags: Map<string, string>; revisions: Set<string> } {
  const tags = new Map<string, string>();
  const revisions = new Set<string>();
  for (const w of webhooks) {
    const name = w.metadata?.name ?? '';
    const rev = w.metadata?.labels?.['istio.io/rev'];
    if (typeof rev !== 'string') continue;
    const revision = rev === '' ? 'default' : rev;
    const tag = w.metadata?.labels?.['istio.io/tag'];
    if (typeof tag === 'string' && tag !== '') tags.set(tag, revision);
    else if (tag === undefined && name.startsWith(ISTIO_TAG_WEBHOOK_PREFIX) && name.length > ISTIO_TAG_WEBHOOK_PREFIX.length) tags.set(name.slice(ISTIO_TAG_WEBHOOK_PREFIX.length), revision);
    else if (tag === undefined) revisions.add(revision);
  }
  return { tags, revisions };
}

/**
 * Whether the webhooks read name every Istio revision and tag: they were read, and Istio's
 * injector webhooks are among them (each revision and tag installs one labelled istio.io/rev).
 */
export function istioWebhooksSayAll(snapshot: Snapshot, hooks: ReturnType<typeof istioWebhookRevisions>): boolean {
  return (snapshot.coverage.mutatingwebhookconfigurations?.status ?? 'ok') === 'ok' && hooks.tags.size + hooks.revisions.size > 0;
}

/**
 * Resolves istio.io/rev values to the revision whose istiod (and mesh config, ConfigMap
 * istio-<revision>) configures the proxy. A tag is an injection alias: its webhook
 * istio-revision-tag-<tag> is labelled istio.io/rev=<revision>, and istiod reads only
 * istio-<revision> (pilot/pkg/bootstrap/mesh.go), never istio-<tag>. `default` (istio-injection=enabled,
 * istio.io/rev=default) is the default tag's when `istioctl tag set default --revision <rev>` made one
 * (its injector serves both, https://istio.io/latest/docs/setup/upgrade/canary/ "Default tag"), else
 * the default revision's (ConfigMap istio). Any other value is
 * a revision when stamped on the pod, when its ConfigMap istio-<value> is collected (every revision's
 * istiod chart installs it), or when a revision's own injector webhook is labelled with it; the
 * webhooks are looked at only for a value none of that settles. A value that is still neither
 * names no revision ztaudit can tell: it is read as the default revision (ConfigMap istio) and
 * `unresolved` names it — unless its ConfigMap istio-<value> may be the one refused (not answered
 * 404, istioMeshConfigUnread) and the webhooks cannot say (unread, or no Istio webhook among them),
 * when it stays a revision whose mesh config is unread.
 */
export const istioRevisionResolver = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): IstioRevisionResolver => {
  const configmaps = snapshot.resources.configmaps ?? [];
  const places = istioMeshConfigNamespaces(snapshot, config);
  let hooks: ReturnType<typeof istioWebhookRevisions> | undefined;
  const cache = new Map<string, IstioRevision>();
  const consulted = new Set<string>();
  return Object.assign((value: string, annotated: boolean): IstioRevision => {
    if (annotated) return { revision: value };
    let r = cache.get(value);
    if (r) return r;
    if (value === 'default') {
      // The default revision's own ConfigMap makes it the likely answer when the webhooks are
      // unread; without it, `default` can only be a tag whose revision the webhooks name.
      if (!istioMeshConfigMap(configmaps, places('default').namespaces, 'default')) consulted.add(value);
      hooks ??= istioWebhookRevisions(snapshot.resources.mutatingwebhookconfigurations ?? []);
      r = { revision: hooks.tags.get('default') ?? 'default' };
    } else if (istioMeshConfigMap(configmaps, places(value).namespaces, value)) r = { revision: value };
    else {
      consulted.add(value);
      hooks ??= istioWebhookRevisions(snapshot.resources.mutatingwebhookconfigurations ?? []);
      const tagged = hooks.tags.get(value);
      if (tagged !== undefined) r = { revision: tagged };
      else if (hooks.revisions.has(value) || (istioMeshConfigUnread(snapshot, config, value) && !istioWebhooksSayAll(snapshot, hooks))) r = { revision: value };
      else r = { revision: 'default', unresolved: value };
    }
    cache.set(value, r);
    return r;
  }, { consulted });
}, ['network', 'tls', 'mtls']);

/** istioRevisionResolver's answer; `consulted`: the istio.io/rev values it looked up in the webhooks (possible tags). */
export type IstioRevisionResolver = ((value: string, annotated: boolean) => IstioRevision) & { readonly consulted: ReadonlySet<string> };

/** The revision of a workload (istioRevisionValue, resolved by istioRevisionResolver). */
export function istioRevisionOf(snapshot: Snapshot, config: Config, nsLabels: Record<string, string>, podLabels: Record<string, string>, podAnnotations: Record<string, string> = {}): IstioRevision {
  const { value, annotated } = istioRevisionValue(nsLabels, podLabels, podAnnotations);
  return istioRevisionResolver(snapshot, config)(value, annotated);
}

/** Linkerd's install-time settings (proxy.defaultInboundPolicy, identityTrustDomain). */
export const LINKERD_CONFIG_CONFIGMAP = { namespace: 'linkerd', name: 'linkerd-config' } as const;

/**
 * Istio's mesh config (ConfigMap `istio`: rootNamespace, trustDomain) as configMapUnread
 * answers for it, looked for where istioMeshConfigMap takes it from (istioMeshConfigNamespaces):
 * unread when none of those places' is in the snapshot while a by-name read failed, unless each
 * is known not to exist (the API server answered 404 for it by name): then Istio's defaults
 * apply. istio-system's `istio-<rev>` is never asked for under another root namespace, so there a
 * revision's stays unread. `ref` is the one named in reasons: the configured root namespace's,
 * which the collector asks for first, or istiod's own where it runs elsewhere and that one may be
 * the one refused.
 */
export function istioMeshConfigUnread(snapshot: Snapshot, config: Config, revision = 'default'): { status: 'forbidden' | 'error'; ref: { namespace: string; name: string } } | undefined {
  const status = configMapsUnreadable(snapshot);
  const name = istioConfigMapName(revision);
  const places = istioMeshConfigNamespaces(snapshot, config)(revision).namespaces.map((namespace) => ({ namespace, name }));
  if (!status || places.some((ref) => configMapRead(snapshot, ref)) || places.every((ref) => !configMapUnread(snapshot, ref))) return undefined;
  // The configured namespace's is asked for first; istiod's own, when it runs elsewhere and that one may be refused.
  const configured = config.mesh.istioRootNamespace || 'istio-system';
  const ref = places.find((p) => p.namespace !== configured && p.namespace !== 'istio-system' && configMapUnread(snapshot, p)) ?? places[0]!;
  return { status, ref };
}

/**
 * What MeshConfig fields ztaudit reads, by their proto names (istio/api 1.29.6
 * mesh/v1alpha1/config.proto): a nested message's fields, and an enum's value names by number.
 */
interface ProtoField { fields?: Record<string, ProtoField>; enumNames?: readonly string[] }
/** The ProxyConfig fields ztaudit reads (mesh/v1alpha1/proxy.proto): InboundInterceptionMode REDIRECT = 0, TPROXY = 1, NONE = 2. */
const PROXY_CONFIG_FIELDS: Record<string, ProtoField> = {
  interception_mode: { enumNames: ['REDIRECT', 'TPROXY', 'NONE'] },
};
const MESH_FIELDS: Record<string, ProtoField> = {
  enable_auto_mtls: {},
  root_namespace: {},
  trust_domain: {},
  trust_domain_aliases: {},
  extension_providers: {},
  // OutboundTrafficPolicy.Mode: REGISTRY_ONLY = 0, ALLOW_ANY = 1.
  outbound_traffic_policy: { fields: { mode: { enumNames: ['REGISTRY_ONLY', 'ALLOW_ANY'] } } },
  // TLSConfig.TLSProtocol: TLS_AUTO = 0, TLSV1_2 = 1, TLSV1_3 = 2.
  tls_defaults: { fields: { min_protocol_version: { enumNames: ['TLS_AUTO', 'TLSV1_2', 'TLSV1_3'] }, cipher_suites: {} } },
  default_config: { fields: PROXY_CONFIG_FIELDS },
};

/** protoc's JSON name of a field: each underscore dropped and the letter after it upper-cased. */
const protoJsonName = (name: string) => name.replace(/_+([a-z]?)/g, (_m, c: string) => c.toUpperCase());

/**
 * A message's fields as jsonpb takes them: under its JSON name or its proto name, the JSON name
 * winning when both are written; an enum's number as its value name. Other keys are kept.
 */
function jsonpbFields(message: Record<string, unknown>, fields: Record<string, ProtoField>): Record<string, unknown> {
  const out = { ...message };
  for (const [proto, spec] of Object.entries(fields)) {
    const json = protoJsonName(proto);
    const v = Object.hasOwn(message, json) ? message[json] : message[proto];
    delete out[proto];
    if (v === undefined) continue;
    const m = obj(v);
    out[json] = spec.fields && m ? jsonpbFields(m, spec.fields) : spec.enumNames && typeof v === 'number' && Number.isInteger(v) && spec.enumNames[v] !== undefined ? spec.enumNames[v] : v;
  }
  return out;
}

/**
 * The `mesh` key of an Istio mesh config ConfigMap as istiod reads it (pkg/config/mesh/mesh.go
 * ApplyMeshConfig → pkg/util/protomarshal ApplyYAML, istio/istio 1.29.6): sigs.k8s.io/yaml's
 * YAMLToJSON (parseGoYaml: a repeated key's last value wins), then golang/protobuf v1.5.4 jsonpb
 * (jsonpb/decode.go unmarshalMessage), which takes a field under its proto name
 * (enable_auto_mtls) or its JSON name (enableAutoMtls) and an enum as its name or its number.
 * The fields ztaudit reads come back under their JSON names. `mesh` null: the key is empty.
 */
export function parseIstioMesh(text: string): { mesh: Record<string, unknown> | null } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = parseGoYaml(text);
  } catch (error: unknown) {
    return { problem: `key mesh is not valid YAML (${error instanceof Error ? yamlMessage(error) : String(error)})` };
  }
  if (parsed === null || parsed === undefined) return { mesh: null };
  const mesh = obj(parsed);
  return mesh ? { mesh: jsonpbFields(mesh, MESH_FIELDS) } : { problem: 'key mesh is not a YAML mapping' };
}

/**
 * The interception mode a pod's proxy.istio.io/config annotation sets (a ProxyConfig in YAML or
 * JSON, read as the webhook reads it: pilot/pkg/model/proxy_config.go proxyConfigFromAnnotation →
 * protomarshal.ApplyYAML, as parseIstioMesh reads the mesh config), else undefined: not set, or
 * not readable, which the webhook then leaves out of the pod's proxy config.
 */
export function istioProxyConfigInterceptionMode(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = parseGoYaml(text);
  } catch {
    return undefined;
  }
  const config = obj(parsed);
  const mode = config ? jsonpbFields(config, PROXY_CONFIG_FIELDS).interceptionMode : undefined;
  return typeof mode === 'string' ? mode : undefined;
}

/**
 * meshConfig.defaultConfig.interceptionMode of a revision's mesh config (found as istioAutoMtls
 * finds it), which the injector renders for a pod whose annotations set none
 * (istio.ts istioInterceptionNone); undefined when not set or not readable (Istio's default,
 * REDIRECT, or not known).
 */
export function istioMeshInterceptionMode(configmaps: KubeObject[], places: MeshConfigPlaces, revision = 'default'): { mode: string; source: string } | undefined {
  const cm = istioMeshConfigMap(configmaps, places, revision);
  const text = str(obj(cm?.data)?.mesh);
  if (!cm || text === undefined) return undefined;
  const read = parseIstioMesh(text);
  const mode = 'mesh' in read ? obj(read.mesh?.defaultConfig)?.interceptionMode : undefined;
  return typeof mode === 'string' ? { mode, source: `ConfigMap ${cm.metadata?.namespace ?? 'default'}/${istioConfigMapName(revision)} mesh.defaultConfig.interceptionMode` } : undefined;
}

export interface IstioAutoMtls {
  /** Where the answer came from (the ConfigMap, or nothing found). */
  resource: ResourceRef;
  source: string;
  /** true/false as configured; undefined when the mesh config cannot be read. */
  enabled: boolean | undefined;
  /** Why the setting could not be determined (unparseable YAML, a non-boolean value). */
  problem?: string;
}

/**
 * meshConfig.enableAutoMtls from the revision's mesh config, ConfigMap `istio` (`istio-<rev>`; key
 * `mesh`, YAML) found as istioMeshConfigMap finds it in `places`. Absent ConfigMap, key or field
 * means Istio's default: true.
 */
export function istioAutoMtls(configmaps: KubeObject[], places: MeshConfigPlaces, revision = 'default'): IstioAutoMtls {
  const name = istioConfigMapName(revision);
  const cm = istioMeshConfigMap(configmaps, places, revision);
  if (!cm) {
    const first = meshConfigPlaces(places)[0]!;
    return { resource: { kind: 'ConfigMap', namespace: first, name }, source: `no ConfigMap ${first}/${name} (Istio default)`, enabled: true };
  }
  const ns = cm.metadata?.namespace ?? 'default';
  const resource = { kind: 'ConfigMap', namespace: ns, name };
  const where = `ConfigMap ${ns}/${name}`;
  const text = str(obj(cm.data)?.mesh);
  if (text === undefined) return { resource, source: `${where} has no mesh key (Istio default)`, enabled: true };
  const read = parseIstioMesh(text);
  if ('problem' in read) return { resource, source: `${where} key mesh`, enabled: undefined, problem: read.problem };
  const { mesh } = read;
  if (!mesh) return { resource, source: `${where} key mesh is empty (Istio default)`, enabled: true };
  const v = mesh.enableAutoMtls;
  if (v === undefined || v === null) return { resource, source: `${where} (enableAutoMtls not set, Istio default)`, enabled: true };
  if (typeof v !== 'boolean') return { resource, source: `${where} mesh.enableAutoMtls`, enabled: undefined, problem: `mesh.enableAutoMtls is ${JSON.stringify(v)}, not a boolean (istiod rejects this mesh config)` };
  return { resource, source: `${where} mesh.enableAutoMtls`, enabled: v };
}

/**
 * The CUSTOM-action providers istiod can build from meshConfig.extensionProviders: the names of
 * entries holding envoyExtAuthzHttp or envoyExtAuthzGrpc (istio/istio
 * pilot/pkg/security/authz/builder/extauthz.go processExtensionProvider at 1.30.0 skips every
 * other kind; getExtAuthz then fails for a name it did not resolve). `unknown`: the ConfigMap is
 * not in the input, or its mesh config cannot be parsed. Absent key or field: Istio's default, no
 * provider.
 */
export function istioExtensionProviders(configmaps: KubeObject[], places: MeshConfigPlaces, revision = 'default'): { names: Set<string>; source: string } | { unknown: string } {
  const name = istioConfigMapName(revision);
  const cm = istioMeshConfigMap(configmaps, places, revision);
  // Not in the input (manifests rarely hold istiod's ConfigMap): which providers exist is not known.
  if (!cm) return { unknown: `no ConfigMap ${meshConfigPlaces(places)[0]}/${name} in the input` };
  const where = `ConfigMap ${cm.metadata?.namespace ?? 'default'}/${name}`;
  const text = str(obj(cm.data)?.mesh);
  if (text === undefined) return { names: new Set(), source: `${where} has no mesh key (Istio default: no extension providers)` };
  const read = parseIstioMesh(text);
  if ('problem' in read) return { unknown: `${where} ${read.problem}` };
  const list = read.mesh?.extensionProviders;
  if (list === undefined || list === null) return { names: new Set(), source: `${where} sets no extensionProviders` };
  if (!Array.isArray(list)) return { unknown: `${where} mesh.extensionProviders is not a list` };
  const names = new Set<string>();
  for (const e of list) {
    const o = obj(e);
    const n = o?.name;
    if (typeof n === 'string' && ['envoyExtAuthzHttp', 'envoy_ext_authz_http', 'envoyExtAuthzGrpc', 'envoy_ext_authz_grpc'].some((k) => obj(o?.[k]))) names.add(n);
  }
  return { names, source: `${where} mesh.extensionProviders` };
}

/**
 * Where a mesh config is looked for: a namespace (the configured mesh.istioRootNamespace), then
 * istio-system; or the namespaces in order (istioMeshConfigNamespaces).
 */
export type MeshConfigPlaces = string | readonly string[];

function meshConfigPlaces(places: MeshConfigPlaces): readonly string[] {
  if (typeof places !== 'string') return places;
  return places === 'istio-system' ? [places] : [places, 'istio-system'];
}

/**
 * ConfigMap `istio` (istiod's mesh config; `istio-<rev>` for a revision) among the collected ones:
 * the first of `places` that holds it (meshConfigPlaces; the collector reads every one of them).
 */
export function istioMeshConfigMap(configmaps: KubeObject[], places: MeshConfigPlaces, revision = 'default'): KubeObject | undefined {
  return configMapIn(configmaps, places, istioConfigMapName(revision));
}

/** ConfigMap `name` in the first of `places` (meshConfigPlaces) that holds one. */
export function configMapIn(configmaps: KubeObject[], places: MeshConfigPlaces, name: string): KubeObject | undefined {
  for (const ns of meshConfigPlaces(places)) {
    const cm = configmaps.find((c) => c.metadata?.name === name && (c.metadata?.namespace ?? 'default') === ns);
    if (cm) return cm;
  }
  return undefined;
}

/** The kinds istiodsOf reads: istiod runs as a Deployment (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml). */
export const ISTIOD_KINDS = ['deployments'] as const satisfies readonly KindKey[];

export interface Istiod {
  /** `Deployment istio-control/istiod`, for messages. */
  from: string;
  /**
   * The namespace istiod reads its ConfigMaps in: pilot-discovery's --namespace (-n), whose
   * default is the variable POD_NAMESPACE, istio-system when that is not set
   * (pilot/cmd/pilot-discovery/app/cmd.go, pilot/pkg/bootstrap/options.go PodNamespace; the chart
   * sets it from metadata.namespace). Undefined when the template does not show it (a value from
   * elsewhere than the pod's own namespace, envFrom).
   */
  namespace: string | undefined;
  /** Its revision: the variable REVISION (options.go), '' or unset being the default revision. */
  revision: string;
  /**
   * Why its mesh config may be another than ConfigMap istio-<rev> in its namespace: istiod reads
   * the file --meshConfig names (./etc/istio/config/mesh) first when it exists (pilot/pkg/bootstrap/mesh.go
   * getConfigurationSources), and a volume is mounted where that file would be.
   */
  meshFile?: string;
}

/**
 * The istiods of the snapshot (Deployments running an istiod container, meshComponentOfImage;
 * not those scaled to zero) and where each reads its ConfigMaps.
 */
export const istiodsOf = memoize((snapshot: Snapshot): Istiod[] => {
  const out: Istiod[] = [];
  for (const o of snapshot.resources.deployments ?? []) {
    if (obj(o.spec)?.replicas === 0) continue;
    const spec = obj(podTemplateOf(o)?.spec);
    for (const c of arr(spec?.containers).map(obj)) {
      const image = str(c?.image) ?? '';
      if (!c || !image.includes('pilot') || meshComponentOfImage(image, str(c.name) ?? '')?.what !== 'istiod') continue;
      const objectNamespace = o.metadata?.namespace ?? 'default';
      const from = `Deployment ${objectNamespace}/${o.metadata?.name ?? ''}`;
      const env = (name: string) => arr(c.env).map(obj).filter((e) => e?.name === name).at(-1);
      const argv = containerArgv(c);
      const nsArgs = argv.map((a) => ({ ...a, arg: a.arg === '-n' ? '--namespace' : a.arg.startsWith('-n=') ? `--namespace=${a.arg.slice(3)}` : a.arg }));
      const flag = flagValues(nsArgs.map((a) => a.arg), 'namespace').at(-1);
      let namespace: string | undefined;
      if (flag !== undefined) namespace = nsArgs.some((a) => a.unresolved.length > 0 && /^--?n(amespace)?(=|$)/.test(a.arg)) ? undefined : flag.trim() || undefined;
      else {
        const podNs = env('POD_NAMESPACE');
        const value = str(podNs?.value);
        if (value !== undefined && value !== '') namespace = value;
        else if (obj(podNs?.valueFrom)) namespace = str(obj(obj(podNs?.valueFrom)?.fieldRef)?.fieldPath) === 'metadata.namespace' ? objectNamespace : undefined;
        else if (podNs) namespace = undefined;
        else namespace = arr(c.envFrom).length > 0 ? undefined : 'istio-system';
      }
      const rev = env('REVISION');
      const revision = str(rev?.value) || 'default';
      const meshConfig = flagValues(argv.map((a) => a.arg), 'meshConfig').at(-1) ?? './etc/istio/config/mesh';
      const dir = meshConfig.replace(/^\.(?=\/)/, '').replace(/\/[^/]*$/, '');
      const mount = arr(c.volumeMounts).map(obj).find((m) => (str(m?.mountPath) ?? '').replace(/\/+$/, '') === dir);
      const meshFile = mount ? `${from} mounts volume ${JSON.stringify(str(mount.name) ?? '')} at ${dir}, where istiod reads its mesh config file (--meshConfig ${meshConfig}) before any ConfigMap` : undefined;
      out.push({ from, namespace, revision, ...(meshFile ? { meshFile } : {}) });
    }
  }
  return out;
}, ['network', 'tls', 'mtls']);

/**
 * Where a revision's mesh config (ConfigMap istio-<rev>) is looked for: the configured
 * mesh.istioRootNamespace, then the namespace that revision's istiod runs in (istiod reads the
 * ConfigMap in its own namespace, pilot/pkg/bootstrap/mesh.go getConfigurationSources with
 * args.Namespace), then istio-system. `doubt`: why where istiod reads it is not known (its istiods
 * run in several namespaces, one's namespace is not shown, or a file is mounted in its place):
 * then only the configured namespace and istio-system are looked in, as without an istiod.
 */
export const istioMeshConfigNamespaces = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config) => {
  const configured = config.mesh.istioRootNamespace || 'istio-system';
  const cache = new Map<string, { namespaces: readonly string[]; doubt?: string }>();
  return (revision: string): { namespaces: readonly string[]; doubt?: string } => {
    let r = cache.get(revision);
    if (r) return r;
    const mine = istiodsOf(snapshot).filter((i) => i.revision === revision);
    const known = [...new Set(mine.flatMap((i) => i.namespace ?? []))].sort();
    const unknown = mine.filter((i) => i.namespace === undefined).map((i) => i.from);
    const file = mine.find((i) => i.meshFile !== undefined)?.meshFile;
    const doubt = file ?? (unknown.length > 0 ? `${unknown.join(', ')} ${unknown.length > 1 ? 'read' : 'reads'} ConfigMaps in a namespace its template does not show (POD_NAMESPACE or --namespace from elsewhere)`
      : known.length > 1 ? `istiod of revision ${revision} runs in namespaces ${known.join(', ')} (${mine.map((i) => i.from).join(', ')}), and each reads the mesh config in its own` : undefined);
    const namespaces = [...new Set([configured, ...(doubt === undefined ? known : []), 'istio-system'])];
    r = { namespaces, ...(doubt !== undefined ? { doubt } : {}) };
    cache.set(revision, r);
    return r;
  };
}, ['network', 'tls', 'mtls']);

/** The ConfigMaps the istiods of the snapshot read, for the collector: istio-<rev> and istio-sidecar-injector-<rev> in the namespace each runs in. */
export function istiodConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  return istiodsOf(snapshot).flatMap((i) => (i.namespace === undefined ? [] : [{ namespace: i.namespace, name: istioConfigMapName(i.revision) }, { namespace: i.namespace, name: istioInjectorConfigMapName(i.revision) }]));
}

const FROM_CONFIG = 'config mesh.istioRootNamespace';

export interface IstioRoot {
  /** The namespace whose selector-less policies apply mesh-wide. */
  namespace: string;
  /** Where it came from: the mesh config, or ztaudit's config. */
  source: string;
  /** ztaudit's mesh.istioRootNamespace, when Istio's mesh config says otherwise. */
  configuredOtherwise?: string;
  /** Why the mesh config read may not be the one istiod reads (istioMeshConfigNamespaces `doubt`). */
  doubt?: string;
}

/**
 * Istio's root namespace: meshConfig.rootNamespace in the `mesh` key of ConfigMap `istio`
 * ("The namespace to treat as the administrative root namespace for Istio configuration",
 * https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/), which istiod acts on; else
 * ztaudit's mesh.istioRootNamespace (Istio's own default is istio-system, DefaultMeshConfig in
 * istio/istio pkg/config/mesh/mesh.go). An unreadable mesh key is reported by
 * mtls.auto-mtls-disabled; the configured value applies then.
 */
export function resolveIstioRoot(configmaps: KubeObject[], configured: string, revision = 'default', places: MeshConfigPlaces = configured): IstioRoot {
  const fromConfig = { namespace: configured, source: FROM_CONFIG };
  const cm = istioMeshConfigMap(configmaps, places, revision);
  const text = str(obj(cm?.data)?.mesh);
  if (!cm || text === undefined) return fromConfig;
  const read = parseIstioMesh(text);
  const root = 'mesh' in read ? str(read.mesh?.rootNamespace) : undefined;
  if (!root) return fromConfig;
  const where = `ConfigMap ${cm.metadata?.namespace ?? 'default'}/${istioConfigMapName(revision)} mesh.rootNamespace`;
  return { namespace: root, source: where, ...(root !== configured ? { configuredOtherwise: configured } : {}) };
}

function rootOfRevision(snapshot: Snapshot, config: Config, revision: string): IstioRoot {
  const places = istioMeshConfigNamespaces(snapshot, config)(revision);
  const read = resolveIstioRoot(snapshot.resources.configmaps ?? [], config.mesh.istioRootNamespace || 'istio-system', revision, places.namespaces);
  const root = places.doubt !== undefined ? { ...read, doubt: places.doubt } : read;
  const unread = istioMeshConfigUnread(snapshot, config, revision);
  if (root.source !== FROM_CONFIG || !unread) return root;
  return { ...root, source: `${FROM_CONFIG} (ConfigMap ${unread.ref.namespace}/${unread.ref.name} could not be read: ${unread.status})` };
}

/**
 * The root namespace of this snapshot's Istio (its default revision), once per run. ConfigMaps
 * that could not be read leave the configured value, said so in `source` (evidence of
 * mtls.mesh-not-strict).
 */
export const istioRoot = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): IstioRoot => rootOfRevision(snapshot, config, 'default'), ['network', 'tls', 'mtls']);

/**
 * The root namespace per Istio revision: each revision's istiod reads its own mesh config
 * (ConfigMap istio-<rev>), whose rootNamespace decides which namespace's policies are mesh-wide
 * for the proxies it configures.
 */
export const istioRootOf = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): (revision: string) => IstioRoot => {
  const cache = new Map<string, IstioRoot>([['default', istioRoot(snapshot, config)]]);
  return (revision) => {
    let r = cache.get(revision);
    if (!r) cache.set(revision, (r = rootOfRevision(snapshot, config, revision)));
    return r;
  };
}, ['network', 'tls', 'mtls']);

/** The run's warning when ztaudit's config and Istio's mesh config name different root namespaces. */
export function istioRootWarning(root: IstioRoot): string[] {
  const doubt = root.doubt === undefined ? [] : [`where istiod reads its mesh config is not known (${root.doubt}): it was looked for in mesh.istioRootNamespace and istio-system only, so the root namespace (${root.namespace}, from ${root.source}) may not be istiod's; set mesh.istioRootNamespace to the namespace whose ConfigMap istio istiod reads`];
  if (root.configuredOtherwise === undefined) return doubt;
  return [`mesh.istioRootNamespace is ${root.configuredOtherwise}, but Istio's mesh config (${root.source}) says ${root.namespace}: mesh-wide policies are read from ${root.namespace}, as istiod does; set mesh.istioRootNamespace: ${root.namespace} to match`, ...doubt];
}
