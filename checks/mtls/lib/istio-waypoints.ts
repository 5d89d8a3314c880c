// Which traffic an Istio ambient waypoint handles is its Gateway's istio.io/waypoint-for label
// (https://istio.io/latest/docs/ambient/usage/waypoint/): a verdict on a workload behind one
// reads Gateways. Only then: a cluster that names no waypoint is judged without them.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { istioPresent } from '../../../src/analysis/mesh/index.ts';
import { istioWaypointNamed } from '../../../src/analysis/mesh/istio-authz.ts';

export const ISTIO_WAYPOINT_GATEWAYS_READ: ConditionalRead = {
  kinds: ['gatewayapi.gateways'],
  when: 'when a namespace, Service or workload uses an Istio waypoint (label istio.io/use-waypoint): the waypoint Gateways (istio.io/waypoint-for)',
  holds(ctx) {
    const named = istioPresent(ctx) ? istioWaypointNamed(ctx.snapshot, ctx.config) : undefined;
    return named ? `the waypoint Gateways (istio.io/waypoint-for) that istio.io/use-waypoint names, as on ${named}` : undefined;
  },
};
