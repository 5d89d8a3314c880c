// A host-network pod calling an isolated Cilium pod: on the destination's node it is the host,
// which allow-localhost lets through whatever the pod's ingress policy says (cilium/cilium v1.20.2
// daemon/cmd/daemon.go: "k8s mode: Allowing localhost to reach local endpoints", auto becoming
// always; the v1.20.2 oracle, oracle/in-host.json: host → isolated pod allowed, remote-node denied).
// The model does not place pods on nodes, so `reach` cannot tell which it is: UNKNOWN (exit 2),
// unless allow-localhost is `policy`.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

const cluster = (allowLocalhost?: string) => `
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
      - {name: cilium-agent, image: quay.io/cilium/cilium:v1.20.2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {${allowLocalhost ? `allow-localhost: ${allowLocalhost}` : ''}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  nodeName: node-a
  containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: shop, labels: {app: agent}}
spec:
  hostNetwork: true
  nodeName: node-a
  containers: [{name: c, image: busybox}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-from-client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]
`;
const reach = (yaml: string, from: string) => reachCommandCore(snap(yaml), { from, to: 'shop/web', port: '80' });

describe('allow-localhost and a host-network source', () => {
  it.each([[undefined], ['auto'], ['always']])('allow-localhost %s: a denial is UNKNOWN (exit 2), and the note says why', (setting) => {
    const r = reach(cluster(setting), 'shop/agent');
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: shop/agent[Pod] -> shop/web[Pod] on 80/TCP');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("Cilium's allow-localhost (cilium-config; auto means always under Kubernetes, daemon/cmd/daemon.go) lets reach the node's pods whatever their ingress policy says");
  });

  it('allow-localhost policy: the policy decides, DENIED (exit 1)', () => {
    expect(reach(cluster('policy'), 'shop/agent').exitCode).toBe(1);
  });

  it('a pod source is denied with certainty, and an allowed pod source stays allowed', () => {
    const yaml = cluster();
    expect(reachCommandCore(snap(yaml), { from: 'shop/agent', to: 'shop/client', port: '80' }).exitCode).toBe(0);
    expect(reach(yaml.replace('app: client}}]}]', 'app: other}}]}]'), 'shop/client').exitCode).toBe(1);
    expect(reach(yaml, 'shop/client').exitCode).toBe(0);
  });
});

describe('where allow-localhost does not reach', () => {
  // pkg/policy/repository.go (v1.20.2) inserts the host allow only when ingress rules select the
  // endpoint, as an allow: a Deny rule beats it.
  it('an ingressDeny naming the host network stays a certain DENIED', () => {
    const deny = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: no-host, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingressDeny: [{fromEntities: [host, remote-node]}]
`;
    expect(reach(cluster() + deny, 'shop/agent').exitCode).toBe(1);
  });
});
