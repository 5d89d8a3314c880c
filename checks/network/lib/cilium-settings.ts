// Cilium's agent settings (`enable-policy` never/default/always, the identity and world
// settings) change every verdict of the network model. Where Cilium runs, or Cilium policies
// exist, they are read from the `cilium-config` ConfigMap; the collector gets ConfigMaps by
// name and keeps none when any of them is forbidden or fails, so an unreadable `configmaps`
// kind means the settings are unknown, and Cilium's defaults cannot stand in for them.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { CILIUM_CONFIG_MAP, ciliumConfigMapRefs } from '../../../src/analysis/netpol/cilium/config.ts';

export const CILIUM_SETTINGS_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: `when Cilium runs or Cilium policies exist: its agent settings (ConfigMap ${CILIUM_CONFIG_MAP})`,
  holds(ctx) {
    // The collector asked for exactly this ConfigMap (ciliumConfigMapRefs).
    const [ref] = ciliumConfigMapRefs(ctx.snapshot);
    if (!ref) return undefined;
    return `Cilium's agent settings (ConfigMap ${ref.namespace}/${ref.name})`;
  },
};
