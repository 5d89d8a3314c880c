import type { Check } from '../../src/engine/types.ts';
import type { ResourceRef, Verdict } from '../../src/base/vocabulary.ts';
import { istioOutbound, istioPresent, type WorkloadOutbound } from '../../src/analysis/mesh/index.ts';
import { EGRESS_CONTROL } from '../controls.ts';
import { ISTIO_OUTBOUND_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { workloadMembers } from './lib/members.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

const SAMPLE = 20;

function workloadLabel(w: WorkloadOutbound): string {
  const r = w.mesh.workload.ref;
  return `${r.kind} ${r.namespace}/${r.name}`;
}

export const outboundAllowAny: Check = {
  id: 'mtls.outbound-allow-any',
  area: 'mtls',
  title: 'Istio sidecars reach only registered hosts (outboundTrafficPolicy REGISTRY_ONLY)',
  protectsAgainst: 'meshed workloads reaching any external host through the sidecar: with outboundTrafficPolicy ALLOW_ANY (Istio\'s default) unknown destinations pass straight through, so no ServiceEntry allowlist or egress gateway is enforced; and REGISTRY_ONLY sidecars whose outbound capture (excludeOutboundIPRanges, includeOutboundIPRanges, excludeOutboundPorts, interception mode NONE) lets public addresses or ports leave around Envoy',
  severity: 'medium',
  controls: EGRESS_CONTROL,
  remediation: 'Set `meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY` (ConfigMap istio, key mesh, or the IstioOperator/Helm values; istio-<rev> for a revision), or a Sidecar with `outboundTrafficPolicy: {mode: REGISTRY_ONLY}` in the root namespace or each namespace, and declare the external hosts workloads need as ServiceEntries (routed through an egress gateway); remove outbound capture exclusions that cover public addresses or ports.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.sidecars'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_OUTBOUND_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the outbound traffic policy of the sidecars there was not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  judgesEachWorkload: true,
  evaluate(ctx) {
    const model = istioOutbound(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    const revisionsUsed = new Set(model.workloads.map((w) => w.revision));
    for (const [rev, m] of model.meshConfigs) {
      if (m.mode !== undefined || (!revisionsUsed.has(rev) && rev !== 'default')) continue;
      out.push({ status: 'fail', resource: m.configMap, message: `Istio mesh config in ${m.source} cannot be read: ${m.problem}; whether sidecars pass traffic to unknown hosts is unknown.`, evidence: { revision: rev, problem: m.problem } });
    }
    for (const s of model.sidecarProblems) out.push({ status: 'fail', resource: s.ref, severity: 'low', message: `Sidecar ${s.ref.namespace}/${s.ref.name}: ${s.problem}.`, evidence: { problem: s.problem } });
    const byNamespace = new Map<string, WorkloadOutbound[]>();
    for (const w of model.workloads) {
      if (!namespaceKnown(w.mesh)) continue;
      let list = byNamespace.get(w.mesh.namespace);
      if (!list) byNamespace.set(w.mesh.namespace, (list = []));
      list.push(w);
    }
    for (const [ns, list] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
      const resource: ResourceRef = { kind: 'Namespace', name: ns };
      const open = list.filter((w) => w.mode === 'ALLOW_ANY');
      // REGISTRY_ONLY on a sidecar that does not capture some outside traffic is not enforced there.
      const bypassed = list.filter((w) => w.mode === 'REGISTRY_ONLY' && w.bypass !== undefined);
      if (open.length === 0 && bypassed.length > 0) {
        const sample = bypassed.slice(0, SAMPLE).map((w) => `${workloadLabel(w)}: ${w.bypass}`);
        out.push({
          status: 'fail', resource,
          message: `${bypassed.length} meshed workload(s) in ${ns} bypass the sidecar: REGISTRY_ONLY not enforced for ${sample.slice(0, 3).join('; ')}${bypassed.length > 3 ? `; and ${bypassed.length - 3} more` : ''}.`,
          evidence: { workloads: bypassed.slice(0, SAMPLE).map(workloadLabel), workloadCount: bypassed.length, bypass: sample, decidedBy: [...new Set(bypassed.map((w) => w.decidedBy))] },
          extent: { unit: 'workloads', members: workloadMembers(bypassed.map((w) => w.mesh.workload.ref)) },
        });
        continue;
      }
      // A mesh config that cannot be read leaves its workloads' policy unknown: no pass for them.
      const unknown = open.length === 0 ? list.filter((w) => w.mode === undefined) : [];
      if (unknown.length > 0) {
        const deciders = [...new Set(unknown.map((w) => w.decidedBy))];
        out.push({
          status: 'fail', resource,
          message: `${unknown.length} meshed workload(s) in ${ns}: whether they may reach any external host is unknown, their outboundTrafficPolicy cannot be read (${deciders.join('; ')}).`,
          evidence: { workloads: unknown.slice(0, SAMPLE).map(workloadLabel), workloadCount: unknown.length, decidedBy: deciders, unknown: true },
          extent: { unit: 'workloads', members: workloadMembers(unknown.map((w) => w.mesh.workload.ref)) },
        });
        continue;
      }
      if (open.length === 0) {
        out.push({ status: 'pass', resource, message: `Istio sidecars in ${ns} reach registered hosts only (${[...new Set(list.map((w) => w.decidedBy))].join('; ')}).` });
        continue;
      }
      const deciders = [...new Set(open.map((w) => w.decidedBy))];
      out.push({
        status: 'fail',
        resource,
        message: `${open.length} meshed workload(s) in ${ns} may reach any external host: outboundTrafficPolicy is ALLOW_ANY (${deciders.join('; ')}).`,
        evidence: { workloads: open.slice(0, SAMPLE).map(workloadLabel), workloadCount: open.length, decidedBy: deciders },
        extent: { unit: 'workloads', members: workloadMembers(open.map((w) => w.mesh.workload.ref)) },
        related: [...new Map(open.flatMap((w) => (w.sidecar ? [w.sidecar] : [])).map((r) => [`${r.namespace}/${r.name}`, r])).values()],
      });
    }
    return out;
  },
};
