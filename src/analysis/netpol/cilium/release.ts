// What of Cilium's policy handling depends on its release, read from the agent's image
// (../cni.ts withCiliumVersion; the oldest agent decides mid-upgrade).
//
// toServices naming a Service with a selector: up to 1.16 only Services without a selector are
// selectable (pkg/policy/k8s/service.go isSelectableService: "only services without a label
// selector ... are allowed as targets of a toServices rule", unless high-scale ipcache is on), so
// such a Service adds nothing to the rule. From 1.17 processRule copies its selector into the
// rule's toEndpoints (cilium/cilium#34208 "policy: make ToServices selectors work for in-cluster
// services too", appendSelector; documented for "v1.17+" by cilium/cilium#37089).
//
// enableDefaultDeny: added by cilium/cilium#30572 (merged after v1.15.0; "v1.16.0 introduced
// `enableDefaultDeny`", cilium/cilium#35558; first documented in the v1.16 docs by
// cilium/cilium#32097). An older agent does not know the field: the policy isolates as any other.
//
// fromRequires/toRequires: up to 1.18 each is ANDed into every fromEndpoints/toEndpoints of the
// rules selecting the same endpoint (docs.cilium.io/en/v1.17/security/policy/language/
// #additional-label-requirements); cilium/cilium#42615 removed them in 1.19, which ignores them.

import type { Snapshot } from '../../../snapshot/types.ts';
import { ciliumCni } from '../cni.ts';

export type CiliumRelease =
  | { known: true; text: string; selectorServices: boolean; requiresFields: boolean; defaultDenyField: boolean }
  /** `text`: why the release is not known. */
  | { known: false; text: string };

export function ciliumRelease(snapshot: Snapshot): CiliumRelease {
  const cni = ciliumCni(snapshot);
  if (!cni) return { known: false, text: 'no Cilium agent in the snapshot shows its release' };
  const m = cni.version ? /^v?(\d+)\.(\d+)/.exec(cni.version) : null;
  if (!m) return { known: false, text: 'the Cilium agent\'s image names no release' };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return { known: true, text: cni.version!, selectorServices: major > 1 || (major === 1 && minor >= 17), requiresFields: major === 1 && minor < 19, defaultDenyField: major > 1 || (major === 1 && minor >= 16) };
}
