// A meshed caller whose own proxy lets a port out untouched sends it in plaintext, without a mesh
// identity: Linkerd's config.linkerd.io/skip-outbound-ports bypasses the proxy entirely
// (https://linkerd.io/2/features/protocol-detection/), Consul's
// consul.hashicorp.com/transparent-proxy-exclude-outbound-ports excludes the port from traffic
// redirection (https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels).
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import type { ResourceRef } from '../../../src/base/vocabulary.ts';
import { ctxOf } from './helpers.ts';

const ref = (ns: string, name: string): ResourceRef => ({ kind: 'Deployment', namespace: ns, name });
const dep = (name: string, annotations: string, ports = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: {${annotations}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: ${name}, image: example/${name}:1${ports}}]
---`;

// The reviewer's repro l2: db admits only authenticated clients; web skips its proxy for 5432.
const linkerd = (webAnnotations: string, nsAnnotations = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled${nsAnnotations}}}
---
${dep('db', 'config.linkerd.io/default-inbound-policy: all-authenticated', ', ports: [{containerPort: 5432}]')}
${dep('web', webAnnotations)}`;

// The reviewer's repro c6: Consul with ACLs deny; web excludes outbound 5432 from redirection.
const consul = (webAnnotations: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: consul-server-config, namespace: consul}
data:
  acl-config.json: '{"acl": {"enabled": true, "default_policy": "deny"}}'
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: db, namespace: shop}
spec: {destination: {name: db}, sources: [{name: web, action: allow}]}
---
${dep('db', 'consul.hashicorp.com/connect-inject: "true"', ', ports: [{containerPort: 5432}]')}
${dep('web', `consul.hashicorp.com/connect-inject: "true"${webAnnotations}`)}`;

function verdict(yaml: string, port = 5432) {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), port, 'TCP');
}

describe('a caller that skips its own proxy for the port calls in plaintext', () => {
  it('Linkerd: skip-outbound-ports 5432 on the caller → an all-authenticated callee refuses it (was: allowed as mTLS)', () => {
    const v = verdict(linkerd('config.linkerd.io/skip-outbound-ports: "5432"'));
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/^shop\/web sends port 5432 around its own linkerd proxy \(pod annotation config\.linkerd\.io\/skip-outbound-ports\)/);
    // A range, and the namespace's value for a template, count as well; another port keeps mTLS.
    expect(verdict(linkerd('config.linkerd.io/skip-outbound-ports: "5000-6000"')).verdict).toBe('denied');
    expect(verdict(linkerd('a: b', ', config.linkerd.io/skip-outbound-ports: "5432"'))).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(verdict(linkerd('config.linkerd.io/skip-outbound-ports: "3306"'))).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('Linkerd: over every port, the skipped port is judged on its own and is not open', () => {
    const ctx = ctxOf(linkerd('config.linkerd.io/skip-outbound-ports: "5432,7000"'));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), allConns())!;
    expect(over.ports.find((p) => p.port === 7000)).toMatchObject({ verdict: 'denied' });
    expect(over.open.TCP).toEqual([[1, 5431], [5433, 6999], [7001, 65535]]);
  });

  it('Consul: transparent-proxy-exclude-outbound-ports 5432 on the caller → the callee\'s sidecar refuses it, whatever the intentions allow', () => {
    const v = verdict(consul(', consul.hashicorp.com/transparent-proxy-exclude-outbound-ports: "8080,5432"'));
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/around its own consul proxy \(pod annotation consul\.hashicorp\.com\/transparent-proxy-exclude-outbound-ports\)/);
    expect(verdict(consul(''))).toMatchObject({ verdict: 'allowed', plaintext: false, policy: { kind: 'ServiceIntentions', name: 'db' } });
  });

  it('Consul: a caller without the transparent proxy is not taken for an mTLS caller: through an explicit upstream it is, dialling the pod it is not', () => {
    const v = verdict(consul(', consul.hashicorp.com/transparent-proxy: "false"'));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/transparent-proxy="false"/);
    expect(JSON.stringify(v)).toMatch(/explicit upstream on localhost/);
  });
});

// Istio: a sidecar caller's traffic.sidecar.istio.io/{exclude,include}Outbound{Ports,IPRanges}
// (https://istio.io/latest/docs/reference/config/annotations/), applied in the order
// istio-iptables builds ISTIO_OUTPUT (tools/istio-iptables/pkg/capture/run.go).
// db is behind a Service on 5432 unless `dbService` says otherwise: web's calls through its sidecar
// are meshed calls (a pod port no Service leads to is reached through PassthroughCluster, plaintext).
const DB_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{port: 5432, targetPort: 5432}]}
---`;
const istio = (webAnnotations: string, extra = '', webLabels = '', db = dep('db', 'a: b', ', ports: [{containerPort: 5432, name: pg}]'), dbService = DB_SERVICE) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
${db}
${dbService}
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web${webLabels}}, annotations: {${webAnnotations}}}
    spec: {serviceAccountName: web, containers: [{name: web, image: example/web:1}]}
---
${extra}`;

// A live db pod (the snapshot of a cluster) at `ip`, in place of the Deployment.
const livePod = (ip: string) => `
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {serviceAccountName: db, containers: [{name: db, image: example/db:1, ports: [{containerPort: 5432}]}, {name: istio-proxy, image: istio/proxyv2}]}
status: {podIP: ${ip}, podIPs: [{ip: ${ip}}]}
---`;

function liveVerdict(yaml: string) {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref('shop', 'web'), { kind: 'Pod', namespace: 'shop', name: 'db-0' }, 5432, 'TCP');
}

describe('an Istio sidecar caller that lets a port or address out around its sidecar calls in plaintext', () => {
  it('excludeOutboundPorts 5432 → a STRICT callee refuses it (was: allowed as mTLS)', () => {
    const v = verdict(istio('traffic.sidecar.istio.io/excludeOutboundPorts: "15000,5432"'));
    expect(v).toMatchObject({ mesh: 'istio', verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/^shop\/web sends port 5432 around its own istio proxy \(pod annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts="15000,5432"\), so the call arrives in plaintext without a mesh identity: /);
    expect(verdict(istio('traffic.sidecar.istio.io/excludeOutboundPorts: "3306"'))).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('an ALLOW by principal does not match a caller that skips its sidecar, even where plaintext is accepted', () => {
    const allowWeb = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: shop}
spec: {selector: {matchLabels: {app: db}}, mtls: {mode: PERMISSIVE}}
---`;
    expect(verdict(istio('a: b', allowWeb))).toMatchObject({ verdict: 'allowed', plaintext: false, policy: { name: 'db-web' } });
    expect(verdict(istio('traffic.sidecar.istio.io/excludeOutboundPorts: "5432"', allowWeb))).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('includeOutboundIPRanges "" captures no address: only includeOutboundPorts go through the sidecar', () => {
    expect(verdict(istio('traffic.sidecar.istio.io/includeOutboundIPRanges: ""'))).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(verdict(istio('traffic.sidecar.istio.io/includeOutboundIPRanges: "", traffic.sidecar.istio.io/includeOutboundPorts: "5432"'))).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('address ranges are matched on the live callee pod\'s status.podIP; without one the answer is unknown, never guessed', () => {
    const exclude = 'traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.1.0.0/16"';
    const live = (annotations: string, ip: string) => liveVerdict(istio(annotations, '', '', livePod(ip)));
    expect(live(exclude, '10.1.2.3')).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(live(exclude, '10.2.0.9')).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(live('traffic.sidecar.istio.io/includeOutboundIPRanges: "10.1.0.0/16"', '10.2.0.9')).toMatchObject({ verdict: 'denied', plaintext: true });
    // From manifests the pods have no address yet.
    const v = verdict(istio(exclude));
    expect(v).toMatchObject({ mesh: 'istio', verdict: 'unknown' });
    expect(v.reason).toMatch(/^whether shop\/web's proxy captures a call to port 5432 depends on the address of shop\/db's pods, which the snapshot does not give .*through the proxy: allowed .*around it: denied/);
  });

  it('when only some of the callee\'s pods are in an excluded range, the more open answer is given and the other named', () => {
    const owned = (name: string, ip: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: db}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: db-7f9, uid: rs1, controller: true}]}
spec: {serviceAccountName: db, containers: [{name: db, image: example/db:1, ports: [{containerPort: 5432}]}, {name: istio-proxy, image: istio/proxyv2}]}
status: {podIP: ${ip}}
---`;
    const rs = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: db-7f9, namespace: shop, uid: rs1, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: db, uid: d1, controller: true}]}
spec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: example/db:1}]}}}
---`;
    const yaml = istio('traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.1.0.0/16"', `${rs}${owned('db-7f9-a', '10.1.0.5')}${owned('db-7f9-b', '10.2.0.5')}`);
    const v = verdict(yaml);
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(v.reason).toMatch(/^only some of shop\/db's pods have addresses shop\/web's proxy captures \(pod annotation traffic\.sidecar\.istio\.io\/excludeOutboundIPRanges="10\.1\.0\.0\/16"\): through it, .*; around it: denied \(/);
  });

  it('an ambient caller has no sidecar: the sidecar annotations change nothing', () => {
    const ambient = istio('traffic.sidecar.istio.io/excludeOutboundPorts: "5432"', '', ', istio.io/dataplane-mode: ambient, sidecar.istio.io/inject: "false"');
    expect(verdict(ambient)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('over every port, an excluded port is judged on its own and is not open', () => {
    const ctx = ctxOf(istio('traffic.sidecar.istio.io/excludeOutboundPorts: "5432"'));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), allConns())!;
    expect(over.ports.find((p) => p.port === 5432)).toMatchObject({ verdict: 'denied' });
    expect(over.ports.find((p) => p.port === 5432)!.reason).toMatch(/^shop\/web sends port 5432 around its own istio proxy/);
    // Every other port is denied too, for another reason: no Service leads to it, so web's sidecar
    // sends a call there through PassthroughCluster, which has no TLS (istio pilot
    // buildDefaultPassthroughCluster; istio/istio#22220: pod-IP calls go through the passthrough
    // cluster "which does not have the mTLS config"), and db's STRICT mode refuses plaintext
    // (was: [[1, 5431], [5433, 65535]], judged as mTLS).
    const others = over.ports.find((p) => p.others)!;
    expect(others).toMatchObject({ verdict: 'denied' });
    expect(others.reason).toContain(`in plaintext: no Service leads to port ${others.port}; Istio's passthrough cluster sends no mTLS`);
    expect(over.open.TCP).toEqual([]);
  });
});

describe('a Service that maps another port to the pod\'s port: the skip is matched on the port the caller dials', () => {
  const service = (port: number, targetPort: string) => `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, clusterIP: 10.96.0.10, ports: [{port: ${port}, targetPort: ${targetPort}}]}
---`;

  it('Istio: skipping Service port 80 leaves a direct call to 5432 mTLS, and the verdict says a call through the Service is plaintext', () => {
    const v = verdict(istio('traffic.sidecar.istio.io/excludeOutboundPorts: "80"', '', '', undefined, service(80, 'pg')));
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(v.notes).toContain('this verdict is for a call dialled to the pod\'s port 5432; a call through Service shop/db dials port 80 at 10.96.0.10, which shop/web leaves around its proxy in plaintext (pod annotation traffic.sidecar.istio.io/excludeOutboundPorts="80")');
  });

  it('Istio: an excluded range holding the Service\'s cluster IP but not the pod\'s address is said the same way', () => {
    const v = liveVerdict(istio('traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.96.0.0/12"', '', '', livePod('10.1.2.3'), service(5432, '5432')));
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: false });
    expect(v.notes?.[0]).toMatch(/a call through Service shop\/db dials port 5432 at 10\.96\.0\.10, which shop\/web leaves around its proxy in plaintext/);
  });

  it('Linkerd: skip-outbound-ports on the pod port alone is plaintext for a direct call; through Service port 80 the call goes through the proxy', () => {
    const v = verdict(`${linkerd('config.linkerd.io/skip-outbound-ports: "5432"')}\n${service(80, '5432')}`);
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.notes).toContain('this verdict is for a call dialled to the pod\'s port 5432; a call through Service shop/db dials port 80 at 10.96.0.10, which shop/web goes through its proxy (pod annotation config.linkerd.io/skip-outbound-ports)');
    // A Service on the same port, or a headless one (its clients dial the pod), says nothing more.
    expect(verdict(`${linkerd('config.linkerd.io/skip-outbound-ports: "5432"')}\n${service(5432, '5432')}`).notes).toBeUndefined();
    expect(verdict(`${linkerd('config.linkerd.io/skip-outbound-ports: "5432"')}\n${service(80, '5432').replace('10.96.0.10', 'None')}`).notes).toBeUndefined();
  });
});

// An Istio sidecar caller presents its identity only when it sends Istio mutual TLS. A
// DestinationRule's client TLS settings override auto mTLS: DISABLE "Do not setup a TLS connection
// to the upstream endpoint", SIMPLE and MUTUAL originate TLS with other certificates, only
// ISTIO_MUTUAL uses the workload's Istio certificate
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode);
// without a rule, auto mTLS sends Istio mTLS (meshConfig.enableAutoMtls, default true). A plaintext
// caller has no principal ("Only available with mutual TLS enabled",
// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source), and STRICT
// refuses it (https://istio.io/latest/docs/reference/config/security/peer_authentication/).
describe('an Istio sidecar caller whose DestinationRule (or auto mTLS off) sends no Istio mTLS calls without its identity', () => {
  // The reviewer's repro dr2 (no PeerAuthentication: PERMISSIVE; DENY on web's principal) and dr (STRICT).
  const shop = (extra: string, strict = false) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
${strict ? `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---` : `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
---`}
${dep('db', 'a: b', ', ports: [{containerPort: 5432, name: tcp-pg}]')}
${dep('web', 'a: b')}
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: tcp-pg, port: 5432, targetPort: 5432}]}
---
${extra}`;
  const rule = (tls: string, name = 'db', ns = 'shop', more = '') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: ${ns}}
spec: {host: db.shop.svc.cluster.local, trafficPolicy: ${tls}${more}}
---`;

  it('DISABLE, PERMISSIVE callee: the DENY on web\'s principal cannot match plaintext, so the call is allowed (was: denied)', () => {
    const v = verdict(shop(rule('{tls: {mode: DISABLE}}')));
    expect(v).toMatchObject({ mesh: 'istio', verdict: 'allowed', plaintext: true });
    expect(v.reason).toMatch(/^shop\/web's sidecar sends no Istio mutual TLS to port 5432 of shop\/db \(Service shop\/db port 5432: DestinationRule shop\/db sets tls\.mode DISABLE \(picked from the client namespace shop\)\), so the call arrives without a mesh identity: /);
  });

  it('DISABLE, STRICT callee: the plaintext call is refused (was: allowed with plaintext false)', () => {
    const v = verdict(shop(rule('{tls: {mode: DISABLE}}'), true));
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true, policy: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' } });
  });

  it.each(['SIMPLE', 'MUTUAL'])('%s (TLS with certificates other than Istio\'s) carries no mesh identity either', (mode) => {
    expect(verdict(shop(rule(`{tls: {mode: ${mode}}}`)))).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict(shop(rule(`{tls: {mode: ${mode}}}`), true)).verdict).toBe('denied');
  });

  it('ISTIO_MUTUAL, a rule without a tls block, or no rule: web presents its principal and the DENY refuses it', () => {
    expect(verdict(shop(rule('{tls: {mode: ISTIO_MUTUAL}}')))).toMatchObject({ verdict: 'denied', plaintext: false, policy: { name: 'deny-web' } });
    expect(verdict(shop(rule('{connectionPool: {tcp: {maxConnections: 10}}}')))).toMatchObject({ verdict: 'denied', plaintext: false });
    expect(verdict(shop(''))).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('auto mTLS off (mesh config enableAutoMtls: false) and no rule: plaintext; an ISTIO_MUTUAL rule restores mTLS', () => {
    const autoOff = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "enableAutoMtls: false"}
---`;
    const v = verdict(shop(autoOff));
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toMatch(/Service shop\/db port 5432: no DestinationRule for this host; auto mTLS is off \(ConfigMap istio-system\/istio mesh\.enableAutoMtls\)/);
    expect(verdict(shop(`${autoOff}\n${rule('{tls: {mode: ISTIO_MUTUAL}}')}`))).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('the rule istiod picks for the caller\'s namespace decides: a rule exported only to another namespace does not apply to web', () => {
    // The Service namespace's rule is private to it (exportTo "."), web is in shop: it applies. From
    // another namespace's rule, exported only there, web gets nothing: auto mTLS.
    expect(verdict(shop(rule('{tls: {mode: DISABLE}}', 'db', 'shop', ', exportTo: ["."]')))).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict(shop(rule('{tls: {mode: DISABLE}}', 'db', 'other', ', exportTo: ["."]')))).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('a port-level setting for the Service port decides that port', () => {
    const portLevel = '{tls: {mode: ISTIO_MUTUAL}, portLevelSettings: [{port: {number: 5432}, tls: {mode: DISABLE}}]}';
    expect(verdict(shop(rule(portLevel)))).toMatchObject({ verdict: 'allowed', plaintext: true });
  });

  it('two Services lead to the port, one with DISABLE: the more open answer is given and the other named', () => {
    const v = verdict(shop(`apiVersion: v1
kind: Service
metadata: {name: db-direct, namespace: shop}
spec: {selector: {app: db}, ports: [{port: 15432, targetPort: 5432}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-direct, namespace: shop}
spec: {host: db-direct, trafficPolicy: {tls: {mode: DISABLE}}}
---`));
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toMatch(/^shop\/web's sidecar sends Istio mutual TLS to port 5432 of shop\/db through some Services only \(Service shop\/db-direct port 15432: DestinationRule shop\/db-direct sets tls\.mode DISABLE .*; Service shop\/db port 5432: no DestinationRule for this host; auto mTLS is on .*\): without it, .*; with Istio mTLS: denied \(DENY AuthorizationPolicy shop\/deny-web/);
  });

  it('over every port: the DISABLE port is open to web, and so is every port no Service leads to (plaintext through PassthroughCluster)', () => {
    const ctx = ctxOf(shop(rule('{tls: {mode: DISABLE}}')));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), allConns())!;
    expect(over.ports.find((p) => p.port === 5432)).toMatchObject({ verdict: 'allowed' });
    // A port no Service leads to is reached only through web's PassthroughCluster, built without TLS
    // (istio pilot buildDefaultPassthroughCluster; istio/istio#22220: pod-IP calls go through the
    // passthrough cluster "which does not have the mTLS config"): no principal, so the DENY on web's
    // principal cannot match it under PERMISSIVE (was: [[5432, 5432]], judged as mTLS).
    const others = over.ports.find((p) => p.others)!;
    expect(others).toMatchObject({ verdict: 'allowed' });
    expect(others.reason).toContain(`in plaintext: no Service leads to port ${others.port}; Istio's passthrough cluster sends no mTLS`);
    expect(over.open.TCP).toEqual([[1, 65535]]);
  });
});

// A subset's TLS applies only to "traffic [a route rule] explicitly sends" to it
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset): the
// VirtualServices bound to the reserved gateway `mesh` (no gateways field, or one naming mesh:
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService) decide
// where a sidecar caller's calls go. istiod drops per proxy the match blocks whose sourceLabels,
// sourceNamespace, gateways or port do not fit it (pilot/pkg/networking/core/tls.go matchTCP,
// route/route.go sourceMatchHTTP); a tcp route list without a catch-all falls through to the
// Service's own cluster (tls.go buildSidecarOutboundTCPFilterChainOpts). db's rule: subset v1
// DISABLE, subset v2 without TLS (auto mTLS); PERMISSIVE, and a DENY on web's principal.
describe('an Istio sidecar caller\'s mesh VirtualService decides whether a subset\'s TLS applies to it', () => {
  const shop = (vs: string, portName = 'tcp-pg') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-web, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
---
${dep('db', 'a: b', `, ports: [{containerPort: 5432, name: ${portName}}]`)}
${dep('web', 'a: b')}
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: ${portName}, port: 5432, targetPort: 5432}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  subsets:
  - {name: v1, labels: {app: db}, trafficPolicy: {tls: {mode: DISABLE}}}
  - {name: v2, labels: {app: db}}
---
${vs}`;
  const virtualService = (body: string, name = 'db', more = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [db.shop.svc.cluster.local]${more}
${body}
---`;
  const tcpTo = (subset: string, match = '') => `  tcp:
  - ${match ? `match: ${match}\n    ` : ''}route: [{destination: {host: db, subset: ${subset}}}]`;

  it('no VirtualService routes db: no call reaches subset v1, so web keeps Istio mTLS and the DENY refuses it (was: unknown)', () => {
    const v = verdict(shop(''));
    expect(v).toMatchObject({ verdict: 'denied', plaintext: false, policy: { name: 'deny-web' } });
  });

  it('a route to v1 taken only by other sources (sourceLabels) leaves web on the Service\'s cluster; one that takes web sends it plaintext', () => {
    expect(verdict(shop(virtualService(tcpTo('v1', '[{sourceLabels: {app: batch}}]'))))).toMatchObject({ verdict: 'denied', plaintext: false });
    const v = verdict(shop(virtualService(tcpTo('v1', '[{sourceLabels: {app: web}, sourceNamespace: shop}]'))));
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('VirtualService shop/db tcp[0] routes to subset v1, whose tls.mode is DISABLE');
  });

  it('a VirtualService bound only to an ingress gateway does not route sidecar calls; one that also names mesh does', () => {
    expect(verdict(shop(virtualService(tcpTo('v1'), 'db', '\n  gateways: [istio-system/ingress]')))).toMatchObject({ verdict: 'denied', plaintext: false });
    expect(verdict(shop(virtualService(tcpTo('v1'), 'db', '\n  gateways: [istio-system/ingress, mesh]')))).toMatchObject({ verdict: 'allowed', plaintext: true });
  });

  it('a VirtualService exported only to another namespace is not web\'s: web keeps Istio mTLS', () => {
    expect(verdict(shop(virtualService(tcpTo('v1'), 'db', '\n  exportTo: [other]')))).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('HTTP: a header match sends some requests to v1, the rest to v2: unknown, naming the VirtualService and both subsets', () => {
    const v = verdict(shop(virtualService(`  http:
  - match: [{headers: {x-canary: {exact: "1"}}}]
    route: [{destination: {host: db, subset: v1}}]
  - route: [{destination: {host: db, subset: v2}}]`), 'http-pg'));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('the calls VirtualService shop/db routes may go where the answers differ or are not known (VirtualService shop/db http[0] routes to subset v1, whose tls.mode is DISABLE; VirtualService shop/db http[1] routes to subset v2, which sets no tls mode of its own)');
  });

  it('HTTP: every route goes to v2 (a match, then a catch-all): decided, Istio mTLS, the DENY refuses web', () => {
    const v = verdict(shop(virtualService(`  http:
  - match: [{uri: {prefix: /admin}}]
    route: [{destination: {host: db, subset: v2}}]
  - route: [{destination: {host: db, subset: v2}}]
  - route: [{destination: {host: db, subset: v1}}]`), 'http-pg'));
    expect(v).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('two VirtualServices route db for the mesh: istiod applies one, so unknown, both named', () => {
    const v = verdict(shop(`${virtualService(tcpTo('v1'))}\n${virtualService(tcpTo('v2'), 'db-2')}`));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('VirtualServices shop/db, shop/db-2 all route shop/db for mesh traffic (istiod applies one of them)');
  });

  it('a route to another host is not followed: unknown, the route named', () => {
    const v = verdict(shop(virtualService('  tcp:\n  - route: [{destination: {host: db-next.shop.svc.cluster.local}}]')));
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('VirtualService shop/db tcp[0] routes to host db-next.shop.svc.cluster.local, which is not followed');
  });

  it('VirtualServices that could not be listed: unknown, never "no route"', () => {
    const ctx = ctxOf(shop(''));
    ctx.snapshot.coverage['istio.virtualservices'] = { status: 'forbidden', detail: 'list virtualservices.networking.istio.io' };
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), 5432, 'TCP');
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('and VirtualServices could not be read (forbidden)');
  });

  it('an Istio gateway caller routes by its Gateway\'s VirtualServices, not mesh ones: unknown, said so', () => {
    const yaml = shop(virtualService(tcpTo('v2'))).replace('labels: {app: web}', 'labels: {app: web, istio: ingressgateway}');
    const v = verdict(yaml);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('shop/web is an Istio gateway, whose Gateway-bound routes are not read here');
  });

  it('HTTP: a VirtualService that only redirects sends no call to v1: web keeps Istio mTLS', () => {
    const v = verdict(shop(virtualService(`  http:
  - redirect: {uri: /moved}`), 'http-pg'));
    expect(v).toMatchObject({ verdict: 'denied', plaintext: false });
  });
});
