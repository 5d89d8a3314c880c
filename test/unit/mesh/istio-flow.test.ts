// Reference cases for Istio's per-call verdict (istioFlowVerdict through meshFlowVerdict): each
// scenario is taken from an istio.io page, cited per case, with the outcome the page states.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { ctxOf as ctxOfInput, istiodYaml, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);


const ns = namespaceYaml;
const app = (namespace: string, name: string, sa = name) => deploymentYaml(namespace, name, { serviceAccount: sa, ports: [8000, 9000] });
// An app behind a Service, as in the pages' samples: a meshed call through it carries the caller's
// identity (a pod port no Service leads to is reached through Istio's PassthroughCluster, without mTLS).
const svcApp = (namespace: string, name: string, sa = name) => `${app(namespace, name, sa)}${serviceYaml(namespace, name, [8000, 9000])}`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to: string, port = 8000) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, from === 'external' ? 'external' : ref(from), ref(to), port, 'TCP');
};

describe('Istio per-call authorization: reference cases', () => {
  // https://istio.io/latest/docs/tasks/security/authorization/authz-http/ — allow-nothing in
  // default; details-viewer allows GET from cluster.local/ns/default/sa/bookinfo-productpage.
  const bookinfo = `${ns('default')}${svcApp('default', 'productpage', 'bookinfo-productpage')}${svcApp('default', 'details', 'bookinfo-details')}${svcApp('default', 'reviews', 'bookinfo-reviews')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: details-viewer, namespace: default}
spec:
  selector: {matchLabels: {app: details}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/default/sa/bookinfo-productpage]}}]
    to: [{operation: {methods: [GET]}}]
`;
  it('authz-http: allow-nothing refuses reviews; details-viewer admits productpage for GET only', () => {
    const r = verdict(bookinfo, 'default/productpage', 'default/reviews');
    expect(r).toMatchObject({ mesh: 'istio', verdict: 'denied', policy: { kind: 'AuthorizationPolicy', namespace: 'default', name: 'allow-nothing' }, enforcedBy: 'sidecar of default/reviews' });
    expect(r.reason).toContain('allow-nothing AuthorizationPolicy default/allow-nothing');
    const d = verdict(bookinfo, 'default/productpage', 'default/details');
    expect(d).toMatchObject({ verdict: 'depends', policy: { name: 'details-viewer' }, rule: 0, plaintext: false });
    expect(d.reason).toContain('depending on the request\'s HTTP method');
    const other = verdict(bookinfo, 'default/reviews', 'default/details');
    expect(other.verdict).toBe('denied');
    expect(other.reason).toBe('no ALLOW AuthorizationPolicy matches principal cluster.local/ns/default/sa/bookinfo-reviews on port 8000 (applying: default/allow-nothing, default/details-viewer)');
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ — "allow-all"
  // (rules: [{}]) allows every request; "deny-all" (spec: {}) and a DENY with rules: [{}] deny all.
  it('reference: allow-all, allow-nothing and deny-all', () => {
    const base = `${ns('foo')}${app('foo', 'sleep')}${app('foo', 'httpbin')}`;
    const policy = (spec: string) => `${base}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: ${spec}
`;
    expect(verdict(policy('{action: ALLOW, rules: [{}]}'), 'foo/sleep', 'foo/httpbin')).toMatchObject({ verdict: 'allowed', policy: { name: 'p' }, rule: 0 });
    expect(verdict(policy('{}'), 'foo/sleep', 'foo/httpbin').verdict).toBe('denied');
    expect(verdict(policy('{action: DENY, rules: [{}]}'), 'foo/sleep', 'foo/httpbin')).toMatchObject({ verdict: 'denied', rule: 0 });
    // No policy at all: "For workloads without authorization policies applied, Istio allows all requests."
    expect(verdict(base, 'foo/sleep', 'foo/httpbin').verdict).toBe('allowed');
  });

  // https://istio.io/latest/docs/concepts/security/#authorization-policies — precedence CUSTOM,
  // DENY, ALLOW: a DENY match wins over an ALLOW match; a policy in the root namespace applies to
  // every namespace.
  it('concepts: DENY wins over ALLOW; a root-namespace DENY applies mesh-wide', () => {
    const y = `${ns('foo')}${ns('bar')}${svcApp('bar', 'client')}${svcApp('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-bar, namespace: foo}
spec:
  rules: [{from: [{source: {namespaces: [bar]}}]}]
`;
    expect(verdict(y, 'bar/client', 'foo/httpbin')).toMatchObject({ verdict: 'allowed', policy: { name: 'allow-bar' } });
    const denied = `${y}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-bar, namespace: istio-system}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [bar]}}], to: [{operation: {ports: ["8000"]}}]}]
`;
    const r = verdict(denied, 'bar/client', 'foo/httpbin');
    expect(r).toMatchObject({ verdict: 'denied', policy: { namespace: 'istio-system', name: 'deny-bar' }, rule: 0 });
    expect(r.reason).toBe('DENY AuthorizationPolicy istio-system/deny-bar rules[0] matches principal cluster.local/ns/bar/sa/client on port 8000');
    // The DENY names port 8000 only: 9000 is still allowed by allow-bar.
    expect(verdict(denied, 'bar/client', 'foo/httpbin', 9000)).toMatchObject({ verdict: 'allowed', policy: { name: 'allow-bar' } });
  });

  // https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/ — tcp-policy allows
  // ports 9000 and 9001 to tcp-echo; 9002 is denied.
  it('authz-tcp: ports decide per port', () => {
    const y = `${ns('foo')}${app('foo', 'curl')}${app('foo', 'tcp-echo')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: tcp-policy, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: ALLOW
  rules: [{to: [{operation: {ports: ["9000", "9001"]}}]}]
`;
    expect(verdict(y, 'foo/curl', 'foo/tcp-echo', 9000).verdict).toBe('allowed');
    expect(verdict(y, 'foo/curl', 'foo/tcp-echo', 9001).verdict).toBe('allowed');
    expect(verdict(y, 'foo/curl', 'foo/tcp-echo', 9002).verdict).toBe('denied');
    const ctx = ctxOf(y);
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('foo/curl'), ref('foo/tcp-echo'), allConns())!;
    expect(over.verdict.verdict).toBe('allowed');
    expect(over.open.TCP).toEqual([[9000, 9001]]);
    expect(over.open.UDP).toEqual([[1, 65535]]);
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source —
  // principals and namespaces are "only available with mutual TLS enabled"; with PERMISSIVE a
  // plaintext caller has no identity; with STRICT its connection is refused
  // (https://istio.io/latest/docs/concepts/security/#peer-authentication).
  it('PeerAuthentication interplay: a caller without a sidecar', () => {
    const base = `${ns('legacy', 'team: legacy')}${app('legacy', 'client')}${ns('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-legacy, namespace: foo}
spec:
  rules: [{from: [{source: {namespaces: [legacy]}}]}]
`;
    const permissive = verdict(base, 'legacy/client', 'foo/httpbin');
    expect(permissive).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(permissive.reason).toContain('a plaintext caller (no mesh proxy; principals and namespaces cannot match it)');
    const strict = `${base}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: STRICT}}
`;
    const s = verdict(strict, 'legacy/client', 'foo/httpbin');
    expect(s).toMatchObject({ verdict: 'denied', plaintext: true, policy: { kind: 'PeerAuthentication', namespace: 'foo', name: 'default' } });
    expect(s.reason).toBe('port 8000 of foo/httpbin requires mTLS (PeerAuthentication foo/default STRICT); the caller has no mesh proxy, so its plaintext connection is refused');
    // A DENY on namespaces does not catch the plaintext caller; DENY notPrincipals ["*"] does
    // (https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns).
    const denyNs = `${ns('legacy', 'team: legacy')}${app('legacy', 'client')}${ns('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-legacy, namespace: foo}
spec: {action: DENY, rules: [{from: [{source: {namespaces: [legacy]}}]}]}
`;
    expect(verdict(denyNs, 'legacy/client', 'foo/httpbin').verdict).toBe('allowed');
    const denyPlain = denyNs.replace('namespaces: [legacy]', 'notPrincipals: ["*"]');
    expect(verdict(denyPlain, 'legacy/client', 'foo/httpbin').verdict).toBe('denied');
    // A meshed caller has a principal, so notPrincipals ["*"] does not match it.
    expect(verdict(`${denyPlain}${app('foo', 'sleep')}`, 'foo/sleep', 'foo/httpbin').verdict).toBe('allowed');
  });

  // https://istio.io/latest/docs/tasks/security/authorization/authz-custom/ — a CUSTOM policy
  // delegates to the ext-authz provider for the paths it names.
  it('authz-custom: the external authorizer decides (depends, naming the provider)', () => {
    const y = `${ns('foo')}${app('foo', 'curl')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: CUSTOM
  provider: {name: sample-ext-authz-grpc}
  rules: [{to: [{operation: {paths: ["/headers"]}}]}]
`;
    const r = verdict(y, 'foo/curl', 'foo/httpbin');
    expect(r).toMatchObject({ verdict: 'depends', policy: { name: 'ext-authz' } });
    expect(r.reason).toContain('the external authorizer sample-ext-authz-grpc (CUSTOM foo/ext-authz) decides each request');
  });

  // https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/ — require-jwt allows
  // requests with the request principal testing@secure.istio.io/testing@secure.istio.io, which
  // only a RequestAuthentication (jwt-example) makes available.
  it('authz-jwt: requestPrincipals need a RequestAuthentication; a plain call carries no JWT', () => {
    const policy = `${ns('foo')}${app('foo', 'curl')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules: [{from: [{source: {requestPrincipals: ["testing@secure.istio.io/testing@secure.istio.io"]}}]}]
`;
    expect(verdict(policy, 'foo/curl', 'foo/httpbin').verdict).toBe('denied');
    const withAuthn = `${policy}---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-example, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: testing@secure.istio.io, jwksUri: "https://raw.githubusercontent.com/istio/istio/master/security/tools/jwt/samples/jwks.json"}]
`;
    const r = verdict(withAuthn, 'foo/curl', 'foo/httpbin');
    expect(r.verdict).toBe('depends');
    expect(r.reason).toContain('a JWT (RequestAuthentication issuers testing@secure.istio.io)');
  });

  // https://istio.io/latest/docs/ambient/usage/waypoint/ and
  // https://istio.io/latest/docs/ambient/usage/l4-policy/ — in ambient mode a policy attached by
  // targetRefs to the waypoint Gateway is enforced by the waypoint for namespaces labelled
  // istio.io/use-waypoint; a sidecar ignores targetRef policies.
  it('ambient waypoint: targetRefs policies act at the waypoint; a sidecar workload ignores them', () => {
    const policy = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: productpage-viewer, namespace: default}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/curl]}}]}]
`;
    // A waypoint for `all` traffic, so that a direct call to the pod goes through it too (see
    // istio-ambient.test.ts for the default, `service`).
    const ambient = `${ns('default', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')}${app('default', 'curl')}${app('default', 'productpage')}${app('default', 'reviews')}${policy}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: default, labels: {istio.io/waypoint-for: all}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
`;
    const ok = verdict(ambient, 'default/curl', 'default/productpage');
    expect(ok).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint default/waypoint', policy: { name: 'productpage-viewer' } });
    expect(ok.notes).toContain('traffic goes through waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its pods; istio.io/waypoint-for: all)');
    expect(verdict(ambient, 'default/reviews', 'default/productpage').verdict).toBe('denied');
    const sidecar = `${ns('default')}${app('default', 'curl')}${app('default', 'productpage')}${app('default', 'reviews')}${policy}`;
    const s = verdict(sidecar, 'default/reviews', 'default/productpage');
    expect(s).toMatchObject({ verdict: 'allowed', enforcedBy: 'sidecar of default/productpage' });
    expect(s.notes).toEqual(['AuthorizationPolicy default/productpage-viewer attaches by targetRef(s) to a gateway or waypoint; the sidecar of default/productpage does not enforce it']);
  });

  // https://istio.io/latest/docs/ambient/usage/waypoint/ (a Service labelled istio.io/use-waypoint;
  // a policy with targetRefs kind Service) and https://istio.io/latest/docs/ambient/usage/l4-policy/
  // (behind a waypoint, ztunnel sees the waypoint as the source).
  it('ambient waypoint by Service label: Service targetRefs apply; selector policies at ztunnel cannot be judged', () => {
    const base = `${ns('default', 'istio.io/dataplane-mode: ambient')}${app('default', 'curl')}${app('default', 'reviews')}
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default, labels: {istio.io/use-waypoint: reviews-waypoint}}
spec: {selector: {app: reviews}, ports: [{port: 8000}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-get, namespace: default}
spec:
  targetRefs: [{kind: Service, group: "", name: reviews}]
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/curl]}}]}]
`;
    expect(verdict(base, 'default/curl', 'default/reviews')).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint default/reviews-waypoint', policy: { name: 'reviews-get' } });
    const withZtunnel = `${base}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-l4, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/curl]}}]}]
`;
    // Through the Service, ztunnel judges the waypoint's identity: unknown. A direct call to the
    // pod does not go through a Service's waypoint, and ztunnel admits curl: the more open answer
    // is given, the other named.
    const r = verdict(withZtunnel, 'default/curl', 'default/reviews');
    expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of default/reviews (ambient)', policy: { name: 'reviews-l4' } });
    expect(r.notes?.find((n) => n.startsWith('a call to Service default/reviews: judged by waypoint default/reviews-waypoint, UNKNOWN: '))).toContain("ztunnel of default/reviews then judges the waypoint's identity, which the snapshot does not name");
    // Without the waypoint label, ztunnel enforces the selector policy against the caller itself.
    expect(verdict(withZtunnel.replace('labels: {istio.io/use-waypoint: reviews-waypoint}', 'labels: {}'), 'default/curl', 'default/reviews')).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of default/reviews (ambient)', policy: { name: 'reviews-l4' } });
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source —
  // principals and namespaces support exact, prefix ("abc*"), suffix ("*abc") and presence ("*").
  it('reference: prefix, suffix and presence matches of principals; trust domain from the mesh config', () => {
    const y = (p: string) => `${ns('shop')}${svcApp('shop', 'frontend')}${svcApp('shop', 'db')}${ns('other')}${svcApp('other', 'frontend')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  rules: [{from: [{source: {principals: ["${p}"]}}]}]
`;
    expect(verdict(y('*/ns/shop/sa/frontend'), 'shop/frontend', 'shop/db').verdict).toBe('allowed');
    expect(verdict(y('*/ns/shop/sa/frontend'), 'other/frontend', 'shop/db').verdict).toBe('denied');
    expect(verdict(y('cluster.local/ns/shop/*'), 'shop/frontend', 'shop/db').verdict).toBe('allowed');
    expect(verdict(y('*'), 'other/frontend', 'shop/db').verdict).toBe('allowed');
    const td = `${y('acme.example/ns/shop/sa/frontend')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    trustDomain: acme.example
`;
    expect(verdict(y('acme.example/ns/shop/sa/frontend'), 'shop/frontend', 'shop/db').verdict).toBe('denied');
    expect(verdict(td, 'shop/frontend', 'shop/db').verdict).toBe('allowed');
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ (Condition,
  // Source.ipBlocks): request attributes the snapshot cannot know make the answer 'depends'.
  it('when conditions and ipBlocks: never "allowed for everyone"', () => {
    const y = (rule: string, action = 'ALLOW') => `${ns('foo')}${app('foo', 'curl')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {action: ${action}, rules: [${rule}]}
`;
    expect(verdict(y('{when: [{key: "request.headers[version]", values: [v1]}]}'), 'foo/curl', 'foo/httpbin').verdict).toBe('depends');
    expect(verdict(y('{from: [{source: {ipBlocks: ["10.0.0.0/8"]}}]}'), 'foo/curl', 'foo/httpbin').verdict).toBe('depends');
    const deny = verdict(y('{when: [{key: "request.headers[x-token]", notValues: [admin]}]}', 'DENY'), 'foo/curl', 'foo/httpbin');
    expect(deny.verdict).toBe('depends');
    expect(deny.reason).toContain('DENY AuthorizationPolicy foo/p rules[0] may refuse it, depending on condition request.headers[x-token]');
    // ipBlocks AND a principal that does not match: no request matches, whatever the address.
    expect(verdict(y('{from: [{source: {ipBlocks: ["10.0.0.0/8"], principals: [cluster.local/ns/bar/sa/x]}}]}'), 'foo/curl', 'foo/httpbin').verdict).toBe('denied');
  });

  it('a callee outside the mesh is not restricted; UDP bypasses the proxy', () => {
    const y = `${ns('plain', 'team: x')}${app('plain', 'a')}${app('plain', 'b')}${ns('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: foo}
spec: {}
`;
    expect(verdict(y, 'plain/a', 'plain/b')).toMatchObject({ mesh: 'none', verdict: 'allowed' });
    const ctx = ctxOf(y);
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, ref('plain/a'), ref('foo/httpbin'), 53, 'UDP')).toMatchObject({ mesh: 'istio', verdict: 'allowed' });
    expect(verdict(y, 'external', 'foo/httpbin')).toMatchObject({ verdict: 'denied', plaintext: true });
  });
});

describe('Istio: requestPrincipals on TCP traffic', () => {
  // https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/ — a rule with an
  // HTTP-only field on a TCP port: an ALLOW rule never matches ("Istio ignores the invalid ALLOW
  // rule"), while for a DENY rule "Istio doesn't understand the HTTP-only fields while creating a
  // DENY rule for tcp port and due to its restrictive nature it denies all the traffic to the tcp
  // ports". requestPrincipals are HTTP-only (a JWT travels in an HTTP request;
  // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source). With no
  // RequestAuthentication, an HTTP request carries no validated JWT, so the two readings differ and
  // which one applies depends on the protocol the client speaks, which the snapshot cannot tell.
  const tcpEcho = (action: string, source: string, dataplane = 'istio-injection: enabled') => `${ns('foo', dataplane)}${svcApp('foo', 'sleep')}${svcApp('foo', 'tcp-echo')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: tcp-policy, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: ${action}
  rules: [{from: [{source: ${source}}], to: [{operation: {ports: ["9000"]}}]}]
`;

  it('DENY on requestPrincipals, no RequestAuthentication: TCP connections to the port are refused, so the call is not ALLOWED', () => {
    const y = tcpEcho('DENY', '{requestPrincipals: ["testing@secure.istio.io/*"]}');
    const r = verdict(y, 'foo/sleep', 'foo/tcp-echo', 9000);
    expect(r).toMatchObject({ verdict: 'depends', enforcedBy: 'sidecar of foo/tcp-echo', policy: { name: 'tcp-policy' }, rule: 0 });
    expect(r.reason).toBe('no ALLOW AuthorizationPolicy applies, so Istio allows principal cluster.local/ns/foo/sa/sleep on port 9000, but DENY AuthorizationPolicy foo/tcp-policy rules[0] may refuse it, depending on the protocol: without a JWT (no RequestAuthentication applies) requestPrincipals match no HTTP request, while on TCP traffic Istio ignores requestPrincipals in a DENY rule');
    // The rule's port still decides.
    expect(verdict(y, 'foo/sleep', 'foo/tcp-echo', 8000).verdict).toBe('allowed');
    // ztunnel (ambient, no waypoint) gets the source with requestPrincipals as an empty match, which
    // it skips ("An empty match sent to ztunnel is skipped (match-none), not match-all", istio/istio
    // pilot/pkg/serviceregistry/ambient/authorization.go isMatchEmpty; istio/istio#61126): the
    // rule's `from` never matches, so the DENY has no effect there.
    expect(verdict(tcpEcho('DENY', '{requestPrincipals: ["testing@secure.istio.io/*"]}', 'istio.io/dataplane-mode: ambient'), 'foo/sleep', 'foo/tcp-echo', 9000))
      .toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of foo/tcp-echo (ambient)' });
  });

  it('DENY on notRequestPrincipals ["*"] (require a JWT): at a sidecar refused either way, HTTP without a JWT or TCP; at ztunnel it has no effect', () => {
    expect(verdict(tcpEcho('DENY', '{notRequestPrincipals: ["*"]}'), 'foo/sleep', 'foo/tcp-echo', 9000)).toMatchObject({ verdict: 'denied', policy: { name: 'tcp-policy' } });
    // ztunnel (ambient, no waypoint): the source is an empty match, skipped (istio/istio#61126 reports HTTP 200).
    expect(verdict(tcpEcho('DENY', '{notRequestPrincipals: ["*"]}', 'istio.io/dataplane-mode: ambient'), 'foo/sleep', 'foo/tcp-echo', 9000).verdict).toBe('allowed');
  });

  it('ALLOW on notRequestPrincipals ["*"]: an HTTP request without a JWT is admitted, a TCP connection is not', () => {
    const r = verdict(tcpEcho('ALLOW', '{notRequestPrincipals: ["*"]}'), 'foo/sleep', 'foo/tcp-echo', 9000);
    expect(r).toMatchObject({ verdict: 'depends', policy: { name: 'tcp-policy' } });
    expect(r.reason).toContain('depending on the protocol: without a JWT (no RequestAuthentication applies) notRequestPrincipals match every HTTP request, while on TCP traffic Istio never matches an ALLOW rule with notRequestPrincipals');
    expect(verdict(tcpEcho('ALLOW', '{notRequestPrincipals: ["*"]}', 'istio.io/dataplane-mode: ambient'), 'foo/sleep', 'foo/tcp-echo', 9000).verdict).toBe('denied');
    // ALLOW on requestPrincipals matches neither an HTTP request without a JWT nor TCP traffic.
    expect(verdict(tcpEcho('ALLOW', '{requestPrincipals: ["*"]}'), 'foo/sleep', 'foo/tcp-echo', 9000).verdict).toBe('denied');
  });
});
