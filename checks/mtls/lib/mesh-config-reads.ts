// Linkerd's and Consul's mesh-wide defaults live in ConfigMaps the collector reads by name
// (meshConfigMapRefs): linkerd-config's proxy.defaultInboundPolicy, the Consul servers' ACL default
// policy and default_intention_policy. When their own ConfigMap is missing while a by-name read
// failed (configMapUnread), the upstream default (all-unauthenticated, allow) cannot stand in
// for them: a check judging by them is not evaluated, like one reading Istio's mesh config
// (istio-mesh-config.ts). Another ConfigMap refused leaves them known; their own answered 404
// means they do not exist, and the upstream default applies.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { CONSUL_SERVER_CONFIGMAP, CONSUL_SERVER_EXTRA_CONFIGMAP, CONSUL_SERVICE_ANNOTATION } from '../../../src/analysis/mesh/consul.ts';

const LINKERD_DEFAULT = "Linkerd's cluster default inbound policy (ConfigMap linkerd/linkerd-config: proxy.defaultInboundPolicy)";

/** Holds when Linkerd is installed and the config does not state its cluster default (mesh.linkerdDefaultInboundPolicy): the check judges the default itself. */
export const LINKERD_CLUSTER_DEFAULT_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when Linkerd is installed and mesh.linkerdDefaultInboundPolicy is not set: its cluster default inbound policy (ConfigMap linkerd/linkerd-config)',
  holds(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    return m.linkerd.present && m.linkerd.clusterDefault.unread ? LINKERD_DEFAULT : undefined;
  },
};

/** Holds when a Linkerd workload follows that unstated cluster default (no default-inbound-policy annotation). */
export const LINKERD_DEFAULT_POLICY_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when a Linkerd workload follows the cluster default inbound policy and mesh.linkerdDefaultInboundPolicy is not set: ConfigMap linkerd/linkerd-config',
  holds(ctx) {
    return meshModel(ctx.snapshot, ctx.config).workloads.some((w) => w.linkerdPolicy?.unread) ? LINKERD_DEFAULT : undefined;
  },
};

/** Holds when Consul is installed: the default intention decides for every caller no intention names. */
export const CONSUL_DEFAULT_INTENTION_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: `when Consul is installed: its servers' configuration (ConfigMaps ${CONSUL_SERVER_CONFIGMAP.namespace}/${CONSUL_SERVER_CONFIGMAP.name}, ${CONSUL_SERVER_EXTRA_CONFIGMAP.namespace}/${CONSUL_SERVER_EXTRA_CONFIGMAP.name})`,
  holds(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const d = m.consul.defaultIntention;
    if (!m.consul.present || !d.unread) return undefined;
    const cms = d.unreadConfigMaps ?? [];
    return `Consul's default intention (ConfigMap${cms.length > 1 ? 's' : ''} ${cms.join(', ')}: ACL default_policy, default_intention_policy)`;
  },
};

/**
 * Holds when a workload in the Consul mesh has no connect-service annotation: the Service selecting
 * its pod names its Consul service (consulServiceName), which intentions, the default intention's
 * reach and the mTLS mode are looked up by. Unread, it would be judged as its service account's
 * service, a name no intention may use: a finding faked or hidden, and reported back next run.
 * Workloads that all name their service by annotation leave the Services unread.
 */
export const CONSUL_SERVICE_NAMES_READ: ConditionalRead = {
  kinds: ['services'],
  when: `when a workload in the Consul mesh has no ${CONSUL_SERVICE_ANNOTATION} annotation: the Services that name its Consul service`,
  holds(ctx) {
    let unnamed = 0;
    for (const w of meshModel(ctx.snapshot, ctx.config).workloads) if (w.mesh === 'consul' && !w.annotations[CONSUL_SERVICE_ANNOTATION]) unnamed++;
    return unnamed > 0 ? `the Consul service names of ${unnamed} meshed workload(s) without a ${CONSUL_SERVICE_ANNOTATION} annotation (the Services selecting them)` : undefined;
  },
};

/**
 * Holds when Consul is installed: the config entries that set its services' mTLS mode
 * (ServiceDefaults, ProxyDefaults "global") and the Mesh entry that must allow permissive mode.
 * The services they are looked up by are named through CONSUL_SERVICE_NAMES_READ, declared beside it.
 */
export const CONSUL_MUTUAL_TLS_READ: ConditionalRead = {
  kinds: ['consul.servicedefaults', 'consul.proxydefaults', 'consul.meshes'],
  when: 'when Consul is installed: its ServiceDefaults, ProxyDefaults and Mesh config entries (mutualTLSMode, allowEnablingPermissiveMutualTLS)',
  holds(ctx) {
    return meshModel(ctx.snapshot, ctx.config).consul.present ? "Consul's mTLS mode (ServiceDefaults, ProxyDefaults, Mesh)" : undefined;
  },
};
