// Reference cases for the edge guards, each citing the documentation page that says what the
// controller does with the setting (read through the search tool; no upstream code is used).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { exposureNotes, networkExposure } from '../../../src/analysis/netpol/exposure.ts';
import { edgeWaf, exposedHosts } from '../../../src/analysis/edge/guards.ts';

const NGINX_ANNOTATIONS = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/';
const NGINX_CONFIGMAP_GLOBAL_AUTH = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#global-auth-url';
const NGINX_CONFIGMAP_SNIPPETS = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#allow-snippet-annotations';
const NGINX_MODSECURITY = 'https://kubernetes.github.io/ingress-nginx/user-guide/third-party-addons/modsecurity/';
const TRAEFIK_MIDDLEWARES = 'https://doc.traefik.io/traefik/v2.10/middlewares/http/overview';
const CONTOUR_RATE_LIMITING = 'https://projectcontour.io/docs/1.25/config/rate-limiting';
const CONTOUR_CLIENT_AUTHORIZATION = 'https://projectcontour.io/docs/1.26/config/client-authorization';
const ISTIO_REQUEST_AUTHENTICATION = 'https://istio.io/docs/reference/config/security/request_authentication';
const ISTIO_AUTHORIZATION_POLICY = 'https://istio.io/latest/docs/reference/config/security/authorization-policy/';
const ENVOY_GATEWAY_SECURITY_POLICY = 'https://gateway.envoyproxy.io/docs/concepts/gateway_api_extensions/security-policy';

const nginx = (cm = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec: {containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.15.1", args: [/nginx-ingress-controller, --configmap=ingress-nginx/ingress-nginx-controller]}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {${cm}}
`;
const backend = (extra = '') => `
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, image: "admin:1", ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: shop}
spec: {selector: {app: admin}, ports: [{name: http, port: 80, targetPort: http}]}
${extra}`;
const ingress = (annotations: string) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: shop
  annotations: {${annotations}}
spec:
  ingressClassName: nginx
  rules: [{host: admin.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}}]
`;

function run(check: string, yaml: string, config: Config = defaultConfig()) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  const snapshot = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
  const [o] = runChecks([CHECK_BY_ID.get(check)!], { snapshot, config, now: new Date('2026-12-01T00:00:00Z') });
  expect(o.status, o.reason).not.toBe('error');
  return { status: o.status, messages: o.results.filter((r) => r.status === 'fail').map((r) => r.message) };
}

describe(`ingress-nginx annotations (${NGINX_ANNOTATIONS})`, () => {
  it('External Authentication: auth-url (and auth-signin) put an auth request in front', () => {
    expect(run('tls.edge-auth-missing', nginx() + backend() + ingress('nginx.ingress.kubernetes.io/auth-url: "https://auth.example.com/oauth2/auth"')).status).toBe('pass');
  });
  it('Authentication: auth-type is basic or digest, with auth-secret; another type authenticates nothing', () => {
    expect(run('tls.edge-auth-missing', nginx() + backend() + ingress('nginx.ingress.kubernetes.io/auth-type: digest, nginx.ingress.kubernetes.io/auth-secret: users')).status).toBe('pass');
    const r = run('tls.edge-auth-missing', nginx() + backend() + ingress('nginx.ingress.kubernetes.io/auth-type: oidc, nginx.ingress.kubernetes.io/auth-secret: users'));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('auth-type "oidc" is not basic or digest');
  });
  it('Rate Limiting: limit-connections, limit-rps and limit-rpm each limit a client', () => {
    for (const a of ['limit-connections: "5"', 'limit-rps: "10"', 'limit-rpm: "600"']) {
      expect(run('tls.edge-rate-limit-missing', nginx() + backend() + ingress(`nginx.ingress.kubernetes.io/${a}`)).status, a).toBe('pass');
    }
  });
  it('"Annotation keys and values can only be strings": a manifest with an unquoted number is skipped, named, its kind not read', () => {
    // kubectl refuses such an object too, so it is no Ingress the cluster could hold: the checks
    // that read Ingresses are not evaluated on a guess (src/collect/manifests.ts).
    const parsed = parseManifestText(nginx() + backend() + ingress('nginx.ingress.kubernetes.io/limit-rps: 10'), 'case.yaml');
    expect(parsed.objects.some((o) => o.kind === 'Ingress')).toBe(false);
    expect(parsed.notes.join('\n')).toMatch(/case\.yaml:\d+: skipped a Ingress whose metadata\.annotations\.nginx\.ingress\.kubernetes\.io\/limit-rps is a number \(10\), not a string/);
    expect(parsed.broken.map((b) => b.kind)).toEqual(['ingresses']);
  });
  it('"Annotation keys and values can only be strings": an object handed in with a number is named, not crashed on', () => {
    const { objects } = parseManifestText(nginx() + backend() + ingress('nginx.ingress.kubernetes.io/limit-rps: "10"'), 'case.yaml');
    for (const o of objects) if (o.kind === 'Ingress') o.metadata!.annotations!['nginx.ingress.kubernetes.io/limit-rps'] = 10 as never;
    const snapshot = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
    const [o] = runChecks([CHECK_BY_ID.get('tls.edge-rate-limit-missing')!], { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
    expect(o.status).toBe('fail');
    expect(o.results.filter((r) => r.status === 'fail')[0]?.message).toContain('annotation nginx.ingress.kubernetes.io/limit-rps is not a string');
  });
  it('ModSecurity: enable-modsecurity with enable-owasp-core-rules on the Ingress', () => {
    expect(run('tls.edge-waf-missing', nginx() + backend() + ingress('nginx.ingress.kubernetes.io/enable-modsecurity: "true", nginx.ingress.kubernetes.io/enable-owasp-core-rules: "true"')).status).toBe('pass');
    expect(run('tls.edge-waf-missing', nginx() + backend() + ingress('nginx.ingress.kubernetes.io/enable-modsecurity: "true"')).status).toBe('fail');
  });
});

describe('nginx annotations left on an Ingress another controller serves (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class)', () => {
  it('the IngressClass names the controller: ingress-nginx auth, rate-limit and ModSecurity annotations on a Traefik Ingress guard nothing', () => {
    const traefik = (annotations: string) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
` + backend() + ingress(annotations).replace('ingressClassName: nginx', 'ingressClassName: traefik');
    const p = 'nginx.ingress.kubernetes.io/';
    const auth = run('tls.edge-auth-missing', traefik(`${p}auth-url: "https://auth.example.com/oauth2/auth"`));
    expect(auth.status).toBe('fail');
    expect(auth.messages[0]).toContain('nginx.ingress.kubernetes.io/* annotations on Ingress shop/admin left aside: Traefik (IngressClass traefik) serves it, not ingress-nginx');
    expect(run('tls.edge-rate-limit-missing', traefik(`${p}limit-rps: "10"`)).status).toBe('fail');
    expect(run('tls.edge-waf-missing', traefik(`${p}enable-modsecurity: "true", ${p}enable-owasp-core-rules: "true"`)).status).toBe('fail');
  });
});

describe(`ingress-nginx global-auth-url in the controller ConfigMap (${NGINX_CONFIGMAP_GLOBAL_AUTH})`, () => {
  it('"provides authentication for all the locations"; an Ingress is excluded by enable-global-auth "false" (read with strconv.ParseBool; unparsable keeps it on)', () => {
    const cm = 'global-auth-url: "https://auth.example.com/oauth2/auth", global-auth-signin: "https://auth.example.com/oauth2/start"';
    const r = run('tls.edge-auth-missing', nginx(cm) + backend() + ingress(''));
    expect(r.status).toBe('pass');
    expect(run('tls.edge-auth-missing', nginx(cm) + backend() + ingress('nginx.ingress.kubernetes.io/enable-global-auth: "yes"')).status).toBe('pass');
    for (const off of ['"false"', '"False"', '"0"']) {
      const m = run('tls.edge-auth-missing', nginx(cm) + backend() + ingress(`nginx.ingress.kubernetes.io/enable-global-auth: ${off}`));
      expect(m.status, off).toBe('fail');
      expect(m.messages[0]).toContain(`turned off for Ingress shop/admin by annotation nginx.ingress.kubernetes.io/enable-global-auth: ${off}`);
    }
  });
});

describe(`ingress-nginx ModSecurity in the controller ConfigMap (${NGINX_MODSECURITY})`, () => {
  it('enable-modsecurity: "true" plus the OWASP Core Rule Set (enable-owasp-modsecurity-crs) is a WAF; the engine mode is reported', () => {
    const { objects } = parseManifestText(nginx('enable-modsecurity: "true", enable-owasp-modsecurity-crs: "true"') + backend() + ingress(''), 'case.yaml');
    const snapshot = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
    const [o] = runChecks([CHECK_BY_ID.get('tls.edge-waf-missing')!], { snapshot, config: defaultConfig(), now: new Date() });
    expect(o.status).toBe('pass');
    expect(edgeWaf(snapshot, exposedHosts(snapshot, defaultConfig())[0], 'istio-system').found).toEqual(['ingress-nginx ModSecurity with the OWASP Core Rule Set (ConfigMap ingress-nginx/ingress-nginx-controller; default engine mode DetectionOnly unless a modsecurity-snippet sets SecRuleEngine On)']);
  });
  it('ModSecurity without the rule set is not counted, and says so', () => {
    const r = run('tls.edge-waf-missing', nginx('enable-modsecurity: "true"') + backend() + ingress(''));
    expect(r.messages[0]).toContain('enables ModSecurity without the OWASP Core Rule Set');
  });
});

describe(`ingress-nginx modsecurity-snippet annotation (${NGINX_CONFIGMAP_SNIPPETS})`, () => {
  // allow-snippet-annotations defaults to false; annotations-risk-level defaults to High (from
  // v1.12, changelog/controller-1.12.0.md) and a modsecurity-snippet is a Critical-risk annotation.
  const snippet = 'nginx.ingress.kubernetes.io/enable-modsecurity: "true", nginx.ingress.kubernetes.io/modsecurity-snippet: "SecRuleEngine On\\nSecRule REQUEST_URI \\"@contains /admin\\" \\"id:1001,phase:1,deny,status:403\\""';
  const at = (version: string, cm: string) => nginx(cm).replace('controller:v1.15.1', version);
  it('default ConfigMap: the snippet is dropped, so its rules are no WAF', () => {
    const r = run('tls.edge-waf-missing', at('controller:v1.12.1', '') + backend() + ingress(snippet));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('annotation nginx.ingress.kubernetes.io/modsecurity-snippet on Ingress shop/admin is dropped: ConfigMap ingress-nginx/ingress-nginx-controller does not set allow-snippet-annotations "true" (default false)');
  });
  it('allow-snippet-annotations "true" with the v1.12+ default risk level (High) still refuses it; Critical, or a controller before v1.12, applies it', () => {
    const high = run('tls.edge-waf-missing', at('controller:v1.12.1', 'allow-snippet-annotations: "true"') + backend() + ingress(snippet));
    expect(high.status).toBe('fail');
    expect(high.messages[0]).toContain('above the default annotations-risk-level High of ingress-nginx v1.12');
    expect(run('tls.edge-waf-missing', at('controller:v1.12.1', 'allow-snippet-annotations: "true", annotations-risk-level: "Medium"') + backend() + ingress(snippet)).status).toBe('fail');
    expect(run('tls.edge-waf-missing', at('controller:v1.12.1', 'allow-snippet-annotations: "true", annotations-risk-level: Critical') + backend() + ingress(snippet)).status).toBe('pass');
    expect(run('tls.edge-waf-missing', at('controller:v1.11.3', 'allow-snippet-annotations: "true"') + backend() + ingress(snippet)).status).toBe('pass');
  });
  it('an unknown controller version leaves the default risk level unknown: the snippet is not counted, and the message says why', () => {
    const r = run('tls.edge-waf-missing', at('controller@sha256:' + 'a'.repeat(64), 'allow-snippet-annotations: "true"') + backend() + ingress(snippet));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('does not set annotations-risk-level and the controller version is unknown');
  });
});

describe(`Traefik middlewares (${TRAEFIK_MIDDLEWARES})`, () => {
  const traefik = (mw: string, group = 'traefik.io') => `
apiVersion: v1
kind: Namespace
metadata: {name: traefik}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: traefik}}
  template:
    metadata: {labels: {app.kubernetes.io/name: traefik}}
    spec: {containers: [{name: traefik, image: "traefik:v3.3"}]}
---
apiVersion: ${group}/v1alpha1
kind: Middleware
metadata: {name: guard, namespace: shop}
spec: ${mw}
---
apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata: {name: admin, namespace: shop}
spec:
  routes: [{match: "Host(\`admin.example.com\`)", kind: Rule, services: [{name: admin, port: 80}], middlewares: [{name: guard}]}]
` + backend();
  it('ForwardAuth delegates authentication to an external service; BasicAuth restricts access to known users', () => {
    expect(run('tls.edge-auth-missing', traefik('{forwardAuth: {address: "http://auth.auth.svc:4181"}}')).status).toBe('pass');
    expect(run('tls.edge-auth-missing', traefik('{basicAuth: {secret: users}}', 'traefik.containo.us')).status).toBe('pass');
    expect(run('tls.edge-auth-missing', traefik('{headers: {frameDeny: true}}')).status).toBe('fail');
  });
  it('RateLimit ensures services receive a fair amount of requests', () => {
    expect(run('tls.edge-rate-limit-missing', traefik('{rateLimit: {average: 100}}')).status).toBe('pass');
    expect(run('tls.edge-rate-limit-missing', traefik('{compress: {}}')).status).toBe('fail');
  });
});

describe(`Contour HTTPProxy (${CONTOUR_RATE_LIMITING}, ${CONTOUR_CLIENT_AUTHORIZATION})`, () => {
  const contour = (vh: string, route = '') => `
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
metadata: {name: admin, namespace: shop}
spec:
  virtualhost: {fqdn: admin.example.com${vh}}
  routes: [{conditions: [{prefix: /}], services: [{name: admin, port: 80}]${route}}]
` + backend();
  it('local rate limit policies apply to an entire virtual host or to individual routes', () => {
    expect(run('tls.edge-rate-limit-missing', contour(', rateLimitPolicy: {local: {requests: 100, unit: hour}}')).status).toBe('pass');
    expect(run('tls.edge-rate-limit-missing', contour('', ', rateLimitPolicy: {local: {requests: 10, unit: second}}')).status).toBe('pass');
    expect(run('tls.edge-rate-limit-missing', contour('')).status).toBe('fail');
  });
  it('client authorization on the virtual host; a route can opt out with authPolicy.disabled', () => {
    const authz = ', authorization: {extensionRef: {name: htpasswd, namespace: auth}}';
    expect(run('tls.edge-auth-missing', contour(authz)).status).toBe('pass');
    expect(run('tls.edge-auth-missing', contour(authz, ', authPolicy: {disabled: true}')).status).toBe('fail');
  });
});

describe(`Istio RequestAuthentication (${ISTIO_REQUEST_AUTHENTICATION})`, () => {
  const istio = (policies: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: "docker.io/istio/proxyv2:1.24.0"}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: admin, namespace: shop}
spec:
  hosts: [admin.example.com]
  gateways: [istio-system/edge]
  http: [{route: [{destination: {host: admin, port: {number: 80}}}]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules: [{issuer: issuer-foo, jwksUri: "https://example.com/.well-known/jwks.json"}]
${policies}` + backend();
  it('"a request that does not contain any authentication credentials will be accepted": RequestAuthentication alone is not authentication', () => {
    const r = run('tls.edge-auth-missing', istio(''));
    expect(r.status).toBe('fail');
  });
  it('"to restrict access to authenticated requests only, this should be accompanied by an authorization rule" requiring requestPrincipals', () => {
    const ap = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
`;
    expect(run('tls.edge-auth-missing', istio(ap)).status).toBe('pass');
    // The same policy with an empty serviceAccounts beside principals in its source breaks the CRD's
    // rule "Cannot set serviceAccounts with namespaces or principals" (istio/istio
    // manifests/charts/base/files/crd-all.gen.yaml, 1.25 on; has() counts an empty list): kubectl
    // apply fails, so it requires no token.
    const refused = ap.replace('requestPrincipals: ["*"]', 'requestPrincipals: ["*"], principals: [], serviceAccounts: []');
    expect(refused).not.toBe(ap);
    expect(run('tls.edge-auth-missing', istio(refused).replace('proxyv2:1.24.0', 'proxyv2:1.28.0')).status).toBe('fail');
  });
});

describe(`Istio AuthorizationPolicy on the gateway: ALLOW rules add up (${ISTIO_AUTHORIZATION_POLICY}; reference §4.4)`, () => {
  // The Istio case above, its RequestAuthentication and a require-jwt ALLOW policy, plus what is given here.
  const withPolicies = (rules: string, extra = '') => {
    const yaml = (policies: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: "docker.io/istio/proxyv2:1.24.0"}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: admin, namespace: shop}
spec:
  hosts: [admin.example.com]
  gateways: [istio-system/edge]
  http: [{route: [{destination: {host: admin, port: {number: 80}}}]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules: [{issuer: issuer-foo, jwksUri: "https://example.com/.well-known/jwks.json"}]
${policies}` + backend();
    return yaml(`---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: ALLOW
  rules: ${rules}
${extra}`);
  };
  const allowAll = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: ALLOW
  rules: [{}]
`;
  it('"if any of the ALLOW policies match the request, allow the request": another ALLOW policy with rules: [{}] lets requests without a token in', () => {
    expect(run('tls.edge-auth-missing', withPolicies('[{from: [{source: {requestPrincipals: ["*"]}}]}]')).status).toBe('pass');
    const r = run('tls.edge-auth-missing', withPolicies('[{from: [{source: {requestPrincipals: ["*"]}}]}]', allowAll));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('AuthorizationPolicy istio-system/allow-all rules[0] admits requests without one');
  });
  it('a rule without `from` matches any source: beside a requestPrincipals rule in the same policy it admits requests without a token', () => {
    const r = run('tls.edge-auth-missing', withPolicies('[{from: [{source: {requestPrincipals: ["*"]}}]}, {}]'));
    expect(r.status).toBe('fail');
    expect(r.messages[0]).toContain('AuthorizationPolicy istio-system/require-jwt rules[1] admits requests without one');
  });
});

describe(`Istio with the Gateway API (${ISTIO_REQUEST_AUTHENTICATION}: targetRefs)`, () => {
  it('RequestAuthentication and AuthorizationPolicy attached by targetRefs to the Gateway authenticate its routes', () => {
    const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec: {gatewayClassName: istio, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: edge-istio, namespace: shop}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: edge}}
  template:
    metadata: {labels: {gateway.networking.k8s.io/gateway-name: edge}}
    spec: {containers: [{name: istio-proxy, image: "docker.io/istio/proxyv2:1.24.0"}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin, namespace: shop}
spec: {parentRefs: [{name: edge}], rules: [{backendRefs: [{name: admin, port: 80}]}]}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
  jwtRules: [{issuer: issuer-foo}]
`;
    const ap = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: edge}]
  rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
`;
    expect(run('tls.edge-auth-missing', yaml + backend()).status).toBe('fail');
    expect(run('tls.edge-auth-missing', yaml + ap + backend()).status).toBe('pass');
  });
});

describe(`Envoy Gateway SecurityPolicy (${ENVOY_GATEWAY_SECURITY_POLICY})`, () => {
  const eg = (policy: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: shop}
spec: {gatewayClassName: eg, listeners: [{name: https, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: c}]}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: envoy-shop-eg, namespace: infra}
spec:
  selector: {matchLabels: {gateway.envoyproxy.io/owning-gateway-name: eg}}
  template:
    metadata: {labels: {gateway.envoyproxy.io/owning-gateway-name: eg, gateway.envoyproxy.io/owning-gateway-namespace: shop}}
    spec: {containers: [{name: envoy, image: "envoyproxy/envoy:distroless-v1.34.1"}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: backend, namespace: shop}
spec:
  parentRefs: [{name: eg}]
  hostnames: [www.example.com]
  rules: [{backendRefs: [{name: admin, port: 80}]}]
${policy}` + backend();
  it('a SecurityPolicy attached by targetRefs to the Gateway (all its routes) or to the HTTPRoute authenticates', () => {
    for (const target of ['{group: gateway.networking.k8s.io, kind: Gateway, name: eg}', '{group: gateway.networking.k8s.io, kind: HTTPRoute, name: backend}']) {
      const policy = `---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: jwt, namespace: shop}\nspec:\n  targetRefs: [${target}]\n  jwt: {providers: [{name: example, remoteJWKS: {uri: "https://example.com/jwks.json"}}]}\n`;
      expect(run('tls.edge-auth-missing', eg(policy)).status, target).toBe('pass');
    }
    expect(run('tls.edge-auth-missing', eg('')).status).toBe('fail');
  });
  it('a SecurityPolicy in another namespace does not attach (policy attachment is same-namespace)', () => {
    const policy = `---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: jwt, namespace: infra}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: eg}]\n  basicAuth: {users: {name: users}}\n`;
    expect(run('tls.edge-auth-missing', eg(policy)).status).toBe('fail');
  });
});

describe('bad input: malformed routing objects never crash the exposure view or the guards', () => {
  const garbage = nginx() + backend() + `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: weird, namespace: shop, annotations: {nginx.ingress.kubernetes.io/auth-url: 42}}
spec: {rules: "not a list", defaultBackend: {service: {name: 7}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: weird, namespace: shop}
spec: {parentRefs: [null, "x", {name: 5}], rules: [{backendRefs: "none"}, null]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: weird, namespace: shop}
spec: {listeners: {name: not-a-list}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: weird, namespace: shop}
spec: {gateways: [3, "nowhere/gw"], http: "x"}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: weird, namespace: shop}
spec: {routes: [{match: 12, services: [{name: admin, port: {}}], middlewares: [7]}]}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: weird, namespace: shop}
spec: {virtualhost: {fqdn: weird.example.com}, routes: [{services: [{}]}], includes: [{name: child}]}
`;
  it('lists what it could not follow, naming the objects, and evaluates every guard', () => {
    const { objects } = parseManifestText(garbage, 'garbage.yaml');
    const snapshot = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
    expect(() => networkExposure(snapshot)).not.toThrow();
    const notes = exposureNotes(snapshot);
    expect(notes).toContain('VirtualService shop/weird: Istio Gateway nowhere/gw not found; the route is not bound there');
    expect(notes).toContain('HTTPProxy shop/weird: included HTTPProxies are not followed; only its own routes are modelled');
    expect(notes).toContain('HTTPRoute shop/weird: a parentRef names no Gateway; it is skipped');
    for (const id of ['tls.edge-auth-missing', 'tls.edge-rate-limit-missing', 'tls.edge-waf-missing', 'network.exposed-workload']) {
      const [o] = runChecks([CHECK_BY_ID.get(id)!], { snapshot, config: defaultConfig(), now: new Date() });
      expect(o.status, `${id}: ${o.reason ?? ''}`).not.toBe('error');
    }
  });
});
