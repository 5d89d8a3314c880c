// Istio ambient mode: which enforcement point judges a call, and what it can judge. Each case is
// taken from an istio.io page (quoted, with its address) or from istiod's own conversion code.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf as ctxOfInput, istiodYaml, deploymentYaml, namespaceYaml, run, WAYPOINT_CLASS_ALL } from './helpers.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { authzAllowAny } from '../../../checks/mtls/authz-allow-any.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);

const app = (namespace: string, name: string, sa = name) => deploymentYaml(namespace, name, { serviceAccount: sa, ports: [8000, 9000] });
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to: string, port = 8000) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref(from), ref(to), port, 'TCP');
};
/**
 * The answer for a call through a Service: the verdict itself when that call gave it, else the
 * note naming it ("a call to Service NS/NAME: judged by AT, VERDICT: reason").
 */
const viaService = (r: ReturnType<typeof verdict>, service: string) => {
  const note = r.notes?.find((n) => n.startsWith(`a call to Service ${service}: judged by `));
  const m = note && /^a call to Service [^:]+: judged by (.+?)(?:, (ALLOWED|DEPENDS|DENIED|UNKNOWN): (.*))?$/.exec(note);
  if (!m) return undefined;
  return m[2] ? { verdict: m[2].toLowerCase(), enforcedBy: m[1], reason: m[3] } : { verdict: r.verdict, enforcedBy: r.enforcedBy, reason: r.reason };
};
/** A Service in front of the pods labelled app: APP (port 8000), optionally with its own labels. */
const service = (namespace: string, name: string, app: string, labels = '') => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}${labels ? `, labels: {${labels}}` : ''}}
spec: {selector: {app: ${app}}, ports: [{port: 8000}]}
---`;
/** A waypoint Gateway (class istio-waypoint), with istio.io/waypoint-for when given. */
const waypoint = (namespace: string, name: string, waypointFor = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${namespace}${waypointFor ? `, labels: {istio.io/waypoint-for: ${waypointFor}}` : ''}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---`;
const policy = (name: string, spec: string, namespace = 'ambient-demo') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
---`;

describe('Istio ambient without a waypoint: ztunnel enforces L4 only', () => {
  // https://istio.io/latest/docs/ambient/usage/l4-policy/ — "If an AuthorizationPolicy has been
  // configured that requires any traffic processing beyond L4, and if no waypoint proxies are
  // configured for the destination of the traffic, then ztunnel proxy will simply drop all traffic
  // as a defensive move." Its example (allow-sleep-to-httpbin with methods: ["GET"]): "the presence
  // of a L7 policy, and the traffic not originating from a waypoint proxy, causes the ztunnel to
  // deny the connection". How istiod converts such a rule for ztunnel
  // (istio/istio pilot/pkg/serviceregistry/ambient/authorization.go, handleRule): "L7 policies
  // never match for ALLOW"; a DENY rule keeps its L4 parts ("DENY policy with HTTP attributes is
  // enforced without the HTTP rules"), and a source, operation or condition left with none is an
  // empty match that ztunnel skips, so such a DENY "will have no effect" (istio/istio#61126).
  const base = `${namespaceYaml('ambient-demo', 'istio.io/dataplane-mode: ambient')}${app('ambient-demo', 'sleep')}${app('ambient-demo', 'httpbin')}${app('ambient-demo', 'other')}`;

  it('an ALLOW rule with an HTTP method never matches at ztunnel: the principal it names is refused (the page\'s example)', () => {
    const y = `${base}${policy('allow-sleep-to-httpbin', `
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/ambient-demo/sa/sleep]}}]
    to: [{operation: {methods: ["GET"]}}]`)}`;
    const r = verdict(y, 'ambient-demo/sleep', 'ambient-demo/httpbin');
    expect(r).toMatchObject({ mesh: 'istio', verdict: 'denied', enforcedBy: 'ztunnel of ambient-demo/httpbin (ambient)' });
    expect(r.notes).toContain('ztunnel of ambient-demo/httpbin has no waypoint, so it enforces no methods of AuthorizationPolicy ambient-demo/allow-sleep-to-httpbin: an ALLOW rule with them never matches, a DENY rule is enforced without them (https://istio.io/latest/docs/ambient/usage/l4-policy/)');
    // The same policy on a sidecar workload still admits some requests (GET) through httpbin's
    // Service (the page's sample has one; a sidecar sends Istio mTLS only where a Service leads).
    const sidecar = `${y.replace('istio.io/dataplane-mode: ambient', 'istio-injection: enabled')}${service('ambient-demo', 'httpbin', 'httpbin')}`;
    expect(verdict(sidecar, 'ambient-demo/sleep', 'ambient-demo/httpbin').verdict).toBe('depends');
    // An L4-only ALLOW rule beside it still admits its principal: only the L7 rule is omitted.
    const withL4 = `${y}${policy('l4', `
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: [{source: {principals: [cluster.local/ns/ambient-demo/sa/sleep]}}]}]`)}`;
    expect(verdict(withL4, 'ambient-demo/sleep', 'ambient-demo/httpbin')).toMatchObject({ verdict: 'allowed', policy: { name: 'l4' } });
    // requestPrincipals and a `when` on a request header need a waypoint too.
    const jwt = `${base}${policy('jwt', `
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: [{source: {requestPrincipals: ["*"]}}]}, {when: [{key: "request.headers[x-user]", values: [alice]}]}]`)}
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: ambient-demo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: testing@secure.istio.io}]
`;
    expect(verdict(jwt, 'ambient-demo/sleep', 'ambient-demo/httpbin').verdict).toBe('denied');
  });

  it('a DENY rule with a path is enforced without it: one left with nothing to match has no effect, one with L4 parts refuses every caller they match', () => {
    // `to` with only a path is an empty match, which ztunnel skips: the rule never matches
    // (istio/istio ambient/authorization.go isMatchEmpty, "An empty match sent to ztunnel is
    // skipped (match-none), not match-all"; istio/ztunnel src/rbac.rs).
    const y = `${base}${policy('deny-admin', `
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules: [{to: [{operation: {paths: ["/admin"]}}]}]`)}`;
    const r = verdict(y, 'ambient-demo/sleep', 'ambient-demo/httpbin');
    expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of ambient-demo/httpbin (ambient)' });
    // Its L4 parts still decide: a DENY of one principal's /admin requests on a port refuses that
    // principal on every path of that port, and leaves the others alone.
    const one = `${base}${policy('deny-admin', `
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules: [{from: [{source: {principals: [cluster.local/ns/ambient-demo/sa/sleep]}}], to: [{operation: {paths: ["/admin"], ports: ["8000"]}}]}]`)}`;
    expect(verdict(one, 'ambient-demo/sleep', 'ambient-demo/httpbin').verdict).toBe('denied');
    expect(verdict(one, 'ambient-demo/other', 'ambient-demo/httpbin').verdict).toBe('allowed');
    expect(verdict(one, 'ambient-demo/sleep', 'ambient-demo/httpbin', 9000).verdict).toBe('allowed');
  });
});

describe('Istio waypoint: RequestAuthentications attach by targetRefs only', () => {
  // https://istio.io/latest/docs/reference/config/security/request_authentication/ (targetRefs):
  // "kind: Service with group: "" or group: "core" in the same namespace. This type is only
  // supported for waypoints." and "Waypoint proxies are required to use this field for policies to
  // apply; selector policies will be ignored." (istio/istio pilot/pkg/model/policyattachment.go:
  // "waypoints never use selector").
  const base = `${namespaceYaml('default', 'istio.io/dataplane-mode: ambient')}${app('default', 'curl')}${app('default', 'reviews')}${service('default', 'reviews', 'reviews', 'istio.io/use-waypoint: waypoint')}${policy('require-jwt', `
  targetRefs: [{kind: Service, group: "", name: reviews}]
  rules: [{from: [{source: {requestPrincipals: ["testing@secure.istio.io/*"]}}]}]`, 'default')}`;
  const authn = (attach: string) => `${base}
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: default}
spec:
  ${attach}
  jwtRules: [{issuer: testing@secure.istio.io, jwksUri: "https://example.com/jwks.json"}]
`;

  it('a RequestAuthentication targeting the Service lets JWT-bearing requests through the waypoint', () => {
    for (const group of ['""', 'core']) {
      const r = viaService(verdict(authn(`targetRefs: [{kind: Service, group: ${group}, name: reviews}]`), 'default/curl', 'default/reviews'), 'default/reviews');
      expect(r).toMatchObject({ verdict: 'depends', enforcedBy: 'waypoint default/waypoint' });
      expect(r!.reason).toContain('a JWT (RequestAuthentication issuers testing@secure.istio.io)');
    }
    // Targeting the waypoint Gateway works the same.
    expect(viaService(verdict(authn('targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]'), 'default/curl', 'default/reviews'), 'default/reviews')?.verdict).toBe('depends');
  });

  it('a selector (or namespace-wide) RequestAuthentication is ignored at the waypoint: no request carries a validated JWT', () => {
    for (const attach of ['selector: {matchLabels: {app: reviews}}', '{}']) {
      const r = viaService(verdict(authn(attach === '{}' ? '' : attach), 'default/curl', 'default/reviews'), 'default/reviews');
      expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint default/waypoint' });
    }
    // A RequestAuthentication targeting another Service does not apply either.
    expect(viaService(verdict(authn('targetRefs: [{kind: Service, group: "", name: ratings}]'), 'default/curl', 'default/reviews'), 'default/reviews')?.verdict).toBe('denied');
  });
});

/** Istio's waypoint example (namespace default): curl, productpage behind a Service, reviews; the Gateway's ALLOW names curl only. */
const c3 = (waypointFor: string) => `${namespaceYaml('default', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')}${app('default', 'curl')}${app('default', 'productpage')}${app('default', 'reviews')}${waypoint('default', 'waypoint', waypointFor)}${service('default', 'productpage', 'productpage')}${policy('productpage-viewer', `
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/curl]}}]}]`, 'default')}`;

describe('Istio waypoint: which traffic a waypoint handles (istio.io/waypoint-for)', () => {
  // https://istio.io/latest/docs/ambient/usage/waypoint/ — "By default, a waypoint will only handle
  // service traffic. It is possible for the bundled Istio waypoint class to handle workload
  // traffic. Istio also recognizes a convenient all value which includes both previously mentioned
  // traffic types. Finally, a waypoint may be configured for testing to handle no traffic at all by
  // using the none value." and, calling a pod by its IP: "all other pods in the default namespace
  // should not have any waypoints because by default only services use the namespace waypoint".
  // The flow model follows calls to pods and cannot tell which address a client dials: the more
  // open of the two answers is given, the other named in a note.
  it('service (the default): a direct call to the pod bypasses the waypoint, so a caller the waypoint refuses still gets in', () => {
    for (const label of ['service', '']) {
      const r = verdict(c3(label), 'default/reviews', 'default/productpage');
      expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of default/productpage (ambient)' });
      expect(viaService(r, 'default/productpage')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint default/waypoint' });
      expect(r.notes).toContain(`waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its pods) does not handle workload traffic (${label ? 'istio.io/waypoint-for: service' : 'no istio.io/waypoint-for label: service'})`);
      // The caller the waypoint admits is admitted either way; the Service call is the answer given.
      expect(verdict(c3(label), 'default/curl', 'default/productpage')).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint default/waypoint', policy: { name: 'productpage-viewer' } });
    }
  });

  it('all: both calls go through the waypoint, which refuses the caller; workload: the Service call skips it; none: nothing goes through it', () => {
    expect(verdict(c3('all'), 'default/reviews', 'default/productpage')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint default/waypoint', reason: 'no ALLOW AuthorizationPolicy matches principal cluster.local/ns/default/sa/reviews on port 8000 (applying: default/productpage-viewer)' });
    const w = verdict(c3('workload'), 'default/reviews', 'default/productpage');
    expect(w).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of default/productpage (ambient)' });
    expect(w.notes?.find((n) => n.startsWith('a direct call to a pod of default/productpage: judged by waypoint default/waypoint, DENIED: '))).toBeDefined();
    expect(w.notes).toContain('waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its Services) does not handle service traffic (istio.io/waypoint-for: workload)');
    const none = verdict(c3('none'), 'default/reviews', 'default/productpage');
    expect(none).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of default/productpage (ambient)' });
    expect(none.notes?.some((n) => n.includes('judged by waypoint'))).toBe(false);
  });
});

describe('mtls.authz-missing reads a waypoint as reach does (istio.io/waypoint-for)', () => {
  // The same cluster as above: the only ALLOW policy is attached to the waypoint's Gateway. Which
  // calls the waypoint decides is its Gateway's istio.io/waypoint-for ("By default, a waypoint will
  // only handle service traffic", https://istio.io/latest/docs/ambient/usage/waypoint/): a call the
  // waypoint never sees meets no ALLOW policy at ztunnel. The check used to count the waypoint's
  // policy for every call and passed productpage while reach let an unnamed caller in.
  const missing = (waypointFor: string) => run(authzMissing, ctxOf(c3(waypointFor))).filter((v) => v.resource.name === 'productpage');

  it.each([
    ['', 'allowed', 'fail'], ['service', 'allowed', 'fail'], ['workload', 'allowed', 'fail'], ['none', 'allowed', 'fail'], ['all', 'denied', 'pass'],
  ])('waypoint-for "%s": reach lets a caller the policy does not name %s, and the check says %s', (waypointFor, reach, check) => {
    expect(verdict(c3(waypointFor), 'default/reviews', 'default/productpage').verdict).toBe(reach);
    expect(missing(waypointFor).map((v) => v.status)).toEqual([check]);
  });

  it('names the call that meets no ALLOW policy, and the one the waypoint decides', () => {
    expect(missing('')[0].message).toBe('Deployment default/productpage: a direct call to a pod of default/productpage (judged by the ztunnel of default/productpage: waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its pods) does not handle workload traffic (no istio.io/waypoint-for label: service)) meets no ALLOW AuthorizationPolicy, so any caller the network lets in may make it; ALLOW default/productpage-viewer decides only a call to Service default/productpage (judged by waypoint default/waypoint)');
    expect(missing('none')[0].message).toBe('Deployment default/productpage is meshed but no ALLOW AuthorizationPolicy applies to it (in default or istio-system): it accepts calls from any caller the network lets in; waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its Services) does not handle service traffic (istio.io/waypoint-for: none); waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its pods) does not handle workload traffic (istio.io/waypoint-for: none)');
    expect(missing('all')[0].message).toBe('Deployment default/productpage: ALLOW policies decide who may call it (default/productpage-viewer); default/productpage-viewer enforced by waypoint default/waypoint (namespace default label istio.io/use-waypoint, for its Services; istio.io/waypoint-for: all)');
  });

  // A DENY policy whose rule is empty (`rules: [{}]`) matches every request, and DENY is checked
  // before ALLOW (https://istio.io/latest/docs/reference/config/security/authorization-policy/:
  // "If there are any DENY policies that match the request, deny the request"). Attached to a
  // waypoint left at `service` ("By default, a waypoint will only handle service traffic",
  // https://istio.io/latest/docs/ambient/usage/waypoint/), it covers the call to the Service only.
  it('a DENY-all at the waypoint covers the Service call: the message names it, never an empty ALLOW list', () => {
    const I1 = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1, ports: [{containerPort: 8000}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: DENY
  rules: [{}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 8000}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
`;
    const [v] = run(authzMissing, ctxOf(I1));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Deployment shop/api: a direct call to a pod of shop/api (judged by the ztunnel of shop/api: waypoint shop/waypoint (namespace shop label istio.io/use-waypoint, for its pods) does not handle workload traffic (no istio.io/waypoint-for label: service)) meets no ALLOW AuthorizationPolicy, so any caller the network lets in may make it; DENY shop/deny-all refuses every call, but decides only a call to Service shop/api (judged by waypoint shop/waypoint)');
  });
});

describe('Istio waypoint: ztunnel after the waypoint still enforces L4 only', () => {
  // https://istio.io/v1.22/docs/ambient/usage/l7-features/ — "The ztunnel cannot enforce L7
  // policies. If a policy with rules matching L7 attributes is targeted with a workload selector
  // (rather than a targetRef), such that it is enforced by a ztunnel, it will fail safe by becoming
  // a DENY policy." A selector policy is enforced by ztunnel even when a waypoint is in the path.
  const wpNs = `${namespaceYaml('amb', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp')}${app('amb', 'a')}${app('amb', 'b')}${service('amb', 'b', 'b')}${waypoint('amb', 'wp')}`;

  it('a selector ALLOW on an HTTP method never matches at ztunnel: the call through the waypoint is refused, not unknown', () => {
    const r = verdict(`${wpNs}${policy('sel', '{selector: {matchLabels: {app: b}}, rules: [{to: [{operation: {methods: [GET]}}]}]}', 'amb')}`, 'amb/a', 'amb/b');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint amb/wp' });
    expect(r.reason).toBe('no ALLOW AuthorizationPolicy matches the waypoint amb/wp on port 8000 (applying: amb/sel) (enforced by ztunnel after the waypoint)');
    expect(r.notes).toContain('ztunnel of amb/b enforces no methods of AuthorizationPolicy amb/sel (selector policies stay at ztunnel, not the waypoint): an ALLOW rule with them never matches, a DENY rule is enforced without them (https://istio.io/latest/docs/ambient/usage/l7-features/)');
  });

  it('a selector DENY on a path is enforced without it at ztunnel: with nothing left to match it has no effect; with a port it refuses the waypoint\'s call', () => {
    // The `to` is an empty match there, which ztunnel skips (istio/istio ambient/authorization.go isMatchEmpty).
    const r = verdict(`${wpNs}${policy('sel', '{selector: {matchLabels: {app: b}}, action: DENY, rules: [{to: [{operation: {paths: [/admin]}}]}]}', 'amb')}`, 'amb/a', 'amb/b');
    expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint amb/wp' });
    const withPort = verdict(`${wpNs}${policy('sel', '{selector: {matchLabels: {app: b}}, action: DENY, rules: [{to: [{operation: {paths: [/admin], ports: ["8000"]}}]}]}', 'amb')}`, 'amb/a', 'amb/b');
    expect(withPort).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint amb/wp', policy: { name: 'sel' } });
  });
});

describe('Istio waypoint: Gateways that could not be read', () => {
  // Which traffic a waypoint handles is its Gateway's istio.io/waypoint-for label
  // (https://istio.io/latest/docs/ambient/usage/waypoint/: service by default; workload, all, none).
  // Refused a list of Gateways, that label is unknown: Istio's default is not assumed.
  const y = (waypointPolicy: string) => `${namespaceYaml('amb', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp')}${app('amb', 'a')}${app('amb', 'b')}${service('amb', 'b', 'b')}${waypoint('amb', 'wp', 'all')}${policy('allow', `{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: wp}], ${waypointPolicy}}`, 'amb')}`;
  const forbidden = (yaml: string) => {
    const ctx = ctxOf(yaml);
    ctx.snapshot.resources['gatewayapi.gateways'] = [];
    ctx.snapshot.coverage['gatewayapi.gateways'] = { status: 'forbidden', detail: 'list gatewayapi.gateways (refused in test)' };
    return ctx;
  };
  const onlyZzz = y('rules: [{from: [{source: {principals: [cluster.local/ns/amb/sa/zzz]}}]}]');

  it('reach: a waypoint that would decide the call gives UNKNOWN, never the ALLOWED of a default guessed', () => {
    expect(verdict(onlyZzz, 'amb/a', 'amb/b')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint amb/wp' });
    const ctx = forbidden(onlyZzz);
    const r = meshFlowVerdict(ctx.snapshot, ctx.config, ref('amb/a'), ref('amb/b'), 8000, 'TCP');
    expect(r).toMatchObject({ verdict: 'unknown', enforcedBy: 'waypoint amb/wp' });
    expect(r.reason).toMatch(/^Gateways could not be read, so whether waypoint amb\/wp \(namespace amb label istio.io\/use-waypoint, for its (Services|pods)\) handles (service|workload) traffic \(its istio.io\/waypoint-for label\) is unknown: through it DENIED \(.*\); without it, at ztunnel of amb\/b \(ambient\), ALLOWED \(/);
    expect(JSON.stringify(r)).not.toContain('default service assumed');
  });

  it('reach: when the waypoint and ztunnel agree, the answer stands, with a note that the Gateway was unread', () => {
    const ctx = forbidden(y('rules: [{}]'));
    const r = meshFlowVerdict(ctx.snapshot, ctx.config, ref('amb/a'), ref('amb/b'), 8000, 'TCP');
    expect(r.verdict).toBe('allowed');
    expect(r.notes?.some((n) => n.startsWith('Gateways could not be read, so whether waypoint amb/wp'))).toBe(true);
  });

  it('the Istio authorization checks that judge calls are not evaluated, naming the Gateways, only where a waypoint is named', () => {
    const status = (yaml: string, gatewaysForbidden: boolean) => runChecks([authzAllowAny, authzPlaintextBypass], gatewaysForbidden ? forbidden(yaml) : ctxOf(yaml)).map((o) => `${o.check.id} ${o.status}${o.status === 'not-evaluated' ? ` ${o.reason}` : ''}`);
    expect(status(onlyZzz, true)).toEqual([
      'mtls.authz-allow-any not-evaluated needs gatewayapi.gateways: forbidden (list gatewayapi.gateways (refused in test)) for the waypoints that istio.io/use-waypoint names, as on namespace amb: their Gateways and GatewayClasses (istio.io/waypoint-for) and the Services calls reach them by',
      'mtls.authz-plaintext-bypass not-evaluated needs gatewayapi.gateways: forbidden (list gatewayapi.gateways (refused in test)) for the waypoints that istio.io/use-waypoint names, as on namespace amb: their Gateways and GatewayClasses (istio.io/waypoint-for) and the Services calls reach them by',
    ]);
    // No namespace, Service or workload names a waypoint: the Gateways do not matter.
    const noWaypoint = onlyZzz.replace(', istio.io/use-waypoint: wp', '');
    expect(status(noWaypoint, true).every((s) => !s.includes('not-evaluated'))).toBe(true);
  });

  it('Services refused: a Service may be what names the waypoint, so mtls.authz-missing is not evaluated rather than judged without the Service\'s waypoint', () => {
    // Only the Service names the waypoint: calls to the Service meet its ALLOW, direct calls to the pod do not.
    const serviceNamed = `${namespaceYaml('amb', 'istio.io/dataplane-mode: ambient')}${app('amb', 'b')}${service('amb', 'b', 'b', 'istio.io/use-waypoint: wp')}${waypoint('amb', 'wp', 'all')}${policy('allow', '{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: wp}], rules: [{}]}', 'amb')}`;
    expect(run(authzMissing, ctxOf(serviceNamed)).map((v) => v.message)).toEqual(['Deployment amb/b: a direct call to a pod of amb/b (judged by the ztunnel of amb/b) meets no ALLOW AuthorizationPolicy, so any caller the network lets in may make it; ALLOW amb/allow decides only a call to Service amb/b (judged by waypoint amb/wp)']);
    const ctx = ctxOf(serviceNamed);
    ctx.snapshot.resources.services = [];
    ctx.snapshot.coverage.services = { status: 'forbidden', detail: 'list services (refused in test)' };
    expect(runChecks([authzMissing], ctx).map((o) => `${o.status} ${o.reason}`)).toEqual(['not-evaluated needs services: forbidden (list services (refused in test)) for the Services, which may name a waypoint (istio.io/use-waypoint) for ambient Deployment amb/b']);
  });
});

describe('Istio waypoint: a policy attached to a Service judges only calls to that Service', () => {
  // https://istio.io/latest/docs/ambient/usage/l7-features/: "For an authorization policy to be
  // attached to a waypoint it must have a targetRef which refers to the waypoint, or a Service which
  // uses that waypoint"; https://ambientmesh.io/docs/security/waypoint-authz/: "the targetRefs field
  // is used to target policy destined for certain services, and those policies are bound to the
  // waypoints which those services are configured to use". Services s1 and s2 both select app: b;
  // a DENY on s1 leaves calls to s2, and direct calls to the pod, to the waypoint's other policies.
  const twoServices = (waypointFor: string, extra = '') => `${namespaceYaml('amb', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp')}${app('amb', 'a')}${app('amb', 'b')}${service('amb', 's1', 'b')}${service('amb', 's2', 'b')}${waypoint('amb', 'wp', waypointFor)}${policy('deny-s1', '{targetRefs: [{kind: Service, group: "", name: s1}], action: DENY, rules: [{}]}', 'amb')}${extra}`;

  it('waypoint-for all: the call to s2 and the direct call are allowed, the call to s1 denied (named in a note)', () => {
    const r = verdict(twoServices('all'), 'amb/a', 'amb/b');
    expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint amb/wp' });
    expect(r.notes).toContain('a call to Service amb/s2, a direct call to a pod of amb/b: judged by waypoint amb/wp');
    expect(viaService(r, 'amb/s1')).toEqual({ verdict: 'denied', enforcedBy: 'waypoint amb/wp', reason: 'DENY AuthorizationPolicy amb/deny-s1 rules[0] matches principal cluster.local/ns/amb/sa/a on port 8000' });
  });

  it('a waypoint-wide ALLOW still judges every call; the Service policy adds only to calls to s1', () => {
    const onlyZzz = policy('allow', '{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: wp}], rules: [{from: [{source: {principals: [cluster.local/ns/amb/sa/zzz]}}]}]}', 'amb');
    const r = verdict(twoServices('all', onlyZzz), 'amb/a', 'amb/b');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint amb/wp' });
    expect(viaService(r, 'amb/s1')?.reason).toBe('DENY AuthorizationPolicy amb/deny-s1 rules[0] matches principal cluster.local/ns/amb/sa/a on port 8000');
    expect(r.notes).toContain('a call to Service amb/s2, a direct call to a pod of amb/b: judged by waypoint amb/wp, DENIED: no ALLOW AuthorizationPolicy matches principal cluster.local/ns/amb/sa/a on port 8000 (applying: amb/allow)');
  });

  it('a RequestAuthentication attached to s2 lets JWTs through only on calls to s2', () => {
    const jwtAtWaypoint = `${policy('allow-jwt', '{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: wp}], rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}', 'amb')}
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: amb}
spec:
  targetRefs: [{kind: Service, group: "", name: s2}]
  jwtRules: [{issuer: testing@secure.istio.io, jwksUri: "https://example.com/jwks.json"}]
---`;
    const r = verdict(twoServices('all', jwtAtWaypoint), 'amb/a', 'amb/b');
    expect(r).toMatchObject({ verdict: 'depends', enforcedBy: 'waypoint amb/wp' });
    expect(r.reason).toContain('a JWT (RequestAuthentication issuers testing@secure.istio.io)');
    expect(r.notes?.find((n) => n.startsWith('a direct call to a pod of amb/b: judged by waypoint amb/wp, DENIED: '))).toBeDefined();
  });
});

describe('Istio waypoint: istio.io/waypoint-for on the GatewayClass', () => {
  // istiod's Waypoints collection (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/
  // waypoints.go): "default traffic type if neither GatewayClass nor Gateway specify a type" is
  // service; gatewayClass.Labels["istio.io/waypoint-for"] replaces it, and the Gateway's own label
  // replaces that. A platform team labelling its waypoint class `all` sends pod-addressed calls
  // through every waypoint of that class too.
  const I2 = WAYPOINT_CLASS_ALL;

  it('a class labelled all: the direct call to the pod goes through the waypoint too, so its ALLOW refuses shop/front, and every workload has an ALLOW', () => {
    const r = verdict(I2, 'shop/front', 'shop/api');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/waypoint' });
    expect(JSON.stringify(r)).toContain('istio.io/waypoint-for: all on GatewayClass platform-waypoint');
    expect(run(authzMissing, ctxOf(I2)).map((v) => `${v.resource.name} ${v.status}`)).toEqual(['api pass', 'front pass']);
  });

  it('the Gateway\'s own label overrides its class: waypoint-for service leaves the direct call to ztunnel', () => {
    const own = I2.replace('metadata: {name: waypoint, namespace: shop}', 'metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: service}}');
    expect(verdict(own, 'shop/front', 'shop/api')).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of shop/api (ambient)' });
    expect(run(authzMissing, ctxOf(own)).find((v) => v.resource.name === 'api')?.status).toBe('fail');
  });

  it('GatewayClasses refused: a Gateway without its own label is unsure (UNKNOWN, naming the class), and the checks are not evaluated', () => {
    const refused = () => {
      const ctx = ctxOf(I2);
      ctx.snapshot.resources['gatewayapi.gatewayclasses'] = [];
      ctx.snapshot.coverage['gatewayapi.gatewayclasses'] = { status: 'forbidden', detail: 'list gatewayapi.gatewayclasses (refused in test)' };
      return ctx;
    };
    const ctx = refused();
    const r = meshFlowVerdict(ctx.snapshot, ctx.config, ref('shop/front'), ref('shop/api'), 8000, 'TCP');
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toMatch(/^GatewayClasses could not be read, so whether waypoint shop\/waypoint \(namespace shop label istio.io\/use-waypoint, for its (Services|pods)\) handles (service|workload) traffic \(the istio.io\/waypoint-for label of its GatewayClass platform-waypoint\) is unknown: through it DENIED/);
    // A Gateway that carries its own label does not depend on its class.
    const labelled = ctxOf(I2.replace('metadata: {name: waypoint, namespace: shop}', 'metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: all}}'));
    labelled.snapshot.resources['gatewayapi.gatewayclasses'] = [];
    labelled.snapshot.coverage['gatewayapi.gatewayclasses'] = { status: 'forbidden', detail: 'list gatewayapi.gatewayclasses (refused in test)' };
    expect(meshFlowVerdict(labelled.snapshot, labelled.config, ref('shop/front'), ref('shop/api'), 8000, 'TCP').verdict).toBe('denied');
    expect(runChecks([authzMissing], refused()).map((o) => `${o.status} ${o.reason}`)).toEqual([
      'not-evaluated needs gatewayapi.gatewayclasses: forbidden (list gatewayapi.gatewayclasses (refused in test)) for the waypoints that istio.io/use-waypoint names, as on namespace shop: their Gateways and GatewayClasses (istio.io/waypoint-for) and the Services calls reach them by',
    ]);
  });
});
