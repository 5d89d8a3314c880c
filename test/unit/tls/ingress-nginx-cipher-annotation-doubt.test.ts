// The ssl-ciphers annotation of an Ingress, in tls.weak-ciphers (its own finding) and
// tls.legacy-protocol-enabled (it makes the ConfigMap's TLS 1.0/1.1 usable), when it is not known
// that ingress-nginx applies it. Whether a controller takes an Ingress is decided by its
// --ingress-class, --controller-class and --watch-ingress-without-class
// (kubernetes/ingress-nginx internal/ingress/controller/store/store.go GetIngressClass at
// controller-v1.15.1), which annotations it reads by --annotations-prefix
// (internal/ingress/annotations/parser/main.go GetAnnotationWithPrefix), and a server takes the
// ssl-ciphers of the first Ingress in order that sets it ("only add SSL ciphers if the server does
// not have them previously configured", internal/ingress/controller/controller.go createServers).
// nginx refusing the configuration the controller renders (its ssl-protocols: nginx.go OnUpdate
// returns testTemplate's error before writing and reloading) leaves the last loaded one serving.
// A finding that holds only if the controller applies the annotation is a medium "cannot be
// confirmed", as tls.ingress-without-tls and tls.ssl-redirect-disabled already judge a fail
// resting on an unknown flag (test/unit/tls/ingress-nginx-unknown-flags-fails.test.ts).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

const results = (check: Check, yaml: string): Verdict[] => {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)];
};
const of = (vs: Verdict[], name: string) => vs.filter((v) => v.resource.name === name);
const severity = (v: Verdict | undefined) => [v?.status, v?.status === 'fail' ? v.severity ?? 'default' : undefined];

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
const ingressClass = `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
`;

/** Ingress app/<name> for shop.example.com; its class by the kubernetes.io/ingress.class annotation unless `className`. */
const ingress = (name: string, ciphers: string, opts: { className?: boolean; created?: string; prefix?: string } = {}) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: app
  ${opts.created ? `creationTimestamp: "${opts.created}"` : ''}
  annotations: ${JSON.stringify({ ...(opts.className ? {} : { 'kubernetes.io/ingress.class': 'nginx' }), [`${opts.prefix ?? 'nginx.ingress.kubernetes.io'}/ssl-ciphers`]: ciphers })}
spec:
  ${opts.className ? 'ingressClassName: nginx' : ''}
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}
`;

const WEAK = 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA';
const STRONG = 'ECDHE-RSA-AES128-GCM-SHA256';
const unknownClass = controller('ingress-nginx-controller', ['--ingress-class=$(IC)', '--configmap=ingress-nginx/nginx-config'], [secretVar('IC')]);
const knownClass = controller('ingress-nginx-controller', ['--ingress-class=nginx', '--configmap=ingress-nginx/nginx-config']);

describe('tls.weak-ciphers: a weak ssl-ciphers annotation the controller may not apply', () => {
  it('--ingress-class from a Secret: medium "cannot be confirmed", naming why (a certain finding before)', () => {
    const [v] = of(results(weakCiphers, unknownClass + ingress('shop', WEAK)), 'shop');
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.message).toContain('would enable weak suites');
    expect(String(v?.evidence?.unconfirmed)).toContain('whether ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller takes it is not known');
  });

  it('the class given outright: a certain finding, as before', () => {
    const [v] = of(results(weakCiphers, knownClass + ingress('shop', WEAK)), 'shop');
    expect(severity(v)).toEqual(['fail', 'default']);
    expect(v?.message).toContain('enables weak suites for its hosts');
    expect(v?.evidence?.unconfirmed).toBeUndefined();
  });

  it('a second controller that surely takes it applies it: certain', () => {
    const [v] = of(results(weakCiphers, unknownClass + controller('second', ['--ingress-class=nginx']) + ingress('shop', WEAK)), 'shop');
    expect(severity(v)).toEqual(['fail', 'default']);
  });

  it('--annotations-prefix from a Secret: the nginx.ingress.kubernetes.io annotation may be its own, a medium "cannot be confirmed" (no verdict at all before)', () => {
    const vs = of(results(weakCiphers, controller('ingress-nginx-controller', ['--ingress-class=nginx', '--annotations-prefix=$(P)'], [secretVar('P')]) + ingress('shop', WEAK)), 'shop');
    expect(vs).toHaveLength(1);
    expect(severity(vs[0])).toEqual(['fail', 'medium']);
    expect(String(vs[0]?.evidence?.unconfirmed)).toContain('which of its annotations ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller reads is not known');
  });

  it('an older Ingress the controller may not take sets strong ciphers for the host first: the newer weak one is "cannot be confirmed", no longer a pass', () => {
    // --controller-class from a Secret: the older Ingress (spec.ingressClassName) may or may not be
    // taken; the newer one (the class annotation, matched against --ingress-class) surely is.
    const yaml = ingressClass + controller('ingress-nginx-controller', ['--ingress-class=nginx', '--controller-class=$(CC)'], [secretVar('CC')])
      + ingress('old', STRONG, { className: true, created: '2024-01-01T00:00:00Z' }) + ingress('new', WEAK, { created: '2025-01-01T00:00:00Z' });
    const [v] = of(results(weakCiphers, yaml), 'new');
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(String(v?.evidence?.unconfirmed)).toContain('older Ingress app/old sets ssl-ciphers for the same server first');
  });

  it('the same older Ingress surely taken: the newer one has no effect, a pass as before', () => {
    const yaml = ingressClass + controller('ingress-nginx-controller', ['--ingress-class=nginx'])
      + ingress('old', STRONG, { className: true, created: '2024-01-01T00:00:00Z' }) + ingress('new', WEAK, { created: '2025-01-01T00:00:00Z' });
    const [v] = of(results(weakCiphers, yaml), 'new');
    expect(v?.status).toBe('pass');
    expect(v?.message).toContain('has no effect');
  });

  it('the controller\'s ssl-protocols refused by nginx: the annotation is not in the configuration served, "cannot be confirmed"', () => {
    const [v] = of(results(weakCiphers, knownClass + configMap({ 'ssl-protocols': 'TLSv1.2,TLSv1.3' }) + ingress('shop', WEAK)), 'shop');
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(String(v?.evidence?.unconfirmed)).toContain('nginx refuses the configuration ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller renders');
  });

  it('an annotation with no weak suite passes either way', () => {
    expect(of(results(weakCiphers, unknownClass + ingress('shop', STRONG)), 'shop').map((v) => v.status)).toEqual(['pass']);
  });
});

describe('tls.legacy-protocol-enabled: TLS 1.1 in ssl-protocols, usable only through an annotation the controller may not apply', () => {
  // The ConfigMap's default ciphers need TLS 1.2, so TLS 1.1 completes a handshake only with the
  // annotation's AES128-SHA: high if it is applied, low if not.
  const cm = configMap({ 'ssl-protocols': 'TLSv1.1 TLSv1.2' });
  const verdict = (yaml: string) => results(legacyProtocolEnabled, yaml).find((v) => v.resource.kind === 'ConfigMap');

  it('--ingress-class from a Secret: medium "cannot be confirmed" naming the annotation (high before)', () => {
    const v = verdict(unknownClass + cm + ingress('shop', WEAK));
    expect(severity(v)).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.evidence?.legacyCiphersFrom).toBe('Ingress app/shop (nginx.ingress.kubernetes.io/ssl-ciphers)');
    expect(String(v?.evidence?.unconfirmed)).toContain('takes it is not known');
  });

  it('the class given outright: high, as before', () => {
    const v = verdict(knownClass + cm + ingress('shop', WEAK));
    expect(severity(v)).toEqual(['fail', 'default']);
    expect(v?.message).toContain('(the ciphers of Ingress app/shop (nginx.ingress.kubernetes.io/ssl-ciphers) work below TLS 1.2)');
  });

  it('no annotation: low (no handshake below TLS 1.2 completes), as before', () => {
    const v = verdict(unknownClass + cm + ingress('shop', STRONG));
    expect(severity(v)).toEqual(['fail', 'low']);
  });
});
