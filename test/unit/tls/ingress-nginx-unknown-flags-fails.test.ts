// Fails resting on an ingress-nginx flag ztaudit cannot read. Which Ingresses a controller takes is
// decided by --ingress-class, --controller-class and --watch-ingress-without-class
// (kubernetes/ingress-nginx internal/ingress/controller/store/store.go GetIngressClass at
// controller-v1.15.1), which annotations it reads by --annotations-prefix
// (internal/ingress/annotations/parser/main.go GetAnnotationWithPrefix), and whether it honours the
// ssl-passthrough annotation by --enable-ssl-passthrough (pkg/flags/flags.go; docs/user-guide/tls.md
// "SSL Passthrough"; with passthrough port 80 is redirected only by force-ssl-redirect, as
// ssl-redirect needs a certificate the controller holds: rootfs/etc/nginx/lua/lua_ingress.lua
// redirect_to_https). Taken from a Secret's key, the flag is unknown: a finding that holds only if
// the controller serves the Ingress, reads its annotations, or passes it through, is a medium
// "cannot be confirmed", as ztaudit's other findings resting on a value it cannot read are
// (an unknown controller ConfigMap, the edge guards); one that holds either way keeps its severity.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const run = (check: Check, yaml: string): Verdict | undefined => {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)].find((v) => v.resource.name === 'admin');
};
const severity = (v: Verdict | undefined) => [v?.status, v?.status === 'fail' ? v.severity ?? 'high' : undefined];

const secretVar = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: 'controller-secret', key: name.toLowerCase() } } });

const controller = (name: string, args: string[], env: unknown[] = []) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: ${JSON.stringify(['/nginx-ingress-controller', ...args])}
          env: ${JSON.stringify(env)}
`;
const configMap = (data: Record<string, string>) => `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx-config, namespace: ingress-nginx}
data: ${JSON.stringify(data)}
`;

/** Ingress app/admin for admin.example.com, annotated kubernetes.io/ingress.class: nginx. */
const ingress = (opts: { tls: boolean; annotations?: Record<string, string> }) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: app
  annotations: ${JSON.stringify({ 'kubernetes.io/ingress.class': 'nginx', ...opts.annotations })}
spec:
  ${opts.tls ? 'tls: [{hosts: [admin.example.com], secretName: admin-tls}]' : ''}
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;

const unknownClass = controller('ingress-nginx-controller', ['--ingress-class=$(IC)'], [secretVar('IC')]);
const knownClass = controller('ingress-nginx-controller', ['--ingress-class=nginx']);

describe('a fail resting on an unknown --ingress-class: the controller may not serve the Ingress at all', () => {
  it('tls.ingress-without-tls: no spec.tls is a medium "cannot be confirmed" naming the Secret (high before)', () => {
    const v = run(ingressWithoutTls, unknownClass + ingress({ tls: false }));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('served over plaintext HTTP');
    expect(v?.message).toContain('cannot be confirmed');
    expect(String(v?.evidence?.unconfirmed)).toContain('whether ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller takes it is not known');
    expect(String(v?.evidence?.unconfirmed)).toContain('Secret ingress-nginx/controller-secret');
  });

  it('tls.ssl-redirect-disabled: ssl-redirect "false" is a medium "cannot be confirmed" (high before)', () => {
    const v = run(sslRedirectDisabled, unknownClass + ingress({ tls: true, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('keeps plaintext HTTP reachable');
    expect(v?.message).toContain('cannot be confirmed');
  });

  it('given outright, both keep their severity', () => {
    expect(severity(run(ingressWithoutTls, knownClass + ingress({ tls: false })))).toEqual(['fail', 'high']);
    expect(severity(run(sslRedirectDisabled, knownClass + ingress({ tls: true, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } })))).toEqual(['fail', 'high']);
  });

  it('a second controller that takes the class for certain serves it either way: the fails keep their severity', () => {
    const two = unknownClass + controller('second', ['--ingress-class=nginx']);
    expect(severity(run(ingressWithoutTls, two + ingress({ tls: false })))).toEqual(['fail', 'high']);
    expect(severity(run(sslRedirectDisabled, two + ingress({ tls: true, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } })))).toEqual(['fail', 'high']);
  });
});

describe('a fail resting on an unknown --annotations-prefix: the annotation that would turn the redirect on may be read', () => {
  const ann = { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' };
  it('ConfigMap ssl-redirect "false", the Ingress annotated ssl-redirect "true": medium "cannot be confirmed" (high before)', () => {
    const v = run(sslRedirectDisabled, controller('ingress-nginx-controller', ['--ingress-class=nginx', '--configmap=ingress-nginx/nginx-config', '--annotations-prefix=$(P)'], [secretVar('P')]) + configMap({ 'ssl-redirect': 'false' }) + ingress({ tls: true, annotations: ann }));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('which of its annotations ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller reads is not known');
  });

  it('the default prefix given outright: the annotation is read, a pass', () => {
    expect(run(sslRedirectDisabled, controller('ingress-nginx-controller', ['--ingress-class=nginx', '--configmap=ingress-nginx/nginx-config']) + configMap({ 'ssl-redirect': 'false' }) + ingress({ tls: true, annotations: ann }))?.status).toBe('pass');
  });
});

describe('a fail resting on an unknown --configmap: its force-ssl-redirect may turn the redirect on', () => {
  it('ssl-redirect "false" on the Ingress, the ConfigMap taken from a Secret: medium "cannot be confirmed" (high before)', () => {
    const v = run(sslRedirectDisabled, controller('ingress-nginx-controller', ['--ingress-class=nginx', '--configmap=$(CM)'], [secretVar('CM')]) + ingress({ tls: true, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('the force-ssl-redirect of ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller cannot be confirmed');
  });
});

describe('an unknown --enable-ssl-passthrough: both readings are judged', () => {
  const unknownPassthrough = controller('ingress-nginx-controller', ['--ingress-class=nginx', '--enable-ssl-passthrough=$(SP)'], [secretVar('SP')]);
  const passthrough = { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' };
  const force = { ...passthrough, 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' };

  // Passed through, port 443 goes to the backend; port 80 is still nginx's, redirected by
  // force-ssl-redirect, or by ssl-redirect when the controller holds a certificate for the host: the
  // server of a passthrough host keeps the certificate of its TLS entry (controller.go createServers
  // sets SSLCert whatever SSLPassthrough is; nginx.go configureCertificates hands every server's
  // certificate to Lua, which redirect_to_https asks), so a TLS entry with ssl-redirect on passes too.
  it('with TLS, ssl-redirect on and no force-ssl-redirect: port 80 is redirected either way, a pass (a medium before)', () => {
    const v = run(ingressWithoutTls, unknownPassthrough + ingress({ tls: true, annotations: passthrough }));
    expect(v?.status).toBe('pass');
    expect(v?.message).toContain('--enable-ssl-passthrough is taken from SP');
    expect(v?.evidence?.ifPassedThrough).toContain('covered by TLS entry admin.example.com');
  });

  it('with TLS and force-ssl-redirect: a pass either way, so a pass (a medium before)', () => {
    const v = run(ingressWithoutTls, unknownPassthrough + ingress({ tls: true, annotations: force }));
    expect(v?.status).toBe('pass');
    expect(v?.message).toContain('--enable-ssl-passthrough');
  });

  it('without TLS but with force-ssl-redirect: plaintext unless passed through; medium "cannot be confirmed" (high before)', () => {
    const v = run(ingressWithoutTls, unknownPassthrough + ingress({ tls: false, annotations: force }));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
  });

  it('without TLS and without force-ssl-redirect: plaintext either way, so high, and the finding names the missing force-ssl-redirect the passed-through reading needs (it named only the missing spec.tls before)', () => {
    const v = run(ingressWithoutTls, unknownPassthrough + ingress({ tls: false, annotations: passthrough }));
    expect(severity(v)).toEqual(['fail', 'high']);
    expect(v?.message).toContain('served over plaintext HTTP');
    expect(v?.message).toContain('serves it over plaintext HTTP on port 80');
    expect(v?.message).toContain('Set force-ssl-redirect: "true"');
    expect(v?.evidence?.ifPassedThrough).toContain('Set force-ssl-redirect: "true"');
  });
});
