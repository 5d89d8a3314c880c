// `ztaudit reach` from an ingress-nginx controller to its Ingresses' backend judges the call the
// controller makes, as network.exposed-workload does on the same manifests: ingress-nginx "uses a
// list of all endpoints (Pod IP/port) in the NGINX upstream configuration" unless service-upstream
// is on, by the Ingress's annotation
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#service-upstream)
// or the controller's ConfigMap key, which "can be overwritten by an annotation on an Ingress rule"
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#service-upstream).
// An Istio sidecar sends a pod-address call through PassthroughCluster without mTLS (istio/istio#22220),
// so a DENY on the controller's principal cannot match it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { effectiveExposure } from '../../../src/analysis/edge/effective-exposure.ts';
import { ctxOf } from '../mesh/helpers.ts';

const DIR = join(import.meta.dirname, '../../fixtures/checks/network.exposed-workload');
const DENY = readFileSync(join(DIR, 'fail.ingress-mesh-nginx-pod-upstream-deny-principal.yaml'), 'utf8');
const STRICT = readFileSync(join(DIR, 'pass.ingress-mesh-injected-controller-pod-upstream.yaml'), 'utf8');
const HEAD = '  namespace: shop\nspec:\n  ingressClassName: nginx';
const annotated = (yaml: string, value: string) => yaml.replace(HEAD, `  namespace: shop\n  annotations: {nginx.ingress.kubernetes.io/service-upstream: "${value}"}\nspec:\n  ingressClassName: nginx`);
const CONFIGMAP = (value: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {service-upstream: "${value}"}
`;
/** A second Ingress to admin, another host, with the annotation set to "true". */
const SECOND = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin-svc
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/service-upstream: "true"}
spec:
  ingressClassName: nginx
  rules: [{host: admin2.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}}]
`;

async function reach(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-nginx-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, '--from', 'ingress-nginx/ingress-nginx-controller', '--to', 'shop/admin', '--port', '8080', '--output', 'json'], io);
  return { code, json: JSON.parse(out.join('')) as { allowed: boolean; effective: string; mesh: { verdict: string; plaintext: boolean; reason: string } } };
}

/** The `reach --matrix --effective` row from the controller to admin: its connections, or undefined when the row is gone. */
async function matrixRow(yaml: string): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-matrix-nginx-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  expect(await main(['reach', '--manifests', dir, '--matrix', '--effective', '--output', 'json'], io)).toBe(0);
  const rows = JSON.parse(out.join('')) as Array<{ src: string; dst: string; conn: string }>;
  return rows.find((r) => r.src === 'ingress-nginx/ingress-nginx-controller[Deployment]' && r.dst === 'shop/admin[Deployment]')?.conn;
}

/** Whether a matrix row's connections ("SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535") hold TCP `port`. */
function tcpOpen(conn: string | undefined, port: number): boolean {
  if (conn === undefined) return false;
  if (conn === 'All Connections') return true;
  const tcp = /(?:^|,)TCP ([\d,-]+?)(?=,[A-Z]|$)/.exec(conn)?.[1] ?? '';
  return tcp.split(',').some((r) => {
    const [lo, hi = lo] = r.split('-').map(Number);
    return port >= lo! && port <= hi!;
  });
}

/** The check's answer for admin: whether some Ingress path is open. */
function exposed(yaml: string): boolean {
  const ctx = ctxOf(yaml);
  const w = effectiveExposure(ctx.snapshot, ctx.config).find((e) => e.workload.namespace === 'shop' && e.workload.name === 'admin');
  return (w?.external ?? []).some((p) => p.via === 'Ingress' && p.open);
}

const POD_DIAL = 'ingress-nginx dials the endpoints\' pod addresses, not Service shop/admin';

describe('reach from an ingress-nginx controller agrees with network.exposed-workload', () => {
  it('no service-upstream: the plaintext pod-address call escapes the principal DENY; reach ALLOWED like the check, said why', async () => {
    const r = await reach(DENY);
    expect(exposed(DENY)).toBe(true);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ allowed: true, effective: 'allowed', mesh: { verdict: 'allowed', plaintext: true } });
    expect(r.json.mesh.reason).toContain(`${POD_DIAL} (Ingress shop/admin sets no nginx.ingress.kubernetes.io/service-upstream "true")`);
  });

  it('service-upstream "true" on the Ingress: an mTLS call through the Service, the DENY matches; reach DENIED like the check', async () => {
    const yaml = annotated(DENY, 'true');
    expect(exposed(yaml)).toBe(false);
    const r = await reach(yaml);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ allowed: false, effective: 'denied', mesh: { verdict: 'denied', plaintext: false } });
    expect(r.json.mesh.reason).toContain('ingress-nginx dials Service shop/admin, not the endpoints\' pod addresses (Ingress shop/admin sets nginx.ingress.kubernetes.io/service-upstream "true")');
  });

  it('service-upstream "true" in the controller\'s ConfigMap (--configmap) turns it on globally; an Ingress annotation "false" overrides it', async () => {
    const global = DENY + CONFIGMAP('true');
    expect(exposed(global)).toBe(false);
    const g = await reach(global);
    expect(g.code).toBe(1);
    expect(g.json.mesh.reason).toContain('(ConfigMap ingress-nginx/ingress-nginx-controller sets service-upstream "true" and Ingress shop/admin does not override it)');
    const overridden = annotated(DENY, 'false') + CONFIGMAP('true');
    expect(exposed(overridden)).toBe(true);
    const o = await reach(overridden);
    expect(o.code).toBe(0);
    expect(o.json.mesh.reason).toContain(`${POD_DIAL} (Ingress shop/admin sets nginx.ingress.kubernetes.io/service-upstream "false")`);
  });

  it('two Ingresses, one dialling pods and one the Service: the more open answer, naming the Ingress that dials pods', async () => {
    const yaml = DENY + SECOND;
    expect(exposed(yaml)).toBe(true);
    const r = await reach(yaml);
    expect(r.code).toBe(0);
    expect(r.json.mesh.reason).toContain(`${POD_DIAL} (Ingress shop/admin sets no`);
  });

  it('under STRICT the pod-address call is refused: DENIED alone, ALLOWED once another Ingress dials the Service (mTLS)', async () => {
    expect(exposed(STRICT)).toBe(false);
    const alone = await reach(STRICT);
    expect(alone.code).toBe(1);
    expect(alone.json.mesh.reason).toContain(POD_DIAL);
    const yaml = STRICT + SECOND;
    expect(exposed(yaml)).toBe(true);
    const both = await reach(yaml);
    expect(both.code).toBe(0);
    expect(both.json).toMatchObject({ mesh: { verdict: 'allowed', plaintext: false } });
    expect(both.json.mesh.reason).toContain('ingress-nginx dials Service shop/admin, not the endpoints\' pod addresses (Ingress shop/admin-svc sets nginx.ingress.kubernetes.io/service-upstream "true")');
  });

  it('the controller\'s ConfigMap refused (403): its service-upstream may be on, so the default stands (pod addresses, the more open answer), said so', () => {
    const ctx = ctxOf(DENY + CONFIGMAP('true'));
    ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps ingress-nginx/ingress-nginx-controller (refused in test)' };
    delete ctx.snapshot.resources.configmaps;
    const w = effectiveExposure(ctx.snapshot, ctx.config).find((e) => e.workload.namespace === 'shop' && e.workload.name === 'admin');
    const p = w?.external.find((x) => x.via === 'Ingress');
    expect(p).toMatchObject({ open: true, mesh: { verdict: 'allowed' } });
    expect(p!.mesh!.reason).toContain(`${POD_DIAL} (ConfigMap ingress-nginx/ingress-nginx-controller could not be read (forbidden): service-upstream taken as its default "false")`);
  });
});

// The effective matrix's row from the controller to admin is the same call: it holds TCP 8080
// exactly when `reach --port 8080` allows it, under the same upstream settings as above.
describe('reach --matrix --effective judges the controller\'s row as one-flow reach does', () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['STRICT, pod addresses (no service-upstream): plaintext refused', STRICT, false, 'SCTP 1-65535,UDP 1-65535'],
    ['STRICT, service-upstream "true" on the Ingress: mTLS through the Service', annotated(STRICT, 'true'), true, 'SCTP 1-65535,TCP 8080,UDP 1-65535'],
    ['STRICT, service-upstream "true" in the controller\'s ConfigMap', STRICT + CONFIGMAP('true'), true, 'SCTP 1-65535,TCP 8080,UDP 1-65535'],
    ['STRICT, one Ingress dials pods and another the Service: the more open answer', STRICT + SECOND, true, 'SCTP 1-65535,TCP 8080,UDP 1-65535'],
    ['principal DENY, pod addresses: the plaintext call escapes it', DENY, true, 'All Connections'],
    ['principal DENY, service-upstream "true": the mTLS call matches it', annotated(DENY, 'true'), false, 'SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535'],
  ];
  it.each(cases)('%s', async (_name, yaml, open, conn) => {
    const one = await reach(yaml);
    expect(one.json.allowed).toBe(open);
    const row = await matrixRow(yaml);
    expect(row).toBe(conn);
    expect(tcpOpen(row, 8080)).toBe(open);
  });
});
