// Cilium's agent settings (`enable-policy` never/default/always, the identity and world
// settings, enable-hubble) change every verdict of the network model. Where Cilium runs, or
// Cilium policies exist, they are read from the `cilium-config` ConfigMap, which the collector
// gets by name, keeping what it read when another ConfigMap is refused. Only when cilium-config
// itself is missing while a by-name read failed (configMapUnread) are the settings unknown,
// and Cilium's defaults cannot stand in for them; an ingress controller's ConfigMap refused
// leaves them known, and so does cilium-config answered 404: Cilium's defaults apply.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { CILIUM_CONFIG_MAP, ciliumConfigMapRefs } from '../../../src/analysis/netpol/cilium/config.ts';
import { configMapUnread } from '../../../src/analysis/configmaps.ts';

export const CILIUM_SETTINGS_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: `when Cilium runs or Cilium policies exist: its agent settings (ConfigMap ${CILIUM_CONFIG_MAP})`,
  holds(ctx) {
    // The collector asked for exactly this ConfigMap (ciliumConfigMapRefs).
    const [ref] = ciliumConfigMapRefs(ctx.snapshot);
    if (!ref || !configMapUnread(ctx.snapshot, ref)) return undefined;
    return `Cilium's agent settings (ConfigMap ${ref.namespace}/${ref.name})`;
  },
};
