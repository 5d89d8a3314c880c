// The kube-apiserver's UserNamespacesPodSecurityStandards feature gate, read where a cluster
// shows it. From 1.29 through 1.34 PodSecurity admission skips the runAsNonRoot and runAsUser
// (from 1.31 also the baseline procMount: ./checks.ts userNamespaceGatedChecks)
// checks, at every policy version, for a pod with `hostUsers: false` when that gate is on
// (alpha, default off: pkg/features/kube_features.go; the admission plugin's InspectFeatureGates
// in plugin/pkg/admission/security/podsecurity/admission.go calls
// policy.RelaxPolicyForUserNamespacePods with it, and runAsNonRoot_1_0 and runAsUserV1Dot23
// return Allowed when relaxPolicyForUserNamespacePod holds: release-1.34
// staging/src/k8s.io/pod-security-admission/policy/helpers.go). 1.35 dropped the gate and
// relaxes from policy version 1.35 instead (./checks.ts).
//
// No API shows a feature gate. A kube-apiserver run as a static pod (kubeadm, kind) has a
// mirror Pod in kube-system whose command carries its flags; a managed control plane (EKS,
// GKE, AKS) or one built into the binary (k3s) shows none, and the gate is then read as off,
// its default, and said to be unseen.
//
// The relaxation also needs the UserNamespacesSupport gate, read from the same flags: without it
// the API server drops hostUsers from a pod or template it creates (pkg/api/pod/util.go
// dropDisabledFields, called from the strategies' PrepareForCreate, which the generic registry
// runs before validating admission: apiserver registry/generic/registry/store.go Create), so
// PodSecurity sees no user namespace and refuses the pod. That gate is alpha off by default
// 1.25-1.29, beta off 1.30-1.32, beta on 1.33-1.35 (pkg/features/kube_features.go at v1.36.3,
// whose versioned entry records each step).

import { goParseBool } from '../flags.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { userNamespaceGatedChecks } from './checks.ts';

/** The minor versions whose kube-apiserver has the gate. */
export const USERNS_PSS_GATE_MINORS = { first: 29, last: 34 } as const;
export const USERNS_PSS_GATE = 'UserNamespacesPodSecurityStandards';

export interface UserNamespaceGate {
  /**
   * on: every kube-apiserver Pod seen turns it on; off: none does (or its flags leave it at its
   * default); mixed: some do, so a pod's fate depends on the server that admits it (read as off);
   * unseen: no kube-apiserver Pod in kube-system (read as off); unknown: a Pod's --emulated-version
   * cannot be read (`unknownReason`), so neither can the gates it sets (read as off).
   */
  state: 'on' | 'off' | 'mixed' | 'unseen' | 'unknown';
  /** The kube-apiserver Pods read, by name. */
  apiservers: string[];
  /** The checks the gate relaxes on this cluster's minor (userNamespaceGatedChecks). */
  checks: ReadonlySet<string>;
  /**
   * UserNamespacesSupport in the same Pods: on or off in every one (named, through AllAlpha or
   * AllBeta, or its default at the release the Pod runs or emulates), mixed, unseen with them, or
   * unknown: a Pod's --emulated-version cannot be read (`unknownReason`).
   */
  support: 'on' | 'off' | 'mixed' | 'unseen' | 'unknown';
  /** Why a gate reads unknown: the first kube-apiserver Pod whose --emulated-version cannot be read. */
  unknownReason?: string;
}

/** Whether admission relaxes user-namespace pods: both gates on in every kube-apiserver Pod seen. */
export const relaxesUserNamespacePods = (g: UserNamespaceGate | undefined): boolean => g?.state === 'on' && g.support === 'on';

/**
 * The gate user namespaces themselves need (hostUsers: false); UserNamespacesPodSecurityStandards
 * "you must also enable UserNamespacesSupport to use this feature"
 * (kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/).
 */
export const USERNS_SUPPORT_GATE = 'UserNamespacesSupport';

/**
 * The gate `securityContext.procMount` needs. Off, the API server resets a container's procMount
 * to Default when it creates a pod or a template (pkg/api/pod/util.go at v1.36.3,
 * dropDisabledProcMountField, called from dropDisabledFields: "If the feature is disabled, and
 * the existing object is not using any non-default values, and the ProcMount field is present in
 * the incoming object, force to the default value"), in PrepareForCreate, before validating
 * admission runs (as for hostUsers above): PodSecurity then judges, and the pod runs with,
 * Default.
 */
export const PROC_MOUNT_GATE = 'ProcMountType';

/** One step of a gate's history: from this minor on, its default and stage (component-base featuregate FeatureSpec). */
interface GateStep {
  since: number;
  default: boolean;
  stage: 'alpha' | 'beta' | 'ga';
  /** LockToDefault: a --feature-gates value other than the default stops the server at start. */
  locked?: true;
}

/**
 * The versioned entries of pkg/features/kube_features.go: UserNamespacesSupport and ProcMountType
 * at v1.36.3, UserNamespacesPodSecurityStandards at v1.34.0 (`{Version: "1.29", Default: false,
 * PreRelease: Alpha}`; dropped in 1.35).
 */
const GATE_HISTORY: Readonly<Record<string, readonly GateStep[]>> = {
  [USERNS_PSS_GATE]: [{ since: 29, default: false, stage: 'alpha' }],
  [USERNS_SUPPORT_GATE]: [
    { since: 25, default: false, stage: 'alpha' },
    { since: 30, default: false, stage: 'beta' },
    { since: 33, default: true, stage: 'beta' },
    { since: 36, default: true, stage: 'ga', locked: true },
  ],
  [PROC_MOUNT_GATE]: [
    { since: 12, default: false, stage: 'alpha' },
    { since: 31, default: false, stage: 'beta' },
    { since: 33, default: true, stage: 'beta' },
    { since: 36, default: true, stage: 'ga', locked: true },
  ],
};

/**
 * A gate's entry at a (binary or emulated) minor: the newest step not after it, as
 * featureSpecAtEmulationVersion picks it (component-base featuregate/feature_gate.go at v0.34.0);
 * before the first, a pre-alpha gate, off.
 */
export function gateStepAt(gate: string, minor: number): GateStep {
  const steps = GATE_HISTORY[gate] ?? [];
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.since <= minor) return steps[i]!;
  return { since: 0, default: false, stage: 'alpha' };
}

/** The first minor whose kube-apiserver takes --emulated-version (apiserver pkg/util/compatibility/version.go, minimumKubeEmulationVersion). */
const FIRST_EMULATION_MINOR = 31;

/**
 * The release a kube-apiserver of minor `binaryMinor` emulates with these arguments: its own when
 * --emulated-version is absent, the minor it names, or why it cannot be read (the server then
 * refuses to start, so what it would admit is not known). As component-base compatibility reads it
 * (registry.go and version.go at v0.34.0, the same at v0.36.3): a comma-separated list that
 * repeated flags extend, each entry `X.Y` or `kube=X.Y` (a leading v allowed: apimachinery
 * util/version Parse), no patch but 0, kube named once, no other component (kube-apiserver
 * registers none); and between the binary minor less three (not before 1.31) and the binary's
 * own (effectiveVersion.Validate, kubeEffectiveVersionFloors).
 */
export function emulatedMinor(args: readonly string[], binaryMinor: number): number | { unknown: string } {
  const entries: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let value: string | undefined;
    if (a.startsWith('--emulated-version=')) value = a.slice('--emulated-version='.length);
    else if (a === '--emulated-version') value = args[++i] ?? '';
    if (value === undefined) continue;
    if (value !== '') entries.push(...value.split(','));
  }
  if (entries.length === 0) return binaryMinor;
  const cannot = (why: string) => ({ unknown: `--emulated-version ${JSON.stringify(entries.join(','))} cannot be read: ${why}` });
  if (binaryMinor < FIRST_EMULATION_MINOR) return cannot(`a 1.${binaryMinor} kube-apiserver has no such flag (first in 1.${FIRST_EMULATION_MINOR})`);
  let kube: number | undefined;
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const component = eq < 0 ? 'kube' : entry.slice(0, eq).trim();
    const text = eq < 0 ? entry : entry.slice(eq + 1).trim();
    if (component !== 'kube') return cannot(`component ${JSON.stringify(component)} is not registered`);
    const m = /^\s*v?([0-9]+(?:\.[0-9]+)*)/.exec(text);
    const parts = m ? m[1]!.split('.') : [];
    if (parts.length < 2 || (parts[0]!.startsWith('0') && parts[0] !== '0')) return cannot(`${JSON.stringify(text)} is not a version`);
    if (parts.length > 2 && Number(parts[2]) !== 0) return cannot('patch version not allowed');
    if (kube !== undefined) return cannot('duplicate version flag');
    if (parts[0] !== '1') return cannot(`emulation version ${parts[0]}.${parts[1]} is not a 1.x release`);
    kube = Number(parts[1]);
  }
  const floor = Math.max(binaryMinor - 3, FIRST_EMULATION_MINOR);
  if (kube! < floor || kube! > binaryMinor) return cannot(`emulation version 1.${kube} is not between 1.${floor} and 1.${binaryMinor}`);
  return kube!;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** The kube-apiserver container of a Pod: named so, or running a binary named so. */
function apiserverContainer(pod: Record<string, unknown>): Record<string, unknown> | undefined {
  const spec = isRecord(pod.spec) ? pod.spec : undefined;
  const containers = Array.isArray(spec?.containers) ? spec.containers.filter(isRecord) : [];
  const runs = (c: Record<string, unknown>) => c.name === 'kube-apiserver' || /(^|\/)kube-apiserver$/.test(strings(c.command)[0] ?? '');
  const found = containers.find(runs);
  if (found) return found;
  const labels = isRecord(pod.metadata) && isRecord(pod.metadata.labels) ? pod.metadata.labels : {};
  return labels.component === 'kube-apiserver' ? containers[0] : undefined;
}

/**
 * Whether a kube-apiserver run with these arguments has the gate on. Each --feature-gates flag
 * (`--feature-gates=A=true,B=false` or `--feature-gates A=true`) adds its pairs over the ones
 * before, a later pair for the same key winning; the gate named outright wins over AllAlpha, which
 * sets every alpha gate not named (component-base featuregate: setUnsetAlphaGates).
 */
export function gateOnInArgs(args: readonly string[], binaryMinor?: number): boolean {
  return gateInArgs(args, USERNS_PSS_GATE, 'alpha', binaryMinor) === true;
}

/**
 * A gate as these arguments set it: named outright, else through AllAlpha (an alpha gate) or
 * AllBeta (a beta gate: setUnsetBetaGates), else undefined (its default); 'unknown' when that
 * depends on the binary's release and `binaryMinor` is not given.
 *
 * How a repeated key reads depends on the binary (component-base featuregate/feature_gate.go):
 * Set builds one map of the flag's pairs (`m[k] = boolValue`: in one flag a later pair wins). From
 * 1.31 the kube-apiserver's --feature-gates is the compatibility registry's
 * ColonSeparatedMultimapStringString, which appends every flag's pairs (cli/flag
 * colon_separated_multimap_string_string.go at v0.34.0), and the registry's Set joins them with ","
 * into one featureGate.Set (compatibility/registry.go at v0.34.0): the last AllAlpha or AllBeta of
 * all flags wins. Before 1.31 the flag was the featureGate itself (AddFlag at v0.30.0), each flag
 * one Set over the gates the last left set, and setUnsetAlphaGates/setUnsetBetaGates set only gates
 * not yet set: the first flag that names AllAlpha (or AllBeta) decides it, its own last pair winning.
 */
export function gateInArgs(args: readonly string[], gate: string, stage: GateStep['stage'], binaryMinor?: number): boolean | undefined | 'unknown' {
  let named: boolean | undefined;
  const last: { AllAlpha?: boolean; AllBeta?: boolean } = {};
  const first: { AllAlpha?: boolean; AllBeta?: boolean } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let value: string | undefined;
    if (a.startsWith('--feature-gates=')) value = a.slice('--feature-gates='.length);
    else if (a === '--feature-gates') value = args[++i];
    if (value === undefined) continue;
    const inFlag: { AllAlpha?: boolean; AllBeta?: boolean } = {};
    for (const pair of value.split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      // A pair may name its component, `kube:Gate=true`, where the kube-apiserver reads the flag
      // through the compatibility registry (component-base v0.34.0 compatibility/registry.go
      // AddFlags, cli/flag ColonSeparatedMultimapStringString; a release without it refuses the
      // pair and does not start): kube's gates are the kube-apiserver's; another component's are not.
      let key = pair.slice(0, eq).trim();
      const colon = key.indexOf(':');
      if (colon >= 0) {
        if (key.slice(0, colon).trim() !== 'kube') continue;
        key = key.slice(colon + 1).trim();
      }
      // Go's strconv.ParseBool reads each --feature-gates value.
      const on = goParseBool(pair.slice(eq + 1).trim());
      if (on === undefined) continue;
      if (key === gate) named = on;
      else if (key === 'AllAlpha' || key === 'AllBeta') inFlag[key] = on;
    }
    for (const k of ['AllAlpha', 'AllBeta'] as const) {
      if (inFlag[k] === undefined) continue;
      last[k] = inFlag[k];
      first[k] ??= inFlag[k];
    }
  }
  if (named !== undefined) return named;
  const all = stage === 'alpha' ? 'AllAlpha' : stage === 'beta' ? 'AllBeta' : undefined;
  if (all === undefined) return undefined;
  if (binaryMinor === undefined) return first[all] === last[all] ? last[all] : 'unknown';
  return binaryMinor >= FIRST_REGISTRY_MINOR ? last[all] : first[all];
}

/** The first kube-apiserver release whose --feature-gates is the compatibility registry's (the same minor as --emulated-version). */
const FIRST_REGISTRY_MINOR = 31;

/**
 * A gate in one kube-apiserver's arguments: on or off at the release it emulates (its own unless
 * --emulated-version names an older one: the gate's default and stage, hence what AllAlpha and
 * AllBeta do, are that release's), or unknown when that release cannot be read. `binaryMinor` is
 * the release of the binary (how repeated --feature-gates flags read: gateInArgs), the emulated one
 * when omitted.
 */
export function gateAt(args: readonly string[], gate: string, emulated: number | { unknown: string }, binaryMinor?: number): 'on' | 'off' | 'unknown' {
  if (typeof emulated !== 'number') return 'unknown';
  const step = gateStepAt(gate, emulated);
  // A locked gate set otherwise stops the server at start (feature_gate.go Set: "cannot set feature gate ... locked to").
  if (step.locked) return step.default ? 'on' : 'off';
  const set = gateInArgs(args, gate, step.stage, binaryMinor ?? emulated);
  if (set === 'unknown') return 'unknown';
  return (set ?? step.default) ? 'on' : 'off';
}

/** A gate across the kube-apiserver Pods seen: on or off in every one, unknown in one, mixed, or unseen with them. */
export type GateReading = 'on' | 'off' | 'mixed' | 'unseen' | 'unknown';

const readingOf = (n: number, count: { on: number; off: number; unknown: number }): GateReading =>
  n === 0 ? 'unseen' : count.on === n ? 'on' : count.off === n ? 'off' : count.unknown > 0 ? 'unknown' : 'mixed';

/** One kube-apiserver Pod: its name, its arguments, and its binary's release when its image names one. */
interface ApiserverPod {
  name: string;
  args: string[];
  /**
   * The binary's minor from the image tag (registry.k8s.io/kube-apiserver:v1.33.1, the older
   * per-architecture kube-apiserver-amd64 names, hyperkube); undefined when the image is not a
   * kube-apiserver image (the cluster's version is then used); a reason when it is one but names
   * no release (pinned by digest, which the runtime pulls whatever the tag says; no version tag).
   */
  release: number | undefined | { unknown: string };
  /** Why the arguments cannot be read as the kube-apiserver's own argv (a shell wrapper): every gate then reads unknown. */
  unreadable?: string;
}

const serversOf = new WeakMap<object, ApiserverPod[]>();

/** Text from a Pod (an image, a command) quoted in a reason, its first 200 characters. */
const quoted = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** The minor an image reference's tag names for a kube-apiserver image (ApiserverPod.release). */
export function imageRelease(image: string): ApiserverPod['release'] {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? ref.slice(slash + 1, colon) : ref.slice(slash + 1);
  if (!/^(kube-apiserver(-(amd64|arm64|arm|ppc64le|s390x))?|hyperkube(-(amd64|arm64|arm|ppc64le|s390x))?)$/.test(name)) return undefined;
  if (at >= 0) return { unknown: `its image ${quoted(image)} is pinned by digest, which names no release` };
  const m = hasTag ? /^v?1\.([0-9]+)(\.[0-9]+)?([-+].*)?$/.exec(ref.slice(colon + 1)) : null;
  if (!m) return { unknown: `its image ${quoted(image)} names no release` };
  return Number(m[1]);
}

/** The kube-apiserver Pods of kube-system (mirror Pods of static pods: kubeadm, kind), by name, with their arguments; one pass over the pods per snapshot. */
function apiserverArgs(snapshot: Snapshot): ApiserverPod[] {
  const pods = snapshot.resources.pods ?? [];
  const seen = serversOf.get(pods);
  if (seen) return seen;
  const out: ApiserverPod[] = [];
  serversOf.set(pods, out);
  for (const pod of pods) {
    if (!isRecord(pod) || !isRecord(pod.metadata) || pod.metadata.namespace !== 'kube-system') continue;
    const c = apiserverContainer(pod as Record<string, unknown>);
    if (!c) continue;
    const command = strings(c.command);
    // The flags are the kube-apiserver's own argv when the command runs it (or, absent, the
    // image's entrypoint does); a command running something else, such as `sh -c "kube-apiserver
    // …"`, hands them to a shell whose expansion this does not follow.
    const unreadable = command.length > 0 && !/(^|\/)kube-apiserver$/.test(command[0]!)
      ? `its command runs ${quoted(command[0]!)}, not kube-apiserver, so its flags cannot be read`
      : undefined;
    out.push({ name: String(pod.metadata.name), args: [...command, ...strings(c.args)], release: imageRelease(typeof c.image === 'string' ? c.image : ''), ...(unreadable !== undefined ? { unreadable } : {}) });
  }
  return out;
}

/**
 * A gate in the arguments of a kube-apiserver whose release is not known: a gate named outright is
 * what the server runs (a locked gate set otherwise stops it at start); its default, and what
 * AllAlpha or AllBeta do to it, are its release's, so unknown.
 */
function namedOnly(args: readonly string[], gate: string): 'on' | 'off' | 'unknown' {
  const named = gateInArgs(args, gate, 'ga');
  return named === true ? 'on' : named === false ? 'off' : 'unknown';
}

/**
 * Gates as the kube-apiserver Pods show them: each Pod at the release its image names, else the
 * cluster's minor; each gate's reading, and why one reads unknown.
 */
function readGates(servers: readonly ApiserverPod[], clusterMinor: number, gates: readonly string[]): { readings: GateReading[]; unknownReason?: string } {
  const counts = gates.map(() => ({ on: 0, off: 0, unknown: 0 }));
  let unknownReason: string | undefined;
  for (const s of servers) {
    const binary = s.release ?? clusterMinor;
    const emulated = typeof binary === 'number' ? emulatedMinor(s.args, binary) : binary;
    gates.forEach((g, i) => {
      const reading = s.unreadable !== undefined ? 'unknown' : typeof binary === 'number' ? gateAt(s.args, g, emulated, binary) : namedOnly(s.args, g);
      counts[i]![reading]++;
      if (reading === 'unknown') unknownReason ??= `kube-apiserver Pod kube-system/${s.name}: ${s.unreadable ?? (typeof emulated === 'number' ? 'its --feature-gates cannot be read' : emulated.unknown)}`;
    });
  }
  return { readings: counts.map((c) => readingOf(servers.length, c)), ...(unknownReason !== undefined ? { unknownReason } : {}) };
}

/** The gate as the snapshot shows it, when the cluster's minor version has it; undefined otherwise. */
export function userNamespaceGate(snapshot: Snapshot, clusterMinor: number | undefined): UserNamespaceGate | undefined {
  if (clusterMinor === undefined || clusterMinor < USERNS_PSS_GATE_MINORS.first || clusterMinor > USERNS_PSS_GATE_MINORS.last) return undefined;
  const servers = apiserverArgs(snapshot);
  const { readings: [state, support], unknownReason } = readGates(servers, clusterMinor, [USERNS_PSS_GATE, USERNS_SUPPORT_GATE]);
  return { state: state!, apiservers: servers.map((s) => s.name), checks: userNamespaceGatedChecks(clusterMinor), support: support!, ...(unknownReason !== undefined ? { unknownReason } : {}) };
}

export interface ProcMountGate {
  /** ProcMountType across the kube-apiserver Pods seen (GateReading). */
  state: GateReading;
  /** Its default at the cluster's minor: what an unseen control plane runs unless its maker changed it. */
  defaultOn: boolean;
  apiservers: string[];
  /** Why it reads unknown: the first kube-apiserver Pod whose --emulated-version cannot be read. */
  unknownReason?: string;
}

/**
 * ProcMountType as the snapshot shows it, when the cluster's minor is known. Off in every
 * kube-apiserver Pod, the API server resets a procMount it creates to Default
 * (PROC_MOUNT_GATE); unknown, mixed, or unseen where its default is off (before 1.33), whether it
 * does cannot be confirmed.
 */
export function procMountGate(snapshot: Snapshot, clusterMinor: number | undefined): ProcMountGate | undefined {
  if (clusterMinor === undefined) return undefined;
  const servers = apiserverArgs(snapshot);
  const { readings: [state], unknownReason } = readGates(servers, clusterMinor, [PROC_MOUNT_GATE]);
  return { state: state!, defaultOn: gateStepAt(PROC_MOUNT_GATE, clusterMinor).default, apiservers: servers.map((s) => s.name), ...(unknownReason !== undefined ? { unknownReason } : {}) };
}

/** Whether the API server resets procMount to Default on create: ProcMountType off in every kube-apiserver Pod seen. */
export const dropsProcMount = (g: ProcMountGate | undefined): boolean => g?.state === 'off';

/** Whether that cannot be confirmed, and how the gate was read then; undefined when it is known (on, off, or unseen with a default on). */
export function procMountDoubt(g: ProcMountGate | undefined): 'mixed' | 'unknown' | 'unseen' | undefined {
  if (g === undefined || g.state === 'on' || g.state === 'off') return undefined;
  if (g.state === 'unseen') return g.defaultOn ? undefined : 'unseen';
  return g.state;
}

/**
 * The first release whose PodSecurity exempts a pod with `hostUsers: false` by policy version
 * (./checks.ts unlessUserNamespace), without UserNamespacesPodSecurityStandards: from it on,
 * UserNamespacesSupport alone decides whether admission sees that field.
 */
export const USERNS_POLICY_MINOR = 35;

export interface HostUsersGate {
  /** UserNamespacesSupport across the kube-apiserver Pods seen (GateReading). */
  state: GateReading;
  apiservers: string[];
  /** Why it reads unknown: the first kube-apiserver Pod whose --emulated-version cannot be read. */
  unknownReason?: string;
}

/**
 * UserNamespacesSupport as the snapshot shows it on a cluster of minor 1.35 or later. Off, the API
 * server drops `hostUsers` from a pod or template it creates (dropDisabledFields, above), so the
 * 1.35 policy's user-namespace exemption does not reach it. Beta and on by default in 1.35
 * (kubernetes v1.35 pkg/features/kube_features.go: `{1.25, false, Alpha}, {1.30, false, Beta},
 * {1.33, true, Beta}`, no later entry), so a 1.35 kube-apiserver can be run with it off; GA and
 * locked on from 1.36, where only one emulating 1.35 can (gateAt).
 */
export function hostUsersGate(snapshot: Snapshot, clusterMinor: number | undefined): HostUsersGate | undefined {
  if (clusterMinor === undefined || clusterMinor < USERNS_POLICY_MINOR) return undefined;
  const servers = apiserverArgs(snapshot);
  const { readings: [state], unknownReason } = readGates(servers, clusterMinor, [USERNS_SUPPORT_GATE]);
  return { state: state!, apiservers: servers.map((s) => s.name), ...(unknownReason !== undefined ? { unknownReason } : {}) };
}

/**
 * Whether hostUsers is judged dropped from the pods the API server creates: UserNamespacesSupport
 * off in every kube-apiserver Pod seen, or on in only some, or unknown (the exemption it would
 * allow cannot be confirmed, so it is not counted, as on 1.29-1.34). Unseen, it is its default, on.
 */
export const dropsHostUsers = (g: HostUsersGate | undefined): boolean => g !== undefined && (g.state === 'off' || g.state === 'mixed' || g.state === 'unknown');
