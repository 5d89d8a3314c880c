// An Istio gateway as the callee: its listeners are built from the Gateway servers bound to it,
// each server's port and tls.mode deciding what it accepts (istio/istio
// pilot/pkg/networking/core/gateway.go buildGatewayListeners / buildGatewayListenerTLSContext;
// https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode), and
// PeerAuthentication is applied only by the inbound listeners of sidecars
// (pilot/pkg/networking/core/listener_inbound.go, authnBuilder.ForPort) and ztunnel
// (https://istio.io/latest/docs/reference/config/security/peer_authentication/ "how traffic will be
// tunneled (or not) to the sidecar"). Gateway server ports are Service ports: istiod binds each to
// the targetPort of the gateway's Service with that port, else to the number itself
// (pilot/pkg/model/gateway.go resolvePorts).
// Before: a plaintext in-cluster caller of an ingress gateway was DENIED by a mesh-wide STRICT
// PeerAuthentication, although the gateway's plain HTTP server accepts it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { inputsOf } from '../../../src/cli/serve-watch.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';

/** Mesh-wide STRICT; the istio-ingressgateway Deployment as the gateway chart writes it (gateway injection); its Service 80→8080, 443→8443. */
const cluster = (httpsTls: string, extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
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
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: ${httpsTls}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: app, image: x/old:1}]
---${extra}`;

const SIMPLE = '{mode: SIMPLE, credentialName: public-cert}';
const ISTIO_MUTUAL = '{mode: ISTIO_MUTUAL}';

async function reach(yaml: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-istio-gateway-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}
const matrixLine = (out: string, pair: string) => out.split('\n').find((l) => l.startsWith(`${pair} : `)) ?? `${pair} : (no line)`;
const PAIR = 'legacy/old[Deployment] => istio-ingress/istio-ingressgateway[Deployment]';
const to = (port: number) => ['--from', 'legacy/old', '--to', 'istio-ingress/istio-ingressgateway', '--port', String(port)];

/** A Gateway API Gateway istiod deploys (its pods labelled gateway.istio.io/managed and gateway.networking.k8s.io/gateway-name), in a STRICT namespace. */
const MANAGED = `
apiVersion: v1
kind: Namespace
metadata: {name: edge, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: edge}
spec: {mtls: {mode: STRICT}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: edge}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: mesh, port: 15008, protocol: HBONE}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-istio, namespace: edge}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: web}}
  template:
    metadata:
      labels: {gateway.networking.k8s.io/gateway-name: web, gateway.istio.io/managed: istio.io-gateway-controller, sidecar.istio.io/inject: "true"}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      containers: [{name: istio-proxy, image: auto, ports: [{containerPort: 80}, {containerPort: 15008}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: app, image: x/old:1}]
---`;

describe('Istio: an ingress gateway as the callee follows its Gateway servers, not PeerAuthentication', () => {
  it('a plaintext caller reaches the plain HTTP server (Service port 80 → pod port 8080) under mesh-wide STRICT: ALLOWED (was: DENIED by PeerAuthentication)', async () => {
    const r = await reach(cluster(SIMPLE), ...to(8080));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8080/TCP');
    expect(r.out).toContain('mesh ALLOWED: istio-ingress/istio-ingressgateway is an Istio gateway: Gateway istio-ingress/public servers[0] (port 80, HTTP) is no TLS server: it accepts plaintext (PeerAuthentication does not apply to a gateway\'s listeners); no ALLOW AuthorizationPolicy applies');
    expect(r.out).toContain('mesh (istio) at gateway istio-ingress/istio-ingressgateway: ALLOWED (plaintext call)');
    expect(r.out).not.toContain('PeerAuthentication istio-system/default');
  });

  it('an AuthorizationPolicy selecting the gateway still applies to that caller', async () => {
    const deny = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-legacy, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {ports: ["8080"]}}]}]
---`;
    const r = await reach(cluster(SIMPLE, deny), ...to(8080));
    expect(r.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8080/TCP');
    expect(r.out).toContain('AuthorizationPolicy istio-ingress/no-legacy');
  });

  it('the HTTPS server by tls.mode: SIMPLE takes the caller\'s own TLS (ALLOWED), ISTIO_MUTUAL refuses it (DENIED, naming the Gateway), MUTUAL is unknown', async () => {
    const simple = await reach(cluster(SIMPLE), ...to(8443));
    expect(simple.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8443/TCP');
    expect(simple.out).toContain('Gateway istio-ingress/public servers[1] (port 443, HTTPS) tls.mode SIMPLE terminates TLS with its own certificate');
    const mutual = await reach(cluster(ISTIO_MUTUAL), ...to(8443));
    expect(mutual.code).toBe(1);
    expect(mutual.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8443/TCP');
    expect(mutual.out).toContain('mesh DENIED: istio-ingress/istio-ingressgateway is an Istio gateway: Gateway istio-ingress/public servers[1] (port 443, HTTPS) tls.mode ISTIO_MUTUAL accepts only Istio mTLS (workload certificates); the caller has no mesh proxy, so its connection is refused');
    expect(mutual.out).toContain('mesh (istio) at gateway istio-ingress/istio-ingressgateway: DENIED by Gateway istio-ingress/public (plaintext call)');
    const clientCert = await reach(cluster('{mode: MUTUAL, credentialName: public-cert}'), ...to(8443));
    expect(clientCert.out.split('\n')[0]).toMatch(/^UNKNOWN: /);
    expect(clientCert.out).toContain('tls.mode MUTUAL requires a client certificate signed by the CA it names');
  });

  // A gateway's Envoy gets one listener per port its Gateway servers bind (istio/istio tag 1.28.9
  // pilot/pkg/networking/core/gateway.go buildGatewayListeners, over mergedGateway.ServerPorts) and
  // has, of its own, only the bootstrap's Prometheus 15090 and health 15021 listeners
  // (tools/packaging/common/envoy_bootstrap.json envoy_prometheus_port, envoy_status_port) and
  // pilot-agent's status port 15020; Envoy's admin 15000 and the DNS proxy 15053 bind localhost
  // (envoy_bootstrap.json admin `{{ .localhost }}`; pilot/cmd/pilot-agent/options/options.go
  // DNS_PROXY_ADDR "localhost:15053"). A connection to any other port of the pod is refused.
  // Before: UNKNOWN ("what listens there the snapshot does not tell").
  it('a port no Gateway server binds is DENIED (no listener) when every Gateway selecting the gateway is read', async () => {
    const r = await reach(cluster(SIMPLE), ...to(9999));
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 9999/TCP');
    expect(r.out).toContain('mesh DENIED: istio-ingress/istio-ingressgateway is an Istio gateway: no Gateway server selecting it binds port 9999, and its proxy listens only on the ports its Gateway servers bind and its own 15020, 15021, 15090, so a connection to port 9999 is refused (no listener)');
    // Service port 80 leads to pod port 8080, where istiod binds the server: pod port 80 has no listener.
    expect((await reach(cluster(SIMPLE), ...to(80))).out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 80/TCP');
  });

  it('UNKNOWN where a listener there cannot be ruled out: the proxy\'s own ports, Gateways unreadable, another container, a server or targetPort that cannot be read', async () => {
    const unknown = async (yaml: string, port: number, why: string) => {
      const r = await reach(yaml, ...to(port));
      expect(r.out.split('\n')[0]).toMatch(/^UNKNOWN: /);
      expect(r.out).toContain(`and no Gateway server in the snapshot binds port ${port} (${why}): what listens there the snapshot does not tell`);
    };
    await unknown(cluster(SIMPLE), 15021, 'port 15021 is one of the gateway proxy\'s own listeners (health, metrics, status), which no Gateway decides');
    await unknown(cluster(SIMPLE).replace("- {name: istio-proxy, image: auto,", "- {name: sidecar, image: x/helper:1}\n      - {name: istio-proxy, image: auto,"), 9999, 'its pod also runs "sidecar", which may listen there');
    await unknown(cluster(SIMPLE, `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: broken, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {name: x, protocol: HTTP}, hosts: ["*"]}]
---`), 9999, 'Gateway istio-ingress/broken servers[0] has no port number that can be read');
    await unknown(cluster(SIMPLE).replace('{name: http2, port: 80, targetPort: 8080}', '{name: http2, port: 80, targetPort: web}'), 9999, 'Service istio-ingress/istio-ingressgateway port 80, which Gateway istio-ingress/public servers[0] binds, leads to targetPort "web", which no container of the gateway declares');
  });

  it('with the Istio Gateways unreadable, a port no server in the snapshot binds stays UNKNOWN', () => {
    const objects = parseManifestText(cluster(SIMPLE), 'all.yaml').objects;
    const base = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
    const snapshot: Snapshot = { ...base, resources: { ...base.resources, 'istio.gateways': [] }, coverage: { ...base.coverage, 'istio.gateways': { status: 'forbidden' as const } } };
    const v = meshFlowVerdict(snapshot, defaultConfig(), { kind: 'Deployment', namespace: 'legacy', name: 'old' }, { kind: 'Deployment', namespace: 'istio-ingress', name: 'istio-ingressgateway' }, 9999, 'TCP');
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('binds port 9999 (istio.gateways could not be read)');
  });

  it('reach --matrix --effective agrees: the plain HTTP port stays open, the ISTIO_MUTUAL port is closed to the plaintext caller', async () => {
    const open = (await reach(cluster(SIMPLE), '--matrix', '--effective')).out;
    // Ports no Gateway server binds are closed (no listener), but for the proxy's own 15020, 15021 and 15090.
    expect(matrixLine(open, PAIR)).toBe(`${PAIR} : SCTP 1-65535,TCP 8080,8443,15020-15021,15090,UDP 1-65535 [mesh istio: TCP 15020 unknown, TCP 15021 unknown, TCP 15090 unknown]`);
    const mutual = (await reach(cluster(ISTIO_MUTUAL), '--matrix', '--effective')).out;
    expect(matrixLine(mutual, PAIR)).toBe(`${PAIR} : SCTP 1-65535,TCP 8080,15020-15021,15090,UDP 1-65535 [mesh istio: TCP 15020 unknown, TCP 15021 unknown, TCP 15090 unknown]`);
  });

  it('a Gateway API gateway istiod manages: its HTTP listener takes plaintext whatever STRICT says, its HBONE listener does not', async () => {
    const to2 = (port: number) => ['--from', 'legacy/old', '--to', 'edge/web-istio', '--port', String(port)];
    const http = await reach(MANAGED, ...to2(80));
    expect(http.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> edge/web-istio[Deployment] on 80/TCP');
    expect(http.out).toContain('Gateway edge/web listeners[0] (port 80, HTTP) is no TLS listener: it accepts plaintext');
    const hbone = await reach(MANAGED, ...to2(15008));
    expect(hbone.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> edge/web-istio[Deployment] on 15008/TCP');
    expect(hbone.out).toContain('Gateway edge/web listeners[1] (port 15008, HBONE) accepts only Istio mTLS (HBONE)');
    // No Service names these ports: the matrix judges them because the Gateway's listeners bind them.
    const pair = 'legacy/old[Deployment] => edge/web-istio[Deployment]';
    expect(matrixLine((await reach(MANAGED, '--matrix', '--effective')).out, pair)).toBe(`${pair} : SCTP 1-65535,TCP 80,15020-15021,15090,UDP 1-65535 [mesh istio: TCP 15020 unknown, TCP 15021 unknown, TCP 15090 unknown]`);
  });
});

// istiod serves the listeners of a ListenerSet a Gateway allows on that Gateway's pods, adding
// their ports to its Service (istio/istio pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go
// extractServicePorts(gw, listenerSets); gateway/gateway_collection.go ListenerSetCollection).
describe('Istio: a ListenerSet\'s listener on a Gateway API gateway istiod manages', () => {
  const withSet = (allowed: string) => MANAGED.replace('  gatewayClassName: istio\n', `  gatewayClassName: istio\n${allowed}`) + `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: edge}
spec:
  parentRef: {name: web}
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---`;
  const to2 = ['--from', 'legacy/old', '--to', 'edge/web-istio', '--port', '8080'];
  it('its plain HTTP listener takes plaintext on the gateway\'s pods: ALLOWED, naming it (was: DENIED, no listener); one the Gateway does not allow binds nothing', async () => {
    const r = await reach(withSet('  allowedListeners: {namespaces: {from: Same}}\n'), ...to2);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> edge/web-istio[Deployment] on 8080/TCP');
    expect(r.out).toContain('Gateway edge/web listener "http (ListenerSet edge/team)" (port 8080, HTTP) is no TLS listener: it accepts plaintext');
    expect((await reach(withSet(''), ...to2)).out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> edge/web-istio[Deployment] on 8080/TCP');
  });
  it('a Gateway linked by spec.addresses to an existing gateway\'s Service: a ListenerSet listener on a Service port whose named targetPort no container declares leaves other ports UNKNOWN (was: DENIED)', async () => {
    const manual = (allowed: string) => cluster(SIMPLE, `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: manual, namespace: istio-ingress}
spec:
  gatewayClassName: istio
${allowed}  addresses: [{type: Hostname, value: istio-ingressgateway.istio-ingress.svc.cluster.local}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: istio-ingress}
spec:
  parentRef: {name: manual}
  listeners: [{name: admin, port: 9000, protocol: HTTP}]
---`).replace('{name: status-port, port: 15021, targetPort: 15021}]', '{name: status-port, port: 15021, targetPort: 15021}, {name: admin, port: 9000, targetPort: admin}]');
    const r = await reach(manual('  allowedListeners: {namespaces: {from: Same}}\n'), ...to(9999));
    expect(r.out.split('\n')[0]).toMatch(/^UNKNOWN: /);
    expect(r.out).toContain('Service istio-ingress/istio-ingressgateway port 9000, which Gateway istio-ingress/manual listens on, leads to targetPort "admin", which no container of the gateway declares');
    expect((await reach(manual(''), ...to(9999))).out.split('\n')[0]).toMatch(/^DENIED: /);
  });
});

// The verdict above reads the Gateways, so the checks that judge flows declare them while an
// Istio gateway runs: serve --watch re-evaluates them when a Gateway server changes, and a
// Gateway list that could not be read makes them not evaluated instead of judged without it.
describe('the checks judging flows to an Istio gateway declare the Gateways they read', () => {
  const FLOW_CHECKS = ['mtls.authz-missing', 'mtls.authz-allow-any', 'mtls.authz-plaintext-bypass', 'network.intent-violation'];

  it('serve --watch re-evaluates them when an Istio or Gateway API Gateway changes', () => {
    for (const id of FLOW_CHECKS) {
      const inputs = inputsOf(CHECK_BY_ID.get(id)!);
      expect([id, inputs.has('istio.gateways'), inputs.has('gatewayapi.gateways')]).toEqual([id, true, true]);
    }
  });

  // The listeners a ListenerSet adds are served on the gateway's pods too (the describe above): a
  // ListenerSet that changes re-evaluates the flow checks, and one that could not be read is named
  // among the inputs they were judged without (best-effort, as routes.ts EDGE_ROUTE_BEST_EFFORT).
  it('serve --watch re-evaluates them when a ListenerSet or XListenerSet changes; unreadable, the outcome names the kind it was judged without', () => {
    for (const id of FLOW_CHECKS) {
      const inputs = inputsOf(CHECK_BY_ID.get(id)!);
      expect([id, inputs.has('gatewayapi.listenersets'), inputs.has('gatewayapi-x.xlistenersets')]).toEqual([id, true, true]);
    }
    const objects = parseManifestText(cluster(SIMPLE), 'all.yaml').objects;
    const s = snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
    const forbidden: Snapshot = { ...s, source: 'live', resources: { ...s.resources, 'gatewayapi.listenersets': [] }, coverage: { ...s.coverage, 'gatewayapi.listenersets': { status: 'forbidden' } } };
    // network.intent-violation applies only with intent.deny configured: the mtls ones are run.
    for (const id of FLOW_CHECKS.filter((c) => c.startsWith('mtls.'))) {
      const [outcome] = runChecks([CHECK_BY_ID.get(id)!], { snapshot: forbidden, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') });
      expect([id, outcome.status === 'not-evaluated', outcome.degraded]).toEqual([id, false, expect.arrayContaining(['gatewayapi.listenersets'])]);
    }
  });

  it('with the Istio Gateways unreadable, mtls.authz-missing is not evaluated and says why; without a gateway workload it is judged', () => {
    const objects = parseManifestText(cluster(SIMPLE), 'all.yaml').objects;
    const forbid = (s: Snapshot): Snapshot => ({ ...s, source: 'live' as const, resources: { ...s.resources, 'istio.gateways': [] }, coverage: { ...s.coverage, 'istio.gateways': { status: 'forbidden' as const } } });
    const check = CHECK_BY_ID.get('mtls.authz-missing')!;
    const ctx = (s: Snapshot) => ({ snapshot: s, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') });
    const [blind] = runChecks([check], ctx(forbid(snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' }))));
    expect(blind.status).toBe('not-evaluated');
    expect(blind.reason).toContain('istio.gateways: forbidden for the Gateways whose servers decide what Istio gateway Deployment istio-ingress/istio-ingressgateway accepts');
    const noGateway = objects.filter((o) => !(o.kind === 'Deployment' && o.metadata?.name === 'istio-ingressgateway'));
    const [judged] = runChecks([check], ctx(forbid(snapshotFromObjects(noGateway, { clusterVersion: 'v1.36.3' }))));
    expect(judged.status).not.toBe('not-evaluated');
  });
});

// A meshed sidecar caller sends Istio mTLS to a gateway only when told to: auto mTLS builds the
// cluster with an Istio-mTLS transport socket for endpoints labelled security.istio.io/tlsMode:
// istio and plaintext for the rest (istio/istio pilot/pkg/networking/core/cluster_tls.go,
// "tlsMode-istio" and defaultTransportSocketMatch; pilot/pkg/model/service.go
// GetTLSModeFromEndpointLabels returns "disabled" without the label). The sidecar injection template
// adds that label, the gateway one does not (manifests/charts/istio-control/istio-discovery/files/
// injection-template.yaml vs gateway-injection-template.yaml), which is why Istio's own egress
// gateway task adds a DestinationRule with tls.mode ISTIO_MUTUAL for the gateway
// (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/).
// Before: shop/api was judged as arriving with its principal, so a DENY on that principal "denied"
// a call that arrives in plaintext and passes it, and an ISTIO_MUTUAL server "admitted" it.
describe('Istio: a sidecar caller reaches a gateway in plaintext unless a DestinationRule (or the tlsMode label) sends Istio mTLS', () => {
  const SHOP = `
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
    spec:
      containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-shop-api, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/default"]}}]
---`;
  const ISTIO_MUTUAL_DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: to-gateway, namespace: shop}
spec:
  host: istio-ingressgateway.istio-ingress.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---`;
  const labelled = (yaml: string) => yaml.replace('labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "true"}', 'labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "true", security.istio.io/tlsMode: istio}');
  const api = (port: number) => ['--from', 'shop/api', '--to', 'istio-ingress/istio-ingressgateway', '--port', String(port)];
  const API_PAIR = 'shop/api[Deployment] => istio-ingress/istio-ingressgateway[Deployment]';
  const plain = 'auto mTLS sends Istio mTLS only to endpoints labelled security.istio.io/tlsMode: istio, which the Istio gateway injection template does not add, and istio-ingress/istio-ingressgateway\'s pod template does not carry it, so the caller sends plaintext';

  it('a DENY on the caller\'s principal does not stop its plaintext call to the HTTP server: ALLOWED (was: DENIED, a hidden bypass)', async () => {
    const r = await reach(cluster(ISTIO_MUTUAL, SHOP), ...api(8080));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8080/TCP');
    expect(r.out).toContain(plain);
    expect(r.out).toContain('Istio allows a plaintext caller (sends no Istio mTLS to it; principals and namespaces cannot match it) on port 8080');
    expect(r.out).toContain('mesh (istio) at gateway istio-ingress/istio-ingressgateway: ALLOWED (plaintext call)');
  });

  it('the ISTIO_MUTUAL server refuses that plaintext call: DENIED by the Gateway (was: ALLOWED)', async () => {
    const r = await reach(cluster(ISTIO_MUTUAL, SHOP), ...api(8443));
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('DENIED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8443/TCP');
    expect(r.out).toContain('tls.mode ISTIO_MUTUAL accepts only Istio mTLS (workload certificates); the caller sends no Istio mTLS to it, so its connection is refused');
    expect(r.out).toContain('mesh (istio) at gateway istio-ingress/istio-ingressgateway: DENIED by Gateway istio-ingress/public (plaintext call)');
  });

  it('with a DestinationRule setting ISTIO_MUTUAL toward the gateway, the caller comes with its principal: the DENY applies on every port', async () => {
    for (const port of [8080, 8443]) {
      const r = await reach(cluster(ISTIO_MUTUAL, SHOP + ISTIO_MUTUAL_DR), ...api(port));
      expect(r.out.split('\n')[0]).toBe(`DENIED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on ${port}/TCP`);
      expect(r.out).toContain('DENY AuthorizationPolicy istio-ingress/deny-shop-api rules[0] matches principal cluster.local/ns/shop/sa/default');
    }
  });

  it('a caller sending Istio mTLS is refused too on a port no Gateway server binds: no listener (was: ALLOWED by the policies)', async () => {
    const noDeny = SHOP.slice(0, SHOP.indexOf('apiVersion: security.istio.io/v1'));
    expect(noDeny).toContain('kind: Deployment');
    const r = await reach(cluster(ISTIO_MUTUAL, noDeny + ISTIO_MUTUAL_DR), ...api(9999));
    expect(r.out.split('\n')[0]).toBe('DENIED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 9999/TCP');
    expect(r.out).toContain('so a connection to port 9999 is refused (no listener)');
    // A bound port is still the policies' to decide.
    expect((await reach(cluster(ISTIO_MUTUAL, noDeny + ISTIO_MUTUAL_DR), ...api(8443))).out.split('\n')[0]).toBe('ALLOWED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8443/TCP');
  });

  it('gateway pods labelled security.istio.io/tlsMode: istio get auto mTLS: the DENY applies', async () => {
    const r = await reach(labelled(cluster(ISTIO_MUTUAL, SHOP)), ...api(8080));
    expect(r.out.split('\n')[0]).toBe('DENIED: shop/api[Deployment] -> istio-ingress/istio-ingressgateway[Deployment] on 8080/TCP');
    expect(r.out).not.toContain('sends plaintext');
  });

  it('reach --matrix --effective agrees: 8080 open to the plaintext call, 8443 (ISTIO_MUTUAL) closed; with the DestinationRule every port the gateway binds is closed by the DENY', async () => {
    const plainMatrix = (await reach(cluster(ISTIO_MUTUAL, SHOP), '--matrix', '--effective')).out;
    // 15021 (status-port) and 15020, 15090 are the gateway proxy's own listeners: unknown, as reach --port 15021 says; every other port no Gateway server binds is closed.
    expect(matrixLine(plainMatrix, API_PAIR)).toBe(`${API_PAIR} : SCTP 1-65535,TCP 8080,15020-15021,15090,UDP 1-65535 [mesh istio: TCP 15020 unknown, TCP 15021 unknown, TCP 15090 unknown]`);
    const mtlsMatrix = (await reach(cluster(ISTIO_MUTUAL, SHOP + ISTIO_MUTUAL_DR), '--matrix', '--effective')).out;
    expect(matrixLine(mtlsMatrix, API_PAIR)).toBe(`${API_PAIR} : SCTP 1-65535,TCP 15020,15090,UDP 1-65535 [mesh istio: TCP 15020 unknown, TCP 15090 unknown]`);
  });
});

// The PeerAuthentication checks agree with the verdict: a gateway's listeners are its Gateway
// servers', which PeerAuthentication does not reach (pilot/pkg/networking/core/gateway.go
// buildGatewayListeners; PeerAuthentication is applied by sidecars' inbound listeners,
// listener_inbound.go authnBuilder.ForPort). Before: mtls.mesh-not-strict was high only because of
// the gateway ("1 of 2 do not") and low once a STRICT policy "covered" it, and
// mtls.permissive-override said a PERMISSIVE policy selecting only the gateway let plaintext in.
describe('mtls.mesh-not-strict and mtls.permissive-override leave Istio gateways to their Gateway servers', () => {
  const M1 = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
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
      - {name: istio-proxy, image: auto, ports: [{containerPort: 8080, name: http2}]}
---
apiVersion: v1
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
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}]
---`;
  const run = (id: string, yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    const [outcome] = runChecks([CHECK_BY_ID.get(id)!], { snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') });
    return 'results' in outcome ? outcome.results : [];
  };

  it('mtls.mesh-not-strict: no mesh-wide policy is a low finding whether or not a STRICT policy names the gateway\'s namespace (was: high, "1 of 2", the gateway its member)', () => {
    const NS_STRICT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-ingress}
spec: {mtls: {mode: STRICT}}
---`;
    for (const yaml of [M1, M1 + NS_STRICT]) {
      const [r] = run('mtls.mesh-not-strict', yaml);
      expect([r.status, r.severity]).toEqual(['fail', 'low']);
      expect(r.message).toContain('(0 of 1 do not)');
      expect(r.extent?.members).toEqual([]);
    }
  });

  it('mtls.permissive-override: a PERMISSIVE policy selecting only the gateway has no effect and passes, saying so (was: medium, "plaintext accepted")', () => {
    const GW_PERMISSIVE = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: gw-permissive, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  mtls: {mode: PERMISSIVE}
---`;
    const snapshot = snapshotFromObjects(parseManifestText(M1 + GW_PERMISSIVE, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    // evaluate, not runChecks: a pass keeps no message once run.
    const results = [...CHECK_BY_ID.get('mtls.permissive-override')!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })].filter((r) => r.resource.name === 'gw-permissive');
    expect(results.map((r) => [r.status, r.message])).toEqual([['pass', 'PeerAuthentication istio-ingress/gw-permissive (PERMISSIVE) has no effect: it selects only Istio gateways (Deployment istio-ingress/istio-ingressgateway), whose listeners their Gateway servers\' tls.mode decides, not PeerAuthentication.']]);
  });

  // "PeerAuthentication defines how traffic will be tunneled (or not) to the sidecar"
  // (https://istio.io/latest/docs/reference/config/security/peer_authentication/): a namespace whose
  // only meshed workloads are gateways has no sidecar for a namespace-wide policy to govern.
  it('mtls.permissive-override: a namespace-wide PERMISSIVE or DISABLE policy in a namespace holding only the gateway has no effect and passes; with a sidecar workload there it still fails (was: medium/high, "plaintext accepted")', () => {
    const nsPolicy = (mode: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-ingress}
spec: {mtls: {mode: ${mode}}}
---`;
    const SIDECAR_APP = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo, sidecar.istio.io/inject: "true"}}
    spec:
      containers: [{name: app, image: x/echo:1, ports: [{containerPort: 8080}]}]
---`;
    const evaluate = (yaml: string) => {
      const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
      // evaluate, not runChecks: a pass keeps no message once run.
      return [...CHECK_BY_ID.get('mtls.permissive-override')!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })].filter((r) => r.resource.namespace === 'istio-ingress');
    };
    for (const mode of ['PERMISSIVE', 'DISABLE']) {
      const gatewayOnly = evaluate(M1 + nsPolicy(mode));
      expect(gatewayOnly.map((r) => [r.status, r.message])).toEqual([['pass', `PeerAuthentication istio-ingress/default (${mode}) has no effect: the only meshed workloads in namespace istio-ingress are Istio gateways (Deployment istio-ingress/istio-ingressgateway), whose listeners their Gateway servers' tls.mode decides, not PeerAuthentication.`]]);
      expect(run('mtls.mesh-not-strict', M1 + nsPolicy(mode)).map((r) => r.status)).toEqual(['pass']);
      const withSidecar = evaluate(M1 + nsPolicy(mode) + SIDECAR_APP);
      expect(withSidecar.map((r) => [r.status, r.severity, r.extent?.members])).toEqual([['fail', mode === 'DISABLE' ? 'high' : 'medium', ['Deployment istio-ingress/echo']]]);
      expect(withSidecar[0].message).toBe(`Namespace istio-ingress set mTLS to ${mode}: ${mode === 'DISABLE' ? 'plaintext only' : 'plaintext accepted alongside mTLS'} (mesh default STRICT).`);
    }
  });
});

// mtls.auto-mtls-disabled and gateways. Auto mTLS makes a client "send mutual TLS traffic to those
// workloads [migrated to Istio sidecar] automatically, and send plain text traffic to workloads
// without sidecars" (https://istio.io/v1.4/docs/tasks/security/authentication/auto-mtls/; the
// flag: meshConfig.enableAutoMtls, https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/);
// istiod tells them apart by the endpoint label security.istio.io/tlsMode: istio ("tlsMode-istio"
// transport socket match, https://github.com/istio/istio/wiki/Mutual-TLS-TroubleShooting), which the
// gateway injection template does not add. So a gateway callee gets plaintext with auto mTLS on or
// off: turning it off changes nothing there, and its Service is left out of the count. A gateway
// is still a client: its proxy's outbound clusters pick DestinationRules by its namespace and take
// auto mTLS, so with auto mTLS off it calls its backends in plaintext unless a rule it sees sets
// ISTIO_MUTUAL.
describe('mtls.auto-mtls-disabled: a gateway is a client, not a callee auto mTLS protects', () => {
  const AUTO_OFF = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    enableAutoMtls: false
---`;
  const BACKEND = `
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
    spec:
      containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: shop}
spec:
  host: api.shop.svc.cluster.local
  exportTo: ["."]
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---`;
  const evaluate = (yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    return [...CHECK_BY_ID.get('mtls.auto-mtls-disabled')!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })];
  };
  const labelled = (yaml: string) => yaml.replace('labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "true"}', 'labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "true", security.istio.io/tlsMode: istio}');

  it('auto mTLS off with only the gateway\'s Service meshed: passes, naming the gateway left out (was: high, "clients send plaintext to 1 of 1 meshed service(s)")', () => {
    const [v] = evaluate(cluster(SIMPLE, AUTO_OFF));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('Istio auto mTLS is disabled (ConfigMap istio-system/istio mesh.enableAutoMtls), but no Service is backed by meshed workloads auto mTLS would send Istio mTLS to (Istio gateways Deployment istio-ingress/istio-ingressgateway are left out: their pods do not carry security.istio.io/tlsMode: istio, so callers reach them in plaintext with auto mTLS on too, and their Gateway servers decide what they accept).');
    expect(v.evidence).toMatchObject({ meshedServices: 0, gatewaysLeftOut: ['Deployment istio-ingress/istio-ingressgateway'] });
    // Gateway pods labelled for auto mTLS get Istio mTLS from it: turning it off sends them plaintext.
    const [withLabel] = evaluate(labelled(cluster(SIMPLE, AUTO_OFF)));
    expect(withLabel.status).toBe('fail');
    expect(withLabel.evidence).toMatchObject({ meshedServices: 1, servicesWithoutIstioMutual: 1 });
    expect(withLabel.message).toContain('istio-ingress/istio-ingressgateway from clients in istio-ingress');
  });

  it('the gateway as the only client a DestinationRule misses: fails naming its namespace (already so), and the gateway\'s own Service is not counted beside it (was: 2 of 2); without the gateway the same rules pass', () => {
    const [v] = evaluate(cluster(SIMPLE, AUTO_OFF + BACKEND));
    expect(v.status).toBe('fail');
    expect(v.evidence).toMatchObject({ meshedServices: 1, servicesWithoutIstioMutual: 1 });
    expect(v.message).toBe('Istio auto mTLS is disabled (ConfigMap istio-system/istio mesh.enableAutoMtls): clients send plaintext to 1 of 1 meshed service(s) without an ISTIO_MUTUAL DestinationRule for those clients (shop/api from clients in istio-ingress).');
    const noGateway = parseManifestText(cluster(SIMPLE, AUTO_OFF + BACKEND), 'all.yaml').objects.filter((o) => !(o.kind === 'Deployment' && o.metadata?.name === 'istio-ingressgateway'));
    const [alone] = [...CHECK_BY_ID.get('mtls.auto-mtls-disabled')!.evaluate({ snapshot: snapshotFromObjects(noGateway, { clusterVersion: 'v1.36.3' }), config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })];
    expect(alone.status).toBe('pass');
  });
});

// mtls.authz-plaintext-bypass at a gateway. `principals` "requires mTLS enabled" and
// source.principal/source.namespace "require mutual TLS enabled"
// (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source,
// https://istio.io/latest/docs/reference/config/security/conditions/): a caller reaching a gateway
// over a plain or SIMPLE/OPTIONAL_MUTUAL/PASSTHROUGH server presents no mesh identity, whatever
// PeerAuthentication says, since it never applies to a gateway's listeners; an ISTIO_MUTUAL server
// "uses certificates generated automatically by Istio for mTLS authentication"
// (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode), so
// there every caller has one. The check agrees with reach on the same gateway (above: the DENY on
// shop/api's principal does not stop its plaintext call to port 8080).
describe('mtls.authz-plaintext-bypass judges a gateway by its Gateway servers, not PeerAuthentication', () => {
  const DENY_SHOP = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-shop-api, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/default"]}}]
---`;
  const bypassOf = (yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    return [...CHECK_BY_ID.get('mtls.authz-plaintext-bypass')!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })].filter((r) => r.resource.name === 'istio-ingressgateway');
  };
  const ONLY_MUTUAL = (yaml: string) => yaml.replace('  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}\n', '');
  const NO_MESH_PA = (yaml: string) => {
    const out = yaml.replace('apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated, namespace: istio-system}');
    expect(out).not.toContain('kind: PeerAuthentication');
    return out;
  };

  it('mesh-wide STRICT, a plain HTTP server on pod port 8080: the DENY on a principal is bypassed there, high, naming the server (was: pass, "mTLS is STRICT")', () => {
    const [v] = bypassOf(cluster(ISTIO_MUTUAL, DENY_SHOP));
    expect([v.status, v.severity]).toEqual(['fail', 'high']);
    expect(v.message).toBe('Deployment istio-ingress/istio-ingressgateway: Istio gateway: port 8080 takes callers without a mesh identity (Gateway istio-ingress/public servers[0] (port 80, HTTP) is no TLS server: it accepts plaintext; PeerAuthentication does not apply to a gateway\'s listeners); DENY istio-ingress/deny-shop-api rules[0] names principals/namespaces, which a plaintext caller never matches, so it is not denied (port 8080)');
    // SIMPLE terminates TLS with the gateway's own certificate: the caller presents no identity either.
    const [simple] = bypassOf(ONLY_MUTUAL(cluster(SIMPLE, DENY_SHOP)));
    expect([simple.status, simple.severity]).toEqual(['fail', 'high']);
    expect(simple.message).toContain('so it is not denied (port 8443)');
  });

  it('no mesh-wide policy (PERMISSIVE), only an ISTIO_MUTUAL server: every caller has an identity, so it passes (was: high, "mTLS PERMISSIVE")', () => {
    const [v] = bypassOf(NO_MESH_PA(ONLY_MUTUAL(cluster(ISTIO_MUTUAL, DENY_SHOP))));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('Deployment istio-ingress/istio-ingressgateway: it is an Istio gateway whose Gateway servers take no caller without a mesh identity (PeerAuthentication does not apply to a gateway\'s listeners), so every caller has an identity for istio-ingress/deny-shop-api');
  });
});

// Where the Gateway servers leave it open whether a caller without a mesh identity gets in — a
// MUTUAL server wants a client certificate from a CA it names ("Secure connections to the
// downstream using mutual TLS by presenting server certificates for authentication",
// https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode),
// which the snapshot cannot tell a caller holds; a port no Gateway server binds has a listener the
// snapshot does not show — reach answers UNKNOWN, and the check says it cannot tell rather than
// pass on "no caller without a mesh identity".
describe('mtls.authz-plaintext-bypass: a gateway whose Gateway servers leave it unknown is not passed', () => {
  const DENY_SHOP = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-shop-api, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/default"]}}]
---`;
  const ALLOW_NAMED = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-named, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]
---`;
  const MUTUAL = '{mode: MUTUAL, credentialName: public-cert}';
  const ONLY_HTTPS = (yaml: string) => yaml.replace('  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}\n', '');
  const bypassOf = (yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    return [...CHECK_BY_ID.get('mtls.authz-plaintext-bypass')!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })].filter((r) => r.resource.name === 'istio-ingressgateway');
  };

  it('only a MUTUAL server: reach says UNKNOWN on its port, and the DENY on a principal is a medium "cannot tell" naming the server, no PeerAuthentication mode in the evidence (was: pass, "take no caller without a mesh identity")', async () => {
    const yaml = ONLY_HTTPS(cluster(MUTUAL, DENY_SHOP));
    expect((await reach(yaml, ...to(8443))).out.split('\n')[0]).toMatch(/^UNKNOWN: /);
    const [v] = bypassOf(yaml);
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(v.message).toBe('Deployment istio-ingress/istio-ingressgateway: Istio gateway (PeerAuthentication does not apply to a gateway\'s listeners); whether a caller without a mesh identity gets in on port 8443 is unknown (Gateway istio-ingress/public servers[0] (port 443, HTTPS) tls.mode MUTUAL requires a client certificate signed by the CA it names, which the snapshot cannot tell the caller has); if it does, DENY istio-ingress/deny-shop-api rules[0] names principals/namespaces, which it never matches, so it is not denied');
    expect(v.evidence).toMatchObject({ unknownPorts: ['8443'] });
    expect(v.evidence).not.toHaveProperty('mode');
  });

  it('an ALLOW on principals refuses such a caller once in: the unknown is moot and it passes', () => {
    const [v] = bypassOf(ONLY_HTTPS(cluster(MUTUAL, DENY_SHOP + ALLOW_NAMED)));
    expect(v.status).toBe('pass');
  });

  it('no Gateway binds the gateway: a medium "cannot tell" saying so (was: pass); a DENY on a port no server binds is unknown too', () => {
    const noGateway = cluster(SIMPLE, DENY_SHOP).replace(/apiVersion: networking.istio.io\/v1\nkind: Gateway\n[\s\S]*?\n---/, '---');
    expect(noGateway).not.toContain('kind: Gateway');
    const [v] = bypassOf(noGateway);
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    // Without a server istiod builds the gateway no listener (istio/istio 1.28.9
    // pilot/pkg/networking/core/gateway.go buildGatewayListeners: `if builder.node.MergedGateway == nil`
    // returns none): only pilot-agent's status port (pilot/cmd/pilot-agent/status/server.go listens on
    // `:<statusPort>`) and Envoy's bootstrap listeners 15021 (/healthz/ready) and 15090
    // (/stats/prometheus) (tools/packaging/common/envoy_bootstrap.json) take connections, none with
    // an AuthorizationPolicy filter. Was: "on ports 8080, 8443, 15021, any other port".
    expect(v.message).toContain('whether a caller without a mesh identity gets in on a port a Gateway server outside the snapshot would bind is unknown (no Gateway server in the snapshot binds the gateway, so it listens only on 15020, 15021, 15090, its proxy\'s own status, health and Prometheus ports, which serve no application and no AuthorizationPolicy guards); if it does, DENY istio-ingress/deny-shop-api');
    expect(v.message).not.toMatch(/8080|8443|any other port/);
    expect(v.evidence).toMatchObject({ unknownPorts: [], listensWithoutServerOnly: [15020, 15021, 15090] });
    expect(v.evidence).not.toHaveProperty('mode');
    const onPort = DENY_SHOP.replace('  - from:', '  - to: [{operation: {ports: ["9090"]}}]\n    from:');
    const [p] = bypassOf(cluster(ISTIO_MUTUAL, onPort));
    expect([p.status, p.severity]).toEqual(['fail', 'medium']);
    expect(p.message).toContain('gets in on port 9090 is unknown (no Gateway server in the snapshot binds port 9090)');
  });

  it('no Gateway binds the gateway and a DENY covers only its health port 15021: it passes, as that port is Envoy\'s own (was: medium, "port 15021 is unknown")', () => {
    const onHealth = DENY_SHOP.replace('  - from:', '  - to: [{operation: {ports: ["15021"]}}]\n    from:');
    const noGatewayHealth = cluster(SIMPLE, onHealth).replace(/apiVersion: networking.istio.io\/v1\nkind: Gateway\n[\s\S]*?\n---/, '---');
    expect(noGatewayHealth).toContain('ports: ["15021"]');
    expect(noGatewayHealth).not.toContain('kind: Gateway');
    const [h] = bypassOf(noGatewayHealth);
    expect(h.status).toBe('pass');
    expect(h.message).toContain('it is an Istio gateway no Gateway server in the snapshot binds, and its identity rules cover none of the ports one would bind (it listens only on 15020, 15021, 15090');
  });

  // notPorts: "A list of negative match of ports" (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation):
  // a rule whose operation leaves the MUTUAL server's port out never applies there, so the
  // server's unknown does not touch it.
  it('a DENY whose to.operation.notPorts leaves out the MUTUAL server\'s port 8443 is not "cannot tell" there: it passes; with another port in notPorts it stays medium', () => {
    const notPorts = (port: string) => DENY_SHOP.replace('  - from:', `  - to: [{operation: {notPorts: ["${port}"]}}]\n    from:`);
    expect(notPorts('8443')).toContain('notPorts: ["8443"]');
    const [v] = bypassOf(ONLY_HTTPS(cluster(MUTUAL, notPorts('8443'))));
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('is unknown');
    const [other] = bypassOf(ONLY_HTTPS(cluster(MUTUAL, notPorts('9443'))));
    expect([other.status, other.severity]).toEqual(['fail', 'medium']);
    expect(other.message).toContain('gets in on port 8443 is unknown');
    expect(other.evidence).toMatchObject({ unknownPorts: ['8443'] });
  });

  it('a plain server elsewhere still fails high for it, the unknown port named beside it, and the evidence gives no PeerAuthentication mode', () => {
    const [v] = bypassOf(cluster(MUTUAL, DENY_SHOP));
    expect([v.status, v.severity]).toEqual(['fail', 'high']);
    expect(v.message).toContain('so it is not denied (port 8080); and whether a caller without a mesh identity gets in on port 8443 is unknown');
    expect(v.evidence).not.toHaveProperty('mode');
  });
});

// istioctl's default profile installs istio-ingressgateway in istio-system, the root namespace
// (https://istio.io/latest/docs/setup/additional-setup/config-profiles/), and Istio's ingress
// authorization task puts its policy there (https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/).
// The gateway's Service below is kubescape's fixture of such an install (operator-managed, istio-system).
// Before: the authorization checks dropped every root-namespace workload, so that gateway was never
// judged (pass with 0 evaluated) while reach said its SIMPLE port lets a plaintext caller in.
describe('Istio gateways in the root namespace are judged by the authorization checks', () => {
  // kubescape regolibrary rules/exposure-to-internet-via-istio-ingress/test/failed_with_istiogw/input/istio-gw.yaml
  // (shared/conformance), its cluster-assigned fields and status left out.
  const UPSTREAM_SERVICE = `apiVersion: v1
kind: Service
metadata:
  labels:
    app: istio-ingressgateway
    app.kubernetes.io/instance: istio
    app.kubernetes.io/managed-by: Helm
    app.kubernetes.io/name: istio-ingressgateway
    app.kubernetes.io/part-of: istio
    app.kubernetes.io/version: 1.24.0
    helm.sh/chart: istio-ingress-1.24.0
    install.operator.istio.io/owning-resource: unknown
    install.operator.istio.io/owning-resource-namespace: istio-system
    istio: ingressgateway
    istio.io/rev: default
    operator.istio.io/component: IngressGateways
    operator.istio.io/managed: Reconcile
    operator.istio.io/version: 1.24.0
    release: istio
  name: istio-ingressgateway
  namespace: istio-system
spec:
  ports:
  - name: status-port
    port: 15021
    protocol: TCP
    targetPort: 15021
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 8080
  - name: https
    port: 443
    protocol: TCP
    targetPort: 8443
  selector:
    app: istio-ingressgateway
    istio: ingressgateway
  type: LoadBalancer`;
  const inRoot = (extra = '') => cluster(SIMPLE, `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gw-deny, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/bad/sa/bad"]}}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: meshed-addon, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: addon}}
  template:
    metadata: {labels: {app: addon, sidecar.istio.io/inject: "true"}}
    spec:
      containers: [{name: app, image: x/addon:1}]
---${extra}`)
    .replace('apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-ingress}\n---\n', '')
    .replace(/apiVersion: v1\nkind: Service\nmetadata: \{name: istio-ingressgateway, namespace: istio-ingress\}\n[\s\S]*?\n---/, `${UPSTREAM_SERVICE}\n---`)
    .replace(/namespace: istio-ingress\}/g, 'namespace: istio-system}');
  const run = (id: string, yaml: string) => {
    const snapshot = snapshotFromObjects(parseManifestText(yaml, 'all.yaml').objects, { clusterVersion: 'v1.36.3' });
    return [...CHECK_BY_ID.get(id)!.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') })].filter((r) => r.resource.namespace === 'istio-system' && r.resource.kind === 'Deployment');
  };

  it('mtls.authz-plaintext-bypass: the SIMPLE port escapes the DENY on a principal, high, as reach says ALLOWED there (was: not judged)', async () => {
    const yaml = inRoot();
    expect(yaml).not.toContain('istio-ingress}');
    expect(yaml).toContain('install.operator.istio.io/owning-resource-namespace: istio-system');
    const r = await reach(yaml, '--from', 'legacy/old', '--to', 'istio-system/istio-ingressgateway', '--port', '8443');
    expect(r.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> istio-system/istio-ingressgateway[Deployment] on 8443/TCP');
    const v = run('mtls.authz-plaintext-bypass', yaml);
    expect(v.map((x) => [x.resource.name, x.status, x.severity])).toEqual([['istio-ingressgateway', 'fail', 'high']]);
    expect(v[0].message).toContain('DENY istio-system/gw-deny rules[0] names principals/namespaces, which a plaintext caller never matches, so it is not denied (ports 8080, 8443)');
  });

  it('mtls.authz-missing asks the gateway for an ALLOW policy as it does elsewhere, but still not the other meshed workloads of the root namespace', () => {
    const v = run('mtls.authz-missing', inRoot());
    expect(v.map((x) => [x.resource.name, x.status])).toEqual([['istio-ingressgateway', 'fail']]);
    expect(v[0].message).toBe('Deployment istio-system/istio-ingressgateway is meshed but no ALLOW AuthorizationPolicy applies to it (in istio-system, the root namespace): it accepts calls from any caller the network lets in; DENY istio-system/gw-deny only excludes what it names');
    const allowed = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gw-allow, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  rules: [{to: [{operation: {ports: ["8443"]}}]}]
---`;
    expect(run('mtls.authz-missing', inRoot(allowed)).map((x) => [x.resource.name, x.status])).toEqual([['istio-ingressgateway', 'pass']]);
  });
});

// A Gateway API Gateway of Istio's class is served by an existing gateway its spec.addresses names
// ("Manual Deployment": `addresses: [{value: istio-ingressgateway.istio-system.svc.cluster.local,
// type: Hostname}]`, https://istio.io/v1.18/docs/tasks/traffic-management/ingress/gateway-api), and
// the pods of older kube-gateway templates name their Gateway by istio.io/gateway-name (istio/istio
// kube-gateway.yaml of the Gateway v1alpha2 era: `matchLabels: istio.io/gateway-name: {{.Name}}`;
// later releases write gateway.networking.k8s.io/gateway-name). Before: reach said DENIED "(no listener)" on the
// listener's port in both cases.
describe('reach at an Istio gateway serving a Gateway API Gateway it is linked to by addresses or istio.io/gateway-name', () => {
  const CLIENT = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: default}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: curlimages/curl}]}
---`;
  const manual = (address: string, servicePort = '{name: http2, port: 8080, targetPort: 8080}') => `${CLIENT}
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway, namespace: istio-ingress}
spec:
  gatewayClassName: istio
  addresses: [${address}]
  listeners:
  - {name: default, hostname: "*.example.com", port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  clusterIP: 10.96.0.50
  ports: [${servicePort}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway, app: istio-ingressgateway}, annotations: {sidecar.istio.io/inject: "false"}}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.26.0
        args: [proxy, router]
        ports: [{containerPort: 8080}, {containerPort: 8081}, {containerPort: 15021}]
`;
  const HOSTNAME = '{value: istio-ingressgateway.istio-system.svc.cluster.local, type: Hostname}';
  const gw = (port: number) => ['--from', 'default/client', '--to', 'istio-system/istio-ingressgateway', '--port', String(port)];
  const mesh = (out: string) => out.split('\n').find((l) => l.startsWith('  mesh (istio) at ')) ?? '(no mesh line)';

  it('manual deployment, Hostname address of the gateway\'s Service: the HTTP listener\'s port is ALLOWED (was: DENIED, no listener); a port nothing binds is still refused', async () => {
    const r = await reach(manual(HOSTNAME), ...gw(8080));
    expect(r.out.split('\n')[0]).toBe('ALLOWED: default/client[Deployment] -> istio-system/istio-ingressgateway[Deployment] on 8080/TCP');
    expect(mesh(r.out)).toContain('ALLOWED (plaintext call)');
    const other = await reach(manual(HOSTNAME), ...gw(9090));
    expect(mesh(other.out)).toContain('DENIED');
  });

  it('the listener port is the Service\'s port, bound to its targetPort as istiod binds a server', async () => {
    const y = manual(HOSTNAME, '{name: http2, port: 8080, targetPort: 8081}');
    expect(mesh((await reach(y, ...gw(8081))).out)).toContain('ALLOWED (plaintext call)');
    expect(mesh((await reach(y, ...gw(8080))).out)).toContain('DENIED');
  });

  it('the Service\'s cluster IP as an IPAddress links it the same way', async () => {
    expect(mesh((await reach(manual('{value: 10.96.0.50, type: IPAddress}'), ...gw(8080))).out)).toContain('ALLOWED (plaintext call)');
  });

  it('an address the snapshot cannot resolve (a Service not in the input, an unknown IP) leaves the port UNKNOWN, never DENIED; one of another Service does not link it', async () => {
    for (const address of ['{value: elsewhere.istio-system.svc.cluster.local, type: Hostname}', '{value: 203.0.113.7, type: IPAddress}', '{value: lb.example.com, type: Hostname}']) {
      const r = await reach(manual(address), ...gw(8080));
      expect(mesh(r.out), address).toContain('UNKNOWN');
      expect(r.out.split('\n')[0], address).toMatch(/^UNKNOWN: /);
      expect(r.out, address).toMatch(/names address .*, and may be this gateway|which may select this gateway/);
    }
    const other = `${manual('{value: other.istio-system.svc.cluster.local, type: Hostname}')}---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: istio-system}
spec:
  selector: {app: other}
  ports: [{port: 8080}]
`;
    expect(mesh((await reach(other, ...gw(8080))).out)).toContain('DENIED');
  });

  it('an older gateway pod naming its Gateway by istio.io/gateway-name: the HTTP listener on 80 is ALLOWED (was: DENIED, no listener), port 81 refused', async () => {
    const y = `${CLIENT}
apiVersion: gateway.networking.k8s.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, protocol: HTTP, port: 80}
---
apiVersion: v1
kind: Pod
metadata:
  name: gw-istio-abc
  namespace: edge
  labels: {istio.io/gateway-name: gw, sidecar.istio.io/inject: "true", service.istio.io/canonical-name: gw-istio}
  annotations: {inject.istio.io/templates: gateway, sidecar.istio.io/status: '{"containers":["istio-proxy"]}'}
spec:
  containers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.16.7
    args: [proxy, router, --domain, edge.svc.cluster.local]
    ports: [{containerPort: 15090, name: http-envoy-prom}]
`;
    const at = (port: number) => ['--from', 'default/client', '--to', 'edge/gw-istio-abc', '--port', String(port)];
    const r = await reach(y, ...at(80));
    expect(r.out.split('\n')[0]).toBe('ALLOWED: default/client[Deployment] -> edge/gw-istio-abc[Pod] on 80/TCP');
    expect(mesh(r.out)).toContain('ALLOWED (plaintext call)');
    expect(mesh((await reach(y, ...at(81))).out)).toContain('DENIED');
    const missing = await reach(y.replace('name: gw, namespace: edge', 'name: other, namespace: edge'), ...at(80));
    expect(mesh(missing.out)).toContain('UNKNOWN');
  });
});
