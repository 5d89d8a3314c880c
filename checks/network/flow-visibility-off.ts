import type { Check } from '../../src/engine/types.ts';
import { detectCni } from '../../src/analysis/netpol/cni.ts';
import { readHubbleState } from '../../src/analysis/netpol/cilium/index.ts';
import { FLOW_VISIBILITY } from '../controls.ts';
import { CILIUM_SETTINGS_READ } from './lib/cilium-settings.ts';

export const flowVisibilityOff: Check = {
  id: 'network.flow-visibility-off',
  area: 'network',
  title: 'Cilium flow visibility (Hubble) is on',
  protectsAgainst: 'policy drops and unexpected connections that cannot be investigated: a Cilium cluster without Hubble (enable-hubble) and a running Hubble Relay records no flows',
  severity: 'low',
  controls: FLOW_VISIBILITY,
  remediation: 'Enable Hubble and its relay: `cilium hubble enable` or the Helm values hubble.enabled=true and hubble.relay.enabled=true (sets enable-hubble: "true" in cilium-config and deploys hubble-relay).',
  needs: ['daemonsets', 'deployments', 'pods'],
  // enable-hubble, in cilium-config.
  readsWhen: [CILIUM_SETTINGS_READ],
  appliesTo: (ctx) => detectCni(ctx.snapshot).plugins.some((p) => p.name === 'cilium'),
  appliesWhen: 'when Cilium is the CNI',
  evaluate(ctx) {
    const h = readHubbleState(ctx.snapshot);
    const resource = h.configMap ?? { kind: 'Cluster', name: ctx.snapshot.cluster.name };
    const evidence = { enableHubble: h.enabledSource, relay: h.relaySource };
    if (h.enabled && h.relayRunning) return [{ status: 'pass', resource, message: `Hubble is enabled (${h.enabledSource}) and its relay runs (${h.relaySource}).`, evidence }];
    const missing = [h.enabled ? undefined : `Hubble is not enabled (${h.enabledSource})`, h.relayRunning ? undefined : `no Hubble Relay runs (${h.relaySource})`].filter(Boolean);
    return [{ status: 'fail', resource, message: `Cilium flow visibility is off: ${missing.join('; ')}. Policy drops cannot be investigated.`, evidence }];
  },
};
