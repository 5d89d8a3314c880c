// A Linkerd-injected Galera Deployment (shop/galera) declaring 3306 and 4567, one of the ports
// Linkerd's default proxyInit.ignoreInboundPorts "4567,4568" skips (linkerd2
// charts/linkerd-control-plane/values.yaml, stable-2.14.10): pod annotations, ports and extra
// objects to vary it.
export const galera = (podAnnotations = '{}', ports = '[{containerPort: 3306}, {containerPort: 4567}]', extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: galera, namespace: shop}
spec:
  selector: {matchLabels: {app: galera}}
  template:
    metadata:
      labels: {app: galera}
      annotations: ${podAnnotations}
    spec:
      containers: [{name: galera, image: example/galera:1, ports: ${ports}}]
${extra}`;
