// A small Calico cluster for reach tests: calico-node at a given release, namespaces shop (team
// shop) and other (team other), shop/web (port http 8080), shop/db (port pg 5432), other/client.
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

export const calicoBase = (release = 'v3.32.1') => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {app: calico-node}}
  template:
    metadata: {labels: {app: calico-node}}
    spec: {containers: [{name: c, image: "quay.io/calico/node:${release}"}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: other}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: busybox}]}
`;

export const ipv4Pool = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 10.244.0.0/16}
`;

export const ipv6Pool = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv6-ippool}
spec: {cidr: 'fd00:10:244::/64'}
`;

export const reach = (yaml: string, from: string, to: string, port: string) => reachCommandCore(snap(yaml), { from, to, port });
