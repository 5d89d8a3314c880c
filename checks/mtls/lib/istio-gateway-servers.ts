// An Istio gateway called by a workload without a mesh identity accepts what the Gateway servers
// bound to it accept (their tls.mode), not what PeerAuthentication says
// (src/analysis/mesh/flow-verdict.ts istioGatewayCallee): a verdict on a flow to one reads the
// Istio Gateways and the Gateway API Gateways. Only then: a cluster without an Istio gateway
// workload is judged without them.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import { LISTENER_SET_KINDS } from '../../../src/analysis/edge/listener-sets.ts';
import { istioPresent } from '../../../src/analysis/mesh/index.ts';
import { istioGatewayPod } from '../../../src/analysis/mesh/flow-verdict.ts';
import { meshModel } from '../../../src/analysis/mesh/model.ts';

export const ISTIO_GATEWAY_SERVERS_READ: ConditionalRead = {
  kinds: ['istio.gateways', 'gatewayapi.gateways'],
  when: 'when an Istio ingress or egress gateway runs: the Istio Gateways and Gateway API Gateways whose servers (their tls.mode) decide what its listeners accept',
  holds(ctx) {
    if (!istioPresent(ctx)) return undefined;
    const gw = meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.mesh === 'istio' && istioGatewayPod(w));
    return gw ? `the Gateways whose servers decide what Istio gateway ${gw.workload.ref.kind} ${gw.namespace}/${gw.workload.ref.name} accepts` : undefined;
  },
};

/**
 * The ListenerSets (and XListenerSets) whose listeners a Gateway API Gateway of Istio's class
 * serves on the same pods (flow-verdict.ts istioGatewayServers, through gatewayListeners): read
 * best-effort, as the edge checks read them (routes.ts EDGE_ROUTE_BEST_EFFORT), since a role that
 * predates the kind would otherwise leave every flow check not evaluated; unread, the outcome
 * names them among the inputs it was judged without, and a change to one re-evaluates the checks
 * in serve --watch.
 */
export const ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT: readonly KindKey[] = LISTENER_SET_KINDS;
