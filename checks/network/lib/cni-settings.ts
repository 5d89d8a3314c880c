// The CNI's own settings that decide which policy APIs it enforces: Cilium's agent settings
// (cilium-settings.ts) and Antrea's feature gates, read from the ConfigMap its agent and
// controller mount (antrea-config in the chart; src/analysis/netpol/cni.ts withAntreaGates),
// which the collector gets by name. Only when that ConfigMap is missing while a by-name read
// failed (configMapUnread) are the gates unknown; answered 404, Antrea's defaults apply.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { configMapUnread } from '../../../src/analysis/configmaps.ts';
import { ANTREA_CONFIG_MAP, antreaConfigMapRefs } from '../../../src/analysis/netpol/cni.ts';
import { CILIUM_SETTINGS_READS } from './cilium-settings.ts';

export const ANTREA_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: `when Antrea runs: its feature gates AntreaPolicy and AdminNetworkPolicy (ConfigMap ${ANTREA_CONFIG_MAP}, or the one its agent mounts)`,
  holds(ctx) {
    const ref = antreaConfigMapRefs(ctx.snapshot).find((r) => configMapUnread(ctx.snapshot, r));
    return ref ? `Antrea's feature gates (ConfigMap ${ref.namespace}/${ref.name})` : undefined;
  },
};

/** Every CNI setting read from a ConfigMap or a settings kind: Cilium's and Antrea's. */
export const CNI_SETTINGS_READS: readonly ConditionalRead[] = [...CILIUM_SETTINGS_READS, ANTREA_CONFIG_READ];
