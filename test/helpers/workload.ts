// The one builder for the workloads the unit tests put in their manifests (a Deployment, a
// DaemonSet/StatefulSet, or a bare Pod), as an object or as a YAML document. What the test files differ
// in (pod labels, ports, the service account, annotations, the container) are options here,
// not copies of the manifest; each file keeps only its defaults.
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/snapshot/types.ts';

/** A container port: a bare number, or with a name (for a Server or a policy naming the port) and a protocol. */
export type PortSpec = number | { name?: string; containerPort: number; protocol?: string };

export interface WorkloadOptions {
  /** Default Deployment. */
  kind?: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'Pod';
  /** The pods' labels; default `{app: <name>}` for a controller, none (no key) for a Pod. */
  labels?: Record<string, string>;
  /** The selector's matchLabels (not for a Pod); default `{app: <name>}`. */
  selector?: Record<string, string>;
  /** The pods' annotations; none (no key) unless given. */
  annotations?: Record<string, string>;
  /** The pod spec's serviceAccountName; none unless given. */
  serviceAccount?: string;
  /** The pod spec's hostNetwork; the key is there whenever the option is (even undefined). */
  hostNetwork?: boolean;
  /** Not for a Pod. */
  replicas?: number;
  /** The one container; default named like the workload, image `example/<name>:1`. */
  container?: { name?: string; image?: string };
  /** The container's ports; no `ports` key unless given. */
  ports?: PortSpec[];
}

export function workload(namespace: string, name: string, o: WorkloadOptions = {}): KubeObject {
  const container: Record<string, unknown> = { name: o.container?.name ?? name, image: o.container?.image ?? `example/${name}:1` };
  if (o.ports !== undefined) container.ports = o.ports.map((p) => (typeof p === 'number' ? { containerPort: p } : { ...(p.name !== undefined ? { name: p.name } : {}), containerPort: p.containerPort, ...(p.protocol !== undefined ? { protocol: p.protocol } : {}) }));
  const podSpec: Record<string, unknown> = {};
  if ('hostNetwork' in o) podSpec.hostNetwork = o.hostNetwork;
  if (o.serviceAccount !== undefined) podSpec.serviceAccountName = o.serviceAccount;
  podSpec.containers = [container];
  if (o.kind === 'Pod') {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...(o.labels !== undefined ? { labels: { ...o.labels } } : {}), ...(o.annotations !== undefined ? { annotations: { ...o.annotations } } : {}) }, spec: podSpec } as KubeObject;
  }
  const spec: Record<string, unknown> = {};
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  spec.selector = { matchLabels: { ...(o.selector ?? { app: name }) } };
  spec.template = {
    metadata: { labels: { ...(o.labels ?? { app: name }) }, ...(o.annotations !== undefined ? { annotations: { ...o.annotations } } : {}) },
    spec: podSpec,
  };
  return { apiVersion: 'apps/v1', kind: o.kind ?? 'Deployment', metadata: { name, namespace }, spec } as KubeObject;
}

/** workload() as one YAML document (ending in a newline, no `---`: each caller frames it). */
export function workloadYaml(namespace: string, name: string, o: WorkloadOptions = {}): string {
  return stringify(workload(namespace, name, o), { aliasDuplicateObjects: false });
}
