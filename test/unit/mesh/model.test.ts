// The per-workload mTLS posture in report.json (details.mtls.workloads) says where plaintext gets
// in, as Istio's does with weakPorts: Consul without the transparent proxy redirects nothing
// (consul-k8s connect-inject/common/common.go TransparentProxyEnabled), Consul's
// transparent-proxy-exclude-inbound-ports and Linkerd's skip-inbound-ports keep ports away from
// the proxy (https://linkerd.io/2/features/protocol-detection/).
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
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
