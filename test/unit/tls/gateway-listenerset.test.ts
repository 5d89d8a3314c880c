// Gateway API ListenerSets (gateway.networking.k8s.io/v1, Standard Channel since Gateway API
// v1.5.0: https://gateway-api.sigs.k8s.io/api-types/listenerset/; GEP-1713) add listeners to a
// Gateway whose spec.allowedListeners admits them (from: None, the default, admits none), and
// routes attach to those listeners with a parentRef of kind ListenerSet (and sectionName). The
// Gateway serves them as its own, so tls.ingress-without-tls judges them as Gateway listeners,
// naming the ListenerSet; one the Gateway does not take adds nothing and is named in the note.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

const gateway = (allowed: string) => `
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
${allowed}
  listeners:
  - {name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: {certificateRefs: [{name: wildcard-tls}]}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {ports: [{port: 80}]}
`;

const LISTENER_SET = `
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

const run = (yaml: string, patch?: (s: ReturnType<typeof snapshotFromObjects>) => void) => {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  patch?.(snapshot);
  const [o] = runChecks([ingressWithoutTls], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
  return o;
};

describe('tls.ingress-without-tls: listeners a Gateway API ListenerSet adds to a Gateway', () => {
  it('a plaintext HTTP listener of a ListenerSet the Gateway allows (from: All) fails, naming the ListenerSet', () => {
    const o = run(gateway('  allowedListeners: {namespaces: {from: All}}') + LISTENER_SET);
    const r = o.results.find((x) => x.resource.kind === 'ListenerSet');
    expect(r).toMatchObject({ status: 'fail', resource: { kind: 'ListenerSet', namespace: 'app', name: 'team-a' } });
    expect(r!.message).toContain('HTTP listener plain serves content in plaintext: HTTPRoute app/web (a.example.com → Service app/web:80)');
    expect(o.excluded ?? '').not.toContain('not judged');
  });

  it('from: Same admits only a ListenerSet of the Gateway\'s namespace', () => {
    const o = run(gateway('  allowedListeners: {namespaces: {from: Same}}') + LISTENER_SET);
    expect(o.results.filter((x) => x.resource.kind === 'ListenerSet')).toEqual([]);
    expect(o.excluded).toContain('ListenerSet app/team-a adds no listener: Gateway infra/shared does not allow it (spec.allowedListeners.namespaces.from "Same", and it is in namespace app)');
  });

  it('from: Selector admits a ListenerSet whose namespace the selector matches', () => {
    const ns = '\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {listeners: allowed}}\n';
    const o = run(gateway('  allowedListeners: {namespaces: {from: Selector, selector: {matchLabels: {listeners: allowed}}}}') + LISTENER_SET + ns);
    expect(o.results.find((x) => x.resource.kind === 'ListenerSet')).toMatchObject({ status: 'fail', resource: { name: 'team-a' } });
  });

  it('with allowedListeners absent (None, the default) or None the ListenerSet adds no listener: no verdict, a note', () => {
    for (const allowed of ['', '  allowedListeners: {namespaces: {from: None}}']) {
      const o = run(gateway(allowed) + LISTENER_SET);
      expect(o.results.filter((x) => x.resource.kind === 'ListenerSet')).toEqual([]);
      expect(o.excluded).toContain('ListenerSet app/team-a adds no listener: Gateway infra/shared does not allow it (spec.allowedListeners.namespaces.from "None"');
    }
    expect(run(gateway('') + LISTENER_SET).excluded).toContain('"None", the default)');
  });

  it('an XListenerSet (gateway.networking.x-k8s.io/v1alpha1, experimental v1.3.0-v1.4.x) is read the same way', () => {
    const x = LISTENER_SET.replace('apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet', 'apiVersion: gateway.networking.x-k8s.io/v1alpha1\nkind: XListenerSet')
      .replace('{group: gateway.networking.k8s.io, kind: ListenerSet,', '{group: gateway.networking.x-k8s.io, kind: XListenerSet,');
    const o = run(gateway('  allowedListeners: {namespaces: {from: All}}') + x);
    expect(o.results.find((r) => r.resource.kind === 'XListenerSet')).toMatchObject({ status: 'fail', resource: { namespace: 'app', name: 'team-a' } });
  });

  it('a ListenerSet listener not distinct from a Gateway listener (same protocol, port and hostname) is not programmed: the Gateway\'s wins', () => {
    const conflicting = LISTENER_SET.replace('{name: plain, protocol: HTTP, port: 8080, hostname: a.example.com}', '{name: plain, protocol: HTTPS, port: 443, hostname: "*.example.com"}');
    const o = run(gateway('  allowedListeners: {namespaces: {from: All}}') + conflicting);
    expect(o.results.filter((x) => x.resource.kind === 'ListenerSet')).toEqual([]);
    expect(o.excluded).toContain('ListenerSet app/team-a listener plain (HTTPS port 443, *.example.com) is not programmed: it conflicts with Gateway infra/shared listener https (same protocol, port and hostname: HostnameConflict)');
  });

  it('ListenerSets that could not be read: the routes attached to one are named as not judged', () => {
    const o = run(gateway('  allowedListeners: {namespaces: {from: All}}') + LISTENER_SET, (s) => {
      s.coverage['gatewayapi.listenersets'] = { status: 'forbidden', detail: 'list listenersets.gateway.networking.k8s.io' };
      delete s.resources['gatewayapi.listenersets'];
    });
    expect(o.status).not.toBe('not-evaluated');
    expect(o.degraded).toContain('gatewayapi.listenersets');
    expect(o.excluded).toContain('Gateway API ListenerSets could not be read (forbidden): the listeners they may add to Gateways (a plaintext HTTP one included) have no verdict, nor the 1 route parentRef(s) naming one: HTTPRoute app/web → ListenerSet app/team-a (sectionName plain)');
  });
});

describe('tls.certificate-unmanaged: the certificateRefs of a ListenerSet HTTPS listener', () => {
  const HTTPS = LISTENER_SET.replace('{name: plain, protocol: HTTP, port: 8080, hostname: a.example.com}', '{name: secure, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {certificateRefs: [{name: a-tls}]}}');
  const CERTIFICATE = '\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a, namespace: app}\nspec: {secretName: a-tls, dnsNames: [a.example.com], issuerRef: {name: le, kind: ClusterIssuer}}\n';
  const unmanaged = (yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
    const [o] = runChecks([certificateUnmanaged], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
    return o.results.filter((r) => r.resource.kind === 'ListenerSet');
  };
  it('a Secret no Certificate writes fails, naming the ListenerSet and its listener; one a Certificate writes passes', () => {
    const [r] = unmanaged(gateway('  allowedListeners: {namespaces: {from: All}}') + HTTPS);
    expect(r).toMatchObject({ status: 'fail', resource: { kind: 'ListenerSet', namespace: 'app', name: 'team-a' } });
    expect(r.message).toContain('ListenerSet app/team-a listener secure: TLS Secret app/a-tls is not managed by any cert-manager Certificate');
    expect(unmanaged(gateway('  allowedListeners: {namespaces: {from: All}}') + HTTPS + CERTIFICATE)).toMatchObject([{ status: 'pass', resource: { kind: 'ListenerSet', name: 'team-a' } }]);
  });
  it('a ListenerSet the Gateway does not allow serves no certificate', () => {
    expect(unmanaged(gateway('') + HTTPS)).toEqual([]);
  });
});
