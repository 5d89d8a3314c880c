// The per-call judges of Linkerd and Consul over the mesh model, for `reach`, intent rules and
// the report: `linkerdFlowVerdict(model, caller, callee)` and `consulFlowVerdict(model, caller,
// callee)`. The callee is found in the model by namespace and workload name; its labels, ports and
// mesh settings come from there; `callee.port` is the pod's (container) port, which is what
// Linkerd Servers and Consul's excluded ports name. Kept apart from the judges so the model can
// index their inputs.
import type { MeshCallee, MeshCaller, MeshFlowVerdict } from './flow.ts';
import type { MeshModel } from './model.ts';
import { judgeLinkerdFlow } from './linkerd-authz.ts';
import { judgeConsulFlow, serviceAccountOf } from './consul.ts';
import { linkerdRequireIdentityPorts, linkerdSkippedPorts } from './linkerd.ts';
import { containerPorts } from './util.ts';

/**
 * Linkerd's answer for `caller` calling `callee` (by namespace and workload name, as `reach` names
 * it). A callee not in the Linkerd mesh gets mesh 'none' (its proxy is not there to refuse).
 */
export function linkerdFlowVerdict(model: MeshModel, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const w = (model.workloadsByNamespace.get(callee.namespace) ?? []).find((x) => x.workload.ref.name === callee.name);
  const plaintext = !caller.mtls || !!caller.external;
  if (!w || w.mesh !== 'linkerd' || !w.linkerdPolicy) {
    return { mesh: 'none', verdict: 'allowed', plaintext, reason: `${callee.namespace}/${callee.name} has no linkerd-proxy: Linkerd does not restrict calls to it` };
  }
  const nsAnnotations = model.namespaces.get(callee.namespace)?.annotations ?? {};
  const skipped = linkerdSkippedPorts(nsAnnotations, w.workload.pods[0], callee.namespace).find((s) => s.direction === 'inbound');
  return judgeLinkerdFlow({
    skippedInbound: skipped ? { ports: skipped.ports, source: skipped.source } : undefined,
    requireIdentityInbound: linkerdRequireIdentityPorts(nsAnnotations, w.workload.pods[0], callee.namespace),
    defaultPolicy: w.linkerdPolicy,
    servers: model.linkerd.servers.get(callee.namespace) ?? [],
    labels: w.labels,
    namedPorts: w.workload.pods[0] ? containerPorts(w.workload.pods[0].spec) : [],
    index: model.linkerd.policy,
  }, caller, callee);
}

/**
 * Consul's answer for `caller` calling `callee`. Service names come from the model (annotation,
 * selecting Service, else the service account name); a callee outside the Consul mesh gets 'none'.
 */
export function consulFlowVerdict(model: MeshModel, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  const w = (model.workloadsByNamespace.get(callee.namespace) ?? []).find((x) => x.workload.ref.name === callee.name);
  if (!w || w.mesh !== 'consul') {
    return { mesh: 'none', verdict: 'allowed', plaintext: !caller.mtls || !!caller.external, reason: `${callee.namespace}/${callee.name} has no Consul dataplane: Consul does not restrict calls to it` };
  }
  const callerW = (model.workloadsByNamespace.get(caller.namespace) ?? []).find((x) =>
    x.mesh === 'consul' && serviceAccountOf(x.workload.pods[0]) === caller.serviceAccount && Object.entries(x.labels).every(([k, v]) => caller.labels[k] === v));
  return judgeConsulFlow({
    calleeAnnotations: w.annotations,
    calleeTransparentProxy: w.consulTransparentProxy,
    index: model.consul.intentions,
    defaultIntention: model.consul.defaultIntention,
    callerService: callerW?.consulService ?? caller.serviceAccount,
    calleeService: w.consulService ?? callee.serviceAccount,
  }, caller, callee);
}
