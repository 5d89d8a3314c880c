// The exposure view reads a workload's hostPorts once per distinct pod spec, and indexes only the
// Services the routes name as backends: each must answer as the scans they replaced did. A
// container's hostPort binds the node's port to the pod
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports), whichever
// replica declares it; a route's backend is the Service of that namespace and name
// (https://kubernetes.io/docs/concepts/services-networking/ingress/#resource-backend names a Service by name in the Ingress' namespace).
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { backendServices, networkExposure } from '../../../src/analysis/netpol/exposure.ts';
import type { EdgeRoute } from '../../../src/analysis/edge/routes.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const labels = { app: 'dns' };
const container = (hostPort?: number) => ({ name: 'c', image: 'dns:1', ports: [{ containerPort: 53, protocol: 'UDP', ...(hostPort ? { hostPort } : {}) }] });
const pod = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'edge', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'dns', controller: true }] },
  spec,
});

describe('exposure: hostPorts read once per distinct pod spec', () => {
  it('reports the hostPort only one replica declares, between replicas sharing one spec object without it', () => {
    const plain = { containers: [container()] };
    const snapshot = snapshotFromObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge' } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'dns', namespace: 'edge' }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: plain } } },
      // The first and last replica share one spec object (as the snapshot reader makes equal values one object).
      pod('dns-a', plain),
      pod('dns-b', { containers: [container(5353)] }),
      pod('dns-c', plain),
    ]);
    const dns = networkExposure(snapshot).find((e) => e.workload.name === 'dns');
    expect(dns?.workload.kind).toBe('ReplicaSet');
    expect(dns?.external.map((x) => [x.via, x.ports])).toEqual([['hostPort', "UDP 53 on the node's UDP 5353"]]);
  });
});

const svc = (namespace: string | undefined, name: string, tag: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels: { tag } } });
const route = (namespace: string, name: string) => ({ backend: { namespace, name } }) as unknown as EdgeRoute;
const tags = (m: Map<string, KubeObject>) => [...m].map(([k, s]) => [k, s.metadata?.labels?.tag]);

describe('backendServices: the Services routes name, by "namespace/name"', () => {
  it('keeps only the backends, a Service without a namespace in default, the later of two namesakes', () => {
    const services = [svc('shop', 'web', 'first'), svc('shop', 'db', 'unrouted'), svc(undefined, 'api', 'default-ns'), svc('shop', 'web', 'second'), svc('other', 'web', 'other-ns')];
    expect(tags(backendServices(services, [route('shop', 'web'), route('default', 'api'), route('shop', 'gone')]))).toEqual([['shop/web', 'second'], ['default/api', 'default-ns']]);
  });

  it('finds a Service whose namespace and name join to the same key as the route backend\'s, as the key-per-Service map did', () => {
    // Not names Kubernetes accepts, but a manifest may carry them: the lookup stays the key's.
    const services = [svc('a', 'b/c', 'split-late')];
    expect(tags(backendServices(services, [route('a/b', 'c')]))).toEqual([['a/b/c', 'split-late']]);
    expect(tags(backendServices([svc('a/b', 'c', 'split-early')], [route('a', 'b/c')]))).toEqual([['a/b/c', 'split-early']]);
  });
});
