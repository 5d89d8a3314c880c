// With no istiod in the input, the oldest istiod that can read an AuthorizationPolicy depends on the
// version it is stored at. Sources:
// - https://istio.io/latest/blog/2024/v1-apis/: "our networking, security and telemetry APIs are
//   promoted to v1 in 1.22"; before, security.istio.io serves v1beta1, so an AuthorizationPolicy
//   written as security.istio.io/v1 exists only where istiod is 1.22 or newer.
// - istio/api security/v1beta1/authorization_policy.proto at tag 1.22.0: `targetRefs` (field 6) is
//   read from 1.22.0, whose NOTE says "older control planes (that don't know about the `targetRefs`
//   field)" take the policy as namespace-wide.
// - istio/istio pilot/pkg/model/policyattachment.go at 1.22.0: a Gateway ref attaches the policy
//   only to that Gateway's pods, not to a workload's sidecar.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf } from './helpers.ts';

/** The reviewer's repro (/tmp/rev-mr2/ist1): an ALLOW for web/front at shop/api, and a DENY attached to a Gateway by targetRefs. */
const repro = (apiVersion: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: c, image: example/api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front, namespace: web}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec:
      serviceAccountName: front
      containers: [{name: c, image: example/front:1}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: istio-system}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: front-to-api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/web/sa/front]}}]}]
---
apiVersion: ${apiVersion}
kind: AuthorizationPolicy
metadata: {name: gw-deny, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: shop-gw}]
  action: DENY
  rules: [{from: [{source: {notNamespaces: [edge]}}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;

const call = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'web', name: 'front' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};

describe('release unknown: a policy stored at security.istio.io/v1 is read by istiod 1.22 or newer only', () => {
  it('a v1 policy with targetRefs to a Gateway keeps the ALLOWED verdict (was: UNKNOWN, read as Istio 1.19)', () => {
    const v = call(repro('security.istio.io/v1'));
    expect(v.verdict).toBe('allowed');
    expect(v.reason).toContain('shop/front-to-api');
    expect(`${v.reason}\n${(v.notes ?? []).join('\n')}`).not.toContain('Istio 1.19');
    expect(v.notes).toContain('AuthorizationPolicy shop/gw-deny attaches by targetRef(s) to a gateway or waypoint; the sidecar of shop/api does not enforce it');
  });

  it('two v1 policies on a Gateway: one note, "attach ... them"', () => {
    const second = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gw-deny-2, namespace: shop}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: shop-gw}]
  action: DENY
  rules: [{}]
`;
    const v = call(`${repro('security.istio.io/v1')}${second}`);
    expect(v.verdict).toBe('allowed');
    expect(v.notes).toContain('AuthorizationPolicy shop/gw-deny, shop/gw-deny-2 attach by targetRef(s) to a gateway or waypoint; the sidecar of shop/api does not enforce them');
  });

  it('the same policy at v1beta1 (served before 1.22) keeps the doubt: UNKNOWN, naming both readings', () => {
    const v = call(repro('security.istio.io/v1beta1'));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain("istiod's release is not known (no istiod in the input)");
    expect(v.reason).toContain('Istio 1.19 does not know targetRefs');
    expect(v.reason).toContain('read as the newest istiod reads it, ALLOWED');
    expect(v.reason).toContain('read as the oldest, DENIED');
    // The note agrees with the verdict: the sidecar ignores the policy only as the newest istiod
    // reads it (was: stated as a fact while the verdict read it namespace-wide under Istio 1.19).
    const notes = (v.notes ?? []).join('\n');
    expect(notes).toContain('AuthorizationPolicy shop/gw-deny attaches by targetRef(s) to a gateway or waypoint as the newest istiod reads it, so the sidecar of shop/api does not enforce it; an older istiod reads it otherwise (see the verdict)');
    expect(notes).not.toContain('attach by');
  });
});
