// The typed form of cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
// after Cilium's own parsing (pkg/k8s/apis/cilium.io/v2 Parse, pkg/policy/api Sanitize,
// pkg/k8s/apis/cilium.io/utils ParseToCiliumRule): selectors already scoped to the
// namespace/cluster as Cilium scopes them.

import type { KubeObject } from '../../../snapshot/types.ts';
import type { Protocol } from '../conns.ts';
import type { IpRange } from '../../../base/ip.ts';
import type { CiliumSelector } from './selector.ts';

export type CiliumPolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/** pkg/policy/api Entity (the CRD's enum plus world-ipv4/world-ipv6, which Cilium's code maps). */
export const ENTITIES = ['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'cluster-mesh', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'] as const;
export type Entity = (typeof ENTITIES)[number];

export type PeerSelector =
  /** fromEndpoints/toEndpoints: `written` as the author wrote it, `selector` as Cilium scopes it. */
  | { kind: 'endpoints'; written: string; selector: CiliumSelector }
  | { kind: 'entity'; entity: Entity }
  /** fromCIDR/toCIDR/…CIDRSet: `ranges` is the block minus `except`. Never matches a pod or node. */
  | { kind: 'cidr'; text: string; except: string[]; block: IpRange; ranges: IpRange[] }
  /** toFQDNs: external destinations whose DNS name matches (never an address range). */
  | { kind: 'fqdn'; text: string; matchName?: string; matchPattern?: string; regex: RegExp }
  /**
   * Peers this version does not evaluate (CIDR groups, cloud groups, node selectors): they match
   * nothing, and (with `may`) put in doubt verdicts on the endpoints they may hold; `what` names the field.
   */
  | { kind: 'unsupported'; text: string; may?: 'addresses' | 'nodes'; what?: string };

/** toServices: resolved against the snapshot's Services when evaluated. */
export interface ServiceRef {
  text: string;
  name?: string;
  /** undefined: any namespace (Cilium does not default it to the policy's). */
  namespace?: string;
  selector?: CiliumSelector;
}

/** One entry of toPorts[].ports, or an ICMP rule (protocols empty: it never matches TCP/UDP/SCTP). */
export type PortSelector =
  | { protocols: Protocol[]; kind: 'all' }
  | { protocols: Protocol[]; kind: 'range'; lo: number; hi: number }
  | { protocols: Protocol[]; kind: 'named'; name: string };

export interface PortRule {
  ports: PortSelector[];
  /** L7 rule kinds present (http, dns, kafka, l7proto): they narrow requests but the port is open at L4. */
  l7: string[];
}

export interface PeerRule {
  /** Position in its list (ingress, ingressDeny, egress, egressDeny). */
  index: number;
  /**
   * 'nothing' when a peer list was written empty (`fromEndpoints: []`): Cilium selects no
   * peer. Otherwise the union of the selectors; an empty list (no peer field at all) is
   * the wildcard when the rule has ports and nothing when it has none.
   */
  peers: 'nothing' | PeerSelector[];
  services: ServiceRef[];
  /** toPorts entries plus ICMP rules: Cilium's L4.Len(). Zero means "every port of the peers". */
  l4Count: number;
  portRules: PortRule[];
  /**
   * fromRequires/toRequires, scoped as fromEndpoints are: before Cilium 1.19 each is ANDed into
   * every fromEndpoints/toEndpoints of the rules selecting the same endpoint (removed by
   * cilium/cilium#42615).
   */
  requires?: Array<Extract<PeerSelector, { kind: 'endpoints' }>>;
}

export interface CiliumRule {
  /** "spec" or "specs[2]". */
  path: string;
  /** Selector of the subject endpoints (pods), scoped to the policy's namespace; undefined for a host policy (nodeSelector). */
  subject?: CiliumSelector;
  /** A nodeSelector rule: a host policy, not evaluated (pods are not its subjects). */
  hostPolicy: boolean;
  /** enableDefaultDeny as written (undefined = not set). */
  enableDefaultDeny: { ingress?: boolean; egress?: boolean };
  ingress: PeerRule[];
  ingressDeny: PeerRule[];
  egress: PeerRule[];
  egressDeny: PeerRule[];
  description?: string;
}

export interface CiliumPolicy {
  kind: CiliumPolicyKind;
  /** undefined for a CiliumClusterwideNetworkPolicy. */
  namespace?: string;
  name: string;
  /** "CiliumNetworkPolicy shop/web" or "CiliumClusterwideNetworkPolicy default-deny". */
  id: string;
  rules: CiliumRule[];
  /** Why Cilium refuses the object (it enforces none of it). Empty when accepted. */
  errors: string[];
  /** Accepted, but parts behave other than they read, or are not evaluated here. */
  notes: string[];
  raw: KubeObject;
}
