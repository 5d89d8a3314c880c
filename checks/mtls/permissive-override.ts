import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { selectorMatches } from '../../src/analysis/mesh/istio.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ } from './lib/istio-mesh-config.ts';

const RELAXED = new Set(['PERMISSIVE', 'DISABLE']);

// Within a scope the oldest PeerAuthentication wins ("If there are more than one ... the oldest
// one is used", https://istio.io/latest/docs/reference/config/security/peer_authentication/):
// a shadowed namespace policy is left to mtls.invalid-peerauthentication, and a workload policy
// that an older one overrides on every workload it selects relaxes nothing today, so it passes,
// saying it has no effect and which policy decides instead.

export const permissiveOverride: Check = {
  id: 'mtls.permissive-override',
  area: 'mtls',
  title: 'No namespace, workload or port PeerAuthentication relaxes mTLS',
  protectsAgainst: 'namespace, workload or port PeerAuthentications that let plaintext in (PERMISSIVE or DISABLE)',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Set the PeerAuthentication (or the port entry in portLevelMtls) to STRICT, or remove it so the mesh-wide STRICT policy applies; enrol the plaintext clients in the mesh first.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.peerauthentications'],
  readsWhen: [ISTIO_MESH_CONFIG_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const idx = m.istio.policies;
    const inherited = idx.mesh && idx.mesh.mode !== 'UNSET' ? idx.mesh.mode : 'PERMISSIVE';
    const out: Verdict[] = [];
    // Which workloads each policy decides for (indexed once: no policies x workloads scan).
    const bySource = new Map<string, typeof m.workloads>();
    const add = (key: string, w: (typeof m.workloads)[number]) => {
      const list = bySource.get(key);
      if (list) list.push(w);
      else bySource.set(key, [w]);
    };
    for (const w of m.workloads) {
      if (w.mesh !== 'istio' || !w.istio) continue;
      const { namespace, workload } = w.istio.sources;
      if (namespace) add(`namespace/${namespace.namespace}/${namespace.name}`, w);
      if (workload) add(`workload/${workload.namespace}/${workload.name}`, w);
    }
    for (const pa of idx.all) {
      if (pa.scope === 'mesh' || pa.scope === 'ignored-root-selector' || idx.shadowedBy.has(pa)) continue; // other checks
      const affected = bySource.get(`${pa.scope}/${pa.namespace}/${pa.name}`) ?? [];
      const evidence: Record<string, unknown> = {
        scope: pa.scope,
        mode: pa.mode,
        inheritedFromMesh: inherited,
        affectedWorkloads: affected.length,
        sampleWorkloads: affected.slice(0, 10).map((w) => refString(w.workload.ref)),
      };
      if (pa.selector) evidence.selector = pa.selector;
      if (pa.scope === 'workload' && affected.length === 0) {
        const selected = (m.workloadsByNamespace.get(pa.namespace) ?? []).filter((w) => w.mesh === 'istio' && w.istio && pa.selector && selectorMatches(pa.selector, w.labels));
        const winners = [...new Set(selected.map((w) => w.istio!.sources.workload).filter((r) => r !== undefined).map((r) => `${r.namespace}/${r.name}`))].sort();
        if (selected.length > 0 && winners.length > 0) {
          out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} (${pa.mode}) has no effect: the older ${winners.join(', ')} decide${winners.length === 1 ? 's' : ''} for every workload it selects (the oldest wins).`, evidence: { ...evidence, overriddenBy: winners } });
          continue;
        }
      }
      const fails: Verdict[] = [];
      if (RELAXED.has(pa.mode)) {
        fails.push({
          status: 'fail',
          resource: pa.ref,
          detailKey: 'mode',
          severity: pa.mode === 'DISABLE' ? 'high' : 'medium',
          message: `${pa.scope === 'namespace' ? `Namespace ${pa.namespace}` : `Workloads selected by ${JSON.stringify(pa.selector)}`} set mTLS to ${pa.mode}: ${pa.mode === 'DISABLE' ? 'plaintext only' : 'plaintext accepted alongside mTLS'} (mesh default ${inherited}).`,
          evidence,
        });
      }
      for (const [port, mode] of pa.ports) {
        const effective = mode === 'UNSET' ? null : mode;
        if (effective && RELAXED.has(effective)) {
          fails.push({
            status: 'fail',
            resource: pa.ref,
            detailKey: `port/${port}`,
            severity: effective === 'DISABLE' ? 'high' : 'medium',
            message: `Port ${port} of workloads selected by ${JSON.stringify(pa.selector)} is set to ${effective}: plaintext ${effective === 'DISABLE' ? 'only' : 'accepted'} on that port.`,
            evidence: { ...evidence, port, portMode: effective },
          });
        }
      }
      if (fails.length) out.push(...fails);
      else out.push({ status: 'pass', resource: pa.ref, detailKey: 'mode', message: `PeerAuthentication ${pa.namespace}/${pa.name} does not relax mTLS (${pa.mode}).`, evidence });
    }
    return out;
  },
};
