// Which traffic an Istio ambient waypoint handles is its Gateway's istio.io/waypoint-for label, else
// its GatewayClass's (https://istio.io/latest/docs/ambient/usage/waypoint/; istiod's
// ambient/waypoints.go), and a call addressed to a Service meets
// the waypoint the Service (else its namespace) names: a verdict on a workload behind one reads
// Gateways and Services. Only then: a cluster that names no waypoint is judged without them.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioPresent } from '../../../src/analysis/mesh/index.ts';
import { istioWaypointNamed } from '../../../src/analysis/mesh/istio-authz.ts';
import { istioMembership } from '../../../src/analysis/mesh/istio.ts';
import { meshModel } from '../../../src/analysis/mesh/model.ts';

export const ISTIO_WAYPOINT_GATEWAYS_READ: ConditionalRead = {
  kinds: ['gatewayapi.gateways', 'gatewayapi.gatewayclasses', 'services'],
  when: 'when a namespace, Service or workload uses an Istio waypoint (label istio.io/use-waypoint): the waypoint Gateways and GatewayClasses (istio.io/waypoint-for) and the Services calls reach it by',
  holds(ctx) {
    if (!istioPresent(ctx)) return undefined;
    const named = istioWaypointNamed(ctx.snapshot, ctx.config);
    if (named) return `the waypoints that istio.io/use-waypoint names, as on ${named}: their Gateways and GatewayClasses (istio.io/waypoint-for) and the Services calls reach them by`;
    // Services that could not be read may be what names a waypoint for an ambient workload.
    if (!['forbidden', 'error'].includes(ctx.snapshot.coverage.services?.status ?? 'ok')) return undefined;
    const model = meshModel(ctx.snapshot, ctx.config);
    const ambient = model.workloads.find((w) => w.mesh === 'istio' && w.workload.pods[0] !== undefined && istioMembership(model.namespaces.get(w.namespace)?.labels ?? {}, w.workload.pods[0]).dataplane === 'ambient');
    return ambient ? `the Services, which may name a waypoint (istio.io/use-waypoint) for ambient ${ambient.workload.ref.kind} ${ambient.namespace}/${ambient.workload.ref.name}` : undefined;
  },
};
