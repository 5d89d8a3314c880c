// Traefik's Kubernetes Ingress provider: which Ingresses it serves and whether their router
// terminates TLS by annotation (doc.traefik.io reference/routing-configuration/kubernetes/ingress,
// traefik/traefik pkg/provider/kubernetes/ingress/annotations.go).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { parseCidr, parseIp } from '../../base/ip.ts';
import { imageRepository } from '../images.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str, stringMap } from '../mesh/util.ts';
import { podTemplateOf, refString } from '../workloads.ts';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import { configMapData, ingressClassesByController, ingressClassNamed, nginxAnnotationBool, nginxImageVersion } from './nginx.ts';
import { servicesSelecting } from './services.ts';
import { parseLabelSelectorText, requirementMatches } from '../label-selector-text.ts';

export const TRAEFIK_INGRESS_CONTROLLER = 'traefik.io/ingress-controller';
/** The kubernetes.io/ingress.class value Traefik takes when its provider's ingressClass is empty. */
export const TRAEFIK_DEFAULT_INGRESS_CLASS = 'traefik';
const ROUTER_TLS = 'traefik.ingress.kubernetes.io/router.tls';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** One Traefik Kubernetes Ingress provider: a Traefik workload of the snapshot, or Traefik's defaults. */
export interface TraefikIngressProvider {
  /** The Traefik workload; undefined when the snapshot has none and Traefik's defaults stand in. */
  ref?: ResourceRef;
  /**
   * providers.kubernetesIngress.ingressClass ('' = unset, Traefik's default); undefined when it is
   * set to a value the snapshot does not show (an environment variable from valueFrom, a `$(VAR)`
   * reference): then any class may be served, and none is left out.
   */
  ingressClass: string | undefined;
  /** providers.kubernetesIngress.namespaces (TraefikWatched); absent: all namespaces. */
  namespaces?: TraefikWatched;
}

/**
 * The namespaces a Traefik Kubernetes provider watches, providers.kubernetesIngress.namespaces or
 * providers.kubernetesCRD.namespaces ("Array of namespaces to watch", default all:
 * https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/,
 * `namespaces`; its informers list only those, pkg/provider/kubernetes/crd/client.go and
 * pkg/provider/kubernetes/ingress/client.go newClientImpl/WatchAll @v2.11.0 and @v3.3.4, so an
 * object of another namespace does not exist for it): `all`, the list, or `unknown` (a
 * configuration file, a value the snapshot does not show) with why.
 */
export type TraefikWatched = { all: true; list?: undefined; unknown?: undefined } | { list: Set<string>; all?: undefined; unknown?: undefined } | { unknown: string; all?: undefined; list?: undefined };

/** Whether a provider watching `w` sees namespace `ns`: true, false, or undefined when not known. */
export function traefikWatches(w: TraefikWatched | undefined, ns: string): boolean | undefined {
  if (!w || w.all) return true;
  return w.list ? w.list.has(ns) : undefined;
}

/**
 * A provider's namespaces option as a container sets it: a comma-separated list on the command line
 * or in TRAEFIK_*, a list in its configuration file (`file`, read only for a container configured
 * by one; unread, the namespaces are not known).
 */
function watchedOf(install: InstallOptions, key: string, file?: () => TraefikConfigFile): TraefikWatched {
  if (install.source === 'file') {
    const f = file?.();
    if (!f || 'unread' in f) return { unknown: `its configuration file, which may set namespaces, is not read${f ? ` (${f.unread})` : ''}` };
    const raw = fileKey(f.doc, ...key.split('.'));
    const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : undefined;
    if (!items || !items.every((x) => typeof x === 'string')) return { unknown: `${key} in ${f.where} is neither a list of namespaces nor absent` };
    const list = items.map((x) => x.trim()).filter(Boolean);
    return list.length === 0 ? { all: true } : { list: new Set(list) };
  }
  if (install.source === 'none' || !install.options.has(key)) return { all: true };
  if (install.unknown.has(key)) return { unknown: `${key} is set to a value the snapshot does not show` };
  const list = (install.options.get(key) ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  return list.length === 0 ? { all: true } : { list: new Set(list) };
}

// The official image (traefik, docker.io/library/traefik), Traefik Hub, and mirrors such as
// k3s's rancher/mirrored-library-traefik.
const TRAEFIK_IMAGE = /(^|[/-])traefik(-hub)?$/;

/**
 * The Kubernetes Ingress provider a Traefik container runs, or undefined when it runs none.
 * Traefik's install configuration comes from one source only: a configuration file (--configFile,
 * or traefik.yml under /etc/traefik), else the command-line arguments, else TRAEFIK_* environment
 * variables (https://doc.traefik.io/traefik/getting-started/configuration-overview/#the-install-configuration).
 * A file is not read here, so a container configured by one is taken to run the provider with its
 * defaults. Option names are case-insensitive; `--providers.kubernetesingress` alone enables the
 * provider, and so does any of its sub-options.
 */
type InstallOptions = { source: 'file' } | {
  source: 'flags' | 'env' | 'none'; options: Map<string, string | undefined>;
  /**
   * The options set to a value the snapshot does not show: an environment variable from
   * valueFrom (a ConfigMap, a Secret, a field), or a value holding a `$(VAR)` reference, which
   * Kubernetes expands from the container's environment before Traefik sees it
   * (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
   */
  unknown: Set<string>;
};

/** The configuration files Traefik looks for under /etc/traefik, in order (configFileCandidates). */
const DEFAULT_CONFIG_FILES = ['toml', 'yaml', 'yml'].map((e) => `/etc/traefik/traefik.${e}`);

/** The providers' ingressClass options, whose value may follow as the next argument. */
const CLASS_OPTIONS = new Set(['providers.kubernetesingress.ingressclass', 'providers.kubernetescrd.ingressclass']);

/**
 * The install configuration a Traefik container sets, keys lower-cased but entryPoint names
 * (optionKey; TRAEFIK_* variables name them lower-case, traefik/paerser env/env.go Decode
 * lower-casing the whole name). It comes from one source
 * only: a configuration file (--configFile, or traefik.yml under /etc/traefik), else the
 * command-line arguments, else TRAEFIK_* environment variables
 * (https://doc.traefik.io/traefik/getting-started/configuration-overview/#the-install-configuration;
 * traefik/traefik cmd/traefik/traefik.go@v2.11.0 and @v3.3.4: the loaders FileLoader, FlagLoader,
 * EnvLoader in that order, the first that finds a configuration ending the search, traefik/paerser
 * cli/commands.go run). A file found, Traefik ignores every other argument and TRAEFIK_* variable.
 * Here `source: 'file'` carries none of its options: the entryPoints are read from it where it is in
 * the input (traefikEntryPoints, traefikConfigFile), the labelSelector too (fileLabelSelector); the
 * rest is unknown. Option names are case-insensitive, entryPoint names not.
 */
function installOptionsOf(c: Record<string, unknown>): InstallOptions {
  const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
  const flags = new Map<string, string | undefined>();
  const unknown = new Set<string>();
  const named = flagEntryPointNames(words);
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([A-Za-z0-9._-]+)(?:=(.*))?$/s.exec(words[i]);
    if (!m) continue;
    const key = optionKey(m[1], named);
    const next = words[i + 1];
    const value = m[2] ?? (CLASS_OPTIONS.has(key) && next !== undefined && !next.startsWith('-') ? next : undefined);
    flags.set(key, value);
    if (value?.includes('$(')) unknown.add(key);
  }
  const mounts = arr(c.volumeMounts).map((v) => str(obj(v)?.mountPath)?.replace(/\/+$/, ''));
  // /etc/traefik mounted, or one of the files Traefik looks for there mounted alone (subPath).
  if (flags.has('configfile') || mounts.some((m) => m === '/etc/traefik' || (m !== undefined && DEFAULT_CONFIG_FILES.includes(m)))) return { source: 'file' };
  const env = new Map<string, string>();
  const envUnknown = new Set<string>();
  for (const e of arr(c.env).map(obj)) {
    const name = str(e?.name);
    if (!e || !name?.toUpperCase().startsWith('TRAEFIK_')) continue;
    const key = name.slice('TRAEFIK_'.length).toLowerCase().replace(/_/g, '.');
    const value = str(e.value) ?? '';
    env.set(key, value);
    if (e.valueFrom !== undefined || value.includes('$(')) envUnknown.add(key);
  }
  if (flags.size > 0) return { source: 'flags', options: flags, unknown };
  if (env.size > 0) return { source: 'env', options: env, unknown: envUnknown };
  return { source: 'none', options: new Map(), unknown: new Set() };
}

/**
 * An option name lower-cased as Traefik matches option names (traefik/paerser
 * parser/nodes_metadata.go findTypedField, strings.EqualFold), but an entryPoint's name as
 * `names` spells it: the entryPoints are a map whose keys Traefik keeps as written
 * (parser/element_fill.go setMap), and a router attaches to an entryPoint whose name is the same
 * string, case included (pkg/config/runtime/runtime_http.go GetRoutersByEntryPoints, `contains`).
 */
function optionKey(name: string, names: Map<string, string>): string {
  const m = /^(entrypoints)\.([^.]+)(\..*)?$/i.exec(name);
  if (!m) return name.toLowerCase();
  return `entrypoints.${names.get(m[2]!.toLowerCase()) ?? m[2]}${(m[3] ?? '').toLowerCase()}`;
}

/**
 * How Traefik names each entryPoint its flags set, by name lower-cased. Its flag loader keys each
 * option by the first spelling of it (traefik/paerser flag/flagparser.go setValue, `neutralKey`),
 * then builds the tree from the keys in sorted order, one node for names equal but for case
 * (parser/labels_decode.go DecodeToNode, containsNode: strings.EqualFold): the entryPoint takes
 * the spelling of the first key in that order. `--entryPoints.Web.address=:80
 * --entryPoints.web.http.tls` is one entryPoint, "Web", with TLS.
 */
function flagEntryPointNames(words: string[]): Map<string, string> {
  const first = new Map<string, string>();
  for (const w of words) {
    const m = /^--?([A-Za-z0-9._-]+)(?:=.*)?$/s.exec(w);
    if (m && !first.has(m[1]!.toLowerCase())) first.set(m[1]!.toLowerCase(), m[1]!);
  }
  const names = new Map<string, string>();
  for (const key of [...first.values()].sort()) {
    const m = /^entrypoints\.([^.]+)\./i.exec(key);
    if (m && !names.has(m[1]!.toLowerCase())) names.set(m[1]!.toLowerCase(), m[1]!);
  }
  return names;
}

/** A provider's ingressClass option: '' unset, undefined when its value is not in the snapshot. */
function classOption(install: { options: Map<string, string | undefined>; unknown: Set<string> }, key: string): string | undefined {
  return install.unknown.has(key) ? undefined : install.options.get(key) ?? '';
}

/**
 * The Kubernetes Ingress provider a Traefik container runs, or undefined when it runs none. A
 * container configured by a file is taken to run the provider with its defaults.
 * `--providers.kubernetesingress` alone enables the provider, and so does any of its sub-options.
 */
function ingressProviderOf(c: Record<string, unknown>, file: () => TraefikConfigFile): Omit<TraefikIngressProvider, 'ref'> | undefined {
  const install = installOptionsOf(c);
  if (install.source === 'file' || install.source === 'none') return { ingressClass: '', namespaces: watchedOf(install, 'providers.kubernetesingress.namespaces', file) };
  const options = install.options;
  const enabled = [...options].some(([k, v]) => (k === 'providers.kubernetesingress' && v?.toLowerCase() !== 'false') || k.startsWith('providers.kubernetesingress.'));
  return enabled ? { ingressClass: classOption(install, 'providers.kubernetesingress.ingressclass'), namespaces: watchedOf(install, 'providers.kubernetesingress.namespaces') } : undefined;
}

interface TraefikIngressSetup {
  /** One per Traefik container running the provider; with no Traefik workload in the snapshot, Traefik's defaults. */
  providers: TraefikIngressProvider[];
  /** The default IngressClasses (ingressclass.kubernetes.io/is-default-class). */
  defaults: string[];
  /** Whether an IngressClass names Traefik's controller. */
  traefikClass: boolean;
}

/** Every Traefik container of the snapshot's Deployments, DaemonSets and StatefulSets (by image), with its workload. */
function* traefikContainers(snapshot: Snapshot): Generator<{ ref: ResourceRef; container: Record<string, unknown>; podSpec: Record<string, unknown> | undefined }> {
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const podSpec = obj(podTemplateOf(o)?.spec);
      for (const raw of arr(podSpec?.containers)) {
        const c = obj(raw);
        if (c && TRAEFIK_IMAGE.test(imageRepository(str(c.image) ?? ''))) yield { ref: { kind: o.kind ?? 'Deployment', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' }, container: c, podSpec };
      }
    }
  }
}

/** The Traefik Kubernetes Ingress providers of the snapshot and the IngressClasses they weigh, built once. */
const traefikIngressSetup = memoize((snapshot: Snapshot): TraefikIngressSetup => {
  const providers: TraefikIngressProvider[] = [];
  let found = false;
  for (const { ref, container, podSpec } of traefikContainers(snapshot)) {
    found = true;
    const p = ingressProviderOf(container, () => traefikConfigFile(snapshot, ref.namespace ?? 'default', container, podSpec));
    if (p) providers.push({ ref, ...p });
  }
  const classes = ingressClassesByController(snapshot);
  return {
    providers: found ? providers : [{ ingressClass: '' }],
    defaults: classes.filter((c) => c.isDefault).map((c) => c.name),
    traefikClass: classes.some((c) => c.controller === TRAEFIK_INGRESS_CONTROLLER),
  };
}, ['network', 'tls']);

/**
 * Whether one Traefik Kubernetes Ingress provider processes this Ingress (traefik/traefik
 * pkg/provider/kubernetes/ingress/kubernetes.go, shouldProcessIngress; documented at
 * https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/,
 * `ingressClass`):
 * - spec.ingressClassName names an IngressClass whose controller is exactly
 *   traefik.io/ingress-controller (and, when the provider sets ingressClass, is that class);
 *   a class name no such IngressClass defines is ignored, "traefik" too;
 * - else the kubernetes.io/ingress.class annotation equals the provider's ingressClass, or, with
 *   it unset, is missing, empty or "traefik". The annotation is compared as text; it never
 *   looks up an IngressClass.
 * An Ingress with neither takes the default IngressClass when there is one: Kubernetes gives
 * it that class on admission (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class),
 * as ingress-nginx's side (nginxControllersFor) also assumes.
 */
function providerServes(snapshot: Snapshot, setup: TraefikIngressSetup, p: TraefikIngressProvider, ing: KubeObject): boolean {
  // A namespace it does not watch holds no Ingress for it; one it may watch (unknown) is kept.
  if (traefikWatches(p.namespaces, ing.metadata?.namespace ?? 'default') === false) return false;
  const className = str(obj(ing.spec)?.ingressClassName);
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  // A provider whose ingressClass is not known may be set to any class name: only what no value
  // of it would take (an IngressClass of another controller) is left out.
  const byClass = (name: string) => ingressClassNamed(snapshot, name)?.controller === TRAEFIK_INGRESS_CONTROLLER && (p.ingressClass === undefined || p.ingressClass === '' || p.ingressClass === name);
  if (className !== undefined) return byClass(className);
  if (annotation === undefined && setup.defaults.length > 0) return setup.defaults.some(byClass);
  if (p.ingressClass === undefined) return true;
  const value = annotation ?? '';
  if (p.ingressClass !== '') return value === p.ingressClass;
  if (value === TRAEFIK_DEFAULT_INGRESS_CLASS) return true;
  if (value !== '') return false;
  // A class-less Ingress is Traefik's only if Traefik is there: a workload of the snapshot, or
  // an IngressClass naming its controller when the workloads are not in the snapshot.
  return p.ref !== undefined || setup.traefikClass;
}

/**
 * The Traefik Kubernetes Ingress providers that serve this Ingress: the single answer to
 * "does Traefik serve it?" for the edge routes and the TLS checks. With no Traefik workload in
 * the snapshot, a provider with Traefik's defaults stands in.
 */
export function traefikProvidersFor(snapshot: Snapshot, ing: KubeObject): TraefikIngressProvider[] {
  const setup = traefikIngressSetup(snapshot);
  return setup.providers.filter((p) => providerServes(snapshot, setup, p, ing));
}

/** Whether Traefik serves this Ingress (see traefikProvidersFor). */
export function servedByTraefik(snapshot: Snapshot, ing: KubeObject): boolean {
  return traefikProvidersFor(snapshot, ing).length > 0;
}

/** One Traefik Kubernetes CRD provider: a Traefik workload of the snapshot running it, or Traefik's defaults. */
export interface TraefikCrdProvider {
  /** The Traefik workload; undefined when the snapshot has none and Traefik's defaults stand in. */
  ref?: ResourceRef;
  /**
   * providers.kubernetesCRD.ingressClass ('' = unset, Traefik's default); undefined when it is not
   * known (a configuration file, or no Traefik workload in the snapshot): then any class may be
   * served, and none is left out.
   */
  ingressClass: string | undefined;
  /**
   * providers.kubernetesCRD.allowCrossNamespace: whether its IngressRoutes, IngressRouteTCPs and
   * Middleware chains may name a Middleware, MiddlewareTCP, TLSOption or Service of another
   * namespace; undefined when it is not known. `why` says where the answer comes from.
   */
  crossNamespace: { allowed: boolean | undefined; why: string; otherProviderTlsOption?: boolean; otherProviderTlsOptionWhy?: string; releases?: ReleaseChecks };
  /** providers.kubernetesCRD.namespaces (TraefikWatched); absent: all namespaces. */
  namespaces?: TraefikWatched;
  /** The API groups of its release (traefikCrdGroups): `groups` undefined when the release is not known, with why. */
  groups: { groups?: Set<TraefikCrdGroup>; why: string };
  /**
   * providers.kubernetesCRD.labelSelector: its informers list only the CRD objects it selects
   * (pkg/provider/kubernetes/crd/client.go@v2.11.0 line 160 and @v3.3.4 line 174,
   * matchesLabelSelector on every CRD informer, TLSOptions included). `matches` undefined when the
   * selector is not read (a value the snapshot does not show, or a form traefikLabelSelector does not parse).
   */
  labelSelector?: { text: string; matches?: (labels: Record<string, string>) => boolean };
}

/**
 * providers.kubernetesCRD.labelSelector, which Traefik hands to labels.Parse: a test of an
 * object's labels, or undefined for text parseLabelSelectorText does not read (then not known).
 */
export function traefikLabelSelector(text: string): ((labels: Record<string, string>) => boolean) | undefined {
  const requirements = parseLabelSelectorText(text);
  return requirements && ((labels) => requirements.every((r) => requirementMatches(r, labels)));
}

/** Whether a CRD provider's labelSelector selects an object: true without one, undefined when the selector is not known. */
function traefikLabelSelected(p: TraefikCrdProvider, o: KubeObject): boolean | undefined {
  if (!p.labelSelector) return true;
  return p.labelSelector.matches ? p.labelSelector.matches(o.metadata?.labels ?? {}) : undefined;
}

export type TraefikCrdGroup = 'traefik.io' | 'traefik.containo.us';

/**
 * The API groups of IngressRoutes, Middlewares and the other CRD objects a Traefik release reads:
 * before v2.10 traefik.containo.us only; v2.10 added traefik.io and its v2 releases watch both
 * (pkg/provider/kubernetes/crd/client.go @v2.10.0 and @v2.11.0: informers of both
 * generated/informers/externalversions trees, traefikio and traefikcontainous; "Kubernetes CRDs API
 * Group traefik.containo.us" deprecated 2.10, removed 3.0, https://doc.traefik.io/traefik/deprecation/features/);
 * v3.0 removed traefik.containo.us (https://doc.traefik.io/traefik/migration/v2-to-v3/; client.go
 * @v3.0.0 watches traefik.io only). Traefik v1 reads none: it has no CRD provider. An image tag
 * naming no release (traefik:latest, traefik:v2, or a major Traefik never had: TRAEFIK_MAJORS)
 * leaves them unknown; traefik:v3 tells.
 */
export function traefikCrdGroups(image: string): { groups?: Set<TraefikCrdGroup>; why: string } {
  const version = traefikImageVersion(image);
  const major = version?.[0] ?? imageMajor(image);
  // Traefik v1 has no Kubernetes CRD provider: its Kubernetes provider reads Ingresses only
  // (https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/, "Kubernetes Ingress
  // Provider"); IngressRoute and its CRDs came with v2.0 (https://doc.traefik.io/traefik/v2.0/migration/v1-to-v2/).
  if (major === 1) return { groups: new Set(), why: `Traefik v${version ? version.join('.') : major} has no Kubernetes CRD provider (its Kubernetes provider reads Ingresses only), so it reads neither traefik.io nor traefik.containo.us` };
  if (major === 3) return { groups: new Set(['traefik.io']), why: `Traefik v${version ? version.join('.') : major} reads traefik.io only` };
  if (!version) return { why: `the image ${image} names no release, so which of traefik.io and traefik.containo.us it reads (both from v2.10, traefik.containo.us only before, traefik.io only from v3) is not known` };
  if (versionBelow(version, 2, 10)) return { groups: new Set(['traefik.containo.us']), why: `Traefik v${version.join('.')} reads traefik.containo.us only (traefik.io came with v2.10)` };
  return { groups: new Set(['traefik.io', 'traefik.containo.us']), why: `Traefik v${version.join('.')} reads both traefik.io and traefik.containo.us` };
}

/** The API group of a Traefik CRD object (its apiVersion), undefined when it names neither. */
export function traefikCrdGroupOf(o: KubeObject): TraefikCrdGroup | undefined {
  const g = (o.apiVersion ?? '').split('/')[0];
  return g === 'traefik.io' || g === 'traefik.containo.us' ? g : undefined;
}

/**
 * Whether a CRD provider sees an object (its API group by the provider's release, its namespace by
 * providers.kubernetesCRD.namespaces): true, false, or undefined when not known; why when not true.
 * An object of the API group or namespace of the route naming it (`referrer`) is read wherever that route is.
 */
export function traefikCrdSees(p: TraefikCrdProvider, o: KubeObject, referrer: { group?: TraefikCrdGroup; namespace?: string } = {}): { sees: boolean | undefined; why?: string } {
  const group = traefikCrdGroupOf(o);
  const ns = o.metadata?.namespace ?? 'default';
  // In the namespace of the route naming it, it is watched wherever that route is.
  const watched = ns === referrer.namespace ? true : traefikWatches(p.namespaces, ns);
  const who = p.ref ? refString(p.ref) : 'the Traefik';
  if (watched === false) return { sees: false, why: `${who} watches only namespaces ${[...p.namespaces!.list!].join(', ')} (providers.kubernetesCRD.namespaces), not ${ns}` };
  const selected = traefikLabelSelected(p, o);
  if (selected === false) return { sees: false, why: `${who} reads only the objects its providers.kubernetesCRD.labelSelector ${JSON.stringify(p.labelSelector!.text)} selects, not this one` };
  // Of the group of the route naming it (`referrerGroup`), it is read wherever that route is, whatever the release.
  const grouped = group === undefined || group === referrer.group ? true : p.groups.groups ? p.groups.groups.has(group) : undefined;
  if (grouped === false) return { sees: false, why: `it is of API group ${group}, and ${who}: ${p.groups.why}` };
  if (grouped === undefined) return { sees: undefined, why: `it is of API group ${group}, and for ${who} ${p.groups.why}` };
  if (watched === undefined) return { sees: undefined, why: `whether ${who} watches namespace ${ns} is not known: ${p.namespaces!.unknown}` };
  if (selected === undefined) return { sees: undefined, why: `whether ${who}'s providers.kubernetesCRD.labelSelector ${JSON.stringify(p.labelSelector!.text)} selects it is not known (a form or value not read)` };
  return { sees: true };
}

/**
 * Whether an object that lets a route pass (a redirectScheme or authenticating Middleware, a
 * client-certificate TLSOption) counts for `route` (an Ingress, IngressRoute or IngressRouteTCP)
 * under a CRD provider resolving it. One rule for all of them: the route itself is taken as served
 * under a release that is not known (groupNotRead), so what it uses is read the same way where that
 * is far more likely than not, and otherwise it does not count. That is traefikCrdSees (the group
 * of an IngressRoute naming it is read wherever the route is served), and under a release that is
 * not known (a tag naming none, as traefik:latest or traefik:v2; no Traefik workload in the input)
 * a traefik.io object used by an Ingress: every release of the current lines reads traefik.io, v2.10
 * and v2.11 besides traefik.containo.us, v3 alone (pkg/provider/kubernetes/crd/client.go @v2.10.0,
 * @v2.11.0, @v3.0.0; https://doc.traefik.io/traefik/migration/v2-to-v3/), and the floating tags
 * name them. A traefik.containo.us object for an Ingress, or a traefik.io one for a
 * traefik.containo.us IngressRoute, is genuinely uncertain there (v3 reads no traefik.containo.us,
 * releases before v2.10 no traefik.io): it does not count, and `why` says so; nor does one in a
 * namespace whose watching is not known. One surely not read (a known release reading other groups,
 * a namespace not watched) never counts.
 */
export function traefikCrdCounts(p: TraefikCrdProvider, o: KubeObject, route: KubeObject): { sees: boolean | undefined; why?: string } {
  if (route.kind !== 'Ingress') return traefikCrdSees(p, o, { group: traefikCrdGroupOf(route), namespace: route.metadata?.namespace ?? 'default' });
  const likely = p.groups.groups === undefined && traefikCrdGroupOf(o) === 'traefik.io';
  return traefikCrdSees(p, o, likely ? { group: 'traefik.io' } : {});
}

/**
 * Cross-namespace references whose refusal without allowCrossNamespace came in a patch release
 * (TRAEFIK_CROSS_CHECKS): whether this Traefik's release refuses them, or why that is not known.
 */
type ReleaseChecks = Record<TraefikCrossCheck, { refuses?: boolean; why?: string }>;

/**
 * - chain: a Middleware chain member of another namespace than the chain's (or named
 *   "<key>@kubernetescrd"). Before traefik/traefik commit df00d82fc7 ("Honor allowCrossNamespace
 *   with chain middleware CRD", first in v2.11.43, v3.6.14 and v3.7.0) createChainMiddleware
 *   built makeID(namespace, name) with no check (pkg/provider/kubernetes/crd/kubernetes.go@v3.3.4
 *   and @v3.6.13), so the chain was built and its member applied whatever allowCrossNamespace says.
 * - tcpCrdKey: an IngressRouteTCP middleware named "<key>@kubernetescrd". Before commit 28604083a4
 *   ("Add CrossProviderNamespaces option", first in v2.11.46, v3.6.17 and v3.7.1)
 *   makeMiddlewareTCPKeys took any name holding "@" as written (kubernetes_tcp.go@v3.3.4 and
 *   @v3.7.0), so the MiddlewareTCP of that key applied from any namespace; from them
 *   resolveReference refuses it without allowCrossNamespace. (An IngressRoute's HTTP
 *   makeMiddlewareKeys refuses "@kubernetescrd" on every release with allowCrossNamespace.)
 * `fixed`: the first patch refusing in each line that got it in a patch release; `from`: the first
 * line refusing from its .0.
 */
export type TraefikCrossCheck = 'chain' | 'tcpCrdKey';
const TRAEFIK_CROSS_CHECKS: Record<TraefikCrossCheck, { fixed: Record<string, number>; from: [number, number]; what: string }> = {
  chain: { fixed: { 'v2.11': 43, 'v3.6': 14 }, from: [3, 7], what: 'a chain member of another namespace' },
  tcpCrdKey: { fixed: { 'v2.11': 46, 'v3.6': 17, 'v3.7': 1 }, from: [3, 8], what: 'an IngressRouteTCP middleware named <key>@kubernetescrd' },
};

/** Whether a Traefik release refuses a TRAEFIK_CROSS_CHECKS reference without allowCrossNamespace; why, when the tag does not tell. */
function releaseChecksOf(version: [number, number] | undefined, patch: number | undefined, image: string): ReleaseChecks {
  const one = (check: TraefikCrossCheck) => {
    const { fixed, from } = TRAEFIK_CROSS_CHECKS[check];
    if (!version) return { why: `the image ${image} names no release` };
    const line = `v${version.join('.')}`;
    const first = fixed[line];
    if (first === undefined) return { refuses: !versionBelow(version, from[0], from[1]) };
    if (patch !== undefined) return { refuses: patch >= first };
    return { why: `the image ${image} names no ${line} patch release: ${line} builds it before ${line}.${first} and refuses it from it` };
  };
  return { chain: one('chain'), tcpCrdKey: one('tcpCrdKey') };
}

/**
 * providers.kubernetesCRD.allowCrossNamespace as a Traefik container sets it. Unset, its default
 * depends on the release: the option came with v2.4.0, defaulting to true (its SetDefaults), and
 * defaults to false from v2.4.10 on (traefik/traefik CHANGELOG.md@v2.4.10 "Disable Cross-Namespace
 * by default for IngressRoute provider (#8260)"; pkg/provider/kubernetes/crd/kubernetes.go@v2.4.9
 * SetDefaults sets it true, @v2.4.10 it is a plain bool; "Default: false",
 * https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace). Before v2.4 every
 * reference could cross namespaces. A flag given without a value is true, as any boolean option.
 * A configuration file, a value the snapshot does not show, an image tag naming no release, or a
 * v2.4 tag naming no patch release leave it unknown.
 */
function crossNamespaceOf(install: InstallOptions, image: string): TraefikCrdProvider['crossNamespace'] {
  const key = 'providers.kubernetescrd.allowcrossnamespace';
  const version = traefikImageVersion(image);
  const releases = releaseChecksOf(version, imagePatch(image), image);
  if (install.source === 'file') return { allowed: undefined, why: 'its configuration file is not in the snapshot', releases };
  const flag = install.source === 'env' ? 'TRAEFIK_PROVIDERS_KUBERNETESCRD_ALLOWCROSSNAMESPACE' : '--providers.kubernetescrd.allowCrossNamespace';
  const other = { ...otherProviderTlsOptionOf(version, imagePatch(image), image), releases };
  if (install.options.has(key)) {
    const raw = install.options.get(key);
    if (install.unknown.has(key)) return { allowed: undefined, why: `${flag} is set to a value the snapshot does not show`, ...other };
    const b = raw === undefined || raw === '' ? true : nginxAnnotationBool(raw);
    return b === undefined ? { allowed: undefined, why: `${flag}=${raw} is not a boolean`, ...other } : { allowed: b, why: `${flag}${raw === undefined ? '' : `=${raw}`}`, ...other };
  }
  if (!version) {
    // A tag naming a major release only (traefik:v3, traefik:3): every v3 release defaults it to
    // false (pkg/provider/kubernetes/crd/kubernetes.go@v3.0.0 and @v3.7.9: a plain bool, no
    // SetDefaults entry; "Default: false" in the v3 documentation), so the tag tells; v2's releases differ.
    const major = imageMajor(image);
    if (major !== undefined && major >= 3) return { allowed: false, why: `allowCrossNamespace is not set: its default is false in every Traefik v${major} release (the image ${image} names no minor release)`, ...other };
    if (major === 2) return { allowed: undefined, why: `allowCrossNamespace is not set and the image ${image} names no v2 minor release: v2 releases allow cross-namespace references before v2.4.10 and default allowCrossNamespace to false from it`, ...other };
    return { allowed: undefined, why: `allowCrossNamespace is not set and the image ${image} names no release, whose default it is (false from v2.4.10)`, ...other };
  }
  const patch = imagePatch(image);
  return { ...crossNamespaceDefault(version, patch, image), ...other };
}

/**
 * otherProviderTlsOptionRefused for an image, and when it cannot tell, why: the tag names no
 * release (traefik:latest, traefik:v3), or no patch release of a line whose patch releases differ
 * (traefik:v3.6: v3.6.0–v3.6.16 refuse, v3.6.17 on does not), as crossNamespaceDefault leaves a v2.4
 * tag without a patch release unknown.
 */
function otherProviderTlsOptionOf(version: [number, number] | undefined, patch: number | undefined, image: string): { otherProviderTlsOption?: boolean; otherProviderTlsOptionWhy?: string } {
  if (!version) return { otherProviderTlsOptionWhy: `the image ${image} names no release` };
  const refused = otherProviderTlsOptionRefused(version, patch);
  if (refused !== undefined) return { otherProviderTlsOption: refused };
  const line = `v${version.join('.')}`;
  return { otherProviderTlsOptionWhy: `the image ${image} names no ${line} patch release: ${line} refuses it before ${line}.${OTHER_PROVIDER_TLS_OPTION_FIXED[line]}, not from it` };
}

/**
 * Whether this Traefik, allowCrossNamespace off, refuses an IngressRoute(TCP) whose tls.options
 * names another provider's TLSOption ("strict@file") with no namespace of the route's: before
 * traefik/traefik commit 28604083a4 ("Add CrossProviderNamespaces option", first in v2.11.46,
 * v3.6.17 and v3.7.1) the CRD provider left the namespace empty for an "@" name and then
 * isNamespaceAllowed(false, routeNamespace, "") refused the route
 * (pkg/provider/kubernetes/crd/kubernetes_http.go@v3.3.4 "TLSOption %s/%s is not in the
 * IngressRoute namespace %s", the same at v2.11.0, v3.6.0, v3.7.0, and kubernetes_tcp.go).
 * Undefined when the tag names no patch release of an affected line.
 */
function otherProviderTlsOptionRefused(version: [number, number], patch: number | undefined): boolean | undefined {
  const [major, minor] = version;
  if (major < 2 || (major === 2 && minor < 11) || (major === 3 && minor < 6)) return true;
  const fixed = OTHER_PROVIDER_TLS_OPTION_FIXED[`v${major}.${minor}`] ?? 0;
  if (fixed === 0) return false;
  return patch === undefined ? undefined : patch < fixed;
}

/** The first patch release of each affected line that no longer refuses another provider's TLSOption (otherProviderTlsOptionRefused). */
const OTHER_PROVIDER_TLS_OPTION_FIXED: Record<string, number> = { 'v2.11': 46, 'v3.6': 17, 'v3.7': 1 };

function crossNamespaceDefault(version: [number, number], patch: number | undefined, image: string): TraefikCrdProvider['crossNamespace'] {
  const release = `v${[...version, ...(patch === undefined ? [] : [patch])].join('.')}`;
  if (version[0] === 2 && version[1] === 4 && patch === undefined) return { allowed: undefined, why: `allowCrossNamespace is not set and the image ${image} names no v2.4 patch release: its default is true before v2.4.10, false from it` };
  if (versionBelow(version, 2, 4) || (version[0] === 2 && version[1] === 4 && patch! < 10)) return { allowed: true, why: `allowCrossNamespace is not set: Traefik ${release} allows cross-namespace references by default` };
  return { allowed: false, why: `allowCrossNamespace is not set: its default is false (Traefik ${release})` };
}

/**
 * The Kubernetes CRD provider a Traefik container runs, or undefined when it runs none: as for
 * the Ingress provider (ingressProviderOf), a container configured by nothing the snapshot shows
 * is taken to run it with its defaults, and one configured by a file to run it with an unknown
 * ingressClass; `--providers.kubernetescrd` alone enables it, and so does any of its sub-options.
 */
function crdProviderOf(c: Record<string, unknown>, file: () => TraefikConfigFile): Omit<TraefikCrdProvider, 'ref'> | undefined {
  const install = installOptionsOf(c);
  const crossNamespace = crossNamespaceOf(install, str(c.image) ?? '');
  const groups = traefikCrdGroups(str(c.image) ?? '');
  // A release reading no group at all (Traefik v1) has no CRD provider, whatever its options say.
  if (groups.groups?.size === 0) return undefined;
  const namespaces = watchedOf(install, 'providers.kubernetescrd.namespaces', file);
  if (install.source === 'file') return { ingressClass: undefined, crossNamespace, groups, namespaces, ...fileLabelSelector(file()) };
  if (install.source === 'none') return { ingressClass: '', crossNamespace, groups, namespaces };
  const options = install.options;
  const enabled = [...options].some(([k, v]) => (k === 'providers.kubernetescrd' && v?.toLowerCase() !== 'false') || k.startsWith('providers.kubernetescrd.'));
  const selKey = 'providers.kubernetescrd.labelselector';
  const selText = options.get(selKey);
  const labelSelector = selText === undefined || selText.trim() === '' ? {} : { labelSelector: { text: selText, ...(install.unknown.has(selKey) ? {} : { matches: traefikLabelSelector(selText) }) } };
  return enabled ? { ingressClass: classOption(install, 'providers.kubernetescrd.ingressclass'), crossNamespace, groups, namespaces, ...labelSelector } : undefined;
}

/**
 * The install configuration file a Traefik container reads, as far as the input holds it. Traefik
 * takes --configFile, else the first of /etc/traefik/traefik.toml, .yaml, .yml (then
 * $XDG_CONFIG_HOME, $HOME/.config and the working directory, not read here) that exists, and
 * decodes it by its extension (pkg/cli/loader_file.go@v3.3.4 lines 65-83 loadConfigFiles: BasePaths
 * "/etc/traefik/traefik" first, Extensions "toml", "yaml", "yml"; the same at @v2.11.0;
 * https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file).
 * Read when the file is a key of a ConfigMap volume mounted at its directory (or at the file, with
 * subPath) and that ConfigMap is in the input, YAML and TOML alike. `unread` says why it is not read.
 */
type TraefikConfigFile = { doc: unknown; where: string } | { unread: string };

/**
 * Each Traefik container's configuration file per snapshot, by the container object: the Ingress
 * and CRD providers (namespaces, labelSelector) and the entryPoints all read it, and a file is
 * decoded once for them (a container belongs to one workload, so its namespace and pod spec are
 * the same at every call).
 */
const traefikConfigFiles = memoize((_snapshot: Snapshot) => new WeakMap<Record<string, unknown>, TraefikConfigFile>(), ['network', 'tls']);

function traefikConfigFile(snapshot: Snapshot, ns: string, c: Record<string, unknown>, podSpec: Record<string, unknown> | undefined): TraefikConfigFile {
  const files = traefikConfigFiles(snapshot);
  let file = files.get(c);
  if (!file) files.set(c, (file = readTraefikConfigFile(snapshot, ns, c, podSpec)));
  return file;
}

function readTraefikConfigFile(snapshot: Snapshot, ns: string, c: Record<string, unknown>, podSpec: Record<string, unknown> | undefined): TraefikConfigFile {
  const { explicit, candidates } = configFileCandidates(c);
  for (const path of candidates) {
    const file = traefikConfigFileAt(snapshot, ns, c, podSpec, path, path === explicit);
    if (file === 'absent') continue;
    return file;
  }
  return { unread: `no file ${explicit ? `${JSON.stringify(explicit)} nor ` : ''}traefik.toml, .yaml or .yml of /etc/traefik is in a ConfigMap of the input` };
}

/** The paths Traefik looks for its configuration file at, in order: --configFile, then /etc/traefik's. */
function configFileCandidates(c: Record<string, unknown>): { explicit?: string; candidates: string[] } {
  const words = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
  let explicit: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const m = /^--?configfile(?:=(.*))?$/is.exec(words[i]!);
    if (m) explicit = m[1] ?? words[i + 1];
  }
  return { ...(explicit ? { explicit } : {}), candidates: [...(explicit ? [explicit] : []), ...DEFAULT_CONFIG_FILES] };
}

/** The volume mount a file path of the container lies on: one of the file itself (subPath) first, else one of its directory. */
function configFileMount(c: Record<string, unknown>, podSpec: Record<string, unknown> | undefined, path: string): { mount: Record<string, unknown>; volume?: Record<string, unknown>; fileMount: boolean } | undefined {
  const dir = path.slice(0, path.lastIndexOf('/')).replace(/\/+$/, '');
  const mounts = arr(c.volumeMounts).map(obj);
  // A mount of the file itself (subPath) wins over one of its directory, as the kubelet mounts it over the directory's.
  const fileMount = mounts.find((m) => str(m?.mountPath) === path);
  const mount = fileMount ?? mounts.find((m) => str(m?.mountPath)?.replace(/\/+$/, '') === dir && str(m?.subPath) === undefined);
  if (!mount) return undefined;
  const volume = arr(podSpec?.volumes).map(obj).find((v) => v && str(v.name) === str(mount.name));
  return { mount, ...(volume ? { volume } : {}), fileMount: fileMount !== undefined };
}

/** One candidate path: its text from a ConfigMap volume of the input, 'absent' when that volume surely lacks it, else why it is not read. */
function traefikConfigFileAt(snapshot: Snapshot, ns: string, c: Record<string, unknown>, podSpec: Record<string, unknown> | undefined, path: string, explicit: boolean): TraefikConfigFile | 'absent' {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const on = configFileMount(c, podSpec, path);
  if (!on) return explicit ? { unread: `its configuration file ${JSON.stringify(path)} is not on a volume of the input` } : 'absent';
  const { mount, volume, fileMount } = on;
  const cm = obj(volume?.configMap);
  const cmName = str(cm?.name);
  if (!cmName) return { unread: `its configuration file ${JSON.stringify(path)} is on volume ${JSON.stringify(str(mount.name) ?? '')}, which is not a ConfigMap volume` };
  const file = fileMount ? str(mount.subPath) ?? base : base;
  const items = arr(cm?.items).map(obj);
  const key = items.length ? str(items.find((i) => str(i?.path) === file)?.key) : file;
  const data = configMapData(snapshot, { namespace: ns, name: cmName });
  if (!data) return { unread: `its configuration file ${JSON.stringify(path)} comes from ConfigMap ${ns}/${cmName}, which is not in the input` };
  const text = key === undefined ? undefined : data[key];
  if (text === undefined) return 'absent';
  const where = `ConfigMap ${ns}/${cmName} (${key}, ${path})`;
  // Traefik picks the decoder by the file's extension, case aside: .toml with BurntSushi/toml,
  // .yml, .yaml and .json with yaml.v3, any other it refuses (traefik/paerser file/file_node.go
  // decodeFileToNode, `strings.ToLower(filepath.Ext(filePath))`).
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  if (ext === '.toml') return tomlFile(text, where);
  if (ext !== '.yml' && ext !== '.yaml' && ext !== '.json') return { unread: `its configuration file is ${where}, whose extension Traefik decodes neither as TOML nor as YAML` };
  try {
    return { doc: parseYaml(text), where };
  } catch (e: unknown) {
    const at = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    return { unread: `${where} is not valid YAML${at}` };
  }
}

/**
 * A TOML configuration file, decoded; one that does not parse is unread, its why naming the
 * parser's line and column and its first line of explanation only (the rest quotes the file).
 */
function tomlFile(text: string, where: string): TraefikConfigFile {
  try {
    return { doc: parseToml(text), where };
  } catch (e: unknown) {
    if (!(e instanceof TomlError)) throw e;
    const reason = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return { unread: `${where} is not valid TOML (line ${e.line}, column ${e.column}: ${reason})` };
  }
}

/** A key of a decoded configuration file, Traefik matching option names case-insensitively. */
function fileKey(doc: unknown, ...path: string[]): unknown {
  let at: unknown = doc;
  for (const part of path) {
    const o = obj(at);
    if (!o) return undefined;
    const k = Object.keys(o).find((x) => x.toLowerCase() === part.toLowerCase());
    at = k === undefined ? undefined : o[k];
  }
  return at;
}

/**
 * The entryPoints of a decoded configuration file as the options the command line would set:
 * `entrypoints.<name>.<option>`, the option lower-case and the name as written, as installOptionsOf
 * keys flags (optionKey), and `spelled` each as the file writes it. Traefik's file loader matches
 * option names case-insensitively (traefik/paerser parser/nodes_metadata.go findTypedField,
 * strings.EqualFold) and keeps entryPoint names as written, one entryPoint per key of the file
 * (file/raw_node.go decodeRaw, parser/element_fill.go setMap): `web` and `Web` are two. It skips a key whose value is null
 * (file/raw_node.go decodeRaw) and takes a table with nothing in it as the option set, as a flag
 * without a value: http.tls is `file:"allowEmpty"` (pkg/config/static/entrypoints.go@v3.3.4), so
 * `[entryPoints.websecure.http.tls]` or `tls: {}` gives the entryPoint TLS. A list of values
 * (http.middlewares) is its items comma-separated, as on the command line; one of tables
 * (http.tls.domains) only sets its key.
 */
function fileEntryPointOptions(doc: unknown): { options: Map<string, string | undefined>; spelled: Map<string, string> } {
  const options = new Map<string, string | undefined>();
  const spelled = new Map<string, string>();
  // `at` the option key so far (the name as written, the rest lower-case), `path` as spelled.
  const put = (at: string, path: string, v: unknown): boolean => {
    if (v === null || v === undefined) return false;
    const o = obj(v);
    let set = false;
    if (o) for (const [k, x] of Object.entries(o)) set = put(`${at}.${k.toLowerCase()}`, `${path}.${k}`, x) || set;
    if (set) return true;
    const scalar = (x: unknown) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);
    const value = o ? '' : Array.isArray(v) ? (v.every((x) => scalar(x) !== undefined) ? v.map(scalar).join(',') : '') : scalar(v) ?? '';
    options.set(at, value);
    spelled.set(at, path);
    return true;
  };
  const root = obj(doc);
  const key = root && Object.keys(root).find((k) => k.toLowerCase() === 'entrypoints');
  const eps = key === undefined ? undefined : obj(root![key]);
  for (const [name, ep] of Object.entries(eps ?? {})) put(`entrypoints.${name}`, `${key}.${name}`, ep);
  return { options, spelled };
}

/** providers.kubernetesCRD.labelSelector of a configuration file, as TraefikCrdProvider.labelSelector; an unread file sets none (not known, as before). */
function fileLabelSelector(file: TraefikConfigFile): Pick<TraefikCrdProvider, 'labelSelector'> {
  if ('unread' in file) return {};
  const raw = fileKey(file.doc, 'providers', 'kubernetesCRD', 'labelSelector');
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  if (typeof raw !== 'string') return { labelSelector: { text: JSON.stringify(raw) } };
  return { labelSelector: { text: raw, matches: traefikLabelSelector(raw) } };
}

/** The ConfigMaps the live collector should `get` by name: those holding a Traefik container's configuration file (traefikConfigFile). */
export function traefikConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  const out: Array<{ namespace: string; name: string }> = [];
  for (const { ref, container, podSpec } of traefikContainers(snapshot)) {
    for (const path of configFileCandidates(container).candidates) {
      const name = str(obj(configFileMount(container, podSpec, path)?.volume?.configMap)?.name);
      if (name) out.push({ namespace: ref.namespace ?? 'default', name });
    }
  }
  return out;
}

/** The kinds traefikConfigMapRefs reads. */
export const TRAEFIK_CONFIG_MAP_REF_KINDS = ['deployments', 'daemonsets', 'statefulsets'] as const satisfies readonly KindKey[];

/** The Traefik Kubernetes CRD providers of the snapshot (with no Traefik workload, one whose ingressClass is unknown), built once. */
const traefikCrdProviders = memoize((snapshot: Snapshot): TraefikCrdProvider[] => {
  const providers: TraefikCrdProvider[] = [];
  let found = false;
  for (const { ref, container, podSpec } of traefikContainers(snapshot)) {
    found = true;
    const p = crdProviderOf(container, () => traefikConfigFile(snapshot, ref.namespace ?? 'default', container, podSpec));
    if (p) providers.push({ ref, ...p });
  }
  return found ? providers : [{ ingressClass: undefined, crossNamespace: { allowed: undefined, why: 'no Traefik workload is in the snapshot' }, groups: { why: 'no Traefik workload is in the snapshot, so its release is not known' } }];
}, ['network', 'tls']);

/**
 * The class an IngressRoute, IngressRouteTCP or other Traefik CRD object asks for: spec.ingressClassName
 * (Traefik v3.7+, which takes precedence), else a non-empty kubernetes.io/ingress.class annotation,
 * else '' (traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go getIngressClassName).
 */
export function traefikCrdClassOf(route: KubeObject): string {
  const spec = obj(route.spec)?.ingressClassName;
  if (typeof spec === 'string') return spec;
  return route.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] ?? '';
}

/**
 * The Traefik Kubernetes CRD providers that process this IngressRoute or IngressRouteTCP: the
 * class it asks for (traefikCrdClassOf) equals the provider's ingressClass, or, with that unset,
 * is empty or "traefik" (https://doc.traefik.io/traefik/providers/kubernetes-crd/#ingressclass;
 * https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/,
 * `providers.kubernetesCRD.ingressClass`; kubernetes.go shouldProcessIngress, which compares the
 * text and never looks up an IngressClass). Empty: no Traefik of the snapshot serves it.
 */
export function traefikCrdProvidersFor(snapshot: Snapshot, route: KubeObject): TraefikCrdProvider[] {
  const cls = traefikCrdClassOf(route);
  const group = traefikCrdGroupOf(route);
  return traefikCrdProviders(snapshot).filter((p) => classTaken(p, cls) && traefikWatches(p.namespaces, route.metadata?.namespace ?? 'default') !== false && groupNotRead(p, group) !== true && traefikLabelSelected(p, route) !== false);
}

/**
 * Whether a CRD provider surely does not read objects of this API group: true only when its
 * release is known (traefikCrdGroups) and reads other groups alone; an unknown release, or no
 * Traefik workload, reads it as far as anyone can tell.
 */
const groupNotRead = (p: TraefikCrdProvider, group: TraefikCrdGroup | undefined) => group !== undefined && p.groups.groups !== undefined && !p.groups.groups.has(group);

const classTaken = (p: TraefikCrdProvider, cls: string) => p.ingressClass === undefined || p.ingressClass === cls || (p.ingressClass === '' && cls === TRAEFIK_DEFAULT_INGRESS_CLASS);

/**
 * The Kubernetes CRD providers that resolve the references of a routing object: an IngressRoute's
 * or IngressRouteTCP's (traefikCrdProvidersFor); an Ingress's, those run by the Traefiks whose
 * Ingress provider serves it (traefikProvidersFor), since its router.middlewares name
 * "<key>@kubernetescrd" Middlewares that the CRD provider of the same Traefik defines and whose
 * chains it builds (a Traefik without one has no such Middleware); no object: every one. With no
 * Traefik workload in the snapshot, the stand-in provider of unknown settings.
 */
export function traefikCrdProvidersResolving(snapshot: Snapshot, route: KubeObject | undefined): TraefikCrdProvider[] {
  if (!route) return traefikCrdProviders(snapshot);
  if (route.kind !== 'Ingress') return traefikCrdProvidersFor(snapshot, route);
  const serving = traefikProvidersFor(snapshot, route);
  if (serving.some((p) => p.ref === undefined)) return traefikCrdProviders(snapshot);
  const refs = new Set(serving.map((p) => refString(p.ref!)));
  return traefikCrdProviders(snapshot).filter((p) => p.ref !== undefined && refs.has(refString(p.ref)));
}

/** Why no answer comes from the Traefiks resolving an object's references: none runs the CRD provider. */
const NO_CRD_PROVIDER = 'no Traefik serving it runs the Kubernetes CRD provider (providers.kubernetesCRD)';

/**
 * Whether the Traefiks resolving this object's references (traefikCrdProvidersResolving: for an
 * IngressRoute or IngressRouteTCP the ones processing it, for an Ingress the CRD providers of the
 * Traefiks serving it, with no object every CRD provider) let it name objects of another
 * namespace: true or false when they all agree, else undefined, with why (their workloads and
 * options).
 */
export function traefikCrossNamespace(snapshot: Snapshot, route: KubeObject | undefined): { allowed: boolean | undefined; why: string; otherProviderTlsOption: boolean | undefined; otherProviderTlsOptionWhy: string } {
  const providers = traefikCrdProvidersResolving(snapshot, route);
  if (providers.length === 0) return { allowed: undefined, why: NO_CRD_PROVIDER, otherProviderTlsOption: undefined, otherProviderTlsOptionWhy: NO_CRD_PROVIDER };
  const answers = new Set(providers.map((p) => p.crossNamespace.allowed));
  const other = new Set(providers.map((p) => p.crossNamespace.otherProviderTlsOption));
  const named = (p: TraefikCrdProvider, why: string) => `${p.ref ? `${refString(p.ref)}: ` : ''}${why}`;
  const why = [...new Set(providers.map((p) => named(p, p.crossNamespace.why)))].join('; ');
  // Why another provider's TLSOption is not known to be refused or not: each Traefik that cannot tell, or the ones that differ.
  const otherWhy = other.size > 1 ? `the Traefiks taking it differ: ${providers.map((p) => named(p, p.crossNamespace.otherProviderTlsOption === undefined ? p.crossNamespace.otherProviderTlsOptionWhy ?? 'not known' : p.crossNamespace.otherProviderTlsOption ? 'refuses it' : 'takes it')).join('; ')}`
    : [...new Set(providers.map((p) => named(p, p.crossNamespace.otherProviderTlsOptionWhy ?? p.crossNamespace.why)))].join('; ');
  return { allowed: answers.size === 1 ? [...answers][0] : undefined, why, otherProviderTlsOption: other.size === 1 ? [...other][0] : undefined, otherProviderTlsOptionWhy: otherWhy };
}

/**
 * Whether the Traefiks resolving this object's references (as traefikCrossNamespace) refuse a
 * reference whose refusal came in a patch release (TRAEFIK_CROSS_CHECKS): true where
 * allowCrossNamespace is off and the release refuses it, false where it is on or the release
 * builds it, undefined when either is not known or the Traefiks differ, with why.
 */
export function traefikCrossRefusal(snapshot: Snapshot, route: KubeObject | undefined | { workload: ResourceRef }, check: TraefikCrossCheck): { refused: boolean | undefined; why: string } {
  const providers = route && 'workload' in route ? traefikCrdProvidersOf(snapshot, (route as { workload: ResourceRef }).workload) : traefikCrdProvidersResolving(snapshot, route as KubeObject | undefined);
  if (providers.length === 0) return { refused: undefined, why: NO_CRD_PROVIDER };
  const answers = providers.map((p) => {
    const c = p.crossNamespace;
    const r = c.releases?.[check] ?? { why: c.why };
    const named = (why: string) => `${p.ref ? `${refString(p.ref)}: ` : ''}${why}`;
    if (c.allowed === true) return { refused: false, why: named(c.why) };
    if (r.refuses === false) return { refused: false, why: named(`its release refuses ${TRAEFIK_CROSS_CHECKS[check].what} only from ${Object.entries(TRAEFIK_CROSS_CHECKS[check].fixed).map(([l, n]) => `${l}.${n}`).join(', ')} and v${TRAEFIK_CROSS_CHECKS[check].from.join('.')}.0`) };
    if (c.allowed === false && r.refuses === true) return { refused: true, why: named(c.why) };
    return { refused: undefined, why: named(c.allowed === undefined ? c.why : r.why ?? c.why) };
  });
  const values = new Set(answers.map((a) => a.refused));
  return { refused: values.size === 1 ? [...values][0] : undefined, why: [...new Set(answers.map((a) => a.why))].join('; ') };
}

/**
 * Why no Traefik of the snapshot processes this IngressRoute or IngressRouteTCP, for a note; undefined when one does.
 * `what` names it ("IngressRouteTCP db/postgres").
 */
export function traefikCrdUnserved(snapshot: Snapshot, route: KubeObject, what: string): string | undefined {
  if (traefikCrdProvidersFor(snapshot, route).length > 0) return undefined;
  const providers = traefikCrdProviders(snapshot);
  const cls = traefikCrdClassOf(route);
  const asks = cls === '' ? 'no class' : `class ${JSON.stringify(cls)}`;
  if (providers.length === 0) return `${what}: no Traefik workload of the snapshot runs the Kubernetes CRD provider (providers.kubernetesCRD), so it is not served`;
  // Providers taking its class that do not see it (its API group or namespace): why, each.
  const unseen = providers.filter((p) => classTaken(p, cls)).map((p) => traefikCrdSees(p, route).why).filter((x): x is string => x !== undefined);
  if (unseen.length > 0) return `${what}: no Traefik of the snapshot reads it (${[...new Set(unseen)].join('; ')}), so it is not served`;
  const theirs = [...new Set(providers.map((p) => (p.ingressClass === '' ? '(unset: none or "traefik")' : JSON.stringify(p.ingressClass))))].join(', ');
  return `${what}: it asks for ${asks}, which no Traefik of the snapshot processes (providers.kubernetesCRD.ingressClass ${theirs}), so it is not served`;
}

/**
 * The annotation that gives the Ingress's routers a TLS section, or undefined. RouterIng.TLS is
 * a pointer decoded with label "allowEmpty": `router.tls: "true"` creates it empty, and any
 * `router.tls.*` key (certresolver, options, domains) creates it too. A router with a TLS
 * section answers only TLS requests (doc.traefik.io reference/routing-configuration/http/tls/overview).
 */
export function traefikRouterTls(ing: KubeObject): string | undefined {
  const annotations = ing.metadata?.annotations ?? {};
  const sub = Object.keys(annotations).find((k) => k.startsWith(`${ROUTER_TLS}.`));
  if (sub) return `${sub}: "${annotations[sub]}"`;
  const raw = annotations[ROUTER_TLS];
  // Traefik's label parser reads booleans with Go strconv.ParseBool, as ingress-nginx does.
  return raw !== undefined && nginxAnnotationBool(raw) === true ? `${ROUTER_TLS}: "${raw}"` : undefined;
}

/** What the Traefik workloads' install configuration says about their entryPoints. */
export interface TraefikEntryPoints {
  /** The Traefik workloads of the snapshot (none: Traefik's install configuration is not in it). */
  workloads: ResourceRef[];
  /**
   * Those configured by a file that is not read (traefikConfigFile: not in a ConfigMap of the input,
   * not valid TOML or YAML …), with why: their entryPoints are not known. The entryPoints of a file
   * that is read count as those of the command line do.
   */
  fromFile: TraefikUnreadFile[];
  /**
   * The default entryPoints of the other workloads, named as Traefik keeps them (case included, optionKey): routers that name none attach
   * to these. Those marked asDefault, else every one defined (entrypoints.<name>.address), but
   * never a UDP one nor Traefik's internal entryPoint "traefik" (traefik/traefik
   * cmd/traefik/traefik.go, getDefaultsEntrypoints).
   */
  defaults: string[];
  /**
   * How an entryPoint (named case included, optionKey) keeps plaintext HTTP away from routers without their own
   * tls section, when every workload whose configuration is read says so: entryPoint TLS
   * (entrypoints.<name>.http.tls, any of its sub-options too) or a redirection of every request
   * to https (entrypoints.<name>.http.redirections.entrypoint.to, scheme https by default), per
   * https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/. The option as written.
   */
  secured: Map<string, string>;
  /** The port each entryPoint (by name, case included) listens on, from entrypoints.<name>.address ("[host]:port[/tcp|/udp]"). */
  ports: Map<string, number[]>;
  /**
   * Every entryPoint some Traefik workload of the snapshot has, named case included: each its
   * configuration names (entrypoints.<name>, any option of it). Undefined when that is not known of
   * every workload: none in the snapshot, a workload kind not read (Deployments, DaemonSets,
   * StatefulSets), a file not read (fromFile), TRAEFIK_* variables that may come from envFrom, no
   * flag, variable or file seen (the image may carry a file), a configuration naming no entryPoint
   * (Traefik then adds "http", not modelled). See traefikAttachedEntryPoints.
   */
  names?: Set<string>;
  /**
   * The entryPoints (by name, case included) only clients inside the cluster reach: every Traefik workload
   * is read and selected by a Service of the snapshot, and on each one defining the entryPoint no
   * way in from outside the cluster leads to its port (see edgeWaysOf). Traefik attaches a router
   * to its entryPoints whatever Service publishes them, so the router still answers there.
   */
  inClusterOnly: Set<string>;
  /** Per entryPoint (by name, case included), the ways in from outside the cluster to its port: "Service traefik/traefik (LoadBalancer) port 80". */
  edge: Map<string, string[]>;
  /** The workloads read whose pods no Service of the snapshot selects: where their entryPoints are reached from is unknown. */
  withoutService: ResourceRef[];
  /**
   * Per workload read (refString), its first entryPoint with TLS ("entryPoint websecure: TLS (…)"):
   * every router on it terminates TLS on that Traefik, whatever the other workloads set.
   */
  tlsEntryPointOf: Map<string, string>;
  /**
   * The entryPoints with TLS whose http.tls.options names a TLSOption other than "default": the
   * routers on them without a TLS section of their own take it, not the default one.
   */
  tlsOptions: TraefikEntryPointTlsOption[];
  /**
   * The entryPoints' http.middlewares, per workload read: Traefik puts them ahead of the
   * middlewares of every HTTP router on the entryPoint (pkg/server/aggregator.go applyModel;
   * https://doc.traefik.io/traefik/routing/entrypoints/#middlewares). A value from a variable
   * ztaudit cannot resolve is left out (TraefikEntryPointMiddlewares.unknown says why).
   */
  middlewares: TraefikEntryPointMiddlewares[];
}

/** A Traefik workload configured by a file that is not read, and why (TraefikConfigFile.unread). */
export interface TraefikUnreadFile { workload: ResourceRef; why: string }

/** Why the entryPoints of Traefiks configured by a file are not known, for a message: each workload and why its file is not read. */
export function traefikFilesUnread(files: TraefikUnreadFile[]): string {
  return `${files.length > 1 ? 'they read their' : 'it reads its'} install configuration from a file ztaudit cannot read (${files.map((f) => `${refString(f.workload)}: ${f.why}`).join('; ')})`;
}

/** One entryPoint's http.tls.options on one Traefik workload: `option` as written ("<namespace>-<name>@kubernetescrd"). */
export interface TraefikEntryPointTlsOption { workload: ResourceRef; entryPoint: string; option: string; flag: string }

/** One entryPoint's http.middlewares on one Traefik workload (entryPoint named case included): the names as written, comma-separated, or why they are not known. */
export interface TraefikEntryPointMiddlewares { workload: ResourceRef; entryPoint: string; flag: string; names: string[]; unknown?: string }

/** The port of an entryPoint address, "[host]:port[/tcp|/udp]" (doc.traefik.io reference/install-configuration/entrypoints, `address`). */
function addressPort(v: string | undefined): number | undefined {
  const m = /:(\d{1,5})(?:\/[A-Za-z]+)?$/.exec(v?.trim() ?? '');
  const n = m ? Number(m[1]) : 0;
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * The ways in from outside the cluster to each port of one Traefik workload's pods, looked up by
 * port; undefined when no Service of the snapshot selects its pods. A way in is a LoadBalancer
 * or NodePort Service, or a Service with externalIPs (kube-proxy routes those addresses to it
 * whatever its type: https://kubernetes.io/docs/concepts/services-networking/service/#external-ips),
 * whose TCP port targets it: targetPort a number, or the name of a container port of the pod
 * (with its protocol), else the port itself (ServicePort.targetPort,
 * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec).
 * A name no container port carries leads nowhere: the endpoints controller skips the pod. A
 * ClusterIP Service without externalIPs is a way in only for clients inside the cluster.
 * hostNetwork puts every port on the node's addresses, a hostPort its containerPort.
 */
function edgeWaysOf(snapshot: Snapshot, o: KubeObject): ((port: number) => string[]) | undefined {
  const template = podTemplateOf(o);
  const podSpec = obj(template?.spec);
  const labels = stringMap(obj(template?.metadata)?.labels);
  const ns = o.metadata?.namespace ?? 'default';
  const ways = new Map<number, string[]>();
  const add = (port: number, way: string) => {
    const list = ways.get(port);
    if (!list) ways.set(port, [way]);
    else if (!list.includes(way)) list.push(way);
  };
  // A named targetPort goes to the first container port of that name and protocol: containers in
  // order, then native sidecars (init containers with restartPolicy Always), as Kubernetes' FindPort
  // (pkg/api/v1/pod/util.go) resolves it; a name need only be unique within one container.
  const named = new Map<string, number>();
  const sidecars = arr(podSpec?.initContainers).filter((c) => obj(c)?.restartPolicy === 'Always');
  for (const c of [...arr(podSpec?.containers), ...sidecars]) {
    for (const raw of arr(obj(c)?.ports)) {
      const p = obj(raw);
      const port = p?.containerPort;
      if (typeof port !== 'number') continue;
      const protocol = str(p?.protocol) ?? 'TCP';
      const name = str(p?.name);
      if (name && !named.has(`${protocol}/${name}`)) named.set(`${protocol}/${name}`, port);
      if (protocol === 'TCP' && typeof p?.hostPort === 'number' && p.hostPort > 0) add(port, `hostPort ${p.hostPort}`);
    }
  }
  if (podSpec?.hostNetwork === true) return (port) => [`hostNetwork (the node's port ${port})`];
  const selecting = servicesSelecting(snapshot, ns, labels);
  if (selecting.length === 0) return undefined;
  for (const s of selecting) {
    const spec = obj(s.spec);
    const type = str(spec?.type) ?? 'ClusterIP';
    const externalIps = arr(spec?.externalIPs).some((ip) => typeof ip === 'string' && ip !== '');
    const via = type === 'LoadBalancer' || type === 'NodePort' ? type : externalIps ? 'externalIPs' : undefined;
    if (!via) continue;
    for (const raw of arr(spec?.ports)) {
      const p = obj(raw);
      const protocol = str(p?.protocol) ?? 'TCP';
      if (protocol !== 'TCP') continue;
      const tp = p?.targetPort ?? p?.port;
      const target = typeof tp === 'number' ? tp : typeof tp === 'string' ? (/^\d+$/.test(tp) ? Number(tp) : named.get(`TCP/${tp}`)) : undefined;
      if (target !== undefined) add(target, `Service ${ns}/${s.metadata?.name ?? ''} (${via}) port ${typeof p?.port === 'number' ? p.port : '?'}`);
    }
  }
  return (port) => ways.get(port) ?? [];
}

const optionOn = (v: string | undefined) => v === undefined || v === '' || nginxAnnotationBool(v) !== false;

/** The entryPoints of the Traefik workloads of the snapshot, built once. */
export const traefikEntryPoints = memoize((snapshot: Snapshot): TraefikEntryPoints => {
  const workloads: ResourceRef[] = [];
  const fromFile: TraefikUnreadFile[] = [];
  const defined = new Set<string>();
  const asDefault = new Set<string>();
  const udp = new Set<string>();
  const perWorkload: Array<Map<string, string>> = [];
  const ports = new Map<string, number[]>();
  const edge = new Map<string, string[]>();
  // An entryPoint some workload leaves reachable from outside, or whose reach is unknown there.
  const reachedFromOutside = new Set<string>();
  const withoutService: ResourceRef[] = [];
  const tlsEntryPointOf = new Map<string, string>();
  const tlsOptions: TraefikEntryPointTlsOption[] = [];
  const middlewares: TraefikEntryPointMiddlewares[] = [];
  const names = new Set<string>();
  // A workload kind not read may hold a Traefik with other entryPoints.
  let namesKnown = (['deployments', 'daemonsets', 'statefulsets'] as const).every((k) => {
    const status = snapshot.coverage[k]?.status;
    return status !== 'forbidden' && status !== 'error' && (status !== undefined || snapshot.resources[k] !== undefined);
  });
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      for (const raw of arr(obj(podTemplateOf(o)?.spec)?.containers)) {
        const c = obj(raw);
        if (!c || !TRAEFIK_IMAGE.test(imageRepository(str(c.image) ?? ''))) continue;
        const ref = { kind: o.kind ?? 'Deployment', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' };
        workloads.push(ref);
        // Traefik reads one source only: the file when there is one, and then no argument or
        // environment variable (install, below).
        const read = installOptionsOf(c);
        const file = read.source === 'file' ? traefikConfigFile(snapshot, ref.namespace, c, obj(podTemplateOf(o)?.spec)) : undefined;
        if (file && 'unread' in file) {
          fromFile.push({ workload: ref, why: file.unread });
          continue;
        }
        const fromDoc = file && fileEntryPointOptions(file.doc);
        const install = fromDoc ? { source: 'file' as const, options: fromDoc.options, unknown: new Set<string>() } : read as Exclude<InstallOptions, { source: 'file' }>;
        // Without flags or a file Traefik reads TRAEFIK_* variables, which envFrom may hold too (not
        // read here); with none of them seen, a file the image carries may be what it reads.
        if (install.source === 'none' || (install.source === 'env' && arr(c.envFrom).length > 0)) namesKnown = false;
        const own = new Set<string>();
        for (const k of install.options.keys()) {
          const m = /^entrypoints\.([^.]+)(?:\.|$)/.exec(k);
          if (m) own.add(m[1]!);
        }
        // Naming none, it has Traefik's own "http" alone (static_config.go SetEffectiveConfiguration),
        // which `defaults` does not model either: left not known.
        if (own.size === 0) namesKnown = false;
        for (const ep of own) names.add(ep);
        let waysOf: ((port: number) => string[]) | null | undefined;
        const secured = new Map<string, string>();
        const flag = install.source === 'env' ? (k: string) => `TRAEFIK_${k.replace(/\./g, '_').toUpperCase()}` : (k: string) => `--${k}`;
        // An option as its source sets it: `--k=v`, `TRAEFIK_K=v`, or the file's key as spelled there and the file.
        const said = (k: string, v: string | undefined) => (fromDoc && file && 'doc' in file
          ? `${fromDoc.spelled.get(k) ?? k}${v ? ` = ${JSON.stringify(v)}` : ''} in ${file.where}`
          : `${flag(k)}${v ? `=${v}` : ''}`);
        for (const [k, v] of install.options) {
          const m = /^entrypoints\.([^.]+)\.(.+)$/.exec(k);
          if (!m) continue;
          const [, ep, rest] = m;
          if (rest === 'address') {
            defined.add(ep);
            if (/\/udp$/i.test(v ?? '')) udp.add(ep);
            const port = addressPort(v);
            if (port === undefined) reachedFromOutside.add(ep);
            else {
              const list = ports.get(ep) ?? [];
              if (!list.includes(port)) ports.set(ep, [...list, port]);
              if (waysOf === undefined) waysOf = edgeWaysOf(snapshot, o) ?? null;
              const ways = waysOf;
              if (!ways) reachedFromOutside.add(ep);
              else for (const way of ways(port)) {
                reachedFromOutside.add(ep);
                edge.set(ep, [...(edge.get(ep) ?? []), way]);
              }
            }
          }
          else if (rest === 'asdefault' && optionOn(v)) asDefault.add(ep);
          else if ((rest === 'http.tls' && optionOn(v)) || rest.startsWith('http.tls.')) secured.set(ep, `TLS (${said(k, v)})`);
          else if (rest === 'http.redirections.entrypoint.to' && v && !secured.has(ep)) {
            const scheme = install.options.get(`entrypoints.${ep}.http.redirections.entrypoint.scheme`) ?? 'https';
            if (scheme.toLowerCase() === 'https') secured.set(ep, `a redirection of every request to https (${said(k, v)})`);
          }
        }
        // An entryPoint's http.middlewares go ahead of every router's own on it (applyModel): a
        // redirection to https among them, before anything that may answer, keeps plaintext off it.
        for (const [k, v] of install.options) {
          const m = /^entrypoints\.([^.]+)\.http\.middlewares$/.exec(k);
          if (m && (v || install.unknown.has(k))) middlewares.push({ workload: ref, entryPoint: m[1], flag: said(k, v), names: install.unknown.has(k) ? [] : (v ?? '').split(',').map((x) => x.trim()).filter(Boolean), ...(install.unknown.has(k) ? { unknown: `${flag(k)} is taken from a value ztaudit cannot read` } : {}) });
          if (!m || secured.has(m[1]) || !v || install.unknown.has(k)) continue;
          const redirect = traefikEntryPointRedirect(snapshot, ref, m[1], v);
          if (redirect) secured.set(m[1], `a redirection of every request to https (${said(k, v)}: ${redirect})`);
        }
        // An entryPoint's http.tls.options is the TLSOption of every router on it without a TLS
        // section of its own (applyModel: `if cp.TLS == nil { cp.TLS = m.TLS }`).
        for (const [ep, how] of secured) {
          if (!how.startsWith('TLS (')) continue;
          const key = `entrypoints.${ep}.http.tls.options`;
          const option = install.options.get(key);
          if (option !== undefined && option !== '' && option !== 'default' && !install.unknown.has(key)) tlsOptions.push({ workload: ref, entryPoint: ep, option, flag: said(key, option) });
        }
        const named = new Set(tlsOptions.filter((t) => t.workload === ref).map((t) => t.entryPoint));
        perWorkload.push(secured);
        const tlsEp = [...secured].find(([ep, how]) => how.startsWith('TLS (') && !named.has(ep));
        if (tlsEp && !tlsEntryPointOf.has(refString(ref))) tlsEntryPointOf.set(refString(ref), `entryPoint ${tlsEp[0]}: ${tlsEp[1]}`);
        if (waysOf === null) withoutService.push(ref);
      }
    }
  }
  const secured = new Map<string, string>();
  if (fromFile.length === 0 && perWorkload.length > 0) {
    for (const [ep, how] of perWorkload[0]) if (perWorkload.every((w) => w.has(ep))) secured.set(ep, how);
  }
  const defaults = [...(asDefault.size > 0 ? asDefault : defined)].filter((ep) => ep !== 'traefik' && !udp.has(ep)).sort();
  const inClusterOnly = new Set(fromFile.length ? [] : [...ports.keys()].filter((ep) => !reachedFromOutside.has(ep)));
  const known = namesKnown && fromFile.length === 0 && workloads.length > 0 ? { names } : {};
  return { workloads, fromFile, defaults, secured, ports, ...known, inClusterOnly, edge, withoutService, tlsEntryPointOf, tlsOptions, middlewares };
}, ['network', 'tls']);

/**
 * The entryPoints a routing object names for its routers, as written: an Ingress's
 * traefik.ingress.kubernetes.io/router.entrypoints (comma-separated), an IngressRoute's or
 * IngressRouteTCP's spec.entryPoints; none named, its routers take the default entryPoints.
 */
export function traefikNamedEntryPoints(o: KubeObject, kind: 'Ingress' | 'IngressRoute' | 'IngressRouteTCP'): string[] {
  return kind === 'Ingress'
    ? (str(obj(o.metadata?.annotations)?.['traefik.ingress.kubernetes.io/router.entrypoints']) ?? '').split(',').map((e) => e.trim()).filter(Boolean)
    : arr(obj(o.spec)?.entryPoints).filter((e): e is string => typeof e === 'string' && e !== '');
}

/**
 * The entryPoints a router naming `named` (its entryPoints, else none) attaches to, and those it
 * names that no Traefik of the snapshot has. Traefik attaches an HTTP or TCP router only to an
 * entryPoint of exactly the name it gives, case included, and logs "entryPoint … doesn't exist" for
 * each other one; with none left the router fails ("no valid entryPoint for this router") and
 * serves nothing (pkg/config/runtime/runtime_http.go and runtime_tcp.go, GetRoutersByEntryPoints,
 * slices.Contains, v2.11.0 and v3.3.4 alike). A name counts as missing only when every Traefik's
 * entryPoints are known (TraefikEntryPoints.names) and none has it; "traefik" never does, as Traefik
 * adds that entryPoint itself for its API, ping or metrics (static_config.go SetEffectiveConfiguration),
 * which is not read here. The names are those of every Traefik of the snapshot, whichever loads the
 * router: a name one of them has is not missing.
 */
export function traefikAttachedEntryPoints(eps: TraefikEntryPoints, named: string[]): { on: string[]; missing: string[] } {
  if (named.length === 0) return { on: eps.defaults, missing: [] };
  const has = (e: string) => !eps.names || eps.names.has(e) || e === 'traefik';
  return { on: named.filter(has), missing: named.filter((e) => !has(e)) };
}

/**
 * Why a router naming `named` is attached to no entryPoint, so serves nothing (traefikAttachedEntryPoints),
 * or undefined when it is attached to one or that is not known. Each name quoted (it comes from the
 * cluster), with the entryPoints some Traefik has under the same name in another case.
 */
export function traefikUnattached(eps: TraefikEntryPoints, named: string[]): string | undefined {
  const { on, missing } = traefikAttachedEntryPoints(eps, named);
  if (named.length === 0 || on.length > 0) return undefined;
  const lower = new Set(missing.map((e) => e.toLowerCase()));
  const cased = [...(eps.names ?? [])].filter((e) => lower.has(e.toLowerCase())).sort();
  return `it names entryPoint${missing.length > 1 ? 's' : ''} ${missing.map((e) => JSON.stringify(e)).join(', ')}, which no Traefik of the snapshot has${cased.length ? ` (entryPoint names are case-sensitive: it has ${cased.map((e) => JSON.stringify(e)).join(', ')})` : ''}: Traefik attaches it to no entryPoint ("no valid entryPoint for this router")`;
}

/** Middlewares by the key Traefik's kubernetescrd provider gives them ("<namespace>-<name>"), each "namespace/name" holding it. */
const traefikMiddlewareKeys = memoize((snapshot: Snapshot): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const id of traefikMiddlewareCopies(snapshot).keys()) {
    const key = id.replace('/', '-');
    m.set(key, [...(m.get(key) ?? []), id]);
  }
  return m;
}, ['network', 'tls']);

/**
 * What redirects every request to https among an entryPoint's http.middlewares (a comma-separated
 * list of qualified names) on the Traefik workload `ref`, or undefined when none is proven to
 * (traefikHttpsRedirect with `referrer` { workload }). Traefik prepends them to every router on the
 * entryPoint (pkg/server/aggregator.go@v2.11.0 lines 139-174 and @v3.3.4 lines 152-212 applyModel,
 * `cp.Middlewares = append(m.Middlewares, cp.Middlewares...)`; the model from
 * pkg/provider/traefik/internal.go@v3.3.4 entryPointModels;
 * https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/, `http.middlewares`).
 * Only "<namespace>-<name>@kubernetescrd" names are read: one of another provider (@file …), or
 * a key no single Middleware of the input holds, stops the walk there, unproven.
 */
function traefikEntryPointRedirect(snapshot: Snapshot, ref: ResourceRef, ep: string, value: string): string | undefined {
  const keys = traefikMiddlewareKeys(snapshot);
  const refs: string[] = [];
  for (const entry of value.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.+)@kubernetescrd$/.exec(entry);
    const ids = m ? keys.get(m[1]) : undefined;
    if (!ids || ids.length !== 1) {
      refs.push(`(${entry})`);
      break;
    }
    refs.push(ids[0]!);
  }
  return traefikHttpsRedirect(snapshot, refs, ref.namespace ?? 'default', `entryPoint ${ep} of ${refString(ref)}`, { workload: ref }).redirect;
}

/** How a Traefik router without a TLS section of its own fares on the entryPoints it attaches to. */
export type TraefikRouterPlaintext =
  /** Every entryPoint keeps it off plaintext HTTP ("web: a redirection of every request to https (…)"). */
  | { plaintext: 'none'; secured: string[]; evidence: Record<string, unknown> }
  /** Plaintext only on entryPoints that clients inside the cluster alone reach ("metrics (port 9100)"); the others keep it off. */
  | { plaintext: 'in-cluster'; secured: string[]; inCluster: string[]; evidence: Record<string, unknown> }
  /**
   * Plaintext on entryPoints reached from outside the cluster, or not known not to be (`plain`
   * empty: every default entryPoint, none being known). `unread`: a Traefik of the snapshot reads
   * its install configuration from a file ztaudit cannot read (TraefikEntryPoints.fromFile), so
   * that cannot be confirmed.
   */
  | { plaintext: 'edge'; plain: string[]; evidence: Record<string, unknown>; unread?: string };

/**
 * The one judgement of a router with no TLS section, from an Ingress or an IngressRoute alike.
 * It attaches to the entryPoints it names, else to the default ones, and answers plain HTTP on
 * each that neither has TLS nor redirects to https (doc.traefik.io reference/install-configuration/entrypoints).
 * Such an entryPoint is at the edge unless Services of the snapshot show that only clients inside
 * the cluster reach its port (inClusterOnly): the Traefik Helm chart defines the entryPoint
 * metrics (port 9100), which getDefaultsEntrypoints makes a default one, but publishes only web
 * and websecure (values.yaml ports.<name>.expose.default).
 */
export function traefikRouterPlaintext(eps: TraefikEntryPoints, named: string[]): TraefikRouterPlaintext {
  // An entryPoint no Traefik has serves it nothing (traefikAttachedEntryPoints); with none left
  // edgeRoutes refuses the router, and its routes are not judged.
  const { on, missing } = traefikAttachedEntryPoints(eps, named);
  const plain = on.filter((e) => !eps.secured.has(e));
  const atEdge = plain.filter((e) => !eps.inClusterOnly.has(e));
  const entryPoints = named.length ? named : '(default entryPoints)';
  const absent = missing.length ? { missingEntryPoints: missing } : {};
  // Attached to none, it answers nothing, in plaintext or not (its callers skip it as refused first).
  if (named.length > 0 && on.length === 0) return { plaintext: 'none', secured: [], evidence: { entryPoints, ...absent } };
  const secured = on.filter((e) => eps.secured.has(e)).map((e) => `${e}: ${eps.secured.get(e)}`);
  const waysIn = Object.fromEntries(on.filter((e) => eps.edge.has(e)).map((e) => [e, eps.edge.get(e)!]));
  const edgeWays = Object.keys(waysIn).length ? { edgeWays: waysIn } : {};
  if (on.length > 0 && plain.length === 0) return { plaintext: 'none', secured, evidence: { entryPoints, securedEntryPoints: secured, ...absent } };
  if (on.length > 0 && atEdge.length === 0) {
    const inCluster = plain.map((e) => `${e} (port${(eps.ports.get(e) ?? []).length > 1 ? 's' : ''} ${(eps.ports.get(e) ?? []).join(', ')})`);
    return { plaintext: 'in-cluster', secured, inCluster, evidence: { entryPoints, securedEntryPoints: secured, inClusterPlaintextEntryPoints: inCluster, ...edgeWays, ...absent } };
  }
  const unseen = eps.workloads.length === 0 ? 'no Traefik workload is in the snapshot'
    : eps.fromFile.length ? `${eps.fromFile.map((f) => refString(f.workload)).join(', ')} read${eps.fromFile.length > 1 ? '' : 's'} a configuration file ztaudit cannot read`
      : undefined;
  const note = unseen ? { note: `Traefik's install configuration is not in the snapshot (${unseen}): entryPoint TLS or an HTTP-to-HTTPS redirection set there is not seen` } : {};
  const exposure = eps.withoutService.length ? { exposure: `no Service of the snapshot selects the pods of ${eps.withoutService.map(refString).join(', ')}: every entryPoint counts as reachable from outside the cluster` } : {};
  // A file ztaudit cannot read (TraefikEntryPoints.fromFile) may set entryPoint TLS or a redirection
  // to https, so a router it would secure is not judged on the defaults
  // (https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file).
  const unread = eps.fromFile.length ? { unread: `whether the entryPoints of ${eps.fromFile.map((f) => refString(f.workload)).join(', ')} keep it off plaintext HTTP cannot be confirmed: ${traefikFilesUnread(eps.fromFile)}` } : {};
  return { plaintext: 'edge', plain: atEdge, evidence: { entryPoints, plaintextEntryPoints: atEdge.length ? atEdge : '(default entryPoints)', ...edgeWays, ...note, ...exposure, ...absent }, ...unread };
}

/** One Traefik container of the snapshot: its workload, image, and the [major, minor] its tag names. */
export interface TraefikInstance {
  ref: ResourceRef;
  image: string;
  /** Undefined when the tag names no version (latest, a digest, none). */
  version?: [number, number];
}

/** The TLSOptions Traefik reads, one per namespace/name, and how many namespaces hold one named "default". */
export interface TraefikTlsOptions {
  options: KubeObject[];
  /** Distinct namespaces holding a TLSOption named "default": more than one and Traefik drops them all. */
  defaultNamespaces: number;
  /** The Traefik containers of the snapshot, in workload order. */
  instances: TraefikInstance[];
}

/**
 * The major releases Traefik has had (v1, v2, v3: https://github.com/traefik/traefik/releases): a
 * tag naming another major (a mirror's own scheme, as mirror/traefik:2023.1) names no Traefik
 * release, and its release is not known.
 */
const TRAEFIK_MAJORS = new Set([1, 2, 3]);

/** A Traefik image's major and minor release (traefik:v3.1.2 → [3, 1]), undefined when its tag names none (TRAEFIK_MAJORS). */
function traefikImageVersion(image: string): [number, number] | undefined {
  const v = nginxImageVersion(image);
  return v && TRAEFIK_MAJORS.has(v[0]) ? v : undefined;
}

/** The major release a tag naming no minor release names (traefik:v3, traefik:3 → 3), undefined for any other tag and a major Traefik never had. */
function imageMajor(image: string): number | undefined {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return undefined;
  const m = /^v?(\d+)(-|$)/.exec(ref.slice(colon + 1));
  return m && TRAEFIK_MAJORS.has(Number(m[1])) ? Number(m[1]) : undefined;
}

/** The patch release an image tag names (traefik:v2.4.12 → 12), undefined when it names none. */
function imagePatch(image: string): number | undefined {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return undefined;
  const m = /^v?\d+\.\d+\.(\d+)(\.|-|$)/.exec(ref.slice(colon + 1));
  return m ? Number(m[1]) : undefined;
}

const versionBelow = (v: [number, number], major: number, minor: number) => v[0] < major || (v[0] === major && v[1] < minor);

/**
 * The lowest TLS version a Traefik release accepts by default, from its source (traefik/traefik):
 * - `builtin`: routers whose TLS options are Traefik's built-in default (no TLSOption "default" in
 *   effect). pkg/tls/tlsmanager.go DefaultTLSOptions sets MinVersion "VersionTLS12" from v2.9.0 on
 *   (commit c84378d649 "Change default TLS options for more security", traefik/traefik#6756);
 *   before it sets none, and Go's server default applies.
 * - `option`: routers of a TLSOption with no minVersion. Traefik leaves tls.Config.MinVersion
 *   unset (pkg/tls/tlsmanager.go buildTLSConfig; Options.SetDefaults sets only ALPN), so Go's
 *   server default applies: TLS 1.0 until Go 1.22, which raised it to TLS 1.2 for modules whose
 *   go.mod says go 1.22 or later (GODEBUG tls10server). Traefik's go.mod says go 1.19 or 1.20 before
 *   v2.10, go 1.20 or 1.21 at v2.10, go 1.22 at v2.11.0 and v3.0, so releases before v2.11 accept TLS 1.0.
 * The same Go line decides the cipher suites of a TLSOption without cipherSuites (goBefore122).
 */
export function traefikDefaultMinTls(v: [number, number]): { builtin: '1.0' | '1.2'; option: '1.0' | '1.2'; goBefore122: boolean } {
  const goBefore122 = versionBelow(v, 2, 11);
  return { builtin: versionBelow(v, 2, 9) ? '1.0' : '1.2', option: goBefore122 ? '1.0' : '1.2', goBefore122 };
}

const TRAEFIK_TLS_VERSIONS = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'];

/**
 * A TLSOption's minVersion as Traefik applies it: one of the names of its MinVersion map
 * (pkg/tls/certificate.go@v2.10.7: VersionTLS10 … VersionTLS13), else undefined. buildTLSConfig sets
 * tls.Config.MinVersion only for a name in that map (pkg/tls/tlsmanager.go@v2.10.7 line 365, `if
 * minConst, exists := MinVersion[tlsOption.MinVersion]; exists`; the same at v2.8.8 and v3.1.2), and
 * the CRD takes any string (traefik.io_tlsoptions.yaml@v2.10.7: `type: string`, "Default:
 * VersionTLS10"), so "TLS12" or "VersionTLS1.2" leaves the minimum unset: Go's server default.
 * `unknown` is the value Traefik ignored, when there was one.
 */
export function traefikMinVersion(spec: Record<string, unknown>): { min?: string; unknown?: string } {
  const raw = spec.minVersion;
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'string' && TRAEFIK_TLS_VERSIONS.includes(raw)) return { min: raw };
  return { unknown: typeof raw === 'string' ? raw : JSON.stringify(raw) };
}

/**
 * Why a TLSOption accepts no TLS version at all, or undefined when it accepts one (or that is not
 * known). Traefik copies minVersion and maxVersion into Go's tls.Config without comparing them
 * (pkg/tls/tlsmanager.go@v3.3.4 lines 374-380 buildTLSConfig, the names of pkg/tls/certificate.go
 * MinVersion/MaxVersion; a name it does not know is left unset), and Go's crypto/tls offers only the
 * versions from MinVersion to MaxVersion (src/crypto/tls/common.go Config.supportedVersions): with
 * the minimum above the maximum none is left, and every handshake ends in "tls: client offered only
 * unsupported versions" (handshake_server.go). An unset (or unknown) minVersion is Go's server
 * default, `unsetMin` ('1.0' before Go 1.22, '1.2' from it: traefikDefaultMinTls; undefined when
 * the release is not known); an unset maxVersion is TLS 1.3.
 */
export function traefikOptionAcceptsNoVersion(spec: Record<string, unknown>, unsetMin: '1.0' | '1.2' | undefined): string | undefined {
  const min = typeof spec.minVersion === 'string' ? spec.minVersion : undefined;
  const max = typeof spec.maxVersion === 'string' ? spec.maxVersion : undefined;
  const maxAt = max === undefined ? -1 : TRAEFIK_TLS_VERSIONS.indexOf(max);
  if (maxAt < 0) return undefined;
  const minSet = min !== undefined && TRAEFIK_TLS_VERSIONS.includes(min);
  const minAt = minSet ? TRAEFIK_TLS_VERSIONS.indexOf(min) : unsetMin === undefined ? undefined : unsetMin === '1.0' ? 0 : 2;
  if (minAt === undefined || minAt <= maxAt) return undefined;
  return minSet ? `its minVersion ${min} is above its maxVersion ${max}` : `its maxVersion ${max} is below TLS 1.2, Go's minimum when no minVersion is set`;
}

/** Traefik's TLSOptions of both API groups. */
export const TRAEFIK_TLS_OPTION_KEYS = ['traefik.tlsoptions', 'traefik-legacy.tlsoptions'] as const;

/**
 * The TLSOptions Traefik reads. Traefik v3 watches only the traefik.io group (v3.0 removed
 * traefik.containo.us: https://doc.traefik.io/traefik/migration/v2-to-v3/), so the legacy group
 * counts only when no Traefik workload of the snapshot is known to run v3 or later (an image tag
 * naming no version keeps both). One namespace/name is one TLSOption, traefik.io's copy first:
 * Traefik keys its options by name and namespace (pkg/provider/kubernetes/crd/kubernetes.go
 * buildTLSOptions), which drops "default" only when several namespaces define one.
 */
export const traefikTlsOptions = memoize((snapshot: Snapshot): TraefikTlsOptions => {
  const instances: TraefikInstance[] = [];
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      for (const raw of arr(obj(podTemplateOf(o)?.spec)?.containers)) {
        const image = str(obj(raw)?.image) ?? '';
        if (!TRAEFIK_IMAGE.test(imageRepository(image))) continue;
        const version = traefikImageVersion(image);
        instances.push({ ref: { kind: o.kind ?? 'Deployment', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' }, image, ...(version ? { version } : {}) });
      }
    }
  }
  const v3 = instances.length > 0 && instances.every((i) => i.version !== undefined && i.version[0] >= 3);
  const legacy = snapshot.resources['traefik-legacy.tlsoptions'] ?? [];
  const seen = new Set<string>();
  const options: KubeObject[] = [];
  for (const o of [...(snapshot.resources['traefik.tlsoptions'] ?? []), ...(v3 ? [] : legacy)]) {
    const id = `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    options.push(o);
  }
  const defaultNamespaces = new Set(options.filter((o) => o.metadata?.name === 'default').map((o) => o.metadata?.namespace ?? 'default')).size;
  return { options, defaultNamespaces, instances };
}, 'tls');

/**
 * Which TLSOptions named "default" (of traefikTlsOptions) the Traefik workload `ref` reads: its
 * Kubernetes CRD provider sees them (traefikCrdSees: its watched namespaces,
 * providers.kubernetesCRD.namespaces, and its API groups by release). Traefik's informers list only
 * the watched namespaces (pkg/provider/kubernetes/crd/client.go@v2.8.8 WatchAll, lines 145-194:
 * one informer factory per listed namespace), so a TLSOption "default" elsewhere does not exist
 * for it, and its routers without TLS options take the built-in default (pkg/tls/tlsmanager.go
 * DefaultTLSOptions). A workload running no CRD provider reads none. `read`: their namespaces;
 * `unknown`: why it is not known for the others that may be read; `unread`: why each is not.
 */
export function traefikDefaultOptionsRead(snapshot: Snapshot, ref: ResourceRef): { read: string[]; unknown: string[]; unread: string[] } {
  const id = refString(ref);
  const providers = traefikCrdProviders(snapshot).filter((p) => p.ref !== undefined && refString(p.ref) === id);
  const out = { read: [] as string[], unknown: [] as string[], unread: [] as string[] };
  for (const o of traefikTlsOptions(snapshot).options) {
    if (o.metadata?.name !== 'default') continue;
    const ns = o.metadata?.namespace ?? 'default';
    const answers = providers.map((p) => traefikCrdSees(p, o));
    if (answers.some((a) => a.sees === true)) out.read.push(ns);
    else if (answers.some((a) => a.sees === undefined)) out.unknown.push(`TLSOption ${ns}/default: ${answers.find((a) => a.sees === undefined)!.why}`);
    else out.unread.push(`TLSOption ${ns}/default: ${providers.length ? answers.map((a) => a.why).join('; ') : `${id} runs no Kubernetes CRD provider (providers.kubernetesCRD)`}`);
  }
  return out;
}

/** traefikDefaultOptionsRead for every Traefik workload of the snapshot (refString of its ref), built once. */
const traefikDefaultsRead = memoize((snapshot: Snapshot): Map<string, { read: string[]; unknown: string[]; unread: string[] }> => {
  const m = new Map<string, { read: string[]; unknown: string[]; unread: string[] }>();
  for (const i of traefikTlsOptions(snapshot).instances) if (!m.has(refString(i.ref))) m.set(refString(i.ref), traefikDefaultOptionsRead(snapshot, i.ref));
  return m;
}, 'tls');

/** The TLSOptions named "default" the Traefik workload `ref` reads (traefikDefaultOptionsRead), from the index built once. */
export function traefikDefaultsReadBy(snapshot: Snapshot, ref: ResourceRef): { read: string[]; unknown: string[]; unread: string[] } {
  return traefikDefaultsRead(snapshot).get(refString(ref)) ?? traefikDefaultOptionsRead(snapshot, ref);
}

/** The Traefik CRD providers of the snapshot by workload (refString), built once. */
const traefikCrdProvidersByWorkload = memoize((snapshot: Snapshot): Map<string, TraefikCrdProvider[]> => {
  const m = new Map<string, TraefikCrdProvider[]>();
  for (const p of traefikCrdProviders(snapshot)) {
    if (!p.ref) continue;
    const l = m.get(refString(p.ref));
    if (l) l.push(p);
    else m.set(refString(p.ref), [p]);
  }
  return m;
}, 'tls');

/** The Kubernetes CRD providers the Traefik workload `ref` runs (none: it runs no CRD provider). */
export function traefikCrdProvidersOf(snapshot: Snapshot, ref: ResourceRef): TraefikCrdProvider[] {
  return traefikCrdProvidersByWorkload(snapshot).get(refString(ref)) ?? [];
}

/**
 * The Traefik containers a TLSOption's verdict is judged for, and whether Traefik drops it. Each
 * Traefik loads only the TLSOptions its Kubernetes CRD provider sees (traefikCrdSees: the
 * namespaces providers.kubernetesCRD.namespaces lists, the API groups of its release; its
 * informers list nothing else, pkg/provider/kubernetes/crd/client.go WatchAll @v2.11.0 and
 * @v3.3.4), and builds its TLS options from those alone (kubernetes.go buildTLSOptions), so:
 * - `instances`: the Traefiks that read it or may (their release decides the defaults it leaves
 *   unset);
 * - `unloaded`, with `instances` empty, when every Traefik of the snapshot surely does not read it
 *   (a namespace it does not watch, a labelSelector not selecting it, an API group its release
 *   does not read, no CRD provider): no router of theirs can use it, so it is not judged. Its
 *   ingress class plays no part: buildTLSOptions takes every TLSOption the informers list
 *   (pkg/provider/kubernetes/crd/kubernetes.go@v3.3.4 lines 1023-1033, no shouldProcessIngress);
 * - for a TLSOption named "default", Traefik drops it when that Traefik reads a TLSOption named
 *   "default" in more than one namespace ("Default TLS Options defined in multiple namespaces",
 *   buildTLSOptions): `dropped` (how many such namespaces) when it is dropped for every Traefik
 *   reading it; where one reader keeps it, `instances` are those keeping it, and `droppedFor` the
 *   readers that drop it (their routers take the built-in default: the per-workload finding).
 * With no Traefik workload in the snapshot, every TLSOption counts, as Traefik with its defaults
 * would read them all: `dropped` when several namespaces hold a "default".
 */
export function traefikOptionScope(snapshot: Snapshot, option: KubeObject): { instances: TraefikInstance[]; dropped?: number; droppedFor: TraefikInstance[]; unloaded?: string } {
  const { instances, defaultNamespaces } = traefikTlsOptions(snapshot);
  const isDefault = option.metadata?.name === 'default';
  if (instances.length === 0) return { instances, droppedFor: [], ...(isDefault && defaultNamespaces > 1 ? { dropped: defaultNamespaces } : {}) };
  const byWorkload = traefikCrdProvidersByWorkload(snapshot);
  const readers = instances.filter((i) => (byWorkload.get(refString(i.ref)) ?? []).some((p) => traefikCrdSees(p, option).sees !== false));
  // No Traefik of the input loads it: it is configuration no router can use, and judging it against
  // the releases of Traefiks that never read it would only guess; `unloaded` says why, per Traefik.
  if (readers.length === 0) return { instances: [], droppedFor: [], unloaded: traefikUnloadedWhy(instances, byWorkload, option) };
  if (!isDefault) return { instances: readers, droppedFor: [] };
  // Those it may read count (a release or namespaces not known): Traefik with every one read would drop them.
  const count = (i: TraefikInstance) => { const r = traefikDefaultsReadBy(snapshot, i.ref); return r.read.length + r.unknown.length; };
  const keeping = readers.filter((i) => count(i) <= 1);
  const droppedFor = readers.filter((i) => count(i) > 1);
  if (keeping.length) return { instances: keeping, droppedFor };
  return { instances: droppedFor, droppedFor, dropped: Math.max(...droppedFor.map(count)) };
}

/** Why no Traefik container of the input loads this TLSOption: each one's reason, its workload named. */
function traefikUnloadedWhy(instances: TraefikInstance[], byWorkload: Map<string, TraefikCrdProvider[]>, option: KubeObject): string {
  const whys = new Set<string>();
  for (const i of instances) {
    const id = refString(i.ref);
    const providers = byWorkload.get(id) ?? [];
    if (providers.length === 0) whys.add(`${id} runs no Kubernetes CRD provider (providers.kubernetesCRD)`);
    for (const p of providers) whys.add(traefikCrdSees(p, option).why ?? `${id} does not read it`);
  }
  return [...whys].join('; ');
}

/**
 * Traefik Middlewares by "namespace/name", each copy of both API groups, traefik.io's first (a
 * reader that asks which copy a Traefik reads takes the list; traefikMiddlewareIndex the first).
 * Names keep the order traefik-legacy's list, then traefik.io's, gives them.
 */
const traefikMiddlewareCopies = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => {
  const m = new Map<string, KubeObject[]>();
  for (const key of ['traefik-legacy.middlewares', 'traefik.middlewares'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const id = `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
      const list = m.get(id);
      if (!list) m.set(id, [o]);
      else if (key === 'traefik.middlewares') list.unshift(o);
      else list.push(o);
    }
  }
  return m;
}, ['network', 'tls']);

/** Traefik Middlewares of both API groups by "namespace/name", traefik.io's copy where both exist (the edge guards read them through it too). */
export const traefikMiddlewareIndex = memoize((snapshot: Snapshot): Map<string, KubeObject> => {
  const m = new Map<string, KubeObject>();
  for (const [id, copies] of traefikMiddlewareCopies(snapshot)) m.set(id, copies[0]!);
  return m;
}, ['network', 'tls']);

/** Traefik's TCP middlewares of both API groups (MiddlewareTCP). */
export const TRAEFIK_TCP_MIDDLEWARE_KEYS = ['traefik.middlewaretcps', 'traefik-legacy.middlewaretcps'] as const;

/** Traefik MiddlewareTCPs of both API groups by "namespace/name", traefik.io's copy first, as for Middlewares. */
export const traefikMiddlewareTcpIndex = memoize((snapshot: Snapshot): Map<string, KubeObject> => {
  const m = new Map<string, KubeObject>();
  for (const key of ['traefik-legacy.middlewaretcps', 'traefik.middlewaretcps'] as const) for (const o of snapshot.resources[key] ?? []) m.set(`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o);
  return m;
}, ['network', 'tls']);

/** What one MiddlewareTCP does, or why Traefik cannot build it. */
export type TraefikTcpMiddleware =
  | { type: 'ipAllowList' | 'ipWhiteList'; sourceRange: string[] }
  | { type: 'inFlightConn'; amount: number | undefined }
  | { type: 'invalid'; why: string };

/**
 * Whether Traefik takes a sourceRange entry of an IP allowlist: an address (Go net.ParseIP), else
 * a CIDR (net.ParseCIDR). One it cannot parse fails the whole middleware: pkg/ip/checker.go
 * NewChecker returns "parsing CIDR trusted IPs", and the TCP ipallowlist New "cannot parse CIDRs"
 * (traefik/traefik pkg/middlewares/tcp/ipallowlist/ip_allowlist.go), so BuildChain fails and the
 * router is not built. Go takes neither a zone ("fe80::1%eth0") nor an IPv4 part with a leading zero.
 */
export function traefikSourceRangeEntry(v: unknown): boolean {
  if (typeof v !== 'string' || v.includes('%')) return false;
  return v.includes('/') ? parseCidr(v) !== undefined : parseIp(v) !== undefined;
}

/**
 * The one middleware a MiddlewareTCP's spec builds. Traefik takes inFlightConn, then ipWhiteList,
 * then ipAllowList, the last one set replacing the others, and refuses a spec setting none, or an
 * allowlist with an empty sourceRange or an entry it cannot parse (traefik/traefik
 * pkg/server/middleware/tcp/middlewares.go buildConstructor; pkg/middlewares/tcp/ipallowlist New:
 * "sourceRange is empty", traefikSourceRangeEntry). Documented at
 * https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/ipallowlist/
 * (sourceRange required) and .../tcp/middlewares/inflightconn/.
 */
export function traefikTcpMiddlewareOf(mw: KubeObject): TraefikTcpMiddleware {
  const spec = obj(mw.spec) ?? {};
  for (const type of ['ipAllowList', 'ipWhiteList'] as const) {
    const o = obj(spec[type]);
    if (!o) continue;
    const sourceRange = arr(o.sourceRange);
    if (sourceRange.length === 0) return { type: 'invalid', why: `its ${type}.sourceRange is empty` };
    const bad = sourceRange.find((x) => !traefikSourceRangeEntry(x));
    if (bad !== undefined) return { type: 'invalid', why: `its ${type}.sourceRange entry ${JSON.stringify(bad)} is neither an IP address nor a CIDR` };
    return { type, sourceRange: sourceRange as string[] };
  }
  const inFlight = obj(spec.inFlightConn);
  if (inFlight) return { type: 'inFlightConn', amount: typeof inFlight.amount === 'number' ? inFlight.amount : undefined };
  return { type: 'invalid', why: 'it sets none of inFlightConn, ipAllowList, ipWhiteList' };
}

/**
 * Middleware kinds that only rewrite the request or response and never answer it themselves
 * (doc.traefik.io reference/routing-configuration/http/middlewares/overview): one of them ahead
 * of a RedirectScheme leaves the redirection in force. Any other kind (basicAuth, forwardAuth,
 * ipAllowList, rateLimit, errors, buffering, plugins …) may answer the plaintext request first.
 */
const NEVER_ANSWERS = new Set(['headers', 'addprefix', 'stripprefix', 'stripprefixregex', 'replacepath', 'replacepathregex', 'compress', 'contenttype']);

/**
 * Whether a Traefik router's middlewares answer every request with a redirect to https: `redirect`
 * says by which Middleware; `unproven`, when a Middleware may redirect to https but that cannot be
 * proven (a redirectRegex ztaudit cannot read: traefikRegexRedirectsToHttps); else `note`, when one
 * is missing or decides otherwise.
 */
export type TraefikHttpsRedirect = { redirect: string; note?: undefined; unproven?: undefined } | { unproven: string; redirect?: undefined; note?: undefined } | { redirect?: undefined; note?: string; unproven?: undefined };

// The redirectRegex forms proven to send every plaintext request to https on the same host
// (traefikRegexRedirectsToHttps): the regex, then the replacements that rebuild what it captured.
const HTTP_PREFIXES = ['^http://', '^http:\\/\\/'];
const GROUP = (n: number) => [`$${n}`, `\${${n}}`];
const REGEX_REDIRECTS: Map<string, Set<string>> = new Map([
  ...HTTP_PREFIXES.flatMap((p) => ['(.*)', '(.*)$'].map((b): [string, Set<string>] => [p + b, new Set(GROUP(1).map((g) => `https://${g}`))])),
  ...HTTP_PREFIXES.flatMap((p) => ['([^/]+)(.*)', '([^/]+)(.*)$', '([^\\/]+)(.*)', '([^\\/]+)(.*)$'].map((b): [string, Set<string>] => [p + b, new Set(GROUP(1).flatMap((a) => GROUP(2).map((b2) => `https://${a}${b2}`)))])),
]);

/**
 * Whether a redirectRegex Middleware answers every request a router without TLS gets with a
 * redirect to https on the same host, proven for a few exact forms only (REGEX_REDIRECTS:
 * `^http://(.*)` to `https://${1}`, `^http://([^/]+)(.*)` to `https://${1}${2}`, with `$1` or
 * `${1}`, an optional `$`, `\/` for `/`). Traefik matches the regex against "http://" + Host +
 * request URI when the connection has no TLS (pkg/middlewares/redirect/redirect_regex.go@v3.1.2
 * lines 23-48 rawURL: scheme schemeHTTP unless req.TLS != nil), and redirects when the rewritten
 * URL differs (redirect.go@v3.1.2 lines 53-70, regexp.ReplaceAllString with Go's $1/${1}
 * expansion, where `$1x` would name a group "1x"). No regular expression is run here: the exact
 * text is compared with these forms, whose meaning in Go's RE2 is plain: `.` matches any character
 * but a line break, which a request line cannot hold, so `(.*)` takes the rest of the URL; `[^/]+`
 * takes the Host, which a browser always sends (only a request without a Host header, which matches
 * no Host rule, escapes the second form). As for a RedirectScheme, a client that sends an absolute
 * https:// request target over plain HTTP (a proxy client, never a browser) is not redirected:
 * rawURL takes that scheme. Any other regex or replacement: false, not proven.
 */
export function traefikRegexRedirectsToHttps(regex: unknown, replacement: unknown): boolean {
  return typeof regex === 'string' && typeof replacement === 'string' && REGEX_REDIRECTS.get(regex)?.has(replacement) === true;
}

/**
 * Whether the Middlewares a Traefik router lists ("namespace/name", in order, chains followed)
 * redirect every request to https before anything else can answer it. A RedirectScheme
 * "redirects the request if the request scheme is different from the configured scheme"
 * (https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/redirectscheme/),
 * so on a router without TLS, whose requests are http, scheme: https redirects them all and the
 * router forwards nothing. `where` names the routing object in notes.
 *
 * allowCrossNamespace (https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace)
 * constrains only the kubernetescrd provider's own references: an IngressRoute's middlewares and a
 * chain's (pkg/provider/kubernetes/crd/kubernetes.go resolveReference/isNamespaceAllowed). A
 * Middleware of another namespace counts there only where the Traefiks taking the route (`referrer`
 * { crd: the IngressRoute }; for an Ingress's chains, { ingress }, the CRD providers of the Traefiks
 * serving it: traefikCrdProvidersResolving) are known to allow it
 * (traefikCrossNamespace). An Ingress's traefik.ingress.kubernetes.io/router.middlewares names
 * "<namespace>-<name>@kubernetescrd", which the Ingress provider hands on as written
 * (pkg/provider/kubernetes/ingress has no namespace rule; traefik/traefik#6284,
 * traefik/traefik-helm-chart#1685), so `referrer` { ingress } takes a Middleware of any namespace;
 * the chains it leads to keep the rule. A Middleware counts only as a copy some Traefik resolving
 * the route reads (traefikCrdCounts: its API group by that Traefik's release, traefik.io under a
 * release that is not known, its watched namespaces), as the edge guards count Middlewares;
 * otherwise the route is not taken as redirected. `referrer` { workload } is an entryPoint's
 * http.middlewares of that Traefik (traefikEntryPointMiddlewares): named "<key>@kubernetescrd" in
 * the install configuration, they take a Middleware of any namespace its CRD provider reads
 * (traefikCrdSees), as an Ingress's do; the chains they lead to keep the rule.
 */
export function traefikHttpsRedirect(snapshot: Snapshot, refs: string[], routeNs: string, where: string, referrer: { ingress: KubeObject } | { crd: KubeObject } | { workload: ResourceRef }): TraefikHttpsRedirect {
  const index = traefikMiddlewareCopies(snapshot);
  const routeObject = 'ingress' in referrer ? referrer.ingress : 'crd' in referrer ? referrer.crd : undefined;
  let providers: TraefikCrdProvider[] | undefined;
  let cross: ReturnType<typeof traefikCrossNamespace> | undefined;
  let chained: ReturnType<typeof traefikCrossRefusal> | undefined;
  const seen = new Set<string>();
  type Step = { found: string } | { stop: string } | { unproven: string } | undefined;
  const walk = (ref: string, depth: number, fromNs: string): Step => {
    if (seen.has(ref) || depth > 8) return undefined;
    seen.add(ref);
    const copies = index.get(ref);
    // One the snapshot surely lacks leaves the router unserved (edge/routes.ts traefikMiddlewaresAbsence): met here, it could not be looked for.
    if (!copies) return { stop: `Traefik Middleware ${ref}, which ${where} uses, is not in the input` };
    // Only a copy that counts for some Traefik resolving the route (traefikCrdCounts: its API group,
    // its watched namespaces, as the edge guards count Middlewares and TLSOptions) redirects for it.
    providers ??= 'workload' in referrer ? traefikCrdProvidersOf(snapshot, referrer.workload) : traefikCrdProvidersResolving(snapshot, routeObject);
    const answers = copies.map((c) => ({ c, sees: providers!.map((p) => (routeObject ? traefikCrdCounts(p, c, routeObject) : traefikCrdSees(p, c))) }));
    const mw = answers.find((a) => a.sees.some((x) => x.sees === true))?.c;
    if (!mw) {
      const why = answers.flatMap((a) => a.sees).find((x) => x.why)?.why ?? 'no Traefik serving it runs the CRD provider';
      return { stop: `Traefik Middleware ${ref}, which ${where} uses, is there, but ${why}, so it redirects nothing that is known` };
    }
    const ns = mw.metadata?.namespace ?? 'default';
    if (ns !== fromNs && depth > 0) {
      // A chain member: built unchecked before v2.11.43, v3.6.14 and v3.7.0 (traefikCrossRefusal 'chain').
      chained ??= traefikCrossRefusal(snapshot, routeObject ?? ('workload' in referrer ? referrer : undefined), 'chain');
      if (chained.refused !== false) return { stop: `Traefik Middleware ${ref} is a chain member of another namespace than its chain's: Traefik's kubernetescrd provider refuses it without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on, ${chained.refused === true ? 'as it does here' : 'which is not known here'} (${chained.why})` };
    } else if (ns !== fromNs && 'crd' in referrer) {
      cross ??= traefikCrossNamespace(snapshot, referrer.crd);
      if (cross.allowed !== true) return { stop: `Traefik Middleware ${ref} is in another namespace than ${where} uses it from: Traefik uses it only with the kubernetescrd provider's allowCrossNamespace on, which is ${cross.allowed === false ? 'off' : 'not known'} (${cross.why})` };
    }
    const spec = obj(mw.spec) ?? {};
    const rs = obj(spec.redirectScheme);
    if (rs) {
      const scheme = str(rs.scheme);
      return scheme?.toLowerCase() === 'https' ? { found: `Traefik Middleware ${ref} (redirectScheme to https${rs.permanent === true ? ', permanent' : ''})` }
        : { stop: `Traefik Middleware ${ref} redirects to scheme ${scheme ?? '(none set)'}, not https` };
    }
    const rr = obj(spec.redirectRegex);
    if (rr) {
      const what = `Traefik Middleware ${ref} (redirectRegex ${JSON.stringify(rr.regex ?? null)} to ${JSON.stringify(rr.replacement ?? null)}${rr.permanent === true ? ', permanent' : ''})`;
      return traefikRegexRedirectsToHttps(rr.regex, rr.replacement) ? { found: what }
        : { unproven: `${what} may redirect plaintext requests, but that it sends every one to https on the same host cannot be confirmed: only the forms ^http://(.*) to https://\${1} and ^http://([^/]+)(.*) to https://\${1}\${2} are read` };
    }
    const chain = obj(spec.chain);
    if (chain) {
      for (const c of arr(chain.middlewares)) {
        const name = str(obj(c)?.name);
        const step = name ? walk(`${str(obj(c)?.namespace) ?? ns}/${name}`, depth + 1, ns) : undefined;
        if (step) return step;
      }
      return undefined;
    }
    const answering = Object.keys(spec).filter((k) => !NEVER_ANSWERS.has(k.toLowerCase()));
    return answering.length ? { stop: `Traefik Middleware ${ref} (${answering.join(', ')}) comes ahead of any redirection to https and may answer the request itself` } : undefined;
  };
  for (const ref of refs) {
    const step = walk(ref, 0, routeNs);
    if (step) return 'found' in step ? { redirect: step.found } : 'unproven' in step ? { unproven: step.unproven } : { note: step.stop };
  }
  return {};
}

/**
 * Whether a Traefik router without a TLS section of its own gets only plain-http requests on the
 * entryPoints it attaches to (named, else the defaults): none of them has entryPoint TLS and the
 * install configuration is read. Only then does a RedirectScheme to https redirect every request
 * it gets; on an entryPoint with TLS the scheme is already https and the router forwards.
 */
export function traefikRouterOnlyHttp(eps: TraefikEntryPoints, named: string[]): boolean {
  const { on } = traefikAttachedEntryPoints(eps, named);
  return eps.workloads.length > 0 && eps.fromFile.length === 0 && on.length > 0 && on.every((e) => !eps.secured.get(e)?.startsWith('TLS'));
}

/** Traefik's TCP routers of both API groups (IngressRouteTCP). */
export const TRAEFIK_TCP_ROUTE_KEYS = ['traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps'] as const;

/** An IngressRouteTCP that passes TLS through: its namespace, name and the HostSNI hosts of its routes. */
export interface TraefikTcpPassthrough {
  namespace: string;
  name: string;
  /** The host names its routes' HostSNI(`…`) matchers list ("*" left out). */
  hosts: string[];
}

/**
 * IngressRouteTCPs with tls.passthrough: true that a Traefik's CRD provider takes (traefikCrdProvidersFor). Traefik then reads only the SNI of the ClientHello
 * and hands the encrypted stream to the backend ("passthrough: If true, delegates the TLS
 * termination to the backend", https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroutetcp;
 * traefik/traefik pkg/provider/kubernetes/crd/kubernetes_tcp.go builds no TLS configuration for
 * such a route): no TLSOption applies and the backend decides the TLS version and ciphers, as
 * behind a Gateway API Passthrough listener.
 */
export const traefikTcpPassthroughRoutes = memoize((snapshot: Snapshot): TraefikTcpPassthrough[] => {
  const out: TraefikTcpPassthrough[] = [];
  for (const key of TRAEFIK_TCP_ROUTE_KEYS) {
    for (const r of snapshot.resources[key] ?? []) {
      const spec = obj(r.spec);
      if (obj(spec?.tls)?.passthrough !== true || traefikCrdProvidersFor(snapshot, r).length === 0) continue;
      const hosts = new Set<string>();
      for (const route of arr(spec?.routes)) {
        const match = str(obj(route)?.match) ?? '';
        for (const m of match.matchAll(/HostSNI\(([^)]*)\)/g)) for (const h of m[1].split(',')) {
          const host = h.trim().replace(/^[`"']|[`"']$/g, '');
          if (host && host !== '*') hosts.add(host);
        }
      }
      out.push({ namespace: r.metadata?.namespace ?? 'default', name: r.metadata?.name ?? '', hosts: [...hosts] });
    }
  }
  return out;
}, 'tls');
