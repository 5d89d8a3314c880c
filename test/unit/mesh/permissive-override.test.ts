// mtls.permissive-override and the age rule between workload PeerAuthentications: "If there are
// more than one workload-level policies for the same workload, the oldest one is used"
// (https://istio.io/latest/docs/reference/config/security/peer_authentication/; the same rule the
// mode resolution applies, src/analysis/mesh/istio.ts resolveIstioMode).
import { describe, expect, it } from 'vitest';
import { permissiveOverride } from '../../../checks/mtls/permissive-override.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { ctxOf, deploymentYaml, namespaceYaml, run } from './helpers.ts';

const pa = (name: string, created: string, mode: string, app = 'api') => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: shop, creationTimestamp: "${created}"}
spec: {selector: {matchLabels: {app: ${app}}}, mtls: {mode: ${mode}}}
---`;

describe('mtls.permissive-override with overlapping workload policies', () => {
  it('a newer PERMISSIVE policy an older STRICT one overrides on every workload it selects has no effect: pass, naming the winner', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${pa('old-strict', '2025-01-01T00:00:00Z', 'STRICT')}${pa('new-permissive', '2026-01-01T00:00:00Z', 'PERMISSIVE')}`);
    const v = [...permissiveOverride.evaluate(ctx)].find((x) => x.resource.name === 'new-permissive');
    expect(v).toMatchObject({ status: 'pass', evidence: { overriddenBy: ['shop/old-strict'], affectedWorkloads: 0 } });
    expect(v?.message).toContain('has no effect: the older shop/old-strict decides for every workload it selects');
  });

  it('the older PERMISSIVE policy, which does decide, still fails; so does one that selects a workload no older policy covers', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${deploymentYaml('shop', 'web', { labels: { app: 'web', tier: 'api' } })}${pa('old-permissive', '2025-01-01T00:00:00Z', 'PERMISSIVE')}${pa('new-strict', '2026-01-01T00:00:00Z', 'STRICT')}${pa('web-permissive', '2026-01-01T00:00:00Z', 'PERMISSIVE', 'web')}`);
    const v = [...permissiveOverride.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'old-permissive')).toMatchObject({ status: 'fail', severity: 'medium', evidence: { affectedWorkloads: 1 } });
    expect(v.find((x) => x.resource.name === 'web-permissive')).toMatchObject({ status: 'fail', evidence: { affectedWorkloads: 1 } });
  });
});

// Consul's permissive mTLS, from https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode:
// "The `permissive` mTLS mode enables sidecar proxies to accept both mTLS and non-mTLS traffic to
// an application", "Intentions are not enforced and encryption is not enabled for non-mTLS
// connections"; the Mesh entry's AllowEnablingPermissiveMutualTLS "does not direct services to use
// permissive mTLS. It is a global parameter that allows services to run in permissive mTLS mode",
// and can be set back to false "even if there are services currently running in permissive mode";
// a service's ServiceDefaults MutualTLSMode is checked first, then ProxyDefaults "global": "If
// `MutualTLSMode` is either empty or if the configuration entry is not found, then the mode is
// `strict` by default".
describe('mtls.permissive-override on Consul (ServiceDefaults, ProxyDefaults, Mesh)', () => {
  const NOW = new Date('2026-06-01T00:00:00Z');
  const app = (name: string, annotations: Record<string, string> = {}) =>
    deploymentYaml('shop', name, { serviceAccount: name, annotations: { 'consul.hashicorp.com/connect-inject': 'true', ...annotations }, ports: [8080] });
  const meshEntry = (allow: boolean) => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: ${allow}}
---`;
  const entry = (kind: 'ServiceDefaults' | 'ProxyDefaults', name: string, mode: string, status = '') => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${kind === 'ProxyDefaults' ? 'consul' : 'shop'}}
spec: {mutualTLSMode: ${mode}}
${status}---`;
  const judged = (yaml: string) => run(permissiveOverride, ctxOf(yaml));

  it('a service whose ServiceDefaults is permissive, with the Mesh entry allowing it, fails high naming the service and the entry (was: not flagged)', () => {
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'permissive')}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'high', resource: { kind: 'ServiceDefaults', namespace: 'shop', name: 'web' }, evidence: { inEffect: true, meshAllowsPermissive: true, services: ['web'], affectedWorkloads: 1 } });
    expect(v.message).toBe('ServiceDefaults shop/web sets mutualTLSMode permissive for Consul service web: its sidecars accept plaintext on the service port alongside mTLS, and intentions do not apply to plaintext connections (Mesh consul/mesh sets allowEnablingPermissiveMutualTLS: true); 1 meshed workload(s): Deployment shop/web.');
    // In effect for a service no meshed workload runs yet: medium.
    const [idle] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'batch', 'permissive')}`);
    expect(idle).toMatchObject({ status: 'fail', severity: 'medium', resource: { name: 'batch' }, evidence: { affectedWorkloads: 0 } });
    expect(idle.message).toMatch(/; no meshed workload in the snapshot yet\.$/);
  });

  it('ProxyDefaults global permissive fails for the services without a mode of their own; a strict ServiceDefaults overrides it and passes', () => {
    const vs = judged(`${namespaceYaml('shop', '')}${app('web')}${app('api')}${meshEntry(true)}${entry('ProxyDefaults', 'global', 'permissive')}${entry('ServiceDefaults', 'api', 'strict')}`);
    const global = vs.find((v) => v.resource.kind === 'ProxyDefaults');
    expect(global).toMatchObject({ status: 'fail', severity: 'high', resource: { namespace: 'consul', name: 'global' }, evidence: { services: ['web'], sampleWorkloads: ['Deployment shop/web'] } });
    expect(global?.message).toMatch(/^ProxyDefaults consul\/global sets mutualTLSMode permissive for every Consul service without a mutualTLSMode of its own in ServiceDefaults \(web\)/);
    expect(vs.find((v) => v.resource.kind === 'ServiceDefaults')).toMatchObject({ status: 'pass', resource: { name: 'api' } });
  });

  it('set but not in effect: without the Mesh allow flag Consul refuses the entry, a low finding that says so; one Consul already holds (Synced True) stays in effect', () => {
    for (const [mesh, says] of [[meshEntry(false), 'Mesh consul/mesh does not set'], ['', 'no Mesh entry sets']] as const) {
      const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${mesh}${entry('ServiceDefaults', 'web', 'permissive')}`);
      expect(v, says).toMatchObject({ status: 'fail', severity: 'low', evidence: { inEffect: false, meshAllowsPermissive: false, affectedWorkloads: 1 } });
      expect(v.message).toBe(`ServiceDefaults shop/web sets mutualTLSMode permissive for Consul service web, but it is not in effect: ${says} allowEnablingPermissiveMutualTLS: true, so Consul refuses the entry. Plaintext is refused today, but allowing permissive mode in the Mesh entry would let it in (1 meshed workload(s): Deployment shop/web).`);
    }
    const [kept] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(false)}${entry('ServiceDefaults', 'web', 'permissive', 'status: {conditions: [{type: Synced, status: "True"}]}\n')}`);
    expect(kept).toMatchObject({ status: 'fail', severity: 'high', evidence: { inEffect: true } });
    expect(kept.message).toContain('; Consul keeps it although Mesh consul/mesh does not set allowEnablingPermissiveMutualTLS: true;');
    const [unsynced] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'permissive', 'status: {conditions: [{type: Synced, status: "False"}]}\n')}`);
    expect(unsynced).toMatchObject({ status: 'fail', severity: 'low', evidence: { inEffect: false } });
    expect(unsynced.message).toContain('not in effect: Consul reports it not synced (Synced=False): the consul-k8s controller could not write it, and Consul keeps the version it held before, if any. Plaintext is refused today, but syncing the entry would let it in');
  });

  // consul-k8s control-plane/api/v1alpha1/servicedefaults_types.go: "MutualTLSMode controls whether
  // mutual TLS is required for all incoming connections when transparent proxy is enabled"
  // (https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode). A workload
  // with the transparent proxy off is plaintext already (details.mtls consul:no-tproxy, reach
  // UNKNOWN); the permissive entry opens nothing more on it.
  it('a workload without the transparent proxy takes no plaintext through a permissive entry: medium, naming it apart; a tproxy workload beside it still makes it high', () => {
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web', { 'consul.hashicorp.com/transparent-proxy': 'false' })}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'permissive')}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium', evidence: { inEffect: true, affectedWorkloads: 0, withoutTransparentProxy: ['Deployment shop/web'] } });
    expect(v.message).toMatch(/; no meshed workload takes plaintext through it: 1 workload\(s\) without the transparent proxy, where mutualTLSMode does not apply: Deployment shop\/web\.$/);
    const both = judged(`${namespaceYaml('shop', '')}${app('web', { 'consul.hashicorp.com/transparent-proxy': 'false' })}${app('api')}${meshEntry(true)}${entry('ProxyDefaults', 'global', 'permissive')}`);
    expect(both[0]).toMatchObject({ status: 'fail', severity: 'high', evidence: { affectedWorkloads: 1, sampleWorkloads: ['Deployment shop/api'], services: ['api'] } });
    expect(both[0].message).toMatch(/; 1 meshed workload\(s\): Deployment shop\/api; not 1 workload\(s\) without the transparent proxy, where mutualTLSMode does not apply: Deployment shop\/web\.$/);
  });

  // A ServiceDefaults Consul does not apply leaves its service to the ProxyDefaults global (consul.ts
  // indexConsulMutualTLS, the reading reach uses): when that is permissive, plaintext is let in now.
  it('an entry not in effect for a service that ProxyDefaults global already opens does not say plaintext is refused: it names the entry that lets it in', () => {
    const global = entry('ProxyDefaults', 'global', 'permissive', 'status:\n  conditions: [{type: Synced, status: "True"}]\n');
    const cases = [
      [meshEntry(true), entry('ServiceDefaults', 'web', 'permissive', 'status:\n  conditions: [{type: Synced, status: "False", reason: ConsulAgentError, message: "writing config entry to consul: rpc error"}]\n'), 'Consul reports it not synced (Synced=False, reason ConsulAgentError, message "writing config entry to consul: rpc error"): the consul-k8s controller could not write it, and Consul keeps the version it held before, if any'],
      [meshEntry(false), entry('ServiceDefaults', 'web', 'permissive'), 'Mesh consul/mesh does not set allowEnablingPermissiveMutualTLS: true, so Consul refuses the entry'],
    ] as const;
    for (const [mesh, service, why] of cases) {
      const vs = judged(`${namespaceYaml('shop', '')}${app('web')}${mesh}${global}${service}`);
      expect(vs.find((v) => v.resource.kind === 'ProxyDefaults'), why).toMatchObject({ status: 'fail', severity: 'high' });
      const low = vs.find((v) => v.resource.kind === 'ServiceDefaults');
      expect(low, why).toMatchObject({ status: 'fail', severity: 'low', evidence: { inEffect: false } });
      expect(low?.message).toBe(`ServiceDefaults shop/web sets mutualTLSMode permissive for Consul service web, but it is not in effect: ${why}. Plaintext is accepted today all the same: ProxyDefaults consul/global mutualTLSMode permissive decides for Deployment shop/web.`);
    }
  });

  // Consul accepts only "", "strict" and "permissive" (hashicorp/consul agent/structs/config_entry.go
  // MutualTLSMode.validate, called by ServiceConfigEntry.Validate and ProxyConfigEntry.Validate: `Invalid
  // MutualTLSMode %q. Must be one of "", "strict", or "permissive".`; consul-k8s
  // control-plane/api/v1alpha1/shared_types.go validates the same in its webhook;
  // https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults MutualTLSMode).
  // Such an entry is not in Consul: the mode is whatever applies without it.
  it('an entry whose mutualTLSMode Consul does not accept fails, naming the entry and the value (was: no finding); medium when what applies instead lets plaintext in', () => {
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'Strict')}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'low', resource: { kind: 'ServiceDefaults', namespace: 'shop', name: 'web' }, evidence: { mutualTLSMode: 'Strict', inEffect: false, affectedWorkloads: 1 } });
    expect(v.message).toBe('ServiceDefaults shop/web sets mutualTLSMode "Strict" for Consul service web, but it is not in effect: Consul accepts only "", "strict" or "permissive", so the consul-k8s webhook and Consul refuse the entry. Today Consul default mutualTLSMode strict decides for Deployment shop/web.');
    const global = entry('ProxyDefaults', 'global', 'permissive', 'status: {conditions: [{type: Synced, status: "True"}]}\n');
    const vs = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${global}${entry('ServiceDefaults', 'web', 'mtls')}`);
    const bad = vs.find((x) => x.resource.kind === 'ServiceDefaults');
    expect(bad).toMatchObject({ status: 'fail', severity: 'medium', evidence: { mutualTLSMode: 'mtls' } });
    expect(bad?.message).toMatch(/^ServiceDefaults shop\/web sets mutualTLSMode "mtls" for Consul service web, but it is not in effect: .*\. Plaintext is accepted today: ProxyDefaults consul\/global mutualTLSMode permissive decides for Deployment shop\/web\.$/);
    // ProxyDefaults global with a value Consul refuses leaves every service to Consul's default.
    const [g] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ProxyDefaults', 'global', '"true"')}`);
    expect(g).toMatchObject({ status: 'fail', severity: 'low', resource: { kind: 'ProxyDefaults', namespace: 'consul', name: 'global' }, evidence: { mutualTLSMode: 'true', services: ['web'] } });
    expect(g.message).toMatch(/^ProxyDefaults consul\/global sets mutualTLSMode "true" for every Consul service without a mutualTLSMode of its own in ServiceDefaults \(web\), but it is not in effect/);
  });

  // The consul-k8s controller sets Synced False with its reason (ConsulAgentError, ExternallyManagedConfigError,
  // MigrationFailedError) and the error as message when it cannot write the entry (hashicorp/consul-k8s
  // control-plane/config-entries/controllers/configentry_controller.go syncFailed): Consul never got it.
  it('a strict entry the controller could not write (Synced=False) fails, naming the entry and the condition\'s reason and message (was: passed as strict)', () => {
    const unsynced = 'status:\n  conditions: [{type: Synced, status: "False", reason: ConsulAgentError, message: "writing config entry to consul: Unexpected response code: 500"}]\n';
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', unsynced)}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'low', resource: { kind: 'ServiceDefaults', namespace: 'shop', name: 'web' }, evidence: { mutualTLSMode: 'strict', inEffect: false, synced: { reason: 'ConsulAgentError' } } });
    expect(v.message).toBe('ServiceDefaults shop/web sets mutualTLSMode strict for Consul service web, but it is not in effect: Consul reports it not synced (Synced=False, reason ConsulAgentError, message "writing config entry to consul: Unexpected response code: 500"): the consul-k8s controller could not write it, and Consul keeps the version it held before, if any. Today Consul default mutualTLSMode strict decides for Deployment shop/web.');
    // The service believed strict takes plaintext through ProxyDefaults global: medium.
    const global = entry('ProxyDefaults', 'global', 'permissive', 'status: {conditions: [{type: Synced, status: "True"}]}\n');
    const vs = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${global}${entry('ServiceDefaults', 'web', 'strict', unsynced)}`);
    expect(vs.find((x) => x.resource.kind === 'ServiceDefaults')).toMatchObject({ status: 'fail', severity: 'medium', message: expect.stringMatching(/\. Plaintext is accepted today: ProxyDefaults consul\/global mutualTLSMode permissive decides for Deployment shop\/web\.$/) });
    // Synced True, or no condition yet (manifests): in effect, a pass.
    for (const status of ['status: {conditions: [{type: Synced, status: "True"}]}\n', '']) {
      const [ok] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', status)}`);
      expect(ok, status).toMatchObject({ status: 'pass', resource: { name: 'web' }, message: 'ServiceDefaults shop/web does not relax mTLS (mutualTLSMode strict).' });
    }
  });

  // configentry_controller.go: a failed update of an entry Consul already holds sets Synced Unknown with
  // reason ConsulAgentError ("updating config entry in consul: …", syncUnknownWithError): Consul keeps
  // the earlier version, say a permissive one the strict edit was meant to replace.
  it('a strict entry whose last update failed (Synced=Unknown with a reason) fails low, naming the reason; Unknown without a reason (not yet reconciled) passes', () => {
    const failed = 'status:\n  conditions: [{type: Synced, status: "Unknown", reason: ConsulAgentError, message: "updating config entry in consul: rpc error"}]\n';
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', failed)}`);
    expect(v).toMatchObject({ status: 'fail', severity: 'low', resource: { kind: 'ServiceDefaults', namespace: 'shop', name: 'web' }, evidence: { synced: { status: 'Unknown', reason: 'ConsulAgentError' } } });
    expect(v.message).toBe('ServiceDefaults shop/web sets mutualTLSMode strict for Consul service web, but Consul has not confirmed it: the consul-k8s controller\'s last update failed (Synced=Unknown, reason ConsulAgentError, message "updating config entry in consul: rpc error"), and Consul keeps the version it held before. The mode in effect today, strict or permissive, is unknown: the snapshot cannot show it (1 meshed workload(s): Deployment shop/web).');
    const [pending] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', 'status:\n  conditions: [{type: Synced, status: "Unknown"}]\n')}`);
    expect(pending).toMatchObject({ status: 'pass' });
    const [blank] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', 'status:\n  conditions: [{type: Synced, status: "Unknown", reason: "", message: ""}]\n')}`);
    expect(blank).toMatchObject({ status: 'pass' });
  });

  it('a Synced=False reason and message from the cluster are quoted and cut, never printed raw', () => {
    const hostile = `status:\n  conditions: [{type: Synced, status: "False", reason: "Bad\\nReason", message: "line one\\nFORGED LINE <b>x</b>${'y'.repeat(400)}"}]\n`;
    const [v] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'strict', hostile)}`);
    expect(v.status).toBe('fail');
    expect(v.message).not.toContain('\n');
    expect(v.message).toContain('reason "Bad\\nReason", message "line one\\nFORGED LINE <b>x</b>y');
    expect(v.message).toContain('y…"): the consul-k8s controller');
    expect(v.message.length).toBeLessThan(700);
    // An invalid mutualTLSMode of any type and length is quoted and cut the same way.
    const [long] = judged(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', `{x: "a\\nb${'z'.repeat(500)}"}`)}`);
    expect(long).toMatchObject({ status: 'fail', resource: { name: 'web' } });
    expect(long.message).toMatch(/^ServiceDefaults shop\/web sets mutualTLSMode \{"x":"a\\nbz+… for Consul service web, but it is not in effect/);
    expect(long.message.length).toBeLessThan(500);
  });

  it('report.json lists the invalid and the unsynced entry as findings by name; the strict entry Consul holds is none', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const ctx = ctxOf(`${namespaceYaml('shop', '')}${app('web')}${app('api')}${app('cart')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'STRICT')}${entry('ServiceDefaults', 'api', 'strict', 'status:\n  conditions: [{type: Synced, status: "False", reason: ConsulAgentError, message: "writing config entry to consul: rpc error"}]\n')}${entry('ServiceDefaults', 'cart', 'strict', 'status:\n  conditions: [{type: Synced, status: "True"}]\n')}`);
    const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report;
    const found = report.findings.filter((f) => f.check === 'mtls.permissive-override');
    expect(found.map((f) => [f.severity, f.resource.kind, f.resource.name]).sort()).toEqual([['low', 'ServiceDefaults', 'api'], ['low', 'ServiceDefaults', 'web']]);
    expect(found.find((f) => f.resource.name === 'web')?.message).toContain('sets mutualTLSMode "STRICT" for Consul service web, but it is not in effect');
    expect(found.find((f) => f.resource.name === 'api')?.message).toContain('(Synced=False, reason ConsulAgentError, message "writing config entry to consul: rpc error")');
    expect(report.checks.find((c) => c.id === 'mtls.permissive-override')).toMatchObject({ status: 'fail', passed: 1, failed: 2 });
  });

  it('a service name from the connect-service annotation is quoted, never printed raw', () => {
    const vs = judged(`${namespaceYaml('shop', '')}${app('web', { 'consul.hashicorp.com/connect-service': 'web\nFORGED LINE' })}${meshEntry(true)}${entry('ProxyDefaults', 'global', 'permissive')}`);
    expect(vs[0].message).toContain('(\"web\\nFORGED LINE\")');
    expect(vs[0].message).not.toContain('\n');
  });

  it('applies to a Consul-only cluster; a Consul config entry list refused leaves it not evaluated there, and an Istio-only cluster does not depend on it', () => {
    const consul = ctxOf(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ServiceDefaults', 'web', 'permissive')}`);
    expect(runChecks([permissiveOverride], { ...consul, now: NOW })[0].status).toBe('fail');
    consul.snapshot.coverage['consul.servicedefaults'] = { status: 'forbidden', detail: 'refused in test' };
    delete consul.snapshot.resources['consul.servicedefaults'];
    const [o] = runChecks([permissiveOverride], { snapshot: structuredClone(consul.snapshot), config: consul.config, now: NOW });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toMatch(/consul\.servicedefaults: forbidden .*for Consul's mTLS mode/);
    // The Consul service of pods without a connect-service annotation is the Service selecting them.
    const named = ctxOf(`${namespaceYaml('shop', '')}${app('web')}${meshEntry(true)}${entry('ProxyDefaults', 'global', 'permissive')}
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---`);
    expect(runChecks([permissiveOverride], named)[0].results[0]).toMatchObject({ evidence: { services: ['frontend'] } });
    named.snapshot.coverage.services = { status: 'forbidden', detail: 'refused in test' };
    delete named.snapshot.resources.services;
    expect(runChecks([permissiveOverride], { ...named, snapshot: structuredClone(named.snapshot) })[0]).toMatchObject({ status: 'not-evaluated', reason: expect.stringMatching(/services: forbidden/) });
    const istio = ctxOf(`${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${pa('old-permissive', '2025-01-01T00:00:00Z', 'PERMISSIVE')}`);
    istio.snapshot.coverage['consul.servicedefaults'] = { status: 'forbidden', detail: 'refused in test' };
    expect(runChecks([permissiveOverride], istio)[0].status).toBe('fail');
  });
});
