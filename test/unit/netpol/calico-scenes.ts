// A small Calico cluster for reach tests: calico-node at a given release, namespaces shop (team
// shop) and other (team other), shop/web (port http 8080), shop/db (port pg 5432), other/client.
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';

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

/** The matrix rows from `from` to `to` ("shop/web[Deployment]"), as `reach --matrix -o json` prints them. */
export const matrixConns = (yaml: string, from: string, to: string): string[] =>
  (JSON.parse(reachCommandCore(snap(yaml), { matrix: true, output: 'json' }).output) as Array<{ src: string; dst: string; conn: string }>)
    .filter((r) => r.src === from && r.dst === to).map((r) => r.conn);

/** The intent "shop pods {app: web} never reach shop pods {app: db}" against the scene. */
export const webNeverDb = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') });
  return outcome.results[0]!;
};
