// The proxy's own ports and Linkerd's default ignored ports, as every consumer of a Linkerd
// workload's inbound skip list sees them: mtls.linkerd-skip-ports, mtls.authz-missing, the report's
// mesh posture (weak ports) and `reach` (the mesh's verdict per port).
//
// Upstream (linkerd2, stable-2.14.10 and main):
// - charts/partials/templates/_proxy-init.tpl: proxy-init always gets --inbound-ports-to-ignore
//   "{{proxy.ports.control}},{{proxy.ports.admin}}[,{{proxyInit.ignoreInboundPorts}}]": the proxy's
//   own control (4190) and admin (4191) ports, where linkerd-proxy itself listens, are skipped
//   whatever config.linkerd.io/skip-inbound-ports says.
// - charts/linkerd-control-plane/values.yaml: proxy.ports.control 4190, proxy.ports.admin 4191,
//   proxyInit.ignoreInboundPorts "4567,4568".
// - pkg/inject/inject.go: config.linkerd.io/skip-inbound-ports replaces proxyInit.ignoreInboundPorts
//   (and may hold ranges, "4000-4100"); config.linkerd.io/control-port and admin-port replace the
//   proxy's ports.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, run } from './helpers.ts';

const SKIP = 'config.linkerd.io/skip-inbound-ports';
const yaml = (podAnnotations: Record<string, string>, ports: number[] = [8000]) => `
apiVersion: v1
kind: Namespace
metadata:
  name: backend
  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: backend}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: ${JSON.stringify(podAnnotations)}}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: example/api:1, ports: [${ports.map((p) => `{containerPort: ${p}}`).join(', ')}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: backend}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: example/web:1}]
`;
const api = { kind: 'Deployment', namespace: 'backend', name: 'api' };
const web = { kind: 'Deployment', namespace: 'backend', name: 'web' };
const skipPorts = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'api')!;
const authz = (y: string) => run(authzMissing, ctxOf(y)).find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'api')!;
const weak = (y: string) => { const c = ctxOf(y); return meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'api')!.weakPorts; };
const reach = (y: string, port: number) => { const c = ctxOf(y); return meshFlowVerdict(c.snapshot, c.config, web, api, port, 'TCP'); };
async function reachCli(y: string, port: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-linkerd-skip-'));
  writeFileSync(join(dir, 'all.yaml'), y);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  await main(['reach', '--manifests', dir, '--from', 'backend/web', '--to', 'backend/api', '--port', String(port)], io);
  return out.join('');
}

describe("Linkerd's own proxy ports are never a workload's skipped port", () => {
  it('mtls.linkerd-skip-ports passes a workload whose skip-inbound-ports lists only 4190,4191 or the range 4190-4191', () => {
    for (const value of ['4190,4191', '4190-4191']) {
      const v = skipPorts(yaml({ [SKIP]: value }));
      expect(v.status, value).toBe('pass');
      expect(v.message).toContain('no ports bypass the linkerd-proxy');
    }
  });

  it('mtls.linkerd-skip-ports trims a range of the proxy ports instead of reporting it whole ("25,4180-4199")', () => {
    const v = skipPorts(yaml({ [SKIP]: '25,4180-4199' }));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toMatchObject({ ports: ['25', '4180-4189', '4192-4199'] });
    expect(v.message).toContain('inbound 25, 4180-4189, 4192-4199 bypass the linkerd-proxy');
    expect(v.message).not.toMatch(/4190|4191/);
  });

  it('honours config.linkerd.io/control-port and admin-port: with them moved, 4190 and 4191 are application ports again', () => {
    const v = skipPorts(yaml({ [SKIP]: '4190-4191,9990', 'config.linkerd.io/control-port': '9990', 'config.linkerd.io/admin-port': '9991' }));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toMatchObject({ ports: ['4190-4191'] });
  });

  it('mtls.authz-missing trims ranges too: "25,4190-4199" reports 25 and 4192-4199, a range of only the proxy ports passes', () => {
    const v = authz(yaml({ [SKIP]: '25,4190-4199' }, [8000, 4195]));
    expect(v.status).toBe('fail');
    expect(v.evidence?.skippedPorts).toEqual(['4192-4199', '25']);
    expect(v.message).not.toMatch(/4190|4191/);
    expect(authz(yaml({ [SKIP]: '4190-4191' })).status).toBe('pass');
  });

  it('the mesh posture lists no proxy port as weak, and a range trimmed of them', () => {
    expect(weak(yaml({ [SKIP]: '4190,4191' }))).toBeUndefined();
    expect(Object.keys(weak(yaml({ [SKIP]: '25,4190-4199' })) ?? {})).toEqual(['25', '4192-4199']);
  });

  it('reach: a call to the admin port 4191 listed in skip-inbound-ports is judged by policy (default deny here), not waved through as skipped', () => {
    const v = reach(yaml({ [SKIP]: '25,4190-4199' }), 4191);
    expect(v.reason).not.toContain('is skipped by the linkerd-proxy');
    expect(v.verdict).toBe('denied');
    // The application ports of the same range are still skipped.
    const app = reach(yaml({ [SKIP]: '25,4190-4199' }), 4195);
    expect(app).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(app.reason).toContain('port 4195 is skipped by the linkerd-proxy');
  });

  it('ztaudit reach says the same: 4191 DENIED by the default policy, 4195 ALLOWED as skipped', async () => {
    const y = yaml({ [SKIP]: '25,4190-4199' });
    const admin = await reachCli(y, 4191);
    expect(admin.split('\n')[0]).toBe('DENIED: backend/web[Deployment] -> backend/api[Deployment] on 4191/TCP');
    expect(admin).not.toContain('skipped by the linkerd-proxy');
    const app = await reachCli(y, 4195);
    expect(app.split('\n')[0]).toBe('ALLOWED: backend/web[Deployment] -> backend/api[Deployment] on 4195/TCP');
    expect(app).toContain('port 4195 is skipped by the linkerd-proxy (pod annotation config.linkerd.io/skip-inbound-ports)');
  });
});

describe("Linkerd's default proxyInit.ignoreInboundPorts 4567,4568 without the annotation", () => {
  it('mtls.linkerd-skip-ports fails a workload declaring 4567, saying the default is assumed; one not declaring it passes', () => {
    const v = skipPorts(yaml({}, [4567, 8000]));
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toMatchObject({ ports: ['4567'], assumedDefault: true });
    // api skips 4567 inbound itself (the same default): its outbound default loses no mTLS there, so only inbound is said.
    expect(v.message).toContain('inbound 4567 bypass the linkerd-proxy');
    expect(v.message).not.toContain('outbound');
    expect(v.message).toContain('default assumed');
    expect(skipPorts(yaml({})).status).toBe('pass');
    // An annotation, even empty, replaces the default (outbound too: proxyInit.ignoreOutboundPorts is 4567,4568 as well).
    expect(skipPorts(yaml({ [SKIP]: '', 'config.linkerd.io/skip-outbound-ports': '' }, [4567])).status).toBe('pass');
  });

  it('the mesh posture marks a declared 4568 weak, default assumed', () => {
    expect(weak(yaml({}, [4568, 8000]))).toEqual({ 4568: expect.stringContaining('default assumed') });
    expect(weak(yaml({}))).toBeUndefined();
  });

  it('reach: a call to a declared 4567 is unknown under the deny default (the install may not skip it), the reason saying the default is assumed', () => {
    const v = reach(yaml({}, [4567, 8000]), 4567);
    expect(v).toMatchObject({ verdict: 'unknown', plaintext: true });
    expect(v.reason).toContain('default assumed');
    expect(v.reason).toContain('denied if it does not');
  });
});
