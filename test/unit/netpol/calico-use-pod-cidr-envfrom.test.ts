// calico-node's USE_POD_CIDR may come from an envFrom ConfigMap. "USE_POD_CIDR: Use the Kubernetes
// Node.Spec.PodCIDR field. This field is required when using the Kubernetes API datastore with
// host-local IPAM" (https://docs.tigera.io/calico/latest/reference/configure-calico-node,
// "Configuring the default IP pool(s)"), and the upstream policy-only and Canal manifests set it
// "true" beside "ipam": {"type": "host-local"}: pods then take their node's podCIDR addresses, not
// the IPPools'. envFrom: "When a key exists in multiple sources, the value associated with the last
// source will take precedence"; an `optional` source that does not exist sets nothing
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#environment-variables).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { fromBlock, intentOf, shopAndDb } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';

/** calico-node with its backend set outright, so only USE_POD_CIDR may come from the ConfigMap. */
const calicoNode = (envFrom: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      containers:
      - name: calico-node
        image: quay.io/calico/node:v3.28.2
        envFrom: ${envFrom}
        env: [{name: CALICO_NETWORKING_BACKEND, value: bird}]
`;
const configMap = (data: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: calico-env, namespace: kube-system}
data: ${data}
`;
const pool = `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 192.168.0.0/16}
`;
/** pg open on 5432 to everything but the pool: a pod on the pool is refused, one on a node's podCIDR let in. */
const exceptPool = shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}') + pool;
const FROM = '[{configMapRef: {name: calico-env}}]';
const reach = (s: Snapshot) => reachCommandCore(s, { from: 'shop/web', to: 'db/pg', port: '5432' });
const live = (yaml: string, configmaps: 'ok' | 'forbidden'): Snapshot => {
  const s = snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
  s.coverage.configmaps = configmaps === 'ok' ? { status: 'ok', count: 0 } : { status: 'forbidden', detail: 'get configmaps (denied for kube-system/calico-env)' };
  return s;
};

describe('USE_POD_CIDR set from an envFrom ConfigMap', () => {
  it('read as "true": the pools are not trusted, UNKNOWN naming USE_POD_CIDR; read as "false": the pool settles it, DENIED', () => {
    const hostLocal = reach(snap(calicoNode(FROM) + configMap('{USE_POD_CIDR: "true"}') + exceptPool));
    expect(hostLocal.exitCode).toBe(2);
    expect(hostLocal.output).toContain('sets USE_POD_CIDR=true: pods take host-local addresses');
    const ipam = reach(snap(calicoNode(FROM) + configMap('{USE_POD_CIDR: "false"}') + exceptPool));
    expect(ipam.exitCode).toBe(1);
    expect(ipam.output).not.toContain('uncertain');
  });

  it('the ConfigMap not read (no manifest declares it): UNKNOWN (exit 2) naming it and USE_POD_CIDR, not a certain DENIED; the intent "cannot be confirmed"', () => {
    const yaml = calicoNode(FROM) + exceptPool;
    const r = reach(snap(yaml));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('UNKNOWN: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).toContain("USE_POD_CIDR may be set from ConfigMap kube-system/calico-env (envFrom), which was not read, so whether pods take host-local addresses from their node's podCIDR (USE_POD_CIDR=true) instead of the IPPools is not known");
    const v = intentOf(yaml);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('cannot be confirmed');
  });

  it('live, the by-name read refused: UNKNOWN naming the ConfigMap', () => {
    const r = reach(live(calicoNode(FROM) + exceptPool, 'forbidden'));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('USE_POD_CIDR may be set from ConfigMap kube-system/calico-env (envFrom), which was not read');
  });

  it('an optional envFrom ConfigMap that does not exist (calico.yaml\'s kubernetes-services-endpoint) sets nothing: live with every read answered, and from manifests that do not declare it, the pool settles it (DENIED)', () => {
    const optional = '[{configMapRef: {name: calico-env, optional: true}}]';
    expect(reach(live(calicoNode(optional) + exceptPool, 'ok')).exitCode).toBe(1);
    expect(reach(snap(calicoNode(optional) + exceptPool)).exitCode).toBe(1);
    // Refused, it may exist: the doubt stays.
    expect(reach(live(calicoNode(optional) + exceptPool, 'forbidden')).exitCode).toBe(2);
  });
});
