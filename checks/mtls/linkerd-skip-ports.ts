import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { linkerdPresent, linkerdSkippedPorts, meshModel } from '../../src/analysis/mesh/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

export const linkerdSkipPorts: Check = {
  id: 'mtls.linkerd-skip-ports',
  area: 'mtls',
  title: 'Linkerd-meshed workloads send and receive every port through the proxy',
  protectsAgainst: 'Linkerd-meshed pods whose skip-inbound/outbound-ports annotations route traffic around the proxy, so those ports carry no mTLS',
  severity: 'medium',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove config.linkerd.io/skip-inbound-ports / skip-outbound-ports from the pod template and namespace; for protocols the proxy cannot detect (server-speaks-first, e.g. MySQL, SMTP) mark the ports opaque with config.linkerd.io/opaque-ports instead, which keeps mTLS. Restart the pods afterwards.',
  needs: ['namespaces', 'pods'],
  readsWhen: [...meshPresenceReads('linkerd'), ISTIO_REVISION_TAGS_READ],
  appliesTo: linkerdPresent,
  appliesWhen: 'when Linkerd is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of m.workloads) {
      if (w.mesh !== 'linkerd' || !namespaceKnown(w)) continue;
      const ref = w.workload.ref;
      const nsAnnotations = m.namespaces.get(w.namespace)?.annotations ?? {};
      const found = linkerdSkippedPorts(nsAnnotations, w.workload.pods[0], w.namespace, w.workload.template, m.linkerd);
      const skipped = found.filter((s) => s.ports.length + s.invalid.length > 0);
      const pending = found.filter((s) => s.pending).map((s) => `${s.pending!.source} says ${JSON.stringify(s.pending!.value)}`);
      const note = pending.length > 0 ? ` (${pending.join('; ')}: the running pods were injected without it and pick it up when restarted)` : '';
      if (skipped.length === 0) {
        out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: no ports bypass the linkerd-proxy${note}.`, evidence: { podCount: w.workload.podCount, ...(pending.length ? { pendingOnRestart: pending } : {}) } });
        continue;
      }
      const evidence: Record<string, unknown> = { podCount: w.workload.podCount };
      for (const s of skipped) {
        evidence[s.direction] = { ports: s.ports, source: s.source, ...(s.invalid.length ? { invalidEntries: s.invalid } : {}), ...(s.assumedDefault ? { assumedDefault: true } : {}), ...(s.installedDefault ? { installedDefault: true } : {}) };
      }
      if (pending.length) evidence.pendingOnRestart = pending;
      const parts = skipped.map((s) => `${s.direction} ${[...s.ports, ...s.invalid].join(', ')}`);
      out.push({
        status: 'fail',
        resource: ref,
        message: `${refString(ref)}: ${parts.join('; ')} bypass the linkerd-proxy (${skipped.map((s) => s.source).join(', ')}): traffic on these ports is neither authenticated nor encrypted by the mesh${note}.`,
        evidence,
      });
    }
    return out;
  },
};
