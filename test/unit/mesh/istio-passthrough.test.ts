// An Istio sidecar sends Istio mutual TLS only through the cluster of a Service. A pod port no
// Service leads to can only be dialled at the pod's address, which no outbound listener of the
// caller's sidecar matches: with outboundTrafficPolicy ALLOW_ANY (Istio's default) the call goes
// through PassthroughCluster, an ORIGINAL_DST cluster built with no TLS (istio pilot
// buildDefaultPassthroughCluster); an Istio maintainer in istio/istio#22220: pod-IP calls "go
// through PassThrough cluster, which does not have the mTLS config, thus fails the mTLS requirement
// on server pods". So the call is plaintext: STRICT refuses it
// (https://istio.io/latest/docs/reference/config/security/peer_authentication/), and principals
// are "Only available with mutual TLS enabled"
// (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source). With
// REGISTRY_ONLY the sidecar sends it to BlackHoleCluster instead
// (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode;
// https://istio.io/latest/docs/reference/config/networking/sidecar/ outboundTrafficPolicy).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { ctxOf, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

const ref = (name: string) => ({ kind: 'Deployment', namespace: 'shop', name });
// db listens on 8000 and 9000; its Service leads to 8000 only.
const base = `${namespaceYaml('shop')}${deploymentYaml('shop', 'web', { serviceAccount: 'web' })}${deploymentYaml('shop', 'db', { serviceAccount: 'db', ports: [8000, 9000] })}${serviceYaml('shop', 'db', [8000])}`;
const STRICT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---`;
const policy = (action: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-${action.toLowerCase()}, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: ${action}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]
---`;
const meshConfig = (mode: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "outboundTrafficPolicy: {mode: ${mode}}"}
---`;
const sidecar = (mode: string, namespace = 'shop') => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: ${namespace}}
spec: {outboundTrafficPolicy: {mode: ${mode}}}
---`;
const verdict = (yaml: string, port: number) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), ref('db'), port, 'TCP');
};
const PASSTHROUGH = (port: number) => `shop/web's sidecar sends a call to port ${port} of shop/db in plaintext: no Service leads to port ${port}; Istio's passthrough cluster sends no mTLS`;

describe('Istio: a sidecar caller sends mTLS only where a Service leads to the pod port', () => {
  it('(a) a port a Service leads to: mTLS, STRICT admits it and a DENY on the caller\'s principal matches it', () => {
    expect(verdict(`${base}${STRICT}`, 8000)).toMatchObject({ mesh: 'istio', verdict: 'allowed', plaintext: false });
    expect(verdict(`${base}${policy('DENY')}`, 8000)).toMatchObject({ verdict: 'denied', plaintext: false, policy: { name: 'db-deny' }, rule: 0 });
    expect(verdict(`${base}${policy('ALLOW')}`, 8000)).toMatchObject({ verdict: 'allowed', plaintext: false, policy: { name: 'db-allow' } });
  });

  it('(b) the same pod\'s port no Service leads to: plaintext, STRICT refuses it and an ALLOW on the caller\'s principal does not admit it', () => {
    const strict = verdict(`${base}${STRICT}`, 9000);
    expect(strict).toMatchObject({ verdict: 'denied', plaintext: true, policy: { kind: 'PeerAuthentication', name: 'default' } });
    expect(strict.reason.startsWith(PASSTHROUGH(9000))).toBe(true);
    expect(strict.reason).toContain('outbound traffic policy ALLOW_ANY: no ConfigMap istio-system/istio (Istio default ALLOW_ANY)');
    const allow = verdict(`${base}${policy('ALLOW')}`, 9000);
    expect(allow).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(allow.reason).toContain('no ALLOW AuthorizationPolicy matches');
    // A DENY on the principal cannot match a call without one (PERMISSIVE accepts it).
    expect(verdict(`${base}${policy('DENY')}`, 9000)).toMatchObject({ verdict: 'allowed', plaintext: true });
  });

  it('a headless Service counts as a Service (its pods get listeners of their own)', () => {
    const headless = `${base}
apiVersion: v1
kind: Service
metadata: {name: db-pods, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: tcp-alt, port: 9000}]}
---`;
    expect(verdict(`${headless}${STRICT}`, 9000)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('an ambient caller has no sidecar: ztunnel sends HBONE to the pod address, mTLS', () => {
    const ambient = base.replace('istio-injection: enabled', 'istio.io/dataplane-mode: ambient');
    expect(verdict(`${ambient}${STRICT}`, 9000)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('(c) REGISTRY_ONLY (mesh config or the caller\'s Sidecar): the caller\'s sidecar drops the call, denied at the caller', () => {
    const v = verdict(`${base}${meshConfig('REGISTRY_ONLY')}`, 9000);
    expect(v).toMatchObject({ mesh: 'istio', verdict: 'denied', plaintext: false, enforcedBy: 'shop/web\'s sidecar' });
    expect(v.reason).toBe('shop/web\'s sidecar drops a call to port 9000 of shop/db: no Service leads to port 9000, and its outbound traffic policy is REGISTRY_ONLY (ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode), so Istio sends the call to BlackHoleCluster');
    // The Service's port is in the registry: unchanged.
    expect(verdict(`${base}${meshConfig('REGISTRY_ONLY')}`, 8000)).toMatchObject({ verdict: 'allowed', plaintext: false });
    // A Sidecar of the caller's namespace (or the root namespace) decides over the mesh config.
    expect(verdict(`${base}${sidecar('REGISTRY_ONLY')}`, 9000)).toMatchObject({ verdict: 'denied', enforcedBy: 'shop/web\'s sidecar' });
    expect(verdict(`${base}${sidecar('REGISTRY_ONLY', 'istio-system')}`, 9000)).toMatchObject({ verdict: 'denied', enforcedBy: 'shop/web\'s sidecar' });
    const loosened = verdict(`${base}${meshConfig('REGISTRY_ONLY')}${sidecar('ALLOW_ANY')}`, 9000);
    expect(loosened).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(loosened.reason).toContain('outbound traffic policy ALLOW_ANY: Sidecar shop/default');
    // ALLOW_ANY said outright: plaintext, as by default.
    expect(verdict(`${base}${meshConfig('ALLOW_ANY')}`, 9000)).toMatchObject({ verdict: 'allowed', plaintext: true });
  });

  // REGISTRY_ONLY is the caller proxy's mode ("the Envoy proxy will block any host without an HTTP
  // service or service entry defined within the mesh",
  // https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode):
  // whether the callee runs a proxy does not matter (repro /tmp/revE/istio/s3).
  it('REGISTRY_ONLY drops a Service-less call at the caller also when the callee is outside the mesh', () => {
    const legacy = `${base}${meshConfig('REGISTRY_ONLY')}
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---${deploymentYaml('legacy', 'db', { ports: [9000] })}`;
    const ctx = ctxOf(legacy);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), { kind: 'Deployment', namespace: 'legacy', name: 'db' }, 9000, 'TCP');
    expect(v).toMatchObject({ mesh: 'istio', verdict: 'denied', plaintext: false, enforcedBy: 'shop/web\'s sidecar' });
    expect(v.reason).toBe('shop/web\'s sidecar drops a call to port 9000 of legacy/db: no Service leads to port 9000, and its outbound traffic policy is REGISTRY_ONLY (ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode), so Istio sends the call to BlackHoleCluster');
    // A Service to it is in the registry: the call leaves, and the callee has no mesh authorization.
    const ctx2 = ctxOf(`${legacy}${serviceYaml('legacy', 'db', [9000])}`);
    expect(meshFlowVerdict(ctx2.snapshot, ctx2.config, ref('web'), { kind: 'Deployment', namespace: 'legacy', name: 'db' }, 9000, 'TCP')).toMatchObject({ mesh: 'none', verdict: 'allowed' });
    // Sidecars intercept TCP only: UDP is not dropped.
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), { kind: 'Deployment', namespace: 'legacy', name: 'db' }, 9000, 'UDP')).toMatchObject({ verdict: 'allowed' });
  });

  it('REGISTRY_ONLY in the mesh config, Sidecars unreadable: a Sidecar may set ALLOW_ANY, so the more open plaintext answer, said so', () => {
    const ctx = ctxOf(`${base}${meshConfig('REGISTRY_ONLY')}`);
    ctx.snapshot.coverage['istio.sidecars'] = { status: 'forbidden', detail: 'list sidecars.networking.istio.io' };
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), ref('db'), 9000, 'TCP');
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('says REGISTRY_ONLY, but Sidecars could not be read (forbidden) and one may set ALLOW_ANY');
  });
});

describe('reach: a sidecar caller to a pod port no Service leads to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-passthrough-'));
  writeFileSync(join(dir, 'all.yaml'), `${base}${STRICT}`);
  const reach = async (...args: string[]) => {
    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
    return { code: await main(['reach', '--manifests', dir, ...args], io), out: out.join('') };
  };

  it('STRICT: DENIED, exit 1, naming the passthrough cluster; the Service\'s port is ALLOWED', async () => {
    const r = await reach('--from', 'shop/web', '--to', 'shop/db', '--port', '9000');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('DENIED: shop/web[Deployment] -> shop/db[Deployment] on 9000/TCP');
    expect(lines[1]).toContain(`mesh DENIED: ${PASSTHROUGH(9000)}`);
    const ok = await reach('--from', 'shop/web', '--to', 'shop/db', '--port', '8000');
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 8000/TCP');
  });

  it('over every port: only the port the Service leads to is open', async () => {
    const j = JSON.parse((await reach('--from', 'shop/web', '--to', 'shop/db', '-o', 'json')).out);
    expect(j.ports.TCP).toEqual(['8000']);
  });
});
