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
import { ciliumCni } from '../../../src/analysis/netpol/cni.ts';

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

/**
 * CiliumNodeConfigs: per-node overrides of cilium-config that the agent's config directory takes
 * (src/analysis/netpol/cilium/config.ts nodeConfigLayer). Where Cilium is the CNI, one may turn
 * enforcement off for every node, so unread they leave the verdicts unknown: the checks judging
 * them are not evaluated. Where the CRD is not installed there are none.
 */
export const CILIUM_NODE_CONFIGS_READ: ConditionalRead = {
  kinds: ['cilium.nodeconfigs'],
  when: 'when Cilium is the CNI: its per-node agent settings (CiliumNodeConfigs), which may turn policy enforcement off',
  holds(ctx) {
    const cilium = ciliumCni(ctx.snapshot);
    return cilium ? `Cilium's per-node agent settings (CiliumNodeConfigs in ${cilium.namespace ?? 'its namespace'})` : undefined;
  },
};

/** Cilium's agent settings, cilium-config and the CiliumNodeConfigs over it. */
export const CILIUM_SETTINGS_READS: readonly ConditionalRead[] = [CILIUM_SETTINGS_READ, CILIUM_NODE_CONFIGS_READ];
