import { describe, expect, it } from 'vitest';
import { meshModel, meshWorkloadModes, istioAuthorizationEffect } from '../../../src/analysis/mesh/index.ts';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import { permissiveOverride } from '../../../checks/mtls/permissive-override.ts';
import { invalidPeerAuthentication } from '../../../checks/mtls/invalid-peerauthentication.ts';
import { destinationruleTlsDisabled } from '../../../checks/mtls/destinationrule-tls-disabled.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { ctxOf, deployment, fails, objects } from './helpers.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';

const NS1 = `
apiVersion: v1
kind: Namespace
metadata: {name: ns1, labels: {istio-injection: enabled}}
`;
const meshStrict = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system, creationTimestamp: "2025-01-01T00:00:00Z"}
spec: {mtls: {mode: STRICT}}
`;

function modeOf(ctx: ReturnType<typeof ctxOf>, name: string) {
  return meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.name === name);
}

describe('Istio effective mTLS', () => {
  it('case 1: no PeerAuthentication anywhere leaves meshed workloads PERMISSIVE and mesh-not-strict fails', () => {
    const ctx = ctxOf(NS1, undefined, [deployment('ns1', 'a'), deployment('ns1', 'b')]);
    expect(modeOf(ctx, 'a')).toMatchObject({ mesh: 'istio', mode: 'PERMISSIVE' });
    const v = [...meshNotStrict.evaluate(ctx)];
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', resource: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' } });
    expect(v[0].evidence).toMatchObject({ istioWorkloads: 2, workloadsNotStrict: 2 });
  });

  it('case 2: namespace UNSET inherits mesh STRICT; port-level DISABLE fails for that port only', () => {
    const ctx = ctxOf(`${NS1}---${meshStrict}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ns1}
spec: {mtls: {mode: UNSET}}
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: a-ports, namespace: ns1}
spec:
  selector: {matchLabels: {app: a}}
  portLevelMtls: {"8080": {mode: DISABLE}}
`, undefined, [deployment('ns1', 'a', { ports: [8080, 9090] }), deployment('ns1', 'b')]);
    expect(modeOf(ctx, 'b')).toMatchObject({ mode: 'STRICT' });
    expect(modeOf(ctx, 'a')).toMatchObject({ mode: 'STRICT', ports: { '8080': 'DISABLE' } });
    expect([...meshNotStrict.evaluate(ctx)][0].status).toBe('pass');
    const f = fails([...permissiveOverride.evaluate(ctx)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ resource: { name: 'a-ports' }, detailKey: 'port/8080', severity: 'high' });
  });

  it('case 3: a selector policy in the root namespace is ignored (and reported as such)', () => {
    const ctx = ctxOf(`${NS1}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: x, namespace: istio-system}
spec: {selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}}
`, undefined, [deployment('ns1', 'a')]);
    expect(modeOf(ctx, 'a')).toMatchObject({ mode: 'PERMISSIVE' });
    expect([...meshNotStrict.evaluate(ctx)][0].status).toBe('fail');
    const inv = fails([...invalidPeerAuthentication.evaluate(ctx)]);
    expect(inv).toHaveLength(1);
    expect(inv[0].message).toMatch(/root namespace istio-system is ignored/);
  });

  it('case 4: of two namespace-level policies the oldest wins', () => {
    const ctx = ctxOf(`${NS1}---${meshStrict}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: newer-strict, namespace: ns1, creationTimestamp: "2026-02-01T00:00:00Z"}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: older-permissive, namespace: ns1, creationTimestamp: "2025-06-01T00:00:00Z"}
spec: {mtls: {mode: PERMISSIVE}}
`, undefined, [deployment('ns1', 'a')]);
    expect(modeOf(ctx, 'a')).toMatchObject({ mode: 'PERMISSIVE' });
    const over = fails([...permissiveOverride.evaluate(ctx)]);
    expect(over.map((v) => v.resource.name)).toEqual(['older-permissive']);
    expect(over[0].evidence).toMatchObject({ affectedWorkloads: 1 });
    const inv = fails([...invalidPeerAuthentication.evaluate(ctx)]);
    expect(inv.map((v) => v.resource.name)).toEqual(['newer-strict']);
  });

  it('case 5: mesh STRICT with a PERMISSIVE namespace fails for that namespace', () => {
    const ctx = ctxOf(`${meshStrict}---
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: legacy}
spec: {mtls: {mode: PERMISSIVE}}
`, undefined, [deployment('legacy', 'old')]);
    const f = fails([...permissiveOverride.evaluate(ctx)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ resource: { namespace: 'legacy', name: 'default' }, severity: 'medium' });
    expect(modeOf(ctx, 'old')).toMatchObject({ mode: 'PERMISSIVE' });
  });

  it('case 6: STRICT namespace with a pod opting out of injection is a workload outside the mesh', () => {
    const ctx = ctxOf(`${NS1}---${meshStrict}`, undefined, [
      deployment('ns1', 'in'),
      deployment('ns1', 'out', { labels: { 'sidecar.istio.io/inject': 'false' } }),
    ]);
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'in')?.status).toBe('pass');
    const out = v.find((x) => x.resource.name === 'out');
    expect(out?.status).toBe('fail');
    expect(out?.message).toMatch(/sidecar\.istio\.io\/inject=false/);
    expect(modeOf(ctx, 'out')).toMatchObject({ mesh: 'none', mode: 'none' });
  });

  it('case 6b: a namespace with a STRICT namespace policy but no injection label is still meant to be meshed', () => {
    const ctx = ctxOf(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: pay}
spec: {mtls: {mode: STRICT}}
`, undefined, [deployment('pay', 'api')]);
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', resource: { name: 'api' } });
  });

  it('live pods: labels are not enough, the istio-proxy container must run', () => {
    const ctx = ctxOf(NS1, undefined, [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'with-proxy', namespace: 'ns1' }, spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stale', namespace: 'ns1' }, spec: { containers: [{ name: 'app' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'native-sidecar', namespace: 'ns1' }, spec: { initContainers: [{ name: 'istio-proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] } },
    ]);
    ctx.snapshot.source = 'live';
    ctx.snapshot.origin = 'live';
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    expect(Object.fromEntries(v.map((x) => [x.resource.name, x.status]))).toEqual({ 'with-proxy': 'pass', stale: 'fail', 'native-sidecar': 'pass' });
    expect(v.find((x) => x.resource.name === 'stale')?.message).toMatch(/restart the pod/);
  });

  it('case 7: DestinationRule DISABLE toward an in-mesh host fails; ISTIO_MUTUAL and external hosts pass', () => {
    const ctx = ctxOf(`${NS1}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: ns1}
spec: {host: reviews.ns1.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: ns1}
spec: {host: ratings, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: external, namespace: ns1}
spec: {host: api.example.com, trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: subset-simple, namespace: ns1}
spec:
  host: details.ns1.svc.cluster.local
  subsets: [{name: v2, trafficPolicy: {portLevelSettings: [{port: {number: 9080}, tls: {mode: SIMPLE, insecureSkipVerify: true}}]}}]
`);
    const v = [...destinationruleTlsDisabled.evaluate(ctx)];
    const byName = (n: string) => v.filter((x) => x.resource.name === n);
    expect(byName('reviews')).toMatchObject([{ status: 'fail', severity: 'high', detailKey: 'trafficPolicy' }]);
    expect(byName('ratings')).toMatchObject([{ status: 'pass' }]);
    expect(byName('external')).toMatchObject([{ status: 'pass' }]);
    const sub = byName('subset-simple');
    // No VirtualService routes to subset v2, so its insecureSkipVerify applies to no traffic yet: low
    // (destinationrule-subset-unrouted.test.ts), said so.
    expect(sub.map((x) => [x.status, x.severity])).toEqual([['fail', 'low'], ['fail', 'low']]);
    expect(sub[1].message).toContain('No VirtualService routes to subset "v2"');
    expect(sub[0].detailKey).toBe('subsets[v2].trafficPolicy.portLevelSettings[port 9080]');
  });

  it('a DestinationRule tls block without mode is DISABLE (plaintext), not a pass', () => {
    // istio/api networking/v1alpha3/destination_rule.proto ClientTLSSettings.TLSmode:
    // "DISABLE = 0: Do not setup a TLS connection to the upstream endpoint" (the default).
    const ctx = ctxOf(`${NS1}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: ns1}
spec: {host: api.ns1.svc.cluster.local, trafficPolicy: {tls: {sni: api.ns1}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mutual, namespace: ns1}
spec: {host: web.ns1.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
`);
    const v = [...destinationruleTlsDisabled.evaluate(ctx)];
    const api = v.filter((x) => x.resource.name === 'api');
    expect(api).toMatchObject([{ status: 'fail', severity: 'high', detailKey: 'trafficPolicy', evidence: { mode: 'DISABLE', modeDefaulted: true } }]);
    expect(api[0].message).toMatch(/tls block without mode \(DISABLE, the default\) sends plaintext/);
    // The pass states the mode the rule really sets.
    expect(v.find((x) => x.resource.name === 'mutual')).toMatchObject({ status: 'pass', message: expect.stringMatching(/tls\.mode ISTIO_MUTUAL at trafficPolicy/) });
  });

  it('a DestinationRule host Istio does not qualify (name.ns, name.ns.svc, *.ns) matches no Service: no plaintext finding', () => {
    // istio/istio pilot/pkg/model/config.go resolveShortnameToFQDN: "if FQDN is specified, do not
    // append domain or namespace" -- only a dot-free name gets <rule ns>.svc.<domain> appended, so
    // "api.shop" is looked up as written and no Kubernetes Service is named that.
    const ctx = ctxOf(`${NS1}---
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {istio-injection: enabled}}
---
${['api.ns1', 'api.ns1.svc', '*.ns1'].map((host, i) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: short${i}, namespace: web}
spec: {host: "${host}", trafficPolicy: {tls: {mode: DISABLE}}}
---`).join('\n')}
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: fqdn, namespace: web}
spec: {host: api.ns1.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ns-wildcard, namespace: web}
spec: {host: "*.ns1.svc.cluster.local", trafficPolicy: {tls: {mode: DISABLE}}}
`, undefined, [deployment('ns1', 'api')]);
    const v = [...destinationruleTlsDisabled.evaluate(ctx)];
    const status = Object.fromEntries(v.map((x) => [x.resource.name, x.status]));
    expect(status).toEqual({ short0: 'pass', short1: 'pass', short2: 'pass', fqdn: 'fail', 'ns-wildcard': 'fail' });
    expect(v.find((x) => x.resource.name === 'short0')).toMatchObject({
      message: expect.stringMatching(/matches no Service: .*api\.ns1 matches no Kubernetes Service \(write api\.ns1\.svc\.cluster\.local\)/),
      evidence: { matchesNoService: true },
    });
  });

  it('DestinationRule DISABLE toward a Service whose pods are not meshed is not an in-mesh downgrade', () => {
    const ctx = ctxOf(`
apiVersion: v1
kind: Service
metadata: {name: legacy-db, namespace: data}
spec: {selector: {app: legacy-db}, ports: [{port: 5432}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: legacy-db, namespace: data}
spec: {host: legacy-db.data.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
`, undefined, [deployment('data', 'legacy-db')]);
    expect([...destinationruleTlsDisabled.evaluate(ctx)]).toMatchObject([{ status: 'pass' }]);
  });

  it('case 8: istio-injection=disabled wins over the pod label', () => {
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: off, labels: {istio-injection: disabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: rev, labels: {istio.io/rev: canary}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
`, undefined, [
      deployment('off', 'forced', { labels: { 'sidecar.istio.io/inject': 'true' } }),
      deployment('rev', 'r'),
      deployment('plain', 'opt-in', { labels: { 'sidecar.istio.io/inject': 'true' } }),
      deployment('plain', 'annotation-only', { annotations: { 'sidecar.istio.io/inject': 'true' } }),
      deployment('amb', 'ambient-app'),
      deployment('amb', 'ambient-out', { labels: { 'istio.io/dataplane-mode': 'none' } }),
      deployment('rev', 'host', { hostNetwork: true }),
    ]);
    const mesh = Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((m) => [m.workload.name, m.mesh]));
    expect(mesh).toEqual({ forced: 'none', r: 'istio', 'opt-in': 'istio', 'annotation-only': 'none', 'ambient-app': 'istio', 'ambient-out': 'none', host: 'none' });
  });

  it('a pod labelled istio.io/rev that opts out (label or annotation sidecar.istio.io/inject=false) is not injected', () => {
    // istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:
    // rev.object.sidecar-injector.istio.io selects `sidecar.istio.io/inject NotIn ["false"]` AND
    // `istio.io/rev In [<rev>]`; pkg/kube/inject/inject.go injectRequired refuses a false annotation.
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: plain}
`, undefined, [
      deployment('plain', 'rev-in', { labels: { 'istio.io/rev': 'canary' } }),
      deployment('plain', 'rev-out', { labels: { 'istio.io/rev': 'canary', 'sidecar.istio.io/inject': 'false' } }),
      deployment('plain', 'rev-out-annotation', { labels: { 'istio.io/rev': 'canary' }, annotations: { 'sidecar.istio.io/inject': 'false' } }),
    ]);
    const m = meshModel(ctx.snapshot, ctx.config);
    expect(Object.fromEntries(m.workloads.map((w) => [w.workload.ref.name, w.mesh]))).toEqual({ 'rev-in': 'istio', 'rev-out': 'none', 'rev-out-annotation': 'none' });
    expect(m.workloads.find((w) => w.workload.ref.name === 'rev-out')?.unmeshedReason).toBe('pod opts out with sidecar.istio.io/inject=false');
  });

  it('an istio-injection value other than enabled turns every injection webhook off, and the pods are reported outside the mesh', () => {
    // istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:
    // the namespace webhook selects `istio-injection In [enabled]`; every other webhook (istio.io/rev,
    // the pod label sidecar.istio.io/inject=true) needs `istio-injection DoesNotExist`.
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: typo, labels: {istio-injection: "true"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: typo-rev, labels: {istio-injection: "true", istio.io/rev: canary}}
`, undefined, [
      deployment('typo', 'asks', { labels: { 'sidecar.istio.io/inject': 'true' } }),
      deployment('typo-rev', 'r'),
    ]);
    const mesh = Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((m) => [m.workload.name, m.mesh]));
    expect(mesh).toEqual({ asks: 'none', r: 'none' });
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    expect(v.map((x) => [x.resource.name, x.status])).toEqual([['asks', 'fail'], ['r', 'fail']]);
    expect(v[0].message).toMatch(/istio-injection=true turns injection off: Istio's webhooks inject for istio-injection=enabled only/);
  });

  it('case 9: AuthorizationPolicy spec {} denies all; DENY without rules has no effect', () => {
    const pols = objects(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: ns1}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: noop, namespace: ns2}
spec: {action: DENY}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: ns3}
spec: {rules: [{}]}
`);
    expect(istioAuthorizationEffect(pols, 'istio-system', 'ns1', { app: 'a' })).toBe('deny-all');
    expect(istioAuthorizationEffect(pols, 'istio-system', 'ns2', { app: 'a' })).toBe('no-policy');
    expect(istioAuthorizationEffect(pols, 'istio-system', 'ns3', { app: 'a' })).toBe('allow-all');
  });

  it('malformed PeerAuthentications become findings, never crashes', () => {
    const ctx = ctxOf(`${NS1}---${meshStrict}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: typo, namespace: ns1}
spec: {mtls: {mode: strict}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ports, namespace: ns1}
spec: {selector: {matchLabels: {app: a}}, portLevelMtls: {http: {mode: DISABLE}, "70000": {mode: STRICT}, "8443": "DISABLE"}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: junk, namespace: ns1}
spec: [1, 2]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: noselector-ports, namespace: ns2}
spec: {portLevelMtls: {"80": {mode: DISABLE}}}
`, undefined, [deployment('ns1', 'a')]);
    const inv = fails([...invalidPeerAuthentication.evaluate(ctx)]);
    expect(inv.map((v) => v.resource.name).sort()).toEqual(['junk', 'noselector-ports', 'ports', 'typo']);
    expect(inv.find((v) => v.resource.name === 'ports')!.evidence!.problems).toHaveLength(3);
    // The unknown mode is treated as UNSET: ns1 inherits mesh STRICT.
    expect(modeOf(ctx, 'a')).toMatchObject({ mode: 'STRICT' });
    expect(() => [...permissiveOverride.evaluate(ctx)]).not.toThrow();
    expect(meshModel(ctx.snapshot, ctx.config).istio.present).toBe(true);
  });
});

// Istio's injector skips kube-system, kube-public, kube-node-lease and local-path-storage whatever
// their labels (istio/istio pkg/kube/inject/initializer.go IgnoredNamespaces, injectRequired), and
// istio-cni's default excludeNamespaces keeps kube-system out of ambient (manifests/charts/istio-cni/values.yaml).
describe('Istio never meshes the namespaces its injector ignores', () => {
  const ns = (name: string, labels: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
`;
  it('labelled for injection, kube-system, kube-public, kube-node-lease and local-path-storage get no sidecar; the finding names the rule; reach lets a plaintext caller in', () => {
    const names = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];
    const ctx = ctxOf([...names.map((n) => ns(n, 'istio-injection: enabled')), meshStrict, ns('shop', 'istio-injection: enabled')].join('---'), undefined,
      [...names.map((n) => deployment(n, 'metrics', { ports: [8080] })), deployment('shop', 'api', { ports: [8080] })]);
    for (const n of names) expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.namespace === n)).toMatchObject({ mesh: 'none', posture: 'outside' });
    expect(modeOf(ctx, 'api')).toMatchObject({ mesh: 'istio', mode: 'STRICT' });
    const v = [...workloadOutsideMesh.evaluate(ctx)];
    const ks = v.find((x) => x.resource.namespace === 'kube-system')!;
    expect(ks.status).toBe('fail');
    expect(ks.message).toContain("Istio's injector never injects namespace kube-system");
    expect(fails(v).map((x) => x.resource.namespace).sort()).toEqual([...names].sort());
    // No sidecar refuses a plaintext caller there, while the meshed api still does.
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'kube-system', name: 'metrics' }, 8080, 'TCP').verdict).not.toBe('denied');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP').verdict).toBe('denied');
  });

  it('ambient: kube-system is never captured (a hand-injected sidecar still counts)', () => {
    const ctx = ctxOf([ns('kube-system', 'istio.io/dataplane-mode: ambient'), meshStrict, ns('apps', 'istio.io/dataplane-mode: ambient')].join('---'), undefined,
      [deployment('kube-system', 'metrics'), deployment('apps', 'web')]);
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.namespace === 'kube-system')).toMatchObject({ mesh: 'none' });
    expect(meshWorkloadModes(ctx.snapshot, ctx.config).find((m) => m.workload.namespace === 'apps')).toMatchObject({ mesh: 'istio', mode: 'STRICT' });
    const [ks] = [...workloadOutsideMesh.evaluate(ctx)].filter((x) => x.resource.namespace === 'kube-system');
    expect(ks).toMatchObject({ status: 'fail' });
    expect(ks.message).toContain('istio-cni never captures namespace kube-system for ambient');
    // A template already carrying the sidecar (istioctl kube-inject) runs it in kube-system too.
    const injected = objects(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: injected, namespace: kube-system}
spec:
  selector: {matchLabels: {app: injected}}
  template:
    metadata: {labels: {app: injected}}
    spec:
      containers: [{name: app, image: example/app:1}, {name: istio-proxy, image: istio/proxyv2:1.27.0, args: [proxy, sidecar]}]
`);
    const hand = ctxOf([ns('kube-system', 'istio-injection: enabled'), meshStrict].join('---'), undefined, injected);
    expect(modeOf(hand, 'injected')).toMatchObject({ mesh: 'istio', mode: 'STRICT' });
  });
});
