// An ingress-nginx controller whose --configmap is taken from a variable ztaudit cannot know (here
// a Secret's key: ztaudit never reads Secrets) may run with any controller settings. Where a
// setting of the ConfigMap decides an edge guard, the host cannot be confirmed, neither passed on
// ingress-nginx's defaults nor failed on them:
// - global-auth-url authenticates every location unless the Ingress sets enable-global-auth "false"
//   (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#global-auth-url);
// - client certificates guard HTTPS only, and ssl-redirect (ConfigMap, default "true") decides
//   whether plain HTTP is redirected (…/configmap/#ssl-redirect);
// - enable-modsecurity and enable-owasp-modsecurity-crs (…/configmap/#enable-modsecurity) turn
//   ModSecurity on for every location, and the annotation's Core Rule Set loads only when the
//   ConfigMap's does not (internal/ingress/controller/template/template.go buildModSecurityForLocation
//   in kubernetes/ingress-nginx).
// What no ConfigMap key changes stays certain: an auth-url annotation, a limit-rps annotation, an
// Ingress turning ModSecurity off with enable-modsecurity "false".
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { effectiveExposure } from '../../../src/analysis/edge/effective-exposure.ts';

const controller = (cm: 'secret' | 'plain') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.12.1
          args: ["/nginx-ingress-controller", "--configmap=${cm === 'secret' ? '$(CM)' : 'ingress-nginx/ingress-nginx-controller'}"]
          env: ${cm === 'secret' ? '[{name: CM, valueFrom: {secretKeyRef: {name: controller-secret, key: configmap}}}]' : '[]'}
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec: {type: LoadBalancer, selector: {app: ingress-nginx}, ports: [{name: https, port: 443}, {name: http, port: 80}]}
`;

const app = (annotations: Record<string, string>, name = 'admin') => `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: app}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: web, image: "example/web:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: app}
spec: {selector: {app: ${name}}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: app, annotations: ${JSON.stringify(annotations)}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [${name}.example.com], secretName: ${name}-tls}]
  rules:
  - host: ${name}.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}]}
`;

function verdict(check: Check, yaml: string, name = 'admin'): Verdict | undefined {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)].find((v) => v.resource.kind === 'Ingress' && v.resource.name === name);
}
const A = 'nginx.ingress.kubernetes.io/';

describe('edge guards of a controller whose ConfigMap is not known (--configmap=$(CM), CM from a Secret)', () => {
  it('the fixture is exposed: every guard check judges the host', () => {
    const snapshot = snapshotFromObjects(parseManifestText(controller('plain') + app({}), 'case.yaml').objects);
    expect(effectiveExposure(snapshot, defaultConfig()).some((w) => w.workload.name === 'admin' && w.external.some((p) => p.open))).toBe(true);
    for (const check of [edgeAuthMissing, edgeWafMissing, edgeRateLimitMissing]) expect(verdict(check, controller('plain') + app({}))?.status).toBe('fail');
  });

  it('client certificates on ssl-redirect\'s default: a pass with the ConfigMap known, cannot be confirmed (medium) with it unknown', () => {
    const certs = { [`${A}auth-tls-secret`]: 'app/ca' };
    expect(verdict(edgeAuthMissing, controller('plain') + app(certs))?.status).toBe('pass');
    const v = verdict(edgeAuthMissing, controller('secret') + app(certs));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.message).toContain('the ssl-redirect of ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller cannot be confirmed');
    expect(v?.message).toContain('Secret ingress-nginx/controller-secret');
  });

  it('no annotation: global-auth-url may be set, so no certain finding (high) on the defaults', () => {
    const v = verdict(edgeAuthMissing, controller('secret') + app({}));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.evidence?.unconfirmed).toEqual([expect.stringContaining('the global-auth-url of ingress-nginx controller')]);
    // The Ingress opting out of global auth: no ConfigMap key can guard it, a certain finding.
    const out = verdict(edgeAuthMissing, controller('secret') + app({ [`${A}enable-global-auth`]: 'false' }));
    expect([out?.status, out?.severity ?? 'high']).toEqual(['fail', 'high']);
  });

  it('auth-url and limit-rps annotations stay certain passes: no ConfigMap key turns them off', () => {
    expect(verdict(edgeAuthMissing, controller('secret') + app({ [`${A}auth-url`]: 'https://auth.example.com/check' }))?.status).toBe('pass');
    expect(verdict(edgeRateLimitMissing, controller('secret') + app({ [`${A}limit-rps`]: '10' }))?.status).toBe('pass');
    // And no rate limit is a certain finding: the controller ConfigMap holds no rate limit.
    expect(verdict(edgeRateLimitMissing, controller('secret') + app({}))?.severity ?? 'high').toBe('high');
  });

  it('ModSecurity with the Core Rule Set by annotation: a pass with the ConfigMap known, cannot be confirmed with it unknown (its enable-owasp-modsecurity-crs alone would keep the rules from loading)', () => {
    const waf = { [`${A}enable-modsecurity`]: 'true', [`${A}enable-owasp-core-rules`]: 'true' };
    expect(verdict(edgeWafMissing, controller('plain') + app(waf))?.status).toBe('pass');
    const v = verdict(edgeWafMissing, controller('secret') + app(waf));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('ModSecurity configuration');
    // Nothing set: the ConfigMap may turn ModSecurity on, so no certain finding either.
    expect(verdict(edgeWafMissing, controller('secret') + app({}))?.severity).toBe('medium');
    // The Ingress turning it off is certain whatever the ConfigMap says.
    expect(verdict(edgeWafMissing, controller('secret') + app({ [`${A}enable-modsecurity`]: 'false' }))?.severity ?? 'high').toBe('high');
  });
});

describe('edge guards of a controller that may not serve the Ingress (--ingress-class=$(IC), IC from a Secret)', () => {
  // kubernetes.io/ingress.class must equal --ingress-class (internal/ingress/controller/store/store.go
  // GetIngressClass): with the flag unknown, whether this controller reads the
  // Ingress's annotations is unknown too.
  const byClass = (args: string) => controller('plain').replace('"--configmap=ingress-nginx/ingress-nginx-controller"', `"--configmap=ingress-nginx/ingress-nginx-controller", "${args}"`).replace('env: []', 'env: [{name: IC, valueFrom: {secretKeyRef: {name: controller-secret, key: ic}}}]');
  const annotated = (a: Record<string, string>) => app({ 'kubernetes.io/ingress.class': 'nginx', ...a }).replace('  ingressClassName: nginx\n', '');
  it('auth-url on it: a pass when the class is given outright, cannot be confirmed (medium) when it is unknown', () => {
    const auth = { [`${A}auth-url`]: 'https://auth.example.com/check' };
    expect(verdict(edgeAuthMissing, byClass('--ingress-class=nginx') + annotated(auth))?.status).toBe('pass');
    const v = verdict(edgeAuthMissing, byClass('--ingress-class=$(IC)') + annotated(auth));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('ingress-nginx auth-url https://auth.example.com/check, but whether ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller takes it is not known');
  });
});

describe('the merged-host redirect on a controller whose ConfigMap is not known', () => {
  // Ingress "other" has no spec.tls for admin.example.com and takes the certificate of Ingress
  // "admin" (ingress-nginx merges the Ingresses of a host: internal/ingress/controller/controller.go
  // createServers); whether its paths redirect is ssl-redirect, a ConfigMap setting.
  const other = `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other, namespace: app, creationTimestamp: "2026-02-01T00:00:00Z"}
spec:
  ingressClassName: nginx
  rules:
  - host: admin.example.com
    http: {paths: [{path: /other, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;
  it('a pass with the ConfigMap known; cannot be confirmed (medium) with it unknown', () => {
    expect(verdict(ingressWithoutTls, controller('plain') + app({}) + other, 'other')?.status).toBe('pass');
    const v = verdict(ingressWithoutTls, controller('secret') + app({}) + other, 'other');
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('whether its paths here redirect HTTP to HTTPS cannot be confirmed');
    expect(v?.message).toContain('Secret ingress-nginx/controller-secret');
  });
});

describe('the exposure view: how the controller dials the backend', () => {
  // service-upstream (ConfigMap, default "false"; https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#service-upstream):
  // unknown, the more open default stands (pod addresses), and the reason says the ConfigMap is not known rather than crediting the Ingress.
  it('says the ConfigMap is not known, naming the Secret', () => {
    const snapshot = snapshotFromObjects(parseManifestText(controller('secret') + app({}), 'case.yaml').objects);
    const path = effectiveExposure(snapshot, defaultConfig()).find((w) => w.workload.name === 'admin')?.external.find((p) => p.route);
    expect(path?.podAddressed).toContain('the ConfigMap of ingress-nginx controller ingress-nginx/ingress-nginx-controller is not known');
    expect(path?.podAddressed).toContain('Secret ingress-nginx/controller-secret');
  });
});
