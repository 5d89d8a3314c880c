// The scene the Cilium `reach` tests share: a Cilium v1.17 install, a host-network DaemonSet
// `mon/agent` (port 9100), and the Deployments `shop/web` (port 80, named http) and `shop/client`,
// with builders for a CiliumNetworkPolicy in `shop` and the one-line verdict a user reads.
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

export const deployment = (ns: string, name: string, ports = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx${ports}}]}
`;

export const cluster = (data = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: "quay.io/cilium/cilium:v1.17.4"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {${data}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: mon}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: a, image: agent, ports: [{containerPort: 9100}]}]
${deployment('shop', 'web', ', ports: [{containerPort: 80, name: http}]')}${deployment('shop', 'client')}`;

export const cnp = (name: string, app: string, rule: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: ${app}}}
  ${rule}
`;

export const verdict = (r: { output: string; exitCode: number }) => [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
export const fromAgent = (yaml: string) => reachCommandCore(snap(yaml), { from: 'mon/agent', to: 'shop/web', port: '80' });
export const toAgent = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to: 'mon/agent', port: '9100' });
