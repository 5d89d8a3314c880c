// An ingress-nginx controller installed namespace-scoped (--watch-namespace=$(POD_NAMESPACE)) never
// sees the Ingresses of other namespaces: at kubernetes/ingress-nginx controller-v1.12.0,
// pkg/flags/flags.go declares --watch-namespace ("Namespace the controller watches for updates to
// Kubernetes objects ... All namespaces are watched if this parameter is left empty") and
// internal/ingress/controller/store/store.go New builds its informers with
// informers.WithNamespace(namespace). An Ingress of another namespace whose IngressClass names
// k8s.io/ingress-nginx is then served by an ingress-nginx the snapshot does not hold, or by
// nothing: it must read exactly as when that controller is not in the snapshot (its
// nginx.ingress.kubernetes.io/* annotations read as ingress-nginx's, on ingress-nginx's defaults),
// never through the unwatching controller's ConfigMap.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { hstsDisabled } from '../../../checks/tls/hsts-disabled.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const CHECKS: Check[] = [edgeAuthMissing, edgeRateLimitMissing, edgeWafMissing, sslRedirectDisabled, hstsDisabled, legacyProtocolEnabled, weakCiphers, ingressWithoutTls];

// The reviewer's scene: the upstream namespace-scoped install, its ConfigMap, and Ingresses of
// namespace app with IngressClass nginx.
const controllerDeployment = `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args:
        - /nginx-ingress-controller
        - --publish-service=$(POD_NAMESPACE)/ingress-nginx-controller
        - --election-id=ingress-nginx-leader
        - --controller-class=k8s.io/ingress-nginx
        - --ingress-class=nginx
        - --configmap=$(POD_NAMESPACE)/ingress-nginx-controller
        - --watch-ingress-without-class
        - --watch-namespace=$(POD_NAMESPACE)
        - --validating-webhook=:8443
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}
`;

const scene = (configMapData: Record<string, string>, extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: ${JSON.stringify(configMapData)}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
  namespace: app
  annotations:
    nginx.ingress.kubernetes.io/auth-url: "https://$host/oauth2/auth"
    nginx.ingress.kubernetes.io/auth-signin: "https://$host/oauth2/start?rd=$escaped_request_uri"
spec:
  ingressClassName: nginx
  tls: [{hosts: [app.example.com], secretName: app-tls}]
  rules:
  - host: app.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: oauth2-proxy, namespace: app}
spec:
  ingressClassName: nginx
  tls: [{hosts: [app.example.com], secretName: app-tls}]
  rules:
  - host: app.example.com
    http:
      paths:
      - {path: /oauth2, pathType: Prefix, backend: {service: {name: oauth2-proxy, port: {number: 4180}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: oauth2-proxy, namespace: app}
spec: {selector: {app: oauth2-proxy}, ports: [{port: 4180}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: oauth2-proxy, namespace: app}
spec:
  selector: {matchLabels: {app: oauth2-proxy}}
  template:
    metadata: {labels: {app: oauth2-proxy}}
    spec: {containers: [{name: p, image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0, ports: [{containerPort: 4180}]}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: plain
  namespace: app
  annotations:
    nginx.ingress.kubernetes.io/auth-url: "https://auth.example.com/oauth2/auth"
    nginx.ingress.kubernetes.io/limit-rps: "10"
spec:
  ingressClassName: nginx
  rules:
  - host: plain.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
${extra}`;

function run(check: Check, yaml: string): Verdict[] {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)];
}

/** Every verdict the checks give on the Ingresses of namespace app, in a comparable form. */
function ingressVerdicts(yaml: string) {
  return CHECKS.flatMap((check) => run(check, yaml)
    .filter((v) => v.resource.kind === 'Ingress' && v.resource.namespace === 'app')
    .map((v) => ({ check: check.id, name: v.resource.name, detailKey: v.detailKey, status: v.status, severity: v.severity, message: v.message })));
}

const of = (vs: ReturnType<typeof ingressVerdicts>, check: Check, name: string) => vs.filter((v) => v.check === check.id && v.name === name);

describe('an Ingress outside the namespace its ingress-nginx controller watches reads as if that controller were not in the snapshot', () => {
  it("the reviewer's scene: auth-url and limit-rps count, and no guard says 'no controller of the snapshot'", () => {
    const withController = ingressVerdicts(scene({ 'ssl-protocols': 'TLSv1.2 TLSv1.3' }) + controllerDeployment);
    for (const name of ['app', 'plain']) expect(of(withController, edgeAuthMissing, name).map((v) => v.status)).toEqual(['pass']);
    expect(of(withController, edgeRateLimitMissing, 'plain').map((v) => v.status)).toEqual(['pass']);
    expect(of(withController, edgeRateLimitMissing, 'app')[0]?.message).toContain('exposed through ingress-nginx (IngressClass nginx)');
    expect(withController.filter((v) => v.message?.includes('no controller of the snapshot'))).toEqual([]);
    // ssl-redirect judges them too, on ingress-nginx's default (ssl-redirect true).
    expect(of(withController, sslRedirectDisabled, 'app').map((v) => [v.status, v.message])).toEqual([['pass', 'HTTP requests to Ingress app/app are redirected to HTTPS (ingress-nginx default ssl-redirect: true).']]);
    // Exactly what the same scene gives with the controller Deployment removed.
    expect(withController).toEqual(ingressVerdicts(scene({ 'ssl-protocols': 'TLSv1.2 TLSv1.3' })));
  });

  it("the unwatching controller's ConfigMap is not applied to them; their own annotations are read as ingress-nginx's", () => {
    const cm = { 'ssl-redirect': 'false', 'global-auth-url': 'https://auth.example.com/oauth2/auth', 'ssl-protocols': 'TLSv1 TLSv1.2', 'ssl-ciphers': 'RC4-SHA', hsts: 'false' };
    // One more Ingress of namespace app whose own annotations turn the redirect off and pick a weak cipher.
    const own = `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: app
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "false"
    nginx.ingress.kubernetes.io/ssl-ciphers: "RC4-SHA"
spec:
  ingressClassName: nginx
  tls: [{hosts: [legacy.example.com], secretName: legacy-tls}]
  rules:
  - host: legacy.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`;
    const withController = ingressVerdicts(scene(cm, own) + controllerDeployment);
    // The ConfigMap's ssl-redirect "false" and global-auth-url do not reach app/app or app/oauth2-proxy.
    expect(of(withController, sslRedirectDisabled, 'app').map((v) => v.status)).toEqual(['pass']);
    expect(withController.filter((v) => v.message?.includes('ConfigMap ingress-nginx/ingress-nginx-controller'))).toEqual([]);
    expect(of(withController, edgeAuthMissing, 'legacy').map((v) => v.status)).toEqual(['fail']);
    expect(of(withController, edgeAuthMissing, 'legacy')[0]?.message).not.toContain('global-auth-url');
    // The Ingress's own ssl-redirect "false" is read: HTTP stays open on it.
    expect(of(withController, sslRedirectDisabled, 'legacy').map((v) => v.status)).toEqual(['fail']);
    // And its own ssl-ciphers: RC4-SHA is weak wherever ingress-nginx applies it.
    expect(of(withController, weakCiphers, 'legacy').map((v) => [v.status, v.message])).toEqual([['fail', 'Ingress app/legacy annotation nginx.ingress.kubernetes.io/ssl-ciphers enables weak suites for its hosts: RC4-SHA (rc4, rsa-key-exchange).']]);
    expect(withController).toEqual(ingressVerdicts(scene(cm, own)));
  });

  it('with no IngressClass object and no annotation to go by, the class name decides as it does with no controller at all', () => {
    // Class "nginx" is the controller's --ingress-class, but no IngressClass of that name exists.
    const bare = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: app}
spec:
  ingressClassName: nginx
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]}
`;
    const withController = ingressVerdicts(bare + controllerDeployment);
    expect(of(withController, edgeWafMissing, 'web')[0]?.message).toContain('web.example.com is exposed through ingress-nginx (IngressClass nginx)');
    expect(withController).toEqual(ingressVerdicts(bare));
  });
});
