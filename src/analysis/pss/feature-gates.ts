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
   * unseen: no kube-apiserver Pod in kube-system (read as off).
   */
  state: 'on' | 'off' | 'mixed' | 'unseen';
  /** The kube-apiserver Pods read, by name. */
  apiservers: string[];
  /** The checks the gate relaxes on this cluster's minor (userNamespaceGatedChecks). */
  checks: ReadonlySet<string>;
  /**
   * UserNamespacesSupport in the same Pods: on or off in every one (named, through AllAlpha or
   * AllBeta, or its default on this minor), mixed, unseen with them, or unknown: not named in a
   * Pod whose --emulated-version may set its default otherwise (1.33-1.34, where the binary's
   * default is on).
   */
  support: 'on' | 'off' | 'mixed' | 'unseen' | 'unknown';
}

/** Whether admission relaxes user-namespace pods: both gates on in every kube-apiserver Pod seen. */
export const relaxesUserNamespacePods = (g: UserNamespaceGate | undefined): boolean => g?.state === 'on' && g.support === 'on';

/**
 * The gate user namespaces themselves need (hostUsers: false); UserNamespacesPodSecurityStandards
 * "you must also enable UserNamespacesSupport to use this feature"
 * (kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/).
 */
export const USERNS_SUPPORT_GATE = 'UserNamespacesSupport';

/** UserNamespacesSupport's stage and default at a minor (kube_features.go, v1.36.3). */
function supportGateAt(minor: number): { stage: 'alpha' | 'beta'; default: boolean } {
  if (minor <= 29) return { stage: 'alpha', default: false };
  return minor <= 32 ? { stage: 'beta', default: false } : { stage: 'beta', default: true };
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
 * before; the gate named outright wins over AllAlpha, which sets every alpha gate not yet set
 * (component-base featuregate: setUnsetAlphaGates), so a later AllAlpha changes nothing the
 * first one set.
 */
export function gateOnInArgs(args: readonly string[]): boolean {
  return gateInArgs(args, USERNS_PSS_GATE, 'alpha') ?? false;
}

/**
 * A gate as these arguments set it: named outright, else through AllAlpha (an alpha gate) or
 * AllBeta (a beta gate: setUnsetBetaGates), else undefined (its default).
 */
export function gateInArgs(args: readonly string[], gate: string, stage: 'alpha' | 'beta'): boolean | undefined {
  let named: boolean | undefined;
  let allAlpha: boolean | undefined;
  let allBeta: boolean | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let value: string | undefined;
    if (a.startsWith('--feature-gates=')) value = a.slice('--feature-gates='.length);
    else if (a === '--feature-gates') value = args[++i];
    if (value === undefined) continue;
    for (const pair of value.split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      // Go's strconv.ParseBool reads each --feature-gates value.
      const on = goParseBool(pair.slice(eq + 1).trim());
      if (on === undefined) continue;
      if (key === gate) named = on;
      else if (key === 'AllAlpha') allAlpha ??= on;
      else if (key === 'AllBeta') allBeta ??= on;
    }
  }
  return named ?? (stage === 'alpha' ? allAlpha : allBeta);
}

/** UserNamespacesSupport in one kube-apiserver's arguments on a minor: on, off, or unknown. */
function supportInArgs(args: readonly string[], minor: number): 'on' | 'off' | 'unknown' {
  const at = supportGateAt(minor);
  const set = gateInArgs(args, USERNS_SUPPORT_GATE, at.stage);
  if (set !== undefined) return set ? 'on' : 'off';
  // An emulated older release defaults the gate as that release did (off before 1.33).
  if (at.default && args.some((a) => a === '--emulated-version' || a.startsWith('--emulated-version='))) return 'unknown';
  return at.default ? 'on' : 'off';
}

/** The gate as the snapshot shows it, when the cluster's minor version has it; undefined otherwise. */
export function userNamespaceGate(snapshot: Snapshot, clusterMinor: number | undefined): UserNamespaceGate | undefined {
  if (clusterMinor === undefined || clusterMinor < USERNS_PSS_GATE_MINORS.first || clusterMinor > USERNS_PSS_GATE_MINORS.last) return undefined;
  const apiservers: string[] = [];
  let on = 0;
  const support = { on: 0, off: 0, unknown: 0 };
  for (const pod of snapshot.resources.pods ?? []) {
    if (!isRecord(pod) || !isRecord(pod.metadata) || pod.metadata.namespace !== 'kube-system') continue;
    const c = apiserverContainer(pod as Record<string, unknown>);
    if (!c) continue;
    apiservers.push(String(pod.metadata.name));
    const args = [...strings(c.command), ...strings(c.args)];
    if (gateOnInArgs(args)) on++;
    support[supportInArgs(args, clusterMinor)]++;
  }
  const n = apiservers.length;
  const state = n === 0 ? 'unseen' : on === n ? 'on' : on === 0 ? 'off' : 'mixed';
  const supportState = n === 0 ? 'unseen' : support.on === n ? 'on' : support.off === n ? 'off' : support.unknown > 0 ? 'unknown' : 'mixed';
  return { state, apiservers, checks: userNamespaceGatedChecks(clusterMinor), support: supportState };
}
