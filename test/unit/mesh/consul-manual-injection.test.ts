// A pod template that already carries Consul's dataplane (consul-dataplane, or the older
// envoy-sidecar; a copy of an injected pod, or written by hand) runs it whatever
// consul.hashicorp.com/connect-inject says: the connect injector only adds the sidecar, and skips a
// pod it injected before (hashicorp/consul-k8s control-plane/connect-inject/webhook/mesh_webhook.go
// shouldInject: "If we already injected then don't inject again"; the sidecar container is
// `consul-dataplane`, sidecarContainer there). Injection:
// https://developer.hashicorp.com/consul/docs/k8s/connect. A plaintext caller is refused by the
// callee's sidecar ("accepts only mutual TLS"), and intentions decide between mesh services
// (https://developer.hashicorp.com/consul/docs/connect/intentions).
// Consul's gateways also run consul-dataplane, as their only container, on pods the chart and the
// API gateway controller mark with the consul.hashicorp.com/gateway-kind annotation and a
// `component: <kind>-gateway` label (charts/consul/templates/mesh-gateway-deployment.yaml,
// ingress-gateways-deployment.yaml, terminating-gateways-deployment.yaml;
// control-plane/api-gateway/common/labels.go): they are no sidecar workload.
// Before: such a template was judged by annotations only, so in --manifests mode it was "not in
// a service mesh" and reach said ALLOWED where Consul refuses the plaintext caller.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { consulMembership, meshModel } from '../../../src/analysis/mesh/index.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { ctxOf, fails, run } from './helpers.ts';

const ACL_DENY = `
apiVersion: v1
kind: ConfigMap
metadata: {name: consul-server-config, namespace: consul}
data:
  acl-config.json: '{"acl": {"enabled": true, "default_policy": "deny", "down_policy": "extend-cache"}}'
---`;

/** legacy/old: outside every mesh (the plaintext caller). */
const LEGACY = `
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

/** shop/api whose template carries the dataplane next to its app; no connect-inject annotation unless `annotations` says so. */
const api = (o: { sidecar?: string; native?: boolean; annotations?: string } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {${o.annotations ?? ''}}
    spec:
      serviceAccountName: api
${o.native
    ? `      initContainers:
      - {name: consul-connect-inject-init, image: hashicorp/consul-k8s-control-plane:1.6.0}
      - {name: ${o.sidecar ?? 'consul-dataplane'}, image: hashicorp/consul-dataplane:1.6.0, restartPolicy: Always}
      containers:
      - {name: app, image: x/api:1, ports: [{containerPort: 8080}]}`
    : `      initContainers: [{name: consul-connect-inject-init, image: hashicorp/consul-k8s-control-plane:1.6.0}]
      containers:
      - {name: app, image: x/api:1, ports: [{containerPort: 8080}]}
      - {name: ${o.sidecar ?? 'consul-dataplane'}, image: hashicorp/consul-dataplane:1.6.0}`}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
---`;

async function reach(yaml: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-consul-manual-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}

const matrixLine = (out: string, pair: string) => out.split('\n').find((l) => l.startsWith(`${pair} : `)) ?? `${pair} : (no line)`;
const meshOf = (yaml: string, name: string) => {
  const ctx = ctxOf(yaml);
  return meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === name);
};

describe('Consul: a template that already carries the dataplane is in the mesh', () => {
  it('reach: a plaintext caller is DENIED by the callee\'s Consul sidecar (was: ALLOWED, "not in a service mesh"); the effective matrix agrees', async () => {
    for (const native of [false, true]) {
      const yaml = `${ACL_DENY}${LEGACY}${api({ native })}`;
      const r = await reach(yaml, '--from', 'legacy/old', '--to', 'shop/api', '--port', '8080');
      expect(r.code, `native ${native}`).toBe(1);
      expect(r.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> shop/api[Deployment] on 8080/TCP');
      expect(r.out).toContain('mesh DENIED: the Consul sidecar of shop/api accepts only mutual TLS from mesh services; a caller without a mesh identity is refused');
      const matrix = (await reach(yaml, '--matrix', '--effective')).out;
      expect(matrixLine(matrix, 'legacy/old[Deployment] => shop/api[Deployment]')).toBe('legacy/old[Deployment] => shop/api[Deployment] : SCTP 1-65535,UDP 1-65535 [mesh consul]');
    }
  });

  it('intentions decide between mesh services: the ACL default deny refuses a meshed caller no intention names, an intention admits it', async () => {
    const web = api().replace(/\bapi\b/g, 'web');
    const denied = await reach(`${ACL_DENY}${api()}${web}`, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080');
    expect(denied.out.split('\n')[0]).toBe('DENIED: shop/web[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(denied.out).toContain('no intention matches service web → api: the default intention is deny');
    const allow = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: api, namespace: shop}
spec:
  destination: {name: api}
  sources: [{name: web, action: allow}]
---`;
    const allowed = await reach(`${ACL_DENY}${api()}${web}${allow}`, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080');
    expect(allowed.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(allowed.out).toContain('ServiceIntentions shop/api sources[0] (web → api, precedence 9) allows service web');
  });

  it('mtls.authz-missing judges it by the default intention (was: nothing to judge)', () => {
    const denyFinding = run(authzMissing, ctxOf(`${ACL_DENY}${api()}`)).find((x) => x.resource.name === 'api');
    expect(denyFinding).toMatchObject({ status: 'pass', message: expect.stringMatching(/^Deployment shop\/api \(Consul service api\): an unnamed caller is denied \(no intention matches/) });
    const aclOff = ACL_DENY.replace('"enabled": true, "default_policy": "deny", ', '"enabled": false, ');
    const [f] = fails(run(authzMissing, ctxOf(`${aclOff}${api()}`)));
    expect(f).toMatchObject({ resource: { kind: 'Deployment', namespace: 'shop', name: 'api' } });
    expect(f.message).toMatch(/^Deployment shop\/api \(Consul service api\) accepts calls from any mesh service: .* the default intention is allow \(ConfigMap consul\/consul-server-config: ACLs not enabled, so intentions default to allow\)$/);
  });

  it('mtls.workload-outside-mesh passes where the namespace is meant meshed, and the membership says how; connect-inject "false" and envoy-sidecar too', () => {
    for (const o of [{}, { sidecar: 'envoy-sidecar' }, { native: true }, { annotations: 'consul.hashicorp.com/connect-inject: "false", consul.hashicorp.com/connect-inject-status: injected' }]) {
      const ctx = ctxOf(`${ACL_DENY}${api(o)}`, (c) => { c.mesh.meshedNamespaces = ['shop']; });
      const w = meshModel(ctx.snapshot, ctx.config).workloads.find((x) => x.workload.ref.name === 'api')!;
      expect(w, JSON.stringify(o)).toMatchObject({ mesh: 'consul', meshedPods: 1, unmeshedPods: 0, consulService: 'api' });
      const v = run(workloadOutsideMesh, ctx).find((x) => x.resource.name === 'api');
      expect(v).toMatchObject({ status: 'pass', message: 'Deployment shop/api runs in the consul mesh.' });
    }
    const w = meshOf(`${api({ annotations: 'consul.hashicorp.com/connect-inject-status: injected' })}`, 'api')!;
    expect(consulMembership('shop', w.workload.pods[0], undefined)).toEqual({ meshed: true, requested: false, reason: 'Consul dataplane container in the pod template (injected before deployment, consul.hashicorp.com/connect-inject-status set)' });
  });

  it('a Consul gateway\'s dataplane (gateway-kind annotation, component: *-gateway label, or the only container) is no sidecar: outside the mesh as before', () => {
    const gateway = (meta: string, containers: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: edge, namespace: consul}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: ${meta}
    spec:
      containers: ${containers}
---`;
    const withHelper = '[{name: consul-dataplane, image: hashicorp/consul-dataplane:1.6.0}, {name: helper, image: x/h:1}]';
    for (const g of [
      gateway('{labels: {app: edge}, annotations: {consul.hashicorp.com/gateway-kind: api-gateway, consul.hashicorp.com/connect-inject: "false"}}', withHelper),
      gateway('{labels: {app: edge, component: ingress-gateway}}', withHelper),
      gateway('{labels: {app: edge}}', '[{name: consul-dataplane, image: hashicorp/consul-dataplane:1.6.0}]'),
    ]) {
      expect(meshOf(`${ACL_DENY}${g}`, 'edge'), g).toMatchObject({ mesh: 'none', meshedPods: 0 });
    }
  });

  it('without the dataplane in the template, annotations still decide (none: outside the mesh, a plaintext caller ALLOWED)', async () => {
    const plain = api().replace(/      - \{name: consul-dataplane[^\n]*\n/, '');
    expect(plain).not.toContain('name: consul-dataplane');
    expect(meshOf(plain, 'api')).toMatchObject({ mesh: 'none' });
    const r = await reach(`${ACL_DENY}${LEGACY}${plain}`, '--from', 'legacy/old', '--to', 'shop/api', '--port', '8080');
    expect(r.out.split('\n')[0]).toBe('ALLOWED: legacy/old[Deployment] -> shop/api[Deployment] on 8080/TCP');
  });
});
