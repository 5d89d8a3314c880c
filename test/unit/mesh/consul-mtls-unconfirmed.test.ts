// A Consul service's mTLS mode decides whether a caller without a mesh identity reaches its
// service port: "The `permissive` mTLS mode enables sidecar proxies to accept both mTLS and
// non-mTLS traffic to an application", and "Intentions are not enforced and encryption is not
// enabled for non-mTLS connections"
// (https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode). The mode is
// the service's ServiceDefaults mutualTLSMode, else ProxyDefaults global's, else strict
// (https://developer.hashicorp.com/consul/docs/connect/config-entries/service-defaults,
// .../proxy-defaults). When the snapshot cannot show which mode Consul applies, `reach` and the
// report say unknown instead of judging the mode as written, or Consul's default, as known:
// - the config entries could not be listed (coverage forbidden or error);
// - Services could not be listed, the pod names no connect-service, and an entry in effect is
//   permissive (the service name, which the mode is looked up by, is a guess);
// - the entry's last update failed: hashicorp/consul-k8s control-plane/config-entries/controllers/
//   configentry_controller.go, when Consul already holds the entry and writing the new version
//   fails, calls syncUnknownWithError(…, ConsulAgentError, "updating config entry in consul: …"),
//   which sets Synced Unknown with that reason; Consul keeps the version it held (a failed create
//   is syncFailed: Synced False).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consulFlowVerdict, meshModel } from '../../../src/analysis/mesh/index.ts';
import type { MeshCaller } from '../../../src/analysis/mesh/flow.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { ctxOf, deploymentYaml } from './helpers.ts';

const LEGACY: MeshCaller = { namespace: 'legacy', serviceAccount: 'old', labels: { app: 'old' }, mtls: false };
const MESHED: MeshCaller = { namespace: 'shop', serviceAccount: 'api', labels: { app: 'api' }, mtls: true };

/** shop/web (Consul service web, port 8080) and shop/api in the Consul mesh; legacy/old outside it; the Mesh entry allows permissive mode. */
const cluster = (entries: string, webAnnotations: Record<string, string> = {}) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---${deploymentYaml('shop', 'web', { serviceAccount: 'web', annotations: { 'consul.hashicorp.com/connect-inject': 'true', ...webAnnotations }, ports: [8080] })}${deploymentYaml('shop', 'api', { serviceAccount: 'api', annotations: { 'consul.hashicorp.com/connect-inject': 'true' }, ports: [8080] })}${deploymentYaml('legacy', 'old', { serviceAccount: 'old', ports: [] })}
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: true}
---
${entries}`;
const entry = (kind: 'ServiceDefaults' | 'ProxyDefaults', name: string, mode: string, status = '') => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${kind === 'ProxyDefaults' ? 'consul' : 'shop'}}
spec: {mutualTLSMode: ${mode}}
${status}---`;
/** What the consul-k8s controller writes when updating the entry in Consul failed (syncUnknownWithError). */
const UPDATE_FAILED = 'status:\n  conditions: [{type: Synced, status: "Unknown", reason: ConsulAgentError, message: "updating config entry in consul: rpc error: Permission denied"}]\n';

function refused(ctx: AuditContext, kind: KindKey, status: 'forbidden' | 'error' = 'forbidden'): AuditContext {
  ctx.snapshot.coverage[kind] = { status, detail: `list ${kind} (refused in test)` };
  delete ctx.snapshot.resources[kind];
  return ctx;
}
const judge = (ctx: AuditContext, caller: MeshCaller, port = 8080) =>
  consulFlowVerdict(meshModel(ctx.snapshot, ctx.config), caller, { namespace: 'shop', name: 'web', serviceAccount: 'web', labels: { app: 'web' }, port, protocol: 'TCP' });
const at = new Date('2026-06-01T00:00:00Z');
const webPosture = (ctx: AuditContext) =>
  auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report.details.mtls!.workloads.find((w) => w.workload.name === 'web')!;

async function reach(ctx: AuditContext, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-consul-mtls-'));
  const file = join(dir, 'snap.json.gz');
  writeSnapshot(file, ctx.snapshot);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--snapshot', file, ...args], io);
  return { code, out: out.join('') };
}

describe('Consul config entries that set the mTLS mode could not be read', () => {
  // The reviewer's case: ProxyDefaults global strict, ServiceDefaults web permissive.
  const yaml = cluster(`${entry('ProxyDefaults', 'global', 'strict')}${entry('ServiceDefaults', 'web', 'permissive')}`);

  it('reach: a plaintext call to the service port is UNKNOWN naming the unread kind (was: DENIED by ProxyDefaults strict); read, ALLOWED', async () => {
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ mesh: 'consul', verdict: 'allowed', plaintext: true });
    for (const status of ['forbidden', 'error'] as const) {
      const v = judge(refused(ctxOf(yaml), 'consul.servicedefaults', status), LEGACY);
      expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown', plaintext: true });
      expect(v.reason).toContain(`the mTLS mode (mutualTLSMode) of shop/web, unknown: Consul's config entries could not be read (consul.servicedefaults: ${status})`);
      expect(v.reason).toContain('denied if it is strict; allowed if it is permissive (with ProxyDefaults consul/global mutualTLSMode strict assumed');
    }
    const json = await reach(refused(ctxOf(yaml), 'consul.servicedefaults'), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080', '-o', 'json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ allowed: null, effective: 'unknown', mesh: { verdict: 'unknown' } });
  });

  it('reach --matrix --effective keeps the pair the mode may open, marked unknown (was: dropped as refused by the mesh)', async () => {
    const line = (out: string) => out.split('\n').find((l) => l.startsWith('legacy/old[Deployment] => shop/web[Deployment]'));
    expect(line((await reach(ctxOf(yaml), '--matrix', '--effective')).out)).toContain('TCP 8080');
    const unread = line((await reach(refused(ctxOf(yaml), 'consul.servicedefaults'), '--matrix', '--effective')).out);
    expect(unread).toContain('[mesh consul: TCP 8080 unknown]');
  });

  it('what both modes decide alike stays known: another port, and a meshed caller (intentions decide)', () => {
    for (const kind of ['consul.servicedefaults', 'consul.proxydefaults', 'consul.meshes'] as const) {
      const ctx = refused(ctxOf(yaml), kind);
      expect(judge(ctx, LEGACY, 9090), kind).toMatchObject({ verdict: 'denied', plaintext: true });
      expect(judge(ctx, MESHED), kind).toMatchObject({ verdict: 'allowed', plaintext: false });
    }
  });

  it('Services unread, no connect-service annotation, a permissive entry in effect: unknown; with every entry strict, or the service named by annotation, the answer stays', () => {
    const v = judge(refused(ctxOf(yaml), 'services'), LEGACY);
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toContain('its Consul service name could not be read (services: forbidden; no consul.hashicorp.com/connect-service annotation)');
    const allStrict = cluster(`${entry('ProxyDefaults', 'global', 'strict')}${entry('ServiceDefaults', 'web', 'strict')}`);
    expect(judge(refused(ctxOf(allStrict), 'services'), LEGACY)).toMatchObject({ verdict: 'denied' });
    const named = cluster(`${entry('ProxyDefaults', 'global', 'strict')}${entry('ServiceDefaults', 'web', 'permissive')}`, { 'consul.hashicorp.com/connect-service': 'web' });
    expect(judge(refused(ctxOf(named), 'services'), LEGACY)).toMatchObject({ verdict: 'allowed' });
  });
});

describe('a Consul entry whose last update failed (Synced Unknown, reason ConsulAgentError)', () => {
  const failedStrict = cluster(entry('ServiceDefaults', 'web', 'strict', UPDATE_FAILED));

  it('reach: a plaintext call to the service port is UNKNOWN, naming the entry and the controller\'s error (was: DENIED by the strict mode as written)', async () => {
    const v = judge(ctxOf(failedStrict), LEGACY);
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown', plaintext: true });
    expect(v.reason).toContain('the last update of ServiceDefaults shop/web failed (Synced=Unknown, reason ConsulAgentError, message "updating config entry in consul: rpc error: Permission denied"), and Consul keeps the version it held before, strict or permissive');
    const cli = await reach(ctxOf(failedStrict), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080');
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/^UNKNOWN: legacy\/old\[Deployment\] -> shop\/web\[Deployment\] on 8080\/TCP/);
    // Synced True (or no condition: manifests, not yet reconciled): strict as written, refused.
    expect(judge(ctxOf(cluster(entry('ServiceDefaults', 'web', 'strict', 'status:\n  conditions: [{type: Synced, status: "True"}]\n'))), LEGACY)).toMatchObject({ verdict: 'denied' });
    expect(judge(ctxOf(cluster(entry('ServiceDefaults', 'web', 'strict'))), LEGACY)).toMatchObject({ verdict: 'denied' });
    // A meshed caller is judged by intentions whatever the mode.
    expect(judge(ctxOf(failedStrict), MESHED)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('a ProxyDefaults global whose update failed leaves every service without its own mode unconfirmed', () => {
    const v = judge(ctxOf(cluster(entry('ProxyDefaults', 'global', 'strict', UPDATE_FAILED))), LEGACY);
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toContain('the last update of ProxyDefaults consul/global failed');
  });

  it('Services unread and no entry in effect permissive, but another service\'s entry failed its update: the guessed name may be wrong, so unknown', () => {
    const other = cluster(`${entry('ProxyDefaults', 'global', 'strict')}${entry('ServiceDefaults', 'frontend', 'strict', UPDATE_FAILED)}`);
    expect(judge(ctxOf(other), LEGACY)).toMatchObject({ verdict: 'denied' });
    const v = judge(refused(ctxOf(other), 'services'), LEGACY);
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toContain('its Consul service name could not be read (services: forbidden; no consul.hashicorp.com/connect-service annotation), and the last update of ServiceDefaults shop/frontend failed, so Consul may hold it permissive');
  });

  it('report.json: the workload\'s mode is unknown (weak port *), not authenticated with no weak port', () => {
    expect(webPosture(ctxOf(cluster(entry('ServiceDefaults', 'web', 'strict')))).weakPorts).toBeUndefined();
    const posture = webPosture(ctxOf(failedStrict));
    expect(posture.weakPorts).toEqual({ '*': 'mTLS mode unknown: the last update of ServiceDefaults shop/web failed (Synced=Unknown, reason ConsulAgentError, message "updating config entry in consul: rpc error: Permission denied"), and Consul keeps the version it held before, strict or permissive, which the snapshot cannot show (as written: ServiceDefaults shop/web mutualTLSMode strict)' });
  });
});

// hashicorp/consul-k8s control-plane/controllers/configentries/configentry_controller.go
// ReconcileEntry sets Synced False (syncFailed) in cases where Consul does hold an entry of that
// name: after a Get that found it, ExternallyManagedConfigError ("config entry managed in
// different datacenter: …", or "config entry already exists in Consul": written there directly)
// and MigrationFailedError (migrate-entry, not matching Consul), leaving that entry as it is
// (configentry_controller_test.go doesNotCreateUnownedConfigEntry and the migration test check
// that the Consul entry is unchanged); after a failed Get, ConsulAgentError with the client's
// error. Only a failed create ("writing config entry to consul: …", or "creating consul namespace
// …" before it) follows Consul's answer that it has none. So the mode applied is unknown.
describe('a Consul entry not synced (Synced False) while Consul holds one of that name', () => {
  const synced = (reason: string, message: string) => `status:\n  conditions: [{type: Synced, status: "False", reason: ${reason}, message: ${JSON.stringify(message)}}]\n`;
  const EXTERNAL = synced('ExternallyManagedConfigError', 'config entry managed in different datacenter: "dc2"');
  const held = [
    ['ExternallyManagedConfigError', 'config entry managed in different datacenter: "dc2"'],
    ['ExternallyManagedConfigError', 'config entry already exists in Consul'],
    ['MigrationFailedError', 'migration failed: Kubernetes resource does not match existing Consul config entry: consul={}, kube={}'],
    ['ConsulAgentError', 'Unexpected response code: 500 (rpc error)'],
  ] as const;
  const notHeld = [
    ['ConsulAgentError', 'writing config entry to consul: Unexpected response code: 500'],
    ['ConsulAgentError', 'creating consul namespace "shop": Unexpected response code: 403'],
  ] as const;

  it('reach: a plaintext call to the service port is UNKNOWN, naming the entry and the controller\'s error (was: DENIED, the entry taken as not in Consul)', async () => {
    const yaml = cluster(entry('ServiceDefaults', 'web', 'permissive', EXTERNAL));
    const v = judge(ctxOf(yaml), LEGACY);
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown', plaintext: true });
    expect(v.reason).toContain('ServiceDefaults shop/web is not synced to Consul (Synced=False, reason ExternallyManagedConfigError, message "config entry managed in different datacenter: \\"dc2\\""), but Consul holds, or may hold, an entry of that name that the consul-k8s controller did not write over, strict or permissive');
    const cli = await reach(ctxOf(yaml), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080');
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/^UNKNOWN: legacy\/old\[Deployment\] -> shop\/web\[Deployment\] on 8080\/TCP/);
    for (const [reason, message] of held) {
      for (const mode of ['strict', 'permissive']) expect(judge(ctxOf(cluster(entry('ServiceDefaults', 'web', mode, synced(reason, message)))), LEGACY), `${mode} ${reason} ${message}`).toMatchObject({ verdict: 'unknown' });
    }
    // A failed create: Consul has no such entry, the default (strict) decides.
    for (const [reason, message] of notHeld) expect(judge(ctxOf(cluster(entry('ServiceDefaults', 'web', 'permissive', synced(reason, message)))), LEGACY), message).toMatchObject({ verdict: 'denied' });
    // A meshed caller is judged by intentions whatever the mode.
    expect(judge(ctxOf(yaml), MESHED)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('Services unread and no entry in effect permissive, but another service\'s entry is in that state: the guessed name may be that one, so unknown', () => {
    const other = cluster(`${entry('ProxyDefaults', 'global', 'strict')}${entry('ServiceDefaults', 'frontend', 'strict', EXTERNAL)}`);
    expect(judge(ctxOf(other), LEGACY)).toMatchObject({ verdict: 'denied' });
    const v = judge(refused(ctxOf(other), 'services'), LEGACY);
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toContain('and ServiceDefaults shop/frontend is not synced, but Consul holds, or may hold, an entry of that name, so Consul may hold it permissive');
  });

  it('a ProxyDefaults global in that state leaves every service without its own mode unknown', () => {
    const v = judge(ctxOf(cluster(entry('ProxyDefaults', 'global', 'strict', EXTERNAL))), LEGACY);
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toContain('ProxyDefaults consul/global is not synced to Consul (Synced=False, reason ExternallyManagedConfigError');
  });

  it('report.json: the workload\'s mode is unknown (weak port *), not authenticated with no weak port; a failed create leaves none', () => {
    expect(webPosture(ctxOf(cluster(entry('ServiceDefaults', 'web', 'permissive', synced(...notHeld[0]))))).weakPorts).toBeUndefined();
    expect(webPosture(ctxOf(cluster(entry('ServiceDefaults', 'web', 'permissive', EXTERNAL)))).weakPorts).toEqual({ '*': 'mTLS mode unknown: ServiceDefaults shop/web is not synced to Consul (Synced=False, reason ExternallyManagedConfigError, message "config entry managed in different datacenter: \\"dc2\\""), but Consul holds, or may hold, an entry of that name that the consul-k8s controller did not write over, strict or permissive, which the snapshot cannot show (without it: Consul default mutualTLSMode strict)' });
  });

  it('mtls.permissive-override says the mode in effect today is unknown, not that plaintext is refused; a failed create still says refused', () => {
    const finding = (status: string) => {
      const ctx = ctxOf(cluster(entry('ServiceDefaults', 'web', 'permissive', status)));
      const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report;
      return report.findings.find((f) => f.check === 'mtls.permissive-override' && f.resource.name === 'web')!;
    };
    const f = finding(EXTERNAL);
    expect(f.severity).toBe('low');
    expect(f.message).toContain('and Consul holds, or may hold, an entry of that name that the consul-k8s controller did not write over. The mode in effect today, strict or permissive, is unknown');
    expect(f.message).not.toContain('Plaintext is refused today');
    expect(finding(synced(...notHeld[0])).message).toContain('Plaintext is refused today');
  });
});

// configentry_controller.go ReconcileEntry: with consul.hashicorp.com/migrate-entry "true", an
// entry that does not match Consul's is MigrationFailedError (Synced False); syncUnknownWithError
// is reached only in the case `hasMigrationKey && !managedByThisDC`, where matchesConsul is true:
// Consul holds that very content, only the metadata update failed.
describe('a migrate-entry ServiceDefaults whose update failed (Synced Unknown)', () => {
  const migrating = (annotation: string) => entry('ServiceDefaults', 'web', 'strict', UPDATE_FAILED).replace('metadata: {name: web, namespace: shop}', `metadata: {name: web, namespace: shop, annotations: {consul.hashicorp.com/migrate-entry: "${annotation}"}}`);

  it('is the mode as written (Consul holds that content): reach DENIED, no weak port; another annotation value is unconfirmed as before', () => {
    expect(judge(ctxOf(cluster(migrating('true'))), LEGACY)).toMatchObject({ verdict: 'denied' });
    expect(webPosture(ctxOf(cluster(migrating('true')))).weakPorts).toBeUndefined();
    expect(judge(ctxOf(cluster(migrating('false'))), LEGACY)).toMatchObject({ verdict: 'unknown' });
  });

  // The same state on a permissive entry: Consul holds it (configentry_controller.go lines ~294-317
  // at hashicorp/consul-k8s main: a non-matching migrate-entry is MigrationFailedError; the
  // metadata-only write is the one that can end in syncUnknownWithError), and Consul keeps a
  // permissive mode it already holds when the Mesh entry no longer allows enabling it
  // (hashicorp/consul agent/consul/state/config_entry.go checkMutualTLSMode). So it is in effect
  // whatever the Mesh entry says, as a Synced True entry is; it is not an entry never synced that
  // the Mesh flag decides (docs/mesh-authorization.md, "With consul.hashicorp.com/migrate-entry").
  const permissive = (kind: 'ServiceDefaults' | 'ProxyDefaults', annotation = 'true') => {
    const ns = kind === 'ProxyDefaults' ? 'consul' : 'shop';
    const name = kind === 'ProxyDefaults' ? 'global' : 'web';
    return entry(kind, name, 'permissive', UPDATE_FAILED).replace(`metadata: {name: ${name}, namespace: ${ns}}`, `metadata: {name: ${name}, namespace: ${ns}, annotations: {consul.hashicorp.com/migrate-entry: "${annotation}"}}`);
  };
  const meshSays = (yaml: string, allow: boolean, status = '') => yaml.replace('spec: {allowEnablingPermissiveMutualTLS: true}\n', `spec: {allowEnablingPermissiveMutualTLS: ${allow}}\n${status}`);
  const MESH_SYNCED = 'status:\n  conditions: [{type: Synced, status: "True"}]\n';
  const MESH_UPDATE_FAILED = 'status:\n  conditions: [{type: Synced, status: "Unknown", reason: ConsulAgentError, message: "updating config entry in consul: Unexpected response code: 403 (Permission denied)"}]\n';
  const finding = (yaml: string, name: string) => {
    const ctx = ctxOf(yaml);
    const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report;
    return report.findings.find((f) => f.check === 'mtls.permissive-override' && f.resource.name === name)!;
  };

  it('a permissive one with the Mesh entry not allowing permissive mode is in effect, Consul keeps it: high and reach ALLOWED (was: low "Consul refuses the entry", DENIED); ProxyDefaults global the same', async () => {
    for (const [kind, name] of [['ServiceDefaults', 'web'], ['ProxyDefaults', 'global']] as const) {
      const yaml = meshSays(cluster(permissive(kind)), false, MESH_SYNCED);
      expect(judge(ctxOf(yaml), LEGACY), kind).toMatchObject({ verdict: 'allowed', plaintext: true });
      const f = finding(yaml, name);
      expect(f, kind).toMatchObject({ severity: 'high', evidence: { inEffect: true } });
      expect(f.message).toContain('Consul keeps it although Mesh consul/mesh does not set allowEnablingPermissiveMutualTLS: true');
      expect(f.message).not.toContain('refuses');
    }
    const cli = await reach(ctxOf(meshSays(cluster(permissive('ServiceDefaults')), false, MESH_SYNCED)), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080');
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^ALLOWED: legacy\/old\[Deployment\] -> shop\/web\[Deployment\] on 8080\/TCP/);
    // Without the annotation the same condition is an update that failed: unknown, as before.
    expect(judge(ctxOf(meshSays(cluster(permissive('ServiceDefaults', 'false')), false, MESH_SYNCED)), LEGACY)).toMatchObject({ verdict: 'unknown' });
  });

  it('a permissive one under a Mesh entry whose own update failed is not judged by that flag: high and reach ALLOWED (was: medium, mode unknown, UNKNOWN)', () => {
    const yaml = meshSays(cluster(permissive('ServiceDefaults')), true, MESH_UPDATE_FAILED);
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(finding(yaml, 'web')).toMatchObject({ severity: 'high', evidence: { inEffect: true } });
  });
});

// hashicorp/consul-k8s control-plane/controllers/configentries/configentry_controller.go
// ReconcileEntry: when Consul already holds the entry and writing the new version fails, the
// controller calls syncUnknownWithError(…, ConsulAgentError, "updating config entry in consul: …")
// and returns the error (the entry is requeued and retried); Consul keeps the version it held. A
// permissive ServiceDefaults in that state is permissive as written but not confirmed: `reach`
// calls its mode unknown, and mtls.permissive-override must say the same instead of "sidecars
// accept plaintext" at high. Medium while meshed workloads take its mode (they may take plaintext
// today, and will once the retried write goes through), low while none does; strict stays low.
describe('mtls.permissive-override and reach agree on an entry whose last update failed (Synced Unknown)', () => {
  const finding = (yaml: string, name = 'web') => {
    const ctx = ctxOf(yaml);
    const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report;
    return report.findings.find((f) => f.check === 'mtls.permissive-override' && f.resource.name === name)!;
  };
  const failedPermissive = cluster(entry('ServiceDefaults', 'web', 'permissive', UPDATE_FAILED));

  it('a permissive ServiceDefaults: the finding says the mode in effect is unknown, quoting the controller\'s reason, at medium (was: high, "sidecars accept plaintext"); reach says UNKNOWN', async () => {
    const f = finding(failedPermissive);
    expect(f).toMatchObject({ severity: 'medium', evidence: { mutualTLSMode: 'permissive', inEffect: null, synced: { status: 'Unknown', reason: 'ConsulAgentError' } } });
    expect(f.message).toBe('ServiceDefaults shop/web sets mutualTLSMode permissive for Consul service web, but Consul has not confirmed it: the consul-k8s controller\'s last update failed (Synced=Unknown, reason ConsulAgentError, message "updating config entry in consul: rpc error: Permission denied"), and Consul keeps the version it held before. The mode in effect today, strict or permissive, is unknown: the snapshot cannot show it (1 meshed workload(s): Deployment shop/web).');
    expect(f.message).not.toContain('accept plaintext');
    const cli = await reach(ctxOf(failedPermissive), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080');
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/^UNKNOWN: legacy\/old\[Deployment\] -> shop\/web\[Deployment\] on 8080\/TCP/);
    expect(judge(ctxOf(failedPermissive), LEGACY).reason).toContain('the last update of ServiceDefaults shop/web failed (Synced=Unknown, reason ConsulAgentError');
    // Synced True: in effect, high, and reach ALLOWED.
    const synced = cluster(entry('ServiceDefaults', 'web', 'permissive', 'status:\n  conditions: [{type: Synced, status: "True"}]\n'));
    expect(finding(synced)).toMatchObject({ severity: 'high', evidence: { inEffect: true } });
    expect(judge(ctxOf(synced), LEGACY)).toMatchObject({ verdict: 'allowed' });
  });

  it('no meshed workload takes its mode: low; ProxyDefaults global the same, for the services left to it', () => {
    expect(finding(cluster(entry('ServiceDefaults', 'batch', 'permissive', UPDATE_FAILED)), 'batch')).toMatchObject({ severity: 'low', evidence: { inEffect: null, affectedWorkloads: 0 } });
    const global = finding(cluster(entry('ProxyDefaults', 'global', 'permissive', UPDATE_FAILED)), 'global');
    expect(global).toMatchObject({ severity: 'medium', evidence: { inEffect: null, affectedWorkloads: 2 } });
    expect(global.message).toMatch(/^ProxyDefaults consul\/global sets mutualTLSMode permissive for every Consul service without a mutualTLSMode of its own in ServiceDefaults \(api, web\), but Consul has not confirmed it: .*The mode in effect today, strict or permissive, is unknown/);
  });

  it('with the Mesh entry not allowing permissive mode it is still unknown, not "Plaintext is refused today", as reach says', () => {
    const yaml = cluster(entry('ServiceDefaults', 'web', 'permissive', UPDATE_FAILED)).replace('spec: {allowEnablingPermissiveMutualTLS: true}', 'spec: {allowEnablingPermissiveMutualTLS: false}');
    const f = finding(yaml);
    expect(f).toMatchObject({ severity: 'medium', evidence: { inEffect: null, meshAllowsPermissive: false } });
    expect(f.message).toContain('but Consul has not confirmed it: the consul-k8s controller\'s last update failed');
    expect(f.message).not.toContain('Plaintext is refused today');
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ verdict: 'unknown' });
  });

  it('the reverse case, a strict entry whose update to strict failed (Consul may still hold permissive): low, the same words, and reach UNKNOWN', async () => {
    const yaml = cluster(entry('ServiceDefaults', 'web', 'strict', UPDATE_FAILED));
    const f = finding(yaml);
    expect(f).toMatchObject({ severity: 'low', evidence: { mutualTLSMode: 'strict', inEffect: null } });
    expect(f.message).toContain('sets mutualTLSMode strict for Consul service web, but Consul has not confirmed it: the consul-k8s controller\'s last update failed (Synced=Unknown, reason ConsulAgentError');
    expect(f.message).toContain('The mode in effect today, strict or permissive, is unknown');
    expect((await reach(ctxOf(yaml), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080')).code).toBe(2);
  });

  it('the controller\'s reason and message are cluster text: quoted and cut, on one line', () => {
    const hostile = `status:\n  conditions: [{type: Synced, status: "Unknown", reason: "${'R'.repeat(400)}\\nX", message: "updating config entry in consul: \\nFORGED ${'m'.repeat(600)}"}]\n`;
    const f = finding(cluster(entry('ServiceDefaults', 'web', 'permissive', hostile)));
    expect(f.message).not.toContain('\n');
    expect(f.message).toContain(`reason "${'R'.repeat(300)}…", message "updating config entry in consul: \\nFORGED m`);
    expect(f.message.length).toBeLessThan(1000);
  });
});

// The Mesh entry is a config entry the same controller writes (consul-k8s mesh_controller.go calls
// ConfigEntryController.ReconcileEntry), and its allowEnablingPermissiveMutualTLS decides whether
// Consul accepts a permissive ServiceDefaults/ProxyDefaults it does not hold yet
// (https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode). Synced False
// means Consul holds no Mesh entry only after a failed create ("writing config entry to consul: …");
// after ExternallyManagedConfigError, MigrationFailedError or a failed Get it holds, or may hold,
// one the controller did not write over, and after a failed update (Synced Unknown with a reason)
// it keeps the earlier one: which flag Consul applies is then unknown, not "no Mesh entry".
describe('a Mesh entry Consul may hold in a version the snapshot cannot show', () => {
  const meshStatus = (status: string, reason: string, message: string) => `status:\n  conditions: [{type: Synced, status: "${status}", reason: ${reason}, message: ${JSON.stringify(message)}}]\n`;
  const withMesh = (yaml: string, allow: boolean, status: string) => yaml.replace('spec: {allowEnablingPermissiveMutualTLS: true}\n', `spec: {allowEnablingPermissiveMutualTLS: ${allow}}\n${status}`);
  const pending = cluster(entry('ServiceDefaults', 'web', 'permissive'));
  const finding = (yaml: string) => {
    const ctx = ctxOf(yaml);
    const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report;
    return report.findings.find((f) => f.check === 'mtls.permissive-override' && f.resource.name === 'web')!;
  };
  const held = [
    ['False', 'ExternallyManagedConfigError', 'config entry managed in different datacenter: "dc2"'],
    ['False', 'ConsulAgentError', 'Unexpected response code: 500 (rpc error)'],
    ['False', 'MigrationFailedError', 'migration failed: Kubernetes resource does not match existing Consul config entry'],
    ['Unknown', 'ConsulAgentError', 'updating config entry in consul: rpc error: Permission denied'],
  ] as const;

  it('reach: a plaintext call to a permissive service not yet synced is UNKNOWN, naming the Mesh entry and its condition (was: DENIED, the Mesh entry taken as absent)', async () => {
    const yaml = withMesh(pending, true, meshStatus(...held[0]));
    const v = judge(ctxOf(yaml), LEGACY);
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown', plaintext: true });
    expect(v.reason).toContain('ServiceDefaults shop/web sets mutualTLSMode permissive and is not reported synced, so Consul applies it only if the Mesh entry allows enabling permissive mode, and Mesh consul/mesh is not synced to Consul (Synced=False, reason ExternallyManagedConfigError, message "config entry managed in different datacenter: \\"dc2\\""), but Consul holds, or may hold, a Mesh entry the consul-k8s controller did not write over');
    const cli = await reach(ctxOf(yaml), '--from', 'legacy/old', '--to', 'shop/web', '--port', '8080');
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/^UNKNOWN: legacy\/old\[Deployment\] -> shop\/web\[Deployment\] on 8080\/TCP/);
    for (const [status, reason, message] of held) {
      for (const allow of [true, false]) expect(judge(ctxOf(withMesh(pending, allow, meshStatus(status, reason, message))), LEGACY), `${allow} ${status} ${message}`).toMatchObject({ verdict: 'unknown' });
    }
    expect(judge(ctxOf(withMesh(pending, true, meshStatus(...held[3]))), LEGACY).reason).toContain('the last update of Mesh consul/mesh failed (Synced=Unknown, reason ConsulAgentError');
    // A meshed caller is judged by intentions whatever the mode.
    expect(judge(ctxOf(yaml), MESHED)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('a failed create (Consul holds no Mesh entry) is still absent: DENIED, and the finding says Consul refuses the entry', () => {
    for (const message of ['writing config entry to consul: Unexpected response code: 500', 'creating consul namespace "consul": Unexpected response code: 403']) {
      const yaml = withMesh(pending, true, meshStatus('False', 'ConsulAgentError', message));
      expect(judge(ctxOf(yaml), LEGACY), message).toMatchObject({ verdict: 'denied' });
      const f = finding(yaml);
      expect(f).toMatchObject({ severity: 'low', evidence: { inEffect: false, meshAllowsPermissive: false, mesh: null } });
      expect(f.message).toContain('but it is not in effect: no Mesh entry sets allowEnablingPermissiveMutualTLS: true, so Consul refuses the entry. Plaintext is refused today');
    }
  });

  it('mtls.permissive-override says the mode in effect is unknown, naming the Mesh entry (was: low, "Plaintext is refused today")', () => {
    const f = finding(withMesh(pending, true, meshStatus(...held[0])));
    expect(f).toMatchObject({ severity: 'medium', evidence: { inEffect: null, meshAllowsPermissive: null, mesh: 'Mesh consul/mesh' } });
    expect(f.message).toBe('ServiceDefaults shop/web sets mutualTLSMode permissive for Consul service web, but Consul has not confirmed it: Consul has not reported it synced and accepts a permissive entry only while the Mesh entry allows it; Mesh consul/mesh is not synced to Consul (Synced=False, reason ExternallyManagedConfigError, message "config entry managed in different datacenter: \\"dc2\\""), but Consul holds, or may hold, a Mesh entry the consul-k8s controller did not write over, whose allowEnablingPermissiveMutualTLS the snapshot cannot show. The mode in effect today, strict or permissive, is unknown: the snapshot cannot show it (1 meshed workload(s): Deployment shop/web).');
  });

  it('an entry Consul already holds (Synced True) stays in effect whatever the Mesh entry: high, reach ALLOWED', () => {
    const yaml = withMesh(cluster(entry('ServiceDefaults', 'web', 'permissive', 'status:\n  conditions: [{type: Synced, status: "True"}]\n')), false, meshStatus(...held[0]));
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ verdict: 'allowed' });
    const f = finding(yaml);
    expect(f).toMatchObject({ severity: 'high', evidence: { inEffect: true, meshAllowsPermissive: null } });
    expect(f.message).toContain('(whether Mesh consul/mesh sets allowEnablingPermissiveMutualTLS: true is unknown)');
  });

  it('report.json: the workload\'s mode is unknown (weak port *); with the Mesh entry synced it is the permissive service port', () => {
    expect(webPosture(ctxOf(pending)).weakPorts).toEqual({ 8080: 'plaintext accepted on the service port, without intentions: ServiceDefaults shop/web mutualTLSMode permissive (allowed by Mesh consul/mesh allowEnablingPermissiveMutualTLS)' });
    expect(webPosture(ctxOf(withMesh(pending, true, meshStatus(...held[3])))).weakPorts?.['*']).toMatch(/^mTLS mode unknown: ServiceDefaults shop\/web sets mutualTLSMode permissive and is not reported synced, .*the last update of Mesh consul\/mesh failed/);
  });
});

// The same controller states (configentry_controller.go) on the entry a workload falls back to:
// a ProxyDefaults global whose update failed, or a ServiceDefaults that leaves the mode to it
// (mutualTLSMode "") whose update failed, leaves that workload's mode unknown in reach; the
// findings about other entries must not call it refused or open either.
describe('mtls.permissive-override names apart the workloads whose mode Consul has not confirmed, as reach does', () => {
  const findings = (yaml: string) => {
    const ctx = ctxOf(yaml);
    return auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1' }).report.findings.filter((f) => f.check === 'mtls.permissive-override');
  };
  const SYNCED = 'status:\n  conditions: [{type: Synced, status: "True"}]\n';

  it('a permissive ServiceDefaults the Mesh entry refuses, over a ProxyDefaults global whose update failed: unknown today (was: "Plaintext is refused today"); reach UNKNOWN', () => {
    const yaml = cluster(`${entry('ProxyDefaults', 'global', 'strict', UPDATE_FAILED)}${entry('ServiceDefaults', 'web', 'permissive')}`).replace('spec: {allowEnablingPermissiveMutualTLS: true}', 'spec: {allowEnablingPermissiveMutualTLS: false}');
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ verdict: 'unknown' });
    const f = findings(yaml).find((x) => x.resource.name === 'web')!;
    expect(f).toMatchObject({ severity: 'low', evidence: { inEffect: false } });
    expect(f.message).not.toContain('Plaintext is refused today');
    expect(f.message).toContain('so Consul refuses the entry. The mode in effect today is unknown where ProxyDefaults consul/global mutualTLSMode strict, which Consul has not confirmed (ProxyDefaults consul/global), decides for Deployment shop/web; allowing permissive mode in the Mesh entry would let it in');
  });

  it('a permissive ProxyDefaults global in effect does not count a workload whose ServiceDefaults ("" mode) failed its update as taking plaintext: medium, named apart (was: high); reach UNKNOWN for it, ALLOWED for the other', () => {
    const yaml = cluster(`${entry('ProxyDefaults', 'global', 'permissive', SYNCED)}${entry('ServiceDefaults', 'web', '""', UPDATE_FAILED)}`);
    expect(judge(ctxOf(yaml), LEGACY)).toMatchObject({ verdict: 'unknown' });
    // shop/api keeps its own strict mode: only web is left to the global entry.
    const only = findings(cluster(`${entry('ProxyDefaults', 'global', 'permissive', SYNCED)}${entry('ServiceDefaults', 'web', '""', UPDATE_FAILED)}${entry('ServiceDefaults', 'api', 'strict', SYNCED)}`));
    expect(only.map((f) => [f.severity, f.resource.name]).sort()).toEqual([['medium', 'global']]);
    expect(only[0].message).toContain('; no meshed workload whose mode is known; mode unknown for 1 whose entry Consul has not confirmed: Deployment shop/web (ServiceDefaults shop/web).');
    // With shop/api taking the global mode for sure: high, web still named apart.
    const ctx = ctxOf(yaml);
    expect(consulFlowVerdict(meshModel(ctx.snapshot, ctx.config), LEGACY, { namespace: 'shop', name: 'api', serviceAccount: 'api', labels: { app: 'api' }, port: 8080, protocol: 'TCP' })).toMatchObject({ verdict: 'allowed', plaintext: true });
    const both = findings(yaml).find((f) => f.resource.name === 'global')!;
    expect(both).toMatchObject({ severity: 'high', evidence: { affectedWorkloads: 2, modeUnknownWorkloads: ['Deployment shop/web'] } });
    expect(both.message).toContain('; 1 meshed workload(s): Deployment shop/api; mode unknown for 1 whose entry Consul has not confirmed: Deployment shop/web (ServiceDefaults shop/web).');
  });
});
