// calico-node's USE_POD_CIDR may come from an envFrom ConfigMap. "USE_POD_CIDR: Use the Kubernetes
// Node.Spec.PodCIDR field. This field is required when using the Kubernetes API datastore with
// host-local IPAM" (https://docs.tigera.io/calico/latest/reference/configure-calico-node,
// "Configuring the default IP pool(s)"), and the upstream policy-only and Canal manifests set it
// "true" beside "ipam": {"type": "host-local"}: pods then take their node's podCIDR addresses, not
// the IPPools'. envFrom: "When a key exists in multiple sources, the value associated with the last
// source will take precedence"; an `optional` source that does not exist sets nothing
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#environment-variables).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { calicoIpamDoubt } from '../../../src/analysis/netpol/calico/ip-pools.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { collectConfigMaps } from '../../../src/collect/live.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
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

  it('an optional envFrom ConfigMap that does not exist (calico.yaml\'s kubernetes-services-endpoint) sets nothing: live with its own read answered 404, and from manifests that do not declare it, the pool settles it (DENIED)', () => {
    const optional = '[{configMapRef: {name: calico-env, optional: true}}]';
    // Live, its own by-name read answered 404; every read answering says nothing of a name never asked for.
    expect(reach(live(calicoNode(optional) + exceptPool, 'ok')).exitCode).toBe(2);
    const notFound = live(calicoNode(optional) + exceptPool, 'ok');
    notFound.configMapsNotFound = ['kube-system/calico-env'];
    expect(reach(notFound).exitCode).toBe(1);
    expect(reach(snap(calicoNode(optional) + exceptPool)).exitCode).toBe(1);
    // Refused, it may exist: the doubt stays.
    expect(reach(live(calicoNode(optional) + exceptPool, 'forbidden')).exitCode).toBe(2);
  });

  // One refused by-name read (an ingress-nginx --configmap the chart's rbac.extraConfigMapNames
  // does not list) marks the whole kind forbidden; the optional one's own 404 still says it does
  // not exist, so an ordinary calico.yaml install is judged.
  const optional = '[{configMapRef: {name: calico-env, optional: true}}]';
  const otherRefused = (s: Snapshot, notFound: string[], refused = 'ingress-nginx/ingress-nginx-controller'): Snapshot => {
    s.coverage.configmaps = { status: 'forbidden', detail: `get configmaps (denied for ${refused})` };
    s.configMapsNotFound = notFound;
    return s;
  };

  it('live, another ConfigMap refused but the optional one looked up and not found (404): it sets nothing, the pool settles it (DENIED, exit 1)', () => {
    const r = reach(otherRefused(live(calicoNode(optional) + exceptPool, 'forbidden'), ['istio-system/istio', 'kube-system/calico-env']));
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('calico-env');
    expect(r.output).not.toContain('uncertain');
  });

  it('live, the optional one itself refused (another one 404): it may exist, UNKNOWN (exit 2) naming it', () => {
    const r = reach(otherRefused(live(calicoNode(optional) + exceptPool, 'forbidden'), ['istio-system/istio'], 'kube-system/calico-env'));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('USE_POD_CIDR may be set from ConfigMap kube-system/calico-env (envFrom), which was not read');
    // A 404 for the same name in another namespace is not this one's.
    const elsewhere = reach(otherRefused(live(calicoNode(optional) + exceptPool, 'forbidden'), ['default/calico-env'], 'kube-system/calico-env'));
    expect(elsewhere.exitCode).toBe(2);
  });

  /** An API server answering the by-name gets: 403 for `refused`, 404 for every other. */
  const server = (refused: string): KubeClient => ({
    get: async (path: string) => (path === `/api/v1/namespaces/${refused.replace('/', '/configmaps/')}` ? { status: 403, body: undefined } : { status: 404, body: undefined }),
  } as unknown as KubeClient);

  it('the live collector records each 404 by name and a snapshot file keeps it: DENIED when only another name was refused, UNKNOWN when the optional one was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-calico-envfrom-'));
    try {
      const collected = async (refused: string) => {
        const s = snapshotFromObjects(parseAllDocuments(calicoNode(optional) + exceptPool).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
        // The auditor's own refs (calico-node's envFrom ConfigMap among them) and an ingress controller's.
        const refs = liveConfigMapRefs(defaultConfig());
        await collectConfigMaps(server(refused), s, { configMapRefs: (p) => [...refs(p), { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }] }, 2);
        const file = join(dir, `${refused.replace('/', '_')}.snap.json.gz`);
        writeSnapshot(file, s);
        return { collected: s, read: await readSnapshot(file) };
      };
      const other = await collected('ingress-nginx/ingress-nginx-controller');
      expect(other.collected.coverage.configmaps?.status).toBe('forbidden');
      expect(other.read.configMapsNotFound).toContain('kube-system/calico-env');
      expect(reach(other.collected).exitCode).toBe(1);
      // Read back from the file (whose workloads are its pods, none here): the pools are trusted all the same.
      expect(calicoIpamDoubt(other.read)).toBeUndefined();
      const itself = await collected('kube-system/calico-env');
      expect(itself.read.configMapsNotFound ?? []).not.toContain('kube-system/calico-env');
      const r = reach(itself.collected);
      expect(r.exitCode).toBe(2);
      expect(r.output).toContain('USE_POD_CIDR may be set from ConfigMap kube-system/calico-env (envFrom), which was not read');
      expect(calicoIpamDoubt(itself.read)).toContain('USE_POD_CIDR may be set from ConfigMap kube-system/calico-env (envFrom), which was not read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
