// Contour's own cipher list: the `tls.cipher-suites` of the configuration file `contour serve`
// reads with --config-path (projectcontour/contour pkg/config/parameters.go TLSParameters
// CipherSuites, yaml "cipher-suites"), in the example deployment a ConfigMap "contour" mounted at
// /config (examples/contour/03-contour.yaml). Unset, Contour applies its DefaultTLSCiphers
// (apis/projectcontour/v1alpha1/ciphersuites.go); a name outside ValidTLSCiphers stops Contour
// (TLSCiphers.Validate), so every name listed is one Envoy serves.
// With --contour-config-name, `contour serve` reads a ContourConfiguration instead, its
// spec.envoy.listener.tls.cipherSuites (apis/projectcontour/v1alpha1/contourconfig.go EnvoyTLS;
// same default): "If ContourConfiguration resource is specified, it takes precedence, otherwise
// config file" (cmd/contour/serve.go; both given, Contour refuses to start), looked up in the
// namespace of the CONTOUR_NAMESPACE environment variable, "projectcontour" when it is unset
// (cmd/contour/contour.go getContourConfiguration).

import { parse } from 'yaml';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { gatewayListenerLabel, gatewayListeners } from '../edge/listener-sets.ts';
import { imageRepository } from '../images.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { podTemplateOf } from '../workloads.ts';
import { configMapData, nginxImageVersion } from './nginx.ts';

/** Contour's DefaultTLSCiphers, "[a|b]" being BoringSSL's equal-preference group. */
export const CONTOUR_DEFAULT_CIPHERS: readonly string[] = [
  '[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]',
  '[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];

/** A TLS version a Contour virtual host negotiates at the least: before v1.11 Contour allowed TLS 1.1 (contourTlsVersion). */
export type ContourTlsVersion = '1.1' | '1.2' | '1.3';

/** A `contour serve` image's release: [major, minor] from its tag, or undefined when the tag names none (latest, a digest). */
export interface ContourRelease { image: string; version?: [number, number] }

const below = (v: [number, number], major: number, minor: number) => v[0] < major || (v[0] === major && v[1] < minor);

/**
 * The cipher list a Contour release gives Envoy when none is configured, from projectcontour/contour:
 * through v1.10 internal/envoy/auth.go Ciphers (v1.4.0 ~37-38, v1.10.0 ~29-36) enables the
 * ECDHE-ECDSA/RSA AES128-SHA and AES256-SHA (CBC) suites; v1.11.0 comments out the RSA two
 * (#3154) and keeps the ECDSA two; v1.12.0 enables all four again (reverts #3300, #3301);
 * v1.13.0 pkg/config/ciphersuites.go DefaultTLSCiphers comments out all four (#3304), today's
 * list. An image naming no version is taken at today's list (the note says so).
 */
export function contourDefaultCiphers(version: [number, number] | undefined): readonly string[] {
  if (!version || !below(version, 1, 13)) return CONTOUR_DEFAULT_CIPHERS;
  const cbc = version[0] === 1 && version[1] === 11 ? ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA'] : ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA'];
  return [...CONTOUR_DEFAULT_CIPHERS, ...cbc];
}

/** The OpenSSL names of a Contour cipher list, equal-preference groups opened. */
export const contourCipherNames = (list: readonly string[]): string[] => list.flatMap((c) => c.replace(/^\[|\]$/g, '').split('|')).map((c) => c.trim()).filter(Boolean);

const CONTOUR_IMAGE = /(^|\/)contour$/;

/** What one `contour serve` container's configuration says about its cipher list. */
export type ContourCiphers =
  | {
    ref: ResourceRef; ciphers: string[]; source: string;
    /** The lowest TLS version any virtual host it serves negotiates (tls.minimum-protocol-version), and where that comes from. */
    minimum: ContourTlsVersion; minimumSource: string;
    /** Its image and the release the tag names. */
    release: ContourRelease;
    /**
     * The ingress classes it takes: --ingress-class-name, or with --contour-config-name the
     * ContourConfiguration's spec.ingress.classNames (the flag then ignored); empty: Contour's
     * default ('' or "contour"); undefined: not known, so every host counts as its.
     */
    ingressClasses: string[] | undefined;
    /**
     * Whether it ignores HTTPProxy routes' permitInsecure: the configuration file's
     * disablePermitInsecure, or the ContourConfiguration's spec.httpproxy.disablePermitInsecure
     * (default false); `disabled` undefined when the value is not a boolean. `source` says where.
     */
    permitInsecure: { disabled: boolean | undefined; source: string };
  }
  /** Its configuration could not be read: `unread` says why; `ingressClasses` as above, when its flags tell them. */
  | { ref: ResourceRef; unread: string; ingressClasses?: string[] };

/**
 * disablePermitInsecure as Contour reads it: true makes it ignore every route's permitInsecure and
 * keep the 301 redirect to HTTPS (internal/dag/httpproxy_processor.go@v1.33.6 line 842,
 * `HTTPSUpgrade: routeEnforceTLS(enforceTLS, route.PermitInsecure && !p.DisablePermitInsecure)`;
 * the file's key pkg/config/parameters.go@v1.33.6 line 626, `yaml:"disablePermitInsecure"`; the
 * ContourConfiguration's apis/projectcontour/v1alpha1/contourconfig.go@v1.33.6 HTTPProxyConfig
 * `disablePermitInsecure`, "Contour's default is false"). Unset: false; a value that is not a
 * boolean: undefined (not known).
 */
function permitInsecureOf(raw: unknown, where: string): { disabled: boolean | undefined; source: string } {
  if (raw === undefined || raw === null) return { disabled: false, source: `${where} is not set (Contour's default, false)` };
  return { disabled: typeof raw === 'boolean' ? raw : undefined, source: `${where} ${JSON.stringify(raw)}` };
}

/** Where one `contour serve` container's configuration comes from: a ContourConfiguration, no file (the defaults), or a file of a ConfigMap volume (`configMap` unset when it is not one). */
type ContourConfigSource = { ingressClasses: string[]; release: ContourRelease } & (
  /** `namespace` undefined when CONTOUR_NAMESPACE comes from somewhere other than a value or the pod's own namespace. */
  | { ref: ResourceRef; crd: string; namespace?: string; namespaceFrom?: string }
  | { ref: ResourceRef; defaults: true }
  | { ref: ResourceRef; path: string; configMap?: { namespace: string; name: string; key: unknown } });

/**
 * The namespace `contour serve` looks its ContourConfiguration up in: the CONTOUR_NAMESPACE
 * environment variable (a value, or the downward API's metadata.namespace as Contour's manifests
 * set it), "projectcontour" when the container sets none.
 */
function contourNamespaceOf(c: Record<string, unknown>, podNamespace: string): { namespace?: string; namespaceFrom?: string } {
  const env = arr(c.env).map(obj).find((e) => str(e?.name) === 'CONTOUR_NAMESPACE');
  if (!env) return { namespace: 'projectcontour' };
  if (typeof env.value === 'string') return { namespace: env.value };
  const field = str(obj(obj(env.valueFrom)?.fieldRef)?.fieldPath);
  if (field === 'metadata.namespace') return { namespace: podNamespace };
  return env.valueFrom === undefined ? { namespace: '' } : { namespaceFrom: JSON.stringify(env.valueFrom) };
}

/** The kinds contourConfigSources reads. */
export const CONTOUR_CONFIG_MAP_REF_KINDS = ['deployments'] as const satisfies readonly KindKey[];

/** Where each `contour serve` container of the snapshot reads its configuration from (its flags and volumes alone). */
function contourConfigSources(snapshot: Snapshot): ContourConfigSource[] {
  const out: ContourConfigSource[] = [];
  for (const o of snapshot.resources.deployments ?? []) {
    const ns = o.metadata?.namespace ?? 'default';
    const spec = obj(podTemplateOf(o)?.spec);
    for (const c of arr(spec?.containers).map(obj)) {
      if (!c || !CONTOUR_IMAGE.test(imageRepository(str(c.image) ?? ''))) continue;
      const words = [...arr(c.command), ...arr(c.args)].filter((w): w is string => typeof w === 'string');
      if (!words.includes('serve')) continue;
      const ref = { kind: o.kind ?? 'Deployment', namespace: ns, name: o.metadata?.name ?? '' };
      const flag = (name: string) => {
        const i = words.findIndex((w) => w === `--${name}` || w.startsWith(`--${name}=`));
        return i < 0 ? undefined : words[i].includes('=') ? words[i].slice(words[i].indexOf('=') + 1) : words[i + 1];
      };
      const ingressClasses = (flag('ingress-class-name') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const image = str(c.image) ?? '';
      const version = nginxImageVersion(image);
      const release = { image, ...(version ? { version } : {}) };
      const crd = flag('contour-config-name');
      if (crd !== undefined) { out.push({ ref, ingressClasses, release, crd, ...contourNamespaceOf(c, ns) }); continue; }
      const path = flag('config-path');
      if (path === undefined) { out.push({ ref, ingressClasses, release, defaults: true }); continue; }
      const slash = path.lastIndexOf('/');
      const dir = path.slice(0, slash).replace(/\/+$/, '');
      const file = path.slice(slash + 1);
      const mount = arr(c.volumeMounts).map(obj).find((m) => str(m?.mountPath)?.replace(/\/+$/, '') === dir);
      const volume = arr(spec?.volumes).map(obj).find((v) => v && str(v.name) === str(mount?.name));
      const cm = obj(volume?.configMap);
      const cmName = str(cm?.name);
      if (!cmName) { out.push({ ref, ingressClasses, release, path }); continue; }
      const key = arr(cm?.items).map(obj).find((i) => str(i?.path) === file)?.key ?? file;
      out.push({ ref, ingressClasses, release, path, configMap: { namespace: ns, name: cmName, key } });
    }
  }
  return out;
}

/** ContourConfigurations by "namespace/name", built once per snapshot. */
const contourConfigurationIndex = memoize((snapshot: Snapshot): Map<string, KubeObject> => {
  const m = new Map<string, KubeObject>();
  for (const o of snapshot.resources['contour.contourconfigurations'] ?? []) m.set(`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o);
  return m;
}, 'tls');

/** Whether a `contour serve` container of the snapshot reads a ContourConfiguration (--contour-config-name). */
export function contourReadsConfiguration(snapshot: Snapshot): boolean {
  return contourConfigSources(snapshot).some((s) => 'crd' in s);
}

/** The ConfigMaps the live collector should `get` by name: each `contour serve` container's --config-path volume. */
export function contourConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  return contourConfigSources(snapshot).flatMap((s) => ('configMap' in s && s.configMap ? [{ namespace: s.configMap.namespace, name: s.configMap.name }] : []));
}

/**
 * The cipher list of each `contour serve` container of the snapshot: its configuration file's
 * tls.cipher-suites, else Contour's default. A configuration file from a ConfigMap volume is read
 * from the snapshot, and so is the ContourConfiguration --contour-config-name names; one the
 * snapshot does not hold leaves it unread.
 */
export function contourCipherConfigs(snapshot: Snapshot): ContourCiphers[] {
  return contourConfigSources(snapshot).map((s): ContourCiphers => {
    const { ref, release } = s;
    const minimumOf = (raw: unknown, where: string): { minimum: ContourTlsVersion; minimumSource: string; release: ContourRelease } => {
      const v = contourTlsVersion(raw, release.version, 'global');
      const dflt = contourTlsVersion(undefined, release.version, 'global');
      const of = release.version && dflt === '1.1' ? ` on Contour ${release.version.join('.')}` : '';
      return { release, minimum: v, minimumSource: raw === undefined ? `Contour's default minimum TLS version, ${dflt}${of} (${where} is not set)` : `${where} ${JSON.stringify(raw)}${v === '1.3' ? '' : release.version && below(release.version, 1, 11) ? ` (TLS ${v} on Contour ${release.version.join('.')})` : ' (Contour\'s default, 1.2, for any value but "1.3")'}` };
    };
    // Before v1.13 Contour has no configurable cipher list (tls.cipher-suites came with #3292 in
    // v1.13.0): its release's default list applies whatever the file says.
    const dflt = [...contourDefaultCiphers(release.version)];
    const oldList = release.version && below(release.version, 1, 13) ? ` of Contour ${release.version.join('.')}` : '';
    if ('crd' in s) {
      if (s.namespace === undefined) return { ref, unread: `it reads ContourConfiguration ${JSON.stringify(s.crd)} (--contour-config-name) in the namespace its CONTOUR_NAMESPACE environment variable takes from ${s.namespaceFrom}, which is not read` };
      const cc = contourConfigurationIndex(snapshot).get(`${s.namespace}/${s.crd}`);
      if (!cc) return { ref, unread: `it reads ContourConfiguration ${s.namespace}/${s.crd} (--contour-config-name), which is not in the snapshot` };
      const tls = obj(obj(obj(obj(cc.spec)?.envoy)?.listener)?.tls);
      const list = arr(tls?.cipherSuites).filter((x): x is string => typeof x === 'string');
      const where = `ContourConfiguration ${s.namespace}/${s.crd}`;
      // cmd/contour/serve.go takes the classes from the ContourConfiguration alone
      // (ingressClassNames = contourConfiguration.Ingress.ClassNames), whatever --ingress-class-name says.
      const classNames = obj(obj(cc.spec)?.ingress)?.classNames;
      const ingressClasses = classNames === undefined || classNames === null ? [] : Array.isArray(classNames) && classNames.every((x) => typeof x === 'string') ? classNames.map((x) => x.trim()).filter(Boolean) : undefined;
      const min = { ingressClasses, permitInsecure: permitInsecureOf(obj(obj(cc.spec)?.httpproxy)?.disablePermitInsecure, `${where} spec.httpproxy.disablePermitInsecure`), ...minimumOf(tls?.minimumProtocolVersion, `${where} spec.envoy.listener.tls.minimumProtocolVersion`) };
      return list.length
        ? { ref, ciphers: list, source: `${where} spec.envoy.listener.tls.cipherSuites`, ...min }
        : { ref, ciphers: dflt, source: `Contour's default list${oldList} (${where} sets no spec.envoy.listener.tls.cipherSuites)`, ...min };
    }
    const { ingressClasses } = s;
    if ('defaults' in s) return { ref, ciphers: dflt, source: `Contour's default list${oldList} (no --config-path)`, ingressClasses, permitInsecure: permitInsecureOf(undefined, 'no --config-path: disablePermitInsecure'), ...minimumOf(undefined, 'no --config-path: tls.minimum-protocol-version') };
    if (!s.configMap) return { ref, ingressClasses, unread: `its --config-path ${JSON.stringify(s.path)} is not a file of a ConfigMap volume` };
    const { namespace: ns, name: cmName, key } = s.configMap;
    const data = configMapData(snapshot, { namespace: ns, name: cmName });
    const text = typeof key === 'string' ? data?.[key] : undefined;
    if (text === undefined) return { ref, ingressClasses, unread: `its configuration file ${JSON.stringify(s.path)} comes from ConfigMap ${ns}/${cmName}, which is not in the snapshot${data ? ` with key ${JSON.stringify(key)}` : ''}` };
    let doc: unknown;
    try { doc = parse(text); } catch { return { ref, ingressClasses, unread: `ConfigMap ${ns}/${cmName} key ${JSON.stringify(key)} is not valid YAML` }; }
    const tls = obj(obj(doc)?.tls);
    const list = arr(tls?.['cipher-suites']).filter((x): x is string => typeof x === 'string');
    const min = { ingressClasses, permitInsecure: permitInsecureOf(obj(doc)?.disablePermitInsecure, `ConfigMap ${ns}/${cmName} (${key}) disablePermitInsecure`), ...minimumOf(tls?.['minimum-protocol-version'], `ConfigMap ${ns}/${cmName} (${key}) tls.minimum-protocol-version`) };
    if (list.length && oldList) return { ref, ciphers: dflt, source: `Contour's default list${oldList}, which reads no tls.cipher-suites before v1.13 (ConfigMap ${ns}/${cmName} (${key}) sets one)`, ...min };
    return list.length
      ? { ref, ciphers: list, source: `ConfigMap ${ns}/${cmName} (${key}) tls.cipher-suites`, ...min }
      : { ref, ciphers: dflt, source: `Contour's default list${oldList} (ConfigMap ${ns}/${cmName} sets no tls.cipher-suites)`, ...min };
  });
}

/**
 * A TLS version as a Contour release reads it, for the global tls.minimum-protocol-version or a
 * virtual host's own minimum (a YAML number, 1.3 unquoted, is read as its text). Upstream
 * (projectcontour/contour):
 * - before v1.10: "1.2" and "1.3" only, any other value TLS 1.1 (internal/annotation/annotations.go
 *   MinProtoVersion@v1.4.0, "any other value is interpreted as TLS/1.1"; MinTLSVersion@v1.9.0), and
 *   the global floor TLS 1.1 (internal/contour/listener.go minProtoVersion@v1.4.0 ~198-203);
 * - v1.10: "1.1" is honoured; unset, a virtual host takes 1.2 (internal/dag/httpproxy_processor.go@v1.10.0
 *   MinTLSVersion(..., TLSv1_2)) and the global one 1.1 (cmd/contour/serve.go@v1.10.0 ~356);
 * - v1.11 on: the listener floors every virtual host at 1.2 (internal/xdscache/v3/listener.go@v1.11.0
 *   minTLSVersion), so only "1.3" differs, any other value being 1.2 (internal/annotation TLSVersion).
 * The release unknown (an image naming no version), today's reading applies.
 */
export function contourTlsVersion(raw: unknown, version?: [number, number], role: 'global' | 'vhost' = 'vhost'): ContourTlsVersion {
  const v = typeof raw === 'number' ? raw.toFixed(1) : str(raw);
  if (!version || !below(version, 1, 11)) return v === '1.3' ? '1.3' : '1.2';
  if (v === '1.2' || v === '1.3') return v;
  if (below(version, 1, 10)) return '1.1';
  return v === '1.1' || role === 'global' ? '1.1' : '1.2';
}

const ORDER: Record<ContourTlsVersion, number> = { '1.1': 1, '1.2': 2, '1.3': 3 };
/** The higher of two TLS versions ("Choose the higher of the configured or requested TLS version"). */
export const contourHigher = (a: ContourTlsVersion, b: ContourTlsVersion): ContourTlsVersion => (ORDER[a] >= ORDER[b] ? a : b);

/**
 * Whether a `contour serve` with these --ingress-class-name values takes an HTTPProxy or Ingress
 * (internal/ingressclass MatchesHTTPProxy/MatchesIngress): its class annotation
 * (projectcontour.io/ingress.class, else kubernetes.io/ingress.class) when set, else
 * spec.ingressClassName, must be one of them; with none configured, empty or "contour".
 */
export function contourTakesClass(o: KubeObject, ingressClasses: string[]): boolean {
  const cls = contourClassOf(o);
  return ingressClasses.length === 0 ? cls === '' || cls === 'contour' : ingressClasses.includes(cls);
}

/** The class an HTTPProxy or Ingress asks Contour for, as contourTakesClass reads it ('' for none). */
export function contourClassOf(o: KubeObject): string {
  const a = o.metadata?.annotations ?? {};
  const annotation = 'projectcontour.io/ingress.class' in a ? a['projectcontour.io/ingress.class'] : a['kubernetes.io/ingress.class'] ?? '';
  return annotation !== '' ? annotation : str(obj(o.spec)?.ingressClassName) ?? '';
}

/** The Ingress annotation holding a virtual host's TLS minimum (https://projectcontour.io/docs/main/config/annotations/). */
export const CONTOUR_INGRESS_MIN = 'projectcontour.io/tls-minimum-protocol-version';
/** Its heptio-era spelling, which Contour reads before v1.11 when the projectcontour.io/ one is absent (contourIngressMinimum). */
export const CONTOUR_INGRESS_MIN_HEPTIO = 'contour.heptio.com/tls-minimum-protocol-version';

/**
 * The annotation an Ingress's TLS minimum comes from as a Contour release reads it: the
 * projectcontour.io/ key when present (even empty); else, before v1.11, contour.heptio.com/'s
 * (projectcontour/contour internal/annotation/annotations.go CompatAnnotation@v1.4.0 and @v1.10.0,
 * "first with the projectcontour.io/ prefix, and then with the contour.heptio.com/ prefix if
 * that is not found", which internal/dag/builder.go@v1.4.0 and ingress_processor.go@v1.10.0 read
 * it with; from v1.11.0 ingress_processor.go reads ContourAnnotation, projectcontour.io/ only).
 * The release unknown, today's reading applies: projectcontour.io/ only.
 */
export function contourIngressMinimum(ing: KubeObject, version?: [number, number]): { key: string; value: string } | undefined {
  const a = ing.metadata?.annotations ?? {};
  if (CONTOUR_INGRESS_MIN in a) return { key: CONTOUR_INGRESS_MIN, value: a[CONTOUR_INGRESS_MIN] ?? '' };
  if (version && below(version, 1, 11) && CONTOUR_INGRESS_MIN_HEPTIO in a) return { key: CONTOUR_INGRESS_MIN_HEPTIO, value: a[CONTOUR_INGRESS_MIN_HEPTIO] ?? '' };
  return undefined;
}

/** One TLS virtual host Contour terminates: what serves it and the lowest TLS version it negotiates. */
export interface ContourTlsVirtualHost {
  /** "HTTPProxy shop/web (shop.example.com)". */
  what: string;
  minimum: ContourTlsVersion;
  /** The KubeObject it comes from (an HTTPProxy, Ingress or Gateway). */
  object: KubeObject;
  /** Why it negotiates TLS 1.2 although its own minimum is 1.3 (the fallback certificate's chain); absent otherwise. */
  fallback?: string;
}

/**
 * The TLS-terminating listeners (HTTPS, TLS) ListenerSets add to Gateways of a Contour class
 * (controller projectcontour.io/…), named "Gateway ns/gw listener https (ListenerSet ns/team)":
 * Contour serves none of them, reading no ListenerSet or XListenerSet (projectcontour/contour main
 * at 31c4bb38, August 2026: internal/dag builds a Gateway's listeners from its spec.listeners alone,
 * on sigs.k8s.io/gateway-api v1.3.0), so the TLS version and cipher checks judge none and say so.
 */
function contourUnservedListeners(snapshot: Snapshot): string[] {
  const contourClasses = new Set((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).filter((c) => str(obj(c.spec)?.controllerName)?.startsWith('projectcontour.io/')).map((c) => c.metadata?.name ?? ''));
  return (snapshot.resources['gatewayapi.gateways'] ?? []).filter((gw) => contourClasses.has(str(obj(gw.spec)?.gatewayClassName) ?? '')).flatMap((gw) =>
    gatewayListeners(snapshot, gw).filter((l) => l.listenerSet && ['HTTPS', 'TLS'].includes((str(l.listener.protocol) ?? '').toUpperCase())).map((l) => `Gateway ${gw.metadata?.namespace ?? 'default'}/${gw.metadata?.name ?? ''} listener ${gatewayListenerLabel(l)}`));
}

/** The coverage note of the TLS version and cipher checks on contourUnservedListeners, if any. */
export function contourUnservedNotes(snapshot: Snapshot): string[] {
  const unserved = contourUnservedListeners(snapshot);
  return unserved.length ? [`${unserved.length} HTTPS/TLS listener(s) that ListenerSets add to Contour Gateways are not judged: Contour reads no ListenerSet or XListenerSet, so it serves no TLS there: ${unserved.join(', ')}`] : [];
}

/**
 * The TLS virtual hosts a `contour serve` with this global minimum and these classes terminates
 * (passthrough ones left out: Envoy sees no handshake), each with the lowest TLS version it
 * negotiates: the higher of the global minimum and its own (internal/xdscache/v3/listener.go,
 * "Choose the higher of the configured or requested TLS version"). A root HTTPProxy's own is
 * spec.virtualhost.tls.minimumProtocolVersion, an Ingress's the projectcontour.io/tls-minimum-protocol-version
 * annotation (https://projectcontour.io/docs/main/config/tls-termination/; before v1.11 also its
 * contour.heptio.com/ spelling, contourIngressMinimum). An HTTPProxy with
 * enableFallbackCertificate also answers clients sending no SNI on the fallback certificate's
 * chain, which takes the global minimum only ("The minimum TLS protocol version for any fallback
 * request is defined by the minimum TLS protocol version set in the Contour configuration file",
 * same page, Fallback Certificate). A Gateway API Gateway of a projectcontour.io GatewayClass with
 * an HTTPS or TLS listener counts at the global minimum, its listeners having none of their own.
 * Classes unknown (`ingressClasses` undefined), every HTTPProxy and Ingress counts: a host left
 * out could turn a failure into a pass.
 */
export function contourTlsVirtualHosts(snapshot: Snapshot, global: ContourTlsVersion, ingressClasses: string[] | undefined, version?: [number, number]): ContourTlsVirtualHost[] {
  const takes = (o: KubeObject) => ingressClasses === undefined || contourTakesClass(o, ingressClasses);
  const out: ContourTlsVirtualHost[] = [];
  const higher = (v: ContourTlsVersion) => contourHigher(global, v);
  for (const p of snapshot.resources['contour.httpproxies'] ?? []) {
    const vh = obj(obj(p.spec)?.virtualhost);
    const tls = obj(vh?.tls);
    const fqdn = str(vh?.fqdn);
    if (!fqdn || !tls || tls.passthrough === true || !takes(p)) continue;
    const what = `HTTPProxy ${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''} (${fqdn})`;
    const minimum = higher(contourTlsVersion(tls.minimumProtocolVersion, version));
    out.push({ what, object: p, minimum, ...(minimum === '1.3' && global !== '1.3' && tls.enableFallbackCertificate === true ? { fallback: `enableFallbackCertificate: its fallback-certificate chain takes the global minimum, ${global}` } : {}) });
  }
  for (const ing of snapshot.resources.ingresses ?? []) {
    if (arr(obj(ing.spec)?.tls).length === 0 || !takes(ing)) continue;
    out.push({ what: `Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`, object: ing, minimum: higher(contourTlsVersion(contourIngressMinimum(ing, version)?.value, version)) });
  }
  const contourClasses = new Set((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).filter((c) => str(obj(c.spec)?.controllerName)?.startsWith('projectcontour.io/')).map((c) => c.metadata?.name ?? ''));
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    if (!contourClasses.has(str(obj(gw.spec)?.gatewayClassName) ?? '')) continue;
    if (!arr(obj(gw.spec)?.listeners).some((l) => ['HTTPS', 'TLS'].includes((str(obj(l)?.protocol) ?? '').toUpperCase()))) continue;
    out.push({ what: `Gateway ${gw.metadata?.namespace ?? 'default'}/${gw.metadata?.name ?? ''}`, object: gw, minimum: global });
  }
  return out;
}
