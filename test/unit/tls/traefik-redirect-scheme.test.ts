// A Traefik router whose RedirectScheme middleware sends every request to https serves nothing
// over plaintext and forwards nothing: tls.ingress-without-tls passes it and the edge guards
// (auth, rate limit, WAF) do not judge it. The two fixtures are the reviewer's repros
// (an IngressRoute, and an Ingress naming the Middleware in router.middlewares).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

// "The RedirectScheme middleware redirects the request if the request scheme is different from the configured scheme."
const REDIRECT_SCHEME = 'https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/redirectscheme/';
// "traefik.ingress.kubernetes.io/router.middlewares: auth@file,default-prefix@kubernetescrd"
const INGRESS_MIDDLEWARES = 'https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/#annotations';
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/traefik-redirect/${name}`, import.meta.url), 'utf8');

function run(check: string, yaml: string) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  const [o] = runChecks([CHECK_BY_ID.get(check)!], { snapshot: snapshotFromObjects(objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
  expect(o.status, o.reason).not.toBe('error');
  return o.results.map((r) => ({ status: r.status, name: r.resource.name, message: r.message }));
}
/** tls.ingress-without-tls's own verdicts, pass messages included. */
function verdicts(yaml: string) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  return [...ingressWithoutTls.evaluate({ snapshot: snapshotFromObjects(objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') })].map((v) => ({ status: v.status, name: v.resource.name, message: v.message }));
}
const of = (results: ReturnType<typeof run>, name: string) => results.filter((r) => r.name === name);
const EDGE_GUARDS = ['tls.edge-auth-missing', 'tls.edge-rate-limit-missing', 'tls.edge-waf-missing'];

describe(`Traefik RedirectScheme to https (${REDIRECT_SCHEME})`, () => {
  it('IngressRoute on entryPoint web whose route uses a redirectScheme {scheme: https} Middleware: passes, naming the Middleware', () => {
    const rs = verdicts(fixture('ingressroute.yaml'));
    expect(of(rs, 'app-http')).toEqual([{ status: 'pass', name: 'app-http', message: 'IngressRoute web/app-http has no spec.tls, but every route of it answers host a.example.com with a redirect to https (Traefik Middleware web/to-https (redirectScheme to https, permanent)): nothing is served over plaintext HTTP.' }]);
    expect(of(rs, 'app-https')[0].status).toBe('pass');
  });

  it(`Ingress naming the Middleware in traefik.ingress.kubernetes.io/router.middlewares (${INGRESS_MIDDLEWARES}): passes`, () => {
    const rs = verdicts(fixture('ingress.yaml'));
    expect(of(rs, 'app-http')).toMatchObject([{ status: 'pass', message: 'Host a.example.com is served by a Traefik router that answers every plaintext request with a redirect to https (Traefik Middleware web/to-https (redirectScheme to https, permanent), traefik.ingress.kubernetes.io/router.middlewares).' }]);
  });

  it('scheme: http, no scheme, a missing Middleware, or one route of two without it: still fails, the message saying why', () => {
    const base = fixture('ingressroute.yaml');
    const http = run('tls.ingress-without-tls', base.replace('{scheme: https, permanent: true}', '{scheme: http}'));
    expect(of(http, 'app-http')).toMatchObject([{ status: 'fail', message: expect.stringContaining('Its middlewares do not redirect it to https: Traefik Middleware web/to-https redirects to scheme http, not https.') }]);
    const none = run('tls.ingress-without-tls', base.replace('{scheme: https, permanent: true}', '{permanent: true}'));
    expect(of(none, 'app-http')[0].status).toBe('fail');
    // The manifests hold no Namespace web, so whether Traefik has Middleware web/gone cannot be told: judged as served.
    const missing = run('tls.ingress-without-tls', base.replace('middlewares: [{name: to-https}]', 'middlewares: [{name: gone}]'));
    expect(of(missing, 'app-http')).toMatchObject([{ status: 'fail', message: expect.stringContaining('Traefik Middleware web/gone, which IngressRoute web/app-http uses, is not in the input') }]);
    // With Namespace web in them it surely does not exist, and Traefik serves no router naming it
    // (pkg/server/router/router.go buildEntryPointHandler skips it: traefik-missing-middleware.test.ts): nothing to judge.
    const declared = `${base.replace('middlewares: [{name: to-https}]', 'middlewares: [{name: gone}]')}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n`;
    expect(of(run('tls.ingress-without-tls', declared), 'app-http')).toEqual([]);
    const half = run('tls.ingress-without-tls', base.replace("  - match: Host(`a.example.com`)\n    kind: Rule\n    middlewares", "  - match: Host(`b.example.com`)\n    kind: Rule\n    services: [{name: app, port: 80}]\n  - match: Host(`a.example.com`)\n    kind: Rule\n    middlewares"));
    expect(of(half, 'app-http')[0].status).toBe('fail');
  });

  it('a Middleware that may answer (basicAuth) ahead of the redirect does not count, and a route naming one in another namespace is refused', () => {
    const base = fixture('ingressroute.yaml');
    const auth = base.replace('middlewares: [{name: to-https}]', 'middlewares: [{name: login}, {name: to-https}]')
      + '\n---\napiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: login, namespace: web}\nspec: {basicAuth: {secret: users}}\n';
    expect(of(run('tls.ingress-without-tls', auth), 'app-http')).toMatchObject([{ status: 'fail', message: expect.stringContaining('Traefik Middleware web/login (basicAuth) comes ahead of any redirection to https') }]);
    const chain = base.replace('middlewares: [{name: to-https}]', 'middlewares: [{name: both}]')
      + '\n---\napiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: both, namespace: web}\nspec: {chain: {middlewares: [{name: hdr}, {name: to-https}]}}\n---\napiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: hdr, namespace: web}\nspec: {headers: {customRequestHeaders: {X-A: b}}}\n';
    expect(of(verdicts(chain), 'app-http')[0].status).toBe('pass');
    const other = base.replace('middlewares: [{name: to-https}]', 'middlewares: [{name: to-https, namespace: traefik}]').replace('metadata: {name: to-https, namespace: web}', 'metadata: {name: to-https, namespace: traefik}');
    // Without allowCrossNamespace Traefik refuses the route naming it (makeMiddlewareKeys), so it serves nothing to judge.
    expect(of(run('tls.ingress-without-tls', other), 'app-http')).toEqual([]);
  });

  // allowCrossNamespace binds the kubernetescrd provider's own references (IngressRoute
  // middlewares, chains: traefik pkg/provider/kubernetes/crd/kubernetes.go resolveReference); the
  // Ingress provider hands router.middlewares "<ns>-<name>@kubernetescrd" on as written
  // (pkg/provider/kubernetes/ingress; traefik/traefik#6284, traefik/traefik-helm-chart#1685).
  it('an Ingress naming a RedirectScheme Middleware of another namespace in router.middlewares: passes, and the edge guards skip it', () => {
    const xns = fixture('ingress.yaml').replace('metadata: {name: to-https, namespace: web}', 'metadata: {name: to-https, namespace: traefik}').replace('web-to-https@kubernetescrd', 'traefik-to-https@kubernetescrd');
    expect(xns).toContain('traefik-to-https@kubernetescrd');
    expect(of(verdicts(xns), 'app-http')).toMatchObject([{ status: 'pass', message: expect.stringContaining('Traefik Middleware traefik/to-https (redirectScheme to https, permanent)') }]);
    for (const check of EDGE_GUARDS) expect(of(run(check, xns), 'app-http'), check).toEqual([]);
    // A chain it leads to is the CRD provider's: a member of a third namespace does not count where
    // the release refuses it (from v2.11.43, v3.6.14, v3.7.0: traefik commit df00d82fc7); v3.3.4
    // built the chain unchecked (kubernetes.go@v3.3.4 createChainMiddleware), so there it redirects.
    const chainedOld = xns.replace('metadata: {name: to-https, namespace: traefik}\nspec:\n  redirectScheme: {scheme: https, permanent: true}', 'metadata: {name: to-https, namespace: traefik}\nspec:\n  chain: {middlewares: [{name: real, namespace: edge}]}\n---\napiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata: {name: real, namespace: edge}\nspec:\n  redirectScheme: {scheme: https}');
    expect(chainedOld).toContain('name: real, namespace: edge');
    expect(of(verdicts(chainedOld), 'app-http')).toMatchObject([{ status: 'pass', message: expect.stringContaining('Traefik Middleware edge/real (redirectScheme to https)') }]);
    const chained = chainedOld.replace('docker.io/traefik:v3.3.4', 'docker.io/traefik:v3.6.14');
    expect(chained).toContain('traefik:v3.6.14');
    // There the chain is not built and the Ingress's routers fail: nothing served to judge.
    expect(of(run('tls.ingress-without-tls', chained), 'app-http')).toEqual([]);
  });

  it('the edge guards judge only the route that forwards: no auth, rate-limit or WAF finding for the redirect-only one', () => {
    for (const file of ['ingressroute.yaml', 'ingress.yaml']) {
      for (const check of EDGE_GUARDS) {
        const rs = run(check, fixture(file));
        expect(of(rs, 'app-http'), `${file} ${check}`).toEqual([]);
        expect(of(rs, 'app-https').length, `${file} ${check}`).toBeGreaterThan(0);
      }
    }
    // With scheme: http the route forwards, so it is judged again.
    const http = run('tls.edge-auth-missing', fixture('ingressroute.yaml').replace('{scheme: https, permanent: true}', '{scheme: http}'));
    expect(of(http, 'app-http').map((r) => r.status)).toEqual(['fail']);
  });
});

// The same Traefik with its entryPoints in a traefik.toml of a ConfigMap mounted at /etc/traefik
// instead of its arguments (https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file).
const fromToml = (yaml: string) => `${yaml.replace(
  '        args: ["--entryPoints.web.address=:8000/tcp", "--entryPoints.websecure.address=:8443/tcp", "--providers.kubernetescrd"]',
  '        volumeMounts: [{name: config, mountPath: /etc/traefik}]',
).replace('      serviceAccountName: traefik\n', '      serviceAccountName: traefik\n      volumes: [{name: config, configMap: {name: traefik-config}}]\n')}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data:
  traefik.toml: |
    [entryPoints.web]
      address = ":8000/tcp"
    [entryPoints.websecure]
      address = ":8443/tcp"
    [providers.kubernetesCRD]
`;

describe('a Traefik whose entryPoints are in its traefik.toml: the same as in its arguments', () => {
  it('the redirect-only IngressRoute on entryPoint web (plain http in the file): passes, and the edge guards skip it', () => {
    const yaml = fromToml(fixture('ingressroute.yaml'));
    expect(yaml).not.toContain('--providers.kubernetescrd');
    expect(yaml).toContain('volumes: [{name: config, configMap: {name: traefik-config}}]');
    expect(of(verdicts(yaml), 'app-http').map((r) => r.status)).toEqual(['pass']);
    for (const check of EDGE_GUARDS) {
      const rs = run(check, yaml);
      expect(of(rs, 'app-http'), check).toEqual([]);
      expect(of(rs, 'app-https').length, check).toBeGreaterThan(0);
    }
  });
});

describe('tls.edge-rate-limit-missing on a Traefik IngressRoute without middlewares', () => {
  it('says what it looked at: the IngressRoute, which uses no Traefik Middlewares', () => {
    const rs = run('tls.edge-rate-limit-missing', fixture('ingressroute.yaml'));
    expect(of(rs, 'app-https').map((r) => r.message)).toEqual(['a.example.com is exposed through Traefik (a.example.com/ → IngressRoute web/app-https → Service web/app:80) with no rate limit. Looked at: IngressRoute web/app-https, which uses no Traefik Middlewares (spec.routes[].middlewares).']);
  });
});
