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

// endPort (port ranges): absent from pkg/policy/api/l4.go PortProtocol at v1.15.6 (the CRD has
// no such field, so the API server prunes it and the port covers only `port`), and
// pkg/k8s/network_policy.go parsePorts@v1.15.6 copies only a NetworkPolicy's `port`
// ("EndPort in kubernetes NetworkPolicy is not supported", pkg/k8s/watchers/network_policy.go);
// honoured from 1.16 (present at v1.19.0, v1.20.2).
//
// Entities and protocols the agent's rule validation accepts (pkg/policy/api/entity.go,
// l4.go, rule_validation.go "unsupported entity"): cluster-mesh exists from 1.20 (absent at
// v1.19.0); VRRP and IGMP from cilium/cilium#39872 (present at v1.19.0, absent at v1.15.6; merged
// mid-2025, so 1.18 is not confirmed); GRE, IPIP, IPV6, ESP, AH from 1.20 (absent at v1.19.0).

import type { Snapshot } from '../../../snapshot/types.ts';
import { ciliumCni } from '../cni.ts';

export type CiliumRelease =
  | {
    known: true; text: string; selectorServices: boolean; requiresFields: boolean; defaultDenyField: boolean;
    /** endPort honoured (1.16 and later). */
    portRanges: boolean;
    /** Entities and extended protocols the agent refuses; `unconfirmedProtocols`: ones not confirmed either way at this release. */
    refusedEntities: readonly string[];
    refusedProtocols: readonly string[];
    unconfirmedProtocols: readonly string[];
    /**
     * The L7 rule kinds a toPorts `rules` may hold: from 1.20 only http and dns (pkg/policy/api/l4.go
     * L7Rules at v1.20.2 has no Kafka, L7Proto nor L7, so the CRD schema prunes them); before, every
     * kind the parser knows (not confirmed here release by release).
     */
    l7Kinds: readonly string[] | undefined;
  }
  /** `text`: why the release is not known. */
  | { known: false; text: string };

export function ciliumRelease(snapshot: Snapshot): CiliumRelease {
  const cni = ciliumCni(snapshot);
  if (!cni) return { known: false, text: 'no Cilium agent in the snapshot shows its release' };
  const m = cni.version ? /^v?(\d+)\.(\d+)/.exec(cni.version) : null;
  if (!m) return { known: false, text: 'the Cilium agent\'s image names no release' };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const atLeast = (min: number) => major > 1 || (major === 1 && minor >= min);
  const tunnels = ['GRE', 'IPIP', 'IPV6', 'ESP', 'AH'];
  return {
    known: true, text: cni.version!, selectorServices: atLeast(17), requiresFields: major === 1 && minor < 19, defaultDenyField: atLeast(16),
    portRanges: atLeast(16),
    refusedEntities: atLeast(20) ? [] : ['cluster-mesh'],
    refusedProtocols: atLeast(20) ? [] : atLeast(19) ? tunnels : atLeast(18) ? tunnels : ['VRRP', 'IGMP', ...tunnels],
    unconfirmedProtocols: atLeast(19) || !atLeast(18) ? [] : ['VRRP', 'IGMP'],
    l7Kinds: atLeast(20) ? ['http', 'dns'] : undefined,
  };
}
