// The framework control sets, each defined once. A check's `controls` is one of these sets,
// or the benchmark items particular to it followed by a set.
import { POD_CIS_CONTROLS } from '../src/analysis/pss/index.ts';

/** A CIS Kubernetes Benchmark v1.10 item, e.g. cis('5.1.1') = 'CIS-1.10:5.1.1'. */
export const cis = (item: string): string => `CIS-1.10:${item}`;

/** Pod-to-pod segmentation by NetworkPolicy. */
export const SEGMENTATION: string[] = [cis('5.3.2'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T4', 'NIST-800-207:T6'];

/** Encryption of traffic at the edge (Ingress, gateways). */
export const EDGE_ENCRYPTION: string[] = ['NSA-CISA:NS/encryption', 'NIST-800-53:SC-8', 'NIST-800-53:SC-13', 'NIST-800-207:T2'];

/** Mutual TLS between workloads (service mesh). */
export const MESH_ENCRYPTION: string[] = ['NSA-CISA:NS/encryption', 'NIST-800-53:SC-8', 'NIST-800-207:T2', 'NIST-800-207:T6'];

/** Least privilege through RBAC. */
export const LEAST_PRIVILEGE: string[] = ['NSA-CISA:AA/rbac', 'NIST-800-53:AC-6', 'NIST-800-207:T6'];

/** Pod Security Admission configured on namespaces. */
export const POD_SECURITY_NAMESPACE: string[] = [cis('5.2.1'), 'NSA-CISA:PS/pod-security-enforcement', 'NIST-800-53:CM-7', 'NIST-800-53:AC-6', 'NIST-800-207:T5', 'NIST-800-207:T6'];

/** Pod Security of running pods: every CIS item a pod-level finding can carry. */
export const POD_SECURITY_POD: string[] = [...POD_CIS_CONTROLS, 'NSA-CISA:PS/pod-security-enforcement', 'NSA-CISA:PS/non-root-containers', 'NIST-800-53:CM-7', 'NIST-800-53:AC-6', 'NIST-800-207:T5'];

/** Control ids take one of these shapes; a test holds every check to them. */
export const CONTROL_ID = /^(CIS-1\.10:5(\.\d+){2}|NSA-CISA:(NS|AA|PS|UP)(\/[a-z-]+)?|NIST-800-53:[A-Z]{2}-\d+|NIST-800-207:T\d)$/;

/** Workload hardening outside the Pod Security Standards (NSA/CISA hardening guidance). */
export const IMMUTABLE_FILESYSTEM: string[] = ['NSA-CISA:PS/immutable-filesystem', 'NIST-800-53:CM-7', 'NIST-800-207:T5'];

/** Resource limits: one workload cannot starve its node (NSA/CISA resource policies). */
export const RESOURCE_LIMITS: string[] = ['NSA-CISA:PS/resource-policies', 'NIST-800-53:SC-6', 'NIST-800-207:T5'];

/** Service-account identity of workloads: the token a pod carries and whose it is. */
export const WORKLOAD_IDENTITY: string[] = ['NSA-CISA:PS/service-account-tokens', 'NSA-CISA:AA/rbac', 'NIST-800-53:AC-6', 'NIST-800-207:T1', 'NIST-800-207:T6'];

/** Authorization of every call between workloads (mesh AuthorizationPolicy, intentions). */
export const MESH_AUTHORIZATION: string[] = ['NSA-CISA:NS/network-policies', 'NIST-800-53:AC-3', 'NIST-800-53:AC-4', 'NIST-800-207:T3', 'NIST-800-207:T4', 'NIST-800-207:T6'];

/** Authentication in front of what the edge exposes (NIST 800-207: per-request, strictly enforced access). */
export const EDGE_AUTHENTICATION: string[] = ['NSA-CISA:AA/authentication', 'NIST-800-53:IA-2', 'NIST-800-53:AC-3', 'NIST-800-207:T3', 'NIST-800-207:T6'];

/** Denial-of-service protection at the edge (rate and connection limits). */
export const EDGE_RATE_LIMIT: string[] = ['NIST-800-53:SC-5', 'NIST-800-207:T4'];

/** Boundary protection by content inspection (a web application firewall at the edge). */
export const EDGE_WAF: string[] = ['NIST-800-53:SC-7', 'NIST-800-53:SI-4', 'NIST-800-207:T4'];

/** Certificates issued and renewed by a controller (cert-manager), not rotated by hand. */
export const CERTIFICATE_MANAGEMENT: string[] = ['NSA-CISA:NS/encryption', 'NIST-800-53:SC-12', 'NIST-800-53:SC-17', 'NIST-800-207:T2'];

/** Traffic leaves the cluster only through a controlled exit (egress gateway, registry-only mesh). */
export const EGRESS_CONTROL: string[] = ['NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-53:AC-4', 'NIST-800-207:T4', 'NIST-800-207:T6'];

/** Network flows are recorded, so a dropped or unexpected connection can be investigated. */
export const FLOW_VISIBILITY: string[] = ['NSA-CISA:NS/network-policies', 'NIST-800-53:AU-12', 'NIST-800-53:SI-4', 'NIST-800-207:T7'];
