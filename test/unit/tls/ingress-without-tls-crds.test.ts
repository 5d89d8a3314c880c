// tls.ingress-without-tls on Traefik IngressRoutes, Ingresses Traefik serves, and Contour HTTPProxies.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const TRAEFIK_INGRESSROUTE = 'https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroute';
const TRAEFIK_ENTRYPOINTS = 'https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/';
const CONTOUR_TLS = 'https://projectcontour.io/docs/main/config/tls-termination/';
// "To enable TLS on the underlying router created from an Ingress, one should configure it through annotations."
const TRAEFIK_INGRESS_TLS = 'https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/#enabling-tls-via-annotations';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const verdicts = (c: AuditContext, kind: string) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === kind);
const byName = (c: AuditContext, kind: string) => Object.fromEntries(verdicts(c, kind).map((v) => [v.resource.name, v.status]));

const ingressRoute = (group: string, name: string, extra: string, host = 'app.example.com') => `
apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata: {name: ${JSON.stringify(name)}, namespace: shop}
spec:
  routes:
    - match: Host(\`${host}\`)
      kind: Rule
      services: [{name: web, port: 80}]
${extra}
---
`;

const traefik = (args: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  template:
    spec:
      containers:
        - name: traefik
          image: docker.io/traefik:v3.3
          args: ${JSON.stringify(args)}
---
`;

describe(`Traefik IngressRoute: spec.tls makes the routers TLS-only (${TRAEFIK_INGRESSROUTE})`, () => {
  for (const group of ['traefik.io', 'traefik.containo.us']) {
    it(`${group}: no spec.tls fails; secretName, certResolver and an empty tls: {} (the default TLSStore certificate) pass`, () => {
      const c = ctx(
        ingressRoute(group, 'plain', '  entryPoints: [web]')
        + ingressRoute(group, 'secret', '  entryPoints: [websecure]\n  tls: {secretName: app-tls}')
        + ingressRoute(group, 'resolver', '  tls: {certResolver: letsencrypt}')
        + ingressRoute(group, 'store', '  tls: {}'),
      );
      expect(byName(c, 'IngressRoute')).toEqual({ plain: 'fail', secret: 'pass', resolver: 'pass', store: 'pass' });
      const plain = verdicts(c, 'IngressRoute').find((v) => v.resource.name === 'plain')!;
      expect(plain.message).toBe('IngressRoute shop/plain has no spec.tls: host app.example.com is served over plaintext HTTP on entryPoint web.');
      expect(plain.severity).toBeUndefined();
      expect(plain.evidence).toMatchObject({ apiVersion: `${group}/v1alpha1`, hosts: ['app.example.com'], plaintextEntryPoints: ['web'] });
      expect(String(plain.evidence?.note)).toMatch(/no Traefik workload is in the snapshot.*redirection set there is not seen/);
      expect(verdicts(c, 'IngressRoute').find((v) => v.resource.name === 'store')!.message).toMatch(/default TLSStore's certificate/);
    });
  }

  it('without spec.entryPoints the route answers on every default entryPoint', () => {
    const [v] = verdicts(ctx(ingressRoute('traefik.io', 'any', '')), 'IngressRoute');
    expect(v).toMatchObject({ status: 'fail', evidence: { entryPoints: '(default entryPoints)', plaintextEntryPoints: '(default entryPoints)' } });
    expect(v.message).toMatch(/on every default entryPoint\.$/);
  });

  it(`entryPoint TLS or an HTTPS redirection in Traefik's arguments keeps a route without spec.tls off plaintext (${TRAEFIK_ENTRYPOINTS})`, () => {
    const routes = ingressRoute('traefik.io', 'secure-ep', '  entryPoints: [websecure]') + ingressRoute('traefik.io', 'web-ep', '  entryPoints: [web]') + ingressRoute('traefik.io', 'default-eps', '');
    const helm = traefik(['--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=true', '--providers.kubernetescrd']);
    expect(byName(ctx(helm + routes), 'IngressRoute')).toEqual({ 'secure-ep': 'pass', 'web-ep': 'fail', 'default-eps': 'fail' });
    const defaults = verdicts(ctx(helm + routes), 'IngressRoute').find((v) => v.resource.name === 'default-eps')!;
    expect(defaults.evidence).toMatchObject({ plaintextEntryPoints: ['web'] });
    expect(defaults.evidence?.note).toBeUndefined();
    const redirect = traefik(['--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=true', '--entryPoints.web.http.redirections.entryPoint.to=websecure', '--providers.kubernetescrd']);
    expect(byName(ctx(redirect + routes), 'IngressRoute')).toEqual({ 'secure-ep': 'pass', 'web-ep': 'pass', 'default-eps': 'pass' });
    expect(verdicts(ctx(redirect + routes), 'IngressRoute').find((v) => v.resource.name === 'web-ep')!.message).toMatch(/web: a redirection of every request to https \(--entrypoints\.web\.http\.redirections\.entrypoint\.to=websecure\)/);
    const toHttp = traefik(['--entryPoints.web.address=:8000/tcp', '--entryPoints.web.http.redirections.entryPoint.to=other', '--entryPoints.web.http.redirections.entryPoint.scheme=http', '--providers.kubernetescrd']);
    expect(byName(ctx(toHttp + routes), 'IngressRoute')['web-ep']).toBe('fail');
    const tlsOff = traefik(['--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=false', '--providers.kubernetescrd']);
    expect(byName(ctx(tlsOff + routes), 'IngressRoute')['secure-ep']).toBe('fail');
  });

  it('a route without entryPoints takes the default ones: those marked asDefault, else all but UDP ones and the internal entryPoint traefik (traefik/traefik getDefaultsEntrypoints)', () => {
    const route = ingressRoute('traefik.io', 'default-eps', '');
    const base = ['--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=true', '--entryPoints.traefik.address=:9000/tcp', '--entryPoints.dns.address=:5353/udp', '--providers.kubernetescrd'];
    const redirected = verdicts(ctx(traefik([...base, '--entryPoints.web.http.redirections.entryPoint.to=websecure']) + route), 'IngressRoute');
    expect(redirected).toMatchObject([{ status: 'pass', evidence: { securedEntryPoints: [expect.stringMatching(/^web: /), expect.stringMatching(/^websecure: /)] } }]);
    expect(verdicts(ctx(traefik(base) + route), 'IngressRoute')).toMatchObject([{ status: 'fail', evidence: { plaintextEntryPoints: ['web'] } }]);
    expect(verdicts(ctx(traefik([...base, '--entryPoints.websecure.asDefault=true']) + route), 'IngressRoute')).toMatchObject([{ status: 'pass' }]);
  });

  it('the same options from TRAEFIK_* environment variables (a container without arguments) count, named as written', () => {
    const envTraefik = traefik([]).replace('args: []', 'env: [{name: TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS, value: ":8443"}, {name: TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS, value: "true"}, {name: TRAEFIK_PROVIDERS_KUBERNETESCRD, value: "true"}]');
    const [v] = verdicts(ctx(envTraefik + ingressRoute('traefik.io', 'secure-ep', '  entryPoints: [websecure]')), 'IngressRoute');
    expect(v).toMatchObject({ status: 'pass', evidence: { securedEntryPoints: ['websecure: TLS (TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS=true)'] } });
  });

  it('a Traefik configured by a file: its entryPoints are unknown, the route fails and the evidence says why', () => {
    const c = ctx(traefik(['--configFile=/config/traefik.yml']) + ingressRoute('traefik.io', 'secure-ep', '  entryPoints: [websecure]'));
    const [v] = verdicts(c, 'IngressRoute');
    expect(v.status).toBe('fail');
    expect(String(v.evidence?.note)).toMatch(/Deployment traefik\/traefik reads a configuration file/);
  });

  it('hostile names and hosts stay data: verbatim in the message and evidence, nothing else changes', () => {
    const name = '<img src=x onerror=alert(1)>';
    const host = '"><script>x</script>';
    const [v] = verdicts(ctx(ingressRoute('traefik.io', name, '  entryPoints: ["web}{{x}}"]', host)), 'IngressRoute');
    expect(v.resource).toEqual({ kind: 'IngressRoute', namespace: 'shop', name });
    expect(v.message).toBe(`IngressRoute shop/${name} has no spec.tls: host ${host} is served over plaintext HTTP on entryPoint web}{{x}}.`);
    expect(v.evidence).toMatchObject({ hosts: [host], plaintextEntryPoints: ['web}{{x}}'] });
  });
});

describe(`an Ingress Traefik serves: spec.tls only gives Traefik certificates, the router's TLS comes from annotations (${TRAEFIK_INGRESS_TLS})`, () => {
  // traefik/traefik pkg/provider/kubernetes/ingress/kubernetes.go: getCertificates reads spec.tls
  // into the certificate store; the router's TLS is rt.TLS = rtConfig.Router.TLS, from the
  // annotations only. The Traefik Helm chart's entryPoints: web plain, websecure with http.tls.
  const helm = ['--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp', '--entryPoints.websecure.http.tls=true', '--providers.kubernetesingress', '--providers.kubernetescrd'];
  const ingress = (name: string, annotations: Record<string, string> = {}, tls = '[{hosts: [shop.example.com], secretName: shop-tls}]') => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${JSON.stringify(name)}, namespace: shop, annotations: ${JSON.stringify(annotations)}}
spec:
  ingressClassName: traefik
  tls: ${tls}
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
`;

  it('spec.tls without router.tls: the router answers plain HTTP on the default entryPoint web, as an IngressRoute without spec.tls does', () => {
    const [v] = verdicts(ctx(traefik(helm) + ingress('shop')), 'Ingress');
    expect(v).toMatchObject({ status: 'fail', detailKey: 'host/shop.example.com', evidence: { tlsHosts: ['shop.example.com'], entryPoints: '(default entryPoints)', plaintextEntryPoints: ['web'] } });
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe('Host shop.example.com is served over plaintext HTTP on entryPoint web: Traefik\'s router for Ingress shop/shop has no TLS (spec.tls entry shop.example.com only gives Traefik a certificate; the annotation traefik.ingress.kubernetes.io/router.tls: "true" makes the router TLS-only).');
    const [plain] = verdicts(ctx(traefik(helm) + ingress('plain', {}, '[]')), 'Ingress');
    expect(plain.message).toBe('Ingress shop/plain has no spec.tls: host shop.example.com is served over plaintext HTTP on entryPoint web.');
  });

  it('router.tls "true", router.entrypoints naming only TLS entryPoints, or an https redirection on web each keep the host off plaintext', () => {
    expect(verdicts(ctx(traefik(helm) + ingress('annotated', { 'traefik.ingress.kubernetes.io/router.tls': 'true' })), 'Ingress')).toMatchObject([{ status: 'pass', evidence: { traefikRouterTls: 'traefik.ingress.kubernetes.io/router.tls: "true"' } }]);
    const [secureEp] = verdicts(ctx(traefik(helm) + ingress('websecure', { 'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure' })), 'Ingress');
    expect(secureEp).toMatchObject({ status: 'pass', evidence: { entryPoints: ['websecure'], securedEntryPoints: ['websecure: TLS (--entrypoints.websecure.http.tls=true)'] } });
    expect(secureEp.message).toBe('Host shop.example.com is served by a Traefik router every entryPoint of which keeps it off plaintext HTTP (websecure: TLS (--entrypoints.websecure.http.tls=true)).');
    expect(verdicts(ctx(traefik(helm) + ingress('both-eps', { 'traefik.ingress.kubernetes.io/router.entrypoints': 'web,websecure' })), 'Ingress')).toMatchObject([{ status: 'fail', evidence: { entryPoints: ['web', 'websecure'], plaintextEntryPoints: ['web'] } }]);
    const redirect = traefik([...helm, '--entryPoints.web.http.redirections.entryPoint.to=websecure']);
    expect(verdicts(ctx(redirect + ingress('redirected')), 'Ingress')).toMatchObject([{ status: 'pass' }]);
    // Traefik v3: entryPoints marked asDefault are the only defaults (getDefaultsEntrypoints).
    expect(verdicts(ctx(traefik([...helm, '--entryPoints.websecure.asDefault=true']) + ingress('as-default')), 'Ingress')).toMatchObject([{ status: 'pass' }]);
  });

  it('with Traefik\'s install configuration not in the snapshot, spec.tls still proves nothing: the finding says what was not seen', () => {
    const [v] = verdicts(ctx(ingress('shop')), 'Ingress');
    expect(v).toMatchObject({ status: 'fail', evidence: { plaintextEntryPoints: '(default entryPoints)' } });
    expect(v.message).toMatch(/on every default entryPoint: Traefik's router/);
    expect(String(v.evidence?.note)).toMatch(/no Traefik workload is in the snapshot/);
  });

  it('hostile names and entryPoints stay data: verbatim in the message and evidence', () => {
    const name = '<img src=x onerror=alert(1)>';
    const [v] = verdicts(ctx(traefik(helm) + ingress(name, { 'traefik.ingress.kubernetes.io/router.entrypoints': ' {{x}}<b>, web ' })), 'Ingress');
    expect(v.resource).toEqual({ kind: 'Ingress', namespace: 'shop', name });
    // No Traefik has an entryPoint "{{x}}<b>": the router is attached to web alone (traefikAttachedEntryPoints).
    expect(v.evidence).toMatchObject({ entryPoints: ['{{x}}<b>', 'web'], plaintextEntryPoints: ['web'], missingEntryPoints: ['{{x}}<b>'] });
    expect(v.message).toBe(`Host shop.example.com is served over plaintext HTTP on entryPoint web: Traefik's router for Ingress shop/${name} has no TLS (spec.tls entry shop.example.com only gives Traefik a certificate; the annotation traefik.ingress.kubernetes.io/router.tls: "true" makes the router TLS-only).`);
  });
});

describe(`Contour HTTPProxy: virtualhost.tls, 301 for insecure requests unless permitInsecure (${CONTOUR_TLS})`, () => {
  const proxy = (name: string, vhost: string, routes = '[{conditions: [{prefix: /}], services: [{name: web, port: 80}]}]') => `
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: ${JSON.stringify(name)}, namespace: web}
spec:
  virtualhost: ${vhost}
  routes: ${routes}
---
`;
  it('a root proxy without tls fails, with a secretName passes, permitInsecure fails, an included proxy (no virtualhost) is not judged', () => {
    const c = ctx(
      proxy('plain', '{fqdn: a.example.com}')
      + proxy('secure', '{fqdn: b.example.com, tls: {secretName: b-tls}}')
      + proxy('insecure-route', '{fqdn: c.example.com, tls: {secretName: c-tls}}', '[{conditions: [{prefix: /legacy}], permitInsecure: true, services: [{name: web, port: 80}]}]')
      + 'apiVersion: projectcontour.io/v1\nkind: HTTPProxy\nmetadata: {name: child, namespace: web}\nspec: {routes: [{services: [{name: web, port: 80}]}]}\n',
    );
    expect(byName(c, 'HTTPProxy')).toEqual({ plain: 'fail', secure: 'pass', 'insecure-route': 'fail' });
    const vs = verdicts(c, 'HTTPProxy');
    expect(vs.find((v) => v.resource.name === 'plain')!.message).toBe('HTTPProxy web/plain has no virtualhost.tls: a.example.com is served over plaintext HTTP.');
    expect(vs.find((v) => v.resource.name === 'insecure-route')!.evidence).toMatchObject({ permitInsecure: ['/legacy'] });
  });

  it('hostile names stay data', () => {
    const name = '{{constructor}}<b>';
    const [v] = verdicts(ctx(proxy(name, '{fqdn: "<i>x</i>.example.com"}')), 'HTTPProxy');
    expect(v).toMatchObject({ status: 'fail', resource: { name }, detailKey: 'host/<i>x</i>.example.com', evidence: { fqdn: '<i>x</i>.example.com' } });
    expect(v.message).toBe(`HTTPProxy web/${name} has no virtualhost.tls: <i>x</i>.example.com is served over plaintext HTTP.`);
  });
});

describe('an Ingress both ingress-nginx and Traefik serve (https://kubernetes.github.io/ingress-nginx/user-guide/cli-arguments/, --watch-ingress-without-class)', () => {
  const both = (nginxArgs: string[]) => ctx(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.12.1
          args: ${JSON.stringify(['/nginx-ingress-controller', ...nginxArgs])}
---
${traefik(['--providers.kubernetesingress', '--entrypoints.web.address=:80', '--entrypoints.websecure.address=:443'])}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
  annotations: {traefik.ingress.kubernetes.io/router.tls: "true"}
spec:
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}
`);

  it('fails a class-less Ingress without spec.tls that ingress-nginx serves too, though Traefik\'s router is TLS-only', () => {
    const [v] = verdicts(both(['--watch-ingress-without-class=true']), 'Ingress');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Ingress web/shop has no spec.tls: host shop.example.com is served over plaintext HTTP.');
  });

  it('passes it on Traefik\'s router TLS when ingress-nginx leaves class-less Ingresses alone', () => {
    const [v] = verdicts(both([]), 'Ingress');
    expect(v.status).toBe('pass');
    expect(v.message).toContain('served by a Traefik router with TLS');
  });
});

// The official Traefik Helm chart (traefik/traefik-helm-chart): values.yaml defines the entryPoints
// metrics (9100), traefik (8080), web (8000) and websecure (8443) and publishes on its Service only
// those with ports.<name>.expose.default: true (web, websecure; metrics and traefik are false);
// templates/_podtemplate.tpl names each container port after its entryPoint and
// templates/_service.tpl targets it by that name (targetPort: {{ default $name $config.targetPort }}).
// Traefik attaches a router that names no entryPoint to every TCP entryPoint but `traefik` when none
// is asDefault (traefik/traefik cmd/traefik/traefik.go getDefaultsEntrypoints;
// https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/#asdefault), so it
// answers on metrics too, but only inside the cluster: a ClusterIP port is reached from outside
// only through externalIPs (https://kubernetes.io/docs/concepts/services-networking/service/#external-ips).
describe('Traefik entryPoints that only clients inside the cluster reach (the Helm chart\'s metrics)', () => {
  const HELM_ARGS = [
    '--entryPoints.metrics.address=:9100/tcp', '--entryPoints.traefik.address=:8080/tcp', '--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp',
    '--metrics.prometheus=true', '--metrics.prometheus.entrypoint=metrics', '--providers.kubernetescrd', '--providers.kubernetesingress',
    '--entryPoints.web.http.redirections.entryPoint.to=:443', '--entryPoints.web.http.redirections.entryPoint.scheme=https', '--entryPoints.web.http.redirections.entryPoint.permanent=true',
    '--entryPoints.websecure.http.tls=true',
  ];
  const chart = (o: { service?: string | false; exposeMetrics?: boolean; hostNetwork?: boolean } = {}) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/instance: traefik-traefik}}
    spec:
      hostNetwork: ${o.hostNetwork === true}
      containers:
        - name: traefik
          image: docker.io/traefik:v3.5.0
          args: ${JSON.stringify(HELM_ARGS)}
          ports:
            - {name: metrics, containerPort: 9100, protocol: TCP}
            - {name: traefik, containerPort: 8080, protocol: TCP}
            - {name: web, containerPort: 8000, protocol: TCP}
            - {name: websecure, containerPort: 8443, protocol: TCP}
---
${o.service === false ? '' : `apiVersion: v1
kind: Service
metadata: {name: ${JSON.stringify(o.service ?? 'traefik')}, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app.kubernetes.io/name: traefik, app.kubernetes.io/instance: traefik-traefik}
  ports:
    - {port: 80, name: web, targetPort: web, protocol: TCP}
    - {port: 443, name: websecure, targetPort: websecure, protocol: TCP}
${o.exposeMetrics ? '    - {port: 9100, name: metrics, targetPort: metrics, protocol: TCP}\n' : ''}---
`}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: traefik
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
${ingressRoute('traefik.io', 'shop-crd', '', 'crd.example.com')}`;

  it('an Ingress with spec.tls and an IngressRoute without it are low findings, not high: plaintext answers only on metrics, which the LoadBalancer Service does not publish', () => {
    const c = ctx(chart());
    const [ing] = verdicts(c, 'Ingress');
    expect(ing).toMatchObject({ status: 'fail', severity: 'low', evidence: {
      inClusterPlaintextEntryPoints: ['metrics (port 9100)'],
      edgeWays: { web: ['Service traefik/traefik (LoadBalancer) port 80'], websecure: ['Service traefik/traefik (LoadBalancer) port 443'] },
    } });
    expect(ing.message).toBe('Host shop.example.com is kept off plaintext HTTP at the edge (web: a redirection of every request to https (--entrypoints.web.http.redirections.entrypoint.to=:443); websecure: TLS (--entrypoints.websecure.http.tls=true)), but Traefik\'s router for Ingress shop/shop also answers it over plaintext HTTP on entryPoint metrics (port 9100), which no LoadBalancer, NodePort or externalIPs Service selecting the Traefik pods publishes (nor hostNetwork or a hostPort): only clients inside the cluster reach it. Name the router\'s entryPoints (traefik.ingress.kubernetes.io/router.entrypoints), mark the edge ones asDefault, or set traefik.ingress.kubernetes.io/router.tls: "true".');
    const [ir] = verdicts(c, 'IngressRoute');
    expect(ir).toMatchObject({ status: 'fail', severity: 'low', evidence: { inClusterPlaintextEntryPoints: ['metrics (port 9100)'] } });
    expect(ir.message).toMatch(/^IngressRoute shop\/shop-crd has no spec\.tls: every entryPoint reached from outside the cluster keeps host crd\.example\.com off plaintext HTTP \(web: .*; websecure: .*\), but it is also served over plaintext HTTP on entryPoint metrics \(port 9100\), which no LoadBalancer, NodePort or externalIPs Service/);
  });

  it('the same entryPoint published at the edge (ports.metrics.expose.default: true, hostNetwork) is a high finding for both', () => {
    for (const c of [ctx(chart({ exposeMetrics: true })), ctx(chart({ hostNetwork: true }))]) {
      const [ing] = verdicts(c, 'Ingress');
      expect(ing).toMatchObject({ status: 'fail', evidence: { plaintextEntryPoints: ['metrics'] } });
      expect(ing.severity).toBeUndefined();
      expect(ing.message).toMatch(/^Host shop\.example\.com is served over plaintext HTTP on entryPoint metrics: /);
      const [ir] = verdicts(c, 'IngressRoute');
      expect(ir).toMatchObject({ status: 'fail', message: 'IngressRoute shop/shop-crd has no spec.tls: host crd.example.com is served over plaintext HTTP on entryPoint metrics.' });
      expect(ir.severity).toBeUndefined();
    }
    expect(verdicts(ctx(chart({ exposeMetrics: true })), 'Ingress')[0].evidence).toMatchObject({ edgeWays: { metrics: ['Service traefik/traefik (LoadBalancer) port 9100'] } });
  });

  it('a NodePort Service, or a ClusterIP one with externalIPs, is a way in from outside; a ClusterIP one alone is not', () => {
    const metricsSvc = (spec: string) => ctx(`${chart()}
apiVersion: v1
kind: Service
metadata: {name: traefik-metrics, namespace: traefik}
spec:
  ${spec}
  selector: {app.kubernetes.io/name: traefik}
  ports: [{port: 9100, name: metrics, targetPort: 9100}]
`);
    expect(verdicts(metricsSvc('type: NodePort'), 'Ingress')[0]).toMatchObject({ status: 'fail', evidence: { edgeWays: { metrics: ['Service traefik/traefik-metrics (NodePort) port 9100'] } } });
    expect(verdicts(metricsSvc('externalIPs: [203.0.113.7]'), 'Ingress')[0]).toMatchObject({ status: 'fail', evidence: { edgeWays: { metrics: ['Service traefik/traefik-metrics (externalIPs) port 9100'] } } });
    expect(verdicts(metricsSvc('type: NodePort'), 'Ingress')[0].severity).toBeUndefined();
    expect(verdicts(metricsSvc('type: ClusterIP'), 'Ingress')[0]).toMatchObject({ status: 'fail', severity: 'low' });
  });

  it('with no Service selecting the Traefik pods in the snapshot every entryPoint counts as at the edge, as before, and the evidence says so', () => {
    const [ing] = verdicts(ctx(chart({ service: false })), 'Ingress');
    expect(ing).toMatchObject({ status: 'fail', evidence: { plaintextEntryPoints: ['metrics'], exposure: 'no Service of the snapshot selects the pods of Deployment traefik/traefik: every entryPoint counts as reachable from outside the cluster' } });
    expect(ing.severity).toBeUndefined();
  });

  it('naming the edge entryPoints, or marking them asDefault, passes', () => {
    const named = ctx(chart().replace('metadata: {name: shop, namespace: shop}', 'metadata: {name: shop, namespace: shop, annotations: {traefik.ingress.kubernetes.io/router.entrypoints: "web,websecure"}}'));
    expect(verdicts(named, 'Ingress')).toMatchObject([{ status: 'pass' }]);
    const asDefault = ctx(chart().replace('"--entryPoints.websecure.http.tls=true"', '"--entryPoints.websecure.http.tls=true","--entryPoints.web.asDefault=true","--entryPoints.websecure.asDefault=true"'));
    expect(verdicts(asDefault, 'Ingress')).toMatchObject([{ status: 'pass' }]);
    expect(verdicts(asDefault, 'IngressRoute')).toMatchObject([{ status: 'pass' }]);
  });

  it('hostile Service names stay data in the evidence', () => {
    const name = '<img src=x onerror=alert(1)>{{x}}';
    const [ing] = verdicts(ctx(chart({ service: name, exposeMetrics: true })), 'Ingress');
    expect(ing.evidence).toMatchObject({ edgeWays: { metrics: [`Service traefik/${name} (LoadBalancer) port 9100`] } });
  });
});

describe('a host-less rule of an Ingress Traefik keeps off plaintext HTTP', () => {
  // doc.traefik.io reference/install-configuration/entrypoints: web redirects every request to
  // https, websecure has http.tls; both asDefault. The router answers no plaintext at all, so a TLS
  // entry without hosts leaves only the certificate in question, not plain HTTP.
  const args = ['--entryPoints.web.address=:8000/tcp', '--entryPoints.websecure.address=:8443/tcp', '--providers.kubernetesingress', '--entryPoints.web.http.redirections.entryPoint.to=:443', '--entryPoints.websecure.http.tls=true', '--entryPoints.web.asDefault=true', '--entryPoints.websecure.asDefault=true'];
  it('with a TLS entry without hosts: the named host passes, the host-less rule is a medium finding about the default certificate, not "still answers HTTP"', () => {
    const c = ctx(`${traefik(args)}
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: traefik
  tls: [{secretName: shop-tls}]
  rules:
    - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`);
    const vs = verdicts(c, 'Ingress');
    expect(vs.find((v) => v.detailKey === 'host/shop.example.com')).toMatchObject({ status: 'pass' });
    const hostless = vs.find((v) => v.detailKey === 'default')!;
    expect(hostless).toMatchObject({ status: 'fail', severity: 'medium', evidence: { tlsEntryWithoutHosts: true, securedEntryPoints: ['web: a redirection of every request to https (--entrypoints.web.http.redirections.entrypoint.to=:443)', 'websecure: TLS (--entrypoints.websecure.http.tls=true)'] } });
    expect(hostless.message).toBe('Ingress shop/shop\'s host-less rule (any Host header) is served by a Traefik router every entryPoint of which keeps it off plaintext HTTP (web: a redirection of every request to https (--entrypoints.web.http.redirections.entrypoint.to=:443); websecure: TLS (--entrypoints.websecure.http.tls=true)), but without a host name no certificate can be picked or requested for it, so it presents Traefik\'s default certificate. Name the hosts.');
    expect(hostless.message).not.toMatch(/answers HTTP/);
  });
});
