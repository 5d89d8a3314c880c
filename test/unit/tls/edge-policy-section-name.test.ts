// Envoy Gateway policies whose targetRef names a Gateway listener (sectionName) protect only the
// hosts on that listener. Upstream: envoyproxy/gateway v1.9.0
// internal/gatewayapi/helpers.go gatewayPolicyTargetListeners (a Gateway target with sectionName
// keeps only the listener of that name) and internal/gatewayapi/securitypolicy.go
// buildGatewayPolicyMapForSecurity (validateGatewayListenerSectionName, keyed by
// NamespacedNameWithSection); a sectionName on a route target names a route rule (helpers.go
// isRouteRule). In older releases the CRDs refuse a sectionName ("this policy does not yet
// support the sectionName field": api/v1alpha1/securitypolicy_types.go up to v1.4.0,
// backendtrafficpolicy_types.go up to v1.5.0), so no release applies such a policy to the whole Gateway.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';

const scene = (policies: string, shopParent = '{name: gw, sectionName: public}') => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: eg
  listeners:
  - {name: public, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {certificateRefs: [{name: a}]}}
  - {name: admin, protocol: HTTPS, port: 443, hostname: admin.example.com, tls: {certificateRefs: [{name: admin}]}}
  - {name: any, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: admin}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: app}
spec:
  parentRefs: [${shopParent}]
  hostnames: [a.example.com]
  rules: [{name: main, backendRefs: [{name: shop, port: 80}]}, {name: extra, backendRefs: [{name: shop, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin, namespace: app}
spec:
  parentRefs: [{name: gw, sectionName: admin}]
  hostnames: [admin.example.com]
  rules: [{backendRefs: [{name: admin, port: 80}]}]
${policies}
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: app}
spec: {selector: {app: shop}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: app}
spec: {selector: {app: admin}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: app}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: c, image: "nginx:1.27", ports: [{containerPort: 80}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: app}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, image: "nginx:1.27", ports: [{containerPort: 80}]}]}
`;
const security = (targets: string) => `---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: auth, namespace: app}\nspec:\n  targetRefs: [${targets}]\n  basicAuth: {users: {name: htpasswd}}\n`;
const rateLimit = (targets: string) => `---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata: {name: rl, namespace: app}\nspec:\n  targetRefs: [${targets}]\n  rateLimit: {type: Local, local: {rules: [{limit: {requests: 10, unit: Second}}]}}\n`;
const gw = (section?: string) => `{group: gateway.networking.k8s.io, kind: Gateway, name: gw${section ? `, sectionName: ${section}` : ''}}`;

function run(check: string, yaml: string) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  const snapshot = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
  const [o] = runChecks([CHECK_BY_ID.get(check)!], { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
  expect(o.status, o.reason).not.toBe('error');
  return { o, shop: o.results.find((r) => r.resource.name === 'shop'), admin: o.results.find((r) => r.resource.name === 'admin') };
}

describe('tls.edge-auth-missing: a SecurityPolicy aimed at one Gateway listener (sectionName)', () => {
  it('protects the host on that listener only: a.example.com on listener public has no authentication', () => {
    const r = run('tls.edge-auth-missing', scene(security(gw('admin'))));
    expect(r.admin?.status).toBe('pass');
    expect(r.shop?.status).toBe('fail');
    expect(r.shop?.message).toContain('a.example.com');
  });
  it('a policy on the whole Gateway, or naming the route\'s listener, still protects it', () => {
    expect(run('tls.edge-auth-missing', scene(security(gw()))).shop?.status).toBe('pass');
    expect(run('tls.edge-auth-missing', scene(security(gw('public')))).shop?.status).toBe('pass');
  });
  it('a route attached to several listeners is protected only when the policy names each of them', () => {
    // parentRef without sectionName: the route attaches to every listener that accepts it (public and any).
    const parent = '{name: gw}';
    expect(run('tls.edge-auth-missing', scene(security(gw('public')), parent)).shop?.status).toBe('fail');
    expect(run('tls.edge-auth-missing', scene(security(`${gw('public')}, ${gw('any')}`), parent)).shop?.status).toBe('pass');
  });
  it('a route target with sectionName names one rule: the host is protected only when every rule is named', () => {
    const route = (s: string) => `{group: gateway.networking.k8s.io, kind: HTTPRoute, name: shop, sectionName: ${s}}`;
    expect(run('tls.edge-auth-missing', scene(security(route('main')))).shop?.status).toBe('fail');
    expect(run('tls.edge-auth-missing', scene(security(`${route('main')}, ${route('extra')}`))).shop?.status).toBe('pass');
    expect(run('tls.edge-auth-missing', scene(security('{group: gateway.networking.k8s.io, kind: HTTPRoute, name: shop}'))).shop?.status).toBe('pass');
  });
});

describe('tls.edge-rate-limit-missing: a BackendTrafficPolicy aimed at one Gateway listener (sectionName)', () => {
  it('limits the host on that listener only', () => {
    const r = run('tls.edge-rate-limit-missing', scene(rateLimit(gw('admin'))));
    expect(r.admin?.status).toBe('pass');
    expect(r.shop?.status).toBe('fail');
    expect(run('tls.edge-rate-limit-missing', scene(rateLimit(gw()))).shop?.status).toBe('pass');
  });
});
