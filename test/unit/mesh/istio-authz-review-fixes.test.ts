// Mesh authorization verdicts a reviewer proved wrong (rule ports, `when` conditions, request
// principals, ports the Linkerd/Consul proxy skips, Istio's own Gateway API gateways). Each case
// is the reviewer's scenario, inline.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { istioGatewayPod, meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { meshModel } from '../../../src/analysis/mesh/model.ts';
import { ctxOf, run } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const verdictsOf = (id: string, yaml: string) => run(check(id), ctxOf(yaml));
const on = (id: string, yaml: string, kind: string, name: string) => verdictsOf(id, yaml).filter((v) => v.resource.kind === kind && v.resource.name === name);

/** istiod 1.26, root istio-system; shop/db (8080, 9090) and web/front meshed; ext/outsider outside the mesh. */
const BASE = `
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
      containers: [{name: discovery, image: docker.io/istio/pilot:1.26.0, ports: [{containerPort: 15012}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ext}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: example/db:1, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: tcp-admin, port: 9090, targetPort: 9090}]
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
      containers: [{name: front, image: example/front:1, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: outsider, namespace: ext}
spec:
  selector: {matchLabels: {app: outsider}}
  template:
    metadata: {labels: {app: outsider}}
    spec:
      containers: [{name: o, image: example/o:1}]
---`;

// Point 5. Istio matches `to.operation.notPorts` and a `when` on destination.port per request port
// (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation: "notPorts:
// A list of negative match of ports"; https://istio.io/latest/docs/reference/config/security/conditions/:
// destination.port "HTTP and TCP"): a DENY rule whose notPorts (or destination.port condition)
// leaves the only plaintext port out never decides a call there, so it is not bypassed there.
describe('mtls.authz-plaintext-bypass: ports a rule excludes', () => {
  const PA = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict-but-metrics, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  mtls: {mode: STRICT}
  portLevelMtls: {"9090": {mode: PERMISSIVE}}
---`;
  const deny = (to: string) => `${BASE}${PA}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-legacy, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules:
  - from: [{source: {namespaces: ["legacy"]}}]
    ${to}
---`;
  const db = (yaml: string) => on('mtls.authz-plaintext-bypass', yaml, 'Deployment', 'db');

  it('a DENY rule with to.notPorts ["9090"] does not cover the PERMISSIVE port 9090: pass', () => {
    const vs = db(deny('to: [{operation: {notPorts: ["9090"]}}]'));
    expect(vs.map((v) => v.status)).toEqual(['pass']);
  });

  it('a DENY rule with `when destination.port values ["8080"]` does not cover 9090: pass', () => {
    const vs = db(deny('when: [{key: destination.port, values: ["8080"]}]'));
    expect(vs.map((v) => v.status)).toEqual(['pass']);
  });

  it('a DENY rule with `when destination.port notValues ["9090"]` does not cover 9090: pass', () => {
    const vs = db(deny('when: [{key: destination.port, notValues: ["9090"]}]'));
    expect(vs.map((v) => v.status)).toEqual(['pass']);
  });

  it('the same rule covering 9090 (to.ports, or no to) is still bypassed there: fail, high', () => {
    for (const to of ['to: [{operation: {ports: ["9090"]}}]', 'when: [{key: destination.port, values: ["9090"]}]', '']) {
      const vs = db(deny(to));
      expect(vs.map((v) => [v.status, v.severity])).toEqual([['fail', 'high']]);
      expect(vs[0].message).toContain('not denied (port 9090)');
    }
  });
});

const allowOnDb = (name: string, rule: string) => `${BASE}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: ALLOW
  rules:
  - ${rule}
---`;
const allowAny = (yaml: string, name: string) => on('mtls.authz-allow-any', yaml, 'AuthorizationPolicy', name);

// Point 2. https://istio.io/latest/docs/reference/config/security/conditions/: destination.port
// ("The server port in the IP packet") and destination.ip ("The destination IP address") say where
// a call goes, not who makes it; source.namespace notValues admit every namespace but those listed,
// as from.source.notNamespaces do (authorization-policy/#Condition: "notValues: A list of negative
// match of values for the attribute").
describe('mtls.authz-allow-any: `when` conditions that narrow no caller', () => {
  it('ALLOW with only `when destination.port values ["8080"]` admits any caller on 8080: fail', () => {
    const vs = allowAny(allowOnDb('open-8080', 'when: [{key: destination.port, values: ["8080"]}]'), 'open-8080');
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('on ports 8080');
    expect(vs[0].message).toContain('shop/db ports 8080');
    expect(vs[0].message).not.toContain('9090');
  });

  it('ALLOW with only `when source.namespace notValues ["legacy"]` admits every other caller: fail', () => {
    const vs = allowAny(allowOnDb('all-but-legacy', 'when: [{key: source.namespace, notValues: ["legacy"]}]'), 'all-but-legacy');
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('on every port and path');
  });

  it('the same rule as to.ports ["8080"] failed before and still does', () => {
    expect(allowAny(allowOnDb('to-8080', 'to: [{operation: {ports: ["8080"]}}]'), 'to-8080').map((v) => v.status)).toEqual(['fail']);
  });

  it('conditions that do name the callers still pass', () => {
    for (const rule of ['when: [{key: source.namespace, values: ["web"]}]', 'when: [{key: destination.port, values: ["8080"]}, {key: source.principal, values: ["cluster.local/ns/web/sa/front"]}]', 'when: [{key: "request.headers[x-token]", values: ["s3cr3t"]}]']) {
      expect(allowAny(allowOnDb('named', rule), 'named').map((v) => v.status)).toEqual(['pass']);
    }
  });
});

// Point 3. https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source:
// notRequestPrincipals "A list of negative match of request identities"; request principals come
// from a JWT a RequestAuthentication validated, and "*" is a presence match ("will match when value
// is not empty"): a request without a JWT matches notRequestPrincipals ["*"]. On a TCP port the
// HTTP-only rule is dropped from an ALLOW policy (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/).
describe('mtls.authz-allow-any: request principals', () => {
  it('from.source.notRequestPrincipals ["*"] with no RequestAuthentication admits every caller on the HTTP port: fail', () => {
    const vs = allowAny(allowOnDb('no-jwt-welcome', 'from: [{source: {notRequestPrincipals: ["*"]}}]'), 'no-jwt-welcome');
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('without a JWT');
    // 8080 is behind the Service's `http` port; 9090 is `tcp-admin`, where the rule is dropped.
    expect(vs[0].message).toContain('shop/db ports 8080');
    expect(vs[0].message).not.toMatch(/ports 8080, 9090/);
  });

  it('notRequestPrincipals with a specific issuer also admits every caller without that JWT: fail', () => {
    expect(allowAny(allowOnDb('not-bob', 'from: [{source: {notRequestPrincipals: ["issuer.example/bob"]}}]'), 'not-bob').map((v) => v.status)).toEqual(['fail']);
  });

  it('requestPrincipals ["*"] requires a JWT: pass', () => {
    expect(allowAny(allowOnDb('jwt-only', 'from: [{source: {requestPrincipals: ["*"]}}]'), 'jwt-only').map((v) => v.status)).toEqual(['pass']);
  });
});

// Point 4. Linkerd: "config.linkerd.io/skip-inbound-ports: Ports that should skip the proxy and
// send directly to the application" (https://linkerd.io/2/reference/proxy-configuration/), so no
// Server or authorization applies there. Consul: transparent-proxy-exclude-inbound-ports "A
// comma-separated list of inbound ports to exclude from traffic redirection"
// (https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels), so no intention applies.
describe('mtls.authz-missing: Linkerd and Consul ports the proxy skips', () => {
  const linkerd = (annotations: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: "identityTrustDomain: cluster.local\\nproxy:\\n  defaultInboundPolicy: deny\\nproxyInit:\\n  ignoreInboundPorts: '4567,4568'\\n  ignoreOutboundPorts: '4567,4568'\\n"
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      annotations: {${annotations}}
      labels: {app: db}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: example/db:1, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: http}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-http-front, namespace: shop}
spec:
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: front}]
  targetRef: {group: policy.linkerd.io, kind: Server, name: db-http}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: front, namespace: shop}
spec:
  identityRefs: [{kind: ServiceAccount, name: front, namespace: web}]
---`;
  const consul = (annotations: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: consul}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: consul-connect-injector, namespace: consul}
spec:
  selector: {matchLabels: {app: consul, component: connect-injector}}
  template:
    metadata: {labels: {app: consul, component: connect-injector}}
    spec:
      containers:
      - name: sidecar-injector
        image: hashicorp/consul-k8s-control-plane:1.6.0
        command: ["/bin/sh", "-ec", "exec consul-k8s-control-plane inject-connect -default-inject=false -log-level=info"]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations: {consul.hashicorp.com/connect-inject: "true"${annotations}}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: example/db:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{port: 8080}]}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: deny-all, namespace: consul}
spec:
  destination: {name: "*"}
  sources: [{name: "*", action: deny}]
---`;
  const db = (yaml: string) => on('mtls.authz-missing', yaml, 'Deployment', 'db');

  it('Linkerd: default deny and a Server on 8080, but 8080 in skip-inbound-ports: fail, naming the annotation', () => {
    expect(db(linkerd('')).map((v) => v.status)).toEqual(['pass']);
    const vs = db(linkerd('config.linkerd.io/skip-inbound-ports: "8080"'));
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('port 8080 skips its linkerd-proxy');
    expect(vs[0].message).toContain('config.linkerd.io/skip-inbound-ports');
  });

  it('Consul: a * -> * deny intention, but 8080 excluded from the transparent proxy: fail, naming the annotation', () => {
    expect(db(consul('')).map((v) => v.status)).toEqual(['pass']);
    const vs = db(consul(', consul.hashicorp.com/transparent-proxy-exclude-inbound-ports: "8080"'));
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('port 8080 is excluded from its Consul sidecar');
  });
});

// Point 1. Istio's own Gateway API gateways. The Deployment is the one istiod's gateway controller
// renders (istio/istio pilot/pkg/config/kube/gatewaycommon/testdata/deployment/simple.yaml at
// commit 86c9f01f, trimmed to what decides here, namespace edge): sidecar.istio.io/inject "false"
// and an istio-proxy container running `proxy router`. AuthorizationPolicies attach to it by
// targetRefs naming its Gateway: istio/istio pilot/pkg/model/policyattachment.go ShouldAttachPolicy
// ("Gateway attached": group gateway.networking.k8s.io, kind Gateway, name = the workload's
// gateway.networking.k8s.io/gateway-name label, same namespace).
describe('Istio Gateway API gateways: targetRefs and membership', () => {
  const gateway = (policy: string, kind: 'Deployment' | 'Pod' = 'Deployment') => {
    const labels = `gateway.istio.io/managed: istio.io-gateway-controller, gateway.networking.k8s.io/gateway-class-name: istio, gateway.networking.k8s.io/gateway-name: default, istio.io/dataplane-mode: none, service.istio.io/canonical-name: default-istio, sidecar.istio.io/inject: "false"`;
    const podSpec = `
      serviceAccountName: default-istio
      containers:
      - name: istio-proxy
        image: test/proxyv2:test
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports: [{containerPort: 15020, name: metrics}, {containerPort: 15021, name: status-port}, {containerPort: 15090, name: http-envoy-prom}]`;
    const workload = kind === 'Deployment' ? `
apiVersion: apps/v1
kind: Deployment
metadata: {name: default-istio, namespace: edge, labels: {gateway.networking.k8s.io/gateway-name: default}}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: default}}
  template:
    metadata:
      annotations: {istio.io/rev: default}
      labels: {${labels}}
    spec:${podSpec}` : `
apiVersion: v1
kind: Pod
metadata:
  name: default-istio-abc
  namespace: edge
  annotations: {istio.io/rev: default}
  labels: {${labels}}
spec:${podSpec.replace(/\n {6}/g, '\n  ')}
status: {phase: Running, podIP: 10.1.2.3, podIPs: [{ip: 10.1.2.3}]}`;
    return `${BASE}
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: default, namespace: edge}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---${workload}
---${policy}`;
  };
  const targeting = (name: string, action: string, rules: string, ref = '{group: gateway.networking.k8s.io, kind: Gateway, name: default}') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: edge}
spec:
  action: ${action}
  rules: ${rules}
  targetRefs: [${ref}]
---`;
  const reach = (yaml: string, from: string, to: { kind: string; name: string }) => {
    const ctx = ctxOf(yaml);
    const [ns, name] = from.split('/');
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: ns, name }, { ...to, namespace: 'edge' }, 80, 'TCP');
  };
  const deploymentRef = { kind: 'Deployment', name: 'default-istio' };
  const podRef = { kind: 'Pod', name: 'default-istio-abc' };

  it('the rendered gateway Deployment is in the mesh, as a gateway (was: "not in a service mesh", posture outside)', () => {
    const ctx = ctxOf(gateway(''));
    const w = meshModel(ctx.snapshot, ctx.config).workloads.find((x) => x.workload.ref.name === 'default-istio')!;
    expect(w.mesh).toBe('istio');
    expect(istioGatewayPod(w)).toBe(true);
    // mtls.authz-missing judges it: no policy, so it fails like any other Istio gateway.
    const vs = on('mtls.authz-missing', gateway(''), 'Deployment', 'default-istio');
    expect(vs.map((v) => v.status)).toEqual(['fail']);
  });

  it('DENY rules [{}] by targetRefs to its Gateway refuses an outside caller (was: ALLOWED, not in a service mesh)', () => {
    const y = gateway(targeting('deny-all-at-gw', 'DENY', '[{}]'));
    const v = reach(y, 'ext/outsider', deploymentRef);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain('edge/deny-all-at-gw');
    expect(on('mtls.authz-missing', y, 'Deployment', 'default-istio').map((x) => x.status)).toEqual(['pass']);
  });

  it('a running gateway pod: the targeted DENY applies (was: "no ALLOW AuthorizationPolicy applies")', () => {
    const v = reach(gateway(targeting('deny-all-at-gw', 'DENY', '[{}]'), 'Pod'), 'ext/outsider', podRef);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain('edge/deny-all-at-gw');
  });

  it('an ALLOW for namespace web by targetRefs applies: the outsider is refused and authz-missing passes (was: ALLOWED, "the sidecar ... does not enforce them")', () => {
    const y = gateway(targeting('allow-web-at-gw', 'ALLOW', '[{from: [{source: {namespaces: [web]}}]}]'), 'Pod');
    const v = reach(y, 'ext/outsider', podRef);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain('edge/allow-web-at-gw');
    expect(v.reason).not.toContain('does not enforce');
    expect(on('mtls.authz-missing', y, 'Pod', 'default-istio-abc').map((x) => x.status)).toEqual(['pass']);
  });

  it('a targetRef to another Gateway, or to a Service, does not attach to it', () => {
    for (const ref of ['{group: gateway.networking.k8s.io, kind: Gateway, name: other}', '{group: "", kind: Service, name: default-istio}']) {
      const y = gateway(targeting('deny-elsewhere', 'DENY', '[{}]', ref), 'Pod');
      expect(reach(y, 'ext/outsider', podRef).verdict).toBe('allowed');
    }
  });
});
