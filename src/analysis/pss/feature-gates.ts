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
  let named: boolean | undefined;
  let allAlpha: boolean | undefined;
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
      if (key === USERNS_PSS_GATE) named = on;
      else if (key === 'AllAlpha') allAlpha ??= on;
    }
  }
  return named ?? allAlpha ?? false;
}

/** The gate as the snapshot shows it, when the cluster's minor version has it; undefined otherwise. */
export function userNamespaceGate(snapshot: Snapshot, clusterMinor: number | undefined): UserNamespaceGate | undefined {
  if (clusterMinor === undefined || clusterMinor < USERNS_PSS_GATE_MINORS.first || clusterMinor > USERNS_PSS_GATE_MINORS.last) return undefined;
  const apiservers: string[] = [];
  let on = 0;
  for (const pod of snapshot.resources.pods ?? []) {
    if (!isRecord(pod) || !isRecord(pod.metadata) || pod.metadata.namespace !== 'kube-system') continue;
    const c = apiserverContainer(pod as Record<string, unknown>);
    if (!c) continue;
    apiservers.push(String(pod.metadata.name));
    if (gateOnInArgs([...strings(c.command), ...strings(c.args)])) on++;
  }
  const state = apiservers.length === 0 ? 'unseen' : on === apiservers.length ? 'on' : on === 0 ? 'off' : 'mixed';
  return { state, apiservers, checks: userNamespaceGatedChecks(clusterMinor) };
}
