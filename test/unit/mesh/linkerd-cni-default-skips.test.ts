// Under the Linkerd CNI plugin, a pod without config.linkerd.io/skip-inbound-ports skips only what
// the CNI plugin's own configuration says, not the control plane's proxyInit.ignoreInboundPorts.
//
// Upstream:
// - linkerd2 charts/linkerd2-cni/values.yaml (stable-2.14.10 and main): ignoreInboundPorts "",
//   proxyAdminPort 4191, proxyControlPort 4190; templates/cni-plugin.yaml writes
//   "inbound-ports-to-ignore": [proxyAdminPort, proxyControlPort, ignoreInboundPorts...].
// - linkerd2-proxy-init cni-plugin/main.go (cni-plugin/v1.3.0, the stable-2.14.10 chart's image, to
//   v1.7.0-alpha.1): acts on pods with linkerd-proxy and without a linkerd-init init container; the
//   skip-inbound-ports annotation (pod, else namespace) overrides or extends that list; nothing reads
//   proxyInit.ignoreInboundPorts (4567,4568 in charts/linkerd-control-plane/values.yaml).
// - linkerd2 charts/linkerd-control-plane/values.yaml cniEnabled (default false) and
//   charts/patch/templates/patch.json: with cniEnabled the injector adds linkerd-network-validator,
//   not linkerd-init.
import { describe, expect, it } from 'vitest';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, run } from './helpers.ts';

// Every install's values hold proxyInit (the chart's toYaml of its values); without it the injector
// cannot inject at all (linkerd-installed-ignore-ports.test.ts): the chart's defaults are given.
const linkerdConfig = (values: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
${values.split('\n').map((l) => `    ${l}`).join('\n')}
    proxyInit: {ignoreInboundPorts: "4567,4568", ignoreOutboundPorts: "4567,4568"}
---`;
// Galera declaring 4567 (Linkerd's default proxyInit.ignoreInboundPorts), a template to be injected.
const galera = (prefix: string) => `${prefix}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: galera, namespace: shop}
spec:
  selector: {matchLabels: {app: galera}}
  template:
    metadata: {labels: {app: galera}}
    spec:
      containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 3306}, {containerPort: 4567}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1}]
`;
// A running, already injected pod: its init containers say how its iptables are set up.
const runningPod = (init: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: galera-0, namespace: shop, labels: {app: galera}, annotations: {linkerd.io/created-by: linkerd/proxy-injector stable-2.14.10}}
spec:
  initContainers: [{name: ${init}, image: cr.l5d.io/linkerd/proxy:stable-2.14.10}]
  containers:
  - {name: galera, image: example/galera:1, ports: [{containerPort: 4567}]}
  - {name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:stable-2.14.10, ports: [{containerPort: 4143}, {containerPort: 4191}]}
`;
const skip = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name?.startsWith('galera'))!;
const authz = (y: string) => run(authzMissing, ctxOf(y)).find((v) => v.resource.name?.startsWith('galera'))!;

describe('Linkerd CNI plugin: the default skipped inbound ports are the CNI chart\'s, not proxyInit.ignoreInboundPorts', () => {
  it('linkerd-config cniEnabled: true: a template declaring 4567 skips nothing, so mtls.linkerd-skip-ports passes', () => {
    const y = galera(linkerdConfig('cniEnabled: true\nproxy:\n  defaultInboundPolicy: all-unauthenticated'));
    expect(skip(y).status).toBe('pass');
    const a = authz(y);
    expect(a.message).not.toContain('skips its linkerd-proxy');
    // 4567 is judged by the proxy's policy instead.
    expect(a.message).toContain('4567 (no Server; default all-unauthenticated)');
    const c = ctxOf(y);
    expect(meshWorkloadModes(c.snapshot, c.config).find((e) => e.workload.name === 'galera')!.weakPorts).toBeUndefined();
    const v = meshFlowVerdict(c.snapshot, c.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'galera' }, 4567, 'TCP');
    expect(v.reason).not.toContain('skipped by the linkerd-proxy');
  });

  it('cniEnabled false or absent: proxyInit.ignoreInboundPorts 4567,4568 still applies (installed, or assumed without the ConfigMap)', () => {
    const installed = skip(galera(linkerdConfig('cniEnabled: false')));
    expect(installed.status).toBe('fail');
    expect(installed.message).toContain('proxyInit.ignoreInboundPorts 4567,4568, installed (ConfigMap linkerd/linkerd-config)');
    const assumed = skip(galera(''));
    expect(assumed.status).toBe('fail');
    expect(assumed.message).toContain("Linkerd's default proxyInit.ignoreInboundPorts 4567,4568, default assumed");
  });

  it('a running pod with linkerd-network-validator (injected for the CNI plugin) skips nothing on 4567; one with linkerd-init does', () => {
    expect(skip(runningPod('linkerd-network-validator')).status).toBe('pass');
    expect(skip(runningPod('linkerd-init')).status).toBe('fail');
  });

  it('under the CNI plugin with the control port moved, the CNI default 4190 is a skipped application port, and the message says which default was assumed', () => {
    const y = galera(linkerdConfig('cniEnabled: true')).replace('metadata: {labels: {app: galera}}', 'metadata: {labels: {app: galera}, annotations: {config.linkerd.io/control-port: "9990"}}').replace('{containerPort: 4567}', '{containerPort: 4190}');
    const v = skip(y);
    expect(v.status).toBe('fail');
    expect(v.evidence?.inbound).toMatchObject({ ports: ['4190'], assumedDefault: true });
    expect(v.message).toContain("the Linkerd CNI plugin's default inbound-ports-to-ignore 4191,4190");
    expect(v.message).toContain('ConfigMap linkerd/linkerd-config cniEnabled: true');
  });

  it('an explicit skip-inbound-ports annotation still counts under the CNI plugin', () => {
    const y = galera(linkerdConfig('cniEnabled: true')).replace('metadata: {labels: {app: galera}}', 'metadata: {labels: {app: galera}, annotations: {config.linkerd.io/skip-inbound-ports: "4567"}}');
    expect(skip(y).status).toBe('fail');
    expect(authz(y).message).toContain('port 4567 skips its linkerd-proxy (pod annotation config.linkerd.io/skip-inbound-ports)');
  });
});
