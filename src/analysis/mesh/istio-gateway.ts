// Which Istio workloads are gateways: a standalone Envoy with no application behind it, judged
// apart from the applications' sidecars.

import type { WorkloadMesh } from './model.ts';
import { arr, obj, str } from './util.ts';

/** An Istio gateway deployment (istio=ingressgateway/egressgateway, a managed Gateway's pods, or istio-proxy run as `router`). */
export function istioGatewayPod(w: WorkloadMesh): boolean {
  if (['ingressgateway', 'egressgateway'].includes(w.labels.istio ?? '') || w.labels['gateway.istio.io/managed'] !== undefined) return true;
  const containers = arr(obj(w.workload.pods[0]?.spec)?.containers).map(obj);
  return containers.some((c) => str(c?.name) === 'istio-proxy' && arr(c?.args).includes('router'));
}
