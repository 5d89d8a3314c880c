// A Gateway API ListenerSet (gateway.networking.k8s.io/v1, Standard Channel since Gateway API
// v1.5.0: https://gateway-api.sigs.k8s.io/api-types/listenerset/) adds listeners to a Gateway
// whose allowedListeners admit it, and routes attach to them with a parentRef of kind ListenerSet.
// ztaudit does not read ListenerSets: such a route, and the plaintext listener it may be served on,
// must be named as not judged rather than pass in silence.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const SCENE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shared, namespace: infra}
spec:
  gatewayClassName: eg
  allowedListeners: {namespaces: {from: All}}
  listeners:
  - {name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: {certificateRefs: [{name: wildcard-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team-a, namespace: app}
spec:
  parentRef: {name: shared, namespace: infra}
  listeners:
  - {name: plain, protocol: HTTP, port: 8080, hostname: a.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: app}
spec:
  parentRefs:
  - {group: gateway.networking.k8s.io, kind: ListenerSet, name: team-a, sectionName: plain}
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;

describe('tls.ingress-without-tls: routes attached through a ListenerSet', () => {
  it('are named in the check\'s note as not judged', () => {
    const snapshot = snapshotFromObjects(parseManifestText(SCENE, 'case.yaml').objects, {});
    const [o] = runChecks([ingressWithoutTls], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
    expect(o.excluded).toContain('1 route parentRef(s) naming a Gateway API ListenerSet are not judged');
    expect(o.excluded).toContain('HTTPRoute app/web → ListenerSet app/team-a (sectionName plain)');
  });
});
