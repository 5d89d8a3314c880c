// Routes attached to a Gateway API ListenerSet (parentRef kind ListenerSet, optional sectionName:
// https://gateway-api.sigs.k8s.io/api-types/listenerset/#route-attachment) are served by the
// parent Gateway on the ListenerSet's listeners, so the edge guards judge their hosts as any
// Gateway route's. A sectionName on a policy's Gateway targetRef names one of the Gateway's own
// listeners; a ListenerSet's listener of the same name is another listener (names need not be
// unique across a Gateway and its ListenerSets: gateway-api apis/v1/listenerset_types.go
// ListenerEntry.Name), so such a policy does not guard a route attached through the ListenerSet.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';

const SCENE = (policy = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: shop}
spec:
  gatewayClassName: eg
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: www.example.com, tls: {certificateRefs: [{name: www-tls}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team-admin, namespace: shop}
spec:
  parentRef: {name: eg}
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: admin.example.com, tls: {certificateRefs: [{name: admin-tls}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin, namespace: shop}
spec:
  parentRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team-admin, sectionName: https}]
  hostnames: [admin.example.com]
  rules: [{backendRefs: [{name: admin, port: 80}]}]
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
${policy}`;

const snapshotOf = (yaml: string) => snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, { clusterVersion: 'v1.36.3' });
function run(check: string, yaml: string) {
  const [o] = runChecks([CHECK_BY_ID.get(check)!], { snapshot: snapshotOf(yaml), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
  expect(o.status, o.reason).not.toBe('error');
  return o;
}

const policy = (target: string) => `---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: {name: jwt, namespace: shop}\nspec:\n  targetRefs: [${target}]\n  jwt: {providers: [{name: example, remoteJWKS: {uri: "https://example.com/jwks.json"}}]}\n`;

describe('edge guards: a route attached by sectionName to a ListenerSet HTTPS listener', () => {
  it('is a route of the parent Gateway on the ListenerSet\'s listener', () => {
    const [r] = edgeRoutes(snapshotOf(SCENE())).routes;
    expect(r).toMatchObject({ via: 'Gateway', route: { kind: 'HTTPRoute', name: 'admin' }, gateway: { kind: 'Gateway', namespace: 'shop', name: 'eg' }, listeners: ['https'], listenerSet: { kind: 'ListenerSet', namespace: 'shop', name: 'team-admin' }, host: 'admin.example.com' });
  });

  it('with no authentication: tls.edge-auth-missing fails for its host', () => {
    const o = run('tls.edge-auth-missing', SCENE());
    expect(o.results).toHaveLength(1);
    expect(o.results[0]).toMatchObject({ status: 'fail' });
    expect(o.results[0].message).toContain('admin.example.com');
    expect(o.results[0].message).toContain('HTTPRoute shop/admin');
  });

  it('a SecurityPolicy on the whole Gateway guards it; one on the Gateway\'s own listener "https" does not', () => {
    expect(run('tls.edge-auth-missing', SCENE(policy('{group: gateway.networking.k8s.io, kind: Gateway, name: eg}'))).results[0].status).toBe('pass');
    expect(run('tls.edge-auth-missing', SCENE(policy('{group: gateway.networking.k8s.io, kind: Gateway, name: eg, sectionName: https}'))).results[0].status).toBe('fail');
  });

  it('rate limit and WAF are judged for it too', () => {
    for (const id of ['tls.edge-rate-limit-missing', 'tls.edge-waf-missing']) {
      const o = run(id, SCENE());
      expect(o.results.map((r) => r.status), id).toEqual(['fail']);
      expect(o.results[0].message, id).toContain('admin.example.com');
    }
  });
});
