import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { effectiveExposure, type EffectivePath } from '../../src/analysis/edge/effective-exposure.ts';
import { MESH_FLOW_KINDS } from '../../src/analysis/mesh/flow-verdict.ts';
import { EDGE_ROUTE_BEST_EFFORT, EDGE_ROUTE_KINDS } from '../../src/analysis/edge/routes.ts';
import { isSystemNamespace } from '../../src/analysis/netpol/rules.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';

export const exposedWorkload: Check = {
  id: 'network.exposed-workload',
  area: 'network',
  title: 'Only declared namespaces are exposed outside the cluster',
  protectsAgainst: 'workloads reachable from outside the cluster (LoadBalancer/NodePort Services, Service externalIPs, container hostPorts, or routes of an edge controller whose pods can reach them: Ingress, Gateway API, Istio, Traefik, Contour) outside the namespaces declared as exposed',
  severity: 'medium',
  controls: ['NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'],
  remediation: 'Remove the route, the LoadBalancer/NodePort Service, the Service\'s externalIPs or the container\'s hostPort if the workload is internal, or admit only in-cluster peers to its pods (a NetworkPolicy without an ipBlock, or for a route only the edge controller\'s pods). If it is meant to be reached from outside, declare its namespace in network.exposedNamespaces; an ipBlock of the allowed clients narrows who can connect (the finding then names the admitted ranges) but is still a way in, and so does a Traefik ipAllowList Middleware or MiddlewareTCP on the route, or a LoadBalancer Service\'s spec.loadBalancerSourceRanges (or its service.beta.kubernetes.io/load-balancer-source-ranges annotation), which leaves its node ports open: set allocateLoadBalancerNodePorts: false or block them at the nodes.',
  needs: ['namespaces', 'pods', 'services', 'networkpolicies'],
  reads: [...EDGE_ROUTE_KINDS.filter((k) => k !== 'services' && !EDGE_ROUTE_BEST_EFFORT.includes(k)), 'traefik.middlewares', 'traefik-legacy.middlewares', ...MESH_FLOW_KINDS],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ],
  // The meshes' ConfigMaps (meshConfigMapRefs) and ingress-nginx's (service-upstream): unreadable, a mesh verdict that turns on them is unknown, or the pod-address default stands: both count as open.
  // The Nodes' addresses (exposure.ts nodeRewriteDoubt): unreadable, a path ipBlocks narrow keeps its ranges and says whether they admit a node's own address is not known.
  readsBestEffort: ['configmaps', ...EDGE_ROUTE_BEST_EFFORT, 'nodes'],
  evaluate(ctx) {
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    const out: Verdict[] = [];
    const direct = (x: EffectivePath) => (x.via === 'hostPort' ? `hostPort of ${x.through.kind} ${x.through.name}` : x.via === 'externalIPs' ? `externalIPs of Service ${x.through.name}` : `${x.via} ${x.through.name}`);
    // A path through a Gateway listener that may not admit the route is not stated as a fact.
    // An allowlist narrows who can connect, and is named, but leaves a way in from outside: a
    // NetworkPolicy ipBlock on a direct way in, an edge controller's IP allowlist on a route.
    const name = (x: EffectivePath) => `${x.route ? `${x.via} ${x.route}` : x.via === 'LoadBalancer' || x.via === 'NodePort' ? `${x.via} Service ${x.through.name} (${x.ports})` : `${direct(x)} (${x.ports})`}${x.admittedFrom ? ` from ${x.admittedFrom.join(', ')} only${x.admittedBy ? ` (${x.admittedBy}${x.clientsInDoubt ? `; ${x.clientsInDoubt}` : ''})` : ''}` : ''}${x.clientsInDoubt && !x.admittedBy ? ` (${x.clientsInDoubt})` : ''}${x.alsoFrom ? `, and from ${x.alsoFrom.from.join(', ')} ${x.alsoFrom.when} (cannot be confirmed: ${x.alsoFrom.why})` : ''}${x.inDoubt ? ` (cannot be confirmed: ${x.inDoubt})` : ''}${x.forwarded ? ` (${x.forwarded})` : ''}${x.attachmentUnknown ? ` (may not be attached: ${x.attachmentUnknown})` : ''}`;
    for (const w of effectiveExposure(ctx.snapshot, ctx.config)) {
      if (w.external.length === 0 || isSystemNamespace(w.workload.namespace, ctx.config.systemNamespaces)) continue;
      // A route's 'not-evaluated' (the controller's pods were not found) counts as open: missing data is not a fix.
      const open = w.external.filter((x) => x.open);
      // Open only through Gateway listeners that may not admit the route: neither exposed nor
      // kept in, so no verdict (excluded names it).
      if (open.length > 0 && open.every((x) => x.attachmentUnknown) && !exposed.has(w.workload.namespace ?? '')) continue;
      const evidence = {
        paths: w.external.map((x) => ({ via: x.via, [x.route ? 'route' : 'service']: x.route ?? `${x.through.namespace}/${x.through.name}`, ports: x.ports, allowedByPolicy: x.allowedByPolicy, ...(x.admittedFrom ? { admittedFrom: x.admittedFrom } : {}), ...(x.admittedBy ? { admittedBy: x.admittedBy } : {}), ...(x.alsoFrom ? { alsoFrom: x.alsoFrom } : {}), ...(x.clientsInDoubt ? { clientsInDoubt: x.clientsInDoubt } : {}), ...(x.inDoubt ? { inDoubt: x.inDoubt } : {}), ...(x.blockedBy ? { blockedBy: x.blockedBy } : {}), ...(x.controller ? { controller: x.controller } : {}), ...(x.forwarded ? { forwarded: x.forwarded } : {}), ...(x.mesh ? { mesh: x.mesh } : {}), ...(x.attachmentUnknown ? { attachmentUnknown: x.attachmentUnknown } : {}) })),
        podCount: w.podCount,
      };
      if (open.length === 0) {
        const blocked = (x: EffectivePath) => {
          const who = x.route ? `${x.controller} for ${x.route}` : `external clients of ${direct(x)}`;
          return x.mesh?.verdict === 'denied' ? `the ${who}: the mesh refuses them (${x.mesh.reason})` : x.blockedBy ? `${x.route ? `${x.controller} for ${x.route}` : direct(x)}: ${x.blockedBy}` : x.route ? `NetworkPolicy keeps ${x.controller} from it for ${x.route}` : `NetworkPolicy blocks ${who}`;
        };
        // A load balancer whose source ranges the policies admit none of is no way in, though no policy alone blocks it.
        const byMesh = w.external.some((x) => x.mesh?.verdict === 'denied' || x.blockedBy);
        out.push({ status: 'pass', resource: w.workload, message: byMesh ? `the way in from outside is blocked: ${w.external.map(blocked).join('; ')}` : `NetworkPolicy blocks the way in from outside: ${w.external.map((x) => (x.route ? `${x.controller} cannot reach it for ${x.route}` : `external clients of ${direct(x)}`)).join('; ')}`, evidence });
      } else if (exposed.has(w.workload.namespace ?? '')) {
        out.push({ status: 'pass', resource: w.workload, message: `reachable from outside the cluster via ${open.map(name).join('; ')}; namespace is declared exposed`, evidence });
      } else {
        // Every open way in rests on what the objects do not tell: said so, not stated as a fact, and not a pass.
        out.push({ status: 'fail', resource: w.workload, message: `${open.every((x) => x.inDoubt) ? 'may be ' : ''}reachable from outside the cluster via ${open.map(name).join('; ')}`, evidence });
      }
    }
    return out;
  },
  excluded(ctx) {
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    const withheld = effectiveExposure(ctx.snapshot, ctx.config).filter((w) => !isSystemNamespace(w.workload.namespace, ctx.config.systemNamespaces) && !exposed.has(w.workload.namespace ?? ''))
      .flatMap((w) => {
        const open = w.external.filter((x) => x.open);
        return open.length > 0 && open.every((x) => x.attachmentUnknown) ? [`${w.workload.kind} ${w.workload.namespace}/${w.workload.name} (${open[0].attachmentUnknown})`] : [];
      });
    return withheld.length > 0 ? `${withheld.length} workload(s) are reachable from outside only through Gateway API routes whose attachment is unknown, so they are not judged: ${withheld.join('; ')}` : undefined;
  },
};
