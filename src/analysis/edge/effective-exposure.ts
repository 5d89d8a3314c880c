// Exposure over both layers. A path the network admits still leads nowhere when the backend's
// mesh refuses the caller: an edge controller without a sidecar calling a backend whose port is
// STRICT mTLS, a LoadBalancer straight to such a pod, an AuthorizationPolicy (or Linkerd Server,
// Consul intention) that admits other callers only. `network.exposed-workload`, the edge guards
// and the report's Exposure section read this, never the network-only view.

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import type { MeshVerdictKind } from '../mesh/flow.ts';
import { meshVerdictOverConns, VERDICT_RANK, type MeshConnsVerdict } from '../mesh/flow-verdict.ts';
import { memoizeBySnapshotAndConfig } from '../mesh/util.ts';
import { isEmptyConns } from '../netpol/conns.ts';
import { networkExposure, type ExternalPath, type WorkloadExposure } from '../netpol/exposure.ts';

export interface EffectivePath extends ExternalPath {
  /** The backend's mesh verdict for the path's callers (absent when no mesh judges the backend). */
  mesh?: { verdict: MeshVerdictKind; reason: string };
  /** Traffic from outside gets through: the network admits it (or the controller's pods were not found) and the mesh does not refuse it. */
  open: boolean;
}

export interface EffectiveExposure extends Omit<WorkloadExposure, 'external'> {
  external: EffectivePath[];
}

function judge(snapshot: Snapshot, config: Config, backend: ResourceRef, p: ExternalPath): EffectivePath {
  const networkOpen = p.allowedByPolicy === true || (p.route !== undefined && p.allowedByPolicy === 'not-evaluated');
  if (!networkOpen || isEmptyConns(p.admitted)) return { ...p, open: networkOpen };
  // A route's callers are its controller's pods; a LoadBalancer/NodePort caller is an address outside the cluster.
  const callers: Array<ResourceRef | 'external'> = p.route !== undefined ? p.callers ?? [] : ['external'];
  // The most open caller decides: the path is open when any of them gets through on any port.
  let best: MeshConnsVerdict | undefined;
  for (const from of callers) {
    const v = meshVerdictOverConns(snapshot, config, from, backend, p.admitted, p.podAddressed ? { podAddressed: p.podAddressed } : {});
    if (v && (!best || VERDICT_RANK[v.verdict.verdict] < VERDICT_RANK[best.verdict.verdict])) best = v;
  }
  if (!best || best.verdict.mesh === 'none') return { ...p, open: true };
  return { ...p, mesh: { verdict: best.verdict.verdict, reason: best.verdict.reason }, open: best.verdict.verdict !== 'denied' };
}

export const effectiveExposure = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): EffectiveExposure[] =>
  networkExposure(snapshot).map((w) => ({ ...w, external: w.external.map((p) => judge(snapshot, config, w.workload, p)) })), ['network', 'tls']);
