// Envoy Gateway's SecurityPolicy and BackendTrafficPolicy act only on the Gateways Envoy Gateway
// manages (a GatewayClass whose controllerName is gateway.envoyproxy.io/…): it translates only
// those and the routes attached to them, and a target it does not find is "not an error ...
// because the SecurityPolicy may be reconciled by multiple controllers, and the gateway may not be
// managed by this controller" (envoyproxy/gateway internal/gatewayapi/securitypolicy.go,
// resolveSecurityPolicyGatewayTargetRef). A policy reaching a host through another controller's
// Gateway guards nothing there.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';

const scene = (controller: string | undefined, policy: string) => `${controller ? `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: edge}
spec: {controllerName: ${controller}}
---` : ''}
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: edge
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {certificateRefs: [{name: a}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: app}
spec:
  parentRefs: [{name: gw}]
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: shop, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: app}
spec: {selector: {app: shop}, ports: [{port: 80}]}
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
${policy}`;
const target = '{group: gateway.networking.k8s.io, kind: HTTPRoute, name: shop}';
const security = (guard: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: auth, namespace: app}\nspec:\n  targetRefs: [${target}]\n  ${guard}\n`;
const rateLimit = `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata: {name: rl, namespace: app}\nspec:\n  targetRefs: [${target}]\n  rateLimit: {type: Local, local: {rules: [{limit: {requests: 10, unit: Second}}]}}\n`;
const JWT = 'jwt: {providers: [{name: corp, remoteJWKS: {uri: "https://idp.example.com/jwks.json"}}]}';

function shopOf(check: string, yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, { clusterVersion: 'v1.36.3' });
  const [o] = runChecks([CHECK_BY_ID.get(check)!], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
  expect(o.status, o.reason).not.toBe('error');
  return o.results.find((r) => r.resource.kind === 'HTTPRoute' && r.resource.name === 'shop');
}

describe('Envoy Gateway policies on a Gateway of another GatewayClass', () => {
  it('tls.edge-auth-missing: a SecurityPolicy on a route of an Istio-class Gateway does not count, and says why', () => {
    const r = shopOf('tls.edge-auth-missing', scene('istio.io/gateway-controller', security(JWT)));
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r?.message).toContain('SecurityPolicy app/auth (jwt) does not apply through Gateway app/gw (GatewayClass edge (istio.io/gateway-controller)), which serves the host: Envoy Gateway does not manage that Gateway');
  });
  it('tls.edge-auth-missing: the same SecurityPolicy counts on an Envoy Gateway class, or a GatewayClass not in the input', () => {
    expect(shopOf('tls.edge-auth-missing', scene('gateway.envoyproxy.io/gatewayclass-controller', security(JWT)))?.status).toBe('pass');
    expect(shopOf('tls.edge-auth-missing', scene(undefined, security(JWT)))?.status).toBe('pass');
  });
  it('tls.edge-rate-limit-missing: a BackendTrafficPolicy rateLimit on a route of an Istio-class Gateway does not count', () => {
    const r = shopOf('tls.edge-rate-limit-missing', scene('istio.io/gateway-controller', rateLimit));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('BackendTrafficPolicy app/rl rateLimit does not apply through Gateway app/gw');
    expect(shopOf('tls.edge-rate-limit-missing', scene('gateway.envoyproxy.io/gatewayclass-controller', rateLimit))?.status).toBe('pass');
  });
});

// JWT.optional "determines whether a missing JWT is acceptable, defaulting to false if not
// specified. Note: Even if optional is set to true, JWT authentication will still fail if an
// invalid JWT is presented." (envoyproxy/gateway api/v1alpha1/jwt_types.go): a request without a
// token goes through, so nothing asks who the caller is.
describe('tls.edge-auth-missing: an Envoy Gateway SecurityPolicy whose jwt is optional', () => {
  const EG = 'gateway.envoyproxy.io/gatewayclass-controller';
  const optional = 'jwt: {optional: true, providers: [{name: corp, remoteJWKS: {uri: "https://idp.example.com/jwks.json"}}]}';
  it('does not count as authentication, and the finding says it admits requests without a token', () => {
    const r = shopOf('tls.edge-auth-missing', scene(EG, security(optional)));
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r?.message).toContain('SecurityPolicy app/auth jwt sets optional: true, so it admits requests without a token');
  });
  it('jwt with optional: false, or another guard beside the optional jwt, still counts', () => {
    expect(shopOf('tls.edge-auth-missing', scene(EG, security(optional.replace('optional: true', 'optional: false'))))?.status).toBe('pass');
    expect(shopOf('tls.edge-auth-missing', scene(EG, security(`${optional}\n  basicAuth: {users: {name: htpasswd}}`)))?.status).toBe('pass');
  });
});
