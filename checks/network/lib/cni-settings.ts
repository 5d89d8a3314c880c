// The CNI's own settings that decide which policy APIs it enforces: Cilium's agent settings
// (cilium-settings.ts), Calico's Felix drop action (CALICO_FELIX_CONFIGS_READ) and Antrea's
// feature gates, read from the ConfigMap its agent and controller mount (antrea-config in the chart; src/analysis/netpol/cni.ts withAntreaGates),
// which the collector gets by name. Only when that ConfigMap is missing while a by-name read
// failed (configMapUnread) are the gates unknown; answered 404, Antrea's defaults apply.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { configMapUnread } from '../../../src/analysis/configmaps.ts';
import { ANTREA_CONFIG_MAP, antreaConfigMapRefs } from '../../../src/analysis/netpol/cni.ts';
import { CILIUM_SETTINGS_READS } from './cilium-settings.ts';
import { felixDropAction } from '../../../src/analysis/netpol/calico/felix.ts';

export const ANTREA_CONFIG_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: `when Antrea runs: its feature gates AntreaPolicy and AdminNetworkPolicy (ConfigMap ${ANTREA_CONFIG_MAP}, or the one its agent mounts)`,
  holds(ctx) {
    const ref = antreaConfigMapRefs(ctx.snapshot).find((r) => configMapUnread(ctx.snapshot, r));
    return ref ? `Antrea's feature gates (ConfigMap ${ref.namespace}/${ref.name})` : undefined;
  },
};

/**
 * Calico's FelixConfigurations: where a Calico agent that may honour dropActionOverride (Calico
 * Enterprise's cnx-node, or an image that is not calico/node) takes it from them, one may turn
 * every policy denial into an accept, so unread they leave the verdicts unknown
 * (src/analysis/netpol/calico/felix.ts). Under Calico Open Source, which has no such setting, or
 * where the agent's FELIX_DROPACTIONOVERRIDE decides, nothing rests on them.
 */
export const CALICO_FELIX_CONFIGS_READ: ConditionalRead = {
  kinds: ['calico.felixconfigurations'],
  when: "when a Calico agent that may honour dropActionOverride (Calico Enterprise, Calico Cloud) takes it from the datastore: Felix's settings (FelixConfigurations), which may turn every policy denial into an accept",
  holds(ctx) {
    return felixDropAction(ctx.snapshot).readsConfigs ? "Felix's drop action (FelixConfigurations default and node.<nodename>)" : undefined;
  },
};

/** Every CNI setting read from a ConfigMap or a settings kind: Cilium's, Antrea's and Calico's Felix. */
export const CNI_SETTINGS_READS: readonly ConditionalRead[] = [...CILIUM_SETTINGS_READS, ANTREA_CONFIG_READ, CALICO_FELIX_CONFIGS_READ];
