// Istio's sidecar injector settings: ConfigMap istio-sidecar-injector (istio-sidecar-injector-<rev>
// for a revision), which istiod reads in the namespace it runs in (pilot/pkg/bootstrap/sidecarinjector.go
// getInjectorConfigMapName, NewConfigMapWatcher(args.Namespace, …, "config", "values")). Its key
// `config` holds the policy and the selectors injectRequired decides by (pkg/kube/inject/inject.go),
// its key `values` the chart values the injection template renders with
// (manifests/charts/istio-control/istio-discovery/templates/istiod-injector-configmap.yaml).
import { yamlMessage } from '../../base/yaml-message.ts';
import { parseGoYaml } from '../../base/go-yaml.ts';
import type { Config } from '../../config/types.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { configMapsUnreadable, configMapUnread } from '../configmaps.ts';
import { configMapIn, istioInjectorConfigMapName, istioMeshConfigNamespaces } from './configmaps.ts';
import { labelSelectorMatches, memoizeBySnapshotAndConfig, obj, str } from './util.ts';

/** What injectRequired reads of the injector config (inject.go Config: policy, neverInjectSelector, alwaysInjectSelector). */
export interface IstioInjectorPolicy {
  /** `ConfigMap istio-system/istio-sidecar-injector`, for messages. */
  source: string;
  /** The policy as written: `enabled`, `disabled`, anything else (absent: '') injects nothing. */
  policy: string;
  neverInjectSelector: unknown[];
  alwaysInjectSelector: unknown[];
}

/** The global.proxy values the injection template writes a pod's traffic capture from where the pod sets no annotation. */
export const ISTIO_PROXY_CAPTURE_VALUES = ['includeInboundPorts', 'excludeInboundPorts', 'includeIPRanges', 'excludeIPRanges', 'includeOutboundPorts', 'excludeOutboundPorts'] as const;
export type IstioProxyCaptureValue = (typeof ISTIO_PROXY_CAPTURE_VALUES)[number];

/** The install-wide traffic capture the injection template writes when a pod sets none (key `values`). */
export interface IstioCaptureValues {
  /** global.proxy.<name>, as the template prints it (fmt.Sprint); a value not set is absent. */
  proxy: Partial<Record<IstioProxyCaptureValue, string>>;
  /**
   * pilot.cni.enabled, as the template's `if` reads it: Istio CNI sets up the pod's iptables from
   * the annotations the template writes, where without it istio-init gets the values as arguments.
   */
  cni: boolean;
  /** `ConfigMap istio-system/istio-sidecar-injector key values`, for reasons. */
  source: string;
}

export interface IstioInjector extends IstioInjectorPolicy {
  values?: IstioCaptureValues;
}

/**
 * Whether the injector injects a pod its webhook is called for, in injectRequired's order
 * (inject.go, after hostNetwork and the ignored namespaces): the label sidecar.istio.io/inject,
 * else its annotation (`value`), "true" or "false" deciding; any other value (or none) leaves it to
 * neverInjectSelector (a match: not injected), then alwaysInjectSelector (a match: injected), then
 * the policy (`enabled`: injected, `disabled`: not). A policy other than those two injects nothing
 * ("Illegal value for autoInject … Auto injection disabled!"). An empty selector, or one that
 * matches nothing here because it is malformed, is skipped, as LabelSelectorAsSelector's are.
 */
export function istioInjectRequired(injector: IstioInjectorPolicy, value: string | undefined, labels: Record<string, string>): { inject: boolean; why?: string } {
  let inject = value === 'true';
  let byDefault = value !== 'true' && value !== 'false';
  let why: string | undefined;
  const matching = (selectors: unknown[]) => selectors.find((s) => !selectorEmpty(s) && labelSelectorMatches(s, labels));
  if (byDefault && matching(injector.neverInjectSelector) !== undefined) {
    inject = false;
    byDefault = false;
    why = `the pod's labels match a neverInjectSelector of Istio's injector (${injector.source})`;
  }
  if (byDefault && matching(injector.alwaysInjectSelector) !== undefined) {
    inject = true;
    byDefault = false;
  }
  if (injector.policy === 'enabled') return { inject: byDefault || inject, ...(why ? { why } : {}) };
  if (injector.policy === 'disabled') return byDefault ? { inject: false, why: `Istio's injector policy is disabled (${injector.source}): it injects only pods labelled sidecar.istio.io/inject: "true" or matching an alwaysInjectSelector` } : { inject, ...(why ? { why } : {}) };
  return { inject: false, why: `Istio's injector policy is ${JSON.stringify(injector.policy)}, neither enabled nor disabled (${injector.source}): istiod injects no pod` };
}

function selectorEmpty(s: unknown): boolean {
  const o = obj(s);
  if (!o) return false;
  const ml = obj(o.matchLabels);
  const me = o.matchExpressions;
  return (!ml || Object.keys(ml).length === 0) && (me === undefined || me === null || (Array.isArray(me) && me.length === 0));
}

/**
 * The injector config of a ConfigMap as istiod reads it: key `config` through sigs.k8s.io/yaml into
 * inject.Config (UnmarshalConfig: keys matched case-insensitively, parseGoYaml `struct`), key
 * `values` through yaml.Unmarshal into a map (webhook.go NewValuesConfig), read by the template by
 * exact key. `problem`: istiod cannot load it.
 */
export function parseIstioInjector(cm: KubeObject, source: string): IstioInjector | { problem: string } {
  const data = obj(cm.data);
  const text = str(data?.config);
  if (text === undefined) return { problem: `${source} has no key config` };
  let parsed: unknown;
  try {
    parsed = parseGoYaml(text, { struct: true });
  } catch (error: unknown) {
    return { problem: `${source} key config is not valid YAML (${error instanceof Error ? yamlMessage(error) : String(error)})` };
  }
  const config = parsed === null || parsed === undefined ? {} : obj(parsed);
  if (!config) return { problem: `${source} key config is not a YAML mapping` };
  const policy = config.policy ?? '';
  if (typeof policy !== 'string') return { problem: `${source} key config: policy is ${JSON.stringify(policy)}, not a string (istiod cannot load it)` };
  const selectors = (k: string): unknown[] | string => {
    const v = config[k];
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : `${source} key config: ${k} is not a list (istiod cannot load it)`;
  };
  const never = selectors('neverInjectSelector');
  const always = selectors('alwaysInjectSelector');
  if (typeof never === 'string') return { problem: never };
  if (typeof always === 'string') return { problem: always };
  const values = captureValues(str(data?.values), source);
  return { source, policy, neverInjectSelector: never, alwaysInjectSelector: always, ...(values ? { values } : {}) };
}

/**
 * The global.proxy capture values of key `values`, printed as the template prints them
 * (fmt.Sprint), and pilot.cni.enabled as Go's template `if` takes it (false, 0, "", nil and empty
 * collections are false); undefined when no capture value is set or the key cannot be read.
 */
function captureValues(text: string | undefined, source: string): IstioCaptureValues | undefined {
  if (text === undefined) return undefined;
  let values: unknown;
  try {
    values = parseGoYaml(text);
  } catch {
    return undefined;
  }
  const proxy = obj(obj(obj(values)?.global)?.proxy);
  const printed = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
  const set: Partial<Record<IstioProxyCaptureValue, string>> = {};
  for (const k of ISTIO_PROXY_CAPTURE_VALUES) {
    const v = printed(proxy?.[k]);
    if (v !== undefined) set[k] = v;
  }
  if (Object.keys(set).length === 0) return undefined;
  const enabled = obj(obj(obj(values)?.pilot)?.cni)?.enabled;
  const cni = Array.isArray(enabled) ? enabled.length > 0 : obj(enabled) ? Object.keys(obj(enabled)!).length > 0 : enabled !== undefined && enabled !== null && enabled !== false && enabled !== 0 && enabled !== '';
  return { proxy: set, cni, source: `${source} key values` };
}

/**
 * The injector config of a revision, looked for where its mesh config is (istioMeshConfigNamespaces:
 * the configured root namespace, the namespace its istiod runs in, istio-system), or why it is
 * not known: not in the input, refused, or not loadable.
 */
export const istioInjectorOf = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config) => {
  const cache = new Map<string, { injector: IstioInjector } | { unread: string }>();
  const configmaps = snapshot.resources.configmaps ?? [];
  return (revision: string): { injector: IstioInjector } | { unread: string } => {
    let r = cache.get(revision);
    if (r) return r;
    const name = istioInjectorConfigMapName(revision);
    const places = istioMeshConfigNamespaces(snapshot, config)(revision).namespaces;
    const cm = configMapIn(configmaps, places, name);
    if (cm) {
      const source = `ConfigMap ${cm.metadata?.namespace ?? 'default'}/${name}`;
      const read = parseIstioInjector(cm, source);
      r = 'problem' in read ? { unread: read.problem } : { injector: read };
    } else {
      const refused = configMapsUnreadable(snapshot) ? places.find((namespace) => configMapUnread(snapshot, { namespace, name })) : undefined;
      r = { unread: refused !== undefined ? `ConfigMap ${refused}/${name} could not be read (${configMapsUnreadable(snapshot)})` : `no ConfigMap ${name} in ${places.join(', ')} in the input` };
    }
    cache.set(revision, r);
    return r;
  };
}, ['network', 'tls', 'mtls']);
