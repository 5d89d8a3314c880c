// A guard that stands in front of some routes of a host only leaves the others open, so the host
// passes tls.edge-auth-missing, edge-rate-limit-missing and edge-waf-missing only when every open
// route serving it is guarded:
// - Traefik builds one router per IngressRoute route entry, each with that entry's middlewares only
//   (traefik/traefik pkg/provider/kubernetes/crd/kubernetes_http.go@v3.3.4 line 64, the loop over
//   ingressRoute.Spec.Routes; line 81, makeMiddlewareKeys(route.Middlewares); line 116-117,
//   dynamic.Router{Middlewares: mds, Rule: route.Match}), so ForwardAuth on the `/login` route does
//   nothing for the requests the bare Host(`admin.example.com`) route takes.
// - An oauth2-proxy Service as the backend of one path authenticates that path only: the Ingress
//   serving the protected paths needs auth-url and auth-signin pointing at it (kubernetes/ingress-nginx
//   docs/examples/auth/oauth-external-auth/README.md@controller-v1.12.0 lines 13-28: "One Ingress
//   object has no special annotations and handles authentication. Other Ingress objects can then be
//   annotated …" with nginx.ingress.kubernetes.io/auth-url and auth-signin).
// - Contour decides external authorization and JWT verification per route
//   (projectcontour/contour internal/dag/httpproxy_processor.go@v1.30.0 lines 854-869: the route's
//   authPolicy, else the virtualhost's authorization.authPolicy, says whether it is disabled; lines
//   1079-1091: jwtVerificationPolicy.require names a provider for the route, else the default provider
//   applies unless the route disables it), so authorization kept on one route of two, or a JWT
//   provider required by one route without a default, leaves the other route open.
// A guard that applies to every route (an ingress-nginx auth-url annotation, the same Middleware on
// every route, a path to oauth2-proxy on each) still passes.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const verdict = (check: Check, c: AuditContext) => {
  const v = [...check.evaluate(c)];
  expect(v).toHaveLength(1);
  return v[0];
};

const app = (ns: string) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, image: "admin:1", ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: ${ns}}
spec: {selector: {app: admin}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: oauth2-proxy, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: oauth2-proxy}}
  template:
    metadata: {labels: {app: oauth2-proxy}}
    spec: {containers: [{name: c, image: "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", ports: [{containerPort: 4180}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: oauth2-proxy, namespace: ${ns}}
spec: {selector: {app: oauth2-proxy}, ports: [{port: 4180}]}
`;

const traefik = `---
apiVersion: v1
kind: Namespace
metadata: {name: traefik}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers:
      - name: traefik
        image: docker.io/traefik:v3.3.4
        args: ["--entrypoints.websecure.address=:8443", "--entrypoints.websecure.http.tls=true", "--providers.kubernetescrd"]
        ports: [{name: websecure, containerPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app: traefik}
  ports: [{name: websecure, port: 443, targetPort: websecure}]
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: auth, namespace: app}
spec: {forwardAuth: {address: "http://oauth.example.com/verify"}}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: rl, namespace: app}
spec: {rateLimit: {average: 100, burst: 50}}
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: waf, namespace: app}
spec: {plugin: {coraza: {directives: ["SecRuleEngine On"]}}}
`;

/** An IngressRoute app/admin for admin.example.com: a `/login` route and a bare host route, with the middlewares given (YAML flow text, '' for none). */
const ingressRoute = (login: string, rest: string, restBackend = 'admin', restPort = 80) => `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: admin, namespace: app}
spec:
  entryPoints: [websecure]
  routes:
  - match: Host(\`admin.example.com\`) && PathPrefix(\`/login\`)
    kind: Rule
    services: [{name: admin, port: 80}]${login ? `\n    middlewares: ${login}` : ''}
  - match: Host(\`admin.example.com\`)
    kind: Rule
    services: [{name: ${restBackend}, port: ${restPort}}]${rest ? `\n    middlewares: ${rest}` : ''}
  tls: {}
`;
const GUARDS = '[{name: auth}, {name: rl}, {name: waf}]';
const traefikCase = (login: string, rest: string, restBackend?: string, restPort?: number) => ctx(app('app') + traefik + ingressRoute(login, rest, restBackend, restPort));

describe('Traefik: middlewares on one route of an IngressRoute guard that route only', () => {
  it('ForwardAuth, RateLimit and a WAF plugin on the /login route only: the host fails all three checks, naming the bare route', () => {
    const c = traefikCase(GUARDS, '');
    const bare = 'IngressRoute app/admin route "Host(`admin.example.com`)" serves admin.example.com without it';
    const auth = verdict(edgeAuthMissing, c);
    // Before: passed, "admin.example.com: Traefik Middleware app/auth forwardAuth".
    expect(auth.status).toBe('fail');
    expect(auth.message).toContain('with no authentication in front of it');
    expect(auth.message).toContain(`Traefik Middleware app/auth forwardAuth stands only in front of IngressRoute app/admin route "Host(\`admin.example.com\`) && PathPrefix(\`/login\`)": ${bare}`);
    const rate = verdict(edgeRateLimitMissing, c);
    expect(rate.status).toBe('fail');
    expect(rate.message).toContain(`Traefik Middleware app/rl rateLimit stands only in front of IngressRoute app/admin route "Host(\`admin.example.com\`) && PathPrefix(\`/login\`)": ${bare}`);
    const waf = verdict(edgeWafMissing, c);
    expect(waf.status).toBe('fail');
    expect(waf.message).toContain(`Traefik Middleware app/waf plugin coraza stands only in front of IngressRoute app/admin route "Host(\`admin.example.com\`) && PathPrefix(\`/login\`)": ${bare}`);
  });

  it('the same guards on every route: the host passes (a guard on all routes is not flipped)', () => {
    const c = traefikCase(GUARDS, GUARDS);
    expect(verdict(edgeAuthMissing, c)).toMatchObject({ status: 'pass', message: 'admin.example.com: Traefik Middleware app/auth forwardAuth' });
    expect(verdict(edgeRateLimitMissing, c)).toMatchObject({ status: 'pass', message: 'admin.example.com: Traefik Middleware app/rl rateLimit' });
    expect(verdict(edgeWafMissing, c)).toMatchObject({ status: 'pass', message: 'admin.example.com: Traefik Middleware app/waf plugin coraza' });
  });

  it('different guards on each route (a chain on one, the Middleware itself on the other) still cover the host', () => {
    const chain = `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: guarded, namespace: app}
spec: {chain: {middlewares: [{name: auth}]}}
`;
    const c = ctx(app('app') + traefik + chain + ingressRoute('[{name: auth}]', '[{name: guarded}]'));
    expect(verdict(edgeAuthMissing, c).status).toBe('pass');
  });

  it('ForwardAuth on the /login route and the rest sent to an oauth2-proxy: every route is guarded, so the host passes', () => {
    const c = traefikCase('[{name: auth}]', '', 'oauth2-proxy', 4180);
    const v = verdict(edgeAuthMissing, c);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('admin.example.com: Traefik Middleware app/auth forwardAuth; oauth2-proxy in the path (Service app/oauth2-proxy)');
  });
});

const nginx = `---
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: ["/nginx-ingress-controller", "--ingress-class=nginx"]
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  type: LoadBalancer
  selector: {app: c}
  ports: [{name: https, port: 443, targetPort: 443}, {name: http, port: 80, targetPort: 80}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
`;
/** Ingress app/admin for admin.example.com with the given annotations and paths (YAML flow entries). */
const ingress = (paths: string[], annotations = '') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: app${annotations ? `\n  annotations: ${annotations}` : ''}
spec:
  ingressClassName: nginx
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http:
      paths:
${paths.map((p) => `      - ${p}`).join('\n')}
`;
const OAUTH = '{path: /oauth2, pathType: Prefix, backend: {service: {name: oauth2-proxy, port: {number: 4180}}}}';
const ROOT = '{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}';

describe('ingress-nginx: an oauth2-proxy backend authenticates the paths sent to it only', () => {
  it('/oauth2 to oauth2-proxy and / to the app without auth-url: the host fails, naming the unguarded path', () => {
    const v = verdict(edgeAuthMissing, ctx(app('app') + nginx + ingress([OAUTH, ROOT])));
    // Before: passed, "admin.example.com: oauth2-proxy in the path (Service app/oauth2-proxy)".
    expect(v.status).toBe('fail');
    expect(v.message).toContain('oauth2-proxy in the path (Service app/oauth2-proxy) stands only in front of admin.example.com/oauth2 → Ingress app/admin → Service app/oauth2-proxy:4180: admin.example.com/ → Ingress app/admin → Service app/admin:80 serves admin.example.com without it');
  });

  it('the same Ingress with auth-url and auth-signin, as the ingress-nginx example has it: passes on auth-url', () => {
    const v = verdict(edgeAuthMissing, ctx(app('app') + nginx + ingress([OAUTH, ROOT], '{nginx.ingress.kubernetes.io/auth-url: "https://$host/oauth2/auth", nginx.ingress.kubernetes.io/auth-signin: "https://$host/oauth2/start?rd=$escaped_request_uri"}')));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('ingress-nginx auth-url https://$host/oauth2/auth');
  });

  it('every path to the oauth2-proxy (it proxies the app upstream): passes', () => {
    const ALL = '{path: /, pathType: Prefix, backend: {service: {name: oauth2-proxy, port: {number: 4180}}}}';
    const v = verdict(edgeAuthMissing, ctx(app('app') + nginx + ingress([OAUTH, ALL])));
    expect(v).toMatchObject({ status: 'pass', message: 'admin.example.com: oauth2-proxy in the path (Service app/oauth2-proxy)' });
  });
});

/** HTTPProxy app/admin for admin.example.com with the given virtualhost extras and two routes, /login and /, each with its extras. */
const contour = (vh: string, login: string, root: string) => app('app') + `---
apiVersion: v1
kind: Namespace
metadata: {name: projectcontour}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: envoy, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: envoy}}
  template:
    metadata: {labels: {app: envoy}}
    spec: {containers: [{name: envoy, image: "envoyproxy/envoy:v1.33.0"}]}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: admin, namespace: app}
spec:
  virtualhost: {fqdn: admin.example.com, tls: {secretName: admin-tls}${vh}}
  routes:
  - {conditions: [{prefix: /login}], services: [{name: admin, port: 80}]${login}}
  - {conditions: [{prefix: /}], services: [{name: admin, port: 80}]${root}}
`;
const AUTHZ = ', authorization: {extensionRef: {name: htpasswd, namespace: auth}}';
const JWT = (dflt: boolean) => `, jwtProviders: [{name: idp, issuer: https://idp.example.com, ${dflt ? 'default: true, ' : ''}remoteJWKS: {uri: "https://idp.example.com/jwks.json"}}]`;

describe('Contour: authorization and JWT verification are decided per route', () => {
  it('authorization disabled on the / route: the host fails, naming it', () => {
    const v = verdict(edgeAuthMissing, ctx(contour(AUTHZ, '', ', authPolicy: {disabled: true}')));
    // Before: passed, "admin.example.com: Contour external authorization htpasswd".
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Contour external authorization htpasswd on some routes only: routes[1] (/) of HTTPProxy app/admin goes without');
  });

  it('disabled on the virtualhost and turned back on for /login only: fails; turned on for both: passes', () => {
    const off = ', authorization: {extensionRef: {name: htpasswd, namespace: auth}, authPolicy: {disabled: true}}';
    expect(verdict(edgeAuthMissing, ctx(contour(off, ', authPolicy: {disabled: false}', ''))).status).toBe('fail');
    expect(verdict(edgeAuthMissing, ctx(contour(off, ', authPolicy: {disabled: false}', ', authPolicy: {disabled: false}'))).status).toBe('pass');
  });

  it('a JWT provider required by /login only, no default: fails; a default provider (every route unless it opts out): passes', () => {
    const one = verdict(edgeAuthMissing, ctx(contour(JWT(false), ', jwtVerificationPolicy: {require: idp}', '')));
    // Before: passed, "admin.example.com: Contour JWT verification".
    expect(one.status).toBe('fail');
    expect(verdict(edgeAuthMissing, ctx(contour(JWT(true), '', ''))).status).toBe('pass');
    expect(verdict(edgeAuthMissing, ctx(contour(JWT(true), '', ', jwtVerificationPolicy: {disabled: true}'))).status).toBe('fail');
  });

  it('authorization off on / but a default JWT provider there: every route is guarded by one or the other, so the host passes', () => {
    const v = verdict(edgeAuthMissing, ctx(contour(AUTHZ + JWT(true), '', ', authPolicy: {disabled: true}')));
    expect(v).toMatchObject({ status: 'pass', message: 'admin.example.com: Contour external authorization htpasswd; Contour JWT verification' });
  });
});
