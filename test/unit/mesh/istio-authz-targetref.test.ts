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
// - istio/istio pkg/config/validation/validation.go validatePolicyTargetReference: the kinds
//   allowed (allowedTargetRefs) are Gateway at 1.20.0, Service and Gateway at 1.22.0, + ServiceEntry
//   at 1.24.0, + GatewayClass at 1.25.0; any other kind, or a ref with a namespace, is refused.
// - istio/istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (1.24.0):
//   the gateway Deployment's pod labels carry "gateway.networking.k8s.io/gateway-name" .Name.
// - `when` keys: istio/istio pkg/config/security/security.go ValidateAttribute: source.serviceAccount
//   first at 1.25.0, source.trustDomain first at 1.30.0, any other key not listed "unknown
//   attribute" (validation refuses the policy); pilot/pkg/security/authz/model/model.go New builds
//   source.trustDomain only from 1.30.2 (1.30.0 and 1.30.1 answer "unknown attribute", which
//   pilot/pkg/security/authz/builder/builder.go turns into "skipped invalid rule").
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, deploymentYaml, namespaceYaml, run, serviceYaml } from './helpers.ts';

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

/** istio-system as root; shop/api (sa api, 8080) and web/front meshed by sidecar. */
const APPS = `${namespaceYaml('shop')}${deploymentYaml('shop', 'api', { serviceAccount: 'api', ports: [8080] })}${serviceYaml('shop', 'api', [8080])}${namespaceYaml('web')}${deploymentYaml('web', 'front', { serviceAccount: 'front', ports: [] })}`;
const rootPolicy = (name: string, body: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: istio-system}
spec:
${body}
---`;
/** The same policy stored at security.istio.io/v1beta1 (served before 1.22, so an istiod older than 1.20 may read it). */
const asV1beta1 = (yaml: string) => yaml.replace('apiVersion: security.istio.io/v1\n', 'apiVersion: security.istio.io/v1beta1\n');
const call = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'web', name: 'front' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};
/** A DENY-all meant for every waypoint (the istio-waypoint GatewayClass, root namespace). */
const DENY_AT_WAYPOINTS = rootPolicy('deny-at-waypoints', '  targetRefs: [{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}]\n  action: DENY\n  rules: [{}]');

describe('targetRef(s) as the istiod release reads them', () => {
  it('istiod 1.26 attaches a GatewayClass DENY to waypoints only: a sidecar call is ALLOWED', () => {
    const v = call(`${istiod('1.26.0')}${APPS}${DENY_AT_WAYPOINTS}`);
    expect(v.verdict).toBe('allowed');
  });

  it('istiod 1.21 does not know targetRefs: the DENY in the root namespace applies mesh-wide, so the call is DENIED (was: ALLOWED)', () => {
    const v = call(`${istiod('1.21.3')}${APPS}${DENY_AT_WAYPOINTS}`);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain('istio-system/deny-at-waypoints');
    expect(v.notes?.join('\n')).toContain('Istio 1.21.3 does not know targetRefs (istiod reads targetRef from 1.20, targetRefs from 1.22), so it applies the policy as if it were absent');
  });

  it('istiod 1.24 knows targetRefs but refuses a GatewayClass ref: the policy is not in effect, and mtls.authz-missing names why', () => {
    expect(call(`${istiod('1.24.2')}${APPS}${DENY_AT_WAYPOINTS}`).verdict).toBe('allowed');
    const ctx = ctxOf(`${istiod('1.24.2')}${APPS}${DENY_AT_WAYPOINTS}`);
    const missing = run(check('mtls.authz-missing'), ctx).find((x) => x.resource.kind === 'AuthorizationPolicy' && x.resource.name === 'deny-at-waypoints');
    expect(missing?.message).toContain('Istio 1.24.2 does not take GatewayClass refs (istiod does from 1.25)');
  });

  it('no istiod in the input: the release is not known, and the two readings of a v1beta1 policy differ, so the call is UNKNOWN (was: ALLOWED)', () => {
    // Stored at v1beta1, which istiod serves before 1.22: an istiod before 1.20 may read it (at v1,
    // only 1.22 or newer can: istio-authz-v1-reader.test.ts).
    const v = call(`${APPS}${asV1beta1(DENY_AT_WAYPOINTS)}`);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain("istiod's release is not known (no istiod in the input)");
    expect(v.reason).toContain('read as the newest istiod reads it, ALLOWED');
    expect(v.reason).toContain('read as the oldest, DENIED');
  });

  it('istiods of 1.21 and 1.26 side by side (a canary upgrade): UNKNOWN, naming both', () => {
    const canary = istiod('1.26.0').replace('name: istiod, namespace', 'name: istiod-canary, namespace');
    const v = call(`${istiod('1.21.3')}${canary}${APPS}${DENY_AT_WAYPOINTS}`);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('the istiods run different releases');
  });

  it('a legacy targetRef (1.20) to a Gateway: istiod 1.19 applies the policy namespace-wide, 1.20 at the gateway only', () => {
    const allowWebOnly = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gw-only, namespace: shop}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: public}
  action: ALLOW
  rules: [{from: [{source: {namespaces: [edge]}}]}]
---`;
    expect(call(`${istiod('1.20.0')}${APPS}${allowWebOnly}`).verdict).toBe('allowed');
    const old = call(`${istiod('1.19.5')}${APPS}${allowWebOnly}`);
    expect(old.verdict).toBe('denied');
    expect(old.notes?.join('\n')).toContain('Istio 1.19.5 does not know targetRef');
  });

  it('a ref with a namespace, or of a kind istiod never takes, makes the policy malformed', () => {
    for (const ref of ['{group: gateway.networking.k8s.io, kind: Gateway, name: public, namespace: shop}', '{group: apps, kind: Deployment, name: api}']) {
      const v = call(`${istiod('1.26.0')}${APPS}${rootPolicy('odd', `  targetRefs: [${ref}]\n  action: DENY\n  rules: [{}]`).replace('namespace: istio-system', 'namespace: shop')}`);
      expect(v.verdict).toBe('allowed');
      expect(v.notes?.join('\n')).toContain('malformed AuthorizationPolicy shop/odd ignored');
    }
  });
});

describe('`when` keys as the istiod release validates and builds them', () => {
  const denyWhen = (cond: string) => rootPolicy('deny-when', `  action: DENY\n  rules: [{when: [${cond}]}]`);

  it('source.serviceAccount: istiod 1.25 denies web/front; 1.24 refuses the key, so the DENY is not in effect (was: DENIED)', () => {
    const y = (v: string) => `${istiod(v)}${APPS}${denyWhen('{key: source.serviceAccount, values: ["web/front"]}')}`;
    expect(call(y('1.25.0')).verdict).toBe('denied');
    const old = call(y('1.24.2'));
    expect(old.verdict).toBe('allowed');
    expect(old.notes?.join('\n')).toContain('malformed AuthorizationPolicy istio-system/deny-when ignored (istiod rejects it)');
  });

  it('source.trustDomain: 1.30.2 denies; 1.30.0 validates the key but skips the rule, so nothing is denied; 1.29 refuses it', () => {
    const y = (v: string) => `${istiod(v)}${APPS}${denyWhen('{key: source.trustDomain, values: ["cluster.local"]}')}`;
    expect(call(y('1.30.2')).verdict).toBe('denied');
    const skipped = call(y('1.30.0'));
    expect(skipped.verdict).toBe('allowed');
    expect(skipped.notes?.join('\n')).toContain('accepts when key "source.trustDomain" but builds no rule with it (from 1.30.2 it does), so istiod skips this rule');
    expect(call(y('1.29.1')).notes?.join('\n')).toContain('malformed AuthorizationPolicy istio-system/deny-when ignored');
  });

  it('a key istiod does not know at any release (source.namespaces) makes the policy malformed: the ALLOW is not in effect (was: DEPENDS on the condition)', () => {
    const allow = rootPolicy('allow-typo', '  action: ALLOW\n  rules: [{when: [{key: source.namespaces, values: [edge]}]}]');
    const v = call(`${istiod('1.26.0')}${APPS}${allow}`);
    expect(v.verdict).toBe('allowed');
    expect(v.notes?.join('\n')).toContain('malformed AuthorizationPolicy istio-system/allow-typo ignored');
    const ctx = ctxOf(`${istiod('1.26.0')}${APPS}${allow}`);
    const missing = run(check('mtls.authz-missing'), ctx).find((x) => x.resource.kind === 'AuthorizationPolicy' && x.resource.name === 'allow-typo');
    expect(missing?.message).toContain('when key "source.namespaces" is not an attribute istiod knows ("unknown attribute")');
  });

  it('map keys need the name in brackets (request.headers[x-user]); request.headers alone is refused', () => {
    const ok = call(`${istiod('1.26.0')}${APPS}${rootPolicy('hdr', '  action: DENY\n  rules: [{when: [{key: "request.headers[x-user]", values: [bob]}]}]')}`);
    expect(ok.notes?.join('\n') ?? '').not.toContain('malformed');
    const bad = call(`${istiod('1.26.0')}${APPS}${rootPolicy('hdr', '  action: DENY\n  rules: [{when: [{key: request.headers, values: [bob]}]}]')}`);
    expect(bad.notes?.join('\n')).toContain('malformed AuthorizationPolicy istio-system/hdr ignored');
  });
});

describe('mtls.authz-allow-any says when istiod\'s release leaves a targetRefs policy unconfirmed', () => {
  it('an open ALLOW on a Gateway, no istiod in the input: the finding says an older istiod reads it namespace-wide', () => {
    const [v] = onPolicy('mtls.authz-allow-any', `${GATEWAY}${asV1beta1(policy('open-at-gw', 'ALLOW', '[{}]'))}`, 'open-at-gw');
    expect(v.status).toBe('fail');
    expect(v.message).toContain("not confirmed: istiod's release is not known (no istiod in the input)");
    expect(v.message).toContain('does not know targetRefs');
  });
});
