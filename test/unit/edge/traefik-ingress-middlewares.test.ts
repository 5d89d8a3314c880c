// Which Middleware an Ingress's traefik.ingress.kubernetes.io/router.middlewares entry names:
// Traefik registers a CRD Middleware as `<namespace>-<name>@kubernetescrd`
// (https://doc.traefik.io/traefik/routing/providers/kubernetes-ingress/), a name dashes in
// Kubernetes names make ambiguous (https://github.com/traefik/traefik/issues/6318).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';

const middleware = (ns: string, name: string) => `
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: ${name}, namespace: ${ns}}
spec: {forwardAuth: {address: "https://auth.example.com/verify"}}`;

function middlewaresOf(ingressNs: string, entry: string, objects: string): string[] {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ingressNs}}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ${ingressNs}
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "${entry}"}
spec:
  ingressClassName: traefik
  rules: [{host: app.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
${objects}`;
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  return edgeRoutes(snapshot).routes[0]!.middlewares;
}

describe('Traefik router.middlewares on an Ingress', () => {
  it('resolves the Ingress namespace prefix, dashes and all', () => {
    expect(middlewaresOf('my-app', 'my-app-auth@kubernetescrd', middleware('my-app', 'auth'))).toEqual(['my-app/auth']);
  });
  it('names the missing Middleware in the Ingress namespace when none has the id', () => {
    expect(middlewaresOf('my-app', 'my-app-auth@kubernetescrd', '')).toEqual(['my-app/auth']);
  });
  it('prefers the Ingress namespace when two Middlewares share the id', () => {
    expect(middlewaresOf('team', 'team-a-auth@kubernetescrd', middleware('team-a', 'auth') + middleware('team', 'a-auth'))).toEqual(['team/a-auth']);
  });
  it('resolves another namespace by the longest namespace that holds the Middleware', () => {
    expect(middlewaresOf('web', 'team-a-auth@kubernetescrd', middleware('team-a', 'auth'))).toEqual(['team-a/auth']);
    expect(middlewaresOf('web', 'team-a-auth@kubernetescrd', middleware('team-a', 'auth') + middleware('team', 'a-auth'))).toEqual(['team-a/auth']);
  });
});
