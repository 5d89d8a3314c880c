// The scene of the port-less Cilium `reach` tests: a host-network agent (mon/agent) is the entity
// `host` to shop/web's own node and `remote-node` to the others; a CiliumNetworkPolicy admits
// `host` on TCP 80 only and `remote-node` on every port, with `allow-localhost: policy`
// (https://docs.cilium.io/en/v1.17/security/policy/language/#entities-based). The model does not
// place pods on nodes: TCP 80 is certain, every other port may go either way.
export const cluster = `---
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
data: {allow-localhost: policy}
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
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}, {containerPort: 81}]}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEntities: [host]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  - fromEntities: [remote-node]
`;
