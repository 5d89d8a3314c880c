// The per-workload mTLS posture in report.json (details.mtls.workloads) says where plaintext gets
// in, as Istio's does with weakPorts: Consul without the transparent proxy redirects nothing
// (consul-k8s connect-inject/common/common.go TransparentProxyEnabled), Consul's
// transparent-proxy-exclude-inbound-ports and Linkerd's skip-inbound-ports keep ports away from
// the proxy (https://linkerd.io/2/features/protocol-detection/).
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { ctxOf } from './helpers.ts';

const dep = (name: string, annotations: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: {${annotations}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: ${name}, image: example/${name}:1, ports: [{containerPort: 5432}]}]
---`;
const modes = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((m) => [m.workload.name, m]));
};

describe('mTLS posture of Consul and Linkerd workloads', () => {
  it('Consul with the transparent proxy off (pod annotation or namespace label) is plaintext, not authenticated', () => {
    const m = modes(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${dep('db', 'consul.hashicorp.com/connect-inject: "true", consul.hashicorp.com/transparent-proxy: "false"')}
${dep('api', 'consul.hashicorp.com/connect-inject: "true"')}`);
    expect(m.db).toMatchObject({ mesh: 'consul', mode: 'consul:no-tproxy', posture: 'plaintext' });
    expect(m.api).toMatchObject({ mesh: 'consul', mode: 'consul:mtls', posture: 'authenticated' });
    expect(m.api.weakPorts).toBeUndefined();
    const byNamespace = modes(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {consul.hashicorp.com/transparent-proxy: "false"}}
---
${dep('db', 'consul.hashicorp.com/connect-inject: "true"')}`);
    expect(byNamespace.db).toMatchObject({ mode: 'consul:no-tproxy', posture: 'plaintext' });
  });

  it('Consul ports excluded from redirection are weak ports', () => {
    const m = modes(dep('db', 'consul.hashicorp.com/connect-inject: "true", consul.hashicorp.com/transparent-proxy-exclude-inbound-ports: "9100, 5432"'));
    expect(m.db).toMatchObject({ mode: 'consul:mtls', posture: 'authenticated' });
    expect(Object.keys(m.db.weakPorts ?? {})).toEqual(['5432', '9100']);
    expect(m.db.weakPorts?.['5432']).toMatch(/excluded from the Consul sidecar/);
  });

  // https://developer.hashicorp.com/consul/docs/k8s/connect/onboarding-tproxy-mode: "Intentions are
  // not enforced and encryption is not enabled for non-mTLS connections."
  it('a Consul service in permissive mTLS (ServiceDefaults, the Mesh allowing it) has its service port weak', () => {
    const m = modes(`${dep('db', 'consul.hashicorp.com/connect-inject: "true"')}
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: true}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: db, namespace: shop}
spec: {mutualTLSMode: permissive}
---`);
    expect(m.db).toMatchObject({ mode: 'consul:mtls', posture: 'authenticated' });
    expect(m.db.weakPorts).toEqual({ 5432: 'plaintext accepted on the service port, without intentions: ServiceDefaults shop/db mutualTLSMode permissive (allowed by Mesh consul/mesh allowEnablingPermissiveMutualTLS)' });
  });

  // The Consul service of a pod without a connect-service annotation is the Service selecting it
  // (consul.ts consulServiceName), and its mutualTLSMode is that service's ServiceDefaults. With
  // Services (or the config entries) refused, the checks are not evaluated (mesh-config-reads.ts);
  // the posture in report.json says the mode is unknown rather than show a guessed name's.
  it('report.json: with Services or Consul config entries refused, a Consul workload\'s mode is unknown, never a guessed service\'s', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const cluster = (serviceDefaults: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${dep('web', 'consul.hashicorp.com/connect-inject: "true"')}
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 5432}]}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: true}
---
${serviceDefaults}`;
    const sd = (name: string, mode: string) => `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: ${name}, namespace: shop}
spec: {mutualTLSMode: ${mode}}
---`;
    const web = (yaml: string, refused?: 'services' | 'consul.servicedefaults') => {
      const ctx = ctxOf(yaml);
      if (refused) {
        ctx.snapshot.coverage[refused] = { status: 'forbidden', detail: 'refused in test' };
        delete ctx.snapshot.resources[refused];
      }
      const report = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;
      return report.details.mtls!.workloads.find((w) => w.workload.name === 'web')!;
    };
    // Read: web is Consul service frontend, whose ServiceDefaults is permissive.
    const permissiveFrontend = cluster(sd('frontend', 'permissive'));
    expect(web(permissiveFrontend).weakPorts).toEqual({ 5432: expect.stringContaining('ServiceDefaults shop/frontend mutualTLSMode permissive') });
    // Services refused: neither shown secure (was: no weak port) nor named after the service account.
    const unknown = { '*': 'mTLS mode unknown: its Consul service name could not be read (services: forbidden; no consul.hashicorp.com/connect-service annotation), and a ServiceDefaults or ProxyDefaults in effect sets permissive mode' };
    expect(web(permissiveFrontend, 'services').weakPorts).toEqual(unknown);
    // A permissive ServiceDefaults named like the service account is not web's (was: shown as web's).
    const permissiveSa = cluster(`${sd('web', 'permissive')}${sd('frontend', 'strict')}`);
    expect(web(permissiveSa).weakPorts).toBeUndefined();
    expect(web(permissiveSa, 'services').weakPorts).toEqual(unknown);
    // Nothing permissive in effect: strict whatever the name.
    const strict = web(cluster(sd('frontend', 'strict')), 'services');
    expect(strict.posture).toBe('authenticated');
    expect(strict.weakPorts).toBeUndefined();
    // The config entries refused: the mode is unknown too (was: Consul's default strict, shown secure).
    expect(web(permissiveFrontend, 'consul.servicedefaults').weakPorts).toEqual({ '*': expect.stringMatching(/^mTLS mode unknown: Consul's config entries could not be read \(consul\.servicedefaults: forbidden\)/) });
  });

  it('Linkerd ports in skip-inbound-ports (pod, or the namespace for a template) are weak ports', () => {
    const m = modes(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/skip-inbound-ports: "9000-9010"}}
---
${dep('db', 'config.linkerd.io/default-inbound-policy: all-authenticated, config.linkerd.io/skip-inbound-ports: "5432"')}
${dep('api', 'config.linkerd.io/default-inbound-policy: all-authenticated')}`);
    expect(m.db).toMatchObject({ mesh: 'linkerd', mode: 'linkerd:all-authenticated', posture: 'authenticated', weakPorts: { 5432: 'skips the linkerd-proxy (pod annotation config.linkerd.io/skip-inbound-ports)' } });
    expect(m.api.weakPorts).toEqual({ '9000-9010': 'skips the linkerd-proxy (namespace shop annotation config.linkerd.io/skip-inbound-ports)' });
  });
});
