// AuthorizationPolicy targetRef / targetRefs and `when` keys as the istiod that reads them does.
//
// Sources, each read at the tag named:
// - istio/api security/v1beta1/authorization_policy.proto: `targetRef` (field 5, "must be a
//   `Gateway` in the group `gateway.networking.k8s.io`") first at tag 1.20.0; `targetRefs` (field 6)
//   first at 1.22.0, whose NOTE says proxies of "older control planes (that don't know about the
//   `targetRefs` field)" misinterpret "the policy as namespace-wide".
// - istio/istio pilot/pkg/model/policyattachment.go: 1.20.0 getPolicyMatcher attaches a targetRef
//   policy only to a Gateway API gateway's pods (label gateway.networking.k8s.io/gateway-name =
//   the Gateway's name) and ignores it elsewhere; 1.22.0 ShouldAttachPolicy adds Service (waypoints
//   only), 1.24.0 ServiceEntry (waypoints), 1.25.0 GatewayClass istio-waypoint (root namespace).
//   pilot/pkg/model/authorization.go 1.19.0 selects policies by selector only (no targetRef).
// - istio/istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (1.24.0):
//   the gateway Deployment's pod labels carry "gateway.networking.k8s.io/gateway-name" .Name.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, run } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const verdictsOf = (id: string, yaml: string) => run(check(id), ctxOf(yaml));
const onPolicy = (id: string, yaml: string, name: string) => verdictsOf(id, yaml).filter((v) => v.resource.kind === 'AuthorizationPolicy' && v.resource.name === name);

const istiod = (version: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    rootNamespace: istio-system
    trustDomain: cluster.local
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec:
      containers: [{name: discovery, image: docker.io/istio/pilot:${version}, ports: [{containerPort: 15012}]}]
---`;

/** Gateway API Gateway edge/public and the Deployment istiod renders for it (pods labelled gateway-name: public). */
const GATEWAY = `
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: public-istio, namespace: edge, labels: {gateway.networking.k8s.io/gateway-name: public}}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: public}}
  template:
    metadata:
      annotations: {istio.io/rev: default}
      labels: {gateway.istio.io/managed: istio.io-gateway-controller, gateway.networking.k8s.io/gateway-name: public, sidecar.istio.io/inject: "false"}
    spec:
      serviceAccountName: public-istio
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.26.0
        args: [proxy, router]
        ports: [{containerPort: 80, name: http}, {containerPort: 15021, name: status-port}]
---`;

const policy = (name: string, action: string, rules: string, target = 'targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: public}]') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: edge}
spec:
  action: ${action}
  rules: ${rules}
  ${target}
---`;

describe('mtls.authz-allow-any judges a targetRef policy on the gateway pods it binds to', () => {
  it('an open ALLOW by targetRefs names the gateway workload and its ports (was: judged on its text, "its target (gateway or waypoint)")', () => {
    const y = `${istiod('1.26.0')}${GATEWAY}${policy('open-at-gw', 'ALLOW', '[{}]')}`;
    const [v] = onPolicy('mtls.authz-allow-any', y, 'open-at-gw');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('allows any caller to the pods of Gateway edge/public');
    expect(v.message).toContain('it admits such a caller on edge/public-istio ports');
    expect(v.evidence?.admittedOn).toEqual([expect.stringContaining('edge/public-istio ports')]);
  });

  it('a DENY rules [{}] on the same Gateway decides first: the open ALLOW admits nobody there, so it passes (was: FAIL)', () => {
    const y = `${istiod('1.26.0')}${GATEWAY}${policy('open-at-gw', 'ALLOW', '[{}]')}${policy('deny-at-gw', 'DENY', '[{}]')}`;
    const [v] = onPolicy('mtls.authz-allow-any', y, 'open-at-gw');
    expect(v.status).toBe('pass');
    expect(v.message).toContain('on none of the 1 workload(s) it applies to does it admit one');
  });

  it('a targetRef to a Gateway with no pods in the snapshot is still judged on its text', () => {
    const y = `${istiod('1.26.0')}${GATEWAY}${policy('open-elsewhere', 'ALLOW', '[{}]', 'targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: other}]')}`;
    const [v] = onPolicy('mtls.authz-allow-any', y, 'open-elsewhere');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('its target (gateway or waypoint)');
  });
});
