// What the mesh layer decides for one call: a caller (its namespace, service account and whether
// its proxy presents a mesh identity) calling a workload on one port. Each mesh judges with its
// own authorization API (Istio AuthorizationPolicy, Linkerd Server/AuthorizationPolicy, Consul
// ServiceIntentions); `reach`, intent rules and the report combine the answer with the network
// model's. Shared types only: each mesh's judge lives next to its other analysis.

import type { ResourceRef } from '../../base/vocabulary.ts';

export interface MeshCaller {
  namespace: string;
  serviceAccount: string;
  /** Pod labels of the caller (selectors in some APIs match callers by label). */
  labels: Record<string, string>;
  /** The caller's proxy presents a mesh identity (mTLS); false = a plaintext caller. */
  mtls: boolean;
  /** The caller is outside the cluster (an IP address): no identity, plaintext. */
  external?: boolean;
  /**
   * An external caller's address as asked (`reach --from <IP>`), which no pod holds: the source
   * address of its packets at the callee. Unset when it is not known.
   */
  address?: { family: 4 | 6; value: bigint; text: string };
  /**
   * An in-cluster caller's pod addresses (status.podIPs of every pod of it), the source addresses
   * of its packets at the callee. Unset when one of its pods has none (manifests, pods not scheduled).
   */
  podAddresses?: string[];
  /** Why a caller with a proxy sends no mTLS ("sends no Istio mTLS to it": see the reason); unset: it has no mesh proxy. */
  noMtls?: string;
  /** Istio: the caller's revision, whose istiod's trust domain its certificate names; the default revision's when unset. */
  istioRevision?: string;
}

export interface MeshCallee {
  namespace: string;
  /** Workload name, as `reach` and findings show it. */
  name: string;
  serviceAccount: string;
  labels: Record<string, string>;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Istio: how the callee is in the mesh (ambient pods are judged by ztunnel or a waypoint); default sidecar. */
  dataplane?: 'sidecar' | 'ambient';
  /** The callee's container ports, so a Service's named targetPort finds `port` (Istio reads the Service port's declared protocol). */
  containerPorts?: Array<{ port: number; name?: string }>;
  /** Istio: the root namespace of the callee's revision (WorkloadMesh.istioRoot), whose policies apply to it; the default revision's when unset. */
  root?: string;
  /** Istio: the callee's revision, whose trust domain (and aliases) its policies' principals are read in; the default revision's when unset. */
  revision?: string;
}

/**
 * `allowed` / `denied`: every request on this port; `depends`: request attributes (HTTP methods,
 * paths, JWTs, `when` conditions) decide per request; `unknown`: the mesh's answer could not be
 * judged from the snapshot (named in `reason`).
 */
export type MeshVerdictKind = 'allowed' | 'denied' | 'depends' | 'unknown';

export interface MeshFlowVerdict {
  /** The mesh that judged, or 'none' when the callee is not in a mesh (the mesh does not restrict). */
  mesh: 'istio' | 'linkerd' | 'consul' | 'none';
  verdict: MeshVerdictKind;
  /** One sentence, e.g. "no ALLOW AuthorizationPolicy matches principal cluster.local/ns/shop/sa/default". */
  reason: string;
  /** The object that decided, when one did. */
  policy?: ResourceRef;
  /** Index of the deciding rule inside that object. */
  rule?: number;
  /** Where the decision is enforced: the callee's sidecar/proxy, a waypoint, ztunnel. */
  enforcedBy?: string;
  /** The call travels in plaintext (the caller has no mesh identity, and the port accepts it). */
  plaintext: boolean;
  /** What else the judge saw (ignored malformed policies, policies the enforcement point does not apply, a waypoint on the path). */
  notes?: string[];
}
