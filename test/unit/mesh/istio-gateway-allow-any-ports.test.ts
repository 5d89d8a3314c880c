// mtls.authz-allow-any on an Istio gateway names the ports a client reaches it on: the ports its
// Gateway servers bind, at the targetPort of the gateway's Service (istio/istio
// pilot/pkg/model/gateway.go resolvePorts; pilot/pkg/networking/core/gateway.go
// buildGatewayListeners builds a gateway's listeners, and the RBAC filters on them, from those
// servers only). The status port 15021 is a static listener of Envoy's bootstrap serving
// /healthz/ready, with no AuthorizationPolicy filter (istio/istio tag 1.28.10
// tools/packaging/common/envoy_bootstrap.json listener `{{ .wildcard }}_{{ .envoy_status_port }}`,
// pilot/cmd/pilot-agent/options/options.go ENVOY_STATUS_PORT default 15021); no other port has a
// listener at all. Before: "ports 8080, 8443, 15021, any other port".
import { describe, expect, it } from 'vitest';
import { authzAllowAny } from '../../../checks/mtls/authz-allow-any.ts';
import { ctxOf, run } from './helpers.ts';

const GATEWAY = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-ingress}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: istio-ingressgateway, istio: ingressgateway}}
  template:
    metadata:
      labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "true"}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      serviceAccountName: istio-ingressgateway
      containers:
      - {name: istio-proxy, image: auto, ports: [{containerPort: 8080, name: http2}, {containerPort: 8443, name: https}, {containerPort: 15021, name: status-port}]}
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {app: istio-ingressgateway, istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}, {name: https, port: 443, targetPort: 8443}, {name: status-port, port: 15021, targetPort: 15021}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  rules: [{}]
---`;

const SERVERS = (servers: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
${servers}
---`;
const HTTP = '  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}';
const HTTPS = '  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE, credentialName: cert}}';

/** A sidecar workload beside it, with the same open policy: its report keeps "any other port" (its sidecar captures every inbound port). */
const SIDECAR_APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open-api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{}]
---`;

const openOn = (yaml: string, name: string) => run(authzAllowAny, ctxOf(yaml)).find((v) => v.resource.name === name)!;

describe('mtls.authz-allow-any names the ports a client reaches an Istio gateway on', () => {
  it('the ports its Gateway servers bind (Service 80→8080, 443→8443): not the status port 15021, not "any other port"', () => {
    const v = openOn(GATEWAY + SERVERS(`${HTTP}\n${HTTPS}`), 'open');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('AuthorizationPolicy istio-ingress/open allows any caller to workloads matching {"istio":"ingressgateway"}: rules[0] has no from on every port and path; it admits such a caller on istio-ingress/istio-ingressgateway ports 8080, 8443');
    expect(v.evidence?.admittedOn).toEqual(['istio-ingress/istio-ingressgateway ports 8080, 8443']);
  });

  it('only the HTTP server: port 8080 alone (8443 has no listener)', () => {
    expect(openOn(GATEWAY + SERVERS(HTTP), 'open').evidence?.admittedOn).toEqual(['istio-ingress/istio-ingressgateway ports 8080']);
  });

  it('no Gateway server binds the gateway: still a failure on the policy\'s text, its ports said to be unknown rather than guessed', () => {
    const v = openOn(GATEWAY, 'open');
    expect(v.status).toBe('fail');
    expect(v.evidence?.admittedOn).toEqual(['istio-ingress/istio-ingressgateway, ports unknown (an Istio gateway, and no Gateway server in the snapshot binds it)']);
    expect(v.message).not.toMatch(/15021|any other port/);
  });

  it('a sidecar workload is still reported on its declared ports and any other port, which its sidecar captures', () => {
    expect(openOn(GATEWAY + SERVERS(HTTP) + SIDECAR_APP, 'open-api').evidence?.admittedOn).toEqual(['shop/api ports 8080, any other port']);
  });
});
