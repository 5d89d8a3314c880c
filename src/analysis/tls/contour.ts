// Contour's own cipher list: the `tls.cipher-suites` of the configuration file `contour serve`
// reads with --config-path (projectcontour/contour pkg/config/parameters.go TLSParameters
// CipherSuites, yaml "cipher-suites"), in the example deployment a ConfigMap "contour" mounted at
// /config (examples/contour/03-contour.yaml). Unset, Contour applies its DefaultTLSCiphers
// (apis/projectcontour/v1alpha1/ciphersuites.go); a name outside ValidTLSCiphers stops Contour
// (TLSCiphers.Validate), so every name listed is one Envoy serves.

import { parse } from 'yaml';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { imageRepository } from '../images.ts';
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
  | { ref: ResourceRef; crd: string }
  | { ref: ResourceRef; defaults: true }
  | { ref: ResourceRef; path: string; configMap?: { namespace: string; name: string; key: unknown } };

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
      if (crd !== undefined) { out.push({ ref, crd }); continue; }
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

/** The ConfigMaps the live collector should `get` by name: each `contour serve` container's --config-path volume. */
export function contourConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  return contourConfigSources(snapshot).flatMap((s) => ('configMap' in s && s.configMap ? [{ namespace: s.configMap.namespace, name: s.configMap.name }] : []));
}

/**
 * The cipher list of each `contour serve` container of the snapshot: its configuration file's
 * tls.cipher-suites, else Contour's default. A configuration file from a ConfigMap volume is read
 * from the snapshot; one the snapshot does not hold, or a ContourConfiguration
 * (--contour-config-name, a kind not collected), leaves it unread.
 */
export function contourCipherConfigs(snapshot: Snapshot): ContourCiphers[] {
  return contourConfigSources(snapshot).map((s): ContourCiphers => {
    const { ref } = s;
    if ('crd' in s) return { ref, unread: `it reads ContourConfiguration ${JSON.stringify(s.crd)} (--contour-config-name), a kind ztaudit does not collect (its spec.envoy.listener.tls.cipherSuites)` };
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
