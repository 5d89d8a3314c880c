// Linkerd: injection (a linkerd-proxy container already there, else linkerd.io/inject on
// namespace or pod, the pod wins), the default inbound policy (pod annotation > cluster default;
// a template the injector will inject also takes its namespace's annotation, see
// linkerdPodSetting; a value that is not a policy is ignored) and which pod ports a Server covers
// (a port selected by a Server follows the Server's policy instead).

import { yamlMessage } from '../../base/yaml-message.ts';
import { parseGoYaml } from '../../base/go-yaml.ts';
import { goParseInt } from '../../base/go-int.ts';
import { LINKERD_POLICIES, type LinkerdPolicy } from '../../config/linkerd-policies.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { parseCidr, rangeContains, type IpRange } from '../../base/ip.ts';
import type { PodView } from '../workloads.ts';
import { LINKERD_TOP_LEVEL_VALUES, linkerdReleaseAtLeast, linkerdReleaseText, linkerdVersionAtLeast, parseLinkerdVersion, type LinkerdRelease, type LinkerdSince, type LinkerdVersion } from './linkerd-release.ts';
import { oneLine } from '../../base/plain-text.ts';
import { shellArgsAfter } from '../flags.ts';
import { linkerdInjectorOutcome, type LinkerdInjectorOutcome, linkerdInjectorSees, type LinkerdInjectorFailure, type LinkerdInjectorScope } from './components.ts';
import { containerNames, containerPorts, labelSelectorMatches, obj, str, stringMap } from './util.ts';

export { LINKERD_POLICIES, type LinkerdPolicy };

export const LINKERD_INSTALL_DEFAULT: LinkerdPolicy = 'all-unauthenticated';
export const INBOUND_POLICY_ANNOTATION = 'config.linkerd.io/default-inbound-policy';
/** Who injected the pod: `linkerd/proxy-injector <version>` (the webhook) or `linkerd/cli <version>` (linkerd inject --manual). */
const CREATED_BY_ANNOTATION = 'linkerd.io/created-by';

export function isLinkerdPolicy(v: unknown): v is LinkerdPolicy {
  return typeof v === 'string' && (LINKERD_POLICIES as readonly string[]).includes(v);
}

/** Policies that admit clients without a mesh identity (plaintext). */
export function admitsUnauthenticated(p: string): boolean {
  return p === 'all-unauthenticated' || p === 'cluster-unauthenticated' || p === 'audit';
}

export interface LinkerdMembership {
  meshed: boolean;
  requested: boolean;
  reason: string;
  /** The API server refuses to create the pod (the injector fails and its webhook's failurePolicy is Fail): it never runs, in the mesh or out of it. */
  refused?: true;
  /** A running pod without a proxy whose replacement the API server would refuse (as `refused`): it runs outside the mesh until it is re-created, and then not at all. */
  refusedIfRecreated?: true;
  /**
   * A template asking for injection whose pods may or may not get a proxy: whether the working
   * injector's webhook is called for them cannot be told (why). Counted outside the mesh, never
   * in it, and judged as "cannot be confirmed".
   */
  unconfirmed?: string;
}

/** Why the proxy injector fails on every pod it is asked to inject (linkerdProxyInitPorts' `absent`), and what its webhook's failurePolicy then does. */
export interface LinkerdInjectorBroken {
  absent: string;
  failure: LinkerdInjectorFailure;
}

/** The label whose value `disabled` keeps every Linkerd admission webhook, the proxy injector's included, away from a namespace. */
export const LINKERD_WEBHOOKS_LABEL = 'config.linkerd.io/admission-webhooks';
/** Namespaces the proxy injector's default namespaceSelector leaves out by kubernetes.io/metadata.name. */
const LINKERD_NEVER_INJECTED = new Set(['kube-system', 'cert-manager']);

/**
 * Why the proxy injector never sees a namespace's pods, from the namespaceSelector of linkerd2's
 * chart (charts/linkerd-control-plane/values.yaml proxyInjector.namespaceSelector:
 * `config.linkerd.io/admission-webhooks NotIn [disabled]` and `kubernetes.io/metadata.name NotIn
 * [kube-system, cert-manager]`; the API server sets that label to the namespace's name).
 * undefined: the webhook is called for them.
 */
export function linkerdInjectorExcludes(namespace: string, nsLabels: Record<string, string>): string | undefined {
  const why = nsLabels[LINKERD_WEBHOOKS_LABEL] === 'disabled' ? `namespace label ${LINKERD_WEBHOOKS_LABEL}=disabled`
    : LINKERD_NEVER_INJECTED.has(namespace) ? `kubernetes.io/metadata.name ${namespace}` : undefined;
  return why && `the Linkerd proxy injector's namespaceSelector excludes this namespace (${why})`;
}

/** Whether the pod (or template) spec holds a linkerd-proxy container (a native sidecar in initContainers too). */
function carriesLinkerdProxy(pod: Pick<PodView, 'spec'>): boolean {
  return containerNames(pod.spec).includes('linkerd-proxy');
}

/** How a live pod's reason starts when Linkerd injection was asked for and no proxy runs. */
export const LINKERD_NOT_INJECTED = 'no linkerd-proxy container although';

/**
 * Why Linkerd's proxy injector webhook is not called for a pod, or that this is not known: from
 * the webhook's own selectors when read (`scope`: linkerdInjectorScope), else from the chart's
 * default namespaceSelector (linkerdInjectorExcludes). undefined: it is called.
 */
function injectorSkips(ns: { name: string; labels: Record<string, string> }, pod: Pick<PodView, 'labels'>, scope: LinkerdInjectorScope | undefined): { why: string } | { unknown: string } | undefined {
  const fallback = () => {
    const why = linkerdInjectorExcludes(ns.name, ns.labels);
    return why ? { why } : undefined;
  };
  if (!scope) return fallback();
  const s = linkerdInjectorSees(scope, ns.name, ns.labels, pod.labels);
  return s.sees === true ? undefined : s.sees === false ? { why: s.why } : { unknown: s.why };
}

/**
 * What the API server does with a new pod while the injector is broken (linkerdInjectorOutcome),
 * from the webhooks' own selectors and failurePolicies when read (`scope`), else from the chart's
 * default namespaceSelector and the merged failurePolicy (`failure`, then never read).
 */
function brokenInjectorOutcome(ns: { name: string; labels: Record<string, string> }, pod: Pick<PodView, 'labels'>, broken: LinkerdInjectorBroken, scope: LinkerdInjectorScope | undefined): LinkerdInjectorOutcome | { unread: string } {
  if (scope) return linkerdInjectorOutcome(scope, ns.name, ns.labels, pod.labels);
  const why = linkerdInjectorExcludes(ns.name, ns.labels);
  if (why) return { notCalled: why };
  const { failure } = broken;
  if ('unread' in failure) return { unread: failure.unread };
  return failure.policy === 'Fail' ? { refused: failure.webhooks } : { ignored: failure.webhooks };
}

/** The linkerd.io/inject values Linkerd's proxy injector accepts (linkerd2 pkg/inject/report.go ValidInjectAnnotationValues). */
const LINKERD_INJECT_VALUES = new Set(['enabled', 'disabled', 'ingress']);

/**
 * Why the proxy injector refuses to inject a pod for a linkerd.io/inject value it does not accept,
 * or undefined. It judges the namespace's value first and the pod's only then (linkerd2
 * pkg/inject/report.go disabledByAnnotation: invalidInjectAnnotationNamespace, then
 * invalidInjectAnnotationWorkload), so a namespace's "true" keeps out even a pod saying "enabled".
 */
function linkerdInvalidInject(nsVal: string | undefined, podVal: string | undefined): string | undefined {
  const refuses = (where: string, v: string) => `${where} linkerd.io/inject=${JSON.stringify(v)} is not a value Linkerd's proxy injector accepts (enabled, disabled, ingress), so it injects no pod ${where.startsWith('namespace') ? 'of the namespace, whatever the pod\'s own annotation says' : 'carrying it'}`;
  if (linkerdInjectRefused(nsVal)) return refuses('namespace annotation', nsVal!);
  if (linkerdInjectRefused(podVal)) return refuses('pod annotation', podVal!);
  return undefined;
}

/**
 * A linkerd.io/inject value the proxy injector refuses (invalidInjectAnnotationNamespace or
 * invalidInjectAnnotationWorkload, linkerd2 pkg/inject/report.go): written to mesh the pods
 * ("true", "yes"), it injects none. An empty value is no value (the injector reads a Go map).
 */
export function linkerdInjectRefused(value: string | undefined): boolean {
  return value !== undefined && value !== '' && !LINKERD_INJECT_VALUES.has(value);
}

/** `ns`: the pod's namespace, its name and metadata. `scope`: the injector webhook's selectors when read (linkerdInjectorScope). */
export function linkerdMembership(ns: { name: string; labels: Record<string, string>; annotations: Record<string, string> }, pod: PodView, injectorBroken?: LinkerdInjectorBroken, scope?: LinkerdInjectorScope): LinkerdMembership {
  // The injector reads both values from Go maps, where an empty value is no value (linkerd2 pkg/inject/report.go disabledByAnnotation).
  const podVal = pod.annotations['linkerd.io/inject'] || undefined;
  const nsVal = ns.annotations['linkerd.io/inject'] || undefined;
  const value = podVal ?? nsVal;
  const source = podVal !== undefined ? 'pod annotation' : 'namespace annotation';
  const invalid = linkerdInvalidInject(nsVal, podVal);
  // A value the injector refuses still asks for Linkerd (but "disabled"): the reason is Linkerd's to give.
  const requested = invalid ? value !== 'disabled' : value === 'enabled' || value === 'ingress';
  if (pod.origin === 'pod') {
    if (carriesLinkerdProxy(pod)) return { meshed: true, requested, reason: 'linkerd-proxy container present' };
    if (invalid) return { meshed: false, requested, reason: `no linkerd-proxy container: ${invalid}` };
    if (!requested) return { meshed: false, requested, reason: 'no linkerd-proxy container' };
    // A running pod keeps running as it was; only its replacement meets the broken injector, and
    // only if the webhook is called for it: one it never sees is re-created without a proxy.
    const reason = `${LINKERD_NOT_INJECTED} ${source} linkerd.io/inject=${value}`;
    if (!injectorBroken) {
      const skips = injectorSkips(ns, pod, scope);
      if (!skips) return { meshed: false, requested, reason: `${reason} (restart the pod)` };
      return { meshed: false, requested, reason: 'why' in skips
        ? `${reason}; restarting it will not mesh it: ${skips.why}, so the new pod starts without a proxy`
        : `${reason}; whether restarting it meshes it cannot be confirmed: whether the proxy injector is called for it is not known (${skips.unknown})` };
    }
    const out = brokenInjectorOutcome(ns, pod, injectorBroken, scope);
    if ('notCalled' in out) return { meshed: false, requested, reason: `${reason}; restarting it will not mesh it: ${out.notCalled}, so the new pod starts without a proxy` };
    const fails = `; restarting it will not mesh it: ${injectorBroken.absent}, so the proxy injector's webhook call fails and`;
    if ('unknown' in out) {
      return { meshed: false, requested, reason: out.selector
        ? `${reason}${fails} the new pod starts without a proxy if the webhook is not called for it or its failurePolicy is Ignore, or is refused otherwise; whether it is called is not known (${out.unknown})`
        : `${reason}${fails} the new pod starts without a proxy (failurePolicy Ignore) or is refused (Fail); which is not known (${out.unknown})` };
    }
    if ('unread' in out) return { meshed: false, requested, reason: `${reason}${fails} the new pod starts without a proxy (failurePolicy Ignore) or is refused (Fail; ${out.unread})` };
    if ('ignored' in out) return { meshed: false, requested, reason: `${reason}${fails} the new pod starts without a proxy (failurePolicy Ignore)` };
    return { meshed: false, requested, refusedIfRecreated: true, reason: `${reason}${fails} the API server refuses the new pod (failurePolicy Fail)` };
  }
  // A template that already carries the proxy (`linkerd inject --manual`, or a copy of an
  // injected pod) runs it whatever linkerd.io/inject says: the injector skips a pod that "has a
  // sidecar injected already" (linkerd2 pkg/inject/report.go) and never removes one.
  if (carriesLinkerdProxy(pod)) return { meshed: true, requested, reason: 'linkerd-proxy container in the pod template (manually injected)' };
  if (pod.spec.hostNetwork === true) return { meshed: false, requested, reason: 'hostNetwork pods are not injected' };
  if (invalid) return { meshed: false, requested, reason: invalid };
  // A pod the webhook is never called for is admitted as it is, without a proxy, whatever the
  // webhook's failurePolicy: the API server applies it only to the webhooks it calls.
  const skips = requested ? injectorSkips(ns, pod, scope) : undefined;
  if (skips && 'why' in skips) return { meshed: false, requested, reason: `${skips.why}, so ${source} linkerd.io/inject=${value} is never acted on` };
  // linkerd-config's values hold no proxyInit: the injector fails on the pod (linkerdProxyInitPorts),
  // and the webhook's failurePolicy decides whether the pod starts without a proxy or not at all.
  if (requested && injectorBroken) {
    const out = brokenInjectorOutcome(ns, pod, injectorBroken, scope);
    if ('notCalled' in out) return { meshed: false, requested, reason: `${out.notCalled}, so ${source} linkerd.io/inject=${value} is never acted on` };
    const fails = `${source} linkerd.io/inject=${value}, but Linkerd's proxy injector cannot inject it: ${injectorBroken.absent}, which the injector dereferences, so its webhook call fails`;
    if ('unknown' in out) {
      return { meshed: false, requested, reason: out.selector
        ? `${fails} if it is called for the pod, which is not known (${out.unknown}); the pod then starts without a proxy if it is not called or its failurePolicy is Ignore, or is refused otherwise`
        : `${fails}; the pod then starts without a proxy if the webhook's failurePolicy is Ignore, or is refused if it is Fail, and that is not known (${out.unknown})` };
    }
    if ('unread' in out) return { meshed: false, requested, reason: `${fails}; the pod then starts without a proxy if the webhook's failurePolicy is Ignore (the chart's default), or is refused if it is Fail, and that was not read (${out.unread})` };
    if ('ignored' in out) return { meshed: false, requested, reason: `${fails}, and MutatingWebhookConfiguration ${out.ignored} has failurePolicy Ignore, so the pod starts without a proxy` };
    return { meshed: false, requested, refused: true, reason: `${fails}, and MutatingWebhookConfiguration ${out.refused} has failurePolicy Fail, so the API server refuses to create the pod: new pods fail to start (pods already running keep running as they were)` };
  }
  // A webhook that cannot be judged with a working injector: whether the pod gets a proxy is not
  // known, not the chart's default namespaceSelector's to say.
  if (skips) {
    const unconfirmed = `${source} linkerd.io/inject=${value}, but whether Linkerd's proxy injector is called for the pod is not known (${skips.unknown})`;
    return { meshed: false, requested, unconfirmed, reason: `whether the pod gets a proxy cannot be confirmed: ${unconfirmed}` };
  }
  if (requested) return { meshed: true, requested, reason: `${source} linkerd.io/inject=${value}` };
  return { meshed: false, requested, reason: value === 'disabled' ? `${source} linkerd.io/inject=disabled` : 'no linkerd.io/inject annotation' };
}

export function linkerdNamespaceMeantMeshed(nsAnnotations: Record<string, string>): boolean {
  const v = nsAnnotations['linkerd.io/inject'];
  return v === 'enabled' || v === 'ingress';
}

export interface PodSetting {
  value: string;
  source: string;
}

/**
 * A config.linkerd.io annotation as a meshed pod's proxy has it. The proxy injector copies the
 * namespace's config annotations onto the pod when it injects it (linkerd2
 * controller/proxy-injector/webhook.go: "If namespace has annotations that do not exist on pod
 * then copy them over"); the policy controller then reads the pod's annotations only
 * (policy-controller/k8s/index, `settings.default_policy.unwrap_or(config.default_policy)`).
 * So a template (manifests: pods yet to be injected) takes its own value, else the namespace's;
 * a running pod, or a template injected by hand (which the injector skips), only its own.
 * `pending` is a namespace value a running pod does not have: it takes effect when the pod is
 * restarted (re-injected by the webhook; not for a pod linkerd/cli injected). The injector writes
 * the namespace's value onto every pod it injects that lacks the key (pkg/inject/inject.go
 * AppendNamespaceAnnotations, GetConfigOverride: the workload's own value, else the namespace's),
 * so a webhook-injected pod's value is usually a copy of what the namespace said then. The
 * pod's owning `template`, when the snapshot has it, decides: one without the key is re-injected
 * with the namespace's value. Without it, a webhook-injected pod whose value differs is taken as
 * such a copy.
 */
export function linkerdPodSetting(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, key: string, template?: { annotations: Record<string, string> }): { setting?: PodSetting; pending?: PodSetting } {
  const podVal = pod.annotations[key];
  const nsVal = nsAnnotations[key];
  // The injector copies nothing onto a pod it does not inject: one injected by hand (the
  // template already carries the proxy, or the pod says linkerd/cli created it) keeps its own.
  const byHand = pod.origin === 'template' ? carriesLinkerdProxy(pod) : pod.annotations[CREATED_BY_ANNOTATION]?.startsWith('linkerd/cli') === true;
  const fromNs = nsVal !== undefined && !byHand ? { value: nsVal, source: `namespace ${namespace} annotation ${key}` } : undefined;
  const setting = podVal !== undefined ? { value: podVal, source: `pod annotation ${key}` } : pod.origin === 'template' ? fromNs : undefined;
  const byWebhook = pod.annotations[CREATED_BY_ANNOTATION]?.startsWith('linkerd/proxy-injector') === true;
  // Re-injection takes the template's own value over the namespace's.
  const takesNs = template ? template.annotations[key] === undefined : podVal === undefined || byWebhook;
  const pending = pod.origin === 'pod' && fromNs && takesNs && fromNs.value !== podVal ? fromNs : undefined;
  return { setting, pending };
}

export interface EffectivePolicy {
  policy: string;
  source: string;
  /** A default-inbound-policy annotation whose value is not a policy: Linkerd ignores it (linkerdDefaultPolicy). */
  ignored?: PodSetting;
  /** A running pod's namespace asks for another policy, which it gets only once restarted. */
  pending?: PodSetting;
  /** The cluster default applies and could not be read (ClusterDefault.unread). */
  unread?: 'forbidden' | 'error';
}

/**
 * The default inbound policy a meshed pod (or template) gets: linkerdPodSetting, else the cluster
 * default. A value that is not a policy is ignored for the cluster default: the policy controller
 * logs "Invalid default policy annotation value" and uses its configured default (linkerd2
 * policy-controller/k8s/index/src/inbound/workload.rs Settings::from_metadata; test
 * inbound/tests/annotation.rs default_policy_annotated_invalid), and the injector warns and keeps
 * proxy.defaultInboundPolicy (pkg/inject/inject.go). A namespace's value is no fallback: the
 * injector copies it only onto pods without the key, and the controller reads the pod's.
 */
export function linkerdDefaultPolicy(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, clusterDefault: ClusterDefault, template?: { annotations: Record<string, string> }): EffectivePolicy {
  const { setting, pending } = linkerdPodSetting(nsAnnotations, pod, namespace, INBOUND_POLICY_ANNOTATION, template);
  let out: EffectivePolicy;
  if (!setting) out = { ...clusterDefault };
  else if (isLinkerdPolicy(setting.value)) out = { policy: setting.value, source: setting.source };
  else out = { ...clusterDefault, source: `${clusterDefault.source}; ${setting.source} ${JSON.stringify(setting.value)} is not a Linkerd policy, so Linkerd ignores it`, ignored: setting };
  // A pending value that is not a policy changes nothing on restart.
  if (pending && isLinkerdPolicy(pending.value) && pending.value !== out.policy) out.pending = pending;
  return out;
}

/** " (namespace X annotation K says V: restart the pods to pick it up)", or nothing. */
export function pendingNote(pending: PodSetting | undefined): string {
  return pending ? `; ${pending.source} says ${JSON.stringify(pending.value)}, but the running pods were injected without it: restart them to pick it up` : '';
}

export interface ClusterDefault {
  policy: string;
  source: string;
  /**
   * Why linkerd-config could not be read ('forbidden', 'error') when nothing stands in for it:
   * `policy` is then Linkerd's install default, assumed, and a verdict that turns on it is unknown.
   */
  unread?: 'forbidden' | 'error';
}

/**
 * A linkerd-config ConfigMap's `values` key as Linkerd reads it (ValuesFromConfigMap, and the
 * proxy injector: sigs.k8s.io/yaml.Unmarshal into its Values struct, so keys match
 * case-insensitively and a repeated key's last value wins): the parsed value or the parse error,
 * undefined without values. Parsed once per ConfigMap object, for every reader below.
 */
function linkerdValues(cm: KubeObject): { raw: unknown } | { error: unknown } | undefined {
  let hit = valuesParsed.get(cm);
  if (!hit) {
    const values = str(obj(cm.data)?.values);
    if (!values) return undefined;
    try {
      hit = { raw: parseGoYaml(values, { struct: true }) };
    } catch (error: unknown) {
      hit = { error };
    }
    valuesParsed.set(cm, hit);
  }
  return hit;
}
const valuesParsed = new WeakMap<KubeObject, { raw: unknown } | { error: unknown }>();

/** linkerdValues' parsed value, undefined when there is none or it cannot be parsed. */
function linkerdValuesRead(cm: KubeObject): unknown {
  const v = linkerdValues(cm);
  return v && 'raw' in v ? v.raw : undefined;
}

/**
 * The mapping of linkerd-config's values that holds the install's cniEnabled, identityTrustDomain
 * and proxyInit, with `layout` saying where it is. Before stable-2.10 the chart kept them under
 * `global` (linkerd2 stable-2.9.4 charts/linkerd2/values.yaml `global: {cniEnabled,
 * identityTrustDomain, linkerdVersion, proxyInit: {ignoreInboundPorts, ignoreOutboundPorts}}`, which
 * charts/linkerd2/templates/config.yaml writes whole into the `values` key), and the injector read
 * them there (pkg/charts/linkerd2/values.go: Values.Global *Global holds CNIEnabled,
 * IdentityTrustDomain and ProxyInit; pkg/inject/inject.go values.GetGlobal().ProxyInit). From
 * stable-2.10 they are top-level and Values has no `global` field (stable-2.10.0 values.go), so a
 * `global` mapping left in the values of a 2.10+ install (`helm upgrade --reuse-values` keeps the
 * values given to the 2.9 chart) is never read. The release decides (LINKERD_TOP_LEVEL_VALUES):
 * the one linkerd-config names (linkerdConfigRelease), else the one the control plane's
 * Deployments name (`installed`: linkerdReleaseOfDeployments), when all they name agree. Only when
 * no release is known is a values mapping with a `global` mapping taken for the older layout.
 * undefined when the values are missing or cannot be read.
 */
function linkerdSettings(cm: KubeObject, installed?: LinkerdRelease): { settings: Record<string, unknown>; layout: 'global' | 'top'; release?: string } | undefined {
  const values = obj(linkerdValuesRead(cm));
  if (!values) return undefined;
  const global = obj(values.global);
  const named = linkerdConfigRelease(cm);
  if (named) {
    const layout = linkerdVersionAtLeast(named.parsed, LINKERD_TOP_LEVEL_VALUES) ? 'top' : 'global';
    return layout === 'global' ? { settings: global ?? {}, layout, release: named.source } : { settings: values, layout, release: named.source };
  }
  // linkerd-config names no release: the control plane's Deployments may (linkerdReleaseOfDeployments).
  const top = installed && linkerdReleaseAtLeast(installed, LINKERD_TOP_LEVEL_VALUES);
  if (top !== undefined) {
    const release = `the control plane's release ${linkerdReleaseText(installed!)}`;
    return top ? { settings: values, layout: 'top', release } : { settings: global ?? {}, layout: 'global', release };
  }
  return global ? { settings: global, layout: 'global' } : { settings: values, layout: 'top' };
}

/**
 * The release linkerd-config names: its values' `linkerdVersion` or `cliVersion` (top-level from
 * stable-2.10.0, under `global` before; top-level first), else its own linkerd.io/created-by
 * annotation (`linkerd/helm <version>`, charts/linkerd-control-plane/templates/config.yaml at
 * stable-2.14.10, partials.annotations.created-by). `source` says which, with the value.
 */
function linkerdConfigRelease(cm: KubeObject): { parsed: LinkerdVersion; source: string } | undefined {
  const values = obj(linkerdValuesRead(cm));
  const global = obj(values?.global);
  for (const [where, key] of [[values, 'linkerdVersion'], [values, 'cliVersion'], [global, 'linkerdVersion'], [global, 'cliVersion']] as const) {
    const version = str(where?.[key]);
    const parsed = version === undefined ? undefined : parseLinkerdVersion(version);
    if (parsed) return { parsed, source: `${where === global ? 'global.' : ''}${key} ${version}` };
  }
  const createdBy = str(cm.metadata?.annotations?.[CREATED_BY_ANNOTATION]);
  const parsed = createdBy === undefined ? undefined : parseLinkerdVersion(createdBy);
  return parsed && { parsed, source: `ConfigMap ${oneLine(cm.metadata?.namespace ?? '')}/linkerd-config annotation ${CREATED_BY_ANNOTATION} ${createdBy}` };
}

/**
 * The install-time proxy.defaultInboundPolicy: read from the linkerd-config ConfigMap when
 * the snapshot has it, else the configured value, else Linkerd's default (`unread` names why
 * the ConfigMap is missing when the collector could not read ConfigMaps).
 */
export function linkerdClusterDefault(configmaps: KubeObject[], configured: string | undefined, unreadable?: 'forbidden' | 'error'): ClusterDefault {
  const cms = configmaps.filter((c) => c.metadata?.name === 'linkerd-config');
  cms.sort((a, b) => (a.metadata?.namespace === 'linkerd' ? -1 : b.metadata?.namespace === 'linkerd' ? 1 : 0));
  // Values that cannot be parsed say nothing of the installed default: the source says so rather
  // than passing the assumed one off as read.
  let unparsed: string | undefined;
  for (const cm of cms) {
    const v = linkerdValues(cm);
    if (!v) continue;
    const where = `ConfigMap ${cm.metadata?.namespace ?? ''}/linkerd-config`;
    if ('error' in v) {
      unparsed ??= `${where} key values is not valid YAML (${v.error instanceof Error ? yamlMessage(v.error) : String(v.error)})`;
      continue;
    }
    const parsed = obj(v.raw);
    if (!parsed && v.raw !== null && v.raw !== undefined) unparsed ??= `${where} key values is not a YAML mapping`;
    const p = str(obj(parsed?.proxy)?.defaultInboundPolicy);
    if (p) return { policy: p, source: `${where} (proxy.defaultInboundPolicy)` };
  }
  const unread = unreadable ? ` (ConfigMap linkerd/linkerd-config could not be read: ${unreadable})` : unparsed ? ` (${unparsed}, so proxy.defaultInboundPolicy could not be read)` : '';
  if (configured) return { policy: configured, source: `config mesh.linkerdDefaultInboundPolicy${unread}` };
  if (unreadable) return { policy: LINKERD_INSTALL_DEFAULT, source: `Linkerd install default, assumed${unread}`, unread: unreadable };
  if (unparsed) return { policy: LINKERD_INSTALL_DEFAULT, source: `Linkerd install default, assumed${unread}` };
  return { policy: LINKERD_INSTALL_DEFAULT, source: 'Linkerd install default' };
}

/**
 * The networks Linkerd's cluster-unauthenticated and cluster-authenticated policies admit: the
 * policy controller's --cluster-networks (default_client_authz with cluster_only takes
 * config.networks: linkerd2 policy-controller/k8s/index/src/defaults.rs at version-2.18), which
 * the chart sets from `clusterNetworks` (charts/linkerd-control-plane/templates/destination.yaml),
 * stored with the other values in linkerd-config's `values`. The chart's default
 * (charts/linkerd-control-plane/values.yaml) is "10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16"
 * at stable-2.14.10 and adds fd00::/8 from version-2.16 (#12291): without the key, the IPv4 part is
 * certain and fd00::/8 is decided by the release (linkerd-config's own, else the one the control
 * plane's Deployments name, `installed`: linkerd-release.ts), in doubt when none is known. The controller splits the value on "," and parses each piece as
 * a CIDR, nothing trimmed (policy-controller/runtime/src/args.rs IpNets): a piece that is not one
 * stops it, so the networks are unknown. Unknown too when linkerd-config could not be read or its
 * values cannot be parsed.
 */
export type LinkerdClusterNetworks = { ranges: IpRange[]; source: string; unsure?: { ranges: IpRange[]; why: string } } | { unknown: string };

const LINKERD_DEFAULT_NETWORKS_V4 = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'];
/** The first releases whose chart's clusterNetworks holds fd00::/8: linkerd2 commit a4c19b8c3 (#12291), in edge-24.3.4 and version-2.16, not in edge-24.3.3 or version-2.15. */
const LINKERD_V6_CLUSTER_NETWORKS = { minor: 16, edge: [24, 3, 4] } satisfies LinkerdSince;

export function linkerdClusterNetworks(configmaps: KubeObject[], unreadable?: 'forbidden' | 'error', installed?: LinkerdRelease): LinkerdClusterNetworks {
  const v4 = () => LINKERD_DEFAULT_NETWORKS_V4.map((c) => parseCidr(c)!);
  // The release decides whether the default holds fd00::/8: the one linkerd-config names, else the control plane's.
  const defaults = (source: string, named?: { parsed: LinkerdVersion; source: string }): LinkerdClusterNetworks => {
    const v6 = named ? linkerdVersionAtLeast(named.parsed, LINKERD_V6_CLUSTER_NETWORKS) : installed && linkerdReleaseAtLeast(installed, LINKERD_V6_CLUSTER_NETWORKS);
    const release = named ? named.source : installed && `the control plane's release ${linkerdReleaseText(installed)}`;
    if (v6 === true) return { ranges: [...v4(), parseCidr('fd00::/8')!], source: `${source},fd00::/8 (the default from 2.16 and edge-24.3.4 on; ${release})` };
    if (v6 === false) return { ranges: v4(), source: `${source} (the default before 2.16 and edge-24.3.4, which add fd00::/8; ${release})` };
    return { ranges: v4(), source, unsure: { ranges: [parseCidr('fd00::/8')!], why: `Linkerd's chart adds fd00::/8 to clusterNetworks from 2.16 on, and ${installed ? `the control plane's Deployments name releases on both sides (${linkerdReleaseText(installed)})` : 'the release installed is not read'}` } };
  };
  const cms = configmaps.filter((c) => c.metadata?.name === 'linkerd-config');
  cms.sort((a, b) => (a.metadata?.namespace === 'linkerd' ? -1 : b.metadata?.namespace === 'linkerd' ? 1 : 0));
  for (const cm of cms) {
    const where = `ConfigMap ${cm.metadata?.namespace ?? ''}/linkerd-config`;
    const v = linkerdValues(cm);
    if (!v) continue;
    if ('error' in v) return { unknown: `${where} key values is not valid YAML, so clusterNetworks could not be read` };
    const raw = obj(v.raw)?.clusterNetworks;
    if (raw === undefined || raw === null) return defaults(`${where} sets no clusterNetworks: Linkerd's default ${LINKERD_DEFAULT_NETWORKS_V4.join(',')}`, linkerdConfigRelease(cm));
    if (typeof raw !== 'string') return { unknown: `${where} clusterNetworks is not a string` };
    const ranges: IpRange[] = [];
    for (const piece of raw.split(',')) {
      const r = /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(piece) ? parseCidr(piece) : undefined;
      if (!r) return { unknown: `${where} clusterNetworks ${JSON.stringify(raw)}: ${JSON.stringify(piece)} is not a CIDR, so Linkerd's policy controller refuses the value` };
      ranges.push(r);
    }
    return { ranges, source: `${where} clusterNetworks ${raw}` };
  }
  if (unreadable) return { unknown: `ConfigMap linkerd/linkerd-config could not be read (${unreadable}), so clusterNetworks is unknown` };
  return defaults(`Linkerd's default clusterNetworks ${LINKERD_DEFAULT_NETWORKS_V4.join(',')}`);
}

/** Whether an address is in the cluster networks: true, false, or undefined (unknown), with why. */
export function inLinkerdClusterNetworks(n: LinkerdClusterNetworks, address: { family: 4 | 6; value: bigint; text: string }): { in: boolean | undefined; why: string } {
  if ('unknown' in n) return { in: undefined, why: n.unknown };
  if (n.ranges.some((r) => rangeContains(r, address.family, address.value))) return { in: true, why: `${address.text} is in the cluster networks (${n.source})` };
  if (n.unsure?.ranges.some((r) => rangeContains(r, address.family, address.value))) return { in: undefined, why: `${address.text} is outside them (${n.source}) but in fd00::/8: ${n.unsure.why}` };
  return { in: false, why: `${address.text} is outside the cluster networks (${n.source})` };
}

/** identityTrustDomain from linkerd-config's values, top-level or under global before stable-2.10 (linkerdSettings); cluster.local when absent or unreadable. */
export function linkerdTrustDomain(configmaps: KubeObject[], installed?: LinkerdRelease): string {
  for (const cm of configmaps) {
    if (cm.metadata?.name !== 'linkerd-config') continue;
    // Unreadable values: the default trust domain.
    const d = str(linkerdSettings(cm, installed)?.settings.identityTrustDomain);
    if (d) return d;
  }
  return 'cluster.local';
}

/**
 * Whether the control plane injects pods for the Linkerd CNI plugin: linkerd-config's values say
 * `cniEnabled: true` (charts/linkerd-control-plane/values.yaml cniEnabled, default false; with it
 * the injector adds linkerd-network-validator instead of the linkerd-init container,
 * charts/patch/templates/patch.json). The evidence, or undefined.
 */
export function linkerdCniEnabled(configmaps: KubeObject[], installed?: LinkerdRelease): string | undefined {
  for (const cm of configmaps) {
    if (cm.metadata?.name !== 'linkerd-config') continue;
    // Unreadable values: nothing shows the CNI plugin. Before stable-2.10, global.cniEnabled
    // (linkerdSettings; stable-2.9.4 charts/patch/templates/patch.json adds linkerd-init only
    // `if and .Values.global.proxyInit (not .Values.global.cniEnabled)`).
    const read = linkerdSettings(cm, installed);
    if (read?.settings.cniEnabled === true) return `ConfigMap ${cm.metadata?.namespace ?? ''}/linkerd-config ${read.layout === 'global' ? 'global.' : ''}cniEnabled: true`;
  }
  return undefined;
}

/** A proxyInit port list as linkerd-config's values hold it (linkerdProxyInitPorts). */
export interface LinkerdInstalledPorts {
  /** The value as written. */
  value: string;
  /** parseProxyInitPorts' ports and ranges; `invalid` entries proxy-init logs and leaves out. */
  ports: string[];
  invalid: string[];
  /** "ConfigMap <ns>/linkerd-config". */
  where: string;
}

/** The install's proxyInit.ignoreInboundPorts and ignoreOutboundPorts, each when read. */
export interface LinkerdProxyInit {
  inbound?: LinkerdInstalledPorts;
  outbound?: LinkerdInstalledPorts;
  /** proxyInit.skipSubnets, when read and not empty (linkerdSkippedSubnets): the value and "ConfigMap <ns>/linkerd-config". */
  subnets?: { value: string; where: string };
  /**
   * "the values in ConfigMap <ns>/linkerd-config have no proxyInit" when its values were read and
   * hold no proxyInit mapping (absent or null; global.proxyInit before stable-2.10): the proxy
   * injector cannot inject a pod then (linkerdProxyInitPorts).
   */
  absent?: string;
}

/** What a pod's injection follows cluster-wide: linkerdCniEnabled's evidence and linkerdProxyInitPorts' values (MeshModel's `linkerd` has both). */
export interface LinkerdInjectDefaults {
  cni?: string;
  proxyInit?: LinkerdProxyInit;
}

/**
 * proxyInit.ignoreInboundPorts and ignoreOutboundPorts as installed: linkerd-config's `values` key
 * holds the install's chart values (linkerd2 charts/linkerd-control-plane/templates/config.yaml,
 * stable-2.14.10 and edge-26.8.3: `toYaml` of .Values less secrets), which the proxy injector
 * mounts and reads into its Values struct (controller/proxy-injector/webhook.go config.Values,
 * pkg/config/config.go: sigs.k8s.io/yaml into pkg/charts/linkerd2/values.go, where both are Go
 * strings) to render each pod's linkerd-init arguments. The injector starts from an empty Values,
 * not the chart's defaults (pkg/config/config.go Values: `&l5dcharts.Values{}`, then
 * yaml.Unmarshal), so a proxyInit mapping without the key, or with it null, holds Go's zero value
 * "": no port skipped. A value that is not a string (the injector cannot read it into a string)
 * is not taken: the chart default stays assumed. No proxyInit mapping at all (absent or null) leaves
 * Values.ProxyInit a nil pointer (pkg/charts/linkerd2/values.go `ProxyInit *ProxyInit`), which the
 * injector dereferences for every pod it injects (pkg/inject/inject.go injectProxyInit,
 * `values.ProxyInit.SAMountPath = values.Proxy.SAMountPath`, unconditional; stable-2.14.10 and
 * edge-25.12.3): the handler panics, net/http drops the connection, and the API server's call to the
 * webhook fails, so the pod starts without a proxy under the chart's webhookFailurePolicy Ignore
 * (charts/linkerd-control-plane/values.yaml) or is refused under Fail: `absent`.
 */
export function linkerdProxyInitPorts(configmaps: KubeObject[], installed?: LinkerdRelease): LinkerdProxyInit {
  const cms = configmaps.filter((c) => c.metadata?.name === 'linkerd-config');
  cms.sort((a, b) => (a.metadata?.namespace === 'linkerd' ? -1 : b.metadata?.namespace === 'linkerd' ? 1 : 0));
  const out: LinkerdProxyInit = {};
  for (const [i, cm] of cms.entries()) {
    // Values missing or unparsable: the default stays assumed (linkerdClusterDefault says why).
    // Before stable-2.10 proxyInit is global.proxyInit (linkerdSettings), which the injector of
    // that release dereferences as unconditionally (stable-2.9.4 pkg/inject/inject.go
    // injectProxyInit, `values.GetGlobal().ProxyInit.Capabilities = ...`).
    const read = linkerdSettings(cm, installed);
    const proxyInit = obj(read?.settings.proxyInit);
    const where = `ConfigMap ${cm.metadata?.namespace ?? ''}/linkerd-config${read?.layout === 'global' ? ', under global' : ''}`;
    if (i === 0 && read && (read.settings.proxyInit === undefined || read.settings.proxyInit === null)) out.absent = `the values in ConfigMap ${cm.metadata?.namespace ?? ''}/linkerd-config have no ${read.layout === 'global' ? 'global.proxyInit' : 'proxyInit'}${read.release ? ` (${read.release}: that release reads it ${read.layout === 'global' ? 'under global' : 'top-level, not under global'})` : ''}`;
    for (const [direction, key] of [['inbound', 'ignoreInboundPorts'], ['outbound', 'ignoreOutboundPorts']] as const) {
      if (out[direction] || !proxyInit) continue;
      const value = proxyInit[key] ?? '';
      if (typeof value !== 'string') continue;
      const { ports, invalid, spaced } = parseProxyInitPorts(value);
      // The destination controller reads only the pod annotation: here a spaced entry is just left out.
      out[direction] = { value, ports, invalid: [...invalid, ...spaced.map((x) => x.entry)], where };
    }
    // A string, as the injector's Values has it (pkg/charts/linkerd2/values.go SkipSubnets); the chart's default "" skips none.
    const subnets = proxyInit?.skipSubnets;
    if (!out.subnets && typeof subnets === 'string' && subnets !== '') out.subnets = { value: subnets, where };
  }
  return out;
}

export interface LinkerdServer {
  namespace: string;
  name: string;
  podSelector: unknown;
  port: number | string | undefined;
  /** Default for clients no authorization admits (Server v1beta3 `accessPolicy`; deny when unset). */
  accessPolicy: string;
  /** The Server's own labels (legacy ServerAuthorizations select Servers by label). */
  labels: Record<string, string>;
  proxyProtocol?: string;
  /** metadata.creationTimestamp in ms; undefined when the object has none (manifests not yet applied). */
  createdAt?: number;
}

export function parseServer(o: KubeObject): LinkerdServer {
  const spec = obj(o.spec) ?? {};
  const port = typeof spec.port === 'number' || typeof spec.port === 'string' ? spec.port : undefined;
  const created = Date.parse(o.metadata?.creationTimestamp ?? '');
  return {
    namespace: o.metadata?.namespace ?? 'default',
    name: o.metadata?.name ?? '',
    createdAt: Number.isFinite(created) ? created : undefined,
    podSelector: spec.podSelector,
    port,
    accessPolicy: str(spec.accessPolicy) ?? 'deny',
    labels: stringMap(o.metadata?.labels),
    proxyProtocol: str(spec.proxyProtocol),
  };
}

export function serverCoversPort(s: LinkerdServer, labels: Record<string, string>, port: { port: number; name?: string }): boolean {
  if (s.port === undefined) return false;
  if (typeof s.port === 'number' ? s.port !== port.port : s.port !== port.name) return false;
  return labelSelectorMatches(s.podSelector, labels);
}

export interface ServerChoice {
  /** The Server whose policy the port follows. */
  server: LinkerdServer;
  /** Other Servers selecting the port: Linkerd ignores them there. */
  skipped: LinkerdServer[];
  /** Set when the winner was picked by name among Servers without a creationTimestamp: the real order is the order they get created in. */
  unordered?: string;
}

/** Older first; an object not yet created (no creationTimestamp) after every existing one; then by name, bytewise like Rust's String order. */
function olderServer(a: LinkerdServer, b: LinkerdServer): number {
  const ta = a.createdAt ?? Number.POSITIVE_INFINITY;
  const tb = b.createdAt ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The Server that decides a pod port when several select it. linkerd2
 * policy-controller/k8s/index/src/inbound/index.rs (Pod::reindex_servers) sorts a namespace's
 * Servers by created_at, then name, and skips a later one whose port is already matched ("Port
 * already matched by another server; skipping"): the oldest wins. `ports` are the views of one
 * port number (a Server may name it by any of its container port names). One pass, no sort.
 */
export function winningServer(servers: LinkerdServer[], labels: Record<string, string>, ports: Array<{ port: number; name?: string }>): ServerChoice | undefined {
  let server: LinkerdServer | undefined;
  const skipped: LinkerdServer[] = [];
  for (const s of servers) {
    if (!ports.some((p) => serverCoversPort(s, labels, p))) continue;
    if (!server) server = s;
    else if (olderServer(s, server) < 0) {
      skipped.push(server);
      server = s;
    } else skipped.push(s);
  }
  if (!server) return undefined;
  const tied = server.createdAt === undefined ? skipped.filter((s) => s.createdAt === undefined) : [];
  const unordered = tied.length > 0
    ? `Servers ${[server, ...tied].map((s) => s.name).join(', ')} select the same port and have no creationTimestamp: the oldest wins, so ${server.name} (first by name) is assumed`
    : undefined;
  return { server, skipped, ...(unordered ? { unordered } : {}) };
}

// ---- ports excluded from the proxy -------------------------------------------------------

export const SKIP_INBOUND_ANNOTATION = 'config.linkerd.io/skip-inbound-ports';
export const SKIP_OUTBOUND_ANNOTATION = 'config.linkerd.io/skip-outbound-ports';

export interface SkippedPorts {
  direction: 'inbound' | 'outbound';
  /** Ports and ranges ("3306", "4000-4100"), in order; inbound ones without the proxy's own ports (linkerdInboundSkips). */
  ports: string[];
  /** Entries linkerd-init does not read as a port or range (parseProxyInitPorts): it logs and leaves them out, so they skip nothing. */
  invalid: string[];
  /**
   * Inbound annotation entries only a trim makes ports (" 3306"): linkerd-init leaves them out,
   * the destination controller trims them (parseProxyInitPorts `spaced`). Their ports still reach
   * the proxy, but meshed callers are told they are not meshed and send them without mTLS.
   */
  spaced?: string[];
  /** Outbound: a list given to linkerd-init in which it reads no entry (parseProxyInitPorts `noneRead`). */
  noneRead?: true;
  source: string;
  /** The namespace's value, which running pods get only once restarted. */
  pending?: PodSetting;
  /** Inbound, no skip-inbound-ports annotation: Linkerd's default proxyInit.ignoreInboundPorts is assumed, and `ports` are those of it a container declares. */
  assumedDefault?: true;
  /** As assumedDefault, with the installed proxyInit.ignoreInboundPorts read from linkerd-config (linkerdProxyInitPorts). */
  installedDefault?: true;
  /**
   * Inbound, a pod with linkerd-init and no skip-inbound-ports annotation: ports of the install's
   * proxyInit.ignoreInboundPorts its arguments list that no container declares (initInboundSkips).
   * iptables lets them past the proxy all the same, so reach judges them as `ports`; the checks
   * judge them as the install default (only where a container declares one).
   */
  undeclared?: string[];
}

/**
 * A port or "lo-hi" range as linkerd2-proxy-init's ParsePortRange reads it (pkg/util/portrange.go,
 * proxy-init/v2.2.3 and v2.4.9; linkerd2 pkg/util/portrange.go is the same): split on "-", each
 * bound Go strconv.Atoi (no space trimmed, a leading "+" accepted) within 0-65535, lower <= upper.
 */
function goPortRange(entry: string): [number, number] | undefined {
  const bounds = entry.split('-');
  if (bounds.length > 2) return undefined;
  const lo = goParseInt(bounds[0], 64);
  const hi = goParseInt(bounds[1] ?? bounds[0], 64);
  if (lo === undefined || hi === undefined || lo < 0 || hi > 65535 || hi < lo) return undefined;
  return [lo, hi];
}

/** What parseProxyInitPorts makes of a skip list. */
export interface ProxyInitPortList {
  /** The ports and ranges linkerd-init sends around the proxy ("3306", "4000-4100"), port 0 left out. */
  ports: string[];
  /** Entries it logs and leaves out (empty ones not listed), but for `spaced` ones. */
  invalid: string[];
  /** Entries it leaves out that a trim makes a port or range (" 3306" is "3306"), as the destination controller reads them. */
  spaced: Array<{ entry: string; range: string }>;
  /** The list is not empty, yet linkerd-init reads no entry of it. */
  noneRead: boolean;
}

/**
 * A config.linkerd.io/skip-inbound-ports / skip-outbound-ports value, or the install's
 * proxyInit.ignoreInboundPorts / ignoreOutboundPorts, as the pod's linkerd-init reads it. The
 * injector copies the value verbatim into --inbound-ports-to-ignore / --outbound-ports-to-ignore
 * (linkerd2 pkg/inject/inject.go, charts/partials/templates/_proxy-init.tpl, stable-2.14.10 and
 * edge-26.8.3); proxy-init (linkerd2-proxy-init proxy-init/v2.2.3, the one stable-2.14.10 installs,
 * and proxy-init/v2.4.9, the one edge-26.8.3 builds) splits it with pflag's StringSlice (a CSV
 * record: no space trimmed, "80,,443" has an empty entry), reads each entry with ParsePortRange
 * (goPortRange) and logs and leaves out one it rejects (pkg/iptables/iptables.go
 * makeMultiportDestinations). So " 3306" and "4000 - 5000" skip nothing, "+443" skips 443, "0" is
 * read but no connection uses port 0. The CNI plugin splits on "," alone and reads entries the same
 * way (cni-plugin/main.go, cni-plugin/v1.6.8). When no entry is read, makeMultiportDestinations
 * still gives one rule, with an empty --dports list (`noneRead`).
 */
export function parseProxyInitPorts(value: string): ProxyInitPortList {
  const ports: string[] = [];
  const invalid: string[] = [];
  const spaced: ProxyInitPortList['spaced'] = [];
  let read = 0;
  const show = ([lo, hi]: [number, number]) => (lo === hi ? String(lo) : `${lo}-${hi}`);
  for (const e of value === '' ? [] : value.split(',')) {
    const r = goPortRange(e);
    if (r) {
      read++;
      // Port 0 carries no connection: "0-100" skips 1-100, "0" nothing.
      if (r[1] >= 1) ports.push(show([Math.max(r[0], 1), r[1]]));
      continue;
    }
    if (e === '') continue;
    const trimmed = goPortRange(e.trim());
    if (trimmed && trimmed[1] >= 1) spaced.push({ entry: e, range: show([Math.max(trimmed[0], 1), trimmed[1]]) });
    else invalid.push(e);
  }
  return { ports, invalid, spaced, noneRead: value !== '' && read === 0 };
}

/**
 * The skip-inbound/outbound-ports a meshed pod gets (linkerdPodSetting: a running pod only its
 * own annotation, a template also its namespace's). Empty values skip nothing. The inbound entry
 * is linkerdInboundSkips': the proxy's own ports left out, Linkerd's default assumed without the
 * annotation. A pod whose linkerd-init has arguments (linkerdInitArgs) skips what they list; the
 * annotation then only says whether the outbound list was its (else linkerdOutboundDefault judges
 * it as the install's).
 */
export function linkerdSkippedPorts(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, template?: { annotations: Record<string, string> }, cluster: LinkerdInjectDefaults = {}): SkippedPorts[] {
  const out: SkippedPorts[] = [];
  const inbound = linkerdInboundSkips(nsAnnotations, pod, namespace, template, cluster);
  if (inbound) out.push(inbound);
  const annotation = linkerdPodSetting(nsAnnotations, pod, namespace, SKIP_OUTBOUND_ANNOTATION, template);
  // With linkerd-init its argument decides; without the annotation it is the install's value,
  // judged as such (linkerdOutboundDefault).
  const init = linkerdInitArgs(pod);
  const applied = init && annotation.setting
    ? { setting: { value: init.values.outbound ?? '', source: initSource(init, 'outbound', annotation.setting, samePorts(parseProxyInitPorts(annotation.setting.value).ports, parseProxyInitPorts(init.values.outbound ?? '').ports)) }, pending: annotation.pending }
    : init ? { pending: annotation.pending } : annotation;
  // --simulate writes no rule: outbound connections leave without the proxy as well.
  const outbound = init?.simulate ? { direction: 'outbound' as const, ports: ['1-65535'], invalid: [], source: initUnredirected(init)!.source } : noteUnread(pod, annotatedSkips('outbound', applied, (ports) => ports));
  if (outbound) out.push(outbound);
  return out;
}

/**
 * A skip-*-ports annotation's entry (linkerdPodSetting's `setting` and `pending`), read as
 * linkerd-init reads it (parseProxyInitPorts): its ports less what `keep` drops (the proxy's own,
 * inbound), the entries linkerd-init leaves out, and, inbound, those the destination controller
 * still reads (`spaced`), outbound, whether linkerd-init reads none (`noneRead`). When it skips
 * nothing, a namespace value the running pods pick up on restart is still worth an entry (no
 * ports); undefined when neither says anything.
 */
function annotatedSkips(direction: SkippedPorts['direction'], { setting, pending }: { setting?: PodSetting; pending?: PodSetting }, keep: (ports: string[]) => string[]): SkippedPorts | undefined {
  const parsed = parseProxyInitPorts(setting?.value ?? '');
  const ports = keep(parsed.ports);
  // Only inbound has a reader that trims (the destination controller); outbound they are just left out.
  const spaced = direction === 'inbound' ? keep(parsed.spaced.map((x) => x.range)) : [];
  const invalid = direction === 'inbound' ? parsed.invalid : [...parsed.invalid, ...parsed.spaced.map((x) => x.entry)];
  const noneRead = direction === 'outbound' && parsed.noneRead;
  if (ports.length === 0 && invalid.length === 0 && spaced.length === 0) {
    const later = pending && parseProxyInitPorts(pending.value);
    return later && keep(later.ports).length + later.invalid.length > 0 ? { direction, ports: [], invalid: [], source: pending!.source, pending } : undefined;
  }
  return { direction, ports, invalid, ...(spaced.length > 0 ? { spaced } : {}), ...(noneRead ? { noneRead: true as const } : {}), source: setting!.source, ...(pending ? { pending } : {}) };
}

/** linkerd2 charts/linkerd-control-plane/values.yaml (stable-2.14.10 and edge-26.8.3): proxyInit.ignoreOutboundPorts "4567,4568" (Galera). */
export const DEFAULT_IGNORED_OUTBOUND_PORTS = ['4567', '4568'];

/**
 * The outbound ports a meshed pod without config.linkerd.io/skip-outbound-ports (linkerdPodSetting;
 * even an empty value replaces it, pkg/inject/inject.go) sends around its proxy: the install's
 * proxyInit.ignoreOutboundPorts, which linkerd-init gets as --outbound-ports-to-ignore
 * (charts/partials/templates/_proxy-init.tpl), read from linkerd-config (`cluster.proxyInit`),
 * else the chart default 4567,4568 (`assumed`). Under the Linkerd CNI plugin (linkerdCniOf) none:
 * the plugin reads the annotation, else its own ignoreOutboundPorts (charts/linkerd2-cni/values.yaml,
 * empty), never proxyInit's. A pod whose linkerd-init has arguments (linkerdInitArgs): its
 * --outbound-ports-to-ignore, the install's value when it was injected. Undefined when the
 * annotation decides or nothing is skipped.
 */
export function linkerdOutboundDefault(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, cluster: LinkerdInjectDefaults = {}): { ports: string[]; source: string; assumed: boolean } | undefined {
  if (linkerdPodSetting(nsAnnotations, pod, namespace, SKIP_OUTBOUND_ANNOTATION).setting || linkerdCniOf(pod, cluster.cni)) return undefined;
  const init = linkerdInitArgs(pod);
  if (init) {
    const ports = parseProxyInitPorts(init.values.outbound ?? '').ports;
    return ports.length > 0 ? { ports, source: `${init.describe('outbound')} (no ${SKIP_OUTBOUND_ANNOTATION} annotation: the install's proxyInit.ignoreOutboundPorts when the pod was injected)`, assumed: false } : undefined;
  }
  const installed = cluster.proxyInit?.outbound;
  if (installed) return installed.ports.length > 0 ? { ports: installed.ports, source: `proxyInit.ignoreOutboundPorts ${installed.ports.join(',')}, installed (${installed.where}): no ${SKIP_OUTBOUND_ANNOTATION} annotation`, assumed: false } : undefined;
  return { ports: DEFAULT_IGNORED_OUTBOUND_PORTS, source: `Linkerd's default proxyInit.ignoreOutboundPorts ${DEFAULT_IGNORED_OUTBOUND_PORTS.join(',')}, default assumed: no ${SKIP_OUTBOUND_ANNOTATION} annotation, and the installed value is not read`, assumed: true };
}

export const CONTROL_PORT_ANNOTATION = 'config.linkerd.io/control-port';
export const ADMIN_PORT_ANNOTATION = 'config.linkerd.io/admin-port';
/**
 * linkerd2 charts/linkerd-control-plane/values.yaml (stable-2.14.10 and edge-26.8.3): proxy.ports.control
 * (the tap server) and proxy.ports.admin, on which the proxy listens itself
 * (charts/partials/templates/_proxy.tpl LINKERD2_PROXY_CONTROL_LISTEN_ADDR and
 * LINKERD2_PROXY_ADMIN_LISTEN_ADDR; linkerd2-proxy linkerd/app/src/env.rs DEFAULT_CONTROL_LISTEN_ADDR
 * 4190, DEFAULT_ADMIN_LISTEN_ADDR 4191, release/v2.210.4).
 */
const DEFAULT_CONTROL_PORT = 4190;
const DEFAULT_ADMIN_PORT = 4191;
/** linkerd2 charts/linkerd-control-plane/values.yaml (stable-2.14.10 and main): proxyInit.ignoreInboundPorts "4567,4568" (Galera). */
export const DEFAULT_IGNORED_INBOUND_PORTS = ['4567', '4568'];
/**
 * The Linkerd CNI plugin's inbound ports to ignore without the annotation: linkerd2
 * charts/linkerd2-cni/values.yaml (stable-2.14.10 and main) proxyAdminPort 4191, proxyControlPort
 * 4190, ignoreInboundPorts "" (templates/cni-plugin.yaml "inbound-ports-to-ignore"); the plugin
 * (linkerd2-proxy-init cni-plugin/main.go, cni-plugin/v1.3.0 to v1.7.0-alpha.1) reads the pod's,
 * else its namespace's, config.linkerd.io/skip-inbound-ports and never proxyInit.ignoreInboundPorts.
 */
export const CNI_DEFAULT_IGNORED_INBOUND_PORTS = ['4191', '4190'];

/**
 * Why the Linkerd CNI plugin, not the linkerd-init container, sets up a pod's iptables: the plugin
 * acts on pods with a linkerd-proxy container and no linkerd-init init container (linkerd2-proxy-init
 * cni-plugin/main.go), and the injector gives a pod linkerd-network-validator in place of
 * linkerd-init when the control plane runs with cniEnabled (`clusterCni`, linkerdCniEnabled). A pod
 * already injected says which by its init containers; one yet to be injected follows `clusterCni`.
 */
function linkerdCniOf(pod: Pick<PodView, 'spec'>, clusterCni: string | undefined): string | undefined {
  if (carriesLinkerdProxy(pod)) {
    const init = (Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : []).map((c: { name?: unknown }) => c?.name);
    if (init.includes('linkerd-init')) return undefined;
    if (init.includes('linkerd-network-validator')) return 'its linkerd-network-validator init container';
  }
  return clusterCni;
}

// ---- linkerd-init's arguments --------------------------------------------------------------

/** The linkerd-init flags that say what bypasses the proxy, by the setting each carries. */
export type LinkerdInitSetting = 'inbound' | 'outbound' | 'subnets';
const INIT_FLAGS: Record<LinkerdInitSetting, string> = { inbound: 'inbound-ports-to-ignore', outbound: 'outbound-ports-to-ignore', subnets: 'subnets-to-ignore' };
/**
 * proxy-init's flags that take no value, long and short (linkerd2-proxy-init proxy-init/cmd/root.go
 * NewRootCmd, proxy-init/v2.2.3 and v2.4.9: --simulate, --use-wait-flag/-w, --ipv6); every other
 * flag takes one, as pflag reads it: `--flag=V`, else the next argument, whatever it looks like.
 */
const INIT_BOOL_FLAGS = new Set(['simulate', 'use-wait-flag', 'ipv6']);
const INIT_BOOL_SHORTHANDS = new Set(['w']);

/** What a pod's linkerd-init container was run with (linkerdInitArgs). */
export interface LinkerdInitArgs {
  /** Each flag's value, the occurrences joined with "," as pflag's StringSlice appends them; undefined: not given (none skipped). */
  values: Partial<Record<LinkerdInitSetting, string>>;
  /** How a reason names where a setting comes from: `linkerd-init argument --subnets-to-ignore "10.0.0.0/8"`, or that it was not given. */
  describe: (setting: LinkerdInitSetting) => string;
  /**
   * --ports-to-redirect/-r, as given (joined with ","), when not empty: only the ports it lists are
   * redirected to the proxy inbound (RedirectListedMode), every other one reaches the application
   * around it; `ports` those read (pflag IntSlice: strconv.Atoi of each entry), `unread` whether
   * an entry is not a number (pflag then refuses the flag and linkerd-init exits writing nothing).
   */
  redirect?: { text: string; ports: number[]; unread: boolean };
  /** --simulate: linkerd-init prints the rules and writes none, so no connection is sent to the proxy. */
  simulate?: true;
}

/**
 * A meshed pod's linkerd-init arguments, which are what its iptables rules were written from: the
 * proxy injector renders them once, at admission, from the pod's config.linkerd.io annotations and
 * the install's proxyInit values (linkerd2 charts/partials/templates/_proxy-init.tpl:
 * --inbound-ports-to-ignore "<control>,<admin>[,…]" always, --outbound-ports-to-ignore and
 * --subnets-to-ignore when not empty; stable-2.14.10 and edge-26.8.3), and linkerd-init runs
 * before any other container (linkerd2-proxy-init proxy-init/cmd/root.go, pkg/iptables/iptables.go).
 * An annotation edited afterwards changes nothing in iptables. The arguments (and the command, as
 * one list) are read as pflag reads them: `--flag V` or `--flag=V`, repeated StringSlice flags
 * appending, an empty occurrence adding nothing, `--` ending the flags. Undefined for a pod
 * without a linkerd-proxy and a linkerd-init container (the Linkerd CNI plugin's pods, a template
 * yet to be injected), or whose linkerd-init has no arguments in the input (the injector never
 * renders it so): the annotations and the install's values decide there.
 */
export function linkerdInitArgs(pod: Pick<PodView, 'spec'>): LinkerdInitArgs | undefined {
  if (!carriesLinkerdProxy(pod)) return undefined;
  const init = (Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : []).map(obj).find((c: Record<string, unknown> | undefined) => str(c?.name) === 'linkerd-init');
  if (!init) return undefined;
  const given0 = [...(Array.isArray(init.command) ? init.command : []), ...(Array.isArray(init.args) ? init.args : [])].filter((t): t is string => typeof t === 'string');
  if (given0.length === 0) return undefined;
  // A shell running proxy-init (`sh -c "proxy-init …"`): its flags are the words after proxy-init
  // in the -c script (initShellWords); one that cannot be read so is left to the annotations and
  // the install's values (linkerdInitUnread names it).
  const tokens = SHELL.test(given0[0]!) ? initShellWords(given0) : given0;
  if (!tokens) return undefined;
  const given = new Map<LinkerdInitSetting, string[]>();
  const redirect: string[] = [];
  let simulate = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '--') break;
    const long = /^--([^=]+)(=([\s\S]*))?$/.exec(t);
    if (long) {
      if (long[1] === 'simulate') simulate = long[2] === undefined || long[3] === 'true';
      if (INIT_BOOL_FLAGS.has(long[1])) continue;
      const value = long[2] !== undefined ? long[3] : tokens[++i] ?? '';
      if (long[1] === 'ports-to-redirect') redirect.push(value);
      const setting = (Object.keys(INIT_FLAGS) as LinkerdInitSetting[]).find((k) => INIT_FLAGS[k] === long[1]);
      if (setting) given.set(setting, [...(given.get(setting) ?? []), value]);
      continue;
    }
    // Shorthands (-p, -o, -u, -r take a value, -w none) may be run together: the first one
    // taking a value takes the rest of the argument (after an optional "="), else the next one.
    if (!/^-[^-]/.test(t)) continue;
    for (let j = 1; j < t.length; j++) {
      if (INIT_BOOL_SHORTHANDS.has(t[j])) continue;
      const value = j === t.length - 1 ? tokens[++i] ?? '' : t.slice(t[j + 1] === '=' ? j + 2 : j + 1);
      if (t[j] === 'r') redirect.push(value);
      break;
    }
  }
  const values: LinkerdInitArgs['values'] = {};
  for (const [setting, list] of given) values[setting] = list.filter((v) => v !== '').join(',');
  // pflag's IntSlice: each occurrence split on ",", every entry strconv.Atoi (sign, digits).
  const entries = redirect.flatMap((v) => v.split(','));
  const read = entries.filter((e) => /^[+-]?\d+$/.test(e)).map(Number);
  return {
    values,
    describe: (setting) => (given.has(setting) ? `linkerd-init argument --${INIT_FLAGS[setting]} ${JSON.stringify(values[setting])}` : `linkerd-init given no --${INIT_FLAGS[setting]}`),
    ...(redirect.length > 0 ? { redirect: { text: redirect.join(','), ports: read, unread: read.length < entries.length } } : {}),
    ...(simulate ? { simulate: true as const } : {}),
  };
}

const SHELL = /(^|\/)(ba|da|a|z|k)?sh$/;

/**
 * The proxy-init arguments of a linkerd-init run through a shell (`sh -c "exec proxy-init --flag V"`):
 * the words after the proxy-init word of the script given to -c (alone or in a cluster, `-ec`), as
 * the shell splits them (flags.ts shellArgsAfter). Undefined when there is no such script, no
 * proxy-init word in it, or it holds what the shell would expand or run apart (`$`, backquotes,
 * `\`, `;`, `&`, `|`, redirections, globs, comments, more than one line) or a quote it never closes
 * (the shell refuses the script): its arguments are then not known.
 */
function initShellWords(tokens: readonly string[]): string[] | undefined {
  const at = tokens.findIndex((t, i) => i > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(t));
  const script = at > 0 ? tokens[at + 1] : undefined;
  if (script === undefined || /[$`\\;&|<>(){}*?[\]~#\n\r]/.test(script) || unclosedQuote(script)) return undefined;
  return shellArgsAfter(script, (w) => /(^|\/)proxy-init$/.test(w));
}

/** Whether a script without backslashes leaves a '…' or "…" quote open (either quote is plain text inside the other). */
function unclosedQuote(script: string): boolean {
  let open: string | undefined;
  for (const c of script) if (c === "'" || c === '"') open = open === undefined ? c : open === c ? undefined : open;
  return open !== undefined;
}

/**
 * Why a meshed pod's linkerd-init arguments were not read though it has some (a shell script
 * initShellWords cannot read), for the reasons that then fall back on the annotations; undefined
 * otherwise.
 */
export function linkerdInitUnread(pod: Pick<PodView, 'spec'>): string | undefined {
  if (!carriesLinkerdProxy(pod)) return undefined;
  const init = (Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers : []).map(obj).find((c: Record<string, unknown> | undefined) => str(c?.name) === 'linkerd-init');
  const first = Array.isArray(init?.command) ? init.command[0] : Array.isArray(init?.args) ? init.args[0] : undefined;
  if (typeof first !== 'string' || !SHELL.test(first) || linkerdInitArgs(pod)) return undefined;
  return 'linkerd-init runs a shell script whose proxy-init arguments are not read (the shell would expand or run more than words): the annotations and the install\'s values stand in for what iptables skips';
}

/** `found` with linkerdInitUnread's note after its source, when there is one. */
function noteUnread<T extends { source: string }>(pod: Pick<PodView, 'spec'>, found: T | undefined): T | undefined {
  const note = found && linkerdInitUnread(pod);
  return note ? { ...found, source: `${found.source}; ${note}` } : found;
}

/**
 * The inbound ports linkerd-init sends to no proxy apart from --inbound-ports-to-ignore, and why:
 * under --simulate every one (it writes no rule); with --ports-to-redirect every one it does not
 * list (linkerd2-proxy-init proxy-init/cmd/root.go BuildFirewallConfiguration: RedirectListedMode
 * when the list is not empty; pkg/iptables/iptables.go addRulesForInboundPortRedirect then
 * redirects each listed port alone, and the chain has no catch-all redirect). Undefined when it
 * redirects every port (RedirectAllMode) or the list is unread (linkerd-init then fails: the pod
 * does not start).
 */
function initUnredirected(init: LinkerdInitArgs): { ports: string[]; source: string } | undefined {
  if (init.simulate) return { ports: ['1-65535'], source: 'linkerd-init argument --simulate: it prints its iptables rules and writes none, so nothing is sent to the proxy' };
  if (!init.redirect || init.redirect.unread) return undefined;
  const listed = [...new Set(init.redirect.ports.filter((p) => p >= 1 && p <= 65535))].sort((a, b) => a - b);
  return { ports: withoutPorts(['1-65535'], listed), source: `linkerd-init argument --ports-to-redirect ${JSON.stringify(init.redirect.text)}: only the ports it lists are redirected to the proxy` };
}

/**
 * Where a setting linkerd-init was given comes from, as a reason names it: the argument, and the
 * pod's own annotation when it says otherwise (`same`: they agree as linkerd-init reads them).
 * That annotation was changed after injection (the injector renders the arguments from it once), or
 * the pod was injected by other means; iptables follows the argument.
 */
function initSource(init: LinkerdInitArgs, setting: LinkerdInitSetting, annotation: PodSetting | undefined, same: boolean): string {
  const differs = annotation && !same ? `, while ${annotation.source} says ${JSON.stringify(annotation.value)}, which linkerd-init was not given: iptables follows its arguments` : '';
  return `${init.describe(setting)}${differs}`;
}

/** Whether two port lists (parseProxyInitPorts' `ports`, less the proxy's own) skip the same ports. */
const samePorts = (a: string[], b: string[]) => [...new Set(a)].sort().join(',') === [...new Set(b)].sort().join(',');

/**
 * The proxy's own control and admin ports (config.linkerd.io/control-port, admin-port, else 4190,
 * 4191). The injector reads them with strconv.ParseInt(value, 10, 32) and keeps the default on an
 * error (linkerd2 pkg/inject/inject.go applyAnnotationOverrides, stable-2.14.10 and main): " 5000"
 * keeps 4190, "+5000" and "05000" are 5000. A number outside 1-65535 that fits 32 bits is taken as
 * is; it can equal no skipped port (parseProxyInitPorts keeps 1-65535 only), so it frees none.
 */
export function linkerdProxyOwnPorts(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string): number[] {
  const own: number[] = [];
  for (const [key, fallback] of [[CONTROL_PORT_ANNOTATION, DEFAULT_CONTROL_PORT], [ADMIN_PORT_ANNOTATION, DEFAULT_ADMIN_PORT]] as const) {
    const v = linkerdPodSetting(nsAnnotations, pod, namespace, key).setting?.value;
    own.push((v === undefined ? undefined : goParseInt(v, 32)) ?? fallback);
  }
  return own;
}

/**
 * Ports and ranges (parseProxyInitPorts') without `own`: a range holding one is split around it
 * ("4180-4199" less 4190,4191 is "4180-4189", "4192-4199"), one made only of them dropped.
 */
export function withoutPorts(entries: string[], own: number[]): string[] {
  const sorted = [...new Set(own)].sort((a, b) => a - b);
  const out = new Set<string>();
  const push = (lo: number, hi: number) => { if (lo <= hi) out.add(lo === hi ? String(lo) : `${lo}-${hi}`); };
  for (const e of entries) {
    const [lo, hi = lo] = e.split('-').map(Number);
    let start = lo;
    for (const p of sorted) {
      if (p < start || p > hi) continue;
      push(start, p - 1);
      start = p + 1;
    }
    push(start, hi);
  }
  return [...out];
}

/**
 * The inbound ports on which a meshed pod's application traffic bypasses linkerd-proxy. proxy-init
 * is always given --inbound-ports-to-ignore "<control>,<admin>[,<proxyInit.ignoreInboundPorts>]"
 * (linkerd2 charts/partials/templates/_proxy-init.tpl): the proxy itself listens on its control
 * and admin ports, so listing them in skip-inbound-ports exposes no application and they are left
 * out, ranges split around them (config.linkerd.io/control-port and admin-port override them,
 * pkg/inject/inject.go). The annotation replaces proxyInit.ignoreInboundPorts (pkg/inject/inject.go);
 * without it the install's proxyInit.ignoreInboundPorts applies: read from linkerd-config
 * (`cluster.proxyInit`, linkerdProxyInitPorts), else the chart's default 4567,4568 assumed, and
 * only the ports of it a container declares are given (nothing shows a listener on the
 * others). Under the Linkerd CNI plugin (linkerdCniOf) there is no proxy-init: without the
 * annotation the plugin's own default applies instead (CNI_DEFAULT_IGNORED_INBOUND_PORTS, the
 * proxy's ports only, so nothing an application declares unless it moved them). A pod whose
 * linkerd-init has arguments (linkerdInitArgs) is read from them instead (initInboundSkips).
 * Undefined when nothing is skipped and no namespace value awaits a restart.
 */
export function linkerdInboundSkips(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, template?: { annotations: Record<string, string> }, cluster: LinkerdInjectDefaults = {}): SkippedPorts | undefined {
  return noteUnread(pod, inboundSkips(nsAnnotations, pod, namespace, template, cluster));
}

function inboundSkips(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, template: { annotations: Record<string, string> } | undefined, cluster: LinkerdInjectDefaults): SkippedPorts | undefined {
  const own = linkerdProxyOwnPorts(nsAnnotations, pod, namespace);
  const { setting, pending } = linkerdPodSetting(nsAnnotations, pod, namespace, SKIP_INBOUND_ANNOTATION, template);
  const base = { direction: 'inbound' as const };
  const init = linkerdInitArgs(pod);
  if (init) return initInboundSkips(init, own, pod, { setting, pending }, cluster);
  if (!setting) {
    const declared = containerPorts(pod.spec);
    const cni = linkerdCniOf(pod, cluster.cni);
    const installed = cni ? undefined : cluster.proxyInit?.inbound;
    const defaults = cni ? CNI_DEFAULT_IGNORED_INBOUND_PORTS : installed ? installed.ports : DEFAULT_IGNORED_INBOUND_PORTS;
    const listed = withoutPorts(defaults, own);
    const ports = listed.filter((r) => declared.some((p) => portInList([r], p.port)));
    // iptables skips the others too, listener or not: reach lets them past the proxy (`undeclared`).
    const undeclared = listed.filter((r) => !ports.includes(r));
    const source = cni
      ? `the Linkerd CNI plugin's default inbound-ports-to-ignore ${defaults.join(',')} (linkerd2-cni chart proxyAdminPort, proxyControlPort, ignoreInboundPorts empty), default assumed: the CNI plugin sets up this pod (${cni}), no ${SKIP_INBOUND_ANNOTATION} annotation, and its installed value is not read`
      : installed
        ? `proxyInit.ignoreInboundPorts ${defaults.join(',')}, installed (${installed.where}): no ${SKIP_INBOUND_ANNOTATION} annotation`
        : `Linkerd's default proxyInit.ignoreInboundPorts ${defaults.join(',')}, default assumed: no ${SKIP_INBOUND_ANNOTATION} annotation, and the installed value is not read`;
    const judged = { ...(undeclared.length > 0 ? { undeclared } : {}), ...(installed ? { installedDefault: true as const } : { assumedDefault: true as const }) };
    if (ports.length > 0) return { ...base, ports, invalid: [], source, ...judged, ...(pending ? { pending } : {}) };
    const later = annotatedSkips('inbound', { pending }, (p) => withoutPorts(p, own));
    if (later) return undeclared.length > 0 ? { ...later, undeclared } : later;
    return undeclared.length > 0 ? { ...base, ports: [], invalid: [], source, ...judged } : undefined;
  }
  return annotatedSkips('inbound', { setting, pending }, (ports) => withoutPorts(ports, own));
}

/**
 * linkerdInboundSkips for a pod with linkerd-init (linkerdInitArgs): its --inbound-ports-to-ignore,
 * less the proxy's own ports, and every port it does not redirect (initUnredirected). iptables
 * RETURNs each listed port ahead of the redirect whether or not a container declares it
 * (linkerd2-proxy-init pkg/iptables/iptables.go addIncomingTrafficRules, addRulesForIgnoredPorts;
 * a containerPort is informational, kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1
 * "Not specifying a port here DOES NOT prevent that port from being exposed"). Without a
 * skip-inbound-ports annotation, the ports of the install's proxyInit.ignoreInboundPorts (read
 * from linkerd-config, else the chart's 4567,4568, which the injector appends to the proxy's own,
 * charts/partials/templates/_proxy-init.tpl) that no container declares are `undeclared`: judged as
 * the install default is (nothing shows a listener there), yet bypassing the proxy in reach.
 * The destination controller reads the annotation as it is now, trimmed (spacedNote): an entry of
 * it only a trim makes a port, which linkerd-init does not skip, still reaches the proxy while
 * callers are told it skips it (`spaced`).
 */
function initInboundSkips(init: LinkerdInitArgs, own: number[], pod: Pick<PodView, 'spec'>, { setting, pending }: { setting?: PodSetting; pending?: PodSetting }, cluster: LinkerdInjectDefaults): SkippedPorts | undefined {
  const parsed = parseProxyInitPorts(init.values.inbound ?? '');
  const skipped = withoutPorts(parsed.ports, own);
  const unredirected = initUnredirected(init);
  if (unredirected) {
    const ports = withoutPorts([...new Set([...parsed.ports, ...unredirected.ports])], own);
    return { direction: 'inbound', ports, invalid: parsed.invalid, source: `${unredirected.source}${skipped.length > 0 ? `; ${init.describe('inbound')}` : ''}`, ...(pending ? { pending } : {}) };
  }
  const declared = containerPorts(pod.spec);
  const installDefault = withoutPorts(cluster.proxyInit?.inbound?.ports ?? DEFAULT_IGNORED_INBOUND_PORTS, own);
  const unlistened = (r: string) => !setting && installDefault.includes(r) && !declared.some((p) => portInList([r], p.port));
  const ports = skipped.filter((r) => !unlistened(r));
  const undeclared = skipped.filter(unlistened);
  const annotated = setting ? parseProxyInitPorts(setting.value) : undefined;
  const spaced = annotated ? withoutPorts(annotated.spaced.map((x) => x.range), own).filter((r) => !skipped.includes(r)) : [];
  const invalid = [...parsed.invalid, ...parsed.spaced.filter((x) => !annotated?.spaced.some((a) => a.entry === x.entry)).map((x) => x.entry)];
  const source = initSource(init, 'inbound', setting, !annotated || samePorts(withoutPorts(annotated.ports, own), skipped));
  if (ports.length === 0 && invalid.length === 0 && spaced.length === 0) {
    const later = pending && parseProxyInitPorts(pending.value);
    if (later && withoutPorts(later.ports, own).length + later.invalid.length > 0) return { direction: 'inbound', ports: [], invalid: [], source: pending!.source, pending, ...(undeclared.length > 0 ? { undeclared } : {}) };
    return undeclared.length > 0 ? { direction: 'inbound', ports: [], invalid: [], source, undeclared, installedDefault: true } : undefined;
  }
  // The install's list (or a part of it) alone: judged as the install default is.
  const fromInstall = !setting && ports.every((r) => installDefault.includes(r));
  return { direction: 'inbound', ports, invalid, ...(spaced.length > 0 ? { spaced } : {}), ...(undeclared.length > 0 ? { undeclared } : {}), source, ...(fromInstall ? { installedDefault: true as const } : {}), ...(pending ? { pending } : {}) };
}

// ---- source subnets excluded from the proxy ----------------------------------------------

export const SKIP_SUBNETS_ANNOTATION = 'config.linkerd.io/skip-subnets';

/** The source subnets from which inbound connections bypass a meshed pod's linkerd-proxy (linkerdSkippedSubnets). */
export interface SkippedSubnets {
  /** The CIDRs linkerd-init sends around the proxy, trimmed as it trims them. */
  subnets: Array<{ text: string; range: IpRange }>;
  /** Entries linkerd-init cannot read as a CIDR: it then exits before writing any rule, so the pods do not start and nothing is skipped. */
  invalid: string[];
  source: string;
  /** The namespace's value, which running pods get only once restarted. */
  pending?: PodSetting;
}

/**
 * A CIDR as Go's net.ParseCIDR reads it: an address of either family (no zone, no IPv4 octet with
 * a leading zero, which parseCidr refuses as well), "/", a decimal prefix length the family holds.
 */
function goParseCidr(text: string): IpRange | undefined {
  return /^[0-9a-fA-F.:]+\/\d{1,3}$/.test(text) ? parseCidr(text) : undefined;
}

/**
 * The source subnets whose inbound connections bypass a meshed pod's linkerd-proxy, on every port.
 * config.linkerd.io/skip-subnets (linkerdPodSetting: the pod's, a template also its namespace's; an
 * empty value too) replaces the install's proxyInit.skipSubnets (linkerd2 pkg/inject/inject.go
 * ApplyAnnotationOverrides; read from linkerd-config, `cluster.proxyInit`, else the chart's default
 * "", none), which the injector gives linkerd-init as --subnets-to-ignore when not empty
 * (charts/partials/templates/_proxy-init.tpl). linkerd2-proxy-init (proxy-init/cmd/root.go) splits
 * it on ",", trims each entry and reads it with Go's net.ParseCIDR; one it cannot read fails
 * BuildFirewallConfiguration, so linkerd-init exits before writing any rule and the pod does not
 * start (`invalid`). Each subnet gets a RETURN for that source ahead of the redirect to the proxy
 * (pkg/iptables/iptables.go addIncomingTrafficRules, addRulesForIgnoredSubnets, makeIgnoreSubnet:
 * `-A PROXY_INIT_REDIRECT -p all -j RETURN -s <subnet>`): those clients reach the application
 * directly, without mTLS and past every Linkerd policy. Outbound rules do not use it. Under the
 * Linkerd CNI plugin (linkerdCniOf) the plugin reads the same annotation (cni-plugin/main.go,
 * getAnnotationOverride) and, without it, its own subnets-to-ignore, which the linkerd2-cni chart
 * does not set: never proxyInit.skipSubnets. A pod whose linkerd-init has arguments
 * (linkerdInitArgs) skips what its --subnets-to-ignore lists, whatever its annotation says now.
 * Undefined when nothing is skipped and no namespace value awaits a restart.
 */
export function linkerdSkippedSubnets(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string, template?: { annotations: Record<string, string> }, cluster: LinkerdInjectDefaults = {}): SkippedSubnets | undefined {
  const { setting, pending } = linkerdPodSetting(nsAnnotations, pod, namespace, SKIP_SUBNETS_ANNOTATION, template);
  const init = linkerdInitArgs(pod);
  const installed = init || setting || linkerdCniOf(pod, cluster.cni) ? undefined : cluster.proxyInit?.subnets;
  const value = init ? init.values.subnets ?? '' : setting?.value ?? installed?.value ?? '';
  const entries = (v: string) => (v === '' ? [] : v.split(',').map((e) => e.trim()));
  const source = init
    ? initSource(init, 'subnets', setting, !setting || entries(setting.value).join(',') === entries(value).join(','))
    : setting ? setting.source : installed ? `proxyInit.skipSubnets ${JSON.stringify(installed.value)}, installed (${installed.where}): no ${SKIP_SUBNETS_ANNOTATION} annotation` : '';
  const read = (v: string) => {
    const subnets: SkippedSubnets['subnets'] = [];
    const invalid: string[] = [];
    for (const entry of v === '' ? [] : v.split(',')) {
      const text = entry.trim();
      const range = goParseCidr(text);
      if (range) subnets.push({ text, range });
      else invalid.push(entry);
    }
    // One entry linkerd-init cannot read stops it before any rule: nothing is skipped.
    return invalid.length > 0 ? { subnets: [], invalid } : { subnets, invalid };
  };
  const now = read(value);
  const waits = pending && pending.value !== value && pending.value !== '' ? pending : undefined;
  if (now.subnets.length + now.invalid.length === 0 && !waits) return undefined;
  return noteUnread(pod, { ...now, source: source || waits!.source, ...(waits ? { pending: waits } : {}) });
}

// ---- ports that require a mesh identity ---------------------------------------------------

export const REQUIRE_IDENTITY_ANNOTATION = 'config.linkerd.io/proxy-require-identity-inbound-ports';

/** Whether `port` is one of `ports` (single ports and "lo-hi" ranges, as parseProxyInitPorts and parsePolicyPortSet give them). */
export function portInList(ports: string[], port: number): boolean {
  return ports.some((r) => {
    const [lo, hi] = r.split('-').map(Number);
    return port >= lo && port <= (hi ?? lo);
  });
}

/**
 * The inbound ports on which a meshed pod's default policy requires a mesh identity
 * (config.linkerd.io/proxy-require-identity-inbound-ports, https://linkerd.io/2/reference/proxy-configuration/;
 * read like the other config annotations, see linkerdPodSetting). Undefined when none.
 */
export function linkerdRequireIdentityPorts(nsAnnotations: Record<string, string>, pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>, namespace: string): { ports: string[]; source: string; ignored?: string } | undefined {
  const { setting } = linkerdPodSetting(nsAnnotations, pod, namespace, REQUIRE_IDENTITY_ANNOTATION);
  if (!setting) return undefined;
  const read = parsePolicyPortSet(setting.value);
  if ('error' in read) return { ports: [], source: setting.source, ignored: read.error };
  return read.ports.length > 0 ? { ports: read.ports, source: setting.source } : undefined;
}

/** Rust's str::trim: Unicode White_Space at either end (not U+FEFF, which JavaScript's trim takes; U+0085 too). */
const rustTrim = (v: string) => v.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');

/** Rust's `str::parse::<NonZeroU16>()`: ASCII digits after an optional "+", leading zeros allowed, 1-65535. */
function rustNonZeroU16(v: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(v)) return undefined;
  const n = Number(v.replace(/^\+?0*/, '') || '0');
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * A port list as Linkerd's policy controller reads config.linkerd.io/proxy-require-identity-inbound-ports
 * (and opaque-ports) off a pod: policy-controller/k8s/index/src/ports.rs parse_portset (linkerd2
 * stable-2.14.10 and edge-25.12.3; inbound/workload.rs Settings::from_metadata). It splits on ",",
 * skips an entry empty once trimmed, splits an entry at its first "-" into a range (each bound
 * trimmed, lower <= upper), and parses each port as a NonZeroU16. Any entry it cannot read fails
 * the whole list, which ports_annotation then replaces with the empty set ("Invalid ports list"):
 * no port requires identity. Neither the injector (pkg/inject/inject.go copies the value into the
 * proxy's LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY) nor the proxy (linkerd2-proxy declares
 * that variable and never reads it) reads it otherwise, and linkerd-init never does.
 */
export function parsePolicyPortSet(value: string): { ports: string[] } | { error: string } {
  const ports: string[] = [];
  for (const spec of value.split(',')) {
    const dash = spec.indexOf('-');
    if (dash < 0) {
      const e = rustTrim(spec);
      if (e === '') continue;
      const n = rustNonZeroU16(e);
      if (n === undefined) return { error: `entry ${JSON.stringify(spec)} is no port from 1 to 65535` };
      ports.push(String(n));
      continue;
    }
    const lo = rustNonZeroU16(rustTrim(spec.slice(0, dash)));
    const hi = rustNonZeroU16(rustTrim(spec.slice(dash + 1)));
    if (lo === undefined || hi === undefined) return { error: `entry ${JSON.stringify(spec)} is no port range` };
    if (lo > hi) return { error: `entry ${JSON.stringify(spec)} is a decreasing range` };
    ports.push(lo === hi ? String(lo) : `${lo}-${hi}`);
  }
  return { ports };
}

/**
 * The default policy on a port that requires identity: the policy controller sets
 * `authenticated_only` on an Allow default for those ports (policy-controller/k8s/index
 * default_inbound_server), so `*-unauthenticated` becomes `*-authenticated`; audit and deny stay.
 */
export function withIdentityRequired(policy: string): string {
  if (policy === 'all-unauthenticated') return 'all-authenticated';
  if (policy === 'cluster-unauthenticated') return 'cluster-authenticated';
  return policy;
}

/** The config.linkerd.io annotations a pod template takes from its namespace when it lacks them (linkerdPodSetting). */
const LINKERD_NAMESPACE_SETTINGS = [INBOUND_POLICY_ANNOTATION, SKIP_INBOUND_ANNOTATION, SKIP_OUTBOUND_ANNOTATION, SKIP_SUBNETS_ANNOTATION, REQUIRE_IDENTITY_ANNOTATION];

/**
 * The settings a Linkerd-meshed pod reads from its namespace's annotations: a template the injector
 * will inject lacking its own value takes the namespace's (linkerdPodSetting), so with the
 * Namespace object not in the input its default inbound policy and skipped ports are unknown, not
 * Linkerd's defaults. A running pod, or a template injected by hand, has only its own.
 */
export function linkerdNamespaceSettingsRead(pod: Pick<PodView, 'annotations' | 'origin' | 'spec'>): string[] {
  if (pod.origin !== 'template' || carriesLinkerdProxy(pod)) return [];
  return LINKERD_NAMESPACE_SETTINGS.filter((k) => pod.annotations[k] === undefined);
}
