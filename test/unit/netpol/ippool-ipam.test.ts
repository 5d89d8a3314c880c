// Calico IPPools hold pod addresses only where Calico IPAM gives them: "IP pools are only used when
// Calico is used for pod networking, IP pools are not utilized when using other pod networking
// solutions" (https://docs.tigera.io/calico-cloud/networking/ipam/initial-ippool). Calico for
// policy only (EKS with the Amazon VPC CNI, Canal's flannel networking, calico-node with
// CALICO_NETWORKING_BACKEND=none: https://docs.tigera.io/calico/latest/reference/configure-calico-node)
// leaves the pods on another plugin's addresses. The upstream manifests say which is which
// (projectcalico/calico manifests/calico.yaml: calico_backend "bird" and "ipam": {"type":
// "calico-ipam"}; calico-policy-only.yaml and canal.yaml: CALICO_NETWORKING_BACKEND "none",
// USE_POD_CIDR "true", "ipam": {"type": "host-local"}), and the operator renders its Installation
// the same way (tigera/operator pkg/render/node.go: backend none when spec.cni.type is not
// Calico, USE_POD_CIDR=true with spec.cni.ipam.type HostLocal).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { calicoNode, intentOf, shopAndDb, fromBlock } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';

const pool = `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 192.168.0.0/16, natOutgoing: true}
`;

const daemonSet = (ns: string, name: string, containers: string, init = '') => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {k8s-app: ${name}}}
  template:
    metadata: {labels: {k8s-app: ${name}}}
    spec:
      hostNetwork: true
${init ? `      initContainers:\n${init}` : ''}      containers:
${containers}`;

const awsNode = daemonSet('kube-system', 'aws-node', '      - {name: aws-node, image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.0}\n');
const operatorNode = (env: string) => daemonSet('calico-system', 'calico-node', `      - name: calico-node\n        image: quay.io/calico/node:v3.28.2\n        env: ${env}\n`);
const canal = daemonSet('kube-system', 'canal', '      - {name: calico-node, image: docker.io/calico/node:v3.28.2}\n      - {name: kube-flannel, image: quay.io/coreos/flannel:v0.24.2}\n');

/** pg open on 5432 to 0.0.0.0/0 except the pool: pods on the pool are refused, others let in. */
const exceptPool = shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}') + pool;
const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/web', to: 'db/pg', port: '5432' });

describe('IPPools count only where Calico IPAM addresses the pods', () => {
  it('EKS (aws-node, Calico for policy) with a stray default pool: reach UNKNOWN saying why the pools are not trusted, the intent a medium "cannot be confirmed"', () => {
    const yaml = awsNode + operatorNode('[]') + exceptPool;
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('UNKNOWN: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).toContain('Calico IPPools are not trusted: the Amazon VPC CNI (DaemonSet kube-system/aws-node) gives pods their addresses');
    const v = intentOf(yaml);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('intent "web-never-db" cannot be confirmed');
  });

  it('Canal with a pool: UNKNOWN, flannel\'s host-local IPAM named, the intent a medium "cannot be confirmed"', () => {
    const yaml = canal + exceptPool;
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("pods are addressed by flannel's host-local IPAM on Canal (DaemonSet kube-system/canal), not Calico IPPools");
    const v = intentOf(yaml);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('cannot be confirmed');
  });

  it('EKS, an ipBlock except the VPC (10.0.0.0/8) and a pool outside it: no high violation (pods have VPC addresses, inside the except)', () => {
    const yaml = awsNode + operatorNode('[]') + shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pool;
    const v = intentOf(yaml);
    expect(v.severity).not.toBe('high');
    expect(v.message).not.toContain('is violated');
    expect(reach(yaml).exitCode).toBe(2);
  });

  it('calico-node in policy-only mode (CALICO_NETWORKING_BACKEND none) or on host-local IPAM (USE_POD_CIDR true): UNKNOWN, each named', () => {
    const none = reach(operatorNode('[{name: CALICO_NETWORKING_BACKEND, value: none}]') + exceptPool);
    expect(none.exitCode).toBe(2);
    expect(none.output).toContain('calico-node (DaemonSet calico-system/calico-node) runs with CALICO_NETWORKING_BACKEND=none (policy-only mode)');
    const hostLocal = reach(operatorNode('[{name: CALICO_NETWORKING_BACKEND, value: bird}, {name: USE_POD_CIDR, value: "true"}]') + exceptPool);
    expect(hostLocal.exitCode).toBe(2);
    expect(hostLocal.output).toContain('sets USE_POD_CIDR=true');
  });

  it('a backend set from a ConfigMap that was not read keeps the doubt and names the ConfigMap; with calico-config read (backend bird, calico-ipam) the pool settles it', () => {
    const node = daemonSet('kube-system', 'calico-node', '      - name: calico-node\n        image: quay.io/calico/node:v3.28.2\n        env: [{name: CALICO_NETWORKING_BACKEND, valueFrom: {configMapKeyRef: {name: calico-config, key: calico_backend}}}]\n',
      '      - name: install-cni\n        image: quay.io/calico/cni:v3.28.2\n        env: [{name: CNI_NETWORK_CONFIG, valueFrom: {configMapKeyRef: {name: calico-config, key: cni_network_config}}}]\n');
    const unread = reach(node + exceptPool);
    expect(unread.exitCode).toBe(2);
    expect(unread.output).toContain('CALICO_NETWORKING_BACKEND is set from ConfigMap kube-system/calico-config key calico_backend, which was not read');
    // As manifests/calico.yaml ships it: the template's placeholders make it no JSON.
    const config = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: calico-config, namespace: kube-system}
data:
  calico_backend: bird
  cni_network_config: |-
    {"name": "k8s-pod-network", "plugins": [{"type": "calico", "mtu": __CNI_MTU__, "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"}}]}
`;
    const read = reach(node + config + exceptPool);
    expect(read.exitCode).toBe(1);
    expect(read.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(read.output).not.toContain('uncertain');
    const hostLocal = reach(node + config.replace('calico-ipam', 'host-local') + exceptPool);
    expect(hostLocal.exitCode).toBe(2);
    expect(hostLocal.output).toContain('installs a CNI config whose IPAM is host-local, not calico-ipam');
  });

  // envFrom: "When a key exists in multiple sources, the value associated with the last source will
  // take precedence. Values defined by an Env with a duplicate key will take precedence"
  // (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#environment-variables, envFrom).
  it('a backend calico-node takes from an envFrom ConfigMap is read: none there makes the pools untrusted, bird trusts them, and the ConfigMap not read keeps the doubt naming it', () => {
    const node = (envFrom: string, env = '') => daemonSet('kube-system', 'calico-node', `      - name: calico-node\n        image: quay.io/calico/node:v3.28.2\n        envFrom: ${envFrom}\n${env ? `        env: ${env}\n` : ''}`);
    const cm = (name: string, data: string) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: kube-system}\ndata: ${data}\n`;
    const from = '[{configMapRef: {name: calico-env}}]';
    const none = reach(node(from) + cm('calico-env', '{CALICO_NETWORKING_BACKEND: none}') + exceptPool);
    expect(none.exitCode).toBe(2);
    expect(none.output).toContain('runs with CALICO_NETWORKING_BACKEND=none (policy-only mode)');
    expect(reach(node(from) + cm('calico-env', '{CALICO_NETWORKING_BACKEND: bird}') + exceptPool).exitCode).toBe(1);
    const unread = reach(node(from) + exceptPool);
    expect(unread.exitCode).toBe(2);
    expect(unread.output).toContain('CALICO_NETWORKING_BACKEND may be set from ConfigMap kube-system/calico-env (envFrom), which was not read');
    // A prefix is taken off the variable's name; the last source wins; an env entry wins over every source.
    expect(reach(node('[{configMapRef: {name: calico-env}, prefix: CALICO_}]') + cm('calico-env', '{NETWORKING_BACKEND: none}') + exceptPool).exitCode).toBe(2);
    expect(reach(node('[{configMapRef: {name: a}}, {configMapRef: {name: b}}]') + cm('a', '{CALICO_NETWORKING_BACKEND: none}') + cm('b', '{CALICO_NETWORKING_BACKEND: bird}') + exceptPool).exitCode).toBe(1);
    expect(reach(node(from, '[{name: CALICO_NETWORKING_BACKEND, value: bird}]') + cm('calico-env', '{CALICO_NETWORKING_BACKEND: none}') + exceptPool).exitCode).toBe(1);
    // A Secret is never read: it may set the backend.
    expect(reach(node('[{secretRef: {name: calico-secret}}]') + exceptPool).output).toContain('CALICO_NETWORKING_BACKEND may be set from Secret kube-system/calico-secret (envFrom), which ztaudit never reads');
  });

  it('no calico-node at all (only Calico policies tell of Calico): the pools are not trusted', () => {
    const yaml = exceptPool + `---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: noop}
spec: {selector: app == 'nothing', types: [Ingress]}
`;
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('no calico-node DaemonSet was found');
  });

  it('an ordinary Calico-networked cluster (calico-node, backend bird by default) with the default pool stays certain', () => {
    for (const yaml of [calicoNode + exceptPool, operatorNode('[{name: CALICO_NETWORKING_BACKEND, value: bird}]') + exceptPool, operatorNode('[{name: CALICO_NETWORKING_BACKEND, value: vxlan}]') + exceptPool]) {
      const r = reach(yaml);
      expect(r.exitCode).toBe(1);
      expect(r.output).not.toContain('uncertain');
      expect(intentOf(yaml).status).toBe('pass');
    }
  });
});

// A host-network pod is the node: Calico polices workload endpoints, and a host-network pod's
// traffic carries its node's address (docs.tigera.io/calico/latest/reference/resources/ippool:
// pools hand out workload and tunnel addresses; hostNetwork pods take none of them). The pools
// settle only pods on them.
describe('host-network peers are not settled by the IPPools', () => {
  const hostWeb = daemonSet('shop', 'web', '      - {name: web, image: nginx}\n').replace('k8s-app: web', 'app: web').replace('k8s-app: web', 'app: web');
  const base = calicoNode + shopAndDb.replace(/---\napiVersion: apps\/v1\nkind: Deployment\nmetadata: \{name: web, namespace: shop\}[\s\S]*?containers: \[\{name: c, image: img:1\}\]\}\n/, '') + pool;

  it('a hostNetwork source against an ipBlock except the pool: UNKNOWN (exit 2), saying a host-network pod has its node\'s address', () => {
    const r = reach(base + hostWeb + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}'));
    expect(r.output).toContain('UNKNOWN: shop/web[DaemonSet] -> db/pg[Deployment] on 5432/TCP');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("a host-network pod has its node's address, not one from the Workload IPPools");
  });

  it('an ordinary pod source on the same rule stays certain (DENIED, exit 1)', () => {
    const r = reach(calicoNode + shopAndDb + pool + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}'));
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
  });
});

describe('reach says when the IPPools settled a flow', () => {
  it('a certain DENIED that rests on the pools names them and the rule they settled', () => {
    const r = reach(calicoNode + exceptPool);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('  note: db/not-from-vpc ingress rule 0: the Calico IPPools (IPPool default-ipv4-ippool (192.168.0.0/16)) lie outside 0.0.0.0/0 except 192.168.0.0/16, so it holds none of the pods for certain');
  });

  it('no such note where nothing turned on the pools (a CIDR in link-local space holds no pod anyway)', () => {
    const r = reach(calicoNode + shopAndDb + fromBlock('{cidr: 169.254.169.254/32}') + pool);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('the Calico IPPools');
  });
});

// docs.tigera.io/calico/latest/reference/resources/networkpolicy: serviceAccountSelector
// "Selects the service account(s) of the pods this policy applies to". A template's pods run
// as its serviceAccountName, so the probe for an idle template must carry it.
describe('model.probe carries the template\'s ServiceAccount', () => {
  it('a Calico policy selecting ServiceAccount role == ci selects a probe running as builder (labelled role: ci), not one running as default', () => {
    const model = buildReachability(snap(calicoNode + `---
apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci, labels: {role: ci}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ci}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ci-only, namespace: ci}
spec: {selector: all(), serviceAccountSelector: role == 'ci', types: [Ingress]}
`));
    const ids = (c: { ingressPolicies: Array<{ id: string }> }) => c.ingressPolicies.map((p) => p.id);
    expect(ids(model.probe('ci', { app: 'job' }, 'builder'))).toEqual(['CalicoNetworkPolicy:ci/ci-only']);
    expect(ids(model.probe('ci', { app: 'job' }))).toEqual([]);
  });
});
