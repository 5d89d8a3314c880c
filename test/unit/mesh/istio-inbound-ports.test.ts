// Istio sidecar pods whose annotations keep inbound ports away from Envoy. Semantics from
// https://istio.io/latest/docs/reference/config/annotations/:
// - traffic.sidecar.istio.io/excludeInboundPorts: "A comma separated list of inbound ports to be
//   excluded from redirection to Envoy. Only applies when all inbound traffic (i.e. '*') is being
//   redirected."
// - traffic.sidecar.istio.io/includeInboundPorts: "A comma separated list of inbound ports for which
//   traffic is to be redirected to Envoy. The wildcard character '*' can be used to configure
//   redirection for all ports. An empty list will disable all inbound redirection."
// A port that is not redirected never reaches Envoy, so STRICT PeerAuthentication and
// AuthorizationPolicies cannot act on it.
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { istioExcludedInboundPorts } from '../../../checks/mtls/istio-excluded-inbound-ports.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, deployment } from './helpers.ts';

const EXCLUDE = 'traffic.sidecar.istio.io/excludeInboundPorts';
const INCLUDE = 'traffic.sidecar.istio.io/includeInboundPorts';
const STRICT_MESH = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: shop}
spec: {}
`;
const api = { kind: 'Deployment', namespace: 'shop', name: 'api' };

describe('Istio inbound ports that bypass the sidecar', () => {
  it('an excluded port of a STRICT workload accepts an external plaintext caller; other ports still refuse it', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [deployment('shop', 'api', { ports: [8000, 9000], annotations: { [EXCLUDE]: '8000' } })]);
    const excluded = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', api, 8000, 'TCP');
    expect(excluded).toMatchObject({ mesh: 'istio', verdict: 'allowed', plaintext: true });
    expect(excluded.reason).toMatch(/port 8000 of shop\/api is not redirected to its sidecar .*excludeInboundPorts.*no PeerAuthentication or AuthorizationPolicy applies/);
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', api, 9000, 'TCP').verdict).toBe('denied');
    // Over every port (reach without --port), 8000 is open and the rest is not.
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, 'external', api, allConns());
    expect(over?.open.TCP).toEqual([[8000, 8000]]);
    // The report's workload posture lists the port as weak.
    expect(meshWorkloadModes(ctx.snapshot, ctx.config)[0]).toMatchObject({ mode: 'STRICT', weakPorts: { 8000: 'bypasses the sidecar' } });
  });

  it('includeInboundPorts: a list redirects only those ports (excludeInboundPorts then ignored); empty redirects none', () => {
    const only = ctxOf(STRICT_MESH, undefined, [deployment('shop', 'api', { ports: [8000, 9000], annotations: { [INCLUDE]: '9000', [EXCLUDE]: '9000' } })]);
    expect(meshFlowVerdict(only.snapshot, only.config, 'external', api, 9000, 'TCP').verdict).toBe('denied');
    expect(meshFlowVerdict(only.snapshot, only.config, 'external', api, 8000, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(meshFlowVerdict(only.snapshot, only.config, 'external', api, 12345, 'TCP').verdict).toBe('allowed');
    expect(meshVerdictOverConns(only.snapshot, only.config, 'external', api, allConns())?.open.TCP).toEqual([[1, 8999], [9001, 65535]]);
    expect(meshWorkloadModes(only.snapshot, only.config)[0].weakPorts).toEqual({ 8000: 'bypasses the sidecar', '*': 'bypasses the sidecar' });

    const none = ctxOf(STRICT_MESH, undefined, [deployment('shop', 'api', { ports: [8000], annotations: { [INCLUDE]: '' } })]);
    expect(meshFlowVerdict(none.snapshot, none.config, 'external', api, 8000, 'TCP')).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(meshWorkloadModes(none.snapshot, none.config)[0]).toMatchObject({ mode: 'STRICT', posture: 'plaintext' });
  });

  it('mtls.istio-excluded-inbound-ports fails each sidecar workload with bypassed ports, passes the others; an ambient pod\'s sidecar annotations change nothing', () => {
    const ctx = ctxOf(`${STRICT_MESH}
---
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
`, undefined, [
      deployment('shop', 'api', { ports: [8000], annotations: { [EXCLUDE]: '8000, 8001,metrics' } }),
      deployment('shop', 'web', { annotations: { [INCLUDE]: '*' } }),
      deployment('shop', 'only', { annotations: { [INCLUDE]: '8080' } }),
      deployment('amb', 'ztunnel-captured', { annotations: { [EXCLUDE]: '8000' } }),
    ]);
    const v = [...istioExcludedInboundPorts.evaluate(ctx)];
    expect(Object.fromEntries(v.map((x) => [x.resource.name, x.status]))).toEqual({ api: 'fail', web: 'pass', only: 'fail', 'ztunnel-captured': 'pass' });
    expect(v.find((x) => x.resource.name === 'ztunnel-captured')!.message).toMatch(/every inbound port goes through ztunnel/);
    const failed = v.find((x) => x.resource.name === 'api')!;
    expect(failed).toMatchObject({ evidence: { redirect: 'all-except', ports: [8000, 8001], invalidEntries: ['metrics'] } });
    expect(failed.message).toMatch(/inbound port\(s\) 8000, 8001 bypass Envoy \(pod annotation traffic\.sidecar\.istio\.io\/excludeInboundPorts=.*\): traffic there is accepted in plaintext/);
    expect(v.find((x) => x.resource.name === 'only')!.message).toMatch(/only port\(s\) 8080 are redirected to Envoy; every other inbound port bypasses it/);
    const [outcome] = runChecks([istioExcludedInboundPorts], ctx);
    expect(outcome.results.filter((r) => r.status === 'fail').map((r) => r.severity)).toEqual(['medium', 'medium']);
  });

  // The sidecar's own listeners are no application port: with Istio CNI the injector writes the
  // status port into excludeInboundPorts on every pod (injection-template.yaml: excludeInboundPort
  // (annotation status.sidecar.istio.io/port, global.proxy.statusPort 15020)), and istio-init
  // passes -d "15090,15021,<status port>" (https://istio.io/latest/docs/reference/config/annotations/#SidecarStatusPort).
  it('the proxy\'s own ports (status port 15020 or as annotated, 15021, 15090) are no bypass; an application port beside them is', () => {
    const ctx = ctxOf(STRICT_MESH, undefined, [
      deployment('shop', 'cni', { ports: [8080], annotations: { [EXCLUDE]: '15020' } }),
      deployment('shop', 'custom', { ports: [8080], annotations: { [EXCLUDE]: '15021,15090,16000', 'status.sidecar.istio.io/port': '16000' } }),
      deployment('shop', 'app', { ports: [8080], annotations: { [EXCLUDE]: '8080,15020' } }),
    ]);
    const v = [...istioExcludedInboundPorts.evaluate(ctx)];
    expect(Object.fromEntries(v.map((x) => [x.resource.name, x.status]))).toEqual({ cni: 'pass', custom: 'pass', app: 'fail' });
    const app = v.find((x) => x.resource.name === 'app')!;
    expect(app.evidence).toMatchObject({ ports: [8080] });
    expect(app.message).toMatch(/inbound port\(s\) 8080 bypass Envoy/);
    const modes = Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((m) => [m.workload.name, m.weakPorts]));
    expect(modes).toEqual({ cni: undefined, custom: undefined, app: { 8080: 'bypasses the sidecar' } });
    // With a custom status port, 15020 is an application port again.
    const moved = ctxOf(STRICT_MESH, undefined, [deployment('shop', 'api', { ports: [15020], annotations: { [EXCLUDE]: '15020', 'status.sidecar.istio.io/port': '16000' } })]);
    expect([...istioExcludedInboundPorts.evaluate(moved)][0]).toMatchObject({ status: 'fail', evidence: { ports: [15020] } });
  });

  // Identity rules (principals, namespaces) need the mTLS peer identity the sidecar checks; a port
  // Envoy never sees has neither identity nor policy, so the rules covering it are bypassed.
  describe('mtls.authz-plaintext-bypass on ports that bypass the sidecar', () => {
    const policies = (ns: string, rules: string, action = 'ALLOW') => `
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: ${rules}
`;
    const STRICT_ONLY = STRICT_MESH.slice(0, STRICT_MESH.lastIndexOf('---'));
    const principals = '[{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]}]';
    const judge = (yaml: string, annotations: Record<string, string>, ports = [8000, 9000]) =>
      [...authzPlaintextBypass.evaluate(ctxOf(yaml, undefined, [deployment('shop', 'api', { ports, annotations })]))];

    it('STRICT, an ALLOW on principals: an excluded port the rule covers fails high, naming the port and the annotation', () => {
      const [v] = judge(`${STRICT_ONLY}${policies('shop', principals)}`, { [EXCLUDE]: '8000' });
      expect(v).toMatchObject({ status: 'fail', severity: 'high', evidence: { sidecarBypassedPorts: ['8000'], source: expect.stringContaining(EXCLUDE) } });
      expect(v.message).toMatch(/port 8000 bypasses its sidecar \(pod annotation traffic\.sidecar\.istio\.io\/excludeInboundPorts="8000"\); ALLOW shop\/api-callers rules\[0\] never applies on port 8000/);
      // Without the annotation the same workload passes: STRICT gives every caller an identity.
      expect(judge(`${STRICT_ONLY}${policies('shop', principals)}`, {})[0].status).toBe('pass');
    });

    it('a rule limited to other ports is not bypassed by an excluded port it does not cover (to.ports, to.notPorts)', () => {
      const on9000 = '[{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}], to: [{operation: {ports: ["9000"]}}]}]';
      expect(judge(`${STRICT_ONLY}${policies('shop', on9000)}`, { [EXCLUDE]: '8000' })[0].status).toBe('pass');
      const not8000 = '[{from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}], to: [{operation: {notPorts: ["8000"]}}]}]';
      expect(judge(`${STRICT_ONLY}${policies('shop', not8000)}`, { [EXCLUDE]: '8000' })[0].status).toBe('pass');
    });

    it('includeInboundPorts: every port outside the list bypasses the sidecar, an empty list every port', () => {
      const [only] = judge(`${STRICT_ONLY}${policies('shop', principals)}`, { [INCLUDE]: '9000' });
      expect(only).toMatchObject({ status: 'fail', severity: 'high', evidence: { sidecarBypassedPorts: ['8000', 'any other port'] } });
      const [none] = judge(`${STRICT_ONLY}${policies('shop', principals)}`, { [INCLUDE]: '' });
      expect(none).toMatchObject({ status: 'fail', evidence: { sidecarBypassedPorts: ['8000', '9000', 'any other port'] } });
    });

    it('PERMISSIVE, a DENY on namespaces: the excluded port is named once, as bypassing the sidecar; the other ports as escaping the DENY', () => {
      const [v] = judge(`${STRICT_ONLY.replace('mode: STRICT', 'mode: PERMISSIVE')}${policies('shop', '[{from: [{source: {namespaces: [legacy]}}]}]', 'DENY')}`, { [EXCLUDE]: '8000' });
      expect(v).toMatchObject({ status: 'fail', severity: 'high', evidence: { sidecarBypassedPorts: ['8000'] } });
      expect(v.message).toContain('DENY shop/api-callers rules[0] never applies on port 8000, which bypasses the sidecar');
      expect(v.message).toContain('so it is not denied (ports 9000, any other port)');
    });

    it('ambient pods are captured by ztunnel: the annotation changes nothing', () => {
      const amb = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
${policies('shop', principals)}`;
      expect(judge(amb, { [EXCLUDE]: '8000' })[0].status).toBe('pass');
    });
  });
});
