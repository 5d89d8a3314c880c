// Shared by the Istio authorization checks: the parsed AuthorizationPolicies, once per run, and
// the meshed workloads outside the system namespaces they are judged for.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { indexAuthorizationPolicies, meshModel, type AuthzIndex, type WorkloadMesh } from '../../../src/analysis/mesh/index.ts';
import { memoizeBySnapshotAndConfig } from '../../../src/analysis/mesh/util.ts';
import { isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';

export const authzIndex = memoizeBySnapshotAndConfig((snapshot, config): AuthzIndex =>
  indexAuthorizationPolicies(snapshot.resources['istio.authorizationpolicies'] ?? [], config.mesh.istioRootNamespace || 'istio-system'));

export function istioWorkloads(ctx: AuditContext): WorkloadMesh[] {
  const root = ctx.config.mesh.istioRootNamespace || 'istio-system';
  return meshModel(ctx.snapshot, ctx.config).workloads.filter((w) => w.mesh === 'istio' && w.namespace !== root && !isSystemNamespace(w.namespace, ctx.config.systemNamespaces));
}

export const policyName = (p: { ref: { namespace?: string; name: string } }): string => `${p.ref.namespace}/${p.ref.name}`;
