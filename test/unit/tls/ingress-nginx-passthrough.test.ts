// tls.ingress-without-tls on an ingress-nginx Ingress with ssl-passthrough: port 443 reaches the
// backend undecrypted (the backend terminates TLS), port 80 is ingress-nginx's and only its
// redirect keeps it off plaintext. The setup is Argo CD's documented one.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { runChecks } from '../../../src/engine/run.ts';

const ARGOCD_PASSTHROUGH = 'https://argo-cd.readthedocs.io/en/stable/operator-manual/ingress/#option-1-ssl-passthrough';
// "SSL Passthrough is disabled by default and requires starting the controller with the --enable-ssl-passthrough flag."
const NGINX_PASSTHROUGH = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#ssl-passthrough';

const controller = (args: string[]) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: ${JSON.stringify(['/nginx-ingress-controller', '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', ...args])}
          env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {hsts: "true"}
---
`;

/** Argo CD's Ingress for option 1, SSL passthrough (annotations as given, under `prefix`). */
const argocd = (annotations: Record<string, string>) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: argocd-server-ingress
  namespace: argocd
  annotations: ${JSON.stringify(annotations)}
spec:
  ingressClassName: nginx
  rules:
  - host: argocd.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: argocd-server
            port:
              name: https
`;

const ARGOCD_ANNOTATIONS = { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' };

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const verdicts = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)];

describe(`ingress-nginx SSL passthrough (${ARGOCD_PASSTHROUGH}; ${NGINX_PASSTHROUGH})`, () => {
  it('Argo CD\'s setup passes: the backend terminates TLS on 443 (probe it), force-ssl-redirect redirects port 80, as tls.ssl-redirect-disabled also finds', () => {
    const c = ctx(controller(['--enable-ssl-passthrough']) + argocd(ARGOCD_ANNOTATIONS));
    const [v] = verdicts(c);
    expect(v).toMatchObject({ status: 'pass', detailKey: 'host/argocd.example.com', evidence: { sslPassthrough: 'nginx.ingress.kubernetes.io/ssl-passthrough: "true"', redirect: 'annotation nginx.ingress.kubernetes.io/force-ssl-redirect: "true"' } });
    expect(v.message).toBe('Host argocd.example.com is passed through to the backend on port 443 (nginx.ingress.kubernetes.io/ssl-passthrough: "true", with --enable-ssl-passthrough): the backend terminates TLS and decides its version, probe it; ingress-nginx redirects plain HTTP on port 80 to HTTPS (annotation nginx.ingress.kubernetes.io/force-ssl-redirect: "true").');
    expect([...sslRedirectDisabled.evaluate(c)].map((x) => x.status)).toEqual(['pass']);
  });

  it('without force-ssl-redirect port 80 is plaintext: ssl-redirect needs a certificate ingress-nginx holds (lua_ingress.lua redirect_to_https)', () => {
    const [v] = verdicts(ctx(controller(['--enable-ssl-passthrough']) + argocd({ 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' })));
    expect(v).toMatchObject({ status: 'fail', evidence: { redirect: 'ingress-nginx default force-ssl-redirect: false' } });
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe('Host argocd.example.com is passed through to the backend on port 443 (nginx.ingress.kubernetes.io/ssl-passthrough: "true"), but ingress-nginx serves it over plaintext HTTP on port 80: ingress-nginx default force-ssl-redirect: false, and ssl-redirect needs a certificate ingress-nginx holds for the host. Set force-ssl-redirect: "true".');
  });

  it('a controller started without --enable-ssl-passthrough (or with =false) ignores the annotation: still plaintext, and the finding says the flag is missing', () => {
    for (const args of [[], ['--enable-ssl-passthrough=false']]) {
      const [v] = verdicts(ctx(controller(args) + argocd(ARGOCD_ANNOTATIONS)));
      expect(v.status).toBe('fail');
      expect(v.message).toBe('Ingress argocd/argocd-server-ingress asks for SSL passthrough (nginx.ingress.kubernetes.io/ssl-passthrough: "true"), but ingress-nginx ignores it: controller Deployment ingress-nginx/ingress-nginx-controller runs without --enable-ssl-passthrough. It has no spec.tls: host argocd.example.com is served over plaintext HTTP.');
      expect(v.evidence).toMatchObject({ sslPassthroughIgnored: 'controller Deployment ingress-nginx/ingress-nginx-controller runs without --enable-ssl-passthrough' });
    }
  });

  it('a controller with --annotations-prefix reads the annotation only under its own prefix', () => {
    const custom = controller(['--enable-ssl-passthrough', '--annotations-prefix=ingress.example.com']);
    const [defaultPrefix] = verdicts(ctx(custom + argocd(ARGOCD_ANNOTATIONS)));
    expect(defaultPrefix.status).toBe('fail');
    const [own] = verdicts(ctx(custom + argocd({ 'ingress.example.com/force-ssl-redirect': 'true', 'ingress.example.com/ssl-passthrough': 'true' })));
    expect(own).toMatchObject({ status: 'pass', evidence: { sslPassthrough: 'ingress.example.com/ssl-passthrough: "true"' } });
  });

  it('the controllers and their ConfigMaps are inputs then: unreadable, the Ingress is not judged', () => {
    const forbidden = (kind: KindKey) => {
      const c = ctx(controller(['--enable-ssl-passthrough']) + argocd(ARGOCD_ANNOTATIONS));
      c.snapshot.coverage[kind] = { status: 'forbidden', detail: `list ${kind}` };
      delete c.snapshot.resources[kind];
      return runChecks([ingressWithoutTls], c)[0];
    };
    expect(forbidden('deployments')).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining("ingress-nginx's --enable-ssl-passthrough for Ingress argocd/argocd-server-ingress") });
    expect(forbidden('configmaps')).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining("ingress-nginx's redirect settings for SSL-passthrough Ingress argocd/argocd-server-ingress (ConfigMap ingress-nginx/ingress-nginx-controller)") });
  });
});
