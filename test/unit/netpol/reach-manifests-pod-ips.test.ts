// A snapshot read from manifests is not the cluster: a dump that carries some pods' status.podIPs
// says nothing of the pods it lacks, so an address none of its pods holds may well be a running
// pod's. Only a live snapshot lists every pod ("Pod IPs are ephemeral and unpredictable",
// https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource),
// so only there is such an address one outside the cluster. Repro: /tmp/rev-mC/partial.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';

const DUMP = `---
apiVersion: v1
kind: Pod
metadata: {name: web-0, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
status: {phase: Running, podIP: 10.244.1.5, podIPs: [{ip: 10.244.1.5}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.244.0.0/16}}]
`;
const objects = () => parseAllDocuments(DUMP).map((d) => d.toJS() as KubeObject);

describe('reach from an address no pod in the input holds', () => {
  it('read from manifests that carry one pod\'s status.podIPs: the source is "not a known pod address", never "outside the cluster"', () => {
    const r = reachCommandCore(snapshotFromObjects(objects()), { from: '10.244.7.9', to: 'shop/web-0', port: '80' });
    expect(r.output).toContain('note: source 10.244.7.9 is not a known pod address');
    expect(r.output).not.toContain('outside the cluster');
  });

  it('read live, where every pod is listed: the source is outside the cluster, as before', () => {
    const r = reachCommandCore(snapshotFromObjects(objects(), { origin: 'live' }), { from: '10.244.7.9', to: 'shop/web-0', port: '80' });
    expect(r.output).toContain('source is outside the cluster');
    expect(r.output).not.toContain('not a known pod address');
  });
});
