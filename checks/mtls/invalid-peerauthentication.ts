import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { refusedText } from '../../src/analysis/mesh/istio.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';

export const invalidPeerAuthentication: Check = {
  id: 'mtls.invalid-peerauthentication',
  area: 'mtls',
  title: 'PeerAuthentications are valid and take effect',
  protectsAgainst: 'PeerAuthentications the API server refuses (an unknown mode, a port key out of range, an empty portLevelMtls, portLevelMtls without a workload selector) or Istio silently ignores, which leave mTLS weaker than they read',
  severity: 'medium',
  controls: MESH_ENCRYPTION,
  remediation: 'Use a mode of UNSET, DISABLE, PERMISSIVE or STRICT and numeric port keys; give a policy with portLevelMtls a workload selector and at least one port (or drop the empty portLevelMtls); keep one selector-less policy per namespace; put workload selectors outside the root namespace.',
  needs: ['namespaces'],
  reads: ['istio.peerauthentications'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  evaluate(ctx) {
    const idx = meshModel(ctx.snapshot, ctx.config).istio.policies;
    const out: Verdict[] = [];
    for (const pa of idx.refused) {
      out.push({ status: 'fail', resource: pa.ref, message: `${refusedText(`PeerAuthentication ${pa.namespace}/${pa.name}`, pa.refused)}.`, evidence: { refused: pa.refused, problems: pa.problems, scope: pa.scope, mode: pa.rawMode ?? pa.mode } });
    }
    for (const pa of idx.all) {
      // A stored object the current CRD would refuse got past an older one: Istio applies what it reads.
      const problems = pa.problems.map((p) => (!pa.refused.includes(p) ? p
        : p.startsWith('spec.selector') ? `${p}: refused by the API server; this stored one selects no workload (it never widens to namespace ${pa.namespace})`
        : p.startsWith('spec.portLevelMtls without') ? `${p}: the API server refuses this since Istio 1.23 (istiod's webhook before), and as this one is stored Istio applies its mode and ignores portLevelMtls`
          : `${p}: refused by the API server; this stored one is read as ${p.startsWith('spec.mtls.mode') ? 'UNSET' : 'if the entry were absent'}`));
      if (pa.scope === 'ignored-root-selector') {
        problems.push(`a selector policy in the root namespace ${idx.rootNamespace} is ignored by Istio (it applies neither mesh-wide nor to the selected workloads)`);
      }
      const winner = idx.shadowedBy.get(pa);
      if (winner) {
        problems.push(`ignored: ${pa.scope === 'mesh' ? 'mesh-wide' : `namespace ${pa.namespace}`} already has an older selector-less PeerAuthentication (${winner.name}, mode ${winner.mode}) and the oldest wins`);
      }
      out.push(problems.length
        ? { status: 'fail', resource: pa.ref, message: `PeerAuthentication ${pa.namespace}/${pa.name}: ${problems.join('; ')}.`, evidence: { problems, scope: pa.scope, mode: pa.rawMode ?? pa.mode } }
        : { status: 'pass', resource: pa.ref, message: `PeerAuthentication ${pa.namespace}/${pa.name} is valid and in effect.`, evidence: { scope: pa.scope, mode: pa.mode } });
    }
    return out;
  },
};
