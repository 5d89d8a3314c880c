// Snapshot: everything the checks may look at, collected once. Objects are kept as the
// API server (or the manifest) gave them, as plain JSON; the lean interfaces below name
// only the fields ztaudit reads, and every field is optional because input is untrusted.

import type { KindKey } from './kinds.ts';
import type { CertificateNameMiss } from '../base/cert-names.ts';

export const SNAPSHOT_SCHEMA_VERSION = 1;

/**
 * Set ("true") on a Namespace a manifests directory uses but declares nowhere
 * (src/collect/from-objects.ts): it is made up with only the kubernetes.io/metadata.name label the
 * API server would give it, so its other labels are unknown, not absent.
 */
export const IMPLICIT_NAMESPACE_ANNOTATION = 'ztaudit.io/implicit';

export type Coverage = 'ok' | 'absent' | 'forbidden' | 'error';

export interface CoverageEntry {
  status: Coverage;
  /** For forbidden: the missing permission, e.g. "list networkpolicies.networking.k8s.io". For error: the last error. */
  detail?: string;
  count?: number;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  /** The prefix the API server made the name from, when the creator asked it to. */
  generateName?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  /** Set by the API server when the object is being deleted (a pod terminating); no author can set it. */
  deletionTimestamp?: string;
  resourceVersion?: string;
  /** Bumped by the API server on each spec change; a controller's status.observedGeneration says which it has seen. */
  generation?: number;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  finalizers?: string[];
}

/** Any Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw API data, narrowed by each analysis
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [extra: string]: unknown;
}

/** Where a manifest-loaded object came from, for error messages and evidence. */
export interface SourceRef {
  file: string;
  line?: number;
}

export interface TlsProbeResult {
  endpoint: { host: string; port: number; sni?: string; origin: string };
  /** Per protocol version: accepted, rejected, or inconclusive (timeout, reset, other alert). */
  versions: Record<'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', 'accepted' | 'rejected' | 'inconclusive'>;
  certificate?: {
    notAfter: string;
    /** Start of the validity period (RFC 5280 section 4.1.2.5); absent in snapshots written before it was recorded. */
    notBefore?: string;
    subject?: string; altNames?: string[];
    /** Whether a DNS SAN (an IP address SAN for an address) names the SNI, else the host, as RFC 9525 clients match (src/base/cert-names.ts). */
    hostnameMatches: boolean;
    /** When it does not: the subject CN alone names it (`cn-only`), or only a partial wildcard SAN would (`partial-wildcard`); lenient clients accept either. */
    hostnameMismatch?: CertificateNameMiss;
    /**
     * Whether the served chain verified against Node's default CA store plus tls.probe.caFile, as
     * the handshake said it (tlsSocket.authorized), the names aside; absent in snapshots written
     * before it was recorded: then nothing is known of the chain.
     */
    authorized?: boolean;
    /** Why it did not: OpenSSL's code as Node gives it (tlsSocket.authorizationError), e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
    authorizationError?: string;
    /**
     * When the certificate was itself outside its validity period at the handshake, which the
     * handshake then reports in place of any fault of its chain: the served chain verified again by
     * the probe, from the same handshake, with that validity period set aside (src/collect/tls-probe.ts,
     * verifyChainApartFromLeafValidity). `linked`: it leads to a trusted root; else `error` names the
     * break in OpenSSL's words (UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT, …).
     * Absent when the certificate was valid, and in snapshots written before it was recorded.
     */
    chainApartFromValidity?: { linked: boolean; error?: string };
  };
  error?: string;
}

export interface ClusterInfo {
  name: string;
  server?: string;
  version?: string; // e.g. "v1.36.3"
}

export interface Snapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  cluster: ClusterInfo;
  collectedAt: string;
  /** How this run obtained the data; a snapshot file keeps its `origin`. */
  source: 'live' | 'manifests' | 'snapshot';
  /** Where the data was first collected from (kept when a snapshot file is re-read). */
  origin: 'live' | 'manifests';
  coverage: Partial<Record<KindKey, CoverageEntry>>;
  resources: Partial<Record<KindKey, KubeObject[]>>;
  probes?: TlsProbeResult[];
  /**
   * live source only: what the API server serves, from discovery (`/api/v1` and each group's
   * preferred version), one entry per group/resource, subresources as their own entry
   * ("pods/exec"). Undefined when discovery failed or the source is not live: never an
   * empty list standing for "nothing served". With apiResourcesMissing, only the groups that
   * answered.
   */
  apiResources?: Array<{ group: string; version: string; resource: string; namespaced: boolean; verbs: string[] }>;
  /**
   * live source only: the API groups ("" for core) whose discovery failed while others answered
   * (a metrics-server answering 503): their resources are not in apiResources, and RBAC breadth
   * counts the built-in resource list's for them. Absent when every group answered, and in
   * snapshots written before it existed.
   */
  apiResourcesMissing?: string[];
  /**
   * live source only: the ConfigMaps read by name ("namespace/name", sorted) that the API server
   * answered 404 for: known not to exist, whatever other by-name read was refused (which marks
   * coverage.configmaps forbidden for all). Absent when there were none, and in snapshots written
   * before it existed (there only coverage.configmaps "ok" says a ConfigMap not held does not exist).
   */
  configMapsNotFound?: string[];
  /** Non-fatal notes from collection (skipped documents, unknown kinds, retries). */
  notes: string[];
  /**
   * Input that could not be read and that no coverage entry accounts for (a broken manifest
   * document whose kind is unknown): the run is partial. One line each, naming file and line.
   */
  partial?: string[];
  /** manifests source only: object uid/identity -> file and line. */
  sources?: Record<string, SourceRef>;
}

export function resourcesOf(snapshot: Snapshot, key: KindKey): KubeObject[] {
  return snapshot.resources[key] ?? [];
}

/** A Namespace the manifests reader made up for objects naming it (IMPLICIT_NAMESPACE_ANNOTATION): its labels are unknown. */
export function isImplicitNamespace(n: KubeObject): boolean {
  return n.metadata?.annotations?.[IMPLICIT_NAMESPACE_ANNOTATION] === 'true';
}

/** The names of the namespaces a manifests directory uses but declares nowhere (isImplicitNamespace). O(namespaces). */
export function implicitNamespaces(snapshot: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const n of snapshot.resources.namespaces ?? []) {
    const name = n.metadata?.name;
    if (typeof name === 'string' && isImplicitNamespace(n)) out.add(name);
  }
  return out;
}

export function coverageOk(snapshot: Snapshot, key: KindKey): boolean {
  return snapshot.coverage[key]?.status === 'ok';
}
