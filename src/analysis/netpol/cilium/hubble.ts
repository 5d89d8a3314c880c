// Whether Cilium's flow visibility (Hubble) is on: the agent's `enable-hubble` in cilium-config
// and a running Hubble Relay, which aggregates every node's flows (docs.cilium.io
// observability/hubble/setup). Both are reported with where they were looked for.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import { CILIUM_CONFIG_MAP, ciliumNamespace } from './config.ts';
import { goParseBool } from '../../flags.ts';

export interface HubbleState {
  /** enable-hubble is on (Go ParseBool true: "true", "1", "t"...); undefined when cilium-config was not found. */
  enabled: boolean | undefined;
  /** Where enable-hubble was read, and what it said. */
  enabledSource: string;
  /** Hubble Relay pods running (live), or a relay workload with replicas (manifests). */
  relayRunning: boolean;
  relaySource: string;
  configMap?: ResourceRef;
}

const RELAY = 'hubble-relay';

function isRelay(labels: Record<string, unknown> | undefined, name: string | undefined): boolean {
  return labels?.['k8s-app'] === RELAY || labels?.['app.kubernetes.io/name'] === RELAY || name === RELAY;
}

export function readHubbleState(snapshot: Snapshot): HubbleState {
  const all = (snapshot.resources.configmaps ?? []).filter((c) => c.metadata?.name === CILIUM_CONFIG_MAP);
  const ns = ciliumNamespace(snapshot);
  const cm = all.find((c) => (c.metadata?.namespace ?? 'default') === ns) ?? all.find((c) => c.metadata?.namespace === 'kube-system') ?? all[0];
  let enabled: boolean | undefined;
  let enabledSource: string;
  let configMap: ResourceRef | undefined;
  if (!cm) {
    enabledSource = `no ConfigMap ${CILIUM_CONFIG_MAP} in ${ns ?? 'kube-system'} (the agent's enable-hubble defaults to false)`;
  } else {
    const cmNs = cm.metadata?.namespace ?? 'default';
    configMap = { kind: 'ConfigMap', namespace: cmNs, name: CILIUM_CONFIG_MAP };
    const data = cm.data && typeof cm.data === 'object' && !Array.isArray(cm.data) ? (cm.data as Record<string, unknown>) : {};
    const v = data['enable-hubble'];
    // As the agent reads it: trimmed (pkg/option/config.go ReadDirConfig), then strconv.ParseBool
    // into the hive cell's EnableHubble (pkg/hubble/cell/config.go, cilium v1.20.2; mapstructure
    // WeaklyTypedInput): "1" and "True" are on; a value ParseBool refuses ("yes") stops the agent
    // starting, so Hubble is not running either.
    enabled = v !== undefined && v !== null && goParseBool(String(v).trim()) === true;
    enabledSource = `ConfigMap ${cmNs}/${CILIUM_CONFIG_MAP} enable-hubble=${v === undefined ? '(not set)' : JSON.stringify(v)}`;
  }
  const pods = snapshot.resources.pods ?? [];
  let relayRunning = false;
  let relaySource: string;
  if (pods.length > 0) {
    const relays = pods.filter((p) => isRelay(p.metadata?.labels, undefined));
    const running = relays.filter((p) => (p as KubeObject & { status?: { phase?: unknown } }).status?.phase === 'Running');
    relayRunning = running.length > 0;
    relaySource = relays.length === 0 ? 'no pod labelled k8s-app=hubble-relay' : `${running.length} of ${relays.length} hubble-relay pod(s) Running`;
  } else {
    const workloads = (snapshot.resources.deployments ?? []).filter((d) => isRelay((d.spec as { template?: { metadata?: { labels?: Record<string, unknown> } } } | undefined)?.template?.metadata?.labels, d.metadata?.name));
    const scaled = workloads.filter((d) => (d.spec as { replicas?: unknown } | undefined)?.replicas !== 0);
    relayRunning = scaled.length > 0;
    relaySource = workloads.length === 0 ? 'no hubble-relay Deployment (no pods in the snapshot)' : `${scaled.length} hubble-relay Deployment(s) with replicas (no pods in the snapshot)`;
  }
  return { enabled, enabledSource, relayRunning, relaySource, ...(configMap ? { configMap } : {}) };
}
