// A Traefik published by a LoadBalancer on 5432 and a Postgres nothing but a route exposes: the
// scenario the IngressRouteTCP and MiddlewareTCP tests share.
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';

/** Traefik (its CRD provider with the given arguments) published by a LoadBalancer on 5432, and a Postgres nothing but the route exposes. */
export const cluster = (traefikArgs: string[], route: string, traefikImage = 'docker.io/traefik:v3.3.4') => `
apiVersion: v1
kind: Namespace
metadata: {name: db}
---
apiVersion: v1
kind: Namespace
metadata: {name: traefik}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
      containers:
      - name: traefik
        image: ${traefikImage}
        args: ${JSON.stringify(['--entrypoints.postgres.address=:5432', ...traefikArgs])}
        ports: [{name: postgres, containerPort: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app: edge}
  ports: [{name: postgres, port: 5432, targetPort: postgres}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db}
spec:
  serviceName: postgres
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec: {containers: [{name: postgres, image: "postgres:16.4", ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: postgres, namespace: db}
spec:
  selector: {app: postgres}
  ports: [{port: 5432, targetPort: 5432}]
---
${route}`;

/** A route in namespace db to Service db/postgres:5432; `middlewares` is its routes[0].middlewares as YAML flow text. */
export const tcpRoute = (opts: { annotation?: string; className?: string; match?: string; tls?: string; kind?: string; middlewares?: string } = {}) => `
apiVersion: traefik.io/v1alpha1
kind: ${opts.kind ?? 'IngressRouteTCP'}
metadata:
  name: postgres
  namespace: db${opts.annotation !== undefined ? `\n  annotations: {kubernetes.io/ingress.class: ${JSON.stringify(opts.annotation)}}` : ''}
spec:${opts.className !== undefined ? `\n  ingressClassName: ${JSON.stringify(opts.className)}` : ''}
  entryPoints: [postgres]
  routes:
  - match: ${opts.match ?? 'HostSNI(`*`)'}
    services: [{name: postgres, port: 5432}]${opts.middlewares ? `\n    middlewares: ${opts.middlewares}` : ''}${opts.tls ? `\n  tls: ${opts.tls}` : ''}
`;

export function ctx(yaml: string): AuditContext {
  return { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}


/** network.exposed-workload's verdict on the Postgres StatefulSet. */
export const exposure = (c: AuditContext) => [...exposedWorkload.evaluate(c)].find((v) => v.resource.kind === 'StatefulSet' && v.resource.name === 'postgres');
/** A check's verdicts on IngressRouteTCPs. */
export const guard = (c: AuditContext, check: Check) => [...check.evaluate(c)].filter((v) => v.resource.kind === 'IngressRouteTCP');
