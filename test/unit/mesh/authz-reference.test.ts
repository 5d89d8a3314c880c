// Reference cases for Istio authorization, each from an istio.io page (cited per case), with the
// verdicts the documentation states turned into what ztaudit's checks must report.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { authzIndex } from '../../../checks/mtls/lib/authz.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, deploymentYaml, fails, namespaceYaml, run } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const keyOf = (v: { resource: { kind: string; namespace?: string; name: string }; severity?: string }) => `${v.severity ?? '-'} ${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`;
const failing = (id: string, yaml: string) => fails(run(check(id), ctxOf(yaml))).map(keyOf).sort();
const passing = (id: string, yaml: string) => run(check(id), ctxOf(yaml)).filter((v) => v.status === 'pass').map((v) => `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`).sort();

const app = (ns: string, name: string) => deploymentYaml(ns, name);
const meshedNs = (ns: string) => namespaceYaml(ns);

describe('Istio authorization reference cases', () => {
  // https://istio.io/latest/docs/tasks/security/authorization/authz-http/ — "allow-nothing" in
  // default denies every workload; productpage-viewer then allows GET to productpage from anyone
  // (it is the ingress-facing page); details-viewer allows GET only from the productpage identity.
  const bookinfo = `${meshedNs('default')}${app('default', 'productpage')}${app('default', 'details')}${app('default', 'reviews')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: productpage-viewer, namespace: default}
spec:
  selector: {matchLabels: {app: productpage}}
  action: ALLOW
  rules: [{to: [{operation: {methods: [GET]}}]}]
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
  it('authz-http: allow-nothing covers every workload; productpage-viewer admits any caller (GET); details-viewer names its caller', () => {
    expect(failing('mtls.authz-missing', bookinfo)).toEqual([]);
    expect(passing('mtls.authz-missing', bookinfo)).toEqual(['Deployment default/details', 'Deployment default/productpage', 'Deployment default/reviews']);
    expect(failing('mtls.authz-allow-any', bookinfo)).toEqual(['medium AuthorizationPolicy default/productpage-viewer']);
    const msg = fails(run(check('mtls.authz-allow-any'), ctxOf(bookinfo)))[0].message;
    expect(msg).toContain('rules[0] has no from on some operations');
  });

  // https://istio.io/latest/docs/tasks/security/authorization/authz-deny/ — deny-method-get (DENY
  // GET unless x-token: admin) on httpbin in foo: every other request is still allowed, since no
  // ALLOW policy applies; allow-path-ip then allows /ip to anyone.
  const denyTask = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-method-get, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - to: [{operation: {methods: [GET]}}]
    when: [{key: "request.headers[x-token]", notValues: [admin]}]
`;
  it('authz-deny: a DENY policy alone leaves httpbin open to everything it does not name', () => {
    expect(failing('mtls.authz-missing', denyTask)).toEqual(['- Deployment foo/httpbin']);
    expect(fails(run(check('mtls.authz-missing'), ctxOf(denyTask)))[0].message).toContain('DENY foo/deny-method-get only excludes what it names');
    const withAllow = `${denyTask}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-path-ip, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules: [{to: [{operation: {paths: [/ip]}}]}]
`;
    expect(failing('mtls.authz-missing', withAllow)).toEqual([]);
    expect(failing('mtls.authz-allow-any', withAllow)).toEqual(['medium AuthorizationPolicy foo/allow-path-ip']);
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ — "allow-all"
  // (rules: [{}]) allows everything in foo; "deny-all" (spec: {}) denies everything; a DENY with
  // rules: [{}] denies everything too; a root-namespace policy applies to the whole mesh.
  it('reference: allow-all is high (namespace-wide, every port); allow-nothing and deny-all cover the workload; root-namespace policies apply mesh-wide', () => {
    const allowAll = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: foo}
spec: {action: ALLOW, rules: [{}]}
`;
    expect(failing('mtls.authz-allow-any', allowAll)).toEqual(['high AuthorizationPolicy foo/allow-all']);
    for (const spec of ['{}', '{action: DENY, rules: [{}]}']) {
      const y = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: foo}
spec: ${spec}
`;
      expect(failing('mtls.authz-missing', y), spec).toEqual([]);
      expect(passing('mtls.authz-missing', y), spec).toEqual(['Deployment foo/httpbin']);
    }
    const root = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: istio-system}
spec: {}
`;
    expect(failing('mtls.authz-missing', root)).toEqual([]);
    // The same policy in another namespace does not reach foo.
    expect(failing('mtls.authz-missing', root.replace('namespace: istio-system', 'namespace: bar'))).toEqual(['- Deployment foo/httpbin']);
    // A selector that does not match leaves the workload uncovered; targetRefs act at a waypoint, not the sidecar.
    const sel = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: other, namespace: foo}
spec: {selector: {matchLabels: {app: sleep}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: at-waypoint, namespace: foo}
spec:
  targetRefs: [{kind: Service, group: "", name: httpbin}]
  rules: [{from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]}]
`;
    expect(failing('mtls.authz-missing', sel)).toEqual(['- Deployment foo/httpbin']);
  });

  // https://istio.io/latest/docs/concepts/security/#dependency-on-mutual-tls — principals and
  // namespaces need mutual TLS; with plaintext allowed, a DENY on them does not stop plaintext
  // callers, and the recommended form is DENY with notPrincipals/notNamespaces.
  it('dependency on mutual TLS: DENY on namespaces under PERMISSIVE is bypassed; DENY on notNamespaces is not; STRICT passes', () => {
    const base = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-bar, namespace: foo}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [bar]}}]}]
`;
    expect(failing('mtls.authz-plaintext-bypass', base)).toEqual(['high Deployment foo/httpbin']);
    const recommended = base.replace('namespaces: [bar]', 'notNamespaces: [foo]');
    expect(failing('mtls.authz-plaintext-bypass', recommended)).toEqual([]);
    expect(passing('mtls.authz-plaintext-bypass', recommended)).toEqual(['Deployment foo/httpbin']);
    expect(failing('mtls.authz-plaintext-bypass', base.replace('mode: PERMISSIVE', 'mode: STRICT'))).toEqual([]);
  });

  it('bad input: an unknown action and a principal that matches nobody are findings naming the policy; the run goes on', () => {
    const y = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: "bad<b>", namespace: foo}
spec: {action: PERMIT}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mid-star, namespace: foo}
spec:
  rules: [{from: [{source: {principals: ["cluster.local/ns/*/sa/x"]}}]}]
`;
    const v = fails(run(check('mtls.authz-missing'), ctxOf(y)));
    // istiod accepts the mid-string "*" (principals are checked for empty values only) and matches
    // it literally: mid-star is an ALLOW policy in effect that admits nobody, so httpbin is covered.
    expect(v.map(keyOf).sort()).toEqual(['high AuthorizationPolicy foo/bad<b>', 'low AuthorizationPolicy foo/mid-star']);
    expect(v.find((x) => x.resource.name === 'bad<b>')!.message).toContain('unknown action "PERMIT"');
    expect(v.find((x) => x.resource.name === 'mid-star')!.message).toContain('has a "*" inside it');
    // The same reference page: at most one of selector and targetRefs; provider only with CUSTOM.
    const both = `${meshedNs('foo')}${app('foo', 'httpbin')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: both, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  targetRefs: [{kind: Service, group: "", name: httpbin}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: foo}
spec: {action: CUSTOM, rules: [{to: [{operation: {paths: [/admin]}}]}]}
`;
    const w = fails(run(check('mtls.authz-missing'), ctxOf(both)));
    // From manifests the API server refuses it first (the CRD's rule, Istio 1.24 on), so the finding names that rule; istiod's own check is in its evidence.
    const both_ = w.find((x) => x.resource.name === 'both')!;
    expect(both_.message).toContain('would be refused by the API server (spec sets selector and targetRefs (CRD rule "only one of targetRefs or selector can be set"))');
    expect(both_.evidence?.problems).toContain('both selector and targetRef(s) are set (at most one may be)');
    expect(w.find((x) => x.resource.name === 'ext-authz')!.message).toContain('action CUSTOM without a provider');
  });
});

describe('the authz checks judge per workload and port (istioFlowVerdict)', () => {
  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ — DENY is
  // evaluated before ALLOW, and ALLOW to.operation.ports narrows a rule to those ports.
  it('allow-any names the ports where a caller no policy names gets in, and passes when a DENY refuses it first', () => {
    const open = `${meshedNs('shop')}${app('shop', 'web')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: metrics-any, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {principals: ["*"]}}], to: [{operation: {ports: ["9090"]}}]}]
`;
    const [f] = fails(run(check('mtls.authz-allow-any'), ctxOf(open)));
    expect(f.message).toContain('rules[0] allows principals/namespaces "*" on ports 9090; it admits such a caller on shop/web ports 9090');
    expect(f.evidence).toMatchObject({ admittedOn: ['shop/web ports 9090'] });
    const denied = `${open}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: only-shop, namespace: shop}
spec: {action: DENY, rules: [{from: [{source: {notNamespaces: [shop]}}]}]}
`;
    expect(fails(run(check('mtls.authz-allow-any'), ctxOf(denied)))).toEqual([]);
    expect(run(check('mtls.authz-allow-any'), ctxOf(denied))[0].message).toBe('AuthorizationPolicy shop/metrics-any has a rule open to any caller, but on none of the 1 workload(s) it applies to does it admit one (a DENY policy or a condition decides first)');
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source —
  // principals are <TRUST_DOMAIN>/ns/<NS>/sa/<SA> and match by prefix ("abc*"), suffix ("*abc") or
  // presence ("*"): a prefix covering the trust domain admits every workload, a suffix on one
  // service account name does not; notPrincipals alone admits everyone but the named callers.
  it('allow-any counts principals that cover the whole trust domain and notPrincipals-only sources, not a suffix on one service account', () => {
    const policy = (name: string, source: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  rules: [{from: [{source: ${source}}]}]
---${app('shop', name)}`;
    const yaml = `${meshedNs('shop')}${policy('trust-domain', '{principals: ["cluster.local/*"]}')}${policy('all-namespaces', '{principals: ["cluster.local/ns/*"]}')}${policy('all-but-one', '{notPrincipals: ["cluster.local/ns/bad/sa/x"]}')}${policy('default-sa', '{principals: ["*/sa/default"]}')}${policy('other-domain', '{principals: ["other.example/*"]}')}`;
    expect(failing('mtls.authz-allow-any', yaml)).toEqual(['medium AuthorizationPolicy shop/all-but-one', 'medium AuthorizationPolicy shop/all-namespaces', 'medium AuthorizationPolicy shop/trust-domain']);
    expect(passing('mtls.authz-allow-any', yaml)).toEqual(['AuthorizationPolicy shop/default-sa', 'AuthorizationPolicy shop/other-domain']);
    const f = fails(run(check('mtls.authz-allow-any'), ctxOf(yaml))).find((v) => v.resource.name === 'trust-domain')!;
    expect(f.message).toContain('rules[0] admits every workload identity (from [{"principals":["cluster.local/*"]}])');
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/ — "If any of the
  // ALLOW policies match the request, allow the request": ALLOW policies are ORed, so each open one
  // admits any caller on its own, whichever other ALLOW policy Istio happens to match first.
  it('allow-any fails every open ALLOW policy on a workload, not only the first one matched; a policy naming its callers beside them passes', () => {
    const policy = (name: string, rules: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules: ${rules}
---`;
    const yaml = `${meshedNs('shop')}${app('shop', 'web')}${policy('open-a', '[{}]')}${policy('open-b', '[{from: [{source: {principals: ["cluster.local/*"]}}]}]')}${policy('named', '[{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]}]')}`;
    expect(failing('mtls.authz-allow-any', yaml)).toEqual(['medium AuthorizationPolicy shop/open-a', 'medium AuthorizationPolicy shop/open-b']);
    expect(passing('mtls.authz-allow-any', yaml)).toEqual(['AuthorizationPolicy shop/named']);
    const b = fails(run(check('mtls.authz-allow-any'), ctxOf(yaml))).find((v) => v.resource.name === 'open-b')!;
    expect(b.message).toContain('it admits such a caller on shop/web ports 8000, any other port');
  });

  it('allow-any answers at scale (time is measured by npm run bench): 10,000 workloads in 2,000 namespaces, an open policy in each and one in the root namespace over all', () => {
    const objs: KubeObject[] = [{ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-all', namespace: 'istio-system' }, spec: { rules: [{}] } }];
    for (let n = 0; n < 2000; n++) {
      objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${n}`, labels: { 'istio-injection': 'enabled' } } });
      objs.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'open', namespace: `ns${n}` }, spec: { rules: [{ from: [{ source: { principals: ['*'] } }] }] } });
      for (let w = 0; w < 5; w++) objs.push(deployment(`ns${n}`, `w${w}`));
    }
    const ctx = ctxOf('', undefined, objs);
    // The work, counted as reads of a policy's action: each judge of a workload reads those that
    // apply to it, a few per workload; copying the model's policy lists per judged port, or
    // scanning every workload per open policy, reads thousands per workload.
    let reads = 0;
    for (const p of authzIndex(ctx.snapshot, ctx.config).all) {
      const action = p.action;
      Object.defineProperty(p, 'action', { get: () => { reads++; return action; }, enumerable: true });
    }
    const out = run(check('mtls.authz-allow-any'), ctx);
    expect(fails(out)).toHaveLength(2001);
    expect(fails(out).find((v) => v.resource.name === 'allow-all')!.evidence).toMatchObject({ admittedOn: expect.arrayContaining(['ns1999/w4 ports 8080, any other port']) });
    expect((fails(out).find((v) => v.resource.name === 'allow-all')!.evidence as { admittedOn: string[] }).admittedOn).toHaveLength(10000);
    expect(reads / 10000).toBeLessThan(100);
  });

  // https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source —
  // namespaces need mTLS; with an ALLOW on principals a plaintext caller matches no ALLOW rule.
  it('plaintext-bypass: a DENY on namespaces is moot where an ALLOW on principals already refuses plaintext callers', () => {
    const y = `${meshedNs('shop')}${app('shop', 'web')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-legacy, namespace: shop}
spec: {action: DENY, rules: [{from: [{source: {namespaces: [legacy]}}]}]}
`;
    expect(fails(run(check('mtls.authz-plaintext-bypass'), ctxOf(y)))[0].message).toContain('so it is not denied (ports 8000, any other port)');
    const withAllow = `${y}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-from-api, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}], to: [{operation: {ports: ["8000"]}}]}]
`;
    const vs = run(check('mtls.authz-plaintext-bypass'), ctxOf(withAllow));
    expect(fails(vs)).toEqual([]);
    expect(vs[0].message).toContain('DENY shop/deny-legacy rules[0] would miss a plaintext caller, but on every port it covers the other policies refuse plaintext callers anyway');
  });

  // https://istio.io/latest/docs/ambient/usage/l4-policy/ (attachment table): in ambient mode a
  // policy attached by targetRefs to the waypoint Gateway, or to a Service using the waypoint, is
  // enforced by the waypoint for the workloads whose traffic goes through it.
  it('authz-missing counts ALLOW policies a waypoint enforces for an ambient workload, and only there', () => {
    const ns = (waypoint: boolean) => namespaceYaml('shop', `istio.io/dataplane-mode: ambient${waypoint ? ', istio.io/use-waypoint: waypoint' : ''}`);
    const policies = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: ALLOW
  rules: [{from: [{source: {principals: ["cluster.local/ns/web/sa/front"]}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {selector: {app: orders}, ports: [{port: 80, targetPort: 8000}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-callers, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: orders}]
  action: ALLOW
  rules: [{from: [{source: {principals: ["cluster.local/ns/web/sa/front"]}}]}]
---`;
    const apps = `${app('shop', 'api')}${app('shop', 'orders')}`;
    // The waypoint handles calls to Services and to pods alike (https://istio.io/latest/docs/ambient/usage/waypoint/).
    const gateway = (waypointFor: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop${waypointFor ? `, labels: {istio.io/waypoint-for: ${waypointFor}}` : ''}}
spec: {gatewayClassName: istio-waypoint}
---`;
    expect(passing('mtls.authz-missing', ns(true) + apps + policies + gateway('all'))).toEqual(['Deployment shop/api', 'Deployment shop/orders']);
    const [v] = run(check('mtls.authz-missing'), ctxOf(ns(true) + apps + policies + gateway('all'))).filter((x) => x.resource.name === 'api');
    expect(v.message).toContain('shop/api-callers enforced by waypoint shop/waypoint (namespace shop label istio.io/use-waypoint, for its pods; istio.io/waypoint-for: all)');
    // By default a waypoint handles service traffic only: a direct call to a pod meets ztunnel, where no ALLOW policy applies.
    expect(failing('mtls.authz-missing', ns(true) + apps + policies + gateway(''))).toEqual(['- Deployment shop/api', '- Deployment shop/orders']);
    // Without a waypoint nothing enforces targetRef policies: still no ALLOW policy applies.
    expect(failing('mtls.authz-missing', ns(false) + apps + policies)).toEqual(['- Deployment shop/api', '- Deployment shop/orders']);
  });

  // https://istio.io/latest/docs/reference/config/annotations/ — excludeInboundPorts: "A comma
  // separated list of inbound ports to be excluded from redirection to Envoy". Such a port never
  // reaches the sidecar, so no AuthorizationPolicy applies there: any caller gets in, in plaintext.
  it('authz-missing: a strict ALLOW policy does not protect a declared port that excludeInboundPorts keeps away from Envoy', () => {
    const web = (annotations: string) => `${meshedNs('shop')}
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {${annotations}}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]}]
`;
    const excluded = web('traffic.sidecar.istio.io/excludeInboundPorts: "9090"');
    expect(failing('mtls.authz-missing', excluded)).toEqual(['- Deployment shop/web']);
    const [f] = fails(run(check('mtls.authz-missing'), ctxOf(excluded)));
    expect(f.message).toContain('port 9090 bypasses its sidecar (pod annotation traffic.sidecar.istio.io/excludeInboundPorts="9090")');
    expect(f.evidence).toMatchObject({ bypassedPorts: ['9090'] });
    // includeInboundPorts lists the only ports Envoy receives: every other one bypasses it.
    const [g] = fails(run(check('mtls.authz-missing'), ctxOf(web('traffic.sidecar.istio.io/includeInboundPorts: "8080"'))));
    expect(g.message).toContain('ports 9090, any other port bypass its sidecar');
    // Without the annotation the ALLOW policy decides every port.
    expect(failing('mtls.authz-missing', web(''))).toEqual([]);
    // A deny-all policy does not refuse what never reaches Envoy either.
    const denyAll = excluded.replace('action: ALLOW\n  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]}]', 'action: DENY\n  rules: [{}]');
    expect(denyAll).toContain('action: DENY');
    expect(fails(run(check('mtls.authz-missing'), ctxOf(denyAll)))[0].message).toContain('DENY shop/web-callers refuses every call through the sidecar, but port 9090 bypasses its sidecar');
    // allow-any names the bypass (not the policy) as what admits the caller on that port.
    const metricsAny = `${excluded}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: metrics-any, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {principals: ["*"]}}], to: [{operation: {ports: ["9090"]}}]}]
`;
    const [m] = fails(run(check('mtls.authz-allow-any'), ctxOf(metricsAny)));
    expect(m.message).toContain('it admits such a caller on shop/web ports 9090 (bypasses the sidecar, pod annotation traffic.sidecar.istio.io/excludeInboundPorts="9090")');
  });
});
