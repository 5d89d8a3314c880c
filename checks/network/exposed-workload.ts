import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { EXTRA_POLICY_KINDS } from '../../src/analysis/netpol/apis.ts';
import { networkExposure } from '../../src/analysis/netpol/exposure.ts';
import { isSystemNamespace } from '../../src/analysis/netpol/rules.ts';

export const exposedWorkload: Check = {
  id: 'network.exposed-workload',
  area: 'network',
  title: 'Only declared namespaces are exposed outside the cluster',
  protectsAgainst: 'workloads reachable straight from outside the cluster (LoadBalancer/NodePort) outside the namespaces declared as exposed',
  severity: 'medium',
  controls: ['NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'],
  remediation: 'Put the workload behind the ingress controller (ClusterIP Service + Ingress), restrict ingress with an ipBlock of the allowed clients, or declare its namespace in network.exposedNamespaces.',
  needs: ['namespaces', 'pods', 'services', 'networkpolicies'],
  reads: EXTRA_POLICY_KINDS,
  evaluate(ctx) {
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    const out: Verdict[] = [];
    for (const w of networkExposure(ctx.snapshot)) {
      const direct = w.external.filter((x) => x.via !== 'Ingress');
      if (direct.length === 0 || isSystemNamespace(w.workload.namespace, ctx.config.systemNamespaces)) continue;
      const open = direct.filter((x) => x.allowedByPolicy === true);
      const evidence = { paths: direct.map((x) => ({ via: x.via, service: `${x.through.namespace}/${x.through.name}`, ports: x.ports, allowedByPolicy: x.allowedByPolicy })), podCount: w.podCount };
      if (open.length === 0) {
        out.push({ status: 'pass', resource: w.workload, message: `NetworkPolicy blocks external clients of ${direct.map((x) => `${x.via} ${x.through.name}`).join(', ')}`, evidence });
      } else if (exposed.has(w.workload.namespace ?? '')) {
        out.push({ status: 'pass', resource: w.workload, message: `reachable from outside the cluster via ${open.map((x) => `${x.via} ${x.through.name}`).join(', ')}; namespace is declared exposed`, evidence });
      } else {
        out.push({ status: 'fail', resource: w.workload, message: `reachable from outside the cluster via ${open.map((x) => `${x.via} Service ${x.through.name} (${x.ports})`).join(', ')}`, evidence });
      }
    }
    return out;
  },
};
