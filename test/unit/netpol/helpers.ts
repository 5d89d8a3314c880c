// Test helpers: YAML manifests -> snapshot / audit context, and running one check.
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { workloadYaml } from '../../helpers/workload.ts';

export function snap(yaml: string): Snapshot {
  const objects = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object');
  return snapshotFromObjects(objects);
}

export function ctxOf(yaml: string, config: Partial<Config> = {}): AuditContext {
  return { snapshot: snap(yaml), config: { ...defaultConfig(), ...config }, now: new Date('2026-01-01T00:00:00Z') };
}

export function run(check: Check, ctx: AuditContext): Verdict[] {
  return [...check.evaluate(ctx)];
}

/** A bare pod with labels and optional named ports (container `c`, image nginx), on the host network when asked. */
export function pod(ns: string, name: string, labels: Record<string, string>, ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [], o: { hostNetwork?: boolean } = {}): string {
  return `---\n${workloadYaml(ns, name, { kind: 'Pod', labels: Object.keys(labels).length ? labels : undefined, ...(o.hostNetwork ? { hostNetwork: true } : {}), container: { name: 'c', image: 'nginx' }, ports: ports.length ? ports : undefined })}`;
}

export function ns(name: string, labels: Record<string, string> = {}): string {
  return `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
`;
}

export function policy(namespace: string, name: string, spec: string): string {
  return `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;
}

/** Cilium's agent DaemonSet running `image`, which makes a manifest set's CNI Cilium (src/analysis/netpol/cni.ts) of that release. */
export const ciliumAgent = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      hostNetwork: true
      containers:
      - {name: cilium-agent, image: '${image}'}
`;

/** Cilium's agent DaemonSet (v1.20.2). */
export const CILIUM_AGENT = ciliumAgent('quay.io/cilium/cilium:v1.20.2');

/**
 * shop/client, whose CiliumNetworkPolicy to-legacy allows egress only `toServices` shop/legacy-db,
 * a Service without a selector (port 5432), beside pay/api listening on 5432; no EndpointSlice.
 */
export const SELECTORLESS_TO_SERVICES = `${CILIUM_AGENT}---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: pay}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: nginx:1.27}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx:1.27, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: legacy-db, namespace: shop}
spec:
  ports: [{port: 5432, protocol: TCP}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-legacy, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toServices: [{k8sService: {serviceName: legacy-db, namespace: shop}}]
`;
