// "Does ingress-nginx serve this Ingress?" has one answer, tls/nginx.ts's servedByIngressNginx, for
// the edge route (its controller family, which the exposure counts) and for the guards (which read
// nginx.ingress.kubernetes.io/* annotations only on Ingresses ingress-nginx serves). The class name
// is only a guess when the snapshot holds no ingress-nginx controller.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { edgeAuthentication } from '../../../src/analysis/edge/guards.ts';

const INGRESS_CLASS_ANNOTATION = 'https://kubernetes.github.io/ingress-nginx/user-guide/multiple-ingress/';

const controller = (ingressClass: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}}
    spec: {containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.12.1", args: [/nginx-ingress-controller, --ingress-class=${ingressClass}]}]}`;

const app = `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: app}
spec: {selector: {app: w}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: app
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/auth-url: https://auth.example/check
spec:
  rules: [{host: a.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]`;

function answers(yaml: string): { family: string; label: string; authFound: number; looked: string[] } {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const route = edgeRoutes(snapshot).routes.find((r) => r.route.name === 'web')!;
  const auth = edgeAuthentication(snapshot, { route: route.route, object: route.object, controller: route.controller, routes: [route], host: 'a.example' } as Parameters<typeof edgeAuthentication>[1], 'istio-system');
  return { family: route.controller.family, label: route.controller.label, authFound: auth.found.length, looked: auth.looked };
}

describe('one answer to "does ingress-nginx serve this Ingress?"', () => {
  it(`kubernetes.io/ingress.class "nginx" against a controller started --ingress-class=internal (${INGRESS_CLASS_ANNOTATION}): not exposed through ingress-nginx, and the guards say why without contradicting themselves`, () => {
    const a = answers(controller('internal') + app);
    expect(a.family).not.toBe('ingress-nginx');
    expect(a.authFound).toBe(0);
    expect(a.looked.join('\n')).not.toMatch(/ingress-nginx \(IngressClass nginx\) serves it, not ingress-nginx/);
    expect(a.looked.join('\n')).toMatch(/left aside: no controller of the snapshot \(IngressClass nginx\) serves it/);
  });

  it('the same Ingress is ingress-nginx\'s, auth-url and all, when the controller takes the class', () => {
    const a = answers(controller('nginx') + app);
    expect(a).toMatchObject({ family: 'ingress-nginx', authFound: 1 });
  });

  it('without an ingress-nginx controller in the snapshot, the class name still guesses ingress-nginx', () => {
    expect(answers(app)).toMatchObject({ family: 'ingress-nginx', authFound: 1 });
  });
});
