// An ingress-nginx ConfigMap whose ssl-protocols nginx refuses ("TLSv1.2,TLSv1.3": commas are no
// separators; which values: test/unit/tls/ingress-nginx-ssl-protocols-tokens.test.ts) keeps the
// whole configuration the controller renders out of effect: kubernetes/ingress-nginx
// internal/ingress/controller/nginx.go OnUpdate returns testTemplate's error (`nginx -t`) before it
// writes nginx.conf or reloads, and controller.go syncIngress records "Error reloading NGINX" and
// returns before configureDynamically (controller-v1.15.1). nginx keeps serving the configuration
// it last loaded: its servers, certificates, redirects and annotations, which the input does not
// show (test/unit/tls/ingress-nginx-refused-config.test.ts judges the controller's own settings).
// So the checks judging the Ingresses that controller serves say "cannot be confirmed" (medium),
// as they do for a controller that may not take the Ingress: never a pass, and never a certain
// finding unless another controller serving the Ingress surely loads what the input shows.
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
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';

const REFUSED = 'TLSv1.2,TLSv1.3';
const ACCEPTED = 'TLSv1.2 TLSv1.3';
const A = 'nginx.ingress.kubernetes.io/';

const controller = (name: string, cls: string, data: Record<string, string>) => `
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
          args: [/nginx-ingress-controller, --configmap=ingress-nginx/${name}, --ingress-class=${cls}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ingress-nginx}
data: ${JSON.stringify(data)}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ingress-nginx}
spec: {type: LoadBalancer, selector: {app: ${name}}, ports: [{name: https, port: 443}, {name: http, port: 80}]}
---
`;

/** An exposed app whose Ingress names its controller by the kubernetes.io/ingress.class annotation (--ingress-class). */
const app = (annotations: Record<string, string>, tls = true) => `
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: app}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: web, image: "example/web:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: app}
spec: {selector: {app: admin}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: app, annotations: ${JSON.stringify({ 'kubernetes.io/ingress.class': 'nginx', ...annotations })}}
spec:
${tls ? '  tls: [{hosts: [admin.example.com], secretName: admin-tls}]\n' : ''}  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;

function verdict(check: Check, yaml: string): Verdict {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const out = [...check.evaluate(ctx)].filter((v) => v.resource.kind === 'Ingress' && v.resource.name === 'admin');
  expect(out).toHaveLength(1);
  return out[0]!;
}
const graded = (v: Verdict) => [v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];
const REFUSAL = 'nginx refuses the configuration ingress-nginx controller Deployment ingress-nginx/edge renders, as the ssl-protocols of its ConfigMap ingress-nginx/edge is refused';

describe('tls.ingress-without-tls under a controller whose configuration nginx refuses', () => {
  it('a host with its own TLS entry: a pass when nginx loads the configuration, cannot be confirmed (medium) when it refuses it', () => {
    expect(graded(verdict(ingressWithoutTls, controller('edge', 'nginx', { 'ssl-protocols': ACCEPTED }) + app({})))).toEqual(['pass', undefined]);
    const v = verdict(ingressWithoutTls, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app({}));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain(`That cannot be confirmed: ${REFUSAL}`);
    expect(v.evidence?.unconfirmed).toContain('it keeps serving the configuration it last loaded');
  });

  it('no spec.tls: a high finding when nginx loads the configuration; medium when the configuration serving it may be an older one', () => {
    expect(graded(verdict(ingressWithoutTls, controller('edge', 'nginx', {}) + app({}, false)))).toEqual(['fail', 'default']);
    const v = verdict(ingressWithoutTls, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app({}, false));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('served over plaintext HTTP');
    expect(v.message).toContain(REFUSAL);
  });

  it('another controller of the same class loads the configuration: its plaintext server is certain, the finding stays high', () => {
    const v = verdict(ingressWithoutTls, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + controller('edge-b', 'nginx', {}) + app({}, false));
    expect(graded(v)).toEqual(['fail', 'default']);
  });
});

describe('tls.ssl-redirect-disabled under a controller whose configuration nginx refuses', () => {
  it('ssl-redirect "false" in that ConfigMap: a high finding when loaded, cannot be confirmed (medium) when refused', () => {
    expect(graded(verdict(sslRedirectDisabled, controller('edge', 'nginx', { 'ssl-redirect': 'false' }) + app({})))).toEqual(['fail', 'default']);
    const v = verdict(sslRedirectDisabled, controller('edge', 'nginx', { 'ssl-redirect': 'false', 'ssl-protocols': REFUSED }) + app({}));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain(`that cannot be confirmed: ${REFUSAL}`);
  });

  it('the redirect on its default: a pass when loaded, cannot be confirmed (medium) when refused', () => {
    expect(graded(verdict(sslRedirectDisabled, controller('edge', 'nginx', {}) + app({})))).toEqual(['pass', undefined]);
    const v = verdict(sslRedirectDisabled, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app({}));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain(`are redirected to HTTPS cannot be confirmed: ${REFUSAL}`);
  });
});

describe('edge guards under a controller whose configuration nginx refuses', () => {
  it('an auth-url annotation and a global-auth-url in the ConfigMap: passes when loaded, cannot be confirmed (medium) when refused', () => {
    const auth = { [`${A}auth-url`]: 'https://auth.example.com/check' };
    expect(graded(verdict(edgeAuthMissing, controller('edge', 'nginx', {}) + app(auth)))).toEqual(['pass', undefined]);
    const v = verdict(edgeAuthMissing, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app(auth));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain(`ingress-nginx auth-url https://auth.example.com/check, but ${REFUSAL}`);
    const global = { 'global-auth-url': 'https://auth.example.com/check' };
    expect(graded(verdict(edgeAuthMissing, controller('edge', 'nginx', global) + app({})))).toEqual(['pass', undefined]);
    expect(graded(verdict(edgeAuthMissing, controller('edge', 'nginx', { ...global, 'ssl-protocols': REFUSED }) + app({})))).toEqual(['fail', 'medium']);
  });

  it('a limit-rps annotation and ModSecurity with its rule set: passes when loaded, cannot be confirmed (medium) when refused', () => {
    const rps = { [`${A}limit-rps`]: '10' };
    expect(graded(verdict(edgeRateLimitMissing, controller('edge', 'nginx', {}) + app(rps)))).toEqual(['pass', undefined]);
    expect(graded(verdict(edgeRateLimitMissing, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app(rps)))).toEqual(['fail', 'medium']);
    const waf = { 'enable-modsecurity': 'true', 'enable-owasp-modsecurity-crs': 'true' };
    expect(graded(verdict(edgeWafMissing, controller('edge', 'nginx', waf) + app({})))).toEqual(['pass', undefined]);
    expect(graded(verdict(edgeWafMissing, controller('edge', 'nginx', { ...waf, 'ssl-protocols': REFUSED }) + app({})))).toEqual(['fail', 'medium']);
  });

  it('nothing found: a high finding when loaded; medium when refused, as the configuration it last loaded may hold a guard', () => {
    expect(graded(verdict(edgeAuthMissing, controller('edge', 'nginx', {}) + app({})))).toEqual(['fail', 'default']);
    const v = verdict(edgeAuthMissing, controller('edge', 'nginx', { 'ssl-protocols': REFUSED }) + app({}));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain(REFUSAL);
  });
});

// One key's value ingress-nginx refuses is not a refused configuration: ReadConfig
// (internal/ingress/controller/template/configmap.go) logs it and keeps that key's default, so the
// default is judged, certain. A boolean is decoded by mapstructure v1.5.0 decodeBool, Go's
// strconv.ParseBool of the value as it is (nothing trimmed); global-auth-url goes through
// parser.StringToURL (Go's url.Parse, a scheme, a host without ".."), else "Global auth location
// denied" and no global auth (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#global-auth-url).
describe('a ConfigMap value ingress-nginx refuses keeps that key\'s default', () => {
  it('ssl-redirect "false" with a line break (a YAML block scalar) is no boolean: the redirect stays on, a pass saying why', () => {
    expect(graded(verdict(sslRedirectDisabled, controller('edge', 'nginx', { 'ssl-redirect': 'false' }) + app({})))).toEqual(['fail', 'default']);
    const v = verdict(sslRedirectDisabled, controller('edge', 'nginx', { 'ssl-redirect': 'false\n' }) + app({}));
    expect(graded(v)).toEqual(['pass', undefined]);
    expect(v.message).toContain('ConfigMap ingress-nginx/edge ssl-redirect: "false\\n" is not a boolean ingress-nginx parses (nothing is trimmed); its default true applies');
  });

  it('a global-auth-url StringToURL refuses (a space before it, ".." in the host) sets no global auth: a certain finding naming it, not a pass', () => {
    expect(graded(verdict(edgeAuthMissing, controller('edge', 'nginx', { 'global-auth-url': 'https://auth.example.com/check' }) + app({})))).toEqual(['pass', undefined]);
    for (const url of [' https://auth.example.com/check', 'https://auth..example.com/check', 'https://auth.example.com/check\u0001']) {
      const v = verdict(edgeAuthMissing, controller('edge', 'nginx', { 'global-auth-url': url }) + app({}));
      expect(graded(v)).toEqual(['fail', 'default']);
      expect(v.evidence?.malformed).toEqual([`ConfigMap ingress-nginx/edge: global-auth-url ${JSON.stringify(url)} is not a URL ingress-nginx takes (parser.StringToURL: nothing is trimmed, the host must be there, without ".."); it ignores it ("Global auth location denied")`]);
    }
  });
});
