// The Pod Security Standards checks, one per upstream check id, each in every version in
// which upstream's PodSecurity admission changed it. Field semantics follow the API types:
// JSON null is "unset"; a value of the wrong type (which the API server would refuse) is
// treated as a value that is not the allowed one, so malformed input fails closed and never
// throws.

import type { PssLevel } from './levels.ts';
import { hostPortOf } from '../host-ports.ts';

export type Json = Record<string, unknown>;

export interface PodInput {
  metadata?: unknown;
  spec?: unknown;
}

/** One check's outcome, worded as upstream words it in the admission denial. */
export interface CheckOutcome {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
  /**
   * Some container keeps CAP_NET_RAW: it neither drops ALL nor NET_RAW (the runtimes' default
   * set includes it) or adds it. Upstream's words do not say so (its detail names only the
   * missing drop=["ALL"]), yet CIS 5.2.8 turns on it.
   */
  keepsNetRaw?: boolean;
}

export type CheckFn = (pod: PodParts) => CheckOutcome;

export interface VersionedCheck {
  /** Minor version of v1.x from which this implementation applies. */
  minimumMinor: number;
  check: CheckFn;
  /** Baseline checks this restricted check replaces at the restricted level. */
  overrides?: string[];
  /**
   * This implementation only admits more pods than the one before it (a longer allow-list, an
   * exemption): a namespace pinned below it misses nothing by the pin. Every other new
   * implementation is taken to tighten the rule.
   */
  relaxes?: true;
}

export interface CheckDefinition {
  id: string;
  level: Exclude<PssLevel, 'privileged'>;
  versions: VersionedCheck[];
}

/** The parts of a pod the checks read, normalised once per evaluation. */
export interface PodParts {
  annotations: Json;
  spec: Json;
  podSC: Json | undefined;
  containers: Container[];
  windows: boolean;
  userNamespace: boolean;
}

interface Container {
  name: string;
  raw: Json;
  sc: Json | undefined;
}

// ---------------------------------------------------------------------------------------------
// Field access on untrusted JSON

export function asObject(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A list field: unset -> [], a list -> itself, a lone value -> a one-element list. */
function asList(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

const isUnset = (v: unknown): boolean => v === null || v === undefined;

/** A string for messages: strings as they are, unset as "", anything else as JSON. */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isUnset(v)) return '';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Go's %q for the strings that occur here. */
const quote = (s: string): string => JSON.stringify(s);

function joinQuote(items: string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

const pluralize = (singular: string, plural: string, count: number): string => (count === 1 ? singular : plural);

const sortedUnique = (items: Iterable<string>): string[] => [...new Set(items)].sort();

/** Normalises a pod (or pod template) for the checks; never throws on malformed input. */
export function podParts(pod: PodInput | unknown): PodParts {
  const p = asObject(pod) ?? {};
  const meta = asObject(p.metadata) ?? {};
  const spec = asObject(p.spec) ?? {};
  const containers: Container[] = [];
  // With host networking the API server defaults every unset hostPort of a Pod's containers and
  // init containers to its containerPort (SetDefaults_Pod -> defaultHostNetworkPorts), so
  // admission sees a hostPort the manifest never wrote; a template's pods get it at creation.
  const hostNetwork = spec.hostNetwork === true;
  // Same order as upstream's visitor: init containers, containers, ephemeral containers.
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of asList(spec[key])) {
      const given = asObject(c) ?? {};
      const raw = hostNetwork && key !== 'ephemeralContainers' ? withHostNetworkPorts(given) : given;
      containers.push({ name: typeof raw.name === 'string' ? raw.name : '', raw, sc: asObject(raw.securityContext) });
    }
  }
  return {
    annotations: asObject(meta.annotations) ?? {},
    spec,
    podSC: asObject(spec.securityContext),
    containers,
    windows: asObject(spec.os)?.name === 'windows',
    userNamespace: spec.hostUsers === false,
  };
}

/** The container as the API server stores it under hostNetwork (hostPortOf). */
function withHostNetworkPorts(container: Json): Json {
  const ports = asList(container.ports);
  const defaulted = (p: unknown): boolean => {
    const port = asObject(p);
    return port !== undefined && hostPortOf(port, true) !== port.hostPort;
  };
  if (!ports.some(defaulted)) return container;
  return { ...container, ports: ports.map((p) => (defaulted(p) ? { ...asObject(p), hostPort: hostPortOf(asObject(p)!, true) } : p)) };
}

const ALLOWED: CheckOutcome = { allowed: true };
const deny = (forbiddenReason: string, forbiddenDetail: string): CheckOutcome => ({ allowed: false, forbiddenReason, forbiddenDetail });

const containersPhrase = (names: string[]): string => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

/** A field where only unset or false is allowed (privileged, hostNetwork, hostProcess, ...). */
const setTrue = (v: unknown): boolean => !isUnset(v) && v !== false;

// ---------------------------------------------------------------------------------------------
// Baseline checks

/**
 * The pod fields the hostNamespaces check judges, each on its own (upstream
 * policy/check_hostNamespaces.go): its detail names each failing one as `<field>=<value>`.
 */
export const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

function hostNamespaces(pod: PodParts): CheckOutcome {
  const found: string[] = [];
  for (const field of HOST_NAMESPACE_FIELDS) {
    const v = pod.spec[field];
    if (setTrue(v)) found.push(`${field}=${v === true ? 'true' : show(v)}`);
  }
  return found.length > 0 ? deny('host namespaces', found.join(', ')) : ALLOWED;
}

function privileged(pod: PodParts): CheckOutcome {
  const bad = pod.containers.filter((c) => setTrue(c.sc?.privileged)).map((c) => c.name);
  return bad.length > 0 ? deny('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`) : ALLOWED;
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

function capabilitiesBaseline(pod: PodParts): CheckOutcome {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of pod.containers) {
    const capabilities = asObject(c.sc?.capabilities);
    if (!capabilities) continue;
    let valid = true;
    for (const cap of asList(capabilities.add)) {
      if (typeof cap !== 'string' || !BASELINE_CAPABILITIES.has(cap)) {
        valid = false;
        caps.add(show(cap));
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  return deny('non-default capabilities', `${containersPhrase(bad)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`);
}

function hostPathVolumes(pod: PodParts): CheckOutcome {
  const bad: string[] = [];
  for (const v of asList(pod.spec.volumes)) {
    const vol = asObject(v) ?? {};
    if (!isUnset(vol.hostPath)) bad.push(show(vol.name));
  }
  return bad.length > 0 ? deny('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`) : ALLOWED;
}

function hostPorts(pod: PodParts): CheckOutcome {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const c of pod.containers) {
    let valid = true;
    for (const p of asList(c.raw.ports)) {
      const hostPort = asObject(p)?.hostPort;
      if (!isUnset(hostPort) && hostPort !== 0) {
        valid = false;
        ports.add(show(hostPort));
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  const list = sortedUnique(ports);
  return deny(
    'hostPort',
    `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  );
}

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const allowedAppArmorType = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
const allowedAppArmorAnnotation = (v: unknown): boolean =>
  typeof v === 'string' && (v === '' || v === 'runtime/default' || v.startsWith('localhost/'));

function appArmorProfile(pod: PodParts): CheckOutcome {
  const setters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = asObject(pod.podSC?.appArmorProfile);
  if (podProfile && !allowedAppArmorType(podProfile.type)) {
    setters.push('pod');
    badValues.add(show(podProfile.type));
  }
  const badContainers: string[] = [];
  for (const c of pod.containers) {
    const profile = asObject(c.sc?.appArmorProfile);
    if (profile && !allowedAppArmorType(profile.type)) {
      badContainers.push(c.name);
      badValues.add(show(profile.type));
    }
  }
  if (badContainers.length > 0) setters.push(containersPhrase(badContainers));
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(pod.annotations)) {
    if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAppArmorAnnotation(v)) annotations.push(`${k}=${quote(show(v))}`);
  }
  const values = sortedUnique(badValues);
  if (annotations.length > 0) {
    values.push(...annotations.sort());
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (setters.length === 0) return ALLOWED;
  return deny(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  );
}

const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

function seLinuxOptions(allowedTypes: Set<string>): CheckFn {
  return (pod) => {
    const setters: string[] = [];
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (opts: Json): boolean => {
      let ok = true;
      const type = isUnset(opts.type) ? '' : opts.type;
      if (typeof type !== 'string' || !allowedTypes.has(type)) {
        ok = false;
        badTypes.add(show(type));
      }
      if (!isUnset(opts.user) && opts.user !== '') {
        ok = false;
        setUser = true;
      }
      if (!isUnset(opts.role) && opts.role !== '') {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const podOpts = asObject(pod.podSC?.seLinuxOptions);
    if (podOpts && !valid(podOpts)) setters.push('pod');
    const badContainers: string[] = [];
    for (const c of pod.containers) {
      const opts = asObject(c.sc?.seLinuxOptions);
      if (opts && !valid(opts)) badContainers.push(c.name);
    }
    if (badContainers.length > 0) setters.push(containersPhrase(badContainers));
    if (setters.length === 0) return ALLOWED;
    const data: string[] = [];
    if (badTypes.size > 0) data.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedUnique(badTypes))}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return deny('seLinuxOptions', `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
  };
}

function procMount(pod: PodParts): CheckOutcome {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of pod.containers) {
    const v = c.sc?.procMount;
    if (isUnset(v)) continue;
    if (v !== 'Default') {
      bad.push(c.name);
      types.add(show(v));
    }
  }
  if (bad.length === 0) return ALLOWED;
  return deny('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`);
}

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const validSeccompType = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
const validSeccompAnnotation = (v: unknown): boolean =>
  typeof v === 'string' && (v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/'));

/**
 * Whether any check reads this pod annotation (the AppArmor and seccomp ones); the model
 * leaves the others out of a pod's class key (src/analysis/pss/model.ts).
 */
export const isPssAnnotation = (key: string): boolean =>
  key.startsWith(APPARMOR_ANNOTATION_PREFIX) || key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX);

/**
 * The seccompProfile the API server of a 1.19-1.26 cluster writes from a seccomp annotation into a
 * pod it creates whose field is unset (the pod strategy's PrepareForCreate, applySeccompVersionSkew,
 * added by kubernetes/kubernetes#91408 in 1.19, kept by #109819 in 1.25, removed by #114947 in
 * 1.27), converted as pkg/api/pod/util.go SeccompFieldForAnnotation converts it: "unconfined" to
 * Unconfined, "runtime/default" and "docker/default" to RuntimeDefault, "localhost/<name>" to
 * Localhost with that profile; any other value (an empty localhost name) to nothing.
 */
export function seccompFieldForAnnotation(value: unknown): Json | undefined {
  if (value === 'unconfined') return { type: 'Unconfined' };
  if (value === 'runtime/default' || value === 'docker/default') return { type: 'RuntimeDefault' };
  if (typeof value === 'string' && value.startsWith('localhost/') && value.length > 'localhost/'.length) return { type: 'Localhost', localhostProfile: value.slice('localhost/'.length) };
  return undefined;
}

/**
 * A pod spec as the API server of a 1.19-1.26 cluster creates it from these annotations: the pod
 * annotation copied into an unset pod-level seccompProfile, each container's
 * (container.seccomp.security.alpha.kubernetes.io/<name>, init and ephemeral containers too) into
 * its unset one (seccompFieldForAnnotation); undefined when nothing is copied. Never throws.
 */
export function withSeccompFromAnnotations(annotations: Json, spec: Json): Json | undefined {
  let out: Json | undefined;
  const podField = seccompFieldForAnnotation(Object.hasOwn(annotations, SECCOMP_POD_ANNOTATION) ? annotations[SECCOMP_POD_ANNOTATION] : undefined);
  const podSC = spec.securityContext;
  if (podField && (isUnset(podSC) || (asObject(podSC) && isUnset(asObject(podSC)!.seccompProfile)))) {
    out = { ...spec, securityContext: { ...asObject(podSC), seccompProfile: podField } };
  }
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    let copy: unknown[] | undefined;
    list.forEach((c: unknown, i: number) => {
      const container = asObject(c);
      if (!container || typeof container.name !== 'string') return;
      const annotation = SECCOMP_CONTAINER_ANNOTATION_PREFIX + container.name;
      const field = seccompFieldForAnnotation(Object.hasOwn(annotations, annotation) ? annotations[annotation] : undefined);
      const sc = container.securityContext;
      if (!field || !(isUnset(sc) || (asObject(sc) && isUnset(asObject(sc)!.seccompProfile)))) return;
      (copy ??= [...list])[i] = { ...container, securityContext: { ...asObject(sc), seccompProfile: field } };
    });
    if (copy) (out ??= { ...spec })[key] = copy;
  }
  return out;
}

/** Whether a pod's annotations hold a seccomp one (the pod's or a container's). */
export const hasSeccompAnnotation = (annotations: Json): boolean =>
  Object.keys(annotations).some((k) => k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX));

function seccompProfileBaseline_1_0(pod: PodParts): CheckOutcome {
  const forbidden = new Set<string>();
  const inspect = (key: string) => {
    if (!Object.hasOwn(pod.annotations, key)) return;
    const v = pod.annotations[key];
    if (!validSeccompAnnotation(v)) forbidden.add(`${key}=${quote(show(v))}`);
  };
  inspect(SECCOMP_POD_ANNOTATION);
  for (const c of pod.containers) inspect(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name);
  if (forbidden.size === 0) return ALLOWED;
  return deny('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', forbidden.size)} ${sortedUnique(forbidden).join(', ')}`);
}

/** Shared by the baseline (1.19+) and restricted seccomp checks. */
function seccompProfileFields(pod: PodParts, required: boolean): CheckOutcome {
  const setters: string[] = [];
  const badValues = new Set<string>();
  let podSet = false;
  const podProfile = asObject(pod.podSC?.seccompProfile);
  if (podProfile) {
    if (!validSeccompType(podProfile.type)) {
      setters.push('pod');
      badValues.add(show(podProfile.type));
    } else {
      podSet = true;
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const profile = asObject(c.sc?.seccompProfile);
    if (profile) {
      if (!validSeccompType(profile.type)) {
        explicit.push(c.name);
        badValues.add(show(profile.type));
      }
    } else if (!podSet) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  if (setters.length > 0) {
    return deny('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(badValues))}`);
  }
  if (required && implicit.length > 0) {
    return deny('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  }
  return ALLOWED;
}

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SYSCTLS_1_37 = [...SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

/** Safe sysctls by the policy version that introduced them (cumulative). */
export const SAFE_SYSCTLS: ReadonlyArray<{ minimumMinor: number; names: readonly string[] }> = [
  { minimumMinor: 0, names: SYSCTLS_1_0 },
  { minimumMinor: 27, names: SYSCTLS_1_27 },
  { minimumMinor: 29, names: SYSCTLS_1_29 },
  { minimumMinor: 32, names: SYSCTLS_1_32 },
  { minimumMinor: 37, names: SYSCTLS_1_37 },
];

function sysctls(names: readonly string[]): CheckFn {
  const allowed = new Set(names);
  return (pod) => {
    const forbidden: string[] = [];
    if (pod.podSC) {
      for (const s of asList(pod.podSC.sysctls)) {
        const name = asObject(s)?.name;
        if (typeof name !== 'string' || !allowed.has(name)) forbidden.push(show(name));
      }
    }
    return forbidden.length > 0 ? deny('forbidden sysctls', forbidden.join(', ')) : ALLOWED;
  };
}

function windowsHostProcess(pod: PodParts): CheckOutcome {
  const bad = pod.containers.filter((c) => setTrue(asObject(c.sc?.windowsOptions)?.hostProcess)).map((c) => c.name);
  const setters: string[] = [];
  if (setTrue(asObject(pod.podSC?.windowsOptions)?.hostProcess)) setters.push('pod');
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return ALLOWED;
  return deny('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`);
}

function hostsOf(handler: unknown): string[] {
  const h = asObject(handler);
  if (!h) return [];
  const hosts: string[] = [];
  for (const action of ['httpGet', 'tcpSocket']) {
    const host = asObject(h[action])?.host;
    if (!isUnset(host) && host !== '') hosts.push(show(host));
  }
  return hosts;
}

function hostProbesAndHostLifecycle(pod: PodParts): CheckOutcome {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  for (const c of pod.containers) {
    const lifecycle = asObject(c.raw.lifecycle);
    const handlers = [c.raw.livenessProbe, c.raw.readinessProbe, c.raw.startupProbe, lifecycle?.postStart, lifecycle?.preStop];
    for (const handler of handlers) {
      const found = hostsOf(handler);
      if (found.length === 0) continue;
      bad.add(c.name);
      for (const h of found) hosts.add(h);
    }
  }
  if (bad.size === 0) return ALLOWED;
  return deny(
    'probe or lifecycle host',
    `${containersPhrase(sortedUnique(bad))} ${pluralize('uses', 'use', bad.size)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sortedUnique(hosts))}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Restricted checks

function allowPrivilegeEscalation_1_8(pod: PodParts): CheckOutcome {
  const bad = pod.containers.filter((c) => c.sc?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (bad.length === 0) return ALLOWED;
  return deny('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`);
}

/** From policy version 1.25, Windows pods are exempt from some Linux-only restricted checks. */
const unlessWindows = (check: CheckFn): CheckFn => (pod) => (pod.windows ? ALLOWED : check(pod));

/** From policy version 1.35, pods in a user namespace (hostUsers: false) are exempt from some checks. */
const unlessUserNamespace = (check: CheckFn): CheckFn => (pod) => (pod.userNamespace ? ALLOWED : check(pod));

function capabilitiesRestricted_1_22(pod: PodParts): CheckOutcome {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden = new Set<string>();
  let keepsNetRaw = false;
  for (const c of pod.containers) {
    const capabilities = asObject(c.sc?.capabilities);
    if (!capabilities) {
      missingDropAll.push(c.name);
      keepsNetRaw = true;
      continue;
    }
    const drop = asList(capabilities.drop);
    if (!drop.includes('ALL')) {
      missingDropAll.push(c.name);
      if (!drop.includes('NET_RAW')) keepsNetRaw = true;
    }
    let adds = false;
    for (const cap of asList(capabilities.add)) {
      if (cap !== 'NET_BIND_SERVICE') {
        adds = true;
        forbidden.add(show(cap));
        if (cap === 'NET_RAW') keepsNetRaw = true;
      }
    }
    if (adds) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length > 0) {
    details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedUnique(forbidden))} in securityContext.capabilities.add`);
  }
  if (details.length === 0) return ALLOWED;
  const outcome = deny('unrestricted capabilities', details.join('; '));
  return keepsNetRaw ? { ...outcome, keepsNetRaw } : outcome;
}

const RESTRICTED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
// Upstream's order for naming the forbidden source of a volume.
const FORBIDDEN_VOLUME_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos',
];

function restrictedVolumes(pod: PodParts): CheckOutcome {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of asList(pod.spec.volumes)) {
    const vol = asObject(v) ?? {};
    if (RESTRICTED_VOLUME_SOURCES.some((k) => !isUnset(vol[k]))) continue;
    const forbiddenSource = FORBIDDEN_VOLUME_SOURCES.find((k) => !isUnset(vol[k]));
    // The API server defaults a volume without a source to emptyDir (unknown fields are
    // dropped on decode), so a manifest's source-less volume is admitted as one.
    if (!forbiddenSource && asObject(v)) continue;
    bad.push(show(vol.name));
    types.add(forbiddenSource ?? 'unknown');
  }
  if (bad.length === 0) return ALLOWED;
  return deny(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sortedUnique(types))}`,
  );
}

function runAsNonRoot_1_0(pod: PodParts): CheckOutcome {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = pod.podSC?.runAsNonRoot;
  if (!isUnset(podValue)) {
    if (podValue === true) podNonRoot = true;
    else setters.push('pod');
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const v = c.sc?.runAsNonRoot;
    if (!isUnset(v)) {
      if (v !== true) explicit.push(c.name);
    } else if (!podNonRoot) {
      implicit.push(c.name);
    }
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  if (setters.length > 0) return deny('runAsNonRoot != true', `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length > 0) return deny('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
  return ALLOWED;
}

/** runAsUser: unset or a non-zero integer; 0 and malformed values are refused. */
const rootUser = (v: unknown): boolean => !isUnset(v) && !(typeof v === 'number' && Number.isInteger(v) && v !== 0);

function runAsUser_1_23(pod: PodParts): CheckOutcome {
  const setters: string[] = [];
  if (rootUser(pod.podSC?.runAsUser)) setters.push('pod');
  const bad = pod.containers.filter((c) => rootUser(c.sc?.runAsUser)).map((c) => c.name);
  if (bad.length > 0) setters.push(containersPhrase(bad));
  return setters.length > 0 ? deny('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`) : ALLOWED;
}

// ---------------------------------------------------------------------------------------------
// The registry, as upstream registers it. `relaxes` marks, from policy/check_*.go, the
// implementations that only add exemptions or allowed values: Windows pods (1.25), pods in a user
// namespace (1.35), SELinux type container_engine_t (1.31), safe sysctls (1.27, 1.29, 1.32, 1.37).
// Before 1.35 the user-namespace relaxation of runAsNonRoot/runAsUser (and procMount, 1.31-1.34) needed the alpha
// UserNamespacesPodSecurityStandards gate (1.29-1.34; dropped upstream in 7f3f098), and then
// applied at every policy version: the evaluator skips userNamespaceGatedChecks for such a pod when
// the kube-apiserver's flags show the gate on (./feature-gates.ts); unseen, it is read as off.

/**
 * The checks the UserNamespacesPodSecurityStandards gate relaxes for a pod with hostUsers: false
 * on a kube-apiserver of minor `clusterMinor` (1.29-1.34): runAsNonRoot and runAsUser from 1.29,
 * and the baseline procMount from 1.31 (kubernetes/kubernetes#126163, "PSA: allow procMount type
 * Unmasked in baseline"; the 1.35 rewrite of check_procMount.go recalls that "the 1.0 version only
 * took user namespaces into account if the now dropped UserNamespacesPodSecurityStandards feature
 * gate was on"). Before 1.35 restricted runs that same baseline procMount check.
 */
export function userNamespaceGatedChecks(clusterMinor: number): ReadonlySet<string> {
  return clusterMinor >= 31 ? USERNS_GATED_FROM_1_31 : USERNS_GATED_1_29;
}
const USERNS_GATED_1_29: ReadonlySet<string> = new Set(['runAsNonRoot', 'runAsUser']);
const USERNS_GATED_FROM_1_31: ReadonlySet<string> = new Set(['runAsNonRoot', 'runAsUser', 'procMount']);

export const CHECK_DEFINITIONS: readonly CheckDefinition[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [
    { minimumMinor: 8, check: allowPrivilegeEscalation_1_8 },
    { minimumMinor: 25, check: unlessWindows(allowPrivilegeEscalation_1_8), relaxes: true },
  ] },
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumMinor: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minimumMinor: 0, check: capabilitiesBaseline }] },
  { id: 'capabilities_restricted', level: 'restricted', versions: [
    { minimumMinor: 22, check: capabilitiesRestricted_1_22, overrides: ['capabilities_baseline'] },
    { minimumMinor: 25, check: unlessWindows(capabilitiesRestricted_1_22), overrides: ['capabilities_baseline'], relaxes: true },
  ] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimumMinor: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPorts }] },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [{ minimumMinor: 34, check: hostProbesAndHostLifecycle }] },
  { id: 'privileged', level: 'baseline', versions: [{ minimumMinor: 0, check: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [
    { minimumMinor: 0, check: procMount },
    { minimumMinor: 35, check: unlessUserNamespace(procMount), relaxes: true },
  ] },
  { id: 'procMount_restricted', level: 'restricted', versions: [{ minimumMinor: 35, check: procMount, overrides: ['procMount'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minimumMinor: 0, check: restrictedVolumes, overrides: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [
    { minimumMinor: 0, check: runAsNonRoot_1_0 },
    { minimumMinor: 35, check: unlessUserNamespace(runAsNonRoot_1_0), relaxes: true },
  ] },
  { id: 'runAsUser', level: 'restricted', versions: [
    { minimumMinor: 23, check: runAsUser_1_23 },
    { minimumMinor: 35, check: unlessUserNamespace(runAsUser_1_23), relaxes: true },
  ] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [
    { minimumMinor: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
    { minimumMinor: 31, check: seLinuxOptions(SELINUX_TYPES_1_31), relaxes: true },
  ] },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [
    { minimumMinor: 0, check: seccompProfileBaseline_1_0 },
    { minimumMinor: 19, check: (pod) => seccompProfileFields(pod, false) },
  ] },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [
    { minimumMinor: 19, check: (pod) => seccompProfileFields(pod, true), overrides: ['seccompProfile_baseline'] },
    { minimumMinor: 25, check: unlessWindows((pod) => seccompProfileFields(pod, true)), overrides: ['seccompProfile_baseline'], relaxes: true },
  ] },
  // The safe-sysctl list only grows (check_sysctls.go): every version after the first relaxes.
  { id: 'sysctls', level: 'baseline', versions: SAFE_SYSCTLS.map((s, i) => ({ minimumMinor: s.minimumMinor, check: sysctls(s.names), ...(i > 0 ? { relaxes: true as const } : {}) })) },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimumMinor: 0, check: windowsHostProcess }] },
];
