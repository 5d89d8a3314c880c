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
import { imageRepository } from '../images.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { podTemplateOf } from '../workloads.ts';
import { configMapData } from './nginx.ts';

/** Contour's DefaultTLSCiphers, "[a|b]" being BoringSSL's equal-preference group. */
export const CONTOUR_DEFAULT_CIPHERS: readonly string[] = [
  '[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]',
  '[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];

/** The OpenSSL names of a Contour cipher list, equal-preference groups opened. */
export const contourCipherNames = (list: readonly string[]): string[] => list.flatMap((c) => c.replace(/^\[|\]$/g, '').split('|')).map((c) => c.trim()).filter(Boolean);

const CONTOUR_IMAGE = /(^|\/)contour$/;

/** What one `contour serve` container's configuration says about its cipher list. */
export type ContourCiphers =
  | { ref: ResourceRef; ciphers: string[]; source: string }
  /** Its configuration could not be read: `unread` says why. */
  | { ref: ResourceRef; unread: string };

/** Where one `contour serve` container's configuration comes from: a ContourConfiguration, no file (the defaults), or a file of a ConfigMap volume (`configMap` unset when it is not one). */
type ContourConfigSource =
  /** `namespace` undefined when CONTOUR_NAMESPACE comes from somewhere other than a value or the pod's own namespace. */
  | { ref: ResourceRef; crd: string; namespace?: string; namespaceFrom?: string }
  | { ref: ResourceRef; defaults: true }
  | { ref: ResourceRef; path: string; configMap?: { namespace: string; name: string; key: unknown } };

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
      const crd = flag('contour-config-name');
      if (crd !== undefined) { out.push({ ref, crd, ...contourNamespaceOf(c, ns) }); continue; }
      const path = flag('config-path');
      if (path === undefined) { out.push({ ref, defaults: true }); continue; }
      const slash = path.lastIndexOf('/');
      const dir = path.slice(0, slash).replace(/\/+$/, '');
      const file = path.slice(slash + 1);
      const mount = arr(c.volumeMounts).map(obj).find((m) => str(m?.mountPath)?.replace(/\/+$/, '') === dir);
      const volume = arr(spec?.volumes).map(obj).find((v) => v && str(v.name) === str(mount?.name));
      const cm = obj(volume?.configMap);
      const cmName = str(cm?.name);
      if (!cmName) { out.push({ ref, path }); continue; }
      const key = arr(cm?.items).map(obj).find((i) => str(i?.path) === file)?.key ?? file;
      out.push({ ref, path, configMap: { namespace: ns, name: cmName, key } });
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
    const { ref } = s;
    if ('crd' in s) {
      if (s.namespace === undefined) return { ref, unread: `it reads ContourConfiguration ${JSON.stringify(s.crd)} (--contour-config-name) in the namespace its CONTOUR_NAMESPACE environment variable takes from ${s.namespaceFrom}, which is not read` };
      const cc = contourConfigurationIndex(snapshot).get(`${s.namespace}/${s.crd}`);
      if (!cc) return { ref, unread: `it reads ContourConfiguration ${s.namespace}/${s.crd} (--contour-config-name), which is not in the snapshot` };
      const list = arr(obj(obj(obj(obj(cc.spec)?.envoy)?.listener)?.tls)?.cipherSuites).filter((x): x is string => typeof x === 'string');
      const where = `ContourConfiguration ${s.namespace}/${s.crd}`;
      return list.length
        ? { ref, ciphers: list, source: `${where} spec.envoy.listener.tls.cipherSuites` }
        : { ref, ciphers: [...CONTOUR_DEFAULT_CIPHERS], source: `Contour's default list (${where} sets no spec.envoy.listener.tls.cipherSuites)` };
    }
    if ('defaults' in s) return { ref, ciphers: [...CONTOUR_DEFAULT_CIPHERS], source: "Contour's default list (no --config-path)" };
    if (!s.configMap) return { ref, unread: `its --config-path ${JSON.stringify(s.path)} is not a file of a ConfigMap volume` };
    const { namespace: ns, name: cmName, key } = s.configMap;
    const data = configMapData(snapshot, { namespace: ns, name: cmName });
    const text = typeof key === 'string' ? data?.[key] : undefined;
    if (text === undefined) return { ref, unread: `its configuration file ${JSON.stringify(s.path)} comes from ConfigMap ${ns}/${cmName}, which is not in the snapshot${data ? ` with key ${JSON.stringify(key)}` : ''}` };
    let doc: unknown;
    try { doc = parse(text); } catch { return { ref, unread: `ConfigMap ${ns}/${cmName} key ${JSON.stringify(key)} is not valid YAML` }; }
    const raw = obj(obj(doc)?.tls)?.['cipher-suites'];
    const list = arr(raw).filter((x): x is string => typeof x === 'string');
    return list.length
      ? { ref, ciphers: list, source: `ConfigMap ${ns}/${cmName} (${key}) tls.cipher-suites` }
      : { ref, ciphers: [...CONTOUR_DEFAULT_CIPHERS], source: `Contour's default list (ConfigMap ${ns}/${cmName} sets no tls.cipher-suites)` };
  });
}
