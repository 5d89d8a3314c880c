// An Istio gateway whose Gateway servers only pass TLS through is not asked for an ALLOW policy
// naming callers (reviewer repro ew/m.yaml, the east-west gateway of a multi-network install).
// AUTO_PASSTHROUGH and PASSTHROUGH route by SNI and leave the TLS to the service behind the
// gateway (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode;
// an omitted mode is PASSTHROUGH, shared/reference/checks.md 5.3): the gateway never sees the
// caller's certificate, so an ALLOW on `source.principals` there would refuse every cross-network
// call, and "any caller" is all a policy there can say. ISTIO_MUTUAL terminates Istio mTLS and
// does see the caller: such a gateway is still judged.
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';

/** istio-system/istio-eastwestgateway as Istio's multicluster install runs it (its proxy a router), with the cross-network Gateway whose servers are `servers`. */
const EASTWEST = (servers: string, extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-eastwestgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: eastwestgateway, app: istio-eastwestgateway}}
  template:
    metadata:
      labels: {istio: eastwestgateway, app: istio-eastwestgateway, topology.istio.io/network: network1, sidecar.istio.io/inject: "true"}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      serviceAccountName: istio-eastwestgateway-service-account
      containers:
      - name: istio-proxy
        image: auto
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports: [{containerPort: 15021}, {containerPort: 15443}, {containerPort: 15012}, {containerPort: 15017}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-eastwestgateway, namespace: istio-system, labels: {istio: eastwestgateway}}
spec:
  type: LoadBalancer
  selector: {istio: eastwestgateway, app: istio-eastwestgateway}
  ports: [{name: status-port, port: 15021, targetPort: 15021}, {name: tls, port: 15443, targetPort: 15443}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross-network-gateway, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers: ${servers}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---${extra}`;
const AUTO = '[{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: AUTO_PASSTHROUGH}, hosts: ["*.local"]}]';

const run = (id: string, yaml: string) => {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
  return [...CHECK_BY_ID.get(id)!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })];
};
const gateway = (id: string, yaml: string) => run(id, yaml).filter((v) => v.resource.name === 'istio-eastwestgateway');

describe('mtls.authz-missing: a gateway that only passes TLS through', () => {
  it('the east-west gateway (one 15443 AUTO_PASSTHROUGH server) passes, saying why (was: medium "no ALLOW AuthorizationPolicy applies")', () => {
    const v = gateway('mtls.authz-missing', EASTWEST(AUTO));
    expect(v.map((x) => [x.status, x.severity])).toEqual([['pass', undefined]]);
    expect(v[0].message).toBe('Deployment istio-system/istio-eastwestgateway is a gateway that only passes TLS through (Gateway istio-system/cross-network-gateway servers[0] (port 15443, TLS) tls.mode AUTO_PASSTHROUGH): it never sees who calls, so no ALLOW policy there could name its callers; the workloads behind it decide');
  });

  it('PASSTHROUGH, or TLS with no mode (PASSTHROUGH), passes too', () => {
    for (const servers of ['[{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: PASSTHROUGH}, hosts: ["*"]}]', '[{port: {number: 15443, name: tls, protocol: TLS}, hosts: ["*"]}]']) {
      expect(gateway('mtls.authz-missing', EASTWEST(servers)).map((x) => x.status), servers).toEqual(['pass']);
    }
  });

  it('an ISTIO_MUTUAL server (it terminates mTLS and sees the caller), or a plain server beside the passthrough one: still a finding', () => {
    for (const servers of [
      '[{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: ISTIO_MUTUAL}, hosts: ["*"]}]',
      `[{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: AUTO_PASSTHROUGH}, hosts: ["*.local"]}, {port: {number: 15021, name: http, protocol: HTTP}, hosts: ["*"]}]`,
    ]) {
      const v = gateway('mtls.authz-missing', EASTWEST(servers));
      expect(v.map((x) => [x.status, x.severity]), servers).toEqual([['fail', undefined]]);
      expect(v[0].message, servers).toContain('is meshed but no ALLOW AuthorizationPolicy applies to it');
    }
  });
});

describe('mtls.authz-missing: a Gateway API gateway istiod manages, by its listeners', () => {
  // A TLS listener in Passthrough mode hands the stream to a TLSRoute backend without terminating
  // it (shared/reference/checks.md 5.4); Terminate sees only the client's own certificate.
  const MANAGED = (mode: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: edge, labels: {istio-injection: enabled}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: tls, port: 443, protocol: TLS, tls: {mode: ${mode}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tls-istio, namespace: edge}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: tls}}
  template:
    metadata:
      labels: {gateway.networking.k8s.io/gateway-name: tls, gateway.istio.io/managed: istio.io-gateway-controller, sidecar.istio.io/inject: "true"}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      containers: [{name: istio-proxy, image: auto, ports: [{containerPort: 443}]}]
`;
  it('only a Passthrough TLS listener: passes; a Terminate one: still a finding', () => {
    const of = (mode: string) => run('mtls.authz-missing', MANAGED(mode)).filter((v) => v.resource.name === 'tls-istio').map((v) => v.status);
    expect(of('Passthrough')).toEqual(['pass']);
    expect(of('Terminate')).toEqual(['fail']);
  });
});

describe('mtls.authz-allow-any: an open ALLOW on a gateway that only passes TLS through', () => {
  const OPEN = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: eastwest-open, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: eastwestgateway}}
  rules: [{}]
---`;
  const policy = (yaml: string) => run('mtls.authz-allow-any', yaml).filter((v) => v.resource.name === 'eastwest-open');

  it('passes, saying the gateway never sees who calls (a mesh-wide allow-nothing needs it there)', () => {
    const v = policy(EASTWEST(AUTO, OPEN));
    expect(v.map((x) => x.status)).toEqual(['pass']);
    expect(v[0].message).toBe('AuthorizationPolicy istio-system/eastwest-open has a rule open to any caller, but it applies only to gateway(s) that pass TLS through (istio-system/istio-eastwestgateway), which never see who calls, so no policy there could name callers');
  });

  it('on an ISTIO_MUTUAL gateway it is still a finding', () => {
    const v = policy(EASTWEST('[{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: ISTIO_MUTUAL}, hosts: ["*"]}]', OPEN));
    expect(v.map((x) => [x.status, x.severity])).toEqual([['fail', 'medium']]);
  });
});
