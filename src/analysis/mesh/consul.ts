// Consul service mesh (consul-k8s): injection, the default intention behaviour and
// ServiceIntentions (consul.hashicorp.com/v1alpha1), judged per call.
//
// What is read, and what is assumed:
// - Injection: a live pod is meshed when it runs the consul-dataplane (or the older envoy-sidecar)
//   container; a template when it already carries that container next to an application one (not
//   a gateway: carriesConsulSidecar), else when its pod annotation consul.hashicorp.com/connect-inject is true, or
//   is unset while the connect injector injects by default (`-default-inject`, the Helm value
//   connectInject.default, read from the injector Deployment's command; true when the flag is
//   absent) in a namespace the injector serves (`-allow-k8s-namespace` / `-deny-k8s-namespace`, the
//   Helm values k8sAllowNamespaces / k8sDenyNamespaces). consul-k8s mesh_webhook.go shouldInject
//   never injects kube-system and kube-public (kubeSystemNamespaces), and the chart's default
//   connectInject.namespaceSelector leaves out local-path-storage. Annotation and flag values are
//   read as Go's strconv.ParseBool reads them ("True", "1", "f"... count), as the injector does.
// - Transparent proxy (consul-k8s connect-inject/common/common.go TransparentProxyEnabled): the pod
//   annotation consul.hashicorp.com/transparent-proxy, else the same label on the namespace, else
//   the injector's `-default-enable-transparent-proxy` (Helm connectInject.transparentProxy.
//   defaultEnabled; true when absent). Without it the sidecar redirects nothing: the application's
//   port is reachable directly.
// - Default intention: "The default intention behavior is defined by the default ACL policy"
//   (https://developer.hashicorp.com/consul/docs/connect/intentions), unless the agent sets
//   `default_intention_policy`, which hashicorp/consul agent/agent_endpoint.go AgentConnectAuthorize
//   consults first. The Helm chart writes the servers' ACL settings (global.acls.manageSystemACLs →
//   default_policy deny) into ConfigMap consul/consul-server-config (mounted as -config-dir, its
//   files loaded in name order) and server.extraConfig into consul/consul-server-tmp-extra-config
//   key extra-from-values.json, loaded last (-config-file after -config-dir in
//   charts/consul/templates/server-statefulset.yaml), so it overrides. Their JSON values are merged
//   in that order, a later setting winning. ACLs not enabled, or enabled without default_policy,
//   mean allow (Consul's default). When neither ConfigMap can be read the chart default (ACLs off:
//   allow) is assumed, and said so.
// - Service identity: the pod annotation consul.hashicorp.com/connect-service, else the Kubernetes
//   Service selecting the pod, else the service account name (consul-k8s requires them to match
//   when ACLs are on).
// - Consul namespaces are an Enterprise feature: a `namespace` left out of an intention matches any
//   Kubernetes namespace (Consul OSS has one namespace); a named one is compared with the Kubernetes
//   namespace (Enterprise namespace mirroring).
// - Precedence, from the intentions "Precedence and match order" table: the most specific
//   intention wins (exact over wildcard, destination first), deny over allow at equal precedence;
//   one with L7 `permissions` decides per request ('depends').

import { goBoolFlag, goParseBool, shellArgsAfter } from '../flags.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import type { PodView } from '../workloads.ts';
import type { MeshCallee, MeshCaller, MeshFlowVerdict } from './flow.ts';
import { arr, containerNames, createdAt, obj, str } from './util.ts';

export const CONSUL_INJECT_ANNOTATION = 'consul.hashicorp.com/connect-inject';
export const CONSUL_SERVICE_ANNOTATION = 'consul.hashicorp.com/connect-service';
export const CONSUL_SERVER_CONFIGMAP = { namespace: 'consul', name: 'consul-server-config' } as const;
/** Helm server.extraConfig, loaded after the chart's own server config. */
export const CONSUL_SERVER_EXTRA_CONFIGMAP = { namespace: 'consul', name: 'consul-server-tmp-extra-config' } as const;
const CONSUL_SERVER_EXTRA_KEY = 'extra-from-values.json';
const SIDECARS = ['consul-dataplane', 'envoy-sidecar'];
/** What the connect injector writes on a pod it injected (consul-k8s constants KeyInjectStatus); it never injects such a pod again. */
const INJECT_STATUS_ANNOTATION = 'consul.hashicorp.com/connect-inject-status';
/** Set on the pods of Consul's mesh, ingress, terminating and API gateways (consul-k8s constants AnnotationGatewayKind). */
const GATEWAY_KIND_ANNOTATION = 'consul.hashicorp.com/gateway-kind';
const NEVER_INJECTED = new Set(['kube-system', 'kube-public', 'local-path-storage']);

/**
 * inject-connect's boolean flags (consul-k8s control-plane/subcommand/inject-connect/command.go,
 * flagSet.BoolVar): a word after one of them ends its flag parsing; after another flag written
 * without `=`, it is that flag's value.
 */
const INJECT_CONNECT_FLAGS = {
  booleans: [
    'default-inject', 'default-enable-transparent-proxy', 'transparent-proxy-default-overwrite-probes', 'enable-central-config',
    'enable-partitions', 'enable-namespaces', 'enable-k8s-namespace-mirroring', 'enable-consul-dns', 'enable-openshift', 'log-json',
    'default-enable-metrics', 'default-enable-metrics-merging',
  ],
} as const;

/**
 * The arguments consul-k8s's inject-connect subcommand parses: those after the word
 * `inject-connect`, in the container's argv or in the shell script its Helm chart runs
 * (`/bin/sh -ec "exec consul-k8s-control-plane inject-connect \\ …"`).
 */
function injectConnectArgs(argv: readonly string[]): string[] {
  const i = argv.indexOf('inject-connect');
  if (i >= 0) return argv.slice(i + 1);
  for (const a of argv) {
    const args = a.includes('inject-connect') ? shellArgsAfter(a, 'inject-connect') : undefined;
    if (args) return args;
  }
  return [];
}

export interface ConsulInjector {
  /** connectInject.default: pods without the annotation are injected. */
  injectDefault: boolean;
  /** connectInject.transparentProxy.defaultEnabled: pods and namespaces that say nothing get the transparent proxy. */
  tproxyDefault: boolean;
  allowNamespaces: string[];
  denyNamespaces: string[];
  source: string;
  /** Where Consul itself runs (its own pods opt out of injection). */
  namespace: string;
}

/** The connect injector's settings from its Deployment's command/args (Helm chart renders them there). */
export function consulInjector(deployments: KubeObject[]): ConsulInjector | undefined {
  for (const d of deployments) {
    const name = d.metadata?.name ?? '';
    if (!name.includes('connect-injector')) continue;
    const containers = arr(obj(obj(obj(obj(d.spec)?.template)?.spec))?.containers);
    const argv = containers.flatMap((c) => [...arr(obj(c)?.command), ...arr(obj(c)?.args)]).filter((x): x is string => typeof x === 'string');
    const text = argv.join(' ');
    if (!text.includes('inject-connect')) continue;
    const flag = (f: string) => [...text.matchAll(new RegExp(`-${f}[= ]"?([^"\\s\\\\]+)"?`, 'g'))].map((m) => m[1]);
    // Both flags default to true in consul-k8s subcommand/inject-connect/command.go, parsed by Go's
    // flag package (flag.NewFlagSet; stdlib); a value Go cannot parse stops the injector, so it
    // injects nothing by default (false).
    const args = injectConnectArgs(argv);
    const inject = goBoolFlag(args, 'default-inject', { byDefault: true, stdlib: INJECT_CONNECT_FLAGS });
    const tproxy = goBoolFlag(args, 'default-enable-transparent-proxy', { byDefault: true, stdlib: INJECT_CONNECT_FLAGS });
    return {
      injectDefault: inject.on,
      tproxyDefault: tproxy.refused !== undefined || tproxy.on,
      allowNamespaces: flag('allow-k8s-namespace'),
      denyNamespaces: flag('deny-k8s-namespace'),
      source: `Deployment ${d.metadata?.namespace ?? 'default'}/${name}`,
      namespace: d.metadata?.namespace ?? 'default',
    };
  }
  return undefined;
}

export interface ConsulMembership {
  meshed: boolean;
  requested: boolean;
  reason: string;
}

/** The connect injector injects into this namespace (its allow/deny lists; two namespaces never). */
export function consulServesNamespace(injector: ConsulInjector | undefined, ns: string): boolean {
  if (NEVER_INJECTED.has(ns)) return false;
  if (!injector) return true;
  return !injector.denyNamespaces.includes(ns) && (injector.allowNamespaces.length === 0 || injector.allowNamespaces.includes('*') || injector.allowNamespaces.includes(ns));
}

export function consulMembership(namespace: string, pod: PodView, injector: ConsulInjector | undefined): ConsulMembership {
  const value = pod.annotations[CONSUL_INJECT_ANNOTATION];
  const inject = value === undefined ? undefined : goParseBool(value);
  const served = (ns: string) => consulServesNamespace(injector, ns);
  const requested = inject === true ? served(namespace) : value === undefined && !!injector?.injectDefault && served(namespace);
  if (pod.origin === 'pod') {
    if (containerNames(pod.spec).some((n) => SIDECARS.includes(n))) return { meshed: true, requested, reason: 'Consul dataplane container present' };
    return { meshed: false, requested, reason: requested ? 'no Consul dataplane container although injection is requested (restart the pod)' : 'no Consul dataplane container' };
  }
  // A template that already carries the sidecar (a copy of an injected pod, or written by hand)
  // runs it whatever connect-inject says: the injector only ever adds one, and skips a pod it
  // injected before (consul-k8s mesh_webhook.go shouldInject, connect-inject-status).
  if (carriesConsulSidecar(pod)) {
    const status = pod.annotations[INJECT_STATUS_ANNOTATION] !== undefined ? `, ${INJECT_STATUS_ANNOTATION} set` : '';
    return { meshed: true, requested, reason: `Consul dataplane container in the pod template (injected before deployment${status})` };
  }
  if (pod.spec.hostNetwork === true) return { meshed: false, requested, reason: 'hostNetwork pods are not injected' };
  if (requested) return { meshed: true, requested, reason: inject === true ? `pod annotation ${CONSUL_INJECT_ANNOTATION}=${JSON.stringify(value)}` : `connect injector injects by default (${injector!.source})` };
  const reason = inject === false ? `pod annotation ${CONSUL_INJECT_ANNOTATION}=${JSON.stringify(value)}`
    : inject === true ? `the connect injector does not serve namespace ${namespace}`
      : value !== undefined ? `pod annotation ${CONSUL_INJECT_ANNOTATION}=${JSON.stringify(value)} is not a boolean: the connect injector refuses the pod`
        : `no ${CONSUL_INJECT_ANNOTATION} annotation`;
  return { meshed: false, requested, reason };
}

/**
 * Whether a template runs a Consul dataplane sidecar (consul-dataplane, or the older envoy-sidecar;
 * in containers, or as a native sidecar in initContainers) next to an application container. A
 * gateway's dataplane is no sidecar: consul-k8s marks gateway pods with the gateway-kind annotation
 * and a `component: <kind>-gateway` label (charts/consul/templates/*-gateways-deployment.yaml,
 * control-plane/api-gateway/common/labels.go), and a lone dataplane is a gateway written by hand.
 */
function carriesConsulSidecar(pod: PodView): boolean {
  if (pod.annotations[GATEWAY_KIND_ANNOTATION] || /-gateway$/.test(pod.labels.component ?? '')) return false;
  if (!containerNames(pod.spec).some((n) => SIDECARS.includes(n))) return false;
  return arr(pod.spec.containers).some((c) => { const n = str(obj(c)?.name); return n !== undefined && !SIDECARS.includes(n); });
}

export interface ConsulDefaultIntention {
  action: 'allow' | 'deny';
  source: string;
  /** The snapshot did not hold the servers' configuration: the chart default was assumed. */
  assumed: boolean;
  /** Why a servers' ConfigMap that may set it is not in the snapshot (configMapUnread): the default intention is unknown. */
  unread?: 'forbidden' | 'error';
  /** Those ConfigMaps, namespace/name. */
  unreadConfigMaps?: string[];
  resource: ResourceRef;
}

/**
 * The default intention from the Helm-rendered server config: consul-server-config's JSON values
 * in name order, then server.extraConfig; `default_intention_policy` when set, else the ACL
 * default policy when ACLs are enabled, else allow. `unreadOf` says why a ConfigMap missing from
 * the snapshot may have been refused (configMapUnread): the default intention is then unread
 * unless server.extraConfig, applied last, was read and sets default_intention_policy.
 */
export function consulDefaultIntention(configmaps: KubeObject[], unreadOf?: (ref: { namespace: string; name: string }) => 'forbidden' | 'error' | undefined): ConsulDefaultIntention {
  const find = (ref: { namespace: string; name: string }) => configmaps.find((c) => c.metadata?.name === ref.name && (c.metadata?.namespace ?? 'default') === ref.namespace);
  const server = find(CONSUL_SERVER_CONFIGMAP);
  const extra = find(CONSUL_SERVER_EXTRA_CONFIGMAP);
  const serverRef: ResourceRef = { kind: 'ConfigMap', namespace: CONSUL_SERVER_CONFIGMAP.namespace, name: CONSUL_SERVER_CONFIGMAP.name };
  const extraRef: ResourceRef = { kind: 'ConfigMap', namespace: CONSUL_SERVER_EXTRA_CONFIGMAP.namespace, name: CONSUL_SERVER_EXTRA_CONFIGMAP.name };
  const files: Array<{ resource: ResourceRef; key: string; value: unknown }> = [];
  const serverData = obj(server?.data) ?? {};
  for (const key of Object.keys(serverData).sort()) files.push({ resource: serverRef, key, value: serverData[key] });
  if (extra) files.push({ resource: extraRef, key: CONSUL_SERVER_EXTRA_KEY, value: obj(extra.data)?.[CONSUL_SERVER_EXTRA_KEY] });
  type Setting<T> = { value: T; resource: ResourceRef; where: string };
  let aclEnabled: Setting<boolean> | undefined;
  let aclPolicy: Setting<string> | undefined;
  let intentionPolicy: Setting<string> | undefined;
  for (const f of files) {
    if (typeof f.value !== 'string') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(f.value);
    } catch {
      continue; // HCL or not JSON: the chart writes JSON; other keys are not ACL settings
    }
    const where = `ConfigMap ${f.resource.namespace}/${f.resource.name} key ${f.key}`;
    const acl = obj(obj(parsed)?.acl);
    if (acl && 'enabled' in acl) aclEnabled = { value: acl.enabled === true, resource: f.resource, where };
    const policy = str(acl?.default_policy);
    if (policy !== undefined) aclPolicy = { value: policy, resource: f.resource, where };
    const intention = str(obj(parsed)?.default_intention_policy);
    if (intention !== undefined) intentionPolicy = { value: intention, resource: f.resource, where };
  }
  const action = (v: string): 'allow' | 'deny' => (v === 'deny' ? 'deny' : 'allow');
  // Cluster text, quoted unless it is one of the words Consul accepts.
  const shown = (v: string) => (v === 'allow' || v === 'deny' ? v : JSON.stringify(v));
  const missing = [server ? undefined : CONSUL_SERVER_CONFIGMAP, extra ? undefined : CONSUL_SERVER_EXTRA_CONFIGMAP]
    .flatMap((ref) => { const why = ref && unreadOf?.(ref); return ref && why ? [{ ref, why }] : []; });
  if (missing.length > 0 && !(intentionPolicy && intentionPolicy.resource === extraRef)) {
    const names = missing.map((m) => `${m.ref.namespace}/${m.ref.name}`);
    const unread = { unread: missing[0].why, unreadConfigMaps: names };
    const what = `ConfigMap${names.length > 1 ? 's' : ''} ${names.join(' and ')} could not be read (${missing[0].why})`;
    if (!server && !extra) return { action: 'allow', assumed: true, ...unread, resource: serverRef, source: `${what}: assumed the Helm chart default (ACLs off, intentions default to allow)` };
    const read = consulDefaultIntention(configmaps);
    return { ...read, ...unread, source: `${what}, and may set it; from what was read: ${read.source}` };
  }
  if (intentionPolicy) {
    return { action: action(intentionPolicy.value), assumed: false, resource: intentionPolicy.resource, source: `${intentionPolicy.where}: default_intention_policy ${shown(intentionPolicy.value)} (it takes precedence over the ACL default policy)` };
  }
  if (aclEnabled?.value) {
    const decided = aclPolicy ?? aclEnabled;
    const policy = aclPolicy?.value ?? 'allow';
    const enabledAt = aclEnabled.where === decided.where ? '' : ` (acl.enabled in ${aclEnabled.where})`;
    return { action: action(policy), assumed: false, resource: decided.resource, source: `${decided.where}: acl.enabled, default_policy ${shown(policy)}${aclPolicy ? '' : ' (Consul default)'}${enabledAt}` };
  }
  if (!server && !extra) {
    return { action: 'allow', assumed: true, resource: serverRef, source: `no ConfigMap ${serverRef.namespace}/${serverRef.name} in the snapshot: assumed the Helm chart default (ACLs off, intentions default to allow)` };
  }
  const read = [server ? `${serverRef.namespace}/${serverRef.name}` : undefined, extra ? `${extraRef.namespace}/${extraRef.name}` : undefined].filter((x) => x).join(' and ');
  return { action: 'allow', assumed: false, resource: aclEnabled?.resource ?? (server ? serverRef : extraRef), source: `ConfigMap ${read}: ACLs not enabled, so intentions default to allow` };
}

export interface ConsulSource {
  index: number;
  name: string;
  namespace?: string;
  action?: 'allow' | 'deny';
  /** L7 permissions: the request decides. */
  permissions: boolean;
  /** A source from a peer, partition or sameness group (never a local caller). */
  remote: boolean;
}

export interface ConsulIntention {
  ref: ResourceRef;
  destination: { name: string; namespace?: string };
  sources: ConsulSource[];
}

export interface ConsulIntentionIndex {
  intentions: ConsulIntention[];
  /** By destination name ('*' included). */
  byDestination: Map<string, ConsulIntention[]>;
  problems: Array<{ ref: ResourceRef; problem: string }>;
}

export function indexServiceIntentions(objects: KubeObject[]): ConsulIntentionIndex {
  const intentions: ConsulIntention[] = [];
  const byDestination = new Map<string, ConsulIntention[]>();
  const problems: ConsulIntentionIndex['problems'] = [];
  for (const o of [...objects].sort((a, b) => createdAt(a) - createdAt(b))) {
    const ref: ResourceRef = { kind: 'ServiceIntentions', namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' };
    const spec = obj(o.spec) ?? {};
    const dest = obj(spec.destination);
    const dname = str(dest?.name);
    if (!dname) {
      problems.push({ ref, problem: 'spec.destination.name is missing: Consul rejects the entry, it authorizes nothing' });
      continue;
    }
    const synced = arr(obj(o.status)?.conditions).map((c) => obj(c)).find((c) => c?.type === 'Synced');
    if (synced?.status === 'False') {
      problems.push({ ref, problem: `not synced to Consul (${str(synced.reason) ?? 'Synced=False'}): it is not in effect` });
      continue;
    }
    const sources: ConsulSource[] = [];
    arr(spec.sources).forEach((raw, index) => {
      const s = obj(raw);
      const name = str(s?.name);
      if (!s || !name) return void problems.push({ ref, problem: `sources[${index}] has no name` });
      const permissions = arr(s.permissions).length > 0;
      const action = s.action === 'allow' || s.action === 'deny' ? s.action : undefined;
      if (!permissions && !action) return void problems.push({ ref, problem: `sources[${index}] (${name}) has neither action allow|deny nor permissions` });
      sources.push({ index, name, namespace: str(s.namespace) || undefined, action, permissions, remote: !!(str(s.peer) || str(s.partition) || str(s.samenessGroup)) });
    });
    const it: ConsulIntention = { ref, destination: { name: dname, namespace: str(dest?.namespace) || undefined }, sources };
    intentions.push(it);
    const list = byDestination.get(dname);
    if (list) list.push(it);
    else byDestination.set(dname, [it]);
  }
  return { intentions, byDestination, problems };
}

/** The intentions precedence table (higher is evaluated first). */
export function intentionPrecedence(dest: { name: string; namespace?: string }, src: { name: string; namespace?: string }): number {
  const dNsExact = dest.namespace !== '*';
  const dNameExact = dest.name !== '*';
  const sNsExact = src.namespace !== '*';
  const sNameExact = src.name !== '*';
  const sourceRank = sNsExact && sNameExact ? 3 : sNsExact ? 2 : 1;
  const destRank = dNsExact && dNameExact ? 2 : dNsExact ? 1 : 0;
  return destRank * 3 + sourceRank;
}

const nsMatches = (pattern: string | undefined, ns: string) => pattern === undefined || pattern === '*' || pattern === ns;
const nameMatches = (pattern: string, name: string) => pattern === '*' || pattern === name;

export const CONSUL_TPROXY_ANNOTATION = 'consul.hashicorp.com/transparent-proxy';
export const CONSUL_EXCLUDE_INBOUND_ANNOTATION = 'consul.hashicorp.com/transparent-proxy-exclude-inbound-ports';
/** "A comma-separated list of outbound ports to exclude from traffic redirection" (developer.hashicorp.com/consul/docs/k8s/annotations-and-labels). */
export const CONSUL_EXCLUDE_OUTBOUND_ANNOTATION = 'consul.hashicorp.com/transparent-proxy-exclude-outbound-ports';

/**
 * The ports of a consul-k8s port-list annotation (transparent-proxy-exclude-inbound-ports,
 * -outbound-ports): comma-separated numbers, each one redirection rule of its own
 * (developer.hashicorp.com/consul/docs/k8s/annotations-and-labels).
 */
export function consulPortList(value: string | undefined): number[] {
  return (value ?? '').split(',').map((p) => p.trim()).filter((p) => /^\d{1,5}$/.test(p)).map(Number).filter((p) => p >= 1 && p <= 65535);
}

export interface ConsulTransparentProxy {
  /** undefined: the deciding value is not a boolean (consul-k8s refuses to inject such a pod). */
  enabled: boolean | undefined;
  source: string;
}

/** Whether a Consul-injected pod gets the transparent proxy: pod annotation, else namespace label, else the injector's default. */
export function consulTransparentProxy(nsLabels: Record<string, string>, podAnnotations: Record<string, string>, injector: ConsulInjector | undefined): ConsulTransparentProxy {
  const pod = podAnnotations[CONSUL_TPROXY_ANNOTATION];
  if (pod !== undefined) return { enabled: goParseBool(pod), source: `pod annotation ${CONSUL_TPROXY_ANNOTATION}=${JSON.stringify(pod)}` };
  const ns = nsLabels[CONSUL_TPROXY_ANNOTATION];
  if (ns !== undefined) return { enabled: goParseBool(ns), source: `namespace label ${CONSUL_TPROXY_ANNOTATION}=${JSON.stringify(ns)}` };
  if (injector) return { enabled: injector.tproxyDefault, source: `connect injector default-enable-transparent-proxy ${injector.tproxyDefault} (${injector.source})` };
  return { enabled: true, source: 'no connect injector in the snapshot: assumed the consul-k8s default (transparent proxy on)' };
}

/**
 * Whether a workload's inbound mutualTLSMode (ServiceDefaults/ProxyDefaults) applies to it:
 * "MutualTLSMode controls whether mutual TLS is required for all incoming connections when
 * transparent proxy is enabled" (consul-k8s control-plane/api/v1alpha1/servicedefaults_types.go;
 * https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode). With the
 * transparent proxy off nothing is redirected to the sidecar, permissive or not; a value that is
 * not a boolean is read as on, so the mode is not dropped on a guess.
 */
export function consulMutualTLSApplies(tproxy: ConsulTransparentProxy | undefined): boolean {
  return tproxy?.enabled !== false;
}

/**
 * Whether a call to `port` bypasses the callee's sidecar: ports excluded from the transparent
 * proxy's redirection reach the application directly; with the transparent proxy off, the
 * application's own port is reachable unless it listens on localhost only, which the snapshot
 * cannot tell. `tproxy` defaults to the pod annotation alone.
 */
export function consulPortBypass(podAnnotations: Record<string, string>, port: number, tproxy: ConsulTransparentProxy = consulTransparentProxy({}, podAnnotations, undefined)): { kind: 'excluded' | 'no-tproxy' | 'unreadable'; source: string } | undefined {
  if (consulPortList(podAnnotations[CONSUL_EXCLUDE_INBOUND_ANNOTATION]).includes(port)) return { kind: 'excluded', source: `pod annotation ${CONSUL_EXCLUDE_INBOUND_ANNOTATION}` };
  if (tproxy.enabled === false) return { kind: 'no-tproxy', source: tproxy.source };
  if (tproxy.enabled === undefined) return { kind: 'unreadable', source: tproxy.source };
  return undefined;
}

/**
 * A Consul service's inbound mTLS mode (consul-k8s ServiceDefaults/ProxyDefaults `mutualTLSMode`):
 * "strict" (the default) or "permissive", where "connections to the service port do not require
 * mutual TLS and are proxied to the application unmodified" and "Intentions are not enforced for
 * non-mTLS connections" (consul-k8s control-plane/api/v1alpha1/servicedefaults_types.go).
 */
export interface ConsulMutualTLS {
  mode: 'strict' | 'permissive';
  /** The entry that decides it, absent for Consul's default. */
  resource?: ResourceRef;
  source: string;
  /**
   * The deciding entry's last update failed (Synced Unknown with a reason): Consul keeps the
   * version it held before, strict or permissive, so `mode` (as written) is not confirmed. Or
   * (status 'False') the entry was not synced but Consul holds, or may hold, one of that name the
   * controller did not write over (consulHoldsUnsyncedEntry): `mode` is what applies without it.
   * `entry` names it: it may be a ServiceDefaults that leaves the mode to ProxyDefaults.
   */
  updateFailed?: { entry: string; status: 'Unknown' | 'False'; reason?: string; message?: string };
  /**
   * The deciding entry is permissive and Consul has not reported it synced, so Consul applies it
   * only if the Mesh entry allows enabling permissive mode; but the Mesh entry Consul holds cannot
   * be shown (meshAllows.allowed undefined): `mode` (as written) is not confirmed. `why` says so.
   */
  meshUnknown?: { entry: string; why: string };
}

/**
 * A ServiceDefaults, or the ProxyDefaults "global", that sets mutualTLSMode: "strict", "permissive",
 * or a value Consul does not accept ('invalid', the value written in `value`).
 */
export interface ConsulMutualTLSEntry {
  ref: ResourceRef;
  mode: 'strict' | 'permissive' | 'invalid';
  /** What the entry says when `mode` is 'invalid' (cluster data, any JSON type). */
  value?: unknown;
  /** Consul applies it; when not, `refused` says why (`problem` in words). */
  inEffect: boolean;
  refused?: 'mesh-disallows-permissive' | 'not-synced' | 'invalid-mode';
  problem?: string;
  /** The Synced condition's reason and message when it is False (cluster text: the controller's error). */
  synced?: { reason?: string; message?: string };
  /** Synced Unknown with a reason: the controller's last update failed, so Consul may still hold an earlier version. */
  updateFailed?: { reason?: string; message?: string };
  /** A permissive entry not reported synced while whether the Mesh entry allows it is unknown (meshAllows.unknown): Consul may or may not have accepted it. */
  meshUnknown?: boolean;
  /** Synced False (refused 'not-synced'), yet Consul holds, or may hold, an entry of that name the controller did not write over (consulHoldsUnsyncedEntry): the mode applied is unknown. */
  heldByConsul?: boolean;
  /** A permissive entry Consul already holds (Synced True, or a migrate-entry whose metadata update failed) while the Mesh entry no longer allows enabling permissive mode. */
  keptWithoutMeshAllow?: boolean;
}

export interface ConsulMutualTLSIndex {
  /** The mode of the Consul service `service` whose pods run in Kubernetes namespace `namespace`. */
  modeOf(service: string, namespace: string): ConsulMutualTLS;
  /** The entries that set a mode, in effect or not (an invalid one never is): ProxyDefaults global first, then ServiceDefaults oldest first. */
  entries: ConsulMutualTLSEntry[];
  /** Entries Consul does not apply as written, and why. */
  problems: Array<{ ref: ResourceRef; problem: string }>;
  /**
   * Whether the Mesh entry allows enabling permissive mode, and that entry (none: no Mesh entry
   * Consul holds). `allowed` undefined: unknown, `unknown` says why (the Mesh entry's last update
   * failed, or it is not synced while Consul holds, or may hold, one: consulHoldsUnsyncedEntry).
   */
  meshAllows: { allowed: boolean | undefined; mesh?: ResourceRef; unknown?: string };
}

/** A Synced condition's reason and message as a message quotes them: the controller's error text is cluster data, quoted and cut at 300 characters. */
export function syncedConditionText(c: { reason?: string; message?: string }): string {
  const cut = (t: string) => (t.length > 300 ? `${t.slice(0, 300)}…` : t);
  const shown = (t: string) => (t.length <= 120 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(t) ? t : JSON.stringify(cut(t)));
  return [c.reason !== undefined ? `reason ${shown(c.reason)}` : '', c.message !== undefined ? `message ${JSON.stringify(cut(c.message))}` : ''].filter((x) => x).join(', ');
}

/** A config entry's value as a message quotes it: JSON (cluster data, any type), cut at 120 characters. */
export function quotedEntryValue(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 120 ? `${t.slice(0, 120)}…` : t;
}

const MIGRATE_ENTRY_ANNOTATION = 'consul.hashicorp.com/migrate-entry';
const configEntryRef = (kind: string, o: KubeObject): ResourceRef => ({ kind, namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' });
const syncedOf = (o: KubeObject) => arr(obj(o.status)?.conditions).map((c) => obj(c)).find((c) => c?.type === 'Synced');

/**
 * Whether Consul holds, or may hold, an entry of this name although the consul-k8s controller set
 * Synced False (hashicorp/consul-k8s control-plane/controllers/configentries/configentry_controller.go
 * ReconcileEntry). Only a failed create, after Consul answered that it has no such entry, means it
 * has none: syncFailed(ConsulAgentError, "writing config entry to consul: …", or "creating consul
 * namespace …" before it). ExternallyManagedConfigError (managed from another datacenter, or
 * written to Consul directly) and MigrationFailedError (migrate-entry, not matching Consul) follow a
 * Get that found the entry, which is left as it is; a failed Get (ConsulAgentError, the client's
 * error) or a failed delete may leave one there.
 */
export function consulHoldsUnsyncedEntry(reason: string | undefined, message: string | undefined): boolean {
  if (reason === 'ExternallyManagedConfigError' || reason === 'MigrationFailedError') return true;
  if (reason !== 'ConsulAgentError') return false;
  const m = message ?? '';
  return !m.startsWith('writing config entry to consul:') && !m.startsWith('creating consul namespace');
}

/**
 * The Synced condition of an entry whose mode Consul has not confirmed, or undefined: Unknown with
 * a reason (syncUnknownWithError: updating the entry Consul holds failed, and Consul keeps its
 * earlier version), unless the entry carries consul.hashicorp.com/migrate-entry "true" (then the
 * controller reaches that call only when the entry matches what Consul holds); or False while
 * Consul holds, or may hold, an entry of that name (consulHoldsUnsyncedEntry).
 */
function unconfirmedSync(o: KubeObject): { status: 'Unknown' | 'False'; reason?: string; message?: string } | undefined {
  const condition = syncedOf(o);
  const reason = str(condition?.reason);
  const message = str(condition?.message);
  const said = { ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
  if (condition?.status === 'Unknown' && reason && o.metadata?.annotations?.[MIGRATE_ENTRY_ANNOTATION] !== 'true') return { status: 'Unknown', ...said };
  if (condition?.status === 'False' && consulHoldsUnsyncedEntry(reason, message)) return { status: 'False', ...said };
  return undefined;
}

/**
 * Indexes ServiceDefaults by name (the Consul service it configures) and the ProxyDefaults "global"
 * and Mesh "mesh" entries (one each per cluster; consul-k8s webhooks refuse other names). A
 * ServiceDefaults `mutualTLSMode` "" leaves the mode to ProxyDefaults ("a different layer of the
 * configuration chain should take precedence", consul-k8s shared_types.go MutualTLSModeDefault).
 * Consul refuses to write a permissive entry unless the Mesh entry sets
 * allowEnablingPermissiveMutualTLS (hashicorp/consul agent/consul/state/config_entry.go
 * permissiveModeNotAllowedError) but keeps one it already holds when the flag is turned off: so an
 * entry whose status says Synced "True" (or Unknown with a reason on a migrate-entry: Consul holds
 * it as written) is in effect whatever the flag, one saying "False" is not
 * (Consul holds no such entry, or one the controller did not write over: consulHoldsUnsyncedEntry,
 * whose mode is then unconfirmed), one whose last update failed (Synced Unknown with a reason) is
 * unconfirmed whatever the flag, and one without that condition (manifests, or not yet synced)
 * is judged by the flag. The Mesh entry is read the same way: one Synced "False" after a failed
 * create is absent, but one whose last update failed, or not synced while Consul holds, or may
 * hold, a Mesh entry (unconfirmedSync), leaves the flag unknown, and with it every permissive entry
 * judged by it.
 * A mutualTLSMode other than "", "strict" and "permissive" is refused by the consul-k8s webhook and
 * by Consul itself (hashicorp/consul agent/structs/config_entry.go MutualTLSMode.validate, called by
 * ServiceConfigEntry.Validate and ProxyConfigEntry.Validate; consul-k8s control-plane/api/v1alpha1
 * shared_types.go the same): the entry is not in effect.
 */
export function indexConsulMutualTLS(serviceDefaults: KubeObject[], proxyDefaults: KubeObject[], meshes: KubeObject[]): ConsulMutualTLSIndex {
  const problems: ConsulMutualTLSIndex['problems'] = [];
  const entries: ConsulMutualTLSEntry[] = [];
  const oldest = (list: KubeObject[]) => [...list].sort((a, b) => createdAt(a) - createdAt(b));
  // A Mesh entry Synced False is absent only when Consul holds none of that name (a failed create).
  const mesh = oldest(meshes).find((o) => {
    const c = syncedOf(o);
    return o.metadata?.name === 'mesh' && (c?.status !== 'False' || consulHoldsUnsyncedEntry(str(c.reason), str(c.message)));
  });
  const meshWhere = mesh ? `Mesh ${mesh.metadata?.namespace ?? 'default'}/mesh` : 'no Mesh entry';
  const meshSync = mesh && unconfirmedSync(mesh);
  const meshUnknown = meshSync && (meshSync.status === 'Unknown'
    ? `the last update of ${meshWhere} failed (Synced=Unknown, ${syncedConditionText(meshSync)}), and Consul keeps the Mesh entry it held before, whose allowEnablingPermissiveMutualTLS the snapshot cannot show`
    : `${meshWhere} is not synced to Consul (Synced=False, ${syncedConditionText(meshSync)}), but Consul holds, or may hold, a Mesh entry the consul-k8s controller did not write over, whose allowEnablingPermissiveMutualTLS the snapshot cannot show`);
  const allowed = meshUnknown ? undefined : obj(mesh?.spec)?.allowEnablingPermissiveMutualTLS === true;
  /** An entry's own mode when Consul applies it; undefined: it leaves the mode to the next layer. */
  const modeIn = (kind: string, o: KubeObject): ConsulMutualTLS | undefined => {
    const raw = obj(o.spec)?.mutualTLSMode;
    if (raw === undefined || raw === '') return undefined;
    const ref = configEntryRef(kind, o);
    const name = `${kind} ${ref.namespace}/${ref.name}`;
    if (raw !== 'permissive' && raw !== 'strict') {
      const problem = `mutualTLSMode ${quotedEntryValue(raw)} is not one Consul accepts ("", "strict" or "permissive"): the consul-k8s webhook and Consul refuse the entry`;
      problems.push({ ref, problem });
      entries.push({ ref, mode: 'invalid', value: raw, inEffect: false, refused: 'invalid-mode', problem });
      return undefined;
    }
    const condition = syncedOf(o);
    const synced = condition?.status;
    const refused = (why: NonNullable<ConsulMutualTLSEntry['refused']>, problem: string, extra: Partial<ConsulMutualTLSEntry> = {}): undefined => {
      problems.push({ ref, problem });
      entries.push({ ref, mode: raw, inEffect: false, refused: why, problem, ...extra });
      return undefined;
    };
    const reason = str(condition?.reason);
    const message = str(condition?.message);
    const said = { ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
    if (synced === 'False') {
      if (consulHoldsUnsyncedEntry(reason, message)) return refused('not-synced', 'not synced to Consul (Synced=False), and Consul holds, or may hold, an entry of that name the consul-k8s controller did not write over: which mutualTLSMode applies is unknown', { synced: said, heldByConsul: true });
      return refused('not-synced', 'not synced to Consul (Synced=False): its mutualTLSMode is not in effect', { synced: said });
    }
    // Synced Unknown with a reason: the controller's update failed (configentry_controller.go
    // syncUnknownWithError) and Consul keeps the version it held, which the snapshot cannot show,
    // whatever the Mesh entry allows now.
    const updateFailed = unconfirmedSync(o)?.status === 'Unknown';
    // Consul holds this very entry: Synced True, or Unknown with a reason on a migrate-entry (the
    // controller writes it only when it matches Consul's, else MigrationFailedError: consul-k8s
    // configentry_controller.go ReconcileEntry). Consul keeps a permissive mode it already holds
    // whatever the Mesh entry says now (hashicorp/consul config_entry.go checkMutualTLSMode).
    const held = synced === 'True' || (synced === 'Unknown' && !!reason && o.metadata?.annotations?.[MIGRATE_ENTRY_ANNOTATION] === 'true');
    const judgedByMesh = raw === 'permissive' && !held && !updateFailed;
    if (judgedByMesh && allowed === false) return refused('mesh-disallows-permissive', `mutualTLSMode permissive, but ${meshWhere} does not set allowEnablingPermissiveMutualTLS: true, so Consul refuses the entry`);
    const source = `${name} mutualTLSMode ${raw}${judgedByMesh && allowed ? ` (allowed by ${meshWhere} allowEnablingPermissiveMutualTLS)` : ''}`;
    if (judgedByMesh && meshUnknown) {
      entries.push({ ref, mode: raw, inEffect: true, meshUnknown: true });
      return { mode: raw, resource: ref, source, meshUnknown: { entry: name, why: meshUnknown } };
    }
    entries.push({ ref, mode: raw, inEffect: true, ...(updateFailed ? { updateFailed: said } : {}), ...(raw === 'permissive' && held && allowed === false ? { keptWithoutMeshAllow: true } : {}) });
    return { mode: raw, resource: ref, source };
  };
  /**
   * Consul applies an entry of this name that the snapshot cannot show (unconfirmedSync), whatever
   * this one says or leaves to the next layer: the mode is unconfirmed.
   */
  const failedUpdate = (kind: string, o: KubeObject): ConsulMutualTLS['updateFailed'] => {
    const sync = unconfirmedSync(o);
    if (!sync) return undefined;
    const ref = configEntryRef(kind, o);
    return { entry: `${kind} ${ref.namespace}/${ref.name}`, ...sync };
  };
  const unconfirmed = (mode: ConsulMutualTLS, failed: ConsulMutualTLS['updateFailed']): ConsulMutualTLS => (failed ? { ...mode, updateFailed: failed } : mode);
  const global = oldest(proxyDefaults).find((o) => o.metadata?.name === 'global');
  const fallback: ConsulMutualTLS = unconfirmed((global && modeIn('ProxyDefaults', global)) ?? { mode: 'strict', source: 'Consul default mutualTLSMode strict' }, global && failedUpdate('ProxyDefaults', global));
  const byName = new Map<string, Array<{ namespace: string; mode: ConsulMutualTLS | undefined; failed: ConsulMutualTLS['updateFailed'] }>>();
  for (const o of oldest(serviceDefaults)) {
    const name = o.metadata?.name ?? '';
    const entry = { namespace: o.metadata?.namespace ?? 'default', mode: modeIn('ServiceDefaults', o), failed: failedUpdate('ServiceDefaults', o) };
    const list = byName.get(name);
    if (list) list.push(entry);
    else byName.set(name, [entry]);
  }
  return {
    problems,
    entries,
    meshAllows: { allowed, ...(mesh ? { mesh: configEntryRef('Mesh', mesh) } : {}), ...(meshUnknown ? { unknown: meshUnknown } : {}) },
    modeOf(service, namespace) {
      // Consul OSS has one namespace: prefer the entry beside the service, else the oldest one.
      const list = byName.get(service) ?? [];
      const e = list.find((x) => x.namespace === namespace) ?? list[0];
      return e ? unconfirmed(e.mode ?? fallback, e.failed) : fallback;
    },
  };
}

export const CONSUL_SERVICE_PORT_ANNOTATION = 'consul.hashicorp.com/connect-service-port';

/**
 * The port Consul registers for the callee's service, which permissive mode opens to plaintext:
 * the annotation consul.hashicorp.com/connect-service-port (a number or a container port name),
 * else the one port its containers declare; undefined when that does not tell (several ports).
 */
export function consulServicePort(annotations: Record<string, string>, ports: Array<{ port: number; name?: string }>): number | undefined {
  const raw = annotations[CONSUL_SERVICE_PORT_ANNOTATION]?.trim();
  if (raw) {
    if (raw.includes(',')) return undefined;
    if (/^\d{1,5}$/.test(raw)) return Number(raw);
    return ports.find((p) => p.name === raw)?.port;
  }
  const distinct = [...new Set(ports.map((p) => p.port))];
  return distinct.length === 1 ? distinct[0] : undefined;
}

export interface ConsulFlowInput {
  /** The callee's pod annotations (ports excluded from the sidecar). */
  calleeAnnotations?: Record<string, string>;
  /** The callee's transparent proxy setting (pod annotation, namespace label, injector default). */
  calleeTransparentProxy?: ConsulTransparentProxy;
  index: ConsulIntentionIndex;
  defaultIntention: ConsulDefaultIntention;
  /** The Consul service names of caller and callee. */
  callerService: string;
  calleeService: string;
  /** The callee's mTLS mode; strict when absent. */
  calleeMutualTLS?: ConsulMutualTLS;
  /** The port Consul registers for the callee (consulServicePort); undefined: unknown. */
  calleeServicePort?: number;
}

/** Consul's answer for one call to a Consul-meshed callee. */
export function judgeConsulFlow(input: ConsulFlowInput, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const enforcedBy = 'Consul dataplane (Envoy) of the callee';
  const bypass = input.calleeAnnotations ? consulPortBypass(input.calleeAnnotations, callee.port, input.calleeTransparentProxy) : undefined;
  if (bypass?.kind === 'excluded') {
    return { mesh: 'consul', verdict: 'allowed', plaintext: true, reason: `port ${callee.port} is excluded from the Consul sidecar (${bypass.source}): intentions do not apply to it` };
  }
  if (bypass?.kind === 'unreadable') {
    return { mesh: 'consul', verdict: 'unknown', plaintext: !caller.mtls || !!caller.external, reason: `whether the transparent proxy is on cannot be told: ${bypass.source} is not a boolean (the connect injector refuses such pods)` };
  }
  if (bypass?.kind === 'no-tproxy') {
    return { mesh: 'consul', verdict: 'unknown', plaintext: !caller.mtls || !!caller.external, reason: `transparent proxy is off (${bypass.source}): a caller dialing port ${callee.port} directly reaches the application unless it listens on localhost only, which the snapshot cannot tell` };
  }
  if (!caller.mtls || caller.external) {
    const m = input.calleeMutualTLS;
    if (m?.mode === 'permissive') {
      // https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode: "Intentions are not enforced and encryption is not enabled for non-mTLS connections."
      const policy = m.resource ? { policy: m.resource } : {};
      if (input.calleeServicePort === callee.port) return { mesh: 'consul', verdict: 'allowed', plaintext: true, enforcedBy, ...policy, reason: `${m.source}: the Consul sidecar of ${callee.namespace}/${callee.name} passes plaintext to its service port ${callee.port} unmodified, and intentions do not apply to non-mTLS connections` };
      if (input.calleeServicePort === undefined) return { mesh: 'consul', verdict: 'unknown', plaintext: true, enforcedBy, ...policy, reason: `${m.source}: plaintext reaches the service port Consul registers for ${callee.namespace}/${callee.name}, without intentions, but which port that is the snapshot does not tell (several container ports, no ${CONSUL_SERVICE_PORT_ANNOTATION} with one port)` };
      return { mesh: 'consul', verdict: 'denied', plaintext: true, enforcedBy, reason: `the Consul sidecar of ${callee.namespace}/${callee.name} accepts only mutual TLS on port ${callee.port}; a caller without a mesh identity is refused (${m.source} opens service port ${input.calleeServicePort} only)` };
    }
    return { mesh: 'consul', verdict: 'denied', plaintext: true, enforcedBy, reason: `the Consul sidecar of ${callee.namespace}/${callee.name} accepts only mutual TLS from mesh services; a caller without a mesh identity is refused` };
  }
  const base = { mesh: 'consul' as const, plaintext: false, enforcedBy };
  let best: { precedence: number; intention: ConsulIntention; source: ConsulSource } | undefined;
  for (const key of [input.calleeService, '*']) {
    for (const it of input.index.byDestination.get(key) ?? []) {
      if (!nsMatches(it.destination.namespace, callee.namespace)) continue;
      for (const s of it.sources) {
        if (s.remote || !nameMatches(s.name, input.callerService) || !nsMatches(s.namespace, caller.namespace)) continue;
        const precedence = intentionPrecedence(it.destination, s);
        const deny = s.action === 'deny';
        if (!best || precedence > best.precedence || (precedence === best.precedence && deny && best.source.action !== 'deny')) best = { precedence, intention: it, source: s };
      }
    }
  }
  // '\u0000' stands for an unnamed caller (checks/mtls/lib/mesh-authz.ts): no name to print.
  const who = input.callerService === '\u0000' ? 'an arbitrary mesh service' : `service ${input.callerService}`;
  if (!best) {
    const d = input.defaultIntention;
    return { ...base, verdict: d.action === 'allow' ? 'allowed' : 'denied', policy: d.resource, reason: `no intention matches ${who} → ${input.calleeService}: the default intention is ${d.action} (${d.source})` };
  }
  const { intention, source, precedence } = best;
  const what = `ServiceIntentions ${intention.ref.namespace}/${intention.ref.name} sources[${source.index}] (${source.name} → ${intention.destination.name}, precedence ${precedence})`;
  if (source.permissions) return { ...base, verdict: 'depends', policy: intention.ref, rule: source.index, reason: `${what} has L7 permissions: HTTP requests are allowed or denied by path, method and headers` };
  return { ...base, verdict: source.action === 'deny' ? 'denied' : 'allowed', policy: intention.ref, rule: source.index, reason: `${what} ${source.action === 'deny' ? 'denies' : 'allows'} ${who}` };
}

export function serviceAccountOf(pod: PodView | undefined): string {
  return (pod && (str(pod.spec.serviceAccountName) ?? str(pod.spec.serviceAccount))) || 'default';
}

/** The Consul service name of a meshed pod. `services` are the namespace's Services (selector → name). */
export function consulServiceName(pod: PodView, services: Array<{ name: string; selector: Record<string, string> }>): string {
  const annotated = pod.annotations[CONSUL_SERVICE_ANNOTATION];
  if (annotated) return annotated.split(',')[0].trim();
  const svc = services.find((s) => Object.keys(s.selector).length > 0 && Object.entries(s.selector).every(([k, v]) => pod.labels[k] === v));
  return svc?.name ?? serviceAccountOf(pod);
}
