// `ztaudit reach` answers with both layers: the network verdict and the mesh verdict, each with
// what decided it; `allowed` and the exit code follow the combined answer. Run through the real
// command line over a manifests directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { istiodYaml, WAYPOINT_CLASS_ALL } from '../mesh/helpers.ts';

const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: c, image: example/frontend:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: c, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {serviceAccountName: db, containers: [{name: pg, image: postgres, ports: [{containerPort: 5432}, {containerPort: 9187}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: legacy}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: c, image: example/batch:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: frontend, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {}}, {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]
    to: [{operation: {ports: ["5432"]}}]
  - to: [{operation: {ports: ["9187"], paths: [/metrics]}}]
---
# Callers reach db through its Service, so their sidecars send Istio mTLS with their identity (a pod
# port no Service leads to is reached through Istio's PassthroughCluster, without mTLS).
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: pg, port: 5432}, {name: metrics, port: 9187}]}
`;

function manifests(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-mesh-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return dir;
}

async function reach(dir: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('reach: network and mesh in one answer', () => {
  const dir = manifests(SHOP);

  it('network ALLOWED, mesh DENIED: exit 1, the text names both deciders', async () => {
    const r = await reach(dir, '--from', 'shop/frontend', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('DENIED: shop/frontend[Deployment] -> shop/db[StatefulSet] on 5432/TCP');
    expect(lines[1]).toBe('  network ALLOWED by NetworkPolicy shop/frontend rule 0 (Allow); mesh DENIED: no ALLOW AuthorizationPolicy matches principal cluster.local/ns/shop/sa/default on port 5432 (applying: shop/db-callers)');
    expect(r.out).toContain('  mesh (istio) at sidecar of shop/db: DENIED');
  });

  it('JSON: allowed is the combined answer, network and mesh carry each layer', async () => {
    const denied = JSON.parse((await reach(dir, '--from', 'shop/frontend', '--to', 'shop/db', '--port', '5432', '-o', 'json')).out);
    expect(denied).toMatchObject({ allowed: false, effective: 'denied', network: { allowed: true, decidedBy: [{ direction: 'ingress', by: 'NetworkPolicy shop/frontend rule 0 (Allow)', rule: { api: 'NetworkPolicy', policy: 'shop/frontend', rule: 0 } }, { direction: 'egress', by: 'default (no policy decides it)' }] }, mesh: { mesh: 'istio', verdict: 'denied', plaintext: false } });
    expect(denied.ports).toEqual({});
    const r = await reach(dir, '--from', 'shop/api', '--to', 'shop/db', '--port', '5432', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ allowed: true, effective: 'allowed', mesh: { verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', namespace: 'shop', name: 'db-callers' }, rule: 0 } });
  });

  it('a path-restricted rule: allowed for some requests, exit 0, said so', async () => {
    const r = await reach(dir, '--from', 'shop/frontend', '--to', 'shop/db', '--port', '9187');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED for some requests: shop/frontend[Deployment] -> shop/db[StatefulSet] on 9187/TCP');
    expect(r.out).toContain('mesh DEPENDS (allowed for some requests only): only ALLOW AuthorizationPolicy shop/db-callers rules[1] may match');
    expect(JSON.parse((await reach(dir, '--from', 'shop/frontend', '--to', 'shop/db', '--port', '9187', '-o', 'json')).out)).toMatchObject({ allowed: true, effective: 'depends' });
  });

  it('a caller without a sidecar: plaintext, identity rules cannot match it', async () => {
    const r = await reach(dir, '--from', 'legacy/batch', '--to', 'shop/db', '--port', '5432', '-o', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ allowed: false, network: { allowed: true }, mesh: { verdict: 'denied', plaintext: true } });
    expect(j.mesh.reason).toContain('a plaintext caller (no mesh proxy; principals and namespaces cannot match it)');
  });

  it('without --port: the mesh is judged on every port the network allows', async () => {
    const r = await reach(dir, '--from', 'shop/api', '--to', 'shop/db', '-o', 'json');
    const j = JSON.parse(r.out);
    expect(r.code).toBe(0);
    expect(j.network.ports).toEqual({ SCTP: ['1-65535'], TCP: ['1-65535'], UDP: ['1-65535'] });
    // The mesh lets api through on 5432 and (for some paths) 9187; other TCP ports are refused.
    expect(j.ports).toEqual({ SCTP: ['1-65535'], TCP: ['5432', '9187'], UDP: ['1-65535'] });
    expect(j.mesh.ports.map((p: { port: number; verdict: string; others?: boolean }) => [p.others ? 'others' : p.port, p.verdict])).toEqual([[5432, 'allowed'], [9187, 'depends'], ['others', 'denied']]);
  });

  it('a callee outside the mesh: the network decides alone', async () => {
    const r = await reach(dir, '--from', 'shop/frontend', '--to', 'legacy/batch', '--port', '80');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe('  network ALLOWED by default (no policy decides it); mesh: legacy/batch is not in a service mesh: no mesh authorization restricts calls to it');
  });

  it('a Linkerd callee is judged by Linkerd: its default inbound policy deny refuses the call', async () => {
    const linkerd = manifests(`${SHOP}---
apiVersion: v1
kind: Namespace
metadata: {name: mesh2, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc, namespace: mesh2}
spec:
  selector: {matchLabels: {app: svc}}
  template:
    metadata: {labels: {app: svc}}
    spec: {containers: [{name: c, image: example/svc:1, ports: [{containerPort: 8080}]}]}
`);
    const r = await reach(linkerd, '--from', 'shop/frontend', '--to', 'mesh2/svc', '--port', '8080', '-o', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ allowed: false, effective: 'denied', network: { allowed: true }, mesh: { mesh: 'linkerd', verdict: 'denied' } });
  });

  // A reviewer's case, as written: Linkerd requires no authentication for requiredAuthenticationRefs: []
  // (linkerd2 policy-controller/k8s/index/src/inbound/index.rs policy_client_authz, commit b24cd4059841),
  // so this "deny-all" admits the plaintext client; see test/unit/mesh/linkerd-authz.test.ts.
  it('Linkerd: an AuthorizationPolicy with requiredAuthenticationRefs: [] lets a plaintext client in (was: DENIED)', async () => {
    const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: prod, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: prod}
spec:
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      serviceAccountName: backend
      containers: [{name: app, image: example/app:1, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      serviceAccountName: client
      containers: [{name: app, image: example/app:1}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: backend-server, namespace: prod}
spec:
  podSelector: {matchLabels: {app: backend}}
  port: 8080
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: prod}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: backend-server}
  requiredAuthenticationRefs: []
`);
    const r = await reach(dir, '--from', 'other/client', '--to', 'prod/backend', '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: other/client[Deployment] -> prod/backend[Deployment] on 8080/TCP');
    expect(r.out).toContain('mesh (linkerd) at linkerd-proxy of the callee: ALLOWED by AuthorizationPolicy prod/deny-all (plaintext call)');
  });

  // A reviewer's case, as written: https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode
  // "The `permissive` mTLS mode enables sidecar proxies to accept both mTLS and non-mTLS traffic to an
  // application." "Intentions are not enforced and encryption is not enabled for non-mTLS connections."
  it('Consul: a plaintext caller reaches a service whose ServiceDefaults is permissive, the Mesh allowing it (was: DENIED, the entries skipped)', async () => {
    const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {consul.hashicorp.com/connect-inject: "true"}}
    spec:
      serviceAccountName: web
      containers: [{name: app, image: example/app:1, ports: [{containerPort: 8000}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: legacy}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}, annotations: {consul.hashicorp.com/connect-inject: "false"}}
    spec:
      serviceAccountName: client
      containers: [{name: app, image: example/app:1}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: true}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: web, namespace: shop}
spec: {protocol: http, mutualTLSMode: permissive}
`);
    const r = await reach(dir, '--from', 'legacy/client', '--to', 'shop/web', '--port', '8000');
    expect(r.err).not.toContain('not a kind ztaudit audits');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: legacy/client[Deployment] -> shop/web[Deployment] on 8000/TCP');
    expect(r.out).toContain('intentions do not apply to non-mTLS connections');
    expect(r.out).toContain('mesh (consul) at Consul dataplane (Envoy) of the callee: ALLOWED by ServiceDefaults shop/web (plaintext call)');
  });

  it('--matrix --effective drops pairs the mesh refuses and cuts ports, streaming a mesh column', async () => {
    const net = (await reach(dir, '--matrix')).out.split('\n');
    expect(net).toContain('shop/frontend[Deployment] => shop/db[StatefulSet] : All Connections');
    const eff = await reach(dir, '--matrix', '--effective');
    expect(eff.code).toBe(0);
    const lines = eff.out.split('\n');
    expect(lines).toContain('shop/frontend[Deployment] => shop/db[StatefulSet] : SCTP 1-65535,TCP 9187,UDP 1-65535 [mesh istio: TCP 9187 depends]');
    expect(lines).toContain('shop/api[Deployment] => shop/db[StatefulSet] : SCTP 1-65535,TCP 5432,9187,UDP 1-65535 [mesh istio: TCP 9187 depends]');
    const csv = (await reach(dir, '--matrix', '--effective', '-o', 'csv')).out.split('\n');
    expect(csv[0]).toBe('src,dst,conn,mesh,in_doubt,ipv4,ipv6');
    expect((await reach(dir, '--effective', '--from', 'shop/api', '--to', 'shop/db')).code).toBe(2);
  });

  // linkerd2 policy-controller/k8s/index/src/inbound/index.rs indexes gateway.networking.k8s.io
  // HTTPRoutes whose parentRef is a Server, and authorization_policy.rs takes one as a target.
  it('a Gateway API HTTPRoute on a Linkerd Server, authorized for every address: a plaintext client is allowed for the requests it matches', async () => {
    const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
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
      containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-http, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  port: 8080
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
  rules: [{matches: [{path: {type: PathPrefix, value: /}}]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: everyone, namespace: shop}
spec:
  networks: [{cidr: 0.0.0.0/0}, {cidr: "::/0"}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-public, namespace: shop}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: api-public}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: everyone}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: rogue, namespace: other}
spec:
  selector: {matchLabels: {app: rogue}}
  template:
    metadata: {labels: {app: rogue}}
    spec:
      containers: [{name: r, image: example/r:1}]
`);
    const r = await reach(dir, '--from', 'other/rogue', '--to', 'shop/api', '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED for some requests: other/rogue[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(r.out).toMatch(/Server api-http has HTTPRoutes: plaintext client other\/default may send requests matching api-public \(authorized by AuthorizationPolicy api-public\)/);
  });
});

// An Istio sidecar caller whose traffic.sidecar.istio.io/excludeOutboundPorts names the port
// sends it around Envoy (istio.io/latest/docs/reference/config/annotations/): no mTLS, no identity.
describe('reach: an Istio caller that sends a port around its sidecar', () => {
  const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {serviceAccountName: db, containers: [{name: pg, image: postgres, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {traffic.sidecar.istio.io/excludeOutboundPorts: "5432"}}
    spec: {serviceAccountName: web, containers: [{name: web, image: example/web:1}]}
---
# Services lead to 5432 and 5433 of db and to 5432 of web: calls through them are meshed, with mTLS
# (a port no Service leads to is reached through Istio's PassthroughCluster, plaintext, and STRICT
# refuses it).
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: pg, port: 5432}, {name: pg-replica, port: 5433}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: alt, port: 5432}]}
`);

  it('a STRICT callee refuses it: exit 1, the text says the caller skips its sidecar (was: ALLOWED as an mTLS call)', async () => {
    const r = await reach(dir, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(lines[1]).toMatch(/mesh DENIED: shop\/web sends port 5432 around its own istio proxy \(pod annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts="5432"\), so the call arrives in plaintext without a mesh identity: /);
    expect(r.out).toContain('(plaintext call)');
  });

  it('--matrix --effective cuts the excluded port from the caller\'s row only', async () => {
    const lines = (await reach(dir, '--matrix', '--effective')).out.split('\n');
    // STRICT refuses every TCP port no Service leads to: a sidecar reaches it only through its
    // PassthroughCluster, which has no TLS (istio pilot buildDefaultPassthroughCluster;
    // istio/istio#22220: pod-IP calls go through the passthrough cluster "which does not have the
    // mTLS config"). Of the Service ports, web's excluded 5432 is cut from web's row, not db's
    // (was: TCP 1-5431,5433-65535 and All Connections, every port judged as mTLS).
    expect(lines).toContain('shop/web[Deployment] => shop/db[Deployment] : SCTP 1-65535,TCP 5433,UDP 1-65535 [mesh istio]');
    expect(lines).toContain('shop/db[Deployment] => shop/web[Deployment] : SCTP 1-65535,TCP 5432,UDP 1-65535 [mesh istio]');
  });
});

describe('reach: an ambient waypoint whose GatewayClass says which traffic it takes', () => {
  // istiod reads istio.io/waypoint-for from the GatewayClass, then lets the Gateway's own label
  // override it (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go:
  // "default traffic type if neither GatewayClass nor Gateway specify a type"). Class `all`: a
  // pod-addressed call goes through the waypoint, whose ALLOW names only web's front, not shop's.
  // istiod 1.30.2 reads the waypoint's targetRefs: with no istiod in the input, the verdict could not be confirmed.
  const dir = manifests(`${istiodYaml()}${WAYPOINT_CLASS_ALL}`);

  it('class labelled all, Gateway unlabelled: DENIED at the waypoint, exit 1, naming the class', async () => {
    const r = await reach(dir, '--from', 'shop/front', '--to', 'shop/api', '--port', '8000');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('DENIED: shop/front[Deployment] -> shop/api[Deployment] on 8000/TCP');
    expect(r.out).toContain('  mesh (istio) at waypoint shop/waypoint: DENIED');
    expect(r.out).toContain('istio.io/waypoint-for: all on GatewayClass platform-waypoint');
  });
});

// The reviewer's repro rev. istiod's revision webhook (rev.object.sidecar-injector.istio.io,
// istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml)
// selects pods by `sidecar.istio.io/inject NotIn ["false"]` AND `istio.io/rev In [<rev>]`, and
// the injector's injectRequired (pkg/kube/inject/inject.go) refuses a "false" label or
// annotation: a pod labelled with a revision that opts out runs without a sidecar.
describe('reach: an Istio pod labelled with a revision that opts out of injection', () => {
  const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch, istio.io/rev: canary, sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: c, image: example/batch:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: example/web:1}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`);

  it('batch is not meshed, so the STRICT mesh does not refuse web: ALLOWED, exit 0 (was: DENIED, "the caller has no mesh proxy")', async () => {
    const r = await reach(dir, '--from', 'shop/web', '--to', 'shop/batch', '--port', '8080');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/batch[Deployment] on 8080/TCP');
    expect(r.out).toContain('mesh: shop/batch is not in a service mesh');
  });
});

// The reviewer's repros dr2 and dr: web's DestinationRule for db sets tls.mode DISABLE ("Do not
// setup a TLS connection to the upstream endpoint",
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode),
// so web's sidecar sends plaintext: no principal for db's DENY to match ("Only available with mutual
// TLS enabled", https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source),
// and a STRICT PeerAuthentication refuses it.
describe('reach: an Istio caller whose DestinationRule disables TLS to the callee', () => {
  const base = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: c, image: example/web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: example/pg:1, ports: [{containerPort: 5432, name: tcp-pg}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432, targetPort: 5432}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  trafficPolicy: {tls: {mode: DISABLE}}
---
`;

  it('PERMISSIVE, a DENY on web\'s principal: ALLOWED, exit 0, plaintext (was: DENIED by the principal DENY)', async () => {
    const dir = manifests(`${base}apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
`);
    const r = await reach(dir, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432', '-o', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ allowed: true, mesh: { verdict: 'allowed', plaintext: true } });
    expect(j.mesh.reason).toContain('DestinationRule shop/db sets tls.mode DISABLE');
  });

  it('STRICT mesh-wide: DENIED, exit 1 (was: ALLOWED with plaintext false)', async () => {
    const dir = manifests(`${base}apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`);
    const r = await reach(dir, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.out).toContain('mesh DENIED: shop/web\'s sidecar sends no Istio mutual TLS to port 5432 of shop/db (Service shop/db port 5432: DestinationRule shop/db sets tls.mode DISABLE (picked from the client namespace shop))');
    expect(r.out).toContain('the caller sends no Istio mTLS to it, so its plaintext connection is refused');
    expect(r.out).toContain('  mesh (istio) at sidecar of shop/db: DENIED by PeerAuthentication istio-system/default (plaintext call)');
  });
});

// The reviewer's repro dr1: a DestinationRule with a workloadSelector applies only to the client
// sidecars it selects in its own namespace ("the configuration ... will be applied only to the
// workloads matching the workload selector label in the same namespace", workloadSelector field,
// https://istio.io/latest/docs/reference/config/networking/destination-rule/; istiod's
// SidecarScope.DestinationRule in pilot/pkg/model/sidecar.go takes a selector rule only when it is
// in the proxy's namespace and its matchLabels are a subset of the proxy's labels, else the rule
// without a selector). So batch's plaintext rule leaves web sending Istio mTLS.
describe('reach: a DestinationRule whose workloadSelector picks another client', () => {
  const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: jobs, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: c, image: example/web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: shop}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {serviceAccountName: batch, containers: [{name: c, image: example/batch:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: jobs}
spec:
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {serviceAccountName: batch, containers: [{name: c, image: example/batch:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: example/pg:1, ports: [{containerPort: 5432, name: tcp-pg}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432, targetPort: 5432}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-batch-plain, namespace: shop}
spec:
  host: db
  workloadSelector: {matchLabels: {app: batch}}
  trafficPolicy: {tls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: ALLOW
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web", "cluster.local/ns/shop/sa/batch", "cluster.local/ns/jobs/sa/batch"]}}]}]
`);

  it('web, not selected, keeps Istio mTLS: ALLOWED by its principal, exit 0 (was: DENIED, "web\'s sidecar sends no Istio mutual TLS")', async () => {
    const r = await reach(dir, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.out).toContain('mesh ALLOWED: ALLOW AuthorizationPolicy shop/db-allow rules[0] matches principal cluster.local/ns/shop/sa/web');
    expect(r.out).not.toContain('db-batch-plain');
  });

  it('batch of the same namespace, selected, sends plaintext: DENIED, the rule named', async () => {
    const r = await reach(dir, '--from', 'shop/batch', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(1);
    expect(r.out).toContain('mesh DENIED: shop/batch\'s sidecar sends no Istio mutual TLS to port 5432 of shop/db (Service shop/db port 5432: DestinationRule shop/db-batch-plain sets tls.mode DISABLE (picked from the client namespace shop; its workloadSelector selects the caller))');
  });

  it('batch of another namespace, whose labels match, is not given a selector rule of shop: ALLOWED with mTLS', async () => {
    const r = await reach(dir, '--from', 'jobs/batch', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(0);
    expect(r.out).toContain('matches principal cluster.local/ns/jobs/sa/batch');
  });
});

// istiod never exports a DestinationRule with a workloadSelector, whatever its exportTo
// (istio/istio pilot/pkg/model/push_context.go setDestinationRules: "destination rules with
// workloadSelector should not be exported to other namespaces"; istio/istio#37174): a caller of
// another namespace falls through it to the root namespace's rule.
describe('reach: a workloadSelector rule in the Service\'s namespace, a plaintext rule in the root namespace', () => {
  const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres, ports: [{containerPort: 5432, name: tcp-pg}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: db}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432, targetPort: 5432}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-admin-clients, namespace: db}
spec:
  host: db.db.svc.cluster.local
  workloadSelector: {matchLabels: {app: dbadmin}}
  trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-legacy-plain, namespace: istio-system}
spec:
  host: db.db.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-deny-web, namespace: db}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/web/sa/web"]}}]}]
`);

  it('web of another namespace gets the root rule (DISABLE): plaintext, so the DENY on its principal does not match: ALLOWED', async () => {
    const r = await reach(dir, '--from', 'web/web', '--to', 'db/db', '--port', '5432');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: web/web[Deployment] -> db/db[Deployment] on 5432/TCP');
    expect(r.out).toContain('DestinationRule istio-system/db-legacy-plain sets tls.mode DISABLE (picked from the root namespace istio-system)');
  });
});

// The reviewer's repro dr2: db's DestinationRule sets no tls at the service level (auto mTLS: Istio
// mTLS), but its subset v1 sets DISABLE, which overrides it for the traffic a route sends to v1
// ("Policies specified for subsets will not take effect until a route rule explicitly sends traffic
// to this subset", https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset).
// The VirtualService bound to mesh (no gateways field: "the reserved gateway mesh is used",
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService) sends
// web's TCP calls to subset v1, whose cluster istiod builds with the subset's policy merged over the
// rule's (pilot/pkg/networking/core/cluster_builder.go buildSubsetCluster): plaintext, so the DENY on
// web's principal cannot match and PERMISSIVE admits it.
describe('reach: a DestinationRule subset that disables TLS', () => {
  const yaml = (trafficPolicy: string, vsRoute = 'destination: {host: db, subset: v1}') => `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: c, image: example/web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db, version: v1}}
    spec: {containers: [{name: c, image: example/pg:1, ports: [{containerPort: 5432, name: tcp-pg}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432, targetPort: 5432}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy: ${trafficPolicy}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: shop}
spec:
  hosts: [db]
  tcp:
  - route:
    - ${vsRoute}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
`;

  it('the mesh VirtualService routes web to subset v1, which sets DISABLE: ALLOWED as plaintext, the route named (was: UNKNOWN, "routes of sidecars are not read")', async () => {
    const r = await reach(manifests(yaml('{tls: {mode: DISABLE}}')), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.out).toContain("shop/web's sidecar sends no Istio mutual TLS to port 5432 of shop/db (Service shop/db port 5432: every route VirtualService shop/db gives the caller sends no Istio mTLS (VirtualService shop/db tcp[0] routes to subset v1, whose tls.mode is DISABLE))");
  });

  it('a port-level DISABLE of the subset counts too; a subset ISTIO_MUTUAL changes nothing: DENIED', async () => {
    const port = await reach(manifests(yaml('{portLevelSettings: [{port: {number: 5432}, tls: {mode: DISABLE}}]}')), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(port.code).toBe(0);
    expect(port.out).toContain('VirtualService shop/db tcp[0] routes to subset v1, whose tls.mode is DISABLE');
    const mutual = await reach(manifests(yaml('{tls: {mode: ISTIO_MUTUAL}}')), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(mutual.code).toBe(1);
    expect(mutual.out).toContain('mesh DENIED: DENY AuthorizationPolicy shop/deny-web rules[0] matches principal cluster.local/ns/shop/sa/web');
  });

  it('the route sends web to the Service itself, not to v1: web keeps its mTLS and the DENY refuses it (was: UNKNOWN)', async () => {
    const r = await reach(manifests(yaml('{tls: {mode: DISABLE}}', 'destination: {host: db.shop.svc.cluster.local}')), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(1);
    expect(r.out).toContain('mesh DENIED: DENY AuthorizationPolicy shop/deny-web rules[0] matches principal cluster.local/ns/shop/sa/web');
  });

  it('a weighted split between v1 (DISABLE) and the Service: UNKNOWN, exit 2, naming the VirtualService and subset', async () => {
    const r = await reach(manifests(yaml('{tls: {mode: DISABLE}}', 'destination: {host: db, subset: v1}\n      weight: 20\n    - destination: {host: db}\n      weight: 80')), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(2);
    expect(r.out.split('\n')[0]).toBe('UNKNOWN: shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.out).toContain('but subset v1 of DestinationRule shop/db sets tls.mode DISABLE, and the calls VirtualService shop/db routes may go where the answers differ or are not known (VirtualService shop/db tcp[0] routes to subset v1, whose tls.mode is DISABLE; calls no route sends to a subset go to shop/db itself)');
  });
});

// The reviewer's repro l5dwh. linkerd2's chart (charts/linkerd-control-plane/values.yaml,
// proxyInjector.namespaceSelector) keeps the proxy injector away from namespaces labelled
// config.linkerd.io/admission-webhooks=disabled and from kube-system and cert-manager: their pods
// run without a proxy whatever linkerd.io/inject says, so all-authenticated restricts nothing there.
describe('reach: Linkerd namespaces the proxy injector never sees', () => {
  const dir = manifests(`apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-authenticated
---
apiVersion: v1
kind: Namespace
metadata: {name: cert-manager, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels: {config.linkerd.io/admission-webhooks: disabled}
  annotations: {linkerd.io/inject: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: webhook, namespace: cert-manager}
spec:
  selector: {matchLabels: {app: webhook}}
  template:
    metadata: {labels: {app: webhook}}
    spec: {containers: [{name: c, image: example/cm:1, ports: [{containerPort: 10250}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger, namespace: payments}
spec:
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec: {containers: [{name: c, image: example/ledger:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: example/client:1}]}
`);

  it.each([['payments/ledger', '8080'], ['cert-manager/webhook', '10250']])('a plaintext client reaches %s: ALLOWED, exit 0, not in a mesh (was: DENIED by all-authenticated)', async (to, port) => {
    const r = await reach(dir, '--from', 'other/client', '--to', to, '--port', port);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe(`  network ALLOWED by default (no policy decides it); mesh: ${to} is not in a service mesh: no mesh authorization restricts calls to it`);
  });
});
