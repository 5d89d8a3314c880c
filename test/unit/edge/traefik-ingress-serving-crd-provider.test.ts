// An Ingress's router.middlewares name "<key>@kubernetescrd" Middlewares, which the Kubernetes CRD
// provider of the Traefik serving the Ingress defines, and whose chains that provider builds
// (traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go createChainMiddleware; each Traefik
// instance runs its own providers and keeps its own dynamic configuration). So whether a chain member
// of another namespace is built (allowCrossNamespace on, or a release before v2.11.43, v3.6.14 and
// v3.7.0: commit df00d82fc7) is the answer of the Traefik serving the Ingress, the one whose
// Kubernetes Ingress provider takes its class (providers.kubernetesIngress.ingressClass:
// https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/),
// not of every Traefik of the cluster. Here two Traefiks at v3.6.14: "public" with allowCrossNamespace
// off (it refuses the member) and "internal" with it on (it builds the chain).
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, exposure } from './traefik-tcp.ts';

const IMAGE = 'traefik:v3.6.14';
const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
/** Traefik traefik/internal, beside cluster()'s traefik/traefik, behind the same LoadBalancer (app: edge). */
const INTERNAL = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: internal, namespace: traefik}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
      containers:
      - name: traefik
        image: ${IMAGE}
        args: ["--entrypoints.postgres.address=:5432", "--providers.kubernetescrd", "--providers.kubernetescrd.allowCrossNamespace=true", "--providers.kubernetesingress.ingressClass=internal"]
        ports: [{name: postgres, containerPort: 5432}]
`;
const classes = ['public', 'internal'].map((name) => `---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec: {controller: traefik.io/ingress-controller}
`).join('');
const ingress = (className: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "db-guarded@kubernetescrd"}
spec:
  ingressClassName: ${className}
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
`;
const CHAIN = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: auth, namespace: shared}]}}') + object('Middleware', 'auth', 'shared', '{basicAuth: {secret: users}}');
/** The Ingress of class `className`, traefik/traefik serving class public with allowCrossNamespace off, traefik/internal class internal with it on. */
const twoTraefiks = (className: string) => ctx(cluster(['--providers.kubernetescrd', '--providers.kubernetesingress.ingressClass=public'], INTERNAL + classes + ingress(className) + CHAIN, IMAGE));
const auth = (c: AuditContext) => [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === 'Ingress').map((v) => `${v.status} ${v.message}`);

describe('an Ingress\'s chain is judged by the Traefik serving the Ingress', () => {
  it('served by the Traefik that refuses the member (allowCrossNamespace off, v3.6.14): not served, though another Traefik would build the chain', () => {
    const c = twoTraefiks('public');
    // Before: the two Traefiks' answers differed, so the Ingress was counted as served and the workload exposed.
    expect(exposure(c)).toBeUndefined();
    expect(auth(c)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('Ingress db/web: it uses Middleware db/guarded, and Middleware db/guarded is a chain naming Middleware shared/auth, of another namespace (or by its @kubernetescrd key), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v3.6.14)): it leaves the chain out, and a router using it fails ("middleware does not exist"); its routers are not served');
  });

  it('served by the Traefik that builds the chain (allowCrossNamespace on): served, and the member is its guard', () => {
    const c = twoTraefiks('internal');
    expect(exposure(c)?.status).toBe('fail');
    // Before: "whether it does here is not known", so the basicAuth did not count and the check failed.
    expect(auth(c)).toEqual(['pass web.example.com: Traefik Middleware shared/auth basicAuth']);
    expect(exposureNotes(c.snapshot).filter((n) => n.startsWith('Ingress db/web'))).toEqual([]);
  });
});
